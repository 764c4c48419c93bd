"""Polyhedron: conversions both ways, canonical forms, containment and exact volume."""

from __future__ import annotations

import itertools
import json
import random
import subprocess
import sys
from fractions import Fraction

import pytest
from hypothesis import given, settings
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


# ---------------------------------------------------------------- crashes of cddlib, in subprocesses


_CHILD = r"""
import json, sys
from fractions import Fraction
import relu_geom as rg
F = lambda rows: [[Fraction(v) for v in r] for r in rows]
for case in json.loads(sys.stdin.read()):
    try:
        if case[0] == "c":  # compile over a domain of any kind
            net, dom = rg.ReLUNetwork(case[1], case[2]), case[3]
            if dom and dom[0] == "vrep":
                dom = rg.Polyhedron.from_vrep(F(dom[1]))
            rg.compile_network(net, domain=dom, max_cells=2000)
            continue
        if case[0] == "h":
            p = rg.Polyhedron.from_hrep(F(case[2]), F(case[3]), ambient_dim=case[1])
        else:
            p = rg.Polyhedron.from_vrep(F(case[1]), F(case[2]), F(case[3]))
    except rg.ReluGeomError:
        continue
    # round trips through both representations give the same polyhedron
    if not p.is_empty:
        assert rg.Polyhedron.from_hrep(p.inequalities, p.equalities, ambient_dim=p.ambient_dim) == p
        assert rg.Polyhedron.from_vrep(p.vertices, p.rays, p.lineality) == p
print("ok")
"""


def _run_cases(cases) -> None:
    res = subprocess.run(
        [sys.executable, "-c", _CHILD], input=json.dumps(cases), capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0 and res.stdout.strip() == "ok", (res.returncode, res.stderr[-500:])


def test_cdd_canonicalize_reproducers_do_not_crash():
    # pycddlib 3.0.2 (GMP) matrix_canonicalize aborts ("double free or corruption") on these
    # (found by fuzzing): a row repeated next to a linearity row, huge and tiny entries
    a = ["-6000000000000000000000000000000", "-4/1000000000000", "-6/9", "-6000000"]
    row = ["7000000000000000000000000000000", "6000000000000", "-9/1000", "4/4"]
    h = [-v for v in map(Fraction, row[:3])] + [Fraction(-2)]
    _run_cases(
        [
            ["v", [a], [], [a]],
            ["v", [a, a], [], []],
            ["h", 3, [[str(v) for v in h]], [[str(v) for v in h]]],
            ["h", 3, [[str(v) for v in h]] * 2, [[str(v) for v in h]]],
            ["h", 3, [["1/1000000", "1/1000000000000", "0", "1"], ["1", "0", "0", "1"]],
             [["1/1000000", "1/1000000000000", "1", "0"]]],
        ]
    )


_numbers = st.one_of(
    st.integers(-3, 3),
    st.builds(lambda s, k, e: s * k * 10**e, st.sampled_from([-1, 1]), st.integers(1, 9), st.sampled_from([6, 12, 30])),
    st.builds(lambda s, k, e: f"{s * k}/{10**e}", st.sampled_from([-1, 1]), st.integers(1, 9), st.sampled_from([3, 6, 12, 18])),
)


@st.composite
def _polyhedron_cases(draw):
    d = draw(st.integers(1, 3))
    rows = lambda n, k: draw(  # noqa: E731
        st.lists(st.lists(_numbers.map(str), min_size=k, max_size=k), min_size=n[0], max_size=n[1])
    )
    out = []
    for _ in range(10):
        kind = draw(st.sampled_from("hvc"))
        if kind == "c":
            arch = [d, *(draw(st.integers(1, 3)) for _ in range(draw(st.integers(0, 2)))), 1]
            ws = [rows((b, b), a) for a, b in zip(arch, arch[1:])]
            bs = [[r[0] for r in rows((b, b), 1)] for b in arch[1:]]
            dom = draw(
                st.one_of(
                    st.none(),
                    st.sampled_from([["-1", "1"], ["-1/1000000000000", "1/1000000000000"], ["0", "1000000000000"]]),
                    st.builds(lambda c: ["vrep", c], st.just(rows((d + 1, d + 3), d))),
                )
            )
            out.append(["c", ws, bs, dom])
        elif kind == "h":
            ineq = rows((0, 5), d + 1)
            ineq += [list(r) for r in ineq[: draw(st.integers(0, 2))]]  # repeated rows
            out.append(["h", d, ineq, rows((0, 2), d + 1) + ineq[:1] * draw(st.integers(0, 1))])
        else:
            verts = rows((1, 5), d)
            out.append(["v", verts + verts[:1], rows((0, 2), d), rows((0, 1), d)])
    return out


@settings(max_examples=5, deadline=None)
@given(_polyhedron_cases())
def test_polyhedron_constructors_never_crash(cases):
    _run_cases(cases)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(_polyhedron_cases())
def test_polyhedron_constructors_never_crash_many(cases):
    _run_cases(cases)


def test_meets_of_polygons_in_space_agree_with_a_double_description():
    # Polyhedron.intersection reads the meet of two polygons of R^3 off a line (different
    # planes, or one plane and a separating facet row), as the refinement meets its pieces;
    # cdd on the joint H-representation is the reference.
    rng = random.Random(5)
    planes = [(0, 0, 1, 0), (1, 0, 0, 0), (1, 1, 1, 1), (0, 1, -1, 0)]
    for _ in range(150):
        polys = []
        for _ in range(2):
            h = rng.choice(planes)
            rows = [
                tuple(rng.randint(-2, 2) for _ in range(3)) + (rng.randint(-1, 2),)
                for _ in range(rng.randint(0, 4))
            ]
            polys.append(rg.Polyhedron.from_hrep([r for r in rows if any(r[:3])], [h], ambient_dim=3))
        p, q = polys
        if p.dim != 2 or q.dim != 2:
            continue
        ref = rg.Polyhedron.from_hrep([*p.inequalities, *q.inequalities], [*p.equalities, *q.equalities])
        got = p.intersection(q)
        assert (got.vertices, got.rays, got.lineality) == (ref.vertices, ref.rays, ref.lineality)
        assert got.is_empty or got == ref


def test_intersection_by_hand_and_bad_input():
    square = rg.Polyhedron.box([(0, 2), (0, 2)])
    assert square.intersection(rg.Polyhedron.from_hrep([(1, 1, 1)])) == rg.Polyhedron.from_vrep(
        [(0, 0), (1, 0), (0, 1)]
    )  # x + y <= 1 cuts off a triangle
    assert square.intersection(square) == square
    # two unit squares of R^3 in the planes z = 0 and x = 0 meet in the segment x = z = 0, 0 <= y <= 1
    p = rg.Polyhedron.from_vrep([(0, 0, 0), (1, 0, 0), (0, 1, 0), (1, 1, 0)])
    q = rg.Polyhedron.from_vrep([(0, 0, 0), (0, 1, 0), (0, 0, 1), (0, 1, 1)])
    assert p.intersection(q).vertices == ((0, 0, 0), (0, 1, 0))
    with pytest.raises(rg.DimensionMismatchError, match="other"):
        square.intersection(p)
    with pytest.raises(rg.InvalidInputError, match="other"):
        square.intersection([(0, 1)])

