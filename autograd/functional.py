"""Functions of functions: grad, value_and_grad, derivative, jvp.

``f`` is any Python function of numbers written with operators, methods or ``autograd.functions``.
Reverse mode runs it once on Values and backpropagates; forward mode runs it once per input on Duals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .dual import Dual
from .operand import check_number, is_number
from .value import Value

__all__ = ["grad", "value_and_grad", "derivative", "jvp"]

MODES = ("reverse", "forward")


def _output(out: Any, kind: type, who: str) -> Any:
    if isinstance(out, kind):
        return out
    if is_number(out):  # f ignored its inputs: a constant
        return kind(out)
    raise TypeError(f"{who}: f must return one number (a {kind.__name__}), got {type(out).__name__}")


def _floats(args: Sequence[Any], who: str) -> list[float]:
    if not args:
        raise TypeError(f"{who}: call with at least one number")
    return [check_number(a, f"{who} argument {i + 1}") for i, a in enumerate(args)]


def value_and_grad(f: Callable[..., Any], mode: str = "reverse") -> Callable[..., tuple[float, tuple[float, ...]]]:
    """``f(*xs)`` and its gradient, one partial per positional argument.

    Args:
        f: a function of floats returning one number.
        mode: ``"reverse"`` (one Value sweep) or ``"forward"`` (one Dual sweep per input).

    Returns:
        a function ``(*xs) -> (value, (df/dx1, ..., df/dxn))``.

    >>> value_and_grad(lambda x, y: x * y + y)(2.0, 3.0)
    (9.0, (3.0, 3.0))
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")

    def reverse(*args: Any) -> tuple[float, tuple[float, ...]]:
        xs = [Value(x, label=f"x{i + 1}") for i, x in enumerate(_floats(args, "grad"))]
        out = _output(f(*xs), Value, "grad")
        out.backward()
        return out.data, tuple(x.grad for x in xs)

    def forward(*args: Any) -> tuple[float, tuple[float, ...]]:
        primals = _floats(args, "grad")
        partials = []
        out = Dual(0.0)
        for i in range(len(primals)):
            out = _output(f(*[Dual(x, float(i == j)) for j, x in enumerate(primals)]), Dual, "grad")
            partials.append(out.tangent)
        return out.primal, tuple(partials)

    return reverse if mode == "reverse" else forward


def grad(f: Callable[..., Any], mode: str = "reverse") -> Callable[..., tuple[float, ...]]:
    """The gradient of ``f``: a function returning one partial per positional argument.

    >>> grad(lambda x, y: x * y + y * y)(2.0, 3.0)
    (3.0, 8.0)
    >>> grad(lambda x, y: x * y + y * y, mode="forward")(2.0, 3.0)
    (3.0, 8.0)
    """
    inner = value_and_grad(f, mode)

    def gradient(*args: Any) -> tuple[float, ...]:
        return inner(*args)[1]

    return gradient


def derivative(f: Callable[[Any], Any]) -> Callable[[float], float]:
    """``f'`` for a function of one number, by one forward-mode sweep.

    >>> derivative(lambda x: x ** 3)(2.0)
    12.0
    """

    def df(x: float) -> float:
        return float(_output(f(Dual(check_number(x, "derivative"), 1.0)), Dual, "derivative").tangent)

    return df


def jvp(f: Callable[..., Any], primals: Sequence[float], tangents: Sequence[float]) -> tuple[float, float]:
    """``f(*primals)`` and the directional derivative ``J(primals) @ tangents``, by one Dual sweep.

    >>> jvp(lambda x, y: x * y, (2.0, 3.0), (1.0, 1.0))
    (6.0, 5.0)
    """
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    duals = [Dual(check_number(p, "jvp primal"), check_number(t, "jvp tangent")) for p, t in zip(primals, tangents)]
    out = _output(f(*duals), Dual, "jvp")
    return out.primal, out.tangent
