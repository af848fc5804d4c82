"""nn modules: micrograd's shapes and order, hand-computed forwards, central-difference gradients, seeded
initialisation, the summary table, validated JSON files, the perceptron's gates, every activation."""

import json
import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Dual, Value, compare_modes, gradcheck, summation, topological_order
from nn import MLP, Layer, Module, Neuron, Perceptron, activations, losses
from nn.layers import init_bound

# ---- helpers ------------------------------------------------------------------------------------


def assert_grads_match_central_differences(loss_fn, params, h=1e-6, tol=1e-6):
    """Backprop's ``p.grad`` against ``(L(p + h) - L(p - h)) / 2h`` for every parameter."""
    for p in params:
        p.grad = 0.0
    loss_fn().backward()
    for p in params:
        old = p.data
        p.data = old + h
        up = loss_fn().data
        p.data = old - h
        down = loss_fn().data
        p.data = old
        numeric = (up - down) / (2 * h)
        assert abs(p.grad - numeric) <= tol * (1 + abs(numeric)), (p.label, p.grad, numeric)


def tiny_mlp():
    """MLP(2, [2, 1]) with tanh hidden units and known weights."""
    model = MLP(2, [2, 1], activation="tanh", seed=0)
    model.load_state_dict({"L1.N1.w1": 0.5, "L1.N1.w2": -1.0, "L1.N1.b": 0.1,
                           "L1.N2.w1": 2.0, "L1.N2.w2": 0.25, "L1.N2.b": -0.3,
                           "L2.N1.w1": 1.5, "L2.N1.w2": -0.75, "L2.N1.b": 0.2})
    return model


# ---- shapes, order, labels -----------------------------------------------------------------------


def test_parameter_names_follow_micrograds_order():
    # micrograd: per layer, per neuron, its weights then its bias.
    names = [name for name, _ in MLP(2, [3, 1], seed=0).named_parameters()]
    expected = [f"L1.N{j}.{k}" for j in (1, 2, 3) for k in ("w1", "w2", "b")]
    expected += [f"L2.N1.{k}" for k in ("w1", "w2", "w3", "b")]
    assert names == expected
    assert [p.label for p in MLP(2, [3, 1], seed=0).parameters()] == expected


def test_mlp_agrees_with_micrograd_value_and_gradients():
    from micrograd import nn as micro_nn  # the oracle: same shapes, so the same order and numbers

    ours, theirs = MLP(2, [16, 16, 1], seed=3), micro_nn.MLP(2, [16, 16, 1])
    assert len(ours.parameters()) == len(theirs.parameters()) == 337  # 2*16+16 + 16*16+16 + 16+1
    for p, q in zip(ours.parameters(), theirs.parameters()):
        q.data = p.data
    x = [0.7, -1.3]
    out, ref = ours(x), theirs(x)
    out.backward()
    ref.backward()
    assert out.data == pytest.approx(ref.data, rel=1e-12, abs=1e-12)
    assert [p.grad for p in ours.parameters()] == pytest.approx([q.grad for q in theirs.parameters()], abs=1e-12)


def test_neuron_is_one_dot_node_and_matches_hand_computation():
    n = Neuron(3, activation="tanh", name="L1.N2")
    n.load_state_dict({"w1": 0.2, "w2": -0.5, "w3": 1.0, "b": 0.1})
    out = n([1.0, 2.0, -0.5])
    assert out.data == pytest.approx(math.tanh(0.2 - 1.0 - 0.5 + 0.1), abs=1e-15)
    assert out.op == "tanh" and out.label == "L1.N2"
    assert out.parents[0].op == "add" and out.parents[0].parents[0].op == "dot"
    # 3 weights, 3 inputs, the bias, then dot, add, tanh: a neuron adds three nodes, not 2n
    assert len(topological_order(out)) == 3 + 3 + 1 + 3
    assert [p.label for p in n.parameters()] == ["L1.N2.w1", "L1.N2.w2", "L1.N2.w3", "L1.N2.b"]


def test_mlp_forward_matches_hand_computation():
    x1, x2 = 0.3, -0.8
    h1 = math.tanh(0.5 * x1 - 1.0 * x2 + 0.1)
    h2 = math.tanh(2.0 * x1 + 0.25 * x2 - 0.3)
    expected = 1.5 * h1 - 0.75 * h2 + 0.2  # linear output layer
    out = tiny_mlp()([x1, x2])
    assert isinstance(out, Value) and out.data == pytest.approx(expected, abs=1e-14)
    assert out.label == "L2.N1"


