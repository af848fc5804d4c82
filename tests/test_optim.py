"""nn.optim: three steps on a small quadratic against the papers' update equations run here on plain floats,
closed-form first steps, the lecture's momentum form, and every refused argument."""

import math

import pytest

from autograd import Value
from nn import MLP, optim

START = (0.0, 0.0)


def gradient(x, y):
    """Of f(x, y) = (x - 3)^2 + 2 (y + 1)^2."""
    return [2 * (x - 3), 4 * (y + 1)]


def run(make, steps=3):
    """Take ``steps`` optimiser steps on f from START through Values and backward(); return x1, y1, x2, y2, ..."""
    params = [Value(v) for v in START]
    opt = make(params)
    points = []
    for _ in range(steps):
        opt.zero_grad()
        x, y = params
        ((x - 3) ** 2 + 2 * (y + 1) ** 2).backward()
        opt.step()
        points.extend(p.data for p in params)
    return points


def by_hand(update, steps=3):
    """The same steps with ``update(t, p, g, state) -> p`` on plain floats, one state dict per parameter."""
    p, states, points = list(START), [{}, {}], []
    for t in range(1, steps + 1):
        g = gradient(*p)
        p = [update(t, p[i], g[i], states[i]) for i in range(2)]
        points.extend(p)
    return points


def sgd(lr, momentum=0.0, nesterov=False, weight_decay=0.0):
    def update(t, p, g, s):
        g = g + weight_decay * p
        if momentum:
            s["b"] = momentum * s.get("b", 0.0) + g
            g = g + momentum * s["b"] if nesterov else s["b"]
        return p - lr * g
    return update


def adagrad(lr, eps=1e-10):
    def update(t, p, g, s):
        s["sum"] = s.get("sum", 0.0) + g * g
        return p - lr * g / (math.sqrt(s["sum"]) + eps)
    return update


def rmsprop(lr, alpha, eps=1e-8):
    def update(t, p, g, s):
        s["v"] = alpha * s.get("v", 0.0) + (1 - alpha) * g * g
        return p - lr * g / (math.sqrt(s["v"]) + eps)
    return update


def adam(lr, b1=0.9, b2=0.999, eps=1e-8):
    def update(t, p, g, s):
        s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
        s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g * g
        return p - lr * (s["m"] / (1 - b1 ** t)) / (math.sqrt(s["v"] / (1 - b2 ** t)) + eps)
    return update


