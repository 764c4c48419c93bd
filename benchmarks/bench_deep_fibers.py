"""Deep fibers and identifiability: configurations before and after pruning, time, verdict.

Run: ``python benchmarks/bench_deep_fibers.py [seed ...]``.  For each architecture it
takes the small-integer random networks ``ReLUNetwork.random(arch, seed=s)`` and a
degenerate one (first-layer neuron 0 duplicated as a positive multiple of neuron 1,
last hidden neuron dead), and prints the enumeration (assignments ``phi``, sign
choices examined, configurations left after pruning), the configuration sets proved
empty, the CPU seconds of ``deep_fiber`` + ``is_identifiable`` and the verdict.  The
goal is under a minute per network.
"""

from __future__ import annotations

import sys
import time

import relu_geom as rg

ARCHITECTURES = ([2, 2, 2, 1], [2, 3, 2, 1], [3, 3, 3, 1], [2, 2, 2, 2, 1])


def degenerate(arch: list[int], seed: int) -> rg.ReLUNetwork:
    """``random(arch)`` with row 0 of layer 1 = 2 * row 1 and the last hidden neuron dead."""
    net = rg.ReLUNetwork.random(arch, seed=seed)
    ws = [[list(r) for r in W] for W in net.weights]
    bs = [list(b) for b in net.biases]
    ws[0][0] = [2 * v for v in ws[0][1]]
    bs[0][0] = 2 * bs[0][1]
    last = len(arch) - 3
    ws[last][-1] = [0] * len(ws[last][-1])
    bs[last][-1] = -1
    return rg.ReLUNetwork(ws, bs)


def run_one(label: str, net: rg.ReLUNetwork) -> None:
    start = time.process_time()
    try:
        en = rg.fiber_configurations(net, net.architecture)
        verdict = rg.is_identifiable(net)
        fib = verdict.fiber
        empty = "-" if fib is None else str(fib.n_empty)
        cut = sum(en.pruned.values())
        row = (
            f"{en.n_assignments:>6} {en.n_sign_choices:>7} {cut:>7} {len(en.configurations):>6} {empty:>6}"
            f"  {verdict.verdict:<17} {verdict.method}"
        )
    except rg.ReluGeomError as exc:
        row = f"error: {exc}"
    seconds = time.process_time() - start
    print(f"{str(list(net.architecture)):<16}{label:<14}{seconds:>8.2f}  {row}", flush=True)


def main(seeds: list[int]) -> None:
    print(
        f"{'architecture':<16}{'network':<14}{'CPU s':>8}  {'phi':>6} {'signs':>7} {'pruned':>7} {'left':>6} {'empty':>6}  verdict"
    )
    for arch in ARCHITECTURES:
        for s in seeds:
            run_one(f"random {s}", rg.ReLUNetwork.random(arch, seed=s))
        run_one(f"degenerate {seeds[0]}", degenerate(arch, seeds[0]))


if __name__ == "__main__":
    main([int(v) for v in sys.argv[1:]] or [1, 2, 3])
