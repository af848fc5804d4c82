"""Optimisers: update parameters from their ``.grad`` after ``backward()``.

Each follows PyTorch's documented formulation of its paper (written in its docstring). ``step()`` updates,
``zero_grad()`` clears the gradients. Weight decay comes in two kinds. Coupled (``weight_decay`` of SGD,
Adagrad, RMSprop, Adam, AdaMax, Nadam) is L2 regularisation: ``g = grad + weight_decay * p`` enters the
update, so in an adaptive method the decay is divided by ``sqrt(v)`` like the gradient and shrinks weights
with large gradients less. Decoupled (``AdamW``, Loshchilov & Hutter 2019) shrinks every weight by
``lr * weight_decay * p`` beside the update, apart from the gradient's scaling.

Each update is written once, on whole arrays (``update(data, grad)``: every parameter at once, numpy rounding
each operation as Python's floats do). ``step()`` reads the arrays from the Values and writes them back; a
compiled fit keeps its parameters in arrays and calls ``update`` itself.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd.finite import NotFinite
from autograd.value import Value

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "AdaMax", "Nadam"]


def _number(x: Any, name: str, low: float, high: float = math.inf, low_open: bool = False,
            high_open: bool = True) -> float:
    """``x`` as a float inside the interval, or an error naming ``name`` and the value."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f"{name} must be a number, got {type(x).__name__} ({x!r})")
    if isinstance(x, int) and abs(x) > sys.float_info.max:  # an int no float holds (math.isnan would overflow)
        raise ValueError(f"{name} must be a number a float holds (below 1.8e308), got an int of {x.bit_length()} bits")
    below = x <= low if low_open else x < low
    above = x >= high if high_open else x > high
    if below or above or math.isnan(x):
        interval = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"{name} must be in {interval}, got {x!r}")
    return float(x)


def _eps(eps: Any) -> float:
    # eps = 0 divides by zero where a gradient and its history are 0 (a dead unit, an unused weight)
    return _number(eps, "eps", 0.0, low_open=True)


def _betas(betas: Any) -> tuple[float, float]:
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    return _number(betas[0], "beta1", 0.0, 1.0), _number(betas[1], "beta2", 0.0, 1.0)


class Optimizer:
    """Base class: holds the parameters and the learning rate ``lr`` (change it between steps to schedule)."""

    def __init__(self, params: Iterable[Value] | Any, lr: float, weight_decay: float = 0.0) -> None:
        if hasattr(params, "parameters"):  # a Module
            params = params.parameters()
        if isinstance(params, Value):
            raise TypeError("params must be a list of Values (or a Module), got one Value: wrap it in a list")
        self.params: list[Value] = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__} got an empty parameter list")
        seen: set[int] = set()
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(f"parameter {i} must be a Value, got {type(p).__name__}")
            if id(p) in seen:  # it would be updated twice per step
                raise ValueError(f"parameter {i} ({p!r}) appears more than once")
            seen.add(id(p))
        self.lr = lr
        self.weight_decay = _number(weight_decay, "weight_decay", 0.0)
        self.t = 0  # steps taken

    @property
    def lr(self) -> float:
        """The learning rate: a finite number > 0, checked whenever it is set (a schedule's values too)."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = _number(value, "lr", 0.0, low_open=True)

    def _zeros(self) -> np.ndarray:
        return np.zeros(len(self.params))

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """One update of every parameter, from its ``.grad``."""
        data = np.array([p.data for p in self.params], dtype=float)
        new = self.update(data, np.array([p.grad for p in self.params], dtype=float))
        for p, x in zip(self.params, new.tolist()):
            p.data = x

    def update(self, data: np.ndarray, grad: np.ndarray) -> np.ndarray:
        """One step on arrays: the parameters' new numbers from their numbers and gradients (in ``params``
        order); the optimiser's state advances. No Value is read or written.

        Raises:
            NotFinite: the update made a parameter NaN or infinite (the arrays given are left as they were).

        >>> SGD([Value(0.0), Value(0.0)], lr=0.5).update(np.array([1.0, 2.0]), np.array([2.0, -2.0])).tolist()
        [0.0, 3.0]
        """
        if self.weight_decay and self._coupled:
            grad = grad + self.weight_decay * data
        self.t += 1
        with np.errstate(all="ignore"):  # a non-finite result is found and named below
            new = self._update(data, grad)
        if not np.isfinite(new).all():
            i = int(np.flatnonzero(~np.isfinite(new))[0])
            label = self.params[i].label
            who = f"Value {label!r}.data" if label else f"Value.data (parameter {i})"
            raise NotFinite(f"{who} needs a finite number, got {float(new[i])} ({type(self).__name__} step "
                            f"{self.t}: it was {float(data[i])!r}, its gradient {float(grad[i])!r})")
        return new

    _coupled = True  # weight decay is added to the gradient (L2); AdamW decouples it

    def _update(self, p: np.ndarray, g: np.ndarray) -> np.ndarray:  # pragma: no cover - each optimiser defines it
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with optional (Nesterov) momentum (Sutskever et al., 2013; PyTorch's form).

    ``b <- momentum * b + g`` (``b`` starts at 0), then ``p <- p - lr * (g + momentum * b)`` if
    ``nesterov`` else ``p <- p - lr * b``; without momentum simply ``p <- p - lr * g``. (The lecture's
    ``v = eta g + gamma v; p <- p - v`` is the same with ``v = lr * b``.)

    >>> x = Value(1.0); opt = SGD([x], lr=0.1); x.grad = 2.0; opt.step(); x.data
    0.8
    """

    def __init__(self, params: Iterable[Value] | Any, lr: float, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr, weight_decay)
        self.momentum = _number(momentum, "momentum", 0.0, 1.0)
        if nesterov and not self.momentum:
            raise ValueError("nesterov=True needs momentum > 0")
        self.nesterov = bool(nesterov)
        self.buffers = self._zeros()

    def _update(self, p: np.ndarray, g: np.ndarray) -> np.ndarray:
        mu = self.momentum
        if mu:
            b = self.buffers = mu * self.buffers + g
            g = g + mu * b if self.nesterov else b
        return p - self.lr * g


