"""Configuration varieties (paper 000, Definitions C.2 and C.3) as exact SymPy systems.

For a configuration ``(phi, s)`` (:mod:`relu_geom.analyses.fibers.configurations`) and
a facet ``sigma`` with ``n . x = beta`` (primitive normal ``n``) and neuron
``phi(sigma) = (l, j)``, the pre-activation of ``(l, j)`` under the pattern ``s(sigma)``
is an affine function ``g_sigma(eta) . x + t_sigma(eta)`` whose coefficients are
polynomials in the parameters ``eta``; ``v_sigma(eta)`` is the derivative of the output
with respect to that neuron's activation under the same pattern, the product
``W_{L+1} D_L W_L ... D_{l+1} W_{l+1} e_j``.  The variety lives in ``(eta, lambda,
delta)`` and is cut out by

* geometric alignment ``g_sigma = delta_sigma lambda_sigma n``,
  ``t_sigma = -delta_sigma lambda_sigma beta``;
* tropical weight matching ``lambda_sigma v_sigma = c_hat_sigma`` with
  ``c_hat = c_f(sigma) / |n|^2`` (the jump of the gradient across ``sigma`` is
  ``c_hat n^T``: with ``g = delta lambda n`` the neuron's own contribution to the jump
  is ``lambda v n^T`` from whichever side, so ``lambda > 0`` exactly when the jump
  has the right sign);
* ``delta_sigma^2 = 1``;

and, as a separate group (``region_equations``), the affine map of ``eta`` under the
pattern of each side of each facet equals ``f``'s on the linear region there
(alignment and weight matching fix only the jumps, not the affine part).  The
inequalities (``lambda_sigma > 0``, the signs of ``s(sigma)`` at an interior point of
each facet) are necessary conditions, kept as SymPy relations.  Here ``delta`` is
also fixed by the configuration (:attr:`FiberConfiguration.facet_deltas`); the
variety keeps it as an unknown with ``delta^2 = 1`` as in the paper, and
:meth:`ConfigurationVariety.point_of` reads it off.

Emptiness shared between configurations (:class:`_CoreSearch`, private): the certificate
system of a configuration with ``delta`` fixed is a union of equation groups, each a
function of a short *label* (:func:`_configuration_labels`); a set of labels whose
equations have no common zero, a *core*, proves empty every configuration whose labels
contain it.  Cores are found by exact elimination that records the labels each
equation comes from, cut down to minimal ones, and used only with an
:class:`EmptinessCertificate` (``core`` set) that :func:`check_emptiness_certificate`
accepts on the configuration they came from (it rebuilds the label equations from that
configuration, :func:`_label_equations`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from relu_geom.analyses.fibers.configurations import FiberConfiguration, FunctionData
from relu_geom.arith.linalg import rank
from relu_geom.errors import InvalidInputError, LimitExceededError
from relu_geom.network.transforms import require_int

__all__ = [
    "ConfigurationVariety",
    "EmptinessCertificate",
    "affine_chain",
    "certificate_system",
    "check_emptiness_certificate",
    "configuration_variety",
    "emptiness_certificate",
    "output_derivative",
]


def affine_chain(
    weights: Sequence[Any], biases: Sequence[Any], signs: Sequence[Sequence[int]], layers: int, d: int
) -> tuple[list[list[Any]], list[Any]]:
    """``a_layers(x) = M x + c`` under fixed signs (+1 active, else inactive), entries of any ring.

    ``weights[l]`` / ``biases[l]`` are ``W_{l+1}``, ``b_{l+1}`` as nested lists;
    ``signs[l]`` the signs of hidden layer ``l + 1``.
    """
    M: list[list[Any]] = [[int(i == k) for k in range(d)] for i in range(d)]
    c: list[Any] = [0] * d
    for ell in range(layers):
        W, b = weights[ell], biases[ell]
        zM = [[sum((W[i][r] * M[r][k] for r in range(len(M))), 0) for k in range(d)] for i in range(len(W))]
        zc = [sum((W[i][r] * c[r] for r in range(len(c))), 0) + b[i] for i in range(len(W))]
        on = signs[ell]
        M = [row if on[i] > 0 else [0] * d for i, row in enumerate(zM)]
        c = [v if on[i] > 0 else 0 for i, v in enumerate(zc)]
    return M, c


def output_derivative(
    weights: Sequence[Any], signs: Sequence[Sequence[int]], layer: int, j: int
) -> list[Any]:
    """``W_{L+1} D_L ... D_{layer+1} W_{layer+1} e_j``: the output's derivative by neuron ``(layer, j)``."""
    vec: list[Any] = [int(k == j) for k in range(len(weights[layer - 1]))]
    for ell in range(layer, len(weights)):
        W = weights[ell]
        vec = [sum((W[i][r] * vec[r] for r in range(len(vec))), 0) for i in range(len(W))]
        if ell < len(weights) - 1:
            vec = [v if signs[ell][i] > 0 else 0 for i, v in enumerate(vec)]
    return vec


def _terms(e: Any, gens: Sequence[Any]) -> list[tuple[tuple[int, ...], Fraction]]:
    """The terms ``(exponents, coefficient)`` of a polynomial with rational coefficients.

    The polynomial is built over the generators that occur in ``e`` only (a dense
    polynomial over all of them costs far more: dozens of unknowns, few in each
    equation), and its exponents are spread back to ``gens``; the terms are cached
    (the same equations are read at several points).
    """
    return list(_terms_cached(e, tuple(gens)))


