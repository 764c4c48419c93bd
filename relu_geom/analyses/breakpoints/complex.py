"""Bent facets, the breakpoint complex and the maximal linear regions of a network's function.

The canonical complex of a network depends on its parameters; the objects here
depend only on the function ``f`` it computes.

* A facet of the canonical complex between regions ``P`` and ``Q`` is **bent**
  when the affine maps differ: ``(A_P, c_P) != (A_Q, c_Q)``.  Facets on the
  boundary of the domain have one region and are never bent.
* The **breakpoint complex** is the ``(d-1)``-dimensional complex on the union
  of the closures of the bent facets.  Its facets are obtained by merging bent
  facets across a ridge of the canonical complex when exactly two bent facets
  contain that ridge, they lie in one hyperplane and have one weight (then they
  continue each other straight through the ridge); in ``d >= 3`` these pieces
  are then cut canonically, along hyperplanes of ``f``, until they are convex
  and meet face to face (see :func:`breakpoint_complex`).
* The **maximal linear regions** are the unions of regions glued across
  non-bent facets (they can be non-convex); each carries its affine map.

Everything is exact and computed from the integer data the compiler keeps
(homogenized integer forms of every neuron and of the output on every region),
so the hot loops never build a Fraction matrix or a :class:`Polyhedron`; the
polyhedra of the merged facets are built on first access.

Conventions
-----------
* A **hyperplane** is an integer row ``(a_1, ..., a_d, b)`` meaning
  ``a . x == b``, primitive (gcd 1 over the whole row) with the first nonzero
  ``a_i`` positive: the same canonical form as :attr:`Polyhedron.equalities`.
* The **normal** of a facet is the primitive integer vector ``e`` (gcd of its
  entries 1) orthogonal to it; the tropical weight (see :mod:`relu_geom.analyses.breakpoints.tropical`)
  is ``c(sigma) = (A_P - A_Q) e_{P/sigma}`` with ``e_{P/sigma}`` that normal
  pointing into ``P``.  It does not depend on which side is called ``P``.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from fractions import Fraction
from operator import mul
from types import MappingProxyType
from typing import Any, NamedTuple

from relu_geom._util import Frozen, lazy, short_repr
from relu_geom.arith.dense import reduce_integer_row, rref
from relu_geom.arith.rational import format_rational, primitive
from relu_geom.compiler import as_complex
from relu_geom.compiler.complex import PolyhedralComplex
from relu_geom.errors import InvalidInputError, ReluGeomError
from relu_geom.geometry.lattice import iter_bits
from relu_geom.geometry.polyhedron import Polyhedron, _canonical_hrep, _canonical_vrep
from relu_geom.network import ReLUNetwork

__all__ = [
    "BreakpointComplex",
    "BreakpointFacet",
    "FacetRecord",
    "LinearRegion",
    "RidgeRecord",
    "as_breakpoint_complex",
    "bent_facets",
    "breakpoint_complex",
]

IntRow = tuple[int, ...]
Weight = tuple[Fraction, ...]

_CACHE: weakref.WeakKeyDictionary[PolyhedralComplex, BreakpointComplex] = weakref.WeakKeyDictionary()


class _Frozen(Frozen):
    """:class:`~relu_geom._util.Frozen` (results are cached and shared); the build code sets
    attributes with ``_init``, which is :meth:`Frozen._set`."""

    __slots__ = ()
    _init = Frozen._set


class UnionFind:
    """Union-find on hashable items with path halving (no ranks needed at this size)."""

    __slots__ = ("parent",)

    def __init__(self, items: Any = ()) -> None:
        self.parent: dict[Any, Any] = {x: x for x in items}

    def find(self, x: Any) -> Any:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: Any, b: Any) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if rb < ra:
                ra, rb = rb, ra
            self.parent[rb] = ra

    def groups(self) -> list[list[Any]]:
        out: dict[Any, list[Any]] = {}
        for x in self.parent:
            out.setdefault(self.find(x), []).append(x)
        return sorted((sorted(v) for v in out.values()), key=lambda g: g[0])


def as_breakpoint_complex(obj: Any, *, domain: Any = None) -> BreakpointComplex:
    """The :class:`BreakpointComplex` of a network, a compiled complex, or itself.

    A network is compiled over ``domain``; a compiled complex is used as it is
    (and its breakpoint complex is cached, so analyses that take the same
    complex share one computation).  Never compiles twice.

    Examples
    --------
    >>> import relu_geom as rg
    >>> cx = rg.compile_network(rg.zoo.abs_1d())
    >>> rg.as_breakpoint_complex(cx) is rg.breakpoint_complex(cx)
    True
    """
    if isinstance(obj, BreakpointComplex):
        if domain is not None:
            raise InvalidInputError(
                f"domain: a BreakpointComplex already has its domain, got domain={short_repr(domain)} with it"
            )
        return obj
    if not isinstance(obj, (PolyhedralComplex, ReLUNetwork)):
        raise InvalidInputError(
            "net_or_complex: expected a ReLUNetwork, a PolyhedralComplex or a BreakpointComplex, "
            f"got {type(obj).__name__}"
        )
    cx = as_complex(obj, domain=domain)
    try:
        cached = _CACHE.get(cx)
    except TypeError:  # pragma: no cover - a complex that cannot be weakly referenced
        cached = None
    if cached is None:
        cached = BreakpointComplex._from_complex(cx)
        try:
            _CACHE[cx] = cached
        except TypeError:  # pragma: no cover
            pass
    return cached


def breakpoint_complex(net_or_complex: Any, *, domain: Any = None) -> BreakpointComplex:
    """The breakpoint complex of the function of a network, exactly.

    Parameters
    ----------
    net_or_complex
        A :class:`~relu_geom.ReLUNetwork` (compiled over ``domain``), an already
        compiled :class:`~relu_geom.PolyhedralComplex`, or a
        :class:`BreakpointComplex` (returned as is).
    domain
        Only with a network: as in :func:`~relu_geom.compile_network`.

    Returns
    -------
    BreakpointComplex
        Its facets (merged bent facets with hyperplane, weight and exact
        polyhedron), the bent and non-bent facets of the canonical complex and
        the maximal linear regions.

    Notes
    -----
    Two bent facets of the canonical complex are merged across a ridge (an
    interior cell of dimension ``d - 2``) when they are the only bent facets
    containing it and they lie in one hyperplane with one weight.  These
    literal pieces depend only on the function.  In ``d <= 2`` they are
    segments, rays, lines or points and form a polyhedral complex: they are the
    facets.  In ``d >= 3`` a literal piece can be non-convex, or meet another
    piece in a set that is not a face of both; such pieces are cut, first along
    the affine hulls of their boundary ridges that meet their interior, then (in
    ``d >= 4``, and in ``d = 3`` for pieces with a lineality space) in rounds
    along the hyperplanes of ``f`` through the failing meets, until every two
    facets meet in a common face.  In ``d = 3`` the pointed pieces are then
    pulled at the vertices of the pieces and of their meets that they contain
    but not as vertices, which adds no vertex.  The result is a polyhedral complex,
    depends only on ``f``, and equals the literal pieces whenever those are
    convex and meet face to face (``docs/breakpoints.md`` has the rule and the
    proofs).  Its faces of lower dimension are :meth:`BreakpointComplex.faces_of_dim`.

    Complexity: linear in the number of cells, with integer work per facet
    and per ridge.  In ``d >= 3`` an integer test on the canonical complex's
    cells first decides whether the merged pieces are convex and meet face to
    face (then nothing is cut); only otherwise are exact polyhedra computed,
    for the failing pieces and their neighbours.  Other polyhedra are built
    when asked for.

    Examples
    --------
    ``|x|`` bends once, at 0, by the slope jump 2:

    >>> import relu_geom as rg
    >>> bc = rg.breakpoint_complex(rg.zoo.abs_1d())
    >>> [(f.hyperplane, f.weight) for f in bc.facets]
    [((1, 0), (Fraction(2, 1),))]

    Two lines crossing in the plane, ``relu(x) + relu(y)``: four bent rays meet
    at the origin, so nothing is merged:

    >>> bc = rg.breakpoint_complex(rg.ReLUNetwork([[[1, 0], [0, 1]], [[1, 1]]], [[0, 0], [0]]))
    >>> bc.n_facets, bc.n_bent_facets, len(bc.linear_regions)
    (4, 4, 4)
    """
    return as_breakpoint_complex(net_or_complex, domain=domain)


def bent_facets(net_or_complex: Any, *, domain: Any = None) -> dict[int, bool]:
    """For every facet (cell of dimension ``d - 1``) of the canonical complex, whether ``f`` bends across it.

    Keys are cell indices of the canonical complex; facets on the boundary of
    the domain map to False (they have one region).

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[1], [1]], [[1, 0]]], [[0, -1], [0]])  # relu(x), neuron 2 unused
    >>> cx = rg.compile_network(net)
    >>> {cx.cells[i].sign_vector: b for i, b in rg.bent_facets(cx).items()}
    {(0, -1): True, (1, 0): False}
    """
    bc = as_breakpoint_complex(net_or_complex, domain=domain)
    out = {f.index: False for f in bc.complex.facets}
    for i in bc._facet_pq:
        out[i] = i in bc._bent
    return out


@dataclass(frozen=True, slots=True)
class FacetRecord:
    """One facet of the canonical complex in the interior of the domain, as the function side reads it.

    Attributes
    ----------
    cell : int
        Its cell index in the canonical complex.
    regions : (int, int)
        Its two regions ``(P, Q)``, ``P`` the lower cell index.
    hyperplane : tuple of int
        Its canonical row ``(a, b)``: ``a . x == b``.
    normal : tuple of int
        The primitive integer normal pointing into ``P``.
    weight_numerator : tuple of int or None
        ``output_scale * c_f(sigma)`` (integers, one per output) when ``f`` bends
        across it, None when it does not.
    """

    cell: int
    regions: tuple[int, int]
    hyperplane: IntRow
    normal: IntRow
    weight_numerator: IntRow | None

    @property
    def bent(self) -> bool:
        """Whether ``f`` bends across it."""
        return self.weight_numerator is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (all integers)."""
        n = self.weight_numerator
        return {
            "cell": self.cell,
            "regions": list(self.regions),
            "hyperplane": list(self.hyperplane),
            "normal": list(self.normal),
            "weight_numerator": None if n is None else list(n),
        }


@dataclass(frozen=True, slots=True)
class RidgeRecord:
    """One ridge of the canonical complex in the interior of the domain with bent facets around it.

    Attributes
    ----------
    cell : int
        Its cell index.
    star : tuple of int
        The bent facets containing it (cell indices, in the complex's coface order).
    merged : bool
        True when the star is two bent facets in one hyperplane with one weight
        (they are merged into one breakpoint facet).
    """

    cell: int
    star: tuple[int, ...]
    merged: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"cell": self.cell, "star": list(self.star), "merged": self.merged}


