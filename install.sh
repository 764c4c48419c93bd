#!/usr/bin/env bash
# Install relu_geom (Python >= 3.11) and the relu-geom command.
#   bash install.sh          the package (with matplotlib, so `relu-geom demo` draws its picture)
#   bash install.sh test     plus the test dependencies (pytest, hypothesis, torch, onnx, ...)
#   bash install.sh EXTRA    any extra of pyproject.toml (plot, torch, onnx, notebooks, test)
#
# 1. System libraries: pycddlib builds against libcdd and GMP (Debian/Ubuntu packages
#    libcdd-dev and libgmp-dev), installed with apt-get as root or with sudo. Without either,
#    the script names the two packages to ask for and still tries the Python install.
# 2. Python: the active interpreter ($PYTHON, default python3) when it accepts pip installs
#    (a virtual environment, conda, or a system Python that is not "externally managed").
#    On a system Python that refuses them (PEP 668, e.g. Debian 12), a project environment
#    .venv is created (or reused) and the package installed there; relu-geom is then linked
#    into the first writable folder on PATH among ~/.local/bin, ~/bin, /usr/local/bin, and the
#    script prints how to activate .venv (needed for `python3 -m pytest`).
# INSTALL_DRY_RUN=1 prints the plan and changes nothing.
set -euo pipefail
cd "$(dirname "$0")"
extras="${1:-}"
python="${PYTHON:-python3}"
dry="${INSTALL_DRY_RUN:-}"
say() { echo "install.sh: $*" >&2; }
run() { if [ -n "$dry" ]; then say "would run: $*"; else "$@"; fi; }

# ---------------------------------------------------------------- system libraries
system_pkgs="libcdd-dev libgmp-dev"
# the test extra also wants a real browser: the interactive views are opened in headless Chromium
case "${1:-}" in test) system_pkgs="$system_pkgs chromium" ;; esac
hint="the system packages libcdd-dev and libgmp-dev are needed (as root: apt-get install libcdd-dev libgmp-dev)"
missing=""
if command -v dpkg >/dev/null 2>&1; then
  for pkg in $system_pkgs; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
  done
fi
if [ -n "$missing" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    run apt-get update -qq
    run apt-get install -y -qq $missing >/dev/null
  elif command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
    run sudo apt-get update -qq
    run sudo apt-get install -y -qq $missing
  else
    say "missing:$missing; $hint"
  fi
elif ! command -v dpkg >/dev/null 2>&1; then
  say "not a Debian/Ubuntu system: make sure libcdd and GMP (with headers) are installed"
fi

# ---------------------------------------------------------------- which Python
if ! command -v "$python" >/dev/null 2>&1; then
  say "no $python found; install Python >= 3.11 or set PYTHON=/path/to/python3"
  exit 2
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  say "$python is $("$python" -V 2>&1); relu_geom needs Python >= 3.11 (set PYTHON=...)"
  exit 2
fi
# externally managed (PEP 668): outside a virtual environment, with the marker file in stdlib
managed=$("$python" -c 'import os, sys, sysconfig
venv = sys.prefix != sys.base_prefix
marker = os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")
print(int(not venv and os.path.exists(marker)))')
if [ "$managed" = 1 ]; then
  target="venv"
  say "$python is externally managed (PEP 668): installing into the project environment .venv"
  if [ ! -x .venv/bin/python ]; then
    run "$python" -m venv .venv || {
      say "could not create .venv: install the system package python3-venv (apt-get install python3-venv)"
      exit 2
    }
  fi
  pip_python=".venv/bin/python"
else
  target="active"
  pip_python="$python"
fi
say "target: $target Python ($pip_python)"

# ---------------------------------------------------------------- the package
if [ -n "$extras" ]; then spec=".[$extras]"; else spec="."; fi
if ! run "$pip_python" -m pip install -q --disable-pip-version-check -e "$spec"; then
  say "pip failed; if pycddlib did not build: $hint"
  exit 2
fi
if command -v pyenv >/dev/null 2>&1 && [ "$target" = active ]; then run pyenv rehash; fi

if [ "$target" = venv ]; then
  linked=""
  for dir in "$HOME/.local/bin" "$HOME/bin" /usr/local/bin; do
    case ":$PATH:" in
      *":$dir:"*)
        if [ -e "$dir" ] && [ ! -w "$dir" ]; then continue; fi
        run mkdir -p "$dir"
        run ln -sf "$PWD/.venv/bin/relu-geom" "$dir/relu-geom"
        linked="$dir/relu-geom"
        break
        ;;
    esac
  done
  if [ -n "$linked" ]; then say "linked $linked -> .venv/bin/relu-geom"; fi
  if [ -z "$linked" ]; then say "relu-geom is in .venv/bin; put it on PATH with: . .venv/bin/activate"; fi
  say "for python3 -m pytest and 'import relu_geom', first run: . .venv/bin/activate"
fi
