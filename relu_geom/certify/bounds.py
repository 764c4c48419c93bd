"""The bound rule of ``docs/certificates.md`` (interval-symbolic propagation), exact and as a float guide.

:func:`exact_bounds` reproduces the rule exactly: the verdicts of certificates depend on it.
Affine forms over ``v = (x, s)`` are kept as rows of Python integers (coefficients, then
the constant) over one common denominator per layer, and the layer products run in
python-flint (``fmpz_mat``).  :func:`float_bounds` is the same propagation in float64
numpy without the dyadic roundings; it only guides the choice of splits and is never used
for a verdict.

Notes
-----
Neurons are ``(l, j)`` with hidden layer ``l`` from 1.  A box is a sequence of ``(lo, hi)``
pairs over ``v`` (the ``d`` inputs, then any auxiliary variables).  Fixed phases are a
mapping ``{(l, j): +1 or -1}``.  One exact call costs ``O(sum n_l n_{l+1} (d + e + 1))``
integer operations in C plus ``O(H (d + e))`` Python integer operations.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import flint
import numpy as np

from relu_geom._util import short_repr
from relu_geom.errors import InvalidInputError
from relu_geom.network import ReLUNetwork

__all__ = [
    "BOUND_RULES",
    "ExactBounds",
    "Form",
    "FloatBatch",
    "FloatBounds",
    "exact_bounds",
    "float_bounds",
    "float_bounds_batch",
    "max_over_box",
    "resolve_bound_rule",
    "rule_key",
]

DEFAULT_PRECISION_BITS = 32
MAX_PRECISION_BITS = 4096
BOUND_RULES = ("forward", "backward")
"""The bound rules of ``docs/certificates.md`` (``question.bound_rule``)."""
BACKWARD_FROM_DEPTH = 3
"""Searches use the backward rule by default from this many hidden layers on."""


def check_search_limits(
    *, max_seconds: Any = None, max_branches: Any = None, precision_bits: Any = 32
) -> None:
    """Refuse budgets that are not what they say: ``max_seconds`` a number >= 0 or None,
    ``max_branches`` an integer >= 0 or None (0: bound the root only, the answer may be
    unknown), ``precision_bits`` an integer in 1..4096.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.certify.bounds import check_search_limits
    >>> check_search_limits(max_seconds=2.5, max_branches=10, precision_bits=64)
    >>> check_search_limits(precision_bits=0)
    Traceback (most recent call last):
    ...
    relu_geom.errors.InvalidInputError: precision_bits: expected an integer from 1 to 4096, got 0
    """
    for name, value, kinds in (
        ("max_seconds", max_seconds, (int, float, Fraction)),
        ("max_branches", max_branches, (int,)),
    ):
        if value is not None and (isinstance(value, bool) or not isinstance(value, kinds) or not value >= 0):
            raise InvalidInputError(f"{name}: expected a number >= 0 or None, got {short_repr(value)}")
    if (
        isinstance(precision_bits, bool)
        or not isinstance(precision_bits, int)
        or not 1 <= precision_bits <= MAX_PRECISION_BITS
    ):
        raise InvalidInputError(
            f"precision_bits: expected an integer from 1 to {MAX_PRECISION_BITS}, got {short_repr(precision_bits)}"
        )


@dataclass(frozen=True, slots=True)
class Form:
    """The affine form ``p.v + q.y + c`` over ``v = (x, s)`` and the output ``y``."""

    p: tuple[Fraction, ...]
    q: tuple[Fraction, ...]
    c: Fraction

    def value(self, v: Sequence[Fraction], y: Sequence[Fraction]) -> Fraction:
        return sum((a * b for a, b in zip(self.p, v) if a), self.c) + sum(
            (a * b for a, b in zip(self.q, y) if a), Fraction(0)
        )

    def minus(self, other: Form, mu: Fraction) -> Form:
        return Form(
            tuple(a - mu * b for a, b in zip(self.p, other.p)),
            tuple(a - mu * b for a, b in zip(self.q, other.q)),
            self.c - mu * other.c,
        )

    def shift(self, delta: Fraction) -> Form:
        return Form(self.p, self.q, self.c + delta)


def resolve_bound_rule(net: ReLUNetwork, bound_rule: Any) -> str:
    """The bound rule a search uses: ``bound_rule`` when given, else ``"backward"`` for
    networks with at least :data:`BACKWARD_FROM_DEPTH` hidden layers and ``"forward"`` below.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.certify.bounds import resolve_bound_rule
    >>> [resolve_bound_rule(rg.ReLUNetwork.random(a, seed=0), None) for a in ([2, 3, 1], [2, 3, 3, 3, 1])]
    ['forward', 'backward']
    >>> resolve_bound_rule(rg.ReLUNetwork.random([2, 3, 1], seed=0), "sideways")
    Traceback (most recent call last):
    ...
    relu_geom.errors.InvalidInputError: bound_rule: expected 'forward', 'backward' or None, got 'sideways'
    """
    if bound_rule is None:
        return "backward" if net.depth >= BACKWARD_FROM_DEPTH else "forward"
    if not isinstance(bound_rule, str) or bound_rule not in BOUND_RULES:
        raise InvalidInputError(
            f"bound_rule: expected 'forward', 'backward' or None, got {short_repr(bound_rule)}"
        )
    return bound_rule


def rule_key(rule: str) -> dict[str, str]:
    """The question's ``bound_rule`` entry: none for the forward rule (so such certificates
    read as before), ``{"bound_rule": rule}`` otherwise."""
    return {} if rule == "forward" else {"bound_rule": rule}


Box = Sequence[tuple[Fraction, Fraction]]


def max_over_box(coef: Sequence[Fraction], const: Fraction, box: Box) -> Fraction:
    """The maximum of ``coef . v + const`` over the box: each coefficient at the bound of its sign."""
    total = const
    for a, (lo, hi) in zip(coef, box):
        if a > 0:
            total += a * hi
        elif a < 0:
            total += a * lo
    return total


@dataclass(frozen=True, slots=True)
class _Layer:
    pos: flint.fmpz_mat  # den * max(W, 0)
    neg: flint.fmpz_mat  # den * min(W, 0)
    bias: tuple[int, ...]  # den * b
    den: int


_CACHE: dict[tuple[str, int], tuple[ReLUNetwork, object]] = {}


def _cached(kind: str, net: ReLUNetwork, build):
    """Per-network data keyed by identity (hashing a network hashes every parameter)."""
    key = (kind, id(net))
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is net:
        return hit[1]
    if len(_CACHE) >= 64:
        _CACHE.clear()
    data = build(net)
    _CACHE[key] = (net, data)
    return data


def _layers(net: ReLUNetwork) -> tuple[_Layer, ...]:
    return _cached("exact", net, _build_layers)


def _float_layers(net: ReLUNetwork) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], ...]:
    return _cached("float", net, _build_float_layers)


def _build_layers(net: ReLUNetwork) -> tuple[_Layer, ...]:
    out = []
    for w, b in zip(net.weights, net.biases):
        den = math.lcm(*(v.denominator for row in w for v in row), *(v.denominator for v in b))
        rows = [[int(v * den) for v in row] for row in w]
        n, m = len(rows), len(rows[0])
        pos = flint.fmpz_mat(n, m, [max(v, 0) for row in rows for v in row])
        neg = flint.fmpz_mat(n, m, [min(v, 0) for row in rows for v in row])
        out.append(_Layer(pos, neg, tuple(int(v * den) for v in b), den))
    return tuple(out)


def _build_float_layers(
    net: ReLUNetwork,
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], ...]:
    out = []
    for w, b in zip(net.weights, net.biases):
        W = np.array([[float(v) for v in row] for row in w])
        out.append((W, np.array([float(v) for v in b]), np.maximum(W, 0), np.minimum(W, 0)))
    return tuple(out)


def _to_mat(rows: list[list[int]], ncols: int) -> flint.fmpz_mat:
    return flint.fmpz_mat(len(rows), ncols, [v for row in rows for v in row])


def _from_mat(m: flint.fmpz_mat) -> list[list[int]]:
    ncols = m.ncols()
    flat = [int(v) for v in m.entries()]
    return [flat[i : i + ncols] for i in range(0, len(flat), ncols)]


@dataclass(frozen=True, slots=True)
class ExactBounds:
    """The outcome of the exact bound rule on one leaf.

    Attributes
    ----------
    empty
        True when the rule finds a contradiction (a neuron fixed active with ``u < 0`` or
        fixed inactive with ``l > 0``); then the other fields describe the layers before it.
    phases
        Per hidden layer, the phase of every neuron (+1, -1 or 0 for unstable).
    lower, upper
        Per hidden layer, the integers ``2^k l_j`` and ``2^k u_j``.
    """

    net: ReLUNetwork
    box: tuple[tuple[Fraction, Fraction], ...]
    bits: int
    empty: bool
    phases: tuple[tuple[int, ...], ...]
    lower: tuple[tuple[int, ...], ...]
    upper: tuple[tuple[int, ...], ...]
    post: tuple[list[list[int]], list[list[int]], int] | None  # (La, Ua, denominator) of layer L
    rule: str = "forward"

    @property
    def all_phased(self) -> bool:
        """Whether every hidden neuron has a phase (so ``f`` is affine on the leaf)."""
        return not self.empty and all(s != 0 for layer in self.phases for s in layer)

    def unstable(self) -> list[tuple[int, int]]:
        """The neurons without a phase, ``(l, j)``."""
        return [(i + 1, j) for i, layer in enumerate(self.phases) for j, s in enumerate(layer) if s == 0]

    def upper_bound(self, p: Sequence[Fraction], q: Sequence[Fraction], c: Fraction) -> Fraction:
        """Step 3 of the rule: an upper bound of ``p.v + q.y + c`` on the leaf (exact)."""
        if self.rule == "backward" and self.net.depth > 1:
            return min(self._forward_upper(p, q, c), _backward_upper(self, p, q, c))
        return self._forward_upper(p, q, c)

    def _forward_upper(self, p: Sequence[Fraction], q: Sequence[Fraction], c: Fraction) -> Fraction:
        net = self.net
        nv = len(self.box)
        if net.depth == 0:
            w1, b1 = net.weights[0], net.biases[0]
            coef = list(p)
            for qi, row in zip(q, w1):
                if qi:
                    for i, a in enumerate(row):
                        coef[i] += qi * a
            const = c + sum((qi * bi for qi, bi in zip(q, b1)), Fraction(0))
            return max_over_box(coef, const, self.box)
        assert self.post is not None
        La, Ua, den = self.post
        wl, bl = net.weights[-1], net.biases[-1]
        n = len(wl[0])
        w = [sum((qi * row[j] for qi, row in zip(q, wl) if qi), Fraction(0)) for j in range(n)]
        acc = [0] * (nv + 1)
        # the combination has rational weights: accumulate numerators over their lcm
        wden = math.lcm(*(v.denominator for v in w)) if w else 1
        for j, wj in enumerate(w):
            if wj:
                side = Ua[j] if wj > 0 else La[j]
                f = int(wj * wden)
                for i, v in enumerate(side):
                    if v:
                        acc[i] += f * v
        scale = Fraction(1, wden * den)
        coef = [Fraction(p[i]) + acc[i] * scale for i in range(nv)]
        const = c + acc[nv] * scale + sum((qi * bi for qi, bi in zip(q, bl)), Fraction(0))
        return max_over_box(coef, const, self.box)


def exact_bounds(
    net: ReLUNetwork,
    box: Box,
    fixed: Mapping[tuple[int, int], int] | None = None,
    *,
    bits: int = DEFAULT_PRECISION_BITS,
    rule: str = "forward",
    claims: Mapping[tuple[int, int], tuple[int | None, int | None]] | None = None,
) -> ExactBounds:
    """Run the exact bound rule of ``docs/certificates.md`` on a leaf.

    Parameters
    ----------
    net
        The network.
    box
        ``(lo, hi)`` pairs over ``v = (x, s)``: the ``d`` inputs first, then auxiliary variables.
    fixed
        Phases fixed by neuron splits, ``{(l, j): +1 / -1}``.
    bits
        ``question.precision_bits`` (the ``k`` of the dyadic roundings).
    rule
        ``question.bound_rule``: ``"forward"`` (interval-symbolic propagation) or
        ``"backward"`` (back-substitution through the relaxations, the DeepPoly / CROWN
        bounds; tighter for deeper networks, ``O(L^2 n^3)`` instead of ``O(L n^2 d)``).
    claims
        Tightened bounds ``{(l, j): (2^k l or None, 2^k u or None)}`` (the ``tighten``
        entries of the node and its ancestors), intersected with the rule's bounds before
        the phase is decided; a lower bound above the upper one makes the leaf empty.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from fractions import Fraction as F
    >>> from relu_geom.certify.bounds import exact_bounds
    >>> net = rg.ReLUNetwork([[[1], [-1]], [[1, 1]]], [[0, 0], [0]])  # |x|
    >>> b = exact_bounds(net, [(F(-1), F(2))])
    >>> b.phases, b.upper_bound([F(0)], [F(1)], F(0)) == 2 + F(1, 2**32)  # 2 plus a rounding
    (((0, 0),), True)
    >>> exact_bounds(net, [(F(1), F(2))]).upper_bound([F(0)], [F(1)], F(0))
    Fraction(2, 1)

    ``z_3 = 2 relu(-a_1 - a_2) - relu(2 a_1 - a_2 + 1) - 1`` is at most ``-1`` because
    ``a_1, a_2 >= 0``.  On ``[-1, 1]`` the forward rule bounds it by ``2`` (unstable);
    back-substitution bounds it by ``0`` (dead):

    >>> net3 = rg.ReLUNetwork(
    ...     [[[2], [-2]], [[-1, -1], [2, -1]], [[2, -1]], [[2]]], [[-1, 0], [0, 1], [-1], [-2]]
    ... )
    >>> [(exact_bounds(net3, [(F(-1), F(1))], rule=r).phases[2], exact_bounds(net3, [(F(-1), F(1))], rule=r).upper[2])
    ...  for r in ("forward", "backward")]
    [((0,), (8589934592,)), ((-1,), (0,))]
    """
    if rule not in BOUND_RULES:
        raise InvalidInputError(f"rule: expected one of {', '.join(BOUND_RULES)}, got {short_repr(rule)}")
    fixed = fixed or {}
    box_t = tuple((Fraction(lo), Fraction(hi)) for lo, hi in box)
    nv = len(box_t)
    d = net.input_dim
    dbox = math.lcm(*(v.denominator for pair in box_t for v in pair))
    lo_n = [int(lo * dbox) for lo, _ in box_t]
    hi_n = [int(hi * dbox) for _, hi in box_t]
    layers = _layers(net)
    one = 1 << bits
    L = net.depth
    phases: list[tuple[int, ...]] = []
    lowers: list[tuple[int, ...]] = []
    uppers: list[tuple[int, ...]] = []
    if L == 0:
        return ExactBounds(net, box_t, bits, False, (), (), (), None, rule)
    first = layers[0]
    w1 = _from_mat(first.pos + first.neg)
    Lz = [row + [0] * (nv - d) + [bi] for row, bi in zip(w1, first.bias)]
    Uz = Lz
    D = first.den
    ncols = nv + 1
    back = rule == "backward"
    for lay in range(1, L + 1):
        scale = D * dbox
        ph: list[int] = []
        lo_l: list[int] = []
        up_l: list[int] = []
        fwd = []
        for lrow, urow in zip(Lz, Uz):
            mn = lrow[nv] * dbox
            mx = urow[nv] * dbox
            for i in range(nv):
                a = lrow[i]
                if a:
                    mn += a * (lo_n[i] if a > 0 else hi_n[i])
                a = urow[i]
                if a:
                    mx += a * (hi_n[i] if a > 0 else lo_n[i])
            fwd.append([(mn << bits) // scale, -((-mx << bits) // scale)])
        if back and lay > 2:  # layers 1 and 2: back-substitution gives the forward bounds
            todo = [j for j, (lj, uj) in enumerate(fwd) if lj < 0 < uj and (lay, j) not in fixed]
            if todo:
                blo, bup = _backward_layer(net, lay, todo, phases, lowers, uppers, bits, box_t[:d])
                for j, lb, ub in zip(todo, blo, bup):
                    fwd[j] = [max(fwd[j][0], lb), min(fwd[j][1], ub)]
        for j, (lj, uj) in enumerate(fwd):
            claim = claims.get((lay, j)) if claims else None
            if claim is not None:
                lj = lj if claim[0] is None else max(lj, claim[0])
                uj = uj if claim[1] is None else min(uj, claim[1])
            f = fixed.get((lay, j))
            if lj > uj or (f is not None and ((f > 0 and uj < 0) or (f < 0 and lj > 0))):
                return ExactBounds(net, box_t, bits, True, tuple(phases), tuple(lowers), tuple(uppers), None, rule)
            s = f if f is not None else (1 if lj >= 0 else (-1 if uj <= 0 else 0))
            ph.append(s)
            lo_l.append(lj)
            up_l.append(uj)
        phases.append(tuple(ph))
        lowers.append(tuple(lo_l))
        uppers.append(tuple(up_l))
        S = one * one if 0 in ph else 1
        zero = [0] * ncols
        La: list[list[int]] = []
        Ua: list[list[int]] = []
        for s, lrow, urow, lj, uj in zip(ph, Lz, Uz, lo_l, up_l):
            if s > 0:
                La.append([v * S for v in lrow] if S != 1 else lrow)
                Ua.append([v * S for v in urow] if S != 1 else urow)
            elif s < 0:
                La.append(zero)
                Ua.append(zero)
            else:
                t = -((-uj << bits) // (uj - lj))  # 2^k up(u / (u - l))
                row = [t * (v << bits) for v in urow]
                row[nv] -= t * lj * D
                Ua.append(row)
                La.append([v * S for v in lrow] if uj + lj >= 0 else zero)
        D2 = D * S
        if lay == L:
            return ExactBounds(
                net, box_t, bits, False, tuple(phases), tuple(lowers), tuple(uppers), (La, Ua, D2), rule
            )
        nxt = layers[lay]
        mLa, mUa = _to_mat(La, ncols), _to_mat(Ua, ncols)
        Lz = _from_mat(nxt.pos * mLa + nxt.neg * mUa)
        Uz = _from_mat(nxt.pos * mUa + nxt.neg * mLa)
        for lrow, urow, bi in zip(Lz, Uz, nxt.bias):
            lrow[nv] += bi * D2
            urow[nv] += bi * D2
        D = nxt.den * D2
    raise AssertionError("unreachable")  # pragma: no cover


# ---------------------------------------------------------------- the backward rule, exact
def _int_layers(net: ReLUNetwork) -> tuple[tuple[list[list[int]], list[int], int], ...]:
    return _cached("int layers", net, _build_int_layers)


def _build_int_layers(net: ReLUNetwork) -> tuple[tuple[list[list[int]], list[int], int], ...]:
    """Per layer the numerators of ``W`` and ``b`` over one denominator, and that denominator."""
    out = []
    for w, b in zip(net.weights, net.biases):
        den = math.lcm(*(v.denominator for row in w for v in row), *(v.denominator for v in b))
        out.append(([[int(v * den) for v in row] for row in w], [int(v * den) for v in b], den))
    return tuple(out)


def _substitute(
    net: ReLUNetwork,
    phases: Sequence[Sequence[int]],
    lowers: Sequence[Sequence[int]],
    uppers: Sequence[Sequence[int]],
    bits: int,
    X: flint.fmpz_mat,
    D: int,
    m: int,
) -> tuple[flint.fmpz_mat, int]:
    """Back-substitute the rows ``[G | c]`` of ``X``, the forms ``G / D . a_m + c / (2^k D)``
    to maximise, down to the input; returns the rows over ``x`` and their denominator.

    For each layer ``m, ..., 1``: every ``a_{m,j}`` is replaced by ``z_{m,j}`` (phase +1),
    by 0 (phase -1), or for an unstable neuron by ``t (z - l)`` where its coefficient is
    positive and by ``alpha z`` where it is negative (``alpha = 1`` if ``u + l >= 0``,
    else 0); then ``z_m = W_m a_{m-1} + b_m``.  With ``P`` the positive part of the
    unstable columns of ``G`` this is the integer matrix identity ``X' = X A + P B``
    (``A`` scales by the negative-side slopes, ``B`` adds the difference and the
    constants ``- t l`` of the upper relaxations); the constants keep one factor ``2^k``
    more in their denominator so that everything stays in integers.
    """
    one = 1 << bits
    for mm in range(m, 0, -1):
        Wi, bi, den = _int_layers(net)[mm - 1]
        width = len(Wi[0])
        a_rows: list[int] = []
        b_rows: list[int] = []
        cols: list[int] = []
        for j, (s, lj, uj) in enumerate(zip(phases[mm - 1], lowers[mm - 1], uppers[mm - 1])):
            if s > 0:
                neg = one
            elif s < 0:
                neg = 0
            else:
                t = -((-uj << bits) // (uj - lj))  # 2^k up(u / (u - l))
                neg = one if uj + lj >= 0 else 0
                diff = t - neg
                cols.append(j)
                b_rows += [diff * v for v in Wi[j]]
                b_rows.append((diff * bi[j] << bits) - t * lj * den)
            a_rows += [neg * v for v in Wi[j]]
            a_rows.append(neg * bi[j] << bits)
        a_rows += [0] * width
        a_rows.append(one * den)
        n = len(Wi)
        out = X * flint.fmpz_mat(n + 1, width + 1, a_rows)
        if cols:
            rows: list[list[Any]] = X.tolist()
            pos = [max(row[j], 0) for row in rows for j in cols]
            out += flint.fmpz_mat(X.nrows(), len(cols), pos) * flint.fmpz_mat(len(cols), width + 1, b_rows)
        X = out
        D = D * one * den
    return X, D


def _box_tops(X: flint.fmpz_mat, D: int, bits: int, xbox: Sequence[tuple[Fraction, Fraction]]) -> list[int]:
    """``ceil(2^k max_box (G_r / D . x + c_r / (2^k D)))`` for every row ``[G_r | c_r]`` of ``X``."""
    dbox = math.lcm(*(v.denominator for pair in xbox for v in pair))
    lo_n = [int(lo * dbox) for lo, _ in xbox]
    hi_n = [int(hi * dbox) for _, hi in xbox]
    out = []
    for row in X.tolist():
        num: Any = 0
        for g, lo, hi in zip(row, lo_n, hi_n):
            if g > 0:
                num += g * hi
            elif g < 0:
                num += g * lo
        out.append(int(-((-((num << bits) + row[-1] * dbox)) // (D * dbox))))
    return out


def _backward_layer(
    net: ReLUNetwork,
    lay: int,
    todo: Sequence[int],
    phases: Sequence[Sequence[int]],
    lowers: Sequence[Sequence[int]],
    uppers: Sequence[Sequence[int]],
    bits: int,
    xbox: Sequence[tuple[Fraction, Fraction]],
) -> tuple[list[int], list[int]]:
    """The back-substituted bounds ``2^k l_j``, ``2^k u_j`` of the neurons ``todo`` of layer
    ``lay`` (rounded outward)."""
    Wi, bi, den = _int_layers(net)[lay - 1]
    n, width = len(todo), len(Wi[0])
    flat = [v for j in todo for v in (*Wi[j], bi[j] << bits)]
    X = flint.fmpz_mat(2 * n, width + 1, flat + [-v for v in flat])
    X, D = _substitute(net, phases, lowers, uppers, bits, X, den, lay - 1)
    tops = _box_tops(X, D, bits, xbox)
    return [-tops[n + j] for j in range(n)], tops[:n]


def _backward_upper(eb: ExactBounds, p: Sequence[Fraction], q: Sequence[Fraction], c: Fraction) -> Fraction:
    """Step 3 of the backward rule: back-substitute ``q . y + c`` and maximise with ``p.v`` over the box."""
    net = eb.net
    wl, bl = net.weights[-1], net.biases[-1]
    w = [sum((qi * row[j] for qi, row in zip(q, wl) if qi), Fraction(0)) for j in range(len(wl[0]))]
    wden = math.lcm(*(v.denominator for v in w)) if w else 1
    const = Fraction(c) + sum((qi * bi for qi, bi in zip(q, bl) if qi), Fraction(0))
    X = flint.fmpz_mat(1, len(w) + 1, [int(v * wden) for v in w] + [0])
    X, D = _substitute(net, eb.phases, eb.lower, eb.upper, eb.bits, X, wden, net.depth)
    row = [int(v) for v in X.entries()]
    coef = [Fraction(pi) for pi in p]
    for i, g in enumerate(row[:-1]):
        if g:
            coef[i] += Fraction(g, D)
    return max_over_box(coef, const + Fraction(row[-1], D << eb.bits), eb.box)


@dataclass(frozen=True, slots=True)
class FloatBounds:
    """The float64 guide on one leaf: the same propagation without roundings (never a verdict)."""

    net: ReLUNetwork
    lo: np.ndarray
    hi: np.ndarray
    lower: tuple[np.ndarray, ...]
    upper: tuple[np.ndarray, ...]
    phases: tuple[np.ndarray, ...]
    post: tuple[np.ndarray, np.ndarray] | None
    rule: str = "forward"

    def upper_form(self, p: np.ndarray, q: np.ndarray, c: float) -> tuple[np.ndarray, float]:
        """The affine form over ``v`` whose box maximum is the guide's bound of ``p.v + q.y + c``."""
        coef, const = _upper_forms(self.net, self.post, p[None], q[None], np.array([c]), len(self.lo))
        if self.rule == "backward" and self.net.depth > 1:
            bcoef, bconst = _float_backward_forms(
                self.net,
                tuple(a[None] for a in self.lower),
                tuple(a[None] for a in self.upper),
                tuple(a[None] for a in self.phases),
                p[None],
                q[None],
                np.array([c]),
            )
            box_max = lambda a, k: float(np.maximum(a, 0) @ self.hi + np.minimum(a, 0) @ self.lo + k)  # noqa: E731
            if box_max(bcoef[0, 0], bconst[0, 0]) < box_max(coef[0], const[0]):
                return bcoef[0, 0], float(bconst[0, 0])
        return coef[0], float(const[0])

    def upper_bound(self, p: np.ndarray, q: np.ndarray, c: float) -> float:
        """Approximate upper bound of ``p.v + q.y + c``."""
        coef, const = self.upper_form(p, q, c)
        return float(np.maximum(coef, 0) @ self.hi + np.minimum(coef, 0) @ self.lo + const)


