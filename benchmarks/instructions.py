"""The dynamic engine's work, this checkout against an earlier commit, counted in CPU instructions.

    python3 benchmarks/instructions.py 95aee13            # W1, W2 and W4, the collector paused and on
    python3 benchmarks/instructions.py 95aee13 --workloads W2

Wall-clock ratios on a shared machine swing by 10-20% between runs; valgrind's callgrind counts the instructions a
process executes, the same on every run (hash seed fixed). Each workload runs in a fresh process under callgrind
for 2 steps and for 8; the difference over 6 is one step's work, import and warm-up cancelled out. The table gives
the commit's count as a share of this checkout's: 100% means the same work, below it this checkout does more.
Instructions are not time (a cache miss costs more than an add), so read it beside ``against_commit.py``. Needs
valgrind (Debian's package). Nothing here is a test.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from against_commit import DATA, DUALGRAD, HERE, unpack

# One workload (against_commit's), run for a number of steps: argv = checkout folder, workload, steps, on/paused.
CHILD = r'''
import gc, sys
sys.path.insert(0, sys.argv[1])
which, steps = sys.argv[2], int(sys.argv[3])
(gc.enable if sys.argv[4] == "on" else gc.disable)()
''' + DATA + DUALGRAD + r'''
step = {"W1": w1, "W2": w2, "W4": w4}[which]
for _ in range(steps):
    step()
'''


def count(folder: Path, workload: str, steps: int, collector: str) -> int:
    """The instructions one process executes running ``workload`` for ``steps`` steps from ``folder``."""
    env = dict(os.environ, PYTHONHASHSEED="0", OPENBLAS_NUM_THREADS="1", PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONPATH", None)
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c",
                           CHILD, str(folder), workload, str(steps), collector],
                          env=env, capture_output=True, text=True, check=False)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"{workload} in {folder} failed:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def per_step(folder: Path, workload: str, collector: str) -> float:
    return (count(folder, workload, 8, collector) - count(folder, workload, 2, collector)) / 6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("commit", help="the earlier commit to compare with (a hash, tag or branch)")
    parser.add_argument("--workloads", nargs="+", default=["W1", "W2", "W4"], choices=["W1", "W2", "W4"])
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed: apt-get install valgrind")
    print("| workload | instructions per step at the commit | now | the commit's as a share of now |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder, ThreadPoolExecutor(2) as pool:  # the two trees side by side
        unpack(args.commit, Path(folder))
        for collector in ("paused", "on"):
            for workload in args.workloads:
                trees = [Path(folder) / "tree", HERE]
                before, now = pool.map(per_step, trees, [workload] * 2, [collector] * 2)
                print(f"| {workload}, gc {collector} | {before / 1e6:.0f} M | {now / 1e6:.0f} M | "
                      f"{100 * before / now:.0f}% |", flush=True)


if __name__ == "__main__":
    main()
