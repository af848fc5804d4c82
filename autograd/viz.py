"""Pictures of a graph: DOT text (no binary needed) and Graphviz drawings, highlighted backprop steps.

Value nodes are records (label | data | grad), each operation is its own small node (a non-commutative
one, ``-`` ``/`` ``**``, reads ``a - b`` and labels its two edges a and b), a shared node is drawn once;
whole networks collapse to a box per neuron or layer (``level=``, see ``autograd.levels``). Node ids are the
trace's names (v1 ... vn; constants c1, c2, ...), so the same graph always gives the same text. Clusters
come from dotted labels (``L1.N2.w1`` sits in L1 > L1.N2); an unlabelled node joins the innermost cluster
shared by every node it feeds (a neuron's dot product and bias sum join the neuron), so a node read by two
neurons stays in their layer, or outside.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple

import graphviz

from .levels import LEVELS, Box, cluster_paths, collapse
from .rule import CONSTANT, Rule
from .tracing import Step, Trace
from .value import Value

__all__ = ["to_dot", "draw", "step_through", "Graph", "GraphvizNotFound", "LargeGraphWarning",
           "MAX_NODES", "COLUMN_WIDTH", "COMMUTATIVE"]

MAX_NODES = 300
"""Above this many value nodes ``draw`` warns: the picture is unreadable, draw a part instead."""
COLUMN_WIDTH = 7.5
"""A notebook column, in inches (720 CSS pixels): pictures are scaled down to fit it by default."""
COMMUTATIVE = frozenset({"add", "mul"})
"""Two-input operations whose inputs may swap; every other one marks its inputs ``a`` and ``b``."""

_RED = "#d62728"
_DONE = "#e3f1dc"  # nodes whose adjoint is final, in a step picture
_RANKDIRS = ("LR", "RL", "TB", "BT")
INSTALL = ("Graphviz's `dot` program was not found on PATH. draw() built the graph, but rendering it "
           "(SVG/PNG, or showing it in Jupyter) runs `dot`. Install Graphviz itself (the pip package "
           "`graphviz` alone is not enough): Debian/Ubuntu `sudo apt-get install graphviz`, macOS "
           "`brew install graphviz`, conda `conda install graphviz`. to_dot() gives the DOT text without it.")


class GraphvizNotFound(graphviz.ExecutableNotFound):
    """Graphviz's ``dot`` is missing; the message says how to install it."""

    def __init__(self, detail: str = "") -> None:
        RuntimeError.__init__(self, INSTALL + (f" ({detail})" if detail else ""))


class LargeGraphWarning(UserWarning):
    """A graph too large to read as one picture."""


@contextmanager
def _needs_dot() -> Iterator[None]:
    try:
        yield
    except graphviz.ExecutableNotFound as error:
        if isinstance(error, GraphvizNotFound):
            raise
        raise GraphvizNotFound(str(error)) from error


