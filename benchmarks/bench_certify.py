"""Exact certification: seconds per instance on constructed properties and on ACAS Xu.

Run: ``python benchmarks/bench_certify.py [timeout_seconds] [--acas]``.  Prints, for each
instance, the verdict, the seconds, the branches and the leaves by kind, and the time of
one exact bound-rule call against its float64 guide.  With ``--acas`` it also runs ACAS Xu
instances of ``../shared/benchmarks/acasxu/instances.csv`` (``--instances N`` of them, in
the file's order; networks read with ``ReLUNetwork.load``, which folds the input
normalization exactly, and properties with ``read_vnnlib``).
"""

from __future__ import annotations

import os
import sys
import time
from fractions import Fraction

import numpy as np

import relu_geom as rg
from relu_geom.certify.bounds import exact_bounds, float_bounds

ACAS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "benchmarks", "acasxu")


def run(name: str, net: rg.ReLUNetwork, spec: rg.Specification, timeout: float) -> None:
    start = time.perf_counter()
    res = rg.check_property(net, spec, max_seconds=timeout)
    sec = time.perf_counter() - start
    s = res.stats
    leaves = f"bound {s.get('bound_leaves', 0)}, lp {s.get('lp_leaves', 0)}, empty {s.get('empty_leaves', 0)}"
    extra = f"  ({res.reason})" if res.verdict == "unknown" else ""
    print(
        f"{name:<34}{res.verdict:<9}{sec:>8.2f} s  {s.get('branches', 0):>6} branches  {leaves}{extra}",
        flush=True,
    )


def bound_rule_timing(net: rg.ReLUNetwork, box) -> None:
    reps = 20
    t = time.perf_counter()
    for _ in range(reps):
        exact_bounds(net, box)
    te = (time.perf_counter() - t) / reps
    lo = np.array([float(a) for a, _ in box])
    hi = np.array([float(b) for _, b in box])
    t = time.perf_counter()
    for _ in range(reps):
        float_bounds(net, lo, hi)
    tf = (time.perf_counter() - t) / reps
    print(f"bound rule on {list(net.architecture)}: exact {te * 1e3:.1f} ms, float guide {tf * 1e3:.2f} ms")


def main(argv: list[str]) -> None:
    timeout = float(argv[0]) if argv and not argv[0].startswith("--") else 60.0
    # constructed properties on small and mid-size networks
    for arch, seed in (([2, 16, 16, 2], 0), ([3, 20, 20, 2], 1), ([4, 20, 20, 20, 2], 2)):
        net = rg.ReLUNetwork.random_normal(arch, seed=seed)
        d = arch[0]
        box = [(Fraction(-1, 10), Fraction(1, 10))] * d
        start = time.perf_counter()
        try:
            r = rg.output_range(net, box, ([1, -1], 0), max_seconds=timeout).ranges[0]
        except rg.LimitExceededError as exc:
            print(
                f"{str(arch) + ' range of y0-y1':<34}unknown  {time.perf_counter() - start:>8.2f} s  ({exc})"
            )
            continue
        print(
            f"{str(arch) + ' range of y0-y1':<34}exact    {time.perf_counter() - start:>8.2f} s  max {float(r.max):.6g}"
        )
        for label, c in (("> max by 1e-9", r.max + Fraction(1, 10**9)), ("= max", r.max)):
            spec = rg.Specification.from_lists(d, 2, [{"box": box, "atoms": [{"y": [-1, 1], "c": c}]}])
            run(f"{arch} y0-y1 {label}", net, spec, timeout)
    acas_sized = rg.ReLUNetwork.random_normal([5, 50, 50, 50, 50, 50, 50, 5], seed=0)
    box = [(Fraction(-1, 100), Fraction(1, 100))] * 5
    bound_rule_timing(acas_sized, box)
    if "--acas" in argv and os.path.isdir(ACAS):
        n = int(argv[argv.index("--instances") + 1]) if "--instances" in argv else 186
        with open(os.path.join(ACAS, "instances.csv"), encoding="utf-8") as fh:
            rows = [line.strip().split(",") for line in fh.read().splitlines()[1:] if line.strip()]
        for onnx_name, vnnlib_name in rows[:n]:
            net = rg.ReLUNetwork.load(os.path.join(ACAS, onnx_name))
            spec = rg.read_vnnlib(os.path.join(ACAS, vnnlib_name), n_inputs=5, n_outputs=5)
            run(f"ACAS {onnx_name[13:16]} {vnnlib_name[:-7]}", net, spec, timeout)


if __name__ == "__main__":
    main(sys.argv[1:])