@dataclass(frozen=True, slots=True)
class FloatBatch:
    """The float64 guide on ``N`` leaves at once: arrays with a leading axis of length ``N``.

    ``lower``, ``upper`` and ``phases`` have shape ``(N, n_l)`` per hidden layer; ``post``
    is ``(La, Ua)`` of shape ``(N, n_L, nv + 1)`` (None without hidden layers).
    """

    net: ReLUNetwork
    lo: np.ndarray
    hi: np.ndarray
    lower: tuple[np.ndarray, ...]
    upper: tuple[np.ndarray, ...]
    phases: tuple[np.ndarray, ...]
    post: tuple[np.ndarray, np.ndarray] | None
    rule: str = "forward"

    def node(self, i: int) -> FloatBounds:
        """The guide of leaf ``i``."""
        post = None if self.post is None else (self.post[0][i], self.post[1][i])
        return FloatBounds(
            self.net,
            self.lo[i],
            self.hi[i],
            tuple(a[i] for a in self.lower),
            tuple(a[i] for a in self.upper),
            tuple(a[i] for a in self.phases),
            post,
            self.rule,
        )

    def upper_bounds(self, p: np.ndarray, q: np.ndarray, c: np.ndarray) -> np.ndarray:
        """Approximate upper bounds of ``K`` forms ``p_k.v + q_k.y + c_k`` on every leaf, shape ``(N, K)``."""
        coef, const = _upper_forms(self.net, self.post, p, q, c, self.lo.shape[1])
        if coef.ndim == 2:  # no hidden layers: the same form on every leaf
            coef = np.broadcast_to(coef, (self.lo.shape[0], *coef.shape))
            const = np.broadcast_to(const, (self.lo.shape[0], len(const)))
        hi, lo = self.hi[:, None, :], self.lo[:, None, :]
        out = (np.maximum(coef, 0) * hi + np.minimum(coef, 0) * lo).sum(axis=2) + const
        if self.rule == "backward" and self.net.depth > 1:
            coef, const = _float_backward_forms(self.net, self.lower, self.upper, self.phases, p, q, c)
            out = np.minimum(out, (np.maximum(coef, 0) * hi + np.minimum(coef, 0) * lo).sum(axis=2) + const)
        return out


