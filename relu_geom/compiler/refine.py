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

import gc
import math
import multiprocessing
import os
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from itertools import compress
from operator import mul
from typing import Any

from relu_geom._util import short_repr
from relu_geom.arith.rational import clear_denominators, primitive, to_rational
from relu_geom.compiler.complex import Key, PolyhedralComplex, RegionData
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
    checked = []
    for i, pair in enumerate(pairs):
        if not _is_sequence(pair) or len(pair) != 2:
            raise InvalidInputError(f"domain[{i}]: expected a pair (lo, hi), got {type(pair).__name__}")
        lo, hi = (to_rational(v, what=f"domain[{i}]") for v in pair)
        if not lo < hi:
            raise InvalidInputError(f"domain[{i}]: expected lo < hi, got lo={_short(lo)}, hi={_short(hi)}")
        checked.append((lo, hi))
    return Polyhedron.box(checked)


def _is_sequence(obj: Any) -> bool:
    return isinstance(obj, (list, tuple)) or (hasattr(obj, "tolist") and getattr(obj, "ndim", 0) > 0)


def _short(value: Any, limit: int = 40) -> str:
    text = str(value)
    return text if len(text) <= limit else f"a number of {len(text)} characters"


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
    )  # fmt: skip

    def __init__(
        self,
        max_cells: int | None,
        max_seconds: float | None,
        max_memory: int | None,
        progress: bool,
        n_layers: int,
    ):
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
            self.fail(f"max_cells={self.max_cells}", f"{self.count} cells exist already")
        self.tick()

    def tick(self) -> None:
        """Check time and memory (cheap; memory at most every 20 ms) and refresh the bar."""
        now = time.monotonic()
        if self.deadline is not None and now > self.deadline:
            self.fail(
                f"max_seconds={self.max_seconds}", f"{now - self.t0:.1f} s spent, {self.count} cells found"
            )
        if self.max_memory is not None and now >= self.next_mem:
            self.next_mem = now + 0.02
            grown = _rss() - self.rss0
            if grown > self.max_memory:
                self.fail(
                    f"max_memory={self.max_memory}", f"memory grew by {grown} bytes, {self.count} cells found"
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
            f"compile_network: limit {limit} exceeded: {reached} {self.where()}; "
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
        Processes for the region and face stages: ``None`` or ``1`` runs serially (the
        default), ``N`` uses ``N`` processes.  Networks too small to gain stay serial.  The complex is the
        same for every number of workers, cell order included.
    executor
        A :class:`concurrent.futures.Executor` to run the tasks on instead (for
        example ``dask.distributed.Client(address).get_executor()``); overrides
        ``workers``.

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
    dom = parse_domain(domain, net.input_dim)
    pb = _Problem(net, dom)
    budget = _Budget(max_cells, max_seconds, max_memory, progress, len(pb.widths))
    gc_was_on = gc.isenabled()
    gc.disable()  # the compile makes no reference cycles; collections would only rescan its data
    try:
        n_workers = 1 if workers is None else workers
        if executor is not None or n_workers > 1:
            regions, glue = parallel_stages(pb, budget, n_workers, executor)
        else:
            regions, glue = list(_dfs(pb, [(pb.start, (), 0, 1.0)], budget)), _Glue(pb.H)
        return _assemble(net, dom, pb.dom_rows, regions, glue, net.integer_scales[-1], budget)
    finally:
        budget.bar.close()
        if gc_was_on:
            gc.enable()


# ------------------------------------------------------------------ the region stage
class _Problem:
    """The exact integer data of one compile (picklable, sent to workers)."""

    __slots__ = ("d", "H", "tbit", "dom_mask", "layers", "widths", "offs", "start", "dom_rows")

    def __init__(self, net: ReLUNetwork, domain: Polyhedron | None):
        self.d = net.input_dim
        self.H = net.n_hidden
        self.start, self.dom_rows, self.tbit = _start_cone(domain, self.d, self.H)
        self.dom_mask = self.tbit - (1 << self.H)
        self.layers = net.integer_layers
        self.widths = net.hidden_widths
        self.offs = net.layer_offsets

    def __getstate__(self) -> tuple[Any, ...]:
        return tuple(getattr(self, k) for k in self.__slots__)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        for k, v in zip(self.__slots__, state):
            setattr(self, k, v)


Entry = tuple[_Piece, tuple[tuple[tuple[int, ...], ...], ...], int, float]


def _expand(
    pb: _Problem, piece: _Piece, forms: Any, level: int, budget: _Budget, memo: list[Any] | None = None
) -> tuple[list[_Piece], Any]:
    """Split ``piece`` (a region of the first ``level`` layers) by every neuron of the next layer."""
    d = pb.d
    prev = pb.offs[level - 1] if forms else 0
    w_int, b_int = pb.layers[level]
    rows = _layer_forms(w_int, b_int, forms, piece.pos, prev, d, memo)
    start_rays = piece.rays if not piece.lin else None  # the region this layer starts from
    pieces = [piece]
    budget.layer, budget.width = level + 1, len(rows)
    base = pb.tbit | pb.dom_mask
    for j, h in enumerate(rows):
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
    for i, (r, z) in enumerate(zip(reg.rays, zm)):
        bit = 1 << i
        if r[-1]:
            vmask |= bit
        while z:
            low = z & -z
            sets[low] = sets.get(low, 0) | bit
            z ^= low
    facets = maximal_sets(s for s in sets.values() if s != full)
    pos, neg = reg.pos, reg.neg
    ztop = _and_all(zm) if zm else 0
    top_key = (pos & ~ztop, neg & ~ztop, ztop & dom_mask)
    faces: list[FaceRecord] = [(top_key, d, full, ztop)]
    edges: list[tuple[int, int]] = []
    seen = {full: 0}
    frontier = [full]
    dim = d
    n_lin = len(reg.lin)
    while frontier and dim > 0:
        dim -= 1
        nxt = []
        for F in frontier:
            fpos = seen[F]
            if F.bit_count() == dim + 2 - n_lin:
                # a simplicial cone: its facets drop one generator each
                subs = [F & ~(1 << i) for i in iter_bits(F)]
            else:
                subs = maximal_sets(F & f for f in facets if F & f != F)
            for G in subs:
                if not G & vmask:
                    continue  # a face at infinity
                gpos = seen.get(G)
                if gpos is None:
                    zg = _and_bits(zm, G)
                    gpos = seen[G] = len(faces)
                    nxt.append(G)
                    faces.append(((pos & ~zg, neg & ~zg, zg & dom_mask), dim, G, zg))
                edges.append((gpos, fpos))
        frontier = nxt
    return faces, edges, sets, facets


class _Glue:
    """Cells glued by sign key, in the order found: ``keys[g]``, ``records[g] = (dim, first
    region, raymask, zmask)``, ``ranks[g]`` (the cell's place in the documented order:
    dimension down, sign vector, domain face) and edges ``(lo, hi)`` (cell ``lo`` is a
    facet of cell ``hi``)."""

    __slots__ = ("index", "keys", "records", "ranks", "edges", "n_regions", "fmt", "lo", "hi")

    def __init__(self, n_hidden: int) -> None:
        self.index: dict[Key, int] = {}
        self.keys: list[Key] = []
        self.records: list[tuple[int, int, int, int]] = []
        self.ranks: list[tuple[int, int, int]] = []
        self.edges: set[tuple[int, int]] | None = set()
        self.n_regions = 0
        self.fmt = f"0{n_hidden}b" if n_hidden else ""

    def rank(self, key: Key, dim: int) -> tuple[int, int, int]:
        # the sign vector read as base-3 digits 1 + s_g, neuron 0 most significant:
        # integer order = lexicographic order of sign vectors
        pos, neg, dom = key
        fmt = self.fmt
        signs = int(format(pos, fmt)[::-1], 3) - int(format(neg, fmt)[::-1], 3) if fmt else 0
        return (-dim, signs, dom)

    def add_region(self, faces: list[FaceRecord], region_edges: list[tuple[int, int]]) -> None:
        """The face lattice of the next region (see :func:`_face_lattice`)."""
        rid = self.n_regions
        self.n_regions += 1
        index, keys, records = self.index, self.keys, self.records
        ids = []
        for key, dim, G, zg in faces:
            g = index.get(key)
            if g is None:
                g = index[key] = len(keys)
                keys.append(key)
                records.append((dim, rid, G, zg))
                self.ranks.append(self.rank(key, dim))
            ids.append(g)
        self.edges.update([(ids[i], ids[j]) for i, j in region_edges])

    def add_glue(self, other: _Glue) -> None:
        """The cells of the regions glued in ``other``, as if added here one by one."""
        offset = self.n_regions
        self.n_regions += other.n_regions
        index = self.index
        fresh = [key not in index for key in other.keys]
        new_keys = list(compress(other.keys, fresh))
        start = len(self.keys)
        index.update(zip(new_keys, range(start, start + len(new_keys))))
        self.keys.extend(new_keys)
        self.records.extend(
            [(dim, rid + offset, G, zg) for dim, rid, G, zg in compress(other.records, fresh)]
        )
        self.ranks.extend(compress(other.ranks, fresh))
        ids = list(map(index.__getitem__, other.keys))
        lo, hi = other.columns()
        self.edges.update(zip(map(ids.__getitem__, lo), map(ids.__getitem__, hi)))

    def columns(self) -> tuple[Sequence[int], Sequence[int]]:
        """The edges as two columns (lower cells, upper cells)."""
        if self.edges is None:
            return self.lo, self.hi
        lo, hi = zip(*self.edges) if self.edges else ((), ())
        return lo, hi

    def __getstate__(self) -> tuple[Any, ...]:
        return (self.keys, self.records, self.ranks, *self.columns(), self.n_regions, self.fmt)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        # a glue read back holds its edges as two columns ``lo``, ``hi``: it is only merged
        self.keys, self.records, self.ranks, self.lo, self.hi, self.n_regions, self.fmt = state
        self.index = {}
        self.edges = None


def _assemble(
    net: ReLUNetwork,
    dom: Polyhedron | None,
    dom_rows: list[tuple[int, ...]],
    regions: list[RegionData],
    glue: _Glue,
    out_scale: int,
    budget: _Budget,
) -> PolyhedralComplex:
    """Stage 2: the face lattices of the regions not glued yet (in region order), glued by
    sign vector, and the complex."""
    budget.what = "faces"
    n = max(len(regions), 1)
    dom_mask = ((1 << len(dom_rows)) - 1) << net.n_hidden
    for rid in range(glue.n_regions, len(regions)):
        glue.add_region(*_face_lattice(regions[rid], net.input_dim, dom_mask)[:2])
        budget.done = (rid + 1) / n
        budget.check_cells(len(glue.keys))
    budget.check_cells(len(glue.keys))
    budget.bar.close()
    return PolyhedralComplex._from_compiler(
        net, dom, dom_rows, regions, glue.keys, glue.records, glue.ranks, glue.edges, out_scale
    )


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
#: Below this estimate of the work (first-layer pieces x later neurons x d^2) a compile
#: stays serial: starting processes (about 0.1 s) would cost more than they save.
PARALLEL_THRESHOLD = 30_000

#: Chunks per worker: more chunks even out the load, fewer send less data.
CHUNKS_PER_WORKER = 4


def _task(
    pb: _Problem, pieces: list[_Piece], forms: Any, limits: tuple[Any, ...], count: int
) -> tuple[list[RegionData], _Glue]:
    """One chunk: the regions below ``pieces`` (depth first), their faces glued."""
    max_cells, max_seconds, max_memory = limits
    budget = _Budget(max_cells, max_seconds, max_memory, False, len(pb.widths))
    budget.count = count
    regions = []
    glue = _Glue(pb.H)
    gc.disable()
    for reg in _dfs(pb, [(pc, forms, 1, 0.0) for pc in reversed(pieces)], budget):
        regions.append(reg)
        glue.add_region(*_face_lattice(reg, pb.d, pb.dom_mask)[:2])
    return regions, glue


def parallel_stages(
    pb: _Problem, budget: _Budget, workers: int, executor: Executor | None
) -> tuple[list[RegionData], _Glue]:
    """The regions in serial order and the cells of those whose faces were glued by tasks."""
    if not pb.widths:
        return list(_dfs(pb, [(pb.start, (), 0, 1.0)], budget)), _Glue(pb.H)
    first, forms = _expand(pb, pb.start, (), 0, budget)
    later = pb.H - pb.widths[0]
    if executor is None and (workers < 2 or len(first) * (later + 1) * pb.d**2 < PARALLEL_THRESHOLD):
        return list(_dfs(pb, [(pc, forms, 1, 1.0 / len(first)) for pc in reversed(first)], budget)), _Glue(
            pb.H
        )
    n_chunks = min(len(first), CHUNKS_PER_WORKER * workers)
    bounds = [len(first) * i // n_chunks for i in range(n_chunks + 1)]
    left = None if budget.deadline is None else max(budget.deadline - time.monotonic(), 0.001)
    limits = (budget.max_cells, left, budget.max_memory)
    own = executor is None
    if own:
        try:
            context = multiprocessing.get_context("forkserver")  # never fork a parent that runs threads
        except ValueError:  # pragma: no cover - platforms without forkserver
            context = None
        executor = ProcessPoolExecutor(workers, mp_context=context)
    try:
        futures = [
            executor.submit(_task, pb, first[a:b], forms, limits, len(first))
            for a, b in zip(bounds, bounds[1:])
        ]
        regions: list[RegionData] = []
        glue = _Glue(pb.H)
        for b, fut in zip(bounds[1:], futures):
            part, part_glue = fut.result()
            regions.extend(part)
            glue.add_glue(part_glue)
            budget.bar.update(len(part))
            budget.done = b / len(first)
            budget.check_cells(len(glue.keys))
    finally:
        if own:
            executor.shutdown(wait=True, cancel_futures=True)
    return regions, glue
