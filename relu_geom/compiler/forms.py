"""The integer forms of a layer on a region (shared by the compiler and the complex file).

Imports nothing from the rest of the compiler.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import mul
from typing import Any

from relu_geom.geometry.lattice import iter_bits

__all__ = ["layer_forms"]


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
            acc = [list(r) for r in memo[2]]
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
