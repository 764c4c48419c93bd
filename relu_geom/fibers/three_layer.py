"""Two hidden layers with a bottleneck, ``[d, n1, n2, m]``: symmetries and a fast equivalence test.

Symmetries (all exact, each keeps the function; derivations in ``docs/fibers.md``)

* **discrete**: permutations of each hidden layer, ``S_{n1} x S_{n2}``;
* **rescaling**: ``(R_{>0})^{n1 + n2}``;
* **hidden bias shift** ``T_j`` (the second layer *hides* hyperplane ``H_j``): when
  every second-layer neuron ``i`` with ``W2[i][j] != 0`` has ``W2[i][j] > 0``,
  ``W2[i][k] <= 0`` for ``k != j`` and ``b2[i] <= 0``, then for every
  ``t >= max_i b2[i] / W2[i][j]`` the parameters ``b1[j] + t``, ``b2[i] - t W2[i][j]``
  compute the same function (on ``{z_j > 0}`` the shift cancels; where
  ``z_j <= 0`` or ``z_j + t <= 0`` both versions of neuron ``i`` are inactive);
* **invisible rows**: a first-layer neuron with zero outgoing column, or a
  second-layer neuron with zero outgoing column, can have any incoming row.

The equivalence test :func:`bottleneck_equivalent` decides in polynomial time
(``O(P)`` exact operations, ``P`` parameters, plus ``2^{n1}`` small ranks in the
degeneracy detector) when the pair is related by these symmetries or separated
by a probe point, and otherwise -- or when the degeneracy detector flags a
failed genericity hypothesis -- falls back to :func:`relu_geom.functionally_equivalent`.
Every verdict carries the certificate of :class:`~relu_geom.EquivalenceResult`.
"""

from __future__ import annotations

import itertools
import random as _random
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from relu_geom.equivalence import (
    EquivalenceEvidence,
    EquivalenceResult,
    _check_pair,
    _domain_points,
    _witness_result,
    difference_network,
    functionally_equivalent,
    reduce_network,
)
from relu_geom.errors import InvalidInputError
from relu_geom.geometry.linear import primitive_row, rref
from relu_geom.network import ReLUNetwork

__all__ = [
    "BiasShiftFamily",
    "ThreeLayerFiber",
    "bottleneck_degeneracies",
    "bottleneck_equivalent",
    "hidden_bias_shifts",
    "three_layer_fiber",
]

_ZERO = Fraction(0)


def _check_two_hidden(net: Any, what: str = "net") -> ReLUNetwork:
    if not isinstance(net, ReLUNetwork):
        raise InvalidInputError(f"{what}: expected a ReLUNetwork, got {type(net).__name__}")
    if net.depth != 2:
        raise InvalidInputError(
            f"{what}: expected a network with two hidden layers, got architecture {list(net.architecture)}"
        )
    return net


def _rank(rows: list[list[Fraction]]) -> int:
    rows = [r for r in rows if any(r)]
    return len(rref(rows)[0]) if rows else 0


