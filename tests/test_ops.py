"""Every primitive: value and derivative against its closed form, kinks included, in both modes.

Each case is a function written once and run through Value (backward) and Dual (tangent); the
expected numbers come from textbook formulas evaluated with ``math``, never from the engine.
"""

import math

import pytest

from autograd import RULES, Dual, GradientNotFinite, Value
from autograd.functions import dot, summation

POINTS = (-2.5, -1.0, -0.3, 0.0, 0.4, 1.0, 3.0)


def sig(x):
    return 1 / (1 + math.exp(-x))


# name: (apply to one operand, closed-form value, closed-form derivative, points)
UNARY = {
    "neg": (lambda v: -v, lambda x: -x, lambda x: -1.0, POINTS),
    "exp": (lambda v: v.exp(), math.exp, math.exp, POINTS),
    "log": (lambda v: v.log(), math.log, lambda x: 1 / x, (0.1, 0.5, 1.0, 7.0)),
    "sqrt": (lambda v: v.sqrt(), math.sqrt, lambda x: 0.5 / math.sqrt(x), (0.01, 0.5, 4.0)),
    "sin": (lambda v: v.sin(), math.sin, math.cos, POINTS),
    "cos": (lambda v: v.cos(), math.cos, lambda x: -math.sin(x), POINTS),
    "tanh": (lambda v: v.tanh(), math.tanh, lambda x: 1 - math.tanh(x) ** 2, POINTS),
    "sigmoid": (lambda v: v.sigmoid(), sig, lambda x: sig(x) * (1 - sig(x)), POINTS),
    "softplus": (lambda v: v.softplus(), lambda x: math.log(1 + math.exp(x)), sig, POINTS),
    "arctan": (lambda v: v.arctan(), math.atan, lambda x: 1 / (1 + x * x), POINTS),
    # kinks follow PyTorch: relu'(0) = 0, abs'(0) = 0, hardtanh'(+-1) = 0, step' = 0,
    # leaky_relu'(0) = alpha, elu'(0) = alpha
    "relu": (lambda v: v.relu(), lambda x: max(x, 0.0), lambda x: 1.0 if x > 0 else 0.0, POINTS),
    "abs": (lambda v: abs(v), abs, lambda x: (x > 0) - (x < 0), POINTS),
    "hardtanh": (lambda v: v.hardtanh(), lambda x: max(-1.0, min(1.0, x)),
                 lambda x: 1.0 if -1 < x < 1 else 0.0, POINTS + (-1.0, 1.0)),
    "step": (lambda v: v.step(), lambda x: 1.0 if x >= 0 else 0.0, lambda x: 0.0, POINTS),
    "leaky_relu": (lambda v: v.leaky_relu(0.1), lambda x: x if x > 0 else 0.1 * x,
                   lambda x: 1.0 if x > 0 else 0.1, POINTS),
    "elu": (lambda v: v.elu(0.7), lambda x: x if x > 0 else 0.7 * (math.exp(x) - 1),
            lambda x: 1.0 if x > 0 else 0.7 * math.exp(x), POINTS),
    "pow": (lambda v: v ** 3, lambda x: x ** 3, lambda x: 3 * x * x, POINTS),
    "pow_half": (lambda v: v ** 0.5, math.sqrt, lambda x: 0.5 / math.sqrt(x), (0.25, 1.0, 9.0)),
    "pow_negative": (lambda v: v ** -2, lambda x: x ** -2, lambda x: -2 * x ** -3, (-2.0, 0.5, 3.0)),
    "rpow": (lambda v: 2 ** v, lambda x: 2 ** x, lambda x: math.log(2) * 2 ** x, POINTS),
}

CASES = [(name, x) for name, (_, _, _, points) in UNARY.items() for x in points]


@pytest.mark.parametrize("name,x", CASES)
def test_unary_value_and_derivative_both_modes(name, x):
    f, value, derivative, _ = UNARY[name]
    v = Value(x)
    y = f(v)
    y.backward()
    d = f(Dual(x, 1.0))
    assert y.data == pytest.approx(value(x), rel=1e-12, abs=1e-15)
    assert v.grad == pytest.approx(derivative(x), rel=1e-12, abs=1e-15)
    assert d.primal == y.data
    assert d.tangent == v.grad


