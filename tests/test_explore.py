"""The explorer page, saved to a file and opened offline in a real browser (Debian's Chromium, driven by
Playwright, which is told to use it and never downloads one): every step of both sweeps checked against
``Trace.steps()`` and the forward tables, the controls, the sizes, and that no request leaves the page.
"""

import json
import math
import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, find, settings

from autograd import Value, explore, trace
from autograd.explorer import Explorer
from autograd.levels import collapse
from autograd.strategies import expressions
from nn import MLP
from nn.cli import lecture_example

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
INSTALL = ("the explorer's tests open its pages in a real Chromium: install Debian's `chromium` "
           "(apt-get install chromium) and the Python package `playwright` (pip install -e '.[test]'; "
           "never `playwright install`: the tests use the system Chromium at /usr/bin/chromium)")


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: {INSTALL}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(f"the Python package playwright is missing: {INSTALL}")
    with sync_playwright() as driver:  # a fresh profile (--user-data-dir) for this module's pages
        ctx = driver.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, args=FLAGS,
            headless=True, viewport={"width": 1280, "height": 900})
        yield ctx
        ctx.close()


class Opened:
    """A saved page open in the browser; ``requests`` lists every URL the page asked for."""

    def __init__(self, context, path: Path) -> None:
        self.url = path.resolve().as_uri()
        self.requests, self.errors, self.refused = [], [], []
        self.page = context.new_page()
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.route("**/*", self._only_the_page)
        started = time.perf_counter()
        self.page.goto(self.url)
        self.page.wait_for_function("window.dualgrad && window.dualgrad.ready")
        self.load_seconds = time.perf_counter() - started
        self.ready_ms = self.page.evaluate("window.dualgrad.readyAt")  # since the navigation started

    def _only_the_page(self, route) -> None:
        if route.request.url == self.url:
            route.continue_()
        else:
            self.refused.append(route.request.url)
            route.abort()

    def js(self, expression: str):
        return self.page.evaluate(expression)

    def close(self) -> None:
        assert self.errors == [], self.errors
        assert self.refused == [] and set(self.requests) <= {self.url}, self.requests  # nothing left the page
        self.page.close()


def opened(context, tmp_path, root, name="page.html", **options):
    page = explore(root, **options)
    return page, Opened(context, page.save(tmp_path / name))


def named_grads(t, grads):
    entries = {e.node: e.name for e in t.entries}
    return {entries[n]: g for n, g in grads.items() if n in entries}


def field_text(o, element_id, index):
    return field_texts(o, [element_id], index)[0]


def field_texts(o, element_ids, index):
    """The text of field ``index`` of each element, read in one call."""
    return o.js(f"{json.dumps(element_ids)}.map(id => document.getElementById(id)"
                f".querySelectorAll('text')[{index}].textContent)")


def marked(o, cls):
    return o.js(f"Array.from(document.querySelectorAll('.dg-graph .{cls}')).map(e => e.id)")


# ---- the graphs of the issue ------------------------------------------------------------------------

def diamond():
    x = Value(0.7, label="x")
    a, b = x.sin(), x * x
    return a * b + a


def random_formula():
    """A 20-node formula from the project's own strategies, found deterministically (no database, derandomized)."""
    def size(e):
        xs = [Value(p, label=f"x{i + 1}") for i, p in enumerate(e.point)]
        return len(trace(e(*xs)).entries) == 20

    e = find(expressions(max_vars=3, max_depth=6), size,
             settings=settings(database=None, derandomize=True, max_examples=2000,
                               suppress_health_check=list(HealthCheck)))
    return e(*[Value(p, label=f"x{i + 1}") for i, p in enumerate(e.point)])


def mlp_loss(sizes, x=(0.5, -0.3), seed=1):
    model = MLP(sizes[0], list(sizes[1:]), activation="tanh", seed=seed)
    loss = (model(list(x)) - 0.25) ** 2
    loss.label = "loss"
    return loss


GRAPHS = {"lecture": lecture_example, "diamond": diamond, "random": random_formula,
          "mlp241": lambda: mlp_loss((2, 4, 1))}


