"""Activation functions by name, for floats, Values and Duals alike; softmax and log-softmax over a list.

Every function here is one node of the graph (``prelu`` included: its slope is a second operand, so
its gradient flows to a learnable ``alpha``). ``get("relu")`` looks one up by name.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd import functions as F
from autograd.ops import RULES, Rule, elu_rule, leaky_relu_rule
from autograd.value import Value

from .module import Module

__all__ = ["identity", "step", "sigmoid", "tanh", "arctan", "relu", "leaky_relu", "prelu", "elu", "softplus",
           "hardtanh", "absolute", "softmax", "log_softmax", "logsumexp", "get", "ACTIVATIONS", "ACTIVATION_RULES",
           "PARAMETRIC", "PReLU"]


def identity(x: Any) -> Any:
    """``x`` itself (Keras calls it "linear"); its derivative is 1.

    >>> identity(2.5)
    2.5
    """
    return x


step, sigmoid, tanh, arctan, relu = F.step, F.sigmoid, F.tanh, F.arctan, F.relu
softplus, hardtanh, absolute, leaky_relu, elu = F.softplus, F.hardtanh, F.absolute, F.leaky_relu, F.elu


def _prelu_partials(out: float, x: float, alpha: float) -> tuple[float, float]:
    # d/dx as leaky_relu (alpha at x = 0, as PyTorch); d/dalpha = min(0, x).
    return (1.0, 0.0) if x > 0 else (alpha, x)


# A two-operand rule made here and applied directly, not registered in RULES: the formula parser's
# whitelist stays the engine's, while pictures still show one "prelu" node.
PRELU_RULE = Rule("prelu", 2, lambda x, alpha: x if x > 0 else alpha * x, _prelu_partials,
                  "d prelu(x, a) = (1, 0) if x > 0 else (a, x)", kink="prelu'(0) = (alpha, 0), as PyTorch",
                  kinks=(0.0,))


def prelu(x: Any, alpha: Any = 0.25) -> Any:
    """``x if x > 0 else alpha * x`` where ``alpha`` may be a Value that learns (He et al., 2015).

    Args:
        x: a float, Value or Dual.
        alpha: the slope for ``x <= 0``: a number, or a Value to learn it.

    Returns:
        one node with partials ``(1, 0)`` for ``x > 0`` and ``(alpha, x)`` otherwise.

    >>> a = Value(0.25); y = prelu(Value(-2.0), a); y.backward(); (y.data, a.grad)
    (-0.5, -2.0)
    """
    return F.apply(PRELU_RULE, x, alpha)


# Activations with one learnable parameter, and its initial value (PyTorch's PReLU starts at 0.25).
PARAMETRIC: dict[str, float] = {"prelu": 0.25}

ACTIVATIONS: dict[str, Callable[..., Any]] = {
    "identity": identity, "linear": identity, "step": step, "sigmoid": sigmoid, "tanh": tanh, "arctan": arctan,
    "relu": relu, "leaky_relu": leaky_relu, "prelu": prelu, "elu": elu, "softplus": softplus,
    "hardtanh": hardtanh, "abs": absolute,
}

# The rule each named activation applies (None: identity), so that a neuron can make its node directly.
ACTIVATION_RULES: dict[str, Rule | None] = {
    "identity": None, "linear": None, "leaky_relu": leaky_relu_rule(0.01), "elu": elu_rule(1.0), "prelu": PRELU_RULE,
    **{name: RULES[name] for name in ("step", "sigmoid", "tanh", "arctan", "relu", "softplus", "hardtanh", "abs")},
}


def get(name: str | None) -> Callable[..., Any]:
    """The activation called ``name`` (``None`` means identity).

    Raises ``ValueError`` listing the known names for an unknown one, ``TypeError`` for a non-string.

    >>> get("tanh")(0.0)
    0.0
    """
    if name is None:
        return identity
    if not isinstance(name, str):
        raise TypeError(f"an activation name must be a str or None, got {type(name).__name__} ({name!r})")
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; known: {', '.join(sorted(ACTIVATIONS))}") from None


def _shifted_exps(zs: tuple[float, ...]) -> tuple[float, list[float]]:
    # shifted by the largest logit so that every exp is <= 1 and the shift is exact; z - top may be -inf
    # for logits 2e308 apart, whose exp is then exactly 0, which is what the true value rounds to
    top = max(zs)
    return top, [math.exp(z - top) for z in zs]


def _logsumexp_value(*zs: float) -> float:
    top, exps = _shifted_exps(zs)
    return top + math.log(sum(exps))


def _logsumexp_partials(out: float, *zs: float) -> tuple[float, ...]:
    _, exps = _shifted_exps(zs)  # softmax(z), from the exact shift rather than from the rounded out
    total = sum(exps)
    return tuple([e / total for e in exps])


def _logsumexp_array(*zs: Any) -> Any:
    top = functools.reduce(np.maximum, zs)
    return top + np.log(sum([np.exp(z - top) for z in zs]))


def _logsumexp_array_partials(out: Any, *zs: Any) -> tuple[Any, ...]:
    top = functools.reduce(np.maximum, zs)
    exps = [np.exp(z - top) for z in zs]
    total = sum(exps)
    return tuple([e / total for e in exps])


# One node for log(sum_j exp(z_j)), however many logits: its value is computed stably inside the rule, so the
# graph never reads a logit's number (the compiled path can replay it) and logits of +-1e308 are fine.
LOGSUMEXP = Rule("logsumexp", None, _logsumexp_value, _logsumexp_partials,
                 "d logsumexp(z) / d z_i = softmax(z)_i", array_value=_logsumexp_array,
                 array_partials=_logsumexp_array_partials)

# exp(x - y) as one node: softmax's exp(z_i - logsumexp(z)) even where z_i - logsumexp(z) is below -1.8e308
# (the difference does not fit a float, its exp is 0).
EXP_OF_DIFFERENCE = Rule("exp_sub", 2, lambda x, y: math.exp(x - y), lambda out, x, y: (out, -out),
                         "d exp(x - y) = (out, -out)", array_value=lambda x, y: np.exp(x - y))


def _logits(logits: Sequence[Any], who: str) -> list[Any]:
    values = list(logits)
    if not values:
        raise ValueError(f"{who}: needs at least one logit")
    return values


def logsumexp(logits: Sequence[Any]) -> Any:
    """``log sum_j exp(z_j)`` as one node, computed stably for any logits; its gradient is ``softmax(z)``.

    Args:
        logits: floats, Values or Duals.

    Returns:
        a float, Value or Dual (one node).

    >>> round(logsumexp([1000.0, 1000.0]), 6), logsumexp([1e308, -1e308])
    (1000.693147, 1e+308)
    """
    return F.apply(LOGSUMEXP, *_logits(logits, "logsumexp"))


def softmax(logits: Sequence[Any]) -> list[Any]:
    """``exp(z_i) / sum_j exp(z_j)``, computed as ``exp(z_i - logsumexp(z))``: stable for logits up to +-1e308.

    Args:
        logits: floats, Values or Duals.

    Returns:
        a list of probabilities, one per logit.

    >>> [round(p, 4) for p in softmax([1000.0, 1000.0 + 0.6931471805599453])], softmax([1e308, -1e308])
    ([0.3333, 0.6667], [1.0, 0.0])
    """
    zs = _logits(logits, "softmax")
    total = F.apply(LOGSUMEXP, *zs)
    return [F.apply(EXP_OF_DIFFERENCE, z, total) for z in zs]


def log_softmax(logits: Sequence[Any]) -> list[Any]:
    """``z_i - logsumexp(z)``: the log-probabilities, stable for any logits.

    Raises OverflowError where a log-probability is below -1.8e308 (logits more than that apart), which no
    float holds (PyTorch gives -inf there); ``softmax`` gives that probability, 0.

    Args:
        logits: floats, Values or Duals.

    Returns:
        a list of log-probabilities, one per logit.

    >>> [round(p, 4) for p in log_softmax([1000.0, 1000.0])]
    [-0.6931, -0.6931]
    """
    zs = _logits(logits, "log_softmax")
    total = F.apply(LOGSUMEXP, *zs)
    out = []
    for i, z in enumerate(zs):
        try:
            out.append(F.apply(RULES["sub"], z, total))
        except OverflowError as error:  # z_i - logsumexp(z): the operands are in the message
            raise OverflowError(f"log_softmax: the log-probability of logit {i} is below -1.8e308, beyond a float "
                                f"({error}); softmax gives its probability, 0") from None
    return out


class PReLU(Module):
    """A PReLU with its own learnable slope, for composing models by hand.

    >>> act = PReLU(0.1); y = act(Value(-3.0)); y.backward(); (round(y.data, 6), act.alpha.grad)
    (-0.3, -3.0)
    """

    def __init__(self, alpha: float = 0.25, label: str = "alpha") -> None:
        self.alpha = Value(alpha, label=label)

    def __call__(self, x: Any) -> Any:
        if isinstance(x, (list, tuple)):
            return [prelu(xi, self.alpha) for xi in x]
        return prelu(x, self.alpha)

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``[("alpha", alpha)]``"""
        return [("alpha", self.alpha)]

    def _summary_rows(self) -> list[tuple[str, str, str, int]]:
        return [("prelu", "PReLU", "(same as input)", 1)]
