"""Cross entropy from logits: ``logsumexp(z) - sum_k t_k z_k``, one example or a batch, targets as class
indices or one-hot (or probability) rows. The log-sum-exp is one node, so nothing reads a logit's number."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import dot, summation
from autograd import functions as F
from autograd.finite import check_number
from autograd.rule import RULES
from autograd.value import Value

from .base import Loss, as_loss, flatten, is_the_number

__all__ = ["cross_entropy", "CrossEntropy"]


def _is_row(x: Any) -> bool:
    return isinstance(x, (list, tuple)) or (isinstance(x, np.ndarray) and x.ndim > 0)  # np.array(3.) is a number


class CrossEntropy(Loss):
    """``losses.cross_entropy``: ``-sum_k t_k log softmax(z)_k`` from logits, as ``logsumexp(z) - sum_k t_k z_k``.

    Stable for logits up to +-1e308; its gradient with respect to the logits is ``softmax(z) - t`` (divided by
    the batch size).

    Args (of a call):
        logits: one example's logits (a list of Values), or a batch (a list of such lists).
        targets: a class index or a one-hot (or probability) row for one example; a list of them for a batch.

    Returns:
        the loss (the batch mean for a batch).

    >>> round(cross_entropy([1000.0, 1000.0], 0).data, 6), cross_entropy([1e308, -1e308], 0).data
    (0.693147, 0.0)
    """

    name = "cross_entropy"
    class_indices = True
    min_outputs = 2

    def __call__(self, logits: Any, targets: Any) -> Any:
        rows = list(logits) if _is_row(logits) else None
        if not rows:
            raise TypeError(f"cross_entropy: logits must be a non-empty list, got {type(logits).__name__}")
        if not _is_row(rows[0]):
            return as_loss(self._example(rows, targets, ""))
        if not _is_row(targets) or len(targets) != len(rows):
            count = len(targets) if _is_row(targets) else "no list of"
            raise ValueError(f"cross_entropy: a batch of {len(rows)} logit rows needs {len(rows)} targets, got {count}")
        each = [self._example(list(row), t, f"example {i}: ") for i, (row, t) in enumerate(zip(rows, targets))]
        return as_loss(summation(each), 1.0 / len(rows))

    def traced(self, output: Any, target: Any) -> Value:
        return as_loss(self._from_row(flatten(output), flatten(target), ""))  # type: ignore[no-any-return]

    def check(self, targets: np.ndarray, n_outputs: int, who: str) -> None:
        if targets.ndim == 1:
            self._refuse(targets, targets == np.round(targets), who, "not a class index (a whole number)")
            self._refuse(targets, (targets >= 0) & (targets < n_outputs), who,
                         f"out of range for {n_outputs} classes (labels 0 .. {n_outputs - 1})")
        else:
            good = (targets >= 0).all(axis=1) & (np.abs(targets.sum(axis=1) - 1.0) <= 1e-6)
            if not good.all():
                i = int(np.flatnonzero(~good)[0])
                raise ValueError(f"cross_entropy: row {i} of {who} is {targets[i].tolist()}, but a one-hot (or "
                                 "probability) target needs entries >= 0 summing to 1")

    def targets(self, y: Any, n_outputs: int, who: str = "targets") -> np.ndarray:
        array = super().targets(y, n_outputs, who)
        return array.astype(np.int64) if array.ndim == 1 else array

    def target_rows(self, targets: Any, n_outputs: int) -> np.ndarray:
        array = self.targets(targets, n_outputs)
        return np.eye(n_outputs)[array] if array.ndim == 1 else array.astype(float)

    def _example(self, zs: list[Any], target: Any, where: str) -> Any:
        if not zs:
            raise ValueError(f"cross_entropy: {where}needs at least one logit")
        if _is_row(target):
            ts = flatten(target)
            if len(ts) != len(zs):
                raise ValueError(f"cross_entropy: {where}{len(zs)} logits but a one-hot target of length {len(ts)}")
            numbers = [check_number(t, "cross_entropy one-hot target") for t in ts]
            self.check(np.array([numbers]), len(zs), f"{where}target")
            return self._from_row(zs, numbers, where)
        if isinstance(target, bool) or not isinstance(target, (int, np.integer)):
            raise TypeError(f"cross_entropy: {where}a class index must be an int, got {type(target).__name__} "
                            f"({target!r})")
        if not 0 <= target < len(zs):
            raise ValueError(f"cross_entropy: {where}class index {target} is out of range for {len(zs)} classes")
        return self._minus(zs, zs[int(target)], where)

    def _from_row(self, zs: list[Any], ts: list[Any], where: str) -> Any:
        used = [(t, z) for t, z in zip(ts, zs) if not is_the_number(t, 0.0)]
        return self._minus(zs, dot([t for t, _ in used], [z for _, z in used]), where)

    def _minus(self, zs: list[Any], picked: Any, where: str) -> Any:
        try:
            return F.apply(RULES["logsumexp_sub"], *zs, picked)  # one node: exact for large equal logits
        except OverflowError as error:
            raise OverflowError(f"cross_entropy: {where}the loss is above 1.8e308, beyond a float ({error})") from None


cross_entropy = CrossEntropy()
