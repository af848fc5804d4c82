"""One numpy step of a compiled graph: a rule applied at once to a group of nodes, one lane per example.

A step reads its operands from the lane table V (one row per node, one column per example) or the uniform
table U (weights, constants), and in backward adds its adjoint contributions back to them. Operands stored
evenly spaced in a table (a layer's weights are stored neuron by neuron) are read as views, not copied.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..rule import RULES, Rule

__all__ = ["ArrayStep", "Column", "elementwise"]

_DOT = RULES["dot"]
_SUM = RULES["sum"]


def _evenly(rows: np.ndarray) -> slice | None:
    """``rows`` as a slice when they step evenly upwards (table[slice] is then a view), else None."""
    if len(rows) == 0:
        return None
    step = int(rows[1] - rows[0]) if len(rows) > 1 else 1
    if step <= 0 or not (np.diff(rows) == step).all():
        return None
    return slice(int(rows[0]), int(rows[-1]) + 1, step)


class Block:
    """A (nodes, operands) matrix of rows of the uniform table, read as a strided view when each node's operands
    are consecutive and the nodes evenly spaced (a layer's weights, each neuron's then its bias): no gather."""

    def __init__(self, rows: np.ndarray) -> None:
        self.rows = rows
        self.unique = len(np.unique(rows)) == rows.size
        first, down = _evenly(rows[:, 0]), _evenly(rows[0])
        self.strides: tuple[int, int] | None = None
        if first is not None and down is not None and down.step == 1 and self.unique and \
                (rows == rows[:, :1] + (rows[0] - rows[0, 0])).all():
            self.start, self.strides = int(rows[0, 0]), (first.step, 1)

    def read(self, table: np.ndarray) -> np.ndarray:
        if self.strides is None:
            return table[self.rows]
        unit = table.itemsize  # a view: writing into it (``+=``) writes into the table
        return np.lib.stride_tricks.as_strided(table[self.start:], self.rows.shape,
                                               (self.strides[0] * unit, unit))

    def add(self, table: np.ndarray, contribution: np.ndarray) -> None:
        if self.strides is not None:
            self.read(table)[...] += contribution
        elif self.unique:
            table[self.rows] += contribution
        else:  # a weight used twice in the layer: += on repeated indices would count it once
            np.add.at(table, self.rows, contribution)


class ArrayStep:
    """One numpy call: ``rule`` on ``rows`` nodes at once (``dense``: a matrix product of dot nodes).

    ``needed[j]`` says whether operand column ``j`` leads to a parameter (or, for ``inputs_only[j]``, only to
    an input): backward skips the columns whose adjoint nobody reads.
    """

    def __init__(self, rule: Rule, lane: bool, rows: slice, parents: np.ndarray, lanes: list[bool],
                 to_params: list[bool], to_inputs: list[bool]) -> None:
        self.rule, self.lane, self.rows, self.lanes = rule, lane, rows, lanes
        self.size = rows.stop - rows.start
        self.columns = [Column(parents[:, j], lanes[j], to_params[j], to_inputs[j]) for j in range(parents.shape[1])]
        self.to_params, self.to_inputs = any(to_params), any(to_inputs)
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
                self.weights = Block(parents[:, :n] if lanes[n] else parents[:, n:])
                side = slice(n, None) if lanes[n] else slice(None, n)
                self.inputs = Column(shared[0], True, any(to_params[side]), any(to_inputs[side]))

    def gather(self, V: np.ndarray, U: np.ndarray) -> list[Any]:
        return [c.read(V, U, self.lane) for c in self.columns]

    def value(self, V: np.ndarray, U: np.ndarray) -> Any:
        if self.dense:
            return np.matmul(self.weights.read(U), self.inputs.read(V, U, True), out=V[self.rows])
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
        return elementwise(self.rule.value, xs, 1)[0]

    def partials(self, out: Any, xs: list[Any]) -> Any:
        if not self.loop_partials:
            try:
                return self.rule.array_partials(out, *xs)
            except (TypeError, ValueError):
                if self.rule.array_partials is not self.rule.partials:
                    raise
                self.loop_partials = True
        return elementwise(self.rule.partials, [out, *xs], len(xs))


class Column:
    """Where one operand of a step's nodes lives: rows of the lane table V or the uniform table U; and whether
    its adjoint is read by anyone (it leads to a parameter, or to an input only)."""

    def __init__(self, rows: np.ndarray, lane: bool, to_params: bool = True, to_inputs: bool = True) -> None:
        self.lane, self.rows, self.to_params, self.to_inputs = lane, rows, to_params, to_inputs
        self.slice = _evenly(rows)
        self.unique = self.slice is not None or len(np.unique(rows)) == len(rows)

    def read(self, V: np.ndarray, U: np.ndarray, lane_step: bool) -> Any:
        if self.lane:
            return V[self.slice] if self.slice is not None else V[self.rows]
        values = U[self.slice] if self.slice is not None else U[self.rows]
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


def elementwise(function: Callable[..., Any], arrays: list[Any], count: int) -> list[np.ndarray]:
    """``function`` element by element (the slow path for a rule with no numpy version): ``count`` results."""
    shape = np.broadcast_shapes(*[np.shape(a) for a in arrays])
    flat = [np.broadcast_to(a, shape).ravel().tolist() for a in arrays]
    results = [function(*args) for args in zip(*flat)]
    if count == 1 and not isinstance(results[0], tuple):
        return [np.array(results, dtype=float).reshape(shape)]
    table = np.array(results, dtype=float).reshape(-1, count)
    return [table[:, j].reshape(shape) for j in range(count)]
