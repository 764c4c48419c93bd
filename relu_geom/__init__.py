"""relu_geom: exact polyhedral geometry of ReLU neural networks.

>>> import relu_geom as rg
>>> net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[1, 1]]], [[0, 0], [0]])
>>> rg.compile_network(net).f_vector
(1, 4, 4)
"""

from relu_geom import arith
from relu_geom.errors import (
    BackendUnavailableError,
    DimensionMismatchError,
    FileFormatError,
    InvalidInputError,
    LimitExceededError,
    ReluGeomError,
    UnsupportedInputError,
)
from relu_geom.network import ReLUNetwork
from relu_geom.geometry import Polyhedron
from relu_geom.geometry.complex import Cell, PolyhedralComplex
from relu_geom.compiler import compile_network
from relu_geom import geometry, compiler, zoo, io
from relu_geom.io import load_network, save_network
from relu_geom.equivalence import (
    EquivalenceResult,
    difference_network,
    functionally_equivalent,
    reduce_network,
)

__all__ = [
    "EquivalenceResult",
    "difference_network",
    "functionally_equivalent",
    "reduce_network",
    "Cell",
    "PolyhedralComplex",
    "Polyhedron",
    "compile_network",
    "compiler",
    "geometry",
    "zoo",
    "io",
    "load_network",
    "save_network",
    "BackendUnavailableError",
    "DimensionMismatchError",
    "FileFormatError",
    "InvalidInputError",
    "LimitExceededError",
    "ReLUNetwork",
    "ReluGeomError",
    "UnsupportedInputError",
    "arith",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # relu_geom.plotting is loaded on first use (it imports matplotlib only when drawing)
    if name == "plotting":
        import importlib

        return importlib.import_module("relu_geom.plotting")
    raise AttributeError(f"module 'relu_geom' has no attribute {name!r}")
