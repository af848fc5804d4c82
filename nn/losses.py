"""Loss functions: predictions (a Value or a list of Values) against targets (numbers) to one Value.

Each loss is one object. Called as a function (``losses.mse(predictions, targets)``) it checks its inputs and
returns the loss. It also knows which targets it accepts (``targets``), how it is written on one example with
Value operations that read no number of the example (``traced``: what the compiled path replays, the protocol
``autograd.compiled.TracedLoss``), and when one output means class 1 (``threshold``). ``fit`` and
``compile_loss`` read these; neither knows a loss by its name. The forms are stable: BCE and cross entropy from
logits never take the log of an exp, and cross entropy's log-sum-exp is one node.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np

from autograd import dot, summation
from autograd import functions as F
from autograd.compiled import is_tracing
from autograd.operand import Operand, check_number, is_number
from autograd.ops import RULES, Rule
from autograd.value import Value

from .activations import logsumexp

__all__ = ["Loss", "FunctionLoss", "mse", "half_sum_squares", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "cross_entropy", "hinge", "l2_penalty", "probability_clamp",
           "LOSSES", "get"]

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


def _loss(total: Any, scale: float = 1.0) -> Any:
    """``scale * total`` as a Value labelled "loss" (a Value even when the predictions were floats)."""
    out = total * scale if scale != 1.0 else total
    if not isinstance(out, Operand):
        out = Value(out)
    if isinstance(out, Value):
        out.label = "loss"
    return out


def _is_number_equal(t: Any, number: float) -> bool:
    """``t`` is that number, not a Value: a target of 0 (or 1) makes a term vanish, so it is left out."""
    return is_number(t) and t == number


class Loss:
    """What every loss knows besides its formula; a subclass writes ``__call__``, ``traced`` and ``check``.

    Attributes:
        name: the function's name, as errors show it.
        threshold: for a model with one output, the score above which it means class 1.
        class_indices: targets may be class indices 0 .. C-1, one per example (cross entropy).
        min_outputs, max_outputs: how many outputs a model trained with it may have (None: any number).
    """

    name = "loss"
    threshold = 0.0
    class_indices = False
    min_outputs: int = 1
    max_outputs: int | None = None

    def __repr__(self) -> str:
        return f"losses.{self.name}"

    def __call__(self, predictions: Any, targets: Any) -> Any:
        raise NotImplementedError

    def traced(self, output: Any, target: Any) -> Value:
        """One example's loss written with Value operations only (``autograd.compiled.TracedLoss``)."""
        raise NotImplementedError

    why = ""  # what a refused target is told; "": any finite number is a target

    def good(self, t: Any) -> Any:
        """Whether the target ``t`` suits this loss: for a number, or elementwise for an array."""
        return True

    def check(self, targets: np.ndarray, n_outputs: int, who: str) -> None:
        """Raise ValueError naming ``who`` and the first bad target unless all suit this loss."""
        if self.why:
            self._refuse(targets, np.broadcast_to(self.good(targets), targets.shape), who, self.why)

    def targets(self, y: Any, n_outputs: int, who: str = "targets") -> np.ndarray:
        """``y`` checked for a model with ``n_outputs`` outputs: one target per example, or rows of ``n_outputs``.

        >>> mse.targets([[1.0], [2.0]], 1).tolist(), hinge.threshold, binary_cross_entropy.threshold
        ([1.0, 2.0], 0.0, 0.5)
        """
        try:
            array = np.asarray(y)
        except ValueError as error:
            raise ValueError(f"{who} must be numbers or rows of numbers of one length ({error})") from None
        if array.dtype.kind == "b":  # True / False labels are 1 / 0
            array = array.astype(np.int64)
        if array.dtype.kind not in "iuf" or not np.all(np.isfinite(array)):
            raise ValueError(f"{who} must hold finite numbers, got dtype {array.dtype}")
        if array.ndim == 2 and array.shape[1] == 1 and n_outputs == 1:
            array = array[:, 0]
        if n_outputs < self.min_outputs or (self.max_outputs is not None and n_outputs > self.max_outputs):
            wanted = "one output" if self.max_outputs == 1 else f"at least {self.min_outputs} outputs"
            raise ValueError(f"{self.name} needs a model with {wanted}, this one has {n_outputs}")
        if array.ndim not in (1, 2) or (array.ndim == 2 and array.shape[1] != n_outputs):
            raise ValueError(f"{who} has shape {array.shape} but the model has {n_outputs} outputs")
        if array.ndim == 1 and n_outputs > 1 and not self.class_indices:
            raise ValueError(f"{who} is 1-D but the model has {n_outputs} outputs: pass rows of {n_outputs} targets "
                             f"(data.one_hot(y, {n_outputs}) for class labels) or use loss='cross_entropy'")
        self.check(array, n_outputs, who)
        return array

    def target_rows(self, targets: Any, n_outputs: int) -> np.ndarray:
        """The targets checked, as rows of numbers: what ``traced`` receives, as Values, when compiled."""
        array = self.targets(targets, n_outputs)
        return array.reshape(len(array), -1).astype(float)

    def labels(self, targets: np.ndarray) -> np.ndarray:
        """The class labels that metrics compare predictions with (the argmax of rows)."""
        return targets.argmax(axis=1) if targets.ndim == 2 else targets

    def _refuse(self, targets: np.ndarray, good: np.ndarray, who: str, why: str) -> None:
        if not np.all(good):
            index = np.unravel_index(int(np.flatnonzero(~good)[0]), targets.shape)
            value = targets[index].item()
            raise ValueError(f"{self.name}: {who}[{', '.join(map(str, index))}] is {value!r}, {why}")

    def _pairs(self, predictions: Any, targets: Any) -> tuple[list[Any], list[Any]]:
        """Predictions and targets flattened, equally long, and checked; a Value target is used as it is."""
        preds, ts = _flatten(predictions), _flatten(targets)
        if not preds:
            raise ValueError(f"{self.name}: needs at least one prediction")
        if len(preds) != len(ts):
            raise ValueError(f"{self.name}: {len(preds)} predictions but {len(ts)} targets")
        for p in preds:
            if not isinstance(p, Operand):
                check_number(p, f"{self.name} prediction")
        ts = [t if isinstance(t, Operand) else check_number(t, f"{self.name} target") for t in ts]
        if self.why and not is_tracing():  # while compiling, the numbers of Value targets are the data: not read
            numbers = [float(t) for t in ts]
            if not all([self.good(t) for t in numbers]):  # the message comes from check
                self.check(np.array(numbers), len(preds), "target")
        return preds, ts


