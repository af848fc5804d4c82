"""``dualgrad quiz``, driven through standard input: the module's parser and run(), and a real process with a pipe."""

import io
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograd.exercises import exercise
from nn.cli import make_parser, quiz
from nn.cli.parser import UsageError, parse_arguments
from nn.cli.words import CommandError

ROOT = Path(__file__).resolve().parents[1]
LECTURE = "x1*x2 + exp(x1*x2) - sin(x2)"


def parse(*argv):
    """The words after ``dualgrad quiz``, read by the command's own parser."""
    return parse_arguments(make_parser(), ["quiz", *argv])


def play(lines, *argv):
    out = io.StringIO()
    code = quiz.run(parse(*argv), stdin=io.StringIO("".join(f"{line}\n" for line in lines)), stdout=out)
    return code, out.getvalue()


def numbers(solution):
    return [repr(v) for v in solution.values()]


def test_the_engines_answers_score_everything():
    solution = exercise(seed=3, level=1).solution("adjoint")
    code, out = play(numbers(solution), "--seed", "3")
    assert code == 0
    assert out.count("  right") == len(solution) and "not yet" not in out
    assert f"score: {len(solution)} of {len(solution)} (100%)" in out
    assert "(level 1, seed 3)" in out and "--level 1 --seed 3" in out and "v7_bar" in out


def test_a_wrong_answer_gets_a_hint_and_a_second_try():
    ex = exercise(LECTURE, x1=1.5, x2=0.5)
    solution = ex.solution("adjoint")
    lines = numbers(solution)
    v3_bar = solution["v3_bar"]
    lines[4:5] = [repr(math.exp(0.75)), repr(v3_bar)]  # v3_bar: the path through v5 left out, then right
    code, out = play(lines, LECTURE, "x1=1.5", "x2=0.5")
    assert code == 0
    assert "not yet: v3 feeds 2 operations (v4 and v5); your number looks like it leaves out the path through " \
           "v5 = v3 + v4" in out
    hint = next(line for line in out.splitlines() if "not yet" in line)
    assert "try again" in out and f"{v3_bar:.4g}" not in hint
    assert "score: 7 of 7 (100%), 1 of them on the second try" in out


def test_two_wrong_answers_give_the_answer_and_the_quiz_goes_on():
    solution = exercise(LECTURE, x1=1.5, x2=0.5).solution("primal")
    lines = numbers(solution)
    lines[0:1] = ["5", "6"]  # v3 wrong twice
    code, out = play(lines, "--mode", "primal", LECTURE, "x1=1.5", "x2=0.5")
    assert code == 0 and "it is 0.75: go on with that number" in out
    assert "score: 4 of 5 (80%)" in out and "v3 = 6 is wrong" in out


def test_hint_skip_stop_and_words_that_are_not_numbers():
    solution = exercise(LECTURE, x1=1.5, x2=0.5).solution("tangent", wrt="x2")
    code, out = play(["?", "0", "", "abc", "1.5*1", "q"], "--mode", "tangent", "--wrt", "x2", LECTURE, "x1=1.5",
                     "x2=0.5")
    assert code == 0
    assert "hint: v1' is an input's tangent, the seed: 1 for the input you differentiate by (x2)" in out
    assert "'abc' is not a number" in out  # asked again, not counted
    assert solution["v3'"] == 1.5 and "score: 2 of 7 (29%)" in out and "missing: v2', v4'" in out


def test_the_answers_may_end_early():
    code, out = play(["1"], "--seed", "0", "--level", "2")
    assert code == 0 and "score: 1 of" in out


def test_formulas_show_each_cells_formula():
    _, out = play([], "--formulas", "--mode", "tangent", LECTURE, "x1=1.5", "x2=0.5")
    assert "v3' = v2 v1' + v1 v2'" in out


def test_mistakes_in_the_arguments_are_refused_with_a_reason():
    with pytest.raises(CommandError, match="--seed and --level make a generated formula"):
        play([], "--seed", "1", LECTURE, "x1=1.5", "x2=0.5")
    with pytest.raises(CommandError, match="missing a value for x2"):
        play([], LECTURE, "x1=1.5")
    with pytest.raises(ValueError, match="wrt='x3' is not an input"):
        play([], "--mode", "tangent", "--wrt", "x3", LECTURE, "x1=1.5", "x2=0.5")
    with pytest.raises(UsageError, match="argument --level: invalid choice: 4"):
        parse("--level", "4")


def test_help_lists_the_options_and_examples(capsys):
    with pytest.raises(SystemExit):
        parse("--help")
    text = capsys.readouterr().out
    for word in ("--level", "--seed", "--mode", "adjoint,tangent,primal", "examples:", "dualgrad quiz --level 3"):
        assert word in text


def test_a_process_reads_its_answers_from_a_pipe():
    solution = exercise(seed=11, level=2).solution("adjoint")
    answers = "".join(f"{v!r}\n" for v in solution.values())
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-m", "nn.cli", "quiz", "--seed", "11", "--level", "2"], input=answers,
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert f"score: {len(solution)} of {len(solution)} (100%)" in done.stdout
