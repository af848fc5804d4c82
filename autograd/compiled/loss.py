"""Compiled losses: ``loss(model(x), t)`` as one graph with the targets fed as inputs, for mini-batches.

``LANE_LOSSES`` writes nn.losses' losses so that one graph serves every example; ``fit(..., compiled=True)``
trains through ``compile_loss``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..functions import dot, summation
from ..rule import RULES
from ..value import Value, apply_rule
from .replay import CompiledGraph, compile_graph

__all__ = ["CompiledLoss", "compile_loss", "LANE_LOSSES"]

_SOFTPLUS = RULES["softplus"]


def _logsumexp(zs: list[Value]) -> Value:
    """``log sum exp(z)`` as a balanced tree of ``log(e^a + e^b) = a + softplus(b - a)``: stable for any
    logits without the data-dependent max that the dynamic loss subtracts."""
    while len(zs) > 1:
        paired = [a + apply_rule(_SOFTPLUS, (b - a,)) for a, b in zip(zs[::2], zs[1::2])]
        zs = paired + zs[len(paired) * 2:]
    return zs[0]


_BCE_CLAMP = RULES["clamp"].bind(1e-6, 1.0 - 1e-6)  # nn.losses' clamp of probabilities (eps = 1e-6)

# name -> (outputs, targets) -> the loss of one example; the targets arrive as Values, one per output
# (cross_entropy: the one-hot row). Each equals the nn.losses function of the same name on one row.
LANE_LOSSES: dict[str, Callable[[list[Value], list[Value]], Value]] = {
    "mse": lambda zs, ts: summation([(z - t) ** 2 for z, t in zip(zs, ts)]) * (1.0 / len(zs)),
    "hinge": lambda zs, ts: (1.0 - ts[0] * zs[0]).relu(),
    "bce": lambda zs, ts: -(ts[0] * apply_rule(_BCE_CLAMP, (zs[0],)).log()
                            + (1.0 - ts[0]) * (1.0 - apply_rule(_BCE_CLAMP, (zs[0],))).log()),
    "bce_logits": lambda zs, ts: zs[0].softplus() - ts[0] * zs[0],
    "cross_entropy": lambda zs, ts: _logsumexp(zs) - dot(ts, zs),
}


def _target_rows(T: Any, one_hot: bool, n_outputs: int) -> np.ndarray:
    T = np.asarray(T, dtype=float)
    if one_hot and T.ndim == 1:
        labels = T.astype(np.intp)
        if (labels != T).any() or labels.min() < 0 or labels.max() >= n_outputs:
            raise ValueError(f"class labels must be 0 .. {n_outputs - 1}, got {np.unique(T)[:5].tolist()}")
        return np.eye(n_outputs)[labels]
    return T.reshape(len(T), -1)


class CompiledLoss:
    """``loss(model(x), t)`` compiled once, for mini-batches: ``value_and_grad(X, T)`` and ``train_step``.

    Attributes:
        graph: the CompiledGraph of one example (inputs: the features, then the targets).
        n_outputs: the model's outputs.
    """

    def __init__(self, graph: CompiledGraph, n_features: int, n_outputs: int, one_hot: bool) -> None:
        self.graph, self.n_features, self.n_outputs, self.one_hot = graph, n_features, n_outputs, one_hot

    def targets(self, T: Any) -> np.ndarray:
        """Targets as rows of numbers, one per output (class indices become one-hot rows)."""
        return _target_rows(T, self.one_hot, self.n_outputs)

    def value_and_grad(self, X: Any, T: Any) -> float:
        """The mean loss over the batch; its gradient is added to the parameters' ``.grad``."""
        X = np.asarray(X, dtype=float)
        T = self.targets(T)
        if len(X) != len(T):
            raise ValueError(f"{len(X)} rows of features but {len(T)} targets")
        values, _ = self.graph.value_and_grad(np.concatenate([X.reshape(len(X), -1), T], axis=1), 1.0 / len(X))
        return float(values.mean())

    def train_step(self, model: Any, rows: Sequence[Any], targets: Sequence[Any], loss_fn: Any, optimizer: Any,
                   params: list[Value], l2: float = 0.0) -> float:
        """``nn.train.train_step`` on the compiled graph (same arguments; ``model`` and ``loss_fn`` were
        compiled already): mean loss plus ``l2 * sum w^2``, gradients, one optimiser step."""
        optimizer.zero_grad()
        objective = self.value_and_grad(rows, targets)
        if l2:
            objective += l2 * sum(p.data * p.data for p in params)
            for p in params:
                p.grad += 2.0 * l2 * p.data
        if not np.isfinite(objective):
            raise FloatingPointError(f"the loss is {objective}")
        if not all(np.isfinite([p.grad for p in params])):
            raise FloatingPointError(f"a gradient is not finite (the loss is {objective:.6g})")
        optimizer.step()
        return objective


def compile_loss(model: Callable[[list[Value]], Any], loss: str | Callable[..., Any], X: Any, T: Any) -> CompiledLoss:
    """Compile ``loss(model(x), t)`` for batches, tracing it on the first rows of ``X`` and ``T``.

    Args:
        model: maps a list of Values (one example's features) to a Value or a list of Values.
        loss: a name in ``LANE_LOSSES`` or a function ``(output, target) -> Value`` of one example,
            called as ``fit`` calls it but with the target as a Value (a list of Values for a row).
        X: features, shape (examples, features); at least two rows, to detect data-dependent graphs.
        T: targets: one number per row, rows of numbers, or class indices for ``"cross_entropy"``.

    Returns:
        a CompiledLoss.

    >>> w = Value(0.5)
    >>> c = compile_loss(lambda xs: w * xs[0], "mse", [[1.0], [2.0]], [1.0, 1.0])
    >>> c.value_and_grad([[1.0], [2.0]], [1.0, 1.0]), w.grad  # mean of (0.5 - 1)^2 and (1 - 1)^2
    (0.125, -0.5)
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or len(X) == 0:
        raise ValueError(f"X must be rows of features, shape (examples, features), got shape {X.shape}")
    n_features = X.shape[1]
    first = model([Value(x) for x in X[0].tolist()])
    n_outputs = len(first) if isinstance(first, (list, tuple)) else 1
    if isinstance(loss, str):
        if loss not in LANE_LOSSES:
            raise ValueError(f"unknown loss {loss!r} for compiling; choose one of {', '.join(LANE_LOSSES)} "
                             "or pass a function (outputs, targets) -> Value")
        lane_loss = LANE_LOSSES[loss]
    elif callable(loss):
        single_target = np.ndim(T) == 1

        def lane_loss(outputs: list[Value], targets: list[Value]) -> Value:
            # as fit calls a loss: the model's output as it returns it, a number target as one Value
            out = outputs if isinstance(first, (list, tuple)) else outputs[0]
            return loss(out, targets[0] if single_target else targets)  # type: ignore[no-any-return]
    else:
        raise TypeError(f"loss must be a name or a function, got {type(loss).__name__}")
    one_hot = loss == "cross_entropy"
    T = _target_rows(T, one_hot, n_outputs)

    def one_example(*values: Value) -> Value:
        out = model(list(values[:n_features]))
        outputs = list(out) if isinstance(out, (list, tuple)) else [out]
        return lane_loss(outputs, list(values[n_features:]))  # type: ignore[no-any-return]

    if len(T) != len(X):
        raise ValueError(f"{len(X)} rows of features but {len(T)} targets")
    graph = compile_graph(one_example, np.concatenate([X, T], axis=1))
    return CompiledLoss(graph, n_features, n_outputs, one_hot)
