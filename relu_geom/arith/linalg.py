"""Exact linear algebra over Q for large matrices: rank, RREF, nullspace, solve.

All functions take matrices as sequences of rows whose entries are ints,
Fractions or anything :func:`~relu_geom.arith.rational.to_rational` accepts,
and return Fractions and tuples.  Nothing is rounded.

Method
------
Scaling a row by a nonzero number changes neither the rank nor the row space, so
every row is first multiplied by the least common multiple of its denominators
(an integer matrix ``M``).  The rank is then found in three steps:

1. **Lower bound modulo a prime.**  ``M`` is reduced modulo a 62-bit prime ``p``
   and row-reduced with FLINT's ``nmod_mat``.  A minor that is nonzero modulo
   ``p`` is nonzero over Z, so ``rank_p(M) <= rank_Q(M)``, always.
2. **Done when the bound is attained.**  If ``rank_p`` equals ``min(rows, cols)``
   (or an upper bound the caller proves by other means, ``upper=``), the rank is
   exact.  This is the common case and costs one modular elimination.
3. **Otherwise a kernel certificate.**  The reduced row echelon form over Q is
   unique; its entries are recovered from several primes by the Chinese
   remainder theorem and rational reconstruction (or, for large entries, by
   Dixon p-adic lifting in FLINT), giving ``cols - r`` kernel
   vectors.  They are checked by one exact integer product ``M K == 0``
   (``fmpz_mat``).  Independent kernel vectors prove ``rank_Q <= r``.  If the
   check fails (a prime dividing some minor, or too few primes), more primes are
   used; past a size bound the code falls back to FLINT's fraction-free
   ``fmpz_mat.rank``.  The answer is exact in every branch; only the time
   depends on luck.

FLINT's own ``fmpz_mat.rank`` is fast for full-rank matrices but fraction-free
elimination of a rank-deficient 400 x 353 matrix with 100-bit entries takes
minutes; the modular route above takes milliseconds when the kernel has small
entries (as the kernels met in this package do: rescaling symmetries, dead
neurons, repeated activation patterns).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

import flint

from relu_geom._util import short_repr
from relu_geom.arith.modular import independent_rows_mod_p, prime, rref_mod
from relu_geom.arith.rational import to_rational
from relu_geom.errors import DimensionMismatchError, InvalidInputError

__all__ = [
    "integer_kernel",
    "integer_rank",
    "integer_rows",
    "is_positive_multiple",
    "kernel_of_independent_rows",
    "nullspace",
    "rank",
    "rank_certificate",
    "rref",
    "solve",
]


# --------------------------------------------------------------- conversion
def _as_rows(rows: Sequence[Sequence[object]], what: str) -> tuple[list[list[Fraction]], int]:
    if hasattr(rows, "tolist"):
        rows = rows.tolist()
    out: list[list[Fraction]] = []
    ncols = -1
    for i, row in enumerate(rows):
        if hasattr(row, "tolist"):
            row = row.tolist()
        if isinstance(row, (str, bytes)) or not isinstance(row, Sequence):
            raise InvalidInputError(f"{what}[{i}]: expected a row (a sequence of numbers), got {short_repr(row)}")
        vals = [
            v if isinstance(v, Fraction) else to_rational(v, what=f"{what}[{i}][{j}]")
            for j, v in enumerate(row)
        ]
        if ncols < 0:
            ncols = len(vals)
        elif len(vals) != ncols:
            raise DimensionMismatchError(
                f"{what}: ragged matrix, row 0 has {ncols} entries but row {i} has {len(vals)}"
            )
        out.append(vals)
    return out, max(ncols, 0)


def integer_rows(rows: Sequence[Sequence[Fraction | int]]) -> list[list[int]]:
    """Each row multiplied by the lcm of its denominators (same row space, same rank).

    Examples
    --------
    >>> import relu_geom as rg
    >>> from fractions import Fraction as F
    >>> rg.arith.linalg.integer_rows([[F(1, 2), F(1, 3)], [2, 0]])
    [[3, 2], [2, 0]]
    """
    out = []
    for row in rows:
        den = math.lcm(*(v.denominator for v in row if not isinstance(v, int))) if row else 1
        out.append([int(v * den) for v in row] if den != 1 else [int(v) for v in row])
    return out


# ------------------------------------------------------------ modular core
def _rational_reconstruct(a: int, m: int) -> Fraction | None:
    """The fraction n/d with |n|, d <= sqrt(m/2) congruent to a mod m, or None (Wang)."""
    bound = math.isqrt(m // 2)
    r0, r1 = m, a % m
    s0, s1 = 0, 1
    while r1 > bound:
        q = r0 // r1
        r0, r1 = r1, r0 - q * r1
        s0, s1 = s1, s0 - q * s1
    if s1 == 0 or abs(s1) > bound or math.gcd(r1, abs(s1)) != 1:
        return None
    return Fraction(r1, s1)


def _kernel_matrix(
    X_cols: list[list[Fraction]], ncols: int, pivots: list[int], free: list[int]
) -> flint.fmpz_mat:
    """Integer kernel vectors e_f - sum_i X[i][f] e_{pivot_i}, one column per free column f."""
    cols = []
    for entries, f in zip(X_cols, free):
        den = math.lcm(*(q.denominator for q in entries)) if entries else 1
        vec = [0] * ncols
        vec[f] = den
        for i, q in enumerate(entries):
            vec[pivots[i]] = -int(q * den)
        cols.append(vec)
    return flint.fmpz_mat(ncols, len(free), [cols[j][i] for i in range(ncols) for j in range(len(free))])


_MODULAR_BITS = 2048


def kernel_of_independent_rows(
    B: Sequence[Sequence[int]], ncols: int, *, prime_index: int = 0
) -> flint.fmpz_mat | None:
    """Integer basis ``K`` (``ncols x (ncols - r)``) of the right kernel of ``r`` rows independent over Q.

    Returns None when the rows are not independent modulo the chosen prime (try
    another ``prime_index``) or turn out dependent.  The result satisfies
    ``B K == 0`` exactly (checked) and has an identity block on the free
    columns, so its columns are independent: any integer matrix ``M`` with
    ``M K == 0`` has row space inside that of ``B``.

    The entries of ``B[:, P]^{-1} B`` (``P`` the pivot columns) are recovered by
    CRT and rational reconstruction over a few primes when they are small, else
    by Dixon p-adic lifting (FLINT).
    """
    r = len(B)
    if r == 0:
        return flint.fmpz_mat(ncols, ncols, [int(i == j) for i in range(ncols) for j in range(ncols)])
    p0 = prime(prime_index)
    B_exact = flint.fmpz_mat([list(row) for row in B])
    _, rp, pivots = rref_mod(B_exact, ncols, p0)
    if rp != r:
        return None
    free = [c for c in range(ncols) if c not in set(pivots)]
    if not free:
        return flint.fmpz_mat(ncols, 0)

    def checked(X_cols: list[list[Fraction]]) -> flint.fmpz_mat | None:
        K = _kernel_matrix(X_cols, ncols, pivots, free)
        return K if (B_exact * K).is_zero() else None

    modulus = 1
    crt: list[int] = []
    k = prime_index
    n_used = 0
    next_try = 1
    while modulus.bit_length() < _MODULAR_BITS:
        p = prime(k)
        k += 1
        R, rp, piv = rref_mod(B_exact, ncols, p)
        if rp != r or piv != pivots:
            continue  # p divides the minor: skip it
        vals = [int(R[i, f]) for f in free for i in range(r)]
        if modulus == 1:
            crt = vals
        else:
            inv = pow(modulus, -1, p)
            crt = [c + modulus * (((v - c) * inv) % p) for c, v in zip(crt, vals)]
        modulus *= p
        n_used += 1
        if n_used < next_try:
            continue
        next_try *= 2
        recon: list[Fraction] = []
        for c in crt:
            q = _rational_reconstruct(c, modulus)
            if q is None:
                break
            recon.append(q)
        else:
            K = checked([recon[j * r : (j + 1) * r] for j in range(len(free))])
            if K is not None:
                return K
    # large entries: Dixon lifting gives B_P^{-1} B_F directly
    BP = flint.fmpq_mat(flint.fmpz_mat([[row[c] for c in pivots] for row in B]))
    BF = flint.fmpq_mat(flint.fmpz_mat([[row[c] for c in free] for row in B]))
    X = BP.solve(BF, algorithm="dixon")  # type: ignore[call-arg]  # (python-flint stubs lack it)
    return checked([[Fraction(int(X[i, j].p), int(X[i, j].q)) for i in range(r)] for j in range(len(free))])


def _kernel_certificate(
    int_rows: Sequence[Sequence[int]], ncols: int, r: int, pivots: list[int], prime_index: int
) -> bool:
    """Try to prove ``rank M <= r`` from ``r`` rows independent modulo prime ``prime_index``."""
    rows_idx = independent_rows_mod_p(
        [[row[c] for c in pivots] for row in int_rows], r, prime_index=prime_index
    )
    K = kernel_of_independent_rows([int_rows[i] for i in rows_idx], ncols, prime_index=prime_index)
    if K is None:
        return False
    if K.ncols() == 0:
        return True
    return bool((flint.fmpz_mat([list(row) for row in int_rows]) * K).is_zero())


def integer_kernel(B: Sequence[Sequence[int]], ncols: int) -> flint.fmpz_mat:
    """:func:`kernel_of_independent_rows` for rows known to be independent over Q, trying primes in turn.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.arith.linalg import integer_kernel
    >>> K = integer_kernel([[1, 2, 3]], 3)
    >>> import flint
    >>> K.nrows(), K.ncols(), [int(v) for v in (flint.fmpz_mat([[1, 2, 3]]) * K).entries()]
    (3, 2, [0, 0])
    """
    for k in range(64):
        K = kernel_of_independent_rows(B, ncols, prime_index=k)
        if K is not None:
            return K
    raise AssertionError("rows expected independent over Q")  # pragma: no cover


def integer_rank(int_rows: Sequence[Sequence[int]], ncols: int, *, upper: int | None = None) -> int:
    """Exact rank of an integer matrix given by rows of ``ncols`` ints (the module notes give the method).

    ``upper`` is a bound the caller has proved (``rank <= upper``): a modular
    rank reaching it is exact at once.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.arith.linalg import integer_rank
    >>> integer_rank([[1, 2, 3], [2, 4, 6], [1, 0, 1]], 3)
    2
    """
    nrows = len(int_rows)
    bound = min(nrows, ncols) if upper is None else min(nrows, ncols, upper)
    if bound == 0:
        return 0
    best_r, best_k = -1, 0
    best_piv: list[int] = []
    for k in range(3):
        _, r, piv = rref_mod(int_rows, ncols, prime(8 * k))
        if r >= bound:
            return r
        if r > best_r or (r == best_r and piv < best_piv):
            best_r, best_piv, best_k = r, piv, 8 * k
        if k == 0 and _kernel_certificate(int_rows, ncols, r, piv, 0):
            return r
    if best_k and _kernel_certificate(int_rows, ncols, best_r, best_piv, best_k):
        return best_r
    return int(flint.fmpz_mat([list(row) for row in int_rows]).rank())


# ------------------------------------------------------------------ public
def rank(rows: Sequence[Sequence[object]], *, upper: int | None = None) -> int:
    """Exact rank over Q of a matrix given by its rows.

    Parameters
    ----------
    rows
        The matrix, a sequence of equal-length rows of exact numbers.
    upper
        Optional: a bound ``rank <= upper`` the caller knows to hold (for example
        ``D - H`` for a Jacobian of a ReLU network).  Attaining it modulo a prime
        ends the computation.  A wrong bound gives a wrong answer, so pass only
        proven bounds.

    Returns
    -------
    int

    Notes
    -----
    See the module docstring for the method (modular lower bound, certified by an
    exact kernel when the matrix is rank deficient).  Cost: one modular
    elimination ``O(n m min(n, m))`` word operations when the matrix has full
    rank; otherwise a few more primes and one exact product with the kernel.

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.arith.linalg.rank([[1, 2, 3], [2, 4, 6], ["1/2", 0, 1]])
    2
    >>> rg.arith.linalg.rank([])
    0
    """
    fr, ncols = _as_rows(rows, "rows")
    return integer_rank(integer_rows(fr), ncols, upper=upper)


def rank_certificate(rows: Sequence[Sequence[object]]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Row and column indices of a nonsingular ``r x r`` submatrix, ``r = rank(rows)``.

    The submatrix proves ``rank >= r`` by itself (its determinant is nonzero,
    which anyone can check, e.g. with SymPy); together with :func:`rank` it
    pins the rank down.  Rows and columns come out sorted.

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.arith.linalg.rank_certificate([[0, 0, 0], [1, 2, 3], [2, 4, 7]])
    ((1, 2), (0, 2))
    """
    fr, ncols = _as_rows(rows, "rows")
    M = integer_rows(fr)
    r = integer_rank(M, ncols)
    if r == 0:
        return (), ()
    for k in range(128):
        p = prime(k)
        _, rp, cols = rref_mod(M, ncols, p)
        if rp != r:
            continue
        sub = [[row[c] for c in cols] for row in M]
        rws = independent_rows_mod_p(sub, r, prime_index=k)
        return tuple(rws), tuple(cols)
    raise AssertionError("no prime found for a rank certificate")  # pragma: no cover


