"""Activation functions by name, for floats, Values and Duals alike; softmax and log-softmax over a list.

The activations are the rules of the engine's table marked ``activation`` (``autograd.RULES``), read off it
when asked, so a rule added with ``defrule(Rule(..., activation="glorot"))`` is an activation at once; plus
``identity`` (Keras's "linear"). Each is one node of the graph (``prelu`` included: its slope is a second
operand, so its gradient flows to a learnable ``alpha``). ``get("relu")`` looks one up by name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from autograd import functions as F
from autograd.functions import function
from autograd.rule import RULES, Rule
from autograd.value import Value

from .module import Module

__all__ = ["identity", "softmax", "log_softmax", "logsumexp", "get", "rule_of", "initialisation", "prelu",
           "ACTIVATIONS",
           "PARAMETRIC", "PRELU_SLOPE", "PReLU"]

PRELU_SLOPE = 0.25
"""The initial slope of a learnable PReLU, as PyTorch's."""


def identity(x: Any) -> Any:
    """``x`` itself (Keras calls it "linear"); its derivative is 1.

    >>> identity(2.5)
    2.5
    """
    return x


def prelu(x: Any, alpha: Any = PRELU_SLOPE) -> Any:
    """``x if x > 0 else alpha * x`` where ``alpha`` may be a Value that learns (He et al., 2015).

    Args:
        x: a float, Value or Dual.
        alpha: the slope for ``x <= 0``: a number, or a Value to learn it.

    Returns:
        one node with partials ``(1, 0)`` for ``x > 0`` and ``(alpha, x)`` otherwise.

    >>> a = Value(0.25); y = prelu(Value(-2.0), a); y.backward(); (y.data, a.grad)
    (-0.5, -2.0)
    """
    return F.apply(RULES["prelu"], x, alpha)


# Activations with one learnable parameter (an operand of their rule), and its initial value.
PARAMETRIC: dict[str, float] = {"prelu": PRELU_SLOPE}
_ALIASES: dict[str, Callable[..., Any]] = {"identity": identity, "linear": identity, "prelu": prelu}


class _Activations(Mapping[str, Callable[..., Any]]):
    """``name -> function``: identity and linear, and every rule of the table marked as an activation."""

    def _names(self) -> list[str]:
        return ["identity", "linear"] + [r.name for r in RULES.values() if r.activation]

    def __getitem__(self, name: str) -> Callable[..., Any]:
        if name in _ALIASES:
            return _ALIASES[name]
        rule = RULES.get(name)
        if rule is None or not rule.activation:
            raise KeyError(name)
        return function(rule)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())


ACTIVATIONS: Mapping[str, Callable[..., Any]] = _Activations()


def rule_of(name: str) -> Rule | None:
    """The rule a named activation applies (``None`` for identity), its parameters at their defaults, so a
    neuron can make its node directly.

    >>> rule_of("leaky_relu").title, rule_of("identity")
    ('leaky_relu(0.01)', None)
    """
    if name in ("identity", "linear"):
        return None
    rule = RULES[name]
    return rule.bind() if rule.params else rule


def initialisation(name: str) -> str:
    """``"he"`` for the ReLU family, ``"glorot"`` for the other activations (and identity): how ``nn.layers``
    draws the weights of a layer with this activation (a custom activation function counts as glorot).

    >>> initialisation("elu"), initialisation("tanh"), initialisation("linear")
    ('he', 'glorot', 'glorot')
    """
    rule = RULES.get(name)
    return rule.activation if rule is not None and rule.activation else "glorot"


def __getattr__(name: str) -> Any:
    # activations.relu, activations.tanh, ...: read off the table
    if name in ACTIVATIONS:
        return ACTIVATIONS[name]
    if name == "absolute":
        return F.absolute
    raise AttributeError(f"module 'nn.activations' has no activation {name!r}; known: {', '.join(ACTIVATIONS)}")


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
    return F.apply(RULES["logsumexp"], *_logits(logits, "logsumexp"))


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
    total = F.apply(RULES["logsumexp"], *zs)
    return [F.apply(RULES["exp_sub"], z, total) for z in zs]


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
    out = []
    for i, z in enumerate(zs):
        try:  # -(logsumexp(z) - z_i): one node for the pair, exact for large equal logits
            out.append(F.apply(RULES["neg"], F.apply(RULES["logsumexp_sub"], *zs, z)))
        except OverflowError as error:  # the operands are in the message
            raise OverflowError(f"log_softmax: the log-probability of logit {i} is below -1.8e308, beyond a float "
                                f"({error}); softmax gives its probability, 0") from None
    return out


class PReLU(Module):
    """A PReLU with its own learnable slope, for composing models by hand.

    >>> act = PReLU(0.1); y = act(Value(-3.0)); y.backward(); (round(y.data, 6), act.alpha.grad)
    (-0.3, -3.0)
    """

    def __init__(self, alpha: float = PRELU_SLOPE, label: str = "alpha") -> None:
        self.alpha = Value(alpha, label=label)

    def __call__(self, x: Any) -> Any:
        if isinstance(x, (list, tuple)):
            return [prelu(xi, self.alpha) for xi in x]
        return prelu(x, self.alpha)

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``[("alpha", alpha)]``"""
        return [("alpha", self.alpha)]

    def config(self) -> dict[str, Any]:
        """``{"label": ...}``: what ``nn.load`` rebuilds it from (alpha is a parameter, saved with the weights)."""
        return {"label": self.alpha.label}

    def _summary_rows(self) -> list[tuple[str, str, str, int]]:
        return [("prelu", "PReLU", "(same as input)", 1)]
