"""Step-through backprop: the reverse sweep of a trace one node at a time, each Step able to show its grads.

The adjoints come from the one reverse sweep (``Trace.contributions``); a step is a view of it: the node whose
adjoint is final, what it passes to each operand, and every adjoint as it stands after that step.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..rule import CONSTANT
from .tables import Contribution

if TYPE_CHECKING:
    from .wengert import Trace

__all__ = ["Step", "steps_of"]


def steps_of(trace_: Trace, grad: float = 1.0) -> Iterator[Step]:
    """The steps of backprop through ``trace_``'s graph, seeded with ``grad`` (see ``Trace.steps``).

    Args:
        trace_: the trace of the graph (nothing of it changes).
        grad: the seed adjoint of the output.

    Returns:
        an iterator of Step, last entry first.

    >>> from autograd import Value, trace
    >>> x = Value(3.0, label="x")
    >>> [str(s) for s in steps_of(trace(x * x))][0]
    'step 1 of 2: v2_bar = 1 is final; passes v1 += 3, v1 += 3'
    """
    found, _, passed = trace_.contributions(grad)
    run = _Run(trace_, grad)
    entries = trace_.entries
    for k, e in enumerate(reversed(entries)):
        step = Step(k, len(entries), e.node, e.name, found[e.node], tuple(passed[e.node]), run)
        run.steps.append(step)
        yield step


class _Run:
    """One stepping run: its trace, its seed and its steps so far (so any step can rebuild its grads)."""

    def __init__(self, trace_: Trace, seed: float) -> None:
        self.trace, self.seed = trace_, seed
        self.steps: list[Step] = []


class Step:
    """One step of backprop: ``node``'s adjoint is final; ``contributions`` are what it passed to its arguments."""

    __slots__ = ("index", "total", "node", "name", "adjoint", "contributions", "_run")

    def __init__(self, index: int, total: int, node: Any, name: str, adjoint: float,
                 contributions: tuple[Contribution, ...], run: _Run) -> None:
        self.index, self.total, self.node, self.name = index, total, node, name
        self.adjoint, self.contributions, self._run = adjoint, contributions, run

    @property
    def root(self) -> Any:
        """The output the run backpropagates from."""
        return self._run.trace.output

    @property
    def trace(self) -> Trace:
        """The trace the run steps through."""
        return self._run.trace

    @property
    def edges(self) -> list[tuple[Any, Any]]:
        """``(argument, node)`` for each contribution: the edges the adjoint flowed along."""
        return [(c.parent, c.child) for c in self.contributions]

    @property
    def finished(self) -> list[Any]:
        """The nodes whose adjoint is final after this step (this one included)."""
        entries = self._run.trace.entries
        return [e.node for e in entries[len(entries) - self.index - 1:]]

    @property
    def grads(self) -> dict[Any, float]:
        """Every node's adjoint right after this step, from 0 on a fresh graph (the seed at the output)."""
        grads = dict.fromkeys(self._run.trace.nodes, 0.0)
        grads[self.root] = self._run.seed
        for step in self._run.steps[:self.index + 1]:
            if step.adjoint:
                for c in step.contributions:
                    grads[c.parent] += c.amount
        return grads

    def __str__(self) -> str:
        passed = ", ".join(f"{c.parent_name} += {c.amount:.6g}" for c in self.contributions
                           if c.parent.rule is not CONSTANT)
        return (f"step {self.index + 1} of {self.total}: {self.name}_bar = {self.adjoint:.6g} is final"
                + (f"; passes {passed}" if passed else ""))

    __repr__ = __str__
