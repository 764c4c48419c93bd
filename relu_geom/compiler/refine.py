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

from collections.abc import Iterator, Sequence
from operator import mul
from typing import Any

from relu_geom.arith.rational import clear_denominators, primitive, to_rational
from relu_geom.compiler.complex import PolyhedralComplex, RegionData
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
    """A region under construction: a homogenized cone with constraint bitsets."""

    __slots__ = ("rays", "zm", "lin", "pos", "neg")

    def __init__(
        self, rays: list[tuple[int, ...]], zm: list[int], lin: list[tuple[int, ...]], pos: int, neg: int
    ):
        self.rays = rays
        self.zm = zm
        self.lin = lin
        self.pos = pos
        self.neg = neg


def _split(piece: _Piece, h: tuple[int, ...], bit: int, done_mask: int, cone_dim: int) -> list[_Piece]:
    """Split a cone by the linear form ``h`` (constraint ``bit``); returns the pieces.

    ``done_mask`` holds the constraints already imposed (they vanish on the
    lineality space); ``cone_dim`` is ``d + 1``.
    """
    lin = piece.lin
    if lin:
        hl = [sum(map(mul, h, v)) for v in lin]
        k = next((i for i, v in enumerate(hl) if v), None)
        if k is not None:
            ell, hk = lin[k], hl[k]
            s, a = (1, hk) if hk > 0 else (-1, -hk)
            new_rays = []
            for r in piece.rays:
                hr = sum(map(mul, h, r))
                new_rays.append(primitive([a * x - s * hr * y for x, y in zip(r, ell)]) if hr else r)
            new_lin = [
                primitive([a * x - s * hv * y for x, y in zip(v, ell)]) if hv else v
                for i, (v, hv) in enumerate(zip(lin, hl))
                if i != k
            ]
            zm = [z | bit for z in piece.zm]
            up = tuple(s * y for y in ell)
            down = tuple(-s * y for y in ell)
            zl = done_mask & ~bit
            return [
                _Piece(new_rays + [up], zm + [zl], new_lin, piece.pos | bit, piece.neg),
                _Piece(list(new_rays) + [down], zm + [zl], list(new_lin), piece.pos, piece.neg | bit),
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
    new_rays: list[tuple[int, ...]] = []
    new_zm: list[int] = []
    n_rays = len(rays)
    for p in P:
        zp, rp, vp = zm[p], rays[p], vals[p]
        for n in N:
            common = zp & zm[n]
            if common.bit_count() < need:
                continue
            for k in range(n_rays):
                if k != p and k != n and zm[k] & common == common:
                    break
            else:
                vn = vals[n]
                new_rays.append(primitive([vp * x - vn * y for x, y in zip(rays[n], rp)]))
                new_zm.append(common | bit)
    zrays = [rays[i] for i in Z]
    zzm = [zm[i] | bit for i in Z]
    plus = _Piece(
        [rays[i] for i in P] + zrays + new_rays,
        [zm[i] for i in P] + zzm + new_zm,
        lin,
        piece.pos | bit,
        piece.neg,
    )
    minus = _Piece(
        [rays[i] for i in N] + zrays + new_rays,
        [zm[i] for i in N] + zzm + new_zm,
        list(lin),
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
        lin = [tuple(int(i == j) for j in range(d + 1)) for i in range(d)]
        return _Piece([origin], [0], lin, 0, 0), [], tbit
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
    lin = [tuple(r) + (0,) for r in domain.lineality]
    return _Piece(gens, zms, lin, 0, 0), rows, tbit


def compile_network(
    net: ReLUNetwork,
    *,
    domain: Any = None,
    max_cells: int | None = None,
    progress: bool = False,
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
        Stop with :class:`~relu_geom.LimitExceededError` when the complex would
        have more cells than this (regions are checked after every layer).
    progress
        Show a progress bar on stderr (off by default).

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
    if max_cells is not None and (not isinstance(max_cells, int) or max_cells < 1):
        raise InvalidInputError(f"max_cells: expected a positive integer or None, got {max_cells!r}")
    d = net.input_dim
    dom = parse_domain(domain, d)
    H = net.n_hidden
    dom_rows = list(dom.inequalities) if dom is not None else []
    tbit = 1 << (H + len(dom_rows))
    bar = _progress_bar(progress, "regions")
    regions: list[RegionData] = []
    for reg in iter_region_data(net, dom):
        regions.append(reg)
        bar.update(1)
        if max_cells is not None and len(regions) > max_cells:
            bar.close()
            raise LimitExceededError(
                f"compile_network: the complex has more than max_cells={max_cells} cells "
                f"(more than {max_cells} regions already); raise max_cells or use a smaller domain"
            )
    bar.close()
    out_scale = net.integer_scales[-1]
    return _assemble(net, dom, dom_rows, regions, tbit, out_scale, max_cells, progress)


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
    d = net.input_dim
    H = net.n_hidden
    start, _, tbit = _start_cone(domain, d, H)
    dom_mask = tbit - (1 << H)
    layers = net.integer_layers
    widths = net.hidden_widths
    offs = net.layer_offsets
    w_out, b_out = layers[-1]
    stack: list[tuple[_Piece, tuple[tuple[tuple[int, ...], ...], ...], int]] = [(start, (), 0)]
    while stack:
        piece, forms, level = stack.pop()
        prev = offs[level - 1] if forms else 0
        if level == len(widths):
            out_rows = _layer_forms(w_out, b_out, forms, piece.pos, prev, d)
            yield RegionData(
                tuple(piece.rays), tuple(piece.zm), tuple(piece.lin), piece.pos, piece.neg, forms, out_rows
            )
            continue
        w_int, b_int = layers[level]
        rows = _layer_forms(w_int, b_int, forms, piece.pos, prev, d)
        pieces = [piece]
        for j, h in enumerate(rows):
            bit = 1 << (offs[level] + j)
            if not any(h):
                for pc in pieces:
                    pc.zm = [z | bit for z in pc.zm]
                continue
            done = tbit | dom_mask | (bit - 1)
            out: list[_Piece] = []
            for pc in pieces:
                out.extend(_split(pc, h, bit, done, d + 1))
            pieces = out
        new_forms = forms + (rows,)
        stack.extend((pc, new_forms, level + 1) for pc in reversed(pieces))


def _layer_forms(
    w_int: Sequence[Sequence[int]],
    b_int: Sequence[int],
    forms: tuple[tuple[tuple[int, ...], ...], ...],
    pos: int,
    prev_offset: int,
    d: int,
) -> tuple[tuple[int, ...], ...]:
    """Homogenized integer forms ``W' D H_prev + b' e_t`` of the next layer on a region."""
    if not forms:
        return tuple(tuple(row) + (b,) for row, b in zip(w_int, b_int))
    prev = forms[-1]
    active = [i for i in range(len(prev)) if pos >> (prev_offset + i) & 1]
    cols = list(zip(*(prev[i] for i in active)))  # coordinate k of every active form
    out = []
    for row, b in zip(w_int, b_int):
        coeffs = [row[i] for i in active]
        acc = [sum(map(mul, coeffs, col)) for col in cols] if active else [0] * (d + 1)
        acc[d] += b
        out.append(tuple(acc))
    return tuple(out)


def _progress_bar(enabled: bool, unit: str) -> Any:
    if not enabled:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(unit=unit, desc="compiling", leave=False)


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def _assemble(
    net: ReLUNetwork,
    dom: Polyhedron | None,
    dom_rows: list[tuple[int, ...]],
    regions: list[RegionData],
    tbit: int,
    out_scale: int,
    max_cells: int | None,
    progress: bool,
) -> PolyhedralComplex:
    """Stage 2: face lattices of the regions, glued by sign vector."""
    H = net.n_hidden
    d = net.input_dim
    dom_mask = tbit - (1 << H)
    # key -> [dim, region, raymask, zmask]
    cells: dict[tuple[int, int, int], list[int]] = {}
    edges: set[tuple[tuple[int, int, int], tuple[int, int, int]]] = set()
    bar = _progress_bar(progress, "regions")
    for rid, reg in enumerate(regions):
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
        if top_key not in cells:
            cells[top_key] = [d, rid, full, ztop]
        seen = {full: top_key}
        frontier = [full]
        dim = d
        n_lin = len(reg.lin)
        while frontier and dim > 0:
            dim -= 1
            nxt = []
            for F in frontier:
                fkey = seen[F]
                if F.bit_count() == dim + 2 - n_lin:
                    # a simplicial cone: its facets drop one generator each
                    subs = [F & ~(1 << i) for i in iter_bits(F)]
                else:
                    subs = maximal_sets(F & f for f in facets if F & f != F)
                for G in subs:
                    if not G & vmask:
                        continue  # a face at infinity
                    gkey = seen.get(G)
                    if gkey is None:
                        zg = _and_bits(zm, G)
                        gkey = (pos & ~zg, neg & ~zg, zg & dom_mask)
                        seen[G] = gkey
                        nxt.append(G)
                        if gkey not in cells:
                            cells[gkey] = [dim, rid, G, zg]
                    edges.add((gkey, fkey))
            frontier = nxt
        if max_cells is not None and len(cells) > max_cells:
            bar.close()
            raise LimitExceededError(
                f"compile_network: the complex has more than max_cells={max_cells} cells; "
                "raise max_cells or use a smaller domain"
            )
        bar.update(1)
    bar.close()
    return PolyhedralComplex._from_compiler(net, dom, dom_rows, regions, cells, edges, out_scale)


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
