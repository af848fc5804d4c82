"""``dualgrad quiz``: fill in a trace table in the terminal, one cell at a time, with a hint and a second try
after a wrong number. It reads standard input line by line, so a file of answers can drive it.
"""

from __future__ import annotations

import argparse
import functools
import random
import sys
from collections.abc import Callable
from typing import Any, TextIO

from autograd.exercises import LEVELS, FormulaExercise, exercise
from autograd.formula import FormulaError, parse

from .words import CommandError, allowed, build

__all__ = ["add_parser", "run", "read_number"]

MODES = tuple(reversed(FormulaExercise.modes))  # adjoint first: the default
EXAMPLES = """examples:
  dualgrad quiz                                     # a level-1 formula, adjoint trace, a fresh seed
  dualgrad quiz --level 3 --seed 7 --mode tangent   # the same seed gives the same formula
  dualgrad quiz "x1*x2 + exp(x1*x2) - sin(x2)" x1=1.5 x2=0.5
  dualgrad quiz --seed 3 < answers.txt              # answers from a file (or a pipe), one per line

At each prompt type a number (or a sum such as 0.5*2.117: it is read as a formula of numbers),
'?' for a hint, an empty line to skip the cell, 'q' to stop."""


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register ``quiz`` on ``subparsers`` (from ``parser.add_subparsers()``); it runs ``run``.

    >>> parser = argparse.ArgumentParser(prog="dualgrad")
    >>> quiz = add_parser(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["quiz", "--level", "2", "--seed", "5"]); (args.level, args.seed, args.mode)
    (2, 5, 'adjoint')
    """
    quiz = subparsers.add_parser(
        "quiz", help="fill in a trace table cell by cell, with hints",
        description="Fill in the primal, tangent or adjoint trace of a formula, cell by cell: a wrong number "
                    "gets a hint and a second try, and the end shows the score. Without a formula, a formula "
                    "is generated from --level and --seed.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    quiz.add_argument("items", nargs="*", metavar="FORMULA NAME=VALUE",
                      help=f"a formula (quoted) and a value for each of its variables. Allowed: {allowed()}. Without "
                           "a formula, one is generated from --level and --seed")
    quiz.add_argument("--level", type=int, choices=sorted(LEVELS), metavar="N",
                      help="of a generated formula (default: 1): " + "; ".join(
                          f"{n}: {'-'.join(map(str, level.operations))} operations" for n, level in LEVELS.items()))
    quiz.add_argument("--seed", type=int, metavar="N",
                      help="of a generated formula: the same seed gives the same formula (default: a fresh one)")
    quiz.add_argument("--mode", choices=MODES, default="adjoint", help="which trace to fill in (default: adjoint)")
    quiz.add_argument("--wrt", metavar="NAME", help="the input of the tangent trace (default: the first)")
    quiz.add_argument("--formulas", action="store_true", help="show each cell's formula (easier)")
    quiz.set_defaults(run=run, formula=True)  # formula: the words may hold a formula starting with '-'
    return quiz


def read_number(text: str) -> float:
    """A typed answer: a number, or a formula of numbers only (``0.5*2.117``), through the parser's whitelist.

    >>> read_number("1.5"), read_number("-1/4")
    (1.5, -0.25)
    """
    try:
        return float(text)
    except ValueError:
        pass
    formula = parse(text)
    if formula.variables:
        raise ValueError(f"{text!r} is not a number")
    return float(formula())


def make_exercise(args: argparse.Namespace) -> tuple[FormulaExercise, int | None]:
    """The exercise the arguments ask for, and its seed: the formula given (no seed), or a generated one."""
    if args.items:
        if args.seed is not None or args.level is not None:
            raise CommandError("--seed and --level make a generated formula: give them without a formula")
        text, root, _ = build(args.items)
        return FormulaExercise(root, text), None
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10_000)
    return exercise(seed=seed, level=args.level or 1), seed


def run(args: argparse.Namespace, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Ask for every blank of the table, check each answer as it comes, end with the score.

    Args:
        args: the parsed arguments of ``quiz``.
        stdin, stdout: where the answers come from and where the quiz writes (default: the process's own,
            looked up at the call, so that a redirected ``sys.stdin`` is read).

    Returns:
        0, also when the answers end early (the score counts what was answered). Mistakes in the arguments
        raise ``CommandError``, ``FormulaError`` or ``ValueError``, which ``dualgrad`` prints as one line.
    """
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    ex, seed = make_exercise(args)
    mode, wrt = args.mode, args.wrt
    cells = ex.sheet(mode, wrt).cells  # also refuses a --wrt that is not a variable
    write = functools.partial(print, file=stdout, flush=True)
    write(f"{ex.table(mode, wrt, formulas=args.formulas)}\n")
    again = f" (the same again: --level {args.level or 1} --seed {seed})" if seed is not None else ""
    write(f"Fill in {len(cells)} cells{again}: a number per line; '?' for a hint, empty to skip, 'q' to stop.")
    answers: dict[str, float] = {}
    second: list[str] = []
    stopped = False
    for cell in cells:
        for attempt in (1, 2):
            answer = _ask(cell.name, cell.hint, stdin, write)
            if answer is None or answer == _STOP:
                stopped = True
            if not isinstance(answer, float):
                break
            answers[cell.name] = answer
            verdict = ex.check(answers, mode, wrt)
            if cell.name not in verdict.wrong:
                write("  right")
                second += [cell.name] if attempt == 2 else []
                break
            write(f"  not yet: {verdict.hints[cell.name]}")
            write("  try again" if attempt == 1 else f"  it is {cell.value:.6g}: go on with that number")
        if stopped:
            break
    result = ex.check(answers, mode, wrt)
    write(f"\n{result}")
    write(f"score: {len(result.right)} of {len(cells)} ({result.score:.0%})"
          + (f", {len(second)} of them on the second try" if second else ""))
    return 0


_SKIP, _STOP = "skip", "stop"


def _ask(name: str, hint: str, stdin: TextIO, write: Callable[..., None]) -> float | str | None:
    """One answer: a number, ``_SKIP``, ``_STOP``, or None when the input has ended."""
    while True:
        write(f"{name} = ", end="")
        line = stdin.readline()
        if not line:
            write()
            return None
        text = line.strip()
        if not stdin.isatty():
            write(text)  # echo a scripted answer, so that the transcript reads as a session
        if not text:
            return _SKIP
        if text.lower() in ("q", "quit"):
            return _STOP
        if text == "?":
            write(f"  hint: {hint}")
            continue
        try:
            return read_number(text)
        except (FormulaError, ValueError, ArithmeticError) as error:
            write(f"  {str(error).splitlines()[0]}; type a number such as 0.75 (or '?', an empty line, 'q')")
