"""History: snapshots and the training animation (frames, weights, files), the plot's labels, ticks and legends."""

import io
import re

import matplotlib
import numpy as np
import pytest
from PIL import Image

from nn import MLP, data
from nn.boundary import Plane, boundary_figure
from nn.train import History, fit
from nn.train.metrics import predict_scores

matplotlib.use("Agg")


def watched_run(epochs=4, seed=0):
    """A few epochs by hand, a snapshot before the first and after each (what fit(record=1) does)."""
    X, y = data.moons(60, seed=seed)
    model = MLP(2, [6, 1], activation="tanh", seed=seed)
    history = History()
    history.snapshot(0, model, X, y)
    for epoch in range(1, epochs + 1):
        one = fit(model, X, y, loss="bce_logits", optimizer="sgd", lr=0.5, epochs=1, progress=False, seed=epoch)
        history.record({"loss": one["loss"][0]}, one.seconds[0])
        history.snapshot(epoch, model, X, y)
    return model, X, y, history


def test_one_frame_per_snapshot_in_the_player_and_the_gif(tmp_path):
    _, _, _, history = watched_run(epochs=4)
    movie = history.animate(resolution=30)
    assert movie.frames == len(history.snapshots) == 5  # epochs 0 .. 4
    gif = Image.open(movie.save(tmp_path / "run.gif"))
    assert gif.n_frames == 5 and gif.info["loop"] == 0
    page = movie._repr_html_()
    frames = re.search(r"frames = (\[.*?\]), epochs", page).group(1)
    assert frames.count("data:image/png;base64,") == 5 and "epochs = [0, 1, 2, 3, 4]" in page
    assert not re.search(r"\w+://", page)  # no address of any kind: it plays offline (matplotlib's player links a font)
    assert all(Image.open(io.BytesIO(png)).size == gif.size for png in movie.pngs())


def test_each_frame_shows_the_weights_of_its_epoch_and_the_model_is_left_as_it_was():
    model, X, _, history = watched_run(epochs=3)
    final = model.state_dict()
    movie = history.animate(resolution=12)
    assert model.state_dict() == final
    plane = Plane(X, 12)
    rows = plane.points[::29]
    for snap, scores in zip(history.snapshots, movie.scores):
        twin = MLP(2, [6, 1], activation="tanh", seed=99)  # the oracle: a fresh model given the snapshot's weights
        twin.load_state_dict(snap.state)
        np.testing.assert_allclose(scores[::29], predict_scores(twin, rows).reshape(-1), rtol=1e-12, atol=1e-12)
    assert not np.allclose(movie.scores[0], movie.scores[-1])  # training moved the boundary


def test_snapshots_refuse_what_animate_cannot_draw():
    model, X, y, history = watched_run(epochs=1)
    with pytest.raises(ValueError, match="epoch 1 comes after epoch 1"):
        history.snapshot(1, model, X, y)
    with pytest.raises(ValueError, match="whole number >= 0, got -1"):
        History().snapshot(-1, model, X, y)
    with pytest.raises(ValueError, match="same model"):
        history.snapshot(2, MLP(2, [1]), X, y)
    with pytest.raises(ValueError, match="one label each"):
        History().snapshot(0, model, X, y[:3])
    with pytest.raises(ValueError, match="needs snapshots: train with fit\\(..., record=1\\)"):
        History().animate()
    wide = History()
    wide.snapshot(0, MLP(3, [1]), np.zeros((4, 3)), np.zeros(4))
    with pytest.raises(ValueError, match="needs 2-D data .* got shape \\(4, 3\\)"):
        wide.animate()
    regression = History()
    regression.snapshot(0, model, X, None)
    with pytest.raises(ValueError, match="no class labels"):
        regression.animate()
    with pytest.raises(ValueError, match="end the file name in .gif"):
        history.animate(resolution=8).save("run.mp4")


def test_plot_has_axis_labels_whole_epoch_ticks_and_legend_markers_that_match():
    history = History()
    for epoch in range(7):
        history.record({"loss": 1.0 / (epoch + 1), "val_loss": 1.2 / (epoch + 1), "accuracy": epoch / 7}, 0.01)
    figure = history.plot()
    losses, metrics = figure.axes
    assert losses.get_xlabel() == metrics.get_xlabel() == "epoch"
    assert losses.get_ylabel() == "loss (log scale)" and metrics.get_ylabel() == "metric"
    figure.canvas.draw()
    ticks = [t for t in losses.get_xticks() if 1 <= t <= 7]
    assert ticks and all(float(t).is_integer() for t in ticks)  # never epoch 2.5
    for ax in (losses, metrics):
        for line, handle in zip(ax.get_lines(), ax.get_legend().legend_handles):
            assert handle.get_marker() == line.get_marker() == "o" and handle.get_color() == line.get_color()


def test_boundary_legend_names_classes_by_colour_and_sets_by_marker():
    X, y = data.moons(40, seed=1)
    model = MLP(2, [4, 1], seed=1)
    figure = boundary_figure(model, X, y, X[:10], y[:10], "moons")
    ax = figure.axes[0]
    legend = ax.get_legend()
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels == ["class 0", "class 1", "training", "test"]
    markers = [h.get_marker() for h in legend.legend_handles]
    assert markers == ["s", "s", "o", "X"]
    faces = [h.get_markerfacecolor() for h in legend.legend_handles]
    assert faces[0] != faces[1] and faces[2] == faces[3]  # the set markers are neutral: colour means class only
    assert ax.get_xlabel() == "feature 1" and ax.get_ylabel() == "feature 2"
