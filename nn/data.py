"""The data sets of the lecture notes, and what is done to data before training.

Every generator returns ``(X, y)``: ``X`` a float array of shape ``(n, features)``, ``y`` a 1-D array
(integer class labels, or floats for regression). Random ones take a ``seed`` and are reproducible.
"""

from __future__ import annotations

import csv
import math
import numbers
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["logic_gate", "moons", "circles", "spirals", "study_hours", "function_samples", "load_digits",
           "load_csv", "minmax_scale", "standardize", "one_hot", "train_test_split", "batches", "GATES", "CURVES"]

Arrays = tuple[np.ndarray, np.ndarray]

# Truth tables over the inputs (0, 0), (0, 1), (1, 0), (1, 1).
GATES: dict[str, tuple[int, int, int, int]] = {
    "and": (0, 0, 0, 1), "or": (0, 1, 1, 1), "xor": (0, 1, 1, 0),
    "nand": (1, 1, 1, 0), "nor": (1, 0, 0, 0), "xnor": (1, 0, 0, 1),
}

# The universal-approximation examples (Bishop's four on [-1, 1]) and the lecture's 1-3-1 examples on [0, 6].
CURVES: dict[str, tuple[Callable[[np.ndarray], np.ndarray], float, float]] = {
    "square": (np.square, -1.0, 1.0),
    "sin": (np.sin, 0.0, 6.0),
    "abs": (np.abs, -1.0, 1.0),
    "heaviside": (lambda x: np.heaviside(x, 1.0), -1.0, 1.0),
    "poly_sin": (lambda x: (x - 3.0) ** 2 + 3.0 * np.sin(x - 2.0), 0.0, 6.0),
}

# Hours studied and pass (1) / fail (0) of 20 students (lecture 002, the standard version of the table).
_STUDY_HOURS = (
    (0.5, 0), (0.75, 0), (1.0, 0), (1.25, 0), (1.5, 0), (1.75, 0), (1.75, 1), (2.0, 0), (2.25, 1), (2.5, 0),
    (2.75, 1), (3.0, 0), (3.25, 1), (3.5, 0), (4.0, 1), (4.25, 1), (4.5, 1), (4.75, 1), (5.0, 1), (5.5, 1),
)


def _count(n: Any, who: str, minimum: int = 1) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{who} must be an int, got {type(n).__name__} ({n!r})")
    if n < minimum:
        raise ValueError(f"{who} must be at least {minimum}, got {n}")
    return int(n)


def _scale(x: Any, who: str) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{who} must be a real number, got {type(x).__name__} ({x!r})")
    if not math.isfinite(x) or x < 0:
        raise ValueError(f"{who} must be a finite number >= 0, got {x!r}")
    return float(x)


def _split(n: int, parts: int) -> list[int]:
    """``n`` points shared as evenly as possible between ``parts`` classes."""
    return [n // parts + (k < n % parts) for k in range(parts)]


def _shuffled(X: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> Arrays:
    order = rng.permutation(len(y))
    return X[order], y[order]


def logic_gate(name: str) -> Arrays:
    """The truth table of a two-input logic gate.

    Args:
        name: ``"and"``, ``"or"``, ``"xor"``, ``"nand"``, ``"nor"`` or ``"xnor"`` (any case).

    Returns:
        ``X`` of shape (4, 2) with rows (0, 0), (0, 1), (1, 0), (1, 1) and the outputs ``y`` (ints).

    >>> X, y = logic_gate("xor"); y.tolist()
    [0, 1, 1, 0]
    """
    if not isinstance(name, str):
        raise TypeError(f"logic_gate: name must be a str, got {type(name).__name__}")
    key = name.lower()
    if key not in GATES:
        raise ValueError(f"logic_gate: unknown gate {name!r}; choose one of {', '.join(GATES)}")
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return X, np.array(GATES[key], dtype=np.int64)


def moons(n: int = 100, noise: float = 0.1, seed: int | None = None) -> Arrays:
    """Two interleaving half circles: class 0 the upper arc, class 1 the lower one shifted right.

    Class 0 lies on ``(cos t, sin t)`` and class 1 on ``(1 - cos t, 1/2 - sin t)`` for t in [0, pi],
    each point moved by Gaussian noise of standard deviation ``noise``.

    Args:
        n: number of points (split evenly between the two classes).
        noise: standard deviation of the noise.
        seed: seed of the random generator (``None``: a fresh one each call).

    Returns:
        ``X`` of shape (n, 2), ``y`` of 0s and 1s, shuffled.

    >>> X, y = moons(10, seed=0); X.shape, sorted(set(y.tolist()))
    ((10, 2), [0, 1])
    """
    n = _count(n, "moons: n", 2)
    noise = _scale(noise, "moons: noise")
    rng = np.random.default_rng(seed)
    upper, lower = _split(n, 2)
    t_upper, t_lower = np.linspace(0.0, np.pi, upper), np.linspace(0.0, np.pi, lower)
    X = np.concatenate([np.column_stack([np.cos(t_upper), np.sin(t_upper)]),
                        np.column_stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)])])
    X += rng.normal(0.0, noise, X.shape)
    y = np.repeat(np.array([0, 1], dtype=np.int64), [upper, lower])
    return _shuffled(X, y, rng)


