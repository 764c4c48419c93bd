"""The bound rule of ``docs/certificates.md`` (interval-symbolic propagation), exact.

Affine forms in the variables ``v = (x, s)`` are lists of Python integers
``[c, p_0, ..., p_{n-1}]`` sharing one denominator per layer, so a whole layer is
propagated with integer dot products only; the roundings ``down`` / ``up`` to
multiples of ``2^-k`` are integer floor / ceiling divisions.  Written from the rule
in the document alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from operator import mul

from relu_geom.network import ReLUNetwork

__all__ = ["IntegerNetwork", "Propagation", "affine_max", "backward_max", "propagate", "relaxation_max"]

Box = Sequence[tuple[Fraction, Fraction]]


def affine_max(coeffs: Sequence[Fraction], const: Fraction, box: Box) -> Fraction:
    """``max_{v in box} coeffs . v + const``: each coefficient at the bound of its sign."""
    total = const
    for a, (lo, hi) in zip(coeffs, box):
        if a > 0:
            total += a * hi
        elif a < 0:
            total += a * lo
    return total


def _common(values: Sequence[Fraction]) -> tuple[list[int], int]:
    den = math.lcm(*(v.denominator for v in values)) if values else 1
    return [v.numerator * (den // v.denominator) for v in values], den


@dataclass(frozen=True, slots=True)
class _Layer:
    rows: tuple[tuple[int, ...], ...]  # W numerators
    rows_pn: tuple[tuple[int, ...], ...]  # (W^+ | W^-) numerators, per output neuron
    rows_np: tuple[tuple[int, ...], ...]  # (W^- | W^+)
    bias: tuple[int, ...]
    den: int  # W = rows / den, b = bias / den
    weight_bits: int  # bit length of the largest |W| numerator
    bias_bits: int


class IntegerNetwork:
    """A network's layers as integer numerators over one denominator per layer."""

    __slots__ = ("net", "layers")

    def __init__(self, net: ReLUNetwork):
        self.net = net
        layers = []
        for w, b in zip(net.weights, net.biases):
            nums, den = _common([v for row in w for v in row] + list(b))
            width = len(w[0])
            rows = [tuple(nums[i * width : (i + 1) * width]) for i in range(len(w))]
            bias = tuple(nums[len(w) * width :])
            pn = tuple(tuple(max(a, 0) for a in r) + tuple(min(a, 0) for a in r) for r in rows)
            np_ = tuple(tuple(min(a, 0) for a in r) + tuple(max(a, 0) for a in r) for r in rows)
            weight_bits = max(abs(a) for r in rows for a in r).bit_length()
            bias_bits = max(abs(a) for a in bias).bit_length()
            layers.append(_Layer(tuple(rows), pn, np_, bias, den, weight_bits, bias_bits))
        self.layers = tuple(layers)


@dataclass(frozen=True, slots=True)
class Propagation:
    """The outcome of the bound rule on one leaf (``empty`` if it found a contradiction).

    ``phases[l-1][j]`` is the phase of neuron ``[l, j]``; ``lower`` / ``upper`` are the
    post-activation forms ``La`` / ``Ua`` of the last hidden layer (the identity on ``x``
    without hidden layers) over the denominator ``den``; ``pre[l-1]`` is ``(Lz_l, Z_l)``;
    ``bounds[l-1][j]`` is ``(2^k l_j, 2^k u_j)``, the rule's bounds of ``z_{l,j}`` as integers.
    """

    empty: bool
    phases: tuple[tuple[int, ...], ...]
    lower: tuple[tuple[int, ...], ...]
    upper: tuple[tuple[int, ...], ...]
    den: int
    pre: tuple[tuple[tuple[tuple[int, ...], ...], int], ...]
    bounds: tuple[tuple[tuple[int, int], ...], ...] = ()

    @property
    def all_fixed(self) -> bool:
        """Every hidden neuron has a phase (+1 or -1): ``f`` is affine on the leaf."""
        return all(all(p != 0 for p in layer) for layer in self.phases)


