"""The compiled batched path: the same numbers as the dynamic engine, summed over the lanes; refusals.

The oracle is the dynamic engine itself: one ``backward()`` per example, gradients added up. Timings
live in benchmarks/, not here.
"""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograd import RULES, Rule, Value, apply, summation
from autograd.compiled import NotCompilable, TracedLoss, compile_graph, compile_loss
from autograd.strategies import expressions, inputs
from nn import MLP, losses


def dynamic(fn, rows, params=()):
    """Per-example outputs and input gradients, and the parameter gradients summed over examples."""
    for p in params:
        p.grad = 0.0
    outs, dxs = [], []
    for row in rows:
        xs = [Value(float(v)) for v in row]
        out = fn(*xs)
        out.backward()
        outs.append(out.data)
        dxs.append([x.grad for x in xs])
    return np.array(outs), np.array(dxs), np.array([p.grad for p in params])


def compiled(graph, rows, params=()):
    for p in params:
        p.grad = 0.0
    out, dx = graph.value_and_grad(rows)
    return out, dx, np.array([p.grad for p in params])


def assert_close(a, b, rel=1e-9):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = max(1.0, float(np.max(np.abs(b), initial=0.0)))
    assert a.shape == b.shape
    assert np.max(np.abs(a - b), initial=0.0) <= rel * scale, (a, b)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(expressions(max_vars=3), st.lists(inputs(3), min_size=2, max_size=4))
def test_random_graphs_give_the_dynamic_gradients_summed_over_lanes(e, others):
    # the first variable is a parameter (a leaf shared by every lane), the others are lane inputs
    p = Value(e.point[0], label="p")

    def fn(*xs):
        return e(p, *xs)

    rows = [list(e.point[1:])] + [list(o[1:e.n_vars]) for o in others]
    good = []
    for row in rows:  # keep the lanes the dynamic engine can evaluate (a few overflow)
        try:
            value = float(e(e.point[0], *row))
        except (ArithmeticError, ValueError):
            continue
        if abs(value) < 1e6:
            good.append(row)
    rows = np.array(good).reshape(len(good), e.n_vars - 1)
    if e.n_vars == 1:
        rows = np.zeros((1, 0))
    graph = compile_graph(fn, rows[:1])
    assert_close(compiled(graph, rows, [p])[0], dynamic(fn, rows, [p])[0])
    for got, expected in zip(compiled(graph, rows, [p]), dynamic(fn, rows, [p])):
        assert_close(got, expected)


def test_a_batch_of_one_gives_the_dynamic_numbers_bit_for_bit_with_correctly_rounded_rules():
    w = [Value(0.7), Value(-0.4)]

    def fn(a, b):  # + - * / sqrt relu abs: IEEE rounds each exactly once, in numpy as in Python
        h = (w[0] * a - w[1] * b).relu() + abs(b)
        return (h * h + 1.0).sqrt() / (1.0 + b * b) - w[0] * w[1] * a

    x0 = [0.3, -1.2]
    graph = compile_graph(fn, [x0, [1.0, 2.0]])
    out, dx, dw = compiled(graph, [x0], w)
    want_out, want_dx, want_dw = dynamic(fn, [x0], w)
    assert out.tolist() == want_out.tolist()
    assert dx.tolist() == want_dx.tolist()
    assert dw.tolist() == want_dw.tolist()


def test_a_batch_of_one_gives_the_dynamic_numbers():
    x0 = [0.3, -1.2]
    w = [Value(0.7), Value(-0.4)]

    def fn(a, b):
        h = (w[0] * a + w[1] * b).tanh()
        return (h * h + a.exp() / (1.0 + b * b)).log()

    graph = compile_graph(fn, [x0, [1.0, 2.0]])
    out, dx, dw = compiled(graph, [x0], w)
    want_out, want_dx, want_dw = dynamic(fn, [x0], w)
    # numpy's exp/log/tanh may round differently from libm's by an ulp: equal to 1e-14, not bit for bit
    assert_close(out, want_out, 1e-14)
    assert_close(dx, want_dx, 1e-14)
    assert_close(dw, want_dw, 1e-14)


