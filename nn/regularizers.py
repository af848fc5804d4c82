"""Regularisers that change the network rather than the loss: dropout and the max-norm constraint.

``Dropout`` (Srivastava et al., 2014) zeroes each unit with probability ``p`` while training, so no unit can
rely on one particular other; the survivors are scaled by ``1 / (1 - p)`` ("inverted" dropout, as PyTorch and
Keras do it), so the expected output equals the input and evaluation needs no change: there it is the identity.
``max_norm`` (the same paper, section 5.1) rescales a neuron's incoming weights whenever their length exceeds
``c``; ``MaxNorm`` wraps an optimiser to apply it after every step.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from typing import Any

from autograd.compiled.capture import NotCompilable, is_tracing
from autograd.value import Value

from .layers import MLP, Layer, Neuron, make_rng
from .module import Module

__all__ = ["Dropout", "max_norm", "MaxNorm"]


class Dropout(Module):
    """Inverted dropout: in training mode each value is kept with probability ``1 - p`` and scaled by
    ``1 / (1 - p)``, else replaced by 0; in evaluation mode (``eval()``) it is the identity.

    A new mask is drawn at every call, from the seeded generator (the same seed, the same masks). A dropped
    value is ``x * 0``, so it stays in the graph with derivative 0: no gradient reaches the unit through it.

    Args:
        p: the probability of dropping a value, in ``[0, 1)``.
        seed: an int or ``random.Random`` for reproducible masks (``None``: fresh entropy).

    >>> drop = Dropout(0.5, seed=0)
    >>> [v.data for v in drop([1.0, 2.0, 3.0, 4.0])]  # kept values doubled
    [2.0, 4.0, 0.0, 0.0]
    >>> [v.data for v in drop.eval()([1.0, 2.0, 3.0, 4.0])]
    [1.0, 2.0, 3.0, 4.0]
    """

    def __init__(self, p: float = 0.5, seed: int | random.Random | None = None) -> None:
        if isinstance(p, bool) or not isinstance(p, (int, float)):
            raise TypeError(f"Dropout p must be a number, got {type(p).__name__} ({p!r})")
        if not 0.0 <= p < 1.0:  # also refuses NaN; p = 1 would drop everything and divide by 0
            raise ValueError(f"Dropout p must be in [0, 1), got {p!r}")
        self.p = float(p)
        self.rng = make_rng(seed)
        self.training = True

    def train(self, mode: bool = True) -> Dropout:
        """Training mode (``mode=False``: evaluation mode). Returns the module itself."""
        self.training = bool(mode)
        return self

    def eval(self) -> Dropout:
        """Evaluation mode: the identity. Returns the module itself."""
        return self.train(False)

    def __call__(self, x: Any) -> Any:
        """The values with dropout applied: a list for a list, a Value for one Value or number."""
        single = not isinstance(x, (list, tuple))
        values = [v if isinstance(v, Value) else Value(v) for v in ([x] if single else x)]
        if self.training and self.p > 0.0:
            if is_tracing():
                raise NotCompilable("Dropout in training mode draws a new random mask at every call, so no single "
                                    "graph can be replayed: train it with compiled=False, or call .eval() on the "
                                    "Dropout first (in evaluation mode it is the identity and compiles)")
            scale = 1.0 / (1.0 - self.p)
            values = [v * (scale if self.rng.random() >= self.p else 0.0) for v in values]
        return values[0] if single else values

    def __repr__(self) -> str:
        return f"Dropout(p={self.p:g}, {'training' if self.training else 'evaluation'} mode)"


def _neurons(modules: Any) -> list[Neuron]:
    if isinstance(modules, Neuron):
        return [modules]
    if isinstance(modules, Layer):
        return list(modules.neurons)
    if isinstance(modules, MLP):
        return [n for layer in modules.layers for n in layer.neurons]
    if isinstance(modules, Iterable) and not isinstance(modules, (str, Module)):
        return [n for m in modules for n in _neurons(m)]
    raise TypeError(f"max_norm takes a Neuron, a Layer, an MLP or a list of them, got {type(modules).__name__}")


def _length(c: Any) -> float:
    if isinstance(c, bool) or not isinstance(c, (int, float)):
        raise TypeError(f"max_norm c must be a number, got {type(c).__name__} ({c!r})")
    if not (c > 0 and math.isfinite(c)):
        raise ValueError(f"max_norm c must be a finite number > 0, got {c!r}")
    return float(c)


def max_norm(modules: Any, c: float) -> int:
    """Rescale each neuron's incoming weights ``w`` (not its bias) to length at most ``c``:
    ``w <- w * c / ||w||`` where ``||w|| > c``, as Keras' ``MaxNorm`` does per unit.

    Args:
        modules: a Neuron, Layer or MLP, or a list of them.
        c: the largest length allowed, a finite number > 0.

    Returns:
        how many neurons were rescaled.

    >>> n = Neuron(2, seed=0); n.load_state_dict({"w1": 3.0, "w2": 4.0, "b": 7.0})
    >>> max_norm(n, 1.0), n.state_dict()
    (1, {'w1': 0.6, 'w2': 0.8, 'b': 7.0})
    """
    c = _length(c)
    rescaled = 0
    for neuron in _neurons(modules):
        norm = math.sqrt(math.fsum(w.data * w.data for w in neuron.w))
        if norm > c:
            for w in neuron.w:
                w.data = w.data * c / norm
            rescaled += 1
    return rescaled


class MaxNorm:
    """An optimiser followed by ``max_norm``: ``step()`` updates, then rescales the weights. Pass it to ``fit``
    as the optimizer (it works on the compiled path too: the constraint touches weights, not the graph).

    Args:
        optimizer: an optimiser of ``nn.optim`` (or anything with ``step()`` and ``zero_grad()``).
        modules: what ``max_norm`` constrains: a Neuron, Layer or MLP, or a list of them.
        c: the largest length of a neuron's incoming weights.

    >>> from nn import optim
    >>> n = Neuron(2, seed=0); n.load_state_dict({"w1": 1.0, "w2": 1.0, "b": 0.0})
    >>> opt = MaxNorm(optim.SGD(n.parameters(), lr=0.1), n, c=2.0)
    >>> n.w[0].grad, n.w[1].grad = -20.0, -30.0; opt.step()  # SGD moves w to (3, 4): length 5
    >>> [round(w.data, 12) for w in n.w], opt.rescaled
    ([1.2, 1.6], 1)
    """

    def __init__(self, optimizer: Any, modules: Any, c: float) -> None:
        if not (hasattr(optimizer, "step") and hasattr(optimizer, "zero_grad")):
            raise TypeError(f"MaxNorm needs an optimiser with step() and zero_grad(), got {type(optimizer).__name__}")
        _neurons(modules)  # refuses what max_norm could not constrain, before training starts
        self.optimizer, self.modules, self.c = optimizer, modules, _length(c)
        self.rescaled = 0  # neurons rescaled by the last step

    @property
    def lr(self) -> float:
        """The wrapped optimiser's learning rate (so that ``fit``'s ``lr_schedule`` reaches it)."""
        return float(self.optimizer.lr)

    @lr.setter
    def lr(self, value: float) -> None:
        self.optimizer.lr = value

    def zero_grad(self) -> None:
        """The wrapped optimiser's ``zero_grad()``."""
        self.optimizer.zero_grad()

    def step(self) -> None:
        """The wrapped optimiser's step, then ``max_norm``."""
        self.optimizer.step()
        self.rescaled = max_norm(self.modules, self.c)
