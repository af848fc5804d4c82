"""grad, value_and_grad, derivative, jvp, numerical_grad and gradcheck against closed forms."""

import math

import pytest

from autograd import (
    GradcheckError,
    compare_modes,
    derivative,
    grad,
    gradcheck,
    hessian,
    jvp,
    numerical_grad,
    value_and_grad,
)
from autograd.functions import exp, log, sin, tanh


def f(x, y, z):
    return x * y * z + exp(x) * log(y) - sin(z)


def f_grad(x, y, z):
    return (y * z + math.exp(x) * math.log(y), x * z + math.exp(x) / y, x * y - math.cos(z))


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_grad_and_value_and_grad_match_the_closed_form(mode):
    point = (0.3, 2.0, -1.1)
    value, partials = value_and_grad(f, mode)(*point)
    assert value == pytest.approx(f(*point))  # f on floats: the functions work on plain numbers too
    assert partials == pytest.approx(f_grad(*point), rel=1e-13)
    assert grad(f, mode=mode)(*point) == pytest.approx(f_grad(*point), rel=1e-13)


def test_grad_of_a_function_that_ignores_its_inputs_is_zero():
    assert grad(lambda x, y: 3.0)(1.0, 2.0) == (0.0, 0.0)
    assert grad(lambda x, y: 3.0, mode="forward")(1.0, 2.0) == (0.0, 0.0)


def test_derivative_and_jvp():
    assert derivative(lambda x: tanh(x) * x)(0.5) == pytest.approx(math.tanh(0.5) + 0.5 * (1 - math.tanh(0.5) ** 2))
    value, directional = jvp(f, (0.3, 2.0, -1.1), (1.0, -2.0, 0.5))
    g = f_grad(0.3, 2.0, -1.1)
    assert value == pytest.approx(f(0.3, 2.0, -1.1))
    assert directional == pytest.approx(g[0] - 2 * g[1] + 0.5 * g[2], rel=1e-13)


def test_bad_calls_are_clear():
    with pytest.raises(ValueError, match="mode"):
        grad(f, mode="sideways")
    with pytest.raises(TypeError, match="str"):
        grad(f)(1.0, "2", 3.0)
    with pytest.raises(TypeError, match="list"):
        grad(lambda x: [x, x])(1.0)
    with pytest.raises(ValueError, match="2 primals but 1 tangents"):
        jvp(f, (1.0, 2.0), (1.0,))
    with pytest.raises(TypeError, match="at least one"):
        grad(f)()


def test_numerical_grad_is_close_to_the_closed_form():
    assert numerical_grad(f, 0.3, 2.0, -1.1) == pytest.approx(f_grad(0.3, 2.0, -1.1), rel=1e-8)


def test_gradcheck_passes_a_right_rule_and_tabulates_a_wrong_one():
    assert gradcheck(f, 0.3, 2.0, -1.1)
    assert gradcheck(f, 0.3, 2.0, -1.1, mode="forward")
    from autograd import RULES, Rule, apply

    wrong = Rule("wrong_sin", 1, math.sin, lambda out, x: (math.sin(x),), "deliberately wrong: should be cos")
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda x, y: apply(wrong, x) * y, 0.4, 2.0)
    message = str(info.value)
    assert "analytic" in message and "numeric" in message and "x1" in message and "<- wrong" in message
    assert "wrong_sin" not in RULES  # a rule used directly need not be registered


def test_compare_modes_shows_three_agreeing_columns():
    table = compare_modes(f, 0.3, 2.0, -1.1)
    assert table["reverse"] == pytest.approx(table["forward"], rel=1e-14)
    assert table["numeric"] == pytest.approx(table["forward"], rel=1e-7)


def test_forward_mode_and_hessians_run_through_a_model_of_values():
    """An MLP called on Duals (forward mode through the model): its weights are lifted into the Duals, so forward
    and reverse gradients agree, and the three Hessian modes agree with differences of the reverse gradient."""
    from nn import MLP

    model = MLP(2, [3, 1], seed=0, activation="tanh")

    def f(a, b):
        return model([a, b])

    point = (0.3, -0.2)
    forward = [float(getattr(g, "data", g)) for g in grad(f, mode="forward")(*point)]
    reverse = list(grad(f, mode="reverse")(*point))
    assert forward == pytest.approx(reverse, rel=1e-12)
    h = 1e-5
    reverse_grad = grad(f, mode="reverse")
    columns = []
    for j in range(2):
        step = [h if i == j else 0.0 for i in range(2)]
        up = reverse_grad(*(p + s for p, s in zip(point, step)))
        down = reverse_grad(*(p - s for p, s in zip(point, step)))
        columns.append([(u - d) / (2 * h) for u, d in zip(up, down)])
    for mode in ("forward-over-reverse", "reverse-over-reverse", "forward-over-forward"):
        H = hessian(f, mode=mode)(*point)
        for i in range(2):
            for j in range(2):
                assert H[i][j] == pytest.approx(columns[j][i], rel=1e-6, abs=1e-9)
