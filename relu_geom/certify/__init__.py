"""Exact certification: the bound rule, branch and bound, properties, ranges, Lipschitz constants, robustness.

Every answer is proved in exact rational arithmetic and comes with a
``relu-geom/certificate@1`` certificate (``docs/certificates.md``); floating point
(numpy, HiGHS) only guides the search.
"""

from relu_geom.certify.lipschitz import LipschitzResult, SquaredRoot, lipschitz_constant
from relu_geom.certify.properties import PropertyResult, check_property, unsafe_set
from relu_geom.certify.ranges import OutputRange, Range, output_range
from relu_geom.certify.robustness import L2RobustnessResult, RobustnessResult, robustness_radius
from relu_geom.network.spec import AffineForm, Disjunct, Specification

__all__ = [
    "AffineForm",
    "Disjunct",
    "L2RobustnessResult",
    "LipschitzResult",
    "OutputRange",
    "Specification",
    "PropertyResult",
    "Range",
    "RobustnessResult",
    "SquaredRoot",
    "check_property",
    "lipschitz_constant",
    "output_range",
    "robustness_radius",
    "unsafe_set",
]
