"""Pictures of a graph: DOT text (no binary needed) and Graphviz drawings, highlighted backprop steps.

Value nodes are records (label | data | grad), each operation is its own small node, a shared node is
drawn once. Node ids are the trace's names (v1 ... vn; constants c1, c2, ...), so the same graph
always gives the same text. Clusters come from dotted labels (``L1.N2.w1`` sits in L1 > L1.N2); an
unlabelled node joins the innermost cluster shared by every node it feeds (a neuron's dot product and
bias sum join the neuron), so a node read by two neurons stays in their layer, or outside.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import graphviz

from .rule import CONSTANT
from .tracing import Step, Trace
from .value import Value

__all__ = ["to_dot", "draw", "step_through", "Graph", "GraphvizNotFound", "LargeGraphWarning", "MAX_NODES"]

MAX_NODES = 300
"""Above this many value nodes ``draw`` warns: the picture is unreadable, draw a part instead."""

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


def _clusters(nodes: list[Value], children: dict[Value, list[Value]]) -> dict[Value, tuple[str, ...]]:
    """The cluster path of every node: the dotted prefixes of its label that name a group."""
    labels = {n.label for n in nodes if "." in n.label}
    groups = {label.rsplit(".", k)[0] for label in labels for k in range(1, label.count(".") + 1)}
    paths: dict[Value, tuple[str, ...]] = {}
    for node in reversed(nodes):  # children before parents
        if node.label:
            parts = node.label.split(".")
            prefixes = [".".join(parts[:k]) for k in range(1, len(parts) + 1)]
            paths[node] = tuple(p for p in prefixes if p in groups)
        else:
            shared: tuple[str, ...] | None = None
            for child in children.get(node, []):
                path = paths[child]
                shared = path if shared is None else _common(shared, path)
            paths[node] = shared or ()
    return paths


def _common(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


def _heat(fraction: float) -> str:
    """White to orange-red: a fill for |grad| / max |grad|."""
    r, g, b = (round(255 + (end - 255) * fraction) for end in (230, 85, 13))
    return f"#{r:02x}{g:02x}{b:02x}"


def _body(root: Value, show_grad: bool, fmt: str, highlight: Any, color_by_grad: bool, clusters: bool,
          depth: int | None, max_nodes: int | None) -> tuple[list[str], dict[str, str]]:
    if not isinstance(root, Value):
        raise TypeError(f"draw needs a Value, got {type(root).__name__}")
    try:
        format(1.0, fmt)
    except (ValueError, TypeError):
        raise ValueError(f"fmt must be a float format spec such as '.4f', got {fmt!r}") from None
    if depth is not None and (not isinstance(depth, int) or depth < 0):
        raise ValueError(f"depth must be an int >= 0 or None, got {depth!r}")
    t = Trace(root)
    dist = _within(root, depth)
    nodes = [n for n in t.nodes if n in dist]
    if max_nodes is not None and len(nodes) > max_nodes:
        warnings.warn(f"the graph has {len(nodes)} value nodes (more than max_nodes={max_nodes}), too many to "
                      "read: draw a part with depth=3, or pass a sub-expression as the root "
                      "(max_nodes=None draws it all without this warning)", LargeGraphWarning, stacklevel=3)
    ids = {n: t.name(n) for n in nodes if n.rule is not CONSTANT}
    ids.update({n: f"c{i}" for i, n in enumerate((n for n in nodes if n.rule is CONSTANT), 1)})
    expanded = [n for n in nodes if n.parents and (depth is None or dist[n] < depth)]

    step = highlight if isinstance(highlight, Step) else None
    grads = {n: n.grad for n in nodes}
    if step is not None:  # the grads as they stood after that step (the root may be a part of its graph)
        grads.update((n, g) for n, g in step.grads.items() if n in grads)
    done = set(step.finished) if step is not None else set()
    marked, edges, amounts = _highlights(highlight)

    scale = max((abs(grads[n]) for n in nodes if n.rule is not CONSTANT), default=0.0) if color_by_grad else 0.0
    lines: dict[tuple[str, ...], list[str]] = {(): []}
    children: dict[Value, list[Value]] = {}
    for n in expanded:
        for p in n.parents:
            children.setdefault(p, []).append(n)
    paths = _clusters(nodes, children) if clusters else dict.fromkeys(nodes, ())
    for n in nodes:
        attrs: dict[str, str] = {}
        if n.rule is CONSTANT:
            attrs = {"label": format(n.data, fmt), "shape": "box", "style": "rounded,dashed"}
        else:
            fields = [n.label or ids[n], f"data {format(n.data, fmt)}"]
            fields += [f"grad {format(grads[n], fmt)}"] if show_grad else []
            attrs = {"label": "{ " + " | ".join(map(_record, fields)) + " }", "shape": "record"}
            style = []
            if n in done:
                style, attrs["fillcolor"] = ["filled"], _DONE
            if scale:
                style, attrs["fillcolor"] = ["filled"], _heat(abs(grads[n]) / scale)
            if n.parents and n not in expanded:
                style.append("dashed")
                attrs["tooltip"] = "its inputs are hidden (depth)"
            if style:
                attrs["style"] = ",".join(style)
        if n in marked:
            attrs.update(color=_RED, penwidth="2.5")
        path = paths[n]
        lines.setdefault(path, []).append(f"{ids[n]} {_attrs(attrs)}")
        if n in expanded and n.rule is not None:
            op = {"label": n.rule.symbol or n.rule.title, "shape": "circle" if n.rule.symbol else "ellipse",
                  "margin": "0.02"}
            if n in marked:
                op.update(color=_RED, penwidth="2.5")
            lines[path].append(f"{ids[n]}_op {_attrs(op)}")
    edge_lines = []
    for n in expanded:
        for slot, p in enumerate(n.parents):
            attrs = {}
            if (p, n) in edges:
                attrs = {"color": _RED, "penwidth": "2"}
                if (p, n, slot) in amounts:
                    attrs.update(label=f"{format(amounts[p, n, slot], '+' + fmt)}", fontcolor=_RED)
            edge_lines.append(f"{ids[p]} -> {ids[n]}_op" + (f" {_attrs(attrs)}" if attrs else ""))
        out = {"color": _RED, "penwidth": "2"} if n in marked else {}
        edge_lines.append(f"{ids[n]}_op -> {ids[n]}" + (f" {_attrs(out)}" if out else ""))
    graph_attr = {"rankdir": "LR", "fontname": "Helvetica", "fontsize": "11"}
    if scale:
        graph_attr["label"] = f"fill: |grad| / max |grad| (max {format(scale, fmt)})"
    return _nest(lines) + edge_lines, graph_attr


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


def draw(root: Value, *, show_grad: bool = True, fmt: str = ".4f", highlight: Any = None,
         color_by_grad: bool = False, rankdir: str = "LR", clusters: bool = True, depth: int | None = None,
         max_nodes: int | None = MAX_NODES) -> Graph:
    """The graph of ``root`` as a ``graphviz.Digraph``: shows inline in Jupyter, ``.pipe()``/``.render()`` to files.

    Args:
        root: the output Value (any sub-expression draws just its part).
        show_grad: show each node's ``.grad``.
        fmt: format spec of data and grad.
        highlight: a Step (from ``trace(y).steps()``: its node, the edges it passed along, the amounts,
            the grads as of that step, finished nodes shaded), or Values and ``(parent, child)`` pairs.
        color_by_grad: fill value nodes by ``|grad| / max |grad|``.
        rankdir: ``"LR"`` (left to right), ``"TB"``, ``"RL"`` or ``"BT"``.
        clusters: group nodes by dotted labels (``L1.N2.w1``).
        depth: draw only nodes at most this many operations above ``root`` (cut nodes are dashed).
        max_nodes: warn (LargeGraphWarning) above this many value nodes; ``None`` never warns.

    Returns:
        a Graph (a ``graphviz.Digraph`` whose rendering errors say how to install Graphviz).

    >>> x = Value(2.0, label="x"); y = x * x
    >>> draw(y, show_grad=False).source.count("->")
    3
    """
    if rankdir not in _RANKDIRS:
        raise ValueError(f"rankdir must be one of {_RANKDIRS}, got {rankdir!r}")
    body, graph_attr = _body(root, show_grad, fmt, highlight, color_by_grad, clusters, depth, max_nodes)
    graph_attr["rankdir"] = rankdir
    return Graph(graph_attr=graph_attr, node_attr={"fontname": "Helvetica", "fontsize": "11"},
                 edge_attr={"fontname": "Helvetica", "fontsize": "9"}, body=[f"\t{line}\n" for line in body])


def to_dot(root: Value, **options: Any) -> str:
    """The DOT text of ``draw(root, **options)``: deterministic, and no Graphviz binary needed.

    >>> x1, x2 = Value(1.5, label="x1"), Value(0.5, label="x2")
    >>> for line in to_dot(x1 * x2, show_grad=False).splitlines()[4:]: print(line.strip())
    v1 [label="{ x1 | data 1.5000 }" shape="record"]
    v2 [label="{ x2 | data 0.5000 }" shape="record"]
    v3 [label="{ v3 | data 0.7500 }" shape="record"]
    v3_op [label="*" shape="circle" margin="0.02"]
    v1 -> v3_op
    v2 -> v3_op
    v3_op -> v3
    }
    """
    return draw(root, **options).source


def step_through(root: Value, **options: Any) -> tuple[list[Step], Callable[[int], Graph]]:
    """All backprop steps of ``root`` (computed apart from ``.grad``) and a function ``index -> picture``.

    Made for a slider: ``steps, picture = step_through(y)``, then
    ``ipywidgets.interact(lambda i: display(picture(i)), i=(0, len(steps) - 1))``.

    >>> x = Value(3.0, label="x"); steps, picture = step_through(x * x)
    >>> len(steps), x.grad, steps[-1].grads[x], "+3.0000" in picture(0).source
    (2, 0.0, 6.0, True)
    """
    steps = list(Trace(root).steps())

    def picture(index: int) -> Graph:
        return draw(root, highlight=steps[index], **options)

    return steps, picture
