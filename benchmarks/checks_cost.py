"""What the safety checks of issue 10 cost: the non-finite checks and the stale-graph check on a W1 step, and the
times of the big-input items (a trace of 8192 products, the DOT of 4096 products, parsing a 660 KB formula).

Run from the repository root:  python3 benchmarks/checks_cost.py [--repeats N]

W1 is micrograd's demo step as in ``bench.py``: ``MLP(2, [16, 16, 1])``, hinge loss + 1e-4 L2 over 100 moons
points, forward + backward + SGD update. It runs in one process with the checks as shipped and with them taken
out by monkeypatching, the variants interleaved round by round so that a busy machine slows all alike; each
figure is the median CPU time of this process over the rounds. Taken out:

- non-finite checks: backward's seed check, the sweep's "every adjoint below LARGE" test and the check of the
  inputs' grads after it (``autograd.backprop.backward`` and ``sweep``), the large-partial mark made when a
  node of an unbounded rule is built (``autograd.value._check_partials``), and the finiteness check when
  ``.data`` is set (the SGD update);
- stale-graph check: the write mark when ``.data`` is set (``autograd.backprop.mark_written``) and the scan
  for a leaf written after a node reading it (``walk(fresh=True)``).

What stays: the one comparison ``low < out < high`` in each node factory (it sits in the closures the rule
table makes; it also catches an overflowing value, which is not a check one could do without).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import os
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from operator import attrgetter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

from autograd import backprop, parse, summation, to_dot  # noqa: E402
from autograd import value as value_module  # noqa: E402
from autograd.backprop import LARGE, walk  # noqa: E402
from autograd.finite import check_number  # noqa: E402
from autograd.value import Value  # noqa: E402
from autograd.viz import LargeGraphWarning  # noqa: E402
from nn import MLP, data, losses  # noqa: E402

# ---- the checks, and the same code without them ------------------------------------------------------------


def _plain_sweep(order: list[Any]) -> None:
    """``backprop.sweep`` without its test of each adjoint's size."""
    for node in reversed(order):
        out_bar = node.grad
        if out_bar:
            parents = node.parents
            if len(parents) == 2:
                a, b = parents
                partial_a, partial_b = node.partials
                a.grad += out_bar * partial_a
                b.grad += out_bar * partial_b
            elif len(parents) == 1:
                parents[0].grad += out_bar * node.partials[0]
            else:
                for parent, partial in zip(parents, node.partials):
                    parent.grad += out_bar * partial


def _backward_without(finite: bool, stale: bool) -> Callable[[Any, Any, bool], None]:
    """A ``backprop.backward`` keeping only the checks asked for (the step never uses create_graph)."""
    shipped = backprop.backward

    def backward(root: Any, seed: Any, create_graph: bool) -> None:
        if finite:  # the non-finite checks stay; only the stale scan goes
            real_walk = backprop.walk
            backprop.walk = lambda *args, **kwargs: real_walk(*args, **{**kwargs, "fresh": False})
            try:
                shipped(root, seed, create_graph)
            finally:
                backprop.walk = real_walk
            return
        order, _ = walk(root, fresh=stale, zero=True, leaves=False)
        root.grad = seed
        _plain_sweep(order)

    return backward


def _setter(finite: bool, stale: bool) -> Callable[[Value, float], None]:
    """``Value.data``'s setter keeping only the checks asked for."""
    counter = value_module._counter  # the shared serial count

    def set_data(self: Value, x: float) -> None:
        if finite and (type(x) is not float or not -LARGE < x < LARGE):
            x = check_number(x, "Value.data")
        self._data = x
        if stale:
            backprop.mark_written(self, next(counter))

    return set_data


@contextlib.contextmanager
def checks(finite: bool, stale: bool) -> Iterator[None]:
    """Run the body with the non-finite checks and the stale-graph check on or off (both on: as shipped)."""
    if finite and stale:
        yield
        return
    saved = (backprop.backward, Value.data, value_module._check_partials)
    backprop.backward = _backward_without(finite, stale)  # type: ignore[assignment]
    Value.data = property(attrgetter("_data"), _setter(finite, stale))  # type: ignore[assignment]
    if not finite:
        value_module._check_partials = lambda node: None  # type: ignore[assignment]
    try:
        yield
    finally:
        backprop.backward, Value.data, value_module._check_partials = saved  # type: ignore[assignment]


# ---- W1 ----------------------------------------------------------------------------------------------------

VARIANTS = {"shipped (both checks)": (True, True), "no stale-graph check": (True, False),
            "no non-finite checks": (False, True), "neither": (False, False)}


