"""Polyhedron: an exact convex polyhedron with both representations in canonical form.

Conventions
-----------
* An **inequality** is an integer row ``(a_1, ..., a_d, b)`` meaning ``a . x <= b``.
* An **equality** is an integer row ``(a_1, ..., a_d, b)`` meaning ``a . x == b``.
* **Vertices** are tuples of Fractions; **rays** and **lineality** vectors are
  primitive integer tuples.

Canonical form: equalities are the reduced row echelon basis of the affine hull,
each row made primitive with a positive pivot; inequalities are irredundant,
reduced modulo the equalities (zero in every pivot column), primitive and
sorted; lineality is a canonical basis; vertices and rays are reduced modulo the
lineality space and sorted.  Two polyhedra are ``==`` exactly when they are the
same point set.  Conversions between the representations use pycddlib's exact
GMP arithmetic.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

from relu_geom._util import Frozen, lazy
from relu_geom.arith.dense import integer_echelon, primitive_row, reduce_integer_row, reduce_row, rref
from relu_geom.arith.rational import as_bounds, as_point, clear_denominators, to_rational
from relu_geom.errors import DimensionMismatchError, InvalidInputError
from relu_geom.geometry.lattice import iter_bits, maximal_sets

__all__ = ["Polyhedron"]

IntRow = tuple[int, ...]
Point = tuple[Fraction, ...]
HRep = tuple[tuple[IntRow, ...], tuple[IntRow, ...]]
"""``(equalities, inequalities)`` in canonical form."""
VRep = tuple[tuple[Point, ...], tuple[IntRow, ...], tuple[IntRow, ...]]
"""``(vertices, rays, lineality)`` in canonical form."""


def _int_rows(rows: Sequence[Sequence[Any]]) -> list[tuple[int, ...]]:
    return [tuple(r) if all(isinstance(v, int) for v in r) else clear_denominators(r) for r in rows]


def _canonical_hrep(
    ambient_dim: int,
    equalities: Sequence[Sequence[Any]],
    inequalities: Sequence[Sequence[Any]],
    *,
    keep_trivial: bool = False,
) -> tuple[tuple[IntRow, ...], tuple[IntRow, ...]]:
    """Equalities in integer echelon form; inequalities reduced modulo them, primitive, sorted,
    without repeats. Rows ``0 <= b`` are dropped, or kept when ``keep_trivial`` (an equality
    ``0 == b`` with ``b != 0`` then becomes the infeasible row ``0 <= -1``)."""
    basis, piv = integer_echelon([r for r in _int_rows(equalities) if any(r)])
    ineqs = set()
    if keep_trivial and any(not any(r[:ambient_dim]) for r in basis):
        return (), (tuple([0] * ambient_dim + [-1]),)
    for r in _int_rows(inequalities):
        red = reduce_integer_row(r, basis, piv)
        if any(red[:ambient_dim]) or (keep_trivial and red[ambient_dim] < 0):
            ineqs.add(red)  # primitive already
    return tuple(basis), tuple(sorted(ineqs))


def _generators(
    d: int, eqs: Sequence[IntRow], ineqs: Sequence[IntRow]
) -> tuple[list[Point], list[list[Fraction]], list[list[Fraction]]]:
    """Vertices, rays and lineality of ``{x : eqs, ineqs}`` by one cddlib double description."""
    import cdd
    import cdd.gmp

    array = [[r[d]] + [-v for v in r[:d]] for r in (*eqs, *ineqs)]
    mat = cdd.gmp.matrix_from_array(array, lin_set=set(range(len(eqs))), rep_type=cdd.RepType.INEQUALITY)
    gens = cdd.gmp.copy_generators(cdd.gmp.polyhedron_from_matrix(mat))
    verts: list[Point] = []
    rays, lins = [], []
    for i, row in enumerate(gens.array):
        vec = [Fraction(v) for v in row[1:]]
        if i in gens.lin_set:
            lins.append(vec)
        elif row[0] != 0:
            verts.append(tuple(v / Fraction(row[0]) for v in vec))
        else:
            rays.append(vec)
    if not verts and all(r[d] == 0 for r in eqs) and all(r[d] >= 0 for r in ineqs):
        verts.append((Fraction(0),) * d)  # cddlib leaves out the apex of a cone
    return verts, rays, lins


def _canonical_vrep(
    ambient_dim: int,
    vertices: Sequence[Point],
    rays: Sequence[Sequence[Any]],
    lineality: Sequence[Sequence[Any]],
) -> tuple[tuple[Point, ...], tuple[IntRow, ...], tuple[IntRow, ...]]:
    lin, piv = integer_echelon([r for r in _int_rows(lineality) if any(r)])
    if lin:
        basis = [[Fraction(v) for v in r] for r in lin]
        basis = [[v / r[p] for v in r] for r, p in zip(basis, piv)]
        verts = sorted({tuple(reduce_row(v, basis, piv)) for v in vertices})
    else:  # sort, then drop repeats (comparing Fractions is cheaper than hashing them)
        verts = sorted(map(tuple, vertices))
        verts = [v for i, v in enumerate(verts) if i == 0 or v != verts[i - 1]]
    rs = {red for red in (reduce_integer_row(r, lin, piv) for r in _int_rows(rays)) if any(red)}
    return tuple(verts), tuple(sorted(rs)), tuple(lin)


class Polyhedron(Frozen):
    """An exact convex polyhedron in ``R^d``, immutable, with H- and V-representation.

    Build one with :meth:`from_hrep`, :meth:`from_vrep` or :meth:`box`.

    Examples
    --------
    >>> import relu_geom as rg
    >>> square = rg.Polyhedron.box([(0, 1), (0, 1)])
    >>> square.inequalities
    ((-1, 0, 0), (0, -1, 0), (0, 1, 1), (1, 0, 1))
    >>> square.volume()
    Fraction(1, 1)
    >>> tri = rg.Polyhedron.from_vrep([(0, 0), (1, 0), (0, 1)])
    >>> tri.dim, tri.n_vertices, tri.contains([1/4, 1/4])
    (2, 3, True)
    """

    __slots__ = ("_d", "_h", "_v", "_h_thunk", "_v_thunk", "_source", "_lazy")
    _d: int
    _h: HRep | None
    _v: VRep | None
    _h_thunk: Callable[[], HRep] | None
    _v_thunk: Callable[[], VRep] | None
    _source: Any
    _lazy: dict[str, Any]

    def __init__(self) -> None:  # pragma: no cover - use the named constructors
        raise TypeError("use Polyhedron.from_hrep, Polyhedron.from_vrep or Polyhedron.box")

    @classmethod
    def _from_data(
        cls,
        ambient_dim: int,
        *,
        hrep: HRep | None = None,
        vrep: VRep | None = None,
        hrep_thunk: Callable[[], HRep] | None = None,
        vrep_thunk: Callable[[], VRep] | None = None,
        source: Any = None,
    ) -> Polyhedron:
        """Unchecked constructor from data already in canonical form (or thunks computing it).

        ``source``, when given, computes what is neither given nor has a thunk: its methods
        ``_hrep()`` and ``_vrep()`` are called instead (one reference for both instead of two
        bound methods, which a complex of many cells would keep alive, one pair per cell).
        """
        obj = object.__new__(cls)
        obj._set(
            _d=ambient_dim,
            _h=hrep,
            _v=vrep,
            _h_thunk=hrep_thunk,
            _v_thunk=vrep_thunk,
            _source=source,
            _lazy={},
        )
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle both representations (thunks may be closures): the copy is equal and ready."""
        return (_unpickle, (self._d, self._hrep(), self._vrep()))

    # ------------------------------------------------------------ constructors
    @classmethod
    def from_hrep(
        cls,
        inequalities: Sequence[Sequence[Any]] = (),
        equalities: Sequence[Sequence[Any]] = (),
        *,
        ambient_dim: int | None = None,
    ) -> Polyhedron:
        """From rows ``(a_1, ..., a_d, b)``: inequalities ``a . x <= b``, equalities ``a . x == b``.

        Examples
        --------
        >>> import relu_geom as rg
        >>> p = rg.Polyhedron.from_hrep([(-1, 0, 0), (0, -1, 0), (1, 1, 2)])
        >>> p.vertices
        ((Fraction(0, 1), Fraction(0, 1)), (Fraction(0, 1), Fraction(2, 1)), (Fraction(2, 1), Fraction(0, 1)))
        """
        rows_i = [
            [to_rational(v, what=f"inequalities[{i}][{j}]") for j, v in enumerate(r)]
            for i, r in enumerate(inequalities)
        ]
        rows_e = [
            [to_rational(v, what=f"equalities[{i}][{j}]") for j, v in enumerate(r)]
            for i, r in enumerate(equalities)
        ]
        lengths = {len(r) for r in rows_i + rows_e}
        if ambient_dim is None:
            if not lengths:
                raise InvalidInputError("from_hrep: give ambient_dim when there are no constraints")
            ambient_dim = max(lengths) - 1
        if lengths - {ambient_dim + 1}:
            raise DimensionMismatchError(
                f"from_hrep: every row must have ambient_dim + 1 = {ambient_dim + 1} entries (a_1..a_d, b), "
                f"got rows of lengths {sorted(lengths)}"
            )
        if ambient_dim < 1:
            raise InvalidInputError(f"from_hrep: ambient dimension must be at least 1, got {ambient_dim}")
        d = ambient_dim
        if not rows_i and not rows_e:
            return cls._from_data(
                d,
                hrep=((), ()),
                vrep=(
                    ((Fraction(0),) * d,),
                    (),
                    tuple(tuple(int(i == j) for j in range(d)) for i in range(d)),
                ),
            )
        return cls._from_clean_hrep(d, *_canonical_hrep(d, rows_e, rows_i, keep_trivial=True))

    @classmethod
    def _from_clean_hrep(cls, d: int, eqs: tuple[IntRow, ...], ineqs: tuple[IntRow, ...]) -> Polyhedron:
        """From integer rows already reduced (equalities in echelon form, inequalities reduced
        modulo them, without repeats): one double-description run of cddlib, then our own exact
        canonical H-representation.

        cddlib's ``matrix_canonicalize`` is never called: in pycddlib 3.0.2 (GMP) it crashes
        the interpreter on some inputs (repeated rows next to a linearity row, huge and tiny
        entries). Instead the facets are read off the generators: an inequality tight on every
        generator is an implicit equality; the others define facets exactly when the set of
        generators they are tight on contains a vertex and is maximal (inclusion) among those sets.
        """
        if any(not any(r[:d]) and r[d] < 0 for r in ineqs):  # 0 <= b with b < 0
            return cls._empty(d)
        ineqs = tuple(r for r in ineqs if any(r[:d]))
        if not ineqs and not eqs:
            return cls.from_hrep(ambient_dim=d)
        verts, rays, lins = _generators(d, eqs, ineqs)
        if not verts:
            return cls._empty(d)
        gens: list[tuple[Fraction | int, ...]] = [(1, *v) for v in verts]
        gens += [(0, *r) for r in rays]
        zero_sets = []
        for r in ineqs:
            z = 0
            for k, g in enumerate(gens):
                if r[d] * g[0] - sum(a * x for a, x in zip(r[:d], g[1:])) == 0:
                    z |= 1 << k
            zero_sets.append(z)
        full = (1 << len(gens)) - 1
        vertex_bits = (1 << len(verts)) - 1
        new_eqs = [r for r, z in zip(ineqs, zero_sets) if z == full]
        facets = []
        for r, z in zip(ineqs, zero_sets):
            if z == full or not z & vertex_bits:
                continue
            if any(z & w == z and w != z and w != full for w in zero_sets):
                continue
            facets.append(r)
        hrep = _canonical_hrep(d, list(eqs) + new_eqs, facets)
        return cls._from_data(d, hrep=hrep, vrep=_canonical_vrep(d, verts, rays, lins))

    @classmethod
    def _empty(cls, d: int) -> Polyhedron:
        return cls._from_data(d, hrep=((tuple([0] * d + [-1]),), ()), vrep=((), (), ()))

    @classmethod
    def from_vrep(
        cls,
        vertices: Sequence[Sequence[Any]],
        rays: Sequence[Sequence[Any]] = (),
        lineality: Sequence[Sequence[Any]] = (),
    ) -> Polyhedron:
        """The convex hull of ``vertices`` plus the cone of ``rays`` plus the span of ``lineality``.

        Examples
        --------
        >>> import relu_geom as rg
        >>> rg.Polyhedron.from_vrep([(0, 0)], rays=[(1, 0), (0, 1)]).inequalities
        ((-1, 0, 0), (0, -1, 0))
        """
        pts = [list(v) for v in vertices]
        if not pts:
            raise InvalidInputError("from_vrep: a polyhedron needs at least one vertex (point)")
        d = len(pts[0])
        verts = [as_point(v, d, what=f"vertices[{i}]") for i, v in enumerate(pts)]
        rs = [as_point(r, d, what=f"rays[{i}]") for i, r in enumerate(rays)]
        ls = [as_point(r, d, what=f"lineality[{i}]") for i, r in enumerate(lineality)]
        import cdd
        import cdd.gmp

        lin_basis, _ = integer_echelon([r for r in _int_rows(ls) if any(r)])
        ray_rows = sorted({r for r in _int_rows(rs) if any(r)})
        pts_rows = sorted(set(verts))
        array: list[list[Fraction | int]] = [[1, *v] for v in pts_rows]
        array += [[0, *r] for r in (*ray_rows, *lin_basis)]
        lin = set(range(len(pts_rows) + len(ray_rows), len(array)))
        mat = cdd.gmp.matrix_from_array(array, lin_set=lin, rep_type=cdd.RepType.GENERATOR)
        ineq = cdd.gmp.copy_inequalities(cdd.gmp.polyhedron_from_matrix(mat))
        eq_rows: list[list[Fraction]] = []
        in_rows: list[list[Fraction]] = []
        for i, row in enumerate(ineq.array):
            r = [-Fraction(v) for v in row[1:]] + [Fraction(row[0])]
            if not any(r[:d]):
                continue  # the trivial row 1 >= 0
            (eq_rows if i in ineq.lin_set else in_rows).append(r)
        return cls._from_clean_hrep(d, *_canonical_hrep(d, eq_rows, in_rows, keep_trivial=True))

    @classmethod
    def box(cls, bounds: Sequence[Sequence[Any]]) -> Polyhedron:
        """The box ``[lo_1, hi_1] x ... x [lo_d, hi_d]`` from per-coordinate pairs ``(lo, hi)``.

        Examples
        --------
        >>> import relu_geom as rg
        >>> rg.Polyhedron.box([(-1, 1)] * 3).n_vertices
        8
        """
        pairs = as_bounds(bounds, what="bounds")
        if not pairs:
            raise InvalidInputError("box: expected at least one coordinate pair (lo, hi)")
        d = len(pairs)
        rows = []
        for i, (lo, hi) in enumerate(pairs):
            e = [Fraction(0)] * d
            e[i] = Fraction(1)
            rows.append(primitive_row([*e, hi]))
            e[i] = Fraction(-1)
            rows.append(primitive_row([*e, -lo]))
        verts = tuple(sorted(itertools.product(*pairs)))
        return cls._from_data(d, hrep=((), tuple(sorted(rows))), vrep=(verts, (), ()))

    # ---------------------------------------------------------------- access
    @property
    def ambient_dim(self) -> int:
        """The dimension ``d`` of the ambient space."""
        return self._d

    def _hrep(self) -> HRep:
        h = self._h
        if h is None:
            thunk = self._h_thunk
            h = self._source._hrep() if thunk is None else thunk()
            self._set(_h=h, _h_thunk=None)
        return h

    def _vrep(self) -> VRep:
        v = self._v
        if v is None:
            thunk = self._v_thunk
            v = self._source._vrep() if thunk is None else thunk()
            self._set(_v=v, _v_thunk=None)
        return v

    @property
    def equalities(self) -> tuple[IntRow, ...]:
        """Canonical equalities ``(a, b)``: ``a . x == b`` (a basis of the affine hull's equations)."""
        return self._hrep()[0]

    @property
    def inequalities(self) -> tuple[IntRow, ...]:
        """Irredundant canonical inequalities ``(a, b)``: ``a . x <= b``, one per facet."""
        return self._hrep()[1]

    @property
    def vertices(self) -> tuple[Point, ...]:
        """The vertices (for a polyhedron with lineality: one point of each minimal face)."""
        return self._vrep()[0]

    @property
    def rays(self) -> tuple[IntRow, ...]:
        """Extreme rays (primitive integer directions, reduced modulo the lineality space)."""
        return self._vrep()[1]

    @property
    def lineality(self) -> tuple[IntRow, ...]:
        """A canonical basis of the lineality space."""
        return self._vrep()[2]

    @property
    def n_vertices(self) -> int:
        """The number of vertices."""
        return len(self.vertices)

    @property
    def is_empty(self) -> bool:
        """True for the empty polyhedron."""
        return not self.vertices

    @property
    def is_bounded(self) -> bool:
        """True when there are no rays and no lineality (a polytope)."""
        return not self.rays and not self.lineality

    @lazy
    def dim(self) -> int:
        """Dimension of the affine hull (-1 when empty)."""
        if self.is_empty:
            return -1
        v0 = self.vertices[0]
        vecs: list[list[Fraction | int]] = [[a - b for a, b in zip(v, v0)] for v in self.vertices[1:]]
        vecs += [[*r] for r in (*self.rays, *self.lineality)]
        vecs = [v for v in vecs if any(v)]
        return len(rref(vecs)[0]) if vecs else 0

    @lazy
    def interior_point(self) -> Point:
        """An exact point of the relative interior: the vertex centroid plus the sum of the rays."""
        if self.is_empty:
            raise InvalidInputError("interior_point: the polyhedron is empty")
        n = len(self.vertices)
        pt = [sum(c) / n for c in zip(*self.vertices)]
        for r in self.rays:
            pt = [a + b for a, b in zip(pt, r)]
        return tuple(Fraction(v) for v in pt)

    def contains(self, x: object) -> bool:
        """Whether the exact point ``x`` lies in the (closed) polyhedron."""
        p = as_point(x, self._d)
        eqs, ineqs = self._hrep()
        if self.is_empty:
            return False
        return all(sum(a * v for a, v in zip(r, p)) == r[-1] for r in eqs) and all(
            sum(a * v for a, v in zip(r, p)) <= r[-1] for r in ineqs
        )

    def relative_interior_contains(self, x: object) -> bool:
        """Whether ``x`` lies in the relative interior (all inequalities strict)."""
        p = as_point(x, self._d)
        eqs, ineqs = self._hrep()
        if self.is_empty:
            return False
        return all(sum(a * v for a, v in zip(r, p)) == r[-1] for r in eqs) and all(
            sum(a * v for a, v in zip(r, p)) < r[-1] for r in ineqs
        )

    def intersection(self, other: Polyhedron) -> Polyhedron:
        """The polyhedron ``self`` intersected with ``other``, exactly.

        From the two H-representations.  Two polygons of ``R^3`` (one equality each)
        whose meet lies in a line (their planes differ, or, in one plane, a facet row
        of one has the other on its far closed side, as for polygons with disjoint
        interiors) are met on that line by exact interval arithmetic, without a
        double description.

        Examples
        --------
        >>> import relu_geom as rg
        >>> a = rg.Polyhedron.box([(0, 2), (0, 2)])
        >>> a.intersection(rg.Polyhedron.box([(1, 3), (1, 3)])) == rg.Polyhedron.box([(1, 2), (1, 2)])
        True
        >>> a.intersection(rg.Polyhedron.box([(3, 4), (0, 1)])).is_empty
        True
        """
        if not isinstance(other, Polyhedron):
            raise InvalidInputError(f"other: expected a Polyhedron, got {type(other).__name__}")
        if other.ambient_dim != self.ambient_dim:
            raise DimensionMismatchError(
                f"other: expected a polyhedron in R^{self.ambient_dim}, got one in R^{other.ambient_dim}"
            )
        p, q = self, other
        if p.ambient_dim == 3 and len(p.equalities) == len(q.equalities) == 1:
            (h,), (g,) = p.equalities, q.equalities
            rows = (*p.inequalities, *q.inequalities)
            if h != g:
                line = _meet_on_line(h, g, rows)
                if line is not None:
                    return line
            else:
                for x, y in ((p, q), (q, p)):
                    for r in x.inequalities:
                        if not _has_points_below(r, y):  # y lies in a . x >= b, x in a . x <= b
                            line = _meet_on_line(h, r, rows)
                            if line is not None:
                                return line
        return Polyhedron.from_hrep(
            (*p.inequalities, *q.inequalities), (*p.equalities, *q.equalities), ambient_dim=p.ambient_dim
        )

    def volume(self) -> Fraction:
        """Exact ``d``-dimensional volume of a bounded polyhedron (0 when lower-dimensional).

        Computed from a pulling triangulation: cone the first vertex over a
        triangulation of every facet that misses it; each simplex contributes
        ``|det| / d!``.  Exponential in the dimension, fine for small ``d``.
        """
        if not self.is_bounded:
            raise InvalidInputError("volume: the polyhedron is unbounded")
        if self.dim < self._d:
            return Fraction(0)
        verts = self.vertices
        ineqs = self.inequalities
        facets = []
        for r in ineqs:
            mask = 0
            for i, v in enumerate(verts):
                if sum(a * c for a, c in zip(r, v)) == r[-1]:
                    mask |= 1 << i
            facets.append(mask)
        total = Fraction(0)
        for simplex in _triangulate((1 << len(verts)) - 1, self._d, facets):
            pts = [verts[i] for i in iter_bits(simplex)]
            base = pts[0]
            total += abs(_det([[a - b for a, b in zip(p, base)] for p in pts[1:]]))
        return total / math.factorial(self._d)

    # --------------------------------------------------------------- dunders
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Polyhedron):
            return NotImplemented
        return self._d == other._d and self._hrep() == other._hrep() and self._vrep() == other._vrep()

    def __hash__(self) -> int:
        return hash((self._d, self._hrep()))

    def __repr__(self) -> str:
        return (
            f"Polyhedron(dim={self.dim}, ambient_dim={self._d}, n_vertices={len(self.vertices)}, "
            f"n_rays={len(self.rays)}, lineality_dim={len(self.lineality)})"
        )

    def to_dict(self) -> dict[str, Any]:
        """Exact JSON-ready form: rationals as ``"p/q"`` strings or ints."""
        from relu_geom.arith.rational import format_rational

        return {
            "dim": self.dim,
            "equalities": [list(r) for r in self.equalities],
            "inequalities": [list(r) for r in self.inequalities],
            "vertices": [[format_rational(v) for v in p] for p in self.vertices],
            "rays": [list(r) for r in self.rays],
            "lineality": [list(r) for r in self.lineality],
        }