def rref(rows: Sequence[Sequence[object]]) -> tuple[tuple[tuple[Fraction, ...], ...], tuple[int, ...]]:
    """Reduced row echelon form over Q: the nonzero rows (pivots equal to 1) and the pivot columns.

    Examples
    --------
    >>> import relu_geom as rg
    >>> R, piv = rg.arith.linalg.rref([[2, 4, 2], [1, 2, 3]])
    >>> [[str(v) for v in row] for row in R], piv
    ([['1', '2', '0'], ['0', '0', '1']], (0, 2))
    """
    fr, ncols = _as_rows(rows, "rows")
    if not fr or ncols == 0:
        return (), ()
    M = integer_rows(fr)
    r = integer_rank(M, ncols)
    if r == 0:
        return (), ()
    Q, rq = flint.fmpq_mat(flint.fmpz_mat(M)).rref()
    assert rq == r
    out = tuple(tuple(Fraction(int(Q[i, j].p), int(Q[i, j].q)) for j in range(ncols)) for i in range(r))
    piv = tuple(next(j for j in range(ncols) if out[i][j] != 0) for i in range(r))
    return out, piv


def nullspace(rows: Sequence[Sequence[object]], ncols: int | None = None) -> list[tuple[Fraction, ...]]:
    """A basis of the right kernel ``{v : rows v = 0}``, one vector per free column.

    The vector for free column ``f`` has entry 1 at ``f``, 0 at the other free
    columns (the reduced basis, unique).  ``ncols`` is needed only when ``rows``
    is empty.

    Examples
    --------
    >>> import relu_geom as rg
    >>> [[str(v) for v in vec] for vec in rg.arith.linalg.nullspace([[1, 1, 0], [0, 0, 1]])]
    [['-1', '1', '0']]
    >>> len(rg.arith.linalg.nullspace([], ncols=2))
    2
    """
    fr, n = _as_rows(rows, "rows")
    if not fr:
        if ncols is None:
            raise InvalidInputError("ncols: needed for an empty matrix")
        n = ncols
    elif ncols is not None and ncols != n:
        raise DimensionMismatchError(f"ncols: rows have {n} columns, got ncols={ncols}")
    R, piv = rref(fr) if fr else ((), ())
    free = [c for c in range(n) if c not in set(piv)]
    out = []
    for f in free:
        vec = [Fraction(0)] * n
        vec[f] = Fraction(1)
        for row, p in zip(R, piv):
            vec[p] = -row[f]
        out.append(tuple(vec))
    return out


