"""The bridge to PyTorch, checked against PyTorch itself: the same outputs and gradients to 1e-12, before and after a
training step taken in each; refusals for what has no counterpart. scripts/test installs torch==2.13.0, so the
PyTorch tests run in CI; the tests of a missing PyTorch run everywhere."""

import random
import subprocess
import sys

import pytest

from autograd import Value
from nn import MLP, Layer, Neuron, Perceptron, torch_bridge
from nn.activations import ACTIVATIONS

CONVERTIBLE = sorted([*torch_bridge.TORCH_ACTIVATIONS, *torch_bridge.IDENTITY])


@pytest.fixture
def torch():
    return pytest.importorskip("torch")  # installed by scripts/test (torch==2.13.0), so CI runs these


def _inputs(nin, count=16, seed=0):
    rng = random.Random(seed)
    return [[rng.uniform(-3.0, 3.0) for _ in range(nin)] for _ in range(count)]


def _ours(model, rows):
    out = []
    for x in rows:
        y = model(x)
        out.append([v.data for v in y] if isinstance(y, list) else [y.data])
    return out


def _theirs(module, torch, rows):
    with torch.no_grad():
        return module(torch.tensor(rows, dtype=torch.float64)).tolist()


def _close(a, b, tolerance=1e-12):
    return all(abs(x - y) <= tolerance * max(1.0, abs(x)) for ra, rb in zip(a, b) for x, y in zip(ra, rb)) \
        and len(a) == len(b)


def _shuffled(model, seed):
    """Parameters moved off their initial values (PReLU slopes and biases too, so every parameter matters)."""
    rng = random.Random(seed)
    for p in model.parameters():
        p.data = rng.uniform(-1.0, 1.0) if not (p.label or "").endswith("alpha") else rng.uniform(0.05, 0.5)
    return model


def _step_ours(model, rows, targets, lr):
    model.zero_grad()
    loss = sum(((y - t) ** 2 for x, row in zip(rows, targets)
                for y, t in zip(_as_list(model(x)), row)), Value(0.0)) / len(rows)
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss.data


def _as_list(y):
    return y if isinstance(y, list) else [y]


def _step_theirs(module, torch, rows, targets, lr):
    module.zero_grad()
    predictions = module(torch.tensor(rows, dtype=torch.float64))
    loss = ((predictions - torch.tensor(targets, dtype=torch.float64)) ** 2).sum() / len(rows)
    loss.backward()
    with torch.no_grad():
        for p in module.parameters():
            p -= lr * p.grad
    return loss.item()


def _grads_theirs(module):
    """PyTorch's gradients in dualgrad's parameter order: per layer, per neuron, its weights then its bias (then
    its PReLU slope)."""
    modules = list(module)
    grads = []
    for i, m in enumerate(modules):
        if type(m).__name__ != "Linear":
            continue
        after = modules[i + 1] if i + 1 < len(modules) else None
        slopes = after.weight.grad.tolist() if type(after).__name__ == "PReLU" else None
        for j, (row, bias) in enumerate(zip(m.weight.grad.tolist(), m.bias.grad.tolist())):
            grads += [*row, bias] + ([slopes[j]] if slopes is not None else [])
    return grads


@pytest.mark.parametrize("activation", CONVERTIBLE)
def test_to_torch_gives_the_same_outputs_and_after_a_step_in_each_the_same_again(torch, activation):
    model = _shuffled(MLP(3, [5, 4, 2], activation=activation, output_activation=activation, seed=1), seed=2)
    module = model.to_torch()
    assert isinstance(module, torch.nn.Sequential)
    assert all(p.dtype == torch.float64 for p in module.parameters())
    assert [type(m).__name__ for m in module][::2] == ["Linear"] * 3 or activation in torch_bridge.IDENTITY
    rows, probe = _inputs(3, seed=3), _inputs(3, seed=4)
    assert _close(_ours(model, probe), _theirs(module, torch, probe))
    targets = [[0.5, -0.25]] * len(rows)
    loss_ours = _step_ours(model, rows, targets, lr=0.05)
    ours_grads = [p.grad for p in model.parameters()]
    loss_theirs = _step_theirs(module, torch, rows, targets, lr=0.05)
    assert loss_ours == pytest.approx(loss_theirs, rel=1e-12, abs=1e-12)
    assert _close([ours_grads], [_grads_theirs(module)])
    assert _close(_ours(model, probe), _theirs(module, torch, probe))  # the same step, the same new weights


