"""Properties a counterexample search looks for: a cheap exact screen, an exact decision.

A :class:`Property` is a small frozen value: ``screen(net)`` is a cheap exact necessary
condition (False means the property certainly fails; True means "decide it"),
``decide(net)`` the exact decision returning a :class:`Verdict` with its evidence, and
``objective(net)`` (optional) a number that hill climbing increases.  Certificates are
built from the verdict by :mod:`relu_geom.search.certificates`, keyed by ``claim``.

Examples
--------
>>> import relu_geom as rg
>>> prop = rg.regions_at_least(3)
>>> prop.decide(rg.zoo.hat_1d()).holds
True
>>> rg.get_property("regions:5").decide(rg.zoo.hat_1d()).holds
False
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from relu_geom._util import short_repr
from relu_geom.errors import InvalidInputError
from relu_geom.network import ReLUNetwork
from relu_geom.network.transforms import require_network

__all__ = [
    "PROPERTIES",
    "Property",
    "Verdict",
    "depth_at_least",
    "equals_target",
    "fdim_deficit",
    "fewer_neurons",
    "full_fdim_not_identifiable",
    "get_property",
    "hidden_symmetry",
    "invisible_hyperplane",
    "pieces_at_least",
    "regions_at_least",
    "user_property",
]


@dataclass(frozen=True, slots=True)
class Verdict:
    """The exact answer for one network.

    Attributes
    ----------
    holds : bool
        Whether the property holds (a hit).
    value : int or Fraction or None
        The number the property is about (regions, deficit, ...), when there is one.
    evidence : dict
        What the decision found (exact values; witness points, partner networks, ...).
    """

    holds: bool
    value: int | Fraction | None = None
    evidence: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class Property:
    """A property of networks with a cheap screen and an exact decision.

    Attributes
    ----------
    name : str
        Registry-style name, e.g. ``"regions:7"``.
    claim : str
        The certificate claim written for hits (``docs/certificates.md``, "Search claims").
    screen : callable
        ``screen(net) -> bool``; False proves the property fails.
    decide : callable
        ``decide(net) -> Verdict``, exact.
    objective : callable or None
        ``objective(net) -> number`` for hill climbing (larger is better).
    params : tuple
        ``(key, value)`` pairs the certificate records in its question.
    fast : callable or None
        ``fast(hidden_layers) -> Verdict`` on integer parameters of the hidden layers
        (``((W_1, b_1), ...)`` as int tuples): the same exact verdict without building
        the network; the search uses it on integer spaces.
    pre_screen : callable or None
        ``pre_screen(layers) -> bool`` on every layer's parameters (``((W_1, b_1), ...,
        (W_{L+1}, b_{L+1}))``, ints or Fractions): the screen without building the network
        (False proves failure); the search runs it first.
    """

    name: str
    claim: str
    screen: Callable[[ReLUNetwork], bool]
    decide: Callable[[ReLUNetwork], Verdict]
    objective: Callable[[ReLUNetwork], int | Fraction] | None = None
    params: tuple[tuple[str, Any], ...] = ()
    fast: Callable[[Any], Verdict] | None = None
    pre_screen: Callable[[Any], bool] | None = None

    def check(self, net: ReLUNetwork) -> Verdict:
        """``screen`` then ``decide``: the exact verdict (``holds`` False when screened out)."""
        if not self.screen(net):
            return Verdict(False)
        return self.decide(net)


def require_property(obj: Any, what: str = "prop") -> Property:
    """``obj`` when it is a :class:`Property`, else InvalidInputError naming ``what``."""
    if not isinstance(obj, Property):
        raise InvalidInputError(
            f"{what}: expected a Property (relu_geom.get_property or a factory), got {type(obj).__name__}"
        )
    return obj


def _always(net: ReLUNetwork) -> bool:
    return True


def _positive_int(value: object, what: str) -> int:
    try:
        k = int(str(value))
    except ValueError:
        raise InvalidInputError(f"{what}: expected a positive integer, got {short_repr(value)}") from None
    if k < 1:
        raise InvalidInputError(f"{what}: expected a positive integer, got {short_repr(value)}")
    return k


# ------------------------------------------------------------------ regions and pieces
def _screen_points(d: int) -> list[tuple[Fraction, ...]]:
    """A fixed grid of rational points (every coordinate in {-3, -5/2, ..., 3})."""
    vals = [Fraction(k, 2) for k in range(-6, 7)]
    if d == 1:
        return [(v,) for v in vals]
    import random

    rng = random.Random(1234 + d)
    return [tuple(Fraction(rng.randint(-12, 12), 4) for _ in range(d)) for _ in range(60)]


def _upper_regions(net: ReLUNetwork) -> int:
    """Serra-Tjandraatmadja-Ramalingam style bound: product over layers of the arrangement bound."""
    return _region_bound(net.input_dim, net.hidden_widths)


def _region_bound(d: int, widths: Sequence[int]) -> int:
    total = 1
    dim = d
    for n in widths:
        total *= sum(math.comb(n, i) for i in range(min(dim, n) + 1))
        dim = min(dim, n)
    return total


def _bound_pre_screen(k: int) -> Callable[[Any], bool]:
    """The product bound read off the layer shapes (it depends on the architecture only)."""
    cache: dict[tuple[int, ...], bool] = {}

    def pre(layers: Any) -> bool:
        shape = (len(layers[0][0][0]), *(len(w) for w, _ in layers[:-1]))
        if shape not in cache:
            cache[shape] = _region_bound(shape[0], shape[1:]) >= k
        return cache[shape]

    return pre


def _regions_1d(net: ReLUNetwork) -> tuple[int, list[Fraction]]:
    """Regions of a network with one input over R: its 0-cells, exactly, layer by layer.

    On each interval between the vertices found so far every pre-activation of the next
    layer is affine; its zeros strictly inside an interval are new vertices (a zero of a
    non-constant affine form changes the sign vector).  Regions = vertices + 1.  Works on
    :attr:`~relu_geom.ReLUNetwork.integer_layers` (same signs), so every form is integral.
    """
    return _regions_1d_int(net.integer_layers[:-1])


def _regions_1d_int(layers: Sequence[Any]) -> tuple[int, list[Fraction]]:
    import bisect

    cuts: list[Fraction] = []
    pieces: list[list[tuple[int, int]]] = [[(1, 0)]]  # (slope, intercept) of each input
    for w, b in layers:
        pre = [
            [(sum(wi * f[0] for wi, f in zip(row, forms)), sum(wi * f[1] for wi, f in zip(row, forms)) + bi)
             for row, bi in zip(w, b)]
            for forms in pieces
        ]
        found = set(cuts)
        for k, forms in enumerate(pre):
            lo = cuts[k - 1] if k > 0 else None
            hi = cuts[k] if k < len(cuts) else None
            for s, c in forms:
                if s:
                    t = Fraction(-c, s)
                    if (lo is None or t > lo) and (hi is None or t < hi):
                        found.add(t)
        new_cuts = sorted(found)
        pieces = []
        for j in range(len(new_cuts) + 1):
            m = _midpoint(new_cuts, j)
            p, q = m.numerator, m.denominator
            forms = pre[bisect.bisect_left(cuts, m)]
            pieces.append([(s, c) if s * p + c * q > 0 else (0, 0) for s, c in forms])
        cuts = new_cuts
    return len(cuts) + 1, cuts


def _midpoint(cuts: Sequence[Fraction], j: int) -> Fraction:
    if not cuts:
        return Fraction(0)
    if j == 0:
        return cuts[0] - 1
    if j == len(cuts):
        return cuts[-1] + 1
    return (cuts[j - 1] + cuts[j]) / 2


def _region_points(net: ReLUNetwork, domain: Any) -> list[tuple[Fraction, ...]]:
    """One interior point of every region (all signs nonzero where possible)."""
    if net.input_dim == 1 and domain is None:
        _, cuts = _regions_1d(net)
        return [(_midpoint(cuts, j),) for j in range(len(cuts) + 1)]
    from relu_geom.compiler import compile_network

    return [r.interior_point for r in compile_network(net, domain=domain).regions]


def count_regions(net: ReLUNetwork, domain: Any = None) -> int:
    """The exact number of regions of the canonical complex of ``net`` over ``domain``.

    One input over R: the exact 1-D sweep of :func:`_regions_1d`; otherwise
    :func:`relu_geom.compile_network`.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.search.properties import count_regions
    >>> count_regions(rg.zoo.hat_1d()), count_regions(rg.zoo.central_lines(3))
    (4, 6)
    """
    if net.input_dim == 1 and domain is None:
        return _regions_1d(net)[0]
    from relu_geom.compiler import compile_network

    return compile_network(net, domain=domain).n_regions


def regions_at_least(k: int, *, domain: Any = None) -> Property:
    """The canonical complex has at least ``k`` regions (over ``domain``, R^d by default).

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.regions_at_least(4).decide(rg.zoo.hat_1d()).value
    4
    """
    k = _positive_int(k, "regions: K")

    def screen(net: ReLUNetwork) -> bool:
        return _upper_regions(net) >= k

    def decide(net: ReLUNetwork) -> Verdict:
        n = count_regions(net, domain)
        return Verdict(n >= k, n)

    def fast(hidden_layers: Any) -> Verdict:
        if len(hidden_layers[0][0][0]) != 1:
            raise InvalidInputError("regions: the fast path is for one input")
        n = _regions_1d_int(hidden_layers)[0]
        return Verdict(n >= k, n)

    return Property(
        f"regions:{k}", "regions_at_least", screen, decide, lambda net: count_regions(net, domain),
        (("k", k), ("domain", domain)), fast if domain is None else None, _bound_pre_screen(k),
    )


def _affine_map(net: ReLUNetwork, x: Sequence[Fraction]) -> tuple[tuple[tuple[Fraction, ...], ...], tuple[Fraction, ...]]:
    """The affine map ``(A, c)`` of ``f`` along the activation pattern at ``x``."""
    d = net.input_dim
    A = [[Fraction(int(i == j)) for j in range(d)] for i in range(d)]
    c = [Fraction(0)] * d
    a = list(x)
    for layer, (w, b) in enumerate(zip(net.weights, net.biases)):
        last = layer == net.depth
        A2 = [[sum((wi * A[k][j] for k, wi in enumerate(row)), Fraction(0)) for j in range(d)] for row in w]
        c2 = [sum((wi * ck for wi, ck in zip(row, c)), bi) for row, bi in zip(w, b)]
        z = [sum((wi * ai for wi, ai in zip(row, a)), bi) for row, bi in zip(w, b)]
        if not last:
            A2 = [r if zi > 0 else [Fraction(0)] * d for r, zi in zip(A2, z)]
            c2 = [ci if zi > 0 else Fraction(0) for ci, zi in zip(c2, z)]
            z = [max(zi, Fraction(0)) for zi in z]
        A, c, a = A2, c2, z
    return tuple(tuple(r) for r in A), tuple(c)


def piece_points(net: ReLUNetwork, domain: Any = None) -> list[tuple[Fraction, ...]]:
    """One smooth point per distinct affine map of ``f`` (regions with no vanishing neuron)."""
    seen: dict[Any, tuple[Fraction, ...]] = {}
    for x in _region_points(net, domain):
        if 0 in net.sign_vector(x):
            continue
        seen.setdefault(_affine_map(net, x), x)
    return list(seen.values())


def pieces_at_least(k: int, *, domain: Any = None) -> Property:
    """``f`` has at least ``k`` distinct affine maps on open sets ("linear pieces").

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.pieces_at_least(3).decide(rg.zoo.hat_1d()).value  # 0, x, 2 - x (0 again for x > 2)
    3
    """
    k = _positive_int(k, "pieces: K")

    def screen(net: ReLUNetwork) -> bool:
        return _upper_regions(net) >= k

    def decide(net: ReLUNetwork) -> Verdict:
        pts = piece_points(net, domain)
        return Verdict(len(pts) >= k, len(pts), {"points": pts})

    return Property(
        f"pieces:{k}", "pieces_at_least", screen, decide, lambda net: len(piece_points(net, domain)),
        (("k", k), ("domain", domain)), pre_screen=_bound_pre_screen(k),
    )


# ------------------------------------------------------------------ functional dimension
def fdim_deficit(k: int = 1) -> Property:
    """The functional dimension falls short of ``D - H`` by at least ``k``.

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.fdim_deficit().decide(rg.zoo.dead_neuron()).holds
    True
    """
    k = _positive_int(k, "fdim-deficit: K")

    def decide(net: ReLUNetwork) -> Verdict:
        from relu_geom.analyses.identifiability import functional_dimension

        fd = functional_dimension(net)
        deficit = fd.upper_bound - fd.rank
        return Verdict(deficit >= k, deficit, {"rank": fd.rank, "upper_bound": fd.upper_bound})

    return Property(f"fdim-deficit:{k}", "functional_dimension_at_most", _always, decide,
                    lambda net: _value(decide(net)), (("k", k),))


def full_fdim_not_identifiable() -> Property:
    """Full functional dimension ``D - H``, yet not identifiable: a partner in the fiber beyond the symmetries.

    The rank ``D - H`` is that of :func:`relu_geom.functional_dimension` (its sample
    attains it); the partner computes the same function on R^d and is no permutation
    and positive rescaling of the network (:func:`hidden_symmetry`).  Full functional
    dimension makes the network *locally* identifiable from that sample (condition C_S of
    paper 003 holds), so what can fail is identifiability itself: the fiber has several
    components, as for ``relu(x) - relu(x - 1)`` and its flip (``relu_geom.zoo``).

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.full_fdim_not_identifiable().decide(rg.zoo.clipped_relu()).holds
    True
    """

    def decide(net: ReLUNetwork) -> Verdict:
        from relu_geom.analyses.identifiability import functional_dimension

        fd = functional_dimension(net)
        if fd.rank < fd.upper_bound:
            return Verdict(False, fd.rank)
        partner = hidden_symmetry().decide(net)
        if not partner.holds:
            return Verdict(False, fd.rank)
        return Verdict(True, fd.rank, {"sample": list(fd.sample), **partner.evidence})

    return Property("full-fdim-not-identifiable", "full_fdim_not_identifiable", _always, decide)


# ------------------------------------------------------------------ equivalence-based
def hidden_symmetry() -> Property:
    """A partner of the same architecture computing the same function on R^d, not related by symmetry.

    Partners come from :func:`relu_geom.hidden_symmetries`; each is re-checked with
    :func:`relu_geom.functionally_equivalent` and :func:`relu_geom.same_up_to_symmetry`.
    """

    def decide(net: ReLUNetwork) -> Verdict:
        from relu_geom.analyses.equivalence import functionally_equivalent
        from relu_geom.analyses.fibers import hidden_symmetries
        from relu_geom.network.symmetry import same_up_to_symmetry

        for hs in hidden_symmetries(net):
            other = hs.network
            if functionally_equivalent(net, other).equivalent and same_up_to_symmetry(net, other) is None:
                return Verdict(True, None, {"partner": other, "kind": hs.kind})
        return Verdict(False)

    return Property("hidden-symmetry", "hidden_symmetry", _always, decide)


def fewer_neurons() -> Property:
    """One hidden layer: ``f`` is realized by a one-hidden-layer network of smaller width.

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.fewer_neurons().decide(rg.zoo.duplicate_neurons()).value
    2
    """

    def screen(net: ReLUNetwork) -> bool:
        return net.depth == 1

    def decide(net: ReLUNetwork) -> Verdict:
        from relu_geom.analyses.fibers import canonical_form, minimal_width

        w = minimal_width(net)
        if w >= net.n_hidden:
            return Verdict(False, w)
        return Verdict(True, w, {"partner": canonical_form(net)})

    return Property("fewer-neurons", "fewer_neurons", screen, decide,
                    lambda net: net.n_hidden - _value(decide(net)) if net.depth == 1 else 0,
                    pre_screen=lambda layers: len(layers) == 2)


def equals_target(target: ReLUNetwork, *, domain: Any = None, name: str = "target") -> Property:
    """``f`` equals the function of ``target`` on ``domain`` (R^d by default).

    Examples
    --------
    >>> import relu_geom as rg
    >>> prop = rg.equals_target(rg.zoo.abs_1d())
    >>> prop.decide(rg.ReLUNetwork([[[2], [-1]], [["1/2", 1]]], [[0, 0], [0]])).holds
    True
    """
    require_network(target, "target")
    if not isinstance(name, str):
        raise InvalidInputError(f"name: expected a string, got {type(name).__name__}")
    if domain is not None:
        from relu_geom.compiler import parse_domain

        parse_domain(domain, target.input_dim)

    probes = [x for x in _screen_points(target.input_dim)
              if domain is None or _in_box(x, domain, target.input_dim)][:12]
    expected = [target(x) for x in probes]
    # the probes scaled to integers: f(q x) = q f(x) for a network with its biases times q
    scaled = []
    for x, y in zip(probes, expected):
        q = math.lcm(*(v.denominator for v in x))
        scaled.append(([int(v * q) for v in x], q, [v * q for v in y]))

    def screen(net: ReLUNetwork) -> bool:
        if (net.input_dim, net.output_dim) != (target.input_dim, target.output_dim):
            return False
        return all(net(x) == y for x, y in zip(probes, expected))

    def pre_screen(layers: Any) -> bool:
        if (len(layers[0][0][0]), len(layers[-1][0])) != (target.input_dim, target.output_dim):
            return False
        last = len(layers) - 1
        for a, q, want in scaled:
            for li, (w, b) in enumerate(layers):
                z = [sum(wi * ai for wi, ai in zip(row, a)) + bi * q for row, bi in zip(w, b)]
                a = z if li == last else [v if v > 0 else 0 for v in z]
            if a != want:
                return False
        return True

    def decide(net: ReLUNetwork) -> Verdict:
        from relu_geom.analyses.equivalence import functionally_equivalent

        res = functionally_equivalent(net, target, domain)
        return Verdict(res.equivalent, None, {"partner": target})

    return Property(f"equals:{name}", "equivalent", screen, decide, None, (("domain", domain),),
                    pre_screen=pre_screen)


def _value(verdict: Verdict) -> int | Fraction:
    """The number of a verdict that always has one (an objective)."""
    assert verdict.value is not None
    return verdict.value


def _in_box(x: Sequence[Fraction], domain: Any, d: int) -> bool:
    from relu_geom.compiler import parse_domain

    box = parse_domain(domain, d)
    return box is None or box.contains(x)


# ------------------------------------------------------------------ function side
def depth_at_least(k: int) -> Property:
    """The depth bound of :func:`relu_geom.depth_lower_bound` is at least ``k`` (it never exceeds 2).

    The bound is a theorem for every network computing ``f``: 1 when ``f`` is not affine,
    2 when no network with one hidden layer computes it.  The certificate of a hit is
    two regions with different affine maps (``k = 1``) or two pieces of a hyperplane with
    different bends across it (``k = 2``, ``docs/certificates.md``).
    """
    k = _positive_int(k, "depth: K")

    def value(net: ReLUNetwork) -> int:
        from relu_geom.analyses.breakpoints.bent_hyperplanes import depth_lower_bound

        return depth_lower_bound(net).bound

    def decide(net: ReLUNetwork) -> Verdict:
        from relu_geom.analyses.breakpoints.bent_hyperplanes import depth_lower_bound

        db = depth_lower_bound(net)
        return Verdict(db.bound >= k, db.bound, {"witness": db.witness})

    return Property(f"depth:{k}", "depth_at_least", _always, decide, value, (("k", k),))


def invisible_hyperplane() -> Property:
    """Some first-layer hyperplane is invisible or only partly visible (``first_layer_visibility``).

    The evidence names the first such neuron, its status and, when partial, an interior
    point of a bent and of an unbent facet on its hyperplane.

    Examples
    --------
    >>> import relu_geom as rg
    >>> v = rg.invisible_hyperplane().decide(rg.zoo.bent_2d())
    >>> v.holds, v.evidence["neuron"], v.evidence["status"]
    (True, 0, 'partial')
    """

    def screen(net: ReLUNetwork) -> bool:
        return net.depth >= 2

    def decide(net: ReLUNetwork) -> Verdict:
        from relu_geom.analyses.breakpoints.visibility import first_layer_visibility
        from relu_geom.compiler import compile_network

        cx = compile_network(net)
        vis = [v for v in first_layer_visibility(net, complex=cx) if v.status in ("invisible", "partial")]
        if not vis:
            return Verdict(False, 0)
        first = vis[0]
        points = [cx.cells[first.visible_facets[0]].interior_point,
                  cx.cells[first.hidden_facets[0]].interior_point] if first.status == "partial" else []
        return Verdict(True, len(vis), {"neuron": first.neuron, "status": first.status, "points": points})

    return Property("invisible-hyperplane", "first_layer_visibility", screen, decide,
                    pre_screen=lambda layers: len(layers) >= 3)


def user_property(name: str, decide: Callable[[ReLUNetwork], Any], *,
                  screen: Callable[[ReLUNetwork], bool] | None = None,
                  objective: Callable[[ReLUNetwork], int | Fraction] | None = None) -> Property:
    """A property from any Python callable returning an exact verdict (bool or :class:`Verdict`).

    Examples
    --------
    >>> import relu_geom as rg
    >>> odd = rg.user_property("odd-output-at-1", lambda net: net([1])[0].denominator == 1 and net([1])[0] % 2 == 1)
    >>> odd.check(rg.zoo.abs_1d()).holds
    True
    """

    def decide_verdict(net: ReLUNetwork) -> Verdict:
        out = decide(net)
        if isinstance(out, Verdict):
            return out
        if not isinstance(out, bool):
            raise InvalidInputError(f"property {short_repr(name)}: decide must return a bool or a Verdict, got {type(out).__name__}")
        return Verdict(out)

    return Property(name, "user", screen or _always, decide_verdict, objective)


PROPERTIES: dict[str, Callable[..., Property]] = {
    "regions": regions_at_least,
    "pieces": pieces_at_least,
    "fdim-deficit": fdim_deficit,
    "full-fdim-not-identifiable": full_fdim_not_identifiable,
    "hidden-symmetry": hidden_symmetry,
    "fewer-neurons": fewer_neurons,
    "depth": depth_at_least,
    "invisible-hyperplane": invisible_hyperplane,
}
"""Property factories by name; ``get_property("regions:7")`` calls ``regions_at_least(7)``."""


def get_property(spec: str) -> Property:
    """The property named ``spec``: ``NAME`` or ``NAME:K`` (see :data:`PROPERTIES`).

    ``equals:zoo:NAME`` is the property "equal to the zoo specimen NAME on R^d".

    Raises
    ------
    InvalidInputError
        For an unknown name or a bad parameter.
    """
    if not isinstance(spec, str):
        raise InvalidInputError(f"spec: expected a property name such as 'regions:7', got {short_repr(spec)}")
    name, _, arg = spec.partition(":")
    if name == "equals":
        from relu_geom import zoo

        if not arg.startswith("zoo:"):
            raise InvalidInputError(f"PROPERTY: equals needs a target zoo:NAME, got {short_repr(spec)}")
        return equals_target(zoo.get(arg[4:]), name=arg)
    if name not in PROPERTIES:
        raise InvalidInputError(
            f"PROPERTY: unknown property {short_repr(name, 30)}; known: {', '.join(sorted([*PROPERTIES, 'equals']))}"
        )
    factory = PROPERTIES[name]
    try:
        return factory(arg) if arg else factory()
    except TypeError:
        raise InvalidInputError(f"PROPERTY: {name} needs a parameter, as in {name}:K; got {short_repr(spec)}") from None
