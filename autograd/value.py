"""Value: a node of the reverse-mode graph.

The graph protocol, which every algorithm here reads: a node has ``data``, ``grad``, ``rule`` (``None``
for an input), ``parents`` (a tuple, in argument order) and ``partials`` (the rule's local partials,
computed when the node was made). Nodes hold no closures, so no reference cycles: a graph is freed by
reference counting the moment it is dropped. The walk and the reverse sweep are in ``autograd.backprop``.
"""

from __future__ import annotations

import copy
import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import count
from operator import attrgetter
from typing import Any

from . import backprop, ops  # noqa: F401  (ops: the built-in rows exist before Value gets its methods)
from .backprop import LARGE
from .finite import ARITHMETIC_ERRORS, check_number, is_number, refuse_array
from .operand import Operand, kind
from .rule import CONSTANT, Rule

__all__ = ["Value", "apply_rule", "topological_order", "mixing_kinds"]

_counter = count(1)
_LOW = -LARGE
_new = object.__new__
topological_order = backprop.topological_order


class Value(Operand):
    """A scalar that remembers how it was computed.

    Attributes:
        data: the number (setting it later marks the graphs built from it stale: ``backward()`` refuses them).
        grad: the adjoint ``dL/dself`` of the last ``backward()`` (inputs accumulate across calls); a Value
            after ``backward(create_graph=True)``.
        label: a name for pictures and tables.
        rule: the primitive that made it (``None`` for an input); ``op`` is its name.
        parents: the operands, in argument order.
        partials: ``d self / d parent`` for each parent, computed when the node was made.
        serial: when it was made (a running count: parents always have smaller ones).
        written: the ``serial`` count when ``.data`` was last set (0: never), so stale graphs are found.

    >>> x = Value(2.0, label="x")
    >>> y = x * x + 1
    >>> y.backward(); (y.data, x.grad)
    (5.0, 4.0)
    """

    __slots__ = ("_data", "grad", "label", "rule", "parents", "partials", "serial", "_written")
    level = 0

    def __init__(self, data: float, label: str = "") -> None:
        if type(data) is not float or not -LARGE < data < LARGE:  # the common case, a float, skips the calls
            data = check_number(data, "Value")
            if not -LARGE < data < LARGE:
                backprop.mark_large(math.inf)
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__} ({label!r:.60})")
        self._data = data
        self.grad: Any = 0.0
        self.label = label
        self.rule: Rule | None = None
        self.parents: tuple[Value, ...] = ()
        self.partials: tuple[Any, ...] = ()
        self.serial = next(_counter)

    def _set_data(self, x: float) -> None:
        if type(x) is not float or not -LARGE < x < LARGE:
            x = check_number(x, f"Value {self.label!r}.data" if self.label else "Value.data")
            if not -LARGE < x < LARGE:
                backprop.mark_large(math.inf)
        self._data = x
        backprop.mark_written(self, next(_counter))  # graphs made before now read the old number: stale

    data = property(attrgetter("_data"), _set_data, doc="The number (see the class docstring).")
    written = property(lambda self: getattr(self, "_written", 0), doc="The count when .data was last set (0: never).")

    @property
    def op(self) -> str:
        """The name of the rule that made this node: ``"mul"``, ``"tanh"``; ``""`` for an input."""
        return self.rule.name if self.rule is not None else ""

    @property
    def is_leaf(self) -> bool:
        """True for inputs and constants: nodes without parents, whose grad accumulates."""
        return not self.parents

    def _lift(self, other: Any) -> Any:
        if isinstance(other, Value):
            return other
        return _constant(other) if is_number(other) else NotImplemented

    def backward(self, grad: Any = 1.0, create_graph: bool = False) -> None:
        """Backpropagate ``d self / d node`` into every node's ``.grad``, in reverse topological order.

        Intermediate nodes are recomputed on each call; inputs (leaves) accumulate, as in PyTorch, so call
        ``zero_grad()`` (or an optimiser's) between steps. A non-finite gradient raises
        ``GradientNotFinite`` naming the node where it arose; a leaf changed after this graph was built
        raises ``StaleGraphError``; on an error no ``.grad`` changes.

        Args:
            grad: the seed adjoint of this node (1.0 for a loss): a finite number.
            create_graph: make every ``.grad`` a Value, itself differentiable (PyTorch's name): derivatives
                of derivatives. Without it nothing is built and nothing costs more.

        >>> x = Value(3.0); y = x * x * x; y.backward(create_graph=True)
        >>> x.grad.data, (x.grad.backward(), x.grad.data)[1]
        (27.0, 45.0)
        """
        backprop.backward(self, grad, create_graph)

    def zero_grad(self) -> None:
        """Set ``.grad`` to 0 on this node and every node it depends on."""
        for node in topological_order(self):
            node.grad = 0.0

    def __float__(self) -> float:
        return self._data

    def __lt__(self, other: Any) -> bool:
        return self._data < _number(other)

    def __le__(self, other: Any) -> bool:
        return self._data <= _number(other)

    def __gt__(self, other: Any) -> bool:
        return self._data > _number(other)

    def __ge__(self, other: Any) -> bool:
        return self._data >= _number(other)

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        grad = self.grad.data if isinstance(self.grad, Value) else self.grad
        extra = f", label={self.label!r}" if self.label else ""
        extra += f", op={self.op!r}" if self.rule is not None and self.rule is not CONSTANT else ""
        return f"Value(data={self._data:.6g}, grad={grad:.6g}{extra})"

    # ---- copies: the whole graph, without recursion (a million-node chain pickles) ----------------

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, _flatten(self))

    def __deepcopy__(self, memo: dict[int, Any]) -> Value:
        order = topological_order(self)
        for node in order:
            if id(node) not in memo:
                twin = memo[id(node)] = _node(type(node), node._data, node.rule,
                                              tuple(memo[id(p)] for p in node.parents), ())
                twin.label = node.label
                twin.partials = copy.deepcopy(node.partials, memo)
                twin.grad = copy.deepcopy(node.grad, memo)
        return memo[id(self)]  # type: ignore[no-any-return]

    @classmethod
    def method_for(cls, rule: Rule) -> Callable[[Value], Value]:
        """The fast one-operand method of ``cls`` for ``rule``: the rule's value and partials, called directly."""
        return _unary(rule, cls)

    @classmethod
    def operators_for(cls, rule: Rule) -> tuple[Callable[..., Any], Callable[..., Any]]:
        """``self op other`` and ``other op self`` of ``cls`` for a binary rule."""
        return _binary(rule, cls)

    @staticmethod
    def apply_rule(rule: Rule, args: tuple[Value, ...]) -> Value:
        return apply_rule(rule, args)


