#!/usr/bin/env bash
# Build the documentation site into docs/_build/html; warnings are errors.
set -euo pipefail
cd "$(dirname "$0")"
python3 -m sphinx -W --keep-going -q -b html . _build/html
echo "site: docs/_build/html/index.html"
