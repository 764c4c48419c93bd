"""Helpers for tests and users: the complex audit, random symmetric copies of networks.

``check_complex`` lives in :mod:`relu_geom.compiler.audit` and is re-exported here.
"""

from __future__ import annotations

import random
from fractions import Fraction

from relu_geom.compiler.audit import check_complex, expected_euler_characteristic
from relu_geom.network import ReLUNetwork

__all__ = ["check_complex", "expected_euler_characteristic", "permuted_rescaled_copy"]


def permuted_rescaled_copy(net: ReLUNetwork, seed: int) -> ReLUNetwork:
    """A reproducible random image of ``net`` under the standard symmetries.

    Every hidden layer is permuted at random and every hidden neuron rescaled by a
    random positive rational ``p/q`` with ``1 <= p, q <= 9``; the function is unchanged.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.testing import permuted_rescaled_copy
    >>> net = rg.ReLUNetwork.random([2, 3, 2, 1], seed=1)
    >>> other = permuted_rescaled_copy(net, seed=7)
    >>> other([1, "1/3"]) == net([1, "1/3"])
    True
    """
    rng = random.Random(seed)
    out = net
    for layer, width in enumerate(net.hidden_widths, start=1):
        perm = list(range(width))
        rng.shuffle(perm)
        out = out.permute_layer(layer, perm)
        for i in range(width):
            out = out.rescale_neuron(layer, i, Fraction(rng.randint(1, 9), rng.randint(1, 9)))
    return out
