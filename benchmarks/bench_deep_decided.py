"""How many random small-integer networks does ``is_identifiable`` decide?

Run: ``python benchmarks/bench_deep_decided.py [n_seeds] [seconds] [arch ...]``
(architectures written ``2,2,2,1``; default the four below).  For each architecture it
takes ``ReLUNetwork.random(arch, seed=s)`` for ``s < n_seeds`` (default 50), runs
:func:`is_identifiable` in a child process limited to ``seconds`` of CPU time (default
60; the machine may be shared) and counts the verdicts; undecided ones are grouped by their reason.
"""

from __future__ import annotations

import multiprocessing as mp
import re
import resource
import sys
import time
from collections import Counter
from collections.abc import Sequence

import relu_geom as rg

ARCHITECTURES = ([2, 2, 2, 1], [2, 3, 2, 1], [3, 3, 3, 1], [2, 2, 2, 2, 1])


def _verdict(arch: list[int], seed: int, seconds: float, queue: mp.Queue) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (int(seconds), int(seconds) + 1))  # SIGXCPU beyond it
    start = time.process_time()
    try:
        v = rg.is_identifiable(rg.ReLUNetwork.random(arch, seed=seed))
        queue.put((v.verdict, v.reason, time.process_time() - start))
    except rg.ReluGeomError as exc:
        queue.put(("error", str(exc), time.process_time() - start))


def _category(reason: str) -> str:
    return re.sub(r"\d+", "N", reason.split(";")[0])[:70]


def main(n_seeds: int, seconds: float, architectures: Sequence[list[int]] = ARCHITECTURES) -> None:
    ctx = mp.get_context("forkserver")
    for arch in architectures:
        verdicts: Counter[str] = Counter()
        reasons: Counter[str] = Counter()
        times = []
        for seed in range(n_seeds):
            queue = ctx.Queue()
            p = ctx.Process(target=_verdict, args=(arch, seed, seconds, queue))
            p.start()
            p.join(20 * seconds)
            if p.is_alive():
                p.kill()
                p.join()
            if p.exitcode != 0 or queue.empty():
                verdicts["timeout"] += 1
                print(f"{arch} seed {seed}: timeout", flush=True)
                continue
            verdict, reason, cpu = queue.get()
            times.append(cpu)
            verdicts[verdict] += 1
            if verdict in ("undecided", "error"):
                reasons[_category(reason)] += 1
            print(f"{arch} seed {seed}: {verdict} {cpu:.2f}s {reason[:100]}", flush=True)
        print(f"== {arch}: {dict(verdicts)}  max {max(times, default=0):.1f}s", flush=True)
        for r, n in reasons.most_common():
            print(f"   {n:>3}  {r}", flush=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    archs = [[int(v) for v in a.split(",")] for a in args[2:]] or ARCHITECTURES
    main(int(args[0]) if args else 50, float(args[1]) if len(args) > 1 else 60.0, archs)
