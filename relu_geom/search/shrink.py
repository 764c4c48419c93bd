"""Shrinking a hit to a smallest example on which the property still holds exactly.

Order of preference: fewest hidden neurons, then smallest parameters (absolute value,
then denominator), then fewest nonzero parameters.  Every accepted step is re-decided
exactly, so the result always satisfies the property.

Examples
--------
>>> import relu_geom as rg
>>> net = rg.ReLUNetwork([[[2], [3], [-2]], [[1, 1, 1]]], [[1, -2, 0], [2]])
>>> small = rg.shrink(rg.regions_at_least(2), net)
>>> small.n_hidden, rg.regions_at_least(2).check(small).holds
(1, True)
"""

from __future__ import annotations

from fractions import Fraction

from relu_geom.network import ReLUNetwork
from relu_geom.network.transforms import require_int, require_network
from relu_geom.search.properties import Property, require_property

__all__ = ["remove_neuron", "shrink"]


def remove_neuron(net: ReLUNetwork, layer: int, index: int) -> ReLUNetwork | None:
    """``net`` without hidden neuron ``(layer, index)``; None if it is the last of its layer."""
    if net.hidden_widths[layer - 1] == 1:
        return None
    ws = [[list(r) for r in w] for w in net.weights]
    bs = [list(b) for b in net.biases]
    del ws[layer - 1][index]
    del bs[layer - 1][index]
    for row in ws[layer]:
        del row[index]
    return ReLUNetwork(ws, bs)


def _size(v: Fraction) -> tuple[int, int]:
    return abs(v.numerator) * v.denominator, v.denominator


def _smaller_values(v: Fraction) -> list[Fraction]:
    """Candidates strictly smaller than ``v`` in (|v|, denominator), smallest first."""
    cands = {Fraction(0)}
    for k in range(1, int(abs(v)) + 1):
        cands.update((Fraction(k), Fraction(-k)))
    if v.denominator > 1:
        cands.update((Fraction(int(v)), Fraction(v.__floor__()), Fraction(v.__ceil__())))
    out = [c for c in cands if _size(c) < _size(v) or (_size(c) == _size(v) and c > v)]
    return sorted(out, key=lambda c: (_size(c), c < 0))


def shrink(prop: Property, net: ReLUNetwork, *, max_checks: int = 2000) -> ReLUNetwork:
    """A smallest network found greedily on which ``prop`` still holds.

    Parameters
    ----------
    prop
        The property (``prop.check(net).holds`` must be True).
    net
        The hit.
    max_checks
        Bound on the number of exact decisions.

    Returns
    -------
    ReLUNetwork
        ``net`` itself or a smaller network; ``prop`` holds on it (checked exactly).
    """
    require_property(prop)
    require_network(net)
    require_int(max_checks, "max_checks", minimum=1)
    checks = 0

    def holds(candidate: ReLUNetwork) -> bool:
        nonlocal checks
        checks += 1
        return prop.check(candidate).holds

    if not holds(net):
        from relu_geom.errors import InvalidInputError

        raise InvalidInputError("net: the property does not hold on the network to shrink")
    changed = True
    while changed and checks < max_checks:
        changed = False
        for layer, index in reversed(net.neurons):
            cand = remove_neuron(net, layer, index)
            if cand is not None and checks < max_checks and holds(cand):
                net, changed = cand, True
                break
        if changed:
            continue
        theta = list(net.parameters())
        for i, v in enumerate(theta):
            for c in _smaller_values(v):
                if checks >= max_checks:
                    break
                trial = theta[:i] + [c] + theta[i + 1 :]
                cand = ReLUNetwork.from_parameters(net.architecture, trial)
                if holds(cand):
                    net, theta, changed = cand, trial, True
                    break
    return net
