"""The built-in primitives: every scalar operation of the engine, one ``defrule`` row each.

Partials are written with arithmetic and the four functions below, which work on floats, numpy arrays,
Values and Duals alike: so the same row gives a float on the fast path, a Value in a differentiable
backward (``create_graph=True``) and a Dual in nested forward mode. Kinks follow PyTorch's conventions.
"""

from __future__ import annotations

import functools
import math
import operator
from typing import Any

import numpy as np

from .operand import evaluate, power
from .rule import RULES, Param, Rule, defrule

__all__ = ["sin", "cos", "log", "sigmoid", "exp_sub", "RULES"]


# ---- the table's own functions, on any kind of number (used inside partials) -------------------------

def sin(x: Any) -> Any:
    """sin on a float, a numpy array, a Value or a Dual."""
    return math.sin(x) if type(x) is float else (np.sin(x) if isinstance(x, np.ndarray) else x.sin())


def cos(x: Any) -> Any:
    """cos on a float, a numpy array, a Value or a Dual."""
    return math.cos(x) if type(x) is float else (np.cos(x) if isinstance(x, np.ndarray) else x.cos())


def log(x: Any) -> Any:
    """The natural log on a positive float, numpy array, Value or Dual."""
    return math.log(x) if type(x) is float else (np.log(x) if isinstance(x, np.ndarray) else x.log())


def sigmoid(x: Any) -> Any:
    """The logistic function on a float, a numpy array, a Value or a Dual."""
    if type(x) is float:
        return _sigmoid(x)
    return _sigmoid_array(x) if isinstance(x, np.ndarray) else x.sigmoid()


# ---- binary arithmetic ---------------------------------------------------------------------------------

def _truediv(x: float, y: float) -> float:
    return x / y  # y == 0 raises ZeroDivisionError, reported as the rule's domain


_ONES, _ONE_MINUS_ONE = (1.0, 1.0), (1.0, -1.0)

# add, sub, mul: the C operators themselves (a Python function around x + y would cost a call per node)
defrule(Rule("add", 2, operator.add, _ONES, notation=("1", "1"), expression="{x} + {y}", symbol="+", bounded=True))
defrule(Rule("sub", 2, operator.sub, _ONE_MINUS_ONE, notation=("1", "-1"), expression="{x} - {y}", symbol="-",
             bounded=True))
defrule(Rule("mul", 2, operator.mul, lambda out, x, y: (y, x), notation=("{y}", "{x}"), expression="{x} * {y}",
             symbol="*", bounded=True))
defrule(Rule("truediv", 2, _truediv, lambda out, x, y: (1.0 / y, -out / y), notation=("1 / {y}", "-{out} / {y}"),
             expression="{x} / {y}", symbol="/", domain=("real", "nonzero"),
             adjoint=lambda g, out, x, y: (g / y, -out * (g / y))))


def _pow(x: float, y: float) -> float:
    if x < 0 or (x == 0 and y < 0):
        raise ValueError("a Value exponent needs a base > 0 (or 0 with an exponent >= 0); use a number "
                         "exponent for integer powers of a negative base")
    return x ** y


def _number(x: Any) -> float:
    """The number of a float, Value or Dual, for tests of equality (``==`` on a Value compares identity)."""
    return x if type(x) is float else float(x)


def _pow_partials(out: Any, x: Any, y: Any) -> tuple[Any, Any]:
    if _number(x) == 0:  # the limits as x -> 0+, PyTorch's choice: y x^(y-1) is inf, 1 or 0; x^y log x is 0
        # y x^(y-1) written out (not y out / x): on Values and Duals it is differentiated again
        return (math.inf if 0 < y < 1 else (0.0 if _number(y) == 0 else y * x ** (y - 1.0)), 0.0)
    if _number(y) >= 1 and -1 < _number(x) < 1:  # y x^(y-1) is at most y here: exact where out underflows
        return (y * x ** (y - 1.0), out * log(x))
    return (y * out / x, out * log(x))  # y out / x = y x^(y-1), without a power that could overflow


def _pow_array(x: Any, y: Any) -> Any:
    if np.any(x < 0) or np.any((x == 0) & (y < 0)):
        raise ValueError("a Value exponent needs a base > 0 in every batch lane")
    return np.power(x, y)


