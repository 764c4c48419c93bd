"""Tropical facet weights and the balancing condition at ridges, exactly.

Weight
------
For a facet ``sigma`` of the canonical complex between regions ``P`` and ``Q``,

    c_f(sigma) = (A_P - A_Q) e_{P/sigma}  (a vector in Q^m, one entry per output),

where ``e_{P/sigma}`` is the **primitive integer normal** of ``sigma`` (the
integer vector orthogonal to the facet whose entries have gcd 1) pointing into
``P``.  Swapping ``P`` and ``Q`` flips both factors, so ``c_f(sigma)`` does not
depend on which side is called ``P``; it is zero exactly when ``f`` does not
bend across ``sigma`` and, for a scalar output, positive for a convex bend.
By continuity ``A_P - A_Q = c_f(sigma) e^T / (e . e)``.

Balancing
---------
Let ``tau`` be a ridge (a cell of dimension ``d - 2`` in the interior of the
domain).  The regions and facets containing ``tau`` form a cycle
``R_0, sigma_0, R_1, sigma_1, ..., R_{k-1}, sigma_{k-1}, R_0``.  Walking it once,
the jumps ``A_{R_{i+1}} - A_{R_i}`` add up to zero.  Written with the weights
and normals only,

    sum_i c_f(sigma_i) e_i^T / (e_i . e_i) = 0     (an m x d rational matrix),

with ``e_i`` the primitive normal of ``sigma_i`` pointing into ``R_{i+1}``.
This is what :func:`check_balancing` verifies, clearing denominators so the
check is an exact integer identity.  It is not a tautology of the data: it
holds because each jump is a rank-one matrix along the facet normal (continuity
of ``f``), the weights are computed correctly and the cycle is the true star of
the ridge.  It is equivalent to the classical tropical balancing
``sum w(sigma) u_{sigma/tau} = 0`` with lattice weights ``w = c / (e . e)``.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, NamedTuple

from relu_geom._util import short_repr
from relu_geom.analyses.breakpoints.complex import as_breakpoint_complex
from relu_geom.arith.rational import format_rational
from relu_geom.errors import InvalidInputError

__all__ = ["BalancingFailure", "balancing_sum", "check_balancing", "facet_weights"]


def facet_weights(net_or_complex: Any, *, domain: Any = None) -> dict[int, tuple[Fraction, ...]]:
    """The tropical weight of every interior facet of the canonical complex.

    Parameters
    ----------
    net_or_complex
        A network (compiled over ``domain``), a compiled complex or a
        :class:`~relu_geom.BreakpointComplex`.

    Returns
    -------
    dict
        Cell index of each facet in the interior of the domain -> ``c_f(sigma)``,
        a tuple of Fractions (one per output; all zero for a non-bent facet).
        The normalization (primitive integer normal pointing into ``P``) is in
        the module documentation.

    Examples
    --------
    ``|x| = relu(x) + relu(-x)``: the slope jumps from -1 to 1 at 0, and the
    normal pointing into the right region is ``e = 1``, so ``c = (1 - (-1)) * 1 = 2``:

    >>> import relu_geom as rg
    >>> list(rg.facet_weights(rg.zoo.abs_1d()).values())
    [(Fraction(2, 1),)]

    ``relu(2x - 1)``: the facet is ``x = 1/2``, the primitive normal is 1 (not 2),
    the slopes are 0 and 2, so the weight is 2:

    >>> list(rg.facet_weights(rg.ReLUNetwork([[[2]], [[1]]], [[-1], [0]])).values())
    [(Fraction(2, 1),)]
    """
    bc = as_breakpoint_complex(net_or_complex, domain=domain)
    s = bc.output_scale
    m = bc.network.output_dim
    zero = (Fraction(0),) * m
    out = {}
    for i, rec in bc.facet_table.items():
        n = rec.weight_numerator
        out[i] = zero if n is None else tuple(Fraction(v, s) for v in n)
    return out


class BalancingFailure(NamedTuple):
    """A ridge where the weights do not balance, with the data that shows it.

    Attributes
    ----------
    ridge : int
        Cell index of the ridge.
    regions : tuple of int
        The regions around it in cyclic order (empty if the star is not a cycle).
    facets : tuple of int
        The facets crossed, ``facets[i]`` between ``regions[i]`` and ``regions[i+1]``.
    normals : tuple of tuple of int
        Primitive normals, ``normals[i]`` pointing into ``regions[i+1]``.
    weights : tuple of tuple of Fraction
        The weights ``c_f`` of the facets.
    total : tuple of tuple of Fraction
        ``sum_i c_i e_i^T / (e_i . e_i)`` (m x d), not zero.
    reason : str
        What failed.
    """

    ridge: int
    regions: tuple[int, ...]
    facets: tuple[int, ...]
    normals: tuple[tuple[int, ...], ...]
    weights: tuple[tuple[Fraction, ...], ...]
    total: tuple[tuple[Fraction, ...], ...]
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, rationals as ``"p/q"`` strings (integers as ints)."""
        return {
            "ridge": self.ridge,
            "regions": list(self.regions),
            "facets": list(self.facets),
            "normals": [list(e) for e in self.normals],
            "weights": [_fmt(w) for w in self.weights],
            "total": [_fmt(row) for row in self.total],
            "reason": self.reason,
        }


