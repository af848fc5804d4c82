"""Pictures: DOT structure and determinism, clusters, highlights, SVG from the real dot, a missing dot."""

import re
import warnings

import graphviz
import pytest

from autograd import Value, dot
from autograd.tracing import trace
from autograd.viz import Graph, GraphvizNotFound, LargeGraphWarning, draw, step_through, to_dot

VALUE_NODE = re.compile(r"^\s*(v\d+|c\d+) \[label=", re.M)
OP_NODE = re.compile(r"^\s*v\d+_op \[label=", re.M)
EDGE = re.compile(r"^\s*\w+ -> \w+", re.M)


def lecture():
    x1, x2 = Value(1.5, label="x1"), Value(0.5, label="x2")
    v3 = x1 * x2
    v4 = x2.sin()
    v5 = v3.exp()
    v6 = v3 - v4
    return x1, x2, v5 + v6


def mlp_shaped(sizes=(2, 3, 2, 1)):
    """An MLP's graph by hand, labelled as nn labels it: L{l}.N{j}.w{i}, L{l}.N{j}.b, outputs L{l}.N{j}."""
    xs = [Value(0.1 * (i + 1), label=f"x{i + 1}") for i in range(sizes[0])]
    for layer, (nin, nout) in enumerate(zip(sizes, sizes[1:]), 1):
        outs = []
        for j in range(1, nout + 1):
            ws = [Value(0.05 * (i - j), label=f"L{layer}.N{j}.w{i}") for i in range(1, nin + 1)]
            b = Value(0.01 * j, label=f"L{layer}.N{j}.b")
            z = dot(ws, xs) + b
            out = z.relu() if layer < len(sizes) - 1 else z
            out.label = f"L{layer}.N{j}"
            outs.append(out)
        xs = outs
    return xs[0]


def test_lecture_dot_has_one_node_per_value_and_per_operation():
    x1, _, y = lecture()
    y.backward()
    text = to_dot(y)
    assert len(VALUE_NODE.findall(text)) == 7
    assert len(OP_NODE.findall(text)) == 5
    assert len(EDGE.findall(text)) == 8 + 5  # one per argument (2+1+1+2+2), one from each op to its result
    assert 'v1 [label="{ x1 | data 1.5000 | grad 1.5585 }"' in text  # d/dx1 = x2 + x2 exp(x1 x2)
    assert "v3_op -> v3" in text and "v3 -> v5_op" in text and "v3 -> v6_op" in text
    assert "rankdir=LR" in text
    assert "grad" not in to_dot(y, show_grad=False)
    assert "data 1.50 " in to_dot(y, fmt=".2f")


def test_dot_text_is_deterministic():
    texts = {to_dot(lecture()[2]) for _ in range(3)}
    assert len(texts) == 1
    assert len({to_dot(mlp_shaped()) for _ in range(2)}) == 1


def test_shared_subexpressions_appear_once_and_constants_are_dashed_leaves():
    x = Value(3.0, label="x")
    s = x * x
    y = s + s.exp() * 2
    text = to_dot(y)
    assert len(re.findall(r"^\s*v2 \[", text, re.M)) == 1
    assert text.count("v1 -> v2_op") == 2  # x * x: two arguments, one node
    assert len(re.findall(r"^\s*v2 -> ", text, re.M)) == 2  # s feeds exp and the sum
    assert re.search(r'c1 \[label="2.0000" shape="box" style="rounded,dashed"\]', text)


def test_a_step_highlights_its_node_edges_and_grads_so_far():
    x1, x2, y = lecture()
    steps = list(trace(y).steps())
    step = steps[4]  # v3 = v1 * v2 is final: passes v3_bar x2 to v1 and v3_bar x1 to v2
    text = draw(step.root, highlight=step).source
    assert step.name == "v3"
    red_edges = re.findall(r"^\s*(\w+ -> \w+) \[color=\"#d62728\"", text, re.M)
    assert red_edges == ["v1 -> v3_op", "v2 -> v3_op", "v3_op -> v3"]
    c1, c2 = steps[4].contributions
    assert f'label="+{c1.amount:.4f}"' in text and f'label="+{c2.amount:.4f}"' in text
    assert x1.grad == 0.0  # drawing a step is read-only
    before = draw(y, highlight=steps[0]).source  # only v7 is final: x1 has received nothing yet
    assert 'v1 [label="{ x1 | data 1.5000 | grad 0.0000 }"' in before
    assert text.count('fillcolor="#e3f1dc"') == 5  # v7, v6, v5, v4, v3 are final


def test_highlight_values_and_edges_and_refuse_other_things():
    x1, _, y = lecture()
    v3 = y.parents[0].parents[0]
    text = to_dot(y, highlight=[x1, (x1, v3)])
    assert re.search(r'v1 \[label=[^\n]*color="#d62728"', text)
    assert re.search(r'v1 -> v3_op \[color="#d62728"', text)
    with pytest.raises(TypeError, match="highlight takes a Step, Values or .* got str"):
        to_dot(y, highlight=["x1"])


def test_color_by_grad_fills_the_largest_gradient_darkest():
    _, x2, y = lecture()
    y.backward()
    text = to_dot(y, color_by_grad=True)
    assert re.search(r'v2 \[label=[^\n]*fillcolor="#e6550d"', text)  # |d/dx2| = 3.80 is the largest
    assert f"max {x2.grad:.4f}" in text


