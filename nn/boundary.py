"""Decision boundaries: a classifier's predicted class over the plane of 2-D data, drawn under the points.

A matplotlib Figure through the object API (no pyplot state), so it works headless and in notebooks.
``Plane`` is the grid of points the model is evaluated on; ``draw_regions`` paints one set of scores on an
Axes (the figure here, each frame of ``History.animate``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Plane", "boundary_figure", "draw_regions", "draw_points"]

CMAP = "coolwarm"


class Plane:
    """A grid over the plane around 2-D points (a margin of 0.3), with the model's scores on it.

    Args:
        X: the points (n, 2); the grid covers them.
        resolution: grid points along each axis.
    """

    def __init__(self, X: np.ndarray, resolution: int = 150) -> None:
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != 2:
            raise ValueError(f"a decision boundary needs 2-D data (rows of 2 features), got shape {X.shape}")
        low, high = X.min(axis=0) - 0.3, X.max(axis=0) + 0.3
        self.gx, self.gy = np.meshgrid(np.linspace(low[0], high[0], resolution),
                                       np.linspace(low[1], high[1], resolution))
        self.points = np.column_stack([self.gx.ravel(), self.gy.ravel()])

    def scores(self, model: Any) -> np.ndarray:
        """The model's scores at every grid point: (points,) for one output, (points, classes) otherwise."""
        from .train.metrics import compile_scores

        # the whole grid in one numpy replay of the model's graph: ~100x faster than one Value pass per point
        scores = compile_scores(model, self.points[:2])(self.points)
        return scores[:, 0] if scores.ndim == 2 and scores.shape[1] == 1 else scores


def draw_regions(ax: Any, plane: Plane, scores: np.ndarray, classes: int, threshold: float = 0.0) -> None:
    """Paint the predicted class of every grid point (and, for one output, the line where it crosses ``threshold``)."""
    regions = (scores > threshold).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
    ax.contourf(plane.gx, plane.gy, regions.reshape(plane.gx.shape), levels=np.arange(classes + 1) - 0.5,
                cmap=CMAP, alpha=0.3, vmin=0, vmax=max(classes - 1, 1))
    if scores.ndim == 1 and scores.min() < threshold < scores.max():
        ax.contour(plane.gx, plane.gy, scores.reshape(plane.gx.shape), levels=[threshold], colors="k", linewidths=1)


def draw_points(ax: Any, X: np.ndarray, y: np.ndarray, classes: int, X_test: np.ndarray | None = None,
                y_test: np.ndarray | None = None) -> None:
    """The points coloured by class (test points as crosses), with a legend whose markers mean what they show.

    The legend has one entry per class (its colour) and one per marker (its shape, in neutral grey), so a
    colour is never mistaken for the training/test distinction.
    """
    from matplotlib import colormaps
    from matplotlib.lines import Line2D

    cmap = colormaps[CMAP]
    style: dict[str, Any] = {"cmap": CMAP, "vmin": 0, "vmax": max(classes - 1, 1), "edgecolors": "k",
                             "linewidths": 0.5}
    ax.scatter(X[:, 0], X[:, 1], c=y, s=18, **style)
    if X_test is not None:
        ax.scatter(X_test[:, 0], X_test[:, 1], c=y_test, s=30, marker="X", **style)
    handles = [Line2D([], [], marker="s", ls="", ms=7, mfc=cmap(k / max(classes - 1, 1)), mec="k", label=f"class {k}")
               for k in range(classes)]
    handles.append(Line2D([], [], marker="o", ls="", ms=5, mfc="0.85", mec="k", label="training"))
    if X_test is not None:
        handles.append(Line2D([], [], marker="X", ls="", ms=7, mfc="0.85", mec="k", label="test"))
    ax.legend(handles=handles, loc="upper right", fontsize=8, framealpha=0.8)
    ax.set_xlabel("feature 1")
    ax.set_ylabel("feature 2")


def boundary_figure(model: Any, X: np.ndarray, y: np.ndarray, X_test: np.ndarray | None = None,
                    y_test: np.ndarray | None = None, title: str = "", resolution: int = 150,
                    threshold: float = 0.0) -> Any:
    """The model's decision regions over the plane of 2-D data, with the points (test points as crosses).

    Args:
        model: a classifier (one output: class 1 where the score exceeds ``threshold``; several: the largest).
        X, y: training points (n, 2) and their classes.
        X_test, y_test: held-out points, drawn as crosses.
        title: the figure's title.
        resolution: grid points along each axis.
        threshold: the score that separates the two classes of a one-output model (0 for logits).

    Returns:
        a matplotlib Figure (object API only: no pyplot state, so it works headless).
    """
    from matplotlib.figure import Figure

    plane = Plane(X if X_test is None else np.vstack([X, X_test]), resolution)
    scores = plane.scores(model)
    regions = int(scores.shape[1]) if scores.ndim == 2 else 2
    classes = int(max(y.max() + 1, regions, 0 if y_test is None else y_test.max() + 1))
    figure = Figure(figsize=(5, 4.5), layout="constrained")
    ax = figure.subplots()
    draw_regions(ax, plane, scores, classes, threshold)
    draw_points(ax, X, y, classes, X_test, y_test)
    ax.set_title(title)
    return figure
