"""The function side: breakpoint complex, tropical weights, bent hyperplanes, visibility."""

from relu_geom.analyses.breakpoints.bent_hyperplanes import (
    CandidateBentHyperplane,
    CandidateDecomposition,
    DepthBound,
    NeuronBentHyperplane,
    ShallowWitness,
    bent_hyperplane_graph,
    candidate_bent_hyperplanes,
    depth_lower_bound,
    neuron_bent_hyperplanes,
    neuron_graph,
    one_hidden_layer_witness,
)
from relu_geom.analyses.breakpoints.complex import (
    BreakpointComplex,
    BreakpointFacet,
    FacetRecord,
    LinearRegion,
    RidgeRecord,
    as_breakpoint_complex,
    bent_facets,
    breakpoint_complex,
)
from relu_geom.analyses.breakpoints.summary import breakpoint_summary
from relu_geom.analyses.breakpoints.tropical import (
    BalancingFailure,
    balancing_sum,
    check_balancing,
    facet_weights,
)
from relu_geom.analyses.breakpoints.visibility import (
    HyperplaneVisibility,
    first_layer_visibility,
)

__all__ = [
    "BalancingFailure",
    "BreakpointComplex",
    "BreakpointFacet",
    "FacetRecord",
    "CandidateBentHyperplane",
    "CandidateDecomposition",
    "DepthBound",
    "HyperplaneVisibility",
    "LinearRegion",
    "NeuronBentHyperplane",
    "RidgeRecord",
    "ShallowWitness",
    "as_breakpoint_complex",
    "balancing_sum",
    "bent_facets",
    "bent_hyperplane_graph",
    "breakpoint_complex",
    "breakpoint_summary",
    "candidate_bent_hyperplanes",
    "check_balancing",
    "depth_lower_bound",
    "facet_weights",
    "first_layer_visibility",
    "neuron_bent_hyperplanes",
    "neuron_graph",
    "one_hidden_layer_witness",
]
