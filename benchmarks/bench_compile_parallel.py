"""One worker against two, alternated in one run: compile with the H-representation of every cell.

Run: ``python benchmarks/bench_compile_parallel.py [ROUNDS] [ARCH]`` (default 3 rounds of
``[3, 16, 16, 1]`` over R^3, seed 0, ``ReLUNetwork.random_normal``).  Each round compiles with
``workers=1`` and with ``workers=2`` (``hreps=True``, then every cell's inequalities are read,
so the work includes making the cell and polyhedron objects in this process) and prints wall
seconds, CPU seconds of this process and of the worker processes (read from the fork
server, whose children they are), the load average, and whether the complex is identical.
On a machine shared with other jobs the wall-clock ratio depends on their load; the CPU
columns say what the computation itself costs.
"""

from __future__ import annotations

import ast
import multiprocessing.forkserver
import os
import sys
import time

import relu_geom as rg


def _forkserver_children_cpu() -> float:
    pid = getattr(multiprocessing.forkserver._forkserver, "_forkserver_pid", None)
    if pid is None:
        return 0.0
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")  # cutime + cstime


def run(net: rg.ReLUNetwork, workers: int) -> tuple[float, float, float, list]:
    kids = _forkserver_children_cpu()
    wall, cpu = time.perf_counter(), time.process_time()
    cx = rg.compile_network(net, workers=workers, hreps=True)
    hreps = [(c.polyhedron.equalities, c.polyhedron.inequalities) for c in cx.cells]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    time.sleep(0.3)  # the fork server reaps the finished workers
    kids = _forkserver_children_cpu() - kids
    return wall, cpu, kids, [(c.sign_key, c.region_index) for c in cx.cells] + hreps


def main(rounds: int = 3, arch: list[int] | None = None) -> None:
    net = rg.ReLUNetwork.random_normal(arch or [3, 16, 16, 1], seed=0)
    rg.compile_network(rg.ReLUNetwork.random_normal([2, 3, 1], seed=0), workers=2)  # start the fork server
    print(f"{'round':<7}{'workers':<9}{'wall s':>8}{'main CPU s':>12}{'workers CPU s':>15}  load  identical")
    reference = None
    walls: dict[int, list[float]] = {1: [], 2: []}
    for r in range(rounds):
        for workers in (1, 2):
            wall, cpu, kids, cells = run(net, workers)
            reference = reference or cells
            walls[workers].append(wall)
            load = os.getloadavg()[0]
            print(
                f"{r:<7}{workers:<9}{wall:>8.2f}{cpu:>12.2f}{kids:>15.2f}{load:>6.1f}  {cells == reference}",
                flush=True,
            )
    print(
        f"best wall 1 worker {min(walls[1]):.2f} s, 2 workers {min(walls[2]):.2f} s: "
        f"{min(walls[1]) / min(walls[2]):.2f}x"
    )


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 3,
        ast.literal_eval(sys.argv[2]) if len(sys.argv) > 2 else None,
    )
