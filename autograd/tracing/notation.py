"""The trace's notation: each operation and its local partials written in v-names (``v2 v1' + v1 v2'``).

Both come from the rule's structured notation: ``rule.expression`` (``"{x} * {y}"``) and ``rule.notation``
(``("{y}", "{x}")``), templates whose names are the operands, ``out`` (the node itself) and the parameters.
"""

from __future__ import annotations

import re
from typing import Any

from ..rule import Rule

__all__ = ["number_text", "expression_text", "partial_texts", "term_text", "sum_text"]

_SIMPLE = re.compile(r"[\w.]+(\([^()]*\))?|\(.*\)")  # a coefficient that needs no parentheses


def number_text(x: float, fmt: str = "g") -> str:
    """A number as written inside a formula: negative ones in parentheses (``number_text(-2.0) == "(-2)"``)."""
    text = format(x, fmt)
    return f"({text})" if text.startswith("-") else text


def _names(rule: Rule, args: list[str], out: str) -> dict[str, str]:
    names = dict(zip(("x", "y"), args))
    names["out"] = out
    names.update((p.name, number_text(v)) for p, v in zip(rule.params, rule.values))
    return names


def expression_text(rule: Rule, args: list[str]) -> str:
    """The operation on its arguments' names: ``"v1 * v2"``, ``"-v1"``, ``"sin(v2)"``, ``"v1 ** 2"``.

    >>> from autograd import RULES
    >>> expression_text(RULES["mul"], ["v1", "v2"]), expression_text(RULES["power"].bind(2), ["v1"])
    ('v1 * v2', 'v1 ** 2')
    """
    if rule.name == "dot":
        n = len(args) // 2
        return f"dot([{', '.join(args[:n])}], [{', '.join(args[n:])}])"
    if rule.expression is not None and len(args) <= 2:
        return rule.expression.format(**_names(rule, args, ""))
    return f"{rule.name}({', '.join(args + [number_text(v) for v in rule.values])})"


def partial_texts(rule: Rule, args: list[str], out: str, partials: tuple[Any, ...]) -> list[str]:
    """``d out / d arg_j`` as formulas in v-names, from the rule's notation (the numbers when it has none).

    >>> from autograd import RULES
    >>> partial_texts(RULES["mul"], ["v1", "v2"], "v3", (0.5, 1.5)), partial_texts(RULES["exp"], ["v3"], "v5", (2.1,))
    (['v2', 'v1'], ['v5'])
    """
    notation = rule.notation
    if callable(notation):
        return list(notation(args))
    if notation is None or len(notation) != len(args):
        return [format(p, "g") for p in partials]
    names = _names(rule, args, out)
    return [template.format(**names) for template in notation]


def term_text(coefficient: str, symbol: str, coefficient_first: bool) -> str | None:
    """``coefficient`` times ``symbol`` (``"v2 v1'"``, ``"v5_bar v5"``); None when the coefficient is 0.

    >>> term_text("v2", "v1'", True), term_text("-1", "v4_bar", False), term_text("0", "v1'", True)
    ("v2 v1'", '-v4_bar', None)
    """
    if coefficient in ("0", "-0"):
        return None
    if coefficient == "1":
        return symbol
    if coefficient == "-1":
        return "-" + symbol
    if not _SIMPLE.fullmatch(coefficient):
        coefficient = f"({coefficient})"
    return f"{coefficient} {symbol}" if coefficient_first else f"{symbol} {coefficient}"


def sum_text(terms: list[str | None]) -> str:
    """The terms that are not None, added (``a + -b`` written ``a - b``); ``"0"`` if there are none.

    >>> sum_text(["v3_bar", None, "-v4_bar"])
    'v3_bar - v4_bar'
    """
    kept = [t for t in terms if t is not None]
    return " + ".join(kept).replace("+ -", "- ") if kept else "0"
