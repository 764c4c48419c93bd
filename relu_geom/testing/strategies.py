"""Hypothesis strategies for small random networks, degenerate ones included.

Needs the ``hypothesis`` package (the ``test`` extra).  Degenerate networks
have duplicate, parallel, dead, zero-bias and zero-row neurons: small integer
entries make such coincidences frequent, and one layer in two gets a row
that is twice another.

Examples
--------
>>> import relu_geom as rg
>>> from hypothesis import given, settings
>>> from relu_geom.testing.strategies import networks
>>> @settings(max_examples=5)
... @given(networks(max_dim=2))
... def affine_on_a_region(net):
...     assert len(net([0] * net.input_dim)) == net.output_dim
>>> affine_on_a_region()
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

from relu_geom.network import ReLUNetwork

__all__ = ["networks", "small_rationals"]

small_rationals = st.builds(Fraction, st.integers(-3, 3), st.sampled_from([1, 1, 2, 3]))
"""Rationals ``p/q`` with ``|p| <= 3`` and ``q`` in 1, 2, 3 (zero and 1 are frequent)."""


@st.composite
def networks(
    draw: Any, *, max_dim: int = 2, max_width: int = 3, max_depth: int = 2, degenerate: bool = True
) -> ReLUNetwork:
    """Small random networks with 1 to ``max_depth`` hidden layers and 1 or 2 outputs.

    With ``degenerate`` the entries come from :data:`small_rationals` and a
    layer may repeat its first row doubled (a parallel or duplicate neuron);
    without it they are ``p/q`` with ``|p| <= 50``, ``q <= 7``.
    """
    d = draw(st.integers(1, max_dim))
    depth = draw(st.integers(1, max_depth))
    widths = [draw(st.integers(1, max_width)) for _ in range(depth)]
    arch = [d, *widths, draw(st.integers(1, 2))]
    entry = small_rationals if degenerate else st.builds(Fraction, st.integers(-50, 50), st.integers(1, 7))
    ws, bs = [], []
    for i in range(len(arch) - 1):
        rows = [[draw(entry) for _ in range(arch[i])] for _ in range(arch[i + 1])]
        if degenerate and len(rows) > 1 and draw(st.booleans()):
            rows[-1] = [v * 2 for v in rows[0]]
        ws.append(rows)
        bs.append([draw(entry) for _ in range(arch[i + 1])])
    return ReLUNetwork(ws, bs)