class _Elementwise(Loss):
    """A loss that adds ``terms(prediction, target)`` over the predictions and scales the sum by ``scale(n)``."""

    def terms(self, z: Any, t: Any) -> list[Any]:
        raise NotImplementedError

    def scale(self, n: int) -> float:
        return 1.0 / n

    def __call__(self, predictions: Any, targets: Any) -> Any:
        return self._combine(*self._pairs(predictions, targets))

    def traced(self, output: Any, target: Any) -> Value:
        return self._combine(_flatten(output), _flatten(target))  # type: ignore[no-any-return]

    def _combine(self, zs: list[Any], ts: list[Any]) -> Any:
        return _loss(summation([term for z, t in zip(zs, ts) for term in self.terms(z, t)]), self.scale(len(zs)))


class MeanSquaredError(_Elementwise):
    """``losses.mse``: the mean squared error ``1/n sum (y_hat_i - y_i)^2``.

    >>> round(mse([1.9, 2.8, 3.7], [2.0, 3.0, 4.0]).data, 6)
    0.046667
    """

    name = "mse"

    def terms(self, z: Any, t: Any) -> list[Any]:
        return [(z - t) ** 2]


class HalfSumSquares(MeanSquaredError):
    """``losses.half_sum_squares``: the lecture's ``0.5 sum (y_hat_i - y_i)^2``, whose gradient is ``y_hat - y``.

    >>> half_sum_squares([1.0, 3.0], [0.0, 1.0]).data
    2.5
    """

    name = "half_sum_squares"

    def scale(self, n: int) -> float:
        return 0.5


