"""Step-through backprop: ``backward()`` one node of a trace at a time, each Step able to replay its grads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..ops import CONSTANT
from ..value import Value
from .tables import Contribution

if TYPE_CHECKING:
    from ..viz import Graph
    from .wengert import Trace

__all__ = ["Step", "backprop_steps"]


def backprop_steps(trace_: Trace, grad: float = 1.0) -> Iterator[Step]:
    """The steps of backprop through ``trace_``'s graph, seeded with ``grad`` (see ``Trace.steps``).

    Args:
        trace_: the trace of the graph, whose live ``.grad`` the steps update.
        grad: the seed adjoint of the output.

    Returns:
        an iterator of Step, last entry first; each runs when it is taken.

    >>> from autograd.tracing import trace
    >>> x = Value(3.0, label="x")
    >>> [str(s) for s in backprop_steps(trace(x * x))][0]
    'step 1 of 2: v2_bar = 1 is final; passes v1 += 3, v1 += 3'
    """
    run = _Run(trace_, grad)
    for node in trace_.nodes:
        if node.parents:
            node.grad = 0.0
    run.start = {n: n.grad for n in trace_.nodes}
    trace_.output.grad += grad
    for k, e in enumerate(reversed(trace_.entries)):
        out_bar = e.node.grad
        passed = []
        for parent, partial in zip(e.node.parents, e.node.partials):
            amount = out_bar * partial if out_bar else 0.0
            if out_bar:
                parent.grad += amount
            passed.append(Contribution(e.node, parent, e.name, trace_.name(parent), out_bar, partial, amount))
        step = Step(k, len(trace_.entries), e.node, e.name, out_bar, tuple(passed), run)
        run.steps.append(step)
        yield step


class _Run:
    """One stepping run: where it started, and the steps so far (so any step can rebuild its grads)."""

    def __init__(self, trace_: Trace, seed: float) -> None:
        self.trace, self.seed = trace_, seed
        self.start: dict[Value, float] = {}
        self.steps: list[Step] = []


class Step:
    """One step of backprop: ``node``'s adjoint is final; ``contributions`` are what it passed to its arguments."""

    __slots__ = ("index", "total", "node", "name", "adjoint", "contributions", "_run")

    def __init__(self, index: int, total: int, node: Value, name: str, adjoint: float,
                 contributions: tuple[Contribution, ...], run: _Run) -> None:
        self.index, self.total, self.node, self.name = index, total, node, name
        self.adjoint, self.contributions, self._run = adjoint, contributions, run

    @property
    def root(self) -> Value:
        """The output the run backpropagates from."""
        return self._run.trace.output

    @property
    def edges(self) -> list[tuple[Value, Value]]:
        """``(argument, node)`` for each contribution: the edges the adjoint flowed along."""
        return [(c.parent, c.child) for c in self.contributions]

    @property
    def finished(self) -> list[Value]:
        """The nodes whose adjoint is final after this step (this one included)."""
        entries = self._run.trace.entries
        return [e.node for e in entries[len(entries) - self.index - 1:]]

    @property
    def grads(self) -> dict[Value, float]:
        """Every node's ``.grad`` right after this step, replayed exactly from the run's start."""
        grads = dict(self._run.start)
        grads[self.root] += self._run.seed
        for step in self._run.steps[:self.index + 1]:
            if step.adjoint:
                for c in step.contributions:
                    grads[c.parent] += c.amount
        return grads

    def draw(self, **options: Any) -> Graph:
        """The graph with this node and the edges it passed its adjoint along highlighted (see ``draw``)."""
        from ..viz import draw  # viz imports the trace, which imports this module: import at call time

        return draw(self.root, highlight=self, **options)

    def __str__(self) -> str:
        passed = ", ".join(f"{c.parent_name} += {c.amount:.6g}" for c in self.contributions
                           if c.parent.rule is not CONSTANT)
        return (f"step {self.index + 1} of {self.total}: {self.name}_bar = {self.adjoint:.6g} is final"
                + (f"; passes {passed}" if passed else ""))

    __repr__ = __str__
