"""Cells of an exercise and their grading: one number to fill in, how it follows from the numbers it uses,
the slips that would give a wrong one, and a verdict per cell against the student's own earlier numbers.

A cell counts as right when it is the exact number (to three significant digits), or when it follows from
the student's own numbers for the cells it uses: one wrong early cell marks only itself wrong. A wrong cell
gets one hint, which names the slip it looks like and never the number.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple

__all__ = ["Cell", "Mistake", "Term", "Result", "grade", "close", "tolerance", "path_mistakes", "RTOL", "ATOL",
           "KINDS"]

# An answer counts when it agrees to about three significant digits: within RTOL of the cell's size or, for
# a sum, of the size of its terms (a sum that nearly cancels asks for no more digits than its terms have;
# an update W - alpha dW asks for the digits of its small change).
RTOL = 0.005
ATOL = 1e-6

KINDS = ("seed", "rule", "children", "sign", "missing_path", "partial", "degrees", "carried", "rounding", "domain")
"""The kinds of hint: the seed of a table; the general hint of a cell (its rule, or an adjoint's children);
and the slips recognised: a sign, a missing path, a wrong local partial, a calculator in degrees, a number
carried from another cell, too few decimals, an operand outside its function's domain."""


def tolerance(exact: float, scale: float | None = None) -> float:
    """How far an answer may be from ``exact``: ``ATOL + RTOL * scale`` (``|exact|`` if no scale is given)."""
    return ATOL + RTOL * (abs(exact) if scale is None else scale)


def close(answer: float, exact: float, scale: float | None = None) -> bool:
    """Whether ``answer`` counts for ``exact``, whose digits are taken of ``scale`` (``|exact|`` if None).

    >>> close(0.479, 0.479426), close(0.47, 0.479426), close(0.0045, 0.00448), close(0.0, 0.00448)
    (True, False, True, False)
    """
    return abs(answer - exact) <= tolerance(exact, scale)


class Mistake(NamedTuple):
    """A slip: the number a cell would get by it, and the hint that names it (without the right number)."""

    kind: str
    value: float
    hint: str


class Term(NamedTuple):
    """One path of a cell that sums over paths (a tangent, an adjoint, a weighted sum): its amount and name."""

    amount: float
    path: str


class Cell(NamedTuple):
    """One blank of a table.

    Attributes:
        name: as the table prints it (``v3``, ``v3'``, ``v3_bar``, ``delta[2]_1``).
        value: the exact number.
        uses: the names of the numbers it is computed from (other cells, or numbers given in the table).
        compute: the cell from a mapping that holds at least ``uses``; may raise outside a domain.
        hint: the general hint, for a wrong number that matches no known slip.
        kind: the kind of the general hint (``"rule"``, ``"children"``, ``"seed"``).
        mistakes: the slips a student could make here, computed from the same mapping as ``compute``.
        expression: the cell's formula in the table's notation.
        size: the size its three significant digits are taken of, from the same mapping as ``compute``: the
            size of its terms for a sum, of the change for an update; None: the cell's own size.
    """

    name: str
    value: float
    uses: tuple[str, ...]
    compute: Callable[[Mapping[str, float]], float]
    hint: str
    kind: str = "rule"
    mistakes: Callable[[Mapping[str, float]], list[Mistake]] = lambda numbers: []
    expression: str = ""
    size: Callable[[Mapping[str, float]], float] | None = None


def path_mistakes(terms: Sequence[Term], what: str) -> list[Mistake]:
    """The slips of a sum over paths: one path left out, or one path with the wrong sign.

    Args:
        terms: the paths, with the amounts computed from the student's numbers.
        what: what the paths are, for the hint (``"v3 feeds v4 and v5"``).

    >>> [m.kind for m in path_mistakes([Term(2.0, "v4"), Term(1.0, "v5")], "v3 feeds v4 and v5")]
    ['missing_path', 'missing_path', 'sign', 'sign']
    """
    if len(terms) < 2:
        return []
    total = math.fsum(t.amount for t in terms)
    out = [Mistake("missing_path", total - t.amount, f"{what}; your number looks like it leaves out {t.path}")
           for t in terms]
    out += [Mistake("sign", total - 2 * t.amount, f"{what}; your number looks like {t.path} has the wrong sign")
            for t in terms]
    return out


def _names(names: list[str]) -> str:
    """Names as a list, the middle of a long one left out."""
    if len(names) <= 6:
        return ", ".join(names)
    return f"{len(names)} cells, {', '.join(names[:3])}, ..., {names[-1]}"


class Result:
    """The verdict on a student's answers to one table.

    Attributes:
        score: the share of the blanks that are right, from 0.0 to 1.0.
        right, wrong, missing: cell names, in table order.
        hints: the hint for each wrong cell; kinds: the kind of each hint (one of ``KINDS``).
        follows: for a wrong cell, the later cells that follow from its number correctly (counted right).
        answers: the numbers that were checked.

    ``str()`` (and the notebook's display) is a score line and one line per wrong cell with its hint.
    """

    def __init__(self, cells: Sequence[str], answers: Mapping[str, float], right: list[str], wrong: list[str],
                 hints: dict[str, str], kinds: dict[str, str], follows: dict[str, list[str]]) -> None:
        self.answers = dict(answers)
        self.right, self.wrong = right, wrong
        self.missing = [name for name in cells if name not in answers]
        self.hints, self.kinds, self.follows = hints, kinds, follows
        self.score = len(right) / len(cells) if cells else 1.0
        self._total = len(cells)

    def __str__(self) -> str:
        lines = [f"{len(self.right)} of {self._total} right ({self.score:.0%})"
                 + (f"; wrong: {', '.join(self.wrong)}" if self.wrong else "")
                 + (f"; missing: {_names(self.missing)}" if self.missing else "")]
        for name in self.wrong:
            later = self.follows.get(name)
            note = f" ({', '.join(later)} {'follows' if len(later) == 1 else 'follow'} from your number and "\
                   f"{'counts' if len(later) == 1 else 'count'} as right)" if later else ""
            lines.append(f"  {name} = {self.answers[name]:g} is wrong: {self.hints[name]}{note}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)


def grade(cells: Sequence[Cell], known: Mapping[str, float], answers: Mapping[str, float],
          givens: Mapping[str, float], family: Callable[[str], str]) -> Result:
    """Check ``answers`` cell by cell, each against the student's own numbers for the cells it uses.

    Args:
        cells: the blanks of the table, in table order.
        known: the exact number of every cell and every given number the cells use.
        answers: the student's numbers by cell name (absent: missing).
        givens: the numbers printed in the table, which a student may carry into a wrong cell.
        family: which numbers can stand in for one another by a slip (``"v3"`` and ``"v4"``: both values).

    Returns:
        a Result.
    """
    own = {**known, **answers}  # the student's numbers where there are some, the exact ones elsewhere
    right: list[str] = []
    wrong: list[str] = []
    hints: dict[str, str] = {}
    kinds: dict[str, str] = {}
    followed: list[Cell] = []
    for cell in cells:
        if cell.name not in answers:
            continue
        answer = answers[cell.name]
        try:
            expected: float | None = cell.compute(own)
        except (ArithmeticError, ValueError) as error:  # a wrong earlier number outside a function's domain
            expected, failure = None, str(error)
        exact = close(answer, cell.value, _size(cell, known))
        if exact or (expected is not None and close(answer, expected, _size(cell, own))):
            right.append(cell.name)
            if not exact:
                followed.append(cell)
            continue
        wrong.append(cell.name)
        if expected is None:
            kinds[cell.name], hints[cell.name] = "domain", (f"it cannot follow from your numbers ({failure}): "
                                                            f"fix the cells it uses first")
        else:
            kinds[cell.name], hints[cell.name] = _diagnose(cell, answer, expected, own,
                                                                 {**givens, **answers}, family)
    follows = {name: [c.name for c in followed if name in c.uses] for name in wrong}
    return Result([c.name for c in cells], answers, right, wrong, hints, kinds,
                  {name: later for name, later in follows.items() if later})


def _size(cell: Cell, numbers: Mapping[str, float]) -> float | None:
    """The size the cell's digits are taken of, with these numbers (None: the cell's own size)."""
    return None if cell.size is None else cell.size(numbers)


def _diagnose(cell: Cell, answer: float, expected: float, own: Mapping[str, float], seen: Mapping[str, float],
              family: Callable[[str], str]) -> tuple[str, str]:
    """The kind and text of the hint for a wrong answer: the first slip it matches, else the general hint."""
    scale = _size(cell, own)
    if not cell.uses:  # a seed: there is nothing to slip on but the seed itself
        return cell.kind, cell.hint
    try:
        mistakes = cell.mistakes(own)
    except (ArithmeticError, ValueError):  # a slip that cannot even be computed from these numbers
        mistakes = []
    for mistake in mistakes:
        if not close(expected, mistake.value, scale) and close(answer, mistake.value, scale):
            return mistake.kind, mistake.hint
    if close(answer, -expected, scale):
        return "sign", f"the size is right but the sign is not; {cell.hint}"
    carried = _carried(cell, answer, own, seen, family, scale)
    if carried:
        return "carried", carried
    if abs(answer - expected) <= 5 * tolerance(expected, scale):
        return "rounding", "close, but not close enough: keep more digits (three significant digits of every term)"
    return cell.kind, cell.hint


def _carried(cell: Cell, answer: float, own: Mapping[str, float], seen: Mapping[str, float],
             family: Callable[[str], str], scale: float | None) -> str:
    """A hint if the answer follows from a number the student saw or wrote (``seen``), of the same family,
    put where one of ``cell.uses`` belongs: a number read from the wrong row."""
    for used in cell.uses:
        for source, number in seen.items():
            if source in (used, cell.name) or family(source) != family(used) or close(number, own[used]):
                continue
            try:
                carried = cell.compute({**own, used: number})
            except (ArithmeticError, ValueError):
                continue
            if close(answer, carried, scale):
                return (f"your number follows from {source} = {number:g} where {used} belongs: "
                        f"take {used} from its own row")
    return ""
