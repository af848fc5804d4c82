"""Training: the fit loop (mini-batches, progress bar, a History per epoch) and its step.

One step is ``train_step``: forward every row of a batch, average the losses into one node, add the
L2 penalty, backward once, let the optimiser step. ``fit`` only checks the data, feeds batches to that
step and keeps the books, so another step (a compiled one) can be swapped in. The History lives in
``nn.train.history``, predictions and metrics in ``nn.train.metrics``.
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import numpy as np

from autograd import summation
from autograd.value import Value

from .. import losses, optim
from ..checks import count
from .history import History
from .metrics import _classes, _rows, _scores, accuracy, compile_scores, predict_scores

__all__ = ["fit", "train_step", "TrainingDiverged", "LOSSES", "OPTIMIZERS", "DEFAULT_LR"]

Metric = Callable[[np.ndarray, np.ndarray], float]

# Loss names fit understands; each maps (model output, target) -> a Value.
LOSSES: dict[str, Callable[[Any, Any], Value]] = {
    "mse": losses.mse,
    "cross_entropy": losses.cross_entropy,
    "hinge": losses.hinge,
    "bce": losses.binary_cross_entropy,
    "bce_logits": losses.binary_cross_entropy_with_logits,
}

OPTIMIZERS: dict[str, type] = {"sgd": optim.SGD, "adagrad": optim.Adagrad, "rmsprop": optim.RMSprop,
                               "adam": optim.Adam}
# Learning rates that work for small networks on scaled data; pass lr= to choose another.
DEFAULT_LR = {"sgd": 0.1, "adagrad": 0.1, "rmsprop": 0.01, "adam": 0.01}


class TrainingDiverged(ArithmeticError):
    """The loss or a gradient became NaN or infinite; the message names the epoch and the step."""


def train_step(model: Callable[[list[float]], Any], rows: Sequence[list[float]], targets: Sequence[Any],
               loss_fn: Callable[[Any, Any], Value], optimizer: Any, params: list[Value],
               l2: float = 0.0) -> float:
    """One optimisation step on a batch: mean loss over the rows (+ ``l2 * sum w^2``), backward, update.

    Args:
        model: maps a row (a list of floats) to a Value or a list of Values.
        rows, targets: the batch.
        loss_fn: ``(output, target) -> Value`` for one row.
        optimizer: has ``zero_grad()`` and ``step()`` over ``params``.
        params: the model's parameters (the L2 penalty sums their squares).
        l2: weight of the L2 penalty.

    Returns:
        the batch's objective (before the update).
    """
    optimizer.zero_grad()
    terms = [loss_fn(model(row), target) for row, target in zip(rows, targets)]
    if not all(isinstance(t, Value) for t in terms):
        bad = next(t for t in terms if not isinstance(t, Value))
        raise TypeError(f"the loss must return a Value (to backpropagate), got {type(bad).__name__} ({bad!r})")
    objective = summation(terms) * (1.0 / len(terms))
    if l2:
        objective = objective + losses.l2_penalty(params, l2)
    objective.backward()
    if not math.isfinite(objective.data):
        raise FloatingPointError(f"the loss is {objective.data}")
    if not all(map(math.isfinite, [p.grad for p in params])):
        raise FloatingPointError(f"a gradient is not finite (the loss is {objective.data:.6g})")
    optimizer.step()
    return float(objective.data)


def fit(model: Any, X: Any, y: Any, loss: str | Callable[[Any, Any], Value] = "mse", optimizer: Any = "sgd",
        epochs: int = 100, batch_size: int | None = None, lr: float | None = None, l2: float = 0.0,
        lr_schedule: Callable[[int], float] | None = None, metrics: Sequence[str | Metric] = (),
        validation: tuple[Any, Any] | None = None, progress: bool = True, shuffle: bool = True,
        seed: int | None = 0, threshold: float | None = None, compiled: bool = False) -> History:
    """Train ``model`` on ``(X, y)`` by mini-batch gradient descent; one History entry per epoch.

    Args:
        model: a Module (``model(row)`` gives a Value or a list of Values; ``model.parameters()``).
        X: features, shape (n, features).
        y: targets: class labels 0 .. C-1 or one-hot rows for ``"cross_entropy"``; 0/1 for ``"bce"`` and
            ``"bce_logits"``; -1/+1 for ``"hinge"``; numbers (or rows of numbers) for ``"mse"``.
        loss: ``"mse"``, ``"cross_entropy"``, ``"hinge"``, ``"bce"``, ``"bce_logits"`` or a function
            ``(output, target) -> Value`` of one row.
        optimizer: ``"sgd"``, ``"adagrad"``, ``"rmsprop"``, ``"adam"`` or an optimiser made on ``model.parameters()``.
        epochs: passes over the data.
        batch_size: rows per step (``None``: the whole data set, one step per epoch).
        lr: learning rate for an optimiser given by name (default ``DEFAULT_LR``).
        l2: weight of the penalty ``l2 * sum(w^2)`` over all parameters added to the objective.
        lr_schedule: ``epoch index (0, 1, ...) -> learning rate``, set on the optimiser before each epoch.
        metrics: ``"accuracy"`` or functions ``(y_true, y_pred) -> float`` of class labels, measured on the
            training data (and on ``validation``) at the end of each epoch, with ``predict``.
        validation: ``(X_val, y_val)``, scored at the end of each epoch (``val_loss``, ``val_<metric>``).
        progress: show a tqdm progress bar with the loss (``False``: print nothing).
        shuffle: visit the rows in a new random order each epoch.
        seed: seed of the shuffling.
        threshold: ``predict``'s threshold for one output (default 0.5 for ``"bce"``, else 0).
        compiled: trace the model and loss once and replay that graph with numpy on each batch
            (``autograd.compiled``): the same gradients, many times faster; refused (``NotCompilable``)
            if the model or loss branches on the data. Metrics and validation are measured on a compiled
            forward pass too (``compile_scores``), the same numbers as the dynamic one.

    Returns:
        the History.

    Raises:
        TrainingDiverged: the loss or a gradient became NaN or infinite (names the epoch and step).

    >>> from nn import MLP, data
    >>> X, y = data.logic_gate("and")
    >>> h = fit(MLP(2, [1], seed=0), X, y, loss="mse", epochs=3, progress=False); len(h["loss"])
    3
    """
    rows = _rows(X, "X")
    epochs = count(epochs, "epochs")
    size = len(rows) if batch_size is None else count(batch_size, "batch_size")
    loss_name, loss_fn = _loss(loss)
    params = model.parameters()
    opt = _optimizer(optimizer, params, lr)
    outputs = _output_size(model, rows[0])
    targets, labels = _targets(y, len(rows), loss_name, outputs, "y")
    metric_fns = _metrics(metrics)
    if validation is not None:
        val_rows = _rows(validation[0], "validation X")
        val_targets, val_labels = _targets(validation[1], len(val_rows), loss_name, outputs, "validation y")
    if threshold is None:
        threshold = 0.5 if loss_name == "bce" else 0.0
    if lr_schedule is not None and not hasattr(opt, "lr"):
        raise TypeError(f"lr_schedule needs an optimiser with an lr attribute, got {type(opt).__name__}")
    step = train_step
    scores_of: Callable[[list[list[float]]], np.ndarray] = lambda some: predict_scores(model, some)
    evaluate = partial(_evaluate, model, loss_fn=loss_fn)
    if compiled:
        from autograd.compiled import compile_loss

        compiled_loss = compile_loss(model, loss_name if LOSSES.get(loss_name) is loss_fn else loss_fn, rows,
                                     targets)
        step = compiled_loss.train_step
        if metric_fns or validation is not None:
            scores_of = compile_scores(model, rows)
            evaluate = partial(_evaluate_compiled, scores_of, compiled_loss)
    from tqdm.auto import tqdm

    history = History()
    rng = np.random.default_rng(seed)
    steps_per_epoch = -(-len(rows) // size)
    # One tick per step, not per epoch: a slow epoch (digits: seconds) still shows it is moving.
    bar = tqdm(total=epochs * steps_per_epoch, unit="step", disable=not progress)
    for epoch in range(1, epochs + 1):
        bar.set_description(f"epoch {epoch}/{epochs}", refresh=False)
        if lr_schedule is not None:
            opt.lr = lr_schedule(epoch - 1)
        order = rng.permutation(len(rows)) if shuffle else np.arange(len(rows))
        started, total, steps = time.perf_counter(), 0.0, 0
        for begin in range(0, len(rows), size):
            chosen = order[begin:begin + size]
            # The cyclic collector is paused during a step: it would rescan the growing graph's Values many
            # times for nothing, since a graph holds no reference cycles (nodes point to parents only) and
            # reference counting frees it. Measured on moons(100), MLP(2, [16, 16, 1]), hinge: fit about 1.2x
            # faster full batch, 1.1x with batch_size=10. A caller who paused the collector keeps it paused.
            collecting = gc.isenabled()
            gc.disable()
            try:
                total += _guarded(epoch, steps + 1, step, model, [rows[i] for i in chosen],
                                  [targets[i] for i in chosen], loss_fn, opt, params, l2)
            finally:
                if collecting:
                    gc.enable()
            steps += 1
            bar.set_postfix(loss=f"{total / steps:.4g}", refresh=False)
            bar.update()
        seconds = time.perf_counter() - started
        values = {"loss": total / steps}
        if metric_fns:
            predicted = _classes(scores_of(rows), threshold)
            values.update({name: f(labels, predicted) for name, f in metric_fns})
        if validation is not None:
            scores, val_loss = evaluate(val_rows, val_targets)
            values["val_loss"] = val_loss
            predicted = _classes(scores, threshold)
            values.update({f"val_{name}": f(val_labels, predicted) for name, f in metric_fns})
        history.record(values, seconds)
        bar.set_postfix({k: f"{v:.4g}" for k, v in values.items()})
    bar.close()
    return history


def _guarded(epoch: int, step: int, function: Callable[..., float], *args: Any) -> float:
    """``function(*args)``, its arithmetic errors re-raised with the epoch and step."""
    where = f"epoch {epoch}, step {step}"
    try:
        return function(*args)
    except (FloatingPointError, OverflowError) as error:
        raise TrainingDiverged(f"training diverged at {where}: {error} (try a smaller learning rate)") from error
    except ZeroDivisionError as error:
        raise ZeroDivisionError(f"{where}: {error}") from error
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from error


def _loss(loss: Any) -> tuple[str, Callable[[Any, Any], Value]]:
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)} or pass a function")
        return loss, LOSSES[loss]
    if callable(loss):
        return getattr(loss, "__name__", "loss"), loss
    raise TypeError(f"loss must be a name or a function, got {type(loss).__name__}")


def _optimizer(optimizer: Any, params: list[Value], lr: float | None) -> Any:
    if isinstance(optimizer, str):
        key = optimizer.lower()
        if key not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {optimizer!r}; choose one of {', '.join(OPTIMIZERS)} "
                             "or pass an optimiser")
        return OPTIMIZERS[key](params, lr=DEFAULT_LR[key] if lr is None else lr)
    if not (hasattr(optimizer, "step") and hasattr(optimizer, "zero_grad")):
        raise TypeError(f"optimizer must be a name or have step() and zero_grad(), got {type(optimizer).__name__}")
    if lr is not None:
        raise ValueError("lr= applies to an optimizer given by name; set the learning rate on your optimiser")
    return optimizer


def _output_size(model: Any, row: list[float]) -> int:
    out = model(row)
    return len(out) if isinstance(out, (list, tuple)) else 1


def _targets(y: Any, n: int, loss_name: str, outputs: int, who: str) -> tuple[list[Any], np.ndarray]:
    """The per-row targets the loss reads, and the class labels metrics compare against; checked."""
    array = np.asarray(y)
    if array.ndim == 0 or len(array) != n:
        raise ValueError(f"X has {n} rows but {who} has {len(array) if array.ndim else 'no rows (a scalar)'}")
    if array.ndim == 2 and array.shape[1] == 1 and outputs == 1:
        array = array[:, 0]
    if array.dtype.kind == "b":  # True / False labels are 1 / 0
        array = array.astype(np.int64)
    if array.dtype.kind not in "iuf" or not np.all(np.isfinite(array)):
        raise ValueError(f"{who} must hold finite numbers, got dtype {array.dtype}")
    if array.ndim > 2 or (array.ndim == 2 and array.shape[1] != outputs):
        raise ValueError(f"{who} has shape {array.shape} but the model has {outputs} outputs")
    if loss_name in ("bce", "bce_logits", "hinge") and outputs != 1:
        raise ValueError(f"loss {loss_name!r} needs a model with one output, this one has {outputs}")
    if array.ndim == 1 and outputs > 1 and loss_name != "cross_entropy":
        raise ValueError(f"{who} is 1-D but the model has {outputs} outputs: pass rows of {outputs} targets "
                         f"(data.one_hot(y, {outputs}) for class labels) or use loss='cross_entropy'")
    if loss_name in ("bce", "bce_logits") and (array.min() < 0 or array.max() > 1):
        raise ValueError(f"loss {loss_name!r} needs {who} in [0, 1] (0/1 labels), got values from "
                         f"{array.min()} to {array.max()}")
    if loss_name == "hinge" and not np.all(np.abs(array) == 1):
        raise ValueError(f"loss 'hinge' needs {who} of -1 and +1, got {np.unique(array)[:5].tolist()} "
                         "(map 0/1 labels with 2 * y - 1)")
    if loss_name == "cross_entropy":
        if outputs < 2:
            raise ValueError("loss 'cross_entropy' needs a model with at least 2 outputs (one logit per class)")
        if array.ndim == 1:
            if array.dtype.kind == "f" and np.any(array != np.round(array)):
                raise ValueError(f"{who} must be class indices (whole numbers) for cross_entropy")
            array = array.astype(np.int64)
            bad = array[(array < 0) | (array >= outputs)]
            if len(bad):
                raise ValueError(f"label {bad[0]} in {who} is out of range for a model with {outputs} outputs "
                                 f"(labels 0 .. {outputs - 1})")
    if array.ndim == 2:
        labels = array.argmax(axis=1)
    elif loss_name == "hinge":
        labels = (array > 0).astype(np.int64)
    else:
        labels = array
    return array.tolist(), labels


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


def _evaluate(model: Any, rows: list[list[float]], targets: list[Any],
              loss_fn: Callable[[Any, Any], Value]) -> tuple[np.ndarray, float]:
    """The model's scores on ``rows`` and the mean loss there (one forward pass, no backward)."""
    outputs = [model(row) for row in rows]
    total = math.fsum(float(loss_fn(out, t).data) for out, t in zip(outputs, targets))
    return _scores(outputs), total / len(rows)


def _evaluate_compiled(scores_of: Callable[[Any], np.ndarray], compiled_loss: Any, rows: list[list[float]],
                       targets: list[Any]) -> tuple[np.ndarray, float]:
    """``_evaluate`` by numpy replays: the model's compiled forward, and the compiled loss's graph (its inputs
    are the features, then the targets) for the loss of each row."""
    X = np.asarray(rows)
    per_row = compiled_loss.graph.forward(np.concatenate([X, compiled_loss.targets(targets)], axis=1))
    return scores_of(X), math.fsum(per_row.tolist()) / len(rows)
