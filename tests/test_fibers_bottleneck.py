"""Two hidden layers: symmetry families, fiber sampling and membership, the bottleneck equivalence test."""

from __future__ import annotations

import random
import time
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.analyses.fibers import (
    bottleneck_degeneracies,
    bottleneck_equivalent,
    hidden_bias_shifts,
    three_layer_fiber,
)
from relu_geom.analyses.fibers.bottleneck import bottleneck_key, flip_shears
from relu_geom.testing import permuted_rescaled_copy
from tests.conftest import networks

F = Fraction
two_layer = networks(max_dim=2, max_width=3, max_depth=2)


def _agree(a, b, domain=None):
    fast = bottleneck_equivalent(a, b, domain)
    slow = rg.functionally_equivalent(a, b, domain)
    assert fast.equivalent == slow.equivalent
    if not fast.equivalent:
        assert a(fast.witness) != b(fast.witness)
    return fast


EPS = F(1, 10**6)


def _perturbed(net, index, eps=EPS):
    theta = list(net.parameters())
    theta[index] += eps
    return rg.ReLUNetwork.from_parameters(net.architecture, theta)


# A [3, 3, 2, 1] network (n1 <= d, so the first layer is onto R^3): second-layer row 0 is live
# for first-layer neuron 0 (positive there, <= 0 elsewhere, bias <= 0), row 1 is dead.
HIDDEN = rg.ReLUNetwork(
    [
        [[1, 2, 0], [0, 1, -1], [2, 0, 1]],
        [[2, -1, -3], [-1, -2, -1]],
        [[3, 5]],
    ],
    [[1, -1, 2], [-1, -2], [1]],
)


@st.composite
def hidden_networks(draw):
    """Random [d, n1, n2, 1] networks with n1 <= d whose second layer hides first-layer neuron 0."""
    n1 = draw(st.integers(1, 3))
    d = draw(st.integers(n1, 3))
    n2 = draw(st.integers(1, 3))
    pos = st.builds(F, st.integers(1, 5), st.integers(1, 3))
    num = st.builds(F, st.integers(-5, 5), st.integers(1, 3))
    W1 = [[draw(num) for _ in range(d)] for _ in range(n1)]
    b1 = [draw(num) for _ in range(n1)]
    base = [-draw(pos) for _ in range(n1)]
    W2, b2 = [], []
    for _ in range(n2):
        kind = draw(st.sampled_from(["live", "proportional", "dead", "linear", "any"]))
        if kind == "live":
            row = [-draw(pos) if draw(st.booleans()) else F(0) for _ in range(n1)]
            row[0] = draw(pos)
            b = -draw(pos) + 1
            b = min(b, F(0))
        elif kind == "proportional":
            s = draw(pos)
            row = [s * v for v in base]
            row[0] = s
            b = -draw(pos)
        elif kind == "dead":
            row, b = [-draw(pos) for _ in range(n1)], -draw(pos)
        elif kind == "linear":
            row, b = [draw(pos) for _ in range(n1)], draw(pos)
        else:
            row, b = [draw(num) for _ in range(n1)], draw(num)
        W2.append(row)
        b2.append(b)
    W3 = [[draw(num) for _ in range(n2)]]
    return rg.ReLUNetwork([W1, W2, [W3[0]]], [b1, b2, [draw(num)]])


# ----------------------------------------------------------------- families
def test_bias_shift_with_a_dead_row():
    (fam,) = hidden_bias_shifts(HIDDEN)
    assert (fam.neuron, fam.rows, fam.lower) == (0, (0,), F(-1, 2))  # max b2[i] / W2[i][0] over live rows
    for t in (F(-1, 2), 0, 3, F(17, 3)):
        moved = fam.shift(t)
        assert fam.contains(moved)
        assert rg.functionally_equivalent(HIDDEN, moved).equivalent
    with pytest.raises(rg.InvalidInputError, match="t >= -1/2"):
        fam.shift(-1)
    below = _perturbed(_perturbed(HIDDEN, 9, F(-1)), 18, F(2))  # b1[0] - 1, b2[0] + 2: t = -1 < -1/2
    assert not fam.contains(below)
    res = rg.functionally_equivalent(HIDDEN, below)
    assert not res.equivalent and HIDDEN(res.witness) != below(res.witness)


def test_bias_shift_parametrization_and_inequalities():
    import sympy

    (fam,) = hidden_bias_shifts(HIDDEN)
    (t,) = fam.symbols()
    theta = fam.parametrization()
    point = fam.shift(F(5, 2)).parameters()
    assert [sympy.Rational(v.numerator, v.denominator) for v in point] == [e.subs(t, F(5, 2)) for e in theta]
    assert fam.inequalities() == (t >= sympy.Rational(-1, 2),)


