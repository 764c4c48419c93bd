"""Small networks the tests share, each with the function it computes written out.

The named phenomena live in :mod:`relu_geom.zoo`; this module adds the plain
cases several test modules need (one output neuron read off a coordinate, a
network without hidden layers, the identity through a ReLU layer), so that
every network used in more than one test module is written once.

Examples
--------
>>> import relu_geom as rg
>>> from relu_geom.testing import specimens
>>> specimens.relu_sum_2d()([-1, 2])
(Fraction(2, 1),)
>>> specimens.affine_1x2()([1, 1])
(Fraction(6, 1),)
"""

from __future__ import annotations

from fractions import Fraction

from relu_geom.network import ReLUNetwork
from relu_geom.zoo import abs_1d

__all__ = [
    "abs_1d",
    "affine_1x2",
    "cancelling_pair_2d",
    "gate_1d",
    "hidden_line_2d",
    "identity_1d",
    "line_classifier_2d",
    "identity_2d",
    "max_zero_2d_other",
    "one_neuron_1x2",
    "plus_minus_1d",
    "relu_of_sum_2d",
    "relu_1d",
    "relu_pair_2d",
    "relu_relu_x1_2d",
    "relu_diff_2d",
    "relu_sum_2d",
    "relu_sum_3d",
    "relu_x1_2d",
    "spectral_pair_2d",
    "three_lines_2d",
    "tie_region_2d",
    "two_hinges_2d",
    "two_relu_sum_2d",
    "x1_by_a_pair_2d",
    "zero_2d",
    "zero_by_a_pair_1d",
    "zero_by_a_pair_2d",
]


def relu_1d() -> ReLUNetwork:
    """``relu(x)`` with one hidden neuron."""
    return ReLUNetwork([[[1]], [[1]]], [[0], [0]])


def relu_sum_2d() -> ReLUNetwork:
    """``relu(x1) + relu(x2)``: two coordinate lines, four regions."""
    return ReLUNetwork([[[1, 0], [0, 1]], [[1, 1]]], [[0, 0], [0]])


def relu_diff_2d() -> ReLUNetwork:
    """``relu(x1) - relu(x2)``: equal to ``x1 - x2`` on the quadrant ``x1, x2 >= 0``."""
    return ReLUNetwork([[[1, 0], [0, 1]], [[1, -1]]], [[0, 0], [0]])


def relu_x1_2d() -> ReLUNetwork:
    """``relu(x1)``: the second neuron ``relu(x2)`` has output weight 0 (an invisible line)."""
    return ReLUNetwork([[[1, 0], [0, 1]], [[1, 0]]], [[0, 0], [0]])


def relu_pair_2d() -> ReLUNetwork:
    """``(relu(x1), relu(x2))``: two outputs, the positive part of the input."""
    return ReLUNetwork([[[1, 0], [0, 1]], [[1, 0], [0, 1]]], [[0, 0], [0, 0]])


def plus_minus_1d() -> ReLUNetwork:
    """``(x, -x)``: no hidden layer, two outputs."""
    return ReLUNetwork([[[1], [-1]]], [[0, 0]])


def two_relu_sum_2d() -> ReLUNetwork:
    """``2 relu(x1 + x2) + relu(x1 - x2)``: two crossing lines, four regions."""
    return ReLUNetwork([[[1, 1], [1, -1]], [[2, 1]]], [[0, 0], [0]])


def line_classifier_2d() -> ReLUNetwork:
    """Scores ``(x1 + 2 x2, 0)``: no hidden layer, the class changes on the line ``x1 + 2 x2 = 0``."""
    return ReLUNetwork([[[1, 2], [0, 0]]], [[0, 0]])


def affine_1x2() -> ReLUNetwork:
    """``x1 + 2 x2 + 3``: no hidden layer."""
    return ReLUNetwork([[[1, 2]]], [[3]])


def one_neuron_1x2() -> ReLUNetwork:
    """``relu(x1 + 2 x2 + 3)``: one hidden neuron."""
    return ReLUNetwork([[[1, 2]], [[1]]], [[3], [0]])


def identity_1d() -> ReLUNetwork:
    """``x``: no hidden layer, weight 1, bias 0."""
    return ReLUNetwork([[[1]]], [[0]])


def sum_2d() -> ReLUNetwork:
    """``x1 + x2``: no hidden layer, one output."""
    return ReLUNetwork([[[1, 1]]], [[0]])


def dead_third_layer() -> ReLUNetwork:
    """``2 relu(z_3) - 2`` with ``z_3 = 2 relu(-a_1 - a_2) - relu(2 a_1 - a_2 + 1) - 1 <= -1``
    (``a = relu(2x - 1, -2x)``): the constant ``-2``.  On ``[-1, 1]`` the forward bound rule
    leaves ``z_3`` unstable (``u = 2``); back-substitution proves it dead (``u = 0``)."""
    return ReLUNetwork([[[2], [-2]], [[-1, -1], [2, -1]], [[2, -1]], [[2]]], [[-1, 0], [0, 1], [-1], [-2]])


def zero_2d() -> ReLUNetwork:
    """The zero function on ``R^2`` through one dead-weight neuron: ``0 * relu(0)``."""
    return ReLUNetwork([[[0, 0]], [[0]]], [[0], [0]])


def two_hinges_2d() -> ReLUNetwork:
    """``relu(x1 - x2) + relu(x1 + x2 - 1/2)``: two crossing lines, a rational bias."""
    return ReLUNetwork([[[1, -1], [1, 1]], [[1, 1]]], [[0, "-1/2"], [0]])


