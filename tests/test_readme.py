"""README.md is true word for word, where a test can tell: its code runs and prints what it says, its commands run,
its list of extras is pyproject.toml's, its notebooks are the ones in notebooks/."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
PYPROJECT = (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def section(title: str) -> str:
    """The text of the README section headed ``## title``, up to the next ``## `` heading."""
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end if end >= 0 else len(README)]


def blocks(text: str, language: str = "") -> list[str]:
    """The fenced code blocks of ``text`` in that language (``""``: blocks without one)."""
    return re.findall(rf"```{language}\n(.*?)```", text, re.DOTALL)


ENVIRONMENT = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}


def python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=cwd,
                          env=ENVIRONMENT)


def dualgrad(words: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The command as a user types it, through ``python3 -m nn.cli`` (the README says it is the same)."""
    return subprocess.run([sys.executable, "-m", "nn.cli", *words], capture_output=True, text=True, timeout=600,
                          cwd=cwd, env=ENVIRONMENT, stdin=subprocess.DEVNULL)  # quiz: no answers, it ends at once


def test_ten_lines_print_exactly_what_the_readme_says(tmp_path):
    text = section("Ten lines")
    (code,) = blocks(text, "python")
    (printed,) = blocks(text.split("prints")[1])
    done = python(code, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == printed


def test_the_python_under_see_the_computation_runs_after_the_ten_lines(tmp_path):
    (ten,) = blocks(section("Ten lines"), "python")
    (tour,) = blocks(section("See the computation"), "python")
    done = python(ten + tour, tmp_path)
    assert done.returncode == 0, done.stderr
    # y = tanh(x x + exp(x)) has five nodes: backprop makes one adjoint final per step, the output's first
    assert "step 1 of 5: v5_bar = 1 is final" in done.stdout and "step 5 of 5: v1_bar = " in done.stdout


def test_the_trace_tables_are_what_dualgrad_trace_prints(tmp_path):
    (tables,) = blocks(section("See the computation"))
    done = dualgrad(["trace"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert tables in done.stdout  # every line, every space


def test_the_neuron_picture_is_what_its_command_draws(tmp_path):
    command = re.search(r"`(dualgrad graph [^`]*-o docs/neuron\.svg)`", section("See the computation")).group(1)
    (tmp_path / "docs").mkdir()
    done = dualgrad(shlex.split(command)[1:], tmp_path)
    assert done.returncode == 0, done.stderr

    def texts(svg: str) -> list[str]:  # what the picture says; coordinates differ between Graphviz versions
        return sorted(re.findall(r"<text[^>]*>([^<]*)</text>", svg))

    drawn = (tmp_path / "docs" / "neuron.svg").read_text()
    assert texts(drawn) == texts((ROOT / "docs" / "neuron.svg").read_text()) and len(texts(drawn)) > 20


def _commands() -> list[str]:
    (block,) = blocks(section("The command line"), "bash")
    return [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]


@pytest.mark.parametrize("command", _commands())
def test_every_command_of_the_command_line_section_runs(command, tmp_path):
    words = shlex.split(command)
    assert words[0] == "dualgrad"
    done = dualgrad(words[1:], tmp_path)
    assert done.returncode == 0, done.stderr
    if "-o" in words:
        written = tmp_path / words[words.index("-o") + 1]
        assert written.read_text().startswith("<!DOCTYPE html>" if written.suffix == ".html" else "<?xml")
    if words[1] == "quiz":
        assert "Fill in" in done.stdout and "score: 0 of" in done.stdout
    if words[1:] == ["--version"]:
        assert re.fullmatch(r"dualgrad \d+\.\d+\.\d+\n", done.stdout)
    if words[1] == "train":
        assert "final accuracy" in done.stdout and (tmp_path / "dualgrad-output" / "moons-loss.png").exists()


def test_the_optimisers_the_command_line_section_lists_are_fits(tmp_path):
    from nn.train import OPTIMIZERS

    text = " ".join(section("The command line").split())
    listed = re.search(r"`--optimizer` takes every optimiser of `nn.optim` by name: (.*?)\. ", text).group(1)
    assert [name.strip(" `") for name in listed.replace(" and ", ", ").split(",")] == list(OPTIMIZERS)
    assert f"one of {', '.join(OPTIMIZERS)} (default: adam)" in " ".join(dualgrad(["train", "--help"], tmp_path)
                                                                          .stdout.split())


def test_what_see_the_computation_says_about_the_rows_and_their_numbering(tmp_path):
    text = " ".join(section("See the computation").split())
    (tables,) = blocks(section("See the computation"))
    quoted = re.findall(r"`(v\d'? = [^`]*|v\d_bar [^`]*)`", text.split("Typed as a formula")[0])
    assert len(quoted) == 4  # v3', v4', v5' and the adjoint row of v2, as the tables above print them
    assert all(row in tables for row in quoted), quoted
    typed = re.search(r'`(dualgrad trace "[^`]*)` numbers the operations', text).group(1)
    done = dualgrad(shlex.split(typed)[1:], tmp_path)
    rows = re.search(r"left to right \((.*?)\): a different", text).group(1).split(", ")
    def table_rows(out: str) -> list[str]:
        return [line.split("  ")[0] for line in out.splitlines() if re.match(r"v\d+ = ", line)]

    assert set(rows) <= set(table_rows(done.stdout)) and "(as typed)" in done.stdout
    built_in = dualgrad(["trace"], tmp_path).stdout
    assert "(the lecture's example)" in built_in and not set(rows) & set(table_rows(built_in))
    assert re.findall(r"df/d\w+ = \S+", done.stdout) == re.findall(r"df/d\w+ = \S+", built_in)  # same gradient


def test_the_errors_are_as_the_command_line_section_describes(tmp_path):
    text = " ".join(section("The command line").split())
    assert "Every error exits non-zero with one line on stderr, `dualgrad COMMAND: error: ...`" in text
    usage = dualgrad(["train", "xor", "--epochs", "zero"], tmp_path)
    assert usage.returncode == 2 and usage.stderr.count("\n") == 1
    assert usage.stderr.startswith("dualgrad train: error: ") and usage.stderr.endswith(
        "(see dualgrad train --help)\n")
    other = dualgrad(["trace", "log(x)", "x=-1"], tmp_path)
    assert other.returncode == 1 and other.stderr.startswith("dualgrad trace: error: ")
    formula = dualgrad(["trace", "2x", "x=1"], tmp_path)
    assert formula.returncode == 1 and formula.stderr.splitlines() == [
        "dualgrad trace: error: not a formula: write 2*x for a product", "  2x", "  ^^"]
    for slip, words in (("2x", "write 2*x for a\nproduct"), ("x^2", "write x**2"), ("ln(x)", "did you mean log?")):
        assert words.replace("\n", " ") in text
        assert words.replace("\n", " ") in dualgrad(["trace", slip, "x=1"], tmp_path).stderr


def _listed(cell: str) -> set[str]:
    return {name.strip().strip("`") for name in cell.split(",") if name.strip()}


def _pyproject_lists() -> dict[str, set[str]]:
    """pyproject.toml's dependencies ("(none)") and extras, as package names without versions."""
    def names(body: str) -> set[str]:
        return {re.split(r"[<>=!\[;\s]", item)[0].lower() for item in re.findall(r'"([^"]+)"', body)}

    lists = {"(none)": names(re.search(r"\ndependencies = \[(.*?)\]", PYPROJECT, re.DOTALL).group(1))}
    extras = PYPROJECT.split("[project.optional-dependencies]")[1].split("\n[")[0]
    for name, body in re.findall(r"^(\w+) = \[(.*?)\]", extras, re.DOTALL | re.MULTILINE):
        lists[f"`{name}`"] = names(re.sub(r"#.*", "", body))
    return lists


def test_the_list_of_extras_is_pyprojects_and_says_what_needs_each():
    rows = [line.split("|")[1:-1] for line in section("What to install for what").splitlines()
            if line.startswith("| ") and not line.startswith("| extra") and "---" not in line]
    table = {extra.strip(): _listed(packages) for extra, packages, needs in rows}
    assert all(needs.strip() for _, _, needs in rows)
    assert table == _pyproject_lists()


def test_the_scripts_install_the_extras_the_readme_says():
    text = " ".join(section("What to install for what").split())
    assert "`scripts/demo` installs `notebooks`" in text and '-e ".[notebooks]"' in (ROOT / "scripts/demo").read_text()
    assert "`scripts/test` installs `test`, `notebooks` and `torch` (with `torch==2.13.0`)" in text
    assert '-e ".[test,notebooks,torch]" "torch==2.13.0"' in (ROOT / "scripts/test").read_text()


def test_the_python_version_and_the_notebook_list_are_true():
    assert "Python 3.10 or newer" in README and 'requires-python = ">=3.10"' in PYPROJECT
    listed = re.findall(r"\]\(notebooks/([^)]+\.ipynb)\)", section("Notebooks"))
    assert sorted(listed) == sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))


def test_the_library_imports_of_the_readme_all_exist(tmp_path):
    (imports,) = blocks(section("The library"), "python")
    done = python(imports, tmp_path)
    assert done.returncode == 0, done.stderr
