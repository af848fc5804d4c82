"""Issue 10, numbers: no silent NaN or infinity, the true derivative where it is finite, both modes agreeing,
clear errors for bad seeds and overflow, gradcheck's tolerances checked. Each test is one reproducer of the issue."""

import math
import sys

import numpy as np
import pytest

from autograd import (
    Dual,
    GradcheckError,
    GradientNotFinite,
    Rule,
    StaleGraphError,
    Value,
    defrule,
    derivative,
    forget,
    grad,
    gradcheck,
    numerical_grad,
    step_through,
    topological_order,
    trace,
    value_and_grad,
)
from autograd.finite import NotFinite
from nn import activations, losses

TINY = 5e-324  # the smallest subnormal: 1 / TINY overflows, log(TINY) does not

# ---- partials that overflow where the derivative does not ------------------------------------------------


def test_log_times_x_at_the_smallest_float_gives_log_x_plus_one_like_pytorch():
    # d/dx x log x = log x + 1; the stored partial 1/x overflows, but out_bar / x = x / x = 1 does not
    x = Value(TINY)
    (x.log() * x).backward()
    assert x.grad == pytest.approx(math.log(TINY) + 1.0, rel=1e-15)
    assert x.grad == pytest.approx(-743.4400719213812, rel=1e-15)


def test_log_times_x_agrees_with_pytorch():
    torch = pytest.importorskip("torch")
    t = torch.tensor(TINY, dtype=torch.float64, requires_grad=True)
    (t.log() * t).backward()
    x = Value(TINY)
    (x.log() * x).backward()
    assert x.grad == pytest.approx(t.grad.item(), rel=1e-15)


def test_x_to_the_three_halves_at_zero_has_derivative_zero():
    # sqrt'(0) is infinite, but its adjoint here is x = 0: nothing passes, and d/dx x^1.5 = 1.5 sqrt(x) = 0
    x = Value(0.0)
    (x.sqrt() * x).backward()
    assert x.grad == 0.0


@pytest.mark.parametrize("point", [TINY, 1e-300, 1e-200])
def test_x_to_the_zero_is_one_with_derivative_zero_at_tiny_points(point):
    x = Value(point)
    y = x ** 0
    y.backward()
    assert (y.data, x.grad) == (1.0, 0.0)
    assert derivative(lambda v: v ** 0)(point) == 0.0


def test_a_reciprocal_that_fits_a_float_is_computed():
    y = Value(1e-300) ** -1
    assert y.data == pytest.approx(1e300, rel=1e-15)
    assert (1 / Value(1e-300)).data == pytest.approx(1e300, rel=1e-15)


# ---- derivatives that are not finite: the named error, nothing changed ------------------------------------------


def test_sqrt_minus_sqrt_at_zero_names_the_sqrt_node():
    x = Value(0.0, label="x")
    y = x.sqrt() - x.sqrt()
    with pytest.raises(GradientNotFinite, match=r"sqrt\(0\)"):
        y.backward()
    assert x.grad == 0.0


@pytest.mark.parametrize("make", [lambda x: 1 / x, lambda x: x ** -1], ids=["truediv", "power"])
def test_the_reciprocals_derivative_at_1e_minus_300_overflows_and_is_refused(make):
    # -1 / x^2 = -1e600: no float holds it (PyTorch gives -inf)
    x = Value(1e-300, label="x")
    y = make(x)
    with pytest.raises(GradientNotFinite, match="x") as error:
        y.backward()
    assert isinstance(error.value, FloatingPointError)
    assert x.grad == 0.0


def test_a_huge_seed_that_overflows_names_the_node_and_leaves_the_grads_alone():
    x = Value(2.0, label="x")
    y = x * x * x
    with pytest.raises(GradientNotFinite, match="mul"):
        y.backward(1e308)
    assert x.grad == 0.0
    y.backward()  # the graph is still usable: 3 x^2
    assert x.grad == 12.0


@pytest.mark.parametrize("seed", [math.nan, math.inf, -math.inf])
def test_a_non_finite_seed_is_refused_naming_the_seed(seed):
    x = Value(2.0)
    with pytest.raises(NotFinite, match="seed"):
        (x * x).backward(seed)
    assert x.grad == 0.0


@pytest.mark.parametrize("seed, message", [
    ("1", "str"),
    (np.array([1, 2]), "ndarray"),
    (Value(1.0), "create_graph=True"),
    (None, "NoneType"),
    ([1.0], "list"),
])
def test_a_seed_that_is_not_one_number_is_a_type_error_saying_what_it_got(seed, message):
    x = Value(2.0)
    with pytest.raises(TypeError, match="seed|grad=") as error:
        (x * x).backward(seed)
    assert message in str(error.value)


