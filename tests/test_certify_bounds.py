"""The exact bound rule against the plain-Fraction transcription of the document (tests/certcheck.py),
its soundness at exact points, and the float guide's agreement with it."""

from __future__ import annotations

import random
from fractions import Fraction as F

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.certify.bounds import exact_bounds, float_bounds, float_bounds_batch
from relu_geom.testing import specimens
from tests.certcheck import back_substitute, bound_rule, upper

nets = st.builds(
    lambda arch, seed: rg.ReLUNetwork.random(arch, seed=seed, max_numerator=5, max_denominator=3),
    st.sampled_from([[1, 2, 1], [2, 3, 2], [2, 2, 2, 1], [3, 4, 3, 2], [2, 1], [1, 1, 1, 1]]),
    st.integers(0, 10**6),
)

deep_nets = st.builds(
    lambda arch, seed: rg.ReLUNetwork.random(arch, seed=seed, max_numerator=5, max_denominator=3),
    st.sampled_from([[1, 2, 2, 2, 1], [2, 3, 3, 3, 2], [2, 2, 2, 2, 2, 1], [3, 2, 3, 2, 1], [2, 1, 1, 1, 1]]),
    st.integers(0, 10**6),
)


def _box(seed, d, e=0):
    rng = random.Random(seed)
    out = []
    for _ in range(d + e):
        a = F(rng.randint(-8, 8), rng.randint(1, 4))
        out.append((a, a + F(rng.randint(0, 8), rng.randint(1, 3))))
    return out


@settings(max_examples=60, deadline=None)
@given(nets, st.integers(0, 10**6), st.integers(0, 2), st.sampled_from([4, 32]))
def test_matches_the_document_exactly(net, seed, e, bits):
    box = _box(seed, net.input_dim, e)
    rng = random.Random(seed)
    fixed = {n: rng.choice((-1, 1)) for n in net.neurons if rng.random() < 0.3}
    eb = exact_bounds(net, box, fixed, bits=bits)
    empty, phases, La, Ua = bound_rule(net, box, fixed, bits)
    assert eb.empty == empty
    if empty:
        return
    assert [list(p) for p in eb.phases] == [list(p) for p in phases]
    m = net.output_dim
    p = [F(rng.randint(-3, 3), rng.randint(1, 3)) for _ in range(len(box))]
    q = [F(rng.randint(-3, 3), rng.randint(1, 3)) for _ in range(m)]
    c = F(rng.randint(-3, 3), 7)
    assert eb.upper_bound(p, q, c) == upper(net, box, La, Ua, p, q, c)


@settings(max_examples=80, deadline=None)
@given(st.one_of(nets, deep_nets), st.integers(0, 10**6), st.sampled_from(["forward", "backward"]))
def test_sound_at_exact_points(net, seed, rule):
    box = _box(seed, net.input_dim)
    eb = exact_bounds(net, box, rule=rule)
    rng = random.Random(seed + 1)
    q = [F(rng.randint(-3, 3)) for _ in range(net.output_dim)]
    bound = eb.upper_bound([F(0)] * len(box), q, F(0))
    for _ in range(20):
        x = [lo + (hi - lo) * F(rng.randint(0, 8), 8) for lo, hi in box]
        for layer, z in enumerate(net.preactivations(x), start=1):
            for j, v in enumerate(z):
                assert F(eb.lower[layer - 1][j], 2**32) <= v <= F(eb.upper[layer - 1][j], 2**32)
        assert sum(a * b for a, b in zip(q, net(x))) <= bound


