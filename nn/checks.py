"""Argument checks shared across nn, so every module refuses a bad count with the same words."""

from __future__ import annotations

import numbers
from typing import Any

__all__ = ["count"]


def count(n: Any, who: str, minimum: int = 1) -> int:
    """``n`` as an int of at least ``minimum``; ``TypeError`` / ``ValueError`` naming ``who`` otherwise.

    >>> count(3, "epochs")
    3
    >>> count(0, "epochs")
    Traceback (most recent call last):
    ...
    ValueError: epochs must be at least 1, got 0
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):  # numpy integers are Integral too
        raise TypeError(f"{who} must be an int, got {type(n).__name__} ({n!r})")
    if n < minimum:
        raise ValueError(f"{who} must be at least {minimum}, got {n}")
    return int(n)
