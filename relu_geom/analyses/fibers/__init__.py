"""Fibers of the realization map: which parameters compute the same function.

* :mod:`relu_geom.analyses.fibers.shallow` -- one hidden layer: the decomposition of the
  realized function into hinges and an affine part, the canonical minimal
  network, the minimal width and the fiber as a union of semi-algebraic pieces.
* :mod:`relu_geom.analyses.fibers.bottleneck` -- two hidden layers with a bottleneck:
  symmetries from layer composition and a fast equivalence test.
* :mod:`relu_geom.analyses.fibers.hidden` -- explicit hidden symmetries of a network.
* :mod:`relu_geom.analyses.fibers.configurations`, :mod:`~relu_geom.analyses.fibers.variety`,
  :mod:`~relu_geom.analyses.fibers.deep`, :mod:`~relu_geom.analyses.fibers.identifiable` --
  any depth: discrete fiber configurations, configuration varieties, the fiber as
  configuration sets, identifiability with a certificate.

The mathematics, conventions and proofs are in ``docs/fibers.md``.
"""

from typing import Any

from relu_geom._compat import deprecated_name
from relu_geom.analyses.fibers.bottleneck import (
    BiasShiftFamily,
    FlipShearFamily,
    FreeRowFamily,
    SymmetryFamily,
    ThreeLayerFiber,
    bottleneck_degeneracies,
    bottleneck_equivalent,
    bottleneck_key,
    flip_shears,
    hidden_bias_shifts,
    three_layer_fiber,
)
from relu_geom.analyses.fibers.configurations import (
    ConfigurationEnumeration,
    FiberConfiguration,
    fiber_configurations,
)
from relu_geom.analyses.fibers.deep import (
    ConfigurationSolution,
    DeepFiber,
    DeepFiberPiece,
    deep_fiber,
    solve_configuration,
)
from relu_geom.analyses.fibers.hidden import (
    HiddenSymmetry,
    hidden_symmetries,
    zero_sum_flip_sets,
)
from relu_geom.analyses.fibers.identifiable import (
    IdentifiabilityVerdict,
    identifiable_example,
    is_identifiable,
)
from relu_geom.analyses.fibers.shallow import (
    FiberPiece,
    Hinge,
    ShallowDecomposition,
    ShallowFiber,
    canonical_form,
    minimal_width,
    shallow_decomposition,
    shallow_fiber,
)
from relu_geom.analyses.fibers.variety import (
    ConfigurationVariety,
    EmptinessCertificate,
    check_emptiness_certificate,
    configuration_variety,
    emptiness_certificate,
)

__all__ = [
    "HiddenSymmetry",
    "hidden_symmetries",
    "zero_sum_flip_sets",
    "BiasShiftFamily",
    "FlipShearFamily",
    "FreeRowFamily",
    "SymmetryFamily",
    "ThreeLayerFiber",
    "bottleneck_degeneracies",
    "bottleneck_equivalent",
    "bottleneck_key",
    "flip_shears",
    "hidden_bias_shifts",
    "three_layer_fiber",
    "FiberPiece",
    "Hinge",
    "ShallowDecomposition",
    "ShallowFiber",
    "canonical_form",
    "minimal_width",
    "shallow_decomposition",
    "shallow_fiber",
    "ConfigurationEnumeration",
    "FiberConfiguration",
    "fiber_configurations",
    "ConfigurationVariety",
    "configuration_variety",
    "EmptinessCertificate",
    "check_emptiness_certificate",
    "emptiness_certificate",
    "ConfigurationSolution",
    "DeepFiber",
    "DeepFiberPiece",
    "deep_fiber",
    "solve_configuration",
    "IdentifiabilityVerdict",
    "identifiable_example",
    "is_identifiable",
]


def __getattr__(name: str) -> Any:
    """Deprecated names of this package (:data:`relu_geom._compat.DEPRECATED_NAMES`)."""
    return deprecated_name(__name__, name)