CASES = {
    "sgd": (lambda ps: optim.SGD(ps, lr=0.1), sgd(0.1)),
    "sgd momentum": (lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9), sgd(0.05, momentum=0.9)),
    "sgd nesterov": (lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
                     sgd(0.05, momentum=0.9, nesterov=True)),
    "sgd weight decay": (lambda ps: optim.SGD(ps, lr=0.1, weight_decay=0.5), sgd(0.1, weight_decay=0.5)),
    "adagrad": (lambda ps: optim.Adagrad(ps, lr=0.5), adagrad(0.5)),
    "rmsprop": (lambda ps: optim.RMSprop(ps, lr=0.1, alpha=0.9), rmsprop(0.1, 0.9)),
    "adam": (lambda ps: optim.Adam(ps, lr=0.3), adam(0.3)),
    "adam betas": (lambda ps: optim.Adam(ps, lr=0.2, betas=(0.5, 0.75), eps=1e-3), adam(0.2, 0.5, 0.75, 1e-3)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_three_steps_follow_the_update_equations(name):
    make, update = CASES[name]
    assert run(make) == pytest.approx(by_hand(update), rel=1e-13, abs=1e-15)


def test_plain_sgd_steps_by_hand():
    # g = (2 (x - 3), 4 (y + 1)): (-6, 4), then (-4.8, 2.4), then (-3.84, 1.44); p <- p - 0.1 g
    assert run(lambda ps: optim.SGD(ps, lr=0.1)) == pytest.approx([0.6, -0.4, 1.08, -0.64, 1.464, -0.784])


def test_adaptive_first_steps_have_closed_forms():
    # At t = 1, Adam's m_hat / sqrt(v_hat) = g / |g| and Adagrad's g / sqrt(g^2) = sign(g): a step of lr.
    assert run(lambda ps: optim.Adam(ps, lr=0.3, eps=0.0), steps=1) == pytest.approx([0.3, -0.3], rel=1e-14)
    assert run(lambda ps: optim.Adagrad(ps, lr=0.3, eps=0.0), steps=1) == pytest.approx([0.3, -0.3], rel=1e-14)
    # RMSprop: g / sqrt((1 - alpha) g^2) = sign(g) / sqrt(1 - alpha)
    step = 0.1 / math.sqrt(1 - 0.75)
    assert run(lambda ps: optim.RMSprop(ps, lr=0.1, alpha=0.75, eps=0.0), steps=1) == pytest.approx(
        [step, -step], rel=1e-14)


def test_momentum_matches_the_lectures_velocity_form():
    # The lecture: v_t = eta g + gamma v_(t-1); theta <- theta - v_t.
    eta, gamma, theta, v = 0.05, 0.8, list(START), [0.0, 0.0]
    expected = []
    for _ in range(4):
        g = gradient(*theta)
        v = [eta * gi + gamma * vi for gi, vi in zip(g, v)]
        theta = [t - vi for t, vi in zip(theta, v)]
        expected.extend(theta)
    assert run(lambda ps: optim.SGD(ps, lr=eta, momentum=gamma), steps=4) == pytest.approx(expected, rel=1e-13)


@pytest.mark.parametrize("make", [lambda ps: optim.SGD(ps, lr=0.1, momentum=0.5), lambda ps: optim.Adam(ps, lr=0.1)])
def test_optimisers_reach_the_minimum(make):
    assert run(make, steps=300)[-2:] == pytest.approx([3.0, -1.0], abs=1e-3)


def test_optimisers_take_a_module_and_zero_its_gradients():
    model = MLP(2, [3, 1], seed=0)
    opt = optim.Adam(model, lr=0.01)
    assert opt.params == model.parameters()
    model([1.0, -1.0]).backward()
    opt.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


BAD = [
    (lambda: optim.SGD([Value(1.0)], lr=0.0), ValueError, r"lr must be in \(0, inf\), got 0.0"),
    (lambda: optim.SGD([Value(1.0)], lr=-0.1), ValueError, "lr must be in"),
    (lambda: optim.SGD([Value(1.0)], lr=float("nan")), ValueError, "lr must be in"),
    (lambda: optim.SGD([Value(1.0)], lr=float("inf")), ValueError, "lr must be in"),
    (lambda: optim.SGD([Value(1.0)], lr="0.1"), TypeError, "lr must be a number, got str"),
    (lambda: optim.SGD([Value(1.0)], lr=0.1, momentum=1.0), ValueError, r"momentum must be in \[0, 1\)"),
    (lambda: optim.SGD([Value(1.0)], lr=0.1, momentum=-0.5), ValueError, "momentum"),
    (lambda: optim.SGD([Value(1.0)], lr=0.1, nesterov=True), ValueError, "nesterov=True needs momentum > 0"),
    (lambda: optim.SGD([Value(1.0)], lr=0.1, weight_decay=-1.0), ValueError, "weight_decay"),
    (lambda: optim.SGD([], lr=0.1), ValueError, "empty parameter list"),
    (lambda: optim.SGD(Value(1.0), lr=0.1), TypeError, "wrap it in a list"),
    (lambda: optim.SGD([1.0], lr=0.1), TypeError, "parameter 0 must be a Value, got float"),
    (lambda: optim.SGD([Value(1.0)] * 2, lr=0.1), ValueError, "appears more than once"),
    (lambda: optim.Adagrad([Value(1.0)], eps=-1e-3), ValueError, "eps"),
    (lambda: optim.RMSprop([Value(1.0)], alpha=1.0), ValueError, "alpha must be in"),
    (lambda: optim.Adam([Value(1.0)], betas=(0.9,)), TypeError, "betas must be a pair"),
    (lambda: optim.Adam([Value(1.0)], betas=(0.9, 1.0)), ValueError, "beta2 must be in"),
]


@pytest.mark.parametrize("call, error, words", BAD)
def test_bad_arguments_are_refused(call, error, words):
    with pytest.raises(error, match=words):
        call()
