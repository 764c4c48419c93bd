"""Small exact linear algebra: canonical forms of polyhedra, and small matrices (a few short rows).

These work on short rows of Fractions or ints in pure Python, which beats any
conversion to a C backend at this size; large ranks go through
:mod:`relu_geom.arith.linalg`.  Matrices are sequences of rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from relu_geom.arith.rational import clear_denominators, primitive

__all__ = [
    "add_scaled",
    "canonical_subspace",
    "combination",
    "complement_projector",
    "dot",
    "integer_echelon",
    "inverse",
    "matmul",
    "outer",
    "primitive_row",
    "rank",
    "rank_modulo",
    "reduce_integer_row",
    "reduce_row",
    "rref",
]

Rows = Sequence[Sequence[Fraction | int]]
_ZERO = Fraction(0)
_ONE = Fraction(1)


def rref(rows: Sequence[Sequence[Fraction | int]]) -> tuple[list[list[Fraction]], list[int]]:
    """Reduced row echelon form over Q: (nonzero rows with pivot 1, pivot columns).

    Examples
    --------
    >>> import relu_geom as rg
    >>> rows, piv = rg.arith.dense.rref([[2, 4, 2], [1, 2, 3]])
    >>> [[int(v) for v in r] for r in rows], piv
    ([[1, 2, 0], [0, 0, 1]], [0, 2])
    """
    mat = [[Fraction(v) for v in r] for r in rows]
    pivots: list[int] = []
    ncols = len(mat[0]) if mat else 0
    r = 0
    for c in range(ncols):
        p = next((i for i in range(r, len(mat)) if mat[i][c] != 0), None)
        if p is None:
            continue
        mat[r], mat[p] = mat[p], mat[r]
        pv = mat[r][c]
        mat[r] = [v / pv for v in mat[r]]
        for i in range(len(mat)):
            if i != r and mat[i][c] != 0:
                f = mat[i][c]
                mat[i] = [a - f * b for a, b in zip(mat[i], mat[r])]
        pivots.append(c)
        r += 1
        if r == len(mat):
            break
    return mat[:r], pivots


def reduce_row(
    row: Sequence[Fraction | int], basis: Sequence[Sequence[Fraction]], pivots: Sequence[int]
) -> list[Fraction]:
    """Reduce ``row`` modulo the span of an RREF ``basis`` (zero in every pivot column)."""
    out = [Fraction(v) for v in row]
    for b, p in zip(basis, pivots):
        f = out[p]
        if f:
            out = [a - f * v for a, v in zip(out, b)]
    return out


primitive_row = clear_denominators
"""The primitive integer row that is a positive multiple of a rational row (see
:func:`relu_geom.arith.rational.clear_denominators`)."""


def integer_echelon(rows: Sequence[Sequence[int]]) -> tuple[list[tuple[int, ...]], list[int]]:
    """Reduced echelon basis of the row span, over the integers.

    Every returned row is the primitive integer multiple, with positive pivot,
    of the corresponding row of the reduced row echelon form over Q; so the
    result is canonical.  Fraction-free: only integer combinations with a
    positive factor on the row being reduced, then division by the gcd.

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.arith.dense.integer_echelon([[2, 4, 2], [1, 2, 3]])
    ([(1, 2, 0), (0, 0, 1)], [0, 2])
    """
    basis: list[tuple[int, ...]] = []
    pivots: list[int] = []
    for row in rows:
        r = reduce_integer_row(row, basis, pivots)
        nz = next((i for i, v in enumerate(r) if v), None)
        if nz is None:
            continue
        if r[nz] < 0:
            r = tuple(-v for v in r)
        for k, b in enumerate(basis):
            c = b[nz]
            if c:
                basis[k] = primitive([r[nz] * x - c * y for x, y in zip(b, r)])
        basis.append(r)
        pivots.append(nz)
    order = sorted(range(len(basis)), key=pivots.__getitem__)
    return [basis[i] for i in order], [pivots[i] for i in order]


def reduce_integer_row(
    row: Sequence[int], basis: Sequence[Sequence[int]], pivots: Sequence[int]
) -> tuple[int, ...]:
    """The primitive positive multiple of ``row`` reduced modulo an :func:`integer_echelon` basis
    (zero in every pivot column)."""
    r = list(row)
    for b, p in zip(basis, pivots):
        c = r[p]
        if c:
            r = [b[p] * x - c * y for x, y in zip(r, b)]
    return primitive(r)


def canonical_subspace(rows: Sequence[Sequence[Fraction | int]]) -> tuple[tuple[int, ...], ...]:
    """A canonical integer basis of the row span: RREF rows made primitive (pivot positive)."""
    ints = [clear_denominators(map(Fraction, r)) for r in rows]
    return tuple(integer_echelon(ints)[0])


# ------------------------------------------------------------------ small matrices
def rank(rows: Rows) -> int:
    """Exact rank of a few short rows (pure Python; large matrices: :func:`relu_geom.arith.linalg.rank`).

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.arith.dense.rank([[1, 2], [2, 4], [0, 0]]), rg.arith.dense.rank([])
    (1, 0)
    """
    nonzero = [r for r in rows if any(r)]
    return len(rref(nonzero)[0]) if nonzero else 0


def rank_modulo(rows: Rows, basis: Rows) -> int:
    """Rank of ``rows`` modulo the span of ``basis``: ``rank(basis + rows) - rank(basis)``.

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.arith.dense.rank_modulo([[1, 1], [1, 0]], [[0, 1]])
    1
    """
    if not basis:
        return rank(rows)
    return rank([*basis, *rows]) - rank(basis)


def matmul(A: Rows, B: Rows) -> list[list[Fraction]]:
    """The product ``A B``.

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.arith.dense.matmul([[1, 2]], [[3], [4]])
    [[Fraction(11, 1)]]
    """
    cols = list(zip(*B))
    return [[sum((a * b for a, b in zip(row, col)), _ZERO) for col in cols] for row in A]


def outer(u: Sequence[Fraction], a: Sequence[Fraction]) -> list[list[Fraction]]:
    """The outer product ``u a^T``.

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.arith.dense.outer([1, 2], [rg.arith.QQ(1, 3), 0])
    [[Fraction(1, 3), 0], [Fraction(2, 3), 0]]
    """
    return [[x * y for y in a] for x in u]


def add_scaled(
    A: Sequence[Sequence[Fraction]], B: Sequence[Sequence[Fraction]], s: Fraction = _ONE
) -> list[list[Fraction]]:
    """``A + s B``.

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.arith.dense.add_scaled([[1, 2]], [[1, 1]], rg.arith.QQ(-1, 2))
    [[Fraction(1, 2), Fraction(3, 2)]]
    """
    return [[x + s * y for x, y in zip(r, q)] for r, q in zip(A, B)]


def inverse(A: Rows) -> list[list[Fraction]]:
    """The inverse of a square matrix; ZeroDivisionError when it is singular.

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.arith.dense.inverse([[2, 0], [0, 4]])
    [[Fraction(1, 2), Fraction(0, 1)], [Fraction(0, 1), Fraction(1, 4)]]
    """
    n = len(A)
    aug = [[Fraction(v) for v in r] + [Fraction(int(i == j)) for j in range(n)] for i, r in enumerate(A)]
    red, piv = rref(aug)
    if piv[:n] != list(range(n)) or len(red) < n:
        raise ZeroDivisionError("singular matrix")
    return [r[n:] for r in red]


def complement_projector(vectors: Rows, d: int) -> list[list[Fraction]]:
    """``I - P`` with ``P`` the orthogonal projector of ``Q^d`` onto the span of independent ``vectors``.

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.arith.dense.complement_projector([[1, 1]], 2)
    [[Fraction(1, 2), Fraction(-1, 2)], [Fraction(-1, 2), Fraction(1, 2)]]
    """
    eye = [[Fraction(int(i == j)) for j in range(d)] for i in range(d)]
    if not vectors:
        return eye
    A = [list(v) for v in vectors]  # rows a_j
    At = [list(c) for c in zip(*A)]
    P = matmul(matmul(At, inverse(matmul(A, At))), A)
    return [[e - p for e, p in zip(er, pr)] for er, pr in zip(eye, P)]


def dot(a: Sequence[Fraction | int], b: Sequence[Fraction | int]) -> Fraction:
    """The dot product, as a Fraction.

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.arith.dense.dot([1, 2], [3, 4])
    Fraction(11, 1)
    """
    total = _ZERO
    for x, y in zip(a, b):
        total += x * y
    return total


def combination(coeffs: Sequence[Fraction | int], vectors: Rows, n: int) -> list[Fraction]:
    """``sum_i coeffs[i] vectors[i]`` (vectors of length ``n``; zero when there are none).

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.arith.dense.combination([2, -1], [[1, 0], [1, 1]], 2)
    [Fraction(1, 1), Fraction(-1, 1)]
    """
    out = [_ZERO] * n
    for c, v in zip(coeffs, vectors):
        for i in range(n):
            out[i] += c * v[i]
    return out
