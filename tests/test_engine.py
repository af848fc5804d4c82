"""Value graphs: backward semantics, graph shapes that break naive engines, mixing, bad input."""

import gc
import math

import numpy as np
import pytest

from autograd import Dual, Value, grad, topological_order
from autograd.functions import exp, sin


def lecture(x1, x2):
    """seeds 003: f(x1, x2) = x1 x2 + exp(x1 x2) - sin(x2), written as its Wengert list."""
    v3 = x1 * x2
    v4 = sin(x2)
    v5 = exp(v3)
    v6 = v3 - v4
    return v5 + v6


def lecture_gradient(x1, x2):
    e = math.exp(x1 * x2)
    return (x2 + x2 * e, x1 + x1 * e - math.cos(x2))


@pytest.mark.parametrize("x1,x2", [(1.5, 0.5), (-0.3, 2.0), (0.0, 0.0)])
def test_lecture_example_both_modes_give_the_analytic_gradient(x1, x2):
    expected = lecture_gradient(x1, x2)
    assert grad(lecture)(x1, x2) == pytest.approx(expected, rel=1e-14)
    assert grad(lecture, mode="forward")(x1, x2) == pytest.approx(expected, rel=1e-14)
    a, b = Value(x1), Value(x2)
    y = lecture(a, b)
    assert y.data == pytest.approx(x1 * x2 + math.exp(x1 * x2) - math.sin(x2), rel=1e-14)


def test_every_node_holds_its_gradient_after_backward():
    x1, x2 = Value(1.5), Value(0.5)
    v3 = x1 * x2
    v4 = x2.sin()
    v5 = v3.exp()
    v6 = v3 - v4
    v7 = v5 + v6
    v7.backward()
    # the lecture's adjoint trace
    assert (v7.grad, v6.grad, v5.grad, v4.grad) == (1.0, 1.0, 1.0, -1.0)
    assert v3.grad == pytest.approx(math.exp(0.75) + 1.0)
    assert x2.grad == pytest.approx(v3.grad * 1.5 - math.cos(0.5))


def test_second_backward_adds_the_same_again_to_leaves_but_not_to_intermediates():
    x, y = Value(2.0), Value(-1.0)
    h = x * y + x
    out = h.tanh() * x
    out.backward()
    first = (x.grad, y.grad, h.grad, out.grad)
    out.backward()
    assert (x.grad, y.grad) == (2 * first[0], 2 * first[1])
    assert (h.grad, out.grad) == first[2:]
    x.zero_grad()
    out.zero_grad()
    assert (x.grad, y.grad, h.grad) == (0.0, 0.0, 0.0)


def test_fan_out_and_diamonds_sum_every_path():
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0
    x = Value(0.7)
    a, b = x.sin(), x.cos()
    top = a * b  # diamond: x -> a, b -> top
    top.backward()
    assert x.grad == pytest.approx(math.cos(0.7) ** 2 - math.sin(0.7) ** 2)
    x = Value(1.3)
    y = x
    for _ in range(20):  # 2^20 paths, 40 nodes: must not enumerate paths
        y = y * 0.5 + y * 0.5
    y.backward()
    assert x.grad == pytest.approx(1.0)


def test_a_million_node_chain_backpropagates_without_recursion():
    x = Value(0.1)
    y = x
    for _ in range(500_000):
        y = y + 1e-6  # each step: a constant and an add node, 1,000,001 nodes in all
    y.backward()
    assert x.grad == 1.0
    assert y.data == pytest.approx(0.6, rel=1e-9)


def test_parents_are_in_argument_order_and_constants_are_marked():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    assert (a - b).parents == (a, b)
    assert (b - a).parents == (b, a)
    c = 5 - a
    assert c.parents[1] is a and c.parents[0].data == 5.0 and c.parents[0].op == "const"
    assert a.op == "" and a.is_leaf and not c.is_leaf
    assert [n.label for n in topological_order(a * b + a)][:2] == ["a", "b"]


def test_a_constants_grad_is_the_derivative_with_respect_to_that_number():
    # y = x^2 * 3 + 0.5 x: d y / d 3 = x^2, d y / d 0.5 = x (the constants are leaves like any other)
    x = Value(2.0, label="x")
    y = x * x * 3.0 + 0.5 * x
    y.backward()
    three = y.parents[0].parents[1]
    half = y.parents[1].parents[0]
    assert (three.op, three.data, half.op, half.data) == ("const", 3.0, "const", 0.5)
    assert (x.grad, three.grad, half.grad) == (2 * 3.0 * 2.0 + 0.5, 4.0, 2.0)
    h = 1e-6  # and against central differences in the number itself
    assert three.grad == pytest.approx(((4.0 * (3 + h) + 1.0) - (4.0 * (3 - h) + 1.0)) / (2 * h), rel=1e-9)


def test_changing_a_constants_data_makes_its_graph_stale_and_a_fresh_leaf_reads_written_0():
    from autograd import StaleGraphError
    x = Value(2.0, label="x")
    y = x * 3.0
    three = y.parents[1]
    assert (x.written, three.written) == (0, 0)  # never set
    three.data = 4.0
    assert three.written > y.serial
    with pytest.raises(StaleGraphError, match="changed"):
        y.backward()
    z = x * three  # a graph built after the change reads the new number
    z.backward()
    assert (x.grad, three.grad) == (4.0, 2.0)


def test_a_failed_backward_leaves_the_constants_grads_as_they_were():
    x = Value(2.0, label="x")
    y = x * 1e-300 * x * x
    scale = y.parents[0].parents[0].parents[1]
    assert scale.op == "const"
    with pytest.raises(FloatingPointError, match="mul"):
        y.backward(1e308)  # d y / d 1e-300 = x^3 * seed = 8e308: overflows
    assert (x.grad, scale.grad) == (0.0, 0.0)


