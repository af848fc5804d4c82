"""Checks for derivatives: central differences, gradcheck, and both AD modes side by side."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .finite import check_number
from .functional import value_and_grad
from .value import Value

__all__ = ["numerical_grad", "gradcheck", "GradcheckError", "compare_modes"]


def _positive(x: Any, who: str, zero: bool = False) -> float:
    x = check_number(x, who)
    if x < 0 or (x == 0 and not zero):
        raise ValueError(f"{who} must be {'>= 0' if zero else '> 0'}, got {x!r}")
    return x


def _evaluate(f: Callable[..., Any], xs: list[float]) -> float:
    out = f(*[Value(x) for x in xs])
    if isinstance(out, Value):
        return out.data
    return check_number(out, "numerical_grad: f's result")


def numerical_grad(f: Callable[..., Any], *xs: float, eps: float = 1e-6) -> tuple[float, ...]:
    """Central differences ``(f(x + h e_i) - f(x - h e_i)) / 2h`` with ``h = eps * max(1, |x_i|)``.

    The error is O(h^2) from truncation plus O(machine epsilon * |f| / h) from rounding; eps = 1e-6
    balances the two for well-scaled functions (about 1e-10 relative).

    >>> [round(g, 6) for g in numerical_grad(lambda x, y: x * y, 2.0, 3.0)]
    [3.0, 2.0]
    """
    eps = _positive(eps, "numerical_grad eps")
    if not xs:
        raise TypeError("numerical_grad: call with at least one number")
    point = [check_number(x, f"numerical_grad argument {i + 1}") for i, x in enumerate(xs)]
    result = []
    for i, x in enumerate(point):
        h = eps * max(1.0, abs(x))
        up, down = list(point), list(point)
        up[i], down[i] = x + h, x - h
        if up[i] == down[i]:  # h is below x's last digit: the difference would divide by zero
            raise ValueError(f"numerical_grad eps={eps!r} is lost in rounding at argument {i + 1} = {x!r} "
                             "(x + h == x); use eps of 1e-8 or more")
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
        eps: the step of the differences (> 0).
        atol, rtol: each partial passes if ``|analytic - numeric| <= atol + rtol * |numeric|`` (finite, >= 0).
        mode: ``"reverse"`` or ``"forward"``.

    >>> gradcheck(lambda x, y: (x * y).tanh() + y.exp(), 0.3, -1.2)
    True
    """
    atol, rtol = _positive(atol, "gradcheck atol", zero=True), _positive(rtol, "gradcheck rtol", zero=True)
    _, analytic = value_and_grad(f, mode)(*xs)
    numeric = numerical_grad(f, *xs, eps=eps)
    bad = [not abs(a - n) <= atol + rtol * abs(n) for a, n in zip(analytic, numeric)]
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
