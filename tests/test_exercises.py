"""Exercises: generated formulas keep their promises, the engine's own answers score 100%, a single wrong cell
marks only itself, each kind of hint comes from the slip it names, and the homework network matches the
engine's gradients and a numpy computation of the lecture's matrix formulas."""

import math
import os
import subprocess
import sys

import numpy as np
import pytest

import autograd
from autograd import Value, grad
from autograd.exercises import KINDS, LEVELS, exercise, generate, network_exercise
from autograd.exercises.cells import ATOL, RTOL
from autograd.rule import CONSTANT
from nn.cli.words import lecture_example

LECTURE = "x1*x2 + exp(x1*x2) - sin(x2)"
MODES = ("primal", "tangent", "adjoint")
SEEDS = range(200)


def lecture_graph() -> Value:
    """The lecture's f in the lecture's order: v3 = v1 v2, v4 = sin(v2), v5 = exp(v3), v6 = v3 - v4, v7 = v5 + v6."""
    return lecture_example(1.5, 0.5)


def sheets(ex):
    """(mode, wrt) of every table of a formula exercise: one tangent table per input."""
    return [("primal", None), ("adjoint", None)] + [("tangent", e.expression) for e in ex.trace.inputs]


def some_exercises():
    yield exercise(LECTURE, x1=1.5, x2=0.5)
    yield exercise(lecture_graph())
    for level in LEVELS:
        for seed in range(4):
            yield exercise(seed=seed, level=level)


def is_tenths(x: float) -> bool:
    return abs(x * 10 - round(x * 10)) < 1e-9


# ---- generated formulas -------------------------------------------------------------------------------

@pytest.mark.parametrize("level", sorted(LEVELS))
def test_the_same_seed_gives_the_same_exercise(level):
    for seed in range(10):
        assert generate(seed, level) == generate(seed, level)
        a, b = exercise(seed=seed, level=level), exercise(seed=seed, level=level)
        assert a.title == b.title and a.solution() == b.solution()
    assert len({generate(seed, level)[0] for seed in range(20)}) >= 15  # seeds do choose different formulas


