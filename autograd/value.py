"""Value: a node of the reverse-mode graph, and backward().

The graph protocol, which every algorithm here reads: a node has ``data``, ``grad``, ``rule``
(``None`` for an input), ``parents`` (a tuple, in argument order) and ``partials`` (the rule's local
partials, stored when the node was made). Nodes hold no closures, so no reference cycles: a graph
is freed by reference counting the moment it is dropped.
"""

from __future__ import annotations

from itertools import count
from operator import attrgetter
from typing import Any, Iterable

from .operand import Operand, check_number, is_number, not_finite
from .ops import CONSTANT, Rule

__all__ = ["Value", "topological_order"]

_counter = count()
_by_creation = attrgetter("_seq")
_new = object.__new__


class Value(Operand):
    """A scalar that remembers how it was computed.

    Attributes:
        data: the number.
        grad: the adjoint ``dL/dself`` of the last ``backward()`` (inputs accumulate across calls).
        label: a name for pictures and tables.
        rule: the primitive that made it (``None`` for an input); ``op`` is its name.
        parents: the operands, in argument order.
        partials: ``d self / d parent`` for each parent, computed when the node was made.

    >>> x = Value(2.0, label="x")
    >>> y = x * x + 1
    >>> y.backward(); (y.data, x.grad)
    (5.0, 4.0)
    """

    __slots__ = ("data", "grad", "label", "rule", "parents", "partials", "_seq")

    def __init__(self, data: float, label: str = "") -> None:
        self.data = check_number(data, "Value")
        self.grad = 0.0
        self.label = label
        self.rule: Rule | None = None
        self.parents: tuple[Value, ...] = ()
        self.partials: tuple[float, ...] = ()
        self._seq = next(_counter)

    @property
    def op(self) -> str:
        """The name of the rule that made this node: ``"mul"``, ``"tanh"``; ``""`` for an input."""
        return self.rule.name if self.rule is not None else ""

    @property
    def is_leaf(self) -> bool:
        """True for inputs and constants: nodes without parents, whose grad accumulates."""
        return not self.parents

    def _lift(self, other: Any) -> Value:
        if isinstance(other, Value):
            return other
        if is_number(other):
            node = Value(other)
            node.rule = CONSTANT
            return node
        return NotImplemented

    def _apply(self, rule: Rule, args: tuple[Value, ...]) -> Value:
        return apply_rule(rule, args)

    def backward(self, grad: float = 1.0) -> None:
        """Backpropagate ``d self / d node`` into every node's ``.grad``, in reverse topological order.

        Intermediate nodes are recomputed on each call; inputs (leaves) accumulate, as in PyTorch,
        so call ``zero_grad()`` (or an optimiser's) between steps.

        Args:
            grad: the seed adjoint of this node (1.0 for a loss).
        """
        order = topological_order(self)
        for node in order:
            if node.parents:
                node.grad = 0.0
        self.grad += grad
        for node in reversed(order):
            out_bar = node.grad
            if not out_bar:
                continue  # nothing to pass on (and an infinite partial times 0 would make a NaN)
            # += because a node may feed several children: its adjoint is the sum over all paths.
            for parent, partial in zip(node.parents, node.partials):
                parent.grad += out_bar * partial

    def zero_grad(self) -> None:
        """Set ``.grad`` to 0 on this node and every node it depends on."""
        for node in topological_order(self):
            node.grad = 0.0

    def __float__(self) -> float:
        return self.data

    def __lt__(self, other: Any) -> bool:
        return self.data < _data(other)

    def __le__(self, other: Any) -> bool:
        return self.data <= _data(other)

    def __gt__(self, other: Any) -> bool:
        return self.data > _data(other)

    def __ge__(self, other: Any) -> bool:
        return self.data >= _data(other)

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        extra = f", label={self.label!r}" if self.label else ""
        extra += f", op={self.op!r}" if self.rule is not None and self.rule is not CONSTANT else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{extra})"


def apply_rule(rule: Rule, args: tuple[Value, ...]) -> Value:
    """A new node ``rule(*args)``, its local partials computed now."""
    xs = [a.data for a in args]
    out = rule.value(*xs)
    if out - out != 0.0:
        not_finite(rule, xs, out)
    node = _new(Value)
    node.data = out
    node.grad = 0.0
    node.label = ""
    node.rule = rule
    node.parents = args
    node.partials = rule.partials(out, *xs)
    node._seq = next(_counter)
    return node


def _data(other: Any) -> float:
    return other.data if isinstance(other, Value) else other  # type: ignore[no-any-return]


def topological_order(root: Value) -> list[Value]:
    """Every node ``root`` depends on, itself last, in the order they were computed.

    Iterative (a graph a million nodes deep is fine) and deterministic. Creation order is a
    topological order, since a node is always made after its parents.
    """
    seen = {root}
    stack = [root]
    while stack:
        for parent in stack.pop().parents:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return sorted(seen, key=_by_creation)


def leaves(nodes: Iterable[Value]) -> list[Value]:
    """The nodes without parents, in the order given."""
    return [n for n in nodes if not n.parents]
