"""Loss functions: predictions (a Value or a list of Values) against targets (numbers) to one Value.

Each loss is one object. Called as a function (``losses.mse(predictions, targets)``) it checks its inputs and
returns the loss. It also knows which targets it accepts (``targets``), how it is written on one example with
Value operations that read no number of the example (``traced``: what the compiled path replays, the protocol
``autograd.compiled.TracedLoss``), and when one output means class 1 (``threshold``). ``fit`` and
``compile_loss`` read these; neither knows a loss by its name. The base is in ``base``, the losses with one
term per prediction in ``pointwise``, cross entropy in ``categorical``, the L2 penalty in ``penalty``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .base import FunctionLoss, Loss
from .categorical import cross_entropy
from .penalty import l2_penalty
from .pointwise import (
    EPSILON,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    half_sum_squares,
    hinge,
    mse,
    probability_clamp,
)

__all__ = ["Loss", "FunctionLoss", "mse", "half_sum_squares", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "cross_entropy", "hinge", "l2_penalty", "probability_clamp",
           "EPSILON", "LOSSES", "get"]

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
