"""Zoo specimens, in particular the known results, each checked exactly."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import pytest

import relu_geom as rg
from relu_geom.search.properties import count_regions
from relu_geom.search.space import SearchSpace
from relu_geom.testing import specimens
from relu_geom.verify.search_claims import CHECKERS


@pytest.mark.parametrize("name", sorted(rg.zoo.SPECIMENS))
def test_every_specimen_builds(name):
    assert isinstance(rg.zoo.get(name), rg.ReLUNetwork)


def test_unknown_specimen():
    with pytest.raises(rg.InvalidInputError, match="no specimen"):
        rg.zoo.get("nope")


def _max_seq(n: int) -> rg.ReLUNetwork:
    """Sequential max: hidden layer k holds relu(x_{k+1} - m), relu(m), relu(-m) and +- the later inputs."""
    ws, bs = [], []
    # neuron layout of every layer: [relu(x - m), relu(m), relu(-m), relu(x_j), relu(-x_j) for later j]
    # layer 1 reads inputs directly
    later = list(range(2, n))
    rows = [[-1, 1] + [0] * (n - 2), [1] + [0] * (n - 1), [-1] + [0] * (n - 1)]
    for j in later:
        rows += [[int(i == j) for i in range(n)], [-int(i == j) for i in range(n)]]
    ws.append(rows)
    bs.append([0] * len(rows))
    for step in range(len(later)):
        width = len(ws[-1])
        m = [0] * width  # new running max m = relu(x - m) + relu(m) - relu(-m)
        m[0], m[1], m[2] = 1, 1, -1
        x = [0] * width  # the next input x_j = relu(x_j) - relu(-x_j)
        x[3], x[4] = 1, -1
        rows = [[a - b for a, b in zip(x, m)], m, [-v for v in m]]
        for t in range(1, len(later) - step):
            r = [0] * width
            r[3 + 2 * t], r[4 + 2 * t] = 1, -1
            rows += [r, [-v for v in r]]
        ws.append(rows)
        bs.append([0] * len(rows))
    ws.append([[1, 1, -1] + [0] * (len(ws[-1]) - 3)])
    bs.append([0])
    return rg.ReLUNetwork(ws, bs)


def _random_points(d, n, seed=0):
    rng = random.Random(seed)
    return [[Fraction(rng.randint(-30, 30), rng.randint(1, 6)) for _ in range(d)] for _ in range(n)]


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_max_networks_compute_the_max(n):
    for net in (rg.zoo.max_tree(n), _max_seq(n)):
        for x in _random_points(n, 100, seed=n):
            assert net(x) == (max(x),)
    assert rg.zoo.max_tree(n).depth == (n - 1).bit_length()


def test_max_of_four_with_two_hidden_layers_equals_the_sequential_max():
    assert rg.zoo.max_tree(4).depth == 2
    assert rg.functionally_equivalent(rg.zoo.max_tree(4), _max_seq(4)).equivalent


@pytest.mark.timeout(120)  # measured: under a second (the difference reduces by function-preserving steps)
def test_max_of_five_tree_equals_the_sequential_max_on_r5():
    res = rg.functionally_equivalent(rg.zoo.max_tree(5), _max_seq(5))
    assert res.equivalent
    assert rg.zoo.max_tree(5).architecture == (5, 8, 5, 3, 1)


def _m(x, a, b):
    return max(x[a - 1], x[b - 1])


def _max5_identity(x):
    # the identity of rg.zoo.max5_two_hidden, evaluated with Python's max (not the network)
    m = lambda a, b: _m(x, a, b)  # noqa: E731
    return (
        max(m(1, 2) + m(1, 4), m(1, 3) + m(1, 5))
        + Fraction(1, 2) * max(m(1, 4) + m(4, 5), 2 * m(1, 5))
        + Fraction(1, 2) * max(2 * m(1, 2), m(1, 3) + m(2, 3))
        - max(m(1, 2) + m(4, 5), m(1, 5) + m(2, 3))
        - max(m(1, 3) + m(4, 5), m(1, 4) + m(2, 3))
        + 2 * max(m(2, 5), m(3, 4))
    )


def test_max5_two_hidden_layers_on_a_grid_and_at_random_points():
    net = rg.zoo.max5_two_hidden()
    assert net.architecture == (5, 16, 8, 1) and net.depth == 2
    assert all(b == 0 for layer in net.biases for b in layer)
    grid = list(itertools.product(range(-2, 3), repeat=5))
    for x in grid + _random_points(5, 300, seed=10):
        assert net(x) == (max(x),)
        assert _max5_identity(x) == 2 * max(x)


@pytest.mark.timeout(120)  # measured: 2 s, and about 10 s of the complex checks at teardown
def test_max5_two_hidden_layers_equals_max_on_r5_and_has_depth_bound_two():
    net = rg.zoo.max5_two_hidden()
    assert rg.functionally_equivalent(net, rg.zoo.max_tree(5)).equivalent  # max_tree(5) == _max_seq(5) above
    # two hidden layers, so no lower bound above 2 can hold; max5 is not computable with
    # one (the one-hidden-layer criterion of docs/breakpoints.md), so the bound is 2
    assert rg.depth_lower_bound(net).bound == 2


def test_max_zero_2d_and_why_it_needs_two_hidden_layers():
    net = rg.zoo.max_zero_2d()
    for x in _random_points(2, 200):
        assert net(x) == (max(0, *x),)
    alt = specimens.max_zero_2d_other()
    assert rg.functionally_equivalent(net, alt).equivalent
    # f = 0 on the box [-2, -1/2]^2 around (-1, -1), a point of the line x1 = x2 ...
    zero = specimens.zero_2d()
    assert rg.functionally_equivalent(net, zero, [(-2, Fraction(-1, 2))] * 2).equivalent
    # ... while f bends across x1 = x2 near (1, 1): gradient (1, 0) below, (0, 1) above.
    cx = rg.compile_network(net)
    assert cx.locate([Fraction(11, 10), Fraction(9, 10)]).affine_map[0] == ((1, 0),)
    assert cx.locate([Fraction(9, 10), Fraction(11, 10)]).affine_map[0] == ((0, 1),)
    # a one-hidden-layer network bends by the same jump at every generic point of a line
    # (docs/search.md), so no one-hidden-layer network computes f.
    assert rg.depth_lower_bound(net).bound >= 2


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_sawtooth_has_2_to_the_k_pieces_on_the_unit_interval(k):
    net = rg.zoo.sawtooth(k)
    assert net.hidden_widths == (2,) * k
    prop = rg.pieces_at_least(2**k, domain=(0, 1))
    v = prop.decide(net)
    assert v.value == 2**k
    cert = rg.build_certificate(prop, net, v)
    CHECKERS["pieces_at_least"](cert)
    assert len(cert["evidence"]["points"]) == 2**k


def _zigzag_map(y):
    # the 4-piece zigzag of [0, 1] onto itself, written out piece by piece (not as a network)
    if y <= Fraction(1, 6):
        return 6 * y
    if y <= Fraction(1, 3):
        return 2 - 6 * y
    if y <= Fraction(2, 3):
        return 3 * y - 1
    return 3 - 3 * y


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_zigzag_has_4_to_the_k_regions(k):
    # g maps each of its 4 monotone pieces onto [0, 1], so g^k has 4^k pieces there;
    # the product bound (3 + 1)^k for one input caps the regions over R: exactly 4^k
    net = rg.zoo.zigzag(k)
    assert net.hidden_widths == (3,) * k
    for j in range(0, 6 * 4**k + 1, 5):
        y = Fraction(j, 6 * 4**k)
        for _ in range(k):
            y = _zigzag_map(y)
        x = Fraction(j, 6 * 4**k)
        assert net([x]) == (y,)
    assert count_regions(net) == 4**k  # over R (exact 1-D sweep)
    assert rg.compile_network(net, domain=(0, 1)).n_regions == 4**k  # over [0, 1]
    prop = rg.pieces_at_least(4**k, domain=(0, 1))
    v = prop.decide(net)
    assert v.value == 4**k
    CHECKERS["pieces_at_least"](rg.build_certificate(prop, net, v))


def test_seven_regions_is_the_maximum_for_two_hidden_layers_of_width_two():
    assert rg.compile_network(rg.zoo.seven_regions()).n_regions == 7
    space = SearchSpace.parse("1,2,2,1", "-1..1", hidden_only=True)
    res = rg.search(rg.regions_at_least(8), space, method="exhaustive", max_hits=1)
    assert res.best_value <= 7 and not res.hits  # the bound of docs/search.md


@pytest.mark.slow
def test_seven_regions_maximum_over_weights_minus_two_to_two():
    space = SearchSpace.parse("1,2,2,1", "-2..2", hidden_only=True)
    res = rg.search(rg.regions_at_least(8), space, method="exhaustive", max_hits=1, workers=2)
    assert res.best_value == 7 and not res.hits


def test_clipped_relu_full_dimension_and_flip_partner():
    f, g = rg.zoo.clipped_relu(), rg.zoo.clipped_relu_flip()
    fd = rg.functional_dimension(f)
    assert fd.rank == fd.upper_bound == 2 * 2 + 3 - 2
    assert rg.functionally_equivalent(f, g).equivalent
    assert rg.same_up_to_symmetry(f, g) is None
    assert rg.hidden_symmetry().decide(f).holds
    CHECKERS["hidden_symmetry"](rg.build_certificate(rg.hidden_symmetry(), f))
