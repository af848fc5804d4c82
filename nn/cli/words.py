"""What is typed after ``dualgrad trace`` and ``dualgrad graph``: a formula and NAME=VALUE words, read into
a Value graph through ``autograd.formula``'s whitelist (the lecture's example when no formula is given).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from autograd.finite import check_number
from autograd.formula import FormulaError, parse
from autograd.functions import MANY, formula_functions
from autograd.rule import RULES
from autograd.value import Value, topological_order

__all__ = ["CommandError", "allowed", "LECTURE", "LECTURE_POINT", "lecture_example", "parse_assignments", "formula_in",
           "build", "leaves"]

LECTURE = "x1*x2 + exp(x1*x2) - sin(x2)"
LECTURE_POINT = {"x1": 1.5, "x2": 0.5}
_ASSIGNMENT = re.compile(r"\s*([^\W\d]\w*)\s*=(?!=)(.*)", re.DOTALL)


def _signature(name: str) -> str:
    """``exp`` for a function of one input; ``pow(x, y)``, ``leaky_relu(x, alpha)``, ``sum(x, ...)`` for others (read
    off the whitelist and the rule's parameters)."""
    _, operands, _, most = formula_functions()[name]
    if most == 1:
        return name
    if operands == MANY:
        return f"{name}(x, ...)"
    names = ["x", "y", "z"][:operands] + [parameter.name for parameter in RULES[name].params]
    return f"{name}({', '.join(names)})"


def allowed() -> str:
    """What a formula may contain, for the help texts: read off the parser's whitelist when a parser is built, so a
    rule defined after import is listed too."""
    return "numbers, variables, + - * / **, and the functions " + " ".join(map(_signature, formula_functions()))


class CommandError(Exception):
    """A problem with what was typed: printed as one message, exit code 1."""


def lecture_example(x1: float = 1.5, x2: float = 0.5) -> Value:
    """The lecture's f(x1, x2) = x1 x2 + exp(x1 x2) - sin(x2), built in the lecture's order v1 ... v7.

    >>> f = lecture_example(); f.backward(); round(f.data, 5), [round(n.grad, 5) for n in f.parents[1].parents]
    (2.38757, [3.117, -1.0])
    """
    v1, v2 = Value(x1, label="x1"), Value(x2, label="x2")
    v3 = v1 * v2
    v4 = v2.sin()
    v5 = v3.exp()
    v6 = v3 - v4
    return v5 + v6


def parse_assignments(items: Sequence[str]) -> dict[str, float]:
    """``["x1=1.5", "x2=1/3"]`` -> ``{"x1": 1.5, "x2": 0.333...}``: each value a number or a constant formula.

    Args:
        items: ``NAME=VALUE`` texts.

    Returns:
        the values by name.

    >>> parse_assignments(["w=-3", "b=2**0.5"])
    {'w': -3.0, 'b': 1.4142135623730951}
    """
    values: dict[str, float] = {}
    for item in items:
        match = _ASSIGNMENT.fullmatch(item)
        if not match:
            raise CommandError(f"expected NAME=VALUE (such as x1=1.5), got {item!r}")
        # NFKC, as Python's parser normalises the names in the formula
        name, text = unicodedata.normalize("NFKC", match.group(1)), match.group(2).strip()
        if name in values:
            raise CommandError(f"{name} is given twice ({name}={values[name]:g} and {item.strip()})")
        values[name] = _number(name, text)
    return values


def _number(name: str, text: str) -> float:
    if not text:
        raise CommandError(f"{name}= needs a number after the '=', such as {name}=1.5")
    try:
        return check_number(float(text), name)
    except ValueError as error:
        if "finite" in str(error):
            raise CommandError(f"{name}={text}: the value must be a finite number") from None
    try:  # a constant such as 1/3 or 2**0.5, through the same whitelist
        formula = parse(text)
        if not formula.variables:
            return check_number(formula(), name)
    except (FormulaError, ArithmeticError, ValueError):
        pass
    raise CommandError(f"{name}={text}: the value must be a number (or a constant such as 1/3), got {text!r}")


def formula_in(items: Sequence[str]) -> str | None:
    """The formula among the command line's words (the one word that is not NAME=VALUE), or None.

    >>> formula_in(["x=1", "x*x"]), formula_in(["x1=2"])
    ('x*x', None)
    """
    formulas = [item for item in items if not _ASSIGNMENT.fullmatch(item)]
    if len(formulas) > 1:
        raise CommandError(f"expected one formula and NAME=VALUE pairs, got {len(formulas)} formulas: "
                           + ", ".join(repr(f) for f in formulas) + " (quote the formula as one argument)")
    return formulas[0] if formulas else None


def build(items: Sequence[str]) -> tuple[str, Value, list[Value]]:
    """The formula's text, its output Value and its input Values, from the command line's words.

    Without a formula it is the lecture's example, at the point given (default x1 = 1.5, x2 = 0.5).
    """
    text = formula_in(items)
    values = parse_assignments([item for item in items if item != text])
    if text is None:
        unknown = sorted(set(values) - set(LECTURE_POINT))
        if unknown:
            raise CommandError(f"the lecture's example has the variables x1, x2; unknown: {', '.join(unknown)} "
                               "(give a formula to use other names)")
        root = lecture_example(**{**LECTURE_POINT, **values})
        return LECTURE, root, leaves(root)
    formula = parse(text)
    if not formula.variables:
        raise CommandError(f"the formula {text!r} has no variables: nothing to differentiate")
    missing = [name for name in formula.variables if name not in values]
    if missing:
        raise CommandError(f"missing a value for {', '.join(missing)}: add "
                           + " ".join(f"{name}=NUMBER" for name in missing))
    root = formula.evaluate(**values)
    return text, root, leaves(root)


def leaves(root: Value) -> list[Value]:
    """The input Values of ``root``'s graph: its nodes made by no rule, in topological order."""
    return [node for node in topological_order(root) if node.rule is None]
