"""dualgrad against micrograd 0.1.0, PyTorch (where installed) and the lecture's numpy loop, side by side in one
process.

Run from the repository root:  python3 benchmarks/bench.py [--quick] [--json PATH]

Workloads (see benchmarks/README.md): W1 micrograd's demo training step, W2 a deep tanh chain,
W3 a wide sum of products, W4 per-sample forward + backward of the digits MLP, memory per graph node,
and the digits training target through fit(compiled=True). Every time is the median of repeated runs, each
workload with Python's cyclic collector on (the default) and paused (``gc.disable()``) for every engine;
ratios are the other engine's time over ours (higher is better for dualgrad).

micrograd 0.1.0 lacks tanh, exp, log and sigmoid: this file gives its Value those four operations in
micrograd's own closure style (``_add_micrograd_ops``), so that W2 and W4 can run on it unchanged.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# One BLAS thread: the matrices here are small, and on a busy 2-core machine OpenBLAS's threads made the
# compiled replay of a 256-example batch 25 times slower. Set before numpy is imported; override from outside.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402

from autograd import Value, summation, topological_order  # noqa: E402
from autograd.compiled import compile_loss  # noqa: E402
from nn import MLP, data, losses, optim  # noqa: E402
from nn.train import accuracy, fit, predict, train_step  # noqa: E402

try:
    import micrograd
    from micrograd.engine import Value as MValue
    from micrograd.nn import MLP as MMLP
except ImportError:  # pragma: no cover - the bench extra is missing
    sys.exit("micrograd is not installed: pip install -e '.[bench]' (micrograd==0.1.0)")


def _add_micrograd_ops() -> None:
    """tanh, exp, log, sigmoid for micrograd's Value, written the way micrograd writes its own ops."""

    def tanh(self: Any) -> Any:
        t = math.tanh(self.data)
        out = MValue(t, (self,), "tanh")

        def _backward() -> None:
            self.grad += (1 - t * t) * out.grad
        out._backward = _backward
        return out

    def exp(self: Any) -> Any:
        out = MValue(math.exp(self.data), (self,), "exp")

        def _backward() -> None:
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def log(self: Any) -> Any:
        out = MValue(math.log(self.data), (self,), "log")

        def _backward() -> None:
            self.grad += out.grad / self.data
        out._backward = _backward
        return out

    def sigmoid(self: Any) -> Any:
        s = 1 / (1 + math.exp(-self.data))
        out = MValue(s, (self,), "sigmoid")

        def _backward() -> None:
            self.grad += s * (1 - s) * out.grad
        out._backward = _backward
        return out

    MValue.tanh, MValue.exp, MValue.log, MValue.sigmoid = tanh, exp, log, sigmoid


_add_micrograd_ops()


def median_time(function: Callable[[], Any], repeats: int, number: int = 1, collector: bool = True) -> float:
    """The median over ``repeats`` samples of the time of one call, each sample ``number`` calls in a row
    started after a full collection (several calls, so that a sub-millisecond call is not timed cold);
    ``collector=False``: the cyclic garbage collector paused while the calls run."""
    return paired({"f": function}, repeats, number, collector)["f"]


def paired(functions: dict[str, Callable[[], Any]], repeats: int, number: int = 1,
           collector: bool = True) -> dict[str, float]:
    """``median_time`` of several functions, taking turns sample by sample (so a burst of load on a shared
    machine slows each of them alike). Each sample starts with one call that is not timed: after the full
    collection the memory the other engine's garbage held is given back, and the first call would pay for
    taking it again (with the collector paused, micrograd's cycles pile up until that collection)."""
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            gc.collect()
            if not collector:
                gc.disable()
            try:
                function()
                started = time.perf_counter()
                for _ in range(number):
                    function()
                times[name].append((time.perf_counter() - started) / number)
            finally:
                gc.enable()
    return {name: statistics.median(t) for name, t in times.items()}


