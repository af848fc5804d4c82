"""Neuron, Layer, MLP: networks of Values in micrograd's shapes.

A neuron is ``activation(dot(w, x) + b)``: the weighted sum is one n-ary node, so a neuron adds a
handful of nodes to the graph, not a chain of 2n. Parameters are labelled ``L1.N2.w3``, ``L1.N2.b``
and a neuron's output ``L1.N2``, so drawings can group them.

Initial weights (biases start at 0, as micrograd's): ``init="auto"`` picks He/Kaiming-uniform
``U(-sqrt(6 / fan_in), +)`` for the ReLU family (relu, leaky_relu, prelu, elu) and Xavier/Glorot-uniform
``U(-sqrt(6 / (fan_in + fan_out)), +)`` for everything else (tanh, sigmoid, identity, ...);
``"kaiming"``, ``"xavier"`` and ``"uniform"`` (micrograd's ``U(-1, 1)``) choose one; a number ``c`` means ``U(-c, c)``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator, Sequence
from itertools import chain
from typing import Any

import numpy as np

from autograd.operand import Operand, evaluate
from autograd.rule import RULES
from autograd.value import Value, apply_rule

from . import activations, torch_bridge
from .checks import check_seed, count
from .module import Module

__all__ = ["Neuron", "Layer", "MLP", "init_bound", "make_rng", "as_inputs", "MAX_WEIGHTS"]

DOT = RULES["dot"]
MAX_WEIGHTS = 10 ** 7
"""The most weights one layer may have: each is a Value (about 100 bytes) and is read once per example, so 1e7
already takes a gigabyte; a size beyond it is a typo (``MLP(10**18, [2])`` would try for ever)."""


def _check_size(nin: int, nout: int, who: str) -> None:
    if nin * nout > MAX_WEIGHTS:
        raise ValueError(f"{who}: {nin:,} inputs x {nout:,} outputs = {nin * nout:,} weights, over the limit of "
                         f"{MAX_WEIGHTS:,} Values (nn.layers.MAX_WEIGHTS); for a network this big use to_torch()")
Activation = str | Callable[..., Any] | None


def make_rng(seed: int | random.Random | None) -> random.Random:
    """A ``random.Random`` from a seed: a whole number >= 0, ``None`` (fresh entropy) or a ``Random`` (used as is)."""
    if isinstance(seed, random.Random):
        return seed
    if seed is None or (isinstance(seed, int) and not isinstance(seed, bool)):
        return random.Random(check_seed(seed))  # Random(-1) would silently be Random(1)
    raise TypeError(f"seed must be an int, a random.Random or None, got {type(seed).__name__} ({seed!r})")


def init_bound(init: str | float, activation: str, fan_in: int, fan_out: int) -> float:
    """The half-width ``c`` of the uniform ``U(-c, c)`` the weights are drawn from.

    >>> init_bound("auto", "relu", 6, 1), init_bound("auto", "tanh", 2, 1)
    (1.0, 1.4142135623730951)
    """
    if init == "auto":  # the rule table says which activations are of the ReLU family
        init = "kaiming" if activations.initialisation(activation) == "he" else "xavier"
    if init == "kaiming":  # He et al. 2015: Var(w) = 2 / fan_in, as a uniform
        return math.sqrt(6.0 / fan_in)
    if init == "xavier":  # Glorot & Bengio 2010: Var(w) = 2 / (fan_in + fan_out)
        return math.sqrt(6.0 / (fan_in + fan_out))
    if init == "uniform":
        return 1.0
    if isinstance(init, (int, float)) and not isinstance(init, bool) and init > 0 and math.isfinite(init):
        return float(init)
    raise ValueError(f"init must be 'auto', 'kaiming', 'xavier', 'uniform' or a positive number, got {init!r}")


def _activation(activation: Activation) -> tuple[str, Callable[..., Any]]:
    if callable(activation):
        return getattr(activation, "__name__", "custom"), activation
    name = "identity" if activation is None else activation
    return name, activations.get(name)


def _activation_name(neuron: Neuron) -> str:
    """The name a neuron's activation is known by, for its file and for PyTorch; a custom function has none."""
    if activations.ACTIVATIONS.get(neuron.activation) is not neuron._act:
        raise ValueError(f"neuron {neuron.name}'s activation {neuron.activation!r} is a function of your own, not a "
                         f"name from nn.activations ({', '.join(sorted(activations.ACTIVATIONS))})")
    return neuron.activation


