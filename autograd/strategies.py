"""Hypothesis strategies: random expression graphs over the whole rule table, with inputs in every domain.

Every rule of ``RULES`` is drawn, built-in or added later with ``defrule``: its arity, its parameters (from
their ``examples``) and its domain (``rule.domain``) are read off the row. An ``Expression`` is a small tree
that evaluates on floats, Values or Duals alike, so one random formula can be checked in reverse mode,
forward mode and by central differences.

>>> from hypothesis import given
>>> @given(expressions())
... def test_modes_agree(e):
...     assert e(*e.point) == e(*e.point)
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from hypothesis import strategies as st

from .functions import apply
from .rule import DOMAINS, RULES, Rule
from .tracing.notation import expression_text

__all__ = ["Expression", "expressions", "inputs", "rules", "members", "operand_count", "regular_points"]

# A tree node is ("x", i) for an input, ("c", value) for a constant, or (rule, children).
Node = tuple[Any, Any]


def _op(rule: Rule, *children: Node) -> Node:
    return (rule, children)


def _guarded(domain: str, a: Node) -> Node:
    """``a`` kept inside ``domain`` (a name of ``autograd.rule.DOMAINS``): 0.5 + a * a for the operands of log,
    sqrt, division and real powers, sigmoid(a) for a probability."""
    if domain == "real":
        return a
    if domain == "probability":
        return _op(RULES["sigmoid"], a)
    return _op(RULES["add"], ("c", 0.5), _op(RULES["mul"], a, a))


class Expression:
    """A random formula: call it on floats, Values or Duals; ``point`` lies inside every domain."""

    def __init__(self, tree: Node, n_vars: int, point: tuple[float, ...]) -> None:
        self.tree, self.n_vars, self.point = tree, n_vars, point

    def __call__(self, *args: Any) -> Any:
        if len(args) != self.n_vars:
            raise TypeError(f"this expression takes {self.n_vars} inputs, got {len(args)}")
        return self._evaluate(self.tree, args, None)

    def _evaluate(self, node: Node, args: tuple[Any, ...], kinks: list[float] | None) -> Any:
        head, rest = node
        if head == "x":
            return args[rest]
        if head == "c":
            return rest
        values = [self._evaluate(child, args, kinks) for child in rest]
        if kinks is not None and head.kinks:
            x = float(values[0])
            kinks.append(min(abs(x - k) for k in head.kinks))
        return apply(head, *values)

    def kink_distance(self, *args: float) -> float:
        """How close the input of any kinked operation (relu, abs, step, ...) comes to its kink."""
        kinks: list[float] = []
        self._evaluate(self.tree, args, kinks)
        return min(kinks, default=math.inf)

    def rules(self) -> set[str]:
        """The names of the rules this formula uses."""
        found, stack = set(), [self.tree]
        while stack:
            head, rest = stack.pop()
            if isinstance(head, Rule):
                found.add(head.name)
                stack.extend(rest)
        return found

    @property
    def formula(self) -> str:
        """The expression as a formula ``autograd.parse`` reads: ``(tanh((x1 * x2)) + 0.5)``."""
        return _text(self.tree)

    def __repr__(self) -> str:
        return f"Expression({self.formula!r}, point={self.point!r})"


def _text(node: Node) -> str:
    head, rest = node
    if head == "x":
        return f"x{rest + 1}"
    if head == "c":
        return repr(rest) if rest >= 0 else f"({rest!r})"
    args = [_text(child) for child in rest]
    if head.name == "sum":
        return "(" + " + ".join(args) + ")"
    if head.name == "dot":
        n = len(args) // 2
        return "(" + " + ".join(f"{w} * {x}" for w, x in zip(args[:n], args[n:])) + ")"
    return f"({expression_text(head, args)})"


def rules() -> st.SearchStrategy[Rule]:
    """Any rule of the table, with its parameters drawn from their examples (a bound rule for a family)."""
    return st.sampled_from(sorted(RULES, key=str)).flatmap(_bound)


def _bound(name: str) -> st.SearchStrategy[Rule]:
    return st.sampled_from(members(RULES[name]))


def members(rule: Rule) -> list[Rule]:
    """The rule itself, or for a family every member its parameters' examples make (the default without any).

    >>> [r.title for r in members(RULES["leaky_relu"])], members(RULES["exp"])
    (['leaky_relu(0.01)', 'leaky_relu(0.2)'], [Rule('exp')])
    """
    if not rule.params:
        return [rule]
    return [rule.bind(*vs) for vs in itertools.product(*[p.examples or (p.default,) for p in rule.params])]


def operand_count(rule: Rule) -> int:
    """How many operands the trees give ``rule``: its arity; 3 for an n-ary rule, 4 (two pairs) for ``dot``."""
    if rule.arity is not None:
        return rule.arity
    return 4 if rule.name == "dot" else 3


_CANDIDATES = (0.35, -0.6, 0.8, -1.1, 1.3, 0.55, 2.2)


def regular_points(rule: Rule, margin: float = 0.1) -> list[tuple[float, ...]]:
    """Fixed points for ``rule`` (a bound one for a family) inside its domain, the first operand at least ``margin``
    from every kink and from the domain's edge, the value finite: where derivatives of every order exist and
    central differences of steps below ``margin`` stay in the domain. One point per first operand that fits
    (negative ones too, so both sides of a kink are tried); the other operands are the first candidates that fit.

    >>> regular_points(RULES["log"])[:2], regular_points(RULES["truediv"])[0], len(regular_points(RULES["relu"]))
    ([(0.35,), (0.8,)], (0.35, -0.6), 7)
    """
    def fits(i: int, x: float) -> bool:
        domain = DOMAINS[rule.domain[i] if i < len(rule.domain) else "real"][0]
        inside = all(domain(x + d) for d in (-margin, 0.0, margin))
        return inside and (i > 0 or all(abs(x - k) > margin for k in rule.kinks))

    n = operand_count(rule)
    rest = [next((x for x in _CANDIDATES[i:] + _CANDIDATES[:i] if fits(i, x)), None) for i in range(1, n)]
    if None in rest:
        raise ValueError(f"{rule.title}: no candidate {_CANDIDATES} is inside operand {rest.index(None) + 2}'s domain")
    points = []
    for x in _CANDIDATES:
        if fits(0, x):
            try:
                rule.compute(x, *rest)  # type: ignore[arg-type]
            except (ArithmeticError, ValueError):
                continue
            points.append((x, *rest))
    if not points:
        raise ValueError(f"{rule.title}: no candidate {_CANDIDATES} is inside its first operand's domain")
    return points  # type: ignore[return-value]


@st.composite
def _trees(draw: st.DrawFn, n_vars: int, depth: int, root: bool = False) -> Node:
    if depth == 0 or (not root and draw(st.integers(0, 3)) == 0):
        if draw(st.integers(0, 4)) == 0:
            return ("c", draw(st.sampled_from((-1.5, -0.5, 0.25, 1.0, 2.0))))
        return ("x", draw(st.integers(0, n_vars - 1)))
    rule = draw(rules())
    child = _trees(n_vars, depth - 1)
    if rule.arity is None:  # n-ary: sum of 1-4 terms; dot of 1-3 pairs (weights, then inputs)
        if rule.name == "dot":
            pairs = draw(st.lists(st.tuples(child, child), min_size=1, max_size=3))
            return _op(rule, *[w for w, _ in pairs], *[x for _, x in pairs])
        return _op(rule, *draw(st.lists(child, min_size=1, max_size=4)))
    return _op(rule, *[_guarded(domain, draw(child)) for domain in rule.domain])


def inputs(n: int, bound: float = 2.0) -> st.SearchStrategy[tuple[float, ...]]:
    """``n`` finite floats in ``[-bound, bound]``."""
    return st.tuples(*[st.floats(-bound, bound, allow_nan=False, allow_infinity=False)] * n)


def _uses_input(node: Node) -> bool:
    head, rest = node
    return head == "x" or (head != "c" and any(_uses_input(child) for child in rest))


def _well_behaved(e: Expression) -> bool:
    if not _uses_input(e.tree):
        return False
    try:
        out = float(e(*e.point))
    except (OverflowError, ValueError, ZeroDivisionError):
        return False
    return abs(out) < 1e6


@st.composite
def _expressions(draw: st.DrawFn, max_vars: int, max_depth: int) -> Expression:
    n_vars = draw(st.integers(1, max_vars))
    tree = draw(_trees(n_vars, max_depth, root=True))
    return Expression(tree, n_vars, draw(inputs(n_vars)))


def expressions(max_vars: int = 3, max_depth: int = 4) -> st.SearchStrategy[Expression]:
    """Random formulas over every rule, of up to ``max_vars`` inputs, each with a point in its domain.

    Domain guards are part of the formula (``log(0.5 + a * a)``, ``a / (0.5 + b * b)``); formulas whose
    value overflows or exceeds 1e6 at the point are filtered out.
    """
    return _expressions(max_vars, max_depth).filter(_well_behaved)