class Adagrad(Optimizer):
    """Adagrad (Duchi, Hazan & Singer, 2011): a step per parameter that shrinks with its gradient history.

    ``s <- s + g^2``; ``p <- p - lr * g / (sqrt(s) + eps)``.

    >>> x = Value(1.0); opt = Adagrad([x], lr=0.5); x.grad = 4.0; opt.step(); round(x.data, 9)
    0.5
    """

    def __init__(self, params: Iterable[Value] | Any, lr: float = 0.01, eps: float = 1e-10,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr, weight_decay)
        self.eps = _eps(eps)
        self.sums = self._zeros()

    def _update(self, p: np.ndarray, g: np.ndarray) -> np.ndarray:
        s = self.sums = self.sums + g * g
        return p - self.lr * g / (np.sqrt(s) + self.eps)


class RMSprop(Optimizer):
    """RMSprop (Hinton, Coursera lecture 6e, 2012): Adagrad with a decaying average instead of a sum.

    ``v <- alpha * v + (1 - alpha) * g^2``; ``p <- p - lr * g / (sqrt(v) + eps)``.

    >>> x = Value(1.0); opt = RMSprop([x], lr=0.01, alpha=0.75); x.grad = 2.0; opt.step(); round(x.data, 9)
    0.98
    """

    def __init__(self, params: Iterable[Value] | Any, lr: float = 0.01, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr, weight_decay)
        self.alpha = _number(alpha, "alpha", 0.0, 1.0)
        self.eps = _eps(eps)
        self.averages = self._zeros()

    def _update(self, p: np.ndarray, g: np.ndarray) -> np.ndarray:
        a = self.alpha
        v = self.averages = a * self.averages + (1.0 - a) * g * g
        return p - self.lr * g / (np.sqrt(v) + self.eps)


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): momentum and RMSprop, both with bias correction.

    ``m <- b1 m + (1 - b1) g``; ``v <- b2 v + (1 - b2) g^2``; ``m_hat = m / (1 - b1^t)``,
    ``v_hat = v / (1 - b2^t)``; ``p <- p - lr * m_hat / (sqrt(v_hat) + eps)``. Its ``weight_decay`` is
    coupled (L2: added to ``g``); ``AdamW`` decouples it.

    >>> x = Value(1.0); opt = Adam([x], lr=0.1); x.grad = 3.0; opt.step(); round(x.data, 6)
    0.9
    """

    def __init__(self, params: Iterable[Value] | Any, lr: float = 0.001, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr, weight_decay)
        self.beta1, self.beta2 = _betas(betas)
        self.eps = _eps(eps)
        self.m = self._zeros()
        self.v = self._zeros()

    def _update(self, p: np.ndarray, g: np.ndarray) -> np.ndarray:
        b1, b2 = self.beta1, self.beta2
        correction1, correction2 = 1.0 - b1 ** self.t, 1.0 - b2 ** self.t
        m = self.m = b1 * self.m + (1.0 - b1) * g
        v = self.v = b2 * self.v + (1.0 - b2) * g * g
        return p - self.lr * (m / correction1) / (np.sqrt(v / correction2) + self.eps)


class AdamW(Adam):
    """AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay.

    First ``p <- p - lr * weight_decay * p``, then Adam's update from the plain gradient. With Adam's
    coupled decay a weight whose gradient history is large is barely decayed; here every weight shrinks
    by the same factor ``1 - lr * weight_decay`` per step. PyTorch's default ``weight_decay`` is 0.01.

    >>> x = Value(1.0); opt = AdamW([x], lr=0.1, weight_decay=0.5); x.grad = 3.0; opt.step(); round(x.data, 6)
    0.85
    """

    def __init__(self, params: Iterable[Value] | Any, lr: float = 0.001, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.01) -> None:
        super().__init__(params, lr, betas, eps, weight_decay)

    _coupled = False  # the decay is not part of the gradient here

    def _update(self, p: np.ndarray, g: np.ndarray) -> np.ndarray:
        shrink = self.lr * self.weight_decay
        if shrink >= 1.0:  # the factor 1 - shrink would zero or flip every weight
            self.t -= 1  # no step was taken
            raise ValueError(f"AdamW: lr * weight_decay = {shrink:g} must be below 1 (lr={self.lr:g}, "
                             f"weight_decay={self.weight_decay:g}): lower one of them")
        return super()._update(p - shrink * p, g)


class AdaMax(Optimizer):
    """AdaMax (Kingma & Ba, 2015, section 7): Adam with the infinity norm in place of the squared average.

    ``m <- b1 m + (1 - b1) g``; ``u <- max(b2 u, |g| + eps)``; ``p <- p - lr / (1 - b1^t) * m / u``.
    ``u`` needs no bias correction: it is a maximum, not an average that starts at 0.

    >>> x = Value(1.0); opt = AdaMax([x], lr=0.1); x.grad = -3.0; opt.step(); round(x.data, 6)
    1.1
    """

    def __init__(self, params: Iterable[Value] | Any, lr: float = 0.002, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr, weight_decay)
        self.beta1, self.beta2 = _betas(betas)
        self.eps = _eps(eps)
        self.m = self._zeros()
        self.u = self._zeros()

    def _update(self, p: np.ndarray, g: np.ndarray) -> np.ndarray:
        b1, b2 = self.beta1, self.beta2
        step_size = self.lr / (1.0 - b1 ** self.t)
        m = self.m = b1 * self.m + (1.0 - b1) * g
        u = self.u = np.maximum(b2 * self.u, np.abs(g) + self.eps)
        return p - step_size * m / u


class Nadam(Optimizer):
    """Nadam (Dozat, 2016): Adam with Nesterov momentum, in PyTorch's form with momentum decay.

    The momentum factor grows over the steps: ``mu_t = b1 (1 - 0.5 * 0.96^(t * momentum_decay))``.
    ``m`` and ``v`` as Adam's; the step looks one momentum ahead, mixing the new ``m`` (weighted by
    ``mu_(t+1)``) with the current gradient (weighted by ``1 - mu_t``), each over its own bias correction
    ``1 - mu_1 ... mu_t``:  ``p <- p - lr * (mu_(t+1) m / (1 - prod_(t+1)) + (1 - mu_t) g / (1 - prod_t))
    / (sqrt(v / (1 - b2^t)) + eps)``.

    >>> x = Value(1.0); opt = Nadam([x], lr=0.1); x.grad = 3.0; opt.step(); round(x.data, 4)
    0.8944
    """

    def __init__(self, params: Iterable[Value] | Any, lr: float = 0.002, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum_decay: float = 0.004) -> None:
        super().__init__(params, lr, weight_decay)
        self.beta1, self.beta2 = _betas(betas)
        self.eps = _eps(eps)
        self.momentum_decay = _number(momentum_decay, "momentum_decay", 0.0)
        self.mu_product = 1.0  # mu_1 mu_2 ... mu_t
        self.m = self._zeros()
        self.v = self._zeros()

    def _mu(self, t: int) -> float:
        return self.beta1 * (1.0 - 0.5 * 0.96 ** (t * self.momentum_decay))

    def _update(self, p: np.ndarray, g: np.ndarray) -> np.ndarray:
        b1, b2 = self.beta1, self.beta2
        mu, mu_next = self._mu(self.t), self._mu(self.t + 1)
        self.mu_product *= mu
        gradient_weight = (1.0 - mu) / (1.0 - self.mu_product)
        momentum_weight = mu_next / (1.0 - self.mu_product * mu_next)
        correction2 = 1.0 - b2 ** self.t
        m = self.m = b1 * self.m + (1.0 - b1) * g
        v = self.v = b2 * self.v + (1.0 - b2) * g * g
        return p - self.lr * (momentum_weight * m + gradient_weight * g) / (np.sqrt(v / correction2) + self.eps)
