"""Tracing ``fn`` for compilation, with a proof that its graph does not depend on the data.

The inputs are ``LaneValue`` nodes: Values whose number belongs to a batch lane. Every node computed from
one is a LaneValue too, and any read of such a number (``.data``, ``float()``, ``int()``, ``bool()``,
``round()``, ``math`` functions, formatting, comparisons, numpy conversion) raises ``NotCompilable``
naming the node and the line of ``fn``. So a graph that was traced at all is the same for every example:
nothing in it could have looked at the data. Parameters and constants (no lane in them) compare freely.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from ..backprop import topological_order
from ..finite import check_number, is_number
from ..operand import kind
from ..rule import CONSTANT
from ..value import Value, mixing_kinds

__all__ = ["NotCompilable", "LaneValue", "trace_example", "is_tracing", "traced_number"]

_state = threading.local()  # per thread: one thread's tracing never affects another's arithmetic
_ENGINE = str(Path(__file__).resolve().parents[1])


def traced_number(node: Value) -> float:
    """A node's number as traced, a lane's too (Value's own ``float``): for the compiled path's own checks only."""
    return Value.__float__(node)


class NotCompilable(ValueError):
    """The graph cannot be replayed on other examples: ``fn`` reads the data, so its graph may differ."""


def is_tracing() -> bool:
    """True while ``compile_graph`` runs ``fn`` in this thread to record its graph: code whose graph would change
    from call to call (a random dropout mask, say) checks this and raises ``NotCompilable``.

    >>> is_tracing()
    False
    """
    return getattr(_state, "depth", 0) > 0


def _user_line() -> str:
    """``file:line`` of the innermost caller outside the engine: where fn read the number."""
    frame = sys._getframe(2)
    while frame is not None and frame.f_code.co_filename.startswith(_ENGINE):
        frame = frame.f_back  # type: ignore[assignment]
    return f" at {frame.f_code.co_filename}:{frame.f_lineno}" if frame is not None else ""


class LaneValue(Value):
    """A Value whose number belongs to one batch lane while ``compile_graph`` traces: it computes like a Value
    (the engine reads its number internally), but the number cannot be read from outside."""

    __slots__ = ()
    level = 1  # an operation with a lane operand makes a lane node

    def _refuse(self, what: str) -> NoReturn:
        name = f" {self.label!r}" if self.label else (f" ({self.rule.title})" if self.rule else "")
        raise NotCompilable(f"{what} of the node{name} was read while tracing{_user_line()}: it depends on the "
                            "example, so Python may take another branch (or compute another constant) for another "
                            "example, and one compiled graph cannot replay that. Write it with the engine's "
                            "operations instead (relu, abs, hardtanh, clamp, max via relu(a - b) + b, ...)")

    @property
    def data(self) -> float:  # type: ignore[override]
        self._refuse(".data")

    @data.setter
    def data(self, x: float) -> None:
        self._refuse("setting .data")

    def __float__(self) -> float:
        self._refuse("float()")

    def __int__(self) -> int:
        self._refuse("int()")

    def __index__(self) -> int:
        self._refuse("the index")

    def __bool__(self) -> bool:
        self._refuse("the truth value")

    def __round__(self, digits: Any = None) -> Any:
        self._refuse("round()")

    def __trunc__(self) -> int:
        self._refuse("math.trunc()")

    def __floor__(self) -> int:
        self._refuse("math.floor()")

    def __ceil__(self) -> int:
        self._refuse("math.ceil()")

    def __complex__(self) -> complex:
        self._refuse("complex()")

    def __format__(self, spec: str) -> str:
        self._refuse("formatting")

    def __array__(self, *args: Any, **kwargs: Any) -> Any:
        self._refuse("numpy conversion")

    def __lt__(self, other: Any) -> bool:
        self._refuse("a comparison (<)")

    def __le__(self, other: Any) -> bool:
        self._refuse("a comparison (<=)")

    def __gt__(self, other: Any) -> bool:
        self._refuse("a comparison (>)")

    def __ge__(self, other: Any) -> bool:
        self._refuse("a comparison (>=)")

    # == and != stay identity, as for every Value (they read no number): containers of nodes rely on it

    def __repr__(self) -> str:
        name = self.label or (self.rule.title if self.rule else "input")
        return f"LaneValue({name}: one number per example, not readable while tracing)"

    __str__ = __repr__


kind(LaneValue)


def trace_example(fn: Callable[..., Any], example: Sequence[float]) -> tuple[list[Value], list[Value], list[Value]]:
    """Run ``fn`` on LaneValues made from ``example``: (inputs, outputs, every node in creation order).

    Raises ``NotCompilable`` if ``fn`` reads a number that depends on the example.
    """
    start = Value(0.0).serial  # nodes made from here on were made by fn
    inputs: list[Value] = []
    for i, x in enumerate(example):
        node = LaneValue(check_number(x, f"example[{i}]"), label=f"x{i + 1}")
        inputs.append(node)
    _state.depth = getattr(_state, "depth", 0) + 1
    try:
        with mixing_kinds():
            result = fn(*inputs)
    finally:
        _state.depth -= 1
    items = list(result) if isinstance(result, (list, tuple)) else [result]
    if not items:
        raise TypeError("fn must return a Value or a non-empty list of Values, got an empty sequence")
    outputs: list[Value] = []
    for item in items:
        if isinstance(item, Value):
            outputs.append(item)
        elif is_number(item):  # an output that ignores the inputs: a constant
            constant = Value(item)
            constant.rule = CONSTANT
            outputs.append(constant)
        else:
            raise TypeError(f"fn must return a Value or a list of Values, got {type(item).__name__}")
    order = topological_order(outputs)
    made_inside = [n for n in order if n.rule is None and n.serial > start and n not in inputs]
    if made_inside:
        raise NotCompilable(f"fn made a new Value leaf ({made_inside[0]!r}) while tracing: Value(...) inside fn is "
                            "a new number each call, a parameter made there would not persist in the replay; make "
                            "parameters once, outside fn, and write constants as plain numbers")
    return inputs, outputs, order