@functools.lru_cache(maxsize=4096)
def _terms_cached(e: Any, gens: tuple[Any, ...]) -> tuple[tuple[tuple[int, ...], Fraction], ...]:
    import sympy

    free = e.free_symbols
    if not free <= set(gens):
        use, where = gens, list(range(len(gens)))
    else:
        where = [i for i, g in enumerate(gens) if g in free]
        use = tuple(gens[i] for i in where)
    if not use:
        value = sympy.Rational(e)
        return () if value == 0 else (((0,) * len(gens), Fraction(int(value.p), int(value.q))),)
    out = []
    for mon, c in sympy.Poly(e, *use).terms():
        full = [0] * len(gens)
        for i, k in zip(where, mon):
            full[i] = k
        out.append((tuple(full), Fraction(int(c.p), int(c.q))))
    return tuple(out)


def _monomial(c: Fraction, mon: Sequence[int], at: Sequence[Fraction]) -> Fraction:
    """``c * prod(at[i] ** mon[i])``."""
    v = c
    for x, k in zip(at, mon):
        if k:
            v *= x**k
    return v


def _split(flat: Sequence[int], widths: Sequence[int]) -> list[list[int]]:
    out, k = [], 0
    for w in widths:
        out.append(list(flat[k : k + w]))
        k += w
    return out


@dataclass(frozen=True, slots=True)
class ConfigurationVariety:
    """The polynomial system of one configuration.

    Attributes
    ----------
    config : FiberConfiguration
    weights, biases : nested lists of sympy Symbols
        ``eta``: ``W{l}_{i}_{j}`` and ``b{l}_{i}``.
    lambdas, deltas : tuple of sympy Symbols
        One per breakpoint facet.
    alignment, weight_matching, sign_equations, region_equations : tuple of sympy Expr
        Each expression ``= 0``.
    inequalities : tuple of sympy Relational
        Necessary strict inequalities.
    """

    config: FiberConfiguration
    weights: tuple[Any, ...]
    biases: tuple[Any, ...]
    lambdas: tuple[Any, ...]
    deltas: tuple[Any, ...]
    alignment: tuple[Any, ...]
    weight_matching: tuple[Any, ...]
    sign_equations: tuple[Any, ...]
    region_equations: tuple[Any, ...]
    inequalities: tuple[Any, ...]

    @property
    def parameters(self) -> tuple[Any, ...]:
        """The symbols of ``eta`` in the order of :meth:`ReLUNetwork.parameters`."""
        out = []
        for W, b in zip(self.weights, self.biases):
            for row in W:
                out.extend(row)
            out.extend(b)
        return tuple(out)

    @property
    def gens(self) -> tuple[Any, ...]:
        """All unknowns: ``eta``, then the ``lambda``, then the ``delta``."""
        return self.parameters + self.lambdas + self.deltas

    @property
    def equations(self) -> tuple[Any, ...]:
        """Definition C.3 plus the region equations."""
        return self.alignment + self.weight_matching + self.sign_equations + self.region_equations

    def point_of(self, eta: Any) -> dict[Any, Fraction] | None:
        """The point ``(eta, lambda, delta)`` of a network on the variety, or None if it is not on it.

        ``lambda_sigma`` and ``delta_sigma`` are read off the alignment equations.
        """
        cfg = self.config
        data = cfg.data
        ws = [[list(r) for r in W] for W in eta.weights]
        bs = [list(b) for b in eta.biases]
        widths = cfg.architecture[1:-1]
        point: dict[Any, Fraction] = dict(zip(self.parameters, eta.parameters()))
        for k, f in enumerate(data.facets):
            ell, j = cfg.neuron_of_facet(k)
            signs = _split(cfg.facet_pattern(k), widths)
            M, c = affine_chain(ws, bs, signs, ell - 1, data.input_dim)
            g = [
                sum((ws[ell - 1][j][r] * M[r][q] for r in range(len(M))), Fraction(0))
                for q in range(data.input_dim)
            ]
            q0 = next(q for q, v in enumerate(f.normal) if v)
            lam = g[q0] / f.normal[q0]
            point[self.lambdas[k]] = abs(lam)
            point[self.deltas[k]] = Fraction(1 if lam >= 0 else -1)
        gens = self.gens
        at = [point[g] for g in gens]
        for e in self.equations:
            if sum((_monomial(c, mon, at) for mon, c in _terms(e, gens)), Fraction(0)):
                return None
        return point

    def satisfies(self, point: dict[Any, Any]) -> bool:
        """True when every inequality holds at ``point`` (exact rationals)."""
        gens = self.gens
        at = [Fraction(point[g]) for g in gens]
        for rel in self.inequalities:
            v = sum((_monomial(c, mon, at) for mon, c in _terms(rel.lhs - rel.rhs, gens)), Fraction(0))
            if not (v > 0 if rel.rel_op in (">", ">=") else v < 0) and not (
                v == 0 and rel.rel_op in (">=", "<=")
            ):
                return False
        return True

    def jacobian_rank(self, point: dict[Any, Any]) -> int:
        """The exact rank of the Jacobian of :attr:`equations` at ``point`` (exact rationals)."""
        gens = self.gens
        at = [Fraction(point[g]) for g in gens]
        rows = []
        for e in self.equations:
            row = [Fraction(0)] * len(gens)
            for mon, c in _terms(e, gens):
                for j, k in enumerate(mon):
                    if k:
                        lower = list(mon)
                        lower[j] -= 1
                        row[j] += k * _monomial(c, lower, at)
            rows.append(row)
        return rank(rows) if rows else 0

    def dimension_at(self, point: dict[Any, Any]) -> int:
        """``#unknowns - rank(Jacobian)`` at ``point``: the dimension of the tangent space there.

        It bounds the local dimension of the variety from above and equals it at smooth points.
        """
        return len(self.gens) - self.jacobian_rank(point)

    def is_empty(self, *, max_gens: int = 40) -> str | None:
        """A proof that the variety has no complex point, or None if none was found.

        Returns a reason string when the linear equations are inconsistent or the
        reduced Groebner basis of all equations is ``[1]``.  Raises
        :class:`~relu_geom.LimitExceededError` when more than ``max_gens`` unknowns
        remain after the linear equations are solved.
        """
        import sympy

        if any(i is sympy.false for i in self.inequalities):
            return "a necessary inequality is false"
        eqs = [sympy.expand(e) for e in self.equations]
        eqs = [e for e in eqs if e != 0]
        if any(e.is_number for e in eqs):
            return "an equation reduces to a nonzero constant"
        gens = [s for s in self.gens if any(e.has(s) for e in eqs)]
        if not gens:
            return None
        if len(gens) > max_gens:
            raise LimitExceededError(f"max_gens={max_gens} reached: the system has {len(gens)} unknowns")
        G = sympy.groebner(eqs, *gens, order="grevlex")
        if list(G.exprs) == [1]:
            return "the Groebner basis of the equations is [1]"
        return None