@lru_cache(maxsize=16)
def probability_clamp(eps: float) -> Rule:
    """The rule ``min(max(p, eps), 1 - eps)`` that BCE applies to a probability ``p`` before its logs.

    Its derivative is 1 inside ``[eps, 1 - eps]`` and 0 outside (torch.clamp's). A ``p`` outside [0, 1] is a
    raw score, not a probability: refused (ValueError) on Values and in every lane of a compiled batch.

    >>> probability_clamp(1e-6).value(1.0)
    0.999999
    """
    low, high = eps, 1.0 - eps
    refused = ("binary_cross_entropy: prediction {} is not a probability in [0, 1]; "
               "for raw scores use binary_cross_entropy_with_logits")

    def value(p: float) -> float:
        if not 0.0 <= p <= 1.0:
            raise ValueError(refused.format(repr(p)))
        return min(max(p, low), high)

    def array_value(p: Any) -> Any:
        if not np.all((p >= 0.0) & (p <= 1.0)):
            raise ValueError(refused.format("(one in this batch)"))
        return np.clip(p, low, high)

    return Rule("clamp", 1, value, lambda out, p: (1.0 if low <= p <= high else 0.0,),
                f"d clamp(p) = 1 if {low:g} <= p <= {high:g} else 0", params=(low, high), array_value=array_value,
                array_partials=lambda out, p: (((p >= low) & (p <= high)).astype(float),))


class _Probabilities(_Elementwise):
    """A loss for one output whose targets are in [0, 1]."""

    max_outputs = 1
    why = "not in [0, 1] (0/1 labels)"

    def good(self, t: Any) -> Any:
        return (t >= 0) & (t <= 1)


class BinaryCrossEntropy(_Probabilities):
    """``losses.binary_cross_entropy``: ``-1/n sum (y log p + (1 - y) log(1 - p))`` for probabilities ``p``.

    ``p`` is clamped to ``[eps, 1 - eps]`` first (``probability_clamp``) so that ``log`` never sees 0. The clamp
    passes the gradient through inside that range and blocks it outside (a saturated ``p < eps`` gets gradient
    0, as with Keras and ``torch.clamp``); for raw scores prefer ``binary_cross_entropy_with_logits``.

    Args (of a call):
        probabilities: predictions in [0, 1] (say, sigmoid outputs).
        targets: labels in [0, 1] (usually 0 or 1).
        eps: the clamp.

    >>> round(binary_cross_entropy([0.9, 0.2], [1, 0]).data, 6)  # -(log 0.9 + log 0.8) / 2
    0.164252
    """

    name = "binary_cross_entropy"
    threshold = 0.5  # a probability

    def __init__(self, eps: float = EPSILON) -> None:
        if not 0 < check_number(eps, "binary_cross_entropy eps") < 0.5:
            raise ValueError(f"binary_cross_entropy: eps must be in (0, 0.5), got {eps!r}")
        self.eps, self.clamp = eps, probability_clamp(eps)

    def __call__(self, probabilities: Any, targets: Any, eps: float = EPSILON) -> Any:
        loss = self if eps == self.eps else BinaryCrossEntropy(eps)
        return loss._combine(*loss._pairs(probabilities, targets))

    def scale(self, n: int) -> float:
        return -1.0 / n

    def terms(self, p: Any, t: Any) -> list[Any]:
        q = F.apply(self.clamp, p)
        # a number label of 0 or 1 makes one of the two logs vanish: only the terms that count
        return (([] if _is_number_equal(t, 0.0) else [t * F.log(q)])
                + ([] if _is_number_equal(t, 1.0) else [(1.0 - t) * F.log(1.0 - q)]))


