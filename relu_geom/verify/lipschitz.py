"""The ``jacobian`` leaf of a Lipschitz proof: an interval Jacobian bounded by ``L``.

On a leaf the bound rule gives every hidden neuron a phase ``+1``, ``-1`` or ``0``
(unstable).  Every region of the network that meets the leaf in full dimension has the
matrix ``A = W_{L+1} D_L W_L ... D_1 W_1`` with ``D_l`` diagonal, ``1`` for phase ``+1``,
``0`` for phase ``-1`` and ``0`` or ``1`` for an unstable neuron.  The leaf lists some
unstable neurons (``cases``); for each of the ``2^T`` ways to give them ``0`` or ``1`` the
checker computes an entrywise interval ``[lo, hi]`` holding every such product (the other
unstable neurons in ``[0, 1]``), exactly, from the output backwards, and bounds the norm of
every matrix of the interval (``docs/certificates.md``, claim ``lipschitz``):

- ``linf``: ``max_i sum_j max(|lo_ij|, |hi_ij|)``; ``l1``: ``max_j sum_i max(|lo_ij|, |hi_ij|)``;
- ``l2``: a bound of the square, ``min(sum_ij max(lo_ij^2, hi_ij^2), B_inf B_1)`` with
  the two bounds above (``||A||_2^2 <= ||A||_F^2`` and ``<= ||A||_1 ||A||_inf``), and, when
  that bound is above ``L^2``, the spectral test: with ``M_ij = max(|lo_ij|, |hi_ij|)`` and
  ``a`` the lower end of the isolating interval of ``L^2``, ``a I - M M^T`` (or ``a I -
  M^T M``, the smaller) is positive semidefinite, decided by :func:`is_psd`; then
  ``||A||_2 <= ||M||_2 <= sqrt(a) <= L``; or else, at ``L^2`` itself, no eigenvalue of
  ``M M^T`` above ``L^2`` (:func:`spectral_at_root`, exact root counting).

The leaf passes when every case's bound is at most ``L`` (for ``l2`` at most ``L^2``, or
the spectral test passes).  It
imports only what :mod:`relu_geom.verify.checker` does and receives the checker's decoding
helpers as an argument (no import cycle).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import product
from typing import Any

from relu_geom.verify import algebraic
from relu_geom.verify._json import Invalid, JsonPath
from relu_geom.verify.bounds import IntegerNetwork, propagate

__all__ = [
    "MAX_CASE_NEURONS",
    "Limit",
    "interval_jacobian",
    "is_psd",
    "jacobian_leaves",
    "norm_bound",
    "spectral_at_root",
    "spectral_test",
]

MAX_CASE_NEURONS = 12
"""At most this many neurons in the ``cases`` of one leaf (``2^12`` cases)."""

IntMatrix = list[list[int]]


@dataclass(frozen=True, slots=True)
class Limit:
    """The claimed constant ``L``: a rational (``linf``, ``l1``) or, for ``l2``, ``L^2`` as the
    unique real root of ``poly`` in ``[a, b]``."""

    norm: str
    value: Fraction | None = None
    poly: tuple[Fraction, ...] = ()
    a: Fraction = Fraction(0)
    b: Fraction = Fraction(0)

    def admits(self, bound: Fraction) -> bool:
        """Whether ``bound`` (of the norm, or for ``l2`` of its square) is at most ``L`` (``L^2``)."""
        if self.norm != "l2":
            assert self.value is not None
            return bound <= self.value
        if bound <= self.a:
            return True
        if bound > self.b:
            return False
        return algebraic.count_roots(self.poly, bound, self.b) == 1  # L^2 in [bound, b]


def interval_jacobian(
    inet: IntegerNetwork, phases: Sequence[Sequence[int]], cases: Sequence[tuple[int, int]]
) -> list[tuple[dict[tuple[int, int], int], IntMatrix, IntMatrix, int]]:
    """For every assignment of ``0`` / ``1`` to the neurons ``cases``: ``(assignment, lo, hi,
    den)`` with ``lo / den <= A <= hi / den`` entrywise for every product
    ``A = W_{L+1} D_L ... D_1 W_1`` the phases allow.

    The products are formed from the output backwards: ``G = W_{L+1}``, then for
    ``l = L, ..., 1`` the columns of ``G`` are multiplied by ``D_l`` (a column of an
    unstable neuron outside ``cases`` becomes ``[min(lo, 0), max(hi, 0)]``) and ``G`` by
    ``W_l`` (each entry of ``W_l`` meets the bound of its sign).  Cases share the
    computation of the layers after their neurons.
    """
    layers = inet.layers
    top = layers[-1]
    by_layer: dict[int, list[int]] = {}
    for layer, j in cases:
        by_layer.setdefault(layer, []).append(j)
    states: list[tuple[dict[tuple[int, int], int], IntMatrix, IntMatrix]] = [
        ({}, [list(r) for r in top.rows], [list(r) for r in top.rows])
    ]
    den = top.den
    for layer in range(len(phases), 0, -1):
        ph = phases[layer - 1]
        mine = by_layer.get(layer, [])
        w = layers[layer - 1]
        nxt = []
        for assign, lo, hi in states:
            for bits in product((0, 1), repeat=len(mine)):
                here = dict(zip(mine, bits))
                # the derivative of neuron k: a point 0 / 1 or the interval [0, 1]
                slope = [
                    here[k] if k in here else (1 if p > 0 else (0 if p < 0 else None)) for k, p in enumerate(ph)
                ]
                lo2, hi2 = _times(lo, hi, slope, w.rows)
                nxt.append(({**assign, **{(layer, k): v for k, v in here.items()}}, lo2, hi2))
        states = nxt
        den *= w.den
    return [(assign, lo, hi, den) for assign, lo, hi in states]


def _times(
    lo: IntMatrix, hi: IntMatrix, slope: Sequence[int | None], rows: Sequence[Sequence[int]]
) -> tuple[IntMatrix, IntMatrix]:
    """``[lo, hi] D W`` for ``D = diag(slope)`` (``None``: ``[0, 1]``) and integer ``W``."""
    width = len(rows[0]) if rows else 0
    out_lo, out_hi = [], []
    for rlo, rhi in zip(lo, hi):
        terms = []
        for k, s in enumerate(slope):
            if s == 0:
                continue
            u, v = rlo[k], rhi[k]
            if s is None:
                u, v = min(u, 0), max(v, 0)
            if u or v:
                terms.append((u, v, rows[k]))
        new_lo = [0] * width
        new_hi = [0] * width
        for u, v, wrow in terms:
            for j, wv in enumerate(wrow):
                if wv > 0:
                    new_lo[j] += u * wv
                    new_hi[j] += v * wv
                elif wv < 0:
                    new_lo[j] += v * wv
                    new_hi[j] += u * wv
        out_lo.append(new_lo)
        out_hi.append(new_hi)
    return out_lo, out_hi


def norm_bound(lo: IntMatrix, hi: IntMatrix, den: int, norm: str) -> Fraction:
    """The bound of ``||A||`` (``l2``: of ``||A||_2^2``) over the interval ``[lo, hi] / den``."""
    mag = [[max(abs(u), abs(v)) for u, v in zip(rl, rh)] for rl, rh in zip(lo, hi)]
    b_inf = max((sum(r) for r in mag), default=0)
    cols = len(mag[0]) if mag else 0
    b_1 = max((sum(r[j] for r in mag) for j in range(cols)), default=0)
    if norm == "linf":
        return Fraction(b_inf, den)
    if norm == "l1":
        return Fraction(b_1, den)
    frob = sum(v * v for r in mag for v in r)
    return Fraction(min(frob, b_inf * b_1), den * den)


def is_psd(S: Sequence[Sequence[Fraction]]) -> bool:
    """Whether the symmetric rational matrix ``S`` is positive semidefinite, exactly.

    Symmetric Gaussian elimination on the diagonal: with ``S = [[p, b^T], [b, C]]``, ``S``
    is PSD iff ``p > 0`` and the Schur complement ``C - b b^T / p`` is, or ``p = 0``,
    ``b = 0`` and ``C`` is (a PSD matrix with a zero diagonal entry has a zero row: its
    ``2 x 2`` principal minors ``p c_jj - b_j^2`` are ``>= 0``); a pivot ``p < 0`` is a
    diagonal entry ``u^T S u < 0``.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from fractions import Fraction as F
    >>> from relu_geom.verify.lipschitz import is_psd
    >>> is_psd([[F(1), F(1)], [F(1), F(1)]]), is_psd([[F(0), F(1)], [F(1), F(1)]])
    (True, False)
    """
    rows = [[Fraction(v) for v in r] for r in S]
    n = len(rows)
    for k in range(n):
        p = rows[k][k]
        if p < 0:
            return False
        if p == 0:
            if any(rows[k][j] for j in range(k + 1, n)):
                return False
            continue
        for i in range(k + 1, n):
            f = rows[i][k] / p
            if f:
                for j in range(k + 1, n):
                    rows[i][j] -= f * rows[k][j]
    return True


def spectral_test(lo: IntMatrix, hi: IntMatrix, den: int, t: Fraction) -> bool:
    """Whether ``t I - M M^T`` (``M^T M`` when that is smaller) is PSD for ``M_ij = max(|lo_ij|,
    |hi_ij|) / den``: then ``||A||_2^2 <= t`` for every ``A`` in ``[lo, hi] / den``."""
    mag = [[max(abs(u), abs(v)) for u, v in zip(rl, rh)] for rl, rh in zip(lo, hi)]
    if mag and len(mag[0]) < len(mag):
        mag = [list(c) for c in zip(*mag)]
    scale = t * den * den
    S = [
        [(scale if i == j else Fraction(0)) - sum(a * b for a, b in zip(mag[i], mag[j])) for j in range(len(mag))]
        for i in range(len(mag))
    ]
    return is_psd(S)


def spectral_at_root(lo: IntMatrix, hi: IntMatrix, den: int, limit: Limit) -> bool:
    """Whether no eigenvalue of ``M M^T`` (``M^T M`` when that is smaller) exceeds ``L^2``, the
    root of ``limit.poly`` in ``[limit.a, limit.b]``, decided by exact root counting: then
    ``||A||_2 <= ||M||_2 <= L`` for every ``A`` in ``[lo, hi] / den``.  For an irrational
    ``L^2`` this passes where the positive semidefinite test at ``a < L^2`` cannot, for
    instance on a leaf whose ``M`` is the matrix of a maximizing region."""
    mag = [[Fraction(max(abs(u), abs(v)), den) for u, v in zip(rl, rh)] for rl, rh in zip(lo, hi)]
    if mag and len(mag[0]) < len(mag):
        mag = [list(c) for c in zip(*mag)]
    gram = [[sum((a * b for a, b in zip(ri, rj)), Fraction(0)) for rj in mag] for ri in mag]
    return algebraic.no_root_above(algebraic.charpoly(gram), list(limit.poly), limit.a, limit.b) is True


def jacobian_leaves(
    ch: Any, c: Any, goal: Any, at_most: Callable[..., None], limit: Limit
) -> Callable[[dict, JsonPath, tuple[tuple[Fraction, Fraction], ...], Mapping[tuple[int, int], int]], None]:
    """The leaf check of a Lipschitz proof: ``jacobian`` leaves here, the others by the checker
    (``ch`` its state, ``c`` the checker module)."""

    def leaf(node: dict, path: JsonPath, box, fixed) -> None:
        if node.get("leaf") != "jacobian":
            ch.leaf(node, path, goal, box, fixed, at_most)
            return
        c._obj(node, path, ("leaf",), ("cases",))
        ch.leaves.setdefault("jacobian", 0)
        prop = propagate(ch.inet, box, fixed, ch.k, ch.rule)
        if prop.empty:
            ch.leaves["empty"] += 1
            return
        cases = []
        items = c._list(node.get("cases", []), (path, ".cases"))
        if len(items) > MAX_CASE_NEURONS:
            raise Invalid((path, ".cases"), f"more than {MAX_CASE_NEURONS} neurons")
        for i, item in enumerate(items):
            neuron = ch.neuron(item, (path, f".cases[{i}]"))
            if neuron in cases:
                raise Invalid((path, f".cases[{i}]"), f"neuron {list(neuron)} given twice")
            phase = prop.phases[neuron[0] - 1][neuron[1]]
            if phase != 0:
                raise Invalid((path, f".cases[{i}]"), f"neuron {list(neuron)} has phase {phase} on this leaf, not 0")
            cases.append(neuron)
        for assign, lo, hi, den in interval_jacobian(ch.inet, prop.phases, cases):
            bound = norm_bound(lo, hi, den, limit.norm)
            if limit.admits(bound):
                continue
            if limit.norm == "l2" and (spectral_test(lo, hi, den, limit.a) or spectral_at_root(lo, hi, den, limit)):
                continue
            what = "||A||_2^2" if limit.norm == "l2" else f"||A||_{limit.norm[1:]}"
            where = ", ".join(f"{list(k)}: {v}" for k, v in sorted(assign.items())) or "no cases"
            spectral = (
                f", and M^T M has an eigenvalue above {c._show(limit.a)} (and none proved at most L^2)"
                if limit.norm == "l2"
                else ""
            )
            raise Invalid(
                path,
                f"jacobian leaf: the interval bound of {what} is {c._show(bound)}, above L"
                f"{'^2' if limit.norm == 'l2' else ''}{spectral} (case {where})",
            )
        ch.leaves["jacobian"] += 1

    return leaf
