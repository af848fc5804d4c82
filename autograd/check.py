"""Checks for derivatives: central differences, gradcheck, and both AD modes side by side."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .functional import _floats, _output, value_and_grad
from .value import Value

__all__ = ["numerical_grad", "gradcheck", "GradcheckError", "compare_modes"]


def _evaluate(f: Callable[..., Any], xs: list[float]) -> float:
    return float(_output(f(*[Value(x) for x in xs]), Value, "numerical_grad").data)


def numerical_grad(f: Callable[..., Any], *xs: float, eps: float = 1e-6) -> tuple[float, ...]:
    """Central differences ``(f(x + h e_i) - f(x - h e_i)) / 2h`` with ``h = eps * max(1, |x_i|)``.

    The error is O(h^2) from truncation plus O(machine epsilon * |f| / h) from rounding; eps = 1e-6
    balances the two for well-scaled functions (about 1e-10 relative).

    >>> [round(g, 6) for g in numerical_grad(lambda x, y: x * y, 2.0, 3.0)]
    [3.0, 2.0]
    """
    point = _floats(xs, "numerical_grad")
    result = []
    for i, x in enumerate(point):
        h = eps * max(1.0, abs(x))
        up, down = list(point), list(point)
        up[i], down[i] = x + h, x - h
        result.append((_evaluate(f, up) - _evaluate(f, down)) / (up[i] - down[i]))
    return tuple(result)


class GradcheckError(AssertionError):
    """The analytic gradient disagrees with central differences; the message tabulates both."""


def gradcheck(f: Callable[..., Any], *xs: float, eps: float = 1e-6, atol: float = 1e-6,
              rtol: float = 1e-4, mode: str = "reverse") -> bool:
    """True when ``f``'s AD gradient matches central differences at ``xs``, else ``GradcheckError``.

    Args:
        f: a function of floats returning one number.
        xs: the point.
        eps, atol, rtol: step of the differences; each partial passes if
            ``|analytic - numeric| <= atol + rtol * |numeric|``.
        mode: ``"reverse"`` or ``"forward"``.

    >>> gradcheck(lambda x, y: (x * y).tanh() + y.exp(), 0.3, -1.2)
    True
    """
    _, analytic = value_and_grad(f, mode)(*xs)
    numeric = numerical_grad(f, *xs, eps=eps)
    bad = [abs(a - n) > atol + rtol * abs(n) for a, n in zip(analytic, numeric)]
    if any(bad):
        rows = [f"{'input':>8} {'x':>14} {'analytic':>14} {'numeric':>14} {'difference':>12}"]
        for i, (x, a, n, wrong) in enumerate(zip(xs, analytic, numeric, bad)):
            rows.append(f"{'x' + str(i + 1):>8} {x:>14.6g} {a:>14.8g} {n:>14.8g} {a - n:>12.3g}"
                        + ("  <- wrong" if wrong else ""))
        raise GradcheckError(f"gradcheck failed ({mode} mode, eps={eps:g}, atol={atol:g}, rtol={rtol:g}):\n"
                             + "\n".join(rows))
    return True


def compare_modes(f: Callable[..., Any], *xs: float, eps: float = 1e-6) -> dict[str, tuple[float, ...]]:
    """The gradient by reverse mode, forward mode and central differences, for showing side by side.

    >>> compare_modes(lambda x: x * x, 3.0)["forward"]
    (6.0,)
    """
    return {"reverse": value_and_grad(f, "reverse")(*xs)[1], "forward": value_and_grad(f, "forward")(*xs)[1],
            "numeric": numerical_grad(f, *xs, eps=eps)}
