"""Integer rows of a region: the forms of a layer on it and the H-representation of a face
(shared by the compiler, its tasks, the complex and the complex file).

Imports nothing from the rest of the compiler.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import gcd
from operator import mul
from typing import Any

from relu_geom.arith.dense import integer_echelon
from relu_geom.geometry.lattice import iter_bits

__all__ = ["face_hrep", "layer_forms"]

Rows = tuple[tuple[int, ...], ...]


def layer_forms(
    w_int: Sequence[Sequence[int]],
    b_int: Sequence[int],
    forms: tuple[tuple[tuple[int, ...], ...], ...],
    pos: int,
    prev_offset: int,
    d: int,
    memo: list[Any] | None = None,
) -> tuple[tuple[int, ...], ...]:
    """Homogenized integer forms ``W' D H_prev + b' e_t`` of the next layer on a region.

    ``memo`` (a list, one per layer) remembers the last result: for a sibling region
    (same ``forms``) whose active set differs in few neurons, only the difference is
    added (``O(changes * width * d)`` instead of ``O(active * width * d)``).
    """
    if not forms:
        return tuple(tuple(row) + (b,) for row, b in zip(w_int, b_int))
    prev = forms[-1]
    width = len(prev)
    mask = pos >> prev_offset & ((1 << width) - 1)
    if memo and memo[0] is prev:
        diff = memo[1] ^ mask
        if 2 * diff.bit_count() < mask.bit_count():
            acc: list[Any] = [list(r) for r in memo[2]]
            for i in iter_bits(diff):
                col = prev[i]
                sign = 1 if mask >> i & 1 else -1
                for r, row in zip(acc, w_int):
                    c = row[i]
                    if c:
                        c *= sign
                        for k, x in enumerate(col):
                            r[k] += c * x
            out = tuple(map(tuple, acc))
            memo[:] = [prev, mask, out]
            return out
    active = [i for i in range(width) if mask >> i & 1]
    cols = list(zip(*(prev[i] for i in active)))  # coordinate k of every active form
    rows = []
    for row, b in zip(w_int, b_int):
        coeffs = [row[i] for i in active]
        acc = [sum(map(mul, coeffs, col)) for col in cols] if active else [0] * (d + 1)
        acc[d] += b
        rows.append(tuple(acc))
    out = tuple(rows)
    if memo is not None:
        memo[:] = [prev, mask, out]
    return out


def face_hrep(
    d: int,
    n_hidden: int,
    dom_rows: Sequence[tuple[int, ...]],
    positions: Sequence[tuple[int, int]],
    region: Any,
    zmask: int,
    facet_zmasks: Sequence[int],
    generators: Sequence[Sequence[int]] | None = None,
) -> tuple[Rows, Rows]:
    """The canonical H-representation ``(equalities, inequalities)`` of the closure of a face
    of ``region`` (a :class:`~relu_geom.compiler.complex.RegionData`), as
    :class:`~relu_geom.Polyhedron` keeps it: integer echelon equalities, inequalities reduced
    modulo them, primitive, sorted.

    ``zmask`` holds the constraints tight on the face (neurons ``0 .. H-1``, then the domain
    rows, then ``t >= 0``), ``facet_zmasks`` those of each of its facets: facet ``G`` is cut
    off by the lowest constraint tight on ``G`` and not on the face.  ``generators``, when
    given, are the face's homogeneous generators ``(X, t)`` (points ``t > 0``, rays
    ``t = 0``; the region has no lineality): a vertex's equalities are then read off its
    point, the rows ``(t e_i, X_i)`` divided by their gcd (the echelon basis of ``X / t``),
    and an edge's inequalities off its end points (see Notes).  Integer arithmetic only.

    Notes
    -----
    A neuron with form ``a.x + b`` gives the equality row ``(a, -b)`` (``a.x == -b``) and, as
    an inequality, ``(a, -b)`` where it is negative on the region (``a.x <= -b``) and
    ``(-a, b)`` where it is positive.  The reduction modulo the equalities runs on the rows
    as they come, with the echelon basis written out for one and two equalities (every face
    of codimension at most two in general position): the fraction-free step
    ``b_p r - r_p b`` per basis row ``b`` with pivot ``p``, then division by the gcd, gives
    the primitive positive multiple of the reduced row whatever the path, so the result is
    the canonical one of :func:`~relu_geom.arith.dense.reduce_integer_row`.

    On an edge (``d - 1`` pivots, one free coordinate ``x_j``) a reduced row is zero but in
    column ``j`` and the constant: the facet at the end point ``X / t`` is ``t x_j <= X_j``
    or ``-t x_j <= -X_j``, whichever holds at the other generator, divided by the gcd.
    """
    if generators is not None and len(generators) == 1:
        vertex = generators[0]
        t = vertex[d]
        point = []
        for i in range(d):
            g = gcd(t, vertex[i])
            point.append((*([0] * i), t // g, *([0] * (d - 1 - i)), vertex[i] // g))
        return tuple(point), ()
    forms = region.forms
    n_dom = len(dom_rows)
    equalities = []
    m = zmask
    while m:
        low = m & -m
        m ^= low
        c = low.bit_length() - 1
        if c >= n_hidden:
            if c - n_hidden < n_dom:
                equalities.append(dom_rows[c - n_hidden])
            continue
        layer, j = positions[c]
        row = forms[layer][j]
        if any(row[:d]):
            equalities.append((*row[:d], -row[d]))
    k = len(equalities)
    if k == 0:
        basis: list[tuple[int, ...]] = []
        pivots: list[int] = []
    elif k == 1:
        row = equalities[0]
        g = gcd(*row)
        p = next(i for i, v in enumerate(row) if v)
        if row[p] < 0:
            g = -g
        basis = [row if g == 1 else tuple([v // g for v in row])]
        pivots = [p]
    elif k == 2 and (two := _echelon2(*equalities)) is not None:
        basis, pivots = two
    else:
        basis, pivots = integer_echelon(equalities)
    if generators is not None and len(generators) == 2 and len(pivots) == d - 1:
        edge = _edge_inequalities(d, pivots, generators[0], generators[1])
        if edge is not None and len(edge) == len(facet_zmasks):
            return tuple(basis), edge
    pos = region.pos
    inequalities: set[tuple[int, ...]] = set()
    add = inequalities.add
    one = basis[0] if len(basis) == 1 else None
    if one is not None:
        p0 = pivots[0]
        b0 = one[p0]
    for zg in facet_zmasks:
        new = zg & ~zmask
        c = (new & -new).bit_length() - 1
        if c >= n_hidden:
            row = dom_rows[c - n_hidden]
        else:
            layer, j = positions[c]
            form = forms[layer][j]
            if pos >> c & 1:
                row = (*[-v for v in form[:d]], form[d])
            else:
                row = (*form[:d], -form[d])
        if one is not None:
            f = row[p0]
            red = [b0 * x - f * y for x, y in zip(row, one)] if f else row
        else:
            red = row
            for b, p in zip(basis, pivots):
                f = red[p]
                if f:
                    bp = b[p]
                    red = [bp * x - f * y for x, y in zip(red, b)]
        if any(red[:d]):
            g = gcd(*red)
            add(tuple(red) if g == 1 else tuple([v // g for v in red]))
    return tuple(basis), tuple(sorted(inequalities))


def _echelon2(r1: tuple[int, ...], r2: tuple[int, ...]) -> tuple[list[tuple[int, ...]], list[int]] | None:
    """:func:`~relu_geom.arith.dense.integer_echelon` of two independent rows by Cramer's rule
    (None when they are dependent).

    With pivot columns ``p < q`` (the first column that is not zero, the first after it
    independent of it) and ``m(i, j) = r1[i] r2[j] - r1[j] r2[i]``, the reduced echelon rows
    times ``D = m(p, q)`` are ``(m(j, q))_j`` and ``(m(p, j))_j``: each has ``D`` at its
    pivot and 0 at the other; divided by their gcd, with the sign of ``D``, they are the
    canonical rows.
    """
    n = len(r1)
    p = 0
    while p < n and not (r1[p] or r2[p]):
        p += 1
    if p == n:
        return None
    a, b = r1[p], r2[p]
    m_p = [a * y - x * b for x, y in zip(r1, r2)]  # m(p, j)
    q = p + 1
    while q < n and not m_p[q]:
        q += 1
    if q == n:
        return None
    a, b = r1[q], r2[q]
    m_q = [x * b - a * y for x, y in zip(r1, r2)]  # m(j, q)
    g = gcd(*m_q)
    if m_p[q] < 0:
        g = -g
    g2 = gcd(*m_p)
    if m_p[q] < 0:
        g2 = -g2
    return [tuple([v // g for v in m_q]), tuple([v // g2 for v in m_p])], [p, q]


def _edge_inequalities(d: int, pivots: Sequence[int], u: Sequence[int], v: Sequence[int]) -> Rows | None:
    """The canonical inequalities of the edge with generators ``u`` and ``v`` (one of them a
    point) and echelon pivots ``pivots``, sorted (None if the free coordinate does not
    separate them, which cannot happen on an edge)."""
    j = next(i for i in range(d) if i not in pivots)
    rows = []
    for p, q in ((u, v), (v, u)):
        t = p[d]
        if not t:
            continue
        s = q[j] * t - p[j] * q[d]  # the other generator's x_j minus the point's, times t q_t
        if not s:
            return None
        x = p[j]
        g = gcd(t, x)
        if s > 0:  # x_j >= X_j / t
            t, x = -t, -x
        rows.append((*([0] * j), t // g, *([0] * (d - 1 - j)), x // g))
    return tuple(sorted(rows))
