"""The dualgrad command, in-process through main() and once through the installed console script."""

import inspect
import io
import json
import math
import re
import shlex
import shutil
import subprocess

import pytest

import nn.optim
from autograd import trace
from autograd.exercises import exercise
from nn import MLP, cli, data
from nn.cli.parser import VERSION
from nn.train import DEFAULT_LR, OPTIMIZERS, fit

# The lecture's f(x1, x2) = x1 x2 + exp(x1 x2) - sin(x2) at (1.5, 0.5) (a point this project chose: the lecture
# traces f with symbols only), and its partials by hand.
F = 0.75 + math.exp(0.75) - math.sin(0.5)
DF_DX1 = 0.5 + 0.5 * math.exp(0.75)
DF_DX2 = 1.5 + 1.5 * math.exp(0.75) - math.cos(0.5)
PNG = b"\x89PNG\r\n\x1a\n"


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def gradient(out):
    return {name: float(value) for name, value in re.findall(r"df/d(\w+) = (\S+)", out)}


def test_trace_without_a_formula_prints_the_lecture_tables_in_the_lecture_order(capsys):
    code, out, err = run(capsys, "trace")
    assert code == 0 and err == ""
    for line in ("v3 = v1 * v2", "v4 = sin(v2)", "v5 = exp(v3)", "v6 = v3 - v4", "v7 = v5 + v6",
                 "v3' = v2 v1' + v1 v2'", "v3_bar = v5_bar v5 + v6_bar", "v2_bar = v3_bar v1 + v4_bar cos(v2)",
                 "v1_bar = v3_bar v2", "d/d x1"):
        assert line in out
    assert f"f = {F:.6g}" in out
    grads = gradient(out)
    assert grads["x1"] == pytest.approx(DF_DX1, rel=1e-5)
    assert grads["x2"] == pytest.approx(DF_DX2, rel=1e-5)


def test_trace_of_the_typed_formula_gives_the_same_numbers_and_wrt_picks_the_forward_input(capsys):
    code, out, _ = run(capsys, "trace", cli.LECTURE, "x1=1.5", "x2=0.5", "--wrt", "x2")
    assert code == 0
    assert "d/d x2" in out
    # the forward table's last tangent is df/dx2: one forward pass per input, the same number as reverse mode
    last_row = [line for line in out.splitlines() if line.startswith("v7 = ")][0]
    assert float(last_row.split()[-1]) == pytest.approx(DF_DX2, rel=1e-5)
    assert gradient(out)["x2"] == pytest.approx(DF_DX2, rel=1e-5)


def test_trace_at_another_point_and_as_markdown(capsys):
    code, out, _ = run(capsys, "trace", "tanh(w*x + b)", "w=-3", "x=2", "b=6.88", "--markdown")
    assert code == 0
    assert "| v1 = w |" in out.replace("  ", " ")
    slope = 1 - math.tanh(0.88) ** 2
    grads = gradient(out)
    assert (grads["w"], grads["x"], grads["b"]) == pytest.approx((2 * slope, -3 * slope, slope), rel=1e-5)


def test_a_formula_starting_with_minus_goes_after_the_double_dash(capsys):
    code, out, _ = run(capsys, "trace", "--wrt", "y", "--", "-x*y", "x=2", "y=3")
    assert code == 0 and gradient(out) == {"x": -3.0, "y": -2.0}


@pytest.mark.parametrize("argv, expected", [
    (["trace", "-x*x", "x=2"], {"x": -4.0}),  # d(-x^2)/dx = -2x
    (["trace", "x=2", "-x*x"], {"x": -4.0}),
    (["trace", "-x", "x=2"], {"x": -1.0}),  # looks like a short option, is a formula
    (["trace", "-3*x*y", "--wrt", "y", "x=2", "y=5"], {"x": -15.0, "y": -6.0}),
    (["trace", "--markdown", "-sin(x)", "x=0"], {"x": -1.0}),  # d(-sin x)/dx = -cos 0
])
def test_a_formula_may_start_with_minus_without_the_double_dash(capsys, argv, expected):
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, "") and gradient(out) == pytest.approx(expected, rel=1e-12)


