"""Derivatives of derivatives, from the same rows: every primitive's second and third derivatives in all three
modes, nested transforms over captured Values, random-formula Hessians, and transforms that leave ``.grad`` alone.

Oracles: closed forms (textbook derivatives evaluated with ``math``) where they are short, and everywhere
central differences of the engine's own first derivative (a 5-point stencil, so the truncation error is
O(h^4)); for Hessians of random formulas, the other two modes and central differences of the gradient.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autograd import RULES, Dual, Value, derivative, grad, hessian, hvp, jvp, to_dot, trace, value_and_grad
from autograd.check import gradcheck, numerical_grad
from autograd.functional import HESSIAN_MODES
from autograd.functions import dot, function
from autograd.rule import Rule
from autograd.strategies import expressions, inputs, members, regular_points

DIRECTION = (1.0, 0.5, -0.25, 2.0)  # the line through a many-operand rule's point that its slice follows


def sig(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def zero(x: float, *values: float) -> float:
    return 0.0


def elu2(x: float, alpha: float) -> float:
    return alpha * math.exp(x) if x < 0 else 0.0


# name: (second derivative, third derivative) of a one-operand rule, as functions of (x, *parameter values)
CLOSED: dict[str, tuple[Callable[..., float], Callable[..., float]]] = {
    "neg": (zero, zero), "pos": (zero, zero),
    "exp": (math.exp, math.exp),
    "log": (lambda x: -1 / x ** 2, lambda x: 2 / x ** 3),
    "sqrt": (lambda x: -0.25 * x ** -1.5, lambda x: 0.375 * x ** -2.5),
    "sin": (lambda x: -math.sin(x), lambda x: -math.cos(x)),
    "cos": (lambda x: -math.cos(x), math.sin),
    "tanh": (lambda x: -2 * math.tanh(x) * (1 - math.tanh(x) ** 2),
             lambda x: (1 - math.tanh(x) ** 2) * (6 * math.tanh(x) ** 2 - 2)),
    "sigmoid": (lambda x: sig(x) * (1 - sig(x)) * (1 - 2 * sig(x)),
                lambda x: sig(x) * (1 - sig(x)) * (1 - 6 * sig(x) + 6 * sig(x) ** 2)),
    "softplus": (lambda x: sig(x) * (1 - sig(x)), lambda x: sig(x) * (1 - sig(x)) * (1 - 2 * sig(x))),
    "arctan": (lambda x: -2 * x / (1 + x * x) ** 2, lambda x: (6 * x * x - 2) / (1 + x * x) ** 3),
    "power": (lambda x, c: c * (c - 1) * x ** (c - 2), lambda x, c: c * (c - 1) * (c - 2) * x ** (c - 3)),
    "elu": (elu2, elu2),
    # piecewise linear: no curvature away from the kinks (the points keep away from them)
    **{name: (zero, zero) for name in ("relu", "abs", "hardtanh", "step", "leaky_relu", "clamp", "probability_clamp")},
}


# ---- the three ways of nesting, for a function of one number --------------------------------------------

def reverse(g: Callable) -> Callable:
    return lambda x: grad(g)(x)[0]


def nth(mode: str, g: Callable, order: int) -> Callable:
    """The ``order``-th derivative of ``g`` by ``mode``: reverse inside (order - 1 times forward outside) for
    forward-over-reverse, reverse all the way, or forward all the way."""
    if mode == "forward-over-forward":
        for _ in range(order):
            g = derivative(g)
        return g
    g = reverse(g)
    for _ in range(order - 1):
        g = derivative(g) if mode == "forward-over-reverse" else reverse(g)
    return g


def stencil(d1: Callable[[float], float], x: float, order: int, h: float = 1e-3) -> float:
    """The (order - 1)-th derivative of ``d1`` at ``x`` by 5-point central differences (error O(h^4))."""
    f = [d1(x + k * h) for k in (-2, -1, 0, 1, 2)]
    if order == 2:
        return (f[0] - 8 * f[1] + 8 * f[3] - f[4]) / (12 * h)
    return (-f[0] + 16 * f[1] - 30 * f[2] + 16 * f[3] - f[4]) / (12 * h * h)


def slice_of(member: Rule, point: tuple[float, ...]) -> Callable:
    """``t -> member(point + t * direction)``: every operand moves, so every mixed partial takes part."""
    if len(point) == 1:
        return lambda t: function(member.family or member)(point[0] + t, *member.values)
    return lambda t: function(member)(*[x + t * v for x, v in zip(point, DIRECTION)])


def near(a: float, b: float, rel: float, scale: float = 1.0) -> bool:
    return abs(a - b) <= rel * max(scale, abs(a), abs(b))


CASES = [(member, mode) for rule in list(RULES.values()) for member in members(rule) for mode in HESSIAN_MODES]


@pytest.mark.parametrize("member,mode", CASES, ids=lambda c: c if isinstance(c, str) else c.title)
def test_second_and_third_derivatives_of_every_primitive(member, mode):
    closed = CLOSED.get(member.name) if member.arity == 1 else None
    for point in regular_points(member):
        g = slice_of(member, point)
        d1 = reverse(g)
        scale = max(1.0, abs(d1(0.0)))  # rounding in the differences is relative to the first derivative
        second, third = nth(mode, g, 2)(0.0), nth(mode, g, 3)(0.0)
        assert type(second) is float and type(third) is float
        by_hessian = hessian(g, mode=mode)(0.0)[0][0]
        assert near(by_hessian, second, 1e-12), f"{member.title} at {point}: hessian {by_hessian} != {second}"
        assert near(second, stencil(d1, 0.0, 2), 1e-7, scale), f"{member.title} at {point}: f'' = {second}"
        assert near(third, stencil(d1, 0.0, 3), 1e-5, scale), f"{member.title} at {point}: f''' = {third}"
        if closed is not None:
            x = point[0]
            f2, f3 = (c(x, *member.values) for c in closed)
            assert near(second, f2, 1e-12) and near(third, f3, 1e-12), (member.title, x, second, f2, third, f3)


MANY = [(member, mode) for member, mode in CASES if member.arity != 1]


@pytest.mark.parametrize("member,mode", MANY, ids=lambda c: c if isinstance(c, str) else c.title)
def test_full_hessian_of_every_many_operand_primitive(member, mode):
    f = function(member)
    for point in regular_points(member):
        h = hessian(f, mode=mode)(*point)
        for i in range(len(point)):
            column = stencil(lambda x, i=i, p=point: np.array(grad(f)(*p[:i], x, *p[i + 1:])), point[i], 2)
            for j in range(len(point)):
                assert near(h[j][i], column[j], 1e-7), f"{member.title} at {point}: H[{j}][{i}] = {h[j][i]}"
                assert h[i][j] == h[j][i] or near(h[i][j], h[j][i], 1e-14)


# ---- nesting -------------------------------------------------------------------------------------------

def test_grad_of_grad_and_derivative_of_derivative():
    def f(x):
        return x ** 3 * x.sin()

    def f2(x):  # (x^3 sin x)'' = 6x sin x + 6x^2 cos x - x^3 sin x
        return 6 * x * math.sin(x) + 6 * x * x * math.cos(x) - x ** 3 * math.sin(x)

    assert grad(grad(f))(0.7)[0] == pytest.approx(f2(0.7), rel=1e-13)
    assert grad(grad(f, mode="forward"))(0.7)[0] == pytest.approx(f2(0.7), rel=1e-13)
    assert derivative(derivative(f))(0.7) == pytest.approx(f2(0.7), rel=1e-13)
    assert grad(grad(grad(lambda x: x ** 4)))(2.0) == (48.0,)  # 24 x


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_nested_grad_over_a_captured_value_is_the_issues_example(mode):
    # f(x) = x * d/dy (x y) = x^2: its derivative at 1 is 2 (not 3: the inner grad may not add into x's)
    def f(x):
        return x * grad(lambda y: x * y, mode=mode)(2.0)[0]

    assert grad(f, mode=mode)(1.0) == (2.0,)
    assert grad(f, mode="forward" if mode == "reverse" else "reverse")(1.0) == (2.0,)
    for hessian_mode in HESSIAN_MODES:  # f'' = 2 (forward-over-reverse gave 1: its inner grad returned floats)
        assert hessian(f, mode=hessian_mode)(3.0) == ((2.0,),)
    x = Value(3.0)
    slope = derivative(f)(x)  # called on a Value: a Value, differentiable again
    slope.backward()
    assert (slope.data, x.grad) == (6.0, 2.0)


def test_no_perturbation_confusion():
    # Siskind and Pearlmutter's example: d/dx (x * d/dy (x + y)) = d/dx (x * 1) = 1, for every x
    assert derivative(lambda x: x * derivative(lambda y: x + y)(1.0))(2.0) == 1.0
    assert grad(lambda x: x * grad(lambda y: x + y)(1.0)[0])(2.0) == (1.0,)
    assert grad(lambda x: x * derivative(lambda y: x + y)(1.0))(2.0) == (1.0,)
    assert derivative(lambda x: x * grad(lambda y: x + y)(1.0)[0])(2.0) == 1.0
    # and a Dual of a Value of a Dual does each operation once per level
    d = Dual(Value(2.0), 1.0)
    y = d * d
    assert isinstance(y.primal, Value) and y.primal.data == 4.0 and y.tangent.data == 4.0


def test_create_graph_gives_values_that_differentiate_again_and_trace():
    x = Value(0.6, label="x")
    y = x.tanh() * x
    y.backward(create_graph=True)
    first = x.grad  # d/dx (x tanh x) = tanh x + x (1 - tanh^2 x)
    t = math.tanh(0.6)
    assert isinstance(first, Value) and first.data == pytest.approx(t + 0.6 * (1 - t * t), rel=1e-14)
    second = 2 * (1 - t * t) - 2 * 0.6 * t * (1 - t * t)
    # the trace tables and the picture read the graph that create_graph built
    table = trace(first).reverse_table()
    assert table["v1"].adjoint == pytest.approx(second, rel=1e-13)
    assert "tanh" in to_dot(first)
    assert f"grad {first.data:.4g}" in to_dot(y)  # the picture of the first graph shows the .grad Values' numbers
    x.grad = 0.0
    first.backward()
    assert x.grad == pytest.approx(second, rel=1e-13)


def test_a_plain_backward_builds_nothing():
    x = Value(0.6)
    y = (x * x).exp()
    y.backward()
    assert type(x.grad) is float and all(type(p) is float for p in y.partials)


# ---- Hessians of random formulas -------------------------------------------------------------------------

def agree(a, b, scale: float) -> bool:
    """1e-9 relative, plus rounding: a Hessian entry near 0 may be the sum of terms as large as the gradient and
    the Hessian (reverse mode adds them in another order than forward mode), so 1e-13 of that ``scale``."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return bool(np.all(np.abs(a - b) <= 1e-9 * np.maximum(np.abs(a), np.abs(b)) + 1e-13 * scale))


