"""What people mistype in formulas, said in plain words with the fix: ``2x`` is "write 2*x for a product".

Python's parser knows only that ``2x`` is an "invalid decimal literal"; a student needs to hear that a
product needs its ``*``. These functions look at the text around a syntax error and say what was meant.
They never accept anything: they only explain a refusal.
"""

from __future__ import annotations

import difflib
import keyword
import re
from collections.abc import Collection
from typing import NamedTuple

__all__ = ["Hint", "syntax_hint", "function_hint", "LOOKALIKES", "ALIASES"]

# Characters of printed maths that Python does not read, and what to type instead.
LOOKALIKES = {"\u2212": "-", "\u2013": "-", "\u00d7": "*", "\u00b7": "*", "\u22c5": "*", "\u2217": "*",
              "\u00f7": "/", "\u00b2": "**2", "\u00b3": "**3", "\u221a": "sqrt(...)"}
# Names from other notations for functions the whitelist has.
ALIASES = {"ln": "log", "atan": "arctan", "fabs": "abs", "heaviside": "step", "logistic": "sigmoid"}

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<number>0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+
                |(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?)
    | (?P<name>[^\W\d]\w*)
    | (?P<op>\*\*|==|!=|<=|>=|//|\S)
    )""", re.VERBOSE)
_ENDS_EARLY = ("+", "-", "*", "/", "**", "(", ",")


class Hint(NamedTuple):
    """A plain-words explanation of a syntax error and the columns (start, end) it is about."""

    message: str
    col: int
    end_col: int


class _Token(NamedTuple):
    kind: str  # "number", "name" or "op"
    text: str
    col: int

    @property
    def end(self) -> int:
        return self.col + len(self.text)


def _tokens(line: str) -> list[_Token]:
    tokens, position = [], 0
    while position < len(line):
        match = _TOKEN.match(line, position)
        if match is None or match.end() == position:  # only blanks were left
            break
        kind = match.lastgroup or "op"
        tokens.append(_Token(kind, match.group(kind), match.start(kind)))
        position = match.end()
    return tokens


def _operand_end(token: _Token) -> bool:
    return token.kind == "number" or (token.kind == "name" and not keyword.iskeyword(token.text)) \
        or token.text == ")"


def _operand_start(token: _Token) -> bool:
    return token.kind in ("number", "name") and not keyword.iskeyword(token.text)


def syntax_hint(line: str, message: str, functions: Collection[str]) -> Hint | None:
    """What a syntax error in a one-line formula most likely means, or ``None`` to keep Python's words.

    Args:
        line: the formula's line with the error.
        message: Python's message (``SyntaxError.msg``).
        functions: the names of the functions a formula may call.

    Returns:
        the hint, with the columns to underline.

    >>> syntax_hint("3 + 2x", "invalid decimal literal", ["sin"])
    Hint(message='write 2*x for a product', col=4, end_col=6)
    >>> syntax_hint("sin x", "invalid syntax", ["sin"]).message
    'write sin(x) to call sin'
    """
    found = min((line.index(c) for c in LOOKALIKES if c in line), default=None)
    if found is not None:  # Python's words for these differ between versions ("invalid decimal literal" for 2×x)
        char = line[found]
        return Hint(f"invalid character {char!r} (U+{ord(char):04X}): write {LOOKALIKES[char]} instead", found,
                    found + 1)
    tokens = _tokens(line)
    if "never closed" in message:
        opening = message.split("'")[1] if message.count("'") >= 2 else "("
        closing = {"(": ")", "[": "]", "{": "}"}.get(opening, ")")
        col = line.find(opening)
        return Hint(f"this {opening!r} is never closed: add a {closing!r}", max(col, 0), max(col, 0) + 1)
    if message.startswith("unmatched"):
        col = line.find(message.split("'")[1]) if message.count("'") >= 2 else line.find(")")
        return Hint(f"this {line[col]!r} has no opening bracket before it", col, col + 1) if col >= 0 else None
    for left, right in zip(tokens, tokens[1:]):
        if _operand_end(left) and _operand_start(right) and left.end <= right.col:
            if left.kind == "name" and left.text in functions:
                fix = f"write {left.text}({right.text}) to call {left.text}"
            else:
                product = f"write {left.text}*{right.text} for a product"
                fix = product if left.end == right.col else f"two terms side by side: {product}"
            return Hint(fix, left.col, right.end)
    equals = [t for t in tokens if t.text == "="]
    if equals:
        return Hint("'=' cannot stand in a formula; give each value after it, as NAME=VALUE", equals[0].col,
                    equals[0].end)
    if tokens and tokens[-1].text in _ENDS_EARLY:
        last = tokens[-1]
        return Hint(f"the formula ends after {last.text!r}: something is missing after it", last.col, last.end)
    return None


def function_hint(name: str, functions: Collection[str]) -> str:
    """Why ``name(...)`` is refused, with the likely fix.

    >>> function_hint("ln", ["log", "exp"])
    "unknown function 'ln': did you mean log? (known: exp, log)"
    """
    known = ", ".join(sorted(functions))
    meant = ALIASES.get(name) if ALIASES.get(name) in functions else None
    meant = meant or next(iter(difflib.get_close_matches(name, list(functions), n=1, cutoff=0.75)), None)
    if meant:
        return f"unknown function {name!r}: did you mean {meant}? (known: {known})"
    return f"unknown function {name!r} (known: {known}); for a product write {name}*(...)"