# ---- every step, value level --------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(GRAPHS))
def test_every_reverse_and_forward_step_matches_the_trace(context, tmp_path, name):
    root = GRAPHS[name]()
    page, o = opened(context, tmp_path, root, wrt=[e.node for e in trace(root).inputs][:2])
    t = trace(root)
    steps = list(t.steps())  # the oracle (run after explore: whatever steps() does to .grad, the page has its numbers)
    assert o.js("dualgrad.state().steps") == len(steps) == len(t.entries)
    for k, step in enumerate(steps, 1):
        state = o.js(f"dualgrad.step({k})")
        assert (state["mode"], state["step"], state["trace_step"]) == ("reverse", k, k)
        assert state["highlighted"] == [step.name] and state["tangents"] == {}
        assert state["grads"] == named_grads(t, step.grads)  # exact: the same floats
        prefix = page.id + "-"
        assert prefix + step.name in marked(o, "dg-now")
        assert field_texts(o, [prefix + e.name for e in t.entries], 2) == [f"grad {step.grads[e.node]:.4g}"
                                                                           for e in t.entries]
        amounts = o.js("Array.from(document.querySelectorAll('text.dg-amount')).map(t => t.textContent)")
        assert sorted(amounts) == sorted(f"{c.amount:+.4g}" for c in step.contributions)
        assert o.js("Array.from(document.querySelectorAll('tr.dg-row-now')).map(r => r.dataset.row)") == [step.name]
        assert o.js("document.querySelector('.dg-note').textContent") == str(step)
    for x in [e.node for e in t.inputs][:2]:
        rows = t.forward_table(wrt=x).rows
        o.js("dualgrad.mode('forward')")
        state = o.js(f"dualgrad.wrt({json.dumps(x.label)})")
        assert state["mode"] == "forward" and state["wrt"] == t.name(x) and state["steps"] == len(rows)
        for k, row in enumerate(rows, 1):
            state = o.js(f"dualgrad.step({k})")
            assert state["highlighted"] == [row.name] and state["grads"] == {}
            assert state["tangents"] == {r.name: r.tangent for r in rows[:k]}
            assert field_text(o, page.id + "-" + row.name, 2) == f"tangent {row.tangent:.4g}"
            if k < len(rows):
                assert field_text(o, page.id + "-" + rows[k].name, 2) == "tangent ?"  # not computed yet
    o.close()


def test_the_controls_and_keys_drive_the_page(context, tmp_path):
    _, o = opened(context, tmp_path, lecture_example())
    page = o.page
    assert o.js("dualgrad.state().step") == 1
    page.click("button[data-go=next]")
    page.click("button[data-go=next]")
    assert o.js("dualgrad.state().step") == 3
    page.click("button[data-go=last]")
    assert o.js("dualgrad.state().step") == 7
    page.click("button[data-go=prev]")
    assert o.js("dualgrad.state().step") == 6
    page.click("button[data-go=first]")
    assert o.js("dualgrad.state().step") == 1
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert o.js("dualgrad.state().step") == 3
    page.keyboard.press("ArrowLeft")
    assert o.js("dualgrad.state().step") == 2
    page.keyboard.press("End")
    assert o.js("dualgrad.state().step") == 7
    page.keyboard.press("Home")
    assert o.js("dualgrad.state().step") == 1
    page.focus(".dg-slider")
    page.keyboard.press("ArrowRight")  # the slider's own keys: one step, not two
    assert o.js("dualgrad.state().step") == 2
    assert page.inner_text(".dg-counter") == "step 2 of 7"
    page.click("button[data-mode=forward]")
    state = o.js("dualgrad.state()")
    assert (state["mode"], state["step"], state["wrt"]) == ("forward", 1, "v1")
    page.select_option(".dg-wrt select", "v2")
    assert o.js("dualgrad.state().wrt") == "v2"
    assert "d/d x2" in page.inner_text(".dg-tables caption")
    page.click("button[data-mode=reverse]")
    assert o.js("dualgrad.state().mode") == "reverse"
    for bad, message in (("dualgrad.step(0)", "from 1 to 7, got 0"), ("dualgrad.step(2.5)", "got 2.5"),
                         ("dualgrad.mode('sideways')", "\"reverse\" or \"forward\""),
                         ("dualgrad.wrt('x9')", "choose one of x1, x2")):
        with pytest.raises(Exception, match=re.escape(message)):
            o.js(bad)
    o.close()


