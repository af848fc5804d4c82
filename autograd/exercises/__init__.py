"""Exercises: a formula's trace tables and the lecture's [2-3-2] homework with blanks, checked cell by cell.

``exercise(formula, **values)`` or ``exercise(seed=..., level=...)`` gives the primal, tangent and adjoint
tables to fill in; ``network_exercise()`` one forward pass, one backward pass and one update of a small
network. ``check`` grades each cell against the student's own earlier numbers and hints at the slip.
"""

from .cells import KINDS, Cell, Mistake, Result
from .formula_exercise import FormulaExercise, exercise
from .generate import LEVELS, Level, generate
from .network import NetworkExercise, network_exercise
from .worksheet import Exercise, Sheet

__all__ = ["exercise", "network_exercise", "Exercise", "FormulaExercise", "NetworkExercise", "Result", "Cell",
           "Mistake", "Sheet", "KINDS", "LEVELS", "Level", "generate"]
