"""nn.regularizers: dropout's masks against the rule it documents (the seeded generator's draws), its scaling,
its gradients, evaluation mode, its refusal to be compiled in training mode; max-norm against numpy."""

import copy
import math
import pickle
import random

import numpy as np
import pytest

from autograd import Value
from autograd.compiled import NotCompilable, compile_graph
from nn import MLP, Dropout, Layer, Module, Neuron, data, losses, optim
from nn.regularizers import MaxNorm, max_norm
from nn.train import dynamic_objective, fit, train_step


def expected_mask(seed, p, n):
    """The documented rule: draw u from random.Random(seed) per value, keep the value where u >= p."""
    rng = random.Random(seed)
    return [rng.random() >= p for _ in range(n)]


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_training_mode_keeps_and_scales_as_documented(p):
    xs = [float(i + 1) for i in range(50)]
    out = Dropout(p, seed=11)(xs)
    keep = expected_mask(11, p, 50)
    assert [v.data for v in out] == [x * (1 / (1 - p)) if k else 0.0 for x, k in zip(xs, keep)]
    assert 0 < sum(keep) < 50  # both kinds occur, so the check above saw each


def test_gradients_flow_through_kept_values_only():
    xs = [Value(0.5 * i, label=f"x{i}") for i in range(20)]
    p = 0.25
    out = Dropout(p, seed=3)(xs)
    sum(v * v for v in out).backward()  # d/dx (s x)^2 = 2 s^2 x with s = 1 / (1 - p) or 0
    for x, k in zip(xs, expected_mask(3, p, 20)):
        s = 1 / (1 - p) if k else 0.0
        assert x.grad == pytest.approx(2 * s * s * x.data, rel=1e-12)


def test_the_expected_value_is_the_input():
    # Inverted dropout: E[out] = (1 - p) * x / (1 - p) = x. Over n = 20000 draws the kept fraction has standard
    # deviation sqrt(p (1 - p) / n) = 0.0032 for p = 0.4; the bound below is 5 of them.
    p, n = 0.4, 20000
    drop = Dropout(p, seed=0)
    out = np.array([v.data for v in drop([2.0] * n)])
    kept = np.mean(out > 0)
    assert abs(kept - (1 - p)) < 5 * math.sqrt(p * (1 - p) / n)
    assert abs(out.mean() - 2.0) < 2.0 / (1 - p) * 5 * math.sqrt(p * (1 - p) / n)
    assert set(np.unique(out).tolist()) == {0.0, 2.0 / (1 - p)}


def test_seeding_and_fresh_masks():
    a, b, c = Dropout(0.5, seed=7), Dropout(0.5, seed=7), Dropout(0.5, seed=8)
    xs = [1.0] * 40
    first = [v.data for v in a(xs)]
    assert first == [v.data for v in b(xs)]  # the same seed, the same mask
    assert first != [v.data for v in c(xs)]  # another seed, another mask
    second = [v.data for v in a(xs)]
    assert second != first  # a new mask at every call
    assert second == [v.data for v in b(xs)]  # and the same sequence of masks for the same seed


def test_evaluation_mode_is_the_identity():
    drop = Dropout(0.9, seed=0).eval()
    xs = [Value(float(i)) for i in range(10)]
    out = drop(xs)
    assert out == xs and all(o is x for o, x in zip(out, xs))  # the same Values: nothing added to the graph
    assert drop(3.5).data == 3.5
    assert drop.train().training and not drop.train(False).training
    assert [v.data for v in Dropout(0.0, seed=0)([1.0, 2.0])] == [1.0, 2.0]  # p = 0 drops nothing


def test_one_value_in_one_value_out():
    out = Dropout(0.5, seed=0)(Value(3.0))
    assert isinstance(out, Value)
    assert out.data == (6.0 if expected_mask(0, 0.5, 1)[0] else 0.0)


@pytest.mark.parametrize("how", [pickle, copy])
def test_a_copy_draws_the_same_masks_next(how):
    drop = Dropout(0.5, seed=5)
    drop([1.0] * 10)
    twin = how.loads(how.dumps(drop)) if how is pickle else how.deepcopy(drop)
    assert [v.data for v in twin([1.0] * 30)] == [v.data for v in drop([1.0] * 30)]


