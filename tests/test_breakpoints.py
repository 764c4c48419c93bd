"""Bent facets, breakpoint complexes and maximal linear regions against hand computations,
and their invariance under changes of the network that keep the function."""

from __future__ import annotations

import random
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.testing import specimens
from tests.conftest import networks

# ------------------------------------------------------------ function-preserving edits


def _lists(net):
    return [[list(r) for r in w] for w in net.weights], [list(b) for b in net.biases]


def duplicate_neuron(net, layer, index, share):
    """Copy neuron ``index`` of hidden ``layer``; the copy takes ``share`` of its outgoing weights."""
    ws, bs = _lists(net)
    ws[layer - 1].append(list(ws[layer - 1][index]))
    bs[layer - 1].append(bs[layer - 1][index])
    for row in ws[layer]:
        row.append(row[index] * share)
        row[index] = row[index] * (1 - share)
    return rg.ReLUNetwork(ws, bs)


def add_dead_neuron(net, layer, out_weights):
    """A neuron with zero incoming weights and bias -1 (never active) and arbitrary outgoing weights."""
    ws, bs = _lists(net)
    ws[layer - 1].append([0] * len(ws[layer - 1][0]))
    bs[layer - 1].append(-1)
    for row, w in zip(ws[layer], out_weights):
        row.append(w)
    return rg.ReLUNetwork(ws, bs)


def add_cancelling_pair(net, layer, row, bias, out_weight):
    """Two neurons on one hyperplane, ``relu(z)`` and ``relu(2 z)``, whose outputs cancel
    (outgoing weights ``c`` and ``-c / 2`` into every neuron of the next layer)."""
    ws, bs = _lists(net)
    ws[layer - 1].append(list(row))
    bs[layer - 1].append(bias)
    ws[layer - 1].append([2 * v for v in row])
    bs[layer - 1].append(2 * bias)
    for r in ws[layer]:
        r.append(F(out_weight))
        r.append(-F(out_weight) / 2)
    return rg.ReLUNetwork(ws, bs)


def equivalent_variants(net, seed):
    """Networks computing the same function as ``net`` by each change listed in the issue."""
    rng = random.Random(seed)
    L = net.depth
    out = []
    layer = rng.randint(1, L)
    width = net.hidden_widths[layer - 1]
    perm = list(range(width))
    rng.shuffle(perm)
    out.append(("permutation", net.permute_layer(layer, perm)))
    out.append(
        (
            "rescaling",
            net.rescale_neuron(layer, rng.randrange(width), F(rng.randint(1, 9), rng.randint(1, 5))),
        )
    )
    out.append(("duplicate", duplicate_neuron(net, layer, rng.randrange(width), F(rng.randint(1, 4), 5))))
    nxt = net.architecture[layer + 1]
    out.append(("dead", add_dead_neuron(net, layer, [rng.randint(-3, 3) for _ in range(nxt)])))
    row = [rng.randint(-3, 3) or 1 for _ in range(net.architecture[layer - 1])]
    out.append(
        ("cancelling pair", add_cancelling_pair(net, layer, row, rng.randint(-2, 2), rng.randint(1, 3)))
    )
    return out


# ------------------------------------------------------------------------ hand examples


def test_one_dimensional_weights_by_hand():
    # f(x) = relu(2x - 1) + 2 relu(-3x + 3).  Slopes: x < 1/2: 2 * (-3) = -6;
    # 1/2 < x < 1: 2 - 6 = -4; x > 1: 2.  Primitive normal e = +1 (into the right region):
    # c(x = 1/2) = -4 - (-6) = 2, c(x = 1) = 2 - (-4) = 6.  Hyperplanes 2x == 1 and x == 1.
    net = rg.ReLUNetwork([[[2], [-3]], [[1, 2]]], [[-1, 3], [0]])
    bc = rg.breakpoint_complex(net)
    assert [(f.hyperplane, f.normal, f.weight) for f in bc.facets] == [
        ((1, 1), (1,), (F(6),)),
        ((2, 1), (1,), (F(2),)),
    ]
    assert [f.vertices for f in bc.facets] == [((F(1),),), ((F(1, 2),),)]
    slopes = sorted(lr.affine_map[0][0][0] for lr in bc.linear_regions)
    assert slopes == [-6, -4, 2]
    assert bc.n_bent_facets == 2 and bc.n_non_bent_facets == 0


def test_hat_function_weights_and_linear_regions():
    # relu(x) - 2 relu(x - 1) + relu(x - 2): slope jumps +1, -2, +1 at 0, 1, 2;
    # f = 0 on x < 0 and on x > 2: two linear regions with the same map, not glued.
    bc = rg.breakpoint_complex(rg.zoo.hat_1d())
    assert [(f.hyperplane, f.weight[0]) for f in bc.facets] == [((1, 0), 1), ((1, 1), -2), ((1, 2), 1)]
    maps = [lr.affine_map for lr in bc.linear_regions]
    assert len(maps) == 4
    assert sum(1 for A, c in maps if A == ((0,),) and c == (0,)) == 2


def test_invisible_neuron_cuts_a_bent_line_that_is_merged_back():
    # relu(x) + 0 * relu(y): the canonical complex cuts x = 0 at the origin; the breakpoint
    # complex has one facet, the whole line x = 0, with weight (1, 0) . (1, 0) = 1.
    net = specimens.relu_x1_2d()
    cx = rg.compile_network(net)
    bc = rg.breakpoint_complex(cx)
    assert bc.n_bent_facets == 2 and bc.n_non_bent_facets == 2
    (f,) = bc.facets
    assert f.hyperplane == (1, 0, 0) and f.weight == (1,)
    assert f.polyhedron == rg.Polyhedron.from_hrep([], [(1, 0, 0)], ambient_dim=2)
    assert len(bc.linear_regions) == 2
    # over a box, the segment from (0, -1) to (0, 1)
    (g,) = rg.breakpoint_complex(net, domain=(-1, 1)).facets
    assert g.vertices == ((0, -1), (0, 1))


