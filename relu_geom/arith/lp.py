"""Exact linear programming with certificates.

One entry point, :func:`solve_lp`, for

    maximize (or minimize)  c.x   subject to  A_ub x <= b_ub,  A_eq x = b_eq,  lo <= x <= hi.

Every answer carries an exact certificate (rationals only):

- ``optimal``: a feasible point ``x`` and multipliers ``y_ub >= 0``, ``y_eq`` (free),
  ``y_upper >= 0``, ``y_lower >= 0`` with ``s c = A_ub^T y_ub + A_eq^T y_eq + y_upper - y_lower``
  and ``s value = b_ub.y_ub + b_eq.y_eq + hi.y_upper - lo.y_lower`` where ``s = +1`` for
  maximize and ``-1`` for minimize (so ``s c.x <= s value`` for every feasible ``x``: weak
  duality, and equality at ``x``);
- ``infeasible``: a Farkas certificate, multipliers of the same signs with
  ``A_ub^T y_ub + A_eq^T y_eq + y_upper - y_lower = 0`` and
  ``b_ub.y_ub + b_eq.y_eq + hi.y_upper - lo.y_lower < 0``;
- ``unbounded``: a feasible ``x`` and a ray ``d`` (``A_ub d <= 0``, ``A_eq d = 0``, ``d`` keeps
  every finite bound) with ``s c.d > 0``.

:func:`check_lp_certificate` re-checks any result exactly.  The default method takes
the optimal basis of a floating-point solve (HiGHS, through ``highspy``) as a *guide*,
re-solves that basis exactly (python-flint) and continues with an exact simplex method
in Fractions (Bland's rule, so it terminates) from there; when the guide is missing,
fails, or its basis is not primal feasible in exact arithmetic, the exact simplex
starts from scratch (two phases).  ``exact_only=True`` skips the guide.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import flint

from relu_geom.arith.rational import to_rational
from relu_geom.errors import DimensionMismatchError, LimitExceededError

__all__ = ["LPResult", "check_lp_certificate", "solve_lp"]

Vec = tuple[Fraction, ...]
_ZERO = Fraction(0)


@dataclass(frozen=True, slots=True)
class LPResult:
    """The exact answer of :func:`solve_lp` (see the module docstring for the signs).

    Attributes
    ----------
    status
        ``"optimal"``, ``"infeasible"`` or ``"unbounded"``.
    value
        The exact optimal value (``None`` unless optimal).
    x
        An optimal point (optimal), a feasible point (unbounded), else ``None``.
    y_ub, y_eq, y_lower, y_upper
        Dual multipliers (optimal) or the Farkas certificate (infeasible).
    ray
        An improving ray (unbounded).
    method
        ``"guided"`` when the float basis was optimal as it was, ``"simplex"`` otherwise.
    """

    status: str
    value: Fraction | None = None
    x: Vec | None = None
    y_ub: Vec | None = None
    y_eq: Vec | None = None
    y_lower: Vec | None = None
    y_upper: Vec | None = None
    ray: Vec | None = None
    method: str = "simplex"


@dataclass(frozen=True, slots=True)
class _Problem:
    """maximize c.x s.t. A x <= b, E x = e, lo <= x <= hi (None = infinite)."""

    c: Vec
    A: tuple[Vec, ...]
    b: Vec
    E: tuple[Vec, ...]
    e: Vec
    lo: tuple[Fraction | None, ...]
    hi: tuple[Fraction | None, ...]


def _matrix(rows: Iterable[Iterable[object]] | None, n: int | None, what: str) -> tuple[Vec, ...]:
    if rows is None:
        return ()
    out = tuple(tuple(to_rational(v, what=what) for v in row) for row in rows)
    for row in out:
        if n is not None and len(row) != n:
            raise DimensionMismatchError(f"{what}: expected rows of length {n}, got {len(row)}")
    return out


def _problem(c, A_ub, b_ub, A_eq, b_eq, bounds, maximize) -> tuple[_Problem, int]:
    cc = tuple(to_rational(v, what="c") for v in c)
    n = len(cc)
    A = _matrix(A_ub, n, "A_ub")
    E = _matrix(A_eq, n, "A_eq")
    b = tuple(to_rational(v, what="b_ub") for v in (b_ub if b_ub is not None else ()))
    e = tuple(to_rational(v, what="b_eq") for v in (b_eq if b_eq is not None else ()))
    if len(b) != len(A) or len(e) != len(E):
        raise DimensionMismatchError("b_ub / b_eq: expected one right-hand side per row")
    if bounds is None:
        pairs = [(0, None)] * n
    elif len(bounds) == 2 and not isinstance(bounds[0], (list, tuple)) and n != 2:
        pairs = [tuple(bounds)] * n
    else:
        pairs = [tuple(p) for p in bounds]
    if len(pairs) != n:
        raise DimensionMismatchError(f"bounds: expected {n} pairs, got {len(pairs)}")
    lo = tuple(None if p[0] is None else to_rational(p[0], what="bounds") for p in pairs)
    hi = tuple(None if p[1] is None else to_rational(p[1], what="bounds") for p in pairs)
    sense = 1 if maximize else -1
    return _Problem(tuple(sense * v for v in cc), A, b, E, e, lo, hi), sense


def _dot(u: Sequence[Fraction], v: Sequence[Fraction]) -> Fraction:
    return sum((a * b for a, b in zip(u, v) if a and b), _ZERO)


# ----------------------------------------------------------------- certificates
def _check(p: _Problem, res: LPResult) -> bool:
    n = len(p.c)

    def feasible(x: Vec) -> bool:
        return (
            all(_dot(r, x) <= bi for r, bi in zip(p.A, p.b))
            and all(_dot(r, x) == ei for r, ei in zip(p.E, p.e))
            and all((lo is None or lo <= v) and (hi is None or v <= hi) for v, lo, hi in zip(x, p.lo, p.hi))
        )

    if res.status == "unbounded":
        d = res.ray
        return (
            res.x is not None
            and feasible(res.x)
            and d is not None
            and all(_dot(r, d) <= 0 for r in p.A)
            and all(_dot(r, d) == 0 for r in p.E)
            and all((lo is None or v >= 0) and (hi is None or v <= 0) for v, lo, hi in zip(d, p.lo, p.hi))
            and _dot(p.c, d) > 0
        )
    y, z, wl, wu = res.y_ub, res.y_eq, res.y_lower, res.y_upper
    if y is None or z is None or wl is None or wu is None:
        return False
    if any(v < 0 for v in (*y, *wl, *wu)):
        return False
    if any(w and b is None for w, b in zip(wl, p.lo)) or any(w and b is None for w, b in zip(wu, p.hi)):
        return False
    target = p.c if res.status == "optimal" else (_ZERO,) * n
    for j in range(n):
        s = sum((r[j] * v for r, v in zip(p.A, y) if v), _ZERO)
        s += sum((r[j] * v for r, v in zip(p.E, z) if v), _ZERO) + wu[j] - wl[j]
        if s != target[j]:
            return False
    dual = _dot(p.b, y) + _dot(p.e, z)
    dual += sum((w * b for w, b in zip(wu, p.hi) if w and b is not None), _ZERO) - sum(
        (w * b for w, b in zip(wl, p.lo) if w and b is not None), _ZERO
    )  # (a nonzero multiplier of an infinite bound was refused above)
    if res.status == "infeasible":
        return dual < 0
    return res.x is not None and feasible(res.x) and _dot(p.c, res.x) == dual


def check_lp_certificate(
    result: LPResult, c, A_ub=None, b_ub=None, A_eq=None, b_eq=None, bounds=None, *, maximize=False
) -> bool:
    """Re-check the certificate of a :func:`solve_lp` result exactly (same arguments).

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.arith.lp import solve_lp, check_lp_certificate
    >>> res = solve_lp([1, 1], [[1, 2], [3, 1]], [4, 6], maximize=True)
    >>> res.value, check_lp_certificate(res, [1, 1], [[1, 2], [3, 1]], [4, 6], maximize=True)
    (Fraction(14, 5), True)
    """
    p, sense = _problem(c, A_ub, b_ub, A_eq, b_eq, bounds, maximize)
    if result.status == "optimal":
        if result.value is None or result.x is None:
            return False
        if _dot(p.c, result.x) != sense * result.value:
            return False
    return _check(p, result)


# ------------------------------------------------------------ standard form
class _Std:
    """x = o + T x'' with x'' >= 0; rows M x''_ext = r over columns x'', slacks (one per <= row)."""

    def __init__(self, p: _Problem):
        n = len(p.c)
        self.p = p
        self.cols: list[tuple[int, int]] = []  # (original variable, +1 / -1)
        self.offset = [_ZERO] * n
        boxed = []
        for j in range(n):
            lo, hi = p.lo[j], p.hi[j]
            if lo is not None:
                self.offset[j] = lo
                self.cols.append((j, 1))
                if hi is not None:
                    boxed.append(len(self.cols) - 1)
            elif hi is not None:
                self.offset[j] = hi
                self.cols.append((j, -1))
            else:
                self.cols.append((j, 1))
                self.cols.append((j, -1))
        self.boxed = boxed
        nx = len(self.cols)
        # inequality rows: A_ub rows, then one bound row per boxed column
        ineq: list[tuple[list[Fraction], Fraction]] = []
        for row, bi in zip(p.A, p.b):
            ineq.append(([row[j] * s for j, s in self.cols], bi - _dot(row, self.offset)))
        for k in boxed:
            j = self.cols[k][0]
            r = [_ZERO] * nx
            r[k] = Fraction(1)
            hi, lo = p.hi[j], p.lo[j]
            assert hi is not None and lo is not None  # a boxed column has both bounds
            ineq.append((r, hi - lo))
        eq = [([row[j] * s for j, s in self.cols], ei - _dot(row, self.offset)) for row, ei in zip(p.E, p.e)]
        self.n_ineq = len(ineq)
        self.n_x = nx
        self.n_cols = nx + len(ineq)
        self.rows: list[list[Fraction]] = []
        self.rhs: list[Fraction] = []
        for i, (r, v) in enumerate(ineq):
            slack = [_ZERO] * len(ineq)
            slack[i] = Fraction(1)
            self.rows.append(r + slack)
            self.rhs.append(v)
        for r, v in eq:
            self.rows.append(r + [_ZERO] * len(ineq))
            self.rhs.append(v)
        self.cost = [p.c[j] * s for j, s in self.cols] + [_ZERO] * len(ineq)

    def point(self, xs: Sequence[Fraction]) -> Vec:
        x = list(self.offset)
        for (j, s), v in zip(self.cols, xs):
            x[j] += s * v
        return tuple(x)

    def direction(self, ds: Sequence[Fraction]) -> Vec:
        d = [_ZERO] * len(self.p.c)
        for (j, s), v in zip(self.cols, ds):
            d[j] += s * v
        return tuple(d)

    def multipliers(self, y: Sequence[Fraction], cost: Sequence[Fraction]) -> tuple[Vec, Vec, Vec, Vec]:
        """Original multipliers from row duals ``y`` (reduced costs give the bound multipliers)."""
        p = self.p
        n = len(p.c)
        m_ub = len(p.A)
        y_ub = tuple(y[:m_ub])
        y_box = y[m_ub : self.n_ineq]
        y_eq = tuple(y[self.n_ineq :])
        wl = [_ZERO] * n
        wu = [_ZERO] * n
        for k, v in zip(self.boxed, y_box):
            wu[self.cols[k][0]] += v
        for k, (j, s) in enumerate(self.cols):
            d = cost[k] - sum((row[k] * yi for row, yi in zip(self.rows, y) if yi and row[k]), _ZERO)
            # d <= 0 at optimality: the constraint x''_k >= 0 carries multiplier -d
            if d:
                if s > 0 and p.lo[j] is not None:
                    wl[j] += -d
                elif s < 0 and p.hi[j] is not None:
                    wu[j] += -d
                # a free split column has d = 0 at optimality (both halves nonpositive)
        return y_ub, y_eq, tuple(wl), tuple(wu)


def _q(v: Fraction) -> flint.fmpq:
    return flint.fmpq(v.numerator, v.denominator)


def _solve_basis(rows: Sequence[Sequence[Fraction]], basis: Sequence[int], rhs_cols: list[list[Fraction]]):
    """B^{-1} applied to columns given as rows of a matrix (exact, flint); None if singular."""
    m = len(rows)
    B = flint.fmpq_mat(m, m, [_q(rows[i][k]) for i in range(m) for k in basis])
    R = flint.fmpq_mat(m, len(rhs_cols[0]), [_q(v) for row in rhs_cols for v in row])
    try:
        X = B.solve(R)
    except ZeroDivisionError:
        return None
    return [[Fraction(int(X[i, j].p), int(X[i, j].q)) for j in range(X.ncols())] for i in range(m)]


def _transpose_solve(rows, basis, cost) -> list[Fraction]:
    m = len(rows)
    BT = flint.fmpq_mat(m, m, [_q(rows[i][k]) for k in basis for i in range(m)])
    y = BT.solve(flint.fmpq_mat(m, 1, [_q(cost[k]) for k in basis]))
    return [Fraction(int(y[i, 0].p), int(y[i, 0].q)) for i in range(m)]


class _Tableau:
    """Dense simplex tableau in Fractions, maximizing, Bland's rule."""

    def __init__(self, T: list[list[Fraction]], rhs: list[Fraction], basis: list[int], cost: list[Fraction]):
        self.T, self.rhs, self.basis, self.cost = T, rhs, basis, cost
        ncols = len(cost)
        self.red = list(cost)
        for i, k in enumerate(basis):
            ck = cost[k]
            if ck:
                row = T[i]
                self.red = [a - ck * b for a, b in zip(self.red, row)]
        self.ncols = ncols

    def pivot(self, r: int, k: int) -> None:
        T = self.T
        pr = T[r]
        a = pr[k]
        if a != 1:
            pr = [v / a for v in pr]
            T[r] = pr
            self.rhs[r] /= a
        nz = [j for j, v in enumerate(pr) if v]
        for i in range(len(T)):
            if i != r:
                f = T[i][k]
                if f:
                    row = T[i]
                    for j in nz:
                        row[j] -= f * pr[j]
                    self.rhs[i] -= f * self.rhs[r]
        f = self.red[k]
        if f:
            for j in nz:
                self.red[j] -= f * pr[j]
        self.basis[r] = k

    def run(self, allowed: int, max_pivots: int) -> int | None:
        """Pivot to optimality over columns < allowed; returns an unbounded column or None."""
        for _ in range(max_pivots):
            k = next((j for j in range(allowed) if self.red[j] > 0), None)
            if k is None:
                return None
            best = None
            for i, row in enumerate(self.T):
                if row[k] > 0:
                    ratio = self.rhs[i] / row[k]
                    key = (ratio, self.basis[i])
                    if best is None or key < best[0]:
                        best = (key, i)
            if best is None:
                return k
            self.pivot(best[1], k)
        raise LimitExceededError(f"exact simplex: more than {max_pivots} pivots")


