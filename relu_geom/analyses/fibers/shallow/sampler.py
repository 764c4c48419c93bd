"""Exact random networks in a fiber piece: the function, the roles of the piece, random free terms."""

from __future__ import annotations

import itertools
import random as _random
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from relu_geom.analyses.fibers.shallow.cores import (
    Core,
    lineality_generators,
    make_core,
    pointed_direction,
    positive_in_span,
    stacked_columns,
)
from relu_geom.analyses.fibers.shallow.decomposition import ShallowDecomposition
from relu_geom.arith.dense import (
    combination,
    complement_projector,
    dot,
    inverse,
    matmul,
    rank,
    rref,
)
from relu_geom.errors import ReluGeomError
from relu_geom.network import ReLUNetwork

__all__: list[str] = []  # helpers of the shallow package, no public API of their own

_ZERO = Fraction(0)


Term = tuple[list[Fraction], list[Fraction]]


def _random_solution(A: list[list[Fraction]], b: list[Fraction], rng: _random.Random) -> list[Fraction]:
    """A random exact solution of ``A x = b`` (a particular one plus a random kernel vector)."""
    from relu_geom.arith.linalg import nullspace, solve

    n = len(A[0])
    x = solve(A, b)
    if x is None:  # pragma: no cover - excluded by the piece's feasibility
        raise ReluGeomError("shallow fiber sampler: inconsistent core system")
    ker = nullspace(A, ncols=n)
    return combination(
        [Fraction(1)] + [Fraction(rng.randint(-3, 3)) for _ in ker], [list(x)] + [list(v) for v in ker], n
    )