def _node(cls: type, out: float, rule: Rule, parents: tuple[Value, ...], partials: tuple[Any, ...]) -> Any:
    """The one node factory: every node of every kind of Value (operations, constants, copies) is made here,
    field by field (``__init__`` is for inputs, whose numbers it checks)."""
    node: Any = _new(cls)
    node._data = out
    node.grad = 0.0
    node.label = ""
    node.rule = rule
    node.parents = parents
    node.partials = partials
    node.serial = next(_counter)
    return node  # no _written yet: it is set when .data is (see Value.written)


def _constant(x: Any) -> Value:
    """A leaf for a plain number (the 2 of ``x * 2``), marked with the rule ``CONSTANT``. Like any leaf's, its
    ``.grad`` after ``backward()`` is ``d out / d constant``; pictures and tables show it as the number it is."""
    if type(x) is not float or not -LARGE < x < LARGE:  # the common case, a float (1.0 - x), skips the calls
        x = check_number(x, "Value")
        if not -LARGE < x < LARGE:
            backprop.mark_large(math.inf)
    return _node(Value, x, CONSTANT, (), ())


# The methods the rule table makes for Value (through ``method_for`` and ``operators_for``): each computes the
# value and the partials from the row and hands them to _node.

def _unary(rule: Rule, cls: type) -> Callable[[Value], Value]:
    value, partials, row, bounded, low, high = rule.value, rule.partials, rule.row, rule.bounded, -LARGE, LARGE

    def method(self: Value) -> Value:
        x = self._data
        try:
            out = value(x)
        except ARITHMETIC_ERRORS as error:
            raise rule.refuse([x], error=error) from None
        if not low < out < high:
            _large(rule, [x], out)
        node = _node(cls, out, rule, (self,), row or partials(out, x))
        if not bounded:
            _check_partials(node)
        return node  # type: ignore[no-any-return]

    return method


def _binary(rule: Rule, cls: type) -> tuple[Callable[..., Any], Callable[..., Any]]:
    value, partials, row, bounded, low, high = rule.value, rule.partials, rule.row, rule.bounded, -LARGE, LARGE

    def forward(self: Value, other: Any) -> Any:
        if type(other) is not cls:
            if type(other) is float and low < other < high:  # the common case: a number, lifted
                other = _node(Value, other, CONSTANT, (), ())
            else:
                other = _operand(other, cls)
                if other is NotImplemented:
                    return NotImplemented
        x, y = self._data, other._data
        try:
            out = value(x, y)
        except ARITHMETIC_ERRORS as error:
            raise rule.refuse([x, y], error=error) from None
        if not low < out < high:
            _large(rule, [x, y], out)
        node = _node(cls, out, rule, (self, other), row or partials(out, x, y))
        if not bounded:
            _check_partials(node)
        return node

    def reflected(self: Value, other: Any) -> Any:
        lifted = _operand(other, cls)
        return NotImplemented if lifted is NotImplemented else forward(lifted, self)

    forward.__doc__, reflected.__doc__ = f"self {rule.symbol} other", f"other {rule.symbol} self"
    return forward, reflected


