"""``relu-geom breakpoints NET [--box LO HI] [--json]``: where and how the function bends."""

from __future__ import annotations

import argparse
import time
from typing import Any

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
            "lower bound (longest path) and whether the tropical weights balance at every ridge "
            "(exit status 1 when they do not)."
        ),
    )
    add_network_argument(p)
    add_box_option(p)
    add_json_option(p)
    p.set_defaults(run=run)


def breakpoint_summary(net: Any, domain: Any = None) -> dict[str, Any]:
    """The numbers the command prints, as a JSON-ready dict.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.commands.breakpoints import breakpoint_summary
    >>> s = breakpoint_summary(rg.zoo.bent_2d())
    >>> s["n_bent_facets"], s["n_candidates"], s["depth_lower_bound"], s["balancing_holds"]
    (5, 3, 2, True)
    """
    from relu_geom.analyses.breakpoints.bent_hyperplanes import bent_hyperplane_graph, depth_lower_bound
    from relu_geom.analyses.breakpoints.complex import breakpoint_complex
    from relu_geom.analyses.breakpoints.tropical import check_balancing
    from relu_geom.compiler import compile_network

    start = time.process_time()
    cx = compile_network(net, domain=domain)
    bc = breakpoint_complex(cx)
    failures = check_balancing(bc)
    graph = bent_hyperplane_graph(bc)
    bound = depth_lower_bound(graph)
    seconds = time.process_time() - start
    return {
        "architecture": list(net.architecture),
        "domain": None if domain is None else [str(domain[0]), str(domain[1])],
        "n_regions": cx.n_regions,
        "n_bent_facets": bc.n_bent_facets,
        "n_non_bent_facets": bc.n_non_bent_facets,
        "n_breakpoint_facets": bc.n_facets,
        "n_linear_regions": len(bc.linear_regions),
        "n_candidates": graph.number_of_nodes(),
        "n_graph_edges": graph.number_of_edges(),
        "n_ambiguous_ridges": len(graph.graph["ambiguous_ridges"]),
        "depth_lower_bound": bound.bound,
        "depth_witness": list(bound.path),
        "balancing_holds": not failures,
        "n_unbalanced_ridges": len(failures),
        "seconds": round(seconds, 3),
    }


def run(args: argparse.Namespace) -> int:
    net = read_network(args.net)
    domain = parse_box(args)
    s = breakpoint_summary(net, domain)
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
        ("depth lower bound", s["depth_lower_bound"]),
        ("balancing holds", holds),
        ("seconds (CPU)", f"{s['seconds']:.3f}"),
    ]
    for label, value in rows:
        print(f"{label:<28}{value}")
    return 0 if s["balancing_holds"] else 1
