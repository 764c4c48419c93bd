"""The ``relax`` leaf of ``docs/certificates.md``: the triangle LP relaxation, guided by HiGHS, proved exactly.

On a leaf where the bound rule gives the bounds ``l_j, u_j`` of every pre-activation, the
post-activations ``a_{l,j}`` become LP variables with the rows ``a = z`` (phase +1),
``z <= 0`` (phase -1), ``z <= a`` and ``a <= t (z - l)`` with ``t = up(u / (u - l))``
(unstable), over the box of ``v = (x, s)`` and of ``a``.  A float LP (HiGHS) maximizes
``phi`` over it; its row duals, rounded to multiples of ``2^-40``, are the multipliers
``lambda`` of the leaf, and :func:`relaxation_leaf` keeps the leaf only when the exact
maximum of ``psi = phi - sum lambda_i g_i`` over the box passes (the checker's rule,
computed here independently of it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import flint
import numpy as np

from relu_geom.arith.lp import new_highs, set_dense_matrix
from relu_geom.arith.rational import format_rational
from relu_geom.certify.bounds import ExactBounds, Form, _cached, _float_layers
from relu_geom.network import ReLUNetwork

__all__ = ["NeuronBoundGuide", "RelaxationGuide", "neuron_bound_guide", "neuron_bounds", "relaxation_guide", "relaxation_leaf"]

_DYADIC = 2**40  # the multipliers are rounded to multiples of 1 / _DYADIC
_GAIN = 1 / 32  # neuron_bounds: keep a bound that the float LP moves by at least this part of the width
_MARGIN = 2.0**-30  # float guide only: skip the exact check when the LP value is not below the threshold by this


def _exact_layers(net: ReLUNetwork) -> tuple[tuple[flint.fmpq_mat, tuple[Fraction, ...]], ...]:
    return _cached("relax", net, _build_exact)


def _build_exact(net: ReLUNetwork) -> tuple[tuple[flint.fmpq_mat, tuple[Fraction, ...]], ...]:
    out = []
    for w, b in zip(net.weights, net.biases):
        mat = flint.fmpq_mat(len(w), len(w[0]), [flint.fmpq(v.numerator, v.denominator) for r in w for v in r])
        out.append((mat, tuple(b)))
    return tuple(out)


def _slope(lo: int, up: int, bits: int) -> int:
    """``2^k up(u / (u - l))`` from ``2^k l`` and ``2^k u``, as in the bound rule."""
    return -((-up << bits) // (up - lo))


def relaxation_leaf(
    eb: ExactBounds,
    rows: Sequence[Any],
    atoms: Sequence[Any],
    phi: Any,
    passes,
    thr: Fraction,
    guide: RelaxationGuide | None = None,
) -> dict[str, Any] | None:
    """A ``relax`` leaf for the goal on the leaf of ``eb``, or None.

    ``rows``, ``atoms`` and ``phi`` are forms with ``p`` (over ``v``), ``q`` (over ``y``)
    and ``c``; ``passes(value)`` tells whether an exact upper bound of ``phi`` closes the
    leaf and ``thr`` is the threshold it compares with.  ``guide`` (from
    :func:`relaxation_guide` on the float bounds of the same leaf) is used when its phases
    are those of ``eb``; otherwise the LP is solved again with the bounds of ``eb``.
    """
    if eb.empty:
        return None
    if guide is None or guide.phases != eb.phases:
        one = float(1 << eb.bits)
        guide = relaxation_guide(
            eb.net,
            eb.box,
            eb.phases,
            [np.array(v, dtype=float) / one for v in eb.lower],
            [np.array(v, dtype=float) / one for v in eb.upper],
            rows,
            atoms,
            phi,
            thr,
            [[_slope(lo, up, eb.bits) / one if s == 0 else 0.0 for s, lo, up in zip(ph, lw, uw)]
             for ph, lw, uw in zip(eb.phases, eb.lower, eb.upper)],
        )
    if guide is None or not guide.passes:
        return None
    return _confirm(eb, rows, atoms, phi, passes, thr, guide.meta, guide.lam, guide.const_phi)


@dataclass(frozen=True, slots=True)
class RelaxationGuide:
    """The float LP of one leaf: its value, whether it passes, and its row duals (which,
    when it does not pass, tell which relaxations cost the most)."""

    phases: tuple[tuple[int, ...], ...]
    value: float
    passes: bool
    meta: tuple[tuple[str, Any], ...]
    duals: np.ndarray
    const_phi: bool

    @property
    def lam(self) -> tuple[Fraction, ...]:
        """The duals as the leaf's multipliers (:func:`_rounded`)."""
        return _rounded(self.duals, self.meta)