class Graph(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose rendering errors say how to install Graphviz."""

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        with _needs_dot():
            return super().pipe(*args, **kwargs)

    def render(self, *args: Any, **kwargs: Any) -> Any:
        with _needs_dot():
            return super().render(*args, **kwargs)

    def unflatten(self, *args: Any, **kwargs: Any) -> Any:
        with _needs_dot():
            return super().unflatten(*args, **kwargs)

    def __repr__(self) -> str:
        nodes = sum(" [label=" in line and "->" not in line for line in self.body)
        return f"<Graph: {nodes} nodes; .source is the DOT text, .render()/.pipe() draw it>"


def _quote(text: str) -> str:
    """A DOT string: only the quote is escaped (a backslash means something to labels, see _record)."""
    return '"' + text.replace('"', '\\"') + '"'


def _plain(text: str) -> str:
    """A label shown as typed: a backslash doubled, so Graphviz reads it as one backslash."""
    return text.replace("\\", "\\\\")


def _record(text: str) -> str:
    """Escape the characters that structure a record label."""
    for ch in "\\{}|<>":
        text = text.replace(ch, "\\" + ch)
    return text


def _attrs(attrs: dict[str, str]) -> str:
    return "[" + " ".join(f"{k}={_quote(v)}" for k, v in attrs.items()) + "]"


def _within(root: Value, depth: int | None) -> dict[Value, int]:
    """Each node at most ``depth`` operations above ``root``, with its distance (breadth first)."""
    dist = {root: 0}
    frontier = [root]
    while frontier and (depth is None or dist[frontier[0]] < depth):
        nxt = []
        for node in frontier:
            for parent in node.parents:
                if parent not in dist:
                    dist[parent] = dist[node] + 1
                    nxt.append(parent)
        frontier = nxt
    return dist


def _heat(fraction: float) -> str:
    """White to orange-red: a fill for |grad| / max |grad|."""
    r, g, b = (round(255 + (end - 255) * fraction) for end in (230, 85, 13))
    return f"#{r:02x}{g:02x}{b:02x}"


def _op_label(rule: Rule) -> str:
    """The operation's node text; a non-commutative one names its inputs (``a - b``), as its edges do."""
    if rule.arity != 2 or rule.name in COMMUTATIVE:
        return rule.symbol or rule.title
    return f"a {rule.symbol} b" if rule.symbol else f"{rule.title}(a, b)"


class _Options(NamedTuple):
    show_grad: bool
    fmt: str
    highlight: Any
    color_by_grad: bool
    clusters: bool
    depth: int | None
    max_nodes: int | None
    ids: str


def _check(root: Value, o: _Options) -> None:
    if not isinstance(root, Value):
        raise TypeError(f"draw needs a Value, got {type(root).__name__}")
    try:
        format(1.0, o.fmt)
    except (ValueError, TypeError):
        raise ValueError(f"fmt must be a float format spec such as '.4g', got {o.fmt!r}") from None
    if o.depth is not None and (not isinstance(o.depth, int) or o.depth < 0):
        raise ValueError(f"depth must be an int >= 0 or None, got {o.depth!r}")


def _too_many(count: int, o: _Options, what: str) -> None:
    if o.max_nodes is not None and count > o.max_nodes:
        warnings.warn(f"the graph has {count} {what} (more than max_nodes={o.max_nodes}), too many to "
                      "read: draw a part with depth=3, pass a sub-expression as the root, or draw a network at "
                      "level='neuron' (max_nodes=None draws it all without this warning)", LargeGraphWarning,
                      stacklevel=4)


def _step_grads(step: Step | None, nodes: Iterable[Value]) -> dict[Value, float]:
    """Every node's grad: as it stood after ``step`` (the root may be a part of its graph), else ``.grad``."""
    # after backward(create_graph=True) a .grad is a Value: the picture shows its number
    grads = {n: n.grad.data if isinstance(n.grad, Value) else n.grad for n in nodes}
    if step is not None:
        grads.update((n, g) for n, g in step.grads.items() if n in grads)
    return grads


def _value_body(root: Value, o: _Options) -> tuple[list[str], dict[str, str]]:
    """Value level: a record per value node (its name, data, grad), a small node per operation."""
    t = Trace(root)
    dist = _within(root, o.depth)
    nodes = [n for n in t.nodes if n in dist]
    _too_many(len(nodes), o, "value nodes")
    ids = {n: t.name(n) for n in nodes if n.rule is not CONSTANT}
    ids.update({n: f"c{i}" for i, n in enumerate((n for n in nodes if n.rule is CONSTANT), 1)})
    expanded = [n for n in nodes if n.parents and (o.depth is None or dist[n] < o.depth)]
    opened = set(expanded)  # a set: `in` on the list made 4096 products take 11 s

    step = o.highlight if isinstance(o.highlight, Step) else None
    grads = _step_grads(step, nodes)
    done = set(step.finished) if step is not None else set()
    marked, edges, amounts = _highlights(o.highlight)

    scale = max((abs(grads[n]) for n in ids if n.rule is not CONSTANT), default=0.0) if o.color_by_grad else 0.0
    lines: dict[tuple[str, ...], list[str]] = {(): []}
    children: dict[Value, list[Value]] = {}
    for n in expanded:
        for p in n.parents:
            children.setdefault(p, []).append(n)
    paths = cluster_paths(nodes, children) if o.clusters else dict.fromkeys(nodes, ())
    for n in nodes:
        attrs: dict[str, str] = {"id": o.ids + ids[n]} if o.ids else {}
        if n.rule is CONSTANT:
            attrs.update(label=format(n.data, o.fmt), shape="box", style="rounded,dashed")
        else:
            box = Box(ids[n], "value", n.label or ids[n], [n], [n])
            fields = box.fields(grads, o.fmt)[:3 if o.show_grad else 2]
            attrs.update(label=" | ".join(map(_record, fields)), shape="record")
            style = []
            if n in done:
                style, attrs["fillcolor"] = ["filled"], _DONE
            if scale:
                style, attrs["fillcolor"] = ["filled"], _heat(abs(grads[n]) / scale)
            if n.parents and n not in opened:
                style.append("dashed")
                attrs["tooltip"] = "its inputs are hidden (depth)"
            if style:
                attrs["style"] = ",".join(style)
        if n in marked:
            attrs.update(color=_RED, penwidth="2.5")
        lines.setdefault(paths[n], []).append(f"{ids[n]} {_attrs(attrs)}")
        if n in opened and n.rule is not None:
            op = {"id": f"{o.ids}{ids[n]}_op"} if o.ids else {}
            label = _op_label(n.rule)
            op.update(label=label, shape="circle" if label == n.rule.symbol else "ellipse", margin="0.02")
            if n in marked:
                op.update(color=_RED, penwidth="2.5")
            lines[paths[n]].append(f"{ids[n]}_op {_attrs(op)}")
    edge_lines = []
    for n in expanded:
        named = n.rule is not None and _op_label(n.rule) != (n.rule.symbol or n.rule.title)
        for slot, p in enumerate(n.parents):
            attrs = {"id": f"{o.ids}{ids[n]}.{slot}"} if o.ids else {}
            if named:
                attrs["headlabel"] = "ab"[slot]
            if (p, n) in edges:
                attrs.update(color=_RED, penwidth="2")
                if (p, n, slot) in amounts:
                    attrs.update(label=format(amounts[p, n, slot], "+" + o.fmt), fontcolor=_RED)
            edge_lines.append(f"{ids[p]} -> {ids[n]}_op" + (f" {_attrs(attrs)}" if attrs else ""))
        out = {"id": f"{o.ids}{ids[n]}.out"} if o.ids else {}
        if n in marked:
            out.update(color=_RED, penwidth="2")
        edge_lines.append(f"{ids[n]}_op -> {ids[n]}" + (f" {_attrs(out)}" if out else ""))
    graph_attr = {"rankdir": "LR", "ranksep": "0.3", "fontname": "Helvetica", "fontsize": "11"}
    if scale:
        graph_attr["label"] = f"fill: |grad| / max |grad| (max {format(scale, o.fmt)})"
    return _nest(lines) + edge_lines, graph_attr


def _box_body(root: Value, level: str, o: _Options) -> tuple[list[str], dict[str, str]]:
    """Neuron or layer level: a record per box (see ``autograd.levels``), an edge wherever a box feeds another."""
    if o.depth is not None or o.color_by_grad:
        raise ValueError(f"depth= and color_by_grad= draw value nodes: not available at level={level!r}")
    t = Trace(root)
    seen = collapse(t, level)
    _too_many(len(seen), o, f"boxes at level={level!r}")
    step = o.highlight if isinstance(o.highlight, Step) else None
    grads = _step_grads(step, t.nodes)
    marked, edges, amounts = _highlights(o.highlight)
    hot = {seen.box_of[n] for n in marked if n in seen.box_of}
    flows: dict[tuple[str, str], float] = {}
    for (p, n, _), amount in amounts.items():
        if p in seen.box_of and seen.box_of[p] is not seen.box_of[n]:
            key = (seen.box_of[p].name, seen.box_of[n].name)
            flows[key] = flows.get(key, 0.0) + amount
    hot_edges = {(seen.box_of[p].name, seen.box_of[n].name) for p, n in edges if p in seen.box_of}
    lines: dict[tuple[str, ...], list[str]] = {(): []}
    for box in seen.boxes:
        fields = box.fields(grads, o.fmt)
        attrs = {"id": o.ids + box.name} if o.ids else {}
        fields = [_record(f) for f in (fields if o.show_grad else fields[:3 if box.kind == "neuron" else 2])]
        if box.kind == "neuron":  # z and a side by side
            fields[1:3] = ["{ " + fields[1] + " | " + fields[2] + " }"]
        attrs.update(label=" | ".join(fields), shape="record")
        if box in hot:
            attrs.update(color=_RED, penwidth="2.5")
        layer = box.name.rsplit(".", 1)[0] if box.kind == "neuron" and "." in box.name else ""
        lines.setdefault((layer,) if layer and o.clusters else (), []).append(f"{_quote(box.name)} {_attrs(attrs)}")
    edge_lines = []
    for source, target in seen.edges:
        key = (source.name, target.name)
        attrs = {"id": f"{o.ids}{source.name}>{target.name}"} if o.ids else {}
        if key in hot_edges:
            attrs.update(color=_RED, penwidth="2")
            if key in flows:
                attrs.update(label=format(flows[key], "+" + o.fmt), fontcolor=_RED)
        edge_lines.append(f"{_quote(source.name)} -> {_quote(target.name)}" + (f" {_attrs(attrs)}" if attrs else ""))
    # thin grey edges: between two full layers there are hundreds; a step's flow is drawn red over them
    edge_style = "edge [color=gray60 arrowsize=0.5 penwidth=0.6]"
    # ordering and a small mclimit keep neurons in their order (N1 on top): crossings among full layers are moot
    return [edge_style] + _nest(lines) + edge_lines, {"rankdir": "LR", "ranksep": "0.4", "ordering": "out",
                                                      "mclimit": "0.01",
                                                      "fontname": "Helvetica", "fontsize": "11"}


def _highlights(highlight: Any) -> tuple[set[Value], set[tuple[Value, Value]], dict[tuple[Value, Value, int], float]]:
    """Nodes, (parent, child) edges and the amounts on step edges to highlight."""
    if highlight is None:
        return set(), set(), {}
    if isinstance(highlight, Step):
        amounts = {}
        for slot, c in enumerate(highlight.contributions):
            amounts[c.parent, c.child, slot] = c.amount
        return {highlight.node}, set(highlight.edges), amounts
    items: Iterable[Any] = [highlight] if isinstance(highlight, Value) else highlight
    nodes, edges = set(), set()
    for item in items:
        if isinstance(item, Value):
            nodes.add(item)
        elif isinstance(item, tuple) and len(item) == 2 and all(isinstance(v, Value) for v in item):
            edges.add((item[0], item[1]))
        else:
            raise TypeError(f"highlight takes a Step, Values or (parent, child) pairs of Values, "
                            f"got {type(item).__name__}")
    return nodes, edges, {}


def _nest(lines: dict[tuple[str, ...], list[str]]) -> list[str]:
    """Node lines inside nested ``subgraph cluster_...`` blocks, clusters in order of first appearance."""
    out = list(lines[()])
    tree: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for path in lines:
        for k in range(1, len(path) + 1):
            kids = tree.setdefault(path[:k - 1], [])
            if path[:k] not in kids:
                kids.append(path[:k])

    def emit(path: tuple[str, ...], indent: str) -> None:
        out.append(f"{indent}subgraph {_quote('cluster_' + _plain(path[-1]))} {{")
        out.append(f"{indent}\tlabel={_quote(_plain(path[-1]))} style=rounded color=gray60")
        out.extend(f"{indent}\t{line}" for line in lines.get(path, []))
        for kid in tree.get(path, []):
            emit(kid, indent + "\t")
        out.append(f"{indent}}}")

    for top in tree.get((), []):
        emit(top, "")
    return out


def draw(root: Value, *, show_grad: bool = True, fmt: str = ".4g", highlight: Any = None,
         color_by_grad: bool = False, rankdir: str = "LR", clusters: bool = True, depth: int | None = None,
         max_nodes: int | None = MAX_NODES, level: str = "value", width: float | None = COLUMN_WIDTH,
         ids: str = "") -> Graph:
    """The graph of ``root`` as a ``graphviz.Digraph``: shows inline in Jupyter, ``.pipe()``/``.render()`` to files.

    Args:
        root: the output Value (any sub-expression draws just its part).
        show_grad: show each node's ``.grad``.
        fmt: format spec of data and grad (significant digits by default: ``exp(-20)`` shows ``2.061e-09``).
        highlight: a Step (from ``trace(y).steps()``: its node, the edges it passed along, the amounts,
            the grads as of that step, finished nodes shaded), or Values and ``(parent, child)`` pairs.
        color_by_grad: fill value nodes by ``|grad| / max |grad|``.
        rankdir: ``"LR"`` (left to right), ``"TB"``, ``"RL"`` or ``"BT"``.
        clusters: group nodes by dotted labels (``L1.N2.w1``).
        depth: draw only nodes at most this many operations above ``root`` (cut nodes are dashed).
        max_nodes: warn (LargeGraphWarning) above this many value nodes (or boxes); ``None`` never warns.
        level: ``"value"`` (every value and operation), ``"neuron"`` (one box per neuron: its pre-activation
            z, activation a, grad and the size of its weights' gradients) or ``"layer"`` (one box per layer).
        width: the widest the picture may render, in inches (a notebook column by default); a larger graph
            is scaled down to it. ``None`` keeps the natural size.
        ids: a prefix for element ids in the SVG (nodes ``v3``, ``v3_op``, edges ``v3.0``, ``v3.out``; boxes by
            name, edges ``L1.N1>L2.N1``); by default no ids.

    Returns:
        a Graph (a ``graphviz.Digraph`` whose rendering errors say how to install Graphviz).

    >>> x = Value(2.0, label="x"); y = x * x
    >>> draw(y, show_grad=False).source.count("->")
    3
    """
    if rankdir not in _RANKDIRS:
        raise ValueError(f"rankdir must be one of {_RANKDIRS}, got {rankdir!r}")
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    if width is not None and not (isinstance(width, (int, float)) and 0 < width < float("inf")):
        raise ValueError(f"width must be a positive number of inches or None, got {width!r}")
    options = _Options(show_grad, fmt, highlight, color_by_grad, clusters, depth, max_nodes, ids)
    _check(root, options)
    body, graph_attr = _value_body(root, options) if level == "value" else _box_body(root, level, options)
    graph_attr["rankdir"] = rankdir
    if width is not None:  # Graphviz scales a larger drawing down to this (the height is left free)
        graph_attr["size"] = f"{width:g},1000"
    return Graph(graph_attr=graph_attr, node_attr={"fontname": "Helvetica", "fontsize": "11"},
                 edge_attr={"fontname": "Helvetica", "fontsize": "9", "labelfontsize": "10",
                            "labelfontcolor": "#1f77b4", "labeldistance": "1.6"}, body=[f"\t{line}\n" for line in body])


def to_dot(root: Value, **options: Any) -> str:
    """The DOT text of ``draw(root, **options)``: deterministic, and no Graphviz binary needed.

    >>> x1, x2 = Value(1.5, label="x1"), Value(0.5, label="x2")
    >>> for line in to_dot(x1 - x2, show_grad=False).splitlines()[4:]: print(line.strip())
    v1 [label="x1 | data 1.5" shape="record"]
    v2 [label="x2 | data 0.5" shape="record"]
    v3 [label="v3 | data 1" shape="record"]
    v3_op [label="a - b" shape="ellipse" margin="0.02"]
    v1 -> v3_op [headlabel="a"]
    v2 -> v3_op [headlabel="b"]
    v3_op -> v3
    }
    """
    return draw(root, **options).source


def step_through(root: Value, **options: Any) -> tuple[list[Step], Callable[[int], Graph]]:
    """All backprop steps of ``root`` and a function ``index -> picture``; no ``.grad`` is changed.

    Made for a slider: ``steps, picture = step_through(y)``, then
    ``ipywidgets.interact(lambda i: display(picture(i)), i=(0, len(steps) - 1))``.
    For a page that steps in any browser, without a kernel, see ``autograd.explore``.

    >>> x = Value(3.0, label="x"); steps, picture = step_through(x * x)
    >>> len(steps), steps[-1].grads[x], x.grad, "+3" in picture(0).source
    (2, 6.0, 0.0, True)
    """
    steps = list(Trace(root).steps())

    def picture(index: int) -> Graph:
        return draw(root, highlight=steps[index], **options)

    return steps, picture
