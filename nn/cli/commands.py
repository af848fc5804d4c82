"""What the ``dualgrad`` subcommands do: trace tables, graph pictures, a training run and a demo.

Each ``run_*`` function takes the parsed arguments (``nn.cli.parser`` reads the command line) and returns the
exit code. Formulas go through ``autograd.formula``'s whitelist (never ``eval``; the words are read in
``nn.cli.words``, the training runs are ``nn.cli.recipes``).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autograd.formula import parse
from autograd.value import Value

from .recipes import Say, train
from .words import LECTURE, CommandError, build, leaves, lecture_example

__all__ = ["trace_text", "write_graph", "demo", "run_trace", "run_graph", "run_train", "run_demo", "OPTIMIZERS"]

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