def _rounded(duals: np.ndarray, meta: Sequence[tuple[str, Any]]) -> tuple[Fraction, ...]:
    """Row duals rounded to multiples of ``2^-40``, non-negative except on ``active`` rows
    (HiGHS reports d(value)/d(bound): ``>= 0`` on the upper bound of a row of a maximization)."""
    out = []
    for y, (kind, _) in zip(duals, meta):
        v = Fraction(round(float(y) * _DYADIC), _DYADIC)
        out.append(v if kind == "active" else max(v, Fraction(0)))
    return tuple(out)


def relaxation_guide(
    net: ReLUNetwork,
    box: Sequence[tuple[Fraction, Fraction]],
    phases: Sequence[Any],
    lower: Sequence[np.ndarray],
    upper: Sequence[np.ndarray],
    rows: Sequence[Any],
    atoms: Sequence[Any],
    phi: Any,
    thr: Fraction,
    slopes: Sequence[Sequence[float]] | None = None,
) -> RelaxationGuide | None:
    """Solve the relaxation LP in floats (HiGHS) with the given phases and pre-activation
    bounds; None without highspy or when HiGHS finds no optimum.  When ``phi`` is a
    constant the LP maximizes ``t`` subject to ``e_k + t <= 0`` (``t <= 1``) instead, a
    combination of the atoms that is scaled when confirmed."""
    const_phi = not any(phi.p) and not any(phi.q)
    model = _RelaxationLP.build(net, box, phases, lower, upper, rows, atoms, slopes, const_phi)
    if model is None:
        return None
    if const_phi:
        cost, phi_c = np.zeros(model.ncol), 0.0
        cost[-1] = 1.0
    else:
        cost, phi_c = model.form_row(phi)
    solved = model.solve(cost)
    if solved is None:
        return None
    value = solved[0] + phi_c
    ok = value < -_MARGIN if const_phi else value < float(thr) - _MARGIN * (1 + abs(value))
    ph_t = tuple(tuple(int(s) for s in p) for p in phases)
    return RelaxationGuide(ph_t, value, ok, model.meta, solved[1], const_phi)


