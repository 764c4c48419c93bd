"""Hidden symmetries: parameters in the same fiber not related by permutation and positive rescaling.

:func:`hidden_symmetries` builds exact candidates by the mechanisms below and
keeps those that (1) compute the same function, checked by
:func:`relu_geom.functionally_equivalent`, and (2) differ from the network in
their *standard form* (:func:`standard_form`: every hidden neuron rescaled so
that the first nonzero entry of its incoming row is +-1, neurons of each layer
sorted), so they are not a permutation and rescaling of it.

Mechanisms

* ``flip``: one hidden layer: flipping the neurons of a set ``F`` changes ``f`` by
  ``-sum_F v_i (w_i . x + b_i)``; when ``sum_F v_i w_i^T = 0`` only the output bias moves.
* ``pair-shift``: a cancelling pair (one hyperplane, opposite orientations,
  weights cancelling) realizes an affine map; its hyperplane can move.
* ``split``: two neurons on one hyperplane with the same orientation share
  their output weight in any proportion.
* ``free-row``: a neuron with zero outgoing weights can have any incoming row;
  a dead constant neuron (zero incoming weights, bias <= 0) any outgoing weights.
* ``bias-shift``: the hidden bias shifts ``T_j`` of two-hidden-layer networks
  (:func:`relu_geom.fibers.three_layer.hidden_bias_shifts`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from relu_geom.equivalence import EquivalenceResult, functionally_equivalent
from relu_geom.errors import InvalidInputError
from relu_geom.network import ReLUNetwork

__all__ = ["HiddenSymmetry", "hidden_symmetries", "standard_form"]

_ZERO = Fraction(0)


def standard_form(net: ReLUNetwork) -> tuple[Any, ...]:
    """A normal form under positive rescaling and permutation of hidden neurons.

    Layer by layer, each neuron's incoming row ``(w, b)`` is divided by the
    absolute value of its first nonzero entry (its outgoing weights multiplied),
    then the neurons are sorted by ``(incoming row, outgoing column)``.  Two
    networks related by permutation and rescaling have equal standard forms;
    the converse holds when no layer has two neurons with equal normalized
    incoming rows.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.fibers import standard_form
    >>> net = rg.ReLUNetwork.random([2, 3, 2, 1], seed=1)
    >>> standard_form(net) == standard_form(net.permute_layer(2, [1, 0]).rescale_neuron(1, 2, 7))
    True
    """
    ws = [[list(r) for r in w] for w in net.weights]
    bs = [list(b) for b in net.biases]
    for layer in range(net.depth):
        w, b, nxt = ws[layer], bs[layer], ws[layer + 1]
        for i in range(len(w)):
            full = w[i] + [b[i]]
            lead = next((abs(v) for v in full if v), None)
            if lead is not None and lead != 1:
                w[i] = [v / lead for v in w[i]]
                b[i] = b[i] / lead
                for r in nxt:
                    r[i] *= lead
        order = sorted(range(len(w)), key=lambda i: (w[i] + [b[i]], [r[i] for r in nxt]))
        ws[layer] = [w[i] for i in order]
        bs[layer] = [b[i] for i in order]
        ws[layer + 1] = [[r[i] for i in order] for r in nxt]
    return tuple((tuple(map(tuple, w)), tuple(b)) for w, b in zip(ws, bs))


@dataclass(frozen=True)
class HiddenSymmetry:
    """One exact parameter point in the fiber that is not a permutation and rescaling.

    Attributes
    ----------
    kind : str
        ``"flip"``, ``"pair-shift"``, ``"split"``, ``"free-row"`` or ``"bias-shift"``.
    description : str
        What was changed.
    network : ReLUNetwork
        The new parameters (same architecture).
    check : EquivalenceResult
        The certificate that it computes the same function.
    """

    kind: str
    description: str
    network: ReLUNetwork
    check: EquivalenceResult

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "description": self.description,
            "network": self.network.to_dict(),
            "method": self.check.method,
        }


def _layers(net: ReLUNetwork) -> tuple[list[list[list[Fraction]]], list[list[Fraction]]]:
    return [[list(r) for r in w] for w in net.weights], [list(b) for b in net.biases]


def _orient(row: list[Fraction]) -> tuple[tuple[Fraction, ...], Fraction, int]:
    lead = next(v for v in row if v)
    lam = abs(lead)
    return tuple(v / lead for v in row), lam, 1 if lead > 0 else -1


def _candidates(net: ReLUNetwork, max_flip: int) -> list[tuple[str, str, ReLUNetwork]]:
    out: list[tuple[str, str, ReLUNetwork]] = []
    ws, bs = _layers(net)
    L = net.depth
    # free rows and dead neurons, every layer
    for layer in range(L):
        nxt = ws[layer + 1]
        for i in range(len(ws[layer])):
            if not any(r[i] for r in nxt):
                w2, b2 = _layers(net)
                w2[layer][i] = [v + 1 for v in w2[layer][i]]
                b2[layer][i] += 1
                out.append(
                    (
                        "free-row",
                        f"layer {layer + 1} neuron {i} has zero outgoing weights; its row moved",
                        ReLUNetwork(w2, b2),
                    )
                )
            elif not any(ws[layer][i]) and bs[layer][i] <= 0:
                w2, b2 = _layers(net)
                for r in w2[layer + 1]:
                    r[i] += 1
                out.append(
                    (
                        "free-row",
                        f"layer {layer + 1} neuron {i} is dead; its outgoing weights moved",
                        ReLUNetwork(w2, b2),
                    )
                )
    # first-layer structure (the first layer sees x directly)
    W1, b1 = ws[0], bs[0]
    V = [[r[i] for r in ws[1]] for i in range(len(W1))]
    groups: dict[tuple[Fraction, ...], list[tuple[int, Fraction, int]]] = {}
    for i, (w, b) in enumerate(zip(W1, b1)):
        if any(w):
            key, lam, o = _orient(list(w) + [b])
            groups.setdefault(key, []).append((i, lam, o))
    for members in groups.values():
        for (i, li, oi), (j, lj, oj) in itertools.combinations(members, 2):
            if not any(V[i]) or not any(V[j]):
                continue
            if oi == oj:
                w2, b2 = _layers(net)
                for r in w2[1]:
                    r[i], r[j] = r[i] + Fraction(1, 3), r[j] - Fraction(1, 3) * li / lj
                out.append(
                    (
                        "split",
                        f"neurons {i} and {j} share a hyperplane and orientation; output weight moved",
                        ReLUNetwork(w2, b2),
                    )
                )
            elif L == 1 and all(li * p + lj * q == 0 for p, q in zip(V[i], V[j])):
                w2, b2 = _layers(net)
                s = Fraction(1)
                b2[0][i] += s * li * oi
                b2[0][j] += s * lj * oj  # both rows move to +-(K + s e_t)
                # the pair contributes v_i (w_i . x + b_i): the output bias compensates the change v_i * s * li * oi
                b2[1] = [c - V[i][r] * s * li * oi for r, c in enumerate(b2[1])]
                out.append(
                    (
                        "pair-shift",
                        f"cancelling pair {i}, {j}: hyperplane moved, output bias compensated",
                        ReLUNetwork(w2, b2),
                    )
                )
    if L == 1:
        n = len(W1)
        d = net.input_dim
        for size in range(1, min(max_flip, n) + 1):
            for F in itertools.combinations(range(n), size):
                if not all(any(W1[i]) and any(V[i]) for i in F):
                    continue
                tot = [
                    [sum((V[i][r] * W1[i][q] for i in F), _ZERO) for q in range(d)] for r in range(len(ws[1]))
                ]
                if any(any(row) for row in tot):
                    continue
                w2, b2 = _layers(net)
                for i in F:
                    w2[0][i] = [-v for v in w2[0][i]]
                    b2[0][i] = -b2[0][i]
                b2[1] = [c + sum((V[i][r] * b1[i] for i in F), _ZERO) for r, c in enumerate(b2[1])]
                out.append(
                    (
                        "flip",
                        f"neurons {list(F)} flipped (their weighted normals sum to zero)",
                        ReLUNetwork(w2, b2),
                    )
                )
    if L == 2:
        from relu_geom.fibers.three_layer import hidden_bias_shifts

        for fam in hidden_bias_shifts(net):
            t = fam.lower - 1 if fam.lower >= 0 else fam.lower / 2
            t = t if t >= fam.lower and t != 0 else fam.lower + 1
            out.append(("bias-shift", fam.describe() + f" with t = {t}", fam.shift(t)))
    return out


def hidden_symmetries(net: ReLUNetwork, *, max_flip: int = 4) -> tuple[HiddenSymmetry, ...]:
    """Exact parameter points in the fiber of ``net`` that are not permutations and rescalings of it.

    Parameters
    ----------
    net
        Any network.
    max_flip
        Largest flip set tried for one-hidden-layer networks.

    Returns
    -------
    tuple of HiddenSymmetry
        Each verified by :func:`relu_geom.functionally_equivalent` (its result
        is kept in ``check``); empty when none of the mechanisms applies.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.fibers import hidden_symmetries
    >>> W1 = [[1, 0], [0, 1], [1, 1], [2, -1]]
    >>> net = rg.ReLUNetwork([W1, [[2, 2, -2, 5]]], [[1, -1, 2, 3], [0]])
    >>> [h.kind for h in hidden_symmetries(net)]
    ['flip']
    >>> hidden_symmetries(rg.ReLUNetwork.random_normal([2, 3, 1], seed=0))
    ()
    """
    if not isinstance(net, ReLUNetwork):
        raise InvalidInputError(f"net: expected a ReLUNetwork, got {type(net).__name__}")
    base = standard_form(net)
    out = []
    seen = {base}
    for kind, desc, cand in _candidates(net, max_flip):
        sf = standard_form(cand)
        if sf in seen:
            continue
        res = functionally_equivalent(net, cand)
        if res.equivalent:
            seen.add(sf)
            out.append(HiddenSymmetry(kind, desc, cand, res))
    return tuple(out)
