"""ReLUNetwork: exact input conversion, evaluation, symmetry actions, validation errors."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.testing import specimens
from tests.conftest import networks


def test_entries_of_every_kind_are_read_exactly():
    net = rg.ReLUNetwork(
        [[[1, "3/4"], [np.int64(2), np.float64(0.1)]], [[0.5, Fraction(1, 3)]]],
        [["-2", "0.125"], [np.float32(0.25)]],
    )
    w = net.weights
    assert w[0][0] == (1, Fraction(3, 4))
    assert w[0][1][1] == Fraction(3602879701896397, 36028797018963968)  # the binary value of 0.1
    assert net.biases[0] == (-2, Fraction(1, 8))
    assert net.biases[1] == (Fraction(1, 4),)
    assert all(isinstance(v, Fraction) for m in w for r in m for v in r)


def test_evaluation_by_hand():
    # f(x, y) = relu(x - y) + relu(x + y - 1/2)
    net = specimens.two_hinges_2d()
    assert net([1, 0]) == (Fraction(3, 2),)
    assert net([0, 0]) == (0,)
    assert net(["1/4", "1/4"]) == (0,)
    assert net.preactivations([1, 0]) == ((1, Fraction(1, 2)),)
    assert net.sign_vector(["1/4", "1/4"]) == (0, 0)
    assert net.sign_vector([0, 1]) == (-1, 1)


def test_counts():
    net = rg.ReLUNetwork.random([3, 5, 4, 2], seed=0)
    assert net.architecture == (3, 5, 4, 2)
    assert (net.input_dim, net.output_dim, net.depth) == (3, 2, 2)
    assert net.n_hidden == 9
    assert net.n_parameters == 5 * 4 + 4 * 6 + 2 * 5
    assert len(net.parameters()) == net.n_parameters
    assert net.neurons[5] == (2, 0) and net.neuron_index(2, 0) == 5


def test_parameters_round_trip():
    net = rg.ReLUNetwork.random([2, 3, 2, 1], seed=4)
    assert rg.ReLUNetwork.from_parameters(net.architecture, net.parameters()) == net


def test_random_is_reproducible_and_varied():
    a = rg.ReLUNetwork.random([2, 4, 1], seed=7)
    assert a == rg.ReLUNetwork.random([2, 4, 1], seed=7)
    assert a != rg.ReLUNetwork.random([2, 4, 1], seed=8)
    assert all(v.denominator <= 4 for v in a.parameters())
    n = rg.ReLUNetwork.random_normal([2, 4, 1], seed=1)
    assert all(math.log2(v.denominator).is_integer() for v in n.parameters())  # dyadic


def _random_one_draw_at_a_time(arch, seed, max_numerator=9, max_denominator=4):
    """The documented meaning of ``random``: one ``randint`` pair per entry, weights then biases."""
    import random

    rng = random.Random(seed)

    def entry():
        return Fraction(rng.randint(-max_numerator, max_numerator), rng.randint(1, max_denominator))

    ws = [[[entry() for _ in range(arch[i])] for _ in range(arch[i + 1])] for i in range(len(arch) - 1)]
    bs = [[entry() for _ in range(arch[i + 1])] for i in range(len(arch) - 1)]
    return rg.ReLUNetwork(ws, bs)


@pytest.mark.parametrize("arch", [[2, 3, 1], [2, 200, 1], [3, 500, 7, 2], [8, 40, 40, 1]])
@pytest.mark.parametrize(
    "bounds",
    [(9, 4), (0, 1), (1, 1), (2**31 - 1, 3), (5, 2**32 - 1), (5, 2**32), (10**12, 4), (200, 300)],
    ids=["default", "zero", "ones", "31-bit numerators", "32-bit denominators", "33-bit", "huge", "wide"],
)
def test_random_draws_the_entries_of_one_randint_pair_each(arch, bounds):
    # the entries come from blocks of random words sorted out with numpy (pointer doubling through
    # the accepted draws); they must be those of randint called once per numerator and denominator
    for seed in (0, 3, "x"):
        fast = rg.ReLUNetwork.random(arch, seed=seed, max_numerator=bounds[0], max_denominator=bounds[1])
        assert fast == _random_one_draw_at_a_time(arch, seed, *bounds)
        assert all(isinstance(v, Fraction) for v in fast.parameters())


@pytest.mark.timeout(60)
def test_random_at_four_million_parameters_takes_seconds():
    # before: random([2, 10**6, 1]) took 196 s (one randint pair and one checked Fraction per entry)
    net = rg.ReLUNetwork.random([2, 10**6, 1], seed=2)
    assert net.architecture == (2, 10**6, 1) and net.n_parameters == 4 * 10**6 + 1
    head = rg.ReLUNetwork.random([2, 5, 1], seed=2)
    assert net.weights[0][:1] == head.weights[0][:1]  # the same stream: the first entries agree


def test_integer_layers_scale_preactivations_positively():
    net = rg.ReLUNetwork.random([2, 3, 3, 1], seed=9)
    x = (Fraction(1, 3), Fraction(-5, 7))
    zs = net.preactivations(x)
    a = x
    for (w, b), scale, z in zip(net.integer_layers, net.integer_scales, zs):
        zi = [sum((wi * ai for wi, ai in zip(row, a)), Fraction(0)) + bi for row, bi in zip(w, b)]
        assert zi == [scale * v for v in z]
        a = [max(v, 0) for v in zi]


@given(networks(max_dim=3), st.integers(0, 10**6))
def test_rescaling_and_permutation_keep_the_function(net, seed):
    import random

    rng = random.Random(seed)
    other = net
    for layer, width in enumerate(net.hidden_widths, start=1):
        perm = list(range(width))
        rng.shuffle(perm)
        other = other.permute_layer(layer, perm)
        other = other.rescale_neuron(
            layer, rng.randrange(width), Fraction(rng.randint(1, 9), rng.randint(1, 9))
        )
    for _ in range(5):
        x = [Fraction(rng.randint(-9, 9), rng.randint(1, 5)) for _ in range(net.input_dim)]
        assert other(x) == net(x)


def test_symmetry_actions_act_on_the_right_entries():
    net = rg.ReLUNetwork([[[1, 2], [3, 4]], [[5, 6]]], [[7, 8], [9]])
    r = net.rescale_neuron(1, 1, 2)
    assert r.weights[0][1] == (6, 8) and r.biases[0][1] == 16 and r.weights[1][0] == (5, 3)
    p = net.permute_layer(1, [1, 0])
    assert p.weights[0] == ((3, 4), (1, 2)) and p.biases[0] == (8, 7) and p.weights[1][0] == (6, 5)


@pytest.mark.parametrize(
    ("weights", "biases", "error", "match"),
    [
        ([], [], rg.InvalidInputError, "at least one layer"),
        ([[[1, 2], [3]]], [[0, 0]], rg.DimensionMismatchError, "ragged"),
        ([[[1, 2]], [[1, 1]]], [[0], [0]], rg.DimensionMismatchError, r"W_2\): expected shape \(1, 1\)"),
        ([[[1, 2]]], [[0, 0]], rg.DimensionMismatchError, r"b_1\): expected length 1"),
        ([[[1, 2]]], [[0], [0]], rg.DimensionMismatchError, "2 bias vectors"),
        ([[[1, float("nan")]]], [[0]], rg.InvalidInputError, r"weights\[0\]\[0\]\[1\]: expected a finite"),
        ([[[1, float("inf")]]], [[0]], rg.InvalidInputError, "finite"),
        ([[[1, "abc"]]], [[0]], rg.InvalidInputError, "'abc'"),
        ([[[1, True]]], [[0]], rg.InvalidInputError, "boolean"),
        ([[]], [[]], rg.InvalidInputError, "width 0"),
        ([[[]]], [[0]], rg.InvalidInputError, "input width 0"),
        ([[[1, None]]], [[0]], rg.InvalidInputError, "NoneType"),
        ("W", [[0]], rg.InvalidInputError, "weights: expected a list"),
    ],
)
def test_bad_input_names_what_is_wrong(weights, biases, error, match):
    with pytest.raises(error, match=match):
        rg.ReLUNetwork(weights, biases)


def test_bad_points_and_actions():
    net = rg.ReLUNetwork.random([2, 3, 1], seed=0)
    with pytest.raises(rg.DimensionMismatchError, match="2 coordinates, got 3"):
        net([1, 2, 3])
    with pytest.raises(rg.InvalidInputError, match="positive"):
        net.rescale_neuron(1, 0, 0)
    with pytest.raises(rg.InvalidInputError, match="hidden layer in 1..1"):
        net.rescale_neuron(2, 0, 1)
    with pytest.raises(rg.InvalidInputError, match=r"0..2"):
        net.permute_layer(1, [0, 0, 1])
    with pytest.raises(rg.DimensionMismatchError, match="has 13 parameters"):
        rg.ReLUNetwork.from_parameters([2, 3, 1], [0] * 5)
