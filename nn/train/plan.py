"""What fit checks before it trains, the same for both paths, and the path it then trains on.

``make_plan`` reads fit's arguments once (data, targets through the loss, optimiser, penalty, metrics,
validation, threshold) and chooses a ``TrainingPath``: how a batch's objective, the model's scores and a data
set's loss are computed, dynamically or by the compiled replay.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograd.compiled import compile_loss
from autograd.finite import check_number
from autograd.value import Value

from .. import losses, optim
from .metrics import accuracy, as_rows, compile_scores, predict_scores, scores_of
from .step import ArrayTraining, dynamic_objective, learning_rate, train_step

__all__ = ["Plan", "TrainingPath", "make_plan", "OPTIMIZERS", "DEFAULT_LR"]

Metric = Callable[[np.ndarray, np.ndarray], float]
Evaluate = Callable[[list[list[float]], list[Any]], tuple[np.ndarray, float]]

# Every optimiser class of nn.optim, by its name in lower case ("adamw"): a new class is reachable at once.
OPTIMIZERS: dict[str, type] = {name.lower(): getattr(optim, name) for name in optim.__all__ if name != "Optimizer"}
# Learning rates that work for small networks on scaled data (AdaMax and Nadam: twice Adam's, as their papers'
# defaults are); pass lr= to choose another.
DEFAULT_LR = {"sgd": 0.1, "adagrad": 0.1, "rmsprop": 0.01, "adam": 0.01, "adamw": 0.01, "adamax": 0.02, "nadam": 0.02}


@dataclass
class TrainingPath:
    """How one path (dynamic or compiled) takes a training step on the rows ``chosen`` (returning the batch's
    objective), scores the model, and measures a data set's loss; ``settle()`` brings the model's Values up to
    date (the compiled path keeps its parameters in arrays between steps) and runs after every epoch."""

    step: Callable[[np.ndarray], float]
    scores: Callable[[list[list[float]]], np.ndarray]
    evaluate: Evaluate
    settle: Callable[[], None] = lambda: None


@dataclass
class Plan:
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
    path: TrainingPath


def make_plan(model: Any, X: Any, y: Any, loss: losses.Loss, optimizer: Any, lr: float | None, l2: Any,
              lr_schedule: Any, metrics: Any, validation: Any, threshold: Any, compiled: bool) -> Plan:
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
    if compiled:
        path = _compiled_path(model, loss, rows, targets, opt, params, l2, bool(chosen) or checked is not None)
    else:
        path = _dynamic_path(model, loss, rows, targets, opt, params, l2)
    return Plan(params, opt, rows, targets, labels, l2, lr_schedule, chosen, checked, threshold, path)


def _dynamic_path(model: Any, loss: losses.Loss, rows: list[list[float]], targets: list[Any], opt: Any,
                  params: list[Value], l2: float) -> TrainingPath:
    objective = dynamic_objective(model, loss)

    def step(chosen: np.ndarray) -> float:
        return train_step(objective, [rows[i] for i in chosen], [targets[i] for i in chosen], opt, params, l2)

    def evaluate(rows: list[list[float]], targets: list[Any]) -> tuple[np.ndarray, float]:
        outputs = [model(row) for row in rows]
        total = math.fsum(float(loss(out, t).data) for out, t in zip(outputs, targets))
        return scores_of(outputs), total / len(rows)

    return TrainingPath(step, lambda rows: predict_scores(model, rows), evaluate)


def _compiled_path(model: Any, loss: losses.Loss, rows: list[list[float]], targets: list[Any], opt: Any,
                   params: list[Value], l2: float, scored: bool) -> TrainingPath:
    """The compiled path: ``compile_loss`` at the first batch (inside step 1, so that its errors name the epoch
    and step as the dynamic path's do), replays after; the parameters in arrays between steps (``ArrayTraining``)
    for nn.optim's optimisers; scores by ``compile_scores``."""
    state: dict[str, Any] = {}

    def step(chosen: np.ndarray) -> float:
        if not state:
            first = [rows[i] for i in chosen], [targets[i] for i in chosen]
            state["loss"] = compile_loss(model, loss, *first)
            state["inputs"] = state["loss"].inputs(rows, targets)  # features then target row, every row
            if ArrayTraining.applies(opt, params):
                state["arrays"] = ArrayTraining(state["loss"], opt, params, l2)
        if "arrays" in state:
            return state["arrays"].step(state["inputs"][chosen])  # type: ignore[no-any-return]
        return train_step(state["loss"].value_and_grad, [rows[i] for i in chosen], [targets[i] for i in chosen],
                          opt, params, l2)

    def settle() -> None:
        if "arrays" in state:
            state["arrays"].settle()

    scores = compile_scores(model, rows) if scored else (lambda X: predict_scores(model, X))  # the latter unused

    def evaluate(rows: list[list[float]], targets: list[Any]) -> tuple[np.ndarray, float]:
        return scores(rows), math.fsum(state["loss"].losses(rows, targets).tolist()) / len(rows)

    return TrainingPath(step, scores, evaluate, settle)


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
