"""Normal form under rescaling and permutation of hidden neurons; same_up_to_symmetry."""

from __future__ import annotations

import random
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import relu_geom as rg

archs = st.sampled_from([[2, 3, 1], [2, 3, 2, 1], [1, 2, 2, 2], [3, 2, 3, 2]])


def random_symmetry(net: rg.ReLUNetwork, rng: random.Random) -> rg.ReLUNetwork:
    """Random positive rescalings and within-layer permutations, applied one by one."""
    out = net
    for layer, n in enumerate(net.hidden_widths, start=1):
        for i in range(n):
            out = out.rescale_neuron(layer, i, F(rng.randint(1, 9), rng.randint(1, 9)))
        perm = list(range(n))
        rng.shuffle(perm)
        out = out.permute_layer(layer, perm)
    return out


@settings(max_examples=40, deadline=None)
@given(archs, st.integers(0, 10**6), st.integers(0, 10**6))
def test_orbit_has_one_normal_form(arch: list[int], seed: int, seed2: int) -> None:
    net = rg.ReLUNetwork.random(arch, seed=seed)
    moved = random_symmetry(net, random.Random(seed2))
    nf = rg.normal_form(net)
    assert rg.normal_form(moved) == nf
    assert rg.normal_form(nf) == nf  # idempotent
    s = rg.same_up_to_symmetry(net, moved)
    assert s is not None and s.apply(net) == moved
    assert s.inverse().apply(moved) == net


@settings(max_examples=20, deadline=None)
@given(archs, st.integers(0, 10**6))
def test_normal_form_computes_the_same_function(arch: list[int], seed: int) -> None:
    net = rg.ReLUNetwork.random(arch, seed=seed)
    nf = rg.normal_form_with_symmetry(net)
    assert nf.symmetry.apply(net) == nf.network
    rng = random.Random(seed)
    for _ in range(5):
        x = [F(rng.randint(-20, 20), rng.randint(1, 5)) for _ in range(arch[0])]
        assert nf.network(x) == net(x)


def test_normal_form_by_hand() -> None:
    # neuron 0: (2, 0 | 4) has largest |entry| 4 -> (1/2, 0 | 1), outgoing 1 * 4 = 4
    # neuron 1: (0, -3 | 0) has largest |entry| 3 -> (0, -1 | 0), outgoing 5 * 3 = 15
    # sorted by (row, bias): (0, -1 | 0) < (1/2, 0 | 1), so neuron 1 comes first
    net = rg.ReLUNetwork([[[2, 0], [0, -3]], [[1, 5]]], [[4, 0], [1]])
    nf = rg.normal_form(net)
    assert nf == rg.ReLUNetwork([[[0, -1], ["1/2", 0]], [[15, 4]]], [[0, 1], [1]])


def test_different_functions_are_not_symmetric() -> None:
    net = rg.ReLUNetwork.random([2, 3, 1], seed=7)
    w = [list(map(list, W)) for W in net.weights]
    w[1][0][0] += 1
    other = rg.ReLUNetwork(w, net.biases)
    assert rg.same_up_to_symmetry(net, other) is None
    assert rg.same_up_to_symmetry(net, rg.ReLUNetwork.random([2, 4, 1], seed=7)) is None


def test_twin_neurons_with_different_outgoing_weights() -> None:
    # neurons 0 and 1 of layer 1 have the same incoming row: their order is decided by what follows
    net = rg.ReLUNetwork(
        [[[1, 2], [1, 2], [0, 1]], [[1, 3, 1], [2, -1, 1]], [[1, 1]]],
        [[0, 0, 1], [0, 1], [0]],
    )
    rng = random.Random(3)
    forms = {rg.normal_form(random_symmetry(net, rng)) for _ in range(8)}
    assert len(forms) == 1


def test_degenerate_neurons_are_reported_and_handled() -> None:
    # layer-1 neuron 1 has zero incoming weights and bias, neuron 2 has zero outgoing weights
    net = rg.ReLUNetwork([[[1, 1], [0, 0], [2, -1]], [[1, 3, 0]]], [[1, 0, 1], [0]])
    assert rg.degenerate_neurons(net) == {"zero_incoming": ((1, 1),), "zero_outgoing": ((1, 2),)}
    nf = rg.normal_form_with_symmetry(net)
    # the zero-incoming neuron is normalized by its outgoing weight (3 -> 1)
    assert len(nf.zero_incoming) == 1 and len(nf.zero_outgoing) == 1 and nf.floating == ()
    layer, i = nf.zero_incoming[0]
    assert nf.network.weights[1][0][i] == 1
    rng = random.Random(0)
    for _ in range(5):
        assert rg.normal_form(random_symmetry(net, rng)) == nf.network


def test_symmetry_validation() -> None:
    net = rg.ReLUNetwork.random([2, 2, 1], seed=1)
    with pytest.raises(rg.InvalidInputError, match="non-positive"):
        rg.Symmetry(((0, 1),), ((F(1), F(-1)),)).apply(net)
    with pytest.raises(rg.DimensionMismatchError):
        rg.Symmetry((), ()).apply(net)
    assert rg.Symmetry.identity(net).apply(net) == net