def test_from_torch_reads_a_sequential_and_both_agree_after_a_step_in_each(torch):
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(3, 6), torch.nn.Tanh(), torch.nn.Linear(6, 4), torch.nn.Tanh(),
                                 torch.nn.Linear(4, 2)).double()
    model = MLP.from_torch(module)
    assert repr(model) == "MLP(3, [6, 4, 2], activation='tanh', output_activation='identity')"
    rows, probe = _inputs(3, seed=5), _inputs(3, seed=6)
    assert _close(_ours(model, probe), _theirs(module, torch, probe))
    targets = [[1.0, 0.0]] * len(rows)
    assert _step_theirs(module, torch, rows, targets, lr=0.1) == pytest.approx(
        _step_ours(model, rows, targets, lr=0.1), rel=1e-12)
    assert _close(_ours(model, probe), _theirs(module, torch, probe))
    back = model.to_torch()  # and the round trip gives the same module's numbers
    assert _close(_theirs(back, torch, probe), _theirs(module, torch, probe))


def test_prelu_slopes_cross_per_neuron_and_learn_the_same(torch):
    model = _shuffled(MLP(2, [3, 1], activation="prelu", seed=0), seed=1)
    module = model.to_torch()
    assert [type(m).__name__ for m in module] == ["Linear", "PReLU", "Linear"]
    assert module[1].weight.tolist() == [n.alpha.data for n in model.layers[0].neurons]
    rows, probe = _inputs(2, seed=2), _inputs(2, seed=3)
    _step_ours(model, rows, [[0.3]] * len(rows), lr=0.1)
    _step_theirs(module, torch, rows, [[0.3]] * len(rows), lr=0.1)
    assert _close(_ours(model, probe), _theirs(module, torch, probe))
    assert _close([[n.alpha.data for n in model.layers[0].neurons]], [module[1].weight.tolist()])
    again = MLP.from_torch(module)
    assert _close(_ours(again, probe), _theirs(module, torch, probe))


@pytest.mark.parametrize("activation, point", [("relu", 0.0), ("leaky_relu", 0.0), ("elu", 0.0), ("prelu", 0.0),
                                                ("hardtanh", 1.0), ("hardtanh", -1.0)])
def test_gradients_agree_exactly_at_the_kinks(torch, activation, point):
    # weights 0 and bias `point`: every neuron sits exactly on its activation's kink
    layer = Layer(2, 2, activation=activation, seed=0)
    layer.load_state_dict({k: (point if k.endswith(".b") else 0.25 if k.endswith("alpha") else 0.0)
                           for k in layer.state_dict()})
    module = layer.to_torch()
    rows = [[1.0, -2.0], [0.5, 3.0]]
    _step_ours(layer, rows, [[2.0, -1.0]] * 2, lr=0.0)
    _step_theirs(module, torch, rows, [[2.0, -1.0]] * 2, lr=0.0)
    assert [p.grad for p in layer.parameters()] == pytest.approx(_grads_theirs(module), abs=1e-15)


def test_a_neuron_and_a_layer_convert_too_and_torchs_random_generator_is_untouched(torch):
    state = torch.get_rng_state()
    neuron = _shuffled(Neuron(3, activation="sigmoid", seed=0), seed=1)
    module = neuron.to_torch()
    assert torch.equal(torch.get_rng_state(), state)  # no random initialisation was drawn
    probe = _inputs(3)
    assert _close(_ours(neuron, probe), _theirs(module, torch, probe))
    layer = _shuffled(Layer(3, 2, activation="softplus", seed=0), seed=2)
    big = [[30.0, 20.0, -10.0], [0.1, 0.2, 0.3]]  # softplus beyond PyTorch's default threshold of 20
    assert _close(_ours(layer, big + probe), _theirs(layer.to_torch(), torch, big + probe))


@pytest.mark.parametrize("activation", sorted(set(ACTIVATIONS) - set(CONVERTIBLE)))
def test_activations_without_a_pytorch_module_are_refused_by_name(torch, activation):
    with pytest.raises(ValueError, match=rf"layer 1's activation '{activation}' has no PyTorch module; to_torch "
                                         r"converts elu, hardtanh, identity, leaky_relu, linear, prelu, relu, "):
        MLP(2, [3, 1], activation=activation, seed=0).to_torch()


def test_models_that_are_not_dense_layers_or_use_their_own_function_are_refused(torch):
    with pytest.raises(TypeError, match="a Perceptron is not made of fully connected layers: to_torch converts MLP, "
                                        "Layer and Neuron"):
        Perceptron(2).to_torch()
    with pytest.raises(ValueError, match="neuron L1.N1's activation 'square' is a function of your own"):
        MLP(2, [2, 1], activation=square, seed=0).to_torch()