class BinaryCrossEntropyWithLogits(_Probabilities):
    """``losses.binary_cross_entropy_with_logits``: BCE of ``sigmoid(z)`` from ``z``, ``1/n sum (softplus(z) - y z)``.

    Stable for any ``z``; its gradient is ``(sigmoid(z) - y) / n``.

    >>> round(binary_cross_entropy_with_logits([1000.0, -1000.0], [0, 1]).data, 6)
    1000.0
    """

    name = "binary_cross_entropy_with_logits"

    def terms(self, z: Any, t: Any) -> list[Any]:
        return [F.softplus(z) if _is_number_equal(t, 0.0) else F.softplus(z) - t * z]


class Hinge(_Elementwise):
    """``losses.hinge``: micrograd's max-margin loss ``1/n sum relu(1 - y_i s_i)`` for labels in {-1, +1}.

    >>> hinge([2.0, 0.0], [1, -1]).data
    0.5
    """

    name = "hinge"
    max_outputs = 1

    why = "labels must be -1 or +1 (map 0/1 labels with 2 * y - 1)"

    def good(self, t: Any) -> Any:
        return abs(t) == 1

    def labels(self, targets: np.ndarray) -> np.ndarray:
        return (targets > 0).astype(np.int64)

    def terms(self, s: Any, y: Any) -> list[Any]:
        return [F.relu(1.0 - y * s)]


def _is_row(x: Any) -> bool:
    return isinstance(x, (list, tuple, np.ndarray))


class CrossEntropy(Loss):
    """``losses.cross_entropy``: ``-sum_k t_k log softmax(z)_k`` from logits, as ``logsumexp(z) - sum_k t_k z_k``.

    Stable for logits up to +-1e308; its gradient with respect to the logits is ``softmax(z) - t`` (divided by
    the batch size).

    Args (of a call):
        logits: one example's logits (a list of Values), or a batch (a list of such lists).
        targets: a class index or a one-hot (or probability) row for one example; a list of them for a batch.

    Returns:
        the loss (the batch mean for a batch).

    >>> round(cross_entropy([1000.0, 1000.0], 0).data, 6), cross_entropy([1e308, -1e308], 0).data
    (0.693147, 0.0)
    """

    name = "cross_entropy"
    class_indices = True
    min_outputs = 2

    def __call__(self, logits: Any, targets: Any) -> Any:
        rows = list(logits) if _is_row(logits) else None
        if not rows:
            raise TypeError(f"cross_entropy: logits must be a non-empty list, got {type(logits).__name__}")
        if not _is_row(rows[0]):
            return _loss(self._example(rows, targets, ""))
        if not _is_row(targets) or len(targets) != len(rows):
            count = len(targets) if _is_row(targets) else "no list of"
            raise ValueError(f"cross_entropy: a batch of {len(rows)} logit rows needs {len(rows)} targets, got {count}")
        each = [self._example(list(row), t, f"example {i}: ") for i, (row, t) in enumerate(zip(rows, targets))]
        return _loss(summation(each), 1.0 / len(rows))

    def traced(self, output: Any, target: Any) -> Value:
        return _loss(self._from_row(_flatten(output), _flatten(target), ""))  # type: ignore[no-any-return]

    def check(self, targets: np.ndarray, n_outputs: int, who: str) -> None:
        if targets.ndim == 1:
            self._refuse(targets, targets == np.round(targets), who, "not a class index (a whole number)")
            self._refuse(targets, (targets >= 0) & (targets < n_outputs), who,
                         f"out of range for {n_outputs} classes (labels 0 .. {n_outputs - 1})")
        else:
            good = (targets >= 0).all(axis=1) & (np.abs(targets.sum(axis=1) - 1.0) <= 1e-6)
            if not good.all():
                i = int(np.flatnonzero(~good)[0])
                raise ValueError(f"cross_entropy: row {i} of {who} is {targets[i].tolist()}, but a one-hot (or "
                                 "probability) target needs entries >= 0 summing to 1")

    def targets(self, y: Any, n_outputs: int, who: str = "targets") -> np.ndarray:
        array = super().targets(y, n_outputs, who)
        return array.astype(np.int64) if array.ndim == 1 else array

    def target_rows(self, targets: Any, n_outputs: int) -> np.ndarray:
        array = self.targets(targets, n_outputs)
        return np.eye(n_outputs)[array] if array.ndim == 1 else array.astype(float)

    def _example(self, zs: list[Any], target: Any, where: str) -> Any:
        if not zs:
            raise ValueError(f"cross_entropy: {where}needs at least one logit")
        if _is_row(target):
            ts = _flatten(target)
            if len(ts) != len(zs):
                raise ValueError(f"cross_entropy: {where}{len(zs)} logits but a one-hot target of length {len(ts)}")
            numbers = [check_number(t, "cross_entropy one-hot target") for t in ts]
            self.check(np.array([numbers]), len(zs), f"{where}target")
            return self._from_row(zs, numbers, where)
        if isinstance(target, bool) or not isinstance(target, (int, np.integer)):
            raise TypeError(f"cross_entropy: {where}a class index must be an int, got {type(target).__name__} "
                            f"({target!r})")
        if not 0 <= target < len(zs):
            raise ValueError(f"cross_entropy: {where}class index {target} is out of range for {len(zs)} classes")
        return self._minus(zs, zs[int(target)], where)

    def _from_row(self, zs: list[Any], ts: list[Any], where: str) -> Any:
        used = [(t, z) for t, z in zip(ts, zs) if not _is_number_equal(t, 0.0)]
        return self._minus(zs, dot([t for t, _ in used], [z for _, z in used]), where)

    def _minus(self, zs: list[Any], picked: Any, where: str) -> Any:
        try:
            return F.apply(RULES["sub"], logsumexp(zs), picked)
        except OverflowError as error:
            raise OverflowError(f"cross_entropy: {where}the loss is above 1.8e308, beyond a float ({error})") from None