def w1_costs(repeats: int) -> dict[str, float]:
    """The median CPU time of one W1 step under each variant, the variants interleaved round by round."""
    X, y01 = data.moons(100, noise=0.1, seed=1)
    rows, ys = X.tolist(), (2 * y01 - 1).astype(float).tolist()
    models = {name: MLP(2, [16, 16, 1], seed=0) for name in VARIANTS}  # each variant trains its own copy

    def step(model: MLP) -> None:
        params = model.parameters()
        total = losses.hinge([model(row) for row in rows], ys) + losses.l2_penalty(params, 1e-4)
        model.zero_grad()
        total.backward()
        for p in params:
            p.data -= 0.01 * p.grad

    times: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for name, flags in VARIANTS.items():  # a warm-up step each
        with checks(*flags):
            step(models[name])
    names = list(VARIANTS)
    for round_ in range(repeats):
        for name in names[round_ % 4:] + names[:round_ % 4]:  # each variant in each place of the order in turn
            with checks(*VARIANTS[name]):
                gc.collect()
                started = time.process_time()  # CPU time: what other processes take of the cores is not counted
                step(models[name])
                times[name].append(time.process_time() - started)
    states = [m.state_dict() for m in models.values()]
    assert all(s == states[0] for s in states), "the variants trained differently: a check changed a number"
    return {name: statistics.median(t) for name, t in times.items()}


# ---- the size items ------------------------------------------------------------------------------------------


def balanced_sum(products: int) -> str:
    """``products`` distinct products ``v * (i + 1)`` added as a balanced tree (tests/test_seams_sizes.py's)."""
    names = "abcd"
    terms = [f"{names[i % 4]}*{i + 1}" for i in range(products)]
    while len(terms) > 1:
        terms = [f"({terms[i]}+{terms[i + 1]})" if i + 1 < len(terms) else terms[i] for i in range(0, len(terms), 2)]
    return terms[0]


def _seconds(function: Callable[[], Any], repeats: int) -> tuple[float, float]:
    """The median wall time and the median CPU time of this process (which a busy machine does not inflate)."""
    wall, cpu = [], []
    for _ in range(repeats):
        gc.collect()
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall), statistics.median(cpu)


def size_timings(repeats: int) -> dict[str, tuple[tuple[float, float], str]]:
    from nn.cli.parser import main

    point = ["a=0.5", "b=-1.25", "c=2.0", "d=0.75"]
    trace_formula = balanced_sum(8192)
    printed = io.StringIO()

    def trace_command() -> None:
        printed.seek(0)
        printed.truncate()
        with contextlib.redirect_stdout(printed):
            main(["trace", trace_formula, *point])

    result = {"dualgrad trace, 8192 products": (_seconds(trace_command, repeats),
                                                f"{len(printed.getvalue().encode()):,} bytes printed")}
    xs = [Value(0.1 * (i % 7) + 0.05, label=f"x{i}") for i in range(4097)]
    root = summation([xs[i] * xs[i + 1] for i in range(4096)])
    root.backward()
    dot = to_dot(root, max_nodes=None)
    result["to_dot, 4096 products"] = (_seconds(lambda: to_dot(root, max_nodes=None), repeats),
                                       f"{len(dot):,} characters (target < 1 s)")
    graph_formula = balanced_sum(4096)
    graph_out = io.StringIO()

    def graph_command() -> None:
        graph_out.seek(0)
        graph_out.truncate()
        with contextlib.redirect_stdout(graph_out):
            main(["graph", graph_formula, *point])

    result["dualgrad graph, 4096 products"] = (_seconds(graph_command, repeats), "parse + backward + DOT")
    text = balanced_sum(70000)
    result["parse, 660 KB formula"] = (_seconds(lambda: parse(text), repeats),
                                       f"{len(text):,} bytes (target < 2 s)")
    formula = parse(text)
    values = {"a": 0.5, "b": -1.25, "c": 2.0, "d": 0.75}
    result["evaluate + backward, 660 KB formula"] = (_seconds(lambda: formula.evaluate(**values).backward(), repeats),
                                                     f"{len(text):,} bytes")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=81, help="rounds of W1 steps (default 81)")
    args = parser.parse_args()
    costs = w1_costs(args.repeats)
    base = costs["neither"]
    print(f"W1 step (median CPU time of {args.repeats} interleaved rounds, one process; {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.2f}):")
    for name, seconds in costs.items():
        print(f"  {name:<24} {seconds * 1e3:8.2f} ms   {seconds / base:.3f} x the step without either")
    print("\nBig input (median of 3; wall time, and this process's CPU time):")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LargeGraphWarning)  # `dualgrad graph` warns that 12,291 nodes are many
        timings = size_timings(3)
    for name, ((wall, cpu), note) in timings.items():
        print(f"  {name:<38} {wall:7.3f} s wall {cpu:7.3f} s CPU   {note}")


if __name__ == "__main__":
    main()
