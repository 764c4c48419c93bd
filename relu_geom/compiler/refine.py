"""compile_network: a ReLU network -> its canonical polyhedral complex, exactly.

Algorithm
---------
Every cell of the canonical complex is the relative interior of a face of the
closure of some region (d-cell), and a cell is determined by its sign vector
(and, over a bounded domain, by the face of the domain it lies in).  So the
compiler

1. refines regions layer by layer: a region of the first ``l - 1`` layers meets
   the neurons of layer ``l`` through affine functions, and is split by each of
   them with one exact double-description step;
2. enumerates the face lattice of every final region combinatorially and glues
   faces of different regions that have the same sign vector.

Regions are kept as homogenized cones ``{(X, t) : t >= 0, ...}`` in ``Z^{d+1}``
given by primitive integer generators (extreme rays and a lineality basis), so
unbounded regions, regions without vertices and all of ``R^d`` need no special
case.  Every generator carries the bitset of constraints (neurons, domain
facets, ``t >= 0``) that vanish on it; a split only evaluates the neuron's
integer linear form on the generators, decides most cases from those signs,
and tests adjacency combinatorially on the bitsets.  No LP and no float is used.

Complexity: one split of a cone with ``r`` generators costs ``O(r^3)`` bit
operations plus ``O(r d)`` integer products; the face lattice of a region with
``f`` faces and ``k`` facets costs ``O(f k^2)`` bit operations.
"""

from __future__ import annotations

import ast
import gc
import math
import multiprocessing
import os
import sys
import time
import warnings
from array import array
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from itertools import chain, repeat
from operator import mul
from types import FrameType
from typing import Any, NamedTuple

from relu_geom._util import short_repr
from relu_geom.arith.rational import as_bounds, clear_denominators, primitive
from relu_geom.compiler.complex import Key, PolyhedralComplex, RegionData
from relu_geom.compiler.forms import face_hrep
from relu_geom.compiler.forms import layer_forms as _layer_forms
from relu_geom.errors import DimensionMismatchError, InvalidInputError, LimitExceededError
from relu_geom.geometry.lattice import iter_bits, maximal_sets
from relu_geom.geometry.polyhedron import Polyhedron
from relu_geom.network import ReLUNetwork

__all__ = ["compile_network", "iter_region_data", "parse_domain"]


def parse_domain(domain: Any, dim: int) -> Polyhedron | None:
    """Normalize a ``domain`` argument to a full-dimensional :class:`Polyhedron` (or None for R^d).

    Accepted: ``None`` (all of ``R^d``); a pair ``(lo, hi)`` for the box
    ``[lo, hi]^d``; a sequence of ``d`` pairs; or a :class:`Polyhedron`.

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.compiler.parse_domain((-1, 1), 2).vertices[0]
    (Fraction(-1, 1), Fraction(-1, 1))
    """
    if domain is None:
        return None
    if isinstance(domain, Polyhedron):
        if domain.ambient_dim != dim:
            raise DimensionMismatchError(
                f"domain: expected a polyhedron in R^{dim} (the network's input dimension), "
                f"got one in R^{domain.ambient_dim}"
            )
        if domain.dim != dim:
            raise InvalidInputError(
                f"domain: expected a full-dimensional polyhedron (dimension {dim}), got dimension {domain.dim}"
            )
        return domain
    expected = "None, (lo, hi), a list of (lo, hi) pairs or a Polyhedron"
    if not _is_sequence(domain):
        raise InvalidInputError(f"domain: expected {expected}, got {type(domain).__name__}")
    items = list(domain)
    if len(items) == 2 and not any(_is_sequence(v) for v in items):
        pairs = [items] * dim
    elif len(items) != dim:
        raise DimensionMismatchError(
            f"domain: expected {dim} coordinate pairs (lo, hi), one per input coordinate, got {len(items)}"
        )
    else:
        pairs = items
    for i, pair in enumerate(pairs):
        if not _is_sequence(pair):  # not a string or a mapping read as a pair
            raise InvalidInputError(f"domain[{i}]: expected a pair (lo, hi), got {type(pair).__name__}")
    return Polyhedron.box(as_bounds(pairs, what="domain"))


def _is_sequence(obj: Any) -> bool:
    return isinstance(obj, (list, tuple)) or (hasattr(obj, "tolist") and getattr(obj, "ndim", 0) > 0)


class _Piece:
    """A region under construction: a homogenized cone with constraint bitsets.

    ``lin`` (a lineality basis) and ``lsup`` (the indices of the nonzero entries of each
    of its vectors, which stay few) are tuples shared by the pieces split from one
    region, never mutated.
    """

    __slots__ = ("rays", "zm", "lin", "lsup", "pos", "neg")

    def __init__(
        self,
        rays: list[tuple[int, ...]],
        zm: list[int],
        lin: tuple[tuple[int, ...], ...],
        lsup: tuple[tuple[int, ...], ...],
        pos: int,
        neg: int,
    ):
        self.rays = rays
        self.zm = zm
        self.lin = lin
        self.lsup = lsup
        self.pos = pos
        self.neg = neg

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Piece, (self.rays, self.zm, self.lin, self.lsup, self.pos, self.neg))