def _layer_activation(layer: Layer) -> str:
    names = {_activation_name(n) for n in layer.neurons}
    if len(names) != 1:
        raise ValueError(f"layer {layer.name} mixes the activations {', '.join(sorted(names))}")
    return names.pop()


def as_inputs(x: Any, nin: int, who: str) -> list[Any]:
    """``x`` (a sequence of numbers, Values or Duals; a bare number when ``nin == 1``) as ``nin`` operands.

    Numbers become input nodes labelled ``x1, x2, ...`` once, however many neurons read them.
    """
    if isinstance(x, (Operand, int, float, np.number)) and not isinstance(x, bool):
        x = [x]
    try:
        values = list(x)
    except TypeError:
        raise TypeError(f"{who} takes a list of {nin} numbers or Values, got {type(x).__name__}") from None
    if len(values) != nin:
        raise ValueError(f"{who} expects {nin} inputs, received {len(values)}")
    inputs = [v if isinstance(v, Operand) else Value(v, label=f"x{i + 1}") for i, v in enumerate(values)]
    duals = [v for v in inputs if not isinstance(v, Value)]
    if duals:  # forward mode through the model: every input lifted into the highest kind among them
        top = max(duals, key=lambda v: v.level)
        inputs = [v if v is top else top._lift(v) for v in inputs]
    return inputs


