"""Loss functions: predictions (a Value or a list of Values) against targets (numbers) to one Value.

Each checks its inputs (matching lengths, labels in range) and uses the stable form where the
textbook formula overflows: BCE and cross entropy from logits never take the log of an exp.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import dot, summation
from autograd import functions as F
from autograd.finite import check_number
from autograd.operand import Operand
from autograd.rule import RULES, Rule
from autograd.value import Value

__all__ = ["mse", "half_sum_squares", "binary_cross_entropy", "binary_cross_entropy_with_logits",
           "cross_entropy", "hinge", "l2_penalty", "clamp"]

EPSILON = 1e-6  # the lecture's clamp for probabilities: log(1e-6) = -13.8 instead of log(0) = -inf


def _flatten(x: Any) -> list[Any]:
    if isinstance(x, (Operand, int, float, np.number)):
        return [x]
    if isinstance(x, (str, bytes, dict)):
        raise TypeError(f"expected numbers or Values, got {type(x).__name__} ({x!r})")
    if isinstance(x, np.ndarray):
        return x.reshape(-1).tolist()
    try:
        items = list(x)
    except TypeError:
        raise TypeError(f"expected a Value, a number or a list of them, got {type(x).__name__}") from None
    return [y for item in items for y in _flatten(item)]


def _pairs(predictions: Any, targets: Any, who: str) -> tuple[list[Any], list[float]]:
    """Predictions and targets flattened, as equally long lists; targets checked to be numbers."""
    preds, raw = _flatten(predictions), _flatten(targets)
    if not preds:
        raise ValueError(f"{who}: needs at least one prediction")
    if len(preds) != len(raw):
        raise ValueError(f"{who}: {len(preds)} predictions but {len(raw)} targets")
    for p in preds:
        if not isinstance(p, Operand):
            check_number(p, f"{who} prediction")
    return preds, [check_number(t, f"{who} target") for t in raw]


def _loss(total: Any, scale: float = 1.0) -> Any:
    """``scale * total`` as a Value labelled "loss" (a Value even when the predictions were floats)."""
    out = total * scale if scale != 1.0 else total
    if not isinstance(out, Operand):
        out = Value(out)
    if isinstance(out, Value):
        out.label = "loss"
    return out


def mse(predictions: Any, targets: Any) -> Any:
    """Mean squared error ``1/n sum (y_hat_i - y_i)^2``.

    >>> round(mse([1.9, 2.8, 3.7], [2.0, 3.0, 4.0]).data, 6)
    0.046667
    """
    preds, ys = _pairs(predictions, targets, "mse")
    return _loss(summation([(p - y) ** 2 for p, y in zip(preds, ys)]), 1.0 / len(preds))


def half_sum_squares(predictions: Any, targets: Any) -> Any:
    """The lecture's ``0.5 sum (y_hat_i - y_i)^2``, whose gradient is just ``y_hat - y``.

    >>> half_sum_squares([1.0, 3.0], [0.0, 1.0]).data
    2.5
    """
    preds, ys = _pairs(predictions, targets, "half_sum_squares")
    return _loss(summation([(p - y) ** 2 for p, y in zip(preds, ys)]), 0.5)


def clamp(low: float, high: float) -> Rule:
    """The rule ``min(max(x, low), high)`` (the table's ``clamp``): derivative 1 inside ``[low, high]``, 0 outside."""
    return RULES["clamp"].bind(low, high)


def binary_cross_entropy(probabilities: Any, targets: Any, eps: float = EPSILON) -> Any:
    """``-1/n sum (y log p + (1 - y) log(1 - p))`` for probabilities ``p`` (say, sigmoid outputs).

    ``p`` is clamped to ``[eps, 1 - eps]`` first so that ``log`` never sees 0. The clamp passes the
    gradient through inside that range and blocks it outside (a saturated ``p < eps`` gets gradient 0,
    as with Keras and ``torch.clamp``); for raw scores prefer ``binary_cross_entropy_with_logits``,
    which needs no clamp.

    Args:
        probabilities: predictions in [0, 1].
        targets: labels in [0, 1] (usually 0 or 1).
        eps: the clamp.

    >>> round(binary_cross_entropy([0.9, 0.2], [1, 0]).data, 6) == round(-(math.log(0.9) + math.log(0.8)) / 2, 6)
    True
    """
    preds, ys = _pairs(probabilities, targets, "binary_cross_entropy")
    if not 0 < eps < 0.5:
        raise ValueError(f"binary_cross_entropy: eps must be in (0, 0.5), got {eps!r}")
    rule = clamp(eps, 1.0 - eps)
    terms = []
    for i, (p, y) in enumerate(zip(preds, ys)):
        if not 0.0 <= float(p) <= 1.0:
            raise ValueError(f"binary_cross_entropy: prediction {i} is {float(p)!r}, not a probability in [0, 1]; "
                             "for raw scores use binary_cross_entropy_with_logits")
        if not 0.0 <= y <= 1.0:
            raise ValueError(f"binary_cross_entropy: target {i} is {y!r}, not in [0, 1]")
        q = F.apply(rule, p)
        # only the terms that count: a 0/1 label makes one of the two logs vanish
        if y > 0:
            terms.append(y * F.log(q))
        if y < 1:
            terms.append((1.0 - y) * F.log(1.0 - q))
    return _loss(summation(terms), -1.0 / len(preds))


def binary_cross_entropy_with_logits(logits: Any, targets: Any) -> Any:
    """BCE of ``sigmoid(z)`` computed from ``z`` as ``1/n sum (softplus(z) - y z)``: stable for any ``z``.

    Its gradient is ``(sigmoid(z) - y) / n``.

    >>> round(binary_cross_entropy_with_logits([1000.0, -1000.0], [0, 1]).data, 6)
    1000.0
    """
    zs, ys = _pairs(logits, targets, "binary_cross_entropy_with_logits")
    for i, y in enumerate(ys):
        if not 0.0 <= y <= 1.0:
            raise ValueError(f"binary_cross_entropy_with_logits: target {i} is {y!r}, not in [0, 1]")
    terms = [F.softplus(z) - y * z if y else F.softplus(z) for z, y in zip(zs, ys)]
    return _loss(summation(terms), 1.0 / len(zs))


def _is_row(x: Any) -> bool:
    return isinstance(x, (list, tuple, np.ndarray))


def _one_cross_entropy(logits: Sequence[Any], target: Any, where: str) -> Any:
    """``log sum_j exp(z_j) - sum_k t_k z_k`` on ``z - max(z)``: one example's cross entropy from logits."""
    zs = list(logits)
    if not zs:
        raise ValueError(f"cross_entropy: {where}needs at least one logit")
    top = max(float(z) for z in zs)
    shifted = [z - top for z in zs]
    log_total = F.log(summation([F.exp(s) for s in shifted]))
    if _is_row(target):
        t = [check_number(v, "cross_entropy one-hot target") for v in _flatten(target)]
        if len(t) != len(zs):
            raise ValueError(f"cross_entropy: {where}{len(zs)} logits but a one-hot target of length {len(t)}")
        if min(t) < 0 or abs(math.fsum(t) - 1.0) > 1e-6:
            raise ValueError(f"cross_entropy: {where}a one-hot (or probability) target needs entries >= 0 "
                             f"summing to 1, got {t}")
        used = [(tk, s) for tk, s in zip(t, shifted) if tk]
        return log_total - dot([tk for tk, _ in used], [s for _, s in used])
    if isinstance(target, bool) or not isinstance(target, (int, np.integer)):
        raise TypeError(f"cross_entropy: {where}a class index must be an int, got {type(target).__name__} "
                        f"({target!r})")
    if not 0 <= target < len(zs):
        raise ValueError(f"cross_entropy: {where}class index {target} is out of range for {len(zs)} classes")
    return log_total - shifted[int(target)]


def cross_entropy(logits: Any, targets: Any) -> Any:
    """``-sum_k t_k log softmax(z)_k`` from logits, via the stable log-sum-exp.

    Its gradient with respect to the logits is ``softmax(z) - t`` (divided by the batch size).

    Args:
        logits: one example's logits (a list of Values), or a batch (a list of such lists).
        targets: a class index or a one-hot list for one example; a list of them for a batch.

    Returns:
        the loss (the batch mean for a batch).

    >>> round(cross_entropy([1000.0, 1000.0], 0).data, 6)
    0.693147
    """
    rows = list(logits) if _is_row(logits) else None
    if not rows:
        raise TypeError(f"cross_entropy: logits must be a non-empty list, got {type(logits).__name__}")
    if not _is_row(rows[0]):
        return _loss(_one_cross_entropy(rows, targets, ""))
    if not _is_row(targets) or len(targets) != len(rows):
        count = len(targets) if _is_row(targets) else "no list of"
        raise ValueError(f"cross_entropy: a batch of {len(rows)} logit rows needs {len(rows)} targets, got {count}")
    losses = [_one_cross_entropy(row, t, f"example {i}: ") for i, (row, t) in enumerate(zip(rows, targets))]
    return _loss(summation(losses), 1.0 / len(rows))


def hinge(scores: Any, labels: Any) -> Any:
    """micrograd's max-margin loss ``1/n sum relu(1 - y_i s_i)`` for labels ``y_i`` in {-1, +1}.

    >>> hinge([2.0, 0.0], [1, -1]).data
    0.5
    """
    ss, ys = _pairs(scores, labels, "hinge")
    for i, y in enumerate(ys):
        if y not in (-1.0, 1.0):
            raise ValueError(f"hinge: label {i} is {y!r}; labels must be -1 or +1")
    return _loss(summation([F.relu(1.0 - y * s) for s, y in zip(ss, ys)]), 1.0 / len(ss))


def l2_penalty(parameters: Any, alpha: float = 1e-4) -> Any:
    """``alpha * sum p^2`` over the parameters (a list of Values or a Module), as one dot node.

    >>> l2_penalty([Value(3.0), Value(4.0)], alpha=0.5).data
    12.5
    """
    params = list(parameters.parameters()) if hasattr(parameters, "parameters") else _flatten(parameters)
    if not params:
        raise ValueError("l2_penalty: needs at least one parameter")
    alpha = check_number(alpha, "l2_penalty alpha")
    if alpha < 0:
        raise ValueError(f"l2_penalty: alpha must be >= 0, got {alpha!r}")
    return _loss(dot(params, params), alpha)