def configuration_variety(config: FiberConfiguration) -> ConfigurationVariety:
    """The configuration variety of Definition C.3 for ``config`` (plus the region equations).

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[1, 1]]], [[0, 0], [0]])
    >>> cfg = rg.fiber_configurations(net, (2, 2, 1)).configurations[0]
    >>> var = rg.configuration_variety(cfg)
    >>> len(var.gens), len(var.alignment), len(var.weight_matching)
    (17, 12, 4)
    >>> var.point_of(net) is None   # phi sends the line y = 0 to neuron 0
    True
    >>> point = var.point_of(net.permute_layer(1, [1, 0]))
    >>> var.dimension_at(point)   # the two rescalings
    2
    """
    if not isinstance(config, FiberConfiguration):
        raise InvalidInputError(
            f"config: expected a FiberConfiguration (from rg.fiber_configurations), got {type(config).__name__}"
        )
    import sympy

    arch = config.architecture
    data = config.data
    d, m = arch[0], arch[-1]
    L = len(arch) - 2
    widths = arch[1:-1]
    W = tuple(
        [[sympy.Symbol(f"W{ell}_{i}_{j}") for j in range(arch[ell - 1])] for i in range(arch[ell])]
        for ell in range(1, L + 2)
    )
    B = tuple([sympy.Symbol(f"b{ell}_{i}") for i in range(arch[ell])] for ell in range(1, L + 2))
    nF = len(data.facets)
    lam = tuple(sympy.Symbol(f"lam{k}") for k in range(nF))
    dl = tuple(sympy.Symbol(f"delta{k}") for k in range(nF))
    align: list[Any]
    match: list[Any]
    align, match, sign_eq, ineq = [], [], [], []
    Wl = [list(x) for x in W]
    Bl = [list(x) for x in B]

    def q(v: Fraction) -> Any:
        return sympy.Rational(v.numerator, v.denominator)

    for k, f in enumerate(data.facets):
        ell, j = config.neuron_of_facet(k)
        signs = _split(config.facet_pattern(k), widths)
        M, c = affine_chain(Wl, Bl, signs, ell - 1, d)
        g = [sympy.expand(sum(W[ell - 1][j][r] * M[r][qq] for r in range(len(M)))) for qq in range(d)]
        t = sympy.expand(sum(W[ell - 1][j][r] * c[r] for r in range(len(c))) + B[ell - 1][j])
        align.extend(sympy.expand(g[qq] - dl[k] * lam[k] * f.normal[qq]) for qq in range(d))
        align.append(sympy.expand(t + dl[k] * lam[k] * q(f.beta)))
        v = output_derivative(Wl, signs, ell, j)
        match.extend(sympy.expand(lam[k] * v[i] - q(f.c_hat[i])) for i in range(m))
        sign_eq.append(dl[k] ** 2 - 1)
        ineq.append(lam[k] > 0)
    regions = []
    for region, pattern in config.side_patterns:
        A, c_f = data.regions[region]
        signs = _split(pattern, widths)
        M, c = affine_chain(Wl, Bl, signs, L, d)
        for i in range(m):
            for qq in range(d):
                regions.append(sympy.expand(sum(W[L][i][r] * M[r][qq] for r in range(len(M))) - q(A[i][qq])))
            regions.append(sympy.expand(sum(W[L][i][r] * c[r] for r in range(len(c))) + B[L][i] - q(c_f[i])))
    for k in range(nF):
        signs = _split(config.facet_pattern(k), widths)
        x = data.facets[k].point
        own_layer = config.neuron_of_facet(k)[0]
        # beyond the facet's own layer the pre-activations read the undefined signs of that layer
        top = L if widths[own_layer - 1] == 1 else own_layer
        for ell in range(1, top + 1):
            Mz, cz = affine_chain(Wl, Bl, signs, ell - 1, d)
            for i in range(widths[ell - 1]):
                if signs[ell - 1][i] == 0:
                    continue
                z = sum(
                    W[ell - 1][i][r] * (sum(Mz[r][qq] * q(x[qq]) for qq in range(d)) + cz[r])
                    for r in range(len(cz))
                )
                z = sympy.expand(z + B[ell - 1][i])
                ineq.append(z > 0 if signs[ell - 1][i] > 0 else z < 0)
    return ConfigurationVariety(
        config,
        tuple(tuple(tuple(r) for r in w) for w in W),
        tuple(tuple(b) for b in B),
        lam,
        dl,
        tuple(e for e in align if e != 0),
        tuple(e for e in match if e != 0),
        tuple(sign_eq),
        tuple(e for e in regions if e != 0),
        tuple(i for i in ineq if i is not sympy.true),
    )


