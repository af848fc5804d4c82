"""Generated exercise formulas: the same seed and level give the same formula and point.

The promise, which the tests check for 200 seeds per level: every number written in the formula or its
point has at most one decimal (inputs from 0.2 to 2.0 in size, constants 2, 3 and 0.5, the exponent 2);
every value lies inside its rule's domain and at least 0.1 from a kink; every value is at most 30 in size,
every local partial at most 10, every tangent and adjoint at most 100: numbers for a pocket calculator.
"""

from __future__ import annotations

import math
import random
import re
from typing import NamedTuple

from ..formula import parse
from ..functions import apply
from ..rule import CONSTANT, RULES, Rule
from ..tracing import trace

__all__ = ["Level", "LEVELS", "generate", "friendly", "DECIMALS", "LARGEST"]

DECIMALS = 1
LARGEST = {"value": 30.0, "partial": 10.0, "derivative": 100.0}
KINK_DISTANCE = 0.1
CONSTANTS = (2.0, 3.0, 0.5)
SQUARE = RULES["power"].bind(2.0)  # the lecture's x^n, n = 2


class Level(NamedTuple):
    """What a level's formulas are made of."""

    operations: tuple[int, int]  # fewest and most rows of the trace that are operations
    binary: tuple[str, ...]  # the operators
    functions: tuple[str, ...]  # the functions (``"square"``: ``x ** 2``)
    calls: tuple[int, int]  # fewest and most function calls
    inputs: int
    shared: bool  # an operation whose result is used twice, as x1*x2 in the lecture's example
    constant: bool  # a number among the operands
    signs: bool  # negative inputs too


_LECTURE = ("exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid")
LEVELS = {
    1: Level((3, 5), ("add", "sub", "mul"), ("exp", "sin", "cos", "tanh", "sigmoid"), (1, 1), 2, False, False, False),
    2: Level((5, 8), ("add", "sub", "mul", "truediv"), _LECTURE, (1, 2), 2, True, False, True),
    3: Level((8, 12), ("add", "sub", "mul", "truediv"), _LECTURE + ("arctan", "softplus", "relu", "square"),
             (2, 4), 3, True, True, True),
}


class _Node(NamedTuple):
    text: str
    value: float
    atomic: bool  # written without parentheses as an operand
    size: int  # operations written in its text


LONGEST = 80  # characters of a formula: it should fit on one line of a worksheet


def _rule(name: str) -> Rule:
    return SQUARE if name == "square" else RULES[name]


def _fits(rule: Rule, xs: list[float]) -> float | None:
    """The value of ``rule`` at ``xs`` if it is friendly (inside the domain, away from kinks, small), else None."""
    try:
        out = float(apply(rule, *xs))
        partials = rule.partials(out, *xs)
    except (ArithmeticError, ValueError):
        return None
    if any(abs(x - kink) < KINK_DISTANCE for x in xs for kink in rule.kinks):
        return None
    if abs(out) > LARGEST["value"] or not all(math.isfinite(p) and abs(p) <= LARGEST["partial"] for p in partials):
        return None
    return out


def _text(rule: Rule, name: str, operands: list[_Node | float]) -> _Node | None:
    xs = [o if isinstance(o, float) else o.value for o in operands]
    out = _fits(rule, xs)
    if out is None:
        return None
    parts = [format(o, "g") if isinstance(o, float) else (o.text if o.atomic else f"({o.text})") for o in operands]
    size = 1 + sum(o.size for o in operands if isinstance(o, _Node))
    if name == "square":
        return _Node(f"{parts[0]} ** 2", out, False, size)
    if rule.symbol:
        return _Node(f"{parts[0]} {rule.symbol} {parts[1]}", out, False, size)
    inner = operands[0]
    return _Node(f"{name}({inner.text if isinstance(inner, _Node) else parts[0]})", out, True, size)