def _dot(a: Sequence[Any], x: Sequence[Any]) -> Any:
    return sum(u * v for u, v in zip(a, x))


def _cross(a: Sequence[int], b: Sequence[int]) -> IntRow:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def _has_points_below(row: IntRow, p: Polyhedron) -> bool:
    """Whether ``p`` has points with ``a . x < b`` (row ``(a, b)``)."""
    b = row[-1]
    return (
        any(_dot(row, v) < b for v in p.vertices)
        or any(_dot(row, r) < 0 for r in p.rays)
        or any(_dot(row, r) for r in p.lineality)
    )


def _meet_on_line(h: IntRow, g: IntRow, rows: Sequence[IntRow]) -> Polyhedron | None:
    """``{x in R^3 : h, g (equalities), rows (a . x <= b)}`` by interval arithmetic on the line ``h = g = 0``.

    None when the two planes are parallel.  The line is ``x0 + s w`` with ``w = a1 x a2``
    and ``x0 = (b1 (a2 x w) + b2 (w x a1)) / (w . w)`` (then ``a1 . x0 = b1`` and
    ``a2 . x0 = b2``); each row bounds ``s``.  The generators are put in the same
    canonical form as every :class:`Polyhedron`.
    """
    w = _cross(h[:3], g[:3])
    ww = _dot(w, w)
    if not ww:
        return None
    u, v = _cross(g[:3], w), _cross(w, h[:3])
    X0 = tuple(h[3] * a + g[3] * b for a, b in zip(u, v))  # x0 = X0 / ww
    lo: tuple[int, int] | None = None  # bounds on s as (numerator, positive denominator)
    hi: tuple[int, int] | None = None
    for r in rows:
        alpha, beta = _dot(r, w), r[3] * ww - _dot(r, X0)  # alpha s <= beta / ww
        if alpha > 0:
            bound = (beta, alpha * ww)
            if hi is None or bound[0] * hi[1] < hi[0] * bound[1]:
                hi = bound
        elif alpha < 0:
            bound = (-beta, -alpha * ww)
            if lo is None or bound[0] * lo[1] > lo[0] * bound[1]:
                lo = bound
        elif beta < 0:
            return Polyhedron._empty(3)
    if lo is not None and hi is not None and lo[0] * hi[1] > hi[0] * lo[1]:
        return Polyhedron._empty(3)
    gw = math.gcd(*w)
    w = tuple(x // gw for x in w)
    x0 = tuple(Fraction(x, ww) for x in X0)
    ends = [Fraction(bound[0] * gw, bound[1]) for bound in (lo, hi) if bound is not None]
    verts = [tuple(x + s_ * y for x, y in zip(x0, w)) for s_ in ends] or [x0]
    minus_w = tuple(-x for x in w)
    rays = [w] if hi is None and lo is not None else [minus_w] if lo is None and hi is not None else []
    lin = [w] if lo is None and hi is None else []
    vrep = _canonical_vrep(3, verts, rays, lin)
    return Polyhedron._from_data(3, vrep=vrep, hrep_thunk=lambda: Polyhedron.from_vrep(*vrep)._hrep())


def _unpickle(d: int, hrep: HRep, vrep: VRep) -> Polyhedron:
    return Polyhedron._from_data(d, hrep=hrep, vrep=vrep)


def _det(m: list[list[Fraction]]) -> Fraction:
    m = [row[:] for row in m]
    n = len(m)
    det = Fraction(1)
    for c in range(n):
        p = next((i for i in range(c, n) if m[i][c] != 0), None)
        if p is None:
            return Fraction(0)
        if p != c:
            m[c], m[p] = m[p], m[c]
            det = -det
        det *= m[c][c]
        for i in range(c + 1, n):
            f = m[i][c] / m[c][c]
            if f:
                m[i] = [a - f * b for a, b in zip(m[i], m[c])]
    return det


def _triangulate(face: int, dim: int, facets: Sequence[int]) -> list[int]:
    """Pulling triangulation of a face (vertex bitset) of a polytope of dimension ``dim``."""
    if dim == 0 or face.bit_count() == dim + 1:
        return [face]
    apex = face & -face
    out = []
    for sub in maximal_sets(face & f for f in facets if face & f != face):
        if sub & apex:
            continue
        for s in _triangulate(sub, dim - 1, facets):
            out.append(s | apex)
    return out
