"""Exact Jacobians, functional dimension and local identifiability from a finite sample.

Conventions
-----------
The parameter vector is ``net.parameters()``: ``W_1`` row by row, ``b_1``,
``W_2``, ``b_2``, ...  A Jacobian has one row per output and one column per
parameter, in that order.  A point ``x`` is *smooth* for ``theta`` when no
hidden pre-activation vanishes at ``x``; then ``eta -> f_eta(x)`` is
differentiable at ``theta`` (the activation pattern is locally constant in
``(x, eta)``).  Points with a zero pre-activation lie on a bent hyperplane: they
are reported and never used silently.

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

Local identifiability (paper 003)
---------------------------------
For each hidden neuron ``v`` the outgoing weight of largest absolute value is
fixed (ties: the lowest output index); the remaining weights and all biases are
the restricted parameters ``tau`` (``|F_theta| + |B| = D - H`` of them).
``R_Gamma`` is the rank of the Jacobian of ``tau -> f_{rho(tau)}(X)`` (Prop. 11),
``R_A = m * rank alpha(X, theta)`` (Prop. 12).  Conditions: ``C_S`` iff
``R_Gamma = |F| + |B|`` (sufficient: locally identifiable, Thm. 10); ``C_N`` iff
``R_Gamma < R_A`` or ``C_S`` (necessary, Thm. 9).

``rank alpha`` without the path matrix: ``alpha(x)`` has one column per path
(``|P| = n_0 n_1 ... n_L + n_1 ... n_L + ... + n_L + 1``).  It is a
concatenation of Kronecker products ``x (x) a_1(x) (x) ... (x) a_L(x)``,
``a_l (x) ... (x) a_L`` and ``1``, so the Gram matrix has the closed form

    <alpha(x), alpha(y)> = <x, y> c_1 ... c_L + sum_l c_l ... c_L + 1,

with ``c_l`` the number of neurons of layer ``l`` active at both ``x`` and
``y``.  Over the rationals ``rank alpha = rank (alpha alpha^T)``, an ``n x n``
matrix built in ``O(n^2 H)`` integer operations, whatever ``|P|`` is.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from relu_geom._util import short_repr
from relu_geom.arith import linalg as _la
from relu_geom.arith.rational import as_point
from relu_geom.compiler.entry import as_network
from relu_geom.errors import DimensionMismatchError, InvalidInputError
from relu_geom.network import ReLUNetwork
from relu_geom.network.symmetry import degenerate_neurons
from relu_geom.network.transforms import require_int

if TYPE_CHECKING:
    from relu_geom.compiler.complex import PolyhedralComplex

__all__ = [
    "BatchFunctionalDimension",
    "FunctionalDimension",
    "LocalIdentifiability",
    "batch_functional_dimension",
    "functional_dimension",
    "functional_dimension_of_regions",
    "jacobian",
    "local_identifiability",
    "max_functional_dimension",
    "parameter_labels",
]

Point = tuple[Fraction, ...]
Neuron = tuple[int, int]


# ---------------------------------------------------------------- helpers
def max_functional_dimension(architecture: Sequence[int]) -> int:
    """``D - H``: the number of parameters minus the number of hidden neurons.

    An upper bound of the functional dimension of every network of this
    architecture; by paper 000 it is attained (on an open set of parameters) when
    the input width and all hidden widths are at least 2.

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.max_functional_dimension([3, 16, 16, 1])
    321
    """
    if isinstance(architecture, (str, bytes)) or not isinstance(architecture, Iterable):
        raise InvalidInputError(f"architecture: expected a list of widths, got {type(architecture).__name__}")
    arch = [require_int(n, "architecture", minimum=1) for n in architecture]
    if len(arch) < 2:
        raise InvalidInputError(f"architecture: expected at least two widths, got {len(arch)}")
    D = sum(arch[i + 1] * (arch[i] + 1) for i in range(len(arch) - 1))
    return D - sum(arch[1:-1])


def parameter_labels(net: ReLUNetwork) -> tuple[tuple[str, int, int, int], ...]:
    """Labels of ``net.parameters()``: ``("W", layer, i, j)`` or ``("b", layer, i, -1)``, layers 1-based.

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.parameter_labels(rg.ReLUNetwork([[[1, 2]], [[3]]], [[4], [5]]))
    (('W', 1, 0, 0), ('W', 1, 0, 1), ('b', 1, 0, -1), ('W', 2, 0, 0), ('b', 2, 0, -1))
    """
    net = as_network(net, what="net")
    out = []
    a = net.architecture
    for layer in range(1, len(a)):
        out.extend(("W", layer, i, j) for i in range(a[layer]) for j in range(a[layer - 1]))
        out.extend(("b", layer, i, -1) for i in range(a[layer]))
    return tuple(out)


def _offsets(net: ReLUNetwork) -> list[int]:
    """Index in ``parameters()`` of the first entry of ``W_l`` (list index l-1)."""
    a = net.architecture
    offs, pos = [], 0
    for layer in range(1, len(a)):
        offs.append(pos)
        pos += a[layer] * (a[layer - 1] + 1)
    return offs


def _split_pattern(net: ReLUNetwork, pattern: Sequence[object], what: str = "pattern") -> list[list[bool]]:
    if isinstance(pattern, (str, bytes)) or not isinstance(pattern, Iterable):
        raise InvalidInputError(f"{what}: expected a sequence of signs, got {type(pattern).__name__}")
    pat = list(pattern)
    if len(pat) != net.n_hidden:
        raise DimensionMismatchError(
            f"{what}: expected {net.n_hidden} entries (one per hidden neuron), got {len(pat)}"
        )
    flags = []
    for g, s in enumerate(pat):
        if isinstance(s, bool):
            flags.append(s)
        elif s in (1, 0, -1):
            flags.append(s == 1)
        else:
            raise InvalidInputError(f"{what}[{g}]: expected a sign (-1, 0, 1) or a bool, got {short_repr(s)}")
    offs = net.layer_offsets
    return [flags[offs[k] : offs[k + 1]] for k in range(net.depth)]


def _jacobian_rows(
    Ws: Sequence[Sequence[Sequence[Any]]],
    bs: Sequence[Sequence[Any]],
    active: Sequence[Sequence[bool]],
    M0: Sequence[Sequence[Any]],
    const: Sequence[Any],
    p: int | None = None,
) -> list[list[Any]]:
    """Jacobian rows with a frozen activation pattern, linear in a vector of ``T`` "inputs".

    ``M0[j]`` are the ``T`` coefficients of input coordinate ``j`` and ``const``
    those of the constant 1: with ``M0 = [[x_j]]`` and ``const = [1]`` the result
    is the Jacobian at ``x``; with ``M0 = I_d`` padded and ``const = e_d`` it is
    the ``d + 1`` coefficient rows of the affine map ``x -> J(x)``.  Returns
    ``m * T`` rows, ordered output-major.  Works on ints, Fractions, or ints
    modulo ``p``.
    """
    T = len(const)
    L = len(Ws) - 1
    M: list[list[list[Any] | None]] = [[list(r) for r in M0]]
    for layer in range(L):
        W, b, act = Ws[layer], bs[layer], active[layer]
        prev = M[-1]
        new: list[list[Any] | None] = []
        for i, row in enumerate(W):
            if not act[i]:
                new.append(None)
                continue
            acc = [b[i] * c for c in const]
            for w, pj in zip(row, prev):
                if w and pj is not None:
                    acc = [a + w * v for a, v in zip(acc, pj)]
            if p is not None:
                acc = [a % p for a in acc]
            new.append(acc)
        M.append(new)
    m = len(Ws[-1])
    G: list[list[list[Any]]] = [[] for _ in range(L + 1)]
    G[L] = [[int(k == i) for i in range(m)] for k in range(m)]
    for layer in range(L - 1, -1, -1):
        W, act = Ws[layer + 1], active[layer]
        Gn = G[layer + 1]
        n = len(W[0])
        rows = []
        for k in range(m):
            g = Gn[k]
            vals = [0] * n
            for gi, wrow in zip(g, W):
                if gi:
                    vals = [v + gi * w for v, w in zip(vals, wrow)]
            vals = [v if a else 0 for v, a in zip(vals, act)]
            if p is not None:
                vals = [v % p for v in vals]
            rows.append(vals)
        G[layer] = rows
    out = []
    for k in range(m):
        for t in range(T):
            row: list[Any] = []
            for layer in range(L + 1):
                g = G[layer][k]
                col = [(pm[t] if pm is not None else 0) for pm in M[layer]]
                for gi in g:
                    if gi:
                        row.extend(gi * c for c in col)
                    else:
                        row.extend([0] * len(col))
                row.extend(gi * const[t] for gi in g)
            if p is not None:
                row = [v % p for v in row]
            out.append(row)
    return out


def _smooth_pattern(net: ReLUNetwork, x: Point, index: int | None = None) -> list[list[bool]]:
    z = net.preactivations(x)
    zero = [(layer + 1, i) for layer, zl in enumerate(z) for i, v in enumerate(zl) if v == 0]
    if zero:
        where = f"X[{index}] = {[str(v) for v in x]}" if index is not None else f"x = {[str(v) for v in x]}"
        raise InvalidInputError(
            f"{where} lies on the bent hyperplane of hidden neuron(s) {zero} (layer, index): "
            "a zero pre-activation, where f is not differentiable in the parameters"
        )
    return [[v > 0 for v in zl] for zl in z]


def _int_point(x: Point) -> tuple[list[list[int]], list[int]]:
    q = math.lcm(*(v.denominator for v in x)) if x else 1
    return [[int(v * q)] for v in x], [q]


def _int_layers(net: ReLUNetwork, p: int | None = None) -> tuple[list[list[list[int]]], list[list[int]]]:
    Ws = [[list(r) for r in w] for w, _ in net.integer_layers]
    bs = [list(b) for _, b in net.integer_layers]
    if p is not None:
        Ws = [[[v % p for v in r] for r in w] for w in Ws]
        bs = [[v % p for v in b] for b in bs]
    return Ws, bs


def _read_sample(X: object, d: int, what: str = "X") -> list[Point]:
    if hasattr(X, "tolist"):
        X = X.tolist()  # type: ignore[union-attr]
    if isinstance(X, (str, bytes)) or not isinstance(X, Iterable):
        raise InvalidInputError(f"{what}: expected a sequence of points, got {short_repr(X)}")
    return [as_point(x, d, what=f"{what}[{i}]") for i, x in enumerate(X)]


def _scaling_rank(net: ReLUNetwork, rows: list[list[int]] | None = None) -> int:
    """Rank of the rescaling directions of the hidden neurons (``H`` unless degenerate)."""
    rows = _scaling_vectors(net) if rows is None else rows
    return _la._rank_int(rows, net.n_parameters) if rows else 0


# ---------------------------------------------------------------- Jacobian
def jacobian(net: ReLUNetwork, x: object, *, pattern: Sequence[object] | None = None) -> tuple[Point, ...]:
    """The exact Jacobian of ``theta -> f_theta(x)`` at the network's parameters.

    Parameters
    ----------
    net
        The network.
    x
        The input point (exact).
    pattern
        Optional activation pattern (one sign or bool per hidden neuron, global
        order; ``1``/``True`` = active) to freeze.  Then the result is the
        Jacobian of the network with that pattern imposed, defined for every
        ``x`` and affine in ``x``; it is the true Jacobian when ``x`` lies in the
        open region of that pattern.

    Returns
    -------
    tuple of rows
        One row per output, one column per entry of ``net.parameters()``.

    Raises
    ------
    InvalidInputError
        Without ``pattern``, when ``x`` has a zero hidden pre-activation (the
        message names the neurons).

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[1], [-1]], [[1, 1]]], [[0, 0], [0]])
    >>> [str(v) for v in rg.jacobian(net, [2])[0]]  # d/d(w1, w2, b1, b2, v1, v2, c)
    ['2', '0', '1', '0', '2', '0', '1']
    """
    net = as_network(net, what="net")
    pt = as_point(x, net.input_dim)
    active = _smooth_pattern(net, pt) if pattern is None else _split_pattern(net, pattern)
    rows = _jacobian_rows(
        [[list(r) for r in w] for w in net.weights],
        [list(b) for b in net.biases],
        active,
        [[v] for v in pt],
        [1],
    )
    return tuple(tuple(Fraction(v) for v in row) for row in rows)


# ------------------------------------------------- batch functional dimension
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


def _point_rows_int(
    net: ReLUNetwork, Ws: Any, bs: Any, pt: Point, active: list[list[bool]]
) -> list[list[int]]:
    M0, const = _int_point(pt)
    return _jacobian_rows(Ws, bs, active, M0, const)


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
    pts = _read_sample(X, net.input_dim)
    Ws, bs = _int_layers(net)
    rows: list[list[int]] = []
    used, bad = [], []
    for i, pt in enumerate(pts):
        z = net.preactivations(pt)
        zero = tuple((layer + 1, j) for layer, zl in enumerate(z) for j, v in enumerate(zl) if v == 0)
        if zero:
            bad.append((i, zero))
            continue
        used.append(i)
        rows.extend(_point_rows_int(net, Ws, bs, pt, [[v > 0 for v in zl] for zl in z]))
    D = net.n_parameters
    ub = max_functional_dimension(net.architecture)
    bound = D - _scaling_rank(net)
    r = _la._rank_int(rows, D, upper=bound) if rows else 0
    return BatchFunctionalDimension(r, ub, len(pts), tuple(used), tuple(bad))


# ------------------------------------------------------ functional dimension
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


def _np_primes(max_width: int) -> list[int]:
    """Primes p with ``max_width * p**2 < 2**62``: int64 matrix products cannot overflow."""
    top = min(math.isqrt((1 << 62) // max(max_width, 1)), 1 << 26)
    out, n = [], top - 1 if top % 2 == 0 else top
    while len(out) < 256 and n > 3:
        if _la.flint.fmpz(n).is_prime():
            out.append(n)
        n -= 2
    return out


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
        self.primes = _np_primes(max(net.architecture))
        self.small_prime = _np_primes(1 << 22)[0]  # below 2**20: one float product per matmul

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
        return _jacobian_rows(self.Wi, self.bi, _split_pattern(self.net, sv), M0, [0] * d + [1])

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
    active = _split_pattern(rr.net, sv)
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
    net: ReLUNetwork, regions: Iterable[tuple[Sequence[int], object]]
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
    scal = _scaling_vectors(net)
    sym_rank = _scaling_rank(net, scal)
    sym_bound = D - sym_rank
    rr = _RegionRows(net)
    p_sel = rr.small_prime
    T = d + 1

    degenerate = tuple(i for i, (sv, _) in enumerate(regs) if 0 in sv)
    smooth = [i for i, (sv, _) in enumerate(regs) if 0 not in sv]
    ever_pos = [any(regs[i][0][g] > 0 for i in range(len(regs))) for g in range(H)]
    ever_neg = [any(regs[i][0][g] < 0 for i in range(len(regs))) for g in range(H)]

    # 1-2: greedy selection modulo p_sel, chunk by chunk
    mb = _ModBasis(D, p_sel)
    basis_ids: list[tuple[int, int, int]] = []
    n_examined = 0
    for start in range(0, len(smooth), _CHUNK_REGIONS):
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
        r, basis_ids, zero_params = _certify_upper_bound(rr, regs, smooth, basis_ids, scal, sym_rank)
        zp = set(zero_params)
        offs, a = _offsets(net), net.architecture
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
    Wp, bp = _int_layers(net, _la._prime(0))
    prow, owner = [], []
    for ci, pt in enumerate(cand):
        sv = regs[used_regions[ci // T]][0]
        M0, const = _int_point(pt)
        for row in _jacobian_rows(Wp, bp, _split_pattern(net, sv), M0, const, _la._prime(0)):
            prow.append(row)
            owner.append(ci)
    keep_rows = _la.independent_rows_mod_p(prow, D)
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


def _kernel(B: list[list[int]], D: int) -> Any:
    for k in range(64):
        K = _la.kernel_of_independent_rows(B, D, prime_index=k)
        if K is not None:
            return K
    raise AssertionError("rows expected independent over Q")  # pragma: no cover


def _matmul_mod(A: Any, B: Any, p: int) -> Any:
    """``A @ B mod p`` for int64 arrays with entries in ``[0, p)``, ``p < 2**26``, exactly.

    Float64 (BLAS) products are exact while every partial sum stays below
    ``2**53``: for ``p < 2**20`` one product over inner blocks of ``2**13``,
    otherwise ``B`` is split into 13-bit halves.
    """
    import numpy as np

    n = A.shape[1]
    out = np.zeros((A.shape[0], B.shape[1]), dtype=np.int64)
    step = 1 << 13  # inner length: 2**26 * 2**13 * 2**13 < 2**53
    if p < (1 << 20):  # one product: 2**20 * 2**20 * 2**13 = 2**53
        for j0 in range(0, n, step):
            Af = A[:, j0 : j0 + step].astype(np.float64)
            Bf = np.ascontiguousarray(B[j0 : j0 + step].astype(np.float64))
            out = (out + (Af @ Bf).astype(np.int64) % p) % p
        return out
    for j0 in range(0, n, step):
        Af = A[:, j0 : j0 + step].astype(np.float64)
        Bs = B[j0 : j0 + step]
        lo = np.ascontiguousarray((Bs & 0x1FFF).astype(np.float64))
        hi = np.ascontiguousarray((Bs >> 13).astype(np.float64))
        plo = (Af @ lo).astype(np.int64) % p
        phi = (Af @ hi).astype(np.int64) % p
        out = (out + plo + ((phi << 13) % p)) % p
    return out


class _ModBasis:
    """A row space modulo a prime ``p < 2**26``, kept in reduced echelon form (numpy)."""

    def __init__(self, D: int, p: int):
        import numpy as np

        self.np = np
        self.p = p
        self.E = np.zeros((0, D), dtype=np.int64)
        self.piv: list[int] = []

    def __len__(self) -> int:
        return len(self.piv)

    def add(self, rows: Any) -> list[int]:
        """Add ``rows`` greedily; return the indices of those independent of the rows before them."""
        np, p = self.np, self.p
        res = rows % p
        if self.piv:
            res = (res - _matmul_mod(res[:, self.piv], self.E, p)) % p
        nz = np.nonzero(res.any(axis=1))[0]
        if len(nz) == 0:
            return []
        sub = res[nz]
        sel = _independent_rows_np(sub, p)
        chosen = sub[sel]
        Rn, rn = _la.flint.nmod_mat(len(sel), chosen.shape[1], chosen.ravel().tolist(), p).rref()
        newpiv = _la._pivots_of_rref(Rn, rn, chosen.shape[1])
        Rn_np = np.array([int(v) for v in Rn.entries()], dtype=np.int64).reshape(len(sel), -1)[:rn]
        if self.piv:
            self.E = (self.E - _matmul_mod(self.E[:, newpiv], Rn_np, p)) % p
        self.E = np.concatenate([self.E, Rn_np])
        self.piv.extend(newpiv)
        return [int(nz[i]) for i in sel]


def _independent_rows_np(rows: Any, p: int) -> list[int]:
    """Greedy rows independent modulo p (numpy int64 rows already reduced mod p)."""
    n, D = rows.shape
    if n == 0:
        return []
    T = _la.flint.nmod_mat(D, n, rows.T.ravel().tolist(), p)
    R, r = T.rref()
    return _la._pivots_of_rref(R, r, n)


def _scaling_vectors(net: ReLUNetwork) -> list[list[int]]:
    D, offs, a = net.n_parameters, _offsets(net), net.architecture
    theta = net.parameters()
    rows = []
    for layer in range(1, net.depth + 1):
        n_prev, n, n_next = a[layer - 1], a[layer], a[layer + 1]
        for i in range(n):
            v = [Fraction(0)] * D
            base = offs[layer - 1]
            for j in range(n_prev):
                v[base + i * n_prev + j] = theta[base + i * n_prev + j]
            v[base + n * n_prev + i] = theta[base + n * n_prev + i]
            nb = offs[layer]
            for k in range(n_next):
                v[nb + k * n + i] = -theta[nb + k * n + i]
            rows.append(v)
    return _la.integer_rows(rows)


def _certify_upper_bound(
    rr: _RegionRows,
    regs: list[tuple[tuple[int, ...], Point]],
    smooth: list[int],
    basis_ids: list[tuple[int, int, int]],
    scal: list[list[int]],
    sym_rank: int,
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
    J = _la.independent_rows_mod_p([list(col) for col in zip(*scal)], len(scal)) if scal else []
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
        K = _kernel(B + unit, D)
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
                chunk = rel[start : start + _CHUNK_REGIONS]
                R = rr.rows(rr.masks([regs[i][0] for i in chunk]), len(chunk), p).reshape(-1, D)
                bad = np.nonzero(_matmul_mod(R, Cp, p).any(axis=1))[0]
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
    net_or_complex: ReLUNetwork | PolyhedralComplex, *, domain: object = None
) -> FunctionalDimension:
    """The exact functional dimension of a network at its parameters, with a sample attaining it.

    Parameters
    ----------
    net_or_complex
        A :class:`ReLUNetwork` (compiled over ``domain``, all of R^d by default)
        or an already compiled :class:`PolyhedralComplex` (its regions are used,
        not recompiled).
    domain
        Passed to :func:`relu_geom.compile_network` when a network is given.

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
    notes), so the result is exact; the returned sample attains it.

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
    if isinstance(net_or_complex, ReLUNetwork):
        from relu_geom.compiler import compile_network

        cx = compile_network(net_or_complex, domain=domain)
        net = net_or_complex
    else:
        cx = net_or_complex
        net = getattr(cx, "network", None)
        if not isinstance(net, ReLUNetwork):
            raise InvalidInputError(
                f"net_or_complex: expected a ReLUNetwork or a PolyhedralComplex, got {type(net_or_complex).__name__}"
            )
    return functional_dimension_of_regions(net, [(c.sign_vector, c.interior_point) for c in cx.regions])


