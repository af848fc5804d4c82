"""The arithmetic that Value and Dual share: operators and methods, each one row of the rule table.

A subclass says how to lift a plain number (``_lift``) and how to apply a rule (``_apply``);
everything else, reflected operators included, is generated here once.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any, TypeVar

from .ops import RULES, Rule, elu_rule, leaky_relu_rule, pow_rule

T = TypeVar("T", bound="Operand")

_NUMBER_TYPES = (int, float)


def check_number(x: Any, who: str) -> float:
    """``x`` as a finite float, or ``TypeError`` / ``ValueError`` naming what was wrong."""
    if type(x) is not float:
        if isinstance(x, bool) or not isinstance(x, numbers.Real):
            raise TypeError(f"{who} needs a real number, got {type(x).__name__} ({x!r})")
        x = float(x)
    if x - x != 0.0:
        raise ValueError(f"{who} needs a finite number, got {x!r}")
    return x


def is_number(x: Any) -> bool:
    """True for a plain real number (not a bool): the operands lifted to constants."""
    return type(x) in _NUMBER_TYPES or (isinstance(x, numbers.Real) and not isinstance(x, bool))


def not_finite(rule: Rule, xs: list[float], out: float) -> None:
    """Raise the error for a result that is NaN or infinite, naming the rule and its operands."""
    args = ", ".join(repr(x) for x in xs)
    if out != out:
        raise ValueError(f"{rule.title}: the result is not a number for the operands ({args})")
    raise OverflowError(f"{rule.title}: the result overflows a float for the operands ({args})")


def _binary(rule: Rule) -> tuple[Callable[[Any, Any], Any], Callable[[Any, Any], Any]]:
    """The forward and reflected operator for a binary rule (as ``fractions._operator_fallbacks``)."""

    def forward(a: Any, b: Any) -> Any:
        if type(b) is not type(a):
            b = a._lift(b)
            if b is NotImplemented:
                return NotImplemented
        return a._apply(rule, (a, b))

    def reflected(b: Any, a: Any) -> Any:
        a = b._lift(a)
        if a is NotImplemented:
            return NotImplemented
        return b._apply(rule, (a, b))

    forward.__doc__ = f"self {rule.symbol} other"
    reflected.__doc__ = f"other {rule.symbol} self"
    return forward, reflected


_RULE_OF: dict[Callable[[Any], Any], str] = {}


def _unary(name: str) -> Callable[[Any], Any]:
    rule = RULES[name]

    def method(self: Any) -> Any:
        return self._apply(rule, (self,))

    method.__name__ = name
    method.__doc__ = f"{name}(self); {rule.math}" + (f"; {rule.kink}" if rule.kink else "")
    _RULE_OF[method] = name
    return method


class Operand:
    """Mixin: the operators and math methods of a number type that records derivatives."""

    __slots__ = ()
    __array_ufunc__ = None  # numpy scalars and arrays defer to our reflected operators

    def _lift(self: T, other: Any) -> T:  # pragma: no cover - each subclass defines it
        raise NotImplementedError

    def _apply(self: T, rule: Rule, args: tuple[Any, ...]) -> T:  # pragma: no cover
        raise NotImplementedError

    __add__, __radd__ = _binary(RULES["add"])
    __sub__, __rsub__ = _binary(RULES["sub"])
    __mul__, __rmul__ = _binary(RULES["mul"])
    __truediv__, __rtruediv__ = _binary(RULES["truediv"])
    _pow_operand, __rpow__ = _binary(RULES["pow"])

    def __pow__(self: T, other: Any) -> T:
        """self ** other (a number exponent is a unary rule, so a negative base works for x ** 2)"""
        if is_number(other):
            return self._apply(pow_rule(check_number(other, "pow exponent")), (self,))
        return self._pow_operand(other)  # type: ignore[no-any-return]

    __neg__ = _unary("neg")
    __abs__ = _unary("abs")
    exp = _unary("exp")
    log = _unary("log")
    sqrt = _unary("sqrt")
    sin = _unary("sin")
    cos = _unary("cos")
    tanh = _unary("tanh")
    sigmoid = _unary("sigmoid")
    relu = _unary("relu")
    softplus = _unary("softplus")
    arctan = _unary("arctan")
    hardtanh = _unary("hardtanh")
    step = _unary("step")
    abs = _unary("abs")

    def __pos__(self: T) -> T:
        """+self"""
        return self

    def leaky_relu(self: T, alpha: float = 0.01) -> T:
        """max(0, x) + alpha min(0, x); leaky_relu'(0) = alpha, as PyTorch"""
        return self._apply(leaky_relu_rule(check_number(alpha, "leaky_relu alpha")), (self,))

    def elu(self: T, alpha: float = 1.0) -> T:
        """x if x > 0 else alpha (e^x - 1); elu'(0) = alpha, as PyTorch"""
        return self._apply(elu_rule(check_number(alpha, "elu alpha")), (self,))


# Method name -> rule name of every one-operand method above: Value and Dual install faster
# versions of the same rows (fewer calls per node) from this one list, read off the class itself.
UNARY_METHODS: dict[str, str] = {attr: _RULE_OF[m] for attr, m in vars(Operand).items() if m in _RULE_OF}
