"""The lecture's homework: a [2-3-2] network with concrete numbers, no bias, sigmoid everywhere, the loss
``Loss = 1/2 sum_k (a[L]_k - y_k)^2`` (the lecture's ``0.5 * np.sum((y_hat - y) ** 2)``); one forward pass,
one backward pass and one gradient-descent update, by hand, in the lecture's notation:

    z[l]_j = sum_i a[l-1]_i W[l]_i,j        a[l]_j = sigmoid(z[l]_j)        (a[0] = x)
    delta[L]_k = (a[L]_k - y_k) a[L]_k (1 - a[L]_k)
    delta[l]_j = (sum_k delta[l+1]_k W[l+1]_j,k) a[l]_j (1 - a[l]_j)
    dW[l]_i,j = a[l-1]_i delta[l]_j         W_new[l]_i,j = W[l]_i,j - alpha dW[l]_i,j

(The lecture's slide writes ``delta[L] = sigma'(z[L])``, leaving out the loss's factor ``a - y``; its code,
``error * sigmoid_deriv``, keeps it, and so does this exercise.) The exact numbers come from the engine:
the network is built of Values here and read through its trace (a delta is the adjoint of its z node).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from typing import Any

from ..functions import dot, summation
from ..tracing import Table, trace
from ..value import Value
from .cells import Cell, Mistake, Term, path_mistakes
from .worksheet import Exercise, Row, Sheet

__all__ = ["NetworkExercise", "network_exercise"]

Numbers = Mapping[str, float]
_FAMILIES = {"x": "signal", "z": "signal", "a": "signal", "W_new": "W"}  # a slip can put z or x where a belongs


def _family(name: str) -> str:
    head = name.split("[")[0] if "[" in name else name.split("_")[0]  # "W_new[1]_1,2" -> "W_new", "x_1" -> "x"
    return _FAMILIES.get(head, head)


def _w(layer: int, i: int, j: int, prefix: str = "W") -> str:
    """``W[1]_2,3``: the weight from neuron i of layer - 1 to neuron j of layer (0-based i, j)."""
    return f"{prefix}[{layer}]_{i + 1},{j + 1}"


def _a(layer: int, i: int) -> str:
    """``a[1]_2``; a[0] is the input, ``x_2``."""
    return f"x_{i + 1}" if layer == 0 else f"a[{layer}]_{i + 1}"


def _numbers(xs: Sequence[float]) -> str:
    return "[" + ", ".join(format(x, "g") for x in xs) + "]"


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


class NetworkExercise(Exercise):
    """One training step of a small sigmoid network, by hand: tables ``"forward"``, ``"backward"``, ``"update"``
    and ``"all"`` (the default), checked cell by cell as a formula's tables are.

    Attributes:
        sizes: neurons per layer, inputs first.
        x, y: the input and the target; weights: ``weights[l - 1][i][j]`` is W[l]_i,j (0-based i, j).
        learning_rate: alpha.
        givens: every number the table gives (x, y, the weights, alpha), by name.
    """

    modes = ("forward", "backward", "update", "all")
    mode = "all"

    def __init__(self, sizes: Sequence[int], x: Sequence[float], y: Sequence[float],
                 weights: Sequence[Sequence[Sequence[float]]], learning_rate: float, about: str = "") -> None:
        self.sizes, self.x, self.y = tuple(sizes), [float(v) for v in x], [float(v) for v in y]
        self.weights = [[[float(w) for w in row] for row in layer] for layer in weights]
        self.learning_rate = float(learning_rate)
        self.title = (f"a {'-'.join(map(str, sizes))} network, sigmoid, no bias, Loss = 1/2 sum (a - y)^2, "
                      f"alpha = {learning_rate:g}" + (f" ({about})" if about else ""))
        self.givens = {f"x_{i + 1}": v for i, v in enumerate(self.x)}
        self.givens |= {f"y_{k + 1}": v for k, v in enumerate(self.y)}
        self.givens |= {_w(layer, i, j): w for layer, rows in enumerate(self.weights, 1)
                        for i, row in enumerate(rows) for j, w in enumerate(row)}
        self.givens["alpha"] = self.learning_rate
        self._exact = self._engine()
        self._cells = self._make_cells()
        self._known = {**self.givens, **self._exact}

    def sheet(self, mode: str | None = None, wrt: Any = None) -> Sheet:
        mode = mode or self.mode
        if mode not in self.modes:
            raise ValueError(f"mode must be one of {', '.join(self.modes)}, got {mode!r}")
        if wrt is not None:
            raise ValueError("wrt= chooses the input of a formula's tangent table; a network exercise has none")
        cells = tuple(cell for stage, cell in self._cells if mode in (stage, "all"))

        def render(texts: Mapping[str, str], show: bool) -> Table:
            rows = [Row("x", ["x", "given: x_1, x_2, ...", _numbers(self.x)]),
                    Row("y", ["y", "given: y_1, y_2, ...", _numbers(self.y)])]
            rows += [Row(f"W[{layer}]", [f"W[{layer}]", f"given: W[{layer}]_i,j in row i, column j",
                                         "[" + ", ".join(_numbers(row) for row in rows_) + "]"])
                     for layer, rows_ in enumerate(self.weights, 1)]
            rows.append(Row("alpha", ["alpha", "given: the learning rate", format(self.learning_rate, "g")]))
            rows += [Row(c.name, [c.name, c.expression.split(" = ", 1)[1], texts[c.name]]) for c in cells]
            return Table(f"{mode.capitalize()}: {self.title}", ["cell", "formula", "value"], rows,
                         [row.cells for row in rows], [False, False, True])

        return Sheet(mode, cells, self._known, self.givens, _family, render)

    def _engine(self) -> dict[str, float]:
        """Every blank's exact number, from a graph of Values built here and read through its trace."""
        signal = [Value(v, label=f"x_{i + 1}") for i, v in enumerate(self.x)]
        weights = [[[Value(w, label=_w(layer, i, j)) for j, w in enumerate(row)] for i, row in enumerate(rows)]
                   for layer, rows in enumerate(self.weights, 1)]
        zs, outs = [], []
        for rows in weights:
            z = [dot([row[j] for row in rows], signal) for j in range(len(rows[0]))]
            signal = [zj.sigmoid() for zj in z]
            zs.append(z)
            outs.append(signal)
        loss = 0.5 * summation([(a - t) ** 2 for a, t in zip(signal, self.y)])
        t = trace(loss)
        adjoints = {r.name: r.adjoint for r in t.reverse_table().rows}
        exact = {"Loss": loss.data}
        for layer, (z, out, rows) in enumerate(zip(zs, outs, weights), 1):
            for j, (zj, aj) in enumerate(zip(z, out)):
                exact[f"z[{layer}]_{j + 1}"], exact[_a(layer, j)] = zj.data, aj.data
                exact[f"delta[{layer}]_{j + 1}"] = adjoints[t.name(zj)]
            for i, row in enumerate(rows):
                for j, w in enumerate(row):
                    exact[_w(layer, i, j, "dW")] = adjoints[t.name(w)]
                    exact[_w(layer, i, j, "W_new")] = w.data - self.learning_rate * adjoints[t.name(w)]
        return exact

    def _make_cells(self) -> list[tuple[str, Cell]]:
        """The blanks in the order the lecture computes them, each with its stage."""
        n, last = self.sizes, len(self.sizes) - 1
        cells = []
        for layer in range(1, last + 1):
            cells += [("forward", self._z(layer, j)) for j in range(n[layer])]
            cells += [("forward", self._activation(layer, j)) for j in range(n[layer])]
        cells.append(("forward", self._loss()))
        for layer in range(last, 0, -1):
            cells += [("backward", self._delta(layer, j)) for j in range(n[layer])]
            cells += [("backward", self._gradient(layer, i, j)) for i in range(n[layer - 1]) for j in range(n[layer])]
        for layer in range(1, last + 1):
            cells += [("update", self._update(layer, i, j)) for i in range(n[layer - 1]) for j in range(n[layer])]
        return cells

    def _cell(self, name: str, uses: Sequence[str], compute: Any, hint: str, formula: str,
              mistakes: Any = None, terms: Any = None) -> Cell:
        """A blank; ``terms`` (of a sum) set the size its digits are taken of."""

        def size(v: Numbers) -> float:
            return math.fsum(abs(t.amount) for t in terms(v))

        return Cell(name, self._exact[name], tuple(uses), compute, hint, "rule", mistakes or (lambda v: []),
                    f"{name} = {formula}", size if terms else None)

    def _z(self, layer: int, j: int) -> Cell:
        z = f"z[{layer}]_{j + 1}"
        pairs = [(_a(layer - 1, i), _w(layer, i, j)) for i in range(self.sizes[layer - 1])]

        def terms(v: Numbers) -> list[Term]:
            return [Term(v[s] * v[w], f"the term {s} {w}") for s, w in pairs]

        return self._cell(z, [s for s, _ in pairs], lambda v: math.fsum(t.amount for t in terms(v)),
                          f"{z} is the weighted sum of layer {layer - 1}'s outputs, a[{layer - 1}]_i "
                          f"W[{layer}]_i,{j + 1} over i (no bias)", " + ".join(f"{s} {w}" for s, w in pairs),
                          lambda v: path_mistakes(terms(v), f"{z} adds one term per input"), terms)

    def _activation(self, layer: int, j: int) -> Cell:
        z, out = f"z[{layer}]_{j + 1}", _a(layer, j)
        return self._cell(out, [z], lambda v: _sigmoid(v[z]), f"{out} = sigmoid({z}) = 1 / (1 + exp(-{z})), "
                          f"with your {z}", f"sigmoid({z})",
                          lambda v: [Mistake("sign", _sigmoid(-v[z]), f"sigmoid(z) = 1 / (1 + exp(-z)): mind the "
                                                                      f"minus in exp(-{z})")])

    def _loss(self) -> Cell:
        outs = [_a(len(self.sizes) - 1, k) for k in range(self.sizes[-1])]

        def terms(v: Numbers) -> list[Term]:
            return [Term(0.5 * (v[o] - t) ** 2, f"the term of output {k + 1}") for k, (o, t) in
                    enumerate(zip(outs, self.y))]

        def total(v: Numbers) -> float:
            return math.fsum(t.amount for t in terms(v))

        return self._cell("Loss", outs, total, "Loss = 1/2 sum over the outputs of (a - y)^2, with your outputs",
                          "1/2 (" + " + ".join(f"({o} - y_{k + 1})^2" for k, o in enumerate(outs)) + ")",
                          lambda v: path_mistakes(terms(v), "the loss adds one term per output")
                          + [Mistake("rule", 2 * total(v), "the lecture's loss has the factor 1/2")])

    def _delta(self, layer: int, j: int) -> Cell:
        d, out, z = f"delta[{layer}]_{j + 1}", _a(layer, j), f"z[{layer}]_{j + 1}"

        def slips(v: Numbers, factor: float) -> list[Mistake]:
            """delta = factor * a (1 - a), with the sigmoid's derivative left out or taken at z."""
            return [Mistake("partial", factor, f"the sigmoid's derivative a (1 - a) = {out} (1 - {out}) is missing"),
                    Mistake("partial", factor * v[z] * (1 - v[z]), f"sigmoid'(z) = a (1 - a) uses the output {out}, "
                                                                   f"not {z}")]

        if layer == len(self.sizes) - 1:
            target = self.y[j]

            def output_slips(v: Numbers) -> list[Mistake]:
                missing = Mistake("partial", v[out] * (1 - v[out]), f"the loss's derivative ({out} - y_{j + 1}) is "
                                  "missing (the slide's delta[L] = sigma'(z[L]) leaves it out; its code keeps it)")
                return slips(v, v[out] - target) + [missing]

            return self._cell(d, [out], lambda v: (v[out] - target) * v[out] * (1 - v[out]),
                              f"{d} = dLoss/d{z}: (a - y) times the sigmoid's derivative a (1 - a)",
                              f"({out} - y_{j + 1}) {out} (1 - {out})", output_slips)
        pairs = [(f"delta[{layer + 1}]_{k + 1}", _w(layer + 1, j, k)) for k in range(self.sizes[layer + 1])]

        def terms(v: Numbers) -> list[Term]:
            return [Term(v[dk] * v[w] * v[out] * (1 - v[out]), f"the path through {dk}") for dk, w in pairs]

        def hidden_slips(v: Numbers) -> list[Mistake]:
            paths = path_mistakes(terms(v), f"{out} feeds every neuron of layer {layer + 1}")
            return paths + slips(v, math.fsum(v[dk] * v[w] for dk, w in pairs))

        return self._cell(d, [dk for dk, _ in pairs] + [out], lambda v: math.fsum(t.amount for t in terms(v)),
                          f"{d} = (sum over k of delta[{layer + 1}]_k W[{layer + 1}]_{j + 1},k) times a (1 - a) "
                          f"of {out}", f"({' + '.join(f'{dk} {w}' for dk, w in pairs)}) {out} (1 - {out})",
                          hidden_slips, terms)

    def _gradient(self, layer: int, i: int, j: int) -> Cell:
        g, s, d = _w(layer, i, j, "dW"), _a(layer - 1, i), f"delta[{layer}]_{j + 1}"
        return self._cell(g, [s, d], lambda v: v[s] * v[d], f"{g} = dLoss/dW = (the input the weight multiplies) "
                          "x (the delta of the neuron it feeds)", f"{s} {d}")

    def _update(self, layer: int, i: int, j: int) -> Cell:
        new, w, g = _w(layer, i, j, "W_new"), _w(layer, i, j), _w(layer, i, j, "dW")

        def terms(v: Numbers) -> list[Term]:  # the digits of the change count, not those of W (one decimal)
            return [Term(-v["alpha"] * v[g], f"alpha {g}")]

        return self._cell(new, [w, g, "alpha"], lambda v: v[w] - v["alpha"] * v[g],
                          f"{new} = {w} - alpha {g}: one step of gradient descent", f"{w} - alpha {g}",
                          lambda v: [Mistake("sign", v[w] + v["alpha"] * v[g],
                                             "gradient descent steps against the gradient: W - alpha dW"),
                                     Mistake("rule", v[w] - v[g], f"multiply {g} by the learning rate alpha")],
                          terms)


