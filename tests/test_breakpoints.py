"""Bent facets, breakpoint complexes and maximal linear regions against hand computations,
and their invariance under changes of the network that keep the function."""

from __future__ import annotations

import random
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import relu_geom as rg
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
    net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[1, 0]]], [[0, 0], [0]])
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
        assert rg.depth_lower_bound(bc) == rg.DepthBound(0, ())
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
    check_facets_convex(ref)


def check_facets_convex(bc):
    """Over a bounded domain: every facet lies in its hyperplane, has dimension d - 1, and is the
    union of its cells (its (d-1)-volume, measured in a coordinate projection, is their sum)."""
    d = bc.ambient_dim
    for f in bc.facets:
        p = f.polyhedron
        assert p.dim == d - 1 and p.equalities == (f.hyperplane,)
        drop = next(i for i, v in enumerate(f.normal) if v)

        def projected_volume(poly, drop=drop):
            pts = [tuple(v for k, v in enumerate(x) if k != drop) for x in poly.vertices]
            return rg.Polyhedron.from_vrep(pts).volume()

        cells = [bc.complex.cells[i].polyhedron for i in f.cells]
        assert projected_volume(p) == sum(projected_volume(c) for c in cells), f


# ----------------------------------------------------------------------------------- CLI


def test_cli_breakpoints_text_and_json(tmp_path, capsys):
    import json

    from relu_geom.cli import main

    path = tmp_path / "bent.json"
    rg.zoo.bent_2d().to_json(path)
    assert main(["breakpoints", str(path)]) == 0
    text = capsys.readouterr().out
    # by hand (see test_bent_two_dimensional_example_by_hand): 5 bent facets, none merged,
    # 3 candidates, 2 edges, depth 2
    assert "bent facets                 5" in text
    assert "candidate bent hyperplanes  3" in text and "depth lower bound           2" in text
    assert "balancing holds             yes" in text
    assert main(["breakpoints", str(path), "--box", "-1", "7/2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    # over [-1, 7/2]^2 the rays x = 1 (y < 0) and y = 1 (x < 0) are cut to segments; nothing changes
    assert data["n_bent_facets"] == 5 and data["n_breakpoint_facets"] == 5
    assert data["n_candidates"] == 3 and data["n_graph_edges"] == 2 and data["depth_lower_bound"] == 2
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
    assert len(set(pic.candidate_colors.values())) == 3
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
    assert out.stat().st_size > 0 and "5 breakpoint facets, 3 candidates" in capsys.readouterr().out
    assert main(["plot", "zoo:hat_1d", "--breakpoints", "-o", str(tmp_path / "x.png")]) == 2
    assert "--breakpoints" in capsys.readouterr().err


@pytest.mark.slow
def test_function_side_is_not_slower_than_the_compile():
    import time

    net = rg.ReLUNetwork.random_normal([3, 16, 16, 1], seed=0)
    start = time.process_time()
    cx = rg.compile_network(net)
    compile_seconds = time.process_time() - start
    start = time.process_time()
    bc = rg.breakpoint_complex(cx)
    rg.facet_weights(bc)
    assert rg.check_balancing(bc) == ()
    rg.depth_lower_bound(rg.bent_hyperplane_graph(bc))
    assert time.process_time() - start <= compile_seconds
