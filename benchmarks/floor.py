"""How fast a scalar graph of each shape can be in CPython: issue 15's W1 and W4 on a bare engine, beside
micrograd and dualgrad, all with the cyclic garbage collector paused.

Run from the repository root:  python3 benchmarks/floor.py [--repeats N]   (needs micrograd; about 2 minutes)

The bare engine keeps what the graph protocol needs (a node has data, grad, parents, partials and a creation
count; one breadth-first walk sorted by creation; one reverse sweep ``parent.grad += out_bar * partial``) and
nothing else: no rule table, no checks for NaN, overflow or stale graphs, no labels, no kinds of operand.
Each node's numbers are computed in line. So its time is a floor for its graph shape: what dualgrad could reach
if everything that makes it a library cost nothing. Three shapes of neuron:

- ``dot + add + act``: dualgrad's graph (one n-ary dot node, the bias sum, the activation: 3 nodes);
- ``affine + act``: the lecture's z = w . a + b as one node, then a = act(z) (2 nodes);
- ``neuron``: act(w . a + b) as one node (1 node), the partials scaled by act'(z).

The losses are dualgrad's shapes: hinge (per example a mul, a sub, a relu; one sum; a mean) plus the L2 penalty
as one dot node; softmax cross entropy as one n-ary log-sum-exp node. The same weights, inputs and update.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from collections.abc import Callable
from itertools import count
from operator import attrgetter, mul
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench  # noqa: E402  (micrograd, the timing loop, the digits)

from nn import MLP, data, losses  # noqa: E402

ONE, ZERO, ONE_ONE = (1.0,), (0.0,), (1.0, 1.0)


class Node:
    """The bare node: the graph protocol's fields and nothing more."""

    __slots__ = ("data", "grad", "parents", "partials", "serial")
    data: float
    grad: float
    parents: tuple[Node, ...]
    partials: tuple[float, ...]
    serial: int


_new, _serial, _by_serial = object.__new__, count(1), attrgetter("serial")


def node(x: float, parents: tuple[Node, ...] = (), partials: tuple[float, ...] = ()) -> Node:
    n = _new(Node)
    n.data = x
    n.grad = 0.0
    n.parents = parents
    n.partials = partials
    n.serial = next(_serial)
    return n


def backward(root: Node) -> None:
    """The walk (breadth first, zeroing, sorted by creation) and the sweep, as autograd.backprop does them."""
    order, seen = [root], {root}
    for n in order:
        n.grad = 0.0
        for p in n.parents:
            if p.parents and p not in seen:
                seen.add(p)
                order.append(p)
    order.sort(key=_by_serial)
    root.grad = 1.0
    for n in reversed(order):
        g = n.grad
        if g:
            parents = n.parents
            if len(parents) == 1:
                parents[0].grad += g * n.partials[0]
            else:
                for p, d in zip(parents, n.partials):
                    p.grad += g * d


# ---- the activations: (value, derivative) from z ----------------------------------------------------

def relu(z: float) -> tuple[float, tuple[float, ...]]:
    return (z, ONE) if z > 0 else (0.0, ZERO)


def sigmoid(z: float) -> tuple[float, tuple[float, ...]]:
    s = 1.0 / (1.0 + math.exp(-z))
    return s, (s * (1.0 - s),)


def identity(z: float) -> tuple[float, tuple[float, ...]]:
    return z, ONE


def activate(z: Node, act: Callable[..., Any]) -> Node:
    """The activation's node on ``z`` (none for the output layer's identity, as dualgrad makes none)."""
    if act is identity:
        return z
    a, partial = act(z.data)
    return node(a, (z,), partial)


# ---- the three neuron shapes: (weights, bias, inputs, their numbers, activation) -> output node ---------

