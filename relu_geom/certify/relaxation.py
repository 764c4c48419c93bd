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
from relu_geom.certify.bounds import ExactBounds, _cached, _float_layers, max_over_box
from relu_geom.network import ReLUNetwork

__all__ = ["RelaxationGuide", "relaxation_guide", "relaxation_leaf"]

_DYADIC = 2**40  # the multipliers are rounded to multiples of 1 / _DYADIC
_MARGIN = 2.0**-30  # float guide only: skip the exact check when the LP value is not below the threshold by this


def _exact_layers(net: ReLUNetwork) -> tuple[tuple[flint.fmpq_mat, tuple[Fraction, ...]], ...]:
    return _cached("relax", net, _build_exact)


def _build_exact(net: ReLUNetwork) -> tuple[tuple[flint.fmpq_mat, tuple[Fraction, ...]], ...]:
    out = []
    for w, b in zip(net.weights, net.biases):
        mat = flint.fmpq_mat(len(w), len(w[0]), [flint.fmpq(v.numerator, v.denominator) for r in w for v in r])
        out.append((mat, tuple(b)))
    return tuple(out)


def _row_times(vec: Sequence[Fraction], mat: flint.fmpq_mat) -> list[Fraction]:
    """``vec^T mat`` exactly."""
    row = flint.fmpq_mat(1, len(vec), [flint.fmpq(v.numerator, v.denominator) for v in vec])
    prod = row * mat
    return [Fraction(int(prod[0, i].p), int(prod[0, i].q)) for i in range(prod.ncols())]


