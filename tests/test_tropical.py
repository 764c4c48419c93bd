"""Tropical facet weights against an independent computation from the public cell API,
hand-worked values, sign for convex functions, and balancing at every ridge."""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction as F
from types import MappingProxyType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.testing import specimens
from tests.conftest import networks


def weight_from_cells(cx, facet):
    """c = (A_P - A_Q) e_P recomputed from polyhedra: e is the facet's equality made primitive,
    oriented towards P's interior point; computed once from each side."""
    f = cx.cells[facet]
    (row,) = f.polyhedron.equalities
    a = row[:-1]
    g = math.gcd(*a)
    e = [v // g for v in a]
    out = []
    for P, Q in (f.cofaces, f.cofaces[::-1]):
        side = sum(ei * (p - q) for ei, p, q in zip(e, P.interior_point, f.interior_point))
        eP = e if side > 0 else [-v for v in e]
        AP, AQ = P.affine_map[0], Q.affine_map[0]
        out.append(tuple(sum((x - y) * ei for x, y, ei in zip(rp, rq, eP)) for rp, rq in zip(AP, AQ)))
    assert out[0] == out[1], "the weight depends on the side"
    return out[0]


@pytest.mark.parametrize("domain", [None, (-2, 2)])
@pytest.mark.parametrize(
    "net", [rg.zoo.demo(), rg.ReLUNetwork.random([2, 3, 2, 2], seed=5), rg.zoo.bent_2d()]
)
def test_weights_match_an_independent_computation(net, domain):
    cx = rg.compile_network(net, domain=domain)
    weights = rg.facet_weights(cx)
    assert set(weights) == {f.index for f in cx.facets if len(f.coface_indices) == 2}
    for i, w in weights.items():
        assert w == weight_from_cells(cx, i)
    bc = rg.breakpoint_complex(cx)
    for f in bc.facets:
        assert all(weights[i] == f.weight for i in f.cells)


def test_hand_worked_weights():
    # |x|: slopes -1 | 1, e = 1 into the right region: c = 2.
    assert list(rg.facet_weights(rg.zoo.abs_1d()).values()) == [(2,)]
    # relu(3x + 2y - 6) in the plane: A jumps by (3, 2), the primitive normal is (3, 2): c = 13.
    assert list(rg.facet_weights(rg.ReLUNetwork([[[3, 2]], [[1]]], [[-6], [0]])).values()) == [(13,)]
    # relu(2x + 4y) / 2 = relu(x + 2y): jump (1, 2), primitive normal (1, 2): c = 5, not 5 * 4.
    assert list(rg.facet_weights(rg.ReLUNetwork([[[2, 4]], [["1/2"]]], [[0], [0]])).values()) == [(5,)]
    # two outputs (relu(x), -3 relu(x)): a vector weight (1, -3).
    assert list(rg.facet_weights(rg.ReLUNetwork([[[1]], [[1], [-3]]], [[0], [0, 0]])).values()) == [(1, -3)]


def test_convex_functions_have_positive_weights_and_concave_negative():
    # a sum of relus with positive output weights is convex
    net = rg.ReLUNetwork([[[1, 2], [-1, 1], [3, -1], [0, 1]], [[1, "1/2", 2, 3]]], [[0, 1, -2, 1], [0]])
    weights = rg.facet_weights(net)
    assert weights and all(w[0] > 0 for w in weights.values())
    neg = rg.ReLUNetwork(
        [list(map(list, net.weights[0])), [[-v for v in net.weights[1][0]]]], [net.biases[0], [0]]
    )
    assert all(w[0] < 0 for w in rg.facet_weights(neg).values())


def test_non_bent_facets_have_zero_weight():
    net = specimens.relu_x1_2d()  # relu(x) + 0 relu(y)
    cx = rg.compile_network(net)
    weights = rg.facet_weights(cx)
    for f in cx.facets:
        assert (weights[f.index] == (0,)) == (f.sign_vector[0] != 0)


def test_balancing_sum_by_hand_at_the_tropical_line():
    # max(0, x, y) = relu(y + relu(x - y)) + ... realized as relu(v), v = relu(x - y) + relu(y) - relu(-y).
    # Around the origin: rays (-1, 0), (0, -1), (1, 1) with weights 1, 1, 2 (the last from
    # A jump (1, -1) along e = (1, -1)); walking around, the terms c e / |e|^2 are
    # (0, +-1), (+-1, 0), +-(1, -1): they cancel.
    net = rg.ReLUNetwork([[[1, -1], [0, 1], [0, -1]], [[1, 1, -1]], [[1]]], [[0, 0, 0], [0], [0]])
    cx = rg.compile_network(net)
    origin = cx.locate([0, 0])
    assert origin.dim == 0
    assert rg.balancing_sum(cx, origin.index) == ((0, 0),)
    bc = rg.breakpoint_complex(cx)
    assert sorted((f.hyperplane, f.weight) for f in bc.facets) == [
        ((0, 1, 0), (1,)),
        ((1, -1, 0), (2,)),
        ((1, 0, 0), (1,)),
    ]


def test_balancing_detects_a_wrong_weight(monkeypatch):
    cx = rg.compile_network(rg.zoo.central_lines(3))
    bc = rg.breakpoint_complex(cx)
    assert rg.check_balancing(bc) == ()
    facet = bc.bent_facets[0]
    good = bc.facet_table
    rec = good[facet]
    bad = dataclasses.replace(rec, weight_numerator=tuple(2 * v for v in rec.weight_numerator))
    with monkeypatch.context() as m:  # tamper with one weight, bypassing the immutability on purpose
        tampered = MappingProxyType({**good, facet: bad})
        m.setattr(type(bc), "facet_table", property(lambda self: tampered))
        (failure,) = rg.check_balancing(bc)
    assert failure.ridge == cx.vertices[0].index
    assert [[F(v) for v in row] for row in failure.to_dict()["total"]] == [list(row) for row in failure.total]
    assert facet in failure.facets and len(failure.regions) == 6
    assert any(v for row in failure.total for v in row)
    assert rg.check_balancing(bc) == ()


def test_balancing_sum_rejects_non_ridges():
    cx = rg.compile_network(rg.zoo.central_lines(2), domain=(-1, 1))
    with pytest.raises(rg.InvalidInputError, match="dimension 0"):
        rg.balancing_sum(cx, cx.regions[0].index)
    boundary = next(v for v in cx.vertices if v.domain_face)
    with pytest.raises(rg.InvalidInputError, match="boundary"):
        rg.balancing_sum(cx, boundary.index)
    with pytest.raises(rg.InvalidInputError, match="cell index"):
        rg.balancing_sum(cx, 10**6)


def test_one_dimensional_networks_have_no_ridges():
    assert rg.check_balancing(rg.zoo.hat_1d()) == ()


@settings(max_examples=40)
@given(networks(max_dim=3, max_width=3, max_depth=2), st.booleans())
def test_balancing_holds_on_random_degenerate_networks(net, box):
    cx = rg.compile_network(net, domain=(-2, 2) if box else None)
    assert rg.check_balancing(cx) == ()


@pytest.mark.parametrize("arch", [[2, 5, 4, 2], [3, 4, 3, 1], [2, 3, 3, 3, 1]])
def test_balancing_holds_on_generic_deep_networks(arch):
    net = rg.ReLUNetwork.random_normal(arch, seed=1)
    assert rg.check_balancing(net) == ()
    assert rg.check_balancing(net, domain=(-1, F(3, 2))) == ()
