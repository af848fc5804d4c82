"""Preprocessing: what is done to data before training (scaling, one-hot labels, a held-out test set, batches).

Statistics (min and max, mean and std) come from the data passed unless given, so test data can be
scaled with the training data's.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..checks import check_seed, count

__all__ = ["minmax_scale", "standardize", "one_hot", "train_test_split", "batches", "generator", "MAX_ONE_HOT"]

Arrays = tuple[np.ndarray, np.ndarray]
MAX_ONE_HOT = 2**27  # entries of a one-hot matrix (1 GiB of floats): more is a mislabelled column, not data


def generator(seed: Any, who: str = "seed") -> np.random.Generator:
    """numpy's random generator from a seed (``None``: fresh entropy), the seed checked by name.

    >>> float(generator(0).random()) == float(np.random.default_rng(0).random())
    True
    """
    return np.random.default_rng(check_seed(seed, who))


def _matrix(X: Any, who: str) -> np.ndarray:
    try:
        array = np.asarray(X, dtype=float)
    except (TypeError, ValueError, OverflowError) as error:  # numpy's message names neither the function nor X
        raise type(error)(f"{who}: expected an array of real numbers (rows, features), {error}") from None
    if array.ndim not in (1, 2) or array.size == 0:
        raise ValueError(f"{who}: expected a non-empty 1-D or 2-D array, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{who}: the data contains NaN or infinite values")
    return array


def _power_of_two(array: np.ndarray, axis: int | None, *statistics: np.ndarray) -> Any:
    """A power of two near the largest magnitude of the data and the statistics (per column for ``axis=0``).

    Dividing by a power of two is exact, and it keeps every sum, difference and square finite: without it
    the mean of [1.7e308, -1.7e308] overflows to NaN. Results are the same as without it, bit for bit.
    """
    magnitude = np.max(np.abs(array), axis=axis)
    for statistic in statistics:
        magnitude = np.maximum(magnitude, np.abs(statistic))
    if axis is None:
        magnitude = np.max(magnitude)
    # frexp: magnitude = m * 2**e with 0.5 <= m < 1; 2**(e - 1) itself never overflows
    return np.ldexp(1.0, np.frexp(np.where(magnitude > 0, magnitude, 1.0))[1] - 1)


def _finite(result: np.ndarray, who: str) -> np.ndarray:
    if not np.all(np.isfinite(result)):
        raise OverflowError(f"{who}: the result is too large for a float (data far outside the statistics given)")
    return result


def _statistic(value: Any, who: str, name: str) -> np.ndarray:
    array = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{who}: {name} must be finite, got {value!r}")
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
    low = np.min(array, axis=axis) if low is None else _statistic(low, "minmax_scale", "low")
    high = np.max(array, axis=axis) if high is None else _statistic(high, "minmax_scale", "high")
    if np.any(high < low):
        raise ValueError(f"minmax_scale: high must be >= low, got low={low!r}, high={high!r}")
    scale = _power_of_two(array, axis, low, high)
    with np.errstate(over="ignore", invalid="ignore"):
        span = high / scale - low / scale
        return _finite((array / scale - low / scale) / np.where(span == 0, 1.0, span), "minmax_scale")


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
    if mean is not None:
        mean = _statistic(mean, "standardize", "mean")
    if std is not None:
        std = _statistic(std, "standardize", "std")
        if np.any(std < 0):
            raise ValueError(f"standardize: std must be >= 0, got {std!r}")
    given = [a for a in (mean, std) if a is not None]
    scale = _power_of_two(array, axis, *given)
    scaled = array / scale  # exact (a power of two); the mean's sum and the squares of std cannot overflow now
    mean = np.mean(scaled, axis=axis) if mean is None else mean / scale
    std = np.std(scaled, axis=axis) if std is None else std / scale
    with np.errstate(over="ignore", invalid="ignore"):
        return _finite((scaled - mean) / np.where(std == 0, 1.0, std), "standardize")


def _labels(y: Any, who: str) -> np.ndarray:
    try:
        array = np.asarray(y)
    except (TypeError, ValueError) as error:  # ragged rows: numpy's message names neither the function nor y
        raise ValueError(f"{who}: labels must be a 1-D list of class numbers, {error}") from None
    if array.ndim != 1:
        raise ValueError(f"{who}: labels must be 1-D, got shape {array.shape}")
    if array.dtype.kind not in "iu":
        if array.dtype.kind != "f" or not np.all(np.isfinite(array)) or np.any(array != np.round(array)):
            raise ValueError(f"{who}: labels must be whole numbers, got dtype {array.dtype}")
        if np.any(np.abs(array) >= 2.0 ** 62):  # the cast below would wrap round (1e300 -> a negative label)
            raise ValueError(f"{who}: label {array[np.abs(array) >= 2.0 ** 62][0]:g} is too large for a class number")
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
    classes = largest + 1 if num_classes is None else count(num_classes, "one_hot: num_classes")
    if largest >= classes:
        raise ValueError(f"one_hot: label {largest} is out of range for {classes} classes")
    if len(labels) * classes > MAX_ONE_HOT:
        size = len(labels) * classes * 8 / 2**30
        raise ValueError(f"one_hot: {len(labels)} label(s) x {classes} classes would take {size:,.1f} GiB (the largest "
                         f"label is {largest}); labels must be class numbers 0 .. C - 1 "
                         "(relabel them, e.g. with np.unique(y, return_inverse=True))")
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
    order = generator(seed, "train_test_split: seed").permutation(n)
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
    batch_size = count(batch_size, "batches: batch_size")
    # Validated now, not at the first next(): a bad argument fails where it is passed.
    order = generator(seed, "batches: seed").permutation(len(y)) if shuffle else np.arange(len(y))
    return ((X[order[i:i + batch_size]], y[order[i:i + batch_size]]) for i in range(0, len(y), batch_size))
