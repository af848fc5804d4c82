"""The evaluation trace (Wengert list) of a graph: v1 ... vn, its forward and reverse tables, its steps.

Numbering: the inputs come first (v1 ... vk, in the order they were made), then every operation in the
order it ran; constants (numbers lifted into the graph) get no name and are written inline. So the
lecture's ``v3 = x1*x2; v4 = x2.sin(); v5 = v3.exp(); v6 = v3 - v4; v7 = v5 + v6`` reads v1 ... v7.
Nothing here changes a ``.grad``: the adjoints come from the reverse sweep run on stand-ins.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from ..backprop import adjoints, topological_order
from ..rule import CONSTANT
from ..value import Value
from .notation import expression_text, number_text, partial_texts, sum_text, term_text
from .steps import Step, steps_of
from .tables import Contribution, ForwardRow, ReverseRow, Table

__all__ = ["trace", "Trace", "Entry"]


class Entry(NamedTuple):
    """One line ``v_i = phi(v_j, ...)`` of the trace; ``kind`` is ``"input"`` or ``"op"``."""

    number: int
    name: str
    node: Value
    kind: str
    expression: str


class Trace:
    """The Wengert list of a graph (see ``trace``).

    Attributes:
        output: the root Value.
        entries: v1 ... vn: the inputs, then the operations in the order they ran.
        inputs: the entries of the inputs (nodes with no rule), in creation order.
        nodes: every node of the graph, constants too, in creation order.
    """

    def __init__(self, root: Value) -> None:
        if not isinstance(root, Value):
            raise TypeError(f"trace needs a Value, got {type(root).__name__}")
        self.output = root
        self.nodes = topological_order(root)
        inputs = [n for n in self.nodes if n.rule is None]
        ops = [n for n in self.nodes if n.rule is not None and n.rule is not CONSTANT]
        self._names: dict[Value, str] = {n: f"v{i}" for i, n in enumerate(inputs + ops, 1)}
        self.entries = [Entry(i, f"v{i}", n, "input", n.label or "input") for i, n in enumerate(inputs, 1)]
        self.entries += [Entry(i, f"v{i}", n, "op", expression_text(n.rule, self._args(n)))
                         for i, n in enumerate(ops, len(inputs) + 1)]
        self.inputs = self.entries[:len(inputs)]
        self._entries = {e.node: e for e in self.entries}
        self._partials: dict[Value, list[str]] = {}

    def name(self, node: Value) -> str:
        """``"v3"`` for a node of the trace, the number itself for a constant."""
        return self._names.get(node) or number_text(node.data)

    def _args(self, node: Value) -> list[str]:
        return [self.name(p) for p in node.parents]

    def partial_texts(self, entry: Entry) -> list[str]:
        """The local partials of an operation as formulas, one per argument (``["v2", "v1"]`` for v1 * v2)."""
        node = entry.node
        if node not in self._partials:
            assert node.rule is not None, "an input has no partials"
            self._partials[node] = partial_texts(node.rule, self._args(node), entry.name, node.partials)
        return self._partials[node]

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries)

    def __getitem__(self, name: str) -> Entry:
        number = name[1:] if isinstance(name, str) and name.startswith("v") else ""
        if number.isdigit() and 1 <= int(number) <= len(self.entries) and name == f"v{int(number)}":
            return self.entries[int(number) - 1]
        raise KeyError(f"no entry named {name!r}; the trace has v1 ... v{len(self.entries)}")

    def table(self, fmt: str = ".6g") -> Table:
        """The primal trace: ``v_i = phi(...)`` and its value."""
        rows = [ForwardRow(e.name, e.expression, e.node.data, "", 0.0) for e in self.entries]
        return Table("Primal trace", ["primal trace", "value"], rows,
                     [[f"{r.name} = {r.expression}", format(r.value, fmt)] for r in rows], [False, True])

    def __str__(self) -> str:
        return str(self.table())

    def __repr__(self) -> str:
        return f"<Trace of {len(self.entries)} entries: v1 ... v{len(self.entries)}>"

    def _repr_html_(self) -> str:
        return self.table()._repr_html_()

    def to_markdown(self) -> str:
        """The primal trace as markdown."""
        return self.table().to_markdown()

    def input_node(self, wrt: Value | str | None) -> Value:
        """The input called ``wrt`` (a Value, its label or its v-name); optional when there is one input."""
        names = ", ".join(f"{e.name} ({e.expression})" for e in self.inputs)
        if wrt is None:
            if len(self.inputs) != 1:
                raise ValueError(f"forward_table needs wrt= when the graph has {len(self.inputs)} inputs: {names}")
            return self.inputs[0].node
        for e in self.inputs:
            if e.node is wrt or (isinstance(wrt, str) and wrt in (e.name, e.node.label)):
                return e.node
        if not isinstance(wrt, (Value, str)):
            raise TypeError(f"wrt must be an input Value or its label, got {type(wrt).__name__}")
        raise ValueError(f"wrt={wrt!r} is not an input of this graph; its inputs are {names}")

    def tangents(self, wrt: Value | str | None = None) -> dict[Value, float]:
        """Every node's tangent ``d node / d wrt``: the forward sweep over the stored partials (what a Dual
        computes, term by term in the same order; a zero partial or tangent contributes nothing)."""
        seed = self.input_node(wrt)
        tangent: dict[Value, float] = {}
        for node in self.nodes:
            total = 1.0 if node is seed else 0.0
            for parent, partial in zip(node.parents, node.partials):
                t = tangent[parent]
                if t and partial:
                    total += partial * t
            tangent[node] = total
        return tangent

    def forward_table(self, wrt: Value | str | None = None, fmt: str = ".6g") -> Table:
        """Primal and tangent trace for the direction ``d/d wrt``.

        Args:
            wrt: the input to differentiate by (a Value, its label or ``"v1"``); optional with one input.
            fmt: the format spec of the printed numbers (the rows keep them exactly).

        Returns:
            a Table of ForwardRow: ``v3 = v1 * v2`` with its value, ``v3' = v2 v1' + v1 v2'`` with its tangent.

        >>> x1, x2 = Value(1.5, label="x1"), Value(0.5, label="x2")
        >>> t = trace(x1 * x2 + x1); t.forward_table(wrt=x1)["v4"].tangent
        1.5
        """
        seed = self.input_node(wrt)
        tangent = self.tangents(seed)
        rows = []
        for e in self.entries:
            if e.kind == "input":
                text = "1" if e.node is seed else "0"
            else:
                text = sum_text([term_text(c, f"{self.name(p)}'", True) for c, p in
                                 zip(self.partial_texts(e), e.node.parents) if p.rule is not CONSTANT])
            rows.append(ForwardRow(e.name, e.expression, e.node.data, text, tangent[e.node]))
        title = f"Forward (tangent) trace, d/d {seed.label or self.name(seed)}"
        cells = [[f"{r.name} = {r.expression}", format(r.value, fmt), f"{r.name}' = {r.tangent_expression}",
                  format(r.tangent, fmt)] for r in rows]
        return Table(title, ["primal trace", "value", "tangent trace", "tangent"], rows, cells,
                     [False, True, False, True])

    def contributions(self, seed: float = 1.0) -> tuple[dict[Value, Any], dict[Value, list[Contribution]],
                                                         dict[Value, list[Contribution]]]:
        """The reverse sweep's result: every node's adjoint; what each node received, last child first; and
        what each passed, operand by operand."""
        found = adjoints(self.output, seed, order=self.nodes)
        received: dict[Value, list[Contribution]] = {}
        passed: dict[Value, list[Contribution]] = {}
        for e in reversed(self.entries):
            out_bar = found[e.node]
            row = passed[e.node] = []
            for slot, (parent, partial) in enumerate(zip(e.node.parents, e.node.partials)):
                amount = out_bar * partial if out_bar else 0.0  # the sweep passes nothing from a zero adjoint
                c = Contribution(e.node, parent, e.name, self.name(parent), out_bar, partial, amount, slot)
                row.append(c)
                received.setdefault(parent, []).append(c)
        return found, received, passed

    def reverse_table(self, fmt: str = ".6g") -> Table:
        """The adjoint trace from the output back to the inputs, each row with the contributions it received.

        Computed by the reverse sweep on stand-ins (no ``backward()`` needed, no ``.grad`` touched), so the
        adjoints of the inputs equal the gradients ``backward()`` gives on a fresh graph, bit for bit.

        Returns:
            a Table of ReverseRow, last entry first: ``v3_bar = v5_bar v5 + v6_bar`` and its adjoint.

        >>> x = Value(3.0, label="x")
        >>> trace(x * x).reverse_table()["v1"].adjoint
        6.0
        """
        found, received, _ = self.contributions()
        rows = []
        for e in reversed(self.entries):
            got = tuple(reversed(received.get(e.node, [])))  # first child first, as the lecture writes
            if e.node is self.output:
                text = "1"
            else:
                text = sum_text([term_text(self.partial_texts(self._entries[c.child])[c.slot], f"{c.child_name}_bar",
                                           False) for c in got])
            rows.append(ReverseRow(e.name, text, got, found[e.node], e.node.label))
        cells = [[f"{r.name}_bar = {r.expression}",
                  " + ".join(f"{format(c.adjoint, fmt)} * {format(c.partial, fmt)}" for c in r.contributions)
                  if r.contributions else "seed",
                  format(r.adjoint, fmt), r.label] for r in rows]
        return Table("Reverse (adjoint) trace", ["adjoint trace", "adjoint * partial", "adjoint", "label"],
                     rows, cells, [False, False, True, False])

    def steps(self, grad: float = 1.0) -> Iterator[Step]:
        """Step-through backprop: the reverse sweep one node at a time, last entry first.

        Each step makes one node's adjoint final and passes ``adjoint * partial`` to each argument. The
        steps are computed apart from ``.grad`` (nothing changes): ``step.grads`` holds every node's adjoint
        as it stands after that step, starting from 0 as on a fresh graph, so the last step's equal
        ``backward()``'s. ``list(t.steps())`` is ready for a slider or ``autograd.explore``.

        >>> x = Value(2.0, label="x"); y = x.exp() * 3
        >>> [str(s).split(":")[0] for s in trace(y).steps()]
        ['step 1 of 3', 'step 2 of 3', 'step 3 of 3']
        >>> x.grad
        0.0
        """
        yield from steps_of(self, grad)


def trace(root: Value) -> Trace:
    """The evaluation trace (Wengert list) of ``root``'s graph: inputs v1 ... vk, then each operation.

    Args:
        root: the output Value.

    Returns:
        a Trace: ``.entries``, ``.forward_table(wrt=)``, ``.reverse_table()``, ``.steps()``; ``str()`` prints it.

    >>> x1, x2 = Value(1.5, label="x1"), Value(0.5, label="x2")
    >>> print(trace(x1 * x2 - 2 * x2.sin()))
    Primal trace
    primal trace      value
    ------------  ---------
    v1 = x1             1.5
    v2 = x2             0.5
    v3 = v1 * v2       0.75
    v4 = sin(v2)   0.479426
    v5 = 2 * v4    0.958851
    v6 = v3 - v5  -0.208851
    """
    return Trace(root)