@pytest.mark.parametrize("activation,loss", [("sigmoid", "cross_entropy"), ("tanh", "mse"), ("relu", "mse")])
def test_mlp_loss_gradients_equal_the_dynamic_engine(activation, loss):
    rng = np.random.default_rng(3)
    model = MLP(5, [7, 6, 3], activation=activation, seed=1)
    params = model.parameters()
    X = rng.normal(size=(9, 5))
    labels = rng.integers(0, 3, size=9)
    T = labels if loss == "cross_entropy" else rng.normal(size=(9, 3))
    loss_fn = losses.cross_entropy if loss == "cross_entropy" else losses.mse
    c = compile_loss(model, loss_fn, X, T)
    model.zero_grad()
    mean = c.value_and_grad(X, T)
    got = np.array([p.grad for p in params])
    model.zero_grad()
    terms = [loss_fn(model(row), t) for row, t in zip(X.tolist(), T.tolist())]
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    (total * (1 / 9)).backward()
    assert mean == pytest.approx(total.data / 9, rel=1e-12)
    assert_close(got, [p.grad for p in params])
    assert c.graph.n_steps < 40  # layers became matrix products, not one step per neuron


TRACED_CASES = [  # (loss, one example's outputs, its target as a call takes it, its target row)
    (losses.mse, [0.3, -2.0], [0.5, 1.0], [0.5, 1.0]),
    (losses.half_sum_squares, [0.3, -2.0], [0.5, 1.0], [0.5, 1.0]),
    (losses.binary_cross_entropy, [0.8], [1.0], [1.0]),
    (losses.binary_cross_entropy, [0.3], [0.25], [0.25]),
    (losses.binary_cross_entropy_with_logits, [0.8], [0.0], [0.0]),
    (losses.hinge, [0.8], [-1.0], [-1.0]),
    (losses.cross_entropy, [0.3, -2.0, 1.1], 2, [0.0, 0.0, 1.0]),
    (losses.cross_entropy, [0.3, -2.0, 1.1], [0.2, 0.3, 0.5], [0.2, 0.3, 0.5]),
]


@pytest.mark.parametrize("loss,outputs,target,row", TRACED_CASES)
def test_each_losss_traced_form_equals_its_call_on_one_example(loss, outputs, target, row):
    # the compiled path's form (targets as Values, nothing read) against the loss called as a function
    assert isinstance(loss, TracedLoss)
    zs, ts = [Value(z) for z in outputs], [Value(t) for t in row]
    traced = loss.traced(zs, ts)
    traced.backward()
    zs_call = [Value(z) for z in outputs]
    called = loss(zs_call, target)
    called.backward()
    assert traced.data == pytest.approx(called.data, rel=1e-14)
    assert [z.grad for z in zs] == pytest.approx([z.grad for z in zs_call], rel=1e-14)
    assert loss.target_rows([target], len(outputs)).tolist() == [row]


def test_parameters_are_read_afresh_and_gradients_accumulate():
    w = Value(2.0)
    graph = compile_graph(lambda x: w * x * x, [[1.0], [2.0]])
    assert graph.forward([[3.0]]).tolist() == [18.0]
    w.data = -1.0
    assert graph.forward([[3.0], [1.0]]).tolist() == [-9.0, -1.0]
    graph.value_and_grad([[3.0], [1.0]])
    graph.value_and_grad([[3.0], [1.0]])
    assert w.grad == 2 * (9.0 + 1.0)  # leaves accumulate, as with backward()


def test_a_zero_adjoint_does_not_turn_an_infinite_partial_into_nan():
    graph = compile_graph(lambda x: x.sqrt() * 0.0 + x, [[4.0], [1.0]])
    out, dx = graph.value_and_grad([[0.0], [4.0]])  # sqrt'(0) = inf, but nothing flows through it
    x = Value(0.0)
    y = x.sqrt() * 0.0 + x
    y.backward()
    assert dx.tolist() == [[x.grad], [1.0]] == [[1.0], [1.0]]


def test_a_rule_without_numpy_functions_runs_element_by_element():
    ramp = Rule("ramp", 1, lambda x: x * x if x > 0 else 0.0, lambda out, x: (2 * x if x > 0 else 0.0,), "2x or 0")
    graph = compile_graph(lambda x: apply(ramp, x) + x, [[1.5], [-1.0]])
    out, dx = graph.value_and_grad([[1.5], [-1.0], [3.0]])
    assert out.tolist() == [3.75, -1.0, 12.0]
    assert dx[:, 0].tolist() == [4.0, 1.0, 7.0]


