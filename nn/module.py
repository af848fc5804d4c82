"""Module: what every model shares: its parameters by name, zero_grad, state dicts, its file, a summary.

A subclass lists its parameters in ``named_parameters()`` (micrograd's order: per layer, per neuron,
the weights then the bias); everything else is derived from that one list. A subclass that returns its
constructor arguments from ``config()`` is rebuilt from its file by ``nn.load`` (see ``nn.saving``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from autograd.value import Value

from . import saving, torch_bridge
from .files import MAX_FILE_BYTES

__all__ = ["Module"]

M = TypeVar("M", bound="Module")


class Module:
    """Base class of models: override ``named_parameters()`` (and ``__call__``).

    >>> class Line(Module):
    ...     def __init__(self): self.a, self.b = Value(2.0), Value(1.0)
    ...     def named_parameters(self): return [("a", self.a), ("b", self.b)]
    >>> m = Line(); m.load_state_dict({"a": 3.0, "b": -1.0}); m.state_dict()
    {'a': 3.0, 'b': -1.0}
    """

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        saving.register(cls)

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``(name, parameter)`` pairs in a fixed order; names are paths such as ``"L1.N2.w3"``."""
        return []

    def parameters(self) -> list[Value]:
        """The parameters in the order of ``named_parameters()``."""
        return [p for _, p in self.named_parameters()]

    def _parameter_lists(self) -> Iterator[Sequence[Value]]:
        """The parameters in order, as lists: a model made of parts (an MLP of neurons) yields its parts' own
        lists, so ``zero_grad`` builds none (on the digits MLP, building the list took twice as long as zeroing)."""
        yield self.parameters()

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0 (gradients accumulate across ``backward()`` calls)."""
        for group in self._parameter_lists():
            for p in group:
                p.grad = 0.0

    def num_parameters(self) -> int:
        """How many scalar parameters the model has."""
        return len(self.parameters())

    # ---- state: a flat {name: float} -----------------------------------------------------------

    def state_dict(self) -> dict[str, float]:
        """``{name: value}`` for every parameter, in order: what ``save`` writes."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Any) -> None:
        """Set every parameter from ``state``, or change nothing and raise.

        Everything is checked before anything is assigned: ``state`` must be a dict with exactly the
        model's names (``ValueError`` lists missing and unexpected ones) and a finite real number for
        each (``TypeError`` names the key and the type, ``ValueError`` names a NaN or infinity).

        Args:
            state: a dict such as ``state_dict()`` returns.
        """
        if not isinstance(state, dict):
            raise TypeError(f"a state dict must be a dict of parameter values, got {type(state).__name__}")
        named = self.named_parameters()
        expected = [name for name, _ in named]
        missing = [k for k in expected if k not in state]
        known = set(expected)
        unexpected = [k for k in state if k not in known]
        if missing or unexpected:
            raise ValueError(f"the state does not fit this {type(self).__name__}: it has {len(state)} parameters, "
                             f"the model {len(expected)}" + _listing("missing", missing)
                             + _listing("unexpected", unexpected))
        values = [_parameter_value(name, state[name]) for name in expected]
        for (_, p), x in zip(named, values):
            p.data = x

    # ---- architecture and files: JSON, validated before anything changes ------------------------

    def config(self) -> dict[str, Any] | None:
        """The constructor arguments that rebuild this model's architecture (``None``: unknown).

        Subclasses that ``nn.load`` should rebuild return a dict of JSON values; ``from_config`` passes it
        back to the constructor. A subclass that cannot describe itself (a custom activation function)
        raises ``ValueError`` saying why.
        """
        return None

    @classmethod
    def from_config(cls: type[M], config: dict[str, Any]) -> M:
        """A new model of this class with the architecture ``config()`` described (fresh weights).

        >>> from nn import MLP
        >>> MLP.from_config(MLP(2, [3, 1], activation="tanh").config())
        MLP(2, [3, 1], activation='tanh', output_activation='identity')
        """
        return cls(**config)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the architecture and the parameters to ``path`` as JSON, atomically (see ``nn.files``).

        ``nn.load(path)`` (or ``MLP.load(path)``) rebuilds the model from the file; ``load_weights(path)``
        loads the parameters into a model built by hand. A model whose architecture cannot be written
        (a custom activation function) is saved with its parameters only, with a warning.

        Args:
            path: the file to write: a new name or a regular file (a folder, device, FIFO or socket is refused).
        """
        saving.save(self, path)

    load = saving.ClassOrModel()

    def load_weights(self: M, path: str | os.PathLike[str], max_bytes: int = MAX_FILE_BYTES) -> M:
        """Read parameters saved by ``save`` into this model; on any error the model is left exactly as it was.

        A file that is not JSON (truncated, corrupt), not this format, saved from another class or
        another architecture, or whose parameters do not fit (another shape, a missing key, a
        non-number) is refused with a ``ValueError`` or ``TypeError`` that starts with the path.

        Args:
            path: a file written by ``save``.
            max_bytes: the largest file accepted (``nn.files.MAX_FILE_BYTES`` by default).

        Returns:
            the model itself, for chaining.
        """
        saving.load_weights(self, path, max_bytes)
        return self

    # ---- PyTorch -------------------------------------------------------------------------------

    def dense_layers(self) -> list[torch_bridge.Dense]:
        """The model as fully connected layers (weights, biases, activation), the form ``to_torch`` converts."""
        raise TypeError(f"a {type(self).__qualname__} is not made of fully connected layers: to_torch converts "
                        "MLP, Layer and Neuron")

    def to_torch(self) -> Any:
        """The same network in PyTorch: a ``torch.nn.Sequential`` of ``Linear`` and activation modules, float64.

        Needs PyTorch (``pip install "dualgrad[torch]"``). The reverse is ``MLP.from_torch(module)``.

        Returns:
            a ``torch.nn.Sequential`` with this model's weights.
        """
        return torch_bridge.to_torch(self.dense_layers())

    # ---- summary -------------------------------------------------------------------------------

    def _summary_rows(self) -> list[tuple[str, str, str, int]]:
        """``(name, type, output shape, parameter count)`` per row; one row for the whole model here."""
        return [(type(self).__name__.lower(), type(self).__name__, "?", self.num_parameters())]

    def summary(self) -> str:
        """A Keras-style table: one row per layer with its output size and parameter count, then the total.

        Returns:
            the table as text (print it).
        """
        rows = [(f"{name} ({kind})", shape, str(count)) for name, kind, shape, count in self._summary_rows()]
        headers = ("Layer (type)", "Output Shape", "Param #")
        widths = [max(len(headers[i]), *(len(r[i]) for r in rows)) + 4 for i in range(3)]
        rule = "_" * sum(widths)

        def line(cells: tuple[str, str, str]) -> str:
            return "".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()

        total = self.num_parameters()
        return "\n".join([f'Model: "{type(self).__name__}"', rule, line(headers), "=" * sum(widths),
                          *[line(r) for r in rows], "=" * sum(widths), f"Total params: {total:,}",
                          f"Trainable params: {total:,}", "Non-trainable params: 0", rule])


def _listing(what: str, names: list[str], most: int = 6) -> str:
    if not names:
        return ""
    shown = ", ".join(names[:most]) + (f" (and {len(names) - most} more)" if len(names) > most else "")
    return f"; {what}: {shown}"


def _parameter_value(name: str, x: Any) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f"parameter {name!r} must be a number, got {type(x).__name__} ({x!r})")
    try:
        value = float(x)
    except OverflowError:  # an integer too large for a float
        value = math.inf
    if not math.isfinite(value):
        raise ValueError(f"parameter {name!r} must be finite, got {x!r:.40}")
    return value