def solve(A: Sequence[Sequence[object]], b: Sequence[object]) -> tuple[Fraction, ...] | None:
    """One exact solution ``x`` of ``A x = b`` (free variables set to 0), or None.

    Examples
    --------
    >>> import relu_geom as rg
    >>> [str(v) for v in rg.arith.linalg.solve([[1, 1], [1, -1]], [3, 1])]
    ['2', '1']
    >>> rg.arith.linalg.solve([[1, 1], [2, 2]], [1, 3]) is None
    True
    """
    fr, n = _as_rows(A, "A")
    rhs = [to_rational(v, what=f"b[{i}]") for i, v in enumerate(b)]
    if len(rhs) != len(fr):
        raise DimensionMismatchError(f"b: expected {len(fr)} entries (one per row of A), got {len(rhs)}")
    if not fr:
        return None
    R, piv = rref([row + [v] for row, v in zip(fr, rhs)])
    if piv and piv[-1] == n:
        return None
    x = [Fraction(0)] * n
    for row, p in zip(R, piv):
        x[p] = row[n]
    return tuple(x)


def is_positive_multiple(u: Sequence[int] | None, v: Sequence[int] | None) -> bool:
    """Whether ``u = s v`` for some rational ``s > 0``, both vectors nonzero.

    ``None`` (an absent vector) and zero vectors are never positive multiples.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.arith.linalg import is_positive_multiple
    >>> is_positive_multiple((2, 4), (1, 2)), is_positive_multiple((-2, -4), (1, 2))
    (True, False)
    >>> is_positive_multiple((0, 0), (0, 0)), is_positive_multiple(None, (1,))
    (False, False)
    """
    if u is None or v is None or not any(u) or not any(v):
        return False
    q = next(i for i, x in enumerate(v) if x)
    return u[q] * v[q] > 0 and all(a * v[q] == b * u[q] for a, b in zip(u, v))