BINARY = {
    "add": (lambda a, b: a + b, lambda x, y: x + y, lambda x, y: (1.0, 1.0)),
    "sub": (lambda a, b: a - b, lambda x, y: x - y, lambda x, y: (1.0, -1.0)),
    "mul": (lambda a, b: a * b, lambda x, y: x * y, lambda x, y: (y, x)),
    "truediv": (lambda a, b: a / b, lambda x, y: x / y, lambda x, y: (1 / y, -x / y ** 2)),
    "pow": (lambda a, b: a ** b, lambda x, y: x ** y, lambda x, y: (y * x ** (y - 1), x ** y * math.log(x))),
}
PAIRS = [(1.5, 0.5), (2.0, -3.0), (0.25, 4.0), (3.0, 1.0)]


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("x,y", PAIRS)
def test_binary_value_and_partials_both_modes(name, x, y):
    f, value, partials = BINARY[name]
    a, b = Value(x), Value(y)
    out = f(a, b)
    out.backward()
    assert out.data == pytest.approx(value(x, y), rel=1e-12)
    assert (a.grad, b.grad) == pytest.approx(partials(x, y), rel=1e-12)
    assert f(Dual(x, 1.0), Dual(y, 0.0)).tangent == pytest.approx(partials(x, y)[0], rel=1e-12)
    assert f(Dual(x, 0.0), Dual(y, 1.0)).tangent == pytest.approx(partials(x, y)[1], rel=1e-12)


def test_nary_sum_and_dot_are_one_node_each_with_all_partials():
    w = [Value(w) for w in (0.5, -1.0, 2.0)]
    x = [Value(x) for x in (3.0, 4.0, -2.0)]
    d = dot(w, x)
    s = summation(x)
    assert d.op == "dot" and len(d.parents) == 6 and d.parents == tuple(w + x)
    assert s.op == "sum" and s.parents == tuple(x)
    assert d.data == 0.5 * 3 - 4 - 4 and s.data == 5.0
    (d + s).backward()
    assert [wi.grad for wi in w] == [3.0, 4.0, -2.0]  # d/dw_i = x_i
    assert [xi.grad for xi in x] == [0.5 + 1, -1.0 + 1, 2.0 + 1]  # w_i plus 1 from the sum
    dd = dot([Dual(0.5, 1.0), 2.0], [3.0, Dual(4.0, 1.0)])  # d/dw1 + d/dx2 = x1 + w2
    assert (dd.primal, dd.tangent) == (9.5, 5.0)


def test_stable_sigmoid_and_softplus_far_out():
    for x in (1e4, 1e5, -1e4, -1e5):
        s, p = Value(x).sigmoid(), Value(x).softplus()
        s.backward()
        p.backward()
        assert s.data == (1.0 if x > 0 else 0.0)
        assert p.data == (x if x > 0 else 0.0)
    assert Value(-745.0).sigmoid().data == pytest.approx(math.exp(-745.0), rel=1e-6)
    assert Value(30.0).softplus().data == pytest.approx(30.0 + math.exp(-30.0), rel=1e-15)


def test_every_rule_documents_its_derivative_and_kinked_rules_their_convention():
    for name, rule in RULES.items():
        assert rule.math, name
        if rule.kinks:
            assert "0" in rule.kink or "1" in rule.kink, name


def test_zero_powers_follow_pytorch_limits():
    x = Value(0.0)
    y = x ** 0.5
    assert y.partials == (math.inf,)  # like sqrt'(0), as PyTorch; backward refuses the infinite gradient
    with pytest.raises(GradientNotFinite, match=r"power\(0.5\)"):
        y.backward()
    assert x.grad == 0.0
    x = Value(0.0)
    (x ** 2).backward()
    assert x.grad == 0.0
    x, e = Value(0.0), Value(3.0)
    (x ** e).backward()
    assert (x.grad, e.grad) == (0.0, 0.0)
