"""Compile seeded standard-normal networks (float weights read exactly) and time them.

Run: ``python benchmarks/bench_compile.py`` (or ``python benchmarks/run.py`` for every benchmark).
"""

from __future__ import annotations

import sys
import time

import relu_geom as rg

ARCHITECTURES = ([2, 8, 8, 1], [2, 16, 16, 1], [2, 32, 32, 1], [3, 8, 8, 1], [3, 16, 16, 1], [4, 10, 10, 1])


def main(seed: int = 0) -> None:
    print(f"{'architecture':<16}{'domain':<10}{'f-vector':<34}{'cells/s':>10}{'CPU s':>9}")
    for arch in ARCHITECTURES:
        net = rg.ReLUNetwork.random_normal(arch, seed=seed)
        for domain, label in ((None, "R^d"), ((-1, 1), "[-1,1]^d")):
            start = time.process_time()
            cx = rg.compile_network(net, domain=domain)
            seconds = time.process_time() - start
            rate = cx.n_cells / seconds if seconds else float("inf")
            print(
                f"{str(arch):<16}{label:<10}{str(list(cx.f_vector)):<34}{rate:>10.0f}{seconds:>9.2f}",
                flush=True,
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
