"""The core of a fiber piece: the free terms its extra neurons must produce, and the dimension of the piece."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from relu_geom.analyses.fibers.shallow.canonical import residual
from relu_geom.analyses.fibers.shallow.decomposition import ShallowDecomposition
from relu_geom.arith.dense import combination, rank, rank_modulo, rref

__all__: list[str] = []  # helpers of the shallow package, no public API of their own


Counts = tuple[int, int]


def _core_dimension(m: int, d: int, r: int, rho: int, t: int, tk: int, s: int) -> int:
    """``dim {(U_T, U, V) : U_T A_T + U V = R, rank(V mod K) = s}`` (see :func:`_core_dimensions`)."""
    return r * tk + (s - rho) * (d - tk - s) + s * r + m * (t + r - tk - s)


def _core_dimensions(m: int, d: int, r: int, rho: int, t: int, tk: int, nonzero_rows: bool) -> dict[int, int]:
    """``s -> dim`` for the components of ``{(U_T, U, V) : U_T A_T + U V = R}`` (empty when ``r < rho``).

    ``U_T`` is ``m x t`` (free coefficients of ``t`` doubled hinges whose normals
    ``A_T`` span a space ``K`` of dimension ``tk``), ``U`` is ``m x r`` and ``V`` is
    ``r x d``; ``rho`` is the rank of ``R`` modulo ``K``.  Choosing ``V`` first,
    ``(U_T, U)`` solve a linear system with ``m (t + r - tk - s)`` free dimensions,
    solvable iff the row space of ``R`` lies in ``K + rowspace V``; the ``V`` with
    ``rank(V mod K) = s`` and that property form a set of dimension
    ``r tk + (s - rho)(d - tk - s) + s r``.  With ``nonzero_rows`` (a cancelling
    group's normal is never zero) and ``tk = 0`` the component ``s = 0`` (``V = 0``) is
    excluded.
    """
    lo = max(rho, 1) if nonzero_rows and tk == 0 else rho
    return {s: _core_dimension(m, d, r, rho, t, tk, s) for s in range(lo, min(r, d - tk) + 1)}


@dataclass(frozen=True, slots=True)
class Core:
    """Data of one orientation pattern ``(S, T)``: the linear part the extra terms must produce."""

    R: list[list[Fraction]]  # R_S = M + sum_{j in S} c_j a_j^T
    T: tuple[int, ...]
    tk: int
    rho: int
    lineality: tuple[int, int] | None  # orthant only: (dim l, dim l cap (R^m x 0)) of the stacked cone


def stacked_columns(core: Core, dec: ShallowDecomposition) -> list[list[Fraction]]:
    """``g_q = (R e_q, A_T e_q)`` in ``Q^(m + t)``, ``q = 1..d``."""
    d = dec.input_dim
    return [
        [row[q] for row in core.R] + [Fraction(dec.hinges[j].normal[q]) for j in core.T] for q in range(d)
    ]


def lineality_generators(cols: Sequence[Sequence[Fraction]]) -> list[int]:
    """Indices ``q`` of the nonzero generators with ``-g_q`` in ``cone(g)``: they span the lineality space.

    One exact LP per generator: ``lambda >= 0``, ``sum lambda_i g_i = 0``, ``lambda_q >= 1``.
    """
    from relu_geom.geometry.polyhedron import Polyhedron

    n = len(cols)
    dim = len(cols[0]) if cols else 0
    out = []
    for q in range(n):
        if not any(cols[q]):
            continue
        ineq = [[-int(i == j) for j in range(n)] + [0] for i in range(n)]
        ineq.append([-int(j == q) for j in range(n)] + [-1])
        eqs = [[cols[j][c] for j in range(n)] + [0] for c in range(dim)]
        if not Polyhedron.from_hrep(ineq, eqs, ambient_dim=n).is_empty:
            out.append(q)
    return out


def _lineality(core: Core, dec: ShallowDecomposition) -> tuple[int, int]:
    """``(dim l, dim l cap (R^m x 0))`` for the lineality space ``l`` of the stacked cone."""
    cols = stacked_columns(core, dec)
    m = dec.output_dim
    gens = [cols[q] for q in lineality_generators(cols)]
    full = rank(gens)
    return full, full - rank([g[m:] for g in gens])


def make_core(dec: ShallowDecomposition, S: tuple[int, ...], T: tuple[int, ...], orthant: bool) -> Core:
    """The :class:`Core` of the flipped hinges ``S`` and the doubled hinges ``T`` (with its lineality on the orthant)."""
    normals = [[Fraction(a) for a in dec.hinges[j].normal] for j in T]
    R = residual(dec, S)
    tk = rank(normals) if T else 0
    rho = rank_modulo(R, rref(normals)[0] if T else [])
    core = Core(R, T, tk, rho, None)
    return replace(core, lineality=_lineality(core, dec)) if orthant else core


def piece_dimension(
    dec: ShallowDecomposition,
    core: Core,
    hinge_counts: Sequence[Counts],
    groups: Sequence[Counts],
    n_linear: int,
    n_inactive: int,
    n_inert: int,
) -> tuple[int, int] | None:
    """``(dimension mod scaling, s)`` of a piece, or None when it is empty (``docs/fibers.md``, 2.3)."""
    d, m = dec.input_dim, dec.output_dim
    orthant = dec.domain == "orthant"
    t = len(core.T)
    mixed = sum(1 for p, q in groups if q)
    L = n_linear if orthant else 0
    r = mixed + L
    if r < core.rho:
        return None
    extra = sum(m * (p + q - 1) for p, q in hinge_counts) - m * t
    extra += sum(m * (p + q - 2) if q else d + m * (p - 1) for p, q in groups)
    extra += (d + m) * n_inactive if orthant else m * (n_linear + n_inactive)
    extra += d * n_inert
    if orthant and L and r == core.rho:
        assert core.lineality is not None
        full, kernel_part = core.lineality
        if kernel_part > mixed:
            return None
        s = core.rho
        return _core_dimension(m, d, r, core.rho, t, core.tk, s) - full * L + extra, s
    dims = _core_dimensions(m, d, r, core.rho, t, core.tk, mixed > 0)
    if (
        orthant
        and L
        and core.rho in dims
        and core.rho < d - core.tk
        and not _has_positive_in_span(_row_space_with_K(dec, core), d)
    ):
        del dims[core.rho]  # linear rows need a positive vector in rowspace(R_S) + K
    if not dims:
        return None
    s = max(dims, key=lambda k: (dims[k], k))
    return dims[s] + extra, s


def _row_space_with_K(dec: ShallowDecomposition, core: Core) -> list[list[Fraction]]:
    rows = [list(r) for r in core.R if any(r)] + [[Fraction(a) for a in dec.hinges[j].normal] for j in core.T]
    return [list(r) for r in rref(rows)[0]] if rows else []


def pointed_direction(cols: Sequence[Sequence[Fraction]]) -> tuple[Fraction, ...] | None:
    """A vector ``y`` with ``y . c > 0`` for every nonzero column ``c`` (None when the cone is not pointed)."""
    from relu_geom.geometry.polyhedron import Polyhedron

    nz = [list(c) for c in cols if any(c)]
    if not nz:
        return None
    dim = len(nz[0])
    poly = Polyhedron.from_hrep([[-v for v in c] + [-1] for c in nz], ambient_dim=dim)
    if poly.is_empty:
        return None
    return poly.interior_point


def positive_in_span(rows: list[list[Fraction]], d: int) -> list[Fraction]:
    """A vector ``>= 1`` entrywise in the row span (exact LP)."""
    from relu_geom.geometry.polyhedron import Polyhedron

    k = len(rows)
    poly = Polyhedron.from_hrep([[-rows[i][q] for i in range(k)] + [-1] for q in range(d)], ambient_dim=k)
    return combination(list(poly.interior_point), rows, d)


def _has_positive_in_span(rows: list[list[Fraction]], d: int) -> bool:
    from relu_geom.geometry.polyhedron import Polyhedron

    if not rows:
        return d == 0
    k = len(rows)
    return not Polyhedron.from_hrep(
        [[-rows[i][q] for i in range(k)] + [-1] for q in range(d)], ambient_dim=k
    ).is_empty