def test_a_request_from_the_page_would_be_seen(context, tmp_path):
    """The no-request check is not vacuous: a page that does ask for something is caught by the same watch."""
    path = tmp_path / "leaky.html"
    path.write_text('<!DOCTYPE html><img src="http://192.0.2.1/x.png"><script>window.dualgrad = {ready: true, '
                    'readyAt: 0}</script>')
    o = Opened(context, path)
    o.page.wait_for_timeout(200)
    assert o.refused == ["http://192.0.2.1/x.png"]
    o.page.close()


# ---- levels --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("level", ["neuron", "layer"])
def test_neuron_and_layer_pages_step_box_by_box(context, tmp_path, level):
    root = mlp_loss((2, 4, 1))
    page, o = opened(context, tmp_path, root, level=level)
    t = trace(root)
    steps = list(t.steps())
    seen = collapse(t, level)
    names = {e.node: e.name for e in t.entries}
    total = o.js("dualgrad.state().steps")
    assert total == len(seen) == (2 + 4 + 1 + 1 if level == "neuron" else 4)
    last = 0
    for k in range(1, total + 1):
        state = o.js(f"dualgrad.step({k})")
        step = steps[state["trace_step"] - 1]
        assert state["trace_step"] > last
        last = state["trace_step"]
        assert state["grads"] == named_grads(t, step.grads)
        boxes = {seen.box_of[t[name].node] for name in state["highlighted"]}
        assert len(boxes) == 1
        box = boxes.pop()
        ops = [names[n] for n in box.members if n.rule is not None]
        if ops:  # the box's step ends where the last of its operations is swept
            assert step.name == min(ops, key=lambda v: int(v[1:]))
        assert marked(o, "dg-now") == [f"{page.id}-{box.name}"]
        grad_field = 3 if box.kind == "neuron" else 2
        expected = box.fields(step.grads, ".4g")
        assert field_text(o, f"{page.id}-{box.name}", grad_field) == expected[grad_field]
    assert last == len(steps)  # the parameters, swept last, close the final step
    state = o.js("dualgrad.mode('forward')")
    rows = t.forward_table(wrt="x1").rows
    for k in range(1, total + 1):
        state = o.js(f"dualgrad.step({k})")
        assert state["tangents"] == {r.name: r.tangent for r in rows[:state["trace_step"]]}
    o.close()


def test_node_counts_and_rendered_widths_of_whole_networks(context, tmp_path, record_property):
    root = mlp_loss((2, 16, 16, 1), seed=0)
    for level, boxes in (("neuron", 36), ("layer", 5)):
        _, o = opened(context, tmp_path, root, name=f"{level}.html", level=level)
        assert o.js("document.querySelectorAll('.dg-graph g.node').length") == boxes <= 40
        width = o.js("document.querySelector('.dg-graph svg').getBoundingClientRect().width")
        record_property(f"{level}_width_px", width)
        assert width <= 720.5  # a notebook column: 7.5 in at 96 px per inch
        o.close()


def test_a_2_16_16_1_page_is_small_and_ready_in_under_a_second(context, tmp_path, record_property):
    root = mlp_loss((2, 16, 16, 1), seed=0)
    assert len(trace(root).nodes) >= 437
    for level in ("value", "neuron"):
        page, o = opened(context, tmp_path, root, name=f"{level}.html", level=level)
        size = (tmp_path / f"{level}.html").stat().st_size
        record_property(f"{level}_bytes", size)
        record_property(f"{level}_ready_ms", o.ready_ms)
        assert size < 2_000_000
        assert o.ready_ms < 1000 and o.load_seconds < 3
        started = time.perf_counter()
        o.js(f"dualgrad.step({o.js('dualgrad.state().steps')})")  # the slowest jump: replays every step
        assert time.perf_counter() - started < 0.5
        o.close()


# ---- Python side ---------------------------------------------------------------------------------------

def test_explore_changes_no_grad():
    for make in (lecture_example, diamond, lambda: mlp_loss((2, 4, 1))):
        root = make()
        nodes = trace(root).nodes
        for backprop in (False, True):
            if backprop:
                root.backward()
            before = [n.grad for n in nodes]
            for level in ("value", "neuron", "layer"):
                explore(root, level=level)
            assert [n.grad for n in nodes] == before


