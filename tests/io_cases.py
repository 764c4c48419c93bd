"""Specimen networks and strategies shared by the tests of relu_geom.io (tests/test_io*.py)."""

from __future__ import annotations

import os
from fractions import Fraction as F
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.testing import specimens

DATA = Path(__file__).parent / "data"

# f(x) = relu(x1 - x2) + relu(x1 + x2 - 1/2)
HAND = specimens.two_hinges_2d()

# the network stored in tests/data/network_v1.json (written by hand)
GOLDEN = rg.ReLUNetwork(
    [[[1, "-1/3"], [0, 2], ["5/2", -1]], [[1, -1, "1/7"]]],
    [[0, "-1/2", 3], ["2/3"]],
)

FAST = settings(max_examples=25, deadline=None)


def architectures(max_width: int = 4, max_depth: int = 3) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(1, max_width), min_size=2, max_size=max_depth + 2)


@st.composite
def dyadic_networks(draw: st.DrawFn, max_bits: int = 4) -> rg.ReLUNetwork:
    """Networks with entries p / 2**k, |p| <= 16, k <= max_bits: float64 arithmetic on them is exact."""
    arch = draw(architectures(max_width=3, max_depth=2))
    entry = st.builds(lambda p, k: F(p, 2**k), st.integers(-16, 16), st.integers(0, max_bits))
    ws = [[[draw(entry) for _ in range(arch[i])] for _ in range(arch[i + 1])] for i in range(len(arch) - 1)]
    bs = [[draw(entry) for _ in range(arch[i + 1])] for i in range(len(arch) - 1)]
    return rg.ReLUNetwork(ws, bs)


def listing(directory: Path) -> list[str]:
    return sorted(os.listdir(directory))