def test_graph_takes_a_formula_starting_with_minus_too(capsys, tmp_path):
    path = tmp_path / "g.dot"
    code, out, _ = run(capsys, "graph", "-x*y", "x=2", "y=3", "-o", str(path))
    assert code == 0 and f"wrote {path}" in out
    assert re.search(r"grad -3(\.0+)?\b", path.read_text())  # d(-xy)/dx at y = 3


def test_version_is_the_installed_distributions(capsys):
    from importlib.metadata import version

    code, out, _ = run(capsys, "--version")
    assert code == 0 and out == f"dualgrad {VERSION}\n"
    assert version("dualgrad") == VERSION  # pyproject.toml reads its version from the same constant


@pytest.mark.parametrize("formula, message, caret", [
    ("2x", "not a formula: write 2*x for a product", "  ^^"),
    ("3*x + 2y", "not a formula: write 2*y for a product", "        ^^"),
    ("x y", "not a formula: two terms side by side: write x*y for a product", "  ^^^"),
    ("sin x", "not a formula: write sin(x) to call sin", "  ^^^^^"),
    ("x^2", "'^' is not a power: write x**2 for x squared", "   ^"),
    ("2(x + 1)", "for a product write 2*(...)", "  ^"),
    ("(x + 1", "this '(' is never closed: add a ')'", "  ^"),
    ("x + 1)", "this ')' has no opening bracket before it", "       ^"),
    ("x **", "the formula ends after '**': something is missing after it", "    ^^"),
    ("ln(x)", "unknown function 'ln': did you mean log?", "  ^^"),
    ("\u2212x", "invalid character '\u2212' (U+2212): write - instead", "  ^"),
])
def test_formula_errors_are_plain_words_with_the_fix_then_the_caret(capsys, formula, message, caret):
    code, out, err = run(capsys, "trace", formula, "x=1", "y=2")
    assert code == 1 and out == ""
    first, shown, under = err.splitlines()
    assert first.startswith("dualgrad trace: error: ") and message in first
    assert (shown, under) == (f"  {formula}", caret)


def test_a_negative_seed_is_a_usage_error_naming_the_option(capsys):
    code, _, err = run(capsys, "train", "xor", "--seed", "-1")
    assert code == 2
    assert err == ("dualgrad train: error: argument --seed: a seed is a whole number >= 0, got '-1' "
                   "(see dualgrad train --help)\n")


def test_values_may_be_constant_formulas_and_names_are_normalised_like_python_does():
    assert cli.parse_assignments(["x=1/4", "y = -2**0.5", "ｚ=3"]) == {"x": 0.25, "y": -(2 ** 0.5), "z": 3.0}


