"""The tables of a trace: their rows, and a Table that prints them as aligned text, HTML or markdown."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any, NamedTuple

from ..value import Value

__all__ = ["Table", "ForwardRow", "ReverseRow", "Contribution", "MAX_PAD"]


class Contribution(NamedTuple):
    """``amount = adjoint(child) * partial``, passed from ``child`` to its argument ``parent`` (operand ``slot``)."""

    child: Value
    parent: Value
    child_name: str
    parent_name: str
    adjoint: float
    partial: float
    amount: float
    slot: int = 0


class ForwardRow(NamedTuple):
    """A row of the forward table: ``name = expression`` (value), ``name' = tangent_expression`` (tangent)."""

    name: str
    expression: str
    value: float
    tangent_expression: str
    tangent: float


class ReverseRow(NamedTuple):
    """A row of the reverse table: ``name_bar = expression``, the contributions received, the adjoint."""

    name: str
    expression: str
    contributions: tuple[Contribution, ...]
    adjoint: float
    label: str


MAX_PAD = 64
"""Text tables pad a column to its widest cell of at most this many characters; a longer cell is printed
whole and pushes the rest of its row right, so a huge table prints in time and space linear in its size."""


class Table:
    """Rows with exact numbers, printed as aligned text, an HTML table (Jupyter) or markdown.

    ``table["v3"]`` is the row named v3; ``table.rows`` keeps every number exactly.
    """

    def __init__(self, title: str, headers: Sequence[str], rows: Sequence[Any], cells: Sequence[Sequence[str]],
                 numeric: Sequence[bool]) -> None:
        self.title, self.headers, self.rows = title, tuple(headers), list(rows)
        self.cells, self.numeric = [list(c) for c in cells], tuple(numeric)

    def __getitem__(self, name: str) -> Any:
        if not hasattr(self, "_by_name"):
            self._by_name = {row.name: row for row in self.rows}
        try:
            return self._by_name[name]
        except KeyError:
            shown = ", ".join(r.name for r in self.rows[:8]) + (", ..." if len(self.rows) > 8 else "")
            raise KeyError(f"no row named {name!r}; rows: {shown}") from None

    def __len__(self) -> int:
        return len(self.rows)

    def __str__(self) -> str:
        lines = [self.headers, *self.cells]
        widths = [max((len(line[i]) for line in lines if len(line[i]) <= MAX_PAD), default=0)
                  for i in range(len(self.headers))]

        def join(line: Sequence[str]) -> str:
            return "  ".join(c.rjust(w) if num else c.ljust(w)
                             for c, w, num in zip(line, widths, self.numeric)).rstrip()

        rule = "  ".join("-" * w for w in widths)
        return "\n".join([self.title, join(self.headers), rule, *map(join, self.cells)])

    def _repr_html_(self) -> str:
        def row(tag: str, line: Sequence[str]) -> str:
            return "<tr>" + "".join(f'<{tag} style="text-align:{"right" if num else "left"}">{html.escape(c)}</{tag}>'
                                    for c, num in zip(line, self.numeric)) + "</tr>"

        body = "".join(row("td", line) for line in self.cells)
        return (f"<table><caption>{html.escape(self.title)}</caption><thead>{row('th', self.headers)}</thead>"
                f"<tbody>{body}</tbody></table>")

    def to_markdown(self) -> str:
        """The table in GitHub markdown (``|`` and ``*`` escaped)."""
        def row(line: Sequence[str]) -> str:
            return "| " + " | ".join(c.replace("|", "\\|").replace("*", "\\*") for c in line) + " |"

        align = "|" + "|".join("---:" if num else ":---" for num in self.numeric) + "|"
        return "\n".join([f"**{self.title}**", "", row(self.headers), align, *map(row, self.cells)])

    def __repr__(self) -> str:
        return str(self)
