"""The primitives as functions that take floats, Values or Duals alike, read off the rule table.

``exp(x)`` is ``x.exp()`` for a Value or a Dual and the rule's float value (with its clear errors) for a
float, so one formula serves every mode. Every rule with a ``function`` name is here (``abs`` is
``absolute``, so that it never shadows the builtin); ``summation`` and ``dot`` make one n-ary node.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from . import ops  # noqa: F401  (the built-in rows must exist before the functions are read off them)
from .finite import check_number
from .operand import Operand, evaluate, power
from .rule import RULES, Rule

__all__ = ["apply", "summation", "dot", "power", "function", "formula_functions"]


def apply(rule: Rule, *args: Any) -> Any:
    """``rule(*args)``: a Value if any argument is a Value, a Dual if any is a Dual, else a float.

    Plain numbers among Values (or Duals) become constants.

    >>> from autograd import Value
    >>> apply(RULES["mul"], 3.0, 4.0)
    12.0
    >>> apply(RULES["mul"], Value(3.0), 4.0).data
    12.0
    """
    if not isinstance(rule, Rule):
        raise TypeError(f"apply takes a Rule first, got {type(rule).__name__}")
    if rule.arity is not None and len(args) != rule.arity:
        raise TypeError(f"{rule.title} takes {rule.arity} operand(s), got {len(args)}")
    return evaluate(rule, args)


def summation(values: Sequence[Any]) -> Any:
    """``x1 + ... + xn`` as one node with n partials of 1 (Python's ``sum()`` makes n nodes).

    >>> from autograd import Value
    >>> summation([Value(1.0), Value(2.0), 3.0]).data
    6.0
    """
    values = tuple(values)
    if not values:
        raise ValueError("summation: needs at least one term")
    return evaluate(RULES["sum"], values)


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
    return evaluate(RULES["dot"], weights + inputs)


@cache
def function(rule: Rule) -> Callable[..., Any]:
    """The function form of ``rule``: its operands, then its parameters (defaults as the rule says).

    >>> function(RULES["leaky_relu"])(-2.0, 0.5)
    -1.0
    """
    if rule.name == "pow":
        return power
    if rule.arity is None:  # n-ary: any number of operands (summation and dot take sequences instead)

        def many(*args: Any) -> Any:
            if not args:
                raise TypeError(f"{rule.name}() needs at least one operand")
            return evaluate(rule, args)

        many.__name__ = many.__qualname__ = rule.name
        many.__doc__ = f"{rule.name}(x1, ..., xn) for floats, Values or Duals; {rule.math}"
        return many
    arity = rule.arity

    def call(*args: Any, **params: Any) -> Any:
        if len(args) < arity:
            raise TypeError(f"{rule.name}() takes {arity} operand(s), got {len(args)}")
        operands, values = args[:arity], list(args[arity:])
        values += [params.pop(p.name) for p in rule.params[len(values):] if p.name in params]
        if params:
            raise TypeError(f"{rule.name}() got unknown parameters: {', '.join(params)}")
        if len(values) > len(rule.params):
            raise TypeError(f"{rule.name}() takes {arity} operand(s) and {len(rule.params)} parameter(s), "
                            f"got {len(args)} arguments")
        bound = rule.bind(*[check_number(v, f"{rule.name} {p.name}") for v, p in zip(values, rule.params)]) \
            if rule.params else rule
        if len(operands) == 1 and isinstance(operands[0], Operand) and not rule.params and rule.methods:
            return getattr(operands[0], rule.methods[0])()  # the kind's fast method
        return evaluate(bound, operands)

    name = rule.function or rule.name
    call.__name__ = call.__qualname__ = name
    params = "".join(f", {p.name}={p.default:g}" if p.default is not None else f", {p.name}" for p in rule.params)
    operands = ", ".join("xy"[i] if arity <= 2 else f"x{i + 1}" for i in range(arity))
    call.__doc__ = (f"{name}({operands}{params}) for floats, Values or Duals; {rule.math}"
                    + (f"; {rule.kink}" if rule.kink else ""))
    return call


def formula_functions() -> dict[str, tuple[Callable[..., Any], int, int, int]]:
    """What a formula may call: name -> (function, operands, fewest arguments, most arguments), for every rule
    with a function (an n-ary one takes any number of operands: ``sum(a, b, c)``). The arguments after the
    operands are the rule's parameters, which must be numbers.

    >>> formula_functions()["leaky_relu"][1:], formula_functions()["sum"][1:]
    ((1, 1, 2), (1000000, 1, 1000000))
    """
    table = {}
    for rule in RULES.values():
        if not rule.function:
            continue
        if rule.arity is None:
            table[rule.name] = (function(rule), MANY, 1, MANY)
        else:
            table[rule.name] = (function(rule), rule.arity, rule.arity + sum(p.default is None for p in rule.params),
                                rule.arity + len(rule.params))
    return table


MANY = 1_000_000
"""How many operands an n-ary function may take in a formula."""


_FOUND: dict[str, Rule] = {}  # name -> the rule last found for it (looked up again once it left the table)


def __getattr__(name: str) -> Any:
    # ``functions.exp``, ``functions.absolute``, ...: read off the table, so a new rule is here at once
    rule = _FOUND.get(name)
    if rule is not None and RULES.get(rule.name) is rule:  # a loss calling F.relu per example: no scan
        return function(rule)
    for rule in RULES.values():
        if rule.function == name:
            _FOUND[name] = rule
            return function(rule)
    raise AttributeError(f"module 'autograd.functions' has no function {name!r}; the rule table has "
                         f"{', '.join(sorted(r.function for r in RULES.values() if r.function))}")


def __dir__() -> list[str]:
    return sorted(set(__all__) | {rule.function for rule in RULES.values() if rule.function})
