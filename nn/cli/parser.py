"""The ``dualgrad`` command line: its subcommands and options, its help with examples, its errors and exit codes.

Every error is one line on stderr and a non-zero exit code: 2 for a command line that does not parse, 1 for
the rest (a formula's error adds the formula and a caret line). ``--help`` works on every subcommand. A new
subcommand is one function in ``SUBCOMMANDS`` that adds its parser and sets its ``run`` function.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from autograd.formula import FormulaError

from ..train import OPTIMIZERS
from . import quiz
from .commands import run_demo, run_graph, run_trace, run_train
from .recipes import RECIPES
from .words import LECTURE, CommandError, allowed

__all__ = ["main", "make_parser", "parse_arguments", "Parser", "UsageError", "SUBCOMMANDS", "VERSION", "formula_help",
           "add_trace", "add_graph", "add_train", "add_demo"]

VERSION = "0.1.0"  # the one place the version is written: pyproject.toml reads it from here


def formula_help() -> str:
    """The help of a FORMULA argument, with the rule table's functions as they are when the parser is built."""
    return ("a formula such as \"tanh(w*x + b)\" (quoted), then NAME=VALUE for each variable. Allowed: "
            f"{allowed()}. Without a formula: the lecture's f(x1, x2) = {LECTURE} at x1=1.5 x2=0.5. A formula may "
            "start with '-'")


OPTION = re.compile(r"--[A-Za-z][\w-]*(=.*)?", re.DOTALL)  # what an unknown long option looks like


