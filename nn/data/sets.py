"""The data sets of the lecture notes: logic gates, 2-D classification shapes, regression samples, files.

Every generator returns ``(X, y)``: ``X`` a float array of shape ``(n, features)``, ``y`` a 1-D array
(integer class labels, or floats for regression). Random ones take a ``seed`` and are reproducible.
"""

from __future__ import annotations

import csv
import io
import math
import numbers
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..checks import count
from ..files import read_text
from .preprocessing import Arrays, generator

__all__ = ["logic_gate", "moons", "circles", "spirals", "study_hours", "function_samples", "load_digits",
           "load_csv", "GATES", "CURVES", "MAX_CSV_BYTES"]

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
    n = count(n, "moons: n", 2)
    noise = _scale(noise, "moons: noise")
    rng = generator(seed, "moons: seed")
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
    n = count(n, "circles: n", 2)
    noise = _scale(noise, "circles: noise")
    if not 0.0 < _scale(factor, "circles: factor") < 1.0:
        raise ValueError(f"circles: factor must lie strictly between 0 and 1, got {factor!r}")
    rng = generator(seed, "circles: seed")
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
    classes = count(classes, "spirals: classes", 2)
    n = count(n, "spirals: n", classes)
    noise = _scale(noise, "spirals: noise")
    turns = _scale(turns, "spirals: turns")
    rng = generator(seed, "spirals: seed")
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
    n = count(n, "function_samples: n")
    noise = _scale(noise, "function_samples: noise")
    low = default_low if low is None else float(low)
    high = default_high if high is None else float(high)
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"function_samples: need finite low < high, got low={low!r}, high={high!r}")
    if seed is None:
        x = np.linspace(low, high, n)
    else:
        x = np.sort(generator(seed, "function_samples: seed").uniform(low, high, n))
    y = np.asarray(f(x), dtype=float)
    if noise:
        y = y + generator(seed, "function_samples: seed").normal(0.0, noise, n)
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


MAX_CSV_BYTES = 256 * 2**20  # 256 MiB: far beyond the lecture's tables; pass max_bytes= for a bigger trusted file


def load_csv(path: str | Path, label_column: int = -1, header: bool = False, delimiter: str = ",",
             encoding: str = "utf-8", max_bytes: int = MAX_CSV_BYTES) -> Arrays:
    """Read a table of numbers from a CSV file: every column but one is a feature, that one is ``y``.

    Nothing is evaluated: each cell must parse as a finite float, every row must have as many cells as the
    first; otherwise ``ValueError`` names the file, the line and the cell. Blank lines are skipped. A file
    that is not text in ``encoding``, larger than ``max_bytes``, or not a regular file (a FIFO, a device)
    is refused with a ``ValueError`` naming it.

    Args:
        path: the file.
        label_column: index of the label column (negative counts from the end).
        header: skip the first line (column names).
        delimiter: the cell separator.
        encoding: the file's text encoding (``"latin-1"`` for an old spreadsheet export, say).
        max_bytes: the largest file accepted.

    Returns:
        ``X`` of shape (rows, columns - 1) and ``y`` (floats; ``y.astype(int)`` for class labels).
    """
    rows: list[list[float]] = []
    width = 0
    with io.StringIO(read_text(path, max_bytes=max_bytes, encoding=encoding), newline="") as file:
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
