"""Functions of functions: grad, value_and_grad, derivative, jvp, hessian, hvp.

``f`` is any Python function of numbers written with operators, methods or ``autograd.functions``. Reverse
mode runs it once on Values and sweeps back; forward mode runs it once per input on Duals. Transforms are
pure: they never change a ``.grad`` (the sweeps run on stand-ins, ``autograd.backprop.adjoints``) and give
derivatives with respect to their arguments only. They nest: called on Values, or inside another transform,
``grad`` returns Values that the outer one differentiates; on Duals it works in forward mode with a new tag.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from .backprop import GradientNotFinite, adjoints, careful_adjoints, topological_order
from .dual import Dual, new_tag
from .finite import check_number, is_number
from .operand import Operand
from .value import Value

__all__ = ["grad", "value_and_grad", "derivative", "jvp", "hessian", "hvp", "MODES", "HESSIAN_MODES"]

MODES = ("reverse", "forward")
HESSIAN_MODES = ("forward-over-reverse", "reverse-over-reverse", "forward-over-forward")
_state = threading.local()  # how many transforms are running f in this thread


def _arguments(args: Sequence[Any], who: str) -> list[Any]:
    if not args:
        raise TypeError(f"{who}: call with at least one number")
    return [a if isinstance(a, Operand) else check_number(a, f"{who} argument {i + 1}") for i, a in enumerate(args)]


def _call(f: Callable[..., Any], args: list[Any], reverse: bool = False) -> Any:
    """``f(*args)``, counting the reverse-mode transforms running it: a grad called inside one must return
    Values, so that the outer one can differentiate them. Duals carry forward mode, but Duals of Values will be
    swept in reverse afterwards (forward-over-reverse), so they count too."""
    depth = getattr(_state, "depth", 0)
    _state.depth = depth + (reverse or any(_holds_value(a) for a in args))
    try:
        out = f(*args)
    finally:
        _state.depth = depth
    # the gradient of a function of one number is a 1-tuple: so grad(grad(f)) differentiates its one partial
    return out[0] if type(out) is tuple and len(out) == 1 else out


def _holds_value(a: Any) -> bool:
    return isinstance(a, Value) or (isinstance(a, Dual) and (_holds_value(a.primal) or _holds_value(a.tangent)))


def _nested() -> bool:
    return getattr(_state, "depth", 0) > 0


def _reverse(f: Callable[..., Any], args: list[Any], who: str) -> tuple[Any, tuple[Any, ...]]:
    """f's value and gradient by one reverse sweep; Values when nested or given Values (differentiable)."""
    differentiable = _nested() or any(isinstance(a, Value) for a in args)
    # a Value argument enters through its own node (+a), so each partial is with respect to that argument alone
    inputs = [+a if isinstance(a, Value) else Value(a, label=f"x{i + 1}") for i, a in enumerate(args)]
    for i, x in enumerate(inputs):
        x.label = x.label or f"x{i + 1}"
    out = _call(f, inputs, reverse=True)
    grads = _back(out, inputs, differentiable, who)
    if is_number(out):  # f ignored its inputs
        return check_number(out, f"{who}: f's result"), grads
    return (out if differentiable or not isinstance(out, Value) else out.data), grads


def _back(out: Any, inputs: list[Value], differentiable: bool, who: str) -> tuple[Any, ...]:
    """``d out / d input`` for each input by the reverse sweep (on stand-ins); a Dual result (f read a Dual
    captured from an enclosing forward-mode transform) is swept part by part."""
    if is_number(out):
        return (0.0,) * len(inputs)
    if isinstance(out, Dual):
        pairs = zip(_back(out.primal, inputs, differentiable, who), _back(out.tangent, inputs, differentiable, who))
        return tuple(Dual(p, t, out.tag) for p, t in pairs)
    if not isinstance(out, Value):
        raise TypeError(f"{who}: f must return one number, got {type(out).__name__} ({out!r:.60})")
    found = adjoints(out, create_graph=differentiable, stop=inputs)
    grads = tuple(found.get(x, 0.0) for x in inputs)
    if not differentiable and any(g - g != 0.0 for g in grads):
        found = careful_adjoints(out, 1.0, topological_order(out, stop=inputs), stop=inputs)
        grads = tuple(found.get(x, 0.0) for x in inputs)
    return grads


