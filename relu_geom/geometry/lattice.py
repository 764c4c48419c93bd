"""Combinatorics of face lattices on bitsets (no coordinates).

A face is a set of generators (vertices and rays) stored as the bits of a Python
int; facets are given the same way.  Everything here is integer bit logic.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["iter_bits", "maximal_sets", "subfaces"]


def iter_bits(mask: int) -> Iterable[int]:
    """Indices of the set bits of ``mask``, lowest first.

    Examples
    --------
    >>> import relu_geom as rg
    >>> list(rg.geometry.lattice.iter_bits(0b10110))
    [1, 2, 4]
    """
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def maximal_sets(sets: Iterable[int]) -> list[int]:
    """The inclusion-maximal members of a family of bitsets (duplicates merged).

    Examples
    --------
    >>> import relu_geom as rg
    >>> sorted(rg.geometry.lattice.maximal_sets([0b011, 0b001, 0b110, 0b011]))
    [3, 6]
    """
    kept: list[int] = []
    for s in sorted(set(sets), key=int.bit_count, reverse=True):
        for k in kept:
            if s & k == s:
                break
        else:
            kept.append(s)
    return kept


def subfaces(face: int, facets: Iterable[int]) -> list[int]:
    """The facets of ``face``: the maximal proper intersections ``face & F`` with facets ``F``.

    Valid for a polyhedral cone whose facets (as generator sets) are ``facets``:
    every facet of a face is its intersection with a facet of the cone.
    """
    return maximal_sets(face & f for f in facets if face & f != face)
