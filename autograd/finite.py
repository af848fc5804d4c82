"""The numbers the engine accepts: finite reals, checked once with errors that say what was wrong."""

from __future__ import annotations

import numbers
from typing import Any

__all__ = ["check_number", "is_number", "ARITHMETIC_ERRORS"]

# What a rule's float function raises outside its domain; the engine reports each as the rule's own error.
ARITHMETIC_ERRORS = (ValueError, ArithmeticError)


def is_number(x: Any) -> bool:
    """True for a plain real number (int, float, numpy scalar; not a bool): what becomes a constant."""
    return type(x) is float or type(x) is int or (isinstance(x, numbers.Real) and not isinstance(x, bool))


def check_number(x: Any, who: str) -> float:
    """``x`` as a finite float, or ``TypeError`` / ``ValueError`` / ``OverflowError`` naming ``who`` and ``x``.

    >>> check_number(3, "epochs")
    3.0
    >>> check_number(float("nan"), "lr")
    Traceback (most recent call last):
    ...
    ValueError: lr needs a finite number, got nan
    """
    if type(x) is not float:
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
        raise ValueError(f"{who} needs a finite number, got {x!r}")
    return x
