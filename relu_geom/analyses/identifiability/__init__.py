"""Exact Jacobians, functional dimension and local identifiability from a finite sample.

* :mod:`.jacobian`: the parameter vector, exact Jacobians, the bound ``D - H``;
* :mod:`.functional_dimension`: the functional dimension from a sample and over all regions;
* :mod:`.local`: local identifiability from a sample (paper 003).
"""

from __future__ import annotations

from relu_geom.analyses.identifiability.functional_dimension import (
    DEFAULT_MAX_REGIONS,
    BatchFunctionalDimension,
    FunctionalDimension,
    batch_functional_dimension,
    functional_dimension,
    functional_dimension_of_regions,
)
from relu_geom.analyses.identifiability.jacobian import jacobian, max_functional_dimension, parameter_labels
from relu_geom.analyses.identifiability.local import LocalIdentifiability, local_identifiability

__all__ = [
    "DEFAULT_MAX_REGIONS",
    "BatchFunctionalDimension",
    "FunctionalDimension",
    "LocalIdentifiability",
    "batch_functional_dimension",
    "functional_dimension",
    "functional_dimension_of_regions",
    "jacobian",
    "local_identifiability",
    "max_functional_dimension",
    "parameter_labels",
]
