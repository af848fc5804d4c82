"""Issue 10, copies: pickle and deepcopy of Values (a 1,000,000-node chain, without recursion), of every nn module
and of every optimiser. A copy computes what the original computes, keeps its rules by identity and its constants
as constants, and shares nothing with the original."""

import copy
import gc
import math
import pickle

import pytest

import nn
from autograd import Dual, Value, topological_order
from autograd.rule import CONSTANT, RULES
from nn import MLP, Dropout, Layer, Neuron, Perceptron, optim, saving
from nn.activations import PReLU
from nn.regularizers import MaxNorm

COPIERS = {
    "pickle": lambda obj: pickle.loads(pickle.dumps(obj)),
    "deepcopy": copy.deepcopy,
}


def _graph():
    """Every shape at once: fan-out (x * x), a diamond, constants, an n-ary node, a parametrised rule."""
    x, y = Value(0.7, label="x"), Value(-1.3, label="y")
    h = x * x + 2.0 * y
    d = h.tanh() * h.sigmoid()
    from autograd import summation
    return summation([d, x.leaky_relu(0.2), (y ** 3) / 4.0, (x * y).exp()]), (x, y)


def _shape(root):
    """The graph as data: for each node, its class, number, rule, label and parents by position."""
    order = topological_order(root)
    where = {node: i for i, node in enumerate(order)}
    return [(type(n), n.data, n.rule, n.label, tuple(where[p] for p in n.parents)) for n in order]


@pytest.mark.parametrize("how", list(COPIERS))
def test_a_copied_graph_has_the_same_nodes_rules_by_identity_and_constants_as_constants(how):
    root, _ = _graph()
    root.backward()
    twin = COPIERS[how](root)
    assert _shape(twin) == _shape(root)  # rules compared by ==, and:
    for a, b in zip(topological_order(root), topological_order(twin)):
        assert b is not a
        assert b.rule is a.rule  # the very row of RULES (a lambda in a rule is never pickled)
        assert b.grad == a.grad and b.partials == a.partials
        if a.rule is CONSTANT:
            assert type(b) is type(a) and b.rule is CONSTANT and b.parents == ()
    assert any(n.rule is RULES["sum"] for n in topological_order(twin))


@pytest.mark.parametrize("how", list(COPIERS))
def test_a_copied_graph_backpropagates_the_same_gradients_and_the_original_is_untouched(how):
    root, (x, y) = _graph()
    twin = COPIERS[how](root)
    tx, ty = (n for n in topological_order(twin) if n.label in ("x", "y"))
    twin.backward()
    root.backward()
    assert (tx.grad, ty.grad) == (x.grad, y.grad)
    once = (x.grad, y.grad)
    twin.backward()
    assert (x.grad, y.grad) == once  # the copy's leaves accumulate, the original's do not
    root.backward()
    assert (tx.grad, ty.grad) == (x.grad, y.grad)
    tx.data = 5.0
    assert x.data == 0.7


@pytest.mark.parametrize("how", list(COPIERS))
def test_fan_out_stays_fan_out(how):
    x = Value(3.0, label="x")
    y = x * x
    twin = COPIERS[how](y)
    assert twin.parents[0] is twin.parents[1] and twin.parents[0] is not x
    twin.backward()
    assert twin.parents[0].grad == 6.0


@pytest.mark.parametrize("how", list(COPIERS))
def test_a_differentiable_gradient_is_copied_with_its_graph(how):
    x = Value(3.0, label="x")
    (x * x * x).backward(create_graph=True)
    twin = COPIERS[how](x)
    assert isinstance(twin.grad, Value) and twin.grad.data == 27.0
    twin.grad.backward()
    assert twin.grad.data == 27.0 + 18.0  # d/dx 3x^2 = 6x = 18 added to the leaf x of grad's graph


@pytest.mark.parametrize("how", list(COPIERS))
def test_duals_of_floats_and_of_values_copy(how):
    d = Dual(2.0, 1.0).tanh() * 3.0
    twin = COPIERS[how](d)
    assert (twin.primal, twin.tangent, twin.tag) == (d.primal, d.tangent, d.tag)
    v = Value(0.5)
    inner = Dual(v, 1.0).exp()
    twin = COPIERS[how](inner)
    assert twin.primal.data == pytest.approx(math.exp(0.5)) and twin.primal.rule is RULES["exp"]


def test_a_million_node_chain_pickles_and_deep_copies_without_recursion():
    x = Value(0.5, label="x")
    y = x
    for _ in range(1_000_000):
        y = -y  # one node per step: 1,000,000 nodes above x
    assert len(topological_order(y)) == 1_000_001
    gc.collect()
    text = pickle.dumps(y)
    twin = pickle.loads(text)
    del text
    twin.backward()
    leaf = topological_order(twin)[0]
    assert (twin.data, leaf.label, leaf.grad) == (0.5, "x", 1.0)  # an even number of negations
    del twin, leaf
    gc.collect()
    twin = copy.deepcopy(y)
    twin.backward()
    assert topological_order(twin)[0].grad == 1.0 and x.grad == 0.0


