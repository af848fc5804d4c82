"""The compiled batched path: the graph of one example, traced once, replayed with numpy on a batch.

``compile_graph(fn, examples)`` runs ``fn`` once on Values and groups the nodes of its graph into
array steps, one lane per example: the nodes with the same rule at the same depth become one numpy
call, and a layer of dot products over the same inputs becomes one matrix product. Forward and backward
read the rule table (``array_value``, ``array_partials``); gradients equal the dynamic engine's summed
over the batch. A graph whose shape or constants depend on the data is refused with ``NotCompilable``.
``compile_loss(model, loss, X, T)`` does the same for a model and a loss, the targets fed as inputs:
it is what ``fit(..., compiled=True)`` uses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import value as value_module
from .functions import dot, summation
from .operand import check_number, is_number, not_finite
from .ops import CONSTANT, RULES, Rule
from .value import Value, apply_rule

__all__ = ["NotCompilable", "CompiledGraph", "compile_graph", "CompiledLoss", "compile_loss", "LANE_LOSSES"]

_DOT = RULES["dot"]
_SUM = RULES["sum"]
_SOFTPLUS = RULES["softplus"]


class NotCompilable(ValueError):
    """The graph cannot be replayed: its shape or its constants depend on the example."""


def _refuse_comparison(node: Value, op: str, other: Any) -> None:
    raise NotCompilable(f"a Value was compared ({node!r} {op} {other!r}) while tracing: Python branches on "
                        "the data there, so each example may need a different graph; compile cannot replay it "
                        "(use a rule such as relu, abs or hardtanh instead of an if)")


def _trace(fn: Callable[..., Any], example: Sequence[float]) -> tuple[list[Value], list[Value], list[Value]]:
    """Run ``fn`` on Values made from ``example``: (inputs, outputs, every node in creation order)."""
    inputs = [Value(check_number(x, f"example[{i}]"), label=f"x{i + 1}") for i, x in enumerate(example)]
    previous, value_module.compare_hook = value_module.compare_hook, _refuse_comparison
    try:
        result = fn(*inputs)
    finally:
        value_module.compare_hook = previous
    items = list(result) if isinstance(result, (list, tuple)) else [result]
    if not items:
        raise TypeError("fn must return a Value or a non-empty list of Values, got an empty sequence")
    outputs = []
    for item in items:
        if isinstance(item, Value):
            outputs.append(item)
        elif is_number(item):  # an output that ignores the inputs: a constant
            outputs.append(Value(item))
            outputs[-1].rule = CONSTANT
        else:
            raise TypeError(f"fn must return a Value or a list of Values, got {type(item).__name__}")
    seen = set(outputs)
    found = list(seen)
    for node in found:  # every node the outputs depend on; the loop visits what it appends
        for parent in node.parents:
            if parent not in seen:
                seen.add(parent)
                found.append(parent)
    found.sort(key=lambda n: n._seq)
    return inputs, outputs, found


def _signature(inputs: list[Value], outputs: list[Value], order: list[Value]) -> list[tuple[Any, ...]]:
    """The shape of a traced graph, position by position: what a second trace must reproduce."""
    where = {node: i for i, node in enumerate(order)}
    slot = {x: i for i, x in enumerate(inputs)}
    shape: list[tuple[Any, ...]] = []
    for node in order:
        if node in slot:
            shape.append(("input", slot[node]))
        elif node.rule is CONSTANT:
            shape.append(("constant", node.data))
        elif node.rule is None:
            shape.append(("parameter", id(node)))
        else:
            shape.append((node.rule, tuple(where[p] for p in node.parents)))
    shape.append(("outputs", tuple(where[o] for o in outputs)))
    return shape


def _compare(first: list[tuple[Any, ...]], second: list[tuple[Any, ...]], order: list[Value]) -> None:
    for i, (a, b) in enumerate(zip(first, second)):
        if a == b:
            continue
        if a[0] == b[0] == "constant":
            raise NotCompilable(f"node {i + 1} is the constant {a[1]!r} for the first example but {b[1]!r} for "
                                "another: it was computed from the data (float() or .data of a Value), which a "
                                "replay cannot follow; write it with Value operations")
        if a[0] == b[0] == "parameter":
            raise NotCompilable(f"node {i + 1} is a new Value leaf each time fn runs (Value(...) inside fn): make "
                                "parameters once, outside fn, and write constants as plain numbers")
        raise NotCompilable(f"the graph differs between examples at node {i + 1} ({_describe(a)} vs "
                            f"{_describe(b)}): its shape depends on the data (a Python branch or loop on "
                            "values), so it cannot be compiled")
    if len(first) != len(second):
        raise NotCompilable(f"the graph has {len(first) - 1} nodes for the first example but {len(second) - 1} "
                            "for another: its shape depends on the data, so it cannot be compiled")


def _describe(entry: tuple[Any, ...]) -> str:
    if isinstance(entry[0], Rule):
        return f"{entry[0].title} of nodes {', '.join(str(p + 1) for p in entry[1])}"
    return f"{entry[0]} {entry[1]!r}" if entry[0] != "parameter" else "a parameter"


class _Step:
    """One numpy call: ``rule`` on ``rows`` nodes at once (``dense``: a matrix product of dot nodes)."""

    def __init__(self, rule: Rule, lane: bool, rows: slice, parents: np.ndarray, lanes: list[bool]) -> None:
        self.rule, self.lane, self.rows, self.lanes = rule, lane, rows, lanes
        self.size = rows.stop - rows.start
        self.columns = [_Column(parents[:, j], lanes[j]) for j in range(parents.shape[1])]
        self.dense = False
        # Set when the rule has no numpy version and its float functions fail on arrays.
        self.loop_value = self.loop_partials = False
        # sum and dot over lanes only: all operands gathered in one (nodes, operands, lanes) array
        self.stacked = rule in (_SUM, _DOT) and all(lanes) and len(lanes) > 2
        if self.stacked:
            self.matrix = parents
            self.matrix_unique = len(np.unique(parents)) == parents.size
        n = len(lanes) // 2
        if rule is _DOT and lane and len(set(lanes[:n])) == len(set(lanes[n:])) == 1 and lanes[0] != lanes[n]:
            shared = parents[:, n:] if lanes[n] else parents[:, :n]
            if (shared == shared[0]).all():  # every node reads the same inputs: a layer, W @ x
                self.dense = True
                self.weights = parents[:, :n] if lanes[n] else parents[:, n:]
                self.weights_unique = len(np.unique(self.weights)) == self.weights.size
                self.inputs = _Column(shared[0], True)

    def gather(self, V: np.ndarray, U: np.ndarray) -> list[Any]:
        return [c.read(V, U, self.lane) for c in self.columns]

    def value(self, V: np.ndarray, U: np.ndarray) -> Any:
        if self.dense:
            return U[self.weights] @ self.inputs.read(V, U, True)
        if self.stacked:
            X = V[self.matrix]
            if self.rule is _SUM:
                return X.sum(axis=1)
            n = X.shape[1] // 2
            return np.einsum("gib,gib->gb", X[:, :n], X[:, n:])
        xs = self.gather(V, U)
        if not self.loop_value:
            try:
                return self.rule.array_value(*xs)
            except (TypeError, ValueError):
                if self.rule.array_value is not self.rule.value:
                    raise
                self.loop_value = True  # a float-only rule: element by element from now on
        return _elementwise(self.rule.value, xs, 1)[0]

    def partials(self, out: Any, xs: list[Any]) -> Any:
        if not self.loop_partials:
            try:
                return self.rule.array_partials(out, *xs)
            except (TypeError, ValueError):
                if self.rule.array_partials is not self.rule.partials:
                    raise
                self.loop_partials = True
        return _elementwise(self.rule.partials, [out, *xs], len(xs))


class _Column:
    """Where one operand of a step's nodes lives: rows of the lane table V or the uniform table U."""

    def __init__(self, rows: np.ndarray, lane: bool) -> None:
        self.lane, self.rows = lane, rows
        contiguous = len(rows) > 0 and bool((np.diff(rows) == 1).all())
        self.slice = slice(int(rows[0]), int(rows[-1]) + 1) if contiguous else None
        self.unique = len(np.unique(rows)) == len(rows)

    def read(self, V: np.ndarray, U: np.ndarray, lane_step: bool) -> Any:
        if self.lane:
            return V[self.slice] if self.slice is not None else V[self.rows]
        values = U[self.rows]
        return values[:, None] if lane_step else values

    def add(self, V_bar: np.ndarray, U_bar: np.ndarray, contribution: Any, lane_step: bool) -> None:
        if not self.lane:
            table = U_bar
            if lane_step:  # a uniform operand (a weight) feeds every lane: its adjoint is their sum
                contribution = np.broadcast_to(contribution, (len(self.rows), V_bar.shape[1])).sum(axis=1)
        else:
            table = V_bar
        if self.slice is not None:
            table[self.slice] += contribution
        elif self.unique:
            table[self.rows] += contribution
        else:  # a node feeding several nodes of this step: += on repeated indices would count it once
            np.add.at(table, self.rows, np.broadcast_to(contribution, (len(self.rows),) + table.shape[1:]))