@dataclass
class _RelaxationLP:
    """The triangle relaxation of a leaf as one HiGHS model, solved for one cost after another
    (each solve starts from the previous basis)."""

    h: Any
    meta: tuple[tuple[str, Any], ...]
    ncol: int
    nv: int
    last: slice
    w_out: np.ndarray
    b_out: np.ndarray

    @classmethod
    def build(cls, net, box, phases, lower, upper, rows, atoms, slopes, const_phi: bool) -> _RelaxationLP | None:
        h = new_highs()
        if h is None:
            return None
        import highspy

        nv, d, L = len(box), net.input_dim, net.depth
        widths = net.hidden_widths
        fl = _float_layers(net)
        offs = [nv]
        for width in widths:
            offs.append(offs[-1] + width)
        n_a = offs[-1] - nv
        ncol = nv + n_a + (1 if const_phi else 0)
        meta: list[tuple[str, Any]] = []
        blocks: list[np.ndarray] = []
        lows: list[float] = []
        ups: list[float] = []
        col_lo = np.zeros(ncol)
        col_hi = np.zeros(ncol)
        col_lo[:nv] = [float(lo) for lo, _ in box]
        col_hi[:nv] = [float(hi) for _, hi in box]
        inf = highspy.kHighsInf
        for lay in range(1, L + 1):
            w, b = fl[lay - 1][0], fl[lay - 1][1]
            ph = np.array(phases[lay - 1])
            lo_f, up_f = np.asarray(lower[lay - 1], dtype=float), np.asarray(upper[lay - 1], dtype=float)
            a0 = offs[lay - 1]
            col_lo[a0 : a0 + len(ph)] = np.where(ph < 0, 0.0, np.maximum(lo_f, 0))
            col_hi[a0 : a0 + len(ph)] = np.where(ph < 0, 0.0, np.maximum(up_f, 0))
            prev = slice(0, d) if lay == 1 else slice(offs[lay - 2], offs[lay - 1])
            n = len(ph)
            # per neuron, in order: "active" a - z = b; "inactive" z <= 0; "lower" z - a <= 0 and
            # "upper" a - t (z - l) <= 0 for the unstable ones
            unst = ph == 0
            if slopes is not None:
                t = np.asarray(slopes[lay - 1], dtype=float)
            else:
                t = np.where(unst, up_f / np.where(unst, up_f - lo_f, 1.0), 0.0)
            first = np.zeros((n, ncol))
            first[:, prev] = np.where((ph > 0)[:, None], -w, w)
            first[np.arange(n), a0 + np.arange(n)] = np.where(ph > 0, 1.0, np.where(unst, -1.0, 0.0))
            lo_first = np.where(ph > 0, b, -inf)
            up_first = np.where(ph > 0, b, -b)
            idx = np.flatnonzero(unst)
            second = np.zeros((len(idx), ncol))
            second[:, prev] = -t[idx, None] * w[idx]
            second[np.arange(len(idx)), a0 + idx] = 1.0
            up_second = t[idx] * b[idx] - t[idx] * lo_f[idx]
            for j in range(n):
                key = (lay, j)
                if ph[j] > 0:
                    meta.append(("active", key))
                elif ph[j] < 0:
                    meta.append(("inactive", key))
                else:
                    meta.append(("lower", key))
            meta.extend(("upper", (lay, int(j))) for j in idx)
            blocks.extend(first)
            blocks.extend(second)
            lows.extend(lo_first.tolist())
            ups.extend(up_first.tolist())
            lows.extend([-inf] * len(idx))
            ups.extend(up_second.tolist())
        w_out, b_out = fl[-1][0], fl[-1][1]
        last = slice(0, d) if L == 0 else slice(offs[L - 1], offs[L])
        model = cls(h, (), ncol, nv, last, w_out, b_out)
        for kind, forms in (("atom", atoms), ("input", rows)):
            for k, a in enumerate(forms):
                r, c = model.form_row(a)
                if const_phi and kind == "atom":
                    r[-1] = 1.0
                blocks.append(r)
                lows.append(-inf)
                ups.append(-c)
                meta.append((kind, k))
        if const_phi:
            col_lo[-1], col_hi[-1] = -inf, 1.0
        model.meta = tuple(meta)
        lp = highspy.HighsLp()
        lp.num_col_ = ncol
        lp.num_row_ = len(blocks)
        lp.col_cost_ = np.zeros(ncol)
        lp.col_lower_ = col_lo
        lp.col_upper_ = col_hi
        lp.row_lower_ = np.array(lows, dtype=float)
        lp.row_upper_ = np.array(ups, dtype=float)
        set_dense_matrix(lp, blocks, ncol)
        lp.sense_ = highspy.ObjSense.kMaximize
        h.passModel(lp)
        return model

    def form_row(self, f) -> tuple[np.ndarray, float]:
        """The LP row and constant of the form ``p.v + q.y + c``."""
        r = np.zeros(self.ncol)
        r[: self.nv] = [float(v) for v in f.p]
        if not any(f.q):  # an input row (over a cut network its q has the full output's length)
            return r, float(f.c)
        qf = np.array([float(v) for v in f.q])
        r[self.last] += qf @ self.w_out
        return r, float(f.c) + float(qf @ self.b_out)

    def solve(self, cost: np.ndarray) -> tuple[float, np.ndarray] | None:
        """The LP's maximum of ``cost`` and its row duals (floats); None without an optimum."""
        import highspy

        h = self.h
        h.changeColsCost(self.ncol, np.arange(self.ncol, dtype=np.int32), np.asarray(cost, dtype=float))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return h.getInfo().objective_function_value, np.array(h.getSolution().row_dual)


