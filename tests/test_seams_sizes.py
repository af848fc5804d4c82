"""Issue 10, sizes: big input costs linear space. A trace of a balanced sum of 8192 products prints bytes in
proportion to its rows (it printed 3.77 GB: every row padded to the widest cell); the DOT text of 4096 products
holds each node and edge once; a 660 KB formula parses and computes the right numbers. These count bytes and
check numbers, never seconds: the timings are in benchmarks/checks_cost.py."""

import math

import pytest

from autograd import parse, summation, to_dot, trace
from autograd.tracing.tables import MAX_PAD
from autograd.value import Value
from nn.cli.parser import main

VARIABLES = ("a", "b", "c", "d")
POINT = {"a": 0.5, "b": -1.25, "c": 2.0, "d": 0.75}


def balanced_sum(products):
    """``products`` products ``v_i * (i + 1)`` (v_i cycling through a, b, c, d), added as a balanced binary tree.
    Every product differs (the parser makes one node of a repeated sub-expression)."""
    terms = [f"{VARIABLES[i % 4]}*{i + 1}" for i in range(products)]
    while len(terms) > 1:
        terms = [f"({terms[i]}+{terms[i + 1]})" if i + 1 < len(terms) else terms[i] for i in range(0, len(terms), 2)]
    return terms[0]


def expected(products):
    """The formula's value and gradient in closed form: d/dv of sum_i v_i (i + 1) is the sum of v's i + 1."""
    value = math.fsum(POINT[VARIABLES[i % 4]] * (i + 1) for i in range(products))
    gradient = {name: float(sum(i + 1 for i in range(k, products, 4))) for k, name in enumerate(VARIABLES)}
    return value, gradient


def _printed(capsys, products):
    assert main(["trace", balanced_sum(products), *(f"{k}={v}" for k, v in POINT.items())]) == 0
    out = capsys.readouterr().out
    return out, len(out.encode())


def test_the_trace_of_8192_products_prints_bytes_linear_in_its_rows(capsys):
    sizes = {}
    for products in (1024, 2048, 4096, 8192):
        out, sizes[products] = _printed(capsys, products)
    # each doubling of the rows doubles the bytes, and a little more as the names (v10000) and numbers lengthen;
    # padding every row to the widest cell made each doubling quadruple them
    for n in (1024, 2048, 4096):
        assert sizes[2 * n] / sizes[n] < 2.2, sizes
    assert sizes[8192] < 8192 * 400  # about 2.6 MB (was 3.77 GB)
    # the table's rule: a column pads to its widest cell of at most MAX_PAD characters; a longer cell is printed
    # whole and pushes the rest of its row right. So no line holds a run of padding longer than MAX_PAD, and the
    # only long lines are the formula and the rows with long cells: the adjoints of a, b, c and d, each a sum of
    # 2048 contributions
    first, *table = out.splitlines()
    assert first.startswith("f(a, b, c, d) = ")
    assert " " * (MAX_PAD + 3) not in out
    long = [line for line in table if len(line) > 12 * MAX_PAD]
    assert sorted(line.split(" =")[0] for line in long) == ["v1_bar", "v2_bar", "v3_bar", "v4_bar"]
    value, gradient = expected(8192)
    assert f"f = {value:.6g}" in out
    for name in VARIABLES:
        assert f"df/d{name} = {gradient[name]:.6g}" in out


def test_the_trace_table_holds_one_row_per_node_at_8192_products():
    formula = parse(balanced_sum(8192))
    root = formula.evaluate(**POINT)
    t = trace(root)
    nodes = 8192 + 8191  # the products and the additions (a constant is written in its row: v1 * 1)
    assert len(t.entries) == nodes + len(VARIABLES)
    assert len(t.reverse_table()) == len(t.entries)
    text = str(t.reverse_table())
    assert len(text.splitlines()) <= len(t.entries) + 4  # a title, a header, a rule: one line per row otherwise


def test_the_dot_of_4096_products_has_each_node_and_edge_once_and_grows_linearly():
    lengths = {}
    for products in (1024, 4096):
        xs = [Value(0.1 * (i % 7) + 0.05, label=f"x{i}") for i in range(products + 1)]
        root = summation([xs[i] * xs[i + 1] for i in range(products)])
        root.backward()
        text = to_dot(root, max_nodes=None)
        lengths[products] = len(text)
        lines = text.splitlines()
        ops = [line for line in lines if "_op [" in line]
        edges = [line for line in lines if "->" in line]
        assert len(ops) == products + 1  # one operation node per mul and one for the sum
        # each mul reads two inputs and feeds the sum; each operation feeds its own value node
        assert len(edges) == 2 * products + products + (products + 1)
        assert to_dot(root, max_nodes=None) == text  # deterministic
    assert lengths[4096] / lengths[1024] == pytest.approx(4, rel=0.1)


def test_a_660_kb_formula_parses_and_computes_its_closed_form():
    products = 70000
    text = balanced_sum(products)
    assert len(text) > 660_000
    formula = parse(text)
    root = formula.evaluate(**POINT)
    value, gradient = expected(products)
    assert root.data == pytest.approx(value, rel=1e-12)
    root.backward()
    leaves = {n.label: n for n in _leaves(root)}
    for name in VARIABLES:
        assert leaves[name].grad == pytest.approx(gradient[name], rel=1e-12)


def _leaves(root):
    from autograd import topological_order

    return [n for n in topological_order(root) if not n.parents and n.label]