# ------------------------------------------------------ local identifiability
@dataclass(frozen=True, slots=True)
class LocalIdentifiability:
    """Result of :func:`local_identifiability` (paper 003, Theorems 9 and 10).

    Attributes
    ----------
    n_points : int
        ``n``, the sample size.
    fixed_weights : tuple of (layer, row, col)
        For each hidden neuron ``(l, i)``, the fixed outgoing weight
        ``W_{l+1}[row][i]`` (largest absolute value, lowest row on ties), as
        ``(l + 1, row, i)``.
    n_free : int
        ``|F_theta| + |B| = D - H``.
    r_gamma : int
        Rank of the restricted Jacobian ``Gamma(X, theta)``.
    rank_alpha : int
        Rank of the activation operator ``alpha(X, theta)``.
    r_a : int
        ``m * rank_alpha``.
    n_paths : int
        ``|P|``, the number of columns of ``alpha`` (never materialized).
    """

    n_points: int
    fixed_weights: tuple[tuple[int, int, int], ...]
    n_free: int
    r_gamma: int
    rank_alpha: int
    r_a: int
    n_paths: int

    @property
    def c_s(self) -> bool:
        """Condition C_S: ``R_Gamma = |F| + |B|`` (sufficient for local identifiability)."""
        return self.r_gamma == self.n_free

    @property
    def c_n(self) -> bool:
        """Condition C_N: ``R_Gamma < R_A`` or C_S (necessary for local identifiability)."""
        return self.r_gamma < self.r_a or self.c_s

    @property
    def verdict(self) -> str:
        """``"locally identifiable"``, ``"not locally identifiable"`` or ``"undecided"``."""
        if self.c_s:
            return "locally identifiable"
        if not self.c_n:
            return "not locally identifiable"
        return "undecided"


