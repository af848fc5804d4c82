"""Training: the fit loop and its step (``fit``), what it records (``history``), predictions and metrics
(``metrics``)."""

from .history import History
from .loop import DEFAULT_LR, LOSSES, OPTIMIZERS, TrainingDiverged, fit, train_step
from .metrics import accuracy, compile_scores, confusion_matrix, predict, predict_scores

__all__ = ["fit", "train_step", "History", "TrainingDiverged", "predict", "predict_scores", "compile_scores",
           "accuracy", "confusion_matrix", "LOSSES", "OPTIMIZERS", "DEFAULT_LR"]