def _finish(std: _Std, tab: _Tableau, unbounded_col: int | None, method: str) -> LPResult:
    p = std.p
    xs = [_ZERO] * std.n_cols
    for i, k in enumerate(tab.basis):
        if k < std.n_cols:
            xs[k] = tab.rhs[i]
    x = std.point(xs[: std.n_x])
    if unbounded_col is not None:
        ds = [_ZERO] * std.n_cols
        ds[unbounded_col] = Fraction(1)
        for i, k in enumerate(tab.basis):
            if k < std.n_cols:
                ds[k] = -tab.T[i][unbounded_col]
        return LPResult("unbounded", x=x, ray=std.direction(ds[: std.n_x]), method=method)
    rows = [r + [_ZERO] * (len(tab.cost) - std.n_cols) for r in std.rows]
    for i, k in enumerate(tab.basis):  # artificial columns: unit vectors (sign irrelevant at cost 0)
        if k >= std.n_cols:
            rows[i][k] = Fraction(1)
    y = _transpose_solve(rows, tab.basis, tab.cost)
    y_ub, y_eq, wl, wu = std.multipliers(y, std.cost)
    return LPResult("optimal", _dot(p.c, x), x, y_ub, y_eq, wl, wu, method=method)


def _simplex(std: _Std, max_pivots: int) -> LPResult:
    m = len(std.rows)
    N = std.n_cols
    T: list[list[Fraction]] = []
    rhs: list[Fraction] = []
    basis: list[int] = []
    n_art = 0
    art_sign: list[int] = []
    for i, (row, v) in enumerate(zip(std.rows, std.rhs)):
        sgn = -1 if v < 0 else 1
        T.append([sgn * a for a in row])
        rhs.append(sgn * v)
        if i < std.n_ineq and sgn > 0:
            basis.append(std.n_x + i)
            art_sign.append(0)
        else:
            basis.append(N + n_art)
            art_sign.append(sgn)
            n_art += 1
    for i, row in enumerate(T):
        row.extend([_ZERO] * n_art)
        if basis[i] >= N:
            row[basis[i]] = Fraction(1)
    phase1 = [_ZERO] * N + [Fraction(-1)] * n_art
    tab = _Tableau(T, rhs, basis, phase1)
    if n_art:
        tab.run(N + n_art, max_pivots)
        value = sum((tab.rhs[i] for i, k in enumerate(tab.basis) if k >= N), _ZERO)
        if value > 0:
            # Farkas: duals of phase I in the original (unsigned) rows
            rows = [list(r) + [_ZERO] * n_art for r in std.rows]
            col = N
            for i in range(m):
                if art_sign[i]:
                    rows[i][col] = Fraction(art_sign[i])
                    col += 1
            y = _transpose_solve(rows, tab.basis, phase1)
            # phase I maximizes -sum(art): y satisfies M^T y >= 0, r.y = -value < 0 with M = rows
            y_ub, y_eq, wl, wu = std.multipliers(y, [_ZERO] * N)
            return LPResult("infeasible", y_ub=y_ub, y_eq=y_eq, y_lower=wl, y_upper=wu)
        for i, k in enumerate(tab.basis):  # drive zero-level artificials out where possible
            if k >= N:
                nonzero = next((j for j in range(N) if tab.T[i][j]), None)
                if nonzero is not None:
                    tab.pivot(i, nonzero)
    cost = list(std.cost) + [_ZERO] * n_art
    tab2 = _Tableau(tab.T, tab.rhs, tab.basis, cost)
    return _finish(std, tab2, tab2.run(N, max_pivots), "simplex")


