"""The evaluation trace: the lecture's example row by row, tables against closed forms, stepping against backward()."""

import math

import pytest
from hypothesis import given, settings

from autograd import Dual, Value, dot, summation
from autograd.strategies import expressions
from autograd.tracing import Step, Trace, trace

X1, X2 = 1.5, 0.5


def lecture(x1: float = X1, x2: float = X2):
    """f(x1, x2) = x1 x2 + exp(x1 x2) - sin(x2), written as the lecture's evaluation trace."""
    v1, v2 = Value(x1, label="x1"), Value(x2, label="x2")
    v3 = v1 * v2
    v4 = v2.sin()
    v5 = v3.exp()
    v6 = v3 - v4
    v7 = v5 + v6
    return v1, v2, v7


def closed_forms(x1: float, x2: float):
    """Every v_i, v_i' (d/dx1 and d/dx2) and v_i_bar of the lecture's example, by hand."""
    e = math.exp(x1 * x2)
    values = [x1, x2, x1 * x2, math.sin(x2), e, x1 * x2 - math.sin(x2), e + x1 * x2 - math.sin(x2)]
    d_x1 = [1.0, 0.0, x2, 0.0, x2 * e, x2, x2 * e + x2]
    d_x2 = [0.0, 1.0, x1, math.cos(x2), x1 * e, x1 - math.cos(x2), x1 * e + x1 - math.cos(x2)]
    v3_bar = e + 1.0  # v5_bar v5 + v6_bar with v5_bar = v6_bar = 1
    bars = [v3_bar * x2, v3_bar * x1 - math.cos(x2), v3_bar, -1.0, 1.0, 1.0, 1.0]
    return values, d_x1, d_x2, bars


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-14, abs_tol=1e-15)


def test_lecture_entries_are_v1_to_v7_in_the_lecture_form():
    _, _, y = lecture()
    t = trace(y)
    assert [e.name for e in t.entries] == [f"v{i}" for i in range(1, 8)]
    assert [e.expression for e in t.entries] == ["x1", "x2", "v1 * v2", "sin(v2)", "exp(v3)", "v3 - v4", "v5 + v6"]
    assert [e.kind for e in t.entries] == ["input"] * 2 + ["op"] * 5
    assert [e.name for e in t.inputs] == ["v1", "v2"]
    assert t["v5"].node.op == "exp" and len(t) == 7


@pytest.mark.parametrize("x1, x2", [(X1, X2), (-0.7, 2.3)])
def test_forward_table_matches_closed_forms(x1, x2):
    v1, v2, y = lecture(x1, x2)
    values, d_x1, d_x2, _ = closed_forms(x1, x2)
    t = trace(y)
    for wrt, tangents in ((v1, d_x1), ("x2", d_x2)):
        table = t.forward_table(wrt=wrt)
        assert [r.name for r in table.rows] == [f"v{i}" for i in range(1, 8)]
        for row, value, tangent in zip(table.rows, values, tangents):
            assert close(row.value, value), row
            assert close(row.tangent, tangent), row


def test_forward_table_shows_the_tangent_trace_in_v_names():
    v1, _, y = lecture()
    rows = trace(y).forward_table(wrt=v1).rows
    assert [r.tangent_expression for r in rows] == [
        "1", "0", "v2 v1' + v1 v2'", "cos(v2) v2'", "v5 v3'", "v3' - v4'", "v5' + v6'"]


@pytest.mark.parametrize("x1, x2", [(X1, X2), (-0.7, 2.3)])
def test_reverse_table_matches_closed_forms_and_backward(x1, x2):
    v1, v2, y = lecture(x1, x2)
    _, _, _, bars = closed_forms(x1, x2)
    table = trace(y).reverse_table()  # on a fresh graph: no backward() first
    assert v1.grad == 0.0 and v2.grad == 0.0, "the table must not touch .grad"
    assert [r.name for r in table.rows] == [f"v{i}" for i in range(7, 0, -1)]
    for i, bar in enumerate(bars, 1):
        assert close(table[f"v{i}"].adjoint, bar), (i, table[f"v{i}"])
    y.backward()
    assert table["v1"].adjoint == v1.grad and table["v2"].adjoint == v2.grad  # bit for bit


