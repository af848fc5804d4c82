"""Compiled losses: ``loss(model(x), t)`` as one graph with the targets fed as inputs, for mini-batches.

The compiled path knows no loss by name. A loss tells it what it needs through ``TracedLoss``: how targets
become rows of numbers, and the loss of one example written with Value operations that read no number of the
example, so that one graph serves every example. nn.losses' losses implement it; a plain function
``(output, target) -> Value`` works too. ``fit(..., compiled=True)`` trains through ``compile_loss``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ..value import Value
from .replay import CompiledGraph, compile_graph

__all__ = ["TracedLoss", "CompiledLoss", "compile_loss"]


@runtime_checkable
class TracedLoss(Protocol):
    """What ``compile_loss`` needs of a loss."""

    def target_rows(self, targets: Any, n_outputs: int) -> np.ndarray:
        """The targets, checked, as rows of numbers, one per example (class indices as one-hot rows, say)."""

    def traced(self, output: Any, target: Any) -> Value:
        """One example's loss. ``output`` is what the model returns (a Value or a list of Values); ``target``
        is its row of ``target_rows`` as Values (one Value when the targets were one number per example).
        Written with Value operations only: a number read from either would be the traced example's alone."""


class _Function:
    """A plain function ``(output, target) -> Value`` as a TracedLoss: its targets any numbers, as rows."""

    def __init__(self, function: Callable[[Any, Any], Any]) -> None:
        self.traced = function

    def target_rows(self, targets: Any, n_outputs: int) -> np.ndarray:
        rows = np.asarray(targets, dtype=float)
        return rows.reshape(len(rows), -1)


class CompiledLoss:
    """``loss(model(x), t)`` compiled once, for mini-batches.

    Attributes:
        graph: the CompiledGraph of one example (inputs: the features, then the target row).
        loss: the TracedLoss compiled.
        n_features, n_outputs: the model's inputs and outputs.
    """

    def __init__(self, graph: CompiledGraph, loss: TracedLoss, n_features: int, n_outputs: int) -> None:
        self.graph, self.loss, self.n_features, self.n_outputs = graph, loss, n_features, n_outputs

    def inputs(self, X: Any, T: Any) -> np.ndarray:
        """The graph's inputs for a batch: each row of features followed by its target row."""
        X = np.asarray(X, dtype=float)
        T = self.loss.target_rows(T, self.n_outputs)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"X must be rows of {self.n_features} features, got shape {X.shape}")
        if len(X) != len(T):
            raise ValueError(f"{len(X)} rows of features but {len(T)} targets")
        return np.concatenate([X, T], axis=1)

    def value_and_grad(self, X: Any, T: Any) -> float:
        """The mean loss over the batch; its gradient is added to the parameters' ``.grad``."""
        values, _ = self.graph.value_and_grad(self.inputs(X, T), 1.0 / len(X))
        return float(values.mean())

    def losses(self, X: Any, T: Any) -> np.ndarray:
        """The loss of each example (a forward pass only)."""
        return self.graph.forward(self.inputs(X, T))


def compile_loss(model: Callable[[list[Value]], Any], loss: TracedLoss | Callable[[Any, Any], Any], X: Any,
                 T: Any) -> CompiledLoss:
    """Compile ``loss(model(x), t)`` for batches, tracing it on the first rows of ``X`` and ``T``.

    Args:
        model: maps a list of Values (one example's features) to a Value or a list of Values.
        loss: a TracedLoss (each loss of ``nn.losses``) or a function ``(output, target) -> Value`` of one
            example, called with the target as a Value (a list of Values for a row of targets).
        X: features, shape (examples, features).
        T: targets, as the loss accepts them (its ``target_rows``).

    Returns:
        a CompiledLoss.

    >>> w = Value(0.5)
    >>> c = compile_loss(lambda xs: w * xs[0], lambda out, t: (out - t) ** 2, [[1.0], [2.0]], [1.0, 1.0])
    >>> c.value_and_grad([[1.0], [2.0]], [1.0, 1.0]), w.grad  # mean of (0.5 - 1)^2 and (1 - 1)^2
    (0.125, -0.5)
    """
    if isinstance(loss, str):
        raise TypeError(f"compile_loss takes a loss, not a name ({loss!r}): pass nn.losses.{loss} or a function "
                        "(output, target) -> Value")
    if not isinstance(loss, TracedLoss):
        if not callable(loss):
            raise TypeError(f"loss must be a TracedLoss or a function (output, target) -> Value, got "
                            f"{type(loss).__name__}")
        loss = _Function(loss)
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or len(X) == 0:
        raise ValueError(f"X must be rows of features, shape (examples, features), got shape {X.shape}")
    n_features = X.shape[1]
    first = model([Value(x) for x in X[0].tolist()])
    n_outputs = len(first) if isinstance(first, (list, tuple)) else 1
    T_rows = loss.target_rows(T, n_outputs)
    if len(T_rows) != len(X):
        raise ValueError(f"{len(X)} rows of features but {len(T_rows)} targets")
    one_number = np.ndim(T) == 1 and T_rows.shape[1] == 1
    traced = loss.traced

    def one_example(*values: Value) -> Value:
        targets = list(values[n_features:])
        result = traced(model(list(values[:n_features])), targets[0] if one_number else targets)
        if not isinstance(result, Value):
            raise TypeError(f"the loss must return a Value (to backpropagate), got {type(result).__name__} "
                            f"({result!r})")
        return result

    graph = compile_graph(one_example, np.concatenate([X, T_rows], axis=1))
    return CompiledLoss(graph, loss, n_features, n_outputs)
