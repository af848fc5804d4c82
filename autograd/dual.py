"""Dual: a forward-mode number, a primal value carried together with its tangent.

``Dual(x, x_dot)`` stands for ``x + x_dot * eps`` with ``eps^2 = 0``. Every operation reads the same
rule table as Value: ``out_dot = sum_i (d out / d x_i) * x_dot_i``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .operand import UNARY_METHODS, Operand, check_number, is_number, not_finite
from .ops import RULES, Rule

__all__ = ["Dual"]

_new = object.__new__


class Dual(Operand):
    """A number and its directional derivative.

    >>> x = Dual(3.0, 1.0)
    >>> y = x * x + 2 * x
    >>> (y.primal, y.tangent)
    (15.0, 8.0)
    """

    __slots__ = ("primal", "tangent")

    def __init__(self, primal: float, tangent: float = 0.0) -> None:
        self.primal = check_number(primal, "Dual primal")
        self.tangent = check_number(tangent, "Dual tangent")

    def _lift(self, other: Any) -> Dual:
        if isinstance(other, Dual):
            return other
        if is_number(other):
            return Dual(other, 0.0)
        return NotImplemented

    def _apply(self, rule: Rule, args: tuple[Dual, ...]) -> Dual:
        return apply_rule(rule, args)

    def __float__(self) -> float:
        return self.primal

    def __lt__(self, other: Any) -> bool:
        return self.primal < _primal(other)

    def __le__(self, other: Any) -> bool:
        return self.primal <= _primal(other)

    def __gt__(self, other: Any) -> bool:
        return self.primal > _primal(other)

    def __ge__(self, other: Any) -> bool:
        return self.primal >= _primal(other)

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"Dual(primal={self.primal:.6g}, tangent={self.tangent:.6g})"


def apply_rule(rule: Rule, args: tuple[Dual, ...]) -> Dual:
    """``rule(*args)`` with the tangent ``sum_i partial_i * tangent_i``."""
    xs = [a.primal for a in args]
    out = rule.value(*xs)
    if out - out != 0.0:
        not_finite(rule, xs, out)
    out_dot = 0.0
    for partial, arg in zip(rule.partials(out, *xs), args):
        if arg.tangent:  # skip zero tangents, so an infinite partial times 0 never makes a NaN
            out_dot += partial * arg.tangent
    node = _new(Dual)
    node.primal = out
    node.tangent = out_dot
    return node


def _unary(rule: Rule) -> Callable[[Dual], Dual]:
    """A fast one-operand method: the same row as ``apply_rule``, with its partial only when needed."""
    value, partials = rule.value, rule.partials

    def method(self: Dual) -> Dual:
        x = self.primal
        out = value(x)
        if out - out != 0.0:
            not_finite(rule, [x], out)
        node = _new(Dual)
        node.primal = out
        tangent = self.tangent
        # a zero tangent stays 0, so an infinite partial times 0 never makes a NaN
        node.tangent = 0.0 + partials(out, x)[0] * tangent if tangent else 0.0
        return node

    return method


for _method, _name in UNARY_METHODS.items():
    _fast = _unary(RULES[_name])
    _fast.__name__, _fast.__doc__ = _method, getattr(Operand, _method).__doc__
    setattr(Dual, _method, _fast)


def _primal(other: Any) -> float:
    return other.primal if isinstance(other, Dual) else other  # type: ignore[no-any-return]
