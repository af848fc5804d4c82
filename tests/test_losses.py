"""nn.losses against closed forms computed here with math, their gradients against the known formulas and
central differences (both AD modes), stability at logits of 1e3, and every refused input."""

import math

import numpy as np
import pytest

from autograd import Dual, Value, gradcheck
from nn import MLP, losses


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def values(xs):
    return [Value(x) for x in xs]


def grads_of(loss_fn, xs):
    """The loss and the gradient of ``loss_fn`` at the floats ``xs``, by backprop."""
    vs = values(xs)
    out = loss_fn(vs)
    out.backward()
    return out, [v.grad for v in vs]


# ---- regression losses -------------------------------------------------------------------------


def test_mse_matches_the_lectures_numpy_example_and_its_gradient():
    # y = [1.9, 2.8, 3.7], y_hat = [2, 3, 4]: mean of 0.01, 0.04, 0.09
    out, g = grads_of(lambda p: losses.mse(p, [1.9, 2.8, 3.7]), [2.0, 3.0, 4.0])
    assert out.data == pytest.approx(0.14 / 3, rel=1e-12) and out.label == "loss"
    assert g == pytest.approx([2 * 0.1 / 3, 2 * 0.2 / 3, 2 * 0.3 / 3], rel=1e-12)  # 2 (y_hat - y) / n


def test_half_sum_squares_gradient_is_the_plain_error():
    out, g = grads_of(lambda p: losses.half_sum_squares(p, np.array([1.0, -2.0])), [0.5, 1.0])
    assert out.data == pytest.approx(0.5 * (0.25 + 9.0))
    assert g == pytest.approx([-0.5, 3.0])


def test_regression_losses_accept_a_single_value_and_floats():
    assert losses.mse(Value(3.0), 1.0).data == 4.0
    out = losses.mse([1.0, 2.0], [0.0, 0.0])  # floats in, still a Value out
    assert isinstance(out, Value) and out.data == 2.5
    assert losses.mse([[1.0], [2.0]], np.array([[0.0], [0.0]])).data == 2.5  # column vectors flatten


# ---- binary cross entropy ----------------------------------------------------------------------


def test_binary_cross_entropy_closed_form_and_gradient():
    p, y = [0.9, 0.2, 0.6], [1.0, 0.0, 0.3]
    out, g = grads_of(lambda v: losses.binary_cross_entropy(v, y), p)
    expected = -sum(t * math.log(q) + (1 - t) * math.log(1 - q) for q, t in zip(p, y)) / 3
    assert out.data == pytest.approx(expected, rel=1e-12)
    # d/dp = -(y / p - (1 - y) / (1 - p)) / n
    assert g == pytest.approx([-(t / q - (1 - t) / (1 - q)) / 3 for q, t in zip(p, y)], rel=1e-10)


def test_binary_cross_entropy_clamps_with_epsilon_and_blocks_the_gradient_outside():
    out, g = grads_of(lambda v: losses.binary_cross_entropy(v, [1.0, 0.0]), [0.0, 1.0])
    # p = 0 becomes eps, p = 1 becomes 1 - eps: -log(eps) and -log(1 - (1 - eps)), averaged
    assert out.data == pytest.approx((-math.log(1e-6) - math.log(1 - (1 - 1e-6))) / 2, rel=1e-14)
    assert g == [0.0, 0.0]  # outside [eps, 1 - eps] the clamp is constant
    # exactly at the bound the gradient still passes: -1 / eps
    out, g = grads_of(lambda v: losses.binary_cross_entropy(v, [1.0]), [1e-6])
    assert g == pytest.approx([-1e6], rel=1e-9)


def test_binary_cross_entropy_with_logits_equals_bce_of_the_sigmoid():
    z, y = [1.3, -0.4, 2.2, -3.0], [1.0, 0.0, 0.0, 0.7]
    out, g = grads_of(lambda v: losses.binary_cross_entropy_with_logits(v, y), z)
    reference = losses.binary_cross_entropy([sigmoid(v) for v in z], y).data
    assert out.data == pytest.approx(reference, rel=1e-12)
    assert g == pytest.approx([(sigmoid(v) - t) / 4 for v, t in zip(z, y)], rel=1e-12)  # (sigma(z) - y) / n


