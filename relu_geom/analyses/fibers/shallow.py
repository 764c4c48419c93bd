"""One-hidden-layer networks: decomposition, canonical minimal form, minimal width, fibers.

A network ``f(x) = sum_i v_i relu(w_i . x + b_i) + b_out`` (``v_i`` the output
column of neuron ``i``) realizes a function that has exactly one decomposition

    ``f(x) = sum_j c_j relu(a_j . x + t_j) + M x + b``

into **hinges** ``(a_j, t_j, c_j)`` with pairwise different hyperplanes and
``c_j != 0`` plus an affine part ``(M, b)``, once every hinge is oriented
canonically: ``(a_j, t_j)`` is the primitive integer vector on its line whose
first nonzero entry of ``a_j`` is positive.  Everything here is derived from
this decomposition; ``docs/fibers.md`` has the proofs (uniqueness, the cost of
an affine part, minimality of :func:`canonical_form`, the dimension formula of
the fiber pieces and how it reproduces Theorem 6 of paper 001).

Over a domain (``"orthant"``: the closed nonnegative orthant) the hinges are
the hyperplanes that meet the interior of the domain; a neuron whose
hyperplane misses it is affine there (always active) or zero (never active).
"""

from __future__ import annotations

import itertools
import random as _random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from relu_geom._util import lazy, short_repr
from relu_geom.arith.dense import primitive_row, rref
from relu_geom.arith.rational import as_point
from relu_geom.compiler.entry import as_network
from relu_geom.errors import InvalidInputError, LimitExceededError, ReluGeomError
from relu_geom.network import ReLUNetwork
from relu_geom.network.transforms import require_int

__all__ = [
    "FiberPiece",
    "Hinge",
    "ShallowDecomposition",
    "ShallowFiber",
    "canonical_form",
    "minimal_width",
    "shallow_decomposition",
    "shallow_fiber",
]

Vector = tuple[Fraction, ...]
Matrix = tuple[Vector, ...]
_ZERO = Fraction(0)
DOMAINS = (None, "orthant")


# ------------------------------------------------------------------ small algebra
def _rank(rows: Sequence[Sequence[Fraction]]) -> int:
    rows = [r for r in rows if any(r)]
    return len(rref(rows)[0]) if rows else 0


def _matmul(A: Sequence[Sequence[Fraction]], B: Sequence[Sequence[Fraction]]) -> list[list[Fraction]]:
    cols = list(zip(*B))
    return [[sum((a * b for a, b in zip(row, col)), _ZERO) for col in cols] for row in A]


def _outer(u: Sequence[Fraction], a: Sequence[Fraction]) -> list[list[Fraction]]:
    return [[x * y for y in a] for x in u]


def _add(
    A: Sequence[Sequence[Fraction]], B: Sequence[Sequence[Fraction]], s: Fraction = Fraction(1)
) -> list[list[Fraction]]:
    return [[x + s * y for x, y in zip(r, q)] for r, q in zip(A, B)]


def _inverse(A: Sequence[Sequence[Fraction]]) -> list[list[Fraction]]:
    n = len(A)
    aug = [list(map(Fraction, r)) + [Fraction(int(i == j)) for j in range(n)] for i, r in enumerate(A)]
    red, piv = rref(aug)
    if piv[:n] != list(range(n)) or len(red) < n:
        raise ZeroDivisionError("singular matrix")
    return [r[n:] for r in red]


def _projector_complement(vectors: Sequence[Sequence[Fraction]], d: int) -> list[list[Fraction]]:
    """``I - P`` with ``P`` the orthogonal projector onto the span of independent ``vectors``."""
    eye = [[Fraction(int(i == j)) for j in range(d)] for i in range(d)]
    if not vectors:
        return eye
    A = [list(v) for v in vectors]  # rows a_j
    gram_inv = _inverse(_matmul(A, list(zip(*A))))
    P = _matmul(_matmul(list(zip(*A)), gram_inv), A)
    return [[e - p for e, p in zip(er, pr)] for er, pr in zip(eye, P)]


# ------------------------------------------------------------------ decomposition
@dataclass(frozen=True, order=True)
class Hinge:
    """One visible hyperplane of a shallow function: the term ``c relu(a . x + t)``.

    ``(a, t)`` is a primitive integer vector whose first nonzero entry of ``a``
    is positive; ``c`` (in ``Q^m``) is nonzero.  Across the hyperplane, from the
    side ``a . x + t < 0`` to the side ``> 0``, the gradient of ``f`` jumps by
    ``c a^T``.
    """

    normal: tuple[int, ...]
    offset: int
    coefficient: Vector

    @property
    def row(self) -> tuple[int, ...]:
        """``(a_1, ..., a_d, t)``."""
        return (*self.normal, self.offset)


@dataclass(frozen=True, slots=True)
class ShallowDecomposition:
    """``f(x) = sum_j c_j relu(a_j . x + t_j) + M x + b`` with canonical hinges (sorted).

    Two one-hidden-layer networks compute the same function on the domain
    exactly when their decompositions are equal (``==``).

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.analyses.fibers import shallow_decomposition
    >>> dec = shallow_decomposition(rg.zoo.abs_1d())  # |x| = relu(x) + relu(-x) = 2 relu(x) - x
    >>> [(h.normal, h.offset, h.coefficient) for h in dec.hinges]
    [((1,), 0, (Fraction(2, 1),))]
    >>> dec.linear, dec.bias
    (((Fraction(-1, 1),),), (Fraction(0, 1),))
    """

    input_dim: int
    output_dim: int
    hinges: tuple[Hinge, ...]
    linear: Matrix
    bias: Vector
    domain: str | None = None

    def __call__(self, x: object) -> Vector:
        p = as_point(x, self.input_dim)
        out = [sum((a * v for a, v in zip(row, p)), b) for row, b in zip(self.linear, self.bias)]
        for h in self.hinges:
            z = sum((a * v for a, v in zip(h.normal, p)), Fraction(h.offset))
            if z > 0:
                out = [o + c * z for o, c in zip(out, h.coefficient)]
        return tuple(out)

    @property
    def n_hinges(self) -> int:
        """The number ``k`` of visible hyperplanes."""
        return len(self.hinges)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (rationals as strings)."""
        return {
            "domain": self.domain or "R^d",
            "hinges": [
                {"normal": list(h.normal), "offset": h.offset, "coefficient": [str(c) for c in h.coefficient]}
                for h in self.hinges
            ],
            "linear": [[str(v) for v in r] for r in self.linear],
            "bias": [str(v) for v in self.bias],
        }


def _check_shallow(net: Any, what: str = "net") -> ReLUNetwork:
    if not isinstance(net, ReLUNetwork):
        raise InvalidInputError(f"{what}: expected a ReLUNetwork, got {type(net).__name__}")
    if net.depth != 1:
        raise InvalidInputError(
            f"{what}: expected a network with one hidden layer, got architecture {list(net.architecture)}"
        )
    return net


def _check_domain(domain: Any) -> str | None:
    if domain not in DOMAINS:
        raise InvalidInputError(f"domain: expected None (all of R^d) or 'orthant', got {short_repr(domain)}")
    return domain


def _orient(row: Sequence[Fraction]) -> tuple[tuple[int, ...], Fraction, int]:
    """(canonical primitive key, lambda > 0, orientation o) with ``row = o * lambda * key``."""
    key = primitive_row(row)
    lead = next(i for i, v in enumerate(key) if v)
    o = 1 if key[lead] > 0 else -1
    key = tuple(o * v for v in key)
    return key, Fraction(row[lead]) / (o * key[lead]), o


def _neuron_kind(w: Sequence[Fraction], b: Fraction, domain: str | None) -> str:
    """'hinge' when the hyperplane meets the domain's interior, else 'active' or 'inactive'."""
    if domain is None:
        if any(w):
            return "hinge"
        return "active" if b > 0 else "inactive"
    if all(v >= 0 for v in w) and b >= 0:
        return "active"
    if all(v <= 0 for v in w) and b <= 0:
        return "inactive"
    return "hinge"


def shallow_decomposition(net: ReLUNetwork, *, domain: str | None = None) -> ShallowDecomposition:
    """The unique decomposition of the function of a one-hidden-layer network.

    Parameters
    ----------
    net
        A network with one hidden layer.
    domain
        ``None`` for all of ``R^d``; ``"orthant"`` for the closed nonnegative orthant.

    Notes
    -----
    Neuron ``(w, b, v)`` with ``(w, b) = o lam (a, t)``, ``lam > 0`` and ``(a, t)``
    canonical adds ``lam v`` to the hinge of ``(a, t)``; when ``o = -1`` it also
    adds ``-lam v (a . x + t)`` to the affine part (``relu(-z) = relu(z) - z``).
    Hinges whose coefficients cancel disappear (their affine parts stay).
    Neurons with ``v = 0`` contribute nothing; constant or always-active
    neurons contribute affine parts.  ``O(n (d + m))`` rational operations.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.analyses.fibers import shallow_decomposition
    >>> net = rg.zoo.duplicate_neurons()  # relu(x+y) + relu(2x+2y) + relu(x-y+1)
    >>> [(h.row, h.coefficient) for h in shallow_decomposition(net).hinges]
    [((1, -1, 1), (Fraction(1, 1),)), ((1, 1, 0), (Fraction(3, 1),))]
    """
    net = as_network(net, what="net")
    _check_shallow(net)
    domain = _check_domain(domain)
    d, m = net.input_dim, net.output_dim
    W1, b1 = net.weights[0], net.biases[0]
    V = list(zip(*net.weights[1]))  # columns v_i
    M = [[_ZERO] * d for _ in range(m)]
    b = list(net.biases[1])
    coef: dict[tuple[int, ...], list[Fraction]] = {}
    for w, bias, v in zip(W1, b1, V):
        if not any(v):
            continue
        kind = _neuron_kind(w, bias, domain)
        if kind == "inactive":
            continue
        if kind == "active":
            for r in range(m):
                for q in range(d):
                    M[r][q] += v[r] * w[q]
                b[r] += v[r] * bias
            continue
        key, lam, o = _orient(list(w) + [bias])
        acc = coef.setdefault(key, [_ZERO] * m)
        for r in range(m):
            acc[r] += lam * v[r]
        if o < 0:
            for r in range(m):
                for q in range(d):
                    M[r][q] -= lam * v[r] * key[q]
                b[r] -= lam * v[r] * key[d]
    hinges = tuple(sorted(Hinge(k[:d], k[d], tuple(c)) for k, c in coef.items() if any(c)))
    return ShallowDecomposition(d, m, hinges, tuple(map(tuple, M)), tuple(b), domain)


