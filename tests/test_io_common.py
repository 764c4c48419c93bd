"""Tests of relu_geom.io._common: correct rounding, exact arrays, affine chains, file checks."""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from relu_geom.errors import (
    InvalidInputError,
)
from relu_geom.io import _common


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
        assert _common.round_to_format(value, fmt, "v") == expected

    @given(st.floats(allow_nan=False, allow_infinity=False, min_value=-3e38, max_value=3e38))
    def test_single_rounding_from_a_double_agrees_with_numpy(self, x):
        assert _common.round_to_format(F(x), "float32", "v") == float(np.float32(x))

    @pytest.mark.parametrize(
        ("value", "fmt"), [(F(65520), "float16"), (F(2**128), "float32"), (F(2**1024), "float64")]
    )
    def test_overflow_is_an_error(self, value, fmt):
        with pytest.raises(InvalidInputError, match=f"v = {value} is too large for {fmt}"):
            _common.round_to_format(value, fmt, "v")
