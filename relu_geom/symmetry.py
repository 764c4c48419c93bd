"""The standard symmetries of a ReLU network and a canonical representative of each orbit.

The standard symmetries are positive rescaling of a hidden neuron (incoming
weights and bias times ``c > 0``, outgoing weights divided by ``c``) and
permutation of the neurons inside a hidden layer.  A :class:`Symmetry` is one
element of that group: for every hidden layer a permutation and positive scales,
read as "new neuron ``i`` is old neuron ``perm[i]`` rescaled by ``scale[i]``".

Normal form
-----------
1. **Scales** (independent of the order of neurons).  Bottom-up, a hidden
   neuron is *anchored* when its bias or an incoming weight from the input or
   from an anchored neuron is nonzero; it is rescaled so that the largest
   absolute value among those entries is 1.  Then top-down, a neuron not yet
   anchored with a nonzero outgoing weight to the output or to an anchored
   neuron is rescaled so that the largest of those is 1 (and becomes anchored).
   What an anchored neuron's normalization reads is already final when it is
   read, so the result does not depend on the order of neurons, and normalizing
   twice changes nothing.
2. **Order**, bottom-up: neurons of a layer are sorted by their (normalized)
   incoming row and bias, whose columns are already in canonical order.  Neurons
   with equal keys (twins) are ordered by trying every order of each tie group
   and keeping the lexicographically smallest parameter vector of the finished
   form (``max_tie_orders`` bounds the work).

Neurons left unanchored have zero bias, zero weights from the input and anchored
neurons, and zero weights to the output and anchored neurons; their remaining
weights connect them only to each other.  Such *floating* neurons are reported;
the form is canonical for every network without them (and for networks whose
floating neurons have all-zero weights).  Neurons of the degenerate set S of
paper 003 (zero incoming weights and bias, or zero outgoing weights) are
reported by :func:`degenerate_neurons`; they are handled like any other neuron.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from relu_geom.errors import DimensionMismatchError, InvalidInputError, LimitExceededError
from relu_geom.network import ReLUNetwork

__all__ = [
    "NormalForm",
    "Symmetry",
    "degenerate_neurons",
    "normal_form",
    "normal_form_with_symmetry",
    "same_up_to_symmetry",
]

Neuron = tuple[int, int]


@dataclass(frozen=True)
class Symmetry:
    """An element of the standard symmetry group of an architecture.

    Attributes
    ----------
    permutations : tuple of tuples
        For hidden layer ``l`` (entry ``l - 1``): new neuron ``i`` is old neuron
        ``permutations[l - 1][i]``.
    scales : tuple of tuples of Fraction
        ``scales[l - 1][i] > 0`` multiplies the incoming weights and bias of new
        neuron ``i`` (and divides its outgoing weights).

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[1], [2]], [[1, 1]]], [[0, 0], [0]])
    >>> s = rg.Symmetry(((1, 0),), ((rg.arith.QQ(1, 2), rg.arith.QQ(1)),))
    >>> s.apply(net).weights
    (((Fraction(1, 1),), (Fraction(1, 1),)), ((Fraction(2, 1), Fraction(1, 1)),))
    """

    permutations: tuple[tuple[int, ...], ...]
    scales: tuple[tuple[Fraction, ...], ...]

    def apply(self, net: ReLUNetwork) -> ReLUNetwork:
        """The network with this symmetry applied (it computes the same function)."""
        widths = net.hidden_widths
        if len(self.permutations) != len(widths) or len(self.scales) != len(widths):
            raise DimensionMismatchError(
                f"symmetry: has {len(self.permutations)} hidden layers, the network has {len(widths)}"
            )
        perms: list[Sequence[int]] = [range(net.input_dim)]
        scales: list[Sequence[Fraction]] = [[Fraction(1)] * net.input_dim]
        for layer, (p, c, n) in enumerate(zip(self.permutations, self.scales, widths), start=1):
            if sorted(p) != list(range(n)) or len(c) != n:
                raise InvalidInputError(
                    f"symmetry: layer {layer} needs a permutation of 0..{n - 1} and {n} scales"
                )
            if any(v <= 0 for v in c):
                raise InvalidInputError(f"symmetry: layer {layer} has a non-positive scale")
            perms.append(p)
            scales.append(c)
        perms.append(range(net.output_dim))
        scales.append([Fraction(1)] * net.output_dim)
        ws, bs = [], []
        for k, (W, b) in enumerate(zip(net.weights, net.biases)):
            po, co, pi, ci = perms[k + 1], scales[k + 1], perms[k], scales[k]
            ws.append([[co[i] * W[po[i]][pi[j]] / ci[j] for j in range(len(pi))] for i in range(len(po))])
            bs.append([co[i] * b[po[i]] for i in range(len(po))])
        return ReLUNetwork(ws, bs)

    def inverse(self) -> Symmetry:
        """The inverse element."""
        perms, scales = [], []
        for p, c in zip(self.permutations, self.scales):
            inv = [0] * len(p)
            for i, j in enumerate(p):
                inv[j] = i
            perms.append(tuple(inv))
            scales.append(tuple(1 / c[inv[j]] for j in range(len(p))))
        return Symmetry(tuple(perms), tuple(scales))

    def then(self, other: Symmetry) -> Symmetry:
        """The symmetry ``other o self`` (apply ``self`` first)."""
        perms, scales = [], []
        for p1, c1, p2, c2 in zip(self.permutations, self.scales, other.permutations, other.scales):
            perms.append(tuple(p1[p2[i]] for i in range(len(p2))))
            scales.append(tuple(c2[i] * c1[p2[i]] for i in range(len(p2))))
        return Symmetry(tuple(perms), tuple(scales))

    @classmethod
    def identity(cls, net: ReLUNetwork) -> Symmetry:
        """The identity of the network's architecture."""
        return cls(
            tuple(tuple(range(n)) for n in net.hidden_widths),
            tuple(tuple(Fraction(1) for _ in range(n)) for n in net.hidden_widths),
        )