def test_flip_shears_generate_g_j():
    fams = flip_shears(HIDDEN)
    assert [(f.neuron, f.hidden, f.ratio) for f in fams] == [(1, 0, F(-1, 2)), (2, 0, F(-3, 2))]
    both = fams[0].apply()
    second = flip_shears(both)[1]  # M_2 at the moved point commutes with M_1
    assert second.ratio == F(-3, 2)
    for net in (fams[0].apply(), fams[1].apply(), second.apply()):
        assert rg.functionally_equivalent(HIDDEN, net).equivalent
        assert bottleneck_equivalent(HIDDEN, net).method == "bottleneck-symmetry"
    assert flip_shears(fams[0].apply())[0].apply() == HIDDEN  # an involution
    W1 = [list(r) for r in fams[0].apply().weights[0]]
    assert W1[1] == [0, -1, 1] and W1[0] == [1, F(3, 2), F(1, 2)]  # row 0 + (-1/2) row 1
    assert rg.three_layer_fiber(HIDDEN).discrete_group_order == 6 * 2 * 4


def test_flip_without_shear_is_not_a_symmetry():
    ws = [[list(r) for r in w] for w in HIDDEN.weights]
    ws[0][1] = [-v for v in ws[0][1]]
    bs = [list(b) for b in HIDDEN.biases]
    bs[0][1] = -bs[0][1]
    plain = rg.ReLUNetwork(ws, bs)
    assert not any(f.contains(plain) for f in flip_shears(HIDDEN))
    res = _agree(HIDDEN, plain)
    assert not res.equivalent


def test_free_rows():
    fib = three_layer_fiber(HIDDEN)
    dead = [f for f in fib.families if f.kind == "dead-row"]
    assert [f.neuron for f in dead] == [1] and dead[0].dimension == 3 + 1 + 1
    for seed in range(3):
        s = dead[0].sample(seed)
        assert dead[0].contains(s) and rg.functionally_equivalent(HIDDEN, s).equivalent
    live_again = _perturbed(HIDDEN, 19, F(3))  # b2[1] = -2 + 3 > 0: row 1 is no longer dead
    assert not dead[0].contains(live_again)
    assert not rg.functionally_equivalent(HIDDEN, live_again).equivalent
    # a first-layer neuron seen only by the dead row has a free row
    ws = [[list(r) for r in w] for w in HIDDEN.weights]
    ws[1][0][2] = F(0)
    net = rg.ReLUNetwork(ws, HIDDEN.biases)
    fib2 = three_layer_fiber(net)
    assert fib2.free_first_layer == (2,)
    free = next(f for f in fib2.families if f.kind == "free-row")
    assert rg.functionally_equivalent(net, free.sample(4)).equivalent


def test_fiber_samples_and_membership():
    fib = three_layer_fiber(HIDDEN)
    assert fib.is_generic
    assert [f.kind for f in fib.families] == ["bias-shift", "flip-shear", "flip-shear", "dead-row"]
    # T_0 (1) + second-layer piece on the orthant: one hinge, one inactive neuron (n1 + m = 4)
    assert fib.dimension_mod_scaling == 1 + 4
    for seed in range(6):
        s = fib.sample(seed)
        assert s != HIDDEN
        assert rg.functionally_equivalent(HIDDEN, s).equivalent
        assert fib.contains(s)
        assert bottleneck_equivalent(HIDDEN, s).method == "bottleneck-symmetry"
    rng = random.Random(1)
    for _ in range(6):
        pert = _perturbed(HIDDEN, rng.randrange(HIDDEN.n_parameters), F(rng.choice([-1, 1]), 10**4))
        res = rg.functionally_equivalent(HIDDEN, pert)
        assert fib.contains(pert) == res.equivalent
        if not res.equivalent:
            assert HIDDEN(res.witness) != pert(res.witness)
    assert any("t >=" in line for line in fib.describe())


def test_three_layer_fiber_of_the_old_example():
    net = rg.ReLUNetwork(
        [[[1, 0], [0, 1], [1, 1]], [[2, -1, -1], [0, 3, -2]], [[1, -2]]], [[0, 1, -1], [-1, 2], [0]]
    )
    fib = three_layer_fiber(net)
    assert [f.kind for f in fib.families] == ["bias-shift"]
    for seed in range(4):
        s = fib.sample(seed)
        assert fib.contains(s) and _agree(net, s).equivalent
    generic = three_layer_fiber(rg.ReLUNetwork.random_normal([3, 4, 2, 1], seed=2))
    assert generic.is_generic
    assert all(generic.contains(generic.sample(s)) for s in range(3))