@dataclass(frozen=True, slots=True)
class EmptinessCertificate:
    """A proof that the configuration set of a configuration has no real point.

    The system is that of :func:`certificate_system`: the equations of the
    configuration variety, ``delta_k = facet_deltas[k]`` (the configuration fixes
    them) and the gauge ``lambda = 1`` on the first facet of every neuron carrying
    facets (a positive rescaling of the neuron moves any point there); the
    inequalities are the variety's, each written ``q > 0``.

    Attributes
    ----------
    kind : str
        ``"farkas"`` or ``"groebner"``.
    substitutions : tuple of (int, str)
        Exact linear eliminations in order: equation ``i``, after the earlier
        substitutions, is ``c u + r`` with a nonzero rational ``c`` and ``u`` (named)
        not in ``r``; ``u = -r / c`` is substituted everywhere.
    equation_multipliers, inequality_multipliers : tuple of (int, Fraction)
        ``"farkas"``: rationals ``z_i`` and ``y_j >= 0`` such that, after the
        substitutions, ``sum z_i e_i + sum y_j q_j`` is identically the rational
        ``constant``, with ``constant < 0`` or (``constant == 0`` and some
        ``y_j > 0``): at a point this would be ``0 <= ... < 0`` or ``0 < ... <= 0``.
    constant : Fraction
    remaining : tuple of int
        ``"groebner"``: the equations whose reduced Groebner basis, after the
        substitutions, is ``[1]`` (no complex point at all).
    core : tuple of tuple
        Empty: the system is :func:`certificate_system`.  Otherwise a *core*: labels of
        equation groups of that system (``docs/fibers.md``, "Emptiness shared between
        configurations"); the system is then the equations of these groups only, in
        this order, with ``delta`` replaced by the configuration's orientations and no
        inequalities.  It is a subsystem of every configuration whose groups include
        these labels, so one core certificate proves all of them empty.
    """

    kind: str
    substitutions: tuple[tuple[int, str], ...]
    equation_multipliers: tuple[tuple[int, Fraction], ...] = ()
    inequality_multipliers: tuple[tuple[int, Fraction], ...] = ()
    constant: Fraction = Fraction(0)
    remaining: tuple[int, ...] = ()
    core: tuple[tuple[Any, ...], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (rationals as strings)."""
        return {
            "kind": self.kind,
            "substitutions": [[i, u] for i, u in self.substitutions],
            "equation_multipliers": [[i, str(v)] for i, v in self.equation_multipliers],
            "inequality_multipliers": [[j, str(v)] for j, v in self.inequality_multipliers],
            "constant": str(self.constant),
            "remaining": list(self.remaining),
            "core": [_label_json(lab) for lab in self.core],
        }


_Label = tuple[Any, ...]


def _label_json(label: _Label) -> list[Any]:
    """A label with its tuples as lists (JSON)."""
    return [_label_json(v) if isinstance(v, tuple) else v for v in label]


def _configuration_labels(config: FiberConfiguration) -> frozenset[_Label]:
    """The labels of the equation groups of ``config``'s certificate system.

    ``("G", k)``: the gauge ``lambda_k = 1`` (``k`` the first facet of its neuron);
    ``("A", k, neuron, delta, before)``: the alignment of facet ``k``, which reads the
    signs of the layers before the neuron's only; ``("M", k, neuron, after)``: its weight
    matching, which reads the layers after it only; ``("R", region, pattern)``: the
    region equations of one side pattern.  The equations of a label are a function of
    the label alone (and of ``f``).
    """
    widths = config.architecture[1:-1]
    out: set[_Label] = set()
    seen: set[tuple[int, int]] = set()
    for k in range(len(config.data.facets)):
        neuron = config.neuron_of_facet(k)
        ell = neuron[0]
        signs = tuple(tuple(s) for s in _split(config.facet_pattern(k), widths))
        if neuron not in seen:
            seen.add(neuron)
            out.add(("G", k))
        out.add(("A", k, neuron, config.facet_deltas[k], signs[: ell - 1]))
        out.add(("M", k, neuron, signs[ell:]))
    for region, pattern in config.side_patterns:
        out.add(("R", region, tuple(pattern)))
    return frozenset(out)


def _label_equations(config: FiberConfiguration, labels: Sequence[_Label]) -> list[list[Any]] | None:
    """The equations (SymPy, each ``= 0``, nonzero) of each label, rebuilt from ``config``;
    None when a label is not one of ``config``'s (:func:`_configuration_labels`).

    They are those of :func:`certificate_system` with ``delta_k`` replaced by
    ``facet_deltas[k]``: the alignment and weight matching of the label's facet, the
    gauge, the region equations of the label's side pattern.
    """
    import sympy

    own = _configuration_labels(config)
    if any(not isinstance(lab, tuple) or lab not in own for lab in labels):
        return None
    arch = config.architecture
    data = config.data
    d, m = arch[0], arch[-1]
    L = len(arch) - 2
    widths = arch[1:-1]
    W = [
        [[sympy.Symbol(f"W{ell}_{i}_{j}") for j in range(arch[ell - 1])] for i in range(arch[ell])]
        for ell in range(1, L + 2)
    ]
    B = [[sympy.Symbol(f"b{ell}_{i}") for i in range(arch[ell])] for ell in range(1, L + 2)]

    def q(v: Fraction) -> Any:
        return sympy.Rational(v.numerator, v.denominator)

    out = []
    for lab in labels:
        eqs: list[Any] = []
        if lab[0] == "G":
            eqs = [sympy.Symbol(f"lam{lab[1]}") - 1]
        elif lab[0] in ("A", "M"):
            k = lab[1]
            f = data.facets[k]
            ell, j = config.neuron_of_facet(k)
            signs = _split(config.facet_pattern(k), widths)
            lam = sympy.Symbol(f"lam{k}")
            if lab[0] == "A":
                delta = config.facet_deltas[k]
                M, c = affine_chain(W, B, signs, ell - 1, d)
                for qq in range(d):
                    eqs.append(sum(W[ell - 1][j][r] * M[r][qq] for r in range(len(M))) - delta * lam * f.normal[qq])
                eqs.append(sum(W[ell - 1][j][r] * c[r] for r in range(len(c))) + B[ell - 1][j] + delta * lam * q(f.beta))
            else:
                v = output_derivative(W, signs, ell, j)
                eqs = [lam * v[i] - q(f.c_hat[i]) for i in range(m)]
        else:
            _, region, pattern = lab
            A, c_f = data.regions[region]
            M, c = affine_chain(W, B, _split(pattern, widths), L, d)
            for i in range(m):
                for qq in range(d):
                    eqs.append(sum(W[L][i][r] * M[r][qq] for r in range(len(M))) - q(A[i][qq]))
                eqs.append(sum(W[L][i][r] * c[r] for r in range(len(c))) + B[L][i] - q(c_f[i]))
        eqs = [sympy.expand(e) for e in eqs]
        out.append([e for e in eqs if e != 0])
    return out


def certificate_system(config: FiberConfiguration) -> tuple[list[Any], list[Any], tuple[Any, ...]]:
    """``(equations, inequalities q > 0, unknowns)`` of the certificates (see :class:`EmptinessCertificate`)."""
    var = configuration_variety(config)
    eqs = list(var.equations)
    eqs += [d - config.facet_deltas[k] for k, d in enumerate(var.deltas)]
    first: dict[Any, int] = {}
    for k in range(len(config.data.facets)):
        first.setdefault(config.neuron_of_facet(k), k)
    eqs += [var.lambdas[k] - 1 for k in sorted(first.values())]
    ineqs = [
        (rel.lhs - rel.rhs) if rel.rel_op in (">", ">=") else (rel.rhs - rel.lhs) for rel in var.inequalities
    ]
    return eqs, ineqs, var.gens


def emptiness_certificate(
    config: FiberConfiguration, *, max_gens: int = 16, core: bool = False
) -> EmptinessCertificate | None:
    """Look for an :class:`EmptinessCertificate` of ``config``'s configuration set; None if none is found.

    Exact linear elimination, then an exact LP (:func:`relu_geom.arith.lp.solve_lp`)
    for Farkas multipliers of the equations and strict inequalities, read as linear
    in their monomials, then (at most ``max_gens`` unknowns left) a Groebner basis.

    With ``core=True``: a certificate of a minimal *core* instead (``cert.core``: labels
    of equation groups whose equations alone have no zero, found by exact elimination;
    ``docs/fibers.md``, "Emptiness shared between configurations"), which proves empty
    every configuration holding those labels; returned only when
    :func:`check_emptiness_certificate` accepts it on ``config``.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[1, 1]]], [[0, 0], [0]])
    >>> cfg = rg.fiber_configurations(net, (2, 2, 1)).configurations[0]
    >>> rg.emptiness_certificate(cfg) is None   # it holds the swapped network
    True
    >>> import dataclasses
    >>> flipped = dataclasses.replace(cfg, facet_deltas=tuple(-d for d in cfg.facet_deltas))
    >>> cert = rg.emptiness_certificate(flipped, core=True)
    >>> sorted(label[0] for label in cert.core), rg.check_emptiness_certificate(flipped, cert)
    (['A', 'M', 'R'], True)
    """
    require_int(max_gens, "max_gens", minimum=0)
    if not isinstance(core, bool):
        raise InvalidInputError(f"core: expected True or False, got {type(core).__name__}")
    if core:
        got = _CoreSearch(config.data, config.architecture, max_gens=max_gens).core_of(config)
        return None if got is None else got[1]
    eqs_e, ineqs_e, gens = certificate_system(config)
    return _system_certificate(eqs_e, ineqs_e, gens, max_gens)


def _system_certificate(
    eqs_e: Sequence[Any], ineqs_e: Sequence[Any], gens: Sequence[Any], max_gens: int, core: tuple[Any, ...] = ()
) -> EmptinessCertificate | None:
    """The search of :func:`emptiness_certificate` on a given system (``core`` goes into the certificate)."""
    import sympy

    from relu_geom.arith.lp import solve_lp

    R = sympy.ring(list(gens), sympy.QQ)[0]
    X = R.gens
    eqs = [R.from_expr(e) if e != 0 else R.zero for e in eqs_e]
    ineqs = [R.from_expr(q) for q in ineqs_e]
    subs: list[tuple[int, str]] = []

    def frac(c: Any) -> Fraction:
        return Fraction(int(c.numerator), int(c.denominator))

    def found(eq_mult: Sequence[tuple[int, Fraction]], in_mult: Sequence[tuple[int, Fraction]], c: Fraction):
        return EmptinessCertificate("farkas", tuple(subs), tuple(eq_mult), tuple(in_mult), c, (), core)

    while True:
        for i, p in enumerate(eqs):
            if p.is_ground and p != 0:
                c = frac(p.LC)
                return found([(i, Fraction(-1 if c > 0 else 1))], [], -abs(c))
        for j, q in enumerate(ineqs):
            if q.is_ground and frac(q.LC if q != 0 else 0) <= 0:
                return found([], [(j, Fraction(1))], frac(q.LC if q != 0 else 0))
        pick = None
        for i, p in enumerate(eqs):
            if p == 0:
                continue
            for k in range(len(gens)):
                if p.degree(X[k]) != 1:
                    continue
                lead = p.coeff_wrt(X[k], 1)
                if lead.is_ground:
                    pick = (i, k, lead)
                    break
            if pick is not None:
                break
        if pick is None:
            break
        i, k, lead = pick
        value = -(eqs[i] - lead * X[k]) * (1 / lead.LC)
        subs.append((i, str(gens[k])))
        eqs = [p.compose(X[k], value) if p.degree(X[k]) > 0 else p for p in eqs]
        ineqs = [q.compose(X[k], value) if q.degree(X[k]) > 0 else q for q in ineqs]
    live = [i for i, p in enumerate(eqs) if p != 0]
    monos = sorted({m for p in [eqs[i] for i in live] + ineqs for m in p.itermonoms() if any(m)})
    where = {m: r for r, m in enumerate(monos)}
    n_z, n_y = len(live), len(ineqs)
    if n_z + n_y:
        A_eq = [[Fraction(0)] * (n_z + n_y) for _ in monos]
        const = [Fraction(0)] * (n_z + n_y)
        for col, p in enumerate([eqs[i] for i in live] + ineqs):
            for m, c in p.iterterms():
                if any(m):
                    A_eq[where[m]][col] = frac(c)
                else:
                    const[col] = frac(c)
        # maximize sum y - C subject to: every monomial cancels, C <= 0, z in [-1, 1], y in [0, 1]
        obj = [-v for v in const[:n_z]] + [1 - v for v in const[n_z:]]
        res = solve_lp(
            obj,
            [const],
            [0],
            A_eq or None,
            [0] * len(A_eq) if A_eq else None,
            [(-1, 1)] * n_z + [(0, 1)] * n_y,
            maximize=True,
        )
        if res.status == "optimal" and res.value is not None and res.value > 0 and res.x is not None:
            x = res.x
            c = sum((a * b for a, b in zip(const, x)), Fraction(0))
            return found(
                [(live[r], x[r]) for r in range(n_z) if x[r]],
                [(j, x[n_z + j]) for j in range(n_y) if x[n_z + j]],
                c,
            )
    left = sorted({k for i in live for m in eqs[i].itermonoms() for k, e in enumerate(m) if e})
    if live and len(left) <= max_gens:
        G = sympy.groebner([eqs[i].as_expr() for i in live], *[gens[k] for k in left], order="grevlex")
        if list(G.exprs) == [1]:
            return EmptinessCertificate("groebner", tuple(subs), remaining=tuple(live), core=core)
    return None


def check_emptiness_certificate(config: FiberConfiguration, cert: EmptinessCertificate) -> bool:
    """Re-check an :class:`EmptinessCertificate` exactly (SymPy expressions; no code shared with the search)."""
    import sympy

    if not isinstance(cert, EmptinessCertificate):
        raise InvalidInputError(f"cert: expected an EmptinessCertificate, got {type(cert).__name__}")
    if cert.kind not in ("farkas", "groebner"):
        return False
    if cert.core:
        groups = _label_equations(config, cert.core)
        if groups is None:
            return False
        eqs = [e for group in groups for e in group]
        ineqs: list[Any] = []
        gens = tuple(sorted(set().union(*(e.free_symbols for e in eqs)), key=str)) if eqs else ()
    else:
        eqs, ineqs, gens = certificate_system(config)
    by_name = {str(g): g for g in gens}
    eqs = [sympy.expand(e) for e in eqs]
    ineqs = [sympy.expand(q) for q in ineqs]
    for i, name in cert.substitutions:
        if not (0 <= i < len(eqs)) or name not in by_name:
            return False
        u = by_name[name]
        e = eqs[i]
        c = e.coeff(u, 1)
        if not (c.is_Rational and c != 0) or sympy.expand(e - c * u).has(u):
            return False
        value = -sympy.expand(e - c * u) / c
        eqs = [sympy.expand(p.xreplace({u: value})) for p in eqs]
        ineqs = [sympy.expand(q.xreplace({u: value})) for q in ineqs]
    if cert.kind == "groebner":
        chosen = [eqs[i] for i in cert.remaining if 0 <= i < len(eqs)]
        if len(chosen) != len(cert.remaining) or not chosen:
            return False
        unknowns = sorted(set().union(*(p.free_symbols for p in chosen)), key=str)
        if not unknowns:
            return any(p != 0 for p in chosen)
        return list(sympy.groebner(chosen, *unknowns, order="lex").exprs) == [1]
    total = sympy.Integer(0)
    for i, z in cert.equation_multipliers:
        if not 0 <= i < len(eqs):
            return False
        total += sympy.Rational(z.numerator, z.denominator) * eqs[i]
    for j, y in cert.inequality_multipliers:
        if not 0 <= j < len(ineqs) or y < 0:
            return False
        total += sympy.Rational(y.numerator, y.denominator) * ineqs[j]
    c = cert.constant
    if sympy.expand(total - sympy.Rational(c.numerator, c.denominator)) != 0:
        return False
    return c < 0 or (c == 0 and any(y > 0 for _j, y in cert.inequality_multipliers))


# ----------------------------------------------------------------- cores shared between configurations
def _cost(label: _Label) -> tuple[int, str]:
    """Labels reading fewer signs first (a core made of them is shared by more configurations)."""
    if label[0] == "G":
        n = 0
    elif label[0] in ("A", "M"):
        n = 1 + sum(1 for s in label[-1] for v in s if v)
    else:
        n = 100 + sum(1 for v in label[2] if v)
    return n, str(label)


class _CoreSearch:
    """The labelled equations of one function and architecture, and the search for certified cores.

    Mutable by design: the equations of each label are built once, the certified cores
    accumulate in :attr:`cores` (``(labels, certificate)``).
    """

    def __init__(self, data: FunctionData, architecture: Sequence[int], *, max_gens: int = 16):
        import sympy

        self.data = data
        self.architecture = tuple(architecture)
        self.max_gens = max_gens
        arch = self.architecture
        L = len(arch) - 2
        names = [f"W{ell}_{i}_{j}" for ell in range(1, L + 2) for i in range(arch[ell]) for j in range(arch[ell - 1])]
        names += [f"b{ell}_{i}" for ell in range(1, L + 2) for i in range(arch[ell])]
        names += [f"lam{k}" for k in range(len(data.facets))]
        self.symbols = [sympy.Symbol(n) for n in names]
        self.ring = sympy.ring(self.symbols, sympy.QQ)[0]
        self.gens = self.ring.gens
        at = {n: g for n, g in zip(names, self.gens)}
        self._W = [
            [[at[f"W{ell}_{i}_{j}"] for j in range(arch[ell - 1])] for i in range(arch[ell])]
            for ell in range(1, L + 2)
        ]
        self._B = [[at[f"b{ell}_{i}"] for i in range(arch[ell])] for ell in range(1, L + 2)]
        self._lam = [at[f"lam{k}"] for k in range(len(data.facets))]
        self._eqs: dict[_Label, list[Any]] = {}
        self.cores: list[tuple[frozenset[_Label], EmptinessCertificate]] = []
        self.witnesses: list[FiberConfiguration] = []  # the configuration each core was checked on
        self.n_uncertified = 0

    def equations(self, label: _Label) -> list[Any]:
        """The nonzero equations of one label (sparse polynomials), in the order of the checker's."""
        got = self._eqs.get(label)
        if got is not None:
            return got
        R = self.ring
        arch, data = self.architecture, self.data
        d, m, L = arch[0], arch[-1], len(arch) - 2
        W, B = self._W, self._B

        def q(v: Fraction) -> Any:
            return R(v)

        eqs: list[Any] = []
        if label[0] == "G":
            eqs = [self._lam[label[1]] - 1]
        elif label[0] == "A":
            _, k, (ell, j), delta, before = label
            f = data.facets[k]
            M, c = affine_chain(W, B, [list(s) for s in before], ell - 1, d)
            lam = self._lam[k]
            for qq in range(d):
                eqs.append(sum((W[ell - 1][j][r] * M[r][qq] for r in range(len(M))), R.zero) - delta * lam * f.normal[qq])
            eqs.append(sum((W[ell - 1][j][r] * c[r] for r in range(len(c))), R.zero) + B[ell - 1][j] + delta * lam * q(f.beta))
        elif label[0] == "M":
            _, k, (ell, j), after = label
            f = data.facets[k]
            v = output_derivative(W, [()] * ell + [list(s) for s in after], ell, j)
            eqs = [self._lam[k] * v[i] - q(f.c_hat[i]) for i in range(m)]
        else:
            _, region, pattern = label
            A, cf = data.regions[region]
            M, c = affine_chain(W, B, [list(s) for s in _split(pattern, arch[1:-1])], L, d)
            for i in range(m):
                for qq in range(d):
                    eqs.append(sum((W[L][i][r] * M[r][qq] for r in range(len(M))), R.zero) - q(A[i][qq]))
                eqs.append(sum((W[L][i][r] * c[r] for r in range(len(c))), R.zero) + B[L][i] - q(cf[i]))
        eqs = [R(e) for e in eqs]
        eqs = [e for e in eqs if e != 0]
        self._eqs[label] = eqs
        return eqs

    def contradiction(self, labels: Sequence[_Label]) -> frozenset[int] | None:
        """Positions in ``labels`` whose equations exact elimination proves to have no common zero, or None.

        An equation ``c u + r`` (``c`` rational, ``u`` not in ``r``) gives ``u = -r / c``; an
        equation ``c u m + k`` (``c, k`` nonzero rationals, ``m`` a monomial in other
        unknowns) forces ``m != 0`` and gives ``u = -k / (c m)`` (each equation is then
        replaced by its numerator, which has the same zeros where ``m != 0``).  Every
        equation carries the positions of the labels it was derived from; an equation
        reduced to a nonzero constant, a forced-nonzero monomial reduced to 0, or an
        equation ``c m' = 0`` whose unknowns all divide monomials forced nonzero returns
        its positions.  Equations from cheaper positions are used first.
        """
        items: list[tuple[Any, frozenset[int]]] = [
            (e, frozenset((pos,))) for pos, lab in enumerate(labels) for e in self.equations(lab)
        ]
        nonzero: list[tuple[Any, frozenset[int]]] = []
        while True:
            items = [(e, s) for e, s in items if e]
            for e, s in items:
                if e.is_ground:
                    return s
            # a monomial equation c m = 0 whose every unknown divides a monomial forced nonzero
            for e, s in items:
                if len(e) == 1:
                    (mon,) = e.itermonoms()
                    why = s
                    for i, p in enumerate(mon):
                        if p:
                            hit = next((t for g, t in nonzero if len(g) == 1 and next(g.itermonoms())[i]), None)
                            if hit is None:
                                break
                            why = why | hit
                    else:
                        return why
            items.sort(key=lambda it: (max(it[1]), len(it[0])))
            pick = None
            for e, s in items:
                k = _linear_variable(e)
                if k is not None:
                    parts = _powers_of(e, k)
                    pick = ("lin", k, -parts.get(0, self.ring.zero) * (1 / parts[1].LC), s)
                    break
            if pick is None:
                for e, s in items:
                    if len(e) != 2:
                        continue
                    (m1, c1), (m2, c2) = e.terms()
                    if any(m1) and any(m2):
                        continue
                    mono, c = (m1, c1) if any(m1) else (m2, c2)
                    konst = c2 if any(m1) else c1
                    k = next((i for i, p in enumerate(mono) if p == 1), None)
                    if k is None:
                        continue
                    rest = self.ring({tuple(p if i != k else 0 for i, p in enumerate(mono)): 1})
                    pick = ("div", k, (self.ring(-konst / c), rest), s)
                    break
            if pick is None:
                return None
            how, k, value, s_sub = pick
            new_items = []
            for e, s in items:
                if any(mon[k] for mon in e.itermonoms()):
                    e = _substitute(e, k, how, value)
                    s = s | s_sub
                new_items.append((e, s))
            items = new_items
            if how == "div":
                nonzero.append((value[1], s_sub))
            new_nz = []
            for g, s in nonzero:
                if any(mon[k] for mon in g.itermonoms()):
                    g = _substitute(g, k, how, value)
                    s = s | s_sub
                    if not g:
                        return s
                new_nz.append((g, s))
            nonzero = new_nz

    def core_of(self, config: FiberConfiguration) -> tuple[frozenset[_Label], EmptinessCertificate] | None:
        """A certified core of ``config`` (new, minimal), or None if none is found.

        The core is found among the labels in order of :func:`_cost` (then, failing that, in the
        order of :func:`~relu_geom.solve_configuration`'s equations), cut to a minimal
        one (deleting labels, most expensive first, while the contradiction persists), and
        kept only when :func:`~relu_geom.check_emptiness_certificate` accepts the certificate
        found for it on ``config``.
        """
        labels_of = _configuration_labels(config)
        side = {("R", r, tuple(p)): i for i, (r, p) in enumerate(config.side_patterns)}

        def layered(lab: _Label) -> tuple[int, int, int]:  # the order of solve_configuration's equations
            if lab[0] == "G":
                return 0, 0, lab[1]
            if lab[0] == "A":
                return 1, lab[2][0], lab[1]
            return (2, 0, lab[1]) if lab[0] == "M" else (3, 0, side[lab])

        # the eliminations take different paths (and may end without a contradiction) in different orders
        for order in (sorted(labels_of, key=_cost), sorted(labels_of, key=layered)):
            hit = self.contradiction(order)
            if hit is not None:
                break
        else:
            return None
        core = [order[i] for i in sorted(hit)]
        for lab in sorted(core, key=_cost, reverse=True):
            trial = [x for x in core if x != lab]
            if trial:
                sub = self.contradiction(trial)
                if sub is not None:
                    core = [trial[i] for i in sorted(sub)]
        labels = tuple(sorted(core, key=_cost))
        eqs = [e.as_expr() for lab in labels for e in self.equations(lab)]
        gens = sorted(set().union(*(e.free_symbols for e in eqs)), key=str) if eqs else []
        cert = _system_certificate(eqs, [], gens, self.max_gens, labels) if gens else None
        if cert is None or not check_emptiness_certificate(config, cert):
            self.n_uncertified += 1
            return None
        found = (frozenset(labels), cert)
        self.cores.append(found)
        self.witnesses.append(config)
        return found


