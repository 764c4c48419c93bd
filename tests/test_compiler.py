"""The compiler against mathematics: arrangement formulas, Euler characteristics,
volumes, exact evaluation, symmetries, degenerate networks and random networks."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction
from math import comb

import pytest
from hypothesis import given
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.testing import check_complex, specimens
from tests.conftest import networks


def _det(m):
    m = [list(map(Fraction, r)) for r in m]
    n, det = len(m), Fraction(1)
    for c in range(n):
        p = next((i for i in range(c, n) if m[i][c]), None)
        if p is None:
            return Fraction(0)
        if p != c:
            m[c], m[p], det = m[p], m[c], -det
        det *= m[c][c]
        for i in range(c + 1, n):
            f = m[i][c] / m[c][c]
            m[i] = [a - f * b for a, b in zip(m[i], m[c])]
    return det


def generic_first_layer(d, n, seed):
    """Random integer hyperplanes, re-drawn until in general position (checked by minors)."""
    rng = random.Random(seed)
    while True:
        rows = [[rng.randint(-20, 20) for _ in range(d)] for _ in range(n)]
        bias = [rng.randint(-20, 20) for _ in range(n)]
        normals_ok = all(_det([rows[i] for i in s]) != 0 for s in itertools.combinations(range(n), d))
        # no d+1 hyperplanes through one point
        aug = [r + [b] for r, b in zip(rows, bias)]
        points_ok = all(_det([aug[i] for i in s]) != 0 for s in itertools.combinations(range(n), d + 1))
        if normals_ok and points_ok:
            return rg.ReLUNetwork([rows, [[1] * n]], [bias, [0]])


def buck_faces(n, d, k):
    """Number of k-faces of n hyperplanes in general position in R^d (Buck 1943)."""
    return sum(comb(d - i, k - i) * comb(n, d - i) for i in range(k + 1))


@pytest.mark.parametrize(("d", "n"), [(1, 4), (2, 3), (2, 5), (3, 4), (3, 6), (4, 5)])
def test_general_position_arrangement_matches_buck(d, n):
    cx = rg.compile_network(generic_first_layer(d, n, seed=10 * d + n))
    assert cx.f_vector == tuple(buck_faces(n, d, k) for k in range(d + 1))
    assert cx.n_bounded_regions == comb(n - 1, d)
    check_complex(cx)


@pytest.mark.parametrize("n", [2, 3, 5])
def test_central_arrangement_in_the_plane(n):
    cx = rg.compile_network(rg.zoo.central_lines(n))
    assert cx.f_vector == (1, 2 * n, 2 * n)
    assert cx.vertices[0].sign_vector == (0,) * n
    assert cx.n_bounded_regions == 0


# exact volumes of the ~4500 cells over the box in R^5: about 20 s, in the slow suite
_HEAVY_SPECIMENS = {"max5_two_hidden"}


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.slow) if n in _HEAVY_SPECIMENS else n for n in sorted(rg.zoo.SPECIMENS)]
)
def test_specimens_pass_invariants_over_plane_and_box(name):
    net = rg.zoo.get(name)
    check_complex(rg.compile_network(net))
    check_complex(rg.compile_network(net, domain=(-3, 3)), volumes=True)


def test_degenerate_cases_by_hand():
    # one line: two half-planes and the line, no vertex
    one = specimens.one_neuron_1x2()
    assert rg.compile_network(one).f_vector == (0, 1, 2)
    # two parallel lines: three strips, two lines
    assert rg.compile_network(rg.zoo.parallel_lines()).f_vector == (0, 2, 3)
    # a neuron duplicating another (positive multiple) changes nothing; a negative multiple neither
    assert rg.compile_network(rg.zoo.duplicate_neurons()).f_vector == (1, 4, 4)
    neg = rg.ReLUNetwork([[[1, 1], [-3, -3]], [[1, 1]]], [[1, -3], [0]])
    assert rg.compile_network(neg).f_vector == (0, 1, 2)
    # dead and always-active neurons do not cut: only the live line x = y
    cx = rg.compile_network(rg.zoo.dead_neuron())
    assert cx.f_vector == (0, 1, 2)
    assert {c.sign_vector[:2] for c in cx.cells} == {(-1, 1)}
    # a zero neuron (zero weights and bias) has sign 0 everywhere
    zero = rg.ReLUNetwork([[[0, 0]], [[1]]], [[0], [0]])
    cz = rg.compile_network(zero)
    assert cz.f_vector == (0, 0, 1) and cz.regions[0].sign_vector == (0,)
    # relu(x) in layer 2 vanishes on the whole half-line x < 0
    cv = rg.compile_network(rg.zoo.vanishing_deep_neuron())
    assert [c.sign_vector for c in cv.regions] == [(-1, 0), (1, 1)]
    assert cv.vertices[0].sign_vector == (0, 0)
    # several lines through one point plus one that misses it
    star = rg.ReLUNetwork([[[1, 0], [0, 1], [1, 1], [1, -1]], [[1, 1, 1, 1]]], [[0, 0, 0, 5], [0]])
    # 3 central lines: 1 vertex, 6 rays, 6 regions.  y = x + 5 meets 3 of the rays, at
    # (0, 5), (-5, 0) and (-5/2, 5/2): +3 vertices, those 3 rays split (+3 edges), the new line
    # is cut into 4 edges, and it runs through 4 regions, splitting each: (4, 13, 10).
    cs = rg.compile_network(star)
    assert cs.f_vector == (4, 13, 10)
    assert {v.vertices[0] for v in cs.vertices} == {
        (0, 0),
        (0, 5),
        (-5, 0),
        (Fraction(-5, 2), Fraction(5, 2)),
    }
    check_complex(cs)


def test_second_layer_bends_at_first_layer():
    # relu(x) + relu(y) = 1 is a bent line: x + y = 1, x = 1 and y = 1 pieces
    cx = rg.compile_network(rg.zoo.bent_2d())
    assert cx.f_vector == (3, 9, 7)
    pts = {c.vertices[0] for c in cx.vertices}
    assert pts == {(0, 0), (1, 0), (0, 1)}


def test_box_faces_bound_cells():
    # the axes in [-1, 1]^2: 9 vertices (4 corners, 4 on the sides, 1 centre)
    axes = specimens.relu_sum_2d()
    cx = rg.compile_network(axes, domain=(-1, 1))
    assert cx.f_vector == (9, 12, 4)
    corners = [c for c in cx.vertices if len(c.domain_face) == 2]
    assert len(corners) == 4
    assert sum(r.polyhedron.volume() for r in cx.regions) == 4
    # x + y = 0 runs through two corners of the box: 7 vertices
    assert rg.compile_network(rg.zoo.central_lines(2), domain=(-1, 1)).f_vector == (7, 10, 4)


def test_domain_forms():
    net = specimens.relu_sum_2d()
    a = rg.compile_network(net, domain=[(-1, 1), (-1, 1)])
    b = rg.compile_network(net, domain=rg.Polyhedron.box([(-1, 1), (-1, 1)]))
    assert a.f_vector == b.f_vector == (9, 12, 4)
    tri = rg.Polyhedron.from_vrep([(-1, -1), (3, -1), (-1, 3)])
    c = rg.compile_network(net, domain=tri)
    check_complex(c, volumes=True)
    half = rg.Polyhedron.from_hrep([(0, -1, 1)])  # y >= -1, unbounded with lineality
    h = rg.compile_network(net, domain=half)
    assert h.euler_characteristic == 0
    check_complex(h)


def test_locate_finds_cells_of_every_dimension():
    cx = rg.compile_network(rg.zoo.central_lines(2))
    assert cx.locate([0, 0]).dim == 0
    assert cx.locate([0, 5]).dim == 1
    assert cx.locate(["1/3", "-2/7"]).dim == 2
    box = rg.compile_network(rg.zoo.central_lines(2), domain=(-1, 1))
    assert box.locate([2, 0]) is None
    assert box.locate([1, 1]).dim == 0


def test_cells_partition_the_domain():
    """Every sample point lies in the relative interior of exactly one cell (from H-reps)."""
    net = rg.ReLUNetwork.random([2, 3, 3, 1], seed=5)
    cx = rg.compile_network(net, domain=(-2, 2))
    rng = random.Random(0)
    samples = [(Fraction(rng.randint(-8, 8), 4), Fraction(rng.randint(-8, 8), 4)) for _ in range(60)]
    samples += [c.interior_point for c in cx.cells[::3]] + [v.interior_point for v in cx.vertices]
    for x in samples:
        owners = [c for c in cx.cells if c.polyhedron.relative_interior_contains(x)]
        assert len(owners) == 1, x
        assert owners[0] is cx.locate(x)


def test_dual_graph_joins_regions_sharing_a_facet():
    cx = rg.compile_network(rg.zoo.central_lines(3))
    g = cx.dual_graph()
    assert g.number_of_nodes() == 6 and g.number_of_edges() == 6
    assert all(deg == 2 for _, deg in g.degree())  # a cycle of 6 regions around the origin
    for u, v, data in g.edges(data=True):
        f = cx.cells[data["facet"]]
        assert set(f.coface_indices) == {u, v}


def test_invariance_under_permutation_and_rescaling():
    net = rg.ReLUNetwork.random([2, 4, 3, 1], seed=11)
    other = net.permute_layer(1, [3, 1, 0, 2]).rescale_neuron(2, 1, "7/3").rescale_neuron(1, 0, 5)
    a, b = rg.compile_network(net), rg.compile_network(other)
    assert a.f_vector == b.f_vector
    assert sorted(sorted(r.affine_map[0][0]) for r in a.regions) == sorted(
        sorted(r.affine_map[0][0]) for r in b.regions
    )


def test_huge_and_tiny_coordinates():
    big, tiny = 10**30, Fraction(1, 10**30)
    net = rg.ReLUNetwork([[[big, 1], [tiny, -1], [1, 1]], [[1, 1, 1]]], [[big, tiny, 0], [0]])
    cx = rg.compile_network(net)
    assert cx.f_vector == tuple(buck_faces(3, 2, k) for k in range(3))
    check_complex(cx)


def test_max_cells_limit():
    net = rg.ReLUNetwork.random([2, 6, 6, 1], seed=2)
    with pytest.raises(rg.LimitExceededError, match="max_cells=5"):
        rg.compile_network(net, max_cells=5)


def exploding_network(d=40, n=24, seed=0):
    """n hyperplanes through general points of R^d with d >= n: 2^n regions (all sign vectors)."""
    return rg.ReLUNetwork.random_normal([d, n, 1], seed=seed)


@pytest.mark.timeout(60)  # 2^24 regions without the limit
def test_max_cells_counts_pieces_inside_a_layer():
    # 24 generic hyperplanes in R^40 cut it into 2^24 regions; the limit must stop the first layer
    with pytest.raises(rg.LimitExceededError, match=r"max_cells=200 exceeded: 201 cells .* layer 1 of 1"):
        rg.compile_network(exploding_network(), max_cells=200, workers=1)
    # 2^6 = 64 regions exist after 6 of the 24 neurons, 2^8 > 200 after 8
    with pytest.raises(rg.LimitExceededError, match=r"neuron 8 of 24"):
        rg.compile_network(exploding_network(), max_cells=200, workers=1)


@pytest.mark.timeout(60)
def test_max_seconds_and_max_memory():
    with pytest.raises(rg.LimitExceededError, match=r"max_seconds=0.3 exceeded: .* layer 1 of 1"):
        rg.compile_network(exploding_network(), max_seconds=0.3, workers=1)
    with pytest.raises(rg.LimitExceededError, match=r"max_memory=1000000 exceeded: memory grew by \d+ bytes"):
        rg.compile_network(exploding_network(), max_memory=10**6, workers=1)


def test_limits_not_reached_change_nothing():
    net = rg.ReLUNetwork.random([2, 6, 6, 1], seed=2)
    a = rg.compile_network(net, workers=1)
    b = rg.compile_network(net, max_cells=a.n_cells, max_seconds=600, max_memory=2**34, workers=1)
    assert [c.sign_key for c in a.cells] == [c.sign_key for c in b.cells]
    with pytest.raises(rg.LimitExceededError, match=f"max_cells={a.n_cells - 1}"):
        rg.compile_network(net, max_cells=a.n_cells - 1, workers=1)


def test_bad_arguments():
    net = rg.zoo.abs_1d()
    with pytest.raises(rg.DimensionMismatchError, match="domain"):
        rg.compile_network(net, domain=[(0, 1), (0, 1)])
    with pytest.raises(rg.InvalidInputError, match="lo < hi"):
        rg.compile_network(net, domain=(1, 0))
    with pytest.raises(rg.InvalidInputError, match="full-dimensional"):
        rg.compile_network(rg.zoo.central_lines(2), domain=rg.Polyhedron.from_vrep([(0, 0), (1, 1)]))
    with pytest.raises(rg.InvalidInputError, match="ReLUNetwork"):
        rg.compile_network("net.json")
    with pytest.raises(rg.InvalidInputError, match="max_cells"):
        rg.compile_network(net, max_cells=0)
    with pytest.raises(rg.InvalidInputError, match="max_seconds"):
        rg.compile_network(net, max_seconds=0)
    with pytest.raises(rg.InvalidInputError, match="max_memory"):
        rg.compile_network(net, max_memory=-5)
    with pytest.raises(rg.InvalidInputError, match="workers"):
        rg.compile_network(net, workers=0)


def test_json_export_round_trips_exact_values():
    import json

    cx = rg.compile_network(rg.zoo.demo(), domain=(-1, 1))
    data = json.loads(cx.to_json())
    assert data["f_vector"] == list(cx.f_vector)
    assert data["euler_characteristic"] == 1
    for entry, cell in zip(data["cells"], cx.cells):
        assert [Fraction(v) for v in entry["interior_point"]] == list(cell.interior_point)
        assert tuple(entry["sign_vector"]) == cell.sign_vector


@given(networks())
def test_random_networks_pass_invariants(net):
    check_complex(rg.compile_network(net))


@given(networks(max_dim=2, max_width=3), st.integers(1, 3))
def test_random_networks_over_boxes(net, r):
    check_complex(rg.compile_network(net, domain=(-r, r)), volumes=True)


@given(networks(max_dim=3, max_width=3, max_depth=2))
def test_random_3d_networks(net):
    check_complex(rg.compile_network(net))


@pytest.mark.parametrize(
    "net",
    [
        rg.ReLUNetwork.random_normal([1, 3, 3, 1], seed=1),
        rg.ReLUNetwork.random_normal([2, 4, 4, 1], seed=0),
        rg.ReLUNetwork.random_normal([3, 4, 3, 1], seed=0),
        rg.ReLUNetwork.random([2, 4, 3, 1], seed=2, max_numerator=2, max_denominator=1),
        rg.ReLUNetwork.random([3, 4, 1], seed=1, max_numerator=1, max_denominator=1),
        specimens.relu_sum_3d(),
    ],
    ids=["normal1d", "normal2d", "normal3d", "small2d", "small3d", "relu_sum_3d"],
)
@pytest.mark.parametrize("domain", [None, (-1, 1)])
def test_cell_hreps_are_those_of_their_vertices(net, domain):
    # every cell's H-representation (vertices, edges and the rest, read off the compiler's
    # rows) is the canonical one cdd computes from the cell's generators alone
    lazy = rg.compile_network(net, domain=domain)
    built = rg.compile_network(net, domain=domain, hreps=True)
    for c, b in zip(lazy.cells, built.cells):
        p = c.polyhedron
        ref = rg.Polyhedron.from_vrep(p.vertices, p.rays, p.lineality)
        assert (p.equalities, p.inequalities) == (ref.equalities, ref.inequalities)
        assert (b.polyhedron.equalities, b.polyhedron.inequalities) == (ref.equalities, ref.inequalities)