def bottleneck_degeneracies(net: ReLUNetwork, *, max_subsets: int = 4096) -> tuple[str, ...]:
    """The genericity hypotheses of paper 001 that ``net`` fails (empty when it passes all checked).

    Checked: no zero rows or columns in the weight matrices; pairwise different
    first-layer hyperplanes; the masked products ``W2 D_S W1`` have rank
    ``min(d, n2, |S|)`` for every subset ``S`` of the first layer (skipped with a
    note when there are more than ``max_subsets`` subsets); ``W3`` has rank
    ``min(n2, m)``.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.fibers.three_layer import bottleneck_degeneracies
    >>> bottleneck_degeneracies(rg.ReLUNetwork.random_normal([3, 4, 2, 1], seed=1))
    ()
    >>> dup = rg.ReLUNetwork([[[1, 0], [2, 0], [0, 1]], [[1, 1, 1], [1, -1, 2]], [[1, 1]]], [[0, 0, 0], [0, 0], [0]])
    >>> bottleneck_degeneracies(dup)[0]
    'first-layer neurons 0 and 1 share a hyperplane'
    """
    _check_two_hidden(net)
    W1, W2, W3 = net.weights
    b1 = net.biases[0]
    d, n1, n2, m = net.architecture
    out: list[str] = []
    for name, W in (("W1", W1), ("W2", W2), ("W3", W3)):
        for i, row in enumerate(W):
            if not any(row):
                out.append(f"{name} has a zero row {i}")
        for j, col in enumerate(zip(*W)):
            if not any(col):
                out.append(f"{name} has a zero column {j}")
    keys: dict[tuple[int, ...], int] = {}
    for i, (row, b) in enumerate(zip(W1, b1)):
        if any(row):
            key = primitive_row(list(row) + [b])
            lead = next(v for v in key if v)
            key = tuple(-v for v in key) if lead < 0 else key
            if key in keys:
                out.append(f"first-layer neurons {keys[key]} and {i} share a hyperplane")
            keys.setdefault(key, i)
    if 2**n1 > max_subsets:
        out.append(f"masked products not checked ({2**n1} subsets > max_subsets={max_subsets})")
    else:
        for size in range(1, n1 + 1):
            for S in itertools.combinations(range(n1), size):
                prod = [[sum((W2[i][k] * W1[k][q] for k in S), _ZERO) for q in range(d)] for i in range(n2)]
                want = min(d, n2, size)
                got = _rank(prod)
                if got < want:
                    out.append(f"masked product W2 D_S W1 with S = {S} has rank {got} < {want}")
    r3 = _rank([list(r) for r in W3])
    if r3 < min(n2, m):
        out.append(f"W3 has rank {r3} < min(n2, m) = {min(n2, m)}")
    return tuple(out)


@dataclass(frozen=True)
class BiasShiftFamily:
    """The hidden bias shift ``T_j``: ``b1[j] += t``, ``b2[i] -= t W2[i][j]`` for ``i`` in ``rows``, ``t >= lower``."""

    neuron: int
    rows: tuple[int, ...]
    lower: Fraction

    def apply(self, net: ReLUNetwork, t: object) -> ReLUNetwork:
        """The network moved by ``t`` along the family (``t >= lower`` keeps the function)."""
        t = Fraction(t)  # type: ignore[arg-type]
        if t < self.lower:
            raise InvalidInputError(
                f"t: expected t >= {self.lower} for the bias shift of neuron {self.neuron}, got {t}"
            )
        ws = [[list(r) for r in w] for w in net.weights]
        bs = [list(b) for b in net.biases]
        bs[0][self.neuron] += t
        for i in self.rows:
            bs[1][i] -= t * ws[1][i][self.neuron]
        return ReLUNetwork(ws, bs)

    def describe(self) -> str:
        return (
            f"b1[{self.neuron}] -> b1[{self.neuron}] + t, b2[i] -> b2[i] - t W2[i][{self.neuron}] "
            f"for i in {list(self.rows)}, t >= {self.lower}"
        )


def hidden_bias_shifts(net: ReLUNetwork) -> tuple[BiasShiftFamily, ...]:
    """The families ``T_j`` available at ``net`` (first-layer neurons hidden by the second layer).

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.fibers.three_layer import hidden_bias_shifts
    >>> net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[2, -1], [-1, 1]], [[1, 1]]], [[0, 0], [-1, 3], [0]])
    >>> [f.describe() for f in hidden_bias_shifts(net)]
    []
    >>> net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[2, -1]], [[1]]], [[0, 0], [-1], [0]])
    >>> fam = hidden_bias_shifts(net)[0]
    >>> fam.describe()
    'b1[0] -> b1[0] + t, b2[i] -> b2[i] - t W2[i][0] for i in [0], t >= -1/2'
    >>> rg.functionally_equivalent(net, fam.apply(net, 5)).equivalent
    True
    """
    _check_two_hidden(net)
    W2, b2 = net.weights[1], net.biases[1]
    out = []
    for j in range(net.hidden_widths[0]):
        rows = [i for i in range(len(W2)) if W2[i][j] != 0]
        if not rows or not any(net.weights[0][j]):
            continue
        ok = all(
            W2[i][j] > 0 and b2[i] <= 0 and all(W2[i][k] <= 0 for k in range(len(W2[i])) if k != j)
            for i in rows
        )
        if ok:
            out.append(BiasShiftFamily(j, tuple(rows), max(b2[i] / W2[i][j] for i in rows)))
    return tuple(out)


