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
    net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[1, 0]]], [[0, 0], [0]])  # relu(x) + 0 relu(y)
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


def test_bent_example_candidates_by_hand():
    # f = relu(relu(x) + relu(y) - 1): at (0, 1) the star is the ray x = 0 (y > 1), the ray
    # y = 1 (x < 0) and the segment x + y = 1; f = 0 on the region between the last two, so
    # the ray x = 0 is the straight one (paper 001, appendix B) and the other two form the
    # second-layer candidate, which bends along x = 0 and (symmetrically) along y = 0.
    g = rg.bent_hyperplane_graph(rg.zoo.bent_2d())
    assert g.graph["ambiguous_ridges"] == ()
    flat = {g.nodes[n]["hyperplanes"] for n in g if g.nodes[n]["is_flat"]}
    assert flat == {((1, 0, 0),), ((0, 1, 0),)}
    (bent,) = [n for n in g if not g.nodes[n]["is_flat"]]
    assert g.nodes[bent]["hyperplanes"] == ((0, 1, 1), (1, 0, 1), (1, 1, 1))
    assert set(g.edges()) == {(u, bent) for u in g if u != bent}
    assert g.nodes[bent]["level"] == 2
    bound = rg.depth_lower_bound(g)
    assert bound.bound == 2 and bound.path[-1] == bent and g.has_edge(*bound.path)


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


def test_constant_region_decides_the_tropical_line():
    # max(0, x, y): the three rays (-1, 0), (0, -1), (1, 1) make angles < pi, so the star is
    # locally symmetric; f = 0 on the negative quadrant, so the ray on x = y is straight.
    dec = rg.candidate_bent_hyperplanes(_tropical_line_network(0))
    assert sorted(c.hyperplanes for c in dec.candidates) == [((0, 1, 0), (1, 0, 0)), ((1, -1, 0),)]
    assert len(dec.edges) == 1 and dec.ambiguous_ridges == ()


def test_symmetric_star_without_evidence_is_reported_ambiguous():
    # max(0, x, y) + (x + y) / 3 has the same star but no constant region and no other
    # breakpoint: each of the three rays could be the straight one.  Nothing is joined.
    net = _tropical_line_network(F(1, 3))
    cx = rg.compile_network(net)
    dec = rg.candidate_bent_hyperplanes(cx)
    assert dec.ambiguous_ridges == (cx.locate([0, 0]).index,)
    assert len(dec.candidates) == 3 and dec.edges == {}
    assert rg.depth_lower_bound(cx) == rg.DepthBound(1, (0,))


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
    assert rg.depth_lower_bound(g).bound == (1 if expected else 0)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 5])
def test_two_hidden_layers_every_edge_goes_from_layer_one_to_layer_two(seed):
    net = rg.ReLUNetwork.random_normal([2, 3, 3, 1], seed=seed)
    cx = rg.compile_network(net)
    dec = rg.candidate_bent_hyperplanes(cx)
    layer = [lay for lay, _ in net.neurons]
    assert dec.edges
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
    assert nx.is_isomorphic(g, ng)
    neuron = {c: neuron_of_candidate(cx, bc.candidates.candidates[c]) for c in g}
    assert sorted(neuron.values()) == sorted(ng.nodes)  # a bijection
    assert {(neuron[u], neuron[v]) for u, v in g.edges()} == set(ng.edges())
    # level-1 candidates are exactly the visible first-layer hyperplanes
    first = {hyperplane_row(w, c) for w, c in zip(net.weights[0], net.biases[0])}
    assert {g.nodes[c]["hyperplanes"][0] for c in g if g.nodes[c]["level"] == 1} == first
    assert all(g.nodes[c]["is_flat"] for c in g if g.nodes[c]["level"] == 1)


def test_depth_bound_witness_is_a_path():
    net = rg.ReLUNetwork.random_normal([2, 3, 3, 3, 1], seed=5)
    g = rg.bent_hyperplane_graph(net)
    bound = rg.depth_lower_bound(g)
    assert bound.bound == len(bound.path) == 3
    assert all(g.has_edge(u, v) for u, v in itertools.pairwise(bound.path))
    assert rg.depth_lower_bound(rg.compile_network(net)) == bound


def candidate_signature(net_or_complex, domain=None):
    """Candidates as sets of facet signatures, and the edges between them: depends only on f."""
    bc = rg.breakpoint_complex(net_or_complex, domain=domain)
    dec = bc.candidates
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