def set_dense_matrix(lp: Any, rows: Sequence[Any], ncol: int) -> None:
    """Give a ``highspy.HighsLp`` the constraint matrix of dense rows, stored column-wise.

    The entries are read as floats (the float guide only); zeros are dropped.
    """
    import highspy
    import numpy as np

    A = np.asarray(rows, dtype=float).reshape(len(rows), ncol)
    cols, rws = np.nonzero(A.T)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.searchsorted(cols, np.arange(ncol + 1)).astype(np.int32)
    lp.a_matrix_.index_ = rws.astype(np.int32)
    lp.a_matrix_.value_ = A.T[cols, rws]


def new_highs():
    """A silent HiGHS instance, or None without highspy (the first one prints a banner on fd 1)."""
    try:
        import highspy
    except ImportError:
        return None
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    h.setOptionValue("output_flag", False)
    return h


def _guided(std: _Std, p: _Problem, max_pivots: int) -> LPResult | None:
    """Warm start from the HiGHS basis; None if the guide is unavailable or not usable."""
    h = new_highs()
    if h is None:
        return None
    import highspy

    n = len(p.c)
    inf = highspy.kHighsInf
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = len(p.A) + len(p.E)
    lp.col_cost_ = [float(v) for v in p.c]
    lp.col_lower_ = [-inf if v is None else float(v) for v in p.lo]
    lp.col_upper_ = [inf if v is None else float(v) for v in p.hi]
    lp.row_lower_ = [-inf] * len(p.A) + [float(v) for v in p.e]
    lp.row_upper_ = [float(v) for v in p.b] + [float(v) for v in p.e]
    set_dense_matrix(lp, list(p.A) + list(p.E), n)
    lp.sense_ = highspy.ObjSense.kMaximize
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    basis_info = h.getBasis()
    cst, rst = list(basis_info.col_status), list(basis_info.row_status)
    B = highspy.HighsBasisStatus
    basis: list[int] = []
    for k, (j, s) in enumerate(std.cols):
        if cst[j] == B.kBasic:
            if s > 0 or p.hi[j] is not None:  # the minus half of a free variable stays nonbasic
                basis.append(k)
        elif cst[j] == B.kUpper and p.lo[j] is not None and p.hi[j] is not None:
            basis.append(k)
    for i in range(len(p.A)):
        if rst[i] == B.kBasic:
            basis.append(std.n_x + i)
    for t, k in enumerate(std.boxed):
        if cst[std.cols[k][0]] != B.kUpper:
            basis.append(std.n_x + len(p.A) + t)
    if len(basis) != len(std.rows) or not std.rows:
        return None
    cols = [list(r) + [v] for r, v in zip(std.rows, std.rhs)]
    X = _solve_basis(std.rows, basis, cols)
    if X is None:
        return None
    T = [row[:-1] for row in X]
    rhs = [row[-1] for row in X]
    if any(v < 0 for v in rhs):
        return None
    tab = _Tableau(T, rhs, list(basis), list(std.cost))
    optimal_as_is = all(v <= 0 for v in tab.red)
    col = tab.run(std.n_cols, max_pivots)
    return _finish(std, tab, col, "guided" if optimal_as_is else "simplex")