class FunctionLoss(Loss):
    """A function ``(output, target) -> Value`` of one example as a Loss: any finite target, threshold 0.

    When compiled, the function itself is traced, its target a Value (or a list of Values for a row).

    >>> FunctionLoss(lambda out, t: (out - t) ** 2)(Value(3.0), 1.0).data
    4.0
    """

    def __init__(self, function: Callable[[Any, Any], Any]) -> None:
        self.function, self.name = function, getattr(function, "__name__", "loss")

    def __call__(self, output: Any, target: Any) -> Any:
        return self.function(output, target)

    def traced(self, output: Any, target: Any) -> Value:
        return self.function(output, target)  # type: ignore[no-any-return]


mse = MeanSquaredError()
half_sum_squares = HalfSumSquares()
binary_cross_entropy = BinaryCrossEntropy()
binary_cross_entropy_with_logits = BinaryCrossEntropyWithLogits()
cross_entropy = CrossEntropy()
hinge = Hinge()

# The names fit accepts for its loss= (the short ones first, as error messages list them).
LOSSES: dict[str, Loss] = {"mse": mse, "cross_entropy": cross_entropy, "hinge": hinge, "bce": binary_cross_entropy,
                           "bce_logits": binary_cross_entropy_with_logits, "half_sum_squares": half_sum_squares,
                           "binary_cross_entropy": binary_cross_entropy,
                           "binary_cross_entropy_with_logits": binary_cross_entropy_with_logits}


def get(loss: str | Loss | Callable[[Any, Any], Any]) -> Loss:
    """The Loss for a name in ``LOSSES``, a Loss itself, or a function ``(output, target) -> Value`` wrapped.

    >>> get("bce") is binary_cross_entropy, get(mse) is mse, get(lambda out, t: out).threshold
    (True, True, 0.0)
    """
    if isinstance(loss, Loss):
        return loss
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}, a loss of nn.losses or a "
                             "function (output, target) -> Value")
        return LOSSES[loss]
    if callable(loss):
        return FunctionLoss(loss)
    raise TypeError(f"loss must be a name, a loss of nn.losses or a function, got {type(loss).__name__}")


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