def test_weight_uses_the_primitive_normal():
    # relu(x + 2y - 1): A_P - A_Q = (1, 2), e = (1, 2), so c = 1 + 4 = 5.
    (f,) = rg.breakpoint_complex(rg.ReLUNetwork([[[1, 2]], [[1]]], [[-1], [0]])).facets
    assert (f.hyperplane, f.normal, f.weight) == ((1, 2, 1), (1, 2), (5,))
    assert f.lineality == ((2, -1),)


def test_bent_two_dimensional_example_by_hand():
    # f = relu(relu(x) + relu(y) - 1).  v = relu(x) + relu(y) - 1 vanishes on
    # x = 1 (y < 0), x + y = 1 (x, y > 0), y = 1 (x < 0); f also bends where x or y
    # switches while v > 0: the rays x = 0 (y > 1) and y = 0 (x > 1).
    # Weights (e primitive, into P): on x + y = 1, A jumps from 0 to (1, 1), e = (1, 1): c = 2;
    # on every other piece the jump is a unit vector along a unit normal: c = 1.
    bc = rg.breakpoint_complex(rg.zoo.bent_2d())
    got = {(f.hyperplane, f.weight, f.vertices, f.rays) for f in bc.facets}
    assert got == {
        ((0, 1, 0), (1,), ((1, 0),), ((1, 0),)),  # y = 0, x >= 1
        ((1, 0, 0), (1,), ((0, 1),), ((0, 1),)),  # x = 0, y >= 1
        ((1, 1, 1), (2,), ((0, 1), (1, 0)), ()),  # the segment
        ((1, 0, 1), (1,), ((1, 0),), ((0, -1),)),  # x = 1, y <= 0
        ((0, 1, 1), (1,), ((0, 1),), ((-1, 0),)),  # y = 1, x <= 0
    }
    assert len(bc.linear_regions) == 4  # f = 0, x + y - 1, x - 1 (y < 0), y - 1 (x < 0)


@pytest.mark.parametrize(
    "net",
    [
        rg.ReLUNetwork([[[1], [-1]], [[1, -1]]], [[0, 0], [0]]),  # relu(x) - relu(-x) = x
        rg.ReLUNetwork([[[1, 1], [1, 1]], [[1, -1]]], [[2, 2], [3]]),  # a cancelling duplicate
        rg.ReLUNetwork([[[1, 0], [0, 1]], [[0, 0]]], [[0, 0], [5]]),  # zero output weights
        rg.ReLUNetwork([[[0, 0]], [[1]]], [[-1], [0]]),  # a dead neuron
        rg.ReLUNetwork(
            [[[1, 2]], [[1], [1]], [[1, -1]]], [[0], [0, 0], [0]]
        ),  # relu(relu(z)) twice, cancelled
    ],
)
def test_affine_functions_have_empty_breakpoint_complex(net):
    for domain in (None, (-2, 2)):
        bc = rg.breakpoint_complex(net, domain=domain)
        assert bc.is_empty and bc.n_bent_facets == 0 and len(bc.linear_regions) == 1
        assert rg.check_balancing(bc) == ()
        assert rg.depth_lower_bound(bc) == rg.DepthBound(0, True, None, 0, (), True, ())
        assert rg.bent_hyperplane_graph(bc).number_of_nodes() == 0


def test_two_layer_cancellation_is_affine():
    # relu(relu(x) - relu(-x)) - relu(-(relu(x) - relu(-x))) = x: affine, though every
    # canonical facet lies on a neuron.
    net = rg.ReLUNetwork([[[1], [-1]], [[1, -1], [-1, 1]], [[1, -1]]], [[0, 0], [0, 0], [0]])
    bc = rg.breakpoint_complex(net)
    assert bc.complex.n_regions == 2 and bc.is_empty and bc.n_non_bent_facets == 1


def test_bent_facets_against_the_public_affine_maps():
    cx = rg.compile_network(rg.zoo.demo(), domain=(-3, 3))
    flags = rg.bent_facets(cx)
    assert set(flags) == {f.index for f in cx.facets}
    for f in cx.facets:
        regions = f.cofaces
        expected = len(regions) == 2 and regions[0].affine_map != regions[1].affine_map
        assert flags[f.index] == expected


def test_linear_regions_partition_the_regions_and_differ_across_bent_facets():
    bc = rg.breakpoint_complex(rg.zoo.demo())
    cx = bc.complex
    seen = [i for lr in bc.linear_regions for i in lr.cells]
    assert sorted(seen) == [r.index for r in cx.regions]
    for lr in bc.linear_regions:
        assert all(cx.cells[i].affine_map == lr.affine_map for i in lr.cells)
    where = bc.linear_region_of_cell
    for i in bc.bent_facets:
        p, q = cx.cells[i].coface_indices
        assert where[p] != where[q]


def test_inputs_and_errors():
    net = rg.zoo.demo()
    cx = rg.compile_network(net)
    bc = rg.breakpoint_complex(cx)
    assert rg.breakpoint_complex(bc) is bc and rg.as_breakpoint_complex(cx) is bc
    assert rg.breakpoint_complex(net).signature() == bc.signature()
    with pytest.raises(rg.InvalidInputError, match="domain"):
        rg.breakpoint_complex(cx, domain=(-1, 1))
    with pytest.raises(rg.InvalidInputError, match="ReLUNetwork"):
        rg.breakpoint_complex([[1]])
    with pytest.raises(rg.InvalidInputError, match="dimension 1"):
        bc.is_bent(cx.regions[0].index)