# ---- refusals -------------------------------------------------------------------------------------------

def test_a_python_branch_on_a_comparison_is_refused():
    def fn(x):
        return x * 2 if x > 0 else -x

    with pytest.raises(NotCompilable, match=r"comparison \(>\) of the node 'x1' was read while tracing at .*test_"):
        compile_graph(fn, [[1.0], [-1.0]])
    with pytest.raises(NotCompilable, match="comparison"):
        compile_graph(lambda x, y: max(x, y), [[1.0, 2.0]])
    assert (Value(1.0) > 0) is True  # plain Values compare as ever


def test_comparisons_of_parameters_alone_compile():
    w, b = Value(-2.0), Value(0.5)
    graph = compile_graph(lambda x: x * (w if w > 0 else -w) + max(w, b), [[1.0]])  # no lane in w > 0
    assert graph.forward([[3.0], [-1.0]]).tolist() == [6.5, -1.5]


def test_a_graph_whose_shape_or_constants_depend_on_the_data_is_refused():
    # one trace, no sampling: any read of a lane's number is refused, whichever rows are given
    with pytest.raises(NotCompilable, match=r"\.data of the node 'x1'"):
        compile_graph(lambda x: x.exp() if x.data > 0 else x.sin(), [[1.0], [1.0]])
    with pytest.raises(NotCompilable, match=r"\.data"):
        compile_graph(lambda x: sum([x] * int(abs(x.data))) * x, [[2.0], [2.0]])
    with pytest.raises(NotCompilable, match="new Value leaf"):
        compile_graph(lambda x: x * Value(2.0), [[2.0], [5.0]])
    with pytest.raises(NotCompilable, match=r"\.data"):
        compile_graph(lambda x: x * x.data, [[2.0], [3.0]])
    with pytest.raises(NotCompilable, match=r"\.data"):  # issue 10's reproducer: it replayed [1.0] for [[7]]
        compile_graph(lambda x: x.data, [[1], [1], [5], [1]])
    for read in (float, int, bool, round, math.exp, lambda v: f"{v:.2f}", np.asarray, lambda v: v < 0):
        with pytest.raises(NotCompilable, match="was read while tracing"):
            compile_graph(lambda x, read=read: x * read(x), [[2.0]])


def test_cross_entropy_reads_no_logit_so_it_compiles():
    # its log-sum-exp is one node (no max(logits) taken as a number), so the dynamic call itself compiles
    model = MLP(2, [3], seed=0)
    params = model.parameters()

    def fn(a, b):
        return losses.cross_entropy(model([a, b]), 0)

    rows = [[0.1, 0.2], [-3.0, 4.0], [200.0, -300.0]]
    graph = compile_graph(fn, rows)
    for got, expected in zip(compiled(graph, rows, params), dynamic(fn, rows, params)):
        assert_close(got, expected, 1e-13)


@pytest.mark.parametrize("fn,rows,error,words", [
    (lambda x: x.log(), [[1.0], [-2.0]], ValueError, r"example 1 of the batch: log.*-2\.0"),
    (lambda x: (x * 1000.0).exp(), [[0.1], [0.2], [1.0]], OverflowError, "example 2 of the batch: exp"),
    (lambda x: 1.0 / x, [[2.0], [0.0]], ZeroDivisionError, "example 1 of the batch: truediv"),
    (lambda x: x ** 0.5, [[4.0], [-1.0]], ValueError, "example 1 of the batch: pow"),
    (lambda x: x * 1e300 * 1e10, [[1.0], [1e-15]], OverflowError, "example 0 of the batch: mul.*overflows"),
])
def test_a_domain_error_in_a_lane_names_the_example_and_the_operation(fn, rows, error, words):
    graph = compile_graph(fn, [[1e-20]])
    with pytest.raises(error, match=words):
        graph.forward(rows)