def _pow_array_partials(out: Any, x: Any, y: Any) -> tuple[Any, Any]:
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        at_zero = np.where((y > 0) & (y < 1), np.inf, np.where(y == 1, 1.0, 0.0))
        small = (y >= 1) & (x < 1)  # as the float form: y x^(y-1) where x^y may underflow
        by_x = np.where(small, y * np.power(x, y - 1.0), y * out / np.where(x == 0, 1.0, x))
        return (np.where(x == 0, at_zero, by_x), np.where(x == 0, 0.0, out * np.log(np.where(x == 0, 1.0, x))))


defrule(Rule("pow", 2, _pow, _pow_partials, notation=("{y} {out} / {x}", "{out} log({x})"),
             expression="{x} ** {y}", symbol="**", domain=("nonnegative", "real"), function="power",
             kink="at x = 0: (inf if 0 < y < 1, 1 if y = 1, else 0; 0 for the exponent), as PyTorch",
             array_value=_pow_array, array_partials=_pow_array_partials,
             adjoint=lambda g, out, x, y: (y * (g * out) / x, g * out * log(x))))


# ---- a number exponent: x ** c, one rule per c ---------------------------------------------------------

def _power(x: float, c: float) -> float:
    if x < 0 and c != int(c):
        raise ValueError(f"a negative base to the non-integer power {c:g} is not a real number")
    return float(x ** c)  # 0 ** -1 raises ZeroDivisionError, reported as the rule's domain


def _power_partials(out: Any, x: Any, c: float) -> tuple[Any]:
    if c == 0:
        return (0.0,)
    if c >= 1 and -1 < x < 1:  # c x^(c-1) is at most c here: exact where out = x^c underflows (c out / x is 0
        # for x = 1e-200), and on Values and Duals differentiable again at 0 (1 for c = 1, 0 for c > 1)
        return (c * (x ** (c - 1.0) if type(x) is float else power(x, c - 1.0)),)
    if _number(x) == 0:  # 0 < c < 1: inf, as PyTorch (for c < 0, 0 is outside the domain)
        return (math.inf,)
    return (c * out / x,)  # = c x^(c-1), without a power that could overflow


def _power_array_partials(out: Any, x: Any, c: float) -> tuple[Any]:
    if c == 0:
        return (np.zeros_like(x),)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        by_out = c * out / np.where(x == 0, 1.0, x)
        if c >= 1:  # as the float form: c x^(c-1) where |x| < 1 (exact where x^c underflows; 1 or 0 at x = 0)
            return (np.where(np.abs(x) < 1, c * np.power(x, c - 1.0), by_out),)
        return (np.where(x == 0, math.inf, by_out),)


def _power_domain(c: float) -> tuple[str]:
    if c != int(c):
        return ("positive",) if c < 0 else ("nonnegative",)
    return ("nonzero",) if c < 0 else ("real",)


def _power_array(x: Any, c: float) -> Any:
    if c != int(c) and np.any(x < 0):
        raise ValueError(f"a negative base to the non-integer power {c:g} in a batch lane")
    return np.power(x, c)


_EXPONENTS = (2.0, 3.0, -1.0, -2.0, 0.5, 1.5)  # what the property tests try
defrule(Rule("power", 1, _power, _power_partials, notation=("{exponent} {x}^({exponent} - 1)",),
             expression="{x} ** {exponent}", params=(Param("exponent", None, _EXPONENTS),), domain=_power_domain,
             methods=(),
             function=None, kink="at x = 0: inf if 0 < c < 1, as PyTorch", array_value=_power_array,
             array_partials=_power_array_partials, adjoint=lambda g, out, x, c: (c * (g * out) / x,)))


# ---- one-operand functions -----------------------------------------------------------------------------

defrule(Rule("neg", 1, lambda x: -x, (-1.0,), notation=("-1",), expression="-{x}",
             methods=("__neg__",), function=None, bounded=True))
defrule(Rule("pos", 1, lambda x: x, (1.0,), notation=("1",), expression="+{x}",
             methods=("__pos__",), function=None, bounded=True))
defrule(Rule("exp", 1, math.exp, lambda out, x: (out,), notation=("{out}",), array_value=np.exp, bounded=True))
defrule(Rule("log", 1, math.log, lambda out, x: (1.0 / x,), notation=("1 / {x}",), domain=("positive",),
             array_value=np.log, adjoint=lambda g, out, x: (g / x,)))
