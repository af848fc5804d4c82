"""The primitive table: every scalar operation once, as data.

A rule is a name, an arity, how to compute the value, and the row of local partials
``d out / d x_i`` at a point. Reverse mode multiplies that row's transpose by the output adjoint,
forward mode multiplies it by the input tangents, the compiled path evaluates it on numpy arrays.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np

__all__ = ["Rule", "RULES", "defrule", "get_rule", "pow_rule", "leaky_relu_rule", "elu_rule", "CONSTANT"]


class Rule:
    """One primitive: ``out = value(*xs)``; ``partials(out, *xs)`` is the row ``d out / d xs``.

    Args:
        name: the operation's name (``"mul"``); drawings and trace tables show it.
        arity: number of inputs, or ``None`` for n-ary rules (``sum``, ``dot``).
        value: float function; raises a clear error outside its domain.
        partials: ``(out, *xs) -> tuple`` of local partials, one per input.
        math: the derivative in one line, for tables and docs.
        kink: the convention chosen where the derivative does not exist ("" if smooth).
        kinks: the input values at which the derivative jumps (checks stay away from them).
        symbol: infix symbol (``"*"``) for binary operators, else ``None``.
        params: constants the rule closes over (``alpha`` of leaky_relu, the exponent of pow).
        array_value, array_partials: numpy versions for the compiled batched replay;
            ``None`` means the float function already works elementwise on arrays.
    """

    __slots__ = ("name", "arity", "value", "partials", "math", "kink", "kinks", "symbol", "params",
                 "array_value", "array_partials")

    def __init__(self, name: str, arity: int | None, value: Callable[..., float],
                 partials: Callable[..., tuple[Any, ...]], math: str, kink: str = "",
                 kinks: tuple[float, ...] = (), symbol: str | None = None,
                 params: tuple[float, ...] = (), array_value: Callable[..., Any] | None = None,
                 array_partials: Callable[..., tuple[Any, ...]] | None = None) -> None:
        self.name, self.arity, self.value, self.partials = name, arity, value, partials
        self.math, self.kink, self.kinks, self.symbol, self.params = math, kink, kinks, symbol, params
        self.array_value = array_value or value
        self.array_partials = array_partials or partials

    def __repr__(self) -> str:
        params = "".join(f", {p!r}" for p in self.params)
        return f"Rule({self.name!r}{params})"

    @property
    def title(self) -> str:
        """The name with its parameters, as drawings show it: ``leaky_relu(0.01)``, ``pow(2)``."""
        if not self.params:
            return self.name
        return f"{self.name}({', '.join(format(p, 'g') for p in self.params)})"


RULES: dict[str, Rule] = {}


def defrule(rule: Rule) -> Rule:
    """Register a rule under its name, so that every mode, the trace and the parser can find it.

    This is the one entry point for adding a primitive: write its value and its partials.

    >>> cube = defrule(Rule("cube", 1, lambda x: x ** 3, lambda out, x: (3 * x * x,), "3 x^2"))
    >>> from autograd import Value, apply
    >>> y = apply(cube, Value(2.0)); y.backward(); (y.data, y.parents[0].grad)
    (8.0, 12.0)
    >>> del RULES["cube"]
    """
    RULES[rule.name] = rule
    return rule


def get_rule(name: str) -> Rule:
    """The registered rule called ``name``; ``KeyError`` lists the known names."""
    try:
        return RULES[name]
    except KeyError:
        raise KeyError(f"no rule named {name!r}; known: {', '.join(sorted(RULES))}") from None


# Leaves made from plain numbers (``x * 2``): a node of arity 0, so pictures can tell them apart.
CONSTANT = Rule("const", 0, float, lambda out: (), "a constant: no inputs")

_ONE = (1.0,)
_ONE_ONE = (1.0, 1.0)
_ONE_MINUS_ONE = (1.0, -1.0)
_MINUS_ONE = (-1.0,)
_ZERO = (0.0,)


def _ones_like(x: Any) -> Any:
    return np.ones_like(x) if isinstance(x, np.ndarray) else 1.0


# ---- binary arithmetic -------------------------------------------------------------------------

def _add(x: float, y: float) -> float:
    return x + y


defrule(Rule("add", 2, _add, lambda out, x, y: _ONE_ONE, "d(x + y) = (1, 1)", symbol="+"))


def _sub(x: float, y: float) -> float:
    return x - y


defrule(Rule("sub", 2, _sub, lambda out, x, y: _ONE_MINUS_ONE, "d(x - y) = (1, -1)", symbol="-"))


def _mul(x: float, y: float) -> float:
    return x * y


defrule(Rule("mul", 2, _mul, lambda out, x, y: (y, x), "d(x * y) = (y, x)", symbol="*"))


def _truediv(x: float, y: float) -> float:
    if y == 0:
        raise ZeroDivisionError(f"truediv: division by zero ({x!r} / {y!r})")
    return x / y


def _truediv_array(x: Any, y: Any) -> Any:
    if np.any(y == 0):
        raise ZeroDivisionError("truediv: division by zero in a batch lane")
    return x / y


defrule(Rule("truediv", 2, _truediv, lambda out, x, y: (1.0 / y, -out / y),
             "d(x / y) = (1 / y, -x / y^2)", symbol="/", array_value=_truediv_array))


def _pow2(x: float, y: float) -> float:
    if x < 0 or (x == 0 and y < 0):
        raise ValueError(f"pow: a Value exponent needs a base > 0 (or 0 with exponent >= 0), got base "
                         f"{x!r} and exponent {y!r}; use a number exponent for integer powers")
    return x ** y


def _pow2_partials(out: float, x: float, y: float) -> tuple[float, float]:
    if x == 0:  # the limits of y x^(y-1) and x^y log x as x -> 0+, PyTorch's choice
        return (math.inf if 0 < y < 1 else float(y == 1), 0.0)
    return (y * x ** (y - 1), out * math.log(x))


def _pow2_array(x: Any, y: Any) -> Any:
    if np.any(x <= 0):
        raise ValueError("pow: a Value exponent needs a base > 0 in every batch lane")
    return np.power(x, y)


defrule(Rule("pow", 2, _pow2, _pow2_partials, "d(x ** y) = (y x^(y-1), x^y log x)",
             kink="at x = 0: (inf if 0 < y < 1, 0 for the exponent), as PyTorch", symbol="**",
             array_value=_pow2_array,
             array_partials=lambda out, x, y: (y * np.power(x, y - 1), out * np.log(x))))


@lru_cache(maxsize=256)
def pow_rule(c: float) -> Rule:
    """``x ** c`` for a number exponent ``c``: one cached rule per exponent."""

    def value(x: float) -> float:
        if x < 0 and c != int(c):
            raise ValueError(f"pow: negative base {x!r} to the non-integer power {c!r}")
        if x == 0 and c < 0:
            raise ZeroDivisionError(f"pow: zero base {x!r} to the negative power {c!r}")
        return float(x ** c)

    def partials(out: float, x: float) -> tuple[float]:
        if x == 0:
            return (math.inf if 0 < c < 1 else float(c == 1),)
        return (c * x ** (c - 1),)

    def array_value(x: Any) -> Any:
        if c != int(c) and np.any(x < 0):
            raise ValueError(f"pow: negative base to the non-integer power {c!r} in a batch lane")
        return np.power(x, c)

    return Rule("pow", 1, value, partials, f"d(x ** {c:g}) = {c:g} x^{c - 1:g}",
                kink="at x = 0: inf if 0 < c < 1, as PyTorch", params=(c,), array_value=array_value,
                array_partials=lambda out, x: (c * np.power(x, c - 1),))


# ---- unary functions --------------------------------------------------------------------------

defrule(Rule("neg", 1, lambda x: -x, lambda out, x: _MINUS_ONE, "d(-x) = -1"))


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(f"exp: the result overflows a float at x = {x!r} (x > 709.78)") from None


defrule(Rule("exp", 1, _exp, lambda out, x: (out,), "d exp(x) = exp(x)", array_value=np.exp))


def _log(x: float) -> float:
    if x <= 0:
        raise ValueError(f"log: the operand must be > 0, got {x!r}")
    return math.log(x)


def _log_array(x: Any) -> Any:
    if np.any(x <= 0):
        raise ValueError("log: the operand must be > 0 in every batch lane")
    return np.log(x)


defrule(Rule("log", 1, _log, lambda out, x: (1.0 / x,), "d log(x) = 1 / x", array_value=_log_array))


def _sqrt(x: float) -> float:
    if x < 0:
        raise ValueError(f"sqrt: the operand must be >= 0, got {x!r}")
    return math.sqrt(x)


def _sqrt_array(x: Any) -> Any:
    if np.any(x < 0):
        raise ValueError("sqrt: the operand must be >= 0 in every batch lane")
    return np.sqrt(x)


defrule(Rule("sqrt", 1, _sqrt, lambda out, x: (0.5 / out if out else math.inf,),
             "d sqrt(x) = 1 / (2 sqrt(x))", kink="sqrt'(0) = inf, as PyTorch", array_value=_sqrt_array,
             array_partials=lambda out, x: (np.divide(0.5, out, out=np.full_like(out, np.inf),
                                                      where=out != 0),)))
defrule(Rule("sin", 1, math.sin, lambda out, x: (math.cos(x),), "d sin(x) = cos(x)",
             array_value=np.sin, array_partials=lambda out, x: (np.cos(x),)))
defrule(Rule("cos", 1, math.cos, lambda out, x: (-math.sin(x),), "d cos(x) = -sin(x)",
             array_value=np.cos, array_partials=lambda out, x: (-np.sin(x),)))
defrule(Rule("tanh", 1, math.tanh, lambda out, x: (1.0 - out * out,), "d tanh(x) = 1 - tanh(x)^2",
             array_value=np.tanh))
defrule(Rule("arctan", 1, math.atan, lambda out, x: (1.0 / (1.0 + x * x),), "d arctan(x) = 1 / (1 + x^2)",
             array_value=np.arctan))


def _sigmoid(x: float) -> float:
    # Two branches so that exp never overflows: exp(-x) for x >= 0, exp(x) for x < 0.
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _sigmoid_array(x: Any) -> Any:
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


defrule(Rule("sigmoid", 1, _sigmoid, lambda out, x: (out * (1.0 - out),),
             "d sigmoid(x) = sigmoid(x) (1 - sigmoid(x))", array_value=_sigmoid_array))


def _softplus(x: float) -> float:
    # log(1 + e^x) = max(x, 0) + log1p(e^-|x|): exact, and never overflows.
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


defrule(Rule("softplus", 1, _softplus, lambda out, x: (_sigmoid(x),), "d softplus(x) = sigmoid(x)",
             array_value=lambda x: np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x))),
             array_partials=lambda out, x: (_sigmoid_array(x),)))
defrule(Rule("relu", 1, lambda x: x if x > 0 else 0.0, lambda out, x: _ONE if x > 0 else _ZERO,
             "d relu(x) = 1 if x > 0 else 0", kink="relu'(0) = 0, as PyTorch", kinks=(0.0,),
             array_value=lambda x: np.maximum(x, 0.0),
             array_partials=lambda out, x: ((x > 0).astype(float),)))
defrule(Rule("abs", 1, abs, lambda out, x: _ONE if x > 0 else (_MINUS_ONE if x < 0 else _ZERO),
             "d |x| = sign(x)", kink="abs'(0) = 0, as PyTorch", kinks=(0.0,), array_value=np.abs,
             array_partials=lambda out, x: (np.sign(x),)))
defrule(Rule("hardtanh", 1, lambda x: -1.0 if x < -1 else (1.0 if x > 1 else x),
             lambda out, x: _ONE if -1 < x < 1 else _ZERO, "d hardtanh(x) = 1 if -1 < x < 1 else 0",
             kink="hardtanh'(-1) = hardtanh'(1) = 0, as PyTorch", kinks=(-1.0, 1.0),
             array_value=lambda x: np.clip(x, -1.0, 1.0),
             array_partials=lambda out, x: (((x > -1) & (x < 1)).astype(float),)))
defrule(Rule("step", 1, lambda x: 1.0 if x >= 0 else 0.0, lambda out, x: _ZERO,
             "d step(x) = 0 (Heaviside: 1 at x >= 0)", kink="step'(0) = 0: no gradient flows",
             kinks=(0.0,), array_value=lambda x: (x >= 0).astype(float),
             array_partials=lambda out, x: (np.zeros_like(x),)))


@lru_cache(maxsize=64)
def leaky_relu_rule(alpha: float) -> Rule:
    """``max(0, x) + alpha min(0, x)``: one cached rule per slope."""
    slope = (alpha,)
    return Rule("leaky_relu", 1, lambda x: x if x > 0 else alpha * x,
                lambda out, x: _ONE if x > 0 else slope, f"d leaky_relu(x) = 1 if x > 0 else {alpha:g}",
                kink=f"leaky_relu'(0) = alpha = {alpha:g}, as PyTorch", kinks=(0.0,), params=(alpha,),
                array_value=lambda x: np.where(x > 0, x, alpha * x),
                array_partials=lambda out, x: (np.where(x > 0, 1.0, alpha),))


@lru_cache(maxsize=64)
def elu_rule(alpha: float) -> Rule:
    """``x if x > 0 else alpha (e^x - 1)``: one cached rule per alpha."""
    return Rule("elu", 1, lambda x: x if x > 0 else alpha * math.expm1(x),
                lambda out, x: _ONE if x > 0 else (out + alpha,), f"d elu(x) = 1 if x > 0 else elu(x) + {alpha:g}",
                kink=f"elu'(0) = alpha = {alpha:g}, as PyTorch", kinks=(0.0,), params=(alpha,),
                array_value=lambda x: np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0))),
                array_partials=lambda out, x: (np.where(x > 0, 1.0, out + alpha),))


# ---- n-ary: one node for a neuron's whole weighted sum -----------------------------------------

def _sum_partials(out: float, *xs: float) -> tuple[float, ...]:
    return _ONE * len(xs)


defrule(Rule("sum", None, lambda *xs: sum(xs, 0.0), _sum_partials, "d(x1 + ... + xn) = (1, ..., 1)",
             array_partials=lambda out, *xs: tuple(_ones_like(out) for _ in xs)))


def _dot(*xs: float) -> float:
    n = len(xs) // 2
    return sum(map(operator.mul, xs[:n], xs[n:]), 0.0)  # also elementwise on numpy lanes


def _dot_partials(out: float, *xs: float) -> tuple[float, ...]:
    n = len(xs) // 2
    return xs[n:] + xs[:n]  # d/dw_i = x_i and d/dx_i = w_i


defrule(Rule("dot", None, _dot, _dot_partials, "d(w . x) = (x1, ..., xn, w1, ..., wn)"))

# Parameterised families, by name, for the parser and the docs.
FAMILIES: dict[str, Callable[[float], Rule]] = {"pow": pow_rule, "leaky_relu": leaky_relu_rule, "elu": elu_rule}
