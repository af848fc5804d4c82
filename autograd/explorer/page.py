"""The explorer page: one graph drawn by Graphviz, its trace tables, and every step of both sweeps as data.

Python computes every number and every text the page shows (the steps of ``Trace.steps()``, the rows of the
forward tables); the page's script only swaps them in. So the page needs no kernel and no network, and what
it shows is what the trace says, digit for digit.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

from ..levels import Box, Collapsed, collapse
from ..rule import CONSTANT
from ..tracing import Entry, Table, Trace
from ..value import Value
from ..viz import COLUMN_WIDTH, draw

__all__ = ["Explorer", "explore"]

MAX_INPUTS = 8
"""By default the forward sweep is offered for the inputs outside every group (a network's data), at most this many."""


def _text(name: str) -> str:
    return resources.files(__package__).joinpath(name).read_text(encoding="utf-8")


def _sweep_pages(order: list[Entry], seen: Collapsed) -> list[tuple[Box, list[int]]]:
    """The page's steps: each box with the positions (in ``order``) of the trace steps it covers.

    A box's step ends where the last of its operations is swept (a box of inputs only: its last input);
    the steps in between join the next box that ends, and trailing ones (parameters swept last) the last.
    """
    ends: dict[str, int] = {}
    for i, e in enumerate(order):
        box = seen.box_of[e.node]
        if e.node.rule is not None or all(m.rule is None for m in box.members):
            ends[box.name] = i
    boxes = {b.name: b for b in seen.boxes}
    pages, start = [], 0
    for name, end in sorted(ends.items(), key=lambda item: item[1]):
        pages.append((boxes[name], list(range(start, end + 1))))
        start = end + 1
    pages[-1][1].extend(range(start, len(order)))
    return pages


class _Builder:
    """Turns a trace, seen at one level, into the page's steps for the reverse and forward sweeps."""

    def __init__(self, t: Trace, seen: Collapsed, fmt: str, prefix: str) -> None:
        self.t, self.seen, self.fmt, self.prefix = t, seen, fmt, prefix
        self.value_level = seen.level == "value"

    def _number(self, node: Value) -> int:
        return self.t[self.t.name(node)].number if node in self.seen.box_of else 0

    def _box_id(self, box: Box) -> str:
        return self.prefix + box.name

    def _fields(self, numbers: dict[Value, float], sweep: str) -> dict[str, list[str]]:
        return {box.name: box.fields(numbers, self.fmt, sweep) for box in self.seen.boxes}

    def _update(self, shown: dict[str, list[str]], nodes: Any, numbers: dict[Value, float],
                sweep: str) -> list[list[Any]]:
        """The fields that changed in the boxes of ``nodes`` (written into ``shown``), as ``[id, index, text]``."""
        boxes = {self.seen.box_of[n].name: self.seen.box_of[n] for n in nodes if n in self.seen.box_of}
        after = {name: box.fields(numbers, self.fmt, sweep) for name, box in boxes.items()}
        changes = self._changes(shown, after)
        shown.update(after)
        return changes

    def _changes(self, before: dict[str, list[str]], after: dict[str, list[str]]) -> list[list[Any]]:
        return [[self.prefix + name, i, text] for name, fields in after.items()
                for i, text in enumerate(fields) if before.get(name, [None] * len(fields))[i] != text]

    def _flow_edges(self, box: Box, terms: list[tuple[Value, Value, int, float]]) -> list[list[str]]:
        """``[edge id, "+amount"]`` for each edge the step's amounts travel (summed between boxes)."""
        if self.value_level:
            return [[f"{self.prefix}{self.t.name(child)}.{slot}", format(amount, "+" + self.fmt)]
                    for parent, child, slot, amount in terms]
        sums: dict[str, float] = {}
        for parent, _, _, amount in terms:
            source = self.seen.box_of.get(parent)
            if source is not None and source is not box:
                key = f"{self.prefix}{source.name}>{box.name}"
                sums[key] = sums.get(key, 0.0) + amount
        return [[key, format(amount, "+" + self.fmt)] for key, amount in sums.items()]

    def _lit(self, box: Box, names: list[str]) -> list[str]:
        if not self.value_level:
            return [self._box_id(box)]
        name = names[0]
        node = self.t[name].node
        return [self.prefix + name] + ([f"{self.prefix}{name}_op", f"{self.prefix}{name}.out"] if node.parents else [])

    def reverse(self) -> dict[str, Any]:
        """The reverse sweep: each page step, the adjoints of ``Trace.steps()`` as they stand after it."""
        steps = list(self.t.steps())
        order = list(reversed(self.t.entries))
        named = [e.node for e in self.t.entries]
        grads: dict[Value, float] = dict.fromkeys(named, 0.0)
        base = self._fields(grads, "grad")
        shown, sent = dict(base), dict(grads)
        pages = []
        grads[self.t.output] = 1.0  # the seed: dL/dL = 1
        for k, (box, positions) in enumerate(_sweep_pages(order, self.seen), 1):
            terms, touched = [], {self.t.output} if k == 1 else set()
            for i in positions:
                step = steps[i]
                for slot, c in enumerate(step.contributions):
                    if step.adjoint:  # as backward(): a zero adjoint passes nothing
                        grads[c.parent] = grads.get(c.parent, 0.0) + c.amount
                        touched.add(c.parent)
                    if self.seen.box_of.get(c.child) is box and (c.parent.rule is not CONSTANT or self.value_level):
                        terms.append((c.parent, c.child, slot, c.amount))
            names = [order[i].name for i in positions if self.seen.box_of[order[i].node] is box]
            changed = [[self.t.name(n), grads[n]] for n in sorted(touched, key=self._number)
                       if n in sent and sent[n] != grads[n]]
            sent.update((n, grads[n]) for n in touched if n in sent)
            note = str(steps[positions[-1]]) if self.value_level else self._note(k, box, names, "grad")
            pages.append({"note": note, "trace_step": positions[-1] + 1, "names": names, "rows": names,
                          "highlight": self._lit(box, names), "flows": self._flow_edges(box, terms),
                          "numbers": changed, "texts": self._update(shown, touched, grads, "grad")})
        return {"numbers": {self.t.name(n): 0.0 for n in named}, "base": self._changes({}, base), "steps": pages,
                "table": _table_html(self.t.reverse_table(), "reverse")}

    def forward(self, wrt: Value) -> dict[str, Any]:
        """The forward sweep for ``d/d wrt``: each page step, the tangents of the forward table's rows."""
        table = self.t.forward_table(wrt=wrt)
        order = list(self.t.entries)
        tangents: dict[Value, float] = {}
        base = self._fields(tangents, "tangent")
        shown, pages = dict(base), []
        for k, (box, positions) in enumerate(_sweep_pages(order, self.seen), 1):
            terms = []
            for i in positions:
                node, row = order[i].node, table.rows[i]
                tangents[node] = row.tangent
                if self.seen.box_of.get(node) is box:
                    for slot, (parent, partial) in enumerate(zip(node.parents, node.partials)):
                        if parent.rule is not CONSTANT or self.value_level:
                            terms.append((parent, node, slot, partial * tangents.get(parent, 0.0)))
            names = [order[i].name for i in positions if self.seen.box_of[order[i].node] is box]
            last = table.rows[positions[-1]]
            note = (f"step {k} of {len(order)}: {last.name}' = {last.tangent_expression} = {last.tangent:.6g}"
                    if self.value_level else self._note(k, box, names, "tangent"))
            pages.append({"note": note, "trace_step": positions[-1] + 1, "names": names, "rows": names,
                          "highlight": self._lit(box, names), "flows": self._flow_edges(box, terms),
                          "numbers": [[order[i].name, table.rows[i].tangent] for i in positions],
                          "texts": self._update(shown, [order[i].node for i in positions], tangents, "tangent")})
        return {"numbers": {}, "base": self._changes({}, base), "steps": pages, "table": _table_html(table, "forward")}

    def _note(self, k: int, box: Box, names: list[str], sweep: str) -> str:
        done = "adjoints are final" if sweep == "grad" else "tangents are computed"
        shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
        return f"step {k} of {len(self.seen)}: {box.title}: the {done} ({shown})"


def _table_html(table: Table, mode: str) -> str:
    """The table with one ``data-row`` per row, so the page can light the rows of a step."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in table.headers)
    body = "".join(f'<tr data-row="{html.escape(row.name)}">'
                   + "".join(f'<td class="{"num" if num else "txt"}">{html.escape(c)}</td>'
                             for c, num in zip(cells, table.numeric)) + "</tr>"
                   for row, cells in zip(table.rows, table.cells))
    return (f'<table class="dg-table" data-mode="{mode}"><caption>{html.escape(table.title)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def _svg(root: Value, level: str, fmt: str, width: float | None, prefix: str) -> str:
    """Graphviz's SVG of the graph (as ``draw`` makes it), with ids, ready to sit inside HTML."""
    svg = draw(root, level=level, fmt=fmt, width=width, ids=prefix, max_nodes=None).pipe(format="svg").decode()
    svg = svg[svg.index("<svg"):]  # no XML prolog or doctype inside HTML
    return re.sub(r"<!--.*?-->\n?", "", svg, flags=re.S)  # Graphviz's comments: a tenth of the size


class Explorer:
    """An interactive page of a graph's backprop: inline in Jupyter, or one offline HTML file (``save``).

    See ``explore``. ``html()`` is the whole document, ``_repr_html_()`` the part a notebook shows.
    """

    def __init__(self, root: Value, level: str, wrt: list[Value], fmt: str, width: float | None, title: str) -> None:
        t = Trace(root)
        seen = collapse(t, level)
        key = hashlib.sha1(f"{level}|{fmt}|{len(t.entries)}|{t.entries[-1].expression}".encode()).hexdigest()[:8]
        self.id = f"dg{key}"
        prefix = f"{self.id}-"
        builder = _Builder(t, seen, fmt, prefix)
        modes = {"reverse": builder.reverse()}
        modes.update((f"forward:{t.name(x)}", builder.forward(x)) for x in wrt)
        self.data: dict[str, Any] = {"id": self.id, "level": level, "title": title, "modes": modes,
                     "wrt": [[t.name(x), x.label or t.name(x)] for x in wrt], "boxes": len(seen)}
        self.svg = _svg(root, level, fmt, width, prefix)
        self.steps = len(modes["reverse"]["steps"])

    def fragment(self, standalone: bool = False) -> str:
        """The explorer as an HTML fragment: its style, controls, picture, tables, data and script."""
        data = json.dumps(self.data, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
        wrt = "".join(f'<option value="{html.escape(n)}">{html.escape(label)}</option>'
                      for n, label in self.data["wrt"])
        return (f'<div class="dg-explorer" id="{self.id}" tabindex="0"{" data-standalone" if standalone else ""}>'
                f"<style>{_text('page.css')}</style>"
                f'<div class="dg-title">{html.escape(self.data["title"])}</div>'
                '<div class="dg-controls">'
                '<button type="button" data-go="first" title="first step (Home)">|&#x25C0;</button>'
                '<button type="button" data-go="prev" title="previous step (left arrow)">&#x25C0;</button>'
                '<button type="button" data-go="next" title="next step (right arrow)">&#x25B6;</button>'
                '<button type="button" data-go="last" title="last step (End)">&#x25B6;|</button>'
                f'<input type="range" class="dg-slider" min="1" max="{self.steps}" value="1" aria-label="step">'
                '<span class="dg-counter"></span>'
                '<span class="dg-modes"><button type="button" data-mode="reverse">reverse: adjoints</button>'
                f'<button type="button" data-mode="forward"{"" if wrt else " disabled"}>forward: tangents</button>'
                f'<label class="dg-wrt">d/d <select>{wrt}</select></label></span></div>'
                '<div class="dg-note" aria-live="polite"></div>'
                f'<div class="dg-panes"><div class="dg-graph">{self.svg}</div><div class="dg-tables"></div></div>'
                f'<script type="application/json" class="dg-data">{data}</script>'
                f"<script>{_text('page.js')}</script></div>")

    def _repr_html_(self) -> str:
        return self.fragment()

    def html(self) -> str:
        """The whole page: one document that needs no network (its policy forbids every request)."""
        policy = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
        return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
                f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>{html.escape(self.data['title'])}</title></head>"
                f"<body>{self.fragment(standalone=True)}</body></html>\n")

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` (an ``.html`` file): open it in any browser, offline.

        Returns:
            the path written.
        """
        path = Path(path)
        if path.suffix.lower() not in (".html", ".htm"):
            raise ValueError(f"save writes an HTML page: end the file name in .html, got {str(path)!r}")
        if not path.parent.is_dir():
            raise ValueError(f"cannot write {path}: the folder {path.parent} does not exist")
        path.write_text(self.html(), encoding="utf-8")
        return path

    def __repr__(self) -> str:
        return (f"<Explorer: {self.steps} steps at level={self.data['level']!r}; forward sweeps d/d "
                f"{', '.join(label for _, label in self.data['wrt']) or '(none)'}; .save('page.html')>")


def _inputs(t: Trace, wrt: Any) -> list[Value]:
    if wrt is None:
        free = [e.node for e in t.inputs if "." not in e.node.label]
        return free[:MAX_INPUTS]
    items = wrt if isinstance(wrt, (list, tuple)) else [wrt]
    nodes = []
    for item in items:
        found = [e.node for e in t.inputs
                 if e.node is item or (isinstance(item, str) and item in (e.name, e.node.label))]
        if not found:
            names = ", ".join(f"{e.name} ({e.node.label or 'unlabelled'})" for e in t.inputs[:12])
            raise ValueError(f"wrt={item!r} is not an input of this graph; its inputs include {names}")
        nodes.append(found[0])
    return nodes


def explore(root: Value, *, level: str = "value", wrt: Any = None, fmt: str = ".4g",
            width: float | None = COLUMN_WIDTH, title: str | None = None) -> Explorer:
    """An interactive page stepping through backprop (and the forward sweep) of ``root``'s graph.

    Shows itself in Jupyter; ``.save("page.html")`` writes one self-contained file that works offline in
    any browser, without a kernel. The picture is Graphviz's (``dot`` runs now), the tables are the trace's.
    Nothing of the graph is changed: no ``backward()``, every ``.grad`` stays as it was.

    Args:
        root: the output Value.
        level: ``"value"``, ``"neuron"`` or ``"layer"`` (see ``draw``); steps go box by box.
        wrt: the input(s) of the forward sweep (Values, labels or v-names); by default the inputs
            outside every group (a network's data, not its weights), at most ``MAX_INPUTS``.
        fmt: number format in the picture (the tables print 6 significant digits).
        width: the widest the picture may be, in inches (see ``draw``).
        title: the page's heading.

    Returns:
        an Explorer. In the page, ``window.dualgrad`` offers ``step(k)``, ``mode(name)``, ``wrt(name)`` and
        ``state()``.

    >>> x1, x2 = Value(1.5, label="x1"), Value(0.5, label="x2")
    >>> page = explore(x1 * x2 + x2.sin())
    >>> page.steps, [label for _, label in page.data["wrt"]], x1.grad
    (5, ['x1', 'x2'], 0.0)
    """
    if not isinstance(root, Value):
        raise TypeError(f"explore needs a Value, got {type(root).__name__}")
    t = Trace(root)
    return Explorer(root, level, _inputs(t, wrt), fmt, width, title or "dualgrad: backprop step by step")
