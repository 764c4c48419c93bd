"""Streaming compilation: the cells of a network one at a time, in bounded memory.

:func:`iter_cells` runs the region stage depth first (as :func:`~relu_geom.compile_network`
does) and, for every region as soon as it is finished, enumerates its face lattice and
yields the region and the faces it *owns*.  Nothing is kept between regions, so memory
is bounded by the depth-first stack (depth x width pieces), independent of the number
of regions.

Owner rule (each cell exactly once, decided locally)
-----------------------------------------------------
Let ``c`` be a fixed interior point of the domain (the origin over ``R^d``) and ``x`` a
point of a cell ``F``.  The point ``x + eps (c - x) + eps delta (e_1 + delta e_2 + ...)``
lies, for ``0 < delta << eps << 1``, in the interior of exactly one region of the star
of ``F`` (it is inside the domain and off every hyperplane through ``x``).  That region
owns ``F``.  A region ``R = {phi_i >= 0}`` containing ``F`` owns it exactly when every
facet form ``phi_i`` of ``R`` vanishing on ``F`` satisfies ``phi_i(c) > 0``, or
``phi_i(c) = 0`` and the first nonzero coefficient of its linear part is positive; the
test is independent of ``x``, uses only ``R``'s own facets, and is exact integer
arithmetic on the homogenized forms.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, NamedTuple

from relu_geom.compiler.complex import Key, RegionData
from relu_geom.compiler.refine import (
    _Budget,
    _check_limits,
    _dfs,
    _face_lattice,
    _Problem,
    _refused_facets,
    parse_domain,
)
from relu_geom.errors import InvalidInputError
from relu_geom.geometry.lattice import iter_bits
from relu_geom.geometry.polyhedron import Polyhedron
from relu_geom.network import ReLUNetwork

__all__ = ["CellCounts", "StreamedCell", "count_regions", "iter_cells", "iter_regions"]


@dataclass(frozen=True, slots=True)
class StreamedCell:
    """A cell of the canonical complex, as streamed by :func:`iter_cells`.

    Attributes
    ----------
    dim : int
        Dimension of the cell.
    sign_key : tuple[int, int, int]
        ``(positive, negative, tight domain constraints)`` bitsets, as
        :attr:`Cell.sign_key <relu_geom.Cell.sign_key>`.
    region : RegionData
        The exact data of the region that owns the cell (its closure contains it).
    raymask : int
        Bit ``i`` set when generator ``i`` of ``region`` lies on the cell's closure.
    n_hidden : int
        The number of hidden neurons.
    """

    dim: int
    sign_key: Key
    region: RegionData
    raymask: int
    n_hidden: int

    @property
    def sign_vector(self) -> tuple[int, ...]:
        """Signs (-1, 0, +1) of all hidden pre-activations on the cell."""
        pos, neg, _ = self.sign_key
        return tuple((pos >> g & 1) - (neg >> g & 1) for g in range(self.n_hidden))

    @property
    def is_bounded(self) -> bool:
        """True when the cell is bounded."""
        rays = self.region.rays
        return all(rays[i][-1] for i in iter_bits(self.raymask)) and not self.region.lin

    @property
    def interior_point(self) -> tuple[Fraction, ...]:
        """An exact point of the cell: the sum of its homogeneous generators, dehomogenized."""
        rays = self.region.rays
        acc = [sum(c) for c in zip(*(rays[i] for i in iter_bits(self.raymask)))]
        return tuple(Fraction(x, acc[-1]) for x in acc[:-1])

    @property
    def polyhedron(self) -> Polyhedron:
        """The closure of the cell as an exact :class:`~relu_geom.Polyhedron`."""
        rays = self.region.rays
        verts, dirs = [], []
        for i in iter_bits(self.raymask):
            g = rays[i]
            if g[-1]:
                verts.append([Fraction(x, g[-1]) for x in g[:-1]])
            else:
                dirs.append(g[:-1])
        return Polyhedron.from_vrep(verts, dirs, [v[:-1] for v in self.region.lin])


class CellCounts(NamedTuple):
    """What :func:`count_regions` counts."""

    n_regions: int
    n_bounded_regions: int
    f_vector: tuple[int, ...]


def iter_cells(
    net: ReLUNetwork,
    domain: Any = None,
    *,
    regions_only: bool = False,
    max_seconds: float | None = None,
    max_memory: int | None = None,
) -> Iterator[StreamedCell]:
    """Every cell of the canonical complex of ``net`` over ``domain``, each exactly once,
    region by region (depth first), in memory independent of the number of cells.

    A region comes first, then the faces it owns (see the module's owner rule).  The
    cells are those of :func:`~relu_geom.compile_network` (same sign keys), in another
    order.  ``max_seconds`` and ``max_memory`` bound the work as for
    :func:`~relu_geom.compile_network`.

    Examples
    --------
    >>> import relu_geom as rg
    >>> sorted(c.dim for c in rg.iter_cells(rg.zoo.abs_1d()))  # a point and two half-lines
    [0, 1, 1]
    """
    if not isinstance(net, ReLUNetwork):
        raise InvalidInputError(f"net: expected a ReLUNetwork, got {type(net).__name__}")
    _check_limits(None, max_seconds, max_memory)
    pb = _Problem(net, parse_domain(domain, net.input_dim))
    return _stream(net, pb, _Budget(None, max_seconds, max_memory, False, len(pb.widths)), regions_only)


def iter_regions(
    net: ReLUNetwork, domain: Any = None, *, max_seconds: float | None = None, max_memory: int | None = None
) -> Iterator[StreamedCell]:
    """The regions (``d``-cells) of ``net`` over ``domain``, streamed depth first in bounded memory.

    Examples
    --------
    >>> import relu_geom as rg
    >>> [r.sign_vector for r in rg.iter_regions(rg.zoo.abs_1d())]
    [(1, -1), (-1, 1)]
    """
    return iter_cells(net, domain, regions_only=True, max_seconds=max_seconds, max_memory=max_memory)


def count_regions(
    net: ReLUNetwork, domain: Any = None, *, max_seconds: float | None = None, max_memory: int | None = None
) -> CellCounts:
    """The number of regions, of bounded regions and the f-vector, without keeping the cells.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[1, 1]]], [[0, 0], [0]])
    >>> rg.count_regions(net)
    CellCounts(n_regions=4, n_bounded_regions=0, f_vector=(1, 4, 4))
    """
    counts = [0] * (net.input_dim + 1 if isinstance(net, ReLUNetwork) else 1)
    bounded = 0
    for c in iter_cells(net, domain, max_seconds=max_seconds, max_memory=max_memory):
        counts[c.dim] += 1
        if c.dim == len(counts) - 1 and c.is_bounded:
            bounded += 1
    return CellCounts(counts[-1], bounded, tuple(counts))


def _stream(net: ReLUNetwork, pb: _Problem, budget: _Budget, regions_only: bool) -> Iterator[StreamedCell]:
    d, H = pb.d, pb.H
    for reg in _dfs(pb, [(pb.start, (), 0, 1.0)], budget):
        faces, _, sets, facets = _face_lattice(reg, d, pb.dom_mask)
        key, dim, G, _ = faces[0]
        yield StreamedCell(dim, key, reg, G, H)
        if regions_only:
            continue
        refused = _refused_facets(pb, reg, sets, facets)
        for key, dim, G, _ in faces[1:]:
            if not any(G & f == G for f in refused):
                yield StreamedCell(dim, key, reg, G, H)