def circles(n: int = 100, noise: float = 0.05, factor: float = 0.5, seed: int | None = None) -> Arrays:
    """Two concentric circles: class 0 of radius 1 outside, class 1 of radius ``factor`` inside.

    The circle data set of TensorFlow Playground: no line separates it, one hidden layer does.

    Args:
        n: number of points (split evenly between the classes).
        noise: standard deviation of the Gaussian noise added to each coordinate.
        factor: radius of the inner circle, between 0 and 1.
        seed: seed of the random generator.

    Returns:
        ``X`` of shape (n, 2), ``y`` of 0s and 1s, shuffled.

    >>> X, y = circles(8, noise=0.0, seed=1); bool(np.allclose(np.hypot(*X[y == 1].T), 0.5))
    True
    """
    n = _count(n, "circles: n", 2)
    noise = _scale(noise, "circles: noise")
    if not 0.0 < _scale(factor, "circles: factor") < 1.0:
        raise ValueError(f"circles: factor must lie strictly between 0 and 1, got {factor!r}")
    rng = np.random.default_rng(seed)
    outer, inner = _split(n, 2)
    # endpoint=False: 0 and 2 pi are the same point, do not draw it twice.
    t_outer = np.linspace(0.0, 2.0 * np.pi, outer, endpoint=False)
    t_inner = np.linspace(0.0, 2.0 * np.pi, inner, endpoint=False)
    X = np.concatenate([np.column_stack([np.cos(t_outer), np.sin(t_outer)]),
                        factor * np.column_stack([np.cos(t_inner), np.sin(t_inner)])])
    X += rng.normal(0.0, noise, X.shape)
    y = np.repeat(np.array([0, 1], dtype=np.int64), [outer, inner])
    return _shuffled(X, y, rng)


def spirals(n: int = 100, classes: int = 2, turns: float = 1.0, noise: float = 0.1,
            seed: int | None = None) -> Arrays:
    """Interleaved Archimedean spirals, one arm per class, arms rotated by 2 pi / classes.

    A point of class k at radius r in (0, 1] has angle ``2 pi (turns r + k / classes)``.

    Args:
        n: number of points (split evenly between the classes).
        classes: number of arms (at least 2).
        turns: how many times each arm winds around the centre.
        noise: standard deviation of the Gaussian noise added to the angle (radians, scaled by 1/(1 + turns)).
        seed: seed of the random generator.

    Returns:
        ``X`` of shape (n, 2) inside the unit disc (plus noise), ``y`` in 0 .. classes - 1, shuffled.

    >>> X, y = spirals(9, classes=3, seed=0); X.shape, sorted(set(y.tolist()))
    ((9, 2), [0, 1, 2])
    """
    classes = _count(classes, "spirals: classes", 2)
    n = _count(n, "spirals: n", classes)
    noise = _scale(noise, "spirals: noise")
    turns = _scale(turns, "spirals: turns")
    rng = np.random.default_rng(seed)
    points, labels = [], []
    for k, m in enumerate(_split(n, classes)):
        r = np.linspace(1.0 / m, 1.0, m)  # starts off the centre, where all arms meet
        angle = 2.0 * np.pi * (turns * r + k / classes) + rng.normal(0.0, noise, m) / (1.0 + turns)
        points.append(np.column_stack([r * np.cos(angle), r * np.sin(angle)]))
        labels.append(np.full(m, k, dtype=np.int64))
    return _shuffled(np.concatenate(points), np.concatenate(labels), rng)


