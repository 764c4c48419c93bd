"""Small exact linear algebra for canonical forms of polyhedra (rows of a few entries).

These work on short rows of Fractions or ints in pure Python, which beats any
conversion to a C backend at this size; large ranks go through
:mod:`relu_geom.arith.linalg`.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from relu_geom.arith.rational import clear_denominators

__all__ = ["primitive_row", "reduce_row", "rref"]


def rref(rows: Sequence[Sequence[Fraction | int]]) -> tuple[list[list[Fraction]], list[int]]:
    """Reduced row echelon form over Q: (nonzero rows with pivot 1, pivot columns).

    Examples
    --------
    >>> import relu_geom as rg
    >>> rows, piv = rg.geometry.linear.rref([[2, 4, 2], [1, 2, 3]])
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


def canonical_subspace(rows: Sequence[Sequence[Fraction | int]]) -> tuple[tuple[int, ...], ...]:
    """A canonical integer basis of the row span: RREF rows made primitive (pivot positive)."""
    if not rows:
        return ()
    basis, _ = rref(rows)
    return tuple(primitive_row(r) for r in basis)