def relu_sum_3d() -> ReLUNetwork:
    """``relu(x1) + relu(x2) + relu(x3)``: the three coordinate planes, eight octants."""
    return ReLUNetwork([[[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[1, 1, 1]]], [[0, 0, 0], [0]])


def relu_of_sum_2d() -> ReLUNetwork:
    """``relu(x1 + x2)``: one neuron, gradient ``(1, 1)`` where ``x1 + x2 > 0``."""
    return ReLUNetwork([[[1, 1]], [[1]]], [[0], [0]])


def identity_2d() -> ReLUNetwork:
    """``(x1, x2)``: no hidden layer, the identity of ``R^2``."""
    return ReLUNetwork([[[1, 0], [0, 1]]], [[0, 0]])


def zero_by_a_pair_2d() -> ReLUNetwork:
    """``relu(x1) - relu(x1) = 0``: two equal neurons whose outputs cancel."""
    return ReLUNetwork([[[1, 0], [1, 0]], [[1, -1]]], [[0, 0], [0]])


def zero_by_a_pair_1d() -> ReLUNetwork:
    """``relu(x) - relu(x) = 0``: the masked product ``(1, -1) (1, 1)^T`` vanishes."""
    return ReLUNetwork([[[1], [1]], [[1, -1]]], [[0, 0], [0]])


def x1_by_a_pair_2d() -> ReLUNetwork:
    """``relu(x1) - relu(-x1) = x1`` on ``R^2``: an affine function through a cancelling pair."""
    return ReLUNetwork([[[1, 0], [-1, 0]], [[1, -1]]], [[0, 0], [0]])


def cancelling_pair_2d() -> ReLUNetwork:
    """``2 relu(x1 + x2) + relu(z) - relu(-z) - 2 = 2 relu(x1 + x2) + z - 2`` with
    ``z = x1 - 2 x2 + 3``: a pair of opposite neurons realizing an affine part."""
    return ReLUNetwork([[[1, 1], [1, -2], [-1, 2]], [[2, 1, -1]]], [[0, 3, -3], [-2]])


def three_lines_2d() -> ReLUNetwork:
    """``relu(x1) + relu(x2) + relu(x1 + x2)``: three lines through the origin (not generic)."""
    return ReLUNetwork([[[1, 0], [0, 1], [1, 1]], [[1, 1, 1]]], [[0, 0, 0], [0]])


def relu_relu_x1_2d() -> ReLUNetwork:
    """``relu(relu(x1))`` on ``R^2``: the second-layer neuron vanishes on the half-plane ``x1 <= 0``."""
    return ReLUNetwork([[[1, 0]], [[1]], [[1]]], [[0], [0], [0]])


def hidden_line_2d() -> ReLUNetwork:
    """``relu(2 relu(x1) - relu(x2) - 1)``: the line ``x1 = 0`` is hidden (the second layer is
    zero near it), the line ``x2 = 0`` bends the function where ``x1 > 1/2``."""
    return ReLUNetwork([[[1, 0], [0, 1]], [[2, -1]], [[1]]], [[0, 0], [-1], [0]])


def max_zero_2d_other() -> ReLUNetwork:
    """``relu(x1 - relu(x2)) + relu(x2) = max(0, x1, x2)`` (``x1 = relu(x1) - relu(-x1)``):
    the function of :func:`relu_geom.zoo.max_zero_2d`, written another way."""
    return ReLUNetwork([[[0, 1], [1, 0], [-1, 0]], [[-1, 1, -1], [1, 0, 0]], [[1, 1]]], [[0, 0, 0], [0, 0], [0]])



def spectral_pair_2d() -> ReLUNetwork:
    """``(3 relu(x1), 4 relu(x1) + 5 relu(x2))``: ``M relu(x)`` with ``M = [[3, 0], [4, 5]]``,
    whose ``M^T M`` has eigenvalues 45 and 5, so its l2 Lipschitz constant is ``sqrt 45``
    while the Frobenius bound is 50."""
    return ReLUNetwork([[[1, 0], [0, 1]], [[3, 0], [4, 5]]], [[0, 0], [0, 0]])


def tie_region_2d() -> ReLUNetwork:
    """``2 b1 - 2 b2 - b3 - 3/2`` with ``b1 = relu(-a1 + 2/3 a2 - 2/3 a3 - 1/3)``,
    ``b2 = relu(-2 a1 + 2 a2 + 3/2 a3 - 1)``, ``b3 = relu(a2 - 1/2 a3 - 2)`` and
    ``a1 = relu(-x1 - 2 x2)``, ``a2 = relu(-x1 - 2/3 x2)``, ``a3 = relu(-2 x1 - 4 x2) = 2 a1``:
    at most ``-3/2`` on ``[-1, 1]^2``, with ``-3/2`` on a 2-dimensional region around 0 crossed
    by the kinks of ``a1``, ``a3`` (the same line) and ``a2`` (a tie for branch and bound)."""
    f = Fraction
    return ReLUNetwork(
        [[[-1, -2], [-1, f(-2, 3)], [-2, -4]], [[-1, f(2, 3), f(-2, 3)], [-2, 2, f(3, 2)], [0, 1, f(-1, 2)]], [[2, -2, -1]]],
        [[0, 0, 0], [f(-1, 3), -1, -2], [f(-3, 2)]],
    )


def gate_1d() -> ReLUNetwork:
    """``6 relu(-a - 1/2) + relu(a + 1/2) = relu(x) + 1/2`` with ``a = relu(x)``: the first
    second-layer neuron is dead and the second active everywhere (``a >= 0``), which the
    bound rule over ``[-1, 2]`` does not see (it bounds ``a`` below by ``x``) and the LP over
    the relaxation of the first layer does (``a`` in ``[0, 2]``)."""
    f = Fraction
    return ReLUNetwork([[[1]], [[-1], [1]], [[6, 1]]], [[0], [f(-1, 2), f(1, 2)], [0]])
