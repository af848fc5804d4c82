"""Training: the fit loop (mini-batches, progress bar, a History per epoch).

``fit`` checks its arguments once, for both paths alike (``nn.train.plan``), then feeds batches to the one
step (``nn.train.step``) and keeps the books. The History lives in ``nn.train.history``, predictions and
metrics in ``nn.train.metrics``.
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import losses
from ..checks import count
from .history import History
from .metrics import class_labels
from .plan import Metric, Plan, make_plan
from .step import TrainingDiverged, learning_rate

__all__ = ["fit"]


def fit(model: Any, X: Any, y: Any, *, loss: str | Callable[[Any, Any], Any] = "mse", optimizer: Any = "sgd",
        epochs: int = 100, batch_size: int | None = None, lr: float | None = None, l2: float = 0.0,
        lr_schedule: Callable[[int], float] | None = None, metrics: Sequence[str | Metric] = (),
        validation: tuple[Any, Any] | None = None, progress: bool = True, shuffle: bool = True,
        seed: int | None = 0, threshold: float | None = None, compiled: bool = False,
        record: int | None = None) -> History:
    """Train ``model`` on ``(X, y)`` by mini-batch gradient descent; one History entry per epoch.

    Args:
        model: a Module (``model(row)`` gives a Value or a list of Values; ``model.parameters()``).
        X: features, shape (n, features).
        y: targets, as the loss accepts them: class labels 0 .. C-1 or one-hot rows for ``"cross_entropy"``;
            0/1 for ``"bce"`` and ``"bce_logits"``; -1/+1 for ``"hinge"``; numbers (or rows) for ``"mse"``.
        loss: a loss of ``nn.losses`` or its name in ``losses.LOSSES`` (``"mse"``, ``"cross_entropy"``,
            ``"hinge"``, ``"bce"``, ``"bce_logits"``, ...), or a function ``(output, target) -> Value`` of one row.
        optimizer: the name of any optimiser of ``nn.optim`` (the keys of ``OPTIMIZERS``: ``"sgd"``, ``"adam"``,
            ``"adamw"``, ...) or an optimiser made on ``model.parameters()``.
        epochs: passes over the data.
        batch_size: rows per step (``None``: the whole data set, one step per epoch).
        lr: learning rate for an optimiser given by name (default ``DEFAULT_LR``).
        l2: weight of the penalty ``l2 * sum(w^2)`` over all parameters added to the objective.
        lr_schedule: ``epoch index (0, 1, ...) -> learning rate``, set on the optimiser before each epoch.
        metrics: ``"accuracy"`` or functions ``(y_true, y_pred) -> float`` of class labels, measured on the
            training data (and on ``validation``) at the end of each epoch, with the loss's ``threshold``.
        validation: ``(X_val, y_val)``, scored at the end of each epoch (``val_loss``, ``val_<metric>``).
        progress: show a tqdm progress bar with the loss (``False``: print nothing).
        shuffle: visit the rows in a new random order each epoch.
        seed: seed of the shuffling (an int >= 0, or None).
        threshold: the decision threshold for one output (default: the loss's, 0.5 for ``"bce"``, else 0).
        compiled: trace the model and loss once and replay that graph with numpy on each batch
            (``autograd.compiled``): the same gradients, many times faster; refused (``NotCompilable``)
            if the model or loss branches on the data. Metrics and validation are measured on a compiled
            forward pass too (``compile_scores``), the same numbers as the dynamic one.
        record: every ``record`` epochs (and before the first) call ``history.snapshot(epoch, model, X,
            labels)``, for ``History.animate``; ``None``: no snapshots.

    Returns:
        the History.

    Raises:
        TrainingDiverged: the loss, a gradient or a parameter became NaN or infinite (names the epoch and step).

    >>> from nn import MLP, data
    >>> X, y = data.logic_gate("and")
    >>> h = fit(MLP(2, [1], seed=0), X, y, loss="mse", epochs=3, progress=False); len(h["loss"])
    3
    """
    plan = make_plan(model, X, y, losses.get(loss), optimizer, lr, l2, lr_schedule, metrics, validation, threshold,
                 compiled)
    if plan.validation is not None and len(plan.validation[0][0]) != len(plan.rows[0]):  # else found after epoch 1
        raise ValueError(f"validation X has {len(plan.validation[0][0])} features per row but X has "
                         f"{len(plan.rows[0])}: score the model on rows like those it trains on")
    epochs = count(epochs, "epochs")
    size = len(plan.rows) if batch_size is None else count(batch_size, "batch_size")
    record = None if record is None else count(record, "record")
    rng = np.random.default_rng(None if seed is None else count(seed, "seed", minimum=0))
    from tqdm.auto import tqdm

    history = History()
    if record:
        _snapshot(history, 0, model, plan)
    # One tick per step, not per epoch: a slow epoch (digits: seconds) still shows it is moving.
    with tqdm(total=epochs * -(-len(plan.rows) // size), unit="step", disable=not progress) as bar:
        for epoch in range(1, epochs + 1):
            bar.set_description(f"epoch {epoch}/{epochs}", refresh=False)
            if plan.schedule is not None:
                try:
                    rate = plan.schedule(epoch - 1)
                except Exception as error:  # the schedule's own error, with a note of where fit called it
                    add_note = getattr(error, "add_note", None)  # Python 3.11 on; before, the traceback alone
                    if add_note is not None:
                        add_note(f"fit: raised by your lr_schedule({epoch - 1}), called before epoch {epoch}")
                    raise
                plan.optimizer.lr = learning_rate(rate, f"lr_schedule({epoch - 1})")
            order = rng.permutation(len(plan.rows)) if shuffle else np.arange(len(plan.rows))
            values, seconds = _epoch(plan, epoch, [order[i:i + size] for i in range(0, len(order), size)], bar)
            history.record(values, seconds)
            bar.set_postfix({k: f"{v:.4g}" for k, v in values.items()})
            if record and epoch % record == 0:
                _snapshot(history, epoch, model, plan)
    return history


def _snapshot(history: History, epoch: int, model: Any, plan: Plan) -> None:
    # History.snapshot keeps what History.animate draws: the model's decision boundary over the data at that epoch
    history.snapshot(epoch, model, np.array(plan.rows), plan.labels)  # type: ignore[attr-defined]


def _epoch(plan: Plan, epoch: int, batches: list[np.ndarray], bar: Any) -> tuple[dict[str, float], float]:
    """One pass over the batches: the epoch's mean objective and metrics, and the seconds its steps took."""
    started, total = time.perf_counter(), 0.0
    try:
        for step, chosen in enumerate(batches, 1):
            total += _guarded(plan, epoch, step, chosen)
            bar.set_postfix(loss=f"{total / step:.4g}", refresh=False)
            bar.update()
    finally:
        plan.path.settle()  # the model's Values get the trained numbers (also when a step failed)
    seconds = time.perf_counter() - started
    values = {"loss": total / len(batches)}
    if plan.metrics:
        predicted = class_labels(plan.path.scores(plan.rows), plan.threshold)
        values.update({name: f(plan.labels, predicted) for name, f in plan.metrics})
    if plan.validation is not None:
        val_rows, val_targets, val_labels = plan.validation
        scores, values["val_loss"] = plan.path.evaluate(val_rows, val_targets)
        predicted = class_labels(scores, plan.threshold)
        values.update({f"val_{name}": f(val_labels, predicted) for name, f in plan.metrics})
    return values, seconds


def _guarded(plan: Plan, epoch: int, step: int, chosen: np.ndarray) -> float:
    """The path's step on the rows ``chosen``, the collector paused; its errors re-raised with the epoch and step."""
    where = f"epoch {epoch}, step {step}"
    # The cyclic collector is paused during a step: it would rescan the growing graph's Values many times for
    # nothing, since a graph holds no reference cycles (nodes point to parents only) and reference counting
    # frees it. Measured on moons(100), MLP(2, [16, 16, 1]), hinge: fit about 1.2x faster full batch, 1.1x
    # with batch_size=10. A caller who paused the collector keeps it paused.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return plan.path.step(chosen)
    except (FloatingPointError, OverflowError) as error:
        updated = epoch > 1 or step > 1 or not all(math.isfinite(p.data) for p in plan.params)
        hint = "try a smaller learning rate" if updated else "at the initial weights: check the scale of X and y"
        raise TrainingDiverged(f"training diverged at {where}: {error} ({hint})") from error
    except (ValueError, TypeError, ZeroDivisionError) as error:
        try:
            placed = type(error)(f"{where}: {error}")
        except TypeError:  # an exception class that wants other arguments: as it is
            raise error from None
        raise placed from error
    finally:
        if collecting:
            gc.enable()
