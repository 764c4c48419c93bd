"""PolyhedralComplex and Cell: the canonical polyhedral complex of a network, exactly.

Cells are numbered in a documented order: by dimension from ``d`` down to 0
(so ``cells[:n_regions]`` are the regions), then by sign vector
(lexicographically, ``-1 < 0 < +1``), then by the face of the domain.
Derived data (H-representations, vertices as Fractions, affine maps) is
computed on first access and cached.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from fractions import Fraction
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, overload

from relu_geom._util import Frozen, lazy, short_repr
from relu_geom.arith.rational import as_point, format_rational
from relu_geom.compiler.forms import face_hrep
from relu_geom.errors import InvalidInputError
from relu_geom.files import output_path, write_text_atomic
from relu_geom.geometry.lattice import iter_bits
from relu_geom.geometry.polyhedron import Polyhedron, _canonical_vrep

if TYPE_CHECKING:
    import networkx as nx

    from relu_geom.network import ReLUNetwork

__all__ = ["Cell", "PolyhedralComplex", "RegionData"]

Key = tuple[int, int, int]


class RegionData(NamedTuple):
    """What the compiler keeps of a region (homogenized integer data, internal)."""

    rays: tuple[tuple[int, ...], ...]
    zm: tuple[int, ...]
    lin: tuple[tuple[int, ...], ...]
    pos: int
    neg: int
    forms: tuple[tuple[tuple[int, ...], ...], ...]
    out_rows: tuple[tuple[int, ...], ...]


class Cell(Frozen):
    """One relatively open cell of a :class:`PolyhedralComplex`.

    Attributes
    ----------
    index : int
        Position in ``complex.cells``.
    dim : int
        Dimension of the cell.
    """

    __slots__ = (
        "index",
        "dim",
        "_cx",
        "_region",
        "_raymask",
        "_zmask",
        "_key",
        "_lazy",
    )
    index: int
    dim: int
    _cx: PolyhedralComplex
    _region: int
    _raymask: int
    _zmask: int
    _key: Key
    _lazy: dict[str, Any]

    def __init__(self, cx: PolyhedralComplex, index: int):
        dim, key, region, raymask, zmask = cx._records[index]
        self._set(
            _cx=cx, index=index, dim=dim, _key=key, _region=region, _raymask=raymask, _zmask=zmask, _lazy={}
        )

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its place in its complex: the copy is ``cells[index]`` of the copied complex."""
        return (_cell_of, (self._cx, self.index))

    def __repr__(self) -> str:
        return f"Cell(index={self.index}, dim={self.dim}, sign_vector={self.sign_vector})"

    @lazy
    def sign_vector(self) -> tuple[int, ...]:
        """Signs (-1, 0, +1) of all hidden pre-activations on the cell, in global neuron order."""
        pos, neg, _ = self._key
        return tuple((pos >> g & 1) - (neg >> g & 1) for g in range(self._cx._H))

    @lazy
    def domain_face(self) -> tuple[int, ...]:
        """Indices of the domain's inequalities (``domain.inequalities``) tight on the cell."""
        H = self._cx._H
        return tuple(b - H for b in iter_bits(self._key[2]))

    # --------------------------------------------------------------- incidence
    @property
    def sign_key(self) -> Key:
        """The cell's identity as bitsets ``(positive, negative, tight domain constraints)``.

        Bit ``g`` of ``positive`` / ``negative`` is set when hidden neuron ``g`` is
        positive / negative on the cell; domain constraint ``i`` is bit ``H + i``.
        Two cells are equal exactly when their keys are: a fast exact handle for
        analyses.
        """
        return self._key

    @property
    def _faces(self) -> tuple[int, ...]:
        return self._cx._face_lists[self.index]

    @property
    def _cofaces(self) -> tuple[int, ...]:
        return self._cx._coface_lists[self.index]

    @property
    def region_index(self) -> int:
        """Index in :attr:`PolyhedralComplex.region_data` of a region whose closure contains the cell."""
        return self._region

    @property
    def face_indices(self) -> tuple[int, ...]:
        """Indices of the cells of dimension ``dim - 1`` in this cell's closure."""
        return self._faces

    @property
    def coface_indices(self) -> tuple[int, ...]:
        """Indices of the cells of dimension ``dim + 1`` whose closure contains this cell."""
        return self._cofaces

    @property
    def faces(self) -> tuple[Cell, ...]:
        """The cells of dimension ``dim - 1`` in this cell's closure."""
        return tuple(self._cx.cells[i] for i in self._faces)

    @property
    def cofaces(self) -> tuple[Cell, ...]:
        """The cells of dimension ``dim + 1`` whose closure contains this cell."""
        return tuple(self._cx.cells[i] for i in self._cofaces)

    def closure_indices(self) -> frozenset[int]:
        """Indices of all cells in the closure of this cell (itself included)."""
        seen = {self.index}
        stack = [self.index]
        cells = self._cx.cells
        while stack:
            for j in cells[stack.pop()]._faces:
                if j not in seen:
                    seen.add(j)
                    stack.append(j)
        return frozenset(seen)

    @property
    def is_region(self) -> bool:
        """True for cells of full dimension."""
        return self.dim == self._cx.dim

    # ---------------------------------------------------------------- geometry
    def _generators(self) -> Iterator[tuple[int, ...]]:
        rays = self._cx._regions[self._region].rays
        return (rays[i] for i in iter_bits(self._raymask))

    @lazy
    def polyhedron(self) -> Polyhedron:
        """The closure of the cell as an exact :class:`~relu_geom.Polyhedron` (both
        representations computed on first access)."""
        # the cell is the source of both representations (one reference, where two bound
        # methods would be two more objects per cell for the garbage collector to scan)
        return Polyhedron._from_data(self._cx.dim, source=self)

    def _vrep(
        self,
    ) -> tuple[tuple[tuple[Fraction, ...], ...], tuple[tuple[int, ...], ...], tuple[tuple[int, ...], ...]]:
        d = self._cx.dim
        verts, rays = [], []
        for g in self._generators():
            t = g[-1]
            if t:
                verts.append(tuple(Fraction(x, t) for x in g[:d]))
            else:
                rays.append(g[:d])
        lin = [v[:d] for v in self._cx._regions[self._region].lin]
        return _canonical_vrep(d, verts, rays, lin)

    def _hrep(self) -> tuple[tuple[tuple[int, ...], ...], tuple[tuple[int, ...], ...]]:
        cx = self._cx
        if cx._hreps is not None:  # built by the compiler's tasks
            return cx._hreps[self.index]
        reg = cx._regions[self._region]
        gens = None if self.dim > 1 or reg.lin else list(self._generators())
        if self.dim == 0:
            return face_hrep(cx.dim, cx._H, cx._dom_rows, cx._positions, reg, self._zmask, (), gens)
        records = cx._records
        low = (1 << cx._H) - 1
        facets = []
        for j in self._faces:
            pos, neg, dom = records[j][1]
            facets.append(low & ~(pos | neg) | dom)
        return face_hrep(cx.dim, cx._H, cx._dom_rows, cx._positions, reg, self._zmask, facets, gens)

    @property
    def vertices(self) -> tuple[tuple[Fraction, ...], ...]:
        """Vertices of the closure (see :attr:`Polyhedron.vertices`)."""
        return self.polyhedron.vertices

    @property
    def rays(self) -> tuple[tuple[int, ...], ...]:
        """Extreme rays of the closure."""
        return self.polyhedron.rays

    @property
    def lineality(self) -> tuple[tuple[int, ...], ...]:
        """Lineality space basis of the closure."""
        return self.polyhedron.lineality

    @property
    def is_bounded(self) -> bool:
        """True when the cell is bounded."""
        return all(g[-1] for g in self._generators()) and not self._cx._regions[self._region].lin

    @lazy
    def homogeneous_interior_point(self) -> tuple[int, ...]:
        """The sum ``(X, t)`` of the cell's homogeneous integer generators (``t > 0``):
        :attr:`interior_point` is ``X / t``."""
        acc = [0] * (self._cx.dim + 1)
        for g in self._generators():
            acc = [a + b for a, b in zip(acc, g)]
        return tuple(acc)

    @lazy
    def interior_point(self) -> tuple[Fraction, ...]:
        """An exact point of the cell (its relative interior): the sum of its homogeneous
        generators, dehomogenized."""
        *xs, t = self.homogeneous_interior_point
        return tuple(Fraction(x, t) for x in xs)

    @lazy
    def affine_map(self) -> tuple[tuple[tuple[Fraction, ...], ...], tuple[Fraction, ...]]:
        """``(A, c)`` with ``f(x) = A x + c`` on the cell's closure.

        Unique for regions; for lower-dimensional cells it is the map of one
        region containing the cell (any such map agrees with ``f`` on the cell).
        """
        cx = self._cx
        d = cx.dim
        s = cx._out_scale
        rows = cx._regions[self._region].out_rows
        A = tuple(tuple(Fraction(v, s) for v in r[:d]) for r in rows)
        c = tuple(Fraction(r[d], s) for r in rows)
        return A, c

    def contains(self, x: object) -> bool:
        """Whether the exact point ``x`` lies in this (relatively open) cell."""
        return self._cx.locate(x) is self


