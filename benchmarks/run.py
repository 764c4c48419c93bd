"""Run every benchmark in this folder (``python benchmarks/run.py``) and print their tables."""

from __future__ import annotations

import pathlib
import runpy
import sys

here = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(here.parent))
for script in sorted(here.glob("bench_*.py")):
    print(f"\n== {script.name}", flush=True)
    runpy.run_path(str(script), run_name="__main__")
