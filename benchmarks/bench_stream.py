"""Peak memory of a streamed count (relu_geom.count_regions) against the full compile.

Run: ``python benchmarks/bench_stream.py``.  The peak is measured with tracemalloc
(Python allocations), over growing boxes of one network: the number of regions grows,
the peak of the streamed count should not.
"""

from __future__ import annotations

import time
import tracemalloc

import relu_geom as rg


def _measure(fn, *args, **kwargs):
    tracemalloc.start()
    start = time.process_time()
    out = fn(*args, **kwargs)
    seconds = time.process_time() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return out, seconds, peak


def main(seed: int = 0) -> None:
    net = rg.ReLUNetwork.random_normal([2, 16, 16, 1], seed=seed)
    print(
        f"{'box':<16}{'regions':>9}{'stream peak MB':>16}{'compile peak MB':>17}{'stream s':>10}{'compile s':>11}"
    )
    for r in (1, 4, 16, 1000):
        counts, s_sec, s_peak = _measure(rg.count_regions, net, (-r, r))
        cx, c_sec, c_peak = _measure(rg.compile_network, net, domain=(-r, r), workers=1)
        assert counts.f_vector == cx.f_vector
        print(
            f"{f'[-{r},{r}]^2':<16}{counts.n_regions:>9}{s_peak / 2**20:>16.2f}{c_peak / 2**20:>17.2f}"
            f"{s_sec:>10.2f}{c_sec:>11.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