class PolyhedralComplex(Frozen):
    """The canonical polyhedral complex of a ReLU network over a domain.

    Build it with :func:`relu_geom.compile_network`.  Read-only.

    Attributes
    ----------
    cells : Sequence[Cell]
        All cells in the documented order (a read-only sequence; slices are tuples).
    f_vector : tuple[int, ...]
        ``(f_0, ..., f_d)``: the number of cells of each dimension.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[1], [1]], [[1, -1]]], [[0, -1], [0]])
    >>> cx = rg.compile_network(net)
    >>> cx.f_vector
    (2, 3)
    >>> [c.sign_vector for c in cx.regions]
    [(-1, -1), (1, -1), (1, 1)]
    >>> cx.locate("1/2").affine_map  # f(x) = x between the two breakpoints
    (((Fraction(1, 1),),), (Fraction(0, 1),))
    """

    __slots__ = (
        "network",
        "domain",
        "dim",
        "f_vector",
        "cells",
        "_dom_rows",
        "_regions",
        "_out_scale",
        "_H",
        "_records",
        "_found_edges",
        "_hreps",
        "_lazy",
        "__weakref__",  # analyses cache their results per complex
    )
    network: ReLUNetwork
    domain: Polyhedron | None
    dim: int
    f_vector: tuple[int, ...]
    cells: _Cells
    _dom_rows: tuple[tuple[int, ...], ...]
    _regions: tuple[RegionData, ...]
    _out_scale: int
    _H: int
    _records: tuple[tuple[int, Key, int, int, int], ...]
    _found_edges: Iterable[tuple[int, int]] | None
    _hreps: Sequence[Any] | None
    _lazy: dict[str, Any]

    def __init__(self) -> None:  # pragma: no cover - built by the compiler
        raise TypeError("use relu_geom.compile_network(net, domain=...)")

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as the data :meth:`save` writes (cells are remade on access)."""
        return (
            PolyhedralComplex._from_records,
            (
                self.network,
                self.domain,
                self._dom_rows,
                self._regions,
                self._records,
                self._face_lists,
                self._out_scale,
            ),
        )

    @classmethod
    def _from_compiler(
        cls,
        net: ReLUNetwork,
        domain: Polyhedron | None,
        dom_rows: list[tuple[int, ...]],
        regions: Sequence[RegionData],
        records: Sequence[tuple[int, Key, int, int, int]],
        edges: Iterable[tuple[int, int]],
        out_scale: int,
        hreps: Sequence[Any] | None,
    ) -> PolyhedralComplex:
        """The complex from the compiler's data: the cells in final order (as for
        :meth:`_from_records`) and ``edges``, distinct pairs ``(lo, hi)`` saying that cell
        ``lo`` is a facet of cell ``hi``, read when the face lists are first used."""
        obj = cls._from_records(net, domain, dom_rows, regions, records, None, out_scale, hreps)
        obj._set(_found_edges=edges)
        return obj

    @classmethod
    def _from_records(
        cls,
        net: ReLUNetwork,
        domain: Polyhedron | None,
        dom_rows: Sequence[tuple[int, ...]],
        regions: Sequence[RegionData],
        records: Sequence[tuple[int, Key, int, int, int]],
        face_lists: Sequence[tuple[int, ...]] | None,
        out_scale: int,
        hreps: Sequence[Any] | None = None,
    ) -> PolyhedralComplex:
        """The complex from its cells in final order: ``records[i] = (dim, key, region,
        raymask, zmask)`` and the sorted indices of the facets of cell ``i`` (None: set
        ``_found_edges`` instead; the lists are then made on first use); ``hreps[i]`` the
        H-representation of cell ``i`` when already built."""
        obj = object.__new__(cls)
        d = net.input_dim
        counts = [0] * (d + 1)
        for r in records:
            counts[r[0]] += 1
        obj._set(
            network=net,
            domain=domain,
            dim=d,
            f_vector=tuple(counts),
            _dom_rows=tuple(dom_rows),
            _regions=tuple(regions),
            _out_scale=out_scale,
            _H=net.n_hidden,
            _records=tuple(records),
            _found_edges=None,
            _hreps=hreps,
            _lazy={} if face_lists is None else {"_face_lists": tuple(face_lists)},
        )
        obj._set(cells=_Cells(obj))
        return obj

    @lazy
    def _face_lists(self) -> tuple[tuple[int, ...], ...]:
        edges = self._found_edges
        assert edges is not None
        self._set(_found_edges=None)  # the lists replace the edges
        faces: list[list[int]] = [[] for _ in self._records]
        for lo, hi in edges:
            faces[hi].append(lo)
        return tuple(tuple(sorted(f)) for f in faces)

    @lazy
    def _coface_lists(self) -> tuple[tuple[int, ...], ...]:
        cofaces: list[list[int]] = [[] for _ in self._records]
        for j, fs in enumerate(self._face_lists):
            for i in fs:
                cofaces[i].append(j)  # j increases, so every list comes out sorted
        return tuple(map(tuple, cofaces))

    @lazy
    def _index(self) -> Mapping[Key, int]:
        return MappingProxyType({r[1]: i for i, r in enumerate(self._records)})

    # ------------------------------------------------------ low-level access
    @property
    def region_data(self) -> tuple[RegionData, ...]:
        """The compiler's exact integer data per region (homogenized generators with their
        constraint bitsets, sign bits, integer layer forms, scaled output rows); see
        :func:`relu_geom.compiler.iter_region_data`.  Indexed by :attr:`Cell.region_index`."""
        return self._regions

    @property
    def output_scale(self) -> int:
        """The positive integer by which :attr:`RegionData.out_rows` scale the output maps."""
        return self._out_scale

    def neuron_position(self, g: int) -> tuple[int, int]:
        """``(layer - 1, index)`` of global hidden neuron ``g``: where its forms sit in ``RegionData.forms``."""
        return self._neuron_position(g)

    # ------------------------------------------------------------- internals
    def _neuron_position(self, g: int) -> tuple[int, int]:
        return self._positions[g]

    @lazy
    def _positions(self) -> tuple[tuple[int, int], ...]:
        return tuple((layer - 1, i) for layer, i in self.network.neurons)

    def _tight_mask(self, key: Key) -> int:
        pos, neg, dom = key
        return ((1 << self._H) - 1) & ~(pos | neg) | dom

    # ---------------------------------------------------------------- access
    @property
    def euler_characteristic(self) -> int:
        """``sum_k (-1)^k f_k`` over the relatively open cells: ``(-1)^d`` over ``R^d``, 1 over a polytope."""
        return sum((-1) ** k * n for k, n in enumerate(self.f_vector))

    @property
    def n_cells(self) -> int:
        """The number of cells."""
        return len(self._records)

    @property
    def regions(self) -> tuple[Cell, ...]:
        """The ``d``-dimensional cells (they come first in :attr:`cells`)."""
        return self.cells[: self.f_vector[self.dim]]

    @property
    def n_regions(self) -> int:
        """The number of regions."""
        return self.f_vector[self.dim]

    def cells_of_dim(self, k: int) -> tuple[Cell, ...]:
        """The cells of dimension ``k``."""
        if not isinstance(k, int) or not 0 <= k <= self.dim:
            raise InvalidInputError(f"k: expected a dimension in 0..{self.dim}, got {short_repr(k)}")
        start = sum(self.f_vector[k + 1 :])
        return self.cells[start : start + self.f_vector[k]]

    @property
    def vertices(self) -> tuple[Cell, ...]:
        """The 0-dimensional cells."""
        return self.cells_of_dim(0)

    @property
    def facets(self) -> tuple[Cell, ...]:
        """The cells of dimension ``d - 1``."""
        return self.cells_of_dim(self.dim - 1) if self.dim >= 1 else ()

    @property
    def bounded_regions(self) -> tuple[Cell, ...]:
        """The bounded regions."""
        return tuple(c for c in self.regions if c.is_bounded)

    @property
    def n_bounded_regions(self) -> int:
        """The number of bounded regions."""
        return len(self.bounded_regions)

    def __len__(self) -> int:
        return len(self.cells)

    def __iter__(self) -> Iterator[Cell]:
        return iter(self.cells)

    def __repr__(self) -> str:
        return f"PolyhedralComplex(architecture={list(self.network.architecture)}, f_vector={self.f_vector})"

    def locate(self, x: object) -> Cell | None:
        """The cell containing the exact point ``x`` (any dimension), or None outside the domain.

        It compares the sign vector of ``x`` (and the domain face) with the
        cells', so it costs one exact evaluation of the network.
        """
        key = _locate_key(self.network, self._dom_rows, x)
        if key is None:
            return None
        i = self._index.get(key)
        return None if i is None else self.cells[i]

    def dual_graph(self) -> nx.Graph:
        """The regions as nodes (cell indices) with an edge for every shared facet.

        Edge attribute ``facet`` is the index of the shared facet cell.
        """
        import networkx as nx

        g = nx.Graph()
        for c in self.regions:
            g.add_node(c.index, sign_vector=c.sign_vector)
        for f in self.facets:
            if len(f._cofaces) == 2:
                g.add_edge(*f._cofaces, facet=f.index)
        return g

    # ------------------------------------------------------------------ export
    def summary(self) -> dict[str, Any]:
        """The headline numbers as a JSON-ready dict."""
        return {
            "architecture": list(self.network.architecture),
            "domain": None if self.domain is None else self.domain.to_dict(),
            "f_vector": list(self.f_vector),
            "n_cells": self.n_cells,
            "n_regions": self.n_regions,
            "n_bounded_regions": self.n_bounded_regions,
            "euler_characteristic": self.euler_characteristic,
        }

    def to_dict(self) -> dict[str, Any]:
        """The whole exact complex (``"format": "relu-geom/complex@1"``), JSON-ready."""
        cells = []
        for c in self.cells:
            entry: dict[str, Any] = {
                "index": c.index,
                "dim": c.dim,
                "sign_vector": list(c.sign_vector),
                "domain_face": list(c.domain_face),
                "interior_point": [format_rational(v) for v in c.interior_point],
                "faces": list(c.face_indices),
                "cofaces": list(c.coface_indices),
                **{k: v for k, v in c.polyhedron.to_dict().items() if k != "dim"},
            }
            if c.is_region:
                A, b = c.affine_map
                entry["affine_map"] = {
                    "A": [[format_rational(v) for v in r] for r in A],
                    "c": [format_rational(v) for v in b],
                }
            cells.append(entry)
        return {
            "format": "relu-geom/complex@1",
            "network": self.network.to_dict(),
            **self.summary(),
            "cells": cells,
        }

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the complex exactly as compiled to ``path`` in the compact versioned format
        ``relu-geom/complex@1`` (gzip-compressed integer lines, extension ``.rgc``; see
        :mod:`relu_geom.compiler.store`), atomically."""
        from relu_geom.compiler.store import save_complex

        save_complex(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> PolyhedralComplex:
        """Read a complex written by :meth:`save`, equal to the saved one cell by cell.

        Raises :class:`~relu_geom.FileFormatError` for a file that is not such a complex.
        """
        from relu_geom.compiler.store import read_complex

        net, domain, dom_rows, regions, records, face_lists, scale = read_complex(path)
        return cls._from_records(
            net, domain, dom_rows, [RegionData(*r) for r in regions], records, face_lists, scale
        )

    def to_json(self, path: str | os.PathLike[str] | None = None) -> str:
        """JSON text of :meth:`to_dict`; written atomically to ``path`` when given."""
        if path is not None:
            output_path(path)
        text = json.dumps(self.to_dict(), indent=1)
        if path is not None:
            write_text_atomic(path, text)
        return text


class _Cells(Frozen, Sequence[Cell]):
    """The cells of a complex, each :class:`Cell` object made on first access (read-only)."""

    __slots__ = ("_cx", "_objs")
    _cx: PolyhedralComplex
    _objs: list[Cell | None]

    def __init__(self, cx: PolyhedralComplex):
        self._set(_cx=cx, _objs=[None] * len(cx._records))

    def __len__(self) -> int:
        return len(self._objs)

    @overload
    def __getitem__(self, i: int) -> Cell: ...

    @overload
    def __getitem__(self, i: slice) -> tuple[Cell, ...]: ...

    def __getitem__(self, i: int | slice) -> Cell | tuple[Cell, ...]:
        if isinstance(i, slice):
            return tuple(self[j] for j in range(*i.indices(len(self._objs))))
        c = self._objs[i]
        if c is None:
            j = i if i >= 0 else i + len(self._objs)
            c = self._objs[j] = Cell(self._cx, j)
        return c

    def __iter__(self) -> Iterator[Cell]:
        for i in range(len(self._objs)):
            yield self[i]

    def __repr__(self) -> str:
        return f"<{len(self._objs)} cells>"


def _cell_of(cx: PolyhedralComplex, index: int) -> Cell:
    return cx.cells[index]


def _locate_key(net: ReLUNetwork, dom_rows: Sequence[tuple[int, ...]], x: object) -> Key | None:
    """The cell key of an exact point (signs by exact evaluation, tight domain rows), or
    None when the point is outside the domain."""
    p = as_point(x, net.input_dim)
    H = net.n_hidden
    pos = neg = 0
    for g, s in enumerate(net.sign_vector(p)):
        if s > 0:
            pos |= 1 << g
        elif s < 0:
            neg |= 1 << g
    dom = 0
    d = net.input_dim
    for i, r in enumerate(dom_rows):
        val = sum(a * v for a, v in zip(r[:d], p))
        if val > r[d]:
            return None
        if val == r[d]:
            dom |= 1 << (H + i)
    return (pos, neg, dom)