@settings(max_examples=30, deadline=None)
@given(nets, st.integers(0, 10**6))
def test_float_guide_is_close(net, seed):
    box = _box(seed, net.input_dim)
    eb = exact_bounds(net, box)
    lo = np.array([float(a) for a, _ in box])
    hi = np.array([float(b) for _, b in box])
    fb = float_bounds(net, lo, hi)
    q = [F(1)] + [F(0)] * (net.output_dim - 1)
    exact = float(eb.upper_bound([F(0)] * len(box), q, F(0)))
    guide = fb.upper_bound(np.zeros(len(box)), np.array([float(v) for v in q]), 0.0)
    # an unstable neuron with u + l = 0 in exact arithmetic is a tie of the rule's lower
    # relaxation (La = Lz or 0): the rounded exact rule and the unrounded guide may choose
    # differently there, and then the bounds differ; elsewhere they must agree
    scale = 2**eb.bits
    # a neuron whose rounded bound is at 0 (stable in one, unstable in the other) changes the
    # propagation after it: the guide is compared where both give the same phases
    for ph, fph in zip(eb.phases, fb.phases):
        assume(list(ph) == [int(v) for v in fph])
    ties = False
    for l_ex, u_ex, ph, l_fl, u_fl in zip(eb.lower, eb.upper, eb.phases, fb.lower, fb.upper):
        for j, s in enumerate(ph):
            if s == 0 and (l_ex[j] + u_ex[j] >= 0) != (l_fl[j] + u_fl[j] >= 0):
                assert abs(l_ex[j] + u_ex[j]) / scale <= 1e-6 * (1 + abs(u_ex[j] - l_ex[j]) / scale)
                ties = True
    assume(not ties)
    assert abs(exact - guide) <= 1e-6 * (1 + abs(exact))



@settings(max_examples=60, deadline=None)
@given(st.one_of(nets, deep_nets), st.integers(0, 10**6), st.integers(0, 2), st.sampled_from([4, 32]))
def test_backward_rule_matches_the_document_exactly(net, seed, e, bits):
    box = _box(seed, net.input_dim, e)
    rng = random.Random(seed)
    fixed = {n: rng.choice((-1, 1)) for n in net.neurons if rng.random() < 0.3}
    eb = exact_bounds(net, box, fixed, bits=bits, rule="backward")
    bounds: list = []
    empty, phases, La, Ua = bound_rule(net, box, fixed, bits, bounds, rule="backward")
    assert eb.empty == empty
    if empty:
        return
    assert [list(p) for p in eb.phases] == [list(p) for p in phases]
    assert [[(F(lo, 2**bits), F(up, 2**bits)) for lo, up in zip(lw, uw)] for lw, uw in zip(eb.lower, eb.upper)] == bounds
    m = net.output_dim
    p = [F(rng.randint(-3, 3), rng.randint(1, 3)) for _ in range(len(box))]
    q = [F(rng.randint(-3, 3), rng.randint(1, 3)) for _ in range(m)]
    c = F(rng.randint(-3, 3), 7)
    want = upper(net, box, La, Ua, p, q, c)
    if net.depth > 1:
        w = [sum((qi * row[j] for qi, row in zip(q, net.weights[-1])), F(0)) for j in range(len(net.weights[-1][0]))]
        const = c + sum((qi * bi for qi, bi in zip(q, net.biases[-1])), F(0))
        g, const = back_substitute(net, phases, bounds, bits, w, const, net.depth)
        coef = [a + (g[i] if i < net.input_dim else 0) for i, a in enumerate(p)]
        want = min(want, const + sum(a * (hi if a > 0 else lo) for a, (lo, hi) in zip(coef, box)))
    assert eb.upper_bound(p, q, c) == want