def _lineality_cut(cache: dict[int, Any], piece: _Piece, h: tuple[int, ...]) -> Any:
    """The split of the lineality space of ``piece`` by ``h``, computed once per neuron and
    shared by all pieces with the same ``lin`` (``cache`` lives for one neuron); None if ``h``
    vanishes on it."""
    lin = piece.lin
    entry = cache.get(id(lin))
    if entry is None:
        hl = [sum([h[i] * v[i] for i in sup]) for v, sup in zip(lin, piece.lsup)]
        k = next((i for i, v in enumerate(hl) if v), None)
        cut: Any = None
        if k is not None:
            ell, hk = lin[k], hl[k]
            s, a = (1, hk) if hk > 0 else (-1, -hk)
            support = [(i, ell[i]) for i in piece.lsup[k]]
            new_lin, new_sup = [], []
            for i, (v, sup, hv) in enumerate(zip(lin, piece.lsup, hl)):
                if i != k:
                    if hv:
                        v, sup = _combine(a, v, s * hv, support, sup)
                    new_lin.append(v)
                    new_sup.append(sup)
            up, down = tuple(s * y for y in ell), tuple(-s * y for y in ell)
            cut = (support, s, a, tuple(new_lin), tuple(new_sup), up, down, {})
        entry = cache[id(lin)] = (lin, cut)  # keeps lin alive, so its id stays unique
    return entry[1]


