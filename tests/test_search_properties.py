"""Properties: exact decisions against hand-checked values and independent recomputation."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.search.properties import count_regions, piece_points
from tests.conftest import networks


@given(networks(max_dim=1, max_width=3, max_depth=3))
def test_1d_region_sweep_agrees_with_the_compiler(net):
    assert count_regions(net) == rg.compile_network(net).n_regions


@given(networks(max_dim=2, max_width=3, max_depth=2))
def test_region_bound_screen_never_rejects_a_true_count(net):
    n = rg.compile_network(net).n_regions
    assert rg.regions_at_least(n).screen(net)
    assert rg.regions_at_least(n).check(net).holds
    assert not rg.regions_at_least(n + 1).check(net).holds


def test_regions_of_an_arrangement_match_buck():
    # n lines in general position in the plane: 1 + n + C(n, 2) regions
    net = rg.ReLUNetwork([[[1, 0], [0, 1], [1, 1], [1, -2]], [[1, 1, 1, 1]]], [[0, 0, -3, 1], [0]])
    assert count_regions(net) == 1 + 4 + 6


def test_pieces_of_the_hat():
    # 0, x, 2 - x, 0: three distinct affine maps, four regions
    assert len(piece_points(rg.zoo.hat_1d())) == 3
    assert rg.pieces_at_least(3).check(rg.zoo.hat_1d()).holds
    assert not rg.pieces_at_least(4).check(rg.zoo.hat_1d()).holds


def test_fdim_deficit_of_a_dead_neuron_and_none_for_clipped_relu():
    assert rg.fdim_deficit().check(rg.zoo.dead_neuron()).holds
    assert not rg.fdim_deficit().check(rg.zoo.clipped_relu()).holds


def test_hidden_symmetry_planted_flip_in_a_random_network():
    # relu(x + 1) - 1/2 relu(2x + 2) = 0 can be flipped to relu(-x - 1) - 1/2 relu(-2x - 2)
    base = rg.ReLUNetwork.random([1, 3, 1], seed=7)
    w = [[1], [2], *[list(r) for r in base.weights[0]]]
    b = [1, 2, *base.biases[0]]
    out = [[1, Fraction(-1, 2), *base.weights[1][0]]]
    planted = rg.ReLUNetwork([w, out], [b, list(base.biases[1])])
    v = rg.hidden_symmetry().check(planted)
    assert v.holds
    partner = v.evidence["partner"]
    assert rg.functionally_equivalent(planted, partner).equivalent
    assert rg.same_up_to_symmetry(planted, partner) is None


def test_no_hidden_symmetry_for_a_generic_network():
    net = rg.ReLUNetwork([[[1, 0], [0, 1], [1, 1]], [[1, 2, 3]]], [[0, 1, 2], [0]])
    assert not rg.hidden_symmetry().check(net).holds


def test_fewer_neurons_and_equals_target():
    assert rg.fewer_neurons().check(rg.zoo.duplicate_neurons()).holds
    assert not rg.fewer_neurons().check(rg.zoo.abs_1d()).holds
    assert rg.equals_target(rg.zoo.clipped_relu()).check(rg.zoo.clipped_relu_flip()).holds
    assert not rg.equals_target(rg.zoo.abs_1d()).check(rg.zoo.clipped_relu()).holds


def test_user_property_and_bad_returns():
    prop = rg.user_property("f(0)=0", lambda net: net([0]) == (0,))
    assert prop.check(rg.zoo.abs_1d()).holds
    bad = rg.user_property("bad", lambda net: 1)
    with pytest.raises(rg.InvalidInputError, match="bad"):
        bad.check(rg.zoo.abs_1d())


@pytest.mark.parametrize("spec", ["nonsense", "regions", "regions:0", "regions:x", "equals:abs_1d"])
def test_bad_property_names(spec):
    with pytest.raises(rg.InvalidInputError, match="PROPERTY|regions"):
        rg.get_property(spec)


@given(st.integers(1, 9))
def test_registry_names_round_trip(k):
    assert rg.get_property(f"regions:{k}").name == f"regions:{k}"
    assert rg.get_property(f"pieces:{k}").name == f"pieces:{k}"


@given(networks(max_dim=2, max_width=3, max_depth=3), st.integers(1, 40))
def test_pre_screens_agree_with_the_screens(net, k):
    # the pre-screen reads the parameters without building a network; it must give the same answer
    layers = tuple((tuple(tuple(r) for r in w), tuple(b)) for w, b in zip(net.weights, net.biases))
    target = rg.ReLUNetwork.random([net.input_dim, 2, net.output_dim], seed=k)
    for prop in (rg.regions_at_least(k), rg.pieces_at_least(k), rg.fewer_neurons(), rg.invisible_hyperplane(),
                 rg.equals_target(target), rg.equals_target(net), rg.equals_target(net, domain=(-1, 1))):
        assert prop.pre_screen(layers) == prop.screen(net), prop.name
    assert rg.equals_target(net).pre_screen(layers)
