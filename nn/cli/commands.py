"""What the ``dualgrad`` subcommands do: trace tables, graph pictures, a training run and a demo.

Each ``run_*`` function takes the parsed arguments (``nn.cli.parser`` reads the command line) and returns the
exit code. Formulas go through ``autograd.formula``'s whitelist (never ``eval``; the words are read in
``nn.cli.words``, the training runs are ``nn.cli.recipes``).
"""

from __future__ import annotations

import argparse
import os
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autograd.formula import parse
from autograd.value import Value

from .recipes import Say, train
from .words import LECTURE, LECTURE_POINT, CommandError, build, formula_in, leaves, lecture_example

__all__ = ["trace_text", "write_graph", "demo", "run_trace", "run_graph", "run_train", "run_demo"]

NEURON = "tanh(w*x + b)"
NEURON_POINT = {"w": -3.0, "x": 2.0, "b": 6.88}
WIDTH = 100  # the notes' line width
DOT_FORMATS = (".dot", ".gv")
PICTURE_FORMATS = (".svg", ".png", ".pdf")
PAGE_FORMATS = (".html", ".htm")  # the explorer page (autograd.explore): the graph drawn by dot, stepped through
INSTALL_GRAPHVIZ = ("install Graphviz (Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install graphviz; "
                    "conda: conda install graphviz)")


# ---- trace and graph --------------------------------------------------------------------------------