def _normalize_shifts(net: ReLUNetwork) -> ReLUNetwork:
    """Move every hidden bias shift to its boundary ``t = lower`` (a canonical point of the family)."""
    for fam in hidden_bias_shifts(net):
        if fam.lower != 0:
            net = fam.apply(net, fam.lower)
    return net


def bottleneck_equivalent(net1: ReLUNetwork, net2: ReLUNetwork, domain: Any = None) -> EquivalenceResult:
    """Functional equivalence of two networks with two hidden layers, fast for generic parameters.

    Steps: degeneracy detection (:func:`bottleneck_degeneracies`; on failure
    the general test decides, ``method = "fallback:<method>"``); probe points
    (``"bottleneck-witness"``); the difference network after moving both
    networks to the canonical point of their hidden bias-shift families,
    reduced by permutation and rescaling merges (``"bottleneck-symmetry"``);
    otherwise the general test (``"fallback:<method>"``).  Always agrees with
    :func:`relu_geom.functionally_equivalent`, since every verdict is certified.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.fibers import bottleneck_equivalent
    >>> a = rg.ReLUNetwork.random_normal([4, 8, 3, 1], seed=2)
    >>> b = a.permute_layer(1, [7, 6, 5, 4, 3, 2, 1, 0]).rescale_neuron(2, 1, 5)
    >>> bottleneck_equivalent(a, b).method
    'bottleneck-symmetry'
    """
    _check_two_hidden(net1, "net1")
    _check_two_hidden(net2, "net2")
    _check_pair(net1, net2)
    from relu_geom.compiler import parse_domain

    degenerate = bottleneck_degeneracies(net1) + bottleneck_degeneracies(net2)
    if degenerate:
        return _fallback(net1, net2, domain, "degenerate: " + "; ".join(degenerate[:3]))
    dom = parse_domain(domain, net1.input_dim)
    for x in _domain_points(dom, net1.input_dim, 24, 0):
        if net1(x) != net2(x):
            return _witness_result(
                net1, net2, x, "bottleneck-witness", "exact evaluation differs at a probe point"
            )
    if domain is None:
        red = reduce_network(difference_network(_normalize_shifts(net1), _normalize_shifts(net2)))
        if not isinstance(red, ReLUNetwork) and not any(red):
            ev = EquivalenceEvidence(
                "after moving hidden bias shifts to their canonical point, the difference network "
                "reduces to 0 by permutation and rescaling merges",
                constant=red,
            )
            return EquivalenceResult(True, None, ev, "bottleneck-symmetry")
    return _fallback(net1, net2, domain, "not related by the listed symmetries")


def _fallback(net1: ReLUNetwork, net2: ReLUNetwork, domain: Any, why: str) -> EquivalenceResult:
    res = functionally_equivalent(net1, net2, domain)
    ev = EquivalenceEvidence(
        f"{why}; general test: {res.evidence.description}",
        values=res.evidence.values,
        reduced_difference=res.evidence.reduced_difference,
        constant=res.evidence.constant,
        n_regions=res.evidence.n_regions,
    )
    return EquivalenceResult(res.equivalent, res.witness, ev, f"fallback:{res.method}", res.domain)


