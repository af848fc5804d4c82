"""The blanks of a formula's three trace tables, with their hints read off the graph and the rule table:
a value ``v3`` from its operands, a tangent ``v3'`` from its operands' tangents, an adjoint ``v3_bar`` from
its children's adjoints. The exact numbers are the trace's own (its tables never touch ``.grad``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from ..functions import apply
from ..rule import CONSTANT
from ..tracing import Entry, Trace
from ..tracing.notation import term_text
from ..value import Value
from .cells import Cell, Mistake, Term, close, path_mistakes

__all__ = ["primal_cells", "tangent_cells", "adjoint_cells", "operation"]

# What a function computes, where its name does not say it (the rule table holds the derivatives).
DEFINITIONS = {"sigmoid": "sigmoid(x) = 1 / (1 + exp(-x))", "softplus": "softplus(x) = log(1 + exp(x))",
               "relu": "relu(x) = max(0, x)", "log": "log is the natural logarithm ln",
               "arctan": "arctan gives radians", "tanh": "tanh(x) = (exp(x) - exp(-x)) / (exp(x) + exp(-x))"}


def operation(t: Trace, node: Value) -> str:
    """The row that made ``node``: ``"v4 = exp(v3)"``."""
    entry = _entry(t, node)
    return f"{entry.name} = {entry.expression}"


def _entry(t: Trace, node: Value) -> Entry:
    return t[t.name(node)]


def _seed(value: float) -> Callable[[Mapping[str, float]], float]:
    return lambda numbers: value


def _listing(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def primal_cells(t: Trace) -> list[Cell]:
    """One cell per operation, v(k+1) ... vn: its value from the student's values of its operands."""
    return [_primal(t, e) for e in t.entries if e.kind == "op"]


