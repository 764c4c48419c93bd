"""Linear algebra modulo primes (relu_geom.arith.modular), checked against plain integer arithmetic."""

from __future__ import annotations

import numpy as np
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import GF
from sympy.polys.matrices import DomainMatrix

from relu_geom.arith.modular import (
    ModularRowSpace,
    independent_rows_mod_p,
    independent_rows_of_array,
    matmul_mod,
    prime,
    rref_mod,
    word_primes,
)

small_rows = st.integers(1, 6).flatmap(
    lambda n: st.lists(st.lists(st.integers(-3, 3), min_size=n, max_size=n), min_size=0, max_size=7)
)


def _rank_mod(rows, p):
    """Rank over GF(p), by SymPy's own field arithmetic."""
    return (
        DomainMatrix([[GF(p)(v) for v in r] for r in rows], (len(rows), len(rows[0])), GF(p)).rank()
        if rows
        else 0
    )


def test_primes_are_primes_in_order():
    ps = [prime(i) for i in range(70)]  # past the precomputed 64
    assert all(sympy.isprime(p) for p in ps)
    assert ps == sorted(ps, reverse=True) and ps[0] < 2**62
    assert not any(sympy.isprime(n) for n in range(ps[0] + 1, 2**62))


def test_word_primes_keep_products_below_2_62():
    for width in (1, 100, 1 << 22):
        ps = word_primes(width, count=5)
        assert len(ps) == 5 and all(sympy.isprime(p) and width * p * p < 2**62 and p <= 2**26 for p in ps)
    assert word_primes(1, count=1)[0] == sympy.prevprime(2**26)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.integers(1, 5), st.data(), st.sampled_from([101, 2**25 - 39]))
def test_matmul_mod_is_the_integer_product_reduced(n, k, m, data, p):
    entries = st.integers(0, p - 1)
    A = [[data.draw(entries) for _ in range(k)] for _ in range(n)]
    B = [[data.draw(entries) for _ in range(m)] for _ in range(k)]
    expected = [[sum(A[i][t] * B[t][j] for t in range(k)) % p for j in range(m)] for i in range(n)]
    got = matmul_mod(np.array(A, dtype=np.int64), np.array(B, dtype=np.int64), p)
    assert got.tolist() == expected


def test_matmul_mod_long_inner_dimension_with_largest_entries():
    # the worst case for float64 partial sums: every entry p - 1 over more than one block of 2**13
    p = sympy.prevprime(2**26)
    n = (1 << 13) + 5
    A = np.full((2, n), p - 1, dtype=np.int64)
    B = np.full((n, 1), p - 1, dtype=np.int64)
    assert matmul_mod(A, B, p).tolist() == [[n * (p - 1) ** 2 % p]] * 2


@settings(max_examples=60, deadline=None)
@given(small_rows)
def test_independent_rows_are_independent_and_maximal(rows):
    ncols = len(rows[0]) if rows else 3
    chosen = independent_rows_mod_p(rows, ncols)
    assert len(chosen) == sympy.Matrix(rows).rank() if rows else chosen == []
    if chosen:
        assert sympy.Matrix([rows[i] for i in chosen]).rank() == len(chosen)
    # greedy: a row is chosen exactly when it is independent of all rows before it
    for i in range(len(rows)):
        before = sympy.Matrix(rows[:i]).rank() if i else 0
        assert (i in chosen) == (sympy.Matrix(rows[: i + 1]).rank() > before)


@settings(max_examples=60, deadline=None)
@given(small_rows, st.sampled_from([5, 101]))
def test_rref_mod_rank_and_array_rows_agree_with_sympy_mod_p(rows, p):
    ncols = len(rows[0]) if rows else 2
    _, r, piv = rref_mod(rows, ncols, p)
    assert r == len(piv) == _rank_mod(rows, p)
    arr = np.array(rows, dtype=np.int64).reshape(len(rows), ncols) % p
    assert len(independent_rows_of_array(arr, p)) == r


@settings(max_examples=40, deadline=None)
@given(small_rows, st.integers(1, 4))
def test_row_space_grows_to_the_rank(rows, chunks):
    p = 101
    ncols = len(rows[0]) if rows else 2
    space = ModularRowSpace(ncols, p)
    kept = []
    step = max(1, len(rows) // chunks)
    for start in range(0, len(rows), step):
        block = rows[start : start + step]
        kept += [start + i for i in space.add(np.array(block, dtype=np.int64).reshape(len(block), ncols))]
    assert len(space) == len(kept) == _rank_mod(rows, p)
    if kept:
        assert _rank_mod([rows[i] for i in kept], p) == len(kept)