@dataclass(frozen=True)
class ThreeLayerFiber:
    """The symmetries of a two-hidden-layer network (see the module docstring).

    For generic parameters (``degeneracies`` empty) paper 001 states that the
    fiber is generated by these symmetries; :meth:`contains` does not rely on
    that and decides membership exactly with the general equivalence test.
    """

    network: ReLUNetwork
    degeneracies: tuple[str, ...]
    bias_shifts: tuple[BiasShiftFamily, ...]
    free_first_layer: tuple[int, ...]
    free_second_layer: tuple[int, ...]

    @property
    def is_generic(self) -> bool:
        return not self.degeneracies

    @property
    def dimension_mod_scaling(self) -> int:
        """Continuous directions beyond rescaling that the listed families give at this point."""
        d, n1, n2, m = self.network.architecture
        return len(self.bias_shifts) + d * len(self.free_first_layer) + n1 * len(self.free_second_layer)

    @property
    def discrete_group_order(self) -> int:
        """``n1! n2!`` (permutations of the two hidden layers)."""
        import math

        _, n1, n2, _ = self.network.architecture
        return math.factorial(n1) * math.factorial(n2)

    def describe(self) -> list[str]:
        """Human-readable list of the symmetries."""
        _, n1, n2, _ = self.network.architecture
        out = [
            f"permutations S_{n1} x S_{n2} of the hidden layers",
            f"positive rescaling of all {n1 + n2} hidden neurons",
        ]
        out += [f.describe() for f in self.bias_shifts]
        out += [
            f"first-layer neuron {j} has zero outgoing weights: its incoming row is free"
            for j in self.free_first_layer
        ]
        out += [
            f"second-layer neuron {i} has zero outgoing weights: its incoming row is free"
            for i in self.free_second_layer
        ]
        return out

    def contains(self, net: ReLUNetwork, domain: Any = None) -> bool:
        """Exact membership (same architecture and same function)."""
        return (
            net.architecture == self.network.architecture
            and functionally_equivalent(self.network, net, domain).equivalent
        )

    def sample(self, seed: int = 0) -> ReLUNetwork:
        """A point of the fiber: a random composition of the listed symmetries (exact)."""
        rng = _random.Random(seed)
        net = self.network
        for fam in self.bias_shifts:
            net = fam.apply(net, fam.lower + Fraction(rng.randint(0, 12), rng.randint(1, 4)))
        ws = [[list(r) for r in w] for w in net.weights]
        bs = [list(b) for b in net.biases]
        for j in self.free_first_layer:
            ws[0][j] = [Fraction(rng.randint(-5, 5)) for _ in ws[0][j]]
            bs[0][j] = Fraction(rng.randint(-5, 5))
        for i in self.free_second_layer:
            ws[1][i] = [Fraction(rng.randint(-5, 5)) for _ in ws[1][i]]
            bs[1][i] = Fraction(rng.randint(-5, 5))
        net = ReLUNetwork(ws, bs)
        for layer, width in ((1, net.hidden_widths[0]), (2, net.hidden_widths[1])):
            for i in range(width):
                net = net.rescale_neuron(layer, i, Fraction(rng.randint(1, 9), rng.randint(1, 9)))
            perm = list(range(width))
            rng.shuffle(perm)
            net = net.permute_layer(layer, perm)
        return net

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "architecture": list(self.network.architecture),
            "generic": self.is_generic,
            "degeneracies": list(self.degeneracies),
            "symmetries": self.describe(),
            "dimension_mod_scaling": self.dimension_mod_scaling,
            "sample": self.sample(0).to_dict(),
        }


def three_layer_fiber(net: ReLUNetwork) -> ThreeLayerFiber:
    """The symmetries generating the fiber of a generic two-hidden-layer network, with sampling.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[2, -1]], [[1]]], [[0, 0], [-1], [0]])
    >>> fib = rg.three_layer_fiber(net)
    >>> fib.dimension_mod_scaling, fib.contains(fib.sample(3))
    (1, True)
    """
    _check_two_hidden(net)
    W2, W3 = net.weights[1], net.weights[2]
    free1 = tuple(j for j in range(net.hidden_widths[0]) if not any(r[j] for r in W2))
    free2 = tuple(i for i in range(net.hidden_widths[1]) if not any(r[i] for r in W3))
    return ThreeLayerFiber(net, bottleneck_degeneracies(net), hidden_bias_shifts(net), free1, free2)
