"""The set-up scripts choose where to install as the README says: into an active virtual or conda environment,
else into a .venv they make (never the system's Python); they say each stage in one line. The whole of both
commands on a fresh clone is checked by scripts/check-fresh-install (too slow for the suite)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BASE_PYTHON = Path(sys.base_prefix) / "bin" / "python3"  # this interpreter's own Python, outside any environment


def _checkout(tmp_path: Path) -> Path:
    """A folder laid out like a checkout, holding the sourced script (so .venv is made there, not here)."""
    (tmp_path / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "environment.sh", tmp_path / "scripts")
    return tmp_path


def _choose(checkout: Path, python: Path | str, extra_env: dict[str, str] | None = None,
            path: str | None = None) -> subprocess.CompletedProcess[str]:
    script = 'STAGES=1; source scripts/environment.sh; choose_python; echo "PYTHON=$PYTHON"; echo "WHERE=$WHERE"'
    environment = {key: value for key, value in os.environ.items() if key not in ("VIRTUAL_ENV", "CONDA_PREFIX")}
    environment.update({"PYTHON": str(python), **(extra_env or {})})
    if path is not None:
        environment["PATH"] = path
    return subprocess.run(["bash", "-c", script], cwd=checkout, capture_output=True, text=True, timeout=300,
                          env=environment)


def _values(done: subprocess.CompletedProcess[str]) -> dict[str, str]:
    return dict(line.split("=", 1) for line in done.stdout.splitlines() if re.match(r"(PYTHON|WHERE)=", line))


@pytest.mark.skipif(not BASE_PYTHON.exists(), reason="needs the base interpreter at sys.base_prefix/bin/python3")
def test_outside_an_environment_a_venv_is_made_in_the_checkout_and_reused(tmp_path):
    checkout = _checkout(tmp_path)
    done = _choose(checkout, BASE_PYTHON)
    assert done.returncode == 0, done.stderr
    assert re.match(r"\[1/1\] Python 3\.\d+ is not in a virtual environment: making one in \.venv", done.stdout)
    assert _values(done) == {"PYTHON": str(checkout / ".venv" / "bin" / "python"), "WHERE": str(checkout / ".venv")}
    pip = subprocess.run([str(checkout / ".venv" / "bin" / "python"), "-m", "pip", "--version"], capture_output=True,
                         text=True, timeout=120)
    assert pip.returncode == 0 and str(checkout / ".venv") in pip.stdout  # pip installs there, not into the system
    again = _choose(checkout, BASE_PYTHON)
    assert "using the virtual environment .venv made before" in again.stdout
    assert _values(again)["PYTHON"] == str(checkout / ".venv" / "bin" / "python")


def test_inside_a_virtual_environment_it_installs_into_it_and_makes_no_venv(tmp_path):
    checkout = _checkout(tmp_path / "checkout")
    venv.create(tmp_path / "env", with_pip=False)
    python = tmp_path / "env" / "bin" / "python"
    done = _choose(checkout, python)
    assert done.returncode == 0, done.stderr
    assert f"installing into the active environment {tmp_path / 'env'}" in done.stdout
    assert _values(done) == {"PYTHON": str(python), "WHERE": str(tmp_path / "env")}
    assert not (checkout / ".venv").exists()


@pytest.mark.skipif(not BASE_PYTHON.exists(), reason="needs the base interpreter at sys.base_prefix/bin/python3")
def test_inside_a_conda_environment_it_installs_into_it(tmp_path):
    checkout = _checkout(tmp_path)
    done = _choose(checkout, BASE_PYTHON, {"CONDA_PREFIX": sys.base_prefix})  # that prefix is the active "conda" one
    assert done.returncode == 0, done.stderr
    assert "installing into the active environment" in done.stdout and not (checkout / ".venv").exists()


def test_without_venv_and_without_apt_get_it_says_what_to_install(tmp_path):
    # a Debian Python before python3-venv is installed: `python3 -m venv` fails for want of ensurepip
    checkout = _checkout(tmp_path / "checkout")
    tools = tmp_path / "bin"
    tools.mkdir()
    fake = tools / "python3"
    fake.write_text("#!/bin/sh\n"
                    'case "$1" in\n'
                    '  -m) echo "The virtual environment was not created successfully because ensurepip is not '
                    'available." >&2; exit 1 ;;\n'
                    "  -) exit 1 ;;\n"  # not an environment
                    '  -c) case "$2" in *print*) echo 3.11 ;; esac; exit 0 ;;\n'
                    "esac\n")
    fake.chmod(0o755)
    for tool in ("bash", "rm", "mktemp", "tail", "grep", "dirname", "id", "cat", "sh"):
        found = shutil.which(tool)
        if found:
            (tools / tool).symlink_to(found)
    done = _choose(checkout, "python3", path=str(tools))  # no apt-get, no dpkg-query on this PATH
    assert done.returncode == 1
    assert "making one in .venv" in done.stdout
    assert "cannot make a virtual environment with python3" in done.stderr
    assert "Install venv (Debian/Ubuntu: apt-get install python3-venv) and run this again" in done.stderr


@pytest.mark.parametrize("script", ["demo", "test"])
def test_each_script_numbers_its_stages_truly(script):
    text = (ROOT / "scripts" / script).read_text()
    declared = int(re.search(r"^STAGES=(\d+)$", text, re.MULTILINE).group(1))
    # choose_python is one stage; every other stage is a `stage "..."` line
    assert declared == 1 + len(re.findall(r'^stage "', text, re.MULTILINE)) and "choose_python" in text
    assert "pip_install" in text and "source \"$(dirname \"$0\")/environment.sh\"" in text


def test_the_venv_is_ignored_and_ci_runs_the_readme_test_command():
    assert ".venv/" in (ROOT / ".gitignore").read_text().splitlines()
    assert "exec bash scripts/test" in (ROOT / ".ci" / "run").read_text()
    for name in ("demo", "test", "check-fresh-install"):
        assert subprocess.run(["bash", "-n", str(ROOT / "scripts" / name)], timeout=60).returncode == 0