def _primal(t: Trace, e: Entry) -> Cell:
    rule = e.node.rule
    assert rule is not None
    operands = [(None if p.rule is CONSTANT else t.name(p), p.data) for p in e.node.parents]
    uses = tuple(dict.fromkeys(name for name, _ in operands if name))

    def inputs(numbers: Mapping[str, float]) -> list[float]:
        return [data if name is None else numbers[name] for name, data in operands]

    def compute(numbers: Mapping[str, float]) -> float:
        return float(apply(rule, *inputs(numbers)))

    def mistakes(numbers: Mapping[str, float]) -> list[Mistake]:
        if rule.arity != 1 or rule.name == "neg":
            return []
        x = inputs(numbers)[0]
        found = [Mistake("sign", float(apply(rule, -x)), f"{e.expression} looks computed at -{uses[0]}: "
                                                         f"mind the sign of {uses[0]}")]
        degrees = {"sin": lambda: math.sin(math.radians(x)), "cos": lambda: math.cos(math.radians(x)),
                   "arctan": lambda: math.degrees(math.atan(x))}.get(rule.name)
        if degrees:
            found.append(Mistake("degrees", degrees(), "your calculator seems to be in degrees: set it to radians"))
        return found

    definition = f" ({DEFINITIONS[rule.name]})" if rule.name in DEFINITIONS else ""
    plural = "numbers" if len(uses) > 1 else "number"
    hint = f"{e.name} = {e.expression}{definition}, with your {plural} for {_listing(list(uses))}"

    def size(numbers: Mapping[str, float]) -> float:  # a sum that nearly cancels: the digits of its terms
        xs = inputs(numbers)
        if rule.name == "dot":
            return math.fsum(abs(w * x) for w, x in zip(xs[:len(xs) // 2], xs[len(xs) // 2:]))
        return math.fsum(map(abs, xs))

    summed = rule.name in ("add", "sub", "sum", "dot")
    return Cell(e.name, e.node.data, uses, compute, hint, "rule", mistakes, f"{e.name} = {e.expression}",
                size if summed else None)


def _wrong_partials(child: Value, slot: int) -> list[tuple[str, str, float]]:
    """Local partials a student might use instead of ``d child / d parents[slot]``: (kind, what went wrong, it)."""
    rule = child.rule
    assert rule is not None
    xs = [p.data for p in child.parents]
    found: list[tuple[str, str, float]] = []
    if rule.name == "mul":
        found.append(("partial", f"the partial of x * y by one factor is the other factor: {rule.math}", xs[slot]))
    elif rule.arity == 1 and rule.name != "neg":
        x = xs[0]
        found.append(("partial", f"it uses the function's value where its derivative belongs: {rule.math}",
                      child.data))
        try:  # the rule's partial written with the operand where it uses the output (sigmoid'(z) = z (1 - z))
            found.append(("partial", f"it uses the operand where the rule uses the output: {rule.math}",
                          float(rule.partials(x, x)[0])))
        except (ArithmeticError, ValueError):
            pass
        found.append(("partial", f"it leaves out the local partial ({rule.math})", 1.0))
        if rule.name == "sin":
            found.append(("degrees", "cos looks computed in degrees: set the calculator to radians",
                          math.cos(math.radians(x))))
        if rule.name == "cos":
            found.append(("degrees", "sin looks computed in degrees: set the calculator to radians",
                          -math.sin(math.radians(x))))
    right = child.partials[slot]
    return [(kind, text, value) for kind, text, value in found if math.isfinite(value) and not close(value, right)]


def _sum_cell(name: str, value: float, paths: list[tuple[str, float, Value, int, str]], hint: str, kind: str,
              what: str, expression: str) -> Cell:
    """A cell that adds ``partial * factor`` over paths (factor: the number of another cell).

    Each path is (the factor's cell, the local partial, the node whose partial it is, its slot, the path's name).
    """
    uses = tuple(dict.fromkeys(source for source, *_ in paths))

    def terms(numbers: Mapping[str, float]) -> list[Term]:
        return [Term(partial * numbers[source], path) for source, partial, _, _, path in paths]

    def compute(numbers: Mapping[str, float]) -> float:
        return math.fsum(term.amount for term in terms(numbers))

    def mistakes(numbers: Mapping[str, float]) -> list[Mistake]:
        amounts = terms(numbers)
        total = math.fsum(term.amount for term in amounts)
        found = path_mistakes(amounts, what)
        for (source, _, node, slot, path), term in zip(paths, amounts):
            for wrong_kind, text, wrong in _wrong_partials(node, slot):
                found.append(Mistake(wrong_kind, total - term.amount + wrong * numbers[source], f"in {path}, {text}"))
        return found

    def size(numbers: Mapping[str, float]) -> float:
        return math.fsum(abs(term.amount) for term in terms(numbers))

    return Cell(name, value, uses, compute, hint, kind, mistakes, expression, size)


def tangent_cells(t: Trace, wrt: Value) -> list[Cell]:
    """v1' ... vn' for d/d ``wrt``: the inputs' seeds, then each operation's tangent from its operands' tangents."""
    table = t.forward_table(wrt=wrt)
    by = wrt.label or t.name(wrt)
    cells = []
    for e, row in zip(t.entries, table.rows):
        name = f"{e.name}'"
        expression = f"{name} = {row.tangent_expression}"
        if e.kind == "input":
            seed = f"{name} is an input's tangent, the seed: 1 for the input you differentiate by ({by}), 0 for others"
            cells.append(Cell(name, row.tangent, (), _seed(row.tangent), seed, "seed", expression=expression))
            continue
        rule = e.node.rule
        assert rule is not None
        coefficients = t.partial_texts(e)
        paths = [(f"{t.name(p)}'", e.node.partials[slot], e.node, slot,
                  f"the term {term_text(coefficients[slot], t.name(p) + chr(39), True) or t.name(p) + chr(39)}")
                 for slot, p in enumerate(e.node.parents) if p.rule is not CONSTANT]
        operands = _listing(list(dict.fromkeys(source for source, *_ in paths)))
        hint = (f"{name} sums (local partial) x (tangent) over the operands of {e.name} = {e.expression} "
                f"({rule.math}): {operands}")
        cells.append(_sum_cell(name, row.tangent, paths, hint, "rule",
                               f"{e.name} = {e.expression} has a term for each operand", expression))
    return cells


def adjoint_cells(t: Trace) -> list[Cell]:
    """vn_bar ... v1_bar: the output's seed, then each node's adjoint from its children's adjoints."""
    cells = []
    rows = t.reverse_table().rows
    for row in rows:
        name = f"{row.name}_bar"
        expression = f"{name} = {row.expression}"
        if not row.contributions:
            seed = f"{name} is the output's adjoint, the seed d f / d f = 1"
            cells.append(Cell(name, row.adjoint, (), _seed(row.adjoint), seed, "seed", expression=expression))
            continue
        paths: list[tuple[str, float, Value, int, str]] = []
        seen: dict[Value, int] = {}
        for c in row.contributions:  # x * x passes twice, from slot 0 and slot 1
            slot = c.child.parents.index(c.parent, seen.get(c.child, 0))
            seen[c.child] = slot + 1
            paths.append((f"{c.child_name}_bar", c.partial, c.child, slot,
                          f"the path through {operation(t, c.child)}"))
        children = list(dict.fromkeys(c.child for c in row.contributions))
        listed = _listing([f"{operation(t, child)} ({child.rule.math})" for child in children
                           if child.rule is not None])
        count = f"{len(children)} operation{'s' if len(children) > 1 else ''}"
        hint = f"{name} sums (adjoint x local partial) over the operations that use {row.name}: {listed}"
        what = f"{row.name} feeds {count} ({_listing([t.name(child) for child in children])})"
        cells.append(_sum_cell(name, row.adjoint, paths, hint, "children", what, expression))
    return cells