@settings(max_examples=60)
@given(expressions(max_vars=3, max_depth=3), st.data())
def test_random_hessians_agree_in_three_modes_are_symmetric_and_give_hvp(e, data):
    assume(e.kink_distance(*e.point) > 1e-2)
    h = [np.array(hessian(e, mode=mode)(*e.point)) for mode in HESSIAN_MODES]
    gradient = np.array(grad(e)(*e.point))
    assume(np.abs(h[0]).max() < 1e8)
    scale = 1.0 + np.abs(gradient).max() + np.abs(h[0]).max()
    for other in h[1:]:
        assert agree(h[0], other, scale), (e, h)
    assert agree(h[0], h[0].T, scale)
    v = np.array(data.draw(inputs(e.n_vars, 1.0)))
    for mode in HESSIAN_MODES:  # to rounding: 1e-9 of the sum of the products' sizes
        tolerance = 1e-9 * (np.abs(h[0]) @ np.abs(v)) + 1e-13 * scale * np.abs(v).max()
        assert np.all(np.abs(hvp(e, e.point, v.tolist(), mode=mode) - h[0] @ v) <= tolerance), (e, mode)
    # and the oracle outside the engine's second order: central differences of its gradient (error O(h^2)
    # from truncation, which the kink distance bounds, and 1e-16 |gradient| / h from rounding)
    step = 1e-6
    for i in range(e.n_vars):
        up, down = list(e.point), list(e.point)
        up[i] += step
        down[i] -= step
        column = (np.array(grad(e)(*up)) - np.array(grad(e)(*down))) / (up[i] - down[i])
        assert np.all(np.abs(column - h[0][:, i]) <= 1e-4 * np.abs(column) + 1e-6 * scale), (e, column, h[0][:, i])


