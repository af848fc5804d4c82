"""Value: a node of the reverse-mode graph, and backward().

The graph protocol, which every algorithm here reads: a node has ``data``, ``grad``, ``rule``
(``None`` for an input), ``parents`` (a tuple, in argument order) and ``partials`` (the rule's local
partials, stored when the node was made). Nodes hold no closures, so no reference cycles: a graph
is freed by reference counting the moment it is dropped.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from itertools import count
from operator import attrgetter
from typing import Any

from .operand import UNARY_METHODS, Operand, check_number, is_number, not_finite
from .ops import CONSTANT, RULES, Rule

__all__ = ["Value", "topological_order"]

_counter = count()
# Called as hook(value, "<", other) before a comparison; the compiled path sets it while tracing,
# since a comparison usually means Python branches on the data, which a replay cannot follow.
compare_hook: Callable[[Value, str, Any], None] | None = None
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
        if type(data) is not float or data - data != 0.0:  # the common case, a finite float, skips the call
            data = check_number(data, "Value")
        self.data = data
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
        node = _constant(other)
        return NotImplemented if node is None else node

    def _apply(self, rule: Rule, args: tuple[Value, ...]) -> Value:
        return apply_rule(rule, args)

    def backward(self, grad: float = 1.0) -> None:
        """Backpropagate ``d self / d node`` into every node's ``.grad``, in reverse topological order.

        Intermediate nodes are recomputed on each call; inputs (leaves) accumulate, as in PyTorch,
        so call ``zero_grad()`` (or an optimiser's) between steps.

        Args:
            grad: the seed adjoint of this node (1.0 for a loss).
        """
        order = _internal_nodes(self)  # also sets their grads to 0
        self.grad += grad
        for node in order:
            out_bar = node.grad
            if out_bar:  # else nothing to pass on (and an infinite partial times 0 would make a NaN)
                # += because a node may feed several children: its adjoint is the sum over all paths.
                # One and two operands are unrolled: it halves the time of this loop on chains.
                parents = node.parents
                arity = len(parents)
                if arity == 2:
                    a, b = parents
                    partial_a, partial_b = node.partials
                    a.grad += out_bar * partial_a
                    b.grad += out_bar * partial_b
                elif arity == 1:
                    parents[0].grad += out_bar * node.partials[0]
                else:
                    for parent, partial in zip(parents, node.partials):
                        parent.grad += out_bar * partial

    def zero_grad(self) -> None:
        """Set ``.grad`` to 0 on this node and every node it depends on."""
        for node in topological_order(self):
            node.grad = 0.0

    def __float__(self) -> float:
        return self.data

    def __lt__(self, other: Any) -> bool:
        if compare_hook is not None:
            compare_hook(self, "<", other)
        return self.data < _data(other)

    def __le__(self, other: Any) -> bool:
        if compare_hook is not None:
            compare_hook(self, "<=", other)
        return self.data <= _data(other)

    def __gt__(self, other: Any) -> bool:
        if compare_hook is not None:
            compare_hook(self, ">", other)
        return self.data > _data(other)

    def __ge__(self, other: Any) -> bool:
        if compare_hook is not None:
            compare_hook(self, ">=", other)
        return self.data >= _data(other)

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        extra = f", label={self.label!r}" if self.label else ""
        extra += f", op={self.op!r}" if self.rule is not None and self.rule is not CONSTANT else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{extra})"


def _constant(x: Any) -> Value | None:
    """A leaf for a plain number (``None`` if ``x`` is not one), marked with ``CONSTANT``."""
    if type(x) is not float:
        if not is_number(x):
            return None
        x = check_number(x, "Value")
    elif x - x != 0.0:
        check_number(x, "Value")  # raises, naming the NaN or infinity
    node = _new(Value)
    node.data = x
    node.grad = 0.0
    node.label = ""
    node.rule = CONSTANT
    node.parents = ()
    node.partials = ()
    node._seq = next(_counter)
    return node


def _binary(rule: Rule, op: Callable[[float, float], float]) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """Fast ``self op other`` and ``other op self`` for add, sub and mul: no rule calls per node.

    ``op`` is the C operator; the partials are the rule's constant row (add, sub) or, for mul,
    ``(y, x)``, exactly what ``rule.partials`` returns (tests compare them).
    """
    row = None if rule.name == "mul" else rule.partials(0.0, 0.0, 0.0)

    def forward(self: Value, other: Any) -> Any:
        if type(other) is not Value:
            other = other if isinstance(other, Value) else _constant(other)
            if other is None:
                return NotImplemented
        x = self.data
        y = other.data
        out = op(x, y)
        if out - out != 0.0:
            not_finite(rule, [x, y], out)
        node = _new(Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node.rule = rule
        node.parents = (self, other)
        node.partials = (y, x) if row is None else row
        node._seq = next(_counter)
        return node

    def reflected(self: Value, other: Any) -> Any:
        lifted = other if isinstance(other, Value) else _constant(other)
        if lifted is None:
            return NotImplemented
        return forward(lifted, self)

    forward.__doc__ = f"self {rule.symbol} other"
    reflected.__doc__ = f"other {rule.symbol} self"
    return forward, reflected


def _unary(rule: Rule) -> Callable[[Value], Value]:
    """A fast one-operand method: the rule's value and partials, called directly."""
    value, partials = rule.value, rule.partials

    def method(self: Value) -> Value:
        x = self.data
        out = value(x)
        if out - out != 0.0:
            not_finite(rule, [x], out)
        node = _new(Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node.rule = rule
        node.parents = (self,)
        node.partials = partials(out, x)
        node._seq = next(_counter)
        return node

    return method


Value.__add__, Value.__radd__ = _binary(RULES["add"], operator.add)  # type: ignore[assignment]
Value.__sub__, Value.__rsub__ = _binary(RULES["sub"], operator.sub)  # type: ignore[assignment]
Value.__mul__, Value.__rmul__ = _binary(RULES["mul"], operator.mul)  # type: ignore[assignment]
for _method, _name in UNARY_METHODS.items():
    _fast = _unary(RULES[_name])
    _fast.__name__, _fast.__doc__ = _method, getattr(Operand, _method).__doc__
    setattr(Value, _method, _fast)


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
    found = [root]
    push = found.append
    for node in found:  # breadth first: the loop also visits the nodes appended while it runs
        for parent in node.parents:
            if parent not in seen:
                seen.add(parent)
                push(parent)
    found.sort(key=_by_creation)
    return found


def _internal_nodes(root: Value) -> list[Value]:
    """The nodes with parents that ``root`` depends on, last made first, their grads set to 0.

    backward() needs only these: leaves receive adjoints but pass none on, and skipping them
    (about 40% of a typical graph) saves both the set lookups and the sort.
    """
    if not root.parents:
        return []
    root.grad = 0.0
    seen = {root}
    found = [root]
    push = found.append
    for node in found:  # breadth first: the loop also visits the nodes appended while it runs
        for parent in node.parents:
            if parent.parents and parent not in seen:
                parent.grad = 0.0
                seen.add(parent)
                push(parent)
    found.sort(key=_by_creation, reverse=True)
    return found


def leaves(nodes: Iterable[Value]) -> list[Value]:
    """The nodes without parents, in the order given."""
    return [n for n in nodes if not n.parents]
