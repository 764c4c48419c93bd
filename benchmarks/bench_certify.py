"""Exact certification: seconds per instance on constructed properties and on ACAS Xu.

Run: ``python benchmarks/bench_certify.py [timeout_seconds] [--acas]``.  Prints, for each
instance, the verdict, the seconds, the branches and the leaves by kind, and the time of
one exact bound-rule call against its float64 guide.  With ``--acas`` (needs ``onnx`` and
``/work/shared/benchmarks/acasxu``) it also runs ACAS Xu instances; the ONNX graphs there
start with a ``Sub`` of the mean image, folded here into the first bias (exactly), and the
properties are read by a minimal reader of their conjunctive VNN-LIB assertions (this
benchmark does not depend on relu_geom.io.vnnlib).
"""

from __future__ import annotations

import os
import re
import sys
import time
from fractions import Fraction

import numpy as np

import relu_geom as rg
from relu_geom.certify.bounds import exact_bounds, float_bounds

ACAS = "/work/shared/benchmarks/acasxu"


def acas_network(path: str) -> rg.ReLUNetwork:
    import onnx
    from onnx import numpy_helper

    model = onnx.load(path)
    init = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    mean = next(v for k, v in init.items() if "AvgImg" in k).reshape(-1)
    ws = [init[k].T for k in init if k.endswith("MatMul_W")]
    bs = [init[k] for k in init if k.endswith("Add_B")]
    w = [[[Fraction(float(v)) for v in row] for row in W] for W in ws]
    b = [[Fraction(float(v)) for v in B] for B in bs]
    shift = [Fraction(float(v)) for v in mean]
    b[0] = [bi - sum((a * s for a, s in zip(row, shift)), Fraction(0)) for bi, row in zip(b[0], w[0])]
    return rg.ReLUNetwork(w, b)


def simple_vnnlib(path: str, n_in: int, n_out: int) -> rg.Specification:
    """Conjunctive VNN-LIB with (<= A B) / (>= A B) over X_i, Y_j and decimals only."""
    text = open(path, encoding="utf-8").read()
    lo = [None] * n_in
    hi = [None] * n_in
    atoms = []

    def term(t: str):
        if t.startswith("X_"):
            return ("x", int(t[2:]))
        if t.startswith("Y_"):
            return ("y", int(t[2:]))
        return ("c", Fraction(t))

    for op, a, b in re.findall(r"\(assert \((<=|>=) (\S+) (\S+)\)\)", text):
        if op == ">=":
            a, b = b, a  # a <= b
        ta, tb = term(a), term(b)
        if ta[0] == "x" and tb[0] == "c":
            hi[ta[1]] = tb[1]
        elif ta[0] == "c" and tb[0] == "x":
            lo[tb[1]] = ta[1]
        else:
            y = [Fraction(0)] * n_out
            c = Fraction(0)
            for sign, t in ((1, ta), (-1, tb)):
                if t[0] == "y":
                    y[t[1]] += sign
                else:
                    c += sign * t[1]
            atoms.append({"y": y, "c": c})
    return rg.Specification.from_lists(n_in, n_out, [{"box": list(zip(lo, hi)), "atoms": atoms}])


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
        for netname, prop in (("1_1", 3), ("1_1", 4), ("1_9", 3), ("2_1", 3), ("1_1", 1)):
            net = acas_network(f"{ACAS}/ACASXU_run2a_{netname}_batch_2000.onnx")
            spec = simple_vnnlib(f"{ACAS}/prop_{prop}.vnnlib", 5, 5)
            if netname == "1_1" and prop == 3:
                bound_rule_timing(net, spec.disjuncts[0].box)
            run(f"ACAS {netname} prop_{prop}", net, spec, timeout)


if __name__ == "__main__":
    main(sys.argv[1:])
