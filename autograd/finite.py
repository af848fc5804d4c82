"""The numbers the engine accepts: finite reals, checked once with errors that say what was wrong."""

from __future__ import annotations

import numbers
from typing import Any

__all__ = ["check_number", "is_number", "refuse_array", "NotFinite", "ARITHMETIC_ERRORS"]

# What a rule's float function raises outside its domain; the engine reports each as the rule's own error.
ARITHMETIC_ERRORS = (ValueError, ArithmeticError)


class NotFinite(ValueError):
    """A NaN or an infinity where a finite number belongs (a Value's data, a seed, an argument)."""


def is_number(x: Any) -> bool:
    """True for a plain real number (int, float, numpy scalar or 0-d array; not a bool): what becomes a constant."""
    return type(x) is float or type(x) is int or (isinstance(x, numbers.Real) and not isinstance(x, bool)) or (
        _zero_dimensional(x))


def _zero_dimensional(x: Any) -> bool:
    """A numpy 0-d array of integers or floats (``np.array(3.)``): one number, as PyTorch takes it."""
    return getattr(x, "shape", None) == () and getattr(getattr(x, "dtype", None), "kind", "") in ("i", "u", "f")


def refuse_array(x: Any, kind: str) -> None:
    """A ``TypeError`` if ``x`` is an array (it has a ``shape``) met as an operand of a ``kind`` (Value, Dual):
    numpy's own message would name neither ("Concatenation operation is not implemented")."""
    shape = getattr(x, "shape", None)
    if shape is not None and shape != ():
        raise TypeError(f"a {kind} holds one number and does not combine with an array ({type(x).__name__} of "
                        f"shape {tuple(shape)}): loop over its elements, or make a list of {kind}s")


def check_number(x: Any, who: str) -> float:
    """``x`` as a finite float, or ``TypeError`` / ``ValueError`` / ``OverflowError`` naming ``who`` and ``x``.

    >>> check_number(3, "epochs")
    3.0
    >>> check_number(float("nan"), "lr")
    Traceback (most recent call last):
    ...
    autograd.finite.NotFinite: lr needs a finite number, got nan
    """
    if type(x) is not float:
        if _zero_dimensional(x):
            x = x.item()
        if isinstance(x, bool) or not isinstance(x, numbers.Real):
            hint = ""
            if hasattr(x, "grad") and hasattr(x, "data"):
                hint = ("; a Value holds a float: for derivatives of derivatives put Values inside a Dual "
                        "(Dual(Value(x), 1.0)) or use backward(create_graph=True)")
            elif hasattr(x, "shape"):
                hint = "; pass one number (float(a) for a numpy scalar or a 0-d array)"
            raise TypeError(f"{who} needs a real number, got {type(x).__name__} ({x!r:.60}){hint}")
        try:
            x = float(x)
        except OverflowError:
            raise OverflowError(f"{who} needs a number that fits a float (|x| < 1.8e308), got one with "
                                f"{len(str(abs(int(x))))} digits") from None
    if x - x != 0.0:
        raise NotFinite(f"{who} needs a finite number, got {x!r}")
    return x
