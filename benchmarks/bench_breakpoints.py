"""Breakpoint complex, tropical weights, balancing audit and bent-hyperplane graph against the compile.

Run: ``python benchmarks/bench_breakpoints.py [seed]``.  For each seeded standard-normal
network over R^d it prints the CPU seconds of every stage and the ratio of the four
function-side stages together to the compile (the target is at most 1).
"""

from __future__ import annotations

import sys
import time

import networkx  # noqa: F401  (imported before timing: the graph stage should not pay for it)

import relu_geom as rg

ARCHITECTURES = ([2, 16, 16, 1], [2, 32, 32, 1], [3, 8, 8, 1], [3, 16, 16, 1], [4, 10, 10, 1])


def _timed(fn):
    start = time.process_time()
    out = fn()
    return out, time.process_time() - start


def main(seed: int = 0) -> None:
    print(f"{'architecture':<16}{'stage':<26}{'CPU s':>8}   result")
    for arch in ARCHITECTURES:
        net = rg.ReLUNetwork.random_normal(arch, seed=seed)
        cx, t_compile = _timed(lambda net=net: rg.compile_network(net))
        bc, t_bc = _timed(lambda cx=cx: rg.breakpoint_complex(cx))
        w, t_w = _timed(lambda bc=bc: rg.facet_weights(bc))
        fails, t_bal = _timed(lambda bc=bc: rg.check_balancing(bc))
        g, t_graph = _timed(lambda bc=bc: rg.bent_hyperplane_graph(bc))
        bound, t_depth = _timed(lambda g=g: rg.depth_lower_bound(g))
        rows = [
            ("compile", t_compile, f"{cx.n_regions} regions, {len(cx.facets)} facets"),
            ("breakpoint complex", t_bc, f"{bc.n_bent_facets} bent, {bc.n_facets} breakpoint facets"),
            ("facet weights", t_w, f"{len(w)} weights"),
            ("balancing", t_bal, "holds" if not fails else f"{len(fails)} ridges FAIL"),
            (
                "graph + depth bound",
                t_graph + t_depth,
                f"{g.number_of_nodes()} candidates, {g.number_of_edges()} edges, depth >= {bound.bound}",
            ),
        ]
        total = t_bc + t_w + t_bal + t_graph + t_depth
        rows.append(("function side / compile", total, f"ratio {total / t_compile:.2f}"))
        for stage, seconds, result in rows:
            print(f"{str(arch):<16}{stage:<26}{seconds:>8.2f}   {result}", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
