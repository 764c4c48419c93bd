"""Exact linear algebra: ranks, RREF, kernels and solutions checked against SymPy and by substitution."""

from __future__ import annotations

from fractions import Fraction as F

import flint
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from relu_geom.arith import linalg as la
from relu_geom.errors import DimensionMismatchError, InvalidInputError

small = st.fractions(min_value=-4, max_value=4, max_denominator=3)


@st.composite
def low_rank_matrices(draw: st.DrawFn) -> list[list[F]]:
    """Products A B with a random inner dimension, so rank deficiency is common."""
    n = draw(st.integers(1, 6))
    m = draw(st.integers(1, 6))
    k = draw(st.integers(0, 4))
    A = [[draw(small) for _ in range(k)] for _ in range(n)]
    B = [[draw(small) for _ in range(m)] for _ in range(k)]
    return [[sum((A[i][t] * B[t][j] for t in range(k)), F(0)) for j in range(m)] for i in range(n)]


@settings(max_examples=60, deadline=None)
@given(low_rank_matrices())
def test_rank_matches_sympy(M: list[list[F]]) -> None:
    assert la.rank(M) == sympy.Matrix(M).rank()


@settings(max_examples=40, deadline=None)
@given(low_rank_matrices())
def test_rank_certificate_is_a_nonsingular_maximal_minor(M: list[list[F]]) -> None:
    rows, cols = la.rank_certificate(M)
    r = sympy.Matrix(M).rank()
    assert len(rows) == len(cols) == r
    if r:
        assert sympy.Matrix([[M[i][j] for j in cols] for i in rows]).det() != 0


@settings(max_examples=40, deadline=None)
@given(low_rank_matrices())
def test_rref_and_nullspace_match_sympy(M: list[list[F]]) -> None:
    R, piv = la.rref(M)
    Rs, pivs = sympy.Matrix(M).rref()
    assert piv == tuple(pivs)
    assert [list(r) for r in R] == [[F(int(v.p), int(v.q)) for v in Rs.row(i)] for i in range(len(piv))]
    ker = la.nullspace(M)
    assert len(ker) == len(M[0]) - len(piv)
    for v in ker:
        assert all(sum((a * b for a, b in zip(row, v)), F(0)) == 0 for row in M)


@settings(max_examples=40, deadline=None)
@given(low_rank_matrices(), st.lists(small, min_size=6, max_size=6))
def test_solve_solves_or_proves_inconsistency(M: list[list[F]], b: list[F]) -> None:
    rhs = b[: len(M)]
    x = la.solve(M, rhs)
    consistent = sympy.Matrix(M).rank() == sympy.Matrix([row + [v] for row, v in zip(M, rhs)]).rank()
    assert (x is not None) == consistent
    if x is not None:
        assert [sum((a * v for a, v in zip(row, x)), F(0)) for row in M] == rhs


def test_rank_deficient_with_large_entries_uses_the_kernel_certificate() -> None:
    # rank 3 by construction: a 40 x 3 times 3 x 30 product of 40-bit integers
    A = flint.fmpz_mat(40, 3, [(7**i * 13 + i * i) % (1 << 40) - (1 << 39) for i in range(120)])
    B = flint.fmpz_mat(3, 30, [(11**i + 5 * i) % (1 << 40) - (1 << 39) for i in range(90)])
    M = [[int(v) for v in row] for row in (A * B).tolist()]
    assert la.rank(M) == 3
    assert la.rank(M, upper=3) == 3
    assert len(la.nullspace(M)) == 27


def test_kernel_of_independent_rows_is_exact() -> None:
    B = [[1, 2, 3, 4], [0, 1, 1, 1]]
    K = la.kernel_of_independent_rows(B, 4)
    assert K is not None and K.ncols() == 2
    assert (flint.fmpz_mat(B) * K).is_zero()


def test_empty_and_zero_matrices() -> None:
    assert la.rank([]) == 0
    assert la.rank([[0, 0], [0, 0]]) == 0
    assert la.rank_certificate([[0, 0]]) == ((), ())
    assert la.rref([[0, 0]]) == ((), ())
    assert len(la.nullspace([], ncols=3)) == 3


def test_bad_input_is_named() -> None:
    with pytest.raises(DimensionMismatchError, match="ragged"):
        la.rank([[1, 2], [3]])
    with pytest.raises(InvalidInputError, match=r"rows\[0\]\[1\]"):
        la.rank([[1, "x"]])
    with pytest.raises(DimensionMismatchError, match="b:"):
        la.solve([[1, 0]], [1, 2])


def test_is_positive_multiple():
    assert la.is_positive_multiple((2, 4), (1, 2)) and not la.is_positive_multiple((-2, -4), (1, 2))
    assert not la.is_positive_multiple((1, 0), (1, 1)) and not la.is_positive_multiple((0, 0), (0, 0))
    assert not la.is_positive_multiple(None, (1,))
