"""One row per primitive: a rule added with ``defrule`` alone reaches every consumer, and so does every built-in.

Each consumer (Value's and Dual's methods and operators, ``autograd.functions``, the formula parser, the trace
tables and step-through, the pictures, the compiled path, the strategies, the command line, the activation
names) has one check below, run for two new rules defined in a fixture (the only edit a new rule needs is its
``defrule`` call) and for every member of every built-in row. The oracle is the row itself: the consumer must
give the row's value and the row's partials, and the row's partials must equal central differences of its value.
"""

from __future__ import annotations

import doctest
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import Phase, find, settings

import autograd
from autograd import Dual, FormulaError, Param, Rule, Value, compile_graph, defrule, forget, parse, to_dot, trace
from autograd import functions as F
from autograd.functions import formula_functions
from autograd.rule import RULES
from autograd.strategies import Expression, expressions, members, regular_points, rules
from autograd.tracing.notation import expression_text
from nn import activations

ROOT = Path(__file__).resolve().parents[1]
TANGENTS = (1.0, 0.5, -0.25, 2.0)  # the tangent of each operand in the Dual checks


def tan_rule() -> Rule:
    return Rule("tan", 1, math.tan, lambda out, x: (1.0 + out * out,), notation=("1 + {out}^2",),
                array_value=np.tan, activation="glorot")


def log_base_rule() -> Rule:
    # a family with a parameter (its default and examples written once) and a domain, and no numpy form
    return Rule("log_base", 1, lambda x, base: math.log(x) / math.log(base),
                lambda out, x, base: (1.0 / (x * math.log(base)),), notation=("1 / ({x} log {base})",),
                params=(Param("base", 10.0, (2.0, 10.0)),), domain=("positive",))


@pytest.fixture
def new_rules():
    """Two rules registered with defrule and nothing else, removed again afterwards."""
    made = [defrule(tan_rule()), defrule(log_base_rule())]
    try:
        yield made
    finally:
        for rule in made:
            forget(rule)


# ---- the row and what every consumer must reproduce ------------------------------------------------------

def row(member: Rule, point: tuple[float, ...]) -> tuple[float, tuple[float, ...]]:
    """The row's value and float partials at ``point``."""
    out = member.compute(*point)
    return out, tuple(float(p) for p in member.partials(out, *point))


def family(member: Rule) -> Rule:
    return member.family or member


def close(a: float, b: float, rel: float = 1e-12) -> bool:
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b))


def assert_reverse(y: Value, xs: list[Value], member: Rule, point: tuple[float, ...], who: str) -> None:
    """``y`` is one node of ``member`` with the row's value, and ``backward()`` gives the row's partials."""
    out, partials = row(member, point)
    assert y.rule is member, f"{who}: made {y.rule}, not {member}"
    assert close(y.data, out), f"{who}: value {y.data} != {out}"
    y.backward()
    for i, (x, p) in enumerate(zip(xs, partials)):
        assert close(x.grad, p), f"{who}: d/dx{i + 1} = {x.grad}, the row says {p}"


def assert_forward(d: Dual, member: Rule, point: tuple[float, ...], who: str) -> None:
    """``d`` carries the row's value and the row times the tangents."""
    out, partials = row(member, point)
    expected = sum(p * t for p, t in zip(partials, TANGENTS))
    assert close(d.primal, out) and close(d.tangent, expected), f"{who}: {d} != ({out}, {expected})"


def inputs(point: tuple[float, ...]) -> list[Value]:
    return [Value(x, label=f"x{i + 1}") for i, x in enumerate(point)]


def duals(point: tuple[float, ...]) -> list[Dual]:
    return [Dual(x, t) for x, t in zip(point, TANGENTS)]


def applied(member: Rule, operands: list[object]) -> object:
    """The member applied through its derived function form (operands, then parameter values)."""
    return F.function(family(member))(*operands, *member.values)


# ---- one check per consumer ------------------------------------------------------------------------------

def check_row(member: Rule, point: tuple[float, ...]) -> None:
    """The row's partials equal central differences of its value (a wrong row fails here first)."""
    out, partials = row(member, point)
    for i, p in enumerate(partials):
        h = 1e-6 * max(1.0, abs(point[i]))
        up, down = list(point), list(point)
        up[i] += h
        down[i] -= h
        numeric = (member.compute(*up) - member.compute(*down)) / (up[i] - down[i])
        assert abs(p - numeric) <= 1e-6 * max(1.0, abs(p)), f"{member.title}: partial {i + 1} {p} != {numeric}"