class CompiledGraph:
    """A traced graph, replayed with numpy on a batch (one lane per example).

    Attributes:
        n_inputs, n_outputs: the numbers ``fn`` takes and returns.
        parameters: the leaves that are neither inputs nor constants (a model's weights), in creation
            order; their ``.data`` is read afresh at every call, and gradients are added to their ``.grad``.
        n_nodes, n_steps: nodes in the graph, numpy steps in a replay.
    """

    def __init__(self, inputs: list[Value], outputs: list[Value], order: list[Value]) -> None:
        where = {node: i for i, node in enumerate(order)}
        slot = {x: i for i, x in enumerate(inputs)}
        lane = [False] * len(order)
        level = [0] * len(order)
        row: list[int] = [0] * len(order)
        self.parameters: list[Value] = []
        constants: list[int] = []
        groups: dict[tuple[Any, ...], list[int]] = {}
        for i, node in enumerate(order):
            if node in slot:
                lane[i], row[i] = True, slot[node]
            elif not node.parents:
                if node.rule is CONSTANT:
                    constants.append(i)
                else:
                    row[i] = len(self.parameters)
                    self.parameters.append(node)
            else:
                parents = [where[p] for p in node.parents]
                lanes = tuple(lane[p] for p in parents)
                lane[i] = any(lanes)
                level[i] = 1 + max(level[p] for p in parents)
                key: tuple[Any, ...] = (level[i], lane[i], node.rule, lanes)
                if node.rule is _DOT and lane[i]:  # a layer: dot nodes reading the same inputs
                    n = len(parents) // 2
                    key += (tuple(parents[n:] if lanes[n] else parents[:n]),)
                groups.setdefault(key, []).append(i)
        for j, i in enumerate(constants):
            row[i] = len(self.parameters) + j
        n_lane, n_uniform = len(inputs), len(self.parameters) + len(constants)
        self.steps: list[_Step] = []
        for key in sorted(groups, key=lambda k: (k[0], groups[k][0])):
            members = groups[key]
            start = n_lane if key[1] else n_uniform
            for k, i in enumerate(members):
                row[i] = start + k
            if key[1]:
                n_lane += len(members)
            else:
                n_uniform += len(members)
            matrix = np.array([[row[where[p]] for p in order[i].parents] for i in members], dtype=np.intp)
            self.steps.append(_Step(key[2], key[1], slice(start, start + len(members)), matrix, list(key[3])))
        self._n_lane = n_lane
        self._uniform_start = np.zeros(n_uniform)  # parameters, constants, then nodes of them alone
        self._uniform_start[len(self.parameters):len(self.parameters) + len(constants)] = [
            order[i].data for i in constants]
        self._outputs = [(lane[where[o]], row[where[o]]) for o in outputs]
        self.n_inputs, self.n_outputs = len(inputs), len(outputs)
        self.n_nodes, self.n_steps = len(order), len(self.steps)
        self._self_check(inputs, order, lane, row)

    def __repr__(self) -> str:
        return (f"CompiledGraph({self.n_inputs} inputs, {self.n_outputs} outputs, {len(self.parameters)} "
                f"parameters, {self.n_nodes} nodes in {self.n_steps} numpy steps)")

    def _self_check(self, inputs: list[Value], order: list[Value], lane: list[bool], row: list[int]) -> None:
        """Replay the traced example and compare every node with the trace: the array rules must agree."""
        V, U = self._forward(np.array([[x.data for x in inputs]]))
        for i, node in enumerate(order):
            replayed = V[row[i], 0] if lane[i] else U[row[i]]
            if not abs(replayed - node.data) <= 1e-9 * max(1.0, abs(node.data)):
                raise NotCompilable(f"the numpy version of {node.rule.title if node.rule else 'an input'} gives "
                                    f"{replayed!r} where the traced graph has {node.data!r}: check the rule's "
                                    "array_value")

    # ---- forward ---------------------------------------------------------------------------------

    def _batch(self, X: Any) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        if X.ndim == 1 and self.n_inputs == 1:
            X = X[:, None]
        if X.ndim != 2 or X.shape[1] != self.n_inputs or len(X) == 0:
            raise ValueError(f"expected a batch of shape (examples, {self.n_inputs}), got shape {X.shape}")
        if not np.isfinite(X).all():
            bad = int(np.argwhere(~np.isfinite(X))[0][0])
            raise ValueError(f"example {bad} of the batch is not finite: {X[bad].tolist()}")
        return X

    def _forward(self, X: np.ndarray, checked: bool = False) -> tuple[np.ndarray, np.ndarray]:
        V = np.empty((self._n_lane, len(X)))
        V[:self.n_inputs] = X.T
        U = self._uniform_start.copy()
        U[:len(self.parameters)] = [p.data for p in self.parameters]
        with np.errstate(all="ignore"):  # a non-finite result is found below and explained per example
            for step in self.steps:
                try:
                    out = step.value(V, U)
                except (ArithmeticError, ValueError):
                    self._explain(step, V, U)
                    raise
                table = V if step.lane else U
                table[step.rows] = out
                if checked and not np.isfinite(table[step.rows]).all():
                    self._explain(step, V, U)
                    raise FloatingPointError(f"{step.rule.title}: a result is not finite in this batch")
        if not checked and not (np.isfinite(V).all() and np.isfinite(U).all()):
            return self._forward(X, checked=True)
        return V, U

    def _explain(self, step: _Step, V: np.ndarray, U: np.ndarray) -> None:
        """Raise the dynamic engine's error for the first example and node of ``step`` that fails."""
        xs = step.gather(V, U)
        shape = (step.size, V.shape[1]) if step.lane else (step.size,)
        columns = [np.broadcast_to(x, shape) for x in xs]
        for index in np.ndindex(*shape[::-1]):
            args = [float(c[index[::-1]]) for c in columns]
            where = f"example {index[0]} of the batch: " if step.lane else ""
            try:
                out = step.rule.value(*args)
                if out - out != 0.0:
                    not_finite(step.rule, args, out)
            except (ArithmeticError, ValueError) as error:
                raise type(error)(f"{where}{error}") from None

    def forward(self, X: Any) -> np.ndarray:
        """The outputs for every example: shape (examples,) for one output, else (examples, outputs).

        Args:
            X: the inputs, shape (examples, n_inputs).

        >>> g = compile_graph(lambda x, y: x * y + 1, [[2.0, 3.0]])
        >>> g.forward([[2.0, 3.0], [1.0, -1.0]]).tolist()
        [7.0, 0.0]
        """
        X = self._batch(X)
        V, U = self._forward(X)
        out = np.stack([V[r] if is_lane else np.full(len(X), U[r]) for is_lane, r in self._outputs], axis=1)
        return out[:, 0] if self.n_outputs == 1 else out

    # ---- backward --------------------------------------------------------------------------------

    def _backward(self, V: np.ndarray, U: np.ndarray, seeds: list[float], careful: bool) -> tuple[np.ndarray,
                                                                                                  np.ndarray]:
        V_bar, U_bar = np.zeros_like(V), np.zeros_like(U)
        for (is_lane, r), seed in zip(self._outputs, seeds):
            if is_lane:
                V_bar[r] += seed
            else:  # an output that is the same in every lane counts once per example
                U_bar[r] += seed * V.shape[1]
        with np.errstate(all="ignore"):
            for step in reversed(self.steps):
                out_bar = (V_bar if step.lane else U_bar)[step.rows]
                if step.dense:
                    W, X = U[step.weights], step.inputs.read(V, U, True)
                    dW = out_bar @ X.T  # summed over the lanes by the product itself
                    if step.weights_unique:
                        U_bar[step.weights] += dW
                    else:
                        np.add.at(U_bar, step.weights, dW)
                    step.inputs.add(V_bar, U_bar, W.T @ out_bar, True)
                    continue
                if step.stacked:
                    X = V[step.matrix]
                    if step.rule is _SUM:
                        contribution = np.broadcast_to(out_bar[:, None, :], X.shape)
                    else:  # d(w . x) = (x, w)
                        n = X.shape[1] // 2
                        contribution = out_bar[:, None, :] * np.concatenate([X[:, n:], X[:, :n]], axis=1)
                    if step.matrix_unique:
                        V_bar[step.matrix] += contribution
                    else:
                        np.add.at(V_bar, step.matrix, contribution)
                    continue
                xs = step.gather(V, U)
                out = (V if step.lane else U)[step.rows]
                partials = step.partials(out, xs)
                for column, partial in zip(step.columns, partials):
                    if type(partial) is float and partial == 1.0:
                        contribution = out_bar
                    else:
                        contribution = out_bar * partial
                        if careful:  # as backward(): a zero adjoint passes nothing on, not inf * 0 = NaN
                            contribution = np.where(out_bar == 0.0, 0.0, contribution)
                    column.add(V_bar, U_bar, contribution, step.lane)
        return V_bar, U_bar

    def value_and_grad(self, X: Any, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
        """The output of every example, and the gradient summed over the examples (one output only).

        ``scale * sum over examples of d out / d p`` is added to each parameter's ``.grad`` (parameters
        accumulate, as with ``backward()``); pass ``scale = 1 / len(X)`` for the mean.

        Args:
            X: the inputs, shape (examples, n_inputs).
            scale: the seed adjoint of each example's output.

        Returns:
            (outputs, shape (examples,); d out / d inputs of each example times ``scale``, shape
            (examples, n_inputs)).

        >>> w = Value(3.0)
        >>> g = compile_graph(lambda x: (w * x).tanh(), [[0.1], [0.2]])
        >>> out, dx = g.value_and_grad([[0.0], [0.0]]); (out.tolist(), dx.tolist(), w.grad)
        ([0.0, 0.0], [[3.0], [3.0]], 0.0)
        """
        if self.n_outputs != 1:
            raise ValueError(f"value_and_grad needs one output, this graph has {self.n_outputs}")
        scale = check_number(scale, "scale")
        X = self._batch(X)
        V, U = self._forward(X)
        V_bar, U_bar = self._backward(V, U, [scale], careful=False)
        n = len(self.parameters)
        if not (np.isfinite(U_bar[:n]).all() and np.isfinite(V_bar[:self.n_inputs]).all()):
            V_bar, U_bar = self._backward(V, U, [scale], careful=True)
        for p, g in zip(self.parameters, U_bar[:n].tolist()):
            p.grad += g
        is_lane, r = self._outputs[0]
        return (V[r].copy() if is_lane else np.full(len(X), U[r])), V_bar[:self.n_inputs].T.copy()


def _elementwise(function: Callable[..., Any], arrays: list[Any], count: int) -> list[np.ndarray]:
    """``function`` element by element (the slow path for a rule with no numpy version): ``count`` results."""
    shape = np.broadcast_shapes(*[np.shape(a) for a in arrays])
    flat = [np.broadcast_to(a, shape).ravel().tolist() for a in arrays]
    results = [function(*args) for args in zip(*flat)]
    if count == 1 and not isinstance(results[0], tuple):
        return [np.array(results, dtype=float).reshape(shape)]
    table = np.array(results, dtype=float).reshape(-1, count)
    return [table[:, j].reshape(shape) for j in range(count)]


def compile_graph(fn: Callable[..., Any], examples: Any) -> CompiledGraph:
    """Trace ``fn`` once and compile its graph for batches; refuse graphs that depend on the data.

    ``fn`` is traced on the first row of ``examples`` and traced again on up to two more (the second
    and the last): if the graph's shape or a constant differs, or if a Value is compared while tracing
    (a Python ``if`` on the data), ``NotCompilable`` says where. Pass rows that take different branches.

    Args:
        fn: a function of ``n`` Values returning a Value (or a list of Values).
        examples: rows of ``n`` numbers, shape (rows, n), at least one.

    Returns:
        a CompiledGraph: ``forward(X)`` and ``value_and_grad(X)``.

    >>> g = compile_graph(lambda x, y: x * y, [[1.0, 2.0], [3.0, 4.0]])
    >>> g.forward([[5.0, 6.0], [7.0, 8.0]]).tolist()
    [30.0, 56.0]
    """
    rows = np.asarray(examples, dtype=float)
    if rows.ndim != 2 or len(rows) == 0:
        raise ValueError(f"examples must be rows of inputs, shape (rows, n), got shape {rows.shape}")
    inputs, outputs, order = _trace(fn, rows[0].tolist())
    first = _signature(inputs, outputs, order)
    for i in sorted({min(1, len(rows) - 1), len(rows) - 1} - {0}):
        _compare(first, _signature(*_trace(fn, rows[i].tolist())), order)
    return CompiledGraph(inputs, outputs, order)


# ---- losses written for lanes: the targets are inputs too, so one graph serves every example ------------

def _logsumexp(zs: list[Value]) -> Value:
    """``log sum exp(z)`` as a balanced tree of ``log(e^a + e^b) = a + softplus(b - a)``: stable for any
    logits without the data-dependent max that the dynamic loss subtracts."""
    while len(zs) > 1:
        paired = [a + apply_rule(_SOFTPLUS, (b - a,)) for a, b in zip(zs[::2], zs[1::2])]
        zs = paired + zs[len(paired) * 2:]
    return zs[0]


def _clamp_rule(low: float, high: float) -> Rule:
    return Rule("clamp", 1, lambda x: min(max(x, low), high), lambda out, x: (float(low <= x <= high),),
                f"d clamp(x) = 1 if {low:g} <= x <= {high:g} else 0", params=(low, high),
                array_value=lambda x: np.clip(x, low, high),
                array_partials=lambda out, x: (((x >= low) & (x <= high)).astype(float),))


_BCE_CLAMP = _clamp_rule(1e-6, 1.0 - 1e-6)  # nn.losses' clamp of probabilities (eps = 1e-6)

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
