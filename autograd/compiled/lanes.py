"""One numpy step of a compiled graph: a rule applied at once to a group of nodes, one lane per example.

A step reads its operands from the lane table V (one column per example) or the uniform table U (weights,
constants), and in backward adds its adjoint contributions back to them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..rule import RULES, Rule

__all__ = ["ArrayStep", "Column", "elementwise"]

_DOT = RULES["dot"]
_SUM = RULES["sum"]


class ArrayStep:
    """One numpy call: ``rule`` on ``rows`` nodes at once (``dense``: a matrix product of dot nodes)."""

    def __init__(self, rule: Rule, lane: bool, rows: slice, parents: np.ndarray, lanes: list[bool]) -> None:
        self.rule, self.lane, self.rows, self.lanes = rule, lane, rows, lanes
        self.size = rows.stop - rows.start
        self.columns = [Column(parents[:, j], lanes[j]) for j in range(parents.shape[1])]
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
                self.inputs = Column(shared[0], True)

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


def elementwise(function: Callable[..., Any], arrays: list[Any], count: int) -> list[np.ndarray]:
    """``function`` element by element (the slow path for a rule with no numpy version): ``count`` results."""
    shape = np.broadcast_shapes(*[np.shape(a) for a in arrays])
    flat = [np.broadcast_to(a, shape).ravel().tolist() for a in arrays]
    results = [function(*args) for args in zip(*flat)]
    if count == 1 and not isinstance(results[0], tuple):
        return [np.array(results, dtype=float).reshape(shape)]
    table = np.array(results, dtype=float).reshape(-1, count)
    return [table[:, j].reshape(shape) for j in range(count)]