def test_explore_refuses_what_it_cannot_show(tmp_path):
    y = lecture_example()
    with pytest.raises(TypeError, match="explore needs a Value, got float"):
        explore(1.0)
    with pytest.raises(ValueError, match="wrt='z' is not an input of this graph; its inputs include v1 \\(x1\\)"):
        explore(y, wrt="z")
    with pytest.raises(ValueError, match="end the file name in .html"):
        explore(y).save(tmp_path / "page.svg")
    with pytest.raises(ValueError, match="does not exist"):
        explore(y).save(tmp_path / "missing" / "page.html")


def test_the_page_is_one_file_and_shows_inline():
    page = explore(lecture_example())
    assert isinstance(page, Explorer)
    document = page.html()
    assert document.count("<script") == 2 and not re.search(r"\s(src|href)=", document)
    addresses = set(re.findall(r"\w+://[^\s\"')]*", document))
    assert addresses <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}  # SVG's namespace names
    assert "default-src 'none'" in document  # the page's policy forbids any request
    fragment = page._repr_html_()
    assert fragment.startswith('<div class="dg-explorer"') and "data-standalone" not in fragment[:200]
    assert math.isclose(json.loads(re.search(r'class="dg-data">(.*?)</script>', fragment).group(1)
                                   .replace("<\\/", "</"))["modes"]["reverse"]["steps"][4]["numbers"][0][1],
                        1.5585000083063374)
    assert repr(page).startswith("<Explorer: 7 steps at level='value'; forward sweeps d/d x1, x2")


def test_the_page_dualgrad_graph_writes_steps_offline_in_the_browser(context, tmp_path):
    from nn.cli import main
    from nn.cli.words import build

    path = tmp_path / "cli.html"
    assert main(["graph", "x1*x2 + exp(x1*x2) - sin(x2)", "x1=1.5", "x2=0.5", "-o", str(path)]) == 0
    o = Opened(context, path)
    t = trace(build(["x1*x2 + exp(x1*x2) - sin(x2)", "x1=1.5", "x2=0.5"])[1])
    steps = list(t.steps())
    assert o.js("dualgrad.state().steps") == len(steps) == 7
    for k, step in enumerate(steps, 1):
        state = o.js(f"dualgrad.step({k})")
        assert state["highlighted"] == [step.name] and state["grads"] == named_grads(t, step.grads)
    o.close()  # no request left the page, no script error


def test_notebook_01_steps_through_backprop_in_its_static_html_export(context, tmp_path):
    """Issue 11: notebook 01's step-through works in a static copy that runs scripts, with no kernel. The export
    (nbconvert's, of the committed notebook) asks a CDN for require.js and MathJax: refused here, as offline."""
    import nbformat
    from nbconvert import HTMLExporter

    notebook = nbformat.read(Path(__file__).resolve().parents[1] / "notebooks" / "01_value_and_backprop.ipynb", 4)
    body, _ = HTMLExporter().from_notebook_node(notebook)
    path = tmp_path / "01.html"
    path.write_text(body, encoding="utf-8")
    o = Opened(context, path)
    a, b, c, f = (Value(v, label=n) for v, n in ((2.0, "a"), (-3.0, "b"), (10.0, "c"), (-2.0, "f")))
    L = (a * b + c) * f  # the notebook's L, built in its order
    steps = list(trace(L).steps())
    assert o.js("document.querySelectorAll('.dg-explorer').length") == 1
    for k, step in enumerate(steps, 1):
        state = o.js(f"dualgrad.step({k})")
        assert state["highlighted"] == [step.name] and state["grads"] == named_grads(trace(L), step.grads)
    assert o.js("dualgrad.step(7).grads") == {"v1": 6, "v2": -4, "v3": -2, "v4": 4, "v5": -2, "v6": -2, "v7": 1}
    assert all(url.startswith("https://cdnjs.cloudflare.com/") for url in o.refused)
    assert [e for e in o.errors if not e.startswith("Failed to load resource")] == []  # only the refused CDN
    o.page.close()
