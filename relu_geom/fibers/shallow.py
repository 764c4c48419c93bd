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
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any

from relu_geom.arith.rational import as_point
from relu_geom.errors import InvalidInputError, LimitExceededError
from relu_geom.geometry.linear import primitive_row, rref
from relu_geom.network import ReLUNetwork

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


@dataclass(frozen=True)
class ShallowDecomposition:
    """``f(x) = sum_j c_j relu(a_j . x + t_j) + M x + b`` with canonical hinges (sorted).

    Two one-hidden-layer networks compute the same function on the domain
    exactly when their decompositions are equal (``==``).

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.fibers import shallow_decomposition
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
        raise InvalidInputError(f"domain: expected None (all of R^d) or 'orthant', got {domain!r}")
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
    >>> from relu_geom.fibers import shallow_decomposition
    >>> net = rg.zoo.duplicate_neurons()  # relu(x+y) + relu(2x+2y) + relu(x-y+1)
    >>> [(h.row, h.coefficient) for h in shallow_decomposition(net).hinges]
    [((1, -1, 1), (Fraction(1, 1),)), ((1, 1, 0), (Fraction(3, 1),))]
    """
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
@dataclass(frozen=True)
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
    >>> from relu_geom.fibers import minimal_width
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
    >>> from relu_geom.fibers import canonical_form
    >>> net = rg.ReLUNetwork([[[2], [-3], [1]], [[1, 1, 0]]], [[0, 0, 5], [1]])  # relu(2x) + relu(-3x) + 1
    >>> cf = canonical_form(net)
    >>> cf.weights, cf.biases
    ((((Fraction(1, 1),), (Fraction(-1, 1),)), ((Fraction(2, 1), Fraction(3, 1)),)), ((Fraction(0, 1), Fraction(0, 1)), (Fraction(1, 1),)))
    >>> canonical_form(cf) == cf and rg.functionally_equivalent(net, cf).equivalent
    True
    """
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


def _uv_dimension(m: int, d: int, r: int, rho: int, t: int = 0, tk: int = 0) -> int | None:
    """``dim {(U_T, U, V) : U_T A_T + U V = R}`` (None when empty).

    ``U_T`` is ``m x t`` (free coefficients of ``t`` doubled hinges whose normals
    ``A_T`` span a space ``K`` of dimension ``tk``), ``U`` is ``m x r`` and ``V`` is
    ``r x d``; ``rho`` is the rank of ``R`` modulo ``K``.  Choosing ``V`` first,
    ``(U_T, U)`` solve a linear system with ``m (t + r - rank [A_T; V])`` free
    dimensions, solvable iff the row space of ``R`` lies in ``K + rowspace V``;
    the ``V`` with ``rank(V mod K) = s`` and that property form a set of dimension
    ``r tk + (s - rho)(d - tk - s) + s r``.  Maximise over ``s``.
    """
    if r < rho:
        return None
    return max(
        r * tk + (s - rho) * (d - tk - s) + s * r + m * (t + r - tk - s)
        for s in range(rho, min(r, d - tk) + 1)
    )


@dataclass(frozen=True)
class FiberPiece:
    """One semi-algebraic piece of a shallow fiber.

    The piece holds the networks whose neurons, after a permutation, play the
    roles :attr:`roles` in this order.  Hinge by hinge (in hinge order): one
    ``visible`` neuron oriented with ``(a_j, t_j)``, or against it when ``j in
    flips``, or -- when ``j in doubled`` -- two ``visible`` neurons, ``+(a_j, t_j)``
    then ``-(a_j, t_j)``, whose hinge coefficients add up to ``c_j``.  Then
    ``n_pairs`` pairs of ``cancelling`` neurons (one hyperplane, opposite
    orientations, hinge coefficients summing to zero); ``n_linear`` ``linear``
    neurons (always active on the domain); ``n_inactive`` ``inactive`` neurons
    (never active on the domain) and ``n_inert`` ``inert`` neurons (zero output
    weights).

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
    flips: tuple[int, ...]
    doubled: tuple[int, ...]
    n_pairs: int
    n_linear: int
    n_inactive: int
    n_inert: int
    dimension_mod_scaling: int
    residual_rank: int

    @property
    def dimension(self) -> int:
        return self.dimension_mod_scaling + self.fiber.width

    @property
    def roles(self) -> tuple[str, ...]:
        k = self.fiber.decomposition.n_hinges
        return (
            ("visible",) * (k + len(self.doubled))
            + ("cancelling",) * (2 * self.n_pairs)
            + ("linear",) * self.n_linear
            + ("inactive",) * self.n_inactive
            + ("inert",) * self.n_inert
        )

    @property
    def orientations(self) -> tuple[int, ...]:
        """Orientations (+1 with ``(a_j, t_j)``, -1 against) of the visible neurons, in role order."""
        out: list[int] = []
        for j in range(self.fiber.decomposition.n_hinges):
            out += [1, -1] if j in self.doubled else [-1 if j in self.flips else 1]
        return tuple(out)

    def describe(self) -> str:
        """One line: flips, doubled hinges, role counts and dimensions."""
        parts = [f"flips {list(self.flips)}"]
        if self.doubled:
            parts.append(f"doubled {list(self.doubled)}")
        for name, n in (
            ("cancelling pairs", self.n_pairs),
            ("linear", self.n_linear),
            ("inactive", self.n_inactive),
            ("inert", self.n_inert),
        ):
            if n:
                parts.append(f"{n} {name}")
        return ", ".join(parts) + f"; dimension {self.dimension} ({self.dimension_mod_scaling} mod scaling)"

    # ------------------------------------------------------------ equations
    @cached_property
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
        for j in range(self.fiber.decomposition.n_hinges):
            for o in [1, -1] if j in self.doubled else [-1 if j in self.flips else 1]:
                out.append((i, j, o))
                i += 1
        return out

    @cached_property
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
        i = len(self._visible_slots())
        for _ in range(self.n_pairs):
            x, y = W[i] + [b[i]], W[i + 1] + [b[i + 1]]
            eqs += [x[p] * y[q] - x[q] * y[p] for p in range(d + 1) for q in range(p + 1, d + 1)]
            xx = sum(t * t for t in x)
            xy = sum(s * t for s, t in zip(x, y))
            eqs += [V[r][i] * xx - V[r][i + 1] * xy for r in range(m)]
            contribute(i)
            i += 2
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

    @cached_property
    def inequalities(self) -> tuple[Any, ...]:
        """sympy relations that hold on the piece (together with :attr:`equations`)."""
        dec = self.fiber.decomposition
        W, b, V, c = self._sym()
        out: list[Any] = []
        for i, j, o in self._visible_slots():
            g = dec.hinges[j].row
            p = next(q for q, v in enumerate(g) if v)
            out.append((o * g[p] * (W[i] + [b[i]])[p]) > 0)
        i = len(self._visible_slots())
        for _ in range(self.n_pairs):
            x, y = W[i] + [b[i]], W[i + 1] + [b[i + 1]]
            out.append(sum(s * t for s, t in zip(x, y)) < 0)
            i += 2
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

        Complexity: the decomposition (``O(n (d + m))``) plus a small backtracking
        search over the non-visible neurons.
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

        subs = dict(zip(self.symbols, [_sympy_rational(v) for v in net.parameters()]))
        J = sympy.Matrix([[sympy.diff(e, s).subs(subs) for s in self.symbols] for e in self.equations])
        return int(J.rank()) if self.equations else 0

    # ------------------------------------------------------------ sampling
    def sample(self, seed: int = 0) -> ReLUNetwork:
        """An exact point of the piece (reproducible from ``seed``), neurons in role order."""
        return _sample_piece(self, seed)