def _fixed_weights(net: ReLUNetwork) -> list[tuple[int, int, int]]:
    out = []
    for layer in range(1, net.depth + 1):
        Wn = net.weights[layer]
        for i in range(net.hidden_widths[layer - 1]):
            col = [abs(row[i]) for row in Wn]
            best = max(col)
            out.append((layer + 1, col.index(best), i))
    return out


def _alpha_gram(pts: list[Point], patterns: list[list[list[bool]]]) -> list[list[int]]:
    """``q_x q_y <alpha(x), alpha(y)>`` (integers; rows scaled by the points' denominators)."""
    qs = [math.lcm(*(v.denominator for v in x)) if x else 1 for x in pts]
    xi = [[int(v * q) for v in x] for x, q in zip(pts, qs)]
    masks = [[sum(1 << i for i, a in enumerate(layer) if a) for layer in pat] for pat in patterns]
    n = len(pts)
    G = [[0] * n for _ in range(n)]
    for a in range(n):
        for b in range(a, n):
            counts = [(ma & mb).bit_count() for ma, mb in zip(masks[a], masks[b])]
            qq = qs[a] * qs[b]
            total = qq  # the empty path beta
            prod = 1
            for c in reversed(counts):
                prod *= c
                total += qq * prod
            total += sum(u * v for u, v in zip(xi[a], xi[b])) * prod
            G[a][b] = G[b][a] = total
    return G


