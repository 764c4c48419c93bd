#!/usr/bin/env bash
# Install relu_geom on Debian/Ubuntu with Python >= 3.11.
#   bash install.sh          the package and the relu-geom command
#   bash install.sh test     plus the test dependencies (pytest, hypothesis, matplotlib, torch, onnx, ...)
# pycddlib builds from source against the C libraries libcdd and GMP, installed here with apt-get.
set -euo pipefail
cd "$(dirname "$0")"
extras="${1:-}"
if command -v apt-get >/dev/null 2>&1; then
  if ! dpkg -s libcdd-dev libgmp-dev >/dev/null 2>&1; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq libcdd-dev libgmp-dev >/dev/null
  fi
fi
if [ -n "$extras" ]; then target=".[$extras]"; else target="."; fi
python3 -m pip install -q --disable-pip-version-check -e "$target"
if command -v pyenv >/dev/null 2>&1; then pyenv rehash; fi
