"""Counterexample search: screening rate on (2,3,3,1) and the exhaustive (1,2,2,1) enumeration.

Run: ``python benchmarks/bench_search.py [--quick]``.

1. Screening: random candidates on (2,3,3,1) with weights in -2..2: the cheap screens of
   ``regions:50`` (the product bound of the layer arrangements, 49 here, rejects all),
   ``equals`` a random target (exact evaluation at 12 probe points) and ``regions:16``
   (every candidate passes and is decided exactly by compiling); target at least 1,000
   candidates a second for the cheap screens.
2. Exhaustive: every network with one input and two hidden layers of width 2, hidden
   weights and biases in {-2..2}, one per orbit of permutations and positive rescalings,
   with 1 and with 2 workers; target under ten minutes; prints the maximal region count,
   its witness, and the speed-up.  ``--quick`` uses {-1..1} instead.
"""

from __future__ import annotations

import os
import pathlib
import random
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

import relu_geom as rg  # noqa: E402
from relu_geom.search.space import SearchSpace  # noqa: E402


def screening() -> None:
    space = SearchSpace.parse("2,3,3,1", "-2..2")
    rng = random.Random(0)
    nets = [space.network(space.random(rng)) for _ in range(5000)]
    target = space.network(space.random(random.Random(99)))
    for prop in (rg.regions_at_least(50), rg.equals_target(target), rg.regions_at_least(16)):
        start = time.perf_counter()
        passed = sum(prop.screen(net) for net in nets)
        screen_rate = len(nets) / (time.perf_counter() - start)
        start = time.perf_counter()
        res = rg.search(prop, space, max_candidates=2000, chunk=500, shrink_hits=False, max_hits=10**6)
        loop_rate = res.n_screened / (time.perf_counter() - start)
        print(f"{prop.name} on (2,3,3,1): screen {screen_rate:,.0f} networks/s ({passed} of {len(nets)} pass); "
              f"search loop (sample, build, screen, decide survivors) {loop_rate:,.0f} candidates/s")


def exhaustive(weights: str) -> None:
    space = SearchSpace.parse("1,2,2,1", weights, hidden_only=True)
    prop = rg.regions_at_least(8)
    print(f"exhaustive (1,2,2,1), hidden weights {weights}: {space.size():,} vectors", flush=True)
    times = {}
    results = {}
    for workers in (1, 2):
        load = os.getloadavg()[0]
        start = time.perf_counter()
        res = results[workers] = rg.search(prop, space, method="exhaustive", workers=workers, max_hits=1)
        times[workers] = time.perf_counter() - start
        net = res.best_network
        print(f"  {workers} worker(s): {times[workers]:.1f} s (1-minute load average {load:.1f} before, "
              f"{os.getloadavg()[0]:.1f} after), {res.n_screened:,} orbits, maximal region count "
              f"{res.best_value} (hits for >= 8: {len(res.hits)}); witness "
              f"W1={[[str(v) for v in r] for r in net.weights[0]]} b1={[str(v) for v in net.biases[0]]} "
              f"W2={[[str(v) for v in r] for r in net.weights[1]]} b2={[str(v) for v in net.biases[1]]}", flush=True)
    r1, r2 = results[1], results[2]
    assert (r1.n_screened, r1.best_value, r1.best_network) == (r2.n_screened, r2.best_value, r2.best_network)
    print(f"  speed-up from 2 workers: {times[1] / times[2]:.2f}", flush=True)


if __name__ == "__main__":
    if "--exhaustive" not in sys.argv:
        screening()
    if "--screen" not in sys.argv:
        exhaustive("-1..1" if "--quick" in sys.argv else "-2..2")
