"""Training: the fit loop (mini-batches, progress bar, a History per epoch) and its one step.

An objective maps a batch to its mean loss and adds that loss's gradient to the parameters' ``.grad``: the
dynamic one builds a graph per row and backpropagates it once, the compiled one replays one traced graph on
the whole batch. ``train_step`` takes either: it adds the L2 penalty, lets the optimiser step, and stops at a
loss, gradient or parameter that is not finite. ``fit`` checks its arguments once, for both paths alike,
then feeds batches to that step and keeps the books. The History lives in ``nn.train.history``, predictions
and metrics in ``nn.train.metrics``.
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd import summation
from autograd.compiled import CompiledLoss, compile_loss
from autograd.operand import check_number
from autograd.value import Value

from .. import losses, optim
from ..checks import count
from .history import History
from .metrics import accuracy, as_rows, class_labels, compile_scores, predict_scores, scores_of

__all__ = ["fit", "train_step", "dynamic_objective", "learning_rate", "TrainingDiverged", "OPTIMIZERS",
           "DEFAULT_LR"]

Metric = Callable[[np.ndarray, np.ndarray], float]
Objective = Callable[[Sequence[Any], Sequence[Any]], float]
Evaluate = Callable[[list[list[float]], list[Any]], tuple[np.ndarray, float]]

OPTIMIZERS: dict[str, type] = {"sgd": optim.SGD, "adagrad": optim.Adagrad, "rmsprop": optim.RMSprop,
                               "adam": optim.Adam}
# Learning rates that work for small networks on scaled data; pass lr= to choose another.
DEFAULT_LR = {"sgd": 0.1, "adagrad": 0.1, "rmsprop": 0.01, "adam": 0.01}


class TrainingDiverged(ArithmeticError):
    """The loss, a gradient or a parameter became NaN or infinite; the message names the epoch and the step."""


def learning_rate(value: Any, who: str) -> float:
    """``value`` as a learning rate: a finite number above 0 (a negative one would climb the loss).

    >>> learning_rate(0.1, "lr")
    0.1
    """
    rate = check_number(value, who)
    if rate <= 0:
        raise ValueError(f"{who} must be a learning rate above 0, got {rate!r}")
    return rate


def dynamic_objective(model: Callable[[Any], Any], loss: Callable[[Any, Any], Any]) -> Objective:
    """The mean of ``loss(model(row), target)`` over a batch: one graph per row, one ``backward()`` for all.

    >>> w = Value(2.0); mean = dynamic_objective(lambda row: w * row[0], lambda out, t: (out - t) ** 2)
    >>> mean([[1.0], [2.0]], [0.0, 0.0]), w.grad  # (4 + 16) / 2 and (2 * 2 * 1 + 2 * 4 * 2) / 2
    (10.0, 10.0)
    """

    def mean_loss(rows: Sequence[Any], targets: Sequence[Any]) -> float:
        terms = [loss(model(row), target) for row, target in zip(rows, targets)]
        bad = next((t for t in terms if not isinstance(t, Value)), None)
        if bad is not None:
            raise TypeError(f"the loss must return a Value (to backpropagate), got {type(bad).__name__} ({bad!r})")
        mean = summation(terms) * (1.0 / len(terms))
        mean.backward()
        return float(mean.data)

    return mean_loss


def train_step(objective: Objective, rows: Sequence[Any], targets: Sequence[Any], optimizer: Any,
               params: list[Value], l2: float = 0.0) -> float:
    """One optimisation step on a batch: the objective's gradient (+ ``l2 * sum w^2``'s), then the update.

    Args:
        objective: ``(rows, targets) -> mean loss`` that adds its gradient to ``.grad`` (``dynamic_objective``,
            or ``CompiledLoss.value_and_grad``).
        rows, targets: the batch.
        optimizer: has ``zero_grad()`` and ``step()`` over ``params``.
        params: the model's parameters (the L2 penalty sums their squares).
        l2: weight of the L2 penalty.

    Returns:
        the batch's objective (before the update).

    Raises:
        FloatingPointError: the loss or a gradient is not finite, or the update made a parameter so.

    >>> w = Value(1.0); sgd = optim.SGD([w], lr=0.25)
    >>> train_step(dynamic_objective(lambda row: w * row[0], losses.mse), [[1.0]], [0.0], sgd, [w]), w.data
    (1.0, 0.5)
    """
    optimizer.zero_grad()
    value = objective(rows, targets)
    if l2:
        penalty = losses.l2_penalty(params, l2)
        penalty.backward()  # adds 2 * l2 * w to each parameter's .grad
        value += penalty.data
    if not math.isfinite(value):
        raise FloatingPointError(f"the loss is {value}")
    bad = next((p for p in params if not math.isfinite(p.grad)), None)
    if bad is not None:
        raise FloatingPointError(f"a gradient is not finite: {bad.label or 'a parameter'} has grad {bad.grad} "
                                 f"(the loss is {value:.6g})")
    optimizer.step()
    bad = next((p for p in params if not math.isfinite(p.data)), None)
    if bad is not None:
        raise FloatingPointError(f"the update made {bad.label or 'a parameter'} {bad.data} (its gradient was "
                                 f"{bad.grad:.6g}, the learning rate {getattr(optimizer, 'lr', '?')})")
    return value


@dataclass
class _Path:
    """How one path (dynamic or compiled) computes a batch's objective, the model's scores, and a data set's loss."""

    objective: Objective
    scores: Callable[[list[list[float]]], np.ndarray]
    evaluate: Evaluate


