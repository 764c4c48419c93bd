"""Tests of the helpers the network readers and writers share (relu_geom.io.round_to_format,
relu_geom.io.AffineChain): correct rounding and exact affine chains."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.errors import (
    InvalidInputError,
)
from relu_geom.io import AffineChain, round_to_format
from relu_geom.testing import specimens


# ---------------------------------------------------------------------------
# float rounding of the float writers
# ---------------------------------------------------------------------------
class TestRounding:
    @pytest.mark.parametrize(
        ("value", "fmt", "expected"),
        [
            # just above the float32 midpoint between 1 and 1 + 2**-23: the nearest is 1 + 2**-23,
            # although rounding to float64 first (1 + 2**-24, a tie) and then to float32 gives 1
            (F(1) + F(1, 2**24) + F(1, 2**80), "float32", 1 + 2.0**-23),
            (F(1) + F(1, 2**24), "float32", 1.0),  # exact tie: to even
            (F(1) + F(3, 2**24), "float32", 1 + 2.0**-22),  # exact tie: to even (upwards)
            (F(1, 3), "float32", 11184811 / 2**25),
            (F(-1, 3), "float16", -1365 / 2**12),
            (F(1, 2**25), "float16", 0.0),  # half the smallest subnormal 2**-24: tie to even zero
            (F(3, 2**26), "float16", 2.0**-24),
            (F(65519), "float16", 65504.0),
            (F(1, 3), "bfloat16", 171 / 2**9),
            (F(1, 3), "float64", 1 / 3),
            (F(0), "float32", 0.0),
        ],
    )
    def test_correct_rounding(self, value, fmt, expected):
        assert round_to_format(value, fmt, "v") == expected

    @given(st.floats(allow_nan=False, allow_infinity=False, min_value=-3e38, max_value=3e38))
    def test_single_rounding_from_a_double_agrees_with_numpy(self, x):
        assert round_to_format(F(x), "float32", "v") == float(np.float32(x))

    @pytest.mark.parametrize(
        ("value", "fmt"), [(F(65520), "float16"), (F(2**128), "float32"), (F(2**1024), "float64")]
    )
    def test_overflow_is_an_error(self, value, fmt):
        with pytest.raises(InvalidInputError, match=f"v = {value} is too large for {fmt}"):
            round_to_format(value, fmt, "v")


# ---------------------------------------------------------------------------
# exact affine chains (the folding engine of the PyTorch and ONNX readers)
# ---------------------------------------------------------------------------
class TestAffineChain:
    def test_taps_are_exact_more_outputs(self):
        # taps of the input, a pre-activation, a post-activation and the output, by hand
        chain = AffineChain(2)
        chain.tap()  # x
        chain.linear([[F(1), F(-1)], [F(2), F(1)], [F(0), F(1)]], [F(1), F(0), F(-1)])
        chain.tap()  # z1
        chain.relu()
        chain.tap()  # a1
        chain.linear([[F(1), F(1), F(-1)], [F(-1), F(2), F(1)]], [F(0), F(1)])
        chain.relu()
        chain.linear([[F(3), F(-2)]], [F(1, 2)])
        chain.tap()  # y
        net = chain.network()
        for x in ([F(0), F(0)], [F(-3), F(1, 2)], [F(5, 3), F(-7, 2)], [F(1), F(9)]):
            z1 = [x[0] - x[1] + 1, 2 * x[0] + x[1], x[1] - 1]
            a1 = [max(v, F(0)) for v in z1]
            a2 = [max(v, F(0)) for v in (a1[0] + a1[1] - a1[2], -a1[0] + 2 * a1[1] + a1[2] + 1)]
            y = [3 * a2[0] - 2 * a2[1] + F(1, 2)]
            assert list(net(x)) == y + x + z1 + a1 + y

    def test_without_operations_it_is_the_identity(self):
        assert AffineChain(2).network() == specimens.identity_2d()

    def test_composition_by_hand(self):
        chain = AffineChain(2)
        chain.scale_shift([F(2), F(-1)], [F(1), F(0)])  # (2 x1 + 1, -x2)
        chain.linear([[F(1), F(1)]], [F(3)])  # 2 x1 - x2 + 4
        chain.relu()
        chain.shift([F(-1)])
        chain.linear([[F(1, 2)], [F(-1)]])  # (r/2 - 1/2, 1 - r)
        chain.permute([1, 0])
        net = chain.network()
        assert net == rg.ReLUNetwork([[[2, -1]], [[-1], ["1/2"]]], [[4], [1, "-1/2"]])

    def test_sizes_are_bounded(self):
        with pytest.raises(rg.LimitExceededError, match="input width"):
            AffineChain(rg.io.MAX_PARAMETERS + 1)
        chain = AffineChain(10**4)
        with pytest.raises(rg.LimitExceededError, match="an affine map"):
            chain.linear([[F(0)] * 10**4] * (10**3 + 1))

    @given(
        st.lists(st.integers(-4, 4), min_size=3, max_size=3),
        st.lists(st.integers(-4, 4), min_size=2, max_size=2),
    )
    def test_matches_direct_evaluation(self, w, x):
        chain = AffineChain(2)
        chain.linear([[F(w[0]), F(w[1])]], [F(w[2])])
        chain.relu()
        chain.scale_shift([F(3)], [F(-1)])
        z = max(w[0] * x[0] + w[1] * x[1] + w[2], 0)
        assert chain.network()(x) == (F(3 * z - 1),)
