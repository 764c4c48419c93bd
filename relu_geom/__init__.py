"""relu_geom: exact polyhedral geometry of ReLU neural networks.

>>> import relu_geom as rg
>>> net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[1, 1]]], [[0, 0], [0]])
>>> rg.compile_network(net).f_vector
(1, 4, 4)
"""

from relu_geom import _compat, analyses, arith, compiler, geometry, io, network, zoo
from relu_geom.analyses.breakpoints.bent_hyperplanes import (
    CandidateBentHyperplane,
    CandidateDecomposition,
    DepthBound,
    NeuronBentHyperplane,
    bent_hyperplane_graph,
    candidate_bent_hyperplanes,
    depth_lower_bound,
    neuron_bent_hyperplanes,
    neuron_graph,
)
from relu_geom.analyses.breakpoints.complex import (
    BreakpointComplex,
    BreakpointFacet,
    LinearRegion,
    as_breakpoint_complex,
    bent_facets,
    breakpoint_complex,
)
from relu_geom.analyses.breakpoints.tropical import (
    BalancingFailure,
    balancing_sum,
    check_balancing,
    facet_weights,
)
from relu_geom.analyses.breakpoints.visibility import first_layer_visibility
from relu_geom.analyses.equivalence import (
    EquivalenceResult,
    difference_network,
    functionally_equivalent,
    reduce_network,
)
from relu_geom.analyses.fibers import (
    bottleneck_equivalent,
    canonical_form,
    hidden_symmetries,
    minimal_width,
    shallow_fiber,
    three_layer_fiber,
)
from relu_geom.analyses.genericity import (
    GenericityReport,
    MaskedRankCheck,
    SupertransversalityCheck,
    genericity_report,
    masked_product_ranks,
    supertransversality,
)
from relu_geom.analyses.identifiability import (
    BatchFunctionalDimension,
    FunctionalDimension,
    LocalIdentifiability,
    batch_functional_dimension,
    functional_dimension,
    functional_dimension_of_regions,
    jacobian,
    local_identifiability,
    max_functional_dimension,
    parameter_labels,
)
from relu_geom.arith.counting import general_position_bounded_regions, general_position_f_vector
from relu_geom.compiler import as_complex, compile_network
from relu_geom.compiler.complex import Cell, PolyhedralComplex
from relu_geom.compiler.stream import CellCounts, StreamedCell, count_regions, iter_cells, iter_regions
from relu_geom.errors import (
    BackendUnavailableError,
    DimensionMismatchError,
    FileFormatError,
    InvalidInputError,
    LimitExceededError,
    ReluGeomError,
    UnsupportedInputError,
)
from relu_geom.geometry import Polyhedron
from relu_geom.io import load_network, save_network
from relu_geom.network import ReLUNetwork
from relu_geom.network.symmetry import (
    NormalForm,
    Symmetry,
    degenerate_neurons,
    normal_form,
    normal_form_with_symmetry,
    same_up_to_symmetry,
)

__all__ = [
    "BatchFunctionalDimension",
    "FunctionalDimension",
    "LocalIdentifiability",
    "batch_functional_dimension",
    "degenerate_neurons",
    "functional_dimension",
    "functional_dimension_of_regions",
    "jacobian",
    "local_identifiability",
    "max_functional_dimension",
    "parameter_labels",
    "NormalForm",
    "Symmetry",
    "normal_form",
    "normal_form_with_symmetry",
    "same_up_to_symmetry",
    "GenericityReport",
    "MaskedRankCheck",
    "SupertransversalityCheck",
    "genericity_report",
    "masked_product_ranks",
    "supertransversality",
    "BalancingFailure",
    "BreakpointComplex",
    "BreakpointFacet",
    "CandidateBentHyperplane",
    "CandidateDecomposition",
    "DepthBound",
    "LinearRegion",
    "NeuronBentHyperplane",
    "as_breakpoint_complex",
    "balancing_sum",
    "bent_facets",
    "bent_hyperplane_graph",
    "breakpoint_complex",
    "candidate_bent_hyperplanes",
    "check_balancing",
    "depth_lower_bound",
    "facet_weights",
    "neuron_bent_hyperplanes",
    "neuron_graph",
    "EquivalenceResult",
    "difference_network",
    "functionally_equivalent",
    "reduce_network",
    "canonical_form",
    "minimal_width",
    "shallow_fiber",
    "bottleneck_equivalent",
    "three_layer_fiber",
    "hidden_symmetries",
    "first_layer_visibility",
    "Cell",
    "PolyhedralComplex",
    "Polyhedron",
    "as_complex",
    "compile_network",
    "compiler",
    "geometry",
    "zoo",
    "io",
    "load_network",
    "general_position_f_vector",
    "general_position_bounded_regions",
    "save_network",
    "BackendUnavailableError",
    "DimensionMismatchError",
    "FileFormatError",
    "InvalidInputError",
    "LimitExceededError",
    "ReLUNetwork",
    "ReluGeomError",
    "UnsupportedInputError",
    "analyses",
    "arith",
    "network",
    "CellCounts",
    "StreamedCell",
    "count_regions",
    "iter_cells",
    "iter_regions",
]
__version__ = "0.1.0"

_compat.install()


def __getattr__(name: str) -> object:
    # relu_geom.plotting is loaded on first use (it imports matplotlib only when drawing)
    if name == "plotting":
        import importlib

        return importlib.import_module("relu_geom.plotting")
    raise AttributeError(f"module 'relu_geom' has no attribute {name!r}")