def check_methods(member: Rule, point: tuple[float, ...]) -> int:
    """Every method name of the row, on Value and on Dual. Returns how many forms were checked."""
    names = family(member).methods
    for name in names:
        xs = inputs(point)
        assert_reverse(getattr(xs[0], name)(*xs[1:], *member.values), xs, member, point, f"Value.{name}")
        ds = duals(point)
        assert_forward(getattr(ds[0], name)(*ds[1:], *member.values), member, point, f"Dual.{name}")
    return len(names)


def check_operators(member: Rule, point: tuple[float, ...]) -> int:
    """A binary rule's operator both ways (``x op y`` and ``number op y``), on Value and on Dual; the power
    family is ``x ** number`` (Operand.__pow__ chooses it by the exponent)."""
    if family(member) is RULES["power"]:
        xs = inputs(point)
        assert_reverse(xs[0] ** member.values[0], xs, member, point, "Value ** number")
        assert_forward(duals(point)[0] ** member.values[0], member, point, "Dual ** number")
        return 1
    if not member.symbol:
        return 0
    forward, reflected = f"__{member.name}__", f"__r{member.name}__"
    xs = inputs(point)
    assert_reverse(getattr(xs[0], forward)(xs[1]), xs, member, point, f"Value {member.symbol} Value")
    y = Value(point[1], label="y")
    made = getattr(y, reflected)(point[0])  # point[0] <op> y: the number is lifted to a constant
    assert made.rule is member and close(made.data, member.compute(*point))
    made.backward()
    assert close(y.grad, row(member, point)[1][1]), f"number {member.symbol} Value: d/dy = {y.grad}"
    ds = duals(point)
    assert_forward(getattr(ds[0], forward)(ds[1]), member, point, f"Dual {member.symbol} Dual")
    return 2


def check_function(member: Rule, point: tuple[float, ...]) -> int:
    """The function form in ``autograd.functions``: on floats, Values and Duals."""
    name = family(member).function
    if not name:
        return 0
    assert name in dir(F) and callable(getattr(F, name)), f"autograd.functions has no {name}"
    assert close(applied(member, list(point)), row(member, point)[0])  # type: ignore[arg-type]
    xs = inputs(point)
    assert_reverse(applied(member, xs), xs, member, point, f"functions.{name}")  # type: ignore[arg-type]
    assert_forward(applied(member, duals(point)), member, point, f"functions.{name}")  # type: ignore[arg-type]
    return 1


def formula_text(member: Rule, names: list[str]) -> str:
    """How a person types the member: its call by name, or its expression (operators, ``-x``, ``x ** 2``)."""
    if family(member).function:
        return f"{member.name}({', '.join(names + [repr(v) for v in member.values])})"
    return expression_text(member, names)


def check_formula(member: Rule, point: tuple[float, ...]) -> None:
    """``parse`` accepts the member by its name (or its operator) and builds its node."""
    names = [f"x{i + 1}" for i in range(len(point))]
    if family(member).function:
        assert member.name in formula_functions(), f"the parser's whitelist lacks {member.name}"
    text = formula_text(member, names)
    formula = parse(text)
    y = formula.evaluate(**dict(zip(names, point)))
    xs = [next(n for n in autograd.topological_order(y) if n.label == name) for name in names]
    if member.name == "pos":  # "+x" is x in a formula: the parser makes no node for it
        assert y is xs[0]
        return
    assert_reverse(y, xs, member, point, f"parse({text!r})")


def check_trace(member: Rule, point: tuple[float, ...]) -> None:
    """The trace names the operation, its tables carry the row's partials (written from its notation), its
    steps end with the row's gradient, and none of them touches a ``.grad``."""
    xs = inputs(point)
    y = applied(member, xs)  # type: ignore[arg-type]
    t = trace(y)  # type: ignore[arg-type]
    _, partials = row(member, point)
    last = t.entries[-1]
    assert last.node is y and last.expression == expression_text(member, [f"v{i + 1}" for i in range(len(xs))])
    assert member.notation is not None, f"{member.title} has no notation for the tables"
    texts = t.partial_texts(last)
    assert len(texts) == len(xs) and all(texts), texts
    reverse, steps = t.reverse_table(), list(t.steps())
    for i, (x, p) in enumerate(zip(xs, partials)):
        forward = t.forward_table(wrt=x)[last.name]
        assert close(forward.tangent, p), f"forward table: {forward.tangent} != {p}"
        assert (f"v{i + 1}'" in forward.tangent_expression) or p == 0.0, forward.tangent_expression
        assert close(reverse[f"v{i + 1}"].adjoint, p), f"reverse table: {reverse[f'v{i + 1}'].adjoint} != {p}"
        assert close(steps[-1].grads[x], p), f"steps: {steps[-1].grads[x]} != {p}"
        assert x.grad == 0.0
    assert len(steps) == len(t.entries)


