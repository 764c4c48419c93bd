"""The checker's bound rules (relu_geom/verify/bounds.py) against the plain-Fraction
transcription of docs/certificates.md in tests/certcheck.py, forward and backward, on
networks with and without hidden layers, degenerate ones included (zero rows and biases,
duplicate neurons, dead neurons)."""

from __future__ import annotations

import random
from fractions import Fraction as F

from hypothesis import given, settings
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.testing import specimens
from relu_geom.verify.bounds import IntegerNetwork, backward_max, propagate
from tests.certcheck import back_substitute, bound_rule

ARCHS = [[1, 2, 1], [2, 3, 2], [1, 2, 2, 2, 1], [2, 3, 3, 3, 2], [2, 2, 2, 2, 2, 1], [3, 2, 3, 2, 1], [2, 1]]


@st.composite
def networks(draw):
    arch = draw(st.sampled_from(ARCHS))
    net = rg.ReLUNetwork.random(arch, seed=draw(st.integers(0, 10**6)), max_numerator=4, max_denominator=3)
    kind = draw(st.sampled_from(["plain", "zero row", "duplicate", "dead"]))
    if kind == "plain" or net.depth == 0:
        return net
    weights = [[list(r) for r in w] for w in net.weights]
    biases = [list(b) for b in net.biases]
    layer = draw(st.integers(0, net.depth - 1))
    if kind == "zero row":
        weights[layer][0] = [F(0)] * len(weights[layer][0])
        biases[layer][0] = F(0)
    elif kind == "duplicate" and len(weights[layer]) > 1:
        weights[layer][1], biases[layer][1] = list(weights[layer][0]), biases[layer][0]
    elif kind == "dead":
        weights[layer][0] = [F(0)] * len(weights[layer][0])
        biases[layer][0] = F(-1)
    return rg.ReLUNetwork(weights, biases)


def _box(seed, d):
    rng = random.Random(seed)
    out = []
    for _ in range(d):
        a = F(rng.randint(-8, 8), rng.randint(1, 4))
        out.append((a, a + F(rng.randint(0, 8), rng.randint(1, 3))))
    return out


@settings(max_examples=80, deadline=None)
@given(networks(), st.integers(0, 10**6), st.sampled_from(["forward", "backward"]), st.sampled_from([4, 32]))
def test_propagation_matches_the_document(net, seed, rule, k):
    box = _box(seed, net.input_dim)
    rng = random.Random(seed)
    fixed = {n: rng.choice((-1, 1)) for n in net.neurons if rng.random() < 0.3}
    inet = IntegerNetwork(net)
    if net.depth == 0:
        return
    prop = propagate(inet, box, fixed, k, rule)
    bounds: list = []
    empty, phases, _, _ = bound_rule(net, box, fixed, k, bounds, rule=rule)
    assert prop.empty == empty
    if empty:
        return
    assert [list(p) for p in prop.phases] == [list(p) for p in phases]
    assert [[(F(lo, 2**k), F(up, 2**k)) for lo, up in layer] for layer in prop.bounds] == bounds
    if rule == "backward" and net.depth > 1:
        p = [F(rng.randint(-3, 3), rng.randint(1, 3)) for _ in range(net.input_dim)]
        q = [F(rng.randint(-3, 3), rng.randint(1, 3)) for _ in range(net.output_dim)]
        c = F(rng.randint(-3, 3), 7)
        w = [sum((qi * row[j] for qi, row in zip(q, net.weights[-1])), F(0)) for j in range(len(net.weights[-1][0]))]
        const = c + sum((qi * bi for qi, bi in zip(q, net.biases[-1])), F(0))
        g, const = back_substitute(net, phases, bounds, k, w, const, net.depth)
        want = const + sum(
            (a + gi) * (hi if a + gi > 0 else lo) for a, gi, (lo, hi) in zip(p, g, box)
        )
        assert backward_max(inet, prop, k, box, p, q, c) == want


def test_backward_bounds_by_hand():
    # the network of tests/test_certify_bounds.py::test_backward_rule_by_hand: z_3 <= 0 backward, <= 2 forward
    net = specimens.dead_third_layer()
    inet = IntegerNetwork(net)
    box = [(F(-1), F(1))]
    assert propagate(inet, box, {}, 32).bounds[2][0][1] == 2 * 2**32
    back = propagate(inet, box, {}, 32, "backward")
    assert back.bounds[2][0][1] == 0 and back.phases[2] == (-1,)
    # a split fixing the neuron keeps its forward bounds (and z_3 <= 2 does not contradict phase +1)
    assert propagate(inet, box, {(3, 0): 1}, 32, "backward").bounds[2][0][1] == 2 * 2**32
