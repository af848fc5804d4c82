"""The bridge to PyTorch: a network of fully connected layers as a ``torch.nn.Sequential`` and back.

Between the two a network is a list of ``Dense`` layers (weights, biases, activation name). PyTorch is
imported only inside ``to_torch`` and ``from_torch``, so nothing else in dualgrad needs it. An activation
crosses only to a module that computes exactly the same function, derivative and kinks included; any
other is refused, by name.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

__all__ = ["Dense", "to_torch", "from_torch", "TORCH_ACTIVATIONS", "IDENTITY"]

INSTALL = 'pip install "dualgrad[torch]" (or pip install torch)'
IDENTITY = ("identity", "linear")  # no module in PyTorch: a Linear alone is linear

# dualgrad's activation name -> the torch.nn module computing the same function, and the arguments that make it so.
# softplus: PyTorch returns x itself above `threshold`, off by up to exp(-threshold); at 40 that is below
# float64's resolution, so the two agree to the last bit.
TORCH_ACTIVATIONS: dict[str, tuple[str, dict[str, float]]] = {
    "relu": ("ReLU", {}), "tanh": ("Tanh", {}), "sigmoid": ("Sigmoid", {}),
    "leaky_relu": ("LeakyReLU", {"negative_slope": 0.01}), "elu": ("ELU", {"alpha": 1.0}),
    "softplus": ("Softplus", {"beta": 1.0, "threshold": 40.0}),
    "hardtanh": ("Hardtanh", {"min_val": -1.0, "max_val": 1.0}), "prelu": ("PReLU", {}),
}
SOFTPLUS_EXACT = 37.0  # exp(-37) is under half a float64 step at 37: above it PyTorch's shortcut is exact


class Dense(NamedTuple):
    """A fully connected layer: ``activation(weights @ x + biases)``; ``alphas``: PReLU slopes, one per row."""

    weights: list[list[float]]
    biases: list[float]
    activation: str
    alphas: list[float] | None = None


def _torch() -> Any:
    try:
        import torch
    except ImportError as error:
        raise ImportError(f"the bridge to PyTorch needs PyTorch, which is not installed: {INSTALL}") from error
    return torch


def _known() -> str:
    return ", ".join(sorted([*TORCH_ACTIVATIONS, *IDENTITY]))


def to_torch(layers: Sequence[Dense]) -> Any:
    """A ``torch.nn.Sequential`` of ``Linear`` (float64) and activation modules computing ``layers``.

    Args:
        layers: the network, first layer first (``model.dense_layers()``).

    Returns:
        the PyTorch module; its parameters are copies, so training one does not change the other.

    Raises:
        ValueError: an activation with no PyTorch module (``step``, ``arctan``, ``abs``, a function of your own).
        ImportError: PyTorch is not installed.
    """
    for number, dense in enumerate(layers, start=1):
        if dense.activation not in TORCH_ACTIVATIONS and dense.activation not in IDENTITY:
            raise ValueError(f"layer {number}'s activation {dense.activation!r} has no PyTorch module; "
                             f"to_torch converts {_known()}")
    torch = _torch()
    modules = []
    for dense in layers:
        # skip_init: no random initialisation, which would draw from (and change) torch's global generator
        linear = torch.nn.utils.skip_init(torch.nn.Linear, len(dense.weights[0]), len(dense.weights),
                                          dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(dense.weights, dtype=torch.float64))
            linear.bias.copy_(torch.tensor(dense.biases, dtype=torch.float64))
        modules.append(linear)
        if dense.activation in IDENTITY:
            continue
        name, arguments = TORCH_ACTIVATIONS[dense.activation]
        if name == "PReLU":
            slopes = dense.alphas or [0.25]
            activation = torch.nn.PReLU(num_parameters=len(slopes), dtype=torch.float64)
            with torch.no_grad():
                activation.weight.copy_(torch.tensor(slopes, dtype=torch.float64))
        else:
            activation = getattr(torch.nn, name)(**arguments)
        modules.append(activation)
    return torch.nn.Sequential(*modules)


def _numbers(tensor: Any) -> Any:
    return tensor.detach().to(device="cpu", dtype=_torch().float64).tolist()


def _activation(module: Any, where: str) -> tuple[str, list[float] | None]:
    """dualgrad's name for a PyTorch activation module (and its PReLU slopes), or a refusal saying why."""
    name = type(module).__name__
    matches = [key for key, (torch_name, _) in TORCH_ACTIVATIONS.items() if torch_name == name]
    if not matches:
        raise ValueError(f"{where} ({name}) has no equivalent in dualgrad; from_torch reads Linear, Identity and "
                         + ", ".join(sorted(torch_name for torch_name, _ in TORCH_ACTIVATIONS.values())))
    key = matches[0]
    if name == "PReLU":
        return key, _numbers(module.weight)
    if name == "Softplus":
        if module.beta != 1 or module.threshold < SOFTPLUS_EXACT:
            raise ValueError(f"{where} is Softplus(beta={module.beta}, threshold={module.threshold}); dualgrad's "
                             f"softplus is log(1 + exp(x)) exactly, which is Softplus(beta=1, threshold=40) (below "
                             f"threshold {SOFTPLUS_EXACT:g} PyTorch's shortcut x differs by up to "
                             f"exp(-threshold))")
        return key, None
    for argument, wanted in TORCH_ACTIVATIONS[key][1].items():
        if getattr(module, argument) != wanted:
            raise ValueError(f"{where} is {name}({argument}={getattr(module, argument)}); dualgrad's {key} "
                             f"activation has {argument} = {wanted}")
    return key, None


