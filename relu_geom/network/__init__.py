"""Networks: the exact model (:mod:`.model`), specifications of their behaviour (:mod:`.spec`),
transforms between networks and symmetries.

Imports only :mod:`relu_geom.arith` and :mod:`relu_geom.errors`.
"""

from relu_geom.network.model import FORMAT, MAX_PARAMETERS, ReLUNetwork, register_file_functions
from relu_geom.network.spec import AffineForm, Disjunct, Specification

__all__ = [
    "FORMAT",
    "MAX_PARAMETERS",
    "AffineForm",
    "Disjunct",
    "ReLUNetwork",
    "Specification",
    "register_file_functions",
]
