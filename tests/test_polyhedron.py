"""Polyhedron: conversions both ways, canonical forms, containment and exact volume."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

import relu_geom as rg


def test_simplex_both_ways():
    tri = rg.Polyhedron.from_vrep([(0, 0), (2, 0), (0, 2), (1, 1)])  # (1, 1) lies on an edge
    assert tri.n_vertices == 3
    assert tri.inequalities == ((-1, 0, 0), (0, -1, 0), (1, 1, 2))
    assert rg.Polyhedron.from_hrep(tri.inequalities) == tri
    assert tri.volume() == 2


def test_equalities_are_canonical():
    seg = rg.Polyhedron.from_hrep([(0, 1, 1), (0, -1, 0)], [(2, -2, 0)])  # x = y, 0 <= y <= 1
    assert seg.equalities == ((1, -1, 0),)
    assert seg.dim == 1 and seg.vertices == ((0, 0), (1, 1))
    assert seg.volume() == 0
    same = rg.Polyhedron.from_vrep([(1, 1), (0, 0)])
    assert same == seg


def test_unbounded_and_lineality():
    half = rg.Polyhedron.from_hrep([(1, 1, 3)])  # x + y <= 3
    # canonical: the ray is reduced modulo the lineality space (zero in its pivot column)
    assert half.lineality == ((1, -1),) and half.rays == ((0, -1),)
    assert not half.is_bounded and half.dim == 2
    assert half.contains([3, 0]) and not half.relative_interior_contains([3, 0])
    with pytest.raises(rg.InvalidInputError, match="unbounded"):
        half.volume()
    quadrant = rg.Polyhedron.from_vrep([(1, 1)], rays=[(1, 0), (0, 1)])
    assert quadrant.inequalities == ((-1, 0, -1), (0, -1, -1))


def test_empty_polyhedron():
    e = rg.Polyhedron.from_hrep([(1, 0), (-1, -1)])  # x <= 0 and x >= 1
    assert e.is_empty and e.dim == -1 and not e.contains([0])


def test_box_volume_and_interior():
    b = rg.Polyhedron.box([(0, 1), ("-1/2", "1/2"), (2, 5)])
    assert b.volume() == 3 and b.n_vertices == 8
    assert b.relative_interior_contains(b.interior_point)


@given(
    st.lists(st.tuples(st.integers(-6, 6), st.integers(-6, 6), st.integers(-6, 6)), min_size=4, max_size=9)
)
def test_random_hulls_round_trip_and_triangulate(points):
    hull = rg.Polyhedron.from_vrep(points)
    assert rg.Polyhedron.from_hrep(hull.inequalities, hull.equalities, ambient_dim=3) == hull
    assert all(hull.contains(p) for p in points)
    if hull.dim == 3:
        # every vertex is a corner: dropping it strictly shrinks the volume
        v = hull.volume()
        assert v > 0
        for drop in hull.vertices:
            rest = [p for p in hull.vertices if p != drop]
            if len(rest) >= 4 and rg.Polyhedron.from_vrep(rest).dim == 3:
                assert rg.Polyhedron.from_vrep(rest).volume() < v


def test_volume_of_cross_polytope_and_cube_pieces():
    # the cross-polytope in R^3 has volume 2^3 / 3! = 4/3
    pts = [tuple(s * (i == j) for j in range(3)) for i in range(3) for s in (1, -1)]
    assert rg.Polyhedron.from_vrep(pts).volume() == Fraction(4, 3)
    # cutting the unit cube by x + y + z <= 1 leaves the simplex of volume 1/6
    cube = rg.Polyhedron.box([(0, 1)] * 3)
    cut = rg.Polyhedron.from_hrep(list(cube.inequalities) + [(1, 1, 1, 1)])
    assert cut.volume() == Fraction(1, 6)
    assert sum(1 for _ in itertools.product((0, 1), repeat=3)) == cube.n_vertices


def test_bad_rows():
    with pytest.raises(rg.DimensionMismatchError, match="entries"):
        rg.Polyhedron.from_hrep([(1, 0, 0), (1, 0)])
    with pytest.raises(rg.InvalidInputError, match="lo < hi"):
        rg.Polyhedron.box([(1, 1)])
    with pytest.raises(rg.InvalidInputError, match="at least one vertex"):
        rg.Polyhedron.from_vrep([])
