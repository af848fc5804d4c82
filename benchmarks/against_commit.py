"""The dynamic engine's speed-up over micrograd, this checkout against an earlier commit, in one run.

    python3 benchmarks/against_commit.py 95aee13           # the commit before the engine was rebuilt
    python3 benchmarks/against_commit.py 95aee13 --rounds 9

The commit's files are unpacked with ``git archive`` into a temporary folder. Each round then runs, one after the
other, a fresh process for micrograd, one for the commit and one for this checkout; each times W1 (micrograd's demo
step), W2 (the tanh chain, N = 10,000, build + backward) and W4 (digits MLP(64, [32, 16, 10]) forward + backward
per sample), each the median of several calls, with the cyclic collector on and paused. A busy machine slows all
three alike within a round; the table gives, per workload, the median over rounds of micrograd's time over each
engine's, and how much of the commit's speed-up this checkout keeps. Nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

# The data both engines read, and dualgrad's three workloads (instructions.py runs these too).
DATA = r'''
from sklearn.datasets import load_digits, make_moons
X, y = make_moons(100, noise=0.1, random_state=1)
rows, ys = X.tolist(), (2 * y - 1).astype(float).tolist()
digits = load_digits()
drows, dlabels = (digits.data[:20] / 16.0).tolist(), digits.target[:20].tolist()
'''
DUALGRAD = r'''
from autograd import Value
from nn import MLP, losses
model = MLP(2, [16, 16, 1], seed=0)
params = model.parameters()
def w1():
    total = losses.hinge([model(row) for row in rows], ys) + losses.l2_penalty(params, 1e-4)
    model.zero_grad()
    total.backward()
    for p in params:
        p.data -= 0.01 * p.grad
def w2():
    v = Value(0.5)
    for _ in range(10_000):
        v = (v * 0.999 + 0.001).tanh()
    v.backward()
net = MLP(64, [32, 16, 10], activation="sigmoid", seed=0)
def w4():
    for x, t in zip(drows, dlabels):
        net.zero_grad()
        losses.cross_entropy(net(x), t).backward()
'''

# One process's measurements, printed as JSON: run with the checkout to time as the current folder.
CHILD = r'''
import gc, json, random, statistics, sys, time
sys.path.insert(0, ".")
engine = sys.argv[1]
''' + DATA + r'''
def median(step, calls=7):
    step()  # warm: neither engine pays for what the previous one left behind
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return statistics.median(times)

if engine == "micrograd":
    sys.path.insert(0, sys.argv[2])
    import bench
    from micrograd.engine import Value
    from micrograd.nn import MLP
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    w1 = bench.micrograd_w1(model, rows, ys)
    sys.setrecursionlimit(100_000)
    def w2():
        bench.chain(Value, 10_000).backward()
    random.seed(0)
    layers, params = bench.micrograd_mlp([64, 32, 16, 10])
    w4 = bench.micrograd_w4(layers, params, drows, dlabels)
else:
''' + textwrap.indent(DUALGRAD, "    ") + r'''
result = {}
for collector in ("on", "paused"):
    gc.collect()
    if collector == "paused":
        gc.disable()
    for name, step in (("W1", w1), ("W2", w2), ("W4", w4)):
        result[f"{name}, gc {collector}"] = median(step)
    gc.enable()
print(json.dumps(result))
'''


def run(engine: str, folder: Path) -> dict[str, float]:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONPATH", None)  # the folder's own autograd and nn, not an installed copy
    done = subprocess.run([sys.executable, "-c", CHILD, engine, str(HERE / "benchmarks")], cwd=folder, env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{engine} in {folder} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def unpack(commit: str, into: Path) -> None:
    archive = into / "commit.tar"
    with archive.open("wb") as out:
        subprocess.run(["git", "archive", commit], cwd=HERE, stdout=out, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into / "tree", filter="data")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("commit", help="the earlier commit to compare with (a hash, tag or branch)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of three processes (default 5)")
    args = parser.parse_args()
    ratios: dict[str, dict[str, list[float]]] = {"commit": {}, "now": {}}
    with tempfile.TemporaryDirectory() as folder:
        unpack(args.commit, Path(folder))
        for round_ in range(args.rounds):
            theirs = run("micrograd", HERE)
            times = {"commit": run("dualgrad", Path(folder) / "tree"), "now": run("dualgrad", HERE)}
            for who, measured in times.items():
                for key, seconds in measured.items():
                    ratios[who].setdefault(key, []).append(theirs[key] / seconds)
            print(f"round {round_ + 1} of {args.rounds} done", file=sys.stderr)
    print(f"| workload | speed-up over micrograd at {args.commit} | now | kept |")
    print("|---|---|---|---|")
    for key in ratios["now"]:
        before, now = statistics.median(ratios["commit"][key]), statistics.median(ratios["now"][key])
        print(f"| {key} | {before:.1f}x | {now:.1f}x | {100 * now / before:.0f}% |")


if __name__ == "__main__":
    main()
