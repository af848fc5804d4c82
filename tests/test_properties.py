"""Property tests over random expression graphs covering the whole rule table.

Oracles: the other AD mode (to 1e-9 relative: the same partials multiplied in another order), central
differences, and the dot-product test <v, J^T u> == <u, J v>.

Tolerance for central differences: numerical_grad steps h = 1e-6 * max(1, |x|). Its error is the
truncation h^2 |f'''| / 6 (about 1e-13 |f'''|) plus rounding, about (a few ulps of the intermediates
that cancel) / h. Intermediates here stay below ~1e6 in magnitude (the strategy filters larger
values), so rounding is at most ~1e6 * 1e-16 / 1e-6 = 1e-4 in the worst case and ~1e-9 typically.
We accept |analytic - numeric| <= 1e-5 * (1 + |analytic| + |f|): loose enough for that rounding,
tight enough that any wrong rule (an error of order 1 in one partial) fails. Points where a kinked
operation's input lies within 1e-3 of its kink are skipped for this oracle only (differences straddle the kink).
"""

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from autograd import Dual, Value, jvp, numerical_grad, value_and_grad
from autograd.strategies import expressions


def close(a, b, rel):
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


@given(expressions())
def test_reverse_mode_equals_forward_mode(e):
    value_r, grad_r = value_and_grad(e)(*e.point)
    value_f, grad_f = value_and_grad(e, mode="forward")(*e.point)
    assert value_r == value_f
    for r, f in zip(grad_r, grad_f):
        assert close(r, f, 1e-9), (e, grad_r, grad_f)


@given(expressions())
def test_both_modes_equal_central_differences(e):
    assume(e.kink_distance(*e.point) > 1e-3)
    value, analytic = value_and_grad(e)(*e.point)
    numeric = numerical_grad(e, *e.point)
    for a, n in zip(analytic, numeric):
        assert abs(a - n) <= 1e-5 * (1 + abs(a) + abs(value)), (e, analytic, numeric)


@given(expressions(), st.data())
def test_dot_product_of_vjp_and_jvp(e, data):
    v = data.draw(st.tuples(*[st.floats(-1, 1)] * e.n_vars))
    _, g = value_and_grad(e)(*e.point)
    _, directional = jvp(e, e.point, v)
    assert close(sum(gi * vi for gi, vi in zip(g, v)), directional, 1e-9)


@given(expressions(max_vars=2))
def test_every_intermediate_grad_matches_a_forward_sweep(e):
    # reverse mode's adjoint of an intermediate node n is d out / d n; check the leaves' accumulation
    # the other way: seeding each input's tangent and reading the output tangent.
    xs = [Value(x) for x in e.point]
    out = e(*xs)
    out.backward()
    for i in range(e.n_vars):
        duals = [Dual(x, float(i == j)) for j, x in enumerate(e.point)]
        assert close(xs[i].grad, e(*duals).tangent, 1e-9)


@pytest.mark.parametrize("x", [0.5, 1.7])
def test_strategy_points_are_inside_every_domain(x):
    # the guards are part of the formula: log(0.5 + a * a) is defined for every a
    from autograd.rule import RULES
    from autograd.strategies import Expression

    node = (RULES["add"], (("c", 0.5), (RULES["mul"], (("x", 0), ("x", 0)))))  # the guard around log's operand

    assert Expression(node, 1, (x,))(x) == pytest.approx(0.5 + x * x)
    assert math.isfinite(Expression(node, 1, (x,))(-x))