def test_the_same_seed_gives_the_same_formula_in_another_process():
    code = "from autograd.exercises import generate; print([generate(s, l) for l in (1, 2, 3) for s in (0, 7)])"
    env = {**os.environ, "PYTHONHASHSEED": "123"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert out.strip() == str([generate(s, lv) for lv in (1, 2, 3) for s in (0, 7)])


@pytest.mark.parametrize("level", sorted(LEVELS))
def test_200_seeds_keep_the_promise(level):
    spec = LEVELS[level]
    for seed in SEEDS:
        text, point = generate(seed, level)
        t = exercise(seed=seed, level=level).trace
        ops = [e.node for e in t.entries if e.kind == "op"]
        where = f"level {level}, seed {seed}: {text} at {point}"
        assert spec.operations[0] <= len(ops) <= spec.operations[1], where
        # numbers for a pocket calculator: one decimal in the inputs and the constants, a whole exponent
        assert all(is_tenths(x) and 0.2 <= abs(x) <= 2.0 for x in point.values()), where
        assert all(is_tenths(n.data) for n in t.nodes if n.rule is CONSTANT), where
        assert all(p == int(p) for n in ops for p in n.rule.values), where
        for n in ops:  # inside the domain: the rule itself computes the same value, far from every kink
            xs = [p.data for p in n.parents]
            assert math.isclose(n.rule.value(*xs), n.data, rel_tol=1e-12, abs_tol=1e-12), where
            assert all(abs(x - k) >= 0.1 for x in xs for k in n.rule.kinks), where
            assert math.isfinite(n.data) and abs(n.data) <= 30, where
            assert all(math.isfinite(p) and abs(p) <= 10 for p in n.partials), where
        derivatives = [r.adjoint for r in t.reverse_table().rows]
        derivatives += [r.tangent for e in t.inputs for r in t.forward_table(wrt=e.node).rows]
        assert all(math.isfinite(d) and abs(d) <= 100 for d in derivatives), where
        names = [n.rule.name for n in ops]
        calls = [name for name in names if name not in spec.binary]
        assert spec.calls[0] <= len(calls) <= spec.calls[1], where
        if level == 1:
            assert set(names) - set(calls) <= {"add", "sub", "mul"} and len(calls) == 1, where
        if spec.shared:
            assert any(sum(p is n for m in ops for p in m.parents) >= 2 for n in ops), where
        if spec.constant:
            assert any(n.rule is CONSTANT for n in t.nodes), where
        assert [e.expression for e in t.inputs] == sorted(point), where  # x1, x2, ... in the trace's order


# ---- checking -----------------------------------------------------------------------------------------

def test_the_engines_own_answers_score_100_percent():
    for ex in some_exercises():
        for mode, wrt in sheets(ex):
            solution = ex.solution(mode, wrt)
            for answers in (solution, list(solution.values())):
                result = ex.check(answers, mode=mode, wrt=wrt)
                assert result.score == 1.0 and not result.wrong and not result.missing, (ex.title, mode, wrt)
            assert all(ex.reveal(name, wrt) == value for name, value in solution.items())


def test_the_lecture_example_in_the_lecture_order_has_the_lecture_tables():
    ex = exercise(lecture_graph())
    e = math.exp(0.75)
    # the lecture's adjoint trace: v3_bar = v5_bar v5 + v6_bar, v2_bar = v3_bar v1 + v4_bar cos(v2), by hand
    expected = {"v7_bar": 1, "v6_bar": 1, "v5_bar": 1, "v4_bar": -1, "v3_bar": e + 1,
                "v2_bar": (e + 1) * 1.5 - math.cos(0.5), "v1_bar": (e + 1) * 0.5}
    assert ex.solution("adjoint") == pytest.approx(expected, rel=1e-12)
    table = str(ex.table("adjoint", formulas=True))
    for line in ("v3 = v1 * v2", "v4 = sin(v2)", "v3_bar = v5_bar v5 + v6_bar", "v2_bar = v3_bar v1 + v4_bar cos(v2)"):
        assert line in table
    assert str(ex.table("adjoint")).count("____") == 7 and "2.117" in str(ex.table("adjoint"))  # v5 is given
    tangent = ex.solution("tangent", wrt="x1")
    assert tangent["v7'"] == pytest.approx(0.5 + 0.5 * e, rel=1e-12) and tangent["v1'"] == 1 and tangent["v2'"] == 0
    assert "<table>" in ex.table("primal")._repr_html_()
    assert "2.38757" in str(ex.table("primal", solved=True)) and "____" not in str(ex.table("primal", solved=True))


def test_a_graph_is_written_back_as_a_formula_with_the_same_value():
    y = lecture_graph()
    ex = exercise(y)
    assert ex.text == "exp(x1 * x2) + ((x1 * x2) - sin(x2))"
    for level in LEVELS:
        for seed in range(20):
            text, point = generate(seed, level)
            again = exercise(exercise(seed=seed, level=level).trace.output)
            assert autograd.parse(again.text)(*point.values()) == pytest.approx(autograd.parse(text)(*point.values()))


def test_checking_never_touches_the_students_graph():
    y = lecture_graph()
    y.backward()
    nodes = autograd.topological_order(y)
    before = [n.grad for n in nodes]
    ex = exercise(y)
    for mode, wrt in sheets(ex):
        ex.check({name: value + 1 for name, value in ex.solution(mode, wrt).items()}, mode=mode, wrt=wrt)
        ex.table(mode, wrt, solved=True)
    assert [n.grad for n in nodes] == before


def perturbed(value: float) -> float:
    """A wrong number, far outside the tolerance."""
    return value + 1.0 + 0.5 * abs(value)


def worked(ex, mode, wrt, edit):
    """Every cell of the table worked out the way a student does, from the student's own earlier numbers,
    by the lecture's recurrences (written here again, apart from the exercise's cells); ``edit(name, number)``
    is what the student writes for a cell. None if a number leaves a function's domain."""
    t = ex.trace
    entries = t.entries
    if mode == "primal":
        values = {}
        for e in entries:
            if e.kind == "input":
                values[e.node] = e.node.data
                continue
            xs = [p.data if p.rule is CONSTANT else values[p] for p in e.node.parents]
            try:
                values[e.node] = edit(e.name, e.node.rule.value(*xs))
            except (ArithmeticError, ValueError):
                return None
        return {e.name: values[e.node] for e in entries if e.kind == "op"}
    if mode == "tangent":
        seed = ex.wrt(wrt)
        tangents = {}
        for e in entries:
            tangents[e.node] = edit(f"{e.name}'", float(e.node is seed) if e.kind == "input" else math.fsum(
                d * tangents[p] for p, d in zip(e.node.parents, e.node.partials) if p.rule is not CONSTANT))
        return {f"{e.name}'": tangents[e.node] for e in entries}
    adjoints = {n: 0.0 for n in t.nodes}
    adjoints[t.output] = 1.0
    for e in reversed(entries):
        adjoints[e.node] = edit(f"{e.name}_bar", adjoints[e.node])
        for p, d in zip(e.node.parents, e.node.partials):
            adjoints[p] += adjoints[e.node] * d
    return {f"{e.name}_bar": adjoints[e.node] for e in entries}


def test_a_student_who_keeps_three_digits_throughout_is_right():
    for ex in some_exercises():
        for mode, wrt in sheets(ex):
            answers = worked(ex, mode, wrt, lambda name, v: float(f"{v:.3g}"))
            result = ex.check(answers, mode=mode, wrt=wrt)
            assert result.score == 1.0, (ex.title, mode, wrt, str(result))


def test_a_single_wrong_cell_marks_only_itself():
    for ex in some_exercises():
        for mode, wrt in sheets(ex):
            solution = ex.solution(mode, wrt)
            for name, value in solution.items():
                wrong = perturbed(value)
                alone = ex.check({**solution, name: wrong}, mode=mode, wrt=wrt)
                assert alone.wrong == [name], (ex.title, mode, wrt, name, alone)
                for digits in (17, 3):  # worked out exactly, or by a student who keeps three digits
                    carried = worked(ex, mode, wrt, lambda n, v, name=name, wrong=wrong, digits=digits:
                                     wrong if n == name else float(f"{v:.{digits}g}"))
                    if carried is None:
                        continue
                    assert carried[name] == wrong
                    # the later cells worked out from the wrong number: right, and named as following from it
                    result = ex.check(carried, mode=mode, wrt=wrt)
                    assert result.wrong == [name], (ex.title, mode, wrt, name, digits, str(result))
                    assert result.score == pytest.approx(1 - 1 / len(solution))
                    assert result.kinds[name] in KINDS and result.hints[name]


def test_a_missing_cell_is_missing_and_later_cells_are_still_checked():
    ex = exercise(LECTURE, x1=1.5, x2=0.5)
    solution = ex.solution()
    result = ex.check({name: value for name, value in solution.items() if name != "v3_bar"})
    assert result.missing == ["v3_bar"] and not result.wrong and result.score == pytest.approx(6 / 7)
    result = ex.check([1.0, None, 1.0])
    assert result.right == ["v7_bar", "v5_bar"] and result.missing == ["v6_bar", "v4_bar", "v3_bar", "v2_bar",
                                                                       "v1_bar"]


def test_three_significant_digits_are_enough_and_one_is_not():
    for ex in [*some_exercises(), network_exercise(seed=2)]:
        for mode, wrt in sheets(ex) if hasattr(ex, "trace") else [("all", None)]:
            solution = ex.solution(mode, wrt)
            rounded = {name: float(f"{v:.3g}") for name, v in solution.items()}
            for name in [name for name in rounded if name.startswith("W_new")]:
                # W has one decimal, alpha dW three digits: the new weight is written with every digit
                rounded[name] = ex.givens[name.replace("_new", "")] - ex.learning_rate * rounded[name.replace("W_new",
                                                                                                              "dW")]
            three = ex.check(rounded, mode=mode, wrt=wrt)
            assert three.score == 1.0, (ex.title, mode, str(three))
            one = ex.check({name: float(f"{v:.1g}") for name, v in solution.items()}, mode=mode, wrt=wrt)
            assert one.score < 1.0 or all(f"{v:.1g}" == f"{v:.6g}" for v in solution.values())
    assert RTOL == 0.005 and ATOL < 1e-5


# ---- hints --------------------------------------------------------------------------------------------

def lecture_check(mode, **changes):
    ex = exercise(lecture_graph())
    result = ex.check({**ex.solution(mode), **changes}, mode=mode)
    return ex, result


def answer_texts(value: float) -> list[str]:
    return [f"{value:{spec}}" for spec in (".6g", ".4g", ".3g", ".4f", ".3f")]


def assert_hint(ex, result, cell, kind, mode, wrt=None):
    assert result.wrong == [cell] and result.kinds[cell] == kind, str(result)
    exact = ex.solution(mode, wrt)[cell]
    if abs(exact) >= 0.1 and len(f"{abs(exact):g}") > 3:  # a number that cannot be part of a rule's formula
        assert not any(text in result.hints[cell] for text in answer_texts(exact)), result.hints[cell]
    assert f"{cell} = " in str(result) and result.hints[cell] in str(result)


E = math.exp(0.75)
V3_BAR = E + 1  # the lecture's v3_bar = v5_bar v5 + v6_bar


def test_hint_seed():
    ex, result = lecture_check("adjoint", v7_bar=0.0)
    assert_hint(ex, result, "v7_bar", "seed", "adjoint")
    ex, result = lecture_check("tangent", **{"v2'": 1.0})
    assert_hint(ex, result, "v2'", "seed", "tangent")
    assert "x1" in result.hints["v2'"]


def test_hint_rule_names_the_operation():
    ex, result = lecture_check("primal", v3=7.0)
    assert_hint(ex, result, "v3", "rule", "primal")
    assert "v3 = v1 * v2" in result.hints["v3"]
    ex, result = lecture_check("tangent", **{"v5'": 7.0})
    assert_hint(ex, result, "v5'", "rule", "tangent")
    assert "exp" in result.hints["v5'"] and "d exp(x) = exp(x)" in result.hints["v5'"]


def test_hint_children_names_every_use():
    ex, result = lecture_check("adjoint", v3_bar=7.0)
    assert_hint(ex, result, "v3_bar", "children", "adjoint")
    assert "v5 = exp(v3)" in result.hints["v3_bar"] and "v6 = v3 - v4" in result.hints["v3_bar"]


def test_hint_sign_slip():
    ex, result = lecture_check("adjoint", v4_bar=1.0)  # v6 = v3 - v4 passes -v6_bar to v4
    assert_hint(ex, result, "v4_bar", "sign", "adjoint")
    ex, result = lecture_check("adjoint", v2_bar=V3_BAR * 1.5 + math.cos(0.5))  # one path's sign only
    assert_hint(ex, result, "v2_bar", "sign", "adjoint")
    assert "v4 = sin(v2)" in result.hints["v2_bar"]


def test_hint_missing_path():
    ex, result = lecture_check("adjoint", v3_bar=E)  # only the path through v5 = exp(v3)
    assert_hint(ex, result, "v3_bar", "missing_path", "adjoint")
    assert "v6 = v3 - v4" in result.hints["v3_bar"]
    ex, result = lecture_check("tangent", **{"v3'": 0.0})  # d/dx1 of v1 v2: the v2 v1' term left out
    assert_hint(ex, result, "v3'", "missing_path", "tangent")


def test_hint_wrong_partial():
    ex, result = lecture_check("adjoint", v2_bar=V3_BAR * 1.5 - math.sin(0.5))  # sin where cos belongs
    assert_hint(ex, result, "v2_bar", "partial", "adjoint")
    assert "d sin(x) = cos(x)" in result.hints["v2_bar"]
    ex, result = lecture_check("adjoint", v1_bar=V3_BAR * 1.5)  # d(v1 v2)/dv1 taken as v1
    assert_hint(ex, result, "v1_bar", "partial", "adjoint")


def test_hint_degrees():
    ex, result = lecture_check("primal", v4=math.sin(math.radians(0.5)))
    assert_hint(ex, result, "v4", "degrees", "primal")
    assert "radians" in result.hints["v4"]


def test_hint_carried_from_another_cell():
    ex, result = lecture_check("primal", v4=math.sin(0.75))  # sin of v3's number where v2 belongs
    assert_hint(ex, result, "v4", "carried", "primal")
    assert "v3 = 0.75" in result.hints["v4"] and "v2" in result.hints["v4"]
    ex, result = lecture_check("adjoint", v1_bar=-1.0 * 0.5)  # v4_bar's number (-1) where v3_bar belongs
    assert_hint(ex, result, "v1_bar", "carried", "adjoint")


def test_hint_rounding():
    ex, result = lecture_check("adjoint", v3_bar=V3_BAR * 1.02)
    assert_hint(ex, result, "v3_bar", "rounding", "adjoint")


def test_hint_domain_when_an_earlier_wrong_number_leaves_it():
    ex = exercise("log(x1 - x2) * x2", x1=2.0, x2=0.5)
    result = ex.check({"v3": -1.5, "v4": 0.2, "v5": 0.1})
    assert result.kinds == {"v3": "sign", "v4": "domain"} and "log" in result.hints["v4"]
    assert result.right == ["v5"]  # 0.2 * 0.5: it follows from the student's v4
    assert result.follows == {"v4": ["v5"]} and "v5 follows from your number" in str(result)


def test_every_hint_kind_is_covered_by_a_test():
    tested = {"seed", "rule", "children", "sign", "missing_path", "partial", "degrees", "carried", "rounding", "domain"}
    assert tested == set(KINDS)


# ---- mistakes in the call -----------------------------------------------------------------------------

def test_errors_name_what_to_change():
    ex = exercise(LECTURE, x1=1.5, x2=0.5)
    with pytest.raises(ValueError, match="v9_bar: not a blank of this exercise"):
        ex.check({"v9_bar": 1.0})
    with pytest.raises(ValueError, match="mix cells of several tables"):
        ex.check({"v3": 0.75, "v3_bar": 3.1})
    with pytest.raises(ValueError, match="v3: not a blank of the adjoint table"):
        ex.check({"v3": 0.75}, mode="adjoint")
    with pytest.raises(ValueError, match="8 answers for the 7 blanks"):
        ex.check([1.0] * 8)
    with pytest.raises(TypeError, match="v7_bar needs a real number, got str"):
        ex.check({"v7_bar": "1"})
    with pytest.raises(ValueError, match="v7_bar needs a finite number"):
        ex.check({"v7_bar": math.nan})
    with pytest.raises(ValueError, match="mode must be one of primal, tangent, adjoint"):
        ex.blanks("backward")
    with pytest.raises(ValueError, match="wrt='x3' is not an input of this formula; its inputs are v1 \\(x1\\)"):
        ex.blanks("tangent", wrt="x3")
    with pytest.raises(TypeError, match="seed="):
        exercise()
    with pytest.raises(TypeError, match="without a formula"):
        exercise(LECTURE, seed=1, x1=1.0, x2=2.0)
    with pytest.raises(ValueError, match="level must be one of 1, 2, 3"):
        exercise(seed=1, level=4)
    with pytest.raises(ValueError, match="missing a value for x2"):
        exercise(LECTURE, x1=1.0)
    with pytest.raises(ValueError, match="no operation"):
        exercise("x", x=1.0)
    with pytest.raises(ValueError, match="sizes are at least two"):
        network_exercise(sizes=(2,))
    with pytest.raises(ValueError, match="network exercise has none"):
        network_exercise().blanks("forward", wrt="x_1")


# ---- the homework network ------------------------------------------------------------------------------

def numpy_step(ex):
    """The lecture's matrix form: z = a W, a = sigmoid(z), delta^[L] = (a - y) * sigma', delta^[l] =
    (delta^[l+1] W^[l+1]^T) * sigma', dLoss/dW^[l] = a^[l-1]^T delta^[l], W <- W - alpha dW."""
    a, zs, acts = np.array(ex.x), [], [np.array(ex.x)]
    weights = [np.array(w) for w in ex.weights]
    for w in weights:
        z = a @ w
        a = 1 / (1 + np.exp(-z))
        zs.append(z)
        acts.append(a)
    y = np.array(ex.y)
    deltas = [None] * len(weights)
    deltas[-1] = (a - y) * a * (1 - a)
    for layer in range(len(weights) - 2, -1, -1):
        deltas[layer] = (deltas[layer + 1] @ weights[layer + 1].T) * acts[layer + 1] * (1 - acts[layer + 1])
    grads = [np.outer(acts[layer], deltas[layer]) for layer in range(len(weights))]
    cells = {"Loss": 0.5 * np.sum((a - y) ** 2)}
    for layer, (z, act, d, g, w) in enumerate(zip(zs, acts[1:], deltas, grads, weights), 1):
        for j in range(len(z)):
            cells[f"z[{layer}]_{j + 1}"], cells[f"a[{layer}]_{j + 1}"] = z[j], act[j]
            cells[f"delta[{layer}]_{j + 1}"] = d[j]
        for (i, j), value in np.ndenumerate(g):
            cells[f"dW[{layer}]_{i + 1},{j + 1}"] = value
            cells[f"W_new[{layer}]_{i + 1},{j + 1}"] = w[i, j] - ex.learning_rate * value
    return cells


def engine_gradients(ex):
    """dLoss/dW of every weight from autograd.grad, by name."""
    shapes = [np.array(w).shape for w in ex.weights]
    names = [f"dW[{layer}]_{i + 1},{j + 1}" for layer, (n_in, n_out) in enumerate(shapes, 1)
             for i in range(n_in) for j in range(n_out)]

    def loss(*flat):
        it, signal = iter(flat), list(ex.x)
        for n_in, n_out in shapes:
            w = [[next(it) for _ in range(n_out)] for _ in range(n_in)]
            signal = [sum((signal[i] * w[i][j] for i in range(n_in)), 0.0).sigmoid() for j in range(n_out)]
        return 0.5 * sum(((a - t) ** 2 for a, t in zip(signal, ex.y)), 0.0)

    flat = [w for layer in ex.weights for row in layer for w in row]
    return dict(zip(names, grad(loss)(*flat)))


@pytest.mark.parametrize("sizes, seed", [((2, 3, 2), 0), ((2, 3, 2), 7), ((3, 4, 3, 2), 1), ((2, 2, 1), 5)])
def test_the_network_answers_are_the_engines_gradients_and_numpys(sizes, seed):
    ex = network_exercise(sizes, seed=seed)
    solution = ex.solution()
    by_numpy = numpy_step(ex)
    assert set(solution) == set(by_numpy)
    for name, value in solution.items():
        assert value == pytest.approx(by_numpy[name], rel=1e-12, abs=1e-15), name
    for name, value in engine_gradients(ex).items():
        assert solution[name] == pytest.approx(value, rel=1e-12, abs=1e-15), name
    assert ex.check(solution).score == 1.0
    assert all(is_tenths(v) for v in ex.givens.values()) and set(ex.y) <= {0.0, 1.0}
    assert network_exercise(sizes, seed=seed).givens == ex.givens


def propagate(ex, name, wrong):
    """Every cell of the network worked out again by numpy_step's formulas, with ``name`` set to ``wrong``."""
    cells = dict(ex.solution())
    cells[name] = wrong
    order = list(cells)
    v = {**ex.givens, **cells}
    sig = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    n, last = ex.sizes, len(ex.sizes) - 1
    a = lambda layer, i: v[f"x_{i + 1}"] if layer == 0 else v[f"a[{layer}]_{i + 1}"]  # noqa: E731
    for cell in order[order.index(name) + 1:]:
        kind, _, rest = cell.partition("[")
        layer = int(rest.split("]")[0]) if rest else 0
        index = [int(k) - 1 for k in rest.split("_", 1)[1].split(",")] if rest else []
        if cell == "Loss":
            v[cell] = 0.5 * sum((a(last, k) - ex.y[k]) ** 2 for k in range(n[last]))
        elif kind == "z":
            v[cell] = sum(a(layer - 1, i) * v[f"W[{layer}]_{i + 1},{index[0] + 1}"] for i in range(n[layer - 1]))
        elif kind == "a":
            v[cell] = sig(v[f"z[{layer}]_{index[0] + 1}"])
        elif kind == "delta":
            s = a(layer, index[0])
            back = (s - ex.y[index[0]]) if layer == last else sum(
                v[f"delta[{layer + 1}]_{k + 1}"] * v[f"W[{layer + 1}]_{index[0] + 1},{k + 1}"]
                for k in range(n[layer + 1]))
            v[cell] = back * s * (1 - s)
        elif kind == "dW":
            v[cell] = a(layer - 1, index[0]) * v[f"delta[{layer}]_{index[1] + 1}"]
        else:
            v[cell] = v[f"W[{layer}]_{index[0] + 1},{index[1] + 1}"] - ex.learning_rate * v[f"dW{cell[5:]}"]
    return {cell: v[cell] for cell in order}


def test_a_single_wrong_network_cell_marks_only_itself():
    ex = network_exercise(seed=3)
    solution = ex.solution()
    for name, value in solution.items():
        wrong = perturbed(value)
        assert ex.check({**solution, name: wrong}).wrong == [name], name
        result = ex.check(propagate(ex, name, wrong))
        assert result.wrong == [name], (name, str(result))


def test_network_hints():
    ex = network_exercise(seed=0)
    s = ex.solution()
    out, t = s["a[2]_1"], ex.y[0]

    cases = [  # (cell, the slip, its kind, a word of its hint)
        ("delta[2]_1", (t - out) * out * (1 - out), "sign", "sign"),
        ("delta[2]_1", out * (1 - out), "partial", "slide"),  # the slide's delta[L] = sigma'(z[L])
        ("delta[2]_1", out - t, "partial", "a (1 - a)"),
        ("delta[2]_1", (out - t) * s["z[2]_1"] * (1 - s["z[2]_1"]), "partial", "uses the output"),
        ("delta[1]_1", s["delta[2]_1"] * ex.weights[1][0][0] * s["a[1]_1"] * (1 - s["a[1]_1"]), "missing_path",
         "delta[2]_2"),
        ("z[1]_2", ex.x[0] * ex.weights[0][0][1], "missing_path", "x_2"),
        ("Loss", 2 * s["Loss"], "rule", "1/2"),
        ("dW[2]_1,1", s["z[1]_1"] * s["delta[2]_1"], "carried", "z[1]_1"),  # z where a belongs
        ("W_new[1]_1,1", ex.weights[0][0][0] + 0.5 * s["dW[1]_1,1"], "sign", "against the gradient"),
        ("W_new[1]_1,1", ex.weights[0][0][0] - s["dW[1]_1,1"], "rule", "learning rate"),
        ("a[1]_1", 1 / (1 + math.exp(s["z[1]_1"])), "sign", "exp(-z[1]_1)"),
    ]
    for cell, slip, kind, word in cases:
        result = ex.check({**s, cell: slip})
        assert result.wrong == [cell] and result.kinds[cell] == kind and word in result.hints[cell], (cell, str(result))
        assert not any(text in result.hints[cell] for text in answer_texts(s[cell]))