def study_hours() -> Arrays:
    """Hours of study and pass (1) or fail (0) of 20 students: lecture 002's logistic regression data.

    Returns:
        ``X`` of shape (20, 1) in hours, ``y`` of 0s and 1s.

    >>> X, y = study_hours(); X.shape, int(y.sum())
    ((20, 1), 10)
    """
    table = np.array(_STUDY_HOURS)
    return table[:, :1].copy(), table[:, 1].astype(np.int64)


def function_samples(name: str, n: int = 50, low: float | None = None, high: float | None = None,
                     noise: float = 0.0, seed: int | None = None) -> Arrays:
    """Samples ``(x, f(x))`` of a function of one variable, for regression.

    Functions (default range): ``"square"`` x^2, ``"abs"`` |x|, ``"heaviside"`` H(x) (H(0) = 1), all on
    [-1, 1] as in the universal-approximation figure; ``"sin"`` and ``"poly_sin"``
    (x - 3)^2 + 3 sin(x - 2), on [0, 6] as in the lecture's 1-3-1 tanh network.

    Args:
        name: one of the names above.
        n: number of samples.
        low, high: the range (defaults above).
        noise: standard deviation of Gaussian noise added to ``f(x)`` (drawn from ``seed``).
        seed: ``None`` gives ``n`` evenly spaced x (and fresh noise each call); a seed draws x uniformly
            at random (sorted) and makes the noise reproducible.

    Returns:
        ``X`` of shape (n, 1) and ``y = f(x)`` (floats).

    >>> X, y = function_samples("square", 3); X.ravel().tolist(), y.tolist()
    ([-1.0, 0.0, 1.0], [1.0, 0.0, 1.0])
    """
    if not isinstance(name, str):
        raise TypeError(f"function_samples: name must be a str, got {type(name).__name__}")
    if name not in CURVES:
        raise ValueError(f"function_samples: unknown function {name!r}; choose one of {', '.join(CURVES)}")
    f, default_low, default_high = CURVES[name]
    n = _count(n, "function_samples: n")
    noise = _scale(noise, "function_samples: noise")
    low = default_low if low is None else float(low)
    high = default_high if high is None else float(high)
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"function_samples: need finite low < high, got low={low!r}, high={high!r}")
    if seed is None:
        x = np.linspace(low, high, n)
    else:
        x = np.sort(np.random.default_rng(seed).uniform(low, high, n))
    y = np.asarray(f(x), dtype=float)
    if noise:
        y = y + np.random.default_rng(seed).normal(0.0, noise, n)
    return x.reshape(-1, 1), y


def load_digits() -> Arrays:
    """scikit-learn's 8x8 handwritten digits ("mini MNIST"), as in the lecture: 1797 images.

    Needs scikit-learn (``pip install "dualgrad[digits]"``); it is imported only here.

    Returns:
        ``X`` of shape (1797, 64), pixel intensities 0 .. 16 as floats, and the digits ``y`` (ints 0 .. 9).
    """
    try:
        from sklearn.datasets import load_digits as sklearn_digits
    except ImportError as error:
        raise ImportError('load_digits needs scikit-learn: pip install "dualgrad[digits]" '
                          "(or pip install scikit-learn)") from error
    bunch = sklearn_digits()
    return np.asarray(bunch.data, dtype=float), np.asarray(bunch.target, dtype=np.int64)