class BreakpointFacet(_Frozen):
    """One facet of a breakpoint complex: a maximal merged piece of bent facets.

    Attributes
    ----------
    index : int
        Position in :attr:`BreakpointComplex.facets`.
    hyperplane : tuple of int
        Supporting hyperplane ``(a_1, ..., a_d, b)``: ``a . x == b`` (primitive
        row, first nonzero ``a_i`` positive).
    normal : tuple of int
        The primitive integer normal (gcd 1), a positive multiple of ``a``.
    weight : tuple of Fraction
        The tropical weight ``(A_P - A_Q) normal_P``, one entry per output
        (``normal_P`` the normal pointing into ``P``); independent of the side.
    cells : tuple of int
        The bent facets of the canonical complex whose relative interior meets
        its relative interior (cell indices, ascending): the cells merged into
        it, some of them only in part when the refinement of ``d >= 3`` cut them.
    """

    __slots__ = (
        "index",
        "hyperplane",
        "normal",
        "weight",
        "cells",
        "_cx",
        "_poly",
        "_owner",
        "_face_indices",
        "_lazy",
    )
    index: int
    hyperplane: IntRow
    normal: IntRow
    weight: Weight
    cells: tuple[int, ...]
    _cx: PolyhedralComplex
    _poly: Polyhedron | None
    _owner: BreakpointComplex | None
    _face_indices: tuple[int, ...] | None
    _lazy: dict[str, Any]

    def __init__(
        self,
        cx: PolyhedralComplex,
        index: int,
        hyperplane: IntRow,
        normal: IntRow,
        weight: Weight,
        cells: tuple[int, ...],
        poly: Polyhedron | None = None,
        owner: BreakpointComplex | None = None,
    ):
        self._init(
            _cx=cx, index=index, hyperplane=hyperplane, normal=normal, weight=weight, cells=cells, _poly=poly
        )
        self._init(_owner=owner, _face_indices=None, _lazy={})

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its place in its breakpoint complex (remade from the canonical complex)."""
        if self._owner is None:
            return super().__reduce__()
        return (_facet_of, (self._owner, self.index))

    def __repr__(self) -> str:
        w = ", ".join(str(v) for v in self.weight)
        return f"BreakpointFacet(index={self.index}, hyperplane={self.hyperplane}, weight=({w}), n_cells={len(self.cells)})"

    @lazy
    def polyhedron(self) -> Polyhedron:
        """The closed facet as an exact :class:`~relu_geom.Polyhedron` (H- and V-representation).

        Built from the generators of the merged cells (or kept from the
        refinement in ``d >= 3``); its one equality is :attr:`hyperplane`.
        """
        if self._poly is not None:
            return self._poly
        cells = self._cx.cells
        if len(self.cells) == 1:
            return cells[self.cells[0]].polyhedron
        verts: list[tuple[Fraction, ...]] = []
        rays: list[IntRow] = []
        lin: list[IntRow] = []
        for i in self.cells:
            p = cells[i].polyhedron
            verts.extend(p.vertices)
            rays.extend(p.rays)
            lin.extend(p.lineality)
        return Polyhedron.from_vrep(verts, rays, lin)

    @property
    def face_indices(self) -> tuple[int, ...]:
        """Its faces of dimension ``d - 2``: indices into ``bc.faces_of_dim(d - 2)`` (built on first use)."""
        if self._face_indices is None:
            assert self._owner is not None
            self._owner._faces  # noqa: B018 - fills _face_indices of every facet
        assert self._face_indices is not None
        return self._face_indices

    @property
    def vertices(self) -> tuple[tuple[Fraction, ...], ...]:
        """Vertices of the facet (see :attr:`Polyhedron.vertices`)."""
        return self.polyhedron.vertices

    @property
    def rays(self) -> tuple[IntRow, ...]:
        """Extreme rays of the facet."""
        return self.polyhedron.rays

    @property
    def lineality(self) -> tuple[IntRow, ...]:
        """Lineality space basis of the facet."""
        return self.polyhedron.lineality

    @property
    def interior_point(self) -> tuple[Fraction, ...]:
        """An exact point in the relative interior (that of its only cell, or of its polyhedron)."""
        p = self._poly
        if p is not None and not p.relative_interior_contains(self._cx.cells[self.cells[0]].interior_point):
            return p.interior_point  # a piece cut out of its first cell
        return self._cx.cells[self.cells[0]].interior_point

    @property
    def signature(self) -> tuple[Any, ...]:
        """``(hyperplane, weight, vertices, rays, lineality)``: depends only on the function.

        Two networks computing the same function over the same domain have
        equal sets of signatures.
        """
        p = self.polyhedron
        return (self.hyperplane, self.weight, p.vertices, p.rays, p.lineality)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, rationals as ``"p/q"`` strings (integers as ints); builds the polyhedron."""
        return {
            "index": self.index,
            "hyperplane": list(self.hyperplane),
            "normal": list(self.normal),
            "weight": [format_rational(v) for v in self.weight],
            "cells": list(self.cells),
            "polyhedron": self.polyhedron.to_dict(),
        }


class LinearRegion(_Frozen):
    """A maximal linear region of ``f``: regions glued across non-bent facets (possibly non-convex).

    Attributes
    ----------
    index : int
        Position in :attr:`BreakpointComplex.linear_regions`.
    cells : tuple of int
        Indices of the regions (d-cells) of the canonical complex it is made of.
    affine_map : (A, c)
        ``f(x) = A x + c`` on the whole region, exact Fractions.
    """

    __slots__ = ("index", "cells", "affine_map", "_cx")
    index: int
    cells: tuple[int, ...]
    affine_map: tuple[tuple[tuple[Fraction, ...], ...], tuple[Fraction, ...]]
    _cx: PolyhedralComplex

    def __init__(
        self,
        cx: PolyhedralComplex,
        index: int,
        cells: tuple[int, ...],
        affine_map: tuple[tuple[tuple[Fraction, ...], ...], tuple[Fraction, ...]],
    ):
        self._init(_cx=cx, index=index, cells=cells, affine_map=affine_map)

    def __repr__(self) -> str:
        return f"LinearRegion(index={self.index}, n_cells={len(self.cells)})"

    @property
    def interior_point(self) -> tuple[Fraction, ...]:
        """An exact interior point (that of its first region)."""
        return self._cx.cells[self.cells[0]].interior_point

    @property
    def is_bounded(self) -> bool:
        """True when every region it is made of is bounded."""
        return all(self._cx.cells[i].is_bounded for i in self.cells)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: its regions and the affine map ``(A, c)`` as ``"p/q"`` strings."""
        A, c = self.affine_map
        return {
            "index": self.index,
            "cells": list(self.cells),
            "A": [[format_rational(v) for v in row] for row in A],
            "c": [format_rational(v) for v in c],
        }


class BreakpointFace(_Frozen):
    """A cell of dimension ``d - 2`` down to 0 of a breakpoint complex: a face of its facets.

    Attributes
    ----------
    index : int
        Position in :meth:`BreakpointComplex.faces_of_dim` of its dimension.
    dim : int
        Its dimension.
    polyhedron : Polyhedron
        The closed face, exactly (V-representation at once, H-representation on first use).
    facets : tuple of int
        The breakpoint facets (indices in :attr:`BreakpointComplex.facets`) containing it.
    face_indices, coface_indices : tuple of int
        Its faces of dimension ``dim - 1`` and the cells of dimension ``dim + 1``
        containing it, as indices into ``bc.cells_of_dim(dim - 1)`` and
        ``bc.cells_of_dim(dim + 1)`` (for ``dim == d - 2`` the cofaces are facets).
    """

    __slots__ = ("index", "dim", "polyhedron", "facets", "face_indices", "coface_indices")
    index: int
    dim: int
    polyhedron: Polyhedron
    facets: tuple[int, ...]
    face_indices: tuple[int, ...]
    coface_indices: tuple[int, ...]

    def __init__(
        self,
        index: int,
        dim: int,
        polyhedron: Polyhedron,
        facets: tuple[int, ...],
        face_indices: tuple[int, ...],
        coface_indices: tuple[int, ...],
    ):
        self._init(
            index=index,
            dim=dim,
            polyhedron=polyhedron,
            facets=facets,
            face_indices=face_indices,
            coface_indices=coface_indices,
        )

    def __repr__(self) -> str:
        return f"BreakpointFace(dim={self.dim}, index={self.index}, n_facets={len(self.facets)})"

    @property
    def vertices(self) -> tuple[tuple[Fraction, ...], ...]:
        """Vertices of the face."""
        return self.polyhedron.vertices

    @property
    def rays(self) -> tuple[IntRow, ...]:
        """Extreme rays of the face."""
        return self.polyhedron.rays

    @property
    def lineality(self) -> tuple[IntRow, ...]:
        """Lineality space basis of the face."""
        return self.polyhedron.lineality

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the polyhedron as :meth:`Polyhedron.to_dict`)."""
        return {
            "index": self.index,
            "dim": self.dim,
            "polyhedron": self.polyhedron.to_dict(),
            "facets": list(self.facets),
            "face_indices": list(self.face_indices),
            "coface_indices": list(self.coface_indices),
        }