def dot_add_act(w: list[Node], b: Node, x: list[Node], xd: list[float], act: Callable[..., Any]) -> Node:
    xs = [v.data for v in w]
    xs += xd
    n = len(w)
    d = node(sum(map(mul, xs, xs[n:]), 0.0), (*w, *x), tuple(xs[n:] + xs[:n]))
    z = node(d.data + b.data, (d, b), ONE_ONE)
    return activate(z, act)


def affine_act(w: list[Node], b: Node, x: list[Node], xd: list[float], act: Callable[..., Any]) -> Node:
    xs = [v.data for v in w]
    xs += xd
    n = len(w)
    z = node(sum(map(mul, xs, xs[n:]), 0.0) + b.data, (*w, *x, b), (*xs[n:], *xs[:n], 1.0))
    return activate(z, act)


def one_node(w: list[Node], b: Node, x: list[Node], xd: list[float], act: Callable[..., Any]) -> Node:
    xs = [v.data for v in w]
    xs += xd
    n = len(w)
    a, (slope,) = act(sum(map(mul, xs, xs[n:]), 0.0) + b.data)
    if slope == 1.0:
        partials = (*xs[n:], *xs[:n], 1.0)
    elif slope == 0.0:  # a relu at rest: every partial 0
        partials = (0.0,) * (len(xs) + 1)
    else:
        scaled = [slope * v for v in xs]
        partials = (*scaled[n:], *scaled[:n], slope)
    return node(a, (*w, *x, b), partials)


SHAPES = {"dot + add + act": dot_add_act, "affine + act": affine_act, "neuron": one_node}


class Bare:
    """An MLP on the bare engine with the weights of a dualgrad MLP."""

    def __init__(self, model: MLP, shape: Callable[..., Node], hidden: Callable[..., Any]) -> None:
        self.shape = shape
        self.layers = [([(([node(w.data) for w in n.w]), node(n.b.data)) for n in layer.neurons],
                        hidden if k < len(model.layers) - 1 else identity) for k, layer in enumerate(model.layers)]
        self.params = [p for neurons, _ in self.layers for w, b in neurons for p in [*w, b]]

    def __call__(self, row: list[float]) -> list[Node]:
        x = [node(v) for v in row]
        for neurons, act in self.layers:
            xd = [v.data for v in x]
            x = [self.shape(w, b, x, xd, act) for w, b in neurons]
        return x


def bare_hinge(scores: list[Node], ys: list[float], params: list[Node], alpha: float) -> Node:
    relus = []
    for s, y in zip(scores, ys):
        m = node(y * s.data, (node(y), s), (s.data, y))
        one = node(1.0)
        d = node(1.0 - m.data, (one, m), (1.0, -1.0))
        r, partial = relu(d.data)
        relus.append(node(r, (d,), partial))
    total = node(sum([r.data for r in relus], 0.0), tuple(relus), ONE * len(relus))
    scale = 1.0 / len(relus)
    mean = node(total.data * scale, (total, node(scale)), (scale, total.data))
    xs = [p.data for p in params]
    squares = node(sum(map(mul, xs, xs), 0.0), (*params, *params), (*xs, *xs))
    penalty = node(squares.data * alpha, (squares, node(alpha)), (alpha, squares.data))
    return node(mean.data + penalty.data, (mean, penalty), ONE_ONE)


def bare_cross_entropy(logits: list[Node], target: int) -> Node:
    zs = [z.data for z in logits]
    top = max(zs)
    lse = top + math.log(sum([math.exp(z - top) for z in zs]))
    return node(lse - zs[target], (*logits, logits[target]), (*[math.exp(z - lse) for z in zs], -1.0))


def agree(loss: float, bare_loss: float, grads: list[float], bare_grads: list[float]) -> None:
    worst = max(abs(a - b) / max(1.0, abs(a)) for a, b in zip([loss, *grads], [bare_loss, *bare_grads]))
    if len(grads) != len(bare_grads) or worst > 1e-12:
        raise AssertionError(f"the bare engine differs from dualgrad by {worst:.3g}: it would not be the same work")