@pytest.mark.parametrize("kind", [Value, Dual])
def test_mixed_numbers_work_on_both_sides_and_keep_the_type(kind):
    v = kind(2.0)
    for result, expected in [(1 - v, -1.0), (v - 1, 1.0), (3 / v, 1.5), (v / 4, 0.5), (2 * v, 4.0),
                             (v * 2.5, 5.0), (1 + v, 3.0), (2 ** v, 4.0), (v ** 3, 8.0), (-v, -2.0),
                             (abs(-v), 2.0), (np.float64(3.0) * v, 6.0), (v * np.int64(3), 6.0)]:
        assert type(result) is kind
        assert float(result) == expected


def test_python_sum_over_values_still_works():
    xs = [Value(float(i)) for i in range(1, 6)]
    s = sum(xs)
    assert type(s) is Value and s.data == 15.0
    s.backward()
    assert [x.grad for x in xs] == [1.0] * 5


def test_comparisons_use_the_data():
    assert Value(1.0) < Value(2.0) and Value(2.0) >= 2 and not Value(1.0) > 1.5
    assert max([Value(1.0), Value(3.0), Value(2.0)]).data == 3.0
    assert Dual(1.0, 5.0) < 2


def test_graphs_hold_no_reference_cycles():
    # no closures: dropping the root frees the graph by reference counting alone
    def live_values():
        return sum(isinstance(o, Value) for o in gc.get_objects())

    gc.collect()
    gc.disable()
    try:
        before = live_values()
        x = Value(1.0)
        y = (x * 2).tanh() + x.exp()
        y.backward()
        assert live_values() == before + 6  # x, the constant 2, mul, tanh, exp, add
        del x, y
        assert live_values() == before
    finally:
        gc.enable()


BAD_TYPES = ["3", None, [1.0], 1 + 2j, True]


@pytest.mark.parametrize("bad", BAD_TYPES)
def test_non_numbers_are_a_type_error_naming_the_type(bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        Value(bad)
    with pytest.raises(TypeError, match=type(bad).__name__):
        Dual(bad)


@pytest.mark.parametrize("make,error,words", [
    (lambda: Value(0.0).log(), ValueError, "log.*0.0"),
    (lambda: Value(-1.0).log(), ValueError, "log.*-1.0"),
    (lambda: Value(-1.0).sqrt(), ValueError, "sqrt.*-1.0"),
    (lambda: 1 / Value(0.0), ZeroDivisionError, "truediv.*division by zero"),
    (lambda: Value(1.0) / 0, ZeroDivisionError, "truediv"),
    (lambda: Value(-8.0) ** 0.5, ValueError, "power.*negative base.*0.5.*-8.0"),
    (lambda: Value(0.0) ** -1, ZeroDivisionError, "pow.*zero"),
    (lambda: Value(-2.0) ** Value(2.0), ValueError, "pow.*base"),
    (lambda: Value(1000.0).exp(), OverflowError, "exp.*1000"),
    (lambda: Value(1e200) * 1e200, OverflowError, "mul.*overflows"),
    (lambda: Value(float("nan")), ValueError, "nan"),
    (lambda: Value(float("inf")), ValueError, "inf"),
    (lambda: Dual(0.0, 1.0).log(), ValueError, "log.*0.0"),
    (lambda: Dual(710.0).exp(), OverflowError, "exp"),
])
def test_domain_errors_name_the_operation_and_the_value(make, error, words):
    with pytest.raises(error, match=words):
        make()


def test_a_value_times_a_dual_is_a_dual_of_values_and_strings_are_a_type_error():
    x = Value(2.0)
    d = x * Dual(3.0, 1.0)  # the Dual wraps: its primal and tangent are Values of the graph
    assert isinstance(d, Dual) and isinstance(d.primal, Value) and isinstance(d.tangent, Value)
    assert (d.primal.data, d.tangent.data) == (6.0, 2.0)
    with pytest.raises(TypeError, match="str"):
        Value(1.0) + "a"


def test_repr_shows_data_grad_label_and_op():
    x = Value(2.0, label="x")
    y = x * 3
    y.backward()
    assert repr(x) == "Value(data=2, grad=3, label='x')"
    assert "op='mul'" in repr(y)
    assert repr(Dual(1.5, 2.0)) == "Dual(primal=1.5, tangent=2)"


@pytest.mark.parametrize("number", [1.0, 2.5, -3, 0.0])
def test_a_number_on_the_left_is_a_constant_leaf_with_its_own_gradient(number):
    # number - x, number * x, number / x: the number lifted into a constant node, its grad d out / d number
    x = Value(0.75, label="x")
    for out, d_x, d_c in ((number - x, -1.0, 1.0), (number * x, number, 0.75), (number / x, -number / 0.75 ** 2,
                                                                                  1 / 0.75)):
        x.grad = 0.0
        out.backward()
        constant = out.parents[0]
        assert constant.op == "const" and constant.data == number and not constant.parents
        assert x.grad == pytest.approx(d_x) and constant.grad == pytest.approx(d_c)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, 1e300])
def test_a_non_finite_number_on_the_left_is_refused_or_marked(bad):
    x = Value(0.5)
    if math.isfinite(bad):  # huge but finite: allowed, and backward takes the exact way
        out = bad - x
        out.backward()
        assert x.grad == -1.0 and out.data == bad
    else:
        with pytest.raises(ValueError, match="Value"):
            bad - x