def check_picture(member: Rule, point: tuple[float, ...]) -> str:
    """The DOT text has one operation node for the member, labelled with its symbol or its title."""
    xs = inputs(point)
    y = applied(member, xs)  # type: ignore[arg-type]
    text = to_dot(y)  # type: ignore[arg-type]
    ops = re.findall(r'_op \[label="([^"]*)"', text)
    assert len(ops) == 1 and (member.symbol or member.title) in ops[0], (member.title, ops)
    assert text.count(" -> ") == len(xs) + 1  # each input into the operation, the operation into its node
    return text


def check_compiled(member: Rule, rows: list[tuple[float, ...]]) -> None:
    """The compiled path replays the member on a batch: each lane's value and gradient are the row's."""
    graph = compile_graph(lambda *vs: applied(member, list(vs)), rows)
    outputs, gradients = graph.value_and_grad(rows)
    for lane, point in enumerate(rows):
        out, partials = row(member, point)
        assert close(float(outputs[lane]), out), f"compiled {member.title}: {outputs[lane]} != {out}"
        assert all(close(float(g), p) for g, p in zip(gradients[lane], partials)), (gradients[lane], partials)


QUICK = settings(max_examples=5000, database=None, phases=[Phase.generate])  # stop at the first found, no shrinking


def check_strategies(member: Rule, formulas: bool = False) -> None:
    """hypothesis draws the member from the table (``rules()``, which the random formulas draw their operations
    from); with ``formulas``, a random formula using it is drawn too (slower: half a second)."""
    assert find(rules(), lambda r: r is member, settings=QUICK) is member
    if formulas:
        e = find(expressions(max_vars=2, max_depth=1), lambda e: member.name in e.rules(), settings=QUICK)
        formula = parse(e.formula)  # the formula's text is what the parser reads back
        point = {f"x{i + 1}": x for i, x in enumerate(e.point)}
        assert isinstance(e, Expression) and formula.evaluate(**{name: point[name] for name in formula.variables}
                                                              ).data == pytest.approx(float(e(*e.point)))


def check_activation(rule: Rule) -> None:
    """A rule marked as an activation is one of ``nn.activations`` by its name, with its initialisation."""
    if rule.activation:
        assert rule.name in activations.ACTIVATIONS
        assert activations.initialisation(rule.name) == rule.activation
        if rule.arity == 1:  # (prelu's slope is a second operand: the layer owns it)
            member = rule.bind() if rule.params else rule
            x = regular_points(member)[0][0]
            assert close(activations.get(rule.name)(x), member.compute(x))
    else:
        assert rule.name not in activations.ACTIVATIONS


def check_every_consumer(member: Rule) -> None:
    points = regular_points(member)[:2]  # a positive first operand, and a negative one where the domain allows
    for point in points:
        check_row(member, point)
        forms = check_methods(member, point) + check_operators(member, point) + check_function(member, point)
        assert forms, f"{member.title} is reachable from Python by no method, operator or function"
        check_formula(member, point)
        check_trace(member, point)
        check_picture(member, point)
    check_compiled(member, points)


# ---- a new rule: defrule is the one place ------------------------------------------------------------------

def test_a_new_rule_reaches_every_consumer_with_no_other_edit(new_rules):
    for rule in new_rules:
        for member in members(rule):
            check_every_consumer(member)
            check_strategies(member, formulas=member is members(rule)[0])
        check_activation(rule)
    tan, log_base = new_rules
    # its maths and the method's documentation come from the notation; the family's default is written once
    assert tan.math == "d tan(x) = 1 + tan(x)^2"
    assert Value(100.0).log_base().data == pytest.approx(2.0) and log_base.bind().values == (10.0,)
    assert "1 / (x log base)" in Value.log_base.__doc__ and "base=10" in Value.log_base.__doc__
    # its domain is the table's: the error names the rule, the operand and what it accepts
    with pytest.raises(ValueError, match=r"log_base\(10\): the operand must be > 0, got -1.0"):
        Value(-1.0).log_base()
    # a picture renders (Graphviz's dot runs) and names the operation
    x = Value(0.4, label="x")
    assert b"tan" in autograd.draw(x.tan()).pipe(format="svg")
    # the command line computes with it
    from nn.cli.parser import main  # imported here: the subprocess below imports this module before the CLI

    assert main(["trace", "log_base(x, 2) + tan(x)", "x=0.5"]) == 0