@dataclass
class _Plan:
    """Everything fit checked before training, read by every epoch."""

    params: list[Value]
    optimizer: Any
    rows: list[list[float]]
    targets: list[Any]
    labels: np.ndarray
    l2: float
    schedule: Callable[[int], Any] | None
    metrics: list[tuple[str, Metric]]
    validation: tuple[list[list[float]], list[Any], np.ndarray] | None
    threshold: float
    path: _Path


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
        optimizer: ``"sgd"``, ``"adagrad"``, ``"rmsprop"``, ``"adam"`` or an optimiser made on ``model.parameters()``.
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
    plan = _plan(model, X, y, losses.get(loss), optimizer, lr, l2, lr_schedule, metrics, validation, threshold,
                 compiled)
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
                plan.optimizer.lr = learning_rate(plan.schedule(epoch - 1), f"lr_schedule({epoch - 1})")
            order = rng.permutation(len(plan.rows)) if shuffle else np.arange(len(plan.rows))
            values, seconds = _epoch(plan, epoch, [order[i:i + size] for i in range(0, len(order), size)], bar)
            history.record(values, seconds)
            bar.set_postfix({k: f"{v:.4g}" for k, v in values.items()})
            if record and epoch % record == 0:
                _snapshot(history, epoch, model, plan)
    return history


def _plan(model: Any, X: Any, y: Any, loss: losses.Loss, optimizer: Any, lr: float | None, l2: Any,
          lr_schedule: Any, metrics: Any, validation: Any, threshold: Any, compiled: bool) -> _Plan:
    """fit's arguments checked, the same for both paths, and the path chosen."""
    rows = as_rows(X, "X")
    outputs = _output_size(model, rows[0])
    targets, labels = _targets(loss, y, len(rows), outputs, "y")
    params = model.parameters()
    opt = _optimizer(optimizer, params, lr)
    if lr_schedule is not None and not (callable(lr_schedule) and hasattr(opt, "lr")):
        raise TypeError(f"lr_schedule must be a function epoch -> learning rate, for an optimiser with an lr "
                        f"attribute; got {type(lr_schedule).__name__} for {type(opt).__name__}")
    l2 = check_number(l2, "l2")
    if l2 < 0:
        raise ValueError(f"l2 must be >= 0 (the weight of the penalty l2 * sum w^2), got {l2!r}")
    threshold = loss.threshold if threshold is None else check_number(threshold, "threshold")
    checked = None if validation is None else _validation(validation, loss, outputs)
    chosen = _metrics(metrics)
    path = _compiled_path(model, loss, rows, bool(chosen) or checked is not None) if compiled else \
        _dynamic_path(model, loss)
    return _Plan(params, opt, rows, targets, labels, l2, lr_schedule, chosen, checked, threshold, path)


def _snapshot(history: History, epoch: int, model: Any, plan: _Plan) -> None:
    # History.snapshot keeps what History.animate draws: the model's decision boundary over the data at that epoch
    history.snapshot(epoch, model, np.array(plan.rows), plan.labels)  # type: ignore[attr-defined]


def _epoch(plan: _Plan, epoch: int, batches: list[np.ndarray], bar: Any) -> tuple[dict[str, float], float]:
    """One pass over the batches: the epoch's mean objective and metrics, and the seconds its steps took."""
    started, total = time.perf_counter(), 0.0
    for step, chosen in enumerate(batches, 1):
        total += _guarded(plan, epoch, step, [plan.rows[i] for i in chosen], [plan.targets[i] for i in chosen])
        bar.set_postfix(loss=f"{total / step:.4g}", refresh=False)
        bar.update()
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


