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

from relu_geom.network import ReLUNetwork
from relu_geom.zoo import abs_1d

__all__ = [
    "abs_1d",
    "affine_1x2",
    "identity_1d",
    "one_neuron_1x2",
    "plus_minus_1d",
    "relu_pair_2d",
    "relu_sum_2d",
    "relu_x1_2d",
    "zero_2d",
]


def relu_sum_2d() -> ReLUNetwork:
    """``relu(x1) + relu(x2)``: two coordinate lines, four regions."""
    return ReLUNetwork([[[1, 0], [0, 1]], [[1, 1]]], [[0, 0], [0]])


def relu_x1_2d() -> ReLUNetwork:
    """``relu(x1)``: the second neuron ``relu(x2)`` has output weight 0 (an invisible line)."""
    return ReLUNetwork([[[1, 0], [0, 1]], [[1, 0]]], [[0, 0], [0]])


def relu_pair_2d() -> ReLUNetwork:
    """``(relu(x1), relu(x2))``: two outputs, the positive part of the input."""
    return ReLUNetwork([[[1, 0], [0, 1]], [[1, 0], [0, 1]]], [[0, 0], [0, 0]])


def plus_minus_1d() -> ReLUNetwork:
    """``(x, -x)``: no hidden layer, two outputs."""
    return ReLUNetwork([[[1], [-1]]], [[0, 0]])


def affine_1x2() -> ReLUNetwork:
    """``x1 + 2 x2 + 3``: no hidden layer."""
    return ReLUNetwork([[[1, 2]]], [[3]])


def one_neuron_1x2() -> ReLUNetwork:
    """``relu(x1 + 2 x2 + 3)``: one hidden neuron."""
    return ReLUNetwork([[[1, 2]], [[1]]], [[3], [0]])


def identity_1d() -> ReLUNetwork:
    """``x``: no hidden layer, weight 1, bias 0."""
    return ReLUNetwork([[[1]]], [[0]])


def zero_2d() -> ReLUNetwork:
    """The zero function on ``R^2`` through one dead-weight neuron: ``0 * relu(0)``."""
    return ReLUNetwork([[[0, 0]], [[0]]], [[0], [0]])
