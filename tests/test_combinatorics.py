"""Arrangement formulas against hand counts."""

import math

import pytest

import relu_geom as rg


@pytest.mark.parametrize("n", range(0, 7))
def test_lines_in_the_plane(n):
    # n generic lines: C(n, 2) crossings, each line cut into n pieces, 1 + n + C(n, 2) regions
    assert rg.general_position_f_vector(n, 2) == (n * (n - 1) // 2, n * n, 1 + n + n * (n - 1) // 2)


@pytest.mark.parametrize("n", range(0, 7))
def test_points_on_the_line(n):
    assert rg.general_position_f_vector(n, 1) == (n, n + 1)
    assert rg.general_position_bounded_regions(n, 1) == max(n - 1, 0)


def test_euler_relation_in_space():
    for n in range(8):
        f = rg.general_position_f_vector(n, 3)
        assert f[0] - f[1] + f[2] - f[3] == -1


def test_bad_arguments():
    with pytest.raises(rg.InvalidInputError, match="d >= 1"):
        rg.general_position_f_vector(3, 0)


@pytest.mark.parametrize(("n", "d"), [(10, 201), (7**10000, 7**10000), (2**400, 200), (2**40000, 2)], ids=["d", "both", "bits", "n"])
def test_counts_beyond_the_bounds_end_at_once(n, d):
    # before: general_position_f_vector(7**10000, 7**10000) never ended
    with pytest.raises(rg.LimitExceededError, match="beyond the bounds"):
        rg.general_position_f_vector(n, d)
    with pytest.raises(rg.LimitExceededError):
        rg.general_position_bounded_regions(n, d)


def test_counts_at_the_bounds():
    # d = 200: the regions of n >= d hyperplanes in general position number sum_{i<=d} C(n, i)
    n = 300
    assert rg.general_position_f_vector(n, 200)[-1] == sum(math.comb(n, i) for i in range(201))