def _combine(
    a: int, v: tuple[int, ...], c: int, support: list[tuple[int, int]], sup: Sequence[int] | None = None
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """``primitive(a * v - c * ell)`` and its nonzero indices, for ``ell`` given by its
    nonzero entries ``support`` and ``v`` by its nonzero indices ``sup`` (None: all)."""
    new = list(v)
    idx = range(len(v)) if sup is None else sup
    if a != 1:
        for i in idx:
            new[i] *= a
    for i, y in support:
        new[i] -= c * y
    union = sorted({*idx, *(i for i, _ in support)}) if sup is not None else range(len(v))
    g = math.gcd(*(new[i] for i in union))
    if g > 1:
        for i in union:
            new[i] //= g
    return tuple(new), tuple(i for i in union if new[i])


def _split(
    piece: _Piece, h: tuple[int, ...], bit: int, done_mask: int, cone_dim: int, cache: dict[int, Any]
) -> list[_Piece]:
    """Split a cone by the linear form ``h`` (constraint ``bit``); returns the pieces.

    ``done_mask`` holds the constraints already imposed (they vanish on the
    lineality space); ``cone_dim`` is ``d + 1``; ``cache`` is shared by the
    pieces split by the same ``h``.
    """
    lin = piece.lin
    if lin:
        cut = _lineality_cut(cache, piece, h)
        if cut is not None:
            support, s, a, new_lin, new_sup, up, down, moved = cut
            new_rays: list[tuple[int, ...]] = []
            for r in piece.rays:
                entry = moved.get(id(r))
                if entry is None:
                    hr = sum(map(mul, h, r))
                    entry = moved[id(r)] = (r, _combine(a, r, s * hr, support)[0] if hr else r)
                new_rays.append(entry[1])
            zm = [z | bit for z in piece.zm]
            zm.append(done_mask & ~bit)
            return [
                _Piece(new_rays + [up], zm, new_lin, new_sup, piece.pos | bit, piece.neg),
                _Piece(new_rays + [down], list(zm), new_lin, new_sup, piece.pos, piece.neg | bit),
            ]
    rays = piece.rays
    vals = [sum(map(mul, h, r)) for r in rays]
    P = [i for i, v in enumerate(vals) if v > 0]
    N = [i for i, v in enumerate(vals) if v < 0]
    zm = piece.zm
    if not N or not P:
        piece.zm = [z | bit if v == 0 else z for z, v in zip(zm, vals)]
        if P:
            piece.pos |= bit
        elif N:
            piece.neg |= bit
        return [piece]
    Z = [i for i, v in enumerate(vals) if v == 0]
    need = cone_dim - len(lin) - 2  # tight constraints an edge needs at least
    new_rays = []
    new_zm: list[int] = []
    holders: dict[int, int] = {}  # constraint -> bitset of the rays on which it vanishes
    every = (1 << len(rays)) - 1
    for i, z in enumerate(zm):
        while z:
            low = z & -z
            holders[low] = holders.get(low, 0) | 1 << i
            z ^= low
    for p in P:
        zp, rp, vp = zm[p], rays[p], vals[p]
        for n in N:
            common = zp & zm[n]
            if common.bit_count() < need:
                continue
            # adjacent when no other ray vanishes on every constraint common to both
            pair = 1 << p | 1 << n
            acc = every
            while common and acc != pair:
                low = common & -common
                acc &= holders[low]
                common ^= low
            if acc == pair:
                vn = vals[n]
                new_rays.append(primitive([vp * x - vn * y for x, y in zip(rays[n], rp)]))
                new_zm.append(zp & zm[n] | bit)
    zrays = [rays[i] for i in Z]
    zzm = [zm[i] | bit for i in Z]
    plus = _Piece(
        [rays[i] for i in P] + zrays + new_rays,
        [zm[i] for i in P] + zzm + new_zm,
        lin,
        piece.lsup,
        piece.pos | bit,
        piece.neg,
    )
    minus = _Piece(
        [rays[i] for i in N] + zrays + new_rays,
        [zm[i] for i in N] + zzm + new_zm,
        lin,
        piece.lsup,
        piece.pos,
        piece.neg | bit,
    )
    return [plus, minus]


def _start_cone(
    domain: Polyhedron | None, d: int, n_hidden: int
) -> tuple[_Piece, list[tuple[int, ...]], int]:
    """The homogenized cone of the domain, its constraint rows and the ``t >= 0`` bit."""
    if domain is None:
        tbit = 1 << n_hidden
        origin = tuple([0] * d + [1])
        zero = [0] * (d + 1)
        lin = tuple(tuple(zero[:i] + [1] + zero[i + 1 :]) for i in range(d))
        return _Piece([origin], [0], lin, tuple((i,) for i in range(d)), 0, 0), [], tbit
    rows = list(domain.inequalities)  # a.x <= b, full-dimensional so no equalities
    tbit = 1 << (n_hidden + len(rows))
    gens: list[tuple[int, ...]] = []
    for v in domain.vertices:
        gens.append(clear_denominators(list(v) + [1]))
    for r in domain.rays:
        gens.append(tuple(r) + (0,))
    zms = []
    for g in gens:
        z = 0 if g[-1] else tbit
        for i, r in enumerate(rows):
            if sum(a * x for a, x in zip(r[:d], g[:d])) == r[d] * g[d]:
                z |= 1 << (n_hidden + i)
        zms.append(z)
    lin = tuple(tuple(r) + (0,) for r in domain.lineality)
    lsup = tuple(tuple(i for i, x in enumerate(v) if x) for v in lin)
    return _Piece(gens, zms, lin, lsup, 0, 0), rows, tbit


# ------------------------------------------------------------------ limits and progress
class _Budget:
    """The limits of one compile (cells, seconds, memory) and its progress bar.

    ``count`` is the number of cells known to exist: every piece is a nonempty open
    region of the final complex, so ``1 + (number of splits)`` regions exist as soon
    as the splits are made, inside a layer too.  ``done`` is the fraction of the
    depth-first search finished (each piece carries its share of its parent's).
    """

    __slots__ = (
        "max_cells", "max_seconds", "max_memory", "t0", "deadline", "rss0", "next_mem",
        "count", "done", "layer", "n_layers", "neuron", "width", "bar", "what", "next_show",
        "caller", "cells_limit", "unit",
    )  # fmt: skip

    def __init__(
        self,
        max_cells: int | None,
        max_seconds: float | None,
        max_memory: int | None,
        progress: bool,
        n_layers: int,
        caller: str = "compile_network",
        cells_limit: str = "max_cells",
        unit: str = "cells",
    ):
        self.caller, self.cells_limit, self.unit = caller, cells_limit, unit
        self.max_cells = max_cells
        self.max_seconds = max_seconds
        self.max_memory = max_memory
        self.t0 = time.monotonic()
        self.deadline = None if max_seconds is None else self.t0 + max_seconds
        self.rss0 = _rss() if max_memory is not None else 0
        self.next_mem = self.t0
        self.count = 1
        self.done = 0.0
        self.layer = self.neuron = self.width = 0
        self.n_layers = n_layers
        self.what = "regions"
        self.bar = _progress_bar(progress)
        self.next_show = self.t0

    def where(self) -> str:
        if self.what == "regions":
            return f"in layer {self.layer} of {self.n_layers} (neuron {self.neuron} of {self.width})"
        return "while assembling the faces"

    def split(self) -> None:
        """One piece more (a split); raises when a limit is passed."""
        self.count += 1
        self.bar.update(1)
        if self.max_cells is not None and self.count > self.max_cells:
            self.fail(f"{self.cells_limit}={self.max_cells}", f"{self.count} {self.unit} exist already")
        self.tick()

    def tick(self) -> None:
        """Check time and memory (cheap; memory at most every 20 ms) and refresh the bar."""
        now = time.monotonic()
        if self.deadline is not None and now > self.deadline:
            self.fail(
                f"max_seconds={self.max_seconds}", f"{now - self.t0:.1f} s spent, {self.count} {self.unit} found"
            )
        if self.max_memory is not None and now >= self.next_mem:
            self.next_mem = now + 0.02
            grown = _rss() - self.rss0
            if grown > self.max_memory:
                self.fail(
                    f"max_memory={self.max_memory}",
                    f"memory grew by {grown} bytes, {self.count} {self.unit} found",
                )
        if now >= self.next_show and self.bar.enabled:
            self.next_show = now + 0.2
            if self.what == "regions":
                self.bar.set_postfix_str(
                    f"layer {self.layer}/{self.n_layers} neuron {self.neuron}/{self.width}, "
                    f"~{100 * self.done:.0f}% of the regions done",
                    refresh=False,
                )
            else:
                self.bar.set_postfix_str(f"faces: {100 * self.done:.0f}% of the regions", refresh=False)

    def check_cells(self, n: int) -> None:
        """The face stage: ``n`` cells exist."""
        self.count = max(self.count, n)
        if self.max_cells is not None and n > self.max_cells:
            self.fail(f"max_cells={self.max_cells}", f"{n} cells exist already")
        self.tick()

    def fail(self, limit: str, reached: str) -> None:
        self.bar.close()
        raise LimitExceededError(
            f"{self.caller}: limit {limit} exceeded: {reached} {self.where()}; "
            "raise the limit or use a smaller domain"
        )


def _rss() -> int:
    """The resident memory of this process in bytes (current on Linux, else the peak)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _progress_bar(enabled: bool) -> Any:
    if not enabled:
        return _NoBar()
    from tqdm import tqdm

    bar = tqdm(unit=" pieces", desc="compiling: regions made so far", leave=False)
    bar.enabled = True
    return bar


class _NoBar:
    enabled = False

    def update(self, n: int = 1) -> None:
        pass

    def set_postfix_str(self, s: str, refresh: bool = True) -> None:
        pass

    def close(self) -> None:
        pass


def _check_limits(max_cells: Any, max_seconds: Any, max_memory: Any) -> None:
    for name, value, kinds in (
        ("max_cells", max_cells, (int,)),
        ("max_seconds", max_seconds, (int, float)),
        ("max_memory", max_memory, (int,)),
    ):
        if value is not None and (isinstance(value, bool) or not isinstance(value, kinds) or not value > 0):
            raise InvalidInputError(f"{name}: expected a positive number or None, got {short_repr(value)}")


def compile_network(
    net: ReLUNetwork,
    *,
    domain: Any = None,
    max_cells: int | None = None,
    max_seconds: float | None = None,
    max_memory: int | None = None,
    progress: bool = False,
    workers: int | None = None,
    executor: Any = None,
    hreps: bool = False,
) -> PolyhedralComplex:
    """The canonical polyhedral complex of ``net`` over ``domain``, exactly.

    Parameters
    ----------
    net
        The network.
    domain
        ``None`` for all of ``R^d``; ``(lo, hi)`` for the box ``[lo, hi]^d``; a
        sequence of ``d`` pairs ``(lo_i, hi_i)``; or a full-dimensional
        :class:`~relu_geom.Polyhedron`.  Over a domain, the faces of the domain
        also bound cells: a cell is the set of domain points sharing one sign
        vector and lying in the relative interior of one face of the domain.
    max_cells
        Stop with :class:`~relu_geom.LimitExceededError` as soon as more than this
        many cells are known to exist.  Every piece made by a split inside a
        layer is a region of the final complex, so pieces are counted as they
        are made and the work stays within a small multiple of the limit.
    max_seconds
        Stop with :class:`~relu_geom.LimitExceededError` after this many seconds
        (wall clock, checked after every split).
    max_memory
        Stop with :class:`~relu_geom.LimitExceededError` when the resident memory
        of the process has grown by more than this many bytes since the start.
    progress
        Show a progress bar on stderr (off by default): the cells found so far,
        the layer and neuron being split and the share of the regions finished.
    workers
        Processes for the region and face stages: ``None`` (the default) for all cores,
        ``1`` for none.  A network whose estimated work is below
        :data:`PARALLEL_THRESHOLD` stays in this process (starting workers would cost more
        than they save), and so does a compile run by the top level of a script outside
        ``if __name__ == "__main__":`` (worker processes would run that script again).  The
        complex is the same for every number of workers, cell order included.
    executor
        A :class:`concurrent.futures.Executor` to run the tasks on instead (for
        example ``dask.distributed.Client(address).get_executor()``); overrides
        ``workers``.
    hreps
        Build the H-representation of every cell during the compile, in the tasks (so in
        parallel); otherwise each is built on first access of ``cell.polyhedron``.

    Returns
    -------
    PolyhedralComplex

    Examples
    --------
    Two lines through the origin cut the plane into 4 regions, 4 rays and a vertex:

    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[1, 1]]], [[0, 0], [0]])
    >>> cx = rg.compile_network(net)
    >>> cx.f_vector, cx.euler_characteristic
    ((1, 4, 4), 1)
    >>> rg.compile_network(net, domain=(-1, 1)).f_vector
    (9, 12, 4)
    """
    if not isinstance(net, ReLUNetwork):
        raise InvalidInputError(f"net: expected a ReLUNetwork, got {type(net).__name__}")
    _check_limits(max_cells, max_seconds, max_memory)
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise InvalidInputError(f"workers: expected a positive integer or None, got {short_repr(workers)}")
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise InvalidInputError(
            f"executor: expected a concurrent.futures.Executor (with submit) or None, got {short_repr(executor)}"
        )
    dom = parse_domain(domain, net.input_dim)
    pb = _Problem(net, dom)
    budget = _Budget(max_cells, max_seconds, max_memory, progress, len(pb.widths))
    gc_was_on = gc.isenabled()
    gc.disable()  # the compile makes no reference cycles; collections would only rescan its data
    try:
        n_workers = _available_cores() if workers is None else workers
        regions, parts = parallel_stages(pb, budget, n_workers, executor, bool(hreps))
        return _assemble(net, dom, pb, regions, parts, budget)
    finally:
        budget.bar.close()
        if gc_was_on:
            gc.enable()


# ------------------------------------------------------------------ the region stage
class _Problem:
    """The exact integer data of one compile (picklable, sent to workers)."""

    __slots__ = (
        "d", "H", "tbit", "dom_mask", "layers", "widths", "offs", "start", "dom_rows", "positions", "centre",
    )  # fmt: skip

    def __init__(self, net: ReLUNetwork, domain: Polyhedron | None):
        self.d = net.input_dim
        self.H = net.n_hidden
        self.start, self.dom_rows, self.tbit = _start_cone(domain, self.d, self.H)
        self.dom_mask = self.tbit - (1 << self.H)
        self.layers = net.integer_layers
        self.widths = net.hidden_widths
        self.offs = net.layer_offsets
        self.positions = tuple((layer - 1, i) for layer, i in net.neurons)
        # an interior point of the domain cone (the origin over R^d), for the owner rule
        self.centre = tuple(map(sum, zip(*self.start.rays))) if self.dom_rows else (0,) * self.d + (1,)

    def __getstate__(self) -> tuple[Any, ...]:
        return tuple(getattr(self, k) for k in self.__slots__)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        for k, v in zip(self.__slots__, state):
            setattr(self, k, v)


Entry = tuple[_Piece, tuple[tuple[tuple[int, ...], ...], ...], int, float]


def _expand(
    pb: _Problem,
    piece: _Piece,
    forms: Any,
    level: int,
    budget: _Budget,
    memo: list[Any] | None = None,
    neurons: range | None = None,
) -> tuple[list[_Piece], Any]:
    """Split ``piece`` (a region of the first ``level`` layers) by every neuron of the next layer
    (or by those in ``neurons`` only: a piece split by a first part of the layer is split by
    the rest later, and its regions are the same)."""
    d = pb.d
    prev = pb.offs[level - 1] if forms else 0
    w_int, b_int = pb.layers[level]
    rows = _layer_forms(w_int, b_int, forms, piece.pos, prev, d, memo)
    start_rays = piece.rays if not piece.lin else None  # the region this layer starts from
    pieces = [piece]
    budget.layer, budget.width = level + 1, len(rows)
    base = pb.tbit | pb.dom_mask
    for j in range(len(rows)) if neurons is None else neurons:
        h = rows[j]
        budget.neuron = j + 1
        bit = 1 << (pb.offs[level] + j)
        if not any(h):
            for pc in pieces:
                pc.zm = [z | bit for z in pc.zm]
            continue
        if start_rays is not None and len(pieces) > 1:
            # a neuron of one strict sign on the starting region cuts none of its pieces
            vals = [sum(map(mul, h, r)) for r in start_rays]
            if min(vals) > 0 or max(vals) < 0:
                side = "pos" if vals[0] > 0 else "neg"
                for pc in pieces:
                    setattr(pc, side, getattr(pc, side) | bit)
                continue
        done = base | (bit - 1)
        cache: dict[int, Any] = {}
        out: list[_Piece] = []
        for pc in pieces:
            res = _split(pc, h, bit, done, d + 1, cache)
            out.extend(res)
            if len(res) == 2:
                budget.split()
        pieces = out
        budget.tick()
    return pieces, forms + (rows,)


def _dfs(pb: _Problem, stack: list[Entry], budget: _Budget) -> Iterator[RegionData]:
    """The regions below the entries of ``stack``, depth first (last entry first)."""
    depth = len(pb.widths)
    w_out, b_out = pb.layers[-1]
    memos: list[list[Any]] = [[] for _ in range(depth + 1)]
    while stack:
        piece, forms, level, weight = stack.pop()
        if level == depth:
            prev = pb.offs[level - 1] if forms else 0
            out_rows = _layer_forms(w_out, b_out, forms, piece.pos, prev, pb.d, memos[level])
            budget.done += weight
            yield RegionData(
                tuple(piece.rays), tuple(piece.zm), tuple(piece.lin), piece.pos, piece.neg, forms, out_rows
            )
            continue
        pieces, new_forms = _expand(pb, piece, forms, level, budget, memos[level])
        share = weight / len(pieces)
        stack.extend((pc, new_forms, level + 1, share) for pc in reversed(pieces))


def iter_region_data(net: ReLUNetwork, domain: Polyhedron | None = None) -> Iterator[RegionData]:
    """The regions of ``net`` over ``domain``, depth first, as exact integer data.

    This is stage 1 of :func:`compile_network` on its own, lazily, so a caller
    that looks for one region with some property can stop early.  Each
    :class:`~relu_geom.compiler.complex.RegionData` holds the region's
    homogenized cone (primitive integer generators ``(X, t)``, ``t >= 0``, and a
    lineality basis), its sign bits, the integer forms of every hidden layer on
    it and the rows ``(A | c)`` of its output map scaled by
    ``net.integer_scales[-1]``.  ``domain`` is None or a full-dimensional
    :class:`Polyhedron` (see :func:`parse_domain`).

    Examples
    --------
    >>> import relu_geom as rg
    >>> regs = list(rg.compiler.iter_region_data(rg.zoo.abs_1d()))
    >>> sorted(r.out_rows for r in regs)  # f = -x on x < 0 and x on x > 0
    [((-1, 0),), ((1, 0),)]
    """
    pb = _Problem(net, domain)
    return _dfs(pb, [(pb.start, (), 0, 1.0)], _Budget(None, None, None, False, len(pb.widths)))


# ------------------------------------------------------------------ the face stage
FaceRecord = tuple[Key, int, int, int]  # (key, dim, raymask, zmask)


def _face_lattice(
    reg: RegionData, d: int, dom_mask: int
) -> tuple[list[FaceRecord], list[tuple[int, int]], dict[int, int], list[int]]:
    """The faces of one region (itself first, then by decreasing dimension), the
    face-to-coface edges ``(i, j)`` (face ``i`` of the list is a facet of face ``j``), the
    generator set of every constraint and the facets."""
    zm = reg.zm
    n = len(zm)
    full = (1 << n) - 1
    vmask = 0
    sets: dict[int, int] = {}
    get = sets.get
    for i, (r, z) in enumerate(zip(reg.rays, zm)):
        bit = 1 << i
        if r[-1]:
            vmask |= bit
        while z:
            low = z & -z
            sets[low] = get(low, 0) | bit
            z ^= low
    facets = maximal_sets(s for s in sets.values() if s != full)
    pos, neg = reg.pos, reg.neg
    ztop = _and_all(zm) if zm else 0
    top_key = (pos & ~ztop, neg & ~ztop, ztop & dom_mask)
    faces: list[FaceRecord] = [(top_key, d, full, ztop)]
    edges: list[tuple[int, int]] = []
    seen = {full: 0}
    seen_get = seen.get
    add_face, add_edge = faces.append, edges.append
    # the generator bit of every index, and the constraints vanishing on a single generator
    bits = [1 << i for i in range(n)]
    by_bit = dict(zip(bits, zm))
    bit_count = int.bit_count
    frontier = [(full, 0)]
    dim = d
    n_lin = len(reg.lin)
    while frontier and dim > 0:
        dim -= 1
        nxt = []
        simplicial = dim + 2 - n_lin
        least = simplicial - 1  # generators of a face of dimension dim, at least
        for F, fpos in frontier:
            if bit_count(F) == simplicial:
                # a simplicial cone: its facets drop one generator each
                low = F & -F
                if simplicial == 2:
                    subs = [F ^ low, low]
                else:
                    subs = [F ^ b for b in bits if F & b]
            else:
                # the inclusion-maximal proper intersections with the facets, in the order of
                # maximal_sets; a maximal one is a facet of F, with ``least`` generators at least
                subs = []
                for s in sorted({g for f in facets if (g := F & f) != F}, key=bit_count, reverse=True):
                    if bit_count(s) < least:
                        break
                    for k in subs:
                        if s & k == s:
                            break
                    else:
                        subs.append(s)
            for G in subs:
                if not G & vmask:
                    continue  # a face at infinity
                gpos = seen_get(G)
                if gpos is None:
                    if G & (G - 1):
                        zg = -1
                        m = G
                        while m:
                            low = m & -m
                            zg &= by_bit[low]
                            m ^= low
                    else:
                        zg = by_bit[G]
                    gpos = seen[G] = len(faces)
                    nxt.append((G, gpos))
                    add_face(((pos & ~zg, neg & ~zg, zg & dom_mask), dim, G, zg))
                add_edge((gpos, fpos))
        frontier = nxt
    return faces, edges, sets, facets


def _refused_facets(pb: _Problem, reg: RegionData, sets: dict[int, int], facets: list[int]) -> list[int]:
    """The facets of ``reg`` on the far side from the domain's centre: the faces of the region
    inside one of them belong to another region (the owner rule of
    :mod:`relu_geom.compiler.stream`, which owns each face by exactly one region)."""
    d, centre = pb.d, pb.centre
    refused = []
    for f in facets:
        c = next(b for b, s in sets.items() if s == f).bit_length() - 1
        phi = _facet_form(pb, reg, c)
        v = sum(a * x for a, x in zip(phi, centre))
        if v < 0 or (v == 0 and next(a for a in phi[:d] if a) < 0):
            refused.append(f)
    return refused


def _facet_form(pb: _Problem, reg: RegionData, c: int) -> tuple[int, ...]:
    """The homogenized form of constraint ``c``, nonnegative on the region."""
    if c < pb.H:
        layer, j = pb.positions[c]
        row = reg.forms[layer][j]
        return row if reg.pos >> c & 1 else tuple(-v for v in row)
    i = c - pb.H
    if i < len(pb.dom_rows):
        r = pb.dom_rows[i]  # a.x <= b  ->  b t - a.x >= 0
        return tuple(-v for v in r[: pb.d]) + (r[pb.d],)
    return (0,) * pb.d + (1,)  # t >= 0


class _Part(NamedTuple):
    """The cells of a run of consecutive regions (a task's chunk, or all regions), sorted by
    rank: ``records[i] = (dim, key, region, raymask, zmask)`` (region counted from the run's
    first), ``ranks[i]`` (the place in the documented order, one integer), ``hreps[i]`` when
    asked, and the facet pairs as two columns of cell numbers (``lo[k]`` is a facet of
    ``hi[k]``)."""

    ranks: list[int]
    records: list[tuple[int, Key, int, int, int]]
    hreps: list[Any] | None
    lo: array
    hi: array
    n_regions: int


class _Glue:
    """Cells glued by sign key over a run of consecutive regions, in the order found."""

    __slots__ = ("pb", "index", "records", "ranks", "edges", "hreps", "n_regions", "fmt", "half", "n_dom")

    def __init__(self, pb: _Problem, hreps: bool) -> None:
        self.pb = pb
        self.index: dict[Key, int] = {}
        self.records: list[tuple[int, Key, int, int, int]] = []
        self.ranks: list[int] = []
        self.edges: set[tuple[int, int]] = set()
        self.hreps: list[Any] | None = [] if hreps else None
        self.n_regions = 0
        self.fmt = f"0{pb.H}b" if pb.H else ""
        self.half = 3**pb.H
        self.n_dom = len(pb.dom_rows)

    def rank(self, key: Key, dim: int) -> int:
        """The cell's place in the documented order (dimension down, sign vector, domain
        face) as one integer: the sign vector read as base-3 digits ``1 + s_g``, neuron 0
        most significant, so integer order is the lexicographic order of sign vectors."""
        pos, neg, dom = key
        fmt = self.fmt
        signs = int(format(pos, fmt)[::-1], 3) - int(format(neg, fmt)[::-1], 3) if fmt else 0
        return ((self.pb.d - dim) * 2 * self.half + signs + self.half) << self.n_dom | dom >> self.pb.H

    def add_region(self, reg: RegionData) -> None:
        """The face lattice of the next region, glued to the cells found so far."""
        pb = self.pb
        faces, region_edges, sets, facets = _face_lattice(reg, pb.d, pb.dom_mask)
        rid = self.n_regions
        self.n_regions += 1
        index, records = self.index, self.records
        n_old = len(records)
        ids = []
        for key, dim, G, zg in faces:
            g = index.get(key)
            if g is None:
                g = index[key] = len(records)
                records.append((dim, key, rid, G, zg))
                self.ranks.append(self.rank(key, dim))
            ids.append(g)
        # a cell found before came with all its facets (the faces of a face of an earlier
        # region are faces of that region), so only the facets of new cells are new pairs
        self.edges.update([(ids[i], g) for i, j in region_edges if (g := ids[j]) >= n_old])
        if self.hreps is not None:
            # each face's H-representation is built once, by the region that owns it
            hreps = self.hreps
            hreps.extend([None] * (len(records) - len(hreps)))
            refused = _refused_facets(pb, reg, sets, facets)
            below: list[list[int]] = [[] for _ in faces]
            for i, j in region_edges:
                below[j].append(i)
            low = (1 << pb.H) - 1
            for i, (_, dim, G, zg) in enumerate(faces):
                if i and any(G & f == G for f in refused):
                    continue
                gens = None if dim > 1 or reg.lin else [reg.rays[r] for r in iter_bits(G)]
                tight = [low & ~(k[0] | k[1]) | k[2] for k in (faces[f][0] for f in below[i])]
                hreps[ids[i]] = face_hrep(pb.d, pb.H, pb.dom_rows, pb.positions, reg, zg, tight, gens)

    def part(self) -> _Part:
        """The cells sorted by rank, for :func:`_merge`."""
        ranks = self.ranks
        order = sorted(range(len(ranks)), key=ranks.__getitem__)
        new = [0] * len(order)
        for i, g in enumerate(order):
            new[g] = i
        lo, hi = zip(*self.edges) if self.edges else ((), ())
        return _Part(
            [ranks[g] for g in order],
            [self.records[g] for g in order],
            None if self.hreps is None else [self.hreps[g] for g in order],
            array("q", map(new.__getitem__, lo)),
            array("q", map(new.__getitem__, hi)),
            self.n_regions,
        )


def _merge(parts: list[_Part]) -> tuple[list[Any], list[Any] | None, _Edges]:
    """The cells of consecutive parts in the documented order, each once, with the record of
    the first part that has it (so its first region in depth-first order, as in one run) and
    the H-representation built by the part that owns it."""
    if len(parts) == 1:
        p = parts[0]
        return p.records, p.hreps, _Edges([(p.lo, p.hi, None)])
    offsets = [0]
    for p in parts:
        offsets.append(offsets[-1] + p.n_regions)
    maps = [array("q", bytes(8 * len(p.ranks))) for p in parts]
    found = sorted(
        zip(
            chain.from_iterable(p.ranks for p in parts),
            chain.from_iterable(zip(repeat(c), range(len(p.ranks))) for c, p in enumerate(parts)),
        )
    )
    records: list[Any] = []
    hreps: list[Any] | None = None if parts[0].hreps is None else []
    last = None
    for rank, (c, i) in found:
        p = parts[c]
        if rank != last:
            last = rank
            dim, key, rid, G, zg = p.records[i]
            records.append((dim, key, rid + offsets[c], G, zg))
            if hreps is not None:
                hreps.append(p.hreps[i])  # type: ignore[index]
        elif hreps is not None and hreps[-1] is None:
            hreps[-1] = p.hreps[i]  # type: ignore[index]
        maps[c][i] = len(records) - 1
    return records, hreps, _Edges([(p.lo, p.hi, m) for p, m in zip(parts, maps)])


class _Edges:
    """The facet pairs of merged parts in final cell numbers, distinct, made when first read."""

    __slots__ = ("columns",)

    def __init__(self, columns: list[tuple[array, array, array | None]]) -> None:
        self.columns = columns

    def __iter__(self) -> Iterator[tuple[int, int]]:
        if len(self.columns) == 1 and self.columns[0][2] is None:
            lo, hi, _ = self.columns[0]
            return zip(lo, hi)
        pairs: set[tuple[int, int]] = set()
        for lo, hi, m in self.columns:
            pairs.update(zip(map(m.__getitem__, lo), map(m.__getitem__, hi)))  # type: ignore[index]
        return iter(pairs)


def _assemble(
    net: ReLUNetwork,
    dom: Polyhedron | None,
    pb: _Problem,
    regions: list[RegionData],
    parts: list[_Part],
    budget: _Budget,
) -> PolyhedralComplex:
    """The complex from the regions and their cells in parts."""
    records, hreps, edges = _merge(parts)
    budget.check_cells(len(records))
    return PolyhedralComplex._from_compiler(
        net, dom, pb.dom_rows, regions, records, edges, net.integer_scales[-1], hreps
    )


def _glue_all(pb: _Problem, regions: list[RegionData], budget: _Budget, hreps: bool) -> _Part:
    """Stage 2 in this process: the face lattices of the regions (in order), glued."""
    budget.what = "faces"
    glue = _Glue(pb, hreps)
    n = max(len(regions), 1)
    for rid, reg in enumerate(regions):
        glue.add_region(reg)
        budget.done = (rid + 1) / n
        budget.check_cells(len(glue.records))
    budget.bar.close()
    return glue.part()


def _and_all(values: Sequence[int]) -> int:
    acc = -1
    for v in values:
        acc &= v
    return acc


def _and_bits(values: Sequence[int], mask: int) -> int:
    acc = -1
    while mask:
        low = mask & -mask
        acc &= values[low.bit_length() - 1]
        mask ^= low
    return acc


# ------------------------------------------------------------------ tasks (parallel)
#: Below this estimate of the work (first-layer pieces x (later neurons + 1) x 4^d) a compile
#: stays in the calling process.  Measured on this machine (benchmarks/bench_compile_parallel.py
#: and the calibration in docs/compiler.md): one serial CPU second is an estimate of 170k to
#: 560k for d = 2..5, and workers cost about 0.05 s to start from a running fork server (about
#: 1 s for the first pool of a process, which starts the server); 400k is 1-2 s of serial work.
PARALLEL_THRESHOLD = 400_000

#: Chunks per worker: more chunks even out the load, fewer send less data.
CHUNKS_PER_WORKER = 4


def _task(
    pb: _Problem, pieces: list[_Piece], forms: Any, limits: tuple[Any, ...], count: int, hreps: bool = False
) -> tuple[list[RegionData], _Part]:
    """One chunk: the regions below ``pieces`` (depth first), their faces glued."""
    max_cells, max_seconds, max_memory = limits
    budget = _Budget(max_cells, max_seconds, max_memory, False, len(pb.widths))
    budget.count = count
    regions = []
    glue = _Glue(pb, hreps)
    gc.disable()
    for reg in _dfs(pb, [(pc, forms, 1, 0.0) for pc in reversed(pieces)], budget):
        regions.append(reg)
        glue.add_region(reg)
    return regions, glue.part()


def _work_estimate(pb: _Problem, n_first: int) -> int:
    """The work below the first layer, in the units of :data:`PARALLEL_THRESHOLD`."""
    return n_first * (pb.H - pb.widths[0] + 1) * 4**pb.d


def parallel_stages(
    pb: _Problem, budget: _Budget, workers: int, executor: Executor | None, hreps: bool
) -> tuple[list[RegionData], list[_Part]]:
    """The regions in depth-first order and their cells, in parts (one per task), in
    worker processes when the work is large enough to pay, else here."""
    stack: list[Entry] = [(pb.start, (), 0, 1.0)]
    if pb.widths and (executor is not None or workers > 1):
        first, forms = _expand(pb, pb.start, (), 0, budget)
        stack = [(pc, forms, 1, 1.0 / len(first)) for pc in reversed(first)]
        if executor is not None or (
            _work_estimate(pb, len(first)) >= PARALLEL_THRESHOLD and not _main_would_rerun()
        ):
            try:
                return _run_tasks(pb, budget, first, forms, workers, executor, hreps)
            except BrokenProcessPool as exc:
                if executor is not None:
                    raise
                warnings.warn(
                    f"compile_network: the worker processes stopped ({exc}); compiling in this process",
                    RuntimeWarning,
                    stacklevel=3,
                )
    regions = list(_dfs(pb, stack, budget))
    return regions, [_glue_all(pb, regions, budget, hreps)]


def _run_tasks(
    pb: _Problem,
    budget: _Budget,
    first: list[_Piece],
    forms: Any,
    workers: int,
    executor: Executor | None,
    hreps: bool,
) -> tuple[list[RegionData], list[_Part]]:
    """The chunks of ``first`` as tasks on ``executor`` (or a pool of our own, always closed)."""
    n_chunks = min(len(first), CHUNKS_PER_WORKER * workers)
    bounds = [len(first) * i // n_chunks for i in range(n_chunks + 1)]
    left = None if budget.deadline is None else max(budget.deadline - time.monotonic(), 0.001)
    limits = (budget.max_cells, left, budget.max_memory)
    pool = _process_pool(workers) if executor is None else None
    finished = False
    try:
        run = executor or pool
        assert run is not None
        futures = [
            run.submit(_task, pb, first[a:b], forms, limits, len(first), hreps)
            for a, b in zip(bounds, bounds[1:])
        ]
        regions: list[RegionData] = []
        parts: list[_Part] = []
        cells = 0
        for b, fut in zip(bounds[1:], futures):
            part_regions, part = _wait(fut, budget)
            regions.extend(part_regions)
            parts.append(part)
            cells += len(part.records)
            budget.bar.update(len(part_regions))
            budget.done = b / len(first)
            budget.check_cells(max(len(p.records) for p in parts))
        finished = True
        return regions, parts
    finally:
        if pool is not None:
            _close(pool, finished)


def _wait(fut: Future[Any], budget: _Budget) -> Any:
    """The result of ``fut``, checking the time limit (and refreshing the bar) meanwhile."""
    while True:
        try:
            return fut.result(timeout=0.5)
        except FutureTimeout:
            budget.tick()


def _process_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes started from a fork server (never by forking a parent that may run
    threads), with the compiler imported before they fork."""
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload([__name__])
    return ProcessPoolExecutor(workers, mp_context=context)