def _forward(f: Callable[..., Any], args: list[Any], who: str) -> tuple[Any, tuple[Any, ...]]:
    """f's value and gradient by one Dual sweep per argument, each derivative with a new tag."""
    tag = new_tag()
    partials, value = [], None
    for i in range(len(args)):
        out = _call(f, [Dual(a, 1.0 if i == j else 0.0, tag) for j, a in enumerate(args)])
        value, tangent = _split(out, tag, who)
        partials.append(tangent)
    return value, tuple(partials)


def _split(out: Any, tag: int, who: str) -> tuple[Any, Any]:
    """The primal and the tangent of tag ``tag`` of a result (a result without that tag is a constant)."""
    if isinstance(out, Dual) and out.tag == tag:
        primal, tangent = out.primal, out.tangent
    elif isinstance(out, Operand) or is_number(out):
        primal, tangent = out, 0.0
    else:
        raise TypeError(f"{who}: f must return one number, got {type(out).__name__} ({out!r:.60})")
    if type(tangent) is float and tangent - tangent != 0.0:
        raise GradientNotFinite(f"{who}: the derivative is {tangent} at this point (a partial is infinite there, "
                                "or the result overflowed); move the point away from the edge of the domain")
    return (float(primal) if is_number(primal) else primal), tangent


def value_and_grad(f: Callable[..., Any], mode: str = "reverse") -> Callable[..., tuple[Any, tuple[Any, ...]]]:
    """``f(*xs)`` and its gradient, one partial per positional argument.

    Args:
        f: a function of numbers returning one number.
        mode: ``"reverse"`` (one Value sweep) or ``"forward"`` (one Dual sweep per input). Given Duals (inside a
            forward-mode derivative), reverse mode works in forward mode too.

    Returns:
        a function ``(*xs) -> (value, (df/dx1, ..., df/dxn))``: floats for numbers; Values (differentiable)
        when called on Values or inside another transform.

    >>> value_and_grad(lambda x, y: x * y + y)(2.0, 3.0)
    (9.0, (3.0, 3.0))
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")

    def transformed(*xs: Any) -> tuple[Any, tuple[Any, ...]]:
        args = _arguments(xs, "grad")
        if mode == "forward" or any(isinstance(a, Dual) for a in args):
            return _forward(f, args, "grad")
        return _reverse(f, args, "grad")

    return transformed


def grad(f: Callable[..., Any], mode: str = "reverse") -> Callable[..., tuple[Any, ...]]:
    """The gradient of ``f``: a function returning one partial per positional argument.

    >>> grad(lambda x, y: x * y + y * y)(2.0, 3.0)
    (3.0, 8.0)
    >>> grad(lambda x, y: x * y + y * y, mode="forward")(2.0, 3.0)
    (3.0, 8.0)
    >>> grad(lambda x: grad(lambda y: x * y * y)(x)[0])(3.0)  # d/dx (2 x x) at 3: grad of grad
    (12.0,)
    """
    inner = value_and_grad(f, mode)

    def gradient(*xs: Any) -> tuple[Any, ...]:
        return inner(*xs)[1]

    return gradient


def derivative(f: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``f'`` for a function of one number, by one forward-mode sweep; ``derivative(derivative(f))`` is ``f''``.

    >>> derivative(lambda x: x ** 3)(2.0), derivative(derivative(lambda x: x ** 3))(2.0)
    (12.0, 12.0)
    """

    def df(x: Any) -> Any:
        tag = new_tag()
        return _split(_call(f, [Dual(_arguments([x], "derivative")[0], 1.0, tag)]), tag, "derivative")[1]

    return df