def test_a_new_operator_row_is_an_operator_of_values_duals_and_formulas():
    # x % y = x - y floor(x / y): partials (1, -floor(x / y)), the second written -(x - out) / y with the
    # table's operations, so that it differentiates again (to 0: the quotient is constant between jumps)
    mod = defrule(Rule("mod", 2, lambda x, y: x % y, lambda out, x, y: (1.0, -(x - out) / y),
                       notation=("1", "-({x} - {out}) / {y}"), expression="{x} % {y}", symbol="%",
                       domain=("real", "nonzero")))
    try:
        rows = [(5.5, 2.0), (7.0, -3.0)]  # 5.5 % 2 = 1.5 and d/dy = -2; 7 % -3 = -2 and d/dy = 3
        assert [row(mod, p) for p in rows] == [(1.5, (1.0, -2.0)), (-2.0, (1.0, 3.0))]
        for point in rows:
            check_row(mod, point)
            assert check_operators(mod, point) == 2 and check_function(mod, point) == 0
            check_formula(mod, point)
            check_trace(mod, point)
            check_picture(mod, point)
        check_compiled(mod, rows)
        assert autograd.hessian(lambda x, y: x % y)(5.5, 2.0) == ((0.0, 0.0), (0.0, 0.0))
    finally:
        forget(mod)
    with pytest.raises(FormulaError, match=r"only \+ - \* / \*\* are allowed"):
        parse("x % y")


def test_the_command_lines_function_list_is_read_off_the_table():
    from nn.cli.parser import formula_help

    FORMULA_HELP = formula_help()

    # every built-in with a function is listed, with its parameters by name
    for rule in RULES.values():
        if rule.function:
            assert re.search(rf"(^|[ (]){rule.name}\b", FORMULA_HELP), rule.name
    assert "leaky_relu(x, alpha)" in FORMULA_HELP and "clamp(x, low, high)" in FORMULA_HELP
    # a rule registered after the command line's modules are imported, before a parser is built, is listed too
    program = ("import sys; sys.path.insert(0, sys.argv[1]); sys.argv = sys.argv[:1]\n"
               "from nn.cli.parser import make_parser\n"
               "from autograd import defrule\n"
               "from tests.test_rule_table import log_base_rule, tan_rule\n"
               "defrule(tan_rule()); defrule(log_base_rule())\n"
               "make_parser().parse_args(['trace', '--help'])\n")
    done = subprocess.run([sys.executable, "-c", program, str(ROOT)], capture_output=True, text=True, timeout=120,
                          cwd=ROOT)
    help_text = " ".join(done.stdout.split())
    assert done.returncode == 0, done.stderr
    assert " tan " in help_text and "log_base(x, base)" in help_text, help_text


def test_a_forgotten_rule_leaves_every_consumer():
    made = defrule(tan_rule())
    forget(made)
    assert "tan" not in RULES and not hasattr(Value, "tan") and not hasattr(Dual, "tan")
    assert "tan" not in dir(F) and "tan" not in formula_functions() and "tan" not in activations.ACTIVATIONS
    with pytest.raises(AttributeError):
        F.tan  # noqa: B018
    with pytest.raises(FormulaError, match="unknown function 'tan'"):
        parse("tan(x)")


def test_defrule_refuses_a_name_taken_or_not_an_identifier():
    with pytest.raises(ValueError, match="exists already"):
        defrule(Rule("exp", 1, math.exp, lambda out, x: (out,)))
    with pytest.raises(ValueError, match="identifier"):
        defrule(Rule("not a name", 1, math.exp, lambda out, x: (out,)))


# ---- every built-in row reaches every consumer -------------------------------------------------------------

BUILT_IN = [member for rule in list(RULES.values()) for member in members(rule)]


@pytest.mark.parametrize("member", BUILT_IN, ids=lambda r: r.title)
def test_every_built_in_rule_reaches_every_consumer(member):
    check_every_consumer(member)


@pytest.mark.parametrize("rule", list(RULES.values()), ids=lambda r: r.name)
def test_every_built_in_rule_is_drawn_by_the_strategies_and_sorted_as_an_activation(rule):
    for member in members(rule):
        check_strategies(member)
    check_activation(rule)


def test_the_readme_shows_a_new_operation_is_one_row():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("\n## The library\n")
    library = text[start:text.index("\n## ", start + 1)]
    (example,) = re.findall(r"```pycon\n(.*?)```", library, re.DOTALL)
    test = doctest.DocTestParser().get_doctest(example, {}, "README: The library", "README.md", 0)
    assert len(test.examples) >= 4
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.failures == 0
    assert "tan" not in RULES, "the README's example forgets its rule again"
