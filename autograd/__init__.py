"""dualgrad's engine: reverse-mode Value, forward-mode Dual, one rule table that both read."""

from . import ops  # noqa: F401  (the built-in rows, registered before anything reads the table)
from .backprop import GradientNotFinite, StaleGraphError, topological_order
from .check import GradcheckError, compare_modes, gradcheck, numerical_grad
from .compiled import CompiledGraph, NotCompilable, compile_graph, compile_loss
from .dual import Dual
from .formula import Formula, FormulaError, parse
from .functional import derivative, grad, hessian, hvp, jvp, value_and_grad
from .functions import apply, dot, summation
from .rule import RULES, Param, Rule, defrule, forget
from .tracing import Step, Trace, trace
from .value import Value
from .viz import draw, step_through, to_dot

__all__ = [
    "Value", "Dual", "grad", "value_and_grad", "derivative", "jvp", "hessian", "hvp", "summation", "dot", "apply",
    "Rule", "Param", "RULES", "defrule", "forget", "topological_order", "numerical_grad", "gradcheck",
    "GradcheckError", "GradientNotFinite", "StaleGraphError", "compare_modes", "trace", "Trace", "Step", "to_dot",
    "draw", "step_through", "parse", "Formula", "FormulaError", "compile_graph", "compile_loss", "CompiledGraph",
    "NotCompilable",
]