def load_torch() -> Any:
    """PyTorch with one thread and float64, or None where it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return torch


def micrograd_nodes(root: Any) -> int:
    seen, stack = {root}, [root]
    while stack:
        for child in stack.pop()._prev:
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return len(seen)


# ---- W1: micrograd's demo step ------------------------------------------------------------------------

def micrograd_w1(model: Any, rows: list[list[float]], ys: list[float],
                 counts: dict[str, int] | None = None) -> Callable[[], None]:
    """micrograd's demo step on its ``MLP``: hinge loss + 1e-4 L2, backward, SGD (also for floor.py, against_commit)."""
    def step() -> None:
        scores = [model(list(map(MValue, row))) for row in rows]
        margins = [(1 + -yi * si).relu() for yi, si in zip(ys, scores)]
        total = sum(margins) * (1.0 / len(margins)) + 1e-4 * sum(p * p for p in model.parameters())
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= 0.01 * p.grad
        if counts is not None:
            counts["micrograd"] = micrograd_nodes(total)
    return step


def w1(quick: bool) -> dict[str, Any]:
    X, y01 = data.moons(100, noise=0.1, seed=1)
    rows, ys = X.tolist(), (2 * y01 - 1).astype(float).tolist()
    random.seed(1337)
    theirs = MMLP(2, [16, 16, 1])
    ours = MLP(2, [16, 16, 1], seed=0)
    params = ours.parameters()
    counts = {}

    micrograd_step = micrograd_w1(theirs, rows, ys, counts)

    def dualgrad_step() -> None:
        scores = [ours(row) for row in rows]
        total = losses.hinge(scores, ys) + losses.l2_penalty(params, 1e-4)
        ours.zero_grad()
        total.backward()
        for p in params:
            p.data -= 0.01 * p.grad
        counts["dualgrad"] = len(topological_order(total))

    compiled = compile_loss(ours, losses.hinge, X, ys)
    sgd = optim.SGD(params, lr=0.01)

    def compiled_step() -> None:
        train_step(compiled.value_and_grad, X, ys, sgd, params, l2=1e-4)

    repeats = 3 if quick else 7
    result: dict[str, Any] = {}
    for collector, suffix in ((True, ""), (False, " paused")):
        times = paired({"micrograd": micrograd_step, "dualgrad": dualgrad_step}, repeats, collector=collector)
        result.update({name + suffix: t for name, t in times.items()})
    result["compiled"] = median_time(compiled_step, repeats, 10)
    torch = load_torch()
    if torch is not None:  # PyTorch as a scalar engine: every number a 0-d tensor, as micrograd's Values
        tensor = ours.to_torch()
        weights = [[(layer.weight[i].detach().tolist(), layer.bias[i].item()) for i in range(len(layer.bias))]
                   for layer in tensor if isinstance(layer, torch.nn.Linear)]
        scalars = [[([torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in ws],
                     torch.tensor(b, dtype=torch.float64, requires_grad=True)) for ws, b in layer] for layer in weights]
        tparams = [p for layer in scalars for ws, b in layer for p in ws + [b]]

        def torch_scalar_step() -> None:
            scores = []
            for row in rows:
                h = [torch.tensor(x, dtype=torch.float64) for x in row]
                for k, layer in enumerate(scalars):
                    h = [sum((w * x for w, x in zip(ws, h)), b) for ws, b in layer]
                    if k < len(scalars) - 1:
                        h = [v.relu() for v in h]
                scores.append(h[0])
            margins = [(1 - yi * si).relu() for yi, si in zip(ys, scores)]
            total = sum(margins) * (1.0 / len(margins)) + 1e-4 * sum(p * p for p in tparams)
            for p in tparams:
                p.grad = None
            total.backward()
            with torch.no_grad():
                for p in tparams:
                    p -= 0.01 * p.grad

        for collector, suffix in ((True, ""), (False, " paused")):
            result["pytorch scalar" + suffix] = median_time(torch_scalar_step, max(2, repeats // 2),
                                                            collector=collector)
    result["nodes"] = counts
    return result


# ---- W2: a deep chain ---------------------------------------------------------------------------------

def chain(make: Callable[[float], Any], n: int) -> Any:
    y = make(0.5)
    for _ in range(n):
        y = (y * 0.999 + 0.001).tanh()
    return y


def timed_chain(make: Callable[[float], Any], n: int, collector: bool, repeats: int) -> dict[str, float]:
    """Median build and backward times of the chain of ``n`` steps, the collector on or paused."""
    build, back = [], []
    for _ in range(repeats):
        gc.collect()
        if not collector:  # the graph has no cycles: reference counting alone frees it
            gc.disable()
        try:
            started = time.perf_counter()
            y = chain(make, n)
            built = time.perf_counter()
            y.backward()
            build.append(built - started)
            back.append(time.perf_counter() - built)
            del y
        finally:
            gc.enable()
    return {"build": statistics.median(build), "backward": statistics.median(back)}


def w2(quick: bool) -> dict[str, Any]:
    growth = [1_000, 10_000, 100_000] + ([] if quick else [1_000_000])
    result: dict[str, Any] = {}
    for n in growth:  # the collector on, as Python runs by default
        result[(n, "on")] = {**timed_chain(Value, n, True, 1 if n >= 100_000 else 3), "nodes": 5 * n + 1}
    for n in (10_000, 100_000):
        result[(n, "paused")] = {**timed_chain(Value, n, False, 1 if n >= 100_000 else 3), "nodes": 5 * n + 1}
    torch = load_torch()
    if torch is not None:  # PyTorch as a scalar engine: 0-d tensors, the same chain
        def make(x: float) -> Any:
            return torch.tensor(x, dtype=torch.float64, requires_grad=True)

        for n in (10_000, 100_000):
            for collector in ("on", "paused"):
                result[("pytorch", n, collector)] = timed_chain(make, n, collector == "on", 1 if n >= 100_000 else 3)
    # micrograd's backward recurses once per level: as shipped it stops at the recursion limit
    y = chain(MValue, 10_000)
    try:
        y.backward()
        result["micrograd_default_limit"] = "works"
    except RecursionError:
        result["micrograd_default_limit"] = "RecursionError"
    del y
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(100_000)  # Python 3.11 keeps these frames off the C stack
    try:
        for collector in ("on", "paused"):
            result[("micrograd", 10_000, collector)] = timed_chain(MValue, 10_000, collector == "on", 3)
    finally:
        sys.setrecursionlimit(limit)
    return result


# ---- W3: a wide sum of products -----------------------------------------------------------------------

def tree_sum(terms: list[Any]) -> Any:
    while len(terms) > 1:
        paired = [a + b for a, b in zip(terms[::2], terms[1::2])]
        terms = paired + terms[len(paired) * 2:]
    return terms[0]


def w3(quick: bool) -> dict[str, Any]:
    result: dict[str, Any] = {}
    rng = random.Random(0)
    for n in (10_000, 100_000):
        xs, ws = [rng.uniform(-1, 1) for _ in range(n)], [rng.uniform(-1, 1) for _ in range(n)]

        def run(kind: type, how: str, xs: list[float] = xs, ws: list[float] = ws) -> None:
            a, b = [kind(x) for x in xs], [kind(w) for w in ws]
            products = [p * q for p, q in zip(a, b)]
            total = tree_sum(products) if how == "tree" else (summation(products) if how == "nary"
                                                              else sum(products))
            total.backward()

        repeats = 2 if quick else 5
        row = paired({"micrograd tree": lambda: run(MValue, "tree"), "dualgrad tree": lambda: run(Value, "tree")},
                     repeats)
        paused = paired({"micrograd tree": lambda: run(MValue, "tree"), "dualgrad tree": lambda: run(Value, "tree")},
                        repeats, collector=False)
        row.update({f"{name} paused": t for name, t in paused.items()})
        row["dualgrad sum()"] = median_time(lambda: run(Value, "sum"), repeats)
        row["dualgrad summation"] = median_time(lambda: run(Value, "nary"), repeats)
        try:
            run(MValue, "sum")
            row["micrograd sum()"] = "works"
        except RecursionError:
            row["micrograd sum()"] = "RecursionError"
        result[n] = row
    return result


# ---- W4: digits, per sample ---------------------------------------------------------------------------

def digits() -> tuple[np.ndarray, np.ndarray]:
    X, y = data.load_digits()
    return X / 16.0, y  # the lecture's min-max scaling (pixels are 0 .. 16)


def micrograd_mlp(sizes: list[int]) -> tuple[list[Any], list[Any]]:
    layers = [[([MValue(random.uniform(-1, 1)) for _ in range(a)], MValue(0)) for _ in range(b)]
              for a, b in zip(sizes, sizes[1:])]
    return layers, [p for layer in layers for w, b in layer for p in w + [b]]


def micrograd_w4(layers: list[Any], params: list[Any], rows: list[list[float]],
                 labels: list[int]) -> Callable[[], None]:
    """Forward + backward of each digit on micrograd Values: sigmoid layers, softmax cross entropy."""
    def samples() -> None:
        for x, t in zip(rows, labels):
            for p in params:
                p.grad = 0
            h: list[Any] = x
            for i, layer in enumerate(layers):
                h = [sum((wi * xi for wi, xi in zip(w, h)), b) for w, b in layer]
                if i < len(layers) - 1:
                    h = [v.sigmoid() for v in h]
            top = max(v.data for v in h)
            (sum((v - top).exp() for v in h).log() - (h[t] - top)).backward()
    return samples


def lecture_numpy_loop(X: np.ndarray, Y: np.ndarray, rng: np.random.Generator) -> float:
    """The lecture's numpy MLP (seeds 001): sigmoid, bias trick, per-sample fit_partial; seconds per sample."""
    sizes = [64, 32, 16, 10]
    W = [rng.standard_normal((sizes[i] + 1, sizes[i + 1] + 1)) / np.sqrt(sizes[i]) for i in range(len(sizes) - 2)]
    W.append(rng.standard_normal((sizes[-2] + 1, sizes[-1])) / np.sqrt(sizes[-2]))
    Xb = np.c_[X, np.ones(len(X))]

    def sigmoid(z: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-z))

    def fit_partial(x: np.ndarray, target: np.ndarray, alpha: float = 0.1) -> None:
        A = [np.atleast_2d(x)]
        for layer in range(len(W)):
            A.append(sigmoid(A[layer].dot(W[layer])))
        D = [(A[-1] - target) * A[-1] * (1 - A[-1])]
        for layer in range(len(A) - 2, 0, -1):
            D.append(D[-1].dot(W[layer].T) * A[layer] * (1 - A[layer]))
        D = D[::-1]
        for layer in range(len(W)):
            W[layer] += -alpha * A[layer].T.dot(D[layer])

    def epoch() -> None:
        for x, target in zip(Xb, Y):
            fit_partial(x, target)

    return median_time(epoch, 5) / len(X)


