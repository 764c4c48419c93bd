"""Run every benchmark in this folder (``python benchmarks/run.py``) and print their tables.

A benchmark that fails is reported and the others still run; the exit status is 1 then.
"""

from __future__ import annotations

import pathlib
import runpy
import sys
import traceback

here = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(here.parent))
failed = []
for script in sorted(here.glob("bench_*.py")):
    print(f"\n== {script.name}", flush=True)
    try:
        runpy.run_path(str(script), run_name="__main__")
    except Exception:  # report and go on with the next benchmark
        traceback.print_exc()
        failed.append(script.name)
if failed:
    print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    sys.exit(1)
