"""The primitives as functions that take floats, Values or Duals alike.

``exp(x)`` is ``x.exp()`` for a Value or a Dual and ``math.exp`` (with the rule's clear errors) for
a float, so one formula serves every mode. ``summation`` and ``dot`` make one n-ary node.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .operand import Operand, check_number, not_finite
from .ops import RULES, Rule, elu_rule, leaky_relu_rule, pow_rule

__all__ = ["apply", "summation", "dot", "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu",
           "softplus", "arctan", "hardtanh", "step", "absolute", "leaky_relu", "elu", "power", "FUNCTIONS"]


def apply(rule: Rule, *args: Any) -> Any:
    """``rule(*args)``: a Value if any argument is a Value, a Dual if any is a Dual, else a float.

    Plain numbers among Values (or Duals) become constants.

    >>> from autograd import Value
    >>> apply(RULES["mul"], 3.0, 4.0)
    12.0
    >>> apply(RULES["mul"], Value(3.0), 4.0).data
    12.0
    """
    kinds = {type(a) for a in args if isinstance(a, Operand)}
    if len(kinds) > 1:
        raise TypeError(f"{rule.name}: cannot mix {' and '.join(sorted(k.__name__ for k in kinds))} operands")
    if kinds:
        first = next(a for a in args if isinstance(a, Operand))
        lifted = tuple(first._lift(a) for a in args)
        for original, a in zip(args, lifted):
            if a is NotImplemented:
                raise TypeError(f"{rule.name}: an operand must be a number or a {first.__class__.__name__}, "
                                f"got {type(original).__name__}")
        return first._apply(rule, lifted)
    xs = [check_number(a, rule.name) for a in args]
    out = rule.value(*xs)
    if out - out != 0.0:
        not_finite(rule, xs, out)
    return out


def summation(values: Sequence[Any]) -> Any:
    """``x1 + ... + xn`` as one node with n partials of 1 (Python's ``sum()`` makes n nodes).

    >>> from autograd import Value
    >>> summation([Value(1.0), Value(2.0), 3.0]).data
    6.0
    """
    values = tuple(values)
    if not values:
        raise ValueError("summation: needs at least one term")
    return apply(RULES["sum"], *values)


def dot(weights: Sequence[Any], inputs: Sequence[Any]) -> Any:
    """``w1 x1 + ... + wn xn`` as one node with 2n partials: a neuron's weighted sum.

    >>> from autograd import Value
    >>> w, x = [Value(2.0), Value(3.0)], [1.0, -1.0]
    >>> y = dot(w, x); y.backward(); (y.data, w[0].grad, w[1].grad)
    (-1.0, 1.0, -1.0)
    """
    weights, inputs = tuple(weights), tuple(inputs)
    if len(weights) != len(inputs):
        raise ValueError(f"dot: {len(weights)} weights but {len(inputs)} inputs")
    if not weights:
        raise ValueError("dot: needs at least one pair")
    return apply(RULES["dot"], *weights, *inputs)


def _unary(name: str) -> Callable[[Any], Any]:
    rule = RULES[name]

    def function(x: Any) -> Any:
        return apply(rule, x)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"{name}(x) for a float, Value or Dual; {rule.math}" + (f"; {rule.kink}" if rule.kink else "")
    return function


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
absolute = _unary("abs")


def leaky_relu(x: Any, alpha: float = 0.01) -> Any:
    """max(0, x) + alpha min(0, x) for a float, Value or Dual; leaky_relu'(0) = alpha"""
    return apply(leaky_relu_rule(check_number(alpha, "leaky_relu alpha")), x)


def elu(x: Any, alpha: float = 1.0) -> Any:
    """x if x > 0 else alpha (e^x - 1) for a float, Value or Dual; elu'(0) = alpha"""
    return apply(elu_rule(check_number(alpha, "elu alpha")), x)


def power(x: Any, y: Any) -> Any:
    """x ** y for floats, Values or Duals (a number exponent is the unary rule)."""
    if not isinstance(y, Operand):
        return apply(pow_rule(check_number(y, "pow exponent")), x)
    return apply(RULES["pow"], x, y)


# Every function a formula may call, by name: the command line's whitelist.
FUNCTIONS: dict[str, Callable[..., Any]] = {
    "exp": exp, "log": log, "sqrt": sqrt, "sin": sin, "cos": cos, "tanh": tanh, "sigmoid": sigmoid,
    "relu": relu, "softplus": softplus, "arctan": arctan, "hardtanh": hardtanh, "step": step,
    "abs": absolute, "leaky_relu": leaky_relu, "elu": elu, "pow": power,
}