def test_a_value_seed_with_create_graph_is_accepted():
    x = Value(3.0)
    (x * x).backward(Value(2.0), create_graph=True)
    assert x.grad.data == 12.0


# ---- both modes agree wherever both give a number --------------------------------------------------------------


@pytest.mark.parametrize("f, point", [
    (lambda x: x.sqrt() * 0, 0.0),
    (lambda x: 0 * x.sqrt(), 0.0),
    (lambda x: x.sqrt() * 0.0, 0.0),
    (lambda x: x.sqrt() * x, 0.0),
    (lambda x: x.sqrt() * x, TINY),
    (lambda x: x ** 0, 0.0),
    (lambda x: x ** 0, TINY),
    (lambda x: (x * x).sqrt() * 0, 0.0),
    (lambda x: x.sqrt().sin() * 0.0 + x, 0.0),
], ids=["sqrt*0", "0*sqrt", "sqrt*0.0", "sqrt*x", "sqrt*x-tiny", "pow0", "pow0-tiny",
        "sqrt(x*x)*0", "sin(sqrt)*0+x"])
def test_forward_and_reverse_mode_give_identical_derivatives_at_the_edge(f, point):
    reverse = grad(f)(point)[0]
    forward = grad(f, mode="forward")(point)[0]
    assert forward == reverse
    assert math.isfinite(reverse)


def test_forward_mode_refuses_rather_than_differs_where_only_reverse_mode_can_avoid_the_overflow():
    # x log x at 5e-324: the tangent of log x is 1/x = inf before the product with x can cancel it; reverse mode
    # multiplies the adjoint x by 1/x through the rule's adjoint form. Forward mode names the failure instead.
    assert grad(lambda x: x.log() * x)(TINY)[0] == pytest.approx(math.log(TINY) + 1, rel=1e-15)
    with pytest.raises(GradientNotFinite, match="derivative is inf"):
        grad(lambda x: x.log() * x, mode="forward")(TINY)


def test_derivative_of_sqrt_times_zero_at_zero_is_zero_in_both_modes():
    # the issue: forward mode gave NaN (an int 0 partial times an infinite tangent), reverse 0
    assert derivative(lambda x: x.sqrt() * 0)(0.0) == 0.0
    assert grad(lambda x: x.sqrt() * 0)(0.0) == (0.0,)
    assert grad(lambda x: x.sqrt() * 0, mode="forward")(0.0) == (0.0,)


@pytest.mark.parametrize("f, point", [
    (lambda x: x.sqrt(), 0.0),
    (lambda x: 1 / x, 1e-300),
    (lambda x: x.log(), TINY),
])
def test_a_derivative_that_is_not_finite_is_refused_in_both_modes(f, point):
    with pytest.raises(GradientNotFinite):
        grad(f)(point)
    with pytest.raises(GradientNotFinite):
        grad(f, mode="forward")(point)


# ---- stale graphs ----------------------------------------------------------------------------------------------


def test_backward_through_a_graph_whose_input_changed_is_refused_like_pytorch():
    x = Value(2.0, label="x")
    y = x * x
    x.data = 5.0
    with pytest.raises(StaleGraphError, match="'x'"):
        y.backward()
    assert x.grad == 0.0


def test_the_ordinary_loop_build_backward_update_build_again_is_unaffected():
    w = Value(1.0, label="w")
    for _ in range(3):
        loss = (w * 3.0 - 6.0) ** 2
        w.grad = 0.0
        loss.backward()
        expected = 2 * (3 * w.data - 6) * 3  # d/dw (3w - 6)^2
        assert w.grad == pytest.approx(expected)
        w.data -= 0.01 * w.grad


def test_a_change_deep_in_the_graph_is_found():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    y = ((a * b).tanh() + b.exp()).sigmoid()
    b.data = 0.5
    with pytest.raises(StaleGraphError, match="'b'"):
        y.backward()


# ---- reading a graph never changes it ----------------------------------------------------------------------


def _grads(root):
    return [(n, n.grad) for n in topological_order(root)]


