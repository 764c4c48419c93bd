"""``relu-geom breakpoints NET [--box LO HI] [--json]``: where and how the function bends."""

from __future__ import annotations

import argparse

from relu_geom.analyses.breakpoints.summary import breakpoint_summary
from relu_geom.commands._common import (
    add_box_option,
    add_json_option,
    add_network_argument,
    emit_json,
    parse_box,
    read_network,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "breakpoints",
        help="breakpoint complex, tropical weights, candidate bent hyperplanes and a depth bound",
        description=(
            "Compile NET and print the numbers of bent and non-bent facets, breakpoint-complex facets, "
            "maximal linear regions, candidate bent hyperplanes, bent-hyperplane graph edges, the depth "
            "lower bound (a theorem for every network: 2 when f is not computable with one hidden layer), "
            "the longest path of the graph (a bound for generic networks only) and whether the tropical "
            "weights balance at every ridge (exit status 1 when they do not)."
        ),
    )
    add_network_argument(p)
    add_box_option(p)
    add_json_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    net = read_network(args.net, args)
    domain = parse_box(args)
    s = {
        **breakpoint_summary(net, domain=domain),
        "domain": None if domain is None else [str(v) for v in domain],
    }
    if args.json:
        emit_json(s)
        return 0 if s["balancing_holds"] else 1
    where = f"R^{net.input_dim}" if domain is None else f"[{domain[0]}, {domain[1]}]^{net.input_dim}"
    holds = "yes" if s["balancing_holds"] else f"NO ({s['n_unbalanced_ridges']} ridges fail)"
    rows = [
        ("architecture", s["architecture"]),
        ("domain", where),
        ("regions", s["n_regions"]),
        ("bent facets", s["n_bent_facets"]),
        ("non-bent facets", s["n_non_bent_facets"]),
        ("breakpoint-complex facets", s["n_breakpoint_facets"]),
        ("maximal linear regions", s["n_linear_regions"]),
        ("candidate bent hyperplanes", s["n_candidates"]),
        ("graph edges", s["n_graph_edges"]),
        ("ambiguous ridges", s["n_ambiguous_ridges"]),
        ("depth lower bound", f"{s['depth_lower_bound']}{' (exact)' if s['depth_bound_exact'] else ''}"),
        ("generic depth bound", s["generic_depth_bound"]),
        ("balancing holds", holds),
        ("seconds (CPU)", f"{s['seconds']:.3f}"),
    ]
    for label, value in rows:
        print(f"{label:<28}{value}")
    return 0 if s["balancing_holds"] else 1
