"""The exact bound rule against the plain-Fraction transcription of the document (tests/certcheck.py),
its soundness at exact points, and the float guide's agreement with it."""

from __future__ import annotations

import random
from fractions import Fraction as F

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.certify.bounds import exact_bounds, float_bounds
from tests.certcheck import bound_rule, upper

nets = st.builds(
    lambda arch, seed: rg.ReLUNetwork.random(arch, seed=seed, max_numerator=5, max_denominator=3),
    st.sampled_from([[1, 2, 1], [2, 3, 2], [2, 2, 2, 1], [3, 4, 3, 2], [2, 1], [1, 1, 1, 1]]),
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


@settings(max_examples=40, deadline=None)
@given(nets, st.integers(0, 10**6))
def test_sound_at_exact_points(net, seed):
    box = _box(seed, net.input_dim)
    eb = exact_bounds(net, box)
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
    ties = False
    for l_ex, u_ex, ph, l_fl, u_fl in zip(eb.lower, eb.upper, eb.phases, fb.lower, fb.upper):
        for j, s in enumerate(ph):
            if s == 0 and (l_ex[j] + u_ex[j] >= 0) != (l_fl[j] + u_fl[j] >= 0):
                assert abs(l_ex[j] + u_ex[j]) / scale <= 1e-6 * (1 + abs(u_ex[j] - l_ex[j]) / scale)
                ties = True
    assume(not ties)
    assert abs(exact - guide) <= 1e-6 * (1 + abs(exact))
