"""The losses that add one term per prediction: mse, half_sum_squares, the binary cross entropies, hinge.

A pointwise loss is ``scale(n) * sum_i terms(prediction_i, target_i)``, one formula for a call (targets as
numbers, checked) and for the compiled path (``traced``: targets as Values). BCE from logits never takes the
log of an exp; BCE of probabilities clamps them with ``probability_clamp``, a rule that refuses a raw score.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import functions as F
from autograd import summation
from autograd.finite import check_number
from autograd.rule import RULES, Rule
from autograd.value import Value

from .base import Loss, as_loss, flatten, is_the_number

__all__ = ["mse", "half_sum_squares", "binary_cross_entropy", "binary_cross_entropy_with_logits", "hinge",
           "probability_clamp", "MeanSquaredError", "HalfSumSquares", "BinaryCrossEntropy",
           "BinaryCrossEntropyWithLogits", "Hinge", "EPSILON"]

EPSILON = 1e-6  # the lecture's clamp for probabilities: log(1e-6) = -13.8 instead of log(0) = -inf


class _Pointwise(Loss):
    """A loss that adds ``terms(prediction, target)`` over the predictions and scales the sum by ``scale(n)``."""

    def terms(self, z: Any, t: Any) -> list[Any]:
        raise NotImplementedError

    def scale(self, n: int) -> float:
        return 1.0 / n

    def __call__(self, predictions: Any, targets: Any) -> Any:
        return self._combine(*self._pairs(predictions, targets))

    def traced(self, output: Any, target: Any) -> Value:
        return self._combine(flatten(output), flatten(target))  # type: ignore[no-any-return]

    def _combine(self, zs: list[Any], ts: list[Any]) -> Any:
        return as_loss(summation([term for z, t in zip(zs, ts) for term in self.terms(z, t)]), self.scale(len(zs)))


class MeanSquaredError(_Pointwise):
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


def probability_clamp(eps: float) -> Rule:
    """The rule ``min(max(p, eps), 1 - eps)`` that BCE applies to a probability ``p`` before its logs (the
    table's ``probability_clamp``): derivative 1 inside ``[eps, 1 - eps]``, 0 outside (torch.clamp's); a ``p``
    outside [0, 1] is a raw score, not a probability: refused on Values and in every lane of a compiled batch.

    >>> probability_clamp(1e-6).value(1.0)
    0.999999
    """
    return RULES["probability_clamp"].bind(eps)


class _Probabilities(_Pointwise):
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
        self.eps = eps

    @property
    def clamp(self) -> Rule:
        """The rule that clamps the probabilities: ``probability_clamp(eps)``."""
        return probability_clamp(self.eps)

    def __call__(self, probabilities: Any, targets: Any, eps: float = EPSILON) -> Any:
        loss = self if eps == self.eps else BinaryCrossEntropy(eps)
        return loss._combine(*loss._pairs(probabilities, targets))

    def scale(self, n: int) -> float:
        return -1.0 / n

    def terms(self, p: Any, t: Any) -> list[Any]:
        q = F.apply(self.clamp, p)
        # a number label of 0 or 1 makes one of the two logs vanish: only the terms that count
        return (([] if is_the_number(t, 0.0) else [t * F.log(q)])
                + ([] if is_the_number(t, 1.0) else [(1.0 - t) * F.log(1.0 - q)]))


class BinaryCrossEntropyWithLogits(_Probabilities):
    """``losses.binary_cross_entropy_with_logits``: BCE of ``sigmoid(z)`` from ``z``, ``1/n sum (softplus(z) - y z)``.

    Stable for any ``z``; its gradient is ``(sigmoid(z) - y) / n``.

    >>> round(binary_cross_entropy_with_logits([1000.0, -1000.0], [0, 1]).data, 6)
    1000.0
    """

    name = "binary_cross_entropy_with_logits"

    def terms(self, z: Any, t: Any) -> list[Any]:
        return [F.softplus(z) if is_the_number(t, 0.0) else F.softplus(z) - t * z]


class Hinge(_Pointwise):
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


mse = MeanSquaredError()
half_sum_squares = HalfSumSquares()
binary_cross_entropy = BinaryCrossEntropy()
binary_cross_entropy_with_logits = BinaryCrossEntropyWithLogits()
hinge = Hinge()