def test_outputs_are_a_value_for_one_unit_and_a_list_for_several():
    assert isinstance(MLP(2, [3, 1], seed=0)([1.0, 2.0]), Value)
    out = MLP(2, [3, 4], seed=0)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 4 and all(isinstance(v, Value) for v in out)
    assert isinstance(Layer(2, 1, seed=0)([1.0, 2.0]), Value)
    assert len(Layer(2, 5, seed=0)(np.array([1.0, 2.0]))) == 5
    assert isinstance(MLP(1, [2, 1], seed=0)(0.5), Value)  # a bare number for one input


def test_mlp_gradients_match_central_differences_for_parameters_and_inputs():
    model = MLP(3, [4, 3, 2], activation="tanh", output_activation="sigmoid", seed=5)
    xs = [Value(0.4), Value(-1.1), Value(0.9)]

    def loss():
        a, b = model(xs)
        return (a - 0.25) ** 2 + (b - 0.75) ** 2

    assert_grads_match_central_differences(loss, model.parameters() + xs)


@settings(max_examples=25, deadline=None)
@given(nin=st.integers(1, 3), nouts=st.lists(st.integers(1, 4), min_size=1, max_size=3),
       activation=st.sampled_from(["tanh", "sigmoid", "softplus", "arctan"]), seed=st.integers(0, 2 ** 16),
       x=st.lists(st.floats(-2, 2), min_size=3, max_size=3))
def test_random_mlps_backprop_matches_central_differences(nin, nouts, activation, seed, x):
    model = MLP(nin, nouts, activation=activation, output_activation=activation, seed=seed)
    targets = [0.3] * nouts[-1]
    assert_grads_match_central_differences(lambda: losses.mse(model(x[:nin]), targets), model.parameters(),
                                           tol=1e-5)


def test_prelu_neurons_learn_their_slope():
    n = Neuron(2, activation="prelu", seed=1, name="N1")
    assert n.alpha is not None and n.alpha.data == 0.25 and n.num_parameters() == 4
    assert [name for name, _ in n.named_parameters()] == ["w1", "w2", "b", "alpha"]
    n.load_state_dict({"w1": 1.0, "w2": 2.0, "b": 0.5, "alpha": 0.25})
    out = n([-1.0, -1.5])  # z = -1 - 3 + 0.5 = -3.5 < 0
    assert out.data == pytest.approx(0.25 * -3.5)
    assert_grads_match_central_differences(lambda: n([-1.0, -1.5]) * 2.0, n.parameters())
    n.zero_grad()
    out = n([-1.0, -1.5])  # rebuilt: the check moved the parameters and back, so the old graph is stale
    out.backward()
    assert n.alpha.grad == pytest.approx(-3.5)  # d(alpha z)/d alpha = z


@pytest.mark.parametrize("name", sorted(activations.ACTIVATIONS))
def test_named_activations_in_neurons_equal_the_functions_themselves(name):
    # a name makes the rule's node directly; a function is called as given: both must agree
    by_name = Neuron(3, activation=name, seed=4, init=0.5)
    function = (lambda z: activations.prelu(z, 0.25)) if name == "prelu" else activations.get(name)
    by_function = Neuron(3, activation=function, seed=4, init=0.5)
    for x in ([0.5, -1.0, 2.0], [-0.5, -1.0, -2.0]):
        out, ref = by_name(x), by_function(x)
        out.backward()
        ref.backward()
        assert out.data == ref.data and out.label == ref.label == "N1"
        assert [p.grad for p in by_name.parameters()][:4] == [p.grad for p in by_function.parameters()]


@pytest.mark.parametrize("activation", ["relu", "prelu"])
def test_zero_grad_clears_every_parameter(activation):
    model = MLP(2, [3, 1], activation=activation, seed=0)
    model([1.0, -1.0]).backward()
    assert sum(1 for p in model.parameters() if p.grad) >= 4 and len(model.parameters()) == model.num_parameters()
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())
    assert [id(p) for p in model.parameters()] == [id(p) for _, p in model.named_parameters()]


