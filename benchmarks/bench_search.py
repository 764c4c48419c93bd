"""Counterexample search: screening rate on (2,3,3,1) and the exhaustive (1,2,2,1) enumeration.

Run: ``python benchmarks/bench_search.py [--quick] [--screen | --exhaustive]``.

1. Screening: random candidates on (2,3,3,1) with weights in -2..2, for every built-in
   property: the rate of its screen alone (on built networks) and of the search loop
   (sample, screen, decide the survivors exactly).  Cheap screens (``regions:50`` and
   ``pieces:50``, whose product bound 49 rejects all; ``fewer-neurons``; ``equals`` a
   random target, 12 exact probe evaluations): target at least 1,000 candidates a second.
   The others decide every candidate exactly (compiling, ranks, fibers).
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


def _properties(target: rg.ReLUNetwork) -> list[tuple[rg.Property, int]]:
    """Every built-in property (and the loop sizes: exact decisions are slow)."""
    return [
        (rg.regions_at_least(50), 5000),  # product bound 49 < 50: the screen rejects every candidate
        (rg.pieces_at_least(50), 5000),
        (rg.fewer_neurons(), 5000),  # one hidden layer only: rejects (2,3,3,1)
        (rg.equals_target(target), 5000),  # exact evaluation at 12 probe points
        (rg.regions_at_least(16), 100),  # passes the screen: compiled exactly
        (rg.pieces_at_least(16), 50),
        (rg.invisible_hyperplane(), 50),  # depth >= 2 passes: compiled exactly
        (rg.depth_at_least(2), 50),  # no cheap screen: every candidate decided
        (rg.fdim_deficit(), 50),
        (rg.full_fdim_not_identifiable(), 50),
        (rg.hidden_symmetry(), 50),
    ]


def screening() -> None:
    space = SearchSpace.parse("2,3,3,1", "-2..2")
    rng = random.Random(0)
    nets = [space.network(space.random(rng)) for _ in range(2000)]
    target = space.network(space.random(random.Random(99)))
    print(f"screening on (2,3,3,1), weights -2..2 (1-minute load average {os.getloadavg()[0]:.1f})")
    for prop, count in _properties(target):
        sample = nets[:count]
        start = time.perf_counter()
        passed = sum(prop.screen(net) for net in sample)
        screen_rate = len(sample) / (time.perf_counter() - start)
        start = time.perf_counter()
        res = rg.search(prop, space, max_candidates=count, chunk=min(count, 500), shrink_hits=False,
                        max_hits=10**6)
        loop_rate = res.n_screened / (time.perf_counter() - start)
        print(f"  {prop.name:28s} screen {screen_rate:>9,.0f} networks/s ({passed} of {len(sample)} pass); "
              f"search loop {loop_rate:>7,.0f} candidates/s ({res.n_decided} decided, {len(res.hits)} hits)",
              flush=True)


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