def _box_ints(box: Box) -> tuple[list[int], list[int], int]:
    los, den = _common([lo for lo, _ in box] + [hi for _, hi in box])
    n = len(box)
    return los[:n], los[n:], den


def _extreme(form: Sequence[int], first: list[int], second: list[int], db: int) -> int:
    """Numerator (over den * db) of the min (first = lo, second = hi) or max (swapped)."""
    total = form[0] * db
    for a, f, s in zip(form[1:], first, second):
        if a > 0:
            total += a * f
        elif a < 0:
            total += a * s
    return total


def _pack(form: Sequence[int], shift: int) -> int:
    value = 0
    for a in reversed(form):
        value = (value << shift) + a
    return value


def _unpack(value: int, shift: int, count: int) -> tuple[int, ...]:
    """Inverse of :func:`_pack` for entries of absolute value below ``2^(shift-1)``."""
    out = []
    mask = (1 << shift) - 1
    half = 1 << (shift - 1)
    for _ in range(count):
        digit = value & mask
        if digit >= half:
            digit -= 1 << shift
        out.append(digit)
        value = (value - digit) >> shift
    return tuple(out)


def _next_layer(
    layer: _Layer, la: list[tuple[int, ...]], ua: list[tuple[int, ...]], aden: int, width: int
) -> tuple[list[tuple[int, ...]], list[tuple[int, ...]]]:
    """``Lz = W^+ La + W^- Ua + b`` and ``Uz = W^+ Ua + W^- La + b`` (numerators over ``D aden``).

    Each form is packed into one integer (its entries as digits in base ``2^shift``,
    ``shift`` large enough that no digit of a result overflows), so a dot product over
    the layer is one ``sum(map(mul, ...))`` of integers.
    """
    top = max((abs(a) for f in (*la, *ua) for a in f), default=0).bit_length()
    shift = max(layer.weight_bits + top + (2 * len(la)).bit_length(), layer.bias_bits + aden.bit_length()) + 3
    packed = [_pack(f, shift) for f in la] + [_pack(f, shift) for f in ua]
    lz = [
        _unpack(sum(map(mul, r, packed)) + b * aden, shift, width) for r, b in zip(layer.rows_pn, layer.bias)
    ]
    uz = [
        _unpack(sum(map(mul, r, packed)) + b * aden, shift, width) for r, b in zip(layer.rows_np, layer.bias)
    ]
    return lz, uz