def test_reverse_table_shows_the_lecture_adjoint_trace():
    _, _, y = lecture()
    table = trace(y).reverse_table()
    assert [f"{r.name}_bar = {r.expression}" for r in table.rows] == [
        "v7_bar = 1", "v6_bar = v7_bar", "v5_bar = v7_bar", "v4_bar = -v6_bar", "v3_bar = v5_bar v5 + v6_bar",
        "v2_bar = v3_bar v1 + v4_bar cos(v2)", "v1_bar = v3_bar v2"]
    v3 = table["v3"]  # received from v5 (exp: partial v5) and v6 (sub: partial 1)
    assert [(c.child_name, c.partial) for c in v3.contributions] == [("v5", math.exp(X1 * X2)), ("v6", 1.0)]
    assert sum(c.amount for c in v3.contributions) == v3.adjoint
    assert table["v1"].label == "x1" and table["v7"].contributions == ()


def test_tables_print_as_text_html_and_markdown():
    v1, _, y = lecture()
    t = trace(y)
    forward, reverse = t.forward_table(wrt=v1), t.reverse_table()
    text, page, md = str(forward), forward._repr_html_(), forward.to_markdown()
    for needle in ("v3 = v1 * v2", "v3' = v2 v1' + v1 v2'", "0.75", "v7' = v5' + v6'"):
        assert needle in text
        assert needle.replace("'", "&#x27;") in page
        assert needle.replace("*", "\\*") in md
    assert page.startswith("<table>") and page.count("<tr>") == 8  # header and seven rows
    assert md.count("\n|") == 9  # header, alignment and seven rows
    lines = text.splitlines()  # title, header, rule, seven rows: a number column ends where its rule ends
    assert len(lines) == 10 and len({len(line) for line in lines[3:]}) == 1
    for needle in ("v3_bar = v5_bar v5 + v6_bar", "v2_bar = v3_bar v1 + v4_bar cos(v2)", "3.117"):
        assert needle in str(reverse) and needle in reverse.to_markdown() and needle in reverse._repr_html_()
    assert "v6 = v3 - v4" in str(t) and "v6 = v3 - v4" in t.to_markdown() and "<td" in t._repr_html_()


def test_constants_are_inline_and_inputs_come_first():
    x = Value(2.0, label="x")
    a = x * 2
    w = Value(3.0, label="w")  # an input made after an operation still numbers before every operation
    y = a * w - 1
    t = trace(y)
    assert [f"{e.name} = {e.expression}" for e in t] == ["v1 = x", "v2 = w", "v3 = v1 * 2", "v4 = v3 * v2",
                                                         "v5 = v4 - 1"]
    negative = trace(x * -0.5)
    assert negative["v2"].expression == "v1 * (-0.5)"
    assert trace(x * x).forward_table()["v2"].tangent_expression == "v1 v1' + v1 v1'"


def test_n_ary_and_parameterised_rules_read_from_the_table():
    a, b = Value(0.5, label="a"), Value(-2.0, label="b")
    y = dot([a, b], [3.0, a]) + summation([a, b, 1.0]) + (a ** 3) + a.leaky_relu(0.2)
    t = trace(y)
    assert t["v3"].expression == "dot([v1, v2], [3, v1])"
    assert t["v4"].expression == "sum(v1, v2, 1)" and t["v6"].expression == "v1 ** 3"
    assert t["v8"].expression == "leaky_relu(v1, 0.2)"
    forward = t.forward_table(wrt=a)
    assert forward["v3"].tangent_expression == "3 v1' + v1 v2' + v2 v1'"
    assert forward["v3"].tangent == 3.0 + b.data  # d/da (3 a + b a) = 3 + b
    assert forward["v6"].tangent == 3 * 0.5 ** 2
    y.backward()
    assert t.reverse_table()["v1"].adjoint == a.grad


