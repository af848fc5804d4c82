"""The compiled batched path: the graph of one example, traced once, replayed with numpy on a batch.

``compile_graph(fn, examples)`` runs ``fn`` once on Values and groups the nodes of its graph into
array steps, one lane per example: the nodes with the same rule at the same depth become one numpy
call, and a layer of dot products over the same inputs becomes one matrix product. Forward and backward
read the rule table (``array_value``, ``array_partials``); gradients equal the dynamic engine's summed
over the batch. A graph whose shape or constants depend on the data is refused with ``NotCompilable``.
``compile_loss(model, loss, X, T)`` does the same for a model and a loss, the targets fed as inputs: it is
what ``fit(..., compiled=True)`` uses, and it reads a loss through the protocol ``TracedLoss``, never by name.
This module gathers the path's public names: the tracing is in ``capture``, the numpy steps in ``lanes``, the
replay in ``replay``, losses in ``loss``.
"""

from .capture import NotCompilable, is_tracing
from .loss import CompiledLoss, TracedLoss, compile_loss
from .replay import CompiledGraph, compile_graph

__all__ = ["NotCompilable", "is_tracing", "CompiledGraph", "compile_graph", "CompiledLoss", "compile_loss",
           "TracedLoss"]
