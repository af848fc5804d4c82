"""Argument checks shared across nn, so every module refuses a bad count or seed with the same words."""

from __future__ import annotations

import numbers
from typing import Any

__all__ = ["count", "check_seed"]


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


def check_seed(seed: Any, who: str = "seed") -> int | None:
    """``seed`` if it is ``None`` or a whole number >= 0 (what ``random`` and numpy both accept the same way).

    Python's ``random.Random(-1)`` silently equals ``Random(1)`` and numpy refuses negative seeds without
    naming the argument, so a negative seed is refused here, by name.

    >>> check_seed(7), check_seed(None)
    (7, None)
    >>> check_seed(-1)
    Traceback (most recent call last):
    ...
    ValueError: seed must be a whole number >= 0 (or None for a fresh random one), got -1
    """
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{who} must be an int or None, got {type(seed).__name__} ({seed!r:.40})")
    if seed < 0:
        raise ValueError(f"{who} must be a whole number >= 0 (or None for a fresh random one), got {seed}")
    return int(seed)