def load_csv(path: str | Path, label_column: int = -1, header: bool = False, delimiter: str = ",") -> Arrays:
    """Read a table of numbers from a CSV file: every column but one is a feature, that one is ``y``.

    Nothing is evaluated: each cell must parse as a finite float, every row must have as many cells as the
    first; otherwise ``ValueError`` names the file, the line and the cell. Blank lines are skipped.

    Args:
        path: the file.
        label_column: index of the label column (negative counts from the end).
        header: skip the first line (column names).
        delimiter: the cell separator.

    Returns:
        ``X`` of shape (rows, columns - 1) and ``y`` (floats; ``y.astype(int)`` for class labels).
    """
    rows: list[list[float]] = []
    width = 0
    with open(path, newline="", encoding="utf-8") as file:
        for line_number, cells in enumerate(csv.reader(file, delimiter=delimiter), start=1):
            if header and line_number == 1:
                continue
            if not cells or all(not c.strip() for c in cells):
                continue
            if not rows:
                width = len(cells)
                if width < 2:
                    raise ValueError(f"{path}, line {line_number}: need at least 2 columns (features and a label), "
                                     f"got {width}")
                if not -width <= label_column < width:
                    raise ValueError(f"{path}: label_column {label_column} is out of range for {width} columns")
            elif len(cells) != width:
                raise ValueError(f"{path}, line {line_number}: expected {width} values like the first row, "
                                 f"got {len(cells)}")
            rows.append([_cell(text, path, line_number, column) for column, text in enumerate(cells, start=1)])
    if not rows:
        raise ValueError(f"{path}: no data rows")
    table = np.array(rows)
    label = label_column % width
    return np.delete(table, label, axis=1), table[:, label].copy()


def _cell(text: str, path: str | Path, line_number: int, column: int) -> float:
    try:
        x = float(text)
    except ValueError:
        hint = " (pass header=True to skip a header line)" if line_number == 1 else ""
        raise ValueError(f"{path}, line {line_number}, column {column}: {text.strip()!r} is not a number{hint}") \
            from None
    if not math.isfinite(x):
        raise ValueError(f"{path}, line {line_number}, column {column}: {text.strip()!r} is not a finite number")
    return x


def _matrix(X: Any, who: str) -> np.ndarray:
    array = np.asarray(X, dtype=float)
    if array.ndim not in (1, 2) or array.size == 0:
        raise ValueError(f"{who}: expected a non-empty 1-D or 2-D array, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{who}: the data contains NaN or infinite values")
    return array


def minmax_scale(X: Any, low: Any = None, high: Any = None, axis: int | None = 0) -> np.ndarray:
    """Min-max normalisation ``(x - min) / (max - min)`` into [0, 1], per column by default.

    A constant column becomes 0 (its range is 0, nothing to stretch). To scale test data like training
    data, pass the training data's ``low`` and ``high``.

    Args:
        X: the data, shape (n,) or (n, features).
        low, high: the minimum and maximum to use (default: those of ``X``).
        axis: 0 for per-column bounds, ``None`` for one global bound (the lecture's digits).

    Returns:
        The scaled array, same shape as ``X``.

    >>> minmax_scale([[1.0, 10.0], [3.0, 10.0], [2.0, 10.0]]).tolist()
    [[0.0, 0.0], [1.0, 0.0], [0.5, 0.0]]
    """
    array = _matrix(X, "minmax_scale")
    low = np.min(array, axis=axis) if low is None else np.asarray(low, dtype=float)
    high = np.max(array, axis=axis) if high is None else np.asarray(high, dtype=float)
    span = high - low
    return (array - low) / np.where(span == 0, 1.0, span)  # type: ignore[no-any-return]


def standardize(X: Any, mean: Any = None, std: Any = None, axis: int | None = 0) -> np.ndarray:
    """Z-score standardisation ``(x - mu) / sigma`` with the population standard deviation (divide by m).

    That is the lecture's formula: the car ages [6, 3, 8] have mu = 5.67, sigma = 2.05. A constant
    column becomes 0. Pass the training data's ``mean`` and ``std`` to scale test data the same way.

    Args:
        X: the data, shape (n,) or (n, features).
        mean, std: the statistics to use (default: those of ``X``).
        axis: 0 for per-column statistics, ``None`` for global ones.

    Returns:
        The standardised array, same shape as ``X``.

    >>> standardize([[6.0, 1200.0], [3.0, 4000.0], [8.0, 8000.0]]).round(2).tolist()
    [[0.16, -1.15], [-1.3, -0.14], [1.14, 1.29]]
    """
    array = _matrix(X, "standardize")
    mean = np.mean(array, axis=axis) if mean is None else np.asarray(mean, dtype=float)
    std = np.std(array, axis=axis) if std is None else np.asarray(std, dtype=float)
    return (array - mean) / np.where(std == 0, 1.0, std)  # type: ignore[no-any-return]


