"""nn.optim: three steps on a small quadratic against the papers' update equations run here on plain floats,
closed-form and hand-computed first steps, the lecture's momentum form, PyTorch's optimisers step for step
(where PyTorch is installed), copies that go on the same way, and every refused argument."""

import copy
import math
import pickle

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


def adam_coupled(lr, weight_decay, b1=0.9, b2=0.999, eps=1e-8):
    plain = adam(lr, b1, b2, eps)
    return lambda t, p, g, s: plain(t, p, g + weight_decay * p, s)


def adamw(lr, weight_decay, b1=0.9, b2=0.999, eps=1e-8):
    plain = adam(lr, b1, b2, eps)
    # Loshchilov & Hutter's algorithm 2: the decay multiplies the weight, the gradient is Adam's alone
    return lambda t, p, g, s: plain(t, p, g, s) - lr * weight_decay * p


def adamax(lr, b1=0.9, b2=0.999, eps=1e-8):
    def update(t, p, g, s):
        s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
        s["u"] = max(b2 * s.get("u", 0.0), abs(g) + eps)
        return p - lr / (1 - b1 ** t) * s["m"] / s["u"]
    return update


def nadam(lr, b1=0.9, b2=0.999, eps=1e-8, psi=0.004):
    def mu(t):
        return b1 * (1 - 0.5 * 0.96 ** (t * psi))

    def update(t, p, g, s):
        s["m"] = b1 * s.get("m", 0.0) + (1 - b1) * g
        s["v"] = b2 * s.get("v", 0.0) + (1 - b2) * g * g
        product = math.prod(mu(i) for i in range(1, t + 1))
        m_hat = mu(t + 1) * s["m"] / (1 - product * mu(t + 1)) + (1 - mu(t)) * g / (1 - product)
        return p - lr * m_hat / (math.sqrt(s["v"] / (1 - b2 ** t)) + eps)
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
    "adam coupled decay": (lambda ps: optim.Adam(ps, lr=0.2, weight_decay=0.3), adam_coupled(0.2, 0.3)),
    "adamw": (lambda ps: optim.AdamW(ps, lr=0.2, weight_decay=0.3), adamw(0.2, 0.3)),
    "adamw default decay": (lambda ps: optim.AdamW(ps, lr=0.2), adamw(0.2, 0.01)),
    "adamax": (lambda ps: optim.AdaMax(ps, lr=0.3), adamax(0.3)),
    "adamax betas": (lambda ps: optim.AdaMax(ps, lr=0.3, betas=(0.5, 0.6), eps=1e-2), adamax(0.3, 0.5, 0.6, 1e-2)),
    "nadam": (lambda ps: optim.Nadam(ps, lr=0.3), nadam(0.3)),
    "nadam momentum decay": (lambda ps: optim.Nadam(ps, lr=0.3, betas=(0.8, 0.9), momentum_decay=0.5),
                             nadam(0.3, 0.8, 0.9, psi=0.5)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_three_steps_follow_the_update_equations(name):
    make, update = CASES[name]
    assert run(make) == pytest.approx(by_hand(update), rel=1e-13, abs=1e-15)


def test_plain_sgd_steps_by_hand():
    # g = (2 (x - 3), 4 (y + 1)): (-6, 4), then (-4.8, 2.4), then (-3.84, 1.44); p <- p - 0.1 g
    assert run(lambda ps: optim.SGD(ps, lr=0.1)) == pytest.approx([0.6, -0.4, 1.08, -0.64, 1.464, -0.784])


def test_adaptive_first_steps_have_closed_forms():
    # At t = 1, Adam's m_hat / sqrt(v_hat) = g / |g| and Adagrad's g / sqrt(g^2) = sign(g): a step of lr
    # (eps, tiny beside |g| = 6 and 4, moves it by less than 1e-12). AdaMax: m_hat / u = g / |g| as well.
    for make in (lambda ps: optim.Adam(ps, lr=0.3, eps=1e-14), lambda ps: optim.Adagrad(ps, lr=0.3, eps=1e-14),
                 lambda ps: optim.AdaMax(ps, lr=0.3, eps=1e-14), lambda ps: optim.AdamW(ps, lr=0.3, eps=1e-14)):
        assert run(make, steps=1) == pytest.approx([0.3, -0.3], rel=1e-12)
    # RMSprop: g / sqrt((1 - alpha) g^2) = sign(g) / sqrt(1 - alpha)
    step = 0.1 / math.sqrt(1 - 0.75)
    assert run(lambda ps: optim.RMSprop(ps, lr=0.1, alpha=0.75, eps=1e-14), steps=1) == pytest.approx(
        [step, -step], rel=1e-12)


def test_nadam_first_step_by_hand():
    # mu_1 = 0.9 (1 - 0.5 * 0.96^0.004) = 0.4500735, mu_2 = 0.9 (1 - 0.5 * 0.96^0.008) = 0.4501469;
    # m_hat = mu_2 * 0.1 g / (1 - mu_1 mu_2) + (1 - mu_1) g / (1 - mu_1) = (0.0564518 + 1) g; v_hat = g^2:
    # the first step is lr * 1.0564518 * sign(g), larger than Adam's lr because Nadam looks ahead.
    mu1, mu2 = 0.9 * (1 - 0.5 * 0.96 ** 0.004), 0.9 * (1 - 0.5 * 0.96 ** 0.008)
    assert (round(mu1, 7), round(mu2, 7)) == (0.4500735, 0.4501469)
    factor = mu2 * 0.1 / (1 - mu1 * mu2) + 1
    assert round(factor, 7) == 1.0564518
    assert run(lambda ps: optim.Nadam(ps, lr=0.1, eps=1e-14), steps=1) == pytest.approx(
        [0.1 * factor, -0.1 * factor], rel=1e-12)


def test_adamax_second_step_by_hand():
    # From (0, 0): g1 = (-6, 4); m1 = 0.1 g1 = (-0.6, 0.4), u1 = |g1| = (6, 4); step lr/(1 - 0.9) * m1/u1 = lr sign
    # p1 = (0.3, -0.3) with lr = 0.3. g2 = (2 (0.3 - 3), 4 (-0.3 + 1)) = (-5.4, 2.8).
    # m2 = 0.9 m1 + 0.1 g2 = (-1.08, 0.64); u2 = max(0.999 u1, |g2|) = (5.994, 3.996) (the old maximum wins).
    # p2 = p1 - 0.3 / (1 - 0.81) * m2 / u2 = (0.5844950, -0.5528845).
    p2 = [0.3 + 0.3 / 0.19 * 1.08 / 5.994, -0.3 - 0.3 / 0.19 * 0.64 / 3.996]
    assert [round(p, 7) for p in p2] == [0.584495, -0.5528845]
    assert run(lambda ps: optim.AdaMax(ps, lr=0.3, eps=1e-14), steps=2)[2:] == pytest.approx(p2, rel=1e-12)


def test_coupled_and_decoupled_decay_differ():
    # A weight with no gradient at all: Adam's coupled decay g = 0.1 * p is normalised like any gradient, so the
    # first step moves p by a whole lr (1 -> 0.99); AdamW shrinks it by lr * weight_decay * p (1 -> 0.999).
    for cls, expected in ((optim.Adam, 0.99), (optim.AdamW, 0.999)):
        w = Value(1.0)
        opt = cls([w], lr=0.01, weight_decay=0.1, eps=1e-14)
        w.grad = 0.0
        opt.step()
        assert w.data == pytest.approx(expected, rel=1e-12), cls.__name__
    # With no decay, AdamW is Adam
    assert run(lambda ps: optim.AdamW(ps, lr=0.2, weight_decay=0.0)) == run(lambda ps: optim.Adam(ps, lr=0.2))


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


@pytest.mark.parametrize("make", [lambda ps: optim.SGD(ps, lr=0.1, momentum=0.5), lambda ps: optim.Adam(ps, lr=0.1),
                                  lambda ps: optim.AdaMax(ps, lr=0.1), lambda ps: optim.Nadam(ps, lr=0.1)])
def test_optimisers_reach_the_minimum(make):
    assert run(make, steps=300)[-2:] == pytest.approx([3.0, -1.0], abs=1e-3)


def test_optimisers_take_a_module_and_zero_its_gradients():
    model = MLP(2, [3, 1], seed=0)
    opt = optim.Adam(model, lr=0.01)
    assert opt.params == model.parameters()
    model([1.0, -1.0]).backward()
    opt.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


# (our optimiser, PyTorch's, the keyword arguments both take)
TORCH_CASES = [
    ("SGD", "SGD", {"lr": 0.1}),
    ("SGD", "SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ("Adagrad", "Adagrad", {"lr": 0.5, "weight_decay": 0.2}),
    ("RMSprop", "RMSprop", {"lr": 0.1, "alpha": 0.9, "eps": 1e-6}),
    ("Adam", "Adam", {"lr": 0.2, "betas": (0.8, 0.95), "weight_decay": 0.3}),
    ("AdamW", "AdamW", {"lr": 0.2}),
    ("AdamW", "AdamW", {"lr": 0.2, "betas": (0.8, 0.95), "eps": 1e-4, "weight_decay": 0.3}),
    ("AdaMax", "Adamax", {"lr": 0.3}),
    ("AdaMax", "Adamax", {"lr": 0.3, "betas": (0.5, 0.6), "eps": 1e-3, "weight_decay": 0.1}),
    ("Nadam", "NAdam", {"lr": 0.3}),
    ("Nadam", "NAdam", {"lr": 0.3, "betas": (0.8, 0.9), "momentum_decay": 0.5, "weight_decay": 0.1}),
]


@pytest.mark.parametrize("ours, theirs, kwargs", TORCH_CASES, ids=[f"{c[0]} {c[2]}" for c in TORCH_CASES])
def test_steps_match_pytorch(ours, theirs, kwargs):
    torch = pytest.importorskip("torch")
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # NAdam keeps mu_1 ... mu_t in a tensor of the default type
    try:
        tensors = [torch.tensor(v, requires_grad=True) for v in START]
        reference = getattr(torch.optim, theirs)(tensors, **kwargs)
        expected = []
        for _ in range(6):
            reference.zero_grad()
            x, y = tensors
            ((x - 3) ** 2 + 2 * (y + 1) ** 2).backward()
            reference.step()
            expected.extend(t.item() for t in tensors)
    finally:
        torch.set_default_dtype(default)
    assert run(lambda ps: getattr(optim, ours)(ps, **kwargs), steps=6) == pytest.approx(expected, rel=1e-12,
                                                                                       abs=1e-14)


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("how", ["pickle", "deepcopy"])
def test_a_copied_optimiser_goes_on_as_the_original(name, how):
    make, _ = CASES[name]
    params = [Value(v) for v in START]
    opt = make(params)

    def steps(opt, n):
        for _ in range(n):
            opt.zero_grad()
            x, y = opt.params
            ((x - 3) ** 2 + 2 * (y + 1) ** 2).backward()
            opt.step()
        return [p.data for p in opt.params]

    steps(opt, 2)
    twin = pickle.loads(pickle.dumps(opt)) if how == "pickle" else copy.deepcopy(opt)
    assert all(a is not b for a, b in zip(twin.params, opt.params))  # the copy updates its own parameters
    assert steps(twin, 3) == steps(opt, 3)  # its state (momenta, averages, step count) came along


def test_a_learning_rate_set_later_is_checked():
    opt = optim.Adam([Value(1.0)], lr=0.1)
    opt.lr = 0.05
    assert opt.lr == 0.05
    for bad in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="lr must be in"):
            opt.lr = bad
    with pytest.raises(TypeError, match="lr must be a number, got str"):
        opt.lr = "0.1"
    assert opt.lr == 0.05


def test_adamw_refuses_a_decay_that_flips_the_weights():
    w = Value(1.0)
    opt = optim.AdamW([w], lr=2.0, weight_decay=0.5)
    w.grad = 1.0
    with pytest.raises(ValueError, match=r"lr \* weight_decay = 1 must be below 1"):
        opt.step()
    assert w.data == 1.0


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
    *[(lambda cls=cls, eps=eps: cls([Value(1.0)], eps=eps), ValueError, r"eps must be in \(0, inf\), got")
      for cls in (optim.Adagrad, optim.RMSprop, optim.Adam, optim.AdamW, optim.AdaMax, optim.Nadam)
      for eps in (0.0, -1e-8, float("nan"), float("inf"))],
    (lambda: optim.Adam([Value(1.0)], eps="1e-8"), TypeError, "eps must be a number, got str"),
    *[(lambda cls=cls: cls([Value(1.0)], lr=0.0), ValueError, r"lr must be in \(0, inf\), got 0.0")
      for cls in (optim.Adagrad, optim.RMSprop, optim.Adam, optim.AdamW, optim.AdaMax, optim.Nadam)],
    *[(lambda cls=cls, betas=betas: cls([Value(1.0)], betas=betas), ValueError, words)
      for cls in (optim.Adam, optim.AdamW, optim.AdaMax, optim.Nadam)
      for betas, words in (((1.0, 0.9), r"beta1 must be in \[0, 1\), got 1.0"), ((-0.1, 0.9), "beta1 must be in"),
                           ((0.9, float("nan")), "beta2 must be in"), ((0.9, 1.5), "beta2 must be in"))],
    (lambda: optim.Nadam([Value(1.0)], momentum_decay=-0.1), ValueError, "momentum_decay must be in"),
    (lambda: optim.AdamW([Value(1.0)], weight_decay=-0.01), ValueError, "weight_decay must be in"),
    (lambda: optim.AdaMax([Value(1.0)], betas=0.9), TypeError, "betas must be a pair"),
    (lambda: optim.RMSprop([Value(1.0)], alpha=1.0), ValueError, "alpha must be in"),
    (lambda: optim.Adam([Value(1.0)], betas=(0.9,)), TypeError, "betas must be a pair"),
    (lambda: optim.Adam([Value(1.0)], betas=(0.9, 1.0)), ValueError, "beta2 must be in"),
]