def _flattened(module: Any, torch: Any) -> list[Any]:
    if isinstance(module, torch.nn.Sequential):
        return [inner for child in module for inner in _flattened(child, torch)]
    return [module]


def from_torch(module: Any) -> list[Dense]:
    """The ``Dense`` layers of a ``torch.nn.Sequential`` of ``Linear`` modules, each followed by at most one
    activation (``MLP.from_torch`` builds the MLP).

    Args:
        module: a ``torch.nn.Sequential`` (nested ones are read in order) or one ``torch.nn.Linear``.

    Returns:
        the layers with their weights as float64 numbers.

    Raises:
        TypeError: not a Sequential or Linear.
        ValueError: a module with no equivalent here, a Linear without bias, a non-finite weight, or layers whose
            sizes do not chain, each naming the module by its position.
    """
    torch = _torch()
    if not isinstance(module, (torch.nn.Sequential, torch.nn.Linear)):
        raise TypeError(f"from_torch takes a torch.nn.Sequential of Linear and activation modules, or one Linear; "
                        f"got {type(module).__name__}")
    layers: list[Dense] = []
    for index, child in enumerate(_flattened(module, torch)):
        where = f"module {index}"
        if isinstance(child, torch.nn.Identity):
            continue
        if isinstance(child, torch.nn.Linear):
            if child.bias is None:
                raise ValueError(f"{where} is a Linear without bias; every dualgrad neuron has one (use bias=True)")
            weights, biases = _numbers(child.weight), _numbers(child.bias)
            if not all(math.isfinite(x) for row in weights for x in row) or not all(map(math.isfinite, biases)):
                raise ValueError(f"{where} (Linear) has a NaN or infinite weight")
            if layers and len(weights[0]) != len(layers[-1].biases):
                raise ValueError(f"{where} is Linear({len(weights[0])}, {len(weights)}) but the layer before it has "
                                 f"{len(layers[-1].biases)} outputs")
            layers.append(Dense(weights, biases, "identity"))
            continue
        if not layers or layers[-1].activation != "identity":
            raise ValueError(f"{where} ({type(child).__name__}) does not follow a Linear; each dualgrad layer is a "
                             "Linear with at most one activation after it")
        name, alphas = _activation(child, where)
        width = len(layers[-1].biases)
        if alphas is not None and len(alphas) != width:
            # one shared slope would learn from every output at once; each dualgrad neuron learns its own
            raise ValueError(f"{where} is PReLU(num_parameters={len(alphas)}) after a layer of {width} outputs; "
                             f"dualgrad's prelu gives each neuron its own slope: use PReLU(num_parameters={width})")
        layers[-1] = layers[-1]._replace(activation=name, alphas=alphas)
    if not layers:
        raise ValueError("the module has no Linear layer: nothing to convert")
    return layers