@settings(max_examples=25)
@given(hidden_networks(), st.integers(0, 1000))
def test_hidden_networks_samples_are_decided_by_the_key(net, seed):
    fib = three_layer_fiber(net)
    s = fib.sample(seed)
    assert rg.functionally_equivalent(net, s).equivalent
    assert bottleneck_equivalent(net, s).method == "bottleneck-symmetry"
    rng = random.Random(seed)
    pert = _perturbed(net, rng.randrange(net.n_parameters), F(1, 7))
    _agree(net, pert)
    _agree(s, pert)


@pytest.mark.parametrize("seed", range(6))
def test_constant_first_layer_samples(seed):
    # a zero first layer feeds constants to the second layer; its orthant fiber has the piece
    # "2 linear" (h = relu(y1 + y2 + y3 + 1) with two linear neurons) whose sampler used to fail
    net = rg.ReLUNetwork.from_dict(
        {
            "weights": [[[0, 0, 0], [0, 0, 0], [0, 0, 0]], [[1, 0, 0], [1, 1, 1]], [[0, 1]]],
            "biases": [[0, 0, 0], [0, 1], [0]],
        }
    )
    fib = three_layer_fiber(net)
    s = fib.sample(seed)
    assert fib.contains(s)
    assert rg.functionally_equivalent(net, s).equivalent


# ----------------------------------------------------------------- equivalence test
@pytest.mark.parametrize("seed", range(4))
def test_generic_pairs_agree_with_general_test(seed):
    net = rg.ReLUNetwork.random_normal([4, 8, 3, 1], seed=seed)
    assert bottleneck_degeneracies(net) == ()
    copy = permuted_rescaled_copy(net, seed)
    assert _agree(net, copy).method == "bottleneck-symmetry"
    res = _agree(net, _perturbed(net, seed * 7))
    assert res.method in ("bottleneck-witness", "fallback:regions", "fallback:probe")


def test_bottleneck_test_is_fast_on_4_8_3_1():
    for seed in range(3):
        net = rg.ReLUNetwork.random_normal([4, 8, 3, 1], seed=seed)
        for other in (permuted_rescaled_copy(net, seed), _perturbed(net, 5)):
            start = time.process_time()
            bottleneck_equivalent(net, other)
            assert time.process_time() - start < 1.0


def test_key_is_an_invariant():
    net = rg.ReLUNetwork.random_normal([3, 3, 2, 2], seed=4)
    assert bottleneck_key(net) == bottleneck_key(permuted_rescaled_copy(net, 2))
    assert bottleneck_key(net) != bottleneck_key(_perturbed(net, 3))


@settings(max_examples=30)
@given(two_layer, two_layer)
def test_random_degenerate_pairs_agree(a, b):
    if a.depth != 2 or b.depth != 2 or (a.input_dim, a.output_dim) != (b.input_dim, b.output_dim):
        return
    _agree(a, b)
    _agree(a, permuted_rescaled_copy(a, 3))
    if a.depth == 2:
        _agree(a, three_layer_fiber(a).sample(1))


def test_degeneracy_detector():
    dup = rg.ReLUNetwork(
        [[[1, 0], [2, 0], [0, 1]], [[1, 1, 1], [1, -1, 2]], [[1, 1]]], [[0, 0, 0], [0, 0], [0]]
    )
    msgs = bottleneck_degeneracies(dup)
    assert any("share a hyperplane" in m for m in msgs)
    assert bottleneck_equivalent(dup, dup).equivalent
    zero = rg.ReLUNetwork([[[1, 0], [0, 1]], [[0, 0], [1, 1]], [[1, 1]]], [[0, 0], [0, 0], [0]])
    assert any("zero row 0" in m for m in bottleneck_degeneracies(zero))
    other = rg.ReLUNetwork([[[1, 0], [0, 1]], [[0, 0], [1, 2]], [[1, 1]]], [[0, 0], [0, 0], [0]])
    res = _agree(zero, other)
    assert not res.equivalent


def test_errors():
    with pytest.raises(rg.InvalidInputError, match="two hidden layers"):
        three_layer_fiber(rg.zoo.abs_1d())
    with pytest.raises(rg.DimensionMismatchError):
        bottleneck_equivalent(
            rg.ReLUNetwork.random([2, 2, 2, 1], seed=0), rg.ReLUNetwork.random([3, 2, 2, 1], seed=0)
        )
    (fam,) = hidden_bias_shifts(HIDDEN)
    with pytest.raises(rg.InvalidInputError, match="expected 1 values"):
        fam.apply((1, 2))
