"""What derivatives of derivatives cost: ``backward(create_graph=True)`` against a plain ``backward()``, and
``hessian`` in each mode against one ``value_and_grad``, on a small MLP and on a W2-like chain, in one process.

Run from the repository root:  python3 benchmarks/create_graph.py [--quick]

Every time is the median of repeated runs, each started after ``gc.collect()``; the forward pass is built
before the clock starts, so the backward rows time the sweep alone. Ratios are the time over the baseline
(plain backward, or one value_and_grad): lower is cheaper.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograd import Value, hessian, value_and_grad  # noqa: E402
from autograd.functional import HESSIAN_MODES  # noqa: E402
from autograd.functions import dot  # noqa: E402
from nn import MLP  # noqa: E402


def median_of(run: Callable[[], float], repeats: int) -> float:
    """The median of ``repeats`` times returned by ``run`` (which times the part it means)."""
    times = []
    for _ in range(repeats):
        gc.collect()
        times.append(run())
    return statistics.median(times)


def timed(function: Callable[[], Any]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


# ---- the two workloads, as graphs (for backward) and as functions of their inputs (for hessian) -------------

def points(n: int) -> tuple[list[list[float]], list[float]]:
    X = [[(i % 7) / 3.0 - 1.0, (i % 5) / 2.0 - 1.0] for i in range(n)]
    return X, [1.0 if x[0] * x[1] > 0 else -1.0 for x in X]


def mlp_loss_graph(model: MLP, X: list[list[float]], Y: list[float]) -> Value:
    total = 0.0
    for x, y in zip(X, Y):
        total = total + (model(x) - y) ** 2
    return total / len(X)  # type: ignore[return-value]


def mlp_loss_function(sizes: Sequence[int], X: list[list[float]], Y: list[float]) -> Callable[..., Any]:
    """The same loss as a function of the weights (micrograd's order: per neuron its weights, then its bias)."""

    def loss(*ws: Any) -> Any:
        total = 0.0
        for x, y in zip(X, Y):
            a, k = list(x), 0
            for layer, (nin, nout) in enumerate(zip(sizes, sizes[1:])):
                out = []
                for _ in range(nout):
                    z = dot(ws[k:k + nin], a) + ws[k + nin]
                    k += nin + 1
                    out.append(z.tanh() if layer < len(sizes) - 2 else z)
                a = out
            total = total + (a[0] - y) ** 2
        return total / len(X)

    return loss


def chain(x: Any, n: int) -> Any:
    y = x
    for _ in range(n):
        y = (y * 0.999 + 0.001).tanh()
    return y


# ---- measurements -----------------------------------------------------------------------------------

def backward_costs(build: Callable[[], tuple[Value, Callable[[], None]]], repeats: int) -> tuple[float, ...]:
    """Median times of ``backward()``, of ``backward(create_graph=True)``, and of the latter with the cyclic
    garbage collector paused (the graph it builds has no cycles; the collector only scans it), on fresh graphs."""

    def sweep(create_graph: bool, paused: bool = False) -> float:
        root, reset = build()
        reset()
        if paused:
            gc.disable()
        try:
            return timed(lambda: root.backward(create_graph=create_graph))
        finally:
            gc.enable()

    return (median_of(lambda: sweep(False), repeats), median_of(lambda: sweep(True), repeats),
            median_of(lambda: sweep(True, paused=True), repeats))


def hessian_costs(f: Callable[..., Any], point: list[float], repeats: int) -> dict[str, float]:
    """Median times of one value_and_grad and of hessian in each mode, at ``point``."""
    costs = {"value_and_grad": median_of(lambda: timed(lambda: value_and_grad(f)(*point)), repeats)}
    for mode in HESSIAN_MODES:
        costs[mode] = median_of(lambda mode=mode: timed(lambda: hessian(f, mode=mode)(*point)), repeats)
    return costs


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller graphs, fewer repeats")
    quick = parser.parse_args(argv).quick
    repeats = 5 if quick else 11

    X, Y = points(8 if quick else 16)
    model = MLP(2, [8, 8, 1], activation="tanh", seed=0)

    def mlp() -> tuple[Value, Callable[[], None]]:
        return mlp_loss_graph(model, X, Y), model.zero_grad

    n_chain = 2_000 if quick else 10_000

    def deep() -> tuple[Value, Callable[[], None]]:
        x = Value(0.5)
        return chain(x, n_chain), lambda: None

    rows = []
    for name, build in ((f"MLP(2, [8, 8, 1]) tanh, MSE over {len(X)} points", mlp),
                        (f"chain tanh(y * 0.999 + 0.001) x {n_chain}", deep)):
        rows.append((name, *backward_costs(build, repeats)))

    small_sizes = [2, 4, 1]
    hx, hy = points(4)
    n_weights = sum((a + 1) * b for a, b in zip(small_sizes, small_sizes[1:]))
    hessians = [
        (f"MLP(2, [4, 1]) tanh, {len(hx)} points: {n_weights} x {n_weights}", mlp_loss_function(small_sizes, hx, hy),
         [0.1 * ((i * 7) % 11 - 5) for i in range(n_weights)]),
        (f"chain x {n_chain // 10}: 1 x 1", lambda x: chain(x, n_chain // 10), [0.5]),
    ]

    print(f"backward(create_graph=True) against backward() (medians of {repeats}; the forward pass not timed)")
    print(f"{'graph':<48} {'backward':>10} {'create_graph':>13} {'ratio':>7} {'gc paused':>11} {'ratio':>7}")
    for name, plain, create, paused in rows:
        print(f"{name:<48} {plain * 1e3:>8.2f}ms {create * 1e3:>11.2f}ms {create / plain:>6.1f}x "
              f"{paused * 1e3:>9.2f}ms {paused / plain:>6.1f}x")
    print()
    print(f"hessian in each mode against one value_and_grad (medians of {repeats})")
    header = f"{'function':<40} {'value_and_grad':>15}" + "".join(f" {m:>22}" for m in HESSIAN_MODES)
    print(header)
    for name, f, point in hessians:
        costs = hessian_costs(f, point, repeats)
        base = costs["value_and_grad"]
        cells = "".join(f" {costs[m] * 1e3:>10.1f}ms ({costs[m] / base:>5.1f}x)" for m in HESSIAN_MODES)
        print(f"{name:<40} {base * 1e3:>13.2f}ms{cells}")


if __name__ == "__main__":
    main()