def _substitute(
    inet: IntegerNetwork,
    phases: Sequence[Sequence[int]],
    bounds: Sequence[Sequence[tuple[int, int]]],
    k: int,
    rows: list[list[int]],
    consts: list[Fraction],
    den: int,
    layer: int,
) -> tuple[list[list[int]], list[Fraction], int]:
    """Back-substitution: ``rows / den . a_layer + consts``, to be maximised, rewritten over ``x``.

    For ``m = layer, ..., 1`` each ``a_{m,j}`` becomes ``z_{m,j}`` (phase +1), ``0``
    (phase -1), ``t (z - l)`` with ``t = up(u / (u - l))`` where its coefficient is
    positive and ``z`` or ``0`` (by ``u + l >= 0``) where it is negative (unstable);
    then ``z_m = W_m a_{m-1} + b_m``.  Returns the rows over ``x``, their constants and
    the rows' common denominator.
    """
    scale = 1 << k
    for m in range(layer, 0, -1):
        lay = inet.layers[m - 1]
        relaxed = []
        for r, row in enumerate(rows):
            out = []
            drop = 0  # numerator over den * scale^2 of the constant the upper relaxations add
            for j, g in enumerate(row):
                p = phases[m - 1][j]
                if g == 0 or p < 0:
                    out.append(0)
                elif p > 0:
                    out.append(g * scale)
                else:
                    lo_j, up_j = bounds[m - 1][j]
                    if g > 0:
                        t = -((-up_j * scale) // (up_j - lo_j))
                        out.append(g * t)
                        drop += g * t * lo_j
                    else:
                        out.append(g * scale if up_j + lo_j >= 0 else 0)
            relaxed.append(out)
            if drop:
                consts[r] -= Fraction(drop, den * scale * scale)
        den *= scale
        # z_m = W_m a_{m-1} + b_m: each row times W_m, W_m's rows packed into integers
        width = len(lay.rows[0])
        top = max((abs(g) for row in relaxed for g in row), default=0).bit_length()
        shift = top + lay.weight_bits + (len(lay.rows) + 1).bit_length() + 2
        packed = [_pack(w, shift) for w in lay.rows]
        rows = [list(_unpack(sum(map(mul, row, packed)), shift, width)) for row in relaxed]
        den_next = den * lay.den
        consts = [c + Fraction(sum(map(mul, row, lay.bias)), den_next) for c, row in zip(consts, relaxed)]
        den = den_next
    return rows, consts, den


def _backward_bounds(
    inet: IntegerNetwork,
    phases: Sequence[Sequence[int]],
    bounds: Sequence[Sequence[tuple[int, int]]],
    k: int,
    layer: int,
    neurons: Sequence[int],
    box: Box,
) -> list[tuple[int, int]]:
    """``(2^k l_j, 2^k u_j)`` of the given neurons of layer ``layer`` by back-substitution
    (``down``, ``up``)."""
    lay = inet.layers[layer - 1]
    n = len(neurons)
    rows = [list(lay.rows[j]) for j in neurons] + [[-a for a in lay.rows[j]] for j in neurons]
    consts = [Fraction(lay.bias[j], lay.den) for j in neurons] + [Fraction(-lay.bias[j], lay.den) for j in neurons]
    rows, consts, den = _substitute(inet, phases, bounds, k, rows, consts, lay.den, layer - 1)
    scale = 1 << k
    tops = [affine_max([Fraction(g, den) for g in row], c, box) * scale for row, c in zip(rows, consts)]
    return [(math.floor(-tops[n + j]), math.ceil(tops[j])) for j in range(n)]


def backward_max(
    inet: IntegerNetwork,
    prop: Propagation,
    k: int,
    box: Box,
    p: Sequence[Fraction],
    q: Sequence[Fraction],
    c: Fraction,
) -> Fraction:
    """Step 3 of the backward rule: ``max`` over the box of ``p.v`` plus ``q.y + c`` back-substituted."""
    net = inet.net
    w_out, b_out = net.weights[-1], net.biases[-1]
    w = [sum((qi * row[j] for qi, row in zip(q, w_out)), Fraction(0)) for j in range(len(w_out[0]))]
    w_num, w_den = _common(w)
    const = c + sum((qi * bi for qi, bi in zip(q, b_out)), Fraction(0))
    rows, consts, den = _substitute(inet, prop.phases, prop.bounds, k, [w_num], [const], w_den, net.depth)
    d = net.input_dim
    coeffs = [Fraction(pi) + (Fraction(rows[0][i], den) if i < d else 0) for i, pi in enumerate(p)]
    return affine_max(coeffs, consts[0], box)


def propagate(
    inet: IntegerNetwork,
    box: Box,
    fixed: Mapping[tuple[int, int], int],
    k: int,
    rule: str = "forward",
    claims: Mapping[tuple[int, int], tuple[int | None, int | None]] | None = None,
) -> Propagation:
    """Run the bound rule on the box ``box`` (over ``v = (x, s)``) with fixed phases.

    With ``rule="backward"`` the bounds of every neuron from the third layer on that the
    forward bounds leave unstable and no split fixes are intersected with the
    back-substituted ones.  ``claims`` maps neurons to tightened bounds ``(2^k l, 2^k u)``
    (either may be None), intersected with the rule's before the phase is decided; a
    neuron whose lower bound then exceeds its upper one makes the leaf empty.
    """
    net = inet.net
    n = len(box)
    d = net.input_dim
    lo_n, hi_n, db = _box_ints(box)
    scale = 1 << k
    layers = inet.layers
    first = layers[0]
    # layer 1: Lz = Uz = W_1 x + b_1 (zero on s)
    forms = [(b, *r, *([0] * (n - d))) for r, b in zip(first.rows, first.bias)]
    lz, uz, zden = forms, forms, first.den
    phases: list[tuple[int, ...]] = []
    pre = []
    all_bounds: list[tuple[tuple[int, int], ...]] = []
    la: list[tuple[int, ...]] = [tuple(1 if c == i + 1 else 0 for c in range(n + 1)) for i in range(d)]
    ua, aden = la, 1
    for idx in range(len(layers) - 1):
        layer = idx + 1
        pre.append((tuple(lz), zden))
        full = zden * db
        bounds = []
        phase_row = []
        forward = [
            ((_extreme(lz[j], lo_n, hi_n, db) * scale) // full, -((-_extreme(uz[j], hi_n, lo_n, db) * scale) // full))
            for j in range(len(lz))
        ]
        if rule == "backward" and layer > 2:  # unstable by the forward bounds and not fixed
            todo = [j for j, (lo_j, up_j) in enumerate(forward) if lo_j < 0 < up_j and (layer, j) not in fixed]
            back = dict(zip(todo, _backward_bounds(inet, phases, all_bounds, k, layer, todo, box[:d])))
            for j, (lo_b, up_b) in back.items():
                forward[j] = (max(forward[j][0], lo_b), min(forward[j][1], up_b))
        for j in range(len(lz)):
            lo_j, up_j = forward[j]
            claim = claims.get((layer, j)) if claims else None
            if claim is not None:
                lo_j = lo_j if claim[0] is None else max(lo_j, claim[0])
                up_j = up_j if claim[1] is None else min(up_j, claim[1])
                if lo_j > up_j:
                    return Propagation(True, (), (), (), 1, ())
            f = fixed.get((layer, j))
            if f is not None:
                if (f > 0 and up_j < 0) or (f < 0 and lo_j > 0):
                    return Propagation(True, (), (), (), 1, ())
                p = f
            else:
                p = 1 if lo_j >= 0 else (-1 if up_j <= 0 else 0)
            phase_row.append(p)
            bounds.append((lo_j, up_j))
        phases.append(tuple(phase_row))
        all_bounds.append(tuple(bounds))
        s = scale * scale if 0 in phase_row else 1
        zero = (0,) * (n + 1)
        la, ua = [], []
        for j, p in enumerate(phase_row):
            if p > 0:
                la.append(tuple(a * s for a in lz[j]))
                ua.append(tuple(a * s for a in uz[j]))
            elif p < 0:
                la.append(zero)
                ua.append(zero)
            else:
                lo_j, up_j = bounds[j]
                t = -((-up_j * scale) // (up_j - lo_j))  # numerator of up(u / (u - l)) over 2^k
                u_form = [t * a * scale for a in uz[j]]
                u_form[0] -= t * lo_j * zden
                ua.append(tuple(u_form))
                la.append(tuple(a * s for a in lz[j]) if up_j + lo_j >= 0 else zero)
        aden = zden * s
        nxt = layers[idx + 1]
        if idx + 1 == len(layers) - 1:
            break
        lz, uz = _next_layer(nxt, la, ua, aden, n + 1)
        zden = nxt.den * aden
    return Propagation(False, tuple(phases), tuple(la), tuple(ua), aden, tuple(pre), tuple(all_bounds))


def output_form(
    inet: IntegerNetwork, prop: Propagation, p: Sequence[Fraction], q: Sequence[Fraction], c: Fraction
) -> tuple[list[Fraction], Fraction]:
    """Step 3: the affine form ``p.v + w^+ Ua + w^- La + q.b + c`` with ``w = q W_{L+1}``."""
    net = inet.net
    w_out, b_out = net.weights[-1], net.biases[-1]
    w = [sum((qi * row[j] for qi, row in zip(q, w_out)), Fraction(0)) for j in range(len(w_out[0]))]
    w_num, w_den = _common(w)
    n = len(p)
    total = [0] * (n + 1)
    for wj, lj, uj in zip(w_num, prop.lower, prop.upper):
        src = uj if wj > 0 else lj
        if wj:
            for col in range(n + 1):
                total[col] += wj * src[col]
    den = w_den * prop.den
    coeffs = [pi + Fraction(total[i + 1], den) for i, pi in enumerate(p)]
    const = c + sum((qi * bi for qi, bi in zip(q, b_out)), Fraction(0)) + Fraction(total[0], den)
    return coeffs, const


def relaxation_max(
    inet: IntegerNetwork,
    prop: Propagation,
    k: int,
    box: Box,
    form: tuple[Sequence[Fraction], Sequence[Fraction], Fraction],
    mu: Sequence[Mapping[int, Fraction]],
    alpha: Sequence[Mapping[int, Fraction]],
    const: Fraction,
) -> Fraction:
    """``max psi`` over the box of ``(v, a)`` for the relaxation leaf.

    ``psi = p.v + q.y + c + sum_l mu_l . z_l + sum_l alpha_l . a_l + const`` with
    ``y = W_{L+1} a_L + b_{L+1}``, ``z_l = W_l a_{l-1} + b_l`` and ``a_0 = x`` (the first
    ``d`` entries of ``v``), written as an affine function of ``(v, a)`` exactly; each
    ``a_{l,j}`` ranges over ``[0, 0]`` (phase -1) or ``[max(0, l_j), max(0, u_j)]`` with
    the rule's bounds ``prop.bounds`` over ``2^k``.
    """
    net = inet.net
    p, q, c = form
    d, n_hidden = net.input_dim, net.depth
    # coef[l] over a_l (l = 0: x), as Fractions
    coef: list[list[Fraction]] = [[Fraction(0)] * d] + [
        [Fraction(alpha[i].get(j, 0)) for j in range(w)] for i, w in enumerate(net.hidden_widths)
    ]
    total = Fraction(c) + const
    w_out, b_out = net.weights[-1], net.biases[-1]
    top = coef[n_hidden]
    for qi, row, bi in zip(q, w_out, b_out):
        if qi:
            for j, a in enumerate(row):
                top[j] += qi * a
            total += qi * bi
    for layer in range(n_hidden, 0, -1):
        entries = [(j, Fraction(m)) for j, m in mu[layer - 1].items() if m]
        if not entries:
            continue
        lay = inet.layers[layer - 1]
        nums, mden = _common([m for _, m in entries])
        width = len(coef[layer - 1])
        acc = [0] * width
        bsum = 0
        for (j, _), mj in zip(entries, nums):
            wrow = lay.rows[j]
            for i in range(width):
                if wrow[i]:
                    acc[i] += mj * wrow[i]
            bsum += mj * lay.bias[j]
        den = mden * lay.den
        prev = coef[layer - 1]
        for i in range(width):
            if acc[i]:
                prev[i] += Fraction(acc[i], den)
        total += Fraction(bsum, den)
    # the maximum over the box: v in the leaf box, a_{l,j} in its interval
    xcoef = [Fraction(a) + b for a, b in zip(p[:d], coef[0])] + [Fraction(a) for a in p[d:]]
    best = affine_max(xcoef, total, box)
    one = Fraction(1, 1 << k)
    for layer in range(1, n_hidden + 1):
        for j, a in enumerate(coef[layer]):
            if not a:
                continue
            if prop.phases[layer - 1][j] < 0:
                continue  # a = 0
            lo_j, up_j = prop.bounds[layer - 1][j]
            best += a * (max(up_j, 0) if a > 0 else max(lo_j, 0)) * one
    return best


def jacobian(inet: IntegerNetwork, prop: Propagation) -> list[list[Fraction]]:
    """The exact matrix ``A`` of ``f = A x + c`` on a leaf where every neuron has a phase."""
    net = inet.net
    d = net.input_dim
    out = []
    for row in net.weights[-1]:
        out.append(
            [
                sum((wj * Fraction(f[col + 1], prop.den) for wj, f in zip(row, prop.lower)), Fraction(0))
                for col in range(d)
            ]
        )
    return out
