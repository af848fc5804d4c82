"""Rosenblatt's perceptron: a step of a weighted sum, trained by the delta rule instead of backprop.

The step has derivative 0 wherever it has one, so gradients cannot train it; Rosenblatt's rule
nudges the weights by the error instead: ``w <- w + eta (y - y_hat) x``. With the bias trick
(``x`` gets a constant 1 appended, so ``b`` is one more weight) the bias follows the same rule.
It learns every linearly separable gate (AND, OR, NAND, NOR) and never XOR.
"""

from __future__ import annotations

import math
import random
from typing import Any

import numpy as np

from autograd import dot
from autograd import functions as F
from autograd.value import Value

from .checks import count
from .layers import as_inputs, make_rng
from .module import Module

__all__ = ["Perceptron"]


class Perceptron(Module):
    """``y_hat = step(w . x + b)`` with ``step(z) = 1 if z >= 0 else 0`` (Heaviside, as the engine's ``step``).

    Args:
        nin: number of inputs.
        lr: the learning rate eta of the delta rule.
        seed: an int or ``random.Random``; weights and bias start at ``U(0, 1) / sqrt(nin)``, as the lecture's.

    >>> p = Perceptron(2, lr=0.1, seed=0)
    >>> p.fit([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 0, 0, 1], epochs=50)[-1]
    0
    >>> p.predict([[0, 0], [0, 1], [1, 0], [1, 1]]).tolist()
    [0, 0, 0, 1]
    """

    def __init__(self, nin: int, lr: float = 0.1, seed: int | random.Random | None = None) -> None:
        self.nin = count(nin, "nin")
        if isinstance(lr, bool) or not isinstance(lr, (int, float)):
            raise TypeError(f"lr must be a number, got {type(lr).__name__} ({lr!r})")
        if not (lr > 0 and math.isfinite(lr)):
            raise ValueError(f"lr must be a positive finite number, got {lr!r}")
        self.lr = float(lr)
        rng = make_rng(seed)
        scale = 1.0 / math.sqrt(self.nin)
        self.w = [Value(rng.random() * scale, label=f"P.w{i + 1}") for i in range(self.nin)]
        self.b = Value(rng.random() * scale, label="P.b")

    def __call__(self, x: Any) -> Value:
        """The prediction for one example as a graph node (its gradient is 0: see the module docstring)."""
        out: Value = F.step(dot(self.w, as_inputs(x, self.nin, "perceptron")) + self.b)
        out.label = "P"
        return out

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [(f"w{i + 1}", w) for i, w in enumerate(self.w)] + [("b", self.b)]

    def config(self) -> dict[str, Any]:
        """``{"nin", "lr"}``: what ``nn.load`` rebuilds the perceptron from."""
        return {"nin": self.nin, "lr": self.lr}

    def _weights(self) -> np.ndarray:
        """``[w1, ..., wn, b]``: the bias trick's weight vector."""
        return np.array([w.data for w in self.w] + [self.b.data])

    def _examples(self, X: Any) -> np.ndarray:
        array = np.asarray(X, dtype=float)
        if array.ndim != 2 or array.shape[1] != self.nin:
            raise ValueError(f"X must have shape (m, {self.nin}) for a perceptron with {self.nin} inputs, "
                             f"got shape {array.shape}")
        if not np.all(np.isfinite(array)):
            raise ValueError("X must hold finite numbers only")
        return np.hstack([array, np.ones((len(array), 1))])  # the bias trick

    def predict(self, X: Any) -> Any:
        """Predicted labels 0/1.

        Args:
            X: an ``(m, nin)`` array of examples, or one example of length ``nin``.

        Returns:
            an int array of ``m`` labels, or one int for one example.
        """
        one = np.ndim(X) == 1
        examples = self._examples(np.atleast_2d(np.asarray(X, dtype=float)) if one else X)
        labels = (examples @ self._weights() >= 0).astype(int)
        return int(labels[0]) if one else labels

    def fit(self, X: Any, y: Any, epochs: int = 10) -> list[int]:
        """Run the delta rule ``w <- w + eta (y - y_hat) x`` one example at a time, for up to ``epochs`` passes.

        Stops early after an epoch without mistakes: from then on no update changes anything.

        Args:
            X: an ``(m, nin)`` array of examples.
            y: ``m`` labels, each 0 or 1 (shape ``(m,)`` or ``(m, 1)``).
            epochs: the most passes over the data.

        Returns:
            the number of misclassified examples in each epoch run.
        """
        examples = self._examples(X)
        targets = np.asarray(y, dtype=float).reshape(-1)
        if len(targets) != len(examples):
            raise ValueError(f"X has {len(examples)} examples but y has {len(targets)} labels")
        if not np.all((targets == 0) | (targets == 1)):
            raise ValueError(f"perceptron labels must be 0 or 1, got {sorted(set(targets.tolist()))}")
        epochs = count(epochs, "epochs")
        weights = self._weights()
        mistakes: list[int] = []
        for _ in range(epochs):
            wrong = 0
            for x, target in zip(examples, targets):
                error = target - (1.0 if x @ weights >= 0 else 0.0)
                if error:
                    weights += self.lr * error * x
                    wrong += 1
            mistakes.append(wrong)
            if wrong == 0:
                break
        for w, value in zip(self.w + [self.b], weights.tolist()):
            w.data = float(value)
        return mistakes

    def _summary_rows(self) -> list[tuple[str, str, str, int]]:
        return [("P", "Perceptron, step", "(1,)", self.num_parameters())]

    def __repr__(self) -> str:
        return f"Perceptron({self.nin}, lr={self.lr})"
