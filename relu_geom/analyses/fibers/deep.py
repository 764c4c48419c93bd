"""The fiber of a network of any depth as a union of configuration sets (paper 000, appendix C).

For every discrete fiber configuration (:func:`fiber_configurations`) the configuration
set is solved exactly, layer by layer, after fixing the rescaling gauge
(``lambda = 1`` on the first facet of every neuron that carries facets; for a neuron
that carries none, when its free scale leaves the set positive-dimensional, the first
nonzero entry of its bias and row is ``+-1``, one case each):

* the alignment equations of a neuron of layer ``l`` are *linear* in its incoming
  row, its bias and its ``lambda``'s once the layers before it are known, and the
  output layer is linear given all hidden layers (weight matching and region
  equations); so as long as every solution space is a point, the configuration set
  is a single orbit, found with :func:`relu_geom.arith.linalg.solve`;
* where a solution space has positive dimension, its exact affine parametrization
  (particular solution plus kernel, with new unknowns ``t``) is kept and the rest of
  the system becomes polynomial; it is decided with a Groebner basis (``[1]``: empty)
  and solved with SymPy for rational points.

A configuration set that is one orbit either computes ``f`` (then it is the orbit of
``net`` or a certified hidden redundancy) or it does not (then it is empty: every
transparent realization with this configuration would be that point).  Every
sample is re-checked with :func:`~relu_geom.functionally_equivalent`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from relu_geom._util import short_repr
from relu_geom.analyses.equivalence import functionally_equivalent
from relu_geom.analyses.fibers.configurations import (
    _CORE,
    MAX_CHOICES,
    ConfigurationEnumeration,
    FiberConfiguration,
    _enumerate,
    fiber_configurations,
    function_data,
)
from relu_geom.analyses.fibers.variety import (
    EmptinessCertificate,
    _CoreSearch,
    affine_chain,
    check_emptiness_certificate,
    configuration_variety,
    emptiness_certificate,
    output_derivative,
)
from relu_geom.arith.linalg import nullspace, rank, solve
from relu_geom.errors import InvalidInputError, LimitExceededError, UnsupportedInputError
from relu_geom.network import ReLUNetwork
from relu_geom.network.symmetry import same_up_to_symmetry
from relu_geom.network.transforms import require_int, require_network

__all__ = [
    "SCOPE",
    "ConfigurationSolution",
    "DeepFiber",
    "DeepFiberPiece",
    "deep_fiber",
    "exact_elimination",
    "solve_configuration",
]


SCOPE = (
    "parameters whose neurons put each breakpoint facet of f in the zero set of exactly one neuron "
    "(the signs of the other layers constant and nonzero on it, except first-layer neurons carrying facets, whose "
    "zero sets may cross it), with at most two neurons vanishing at each ridge unless all are "
    "first-layer neurons, grouped as the "
    "candidate bent hyperplanes of f (or as one of the groupings the local ridge rules leave)"
)


@dataclass(frozen=True, slots=True)
class ConfigurationSolution:
    """The exact solution of one configuration set (in the rescaling gauge).

    Attributes
    ----------
    status : str
        ``"point"`` (one orbit, ``networks[0]``), ``"points"`` (finitely many orbits:
        every real point of the set is one of ``networks``, the others are proved not
        to compute ``f``), ``"empty"`` (proved, see ``reason``), ``"family"``
        (positive dimension beyond the rescalings; ``networks`` holds rational points
        found) or ``"unresolved"``.
    networks : tuple of ReLUNetwork
        Solutions (not yet checked against ``f``).
    free : int
        Free parameters met beyond the gauge (0 for a point).
    reason : str
    directions : tuple of tuple of Fraction
        Parameter vectors ``u`` (order of :meth:`ReLUNetwork.parameters`) such that
        ``networks[0] + t u`` satisfies every equation of the configuration variety for
        all ``t`` (free output weights, free weights of neurons inactive everywhere).
    """

    status: str
    networks: tuple[ReLUNetwork, ...]
    free: int
    reason: str
    directions: tuple[tuple[Fraction, ...], ...] = ()


def _offsets(arch: Sequence[int]) -> list[int]:
    """Index of the first parameter of each layer in :meth:`ReLUNetwork.parameters`."""
    out = [0]
    for ell in range(1, len(arch)):
        out.append(out[-1] + arch[ell] * (arch[ell - 1] + 1))
    return out


def _q(v: Any) -> Fraction:
    """A SymPy rational as a Fraction (None-safe callers only)."""
    return Fraction(int(v.p), int(v.q))


def _split(flat: Sequence[int], widths: Sequence[int]) -> list[list[int]]:
    out, k = [], 0
    for w in widths:
        out.append(list(flat[k : k + w]))
        k += w
    return out


class _Symbolic(Exception):  # noqa: N818 - control flow inside solve_configuration only
    pass


def solve_configuration(config: FiberConfiguration, *, max_unknowns: int = 24) -> ConfigurationSolution:
    """Solve the configuration set of ``config`` exactly (module notes).

    Parameters
    ----------
    config
        A configuration from :func:`fiber_configurations`.
    max_unknowns
        Polynomial systems with more unknowns are not attempted (``"unresolved"``).

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[1, 1]]], [[0, 0], [0]])
    >>> cfg = rg.fiber_configurations(net, (2, 2, 1)).configurations[0]
    >>> sol = rg.solve_configuration(cfg)
    >>> sol.status, sol.networks[0] == net.permute_layer(1, [1, 0])
    ('point', True)
    """
    if not isinstance(config, FiberConfiguration):
        raise InvalidInputError(
            f"config: expected a FiberConfiguration (from rg.fiber_configurations), got {type(config).__name__}"
        )
    import sympy

    arch = config.architecture
    data = config.data
    d, m = arch[0], arch[-1]
    widths = arch[1:-1]
    L = len(widths)
    index = {n: k for k, n in enumerate(config.neurons)}

    def dead_everywhere(i: int) -> bool:
        # 0 in facet_signs marks a sign the facet's equations do not read
        return all(sg[i] <= 0 for sg in config.facet_signs) and all(p[i] < 0 for _, p in config.side_patterns)

    facets_of: dict[tuple[int, int], list[int]] = {}
    for k in range(len(data.facets)):
        facets_of.setdefault(config.neuron_of_facet(k), []).append(k)
    if not data.facets:
        return ConfigurationSolution("unresolved", (), 0, "f is affine: no facet constrains the parameters")
    ws: list[list[list[Any]]] = []
    bs: list[list[Any]] = []
    lam: dict[int, Any] = {}
    eqs: list[Any] = []  # polynomial equations once symbols appear
    unknowns: list[Any] = []
    symbolic = False
    notes: list[str] = []
    dead: list[tuple[int, int]] = []
    faceless: list[list[Any]] = []  # bias and row of each neuron carrying no facet (not dead)
    free = 0

    def fresh(name: str) -> Any:
        s = sympy.Symbol(name)
        unknowns.append(s)
        return s

    for ell in range(1, L + 1):
        rows: list[list[Any]] = []
        bias: list[Any] = []
        n_in = arch[ell - 1]
        for j in range(widths[ell - 1]):
            mine = facets_of.get((ell, j), [])
            if not mine and dead_everywhere(index[(ell, j)]):
                # inactive on every facet and beside it: no equation sees its row or its outgoing weights
                notes.append(
                    f"neuron ({ell}, {j}) is inactive on every facet: its weights are free on an open set"
                )
                rows.append([Fraction(0)] * n_in)
                bias.append(Fraction(-1))
                dead.append((ell, j))
                continue
            if not mine:
                notes.append(f"neuron ({ell}, {j}) carries no facet")
                symbolic = True
                rows.append([fresh(f"W{ell}_{j}_{r}") for r in range(n_in)])
                bias.append(fresh(f"b{ell}_{j}"))
                faceless.append([bias[-1], *rows[-1]])
                continue
            # unknowns: row (n_in), bias, lambda per facet; gauge lambda_first = 1
            n_unk = n_in + 1 + len(mine)
            A: list[list[Any]] = []
            rhs: list[Any] = []
            for pos_k, k in enumerate(mine):
                f = data.facets[k]
                signs = _split(config.facet_pattern(k), widths)
                delta = config.facet_deltas[k]
                M, c = affine_chain(ws, bs, signs, ell - 1, d)
                li = n_in + 1 + pos_k
                for qq in range(d):
                    row = [M[r][qq] for r in range(n_in)] + [0] * (1 + len(mine))
                    row[li] = -delta * f.normal[qq]
                    A.append(row)
                    rhs.append(0)
                row = list(c) + [1] + [0] * len(mine)
                row[li] = delta * f.beta
                A.append(row)
                rhs.append(0)
            gauge = [0] * n_unk
            gauge[n_in + 1] = 1
            A.append(gauge)
            rhs.append(1)
            if not symbolic:
                sol = solve(A, rhs)
                if sol is None:
                    return ConfigurationSolution(
                        "empty", (), 0, f"the alignment equations of neuron ({ell}, {j}) are inconsistent"
                    )
                kernel = nullspace(A)
                if not kernel and any(sol[n_in + 1 + p] <= 0 for p in range(len(mine))):
                    return ConfigurationSolution(
                        "empty", (), 0, f"the alignment of neuron ({ell}, {j}) forces lambda <= 0 on a facet"
                    )
                if kernel:
                    free += len(kernel)
                    ts = [fresh(f"t{ell}_{j}_{i}") for i in range(len(kernel))]
                    vec = [sympy.Rational(v.numerator, v.denominator) for v in sol]
                    for t, kv in zip(ts, kernel):
                        vec = [a + t * sympy.Rational(b.numerator, b.denominator) for a, b in zip(vec, kv)]
                    symbolic = True
                    vals: list[Any] = vec
                else:
                    vals = list(sol)
            else:
                vals = [fresh(f"W{ell}_{j}_{r}") for r in range(n_in)] + [fresh(f"b{ell}_{j}")]
                vals += [sympy.Integer(1)] + [fresh(f"lam{k}") for k in mine[1:]]
                for row, v in zip(A[:-1], rhs[:-1]):
                    eqs.append(sympy.expand(sum(a * x for a, x in zip(row, vals)) - v))
            rows.append(vals[:n_in])
            bias.append(vals[n_in])
            for p, k in enumerate(mine):
                lam[k] = vals[n_in + 1 + p]
        ws.append(rows)
        bs.append(bias)
    # output layer: per output i, unknowns W[i][:], b[i]
    n_L = arch[-2]
    A = []
    rhs_rows: list[list[Any]] = []
    for k, f in enumerate(data.facets):
        ell, j = config.neuron_of_facet(k)
        signs = _split(config.facet_pattern(k), widths)
        u = output_derivative(ws + [[[int(i == r) for r in range(n_L)] for i in range(n_L)]], signs, ell, j)
        A.append([lam[k] * u[r] for r in range(n_L)] + [0])
        rhs_rows.append(list(f.c_hat))
    for region, pattern in config.side_patterns:
        Af, cf = data.regions[region]
        M, c = affine_chain(ws, bs, _split(pattern, widths), L, d)
        for qq in range(d):
            A.append([M[r][qq] for r in range(n_L)] + [0])
            rhs_rows.append([Af[i][qq] for i in range(m)])
        A.append(list(c) + [1])
        rhs_rows.append(list(cf))
    if not symbolic:
        out_w, out_b = [], []
        kernel = nullspace(A)
        for i in range(m):
            sol = solve(A, [row[i] for row in rhs_rows])
            if sol is None:
                return ConfigurationSolution(
                    "empty", (), 0, f"weight matching and the region maps are inconsistent for output {i}"
                )
            out_w.append(list(sol[:n_L]))
            out_b.append(sol[n_L])
        net = ReLUNetwork(ws + [out_w], bs + [out_b])
        if kernel or notes:
            free += m * len(kernel)
            nets = [net]
            for s, kv in enumerate(kernel[:3]):
                step = Fraction(1, 2 + s)
                nets.append(
                    ReLUNetwork(
                        ws + [[[w + step * kv[r] for r, w in enumerate(row)] for row in out_w]],
                        bs + [[b + step * kv[n_L] for b in out_b]],
                    )
                )
            why = "; ".join(
                notes + ([f"the output layer has {m * len(kernel)} free parameters"] if kernel else [])
            )
            off = _offsets(arch)
            n_par = off[-1]
            dirs = []
            for i in range(m):  # output row i moves along the kernel
                for kv in kernel:
                    u = [Fraction(0)] * n_par
                    for r in range(n_L):
                        u[off[L] + i * n_L + r] = kv[r]
                    u[off[L] + m * n_L + i] = kv[n_L]
                    dirs.append(tuple(u))
            for ell, j in dead:  # its row, bias and outgoing column enter no equation
                n_in, n_out = arch[ell - 1], arch[ell + 1]
                idx = [off[ell - 1] + j * n_in + r for r in range(n_in)] + [
                    off[ell - 1] + arch[ell] * n_in + j
                ]
                idx += [off[ell] + i * arch[ell] + j for i in range(n_out)]
                for t in idx:
                    dirs.append(tuple(Fraction(int(q == t)) for q in range(n_par)))
            return ConfigurationSolution("family", tuple(nets), free, why, tuple(dirs))
        return ConfigurationSolution("point", (net,), 0, "")
    # polynomial system: unknown output layer
    Wout = [[fresh(f"W{L + 1}_{i}_{r}") for r in range(n_L)] for i in range(m)]
    bout = [fresh(f"b{L + 1}_{i}") for i in range(m)]
    for row, rr in zip(A, rhs_rows):
        for i in range(m):
            eqs.append(sympy.expand(sum(a * w for a, w in zip(row, Wout[i] + [bout[i]])) - rr[i]))
    entries = [x for W in ws + [Wout] for row in W for x in row] + [x for b in bs + [bout] for x in b]
    raw_eqs, raw_entries = list(eqs), list(entries)
    eqs, subs, why_empty = exact_elimination(eqs, unknowns)
    if why_empty:
        return ConfigurationSolution("empty", (), free, why_empty)
    entries = [
        x if isinstance(x, Fraction) else sympy.together(sympy.sympify(x).xreplace(subs)) for x in entries
    ]
    gens = [s for s in unknowns if s not in subs and any(e.has(s) for e in eqs)]
    dims = [(arch[ell], arch[ell - 1]) for ell in range(1, L + 2)]
    if not eqs and not dead and all(isinstance(x, Fraction) or x.is_Rational for x in entries):
        # every equation is used up and every weight is a number: in the gauge the set is
        # at most this one point (each substitution holds at every point of it)
        nets = _rational_points(entries, [{}], dims, data)
        if not nets:
            return ConfigurationSolution(
                "empty", (), 0, "the one point left by exact elimination differs from f at a facet or ridge"
            )
        return ConfigurationSolution("point", tuple(nets[:1]), 0, "")
    why = "; ".join(notes)
    if len(gens) > max_unknowns:
        return ConfigurationSolution(
            "unresolved",
            (),
            free,
            f"{len(gens)} unknowns after exact elimination exceed max_unknowns={max_unknowns}",
        )
    G = sympy.groebner(eqs, *gens, order="lex") if gens and eqs else None
    if G is not None and list(G.exprs) == [1]:
        return ConfigurationSolution(
            "empty", (), free, "the Groebner basis of the remaining equations is [1]"
        )
    if G is not None and G.is_zero_dimensional and not dead:
        finite = _finite_points(entries, gens, list(G.exprs), dims, data)
        if finite is not None:
            return finite
    elif faceless and not dead:
        gauged = _gauged_cases(raw_eqs, raw_entries, unknowns, faceless, dims, data, max_unknowns)
        if gauged is not None:
            return gauged
    sols = _lex_points(list(G.exprs), gens) if G is not None else [{}]
    nets = _rational_points(entries, sols, dims, data)
    positive = G is None or not G.is_zero_dimensional
    dim_note = "positive-dimensional" if positive else "finitely many points"
    status = "family" if free or notes or positive else "unresolved"
    if not nets:
        return ConfigurationSolution(
            "unresolved", (), free, f"no rational point found ({dim_note}); {why}".rstrip("; ")
        )
    return ConfigurationSolution(status, tuple(nets), free, f"{dim_note}; {why}".rstrip("; "))


def _gauged_cases(
    eqs: Sequence[Any],
    entries: Sequence[Any],
    unknowns: Sequence[Any],
    faceless: Sequence[Sequence[Any]],
    dims: Sequence[tuple[int, int]],
    data: Any,
    max_unknowns: int,
    max_cases: int = 64,
) -> ConfigurationSolution | None:
    """Decide a positive-dimensional set whose neurons carrying no facet are not in the gauge.

    Rescaling such a neuron by ``c > 0`` (its row and bias times ``c``, its outgoing column
    over ``c``) keeps every equation, and in the configuration set its row and bias are
    not all 0 (it is active somewhere, or negative somewhere: the configuration gives it a
    nonzero sign on a facet or beside one).  So every point has exactly one rescaling in
    which the first nonzero entry of ``(bias, row)`` is ``+1`` or ``-1``: the cases
    ``(k, s)``, entries before ``k`` zero and entry ``k`` equal to ``s``, one per such neuron,
    cover the set, without overlap.  Each case is eliminated and, when its system has
    finitely many zeros, decided by :func:`_finite_points`.  Returns the union
    (``"points"`` or ``"empty"``) when every case is decided, else None.
    """
    import itertools

    import sympy

    choices = [[(k, sg) for k in range(len(row)) for sg in (1, -1)] for row in faceless]
    n_cases = 1
    for c in choices:
        n_cases *= len(c)
    if n_cases > max_cases:
        return None
    nets: list[ReLUNetwork] = []
    told: list[str] = []
    for combo in itertools.product(*choices):
        extra = []
        for row, (k, sg) in zip(faceless, combo):
            extra += [row[i] for i in range(k)] + [row[k] - sg]
        rest, subs, why = exact_elimination([*eqs, *extra], unknowns)
        if why:
            continue
        vals = [
            x if isinstance(x, Fraction) else sympy.together(sympy.sympify(x).xreplace(subs)) for x in entries
        ]
        gens = [u for u in unknowns if u not in subs and any(e.has(u) for e in rest)]
        if not rest:
            if not all(isinstance(x, Fraction) or x.is_Rational for x in vals):
                return None  # unknowns left free: still positive-dimensional
            nets += _rational_points(vals, [{}], dims, data)
            continue
        if len(gens) > max_unknowns:
            return None
        G = sympy.groebner(rest, *gens, order="lex")
        if list(G.exprs) == [1]:
            continue
        if not G.is_zero_dimensional:
            return None
        found = _finite_points(vals, gens, list(G.exprs), dims, data)
        if found is None or found.status == "unresolved":
            return None
        nets += found.networks
        told.append(found.reason)
    reason = (
        f"neurons carrying no facet put in the gauge ({n_cases} cases: the first nonzero entry of bias "
        f"and row +-1), each case finitely many real points; {len(nets)} rational candidates"
    )
    return _points(nets, reason)


def _finite_points(
    entries: Sequence[Any],
    gens: Sequence[Any],
    basis: Sequence[Any],
    dims: Sequence[tuple[int, int]],
    data: Any,
) -> ConfigurationSolution | None:
    """Decide a configuration set whose remaining system has finitely many complex zeros.

    Every real zero is found exactly (:func:`~relu_geom.analyses.fibers.algebraic.finite_real_points`):
    a rational one is a candidate network (kept when it agrees with ``f`` at the facet and
    ridge points; the caller checks equivalence exactly); an irrational one is a network
    with entries in ``Q(alpha)``, evaluated exactly at the same points and at an interior
    point of every linear region, and refuted when it differs from ``f`` at one of them.  Returns ``"points"`` (every rational candidate) or
    ``"empty"`` when every irrational zero is refuted, ``"unresolved"`` (with the rational
    candidates) when one is not, and None when the zeros were not found (no shape form,
    or unknowns left free: the caller goes on as before).
    """
    import sympy

    from relu_geom.analyses.fibers.algebraic import finite_real_points

    syms = set().union(*(sympy.sympify(e).free_symbols for e in entries if not isinstance(e, Fraction)))
    if not syms <= set(gens):
        return None
    found = finite_real_points(basis, gens)
    if found is None:
        return None
    rational, algebraic = found
    kept = [r for r, c in algebraic if not _refuted(entries, r, c, dims, data)]
    points = [{g: sympy.Rational(v.numerator, v.denominator) for g, v in p.items()} for p in rational]
    nets = _rational_points(entries, points, dims, data, limit=len(points))
    if kept:
        return ConfigurationSolution(
            "unresolved",
            tuple(nets),
            0,
            f"finitely many real points: {len(kept)} irrational ones agree with f at every facet, "
            "ridge and region point (no exact equivalence test over Q(alpha)); "
            + ", ".join(f"a root of {_poly_str(r.poly)} near {r.approximation():.6g}" for r in kept[:3]),
        )
    told = (
        f"finitely many real points: {len(rational)} rational ({len(nets)} agree with f at the facet "
        f"and ridge points), {len(algebraic)} irrational (each differs from f at a facet, ridge or region point)"
    )
    return _points(nets, told)


def _poly_str(coeffs: Sequence[Fraction]) -> str:
    return " + ".join(f"({c}) t^{i}" for i, c in reversed(list(enumerate(coeffs))) if c)


def _refuted(
    entries: Sequence[Any], root: Any, coords: dict[Any, Any], dims: Sequence[tuple[int, int]], data: Any
) -> bool:
    """True when the network at the irrational zero ``coords`` (in ``Q(alpha)``) is proved not
    to compute ``f``: an entry's denominator vanishes there (so it is no zero of the system
    before elimination) or its exact value differs from ``f`` at a facet, ridge or region point."""
    from relu_geom.analyses.fibers.algebraic import element_at_root, evaluate_at_root

    vals = [element_at_root(e, root, coords) for e in entries]
    if any(v is None for v in vals):
        return True
    ws, k = [], 0
    for rows, cols in dims:
        ws.append([vals[k + i * cols : k + (i + 1) * cols] for i in range(rows)])
        k += rows * cols
    bs = []
    for rows, _cols in dims:
        bs.append(vals[k : k + rows])
        k += rows
    probes = [(f.point, f.plus) for f in data.facets] + [
        (x, data.facets[star[0]].plus) for x, star in data.ridges
    ]
    probes += [(x, r) for r, x in enumerate(data.region_points)]
    for x, region in probes:
        A, c = data.regions[region]
        out = evaluate_at_root(ws, bs, root, x)  # type: ignore[arg-type]
        for o, row, ci in zip(out, A, c):
            target = sum((a * xi for a, xi in zip(row, x)), Fraction(0)) + ci
            if o != ((target,) if target else ()):
                return True
    return False


def exact_elimination(eqs: list[Any], unknowns: Sequence[Any]) -> tuple[list[Any], dict[Any, Any], str]:
    """Solve equations for unknowns exactly while some equation allows it.

    An equation ``c u + r = 0`` with a nonzero rational ``c`` and ``u`` not in ``r``
    gives ``u = -r / c``; an equation ``c u m + k = 0`` with rationals ``c, k != 0``
    and a monomial ``m`` in other unknowns forces ``m != 0`` and gives
    ``u = -k / (c m)`` (then each equation is replaced by the numerator of the
    substituted one, which has the same zeros where ``m != 0``; a later substitution
    that makes ``m`` vanish proves the system empty).  Returns the
    remaining equations, the substitutions and, when an equation becomes a nonzero
    constant, the reason the system is empty.

    Examples
    --------
    >>> import relu_geom as rg
    >>> import sympy
    >>> from relu_geom.analyses.fibers.deep import exact_elimination
    >>> u, v = sympy.symbols("u v")
    >>> rest, subs, why = exact_elimination([2 * u + v - 4, u - 1], [u, v])
    >>> rest, sorted(subs.items(), key=str), why
    ([], [(u, 1), (v, 2)], '')
    >>> exact_elimination([u - 1, u - 2], [u])[2]
    'an equation reduces to a nonzero constant after exact elimination'
    """
    import sympy

    subs: dict[Any, Any] = {}
    nonzero: list[Any] = []  # monomials an equation ``c u m + k = 0`` (k != 0) forces to be nonzero
    todo = [sympy.expand(e) for e in eqs]
    ok = set(unknowns)
    while True:
        todo = [e for e in todo if e != 0]
        if any(e.is_number for e in todo):
            return todo, subs, "an equation reduces to a nonzero constant after exact elimination"
        pick = None
        for e in todo:
            poly = sympy.Poly(e, *sorted(e.free_symbols & ok, key=str))
            terms = poly.terms()
            for u in poly.gens:
                k = poly.gens.index(u)
                lin = [(mon, c) for mon, c in terms if mon[k] > 0]
                if len(lin) == 1 and lin[0][0][k] == 1:
                    mon, c = lin[0]
                    rest = [(mm, cc) for mm, cc in terms if mm[k] == 0]
                    if sum(mon) == 1:
                        pick = (u, -sympy.expand(e - c * u) / c)
                        break
                    if len(rest) == 1 and sum(rest[0][0]) == 0:
                        other = sympy.Mul(*[g**p for g, p in zip(poly.gens, mon) if g != u])
                        pick = (u, -rest[0][1] / (c * other))
                        nonzero.append(other)
                        break
            if pick is not None:
                break
        if pick is None:
            return todo, subs, ""
        u, value = pick
        rep = {u: value}
        nonzero = [sympy.numer(sympy.together(g.xreplace(rep))) for g in nonzero]
        if any(g == 0 for g in nonzero):
            return (
                todo,
                subs,
                "a product that an equation forces to be nonzero vanishes after exact elimination",
            )
        subs = {k: v.xreplace(rep) for k, v in subs.items()}
        subs[u] = value
        if value.is_polynomial():
            todo = [sympy.expand(e.xreplace(rep)) if e.has(u) else e for e in todo]
        else:
            todo = [
                sympy.expand(sympy.numer(sympy.together(e.xreplace(rep)))) if e.has(u) else e for e in todo
            ]


_PICKS: tuple[int | Fraction, ...] = (1, -1, 2, -2, 0, 3, -3, Fraction(1, 2), Fraction(-1, 2))


def _rational_points(
    entries: Sequence[Any],
    sols: Sequence[dict[Any, Any]],
    dims: Sequence[tuple[int, int]],
    data: Any,
    limit: int = 3,
) -> list[ReLUNetwork]:
    """Rational networks from the general solutions ``sols`` of the reduced system.

    ``entries`` are the network's weights (layer by layer, row by row) then its
    biases, as expressions in the unknowns.  The unknowns left free run through small
    rationals (at most 20 choices per solution); a point is kept when it is a
    network whose values at the facet and ridge points of ``f`` agree with ``f`` (a
    cheap necessary filter: the caller checks equivalence exactly).
    """
    import itertools

    import sympy

    probes = [(f.point, f.plus) for f in data.facets] + [
        (x, data.facets[star[0]].plus) for x, star in data.ridges
    ]
    target = []
    for x, region in probes:
        A, c = data.regions[region]
        target.append(
            tuple(sum((a * xi for a, xi in zip(row, x)), Fraction(0)) + ci for row, ci in zip(A, c))
        )
    out: list[ReLUNetwork] = []
    for sol in sols:
        exprs = [x if isinstance(x, Fraction) else sympy.sympify(x).xreplace(sol) for x in entries]
        free = sorted({s for e in exprs if not isinstance(e, Fraction) for s in e.free_symbols}, key=str)
        for combo in itertools.islice(itertools.product(_PICKS, repeat=len(free)), 20):
            point = {
                s: sympy.Rational(Fraction(v).numerator, Fraction(v).denominator) for s, v in zip(free, combo)
            }
            vals = []
            for e in exprs:
                v = e if isinstance(e, Fraction) else sympy.sympify(e).xreplace(point)
                if not isinstance(v, Fraction) and not v.is_Rational:
                    break
                vals.append(v if isinstance(v, Fraction) else _q(v))
            else:
                eta = _network(vals, dims)
                if eta is not None and all(eta(x) == t for (x, _r), t in zip(probes, target)):
                    out.append(eta)
                    if len(out) >= limit or not free:
                        break
        if len(out) >= limit:
            break
    return out


def _lex_points(basis: Sequence[Any], gens: Sequence[Any], *, limit: int = 200) -> list[dict[Any, Any]]:
    """Rational zeros of a lex Groebner basis (``gens`` in the order of the basis) by back-substitution.

    The basis polynomials in ``gens[k:]`` only generate the elimination ideal, so the
    variables are fixed from the last to the first: each is a common rational root
    of the basis polynomials whose first variable it is (with the later values
    substituted), or, when they all vanish, one of a few small rationals.  A
    depth-first search, at most ``limit`` complete points; every point returned is a
    zero of the whole basis.
    """
    import sympy

    level: dict[int, list[Any]] = {}
    for g in basis:
        k = min(i for i, v in enumerate(gens) if g.has(v))
        level.setdefault(k, []).append(g)
    out: list[dict[Any, Any]] = []

    def extend(k: int, point: dict[Any, Any]) -> None:
        if len(out) >= limit:
            return
        if k < 0:
            out.append(dict(point))
            return
        x = gens[k]
        polys = [sympy.expand(g.xreplace(point)) for g in level.get(k, [])]
        polys = [q for q in polys if q != 0]
        if not polys:
            choices = [sympy.Rational(Fraction(v).numerator, Fraction(v).denominator) for v in _PICKS[:5]]
        else:
            common = polys[0]
            for q in polys[1:]:
                common = sympy.gcd(common, q)
            if not common.has(x):
                return
            choices = sorted(sympy.Poly(common, x).ground_roots())
        for v in choices:
            point[x] = v
            extend(k - 1, point)
            del point[x]

    extend(len(gens) - 1, {})
    return out


def _network(vals: Sequence[Fraction], dims: Sequence[tuple[int, int]]) -> ReLUNetwork | None:
    """The network with weights then biases ``vals`` (``dims``: (rows, columns) per layer)."""
    ws, k = [], 0
    for rows, cols in dims:
        ws.append([list(vals[k + i * cols : k + (i + 1) * cols]) for i in range(rows)])
        k += rows * cols
    bs = []
    for rows, _cols in dims:
        bs.append(list(vals[k : k + rows]))
        k += rows
    try:
        return ReLUNetwork(ws, bs)
    except InvalidInputError:
        return None


@dataclass(frozen=True, slots=True)
class DeepFiberPiece:
    """One configuration set of the fiber.

    Attributes
    ----------
    configuration : FiberConfiguration
    kind : str
        ``"orbit"`` (exactly the permutation-and-rescaling orbit of the network),
        ``"hidden"`` (contains a certified point outside that orbit),
        ``"empty"`` (proved, with the reason) or ``"unresolved"``.
    dimension : int or None
        The exact dimension: for ``"orbit"`` the rescaling orbit's (the whole piece);
        otherwise the local dimension of the configuration set at ``samples[0]`` when
        its bounds ``dimension_bounds`` meet; None otherwise.
    samples : tuple of ReLUNetwork
        Exact points of the fiber found for this configuration, each checked to compute ``f``.
    equations, inequalities : tuple
        The configuration variety (SymPy), built on request by :attr:`variety`.
    reason : str
    decision : str
        ``"nonempty"`` when ``samples[0]`` is proved to lie on the configuration
        variety with every inequality strict (the witness); ``"empty"`` (kind
        ``"empty"``) when ``certificate`` proves the configuration set has no point;
        else ``"undecided"``.
    dimension_bounds : (int, int) or None
        For a witness: the rank of exact families through it inside the
        configuration set (rescalings, free output weights, free rows of neurons
        inactive everywhere: a lower bound on the local dimension) and the tangent
        dimension of the variety there (an upper bound).
    certificate : EmptinessCertificate or None
        For ``"empty"``: the proof, re-checked by :func:`check_emptiness_certificate`.
    """

    configuration: FiberConfiguration
    kind: str
    dimension: int | None
    samples: tuple[ReLUNetwork, ...]
    reason: str
    decision: str = "undecided"
    dimension_bounds: tuple[int, int] | None = None
    certificate: EmptinessCertificate | None = None

    @property
    def variety(self) -> Any:
        """The :class:`ConfigurationVariety` of this piece (equations and inequalities)."""
        return configuration_variety(self.configuration)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "configuration": self.configuration.to_dict(),
            "kind": self.kind,
            "dimension": self.dimension,
            "decision": self.decision,
            "dimension_bounds": None if self.dimension_bounds is None else list(self.dimension_bounds),
            "samples": [s.to_dict() for s in self.samples],
            "reason": self.reason,
            "certificate": None if self.certificate is None else self.certificate.to_dict(),
        }


def _rescaling_directions(eta: ReLUNetwork) -> list[tuple[Fraction, ...]]:
    """The derivative at ``c = 1`` of rescaling each hidden neuron of ``eta`` by ``c``."""
    arch = eta.architecture
    off = _offsets(arch)
    out = []
    for ell in range(1, len(arch) - 1):
        W, b, V = eta.weights[ell - 1], eta.biases[ell - 1], eta.weights[ell]
        n_in = arch[ell - 1]
        for j in range(arch[ell]):
            u = [Fraction(0)] * off[-1]
            for r in range(n_in):
                u[off[ell - 1] + j * n_in + r] = W[j][r]
            u[off[ell - 1] + arch[ell] * n_in + j] = b[j]
            for i in range(arch[ell + 1]):
                u[off[ell] + i * arch[ell] + j] = -V[i][j]
            out.append(tuple(u))
    return out


def _decide(cfg: FiberConfiguration, sol: ConfigurationSolution, samples: Sequence[ReLUNetwork]) -> Any:
    """``(decision, dimension bounds at samples[0])`` of a piece (see :class:`DeepFiberPiece`)."""
    var = configuration_variety(cfg)
    point = var.point_of(samples[0])
    if point is None or not var.satisfies(point):
        return "undecided", None
    dirs = _rescaling_directions(samples[0])
    if sol.networks and samples[0] == sol.networks[0]:
        dirs += list(sol.directions)
    return "nonempty", (rank([list(u) for u in dirs]) if dirs else 0, var.dimension_at(point))


@dataclass(frozen=True, slots=True)
class DeepFiber:
    """The transparent fiber of ``net`` for an architecture, piece by piece.

    Attributes
    ----------
    network : ReLUNetwork
    architecture : tuple of int
    enumeration : ConfigurationEnumeration
    pieces : tuple of DeepFiberPiece
        Non-empty and unresolved pieces, and the pieces without a sample proved
        empty by an :class:`EmptinessCertificate` (kind ``"empty"``); configurations
        the solver proves empty are only counted.
    n_empty : int
        Configurations proved empty (by the solver or by a certificate).
    empty_reasons : dict
        Reason -> number of configurations proved empty for it.
    status : str
        ``"complete"`` (every configuration decided), ``"undecided"`` or
        ``"partial"`` (stopped early, see ``stop_outside``).
    reason : str
    cores : tuple of (FiberConfiguration, EmptinessCertificate)
        With shared cores (``deep_fiber(..., cores=...)``): each core certificate used,
        with the configuration :func:`check_emptiness_certificate` accepted it on; every
        configuration counted empty under a core holds its labels.  Then
        ``enumeration.configurations`` is empty (the configurations are solved as they
        are built) and ``enumeration.pruned`` counts the ones cut by a core.
    """

    network: ReLUNetwork
    architecture: tuple[int, ...]
    enumeration: ConfigurationEnumeration
    pieces: tuple[DeepFiberPiece, ...]
    n_empty: int
    empty_reasons: dict[str, int]
    status: str
    reason: str
    cores: tuple[tuple[FiberConfiguration, EmptinessCertificate], ...] = ()

    @property
    def is_empty(self) -> bool:
        """True when no transparent parameter of the architecture computes ``f`` (proved when complete)."""
        return self.status == "complete" and all(p.kind == "empty" for p in self.pieces)

    @property
    def samples(self) -> tuple[ReLUNetwork, ...]:
        """All samples of all pieces."""
        return tuple(s for p in self.pieces for s in p.samples)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "architecture": list(self.architecture),
            "status": self.status,
            "reason": self.reason,
            "scope": SCOPE,
            "enumeration": self.enumeration.to_dict(),
            "n_empty": self.n_empty,
            "empty_reasons": dict(self.empty_reasons),
            "pieces": [p.to_dict() for p in self.pieces],
            "cores": [
                {"configuration": c.to_dict(), "certificate": cert.to_dict()} for c, cert in self.cores
            ],
        }


def require_seconds(max_seconds: Any) -> None:
    """Raise :class:`~relu_geom.InvalidInputError` unless ``max_seconds`` is None or a positive number."""
    if max_seconds is not None and (
        isinstance(max_seconds, bool) or not isinstance(max_seconds, (int, float)) or not max_seconds > 0
    ):
        raise InvalidInputError(
            f"max_seconds: expected a positive number or None, got {short_repr(max_seconds, 40)}"
        )


def refuse_domain(domain: Any) -> None:
    """Raise :class:`~relu_geom.UnsupportedInputError` unless ``domain`` is None (``R^d``)."""
    if domain is not None:
        raise UnsupportedInputError(
            "domain: deep fibers and identifiability are computed over R^d only; over a box the fiber "
            "is larger (only f on the box matters) and is not described by the configurations"
        )


def _arch(net: ReLUNetwork, architecture: Sequence[int] | None) -> tuple[int, ...]:
    if architecture is None:
        return tuple(net.architecture)
    if not isinstance(architecture, (list, tuple)):
        raise InvalidInputError(f"architecture: expected a list of widths, got {type(architecture).__name__}")
    return tuple(require_int(v, "architecture", minimum=0) for v in architecture)


def deep_fiber(
    net: ReLUNetwork,
    architecture: Sequence[int] | None = None,
    *,
    max_configurations: int = 20000,
    stop_outside: bool = False,
    domain: Any = None,
    max_seconds: float | None = None,
    cores: bool = True,
    max_choices: int = MAX_CHOICES,
) -> DeepFiber:
    """The fiber of ``net`` in ``architecture`` (default its own) as configuration sets.

    Parameters
    ----------
    net
        The network whose function ``f`` is realized (over ``R^d``).
    architecture
        The target architecture ``(d, n_1, ..., n_L, m)``.
    max_configurations, max_choices
        Passed to :func:`fiber_configurations`.
    stop_outside
        Stop at the first piece with a certified point outside the orbit (the
        fiber is then ``"partial"``).
    domain
        Only ``None`` (all of ``R^d``).  Over a box the fiber is larger (only ``f``
        on the box matters: zero sets may leave the box, neurons may be affine or
        dead on it), which the configurations do not describe, so any other value
        raises :class:`~relu_geom.UnsupportedInputError`.
    max_seconds
        Stop with :class:`~relu_geom.LimitExceededError` after this many seconds (checked
        before every configuration is solved; the exact elimination of one configuration
        takes up to about a second, ``[2, 3, 2, 1]`` for a ``[2, 2, 2, 1]`` network has 119).
    cores
        Prove configurations empty by certified cores of their equations shared between
        them (``docs/fibers.md``, "Emptiness shared between configurations"), solving each
        configuration as the enumeration builds it and cutting every sign subtree that
        contains a known core; ``max_configurations`` then bounds the configurations left
        to solve.  False: enumerate every configuration first, then solve them one by
        one (the solver's emptiness proofs are then counted without certificates).  The
        verdicts are the same.

    Returns
    -------
    DeepFiber
        Pieces of kind ``"orbit"``, ``"hidden"`` and ``"unresolved"``; empty
        configurations are counted with their proofs.  An architecture that cannot
        realize ``f`` gives an empty fiber with the reason.

    Notes
    -----
    Scope: the *transparent* part of the fiber, the parameters all of whose zero sets
    lie on the breakpoint locus of ``f`` with exactly one neuron on each breakpoint
    facet and none vanishing on an open set (``docs/fibers.md``, section 6).  Every
    sample is checked with :func:`~relu_geom.functionally_equivalent`.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[1, 1]]], [[0, 0], [0]])
    >>> fib = rg.deep_fiber(net)
    >>> [p.kind for p in fib.pieces], fib.status
    (['orbit'], 'complete')
    >>> rg.deep_fiber(rg.zoo.bent_2d(), (2, 3, 1)).reason
    'the depth bound 2 exceeds the 1 hidden layers of the architecture'
    """
    require_network(net)
    refuse_domain(domain)
    require_seconds(max_seconds)
    if not isinstance(cores, bool):
        raise InvalidInputError(f"cores: expected True or False, got {short_repr(cores, 40)}")
    require_int(max_choices, "max_choices", minimum=1)
    t0 = time.monotonic()
    arch = _arch(net, architecture)
    data = function_data(net)
    if cores:
        return _solve_with_cores(
            net, arch, data, max_configurations, max_choices, stop_outside, max_seconds, t0
        )
    en = fiber_configurations(data, arch, max_configurations=max_configurations, max_choices=max_choices)
    if en.status != "complete":
        return DeepFiber(net, arch, en, (), 0, {}, "undecided", en.reason)
    return _solve_all(net, arch, en, en.configurations, stop_outside, max_seconds, t0)


class _Stop(Exception):  # noqa: N818 - control flow inside deep_fiber only
    pass


class _Solver:
    """The per-configuration work of :func:`deep_fiber`: pieces and empty counts accumulate."""

    def __init__(self, net: ReLUNetwork, arch: tuple[int, ...], stop_outside: bool):
        self.net = net
        self.own = arch == tuple(net.architecture)
        self.stop_outside = stop_outside
        self.pieces: list[DeepFiberPiece] = []
        self.empty: dict[str, int] = {}
        self.unresolved = 0

    def count(self, why: str, n: int = 1) -> None:
        if n:
            self.empty[why] = self.empty.get(why, 0) + n

    def solve(self, cfg: FiberConfiguration) -> None:
        """Solve one configuration; raises :class:`_Stop` at a point outside the orbit when asked to."""
        net, own, pieces = self.net, self.own, self.pieces
        try:
            sol = solve_configuration(cfg)
        except LimitExceededError as exc:
            sol = ConfigurationSolution("unresolved", (), 0, str(exc))
        if sol.status == "empty":
            self.count(sol.reason)
            return
        good = []
        witness = None
        for eta in sol.networks:
            res = functionally_equivalent(net, eta)
            if res.equivalent:
                good.append(eta)
            elif witness is None:
                witness = res.witness
        if sol.status == "point" and not good:
            self.count("its only point does not compute f")
            return
        if sol.status == "points" and not good:
            self.count("none of its finitely many real points computes f")
            return
        if not good:
            cert = emptiness_certificate(cfg)
            if cert is not None and check_emptiness_certificate(cfg, cert):
                why = f"certified empty ({cert.kind})"
                self.count(why)
                pieces.append(DeepFiberPiece(cfg, "empty", None, (), why, "empty", None, cert))
                return
            self.unresolved += 1
            pieces.append(DeepFiberPiece(cfg, "unresolved", None, (), sol.reason or "no sample computes f"))
            return
        outside = [eta for eta in good if not own or same_up_to_symmetry(net, eta) is None]
        if sol.status in ("point", "points") and not outside:
            decision, bounds = _decide(cfg, sol, good)
            orbit = rank([list(u) for u in _rescaling_directions(good[0])])
            pieces.append(DeepFiberPiece(cfg, "orbit", orbit, tuple(good), "", decision, bounds))
            return
        if outside:
            decision, bounds = _decide(cfg, sol, outside)
            dim = bounds[0] if bounds is not None and bounds[0] == bounds[1] else None
            kind = "hidden" if own else "realization"
            pieces.append(DeepFiberPiece(cfg, kind, dim, tuple(outside), sol.reason, decision, bounds))
            if self.stop_outside and own:
                raise _Stop
            return
        self.unresolved += 1
        pieces.append(
            DeepFiberPiece(
                cfg, "unresolved", None, tuple(good), f"samples lie in the orbit; {sol.reason}".rstrip("; ")
            )
        )

    def result(self, arch: tuple[int, ...], en: ConfigurationEnumeration, stopped: bool) -> DeepFiber:
        n_empty = sum(self.empty.values())
        if stopped:
            return DeepFiber(
                self.net, arch, en, tuple(self.pieces), n_empty, self.empty, "partial",
                "stopped at a point outside the orbit",
            )  # fmt: skip
        status = "complete" if not self.unresolved else "undecided"
        reason = (
            en.reason
            if not en.configurations and not n_empty and not self.pieces
            else ("" if not self.unresolved else f"{self.unresolved} configurations unresolved")
        )
        return DeepFiber(self.net, arch, en, tuple(self.pieces), n_empty, self.empty, status, reason)


def _time_check(max_seconds: float | None, t0: float, done: int, total: str) -> None:
    spent = time.monotonic() - t0
    if max_seconds is not None and spent > max_seconds:
        raise LimitExceededError(
            f"deep_fiber: limit max_seconds={max_seconds} exceeded: {spent:.1f} s spent, "
            f"{done} of {total} configurations solved"
        )


def _solve_all(
    net: ReLUNetwork,
    arch: tuple[int, ...],
    en: ConfigurationEnumeration,
    configurations: Sequence[FiberConfiguration],
    stop_outside: bool,
    max_seconds: float | None,
    t0: float,
) -> DeepFiber:
    """Solve every configuration one by one (no shared cores)."""
    solver = _Solver(net, arch, stop_outside)
    for done, cfg in enumerate(configurations):
        _time_check(max_seconds, t0, done, str(len(configurations)))
        try:
            solver.solve(cfg)
        except _Stop:
            return solver.result(arch, en, True)
    return solver.result(arch, en, False)


def _solve_with_cores(
    net: ReLUNetwork,
    arch: tuple[int, ...],
    data: Any,
    max_configurations: int,
    max_choices: int,
    stop_outside: bool,
    max_seconds: float | None,
    t0: float,
) -> DeepFiber:
    """Solve the configurations as the enumeration builds them, each first tried for a certified
    core (:class:`~relu_geom.analyses.fibers.variety._CoreSearch`); the enumeration cuts every
    sign subtree that contains a core found so far."""
    solver = _Solver(net, arch, stop_outside)
    search = _CoreSearch(data, arch)
    visited = [0]

    class Visitor:
        cores = search.cores

        @staticmethod
        def visit(cfg: FiberConfiguration) -> None:
            _time_check(max_seconds, t0, visited[0], "the")
            visited[0] += 1
            if visited[0] > max_configurations:
                raise LimitExceededError(
                    f"max_configurations={max_configurations} reached: {max_configurations} configurations "
                    "left after the pruning and the shared cores were solved, and more remain"
                )
            got = search.core_of(cfg)
            if got is not None:
                solver.count(f"certified empty by a core of its equations ({got[1].kind})")
                return
            solver.solve(cfg)

    stopped = False
    try:
        en, _ = _enumerate(data, arch, max_configurations, max_choices, visitor=Visitor)
    except _Stop:
        stopped = True
        en = ConfigurationEnumeration(arch, (), 0, 0, {}, "complete", "")
    if en.status != "complete":
        return DeepFiber(net, arch, en, (), 0, {}, "undecided", en.reason)
    solver.count(_CORE, en.pruned.get(_CORE, 0))
    used = tuple((cfg, cert) for cfg, (_labels, cert) in zip(search.witnesses, search.cores))
    return replace(solver.result(arch, en, stopped), cores=used)


def _points(nets: list, reason: str) -> ConfigurationSolution:
    """The finitely many realizations ``nets`` of a configuration set, or "empty" without one."""
    return ConfigurationSolution("points" if nets else "empty", tuple(nets), 0, reason)
