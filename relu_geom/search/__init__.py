"""Counterexample search over small ReLU networks (properties, spaces, search, shrinking, certificates)."""

from relu_geom.search.certificates import build_certificate, write_certificate
from relu_geom.search.engine import Hit, SearchResult, search
from relu_geom.search.properties import (
    PROPERTIES,
    Property,
    Verdict,
    depth_at_least,
    equals_target,
    fdim_deficit,
    fewer_neurons,
    full_fdim_not_identifiable,
    get_property,
    hidden_symmetry,
    invisible_hyperplane,
    pieces_at_least,
    regions_at_least,
    user_property,
)
from relu_geom.search.shrink import shrink
from relu_geom.search.space import SearchSpace

__all__ = [
    "Hit",
    "SearchResult",
    "SearchSpace",
    "build_certificate",
    "search",
    "shrink",
    "write_certificate",
    "PROPERTIES",
    "Property",
    "Verdict",
    "depth_at_least",
    "equals_target",
    "fdim_deficit",
    "fewer_neurons",
    "full_fdim_not_identifiable",
    "get_property",
    "hidden_symmetry",
    "invisible_hyperplane",
    "pieces_at_least",
    "regions_at_least",
    "user_property",
]
