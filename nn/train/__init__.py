"""Training: the fit loop (``loop``), what it checks first and the path it trains on (``plan``), its one step
(``step``), what it records (``history``), predictions and metrics (``metrics``)."""

from .history import History
from .loop import fit
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
from .plan import DEFAULT_LR, OPTIMIZERS
from .step import TrainingDiverged, dynamic_objective, learning_rate, train_step

__all__ = ["fit", "train_step", "dynamic_objective", "learning_rate", "History", "TrainingDiverged", "predict",
           "predict_scores", "compile_scores", "accuracy", "confusion_matrix", "class_labels", "scores_of", "as_rows",
           "OPTIMIZERS", "DEFAULT_LR"]