def test_bad_batches_are_value_errors_naming_the_shape_or_the_example():
    graph = compile_graph(lambda x, y: x * y, [[1.0, 2.0]])
    with pytest.raises(ValueError, match=r"shape \(examples, 2\).*\(3,\)"):
        graph.forward([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="example 1 .* not finite"):
        graph.forward([[1.0, 2.0], [math.nan, 1.0]])
    with pytest.raises(TypeError, match="str"):
        compile_graph(lambda x: "no", [[1.0]])
    with pytest.raises(ValueError, match="one output"):
        compile_graph(lambda x: [x, x * 2], [[1.0]]).value_and_grad([[1.0]])


def test_compile_loss_knows_no_names_and_asks_the_loss_for_its_targets():
    model = MLP(2, [3], seed=0)
    with pytest.raises(TypeError, match=r"not a name \('cross_entropy'\).*nn.losses.cross_entropy"):
        compile_loss(model, "cross_entropy", [[0.0, 1.0]], [0])
    with pytest.raises(TypeError, match="TracedLoss or a function"):
        compile_loss(model, 3, [[0.0, 1.0]], [0])
    with pytest.raises(ValueError, match=r"cross_entropy: targets\[0\] is 3, out of range for 3 classes"):
        compile_loss(model, losses.cross_entropy, [[0.0, 1.0]], [3])
    with pytest.raises(TypeError, match="must return a Value.*got float"):
        compile_loss(model, lambda out, t: 1.0, [[0.0, 1.0]], [[0.0, 0.0, 1.0]])
    assert RULES["dot"].name == "dot"


@pytest.mark.parametrize("loss,outputs,activation", [("cross_entropy", 3, "sigmoid"), ("hinge", 1, "relu"),
                                                     ("bce_logits", 1, "tanh"), ("mse", 2, "tanh"),
                                                     ("bce", 1, "elu")])
def test_fit_compiled_follows_the_same_path_as_the_dynamic_fit(loss, outputs, activation):
    from nn.train import fit

    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 3))
    y = {"cross_entropy": rng.integers(0, 3, 24), "hinge": rng.choice([-1.0, 1.0], 24),
         "bce_logits": rng.integers(0, 2, 24), "mse": rng.normal(size=(24, 2)), "bce": rng.integers(0, 2, 24)}[loss]
    runs = []
    for compiled_ in (False, True):
        model = MLP(3, [5, outputs], activation=activation, output_activation="sigmoid" if loss == "bce" else None,
                    seed=2)
        history = fit(model, X, y, loss=loss, optimizer="adam", epochs=3, batch_size=8, l2=1e-3, progress=False,
                      compiled=compiled_)
        runs.append((history["loss"], [p.data for p in model.parameters()]))
    assert_close(runs[1][0], runs[0][0])
    assert_close(runs[1][1], runs[0][1])


@pytest.mark.parametrize("loss", [
    losses.binary_cross_entropy_with_logits,  # a loss object, as fit's loss=
    lambda out, t: losses.binary_cross_entropy_with_logits(out, t) + 0.1 * out * out,  # a function that calls one
    lambda out, t: (out - t) ** 2 + abs(out),
], ids=["object", "function calling a loss", "function"])
def test_fit_compiled_accepts_every_loss_the_dynamic_fit_does(loss):
    from nn.train import fit

    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(20, 2)), rng.integers(0, 2, 20)
    runs = []
    for compiled_ in (False, True):
        model = MLP(2, [4, 1], activation="tanh", seed=3)
        history = fit(model, X, y, loss=loss, optimizer="adam", lr=0.05, epochs=3, batch_size=6, progress=False,
                      compiled=compiled_, validation=(X[:5], y[:5]))
        runs.append((history["loss"] + history["val_loss"], [p.data for p in model.parameters()]))
    assert_close(runs[1][0], runs[0][0], 1e-12)
    assert_close(runs[1][1], runs[0][1], 1e-12)


def test_fit_compiled_with_a_custom_loss_and_a_refused_one():
    from nn.train import fit

    X, y = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), np.array([1.0, 1.0, 0.0])
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    history = fit(model, X, y, loss=lambda out, t: (out - t) ** 2, epochs=2, progress=False, compiled=True)
    assert len(history["loss"]) == 2
    with pytest.raises(NotCompilable, match="comparison"):
        fit(model, X, y, loss=lambda out, t: out if out > t else -out, epochs=1, progress=False, compiled=True)


