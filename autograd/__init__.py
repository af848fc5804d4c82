"""dualgrad's engine: reverse-mode Value, forward-mode Dual, one rule table that both read."""

from .check import GradcheckError, compare_modes, gradcheck, numerical_grad
from .compiled import CompiledGraph, NotCompilable, compile_graph, compile_loss
from .dual import Dual
from .explorer import Explorer, explore
from .formula import Formula, FormulaError, parse
from .functional import derivative, grad, jvp, value_and_grad
from .functions import apply, dot, summation
from .ops import RULES, Rule, defrule
from .tracing import Step, Trace, trace
from .value import Value, topological_order
from .viz import draw, step_through, to_dot

__all__ = [
    "Value", "Dual", "grad", "value_and_grad", "derivative", "jvp", "summation", "dot", "apply",
    "Rule", "RULES", "defrule", "topological_order", "numerical_grad", "gradcheck", "GradcheckError",
    "compare_modes", "trace", "Trace", "Step", "to_dot", "draw", "step_through", "parse", "Formula",
    "FormulaError", "compile_graph", "compile_loss", "CompiledGraph", "NotCompilable", "explore", "Explorer",
]
