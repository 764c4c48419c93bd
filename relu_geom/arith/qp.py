"""Exact projection of a point onto a polyhedron (a convex quadratic program) with its dual certificate.

:func:`project` solves ``min ||x - x0||^2`` subject to ``A x <= b`` exactly in rationals by the
dual active-set method of Goldfarb and Idnani (the Hessian is the identity): start at ``x0``
with no active constraint, add a violated constraint, move along its component orthogonal to
the active ones while keeping the multipliers non-negative (dropping a constraint whose
multiplier reaches zero), until no constraint is violated.  The active normals stay linearly
independent, so every step solves a small nonsingular Gram system.

The answer carries its certificate of optimality: multipliers ``lam >= 0`` with
``x = x0 - A^T lam / 2``, so that for every feasible ``x'`` (weak duality)

    ||x' - x0||^2 >= lam.(A x0 - b) - ||A^T lam||^2 / 4 = ||x - x0||^2.

When the polyhedron is empty the answer is a Farkas vector ``mu >= 0`` with ``A^T mu = 0``
and ``mu.b < 0``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from relu_geom.errors import DimensionMismatchError, LimitExceededError

__all__ = ["QPResult", "dual_bound", "project"]

Vec = tuple[Fraction, ...]


@dataclass(frozen=True, slots=True)
class QPResult:
    """The exact projection.

    Attributes
    ----------
    status
        ``"optimal"`` or ``"infeasible"``.
    x
        The nearest point (optimal), else None.
    value
        ``||x - x0||^2`` (optimal), else None.
    multipliers
        ``lam >= 0``, one per row, with ``x = x0 - A^T lam / 2`` and
        ``dual_bound(A, b, x0, lam) == value`` (optimal); a Farkas vector ``mu`` (infeasible).
    """

    status: str
    x: Vec | None
    value: Fraction | None
    multipliers: Vec


def _dot(u: Sequence[Fraction], v: Sequence[Fraction]) -> Fraction:
    return sum((a * b for a, b in zip(u, v)), Fraction(0))


def _solve(G: list[list[Fraction]], rhs: list[Fraction]) -> list[Fraction]:
    """Solve the nonsingular system ``G r = rhs`` (Gaussian elimination in rationals)."""
    n = len(G)
    M = [list(row) + [v] for row, v in zip(G, rhs)]
    for col in range(n):
        piv = next(i for i in range(col, n) if M[i][col] != 0)
        M[col], M[piv] = M[piv], M[col]
        inv = 1 / M[col][col]
        M[col] = [v * inv for v in M[col]]
        for i in range(n):
            if i != col and M[i][col] != 0:
                f = M[i][col]
                M[i] = [a - f * c for a, c in zip(M[i], M[col])]
    return [M[i][n] for i in range(n)]


def dual_bound(
    A: Sequence[Sequence[Fraction]], b: Sequence[Fraction], x0: Sequence[Fraction], lam: Sequence[Fraction]
) -> Fraction:
    """``lam.(A x0 - b) - ||A^T lam||^2 / 4``: a lower bound of ``||x - x0||^2`` on ``{A x <= b}``
    for any ``lam >= 0``.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from fractions import Fraction as F
    >>> from relu_geom.arith.qp import dual_bound
    >>> dual_bound([[F(-1)]], [F(-3)], [F(0)], [F(6)])  # x >= 3: distance^2 from 0 is 9
    Fraction(9, 1)
    """
    d = len(x0)
    w = [sum((li * row[k] for li, row in zip(lam, A)), Fraction(0)) for k in range(d)]
    beta = sum((li * (_dot(row, x0) - bi) for li, row, bi in zip(lam, A, b)), Fraction(0))
    return beta - _dot(w, w) / 4


def project(
    A: Sequence[Sequence[Fraction]],
    b: Sequence[Fraction],
    x0: Sequence[Fraction],
    *,
    max_steps: int = 10_000,
) -> QPResult:
    """The point of ``{x : A x <= b}`` nearest to ``x0`` in the l2 norm, exactly, with multipliers.

    Parameters
    ----------
    A, b
        The rows ``a_i . x <= b_i`` (rationals).
    x0
        The point projected.
    max_steps
        Limit on active-set steps (:class:`~relu_geom.LimitExceededError` beyond it).

    Examples
    --------
    >>> import relu_geom as rg
    >>> from fractions import Fraction as F
    >>> from relu_geom.arith.qp import project
    >>> res = project([[F(1), F(1)]], [F(0)], [F(1), F(1)])  # the halfplane x1 + x2 <= 0
    >>> res.x, res.value, res.multipliers
    ((Fraction(0, 1), Fraction(0, 1)), Fraction(2, 1), (Fraction(2, 1),))
    >>> project([[F(1)], [F(-1)]], [F(0), F(-1)], [F(0)]).status  # x <= 0 and x >= 1
    'infeasible'
    """
    d = len(x0)
    A = [tuple(Fraction(v) for v in row) for row in A]
    b = [Fraction(v) for v in b]
    if len(A) != len(b) or any(len(row) != d for row in A):
        raise DimensionMismatchError(f"project: A must have {len(b)} rows of {d} entries")
    x = [Fraction(v) for v in x0]
    active: list[int] = []
    lam: dict[int, Fraction] = {}  # multipliers of 1/2 ||x - x0||^2 (half of the certificate's)
    steps = 0
    while True:
        violated = [(_dot(A[i], x) - b[i], -i) for i in range(len(A)) if i not in lam]
        worst = max(violated, default=(Fraction(0), 0))
        if worst[0] <= 0:
            break
        p = -worst[1]
        ap = A[p]
        lam_p = Fraction(0)
        while True:
            steps += 1
            if steps > max_steps:
                raise LimitExceededError(f"project: more than {max_steps} active-set steps")
            if active:
                G = [[_dot(A[i], A[k]) for k in active] for i in active]
                r = _solve(G, [_dot(A[i], ap) for i in active])
            else:
                r = []
            z = [ap[c] - sum((rk * A[i][c] for rk, i in zip(r, active)), Fraction(0)) for c in range(d)]
            zz = _dot(z, z)
            drops = [(lam[i] / rk, n) for n, (rk, i) in enumerate(zip(r, active)) if rk > 0]
            t2 = min(drops) if drops else None
            if zz == 0:
                if t2 is None:  # a_p is a non-positive combination of the active normals: empty
                    mu = [Fraction(0)] * len(A)
                    mu[p] = Fraction(1)
                    for rk, i in zip(r, active):
                        mu[i] = -rk
                    return QPResult("infeasible", None, None, tuple(mu))
                t = t2[0]
            else:
                t1 = (_dot(ap, x) - b[p]) / zz
                t = t1 if t2 is None or t1 <= t2[0] else t2[0]
                x = [xc - t * zc for xc, zc in zip(x, z)]
            for rk, i in zip(r, active):
                lam[i] -= t * rk
            lam_p += t
            if zz != 0 and (t2 is None or t1 <= t2[0]):
                active.append(p)
                lam[p] = lam_p
                break
            k = active.pop(t2[1])  # type: ignore[index]  # t2 is set on a partial step
            del lam[k]
    mult = tuple(2 * lam.get(i, Fraction(0)) for i in range(len(A)))
    value = sum(((a - c) ** 2 for a, c in zip(x, x0)), Fraction(0))
    # the certificate, re-checked: primal and dual feasibility, stationarity, equal values
    assert all(v >= 0 for v in mult) and all(_dot(row, x) <= bi for row, bi in zip(A, b))
    assert all(
        xc == x0c - sum((m * row[c] for m, row in zip(mult, A)), Fraction(0)) / 2
        for c, (xc, x0c) in enumerate(zip(x, x0))
    )
    assert dual_bound(A, b, x0, mult) == value
    return QPResult("optimal", tuple(x), value, mult)
