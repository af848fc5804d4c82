"""nn.losses against closed forms computed here with math, their gradients against the known formulas and
central differences (both AD modes), stability at logits of 1e3, and every refused input."""

import math

import numpy as np
import pytest

from autograd import Dual, Value, gradcheck
from autograd.compiled import compile_graph
from nn import MLP, activations, losses


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


# ---- logits of +-1e308 (PyTorch: cross entropy 0, softmax [1, 0]) -------------------------------------


def test_cross_entropy_softmax_and_log_softmax_at_logits_of_1e308():
    # logsumexp(1e308, -1e308) = 1e308 + log(1 + e^-2e308) = 1e308 exactly, so the loss of class 0 is 0 and its
    # gradient softmax - one-hot = [1, 0] - [1, 0] = 0
    z = values([1e308, -1e308])
    loss = losses.cross_entropy(z, 0)
    loss.backward()
    assert loss.data == 0.0 and [v.grad for v in z] == [0.0, 0.0]
    assert losses.cross_entropy([[1e308, -1e308], [-1e308, 1e308]], [0, 1]).data == 0.0
    with pytest.raises(OverflowError, match="cross_entropy: the loss is above 1.8e308"):  # it is 2e308
        losses.cross_entropy(values([1e308, -1e308]), 1)
    z = values([1e308, -1e308])
    p = activations.softmax(z)
    assert [q.data for q in p] == [1.0, 0.0]
    p[0].backward()  # d p0 / dz = p0 (1 - p0, -p1) = (0, 0)
    assert [v.grad for v in z] == [0.0, 0.0]
    assert activations.log_softmax([1e307, -1e307]) == [0.0, -2e307]
    assert activations.softmax([1e308, -1e308]) == [1.0, 0.0]
    with pytest.raises(OverflowError, match="log_softmax: the log-probability of logit 1 is below -1.8e308"):
        activations.log_softmax(values([1e308, -1e308]))  # -2e308: no float holds it


@pytest.mark.parametrize("z", [[0.5, -1.2, 2.0], [700.0, 710.0, -5.0], [-800.0, -801.0], [3.0]])
def test_logsumexp_softmax_and_log_softmax_against_closed_forms_and_both_modes(z):
    top = max(z)
    expected = top + math.log(math.fsum(math.exp(v - top) for v in z))
    out, g = grads_of(activations.logsumexp, z)
    assert out.data == pytest.approx(expected, rel=1e-15) and g == pytest.approx(softmax(z), rel=1e-14)
    assert [p.data for p in activations.softmax(values(z))] == pytest.approx(softmax(z), rel=1e-14)
    assert [p.data for p in activations.log_softmax(values(z))] == pytest.approx([v - expected for v in z], rel=1e-14,
                                                                                 abs=1e-12)
    assert gradcheck(lambda *v: activations.logsumexp(v), *z) and gradcheck(
        lambda *v: activations.logsumexp(v), *z, mode="forward")
    for k in range(len(z)):
        assert gradcheck(lambda *v, k=k: activations.softmax(v)[k], *z)


def test_logsumexp_compiles_and_replays_the_dynamic_numbers():
    def fn(*zs):
        return activations.logsumexp([2.0 * zs[0], zs[1], zs[0] - zs[1]])

    rows = [[0.1, 0.2], [1e3, -1e3], [-40.0, 3.0]]
    out, dx = compile_graph(fn, rows).value_and_grad(rows)
    for row, o, d in zip(rows, out, dx):
        xs = values(row)
        y = fn(*xs)
        y.backward()
        assert o == pytest.approx(y.data, rel=1e-14) and d.tolist() == pytest.approx([x.grad for x in xs], rel=1e-13)


# ---- the loss objects ----------------------------------------------------------------------------


def test_value_targets_are_used_as_they_are_and_still_checked():
    # d/dt mse = -2 (p - t) / n: the target gets its gradient like any operand
    p, t = Value(3.0), Value(1.0)
    out = losses.mse([p], [t])
    out.backward()
    assert (out.data, p.grad, t.grad) == (4.0, 4.0, -4.0)
    with pytest.raises(ValueError, match=r"not in \[0, 1\]"):
        losses.binary_cross_entropy([Value(0.5)], [Value(2.0)])