class BreakpointComplex(_Frozen):
    """The breakpoint complex of ``f`` with the bent-facet data of the canonical complex.

    Build it with :func:`breakpoint_complex`.  Immutable (it is cached and
    shared: assigning an attribute raises ``AttributeError``; mappings are
    read-only views).  Its facets are
    ordered by hyperplane, then by their first cell of the canonical complex;
    compare two breakpoint complexes as point sets with :meth:`signature`.

    Examples
    --------
    >>> import relu_geom as rg
    >>> bc = rg.breakpoint_complex(rg.zoo.hat_1d())
    >>> [(f.hyperplane, f.weight[0]) for f in bc.facets]
    [((1, 0), Fraction(1, 1)), ((1, 1), Fraction(-2, 1)), ((1, 2), Fraction(1, 1))]
    >>> bc.summary()["n_linear_regions"]
    4
    """

    __slots__ = (
        "complex",
        "network",
        "ambient_dim",
        "dim",
        "facets",
        "facets_of_cell",
        "facet_of_cell",
        "_scale",
        "_facet_pq",
        "_normal_p",
        "_key",
        "_num",
        "_bent",
        "_stars",
        "_merge_ridges",
        "_lazy",
        "__weakref__",  # analyses cache their results per breakpoint complex
    )
    complex: PolyhedralComplex
    network: ReLUNetwork
    ambient_dim: int
    dim: int
    facets: tuple[BreakpointFacet, ...]
    facets_of_cell: Mapping[int, tuple[int, ...]]
    facet_of_cell: Mapping[int, int]
    _scale: int
    _facet_pq: Mapping[int, tuple[int, int]]
    _normal_p: Mapping[int, IntRow]
    _key: Mapping[int, IntRow]
    _num: Mapping[int, IntRow]
    _bent: frozenset[int]
    _stars: Mapping[int, tuple[int, ...]]
    _merge_ridges: frozenset[int]
    _lazy: dict[str, Any]

    def __init__(self) -> None:  # pragma: no cover - built by breakpoint_complex
        raise TypeError("use relu_geom.breakpoint_complex(net_or_complex)")

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its canonical complex: the copy is rebuilt (and cached) from it."""
        return (as_breakpoint_complex, (self.complex,))

    # ----------------------------------------------------------------- build
    @classmethod
    def _from_complex(cls, cx: PolyhedralComplex) -> BreakpointComplex:
        obj = object.__new__(cls)
        obj._init(complex=cx, network=cx.network, ambient_dim=cx.dim, dim=cx.dim - 1, _lazy={})
        obj._analyse()
        return obj

    def _analyse(self) -> None:
        """One pass over facets and ridges on the compiler's integer data.

        Per interior facet: its two regions ``P, Q`` (``P`` the lower cell
        index), whether bent, the canonical hyperplane row, the primitive normal
        pointing into ``P``, and the integer numerator of the weight (the weight
        is ``num / out_scale``).  Per interior ridge: its bent facets.
        """
        cx = self.complex
        d = cx.dim
        regs = cx.region_data
        H = cx.network.n_hidden
        pos_of = [cx.neuron_position(g) for g in range(H)]
        scale = cx.output_scale
        facet_pq: dict[int, tuple[int, int]] = {}
        normal_p: dict[int, IntRow] = {}
        key: dict[int, IntRow] = {}
        num: dict[int, IntRow] = {}
        bent: set[int] = set()
        # the compiler's records (dim, sign key, region, ...) and incidences, without Cell objects
        records = cx._records
        cofaces = cx._coface_lists
        fv = cx.f_vector
        start = sum(fv[d:])  # cells are ordered by dimension, down: the facets come after the regions
        for i in range(start, start + (fv[d - 1] if d >= 1 else 0)):
            co = cofaces[i]
            if len(co) != 2:
                continue
            recp, recq = records[co[0]], records[co[1]]
            rp, rq = regs[recp[2]], regs[recq[2]]
            kp, kq = recp[1], recq[1]
            diff = (kp[0] ^ kq[0]) | (kp[1] ^ kq[1])
            g = (diff & -diff).bit_length() - 1
            layer, j = pos_of[g]
            if (kp[0] | kp[1]) >> g & 1:  # neuron g is nonzero on P: use P's form
                form = rp.forms[layer][j]
                into_p = kp[0] >> g & 1
            else:  # g vanishes identically on P, so it is nonzero on Q
                form = rq.forms[layer][j]
                into_p = not kq[0] >> g & 1
            a = form[:d]
            ga = math.gcd(*a)
            nrm = tuple(v // ga for v in a)
            e = nrm if into_p else tuple(-v for v in nrm)
            gb = math.gcd(ga, form[d])
            row = tuple(v // gb for v in a) + (-form[d] // gb,)
            if next(v for v in row if v) < 0:
                row = tuple(-v for v in row)
            facet_pq[i] = (co[0], co[1])
            normal_p[i] = e
            key[i] = row
            op, oq = rp.out_rows, rq.out_rows
            if op != oq:
                bent.add(i)
                num[i] = tuple(sum((x - y) * c for x, y, c in zip(u[:d], w[:d], e)) for u, w in zip(op, oq))
        self._init(
            _scale=scale,
            _facet_pq=MappingProxyType(facet_pq),
            _normal_p=MappingProxyType(normal_p),
            _key=MappingProxyType(key),
            _num=MappingProxyType(num),
            _bent=frozenset(bent),
        )

        # Ridges: bent stars, and merging of straight continuations with one weight.
        uf = UnionFind(sorted(bent))
        stars: dict[int, tuple[int, ...]] = {}
        merges: list[int] = []
        if d >= 2:
            start = sum(fv[d - 1 :])
            for t in range(start, start + fv[d - 2]):
                if records[t][1][2]:  # on a face of the domain (a tight domain constraint)
                    continue
                star = tuple(i for i in cofaces[t] if i in bent)
                if not star:
                    continue
                stars[t] = star
                if len(star) == 2:
                    a_, b_ = star
                    if key[a_] == key[b_] and num[a_] == num[b_]:  # the weight is side-independent
                        merges.append(t)
        for m in merges:
            a_, b_ = stars[m]
            uf.union(a_, b_)
        self._init(_stars=MappingProxyType(stars), _merge_ridges=frozenset(merges))
        groups = uf.groups()
        pieces: list[tuple[list[int], Polyhedron | None]] = [(grp, None) for grp in groups]
        if d >= 3 and any(len(g) > 1 for g in groups):
            try:
                closures: dict[int, frozenset[int]] = {}
                if not _literal_pieces_form_a_complex(self, groups, closures):
                    pieces = _refine(self, groups, closures)
            finally:
                _GENS.clear()
                _CELL_GENS.clear()
                _RIDGE_ROWS.clear()
                _FLATS.clear()

        # order: by hyperplane, then first cell, then (cut pieces of one cell) the vertices
        def order(piece: tuple[list[int], Polyhedron | None]) -> tuple[Any, ...]:
            grp, poly = piece
            extra = () if poly is None else (poly.vertices, poly.rays, poly.lineality)
            return (key[grp[0]], grp[0], extra)

        pieces.sort(key=order)
        facets = []
        facets_of: dict[int, list[int]] = {}
        for k, (grp, poly) in enumerate(pieces):
            i0 = grp[0]
            nrm = normal_p[i0]
            sign = 1 if next(v for v in nrm if v) > 0 else -1
            w = tuple(Fraction(v, scale) for v in num[i0])
            facets.append(
                BreakpointFacet(cx, k, key[i0], tuple(sign * v for v in nrm), w, tuple(grp), poly, self)
            )
            for i in grp:
                facets_of.setdefault(i, []).append(k)
        self._init(
            facets=tuple(facets),
            facets_of_cell=MappingProxyType({i: tuple(v) for i, v in facets_of.items()}),
            facet_of_cell=MappingProxyType({i: v[0] for i, v in facets_of.items()}),
        )

    # ---------------------------------------------------------------- access
    @lazy
    def facet_table(self) -> Mapping[int, FacetRecord]:
        """Every interior facet of the canonical complex (cell index -> :class:`FacetRecord`), read-only."""
        num = self._num
        return MappingProxyType(
            {
                i: FacetRecord(i, pq, self._key[i], self._normal_p[i], num.get(i))
                for i, pq in sorted(self._facet_pq.items())
            }
        )

    @lazy
    def ridge_table(self) -> Mapping[int, RidgeRecord]:
        """Every interior ridge with a bent facet (cell index -> :class:`RidgeRecord`), read-only."""
        merged = self._merge_ridges
        return MappingProxyType({t: RidgeRecord(t, star, t in merged) for t, star in self._stars.items()})

    @property
    def output_scale(self) -> int:
        """The common denominator of the weights: ``weight = weight_numerator / output_scale``."""
        return self._scale

    @property
    def n_facets(self) -> int:
        """The number of facets of the breakpoint complex."""
        return len(self.facets)

    @property
    def is_empty(self) -> bool:
        """True when ``f`` is affine on the whole domain (no bent facet)."""
        return not self.facets

    @lazy
    def bent_facets(self) -> tuple[int, ...]:
        """Indices (in the canonical complex) of the bent facets, ascending."""
        return tuple(sorted(self._bent))

    @lazy
    def non_bent_facets(self) -> tuple[int, ...]:
        """Indices of the interior facets of the canonical complex across which ``f`` does not bend."""
        return tuple(sorted(i for i in self._facet_pq if i not in self._bent))

    @property
    def n_bent_facets(self) -> int:
        """The number of bent facets of the canonical complex."""
        return len(self._bent)

    @property
    def n_non_bent_facets(self) -> int:
        """The number of interior facets of the canonical complex that are not bent."""
        return len(self._facet_pq) - len(self._bent)

    def is_bent(self, facet: int) -> bool:
        """Whether ``f`` bends across the facet with this cell index (False on the domain boundary)."""
        cell = self.complex.cells[facet]
        if cell.dim != self.ambient_dim - 1:
            raise InvalidInputError(
                f"facet: expected the index of a cell of dimension {self.ambient_dim - 1}, got cell {facet} of dimension {cell.dim}"
            )
        return facet in self._bent

    def __iter__(self) -> Iterator[BreakpointFacet]:
        return iter(self.facets)

    def __len__(self) -> int:
        return len(self.facets)

    def __repr__(self) -> str:
        return (
            f"BreakpointComplex(architecture={list(self.network.architecture)}, n_facets={self.n_facets}, "
            f"n_bent_facets={self.n_bent_facets})"
        )

    def signature(self) -> frozenset[tuple[Any, ...]]:
        """The set of facet signatures ``(hyperplane, weight, vertices, rays, lineality)``.

        Depends only on the function (and the domain): use it to compare two
        networks exactly.  Builds every facet's polyhedron.

        Examples
        --------
        >>> import relu_geom as rg
        >>> net = rg.zoo.demo()
        >>> other = net.permute_layer(1, [3, 2, 1, 0]).rescale_neuron(2, 1, 7)
        >>> rg.breakpoint_complex(net).signature() == rg.breakpoint_complex(other).signature()
        True
        """
        return frozenset(f.signature for f in self.facets)

    @lazy
    def _faces(self) -> tuple[tuple[BreakpointFace, ...], ...]:
        """Faces of every dimension below ``d - 1``, from the face lattices of the facets."""
        d = self.ambient_dim
        found: dict[tuple[Any, ...], tuple[int, set[int]]] = {}  # vrep -> (dim, facets)
        covers: set[tuple[tuple[Any, ...], tuple[Any, ...]]] = set()
        facet_faces: list[list[tuple[Any, ...]]] = []
        for f in self.facets:
            lattice = _face_lattice(f.polyhedron)
            top = []
            for vrep, dim, below in lattice:
                entry = found.setdefault(vrep, (dim, set()))
                entry[1].add(f.index)
                covers.update((lo, vrep) for lo in below)
                if dim == d - 2:
                    top.append(vrep)
            facet_faces.append(top)
        by_dim: list[list[tuple[Any, ...]]] = [[] for _ in range(max(d - 1, 0))]
        for vrep, (dim, _) in found.items():
            by_dim[dim].append(vrep)
        pos: dict[tuple[Any, ...], int] = {}
        for lst in by_dim:
            lst.sort()
            pos.update((v, i) for i, v in enumerate(lst))
        down: dict[tuple[Any, ...], list[int]] = {}
        upw: dict[tuple[Any, ...], list[int]] = {}
        for lo, hi in covers:
            down.setdefault(hi, []).append(pos[lo])
            upw.setdefault(lo, []).append(pos[hi])
        for f, top in zip(self.facets, facet_faces):
            f._init(_face_indices=tuple(sorted(pos[v] for v in top)))
            for v in top:
                upw.setdefault(v, []).append(f.index)
        out = []
        for dim, lst in enumerate(by_dim):
            row = []
            for i, vrep in enumerate(lst):

                def hrep(vrep: Any = vrep) -> Any:
                    return Polyhedron.from_vrep(*vrep)._hrep()

                poly = Polyhedron._from_data(d, vrep=vrep, hrep_thunk=hrep)
                row.append(
                    BreakpointFace(
                        i,
                        dim,
                        poly,
                        tuple(sorted(found[vrep][1])),
                        tuple(sorted(set(down.get(vrep, ())))),
                        tuple(sorted(set(upw.get(vrep, ())))),
                    )
                )
            out.append(tuple(row))
        return tuple(out)

    def faces_of_dim(self, k: int) -> tuple[BreakpointFace, ...]:
        """The faces of dimension ``k`` (``0 <= k <= d - 2``) of the breakpoint complex.

        Built on first use from the facets' polyhedra (so it converts every
        facet); ordered by vertices, then rays, then lineality.

        Examples
        --------
        >>> import relu_geom as rg
        >>> bc = rg.breakpoint_complex(rg.zoo.bent_2d())
        >>> [f.vertices for f in bc.faces_of_dim(0)]
        [((Fraction(0, 1), Fraction(1, 1)),), ((Fraction(1, 1), Fraction(0, 1)),)]
        """
        if not isinstance(k, int) or not 0 <= k <= self.ambient_dim - 2:
            raise InvalidInputError(f"k: expected a face dimension in 0..{self.ambient_dim - 2}, got {short_repr(k)}")
        return self._faces[k]

    def cells_of_dim(self, k: int) -> tuple[Any, ...]:
        """The cells of dimension ``k``: :attr:`facets` for ``k == d - 1``, else :meth:`faces_of_dim`."""
        if k == self.ambient_dim - 1:
            return self.facets
        return self.faces_of_dim(k)

    @property
    def f_vector(self) -> tuple[int, ...]:
        """``(f_0, ..., f_{d-1})``: the number of cells of each dimension of the breakpoint complex."""
        return (*(len(self.faces_of_dim(k)) for k in range(self.ambient_dim - 1)), self.n_facets)

    @lazy
    def linear_regions(self) -> tuple[LinearRegion, ...]:
        """The maximal linear regions of ``f`` (regions glued across non-bent facets)."""
        cx = self.complex
        uf = UnionFind(c.index for c in cx.regions)
        for i, (p, q) in self._facet_pq.items():
            if i not in self._bent:
                uf.union(p, q)
        return tuple(
            LinearRegion(cx, k, tuple(grp), cx.cells[grp[0]].affine_map) for k, grp in enumerate(uf.groups())
        )

    @lazy
    def linear_region_of_cell(self) -> Mapping[int, int]:
        """Maps every region (cell index) of the canonical complex to its maximal linear region (read-only)."""
        return MappingProxyType({i: lr.index for lr in self.linear_regions for i in lr.cells})

    def to_dict(self, *, faces: bool = False) -> dict[str, Any]:
        """JSON-ready form: :meth:`summary`, the facets and the maximal linear regions.

        With ``faces`` also the faces of every dimension below ``d - 1``
        (built on first use, the costly part).  Rationals as ``"p/q"`` strings.

        Examples
        --------
        >>> import relu_geom as rg
        >>> d = rg.breakpoint_complex(rg.zoo.hat_1d()).to_dict()
        >>> [f["weight"] for f in d["facets"]], d["linear_regions"][1]["A"]
        ([[1], [-2], [1]], [[1]])
        """
        out = {
            **self.summary(),
            "facets": [f.to_dict() for f in self.facets],
            "linear_regions": [r.to_dict() for r in self.linear_regions],
        }
        if faces:
            out["faces"] = [[f.to_dict() for f in self.faces_of_dim(k)] for k in range(self.ambient_dim - 1)]
        return out

    def summary(self) -> dict[str, Any]:
        """The headline numbers as a JSON-ready dict."""
        return {
            "architecture": list(self.network.architecture),
            "n_bent_facets": self.n_bent_facets,
            "n_non_bent_facets": self.n_non_bent_facets,
            "n_breakpoint_facets": self.n_facets,
            "n_linear_regions": len(self.linear_regions),
        }


def _facet_of(bc: BreakpointComplex, index: int) -> BreakpointFacet:
    return bc.facets[index]


# ------------------------------------------------------------------ refinement in d >= 3
def _dot(a: Any, x: Any) -> Any:
    """``sum(a_i x_i)`` over the shorter of the two (a row ``(a, b)`` against a vector of ``R^d``)."""
    return sum(map(mul, a, x))


class _Gens(NamedTuple):
    """Generators of a polyhedron or face in integers: vertices as ``(X, t)`` (the vertex is ``X / t``, ``t > 0``)."""

    vertices: tuple[tuple[IntRow, int], ...]
    rays: tuple[IntRow, ...]
    lineality: tuple[IntRow, ...]


# id -> (the polyhedron, kept alive, and its generators); cleared after each build
_GENS: dict[int, tuple[Polyhedron, _Gens]] = {}


def _gens(p: Polyhedron) -> _Gens:
    """The generators of ``p`` in integers (cached while a refinement runs: the hot loops are dot products)."""
    got = _GENS.get(id(p))
    if got is None or got[0] is not p:
        got = _GENS[id(p)] = (p, _Gens(_homogeneous(p.vertices), p.rays, p.lineality))
    return got[1]


def _homogeneous(points: Any) -> tuple[tuple[IntRow, int], ...]:
    """Rational points as ``(X, t)`` with integer ``X``, ``t > 0`` and ``X / t`` the point."""
    out = []
    for v in points:
        t = math.lcm(*(Fraction(x).denominator for x in v))
        out.append((tuple(int(x * t) for x in v), t))
    return tuple(out)


def _value(row: IntRow, vertex: tuple[IntRow, int]) -> int:
    """``t (a . x - b)`` for the vertex ``x = X / t`` (same sign as ``a . x - b``)."""
    X, t = vertex
    return sum(map(mul, row, X)) - row[-1] * t


def _sides(row: IntRow, gens: Any) -> tuple[bool, bool]:
    """Whether the generated sets have points with ``a . x > b`` and with ``a . x < b`` (row ``(a, b)``)."""
    pos = neg = False
    for g in gens:
        for v in g.vertices:
            s = _value(row, v)
            pos, neg = pos or s > 0, neg or s < 0
        for r in g.rays:
            s = _dot(row, r)
            pos, neg = pos or s > 0, neg or s < 0
        if any(_dot(row, r) for r in g.lineality):
            return True, True
        if pos and neg:
            break
    return pos, neg


def _sides3(row: IntRow, g: _Gens) -> tuple[bool, bool]:
    """:func:`_sides` for one set of generators of ``R^3``, the dot products spelled out."""
    r0, r1, r2, r3 = row
    if any(r0 * a + r1 * b + r2 * c for a, b, c in g.lineality):
        return True, True
    pos = neg = False
    for (a, b, c), t in g.vertices:
        v = r0 * a + r1 * b + r2 * c - r3 * t
        if v > 0:
            pos = True
        elif v < 0:
            neg = True
        else:
            continue
        if pos and neg:
            return True, True
    for a, b, c in g.rays:
        v = r0 * a + r1 * b + r2 * c
        if v > 0:
            pos = True
        elif v < 0:
            neg = True
    return pos, neg


def _beyond(row: IntRow, p: Polyhedron) -> bool:
    """Whether ``p`` lies strictly in ``a . x > b`` (row ``(a, b)``): then it misses ``a . x <= b``."""
    g = _gens(p)
    return (
        all(_value(row, v) > 0 for v in g.vertices)
        and all(_dot(row, r) >= 0 for r in g.rays)
        and not any(_dot(row, r) for r in g.lineality)
    )


def _disjoint(p: Polyhedron, q: Polyhedron) -> bool:
    """A cheap exact sufficient test for ``p ∩ q = ∅``: a facet or the hyperplane of one has the other strictly beyond."""
    for x, y in ((p, q), (q, p)):
        for r in x.inequalities:
            if _beyond(r, y):
                return True
        for e in x.equalities:
            if _beyond(e, y) or _beyond(_opposite(e), y):
                return True
    return False


def _opposite(row: IntRow) -> IntRow:
    return tuple(-v for v in row)


def _centroid(g: _Gens) -> tuple[IntRow, int]:
    """:attr:`Polyhedron.interior_point` (the vertex centroid plus the sum of the rays) as ``(X, t)``."""
    n = len(g.vertices)
    L = math.lcm(*(t for _, t in g.vertices))
    X = [0] * len(g.vertices[0][0])
    for V, t in g.vertices:
        f = L // t
        X = [a + f * b for a, b in zip(X, V)]
    for r in g.rays:
        X = [a + n * L * b for a, b in zip(X, r)]
    return tuple(X), n * L


def _lowest(v: tuple[IntRow, int]) -> tuple[IntRow, int]:
    """``(X, t)`` in lowest terms."""
    X, t = v
    c = math.gcd(t, *X)
    return (tuple(x // c for x in X), t // c) if c != 1 else (tuple(X), t)


def _meet_ends_rows(
    h: IntRow, rows_p: Any, gens_p: Any, g: IntRow, rows_q: Any, gens_q: Any
) -> list[tuple[IntRow, int]] | None:
    """The vertices of ``p ∩ q`` as ``(X, t)`` in lowest terms, for two polygons of ``R^3``.

    ``p`` and ``q`` are given by their planes ``h`` and ``g``, rows ``a . x <= b`` cutting
    them out of their planes (redundant rows allowed) and generators (tuples of
    :class:`_Gens`, for the sign tests).  The meet lies on a line ``h = g = 0``: when the
    planes are equal, ``g`` is replaced by a row of one polygon that has the other on its
    closed far side (any such row will do: the meet is computed exactly on that line,
    bounded by all the rows; None when there is none, the polygons overlapping).  The line
    is ``X0 / ww + s w`` with ``w = a_h x a_g``, ``ww = w . w`` and ``X0 = b_h (a_g x w) +
    b_g (w x a_h)``; every row of ``p`` and ``q`` bounds ``s``, in integers, and the
    vertices are the finite ends of the interval.  Parallel different planes do not meet.
    """
    if h == g:
        found = next((r for r in rows_p if not any(_sides3(r, x)[1] for x in gens_q)), None)
        if found is None:
            found = next((r for r in rows_q if not any(_sides3(r, x)[1] for x in gens_p)), None)
        if found is None:
            return None
        g = found
    h0, h1, h2, h3 = h
    g0, g1, g2, g3 = g
    w0, w1, w2 = h1 * g2 - h2 * g1, h2 * g0 - h0 * g2, h0 * g1 - h1 * g0
    ww = w0 * w0 + w1 * w1 + w2 * w2
    if not ww:
        return []
    # X0 = b_h (a_g x w) + b_g (w x a_h): the point of the line at s = 0, times ww
    x0 = h3 * (g1 * w2 - g2 * w1) + g3 * (w1 * h2 - w2 * h1)
    x1 = h3 * (g2 * w0 - g0 * w2) + g3 * (w2 * h0 - w0 * h2)
    x2 = h3 * (g0 * w1 - g1 * w0) + g3 * (w0 * h1 - w1 * h0)
    lo: tuple[int, int] | None = None  # bounds on s: (numerator, positive denominator)
    hi: tuple[int, int] | None = None
    for rows in (rows_p, rows_q):
        for r0, r1, r2, r3 in rows:
            alpha = r0 * w0 + r1 * w1 + r2 * w2
            beta = r3 * ww - (r0 * x0 + r1 * x1 + r2 * x2)  # alpha s <= beta / ww
            if alpha > 0:
                if hi is None or beta * hi[1] < hi[0] * alpha * ww:
                    hi = (beta, alpha * ww)
                    if lo is not None and lo[0] * hi[1] > hi[0] * lo[1]:
                        return []
            elif alpha < 0:
                if lo is None or -beta * lo[1] > lo[0] * -alpha * ww:
                    lo = (-beta, -alpha * ww)
                    if hi is not None and lo[0] * hi[1] > hi[0] * lo[1]:
                        return []
            elif beta < 0:
                return []
    out: list[tuple[IntRow, int]] = []
    for bound in {lo, hi} - {None}:
        num, den = bound  # type: ignore[misc]
        t = ww * den
        nw = num * ww
        X = (x0 * den + nw * w0, x1 * den + nw * w1, x2 * den + nw * w2)
        c = math.gcd(t, *X)
        out.append(((X[0] // c, X[1] // c, X[2] // c), t // c))
    return out


def _contains(p: Polyhedron, x: tuple[IntRow, int]) -> bool:
    """Whether the non-empty ``p`` contains the point ``X / t``, in integers."""
    return all(_value(e, x) == 0 for e in p.equalities) and all(_value(r, x) <= 0 for r in p.inequalities)


def _cross(a: Any, b: Any) -> IntRow:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def _det3(a: IntRow, b: IntRow, c: IntRow) -> int:
    """The determinant of the linear parts (first three entries) of three rows."""
    return (
        a[0] * (b[1] * c[2] - b[2] * c[1])
        - a[1] * (b[0] * c[2] - b[2] * c[0])
        + a[2] * (b[0] * c[1] - b[1] * c[0])
    )


def _cut(poly: Polyhedron, rows: Any) -> list[Polyhedron]:
    """The closed cells into which the hyperplanes ``rows`` (``a . x == b``) cut ``poly``."""
    parts = [poly]
    for g in rows:
        nxt = []
        for p in parts:
            pos, neg = _sides(g, (_gens(p),))
            if pos and neg:
                if p.ambient_dim == 3 and len(p.equalities) == 1 and not p.lineality:
                    nxt.extend(_split(p, g))
                    continue
                for r in (g, _opposite(g)):
                    nxt.append(Polyhedron.from_hrep((*p.inequalities, r), p.equalities))
            else:
                nxt.append(p)
        parts = nxt
    return parts


def _pull(poly: Polyhedron, points: Any) -> list[Polyhedron]:
    """The pieces of the pointed ``poly`` after pulling (stellar subdivision) at ``points``, in that order.

    Pulling a cell ``R`` at a point ``p`` of ``R`` that is not a vertex replaces
    ``R`` by the cells ``conv(p, G)`` for the facets ``G`` of ``R`` not containing
    ``p`` and, when ``R`` has two extreme rays (its cone of homogenised generators
    then has the facet at infinity they span), by ``p + cone(rays)``.  In the
    homogenised picture this is the stellar subdivision of a pointed cone at a
    ray of it, so the cells form a polyhedral complex covering ``R``; no vertex
    other than ``p`` is created.
    """
    parts = [poly]
    for x in points:
        nxt = []
        (hx,) = _homogeneous((x,))
        for r in parts:
            g = _gens(r)
            if hx in g.vertices or not _contains(r, hx):  # both in lowest terms
                nxt.append(r)
                continue
            for row in r.inequalities:
                if _value(row, hx) == 0:
                    continue  # the facet of row contains x
                verts, rays = _face_mask(g, (row,))
                nxt.append(
                    _cone_cell(
                        r,
                        x,
                        hx,
                        [(r.vertices[i], g.vertices[i]) for i in verts],
                        [r.rays[i] for i in rays],
                        row,
                    )
                )
            if len(r.rays) == 2:
                nxt.append(_cone_cell(r, x, hx, [], list(r.rays), None))
        parts = nxt
    return parts


def _cone_cell(
    r: Polyhedron,
    x: tuple[Fraction, ...],
    hx: tuple[IntRow, int],
    verts: list[tuple[tuple[Fraction, ...], tuple[IntRow, int]]],
    rays: list[IntRow],
    row: IntRow | None,
) -> Polyhedron:
    """``conv(x, verts) + cone(rays)`` in the plane of the polygon ``r`` (in ``R^3``, or ``R^2``), both representations.

    ``verts`` are vertices of ``r`` with their :func:`_homogeneous` forms.  Its facets
    are ``row`` (the facet of ``r`` it is the cone over, None for the face at infinity)
    and the lines through ``x`` and each vertex or along each ray: a triangle over an
    edge, a strip over a ray edge, a sector over the face at infinity.  Each line row
    is oriented so that every generator satisfies it, which is checked; the
    representations are put in canonical form, and the integer generators are kept for
    :func:`_gens`.
    """
    d = r.ambient_dim
    Xp, tp = hx
    gens = [hx, *(hv for _, hv in verts)]
    dirs = [tuple(a * tp - b * t for a, b in zip(X, Xp)) for X, t in gens[1:]] + list(rays)
    rows = [] if row is None else [row]
    for dvec in dirs:
        n = _cross(r.equalities[0], dvec) if d == 3 else (-dvec[1], dvec[0])
        line = (*(v * tp for v in n), _dot(n, Xp))
        vals = [_value(line, v) for v in gens] + [_dot(line, y) for y in rays]
        if any(v > 0 for v in vals):
            line = _opposite(line)
            vals = [-v for v in vals]
        if any(v > 0 for v in vals):  # pragma: no cover - the generators are on one side of each facet line
            raise ReluGeomError("breakpoint_complex: internal error, a pulled cell that is not convex")
        rows.append(line)
    hrep = _plane_hrep(d, r.equalities, rows)
    return _pointed(d, hrep, [x, *(v for v, _ in verts)], [hx, *(hv for _, hv in verts)], rays)


def _pointed_polygon(h: IntRow, rows: list[IntRow]) -> Polyhedron | None:
    """The polygon ``{x : h(x) = 0, r(x) <= 0 for r in rows}`` of ``R^3`` in integers, when it is
    pointed and of dimension 2 (None otherwise: then cdd makes it).

    Its vertices are the points of the plane on the lines of two rows independent in it
    that satisfy every row; its rays are the directions ``+-(a_h x a_r)`` along the line of a
    row that every row allows (a valid direction along a row's line is on the boundary of
    the recession cone, hence extreme, a row with no linear part in the plane being left
    out); its facets are the rows tight on two vertices or on a vertex and a ray.
    """
    rows = [r for r in rows if any(_cross(h, r))]  # rows with a linear part in the plane
    hverts: set[tuple[IntRow, int]] = set()
    for n, a in enumerate(rows):
        for b in rows[n + 1 :]:
            det = _det3(h, a, b)
            if not det:
                continue
            # Cramer: the point with h, a, b tight, as (X, t) with t = |det|
            rhs = (h[3], a[3], b[3])
            X = tuple(
                _det3(*[(*row[:i], rhs[k], *row[i + 1 : 3], 0) for k, row in enumerate((h, a, b))])
                for i in range(3)
            )
            x = _lowest((X, det) if det > 0 else (tuple(-v for v in X), -det))
            if all(_value(r, x) <= 0 for r in rows):
                hverts.add(x)
    if not hverts:
        return None
    rays: set[IntRow] = set()
    for r in rows:
        w = _cross(h, r)
        for d in (w, _opposite(w)):
            if all(_dot(q, d) <= 0 for q in rows):
                rays.add(primitive(d))
    hv = sorted(hverts)
    facets = _polygon_facets(rows, hv, rays)
    verts = [tuple(Fraction(x, t) for x in X) for X, t in hv]
    return _pointed(3, _plane_hrep(3, (h,), facets), verts, hv, list(rays))


def _polygon_facets(rows: Any, hv: Any, rays: Any) -> list[IntRow]:
    """The rows of a pointed polygon that hold one of its edges: tight at two vertices, or at
    one vertex and along a ray."""
    facets = []
    for r in rows:
        nv = sum(1 for v in hv if _value(r, v) == 0)
        if nv >= 2 or (nv == 1 and any(_dot(r, d) == 0 for d in rays)):
            facets.append(r)
    return facets


def _plane_hrep(d: int, equalities: tuple[IntRow, ...], rows: Any) -> tuple[tuple[IntRow, ...], tuple[IntRow, ...]]:
    """:func:`_canonical_hrep` for integer rows and equalities already in canonical form
    (an :func:`integer_echelon` basis, as :attr:`Polyhedron.equalities` keeps them): the
    inequalities reduced modulo them, primitive, without zero rows, sorted, without repeats."""
    if len(equalities) != 1:
        return _canonical_hrep(d, equalities, rows)
    h = equalities[0]
    basis, piv = [h], [next(i for i, v in enumerate(h) if v)]
    ineqs = set()
    for r in rows:
        red = reduce_integer_row(r, basis, piv)
        if any(red[:d]):
            ineqs.add(red)
    return (h,), tuple(sorted(ineqs))


def _pointed(
    d: int, hrep: Any, verts: list[tuple[Fraction, ...]], hverts: list[tuple[IntRow, int]], rays: list[IntRow]
) -> Polyhedron:
    """A pointed polyhedron from its canonical H-representation and its generators, with
    their :func:`_homogeneous` forms ``hverts`` kept for :func:`_gens`.

    Its V-representation is put in canonical form as :func:`_canonical_vrep` does with no
    lineality: vertices sorted without repeats, rays primitive, sorted without repeats.
    """
    order = sorted(range(len(verts)), key=verts.__getitem__)
    keep = [i for n, i in enumerate(order) if n == 0 or verts[i] != verts[order[n - 1]]]
    rs = tuple(sorted({primitive(r) for r in rays if any(r)}))
    vrep = (tuple(verts[i] for i in keep), rs, ())
    out = Polyhedron._from_data(d, hrep=hrep, vrep=vrep)
    _GENS[id(out)] = (out, _Gens(tuple(hverts[i] for i in keep), rs, ()))
    return out


def _split(p: Polyhedron, g: IntRow) -> list[Polyhedron]:
    """The two parts of a pointed polygon ``p`` of ``R^3`` on either side of a line ``g`` that cuts it strictly.

    Both representations at once: a part keeps the vertices and rays of ``p`` on
    its closed side, gains the points where ``g`` crosses an edge strictly and,
    when the two rays of ``p`` lie strictly on both sides, the ray of the cone
    they span along ``g``; its facets are ``g`` and the facets of ``p`` tight on a
    segment or a half-line of it (two vertices, or a vertex and a ray).
    """
    gp = _gens(p)
    verts, rays = p.vertices, p.rays
    val = [_value(g, v) for v in gp.vertices]
    rval = [_dot(g, r) for r in rays]
    # crossing points in integers: on an edge from A = (X_a, t_a) to B, the point
    # |g(B)| A + |g(A)| B; on a ray edge from A along r, |g . r| A + |g(A)| (r, 0)
    new_h: list[tuple[IntRow, int]] = []
    for e in p.inequalities:
        vi, ri = _face_mask(gp, (e,))
        if len(vi) == 2:
            a, b = vi
            if val[a] * val[b] < 0:
                (Xa, ta), (Xb, tb) = gp.vertices[a], gp.vertices[b]
                fa, fb = abs(val[a]), abs(val[b])
                new_h.append(_lowest((tuple(fb * x + fa * y for x, y in zip(Xa, Xb)), fb * ta + fa * tb)))
        elif len(vi) == 1 and len(ri) == 1:
            (a,), (r,) = vi, ri
            if val[a] * rval[r] < 0:
                Xa, ta = gp.vertices[a]
                fr, fa = abs(rval[r]), abs(val[a])
                new_h.append(_lowest((tuple(fr * x + fa * y for x, y in zip(Xa, rays[r])), fr * ta)))
    new_v = [tuple(Fraction(x, t) for x in X) for X, t in new_h]
    new_r: list[IntRow] = []
    if len(rays) == 2 and rval[0] * rval[1] < 0:
        w = [rval[1] * x - rval[0] * y for x, y in zip(rays[0], rays[1])]
        if rval[0] > 0:
            w = [-x for x in w]
        c = math.gcd(*w)
        new_r.append(tuple(x // c for x in w))
    out = []
    for sign in (1, -1):
        row = g if sign == 1 else _opposite(g)
        keep = [i for i, s_ in enumerate(val) if sign * s_ <= 0]
        pv = [verts[i] for i in keep] + new_v
        hv = [gp.vertices[i] for i in keep] + new_h
        pr = [r for r, s_ in zip(rays, rval) if sign * s_ <= 0] + new_r
        rows = [row]
        for e in p.inequalities:
            nv = sum(1 for v in hv if _value(e, v) == 0)
            nr = sum(1 for y in pr if _dot(e, y) == 0)
            if nv >= 2 or (nv >= 1 and nr >= 1):
                rows.append(e)
        out.append(_pointed(3, _plane_hrep(3, p.equalities, rows), pv, hv, pr))
    return out


def _tight_rows(rows: Any, part: _Gens) -> list[IntRow]:
    """The rows ``a . x <= b`` among ``rows`` that hold with equality on all of ``part``."""
    return [
        r
        for r in rows
        if all(_value(r, v) == 0 for v in part.vertices) and all(_dot(r, y) == 0 for y in part.rays)
    ]


def _face_mask(g: _Gens, tight: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Positions of the vertices and rays of ``g`` on which every row of ``tight`` is tight."""
    verts = tuple(i for i, v in enumerate(g.vertices) if all(_value(r, v) == 0 for r in tight))
    rays = tuple(i for i, y in enumerate(g.rays) if all(_dot(r, y) == 0 for r in tight))
    return verts, rays


