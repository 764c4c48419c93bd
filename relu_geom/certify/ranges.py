"""Exact output ranges over a box or a bounded polyhedron, with attaining points and proofs."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from relu_geom._util import short_repr
from relu_geom.arith.lp import solve_lp
from relu_geom.arith.rational import as_point, format_rational, to_rational
from relu_geom.certify.bab import Form, Goal, SearchOutcome, branch_and_bound, form_to_json
from relu_geom.certify.bounds import (
    DEFAULT_PRECISION_BITS,
    check_search_limits,
    resolve_bound_rule,
    rule_key,
)
from relu_geom.certify.certificate import envelope, write_certificate
from relu_geom.compiler.entry import as_network
from relu_geom.errors import DimensionMismatchError, InvalidInputError, LimitExceededError
from relu_geom.geometry import Polyhedron
from relu_geom.network import ReLUNetwork

__all__ = ["OutputRange", "Range", "output_range", "parse_domain_box"]

Box = tuple[tuple[Fraction, Fraction], ...]


@dataclass(frozen=True, slots=True)
class Range:
    """The exact range ``[min, max]`` of one objective with points attaining both ends."""

    min: Fraction
    max: Fraction
    argmin: tuple[Fraction, ...]
    argmax: tuple[Fraction, ...]


@dataclass(frozen=True, slots=True)
class OutputRange:
    """The answer of :func:`output_range`: one :class:`Range` per objective and the certificate."""

    ranges: tuple[Range, ...]
    certificate: dict[str, Any]
    stats: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "ranges": [
                {
                    "min": format_rational(r.min),
                    "max": format_rational(r.max),
                    "argmin": [format_rational(v) for v in r.argmin],
                    "argmax": [format_rational(v) for v in r.argmax],
                }
                for r in self.ranges
            ],
            "stats": self.stats,
        }

    def write_certificate(self, path: str | os.PathLike[str]) -> None:
        """Write the certificate atomically."""
        write_certificate(self.certificate, path)


def parse_domain_box(domain: object, d: int) -> tuple[Box, tuple[tuple[tuple[Fraction, ...], Fraction], ...]]:
    """``(box, rows)`` of a domain: a pair ``(lo, hi)`` for ``[lo, hi]^d``, ``d`` pairs, or a
    bounded :class:`~relu_geom.Polyhedron` (its bounding box and its constraints as rows
    ``a.x - b <= 0``)."""
    if isinstance(domain, Polyhedron):
        if domain.ambient_dim != d:
            raise DimensionMismatchError(
                f"domain: expected a polyhedron in R^{d}, got R^{domain.ambient_dim}"
            )
        if domain.is_empty or not domain.is_bounded:
            raise InvalidInputError("domain: expected a non-empty bounded polyhedron")
        vs = domain.vertices
        box = tuple((min(v[i] for v in vs), max(v[i] for v in vs)) for i in range(d))
        rows = []
        for r in domain.inequalities:
            rows.append((tuple(Fraction(a) for a in r[:d]), Fraction(-r[d])))
        for r in domain.equalities:
            rows.append((tuple(Fraction(a) for a in r[:d]), Fraction(-r[d])))
            rows.append((tuple(Fraction(-a) for a in r[:d]), Fraction(r[d])))
        return box, tuple(rows)
    if isinstance(domain, (tuple, list)) and len(domain) == 2 and not isinstance(domain[0], (tuple, list)):
        lo, hi = to_rational(domain[0], what="domain"), to_rational(domain[1], what="domain")
        pairs = [(lo, hi)] * d
    elif isinstance(domain, (tuple, list)):
        if not all(isinstance(p, (tuple, list)) and len(p) == 2 for p in domain):
            raise InvalidInputError(
                f"domain: expected (lo, hi) or a list of (lo, hi) pairs, got {short_repr(domain)}"
            )
        pairs = [(to_rational(p[0], what="domain"), to_rational(p[1], what="domain")) for p in domain]
        if len(pairs) != d:
            raise DimensionMismatchError(f"domain: expected {d} pairs, got {len(pairs)}")
    else:
        raise InvalidInputError(
            f"domain: expected (lo, hi), a list of pairs or a Polyhedron, got {short_repr(domain)}"
        )
    if any(lo > hi for lo, hi in pairs):
        raise InvalidInputError("domain: a pair with lo > hi")
    return tuple(pairs), ()


def _objectives(objective: object, m: int) -> list[tuple[tuple[Fraction, ...], Fraction]]:
    if objective is None:
        return [(tuple(Fraction(int(i == j)) for j in range(m)), Fraction(0)) for i in range(m)]
    if isinstance(objective, tuple) and len(objective) == 2 and isinstance(objective[0], (list, tuple)):
        q, c0 = objective
    else:
        q, c0 = objective, 0
    return [(as_point(q, m, what="objective"), to_rational(c0, what="objective"))]


def _start_point(box: Box, rows) -> tuple[Fraction, ...]:
    if not rows:
        return tuple((lo + hi) / 2 for lo, hi in box)
    res = solve_lp([0] * len(box), [list(p) for p, _ in rows], [-c for _, c in rows], bounds=list(box))
    if res.status != "optimal" or res.x is None:
        raise InvalidInputError("domain: the input set is empty")
    return res.x


def _search(goal: Goal, floor: Fraction, limits: dict[str, Any]) -> SearchOutcome:
    out = branch_and_bound(goal, maximize=True, floor=floor, **limits)
    if out.status != "proved":
        raise LimitExceededError(f"output_range: {out.reason} (open bound gap {out.gap})")
    return out


def output_range(
    net: ReLUNetwork,
    domain: object,
    objective: object = None,
    *,
    max_seconds: float | None = None,
    max_branches: int | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
    precision_bits: int = DEFAULT_PRECISION_BITS,
    bound_rule: str | None = None,
) -> OutputRange:
    """The exact minimum and maximum of ``q.f(x) + c0`` over a domain, with proofs.

    Parameters
    ----------
    net
        The network.
    domain
        ``(lo, hi)`` for the box ``[lo, hi]^d``, a list of ``d`` pairs, or a bounded
        :class:`~relu_geom.Polyhedron`.
    objective
        A vector ``q``, a pair ``(q, c0)``, or None for every output coordinate.
    max_seconds, max_branches
        Limits per search (:class:`~relu_geom.LimitExceededError` beyond them).
    bound_rule
        ``"forward"``, ``"backward"`` (back-substitution as well: tighter bounds on deep
        networks, more work per node) or None (``"backward"`` from three hidden layers
        on); recorded in the certificate's question.

    Returns
    -------
    OutputRange
        Exact ranges with attaining points and a ``relu-geom/certificate@1`` certificate.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[1], [-1]], [[1, 1]]], [[0, 0], [0]])  # |x|
    >>> r = rg.output_range(net, (-1, 2)).ranges[0]
    >>> r.min, r.max, r.argmax
    (Fraction(0, 1), Fraction(2, 1), (Fraction(2, 1),))
    """
    net = as_network(net, what="net")
    check_search_limits(max_seconds=max_seconds, max_branches=max_branches, precision_bits=precision_bits)
    d, m = net.input_dim, net.output_dim
    box, rows = parse_domain_box(domain, d)
    objectives = _objectives(objective, m)
    rule = resolve_bound_rule(net, bound_rule)
    start = time.monotonic()
    x0 = _start_point(box, rows)
    y0 = net(x0)
    zero_v = (Fraction(0),) * d
    zero_y = (Fraction(0),) * m
    row_forms = tuple(Form(p, zero_y, c) for p, c in rows)
    limits = {
        "bits": precision_bits,
        "rule": rule,
        "max_seconds": max_seconds,
        "max_branches": max_branches,
        "progress": progress,
    }
    stats: dict[str, Any]
    ranges, evidence, stats = [], [], {"branches": 0}
    for q, c0 in objectives:
        g = Form(zero_v, q, c0)
        neg = Form(zero_v, tuple(-v for v in q), -c0)
        g0 = g.value(x0, y0)
        hi = _search(Goal(net, box, row_forms, (), g, False), g0, limits)
        lo = _search(Goal(net, box, row_forms, (), neg, False), -g0, limits)
        argmax = hi.point if hi.point is not None else x0
        argmin = lo.point if lo.point is not None else x0
        M, mn = hi.value, -lo.value  # type: ignore[operator]
        assert g.value(argmax, net(argmax)) == M and g.value(argmin, net(argmin)) == mn
        ranges.append(Range(mn, M, tuple(argmin), tuple(argmax)))
        evidence.append(
            {
                "min": format_rational(mn),
                "argmin": [format_rational(v) for v in argmin],
                "min_proof": lo.tree,
                "max": format_rational(M),
                "argmax": [format_rational(v) for v in argmax],
                "max_proof": hi.tree,
            }
        )
        for out in (hi, lo):
            for key, v in out.stats.items():
                stats[key] = stats.get(key, 0) + v
    seconds = time.monotonic() - start
    stats["seconds"] = round(seconds, 3)
    question = {
        "precision_bits": precision_bits,
        **rule_key(rule),
        "box": [[format_rational(a), format_rational(b)] for a, b in box],
        "input_rows": [form_to_json(f, d) for f in row_forms],
        "objectives": [
            {"y": [format_rational(v) for v in q], "c": format_rational(c0)} for q, c0 in objectives
        ],
    }
    cert = envelope("output_range", net, question, "range", {"ranges": evidence}, seconds)
    return OutputRange(tuple(ranges), cert, stats)
