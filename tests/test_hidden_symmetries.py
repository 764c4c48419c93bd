"""Hidden symmetries: each is in the fiber and not a permutation and rescaling."""

from __future__ import annotations

import relu_geom as rg
from relu_geom.fibers import hidden_symmetries, standard_form


def _check(net, kinds):
    out = hidden_symmetries(net)
    assert sorted({h.kind for h in out}) == sorted(kinds)
    for h in out:
        assert h.network.architecture == net.architecture
        assert rg.functionally_equivalent(net, h.network).equivalent
        assert h.check.equivalent
        assert standard_form(h.network) != standard_form(net)
        assert h.network != net
    return out


def test_flip_with_zero_weighted_sum():
    W1 = [[1, 0], [0, 1], [1, 1], [2, -1]]
    net = rg.ReLUNetwork([W1, [[2, 2, -2, 5]]], [[1, -1, 2, 3], [0]])
    (h,) = _check(net, ["flip"])
    assert [list(r) for r in h.network.weights[0][:3]] == [[-1, 0], [0, -1], [-1, -1]]


def test_cancelling_pair_moves():
    net = rg.ReLUNetwork([[[1, 1], [1, -2], [-1, 2]], [[2, 1, -1]]], [[0, 3, -3], [-2]])
    _check(net, ["pair-shift"])


def test_duplicate_split_and_dead_neuron():
    _check(rg.zoo.duplicate_neurons(), ["split"])
    _check(rg.zoo.dead_neuron(), ["free-row"])


def test_bias_shift_in_two_hidden_layers():
    net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[2, -1]], [[1]]], [[0, 0], [-1], [0]])
    _check(net, ["bias-shift"])


def test_generic_networks_have_none():
    for seed in range(3):
        assert hidden_symmetries(rg.ReLUNetwork.random_normal([2, 3, 1], seed=seed)) == ()
        assert hidden_symmetries(rg.ReLUNetwork.random_normal([2, 3, 2, 1], seed=seed)) == ()


def test_standard_form_identifies_permutation_and_rescaling():
    net = rg.ReLUNetwork.random_normal([3, 4, 3, 2], seed=5)
    other = net.permute_layer(1, [3, 1, 0, 2]).permute_layer(2, [2, 0, 1]).rescale_neuron(2, 1, "9/7")
    assert standard_form(net) == standard_form(other)
