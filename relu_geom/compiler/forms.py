"""Integer rows of a region: the forms of a layer on it and the H-representation of a face
(shared by the compiler, its tasks, the complex and the complex file).

Imports nothing from the rest of the compiler.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import mul
from typing import Any

from relu_geom.arith.dense import integer_echelon, reduce_integer_row
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
) -> tuple[Rows, Rows]:
    """The canonical H-representation ``(equalities, inequalities)`` of the closure of a face
    of ``region`` (a :class:`~relu_geom.compiler.complex.RegionData`), as
    :class:`~relu_geom.Polyhedron` keeps it: integer echelon equalities, inequalities reduced
    modulo them, primitive, sorted.

    ``zmask`` holds the constraints tight on the face (neurons ``0 .. H-1``, then the domain
    rows, then ``t >= 0``), ``facet_zmasks`` those of each of its facets: facet ``G`` is cut
    off by the lowest constraint tight on ``G`` and not on the face.  Integer arithmetic only.
    """
    equalities = []
    for c in iter_bits(zmask):
        if c >= n_hidden:
            if c - n_hidden < len(dom_rows):
                equalities.append(dom_rows[c - n_hidden])
            continue
        layer, j = positions[c]
        row = region.forms[layer][j]
        if any(row[:d]):
            equalities.append(tuple(row[:d]) + (-row[d],))
    basis, pivots = integer_echelon(equalities)
    inequalities = set()
    for zg in facet_zmasks:
        new = zg & ~zmask
        c = (new & -new).bit_length() - 1
        if c >= n_hidden:
            row = dom_rows[c - n_hidden]
        else:
            layer, j = positions[c]
            form = region.forms[layer][j]
            s = 1 if region.pos >> c & 1 else -1
            row = tuple(-s * v for v in form[:d]) + (s * form[d],)
        red = reduce_integer_row(row, basis, pivots)  # primitive already
        if any(red[:d]):
            inequalities.add(red)
    return tuple(basis), tuple(sorted(inequalities))