defrule(Rule("sqrt", 1, math.sqrt, lambda out, x: (0.5 / out if _number(out) != 0 else math.inf,),
             notation=("1 / (2 {out})",), domain=("nonnegative",), kink="sqrt'(0) = inf, as PyTorch",
             array_value=np.sqrt,
             array_partials=lambda out, x: (np.divide(0.5, out, out=np.full_like(out, np.inf), where=out != 0),)))
defrule(Rule("sin", 1, math.sin, lambda out, x: (cos(x),), notation=("cos({x})",), array_value=np.sin, bounded=True))
defrule(Rule("cos", 1, math.cos, lambda out, x: (-sin(x),), notation=("-sin({x})",), array_value=np.cos, bounded=True))
defrule(Rule("tanh", 1, math.tanh, lambda out, x: (1.0 - out * out,), notation=("1 - {out}^2",),
             array_value=np.tanh, activation="glorot", bounded=True))
defrule(Rule("arctan", 1, math.atan, lambda out, x: (1.0 / (1.0 + x * x),), notation=("1 / (1 + {x}^2)",),
             array_value=np.arctan, activation="glorot", bounded=True))


def _sigmoid(x: float) -> float:
    # two branches so that exp never overflows: exp(-x) for x >= 0, exp(x) for x < 0
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _sigmoid_array(x: Any) -> Any:
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _softplus(x: float) -> float:
    # log(1 + e^x) = max(x, 0) + log1p(e^-|x|): exact, and never overflows
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


# out (1 - out), written out * sigmoid(-x): 1 - out would lose every digit where out is near 1 (x > 20)
defrule(Rule("sigmoid", 1, _sigmoid, lambda out, x: (out * sigmoid(-x),), notation=("{out} (1 - {out})",),
             array_value=_sigmoid_array, activation="glorot", bounded=True))
defrule(Rule("softplus", 1, _softplus, lambda out, x: (sigmoid(x),), notation=("sigmoid({x})",),
             array_value=lambda x: np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x))), activation="glorot",
             bounded=True))

_ONE, _ZERO, _MINUS_ONE, _ONE_ZERO = (1.0,), (0.0,), (-1.0,), (1.0, 0.0)

defrule(Rule("relu", 1, lambda x: x if x > 0 else 0.0, lambda out, x: _ONE if x > 0 else _ZERO,
             notation=("1 if {x} > 0 else 0",), kink="relu'(0) = 0, as PyTorch", kinks=(0.0,),
             array_value=lambda x: np.maximum(x, 0.0), array_partials=lambda out, x: ((x > 0).astype(float),),
             activation="he", bounded=True))
defrule(Rule("abs", 1, abs, lambda out, x: _ONE if x > 0 else (_MINUS_ONE if x < 0 else _ZERO),
             notation=("sign({x})",), kink="abs'(0) = 0, as PyTorch", kinks=(0.0,), methods=("abs", "__abs__"),
             function="absolute", array_value=np.abs, array_partials=lambda out, x: (np.sign(x),), activation="glorot",
             bounded=True))
defrule(Rule("hardtanh", 1, lambda x: -1.0 if x < -1 else (1.0 if x > 1 else x),
             lambda out, x: _ONE if -1 < x < 1 else _ZERO, notation=("1 if -1 < {x} < 1 else 0",),
             kink="hardtanh'(-1) = hardtanh'(1) = 0, as PyTorch", kinks=(-1.0, 1.0),
             array_value=lambda x: np.clip(x, -1.0, 1.0),
             array_partials=lambda out, x: (((x > -1) & (x < 1)).astype(float),), activation="glorot", bounded=True))
defrule(Rule("step", 1, lambda x: 1.0 if x >= 0 else 0.0, lambda out, x: _ZERO, notation=("0",),
             kink="step'(0) = 0: no gradient flows (Heaviside: 1 at x >= 0)", kinks=(0.0,),
             array_value=lambda x: (x >= 0).astype(float), array_partials=lambda out, x: (np.zeros_like(x),),
             activation="glorot", bounded=True))
defrule(Rule("leaky_relu", 1, lambda x, alpha: x if x > 0 else alpha * x,
             lambda out, x, alpha: _ONE if x > 0 else (alpha,), notation=("1 if {x} > 0 else {alpha}",),
             params=(Param("alpha", 0.01, (0.01, 0.2)),), kink="leaky_relu'(0) = alpha, as PyTorch", kinks=(0.0,),
             array_value=lambda x, alpha: np.where(x > 0, x, alpha * x),
             array_partials=lambda out, x, alpha: (np.where(x > 0, 1.0, alpha),), activation="he", bounded=True))