def solve_lp(
    c,
    A_ub=None,
    b_ub=None,
    A_eq=None,
    b_eq=None,
    bounds=None,
    *,
    maximize: bool = False,
    exact_only: bool = False,
    max_pivots: int = 100_000,
) -> LPResult:
    """Solve a linear program exactly and return it with its certificate.

    Parameters
    ----------
    c
        Objective coefficients (rationals).
    A_ub, b_ub, A_eq, b_eq
        Inequality rows ``A_ub x <= b_ub`` and equality rows ``A_eq x = b_eq``.
    bounds
        ``None`` (every ``x_j >= 0``, as in ``scipy.optimize.linprog``), one ``(lo, hi)``
        pair for every variable, or a list of pairs; ``None`` in a pair means infinite.
    maximize
        Maximize instead of minimize.
    exact_only
        Skip the floating-point guide (HiGHS) and run the exact simplex method alone.
    max_pivots
        Limit on simplex pivots per phase (:class:`LimitExceededError` beyond it).

    Returns
    -------
    LPResult
        See the module docstring for the sign conventions of the certificate.

    Notes
    -----
    The float solve only proposes a basis; the result is always the exact optimum of
    the exact problem, and its certificate is re-checked before it is returned.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.arith.lp import solve_lp
    >>> res = solve_lp([-1, -1], [[1, 2], [3, 1]], [4, 6])  # minimize -x - y
    >>> res.status, res.value, res.x
    ('optimal', Fraction(-14, 5), (Fraction(8, 5), Fraction(6, 5)))
    >>> solve_lp([1], [[1]], [-1]).status
    'infeasible'
    """
    p, sense = _problem(c, A_ub, b_ub, A_eq, b_eq, bounds, maximize)
    for j, (lo, hi) in enumerate(zip(p.lo, p.hi)):
        if lo is not None and hi is not None and lo > hi:  # Farkas: x_j >= lo and x_j <= hi
            unit = tuple(Fraction(int(i == j)) for i in range(len(p.c)))
            return LPResult(
                "infeasible", y_ub=(_ZERO,) * len(p.A), y_eq=(_ZERO,) * len(p.E), y_lower=unit, y_upper=unit
            )
    std = _Std(p)
    res = None if exact_only else _guided(std, p, max_pivots)
    if res is None:
        res = _simplex(std, max_pivots)
    if not _check(p, res):  # pragma: no cover - a failure here is a bug, never a wrong answer
        raise ArithmeticError("solve_lp: the exact certificate does not check")
    if res.status == "optimal":
        value = res.value if sense > 0 else -res.value  # type: ignore[operator]
        res = LPResult(
            "optimal", value, res.x, res.y_ub, res.y_eq, res.y_lower, res.y_upper, method=res.method
        )
    return res
