"""Parallel compile: wall time and CPU time (main process and workers) per worker count.

Run: ``python benchmarks/bench_parallel.py [ARCH]`` (default ``[3, 16, 16, 1]`` over R^3,
seed 0).  On a shared machine the wall-clock speedup depends on the other load, so the
table also gives the CPU seconds of the calling process (the serial part: first layer,
gluing, cell records) and of the workers; ``bound`` is the speedup these CPU times allow
on idle cores, ``serial CPU / (main CPU + workers CPU / workers)``.
"""

from __future__ import annotations

import ast
import resource
import sys
import time

import relu_geom as rg


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main(arch: list[int] | None = None, seed: int = 0) -> None:
    net = rg.ReLUNetwork.random_normal(arch or [3, 16, 16, 1], seed=seed)
    print(f"{'workers':<9}{'wall s':>8}{'main CPU s':>12}{'workers CPU s':>15}{'bound':>8}  identical")
    reference = serial_cpu = None
    for workers in (1, 2, 3):
        kids = _children_cpu()
        wall, cpu = time.perf_counter(), time.process_time()
        cx = rg.compile_network(net, workers=workers)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        kids = _children_cpu() - kids
        cells = [(c.sign_key, c.region_index, c.face_indices) for c in cx.cells]
        if reference is None:
            reference, serial_cpu = cells, cpu
        bound = serial_cpu / (cpu + kids / workers)
        print(
            f"{workers:<9}{wall:>8.2f}{cpu:>12.2f}{kids:>15.2f}{bound:>8.2f}  {cells == reference}",
            flush=True,
        )


if __name__ == "__main__":
    main(ast.literal_eval(sys.argv[1]) if len(sys.argv) > 1 else None)