def _as_decomposition(f: Any) -> ShallowDecomposition:
    if isinstance(f, ShallowDecomposition):
        return f
    return shallow_decomposition(_check_shallow(f, "f"))


# ------------------------------------------------------------------ minimal representation
@dataclass(frozen=True, slots=True)
class _Plan:
    flips: tuple[int, ...]  # S: hinges realized by one neuron oriented against (a, t)
    doubled: tuple[int, ...]  # T: hinges realized by two opposite neurons
    rank: int  # cancelling pairs for the rest of the linear part

    def width(self, k: int) -> int:
        return k + len(self.doubled) + 2 * self.rank


def _residual(dec: ShallowDecomposition, S: Sequence[int]) -> list[list[Fraction]]:
    R = [list(r) for r in dec.linear]
    for j in S:
        h = dec.hinges[j]
        R = _add(R, _outer(h.coefficient, [Fraction(a) for a in h.normal]))
    return R


_MAX_SUBSETS = 1 << 20


def _min_subset(
    dec: ShallowDecomposition, candidates: Sequence[int], Q: list[list[Fraction]], r: int
) -> tuple[int, ...] | None:
    """The first S (by size, then lexicographically) with ``rank((M + sum_S c a^T) Q) <= r``."""
    base = _matmul(dec.linear, Q)
    terms = {
        j: _matmul(_outer(dec.hinges[j].coefficient, [Fraction(a) for a in dec.hinges[j].normal]), Q)
        for j in candidates
    }
    if r == 0:
        return _min_subset_zero(base, terms, candidates)
    if len(candidates) > 20:
        raise LimitExceededError(
            f"minimal width: {len(candidates)} hinges need an exhaustive search over 2^{len(candidates)} "
            "orientation choices; this is a subset-sum problem (NP-hard in general)"
        )
    for size in range(len(candidates) + 1):
        for S in itertools.combinations(candidates, size):
            R = base
            for j in S:
                R = _add(R, terms[j])
            if _rank(R) <= r:
                return S
    return None


def _min_subset_zero(
    base: list[list[Fraction]], terms: dict[int, list[list[Fraction]]], candidates: Sequence[int]
) -> tuple[int, ...] | None:
    """Meet in the middle: all S with ``base + sum_S terms = 0``; the first by (size, lexicographic)."""
    cand = list(candidates)
    if len(cand) > 40:
        raise LimitExceededError(
            f"minimal width: {len(cand)} hinges exceed the subset-sum search limit of 40"
        )
    half = len(cand) // 2
    left, right = cand[:half], cand[half:]

    def flat(A: list[list[Fraction]]) -> tuple[Fraction, ...]:
        return tuple(v for r in A for v in r)

    vecs = {j: flat(terms[j]) for j in cand}
    target = tuple(-v for v in flat(base))
    n = len(target)

    def sums(items: list[int]) -> list[tuple[tuple[Fraction, ...], tuple[int, ...]]]:
        out = [(tuple([_ZERO] * n), ())]
        for j in items:
            out += [(tuple(a + b for a, b in zip(s, vecs[j])), S + (j,)) for s, S in out]
        return out

    table: dict[tuple[Fraction, ...], list[tuple[int, ...]]] = {}
    for s, S in sums(right):
        table.setdefault(s, []).append(S)
    best: tuple[int, ...] | None = None
    for s, S in sums(left):
        need = tuple(a - b for a, b in zip(target, s))
        for S2 in table.get(need, ()):
            cand_S = tuple(sorted(S + S2))
            if best is None or (len(cand_S), cand_S) < (len(best), best):
                best = cand_S
    return best


def _plan(dec: ShallowDecomposition) -> _Plan:
    k, d = dec.n_hinges, dec.input_dim
    upper = 2 * _rank(dec.linear)
    normals = [[Fraction(a) for a in h.normal] for h in dec.hinges]
    for extra in range(upper + 1):
        for tsize in range(min(extra, d, k) + 1):
            if (extra - tsize) % 2:
                continue
            r = (extra - tsize) // 2
            for T in itertools.combinations(range(k), tsize):
                if tsize and _rank([normals[j] for j in T]) < tsize:
                    continue
                Q = _projector_complement([normals[j] for j in T], d)
                S = _min_subset(dec, [j for j in range(k) if j not in T], Q, r)
                if S is not None:
                    return _Plan(tuple(S), tuple(T), r)
    raise AssertionError("no plan within the upper bound")  # pragma: no cover


def minimal_width(f: ReLUNetwork | ShallowDecomposition) -> int:
    """The smallest hidden width of a one-hidden-layer network computing ``f`` on ``R^d``.

    Notes
    -----
    With ``k`` hinges and affine part ``M``, the minimum is ``k + |T| + 2 rank(R_S (I - P_T))``
    minimised over hinge sets ``S`` (realized by one neuron oriented against
    ``(a_j, t_j)``) and ``T`` (realized by two opposite neurons), where ``R_S = M +
    sum_{j in S} c_j a_j^T`` and ``P_T`` projects orthogonally onto the span of
    ``a_j, j in T``.  Proof in ``docs/fibers.md``.  Deciding whether the
    minimum is ``k`` is a subset-sum problem; it is solved exactly by a
    meet-in-the-middle search (``O(2^(k/2))``), other cases by enumeration in
    order of size.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.analyses.fibers import minimal_width
    >>> minimal_width(rg.zoo.abs_1d()), minimal_width(rg.zoo.duplicate_neurons())
    (2, 2)
    >>> ident = rg.ReLUNetwork([[[1], [-1]], [[1, -1]]], [[0, 0], [0]])  # x = relu(x) - relu(-x)
    >>> minimal_width(ident)
    2
    """
    dec = _as_decomposition(f)
    if dec.domain is not None:
        raise InvalidInputError("f: minimal_width is defined for functions on all of R^d (domain=None)")
    return _plan(dec).width(dec.n_hinges)


def canonical_form(net: ReLUNetwork) -> ReLUNetwork:
    """The canonical minimal one-hidden-layer network computing the same function on ``R^d``.

    Neurons on one hyperplane are merged, cancelling neurons become part of the
    affine map, dead and invisible neurons disappear; the affine part is then
    realized as cheaply as possible (by orienting hinge neurons, by doubling a
    hinge, or with cancelling pairs ``u relu(e . x) - u relu(-e . x) = u (e . x)``).
    Every first-layer row is a primitive integer vector ``+-(a, t)``.

    Conventions (``docs/fibers.md``): neurons come hinge by hinge in the sorted
    order of the canonical hinges; a hinge in ``T`` gives two neurons, ``+(a, t)``
    then ``-(a, t)``; then one pair per row ``e`` of the reduced row echelon form
    of the remaining linear part, ``+(e, 0)`` then ``-(e, 0)``.  Among minimal
    choices, the fewest doubled hinges, then the lexicographically first ``T``,
    then the fewest and lexicographically first flipped hinges ``S``.  A function
    of minimal width 0 (a constant) is returned with one zero neuron, since a
    layer cannot be empty.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.analyses.fibers import canonical_form
    >>> net = rg.ReLUNetwork([[[2], [-3], [1]], [[1, 1, 0]]], [[0, 0, 5], [1]])  # relu(2x) + relu(-3x) + 1
    >>> cf = canonical_form(net)
    >>> cf.weights, cf.biases
    ((((Fraction(1, 1),), (Fraction(-1, 1),)), ((Fraction(2, 1), Fraction(3, 1)),)), ((Fraction(0, 1), Fraction(0, 1)), (Fraction(1, 1),)))
    >>> canonical_form(cf) == cf and rg.functionally_equivalent(net, cf).equivalent
    True
    """
    net = as_network(net, what="net")
    dec = shallow_decomposition(_check_shallow(net))
    return _network_from_plan(dec, _plan(dec))


