"""The L2 penalty ``alpha * sum p^2`` over a model's parameters, which ``fit(..., l2=...)`` adds."""

from __future__ import annotations

from typing import Any

from autograd import dot
from autograd.finite import check_number

from .base import as_loss, flatten

__all__ = ["l2_penalty"]


def l2_penalty(parameters: Any, alpha: float = 1e-4) -> Any:
    """``alpha * sum p^2`` over the parameters (a list of Values or a Module), as one dot node.

    >>> from autograd import Value
    >>> l2_penalty([Value(3.0), Value(4.0)], alpha=0.5).data
    12.5
    """
    params = list(parameters.parameters()) if hasattr(parameters, "parameters") else flatten(parameters)
    if not params:
        raise ValueError("l2_penalty: needs at least one parameter")
    alpha = check_number(alpha, "l2_penalty alpha")
    if alpha < 0:
        raise ValueError(f"l2_penalty: alpha must be >= 0, got {alpha!r}")
    return as_loss(dot(params, params), alpha)