def logistic_loss(X: np.ndarray, y: np.ndarray) -> Callable:
    """Mean binary cross entropy of sigmoid(x . w) as a function of w, written softplus(z) - y z (stable)."""
    rows, targets = X.tolist(), y.tolist()

    def loss(*ws):
        total = 0.0
        for row, target in zip(rows, targets):
            z = dot(ws, row)
            total = total + z.softplus() - target * z
        return total / len(rows)

    return loss


def study_hours() -> tuple[np.ndarray, np.ndarray]:
    from nn import data

    hours, passed = data.study_hours()
    return np.hstack([np.ones((len(hours), 1)), hours]), passed.astype(float)  # a bias column, then the hours


def random_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(9)
    return np.hstack([rng.normal(size=(12, 2)), np.ones((12, 1))]), rng.integers(0, 2, size=12).astype(float)


@pytest.mark.parametrize("mode", HESSIAN_MODES)
@pytest.mark.parametrize("make", [random_data, study_hours])
def test_logistic_regression_hessian_is_the_closed_form(make, mode):
    X, y = make()
    loss = logistic_loss(X, y)
    w = np.linspace(0.4, -0.7, X.shape[1])
    p = 1.0 / (1.0 + np.exp(-X @ w))
    expected = X.T @ np.diag(p * (1 - p)) @ X / len(X)  # X^T diag(p (1 - p)) X / N
    assert np.allclose(hessian(loss, mode=mode)(*w), expected, rtol=1e-12, atol=1e-15)
    assert np.allclose(grad(loss)(*w), X.T @ (p - y) / len(X), rtol=1e-12, atol=1e-15)