def test_graph_writes_dot_text_that_graphviz_accepts(capsys, tmp_path):
    path = tmp_path / "graph.dot"
    code, out, _ = run(capsys, "graph", "tanh(w*x + b)", "w=-3", "x=2", "b=6.88", "-o", str(path))
    assert code == 0 and f"wrote {path}" in out
    text = path.read_text()
    assert text.startswith("digraph") and all(f'label="{name} |' in text for name in "wxb")
    assert f"grad {2 * (1 - math.tanh(0.88) ** 2):.4g}" in text  # dL/dw, backpropagated before drawing
    checked = subprocess.run(["dot", "-Tsvg", str(path)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stderr


def test_graph_writes_a_real_svg_and_prints_dot_without_a_file(capsys, tmp_path):
    path = tmp_path / "graph.svg"
    assert run(capsys, "graph", "tanh(w*x + b)", "w=-3", "x=2", "b=6.88", "-o", str(path))[0] == 0
    svg = path.read_text()
    assert "<svg" in svg and "</svg>" in svg and ">w<" in svg.replace(" ", "")
    code, out, _ = run(capsys, "graph", "x*y", "x=2", "y=3", "--no-grad")
    assert code == 0 and out.startswith("digraph") and "grad" not in out


def test_graph_without_graphviz_says_how_to_install_it_and_dot_output_still_works(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` here
    code, _, err = run(capsys, "graph", "x*y", "x=2", "y=3", "-o", str(tmp_path / "g.png"))
    assert code == 1 and "Graphviz's `dot` program is not installed" in err and "apt-get install graphviz" in err
    assert f"-o {tmp_path / 'g.dot'}" in err
    assert run(capsys, "graph", "x*y", "x=2", "y=3", "-o", str(tmp_path / "g.dot"))[0] == 0


def test_train_xor_reaches_full_accuracy_and_saves_its_plots(capsys, tmp_path):
    code, out, _ = run(capsys, "train", "xor", "--quiet", "--out", str(tmp_path))
    assert code == 0
    assert "final accuracy: train 100.0%, test 100.0%" in out
    for name in ("xor-loss.png", "xor-boundary.png"):
        assert (tmp_path / name).read_bytes().startswith(PNG)


@pytest.mark.slow
def test_train_digits_trains_the_lecture_network_compiled_past_95_percent(capsys, tmp_path):
    # The target: >= 95% on the held-out quarter in under 30 s on 2 cores. The recipe reaches 96.4% at
    # seed 0 (96.2% to 98.7% over seeds 0 .. 11) in about 5 s of training.
    code, out, _ = run(capsys, "train", "digits", "--quiet", "--out", str(tmp_path))
    assert code == 0
    assert "model: MLP(64, [32, 16, 10]), tanh, 2778 parameters; adam lr=0.002, 60 epochs, batches of 32; " \
           "compiled" in out
    train_accuracy, test_accuracy = map(float, re.search(r"train (\S+)%, test (\S+)%", out).groups())
    assert train_accuracy >= 99.0 and test_accuracy >= 95.0
    assert (tmp_path / "digits-loss.png").read_bytes().startswith(PNG)


def test_train_options_reach_the_model_and_the_held_out_split(tmp_path):
    lines = []
    result = cli.train("moons", hidden=(4,), epochs=2, optimizer="sgd", lr=0.1, batch_size=50, seed=3,
                       out=tmp_path, progress=False, say=lines.append)
    assert result["model"].nouts == [4, 1]
    assert len(result["history"]["loss"]) == 2 and "val_accuracy" in result["history"].metrics
    assert "225 training points, 75 held out" in lines[0] and "sgd lr=0.1, 2 epochs, batches of 50" in lines[1]
    assert [p.name for p in result["files"]] == ["moons-loss.png", "moons-boundary.png", "moons-training.gif"]
    assert 0.0 <= result["test_accuracy"] <= 1.0


def test_demo_writes_its_tables_and_pictures_to_the_folder_it_names(capsys, tmp_path):
    folder = tmp_path / "tour"
    code, out, _ = run(capsys, "demo", "--quiet", "--epochs", "3", "--out", str(folder))
    assert code == 0
    names = {"lecture-trace.md", "lecture.svg", "neuron.svg", "lecture.html", "moons-loss.png", "moons-boundary.png",
             "moons-training.gif"}
    assert {p.name for p in folder.iterdir()} == names
    assert str(folder) in out and f"{DF_DX2:.6g}" in out
    assert "<svg" in (folder / "neuron.svg").read_text()
    assert "| v3 = v1 \\* v2 |" in (folder / "lecture-trace.md").read_text()
    assert '<div class="dg-explorer"' in (folder / "lecture.html").read_text() and "lecture.html" in out


def test_demo_without_graphviz_writes_dot_files_and_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    lines = []
    files = cli.demo(tmp_path / "tour", progress=False, say=lines.append, epochs=1)
    assert [p.name for p in files][:3] == ["lecture-trace.md", "lecture.dot", "neuron.dot"]
    assert any("install Graphviz" in line and "explorer page was left out" in line for line in lines)
    assert not (tmp_path / "tour" / "lecture.html").exists()


@pytest.mark.parametrize("argv, fragment", [
    (["trace", "x.real", "x=1"], "attribute access is not allowed: 'x.real'\n  x.real\n  ^^^^^^"),
    (["trace", "__import__('os').system('true')"], "attribute access"),
    (["trace", "exp(x)", "x=abc"], "x=abc: the value must be a number"),
    (["trace", "x*y", "x=1"], "missing a value for y: add y=NUMBER"),
    (["trace", "x", "x=1", "z=2"], "no variable named z"),
    (["trace", "x", "x=1", "x=2"], "x is given twice"),
    (["trace", "x", "x="], "x= needs a number"),
    (["trace", "x", "x=nan"], "finite"),
    (["trace", "9**9**9 * x", "x=1"], "too large for a float"),
    (["trace", "log(x)", "x=-1"], "log: the operand must be > 0, got -1.0"),
    (["trace", "1/x", "x=0"], "division by zero"),
    (["trace", "x", "x=1", "--wrt", "y"], "--wrt y: not a variable of the formula (its variables: x)"),
    (["trace", "2 + 3"], "has no variables"),
    (["trace", "x+", "y"], "got 2 formulas"),
    (["trace", "y=1"], "the lecture's example has the variables x1, x2; unknown: y"),
    (["graph", "x", "x=1", "-o", "g.jpg"], "unknown picture format '.jpg'"),
    (["graph", "x", "x=1", "-o", "no/such/folder/g.svg"], "does not exist"),
])
def test_every_error_exits_non_zero_with_its_message_and_no_traceback(capsys, argv, fragment):
    code, out, err = run(capsys, *argv)
    assert code == 1 and out == ""
    assert err.startswith(f"dualgrad {argv[0]}: error: ") and fragment in err
    assert "Traceback" not in err
    # as the README says: one line, and for an error in a formula two more, the formula and a caret under it
    lines = err.splitlines()
    assert len(lines) == 1 or (len(lines) == 3 and lines[1].startswith("  ") and set(lines[2]) == {" ", "^"}), err


@pytest.mark.parametrize("argv, fragment", [
    ([], "required: COMMAND"),
    (["bogus"], "invalid choice: 'bogus'"),
    (["train", "mnist"], "invalid choice: 'mnist'"),
    (["train", "xor", "--epochs", "0"], "must be a positive number"),
    (["train", "xor", "--lr", "fast"], "expected a number, got 'fast'"),
    (["train", "xor", "--hidden", "16,x"], "expected layer sizes such as 16,16"),
    (["train", "xor", "--optimizer", "lbfgs"], "invalid choice: 'lbfgs'"),
    (["graph", "--bogus"], "unrecognized arguments: --bogus"),
])
def test_usage_errors_exit_2_with_one_line_pointing_at_help(capsys, argv, fragment):
    code, out, err = run(capsys, *argv)
    prog = "dualgrad" + (f" {argv[0]}" if argv and argv[0] in ("train", "graph") else "")
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith(f"{prog}: error: ") and fragment in err
    assert err.endswith(f"(see {prog} --help)\n")


@pytest.mark.parametrize("command", [None, "trace", "graph", "quiz", "train", "demo"])
def test_help_on_every_subcommand_ends_with_examples_that_run(capsys, command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, *([command] if command else []), "--help")
    assert code == 0 and out.startswith(f"usage: dualgrad{' ' + command if command else ''}")
    examples = out.split("examples:\n")[1].split("\n\n")[0].splitlines()
    assert examples and all(line.startswith("  dualgrad ") for line in examples)
    if command in ("trace", "graph", "quiz"):  # quick enough to run every one (train and demo run in test_readme)
        (tmp_path / "answers.txt").write_text("1\n2\n")
        for line in examples:
            words = shlex.split(line.split("#")[0])[1:]
            assert words[0] == command
            if "<" in words:  # standard input from a file, as the shell would give it
                words, name = words[:words.index("<")], words[words.index("<") + 1]
                monkeypatch.setattr("sys.stdin", open(tmp_path / name))
            else:
                monkeypatch.setattr("sys.stdin", io.StringIO(""))
            code, out, err = run(capsys, *words)
            assert code == 0, (line, err)
            if command == "quiz":
                assert "score: " in out, line


def test_the_installed_console_script_runs_and_fails_cleanly():
    script = shutil.which("dualgrad")
    assert script, "the dualgrad console script is not on PATH: pip install -e . (scripts/test does)"
    done = subprocess.run([script, "trace"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and f"df/dx1 = {DF_DX1:.6g}" in done.stdout
    failed = subprocess.run([script, "trace", "x ** 9**9**9", "x=2"], capture_output=True, text=True, timeout=120)
    assert failed.returncode == 1 and "too large for a float" in failed.stderr and "Traceback" not in failed.stderr


# ---- quiz ---------------------------------------------------------------------------------------------

def test_quiz_is_a_subcommand_that_reads_its_answers_from_standard_input(capsys, monkeypatch):
    solution = exercise(seed=3, level=1).solution("adjoint")
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(f"{v!r}\n" for v in solution.values())))
    code, out, err = run(capsys, "quiz", "--seed", "3")
    assert (code, err) == (0, "")
    assert f"score: {len(solution)} of {len(solution)} (100%)" in out and "(level 1, seed 3)" in out


def test_quiz_takes_a_formula_starting_with_minus_and_scores_a_hand_computed_trace(capsys, monkeypatch):
    # f(x) = -x*x at x = 2: v2 = -v1 = -2, v3 = v2 * v1 = -4; the second answer is wrong, then right
    monkeypatch.setattr("sys.stdin", io.StringIO("-2\n4\n-4\n"))
    code, out, _ = run(capsys, "quiz", "-x*x", "x=2", "--mode", "primal")
    assert code == 0 and "try again" in out and "score: 2 of 2 (100%), 1 of them on the second try" in out


def test_quiz_errors_are_one_line_like_every_command(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, _, err = run(capsys, "quiz", "--level", "4")
    assert code == 2 and err == ("dualgrad quiz: error: argument --level: invalid choice: 4 (choose from 1, 2, 3) "
                                 "(see dualgrad quiz --help)\n")
    code, _, err = run(capsys, "quiz", "--seed", "1", "x*y", "x=1", "y=2")
    assert code == 1 and err.startswith("dualgrad quiz: error: --seed and --level make a generated formula")


# ---- the explorer page ----------------------------------------------------------------------------------

def test_graph_writes_the_explorer_page_for_html(capsys, tmp_path):
    path = tmp_path / "page.html"
    code, out, err = run(capsys, "graph", cli.LECTURE, "x1=1.5", "x2=0.5", "-o", str(path))
    assert (code, err) == (0, "") and f"wrote {path}" in out
    page = path.read_text()
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and "</svg>" in page
    assert f"<title>dualgrad: f = {cli.LECTURE}, step by step</title>" in page
    drawn = set(re.findall(r'<g id="dg\w+&#45;(v\d+)\w*" class="node"', page))  # Graphviz writes - as &#45;
    names = [e.name for e in trace(build_lecture()).entries]
    assert drawn == set(names)  # every row of the trace is a node of the drawn graph
    steps = json.loads(re.search(r'class="dg-data">(.*?)</script>', page).group(1).replace("<\\/", "</"))
    assert len(steps["modes"]["reverse"]["steps"]) == len(names)
    # offline: nothing to fetch (the page's script and style are inline; its policy forbids any request)
    assert not re.search(r"\s(src|href)=", page) and "default-src 'none'" in page
    assert set(re.findall(r"https?://[^\s\"')]*", page)) <= {"http://www.w3.org/2000/svg",
                                                             "http://www.w3.org/1999/xlink"}  # namespace names


def build_lecture():
    from nn.cli.words import build

    return build([cli.LECTURE, "x1=1.5", "x2=0.5"])[1]


def test_graph_html_refuses_no_grad_and_needs_dot(capsys, tmp_path, monkeypatch):
    code, _, err = run(capsys, "graph", "x*y", "x=2", "y=3", "--no-grad", "-o", str(tmp_path / "p.html"))
    assert code == 1 and "--no-grad: the page p.html steps through the gradients" in err
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` here
    code, _, err = run(capsys, "graph", "x*y", "x=2", "y=3", "-o", str(tmp_path / "p.html"))
    assert code == 1 and "Graphviz's `dot` program is not installed" in err
    assert not (tmp_path / "p.html").exists()


# ---- how the trace is numbered ---------------------------------------------------------------------------

def rows(out):
    return [line.split("  ")[0] for line in out.splitlines() if re.match(r"v\d+ = ", line)]


def test_trace_says_the_formula_is_as_typed_and_how_the_v_numbers_run(capsys):
    code, out, _ = run(capsys, "trace", "y*x + exp(x)", "x=1", "y=2")
    assert code == 0
    first, note = out.split("\n\n")[0].split("\n", 1)
    assert first == "f(y, x) = y*x + exp(x)   (as typed)   at y = 2, x = 1"
    assert "the inputs first, then each operation in the order it is evaluated" in " ".join(note.split())
    # and so they do: y appears first, so it is v1; y*x is evaluated before exp(x)
    assert rows(out)[:5] == ["v1 = y", "v2 = x", "v3 = v1 * v2", "v4 = exp(v2)", "v5 = v3 + v4"]


def test_the_two_numberings_of_the_lecture_formula_are_named_where_they_meet(capsys):
    _, built_in, _ = run(capsys, "trace")
    _, typed, _ = run(capsys, "trace", cli.LECTURE, "x1=1.5", "x2=0.5")
    assert "(the lecture's example)" in built_in.splitlines()[0] and "(as typed)" in typed.splitlines()[0]
    # the lecture's order (seeds 003: v4 = sin(v2), v5 = exp(v3)) against Python's left-to-right order
    assert rows(built_in)[3:5] == ["v4 = sin(v2)", "v5 = exp(v3)"]
    assert rows(typed)[3:6] == ["v4 = exp(v3)", "v5 = v3 + v4", "v6 = sin(v2)"]
    built_note, typed_note = (" ".join(text.split("\n\n")[0].split()) for text in (built_in, typed))
    assert "v4 = exp(v3) where the lecture has v4 = sin(v2)" in built_note
    assert f'dualgrad trace "{cli.LECTURE}" x1=1.5 x2=0.5' in built_note
    assert "typed, it has v4 = exp(v3) where the lecture's trace (dualgrad trace with no formula) has v4 = sin(v2)" \
        in typed_note
    assert gradient(built_in) == gradient(typed)  # "the same values and gradient"
    _, other, _ = run(capsys, "trace", "x1*x2 + sin(x2)", "x1=1", "x2=2")
    assert "lecture's formula" not in other


# ---- every optimiser by name -------------------------------------------------------------------------------

OPTIMISER_CLASSES = [cls for _, cls in inspect.getmembers(nn.optim, inspect.isclass)
                     if issubclass(cls, nn.optim.Optimizer) and cls is not nn.optim.Optimizer]


def test_every_optimiser_class_has_a_name_and_a_default_rate():
    assert len(OPTIMISER_CLASSES) >= 7  # SGD, Adagrad, RMSprop, Adam, AdamW, AdaMax, Nadam
    assert {cls.__name__.lower(): cls for cls in OPTIMISER_CLASSES} == OPTIMIZERS
    assert set(DEFAULT_LR) == set(OPTIMIZERS)


@pytest.mark.parametrize("cls", OPTIMISER_CLASSES, ids=lambda cls: cls.__name__)
def test_fit_by_name_trains_with_that_class_at_its_default_rate(cls):
    X, y = data.logic_gate("xor")
    by_name, by_hand = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=0)
    name = cls.__name__.lower()
    fit(by_name, X, y, loss="mse", optimizer=name, epochs=2, progress=False, shuffle=False)
    fit(by_hand, X, y, loss="mse", optimizer=cls(by_hand.parameters(), lr=DEFAULT_LR[name]), epochs=2,
        progress=False, shuffle=False)
    start = [p.data for p in MLP(2, [3, 1], seed=0).parameters()]
    assert [p.data for p in by_name.parameters()] == [p.data for p in by_hand.parameters()] != start


def test_the_command_line_offers_every_optimiser(capsys, tmp_path):
    parser = cli.make_parser()
    train = next(action for action in parser._subparsers._group_actions[0].choices["train"]._actions
                 if action.dest == "optimizer")
    assert set(train.choices) == {cls.__name__.lower() for cls in OPTIMISER_CLASSES}
    _, out, _ = run(capsys, "train", "--help")
    assert all(name in out for name in train.choices)
    for name in ("adamw", "adamax", "nadam"):  # the three the command line once missed
        code, out, err = run(capsys, "train", "xor", "--optimizer", name, "--epochs", "2", "--quiet", "--out",
                             str(tmp_path))
        assert code == 0, err
        assert f"{name} lr=0.05, 2 epochs" in out  # the recipe's rate, the optimiser named