def _operand(other: Any, cls: type) -> Any:
    """``other`` as an operand of a ``cls`` node: a Value of no higher level as it is, a number as a constant;
    ``NotImplemented`` for the rest (a Dual, or a higher kind of Value, then does the operation)."""
    if isinstance(other, Value):
        return other if other.level <= cls.level else NotImplemented  # type: ignore[attr-defined]
    if type(other) is float or is_number(other):
        return _constant(other)
    refuse_array(other, "Value")
    return NotImplemented


def apply_rule(rule: Rule, args: tuple[Value, ...], numbers: list[float] | None = None) -> Value:
    """A new node ``rule(*args)`` of the highest kind among ``args`` (all Values), its partials computed now.
    ``numbers``: the operands' numbers, ``[a.data for a in args]``, when the caller has read them already (a
    layer reads its inputs' once for all its neurons)."""
    cls: type = Value
    if _mixing:  # only while the compiled path traces may a higher kind of Value be among them
        for a in args:
            if type(a) is not Value and a.level > cls.level:  # type: ignore[attr-defined]
                cls = type(a)
    xs = [a._data for a in args] if numbers is None else numbers
    try:
        out = rule.value(*xs)
    except ARITHMETIC_ERRORS as error:
        raise rule.refuse(xs, error=error) from None
    if not _LOW < out < LARGE:
        _large(rule, xs, out)
    node = _node(cls, out, rule, args, rule.row or rule.partials(out, *xs))
    if not rule.bounded:
        _check_partials(node)
    return node  # type: ignore[no-any-return]


def _large(rule: Rule, xs: list[float], out: float) -> None:
    """A result of size >= LARGE: an error if it is not finite, else a mark that sends backward the exact way."""
    if out - out != 0.0:
        raise rule.refuse(xs, out)
    backprop.mark_large(next(_counter))


def _check_partials(node: Value) -> None:
    """For a rule whose partials may be huge where its numbers are not (1 / x for log): mark a large one."""
    for p in node.partials:
        if not -LARGE < p < LARGE:
            backprop.mark_large(node.serial)
            return


_mixing = 0  # how many threads are tracing for the compiled path (see mixing_kinds)
_mixing_lock = threading.Lock()


@contextmanager
def mixing_kinds() -> Iterator[None]:
    """While this runs (the compiled path's tracing, in any thread), ``apply_rule`` looks at each operand's kind,
    so a node made from a LaneValue is a LaneValue; otherwise all operands are plain Values and it need not."""
    global _mixing
    with _mixing_lock:
        _mixing += 1
    try:
        yield
    finally:
        with _mixing_lock:
            _mixing -= 1


def _number(other: Any) -> Any:
    return other._data if isinstance(other, Value) else other


def _flatten(root: Value) -> tuple[Any, ...]:
    """The graph of ``root`` as flat rows (no nested Values, so pickling never recurses). A ``.grad`` that is a
    Value (``backward(create_graph=True)``) is a graph too: its nodes join the rows and the grad is their index."""
    order: list[Value] = []
    where: dict[Value, int] = {}
    pending = [root]
    while pending:
        for n in topological_order(pending.pop()):
            if n not in where:
                where[n] = len(order)
                order.append(n)
                if isinstance(n.grad, Value) and n.grad not in where:
                    pending.append(n.grad)
    rows = [(type(n), n._data, n.grad if not isinstance(n.grad, Value) else None, n.label, n.rule,
             tuple(where[p] for p in n.parents), n.partials if not any(isinstance(p, Value) for p in n.partials)
             else ()) for n in order]
    grads = tuple((where[n], where[n.grad]) for n in order if isinstance(n.grad, Value))
    return (rows, where[root], grads)


def _rebuild(rows: list[tuple[Any, ...]], root: int = -1, grads: tuple[tuple[int, int], ...] = ()) -> Value:
    nodes: list[Value] = []
    for cls, data, grad, label, rule, parents, partials in rows:
        node = _node(cls, data, rule, tuple(nodes[i] for i in parents), partials)
        node.grad, node.label = grad, label
        nodes.append(node)
    for i, j in grads:
        nodes[i].grad = nodes[j]
    return nodes[root]


kind(Value)  # now that its factories exist: every rule of the table becomes a method
