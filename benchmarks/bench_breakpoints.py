"""Breakpoint complex, tropical weights, balancing audit and bent-hyperplane graph against the compile.

Run: ``python benchmarks/bench_breakpoints.py [seed] [--degenerate] [--repeat N]``.  For each seeded standard-normal
network over R^d it prints the CPU seconds of every stage and the ratio of the four
function-side stages together to the compile (the target is at most 1).  Every compile
runs in this process (``workers=1``): with worker processes, ``time.process_time`` would
count only the parent's share of the compile.  Then the
degenerate rows, where the breakpoint complex in d >= 3 must merge and refine:
``ReLUNetwork.random([3, 4, 3, 1], seed=154)`` and ``ReLUNetwork.random([3, 5, 4, 1])``
seeds 6 and 19 (non-convex merged pieces: the refinement convexifies and pulls), ``max(x_1, ..., x_4)`` with two hidden layers and ``rg.zoo.max_tree(4)``,
``rg.zoo.max_tree(5)`` (pass-through neurons: duplicate hyperplanes, many merges, pieces
that already form a complex) and the degenerate MAX5 network with two hidden layers
``rg.zoo.max5_two_hidden()`` (bent facets of second-layer neurons that cancel), each with the ratio breakpoint complex / compile (the target
is at most 2).  ``--degenerate`` runs only these rows.  Each degenerate row is compiled
``N`` times (default 3) in this process (``workers=1``: CPU time of one process on both
sides), each compile followed by its breakpoint complex, and the minimum CPU time of each
is shown.
"""

from __future__ import annotations

import sys
import time

import cdd.gmp  # noqa: F401  (imported before timing: the first double description should not pay for it)
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
        cx, t_compile = _timed(lambda net=net: rg.compile_network(net, workers=1))
        bc, t_bc = _timed(lambda cx=cx: rg.breakpoint_complex(cx))
        w, t_w = _timed(lambda bc=bc: rg.facet_weights(bc))
        fails, t_bal = _timed(lambda bc=bc: rg.check_balancing(bc))
        g, t_graph = _timed(lambda bc=bc: rg.bent_hyperplane_graph(bc))
        bound, t_depth = _timed(lambda bc=bc: rg.depth_lower_bound(bc))
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


def max4() -> rg.ReLUNetwork:
    """max(x_1, ..., x_4) = relu(m_1 - m_2) + m_2 with m_1 = relu(x_1 - x_2) + x_2, m_2 likewise."""
    first = [[1, -1, 0, 0], [0, 1, 0, 0], [0, -1, 0, 0], [0, 0, 1, -1], [0, 0, 0, 1], [0, 0, 0, -1]]
    second = [[1, 1, -1, -1, -1, 1], [0, 0, 0, 1, 1, -1], [0, 0, 0, -1, -1, 1]]
    return rg.ReLUNetwork([first, second, [[1, 1, -1]]], [[0] * 6, [0] * 3, [0]])


DEGENERATE = (
    ("random [3,4,3,1] s154", lambda: rg.ReLUNetwork.random([3, 4, 3, 1], seed=154)),
    ("random [3,5,4,1] s6", lambda: rg.ReLUNetwork.random([3, 5, 4, 1], seed=6)),
    ("random [3,5,4,1] s19", lambda: rg.ReLUNetwork.random([3, 5, 4, 1], seed=19)),
    ("max(x1..x4), 2 layers", max4),
    ("zoo.max_tree(4)", lambda: rg.zoo.max_tree(4)),
    ("zoo.max_tree(5)", lambda: rg.zoo.max_tree(5)),
    ("zoo.max5_two_hidden()", rg.zoo.max5_two_hidden),
)


def degenerate(repeat: int = 3) -> None:
    """Each row compiled ``repeat`` times in this process (``workers=1``), each compile
    followed by its breakpoint complex (a fresh complex, so nothing is cached); the
    minimum CPU time of each."""
    print(f"\n{'network':<24}{'compile s':>10}{'breakpoint s':>14}{'ratio':>8}   result")
    for name, make in DEGENERATE:
        net = make()
        t_compile = t_bc = float("inf")
        for _ in range(repeat):
            cx, t = _timed(lambda net=net: rg.compile_network(net, workers=1))
            t_compile = min(t_compile, t)
            bc, t = _timed(lambda cx=cx: rg.breakpoint_complex(cx))
            t_bc = min(t_bc, t)
        result = f"{cx.n_regions} regions, {bc.n_bent_facets} bent, {bc.n_facets} breakpoint facets"
        print(f"{name:<24}{t_compile:>10.3f}{t_bc:>14.3f}{t_bc / t_compile:>8.1f}   {result}", flush=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    repeat = 3
    if "--repeat" in args:
        i = args.index("--repeat")
        repeat = int(args[i + 1])
        del args[i : i + 2]
    if "--degenerate" in args:
        args.remove("--degenerate")
    else:
        main(int(args[0]) if args else 0)
    degenerate(repeat)
