"""Hidden symmetries: each is in the fiber and not a permutation and rescaling."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.analyses.fibers import hidden_symmetries
from relu_geom.analyses.fibers.hidden import zero_sum_flip_sets
from relu_geom.testing import permuted_rescaled_copy, specimens

F = Fraction
_entry = st.sampled_from([F(-1), F(0), F(1), F(2)])


@st.composite
def _twin_nets(draw):
    """[1 or 2, 2-3, 2-3, 1] networks with few distinct entries, so twins are frequent."""
    arch = [draw(st.integers(1, 2)), draw(st.integers(2, 3)), draw(st.integers(2, 3)), 1]
    ws = [[[draw(_entry) for _ in range(arch[i])] for _ in range(arch[i + 1])] for i in range(3)]
    bs = [[draw(_entry) for _ in range(arch[i + 1])] for i in range(3)]
    return rg.ReLUNetwork(ws, bs)


twin_nets = _twin_nets()


def _check(net, kinds):
    out = hidden_symmetries(net)
    assert sorted({h.kind for h in out}) == sorted(kinds)
    for h in out:
        assert h.network.architecture == net.architecture
        assert rg.functionally_equivalent(net, h.network).equivalent
        assert h.check.equivalent
        assert rg.normal_form(h.network) != rg.normal_form(net)
        assert h.network != net
    return out


def test_flip_with_zero_weighted_sum():
    W1 = [[1, 0], [0, 1], [1, 1], [2, -1]]
    net = rg.ReLUNetwork([W1, [[2, 2, -2, 5]]], [[1, -1, 2, 3], [0]])
    (h,) = _check(net, ["flip"])
    assert [list(r) for r in h.network.weights[0][:3]] == [[-1, 0], [0, -1], [-1, -1]]


def test_cancelling_pair_moves():
    net = specimens.cancelling_pair_2d()
    _check(net, ["pair-shift"])


def test_duplicate_split_and_dead_neuron():
    _check(rg.zoo.duplicate_neurons(), ["split"])
    # dead_neuron has the constant neuron relu(2): its bias moves too (linear-shift)
    _check(rg.zoo.dead_neuron(), ["free-row", "linear-shift"])


def test_a_neuron_active_everywhere_moves_its_bias():
    # f = -relu(x - y) + 2 relu(relu(x) + relu(y) + 1) = -relu(x - y) + 2 (relu(x) + relu(y) + 1):
    # the neuron (2, 1) sees relu outputs with weights >= 0 and bias 1 > 0, so it never
    # switches; with bias 1 + 1 and output bias -2 the function is the same at every x:
    # 2 (relu(x) + relu(y) + 2) - 2 = 2 (relu(x) + relu(y) + 1)
    net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[1, -1], [1, 1]], [[-1, 2]]], [[0, 0], [0, 1], [0]])
    (h,) = _check(net, ["linear-shift"])
    assert h.network.biases == ((0, 0), (0, 2), (-2,))
    assert h.network.weights == net.weights
    for x in itertools.product([F(-3), F(-1, 2), F(0), F(1, 3), F(2)], repeat=2):
        relu = lambda t: max(t, F(0))  # noqa: E731
        assert h.network(x) == (-relu(relu(x[0]) - relu(x[1])) + 2 * (relu(x[0]) + relu(x[1]) + 1),)
    # rescaling multiplies bias and weights of (2, 1) together: (1, 1, 2) is no multiple of (1, 1, 1)
    assert rg.same_up_to_symmetry(net, h.network) is None


def test_a_neuron_that_may_switch_does_not_move_its_bias():
    # a negative incoming weight: relu(relu(x) - relu(y) + 1) switches where relu(y) > relu(x) + 1
    net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[1, -1], [1, -1]], [[1, 1]]], [[0, 0], [0, 1], [0]])
    assert "linear-shift" not in {h.kind for h in hidden_symmetries(net)}
    # the shift would be wrong: at (0, 3) the neuron is relu(-3 + 1) = 0, shifted relu(-3 + 2) = 0,
    # and the output bias -1 makes the value 1 less
    shifted = rg.ReLUNetwork(net.weights, [[0, 0], [0, 2], [-1]])
    assert net((0, 3)) == (0,) and shifted((0, 3)) == (-1,)


def test_bias_shift_and_flip_shear_in_two_hidden_layers():
    net = specimens.hidden_line_2d()
    out = _check(net, ["bias-shift", "flip-shear"])
    flip = next(h for h in out if h.kind == "flip-shear")
    assert [list(r) for r in flip.network.weights[0]] == [[1, F(-1, 2)], [0, -1]]


def test_generic_networks_have_only_dead_rows():
    for seed in range(3):
        assert hidden_symmetries(rg.ReLUNetwork.random_normal([2, 3, 1], seed=seed)) == ()
        net = rg.ReLUNetwork.random_normal([2, 3, 2, 1], seed=seed)
        dead = [i for i, (w, b) in enumerate(zip(net.weights[1], net.biases[1])) if max(w) <= 0 and b <= 0]
        _check(net, ["free-row"] if dead else [])


def test_zero_sum_flips_of_any_size():
    # e1 + e2 + e3 + (1, 1, -2) + (-2, -2, 1) = 0 with no smaller zero sum; 2 (1, 2, 3) + (-2, -4, -6) = 0
    W1 = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, -2], [-2, -2, 1], [1, 2, 3], [-2, -4, -6], [3, 1, 1]]
    V = [[1, 1, 1, 1, 1, 2, 1, 1]]
    net = rg.ReLUNetwork([W1, V], [[1, 2, 3, 4, 5, 6, 7, 8], [0]])
    assert zero_sum_flip_sets(net) == ((0, 1, 2, 3, 4), (5, 6))
    brute = [
        S
        for k in range(1, 9)
        for S in itertools.combinations(range(8), k)
        if not any(sum(V[0][i] * W1[i][q] for i in S) for q in range(3))
    ]
    assert [S for S in brute if not any(set(T) < set(S) for T in brute)] == [(5, 6), (0, 1, 2, 3, 4)]
    out = _check(net, ["flip"])
    assert len(out) == 2
    # a flip set in the last layer of a deeper network
    deep = rg.ReLUNetwork(
        [[[1, 0], [0, 1]], [[1, 2], [2, 4], [1, -1]], [[2, -1, 3]]], [[0, 1], [1, 2, 0], [5]]
    )
    assert zero_sum_flip_sets(deep) == ((0, 1),)
    # its rows (1, 2) + 1 and (2, 4) + 2 read relu outputs: both neurons are active everywhere
    assert "flip" in {h.kind for h in _check(deep, ["flip", "linear-shift"])}


def test_zero_sum_flip_limit():
    W1 = [[1]] * 6
    net = rg.ReLUNetwork([W1, [[1, 2, 3, 4, 5, 6]]], [[0, 1, 2, 3, 4, 5], [0]])
    with pytest.raises(rg.LimitExceededError, match="max_kernel=3"):
        zero_sum_flip_sets(net, max_kernel=3)
    assert zero_sum_flip_sets(rg.ReLUNetwork.random_normal([3, 4, 1], seed=1)) == ()


def _brute_related(a, b):
    """Related by permutations and rescalings (networks without floating neurons), found
    by brute force: try every permutation, then rescale each neuron, layer by layer, so
    that its incoming row becomes the other network's (a positive multiple or nothing)."""
    if a.architecture != b.architecture:
        return False
    for perms in itertools.product(*[itertools.permutations(range(n)) for n in a.hidden_widths]):
        net = a
        for layer, p in enumerate(perms, start=1):
            net = net.permute_layer(layer, list(p))
        if _rescales_onto(net, b):
            return True
    return False