@dataclass(frozen=True)
class NormalForm:
    """Result of :func:`normal_form_with_symmetry`.

    Attributes
    ----------
    network : ReLUNetwork
        The canonical representative.
    symmetry : Symmetry
        ``symmetry.apply(original) == network``.
    zero_incoming, zero_outgoing : tuple of (layer, index)
        Neurons of the degenerate set S (labels in the *normal form's* order).
    floating : tuple of (layer, index)
        Neurons no normalization reaches (see the module notes).
    """

    network: ReLUNetwork
    symmetry: Symmetry
    zero_incoming: tuple[Neuron, ...]
    zero_outgoing: tuple[Neuron, ...]
    floating: tuple[Neuron, ...]


def degenerate_neurons(net: ReLUNetwork) -> dict[str, tuple[Neuron, ...]]:
    """Hidden neurons in the degenerate set S of paper 003.

    Returns ``{"zero_incoming": ..., "zero_outgoing": ...}``: neurons ``(layer, index)``
    whose incoming weights and bias are all zero, and those whose outgoing
    weights are all zero.  ``theta`` is in ``S`` iff either tuple is non-empty.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[1], [0]], [[1, 1]]], [[0, 0], [0]])
    >>> rg.degenerate_neurons(net)
    {'zero_incoming': ((1, 1),), 'zero_outgoing': ()}
    """
    zin, zout = [], []
    for layer in range(1, net.depth + 1):
        W, b, Wn = net.weights[layer - 1], net.biases[layer - 1], net.weights[layer]
        for i in range(len(W)):
            if not any(W[i]) and not b[i]:
                zin.append((layer, i))
            if not any(row[i] for row in Wn):
                zout.append((layer, i))
    return {"zero_incoming": tuple(zin), "zero_outgoing": tuple(zout)}


def _normalize_scales(
    net: ReLUNetwork,
) -> tuple[list[list[list[Fraction]]], list[list[Fraction]], list[list[Fraction]], list[Neuron]]:
    ws = [[list(r) for r in w] for w in net.weights]
    bs = [list(b) for b in net.biases]
    L = net.depth
    widths = net.hidden_widths
    scale = [[Fraction(1)] * n for n in widths]
    anchored = [[False] * n for n in widths]

    def rescale(layer: int, i: int, c: Fraction) -> None:
        ws[layer - 1][i] = [v * c for v in ws[layer - 1][i]]
        bs[layer - 1][i] *= c
        for row in ws[layer]:
            row[i] /= c
        scale[layer - 1][i] *= c

    for layer in range(1, L + 1):
        for i in range(widths[layer - 1]):
            row = ws[layer - 1][i]
            vals = [abs(v) for j, v in enumerate(row) if layer == 1 or anchored[layer - 2][j]]
            vals.append(abs(bs[layer - 1][i]))
            mx = max(vals)
            if mx:
                rescale(layer, i, 1 / mx)
                anchored[layer - 1][i] = True
    for layer in range(L, 0, -1):
        for i in range(widths[layer - 1]):
            if anchored[layer - 1][i]:
                continue
            vals = [abs(r[i]) for k, r in enumerate(ws[layer]) if layer == L or anchored[layer][k]]
            mx = max(vals) if vals else 0
            if mx:
                rescale(layer, i, mx)
                anchored[layer - 1][i] = True
    floating = [
        (layer, i)
        for layer in range(1, L + 1)
        for i in range(widths[layer - 1])
        if not anchored[layer - 1][i]
    ]
    return ws, bs, scale, floating


