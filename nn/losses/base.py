"""What every loss knows besides its formula: which targets it accepts, its traced form, its threshold.

``Loss`` is the base of nn.losses' losses (each one object, called as a function); ``FunctionLoss`` makes a
plain function ``(output, target) -> Value`` one. A Loss implements ``autograd.compiled.TracedLoss``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.compiled import is_tracing
from autograd.finite import check_number, is_number
from autograd.operand import Operand
from autograd.value import Value

__all__ = ["Loss", "FunctionLoss", "flatten", "as_loss", "is_the_number"]


def flatten(x: Any) -> list[Any]:
    """Numbers and Values out of nested lists and arrays, in order.

    >>> flatten([[1.0], [2.0, 3.0]])
    [1.0, 2.0, 3.0]
    """
    if isinstance(x, (Operand, int, float, np.number)):
        return [x]
    if isinstance(x, (str, bytes, dict)):
        raise TypeError(f"expected numbers or Values, got {type(x).__name__} ({x!r})")
    if isinstance(x, np.ndarray):
        return x.reshape(-1).tolist()
    try:
        items = list(x)
    except TypeError:
        raise TypeError(f"expected a Value, a number or a list of them, got {type(x).__name__}") from None
    return [y for item in items for y in flatten(item)]


def as_loss(total: Any, scale: float = 1.0) -> Any:
    """``scale * total`` as a Value labelled "loss" (a Value even when the predictions were floats).

    >>> loss = as_loss(3.0, 0.5); (loss.data, loss.label)
    (1.5, 'loss')
    """
    out = total * scale if scale != 1.0 else total
    if not isinstance(out, Operand):
        out = Value(out)
    if isinstance(out, Value):
        out.label = "loss"
    return out


def is_the_number(t: Any, number: float) -> bool:
    """``t`` is that number, not a Value: a target of 0 (or 1) makes a term vanish, so it is left out.

    >>> is_the_number(0, 0.0), is_the_number(Value(0.0), 0.0)
    (True, False)
    """
    return is_number(t) and t == number


class Loss:
    """What every loss knows besides its formula; a subclass writes ``__call__``, ``traced`` and ``check``.

    Attributes:
        name: the function's name, as errors show it.
        threshold: for a model with one output, the score above which it means class 1.
        class_indices: targets may be class indices 0 .. C-1, one per example (cross entropy).
        min_outputs, max_outputs: how many outputs a model trained with it may have (None: any number).
        why: what a refused target is told (with ``good``, the test it failed); "" accepts any finite number.
    """

    name = "loss"
    threshold = 0.0
    class_indices = False
    min_outputs: int = 1
    max_outputs: int | None = None
    why = ""

    def __repr__(self) -> str:
        return f"losses.{self.name}"

    def __call__(self, predictions: Any, targets: Any) -> Any:
        raise NotImplementedError

    def traced(self, output: Any, target: Any) -> Value:
        """One example's loss written with Value operations only (``autograd.compiled.TracedLoss``)."""
        raise NotImplementedError

    def good(self, t: Any) -> Any:
        """Whether the target ``t`` suits this loss: for a number, or elementwise for an array."""
        return True

    def check(self, targets: np.ndarray, n_outputs: int, who: str) -> None:
        """Raise ValueError naming ``who`` and the first bad target unless all suit this loss."""
        if self.why:
            self._refuse(targets, np.broadcast_to(self.good(targets), targets.shape), who, self.why)

    def targets(self, y: Any, n_outputs: int, who: str = "targets") -> np.ndarray:
        """``y`` checked for a model with ``n_outputs`` outputs: one target per example, or rows of ``n_outputs``.

        >>> from nn.losses import binary_cross_entropy, hinge, mse
        >>> mse.targets([[1.0], [2.0]], 1).tolist(), hinge.threshold, binary_cross_entropy.threshold
        ([1.0, 2.0], 0.0, 0.5)
        """
        try:
            array = np.asarray(y)
        except ValueError as error:
            raise ValueError(f"{who} must be numbers or rows of numbers of one length ({error})") from None
        if array.dtype.kind == "b":  # True / False labels are 1 / 0
            array = array.astype(np.int64)
        if array.dtype.kind not in "iuf" or not np.all(np.isfinite(array)):
            raise ValueError(f"{who} must hold finite numbers, got dtype {array.dtype}")
        if array.ndim == 2 and array.shape[1] == 1 and n_outputs == 1:
            array = array[:, 0]
        if n_outputs < self.min_outputs or (self.max_outputs is not None and n_outputs > self.max_outputs):
            wanted = "one output" if self.max_outputs == 1 else f"at least {self.min_outputs} outputs"
            raise ValueError(f"{self.name} needs a model with {wanted}, this one has {n_outputs}")
        if array.ndim not in (1, 2) or (array.ndim == 2 and array.shape[1] != n_outputs):
            raise ValueError(f"{who} has shape {array.shape} but the model has {n_outputs} outputs")
        if array.ndim == 1 and n_outputs > 1 and not self.class_indices:
            raise ValueError(f"{who} is 1-D but the model has {n_outputs} outputs: pass rows of {n_outputs} targets "
                             f"(data.one_hot(y, {n_outputs}) for class labels) or use loss='cross_entropy'")
        self.check(array, n_outputs, who)
        return array

    def target_rows(self, targets: Any, n_outputs: int) -> np.ndarray:
        """The targets checked, as rows of numbers: what ``traced`` receives, as Values, when compiled."""
        array = self.targets(targets, n_outputs)
        return array.reshape(len(array), -1).astype(float)

    def labels(self, targets: np.ndarray) -> np.ndarray:
        """The class labels that metrics compare predictions with (the argmax of rows)."""
        return targets.argmax(axis=1) if targets.ndim == 2 else targets

    def _refuse(self, targets: np.ndarray, good: np.ndarray, who: str, why: str) -> None:
        if not np.all(good):
            index = np.unravel_index(int(np.flatnonzero(~good)[0]), targets.shape)
            value = targets[index].item()
            raise ValueError(f"{self.name}: {who}[{', '.join(map(str, index))}] is {value!r}, {why}")

    def _pairs(self, predictions: Any, targets: Any) -> tuple[list[Any], list[Any]]:
        """Predictions and targets flattened, equally long, and checked; a Value target is used as it is."""
        preds, ts = flatten(predictions), flatten(targets)
        if not preds:
            raise ValueError(f"{self.name}: needs at least one prediction")
        if len(preds) != len(ts):
            raise ValueError(f"{self.name}: {len(preds)} predictions but {len(ts)} targets")
        # a number prediction becomes a Value, so the loss is computed by the engine's checked operations (on
        # floats (0 - 1e200) ** 2 was a bare OverflowError, and on numpy scalars an infinity with a warning)
        preds = [p if isinstance(p, Operand) else Value(check_number(p, f"{self.name} prediction")) for p in preds]
        ts = [t if isinstance(t, Operand) else check_number(t, f"{self.name} target") for t in ts]
        if self.why and not is_tracing():  # while compiling, the numbers of Value targets are the data: not read
            numbers = [float(t) for t in ts]
            if not all([self.good(t) for t in numbers]):  # the message comes from check
                self.check(np.array(numbers), len(preds), "target")
        return preds, ts


class FunctionLoss(Loss):
    """A function ``(output, target) -> Value`` of one example as a Loss: any finite target, threshold 0.

    When compiled, the function itself is traced, its target a Value (or a list of Values for a row).

    >>> FunctionLoss(lambda out, t: (out - t) ** 2)(Value(3.0), 1.0).data
    4.0
    """

    def __init__(self, function: Callable[[Any, Any], Any]) -> None:
        self.function, self.name = function, getattr(function, "__name__", "loss")

    def __call__(self, output: Any, target: Any) -> Any:
        return self.function(output, target)

    def traced(self, output: Any, target: Any) -> Value:
        return self.function(output, target)  # type: ignore[no-any-return]
