"""One training step, for both paths: an objective's mean loss and gradient, the L2 penalty, the update.

An objective maps a batch to its mean loss and adds that loss's gradient to the parameters' ``.grad``: the
dynamic one (``dynamic_objective``) builds a graph per row and backpropagates it once, the compiled one
(``CompiledLoss.value_and_grad``) replays one traced graph on the whole batch. ``train_step`` takes either and
stops at a loss, gradient or parameter that is not finite.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from autograd import summation
from autograd.finite import NotFinite, check_number
from autograd.value import Value

from .. import losses

__all__ = ["train_step", "dynamic_objective", "learning_rate", "TrainingDiverged", "Objective"]

Objective = Callable[[Sequence[Any], Sequence[Any]], float]


class TrainingDiverged(ArithmeticError):
    """The loss, a gradient or a parameter became NaN or infinite; the message names the epoch and the step."""


def learning_rate(value: Any, who: str) -> float:
    """``value`` as a learning rate: a finite number above 0 (a negative one would climb the loss).

    >>> learning_rate(0.1, "lr")
    0.1
    """
    rate = check_number(value, who)
    if rate <= 0:
        raise ValueError(f"{who} must be a learning rate above 0, got {rate!r}")
    return rate


def dynamic_objective(model: Callable[[Any], Any], loss: Callable[[Any, Any], Any]) -> Objective:
    """The mean of ``loss(model(row), target)`` over a batch: one graph per row, one ``backward()`` for all.

    >>> w = Value(2.0); mean = dynamic_objective(lambda row: w * row[0], lambda out, t: (out - t) ** 2)
    >>> mean([[1.0], [2.0]], [0.0, 0.0]), w.grad  # (4 + 16) / 2 and (2 * 2 * 1 + 2 * 4 * 2) / 2
    (10.0, 10.0)
    """

    def mean_loss(rows: Sequence[Any], targets: Sequence[Any]) -> float:
        terms = [loss(model(row), target) for row, target in zip(rows, targets)]
        bad = next((t for t in terms if not isinstance(t, Value)), None)
        if bad is not None:
            raise TypeError(f"the loss must return a Value (to backpropagate), got {type(bad).__name__} ({bad!r})")
        mean = summation(terms) * (1.0 / len(terms))
        mean.backward()
        return float(mean.data)

    return mean_loss


def train_step(objective: Objective, rows: Sequence[Any], targets: Sequence[Any], optimizer: Any,
               params: list[Value], l2: float = 0.0) -> float:
    """One optimisation step on a batch: the objective's gradient (+ ``l2 * sum w^2``'s), then the update.

    Args:
        objective: ``(rows, targets) -> mean loss`` that adds its gradient to ``.grad`` (``dynamic_objective``,
            or ``CompiledLoss.value_and_grad``).
        rows, targets: the batch.
        optimizer: has ``zero_grad()`` and ``step()`` over ``params``.
        params: the model's parameters (the L2 penalty sums their squares).
        l2: weight of the L2 penalty.

    Returns:
        the batch's objective (before the update).

    Raises:
        FloatingPointError: the loss or a gradient is not finite, or the update would make a parameter so (a
            Value refuses a NaN or an infinity, so the update stops at that parameter).

    >>> from nn import optim
    >>> w = Value(1.0); sgd = optim.SGD([w], lr=0.25)
    >>> train_step(dynamic_objective(lambda row: w * row[0], losses.mse), [[1.0]], [0.0], sgd, [w]), w.data
    (1.0, 0.5)
    """
    optimizer.zero_grad()
    value = objective(rows, targets)
    if l2:
        penalty = losses.l2_penalty(params, l2)
        penalty.backward()  # adds 2 * l2 * w to each parameter's .grad
        value += penalty.data
    if not math.isfinite(value):
        raise FloatingPointError(f"the loss is {value}")
    bad = next((p for p in params if not math.isfinite(p.grad)), None)
    if bad is not None:
        raise FloatingPointError(f"a gradient is not finite: {bad.label or 'a parameter'} has grad {bad.grad} "
                                 f"(the loss is {value:.6g})")
    try:
        optimizer.step()
    except NotFinite as error:  # a Value refuses a NaN or an infinity: the update overflowed
        raise FloatingPointError(f"the update made a parameter not finite: {error} (the learning rate "
                                 f"{getattr(optimizer, 'lr', '?')})") from None
    return value
