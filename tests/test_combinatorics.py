"""Arrangement formulas against hand counts."""

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
