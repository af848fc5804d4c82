"""A formula's trace tables as an exercise: the primal, tangent and adjoint traces with blanks, laid out as
the lecture writes them (the adjoint trace beside the primal one, from the last row back).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..formula import parse
from ..rule import Rule
from ..tracing import Table, trace
from ..tracing.notation import expression_text, number_text
from ..value import Value
from .generate import generate
from .trace_cells import adjoint_cells, primal_cells, tangent_cells
from .worksheet import Exercise, Sheet

__all__ = ["FormulaExercise", "exercise"]


def _formula(t: Any) -> str:
    """The graph written back as one formula in its inputs' labels (shared parts written out each time)."""
    texts: dict[Value, str] = {}
    for e in t.entries:
        if e.kind == "input":
            texts[e.node] = e.expression
            continue
        operator = _operator(e.node.rule)  # a call needs no parentheses around its arguments
        texts[e.node] = expression_text(e.node.rule, [
            number_text(p.data) if p not in texts else
            f"({texts[p]})" if operator and p.rule is not None and _operator(p.rule)
            else texts[p] for p in e.node.parents])
    return texts[t.output]


def _family(name: str) -> str:
    """Values, tangents and adjoints: the numbers a slip can swap for one another."""
    return "tangent" if name.endswith("'") else "adjoint" if name.endswith("_bar") else "value"


class FormulaExercise(Exercise):
    """The trace tables of one graph with blanks: ``"primal"`` (v3 ...), ``"tangent"`` (v1' ...), ``"adjoint"``.

    Args:
        root: the output Value (it is only read: no ``backward()``, no ``.grad`` changed).
        text: the formula, for the title.
        about: a note for the title (``"level 2, seed 7"``).
    """

    modes = ("primal", "tangent", "adjoint")
    mode = "adjoint"

    def __init__(self, root: Value, text: str = "", about: str = "") -> None:
        self.trace = trace(root)
        if not any(e.kind == "op" for e in self.trace.entries):
            raise ValueError("the formula has no operation: there is no trace to fill in")
        self.text = text or _formula(self.trace)
        inputs = [e.expression for e in self.trace.inputs]
        point = ", ".join(f"{e.expression} = {e.node.data:g}" for e in self.trace.inputs)
        self.title = f"f({', '.join(inputs)}) = {self.text} at {point}" + (f" ({about})" if about else "")
        self._sheets: dict[tuple[str, Value | None], Sheet] = {}
        self._values = {e.name: e.node.data for e in self.trace.entries}
        self._adjoints = {f"{r.name}_bar": r.adjoint for r in self.trace.reverse_table().rows}

    def wrt(self, wrt: Any = None) -> Value:
        """The input a tangent table differentiates by: a Value, its label or ``"v1"``; the first by default."""
        if wrt is None:
            return self.trace.inputs[0].node
        for e in self.trace.inputs:
            if e.node is wrt or wrt in (e.name, e.expression):
                return e.node
        names = ", ".join(f"{e.name} ({e.expression})" for e in self.trace.inputs)
        raise ValueError(f"wrt={wrt!r} is not an input of this formula; its inputs are {names}")

    def sheet(self, mode: str | None = None, wrt: Any = None) -> Sheet:
        mode = mode or self.mode
        if mode not in self.modes:
            raise ValueError(f"mode must be one of {', '.join(self.modes)}, got {mode!r}")
        seed = self.wrt(wrt) if mode == "tangent" else None
        if wrt is not None and mode != "tangent":
            self.wrt(wrt)  # a wrong name is an error in every mode
        key = (mode, seed)
        if key not in self._sheets:
            self._sheets[key] = self._make(mode, seed)
        return self._sheets[key]

    def _make(self, mode: str, seed: Value | None) -> Sheet:
        t = self.trace
        if mode == "primal":
            cells = primal_cells(t)
            givens = {e.name: e.node.data for e in t.inputs}
        else:
            cells = tangent_cells(t, seed) if seed is not None else adjoint_cells(t)
            givens = dict(self._values)
        known = {**self._values, **self._adjoints, **{c.name: c.value for c in cells}}
        return Sheet(mode, tuple(cells), known, givens, _family, self._renderer(mode, seed, cells))

    def _renderer(self, mode: str, seed: Value | None, cells: list[Any]) -> Any:
        t = self.trace
        formulas = {c.name: c.expression for c in cells}
        entries = t.entries
        primal = [[f"{e.name} = {e.expression}", format(e.node.data, ".6g")] for e in entries]

        def render(texts: Mapping[str, str], show: bool) -> Table:
            def cell(name: str) -> list[str]:
                return [formulas[name] if show else name, texts[name]]

            if mode == "primal":
                lines = [[line[0], line[1] if e.kind == "input" else texts[e.name]] for e, line in zip(entries, primal)]
                return Table(f"Primal trace of {self.title}", ["primal trace", "value"], entries, lines,
                             [False, True])
            if mode == "tangent":
                assert seed is not None
                lines = [line + cell(f"{e.name}'") for e, line in zip(entries, primal)]
                by = seed.label or t.name(seed)
                return Table(f"Tangent trace (d/d {by}) of {self.title}",
                             ["primal trace", "value", "tangent trace", "tangent"], entries, lines,
                             [False, True, False, True])
            lines = [line + cell(f"{e.name}_bar") for line, e in zip(primal, reversed(entries))]
            return Table(f"Adjoint trace of {self.title}", ["primal trace", "value", "adjoint trace", "adjoint"],
                         entries, lines, [False, True, False, True])

        return render


