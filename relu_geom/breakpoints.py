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
  continue each other straight through the ridge); in ``d >= 3`` not across a
  ridge that continues a junction straight (see :func:`breakpoint_complex`).
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
  entries 1) orthogonal to it; the tropical weight (see :mod:`relu_geom.tropical`)
  is ``c(sigma) = (A_P - A_Q) e_{P/sigma}`` with ``e_{P/sigma}`` that normal
  pointing into ``P``.  It does not depend on which side is called ``P``.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterator
from fractions import Fraction
from functools import cached_property
from typing import TYPE_CHECKING, Any

from relu_geom.errors import InvalidInputError
from relu_geom.geometry.complex import PolyhedralComplex
from relu_geom.geometry.linear import canonical_subspace
from relu_geom.geometry.polyhedron import Polyhedron
from relu_geom.network import ReLUNetwork

if TYPE_CHECKING:
    from relu_geom.bent_hyperplanes import CandidateDecomposition

__all__ = [
    "BreakpointComplex",
    "BreakpointFacet",
    "LinearRegion",
    "as_breakpoint_complex",
    "bent_facets",
    "breakpoint_complex",
]

IntRow = tuple[int, ...]
Weight = tuple[Fraction, ...]

_CACHE: weakref.WeakKeyDictionary[PolyhedralComplex, BreakpointComplex] = weakref.WeakKeyDictionary()


class _UnionFind:
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


def _compile_input(obj: Any, domain: Any) -> PolyhedralComplex:
    if isinstance(obj, PolyhedralComplex):
        if domain is not None:
            raise InvalidInputError(
                "domain: a compiled complex already has its domain; give domain only with a network, "
                f"got domain={domain!r} with a PolyhedralComplex"
            )
        return obj
    if isinstance(obj, ReLUNetwork):
        from relu_geom.compiler import compile_network

        return compile_network(obj, domain=domain)
    raise InvalidInputError(
        "net_or_complex: expected a ReLUNetwork, a PolyhedralComplex or a BreakpointComplex, "
        f"got {type(obj).__name__}"
    )


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
                f"domain: a BreakpointComplex already has its domain, got domain={domain!r} with it"
            )
        return obj
    cx = _compile_input(obj, domain)
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
    containing it and they lie in one hyperplane.  The merged pieces depend
    only on the function: the canonical ridges a piece is merged across are
    exactly the ridges no other bent facet touches, wherever the network's own
    hyperplanes happen to cut it.  In ``d <= 2`` the pieces are segments, rays,
    lines or points and form a polyhedral complex.  In ``d >= 3`` a junction
    (a ridge where other bent facets meet a hyperplane) can end inside the
    hyperplane and leave a reflex corner; so no merge is made across a ridge
    that continues a junction of its hyperplane straight.  The pieces are then
    convex (the test suite checks it exactly on random networks) and still
    depend only on the function, but they need not be maximal, and two pieces
    in different hyperplanes can meet in part of a face of one of them.

    Complexity: linear in the number of cells, with integer work per facet
    and per ridge; no polyhedron is converted until asked for.

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


