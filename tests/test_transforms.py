"""difference_network, reduce_network and stack_networks against exact evaluation, for every
architecture pair (no hidden layer on either side, different depths, degenerate neurons)."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.network.transforms import difference_network, reduce_network, stack_networks
from relu_geom.testing import specimens
from tests.conftest import small_rationals


@st.composite
def pairs(draw):
    """Two networks with the same input and output dimensions, each with 0 to 3 hidden layers."""
    d, m = draw(st.integers(1, 3)), draw(st.integers(1, 2))
    nets = []
    for _ in range(2):
        arch = [d, *(draw(st.integers(1, 3)) for _ in range(draw(st.integers(0, 3)))), m]
        ws = [[[draw(small_rationals) for _ in range(a)] for _ in range(b)] for a, b in zip(arch, arch[1:])]
        bs = [[draw(small_rationals) for _ in range(b)] for b in arch[1:]]
        nets.append(rg.ReLUNetwork(ws, bs))
    pts = draw(st.lists(st.lists(small_rationals, min_size=d, max_size=d), min_size=1, max_size=5))
    return nets[0], nets[1], pts


def _relu_eval(weights, biases, x):
    """Independent evaluation: ReLU after every layer but the last."""
    h = [Fraction(v) for v in x]
    for k, (w, b) in enumerate(zip(weights, biases)):
        h = [sum((Fraction(a) * v for a, v in zip(row, h)), Fraction(c)) for row, c in zip(w, b)]
        if k < len(weights) - 1:
            h = [max(v, Fraction(0)) for v in h]
    return tuple(h)


@given(pairs())
def test_difference_is_f1_minus_f2(case):
    net1, net2, pts = case
    diff = difference_network(net1, net2)
    assert diff.depth == max(net1.depth, net2.depth)
    for x in pts:
        y1 = _relu_eval(net1.weights, net1.biases, x)
        y2 = _relu_eval(net2.weights, net2.biases, x)
        assert diff(x) == tuple(u - v for u, v in zip(y1, y2))


@given(pairs())
def test_reduction_keeps_the_function(case):
    net1, net2, pts = case
    for net in (net1, difference_network(net1, net2), difference_network(net1, net1)):
        red = reduce_network(net)
        for x in pts:
            want = _relu_eval(net.weights, net.biases, x)
            assert (red if isinstance(red, tuple) else red(x)) == want


@given(pairs())
def test_equivalent_to_itself_and_to_a_padded_copy(case):
    net1, _, pts = case
    assert rg.functionally_equivalent(net1, net1).equivalent
    # the same function one layer deeper: y = relu(y) - relu(-y)
    m = net1.output_dim
    eye = [[int(i == j) for j in range(m)] for i in range(m)]
    deeper = rg.ReLUNetwork(
        [*net1.weights[:-1], [*net1.weights[-1], *([-v for v in r] for r in net1.weights[-1])],
         [[*r, *(-v for v in r)] for r in eye]],
        [*net1.biases[:-1], [*net1.biases[-1], *(-v for v in net1.biases[-1])], [0] * m],
    )
    assert rg.functionally_equivalent(net1, deeper).equivalent
    assert rg.functionally_equivalent(deeper, net1, domain=(-1, 1)).equivalent


def test_affine_networks_subtract():
    aff = specimens.affine_1x2()
    assert difference_network(aff, aff)([1, 1]) == (0,)
    assert difference_network(aff, rg.ReLUNetwork([[[0, 0]]], [[1]]))([1, 1]) == (5,)
    assert reduce_network(difference_network(aff, aff)) == (0,)
    res = rg.functionally_equivalent(aff, rg.ReLUNetwork([[[1, 2]]], [[4]]))
    assert not res.equivalent and res.evidence.values[0][0] + 1 == res.evidence.values[1][0]


def test_affine_against_deep_without_probes():
    aff = specimens.affine_1x2()
    relu_of_it = specimens.one_neuron_1x2()
    assert rg.functionally_equivalent(aff, relu_of_it, domain=(0, 1), n_probes=0).equivalent
    res = rg.functionally_equivalent(aff, relu_of_it, domain=(-3, 1), n_probes=0)
    assert not res.equivalent and aff(res.witness) != relu_of_it(res.witness)


def test_old_paths_reexport():
    from relu_geom.analyses import equivalence

    assert equivalence.difference_network is rg.difference_network is difference_network
    assert equivalence.reduce_network is rg.reduce_network is reduce_network


@pytest.mark.parametrize("bad", [None, 3, "net", [[1]]])
def test_not_a_network(bad):
    net = specimens.identity_1d()
    with pytest.raises(rg.InvalidInputError):
        difference_network(net, bad)
    with pytest.raises(rg.InvalidInputError):
        reduce_network(bad)


def test_argument_checks():
    from relu_geom.network.transforms import require_int, require_network

    assert require_int(3, "k", minimum=0) == 3
    for bad in (True, 2.0, "3", None):
        with pytest.raises(rg.InvalidInputError, match="k: expected an integer"):
            require_int(bad, "k")
    with pytest.raises(rg.InvalidInputError, match=">= 0"):
        require_int(-1, "k", minimum=0)
    with pytest.raises(rg.InvalidInputError) as info:
        require_int(10**100, "k", maximum=5)
    assert "101 digits" in str(info.value) and len(str(info.value)) < 80
    with pytest.raises(rg.InvalidInputError, match="net: expected a ReLUNetwork, got list"):
        require_network([[1]])


@st.composite
def stacks(draw):
    """1 to 3 networks of 0 to 3 hidden layers (zero rows and zero matrices included), an input
    map (each network's inputs drawn from a common pool, shared or not) and rational points."""
    k = draw(st.integers(1, 3))
    dim = draw(st.integers(1, 4))
    nets, maps = [], []
    for _ in range(k):
        d, m = draw(st.integers(1, 3)), draw(st.integers(1, 2))
        arch = [d, *(draw(st.integers(1, 3)) for _ in range(draw(st.integers(0, 3)))), m]
        zero = draw(st.booleans())
        ws = [
            [[Fraction(0) if zero and r == 0 else draw(small_rationals) for _ in range(a)] for r in range(b)]
            for a, b in zip(arch, arch[1:])
        ]
        bs = [[draw(small_rationals) for _ in range(b)] for b in arch[1:]]
        nets.append(rg.ReLUNetwork(ws, bs))
        maps.append([draw(st.integers(0, dim - 1)) for _ in range(d)])
    used = sorted({c for cols in maps for c in cols})
    maps = [[used.index(c) for c in cols] for cols in maps]  # every input of the stack is read
    pts = draw(st.lists(st.lists(small_rationals, min_size=len(used), max_size=len(used)), min_size=1, max_size=4))
    return nets, maps, pts


@given(stacks())
def test_stack_is_the_networks_side_by_side(case):
    nets, maps, pts = case
    F = stack_networks(nets, maps)
    assert F.input_dim == len(pts[0])
    assert F.output_dim == sum(n.output_dim for n in nets)
    assert F.depth == max(n.depth for n in nets)
    for v in pts:
        want = ()
        for net, cols in zip(nets, maps):
            want += _relu_eval(net.weights, net.biases, [v[c] for c in cols])
        assert F(v) == want


@given(stacks())
def test_stack_default_is_the_concatenation(case):
    nets, _, _ = case
    F = stack_networks(nets)
    assert F.input_dim == sum(n.input_dim for n in nets)
    x = [Fraction(i - 2, i + 1) for i in range(F.input_dim)]
    want, start = (), 0
    for net in nets:
        want += _relu_eval(net.weights, net.biases, x[start : start + net.input_dim])
        start += net.input_dim
    assert F(x) == want


def test_stack_by_hand():
    absx = specimens.abs_1d()  # |x|
    affine = rg.ReLUNetwork([[[2, -1]]], [[3]])  # 2 u - v + 3, no hidden layer
    F = stack_networks([absx, affine], [[1], [0, 1]])
    # |v1| and 2 v0 - v1 + 3; the affine map padded by one identity layer of width 2
    assert F.architecture == (2, 4, 2)
    assert F([5, -7]) == (7, 20)
    assert F([0, 0]) == (0, 3)


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        (([],), rg.InvalidInputError, "at least one network"),
        (([specimens.identity_1d()], [[0], [0]]), rg.DimensionMismatchError, "expected 1 index lists"),
        (([specimens.sum_2d()], [[0]]), rg.DimensionMismatchError, "has 2 inputs, got 1"),
        (([specimens.identity_1d()], [[1]]), rg.InvalidInputError, "0 is not"),
        (([specimens.identity_1d()], [[-1]]), rg.InvalidInputError, "inputs"),
        (([[[1]]],), rg.InvalidInputError, "nets"),
    ],
)
def test_stack_errors(args, error, match):
    with pytest.raises(error, match=match):
        stack_networks(*args)