def exercise(formula: str | Value | None = None, *, seed: int | None = None, level: int | None = None,
             **values: float) -> FormulaExercise:
    """An exercise on the trace tables of a formula: given, or generated from a seed.

    Args:
        formula: a formula such as ``"x1*x2 + exp(x1*x2) - sin(x2)"`` (read by ``autograd.parse``), or an
            output Value whose graph is used as it is (never changed).
        seed: make a formula instead: the same seed and level give the same exercise.
        level: 1 (3-5 operations of + - * and one function), 2 (5-8 operations, a shared sub-expression)
            or 3 (8-12 operations over the lecture's functions, a shared sub-expression, a constant).
        values: the formula's variables, by name.

    Returns:
        a FormulaExercise: ``.table(mode)``, ``.blanks(mode)``, ``.check(answers)``, ``.reveal(cell)``.

    >>> ex = exercise("x1*x2 + exp(x1*x2) - sin(x2)", x1=1.5, x2=0.5)
    >>> ex.blanks("adjoint")
    ['v7_bar', 'v6_bar', 'v5_bar', 'v4_bar', 'v3_bar', 'v2_bar', 'v1_bar']
    >>> result = ex.check({"v7_bar": 1, "v6_bar": -1, "v5_bar": 1, "v4_bar": 1, "v3_bar": 2.117})
    >>> round(result.score, 2), result.wrong, result.kinds, result.missing
    (0.57, ['v3_bar'], {'v3_bar': 'missing_path'}, ['v2_bar', 'v1_bar'])
    """
    if formula is None:
        if values:
            raise TypeError(f"values ({', '.join(values)}) need a formula; a generated exercise makes its own")
        if seed is None:
            raise TypeError("exercise() needs a formula and its values, or seed= (and level=) for a generated one")
        level = 1 if level is None else level
        text, point = generate(seed, level)
        return FormulaExercise(parse(text).evaluate(**point), text, f"level {level}, seed {seed}")
    if seed is not None or level is not None:
        raise TypeError("seed= and level= make a generated exercise: give them without a formula")
    if isinstance(formula, Value):
        if values:
            raise TypeError("a Value already holds its numbers: give no values with it")
        return FormulaExercise(formula)
    if not isinstance(formula, str):
        raise TypeError(f"formula must be a str or a Value, got {type(formula).__name__}")
    return FormulaExercise(parse(formula).evaluate(**values), formula)


def _operator(rule: Rule) -> bool:
    """True for a rule the tables write as an operator (``a * b``, ``-a``, ``a ** 2``), not a call."""
    return rule.expression is not None and not rule.expression.endswith(")")
