"""CompiledGraph: one example's graph grouped into numpy steps (``autograd.lanes``), replayed on a batch.

``compile_graph`` traces ``fn`` (``autograd.capture``), refuses a graph that depends on the data, and compiles it.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from ..backprop import GradientNotFinite
from ..finite import check_number
from ..rule import CONSTANT, RULES
from ..value import Value
from .capture import NotCompilable, trace_example, traced_number
from .lanes import ArrayStep

__all__ = ["CompiledGraph", "compile_graph"]

_DOT = RULES["dot"]
_SUM = RULES["sum"]
CHUNK = 4096  # examples per pass at most: bounds the memory of the lane tables of a huge batch


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
        # whether a node's adjoint is read: it depends on a parameter, or on an input only
        to_params, to_inputs = [False] * len(order), [False] * len(order)
        row: list[int] = [0] * len(order)
        self.parameters: list[Value] = []
        constants: list[int] = []
        groups: dict[tuple[Any, ...], list[int]] = {}
        for i, node in enumerate(order):
            if node in slot:
                lane[i], row[i], to_inputs[i] = True, slot[node], True
            elif not node.parents:
                if node.rule is CONSTANT:
                    constants.append(i)
                else:
                    row[i], to_params[i] = len(self.parameters), True
                    self.parameters.append(node)
            else:
                parents = [where[p] for p in node.parents]
                lanes = tuple(lane[p] for p in parents)
                lane[i] = any(lanes)
                to_params[i] = any(to_params[p] for p in parents)
                to_inputs[i] = any(to_inputs[p] for p in parents)
                level[i] = 1 + max(level[p] for p in parents)
                key: tuple[Any, ...] = (level[i], lane[i], node.rule, lanes)
                if node.rule is _DOT and lane[i]:  # a layer: dot nodes reading the same inputs
                    n = len(parents) // 2
                    key += (tuple(parents[n:] if lanes[n] else parents[:n]),)
                groups.setdefault(key, []).append(i)
        for j, i in enumerate(constants):
            row[i] = len(self.parameters) + j
        n_lane, n_uniform = len(inputs), len(self.parameters) + len(constants)
        self.steps: list[ArrayStep] = []
        for key in sorted(groups, key=lambda k: (k[0], groups[k][0])):
            members = groups[key]
            start = n_lane if key[1] else n_uniform
            for k, i in enumerate(members):
                row[i] = start + k
            if key[1]:
                n_lane += len(members)
            else:
                n_uniform += len(members)
            parents_of = [[where[p] for p in order[i].parents] for i in members]
            matrix = np.array([[row[p] for p in ps] for ps in parents_of], dtype=np.intp)
            leads = [[any(flags[ps[j]] for ps in parents_of) for j in range(len(parents_of[0]))]
                     for flags in (to_params, to_inputs)]
            self.steps.append(ArrayStep(key[2], key[1], slice(start, start + len(members)), matrix, list(key[3]),
                                        leads[0], leads[1]))
        self._n_lane = n_lane
        self._local = threading.local()  # per thread: the reused tables (``_tables``)
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
        V, U = self._forward(np.array([[traced_number(x) for x in inputs]]), self.weights())
        for i, node in enumerate(order):
            replayed, traced = (V[row[i], 0] if lane[i] else U[row[i]]), traced_number(node)
            if not abs(replayed - traced) <= 1e-9 * max(1.0, abs(traced)):
                raise NotCompilable(f"the numpy version of {node.rule.title if node.rule else 'an input'} gives "
                                    f"{replayed!r} where the traced graph has {traced!r}: check the rule's "
                                    "array_value")

    def weights(self) -> np.ndarray:
        """The parameters' numbers, read from their Values now, in the order of ``parameters``."""
        return np.array([p.data for p in self.parameters], dtype=float)

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

    def _weights(self, weights: Any) -> np.ndarray:
        W = np.asarray(weights, dtype=float)
        if W.shape != (len(self.parameters),):
            raise ValueError(f"weights must be one number per parameter, shape ({len(self.parameters)},), got "
                             f"shape {W.shape}")
        return W

    def _tables(self, lanes: int) -> tuple[np.ndarray, np.ndarray]:
        """This thread's lane table and its adjoints for ``lanes`` examples, reused from call to call (a fresh
        megabyte each call costs more than the arithmetic of a small batch)."""
        tables = self._local.__dict__.setdefault("tables", {})
        if lanes not in tables:
            if len(tables) > 3:
                tables.clear()
            tables[lanes] = (np.empty((self._n_lane, lanes)), np.empty((self._n_lane, lanes)))
        return tables[lanes]

    def _forward(self, X: np.ndarray, W: np.ndarray, first: int = 0,
                 checked: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Every node's number for the examples ``X`` (rows ``first ...`` of the caller's batch)."""
        V = self._tables(len(X))[0]
        V[:self.n_inputs] = X.T
        U = self._uniform_start.copy()
        U[:len(self.parameters)] = W
        with np.errstate(all="ignore"):  # a non-finite result is found below and explained per example
            for step in self.steps:
                try:
                    out = step.value(V, U)
                except (ArithmeticError, ValueError):
                    self._explain(step, V, U, first)
                    raise
                table = V if step.lane else U
                if not step.dense:  # a dense step wrote its product into the table
                    table[step.rows] = out
                if checked and not np.isfinite(table[step.rows]).all():
                    self._explain(step, V, U, first)
                    raise FloatingPointError(f"{step.rule.title}: a result is not finite in this batch")
        # one sum finds any NaN or infinity (a sum that overflows only sends us the careful way for nothing)
        if not checked and not math.isfinite(V.sum() + U.sum()):
            return self._forward(X, W, first, checked=True)
        return V, U

    def _explain(self, step: ArrayStep, V: np.ndarray, U: np.ndarray, first: int) -> None:
        """Raise the dynamic engine's error for the first example and node of ``step`` that fails."""
        xs = step.gather(V, U)
        shape = (step.size, V.shape[1]) if step.lane else (step.size,)
        columns = [np.broadcast_to(x, shape) for x in xs]
        for index in np.ndindex(*shape[::-1]):
            args = [float(c[index[::-1]]) for c in columns]
            where = f"example {first + index[0]} of the batch: " if step.lane else ""
            try:
                out = step.rule.value(*args)
            except (ArithmeticError, ValueError) as error:
                raise type(error)(f"{where}{step.rule.refuse(args, error=error)}") from None
            if out - out != 0.0:
                refused = step.rule.refuse(args, out)
                raise type(refused)(f"{where}{refused}") from None

    def _outputs_of(self, V: np.ndarray, U: np.ndarray) -> np.ndarray:
        lanes = V.shape[1]
        return np.stack([V[r] if is_lane else np.full(lanes, U[r]) for is_lane, r in self._outputs], axis=1)

    def forward(self, X: Any, weights: Any = None) -> np.ndarray:
        """The outputs for every example: shape (examples,) for one output, else (examples, outputs).

        Args:
            X: the inputs, shape (examples, n_inputs).
            weights: the parameters' numbers (default: read from their Values), as ``weights()`` gives them.

        >>> g = compile_graph(lambda x, y: x * y + 1, [[2.0, 3.0]])
        >>> g.forward([[2.0, 3.0], [1.0, -1.0]]).tolist()
        [7.0, 0.0]
        """
        X = self._batch(X)
        W = self.weights() if weights is None else self._weights(weights)
        out = np.concatenate([self._outputs_of(*self._forward(X[i:i + CHUNK], W, i))
                              for i in range(0, len(X), CHUNK)])
        return out[:, 0] if self.n_outputs == 1 else out

    # ---- backward --------------------------------------------------------------------------------

    def _backward(self, V: np.ndarray, U: np.ndarray, seed: float, careful: bool, inputs: bool,
                  first: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """Every node's adjoint (those that lead to a parameter, or also to an input if ``inputs``). ``careful``:
        the second pass after a non-finite gradient, which skips zero adjoints as backward() does and refuses
        the first contribution that is still not finite."""
        V_bar, U_bar = self._tables(V.shape[1])[1], np.zeros_like(U)
        V_bar.fill(0.0)
        is_lane, r = self._outputs[0]
        if is_lane:
            V_bar[r] += seed
        else:  # an output that is the same in every lane counts once per example
            U_bar[r] += seed * V.shape[1]
        with np.errstate(all="ignore"):
            for step in reversed(self.steps):
                if not (step.to_params or inputs and step.to_inputs):
                    continue  # no adjoint of its operands is read
                out_bar = (V_bar if step.lane else U_bar)[step.rows]
                if step.dense:
                    X = step.inputs.read(V, U, True)
                    dW = out_bar @ X.T  # summed over the lanes by the product itself
                    if careful:
                        self._refuse_non_finite(step, "its weights", dW, first)
                    step.weights.add(U_bar, dW)
                    if step.inputs.to_params or inputs and step.inputs.to_inputs:
                        dX = step.weights.read(U).T @ out_bar
                        if careful:
                            self._refuse_non_finite(step, "its inputs", dX, first)
                        step.inputs.add(V_bar, U_bar, dX, True)
                    continue
                if step.stacked:
                    X = V[step.matrix]
                    if step.rule is _SUM:
                        contribution = np.broadcast_to(out_bar[:, None, :], X.shape)
                    else:  # d(w . x) = (x, w)
                        n = X.shape[1] // 2
                        contribution = out_bar[:, None, :] * np.concatenate([X[:, n:], X[:, :n]], axis=1)
                    if careful:
                        self._refuse_non_finite(step, "an operand", contribution, first)
                    if step.matrix_unique:
                        V_bar[step.matrix] += contribution
                    else:
                        np.add.at(V_bar, step.matrix, contribution)
                    continue
                xs = step.gather(V, U)
                out = (V if step.lane else U)[step.rows]
                partials = step.partials(out, xs)
                for j, (column, partial) in enumerate(zip(step.columns, partials)):
                    if not (column.to_params or inputs and column.to_inputs):
                        continue
                    if type(partial) is float and partial == 1.0:
                        contribution = out_bar
                    else:
                        contribution = out_bar * partial
                        if careful:  # as backward(): a zero adjoint passes nothing on, not inf * 0 = NaN
                            contribution = np.where(out_bar == 0.0, 0.0, contribution)
                            self._refuse_non_finite(step, f"its operand {j + 1}", contribution, first)
                    column.add(V_bar, U_bar, contribution, step.lane)
        return V_bar, U_bar

    @staticmethod
    def _refuse_non_finite(step: ArrayStep, operand: str, contribution: Any, first: int) -> None:
        """As backward(): an adjoint contribution that is NaN or infinite is refused, naming the node."""
        bad = ~np.isfinite(contribution)
        if bad.any():
            at = np.argwhere(bad)[0]
            where = f"example {first + int(at[-1])} of the batch: " if step.lane and np.ndim(contribution) > 1 else ""
            raise GradientNotFinite(f"{where}the node {step.rule.title} passes a non-finite adjoint to {operand}: the "
                                    "derivative is not a finite number there (move the point away from the edge of "
                                    "the domain)")

    def gradient(self, X: Any, weights: Any, scale: float = 1.0,
                 inputs: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """``value_and_grad`` on arrays: the parameters' numbers given, their gradient returned; no Value is read
        or written (the compiled fit keeps its parameters in arrays). One output only.

        Args:
            X: the inputs, shape (examples, n_inputs).
            weights: the parameters' numbers, in the order of ``parameters``.
            scale: the seed adjoint of each example's output.
            inputs: also return ``d out / d inputs`` of each example (else None).

        Returns:
            (outputs, shape (examples,); ``scale * sum over examples of d out / d p``, shape (parameters,);
            the input gradients, shape (examples, n_inputs), or None).

        >>> w = Value(3.0)
        >>> g = compile_graph(lambda x: w * x * x, [[1.0]])
        >>> out, dw, _ = g.gradient([[1.0], [2.0]], [0.5]); (out.tolist(), dw.tolist(), w.grad)
        ([0.5, 2.0], [5.0], 0.0)
        """
        if self.n_outputs != 1:
            raise ValueError(f"the gradient needs one output, this graph has {self.n_outputs}")
        scale = check_number(scale, "scale")
        X, W = self._batch(X), self._weights(weights)
        n = len(self.parameters)
        outputs, dW, dX = [], np.zeros(n), []
        for first in range(0, len(X), CHUNK):  # a large batch in pieces that fit the cache, summed
            V, U = self._forward(X[first:first + CHUNK], W, first)
            V_bar, U_bar = self._backward(V, U, scale, False, inputs)
            if not (np.isfinite(U_bar[:n]).all() and (not inputs or np.isfinite(V_bar[:self.n_inputs]).all())):
                V_bar, U_bar = self._backward(V, U, scale, True, inputs, first)
                if not (np.isfinite(U_bar[:n]).all() and (not inputs or np.isfinite(V_bar[:self.n_inputs]).all())):
                    raise GradientNotFinite("the gradient summed over the batch overflows: scale the loss or the "
                                            "data down")
            dW += U_bar[:n]
            is_lane, r = self._outputs[0]
            outputs.append(V[r].copy() if is_lane else np.full(V.shape[1], U[r]))
            if inputs:
                dX.append(V_bar[:self.n_inputs].T.copy())
        return np.concatenate(outputs), dW, (np.concatenate(dX) if inputs else None)

    def value_and_grad(self, X: Any, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
        """The output of every example, and the gradient summed over the examples (one output only).

        ``scale * sum over examples of d out / d p`` is added to each parameter's ``.grad`` (parameters
        accumulate, as with ``backward()``); pass ``scale = 1 / len(X)`` for the mean. The parameters' numbers
        are read from their ``.data`` at each call.

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
        outputs, dW, dX = self.gradient(X, self.weights(), scale, inputs=True)
        for p, g in zip(self.parameters, dW.tolist()):
            p.grad += g
        return outputs, dX  # type: ignore[return-value]


def compile_graph(fn: Callable[..., Any], examples: Any) -> CompiledGraph:
    """Trace ``fn`` once and compile its graph for batches; refuse graphs that depend on the data.

    ``fn`` is traced once, on the first row of ``examples``, with inputs whose numbers cannot be read
    (``autograd.compiled.capture``): if ``fn`` looks at a number that depends on the example (a Python ``if``
    on it, ``.data``, ``float()``, ...), ``NotCompilable`` names the node and the line, so a graph that compiles
    is the same for every example.

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
    inputs, outputs, order = trace_example(fn, rows[0].tolist())
    return CompiledGraph(inputs, outputs, order)