class DropoutNet(Module):
    """2 -> 8 tanh -> dropout -> 1: a model with dropout between its layers."""

    def __init__(self, p, seed=0):
        self.hidden = Layer(2, 8, activation="tanh", seed=seed, name="L1")
        self.drop = Dropout(p, seed=seed)
        self.out = Layer(8, 1, activation=None, seed=seed + 1, name="L2")

    def __call__(self, x):
        return self.out(self.drop(self.hidden(x)))

    def named_parameters(self):
        return [(f"L1.{k}", p) for k, p in self.hidden.named_parameters()] + \
            [(f"L2.{k}", p) for k, p in self.out.named_parameters()]


def test_compiling_dropout_in_training_mode_is_refused_clearly():
    drop = Dropout(0.5, seed=0)
    with pytest.raises(NotCompilable, match=r"Dropout in training mode .* call \.eval\(\) on the Dropout first"):
        compile_graph(lambda *xs: sum(drop(list(xs))), [[1.0, 2.0, 3.0]])
    X, y = data.logic_gate("xor")
    with pytest.raises(NotCompilable, match="compiled=False"):
        fit(DropoutNet(0.5), X, y, epochs=1, compiled=True, progress=False)


def test_evaluation_mode_compiles_to_the_identity():
    drop = Dropout(0.5, seed=0).eval()
    graph = compile_graph(lambda *xs: drop(list(xs)), [[1.0, 2.0, 3.0]])
    rows = np.array([[1.0, -2.0, 3.0], [0.5, 0.25, -4.0]])
    np.testing.assert_array_equal(graph.forward(rows), rows)
    # a model with dropout in evaluation mode trains on the compiled path exactly as on the dynamic one
    X, y = data.logic_gate("xor")
    histories = []
    for compiled in (False, True):
        net = DropoutNet(0.5)
        net.drop.eval()
        histories.append(fit(net, X, y, epochs=5, compiled=compiled, progress=False)["loss"])
    np.testing.assert_allclose(histories[0], histories[1], rtol=1e-12)


def test_training_with_dropout_on_the_dynamic_path():
    # fit's step draws a new mask for every row: its loss is the mean over the rows of the loss with the mask the
    # generator gives for that row, recomputed here from a twin seeded alike; then the dropout net trains
    X, y = data.logic_gate("xor")
    net, twin = DropoutNet(0.5, seed=2), DropoutNet(0.5, seed=2)
    loss = train_step(dynamic_objective(net, losses.mse), X.tolist(), y.tolist(), optim.SGD(net.parameters(), lr=0.1),
                      net.parameters())
    expected = np.mean([(twin(list(x)).data - t) ** 2 for x, t in zip(X.tolist(), y.tolist())])
    assert loss == pytest.approx(expected, rel=1e-12)
    history = fit(net, X, y, loss="mse", optimizer=optim.Adam(net.parameters(), lr=0.05), epochs=100,
                  progress=False)
    assert history["loss"][-1] < history["loss"][0]


@pytest.mark.parametrize("bad, error, words", [
    (1.0, ValueError, r"Dropout p must be in \[0, 1\), got 1.0"),
    (-0.1, ValueError, "Dropout p must be in"),
    (float("nan"), ValueError, "Dropout p must be in"),
    ("0.5", TypeError, "Dropout p must be a number, got str"),
    (True, TypeError, "Dropout p must be a number, got bool"),
])
def test_bad_dropout_probabilities_are_refused(bad, error, words):
    with pytest.raises(error, match=words):
        Dropout(bad)


def numpy_max_norm(W, c):
    """Rows of W are neurons' incoming weights: each scaled to length c where it is longer."""
    norms = np.linalg.norm(W, axis=1, keepdims=True)
    return np.where(norms > c, W * c / norms, W)


def test_max_norm_matches_numpy():
    model = MLP(3, [5, 4, 2], activation="tanh", seed=0, init=3.0)
    before = [np.array([[w.data for w in n.w] for n in layer.neurons]) for layer in model.layers]
    biases = [n.b.data for layer in model.layers for n in layer.neurons]
    c = 2.5
    expected = [numpy_max_norm(W, c) for W in before]
    longer = sum(int(np.sum(np.linalg.norm(W, axis=1) > c)) for W in before)
    assert 0 < longer < 11  # some neurons are rescaled, some are not
    assert max_norm(model, c) == longer
    for layer, W in zip(model.layers, expected):
        np.testing.assert_allclose([[w.data for w in n.w] for n in layer.neurons], W, rtol=1e-15)
    assert [n.b.data for layer in model.layers for n in layer.neurons] == biases  # biases are not constrained
    assert max_norm(model, c) == 0  # already within: nothing changes