def _sympy_rational(v: Fraction) -> Any:
    import sympy

    return sympy.Rational(v.numerator, v.denominator)


def _assign_roles(net: ReLUNetwork, piece: FiberPiece) -> list[int] | None:
    """A permutation putting ``net``'s neurons into the piece's role order, or None."""
    f = piece.fiber
    dec, domain = f.decomposition, f.domain
    W1, b1 = net.weights[0], net.biases[0]
    V = list(zip(*net.weights[1]))
    n = len(W1)
    hinge_index = {h.row: j for j, h in enumerate(dec.hinges)}
    on_hinge: dict[int, list[tuple[int, int, Fraction]]] = {}
    free: list[int] = []
    for i in range(n):
        if _neuron_kind(W1[i], b1[i], domain) == "hinge":
            key, lam, o = _orient(list(W1[i]) + [b1[i]])
            j = hinge_index.get(key)
            if j is not None:
                on_hinge.setdefault(j, []).append((i, o, lam))
                continue
        free.append(i)
    head: list[int] = []
    for j, h in enumerate(dec.hinges):
        cands = on_hinge.get(j, [])
        if j in piece.doubled:
            ok = [
                (a, b)
                for a in cands
                for b in cands
                if a[1] == 1
                and b[1] == -1
                and all(a[2] * x + b[2] * y == c for x, y, c in zip(V[a[0]], V[b[0]], h.coefficient))
            ]
            if not ok:
                return None
            a, b = ok[0]
            head += [a[0], b[0]]
            free += [c[0] for c in cands if c[0] not in (a[0], b[0])]
        else:
            want = -1 if j in piece.flips else 1
            ok1 = [a for a in cands if a[1] == want and tuple(a[2] * x for x in V[a[0]]) == h.coefficient]
            if not ok1:
                return None
            head.append(ok1[0][0])
            free += [c[0] for c in cands if c[0] != ok1[0][0]]
    d = dec.input_dim

    def can(i: int, role: str) -> bool:
        kind = _neuron_kind(W1[i], b1[i], domain)
        if role == "linear":
            return kind == "active"
        if role == "inactive":
            return kind == "inactive"
        return not any(V[i])  # inert

    def pair_ok(i: int, j: int) -> bool:
        x, y = list(W1[i]) + [b1[i]], list(W1[j]) + [b1[j]]
        if not any(x[:d]) or not any(y[:d]):
            return False
        kx, lx, ox = _orient(x)
        ky, ly, oy = _orient(y)
        return kx == ky and ox == 1 and oy == -1 and all(lx * p + ly * q == 0 for p, q in zip(V[i], V[j]))

    slots = ["linear"] * piece.n_linear + ["inactive"] * piece.n_inactive + ["inert"] * piece.n_inert

    def singles(rest: list[int]) -> list[int] | None:
        if len(rest) != len(slots):
            return None
        order: list[int] = []
        used: set[int] = set()

        def go(s: int) -> bool:
            if s == len(slots):
                return True
            for i in rest:
                if i not in used and can(i, slots[s]):
                    used.add(i)
                    order.append(i)
                    if go(s + 1):
                        return True
                    used.discard(i)
                    order.pop()
            return False

        return order if go(0) else None

    def place(rest: list[int], pairs_left: int) -> list[int] | None:
        if not pairs_left:
            return singles(rest)
        for a, b in itertools.permutations(rest, 2):
            if pair_ok(a, b):
                sub = place([x for x in rest if x not in (a, b)], pairs_left - 1)
                if sub is not None:
                    return [a, b] + sub
        return None

    tail = place(sorted(free), piece.n_pairs)
    return None if tail is None else head + tail