def _cut(net: ReLUNetwork, layer: int) -> ReLUNetwork:
    """The network cut after hidden layer ``layer - 1``: its output is ``z_layer``."""
    return _cached(f"cut {layer}", net, lambda n: ReLUNetwork(n.weights[:layer], n.biases[:layer]))


def _unit(nv: int, width: int, j: int, sign: int) -> Form:
    """The form ``sign * y_j`` over a cut network's output of ``width`` neurons."""
    zero = Fraction(0)
    return Form((zero,) * nv, tuple(Fraction(sign) if i == j else zero for i in range(width)), zero)


@dataclass(frozen=True, slots=True)
class NeuronBoundGuide:
    """The float LPs of :func:`neuron_bound_guide`: per neuron and side the LP's bound and
    rounded duals, and the layer's bounds with the gains."""

    layer: int
    phases: tuple[tuple[int, ...], ...]  # of the layers below, the LPs' own
    meta: tuple[tuple[str, Any], ...]
    found: tuple[tuple[int, str, float, tuple[Fraction, ...]], ...]  # (j, side, bound, duals)
    lower: np.ndarray
    upper: np.ndarray


def neuron_bound_guide(
    net: ReLUNetwork,
    box: Sequence[tuple[Fraction, Fraction]],
    phases: Sequence[Any],
    lower: Sequence[np.ndarray],
    upper: Sequence[np.ndarray],
    layer: int,
    targets: Sequence[int],
    rows: Sequence[Any],
) -> NeuronBoundGuide | None:
    """LP-tightened bounds of the neurons ``targets`` of hidden layer ``layer`` in floats (a
    guide): for each neuron and side the triangle relaxation of the layers below (with the
    given bounds) is maximized by HiGHS, one model for all, each solve starting from the
    last basis.  Keeps the sides that gain at least ``1/32`` of the neuron's width; None
    without highspy."""
    cut = _cut(net, layer)
    below = layer - 1
    model = _RelaxationLP.build(cut, box, phases[:below], lower[:below], upper[:below], rows, (), None, False)
    if model is None:
        return None
    width = len(net.weights[layer - 1])
    lo_l, up_l = np.array(lower[below], dtype=float), np.array(upper[below], dtype=float)
    found = []
    for j in targets:
        gain = _GAIN * (up_l[j] - lo_l[j])
        for sign, side in ((1, "upper"), (-1, "lower")):
            cost, const = model.form_row(_unit(len(box), width, j, sign))
            solved = model.solve(cost)
            if solved is None:
                continue
            bound = sign * (solved[0] + const)
            if side == "upper" and bound < up_l[j] - gain:
                up_l[j] = bound
            elif side == "lower" and bound > lo_l[j] + gain:
                lo_l[j] = bound
            else:
                continue
            found.append((j, side, bound, _rounded(solved[1], model.meta)))
    ph = tuple(tuple(int(v) for v in p) for p in phases[:below])
    return NeuronBoundGuide(layer, ph, model.meta, tuple(found), lo_l, up_l)


