"""Activation functions by name, for floats, Values and Duals alike; softmax and log-softmax over a list.

Every function here is one node of the graph (``prelu`` included: its slope is a second operand, so
its gradient flows to a learnable ``alpha``). ``get("relu")`` looks one up by name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from autograd import functions as F
from autograd import summation
from autograd.ops import RULES, Rule, elu_rule, leaky_relu_rule
from autograd.value import Value

from .module import Module

__all__ = ["identity", "step", "sigmoid", "tanh", "arctan", "relu", "leaky_relu", "prelu", "elu", "softplus",
           "hardtanh", "absolute", "softmax", "log_softmax", "get", "ACTIVATIONS", "ACTIVATION_RULES", "PARAMETRIC",
           "PReLU"]


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


def _shifted(logits: Sequence[Any], who: str) -> list[Any]:
    """``z_i - max(z)``: the shift changes neither softmax nor its gradient, and keeps every exp <= 1."""
    values = list(logits)
    if not values:
        raise ValueError(f"{who}: needs at least one logit")
    top = max(float(z) for z in values)  # a constant: the result does not depend on it
    return [z - top for z in values]


def softmax(logits: Sequence[Any]) -> list[Any]:
    """``exp(z_i) / sum_j exp(z_j)``, computed on ``z - max(z)`` so logits of 1e3 do not overflow.

    Args:
        logits: floats, Values or Duals.

    Returns:
        a list of probabilities, one per logit.

    >>> [round(p, 4) for p in softmax([1000.0, 1000.0 + 0.6931471805599453])]
    [0.3333, 0.6667]
    """
    exps = [F.exp(s) for s in _shifted(logits, "softmax")]
    total = summation(exps)
    return [e / total for e in exps]


def log_softmax(logits: Sequence[Any]) -> list[Any]:
    """``z_i - max(z) - log(sum_j exp(z_j - max(z)))``: the log-probabilities, stable for any logits.

    Args:
        logits: floats, Values or Duals.

    Returns:
        a list of log-probabilities, one per logit.

    >>> [round(p, 4) for p in log_softmax([1000.0, 1000.0])]
    [-0.6931, -0.6931]
    """
    shifted = _shifted(logits, "log_softmax")
    log_total = F.log(summation([F.exp(s) for s in shifted]))
    return [s - log_total for s in shifted]


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
