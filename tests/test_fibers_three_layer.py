"""Two hidden layers: bottleneck equivalence test against the general test, symmetries, fiber sampling."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given, settings

import relu_geom as rg
from conftest import networks
from relu_geom.fibers import (
    bottleneck_degeneracies,
    bottleneck_equivalent,
    hidden_bias_shifts,
    three_layer_fiber,
)

F = Fraction
two_layer = networks(max_dim=2, max_width=3, max_depth=2)


def _permuted_rescaled(net, seed):
    rng = random.Random(seed)
    out = net
    for layer, width in enumerate(net.hidden_widths, start=1):
        perm = list(range(width))
        rng.shuffle(perm)
        out = out.permute_layer(layer, perm)
        for i in range(width):
            out = out.rescale_neuron(layer, i, F(rng.randint(1, 9), rng.randint(1, 9)))
    return out


def _agree(a, b, domain=None):
    fast = bottleneck_equivalent(a, b, domain)
    slow = rg.functionally_equivalent(a, b, domain)
    assert fast.equivalent == slow.equivalent
    if not fast.equivalent:
        assert a(fast.witness) != b(fast.witness)
    return fast


@pytest.mark.parametrize("seed", range(4))
def test_generic_pairs_agree_with_general_test(seed):
    net = rg.ReLUNetwork.random_normal([4, 8, 3, 1], seed=seed)
    assert bottleneck_degeneracies(net) == ()
    copy = _permuted_rescaled(net, seed)
    assert _agree(net, copy).method == "bottleneck-symmetry"
    theta = list(net.parameters())
    theta[seed * 7] += F(1, 10**6)
    pert = rg.ReLUNetwork.from_parameters(net.architecture, theta)
    res = _agree(net, pert)
    assert res.method in ("bottleneck-witness", "fallback:regions", "fallback:probe")


def test_hidden_bias_shift_is_recognized():
    net = rg.ReLUNetwork(
        [[[1, 0], [0, 1], [1, 1]], [[2, -1, -1], [0, 3, -2]], [[1, -2]]], [[0, 1, -1], [-1, 2], [0]]
    )
    fams = hidden_bias_shifts(net)
    assert [f.neuron for f in fams] == [0]
    assert fams[0].lower == F(-1, 2)
    moved = fams[0].apply(net, 3)
    assert rg.functionally_equivalent(net, moved).equivalent
    res = _agree(net, _permuted_rescaled(moved, 1))
    assert res.equivalent
    with pytest.raises(rg.InvalidInputError, match="t >= -1/2"):
        fams[0].apply(net, -1)
    # below the bound the function changes
    ws = [[list(r) for r in w] for w in net.weights]
    bs = [list(b) for b in net.biases]
    bs[0][0] -= 2
    bs[1][0] += 2 * 2
    assert not rg.functionally_equivalent(net, rg.ReLUNetwork(ws, bs)).equivalent


@settings(max_examples=30)
@given(two_layer, two_layer)
def test_random_degenerate_pairs_agree(a, b):
    if a.depth != 2 or b.depth != 2 or (a.input_dim, a.output_dim) != (b.input_dim, b.output_dim):
        return
    _agree(a, b)
    _agree(a, _permuted_rescaled(a, 3))


def test_degeneracy_detector():
    dup = rg.ReLUNetwork(
        [[[1, 0], [2, 0], [0, 1]], [[1, 1, 1], [1, -1, 2]], [[1, 1]]], [[0, 0, 0], [0, 0], [0]]
    )
    msgs = bottleneck_degeneracies(dup)
    assert any("share a hyperplane" in m for m in msgs)
    res = bottleneck_equivalent(dup, dup)
    assert res.equivalent and res.method.startswith("fallback:")
    zero = rg.ReLUNetwork([[[1, 0], [0, 1]], [[0, 0], [1, 1]], [[1, 1]]], [[0, 0], [0, 0], [0]])
    assert any("zero row 0" in m for m in bottleneck_degeneracies(zero))


def test_three_layer_fiber_samples_are_in_the_fiber():
    net = rg.ReLUNetwork(
        [[[1, 0], [0, 1], [1, 1]], [[2, -1, -1], [0, 3, -2]], [[1, -2]]], [[0, 1, -1], [-1, 2], [0]]
    )
    fib = three_layer_fiber(net)
    assert fib.dimension_mod_scaling == 1 and fib.discrete_group_order == 6 * 2
    for seed in range(4):
        s = fib.sample(seed)
        assert fib.contains(s)
        assert bottleneck_equivalent(net, s).equivalent
    assert any("t >=" in line for line in fib.describe())
    generic = three_layer_fiber(rg.ReLUNetwork.random_normal([3, 4, 2, 1], seed=2))
    assert generic.is_generic
    assert all(generic.contains(generic.sample(s)) for s in range(3))


def test_errors():
    with pytest.raises(rg.InvalidInputError, match="two hidden layers"):
        three_layer_fiber(rg.zoo.abs_1d())
    with pytest.raises(rg.DimensionMismatchError):
        bottleneck_equivalent(
            rg.ReLUNetwork.random([2, 2, 2, 1], seed=0), rg.ReLUNetwork.random([3, 2, 2, 1], seed=0)
        )
