"""Exact evaluation in branch and bound (relu_geom.certify.bab.exact_output).

The expected values come from a plain Fraction evaluation written here, layer by layer,
independently of the flint matrices the module uses.
"""

from __future__ import annotations

from fractions import Fraction as F

from hypothesis import given, settings
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.certify.bab import exact_output
from relu_geom.testing import strategies


def plain(net: rg.ReLUNetwork, x) -> tuple[F, ...]:
    a = list(x)
    n = len(net.weights)
    for k, (w, b) in enumerate(zip(net.weights, net.biases)):
        z = [sum((wi * ai for wi, ai in zip(row, a)), F(0)) + bi for row, bi in zip(w, b)]
        a = z if k == n - 1 else [max(v, F(0)) for v in z]
    return tuple(a)


@settings(max_examples=60, deadline=None)
@given(strategies.networks(max_dim=3, max_width=4, max_depth=3), st.data())
def test_exact_output_is_the_network_value(net, data):
    x = tuple(data.draw(strategies.small_rationals) for _ in range(net.input_dim))
    assert exact_output(net, x) == plain(net, x)


def test_exact_output_without_hidden_layers():
    net = rg.ReLUNetwork([[[1, 2], [0, -3]]], [[3, F(1, 7)]])  # affine: (x + 2y + 3, -3y + 1/7)
    assert exact_output(net, (F(1), F(1))) == (F(6), F(-20, 7))


def test_exact_output_keeps_huge_and_tiny_entries():
    # a 1e13-size gadget: relu(M x) - relu(M x - 1) is 1 for x >= 1/M and M x below
    M = 10**13
    net = rg.ReLUNetwork([[[M], [M]], [[1, -1]]], [[0, -1], [0]])
    assert exact_output(net, (F(1, 2 * M),)) == (F(1, 2),)
    assert exact_output(net, (F(1, M) + F(1, 10**30),)) == (F(1),)
    assert exact_output(net, (F(-1, 3),)) == (F(0),)