def test_names_map_to_the_loss_objects_which_know_their_targets():
    assert losses.get("bce") is losses.get("binary_cross_entropy") is losses.binary_cross_entropy
    assert losses.get(losses.hinge) is losses.hinge and repr(losses.hinge) == "losses.hinge"
    custom = losses.get(lambda out, t: (out - t) ** 2)
    assert isinstance(custom, losses.FunctionLoss) and custom(Value(3.0), 1.0).data == 4.0
    with pytest.raises(ValueError, match="unknown loss 'huber'; choose one of mse, cross_entropy"):
        losses.get("huber")
    with pytest.raises(TypeError, match="got int"):
        losses.get(3)
    thresholds = {name: loss.threshold for name, loss in losses.LOSSES.items()}
    assert thresholds["bce"] == 0.5 and {v for k, v in thresholds.items() if "bce" not in k and "binary" not in k} \
        == {0.0}
    assert losses.cross_entropy.target_rows([2, 0], 3).tolist() == [[0, 0, 1], [1, 0, 0]]
    assert losses.hinge.labels(losses.hinge.targets([-1, 1, 1], 1)).tolist() == [0, 1, 1]
    assert losses.mse.targets([[1.0], [2.0]], 1).shape == (2,)  # a column for one output
    with pytest.raises(ValueError, match=r"cross_entropy: y\[1\] is 1.5, not a class index"):
        losses.cross_entropy.targets([0, 1.5], 3, "y")
    with pytest.raises(ValueError, match=r"row 1 of y is \[1.0, 1.0\], .*summing to 1"):
        losses.cross_entropy.targets([[1.0, 0.0], [1.0, 1.0]], 2, "y")
    with pytest.raises(ValueError, match="hinge needs a model with one output, this one has 2"):
        losses.hinge.targets([[1, -1]], 2)
    with pytest.raises(ValueError, match="rows of numbers of one length"):
        losses.mse.targets([[1.0], [2.0, 3.0]], 1)


def test_a_raw_score_is_refused_by_the_bce_clamp_in_every_lane_of_a_compiled_batch():
    graph = compile_graph(lambda p: losses.binary_cross_entropy.traced(p, 1.0), [[0.5]])
    assert graph.forward([[0.5], [1.0]]).tolist() == pytest.approx([-math.log(0.5), -math.log(1 - 1e-6)])
    with pytest.raises(ValueError, match=r"example 1 of the batch: probability_clamp.*not a probability.*4\.0"):
        graph.forward([[0.5], [4.0]])


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
    (lambda: losses.hinge([Value(1.0)], [Value(0.0)]), ValueError, r"hinge: target\[0\] is 0.0"),
    (lambda: losses.mse(["x"], [1.0]), TypeError, "got str"),
    (lambda: losses.mse([Value(1.0)], [float("nan")]), ValueError, "finite"),
    (lambda: losses.binary_cross_entropy([Value(1.5)], [1]), ValueError,
     r"probability_clamp.*binary_cross_entropy's prediction is not a probability.*with_logits.*got 1\.5"),
    (lambda: losses.binary_cross_entropy([Value(0.5)], [2]), ValueError,
     r"binary_cross_entropy: target\[0\] is 2.0, not in \[0, 1\]"),
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
    (lambda: losses.hinge([Value(0.5)], [0]), ValueError,
     r"hinge: target\[0\] is 0.0, labels must be -1 or \+1 \(map 0/1 labels with 2 \* y - 1\)"),
    (lambda: losses.l2_penalty([Value(1.0)], alpha=-1.0), ValueError, "alpha must be >= 0"),
    (lambda: losses.l2_penalty([]), ValueError, "at least one parameter"),
]


@pytest.mark.parametrize("call, error, words", BAD)
def test_bad_input_is_refused_with_a_clear_error(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_cross_entropys_hessian_is_diag_p_minus_p_pt_in_every_mode():
    """The logsumexp_sub row differentiates twice: d^2 CE / dz^2 = diag(p) - p p^T (p = softmax(z)) in the three
    Hessian modes, and its gradient p - e_k in both modes, also at large equal logits where two nodes would round."""
    from autograd import grad, hessian

    z = (0.3, -1.2, 2.0)
    exps = [math.exp(v - max(z)) for v in z]
    p = [e / sum(exps) for e in exps]

    def f(a, b, c):
        return losses.cross_entropy([a, b, c], 1)

    for mode in ("forward", "reverse"):
        assert grad(f, mode=mode)(*z) == pytest.approx([p[0], p[1] - 1, p[2]], rel=1e-12)
    for mode in ("forward-over-reverse", "reverse-over-reverse", "forward-over-forward"):
        H = hessian(f, mode=mode)(*z)
        for i in range(3):
            for j in range(3):
                assert H[i][j] == pytest.approx((p[i] if i == j else 0.0) - p[i] * p[j], abs=1e-15)
    assert grad(lambda a, b: losses.cross_entropy([a, b], 0), mode="forward")(1e17, 1e17) == (-0.5, 0.5)