def jvp(f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
    """``f(*primals)`` and the directional derivative ``J(primals) @ tangents``, by one Dual sweep.

    >>> jvp(lambda x, y: x * y, (2.0, 3.0), (1.0, 1.0))
    (6.0, 5.0)
    """
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    tag = new_tag()
    xs, ts = _arguments(primals, "jvp primal"), _arguments(tangents, "jvp tangent")
    return _split(_call(f, [Dual(x, t, tag) for x, t in zip(xs, ts)]), tag, "jvp")


def hvp(f: Callable[..., Any], primals: Sequence[float], vectors: Sequence[float],
        mode: str = "forward-over-reverse") -> tuple[float, ...]:
    """The Hessian of ``f`` at ``primals`` times ``vectors``, without forming the Hessian.

    ``"forward-over-reverse"``: one Dual sweep whose parts are Values (the directional derivative as a graph),
    then one reverse sweep of it; ``"reverse-over-reverse"``: a differentiable gradient, then a reverse sweep
    of ``grad . v``; ``"forward-over-forward"``: n nested Dual sweeps.

    >>> hvp(lambda x, y: x * x * y, (1.0, 2.0), (1.0, 0.0))  # H = [[2y, 2x], [2x, 0]]
    (4.0, 2.0)
    """
    if len(primals) != len(vectors):
        raise ValueError(f"hvp: {len(primals)} primals but {len(vectors)} vectors")
    xs = [check_number(x, f"hvp primal {i + 1}") for i, x in enumerate(primals)]
    vs = [check_number(v, f"hvp vector {i + 1}") for i, v in enumerate(vectors)]
    if mode == "forward-over-forward":
        rows = hessian(f, mode=mode)(*xs)
        return tuple(sum(h * v for h, v in zip(row, vs)) for row in rows)
    return _columns(f, xs, [vs], mode)[0]


def hessian(f: Callable[..., Any], mode: str = "forward-over-reverse") -> Callable[..., tuple[tuple[float, ...], ...]]:
    """The matrix of second partials ``d^2 f / dx_i dx_j``, as n x n nested tuples of floats.

    Args:
        f: a function of n numbers returning one number.
        mode: ``"forward-over-reverse"`` (the default, as JAX's hessian: n Dual sweeps whose parts are Value
            graphs, then n reverse sweeps; one graph of about f's size alive at a time), ``"reverse-over-reverse"``
            (a differentiable gradient, then one reverse sweep per row: it keeps a gradient graph about three
            times f's, and was about twice as fast for 17 inputs: ``benchmarks/create_graph.py``) or
            ``"forward-over-forward"`` (nested Duals, one sweep per pair i <= j: for a few inputs). All three read
            the same rule rows.

    >>> hessian(lambda x, y: x * x * y + y ** 3)(1.0, 2.0)
    ((4.0, 2.0), (2.0, 12.0))
    """
    if mode not in HESSIAN_MODES:
        raise ValueError(f"mode must be one of {HESSIAN_MODES}, got {mode!r}")

    def matrix(*xs: Any) -> tuple[tuple[float, ...], ...]:
        point = [check_number(x, f"hessian argument {i + 1}") for i, x in enumerate(xs)]
        if not point:
            raise TypeError("hessian: call with at least one number")
        n = len(point)
        if mode == "forward-over-forward":
            h = [[0.0] * n for _ in range(n)]
            for i in range(n):
                for j in range(i, n):
                    h[i][j] = h[j][i] = _second(f, point, i, j)
            return tuple(tuple(row) for row in h)
        columns = _columns(f, point, [[float(i == j) for i in range(n)] for j in range(n)], mode)
        return tuple(tuple(columns[j][i] for j in range(n)) for i in range(n))

    return matrix


def _columns(f: Callable[..., Any], point: list[float], directions: list[list[float]],
             mode: str) -> list[tuple[float, ...]]:
    """``H v`` for each direction ``v``, by forward-over-reverse or reverse-over-reverse."""
    if mode not in HESSIAN_MODES:
        raise ValueError(f"mode must be one of {HESSIAN_MODES}, got {mode!r}")
    inputs = [Value(x, label=f"x{i + 1}") for i, x in enumerate(point)]
    if mode == "reverse-over-reverse":
        out = _call(f, list(inputs), reverse=True)
        if not isinstance(out, Value):
            return [(0.0,) * len(point) for _ in directions]
        first = adjoints(out, create_graph=True, stop=inputs)
        gradient = [first.get(x, 0.0) for x in inputs]
        targets = [sum((g * v for g, v in zip(gradient, vs) if v), 0.0) for vs in directions]
    else:
        targets = []
        for vs in directions:
            tag = new_tag()
            targets.append(_split(_call(f, [Dual(x, v, tag) for x, v in zip(inputs, vs)]), tag, "hessian")[1])
    result = []
    for target in targets:
        if not isinstance(target, Value):  # the direction's derivative does not depend on the point
            result.append((0.0,) * len(point))
            continue
        found = adjoints(target, stop=inputs)
        result.append(tuple(float(found.get(x, 0.0)) for x in inputs))
    return result


def _second(f: Callable[..., Any], point: list[float], i: int, j: int) -> float:
    """``d^2 f / dx_i dx_j`` by nested Duals: the inner tag differentiates along x_j, the outer along x_i."""
    inner, outer = new_tag(), new_tag()
    args = [Dual(Dual(x, float(k == j), inner), Dual(float(k == i), 0.0, inner), outer) for k, x in enumerate(point)]
    first = _split(_call(f, args), outer, "hessian")[1]
    second = _split(first, inner, "hessian")[1]
    return float(second)
