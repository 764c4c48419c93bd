"""Exact polyhedra and polyhedral complexes."""

from relu_geom.geometry import lattice, linear
from relu_geom.geometry.polyhedron import Polyhedron

__all__ = ["Polyhedron", "lattice", "linear"]