class Neuron(Module):
    """``activation(w . x + b)`` with ``nin`` weights.

    Args:
        nin: number of inputs.
        activation: a name from ``nn.activations`` (``None`` = identity) or a function of one Value.
        seed: an int or ``random.Random`` for reproducible weights.
        init: ``"auto"``, ``"kaiming"``, ``"xavier"``, ``"uniform"`` or a bound (see the module docstring).
        name: the label prefix (``"L1.N2"`` inside an MLP).

    >>> n = Neuron(2, activation="tanh", seed=0); n.load_state_dict({"w1": 1.0, "w2": 2.0, "b": 0.0})
    >>> round(n([0.5, 0.25]).data, 6) == round(math.tanh(1.0 * 0.5 + 2.0 * 0.25 + 0.0), 6)
    True
    """

    def __init__(self, nin: int, activation: Activation = "relu", seed: int | random.Random | None = None,
                 init: str | float = "auto", name: str = "N1") -> None:
        self.nin = count(nin, "nin")
        _check_size(self.nin, 1, f"neuron {name}")
        self.activation, self._act = _activation(activation)
        self._rule = activations.rule_of(self.activation) if isinstance(activation, str) else None
        # the method that applies it (leaky_relu(0.01) is leaky_relu's, at its default): "" for prelu and custom ones
        family = self._rule.family or self._rule if self._rule is not None else None
        self._method = family.methods[0] if family is not None and family.arity == 1 and family.methods else ""
        bound = init_bound(init, self.activation, self.nin, 1)
        rng = make_rng(seed)
        self.name = name
        self.w = [Value(rng.uniform(-bound, bound), label=f"{name}.w{i + 1}") for i in range(self.nin)]
        self.b = Value(0.0, label=f"{name}.b")
        initial = activations.PARAMETRIC.get(self.activation)
        self.alpha = None if initial is None else Value(initial, label=f"{name}.alpha")

    def __call__(self, x: Any) -> Value:
        return self.forward(as_inputs(x, self.nin, f"neuron {self.name}"))

    def forward(self, x: list[Value], numbers: list[float] | None = None) -> Value:
        """The output for inputs already checked by ``as_inputs``; ``numbers``: their numbers, when Values (a
        layer reads them once for all its neurons)."""
        # Values (the usual case): apply_rule directly on the numbers, as dot()'s generic lifting is not needed;
        # Duals (forward mode through the model, all of one kind after as_inputs): evaluate, which lifts the weights
        if isinstance(x[0], Value):
            make: Callable[..., Any] = apply_rule
            xs = [w._data for w in self.w]
            xs += [v._data for v in x] if numbers is None else numbers
            z = apply_rule(DOT, (*self.w, *x), xs) + self.b
        else:
            make = evaluate
            z = evaluate(DOT, (*self.w, *x)) + self.b
        if self._method:  # a named activation of one operand: its own method, the table's fast one for z's kind
            out = getattr(z, self._method)()
        elif self._rule is not None and self.alpha is not None:  # prelu: its node made directly, as dot's
            out = make(self._rule, (z, self.alpha))
        else:
            out = self._act(z) if self.alpha is None else self._act(z, self.alpha)
            if not isinstance(out, Operand):
                raise TypeError(f"neuron {self.name}: the activation {self.activation!r} returned "
                                f"{type(out).__name__} ({out!r}), not a Value")
        if isinstance(out, Value):
            out.label = self.name
        return out

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``w1 ... wn``, ``b`` (then ``alpha`` for prelu), as micrograd orders them."""
        named = [(f"w{i + 1}", w) for i, w in enumerate(self.w)] + [("b", self.b)]
        return named + ([("alpha", self.alpha)] if self.alpha is not None else [])

    def parameters(self) -> list[Value]:
        return [*self.w, self.b] if self.alpha is None else [*self.w, self.b, self.alpha]

    def _parameter_lists(self) -> Iterator[Sequence[Value]]:
        yield self.w
        yield (self.b,) if self.alpha is None else (self.b, self.alpha)

    def config(self) -> dict[str, Any]:
        """``{"nin", "activation", "name"}``: what ``nn.load`` rebuilds the neuron from."""
        return {"nin": self.nin, "activation": _activation_name(self), "name": self.name}

    def dense_layers(self) -> list[torch_bridge.Dense]:
        """One fully connected layer with one output."""
        alphas = None if self.alpha is None else [self.alpha.data]
        return [torch_bridge.Dense([[w.data for w in self.w]], [self.b.data], _activation_name(self), alphas)]

    def _summary_rows(self) -> list[tuple[str, str, str, int]]:
        return [(self.name, f"Neuron, {self.activation}", "(1,)", self.num_parameters())]

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, activation={self.activation!r})"


class Layer(Module):
    """``nout`` neurons reading the same inputs; returns a Value when ``nout == 1``, else a list.

    >>> layer = Layer(3, 2, activation="tanh", seed=1)
    >>> len(layer([1.0, 2.0, 3.0])), layer.num_parameters()
    (2, 8)
    """

    def __init__(self, nin: int, nout: int, activation: Activation = "relu",
                 seed: int | random.Random | None = None, init: str | float = "auto", name: str = "L1") -> None:
        self.nin, self.nout = count(nin, "nin"), count(nout, "nout")
        _check_size(self.nin, self.nout, f"layer {name}")
        self.activation = _activation(activation)[0]
        bound = init_bound(init, self.activation, self.nin, self.nout)
        rng = make_rng(seed)
        self.name = name
        self.neurons = [Neuron(self.nin, activation, seed=rng, init=bound, name=f"{name}.N{j + 1}")
                        for j in range(self.nout)]

    def __call__(self, x: Any) -> Value | list[Value]:
        out = self.forward(as_inputs(x, self.nin, f"layer {self.name}"))
        return out[0] if len(out) == 1 else out

    def forward(self, x: list[Value]) -> list[Value]:
        """The outputs, always a list, for inputs already checked by ``as_inputs``."""
        numbers = [v._data for v in x] if isinstance(x[0], Value) else None
        return [n.forward(x, numbers) for n in self.neurons]

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [(f"N{j + 1}.{k}", p) for j, n in enumerate(self.neurons) for k, p in n.named_parameters()]

    def parameters(self) -> list[Value]:
        return list(chain.from_iterable(self._parameter_lists()))

    def _parameter_lists(self) -> Iterator[Sequence[Value]]:
        for n in self.neurons:
            yield from n._parameter_lists()

    def config(self) -> dict[str, Any]:
        """``{"nin", "nout", "activation", "name"}``: what ``nn.load`` rebuilds the layer from."""
        return {"nin": self.nin, "nout": self.nout, "activation": _layer_activation(self), "name": self.name}

    def dense_layers(self) -> list[torch_bridge.Dense]:
        """This layer: its weight matrix (one row per neuron), its biases, its activation."""
        alphas = [n.alpha.data for n in self.neurons if n.alpha is not None] or None
        return [torch_bridge.Dense([[w.data for w in n.w] for n in self.neurons], [n.b.data for n in self.neurons],
                                   _layer_activation(self), alphas)]

    def _summary_rows(self) -> list[tuple[str, str, str, int]]:
        return [(self.name, f"Layer, {self.activation}", f"({self.nout},)", self.num_parameters())]

    def __repr__(self) -> str:
        return f"Layer({self.nin}, {self.nout}, activation={self.activation!r})"


class MLP(Module):
    """Layers of sizes ``nouts`` after ``nin`` inputs: ``activation`` on hidden layers, ``output_activation`` last.

    ``MLP(2, [16, 16, 1])`` is micrograd's: ReLU hidden layers, a linear output, called on a list.

    >>> model = MLP(1, [3, 1], activation="tanh", seed=0)
    >>> [layer.num_parameters() for layer in model.layers], type(model([0.5])).__name__
    ([6, 4], 'Value')
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: Activation = "relu",
                 output_activation: Activation = None, seed: int | random.Random | None = None,
                 init: str | float = "auto") -> None:
        if isinstance(nouts, (int, str)) or not isinstance(nouts, Sequence) or len(nouts) == 0:
            raise TypeError(f"nouts must be a non-empty list of layer sizes, got {nouts!r}")
        sizes = [count(nin, "nin")] + [count(n, f"nouts[{i}]") for i, n in enumerate(nouts)]
        for i in range(len(nouts)):  # every layer before any is built
            _check_size(sizes[i], sizes[i + 1], f"MLP layer {i + 1}")
        _activation(activation)  # checked even when there is no hidden layer to use it
        rng = make_rng(seed)
        last = len(nouts) - 1
        self.layers = [Layer(sizes[i], sizes[i + 1], activation if i < last else output_activation, seed=rng,
                             init=init, name=f"L{i + 1}") for i in range(len(nouts))]
        self.nin, self.nouts = sizes[0], sizes[1:]

    def __call__(self, x: Any) -> Value | list[Value]:
        out = as_inputs(x, self.nin, "MLP")
        for layer in self.layers:
            out = layer.forward(out)
        return out[0] if len(out) == 1 else out

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [(f"L{i + 1}.{k}", p) for i, layer in enumerate(self.layers) for k, p in layer.named_parameters()]

    def parameters(self) -> list[Value]:
        return list(chain.from_iterable(self._parameter_lists()))

    def _parameter_lists(self) -> Iterator[Sequence[Value]]:
        for layer in self.layers:
            yield from layer._parameter_lists()

    def config(self) -> dict[str, Any]:
        """``{"nin", "nouts", "activation", "output_activation"}``: what ``nn.load`` rebuilds the MLP from."""
        names = [_layer_activation(layer) for layer in self.layers]
        if len(set(names[:-1])) > 1:
            raise ValueError(f"the hidden layers have different activations ({', '.join(names[:-1])}); "
                             "an MLP's config has one")
        return {"nin": self.nin, "nouts": list(self.nouts), "activation": names[0] if len(names) > 1 else "relu",
                "output_activation": names[-1]}

    def dense_layers(self) -> list[torch_bridge.Dense]:
        """Each layer as a fully connected layer, first to last."""
        return [dense for layer in self.layers for dense in layer.dense_layers()]

    @classmethod
    def from_torch(cls, module: Any) -> MLP:
        """The MLP a PyTorch ``Sequential`` of ``Linear`` and activation modules computes, with its weights.

        Every hidden ``Linear`` must be followed by the same activation (an MLP has one for its hidden layers);
        activations without an equivalent here are refused, naming the module. Needs PyTorch.

        Args:
            module: a ``torch.nn.Sequential`` (or one ``torch.nn.Linear``).

        Returns:
            a new MLP computing the same function; ``to_torch()`` converts it back.
        """
        layers = torch_bridge.from_torch(module)
        hidden = sorted({dense.activation for dense in layers[:-1]})
        if len(hidden) > 1:
            raise ValueError(f"the hidden layers use different activations ({', '.join(hidden)}); an MLP uses one "
                             "activation on every hidden layer")
        model = cls(len(layers[0].weights[0]), [len(dense.biases) for dense in layers],
                    activation=hidden[0] if hidden else "relu", output_activation=layers[-1].activation)
        state: dict[str, float] = {}
        for i, dense in enumerate(layers):
            for j, (row, bias) in enumerate(zip(dense.weights, dense.biases)):
                prefix = f"L{i + 1}.N{j + 1}."
                state.update({f"{prefix}w{k + 1}": w for k, w in enumerate(row)})
                state[prefix + "b"] = bias
                if dense.alphas is not None:
                    state[prefix + "alpha"] = dense.alphas[j if len(dense.alphas) > 1 else 0]
        model.load_state_dict(state)
        return model

    def _summary_rows(self) -> list[tuple[str, str, str, int]]:
        return [row for layer in self.layers for row in layer._summary_rows()]

    def __repr__(self) -> str:
        acts = [layer.activation for layer in self.layers]
        return f"MLP({self.nin}, {self.nouts}, activation={acts[0]!r}, output_activation={acts[-1]!r})"