def test_layers_with_shared_weights_and_repeated_inputs_scatter_every_contribution():
    from autograd import dot

    w = [Value(0.5), Value(-1.5), Value(2.0)]

    def fn(a, b):
        layer = [dot([w[0], w[1], w[0]], [a, b, a]), dot([w[2], w[2], w[1]], [a, b, a])]  # weights reused
        again = [dot([w[0], w[1]], [h, h]) for h in layer]  # an input read twice by each node
        return (again[0] * again[1]).tanh() + dot(layer, layer)

    rows = [[0.3, -0.2], [1.0, 0.5], [-0.7, 0.1]]
    graph = compile_graph(fn, rows)
    assert any(step.dense for step in graph.steps)
    for got, expected in zip(compiled(graph, rows, w), dynamic(fn, rows, w)):
        assert_close(got, expected)


def test_outputs_that_are_inputs_or_constants():
    graph = compile_graph(lambda x, y: [x, 2.0, x * y], [[1.0, 2.0]])
    assert graph.forward([[3.0, 4.0]]).tolist() == [[3.0, 2.0, 12.0]]
    out, dx = compile_graph(lambda x: x, [[1.0]]).value_and_grad([[5.0], [6.0]])
    assert out.tolist() == [5.0, 6.0] and dx.tolist() == [[1.0], [1.0]]


def test_the_dynamic_fast_paths_store_exactly_the_rule_tables_partials():
    # the replay evaluates the table's array_partials: Value's unrolled operators must agree with the table
    from autograd import RULES

    UNARY_METHODS = [m for r in RULES.values() if r.arity == 1 and not r.params for m in r.methods if "__" not in m]
    a, b = Value(0.6), Value(-1.7)
    nodes = [a + b, a - b, a * b, 2 + a, 2 - a, 2 * a, a + 2, a - 2.5, a * 3, a / b, 1 / a, a ** 3, a ** b.abs()]
    nodes += [getattr(a, method)() for method in UNARY_METHODS]
    nodes += [getattr(b, method)() for method in UNARY_METHODS if method not in ("log", "sqrt")]
    for node in nodes:
        xs = [p.data for p in node.parents]
        assert node.partials == node.rule.partials(node.data, *xs), node.rule
        assert node.data == node.rule.value(*xs)


# ---- issue 10: the compiled path is never silently wrong -------------------------------------------------

def _rows_with_positive_first_feature(n=6):
    X = np.array([[1.0, 0.5], [2.0, -1.0], [-1.0, 0.3], [-2.0, 0.7], [-0.5, 0.1], [3.0, -0.2]])[:n]
    return X, np.array([1.0, 0.0, 1.0, 0.0, 1.0, 0.0])[:n]


def test_fit_compiled_refuses_a_model_that_branches_on_a_feature():
    # issue 10's reproducer: the rows 0, 1 and the last have x[0] > 0; sampling them would have traced one branch
    from nn import Module
    from nn.train import fit

    class Branching(Module):
        def __init__(self):
            self.w = Value(0.5, label="w")

        def __call__(self, x):
            x = [v if isinstance(v, Value) else Value(v) for v in x]  # the dynamic fit passes floats
            z = self.w * x[1]
            return z if x[0].data > 0 else 3 * z

        def parameters(self):
            return [self.w]

    X, y = _rows_with_positive_first_feature()
    model = Branching()
    dynamic_history = fit(model, X, y, loss="mse", epochs=1, progress=False, shuffle=False)
    assert math.isfinite(dynamic_history["loss"][0])  # the dynamic fit takes each row's own branch
    with pytest.raises(NotCompilable, match=r"epoch 1, step 1: \.data of the node 'x1' was read while tracing at "
                                            r".*test_compiled\.py"):
        fit(Branching(), X, y, loss="mse", epochs=1, progress=False, compiled=True)


def test_compile_graph_refuses_returning_a_lanes_number():
    with pytest.raises(NotCompilable, match=r"\.data of the node 'x1'"):
        compile_graph(lambda x: x.data, [[1], [1], [5], [1]])


def test_comparisons_of_parameters_and_constants_alone_compile_and_follow_them():
    w, b = Value(2.0), Value(-0.5)
    graph = compile_graph(lambda x: x * (w if w > 0 else -w) + max(w, b) + (1.0 if b < 0 else 0.0), [[1.0]])
    assert graph.forward([[1.0], [-2.0]]).tolist() == [2.0 + 2.0 + 1.0, -4.0 + 2.0 + 1.0]


