"""Functional equivalence: constructions that keep the function, perturbations that do not."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.analyses.equivalence import check_witness
from relu_geom.testing import permuted_rescaled_copy, specimens
from tests.conftest import networks

F = Fraction


def _assert_witness(net1, net2, res, domain=None):
    assert not res.equivalent
    assert res.witness is not None
    assert net1(res.witness) != net2(res.witness)
    assert check_witness(net1, net2, res.witness)
    assert res.evidence.values == (net1(res.witness), net2(res.witness))
    if domain is not None:
        assert rg.compiler.parse_domain(domain, net1.input_dim).contains(res.witness)


def _all_region_maps_zero(net1, net2, domain=None):
    """Independent ground truth: the compiled complex of the difference network."""
    cx = rg.compile_network(rg.difference_network(net1, net2), domain=domain)
    return all(not any(any(r) for r in c.affine_map[0]) and not any(c.affine_map[1]) for c in cx.regions)


def test_permutation_and_rescaling_are_equivalent():
    net = rg.ReLUNetwork.random([3, 5, 4, 2], seed=11)
    other = permuted_rescaled_copy(net, 3)
    res = rg.functionally_equivalent(net, other)
    assert res.equivalent and res.witness is None and res.method == "reduction"
    assert res.evidence.constant == (0, 0)


def test_duplicated_neuron_with_split_weights_is_equivalent():
    # neuron 0 of [2, 3, 1] split into two copies (one rescaled by 2) whose output weights add up
    net = rg.ReLUNetwork([[[1, 2], [3, -1], [-1, 1]], [[5, -2, 3]]], [[1, 0, 2], [1]])
    split = rg.ReLUNetwork([[[1, 2], [2, 4], [3, -1], [-1, 1]], [[2, F(3, 2), -2, 3]]], [[1, 2, 0, 2], [1]])
    res = rg.functionally_equivalent(net, split)
    assert res.equivalent and res.method == "reduction"


def test_cancelling_pair_is_an_affine_map():
    # relu(z) - relu(-z) = z with z = x1 - 2 x2 + 3: the pair realizes an affine part
    with_pair = specimens.cancelling_pair_2d()
    no_pair = rg.ReLUNetwork([[[1, 1], [0, 0]], [[2, 0]]], [[0, 0], [1]])  # the same without the z term
    _assert_witness(with_pair, no_pair, rg.functionally_equivalent(with_pair, no_pair))
    # moving the pair's hyperplane: relu(z + 5) - relu(-z - 5) - 5 = z
    moved = rg.ReLUNetwork([[[1, 1], [1, -2], [-1, 2]], [[2, 1, -1]]], [[0, 8, -8], [-7]])
    res = rg.functionally_equivalent(with_pair, moved)
    assert res.equivalent and res.method == "regions"
    # the two relu(x1 + x2) neurons cancel in f1 - f2; two parallel lines remain: 3 regions
    assert res.evidence.n_regions == 3
    assert res.evidence.reduced_difference.architecture == (2, 4, 1)
    # a pair with unequal weights is not affine
    wrong = rg.ReLUNetwork([[[1, 1], [1, -2], [-1, 2]], [[2, 2, -1]]], [[0, 3, -3], [-2]])
    _assert_witness(with_pair, wrong, rg.functionally_equivalent(with_pair, wrong))


def test_orientation_flips_with_zero_weighted_sum():
    # flipping neurons i in F changes f by -sum_F v_i z_i; with sum_F v_i w_i = 0 only the bias moves
    W1 = [[1, 0], [0, 1], [1, 1], [2, -1]]
    b1 = [1, -1, 2, 3]
    v = [2, 2, -2, 5]  # 2 (1, 0) + 2 (0, 1) - 2 (1, 1) = 0 for F = {0, 1, 2}
    net = rg.ReLUNetwork([W1, [v]], [b1, [F(1, 2)]])
    flipped_rows = [[-a for a in W1[i]] if i < 3 else W1[i] for i in range(4)]
    flipped_b = [-b1[i] if i < 3 else b1[i] for i in range(4)]
    shift = sum(v[i] * b1[i] for i in range(3))
    flipped = rg.ReLUNetwork([flipped_rows, [v]], [flipped_b, [F(1, 2) + shift]])
    res = rg.functionally_equivalent(net, flipped)
    assert res.equivalent and res.method == "regions"
    wrong = rg.ReLUNetwork([flipped_rows, [v]], [flipped_b, [F(1, 2)]])
    _assert_witness(net, wrong, rg.functionally_equivalent(net, wrong))


@pytest.mark.parametrize("arch", [[2, 3, 1], [3, 4, 3, 2], [1, 3, 2, 2, 1]])
def test_small_perturbations_differ(arch):
    net = rg.ReLUNetwork.random(arch, seed=5)
    theta = list(net.parameters())
    for k in range(0, len(theta), max(1, len(theta) // 5)):
        eta = list(theta)
        eta[k] += F(1, 1000)
        other = rg.ReLUNetwork.from_parameters(arch, eta)
        res = rg.functionally_equivalent(net, other)
        if res.equivalent:  # a perturbation can keep f only where a neuron is dead or invisible
            assert _all_region_maps_zero(net, other)
        else:
            _assert_witness(net, other, res)


def test_witness_found_by_regions_when_probes_miss():
    # the nets differ only on a tiny interval around 1000; the probes do not reach it
    a = rg.ReLUNetwork([[[1]], [[0]]], [[0], [0]])
    bump = rg.ReLUNetwork([[[1], [1], [1]], [[1, -2, 1]]], [[-1000, F(-2001, 2), -1001], [0]])
    res = rg.functionally_equivalent(a, bump)
    assert res.method == "regions"
    _assert_witness(a, bump, res)
    assert 1000 < res.witness[0] < 1001


def test_different_depths():
    shallow = specimens.abs_1d()  # |x|
    deep = rg.ReLUNetwork([[[1], [-1]], [[1, 1]], [[1]]], [[0, 0], [0], [0]])  # relu(|x|) = |x|
    res = rg.functionally_equivalent(shallow, deep)
    assert res.equivalent
    res = rg.functionally_equivalent(deep, shallow)
    assert res.equivalent
    deeper = rg.ReLUNetwork([[[1], [-1]], [[1, 1]], [[1]]], [[0, 0], [-1], [1]])  # max(|x|, 1)
    _assert_witness(shallow, deeper, rg.functionally_equivalent(shallow, deeper))
    D = rg.difference_network(shallow, rg.ReLUNetwork.random([1, 2, 2, 2, 1], seed=1))
    assert D.architecture == (1, 4, 4, 4, 1)


def test_over_a_box_and_a_polyhedron():
    relu = rg.ReLUNetwork([[[1, 0]], [[1]]], [[0], [0]])
    ident = specimens.x1_by_a_pair_2d()  # x1 on R^2
    assert rg.functionally_equivalent(relu, ident, domain=(0, 1)).equivalent
    res = rg.functionally_equivalent(relu, ident, domain=[(-1, 1), (0, 1)])
    _assert_witness(relu, ident, res, [(-1, 1), (0, 1)])
    _assert_witness(relu, ident, rg.functionally_equivalent(relu, ident))
    # an unbounded polyhedron: the half plane x1 >= 2
    half = rg.Polyhedron.from_hrep([(-1, 0, -2)])
    assert rg.functionally_equivalent(relu, ident, domain=half).equivalent


def test_equal_on_box_only_through_regions():
    # relu(x - 5) is 0 on [-1, 1]^2, and so is the zero network
    far = rg.ReLUNetwork([[[1, 1]], [[3]]], [[-5], [0]])
    zero = specimens.zero_2d()
    res = rg.functionally_equivalent(far, zero, domain=(-1, 1))
    assert res.equivalent and res.method == "regions"
    _assert_witness(far, zero, rg.functionally_equivalent(far, zero))


def test_errors_name_the_problem():
    a = rg.ReLUNetwork.random([2, 3, 1], seed=0)
    with pytest.raises(rg.DimensionMismatchError, match="input dimension 2"):
        rg.functionally_equivalent(a, rg.ReLUNetwork.random([3, 3, 1], seed=0))
    with pytest.raises(rg.DimensionMismatchError, match="output dimension 1"):
        rg.functionally_equivalent(a, rg.ReLUNetwork.random([2, 3, 2], seed=0))
    with pytest.raises(rg.InvalidInputError, match="net2: expected a ReLUNetwork"):
        rg.functionally_equivalent(a, "net")
    with pytest.raises(rg.DimensionMismatchError, match="domain"):
        rg.functionally_equivalent(a, a, domain=[(0, 1)] * 3)


def test_reduce_network_constant_and_dead():
    dead = rg.ReLUNetwork([[[0, 0], [1, 1]], [[4, 0]]], [[-1, 0], [2]])
    assert rg.reduce_network(dead) == (2,)
    const = rg.ReLUNetwork([[[0, 0]], [[3]], [[2]]], [[2], [1], [1]])  # 2 relu(3 * 2 + 1) + 1 = 15
    assert rg.reduce_network(const) == (15,)
    assert const([5, 7]) == (15,)


def test_result_is_frozen_and_serializable():
    a = rg.ReLUNetwork.random([2, 3, 1], seed=0)
    res = rg.functionally_equivalent(a, a)
    with pytest.raises(AttributeError):
        res.equivalent = False  # type: ignore[misc]
    assert res.to_dict()["equivalent"] is True
    assert bool(res)


@given(networks(), st.integers(0, 10**6))
def test_permuted_copies_of_random_degenerate_networks(net, seed):
    res = rg.functionally_equivalent(net, permuted_rescaled_copy(net, seed))
    assert res.equivalent


@given(networks(max_dim=2, max_width=3, max_depth=2), networks(max_dim=2, max_width=3, max_depth=2))
def test_verdict_matches_compiled_difference(net1, net2):
    if (net1.input_dim, net1.output_dim) != (net2.input_dim, net2.output_dim):
        return
    res = rg.functionally_equivalent(net1, net2)
    if res.equivalent:
        assert _all_region_maps_zero(net1, net2)
    else:
        _assert_witness(net1, net2, res)


@given(networks(max_dim=2, max_width=3, max_depth=2), st.integers(0, 3))
def test_bias_shift_of_output_differs(net, k):
    ws, bs = [list(w) for w in net.weights], [list(b) for b in net.biases]
    bs[-1] = [v + (1 if i == k % len(bs[-1]) else 0) for i, v in enumerate(bs[-1])]
    other = rg.ReLUNetwork(ws, bs)
    _assert_witness(net, other, rg.functionally_equivalent(net, other, domain=(-2, 2)), (-2, 2))


def test_cli_equiv(tmp_path, capsys):
    import json

    from relu_geom.cli import main

    a = rg.ReLUNetwork.random([2, 3, 1], seed=0)
    p1, p2, p3 = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    a.to_json(p1)
    a.permute_layer(1, [2, 1, 0]).to_json(p2)
    rg.ReLUNetwork.random([2, 3, 1], seed=1).to_json(p3)
    assert main(["equiv", str(p1), str(p2)]) == 0
    assert capsys.readouterr().out.startswith("equivalent")
    assert main(["equiv", str(p1), str(p3), "--json"]) == 1  # different: exit status 1
    out = json.loads(capsys.readouterr().out)
    assert out["equivalent"] is False
    x = [Fraction(v) for v in out["witness"]]
    assert a(x) != rg.ReLUNetwork.random([2, 3, 1], seed=1)(x)
    assert main(["equiv", str(p1), "zoo:abs_1d"]) == 2
    assert "input dimension" in capsys.readouterr().err