@dataclass(frozen=True)
class ShallowFiber:
    """The fiber of a shallow function among networks of one width, as a union of pieces.

    ``pieces`` lists the nonempty pieces (see :class:`FiberPiece`).  Networks
    whose neurons play other roles (two neurons with the same orientation on
    one hyperplane, cancelling groups of three or more neurons) are in the
    fiber too but in none of the listed pieces (they lie in lower-dimensional
    strata); :meth:`contains` decides membership in the whole fiber exactly.
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

    def piece(
        self, flips: Sequence[int] = (), doubled: Sequence[int] = (), **counts: int
    ) -> FiberPiece | None:
        """The piece with these flips, doubled hinges and role counts (``n_pairs=``, ...), or None."""
        for p in self.pieces:
            if (
                p.flips == tuple(sorted(flips))
                and p.doubled == tuple(sorted(doubled))
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


def _compositions(total: int, domain: str | None) -> list[tuple[int, int, int, int]]:
    out = []
    for P in range(total // 2 + 1 if domain is None else 1):
        for L in range(total - 2 * P + 1):
            for N in range(total - 2 * P - L + 1):
                out.append((P, L, N, total - 2 * P - L - N))
    return out


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


def shallow_fiber(net: ReLUNetwork, width: int | None = None, *, domain: str | None = None) -> ShallowFiber:
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

    Returns
    -------
    ShallowFiber
        Pieces indexed by the flipped hinges ``S``, the doubled hinges ``T``
        (on ``R^d``) and the numbers of neurons in each role; each piece has
        sympy equations and inequalities, its dimension, an exact membership
        test and exact sample points.

    Notes
    -----
    With ``k`` hinges, the linear part ``R_S = M + sum_{j in S} c_j a_j^T`` must be
    produced by the doubled hinges (``u_j a_j^T``, ``u_j`` free) and ``r`` extra
    rank-one terms (cancelling pairs on ``R^d``, linear neurons with ``w >= 0`` on
    the orthant).  With ``rho`` the rank of ``R_S`` modulo the doubled normals,
    the piece is nonempty iff ``r >= rho`` (on the orthant with ``r = rho > 0``:
    iff the cone spanned by the columns of ``R_S`` is pointed) and its dimension
    modulo scaling is ``max_s [r tk + (s - rho)(d - tk - s) + s r + m (t + r - tk - s)]``
    plus ``m`` per linear or inactive neuron on ``R^d``, ``d + m`` per inactive
    neuron on the orthant and ``d`` per inert neuron (``t = |T|``, ``tk`` the rank
    of the doubled normals).  Derivation in ``docs/fibers.md``.  There are up
    to ``3^k`` orientation choices (limit ``k <= 10``).

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.fibers import shallow_fiber
    >>> fib = shallow_fiber(rg.zoo.abs_1d())  # |x| = relu(x) + relu(-x) with two neurons
    >>> [(p.doubled, p.roles, p.dimension) for p in fib.pieces]
    [((0,), ('visible', 'visible'), 2)]
    >>> all(fib.contains(s) for s in fib.samples())
    True
    >>> len(shallow_fiber(rg.zoo.abs_1d(), 3).pieces)
    5
    """
    _check_shallow(net)
    domain = _check_domain(domain)
    n = net.hidden_widths[0] if width is None else width
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise InvalidInputError(f"width: expected a positive integer, got {width!r}")
    dec = shallow_decomposition(net, domain=domain)
    k, d, m = dec.n_hinges, dec.input_dim, dec.output_dim
    if k > 10:
        raise LimitExceededError(f"shallow_fiber: {k} hinges give up to 3^{k} orientation choices (limit 10)")
    pieces: list[FiberPiece] = []
    fiber = ShallowFiber(dec, n, (), net)
    normals = [[Fraction(a) for a in h.normal] for h in dec.hinges]
    for states in itertools.product(("+", "-", "2") if domain is None else ("+", "-"), repeat=k):
        S = tuple(j for j, s in enumerate(states) if s == "-")
        T = tuple(j for j, s in enumerate(states) if s == "2")
        extra = n - k - len(T)
        if extra < 0:
            continue
        R = _residual(dec, S)
        tk = _rank([normals[j] for j in T]) if T else 0
        rho = _rank_mod(R, rref([normals[j] for j in T])[0] if T else [])
        pointed: bool | None = None
        for P, L, N, Z in _compositions(extra, domain):
            r = P if domain is None else L
            dim = _uv_dimension(m, d, r, rho, len(T), tk)
            if dim is None:
                continue
            if domain == "orthant" and r == rho and rho > 0:
                if pointed is None:
                    pointed = _pointed_direction(_coords(R)) is not None
                if not pointed:
                    continue
            dim += (m * (L + N) if domain is None else (d + m) * N) + d * Z
            pieces.append(FiberPiece(fiber, S, T, P, L, N, Z, dim, rho))
    pieces.sort(
        key=lambda p: (
            -p.dimension,
            len(p.doubled),
            p.doubled,
            len(p.flips),
            p.flips,
            p.n_pairs,
            p.n_linear,
            p.n_inactive,
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
def _sample_piece(piece: FiberPiece, seed: int) -> ReLUNetwork:
    fib = piece.fiber
    dec, domain = fib.decomposition, fib.domain
    d, m = dec.input_dim, dec.output_dim
    rng = _random.Random(seed)

    def pos() -> Fraction:
        return Fraction(rng.randint(1, 9), rng.randint(1, 4))

    def num() -> Fraction:
        return Fraction(rng.randint(-9, 9), rng.randint(1, 4))

    rows: list[list[Fraction]] = []
    outs: list[list[Fraction]] = []
    bias = list(dec.bias)

    def add(row: list[Fraction], out: list[Fraction], affine: bool) -> None:
        rows.append(row)
        outs.append(out)
        if affine:  # the neuron's affine contribution v (w . x + b): its bias part moves to the output bias
            for r in range(m):
                bias[r] -= out[r] * row[d]

    R = _residual(dec, piece.flips)
    U: dict[int, list[Fraction]] = {}
    T = list(piece.doubled)
    if T:
        A = [[Fraction(a) for a in dec.hinges[j].normal] for j in T]
        basis = rref(A)[0]
        Ut = _matmul(
            _matmul(R, [list(c) for c in zip(*basis)]),
            _inverse(_matmul(basis, [list(c) for c in zip(*basis)])),
        )
        # R P_K = Ut basis; write each basis row in terms of the doubled normals (least-norm choice)
        coeff = _solve_rows(A, basis)  # basis = coeff^T-combinations of A rows: basis_i = sum_j X[i][j] A_j
        for col, j in enumerate(T):
            U[j] = [sum((Ut[r][i] * coeff[i][col] for i in range(len(basis))), _ZERO) for r in range(m)]
        R = _matmul(R, _projector_complement(basis, d))
    for j, h in enumerate(dec.hinges):
        row = [Fraction(v) for v in h.row]
        if j in U:
            l1, l2 = pos(), pos()
            u = U[j]
            add([l1 * v for v in row], [(c + x) / l1 for c, x in zip(h.coefficient, u)], False)
            add([-l2 * v for v in row], [-x / l2 for x in u], True)
        else:
            lam = pos()
            o = -1 if j in piece.flips else 1
            add([o * lam * v for v in row], [c / lam for c in h.coefficient], o < 0)
    terms = _factor(R, piece.n_pairs if domain is None else piece.n_linear, domain == "orthant", rng)
    if domain is None:
        for u, a in terms:
            tau, mu = num(), pos()
            add(list(a) + [tau], list(u), True)
            add([-mu * v for v in list(a) + [tau]], [-x / mu for x in u], False)
        for _ in range(piece.n_linear):
            add([_ZERO] * d + [pos()], [num() for _ in range(m)], True)
        for _ in range(piece.n_inactive):
            add([_ZERO] * d + [-pos()], [num() for _ in range(m)], False)
    else:
        for u, a in terms:
            add(list(a) + [pos()], list(u), True)
        for _ in range(piece.n_inactive):
            add([-pos() for _ in range(d)] + [-pos()], [num() for _ in range(m)], False)
    for _ in range(piece.n_inert):
        add([num() for _ in range(d)] + [num()], [_ZERO] * m, False)
    W1 = [r[:d] for r in rows]
    b1 = [r[d] for r in rows]
    W2 = [list(x) for x in zip(*outs)]
    return ReLUNetwork([W1, W2], [b1, bias])


def _solve_rows(A: list[list[Fraction]], basis: list[list[Fraction]]) -> list[list[Fraction]]:
    """``X`` with ``basis_i = sum_j X[i][j] A_j`` (the rows of ``basis`` lie in the row span of ``A``)."""
    t = len(A)
    out = []
    for bvec in basis:
        # solve A^T x = bvec
        aug = [[A[j][q] for j in range(t)] + [bvec[q]] for q in range(len(bvec))]
        red, piv = rref(aug)
        x = [_ZERO] * t
        for r_, p in zip(red, piv):
            if p < t:
                x[p] = r_[t]
        out.append(x)
    return out


def _factor(
    R: list[list[Fraction]], r: int, nonneg: bool, rng: _random.Random
) -> list[tuple[list[Fraction], list[Fraction]]]:
    """``r`` terms ``(u, a)`` with ``sum u a^T = R`` (with ``a >= 0`` when ``nonneg``)."""
    m = len(R)
    d = len(R[0]) if R else 0
    nz = any(any(x) for x in R)
    red, piv = rref([list(c) for c in zip(*R)]) if nz else ([], [])
    rho = len(piv)
    basis = [list(b) for b in red]  # rho vectors in R^m spanning the column space
    coords = [[c[p] for p in piv] for c in zip(*R)] if rho else [[] for _ in range(d)]  # d x rho
    terms: list[tuple[list[Fraction], list[Fraction]]] = []
    if rho:
        V0 = [[coords[q][i] for q in range(d)] for i in range(rho)]  # rho x d
        U0 = [[basis[i][r_] for i in range(rho)] for r_ in range(m)]  # m x rho
        if not nonneg:
            G = [
                [Fraction(int(i == j)) if i >= j else Fraction(rng.randint(-3, 3)) for j in range(rho)]
                for i in range(rho)
            ]
            V = _matmul(G, V0)
            U = _matmul(U0, _inverse(G))
            terms = [([U[r_][i] for r_ in range(m)], V[i]) for i in range(rho)]
        elif r == rho:
            y = _pointed_direction([list(c) for c in zip(*V0)])
            assert y is not None
            eps = Fraction(1)
            while True:
                G = [[y[j] + (eps if i == j else 0) for j in range(rho)] for i in range(rho)]
                V = _matmul(G, V0)
                ok = all(
                    v > 0 for i in range(rho) for q, v in enumerate(V[i]) if any(V0[t][q] for t in range(rho))
                )
                try:
                    Ginv = _inverse(G)
                except ZeroDivisionError:
                    ok = False
                if ok:
                    break
                eps /= 2
            U = _matmul(U0, Ginv)
            terms = [([U[r_][i] for r_ in range(m)], V[i]) for i in range(rho)]
        else:
            shift = [max([Fraction(0)] + [-V0[i][q] for i in range(rho)]) + 1 for q in range(d)]
            terms = [
                ([U0[r_][i] for r_ in range(m)], [V0[i][q] + shift[q] for q in range(d)]) for i in range(rho)
            ]
            terms.append(([-sum(U0[r_], _ZERO) for r_ in range(m)], shift))
    left = r - len(terms)
    if left < 0:  # pragma: no cover - excluded by the piece's feasibility
        raise AssertionError("not enough terms")

    def rand_dir() -> list[Fraction]:
        if nonneg:
            return [Fraction(rng.randint(1, 5)) for _ in range(d)]
        return [Fraction(rng.randint(-5, 5) or 1) for _ in range(d)]

    if left % 2:
        if terms:
            u, a = terms.pop()
            half = [x / 2 for x in a]
            terms += [(u, half), (list(u), list(half))]
        else:
            terms.append(([_ZERO] * m, rand_dir()))
        left -= 1
    while left:
        u = [Fraction(rng.randint(-5, 5)) for _ in range(m)]
        a = rand_dir()
        terms += [(u, a), ([-x for x in u], list(a))]
        left -= 2
    return terms