def test_clusters_follow_dotted_labels_and_unlabelled_nodes_join_what_they_feed():
    text = to_dot(mlp_shaped())
    assert text.count('subgraph "cluster_L') == 3 + 3 + 2 + 1  # three layers, six neurons
    block = text[text.index('subgraph "cluster_L1.N2"'):]
    block = block[:re.search(r"\n\s*}\n", block).start()]
    labels = re.findall(r'label="\{ ([^ |]+) ', block)
    # the neuron's weights, bias, its dot product and bias sum (unlabelled), and its output; the 2 inputs and
    # 20 parameters are v1 ... v22, then L1.N1 made v23 ... v25 (dot, +, relu), so L1.N2's dot and sum are v26, v27
    assert labels == ["L1.N2.w1", "L1.N2.w2", "L1.N2.b", "v26", "v27", "L1.N2"]
    top = text[:text.index("subgraph")]
    assert "x1 |" in top and "x2 |" in top  # inputs feed every neuron of L1: outside the clusters
    assert 'subgraph "cluster' not in to_dot(mlp_shaped(), clusters=False)


def test_depth_draws_a_part_and_large_graphs_warn():
    _, _, y = lecture()
    text = to_dot(y, depth=1)
    assert len(VALUE_NODE.findall(text)) == 3 and len(OP_NODE.findall(text)) == 1
    assert text.count('style="dashed"') == 2  # v5 and v6: their inputs are cut
    x = Value(0.5, label="x")
    z = x
    for _ in range(400):
        z = z.tanh()
    with pytest.warns(LargeGraphWarning, match="401 value nodes .* depth="):
        draw(z)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(VALUE_NODE.findall(to_dot(z, max_nodes=None))) == 401
        assert len(VALUE_NODE.findall(to_dot(z, depth=5))) == 6


def test_bad_options_name_what_was_wrong():
    _, _, y = lecture()
    with pytest.raises(TypeError, match="needs a Value, got float"):
        to_dot(1.0)
    with pytest.raises(ValueError, match="rankdir .* got 'up'"):
        draw(y, rankdir="up")
    with pytest.raises(ValueError, match="fmt .* got 'q'"):
        draw(y, fmt="q")
    with pytest.raises(ValueError, match="depth .* got -1"):
        draw(y, depth=-1)


def test_svg_rendered_by_dot_contains_the_labels():
    x1, _, y = lecture()
    y.backward()
    graph = draw(y, rankdir="TB")
    assert isinstance(graph, graphviz.Digraph)
    svg = graph.pipe(format="svg").decode()
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    for text in ("x1", "x2", "v7", "data 1.5000", f"grad {x1.grad:.4f}", "exp", "sin"):
        assert f">{text}<" in svg, text
    bundle = graph._repr_mimebundle_()
    assert "image/svg+xml" in bundle and ">x2<" in bundle["image/svg+xml"]
    steps, picture = step_through(lecture()[2])
    assert ">+4.6755<" in picture(4).pipe(format="svg").decode()  # v3_bar x1 = (exp(0.75) + 1) 1.5


def test_missing_dot_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no dot on PATH
    graph = draw(lecture()[2])
    assert isinstance(graph, Graph)
    for render in (lambda: graph.pipe(format="svg"), lambda: graph.render(tmp_path / "g", format="png"),
                   graph._repr_mimebundle_):
        with pytest.raises(GraphvizNotFound) as caught:
            render()
        message = str(caught.value)
        assert "`dot` program was not found" in message
        for how in ("apt-get install graphviz", "brew install graphviz", "conda install graphviz"):
            assert how in message
        assert isinstance(caught.value, graphviz.ExecutableNotFound)
    assert "v7_op -> v7" in to_dot(lecture()[2])  # DOT text needs no binary


def test_step_through_gives_steps_and_pictures_and_ends_at_backward():
    x1, x2, y = lecture()
    steps, picture = step_through(y, show_grad=True)
    w1, w2, twin = lecture()
    twin.backward()
    assert len(steps) == 7 and (x1.grad, x2.grad) == (0.0, 0.0)  # read-only (it doubled x.grad before issue 10)
    assert (steps[-1].grads[x1], steps[-1].grads[x2]) == (w1.grad, w2.grad)
    assert all(isinstance(picture(i), Graph) for i in range(len(steps)))
    assert 'v2 [label="{ x2 | data 0.5000 | grad 3.7979 }"' in picture(6).source


def test_labels_with_dot_syntax_render_as_typed():
    w1, w2 = Value(1.0, label='a"{b}|<c>\\.w1'), Value(2.0, label='a"{b}|<c>\\.w2')
    y = w1 * w2
    y.label = "y"
    svg = draw(y).pipe(format="svg").decode()
    for text in ("a&quot;{b}|&lt;c&gt;\\.w1", "a&quot;{b}|&lt;c&gt;\\.w2", "a&quot;{b}|&lt;c&gt;\\", "y"):
        assert f">{text}<" in svg, text  # the cluster a"{b}|<c>\ is titled as typed too


def test_a_step_drawn_on_a_part_of_its_graph():
    x1, _, y = lecture()
    steps = list(trace(y).steps())
    v3 = y.parents[0].parents[0]  # y = v5 + v6 and v5 = exp(v3): draw v3's part at the step that made v3 final
    text = draw(v3, highlight=steps[4]).source
    assert len(VALUE_NODE.findall(text)) == 3 and f"grad {steps[4].grads[x1]:.4f}" in text
    assert "v1 -> v3_op [color=" in text
