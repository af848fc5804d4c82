"""Dual: a forward-mode number, a primal value carried together with its tangent.

``Dual(x, x_dot)`` stands for ``x + x_dot * eps`` with ``eps^2 = 0``. Every operation reads the same rule
table as Value: ``out_dot = sum_i (d out / d x_i) * x_dot_i``. The primal and tangent may themselves be
Values (a Dual of Values: the derivative is a graph that reverse mode can differentiate again) or Duals
(nested forward mode). Each derivative has its own ``tag`` so that nested ones never confuse their
perturbations (Siskind and Pearlmutter): an operation is done at the highest tag among its operands, and
an operand of a lower tag is a constant there.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import count
from typing import Any

from .finite import check_number, is_number, refuse_array
from .operand import Operand, evaluate, kind
from .rule import Rule

__all__ = ["Dual", "new_tag"]

_new = object.__new__
_tags = count(1)


def new_tag() -> int:
    """A tag no Dual has yet: one per derivative taken, so nested derivatives stay apart."""
    return next(_tags)


class Dual(Operand):
    """A number and its directional derivative.

    Args:
        primal: the value: a number, a Value or a Dual (of a lower tag).
        tangent: its derivative along the direction: likewise.
        tag: which derivative this is (0 for Duals made by hand; transforms take new ones).

    >>> x = Dual(3.0, 1.0)
    >>> y = x * x + 2 * x
    >>> (y.primal, y.tangent)
    (15.0, 8.0)
    """

    __slots__ = ("primal", "tangent", "tag")

    def __init__(self, primal: Any, tangent: Any = 0.0, tag: int = 0) -> None:
        self.primal = primal if isinstance(primal, Operand) else check_number(primal, "Dual primal")
        self.tangent = tangent if isinstance(tangent, Operand) else check_number(tangent, "Dual tangent")
        if isinstance(tag, bool) or not isinstance(tag, int) or tag < 0:
            raise TypeError(f"Dual tag must be an int >= 0, got {tag!r}")
        self.tag = tag
        for part in (self.primal, self.tangent):
            if isinstance(part, Dual) and part.tag >= tag:
                raise ValueError(f"a Dual of tag {tag} can hold Duals of lower tags only, got tag {part.tag}")

    @property
    def level(self) -> int:  # type: ignore[override]
        return 2 + self.tag  # above every kind of Value: a Dual of Values does the operation

    def _lift(self, other: Any) -> Any:
        if isinstance(other, Dual) and other.tag == self.tag:
            return other
        if is_number(other) or isinstance(other, Operand):  # a constant at this tag
            return _dual(other if isinstance(other, Operand) else check_number(other, "Dual operand"), 0.0, self.tag)
        return NotImplemented

    def __float__(self) -> float:
        return float(self.primal)

    def __lt__(self, other: Any) -> bool:
        return bool(self.primal < _primal(other))

    def __le__(self, other: Any) -> bool:
        return bool(self.primal <= _primal(other))

    def __gt__(self, other: Any) -> bool:
        return bool(self.primal > _primal(other))

    def __ge__(self, other: Any) -> bool:
        return bool(self.primal >= _primal(other))

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        tag = f", tag={self.tag}" if self.tag else ""
        return f"Dual(primal={_show(self.primal)}, tangent={_show(self.tangent)}{tag})"

    @classmethod
    def method_for(cls, rule: Rule) -> Callable[[Dual], Dual]:
        """The one-operand method for ``rule``: the rule's value and partial called directly on float parts."""
        compute, partials = rule.compute, rule.partials

        def method(self: Dual) -> Dual:
            x = self.primal
            if type(x) is not float or type(self.tangent) is not float:
                return apply_rule(rule, (self,))
            out = compute(x)
            tangent = self.tangent
            # an exact zero tangent stays zero, so an infinite partial times 0 never makes a NaN
            return _dual(out, partials(out, x)[0] * tangent if tangent else 0.0, self.tag)

        return method

    @classmethod
    def operators_for(cls, rule: Rule) -> tuple[Callable[..., Any], Callable[..., Any]]:
        """``self op other`` and ``other op self`` for a binary rule."""

        # apply_rule sorts out the tags: an operand that is not a Dual of the highest tag is a constant there
        def forward(self: Dual, other: Any) -> Any:
            if not (isinstance(other, Operand) or is_number(other)):
                refuse_array(other, "Dual")
                return NotImplemented
            return apply_rule(rule, (self, other))

        def reflected(self: Dual, other: Any) -> Any:
            if not (isinstance(other, Operand) or is_number(other)):
                refuse_array(other, "Dual")
                return NotImplemented
            return apply_rule(rule, (other, self))

        forward.__doc__, reflected.__doc__ = f"self {rule.symbol} other", f"other {rule.symbol} self"
        return forward, reflected

    @staticmethod
    def apply_rule(rule: Rule, args: tuple[Dual, ...]) -> Dual:
        return apply_rule(rule, args)


def apply_rule(rule: Rule, args: tuple[Any, ...]) -> Dual:
    """``rule(*args)`` at the highest tag among the Dual ``args``: its primal is the rule on the primals (numbers,
    Values or lower Duals: ``evaluate``), its tangent ``sum_i partial_i * tangent_i``."""
    tag = max(a.tag for a in args if isinstance(a, Dual))
    primals, tangents = [], []
    for a in args:
        inside = isinstance(a, Dual) and a.tag == tag
        # a number operand as a float: a numpy scalar or 0-d array would make numpy tangents
        primals.append(a.primal if inside else a if isinstance(a, Operand) else check_number(a, rule.title))
        tangents.append(a.tangent if inside else 0.0)
    out = evaluate(rule, tuple(primals))
    total = None
    for partial, tangent in zip(rule.partials(out, *primals), tangents):
        # skip exact zeros: a zero tangent or partial contributes 0 even where the other factor is infinite,
        # as reverse mode skips a zero adjoint; so both modes agree everywhere both give a number
        if (type(tangent) is not float or tangent) and (type(partial) is not float or partial):
            term = partial * tangent
            total = term if total is None else total + term
    return _dual(out, 0.0 if total is None else total, tag)


def _dual(primal: Any, tangent: Any, tag: int) -> Dual:
    node = _new(Dual)
    node.primal, node.tangent, node.tag = primal, tangent, tag
    return node


def _primal(other: Any) -> Any:
    return other.primal if isinstance(other, Dual) else other


def _show(part: Any) -> str:
    return f"{part:.6g}" if type(part) is float else repr(part)


kind(Dual)  # every rule of the table becomes a method