BATCHES = (32, 256, 1347)  # 1347: the whole of load_digits


def w4(quick: bool) -> dict[str, Any]:
    X, y = digits()
    rng = np.random.default_rng(0)
    n = 10 if quick else 30
    rows, labels = X[:n].tolist(), y[:n].tolist()
    random.seed(0)
    layers, mparams = micrograd_mlp([64, 32, 16, 10])

    micrograd_samples = micrograd_w4(layers, mparams, rows, labels)
    model = MLP(64, [32, 16, 10], activation="sigmoid", seed=0)

    def dualgrad_samples() -> None:
        for x, t in zip(rows, labels):
            model.zero_grad()
            losses.cross_entropy(model(x), t).backward()

    result: dict[str, Any] = {}
    for collector, suffix in ((True, ""), (False, " paused")):
        times = paired({"micrograd": micrograd_samples, "dualgrad": dualgrad_samples}, 3, collector=collector)
        result.update({name + suffix: t / n for name, t in times.items()})
    compiled = compile_loss(model, losses.cross_entropy, X, y)
    graph, weights = compiled.graph, compiled.graph.weights()  # the compiled fit's form: parameters in an array
    torch = load_torch()
    if torch is not None:
        net = model.to_torch()  # nn.Sequential, float64, the same weights
        cross_entropy = torch.nn.CrossEntropyLoss()  # the mean over the batch, as compiled.value_and_grad
    for batch in BATCHES:
        inputs, Xb, yb = compiled.inputs(X[:batch], y[:batch]), X[:batch], y[:batch]
        functions = {"compiled": lambda inputs=inputs, batch=batch: graph.gradient(inputs, weights, 1.0 / batch),
                     "compiled via Values": lambda Xb=Xb, yb=yb: compiled.value_and_grad(Xb, yb)}
        if torch is not None:
            Xt, yt = torch.tensor(Xb, dtype=torch.float64), torch.tensor(yb)

            def torch_step(Xt: Any = Xt, yt: Any = yt) -> Any:
                net.zero_grad()
                loss = cross_entropy(net(Xt), yt)
                loss.backward()
                return loss

            loss = torch_step()  # the same loss and gradient, checked once
            ours, dW, _ = graph.gradient(inputs, weights, 1.0 / batch)
            theirs = np.concatenate([np.c_[m.weight.grad.numpy(), m.bias.grad.numpy()].ravel()
                                     for m in net if isinstance(m, torch.nn.Linear)])
            assert abs(float(ours.mean()) - loss.item()) < 1e-9 and np.allclose(dW, theirs, atol=1e-12), batch
            functions["pytorch"] = torch_step
        times = paired(functions, 7 if quick else 15, max(1, 2048 // batch))
        result.update({f"{name} {batch}": t / batch for name, t in times.items()})
    result["numpy loop"] = lecture_numpy_loop(X[:300], np.eye(10)[y[:300]], rng)
    return result


# ---- memory per node, in a fresh process --------------------------------------------------------------

def memory_probe(engine: str, graph: str) -> dict[str, float]:
    """Bytes traced by tracemalloc per graph node while the graph is alive (run in a child process)."""
    kind = Value if engine == "dualgrad" else MValue
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    if graph == "chain":
        root = chain(kind, 50_000)
    else:  # the W1 graph: MLP(2, [16, 16, 1]) on 100 points, hinge loss
        random.seed(0)
        X, y01 = data.moons(100, noise=0.1, seed=1)
        ys = (2 * y01 - 1).tolist()
        if engine == "dualgrad":
            model = MLP(2, [16, 16, 1], seed=0)
            before = tracemalloc.get_traced_memory()[0]
            root = losses.hinge([model(row) for row in X.tolist()], ys)
        else:
            mmodel = MMLP(2, [16, 16, 1])
            before = tracemalloc.get_traced_memory()[0]
            scores = [mmodel(list(map(MValue, row))) for row in X.tolist()]
            root = sum((1 + -yi * si).relu() for yi, si in zip(ys, scores)) * (1.0 / len(ys))
    used = tracemalloc.get_traced_memory()[0] - before
    nodes = len(topological_order(root)) if engine == "dualgrad" else micrograd_nodes(root)
    return {"bytes_per_node": used / nodes, "nodes": nodes}


def memory() -> dict[str, Any]:
    result = {}
    for graph in ("chain", "mlp"):
        for engine in ("micrograd", "dualgrad"):
            out = subprocess.run([sys.executable, __file__, "--memory-probe", engine, graph], check=True,
                                 capture_output=True, text=True).stdout
            result[f"{engine} {graph}"] = json.loads(out)
    return result


# ---- the digits training target -----------------------------------------------------------------------

def digits_training(quick: bool) -> dict[str, Any]:
    X, y = digits()
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_size=0.25, seed=0)
    model = MLP(64, [32, 16, 10], activation="sigmoid", seed=0)
    started = time.perf_counter()
    fit(model, X_train, y_train, loss="cross_entropy", optimizer="adam", lr=0.01, epochs=10 if quick else 30,
        batch_size=32, progress=False, compiled=True)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "test_accuracy": accuracy(y_test, predict(model, X_test)),
            "epochs": 10 if quick else 30}


