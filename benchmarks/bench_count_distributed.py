"""Count the regions of a large network on a local Dask cluster (two worker processes).

Run: ``nice -n 19 python benchmarks/bench_count_distributed.py R W1 [W2 ...]`` (for example
``1000 200``): for each width ``W`` the network ``[3, W, W, 1]``
(``ReLUNetwork.random_normal``, seed 0) over the box ``[-R, R]^3``, counted with
``rg.count_regions(..., regions_only=True, executor=...)`` on a ``distributed.LocalCluster``
of 2 worker processes (one thread each).  Per count: regions, bounded regions, wall seconds,
CPU seconds of this process (the coordinator) and of the two workers, CPU microseconds per
region, the peak resident memory of the coordinator and of each worker (sampled every
0.5 s from /proc) and the load average.  The library's progress bar (tasks finished and
regions counted so far) goes to stderr; a line ``... s: coordinator MB, workers MB, worker
CPU s`` is printed every ``REPORT`` seconds (default 60).  ``MAX_SECONDS`` (environment) bounds
each count: a count stopped there prints the lower bounds it had reached (the regions of the
finished tasks, ``LimitExceededError.partial``).  Needs ``dask[distributed]``.
"""

from __future__ import annotations

import os
import sys
import threading
import time

import relu_geom as rg

REPORT = float(os.environ.get("REPORT", 60))
MAX_SECONDS = float(os.environ["MAX_SECONDS"]) if "MAX_SECONDS" in os.environ else None
TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def _cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            f = fh.read().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) / TICK
    except OSError:
        return 0.0


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * PAGE
    except OSError:
        return 0


class Meter(threading.Thread):
    """Peak resident memory of the coordinator and of each worker; a report every REPORT s."""

    def __init__(self, workers: list[int]) -> None:
        super().__init__(daemon=True)
        self.workers = workers
        self.peak_main = 0
        self.peak_workers = [0] * len(workers)
        self.stop = threading.Event()
        self.t0 = time.perf_counter()
        self.cpu0 = [_cpu(p) for p in workers]

    def run(self) -> None:
        next_report = self.t0 + REPORT
        while not self.stop.wait(0.5):
            self.peak_main = max(self.peak_main, _rss(os.getpid()))
            rss = [_rss(p) for p in self.workers]
            self.peak_workers = [max(a, b) for a, b in zip(self.peak_workers, rss)]
            now = time.perf_counter()
            if now >= next_report:
                next_report = now + REPORT
                cpu = sum(_cpu(p) for p in self.workers) - sum(self.cpu0)
                print(
                    f"  {now - self.t0:7.0f} s: coordinator {_rss(os.getpid()) / 2**20:.0f} MB, "
                    f"workers {' '.join(f'{r / 2**20:.0f}' for r in rss)} MB, worker CPU {cpu:.0f} s, "
                    f"load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )


def main(radius: float, widths: list[int]) -> None:
    import distributed

    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    )
    client = distributed.Client(cluster)
    executor = client.get_executor(pure=False)
    pids = sorted(client.run(os.getpid).values())
    print(f"LocalCluster: 2 workers (pids {pids}), box [-{radius:g}, {radius:g}]^3, seed 0", flush=True)
    print(
        f"{'network':>18}{'regions':>11}{'bounded':>11}{'wall s':>9}{'main CPU':>10}{'work CPU':>10}"
        f"{'us/region':>11}{'main MB':>9}{'worker MB':>12}{'load':>6}",
        flush=True,
    )
    try:
        for w in widths:
            arch = [3, w, w, 1]
            net = rg.ReLUNetwork.random_normal(arch, seed=0)
            meter = Meter(pids)
            meter.start()
            cpu, wall = time.process_time(), time.perf_counter()
            complete = True
            try:
                counts = rg.count_regions(
                    net, (-radius, radius), regions_only=True, workers=2, executor=executor, progress=True,
                    max_seconds=MAX_SECONDS,
                )
            except rg.LimitExceededError as err:
                counts, complete = err.partial, False
                print(f"  stopped at MAX_SECONDS={MAX_SECONDS:g}: the counts below are lower bounds", flush=True)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            meter.stop.set()
            meter.join()
            work = sum(_cpu(p) for p in pids) - sum(meter.cpu0)
            n = counts.n_regions
            print(
                f"{str(arch):>18}{('' if complete else '>=') + str(n):>11}{counts.n_bounded_regions:>11}{wall:>9.1f}{cpu:>10.1f}{work:>10.1f}"
                f"{1e6 * (cpu + work) / n:>11.0f}{meter.peak_main / 2**20:>9.0f}"
                f"{'/'.join(f'{p / 2**20:.0f}' for p in meter.peak_workers):>12}{os.getloadavg()[0]:>6.1f}",
                flush=True,
            )
    finally:
        client.close()
        cluster.close()


if __name__ == "__main__":
    main(float(sys.argv[1]), [int(v) for v in sys.argv[2:]] or [200])