def _slope(lo: int, up: int, bits: int) -> int:
    """``2^k up(u / (u - l))`` from ``2^k l`` and ``2^k u``, as in the bound rule."""
    return -((-up << bits) // (up - lo))


def _psi_max(
    net: ReLUNetwork,
    eb: ExactBounds,
    box: Sequence[tuple[Fraction, Fraction]],
    base: tuple[list[Fraction], list[Fraction], Fraction],
    zmult: list[list[Fraction]],
    amult: list[list[Fraction]],
) -> Fraction:
    """``max psi`` over the box of ``(v, a)`` with ``psi = p.v + q.y + c + sum mu_l . z_l + alpha_l . a_l``."""
    layers = _exact_layers(net)
    p, q, c = base
    d, L = net.input_dim, net.depth
    w_out, b_out = layers[-1]
    top = _row_times(q, w_out)
    const = c + sum((qi * bi for qi, bi in zip(q, b_out)), Fraction(0))
    coef: list[list[Fraction]] = [[Fraction(0)] * d] + [list(a) for a in amult]
    coef[L] = [a + b for a, b in zip(coef[L], top)]
    for lay in range(L, 0, -1):
        mu = zmult[lay - 1]
        if not any(mu):
            continue
        w, b = layers[lay - 1]
        back = _row_times(mu, w)
        coef[lay - 1] = [a + v for a, v in zip(coef[lay - 1], back)]
        const += sum((m * bi for m, bi in zip(mu, b) if m), Fraction(0))
    vcoef = [Fraction(a) + b for a, b in zip(p[:d], coef[0])] + list(p[d:])
    best = max_over_box(vcoef, const, box)
    one = 1 << eb.bits
    for lay in range(1, L + 1):
        for j, a in enumerate(coef[lay]):
            if a and eb.phases[lay - 1][j] >= 0:
                lo, up = eb.lower[lay - 1][j], eb.upper[lay - 1][j]
                best += a * Fraction(max(up, 0) if a > 0 else max(lo, 0), one)
    return best


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
    """The float LP of one leaf: its value, whether it passes, and the rounded duals."""

    phases: tuple[tuple[int, ...], ...]
    value: float
    passes: bool
    meta: tuple[tuple[str, Any], ...]
    lam: tuple[Fraction, ...]
    const_phi: bool


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
    const_phi = not any(phi.p) and not any(phi.q)
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
        order = []
        for j in range(n):
            key = (lay, j)
            if ph[j] > 0:
                meta.append(("active", key))
            elif ph[j] < 0:
                meta.append(("inactive", key))
            else:
                meta.append(("lower", key))
        meta.extend(("upper", (lay, int(j))) for j in idx)
        order.append(first)
        blocks.extend(first)
        blocks.extend(second)
        lows.extend(lo_first.tolist())
        ups.extend(up_first.tolist())
        lows.extend([-inf] * len(idx))
        ups.extend(up_second.tolist())
    w_out, b_out = fl[-1][0], fl[-1][1]
    last = slice(0, d) if L == 0 else slice(offs[L - 1], offs[L])

    def form_row(f) -> tuple[np.ndarray, float]:
        r = np.zeros(ncol)
        r[:nv] = [float(v) for v in f.p]
        qf = np.array([float(v) for v in f.q])
        r[last] += qf @ w_out
        return r, float(f.c) + float(qf @ b_out)

    for k, a in enumerate(atoms):
        r, c = form_row(a)
        if const_phi:
            r[-1] = 1.0
        blocks.append(r)
        lows.append(-inf)
        ups.append(-c)
        meta.append(("atom", k))
    for k, rr in enumerate(rows):
        r, c = form_row(rr)
        blocks.append(r)
        lows.append(-inf)
        ups.append(-c)
        meta.append(("input", k))
    if const_phi:
        cost = np.zeros(ncol)
        cost[-1] = 1.0
        col_lo[-1], col_hi[-1] = -inf, 1.0
        phi_c = 0.0
    else:
        cost, phi_c = form_row(phi)
    lp = highspy.HighsLp()
    lp.num_col_ = ncol
    lp.num_row_ = len(blocks)
    lp.col_cost_ = cost
    lp.col_lower_ = col_lo
    lp.col_upper_ = col_hi
    lp.row_lower_ = np.array(lows, dtype=float)
    lp.row_upper_ = np.array(ups, dtype=float)
    set_dense_matrix(lp, blocks, ncol)
    lp.sense_ = highspy.ObjSense.kMaximize
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    value = h.getInfo().objective_function_value + phi_c
    ok = value < -_MARGIN if const_phi else value < float(thr) - _MARGIN * (1 + abs(value))
    ph_t = tuple(tuple(int(s) for s in p) for p in phases)
    if not ok:
        return RelaxationGuide(ph_t, value, False, (), (), const_phi)
    # HiGHS reports d(value)/d(bound): >= 0 on the upper bound of a row of a maximization
    lam: list[Fraction] = []
    for y, (kind, _) in zip(h.getSolution().row_dual, meta):
        v = Fraction(round(float(y) * _DYADIC), _DYADIC)
        lam.append(v if kind == "active" else max(v, Fraction(0)))
    return RelaxationGuide(ph_t, value, True, tuple(meta), tuple(lam), const_phi)


def _confirm(eb, rows, atoms, phi, passes, thr, meta, lam, const_phi) -> dict[str, Any] | None:
    """The exact maximum of psi; the leaf when it passes (scaled first when phi is constant)."""
    net = eb.net
    nv = len(eb.box)
    m = net.output_dim
    zero = Fraction(0)
    widths = net.hidden_widths
    zmult = [[zero] * w for w in widths]
    amult = [[zero] * w for w in widths]
    p = [zero] * nv if const_phi else list(phi.p)
    q = [zero] * m if const_phi else list(phi.q)
    c = zero if const_phi else phi.c
    for v, (kind, key) in zip(lam, meta):
        if not v:
            continue
        if kind in ("atom", "input"):
            f = (atoms if kind == "atom" else rows)[key]
            p = [a - v * b for a, b in zip(p, f.p)]
            q = [a - v * b for a, b in zip(q, f.q)]
            c -= v * f.c
            continue
        lay, j = key
        zm, am = zmult[lay - 1], amult[lay - 1]
        if kind == "active":  # g = a - z
            zm[j] += v
            am[j] -= v
        elif kind == "inactive":  # g = z
            zm[j] -= v
        elif kind == "lower":  # g = z - a
            zm[j] -= v
            am[j] += v
        else:  # g = a - t (z - l)
            lo, up = eb.lower[lay - 1][j], eb.upper[lay - 1][j]
            t = Fraction(_slope(lo, up, eb.bits), 1 << eb.bits)
            zm[j] += v * t
            am[j] -= v
            c -= v * t * Fraction(lo, 1 << eb.bits)
    best = _psi_max(net, eb, eb.box, (p, q, c), zmult, amult)
    scale = Fraction(1)
    if const_phi:
        if best >= 0:
            return None
        scale = Fraction(math.floor(max(phi.c - thr, zero) / -best) + 1)
        best = phi.c + scale * best
    if not passes(best):
        return None
    groups: dict[str, list[Any]] = {}
    for v, (kind, key) in zip(lam, meta):
        if v:
            groups.setdefault(kind, []).append([list(key) if kind not in ("atom", "input") else key,
                                                format_rational(scale * v)])
    return {"leaf": "relax", "lambda": groups}
