"""A rule: one primitive operation as data, and the table ``RULES`` that every mode, picture and check reads.

A row says how to compute the value on floats, the row of local partials ``d out / d x_i`` written with the
table's own operations (so the same row evaluates on floats, Values and Duals: derivatives of derivatives
come from it), what the operation accepts, how the trace tables write it, where it has kinks, and its
parameters with their defaults. ``defrule`` registers a row; every list of names is read off ``RULES``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache
from typing import Any, NamedTuple

__all__ = ["Rule", "Param", "RULES", "defrule", "forget", "on_new_rule", "CONSTANT", "DOMAINS"]

# What an operand may be, by name: the error messages say it, the strategies draw inside it.
DOMAINS: dict[str, tuple[Callable[[float], bool], str]] = {
    "real": (lambda x: True, "any finite number"),
    "positive": (lambda x: x > 0, "> 0"),
    "nonnegative": (lambda x: x >= 0, ">= 0"),
    "nonzero": (lambda x: x != 0, "non-zero"),
    "probability": (lambda x: 0 <= x <= 1, "a probability in [0, 1]"),
}


class Param(NamedTuple):
    """A number a rule closes over (``alpha`` of leaky_relu), with its default (``None``: it must be given) and
    values the property tests try (the default when there are none)."""

    name: str
    default: float | None = None
    examples: tuple[float, ...] = ()


class Rule:
    """One primitive: ``out = value(*xs, *params)`` and the row ``partials(out, *xs, *params)``.

    Args:
        name: what a formula calls it and tables and drawings show (``"mul"``, ``"tanh"``).
        arity: the number of operands, ``None`` for n-ary rules (``sum``, ``dot``), 0 for constants.
        value: the float function; raises (ValueError, ZeroDivisionError, OverflowError) outside its domain.
        partials: ``(out, *xs, *params) -> tuple``, one partial per operand, written with arithmetic and the
            table's functions (``autograd.ops``) so that it also runs on Values and Duals; a kinked rule may
            return plain numbers chosen by comparing its operand. A tuple of numbers is a constant row (add's
            ``(1.0, 1.0)``): nodes store it without a call.
        math: the derivative in one line for docs (made from ``notation`` when omitted).
        notation: the partials as templates in ``{x}``, ``{y}`` (the operands), ``{out}`` (the node itself)
            and the parameter names: ``("{y}", "{x}")`` for mul. Tables fill them with v-names.
        expression: how a table writes the operation (``"{x} * {y}"``); default ``name({x}, ...)``.
        symbol: the infix operator of a binary rule (``"*"``): Value and Dual get ``__mul__``/``__rmul__``.
        domain: one name of ``DOMAINS`` per operand (``("positive",)`` for log); default all ``"real"``.
        kink: the convention where the derivative does not exist; kinks: the operand values where it jumps.
            ``domain`` and ``kinks`` of a family may be functions of its parameter values.
        params: the parameters (``Param("alpha", 0.01)``): the rule is then a family, ``bind(0.2)`` one member.
        methods: the Value/Dual method names (default ``(name,)`` for a one-operand rule without a symbol).
        function: the name in ``autograd.functions`` (default ``name``; operators with a ``symbol`` have none:
            they are written with it); a formula calls it by ``name``.
        array_value, array_partials: numpy forms for the compiled path where the float ones do not vectorise.
        adjoint: ``(out_bar, out, *xs, *params) -> tuple``, the products ``out_bar * partial`` written so they
            do not overflow where a partial alone would (``out_bar / x`` for log); used only at such points.
        activation: for a rule that serves as a network's activation, the weight initialisation that suits
            it: ``"he"`` (the ReLU family) or ``"glorot"``; ``None`` for the rest.
        bounded: True when no partial is much larger than the operands, the output and the parameters (mul's
            ``(y, x)``, tanh's ``1 - out^2``): backward's fast way relies on it. Leave it False (the default) when
            a partial can be huge for moderate numbers (log's ``1 / x``): each node then checks its partials.
    """

    __slots__ = ("name", "arity", "value", "partials", "math", "notation", "expression", "symbol", "domain",
                 "kink", "kinks", "params", "values", "family", "methods", "function", "array_value",
                 "array_partials", "adjoint", "domain_of", "kinks_of", "activation", "row", "bounded")

    def __init__(self, name: str, arity: int | None, value: Callable[..., Any],
                 partials: Callable[..., Any] | tuple[float, ...],
                 math: str = "", *, notation: tuple[str, ...] | Callable[[list[str], str], list[str]] | None = None,
                 expression: str | None = None, symbol: str | None = None,
                 domain: tuple[str, ...] | Callable[..., tuple[str, ...]] = (),
                 kink: str = "", kinks: tuple[float, ...] | Callable[..., tuple[float, ...]] = (),
                 params: tuple[Param, ...] = (),
                 methods: tuple[str, ...] | None = None, function: str | None = "",
                 array_value: Callable[..., Any] | None = None, array_partials: Callable[..., Any] | None = None,
                 adjoint: Callable[..., Any] | None = None, activation: str | None = None,
                 bounded: bool = False) -> None:
        self.domain_of = domain if callable(domain) else None
        domain = () if callable(domain) else domain
        unknown = [d for d in domain if d not in DOMAINS]
        if unknown:
            raise ValueError(f"rule {name!r}: unknown domain {unknown[0]!r}; known: {', '.join(DOMAINS)}")
        self.row: tuple[float, ...] | None = None
        if isinstance(partials, tuple):  # a constant row: the same partials wherever the rule is applied
            self.row = row = tuple(float(p) for p in partials)
            partials = lambda out, *xs: row  # noqa: E731  (for the callers that evaluate rows)
        self.name, self.arity, self.value, self.partials = name, arity, value, partials
        self.notation, self.expression, self.symbol = notation, expression, symbol
        self.domain: tuple[str, ...] = domain or ("real",) * (arity or 0)
        self.kinks_of = kinks if callable(kinks) else None
        self.kinks: tuple[float, ...] = () if callable(kinks) else kinks
        self.kink, self.params = kink, params
        self.values: tuple[float, ...] = ()
        self.family: Rule | None = None
        if methods is None:
            methods = (name,) if arity == 1 and symbol is None else ()
        self.methods, self.function = methods, (None if symbol else name) if function == "" else function
        if activation not in (None, "he", "glorot"):
            raise ValueError(f"rule {name!r}: activation must be None, 'he' or 'glorot', got {activation!r}")
        self.array_value, self.array_partials, self.adjoint = array_value or value, array_partials or partials, adjoint
        self.activation, self.bounded = activation, bounded
        self.math = math or self._math()

    def _math(self) -> str:
        """The derivative in one line, from the notation: ``d exp(x) = exp(x)``, ``d(x * y) = (y, x)``."""
        if not isinstance(self.notation, tuple):
            return ""
        values = [format(v, "g") for v in self.values] or [p.name for p in self.params]
        names = _Names({"x": "x", "y": "y", **dict(zip((p.name for p in self.params), values))})
        operands = ["x", "y"][:self.arity or 1]
        if self.expression:
            call = self.expression.format_map(names)
            call = call if call.endswith(")") else f"({call})"
        else:
            call = f"{self.name}({', '.join(operands + values)})"
        names["out"] = call
        row = [t.format_map(names) for t in self.notation]
        separator = "" if call.startswith("(") else " "
        return f"d{separator}{call} = " + (row[0] if len(row) == 1 else f"({', '.join(row)})")

    @property
    def title(self) -> str:
        """The name with its parameter values, as drawings show it: ``leaky_relu(0.01)``, ``power(2)``."""
        if not self.values:
            return self.name
        return f"{self.name}({', '.join(format(v, 'g') for v in self.values)})"

    def bind(self, *values: Any) -> Rule:
        """The member of a family for these parameter values (defaults fill the rest); cached, so equal
        values give the same rule object.

        >>> RULES["leaky_relu"].bind(0.2).title
        'leaky_relu(0.2)'
        """
        if not self.params:
            raise TypeError(f"{self.name} takes no parameters")
        if self.family is not None:
            raise TypeError(f"{self.title} is bound already")
        if len(values) > len(self.params):
            raise TypeError(f"{self.name} takes {len(self.params)} parameter(s), got {len(values)}")
        full = []
        for i, p in enumerate(self.params):
            x = values[i] if i < len(values) else p.default
            if x is None:
                raise TypeError(f"{self.name} needs its parameter {p.name!r}")
            if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
                raise TypeError(f"{self.name}: parameter {p.name} must be a finite number, got {x!r}")
            full.append(float(x))
            if abs(x) >= 1e150:  # partials scale with the parameters: backward's fast way would not hold
                from .backprop import mark_large
                mark_large(math.inf)
        return _bound(self, tuple(full))

    def compute(self, *xs: float) -> float:
        """``value(*xs)`` with the engine's checks: the rule's own error outside its domain, and never a NaN or an
        infinity (OverflowError or ValueError naming the operation and the operands).

        >>> RULES["log"].compute(0.0)
        Traceback (most recent call last):
        ...
        ValueError: log: the operand must be > 0, got 0.0
        """
        try:
            out = self.value(*xs)
        except (ValueError, ArithmeticError) as error:
            raise self.refuse(list(xs), error=error) from None
        if out - out != 0.0:
            raise self.refuse(list(xs), out)
        return out  # type: ignore[no-any-return]

    def refuse(self, xs: list[Any], out: Any = None, error: BaseException | None = None) -> Exception:
        """The error for operands outside the domain (or a result that is not a finite number), naming the
        operation, the operands and what it accepts: ZeroDivisionError, ValueError or OverflowError."""
        operands = repr(xs[0]) if len(xs) == 1 else "(" + ", ".join(repr(x) for x in xs) + ")"
        which = ["the operand"] if len(xs) == 1 else [f"operand {i + 1}" for i in range(len(xs))]
        wrong = [f"{which[i]} must be {DOMAINS[d][1]}" for i, (d, x) in enumerate(zip(self.domain, xs))
                 if not DOMAINS[d][0](x)]
        said = str(error) if isinstance(error, ValueError) and "math domain" not in str(error) else ""
        if isinstance(error, ZeroDivisionError) or (not said and wrong and "non-zero" in wrong[0]):
            return ZeroDivisionError(f"{self.title}: division by zero for {operands}")
        if said or wrong:
            return ValueError(f"{self.title}: {said or '; '.join(wrong)}, got {operands}")
        if isinstance(error, OverflowError) or (out is not None and out == out):
            return OverflowError(f"{self.title}: the result overflows, too large for a float (|x| > 1.8e308), "
                                 f"for {operands}")
        return ValueError(f"{self.title}: the result is not a number for {operands}")

    def __repr__(self) -> str:
        return f"Rule({self.title!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # pickled by name, so an unpickled graph refers to the very rows of this table
        if self is CONSTANT:
            return (_constant_rule, ())
        if self.family is not None:
            return (_lookup_bound, (self.family.name, self.values))
        return (_lookup, (self.name,))


class _Names(dict):  # type: ignore[type-arg]
    """Template names; a name not known yet stays as it is written."""

    def __missing__(self, key: str) -> str:
        return key


@lru_cache(maxsize=1024)
def _bound(family: Rule, values: tuple[float, ...]) -> Rule:
    def value(*xs: Any) -> Any:
        return family.value(*xs, *values)

    def partials(out: Any, *xs: Any) -> Any:
        return family.partials(out, *xs, *values)

    def lift(f: Callable[..., Any] | None, float_form: Any = None) -> Callable[..., Any] | None:
        # a family without a numpy form gets none bound either: the compiled path then knows to loop
        return None if f is None or f is float_form else (lambda *xs: f(*xs, *values))

    rule = Rule(family.name, family.arity, value, partials, notation=family.notation,
                expression=family.expression, symbol=family.symbol, domain=family.domain, kink=family.kink,
                kinks=family.kinks, methods=(), function=None, array_value=lift(family.array_value, family.value),
                array_partials=lift(family.array_partials, family.partials), adjoint=lift(family.adjoint),
                activation=family.activation, bounded=family.bounded)
    rule.params, rule.values, rule.family = family.params, values, family
    rule.math = rule._math() or family.math
    if family.domain_of is not None:
        rule.domain = family.domain_of(*values)
    if family.kinks_of is not None:
        rule.kinks = family.kinks_of(*values)
    return rule


RULES: dict[str, Rule] = {}
"""Every registered rule by name: the one source of every list of operations."""

_LISTENERS: list[Callable[[Rule], None]] = []


def on_new_rule(listener: Callable[[Rule], None]) -> None:
    """Call ``listener(rule)`` for every rule registered so far and every one registered later (Value and
    Dual install their methods this way)."""
    _LISTENERS.append(listener)
    for rule in list(RULES.values()):
        listener(rule)


def defrule(rule: Rule) -> Rule:
    """Register a rule: the one entry point for a new primitive. It becomes a method of Value and Dual, a
    function of ``autograd.functions`` and of formulas, a row the trace tables write, a step the compiled
    path replays and an operation the strategies draw.

    >>> from autograd import Value, parse
    >>> cube = defrule(Rule("cube", 1, lambda x: x ** 3, lambda out, x: (3 * x * x,), notation=("3 {x}^2",)))
    >>> y = Value(2.0).cube(); y.backward(); (y.data, y.parents[0].grad, parse("cube(x)").evaluate(x=3.0).data)
    (8.0, 12.0, 27.0)
    >>> forget(cube)
    """
    if not isinstance(rule, Rule):
        raise TypeError(f"defrule takes a Rule, got {type(rule).__name__}")
    if rule.name in RULES:
        raise ValueError(f"a rule named {rule.name!r} exists already; forget() it first or choose another name")
    if not rule.name.isidentifier():
        raise ValueError(f"a rule's name must be an identifier, got {rule.name!r}")
    RULES[rule.name] = rule
    for listener in _LISTENERS:
        listener(rule)
    return rule


def forget(rule: Rule) -> None:
    """Remove a rule registered with ``defrule`` (its methods too): for tests and experiments."""
    if RULES.get(rule.name) is not rule:
        raise KeyError(f"{rule.name!r} is not registered")
    del RULES[rule.name]
    for listener in _LISTENERS:
        listener(rule)  # a listener sees a rule that is no longer in RULES as a removal


def _lookup(name: str) -> Rule:
    try:
        return RULES[name]
    except KeyError:
        raise ValueError(f"no rule named {name!r} is registered (was it made with defrule in this process?)") from None


def _lookup_bound(name: str, values: tuple[float, ...]) -> Rule:
    return _lookup(name).bind(*values)


def _constant_rule() -> Rule:
    return CONSTANT


# Leaves made from plain numbers (``x * 2``): a node of arity 0, so pictures and the compiled path tell them
# from inputs and parameters. Not in RULES: no formula calls it.
CONSTANT = Rule("const", 0, float, lambda out: (), "a constant: no operands", function=None)