def test_backward_rule_by_hand():
    # z_1 = (2x - 1, -2x) on [-1, 1]: l = (-3, -2), u = (1, 2), slopes t = (1/4, 1/2),
    # alpha = (0, 1).  Layer 2 (both rules alike): z_21 = -a_1 - a_2 in [-2, 2] and
    # z_22 = 2 a_1 - a_2 + 1 in [-1, 5].  Layer 3, z_3 = 2 b_1 - b_2 - 1 (b = relu(z_2)):
    # forward, Ua_b1 = (x + 1) and La_b2 = Lz_22 = x give Uz_3 = x + 1, so u = 2;
    # backward, 2 (1/2) (z_21 + 2) - z_22 - 1 = -3 a_1, and a_1 >= alpha_1 z_11 = 0: u = 0
    # (the true maximum is -1: relu(-a_1 - a_2) = 0).
    net = specimens.dead_third_layer()
    box = [(F(-1), F(1))]
    fw, bw = exact_bounds(net, box), exact_bounds(net, box, rule="backward")
    assert [(F(lo, 2**32), F(up, 2**32)) for lo, up in zip(bw.lower[1], bw.upper[1])] == [(-2, 2), (-1, 5)]
    assert bw.lower[:2] == fw.lower[:2] and bw.upper[:2] == fw.upper[:2]
    assert (fw.upper[2][0], fw.phases[2]) == (2 * 2**32, (0,))
    assert (bw.upper[2][0], bw.phases[2]) == (0, (-1,))
    assert bw.upper_bound([F(0)], [F(1)], F(0)) == -2  # y = 2 relu(z_3) - 2 with z_3 dead


def _assert_guide_close(eb, fb):
    """The float guide's bounds within 1e-6 (relative) of the exact rule's, where both give
    the same phases and no lower relaxation sits at its tie ``u + l = 0``."""
    scale = 2**eb.bits
    for l_ex, u_ex, ph, fph in zip(eb.lower, eb.upper, eb.phases, fb.phases):
        assume(list(ph) == [int(v) for v in fph])
        assume(all(abs(a + c) / scale > 1e-6 for a, c, s in zip(l_ex, u_ex, ph) if s == 0))
    for l_ex, u_ex, l_fl, u_fl in zip(eb.lower, eb.upper, fb.lower, fb.upper):
        for a, c, fa, fc in zip(l_ex, u_ex, l_fl, u_fl):
            assert abs(a / scale - fa) <= 1e-6 * (1 + abs(fa)) and abs(c / scale - fc) <= 1e-6 * (1 + abs(fc))


@settings(max_examples=30, deadline=None)
@given(deep_nets, st.integers(0, 10**6))
def test_backward_float_guide_is_close(net, seed):
    box = _box(seed, net.input_dim)
    eb = exact_bounds(net, box, rule="backward")
    lo = np.array([float(a) for a, _ in box])
    hi = np.array([float(b) for _, b in box])
    fb = float_bounds(net, lo, hi, rule="backward")
    # ties of the lower relaxation (u + l = 0) and phases at 0 may choose differently (see above)
    _assert_guide_close(eb, fb)
    q = [F(1)] + [F(0)] * (net.output_dim - 1)
    exact = float(eb.upper_bound([F(0)] * len(box), q, F(0)))
    guide = fb.upper_bound(np.zeros(len(box)), np.array([float(v) for v in q]), 0.0)
    assert abs(exact - guide) <= 1e-6 * (1 + abs(exact))


@settings(max_examples=30, deadline=None)
@given(deep_nets, st.integers(0, 10**6))
def test_backward_float_guide_in_a_batch_is_each_box_alone(net, seed):
    # a box and its two halves along the first coordinate in one call: their unstable neurons
    # differ, and each box's bounds must be those of the exact rule on that box alone
    box = _box(seed, net.input_dim)
    lo0, hi0 = box[0]
    mid = (lo0 + hi0) / 2
    boxes = [box, [(lo0, mid), *box[1:]], [(mid, hi0), *box[1:]]]
    lo = np.array([[float(a) for a, _ in b] for b in boxes])
    hi = np.array([[float(c) for _, c in b] for b in boxes])
    batch = float_bounds_batch(net, lo, hi, [{}, {}, {}], rule="backward")
    for i, b in enumerate(boxes):
        eb = exact_bounds(net, b, rule="backward")
        fb = batch.node(i)
        # a forward bound at 0 may make the neuron stable in floats and unstable exactly
        # (then only the exact rule back-substitutes it)
        fw = float_bounds(net, lo[i], hi[i])
        assume(all(abs(v) > 1e-6 for arr in (*fw.lower, *fw.upper) for v in arr))
        _assert_guide_close(eb, fb)
