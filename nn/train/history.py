"""History: what ``fit`` measured at each epoch (loss, metrics, seconds), its plot, and training you can watch.

``fit(..., record=k)`` calls ``snapshot`` before the first epoch and after every k-th; ``animate`` turns the
snapshots into an animation of the decision boundary beside the loss curve (2-D data).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

__all__ = ["History", "Snapshot", "Animation"]


class Snapshot(NamedTuple):
    """The model's parameters at the end of ``epoch`` (0: before training)."""

    epoch: int
    state: dict[str, float]


def _epoch_axis(ax: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    ax.set_xlabel("epoch")


class History:
    """What ``fit`` measured, one number per epoch: ``history["loss"]``, ``history["val_accuracy"]``, ...

    Attributes:
        epochs: 1, 2, ... for each epoch run.
        metrics: name -> list of per-epoch values. ``loss`` is the mean over the epoch's steps of the
            objective minimised (data loss plus L2 penalty); ``val_loss`` is the data loss on the
            validation set at the end of the epoch; ``accuracy`` etc. are measured at the end of the epoch.
        seconds: wall-clock time of each epoch's training steps.
        snapshots: the model's parameters at recorded epochs (see ``snapshot``).

    >>> h = History(); h.record({"loss": 0.5}, 0.1); h.record({"loss": 0.25}, 0.1); h["loss"]
    [0.5, 0.25]
    """

    def __init__(self) -> None:
        self.epochs: list[int] = []
        self.metrics: dict[str, list[float]] = {}
        self.seconds: list[float] = []
        self.snapshots: list[Snapshot] = []
        self._watched: tuple[Any, np.ndarray, np.ndarray | None] | None = None

    def record(self, values: dict[str, float], seconds: float) -> None:
        """Append one epoch's numbers."""
        self.epochs.append(len(self.epochs) + 1)
        self.seconds.append(seconds)
        for name, value in values.items():
            self.metrics.setdefault(name, []).append(float(value))

    def snapshot(self, epoch: int, model: Any, X: Any, labels: Any) -> None:
        """Keep the model's parameters at ``epoch`` (0 = before the first), for ``animate``.

        Args:
            epoch: the epoch just finished; each snapshot's is larger than the last's.
            model: the Module being trained (its ``state_dict()`` is copied; the model itself is kept to redraw).
            X, labels: the training data (rows of features, their classes); kept from the first snapshot.
        """
        if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or epoch < 0:
            raise ValueError(f"snapshot: epoch must be a whole number >= 0, got {epoch!r}")
        if self.snapshots and epoch <= self.snapshots[-1].epoch:
            raise ValueError(f"snapshot: epoch {epoch} comes after epoch {self.snapshots[-1].epoch}, not before")
        if self._watched is None:
            X = np.asarray(X, dtype=float)
            kept = None if labels is None else np.asarray(labels)
            if X.ndim != 2 or (kept is not None and kept.shape[:1] != X.shape[:1]):
                raise ValueError(f"snapshot: X must be rows of features with one label each, got shapes "
                                 f"{X.shape} and {None if kept is None else kept.shape}")
            self._watched = (model, X.copy(), None if kept is None else kept.copy())
        elif model is not self._watched[0]:
            raise ValueError("snapshot: every snapshot must be of the same model")
        self.snapshots.append(Snapshot(int(epoch), dict(model.state_dict())))

    def __getitem__(self, name: str) -> list[float]:
        if name not in self.metrics:
            raise KeyError(f"History has no {name!r}; it has {', '.join(self.metrics) or 'nothing yet'}")
        return self.metrics[name]

    def __len__(self) -> int:
        return len(self.epochs)

    def __repr__(self) -> str:
        last = ", ".join(f"{k}={v[-1]:.4g}" for k, v in self.metrics.items())
        return f"History({len(self)} epochs{': ' + last if last else ''})"

    def plot(self, ax: Any = None) -> Any:
        """Loss curves (log scale) and, beside them, the other metrics, against the epoch.

        Uses matplotlib's object API only (no pyplot state), so it works headless (Agg) and in notebooks.

        Args:
            ax: a matplotlib Axes to draw every curve on; by default a new Figure with one panel for
                the losses and one for the other metrics (if any).

        Returns:
            the Figure.
        """
        from matplotlib.figure import Figure

        loss_names = [k for k in self.metrics if k.endswith("loss")]
        other_names = [k for k in self.metrics if not k.endswith("loss")]
        if ax is not None:
            panels = [(ax, loss_names + other_names, "value")]
            figure = ax.figure
        else:
            figure = Figure(figsize=(10 if other_names else 5, 3.5), layout="constrained")
            axes = figure.subplots(1, 2 if other_names else 1, squeeze=False)[0]
            panels = [(axes[0], loss_names, "loss")] + ([(axes[1], other_names, "metric")] if other_names else [])
            if loss_names and all(v > 0 for k in loss_names for v in self.metrics[k]):
                axes[0].set_yscale("log")
                panels[0] = (axes[0], loss_names, "loss (log scale)")
        marker = "o" if len(self.epochs) <= 30 else None  # few epochs: show each point (the legend shows it too)
        for axes_, names, ylabel in panels:
            for name in names:
                axes_.plot(self.epochs, self.metrics[name], marker=marker, ms=3, label=name)
            _epoch_axis(axes_)
            axes_.set_ylabel(ylabel)
            if names:
                axes_.legend()
        return figure

    def animate(self, resolution: int = 80, interval: int = 400) -> Animation:
        """The decision boundary at each snapshot beside the loss curve: one frame per recorded epoch.

        Args:
            resolution: grid points along each axis of the boundary.
            interval: milliseconds between frames.

        Returns:
            an Animation: shows itself in Jupyter (self-contained HTML, no network), ``.save("run.gif")``.
        """
        from ..boundary import Plane

        if not self.snapshots:
            raise ValueError("animate needs snapshots: train with fit(..., record=1) or call history.snapshot()")
        assert self._watched is not None
        model, X, labels = self._watched
        if labels is None:
            raise ValueError("animate draws a classifier's decision boundary, but this run has no class labels "
                             "(a regression): plot history.plot() instead")
        plane = Plane(X, resolution)  # refuses data that is not 2-D
        now = dict(model.state_dict())
        frames = []
        try:  # every frame's scores now, each with the snapshot's weights; the model gets its own back after
            for snap in self.snapshots:
                model.load_state_dict(snap.state)
                frames.append(plane.scores(model))
        finally:
            model.load_state_dict(now)
        return Animation(self, plane, frames, X, labels, interval)


class Animation:
    """Frames of a training run: ``_repr_html_`` (a small player, every frame inline: no network), ``save`` (GIF).

    Attributes:
        frames: the number of frames, one per snapshot.
    """

    def __init__(self, history: History, plane: Any, scores: list[np.ndarray], X: np.ndarray, labels: np.ndarray,
                 interval: int) -> None:
        self.history, self.plane, self.scores, self.X, self.labels = history, plane, scores, X, labels
        self.interval = interval
        self.frames = len(scores)
        self._pngs: list[bytes] = []

    def pngs(self) -> list[bytes]:
        """Each frame as PNG bytes (drawn once, then kept)."""
        if not self._pngs:
            self._pngs = self._draw()
        return self._pngs

    def _draw(self) -> list[bytes]:
        import io

        from matplotlib.figure import Figure

        from ..boundary import draw_points, draw_regions

        h = self.history
        classes = int(max(self.labels.max() + 1, self.scores[0].shape[1] if self.scores[0].ndim == 2 else 2))
        figure = Figure(figsize=(9, 4), dpi=80)  # fixed margins: a layout engine per frame costs a second each
        figure.subplots_adjust(left=0.07, right=0.98, bottom=0.13, top=0.92, wspace=0.25)
        left, right = figure.subplots(1, 2)
        losses = h.metrics.get("loss", [])
        epochs = h.epochs[:len(losses)]
        out = []
        for snap, scores in zip(h.snapshots, self.scores):
            left.clear()
            right.clear()
            draw_regions(left, self.plane, scores, classes)
            draw_points(left, self.X, self.labels, classes)
            left.set_title(f"decision boundary, epoch {snap.epoch}")
            if losses:
                right.plot(epochs, losses, color="C0", label="loss")
                if 1 <= snap.epoch <= len(losses):
                    right.plot([snap.epoch], [losses[snap.epoch - 1]], "o", color="C3", label=f"epoch {snap.epoch}")
                right.legend(loc="upper right")  # a linear scale: log ticks cost 0.3 s of text layout a frame
            right.set_title("training loss")
            right.set_ylabel("loss")
            _epoch_axis(right)
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png")
            out.append(buffer.getvalue())
        return out

    def _repr_html_(self) -> str:
        import base64
        import json

        frames = [f"data:image/png;base64,{base64.b64encode(png).decode()}" for png in self.pngs()]
        epochs = [snap.epoch for snap in self.history.snapshots]
        key = f"dga{id(self):x}"
        # a player of its own (matplotlib's to_jshtml links a web font for its buttons: this needs nothing)
        return (f'<div id="{key}"><img alt="training, frame 1" src="{frames[0]}" style="max-width:100%">'
                f'<div><button type="button">play</button> <input type="range" min="0" max="{len(frames) - 1}" '
                f'value="0" style="width:60%"> <span>epoch {epochs[0]}</span></div>'
                f'<script>(function () {{ var root = document.getElementById("{key}"), frames = {json.dumps(frames)}, '
                f"epochs = {json.dumps(epochs)}, img = root.querySelector('img'), "
                "slider = root.querySelector('input'), "
                "label = root.querySelector('span'), button = root.querySelector('button'), timer = null;"
                "function show(i) { img.src = frames[i]; slider.value = i; label.textContent = 'epoch ' + epochs[i]; }"
                "slider.addEventListener('input', function () { show(Number(slider.value)); });"
                "button.addEventListener('click', function () { if (timer) { clearInterval(timer); timer = null;"
                " button.textContent = 'play'; return; } button.textContent = 'pause'; var i = 0;"
                f" timer = setInterval(function () {{ show(i); i = (i + 1) % frames.length; }}, {self.interval}); }});"
                "}());</script></div>")

    def save(self, path: str | Path) -> Path:
        """Write the animation as a GIF (Pillow), one frame per snapshot, looping.

        Returns:
            the path written.
        """
        import io

        from PIL import Image

        path = Path(path)
        if path.suffix.lower() != ".gif":
            raise ValueError(f"save writes a GIF: end the file name in .gif, got {str(path)!r}")
        images = [Image.open(io.BytesIO(png)).convert("RGB") for png in self.pngs()]
        images[0].save(path, save_all=True, append_images=images[1:], duration=self.interval, loop=0)
        return path

    def __repr__(self) -> str:
        return f"<Animation: {self.frames} frames; shows in Jupyter, .save('run.gif')>"