@pytest.mark.parametrize("read", [
    lambda y: step_through(y)[1](1).source,
    lambda y: list(trace(y).steps()),
    lambda y: str(trace(y).reverse_table()),
    lambda y: str(trace(y).forward_table(wrt=topological_order(y)[0])),
], ids=["step_through", "steps", "reverse_table", "forward_table"])
def test_step_through_and_trace_tables_leave_every_grad_unchanged(read):
    x = Value(0.5, label="x")
    y = (x * x + x.exp()).tanh()
    y.backward()
    before = _grads(y)
    read(y)
    read(y)
    assert _grads(y) == before
    # and the steps' adjoints are backward's, the oracle
    final = list(trace(y).steps())[-1].grads
    assert final[x] == pytest.approx(x.grad, rel=1e-15)


# ---- numbers that are not numbers --------------------------------------------------------------------------------


def test_an_int_too_large_for_a_float_is_an_overflow_error_counting_its_digits():
    with pytest.raises(OverflowError, match="Value.*401 digits"):
        Value(10 ** 400)


@pytest.mark.parametrize("bad, error", [(math.nan, ValueError), (math.inf, ValueError), ("1", TypeError),
                                        (None, TypeError), (True, TypeError), (1 + 2j, TypeError)])
def test_a_value_of_a_non_number_names_what_it_got(bad, error):
    with pytest.raises(error, match="Value"):
        Value(bad)


def test_a_zero_dimensional_numpy_array_is_one_number_on_either_side():
    x = Value(2.0)
    for out in (x * np.array(3.0), np.array(3.0) * x, np.array(3.0) + x, x + np.array(3)):
        assert type(out) is Value
    assert (x * np.array(3.0)).data == 6.0
    assert (np.array(3.0) + x).data == 5.0
    d = np.array(3.0) * Dual(2.0, 1.0)
    assert (d.primal, d.tangent) == (6.0, 3.0)
    assert type(d.tangent) is float


@pytest.mark.parametrize("combine", [lambda x, a: x * a, lambda x, a: a + x, lambda x, a: a * x,
                                     lambda x, a: x - a])
@pytest.mark.parametrize("kind", [Value, lambda v: Dual(v, 1.0)], ids=["Value", "Dual"])
def test_an_array_of_several_numbers_is_refused_naming_its_shape(combine, kind):
    with pytest.raises(TypeError, match=r"one number.*shape \(2,\)"):
        combine(kind(2.0), np.array([1.0, 2.0]))


# ---- overflow names the operation ------------------------------------------------------------------------------


@pytest.mark.parametrize("make, operation", [
    (lambda: Value(1e200) ** 2, "power"),
    (lambda: 2 ** Value(1e4), "pow"),
    (lambda: Value(1e200) * Value(1e200), "mul"),
    (lambda: Value(1000.0).exp(), "exp"),
    (lambda: Value(1e308) + 1e308, "add"),
    (lambda: Value(-1e308) - 1e308, "sub"),
    (lambda: Value(1e300) / 1e-300, "truediv"),
])
def test_an_overflowing_result_is_an_overflow_error_naming_the_operation(make, operation):
    with pytest.raises(OverflowError, match=operation) as error:
        make()
    assert "overflow" in str(error.value)


@pytest.mark.parametrize("make, operation", [
    (lambda: Value(-1.0).log(), "log"),
    (lambda: Value(-1.0).sqrt(), "sqrt"),
    (lambda: Value(1.0) / 0, "truediv"),
    (lambda: Value(0.0) ** -1, "power"),
])
def test_outside_a_domain_the_error_names_the_operation(make, operation):
    with pytest.raises((ValueError, ZeroDivisionError), match=operation):
        make()


# ---- stable softmax family at +-1e308 ----------------------------------------------------------------------------


def test_cross_entropy_at_logits_of_1e308_is_zero_like_pytorch_and_its_gradient_is_zero():
    a, b = Value(1e308), Value(-1e308)
    loss = losses.cross_entropy([a, b], 0)
    assert loss.data == 0.0  # -log softmax_0 = log(1 + exp(-2e308)) = 0
    loss.backward()
    assert (a.grad, b.grad) == (0.0, 0.0)  # softmax - one_hot = (1 - 1, 0 - 0)