def normal_form_with_symmetry(net: ReLUNetwork, *, max_tie_orders: int = 40320) -> NormalForm:
    """The canonical representative of the orbit of ``net``, with the symmetry reaching it.

    Parameters
    ----------
    net
        The network.
    max_tie_orders
        Bound on the number of orders of tied (twin) neurons tried in total.

    Raises
    ------
    LimitExceededError
        When the tie groups admit more than ``max_tie_orders`` orders.

    Notes
    -----
    See the module notes.  Cost: ``O(D)`` for the scales and
    ``O(sum n_l log n_l * n_{l-1})`` for the order, times the number of tie orders.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork.random([2, 3, 2, 1], seed=4)
    >>> moved = net.rescale_neuron(1, 2, 7).permute_layer(2, [1, 0])
    >>> nf = rg.normal_form_with_symmetry(moved)
    >>> nf.network == rg.normal_form(net) and nf.symmetry.apply(moved) == nf.network
    True
    """
    ws, bs, scale, floating = _normalize_scales(net)
    L = net.depth
    widths = net.hidden_widths
    # the scaled network in the original order, as a symmetry from net
    sym_scale = Symmetry(tuple(tuple(range(n)) for n in widths), tuple(tuple(c) for c in scale))
    budget = [max_tie_orders]

    def order(
        ws: list[list[list[Fraction]]], bs: list[list[Fraction]], layer: int
    ) -> tuple[tuple[Fraction, ...], list[list[int]]]:
        if layer > L:
            theta: list[Fraction] = []
            for w, b in zip(ws, bs):
                for r in w:
                    theta.extend(r)
                theta.extend(b)
            return tuple(theta), []
        W, b = ws[layer - 1], bs[layer - 1]
        idx = sorted(range(len(W)), key=lambda i: (tuple(W[i]), b[i]))
        groups = [list(g) for _, g in itertools.groupby(idx, key=lambda i: (tuple(W[i]), b[i]))]
        n_orders = 1
        for g in groups:
            for k in range(2, len(g) + 1):
                n_orders *= k
        if n_orders > 1:
            budget[0] -= n_orders
            if budget[0] < 0:
                raise LimitExceededError(
                    f"max_tie_orders: tie groups of twin neurons need more than {max_tie_orders} orders to be tried"
                )
        best: tuple[tuple[Fraction, ...], list[list[int]]] | None = None
        for choice in itertools.product(*(itertools.permutations(g) for g in groups)):
            perm = [i for g in choice for i in g]
            nws = [list(w) for w in ws]
            nbs = [list(v) for v in bs]
            nws[layer - 1] = [W[i] for i in perm]
            nbs[layer - 1] = [b[i] for i in perm]
            nws[layer] = [[row[i] for i in perm] for row in ws[layer]]
            theta, rest = order(nws, nbs, layer + 1)
            if best is None or theta < best[0]:
                best = (theta, [perm] + rest)
        assert best is not None
        return best

    theta, perms = order(ws, bs, 1)
    nf = ReLUNetwork.from_parameters(net.architecture, theta)
    sym_perm = Symmetry(tuple(tuple(p) for p in perms), tuple(tuple(Fraction(1) for _ in p) for p in perms))
    sym = sym_scale.then(sym_perm)
    deg = degenerate_neurons(nf)
    pos = {}
    for layer, p in enumerate(perms, start=1):
        for new, old in enumerate(p):
            pos[(layer, old)] = (layer, new)
    return NormalForm(
        nf, sym, deg["zero_incoming"], deg["zero_outgoing"], tuple(sorted(pos[f] for f in floating))
    )


def normal_form(net: ReLUNetwork) -> ReLUNetwork:
    """The canonical representative of ``net`` under rescaling and permutation of hidden neurons.

    Two networks have the same normal form iff one is obtained from the other by
    positive rescalings and within-layer permutations (for networks without
    floating neurons, see the module notes).

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[2, 0], [0, -3]], [[1, 5]]], [[4, 0], [1]])
    >>> nf = rg.normal_form(net)
    >>> nf.weights[0], nf.biases[0]
    (((Fraction(0, 1), Fraction(-1, 1)), (Fraction(1, 2), Fraction(0, 1))), (Fraction(0, 1), Fraction(1, 1)))
    >>> rg.normal_form(nf) == nf and nf([1, 1]) == net([1, 1])
    True
    """
    return normal_form_with_symmetry(net).network


def same_up_to_symmetry(net1: ReLUNetwork, net2: ReLUNetwork) -> Symmetry | None:
    """A symmetry ``s`` with ``s.apply(net1) == net2``, or None if there is none.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork.random([2, 3, 1], seed=2)
    >>> other = net.permute_layer(1, [2, 0, 1]).rescale_neuron(1, 0, "3/2")
    >>> s = rg.same_up_to_symmetry(net, other)
    >>> s.apply(net) == other
    True
    >>> rg.same_up_to_symmetry(net, rg.ReLUNetwork.random([2, 3, 1], seed=5)) is None
    True
    """
    if net1.architecture != net2.architecture:
        return None
    a, b = normal_form_with_symmetry(net1), normal_form_with_symmetry(net2)
    if a.network != b.network:
        return None
    return a.symmetry.then(b.symmetry.inverse())
