"""Shrinking never returns a network on which the property fails, and it does shrink."""

from __future__ import annotations

from hypothesis import given, settings

import relu_geom as rg
from relu_geom.search.properties import count_regions
from tests.conftest import networks


@settings(max_examples=25)
@given(networks(max_dim=1, max_width=3, max_depth=2))
def test_shrunk_network_keeps_the_property(net):
    k = count_regions(net)
    prop = rg.regions_at_least(k)
    small = rg.shrink(prop, net, max_checks=300)
    assert rg.compile_network(small).n_regions >= k  # independent recount
    assert small.n_hidden <= net.n_hidden


def test_shrinks_neurons_then_integers():
    net = rg.ReLUNetwork([[[2], [3], [-2], [5]], [[1, 1, 1, 2]]], [[1, -2, 0, 7], [2]])
    small = rg.shrink(rg.regions_at_least(3), net)
    assert small.n_hidden == 2
    assert rg.compile_network(small).n_regions >= 3
    assert max(abs(v) for v in small.parameters()) <= 1


def test_shrinking_a_hidden_symmetry_keeps_an_exact_partner():
    small = rg.shrink(rg.hidden_symmetry(), rg.zoo.clipped_relu())
    v = rg.hidden_symmetry().decide(small)
    assert v.holds
    assert rg.functionally_equivalent(small, v.evidence["partner"]).equivalent
    assert rg.same_up_to_symmetry(small, v.evidence["partner"]) is None
