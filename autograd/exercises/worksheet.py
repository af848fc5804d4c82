"""An exercise as a student meets it: tables with blanks, the list of blanks, a check of the numbers filled
in, and the answers when asked. A formula's trace tables and the network homework differ only in their
sheets (``Exercise.sheet``); everything a student calls is written once, here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from ..finite import check_number
from ..tracing import Table
from .cells import Cell, Result, grade

__all__ = ["Exercise", "Sheet", "Row", "BLANK"]

BLANK = "____"


class Row(NamedTuple):
    """A printed row of a sheet's table: its name (``table["z[1]_1"]``) and its texts."""

    name: str
    cells: list[str]


class Sheet(NamedTuple):
    """One table to fill in.

    Attributes:
        mode: which table (``"adjoint"``, ``"forward"``, ...).
        cells: its blanks, in table order.
        known: the exact number of every cell and every given number the cells use.
        givens: the numbers the blank table prints.
        family: which names can be mixed up by a slip (a value with a value, an adjoint with an adjoint).
        render: the table with the given texts in its blanks; the flag shows each blank's formula.
    """

    mode: str
    cells: tuple[Cell, ...]
    known: Mapping[str, float]
    givens: Mapping[str, float]
    family: Callable[[str], str]
    render: Callable[[Mapping[str, str], bool], Table]


class Exercise:
    """Tables with blanks, checked cell by cell. Subclasses say what their sheets are.

    Attributes:
        title: what the exercise is about (the formula and its point, or the network).
        modes: the tables it has; mode: the one used when none is named.
    """

    title = ""
    modes: tuple[str, ...] = ()
    mode = ""

    def sheet(self, mode: str | None = None, wrt: Any = None) -> Sheet:
        """The sheet of ``mode`` (the default mode if None); ``wrt`` chooses a tangent table's input."""
        raise NotImplementedError

    def blanks(self, mode: str | None = None, wrt: Any = None) -> list[str]:
        """The names of the cells to fill in for ``mode``, in table order."""
        return [cell.name for cell in self.sheet(mode, wrt).cells]

    def table(self, mode: str | None = None, wrt: Any = None, formulas: bool = False, solved: bool = False) -> Table:
        """The table of ``mode`` with its blanks (``____``); it prints as text, and as HTML in a notebook.

        Args:
            mode: which table (the default mode if None).
            wrt: the input of a tangent table (its first input by default).
            formulas: show each blank's formula (an easier exercise).
            solved: fill in the answers (and the formulas).
        """
        sheet = self.sheet(mode, wrt)
        texts = {cell.name: format(cell.value, ".6g") if solved else BLANK for cell in sheet.cells}
        return sheet.render(texts, formulas or solved)

    def check(self, answers: Mapping[str, float | None] | Sequence[float | None], mode: str | None = None,
              wrt: Any = None) -> Result:
        """Check a student's numbers, each cell against the student's own numbers for the cells it uses.

        Args:
            answers: numbers by cell name (the mode is read off the names), or a list in table order
                (of the default mode unless ``mode`` is given); ``None`` or an absent cell is missing.
            mode: which table, if not read off the names.
            wrt: the input of a tangent table.

        Returns:
            a Result: ``.score``, ``.right``, ``.wrong``, ``.missing``, ``.hints``; it prints one line per
            wrong cell with a hint, never with the right number.
        """
        if isinstance(answers, Mapping):
            if mode is None and answers:
                mode = self.mode_of(list(answers), wrt)
            sheet = self.sheet(mode, wrt)
            names = [cell.name for cell in sheet.cells]
            unknown = [name for name in answers if name not in names]
            if unknown:
                raise ValueError(f"{', '.join(map(str, unknown))}: not a blank of the {sheet.mode} table; "
                                 f"its blanks are {', '.join(names)}")
            pairs = list(answers.items())
        elif isinstance(answers, Sequence) and not isinstance(answers, str):
            sheet = self.sheet(mode, wrt)
            names = [cell.name for cell in sheet.cells]
            if len(answers) > len(names):
                raise ValueError(f"{len(answers)} answers for the {len(names)} blanks of the {sheet.mode} table")
            pairs = list(zip(names, answers))
        else:
            raise TypeError(f"answers are a dict of cell name -> number or a list in table order, "
                            f"got {type(answers).__name__}")
        numbers = {name: check_number(value, name) for name, value in pairs if value is not None}
        return grade(sheet.cells, sheet.known, numbers, sheet.givens, sheet.family)

    def mode_of(self, names: Sequence[str], wrt: Any = None) -> str:
        """The first mode whose blanks include all ``names`` (the cells of one table)."""
        for mode in self.modes:
            blanks = set(self.blanks(mode, wrt))
            if all(name in blanks for name in names):
                return mode
        every = {mode: set(self.blanks(mode, wrt)) for mode in self.modes}
        unknown = [name for name in names if not any(name in blanks for blanks in every.values())]
        if unknown:
            raise ValueError(f"{', '.join(map(str, unknown))}: not a blank of this exercise; "
                             + "; ".join(f"{mode}: {', '.join(self.blanks(mode, wrt))}" for mode in self.modes))
        raise ValueError(f"the answers mix cells of several tables ({', '.join(names)}): check one table at a time "
                         f"or name the mode")

    def reveal(self, cell: str, wrt: Any = None) -> float:
        """The exact number of one cell (``"v3_bar"``), when the student asks for it."""
        return self.solution(self.mode_of([cell], wrt), wrt)[cell]

    def solution(self, mode: str | None = None, wrt: Any = None) -> dict[str, float]:
        """Every blank of ``mode`` with its exact number, in table order (``table(solved=True)`` prints them)."""
        return {cell.name: cell.value for cell in self.sheet(mode, wrt).cells}

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.title}; tables: {', '.join(self.modes)}>"
