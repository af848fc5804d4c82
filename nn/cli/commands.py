"""The ``dualgrad`` command: trace tables, graph pictures, a training run and a demo, from a terminal.

Formulas go through ``autograd.formula``'s whitelist (never ``eval``; the words are read in ``nn.cli_input``,
the training runs are ``nn.recipes``). Every error is one message on stderr and a non-zero exit code;
``--help`` works on every subcommand.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from autograd.formula import FormulaError, parse
from autograd.value import Value

from .recipes import RECIPES, Say, train
from .words import LECTURE, CommandError, build, leaves, lecture_example

__all__ = ["main", "make_parser", "trace_text", "write_graph", "demo"]

NEURON = "tanh(w*x + b)"
NEURON_POINT = {"w": -3.0, "x": 2.0, "b": 6.88}
OPTIMIZERS = ("sgd", "adagrad", "rmsprop", "adam")  # nn.train.OPTIMIZERS, named here so --help needs no nn import
DOT_FORMATS = (".dot", ".gv")
PICTURE_FORMATS = (".svg", ".png", ".pdf")
INSTALL_GRAPHVIZ = ("install Graphviz (Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install graphviz; "
                    "conda: conda install graphviz)")


# ---- trace and graph --------------------------------------------------------------------------------

def trace_text(text: str, root: Value, inputs: list[Value], wrt: str | None = None, markdown: bool = False) -> str:
    """The forward table (d/d ``wrt``, the first input by default), the reverse table and the gradient.

    >>> print(trace_text("x * x", *(lambda x: (x * x, [x]))(Value(3.0, label="x"))).splitlines()[-1])
      df/dx = 6
    """
    from autograd.tracing import trace

    names = [x.label for x in inputs]
    if wrt is not None and wrt not in names:
        raise CommandError(f"--wrt {wrt}: not a variable of the formula (its variables: {', '.join(names)})")
    t = trace(root)
    show: Callable[[Any], str] = (lambda table: table.to_markdown()) if markdown else str
    root.zero_grad()  # inputs accumulate: start from 0 so .grad is exactly this gradient
    root.backward()
    point = ", ".join(f"{x.label} = {x.data:g}" for x in inputs)
    gradient = "\n".join(f"  df/d{x.label} = {x.grad:.6g}" for x in inputs)
    return (f"f({', '.join(names)}) = {text}   at {point}\n\n"
            f"{show(t.forward_table(wrt=inputs[names.index(wrt or names[0])]))}\n\n{show(t.reverse_table())}\n\n"
            f"f = {root.data:.6g}\ngradient (reverse mode: one backward pass gives every partial):\n{gradient}\n")


def write_graph(root: Value, path: Path, show_grad: bool = True) -> Path:
    """Draw ``root`` to ``path``: DOT text for .dot/.gv (no Graphviz binary needed), else SVG/PNG/PDF via ``dot``.

    Raises:
        graphviz.ExecutableNotFound: a picture format without Graphviz's ``dot`` installed.
    """
    from autograd.viz import draw

    suffix = path.suffix.lower()
    if suffix not in DOT_FORMATS + PICTURE_FORMATS:
        raise CommandError(f"unknown picture format {path.suffix or '(none)'!r} for {path}: "
                           f"end the name in {', '.join(PICTURE_FORMATS + DOT_FORMATS)}")
    if not path.parent.is_dir():
        raise CommandError(f"cannot write {path}: the folder {path.parent} does not exist")
    graph = draw(root, show_grad=show_grad)
    if suffix in DOT_FORMATS:
        path.write_text(graph.source, encoding="utf-8")
    else:
        path.write_bytes(graph.pipe(format=suffix[1:]))
    return path


def run_trace(args: argparse.Namespace) -> int:
    text, root, inputs = build(args.items)
    print(trace_text(text, root, inputs, wrt=args.wrt, markdown=args.markdown), end="")
    return 0


def run_graph(args: argparse.Namespace) -> int:
    import graphviz

    from autograd.viz import to_dot

    _, root, _ = build(args.items)
    if not args.no_grad:
        root.backward()
    if args.output is None:
        print(to_dot(root, show_grad=not args.no_grad))
        return 0
    path = Path(args.output)
    try:
        write_graph(root, path, show_grad=not args.no_grad)
    except graphviz.ExecutableNotFound:
        raise CommandError(f"cannot draw {path}: Graphviz's `dot` program is not installed. Write the DOT text "
                           f"instead (-o {path.with_suffix('.dot')}: no Graphviz needed), or "
                           f"{INSTALL_GRAPHVIZ}") from None
    print(f"wrote {path}")
    return 0


# ---- train ------------------------------------------------------------------------------------------

def run_train(args: argparse.Namespace) -> int:
    train(args.dataset, hidden=args.hidden, epochs=args.epochs, optimizer=args.optimizer, lr=args.lr,
          batch_size=args.batch_size, seed=args.seed, out=Path(args.out), progress=not args.quiet)
    return 0


# ---- demo -------------------------------------------------------------------------------------------

def demo(out: Path = Path("dualgrad-demo"), progress: bool = True, say: Say = print, epochs: int = 20) -> list[Path]:
    """The tour: the lecture's trace tables, two graph pictures, a short training run; returns the files written."""
    import graphviz

    out.mkdir(parents=True, exist_ok=True)
    say("1/3  The lecture's example, traced: forward mode gives one partial per pass, reverse mode all of them\n")
    root = lecture_example()
    say(trace_text(LECTURE, root, leaves(root)))
    files = [out / "lecture-trace.md"]
    files[0].write_text(trace_text(LECTURE, root, leaves(root), markdown=True), encoding="utf-8")

    say(f"2/3  Computation graphs with every node's data and gradient: the lecture's f and the neuron {NEURON}")
    missing_dot = False
    for name, graph_root in (("lecture", lecture_example()), ("neuron", parse(NEURON).evaluate(**NEURON_POINT))):
        graph_root.backward()
        if not missing_dot:
            try:
                files.append(write_graph(graph_root, out / f"{name}.svg"))
                continue
            except graphviz.ExecutableNotFound:
                missing_dot = True
        files.append(write_graph(graph_root, out / f"{name}.dot"))
    if missing_dot:
        say(f"     Graphviz's `dot` program is not installed, so the graphs were written as DOT text (.dot). For "
            f"pictures, {INSTALL_GRAPHVIZ}; then: dot -Tsvg {out / 'neuron.dot'} -o {out / 'neuron.svg'}")

    say("\n3/3  Training a 2-16-16-1 network on the two-moons data with Adam")
    files += train("moons", epochs=epochs, out=out, progress=progress, say=say)["files"]
    say(f"\nDone: {', '.join(path.name for path in files)} are in {out}{os.sep}")
    say("Next: dualgrad trace \"FORMULA\" NAME=VALUE ..., dualgrad graph, dualgrad train moons|circles|xor|spirals|"
        "digits (each with --help), and the notebooks.")
    return files