def test_binary_cross_entropy_with_logits_is_stable_at_1e3():
    out, g = grads_of(lambda v: losses.binary_cross_entropy_with_logits(v, [0, 1, 1, 0]),
                      [1000.0, -1000.0, 1000.0, -1000.0])
    assert out.data == pytest.approx((1000.0 + 1000.0 + 0.0 + 0.0) / 4)  # softplus(1000) = 1000, softplus(-1000) = 0
    assert g == pytest.approx([0.25, -0.25, 0.0, 0.0], abs=1e-300)


# ---- cross entropy -------------------------------------------------------------------------------


def softmax(z):
    top = max(z)
    e = [math.exp(v - top) for v in z]
    return [v / sum(e) for v in e]


def test_cross_entropy_from_a_class_index_and_a_one_hot():
    z = [0.5, -1.2, 2.0, 0.1]
    expected = -math.log(math.exp(2.0) / sum(math.exp(v) for v in z))
    assert losses.cross_entropy(values(z), 2).data == pytest.approx(expected, rel=1e-13)
    assert losses.cross_entropy(values(z), [0, 0, 1, 0]).data == pytest.approx(expected, rel=1e-13)
    soft = [0.1, 0.0, 0.6, 0.3]
    assert losses.cross_entropy(z, soft).data == pytest.approx(-sum(
        t * math.log(q) for t, q in zip(soft, softmax(z)) if t), rel=1e-13)


@pytest.mark.parametrize("target", [1, [0.0, 1.0, 0.0]])
def test_cross_entropy_gradient_is_softmax_minus_one_hot(target):
    z = [0.3, 1.7, -0.8]
    out, g = grads_of(lambda v: losses.cross_entropy(v, target), z)
    assert g == pytest.approx([q - t for q, t in zip(softmax(z), [0, 1, 0])], abs=1e-14)


def test_cross_entropy_is_stable_at_1e3():
    z = [1000.0, 1001.0, 999.0]
    out, g = grads_of(lambda v: losses.cross_entropy(v, 0), z)
    assert out.data == pytest.approx(-math.log(softmax(z)[0]), rel=1e-13)  # = 1 + log(1 + e^-1 + e^-2)
    assert out.data == pytest.approx(1 + math.log(1 + math.exp(-1) + math.exp(-2)), rel=1e-13)
    assert g == pytest.approx([q - t for q, t in zip(softmax(z), [1, 0, 0])], abs=1e-14)


def test_cross_entropy_of_a_batch_is_the_mean():
    rows, targets = [[0.2, 0.4], [1.5, -0.5], [0.0, 3.0]], [1, 0, [1.0, 0.0]]
    vs = [values(r) for r in rows]
    out = losses.cross_entropy(vs, targets)
    singles = [losses.cross_entropy(r, t).data for r, t in zip(rows, [1, 0, 0])]
    assert out.data == pytest.approx(sum(singles) / 3, rel=1e-13)
    out.backward()
    for row, v, k in zip(rows, vs, [1, 0, 0]):
        onehot = [float(j == k) for j in range(2)]
        assert [x.grad for x in v] == pytest.approx([(q - t) / 3 for q, t in zip(softmax(row), onehot)], abs=1e-14)
    assert losses.cross_entropy(np.array(rows), np.array([1, 0, 0])).data == pytest.approx(out.data)


# ---- hinge and the penalty -----------------------------------------------------------------------


def test_hinge_is_micrograds_max_margin_loss():
    scores, labels = [2.0, 0.5, -0.25, -3.0], [1, 1, 1, -1]
    out, g = grads_of(lambda s: losses.hinge(s, labels), scores)
    assert out.data == pytest.approx((0.0 + 0.5 + 1.25 + 0.0) / 4)
    assert g == pytest.approx([0.0, -0.25, -0.25, 0.0])  # -y / n where the margin is violated


def test_l2_penalty_of_values_and_of_a_module():
    ps = values([3.0, -4.0])
    out = losses.l2_penalty(ps, alpha=0.5)
    out.backward()
    assert out.data == 12.5 and [p.grad for p in ps] == [3.0, -4.0]  # 2 alpha p
    model = MLP(2, [2, 1], seed=0)
    expected = 1e-4 * sum(p.data ** 2 for p in model.parameters())
    assert losses.l2_penalty(model).data == pytest.approx(expected, rel=1e-12)


# ---- every loss against central differences, in both modes ----------------------------------------

