"""Functional dimension, local identifiability and genericity: CPU seconds.

Run: ``python benchmarks/bench_identifiability.py [seed]``.  Prints one row per
measurement: architecture, what was computed, the value, CPU seconds.  Targets
(issue 6): the exact functional dimension of a standard-normal [3, 16, 16, 1]
network within 10 CPU s (compile included), local identifiability of a
[4, 10, 10, 1] network from 200 points within 5 s.
"""

from __future__ import annotations

import random
import sys
import time
from fractions import Fraction

import relu_geom as rg


def _timed(fn):
    start = time.process_time()
    out = fn()
    return out, time.process_time() - start


def _row(arch, what, value, seconds):
    print(f"{str(arch):<16}{what:<34}{value:<34}{seconds:>8.2f}")


def main(seed: int = 0) -> None:
    print(f"{'architecture':<16}{'what':<34}{'value':<34}{'CPU s':>8}")
    for arch in ([3, 16, 16, 1], [2, 16, 16, 1], [4, 10, 10, 1]):
        net = rg.ReLUNetwork.random_normal(arch, seed=seed)
        cx, t_c = _timed(lambda net=net: rg.compile_network(net))
        _row(arch, "compile", f"{cx.n_regions} regions", t_c)
        fd, t_f = _timed(lambda cx=cx: rg.functional_dimension(cx, max_regions=None))
        value = f"{fd.rank} of D-H={fd.upper_bound}"
        if fd.deficit:
            value += f" ({len(fd.zero_parameters)} zero-deriv params)"
        _row(arch, "functional dimension", value, t_f)
        _row(arch, "  compile + functional dimension", "", t_c + t_f)
        bf, t_b = _timed(lambda net=net, fd=fd: rg.batch_functional_dimension(net, fd.sample))
        _row(arch, f"check: rank on its {len(fd.sample)} points", bf.rank, t_b)
        gr, t_g = _timed(lambda cx=cx: rg.genericity_report(cx, max_checks=20_000, max_cells=None))
        value = {True: "generic", False: f"fails: {', '.join(gr.failing)}", None: "undecided (limit)"}[
            gr.is_generic
        ]
        _row(arch, "genericity (20000 masked ranks)", value, t_g)
    arch = [4, 10, 10, 1]
    net = rg.ReLUNetwork.random_normal(arch, seed=seed)
    rng = random.Random(seed)
    X = [[Fraction(rng.randint(-40, 40), 8) for _ in range(4)] for _ in range(200)]
    li, t_l = _timed(lambda: rg.local_identifiability(net, X))
    _row(arch, "local identifiability, 200 points", f"R_G={li.r_gamma} R_A={li.r_a} {li.verdict}", t_l)
    nf, t_n = _timed(lambda: rg.normal_form(net))
    _row(arch, "normal form", f"{nf.n_parameters} parameters", t_n)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
