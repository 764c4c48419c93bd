"""Exact drawing windows and exact clipping of cells (no matplotlib, no floats).

A picture of an unbounded complex shows it inside a **window**, a box
``[lo_1, hi_1] x ... x [lo_d, hi_d]`` with rational bounds.  The default window
(:func:`default_window`) is computed from exact coordinates so that it provably
contains every vertex of the complex (strictly, with a margin) and a point of
every cell; unbounded cells are then intersected with the window exactly
(:func:`clip_cell`, one exact H-to-V conversion per cell that leaves the window)
and only the resulting rational coordinates are converted to floats, by the
drawing code.

Trained networks often have a few vertices far away from the rest (two nearly
parallel bent hyperplanes meet far out); a window around every vertex then
shrinks the data-scale structure to a dot.  :func:`data_window` spans the
central 90% of the vertex coordinates instead, and :func:`auto_window`, the
default of the pictures, takes it when the full window is more than
:data:`WIDE_FACTOR` times wider.

Examples
--------
>>> import relu_geom as rg
>>> from relu_geom.plotting.window import default_window, clip_cell
>>> cx = rg.compile_network(rg.zoo.central_lines(2))
>>> win = default_window(cx)
>>> win.bounds
((Fraction(-1, 1), Fraction(1, 1)), (Fraction(-1, 1), Fraction(1, 1)))
>>> piece = clip_cell(cx.regions[0], win)
>>> [tuple(str(v) for v in p) for p in piece.points]
[('-1', '-1'), ('0', '-1'), ('0', '0'), ('-1', '1')]
>>> piece.exits  # all but the origin are where the region leaves the window
(True, True, False, True)
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from relu_geom._util import short_repr
from relu_geom.arith.rational import as_bounds, as_point, to_rational
from relu_geom.compiler.complex import Cell, PolyhedralComplex
from relu_geom.errors import DimensionMismatchError, InvalidInputError
from relu_geom.geometry.polyhedron import Polyhedron

__all__ = [
    "ClippedCell",
    "Window",
    "as_window",
    "auto_window",
    "clip_cell",
    "clip_complex",
    "data_window",
    "default_window",
]

Point = tuple[Fraction, ...]

DEFAULT_MARGIN = Fraction(1, 4)
"""Margin of :func:`default_window`, as a fraction of the largest coordinate span of the vertices."""

DATA_FRACTION = Fraction(9, 10)
"""The share of the vertex coordinates (per coordinate, the central ones) that :func:`data_window` spans."""

WIDE_FACTOR = 8
""":func:`auto_window` takes :func:`data_window` when :func:`default_window` is more than this many times wider."""


@dataclass(frozen=True, slots=True)
class Window:
    """A box ``[lo_1, hi_1] x ... x [lo_d, hi_d]`` with exact rational bounds (``lo_i < hi_i``).

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.plotting.window import Window
    >>> w = Window.from_bounds([(0, 1), ("-1/2", "1/2")])
    >>> w.contains([1, 0]), w.contains([2, 0]), w.dim
    (True, False, 2)
    >>> w.to_float()
    ((0.0, 1.0), (-0.5, 0.5))
    """

    bounds: tuple[tuple[Fraction, Fraction], ...]

    @classmethod
    def from_bounds(cls, bounds: Iterable[Sequence[Any]]) -> Window:
        """A window from per-coordinate pairs ``(lo, hi)`` of exact numbers (strings, ints, Fractions)."""
        pairs = as_bounds(bounds, what="window")
        if not pairs:
            raise InvalidInputError("window: expected at least one coordinate pair (lo, hi)")
        return cls(pairs)

    @property
    def dim(self) -> int:
        """The number of coordinates."""
        return len(self.bounds)

    @property
    def rows(self) -> tuple[tuple[Fraction, ...], ...]:
        """The inequalities ``a . x <= b`` of the box as rows ``(a_1, ..., a_d, b)``."""
        d = self.dim
        out = []
        for i, (lo, hi) in enumerate(self.bounds):
            e = [Fraction(0)] * d
            e[i] = Fraction(1)
            out.append((*e, hi))
            e[i] = Fraction(-1)
            out.append((*e, -lo))
        return tuple(out)

    @property
    def polyhedron(self) -> Polyhedron:
        """The window as an exact :class:`~relu_geom.Polyhedron`."""
        return Polyhedron.box(self.bounds)

    def contains(self, x: object) -> bool:
        """Whether the exact point ``x`` lies in the closed window."""
        p = as_point(x, self.dim)
        return all(lo <= v <= hi for v, (lo, hi) in zip(p, self.bounds))

    def on_boundary(self, x: object) -> bool:
        """Whether the exact point ``x`` lies on the boundary of the window."""
        p = as_point(x, self.dim)
        return self.contains(p) and any(v in (lo, hi) for v, (lo, hi) in zip(p, self.bounds))

    def to_float(self) -> tuple[tuple[float, float], ...]:
        """The bounds as floats (for drawing only)."""
        return tuple((float(lo), float(hi)) for lo, hi in self.bounds)


@dataclass(frozen=True, slots=True)
class ClippedCell:
    """The part of a cell's closure inside a window, in exact coordinates.

    Attributes
    ----------
    cell
        The cell of the complex.
    points
        For a vertex, the point; for a 1-cell, its two endpoints (sorted); for a
        2-cell, the polygon's corners in counter-clockwise order starting from
        the lexicographically smallest.  For 1-cells in ``R^1`` (regions of a
        1-D complex), the two ends of the interval.
    exits
        One flag per point: True when the point is not a vertex of the cell but
        a point where the cell leaves the window (a ray or line goes on there).
    is_clipped
        True when the window cut the cell (the cell is unbounded or leaves the window).
    """

    cell: Cell
    points: tuple[Point, ...]
    exits: tuple[bool, ...]
    is_clipped: bool


def as_window(window: Any, dim: int) -> Window:
    """Normalize a ``window`` argument: a :class:`Window`, ``(lo, hi)`` for ``[lo, hi]^dim``,
    or a sequence of ``dim`` pairs.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.plotting.window import as_window
    >>> as_window((-2, 2), 2).bounds[1]
    (Fraction(-2, 1), Fraction(2, 1))
    """
    if isinstance(window, Window):
        w = window
    elif isinstance(window, (str, bytes)) or not isinstance(window, Sequence):
        raise InvalidInputError(
            f"window: expected (lo, hi), a list of (lo, hi) pairs or a Window, got {short_repr(window)}"
        )
    elif len(window) == 2 and all(isinstance(v, (str, int, float, Fraction)) for v in window):
        w = Window.from_bounds([window] * dim)
    else:
        w = Window.from_bounds(window)
    if w.dim != dim:
        raise DimensionMismatchError(
            f"window: expected {dim} coordinate pairs (one per input coordinate), got {w.dim}"
        )
    return w


def default_window(cx: PolyhedralComplex, *, margin: Any = DEFAULT_MARGIN) -> Window:
    """The smallest box around the complex's exact points, enlarged by a margin.

    Over a bounded domain this is the domain's bounding box (no margin: every
    cell is already inside).  Otherwise the box spans every vertex (0-cell) of
    the complex and one point of every cell (the vertices of the cells' closures,
    which for cells with a lineality space are points of their minimal faces);
    sides narrower than half the largest span are widened to it, and each side
    is pushed out by ``margin`` times the largest span (by 1 when all points
    coincide).  Every vertex is then strictly inside, and every cell meets
    the window's interior.  Computed exactly.

    Parameters
    ----------
    cx
        A compiled complex.
    margin
        A positive exact number (default 1/4).

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.plotting.window import default_window
    >>> default_window(rg.compile_network(rg.zoo.hat_1d())).bounds
    ((Fraction(-1, 2), Fraction(5, 2)),)
    >>> default_window(rg.compile_network(rg.zoo.hat_1d(), domain=(0, 1))).bounds
    ((Fraction(0, 1), Fraction(1, 1)),)
    """
    m = to_rational(margin, what="margin")
    if m <= 0:
        raise InvalidInputError(f"margin: expected a positive number, got {m}")
    d = cx.dim
    dom = cx.domain
    if dom is not None and dom.is_bounded:
        pts = list(dom.vertices)
        return Window(tuple((min(c), max(c)) for c in zip(*pts)))
    pts_set: set[Point] = set()
    for c in cx.cells:
        pts_set.update(c.polyhedron.vertices)
    if dom is not None:
        pts_set.update(dom.vertices)
    pts = sorted(pts_set) or [(Fraction(0),) * d]
    return _padded_box([min(c) for c in zip(*pts)], [max(c) for c in zip(*pts)], m)


def _padded_box(lo: Sequence[Fraction], hi: Sequence[Fraction], margin: Fraction) -> Window:
    """The box ``[lo, hi]`` with no side narrower than half the largest span, pushed out by
    ``margin`` times the largest span (by 1 when the box is a point)."""
    span = max(h - lw for lw, h in zip(lo, hi))
    if span == 0:
        return Window(tuple((lw - 1, h + 1) for lw, h in zip(lo, hi)))
    pad = margin * span
    # no side narrower than half the largest span, so that the picture is not a sliver
    grow = [max(span / 2 - (h - lw), Fraction(0)) / 2 for lw, h in zip(lo, hi)]
    return Window(tuple((lw - g - pad, h + g + pad) for lw, h, g in zip(lo, hi, grow)))


def _largest_span(window: Window) -> Fraction:
    return max(hi - lo for lo, hi in window.bounds)


def data_window(
    cx: PolyhedralComplex, *, fraction: Any = DATA_FRACTION, margin: Any = DEFAULT_MARGIN
) -> Window:
    """The box spanned by the central ``fraction`` of the vertex coordinates, padded.

    For each coordinate the vertices' values are sorted and the lowest and the
    highest ``(1 - fraction) / 2`` of them (rounded down) are left out; the
    remaining range is widened and padded as in :func:`default_window`.  So
    along each coordinate at least ``fraction`` of the vertices lie inside, and
    in the plane at least ``1 - 2 (1 - fraction)`` of them; far-away vertices
    (which trained networks have: nearly parallel hyperplanes meet far out) are
    left outside.  Over a bounded domain, or without vertices, this is
    :func:`default_window`.  Computed exactly.

    Parameters
    ----------
    cx
        A compiled complex.
    fraction
        An exact number in ``(0, 1]`` (default 9/10).
    margin
        A positive exact number (default 1/4).

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.plotting.window import data_window, default_window
    >>> far = rg.ReLUNetwork([[[k] for k in range(1, 21)] + [[1]], [[1] * 21]], [list(range(20)) + [-1000], [0]])
    >>> cx = rg.compile_network(far)   # breakpoints 0, -1/2, ..., -19/20 and 1000
    >>> [str(v) for v in default_window(cx).bounds[0]]
    ['-4019/16', '100019/80']
    >>> [str(v) for v in data_window(cx).bounds[0]]
    ['-45/38', '9/38']
    """
    f = to_rational(fraction, what="fraction")
    if not 0 < f <= 1:
        raise InvalidInputError(f"fraction: expected a number in (0, 1], got {f}")
    m = to_rational(margin, what="margin")
    if m <= 0:
        raise InvalidInputError(f"margin: expected a positive number, got {m}")
    dom = cx.domain
    pts = [v.interior_point for v in cx.vertices]
    if (dom is not None and dom.is_bounded) or not pts:
        return default_window(cx, margin=m)
    drop = int((1 - f) / 2 * len(pts))
    columns = [sorted(c) for c in zip(*pts)]
    return _padded_box([c[drop] for c in columns], [c[-1 - drop] for c in columns], m)


def auto_window(cx: PolyhedralComplex) -> Window:
    """The default window of the pictures: :func:`data_window` when :func:`default_window`
    is more than :data:`WIDE_FACTOR` times wider (in its largest side), else :func:`default_window`.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.plotting.window import auto_window, default_window
    >>> cx = rg.compile_network(rg.zoo.demo())
    >>> auto_window(cx) == default_window(cx)
    True
    """
    full = default_window(cx)
    data = data_window(cx)
    return data if _largest_span(full) > WIDE_FACTOR * _largest_span(data) else full


def cyclic_order(points: Sequence[Point]) -> tuple[Point, ...]:
    """Corners of a convex polygon in counter-clockwise order, decided exactly."""
    n = len(points)
    cx_ = sum(p[0] for p in points) / n
    cy_ = sum(p[1] for p in points) / n

    def half(p: Point) -> int:
        x, y = p[0] - cx_, p[1] - cy_
        return 0 if (y > 0 or (y == 0 and x > 0)) else 1

    def cmp(p: Point, q: Point) -> int:
        hp, hq = half(p), half(q)
        if hp != hq:
            return hp - hq
        cross = (p[0] - cx_) * (q[1] - cy_) - (p[1] - cy_) * (q[0] - cx_)
        return -1 if cross > 0 else (1 if cross < 0 else 0)

    ring = sorted(points, key=functools.cmp_to_key(cmp))
    k = ring.index(min(ring))
    return tuple(ring[k:] + ring[:k])


def clip_cell(cell: Cell, window: Window) -> ClippedCell | None:
    """The part of ``cell``'s closure inside ``window``, exactly; None when it does not
    meet the window in a set of the cell's dimension.

    A bounded cell whose vertices all lie in the window is returned as it is;
    any other cell is intersected with the window by an exact H-to-V conversion
    (:meth:`Polyhedron.from_hrep`).  Cells of dimension 0, 1 and 2 are supported.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.plotting.window import Window, clip_cell
    >>> cx = rg.compile_network(rg.zoo.abs_1d())
    >>> piece = clip_cell(cx.regions[1], Window.from_bounds([(-1, 1)]))
    >>> piece.points, piece.exits
    (((Fraction(0, 1),), (Fraction(1, 1),)), (False, True))
    """
    if cell.dim > 2:
        raise InvalidInputError(
            f"cell: expected a cell of dimension at most 2 to clip, got dimension {cell.dim}"
        )
    if window.dim != len(cell.interior_point):
        raise DimensionMismatchError(
            f"window: expected {len(cell.interior_point)} coordinate pairs, got {window.dim}"
        )
    poly = cell.polyhedron
    own = set(poly.vertices) if not poly.lineality else set()
    if poly.is_bounded and all(window.contains(v) for v in poly.vertices):
        clipped, pts = False, list(poly.vertices)
    else:
        clipped = True
        q = Polyhedron.from_hrep(
            list(poly.inequalities) + list(window.rows), poly.equalities, ambient_dim=window.dim
        )
        if q.is_empty or q.dim < cell.dim:
            return None
        pts = list(q.vertices)
    if cell.dim == 2:
        ordered = cyclic_order(pts)
    else:
        ordered = tuple(sorted(pts))
    exits = tuple(p not in own for p in ordered)
    return ClippedCell(cell, ordered, exits, clipped)


def clip_complex(cx: PolyhedralComplex, window: Window | None = None) -> dict[int, ClippedCell]:
    """Every cell of a complex (of dimension at most 2) clipped to ``window``, by cell index.

    Cells that miss the window (or only touch its boundary in a lower
    dimension) are left out.  ``window`` defaults to :func:`default_window`.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.plotting.window import clip_complex
    >>> cx = rg.compile_network(rg.zoo.central_lines(3))
    >>> len(clip_complex(cx)) == len(cx.cells)
    True
    """
    if cx.dim > 2:
        raise InvalidInputError(f"cx: expected a complex of dimension 1 or 2 to clip, got dimension {cx.dim}")
    win = default_window(cx) if window is None else window
    out = {}
    for c in cx.cells:
        piece = clip_cell(c, win)
        if piece is not None:
            out[c.index] = piece
    return out
