# Sourced by scripts/demo and scripts/test: chooses the Python to install into and installs Debian packages.
#
# Inside an active virtual environment or conda environment, dualgrad goes into it. Anywhere else (Debian's
# or Ubuntu's system Python, which refuses pip installs under PEP 668, a pyenv or python.org Python) it goes
# into .venv in the checkout, made here; where Debian's Python lacks venv, apt-get installs python3-venv.
# Every stage prints one line; pip and apt-get are quiet unless they fail.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
LOG="$(mktemp "${TMPDIR:-/tmp}/dualgrad-setup.XXXXXX")"
trap 'rm -f "$LOG"' EXIT
STAGE=0
STAGES=${STAGES:-1}

stage() {  # stage "what happens now"
  STAGE=$((STAGE + 1))
  echo "[$STAGE/$STAGES] $*"
}

fail() {
  echo "error: $*" >&2
  exit 1
}

quietly() {  # run a command with its output in $LOG, shown only if it fails
  if ! "$@" >"$LOG" 2>&1; then
    tail -n 30 "$LOG" >&2
    fail "this failed: $*"
  fi
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

APT_UPDATED=0
apt_install() {  # apt_install PACKAGE...: the ones not installed yet, with one apt-get update first
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || return 1
  echo "      apt-get install ${missing[*]}"
  if [ "$APT_UPDATED" -eq 0 ]; then
    quietly as_root apt-get update -qq
    APT_UPDATED=1
  fi
  quietly as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

in_environment() {  # is $1 the Python of an active virtual environment or conda environment?
  "$1" - <<'EOF'
import os, sys
conda = os.environ.get("CONDA_PREFIX")
in_conda = bool(conda) and os.path.realpath(sys.prefix) == os.path.realpath(conda)
sys.exit(0 if sys.prefix != sys.base_prefix or in_conda else 1)
EOF
}

make_venv() {  # make_venv PYTHON: .venv from that Python, with pip in it
  rm -rf "$VENV"
  "$1" -m venv "$VENV" >"$LOG" 2>&1 && "$VENV/bin/python" -m pip --version >/dev/null 2>&1
}

choose_python() {  # sets PYTHON (the interpreter to install into), BIN (its scripts folder) and WHERE
  local base="${PYTHON:-python3}" version
  command -v "$base" >/dev/null 2>&1 || fail "no $base on PATH: install Python 3.10 or newer"
  version="$("$base" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  "$base" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || fail "dualgrad needs Python 3.10 or newer; $base is $version"
  if in_environment "$base"; then
    PYTHON="$(command -v "$base")"
    WHERE="$("$base" -c 'import sys; print(sys.prefix)')"
    stage "Python $version: installing into the active environment $WHERE"
  elif [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    PYTHON="$VENV/bin/python"
    WHERE="$VENV"
    stage "Python $version: using the virtual environment .venv made before (remove it to start afresh)"
  else
    stage "Python $version is not in a virtual environment: making one in .venv (pip never touches the system's Python)"
    if ! make_venv "$base"; then
      # Debian and Ubuntu ship venv without ensurepip until python3-venv is installed
      apt_install python3-venv "python$version-venv" \
        || fail "cannot make a virtual environment with $base: $(tail -n 3 "$LOG"). Install venv (Debian/Ubuntu: apt-get install python3-venv) and run this again"
      make_venv "$base" || { tail -n 20 "$LOG" >&2; fail "cannot make a virtual environment with $base"; }
    fi
    PYTHON="$VENV/bin/python"
    WHERE="$VENV"
  fi
  BIN="$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"
  export PATH="$BIN:$PATH"  # the console scripts just installed (dualgrad, jupyter) come first
}

pip_install() {  # pip_install ARGUMENT...: quiet, errors shown
  "$PYTHON" -m pip install --quiet --disable-pip-version-check "$@"
}

how_to_use() {  # what to type next, for what was installed where
  if [ "$WHERE" = "$VENV" ]; then
    echo "dualgrad is installed in .venv. Run .venv/bin/dualgrad --help, or first 'source .venv/bin/activate' and then"
    echo "dualgrad ...; open the notebooks with: .venv/bin/jupyter lab notebooks/"
  else
    echo "dualgrad is installed in $WHERE: dualgrad --help; open the notebooks with: jupyter lab notebooks/"
  fi
}
