"""Streamed compiles to a file: cost per region and peak memory as the complex grows.

Run: ``nice -n 10 python benchmarks/bench_compile_stream.py ARCH WORKERS R1 R2 ...`` (for
example ``"[2, 64, 64, 64, 1]" 2 0.5 2 8 32``): one network (``ReLUNetwork.random_normal``,
seed 0) over the boxes ``[-r, r]^d`` of growing ``r``, each streamed with
``rg.compiler.stream_to_file`` to a temporary ``.rgc`` file.  Per box: regions, cells, wall seconds,
CPU seconds of this process and of the worker processes (children of the fork server),
CPU microseconds per region, the size of the file, and the peak resident memory of this
process plus its workers (sampled every 0.2 s from /proc), and the load average.  A run
stops the series once it takes longer than ``MAX_WALL`` seconds (default 600).
"""

from __future__ import annotations

import ast
import multiprocessing.forkserver
import os
import sys
import tempfile
import threading
import time

import relu_geom as rg

MAX_WALL = float(os.environ.get("MAX_WALL", 600))


def _stat(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as fh:
        return fh.read().rsplit(")", 1)[1].split()


def _forkserver() -> int | None:
    return getattr(multiprocessing.forkserver._forkserver, "_forkserver_pid", None)


def _children_cpu() -> float:
    pid = _forkserver()
    if pid is None:
        return 0.0
    f = _stat(pid)
    return (int(f[13]) + int(f[14])) / os.sysconf("SC_CLK_TCK")


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


class PeakMemory(threading.Thread):
    """The largest sum of the resident memory of this process and the fork server's children."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(0.2):
            total = _rss(os.getpid())
            server = _forkserver()
            if server is not None:
                try:
                    with open(f"/proc/{server}/task/{server}/children") as fh:
                        total += sum(_rss(int(pid)) for pid in fh.read().split())
                except OSError:
                    pass
            self.peak = max(self.peak, total)


def main(arch: list[int], workers: int, radii: list[float]) -> None:
    net = rg.ReLUNetwork.random_normal(arch, seed=0)
    print(f"{arch}, workers={workers}, seed 0")
    print(
        f"{'box r':>7}{'regions':>10}{'cells':>11}{'wall s':>9}{'main CPU':>10}{'work CPU':>10}"
        f"{'us/region':>11}{'file MB':>9}{'peak MB':>9}{'load':>6}"
    )
    folder = tempfile.mkdtemp()
    for r in radii:
        path = os.path.join(folder, "big.rgc")
        meter = PeakMemory()
        meter.start()
        kids, cpu, wall = _children_cpu(), time.process_time(), time.perf_counter()
        counts = rg.compiler.stream_to_file(net, path, (-r, r), workers=workers)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        time.sleep(0.5)
        kids = _children_cpu() - kids
        meter.stop.set()
        meter.join()
        n = counts.n_regions
        print(
            f"{r:>7g}{n:>10}{sum(counts.f_vector):>11}{wall:>9.1f}{cpu:>10.1f}{kids:>10.1f}"
            f"{1e6 * (cpu + kids) / n:>11.0f}{os.path.getsize(path) / 2**20:>9.1f}"
            f"{meter.peak / 2**20:>9.0f}{os.getloadavg()[0]:>6.1f}",
            flush=True,
        )
        os.unlink(path)
        if wall > MAX_WALL:
            break


if __name__ == "__main__":
    main(ast.literal_eval(sys.argv[1]), int(sys.argv[2]), [float(v) for v in sys.argv[3:]])