def local_identifiability(net: ReLUNetwork, X: object) -> LocalIdentifiability:
    """Conditions C_N and C_S of paper 003 for the sample ``X``, by exact ranks.

    Parameters
    ----------
    net
        The network (at least one hidden layer is not required, but then the
        question reduces to linear regression).
    X
        The sample: a sequence of ``n`` points.

    Returns
    -------
    LocalIdentifiability
        ``r_gamma``, ``rank_alpha``, ``r_a``, ``n_free`` and the ``verdict``.

    Raises
    ------
    InvalidInputError
        If ``theta`` is in the degenerate set ``S`` (a hidden neuron with zero
        incoming weights and bias, or zero outgoing weights; the message names
        it) or a sample point has a zero hidden pre-activation (then ``theta``
        is in ``Delta_X``; the message names the point and the neurons): the
        theorems do not apply there.

    Notes
    -----
    ``R_Gamma``: the Jacobian at each point (integer-rescaled network, as in
    :func:`batch_functional_dimension`) without the fixed columns; its rank is
    bounded by ``min(D - H, R_A)`` (the paper shows ``R_Gamma <= R_A``), so a
    modular rank reaching that bound is exact.  ``rank alpha``: the ``n x n``
    Gram matrix (module notes), ``O(n^2 H)`` to build.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[1, 0], [0, 1], [1, 1]], [[1, 1, -1]]], [[0, 0, -1], [0]])
    >>> few = rg.local_identifiability(net, [[1, 2], [2, 1]])
    >>> few.n_free, few.r_gamma, few.verdict
    (10, 2, 'not locally identifiable')
    >>> sample = rg.functional_dimension(net).sample  # 10 points reaching D - H = 10
    >>> rg.local_identifiability(net, sample).verdict
    'locally identifiable'
    """
    net = as_network(net, what="net")
    deg = degenerate_neurons(net)
    if deg["zero_incoming"]:
        raise InvalidInputError(
            f"net: hidden neuron(s) {list(deg['zero_incoming'])} (layer, index) have zero incoming weights and bias: "
            "theta is in the degenerate set S of paper 003, where the identifiability conditions do not apply"
        )
    if deg["zero_outgoing"]:
        raise InvalidInputError(
            f"net: hidden neuron(s) {list(deg['zero_outgoing'])} (layer, index) have zero outgoing weights: "
            "theta is in the degenerate set S of paper 003, where the identifiability conditions do not apply"
        )
    pts = _read_sample(X, net.input_dim)
    if not pts:
        raise InvalidInputError("X: expected at least one sample point, got none")
    patterns = [_smooth_pattern(net, pt, i) for i, pt in enumerate(pts)]
    D, m = net.n_parameters, net.output_dim
    n_free = max_functional_dimension(net.architecture)
    arch = net.architecture
    n_paths = 1
    for start in range(0, net.depth + 1):
        n_paths += math.prod(arch[start : net.depth + 1])

    G = _alpha_gram(pts, patterns)
    rank_alpha = _la._rank_int(G, len(pts), upper=n_paths)
    r_a = m * rank_alpha

    fixed = _fixed_weights(net)
    offs = _offsets(net)
    a = net.architecture
    fixed_cols = {offs[layer - 1] + row * a[layer - 1] + col for layer, row, col in fixed}
    keep = [j for j in range(D) if j not in fixed_cols]
    Ws, bs = _int_layers(net)
    rows = []
    for pt, pat in zip(pts, patterns):
        for row in _point_rows_int(net, Ws, bs, pt, pat):
            rows.append([row[j] for j in keep])
    r_gamma = _la._rank_int(rows, len(keep), upper=min(n_free, r_a))
    return LocalIdentifiability(
        n_points=len(pts),
        fixed_weights=tuple(fixed),
        n_free=len(keep),
        r_gamma=r_gamma,
        rank_alpha=rank_alpha,
        r_a=r_a,
        n_paths=n_paths,
    )
