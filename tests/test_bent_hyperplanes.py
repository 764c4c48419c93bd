"""Bent hyperplanes of neurons (parameter side) and candidate bent hyperplanes (function side):
hand-worked stars, one- and two-hidden-layer generic networks, the isomorphism of the two graphs."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction as F

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.arith.dense import primitive_row
from relu_geom.testing import specimens
from tests.conftest import networks


def hyperplane_row(weights, bias):
    """Canonical row (a, b) of {w . x + bias = 0}: a . x == b, primitive, first nonzero a positive."""
    row = primitive_row([F(v) for v in weights] + [-F(bias)])
    return row if next(v for v in row if v) > 0 else tuple(-v for v in row)


def zero_neurons(cx, cell_indices):
    return {g for i in cell_indices for g, s in enumerate(cx.cells[i].sign_vector) if s == 0}


def neuron_of_candidate(cx, cand):
    (g,) = zero_neurons(cx, cand.cells)  # generic: one neuron per candidate
    return g


def bent_facets_connected(cx, facets):
    g = nx.Graph()
    g.add_nodes_from(facets)
    for f in facets:
        for r in cx.cells[f].face_indices:
            g.add_edges_from((f, h) for h in cx.cells[r].coface_indices if h in facets and h != f)
    return nx.is_connected(g) if facets else True


# ---------------------------------------------------------------------- parameter side


def test_vanishing_region_belongs_to_the_bent_hyperplane():
    # u = x, v = relu(u) (layer 2) vanishes on the whole half-line x < 0; f = relu(v) = relu(x).
    cx = rg.compile_network(rg.zoo.vanishing_deep_neuron())
    hs = rg.neuron_bent_hyperplanes(cx)
    left = cx.locate(-1)
    origin = cx.locate(0)
    assert left.sign_vector == (-1, 0) and origin.sign_vector == (0, 0)
    assert hs[1].vanishing_regions == (left.index,)
    assert set(hs[1].cells) == {left.index, origin.index}
    assert hs[0].facets == hs[1].facets == (origin.index,)
    assert hs[0].is_visible and hs[1].is_visible


def test_invisible_neuron_and_neuron_graph():
    net = specimens.relu_x1_2d()  # relu(x) + 0 relu(y)
    hs = rg.neuron_bent_hyperplanes(net)
    assert [h.is_visible for h in hs] == [True, False]
    assert len(hs[1].facets) == 2 and hs[1].bent_facets == ()
    g = rg.neuron_graph(net, visible_only=True)
    assert list(g.nodes) == [0] and g.number_of_edges() == 0
    with pytest.raises(rg.InvalidInputError, match="visible_only"):
        rg.neuron_graph(net, visible_only="yes")


def test_neuron_graph_of_the_bent_example():
    # v = relu(x) + relu(y) - 1 bends on x = 0 and on y = 0; the first-layer lines do not bend.
    g = rg.neuron_graph(rg.zoo.bent_2d())
    assert sorted(g.edges()) == [(0, 2), (1, 2)]
    assert [g.nodes[v]["layer"] for v in sorted(g)] == [1, 1, 2]


# ----------------------------------------------------------------------- function side


def test_bent_example_symmetric_stars_are_ambiguous_and_the_theorem_bound_is_two():
    # f = relu(relu(x) + relu(y) - 1): at (0, 1) the star is the ray x = 0 (y > 1), the ray
    # y = 1 (x < 0) and the segment x + y = 1; the hyperplane of each of the three separates
    # the other two, so no proved local rule says which one is straight: nothing is joined.
    # The ray x = 0 stops at (0, 1), so f is not computable with one hidden layer.
    cx = rg.compile_network(rg.zoo.bent_2d())
    g = rg.bent_hyperplane_graph(cx)
    assert set(g.graph["ambiguous_ridges"]) == {cx.locate([0, 1]).index, cx.locate([1, 0]).index}
    assert g.number_of_nodes() == 5 and g.number_of_edges() == 0
    bound = rg.depth_lower_bound(cx)
    assert (bound.bound, bound.exact, bound.generic_bound, bound.unconditional) == (2, True, 2, True)
    w = bound.witness
    assert w.kind == "stops" and w.point in ((0, 1), (1, 0)) and len(w.facets) == 1


def test_reflex_star_decides_without_a_constant_region():
    # f = relu(min(x, y)) + x with min(x, y) = x - relu(x - y).  Breakpoints: the rays
    # (1, 1), (0, 1) and (1, 0); the region between the last two has angle 3 pi / 2, so the
    # ray on x = y is straight and the two others form one bending candidate.  No region
    # of f is constant (the gradient is never 0), so only the reflex rule can decide.
    net = rg.ReLUNetwork(
        [[[1, -1], [1, 0], [-1, 0]], [[-1, 1, -1], [0, 1, 0], [0, 0, 1]], [[1, 1, -1]]],
        [[0, 0, 0], [0, 0, 0], [0]],
    )
    cx = rg.compile_network(net)
    assert all(any(r.affine_map[0][0]) for r in cx.regions)
    dec = rg.candidate_bent_hyperplanes(cx)
    assert dec.ambiguous_ridges == ()
    assert sorted(c.hyperplanes for c in dec.candidates) == [((0, 1, 0), (1, 0, 0)), ((1, -1, 0),)]
    (edge,) = dec.edges
    assert dec.candidates[edge[0]].hyperplanes == ((1, -1, 0),)
    assert dec.edges[edge] == (cx.locate([0, 0]).index,)


def _tropical_line_network(shift):
    """max(0, x, y) + shift * (x + y) as relu(relu(x - y) + relu(y) - relu(-y)) plus the affine part."""
    return rg.ReLUNetwork(
        [
            [[1, -1], [0, 1], [0, -1], [1, 0], [-1, 0]],
            [[1, 1, -1, 0, 0], [0, 1, -1, 1, -1], [0, -1, 1, -1, 1]],
            [[1, shift, -shift]],
        ],
        [[0] * 5, [0, 0, 0], [0]],
    )


def test_each_ray_of_max_0_x_y_is_straight_in_some_realization():
    # max(0, x, y) = relu(y) + relu(x - relu(y)) = relu(x) + relu(y - relu(x)) = relu(relu(x - y) + y):
    # the straight ray is y = 0, x = 0 or x = y.  So no local rule at the origin can be a
    # theorem, with or without the constant region: the ridge is ambiguous, nothing joined.
    straight_y = rg.ReLUNetwork(
        [[[0, 1], [1, 0], [-1, 0]], [[1, 0, 0], [-1, 1, -1]], [[1, 1]]], [[0] * 3, [0, 0], [0]]
    )
    straight_x = rg.ReLUNetwork(
        [[[1, 0], [0, 1], [0, -1]], [[1, 0, 0], [-1, 1, -1]], [[1, 1]]], [[0] * 3, [0, 0], [0]]
    )
    for shift in (0, F(1, 3)):
        nets = [_tropical_line_network(shift)] + ([straight_x, straight_y] if shift == 0 else [])
        for net in nets:
            for x in itertools.product(range(-3, 4), repeat=2):
                assert net(x)[0] == max(0, *x) + shift * sum(x)
            cx = rg.compile_network(net)
            dec = rg.candidate_bent_hyperplanes(cx)
            assert dec.ambiguous_ridges == (cx.locate([0, 0]).index,)
            assert len(dec.candidates) == 3 and dec.edges == {}
            bound = rg.depth_lower_bound(cx)
            assert bound.bound == 2 and bound.witness.point == (0, 0)


def generic_one_layer(d, n, m, seed):
    """Integer hyperplanes in general position (checked by minors), random output weights with zeros."""
    rng = random.Random(seed)

    def det(rows):
        rows = [list(map(F, r)) for r in rows]
        out = F(1)
        for c in range(len(rows)):
            p = next((i for i in range(c, len(rows)) if rows[i][c]), None)
            if p is None:
                return 0
            rows[c], rows[p] = rows[p], rows[c]
            out *= rows[c][c]
            for i in range(c + 1, len(rows)):
                f = rows[i][c] / rows[c][c]
                rows[i] = [a - f * b for a, b in zip(rows[i], rows[c])]
        return out

    while True:
        W = [[rng.randint(-9, 9) for _ in range(d)] for _ in range(n)]
        b = [rng.randint(-9, 9) for _ in range(n)]
        aug = [w + [c] for w, c in zip(W, b)]
        if all(det([W[i] for i in s]) for s in itertools.combinations(range(n), min(d, n))) and all(
            det([aug[i] for i in s]) for s in itertools.combinations(range(n), d + 1)
        ):
            break
    out = [[rng.choice([0, 0, rng.randint(-5, 5)]) for _ in range(n)] for _ in range(m)]
    return rg.ReLUNetwork([W, out], [b, [0] * m])


@pytest.mark.parametrize(("d", "n", "m", "seed"), [(1, 4, 1, 0), (2, 5, 1, 1), (2, 6, 2, 2), (3, 5, 1, 3)])
def test_one_hidden_layer_candidates_are_the_hyperplanes_with_nonzero_output_weight(d, n, m, seed):
    net = generic_one_layer(d, n, m, seed)
    W, b = net.weights[0], net.biases[0]
    out = net.weights[1]
    expected = {hyperplane_row(W[i], b[i]) for i in range(n) if any(row[i] for row in out)}
    g = rg.bent_hyperplane_graph(net)
    assert {g.nodes[c]["hyperplanes"] for c in g} == {(h,) for h in expected}
    assert g.number_of_edges() == 0 and g.graph["ambiguous_ridges"] == ()
    bound = rg.depth_lower_bound(net)
    assert bound.bound == bound.generic_bound == (1 if expected else 0) and bound.exact
    assert bound.witness is None


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 5])
def test_two_hidden_layers_every_edge_goes_from_layer_one_to_layer_two(seed):
    net = rg.ReLUNetwork.random_normal([2, 3, 3, 1], seed=seed)
    cx = rg.compile_network(net)
    dec = rg.candidate_bent_hyperplanes(cx)
    layer = [lay for lay, _ in net.neurons]
    for u, v in dec.edges:
        assert layer[neuron_of_candidate(cx, dec.candidates[u])] == 1
        assert layer[neuron_of_candidate(cx, dec.candidates[v])] == 2
    assert rg.depth_lower_bound(cx).bound == 2


@pytest.mark.parametrize(
    ("arch", "seed"),
    [([2, 3, 3, 1], 1), ([2, 3, 3, 1], 3), ([3, 4, 3, 1], 0), ([3, 4, 3, 1], 5), ([3, 4, 4, 1], 1)],
)
def test_generic_visible_networks_graph_is_isomorphic_to_the_neuron_graph(arch, seed):
    net = rg.ReLUNetwork.random_normal(arch, seed=seed)
    cx = rg.compile_network(net)
    bc = rg.breakpoint_complex(cx)
    hyps = rg.neuron_bent_hyperplanes(bc)
    # the hypotheses: generic (one neuron on every bent facet), every neuron visible, and the
    # bent facets of each neuron connected (the function cannot join two separate pieces)
    assert all(len(zero_neurons(cx, [i])) == 1 for i in bc.bent_facets)
    assert all(h.is_visible and bent_facets_connected(cx, set(h.bent_facets)) for h in hyps)
    g = rg.bent_hyperplane_graph(bc)
    ng = rg.neuron_graph(bc, visible_only=True)
    # sound: every candidate lies on one neuron and every edge is an edge of the neuron graph
    neuron = {c: neuron_of_candidate(cx, rg.candidate_bent_hyperplanes(bc).candidates[c]) for c in g}
    assert {(neuron[u], neuron[v]) for u, v in g.edges()} <= set(ng.edges())
    if not g.graph["ambiguous_ridges"]:  # complete: then the two graphs are isomorphic
        assert nx.is_isomorphic(g, ng)
        assert sorted(neuron.values()) == sorted(ng.nodes)  # a bijection
        first = {hyperplane_row(w, c) for w, c in zip(net.weights[0], net.biases[0])}
        assert {g.nodes[c]["hyperplanes"][0] for c in g if g.nodes[c]["level"] == 1} == first


def test_depth_bound_witness_is_a_path():
    net = rg.ReLUNetwork.random_normal([2, 3, 3, 3, 1], seed=1)
    g = rg.bent_hyperplane_graph(net)
    bound = rg.depth_lower_bound(net)
    # d = 2: every CPWL function of R^2 has two hidden layers, so the theorem stops at 2; the
    # path of three candidates is a bound for generic realizations only
    assert bound.bound == 2 and bound.exact and bound.generic_bound == len(bound.path) == 3
    assert not bound.unconditional
    assert all(g.has_edge(u, v) for u, v in itertools.pairwise(bound.path))
    assert rg.depth_lower_bound(rg.compile_network(net)) == bound == rg.depth_lower_bound(g)
    with pytest.raises(rg.InvalidInputError, match="bent_hyperplane_graph"):
        rg.depth_lower_bound(nx.DiGraph())


def candidate_signature(net_or_complex, domain=None):
    """Candidates as sets of facet signatures, and the edges between them: depends only on f."""
    bc = rg.breakpoint_complex(net_or_complex, domain=domain)
    dec = rg.candidate_bent_hyperplanes(bc)
    sig = [frozenset(bc.facets[i].signature for i in c.facets) for c in dec.candidates]
    return set(sig), {(sig[u], sig[v]) for u, v in dec.edges}, len(dec.ambiguous_ridges)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_candidates_depend_only_on_the_function(seed):
    from tests.test_breakpoints import equivalent_variants

    net = rg.zoo.demo() if seed == 0 else rg.ReLUNetwork.random([2, 3, 3, 1], seed=seed)
    ref = candidate_signature(net, (-2, 2))
    for name, other in equivalent_variants(net, seed):
        assert candidate_signature(other, (-2, 2)) == ref, name


@settings(max_examples=15)
@given(networks(max_dim=2, max_width=3, max_depth=2), st.integers(0, 10**6))
def test_candidates_of_random_degenerate_networks_depend_only_on_the_function(net, seed):
    from tests.test_breakpoints import equivalent_variants

    ref = candidate_signature(net)
    for name, other in equivalent_variants(net, seed):
        assert candidate_signature(other) == ref, name


# ------------------------------------------------------------------ depth bounds (theorems)


def assert_one_hidden_layer_reconstruction(net, domain=None, points=range(-3, 4)):
    """The 'if' direction, recomputed: f - sum c_H / |e|^2 relu(e . x - beta) is affine."""
    bc = rg.breakpoint_complex(net, domain=domain)
    hinges = {f.hyperplane: (f.normal, f.weight) for f in bc.facets}
    assert len(hinges) == len({f.hyperplane for f in bc.facets})

    def g(x):
        out = list(net(x))
        for row, (e, c) in hinges.items():
            k = next(F(a, u) for a, u in zip(row, e) if u)  # a = k e with k > 0 (both primitive-ish)
            assert k > 0 and all(a == k * u for a, u in zip(row, e))
            h = max(0, sum(a * v for a, v in zip(row[:-1], x)) - row[-1]) / k  # relu(e . x - b / k)
            out = [o - w * h / sum(v * v for v in e) for o, w in zip(out, c)]
        return out

    d = net.input_dim
    grid = list(itertools.product(points, repeat=d))
    g0 = g((0,) * d)
    slopes = [[a - b for a, b in zip(g(tuple(int(i == j) for i in range(d))), g0)] for j in range(d)]
    for x in grid:
        assert g(x) == [b + sum(s[k] * x[j] for j, s in enumerate(slopes)) for k, b in enumerate(g0)]


def max_network(n, with_zero):
    """max(x_1, ..., x_n) (and 0) by a tree of max(a, b) = b + relu(a - b), exact."""
    terms = [[int(i == j) for i in range(n)] for j in range(n)] + ([[0] * n] if with_zero else [])
    # one layer: max(u, v) = relu(u - v) + relu(v) - relu(-v); u, v linear forms
    u, v, w = terms[0], terms[1], terms[2] if len(terms) > 2 else None
    assert len(terms) == 3 and w is not None
    first = [[a - b for a, b in zip(u, v)], v, [-c for c in v], w, [-c for c in w]]
    # m = max(u, v) = relu(u - v) + relu(v) - relu(-v); max(m, w) = relu(m - w) + relu(w) - relu(-w)
    second = [[1, 1, -1, -1, 1], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1]]
    return rg.ReLUNetwork([first, second, [[1, 1, -1]]], [[0] * 5, [0, 0, 0], [0]])


@pytest.mark.parametrize(
    ("n", "with_zero", "fn"),
    [(3, False, lambda x: max(x)), (2, True, lambda x: max(0, *x))],
)
def test_max_functions_need_two_hidden_layers(n, with_zero, fn):
    net = max_network(n, with_zero)
    for x in itertools.product(range(-2, 3), repeat=n):
        assert net(x)[0] == fn(x)
    bound = rg.depth_lower_bound(net)
    assert bound.bound == 2 and bound.exact  # d <= 3
    w = bound.witness
    # max has no hyperplane crossing the whole space: every breakpoint facet x_i = x_j (or x_i = 0)
    # stops where a third argument takes over, at the witness ridge
    assert w.kind == "stops" and len(w.facets) == 1
    bc = rg.breakpoint_complex(net)
    assert bc.facets[w.facets[0]].hyperplane == w.hyperplane
    assert bc.facets[w.facets[0]].polyhedron.contains(w.point)
    assert rg.one_hidden_layer_witness(net) == w


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("d", [1, 2, 3])
def test_sums_of_relus_stay_at_one_hidden_layer(seed, d):
    net = rg.ReLUNetwork.random([d, 4, 2], seed=seed)
    bound = rg.depth_lower_bound(net)
    assert bound.bound <= 1 and bound.exact and bound.witness is None
    assert_one_hidden_layer_reconstruction(net)
    box = rg.depth_lower_bound(net, domain=(-1, 1))
    assert box.bound <= 1 and box.witness is None


def test_two_hidden_layers_computing_a_one_hidden_layer_function():
    # relu(relu(x) + relu(y)) = relu(x) + relu(y); relu(x + relu(y) + 5) = x + relu(y) + 5 over
    # [-2, 2]^2 only (on R^2 it bends at x + relu(y) = -5)
    a = rg.ReLUNetwork([[[1, 0], [0, 1]], [[1, 1]], [[1]]], [[0, 0], [0], [0]])
    b = rg.ReLUNetwork([[[1, 0], [0, 1], [-1, 0]], [[1, 1, -1]], [[1]]], [[0, 0, 0], [5], [0]])
    assert rg.depth_lower_bound(a).bound == 1 and rg.depth_lower_bound(a).exact
    assert_one_hidden_layer_reconstruction(a)
    assert rg.depth_lower_bound(b, domain=(-2, 2)).bound == 1
    assert rg.depth_lower_bound(b).bound == 2


def test_a_weight_that_changes_along_a_hyperplane_is_a_witness():
    # relu(x) + relu(y + relu(x)) - relu(y): B(f) is the line x = 0 (weight 1 for y < 0, 2 for
    # y > 0) and the ray y = -x (x > 0): the weight of x = 0 changes at the origin, and the
    # ray y = -x stops there.
    net = rg.ReLUNetwork(
        [[[1, 0], [0, 1], [0, -1]], [[1, 0, 0], [1, 1, -1], [0, 1, 0]], [[1, 1, -1]]],
        [[0, 0, 0], [0, 0, 0], [0]],
    )
    for x in itertools.product(range(-3, 4), repeat=2):
        assert net(x)[0] == max(x[0], 0) + max(x[1] + max(x[0], 0), 0) - max(x[1], 0)
    bc = rg.breakpoint_complex(net)
    on_axis = sorted(f.weight for f in bc.facets if f.hyperplane == (1, 0, 0))
    assert on_axis == [(F(1),), (F(2),)]
    w = rg.one_hidden_layer_witness(net)
    assert w.point == (0, 0) and w.kind in ("stops", "weight_changes")


def test_the_three_line_star_gives_no_edge_inside_a_layer():
    # three lines meet at (1/2, 1/2): the first-layer line x = y, a straight second-layer
    # line and a bending second-layer hinge.  Two hidden layers; the old rule claimed three.
    net = rg.ReLUNetwork(
        [[[1, 0], [0, 1], [1, -1]], [[1, 1, 0], [0, 1, 2], [0, 0, 1], [1, 1, 0]], [[1, 1, 1, 1]]],
        [[0, 0, 0], [-1, F(-1, 2), 0, 0], [0]],
    )
    cx = rg.compile_network(net)
    bound = rg.depth_lower_bound(cx)
    assert bound.bound == 2 and bound.generic_bound <= 2
    assert cx.locate([F(1, 2), F(1, 2)]).index in bound.ambiguous_ridges


@settings(max_examples=40, deadline=None)
@given(networks(max_dim=3, max_width=3, max_depth=3))
def test_depth_bound_never_exceeds_the_depth_of_degenerate_networks(net):
    bound = rg.depth_lower_bound(net)
    assert bound.bound <= net.depth
    assert bound.bound <= bound.generic_bound
    if bound.witness is None and net.input_dim <= 2:
        assert_one_hidden_layer_reconstruction(net, points=range(-2, 3))


@pytest.mark.parametrize("arch", [[2, 3, 3, 1], [2, 3, 2, 2, 1], [3, 3, 3, 1], [3, 2, 2, 2, 1], [2, 4, 1]])
def test_depth_bound_never_exceeds_the_depth_of_random_networks(arch):
    for seed in range(12):
        net = rg.ReLUNetwork.random(arch, seed=seed)
        bound = rg.depth_lower_bound(net)
        assert bound.bound <= net.depth, seed
        assert bound.bound <= 2 and (bound.exact or net.input_dim > 3)