def test_another_threads_reads_and_comparisons_are_not_refused_while_one_thread_compiles():
    import threading

    tracing, read = threading.Event(), threading.Event()
    seen = {}

    def fn(x):  # holds the trace open until the other thread has done its reads
        tracing.set()
        assert read.wait(10)
        return x * 2

    def other():
        assert tracing.wait(10)
        try:
            v = Value(1.5)
            seen["results"] = (v < 2, float(v), v.data, int(v.data), max(v, Value(0.5)) is v, v >= 1.5)
            from autograd.compiled import is_tracing
            seen["tracing"] = is_tracing()
        except Exception as error:  # pragma: no cover - the failure this test looks for
            seen["error"] = error
        finally:
            read.set()

    thread = threading.Thread(target=other)
    thread.start()
    graph = compile_graph(fn, [[1.0]])
    thread.join()
    assert "error" not in seen, seen
    assert seen["results"] == (True, 1.5, 1.5, 1, True, True) and seen["tracing"] is False
    assert graph.forward([[4.0]]).tolist() == [8.0]


# Points at and beside the edges: zero (both signs), the kinks, the smallest subnormal, numbers whose
# reciprocal or square overflows, the ends of [0, 1]
EDGES = [0.0, -0.0, 5e-324, -5e-324, 1e-300, -1e-300, 1e-160, 1e-10, -1e-10, 0.5, 1.0, -1.0, 1.0 - 1e-16,
         20.0, -20.0, 40.0, -40.0, 700.0, -700.0, 1e10, -1e10, 1e200]


def _unary_rules():
    found = []
    for rule in RULES.values():
        if rule.arity != 1:
            continue
        if rule.params:
            grid = [p.examples or (p.default,) for p in rule.params]
            found += [rule.bind(*values) for values in zip(*grid)]
        else:
            found.append(rule)
    return found + [RULES["power"].bind(0.0), RULES["power"].bind(1.0)]


UNARY = _unary_rules()


def _dynamic_at(rule, x):
    v = Value(x)
    out = apply(rule, v)
    out.backward()
    return out.data, v.grad


def _compiled_at(rule, x):
    w = Value(1.0)  # a parameter, so the gradient also reaches .grad through a uniform column
    graph = compile_graph(lambda a: apply(rule, a * w), [[1.0 if rule.name in ("log",) else 0.5]])
    out, dx = graph.value_and_grad([[x]])
    return float(out[0]), float(dx[0, 0]), w.grad


@settings(max_examples=120, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(UNARY), st.sampled_from(EDGES) | st.floats(-50, 50))
def test_compiled_and_dynamic_agree_at_zero_and_at_the_domain_edges(rule, x):
    try:
        want_out, want_grad = _dynamic_at(rule, x)
    except (ArithmeticError, ValueError):  # refused by the dynamic engine: refused by the replay too
        with pytest.raises((ArithmeticError, ValueError)):
            _compiled_at(rule, x)
        return
    try:
        out, grad, w_grad = _compiled_at(rule, x)
    except NotCompilable:  # the rule's numpy form cannot replay the traced example (none of the built-ins)
        raise
    except (ArithmeticError, ValueError) as error:
        pytest.fail(f"{rule.title} at {x!r}: the dynamic engine gives {want_out!r}, {want_grad!r}; the replay "
                    f"raised {error!r}")
    assert out == pytest.approx(want_out, rel=1e-12, abs=1e-300), (rule.title, x)
    # numpy's tanh may round the output an ulp away from math.tanh's; a partial written from the output (tanh's
    # 1 - out^2, 1.4e-14 at x = 16.6) carries that ulp as an absolute error: a few ulps of the output are allowed
    ulps = 8 * 2.2e-16 * max(1.0, abs(want_out))
    assert grad == pytest.approx(want_grad, rel=1e-12, abs=max(1e-300, ulps)), (rule.title, x)
    assert w_grad == pytest.approx(want_grad * x, rel=1e-12, abs=max(1e-300, ulps * abs(x))), (rule.title, x)