# ---------------------------------------------------------------------------- invariance


@pytest.mark.parametrize("domain", [None, (-2, 2)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_breakpoint_complex_depends_only_on_the_function(domain, seed):
    net = rg.zoo.demo() if seed == 0 else rg.ReLUNetwork.random([2, 3, 3, 1], seed=seed)
    reference = rg.breakpoint_complex(net, domain=domain)
    ref_sig = reference.signature()
    ref_maps = sorted(lr.affine_map for lr in reference.linear_regions)
    for name, other in equivalent_variants(net, seed):
        bc = rg.breakpoint_complex(other, domain=domain)
        assert bc.signature() == ref_sig, name
        assert sorted(lr.affine_map for lr in bc.linear_regions) == ref_maps, name


@settings(max_examples=25)
@given(networks(max_dim=2, max_width=3, max_depth=2), st.integers(0, 10**6), st.booleans())
def test_invariance_on_random_degenerate_networks(net, seed, box):
    domain = (-2, 2) if box else None
    ref = rg.breakpoint_complex(net, domain=domain).signature()
    for name, other in equivalent_variants(net, seed):
        assert rg.breakpoint_complex(other, domain=domain).signature() == ref, name


def test_three_dimensional_invariance_and_convex_facets():
    net = rg.ReLUNetwork.random([3, 3, 2, 1], seed=4)
    ref = rg.breakpoint_complex(net, domain=(-2, 2))
    for name, other in equivalent_variants(net, 4):
        assert rg.breakpoint_complex(other, domain=(-2, 2)).signature() == ref.signature(), name
    check_breakpoint_complex(ref)


# ------------------------------------------------- the complex property, checked independently


def _dot(a, x):
    return sum(u * v for u, v in zip(a, x))


def _is_face(part, poly):
    """Whether the non-empty ``part`` of ``poly`` is a face of it: cut ``poly`` by the inequalities
    tight on all of ``part`` (with cdd, from the H-representation) and compare point sets."""
    tight = [
        r
        for r in poly.inequalities
        if all(_dot(r, v) == r[-1] for v in part.vertices)
        and all(_dot(r, y) == 0 for y in part.rays)
        and all(_dot(r, y) == 0 for y in part.lineality)
    ]
    face = rg.Polyhedron.from_hrep(
        poly.inequalities, [*poly.equalities, *tight], ambient_dim=poly.ambient_dim
    )
    return face == part


def _meet(p, q):
    return rg.Polyhedron.from_hrep(
        [*p.inequalities, *q.inequalities], [*p.equalities, *q.equalities], ambient_dim=p.ambient_dim
    )


def _projected_volume(poly, drop):
    pts = [tuple(v for k, v in enumerate(x) if k != drop) for x in poly.vertices]
    return rg.Polyhedron.from_vrep(pts).volume()


def check_breakpoint_complex(bc):
    """Over a bounded domain, exactly and independently of the implementation:

    * every facet has dimension d - 1 in its hyperplane;
    * every two facets meet in a common face of both, and that face is listed in
      ``faces_of_dim``; the listed faces are faces of the facets that claim them;
    * convexity and coverage: each facet's (d-1)-volume (in a coordinate projection) is the sum
      of the volumes of its overlaps with the bent facets it lists, and per hyperplane the
      facets add up to the bent facets (so they do not overlap and cover B(f))."""
    d = bc.ambient_dim
    cx = bc.complex
    polys = [f.polyhedron for f in bc.facets]
    for f, p in zip(bc.facets, polys):
        assert p.dim == d - 1 and p.equalities == (f.hyperplane,)
    listed = {}
    if d >= 2:
        for k in range(d - 1):
            for face in bc.faces_of_dim(k):
                assert face.polyhedron.dim == k
                listed[face.polyhedron] = face
                for j in face.facets:
                    assert _is_face(face.polyhedron, polys[j])
    for a in range(len(polys)):
        for b in range(a + 1, len(polys)):
            meet = _meet(polys[a], polys[b])
            if meet.is_empty:
                continue
            assert _is_face(meet, polys[a]) and _is_face(meet, polys[b]), (a, b)
            assert meet in listed and {a, b} <= set(listed[meet].facets), (a, b)
    per_hyperplane = {}
    for f, p in zip(bc.facets, polys):
        drop = next(i for i, v in enumerate(f.normal) if v)
        parts = [_meet(cx.cells[i].polyhedron, p) for i in f.cells]
        assert all(q.dim == d - 1 for q in parts)
        vol = _projected_volume(p, drop) if d > 1 else 0
        assert d == 1 or vol == sum(_projected_volume(q, drop) for q in parts), f
        per_hyperplane[f.hyperplane] = per_hyperplane.get(f.hyperplane, 0) + vol
    if d > 1:
        for h, vol in per_hyperplane.items():
            cells = [cx.cells[i] for i in bc.bent_facets if bc.facet_table[i].hyperplane == h]
            drop = next(i for i, v in enumerate(h[:-1]) if v)
            assert vol == sum(_projected_volume(c.polyhedron, drop) for c in cells), h


def _relu_z_plus_pyramid():
    """f = relu(z) + relu(z - |x| - |y|): a pyramid whose apex touches the bent plane z = 0."""
    w1 = [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1]]
    w2 = [[-1, -1, -1, -1, 1], [0, 0, 0, 0, 1]]
    return rg.ReLUNetwork([w1, w2, [[1, 1]]], [[0] * 5, [0, 0], [0]])


def _l_shaped_plane():
    """f = relu(relu(z) - relu(min(x, y))), min(x, y) = x - relu(x - y): z = 0 bends off x, y > 0."""
    w1 = [[1, -1, 0], [1, 0, 0], [-1, 0, 0], [0, 0, 1]]
    return rg.ReLUNetwork([w1, [[-1, 1, -1, 0], [0, 0, 0, 1]], [[-1, 1]], [[1]]], [[0] * 4, [0, 0], [0], [0]])


def test_pyramid_apex_cuts_the_plane_into_eight_sectors():
    # By hand: the literal piece in z = 0 is the whole plane; the pyramid faces z = +-x +-y and
    # the bends x = 0 (z >= |y|), y = 0 (z >= |x|) meet it only at the origin.  The rule cuts the
    # plane along the traces of their hyperplanes, x = 0, y = 0, x = y, x = -y: eight sectors,
    # each a cone at the origin.  Weights: z = 0 jumps by (0, 0, 1) across e = (0, 0, 1): 1;
    # on z = x + y the slope jumps from (0, 0, 1) to (-1, -1, 2), e = (1, 1, -1): c = 3; on
    # x = 0 inside, the slope of -|x| jumps by 2 across e = (1, 0, 0) downwards: c = -2.
    bc = rg.breakpoint_complex(_relu_z_plus_pyramid())
    plane = [f for f in bc.facets if f.hyperplane == (0, 0, 1, 0)]
    assert len(plane) == 8 and all(f.weight == (1,) for f in plane)
    dirs = [(1, 0, 0), (1, 1, 0), (0, 1, 0), (-1, 1, 0), (-1, 0, 0), (-1, -1, 0), (0, -1, 0), (1, -1, 0)]
    sectors = {frozenset((dirs[k], dirs[(k + 1) % 8])) for k in range(8)}
    assert {frozenset(f.rays) for f in plane} == sectors
    assert all(f.vertices == ((0, 0, 0),) for f in plane)
    faces = {f.hyperplane: f.weight for f in bc.facets}
    assert faces[(1, 1, -1, 0)] == (3,) and faces[(1, 0, 0, 0)] == (-2,)
    # one vertex, 13 edges (8 in the plane, 4 pyramid edges, the z axis), 16 facets
    assert bc.f_vector == (1, 13, 16)
    check_breakpoint_complex(rg.breakpoint_complex(_relu_z_plus_pyramid(), domain=(-1, 1)))


def test_pyramid_apex_pulls_the_square_into_four_triangles():
    # Over the box [-1, 1]^3 the literal piece in z = 0 is the square, convex; the pyramid
    # touches it only at the origin, a vertex of the pyramid's faces inside the square.  In
    # d = 3 a pointed piece is pulled at such a point (no vertex is added): by hand, the four
    # triangles conv(0, edge) over the four edges of the square, each with weight 1.
    bc = rg.breakpoint_complex(_relu_z_plus_pyramid(), domain=(-1, 1))
    plane = [f for f in bc.facets if f.hyperplane == (0, 0, 1, 0)]
    corners = [(1, 1, 0), (-1, 1, 0), (-1, -1, 0), (1, -1, 0)]
    triangles = {frozenset([(0, 0, 0), corners[k], corners[(k + 1) % 4]]) for k in range(4)}
    assert {frozenset(f.vertices) for f in plane} == triangles
    assert all(f.weight == (1,) and not f.rays for f in plane)


def test_l_shaped_piece_is_cut_along_its_reflex_flats():
    # By hand: near z = 0, f = relu(z) unless x, y > 0 (there min(x, y) > 0 keeps f = 0), so
    # z = 0 bends with weight 1 on three quadrants, one literal L-shaped piece.  Its reflex
    # boundary rays lie on x = 0 and y = 0; cutting along both leaves the three quadrants.
    bc = rg.breakpoint_complex(_l_shaped_plane())
    plane = [f for f in bc.facets if f.hyperplane == (0, 0, 1, 0)]
    assert {frozenset(f.rays) for f in plane} == {
        frozenset({(-1, 0, 0), (0, -1, 0)}),
        frozenset({(-1, 0, 0), (0, 1, 0)}),
        frozenset({(1, 0, 0), (0, -1, 0)}),
    }
    assert all(f.weight == (1,) and f.vertices == ((0, 0, 0),) for f in plane)
    check_breakpoint_complex(rg.breakpoint_complex(_l_shaped_plane(), domain=(-1, 1)))


def test_literal_pieces_kept_when_they_already_form_a_complex():
    # relu(x) + 0 * relu(y) + 0 * relu(z): the plane x = 0 is cut by y = 0 and z = 0 in the
    # canonical complex, but nothing else bends there: one facet, the whole plane.
    net = rg.ReLUNetwork([[[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[1, 0, 0]]], [[0, 0, 0], [0]])
    bc = rg.breakpoint_complex(net)
    (f,) = bc.facets
    assert bc.n_bent_facets == 4 and f.polyhedron == rg.Polyhedron.from_hrep(
        [], [(1, 0, 0, 0)], ambient_dim=3
    )
    assert bc.f_vector == (0, 0, 1)
    # relu(x) + relu(y) + relu(z) over a box: three squares crossing, each cut into four by the
    # others (the star of each axis segment has four bent facets): 12 facets, as the canonical ones
    net = specimens.relu_sum_3d()
    bc = rg.breakpoint_complex(net, domain=(-1, 1))
    assert bc.n_facets == bc.n_bent_facets == 12
    check_breakpoint_complex(bc)


@pytest.mark.parametrize("make", [_relu_z_plus_pyramid, _l_shaped_plane])
def test_refined_pieces_depend_only_on_the_function(make):
    net = make()
    ref = rg.breakpoint_complex(net, domain=(-2, 2)).signature()
    for name, other in equivalent_variants(net, 7):
        assert rg.breakpoint_complex(other, domain=(-2, 2)).signature() == ref, name


def test_two_dimensional_complexes_are_the_literal_pieces():
    # d = 2: no refinement; the checker holds on the hand example and a random net
    for net in (rg.zoo.bent_2d(), rg.ReLUNetwork.random([2, 3, 3, 1], seed=1)):
        bc = rg.breakpoint_complex(net, domain=(-3, 3))
        assert kept_literal_pieces(bc)
        check_breakpoint_complex(bc)


@settings(max_examples=20)
@given(networks(max_dim=3, max_width=3, max_depth=3), st.integers(0, 10**6))
def test_random_degenerate_networks_give_polyhedral_complexes(net, seed):
    bc = rg.breakpoint_complex(net, domain=(-2, 2))
    check_breakpoint_complex(bc)
    ref = bc.signature()
    for name, other in equivalent_variants(net, seed)[:3]:
        assert rg.breakpoint_complex(other, domain=(-2, 2)).signature() == ref, name


# ----------------------------------------------------------------------------------- CLI


def test_cli_breakpoints_text_and_json(tmp_path, capsys):
    import json

    from relu_geom.cli import main

    path = tmp_path / "bent.json"
    rg.zoo.bent_2d().to_json(path)
    assert main(["breakpoints", str(path)]) == 0
    text = capsys.readouterr().out
    # by hand (see test_bent_two_dimensional_example_by_hand): 5 bent facets, none merged; the
    # two three-ray stars are symmetric (no proved rule joins there): 5 candidates, no edge;
    # a ray stops at (0, 1), so depth 2, exact in d = 2
    assert "bent facets                 5" in text
    assert "candidate bent hyperplanes  5" in text and "depth lower bound           2 (exact)" in text
    assert "balancing holds             yes" in text
    assert main(["breakpoints", str(path), "--box", "-1", "7/2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    # over [-1, 7/2]^2 the rays x = 1 (y < 0) and y = 1 (x < 0) are cut to segments; nothing changes
    assert data["n_bent_facets"] == 5 and data["n_breakpoint_facets"] == 5
    assert data["n_candidates"] == 5 and data["n_graph_edges"] == 0 and data["depth_lower_bound"] == 2
    assert data["depth_witness"]["kind"] == "stops" and data["depth_witness"]["point"] in ([0, 1], [1, 0])
    assert data["balancing_holds"] is True and data["domain"] == ["-1", "7/2"]


def test_cli_breakpoints_affine_and_errors(tmp_path, capsys):
    import json

    from relu_geom.cli import main

    path = tmp_path / "affine.json"
    rg.ReLUNetwork([[[1], [-1]], [[1, -1]]], [[0, 0], [0]]).to_json(path)
    assert main(["breakpoints", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["n_bent_facets"] == 0 and data["n_non_bent_facets"] == 1
    assert data["n_candidates"] == 0 and data["depth_lower_bound"] == 0
    assert main(["breakpoints", str(tmp_path / "missing.json")]) == 2
    assert "relu-geom breakpoints: error" in capsys.readouterr().err
    assert main(["breakpoints", str(path), "--box", "1", "0"]) == 2
    assert "--box" in capsys.readouterr().err


# ------------------------------------------------------------------------------ pictures


def test_breakpoint_picture_shows_the_hand_computed_weights(tmp_path):
    pytest.importorskip("matplotlib")
    pic = rg.plotting.plot_breakpoint_complex(rg.zoo.bent_2d())
    # the weights of test_bent_two_dimensional_example_by_hand: four 1s and a 2
    assert sorted(t.get_text() for t in pic.weight_labels.values()) == ["1", "1", "1", "1", "2"]
    assert len(set(pic.candidate_colors.values())) == 5  # no proved rule joins two of the five
    pic.savefig(tmp_path / "bp.png")
    assert (tmp_path / "bp.png").stat().st_size > 0
    with pytest.raises(rg.UnsupportedInputError, match="dimension 2"):
        rg.plotting.plot_breakpoint_complex(rg.zoo.hat_1d())
    with pytest.raises(rg.InvalidInputError, match="output"):
        rg.plotting.plot_breakpoint_complex(rg.zoo.bent_2d(), output=1)


def test_cli_plot_breakpoints(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    from relu_geom.cli import main

    out = tmp_path / "bp.png"
    assert main(["plot", "zoo:bent_2d", "--breakpoints", "-o", str(out)]) == 0
    assert out.stat().st_size > 0 and "5 breakpoint facets, 5 candidates" in capsys.readouterr().out
    assert main(["plot", "zoo:hat_1d", "--breakpoints", "-o", str(tmp_path / "x.png")]) == 2
    assert "--breakpoints" in capsys.readouterr().err


@pytest.mark.slow
def test_function_side_is_not_slower_than_the_compile():
    import time

    net = rg.ReLUNetwork.random_normal([3, 16, 16, 1], seed=0)
    start = time.process_time()
    cx = rg.compile_network(net, workers=1)  # all of the compile's CPU in this process
    compile_seconds = time.process_time() - start
    start = time.process_time()
    bc = rg.breakpoint_complex(cx)
    rg.facet_weights(bc)
    assert rg.check_balancing(bc) == ()
    rg.depth_lower_bound(bc)
    # the goal of the function side: within 2x of the compile (CPU time, so load matters less)
    assert time.process_time() - start <= 2 * compile_seconds


def test_results_are_immutable_and_cached_views_read_only():
    cx = rg.compile_network(rg.zoo.bent_2d())
    bc = rg.breakpoint_complex(cx)
    n = bc.n_facets
    for obj, name in [
        (bc, "facets"),
        (bc, "complex"),
        (bc.facets[0], "weight"),
        (bc.linear_regions[0], "cells"),
    ]:
        with pytest.raises(AttributeError, match="immutable"):
            setattr(obj, name, ())
        with pytest.raises(AttributeError, match="immutable"):
            delattr(obj, name)
    with pytest.raises(TypeError):
        bc.facets_of_cell[0] = (0,)
    with pytest.raises(TypeError):
        bc.linear_region_of_cell[0] = 0
    with pytest.raises(TypeError):
        rg.candidate_bent_hyperplanes(bc).edges[(0, 1)] = ()
    face = bc.faces_of_dim(0)[0]
    with pytest.raises(AttributeError, match="immutable"):
        face.facets = ()
    bound = rg.depth_lower_bound(bc)
    with pytest.raises(AttributeError):
        bound.bound = 5
    with pytest.raises(AttributeError):
        bound.witness.kind = "x"
    assert rg.breakpoint_complex(cx) is bc and bc.n_facets == n == 5


def test_to_dict_is_json_with_exact_rationals():
    import json

    net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[F(1, 3), F(-5, 2)]]], [[F(1, 7), 0], [0]])
    bc = rg.breakpoint_complex(net, domain=(-1, 1))
    data = json.loads(json.dumps(bc.to_dict(faces=True)))
    q = lambda v: F(v)  # noqa: E731 - "p/q" strings and ints read back exactly
    # weights by hand: relu(x + 1/7) / 3 bends by 1/3 along x = -1/7, -5/2 relu(y) by -5/2 along
    # y = 0; the two lines cross inside the box, so each is two facets
    expected = [(F(-5, 2),), (F(-5, 2),), (F(1, 3),), (F(1, 3),)]
    assert sorted(tuple(map(q, f["weight"])) for f in data["facets"]) == expected
    assert {tuple(f["hyperplane"]) for f in data["facets"]} == {(7, 0, -1), (0, 1, 0)}
    for f, g in zip(bc.facets, data["facets"]):
        assert [tuple(map(q, v)) for v in g["polyhedron"]["vertices"]] == list(f.vertices)
    for r, g in zip(bc.linear_regions, data["linear_regions"]):
        assert [tuple(map(q, row)) for row in g["A"]] == list(r.affine_map[0])
    assert len(data["faces"][0]) == len(bc.faces_of_dim(0))
    for name in ("facet_table", "ridge_table"):
        json.dumps([r.to_dict() for r in getattr(bc, name).values()])
    dec = json.loads(json.dumps(rg.candidate_bent_hyperplanes(bc).to_dict()))
    assert len(dec["candidates"]) == 2 and dec["edges"] == []
    assert json.loads(json.dumps(rg.depth_lower_bound(bc).to_dict()))["bound"] == 1
    json.dumps([h.to_dict() for h in rg.neuron_bent_hyperplanes(bc)])


# ------------------------------------- independent recomputation along random lines


def _pl_along_line(net, p, u, s0, s1):
    """``s -> f(p + s u)`` on ``[s0, s1]`` exactly, from the weights alone: the knots ``s`` and the
    values there (linear in between).  Each hidden layer inserts the zeros of its neurons'
    preactivations between knots where they change sign, then applies relu."""
    knots = [s0, s1]
    vals = [[pi + s * ui for pi, ui in zip(p, u)] for s in knots]
    n_layers = len(net.weights)
    for layer, (W, b) in enumerate(zip(net.weights, net.biases)):
        pre = [[sum(w * x for w, x in zip(row, v)) + c for row, c in zip(W, b)] for v in vals]
        if layer == n_layers - 1:
            return knots, pre
        for j in range(len(b)):
            k_out, p_out = [knots[0]], [pre[0]]
            for k in range(1, len(knots)):
                a, c = p_out[-1][j], pre[k][j]
                if a * c < 0:
                    t = a / (a - c)
                    k_out.append(k_out[-1] + t * (knots[k] - k_out[-1]))
                    p_out.append([x + t * (y - x) for x, y in zip(p_out[-1], pre[k])])
                k_out.append(knots[k])
                p_out.append(pre[k])
            knots, pre = k_out, p_out
        vals = [[max(x, 0) for x in v] for v in pre]
    raise AssertionError("unreachable")


def _line_breakpoints(net, p, u, s0, s1):
    """The interior parameters where the slope of ``s -> f(p + s u)`` jumps, with the jump."""
    knots, vals = _pl_along_line(net, p, u, s0, s1)
    slopes = [
        tuple((y - x) / (t1 - t0) for x, y in zip(v0, v1))
        for t0, t1, v0, v1 in zip(knots, knots[1:], vals, vals[1:])
        if t1 != t0
    ]
    inner = [t for t0, t in zip(knots, knots[1:]) if t != t0][:-1]
    out = {}
    for t, left, right in zip(inner, slopes, slopes[1:]):
        if left != right:
            out[t] = tuple(r - q for q, r in zip(left, right))
    return out


def _check_facets_along_random_lines(bc, net, rng, n_lines=6, box=2):
    """Where a random rational line meets the facets of ``bc`` (each crossing in one facet) is
    exactly where ``f`` bends along the line, and the slope jumps by ``c |e . u| / (e . e)``."""
    d = net.input_dim
    done = 0
    for _ in range(4 * n_lines):
        if done == n_lines:
            break
        p = [F(rng.randint(-150, 150), 97) for _ in range(d)]
        u = [rng.choice([-1, 1]) * rng.randint(1, 9) for _ in range(d)]
        lo = max(min((-box - x) / v, (box - x) / v) for x, v in zip(p, u))
        hi = min(max((-box - x) / v, (box - x) / v) for x, v in zip(p, u))
        crossings = {}
        for f in bc.facets:
            e = f.normal
            eu = _dot(e, u)
            a, b = f.hyperplane[:-1], f.hyperplane[-1]
            if eu == 0:
                continue
            s = (b - _dot(a, p)) / _dot(a, u)
            if lo < s < hi and f.polyhedron.contains([x + s * v for x, v in zip(p, u)]):
                crossings.setdefault(s, []).append(tuple(c * abs(eu) / _dot(e, e) for c in f.weight))
        if any(len(v) > 1 for v in crossings.values()):
            continue  # the line meets a lower face; draw another
        expected = _line_breakpoints(net, p, u, lo, hi)
        assert {s: v[0] for s, v in crossings.items()} == expected
        done += 1
    assert done > 0


@settings(max_examples=15)
@given(networks(max_dim=3, max_width=3, max_depth=3), st.integers(0, 10**6))
def test_facets_are_where_f_bends_along_random_lines(net, seed):
    bc = rg.breakpoint_complex(net, domain=(-2, 2))
    _check_facets_along_random_lines(bc, net, random.Random(seed))


@pytest.mark.parametrize(
    ("arch", "seed"),
    [([3, 3, 2, 1], 9), ([3, 3, 2, 1], 13), pytest.param([3, 4, 3, 1], 154, marks=pytest.mark.slow)],
)
def test_refined_complex_on_random_three_dimensional_networks(arch, seed):
    # Their literal pieces fail (154: three merged pieces, all non-convex), so the d >= 3
    # refinement cuts them and their neighbours; the result must still cover exactly B(f)
    # with the weights f has.
    net = rg.ReLUNetwork.random(arch, seed=seed)
    bc = rg.breakpoint_complex(net, domain=(-2, 2))
    assert not kept_literal_pieces(bc)
    _check_facets_along_random_lines(bc, net, random.Random(seed), n_lines=10)


@pytest.mark.parametrize(
    ("arch", "seed"),
    [
        ([3, 3, 2, 1], 9),
        ([3, 3, 2, 1], 13),
        pytest.param([3, 4, 3, 1], 154, marks=pytest.mark.slow),
        pytest.param([3, 5, 4, 1], 6, marks=pytest.mark.slow),
        pytest.param([3, 5, 4, 1], 19, marks=pytest.mark.slow),
    ],
)
def test_refined_complex_is_a_polyhedral_complex_on_b_f(arch, seed):
    # The networks whose refinement was slow (cutting along whole hyperplanes cascaded; 154
    # took minutes, [3, 5, 4, 1] seeds 6 and 19 more than a minute): the pulled result must
    # be a polyhedral complex covering exactly the bent facets (the independent checker:
    # cdd meets compared with faces, volumes per hyperplane), and f bends exactly on it.
    net = rg.ReLUNetwork.random(arch, seed=seed)
    for domain in ((-2, 2), None):
        bc = rg.breakpoint_complex(net, domain=domain)
        # the pulled, split and merged polyhedra are built without cdd: both representations
        # must be what cdd makes of the vertices and rays
        for f in bc.facets:
            p = f.polyhedron
            assert p == rg.Polyhedron.from_vrep(p.vertices, p.rays, p.lineality), f
    bc = rg.breakpoint_complex(net, domain=(-2, 2))
    assert not kept_literal_pieces(bc)
    check_breakpoint_complex(bc)
    _check_facets_along_random_lines(bc, net, random.Random(seed), n_lines=6)


@pytest.mark.parametrize(("arch", "seed"), [([3, 3, 2, 1], 9), ([3, 4, 3, 1], 154)])
def test_pulled_pieces_depend_only_on_the_function(arch, seed):
    # Over the box both are pulled at points of V (seed 9: three pieces, 154: three); the
    # function-preserving changes (a cancelling pair adds a hyperplane that cuts the
    # canonical complex, duplicates and dead neurons) leave the facets unchanged.
    net = rg.ReLUNetwork.random(arch, seed=seed)
    ref = rg.breakpoint_complex(net, domain=(-2, 2))
    assert not kept_literal_pieces(ref)
    for name, other in equivalent_variants(net, seed):
        assert rg.breakpoint_complex(other, domain=(-2, 2)).signature() == ref.signature(), name


@pytest.mark.slow
def test_pulled_unbounded_pieces_meet_face_to_face():
    # Over R^3 the pulled pieces of seed 154 include unbounded ones (cells over a face at
    # infinity); every two facets meet in a common face (cdd meets), and f bends exactly on
    # them along random lines.
    net = rg.ReLUNetwork.random([3, 4, 3, 1], seed=154)
    bc = rg.breakpoint_complex(net)
    polys = [f.polyhedron for f in bc.facets]
    assert any(p.rays for p in polys)
    for a in range(len(polys)):
        for b in range(a + 1, len(polys)):
            meet = _meet(polys[a], polys[b])
            if not meet.is_empty:
                assert _is_face(meet, polys[a]) and _is_face(meet, polys[b]), (a, b)
    _check_facets_along_random_lines(bc, net, random.Random(154), n_lines=6)


def test_max_networks_keep_their_literal_pieces():
    # max(x_1, x_2, x_3) bends on the three half-planes x_i = x_j >= x_k (weight 2, normal
    # e_i - e_j), which meet along the diagonal: three convex pieces meeting in a common
    # face, so nothing is cut (by hand).  max of 4: the six pieces x_i = x_j >= x_k, x_l.
    for n, n_pieces in ((3, 3), (4, 6)):
        bc = rg.breakpoint_complex(rg.zoo.max_tree(n))
        assert bc.n_facets == n_pieces and all(f.weight == (2,) for f in bc.facets)
        assert kept_literal_pieces(bc)  # the literal pieces, not refined
        assert {tuple(sorted(f.normal)) for f in bc.facets} == {(-1, *[0] * (n - 2), 1)}
        _check_facets_along_random_lines(
            rg.breakpoint_complex(rg.zoo.max_tree(n), domain=(-2, 2)), rg.zoo.max_tree(n), random.Random(n)
        )


def _literal_groups(bc):
    """The literal pieces: the bent facets of the canonical complex merged across the ridges
    where two of them continue each other in one hyperplane with one weight (cell indices)."""
    from relu_geom.analyses.breakpoints.complex import UnionFind

    uf = UnionFind(bc.bent_facets)
    for rec in bc.ridge_table.values():
        if rec.merged:
            uf.union(*rec.star)
    return sorted(tuple(sorted(g)) for g in uf.groups())


def kept_literal_pieces(bc):
    """Whether the facets of ``bc`` are its literal pieces (nothing cut by the refinement)."""
    return sorted(f.cells for f in bc.facets) == _literal_groups(bc)


def literal_pieces_form_a_complex(bc):
    """Over a bounded domain, independently of the implementation: every literal piece is convex
    (its (d-1)-volume is that of its convex hull) and every two meet in a common face of both."""
    cells = bc.complex.cells
    hulls = []
    for grp in _literal_groups(bc):
        polys = [cells[i].polyhedron for i in grp]
        hull = rg.Polyhedron.from_vrep([v for p in polys for v in p.vertices])
        drop = next(i for i, v in enumerate(bc.facet_table[grp[0]].normal) if v)
        if _projected_volume(hull, drop) != sum(_projected_volume(p, drop) for p in polys):
            return False
        hulls.append(hull)
    for a in range(len(hulls)):
        for b in range(a + 1, len(hulls)):
            meet = _meet(hulls[a], hulls[b])
            if not meet.is_empty and not (_is_face(meet, hulls[a]) and _is_face(meet, hulls[b])):
                return False
    return True


def test_literal_pieces_are_kept_exactly_when_they_form_a_complex():
    # The facets are the literal pieces exactly when those are convex and meet face to face
    # (checked here with polyhedra and cdd); otherwise the refinement cuts them.  Among these
    # seeds both answers occur (9, 13, 16, 19 fail; 4, 7, 10, 24 pass).
    answers = set()
    for seed in range(30):
        bc = rg.breakpoint_complex(rg.ReLUNetwork.random([3, 3, 2, 1], seed=seed), domain=(-2, 2))
        if all(len(g) == 1 for g in _literal_groups(bc)):
            continue
        fast = kept_literal_pieces(bc)
        assert fast == literal_pieces_form_a_complex(bc), seed
        answers.add(fast)
    assert answers == {True, False}


def test_literal_pieces_shortcut_on_hand_examples():
    # the pyramid apex touches the plane inside it; the L-shaped piece is not convex: both cut
    for make in (_relu_z_plus_pyramid, _l_shaped_plane):
        assert not kept_literal_pieces(rg.breakpoint_complex(make()))
    # the plane x = 0 cut by y = 0 and z = 0 where nothing else bends: one convex piece
    net = rg.ReLUNetwork([[[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[1, 0, 0]]], [[0, 0, 0], [0]])
    assert kept_literal_pieces(rg.breakpoint_complex(net))


def test_integer_polygons_of_the_refinement_agree_with_cdd():
    # The d = 3 refinement builds the hull of a non-convex merged piece in integers; cdd's
    # double description of the same rows must give the same canonical polyhedron.
    from relu_geom.analyses.breakpoints.complex import _pointed_polygon

    h = (0, 0, 1, 0)  # the plane z = 0
    cases = [
        [(1, 0, 0, 1), (-1, 0, 0, 1), (0, 1, 0, 1), (0, -1, 0, 1)],  # the square [-1, 1]^2
        [(1, 0, 0, 1), (-1, 0, 0, 1), (0, 1, 0, 1), (0, -1, 0, 1), (1, 1, 0, 5)],  # and a redundant row
        [(-1, 0, 0, 0), (0, -1, 0, 0)],  # the quadrant x, y >= 0: a vertex and two rays
        [(-1, 0, 0, 0), (1, -1, 0, 0)],  # the wedge 0 <= x <= y
        [(-1, 0, 0, 0), (0, -1, 0, 0), (-1, -1, 0, -1)],  # the quadrant cut by x + y >= 1
    ]
    for rows in cases:
        got = _pointed_polygon(h, rows)
        ref = rg.Polyhedron.from_hrep(sorted(rows), [h], ambient_dim=3)
        assert got is not None
        assert (got.equalities, got.inequalities) == (ref.equalities, ref.inequalities), rows
        assert (got.vertices, got.rays, got.lineality) == (ref.vertices, ref.rays, ref.lineality), rows
    # a strip has no vertex: left to cdd
    assert _pointed_polygon(h, [(1, 0, 0, 1), (-1, 0, 0, 1)]) is None
    # a tilted plane x + y + z = 1 with x, y >= 0, x + y <= 1: the triangle with vertices e_1, e_2, e_3
    tri = _pointed_polygon((1, 1, 1, 1), [(-1, 0, 0, 0), (0, -1, 0, 0), (1, 1, 0, 1)])
    assert tri is not None and tri.vertices == ((0, 0, 1), (0, 1, 0), (1, 0, 0))