class BreakpointFacet:
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
        The bent facets of the canonical complex merged into it (cell indices).
    """

    __slots__ = ("index", "hyperplane", "normal", "weight", "cells", "_cx", "__dict__")

    def __init__(
        self,
        cx: PolyhedralComplex,
        index: int,
        hyperplane: IntRow,
        normal: IntRow,
        weight: Weight,
        cells: tuple[int, ...],
    ):
        self._cx = cx
        self.index = index
        self.hyperplane = hyperplane
        self.normal = normal
        self.weight = weight
        self.cells = cells

    def __repr__(self) -> str:
        w = ", ".join(str(v) for v in self.weight)
        return f"BreakpointFacet(index={self.index}, hyperplane={self.hyperplane}, weight=({w}), n_cells={len(self.cells)})"

    @cached_property
    def polyhedron(self) -> Polyhedron:
        """The closed facet as an exact :class:`~relu_geom.Polyhedron` (H- and V-representation).

        Built from the generators of the merged cells; its one equality is
        :attr:`hyperplane`.
        """
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
        """An exact point in the relative interior (the interior point of its first cell)."""
        return self._cx.cells[self.cells[0]].interior_point

    @property
    def signature(self) -> tuple[Any, ...]:
        """``(hyperplane, weight, vertices, rays, lineality)``: depends only on the function.

        Two networks computing the same function over the same domain have
        equal sets of signatures.
        """
        p = self.polyhedron
        return (self.hyperplane, self.weight, p.vertices, p.rays, p.lineality)


class LinearRegion:
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

    def __init__(
        self,
        cx: PolyhedralComplex,
        index: int,
        cells: tuple[int, ...],
        affine_map: tuple[tuple[tuple[Fraction, ...], ...], tuple[Fraction, ...]],
    ):
        self._cx = cx
        self.index = index
        self.cells = cells
        self.affine_map = affine_map

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


class BreakpointComplex:
    """The breakpoint complex of ``f`` with the bent-facet data of the canonical complex.

    Build it with :func:`breakpoint_complex`.  Read-only.  Its facets are
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

    def __init__(self) -> None:  # pragma: no cover - built by breakpoint_complex
        raise TypeError("use relu_geom.breakpoint_complex(net_or_complex)")

    # ----------------------------------------------------------------- build
    @classmethod
    def _from_complex(cls, cx: PolyhedralComplex) -> BreakpointComplex:
        obj = object.__new__(cls)
        obj.complex = cx
        obj.network = cx.network
        obj.ambient_dim = cx.dim
        obj.dim = cx.dim - 1
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
        cells = cx.cells
        regs = cx.region_data
        H = cx.network.n_hidden
        pos_of = [cx.neuron_position(g) for g in range(H)]
        scale = cx.output_scale
        self._scale = scale
        facet_pq: dict[int, tuple[int, int]] = {}
        normal_p: dict[int, IntRow] = {}
        key: dict[int, IntRow] = {}
        num: dict[int, IntRow] = {}
        bent: set[int] = set()
        for f in cx.facets:
            co = f.coface_indices
            if len(co) != 2:
                continue
            P, Q = cells[co[0]], cells[co[1]]
            rp, rq = regs[P.region_index], regs[Q.region_index]
            kp, kq = P.sign_key, Q.sign_key
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
            i = f.index
            facet_pq[i] = (co[0], co[1])
            normal_p[i] = e
            key[i] = row
            op, oq = rp.out_rows, rq.out_rows
            if op != oq:
                bent.add(i)
                num[i] = tuple(sum((x - y) * c for x, y, c in zip(u[:d], w[:d], e)) for u, w in zip(op, oq))
        self._facet_pq = facet_pq
        self._normal_p = normal_p
        self._key = key
        self._num = num
        self._bent = bent

        # Ridges: bent stars, and merging of straight continuations with one weight.
        uf = _UnionFind(sorted(bent))
        stars: dict[int, tuple[int, ...]] = {}
        merges: list[int] = []
        if d >= 2:
            for t in cx.cells_of_dim(d - 2):
                if t.domain_face:
                    continue
                star = tuple(i for i in t.coface_indices if i in bent)
                if not star:
                    continue
                stars[t.index] = star
                if len(star) == 2:
                    a_, b_ = star
                    if key[a_] == key[b_] and num[a_] == num[b_]:  # the weight is side-independent
                        merges.append(t.index)
        if d >= 3 and merges:
            merges = self._uncut(merges, stars)
        for t in merges:
            a_, b_ = stars[t]
            uf.union(a_, b_)
        self._stars = stars
        groups = uf.groups()
        # order: by hyperplane, then first cell
        groups.sort(key=lambda grp: (key[grp[0]], grp[0]))
        facets = []
        facet_of: dict[int, int] = {}
        for k, grp in enumerate(groups):
            i0 = grp[0]
            nrm = normal_p[i0]
            sign = 1 if next(v for v in nrm if v) > 0 else -1
            w = tuple(Fraction(v, scale) for v in num[i0])
            facets.append(BreakpointFacet(cx, k, key[i0], tuple(sign * v for v in nrm), w, tuple(grp)))
            for i in grp:
                facet_of[i] = k
        self.facets: tuple[BreakpointFacet, ...] = tuple(facets)
        self.facet_of_cell: dict[int, int] = facet_of

    def _flat(self, hyperplane: IntRow, ridge: int) -> tuple[IntRow, ...] | None:
        """The affine hull of a ridge lying in ``hyperplane``, canonically (None if not found)."""
        key = self._key
        for f in self.complex.cells[ridge].coface_indices:
            k = key.get(f)
            if k is not None and k != hyperplane:
                return canonical_subspace([hyperplane, k])
        return None

    def _uncut(self, merges: list[int], stars: dict[int, tuple[int, ...]]) -> list[int]:
        """Drop the merges across ridges that continue a junction of their hyperplane straight.

        A junction is a ridge of a bent facet where other bent facets meet it.
        Cutting every piece along the straight continuation (inside its
        hyperplane) of every junction of that hyperplane keeps the pieces
        convex in ``d >= 3``: otherwise a junction ending inside a hyperplane
        leaves a reflex corner.  The cut depends only on the function.
        """
        key = self._key
        merge_set = set(merges)
        wanted = {key[stars[t][0]] for t in merges}
        junctions: dict[IntRow, set[tuple[IntRow, ...]]] = {h: set() for h in wanted}
        for t, star in stars.items():
            if t in merge_set:
                continue
            for f in star:
                h = key[f]
                if h in junctions:
                    flat = self._flat(h, t)
                    if flat is not None:
                        junctions[h].add(flat)
        kept = []
        for t in merges:
            h = key[stars[t][0]]
            if not junctions[h] or self._flat(h, t) not in junctions[h]:
                kept.append(t)
        return kept

    # ---------------------------------------------------------------- access
    @property
    def n_facets(self) -> int:
        """The number of facets of the breakpoint complex."""
        return len(self.facets)

    @property
    def is_empty(self) -> bool:
        """True when ``f`` is affine on the whole domain (no bent facet)."""
        return not self.facets

    @cached_property
    def bent_facets(self) -> tuple[int, ...]:
        """Indices (in the canonical complex) of the bent facets, ascending."""
        return tuple(sorted(self._bent))

    @cached_property
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

    @cached_property
    def linear_regions(self) -> tuple[LinearRegion, ...]:
        """The maximal linear regions of ``f`` (regions glued across non-bent facets)."""
        cx = self.complex
        uf = _UnionFind(c.index for c in cx.regions)
        for i, (p, q) in self._facet_pq.items():
            if i not in self._bent:
                uf.union(p, q)
        return tuple(
            LinearRegion(cx, k, tuple(grp), cx.cells[grp[0]].affine_map) for k, grp in enumerate(uf.groups())
        )

    @cached_property
    def linear_region_of_cell(self) -> dict[int, int]:
        """Maps every region (cell index) of the canonical complex to its maximal linear region."""
        return {i: lr.index for lr in self.linear_regions for i in lr.cells}

    @cached_property
    def candidates(self) -> CandidateDecomposition:
        """The candidate bent hyperplanes (see :func:`relu_geom.candidate_bent_hyperplanes`)."""
        from relu_geom.bent_hyperplanes import _decompose

        return _decompose(self)

    def summary(self) -> dict[str, Any]:
        """The headline numbers as a JSON-ready dict."""
        return {
            "architecture": list(self.network.architecture),
            "n_bent_facets": self.n_bent_facets,
            "n_non_bent_facets": self.n_non_bent_facets,
            "n_breakpoint_facets": self.n_facets,
            "n_linear_regions": len(self.linear_regions),
        }