defrule(Rule("elu", 1, lambda x, alpha: x if x > 0 else alpha * math.expm1(x),
             lambda out, x, alpha: _ONE if x > 0 else (out + alpha,), notation=("1 if {x} > 0 else {out} + {alpha}",),
             params=(Param("alpha", 1.0, (1.0, 0.5)),), kink="elu'(0) = alpha, as PyTorch", kinks=(0.0,),
             array_value=lambda x, alpha: np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0))),
             array_partials=lambda out, x, alpha: (np.where(x > 0, 1.0, out + alpha),), activation="he", bounded=True))
defrule(Rule("clamp", 1, lambda x, low, high: min(max(x, low), high),
             lambda out, x, low, high: _ONE if low <= x <= high else _ZERO,
             notation=("1 if {low} <= {x} <= {high} else 0",),
             params=(Param("low", None, (-1.0, 0.0)), Param("high", None, (1.0, 2.0))),
             kink="clamp' = 1 at both ends, as torch.clamp", kinks=lambda low, high: (low, high),
             array_value=lambda x, low, high: np.clip(x, low, high),
             array_partials=lambda out, x, low, high: (((x >= low) & (x <= high)).astype(float),), bounded=True))


def _probability_clamp(p: float, eps: float) -> float:
    if not 0.0 <= p <= 1.0:
        raise ValueError("binary_cross_entropy's prediction is not a probability in [0, 1] (for raw scores use "
                         "binary_cross_entropy_with_logits)")
    return min(max(p, eps), 1.0 - eps)


def _probability_clamp_array(p: Any, eps: float) -> Any:
    if not np.all((p >= 0.0) & (p <= 1.0)):
        raise ValueError("binary_cross_entropy's prediction is not a probability in [0, 1] in a lane of this batch "
                         "(for raw scores use binary_cross_entropy_with_logits)")
    return np.clip(p, eps, 1.0 - eps)


# the clamp BCE applies to a probability before its logs: like clamp(eps, 1 - eps), and a raw score is refused
defrule(Rule("probability_clamp", 1, _probability_clamp, lambda out, p, eps: _ONE if eps <= p <= 1 - eps else _ZERO,
             notation=("1 if {eps} <= {x} <= 1 - {eps} else 0",), params=(Param("eps", 1e-6, (1e-6, 0.01)),),
             domain=("probability",), kink="1 at both ends, as torch.clamp", kinks=lambda eps: (eps, 1.0 - eps),
             array_value=_probability_clamp_array,
             array_partials=lambda out, p, eps: (((p >= eps) & (p <= 1.0 - eps)).astype(float),), bounded=True))


# ---- two operands: PReLU, whose slope is an operand so it can learn ------------------------------------

defrule(Rule("prelu", 2, lambda x, alpha: x if x > 0 else alpha * x,
             lambda out, x, alpha: _ONE_ZERO if x > 0 else (alpha, x),
             notation=("1 if {x} > 0 else {y}", "0 if {x} > 0 else {x}"), methods=("prelu",),
             kink="prelu'(0) = (alpha, 0), as PyTorch", kinks=(0.0,),
             array_value=lambda x, alpha: np.where(x > 0, x, alpha * x),
             array_partials=lambda out, x, alpha: (np.where(x > 0, 1.0, alpha), np.where(x > 0, 0.0, x)),
             activation="he", bounded=True))


# ---- n-ary: one node for a neuron's whole weighted sum -------------------------------------------------

def _sum(*xs: float) -> float:
    return sum(xs, 0.0)


