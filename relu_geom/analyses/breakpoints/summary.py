"""The headline numbers of the function side in one JSON-ready dict (what ``relu-geom breakpoints`` prints)."""

from __future__ import annotations

import time
from typing import Any

from relu_geom.analyses.breakpoints.bent_hyperplanes import bent_hyperplane_graph, depth_lower_bound
from relu_geom.analyses.breakpoints.complex import breakpoint_complex
from relu_geom.analyses.breakpoints.tropical import check_balancing
from relu_geom.compiler import as_complex

__all__ = ["breakpoint_summary"]


def breakpoint_summary(net_or_complex: Any, *, domain: Any = None) -> dict[str, Any]:
    """Breakpoint complex, candidates, depth bounds and balancing of ``f``, as a JSON-ready dict.

    ``seconds`` is the CPU time of the whole analysis (the compile included
    when given a network).

    Examples
    --------
    >>> import relu_geom as rg
    >>> s = rg.breakpoint_summary(rg.zoo.bent_2d())
    >>> s["n_bent_facets"], s["depth_lower_bound"], s["depth_bound_exact"], s["balancing_holds"]
    (5, 2, True, True)
    """
    start = time.process_time()
    cx = as_complex(net_or_complex, domain=domain)
    bc = breakpoint_complex(cx)
    failures = check_balancing(bc)
    graph = bent_hyperplane_graph(bc)
    bound = depth_lower_bound(graph)
    seconds = time.process_time() - start
    box = cx.domain
    return {
        "architecture": list(cx.network.architecture),
        "domain": None if box is None else box.to_dict(),
        "n_regions": cx.n_regions,
        "n_bent_facets": bc.n_bent_facets,
        "n_non_bent_facets": bc.n_non_bent_facets,
        "n_breakpoint_facets": bc.n_facets,
        "n_linear_regions": len(bc.linear_regions),
        "n_candidates": graph.number_of_nodes(),
        "n_graph_edges": graph.number_of_edges(),
        "n_ambiguous_ridges": len(bound.ambiguous_ridges),
        "depth_lower_bound": bound.bound,
        "depth_bound_exact": bound.exact,
        "generic_depth_bound": bound.generic_bound,
        "depth_bound_unconditional": bound.unconditional,
        "depth_witness": None if bound.witness is None else bound.witness.to_dict(),
        "generic_depth_path": list(bound.path),
        "balancing_holds": not failures,
        "n_unbalanced_ridges": len(failures),
        "seconds": round(seconds, 3),
    }