# ---- every module --------------------------------------------------------------------------------------------

MODULES = {
    "MLP": lambda: MLP(2, [3, 1], seed=1),
    "MLP tanh, several outputs": lambda: MLP(2, [3, 2], activation="tanh", seed=2),
    "MLP prelu": lambda: MLP(2, [3, 1], activation="prelu", seed=3),
    "Layer": lambda: Layer(2, 3, activation="leaky_relu", seed=5),
    "Neuron": lambda: Neuron(2, activation="tanh", seed=7),
    "Perceptron": lambda: Perceptron(2, lr=0.3, seed=9),
    "PReLU": lambda: PReLU(0.1),
    "Dropout": lambda: Dropout(0.5, seed=0),
}
POINT = [0.4, -0.9]


def _out(module):
    out = module(POINT)
    outs = out if isinstance(out, list) else [out]
    return [v.data for v in outs]


def test_every_module_class_of_nn_is_in_this_list():
    classes = {cls.__qualname__ for (where, _), cls in saving.MODELS.items() if where.startswith("nn.")}
    built = {type(make()).__qualname__ for make in MODULES.values()}
    assert classes <= built, f"not copied here: {classes - built}"


@pytest.mark.parametrize("how", list(COPIERS))
@pytest.mark.parametrize("name", list(MODULES))
def test_every_module_copies_computes_the_same_and_shares_no_parameter(name, how):
    module = MODULES[name]()
    twin = COPIERS[how](module)
    assert type(twin) is type(module)
    assert twin.state_dict() == module.state_dict()
    assert _out(twin) == _out(module)  # Dropout: the copied generator draws the same next mask
    for a, b in zip(module.parameters(), twin.parameters()):
        assert a is not b
    if twin.parameters():
        twin.parameters()[0].data += 1.0
        assert twin.state_dict() != module.state_dict()


@pytest.mark.parametrize("how", list(COPIERS))
def test_a_copied_model_trains_like_the_original(how):
    model = MLP(2, [4, 1], seed=0)
    twin = COPIERS[how](model)
    X, y = nn.data.logic_gate("xor")
    for m in (model, twin):
        nn.train.fit(m, X, y, epochs=3, progress=False, shuffle=False)
    assert twin.state_dict() == model.state_dict()


# ---- every optimiser -----------------------------------------------------------------------------------------

OPTIMISERS = {
    "SGD": lambda m: optim.SGD(m.parameters(), lr=0.1),
    "SGD momentum": lambda m: optim.SGD(m.parameters(), lr=0.1, momentum=0.9, nesterov=True),
    "Adagrad": lambda m: optim.Adagrad(m.parameters(), lr=0.1),
    "RMSprop": lambda m: optim.RMSprop(m.parameters(), lr=0.01),
    "Adam": lambda m: optim.Adam(m.parameters(), lr=0.01),
    "AdamW": lambda m: optim.AdamW(m.parameters(), lr=0.01),
    "AdaMax": lambda m: optim.AdaMax(m.parameters(), lr=0.01),
    "Nadam": lambda m: optim.Nadam(m.parameters(), lr=0.01),
    "MaxNorm": lambda m: MaxNorm(optim.SGD(m.parameters(), lr=0.1), m, 1.0),
}


def _step(model, optimiser, scale):
    optimiser.zero_grad()
    out = model([0.4, -0.9])
    ((out - 1.0) ** 2 * scale).backward()
    optimiser.step()


def test_every_optimiser_of_nn_is_in_this_list():
    classes = {name for name in dir(optim) if isinstance(getattr(optim, name), type)
               and issubclass(getattr(optim, name), optim.Optimizer) and name != "Optimizer"}
    built = {type(make(MLP(1, [1]))).__name__ for make in OPTIMISERS.values()}
    assert classes <= built, f"not copied here: {classes - built}"


@pytest.mark.parametrize("how", list(COPIERS))
@pytest.mark.parametrize("name", list(OPTIMISERS))
def test_every_optimiser_copied_with_its_model_keeps_its_state_and_updates_the_copy(name, how):
    model = MLP(2, [3, 1], seed=0)
    optimiser = OPTIMISERS[name](model)
    _step(model, optimiser, 1.0)  # some state: moments, buffers, the step count
    twin_model, twin_optimiser = COPIERS[how]((model, optimiser))
    assert type(twin_optimiser) is type(optimiser)
    params = getattr(twin_optimiser, "params", None) or twin_optimiser.optimizer.params
    assert all(a is b for a, b in zip(params, twin_model.parameters()))  # the copy steps the copied model
    for m, o in ((model, optimiser), (twin_model, twin_optimiser)):
        _step(m, o, 0.5)
        _step(m, o, 2.0)
    assert twin_model.state_dict() == model.state_dict()
    before = model.state_dict()
    _step(twin_model, twin_optimiser, 1.0)
    assert model.state_dict() == before  # stepping the copy leaves the original alone