def _is_face(part: Polyhedron, poly: Polyhedron) -> bool:
    """Whether the non-empty ``part`` of ``poly`` is a face of it.

    The smallest face of ``poly`` containing ``part`` is cut out by the
    inequalities tight on all of ``part``; its canonical generators are those of
    ``poly`` on them.  ``part`` is a face exactly when the two agree.
    """
    if part.lineality != poly.lineality:
        return False
    verts, rays = _face_mask(_gens(poly), _tight_rows(poly.inequalities, _gens(part)))
    pv, pr = poly.vertices, poly.rays
    return tuple(pv[i] for i in verts) == part.vertices and tuple(pr[i] for i in rays) == part.rays


def _independent(h: IntRow, r: Any) -> bool:
    """Whether two rows of the same length are linearly independent (some 2 x 2 minor is not 0)."""
    n = len(h)
    return any(h[i] * r[j] != h[j] * r[i] for i in range(n) for j in range(i + 1, n))


def _in_span(basis: tuple[list[Fraction], list[Fraction]], pivots: tuple[int, int], g: IntRow) -> bool:
    out = [Fraction(v) for v in g]
    for b, p in zip(basis, pivots):
        f = out[p]
        if f:
            out = [x - f * y for x, y in zip(out, b)]
    return not any(out)