def test_max_norm_takes_neurons_layers_and_lists():
    neuron = Neuron(2, seed=0)
    neuron.load_state_dict({"w1": 6.0, "w2": 8.0, "b": 1.0})
    layer = Layer(2, 3, seed=1, init=5.0)
    n_long = sum(math.hypot(*(w.data for w in n.w)) > 1.0 for n in layer.neurons)
    assert max_norm([neuron, layer], 1.0) == 1 + n_long
    assert [w.data for w in neuron.w] == pytest.approx([0.6, 0.8], rel=1e-15)


@pytest.mark.parametrize("compiled", [False, True])
def test_maxnorm_in_fit_is_sgd_then_numpy_max_norm(compiled):
    X, y = data.moons(40, noise=0.1, seed=0)
    c = 0.8
    model = MLP(2, [6, 1], activation="tanh", seed=0, init=2.0)
    twin = MLP(2, [6, 1], activation="tanh", seed=0, init=2.0)
    fit(model, X, y, loss="mse", optimizer=MaxNorm(optim.SGD(model.parameters(), lr=0.2), model, c), epochs=5,
        shuffle=False, compiled=compiled, progress=False)
    # the same five steps by hand: an SGD step from the engine's gradients, then numpy's rescaling
    sgd = optim.SGD(twin.parameters(), lr=0.2)
    for _ in range(5):
        sgd.zero_grad()
        (sum((twin(list(x)) - t) ** 2 for x, t in zip(X.tolist(), y.tolist())) * (1 / len(X))).backward()
        sgd.step()
        for layer in twin.layers:
            W = numpy_max_norm(np.array([[w.data for w in n.w] for n in layer.neurons]), c)
            for n, row in zip(layer.neurons, W):
                for w, v in zip(n.w, row):
                    w.data = float(v)
    np.testing.assert_allclose([p.data for p in model.parameters()], [p.data for p in twin.parameters()],
                               rtol=1e-10, atol=1e-12)
    assert all(math.sqrt(sum(w.data ** 2 for w in n.w)) <= c * (1 + 1e-12)
               for layer in model.layers for n in layer.neurons)


def test_maxnorm_passes_the_learning_rate_through():
    model = MLP(2, [1], seed=0)
    opt = MaxNorm(optim.Adam(model.parameters(), lr=0.1), model, 3.0)
    X, y = data.logic_gate("and")
    fit(model, X, y, optimizer=opt, epochs=3, lr_schedule=lambda k: 0.1 / (k + 1), progress=False)
    assert opt.lr == opt.optimizer.lr == pytest.approx(0.1 / 3)
    with pytest.raises(ValueError, match="lr must be in"):
        opt.lr = 0.0


@pytest.mark.parametrize("call, error, words", [
    (lambda: max_norm(MLP(2, [1], seed=0), 0.0), ValueError, "max_norm c must be a finite number > 0, got 0.0"),
    (lambda: max_norm(MLP(2, [1], seed=0), float("nan")), ValueError, "max_norm c must be a finite number"),
    (lambda: max_norm(MLP(2, [1], seed=0), float("inf")), ValueError, "max_norm c must be a finite number"),
    (lambda: max_norm(MLP(2, [1], seed=0), "1"), TypeError, "max_norm c must be a number, got str"),
    (lambda: max_norm(Value(1.0), 1.0), TypeError, "max_norm takes a Neuron, a Layer, an MLP or a list of them"),
    (lambda: MaxNorm(object(), MLP(2, [1], seed=0), 1.0), TypeError, "MaxNorm needs an optimiser"),
    (lambda: MaxNorm(optim.SGD([Value(1.0)], lr=0.1), "model", 1.0), TypeError, "max_norm takes a Neuron"),
    (lambda: MaxNorm(optim.SGD([Value(1.0)], lr=0.1), MLP(2, [1], seed=0), -1.0), ValueError, "finite number > 0"),
])
def test_bad_max_norm_arguments_are_refused(call, error, words):
    with pytest.raises(error, match=words):
        call()