def _close(pool: ProcessPoolExecutor, finished: bool) -> None:
    """Shut ``pool`` down; after a failure (a limit, an interrupt) its workers are stopped
    first, so nothing waits for tasks whose results are no longer wanted."""
    if not finished:
        for proc in list((getattr(pool, "_processes", None) or {}).values()):
            proc.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def _available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - platforms without affinity
        return os.cpu_count() or 1


def _main_would_rerun() -> bool:
    """Whether worker processes would run the code running now again: true while the top
    level of the main script runs outside ``if __name__ == "__main__":`` (a fork server or
    spawn start imports the main script in every worker)."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    spec = getattr(main, "__spec__", None)
    if main is None or path is None or (spec is not None and spec.name.endswith("__main__")):
        return False  # interactive, -c, or a package's __main__ (never imported by workers)
    frame: FrameType | None = sys._getframe()
    while frame is not None and not (frame.f_code.co_name == "<module>" and frame.f_globals is vars(main)):
        frame = frame.f_back
    if frame is None:
        return False  # the main script's top level has finished
    try:
        with open(path, encoding="utf-8") as fh:
            tree = ast.parse(fh.read())
    except (OSError, SyntaxError, ValueError):
        return True
    line = frame.f_lineno
    return not any(
        isinstance(node, ast.If)
        and _is_main_test(node.test)
        and node.lineno <= line <= (node.end_lineno or 0)
        for node in tree.body
    )


def _is_main_test(test: ast.expr) -> bool:
    """``__name__ == "__main__"`` (either way round)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = {ast.dump(test.left), ast.dump(test.comparators[0])}
    return sides == {ast.dump(ast.Name("__name__", ast.Load())), ast.dump(ast.Constant("__main__"))}
