"""Exact projection onto a polyhedron: distances by formula, and every answer against an
independent enumeration of the faces' affine hulls (2-D) and the exact LP's feasibility."""

from __future__ import annotations

from fractions import Fraction as F
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.arith.lp import solve_lp
from relu_geom.arith.qp import dual_bound, project


def test_distance_to_a_line_by_formula():
    # the halfplane a.x <= b from x0 with a.x0 > b: distance^2 (a.x0 - b)^2 / ||a||^2
    a, b, x0 = (F(3), F(-4)), F(2), (F(5), F(-1))
    res = project([a], [b], x0)
    assert res.value == (a[0] * x0[0] + a[1] * x0[1] - b) ** 2 / (a[0] ** 2 + a[1] ** 2) == F(289, 25)
    assert a[0] * res.x[0] + a[1] * res.x[1] == b
    assert dual_bound([a], [b], x0, res.multipliers) == res.value


def test_inside_and_corner():
    box = [[F(-1), F(0)], [F(0), F(-1)], [F(1), F(0)], [F(0), F(1)]]
    rhs = [F(-1), F(-1), F(2), F(2)]  # [1, 2]^2
    assert project(box, rhs, (F(3, 2), F(3, 2))).value == 0
    res = project(box, rhs, (F(0), F(0)))
    assert res.x == (1, 1) and res.value == 2
    res = project(box, rhs, (F(3, 2), F(-3)))  # below the bottom edge: the point (3/2, 1)
    assert res.x == (F(3, 2), 1) and res.value == 16


def test_infeasible_gives_farkas():
    A = [[F(1), F(1)], [F(-1), F(0)], [F(0), F(-1)]]
    b = [F(-1), F(0), F(0)]  # x1 + x2 <= -1 with x >= 0
    res = project(A, b, (F(0), F(0)))
    assert res.status == "infeasible"
    mu = res.multipliers
    assert all(v >= 0 for v in mu)
    assert all(sum(m * row[k] for m, row in zip(mu, A)) == 0 for k in range(2))
    assert sum(m * bi for m, bi in zip(mu, b)) < 0


def test_bad_input():
    with pytest.raises(rg.DimensionMismatchError):
        project([[F(1)]], [F(0), F(1)], (F(0),))
    with pytest.raises(rg.LimitExceededError):
        project([[F(1), F(1)], [F(-1), F(1)]], [F(-1), F(-1)], (F(0), F(0)), max_steps=1)


def _brute_2d(A, b, x0):
    """Min of ||x - x0||^2 over the feasible candidates: x0, its projections onto every line
    a_i.x = b_i, and every intersection point of two lines (the optimum is the projection onto
    the affine hull of the face containing it in its relative interior)."""

    def feasible(x):
        return all(r[0] * x[0] + r[1] * x[1] <= bi for r, bi in zip(A, b))

    cands = [tuple(x0)]
    for r, bi in zip(A, b):
        nn = r[0] ** 2 + r[1] ** 2
        if nn:
            t = (r[0] * x0[0] + r[1] * x0[1] - bi) / nn
            cands.append((x0[0] - t * r[0], x0[1] - t * r[1]))
    for (r, bi), (s, ci) in combinations(list(zip(A, b)), 2):
        det = r[0] * s[1] - r[1] * s[0]
        if det:
            cands.append(((bi * s[1] - r[1] * ci) / det, (r[0] * ci - bi * s[0]) / det))
    vals = [(x[0] - x0[0]) ** 2 + (x[1] - x0[1]) ** 2 for x in cands if feasible(x)]
    return min(vals) if vals else None


small = st.integers(-3, 3).map(F)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(small, small, small), min_size=1, max_size=6),
    st.tuples(small, small),
)
def test_against_face_enumeration(rows, x0):
    A = [[r[0], r[1]] for r in rows]
    b = [r[2] for r in rows]
    res = project(A, b, x0)
    lp = solve_lp([0, 0], A, b, bounds=[(None, None)] * 2)
    assert (res.status == "infeasible") == (lp.status == "infeasible")
    if res.status == "optimal":
        assert res.value == _brute_2d(A, b, x0)
        assert dual_bound(A, b, x0, res.multipliers) == res.value
    else:
        mu = res.multipliers
        assert all(v >= 0 for v in mu) and sum(m * bi for m, bi in zip(mu, b)) < 0
        assert all(sum(m * row[k] for m, row in zip(mu, A)) == 0 for k in range(2))