def _upper_forms(net, post, p: np.ndarray, q: np.ndarray, c: np.ndarray, nv: int):
    """Coefficients over ``v`` and constants of the guide's upper forms of ``K`` forms.

    With ``post`` of one leaf (2-D) or of ``N`` leaves (3-D) the result has a leading
    ``N`` axis in the second case; without hidden layers it is ``(K, nv)`` and ``(K,)``.
    """
    fl = _float_layers(net)
    if post is None:
        w1, b1 = fl[0][:2]
        coef = p.copy()
        coef[:, : w1.shape[1]] += q @ w1
        return coef, c + q @ b1
    La, Ua = post
    wl, bl = fl[-1][:2]
    w = q @ wl
    form = np.maximum(w, 0) @ Ua + np.minimum(w, 0) @ La
    return p + form[..., :nv], form[..., nv] + c + q @ bl


def _float_substitute(
    net: ReLUNetwork,
    lower: Sequence[np.ndarray],
    upper: Sequence[np.ndarray],
    phases: Sequence[np.ndarray],
    G: np.ndarray,
    c: np.ndarray,
    m: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The float guide of :func:`_substitute`: ``G`` of shape ``(N, R, n_m)``, ``c`` of shape ``(N, R)``.

    A positive coefficient takes the neuron's upper slope ``t`` and offset, a negative one
    its lower slope ``alpha``: the new ``G`` is ``G alpha + max(G, 0) (t - alpha)``.
    """
    fl = _float_layers(net)
    for mm in range(m, 0, -1):
        lz, uz, ph = lower[mm - 1], upper[mm - 1], phases[mm - 1]
        unst = ph == 0
        active = (ph > 0).astype(float)
        t = np.where(unst, uz / np.where(unst, uz - lz, 1.0), active)
        alpha = np.where(unst, (uz + lz >= 0).astype(float), active)
        off = np.where(unst, -t * lz, 0.0)
        Gp = np.maximum(G, 0.0)
        c = c + np.matmul(Gp, off[:, :, None])[:, :, 0]
        G = G * alpha[:, None, :] + Gp * (t - alpha)[:, None, :]
        W, b = fl[mm - 1][:2]
        c = c + G @ b
        G = G @ W
    return G, c


def _float_backward_forms(net, lower, upper, phases, p: np.ndarray, q: np.ndarray, c: np.ndarray):
    """Coefficients ``(N, K, nv)`` over ``v`` and constants ``(N, K)`` of the backward rule's
    upper forms of ``K`` forms ``p_k.v + q_k.y + c_k``."""
    W, b = _float_layers(net)[-1][:2]
    N = lower[0].shape[0]
    G = np.broadcast_to(q @ W, (N, *(q @ W).shape))
    const = np.broadcast_to(c + q @ b, (N, len(c)))
    G, const = _float_substitute(net, lower, upper, phases, G, const, net.depth)
    coef = np.broadcast_to(p, (N, *p.shape)).copy()
    coef[:, :, : G.shape[2]] += G
    return coef, const


def float_bounds(
    net: ReLUNetwork,
    lo: np.ndarray,
    hi: np.ndarray,
    fixed: Mapping[tuple[int, int], int] | None = None,
    *,
    rule: str = "forward",
) -> FloatBounds:
    """The float64 guide of :func:`exact_bounds` (same arguments, the box as two arrays)."""
    return float_bounds_batch(net, lo[None], hi[None], [fixed or {}], rule=rule).node(0)


def float_bounds_batch(
    net: ReLUNetwork,
    lo: np.ndarray,
    hi: np.ndarray,
    fixed: Sequence[Mapping[tuple[int, int], int]] | None = None,
    *,
    rule: str = "forward",
) -> FloatBatch:
    """The float64 guide on ``N`` boxes at once (``lo``, ``hi`` of shape ``(N, nv)``), one
    mapping of fixed phases per box."""
    fl = _float_layers(net)
    N, nv = lo.shape
    d = net.input_dim
    if net.depth == 0:
        return FloatBatch(net, lo, hi, (), (), (), None, rule)
    overrides: dict[int, list[tuple[int, int, int]]] = {}
    for n, fx in enumerate(fixed or ()):
        for (layer, j), s in fx.items():
            overrides.setdefault(layer, []).append((n, j, s))
    mid, rad = ((lo + hi) / 2)[:, :, None], ((hi - lo) / 2)[:, :, None]
    w1, b1 = fl[0][0], fl[0][1]
    Lz = np.zeros((N, len(b1), nv + 1))
    Lz[:, :, :d] = w1
    Lz[:, :, nv] = b1
    Uz = Lz
    lowers: list[np.ndarray] = []
    uppers: list[np.ndarray] = []
    phases: list[np.ndarray] = []
    for layer in range(1, net.depth + 1):
        A, B = Lz[:, :, :nv], Uz[:, :, :nv]
        lz = (A @ mid - np.abs(A) @ rad)[:, :, 0] + Lz[:, :, nv]
        uz = (B @ mid + np.abs(B) @ rad)[:, :, 0] + Uz[:, :, nv]
        if rule == "backward" and layer > 2:
            todo = (lz < 0) & (uz > 0)  # the rule back-substitutes unstable neurons that are not fixed
            for i, j, _ in overrides.get(layer, ()):
                todo[i, j] = False
            # only the neurons unstable on some box (the others keep their bounds)
            cols = np.flatnonzero(todo.any(axis=0))
            if len(cols):
                W, b = fl[layer - 1][:2]
                W, b, n = W[cols], b[cols], len(cols)
                G = np.broadcast_to(np.concatenate([W, -W]), (N, 2 * n, W.shape[1]))
                c = np.broadcast_to(np.concatenate([b, -b]), (N, 2 * n))
                G, c = _float_substitute(net, lowers, uppers, phases, G, c, layer - 1)
                top = (G @ mid[:, :d] + np.abs(G) @ rad[:, :d])[:, :, 0] + c
                sub = todo[:, cols]
                lz[:, cols] = np.where(sub, np.maximum(lz[:, cols], -top[:, n:]), lz[:, cols])
                uz[:, cols] = np.where(sub, np.minimum(uz[:, cols], top[:, :n]), uz[:, cols])
        ph = np.where(lz >= 0, 1, np.where(uz <= 0, -1, 0))
        for n, j, s in overrides.get(layer, ()):
            ph[n, j] = s
        lowers.append(lz)
        uppers.append(uz)
        phases.append(ph)
        unst = ph == 0
        gap = np.where(unst, uz - lz, 1.0)
        t = np.where(unst, uz / gap, (ph > 0).astype(float))
        Ua = t[:, :, None] * Uz
        Ua[:, :, nv] -= np.where(unst, t * lz, 0.0)
        La = Lz * ((ph > 0) | (unst & (uz + lz >= 0)))[:, :, None]
        if layer == net.depth:
            return FloatBatch(net, lo, hi, tuple(lowers), tuple(uppers), tuple(phases), (La, Ua), rule)
        _, b, wp, wm = fl[layer]
        Lz = wp @ La + wm @ Ua
        Uz = wp @ Ua + wm @ La
        Lz[:, :, nv] += b
        Uz[:, :, nv] += b
    raise AssertionError("unreachable")  # pragma: no cover