def _fmt(values: Any) -> list[Any]:
    return [format_rational(v) for v in values]


def _cycle(bc: Any, ridge: int) -> tuple[list[int], list[int]] | None:
    """Regions and facets around an interior ridge in cyclic order, or None if not a cycle."""
    cx = bc.complex
    facets = cx.cells[ridge].coface_indices
    table = bc.facet_table
    around: dict[int, list[int]] = {}
    for f in facets:
        if f not in table:
            return None
        for r in table[f].regions:
            around.setdefault(r, []).append(f)
    if any(len(v) != 2 for v in around.values()):
        return None
    f0 = facets[0]
    start, cur = table[f0].regions
    regions, order = [start], [f0]
    prev_f = f0
    while cur != start:
        regions.append(cur)
        a, b = around[cur]
        nxt = b if a == prev_f else a
        p, q = table[nxt].regions
        order.append(nxt)
        cur = q if p == cur else p
        prev_f = nxt
        if len(order) > len(facets):
            return None
    if len(order) != len(facets):
        return None
    return regions, order


def _balance(bc: Any, ridge: int) -> tuple[tuple[tuple[Fraction, ...], ...], BalancingFailure | None]:
    d = bc.ambient_dim
    m = bc.network.output_dim
    cyc = _cycle(bc, ridge)
    if cyc is None:
        zero = tuple((Fraction(0),) * d for _ in range(m))
        return zero, BalancingFailure(
            ridge,
            (),
            tuple(bc.complex.cells[ridge].coface_indices),
            (),
            (),
            zero,
            "the regions and facets around the ridge do not form one cycle",
        )
    regions, order = cyc
    table = bc.facet_table
    k = len(order)
    normals = []
    for i, f in enumerate(order):
        e = table[f].normal
        nxt = regions[(i + 1) % k]
        normals.append(e if table[f].regions[0] == nxt else tuple(-v for v in e))
    sq = [sum(v * v for v in e) for e in normals]
    lcm = math.lcm(*sq)
    acc = [[0] * d for _ in range(m)]
    for f, e, n2 in zip(order, normals, sq):
        c = table[f].weight_numerator
        if c is None:
            continue
        mult = lcm // n2
        for r in range(m):
            cr = c[r] * mult
            if cr:
                row = acc[r]
                for j in range(d):
                    row[j] += cr * e[j]
    den = lcm * bc.output_scale
    total = tuple(tuple(Fraction(v, den) for v in row) for row in acc)
    if any(v for row in acc for v in row):
        s = bc.output_scale
        weights = tuple(
            (Fraction(0),) * m
            if (n := table[f].weight_numerator) is None
            else tuple(Fraction(v, s) for v in n)
            for f in order
        )
        return total, BalancingFailure(
            ridge,
            tuple(regions),
            tuple(order),
            tuple(normals),
            weights,
            total,
            "the weighted normals around the ridge do not sum to zero",
        )
    return total, None


def balancing_sum(net_or_complex: Any, ridge: int, *, domain: Any = None) -> tuple[tuple[Fraction, ...], ...]:
    """``sum_i c_f(sigma_i) e_i^T / |e_i|^2`` around one interior ridge (zero when balanced).

    Parameters
    ----------
    ridge
        Cell index of a cell of dimension ``d - 2`` in the interior of the domain.

    Returns
    -------
    tuple of tuple of Fraction
        The m x d matrix of the module documentation.

    Examples
    --------
    >>> import relu_geom as rg
    >>> cx = rg.compile_network(rg.zoo.central_lines(3))
    >>> rg.balancing_sum(cx, cx.vertices[0].index)
    ((Fraction(0, 1), Fraction(0, 1)),)
    """
    bc = as_breakpoint_complex(net_or_complex, domain=domain)
    cx = bc.complex
    if not isinstance(ridge, int) or not 0 <= ridge < len(cx.cells):
        raise InvalidInputError(f"ridge: expected a cell index in 0..{len(cx.cells) - 1}, got {short_repr(ridge)}")
    cell = cx.cells[ridge]
    if cell.dim != cx.dim - 2 or cell.domain_face:
        raise InvalidInputError(
            f"ridge: expected a cell of dimension {cx.dim - 2} inside the domain, got cell {ridge} of "
            f"dimension {cell.dim}" + (" on the domain boundary" if cell.domain_face else "")
        )
    return _balance(bc, ridge)[0]


def check_balancing(net_or_complex: Any, *, domain: Any = None) -> tuple[BalancingFailure, ...]:
    """The ridges where the tropical weights do not balance (there must be none).

    Checks ``sum_i c_f(sigma_i) e_i^T / (e_i . e_i) = 0`` (module documentation)
    at every ridge in the interior of the domain that lies on a bent facet; at
    the other ridges every term is zero.  A built-in audit of the compiled
    complex and of the weights.  In ``d = 1`` there are no ridges.

    Returns
    -------
    tuple of BalancingFailure
        Empty when balancing holds everywhere.

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.check_balancing(rg.zoo.demo())
    ()
    """
    bc = as_breakpoint_complex(net_or_complex, domain=domain)
    out = []
    for ridge in bc.ridge_table:
        _, failure = _balance(bc, ridge)
        if failure is not None:
            out.append(failure)
    return tuple(out)