def _linear_variable(e: Any) -> int | None:
    """The first generator that occurs in ``e`` only as a term ``c u`` (``c`` rational), or None."""
    pure: dict[int, bool] = {}
    for mon in e.itermonoms():
        nz = [i for i, p in enumerate(mon) if p]
        alone = len(nz) == 1 and mon[nz[0]] == 1
        for i in nz:
            pure[i] = pure.get(i, True) and alone
    return next((i for i in sorted(pure) if pure[i]), None)


def _powers_of(e: Any, k: int) -> dict[int, Any]:
    """``e = sum_i a_i u^i`` for the generator ``u`` of index ``k``: ``{i: a_i}`` (``a_i`` free of ``u``)."""
    parts: dict[int, dict[Any, Any]] = {}
    for mon, c in e.items():
        i = mon[k]
        parts.setdefault(i, {})[mon[:k] + (0,) + mon[k + 1 :]] = c
    return {i: e.ring.from_dict(d) for i, d in parts.items()}


def _substitute(e: Any, k: int, how: str, value: Any) -> Any:
    """``e`` with the generator of index ``k`` replaced: by the polynomial ``value`` (``"lin"``),
    or by ``a / rest`` (``"div"``, ``value = (a, rest)``), then multiplied by ``rest ** deg(e)``
    (the numerator)."""
    parts = _powers_of(e, k)
    D = max(parts)
    out = e.ring.zero
    if how == "lin":
        for i, coeff in parts.items():
            out += coeff * value**i if i else coeff
        return out
    a, rest = value
    for i, coeff in parts.items():
        out += coeff * (a**i) * rest ** (D - i)
    return out
