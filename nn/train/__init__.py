"""Training: the fit loop and its step (``fit``), what it records (``history``), predictions and metrics
(``metrics``)."""

from .history import History
from .loop import DEFAULT_LR, OPTIMIZERS, TrainingDiverged, dynamic_objective, fit, learning_rate, train_step
from .metrics import (
    accuracy,
    as_rows,
    class_labels,
    compile_scores,
    confusion_matrix,
    predict,
    predict_scores,
    scores_of,
)

__all__ = ["fit", "train_step", "dynamic_objective", "learning_rate", "History", "TrainingDiverged", "predict",
           "predict_scores", "compile_scores", "accuracy", "confusion_matrix", "class_labels", "scores_of", "as_rows",
           "OPTIMIZERS", "DEFAULT_LR"]
