"""Exact functional dimension: from a finite sample, and over every region of a network.

Functional dimension
--------------------
The functional dimension at ``theta`` is the supremum over finite sets ``X`` of
smooth points of ``rank J_X(theta)``, where ``J_X`` stacks the Jacobians at the
points of ``X``.  On a region with activation pattern ``s`` the Jacobian rows
are affine in ``x``: with the pattern frozen, every entry is a product of a
backpropagated factor (constant on the region) and an activation (affine in
``x``).  So the rows over a region span the same space as ``J(x0)`` and the
``d`` coefficient rows ``R_t = dJ/dx_t`` (the directional differences
``J(x0 + e_t) - J(x0)`` with the pattern frozen), and the functional dimension
is the rank of all these rows over all regions.  It is at most
``D - rank(S)``, where ``S`` spans the rescaling directions of the hidden
neurons (``D - H`` when no neuron is degenerate), because
``f`` is constant along rescaling orbits.  Paper 000 proves that ``D - H`` is
attained for some parameters when the input and all hidden widths are >= 2.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from relu_geom._util import short_repr
from relu_geom.analyses.identifiability.jacobian import (
    Neuron,
    Point,
    integer_layers,
    integer_point,
    jacobian_rows,
    max_functional_dimension,
    parameter_labels,
    parameter_offsets,
    point_rows,
    read_sample,
    scaling_rank,
    scaling_vectors,
    split_pattern,
)
from relu_geom.arith.linalg import integer_kernel, integer_rank
from relu_geom.arith.modular import ModularRowSpace, independent_rows_mod_p, matmul_mod, prime, word_primes
from relu_geom.arith.rational import as_point
from relu_geom.compiler.entry import as_complex, as_network
from relu_geom.compiler.refine import _check_limits
from relu_geom.compiler.stream import region_samples
from relu_geom.errors import DimensionMismatchError, InvalidInputError, LimitExceededError
from relu_geom.network import ReLUNetwork

if TYPE_CHECKING:
    from relu_geom.compiler.complex import PolyhedralComplex

__all__ = [
    "DEFAULT_MAX_REGIONS",
    "BatchFunctionalDimension",
    "FunctionalDimension",
    "batch_functional_dimension",
    "functional_dimension",
    "functional_dimension_of_regions",
]


@dataclass(frozen=True, slots=True)
class BatchFunctionalDimension:
    """Result of :func:`batch_functional_dimension`.

    Attributes
    ----------
    rank : int
        Exact rank of the stacked Jacobians at the smooth sample points.
    upper_bound : int
        ``D - H`` (:func:`max_functional_dimension`).
    n_points : int
        Number of points given.
    used : tuple of int
        Indices of the smooth points (the ones whose Jacobians were stacked).
    on_bent_hyperplanes : tuple of (int, tuple of (layer, index))
        The excluded points and the neurons with a zero pre-activation there.
    """

    rank: int
    upper_bound: int
    n_points: int
    used: tuple[int, ...]
    on_bent_hyperplanes: tuple[tuple[int, tuple[Neuron, ...]], ...]


def batch_functional_dimension(net: ReLUNetwork, X: object) -> BatchFunctionalDimension:
    """Exact rank of the Jacobian of ``theta -> (f_theta(x))_{x in X}`` at the network's parameters.

    Points with a zero hidden pre-activation (on a bent hyperplane) are left
    out and listed in ``on_bent_hyperplanes``.

    Notes
    -----
    The network is replaced by its integer rescaling (``net.integer_layers``),
    which multiplies Jacobian columns and rows by nonzero constants (same rank);
    each point is scaled to integers; the rank is computed by
    :func:`relu_geom.arith.linalg.rank` with the proven bound ``D - H``.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[1, 1]]], [[0, 0], [0]])
    >>> res = rg.batch_functional_dimension(net, [[1, 1], [2, 3], [-1, 2], [0, 5]])
    >>> res.rank, res.upper_bound, res.on_bent_hyperplanes
    (3, 7, ((3, ((1, 0),)),))
    """
    net = as_network(net, what="net")
    pts = read_sample(X, net.input_dim)
    Ws, bs = integer_layers(net)
    rows: list[list[int]] = []
    used, bad = [], []
    for i, pt in enumerate(pts):
        z = net.preactivations(pt)
        zero = tuple((layer + 1, j) for layer, zl in enumerate(z) for j, v in enumerate(zl) if v == 0)
        if zero:
            bad.append((i, zero))
            continue
        used.append(i)
        rows.extend(point_rows(net, Ws, bs, pt, [[v > 0 for v in zl] for zl in z]))
    D = net.n_parameters
    ub = max_functional_dimension(net.architecture)
    bound = D - scaling_rank(net)
    r = integer_rank(rows, D, upper=bound) if rows else 0
    return BatchFunctionalDimension(r, ub, len(pts), tuple(used), tuple(bad))


@dataclass(frozen=True, slots=True)
class FunctionalDimension:
    """Result of :func:`functional_dimension`.

    Attributes
    ----------
    rank : int
        The exact functional dimension at the network's parameters.
    upper_bound : int
        ``D - H``.
    sample : tuple of points
        Smooth points (inside open regions) whose stacked Jacobians have rank
        ``rank``: a certificate, check it with :func:`batch_functional_dimension`.
    n_regions : int
        Regions examined (all of them unless ``upper_bound`` was reached early).
    regions_used : tuple of int
        Indices (in the given region list) of the regions the sample comes from.
    degenerate_regions : tuple of int
        Regions on which some hidden pre-activation vanishes identically; they
        contain no smooth point and are skipped.
    dead_neurons, linear_neurons : tuple of (layer, index)
        Neurons inactive on every region / active on every region examined.
    invisible_neurons : tuple of (layer, index)
        Neurons (dead ones excluded) whose incoming weights and bias have zero
        derivative on every region: ``f`` does not see them move.  Computed only
        when ``rank < upper_bound``.
    zero_parameters : tuple of int
        Indices into ``net.parameters()`` with zero derivative everywhere
        (computed only when ``rank < upper_bound``).
    symmetry_bound : int
        ``D - rank`` of the rescaling directions (equals ``upper_bound`` unless
        neurons are degenerate).
    """

    rank: int
    upper_bound: int
    sample: tuple[Point, ...]
    n_regions: int
    regions_used: tuple[int, ...]
    degenerate_regions: tuple[int, ...] = ()
    dead_neurons: tuple[Neuron, ...] = ()
    linear_neurons: tuple[Neuron, ...] = ()
    invisible_neurons: tuple[Neuron, ...] = ()
    zero_parameters: tuple[int, ...] = ()
    symmetry_bound: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def reaches_upper_bound(self) -> bool:
        """Whether the functional dimension equals ``D - H``."""
        return self.rank == self.upper_bound

    @property
    def deficit(self) -> int:
        """``upper_bound - rank``."""
        return self.upper_bound - self.rank


_CHUNK_REGIONS = 128

DEFAULT_MAX_REGIONS = 10_000
"""The default ``max_regions`` of :func:`functional_dimension`."""


class _Clock:
    """``max_seconds`` of the rank stages: :meth:`check` raises once the time is spent."""

    __slots__ = ("max_seconds", "t0", "deadline")

    def __init__(self, max_seconds: float | None):
        self.max_seconds = max_seconds
        self.t0 = time.monotonic()
        self.deadline = None if max_seconds is None else self.t0 + max_seconds

    def check(self, done: int, total: int) -> None:
        now = time.monotonic()
        if self.deadline is not None and now > self.deadline:
            raise LimitExceededError(
                f"functional_dimension: limit max_seconds={self.max_seconds} exceeded: "
                f"{now - self.t0:.1f} s spent, {done} of {total} regions ranked"
            )



class _RegionRows:
    """Coefficient rows of ``x -> J(x)`` on many regions at once, modulo a small prime (numpy int64).

    For region ``r`` the rows ``R[r, k, t]`` (output ``k``, ``t < d`` the
    coefficient of ``x_t``, ``t = d`` the constant term) are the Jacobian of the
    integer-rescaled network with the region's pattern frozen.
    """

    def __init__(self, net: ReLUNetwork):
        import numpy as np

        self.np = np
        self.net = net
        self.Wi = [[list(r) for r in w] for w, _ in net.integer_layers]
        self.bi = [list(b) for _, b in net.integer_layers]
        self.d, self.m, self.D = net.input_dim, net.output_dim, net.n_parameters
        self.primes = word_primes(max(net.architecture))
        self.small_prime = word_primes(1 << 22)[0]  # below 2**20: one float product per matmul

    def masks(self, svs: Sequence[tuple[int, ...]]) -> list[Any]:
        np = self.np
        A = np.array(svs, dtype=np.int64).reshape(len(svs), self.net.n_hidden) > 0
        offs = self.net.layer_offsets
        return [A[:, offs[k] : offs[k + 1]] for k in range(self.net.depth)]

    def rows(self, masks: list[Any], n_regions: int, p: int) -> Any:
        np = self.np
        d, T, L = self.d, self.d + 1, self.net.depth
        Wp = [np.array([[v % p for v in r] for r in w], dtype=np.int64) for w in self.Wi]
        bp = [np.array([v % p for v in b], dtype=np.int64) for b in self.bi]
        M = np.zeros((n_regions, d, T), dtype=np.int64)
        M[:, np.arange(d), np.arange(d)] = 1
        Ms = [M]
        for layer in range(L):
            Z = np.einsum("ij,rjt->rit", Wp[layer], Ms[-1]) % p
            Z[:, :, d] = (Z[:, :, d] + bp[layer]) % p
            Z *= masks[layer][:, :, None]
            Ms.append(Z)
        G: list[Any] = [None] * (L + 1)
        G[L] = np.broadcast_to(np.eye(self.m, dtype=np.int64), (n_regions, self.m, self.m))
        for layer in range(L - 1, -1, -1):
            Gl = np.einsum("rki,ij->rkj", G[layer + 1], Wp[layer + 1]) % p
            Gl *= masks[layer][:, None, :]
            G[layer] = Gl
        blocks = []
        for layer in range(L + 1):
            n_out = Wp[layer].shape[0]
            Wb = np.einsum("rki,rjt->rktij", G[layer], Ms[layer]) % p
            blocks.append(Wb.reshape(n_regions, self.m, T, -1))
            bb = np.zeros((n_regions, self.m, T, n_out), dtype=np.int64)
            bb[:, :, d, :] = G[layer]
            blocks.append(bb)
        return np.concatenate(blocks, axis=3)

    def exact_rows(self, sv: tuple[int, ...]) -> list[list[int]]:
        d = self.d
        M0 = [[int(t == j) for t in range(d + 1)] for j in range(d)]
        return jacobian_rows(self.Wi, self.bi, split_pattern(self.net, sv), M0, [0] * d + [1])

    def column_bounds(self) -> list[int]:
        """For each parameter, a bound on |entry| of that column in every exact coefficient row."""
        Mb = [[1] * self.d]  # bounds on |coefficients| of a_l, per neuron (a_0 = x: unit rows)
        for w, b in zip(self.Wi[:-1], self.bi[:-1]):
            prev = max(Mb[-1])
            Mb.append([sum(abs(v) * pb for v, pb in zip(row, Mb[-1])) + abs(c) for row, c in zip(w, b)])
            del prev
        L = len(self.Wi) - 1
        Gb: list[list[int]] = [[] for _ in range(L + 1)]
        Gb[L] = [1] * self.m
        for layer in range(L - 1, -1, -1):
            W = self.Wi[layer + 1]
            Gb[layer] = [
                sum(g * abs(W[i2][i]) for i2, g in enumerate(Gb[layer + 1])) for i in range(len(W[0]))
            ]
        out: list[int] = []
        for layer in range(L + 1):
            out.extend(g * mb for g in Gb[layer] for mb in Mb[layer])
            out.extend(Gb[layer])
        return out


def _step_sizes(rr: _RegionRows, sv: tuple[int, ...], x0: Point) -> list[Fraction]:
    """For each axis t, a power of two ``h <= 1`` with ``x0 + h e_t`` in the open region of ``sv``.

    With the pattern frozen every pre-activation is affine in ``x``; ``h`` stays
    below the first zero crossing along the axis, so the sign vector is unchanged.
    """
    d = rr.d
    active = split_pattern(rr.net, sv)
    q = math.lcm(*(v.denominator for v in x0)) if x0 else 1
    xt = [int(v * q) for v in x0] + [q]
    prev = [[int(t == j) for t in range(d + 1)] for j in range(d)]
    coeffs = []
    for w, b, act in zip(rr.Wi[:-1], rr.bi[:-1], active):
        z = []
        for row, c in zip(w, b):
            acc = [0] * d + [c]
            for wv, pj in zip(row, prev):
                if wv:
                    acc = [a + wv * v for a, v in zip(acc, pj)]
            z.append(acc)
        coeffs.extend(z)
        prev = [zz if a else [0] * (d + 1) for zz, a in zip(z, act)]
    values = [sum(c * v for c, v in zip(cf, xt)) for cf in coeffs]  # q * z(x0)
    out = []
    for t in range(d):
        hmax: Fraction | None = None
        for cf, val in zip(coeffs, values):
            slope = cf[t]
            if slope and (slope > 0) != (val > 0):
                lim = Fraction(abs(val), abs(slope) * q)
                hmax = lim if hmax is None or lim < hmax else hmax
        h = Fraction(1)
        while hmax is not None and h >= hmax:
            h /= 2
        out.append(h)
    return out


def functional_dimension_of_regions(
    net: ReLUNetwork, regions: Iterable[tuple[Sequence[int], object]], *, max_seconds: float | None = None
) -> FunctionalDimension:
    """Exact functional dimension from a list of regions ``(sign_vector, interior_point)``.

    This is the engine behind :func:`functional_dimension`; call it directly
    with regions of your own (for instance the regions of a compiled complex
    over a domain, or a hand-made list).  The result is the rank over the given
    regions only, so it is the functional dimension when the list covers every
    region of the complex.

    Parameters
    ----------
    net
        The network.
    regions
        Pairs ``(sign_vector, point)``: the signs of all hidden pre-activations on
        an open region and a point strictly inside it.
    max_seconds
        Stop with :class:`~relu_geom.LimitExceededError` after this many seconds
        (checked after every chunk of 128 regions).

    Notes
    -----
    1. **Rows.**  For each region, the ``m (d + 1)`` coefficient rows of the
       affine map ``x -> J(x)`` of the integer-rescaled network, computed for
       many regions at once modulo small primes (numpy ``int64``, primes below
       ``2^26`` so that no product overflows).
    2. **Lower bound.**  Rows are kept greedily when independent modulo a prime
       (hence over Q).  As soon as the kept rows reach the proven bound
       ``D - rank(rescaling directions)`` the rank is exact and the remaining
       regions are not looked at.
    3. **Upper bound, when the bound is not reached.**  The kept rows ``B`` are
       recomputed exactly and an exact basis of ``ker B`` is found
       (:func:`relu_geom.arith.linalg.kernel_of_independent_rows`).  The
       rescaling directions lie in the kernel of every row; the other kernel
       vectors ``C`` are checked against every row of every region modulo
       enough primes that their product exceeds ``2 max |row . c|`` (a bound
       computed from the weights): a product that vanishes modulo all of them
       vanishes over Z.  A row that fails the check is independent of ``B``; it
       is added and the check restarts.  The same pass finds the parameters
       whose derivative vanishes on every region.
    4. **Sample.**  For each region contributing rows, its point ``x0`` and
       ``x0 + h e_t`` with ``h`` a power of two inside the region (exact step
       bound along the axis); the sample is then pruned greedily to points
       whose rows are independent modulo a prime.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[1, 1]]], [[0, 0], [0]])
    >>> regions = [(c.sign_vector, c.interior_point) for c in rg.compile_network(net).regions]
    >>> res = rg.functional_dimension_of_regions(net, regions)
    >>> res.rank, res.upper_bound
    (7, 7)
    >>> rg.batch_functional_dimension(net, res.sample).rank
    7
    """
    net = as_network(net, what="net")
    _check_limits(None, max_seconds, None)
    return _of_regions(net, regions, _Clock(max_seconds))


def _of_regions(
    net: ReLUNetwork, regions: Iterable[tuple[Sequence[int], object]], clock: _Clock
) -> FunctionalDimension:
    """:func:`functional_dimension_of_regions` with its clock."""
    if isinstance(regions, (str, bytes)) or not isinstance(regions, Iterable):
        raise InvalidInputError(f"regions: expected pairs (sign_vector, point), got {type(regions).__name__}")
    H, d, m, D = net.n_hidden, net.input_dim, net.output_dim, net.n_parameters
    regs = []
    for i, item in enumerate(regions):
        if not isinstance(item, (list, tuple)) or len(item) != 2 or not isinstance(item[0], (list, tuple)):
            raise InvalidInputError(f"regions[{i}]: expected a pair (sign_vector, point)")
        sv, x = item
        if any(isinstance(s, bool) or s not in (-1, 0, 1) for s in sv):
            raise InvalidInputError(f"regions[{i}]: sign vector entries must be -1, 0 or 1")
        svt = tuple(int(s) for s in sv)
        if len(svt) != H:
            raise DimensionMismatchError(f"regions[{i}]: sign vector has {len(svt)} entries, expected {H}")
        if any(s not in (-1, 0, 1) for s in svt):
            raise InvalidInputError(f"regions[{i}]: sign vector entries must be -1, 0 or 1, got {short_repr(svt)}")
        regs.append((svt, as_point(x, d, what=f"regions[{i}] point")))
    ub = max_functional_dimension(net.architecture)
    scal = scaling_vectors(net)
    sym_rank = scaling_rank(net, scal)
    sym_bound = D - sym_rank
    rr = _RegionRows(net)
    p_sel = rr.small_prime
    T = d + 1

    degenerate = tuple(i for i, (sv, _) in enumerate(regs) if 0 in sv)
    smooth = [i for i, (sv, _) in enumerate(regs) if 0 not in sv]
    ever_pos = [any(regs[i][0][g] > 0 for i in range(len(regs))) for g in range(H)]
    ever_neg = [any(regs[i][0][g] < 0 for i in range(len(regs))) for g in range(H)]

    # 1-2: greedy selection modulo p_sel, chunk by chunk
    mb = ModularRowSpace(D, p_sel)
    basis_ids: list[tuple[int, int, int]] = []
    n_examined = 0
    for start in range(0, len(smooth), _CHUNK_REGIONS):
        clock.check(start, len(smooth))
        chunk = smooth[start : start + _CHUNK_REGIONS]
        R = rr.rows(rr.masks([regs[i][0] for i in chunk]), len(chunk), p_sel).reshape(-1, D)
        ids = [(ridx, k, t) for ridx in chunk for k in range(m) for t in range(T)]
        basis_ids.extend(ids[i] for i in mb.add(R))
        n_examined = chunk[-1] + 1
        if len(basis_ids) >= sym_bound:
            break
    else:
        n_examined = len(regs)
    r = len(basis_ids)

    zero_params: tuple[int, ...] = ()
    invisible: tuple[Neuron, ...] = ()
    if r < sym_bound:
        r, basis_ids, zero_params = _certify_upper_bound(rr, regs, smooth, basis_ids, scal, sym_rank, clock)
        zp = set(zero_params)
        offs, a = parameter_offsets(net), net.architecture
        inv = []
        for layer in range(1, net.depth + 1):
            base, n_prev, n = offs[layer - 1], a[layer - 1], a[layer]
            for i in range(n):
                g = net.layer_offsets[layer - 1] + i
                cols = [base + i * n_prev + j for j in range(n_prev)] + [base + n * n_prev + i]
                if ever_pos[g] and all(c in zp for c in cols):
                    inv.append((layer, i))
        invisible = tuple(inv)
        n_examined = len(regs)

    # 4: the certificate sample, pruned to independent rows
    used_regions = sorted({ridx for ridx, _, _ in basis_ids})
    cand: list[Point] = []
    for ridx in used_regions:
        sv, x0 = regs[ridx]
        cand.append(x0)
        for t, h in enumerate(_step_sizes(rr, sv, x0)):
            x = list(x0)
            x[t] += h
            cand.append(tuple(x))
    Wp, bp = integer_layers(net, prime(0))
    prow, owner = [], []
    for ci, pt in enumerate(cand):
        sv = regs[used_regions[ci // T]][0]
        M0, const = integer_point(pt)
        for row in jacobian_rows(Wp, bp, split_pattern(net, sv), M0, const, prime(0)):
            prow.append(row)
            owner.append(ci)
    keep_rows = independent_rows_mod_p(prow, D)
    if len(keep_rows) < r:  # pragma: no cover - an unlucky prime: keep every candidate
        keep_pts = sorted(set(owner))
    else:
        keep_pts = sorted({owner[i] for i in keep_rows})
    sample = tuple(cand[i] for i in keep_pts)
    neurons = net.neurons
    return FunctionalDimension(
        rank=r,
        upper_bound=ub,
        sample=sample,
        n_regions=n_examined,
        regions_used=tuple(sorted({used_regions[i // T] for i in keep_pts})),
        degenerate_regions=degenerate,
        dead_neurons=tuple(neurons[g] for g in range(H) if not ever_pos[g]),
        linear_neurons=tuple(neurons[g] for g in range(H) if not ever_neg[g] and ever_pos[g]),
        invisible_neurons=invisible,
        zero_parameters=zero_params,
        symmetry_bound=sym_bound,
    )


def _certify_upper_bound(
    rr: _RegionRows,
    regs: list[tuple[tuple[int, ...], Point]],
    smooth: list[int],
    basis_ids: list[tuple[int, int, int]],
    scal: list[list[int]],
    sym_rank: int,
    clock: _Clock,
) -> tuple[int, list[tuple[int, int, int]], tuple[int, ...]]:
    """Prove that every region row lies in the span of the kept rows (step 3 of the notes).

    Returns the rank, the kept rows (a row found independent over Q is added)
    and the parameters whose column vanishes on every region.
    """
    import numpy as np

    D, m, T = rr.D, rr.m, rr.d + 1
    cache: dict[int, list[list[int]]] = {}

    def exact_row(ident: tuple[int, int, int]) -> list[int]:
        ridx, k, t = ident
        if ridx not in cache:
            cache[ridx] = rr.exact_rows(regs[ridx][0])
        return cache[ridx][k * T + t]

    # columns on which the rescaling directions are independent: ker(all rows) is
    # span(rescalings) + (kernel vectors vanishing on these columns)
    net = rr.net
    J = independent_rows_mod_p([list(col) for col in zip(*scal)], len(scal)) if scal else []
    if len(J) != sym_rank:  # pragma: no cover - unlucky prime
        J = []
    unit = [[int(j == c) for j in range(D)] for c in J]
    colb = rr.column_bounds()
    labels = parameter_labels(net)
    offs = net.layer_offsets
    svs = np.array([regs[i][0] for i in smooth], dtype=np.int64).reshape(len(smooth), net.n_hidden) > 0
    ids = list(basis_ids)
    while True:
        B = [exact_row(i) for i in ids]
        K = integer_kernel(B + unit, D)
        extra: list[list[int]] = []
        if K.ncols():
            Lr = K.transpose().lll()
            extra = [[int(Lr[i, j]) for j in range(D)] for i in range(Lr.nrows())]
        # regions where some support column of some extra vector is not structurally zero
        relevant = np.zeros(len(smooth), dtype=bool)
        for c in extra:
            for j, v in enumerate(c):
                if not v:
                    continue
                kind, layer, i, jj = labels[j]
                cond = np.ones(len(smooth), dtype=bool)
                if layer <= net.depth:
                    cond &= svs[:, offs[layer - 1] + i]
                if kind == "W" and layer >= 2:
                    cond &= svs[:, offs[layer - 2] + jj]
                relevant |= cond
        rel = [smooth[i] for i in np.nonzero(relevant)[0]]
        bound = 2 * max((sum(b * abs(v) for b, v in zip(colb, c)) for c in extra), default=1) + 1
        failing = None
        prod = 1
        for p in rr.primes:
            if prod > bound or not rel:
                break
            prod *= p
            Cp = np.ascontiguousarray(np.array([[v % p for v in c] for c in extra], dtype=np.int64).T)
            for start in range(0, len(rel), _CHUNK_REGIONS):
                clock.check(start, len(rel))
                chunk = rel[start : start + _CHUNK_REGIONS]
                R = rr.rows(rr.masks([regs[i][0] for i in chunk]), len(chunk), p).reshape(-1, D)
                bad = np.nonzero(matmul_mod(R, Cp, p).any(axis=1))[0]
                if len(bad):
                    row = int(bad[0])
                    rem = row % (m * T)
                    failing = (chunk[row // (m * T)], rem // T, rem % T)
                    break
            if failing is not None:
                break
        if failing is None:
            zero_cols = tuple(j for j in range(D) if not any(row[j] for row in B))
            return len(ids), ids, zero_cols
        ids.append(failing)  # independent over Q of the kept rows: keep it, check again


def functional_dimension(
    net_or_complex: ReLUNetwork | PolyhedralComplex,
    *,
    domain: object = None,
    max_regions: int | None = DEFAULT_MAX_REGIONS,
    max_seconds: float | None = None,
) -> FunctionalDimension:
    """The exact functional dimension of a network at its parameters, with a sample attaining it.

    Parameters
    ----------
    net_or_complex
        A :class:`ReLUNetwork` (compiled over ``domain``, all of R^d by default)
        or an already compiled :class:`PolyhedralComplex` (its regions are used,
        not recompiled).
    domain
        As for :func:`relu_geom.compiler.as_complex`: the domain a network is compiled over;
        with a complex, None or that complex's own domain.
    max_regions
        Stop with :class:`~relu_geom.LimitExceededError` when the network has more than
        this many regions over the domain (None: no bound).  A network's regions are
        counted as the region stage makes them, so the work stops within a small multiple
        of the limit; a complex is refused at once when it has more.  The rank stages cost
        about a millisecond per region on top of the regions themselves.
    max_seconds
        Stop with :class:`~relu_geom.LimitExceededError` after this many seconds (the
        regions, then the rank stages, checked at least every 128 regions).

    Returns
    -------
    FunctionalDimension
        ``rank``, the certificate ``sample``, and, when ``rank < D - H``, the
        region-level reasons found (dead, linear and invisible neurons,
        parameters with zero derivative everywhere, degenerate regions).

    Notes
    -----
    See :func:`functional_dimension_of_regions` for the method.  The supremum
    over finite samples equals the rank over all regions' row spaces (module
    notes), so the result is exact; the returned sample attains it.  A network
    is not compiled into a complex: only its regions are made (the region stage
    of :func:`~relu_geom.compile_network`, no faces), with the points and in
    the order of ``compile_network(net, domain).regions``.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork.random([2, 3, 2, 1], seed=3)
    >>> res = rg.functional_dimension(net)
    >>> res.rank <= res.upper_bound == rg.max_functional_dimension([2, 3, 2, 1])
    True
    >>> rg.batch_functional_dimension(net, res.sample).rank == res.rank
    True
    """
    if max_regions is not None and (
        isinstance(max_regions, bool) or not isinstance(max_regions, int) or max_regions < 1
    ):
        raise InvalidInputError(f"max_regions: expected a positive integer or None, got {short_repr(max_regions)}")
    _check_limits(None, max_seconds, None)
    clock = _Clock(max_seconds)
    if isinstance(net_or_complex, ReLUNetwork):
        net = net_or_complex
        regions = region_samples(
            net,
            domain,
            max_regions=max_regions,
            max_seconds=max_seconds,
            caller="functional_dimension",
        )
    else:
        cx = as_complex(net_or_complex, domain=domain)
        net = cx.network
        if max_regions is not None and cx.n_regions > max_regions:
            raise LimitExceededError(
                f"functional_dimension: limit max_regions={max_regions} exceeded: "
                f"the complex has {cx.n_regions} regions"
            )
        regions = [(c.sign_vector, c.interior_point) for c in cx.regions]
    return _of_regions(net, regions, clock)