def _network_from_plan(dec: ShallowDecomposition, plan: _Plan) -> ReLUNetwork:
    d, m = dec.input_dim, dec.output_dim
    rows: list[list[Fraction]] = []
    outs: list[list[Fraction]] = []  # output columns
    bias = list(dec.bias)
    R = _residual(dec, plan.flips)
    for j in plan.flips:
        h = dec.hinges[j]
        bias = [b + c * h.offset for b, c in zip(bias, h.coefficient)]
    T = list(plan.doubled)
    U: dict[int, list[Fraction]] = {}
    if T:
        A = [[Fraction(a) for a in dec.hinges[j].normal] for j in T]  # rows a_j
        Ut = _matmul(_matmul(R, list(zip(*A))), _inverse(_matmul(A, list(zip(*A)))))  # m x |T|
        for col, j in enumerate(T):
            U[j] = [Ut[r][col] for r in range(m)]
        R = _matmul(R, _projector_complement(A, d))
    for j, h in enumerate(dec.hinges):
        row = [Fraction(v) for v in h.row]
        if j in U:
            u = U[j]
            rows.append(row)
            outs.append([c + x for c, x in zip(h.coefficient, u)])
            rows.append([-v for v in row])
            outs.append([-x for x in u])
            bias = [b - x * h.offset for b, x in zip(bias, u)]
        elif j in plan.flips:
            rows.append([-v for v in row])
            outs.append(list(h.coefficient))
        else:
            rows.append(row)
            outs.append(list(h.coefficient))
    red, piv = rref([r for r in R if any(r)]) if any(any(r) for r in R) else ([], [])
    for e, p in zip(red, piv):
        prim = primitive_row(e)
        s = e[p] / prim[p]  # e = s * prim, s > 0
        u = [R[r][p] * s for r in range(m)]
        rows.append([Fraction(v) for v in prim] + [_ZERO])
        outs.append(u)
        rows.append([Fraction(-v) for v in prim] + [_ZERO])
        outs.append([-x for x in u])
    if not rows:
        rows.append([_ZERO] * (d + 1))
        outs.append([_ZERO] * m)
    W1 = [r[:d] for r in rows]
    b1 = [r[d] for r in rows]
    W2 = [list(x) for x in zip(*outs)]
    return ReLUNetwork([W1, W2], [b1, bias])


# ------------------------------------------------------------------ fibers
ROLES = ("visible", "cancelling", "linear", "inactive", "inert")
MAX_PIECES = 5000
Counts = tuple[int, int]


def _core_dimension(m: int, d: int, r: int, rho: int, t: int, tk: int, s: int) -> int:
    """``dim {(U_T, U, V) : U_T A_T + U V = R, rank(V mod K) = s}`` (see :func:`_core_dimensions`)."""
    return r * tk + (s - rho) * (d - tk - s) + s * r + m * (t + r - tk - s)


def _core_dimensions(m: int, d: int, r: int, rho: int, t: int, tk: int, nonzero_rows: bool) -> dict[int, int]:
    """``s -> dim`` for the components of ``{(U_T, U, V) : U_T A_T + U V = R}`` (empty when ``r < rho``).

    ``U_T`` is ``m x t`` (free coefficients of ``t`` doubled hinges whose normals
    ``A_T`` span a space ``K`` of dimension ``tk``), ``U`` is ``m x r`` and ``V`` is
    ``r x d``; ``rho`` is the rank of ``R`` modulo ``K``.  Choosing ``V`` first,
    ``(U_T, U)`` solve a linear system with ``m (t + r - tk - s)`` free dimensions,
    solvable iff the row space of ``R`` lies in ``K + rowspace V``; the ``V`` with
    ``rank(V mod K) = s`` and that property form a set of dimension
    ``r tk + (s - rho)(d - tk - s) + s r``.  With ``nonzero_rows`` (a cancelling
    group's normal is never zero) and ``tk = 0`` the component ``s = 0`` (``V = 0``) is
    excluded.
    """
    lo = max(rho, 1) if nonzero_rows and tk == 0 else rho
    return {s: _core_dimension(m, d, r, rho, t, tk, s) for s in range(lo, min(r, d - tk) + 1)}


@dataclass(frozen=True, slots=True)
class _Core:
    """Data of one orientation pattern ``(S, T)``: the linear part the extra terms must produce."""

    R: list[list[Fraction]]  # R_S = M + sum_{j in S} c_j a_j^T
    T: tuple[int, ...]
    tk: int
    rho: int
    lineality: tuple[int, int] | None  # orthant only: (dim l, dim l cap (R^m x 0)) of the stacked cone


def _stacked_columns(core: _Core, dec: ShallowDecomposition) -> list[list[Fraction]]:
    """``g_q = (R e_q, A_T e_q)`` in ``Q^(m + t)``, ``q = 1..d``."""
    d = dec.input_dim
    return [
        [row[q] for row in core.R] + [Fraction(dec.hinges[j].normal[q]) for j in core.T] for q in range(d)
    ]


def _lineality_generators(cols: Sequence[Sequence[Fraction]]) -> list[int]:
    """Indices ``q`` of the nonzero generators with ``-g_q`` in ``cone(g)``: they span the lineality space.

    One exact LP per generator: ``lambda >= 0``, ``sum lambda_i g_i = 0``, ``lambda_q >= 1``.
    """
    from relu_geom.geometry.polyhedron import Polyhedron

    n = len(cols)
    dim = len(cols[0]) if cols else 0
    out = []
    for q in range(n):
        if not any(cols[q]):
            continue
        ineq = [[-int(i == j) for j in range(n)] + [0] for i in range(n)]
        ineq.append([-int(j == q) for j in range(n)] + [-1])
        eqs = [[cols[j][c] for j in range(n)] + [0] for c in range(dim)]
        if not Polyhedron.from_hrep(ineq, eqs, ambient_dim=n).is_empty:
            out.append(q)
    return out


def _lineality(core: _Core, dec: ShallowDecomposition) -> tuple[int, int]:
    """``(dim l, dim l cap (R^m x 0))`` for the lineality space ``l`` of the stacked cone."""
    cols = _stacked_columns(core, dec)
    m = dec.output_dim
    gens = [cols[q] for q in _lineality_generators(cols)]
    full = _rank(gens)
    return full, full - _rank([g[m:] for g in gens])


def _make_core(dec: ShallowDecomposition, S: tuple[int, ...], T: tuple[int, ...], orthant: bool) -> _Core:
    normals = [[Fraction(a) for a in dec.hinges[j].normal] for j in T]
    R = _residual(dec, S)
    tk = _rank(normals) if T else 0
    rho = _rank_mod(R, rref(normals)[0] if T else [])
    core = _Core(R, T, tk, rho, None)
    if orthant:
        object.__setattr__(core, "lineality", _lineality(core, dec))
    return core


def _piece_dimension(
    dec: ShallowDecomposition,
    core: _Core,
    hinge_counts: Sequence[Counts],
    groups: Sequence[Counts],
    n_linear: int,
    n_inactive: int,
    n_inert: int,
) -> tuple[int, int] | None:
    """``(dimension mod scaling, s)`` of a piece, or None when it is empty (``docs/fibers.md``, 2.3)."""
    d, m = dec.input_dim, dec.output_dim
    orthant = dec.domain == "orthant"
    t = len(core.T)
    mixed = sum(1 for p, q in groups if q)
    L = n_linear if orthant else 0
    r = mixed + L
    if r < core.rho:
        return None
    extra = sum(m * (p + q - 1) for p, q in hinge_counts) - m * t
    extra += sum(m * (p + q - 2) if q else d + m * (p - 1) for p, q in groups)
    extra += (d + m) * n_inactive if orthant else m * (n_linear + n_inactive)
    extra += d * n_inert
    if orthant and L and r == core.rho:
        assert core.lineality is not None
        full, kernel_part = core.lineality
        if kernel_part > mixed:
            return None
        s = core.rho
        return _core_dimension(m, d, r, core.rho, t, core.tk, s) - full * L + extra, s
    dims = _core_dimensions(m, d, r, core.rho, t, core.tk, mixed > 0)
    if (
        orthant
        and L
        and core.rho in dims
        and core.rho < d - core.tk
        and not _has_positive_in_span(_row_space_with_K(dec, core), d)
    ):
        del dims[core.rho]  # linear rows need a positive vector in rowspace(R_S) + K
    if not dims:
        return None
    s = max(dims, key=lambda k: (dims[k], k))
    return dims[s] + extra, s


def _row_space_with_K(dec: ShallowDecomposition, core: _Core) -> list[list[Fraction]]:
    rows = [list(r) for r in core.R if any(r)] + [[Fraction(a) for a in dec.hinges[j].normal] for j in core.T]
    return [list(r) for r in rref(rows)[0]] if rows else []


