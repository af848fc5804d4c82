"""The trace's notation: each operation and its local partials written in v-names (``v2 v1' + v1 v2'``).

The partials are read from the rule table's one-line math (``"d(x * y) = (y, x)"``), numbers if unreadable.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..ops import Rule
from ..value import Value

__all__ = ["number_text", "expression_text", "partial_formulas", "term_text", "sum_text"]


def number_text(x: float, fmt: str = "g") -> str:
    """A number as written inside a formula: negative ones in parentheses (``number_text(-2.0) == "(-2)"``)."""
    text = format(x, fmt)
    return f"({text})" if text.startswith("-") else text


_VARIABLE = re.compile(r"\b[xy]\b")
_REMARK = re.compile(r"\s*\([^()]*:[^()]*\)\s*$")  # "0 (Heaviside: 1 at x >= 0)" -> "0"
_SIMPLE = re.compile(r"[\w.]+(\([^()]*\))?|\(.*\)")


def _split_top(text: str) -> list[str]:
    """Split at the commas that are not inside parentheses."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    return [*parts, text[start:].strip()]


def expression_text(node: Value, args: list[str]) -> str:
    """The operation ``node`` on its arguments' names: ``"v1 * v2"``, ``"-v1"``, ``"sin(v2)"``."""
    rule = node.rule
    assert rule is not None
    if rule.symbol and len(args) == 2:
        return f"{args[0]} {rule.symbol} {args[1]}"
    if rule.name == "neg":
        return f"-{args[0]}"
    if rule.name == "pow" and rule.params:
        return f"{args[0]} ** {number_text(rule.params[0])}"
    if rule.name == "dot":
        n = len(args) // 2
        return f"dot([{', '.join(args[:n])}], [{', '.join(args[n:])}])"
    return f"{rule.name}({', '.join(args + [number_text(p) for p in rule.params])})"


@lru_cache(maxsize=1024)
def _templates(rule: Rule) -> tuple[str, ...]:
    """The partials of the rule's one-line math (``"d(x * y) = (y, x)"`` -> ``["y", "x"]``); [] if unreadable."""
    rhs = _REMARK.sub("", rule.math.rsplit(" = ", 1)[-1]).strip()
    return (rhs,) if rule.arity == 1 else tuple(_split_top(rhs[1:-1])) if rhs[:1] + rhs[-1:] == "()" else ()


def partial_formulas(node: Value, name: str, args: list[str], expression: str) -> list[str]:
    """``d node / d arg_j`` as formulas in v-names, from the rule's one-line math (numbers if it can't be read)."""
    rule = node.rule
    assert rule is not None
    if rule.name == "sum":
        return ["1"] * len(args)
    if rule.name == "dot":  # d/dw_i = x_i, d/dx_i = w_i
        n = len(args) // 2
        return args[n:] + args[:n]
    terms = _templates(rule)
    if len(terms) != len(args):
        return [format(p, "g") for p in node.partials]
    names = dict(zip("xy", args))
    texts = [_VARIABLE.sub(lambda m: names.get(m.group(), m.group()), t) for t in terms]
    if rule.arity == 1 and rule.symbol is None:
        # A partial that reuses the output (exp, tanh, sigmoid) names it, as the lecture writes v5_bar v5.
        texts = [t.replace(expression, name).replace(f"{rule.name}({args[0]})", name) for t in texts]
    return texts


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

