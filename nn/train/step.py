"""One training step, for both paths: an objective's mean loss and gradient, the L2 penalty, the update.

An objective maps a batch to its mean loss and adds that loss's gradient to the parameters' ``.grad``: the
dynamic one (``dynamic_objective``) builds a graph per row and backpropagates it once, the compiled one
(``CompiledLoss.value_and_grad``) replays one traced graph on the whole batch. ``train_step`` takes either and
stops at a loss, gradient or parameter that is not finite. ``ArrayTraining`` is the same step for a compiled fit
with its parameters kept in one array: the replay's gradient and the optimiser's ``update`` on whole arrays, the
Values written only when ``settle()`` is called.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd import summation
from autograd.compiled import CompiledLoss
from autograd.finite import NotFinite, check_number
from autograd.value import Value

from .. import losses, optim

__all__ = ["train_step", "dynamic_objective", "learning_rate", "TrainingDiverged", "Objective", "ArrayTraining"]

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
    _check_finite(value, [p.grad for p in params], params)
    try:
        optimizer.step()
    except NotFinite as error:  # the update overflowed (a Value refuses a NaN or an infinity)
        raise _overflowed(error, optimizer) from None
    return value


def _check_finite(value: float, grads: Sequence[float], params: list[Value]) -> None:
    if not math.isfinite(value):
        raise FloatingPointError(f"the loss is {value}")
    bad = next((i for i, g in enumerate(grads) if not math.isfinite(g)), None)
    if bad is not None:
        raise FloatingPointError(f"a gradient is not finite: {params[bad].label or 'a parameter'} has grad "
                                 f"{grads[bad]} (the loss is {value:.6g})")


def _overflowed(error: NotFinite, optimizer: Any) -> FloatingPointError:
    return FloatingPointError(f"the update made a parameter not finite: {error} (the learning rate "
                              f"{getattr(optimizer, 'lr', '?')})")


class ArrayTraining:
    """The compiled fit's step with the parameters in one array between steps (no Value read or written):
    ``step(inputs)`` replays the compiled loss on a batch of its inputs (``CompiledLoss.inputs``), adds the L2
    penalty's gradient and calls the optimiser's ``update``; ``settle()`` writes the numbers (and the last
    gradients) back to the Values.

    Used for an optimiser of ``nn.optim`` on exactly the model's parameters (``applies``); any other optimiser
    takes ``train_step``'s way through the Values.

    >>> from autograd.compiled import compile_loss
    >>> w = Value(1.0); c = compile_loss(lambda xs: w * xs[0], losses.mse, [[1.0]], [0.0])
    >>> t = ArrayTraining(c, optim.SGD([w], lr=0.25), [w], l2=0.0)
    >>> t.step(c.inputs([[1.0]], [0.0])), w.data, (t.settle(), w.data)[1]
    (1.0, 1.0, 0.5)
    """

    def __init__(self, compiled: CompiledLoss, optimizer: optim.Optimizer, params: list[Value], l2: float) -> None:
        self.compiled, self.optimizer, self.params, self.l2 = compiled, optimizer, params, l2
        graph = compiled.graph
        position = {id(p): i for i, p in enumerate(params)}
        where = [position.get(id(p), -1) for p in graph.parameters]
        # the graph's parameters that are the model's (others, Values captured from outside, stay as they are)
        self.ours = np.array([i >= 0 for i in where], dtype=bool)
        self.take = np.array([i for i in where if i >= 0], dtype=np.intp)
        self.same = where == list(range(len(params)))  # the usual case: the same list, no gather
        self.data = np.array([p.data for p in params], dtype=float)
        self.grad = np.zeros(len(params))
        self.graph_weights = graph.weights()
        self.unsettled = False

    @staticmethod
    def applies(optimizer: Any, params: list[Value]) -> bool:
        """True when ``optimizer`` is one of nn.optim's (its ``step`` is ``update`` on arrays) over ``params``."""
        return isinstance(optimizer, optim.Optimizer) and type(optimizer).step is optim.Optimizer.step and \
            len(optimizer.params) == len(params) and all(a is b for a, b in zip(optimizer.params, params))

    def step(self, inputs: np.ndarray) -> float:
        """One step on a batch (each row: features, then the target row): its mean loss (+ the penalty), before
        the update."""
        graph = self.compiled.graph
        if self.same:
            weights = self.data
        else:
            weights = self.graph_weights
            weights[self.ours] = self.data[self.take]
        outputs, dW, _ = graph.gradient(inputs, weights, 1.0 / len(inputs))
        value = float(outputs.mean())
        if self.same:
            grad = dW
        else:
            grad = np.zeros(len(self.params))
            grad[self.take] = dW[self.ours]
        if self.l2:
            penalty = self.l2 * self.data  # as backward() adds it: once for each operand of the dot w . w
            grad = grad + penalty + penalty
            value += sum((self.data * self.data).tolist()) * self.l2
        self.grad = grad
        self.unsettled = True
        _check_finite(value, grad.tolist(), self.params)
        try:
            self.data = self.optimizer.update(self.data, grad)
        except NotFinite as error:
            raise _overflowed(error, self.optimizer) from None
        return value

    def settle(self) -> None:
        """Write the parameters' numbers and last gradients back to their Values (after an epoch, at the end)."""
        if self.unsettled:
            for p, x, g in zip(self.params, self.data.tolist(), self.grad.tolist()):
                p.data, p.grad = x, g
            self.unsettled = False