@pytest.mark.parametrize("fn,x,grad", [
    (lambda x: x ** 0, 0.0, 0.0),  # issue 10: the replay gave NaN; d x^0 = 0 everywhere, as the dynamic engine
    (lambda x: x ** 1, 0.0, 1.0),
    (lambda x: x.relu(), 0.0, 0.0),  # PyTorch's conventions at the kinks
    (lambda x: abs(x), 0.0, 0.0),
    (lambda x: x.hardtanh(), 1.0, 0.0),
    (lambda x: x.sqrt(), 1e-300, 0.5 / 1e-150),
    (lambda x: x.log(), 1e-300, 1e300),
    (lambda x: (x.sqrt() * 0.0), 4.0, 0.0),
])
def test_compiled_gradients_at_kinks_and_edges_equal_the_dynamic_ones(fn, x, grad):
    v = Value(x)
    fn(v).backward()
    assert v.grad == pytest.approx(grad, rel=1e-15)
    _, dx = compile_graph(fn, [[1.0]]).value_and_grad([[x]])
    assert dx[0, 0] == pytest.approx(grad, rel=1e-15)


@pytest.mark.parametrize("outputs,y,kwargs,error,words", [
    (1, [0.0, 1.0, 1.0], {"loss": "mse", "l2": -1}, ValueError, r"l2 must be >= 0"),
    (1, [0.0, 1.0, 1.0], {"loss": "bce"}, ValueError, r"probability"),  # raw (linear) outputs are not probabilities
    (2, [[1.0, 1.0], [0.0, 1.0], [1.0, 0.0]], {"loss": "cross_entropy"}, ValueError, r"summing to 1"),
    (1, [0.0, 1.0, 1.0], {"loss": lambda out, t: 1.0}, TypeError, r"must return a Value.*float"),
    (1, [0.0, 1e200, 1.0], {"loss": "mse"}, ArithmeticError, r"epoch 1, step 1"),
], ids=["l2=-1", "bce on raw outputs", "one-hot rows summing to 2", "a loss returning 1.0", "y=1e200"])
def test_fit_compiled_refuses_what_the_dynamic_fit_refuses(outputs, y, kwargs, error, words):
    from nn.train import fit

    X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]])
    kinds = []
    for compiled_ in (False, True):
        model = MLP(2, [3, outputs], seed=0)
        with pytest.raises(error, match=words) as caught:
            fit(model, X, y, progress=False, epochs=1, compiled=compiled_, **kwargs)
        kinds.append(type(caught.value))
    assert kinds[0] is kinds[1]  # the same kind of error from both paths


def test_fit_compiled_with_huge_targets_names_the_step_not_a_bare_overflow():
    from nn.train import TrainingDiverged, fit

    X = np.array([[0.0, 1.0], [1.0, 0.0]])
    with pytest.raises(TrainingDiverged, match=r"training diverged at epoch 1, step 1: .*(pow|mul|overflow)"):
        fit(MLP(2, [3, 1], seed=0), X, [0.0, 1e200], loss="mse", progress=False, epochs=1, compiled=True)


def test_a_non_finite_loss_stops_both_paths_naming_the_epoch_and_step():
    from nn.train import TrainingDiverged, fit

    X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [1.0, 1.0]])
    for compiled_ in (False, True):
        model = MLP(2, [3, 1], seed=0)
        with pytest.raises(TrainingDiverged, match=r"epoch \d+, step \d+"):
            fit(model, X, [0.0, 1.0, 1.0, 0.0], loss="mse", optimizer="sgd", lr=1e154, epochs=5, batch_size=2,
                progress=False, compiled=compiled_)
        assert all(math.isfinite(p.data) for p in model.parameters())  # the Values hold the last finite step


def test_fit_compiled_takes_a_loss_function_with_the_dynamic_numbers():
    from nn.train import fit

    X, y = _rows_with_positive_first_feature()
    runs = []
    for compiled_ in (False, True):
        model = MLP(2, [4, 1], activation="tanh", seed=5)
        history = fit(model, X, y.astype(int), loss=losses.binary_cross_entropy_with_logits, optimizer="sgd",
                      lr=0.2, epochs=3, batch_size=4, progress=False, compiled=compiled_, shuffle=False)
        runs.append((history["loss"], [p.data for p in model.parameters()]))
    assert_close(runs[1][0], runs[0][0], 1e-13)
    assert_close(runs[1][1], runs[0][1], 1e-13)


