"""Exact Lipschitz constants over a box or a polytope: ``max ||A_P||`` over the regions meeting it.

Over a full-dimensional convex domain ``D`` the Lipschitz constant of ``f`` restricted to
``D`` is the largest operator norm over the regions ``R`` with ``R ∩ D`` full-dimensional.
The maximum comes from the canonical complex of the network over ``D`` (every region and
its affine map, exactly); the certificate is a tree covering the bounding box of ``D``
whose leaves are ``pattern`` leaves (an operator norm at most the value), ``jacobian``
leaves (an interval enclosure of every matrix the leaf allows, with a few unstable neurons
enumerated, whose norm bound is at most the value) or ``lp`` leaves (an exact Farkas
combination proving that the leaf's pattern does not meet ``D``), and a witness point of ``D`` with a box on which the bound rule fixes the pattern of a region
attaining it (``docs/certificates.md``, claim ``lipschitz``).
For ``l2`` the constant is an algebraic number: ``L^2`` is the largest eigenvalue of
``A^T A``, given by a square-free polynomial and an isolating rational interval.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import flint
import numpy as np

from relu_geom._util import short_repr
from relu_geom.arith.lp import solve_lp
from relu_geom.arith.rational import format_rational
from relu_geom.certify.bab import Form, _pattern_maps, _pattern_rows, form_to_json, push_split
from relu_geom.certify.bounds import (
    DEFAULT_PRECISION_BITS,
    ExactBounds,
    check_search_limits,
    exact_bounds,
    max_over_box,
    resolve_bound_rule,
    rule_key,
)
from relu_geom.certify.certificate import envelope, write_certificate
from relu_geom.certify.ranges import parse_domain_box
from relu_geom.compiler.entry import as_network
from relu_geom.errors import InvalidInputError, LimitExceededError, UnsupportedInputError
from relu_geom.geometry import Polyhedron
from relu_geom.network import ReLUNetwork

__all__ = ["LipschitzResult", "SquaredRoot", "lipschitz_constant", "operator_norm"]

Matrix = tuple[tuple[Fraction, ...], ...]

DEEP_SPLITS = 40
"""Splits per input after which a Lipschitz leaf splits neurons whatever their number."""


@dataclass(frozen=True, slots=True)
class SquaredRoot:
    """The positive square root of the unique real root of ``poly`` (coefficients ``c_0, c_1, ...``,
    square-free) in ``[lo, hi]``: an exact algebraic number."""

    poly: tuple[Fraction, ...]
    lo: Fraction
    hi: Fraction

    def refine(self, width: Fraction) -> SquaredRoot:
        """The same number with an isolating interval for ``L^2`` of width at most ``width``."""
        p = flint.fmpq_poly([flint.fmpq(c.numerator, c.denominator) for c in self.poly])
        lo, hi = self.lo, self.hi
        while hi - lo > width:
            mid = (lo + hi) / 2
            s_mid = _sign(p, mid)
            if s_mid == 0:
                return SquaredRoot(self.poly, mid, mid)
            if _sign(p, lo) * s_mid < 0:
                hi = mid
            else:
                lo = mid
        return SquaredRoot(self.poly, lo, hi)

    def __float__(self) -> float:
        r = self.refine(Fraction(1, 2**60))
        return float((r.lo + r.hi) / 2) ** 0.5


def _sign(p: flint.fmpq_poly, t: Fraction) -> int:
    v = p(flint.fmpq(t.numerator, t.denominator))
    return (v > 0) - (v < 0)


def operator_norm(A: Matrix, norm: str) -> Fraction:
    """``linf``: the largest absolute row sum; ``l1``: the largest absolute column sum.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from fractions import Fraction as F
    >>> from relu_geom.certify.lipschitz import operator_norm
    >>> operator_norm(((F(1), F(-2)), (F(3), F(0))), "linf"), operator_norm(((F(1), F(-2)), (F(3), F(0))), "l1")
    (Fraction(3, 1), Fraction(4, 1))
    """
    if norm == "linf":
        return max((sum((abs(a) for a in row), Fraction(0)) for row in A), default=Fraction(0))
    if norm == "l1":
        cols = len(A[0]) if A else 0
        return max((sum((abs(row[j]) for row in A), Fraction(0)) for j in range(cols)), default=Fraction(0))
    raise InvalidInputError(f"norm: expected 'linf', 'l1' or 'l2', got {short_repr(norm)}")


# ------------------------------------------------------------------ l2: algebraic
def _gram_poly(A: Matrix) -> flint.fmpq_poly:
    """The square-free part of the characteristic polynomial of ``A^T A``."""
    d = len(A[0])
    gram = [sum((row[i] * row[j] for row in A), Fraction(0)) for i in range(d) for j in range(d)]
    M = flint.fmpq_mat(d, d, [flint.fmpq(v.numerator, v.denominator) for v in gram])
    p = M.charpoly()
    g = p.gcd(p.derivative())
    return p // g if g.degree() > 0 else p


def _count_above(p: flint.fmpq_poly, t: Fraction) -> int:
    """Distinct real roots of the square-free ``p`` greater than ``t`` (Sturm sequence)."""
    seq = [p, p.derivative()]
    while seq[-1].degree() > 0:
        r = -(seq[-2] % seq[-1])
        if r == 0:
            break
        seq.append(r)

    def changes(vals: list[int]) -> int:
        vals = [v for v in vals if v]
        return sum(1 for a, b in zip(vals, vals[1:]) if a != b)

    at_t = [_sign(q, t) for q in seq]
    at_inf = [(1 if q.coeffs()[-1] > 0 else -1) if q.degree() >= 0 and q != 0 else 0 for q in seq]
    return changes(at_t) - changes(at_inf)


def _largest_root(p: flint.fmpq_poly) -> SquaredRoot:
    """The largest real root of the square-free ``p`` (a Gram matrix: real roots >= 0), isolated."""
    coeffs = tuple(Fraction(int(c.p), int(c.q)) for c in p.coeffs())
    hi = 1 + max((abs(c / coeffs[-1]) for c in coeffs[:-1]), default=Fraction(0))  # Cauchy bound
    lo = Fraction(0)
    if _count_above(p, lo) == 0:
        return SquaredRoot(coeffs, lo, lo)  # A = 0
    # invariant: a root above lo, none above hi, p(hi) != 0
    while not (_count_above(p, lo) == 1 and _sign(p, lo) != 0):
        mid = (lo + hi) / 2
        if _count_above(p, mid) == 0:
            if _sign(p, mid) == 0:
                return SquaredRoot(coeffs, mid, mid)
            hi = mid
        else:
            lo = mid
    return SquaredRoot(coeffs, lo, hi)


def _exact_if_rational(r: SquaredRoot) -> SquaredRoot:
    """``r`` with the interval ``[L^2, L^2]`` when ``L^2`` is rational (a linear factor of the
    polynomial has its root in the interval): the spectral test of a ``jacobian`` leaf runs
    at the lower end of the interval, so it can then pass on a leaf where ``||M||_2 = L``."""
    p = flint.fmpq_poly([flint.fmpq(c.numerator, c.denominator) for c in r.poly])
    for factor, _ in p.factor()[1]:
        if factor.degree() == 1:
            c0, c1 = factor.coeffs()
            t = -Fraction(int(c0.p), int(c0.q)) / Fraction(int(c1.p), int(c1.q))
            if r.lo <= t <= r.hi:
                return SquaredRoot(r.poly, t, t)
    return r


def _l2_at_most(A: Matrix, L: SquaredRoot) -> bool:
    """Whether ``||A||_2 <= L``: the Gram polynomial of ``A`` has no root above ``L^2``."""
    q = _gram_poly(A)
    p = flint.fmpq_poly([flint.fmpq(c.numerator, c.denominator) for c in L.poly])
    g = p.gcd(q)
    r = L
    while True:
        # L^2 <= r.hi: a root of q above r.hi is above L^2 (checked again after each
        # refinement: a root of q in (L^2, r.hi] of the coarser interval is above the finer r.hi)
        if _count_above(q, r.hi) > 0:
            return False
        if r.lo == r.hi:
            return True
        n = _count_above(q, r.lo) - _count_above(q, r.hi)  # roots of q in (lo, hi]
        if n == 0:
            return True
        # p has L^2 as its only root in [lo, hi], so g has a root there iff q(L^2) = 0
        shared = g.degree() > 0 and _count_above(g, r.lo) - _count_above(g, r.hi) == 1
        if shared and n == 1:
            return True
        r = r.refine((r.hi - r.lo) / 4)


def _l2_greater(A: Matrix, B: Matrix) -> bool:
    """Whether ``||A||_2 > ||B||_2``."""
    return not _l2_at_most(A, _largest_root(_gram_poly(B)))


# ---------------------------------------------------------------------- result
@dataclass(frozen=True, slots=True)
class LipschitzResult:
    """The exact constant (a Fraction, or a :class:`SquaredRoot` for ``l2``), a witness and the certificate."""

    value: Fraction | SquaredRoot
    norm: str
    witness: tuple[Fraction, ...]
    witness_box: tuple[tuple[Fraction, Fraction], ...]
    certificate: dict[str, Any]
    stats: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "norm": self.norm,
            "value": _value_json(self.value),
            "approx": float(self.value),
            "witness": [format_rational(v) for v in self.witness],
            "stats": self.stats,
        }

    def write_certificate(self, path: str | os.PathLike[str]) -> None:
        """Write the certificate atomically."""
        write_certificate(self.certificate, path)


def _value_json(value: Fraction | SquaredRoot) -> Any:
    if isinstance(value, SquaredRoot):
        return {
            "squared": {
                "poly": [format_rational(c) for c in value.poly],
                "interval": [format_rational(value.lo), format_rational(value.hi)],
            }
        }
    return format_rational(value)


def lipschitz_constant(
    net: ReLUNetwork,
    norm: str = "linf",
    domain: object = None,
    *,
    precision: object = Fraction(1, 2**32),
    max_cells: int | None = 100_000,
    max_branches: int | None = 100_000,
    max_seconds: float | None = None,
    precision_bits: int = DEFAULT_PRECISION_BITS,
    max_cases: int = 256,
    bound_rule: str | None = None,
) -> LipschitzResult:
    """The exact Lipschitz constant of ``net`` over a box or a polytope for the ``linf``, ``l1`` or ``l2`` norm.

    The constant is ``max ||A_R||`` over the regions ``R`` of ``net`` whose intersection with
    the domain is full-dimensional: the smallest ``L`` with ``||f(x) - f(y)|| <= L ||x - y||``
    for all ``x, y`` in the domain.

    Parameters
    ----------
    net
        The network.
    norm
        The same norm on inputs and outputs: ``"linf"``, ``"l1"`` or ``"l2"``.
    domain
        A box: ``(lo, hi)`` for ``[lo, hi]^d`` or ``d`` pairs, or a bounded full-dimensional
        :class:`~relu_geom.Polyhedron` (as for :func:`~relu_geom.output_range`).  Required:
        the certificate covers a bounded set.
    precision
        ``l2`` only: the width of the isolating interval of ``L^2``.
    max_cells, max_branches, max_seconds
        Limits of the compilation and of the proof search.
    max_cases
        The most cases (``2^T`` for ``T`` enumerated neurons) of one ``jacobian`` leaf; ``1``
        still allows plain interval leaves, ``0`` none (every leaf then fixes every neuron).
    bound_rule
        The bound rule of the tree (``question.bound_rule``): ``"forward"``, ``"backward"``
        (more neurons stable on each leaf of a deep network), or None for backward from
        three hidden layers on.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[1, 1]], [[1]]], [[0], [0]])  # ReLU(x1 + x2)
    >>> rg.lipschitz_constant(net, "linf", (-1, 1)).value, rg.lipschitz_constant(net, "l1", (-1, 1)).value
    (Fraction(2, 1), Fraction(1, 1))
    >>> L = rg.lipschitz_constant(net, "l2", (-1, 1)).value
    >>> L.lo <= 2 <= L.hi  # L = sqrt(2)
    True
    >>> P = rg.Polyhedron.from_hrep([(1, 1, -1), (-1, 0, 1), (0, -1, 1)])  # x1 + x2 <= -1, x >= -1
    >>> rg.lipschitz_constant(net, "linf", P).value  # f = 0 there
    Fraction(0, 1)

    One ``jacobian`` leaf covers the box for ``2 ReLU(x1 + x2) + ReLU(x1 - x2)``: with both
    neurons' derivatives in ``[0, 1]`` the interval bound (``l1``: the largest gradient entry)
    is 3, the value; for ``linf`` (interval bound 5 > 4) the leaf enumerates both neurons
    (four cases):

    >>> two = rg.ReLUNetwork([[[1, 1], [1, -1]], [[2, 1]]], [[0, 0], [0]])
    >>> res = rg.lipschitz_constant(two, "l1", (-1, 1))
    >>> res.value, res.certificate["evidence"]["proof"]
    (Fraction(3, 1), {'leaf': 'jacobian'})
    >>> rg.lipschitz_constant(two, "linf", (-1, 1)).certificate["evidence"]["proof"]
    {'leaf': 'jacobian', 'cases': [[1, 0], [1, 1]]}
    """
    net = as_network(net, what="net")
    check_search_limits(max_seconds=max_seconds, max_branches=max_branches, precision_bits=precision_bits)
    bounds_rule = resolve_bound_rule(net, bound_rule)
    from relu_geom.compiler import compile_network

    if norm not in ("linf", "l1", "l2"):
        raise InvalidInputError(f"norm: expected 'linf', 'l1' or 'l2', got {short_repr(norm)}")
    if isinstance(max_cases, bool) or not isinstance(max_cases, int) or max_cases < 0:
        raise InvalidInputError(f"max_cases: expected a non-negative integer, got {short_repr(max_cases)}")
    if domain is None:
        raise UnsupportedInputError("domain: a bounded box or polytope is needed (the certificate covers it)")
    d = net.input_dim
    box, rows = parse_domain_box(domain, d)
    if isinstance(domain, Polyhedron):
        if domain.dim != d:
            raise InvalidInputError(
                f"domain: the polytope must be full-dimensional (dimension {domain.dim} < {d})"
            )
        where: Any = domain
    elif any(lo >= hi for lo, hi in box):
        raise InvalidInputError("domain: the box must be full-dimensional")
    else:
        where = [list(p) for p in box]
    zero_y = (Fraction(0),) * net.output_dim
    row_forms = tuple(Form(p, zero_y, c) for p, c in rows)
    start = time.monotonic()
    cx = compile_network(net, domain=where, max_cells=max_cells)
    compiled = time.monotonic() - start
    best = None
    for cell in cx.regions:
        A = cell.affine_map[0]
        if best is None:
            best = (cell, A)
        elif norm == "l2":
            if _l2_greater(A, best[1]):
                best = (cell, A)
        elif operator_norm(A, norm) > operator_norm(best[1], norm):
            best = (cell, A)
    assert best is not None
    cell, A_best = best
    if norm == "l2":
        value: Fraction | SquaredRoot = _exact_if_rational(
            _largest_root(_gram_poly(A_best)).refine(Fraction(precision))  # type: ignore[call-overload]
        )

        def accept(A: Matrix) -> bool:
            return _l2_at_most(A, value)  # type: ignore[arg-type]
    else:
        value = operator_norm(A_best, norm)

        def accept(A: Matrix) -> bool:
            return operator_norm(A, norm) <= value

    x = cell.interior_point
    wbox = _witness_box(net, x, box, A_best, precision_bits, bounds_rule)
    rule = _JacobianRule(net, norm, value, max_cases)
    tree, stats = _pattern_tree(net, box, row_forms, accept, rule, precision_bits, max_branches, max_seconds, bounds_rule)
    seconds = time.monotonic() - start
    stats["seconds"] = round(seconds, 3)
    stats["compile_seconds"] = round(compiled, 3)
    stats["regions"] = cx.n_regions
    question = {
        "precision_bits": precision_bits,
        "box": [[format_rational(a), format_rational(b)] for a, b in box],
        "input_rows": [form_to_json(f, d) for f in row_forms],
        "norm": norm,
        **rule_key(bounds_rule),
    }
    evidence = {
        "value": _value_json(value),
        "witness": {
            "x": [format_rational(v) for v in x],
            "box": [[format_rational(a), format_rational(b)] for a, b in wbox],
        },
        "proof": tree,
    }
    cert = envelope("lipschitz", net, question, "value", evidence, seconds)
    return LipschitzResult(value, norm, tuple(x), wbox, cert, stats)


def _output_matrix(net: ReLUNetwork, phases) -> Matrix:
    _, out = _pattern_maps(net, phases)
    d = net.input_dim
    return tuple(tuple(row[:d]) for row in out)


def _witness_box(net, x, box, A_best, bits, bound_rule):
    """A box around ``x`` on which the bound rule fixes every phase and the map is ``A_best``."""
    delta = min(hi - lo for lo, hi in box) / 4
    for _ in range(200):
        w = tuple((v - delta, v + delta) for v in x)
        eb = exact_bounds(net, w, bits=bits, rule=bound_rule)
        if eb.all_phased and _output_matrix(net, eb.phases) == A_best:
            return w
        delta /= 2
    raise LimitExceededError("lipschitz: no witness box fixes the pattern of the maximizing region")


def _leaf_rows(net, rows: tuple[Form, ...], phases) -> tuple[list[Any], list[Any], list[Any]]:
    """``A x <= b`` for the phase rows of the pattern and the input rows, with their keys."""
    A, b, keys = _pattern_rows(net, phases, net.input_dim)
    for k, f in enumerate(rows):
        A.append(list(f.p))
        b.append(-f.c)
        keys.append(("input", k))
    return A, b, keys


def _empty_leaf(net, box, rows: tuple[Form, ...], phases) -> dict[str, Any] | None:
    """An ``lp`` leaf proving that ``box``, the input rows and the full pattern ``phases`` have
    no common point (an exact Farkas combination), or None when they meet."""
    d = net.input_dim
    A, b, keys = _leaf_rows(net, rows, phases)
    res = solve_lp([0] * d, A, b, bounds=list(box))
    if res.status != "infeasible":
        return None
    assert res.y_ub is not None
    coef = [Fraction(0)] * d
    const = Fraction(0)
    groups: dict[str, list[Any]] = {"phase": [], "input": []}
    for y, row, rhs, (kind, key) in zip(res.y_ub, A, b, keys):
        if y:
            for i, v in enumerate(row):
                coef[i] -= y * v
            const += y * rhs
            groups[kind].append([key, format_rational(y)])
    if max_over_box(coef, const, box) >= 0:  # pragma: no cover - solve_lp re-checks its certificate
        raise AssertionError("the Farkas combination does not separate the leaf")
    return {"leaf": "lp", "lambda": groups}


def _thin_leaf(net, box, rows: tuple[Form, ...], phases) -> dict[str, Any] | None:
    """An ``lp`` leaf proving that the full pattern ``phases`` meets ``box`` and the input rows
    in a set without interior points (its ``max psi`` is 0, with weight on a row that is not
    identically zero), or None when the set has an interior point.

    The exact LP ``max t`` subject to ``g_i(x) + t <= 0`` for every row ``g_i`` that is not
    identically zero, ``t <= 1`` and ``x`` in the box has ``t* <= 0`` exactly when no point
    of the open box makes every such row negative; its row duals ``y >= 0`` then sum to 1
    and give ``max_box psi <= t* <= 0`` for ``psi = -sum y_i g_i``."""
    d = net.input_dim
    A, b, keys = _leaf_rows(net, rows, phases)
    kept = [i for i, (row, rhs) in enumerate(zip(A, b)) if any(row) or rhs]
    res = solve_lp(
        [0] * d + [1],
        [list(A[i]) + [1] for i in kept],
        [b[i] for i in kept],
        bounds=list(box) + [(None, Fraction(1))],
        maximize=True,
    )
    if res.status != "optimal" or res.value is None or res.value > 0:
        return None
    assert res.y_ub is not None
    coef = [Fraction(0)] * d
    const = Fraction(0)
    groups: dict[str, list[Any]] = {"phase": [], "input": []}
    for y, i in zip(res.y_ub, kept):
        if y:
            for j, v in enumerate(A[i]):
                coef[j] -= y * v
            const += y * b[i]
            kind, key = keys[i]
            groups[kind].append([key, format_rational(y)])
    if max_over_box(coef, const, box) > 0 or not any(y for y in res.y_ub):  # pragma: no cover - LP duality
        raise AssertionError("the dual combination does not bound the leaf")
    return {"leaf": "lp", "lambda": groups}


def _pattern_tree(net, box, rows, accept, rule, bits, max_branches, max_seconds, bound_rule):
    """A tree over ``box`` whose ``pattern`` leaves pass ``accept``, whose ``jacobian`` leaves
    pass ``rule`` and whose ``lp`` leaves miss the input rows."""
    d = net.input_dim
    deadline = None if max_seconds is None else time.monotonic() + max_seconds
    root: dict[str, Any] = {}
    stack = [(tuple(box), {}, root, 0)]
    stats = {"branches": 0, "pattern_leaves": 0, "jacobian_leaves": 0, "lp_leaves": 0, "empty_leaves": 0}
    while stack:
        if max_branches is not None and stats["branches"] >= max_branches:
            raise LimitExceededError(f"lipschitz: more than {max_branches} branches")
        if deadline is not None and time.monotonic() > deadline:
            raise LimitExceededError(f"lipschitz: time limit of {max_seconds} s reached")
        b, fixed, tree, depth = stack.pop()
        eb = exact_bounds(net, b, fixed, bits=bits, rule=bound_rule)
        if eb.empty:
            tree["leaf"] = "pattern"
            stats["empty_leaves"] += 1
            continue
        unstable = eb.unstable()
        if not unstable:
            if accept(_output_matrix(net, eb.phases)):
                tree["leaf"] = "pattern"
                stats["pattern_leaves"] += 1
                continue
            # a pattern above the value misses the domain (an lp leaf with max psi < 0) or meets
            # it in a set without interior (a polytope's face, or in a degenerate network several
            # bent hyperplanes through one point: an lp leaf with max psi = 0)
            leaf = _empty_leaf(net, b, rows, eb.phases) or _thin_leaf(net, b, rows, eb.phases)
            if leaf is not None:
                tree.update(leaf)
                stats["lp_leaves"] += 1
                continue
            raise AssertionError(  # pragma: no cover - the value is the maximum over the full-dimensional regions
                "lipschitz: a full-dimensional pattern exceeds the value"
            )
        else:
            cases = rule.cases(eb)
            if cases is not None:
                tree["leaf"] = "jacobian"
                if cases:
                    tree["cases"] = [list(n) for n in cases]
                stats["jacobian_leaves"] += 1
                continue
        stats["branches"] += 1
        # neuron splits (after 2 d input splits) lead to full patterns.  With jacobian leaves
        # they are kept for leaves with few unstable neurons (at most d, as at a vertex; at most
        # the enumerable number for the lp leaves of a polytope): where an interval bound stays
        # above the value (a pattern that the box only seemingly realizes, or the l2 bound of
        # a matrix with several rows), input splits alone need not end.  Elsewhere input splits
        # tighten every bound and a neuron split none of its own layer.  Past DEEP_SPLITS
        # splits per input the leaf surrounds a point where more than d neurons vanish (a
        # degenerate network): neuron splits then end the branch (a full pattern passes, or is
        # excluded by an lp leaf, or meets the box in a lower-dimensional set only: a thin lp
        # leaf) instead of endless halvings.
        few = rule.max_t if rows else d
        neuron = None
        deep = depth >= DEEP_SPLITS * d
        if unstable and depth >= 2 * d and (not rule.on or len(unstable) <= few or deep):
            neuron = unstable[0]
        push_split(stack, tree, b, fixed, depth, neuron)
    return root, stats


# ------------------------------------------------------------ jacobian leaves
class _JacobianRule:
    """The ``jacobian`` leaf of ``docs/certificates.md``: on a leaf with phases ``s``, every
    region meeting it has ``A = W_{L+1} D_L ... D_1 W_1`` with ``D_l`` diagonal, ``1`` / ``0``
    for the phases ``+1`` / ``-1`` and ``0`` or ``1`` for an unstable neuron; an entrywise
    interval of those products is formed backwards from the output, exactly, for each of the
    ``2^T`` assignments of ``T`` chosen unstable neurons (the others in ``[0, 1]``), and its
    norm bound must be at most the value.  For ``l2`` a case whose Frobenius / ``B_1 B_inf``
    bound is above ``L^2`` still passes by the spectral test: ``a I - M M^T`` (or ``M^T M``)
    positive semidefinite for ``M = max(|lo|, |hi|)`` and the lower end ``a`` of ``L^2``'s
    interval (:func:`is_psd_integer`).  A float64 run of the same computation (its spectral norm by
    SVD) chooses ``T`` and the neurons; only the exact run decides.
    """

    def __init__(self, net: ReLUNetwork, norm: str, value: Fraction | SquaredRoot, max_cases: int):
        self.norm = norm
        self.value = value
        self.on = max_cases >= 1
        self.max_t = max(max_cases, 1).bit_length() - 1
        exact = []
        floats = []
        den = 1
        for w in net.weights:
            dw = math.lcm(*(v.denominator for row in w for v in row))
            ints = np.array([[int(v * dw) for v in row] for row in w], dtype=object)
            exact.append((np.maximum(ints, 0), np.minimum(ints, 0)))
            fw = np.array([[float(v) for v in row] for row in w])
            floats.append((np.maximum(fw, 0), np.minimum(fw, 0), np.abs(fw)))
            den *= dw
        self.exact, self.floats, self.den = exact, floats, den
        lf = float(value)
        # the float guide only picks the cases to try, with a margin of 2^-30 (never a verdict:
        # the exact run of the rule decides every leaf)
        self.limit = (lf * lf if norm == "l2" else lf) * (1 + 2.0**-30)

    def cases(self, eb: ExactBounds) -> list[tuple[int, int]] | None:
        """The enumerated neurons of a ``jacobian`` leaf that passes, or None."""
        if not self.on:
            return None
        phases = eb.phases
        unstable = eb.unstable()
        order = self._ranked(phases, unstable)[: self.max_t]
        # more cases never loosen the bound (each case's interval lies in the hull's): try
        # none, then all, then the fewest that pass (bisection), by the float64 guide
        if self._float_ok(phases, []):
            return self._exact(phases, [], order)
        if not order or not self._float_ok(phases, order):
            return None
        lo_t, hi_t = 0, len(order)  # fails at lo_t, passes at hi_t
        while hi_t - lo_t > 1:
            mid = (lo_t + hi_t) // 2
            if self._float_ok(phases, order[:mid]):
                hi_t = mid
            else:
                lo_t = mid
        return self._exact(phases, order[:hi_t], order)

    def _float_ok(self, phases, chosen) -> bool:
        lo, hi = _interval_products(self.floats, phases, chosen, 0.0)
        bounds = _case_bounds(lo, hi, self.norm)
        if self.norm == "l2" and bounds.max() > self.limit:
            # the spectral test's guide: ||M||_2^2 by SVD, per case
            mag = np.maximum(np.abs(lo), np.abs(hi))
            bounds = np.minimum(bounds, np.linalg.norm(mag, ord=2, axis=(1, 2)) ** 2)
        return bool(bounds.max() <= self.limit)

    def _exact(self, phases, chosen, order) -> list[tuple[int, int]] | None:
        """``chosen`` if the exact rule passes with it, else all of ``order`` if that passes."""
        for cases in (chosen, order) if len(chosen) < len(order) else (chosen,):
            lo, hi = _interval_products(self.exact, phases, cases, 0)
            if self._exact_ok(lo, hi):
                return list(cases)
        return None

    def _exact_ok(self, lo, hi) -> bool:
        """Whether every case passes the exact rule: its norm bound at most the value or, for
        ``l2``, the spectral test: at the lower end of ``L^2``'s interval (positive
        semidefinite, in integers) or else at ``L^2`` itself (no eigenvalue of ``M^T M``
        above ``L^2``, by root counting)."""
        bounds = _case_bounds(lo, hi, self.norm)
        scale = self.den * self.den if self.norm == "l2" else self.den
        if self._admits(Fraction(int(bounds.max()), scale)):
            return True
        v = self.value
        if not isinstance(v, SquaredRoot):
            return False
        mag = np.maximum(np.abs(lo), np.abs(hi))
        for case, bound in enumerate(bounds):
            if self._admits(Fraction(int(bound), scale)):
                continue
            ints = [[int(a) for a in row] for row in mag[case]]
            if _spectral_ok(ints, self.den, v.lo):
                continue
            # at L^2 itself: ||M||_2 <= L, the Gram polynomial of M has no root above L^2
            if not _l2_at_most(tuple(tuple(Fraction(a, self.den) for a in row) for row in ints), v):
                return False
        return True

    def _admits(self, bound: Fraction) -> bool:
        v = self.value
        if not isinstance(v, SquaredRoot):
            return bound <= v
        if bound <= v.lo:
            return True
        if bound > v.hi:
            return False
        p = flint.fmpq_poly([flint.fmpq(c.numerator, c.denominator) for c in v.poly])
        # the one root of the square-free poly in [lo, hi] is at least bound
        return _sign(p, bound) == 0 or _count_above(p, bound) - _count_above(p, v.hi) == 1

    def _ranked(self, phases, unstable: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """The unstable neurons by a float64 estimate of their share in the interval's width:
        the largest |weight path| into the neuron times the largest out of it."""
        layers = self.floats
        into = []  # |W_l| diag(mask) ... |W_1| row sums, per hidden layer
        cur = layers[0][2]
        for layer in range(len(phases)):
            into.append(cur.sum(axis=1))
            mask = np.array([0.0 if s < 0 else 1.0 for s in phases[layer]])
            cur = layers[layer + 1][2] @ (mask[:, None] * cur)
        out: list[np.ndarray] = [np.empty(0)] * len(phases)
        back = layers[-1][2]
        for layer in range(len(phases), 0, -1):
            out[layer - 1] = back.sum(axis=0)
            mask = np.array([0.0 if s < 0 else 1.0 for s in phases[layer - 1]])
            back = (back * mask[None, :]) @ layers[layer - 1][2]
        score = {(la, j): float(into[la - 1][j] * out[la - 1][j]) for la, j in unstable}
        return sorted(unstable, key=lambda n: (-score[n], n))


def _interval_products(layers, phases, cases, zero):
    """``lo, hi`` of shape ``(2^T, m, d)``: for each assignment of ``cases``, an entrywise
    interval of every ``W_{L+1} D_L ... D_1 W_1`` the phases allow, in units of the product
    of the layers' denominators (exact for object arrays of integers and ``zero = 0``, in
    float64 for ``zero = 0.0``)."""
    kind = float if isinstance(zero, float) else object
    pos, neg = layers[-1][0], layers[-1][1]
    lo = (pos + neg)[None, :, :]
    hi = lo
    for layer in range(len(phases), 0, -1):
        ph = phases[layer - 1]
        mine = [j for la, j in cases if la == layer]
        hull = [j for j, s in enumerate(ph) if s == 0 and j not in mine]
        dead = [j for j, s in enumerate(ph) if s < 0]
        if dead:
            lo = lo.copy()
            hi = hi.copy()
            lo[:, :, dead] = zero
            hi[:, :, dead] = zero
        if mine:
            n = len(mine)
            masks = np.ones((1 << n, len(ph)), dtype=kind)
            masks[:, mine] = np.array([[(b >> i) & 1 for i in range(n)] for b in range(1 << n)], dtype=kind)
            # every state times every assignment of this layer's cases (state-major)
            s, m, w = lo.shape
            lo = (lo[:, None, :, :] * masks[None, :, None, :]).reshape(s << n, m, w)
            hi = (hi[:, None, :, :] * masks[None, :, None, :]).reshape(s << n, m, w)
        if hull:
            lo = lo.copy()
            hi = hi.copy()
            lo[:, :, hull] = np.minimum(lo[:, :, hull], zero)
            hi[:, :, hull] = np.maximum(hi[:, :, hull], zero)
        wp, wn = layers[layer - 1][0], layers[layer - 1][1]
        s, m, w = lo.shape
        flat_lo, flat_hi = lo.reshape(s * m, w), hi.reshape(s * m, w)
        lo = (flat_lo @ wp + flat_hi @ wn).reshape(s, m, -1)
        hi = (flat_hi @ wp + flat_lo @ wn).reshape(s, m, -1)
    return lo, hi


def _case_bounds(lo, hi, norm: str):
    """Each case's bound of ``||A||`` (``l2``: of ``||A||_2^2``) over the intervals, in units of
    the denominator (``l2``: its square): an array of length ``2^T``."""
    mag = np.maximum(np.abs(lo), np.abs(hi))
    b_inf = mag.sum(axis=2).max(axis=1)
    b_1 = mag.sum(axis=1).max(axis=1)
    if norm == "linf":
        return b_inf
    if norm == "l1":
        return b_1
    return np.minimum((mag * mag).sum(axis=(1, 2)), b_inf * b_1)


def _spectral_ok(mag: list[list[int]], den: int, t: Fraction) -> bool:
    """Whether ``||M||_2^2 <= t`` is proved by ``t I - M M^T`` (or ``M^T M``, the smaller)
    being positive semidefinite, for the integer matrix ``mag = den M``: exactly, on the
    integer matrix ``p den^2 I - q den^2 M M^T`` with ``t = p / q``."""
    if mag and len(mag[0]) < len(mag):
        mag = [list(col) for col in zip(*mag)]
    diag = t.numerator * den * den
    q = t.denominator
    S = [[(diag if i == j else 0) - q * sum(a * b for a, b in zip(ri, rj)) for j, rj in enumerate(mag)]
         for i, ri in enumerate(mag)]
    return is_psd_integer(S)


def is_psd_integer(S: list[list[int]]) -> bool:
    """Whether the symmetric integer matrix ``S`` is positive semidefinite, exactly.

    Fraction-free symmetric elimination (Bareiss) on the diagonal.  A negative pivot refutes;
    a zero pivot requires its row of the remaining matrix to be zero (a PSD matrix with a
    zero diagonal entry has a zero row) and is skipped; a positive pivot ``p`` replaces the
    rest by its Schur complement times ``p`` (divided exactly by the previous pivot: the
    entries stay minors of ``S``), which is PSD iff the matrix is.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.certify.lipschitz import is_psd_integer
    >>> is_psd_integer([[20, -20], [-20, 20]]), is_psd_integer([[0, 1], [1, 5]])
    (True, False)
    """
    rows = [list(r) for r in S]
    n = len(rows)
    prev = 1
    for k in range(n):
        p = rows[k][k]
        if p < 0:
            return False
        if p == 0:
            if any(rows[k][k + 1 :]):
                return False
            continue
        rk = rows[k]
        for i in range(k + 1, n):
            ri = rows[i]
            f = ri[k]
            for j in range(k + 1, n):
                ri[j] = (p * ri[j] - f * rk[j]) // prev
        prev = p
    return True
