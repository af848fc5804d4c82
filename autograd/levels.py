"""Levels of a picture: a graph's value nodes collapsed into one box per neuron or per layer.

Groups come from dotted labels, as ``nn`` writes them: a neuron's parameters are ``L1.N2.w1 ... L1.N2.b`` and
its output ``L1.N2``; an unlabelled node (a dot product, a bias sum) belongs to the innermost group shared by
every node it feeds. A *neuron* is a group whose name is also the label of a node (its output); a *layer* is
the outermost group holding neurons. Nodes outside every neuron are inputs (each its own box, all one box at
the layer level) or the rest (the loss: one box).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from .rule import CONSTANT
from .tracing import Trace
from .value import Value

__all__ = ["LEVELS", "Box", "Collapsed", "collapse", "cluster_paths"]

LEVELS = ("value", "neuron", "layer")


def cluster_paths(nodes: list[Value], children: Mapping[Value, list[Value]]) -> dict[Value, tuple[str, ...]]:
    """The group path of every node: the dotted prefixes of its label that name a group (``("L1", "L1.N2")``).

    Args:
        nodes: the graph's nodes in creation order.
        children: the nodes each node feeds (an unlabelled node joins the groups they all share).

    Returns:
        node -> path, outermost group first; ``()`` outside every group.

    >>> w, x = Value(1.0, label="L1.N1.w1"), Value(2.0, label="x1")
    >>> out = w * x; out.label = "L1.N1"; d = {w: [out], x: [out]}
    >>> [cluster_paths([w, x, out], d)[n] for n in (w, x, out)]
    [('L1', 'L1.N1'), (), ('L1', 'L1.N1')]
    """
    labels = {n.label for n in nodes if "." in n.label}
    groups = {label.rsplit(".", k)[0] for label in labels for k in range(1, label.count(".") + 1)}
    paths: dict[Value, tuple[str, ...]] = {}
    for node in reversed(nodes):  # children before parents
        if node.label:
            parts = node.label.split(".")
            paths[node] = tuple(p for p in (".".join(parts[:k]) for k in range(1, len(parts) + 1)) if p in groups)
        else:
            shared: tuple[str, ...] | None = None
            for child in children.get(node, []):
                path = paths[child]
                shared = path if shared is None else path[:_common(shared, path)]
            paths[node] = shared or ()
    return paths


def _common(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def _norm(numbers: list[float]) -> float:
    return math.sqrt(math.fsum(x * x for x in numbers))


class Box:
    """One drawn box: a value node, a neuron, a layer, the inputs or the rest of the graph.

    Attributes:
        name: its id: a v-name (``"v3"``), a group (``"L1.N2"``, ``"L1"``), ``"inputs"`` or ``"rest"``.
        kind: ``"value"``, ``"neuron"``, ``"layer"``, ``"inputs"`` or ``"rest"``.
        title: the first line shown (``"x1"``, ``"L1.N2 relu"``, ``"L1: 16 relu"``, ``"loss"``).
        members: the value nodes collapsed into it (no constants), in creation order.
        outputs: the nodes whose data and grad it shows (a neuron's output; a layer's neurons' outputs).
        pre: a neuron's pre-activation ``w . x + b`` (the node reading its bias), else None.
        weights: the parameters it shows the gradient size of (a neuron's or layer's weights).
    """

    __slots__ = ("name", "kind", "title", "members", "outputs", "pre", "weights")

    def __init__(self, name: str, kind: str, title: str, members: list[Value], outputs: list[Value],
                 pre: Value | None = None, weights: list[Value] | None = None) -> None:
        self.name, self.kind, self.title, self.members = name, kind, title, members
        self.outputs, self.pre, self.weights = outputs, pre, weights or []

    def fields(self, numbers: Mapping[Value, float], fmt: str, sweep: str = "grad") -> list[str]:
        """The texts of the box's fields: its title, data, and ``numbers`` (adjoints or tangents, by ``sweep``).

        A node missing from ``numbers`` shows ``?`` (a tangent not computed yet). In the forward sweep the
        adjoint fields show tangents: ``tangent`` for ``grad``, ``|w'|`` for ``|grad w|``.
        """
        def num(nodes: list[Value], norm: bool = False) -> str:
            got = [numbers.get(n) for n in nodes]
            if any(g is None for g in got):
                return "?"
            return format(_norm(got) if norm else got[0], fmt)  # type: ignore[arg-type]

        def data(nodes: list[Value], norm: bool = False) -> str:
            return format(_norm([n.data for n in nodes]) if norm else nodes[0].data, fmt)

        grad, size = ("grad", "|grad w|") if sweep == "grad" else ("tangent", "|w'|")
        if self.kind in ("value", "rest"):
            return [self.title, f"data {data(self.outputs)}", f"{grad} {num(self.outputs)}"]
        if self.kind == "neuron":
            assert self.pre is not None
            return [self.title, f"z {data([self.pre])}", f"a {data(self.outputs)}", f"{grad} {num(self.outputs)}",
                    f"{size} {num(self.weights, True)}"]
        fields = [self.title, f"|{'x' if self.kind == 'inputs' else 'a'}| {data(self.outputs, True)}",
                  f"|{grad}| {num(self.outputs, True)}"]
        return fields + ([f"{size} {num(self.weights, True)}"] if self.weights else [])

    def __repr__(self) -> str:
        return f"<Box {self.name}: {self.kind}, {len(self.members)} nodes>"


class Collapsed:
    """A graph seen at one level: its boxes, the box of every node, and the edges between boxes.

    Attributes:
        level: ``"value"``, ``"neuron"`` or ``"layer"``.
        boxes: in creation order of their first member.
        box_of: value node -> its Box (constants are in none).
        edges: ``(from_box, to_box)`` pairs, each once, in the order first met.
    """

    def __init__(self, level: str, boxes: list[Box], box_of: dict[Value, Box]) -> None:
        self.level, self.boxes, self.box_of = level, boxes, box_of
        seen: dict[tuple[str, str], tuple[Box, Box]] = {}
        for box in boxes:
            for node in box.members:
                for parent in node.parents:
                    source = box_of.get(parent)
                    if source is not None and source is not box:
                        seen.setdefault((source.name, box.name), (source, box))
        self.edges = list(seen.values())

    def __len__(self) -> int:
        return len(self.boxes)


def collapse(t: Trace, level: str = "neuron") -> Collapsed:
    """The boxes of a traced graph at ``level``: one per value node, per neuron or per layer.

    Args:
        t: the trace of the graph.
        level: ``"value"``, ``"neuron"`` or ``"layer"``.

    Returns:
        a Collapsed. At the neuron and layer levels the graph must be one sample's (each neuron once).

    >>> from autograd.tracing import trace
    >>> x = Value(0.5, label="x1"); w = Value(2.0, label="L1.N1.w1"); b = Value(0.0, label="L1.N1.b")
    >>> z = w * x + b; a = z.tanh(); a.label = "L1.N1"; loss = (a - 1.0) ** 2
    >>> [box.title for box in collapse(trace(loss), "neuron").boxes]
    ['x1', 'L1.N1 tanh', 'rest']
    >>> [box.title for box in collapse(trace(loss), "layer").boxes]
    ['inputs (1)', 'L1: 1 tanh', 'rest']
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    if level == "value":
        boxes = [Box(e.name, "value", e.node.label or e.name, [e.node], [e.node]) for e in t.entries]
        return Collapsed(level, boxes, {b.members[0]: b for b in boxes})
    nodes = [n for n in t.nodes if n.rule is not CONSTANT]
    children: dict[Value, list[Value]] = {}
    for n in nodes:
        for p in n.parents:
            children.setdefault(p, []).append(n)
    paths = cluster_paths(nodes, children)
    neurons = _neurons(nodes, paths)
    groups: dict[str, list[Value]] = {}
    for n in nodes:
        inner = [p for p in paths[n] if p in neurons]
        key = inner[-1] if inner else t.name(n) if n.rule is None else "rest"
        groups.setdefault(key, []).append(n)
    boxes = [_box(key, members, neurons.get(key), t) for key, members in groups.items()]
    if level == "layer":
        boxes = _layers(boxes, paths, {n: i for i, n in enumerate(nodes)})
    return Collapsed(level, boxes, {n: b for b in boxes for n in b.members})


def _neurons(nodes: list[Value], paths: dict[Value, tuple[str, ...]]) -> dict[str, Value]:
    """Group name -> the node labelled with it (the neuron's output); refuses a neuron met twice."""
    named: dict[str, Value] = {}
    groups = {p for path in paths.values() for p in path}
    for n in nodes:
        if n.label in groups:
            if n.label in named:
                raise ValueError(f"the neuron and layer levels draw one sample's graph, but {n.label} appears "
                                 "more than once (several samples, or a reused label): draw one sample's loss, "
                                 "or use level='value'")
            named[n.label] = n
    return named


_WEIGHT = re.compile(r"\.w\d+$")


def _box(key: str, members: list[Value], out: Value | None, t: Trace) -> Box:
    if out is not None:  # a neuron: its pre-activation is the node that reads its bias (none: the output)
        bias = next((n for n in members if n.rule is None and n.label == f"{key}.b"), None)
        pre = next((n for n in members if bias is not None and bias in n.parents), out)
        activation = out.rule.title if out is not pre and out.rule is not None else "linear"
        weights = [n for n in members if n.rule is None and _WEIGHT.search(n.label)]
        return Box(key, "neuron", f"{key} {activation}", members, [out], pre, weights)
    if key == "rest":
        root = t.output if t.output in members else members[-1]
        return Box(key, "rest", root.label or "rest", members, [root])
    return Box(key, "value", members[0].label or key, members, members)


def _layers(boxes: list[Box], paths: dict[Value, tuple[str, ...]], order: dict[Value, int]) -> list[Box]:
    """Neuron boxes merged by their outermost group (the layer), input boxes into one; the rest kept."""
    merged: dict[str, list[Box]] = {}
    for box in boxes:
        key = paths[box.outputs[0]][0] if box.kind == "neuron" else "inputs" if box.kind == "value" else box.name
        merged.setdefault(key, []).append(box)
    out = []
    for key, parts in merged.items():
        members = sorted((n for b in parts for n in b.members), key=order.__getitem__)
        if parts[0].kind == "neuron":
            kinds = {b.title.split(" ", 1)[1] for b in parts}
            title = f"{key}: {len(parts)} {kinds.pop() if len(kinds) == 1 else 'mixed'}"
            out.append(Box(key, "layer", title, members, [b.outputs[0] for b in parts], None,
                           [w for b in parts for w in b.weights]))
        elif key == "inputs":
            out.append(Box(key, "inputs", f"inputs ({len(members)})", members, members))
        else:
            out.extend(parts)
    return out