def test_cross_entropy_and_softmax_at_1e308_agree_with_pytorch():
    torch = pytest.importorskip("torch")
    logits = [1e308, -1e308, 1e307]
    t = torch.tensor([logits], dtype=torch.float64, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(t, torch.tensor([0]))
    expected.backward()
    values = [Value(v) for v in logits]
    loss = losses.cross_entropy(values, 0)
    loss.backward()
    assert loss.data == expected.item() == 0.0
    assert [v.grad for v in values] == pytest.approx(t.grad[0].tolist(), abs=1e-15)
    soft = torch.softmax(torch.tensor(logits, dtype=torch.float64), 0).tolist()
    assert [p.data for p in activations.softmax([Value(v) for v in logits])] == pytest.approx(soft, abs=1e-15)


def test_softmax_of_plus_minus_1e308_is_one_and_zero():
    assert [p.data for p in activations.softmax([Value(1e308), Value(-1e308)])] == [1.0, 0.0]


def test_log_softmax_of_plus_minus_1e308_gives_zero_or_names_the_log_probability_beyond_a_float():
    # log_softmax_0 = 0; log_softmax_1 = -2e308 has no float (PyTorch: -inf): refused, naming which logit
    with pytest.raises(OverflowError, match="log_softmax.*logit 1"):
        activations.log_softmax([Value(1e308), Value(-1e308)])
    assert activations.log_softmax([Value(1000.0), Value(1000.0)])[0].data == pytest.approx(-math.log(2), rel=1e-15)


def test_cross_entropy_and_log_softmax_keep_their_precision_for_large_equal_logits():
    # PyTorch: cross_entropy([[1e17, 1e17]], [0]) = log 2; here logsumexp = 1e17 + log 2 rounds to 1e17
    assert losses.cross_entropy([Value(1e17), Value(1e17)], 0).data == pytest.approx(math.log(2), rel=1e-12)
    assert activations.log_softmax([Value(1e17), Value(1e17)])[0].data == pytest.approx(-math.log(2), rel=1e-12)


# ---- gradcheck and numerical_grad check their own arguments -------------------------------------------------------


@pytest.mark.parametrize("name", ["atol", "rtol"])
@pytest.mark.parametrize("bad, error", [(math.nan, ValueError), (math.inf, ValueError), (-1.0, ValueError),
                                        ("1", TypeError), (None, TypeError)])
def test_gradcheck_refuses_a_tolerance_that_would_pass_anything(name, bad, error):
    with pytest.raises(error, match=f"gradcheck {name}"):
        gradcheck(lambda x: x * x, 1.0, **{name: bad})


@pytest.mark.parametrize("bad", [0, 0.0, -1e-6, math.nan, math.inf])
def test_numerical_grad_and_gradcheck_refuse_a_step_that_is_not_positive_and_finite(bad):
    with pytest.raises(ValueError, match="eps"):
        numerical_grad(lambda x: x * x, 1.0, eps=bad)
    with pytest.raises(ValueError, match="eps"):
        gradcheck(lambda x: x * x, 1.0, eps=bad)


def test_gradcheck_still_catches_a_wrong_derivative_with_its_defaults():
    # a rule whose partial is wrong (3x for x^2): the student's mistake gradcheck exists to catch
    wrong = defrule(Rule("seams_wrong", 1, lambda x: x * x, lambda out, x: (3 * x,), notation=("3 {x}",)))
    try:
        with pytest.raises(GradcheckError, match="wrong"):
            gradcheck(lambda x: x.seams_wrong(), 1.5)
    finally:
        forget(wrong)


def test_value_and_grad_on_a_chain_deeper_than_the_recursion_limit():
    depth = 4 * sys.getrecursionlimit()
    value, (g,) = value_and_grad(lambda x: _chain(x, depth))(0.3)
    assert (value, g) == (0.3, 1.0)  # x + 0 + 0 ... = x exactly


def _chain(x, depth):
    for _ in range(depth):
        x = x + 0.0
    return x


# ---- preprocessing at the edge of the floats ---------------------------------------------------------------------


@pytest.mark.parametrize("scale, expected", [("standardize", [1.0, -1.0]), ("minmax_scale", [1.0, 0.0])])
def test_scaling_plus_minus_1_7e308_is_exact_and_warns_nothing(scale, expected):
    # mean 0 and std 1.7e308 (standardize), min -1.7e308 and range 3.4e308 (minmax): the naive forms overflow
    import warnings

    from nn import data

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = getattr(data, scale)(np.array([[1.7e308], [-1.7e308]]))
    assert out[:, 0].tolist() == expected


def test_one_hot_of_a_huge_label_is_refused_before_allocating():
    from nn import data

    with pytest.raises(ValueError, match=r"one_hot: 1 label\(s\) x 1000000000001 classes would take 7,450.6 GiB"):
        data.one_hot([10 ** 12])
    with pytest.raises(ValueError, match="one_hot: label 1e\\+300 is too large for a class number"):
        data.one_hot([1e300])