def square(z):
    return z * z


def _refusal(torch, name):
    nn_ = torch.nn
    return {
        "dropout": (nn_.Sequential(nn_.Linear(2, 3), nn_.Dropout(0.5), nn_.Linear(3, 1)), ValueError,
                    r"module 1 \(Dropout\) has no equivalent in dualgrad; from_torch reads Linear, Identity and"),
        "leaky slope": (nn_.Sequential(nn_.Linear(2, 1), nn_.LeakyReLU(0.2)), ValueError,
                        r"module 1 is LeakyReLU\(negative_slope=0.2\); dualgrad's leaky_relu activation has "
                        "negative_slope = 0.01"),
        "elu alpha": (nn_.Sequential(nn_.Linear(2, 1), nn_.ELU(alpha=0.5)), ValueError, "elu activation has alpha"),
        "softplus threshold": (nn_.Sequential(nn_.Linear(2, 1), nn_.Softplus()), ValueError,
                               r"Softplus\(beta=1.0, threshold=20.0\); dualgrad's softplus is log\(1 \+ exp\(x\)\)"),
        "no bias": (nn_.Sequential(nn_.Linear(2, 1, bias=False)), ValueError, "a Linear without bias"),
        "two activations": (nn_.Sequential(nn_.Linear(2, 1), nn_.ReLU(), nn_.Tanh()), ValueError,
                            r"module 2 \(Tanh\) does not follow a Linear"),
        "activation first": (nn_.Sequential(nn_.ReLU(), nn_.Linear(2, 1)), ValueError, "module 0 .ReLU. does not"),
        "sizes": (nn_.Sequential(nn_.Linear(2, 3), nn_.Linear(4, 1)), ValueError,
                  r"module 1 is Linear\(4, 1\) but the layer before it has 3 outputs"),
        "shared slope": (nn_.Sequential(nn_.Linear(2, 3), nn_.PReLU()), ValueError,
                         r"PReLU\(num_parameters=1\) after a layer of 3 outputs; .* use PReLU\(num_parameters=3\)"),
        "mixed hidden": (nn_.Sequential(nn_.Linear(2, 3), nn_.ReLU(), nn_.Linear(3, 3), nn_.Tanh(), nn_.Linear(3, 1)),
                         ValueError, r"the hidden layers use different activations \(relu, tanh\)"),
        "empty": (nn_.Sequential(nn_.Identity()), ValueError, "no Linear layer"),
        "not sequential": (nn_.Conv1d(1, 1, 1), TypeError, "from_torch takes a torch.nn.Sequential .* got Conv1d"),
    }[name]


@pytest.mark.parametrize("name", ["dropout", "leaky slope", "elu alpha", "softplus threshold", "no bias",
                                  "two activations", "activation first", "sizes", "shared slope", "mixed hidden",
                                  "empty", "not sequential"])
def test_from_torch_refuses_what_has_no_exact_counterpart(torch, name):
    module, error, message = _refusal(torch, name)
    with pytest.raises(error, match=message):
        MLP.from_torch(module)


def test_from_torch_refuses_non_finite_weights_and_reads_a_lone_linear_and_nested_sequentials(torch):
    linear = torch.nn.Linear(2, 1).double()
    model = MLP.from_torch(linear)
    assert model.nouts == [1] and _close(_ours(model, _inputs(2)), _theirs(linear, torch, _inputs(2)))
    nested = torch.nn.Sequential(torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU()), torch.nn.Identity(),
                                 torch.nn.Linear(2, 1)).double()
    assert _close(_ours(MLP.from_torch(nested), _inputs(2)), _theirs(nested, torch, _inputs(2)))
    with torch.no_grad():
        linear.weight[0, 1] = float("nan")
    with pytest.raises(ValueError, match=r"module 0 \(Linear\) has a NaN or infinite weight"):
        MLP.from_torch(linear)


def test_without_pytorch_the_bridge_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` fail, whether or not it is installed
    with pytest.raises(ImportError, match=r'needs PyTorch, which is not installed: pip install "dualgrad\[torch\]"'):
        MLP(2, [1], seed=0).to_torch()
    with pytest.raises(ImportError, match="needs PyTorch"):
        MLP.from_torch(object())
    with pytest.raises(ValueError, match="'step' has no PyTorch module"):  # checked before torch is needed
        MLP(2, [1], output_activation="step").to_torch()


def test_nothing_but_the_bridge_imports_torch():
    code = "import sys, autograd, nn, nn.cli, nn.train, nn.torch_bridge; print(sorted(m for m in sys.modules " \
           "if m == 'torch' or m.startswith('torch.')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "[]"
