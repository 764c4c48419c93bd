"""Exact polyhedra (:mod:`.polyhedron`) and face-lattice bit logic (:mod:`.lattice`).

Imports only :mod:`relu_geom.arith` and :mod:`relu_geom.errors`.
"""

from relu_geom.geometry import lattice
from relu_geom.geometry.polyhedron import Polyhedron

__all__ = ["Polyhedron", "lattice"]