@pytest.mark.parametrize("call, error, words", BAD)
def test_bad_arguments_are_refused(call, error, words):
    with pytest.raises(error, match=words):
        call()


# ---- the update on whole arrays (what a compiled fit calls) against the per-parameter loop -------------------

def per_parameter(update, data, grads):
    """The update equations run parameter by parameter on plain floats: ``grads[t]`` is step t+1's gradient."""
    p, states, points = list(data), [{} for _ in data], []
    for t, g in enumerate(grads, 1):
        p = [update(t, p[i], g[i], states[i]) for i in range(len(p))]
        points.append(p)
    return points


@pytest.mark.parametrize("name", sorted(CASES))
def test_update_on_arrays_equals_the_per_parameter_loop_and_step(name):
    import numpy as np

    make, update = CASES[name]
    rng = np.random.default_rng(7)
    data = rng.normal(size=40)
    grads = [rng.normal(size=40) * scale for scale in (1.0, 3.0, 0.01, 0.0, 2.0)]  # a zero gradient too
    # through arrays: update(data, grad), no Value read or written
    values = [Value(float(x)) for x in data]
    opt = make(values)
    current, got = data.copy(), []
    for g in grads:
        current = opt.update(current, g)
        got.append(current.tolist())
    assert [v.data for v in values] == data.tolist()  # the Values were not touched
    expected = per_parameter(update, data.tolist(), [g.tolist() for g in grads])
    for a, b in zip(got, expected):
        assert a == pytest.approx(b, rel=1e-13, abs=1e-15)
    # through the Values: step() gives the same numbers as update(), bit for bit
    values = [Value(float(x)) for x in data]
    opt = make(values)
    for g, want in zip(grads, got):
        for v, gi in zip(values, g.tolist()):
            v.grad = gi
        opt.step()
        assert [v.data for v in values] == want


def test_an_update_that_overflows_names_the_parameter_and_leaves_the_arrays():
    import numpy as np

    w = [Value(1.0, label="w1"), Value(2.0, label="w2")]
    opt = optim.SGD(w, lr=1e308)
    data = np.array([1.0, 2.0])
    with pytest.raises(ValueError, match=r"Value 'w2'.data needs a finite number, got -inf \(SGD step 1: it was 2.0, "
                                         r"its gradient 10.0\)"):
        opt.update(data, np.array([0.5, 10.0]))
    assert data.tolist() == [1.0, 2.0]
    w[0].grad, w[1].grad = 0.5, 10.0
    with pytest.raises(ValueError, match="Value 'w2'.data needs a finite number"):
        opt.step()
    assert [p.data for p in w] == [1.0, 2.0]  # no parameter half-updated


def test_a_refused_adamw_step_is_not_counted():
    w = Value(1.0)
    opt = optim.AdamW([w], lr=2.0, weight_decay=0.5)
    w.grad = 1.0
    with pytest.raises(ValueError, match="must be below 1"):
        opt.step()
    assert opt.t == 0