def test_bad_input_names_what_was_wrong():
    _, _, y = lecture()
    t = trace(y)
    with pytest.raises(ValueError, match="wrt= when the graph has 2 inputs"):
        t.forward_table()
    with pytest.raises(ValueError, match="not an input of this graph"):
        t.forward_table(wrt=t["v3"].node)
    with pytest.raises(ValueError, match="'x9' is not an input"):
        t.forward_table(wrt="x9")
    with pytest.raises(TypeError, match="float"):
        t.forward_table(wrt=1.5)
    with pytest.raises(TypeError, match="needs a Value, got float"):
        trace(1.5)
    with pytest.raises(KeyError, match="v8"):
        t["v8"]


def test_steps_walk_the_adjoint_trace_and_end_at_backward():
    v1, v2, y = lecture()
    table = trace(y).reverse_table()
    steps = list(trace(y).steps())
    assert all(isinstance(s, Step) for s in steps)
    assert [s.name for s in steps] == [f"v{i}" for i in range(7, 0, -1)]
    for step in steps:
        assert step.adjoint == table[step.name].adjoint
    assert [(c.parent_name, c.amount) for c in steps[1].contributions] == [("v3", 1.0), ("v4", -1.0)]
    assert str(steps[1]) == "step 2 of 7: v6_bar = 1 is final; passes v3 += 1, v4 += -1"
    assert steps[-1].contributions == () and steps[-1].finished[0] is v1
    assert (v1.grad, v2.grad) == (0.0, 0.0)  # stepping is read-only
    w1, w2, twin = lecture()
    twin.backward()
    grads = steps[-1].grads
    assert grads[v1] == w1.grad and grads[v2] == w2.grad  # exactly backward()'s
    assert steps[2].grads[v2] == 0.0 and steps[3].grads[v2] == -math.cos(X2)  # v4 passed -cos(x2) at step 4


def test_steps_and_tables_leave_every_grad_as_it_was():
    v1, _, y = lecture()
    y.backward()
    before = {n: n.grad for n in trace(y).nodes}
    t = trace(y)
    steps = list(t.steps())
    t.reverse_table(), t.forward_table(wrt=v1), [s.grads for s in steps]
    assert {n: n.grad for n in t.nodes} == before  # 0.2273 stays 0.2273 (it doubled before issue 10)
    assert steps[-1].grads[v1] == v1.grad


def _values(e):
    xs = [Value(x, label=f"x{i + 1}") for i, x in enumerate(e.point)]
    return xs, e(*xs)


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


@settings(max_examples=60)
@given(expressions(max_vars=3))
def test_stepping_equals_backward_and_tables_equal_both_modes(e):
    xs, y = _values(e)
    twins, twin = _values(e)
    t = trace(y)
    table = t.reverse_table()
    steps = list(t.steps())
    twin.backward()
    assert len(steps) == len(t.entries)
    for x, x_twin in zip(xs, twins):
        assert x.grad == 0.0  # read-only
        assert _same(steps[-1].grads.get(x, 0.0), x_twin.grad)  # an input the formula ignores is not in the graph
    for entry in t.inputs:
        assert _same(table[entry.name].adjoint, twins[xs.index(entry.node)].grad)
        i = xs.index(entry.node)
        out = e(*[Dual(x, float(i == j)) for j, x in enumerate(e.point)])
        forward = t.forward_table(wrt=entry.node)
        assert forward.rows[-1].value == y.data == out.primal
        assert _same(forward.rows[-1].tangent, out.tangent)


def test_a_lone_input_traces_to_one_entry():
    x = Value(4.0, label="x")
    t = Trace(x)
    assert [e.expression for e in t] == ["x"]
    assert t.forward_table()["v1"].tangent == 1.0 and t.reverse_table()["v1"].adjoint == 1.0
    steps = list(t.steps())
    assert [s.name for s in steps] == ["v1"] and steps[0].grads[x] == 1.0 and x.grad == 0.0
