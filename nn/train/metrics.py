"""Predictions and metrics: a trained model's outputs on data, its class labels, and how right they are."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.finite import check_number

from ..checks import count

__all__ = ["predict", "predict_scores", "compile_scores", "accuracy", "confusion_matrix", "as_rows", "scores_of",
           "class_labels"]


def as_rows(X: Any, who: str) -> list[list[float]]:
    """``X`` as a list of rows of Python floats (much faster for Values to read than numpy scalars), checked.

    >>> as_rows(np.eye(2), "X")
    [[1.0, 0.0], [0.0, 1.0]]
    """
    try:
        array = np.asarray(X, dtype=float)
    except (TypeError, ValueError, OverflowError) as error:  # OverflowError: an int no float holds
        raise ValueError(f"{who} must be a 2-D array of numbers (rows, features): {error}") from None
    if array.ndim != 2 or len(array) == 0:
        raise ValueError(f"{who} must be a non-empty 2-D array (rows, features), got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{who} contains NaN or infinite values")
    return array.tolist()  # type: ignore[no-any-return]


def scores_of(outputs: list[Any]) -> np.ndarray:
    """The numbers of a model's outputs (one Value, or a list of Values, per row): shape (n,) or (n, outputs).

    >>> from autograd import Value
    >>> scores_of([Value(0.5), Value(-1.0)]).tolist()
    [0.5, -1.0]
    """
    if isinstance(outputs[0], (list, tuple)):
        return np.array([[float(v.data) for v in out] for out in outputs])
    return np.array([float(out.data) for out in outputs])


def class_labels(scores: np.ndarray, threshold: float = 0.0) -> np.ndarray:
    """Class labels from scores: the argmax of each row of several; 1 where one score is above ``threshold``.

    >>> class_labels(np.array([-1.0, 0.5])).tolist(), class_labels(np.array([[0.1, 0.7], [0.9, 0.2]])).tolist()
    ([0, 1], [1, 0])
    """
    if scores.ndim == 2:
        return scores.argmax(axis=1)  # type: ignore[no-any-return]
    return (scores > threshold).astype(np.int64)


def predict_scores(model: Any, X: Any) -> np.ndarray:
    """The model's raw outputs as floats: shape (n,) for a model with one output, else (n, outputs).

    >>> from nn import MLP
    >>> predict_scores(MLP(2, [3, 1], seed=0), [[0.0, 0.0], [1.0, 1.0]]).shape
    (2,)
    """
    rows = X if isinstance(X, list) and X and isinstance(X[0], list) else as_rows(X, "X")
    return scores_of([model(row) for row in rows])


def compile_scores(model: Any, examples: Any) -> Callable[[Any], np.ndarray]:
    """``predict_scores`` of ``model`` as a function of ``X``, the model's graph traced once on ``examples``
    and replayed with numpy on all of ``X`` at once (``autograd.compiled``): the same numbers, many times
    faster. A model whose graph depends on the data (``NotCompilable``) is run by ``predict_scores``.

    The weights are read afresh at every call, so one compiled function follows a model as it trains.

    Args:
        model: a Module.
        examples: rows of features; ``compile_graph`` traces the graph once, on the first row, and refuses a graph
            that reads the numbers of a row while it is traced.

    Returns:
        ``X -> scores``, as ``predict_scores(model, X)``.

    >>> from nn import MLP
    >>> model = MLP(2, [3, 2], seed=0)
    >>> scores = compile_scores(model, [[0.0, 1.0], [1.0, 0.0]])
    >>> bool(np.allclose(scores([[0.5, 0.5]]), predict_scores(model, [[0.5, 0.5]]), rtol=1e-12, atol=0))
    True
    """
    from autograd.compiled import NotCompilable, compile_graph

    listed = []

    def one_row(*xs: Any) -> Any:
        out = model(list(xs))
        listed.append(isinstance(out, (list, tuple)))
        return out

    try:
        graph = compile_graph(one_row, examples)
    except NotCompilable:
        return lambda X: predict_scores(model, X)
    # a model that returns a list of one Value scores (n, 1), as predict_scores does; the graph gives (n,)
    columns = graph.n_outputs if listed[0] else 0

    def scores(X: Any) -> np.ndarray:
        out = graph.forward(X)
        return out.reshape(len(out), columns) if columns else out

    return scores


def predict(model: Any, X: Any, threshold: float = 0.0) -> np.ndarray:
    """Class labels: the index of the largest output for several outputs; for one output, 1 where the
    output is above ``threshold``, else 0.

    The default threshold 0 suits a logit (``"bce_logits"``, ``"cross_entropy"``) or a hinge score;
    use 0.5 for a sigmoid output read as a probability (``"bce"``): each loss's ``threshold``.

    Args:
        model: a Module.
        X: features, shape (n, features).
        threshold: the decision threshold for a single output.

    Returns:
        an int array of shape (n,).

    >>> from nn import MLP
    >>> predict(MLP(2, [4], seed=0), [[1.0, 2.0]]).dtype.kind
    'i'
    """
    return class_labels(predict_scores(model, X), check_number(threshold, "predict: threshold"))


def accuracy(y_true: Any, y_pred: Any) -> float:
    """The fraction of labels predicted right (one-hot rows are compared by their argmax).

    >>> accuracy([0, 1, 1, 2], [0, 1, 2, 2])
    0.75
    """
    t, p = np.asarray(y_true), np.asarray(y_pred)
    t = t.argmax(axis=1) if t.ndim == 2 else t
    p = p.argmax(axis=1) if p.ndim == 2 else p
    if t.shape != p.shape or t.ndim != 1 or len(t) == 0:
        raise ValueError(f"accuracy: y_true and y_pred must be non-empty and the same length, "
                         f"got shapes {np.shape(y_true)} and {np.shape(y_pred)}")
    return float(np.mean(t == p))


def confusion_matrix(y_true: Any, y_pred: Any, num_classes: int | None = None) -> np.ndarray:
    """Counts ``C[i, j]`` of rows whose true class is ``i`` and predicted class is ``j`` (scikit-learn's layout).

    Args:
        y_true, y_pred: class labels 0 .. C-1, the same length.
        num_classes: C (default: the largest label + 1).

    Returns:
        an int array of shape (C, C); its diagonal counts the right answers.

    >>> confusion_matrix([0, 1, 1], [0, 0, 1]).tolist()
    [[1, 0], [1, 1]]
    """
    t, p = np.asarray(y_true), np.asarray(y_pred)
    if t.shape != p.shape or t.ndim != 1:
        raise ValueError(f"confusion_matrix: y_true and y_pred must be 1-D and the same length, "
                         f"got shapes {t.shape} and {p.shape}")
    for name, labels in (("y_true", t), ("y_pred", p)):
        if len(labels) and (labels.dtype.kind not in "iu" or labels.min() < 0):
            raise ValueError(f"confusion_matrix: {name} must hold class labels 0, 1, 2, ...")
    largest = int(max(t.max(initial=-1), p.max(initial=-1)))
    size = largest + 1 if num_classes is None else count(num_classes, "num_classes")
    if largest >= size:
        raise ValueError(f"confusion_matrix: label {largest} is out of range for {size} classes")
    matrix = np.zeros((size, size), dtype=np.int64)
    np.add.at(matrix, (t, p), 1)
    return matrix