def _labels(y: Any, who: str) -> np.ndarray:
    array = np.asarray(y)
    if array.ndim != 1:
        raise ValueError(f"{who}: labels must be 1-D, got shape {array.shape}")
    if array.dtype.kind not in "iu":
        if array.dtype.kind != "f" or not np.all(np.isfinite(array)) or np.any(array != np.round(array)):
            raise ValueError(f"{who}: labels must be whole numbers, got dtype {array.dtype}")
        array = array.astype(np.int64)
    return array


def one_hot(y: Any, num_classes: int | None = None) -> np.ndarray:
    """Class labels 0 .. C - 1 as one-hot rows: label k becomes a row of zeros with a 1 at position k.

    Args:
        y: 1-D integer labels.
        num_classes: C (default: the largest label + 1).

    Returns:
        A float array of shape (len(y), C).

    >>> one_hot([0, 2, 1]).tolist()
    [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    labels = _labels(y, "one_hot")
    if len(labels) and labels.min() < 0:
        raise ValueError(f"one_hot: labels must be >= 0, got {labels.min()}")
    largest = int(labels.max()) if len(labels) else -1
    classes = largest + 1 if num_classes is None else _count(num_classes, "one_hot: num_classes")
    if largest >= classes:
        raise ValueError(f"one_hot: label {largest} is out of range for {classes} classes")
    out = np.zeros((len(labels), classes))
    out[np.arange(len(labels)), labels] = 1.0
    return out


def _pair(X: Any, y: Any, who: str) -> Arrays:
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(f"{who}: X and y must be arrays, got shapes {X.shape} and {y.shape}")
    if len(X) != len(y):
        raise ValueError(f"{who}: X has {len(X)} rows but y has {len(y)}")
    return X, y


def train_test_split(X: Any, y: Any, test_size: float | int = 0.25, seed: int | None = None) -> tuple[
        np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle, then hold out a test set (scikit-learn's order of results, as in the lecture).

    Args:
        X, y: the data, the same number of rows.
        test_size: a fraction in (0, 1) (rounded up to whole rows) or a number of rows.
        seed: seed of the shuffle.

    Returns:
        ``X_train, X_test, y_train, y_test``.

    >>> X_train, X_test, y_train, y_test = train_test_split(np.arange(8).reshape(4, 2), [0, 1, 0, 1], seed=0)
    >>> X_train.shape, X_test.shape
    ((3, 2), (1, 2))
    """
    X, y = _pair(X, y, "train_test_split")
    n = len(y)
    if isinstance(test_size, numbers.Integral) and not isinstance(test_size, bool):
        n_test = int(test_size)
    elif isinstance(test_size, numbers.Real) and not isinstance(test_size, bool) and 0.0 < test_size < 1.0:
        n_test = math.ceil(test_size * n)
    else:
        raise ValueError(f"train_test_split: test_size must be a fraction in (0, 1) or a row count, got {test_size!r}")
    if not 0 < n_test < n:
        raise ValueError(f"train_test_split: {n_test} test rows out of {n} leaves an empty set")
    order = np.random.default_rng(seed).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def batches(X: Any, y: Any, batch_size: int, shuffle: bool = True, seed: int | None = None) -> Iterator[Arrays]:
    """Mini-batches ``(X_batch, y_batch)`` covering the data once (one epoch); the last may be smaller.

    Args:
        X, y: the data, the same number of rows.
        batch_size: rows per batch.
        shuffle: visit the rows in a random order.
        seed: seed of the shuffle.

    Returns:
        An iterator of ``(X_batch, y_batch)`` pairs.

    >>> [yb.tolist() for _, yb in batches(np.zeros((5, 1)), np.arange(5), 2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    """
    X, y = _pair(X, y, "batches")
    batch_size = _count(batch_size, "batches: batch_size")
    # Validated now, not at the first next(): a bad argument fails where it is passed.
    order = np.random.default_rng(seed).permutation(len(y)) if shuffle else np.arange(len(y))
    return ((X[order[i:i + batch_size]], y[order[i:i + batch_size]]) for i in range(0, len(y), batch_size))
