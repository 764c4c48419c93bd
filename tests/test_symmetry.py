"""Normal form under rescaling and permutation of hidden neurons; same_up_to_symmetry."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.testing import permuted_rescaled_copy
from tests.conftest import networks

archs = st.sampled_from([[2, 3, 1], [2, 3, 2, 1], [1, 2, 2, 2], [3, 2, 3, 2]])


def random_symmetry(net: rg.ReLUNetwork, rng: random.Random) -> rg.ReLUNetwork:
    """Random positive rescalings and within-layer permutations (a new draw from ``rng`` each call)."""
    return permuted_rescaled_copy(net, seed=rng.randrange(2**32))


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


# ---------------------------------------------------------------- degenerate networks


@st.composite
def degenerate_networks(draw):
    """Networks of ``networks()`` made more degenerate: twin neurons (equal or proportional
    incoming row and bias), zero rows, zero columns, dead neurons and floating neurons
    (zero bias, nonzero weights only to other floating neurons)."""
    net = draw(networks(max_dim=2, max_width=4, max_depth=3))
    ws = [[list(r) for r in w] for w in net.weights]
    bs = [list(b) for b in net.biases]
    L = net.depth
    for layer in range(L):
        n = len(bs[layer])
        for _ in range(draw(st.integers(0, 2))):
            i, j = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
            kind = draw(st.sampled_from(["twin", "zero-row", "zero-column", "dead"]))
            if kind == "twin":
                c = draw(st.sampled_from([F(1), F(2), F(1, 3)]))
                ws[layer][j] = [c * v for v in ws[layer][i]]
                bs[layer][j] = c * bs[layer][i]
            elif kind == "zero-row":
                ws[layer][i] = [F(0)] * len(ws[layer][i])
            elif kind == "zero-column":
                for r in ws[layer + 1]:
                    r[i] = F(0)
            else:
                ws[layer][i] = [F(0)] * len(ws[layer][i])
                bs[layer][i] = F(-1)
    if draw(st.booleans()):
        floating = [[draw(st.booleans()) for _ in b] for b in bs[:L]]
        for layer in range(L):
            for i, f in enumerate(floating[layer]):
                if not f:
                    continue
                bs[layer][i] = F(0)
                for j in range(len(ws[layer][i])):
                    if layer == 0 or not floating[layer - 1][j]:
                        ws[layer][i][j] = F(0)
                for k, r in enumerate(ws[layer + 1]):
                    if layer + 1 == L or not floating[layer + 1][k]:
                        r[i] = F(0)
    return rg.ReLUNetwork(ws, bs)


def _sample_points(net: rg.ReLUNetwork, rng: random.Random) -> list[list[F]]:
    return [[F(rng.randint(-20, 20), rng.randint(1, 5)) for _ in range(net.input_dim)] for _ in range(6)]


@settings(max_examples=150, deadline=None)
@given(degenerate_networks(), st.integers(0, 10**6))
def test_degenerate_orbit_has_one_normal_form(net: rg.ReLUNetwork, seed: int) -> None:
    rng = random.Random(seed)
    nf = rg.normal_form_with_symmetry(net)
    assert nf.symmetry.apply(net) == nf.network
    assert rg.normal_form(nf.network) == nf.network  # idempotent
    for x in _sample_points(net, rng):
        assert nf.network(x) == net(x)
    for _ in range(2):
        moved = random_symmetry(net, rng)
        assert rg.normal_form(moved) == nf.network
        s = rg.same_up_to_symmetry(net, moved)
        assert s is not None and s.apply(net) == moved


def _sign_counts(net: rg.ReLUNetwork) -> list[tuple[int, int]]:
    """Per weight matrix and bias vector: the numbers of positive and negative entries
    (kept by permutations and positive rescalings)."""
    out = []
    for w, b in zip(net.weights, net.biases):
        for vals in ([v for r in w for v in r], list(b)):
            out.append((sum(v > 0 for v in vals), sum(v < 0 for v in vals)))
    return out


@settings(max_examples=100, deadline=None)
@given(degenerate_networks(), st.data())
def test_perturbed_networks_get_different_normal_forms(net: rg.ReLUNetwork, data: st.DataObject) -> None:
    theta = list(net.parameters())
    k = data.draw(st.integers(0, len(theta) - 1))
    # changing the sign of one entry changes a count of signs, an invariant of the orbit
    theta[k] = F(1) if theta[k] <= 0 else data.draw(st.sampled_from([F(0), F(-1)]))
    other = rg.ReLUNetwork.from_parameters(net.architecture, theta)
    assert _sign_counts(other) != _sign_counts(net)
    assert rg.normal_form(other) != rg.normal_form(net)
    assert rg.same_up_to_symmetry(net, other) is None
    # the output bias is kept by every symmetry: moving it gives another orbit
    theta[-1] += 1
    moved = rg.ReLUNetwork.from_parameters(net.architecture, theta)
    assert rg.normal_form(moved) != rg.normal_form(other)


@settings(max_examples=60, deadline=None)
@given(degenerate_networks(), degenerate_networks())
def test_equal_normal_forms_come_with_a_symmetry(a: rg.ReLUNetwork, b: rg.ReLUNetwork) -> None:
    same = a.architecture == b.architecture and rg.normal_form(a) == rg.normal_form(b)
    s = rg.same_up_to_symmetry(a, b)
    assert (s is not None) == same
    if s is not None:
        assert s.apply(a) == b


def test_permuted_copy_with_floating_neuron() -> None:
    # layer 1 has zero rows; layer-2 neuron 2 is reached only through layer-1 neuron 0,
    # which is scaled from above: the scales must be fixed until nothing changes
    net = rg.ReLUNetwork(
        [[[0], [0]], [[1, 0], [2, 2], [1, 0]], [[0, 2, 0]]],
        [[0, 0], [-1, 2, 0], [1]],
    )
    forms = set()
    for p1 in itertools.permutations(range(2)):
        for p2 in itertools.permutations(range(3)):
            moved = net.permute_layer(1, list(p1)).permute_layer(2, list(p2))
            moved = moved.rescale_neuron(1, 0, 3).rescale_neuron(2, 2, F(5, 2))
            nf = rg.normal_form_with_symmetry(moved)
            assert nf.symmetry.apply(moved) == nf.network
            forms.add(nf.network)
    assert forms == {rg.normal_form(net)}
    assert rg.normal_form_with_symmetry(net).floating == ()


def test_floating_components_are_scaled_from_a_root() -> None:
    # layer-1 neurons 1, 2 and layer-2 neurons 1, 2 form a 4-cycle of floating neurons
    # with cycle product 2 * 5 / (3 * 1), which no rescaling changes
    W1 = [[1], [0], [0]]
    W2 = [[1, 0, 0], [0, 2, 3], [0, 1, 5]]
    net = rg.ReLUNetwork([W1, W2, [[1, 0, 0]]], [[0, 0, 0], [0, 0, 0], [0]])
    nf = rg.normal_form_with_symmetry(net)
    assert len(nf.floating) == 4
    rng = random.Random(1)
    for _ in range(10):
        assert rg.normal_form(random_symmetry(net, rng)) == nf.network
    # a different cycle product is a different orbit
    other = rg.ReLUNetwork([W1, [[1, 0, 0], [0, 2, 3], [0, 1, 6]], [[1, 0, 0]]], [[0, 0, 0], [0, 0, 0], [0]])
    assert rg.normal_form(other) != nf.network
    # a floating pair: its weight is normalized to 1 in absolute value
    pair = rg.ReLUNetwork([[[1], [0]], [[1, 0], [0, -7]], [[1, 0]]], [[0, 0], [0, 0], [0]])
    assert sorted(abs(v) for r in rg.normal_form(pair).weights[1] for v in r) == [0, 0, 1, 1]


def test_twins_zero_and_dead_neurons() -> None:
    # twins 0, 1 (one a multiple of the other), a zero neuron 2, a dead neuron 3
    net = rg.ReLUNetwork(
        [[[1, -1], [2, -2], [0, 0], [0, 0]], [[1, 3, 4, 5], [2, -1, 0, 6]], [[1, -1]]],
        [[1, 2, 0, -1], [0, 1], [2]],
    )
    rng = random.Random(4)
    forms = {rg.normal_form(random_symmetry(net, rng)) for _ in range(20)}
    assert forms == {rg.normal_form(net)}
    nf = rg.normal_form_with_symmetry(net)
    assert nf.floating == () and len(nf.zero_incoming) == 1


def test_many_interchangeable_neurons_are_fast() -> None:
    # 40 identical zero neurons and 24 parallel copies x -> a_i -> b_i -> y: the search
    # keeps one child per orbit of the automorphisms it finds
    n = 24
    ws = [[[1]] * n, [[1 if j == i else 0 for j in range(n)] for i in range(n)], [[1] * n]]
    copies = rg.ReLUNetwork(ws, [[0] * n, [0] * n, [0]])
    nf = rg.normal_form(copies, max_leaves=2 * n)
    assert rg.normal_form(random_symmetry(copies, random.Random(0)), max_leaves=2 * n) == nf
    zeros = rg.ReLUNetwork([[[0, 0]] * 40 + [[1, "1/2"]], [[0] * 40 + [1]]], [[0] * 40 + [1], [0]])
    assert rg.normal_form(zeros, max_leaves=1) == zeros
    assert rg.normal_form(zeros.permute_layer(1, list(range(40, -1, -1))), max_leaves=1) == zeros


def test_limit_on_the_search() -> None:
    # layer-1 twins joined to layer 2 by the incidence matrix of a 6-cycle: refinement
    # cannot tell the neurons apart, so the search needs several leaves
    n = 6
    W2 = [[1 if j in (i, (i + 1) % n) else 0 for j in range(n)] for i in range(n)]
    net = rg.ReLUNetwork([[[1]] * n, W2, [[1] * n]], [[0] * n, [0] * n, [0]])
    with pytest.raises(rg.LimitExceededError, match="max_leaves"):
        rg.normal_form(net, max_leaves=1)
    assert rg.normal_form(net) == rg.normal_form(random_symmetry(net, random.Random(2)))


def test_not_a_network() -> None:
    with pytest.raises(rg.InvalidInputError, match="net"):
        rg.normal_form([[1]])  # type: ignore[arg-type]
