"""One-hidden-layer networks: decomposition, canonical minimal form, minimal width, fibers.

A network ``f(x) = sum_i v_i relu(w_i . x + b_i) + b_out`` (``v_i`` the output
column of neuron ``i``) realizes a function that has exactly one decomposition

    ``f(x) = sum_j c_j relu(a_j . x + t_j) + M x + b``

into **hinges** ``(a_j, t_j, c_j)`` with pairwise different hyperplanes and
``c_j != 0`` plus an affine part ``(M, b)``, once every hinge is oriented
canonically: ``(a_j, t_j)`` is the primitive integer vector on its line whose
first nonzero entry of ``a_j`` is positive.  Everything here is derived from
this decomposition; ``docs/fibers.md`` has the proofs (uniqueness, the cost of
an affine part, minimality of :func:`canonical_form`, the dimension formula of
the fiber pieces and how it reproduces Theorem 6 of paper 001).

Over a domain (``"orthant"``: the closed nonnegative orthant) the hinges are
the hyperplanes that meet the interior of the domain; a neuron whose
hyperplane misses it is affine there (always active) or zero (never active).

Modules, by concept:

* :mod:`.decomposition`: the hinge decomposition :func:`shallow_decomposition`;
* :mod:`.canonical`: :func:`canonical_form` and :func:`minimal_width`;
* :mod:`.strata`: the fiber :func:`shallow_fiber` as a union of pieces;
* :mod:`.cores`: the linear algebra of one piece (its free terms, its dimension);
* :mod:`.sampler`: exact random networks in a piece.
"""

from __future__ import annotations

from relu_geom.analyses.fibers.shallow.canonical import canonical_form, minimal_width
from relu_geom.analyses.fibers.shallow.decomposition import Hinge, ShallowDecomposition, shallow_decomposition
from relu_geom.analyses.fibers.shallow.strata import FiberPiece, ShallowFiber, shallow_fiber

__all__ = [
    "FiberPiece",
    "Hinge",
    "ShallowDecomposition",
    "ShallowFiber",
    "canonical_form",
    "minimal_width",
    "shallow_decomposition",
    "shallow_fiber",
]