def test_zero_grad_reaches_a_parameter_put_in_after_construction():
    # zero_grad walks the model's own lists each time (nothing cached): a new bias Value is zeroed too
    model = MLP(2, [2, 1], activation="tanh", seed=0)
    model.layers[0].neurons[1].b = fresh = Value(0.5)
    model([1.0, 2.0]).backward()
    assert fresh.grad != 0.0
    model.zero_grad()
    assert fresh.grad == 0.0 and fresh in model.parameters()


def test_zero_grad_of_a_module_that_lists_its_parameters_its_own_way():
    class Pair(Module):  # overrides parameters() only, as micrograd's modules do
        def __init__(self):
            self.a, self.b = Value(2.0), Value(3.0)

        def parameters(self):
            return [self.a, self.b]

    pair = Pair()
    (pair.a * pair.b).backward()
    assert (pair.a.grad, pair.b.grad) == (3.0, 2.0)
    pair.zero_grad()
    assert (pair.a.grad, pair.b.grad) == (0.0, 0.0)


def test_a_layer_reads_its_inputs_once_for_all_neurons_with_the_same_result():
    layer = Layer(3, 4, activation="tanh", seed=2)
    x = [Value(0.5), Value(-1.0), Value(2.0)]
    together = layer.forward(x)  # the inputs' numbers read once, shared by the four neurons
    alone = [n.forward(x) for n in layer.neurons]
    assert [v.data for v in together] == [v.data for v in alone]
    assert [v.data for v in together] == [math.tanh(sum(w.data * xi.data for w, xi in zip(n.w, x)) + n.b.data)
                                          for n in layer.neurons]
    summation(together).backward()
    grads = [xi.grad for xi in x]
    for xi in x:
        xi.grad = 0.0
    summation(alone).backward()
    assert grads == [xi.grad for xi in x] and all(grads)