# ---- report -------------------------------------------------------------------------------------------

def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    torch = load_torch()
    torch_note = f"{torch.__version__}, one thread, float64" if torch is not None else \
        "not installed: no PyTorch columns"
    return {"python": platform.python_version(), "implementation": platform.python_implementation(),
            "platform": platform.platform(), "cpu": cpu, "cores": os.cpu_count(), "numpy": np.__version__,
            "micrograd": getattr(micrograd, "__version__", "0.1.0"), "pytorch": torch_note}


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:,.1f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:,.1f} us"


def table(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [f"Python {m['python']} ({m['implementation']}), numpy {m['numpy']}, micrograd {m['micrograd']}; "
             f"{m['cpu']}, {m['cores']} cores; {m['platform']}. PyTorch: {m['pytorch']}.", "",
             "| workload | other engine | dualgrad | ratio (other / dualgrad) | target | holds |",
             "|---|---|---|---|---|---|"]

    def row(name: str, theirs: Any, ours: Any, target: str, holds: bool | str) -> None:
        ratio = f"{theirs / ours:,.2f}x" if isinstance(theirs, float) and isinstance(ours, float) else "-"
        t = ms(theirs) if isinstance(theirs, float) else theirs
        o = ms(ours) if isinstance(ours, float) else ours
        mark = holds if isinstance(holds, str) else ("yes" if holds else "**no**")
        lines.append(f"| {name} | {t} | {o} | {ratio} | {target} | {mark} |")

    w = results["W1"]
    nodes = f"nodes: micrograd {w['nodes']['micrograd']:,}, dualgrad {w['nodes']['dualgrad']:,}"
    row(f"W1 demo step vs micrograd, gc on ({nodes})", w["micrograd"], w["dualgrad"], "-", "-")
    row("W1 demo step vs micrograd, gc paused for both", w["micrograd paused"], w["dualgrad paused"], ">= 10x",
        w["micrograd paused"] / w["dualgrad paused"] >= 10)
    if "pytorch scalar" in w:
        row("W1 demo step vs PyTorch as a scalar engine (0-d tensors), gc on", w["pytorch scalar"], w["dualgrad"],
            "-", "-")
        row("W1 demo step vs PyTorch as a scalar engine, gc paused for both", w["pytorch scalar paused"],
            w["dualgrad paused"], "-", "-")
    row("W1 demo step, compiled (one batch of 100) vs micrograd", w["micrograd"], w["compiled"], "-", "-")
    w = results["W2"]
    for key, r in w.items():
        if isinstance(key, tuple) and len(key) == 2:
            n, collector = key
            lines.append(f"| W2 chain N={n:,} ({r['nodes']:,} nodes), gc {collector}: build + backward | - | "
                         f"{ms(r['build'])} + {ms(r['backward'])} | - | - | - |")
    sizes = sorted(n for n, c in (k for k in w if isinstance(k, tuple) and len(k) == 2) if c == "on")
    for small, large in zip(sizes, sizes[1:]):
        build = w[(large, "on")]["build"] / w[(small, "on")]["build"]
        total = sum(w[(large, "on")].values()) - w[(large, "on")]["nodes"]
        total /= sum(w[(small, "on")].values()) - w[(small, "on")]["nodes"]
        target = "<= 11x" if small >= 10_000 else "-"
        row(f"W2 growth N={small:,} -> {large:,}, gc on: build {build:.1f}x (build + backward {total:.1f}x)",
            "-", "-", target, build <= 11 if small >= 10_000 else "-")
    for n in (10_000, 100_000):
        if ("pytorch", n, "on") in w:
            for collector in ("on", "paused"):
                t, o = w[("pytorch", n, collector)], w[(n, collector)]
                row(f"W2 chain N={n:,} vs PyTorch as a scalar engine, gc {collector}: build", t["build"],
                    o["build"], "-", "-")
                row(f"W2 chain N={n:,} vs PyTorch as a scalar engine, gc {collector}: backward", t["backward"],
                    o["backward"], "-", "-")
    for collector in ("on", "paused"):
        mg, o = w[("micrograd", 10_000, collector)], w[(10_000, collector)]
        row(f"W2 chain N=10,000 vs micrograd with a raised recursion limit (as shipped: "
            f"{w['micrograd_default_limit']}), gc {collector}: build + backward", mg["build"] + mg["backward"],
            o["build"] + o["backward"], "-", "-")
    for n, r in results["W3"].items():
        row(f"W3 N={int(n):,} products, balanced tree, gc on", r["micrograd tree"], r["dualgrad tree"], ">= 3x",
            r["micrograd tree"] / r["dualgrad tree"] >= 3)
        row(f"W3 N={int(n):,} products, balanced tree, gc paused for both", r["micrograd tree paused"],
            r["dualgrad tree paused"], "-", "-")
        row(f"W3 N={int(n):,}, Python sum() (a chain {int(n):,} deep)", r["micrograd sum()"], r["dualgrad sum()"],
            "works", "yes")
        row(f"W3 N={int(n):,}, dualgrad summation (one n-ary node)", r["micrograd tree"], r["dualgrad summation"],
            "-", "-")
    w = results["W4"]
    row("W4 digits, forward + backward per sample, gc on", w["micrograd"], w["dualgrad"], "-", "-")
    row("W4 digits, forward + backward per sample, gc paused for both", w["micrograd paused"], w["dualgrad paused"],
        ">= 20x", w["micrograd paused"] / w["dualgrad paused"] >= 20)
    for batch in BATCHES:
        ours = w[f"compiled {batch}"]
        if f"pytorch {batch}" in w:
            theirs = w[f"pytorch {batch}"]
            row(f"W4 compiled (parameters in an array) vs PyTorch nn.Sequential, batch {batch}, per sample", theirs,
                ours, "PyTorch / compiled >= 1/1.5 (0.67x)", theirs / ours >= 1 / 1.5)
        row(f"W4 compiled via Values (value_and_grad reads and writes the 2,778 Values), batch {batch}, per "
            f"sample, vs the lecture's numpy loop", w["numpy loop"], w[f"compiled via Values {batch}"], "-", "-")
    per_sample = [w[f"compiled {b}"] for b in BATCHES]
    row(f"W4 compiled, time per sample never rising with the batch ({', '.join(ms(t) for t in per_sample)})", "-",
        "-", "falls or stays", all(b <= a * 1.05 for a, b in zip(per_sample, per_sample[1:])))
    for graph, what in (("chain", "W2 chain, N=50,000"), ("mlp", "W1 graph (one forward, hinge loss)")):
        theirs, ours = results["memory"][f"micrograd {graph}"], results["memory"][f"dualgrad {graph}"]
        total_t, total_o = theirs["bytes_per_node"] * theirs["nodes"], ours["bytes_per_node"] * ours["nodes"]
        lines.append(f"| memory per node, {what}: micrograd {theirs['nodes']:,} nodes = {total_t / 1e6:.1f} MB, "
                     f"dualgrad {ours['nodes']:,} nodes = {total_o / 1e6:.1f} MB | "
                     f"{theirs['bytes_per_node']:.0f} B | {ours['bytes_per_node']:.0f} B | "
                     f"{theirs['bytes_per_node'] / ours['bytes_per_node']:.1f}x per node, "
                     f"{total_t / total_o:.1f}x in all | <= 250 B | "
                     f"{'yes' if ours['bytes_per_node'] <= 250 else '**no**'} |")
    d = results["digits"]
    lines.append(f"| digits MLP(64, [32, 16, 10]), fit(compiled=True), {d['epochs']} epochs | - | "
                 f"{d['seconds']:.1f} s, test accuracy {d['test_accuracy']:.3f} | - | >= 0.95 in < 30 s | "
                 f"{'yes' if d['test_accuracy'] >= 0.95 and d['seconds'] < 30 else '**no**'} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer repeats (about a minute)")
    parser.add_argument("--json", type=Path, default=ROOT / "benchmarks" / "results" / "latest.json",
                        help="where to write the raw numbers (benchmarks/results/ is git-ignored)")
    parser.add_argument("--memory-probe", nargs=2, metavar=("ENGINE", "GRAPH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_probe:
        print(json.dumps(memory_probe(*args.memory_probe)))
        return
    results: dict[str, Any] = {"machine": machine()}
    for name, run in [("W1", lambda: w1(args.quick)), ("W2", lambda: w2(args.quick)), ("W3", lambda: w3(args.quick)),
                      ("W4", lambda: w4(args.quick)), ("memory", memory),
                      ("digits", lambda: digits_training(args.quick))]:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        results[name] = run()
    report = table(results)
    print(report)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    results["W2"] = {" ".join(map(str, k)) if isinstance(k, tuple) else k: v for k, v in results["W2"].items()}
    args.json.write_text(json.dumps(results, indent=2, default=str))
    args.json.with_suffix(".md").write_text(report + "\n")


if __name__ == "__main__":
    main()