def test_newton_with_the_engines_hessian_finds_the_study_hours_fit():
    # the maximum-likelihood fit of the study-hours data (its textbook values: intercept -4.0777, slope 1.5046)
    X, y = study_hours()
    loss, w = logistic_loss(X, y), np.zeros(2)
    for _ in range(10):
        w = w - np.linalg.solve(np.array(hessian(loss)(*w)), np.array(grad(loss)(*w)))
    assert np.allclose(w, [-4.0777, 1.5046], atol=5e-5)
    assert np.abs(grad(loss)(*w)).max() < 1e-12


# ---- purity: a transform changes no .grad that existed before it ------------------------------------------

TRANSFORMS = {
    "grad": lambda f, xs: grad(f)(*xs),
    "grad forward": lambda f, xs: grad(f, mode="forward")(*xs),
    "value_and_grad": lambda f, xs: value_and_grad(f)(*xs),
    "derivative": lambda f, xs: derivative(lambda x: f(x, *xs[1:]))(xs[0]),
    "jvp": lambda f, xs: jvp(f, xs, [1.0] * len(xs))[1],
    "numerical_grad": lambda f, xs: numerical_grad(f, *xs),
    "gradcheck": lambda f, xs: gradcheck(f, *xs, atol=1e9),
    **{f"hessian {m}": lambda f, xs, m=m: hessian(f, mode=m)(*xs) for m in HESSIAN_MODES},
    **{f"hvp {m}": lambda f, xs, m=m: hvp(f, xs, [1.0] * len(xs), mode=m) for m in HESSIAN_MODES},
}


@settings(max_examples=25)
@given(expressions(max_vars=2, max_depth=3), st.floats(-3, 3), st.booleans())
def test_transforms_leave_every_existing_grad_alone(e, seed, differentiable):
    a, b = Value(0.5, label="a"), Value(2.0, label="b")
    scale = a * b  # 1.0, captured by f below: f's inputs pass through it
    scale.backward(create_graph=differentiable)
    a.grad = a.grad + seed  # arbitrary numbers (or Values) already in the .grad of every captured node
    before = {node: node.grad for node in (a, b, scale)}

    def f(*xs):
        return e(*[x * scale for x in xs])

    for name, transform in TRANSFORMS.items():
        result = transform(f, list(e.point))
        assert all(node.grad is before[node] for node in before), f"{name} changed a captured .grad"
        if name == "grad":  # with respect to its arguments only: those of e, since scale is 1
            assert np.allclose(result, grad(e)(*e.point), rtol=1e-12, atol=1e-12)


def test_transforms_of_a_model_leave_its_parameters_grads_alone():
    from nn import MLP

    model = MLP(2, [3, 1], activation="tanh", seed=1)
    params = model.parameters()
    for i, p in enumerate(params):
        p.grad = 0.1 * i  # what a training step left there
    before = [p.grad for p in params]

    def f(x1, x2):
        return model([x1, x2]) ** 2

    # the reverse-mode ones: a model refuses Dual inputs (nn's as_inputs makes a Value of every input)
    for name in ("grad", "value_and_grad", "numerical_grad", "gradcheck", "hessian reverse-over-reverse",
                 "hvp reverse-over-reverse"):
        TRANSFORMS[name](f, [0.3, -0.8])
        assert [p.grad for p in params] == before, name
    # the gradient is with respect to the inputs only, and equals central differences
    assert np.allclose(grad(f)(0.3, -0.8), numerical_grad(f, 0.3, -0.8), rtol=1e-7, atol=1e-9)
