"""Exact robustness radii of classifiers for the l-infinity, l1 and (squared) l2 norms, with proofs.

The radius at ``x0`` for the label ``c`` is ``r* = min { ||x - x0|| : f_j(x) >= f_c(x) for some
j != c }`` (ties count as a change of class).  For each ``j`` a maximization over an auxiliary
distance variable finds the exact nearest point, and a proof tree per class shows that no
point closer than ``r*`` reaches a tie (``docs/certificates.md``, claim ``robustness``).

For l2 (``method="exact"``, the default) the squared radius is a rational, computed exactly:
a tree of input and neuron splits covers the box ``x0 ± s`` with leaves on which every
neuron has a phase, and on each leaf and each other class ``j`` the squared distance from
``x0`` to the polyhedron {leaf box, the pattern's phase rows, ``f_c - f_j <= 0``} is an exact
convex quadratic program (:func:`relu_geom.arith.qp.project`); the minimum over the leaves is
``r_2^2`` when it is at most ``s^2`` (else ``s`` grows four-fold).  The certificate (claim
``robustness_l2``) holds the nearest point and, per leaf and class, the dual multipliers
whose bound ``lam.(A x0 - b) - ||A^T lam||^2 / 4`` is at least ``r_2^2``.

``method="bounds"`` keeps the enclosure from the l-infinity and l1 radii: the l2 ball of
radius ``rho`` lies in the l-infinity ball of radius ``rho`` and in the l1 ball of radius
``sqrt(d) rho``, so ``r_2^2 >= max(r_inf^2, r_1^2 / d)`` (proved by their certificates);
each of their nearest points changes the class, so ``r_2^2`` is at most the smaller squared
l2 distance of the two (a rational).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from relu_geom._util import short_repr
from relu_geom.arith.qp import dual_bound, project
from relu_geom.arith.rational import as_point, format_rational, to_rational
from relu_geom.certify.bab import Form, Goal, _pattern_maps, _pattern_rows, branch_and_bound, push_split
from relu_geom.certify.bounds import (
    DEFAULT_PRECISION_BITS,
    check_search_limits,
    exact_bounds,
    resolve_bound_rule,
    rule_key,
)
from relu_geom.certify.certificate import envelope, write_certificate
from relu_geom.compiler.entry import as_network
from relu_geom.errors import InvalidInputError, LimitExceededError
from relu_geom.network import ReLUNetwork

__all__ = ["L2RobustnessResult", "RobustnessResult", "robustness_goal", "robustness_radius"]


@dataclass(frozen=True, slots=True)
class RobustnessResult:
    """The exact radius, a nearest point of another class (or a tie), and the certificate."""

    radius: Fraction
    x: tuple[Fraction, ...]
    label: int
    cls: int
    certificate: dict[str, Any]
    stats: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "radius": format_rational(self.radius),
            "x": [format_rational(v) for v in self.x],
            "label": self.label,
            "class": self.cls,
            "stats": self.stats,
        }

    def write_certificate(self, path: str | os.PathLike[str]) -> None:
        """Write the certificate atomically."""
        write_certificate(self.certificate, path)


@dataclass(frozen=True, slots=True)
class L2RobustnessResult:
    """Exact bounds ``lower_squared <= r_2^2 <= upper_squared`` of the squared l2 radius.

    ``x`` changes the class (``cls`` ties or beats ``label``) at squared l2 distance
    ``upper_squared``.  With ``method="exact"`` both bounds are the exact squared radius and
    ``certificate`` is the ``robustness_l2`` certificate proving it (``certificates`` holds it
    under ``"l2"``); with ``method="bounds"`` ``certificate`` is the l-infinity or l1
    robustness certificate whose radius ``r`` gives the lower bound (``r^2``, or ``r^2 / d``
    for l1) and ``certificates`` holds both.
    """

    lower_squared: Fraction
    upper_squared: Fraction
    x: tuple[Fraction, ...]
    label: int
    cls: int
    certificate: dict[str, Any]
    certificates: dict[str, dict[str, Any]]
    stats: dict[str, Any]

    @property
    def exact(self) -> bool:
        """Whether the bounds meet (then the radius is ``sqrt(lower_squared)`` exactly)."""
        return self.lower_squared == self.upper_squared

    def to_dict(self) -> dict[str, Any]:
        return {
            "norm": "l2",
            "radius_squared": {
                "lower": format_rational(self.lower_squared),
                "upper": format_rational(self.upper_squared),
            },
            "x": [format_rational(v) for v in self.x],
            "label": self.label,
            "class": self.cls,
            "stats": self.stats,
        }

    def write_certificate(self, path: str | os.PathLike[str]) -> None:
        """Write the certificate of the lower bound atomically."""
        write_certificate(self.certificate, path)


def _l2_bounds(net: ReLUNetwork, x0: tuple[Fraction, ...], radius_of) -> L2RobustnessResult:
    d = net.input_dim
    res = {norm: radius_of(norm) for norm in ("linf", "l1")}
    low = {"linf": res["linf"].radius ** 2, "l1": res["l1"].radius ** 2 / d}
    best = max(("linf", "l1"), key=lambda n: (low[n], n == "linf"))
    dist = {n: sum(((a - b) ** 2 for a, b in zip(r.x, x0)), Fraction(0)) for n, r in res.items()}
    near = min(("linf", "l1"), key=lambda n: (dist[n], n != "linf"))
    stats = {f"{n}_{k}": v for n, r in res.items() for k, v in r.stats.items()}
    return L2RobustnessResult(
        low[best],
        dist[near],
        res[near].x,
        res[near].label,
        res[near].cls,
        res[best].certificate,
        {n: r.certificate for n, r in res.items()},
        stats,
    )


def _sqrt_up(q: Fraction) -> Fraction:
    """A dyadic rational ``s >= sqrt(q)`` (within a factor 1 + 2^-8)."""
    k = 0
    while q * 4**k < 2**16:
        k += 1
    n = q * 4**k
    root = math.isqrt(math.ceil(n))
    if root * root < n:
        root += 1
    return Fraction(root, 2**k)


def _l2_leaf_rows(net: ReLUNetwork, box, phases, c: int, j: int):
    """The rows ``A x <= b`` of one leaf and class ``j`` with their certificate keys."""
    d = net.input_dim
    _, out = _pattern_maps(net, phases)
    A, b, keys = _pattern_rows(net, phases, d)
    A.append([u - v for u, v in zip(out[c][:d], out[j][:d])])
    b.append(out[j][d] - out[c][d])
    keys.append(("atom", None))
    for i, (lo, hi) in enumerate(box):
        e = [Fraction(0)] * d
        e[i] = Fraction(-1)
        A.append(e)
        b.append(-lo)
        keys.append(("lower", i))
        e = [Fraction(0)] * d
        e[i] = Fraction(1)
        A.append(e)
        b.append(hi)
        keys.append(("upper", i))
    return A, b, keys


def _l2_multipliers(keys, lam) -> dict[str, Any]:
    out: dict[str, Any] = {"phase": [], "atom": "0", "lower": [], "upper": []}
    for (kind, key), v in zip(keys, lam):
        if not v:
            continue
        if kind == "atom":
            out["atom"] = format_rational(v)
        else:
            out[kind].append([key, format_rational(v)])
    return out


def _l2_tree(net, x0, c, s, bits, max_branches, deadline):
    """The leaves over the box ``x0 ± s`` and, per leaf and class, the exact QP answer."""
    d, m = net.input_dim, net.output_dim
    box0 = tuple((a - s, a + s) for a in x0)
    root: dict[str, Any] = {}
    stack = [(box0, {}, root, 0)]
    leaves = []  # (tree node, {j: (A, b, keys, QPResult)})
    branches = 0
    while stack:
        if max_branches is not None and branches >= max_branches:
            raise LimitExceededError(f"robustness_radius (l2): more than {max_branches} branches")
        if deadline is not None and time.monotonic() > deadline:
            raise LimitExceededError("robustness_radius (l2): time limit reached")
        b, fixed, tree, depth = stack.pop()
        eb = exact_bounds(net, b, fixed, bits=bits)
        if eb.empty:
            tree["leaf"] = "qp"
            tree["lambda"] = {}
            continue
        unstable = eb.unstable()
        if not unstable:
            per_class = {}
            for j in range(m):
                if j != c:
                    A, rhs, keys = _l2_leaf_rows(net, b, eb.phases, c, j)
                    per_class[j] = (A, rhs, keys, project(A, rhs, x0))
            leaves.append((tree, per_class))
            continue
        branches += 1
        push_split(stack, tree, b, fixed, depth, unstable[0] if depth >= 2 * d else None)
    return root, leaves, branches


def _l2_exact(net, x0, c, limit, bits, max_branches, max_seconds) -> L2RobustnessResult:
    m = net.output_dim
    start = time.monotonic()
    deadline = None if max_seconds is None else start + max_seconds
    y0 = net(x0)
    ties = [j for j in range(m) if j != c and y0[j] >= y0[c]]
    question = {
        "precision_bits": bits,
        "x0": [format_rational(v) for v in x0],
        "label": c,
        "norm": "l2",
    }
    stats: dict[str, Any] = {"branches": 0, "qp_leaves": 0}
    if ties:
        r2, xr, cls, s, tree = Fraction(0), x0, ties[0], Fraction(0), None
    else:
        s = Fraction(1)
        while True:
            tree, leaves, branches = _l2_tree(net, x0, c, s, bits, max_branches, deadline)
            stats["branches"] += branches
            best = None
            for _, per_class in leaves:
                for j, (_, _, _, res) in per_class.items():
                    if res.status == "optimal" and (best is None or (res.value, j) < best[:2]):
                        best = (res.value, j, res.x)
            if best is not None and best[0] <= s * s:
                break
            if s >= limit:
                raise LimitExceededError(f"robustness_radius: the class does not change within radius {limit}")
            s = min(4 * s, limit)
            if best is not None:
                s = max(s, min(_sqrt_up(best[0]), limit))
        r2, cls, xr = best
        stats["qp_leaves"] = len(leaves)
        for node, per_class in leaves:
            lam_json = {}
            for j, (A, rhs, keys, res) in per_class.items():
                lam = res.multipliers
                if res.status == "infeasible":  # a Farkas vector: its multiples raise the bound
                    slope = -sum((mu * bi for mu, bi in zip(lam, rhs)), Fraction(0))
                    lam = tuple(r2 / slope * mu for mu in lam) if r2 else tuple(Fraction(0) for _ in lam)
                assert dual_bound(A, rhs, x0, lam) >= r2
                lam_json[str(j)] = _l2_multipliers(keys, lam)
            node["leaf"] = "qp"
            node["lambda"] = lam_json
    yr = net(xr)
    assert yr[cls] >= yr[c] and sum(((a - b) ** 2 for a, b in zip(xr, x0)), Fraction(0)) == r2
    seconds = time.monotonic() - start
    stats["seconds"] = round(seconds, 3)
    evidence = {
        "radius_squared": format_rational(r2),
        "x": [format_rational(v) for v in xr],
        "class": cls,
        "half_width": format_rational(s),
        "proof": tree,
    }
    cert = envelope("robustness_l2", net, question, "radius", evidence, seconds)
    return L2RobustnessResult(r2, r2, tuple(xr), c, cls, cert, {"l2": cert}, stats)


def _norm(v, norm: str) -> Fraction:
    return (
        max((abs(a) for a in v), default=Fraction(0))
        if norm == "linf"
        else sum((abs(a) for a in v), Fraction(0))
    )


def robustness_goal(
    net: ReLUNetwork,
    x0: tuple[Fraction, ...],
    label: int,
    j: int,
    r: Fraction,
    norm: str,
    phi_const: Fraction | None,
) -> Goal:
    """The goal of ``docs/certificates.md`` for class ``j`` on the radius-``r`` box; ``phi = phi_const - T``
    (``T = t`` or ``sum t_i``), or ``phi = -T`` when ``phi_const`` is None (for maximization)."""
    d, m = net.input_dim, net.output_dim
    e = 1 if norm == "linf" else d
    nv = d + e
    zero_y = (Fraction(0),) * m
    box = tuple((a - r, a + r) for a in x0) + ((Fraction(0), r),) * e
    rows = []
    for i in range(d):
        k = d if norm == "linf" else d + i
        for sgn in (1, -1):
            p = [Fraction(0)] * nv
            p[i] = Fraction(sgn)
            p[k] = Fraction(-1)
            rows.append(Form(tuple(p), zero_y, -sgn * x0[i]))
    q = [Fraction(0)] * m
    q[label] += 1
    q[j] -= 1
    atom = Form((Fraction(0),) * nv, tuple(q), Fraction(0))
    phi = Form(
        (Fraction(0),) * d + (Fraction(-1),) * e, zero_y, phi_const if phi_const is not None else Fraction(0)
    )
    return Goal(net, box, tuple(rows), (atom,), phi, False)


def _max_radius(value: object) -> Fraction:
    limit = to_rational(value, what="max_radius")
    if limit <= 0:
        raise InvalidInputError(f"max_radius: expected a positive number, got {short_repr(value)}")
    return limit


def robustness_radius(
    net: ReLUNetwork,
    x: object,
    norm: str = "linf",
    label: int | None = None,
    *,
    method: str = "exact",
    max_radius: object = 2**20,
    max_seconds: float | None = None,
    max_branches: int | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
    precision_bits: int = DEFAULT_PRECISION_BITS,
    bound_rule: str | None = None,
) -> RobustnessResult | L2RobustnessResult:
    """The exact robustness radius of a classifier at ``x`` (ties count as a change).

    For ``norm="l2"`` the answer is an :class:`L2RobustnessResult`: by default
    (``method="exact"``) the exact squared radius (a rational) with a nearest point and the
    ``robustness_l2`` certificate; with ``method="bounds"`` exact rational bounds of the
    squared radius from the l-infinity and l1 radii (see the module notes).

    Parameters
    ----------
    net
        A network with at least two outputs (class scores).
    x
        The exact point ``x0``.
    norm
        ``"linf"``, ``"l1"`` or ``"l2"`` (bounds of the squared radius).
    label
        The class ``c`` (default: the first arg-max of ``f(x0)``).
    method
        ``l2`` only: ``"exact"`` (a tree of pattern leaves over a box around ``x0``, one exact
        quadratic program per leaf and class: for small networks) or ``"bounds"`` (the
        l-infinity and l1 searches).
    max_radius
        Search for a change of class up to this radius (:class:`~relu_geom.LimitExceededError` beyond).
    max_seconds, max_branches
        Limits per search.
    bound_rule
        ``"forward"``, ``"backward"`` (back-substitution as well: tighter bounds on deep
        networks, more work per node) or None (``"backward"`` from three hidden layers
        on); recorded in the certificate's question (l-infinity and
        l1; the exact l2 tree uses the forward rule).

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[1], [-1]]], [[0, 0]])  # scores (x, -x) at x0 = 1/2: ties at x = 0
    >>> res = rg.robustness_radius(net, ["1/2"], "linf")
    >>> res.radius, res.x, res.cls
    (Fraction(1, 2), (Fraction(0, 1),), 1)
    >>> net = rg.ReLUNetwork([[[1, 1], [0, 0]]], [[0, 0]])  # class 0 while x1 + x2 >= 0
    >>> res = rg.robustness_radius(net, [1, 1], "l2")  # the line x1 + x2 = 0 is sqrt(2) away
    >>> res.lower_squared, res.upper_squared, res.x
    (Fraction(2, 1), Fraction(2, 1), (Fraction(0, 1), Fraction(0, 1)))
    >>> net = rg.ReLUNetwork([[[1, 2], [0, 0]]], [[0, 0]])  # the line x1 + 2 x2 = 0: 9/5 away
    >>> rg.robustness_radius(net, [1, 1], "l2").upper_squared
    Fraction(9, 5)
    >>> b = rg.robustness_radius(net, [1, 1], "l2", method="bounds")
    >>> b.lower_squared, b.upper_squared
    (Fraction(9, 8), Fraction(2, 1))
    """
    net = as_network(net, what="net")
    check_search_limits(max_seconds=max_seconds, max_branches=max_branches, precision_bits=precision_bits)
    if norm not in ("linf", "l1", "l2"):
        raise InvalidInputError(f"norm: expected 'linf', 'l1' or 'l2', got {short_repr(norm)}")
    d, m = net.input_dim, net.output_dim
    if m < 2:
        raise InvalidInputError(f"net: a classifier needs at least two outputs, got {m}")
    x0 = as_point(x, d)
    rule = resolve_bound_rule(net, bound_rule)
    y0 = net(x0)
    c = max(range(m), key=lambda i: (y0[i], -i)) if label is None else int(label)
    if not 0 <= c < m:
        raise InvalidInputError(f"label: expected a class in 0..{m - 1}, got {label}")
    if norm == "l2" and method not in ("exact", "bounds"):
        raise InvalidInputError(f"method: expected 'exact' or 'bounds', got {short_repr(method)}")
    if norm == "l2" and method == "exact":
        limit2 = _max_radius(max_radius)
        branches = 100_000 if max_branches is None else max_branches
        return _l2_exact(net, x0, c, limit2, precision_bits, branches, max_seconds)
    if norm == "l2":

        def radius_of(n: str) -> RobustnessResult:
            out = robustness_radius(
                net,
                x0,
                n,
                c,
                max_radius=max_radius,
                max_seconds=max_seconds,
                max_branches=max_branches,
                progress=progress,
                precision_bits=precision_bits,
                bound_rule=rule,
            )
            assert isinstance(out, RobustnessResult)
            return out

        return _l2_bounds(net, x0, radius_of)
    start = time.monotonic()
    limits: dict[str, Any] = {
        "bits": precision_bits,
        "rule": rule,
        "max_seconds": max_seconds,
        "max_branches": max_branches,
        "progress": progress,
    }
    others = [j for j in range(m) if j != c]
    stats: dict[str, Any] = {"branches": 0}

    def add(st: dict[str, int]) -> None:
        for key, v in st.items():
            stats[key] = stats.get(key, 0) + v

    ties = [j for j in others if y0[j] >= y0[c]]
    limit = _max_radius(max_radius)
    if ties:
        r, xr, cls = Fraction(0), x0, ties[0]
    else:
        R = Fraction(1)
        found: list[tuple[Fraction, int, tuple[Fraction, ...]]] = []
        while not found:
            for j in others:
                out = branch_and_bound(
                    robustness_goal(net, x0, c, j, R, norm, None), maximize=True, floor=-R - 1, **limits
                )
                add(out.stats)
                if out.status != "proved":
                    raise LimitExceededError(f"robustness_radius: {out.reason} (open bound gap {out.gap})")
                if out.point is not None:
                    xj = out.point[:d]
                    rj = _norm([a - b for a, b in zip(xj, x0)], norm)
                    assert rj == -out.value  # type: ignore[operator]
                    # the radius-R box holds every point within distance R, not every point
                    # within distance rj > R (for l1 the box reaches distance d R): such a point
                    # is not known to be the nearest, so R grows
                    if rj <= R:
                        found.append((rj, j, xj))
            if not found:
                if R >= limit:
                    raise LimitExceededError(
                        f"robustness_radius: the class does not change within radius {limit}"
                    )
                R = min(4 * R, limit)
        r, cls, xr = min(found, key=lambda t: (t[0], t[1]))
    proofs = {}
    for j in others:
        out = branch_and_bound(robustness_goal(net, x0, c, j, r, norm, r), **limits)
        add(out.stats)
        if out.status != "proved":
            raise LimitExceededError(f"robustness_radius: {out.reason} (open bound gap {out.gap})")
        proofs[str(j)] = out.tree
    yr = net(xr)
    assert yr[cls] >= yr[c] and _norm([a - b for a, b in zip(xr, x0)], norm) == r
    seconds = time.monotonic() - start
    stats["seconds"] = round(seconds, 3)
    question = {
        "precision_bits": precision_bits,
        **rule_key(rule),
        "x0": [format_rational(v) for v in x0],
        "label": c,
        "norm": norm,
    }
    evidence = {
        "radius": format_rational(r),
        "x": [format_rational(v) for v in xr],
        "class": cls,
        "proofs": proofs,
    }
    cert = envelope("robustness", net, question, "radius", evidence, seconds)
    return RobustnessResult(r, tuple(xr), c, cls, cert, stats)
