"""Small exact linear algebra for canonical forms of polyhedra (rows of a few entries).

These work on short rows of Fractions or ints in pure Python, which beats any
conversion to a C backend at this size; large ranks go through
:mod:`relu_geom.arith.linalg`.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from relu_geom.arith.rational import clear_denominators, primitive

__all__ = [
    "canonical_subspace",
    "integer_echelon",
    "primitive_row",
    "reduce_integer_row",
    "reduce_row",
    "rref",
]


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
    ints = [
        [int(v) for v in r] if all(isinstance(v, int) for v in r) else clear_denominators(r) for r in rows
    ]
    return tuple(integer_echelon(ints)[0])