def test_wrong_input_sizes_name_expected_and_received():
    with pytest.raises(ValueError, match="MLP expects 2 inputs, received 3"):
        MLP(2, [3, 1], seed=0)([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="layer L1 expects 4 inputs, received 2"):
        Layer(4, 2, seed=0)([1.0, 2.0])
    with pytest.raises(ValueError, match="expects 3 inputs, received 1"):
        Neuron(3, seed=0)([1.0])
    with pytest.raises(TypeError, match="str"):
        MLP(2, [1], seed=0)(["a", "b"])


@pytest.mark.parametrize("make, error, words", [
    (lambda: MLP(0, [1]), ValueError, "nin must be at least 1, got 0"),
    (lambda: MLP(2.5, [1]), TypeError, "nin must be an int, got float"),
    (lambda: MLP(2, []), TypeError, "nouts"),
    (lambda: MLP(2, 3), TypeError, "nouts"),
    (lambda: MLP(2, [3, 0]), ValueError, r"nouts\[1\] must be at least 1"),
    (lambda: MLP(2, [1], activation="swish"), ValueError, "unknown activation 'swish'; known: abs, arctan"),
    (lambda: Neuron(2, activation=3), TypeError, "activation name must be a str"),
    (lambda: Layer(2, 2, seed="x"), TypeError, "seed must be an int"),
    (lambda: MLP(2, [1], init="he"), ValueError, "init must be"),
    (lambda: MLP(2, [1], init=-1.0), ValueError, "init must be"),
])
def test_bad_constructor_arguments_are_refused(make, error, words):
    with pytest.raises(error, match=words):
        make()


# ---- initialisation ------------------------------------------------------------------------------


def test_initialisation_is_reproducible_from_a_seed():
    assert MLP(3, [5, 2], seed=11).state_dict() == MLP(3, [5, 2], seed=11).state_dict()
    assert MLP(3, [5, 2], seed=random.Random(11)).state_dict() == MLP(3, [5, 2], seed=11).state_dict()
    assert MLP(3, [5, 2], seed=11).state_dict() != MLP(3, [5, 2], seed=12).state_dict()


@pytest.mark.parametrize("activation, init, bound", [
    ("relu", "auto", math.sqrt(6 / 40)),          # He/Kaiming-uniform for the ReLU family
    ("elu", "auto", math.sqrt(6 / 40)),
    ("tanh", "auto", math.sqrt(6 / (40 + 30))),   # Xavier/Glorot-uniform otherwise
    ("sigmoid", "auto", math.sqrt(6 / (40 + 30))),
    ("tanh", "kaiming", math.sqrt(6 / 40)),
    ("relu", "xavier", math.sqrt(6 / (40 + 30))),
    ("relu", "uniform", 1.0),                     # micrograd's U(-1, 1)
    ("relu", 0.05, 0.05),
])
def test_weights_fill_the_documented_uniform_range(activation, init, bound):
    layer = Layer(40, 30, activation=activation, init=init, seed=2)
    weights = [w.data for n in layer.neurons for w in n.w]
    assert init_bound(init, activation, 40, 30) == pytest.approx(bound)
    assert max(abs(w) for w in weights) <= bound
    assert max(weights) > 0.95 * bound and min(weights) < -0.95 * bound  # 1200 draws reach both ends
    assert all(n.b.data == 0.0 for n in layer.neurons)


# ---- summary ------------------------------------------------------------------------------------


def test_summary_counts_the_lectures_six_and_four_parameters():
    text = MLP(1, [3, 1], activation="tanh", seed=0).summary()
    rows = [line.split() for line in text.splitlines()]
    assert ["L1", "(Layer,", "tanh)", "(3,)", "6"] in rows
    assert ["L2", "(Layer,", "identity)", "(1,)", "4"] in rows
    assert "Total params: 10" in text and MLP(2, [16, 16, 1], seed=0).num_parameters() == 337
    assert "Total params: 337" in MLP(2, [16, 16, 1], seed=0).summary()


# ---- state dicts and files ------------------------------------------------------------------------


def test_save_and_load_round_trip_gives_identical_predictions(tmp_path):
    source, target = MLP(2, [4, 3, 1], seed=1), MLP(2, [4, 3, 1], seed=2)
    path = tmp_path / "model.json"
    source.save(path)
    assert json.loads(path.read_text())["parameters"] == source.state_dict()
    assert target.load(path) is target
    assert target.state_dict() == source.state_dict()
    for x in ([0.1, 0.2], [-3.0, 7.5], [0.0, 0.0]):
        assert target(x).data == source(x).data


def _saved(tmp_path, model):
    path = tmp_path / "model.json"
    model.save(path)
    return path, json.loads(path.read_text())


def _corrupt(case, tmp_path):
    """Write a broken model file for ``case`` and return its path."""
    path, document = _saved(tmp_path, MLP(2, [3, 1], seed=1))
    text = path.read_text()
    params = document["parameters"]
    if case == "truncated":
        path.write_text(text[: len(text) // 2])
        return path
    if case == "wrong shape":
        MLP(2, [4, 1], seed=1).save(path)
        return path
    if case == "missing key":
        del params["L1.N2.b"]
    elif case == "extra key":
        params["L1.N4.b"] = 0.0
    elif case == "string":
        params["L1.N1.w1"] = "0.5"
    elif case == "null":
        params["L2.N1.b"] = None
    elif case == "bool":
        params["L2.N1.b"] = True
    elif case == "huge":
        params["L2.N1.w3"] = 10 ** 400
    elif case == "list":
        params["L2.N1.b"] = [0.5]
    elif case == "not an object":
        document = [1, 2, 3]
    elif case == "no parameters":
        del document["parameters"]
    elif case == "other class":
        document["class"] = "Perceptron"
    elif case == "other format":
        document["format"] = "keras"
    path.write_text(json.dumps(document))
    if case == "binary":
        path.write_bytes(b"\x80\xff" + text.encode())
    if case == "NaN":
        path.write_text(text.replace(str(params["L1.N1.w1"]), "NaN", 1))
    return path


CORRUPTIONS = {
    "truncated": (ValueError, "not valid JSON"),
    "wrong shape": (ValueError, "17 parameters, the model 13; unexpected: L1.N4.w1, L1.N4.w2, L1.N4.b, L2.N1.w4"),
    "missing key": (ValueError, "missing: L1.N2.b"),
    "extra key": (ValueError, "unexpected: L1.N4.b"),
    "string": (TypeError, "'L1.N1.w1' must be a number, got str"),
    "null": (TypeError, "'L2.N1.b' must be a number, got NoneType"),
    "bool": (TypeError, "got bool"),
    "list": (TypeError, "got list"),
    "NaN": (ValueError, "NaN"),
    "huge": (ValueError, "'L2.N1.w3' must be finite, got 1000000"),
    "binary": (ValueError, "not a JSON text file"),
    "not an object": (ValueError, "expected a JSON object"),
    "no parameters": (ValueError, "missing key 'parameters'"),
    "other class": (ValueError, "holds a 'Perceptron', this model is a 'MLP'"),
    "other format": (ValueError, "unknown format 'keras'"),
}


@pytest.mark.parametrize("case", sorted(CORRUPTIONS))
def test_corrupt_files_are_refused_and_the_model_is_unchanged(case, tmp_path):
    path = _corrupt(case, tmp_path)
    model = MLP(2, [3, 1], seed=99)
    before = model.state_dict()
    error, words = CORRUPTIONS[case]
    with pytest.raises(error, match=words) as info:
        model.load(path)
    assert str(info.value).startswith(str(path))
    assert model.state_dict() == before


def test_load_state_dict_checks_everything_before_assigning():
    model = MLP(2, [1], seed=0)
    before = model.state_dict()
    bad = dict(before, **{"L1.N1.w1": 5.0, "L1.N1.b": float("inf")})  # a good value before a bad one
    with pytest.raises(ValueError, match="'L1.N1.b' must be finite"):
        model.load_state_dict(bad)
    assert model.state_dict() == before
    with pytest.raises(TypeError, match="dict"):
        model.load_state_dict([1.0, 2.0, 3.0])


def test_a_base_module_has_no_parameters():
    assert Module().parameters() == [] and Module().num_parameters() == 0


# ---- the perceptron ------------------------------------------------------------------------------

GATES = {"and": [0, 0, 0, 1], "or": [0, 1, 1, 1], "nand": [1, 1, 1, 0], "nor": [1, 0, 0, 0], "xor": [0, 1, 1, 0]}
INPUTS = [[0, 0], [0, 1], [1, 0], [1, 1]]


@pytest.mark.parametrize("gate", ["and", "or", "nand", "nor"])
@pytest.mark.parametrize("seed", range(4))
def test_perceptron_learns_the_linearly_separable_gates(gate, seed):
    p = Perceptron(2, lr=0.1, seed=seed)
    mistakes = p.fit(INPUTS, GATES[gate], epochs=100)
    assert mistakes[-1] == 0  # converged: an epoch without a mistake
    assert p.predict(INPUTS).tolist() == GATES[gate]
    assert [p([float(a), float(b)]).data for a, b in INPUTS] == GATES[gate]  # the graph agrees


@pytest.mark.parametrize("seed", range(5))
def test_perceptron_never_learns_xor(seed):
    p = Perceptron(2, lr=0.1, seed=seed)
    mistakes = p.fit(INPUTS, GATES["xor"], epochs=200)
    assert len(mistakes) == 200 and min(mistakes) > 0
    assert (p.predict(INPUTS) == GATES["xor"]).mean() < 1.0


def test_perceptron_delta_rule_step_by_hand():
    p = Perceptron(2, lr=0.5, seed=0)
    p.load_state_dict({"w1": 0.2, "w2": -0.4, "b": -0.1})
    # x = (1, 1): z = 0.2 - 0.4 - 0.1 < 0, so y_hat = 0; y = 1: w <- w + 0.5 * (1 - 0) * (1, 1, 1)
    assert p.fit([[1.0, 1.0]], [1], epochs=1) == [1]
    assert p.state_dict() == pytest.approx({"w1": 0.7, "w2": 0.1, "b": 0.4})
    assert p.predict([1.0, 1.0]) == 1 and p.num_parameters() == 3


def test_perceptron_refuses_bad_input():
    p = Perceptron(2, seed=0)
    with pytest.raises(ValueError, match=r"shape \(m, 2\).*\(4, 3\)"):
        p.fit(np.zeros((4, 3)), [0, 1, 0, 1])
    with pytest.raises(ValueError, match="labels must be 0 or 1"):
        p.fit(INPUTS, [0, 1, 2, 1])
    with pytest.raises(ValueError, match="4 examples but y has 3 labels"):
        p.fit(INPUTS, [0, 1, 1])
    with pytest.raises(ValueError, match="lr must be a positive"):
        Perceptron(2, lr=0.0)


# ---- activations -------------------------------------------------------------------------------

CLOSED_FORMS = {
    "identity": (lambda x: x, lambda x: 1.0),
    "step": (lambda x: 1.0 if x >= 0 else 0.0, lambda x: 0.0),
    "sigmoid": (lambda x: 1 / (1 + math.exp(-x)), lambda x: math.exp(-x) / (1 + math.exp(-x)) ** 2),
    "tanh": (math.tanh, lambda x: 1 / math.cosh(x) ** 2),
    "arctan": (math.atan, lambda x: 1 / (1 + x * x)),
    "relu": (lambda x: max(0.0, x), lambda x: float(x > 0)),
    "leaky_relu": (lambda x: x if x > 0 else 0.01 * x, lambda x: 1.0 if x > 0 else 0.01),
    "prelu": (lambda x: x if x > 0 else 0.25 * x, lambda x: 1.0 if x > 0 else 0.25),
    "elu": (lambda x: x if x > 0 else math.exp(x) - 1, lambda x: 1.0 if x > 0 else math.exp(x)),
    "softplus": (lambda x: math.log(1 + math.exp(x)), lambda x: 1 / (1 + math.exp(-x))),
    "hardtanh": (lambda x: min(1.0, max(-1.0, x)), lambda x: float(-1 < x < 1)),
    "abs": (abs, lambda x: math.copysign(1.0, x)),
}
POINTS = (-2.3, -0.6, 0.4, 1.7)


@pytest.mark.parametrize("name", sorted(CLOSED_FORMS))
def test_every_activation_matches_its_closed_form_and_derivative(name):
    f, df = CLOSED_FORMS[name]
    act = activations.get(name)
    for x in POINTS:
        assert act(x) == pytest.approx(f(x), rel=1e-12, abs=1e-15)
        xv = Value(x)
        out = act(xv)
        out.backward()
        assert out.data == pytest.approx(f(x), rel=1e-12, abs=1e-15)
        assert xv.grad == pytest.approx(df(x), rel=1e-9, abs=1e-12)
        assert act(Dual(x, 1.0)).tangent == pytest.approx(df(x), rel=1e-9, abs=1e-12)  # forward mode too
        if name != "step":  # the step's true derivative is a spike that differences would see
            assert gradcheck(act, x)


def test_activation_lookup():
    assert activations.get(None) is activations.identity and activations.get("linear") is activations.identity
    with pytest.raises(ValueError, match="unknown activation 'gelu'; known: abs, arctan, elu"):
        activations.get("gelu")


def test_prelu_gradient_reaches_alpha_in_both_modes():
    assert compare_modes(lambda x, a: activations.prelu(x, a) * 3.0, -1.5, 0.2)["reverse"] == pytest.approx((0.6, -4.5))
    assert compare_modes(lambda x, a: activations.prelu(x, a), 2.0, 0.2)["forward"] == (1.0, 0.0)
    assert gradcheck(lambda x, a: activations.prelu(x * a, a), -0.7, 0.3)
    module = activations.PReLU(0.1)
    outs = module([Value(-2.0), Value(3.0)])
    (outs[0] + outs[1]).backward()
    assert module.alpha.grad == -2.0 and module.parameters() == [module.alpha]


def test_softmax_and_log_softmax_are_stable_at_1e3():
    z = [1000.0, 1001.0, 998.0]
    e = [math.exp(v - 1001.0) for v in z]  # the closed form, shifted by hand
    assert [p for p in activations.softmax(z)] == pytest.approx([v / sum(e) for v in e], rel=1e-14)
    expected_log = [v - 1001.0 - math.log(sum(e)) for v in z]
    zs = [Value(v) for v in z]
    logs = activations.log_softmax(zs)
    assert [v.data for v in logs] == pytest.approx(expected_log, rel=1e-14)
    assert all(math.isfinite(v.data) for v in activations.softmax([Value(-1e3), Value(1e3)]))
    # d log_softmax_0 / d z_j = [j == 0] - softmax_j
    logs[0].backward()
    probs = [v / sum(e) for v in e]
    assert [v.grad for v in zs] == pytest.approx([1 - probs[0], -probs[1], -probs[2]], abs=1e-14)


def test_softmax_gradient_matches_central_differences():
    weights = (0.3, -1.2, 2.0)

    def f(a, b, c):
        return sum(w * p for w, p in zip(weights, activations.softmax([a, b * 2.0, c])))

    assert gradcheck(f, 0.1, -0.4, 0.9) and gradcheck(f, 0.1, -0.4, 0.9, mode="forward")
    with pytest.raises(ValueError, match="at least one logit"):
        activations.softmax([])