def steps(repeats: int) -> dict[str, dict[str, float]]:
    X, y01 = data.moons(100, noise=0.1, seed=1)
    rows, ys = X.tolist(), (2 * y01 - 1).astype(float).tolist()
    random.seed(1337)
    theirs = bench.MMLP(2, [16, 16, 1])
    ours = MLP(2, [16, 16, 1], seed=0)
    params = ours.parameters()

    def dualgrad_w1() -> None:
        total = losses.hinge([ours(row) for row in rows], ys) + losses.l2_penalty(params, 1e-4)
        ours.zero_grad()
        total.backward()
        for p in params:
            p.data -= 0.01 * p.grad

    def bare_w1(model: Bare) -> Callable[[], None]:
        def step() -> None:
            total = bare_hinge([model(row)[0] for row in rows], ys, model.params, 1e-4)
            for p in model.params:
                p.grad = 0.0
            backward(total)
            for p in model.params:
                p.data -= 0.01 * p.grad
        return step

    total = losses.hinge([ours(row) for row in rows], ys) + losses.l2_penalty(params, 1e-4)
    total.backward()
    for shape in SHAPES.values():  # the same numbers and gradients as dualgrad, before anything is timed
        bare = Bare(ours, shape, relu)
        bare_total = bare_hinge([bare(row)[0] for row in rows], ys, bare.params, 1e-4)
        backward(bare_total)
        agree(total.data, bare_total.data, [p.grad for p in params], [p.grad for p in bare.params])
    ours.zero_grad()
    w1 = {"micrograd": bench.micrograd_w1(theirs, rows, ys), "dualgrad": dualgrad_w1}
    w1.update({f"bare, {name}": bare_w1(Bare(ours, shape, relu)) for name, shape in SHAPES.items()})

    Xd, yd = bench.digits()
    drows, labels = Xd[:30].tolist(), yd[:30].tolist()
    random.seed(0)
    layers, mparams = bench.micrograd_mlp([64, 32, 16, 10])
    net = MLP(64, [32, 16, 10], activation="sigmoid", seed=0)

    def dualgrad_w4() -> None:
        for x, t in zip(drows, labels):
            net.zero_grad()
            losses.cross_entropy(net(x), t).backward()

    def bare_w4(model: Bare) -> Callable[[], None]:
        def samples() -> None:
            for x, t in zip(drows, labels):
                for p in model.params:
                    p.grad = 0.0
                backward(bare_cross_entropy(model(x), t))
        return samples

    loss = losses.cross_entropy(net(drows[0]), labels[0])
    loss.backward()
    for shape in SHAPES.values():
        bare = Bare(net, shape, sigmoid)
        bare_loss = bare_cross_entropy(bare(drows[0]), labels[0])
        backward(bare_loss)
        agree(loss.data, bare_loss.data, [p.grad for p in net.parameters()], [p.grad for p in bare.params])
    net.zero_grad()
    w4 = {"micrograd": bench.micrograd_w4(layers, mparams, drows, labels), "dualgrad": dualgrad_w4}
    w4.update({f"bare, {name}": bare_w4(Bare(net, shape, sigmoid)) for name, shape in SHAPES.items()})
    return {"W1 step": bench.paired(w1, repeats, collector=False),
            "W4 per sample": {k: t / len(drows) for k, t in bench.paired(w4, repeats, collector=False).items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="samples per engine (the median is shown)")
    args = parser.parse_args()
    print("| workload, gc paused | engine | time | micrograd / it | dualgrad / it |\n|---|---|---|---|---|")
    for workload, times in steps(args.repeats).items():
        for engine, t in times.items():
            print(f"| {workload} | {engine} | {t * 1e3:.3f} ms | {times['micrograd'] / t:.1f}x | "
                  f"{times['dualgrad'] / t:.2f}x |")


if __name__ == "__main__":
    main()