class UsageError(Exception):
    """A command line argparse refused: printed as one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse, with each usage error as one line that points at ``--help`` instead of a usage block."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)  # keep the examples' lines
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: error: {message} (see {self.prog} --help)")


def _examples(*lines: str) -> str:
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


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


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"a seed is a whole number >= 0, got {text!r}")
    return value


# Each subcommand is added by one function of the subparsers object, in the order --help lists them; a new
# subcommand is one more function here (its run function reads the parsed arguments and returns the exit code).

def add_trace(commands: Any) -> None:
    trace = commands.add_parser(
        "trace", help="print the forward and reverse trace tables and the gradient",
        description="Print a formula's forward (tangent) and reverse (adjoint) trace tables, and its gradient.",
        epilog=_examples("dualgrad trace                                   # the lecture's example",
                         f"dualgrad trace \"{LECTURE}\" x1=1.5 x2=0.5 --wrt x2",
                         "dualgrad trace \"-x*x + 2*x\" x=3 --markdown"))
    trace.add_argument("items", nargs="*", metavar="FORMULA NAME=VALUE", help=formula_help())
    trace.add_argument("--wrt", metavar="NAME", help="the input of the forward table (default: the first variable)")
    trace.add_argument("--markdown", action="store_true", help="print the tables as markdown")
    trace.set_defaults(run=run_trace, formula=True)


def add_graph(commands: Any) -> None:
    graph = commands.add_parser(
        "graph", help="draw the computation graph with its gradients",
        description="Draw a formula's computation graph, each node with its data and gradient. The file name "
                    "chooses the format: .svg .png .pdf (need Graphviz's dot program), .dot/.gv (DOT text, "
                    "no Graphviz needed), or .html: the explorer page, one file that works offline in any "
                    "browser, stepping through backprop (and the forward sweep) node by node beside the trace "
                    "tables (needs dot).",
        epilog=_examples("dualgrad graph \"tanh(w*x + b)\" w=-3 x=2 b=6.88 -o graph.svg",
                         "dualgrad graph \"x1*x2 + exp(x1*x2)\" x1=1.5 x2=0.5 -o page.html  # step through it",
                         "dualgrad graph \"x1*x2 + exp(x1*x2)\" x1=1.5 x2=0.5 -o graph.dot  # no Graphviz needed",
                         "dualgrad graph \"sin(x)**2\" x=1 --no-grad                        # DOT text on stdout"))
    graph.add_argument("items", nargs="*", metavar="FORMULA NAME=VALUE", help=formula_help())
    graph.add_argument("-o", "--output", metavar="FILE", help="the file to write (default: DOT text on stdout)")
    graph.add_argument("--no-grad", action="store_true", help="draw the data only, without backpropagating")
    graph.set_defaults(run=run_graph, formula=True)


def add_train(commands: Any) -> None:
    fit = commands.add_parser(
        "train", help="train a small network on a lecture data set and save its plots",
        description="Train an MLP on a data set of the lecture notes with a progress bar, print the final "
                    "accuracy, save the loss curve and (2-D data) the decision boundary as PNG files.",
        epilog=_examples("dualgrad train xor", "dualgrad train moons --hidden 16,16 --epochs 30 --optimizer adam",
                         "dualgrad train digits --quiet --out digits-run") + "\n\ndefaults:\n" + "\n".join(
            f"  {name}: --hidden {','.join(map(str, r.hidden))} --epochs {r.epochs} --lr {r.lr:g}"
            for name, r in RECIPES.items()))
    fit.add_argument("dataset", choices=list(RECIPES), help="the data set")
    fit.add_argument("--hidden", type=_sizes, metavar="SIZES", help="hidden layer sizes, such as 16,16")
    fit.add_argument("--epochs", type=_positive(int), metavar="N", help="passes over the data")
    fit.add_argument("--optimizer", choices=list(OPTIMIZERS), default="adam", metavar="NAME",
                     help=f"one of {', '.join(OPTIMIZERS)} (default: adam)")
    fit.add_argument("--lr", type=_positive(float), metavar="RATE", help="learning rate")
    fit.add_argument("--batch-size", type=_positive(int), metavar="N", help="rows per step")
    fit.add_argument("--seed", type=_seed, default=0, metavar="N",
                     help="seed of the data, the weights and the shuffling: a whole number >= 0 (default: 0)")
    fit.add_argument("--out", default="dualgrad-output", metavar="DIR", help="folder for the plots "
                                                                             "(default: ./dualgrad-output)")
    fit.add_argument("--quiet", action="store_true", help="no progress bar")
    fit.set_defaults(run=run_train)


def add_demo(commands: Any) -> None:
    tour = commands.add_parser(
        "demo", help="a one-minute tour: trace tables, graph pictures, the explorer, a training run",
        description="A short tour: the lecture's trace tables, two graph pictures, the explorer page of the "
                    "lecture's example and a small training run with its plots, all written to a folder.",
        epilog=_examples("dualgrad demo", "dualgrad demo --out tour --epochs 5 --quiet"))
    tour.add_argument("--out", default="dualgrad-demo", metavar="DIR", help="folder (default: ./dualgrad-demo)")
    tour.add_argument("--epochs", type=_positive(int), default=20, metavar="N",
                      help="epochs of the training run (default: 20)")
    tour.add_argument("--quiet", action="store_true", help="no progress bar")
    tour.set_defaults(run=run_demo)


SUBCOMMANDS: list[Callable[[Any], Any]] = [add_trace, add_graph, quiz.add_parser, add_train, add_demo]


def make_parser() -> argparse.ArgumentParser:
    """The argument parser of ``dualgrad``: one subcommand per function in ``SUBCOMMANDS``."""
    parser = Parser(
        prog="dualgrad", description="Automatic differentiation you can watch: trace tables, graphs, training.",
        epilog=_examples("dualgrad demo                                      # a one-minute tour",
                         "dualgrad trace \"x1*x2 + exp(x1*x2) - sin(x2)\" x1=1.5 x2=0.5",
                         "dualgrad quiz --level 2                            # fill in a trace table yourself",
                         "dualgrad COMMAND --help                            # each command explained"))
    parser.add_argument("--version", action="version", version=f"dualgrad {VERSION}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in SUBCOMMANDS:
        add(commands)
    return parser


def parse_arguments(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.Namespace:
    """The parsed command line, where a formula may start with ``-`` (``dualgrad trace "-x*x" x=2``).

    argparse takes ``-x*x`` for an unknown option: a command that reads a formula gets such words back as
    items, while an unknown ``--option`` is still a usage error.
    """
    args, extra = parser.parse_known_args(argv)
    unknown = [word for word in extra if not getattr(args, "formula", False) or OPTION.fullmatch(word)]
    if unknown:
        prog = f"{parser.prog} {args.command}"
        raise UsageError(f"{prog}: error: unrecognized arguments: {' '.join(unknown)} (see {prog} --help)")
    if extra:
        args.items = [*args.items, *extra]
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``dualgrad`` command line.

    Args:
        argv: the arguments (default: ``sys.argv[1:]``).

    Returns:
        the exit code: 0 on success, 1 on an error, 2 on a usage error; each error is one line on stderr
        (a formula's error adds the formula and a caret under the offending text).

    >>> main(["trace", "x*x", "x=3"])  # doctest: +ELLIPSIS
    f(x) = x*x   (as typed)   at x = 3
    ...
      df/dx = 6
    0
    """
    parser = make_parser()
    try:
        args = parse_arguments(parser, sys.argv[1:] if argv is None else argv)
    except UsageError as error:
        print(error, file=sys.stderr)
        return 2
    except SystemExit as stop:  # --help and --version (0), printed already
        return stop.code if isinstance(stop.code, int) else 0
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