def network_exercise(sizes: Sequence[int] = (2, 3, 2), seed: int = 0, learning_rate: float = 0.5) -> NetworkExercise:
    """The lecture's homework with concrete numbers: inputs and weights with one decimal, targets 0 or 1.

    Args:
        sizes: neurons per layer, inputs first (the lecture's [2-3-2]).
        seed: the same seed gives the same numbers.
        learning_rate: alpha of the update.

    Returns:
        a NetworkExercise: ``.table()``, ``.blanks("forward")``, ``.check(answers)``, ``.solution()``.

    >>> ex = network_exercise(seed=1)
    >>> ex.blanks("forward")
    ['z[1]_1', 'z[1]_2', 'z[1]_3', 'a[1]_1', 'a[1]_2', 'a[1]_3', 'z[2]_1', 'z[2]_2', 'a[2]_1', 'a[2]_2', 'Loss']
    >>> ex.check(ex.solution()).score
    1.0
    """
    sizes = tuple(sizes)
    if len(sizes) < 2 or any(isinstance(s, bool) or not isinstance(s, int) or s < 1 for s in sizes):
        raise ValueError(f"sizes are at least two positive whole numbers of neurons, inputs first; got {sizes!r}")
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float)) or \
            not 0 < learning_rate < math.inf:
        raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}")
    rng = random.Random(f"dualgrad network exercise, {sizes}, seed {seed}")  # a str seed: the same in every run
    tenths = [k / 10 for k in range(-10, 11) if k]
    x = [rng.choice(tenths[10:]) for _ in range(sizes[0])]
    y = [float(rng.randint(0, 1)) for _ in range(sizes[-1])]
    weights = [[[rng.choice(tenths) for _ in range(n_out)] for _ in range(n_in)] for n_in, n_out in
               zip(sizes, sizes[1:])]
    return NetworkExercise(sizes, x, y, weights, float(learning_rate), f"seed {seed}")