def _cell_gens(cx: PolyhedralComplex, i: int) -> _Gens:
    """The homogeneous integer generators of the closure of cell ``i``, as the compiler keeps them.

    Vertices as ``(X, t)`` (``t > 0``, not necessarily in lowest terms, in no
    particular order), rays, and the lineality basis of its region (a face of a
    polyhedron has the lineality space of the polyhedron): enough for sign
    tests (:func:`_sides`), never for positions (use :func:`_gens` then).
    Read from the compiler's records without making :class:`Cell` objects;
    cached while a build runs.
    """
    key = (id(cx), i)
    got = _CELL_GENS.get(key)
    if got is None:
        d = cx.dim
        _, _, region, raymask, _ = cx._records[i]
        reg = cx._regions[region]
        verts, rays = [], []
        for b in iter_bits(raymask):
            g = reg.rays[b]
            if g[d]:
                verts.append((tuple(g[:d]), g[d]))
            else:
                rays.append(tuple(g[:d]))
        lin = tuple(tuple(v[:d]) for v in reg.lin)
        got = _CELL_GENS[key] = _Gens(tuple(verts), tuple(rays), lin)
    return got


def _cell_point(cx: PolyhedralComplex, i: int) -> tuple[IntRow, int]:
    """:attr:`Cell.homogeneous_interior_point` of cell ``i`` (the sum of its generators) as ``(X, t)``."""
    g = _cell_gens(cx, i)
    X = [0] * cx.dim
    t = 0
    for V, s in g.vertices:
        X = [a + b for a, b in zip(X, V)]
        t += s
    for r in g.rays:
        X = [a + b for a, b in zip(X, r)]
    return tuple(X), t