def _free_core_terms(
    dec: ShallowDecomposition, core: Core, mixed: int, L: int, s: int, rng: _random.Random
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
    R_perp = matmul(core.R, complement_projector(Kb, d)) if T else [list(r) for r in core.R]
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
        if rank(span + [cand]) > rank(span):
            F.append(cand)
    space = B + F
    W = space + Kb
    r = mixed + L
    R_rows = [list(x) for x in core.R if any(x)]
    # a positive vector of W for the linear rows (W = R^d, or F[0], or checked by piece_dimension)
    if F:
        P = F[0]
    elif len(W) == d:
        P = [Fraction(1)] * d
    elif L and W:
        P = positive_in_span(W, d)
    else:  # no linear rows, or W = 0 (linear rows are then zero)
        P = [_ZERO] * d

    def nonnegative(row: list[Fraction], c: Fraction) -> list[Fraction]:
        """``row + (lift + c) P`` with the smallest ``lift >= 0`` that makes it ``>= 0`` (``c > 0``)."""
        lift = max([_ZERO] + [-row[q] / P[q] for q in range(d) if P[q]])
        return [v + (lift + c) * x for v, x in zip(row, P)]

    def rank_mod_K(rows: list[list[Fraction]]) -> int:
        return rank(A_T + rows) - core.tk

    V: list[list[Fraction]] | None = None
    for _attempt in range(50):
        cand_V: list[list[Fraction]] = []
        for i in range(r):
            row = combination(
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
        if rank_mod_K(cand_V) == s and rank(A_T + cand_V + R_rows) == rank(A_T + cand_V):
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
        if rank_mod_K(V) != s or rank(A_T + V + R_rows) != rank(A_T + V):
            raise ReluGeomError(f"shallow fiber sampler: no extra normals of rank {s} found")
    stacked = A_T + V  # (t + r) x d
    if not stacked:
        return {}, [], []
    X_rows = [_random_solution([list(c) for c in zip(*stacked)], list(core.R[o]), rng) for o in range(m)]
    t = len(T)
    U_T = {j: [X_rows[o][c] for o in range(m)] for c, j in enumerate(T)}
    terms = [([X_rows[o][t + i] for o in range(m)], V[i]) for i in range(r)]
    return U_T, terms[:mixed], terms[mixed:]


def _tight_core_terms(
    dec: ShallowDecomposition, core: Core, mixed: int, L: int, rng: _random.Random
) -> tuple[dict[int, list[Fraction]], list[Term], list[Term]]:
    """Orthant, ``r = rho`` with linear neurons: the construction of ``docs/fibers.md`` (2.3, tight cone)."""
    from relu_geom.arith.linalg import nullspace, solve

    d, m = dec.input_dim, dec.output_dim
    T = list(core.T)
    t = len(T)
    G = stacked_columns(core, dec)
    lin_idx = lineality_generators(G)
    ell = [G[q] for q in lin_idx]
    perp = (
        [list(v) for v in nullspace(ell, ncols=m + t)]
        if ell
        else [[Fraction(int(i == j)) for j in range(m + t)] for i in range(m + t)]
    )
    others = [G[q] for q in range(d) if q not in lin_idx and any(G[q])]
    if others:
        z = pointed_direction([[dot(b, g) for b in perp] for g in others])
        if z is None:  # pragma: no cover - the cone modulo its lineality space is pointed
            raise ReluGeomError("shallow fiber sampler: no pointed direction for the tight cone")
        y = combination(list(z), perp, m + t)
        # ker y must still map onto pi_t(S): y may not vanish on N = S cap (R^m x 0) (dim rho >= 1,
        # not inside l by the lineality condition); otherwise tilt y inside l^perp, keeping y . g > 0
        N = [
            v
            for v in (
                combination(list(c), G, m + t)
                for c in nullspace([[g[m + i] for g in G] for i in range(t)], ncols=d)
            )
            if any(v)
        ]
        if t and N and not any(dot(y, n) for n in N):
            w = next((b for b in perp if any(dot(b, n) for n in N)), None)
            if w is None:  # pragma: no cover - N inside l contradicts dim(l cap N) <= mixed < rho
                raise ReluGeomError("shallow fiber sampler: the tight cone has no admissible direction")
            low = min(dot(y, g) for g in others)
            big = max([_ZERO] + [abs(dot(w, g)) for g in others])
            delta = low / (2 * big) if big else Fraction(1)
            y = [a + delta * b for a, b in zip(y, w)]
    else:
        y = [_ZERO] * (m + t)
    S_basis = [list(r) for r in rref([g for g in G if any(g)])[0]] if any(any(g) for g in G) else []
    H = (
        [
            combination(list(c), S_basis, m + t)
            for c in nullspace([[dot(y, sb) for sb in S_basis]], ncols=len(S_basis))
        ]
        if S_basis
        else []
    )
    Z = [list(r) for r in rref(ell)[0]] if ell else []

    def rk_t(vs: list[list[Fraction]]) -> int:
        return rank([v[m:] for v in vs]) if vs else 0

    def rnd(vs: list[list[Fraction]]) -> list[Fraction]:
        return combination([Fraction(rng.randint(-3, 3)) for _ in vs], vs, m + t)

    for h in H:  # complete the projection to P = pi_t(S)
        if rk_t(Z) == core.tk:
            break
        if rk_t(Z + [h]) > rk_t(Z):
            Z.append(h)
    HN = (
        [
            combination(list(c), H, m + t)
            for c in nullspace([[v[m + i] for v in H] for i in range(t)], ncols=len(H))
        ]
        if t and H
        else list(H)
    )
    for cand in itertools.chain((rnd(HN) for _ in range(50 if HN else 0)), HN):  # random, then HN itself
        if rank(Z) - rk_t(Z) >= mixed:
            break
        if rank(Z + [cand]) > rank(Z):
            Z.append(cand)
    if rank(Z) - rk_t(Z) < mixed:  # pragma: no cover - excluded by the lineality condition
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
        U_T[j] = combination(list(coef), [z[:m] for z in Z], m)
    LHS = [list(r) for r in core.R]
    for j in T:
        a = dec.hinges[j].normal
        for o in range(m):
            for q in range(d):
                LHS[o][q] -= U_T[j][o] * a[q]
    Zt = [[z[m + i] for z in Z] for i in range(t)]
    Qb = (
        [combination(list(c), [z[:m] for z in Z], m) for c in nullspace(Zt, ncols=len(Z))]
        if t
        else [z[:m] for z in Z]
    )
    Qb = [list(r) for r in rref([q for q in Qb if any(q)])[0]] if any(any(q) for q in Qb) else []
    if len(Qb) != mixed:  # pragma: no cover
        raise ReluGeomError(f"shallow fiber sampler: {len(Qb)} group directions instead of {mixed}")
    Qb = [
        combination([Fraction(rng.randint(1, 3)) if i2 <= i else _ZERO for i2 in range(mixed)], Qb, m)
        for i in range(mixed)
    ]
    cols = [[LHS[o][q] for o in range(m)] for q in range(d)]
    Bm: list[list[Fraction]] = []
    for col in cols:
        if len(Bm) < L and rank(Qb + Bm + [col]) > rank(Qb + Bm):
            Bm.append(col)
    if len(Bm) != L:  # pragma: no cover
        raise ReluGeomError(f"shallow fiber sampler: {len(Bm)} linear directions instead of {L}")
    basis = Qb + Bm
    coords = []
    for col in cols:
        x = solve([[v[o] for v in basis] for o in range(m)], col)
        if x is None:  # pragma: no cover
            raise ReluGeomError("shallow fiber sampler: a column of R is outside the chosen basis")
        coords.append(list(x))
    alpha = [x[:mixed] for x in coords]
    beta0 = [x[mixed:] for x in coords]
    yp = [dot(y[:m], b) for b in Bm]
    # G = 1 yp^T + step I: row i dotted with beta is yp . beta + step beta_i, positive for
    # step < yp . beta / (-beta_i); det G = step^(L-1) (step + sum yp), so at most one more halving
    nz = [bq for bq in beta0 if any(bq)]
    step = min([Fraction(1)] + [dot(yp, bq) / (-bq[i]) / 2 for bq in nz for i in range(L) if bq[i] < 0])
    for _halving in range(4):
        Gm = [[yp[j] + (step if i == j else 0) for j in range(L)] for i in range(L)]
        ok = step > 0 and all(dot(Gm[i], bq) > 0 for bq in nz for i in range(L))
        try:
            Ginv = inverse(Gm)
        except ZeroDivisionError:
            ok = False
        if ok:
            break
        step /= 2
    else:  # pragma: no cover - y is positive on every column of the pointed part
        raise ReluGeomError("shallow fiber sampler: no positive linear rows for the tight cone")
    W = [[dot(Gm[i], beta0[q]) for q in range(d)] for i in range(L)]
    Vm = matmul([list(c) for c in zip(*Bm)], Ginv)  # m x L
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


def sample_piece(piece: Any, seed: int) -> ReLUNetwork:
    """A random exact network in ``piece`` (a :class:`~relu_geom.analyses.fibers.FiberPiece`), from ``seed``."""
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

    core = make_core(dec, piece.flips, piece.doubled, orthant)
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
