"""Shared test set-up: hypothesis profiles and strategies for random (degenerate) networks."""

from __future__ import annotations

import os
from fractions import Fraction

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

import relu_geom as rg

settings.register_profile(
    "default", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci",
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],  # no slow "explain"
)
settings.load_profile("ci" if os.environ.get("CI") else "default")

small_rationals = st.builds(Fraction, st.integers(-3, 3), st.sampled_from([1, 1, 2, 3]))


@st.composite
def networks(draw, *, max_dim: int = 2, max_width: int = 3, max_depth: int = 2, degenerate: bool = True):
    """Small random networks; with ``degenerate`` they may have duplicate, parallel, dead,
    zero-bias and zero-row neurons (small integers make coincidences frequent)."""
    d = draw(st.integers(1, max_dim))
    depth = draw(st.integers(1, max_depth))
    widths = [draw(st.integers(1, max_width)) for _ in range(depth)]
    arch = [d, *widths, draw(st.integers(1, 2))]
    entry = small_rationals if degenerate else st.builds(Fraction, st.integers(-50, 50), st.integers(1, 7))
    ws, bs = [], []
    for i in range(len(arch) - 1):
        rows = [[draw(entry) for _ in range(arch[i])] for _ in range(arch[i + 1])]
        if degenerate and len(rows) > 1 and draw(st.booleans()):
            rows[-1] = [v * 2 for v in rows[0]]  # a parallel or duplicate neuron
        ws.append(rows)
        bs.append([draw(entry) for _ in range(arch[i + 1])])
    return rg.ReLUNetwork(ws, bs)