# (id of the complex, cell index) -> its generators; cleared after each build
_CELL_GENS: dict[tuple[int, int], _Gens] = {}
# (id of the complex, ridge, plane) -> the row of :func:`_ridge_row`; cleared after each build
_RIDGE_ROWS: dict[tuple[int, int, IntRow], IntRow] = {}
# (id of the breakpoint complex, the cells of a merged piece) -> its boundary flats; cleared after each build
_FLATS: dict[tuple[int, tuple[int, ...]], tuple[list[IntRow], list[IntRow]]] = {}


def _ridge_row(cx: PolyhedralComplex, t: int, h: IntRow) -> IntRow:
    """A row ``a . x == b`` independent of ``h`` through a ridge of ``R^3`` in the plane ``h``, in integers.

    The ridge is a segment, ray or line in ``h``: with a point ``X / t`` and a
    direction ``w`` of it (the difference of two vertices, or a ray, or the
    lineality), the row ``n . x == n . X / t`` with ``n = a_h x w`` (orthogonal to
    ``h``) vanishes on it.  Made primitive with its first nonzero entry positive,
    it depends only on the line and on ``h``: a key for the flat in ``h``.  Any row
    through the line other than ``h`` cuts ``h`` alike, and every use of it (sides,
    cuts, support rows reduced modulo ``h`` in canonical form) depends only on that.
    """
    key = (id(cx), t, h)
    got = _RIDGE_ROWS.get(key)
    if got is None:
        got = _RIDGE_ROWS[key] = _ridge_row_of(cx, t, h)
    return got