def neuron_bounds(eb: ExactBounds, guide: NeuronBoundGuide, rows: Sequence[Any]) -> list[tuple[int, str, int, dict[str, Any]]]:
    """The ``tighten`` entries of ``docs/certificates.md`` that ``guide`` finds on the node of
    ``eb``, proved exactly: the guide's rounded duals give ``V >= +-z`` by the relax rule
    with the exact bounds of the layers below (which must have the guide's phases).
    Returns ``(j, "upper" | "lower", 2^k r, lambda)`` with ``r = up(V)`` or ``-up(V)`` for
    the entries tighter than the rule's bounds of ``eb``."""
    layer = guide.layer
    below = layer - 1
    if eb.empty or eb.phases[:below] != guide.phases or not guide.found:
        return []
    net = eb.net
    sub = ExactBounds(_cut(net, layer), eb.box, eb.bits, False, eb.phases[:below], eb.lower[:below], eb.upper[:below], None, eb.rule)
    width = len(net.weights[below])
    phis = [_unit(len(eb.box), width, j, 1 if side == "upper" else -1) for j, side, _, _ in guide.found]
    values = _psi_batch(sub, rows, (), phis, guide.meta, [f[3] for f in guide.found], False)
    out = []
    for (j, side, _, lam), value in zip(guide.found, values):
        top = -((-value.numerator << eb.bits) // value.denominator)  # 2^k up(V)
        if side == "upper" and top < eb.upper[below][j]:
            out.append((j, side, top, _groups(guide.meta, lam)))
        elif side == "lower" and -top > eb.lower[below][j]:
            out.append((j, side, -top, _groups(guide.meta, lam)))
    return out


def _groups(meta, lam, scale: Fraction = Fraction(1)) -> dict[str, Any]:
    """The multipliers of a leaf by row kind, as the certificate writes them."""
    groups: dict[str, list[Any]] = {}
    for v, (kind, key) in zip(lam, meta):
        if v:
            groups.setdefault(kind, []).append([list(key) if kind not in ("atom", "input") else key,
                                                format_rational(scale * v)])
    return groups


def _confirm(eb, rows, atoms, phi, passes, thr, meta, lam, const_phi) -> dict[str, Any] | None:
    """The exact maximum of psi; the leaf when it passes (scaled first when phi is constant)."""
    best = _psi(eb, rows, atoms, phi, meta, lam, const_phi)
    scale = Fraction(1)
    if const_phi:
        if best >= 0:
            return None
        scale = Fraction(math.floor(max(phi.c - thr, Fraction(0)) / -best) + 1)
        best = phi.c + scale * best
    if not passes(best):
        return None
    return {"leaf": "relax", "lambda": _groups(meta, lam, scale)}


def _psi(eb, rows, atoms, phi, meta, lam, const_phi) -> Fraction:
    """The exact maximum of ``psi = phi - sum lambda_i g_i`` (without phi when it is constant)."""
    return _psi_batch(eb, rows, atoms, [phi], meta, [lam], const_phi)[0]


def _fq(v: Fraction) -> flint.fmpq:
    return flint.fmpq(v.numerator, v.denominator)


def _psi_batch(eb, rows, atoms, phis, meta, lams, const_phi) -> list[Fraction]:
    """``max psi`` over the box of ``(v, a)`` for several pairs ``(phi, lambda)`` at once.

    ``psi = phi - sum_i lambda_i g_i`` is ``p.v + sum_l A_l . a_l + c`` with
    ``A_l = alpha_l + mu_{l+1} W_{l+1}`` (``mu_l`` and ``alpha_l`` the coefficients of
    ``z_l`` and ``a_l`` the rows give, ``a_0 = x`` and ``q W`` for the output layer), one
    exact matrix product per layer for all pairs; each ``a_{l,j}`` ranges over ``[0, 0]``
    (phase -1) or ``[max(0, l_j), max(0, u_j)]``.
    """
    net = eb.net
    nv, d, L = len(eb.box), net.input_dim, net.depth
    widths = net.hidden_widths
    layers = _exact_layers(net)
    zero = Fraction(0)
    one = 1 << eb.bits
    T = len(lams)
    zm = [[[zero] * w for _ in range(T)] for w in widths]  # the coefficient of z_{l,j} in psi
    am = [[[zero] * w for _ in range(T)] for w in widths]  # the coefficient of a_{l,j} in psi
    ps, qs, cs = [], [], []
    for t, (phi, lam) in enumerate(zip(phis, lams)):
        p = [zero] * nv if const_phi else list(phi.p)
        q = [zero] * net.output_dim if const_phi else list(phi.q)
        c = zero if const_phi else phi.c
        for v, (kind, key) in zip(lam, meta):
            if not v:
                continue
            if kind in ("atom", "input"):
                f = (atoms if kind == "atom" else rows)[key]
                p = [a - v * b for a, b in zip(p, f.p)]
                if kind == "atom":  # input rows have no y (and q may be over a cut network's z)
                    q = [a - v * b for a, b in zip(q, f.q)]
                c -= v * f.c
                continue
            lay, j = key
            zrow, arow = zm[lay - 1][t], am[lay - 1][t]
            if kind == "active":  # g = a - z
                zrow[j] += v
                arow[j] -= v
            elif kind == "inactive":  # g = z
                zrow[j] -= v
            elif kind == "lower":  # g = z - a
                zrow[j] -= v
                arow[j] += v
            else:  # g = a - t (z - l)
                lo, up = eb.lower[lay - 1][j], eb.upper[lay - 1][j]
                slope = Fraction(_slope(lo, up, eb.bits), one)
                zrow[j] += v * slope
                arow[j] -= v
                c -= v * slope * Fraction(lo, one)
        ps.append(p)
        qs.append(q)
        cs.append(_fq(c))
    # mu_{l} W_l and mu_l . b_l per layer (l = L + 1: q and the output layer)
    mus = [zm[lay] for lay in range(L)] + [qs]
    coefs = [[[_fq(v) for v in p[:d]] for p in ps]] + [[[_fq(v) for v in row] for row in am[lay]] for lay in range(L)]
    for lay in range(L + 1):
        if not any(any(row) for row in mus[lay]):
            continue  # no row of this layer has a multiplier
        w, b = layers[lay]
        mu = flint.fmpq_mat(T, w.nrows(), [_fq(v) for row in mus[lay] for v in row])
        prod = mu * w
        consts = mu * flint.fmpq_mat(len(b), 1, [_fq(v) for v in b])
        for t in range(T):
            row = coefs[lay][t]
            for i in range(prod.ncols()):
                row[i] += prod[t, i]
            cs[t] += consts[t, 0]
    # the maximum over the box: x and s in the box of the leaf, a_{l,j} in its interval
    lo_v = [_fq(lo) for lo, _ in eb.box]
    hi_v = [_fq(hi) for _, hi in eb.box]
    ranges = [(lo_v[:d], hi_v[:d])]
    for lay in range(L):
        ph, lw, uw = eb.phases[lay], eb.lower[lay], eb.upper[lay]
        ranges.append((
            [flint.fmpq(max(lo, 0) if s >= 0 else 0, one) for s, lo in zip(ph, lw)],
            [flint.fmpq(max(up, 0) if s >= 0 else 0, one) for s, up in zip(ph, uw)],
        ))
    out = []
    for t in range(T):
        best = cs[t]
        for lay, (los, his) in enumerate(ranges):
            for a, lo, hi in zip(coefs[lay][t], los, his):
                if a > 0:
                    best += a * hi
                elif a < 0:
                    best += a * lo
        for ps_i, lo, hi in zip(ps[t][d:], lo_v[d:], hi_v[d:]):
            best += _fq(ps_i) * (hi if ps_i > 0 else lo)
        out.append(Fraction(int(best.p), int(best.q)))
    return out