def _attempt(rng: random.Random, level: Level) -> tuple[str, dict[str, float]] | None:
    """One random formula of the level, or None if this draw went outside the promise."""
    grid = [k / 10 for k in range(2, 21)]
    point = {f"x{i}": rng.choice(grid) * (rng.choice((1, -1)) if level.signs else 1)
             for i in range(1, level.inputs + 1)}
    nodes = [_Node(name, value, True, 0) for name, value in point.items()]
    unused = list(range(len(nodes)))  # nodes that no operation reads yet: in the end only the output
    calls = rng.randint(*level.calls)
    kinds = ["call"] * calls + ["binary"] * (rng.randint(*level.operations) - calls)
    rng.shuffle(kinds)
    constant_at = rng.choice([i for i, k in enumerate(kinds) if k == "binary"] or [-1]) if level.constant else -1
    for position, kind in enumerate(kinds):
        # each later binary operation that reads two unused nodes leaves one fewer unused
        merges_left = sum(1 for i, k in enumerate(kinds) if i > position and k == "binary" and i != constant_at)
        for _ in range(30):
            a = rng.choice(unused)
            if kind == "call":
                name = rng.choice(level.functions)
                node = _text(_rule(name), name, [nodes[a]])
                taken = [a]
            else:
                name = rng.choice(level.binary)
                others = [i for i in unused if i != a]
                if position == constant_at:
                    b: _Node | float = rng.choice(CONSTANTS)
                    taken = [a]
                elif others and (len(unused) - 1 > merges_left or rng.random() < 0.5):
                    pick = rng.choice(others)
                    b, taken = nodes[pick], [a, pick]
                else:  # read again an input, or (once) a one-operation node: a shared sub-expression
                    small = [i for i, n in enumerate(nodes) if i != a and n.size <= (1 if level.shared else 0)]
                    b, taken = nodes[rng.choice(small)], [a]
                pair = [nodes[a], b] if rng.random() < 0.5 else [b, nodes[a]]
                node = _text(_rule(name), name, pair)
            if node is not None:
                break
        else:
            return None
        unused = [i for i in unused if i not in taken] + [len(nodes)]
        nodes.append(node)
    text = nodes[unused[0]].text
    if len(unused) != 1 or len(text) > LONGEST:
        return None
    # rename the variables so that they appear as x1, x2, ... from the left, as the trace numbers them
    order = {old: f"x{i}" for i, old in enumerate(parse(text).variables, 1)}
    renamed = re.sub(r"\bx\d\b", lambda m: order[m.group()], text)
    return renamed, dict(sorted((order[old], v) for old, v in point.items()))


def friendly(text: str, point: dict[str, float], level: Level) -> bool:
    """Whether the parsed formula keeps the level's promises (counts, sharing, constant, sizes)."""
    t = trace(parse(text).evaluate(**point))
    ops = [e.node for e in t.entries if e.kind == "op"]
    calls = [n for n in ops if n.rule is not None and (n.rule.name in level.functions or n.rule is SQUARE)]
    children: dict[int, int] = {}
    for n in ops:
        for p in n.parents:
            children[id(p)] = children.get(id(p), 0) + 1
    if not (level.operations[0] <= len(ops) <= level.operations[1] and level.calls[0] <= len(calls) <= level.calls[1]):
        return False
    if level.shared and not any(children.get(id(n), 0) >= 2 for n in ops):
        return False
    if level.constant and not any(n.rule is CONSTANT for n in t.nodes):
        return False
    derivatives = [r.adjoint for r in t.reverse_table().rows]
    derivatives += [r.tangent for e in t.inputs for r in t.forward_table(wrt=e.node).rows]
    return all(abs(d) <= LARGEST["derivative"] for d in derivatives)


def generate(seed: int, level: int = 1) -> tuple[str, dict[str, float]]:
    """A formula and its point for ``level``, the same for the same ``seed``.

    Args:
        seed: any integer.
        level: 1, 2 or 3 (see ``LEVELS``).

    Returns:
        (formula text, {variable: value}).

    >>> generate(0, 1) == generate(0, 1)
    True
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(map(str, LEVELS))}, got {level!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}")
    rng = random.Random(f"dualgrad exercise, level {level}, seed {seed}")  # a str seed hashes the same in every run
    for _ in range(10_000):
        made = _attempt(rng, LEVELS[level])
        if made is not None and friendly(*made, LEVELS[level]):
            return made
    raise RuntimeError(f"no formula of level {level} kept its promises for seed {seed}")  # never seen: tests cover it