def _ridge_row_of(cx: PolyhedralComplex, t: int, h: IntRow) -> IntRow:
    _, _, region, raymask, _ = cx._records[t]
    reg = cx._regions[region]
    gens = [reg.rays[b] for b in iter_bits(raymask)]  # homogeneous (x_1, x_2, x_3, t)
    pts = [g for g in gens if g[3]]
    if not pts:  # pragma: no cover - a cell of the compiler always has a point generator
        return next(r for r in cx.cells[t].polyhedron.equalities if _independent(h, r))
    x0, x1, x2, s0 = pts[0]
    if len(pts) > 1:
        y0, y1, y2, s1 = pts[1]
        w: Any = (y0 * s0 - x0 * s1, y1 * s0 - x1 * s1, y2 * s0 - x2 * s1)
    else:
        w = next((g for g in gens if not g[3]), None) or reg.lin[0]
    h0, h1, h2 = h[0], h[1], h[2]
    n0, n1, n2 = h1 * w[2] - h2 * w[1], h2 * w[0] - h0 * w[2], h0 * w[1] - h1 * w[0]
    row = (n0 * s0, n1 * s0, n2 * s0, n0 * x0 + n1 * x1 + n2 * x2)
    c = math.gcd(*row)
    if next(v for v in row if v) < 0:
        c = -c
    return (row[0] // c, row[1] // c, row[2] // c, row[3] // c)


def _boundary_flats(bc: BreakpointComplex, grp: list[int]) -> tuple[list[IntRow], list[IntRow]]:
    """The flats (inside the piece's hyperplane) of the boundary ridges of a merged piece: ``(reflex, support)``.

    A boundary ridge is a ridge of one of its cells that is not a merge ridge.
    Its flat is *reflex* when the piece has points strictly on both sides; the
    others are returned as rows ``a . x <= b`` holding on the whole piece.
    In ``R^3`` everything is read from the cells' integer generators (cached
    while a build runs: the combinatorial test and the refinement share it).
    """
    memo_key = (id(bc), tuple(grp))
    got = _FLATS.get(memo_key)
    if got is not None:
        return got
    cx = bc.complex
    cells = cx.cells
    h = bc._key[grp[0]]
    three = bc.ambient_dim == 3
    if three:  # the generators of all its cells at once, each vertex once
        gs = [_cell_gens(cx, i) for i in grp]
        polys = [
            _Gens(
                tuple({_lowest(v) for g in gs for v in g.vertices}),
                tuple({r for g in gs for r in g.rays}),
                tuple({r for g in gs for r in g.lineality}),
            )
        ]
    else:
        polys = [_gens(cells[i].polyhedron) for i in grp]
    merged = bc._merge_ridges
    faces = cx._face_lists
    flats: dict[Any, IntRow] = {}
    for i in grp:
        for t in faces[i]:
            if t in merged:
                continue
            if three:
                row = _ridge_row(cx, t, h)
                flats.setdefault(row, row)
                continue
            eqs = cells[t].polyhedron.equalities
            if eqs not in flats:
                flats[eqs] = next(r for r in eqs if _independent(h, r))
    reflex, support = [], []
    for row in flats.values():
        pos, neg = _sides3(row, polys[0]) if three else _sides(row, polys)
        if pos and neg:
            reflex.append(row)
        else:
            support.append(_opposite(row) if pos else row)
    _FLATS[memo_key] = (reflex, support)
    return reflex, support


def _literal_pieces_form_a_complex(
    bc: BreakpointComplex, groups: list[list[int]], memo: dict[int, frozenset[int]] | None = None
) -> bool:
    """Whether the literal pieces are convex and every two meet in a common face (then nothing is cut).

    Exact and combinatorial on the canonical complex ``K``, with no polyhedron
    built.  Each literal piece ``S`` is a union of closed cells of ``K``, so the
    meet of two pieces is the union of the cells of ``K`` in both closures.  A
    merged piece is convex when none of its boundary flats is reflex, and is
    then cut out of its hyperplane by its support rows.  The smallest face ``G``
    of ``S`` containing a meet ``I`` is where the support rows tight on ``I`` are
    tight; ``G`` is the union of the cells of ``K`` in ``S`` on which those rows
    vanish (a row valid on ``S`` vanishes on a cell of ``S`` as soon as it vanishes
    at one relative interior point), and ``I`` is a face exactly when ``G`` has no
    cell outside ``I``.  A piece that is one cell of ``K`` has the cells of ``K`` in
    its closure as its faces, so ``I`` is a face of it exactly when ``I`` is the
    closure of one of its cells.  Two single cells of ``K`` always meet in a face.
    """
    cells = bc.complex.cells
    # first the convexity of every merged piece (its boundary flats are kept for the refinement)
    for grp in groups:
        if len(grp) > 1 and _boundary_flats(bc, grp)[0]:
            return False
    memo = {} if memo is None else memo  # closures of cells, shared with the refinement
    closures = []
    pieces_at: dict[int, list[int]] = {}
    for k, grp in enumerate(groups):
        cl = frozenset().union(*(_closure(bc.complex, i, memo) for i in grp))
        closures.append(cl)
        for c in cl:
            pieces_at.setdefault(c, []).append(k)
    points: dict[int, tuple[int, ...]] = {}

    def tight(row: IntRow, c: int) -> bool:
        pt = points.get(c)
        if pt is None:
            pt = points[c] = cells[c].homogeneous_interior_point
        return sum(u * v for u, v in zip(row, pt[:-1])) == row[-1] * pt[-1]

    for k, grp in enumerate(groups):
        if len(grp) == 1:
            continue
        support = _boundary_flats(bc, grp)[1]
        cl = closures[k]
        others = {j for c in cl for j in pieces_at[c]} - {k}
        for j in sorted(others):
            meet = cl & closures[j]
            rows = [r for r in support if all(tight(r, c) for c in meet)]
            if any(all(tight(r, c) for r in rows) for c in cl - meet):
                return False
            if len(groups[j]) == 1 and not any(_closure(bc.complex, c, memo) == meet for c in meet):
                return False
    return True


_NONE: frozenset[int] = frozenset()


def _closure(cx: PolyhedralComplex, i: int, memo: dict[int, frozenset[int]]) -> frozenset[int]:
    """The cells of ``cx`` in the closure of cell ``i`` (:meth:`Cell.closure_indices`), memoised in ``memo``."""
    cl = memo.get(i)
    if cl is None:
        if cx.dim == 3 and cx._records[i][0] == 2:  # the cell, its edges and their ends
            faces = cx._face_lists
            out = {i, *faces[i]}
            for e in faces[i]:
                out.update(faces[e])
            cl = frozenset(out)
        else:
            cl = cx.cells[i].closure_indices()
        memo[i] = cl
    return cl


class _Refiner:
    """The canonical refinement of the merged pieces into a polyhedral complex (see :func:`_refine`)."""

    def __init__(self, bc: BreakpointComplex, groups: list[list[int]]):
        self.bc = bc
        self.cx = bc.complex
        self.cells = self.cx.cells
        self.d = self.cx.dim
        self.key = bc._key
        self.hyperplanes = sorted({self.key[i] for i in bc._bent})
        self.pieces: list[tuple[list[int], Polyhedron | None] | None] = []
        self.where: dict[int, set[int]] = {}  # canonical bent facet -> live pieces meeting it
        self._up: dict[int, set[int]] | None = None
        self._closure: dict[int, frozenset[int]] = {}
        self._through: dict[tuple[IntRow, IntRow], list[IntRow]] = {}
        self.groups = groups
        self.whole: set[int] = set()  # pieces that are the union of the closed cells listed for them
        # convex merged pieces whose polyhedron is not built yet: their support rows (a . x <= b)
        self.support: dict[int, list[IntRow]] = {}
        self._hverts: dict[int, frozenset[tuple[IntRow, int]]] = {}
        self._vertex: dict[int, tuple[IntRow, int]] = {}
        self.vertex_cell: dict[tuple[IntRow, int], int] = {}  # the inverse of vertex_of, as far as it was called
        self._rows: dict[int, tuple[IntRow, ...]] = {}
        self._cell_rows: dict[int, tuple[IntRow, ...]] = {}
        self._side_gens: dict[int, tuple[_Gens, ...]] = {}

    # --------------------------------------------------------------- helpers
    def poly(self, k: int) -> Polyhedron:
        piece = self.pieces[k]
        assert piece is not None
        grp, p = piece
        if p is None:
            if len(grp) == 1:
                return self.cells[grp[0]].polyhedron
            if k in self.support and self.vertices(k):
                p = self._convex_union(k)
                self.pieces[k] = (grp, p)
                self.support.pop(k, None)
                return p
            verts, rays, lin = [], [], []  # a convex merged piece: the union of its closed cells
            for i in grp:
                c = self.cells[i].polyhedron
                verts.extend(c.vertices)
                rays.extend(c.rays)
                lin.extend(c.lineality)
            p = Polyhedron.from_vrep(verts, rays, lin)
            self.pieces[k] = (grp, p)
            self.support.pop(k, None)
        return p

    def _convex_union(self, k: int) -> Polyhedron:
        """The polyhedron of a pointed convex merged piece from its support rows and vertices, no double description.

        Its vertices are :meth:`vertices`; its extreme rays are the rays of its
        cells along a support row tight at a vertex (a ray edge); its facets are
        the support rows tight on two vertices or on a vertex and such a ray.
        """
        grp = self.pieces[k][0]  # type: ignore[index]
        rows = self.support[k]
        hv = list(self.vertices(k))
        h = self.key[grp[0]]
        cell_rays = {r for i in grp for r in self.cells[i].polyhedron.rays}
        at_vertex = [e for e in rows if any(_value(e, v) == 0 for v in hv)]
        rays = sorted(r for r in cell_rays if any(_dot(e, r) == 0 for e in at_vertex))
        facets = _polygon_facets(rows, hv, rays)
        verts = [tuple(Fraction(x, t) for x in X) for X, t in hv]
        return Polyhedron._from_data(
            self.d, hrep=_plane_hrep(self.d, (h,), facets), vrep=_canonical_vrep(self.d, verts, rays, ())
        )

    def vertex_of(self, c: int) -> tuple[IntRow, int]:
        """The vertex of the canonical complex's 0-cell ``c`` as ``(X, t)``, ``X / t`` the point, in lowest terms."""
        got = self._vertex.get(c)
        if got is None:
            got = self._vertex[c] = _lowest(_cell_gens(self.cx, c).vertices[0])  # one generator
            self.vertex_cell[got] = c
        return got

    def vertices(self, k: int) -> frozenset[tuple[IntRow, int]]:
        """The vertices of piece ``k`` as ``(X, t)`` in lowest terms.

        For a convex merged piece not built yet: the vertices of the canonical
        complex in its closure where two support rows independent modulo its
        hyperplane are tight (a vertex of a union of closed cells is a vertex of
        a cell, and the piece is its hyperplane cut by its support rows).
        """
        got = self._hverts.get(k)
        if got is None:
            rows = self.support.get(k)
            grp, p = self.pieces[k]  # type: ignore[misc]
            g = _cell_gens(self.cx, grp[0]) if p is None and len(grp) == 1 else None
            if g is not None and not g.lineality:
                # a pointed cell: its vertices are its generators with t > 0 (extreme, as the compiler keeps them)
                got = frozenset(_lowest(v) for v in g.vertices)
            elif rows is None:
                got = frozenset(_gens(self.poly(k)).vertices)
            else:
                grp = self.pieces[k][0]  # type: ignore[index]
                h = self.key[grp[0]]
                out = set()
                # a vertex lies on the boundary of the piece, the union of its boundary ridges
                # (every ridge of its cells that is not a merge ridge: it is convex), so it is
                # an end of one of them
                faces = self.cx._face_lists
                merged = self.bc._merge_ridges
                zeros = {c for i in grp for e in faces[i] if e not in merged for c in faces[e]}
                for c in zeros:
                    x = self.vertex_of(c)
                    tight = [r for r in rows if _value(r, x) == 0]
                    if any(_det3(h, a, b) for n, a in enumerate(tight) for b in tight[n + 1 :]):
                        out.add(x)
                got = frozenset(out)
            self._hverts[k] = got
        return got

    def plane(self, k: int) -> IntRow:
        """The hyperplane row of piece ``k`` (that of its cells)."""
        return self.key[self.pieces[k][0][0]]  # type: ignore[index]

    def rows(self, k: int) -> tuple[IntRow, ...]:
        """Rows ``a . x <= b`` that cut piece ``k`` out of its hyperplane (``d = 3``).

        The support rows of a convex merged piece not built yet (possibly redundant); for a
        whole cell of the canonical complex the lines of its edges (:func:`_ridge_row`,
        oriented by the cell's interior point, which lies on none of them); else the
        facets of its polyhedron.  Not in canonical form: for sign tests only.
        """
        got = self._rows.get(k)
        if got is None:
            grp, p = self.pieces[k]  # type: ignore[misc]
            rows = self.support.get(k)
            if rows is not None:
                got = tuple(rows)
            elif p is None and len(grp) == 1:
                got = self.cell_rows(grp[0])
            else:
                got = self.poly(k).inequalities
            self._rows[k] = got
        return got

    def cell_rows(self, i: int) -> tuple[IntRow, ...]:
        """The lines of the edges of the 2-cell ``i`` of the canonical complex of ``R^3`` as rows
        ``a . x <= b`` (:func:`_ridge_row`, oriented by the cell's interior point, which lies on
        none of them): they cut the cell out of its plane."""
        got = self._cell_rows.get(i)
        if got is None:
            h = self.key[i]
            x = _cell_point(self.cx, i)
            out = []
            for e in self.cx._face_lists[i]:
                r = _ridge_row(self.cx, e, h)
                out.append(_opposite(r) if _value(r, x) > 0 else r)
            got = self._cell_rows[i] = tuple(out)
        return got

    def side_gens(self, k: int) -> tuple[_Gens, ...]:
        """Generators of piece ``k`` for sign tests: of its polyhedron, of its cell, or, for a
        pointed convex merged piece, its vertices and the rays of its cells (it is their
        convex hull plus its recession cone, spanned by the rays of its closed cells)."""
        got = self._side_gens.get(k)
        if got is None:
            grp, p = self.pieces[k]  # type: ignore[misc]
            if p is not None:
                got = (_gens(p),)
            elif len(grp) == 1:
                got = (_cell_gens(self.cx, grp[0]),)
            elif k in self.support and self.vertices(k):
                rays = {r for i in grp for r in _cell_gens(self.cx, i).rays}
                got = (_Gens(tuple(self.vertices(k)), tuple(rays), ()),)
            else:
                got = tuple(_cell_gens(self.cx, i) for i in grp)
            self._side_gens[k] = got
        return got

    def has_lineality(self, k: int) -> bool:
        """Whether piece ``k`` contains a line (for a polygon: has no vertex).

        A whole cell of the canonical complex has the lineality space of its
        region (a face of a polyhedron has its lineality space).
        """
        if k in self.support:
            return not self.vertices(k)
        grp, p = self.pieces[k]  # type: ignore[misc]
        if p is None and len(grp) == 1:
            return bool(_cell_gens(self.cx, grp[0]).lineality)
        return bool(self.poly(k).lineality)

    def contains(self, k: int, x: tuple[IntRow, int], *, in_plane: bool = False) -> bool:
        """Whether piece ``k`` contains the point ``X / t``, in integers (``in_plane``: ``X / t``
        is known to lie in its hyperplane)."""
        if not in_plane and _value(self.plane(k), x) != 0:
            return False
        return all(_value(r, x) <= 0 for r in self.rows(k))

    def add(self, grp: list[int], poly: Polyhedron | None) -> int:
        k = len(self.pieces)
        self.pieces.append((grp, poly))
        for i in grp:
            self.where.setdefault(i, set()).add(k)
        return k

    def remove(self, k: int) -> None:
        piece = self.pieces[k]
        assert piece is not None
        self.whole.discard(k)
        self.support.pop(k, None)
        self._hverts.pop(k, None)
        self._rows.pop(k, None)
        self._side_gens.pop(k, None)
        for i in piece[0]:
            self.where[i].discard(k)
        self.pieces[k] = None

    def up(self, c: int) -> AbstractSet[int]:
        """The bent facets of the canonical complex whose closure contains cell ``c``."""
        if self._up is None:  # one pass over the closures of the bent facets
            star: dict[int, set[int]] = {}
            for f in self.bc._bent:
                for j in self.closure(f):
                    star.setdefault(j, set()).add(f)
            self._up = star
        return self._up.get(c, _NONE)

    def closure(self, i: int) -> frozenset[int]:
        """The cells of the canonical complex in the closure of cell ``i``."""
        return _closure(self.cx, i, self._closure)

    def neighbours(self, k: int) -> set[int]:
        """The live pieces other than ``k`` meeting a bent facet whose closure meets that of a cell of ``k``."""
        piece = self.pieces[k]
        assert piece is not None
        grp = piece[0]
        cs = self.closure(grp[0]) if len(grp) == 1 else frozenset().union(*(self.closure(i) for i in grp))
        fs: set[int] = set()
        for c in cs:
            fs.update(self.up(c))
        out: set[int] = set()
        where = self.where
        for f in fs:
            out.update(where[f])
        out.discard(k)
        return out

    def overlapping(self, cand: Any, poly: Polyhedron) -> list[int]:
        """The cells among ``cand`` whose relative interior meets that of ``poly``.

        ``poly`` is a part of dimension ``d - 1`` of a piece covered by the closed
        cells ``cand``; so one candidate is the answer (its relative boundary has
        lower dimension).
        """
        if len(cand) == 1:
            return list(cand)
        out = []
        gp = _gens(poly)
        mid = _centroid(gp)
        three = self.d == 3
        for i in cand:
            ci = _cell_point(self.cx, i)
            if all(_value(r, ci) < 0 for r in poly.inequalities):
                out.append(i)  # its interior point lies in the relative interior of poly (same hyperplane)
                continue
            # in R^3 the lines of the cell's edges stand for its facets (same half-planes of the plane)
            cp = None if three else self.cells[i].polyhedron
            crows = self.cell_rows(i) if cp is None else cp.inequalities
            if all(_value(r, mid) < 0 for r in crows):
                out.append(i)  # the interior point of poly lies in the relative interior of the cell
                continue
            cg = _cell_gens(self.cx, i) if cp is None else _gens(cp)
            sides = _sides3 if three else (lambda row, g: _sides(row, (g,)))
            if any(not sides(r, cg)[1] for r in poly.inequalities):
                continue  # the cell lies in the closed far side of a facet of poly
            if any(not sides(r, gp)[1] for r in crows):
                continue  # poly lies in the closed far side of a facet of the cell
            if self.d == 3:
                # Two polygons of one plane whose relative interiors miss each other are
                # separated by the line of an edge of one of them: 0 is then not in the
                # interior of P - Q (ri(P - Q) = ri P - ri Q), so a facet row of P - Q has 0
                # on its closed far side, and a facet of P - Q in the plane is a translate
                # of an edge of P or of -Q.  No such edge was found above.
                out.append(i)
            elif cp is not None and cp.intersection(poly).dim == self.d - 1:
                out.append(i)
        return out

    def through(self, h: IntRow, r: IntRow) -> list[IntRow]:
        """The hyperplanes of bent facets containing the flat ``h == 0, r == 0`` (other than ``h``)."""
        got = self._through.get((h, r))
        if got is None:
            basis, piv = rref([h, r])
            got = [g for g in self.hyperplanes if g != h and _in_span(basis, piv, g)]  # type: ignore[arg-type]
            self._through[(h, r)] = got
        return got

    # ----------------------------------------------------------------- steps
    def convexify(
        self, grp: list[int]
    ) -> tuple[list[tuple[list[int], Polyhedron | None]], list[IntRow] | None]:
        """Cut a merged piece along the flats of its boundary ridges that meet its interior.

        Returns the parts and, when the piece is kept whole (it is convex), its
        support rows; its polyhedron is then built only when needed (None).
        """
        cells = self.cells
        h = self.key[grp[0]]
        reflex, support = _boundary_flats(self.bc, grp)
        if not reflex:
            return [(list(grp), None)], support
        hull = _pointed_polygon(h, support) if self.d == 3 else None
        if hull is None:
            hull = Polyhedron.from_hrep(sorted(support), [h], ambient_dim=self.d)
        out: list[tuple[list[int], Polyhedron | None]] = []
        for part in _cut(hull, sorted(reflex)):
            x = _centroid(_gens(part))  # its interior point, in the plane of the cells
            if self.d == 3:
                inside = any(all(_value(r, x) <= 0 for r in self.cell_rows(i)) for i in grp)
            else:
                inside = any(_contains(cells[i].polyhedron, x) for i in grp)
            if inside:
                out.append((self.overlapping(grp, part), part))
        return out, None

    def repair_cuts(self, k: int, other: int, meet: Polyhedron) -> set[IntRow]:
        """Hyperplanes cutting piece ``k`` so that its meet with ``other`` becomes a face of it.

        Only hyperplanes through the failure: those among ``h'`` (the other
        piece's hyperplane) and the hyperplanes of ``f`` through the flats of
        the other piece's facets that touch the meet, that strictly separate
        points of ``G``, the smallest face of piece ``k`` containing the meet.
        The argument in ``docs/breakpoints.md`` shows there is one.
        """
        p, q = self.poly(k), self.poly(other)
        hp = p.equalities[0]
        hq = q.equalities[0]
        gp, gm = _gens(p), _gens(meet)
        verts, rays = _face_mask(gp, _tight_rows(p.inequalities, gm))
        face = (_Gens(tuple(gp.vertices[i] for i in verts), tuple(gp.rays[i] for i in rays), gp.lineality),)
        rows: set[IntRow] = set()
        if hq != hp and all(_sides(hq, face)):
            rows.add(hq)
        for r in q.inequalities:
            if not any(_value(r, v) == 0 for v in gm.vertices):
                continue  # this facet of the other piece misses piece k
            for g in self.through(hq, r):
                if g != hp and all(_sides(g, face)):
                    rows.add(g)
        return rows

    def repair(self, pending: list[int], *, only_lineality: bool = False) -> None:
        """Step 2, in rounds: cut every piece whose meet with a neighbour is not a face of it.

        With ``only_lineality`` only pieces with a lineality space are cut (the
        rounds of ``d = 3``, before :meth:`pull`); the pairs checked are those
        with a piece made in the previous round, as before.
        """
        while pending:
            cuts: dict[int, set[IntRow]] = {}
            seen: set[tuple[int, int]] = set()
            for k in pending:
                for j in self.neighbours(k):
                    pair = (min(j, k), max(j, k))
                    if pair in seen:
                        continue
                    seen.add(pair)
                    sides = [a for a in (k, j) if not only_lineality or self.has_lineality(a)]
                    if not sides or _disjoint(self.poly(k), self.poly(j)):
                        continue
                    meet = self.poly(k).intersection(self.poly(j))
                    if meet.is_empty:
                        continue
                    for a in sides:
                        b = j if a == k else k
                        if not _is_face(meet, self.poly(a)):
                            found = self.repair_cuts(a, b, meet)
                            if (
                                not found
                            ):  # pragma: no cover - excluded by the argument in docs/breakpoints.md
                                raise ReluGeomError(
                                    "breakpoint_complex: internal error, a meet of two pieces that is "
                                    "not a face and no hyperplane of f cutting it"
                                )
                            cuts.setdefault(a, set()).update(found)
            pending = []
            for k in sorted(cuts):
                grp = self.pieces[k][0]  # type: ignore[index]
                parts = _cut(self.poly(k), sorted(cuts[k]))
                self.remove(k)
                for part in parts:
                    pending.append(self.add(self.overlapping(grp, part), part))

    def pull(self) -> None:
        """Step 3 (``d = 3``): pull every pointed piece at the points of ``V`` it contains but not as vertices.

        ``V`` is the set of vertices of the pieces and of the meets of every two
        pieces.  Two pieces that are whole cells of the canonical complex meet
        in a common face, whose vertices are vertices of both, so the meets
        computed are those of a piece that is not a whole cell with its
        neighbours, and every point of ``V`` lies in such a piece (the argument
        is in ``docs/breakpoints.md``).  The meet of two pieces that are unions
        of closed cells is the union of the cells in both closures: a point or a
        path of edges (it is convex and has no cell of dimension 2, their
        relative interiors being disjoint), whose vertices are the vertices of
        the canonical complex on one edge of it, or the point.
        """
        cells = self.cells
        faces = self.cx._face_lists
        n_cells = len(cells)
        first_edge = n_cells - self.cx.f_vector[0] - self.cx.f_vector[1]  # cells are ordered by dimension, down
        first_vertex = n_cells - self.cx.f_vector[0]
        live = [k for k, piece in enumerate(self.pieces) if piece is not None]
        made = [k for k in live if self.pieces[k][1] is not None or len(self.pieces[k][0]) > 1]  # type: ignore[index]
        closure: dict[int, frozenset[int]] = {}

        def closure_of(k: int) -> frozenset[int]:
            got = closure.get(k)
            if got is None:
                got = closure[k] = frozenset().union(*(self.closure(i) for i in self.pieces[k][0]))  # type: ignore[index]
            return got

        # the whole pieces whose closure holds each cell of the canonical complex
        at: dict[int, list[int]] = {}
        for j in sorted(self.whole):
            for i in self.pieces[j][0]:  # type: ignore[index]
                for c in self.closure(i):
                    lst = at.setdefault(c, [])
                    if not lst or lst[-1] != j:
                        lst.append(j)
        # points as (X, t), X / t the point in lowest terms
        points: dict[int, set[tuple[IntRow, int]]] = {}
        # a meet is symmetric: the points of V it gives were tested, in the pieces of
        # {j} + nb(j) (which contains every piece containing them), when j was done
        done: set[int] = set()
        seen: set[tuple[IntRow, int]] = set()
        for k in made:
            nb = sorted(self.neighbours(k))
            pts = set(self.vertices(k))
            whole_k = k in self.whole
            if whole_k:
                # meets with the whole neighbours: the cells in both closures (each such
                # neighbour is in nb), a path of edges or a point
                common: dict[int, list[int]] = {}
                for c in closure_of(k):
                    for j in at.get(c, ()):
                        if j != k:
                            common.setdefault(j, []).append(c)
                for j, cs in common.items():
                    if j in done:
                        continue  # the same meet, seen from j
                    ends: dict[int, int] = {}
                    for c in cs:
                        if first_edge <= c < first_vertex:
                            for v in faces[c]:
                                ends[v] = ends.get(v, 0) + 1
                    if ends:
                        pts.update(self.vertex_of(v) for v, n in ends.items() if n == 1)
                    else:
                        pts.update(self.vertex_of(c) for c in cs)  # one point or none
            hk, rows_k, gens_k = self.plane(k), self.rows(k), self.side_gens(k)
            for j in nb:
                if (whole_k and j in self.whole) or j in done:
                    continue  # a meet of two whole pieces (above), or one seen from j
                ends3 = _meet_ends_rows(hk, rows_k, gens_k, self.plane(j), self.rows(j), self.side_gens(j))
                if ends3 is not None:
                    pts.update(ends3)
                else:  # pragma: no cover - two polygons of one plane with disjoint relative interiors are separated by an edge line
                    pk, pj = self.poly(k), self.poly(j)
                    if not _disjoint(pk, pj):
                        pts.update(_homogeneous(pk.intersection(pj).vertices))
            # the points of V in the pieces that contain them but not as vertices: every piece
            # containing a point of piece k is in nb, so each point is tested once, in the
            # pieces of the first piece it was found in; first those in the plane of each piece
            pts -= seen
            seen |= pts
            in_plane: dict[IntRow, list[tuple[IntRow, int]]] = {}
            for j in (k, *nb):
                hj = self.plane(j)
                cand = in_plane.get(hj)
                if cand is None:
                    h0, h1, h2, h3 = hj
                    cand = in_plane[hj] = [
                        x for x in pts if h0 * x[0][0] + h1 * x[0][1] + h2 * x[0][2] == h3 * x[1]
                    ]
                if not cand:
                    continue
                own = self.vertices(j)
                whole_j = j in self.whole
                for x in cand:
                    if x in own:
                        continue
                    z = self.vertex_cell.get(x) if whole_j else None
                    # a whole piece contains a vertex of the canonical complex when its closure does
                    inside = z in closure_of(j) if z is not None else self.contains(j, x, in_plane=True)
                    if inside:
                        points.setdefault(j, set()).add(x)
            done.add(k)
        for k in sorted(points):
            grp = self.pieces[k][0]  # type: ignore[index]
            poly = self.poly(k)
            if poly.lineality:  # pragma: no cover - excluded by the argument in docs/breakpoints.md
                raise ReluGeomError(
                    "breakpoint_complex: internal error, a point of V in a piece with a lineality space"
                )
            parts = _pull(poly, sorted(tuple(Fraction(v, t) for v in X) for X, t in points[k]))
            self.remove(k)
            for part in parts:
                self.add(self.overlapping(grp, part), part)

    def run(self) -> list[tuple[list[int], Polyhedron | None]]:
        pending = []
        for grp in self.groups:
            if len(grp) == 1:
                self.add(grp, None)
            else:
                parts, support = self.convexify(grp)
                for cs, part in parts:
                    pending.append(self.add(cs, part))
                if support is not None:
                    self.support[pending[-1]] = support
        self.whole = {k for k, piece in enumerate(self.pieces) if piece is not None and piece[1] is None}
        if self.d == 3:
            if any(piece is not None and self.has_lineality(k) for k, piece in enumerate(self.pieces)):
                self.repair(pending, only_lineality=True)
            self.pull()
        else:
            self.repair(pending)
        return [p for p in self.pieces if p is not None]


def _refine(
    bc: BreakpointComplex, groups: list[list[int]], closures: dict[int, frozenset[int]] | None = None
) -> list[tuple[list[int], Polyhedron | None]]:
    """Refine the merged pieces (``d >= 3``) into the canonical polyhedral complex on B(f).

    Returns ``(cells, polyhedron)`` per piece; ``polyhedron`` is None for a piece
    that is one whole bent facet of the canonical complex.  The construction and
    the proofs are in ``docs/breakpoints.md`` ("The breakpoint complex in d >= 3").
    """
    refiner = _Refiner(bc, groups)
    if closures is not None:
        refiner._closure = closures
    return refiner.run()


def _face_lattice(poly: Polyhedron) -> list[tuple[tuple[Any, ...], int, list[tuple[Any, ...]]]]:
    """The proper non-empty faces of ``poly``: ``(canonical V-representation, dim, faces it covers)``.

    A face is cut out by the inequalities tight on it; its canonical generators
    are those of ``poly`` on it (same lineality), so equal faces of different
    polyhedra get equal keys.  Every face is an intersection of facets and has
    a vertex (a minimal face).
    """
    verts, rays, lin = poly.vertices, poly.rays, poly.lineality
    hverts = _homogeneous(verts)
    inc = []
    for r in poly.inequalities:
        vm = sum(1 << i for i, v in enumerate(hverts) if _value(r, v) == 0)
        ym = sum(1 << i for i, y in enumerate(rays) if _dot(r, y) == 0)
        inc.append((vm, ym))
    faces = {x for x in inc if x[0]}
    frontier = set(faces)
    while frontier:
        new = set()
        for vm, ym in frontier:
            for fv, fy in inc:
                x = (vm & fv, ym & fy)
                if x[0] and x not in faces:
                    new.add(x)
        faces |= new
        frontier = new

    def dim(x: tuple[int, int]) -> int:
        vs = [verts[i] for i in range(len(verts)) if x[0] >> i & 1]
        vecs: list[list[Any]] = [[a - b for a, b in zip(v, vs[0])] for v in vs[1:]]
        vecs += [list(rays[i]) for i in range(len(rays)) if x[1] >> i & 1] + [list(v) for v in lin]
        vecs = [v for v in vecs if any(v)]
        return len(rref(vecs)[0]) if vecs else 0

    dims = {x: dim(x) for x in faces}

    def vrep(x: tuple[int, int]) -> tuple[Any, ...]:
        return (
            tuple(verts[i] for i in range(len(verts)) if x[0] >> i & 1),
            tuple(rays[i] for i in range(len(rays)) if x[1] >> i & 1),
            lin,
        )

    out = []
    for x, k in dims.items():
        below = [
            vrep(y) for y, j in dims.items() if j == k - 1 and y[0] & x[0] == y[0] and y[1] & x[1] == y[1]
        ]
        out.append((vrep(x), k, below))
    return out
