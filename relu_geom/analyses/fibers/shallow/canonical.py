"""The canonical minimal form and the minimal width of a one-hidden-layer function."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from relu_geom.analyses.fibers.shallow.decomposition import (
    ShallowDecomposition,
    as_decomposition,
    check_shallow,
    shallow_decomposition,
)
from relu_geom.arith.dense import (
    add_scaled,
    complement_projector,
    inverse,
    matmul,
    outer,
    primitive_row,
    rank,
    rref,
)
from relu_geom.compiler.entry import as_network
from relu_geom.errors import InvalidInputError, LimitExceededError
from relu_geom.network import ReLUNetwork

__all__ = ["canonical_form", "minimal_width"]

_ZERO = Fraction(0)


@dataclass(frozen=True, slots=True)
class _Plan:
    flips: tuple[int, ...]  # S: hinges realized by one neuron oriented against (a, t)
    doubled: tuple[int, ...]  # T: hinges realized by two opposite neurons
    rank: int  # cancelling pairs for the rest of the linear part

    def width(self, k: int) -> int:
        return k + len(self.doubled) + 2 * self.rank


def residual(dec: ShallowDecomposition, S: Sequence[int]) -> list[list[Fraction]]:
    """``R_S = M + sum_{j in S} c_j a_j^T``: the linear part left when the hinges in ``S`` are flipped."""
    R = [list(r) for r in dec.linear]
    for j in S:
        h = dec.hinges[j]
        R = add_scaled(R, outer(h.coefficient, [Fraction(a) for a in h.normal]))
    return R


_MAX_SUBSETS = 1 << 20


def _min_subset(
    dec: ShallowDecomposition, candidates: Sequence[int], Q: list[list[Fraction]], r: int
) -> tuple[int, ...] | None:
    """The first S (by size, then lexicographically) with ``rank((M + sum_S c a^T) Q) <= r``."""
    base = matmul(dec.linear, Q)
    terms = {
        j: matmul(outer(dec.hinges[j].coefficient, [Fraction(a) for a in dec.hinges[j].normal]), Q)
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
                R = add_scaled(R, terms[j])
            if rank(R) <= r:
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
        out: list[tuple[tuple[Fraction, ...], tuple[int, ...]]] = [(tuple([_ZERO] * n), ())]
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
    upper = 2 * rank(dec.linear)
    normals = [[Fraction(a) for a in h.normal] for h in dec.hinges]
    for extra in range(upper + 1):
        for tsize in range(min(extra, d, k) + 1):
            if (extra - tsize) % 2:
                continue
            r = (extra - tsize) // 2
            for T in itertools.combinations(range(k), tsize):
                if tsize and rank([normals[j] for j in T]) < tsize:
                    continue
                Q = complement_projector([normals[j] for j in T], d)
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
    dec = as_decomposition(f)
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
    dec = shallow_decomposition(check_shallow(net))
    return _network_from_plan(dec, _plan(dec))


def _network_from_plan(dec: ShallowDecomposition, plan: _Plan) -> ReLUNetwork:
    d, m = dec.input_dim, dec.output_dim
    rows: list[list[Fraction]] = []
    outs: list[list[Fraction]] = []  # output columns
    bias = list(dec.bias)
    R = residual(dec, plan.flips)
    for j in plan.flips:
        h = dec.hinges[j]
        bias = [b + c * h.offset for b, c in zip(bias, h.coefficient)]
    T = list(plan.doubled)
    U: dict[int, list[Fraction]] = {}
    if T:
        A = [[Fraction(a) for a in dec.hinges[j].normal] for j in T]  # rows a_j
        Ut = matmul(matmul(R, list(zip(*A))), inverse(matmul(A, list(zip(*A)))))  # m x |T|
        for col, j in enumerate(T):
            U[j] = [Ut[r][col] for r in range(m)]
        R = matmul(R, complement_projector(A, d))
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