def run_demo(args: argparse.Namespace) -> int:
    demo(Path(args.out), progress=not args.quiet, epochs=args.epochs)
    return 0


# ---- the command line -------------------------------------------------------------------------------

FORMULA_HELP = ("a formula such as \"tanh(w*x + b)\" (quoted), then NAME=VALUE for each variable. Allowed: "
                "numbers, variables, + - * / **, and the functions exp log sqrt sin cos tanh sigmoid relu softplus "
                "arctan hardtanh step abs leaky_relu(x, alpha) elu(x, alpha) pow(x, y). Without a formula: the "
                f"lecture's f(x1, x2) = {LECTURE} at x1=1.5 x2=0.5. Put a formula that starts with '-' after --")


def _sizes(text: str) -> tuple[int, ...]:
    """``--hidden 16,16`` -> (16, 16)."""
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected layer sizes such as 16,16, got {text!r}") from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"layer sizes must be at least 1, got {text!r}")
    return sizes


def _positive(kind: type) -> Callable[[str], Any]:
    def convert(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not 0 < value < float("inf"):
            raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
        return value

    return convert


def make_parser() -> argparse.ArgumentParser:
    """The argument parser of ``dualgrad`` and its four subcommands."""
    parser = argparse.ArgumentParser(
        prog="dualgrad", description="Automatic differentiation you can watch: trace tables, graphs, training.",
        epilog="Start with `dualgrad demo` (a one-minute tour); `dualgrad COMMAND --help` explains each command.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    trace = commands.add_parser(
        "trace", help="print the forward and reverse trace tables and the gradient",
        description="Print a formula's forward (tangent) and reverse (adjoint) trace tables, and its gradient.",
        epilog=f"example: dualgrad trace \"{LECTURE}\" x1=1.5 x2=0.5 --wrt x2")
    trace.add_argument("items", nargs="*", metavar="FORMULA NAME=VALUE", help=FORMULA_HELP)
    trace.add_argument("--wrt", metavar="NAME", help="the input of the forward table (default: the first variable)")
    trace.add_argument("--markdown", action="store_true", help="print the tables as markdown")
    trace.set_defaults(run=run_trace)

    graph = commands.add_parser(
        "graph", help="draw the computation graph with its gradients",
        description="Draw a formula's computation graph, each node with its data and gradient. The file name "
                    "chooses the format: .svg .png .pdf (need Graphviz's dot program) or .dot/.gv (DOT text, "
                    "no Graphviz needed).",
        epilog="example: dualgrad graph \"tanh(w*x + b)\" w=-3 x=2 b=6.88 -o graph.svg")
    graph.add_argument("items", nargs="*", metavar="FORMULA NAME=VALUE", help=FORMULA_HELP)
    graph.add_argument("-o", "--output", metavar="FILE", help="the file to write (default: DOT text on stdout)")
    graph.add_argument("--no-grad", action="store_true", help="draw the data only, without backpropagating")
    graph.set_defaults(run=run_graph)

    fit = commands.add_parser(
        "train", help="train a small network on a lecture data set and save its plots",
        description="Train an MLP on a data set of the lecture notes with a progress bar, print the final "
                    "accuracy, save the loss curve and (2-D data) the decision boundary as PNG files.",
        epilog="defaults: " + "; ".join(f"{name}: --hidden {','.join(map(str, r.hidden))} --epochs {r.epochs} "
                                        f"--lr {r.lr:g}" for name, r in RECIPES.items()))
    fit.add_argument("dataset", choices=list(RECIPES), help="the data set")
    fit.add_argument("--hidden", type=_sizes, metavar="SIZES", help="hidden layer sizes, such as 16,16")
    fit.add_argument("--epochs", type=_positive(int), metavar="N", help="passes over the data")
    fit.add_argument("--optimizer", choices=OPTIMIZERS, default="adam", help="default: adam")
    fit.add_argument("--lr", type=_positive(float), metavar="RATE", help="learning rate")
    fit.add_argument("--batch-size", type=_positive(int), metavar="N", help="rows per step")
    fit.add_argument("--seed", type=int, default=0, help="seed of the data, the weights and the shuffling")
    fit.add_argument("--out", default="dualgrad-output", metavar="DIR", help="folder for the plots "
                                                                             "(default: ./dualgrad-output)")
    fit.add_argument("--quiet", action="store_true", help="no progress bar")
    fit.set_defaults(run=run_train)

    tour = commands.add_parser(
        "demo", help="a one-minute tour: trace tables, graph pictures, a training run",
        description="A short tour: the lecture's trace tables, two graph pictures and a small training run "
                    "with its plots, all written to a folder.")
    tour.add_argument("--out", default="dualgrad-demo", metavar="DIR", help="folder (default: ./dualgrad-demo)")
    tour.add_argument("--epochs", type=_positive(int), default=20, metavar="N",
                      help="epochs of the training run (default: 20)")
    tour.add_argument("--quiet", action="store_true", help="no progress bar")
    tour.set_defaults(run=run_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``dualgrad`` command line.

    Args:
        argv: the arguments (default: ``sys.argv[1:]``).

    Returns:
        the exit code: 0 on success, 1 on an error (one message on stderr), 2 on a usage error.

    >>> main(["trace", "x*x", "x=3"])  # doctest: +ELLIPSIS
    f(x) = x*x   at x = 3
    ...
      df/dx = 6
    0
    """
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help (0) or a usage error (2, already printed)
        return stop.code if isinstance(stop.code, int) else 0 if stop.code is None else 2
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("dualgrad: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `dualgrad graph ... | head`: the reader left; say nothing more
        sys.stdout = open(os.devnull, "w")  # so the interpreter's final flush cannot fail again
        return 141
    except (CommandError, FormulaError, ValueError, TypeError, ArithmeticError, OSError, ImportError,
            RuntimeError) as error:
        print(f"dualgrad {args.command}: error: {error}", file=sys.stderr)
        return 1