CASES = {
    "mse": (lambda *p: losses.mse(list(p), [0.5, -1.0, 2.0]), (0.3, 0.7, 1.1)),
    "half_sum_squares": (lambda *p: losses.half_sum_squares(list(p), [0.5, -1.0, 2.0]), (0.3, 0.7, 1.1)),
    "bce": (lambda *p: losses.binary_cross_entropy(list(p), [1, 0, 0.4]), (0.3, 0.7, 0.55)),
    "bce_logits": (lambda *p: losses.binary_cross_entropy_with_logits(list(p), [1, 0, 0.4]), (0.3, -2.7, 1.5)),
    "cross_entropy": (lambda *p: losses.cross_entropy(list(p), 2), (0.3, -2.7, 1.5)),
    "cross_entropy_soft": (lambda *p: losses.cross_entropy(list(p), [0.2, 0.3, 0.5]), (0.3, -2.7, 1.5)),
    "hinge": (lambda *p: losses.hinge(list(p), [1, -1, 1]), (0.3, -0.2, 0.5)),
    "l2": (lambda *p: losses.l2_penalty(list(p), alpha=0.1), (0.3, -2.7, 1.5)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_loss_gradients_match_central_differences(name):
    f, point = CASES[name]
    assert gradcheck(f, *point) and gradcheck(f, *point, mode="forward")
    assert isinstance(f(*[Dual(x) for x in point]), Dual)


# ---- refused input ------------------------------------------------------------------------------

BAD = [
    (lambda: losses.mse([Value(1.0)], [1.0, 2.0]), ValueError, "1 predictions but 2 targets"),
    (lambda: losses.mse([], []), ValueError, "at least one prediction"),
    (lambda: losses.mse([Value(1.0)], ["a"]), TypeError, "expected numbers or Values, got str"),
    (lambda: losses.mse([Value(1.0)], [Value(1.0)]), TypeError, "got Value"),
    (lambda: losses.mse(["x"], [1.0]), TypeError, "got str"),
    (lambda: losses.mse([Value(1.0)], [float("nan")]), ValueError, "finite"),
    (lambda: losses.binary_cross_entropy([Value(1.5)], [1]), ValueError, "1.5, not a probability.*with_logits"),
    (lambda: losses.binary_cross_entropy([Value(0.5)], [2]), ValueError, "target 0 is 2.0, not in"),
    (lambda: losses.binary_cross_entropy([Value(0.5)], [1], eps=0.0), ValueError, "eps must be in"),
    (lambda: losses.binary_cross_entropy_with_logits([Value(0.5)], [-1]), ValueError, "not in"),
    (lambda: losses.cross_entropy(values([1, 2]), 2), ValueError, "class index 2 is out of range for 2"),
    (lambda: losses.cross_entropy(values([1, 2]), -1), ValueError, "out of range"),
    (lambda: losses.cross_entropy(values([1, 2]), 1.0), TypeError, "class index must be an int, got float"),
    (lambda: losses.cross_entropy(values([1, 2]), True), TypeError, "got bool"),
    (lambda: losses.cross_entropy(values([1, 2]), [1, 0, 0]), ValueError, "2 logits but a one-hot target of length 3"),
    (lambda: losses.cross_entropy(values([1, 2]), [1, 1]), ValueError, "summing to 1"),
    (lambda: losses.cross_entropy([[1.0, 2.0]], [0, 1]), ValueError, "batch of 1 logit rows needs 1 targets, got 2"),
    (lambda: losses.cross_entropy([[1.0, 2.0], [0.0, 1.0]], [0, 5]), ValueError, "example 1: class index 5"),
    (lambda: losses.cross_entropy(Value(1.0), 0), TypeError, "non-empty list"),
    (lambda: losses.cross_entropy([[]], [0]), ValueError, "at least one logit"),
    (lambda: losses.hinge([Value(0.5)], [0]), ValueError, "label 0 is 0.0; labels must be -1 or \\+1"),
    (lambda: losses.l2_penalty([Value(1.0)], alpha=-1.0), ValueError, "alpha must be >= 0"),
    (lambda: losses.l2_penalty([]), ValueError, "at least one parameter"),
]


@pytest.mark.parametrize("call, error, words", BAD)
def test_bad_input_is_refused_with_a_clear_error(call, error, words):
    with pytest.raises(error, match=words):
        call()
