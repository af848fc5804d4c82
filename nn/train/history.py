"""History: what ``fit`` measured at each epoch (loss, metrics, seconds), and its plot."""

from __future__ import annotations

from typing import Any

__all__ = ["History"]


class History:
    """What ``fit`` measured, one number per epoch: ``history["loss"]``, ``history["val_accuracy"]``, ...

    Attributes:
        epochs: 1, 2, ... for each epoch run.
        metrics: name -> list of per-epoch values. ``loss`` is the mean over the epoch's steps of the
            objective minimised (data loss plus L2 penalty); ``val_loss`` is the data loss on the
            validation set at the end of the epoch; ``accuracy`` etc. are measured at the end of the epoch.
        seconds: wall-clock time of each epoch's training steps.

    >>> h = History(); h.record({"loss": 0.5}, 0.1); h.record({"loss": 0.25}, 0.1); h["loss"]
    [0.5, 0.25]
    """

    def __init__(self) -> None:
        self.epochs: list[int] = []
        self.metrics: dict[str, list[float]] = {}
        self.seconds: list[float] = []

    def record(self, values: dict[str, float], seconds: float) -> None:
        """Append one epoch's numbers."""
        self.epochs.append(len(self.epochs) + 1)
        self.seconds.append(seconds)
        for name, value in values.items():
            self.metrics.setdefault(name, []).append(float(value))

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
            panels = [(ax, loss_names + other_names)]
            figure = ax.figure
        else:
            figure = Figure(figsize=(10 if other_names else 5, 3.5), layout="constrained")
            axes = figure.subplots(1, 2 if other_names else 1, squeeze=False)[0]
            panels = [(axes[0], loss_names)] + ([(axes[1], other_names)] if other_names else [])
            if loss_names and all(v > 0 for k in loss_names for v in self.metrics[k]):
                axes[0].set_yscale("log")
        for axes_, names in panels:
            for name in names:
                axes_.plot(self.epochs, self.metrics[name], label=name)
            axes_.set_xlabel("epoch")
            axes_.legend()
        return figure