def _group_types(budget: int) -> list[Counts]:
    """Cancelling group types ``(p, q)``, ``p >= q >= 0``, ``2 <= p + q <= budget``."""
    return [(p, size - p) for size in range(2, budget + 1) for p in range(size, (size - 1) // 2, -1)]


def _multisets(types: Sequence[Counts], budget: int, start: int = 0) -> Iterator[tuple[Counts, ...]]:
    """Sorted multisets of group types of total size at most ``budget``, one at a time."""
    yield ()
    for i in range(start, len(types)):
        size = sum(types[i])
        if size <= budget:
            for rest in _multisets(types, budget - size, i):
                yield (types[i], *rest)


@dataclass(frozen=True, slots=True)
class FiberPiece:
    """One semi-algebraic piece (stratum) of a shallow fiber.

    The piece holds the networks whose neurons, after a permutation, play the
    roles :attr:`roles` in this order:

    * hinge by hinge (in hinge order), ``p_j`` ``visible`` neurons oriented with
      ``(a_j, t_j)`` and then ``q_j`` oriented against it
      (``hinge_counts[j] = (p_j, q_j)``, ``p_j + q_j >= 1``), whose hinge
      coefficients ``lambda_i v_i`` add up to ``c_j``.  Hinge ``j`` is *flipped*
      when ``p_j = 0`` and *doubled* (absorbs a free linear term ``u_j a_j^T``)
      when ``p_j, q_j >= 1``; ``p_j + q_j >= 2`` are *split* neurons;
    * for each ``(p, q)`` in ``groups`` (``p >= q``, ``p + q >= 2``), ``p + q``
      ``cancelling`` neurons on one hyperplane meeting the domain's interior
      (any hyperplane, hinges included), ``p`` with one orientation then ``q``
      with the other, whose hinge coefficients add up to zero: a *mixed* group
      (``q >= 1``) adds a free rank-one affine term, a *same-orientation* group
      (``q = 0``) adds nothing;
    * ``n_linear`` ``linear`` neurons (always active on the domain),
      ``n_inactive`` ``inactive`` neurons (never active) and ``n_inert``
      ``inert`` neurons (zero output weights).

    Pieces are closed under letting output weights vanish, so they overlap on
    lower-dimensional strata.

    Attributes
    ----------
    dimension : int
        Dimension of the piece in parameter space.
    dimension_mod_scaling : int
        Dimension modulo the positive rescalings (``dimension - n``); Theorem 6
        of paper 001 gives this number for its generic pieces.
    residual_rank : int
        Rank of ``R_S = M + sum_{j in flips} c_j a_j^T`` modulo the normals of the
        doubled hinges: the linear part the extra neurons must produce.
    """

    fiber: ShallowFiber = field(repr=False, compare=False)
    hinge_counts: tuple[Counts, ...]
    groups: tuple[Counts, ...]
    n_linear: int
    n_inactive: int
    n_inert: int
    dimension_mod_scaling: int
    residual_rank: int
    core_rank: int = field(default=0, repr=False)  # s: rank of the extra normals modulo K in the sample
    _lazy: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def dimension(self) -> int:
        return self.dimension_mod_scaling + self.fiber.width

    @property
    def flips(self) -> tuple[int, ...]:
        """Hinges carried only by neurons oriented against ``(a_j, t_j)``."""
        return tuple(j for j, (p, q) in enumerate(self.hinge_counts) if not p)

    @property
    def doubled(self) -> tuple[int, ...]:
        """Hinges carried by neurons of both orientations."""
        return tuple(j for j, (p, q) in enumerate(self.hinge_counts) if p and q)

    @property
    def split(self) -> tuple[int, ...]:
        """Hinges carried by two or more neurons."""
        return tuple(j for j, (p, q) in enumerate(self.hinge_counts) if p + q >= 2)

    @property
    def n_pairs(self) -> int:
        """Number of cancelling groups of type ``(1, 1)``."""
        return sum(1 for g in self.groups if g == (1, 1))

    @property
    def n_mixed_groups(self) -> int:
        """Number of cancelling groups with both orientations (each adds a rank-one affine term)."""
        return sum(1 for p, q in self.groups if q)

    @property
    def roles(self) -> tuple[str, ...]:
        return (
            ("visible",) * sum(p + q for p, q in self.hinge_counts)
            + ("cancelling",) * sum(p + q for p, q in self.groups)
            + ("linear",) * self.n_linear
            + ("inactive",) * self.n_inactive
            + ("inert",) * self.n_inert
        )

    @property
    def orientations(self) -> tuple[int, ...]:
        """Orientations (+1 with ``(a_j, t_j)``, -1 against) of the visible neurons, in role order."""
        return tuple(o for _, _, o in self._visible_slots())

    def describe(self) -> str:
        """One line: hinge counts, groups, role counts and dimensions."""
        parts = [f"flips {list(self.flips)}"]
        if self.doubled:
            parts.append(f"doubled {list(self.doubled)}")
        multi = [f"{j}:{p}+{q}-" for j, (p, q) in enumerate(self.hinge_counts) if max(p, q) >= 2]
        if multi:
            parts.append("split " + " ".join(multi))
        if self.groups:
            parts.append("groups " + " ".join(f"{p}+{q}" for p, q in self.groups))
        for name, n in (("linear", self.n_linear), ("inactive", self.n_inactive), ("inert", self.n_inert)):
            if n:
                parts.append(f"{n} {name}")
        return ", ".join(parts) + f"; dimension {self.dimension} ({self.dimension_mod_scaling} mod scaling)"

    # ------------------------------------------------------------ equations
    @lazy
    def symbols(self) -> tuple[Any, ...]:
        """sympy symbols of the parameters in :meth:`ReLUNetwork.parameters` order."""
        import sympy

        f = self.fiber
        d, n, m = f.decomposition.input_dim, f.width, f.decomposition.output_dim
        names = [f"w{i}_{q}" for i in range(n) for q in range(d)] + [f"b{i}" for i in range(n)]
        names += [f"v{r}_{i}" for r in range(m) for i in range(n)] + [f"c{r}" for r in range(m)]
        return tuple(sympy.symbols(names, real=True))

    def _sym(self) -> tuple[list[list[Any]], list[Any], list[list[Any]], list[Any]]:
        f = self.fiber
        d, n, m = f.decomposition.input_dim, f.width, f.decomposition.output_dim
        s = self.symbols
        W = [list(s[i * d : (i + 1) * d]) for i in range(n)]
        b = list(s[n * d : n * d + n])
        off = n * d + n
        V = [list(s[off + r * n : off + (r + 1) * n]) for r in range(m)]
        c = list(s[off + m * n :])
        return W, b, V, c

    def _visible_slots(self) -> list[tuple[int, int, int]]:
        """(neuron position, hinge, orientation) of the visible neurons."""
        out, i = [], 0
        for j, (p, q) in enumerate(self.hinge_counts):
            for o in [1] * p + [-1] * q:
                out.append((i, j, o))
                i += 1
        return out

    def _group_slots(self) -> list[tuple[int, list[int], list[int]]]:
        """(first position, positions of the p neurons, positions of the q neurons) per group."""
        i = len(self._visible_slots())
        out = []
        for p, q in self.groups:
            out.append((i, list(range(i, i + p)), list(range(i + p, i + p + q))))
            i += p + q
        return out

    @lazy
    def equations(self) -> tuple[Any, ...]:
        """Polynomials (sympy) that vanish on the piece, neurons in the role order of :attr:`roles`."""
        import sympy

        dec = self.fiber.decomposition
        d, m = dec.input_dim, dec.output_dim
        W, b, V, c = self._sym()
        eqs: list[Any] = []
        lin = [[sympy.Integer(0)] * d for _ in range(m)]
        aff = [sympy.Integer(0)] * m

        def contribute(i: int) -> None:
            for r in range(m):
                for q in range(d):
                    lin[r][q] += V[r][i] * W[i][q]
                aff[r] += V[r][i] * b[i]

        hinge_sum: dict[int, list[Any]] = {}
        for i, j, o in self._visible_slots():
            g = dec.hinges[j].row
            x = W[i] + [b[i]]
            p = next(q for q, v in enumerate(g) if v)
            eqs += [g[p] * x[q] - g[q] * x[p] for q in range(d + 1) if q != p]
            acc = hinge_sum.setdefault(j, [sympy.Integer(0)] * m)
            for r in range(m):
                acc[r] += o * V[r][i] * x[p]  # lambda v times g_p
            if o < 0:
                contribute(i)
        for j, acc in hinge_sum.items():
            g = dec.hinges[j].row
            p = next(q for q, v in enumerate(g) if v)
            eqs += [acc[r] - sympy.Rational(dec.hinges[j].coefficient[r]) * g[p] for r in range(m)]
        for first, plus, minus in self._group_slots():
            x1 = W[first] + [b[first]]
            total = [sympy.Integer(0)] * m
            for i in plus + minus:
                y = W[i] + [b[i]]
                if i != first:
                    eqs += [x1[p] * y[q] - x1[q] * y[p] for p in range(d + 1) for q in range(p + 1, d + 1)]
                dot = sum(s * t for s, t in zip(x1, y))
                sign = 1 if i in plus else -1
                for r in range(m):
                    total[r] += sign * dot * V[r][i]
            eqs += total
            for i in minus:
                contribute(i)
        i = len(self.roles) - self.n_linear - self.n_inactive - self.n_inert
        for _ in range(self.n_linear):
            if self.fiber.domain is None:
                eqs += list(W[i])
            contribute(i)
            i += 1
        for _ in range(self.n_inactive):
            if self.fiber.domain is None:
                eqs += list(W[i])
            i += 1
        for _ in range(self.n_inert):
            eqs += [V[r][i] for r in range(m)]
            i += 1
        for r in range(m):
            eqs += [lin[r][q] - sympy.Rational(dec.linear[r][q]) for q in range(d)]
            eqs.append(aff[r] + c[r] - sympy.Rational(dec.bias[r]))
        return tuple(e for e in (sympy.expand(e) for e in eqs) if e != 0)

    @lazy
    def inequalities(self) -> tuple[Any, ...]:
        """sympy relations that hold on the piece (together with :attr:`equations`)."""
        import sympy

        dec = self.fiber.decomposition
        W, b, V, c = self._sym()
        out: list[Any] = []
        for i, j, o in self._visible_slots():
            g = dec.hinges[j].row
            p = next(q for q, v in enumerate(g) if v)
            out.append((o * g[p] * (W[i] + [b[i]])[p]) > 0)
        for first, plus, minus in self._group_slots():
            x1 = W[first] + [b[first]]
            if self.fiber.domain is None:
                out.append(sympy.Or(*[sympy.Ne(w, 0) for w in W[first]]))
            else:  # the hyperplane meets the open orthant
                out.append(sympy.And(sympy.Or(*[v > 0 for v in x1]), sympy.Or(*[v < 0 for v in x1])))
            for i in plus + minus:
                if i != first:
                    dot = sum(s * t for s, t in zip(x1, W[i] + [b[i]]))
                    out.append(dot > 0 if i in plus else dot < 0)
        i = len(self.roles) - self.n_linear - self.n_inactive - self.n_inert
        for _ in range(self.n_linear):
            if self.fiber.domain == "orthant":
                out += [w >= 0 for w in W[i]]
            out.append(b[i] >= 0)
            i += 1
        for _ in range(self.n_inactive):
            if self.fiber.domain == "orthant":
                out += [w <= 0 for w in W[i]]
            out.append(b[i] <= 0)
            i += 1
        return tuple(q for q in out if q is not True)

    # ------------------------------------------------------------ membership
    def contains(self, net: ReLUNetwork) -> bool:
        """Exact membership: same function on the domain and a role assignment of the neurons.

        Complexity: the decomposition (``O(n (d + m))``) plus a backtracking
        search over subsets of the neurons on each hyperplane.
        """
        f = self.fiber
        _check_shallow(net)
        if net.architecture != f.architecture:
            return False
        if shallow_decomposition(net, domain=f.domain) != f.decomposition:
            return False
        return _assign_roles(net, self) is not None

    def ordered(self, net: ReLUNetwork) -> ReLUNetwork | None:
        """``net`` with its neurons permuted into the role order (None when not in the piece)."""
        if not self.contains(net):
            return None
        perm = _assign_roles(net, self)
        assert perm is not None
        return net.permute_layer(1, perm)

    def satisfies_equations(self, net: ReLUNetwork) -> bool:
        """Whether ``net`` (in role order) satisfies :attr:`equations` and :attr:`inequalities`."""
        subs = dict(zip(self.symbols, [_sympy_rational(v) for v in net.parameters()]))
        return all(e.subs(subs) == 0 for e in self.equations) and all(
            bool(q.subs(subs)) for q in self.inequalities
        )

    def jacobian_rank(self, net: ReLUNetwork) -> int:
        """Exact rank of the Jacobian of :attr:`equations` at ``net`` (in role order)."""
        import sympy

        from relu_geom.arith.linalg import rank

        subs = dict(zip(self.symbols, [_sympy_rational(v) for v in net.parameters()]))
        rows = [[sympy.diff(e, s).subs(subs) for s in self.symbols] for e in self.equations]
        return rank([[Fraction(int(v.p), int(v.q)) for v in row] for row in rows]) if rows else 0

    # ------------------------------------------------------------ sampling
    def sample(self, seed: int = 0) -> ReLUNetwork:
        """An exact point of the piece (reproducible from ``seed``), neurons in role order.

        The point lies on the largest component of the piece (generic choices).
        """
        return _sample_piece(self, seed)


def _sympy_rational(v: Fraction) -> Any:
    import sympy

    return sympy.Rational(v.numerator, v.denominator)


def _assign_roles(net: ReLUNetwork, piece: FiberPiece) -> list[int] | None:
    """A permutation putting ``net``'s neurons into the piece's role order, or None."""
    f = piece.fiber
    dec, domain = f.decomposition, f.domain
    m = dec.output_dim
    W1, b1 = net.weights[0], net.biases[0]
    V = list(zip(*net.weights[1]))
    n = len(W1)
    lines: dict[tuple[int, ...], list[tuple[int, int, Fraction]]] = {}
    for i in range(n):
        if _neuron_kind(W1[i], b1[i], domain) == "hinge":
            key, lam, o = _orient(list(W1[i]) + [b1[i]])
            lines.setdefault(key, []).append((i, o, lam))
    zero = tuple([_ZERO] * m)

    def weighted(members: Sequence[tuple[int, int, Fraction]]) -> tuple[Fraction, ...]:
        out = [_ZERO] * m
        for i, _, lam in members:
            for r in range(m):
                out[r] += lam * V[i][r]
        return tuple(out)

    def choices(
        key: tuple[int, ...], p: int, q: int, target: tuple[Fraction, ...], used: set[int]
    ) -> list[list[int]]:
        avail = [x for x in lines.get(key, []) if x[0] not in used]
        plus = [x for x in avail if x[1] == 1]
        minus = [x for x in avail if x[1] == -1]
        out = []
        for P in itertools.combinations(plus, p):
            for Q in itertools.combinations(minus, q):
                if weighted(P + Q) == target:
                    out.append([x[0] for x in P] + [x[0] for x in Q])
        return out

    hinge_jobs = [
        (dec.hinges[j].row, p, q, dec.hinges[j].coefficient) for j, (p, q) in enumerate(piece.hinge_counts)
    ]
    slots = ["linear"] * piece.n_linear + ["inactive"] * piece.n_inactive + ["inert"] * piece.n_inert

    def can(i: int, role: str) -> bool:
        kind = _neuron_kind(W1[i], b1[i], domain)
        if role == "linear":
            return kind == "active"
        if role == "inactive":
            return kind == "inactive"
        return not any(V[i])

    def singles(used: set[int]) -> list[int] | None:
        rest = [i for i in range(n) if i not in used]
        if len(rest) != len(slots):
            return None
        order: list[int] = []
        taken: set[int] = set()

        def go(s: int) -> bool:
            if s == len(slots):
                return True
            for i in rest:
                if i not in taken and can(i, slots[s]):
                    taken.add(i)
                    order.append(i)
                    if go(s + 1):
                        return True
                    taken.discard(i)
                    order.pop()
            return False

        return order if go(0) else None

    def place_groups(g: int, used: set[int]) -> list[int] | None:
        if g == len(piece.groups):
            return singles(used)
        p, q = piece.groups[g]
        for key in lines:
            for pp, qq in {(p, q), (q, p)}:
                for ch in choices(key, pp, qq, zero, used):
                    if (pp, qq) != (p, q):  # the p-block first: the larger orientation class
                        ch = ch[pp:] + ch[:pp]
                    sub = place_groups(g + 1, used | set(ch))
                    if sub is not None:
                        return ch + sub
        return None

    def place_hinges(j: int, used: set[int]) -> list[int] | None:
        if j == len(hinge_jobs):
            return place_groups(0, used)
        key, p, q, c = hinge_jobs[j]
        for ch in choices(key, p, q, c, used):
            sub = place_hinges(j + 1, used | set(ch))
            if sub is not None:
                return ch + sub
        return None

    return place_hinges(0, set())


@dataclass(frozen=True, slots=True)
class ShallowFiber:
    """The fiber of a shallow function among networks of one width, as a union of pieces.

    ``pieces`` lists every nonempty stratum (see :class:`FiberPiece`): every
    network of this width computing the function lies in at least one piece
    (``docs/fibers.md``, section 2.3); :meth:`contains` decides membership in
    the whole fiber exactly.
    """

    decomposition: ShallowDecomposition
    width: int
    pieces: tuple[FiberPiece, ...]
    reference: ReLUNetwork = field(repr=False)

    @property
    def domain(self) -> str | None:
        return self.decomposition.domain

    @property
    def architecture(self) -> tuple[int, ...]:
        return (self.decomposition.input_dim, self.width, self.decomposition.output_dim)

    @property
    def dimension(self) -> int:
        """The largest dimension of a listed piece (-1 when there is none)."""
        return max((p.dimension for p in self.pieces), default=-1)

    def contains(self, net: ReLUNetwork) -> bool:
        """Exact: ``net`` has this width and computes the same function on the domain."""
        _check_shallow(net)
        return net.architecture == self.architecture and (
            shallow_decomposition(net, domain=self.domain) == self.decomposition
        )

    def pieces_containing(self, net: ReLUNetwork) -> tuple[FiberPiece, ...]:
        """The pieces that contain ``net`` (at least one when :meth:`contains` holds)."""
        if not self.contains(net):
            return ()
        return tuple(p for p in self.pieces if _assign_roles(net, p) is not None)

    def piece(
        self,
        flips: Sequence[int] = (),
        doubled: Sequence[int] = (),
        *,
        hinge_counts: Sequence[Counts] | None = None,
        groups: Sequence[Counts] | None = None,
        **counts: int,
    ) -> FiberPiece | None:
        """The first piece with these flips, doubled hinges, hinge counts, groups and role counts, or None.

        Without ``hinge_counts`` and ``groups``, the piece has one neuron per
        non-doubled hinge, two per doubled hinge and only ``(1, 1)`` groups.
        """
        if hinge_counts is None:
            hinge_counts = [
                (1, 1) if j in doubled else (0, 1) if j in flips else (1, 0)
                for j in range(self.decomposition.n_hinges)
            ]
        if groups is None:
            groups = [(1, 1)] * counts.pop("n_pairs", 0)
        for p in self.pieces:
            if (
                p.hinge_counts == tuple(map(tuple, hinge_counts))
                and p.groups == tuple(sorted(map(tuple, groups), key=_group_key))
                and all(getattr(p, k) == v for k, v in counts.items())
            ):
                return p
        return None

    def samples(self, per_piece: int = 1, seed: int = 0) -> list[ReLUNetwork]:
        """Exact sample points, ``per_piece`` from every piece."""
        return [p.sample(seed + s) for p in self.pieces for s in range(per_piece)]

    def to_dict(self, *, samples: bool = True, equations: bool = True) -> dict[str, Any]:
        """JSON-ready summary: pieces with roles, dimensions and (optionally) one sample each."""
        out: dict[str, Any] = {
            "architecture": list(self.architecture),
            "domain": self.domain or "R^d",
            "decomposition": self.decomposition.to_dict(),
            "minimal_width": None if self.domain else minimal_width(self.decomposition),
            "dimension": self.dimension,
            "pieces": [],
        }
        for p in self.pieces:
            entry: dict[str, Any] = {
                "flips": list(p.flips),
                "doubled": list(p.doubled),
                "hinge_counts": [list(c) for c in p.hinge_counts],
                "groups": [list(g) for g in p.groups],
                "n_pairs": p.n_pairs,
                "n_linear": p.n_linear,
                "n_inactive": p.n_inactive,
                "n_inert": p.n_inert,
                "roles": list(p.roles),
                "dimension": p.dimension,
                "dimension_mod_scaling": p.dimension_mod_scaling,
            }
            if equations:
                entry["equations"] = [str(e) for e in p.equations]
                entry["inequalities"] = [str(q) for q in p.inequalities]
            if samples:
                entry["sample"] = p.sample(0).to_dict()
            out["pieces"].append(entry)
        return out


def _group_key(g: Sequence[int]) -> tuple[int, int]:
    return (g[0] + g[1], -g[1])


def _pointed_direction(cols: Sequence[Sequence[Fraction]]) -> tuple[Fraction, ...] | None:
    """A vector ``y`` with ``y . c > 0`` for every nonzero column ``c`` (None when the cone is not pointed)."""
    from relu_geom.geometry.polyhedron import Polyhedron

    nz = [list(c) for c in cols if any(c)]
    if not nz:
        return None
    dim = len(nz[0])
    poly = Polyhedron.from_hrep([[-v for v in c] + [-1] for c in nz], ambient_dim=dim)
    if poly.is_empty:
        return None
    return poly.interior_point


def shallow_fiber(
    net: ReLUNetwork,
    width: int | None = None,
    *,
    domain: str | None = None,
    max_pieces: int = MAX_PIECES,
) -> ShallowFiber:
    """The fiber of ``net``'s function among one-hidden-layer networks of ``width`` neurons.

    Parameters
    ----------
    net
        A network with one hidden layer.
    width
        Hidden width of the networks in the fiber (default: ``net``'s).
    domain
        ``None`` (all of ``R^d``) or ``"orthant"`` (the closed nonnegative
        orthant, where a neuron whose hyperplane misses the interior is
        *linear* -- always active -- or inactive; the setting in which Theorem 6
        of paper 001 counts linear neurons; see ``docs/fibers.md``).
    max_pieces
        Bound on the number of candidate strata examined; beyond it a
        :class:`~relu_geom.errors.LimitExceededError` is raised.

    Returns
    -------
    ShallowFiber
        Every stratum as a :class:`FiberPiece`, indexed by the numbers
        ``(p_j, q_j)`` of neurons oriented with and against each hinge, the
        cancelling groups ``(p, q)`` and the numbers of linear, inactive and
        inert neurons; each piece has sympy equations and inequalities, its
        dimension, an exact membership test and exact sample points.  Pieces
        come by decreasing dimension.

    Notes
    -----
    Flipped hinges ``S`` (``p_j = 0``) leave the linear part ``R_S = M + sum_{j in S}
    c_j a_j^T``; it must be produced by the doubled hinges ``T`` (``p_j, q_j >= 1``:
    ``u_j a_j^T``, ``u_j`` free) and ``r`` extra rank-one terms (mixed cancelling
    groups, and linear neurons with ``w >= 0`` on the orthant).  With ``rho`` the rank
    of ``R_S`` modulo the doubled normals the piece is empty when ``r < rho``; on the
    orthant with ``r = rho`` and linear neurons it is nonempty iff the lineality
    space of the cone spanned by the columns ``(R_S e_q, A_T e_q)`` meets ``R^m x 0``
    in dimension at most the number of mixed groups.  The dimension modulo
    scaling is the core dimension ``max_s [r tk + (s - rho)(d - tk - s) + s r +
    m (t + r - tk - s)]`` plus ``m (p_j + q_j - 1)`` per hinge (minus ``m`` when doubled),
    ``m (p + q - 2)`` per mixed group, ``d + m (p - 1)`` per same-orientation group,
    ``m`` per linear or inactive neuron on ``R^d``, ``d + m`` per inactive neuron on
    the orthant and ``d`` per inert neuron.  Derivations in ``docs/fibers.md``.
    The number of candidate strata grows quickly with ``width - k``.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.analyses.fibers import shallow_fiber
    >>> fib = shallow_fiber(rg.zoo.abs_1d())  # |x| = relu(x) + relu(-x) with two neurons
    >>> [(p.hinge_counts, p.roles, p.dimension) for p in fib.pieces]
    [(((1, 1),), ('visible', 'visible'), 2)]
    >>> all(fib.contains(s) for s in fib.samples())
    True
    >>> for p in shallow_fiber(rg.zoo.abs_1d(), 3).pieces[::2]:
    ...     print(p.describe())
    flips [], groups 1+1; dimension 4 (1 mod scaling)
    flips [], doubled [0], 1 linear; dimension 4 (1 mod scaling)
    flips [], doubled [0], 1 inert; dimension 4 (1 mod scaling)
    flips [], doubled [0], split 0:2+1-; dimension 4 (1 mod scaling)
    """
    net = as_network(net, what="net")
    _check_shallow(net)
    domain = _check_domain(domain)
    n = net.hidden_widths[0] if width is None else require_int(width, "width", minimum=1)
    require_int(max_pieces, "max_pieces", minimum=0)
    dec = shallow_decomposition(net, domain=domain)
    k = dec.n_hinges
    if k > 10:
        raise LimitExceededError(f"shallow_fiber: {k} hinges give up to 3^{k} orientation choices (limit 10)")
    if n >= k and (n - k + 1) * (n - k + 2) // 2 > max_pieces:
        # the hinge counts (1, 0) with no groups alone give (n-k+1)(n-k+2)/2 strata (L, N below)
        raise LimitExceededError(
            f"shallow_fiber: more than max_pieces={max_pieces} candidate strata "
            f"({k} hinges, width {n}); pass a larger max_pieces or a smaller width"
        )
    fiber = ShallowFiber(dec, n, (), net)
    cores: dict[tuple[tuple[int, ...], tuple[int, ...]], _Core] = {}
    pieces: list[FiberPiece] = []
    examined = 0
    def options() -> Iterator[tuple[int, int]]:
        return ((p, size - p) for size in range(1, n + 1) for p in range(size, -1, -1))

    def hinge_combos(j: int, budget: int) -> Any:
        if j == k:
            yield ()
            return
        for p, q in options():
            if p + q <= budget - (k - j - 1):
                for rest in hinge_combos(j + 1, budget - p - q):
                    yield ((p, q), *rest)

    for hc in hinge_combos(0, n):
        rest = n - sum(p + q for p, q in hc)
        S = tuple(j for j, (p, q) in enumerate(hc) if not p)
        T = tuple(j for j, (p, q) in enumerate(hc) if p and q)
        for groups in _multisets(_group_types(rest), rest):
            left = rest - sum(p + q for p, q in groups)
            for L in range(left + 1):
                for N in range(left - L + 1):
                    examined += 1
                    if examined > max_pieces:
                        raise LimitExceededError(
                            f"shallow_fiber: more than max_pieces={max_pieces} candidate strata "
                            f"({k} hinges, width {n}); pass a larger max_pieces or a smaller width"
                        )
                    if (S, T) not in cores:
                        cores[(S, T)] = _make_core(dec, S, T, domain == "orthant")
                    core = cores[(S, T)]
                    res = _piece_dimension(dec, core, hc, groups, L, N, left - L - N)
                    if res is not None:
                        pieces.append(
                            FiberPiece(fiber, hc, groups, L, N, left - L - N, res[0], core.rho, res[1])
                        )
    pieces.sort(
        key=lambda p: (
            -p.dimension,
            sum(p + q - 1 for p, q in p.hinge_counts),
            len(p.doubled),
            p.doubled,
            len(p.flips),
            p.flips,
            p.hinge_counts,
            [_group_key(g) for g in p.groups],
            -p.n_linear,
            -p.n_inactive,
        )
    )
    object.__setattr__(fiber, "pieces", tuple(pieces))
    return fiber


def _rank_mod(R: Sequence[Sequence[Fraction]], basis: Sequence[Sequence[Fraction]]) -> int:
    """Rank of the rows of ``R`` modulo the span of ``basis`` (rows in ``R^d``)."""
    if not basis:
        return _rank(R)
    return _rank([list(b) for b in basis] + [list(r) for r in R]) - _rank(basis)


def _coords(R: list[list[Fraction]]) -> list[list[Fraction]]:
    """Columns of ``R`` in the coordinates of the rref basis of its column space."""
    red, piv = rref([list(c) for c in zip(*R)])
    return [[c[p] for p in piv] for c in zip(*R)]


# ------------------------------------------------------------------ sampling
Term = tuple[list[Fraction], list[Fraction]]


def _dot(a: Sequence[Fraction], b: Sequence[Fraction]) -> Fraction:
    return sum((x * y for x, y in zip(a, b)), _ZERO)


def _comb(coeffs: Sequence[Fraction], vectors: Sequence[Sequence[Fraction]], n: int) -> list[Fraction]:
    out = [_ZERO] * n
    for c, v in zip(coeffs, vectors):
        for i in range(n):
            out[i] += c * v[i]
    return out


def _random_solution(A: list[list[Fraction]], b: list[Fraction], rng: _random.Random) -> list[Fraction]:
    """A random exact solution of ``A x = b`` (a particular one plus a random kernel vector)."""
    from relu_geom.arith.linalg import nullspace, solve

    n = len(A[0])
    x = solve(A, b)
    if x is None:  # pragma: no cover - excluded by the piece's feasibility
        raise ReluGeomError("shallow fiber sampler: inconsistent core system")
    ker = nullspace(A, ncols=n)
    return _comb(
        [Fraction(1)] + [Fraction(rng.randint(-3, 3)) for _ in ker], [list(x)] + [list(v) for v in ker], n
    )


def _free_core_terms(
    dec: ShallowDecomposition, core: _Core, mixed: int, L: int, s: int, rng: _random.Random
) -> tuple[dict[int, list[Fraction]], list[Term], list[Term]]:
    """Doubled-hinge coefficients, group terms and linear terms on the component ``s`` (no tight cone).

    The extra normals ``V`` (``mixed`` group rows, nonzero, then ``L`` linear rows,
    ``>= 0`` on the orthant) are drawn in ``W = span(B, F) + K``: ``B`` spans the rows of
    ``R_S`` modulo ``K``, ``F`` completes it to ``s`` dimensions modulo ``K`` (its first
    vector positive when there are linear rows).  Random attempts are checked
    (``rank(V mod K) = s``); a deterministic choice ends the search when they all fail.
    Every loop is bounded.
    """
    d, m = dec.input_dim, dec.output_dim
    T = list(core.T)
    A_T = [[Fraction(a) for a in dec.hinges[j].normal] for j in T]
    Kb = [list(r) for r in rref(A_T)[0]] if T else []
    R_perp = _matmul(core.R, _projector_complement(Kb, d)) if T else [list(r) for r in core.R]
    B = [list(r) for r in rref([r for r in R_perp if any(r)])[0]] if any(any(r) for r in R_perp) else []
    if not len(B) <= s <= min(mixed + L, d - len(Kb)):
        raise ReluGeomError(
            f"shallow fiber sampler: component s={s} is not attainable (rank {len(B)} to produce, "
            f"{mixed + L} extra rows, {d - len(Kb)} dimensions beside the doubled normals)"
        )
    F: list[list[Fraction]] = []
    # ``1 + e_q`` (q = 1..d) are positive and span R^d: a deterministic completion after random tries
    fallback = [[Fraction(1 + int(i == q)) for i in range(d)] for q in range(d)]
    candidates = itertools.chain(
        (
            [Fraction(rng.randint(1, 6)) for _ in range(d)]
            if L and not F
            else [Fraction(rng.randint(-6, 6)) for _ in range(d)]
            for _ in range(20)
        ),
        fallback,
    )
    for cand in candidates:
        if len(B) + len(F) >= s:
            break
        if L and not F and not all(v > 0 for v in cand):
            continue
        span = B + F + Kb
        if _rank(span + [cand]) > _rank(span):
            F.append(cand)
    space = B + F
    W = space + Kb
    r = mixed + L
    R_rows = [list(x) for x in core.R if any(x)]
    # a positive vector of W for the linear rows (W = R^d, or F[0], or checked by _piece_dimension)
    if F:
        P = F[0]
    elif len(W) == d:
        P = [Fraction(1)] * d
    elif L and W:
        P = _positive_in_span(W, d)
    else:  # no linear rows, or W = 0 (linear rows are then zero)
        P = [_ZERO] * d

    def nonnegative(row: list[Fraction], c: Fraction) -> list[Fraction]:
        """``row + (lift + c) P`` with the smallest ``lift >= 0`` that makes it ``>= 0`` (``c > 0``)."""
        lift = max([_ZERO] + [-row[q] / P[q] for q in range(d) if P[q]])
        return [v + (lift + c) * x for v, x in zip(row, P)]

    def rank_mod_K(rows: list[list[Fraction]]) -> int:
        return _rank(A_T + rows) - core.tk

    V: list[list[Fraction]] | None = None
    for _attempt in range(50):
        cand_V: list[list[Fraction]] = []
        for i in range(r):
            row = _comb(
                [Fraction(rng.randint(-4, 4)) for _ in space] + [Fraction(rng.randint(-2, 2)) for _ in Kb],
                W,
                d,
            )
            if i >= mixed:  # a linear neuron on the orthant: w >= 0
                if len(W) == d and not F:
                    row = [Fraction(rng.randint(1, 6)) for _ in range(d)]
                else:
                    row = nonnegative(row, Fraction(rng.randint(1, 3)))
            elif not any(row):
                row = list(W[0])
            cand_V.append(row)
        if rank_mod_K(cand_V) == s and _rank(A_T + cand_V + R_rows) == _rank(A_T + cand_V):
            V = cand_V
            break
    if V is None:  # deterministic: linear rows first (from P and b + lift P), groups complete
        lin_pool = [list(P)] + [nonnegative(list(b), Fraction(1)) for b in space]
        lin_rows: list[list[Fraction]] = []
        for c in lin_pool:
            if len(lin_rows) < L and rank_mod_K(lin_rows + [c]) > rank_mod_K(lin_rows):
                lin_rows.append(c)
        while len(lin_rows) < L:
            lin_rows.append(list(P))
        mix_rows: list[list[Fraction]] = []
        for b in space:
            if len(mix_rows) < mixed and rank_mod_K(mix_rows + lin_rows + [b]) > rank_mod_K(
                mix_rows + lin_rows
            ):
                mix_rows.append(list(b))
        while len(mix_rows) < mixed:
            mix_rows.append(list(W[0]))
        V = mix_rows + lin_rows
        if rank_mod_K(V) != s or _rank(A_T + V + R_rows) != _rank(A_T + V):
            raise ReluGeomError(f"shallow fiber sampler: no extra normals of rank {s} found")
    stacked = A_T + V  # (t + r) x d
    if not stacked:
        return {}, [], []
    X_rows = [_random_solution([list(c) for c in zip(*stacked)], list(core.R[o]), rng) for o in range(m)]
    t = len(T)
    U_T = {j: [X_rows[o][c] for o in range(m)] for c, j in enumerate(T)}
    terms = [([X_rows[o][t + i] for o in range(m)], V[i]) for i in range(r)]
    return U_T, terms[:mixed], terms[mixed:]


def _positive_in_span(rows: list[list[Fraction]], d: int) -> list[Fraction]:
    """A vector ``>= 1`` entrywise in the row span (exact LP)."""
    from relu_geom.geometry.polyhedron import Polyhedron

    k = len(rows)
    poly = Polyhedron.from_hrep([[-rows[i][q] for i in range(k)] + [-1] for q in range(d)], ambient_dim=k)
    return _comb(list(poly.interior_point), rows, d)


def _has_positive_in_span(rows: list[list[Fraction]], d: int) -> bool:
    from relu_geom.geometry.polyhedron import Polyhedron

    if not rows:
        return d == 0
    k = len(rows)
    return not Polyhedron.from_hrep(
        [[-rows[i][q] for i in range(k)] + [-1] for q in range(d)], ambient_dim=k
    ).is_empty


def _tight_core_terms(
    dec: ShallowDecomposition, core: _Core, mixed: int, L: int, rng: _random.Random
) -> tuple[dict[int, list[Fraction]], list[Term], list[Term]]:
    """Orthant, ``r = rho`` with linear neurons: the construction of ``docs/fibers.md`` (2.3, tight cone)."""
    from relu_geom.arith.linalg import nullspace, solve

    d, m = dec.input_dim, dec.output_dim
    T = list(core.T)
    t = len(T)
    G = _stacked_columns(core, dec)
    lin_idx = _lineality_generators(G)
    ell = [G[q] for q in lin_idx]
    perp = (
        [list(v) for v in nullspace(ell, ncols=m + t)]
        if ell
        else [[Fraction(int(i == j)) for j in range(m + t)] for i in range(m + t)]
    )
    others = [G[q] for q in range(d) if q not in lin_idx and any(G[q])]
    if others:
        z = _pointed_direction([[_dot(b, g) for b in perp] for g in others])
        if z is None:  # pragma: no cover - the cone modulo its lineality space is pointed
            raise ReluGeomError("shallow fiber sampler: no pointed direction for the tight cone")
        y = _comb(list(z), perp, m + t)
        # ker y must still map onto pi_t(S): y may not vanish on N = S cap (R^m x 0) (dim rho >= 1,
        # not inside l by the lineality condition); otherwise tilt y inside l^perp, keeping y . g > 0
        N = [
            v
            for v in (
                _comb(list(c), G, m + t)
                for c in nullspace([[g[m + i] for g in G] for i in range(t)], ncols=d)
            )
            if any(v)
        ]
        if t and N and not any(_dot(y, n) for n in N):
            w = next((b for b in perp if any(_dot(b, n) for n in N)), None)
            if w is None:  # pragma: no cover - N inside l contradicts dim(l cap N) <= mixed < rho
                raise ReluGeomError("shallow fiber sampler: the tight cone has no admissible direction")
            low = min(_dot(y, g) for g in others)
            big = max([_ZERO] + [abs(_dot(w, g)) for g in others])
            delta = low / (2 * big) if big else Fraction(1)
            y = [a + delta * b for a, b in zip(y, w)]
    else:
        y = [_ZERO] * (m + t)
    S_basis = [list(r) for r in rref([g for g in G if any(g)])[0]] if any(any(g) for g in G) else []
    H = (
        [
            _comb(list(c), S_basis, m + t)
            for c in nullspace([[_dot(y, sb) for sb in S_basis]], ncols=len(S_basis))
        ]
        if S_basis
        else []
    )
    Z = [list(r) for r in rref(ell)[0]] if ell else []

    def rk_t(vs: list[list[Fraction]]) -> int:
        return _rank([v[m:] for v in vs]) if vs else 0

    def rnd(vs: list[list[Fraction]]) -> list[Fraction]:
        return _comb([Fraction(rng.randint(-3, 3)) for _ in vs], vs, m + t)

    for h in H:  # complete the projection to P = pi_t(S)
        if rk_t(Z) == core.tk:
            break
        if rk_t(Z + [h]) > rk_t(Z):
            Z.append(h)
    HN = (
        [_comb(list(c), H, m + t) for c in nullspace([[v[m + i] for v in H] for i in range(t)], ncols=len(H))]
        if t and H
        else list(H)
    )
    for cand in itertools.chain((rnd(HN) for _ in range(50 if HN else 0)), HN):  # random, then HN itself
        if _rank(Z) - rk_t(Z) >= mixed:
            break
        if _rank(Z + [cand]) > _rank(Z):
            Z.append(cand)
    if _rank(Z) - rk_t(Z) < mixed:  # pragma: no cover - excluded by the lineality condition
        raise ReluGeomError("shallow fiber sampler: the tight cone has too few free directions")
    # complete Z by (0, e_i) so that it projects onto R^t
    for i in range(t):
        e = [_ZERO] * (m + t)
        e[m + i] = Fraction(1)
        if rk_t(Z + [e]) > rk_t(Z):
            Z.append(e)
    U_T: dict[int, list[Fraction]] = {}
    for c, j in enumerate(T):
        target = [Fraction(int(i == c)) for i in range(t)]
        coef = solve([[z[m + i] for z in Z] for i in range(t)], target)
        if coef is None:  # pragma: no cover - Z projects onto R^t
            raise ReluGeomError("shallow fiber sampler: doubled-hinge coefficients not found")
        U_T[j] = _comb(list(coef), [z[:m] for z in Z], m)
    LHS = [list(r) for r in core.R]
    for j in T:
        a = dec.hinges[j].normal
        for o in range(m):
            for q in range(d):
                LHS[o][q] -= U_T[j][o] * a[q]
    Zt = [[z[m + i] for z in Z] for i in range(t)]
    Qb = (
        [_comb(list(c), [z[:m] for z in Z], m) for c in nullspace(Zt, ncols=len(Z))]
        if t
        else [z[:m] for z in Z]
    )
    Qb = [list(r) for r in rref([q for q in Qb if any(q)])[0]] if any(any(q) for q in Qb) else []
    if len(Qb) != mixed:  # pragma: no cover
        raise ReluGeomError(f"shallow fiber sampler: {len(Qb)} group directions instead of {mixed}")
    Qb = [
        _comb([Fraction(rng.randint(1, 3)) if i2 <= i else _ZERO for i2 in range(mixed)], Qb, m)
        for i in range(mixed)
    ]
    cols = [[LHS[o][q] for o in range(m)] for q in range(d)]
    Bm: list[list[Fraction]] = []
    for c in cols:
        if len(Bm) < L and _rank(Qb + Bm + [c]) > _rank(Qb + Bm):
            Bm.append(c)
    if len(Bm) != L:  # pragma: no cover
        raise ReluGeomError(f"shallow fiber sampler: {len(Bm)} linear directions instead of {L}")
    basis = Qb + Bm
    coords = []
    for c in cols:
        x = solve([[v[o] for v in basis] for o in range(m)], c)
        if x is None:  # pragma: no cover
            raise ReluGeomError("shallow fiber sampler: a column of R is outside the chosen basis")
        coords.append(list(x))
    alpha = [x[:mixed] for x in coords]
    beta0 = [x[mixed:] for x in coords]
    yp = [_dot(y[:m], b) for b in Bm]
    # G = 1 yp^T + step I: row i dotted with beta is yp . beta + step beta_i, positive for
    # step < yp . beta / (-beta_i); det G = step^(L-1) (step + sum yp), so at most one more halving
    nz = [bq for bq in beta0 if any(bq)]
    step = min([Fraction(1)] + [_dot(yp, bq) / (-bq[i]) / 2 for bq in nz for i in range(L) if bq[i] < 0])
    for _halving in range(4):
        Gm = [[yp[j] + (step if i == j else 0) for j in range(L)] for i in range(L)]
        ok = step > 0 and all(_dot(Gm[i], bq) > 0 for bq in nz for i in range(L))
        try:
            Ginv = _inverse(Gm)
        except ZeroDivisionError:
            ok = False
        if ok:
            break
        step /= 2
    else:  # pragma: no cover - y is positive on every column of the pointed part
        raise ReluGeomError("shallow fiber sampler: no positive linear rows for the tight cone")
    W = [[_dot(Gm[i], beta0[q]) for q in range(d)] for i in range(L)]
    Vm = _matmul([list(c) for c in zip(*Bm)], Ginv)  # m x L
    group_terms = [(list(Qb[i]), [alpha[q][i] for q in range(d)]) for i in range(mixed)]
    lin_terms = [([Vm[o][i] for o in range(m)], W[i]) for i in range(L)]
    return U_T, group_terms, lin_terms


def _split(total: Sequence[Fraction], parts: int, rng: _random.Random) -> list[list[Fraction]]:
    """``parts`` random vectors adding up to ``total``."""
    out = [[Fraction(rng.randint(-5, 5), rng.randint(1, 3)) for _ in total] for _ in range(parts - 1)]
    last = list(total)
    for v in out:
        last = [a - b for a, b in zip(last, v)]
    return out + [last]


def _sample_piece(piece: FiberPiece, seed: int) -> ReLUNetwork:
    fib = piece.fiber
    dec, domain = fib.decomposition, fib.domain
    orthant = domain == "orthant"
    d, m = dec.input_dim, dec.output_dim
    rng = _random.Random(seed)

    def pos() -> Fraction:
        return Fraction(rng.randint(1, 9), rng.randint(1, 4))

    def num() -> Fraction:
        return Fraction(rng.randint(-9, 9), rng.randint(1, 4))

    rows: list[list[Fraction]] = []
    outs: list[list[Fraction]] = []

    def neuron(ell: Sequence[Fraction], o: int, u: Sequence[Fraction]) -> None:
        lam = pos()
        rows.append([o * lam * v for v in ell])
        outs.append([x / lam for x in u])

    core = _make_core(dec, piece.flips, piece.doubled, orthant)
    mixed = piece.n_mixed_groups
    L = piece.n_linear if orthant else 0
    if orthant and L and mixed + L == core.rho:
        U_T, gterms, lterms = _tight_core_terms(dec, core, mixed, L, rng)
    else:
        U_T, gterms, lterms = _free_core_terms(dec, core, mixed, L, piece.core_rank, rng)
    for j, (p, q) in enumerate(piece.hinge_counts):
        h = dec.hinges[j]
        ell = [Fraction(v) for v in h.row]
        y = U_T.get(j, [_ZERO] * m)
        plus = [c + x for c, x in zip(h.coefficient, y)] if p else []
        minus = [-x for x in y] if p else list(h.coefficient)
        for u in _split(plus, p, rng) if p else []:
            neuron(ell, 1, u)
        for u in _split(minus, q, rng) if q else []:
            neuron(ell, -1, u)

    def line(a: list[Fraction]) -> list[Fraction]:
        if not orthant:
            return a + [num()]
        if any(v > 0 for v in a) and any(v < 0 for v in a):
            return a + [num()]
        return a + [-pos() if any(v > 0 for v in a) else pos()]

    gi = 0
    for p, q in piece.groups:
        if q:
            y, a = gterms[gi]
            gi += 1
            ell = line(list(a))
            for u in _split(y, p, rng):
                neuron(ell, 1, u)
            for u in _split([-x for x in y], q, rng):
                neuron(ell, -1, u)
        else:
            a = [Fraction(rng.randint(-5, 5)) for _ in range(d)]
            if not any(a):
                a[0] = Fraction(1)
            ell = line(a)
            for u in _split([_ZERO] * m, p, rng):
                neuron(ell, 1, u)
    for i in range(piece.n_linear):
        if orthant:
            v, w = lterms[i]
            lam = pos()
            rows.append(list(w) + [lam])
            outs.append(list(v))
        else:
            rows.append([_ZERO] * d + [pos()])
            outs.append([num() for _ in range(m)])
    for _ in range(piece.n_inactive):
        if orthant:
            rows.append([-pos() for _ in range(d)] + [-pos()])
        else:
            rows.append([_ZERO] * d + [-pos()])
        outs.append([num() for _ in range(m)])
    for _ in range(piece.n_inert):
        rows.append([num() for _ in range(d)] + [num()])
        outs.append([_ZERO] * m)
    at0 = dec([0] * d)
    bias = [at0[o] - sum((u[o] * max(r[d], _ZERO) for r, u in zip(rows, outs)), _ZERO) for o in range(m)]
    W1 = [r[:d] for r in rows]
    b1 = [r[d] for r in rows]
    W2 = [list(x) for x in zip(*outs)]
    return ReLUNetwork([W1, W2], [b1, bias])
