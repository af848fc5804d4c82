"""Module: what every model shares: its parameters by name, zero_grad, state dicts, JSON files, a summary.

A subclass lists its parameters in ``named_parameters()`` (micrograd's order: per layer, per neuron,
the weights then the bias); everything else is derived from that one list.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from autograd.value import Value

__all__ = ["Module", "FILE_FORMAT"]

FILE_FORMAT = "dualgrad.nn"
FILE_VERSION = 1


class Module:
    """Base class of models: override ``named_parameters()`` (and ``__call__``).

    >>> class Line(Module):
    ...     def __init__(self): self.a, self.b = Value(2.0), Value(1.0)
    ...     def named_parameters(self): return [("a", self.a), ("b", self.b)]
    >>> m = Line(); m.load_state_dict({"a": 3.0, "b": -1.0}); m.state_dict()
    {'a': 3.0, 'b': -1.0}
    """

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``(name, parameter)`` pairs in a fixed order; names are paths such as ``"L1.N2.w3"``."""
        return []

    def parameters(self) -> list[Value]:
        """The parameters in the order of ``named_parameters()``."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0 (gradients accumulate across ``backward()`` calls)."""
        for p in self.parameters():
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

    # ---- files: JSON, validated before anything changes ------------------------------------------

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the parameters to ``path`` as JSON (written to a temporary file, then renamed).

        Args:
            path: the file to write.
        """
        document = {"format": FILE_FORMAT, "version": FILE_VERSION, "class": type(self).__name__,
                    "num_parameters": self.num_parameters(), "parameters": self.state_dict()}
        target = Path(path)
        partial = target.with_name(target.name + ".partial")
        partial.write_text(json.dumps(document, indent=1, allow_nan=False) + "\n", encoding="utf-8")
        os.replace(partial, target)  # a crash mid-write never leaves a truncated model file

    def load(self, path: str | os.PathLike[str]) -> Module:
        """Read parameters saved by ``save``; on any error the model is left exactly as it was.

        A file that is not JSON (truncated, corrupt), not this format, saved from another class,
        or whose parameters do not fit (another shape, a missing key, a non-number) is refused with
        a ``ValueError`` or ``TypeError`` that starts with the path.

        Args:
            path: a file written by ``save``.

        Returns:
            the model itself, for chaining.
        """
        try:
            text = Path(path).read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise ValueError(f"{path}: not a JSON text file ({error})") from None
        try:
            document = json.loads(text, parse_constant=_refuse_constant)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}: not valid JSON (truncated or corrupt?): {error}") from None
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from None
        try:
            self.load_state_dict(_unpack(document, type(self).__name__))
        except TypeError as error:
            raise TypeError(f"{path}: {error}") from None
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from None
        return self

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


def _refuse_constant(token: str) -> float:
    raise ValueError(f"{token} is not a parameter value (JSON has no NaN or Infinity)")


def _unpack(document: Any, class_name: str) -> Any:
    """The parameters of a saved document, after checking its header."""
    if not isinstance(document, dict):
        raise ValueError(f"expected a JSON object, got a JSON {type(document).__name__}")
    for key in ("format", "version", "class", "parameters"):
        if key not in document:
            raise ValueError(f"missing key {key!r}: not a model file written by Module.save")
    if document["format"] != FILE_FORMAT or document["version"] != FILE_VERSION:
        raise ValueError(f"unknown format {document['format']!r} version {document['version']!r}; "
                         f"expected {FILE_FORMAT!r} version {FILE_VERSION}")
    if document["class"] != class_name:
        raise ValueError(f"the file holds a {document['class']!r}, this model is a {class_name!r}")
    return document["parameters"]
