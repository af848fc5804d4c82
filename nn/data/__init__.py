"""The lecture's data sets (``sets``) and the preprocessing it applies to them (``preprocessing``)."""

from .preprocessing import Arrays, batches, minmax_scale, one_hot, standardize, train_test_split
from .sets import (
    CURVES,
    GATES,
    circles,
    function_samples,
    load_csv,
    load_digits,
    logic_gate,
    moons,
    spirals,
    study_hours,
)

__all__ = ["logic_gate", "moons", "circles", "spirals", "study_hours", "function_samples", "load_digits",
           "load_csv", "minmax_scale", "standardize", "one_hot", "train_test_split", "batches", "GATES", "CURVES",
           "Arrays"]
