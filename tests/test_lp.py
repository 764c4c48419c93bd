"""Exact LP: hand-made, degenerate, infeasible and unbounded programs; random programs
against brute-force vertex enumeration; every certificate re-checked exactly."""

from __future__ import annotations

import itertools
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relu_geom.arith.linalg import solve
from relu_geom.arith.lp import LPResult, check_lp_certificate, solve_lp


def both(*args, **kw) -> tuple[LPResult, LPResult]:
    a = solve_lp(*args, **kw)
    b = solve_lp(*args, exact_only=True, **kw)
    assert check_lp_certificate(a, *args, **kw)
    assert check_lp_certificate(b, *args, **kw)
    assert a.status == b.status and a.value == b.value
    return a, b


def test_hand_made_maximum():
    # max x + y on x + 2y <= 4, 3x + y <= 6, x, y >= 0: vertex (8/5, 6/5)
    a, b = both([1, 1], [[1, 2], [3, 1]], [4, 6], maximize=True)
    assert a.value == F(14, 5) and a.x == b.x == (F(8, 5), F(6, 5))
    # duals: y = (2/5, 1/5) solve (1,2)y1 + (3,1)y2 = (1,1)
    assert a.y_ub == (F(2, 5), F(1, 5))


def test_minimize_with_equalities_and_free_variables():
    # min x - y s.t. x + y = 1, x, y free, -5 <= x - y ... via bounds on x: x in [-2, 3]
    a, _ = both([1, -1], A_eq=[[1, 1]], b_eq=[1], bounds=[(-2, 3), (None, None)])
    assert a.value == -2 - 3 and a.x == (F(-2), F(3))


def test_upper_bounded_only_variable():
    a, _ = both([1], bounds=[(None, F(7, 3))], maximize=True)
    assert a.value == F(7, 3) and a.y_upper == (F(1),)


def test_degenerate_vertex():
    # three constraints through the optimal vertex (1, 1)
    A = [[1, 0], [0, 1], [1, 1], [2, 1]]
    b = [1, 1, 2, 3]
    a, _ = both([1, 1], A, b, maximize=True)
    assert a.value == 2 and a.x == (1, 1)


def test_redundant_equalities():
    a, _ = both([1, 2], A_eq=[[1, 1], [2, 2]], b_eq=[1, 2], bounds=[(0, None), (0, None)], maximize=True)
    assert a.value == 2


def test_infeasible_with_farkas():
    a, _ = both([1, 1], [[1, 1], [-1, -1]], [1, -2])
    assert a.status == "infeasible"
    bad = solve_lp([1], bounds=[(2, 1)])
    assert bad.status == "infeasible" and check_lp_certificate(bad, [1], bounds=[(2, 1)])


def test_unbounded_with_ray():
    a, _ = both([1, 0], [[-1, 1]], [1], maximize=True)
    assert a.status == "unbounded" and a.ray[0] > 0


def test_float_unfriendly_coefficients():
    # 1e13 gadget: the optimum differs from its float neighbour
    big = F(10**13)
    a, b = both([1], [[big]], [big + 1], bounds=[(0, None)], maximize=True)
    assert a.value == 1 + F(1, 10**13)


def _brute(c, A, b, box):
    n = len(c)
    rows = [(list(r), v) for r, v in zip(A, b)]
    for j in range(n):
        e = [0] * n
        e[j] = 1
        rows.append((e, box[1]))
        rows.append(([-v for v in e], -box[0]))
    best = None
    for sub in itertools.combinations(rows, n):
        x = solve([r for r, _ in sub], [v for _, v in sub])
        if x is None or any(sum(F(ri) * xi for ri, xi in zip(r, x)) > v for r, v in rows):
            continue
        val = sum(F(ci) * xi for ci, xi in zip(c, x))
        if best is None or val > best:
            best = val
    return best


small = st.integers(-3, 3)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 3).flatmap(
        lambda n: st.tuples(
            st.lists(small, min_size=n, max_size=n),
            st.lists(st.lists(small, min_size=n, max_size=n), min_size=0, max_size=4),
            st.lists(small, min_size=4, max_size=4),
        )
    )
)
def test_random_against_vertex_enumeration(data):
    c, A, b = data
    b = b[: len(A)]
    box = (-2, 2)
    kw = dict(bounds=[box] * len(c), maximize=True)
    a, _ = both(c, A, b, **kw)
    expect = _brute(c, A, b, box)
    if expect is None:
        assert a.status == "infeasible"
    else:
        assert a.status == "optimal" and a.value == expect


def test_dimension_errors():
    from relu_geom.errors import DimensionMismatchError

    with pytest.raises(DimensionMismatchError):
        solve_lp([1, 2], [[1]], [1])
