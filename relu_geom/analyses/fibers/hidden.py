"""Hidden symmetries: parameters in the same fiber not related by permutation and positive rescaling.

:func:`hidden_symmetries` builds exact candidates by the mechanisms below and
keeps those that (1) compute the same function, checked by
:func:`relu_geom.functionally_equivalent`, and (2) differ from the network in
their normal form (:func:`relu_geom.normal_form`, canonical under permutation
and positive rescaling of hidden neurons), so they are not a permutation and
rescaling of it.

Mechanisms

* ``flip``: flipping neurons of the last hidden layer in a set ``F`` changes ``f`` by
  ``-sum_F v_i (w_i . a + b_i)``; when ``sum_F v_i w_i^T = 0`` only the output bias moves.
  All minimal such sets, of any size, come from the kernel of the matrix of weighted
  normals (:func:`zero_sum_flip_sets`).
* ``pair-shift``: a cancelling pair (one hyperplane, opposite orientations,
  weights cancelling) realizes an affine map; its hyperplane can move.
* ``split``: two neurons on one hyperplane with the same orientation share
  their output weight in any proportion.
* ``free-row``: a neuron with zero outgoing weights can have any incoming row;
  a dead constant neuron (zero incoming weights, bias <= 0) any outgoing weights.
* ``bias-shift``, ``flip-shear``: the hidden bias shifts ``T_j`` and the flip-shears
  ``M_k`` of two-hidden-layer networks (:mod:`relu_geom.analyses.fibers.bottleneck`); a dead
  second-layer row is redrawn in its cone (``free-row``).
* ``linear-shift``: a neuron whose pre-activation is ``>= 0`` on all of ``R^d`` (in a
  layer ``l >= 2`` it suffices that its incoming weights and bias are ``>= 0``, since
  its inputs are ``relu`` outputs; in the first layer a zero row and a bias ``>= 0``)
  computes its pre-activation itself, so raising its bias by ``1`` raises its output by
  ``1`` everywhere, which the next layer's bias absorbs (``b_{l+1} -= W_{l+1} e_i``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from relu_geom.analyses.equivalence import EquivalenceResult, functionally_equivalent
from relu_geom.arith.dense import rref
from relu_geom.compiler.entry import as_network
from relu_geom.network import ReLUNetwork
from relu_geom.network.symmetry import normal_form
from relu_geom.network.transforms import require_int, require_network

__all__ = ["HiddenSymmetry", "hidden_symmetries", "zero_sum_flip_sets"]

_ZERO = Fraction(0)


def zero_sum_flip_sets(net: ReLUNetwork, *, max_kernel: int = 20) -> tuple[tuple[int, ...], ...]:
    """The inclusion-minimal sets ``F`` of last-hidden-layer neurons with ``sum_{i in F} v_i w_i^T = 0``.

    Flipping ``(w_i, b_i) -> -(w_i, b_i)`` for ``i in F`` changes the output by
    ``-sum_F v_i (w_i . a + b_i)`` (``relu(-z) = relu(z) - z``, ``a`` the previous
    layer's activations), a constant exactly when the weighted normals
    ``X_i = v_i w_i^T`` sum to zero; the constant moves into the output bias.

    Notes
    -----
    Neurons with ``X_i = 0`` are left out (their rows are free or they only
    change a constant).  The indicator vector of ``F`` lies in the kernel of the
    ``(m d) x n`` matrix ``X = [vec X_1, ..., vec X_n]``.  With the reduced row
    echelon form of ``X``, a kernel vector is determined by its values on the
    ``k`` free columns, so the 0/1 kernel vectors are found by trying the
    ``2^k - 1`` nonzero 0/1 assignments of the free columns and keeping those
    whose pivot entries are 0 or 1 (exact; ``O(2^k n k)``).  Every zero-sum set
    is a disjoint union of minimal ones (if ``G`` inside ``F`` sums to zero, so
    does ``F - G``), so the minimal ones are returned, sorted.  A kernel of
    dimension above ``max_kernel`` raises :class:`~relu_geom.LimitExceededError`.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.analyses.fibers.hidden import zero_sum_flip_sets
    >>> W1 = [[1, 0], [0, 1], [1, 1], [2, -1], [1, 0], [-1, 0]]
    >>> net = rg.ReLUNetwork([W1, [[2, 2, -2, 5, 1, 1]]], [[1, -1, 2, 3, 0, 1], [0]])
    >>> zero_sum_flip_sets(net)
    ((0, 1, 2), (4, 5))
    """
    from relu_geom.errors import LimitExceededError

    require_network(net)
    L = net.depth
    W, V = net.weights[L - 1], net.weights[L]
    cols = []
    for i, w in enumerate(W):
        x = [V[r][i] * q for r in range(len(V)) for q in w]
        if any(x):
            cols.append((i, x))
    if not cols:
        return ()
    n = len(cols)
    rows = [[c[1][e] for c in cols] for e in range(len(cols[0][1]))]
    red, piv = rref([r for r in rows if any(r)]) if any(any(r) for r in rows) else ([], [])
    free = [c for c in range(n) if c not in piv]
    if len(free) > max_kernel:
        raise LimitExceededError(
            f"zero_sum_flip_sets: kernel of dimension {len(free)} > max_kernel={max_kernel} "
            f"(2^{len(free)} assignments)"
        )
    found: list[frozenset[int]] = []
    for mask in range(1, 1 << len(free)):
        on = [f for b, f in enumerate(free) if mask >> b & 1]
        vals = {f: Fraction(1) for f in on}
        ok = True
        for r_, p in zip(red, piv):
            v = -sum((r_[f] for f in on), _ZERO)
            if v not in (0, 1):
                ok = False
                break
            if v:
                vals[p] = v
        if ok:
            found.append(frozenset(cols[c][0] for c in vals))
    minimal = [F for F in found if not any(G < F for G in found)]
    return tuple(sorted(tuple(sorted(F)) for F in set(minimal)))


@dataclass(frozen=True, slots=True)
class HiddenSymmetry:
    """One exact parameter point in the fiber that is not a permutation and rescaling.

    Attributes
    ----------
    kind : str
        ``"flip"``, ``"pair-shift"``, ``"split"``, ``"free-row"``, ``"bias-shift"``,
        ``"flip-shear"`` or ``"linear-shift"``.
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


def _candidates(net: ReLUNetwork, max_kernel: int) -> list[tuple[str, str, ReLUNetwork]]:
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
    # flips in the last hidden layer: minimal zero-sum sets of weighted normals
    for F in zero_sum_flip_sets(net, max_kernel=max_kernel):
        w2, b2 = _layers(net)
        Wl, bl, Vout = w2[L - 1], b2[L - 1], w2[L]
        for i in F:
            Wl[i] = [-v for v in Wl[i]]
            bl[i] = -bl[i]
        b2[L] = [c + sum((Vout[r][i] * bs[L - 1][i] for i in F), _ZERO) for r, c in enumerate(b2[L])]
        out.append(
            (
                "flip",
                f"layer {L} neurons {list(F)} flipped (their weighted normals sum to zero)",
                ReLUNetwork(w2, b2),
            )
        )
    if L == 2:
        from relu_geom.analyses.fibers.bottleneck import _free_rows, flip_shears, hidden_bias_shifts

        for fam in hidden_bias_shifts(net):
            t = fam.lower - 1 if fam.lower >= 0 else fam.lower / 2
            t = t if t >= fam.lower and t != 0 else fam.lower + 1
            out.append(("bias-shift", fam.describe() + f" with t = {t}", fam.shift(t)))
        for flip in flip_shears(net):
            out.append(("flip-shear", flip.describe(), flip.apply()))
        for row in _free_rows(net):
            if row.kind == "dead-row":
                out.append(("free-row", row.describe() + " (redrawn)", row.sample(7)))
    # neurons active everywhere: their bias moves, the next layer's bias compensates
    for layer in range(L):
        nxt = ws[layer + 1]
        for i in range(len(ws[layer])):
            inc, b = ws[layer][i], bs[layer][i]
            active = b >= 0 and (all(v >= 0 for v in inc) if layer else not any(inc))
            if active and any(r[i] for r in nxt):
                w2, b2 = _layers(net)
                b2[layer][i] += 1
                b2[layer + 1] = [c - r[i] for c, r in zip(b2[layer + 1], nxt)]
                out.append(
                    (
                        "linear-shift",
                        f"layer {layer + 1} neuron {i} is active everywhere (its pre-activation is >= 0); "
                        "its bias moved by 1, the next layer's bias compensated",
                        ReLUNetwork(w2, b2),
                    )
                )
    return out


def hidden_symmetries(net: ReLUNetwork, *, max_kernel: int = 20) -> tuple[HiddenSymmetry, ...]:
    """Exact parameter points in the fiber of ``net`` that are not permutations and rescalings of it.

    Parameters
    ----------
    net
        Any network, or a compiled complex (its network). Without a hidden layer the
        result is empty.
    max_kernel
        Largest dimension of the kernel searched for zero-sum flip sets
        (:func:`zero_sum_flip_sets`).

    Returns
    -------
    tuple of HiddenSymmetry
        Each verified by :func:`relu_geom.functionally_equivalent` (its result
        is kept in ``check``); empty when none of the mechanisms applies.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.analyses.fibers import hidden_symmetries
    >>> W1 = [[1, 0], [0, 1], [1, 1], [2, -1]]
    >>> net = rg.ReLUNetwork([W1, [[2, 2, -2, 5]]], [[1, -1, 2, 3], [0]])
    >>> [h.kind for h in hidden_symmetries(net)]
    ['flip']
    >>> hidden_symmetries(rg.ReLUNetwork.random_normal([2, 3, 1], seed=0))
    ()
    """
    net = as_network(net, what="net")
    max_kernel = require_int(max_kernel, "max_kernel", minimum=0)
    if net.depth == 0:
        return ()  # an affine map: its fiber is the one parameter point
    base = normal_form(net)
    out = []
    seen = {base}
    for kind, desc, cand in _candidates(net, max_kernel):
        sf = normal_form(cand)
        if sf in seen:
            continue
        res = functionally_equivalent(net, cand)
        if res.equivalent:
            seen.add(sf)
            out.append(HiddenSymmetry(kind, desc, cand, res))
    return tuple(out)