def test_half_sum_squares_reads_no_target_number_and_agrees_with_the_dynamic_engine():
    from nn.train import fit

    rng = np.random.default_rng(4)
    X, Y = rng.normal(size=(10, 3)), rng.normal(size=(10, 2))
    model = MLP(3, [4, 2], activation="tanh", seed=1)
    params = model.parameters()
    c = compile_loss(model, losses.half_sum_squares, X[:1], Y[:1])  # traced on one row, replayed on ten
    model.zero_grad()
    mean = c.value_and_grad(X, Y)
    got = np.array([p.grad for p in params])
    model.zero_grad()
    total = losses.half_sum_squares
    want = sum(total(model(x.tolist()), t.tolist()).data for x, t in zip(X, Y)) / len(X)
    dynamic_loss = summation([total(model(x.tolist()), t.tolist()) for x, t in zip(X, Y)]) * (1 / len(X))
    dynamic_loss.backward()
    assert mean == pytest.approx(want, rel=1e-13)
    assert_close(got, [p.grad for p in params], 1e-13)
    runs = []
    for compiled_ in (False, True):
        m = MLP(3, [4, 2], activation="tanh", seed=1)
        h = fit(m, X, Y, loss="half_sum_squares", optimizer="adam", epochs=2, batch_size=5, progress=False,
                compiled=compiled_)
        runs.append((h["loss"], [p.data for p in m.parameters()]))
    assert_close(runs[1][0], runs[0][0], 1e-12)
    assert_close(runs[1][1], runs[0][1], 1e-12)



@pytest.mark.parametrize("kind", ["nn.optim subclass with its own step", "an object with step and zero_grad"])
def test_fit_compiled_with_an_optimiser_of_ones_own_goes_through_the_values(kind):
    from nn import optim
    from nn.train import fit

    class Halving(optim.SGD):  # its own step: the array path (Optimizer.update) must not be used
        def step(self):
            for p in self.params:
                p.data -= 0.5 * self.lr * p.grad

    class Plain:
        def __init__(self, params):
            self.params = params

        def zero_grad(self):
            for p in self.params:
                p.grad = 0.0

        def step(self):
            for p in self.params:
                p.data -= 0.05 * p.grad

    X, y = _rows_with_positive_first_feature()
    runs = []
    for compiled_ in (False, True):
        model = MLP(2, [3, 1], activation="tanh", seed=4)
        opt = Halving(model.parameters(), lr=0.1) if kind.startswith("nn.optim") else Plain(model.parameters())
        history = fit(model, X, y, loss="mse", optimizer=opt, epochs=3, batch_size=3, l2=1e-2, progress=False,
                      compiled=compiled_)
        runs.append((history["loss"], [p.data for p in model.parameters()]))
    assert_close(runs[1][0], runs[0][0], 1e-13)
    assert_close(runs[1][1], runs[0][1], 1e-13)
    assert runs[0][1] != [p.data for p in MLP(2, [3, 1], activation="tanh", seed=4).parameters()]  # it trained


@pytest.mark.parametrize("x", [1e-200, 3e-234, 5e-324, -1e-200, 0.0, 0.5, 2.0])
def test_power_and_pow_keep_their_derivative_where_the_power_underflows(x):
    """d x^2 = 2x and d x^y = y x^(y-1) also where x^2 underflows to 0 (c out / x would give 0): dynamic, the
    compiled replay and the closed form agree."""
    v = Value(x)
    (v ** 2).backward()
    _, _, dx = compile_graph(lambda a: a ** 2, [[x]]).gradient([[x]], [], inputs=True)
    assert v.grad == dx[0, 0] == 2 * x
    if x >= 0:
        base, exponent = Value(x), Value(2.5)
        (base ** exponent).backward()
        _, _, d = compile_graph(lambda a, b: a ** b, [[x, 2.5]]).gradient([[x, 2.5]], [], inputs=True)
        assert base.grad == pytest.approx(2.5 * x ** 1.5, rel=1e-15, abs=0.0)
        assert d[0, 0] == pytest.approx(base.grad, rel=1e-15, abs=0.0)