def _guarded(plan: _Plan, epoch: int, step: int, rows: list[Any], targets: list[Any]) -> float:
    """``train_step`` on one batch, the garbage collector paused; its errors re-raised with the epoch and step."""
    where = f"epoch {epoch}, step {step}"
    # The cyclic collector is paused during a step: it would rescan the growing graph's Values many times for
    # nothing, since a graph holds no reference cycles (nodes point to parents only) and reference counting
    # frees it. Measured on moons(100), MLP(2, [16, 16, 1]), hinge: fit about 1.2x faster full batch, 1.1x
    # with batch_size=10. A caller who paused the collector keeps it paused.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return train_step(plan.path.objective, rows, targets, plan.optimizer, plan.params, plan.l2)
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


def _dynamic_path(model: Any, loss: losses.Loss) -> _Path:
    def evaluate(rows: list[list[float]], targets: list[Any]) -> tuple[np.ndarray, float]:
        outputs = [model(row) for row in rows]
        total = math.fsum(float(loss(out, t).data) for out, t in zip(outputs, targets))
        return scores_of(outputs), total / len(rows)

    return _Path(dynamic_objective(model, loss), lambda rows: predict_scores(model, rows), evaluate)


def _compiled_path(model: Any, loss: losses.Loss, rows: list[list[float]], scored: bool) -> _Path:
    """The compiled path: ``compile_loss`` at the first batch (inside step 1, so that its errors name the epoch
    and step as the dynamic path's do), replays after; scores by ``compile_scores``."""
    compiled: list[CompiledLoss] = []

    def objective(batch: Sequence[Any], targets: Sequence[Any]) -> float:
        if not compiled:
            compiled.append(compile_loss(model, loss, batch, targets))
        return compiled[0].value_and_grad(batch, targets)

    scores = compile_scores(model, rows) if scored else (lambda X: predict_scores(model, X))  # the latter unused

    def evaluate(rows: list[list[float]], targets: list[Any]) -> tuple[np.ndarray, float]:
        return scores(rows), math.fsum(compiled[0].losses(rows, targets).tolist()) / len(rows)

    return _Path(objective, scores, evaluate)


def _optimizer(optimizer: Any, params: list[Value], lr: float | None) -> Any:
    if isinstance(optimizer, str):
        key = optimizer.lower()
        if key not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {optimizer!r}; choose one of {', '.join(OPTIMIZERS)} "
                             "or pass an optimiser")
        return OPTIMIZERS[key](params, lr=DEFAULT_LR[key] if lr is None else learning_rate(lr, "lr"))
    if not (hasattr(optimizer, "step") and hasattr(optimizer, "zero_grad")):
        raise TypeError(f"optimizer must be a name or have step() and zero_grad(), got {type(optimizer).__name__}")
    if lr is not None:
        raise ValueError("lr= applies to an optimizer given by name; set the learning rate on your optimiser")
    return optimizer


def _output_size(model: Any, row: list[float]) -> int:
    out = model(row)
    items = out if isinstance(out, (list, tuple)) else [out]
    if not items or not all(isinstance(v, Value) for v in items):
        raise TypeError(f"the model must return a Value or a list of Values, got {out!r} for the first row of X")
    return len(items)


def _targets(loss: losses.Loss, y: Any, n: int, outputs: int, who: str) -> tuple[list[Any], np.ndarray]:
    """The per-row targets the loss reads, and the class labels metrics compare against; checked by the loss."""
    try:
        size: int | None = len(y)
    except TypeError:  # a number, not one per row
        size = None
    if size != n:
        raise ValueError(f"X has {n} rows but {who} has {size if size is not None else 'no rows (a scalar)'}")
    array = loss.targets(y, outputs, who)
    return array.tolist(), loss.labels(array)


def _validation(validation: Any, loss: losses.Loss, outputs: int) -> tuple[list[list[float]], list[Any], np.ndarray]:
    if not isinstance(validation, (tuple, list)) or len(validation) != 2:
        got = f"{type(validation).__name__} of {len(validation)}" if isinstance(validation, (tuple, list)) else \
            type(validation).__name__
        raise TypeError(f"validation must be a pair (X_val, y_val), got a {got}")
    rows = as_rows(validation[0], "validation X")
    return (rows, *_targets(loss, validation[1], len(rows), outputs, "validation y"))


def _metrics(metrics: Any) -> list[tuple[str, Metric]]:
    if isinstance(metrics, str) or callable(metrics):
        metrics = [metrics]
    chosen: list[tuple[str, Metric]] = []
    for metric in metrics:
        if metric == "accuracy":
            chosen.append(("accuracy", accuracy))
        elif callable(metric):
            chosen.append((getattr(metric, "__name__", "metric"), metric))
        else:
            raise ValueError(f"unknown metric {metric!r}; use 'accuracy' or a function (y_true, y_pred) -> float")
    return chosen