def _dot(*xs: Any) -> Any:
    if len(xs) % 2:
        raise ValueError(f"dot needs as many weights as inputs (an even number of operands), got {len(xs)}")
    return sum(map(operator.mul, xs, xs[len(xs) // 2:]), 0.0)  # w_i * x_i: map stops with the x; numpy lanes too


# ---- n-ary log-sum-exp and softmax's exp(z_i - logsumexp(z)): stable for any logits, no number read -----

def exp_sub(x: Any, y: Any) -> Any:
    """exp(x - y) on floats, numpy arrays, Values or Duals: the partial of logsumexp (softmax)."""
    if type(x) is float and type(y) is float:
        return math.exp(x - y)
    if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
        return np.exp(x - y)
    return evaluate(RULES["exp_sub"], (x, y))


def _shifted(zs: tuple[float, ...]) -> tuple[float, float]:
    """``(top, log sum exp(z - top))`` with top the largest logit: every exp is <= 1 and the shift is exact;
    z - top may be -inf for logits 2e308 apart, whose exp is then exactly 0, what the true value rounds to."""
    top = max(zs)
    return top, math.log(sum([math.exp(z - top) for z in zs]))


def _shifted_array(zs: tuple[Any, ...]) -> tuple[Any, Any]:
    top = functools.reduce(np.maximum, zs)
    with np.errstate(over="ignore"):
        return top, np.log(sum([np.exp(z - top) for z in zs]))


def _logsumexp(*zs: float) -> float:
    top, rest = _shifted(zs)
    return top + rest


def _logsumexp_array(*zs: Any) -> Any:
    top, rest = _shifted_array(zs)
    return top + rest


defrule(Rule("exp_sub", 2, lambda x, y: math.exp(x - y), lambda out, x, y: (out, -out), notation=("{out}", "-{out}"),
             expression="exp({x} - {y})", array_value=lambda x, y: np.exp(x - y), bounded=True))
def _logsumexp_partials(out: Any, *zs: Any) -> tuple[Any, ...]:
    if all(type(z) is float for z in zs):  # floats: softmax from the exact shift, not from the rounded out
        top = max(zs)
        exps = [math.exp(z - top) for z in zs]
        total = sum(exps)
        return tuple([e / total for e in exps])
    return tuple([exp_sub(z, out) for z in zs])  # Values, Duals, lanes: the same numbers, differentiable


defrule(Rule("logsumexp", None, _logsumexp, _logsumexp_partials,
             "d logsumexp(z) = softmax(z) = (exp(z1 - logsumexp(z)), ...)",
             notation=lambda args, out: [f"exp({a} - {out})" for a in args], array_value=_logsumexp_array,
             bounded=True))


# ---- logsumexp(z) - y in one node: cross entropy and log_softmax, exact for large equal logits --------------
# (logsumexp(z) - z_k in two nodes rounds: at z = (1e17, 1e17) the logsumexp 1e17 + log 2 is 1e17 as a float)

def _logsumexp_sub(*args: float) -> float:
    top, rest = _shifted(args[:-1])
    return (top - args[-1]) + rest  # top - y first: exact when y is the largest logit


def _logsumexp_sub_array(*args: Any) -> Any:
    top, rest = _shifted_array(args[:-1])
    with np.errstate(over="ignore"):
        return (top - args[-1]) + rest


def _logsumexp_sub_partials(out: Any, *args: Any) -> tuple[Any, ...]:
    zs = args[:-1]
    if all(type(z) is float for z in zs):
        return _logsumexp_partials(0.0, *zs) + (-1.0,)  # softmax(z) from the exact shift, then -1 for y
    total = evaluate(RULES["logsumexp"], zs)  # Values or Duals: differentiable again
    return tuple([exp_sub(z, total) for z in zs]) + (-1.0,)


def _logsumexp_sub_array_partials(out: Any, *args: Any) -> tuple[Any, ...]:
    zs, y = args[:-1], args[-1]
    total = _logsumexp_array(*zs)
    return tuple([np.exp(z - total) for z in zs]) + (-np.ones_like(y),)


defrule(Rule("logsumexp_sub", None, _logsumexp_sub, _logsumexp_sub_partials,
             "d(logsumexp(z) - y) = (softmax(z), -1)",
             notation=lambda args, out: [f"exp({a} - ({out} + {args[-1]}))" for a in args[:-1]] + ["-1"],
             array_value=_logsumexp_sub_array, array_partials=_logsumexp_sub_array_partials, bounded=True))


defrule(Rule("sum", None, _sum, lambda out, *xs: _ONE * len(xs), "d(x1 + ... + xn) = (1, ..., 1)",
             notation=lambda args, out: ["1"] * len(args), function="summation",
             array_partials=lambda out, *xs: tuple(np.ones_like(out) for _ in xs), bounded=True))
defrule(Rule("dot", None, _dot, lambda out, *xs: xs[len(xs) // 2:] + xs[:len(xs) // 2],
             "d(w . x) = (x1, ..., xn, w1, ..., wn)",
             notation=lambda args, out: args[len(args) // 2:] + args[:len(args) // 2], bounded=True))