def trace_text(text: str, root: Value, inputs: list[Value], wrt: str | None = None, markdown: bool = False,
               typed: bool = True) -> str:
    """The formula, a note on the v-numbering, the forward table (d/d ``wrt``, the first input by default), the
    reverse table and the gradient.

    Args:
        typed: ``text`` is the formula as the user typed it (numbered in the order it was evaluated); False for
            the built-in lecture example, numbered as the lecture numbers it.

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
    source = "(as typed)" if typed else "(the lecture's example)"
    quote = (lambda code: f"`{code}`") if markdown else (lambda code: code)  # no * read as emphasis
    return (f"f({', '.join(names)}) = {quote(text)}   {source}   at {point}\n{numbering(text, t, typed, quote)}\n\n"
            f"{show(t.forward_table(wrt=inputs[names.index(wrt or names[0])]))}\n\n{show(t.reverse_table())}\n\n"
            f"f = {root.data:.6g}\ngradient (reverse mode: one backward pass gives every partial):\n{gradient}\n")


def numbering(text: str, t: Any, typed: bool, quote: Callable[[str], str] = str) -> str:
    """What the v-numbers of trace ``t`` follow and, where both numberings of the lecture's formula can meet, how
    the typed formula's order departs from the lecture's (both are valid evaluation orders)."""
    from autograd.tracing import trace

    inputs = {e.node.label: e.node.data for e in t.inputs}
    if not typed:
        typed_entries = trace(parse(LECTURE).evaluate(**inputs)).entries
        ours, theirs = _first_difference(typed_entries, t.entries)
        point = " ".join(f"{name}={value:g}" for name, value in inputs.items())
        return (textwrap.fill("v1 ... v7 number the inputs, then each operation, in the lecture's order. The formula "
                              "typed,", WIDTH)
                + "\n  " + quote(f'dualgrad trace "{LECTURE}" {point}') + "\n"
                + textwrap.fill(f"is numbered in the order Python evaluates it ({ours.name} = {ours.expression} "
                                f"where the lecture has {theirs.name} = {theirs.expression}): another valid order, "
                                "with the same values and gradient.", WIDTH))
    note = ("v1, v2, ...: the inputs first, then each operation in the order it is evaluated, as the lecture numbers "
            "its traces (a typed formula is evaluated as Python does: left to right, each operation after its "
            "operands).")
    if "".join(text.split()) == "".join(LECTURE.split()) and set(inputs) == set(LECTURE_POINT):
        ours, theirs = _first_difference(t.entries, trace(lecture_example(**inputs)).entries)
        note += (f" This is the lecture's formula: typed, it has {ours.name} = {ours.expression} where the "
                 f"lecture's trace (dualgrad trace with no formula) has {theirs.name} = {theirs.expression}: another "
                 "valid evaluation order, with the same values and gradient.")
    return textwrap.fill(note, WIDTH)


def _first_difference(typed: list[Any], lecture: list[Any]) -> tuple[Any, Any]:
    """The first row where the typed formula's trace and the lecture's differ."""
    return next((a, b) for a, b in zip(typed, lecture) if a.expression != b.expression)


def write_graph(root: Value, path: Path, show_grad: bool = True, title: str | None = None) -> Path:
    """Draw ``root`` to ``path``: DOT text for .dot/.gv (no Graphviz binary needed), SVG/PNG/PDF via ``dot``, or
    for .html the explorer page (``autograd.explore``: one offline file stepping through both sweeps).

    Raises:
        graphviz.ExecutableNotFound: a picture format or a page without Graphviz's ``dot`` installed.
    """
    from autograd.explorer import explore
    from autograd.viz import draw

    suffix = path.suffix.lower()
    formats = DOT_FORMATS + PICTURE_FORMATS + PAGE_FORMATS
    if suffix not in formats:
        raise CommandError(f"unknown picture format {path.suffix or '(none)'!r} for {path}: "
                           f"end the name in {', '.join(PICTURE_FORMATS + PAGE_FORMATS[:1] + DOT_FORMATS)}")
    if not path.parent.is_dir():
        raise CommandError(f"cannot write {path}: the folder {path.parent} does not exist")
    if suffix in PAGE_FORMATS:
        if not show_grad:
            raise CommandError(f"--no-grad: the page {path.name} steps through the gradients; leave --no-grad out, "
                               "or draw a picture (.svg, .dot) of the data only")
        return explore(root, title=title).save(path)
    graph = draw(root, show_grad=show_grad)
    if suffix in DOT_FORMATS:
        path.write_text(graph.source, encoding="utf-8")
    else:
        path.write_bytes(graph.pipe(format=suffix[1:]))
    return path


def run_trace(args: argparse.Namespace) -> int:
    text, root, inputs = build(args.items)
    typed = formula_in(args.items) is not None
    print(trace_text(text, root, inputs, wrt=args.wrt, markdown=args.markdown, typed=typed), end="")
    return 0


def run_graph(args: argparse.Namespace) -> int:
    import graphviz

    from autograd.viz import to_dot

    text, root, _ = build(args.items)
    if not args.no_grad:
        root.backward()
    if args.output is None:
        print(to_dot(root, show_grad=not args.no_grad))
        return 0
    path = Path(args.output)
    try:
        write_graph(root, path, show_grad=not args.no_grad, title=f"dualgrad: f = {text}, step by step")
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
    """The tour: the lecture's trace tables, two graph pictures and the explorer page (with Graphviz), a short
    training run; returns the files written."""
    import graphviz

    out.mkdir(parents=True, exist_ok=True)
    say("1/3  The lecture's example, traced: forward mode gives one partial per pass, reverse mode all of them\n")
    root = lecture_example()
    say(trace_text(LECTURE, root, leaves(root), typed=False))
    files = [out / "lecture-trace.md"]
    files[0].write_text(trace_text(LECTURE, root, leaves(root), markdown=True, typed=False), encoding="utf-8")

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
        say(f"     Graphviz's `dot` program is not installed, so the graphs were written as DOT text (.dot) and the "
            f"explorer page was left out. For pictures, {INSTALL_GRAPHVIZ}; then: dot -Tsvg {out / 'neuron.dot'} "
            f"-o {out / 'neuron.svg'}")
    else:
        files.append(write_graph(lecture_example(), out / "lecture.html", title=f"dualgrad: f = {LECTURE}, "
                                 "the lecture's example, step by step"))
        say(f"     and the explorer, {files[-1]}: open it in a browser to step through backprop node by node")

    say("\n3/3  Training a 2-16-16-1 network on the two-moons data with Adam")
    files += train("moons", epochs=epochs, out=out, progress=progress, say=say)["files"]
    say(f"\nDone: {', '.join(path.name for path in files)} are in {out}{os.sep}")
    say("Next: dualgrad trace \"FORMULA\" NAME=VALUE ..., dualgrad graph (-o page.html: the explorer), dualgrad quiz, "
        "dualgrad train moons|circles|xor|spirals|digits (each with --help), and the notebooks.")
    return files


def run_demo(args: argparse.Namespace) -> int:
    demo(Path(args.out), progress=not args.quiet, epochs=args.epochs)
    return 0