def _rescales_onto(net, target):
    for layer, width in enumerate(net.hidden_widths, start=1):
        for i in range(width):
            mine = [*net.weights[layer - 1][i], net.biases[layer - 1][i]]
            theirs = [*target.weights[layer - 1][i], target.biases[layer - 1][i]]
            j = next((j for j, v in enumerate(mine) if v), None)
            if j is None:
                if any(theirs):
                    return False
                continue
            factor = Fraction(theirs[j]) / Fraction(mine[j])
            if factor <= 0 or [factor * v for v in mine] != theirs:
                return False
            net = net.rescale_neuron(layer, i, factor)
    return net == target


def _has_floating(net):
    return bool(rg.normal_form_with_symmetry(net).floating)


@settings(max_examples=40)
@given(twin_nets, twin_nets, st.integers(0, 100))
def test_normal_form_is_exact_with_twins(a, b, seed):
    c = permuted_rescaled_copy(a, seed)
    assert rg.normal_form(a) == rg.normal_form(c)  # floating neurons included
    assume(not _has_floating(a) and not _has_floating(b))
    assert (rg.normal_form(a) == rg.normal_form(b)) == _brute_related(a, b)


def test_normal_form_identifies_permutation_and_rescaling():
    net = rg.ReLUNetwork.random_normal([3, 4, 3, 2], seed=5)
    other = net.permute_layer(1, [3, 1, 0, 2]).permute_layer(2, [2, 0, 1]).rescale_neuron(2, 1, "9/7")
    assert rg.normal_form(net) == rg.normal_form(other)


def test_standard_form_is_only_a_deprecated_alias():
    import relu_geom.analyses.fibers as fibers

    assert "standard_form" not in fibers.__all__ and "standard_form" not in rg.__all__
    net = rg.ReLUNetwork.random([2, 3, 2, 1], seed=1)
    with pytest.warns(DeprecationWarning, match="normal_form"):
        from relu_geom.analyses.fibers import standard_form
    with pytest.warns(DeprecationWarning, match="normal_form"):
        old = standard_form(net)
    nf = rg.normal_form(net)
    assert old == tuple(zip(nf.weights, nf.biases))
    with pytest.raises(AttributeError):
        fibers.no_such_name  # noqa: B018
