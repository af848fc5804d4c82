"""Tracing ``fn`` for compilation: its graph on one example, and the checks that refuse a graph that depends
on the data (a Python branch on a Value, a constant computed from ``.data``, a new leaf made inside ``fn``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .. import value as value_module
from ..operand import check_number, is_number
from ..ops import CONSTANT, Rule
from ..value import Value

__all__ = ["NotCompilable", "trace_example", "signature", "compare_signatures", "is_tracing"]


class NotCompilable(ValueError):
    """The graph cannot be replayed: its shape or its constants depend on the example."""


def is_tracing() -> bool:
    """True while ``compile_graph`` runs ``fn`` to record its graph: code whose graph would change from call to
    call (a random dropout mask, say) checks this and raises ``NotCompilable``.

    >>> is_tracing()
    False
    """
    return value_module.compare_hook is _refuse_comparison


def _refuse_comparison(node: Value, op: str, other: Any) -> None:
    raise NotCompilable(f"a Value was compared ({node!r} {op} {other!r}) while tracing: Python branches on "
                        "the data there, so each example may need a different graph; compile cannot replay it "
                        "(use a rule such as relu, abs or hardtanh instead of an if)")


def trace_example(fn: Callable[..., Any], example: Sequence[float]) -> tuple[list[Value], list[Value], list[Value]]:
    """Run ``fn`` on Values made from ``example``: (inputs, outputs, every node in creation order)."""
    inputs = [Value(check_number(x, f"example[{i}]"), label=f"x{i + 1}") for i, x in enumerate(example)]
    previous, value_module.compare_hook = value_module.compare_hook, _refuse_comparison
    try:
        result = fn(*inputs)
    finally:
        value_module.compare_hook = previous
    items = list(result) if isinstance(result, (list, tuple)) else [result]
    if not items:
        raise TypeError("fn must return a Value or a non-empty list of Values, got an empty sequence")
    outputs = []
    for item in items:
        if isinstance(item, Value):
            outputs.append(item)
        elif is_number(item):  # an output that ignores the inputs: a constant
            outputs.append(Value(item))
            outputs[-1].rule = CONSTANT
        else:
            raise TypeError(f"fn must return a Value or a list of Values, got {type(item).__name__}")
    seen = set(outputs)
    found = list(seen)
    for node in found:  # every node the outputs depend on; the loop visits what it appends
        for parent in node.parents:
            if parent not in seen:
                seen.add(parent)
                found.append(parent)
    found.sort(key=lambda n: n._seq)
    return inputs, outputs, found


def signature(inputs: list[Value], outputs: list[Value], order: list[Value]) -> list[tuple[Any, ...]]:
    """The shape of a traced graph, position by position: what a second trace must reproduce."""
    where = {node: i for i, node in enumerate(order)}
    slot = {x: i for i, x in enumerate(inputs)}
    shape: list[tuple[Any, ...]] = []
    for node in order:
        if node in slot:
            shape.append(("input", slot[node]))
        elif node.rule is CONSTANT:
            shape.append(("constant", node.data))
        elif node.rule is None:
            shape.append(("parameter", id(node)))
        else:
            shape.append((node.rule, tuple(where[p] for p in node.parents)))
    shape.append(("outputs", tuple(where[o] for o in outputs)))
    return shape


def compare_signatures(first: list[tuple[Any, ...]], second: list[tuple[Any, ...]], order: list[Value]) -> None:
    """Raise NotCompilable, saying where and why, if a second trace's ``signature`` differs from the first."""
    for i, (a, b) in enumerate(zip(first, second)):
        if a == b:
            continue
        if a[0] == b[0] == "constant":
            raise NotCompilable(f"node {i + 1} is the constant {a[1]!r} for the first example but {b[1]!r} for "
                                "another: it was computed from the data (float() or .data of a Value), which a "
                                "replay cannot follow; write it with Value operations")
        if a[0] == b[0] == "parameter":
            raise NotCompilable(f"node {i + 1} is a new Value leaf each time fn runs (Value(...) inside fn): make "
                                "parameters once, outside fn, and write constants as plain numbers")
        raise NotCompilable(f"the graph differs between examples at node {i + 1} ({_describe(a)} vs "
                            f"{_describe(b)}): its shape depends on the data (a Python branch or loop on "
                            "values), so it cannot be compiled")
    if len(first) != len(second):
        raise NotCompilable(f"the graph has {len(first) - 1} nodes for the first example but {len(second) - 1} "
                            "for another: its shape depends on the data, so it cannot be compiled")


def _describe(entry: tuple[Any, ...]) -> str:
    if isinstance(entry[0], Rule):
        return f"{entry[0].title} of nodes {', '.join(str(p + 1) for p in entry[1])}"
    return f"{entry[0]} {entry[1]!r}" if entry[0] != "parameter" else "a parameter"
