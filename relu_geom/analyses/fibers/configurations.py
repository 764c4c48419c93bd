"""Discrete fiber configurations (paper 000, Definition C.1) of a function for an architecture.

A configuration ``(phi, s)`` for ``f`` and a target architecture ``A`` assigns every
candidate bent hyperplane of ``f`` a hidden neuron of ``A`` (``phi``), every edge
``u -> v`` of the bent-hyperplane graph going to a strictly later layer, and every
breakpoint facet ``sigma`` an activation pattern ``s(sigma)`` (0 at ``phi(sigma)``, +-1
elsewhere) and an orientation ``delta(sigma)`` (``phi(sigma)`` is active on the side
``n . x > beta`` iff ``delta = +1``).  The exact necessary conditions used to prune
(for parameters in the scope of ``docs/fibers.md``, section 6: a breakpoint facet
lies in the zero set of exactly one neuron, at most two neurons vanish at a ridge
unless all of them are first-layer neurons, the pattern is constant on a facet but for
first-layer neurons carrying facets, whose hyperplanes cut the facets they cross into
pieces, each with one pattern):

* *layer order*: ``phi`` increases strictly along the edges of the graph;
  a candidate with a bend is not a first-layer neuron; the candidates of one
  first-layer neuron lie in one hyperplane;
* *ridges*: at a ridge ``tau`` with facets of two neurons ``a != b``, the sign of
  ``b`` on a facet ``sigma`` of ``a`` is ``delta(sigma') sign(n' . x_sigma - beta')`` for
  every facet ``sigma'`` of ``b`` at ``tau`` (``b``'s pre-activation is affine on each
  side of ``a`` and continuous), and all facets at ``tau`` have the same signs at the
  other neurons; opposite facets of one neuron in one hyperplane have one
  orientation; three or more neurons at a ridge are excluded unless all are
  first-layer neurons (then every pre-activation is affine near ``tau`` and the
  same rules hold);
* *transmission*: a neuron of layer ``l >= 2`` vanishing on a facet needs an active
  neuron of layer ``l - 1`` there, a bend needs an active neuron in every later
  layer, and the rank of ``f``'s linear part on the regions beside a facet is at most
  the number of active neurons of every layer there.

The ridge rules are equations ``x y = c`` between +-1 unknowns, solved by a union-find
with parities; each unforced component is enumerated both ways.  The transmission
and rank rules are threshold checks on those components, applied by a depth-first
search over partial sign vectors: a partial vector that already breaks a rule for
every completion (while the earlier rules hold for every completion) is cut with all
its completions.  Each pruned branch is counted under its rule (sign vectors one by
one, as if each were tried).  The configurations are built only once their number is
known to stay within ``max_configurations``.
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from relu_geom._util import short_repr
from relu_geom.analyses.breakpoints import (
    as_breakpoint_complex,
    candidate_bent_hyperplanes,
    depth_lower_bound,
)
from relu_geom.arith.linalg import is_positive_multiple, rank
from relu_geom.errors import DimensionMismatchError, InvalidInputError, LimitExceededError
from relu_geom.geometry.polyhedron import Polyhedron
from relu_geom.network.transforms import require_int

__all__ = [
    "ConfigurationEnumeration",
    "FiberConfiguration",
    "FunctionData",
    "fiber_configurations",
    "function_data",
]

Neuron = tuple[int, int]  # (layer from 1, index from 0)

#: Default bound of the combinations of groupings enumerated at ambiguous ridges (each is
#: one enumeration; ``random([2, 3, 2, 1], seed=2)`` has 81, decided in about 2 s).
MAX_CHOICES = 1024


@dataclass(frozen=True, slots=True)
class FacetData:
    """One breakpoint facet: ``n . x = beta`` with primitive normal ``n``, ``c_hat = weight / |n|^2``.

    ``plus`` and ``minus`` are the linear regions beside it on the sides ``n . x > beta``
    and ``n . x < beta``; ``point`` is a point of its relative interior.  ``group`` is the
    index of the breakpoint facet it is a piece of (a breakpoint facet crossed by the
    hyperplane of a flat candidate is cut into pieces along it, see :func:`function_data`).
    """

    normal: tuple[int, ...]
    beta: Fraction
    c_hat: tuple[Fraction, ...]
    candidate: int
    plus: int
    minus: int
    point: tuple[Fraction, ...]
    group: int = -1


@dataclass(frozen=True, slots=True)
class FunctionData:
    """What the configurations of ``f`` read from its breakpoint complex (all exact).

    Attributes
    ----------
    input_dim, output_dim : int
    facets : tuple of FacetData
    regions : tuple of (A, c)
        ``f = A x + c`` on each maximal linear region.
    ridges : tuple of (point, facets)
        Each ridge of the breakpoint complex: a relative interior point and the
        facets containing it.
    n_candidates : int
    edges : tuple of (u, v)
        The bent-hyperplane graph.
    flat : tuple of bool
        Per candidate: all its facets in one hyperplane.
    ambiguous_ridges : tuple of int
        Ridges (cells of the canonical complex) that neither the candidate rules nor
        the local rules of :func:`function_data` resolve to one grouping.
    depth_bound : int
        A lower bound on the hidden layers of every network computing f (a theorem,
        :func:`~relu_geom.depth_lower_bound`).
    unconditional : bool
        False when the candidate decomposition says its rules are not proved here.
    first_layer : tuple of int
        Candidates that must be first-layer neurons (lines through a ridge where
        three or more neurons vanish).
    options : tuple of (ridge, alternatives)
        Per remaining ambiguous ridge, the facet triples ``(straight, b, c)`` that
        pass the local rules: in every parameter of the scope one of them holds
        (``straight`` is the earlier neuron's facet, ``b`` and ``c`` the later
        neuron's); :func:`fiber_configurations` enumerates each choice.
    impossible : str
        Non-empty when a ridge star has no realization in the scope (the reason).
    region_points : tuple of points
        An interior point of each maximal linear region, in the order of ``regions``.
    """

    input_dim: int
    output_dim: int
    facets: tuple[FacetData, ...]
    regions: tuple[tuple[Any, Any], ...]
    ridges: tuple[tuple[tuple[Fraction, ...], tuple[int, ...]], ...]
    n_candidates: int
    edges: tuple[tuple[int, int], ...]
    flat: tuple[bool, ...]
    ambiguous_ridges: tuple[int, ...]
    unconditional: bool = True
    depth_bound: int = 0
    first_layer: tuple[int, ...] = ()
    options: tuple[tuple[int, tuple[tuple[int, int, int], ...]], ...] = ()
    impossible: str = ""
    region_points: tuple[tuple[Fraction, ...], ...] = ()


def _side(normal: Sequence[int], beta: Fraction, x: Sequence[Fraction]) -> int:
    v = sum(a * xi for a, xi in zip(normal, x)) - beta
    return (v > 0) - (v < 0)


def function_data(net_or_complex: Any) -> FunctionData:
    """Read the breakpoint facets, ridges, linear regions and candidate graph of ``f`` over ``R^d``."""
    bc = as_breakpoint_complex(net_or_complex)
    cx = bc.complex
    dec = candidate_bent_hyperplanes(bc)
    d = bc.ambient_dim
    reg_of = bc.linear_region_of_cell
    regions = tuple(r.affine_map for r in bc.linear_regions)
    facets = []
    for k, f in enumerate(bc.facets):
        n = f.normal
        a = f.hyperplane[:d]
        kappa = next(Fraction(x, y) for x, y in zip(a, n) if y)
        beta = Fraction(f.hyperplane[d]) / kappa
        nn = sum(v * v for v in n)
        p, q = cx.cells[f.cells[0]].coface_indices
        if _side(n, beta, cx.cells[p].interior_point) < 0:
            p, q = q, p
        facets.append(
            FacetData(
                tuple(n),
                beta,
                tuple(Fraction(w) / nn for w in f.weight),
                dec.candidate_of_facet[k],
                reg_of[p],
                reg_of[q],
                tuple(f.interior_point),
                k,
            )
        )
    faces = bc.faces_of_dim(d - 2) if d >= 2 else ()
    ridges = tuple((tuple(t.polyhedron.interior_point), tuple(t.facets)) for t in faces)
    m = len(regions[0][0]) if regions else cx.network.output_dim
    merges, bends, first, options, impossible = _resolve_ridges(bc, dec.ambiguous_ridges)
    base = FunctionData(
        d,
        m,
        tuple(facets),
        regions,
        ridges,
        len(dec.candidates),
        (),
        (),
        tuple(r for r, _ in options),
        bool(getattr(dec, "unconditional", True)),
        depth_lower_bound(bc).bound,
        options=options,
        impossible=impossible,
        region_points=tuple(tuple(r.interior_point) for r in bc.linear_regions),
    )
    old_edges = [(dec.candidates[u].facets[0], dec.candidates[v].facets[0]) for u, v in sorted(dec.edges)]
    return _cut_facets(
        _regroup(base, list(dec.candidate_of_facet), merges, old_edges + bends, first),
        [f.polyhedron for f in bc.facets],
    )


def _cut_facets(data: FunctionData, polys: Sequence[Any]) -> FunctionData:
    """``data`` with every facet whose relative interior is crossed by the hyperplane of a
    flat candidate cut into its pieces along those hyperplanes (``polys``: the closed
    facets, in the order of ``data.facets``).

    In the scope a first-layer neuron carrying facets has the hyperplane of a flat
    candidate as its zero set, and it may cross a facet of another layer's neuron without
    bending it when a weight is zero; each piece then has one pattern.  A facet is left
    whole when such a hyperplane passes through the point of one of its ridges (the
    ridge would not lie on one side).  Each ridge keeps, of a cut facet, the piece whose
    closure holds its point; the options of ambiguous ridges name the first piece.
    """
    d = data.input_dim
    planes = sorted(
        {(f.normal, f.beta) for f in data.facets if data.flat[f.candidate]}, key=lambda h: (h[0], h[1])
    )
    ridges_of: dict[int, list[int]] = {}
    for r, (_x, star) in enumerate(data.ridges):
        for k in star:
            ridges_of.setdefault(k, []).append(r)

    def value(h: Any, x: Sequence[Any]) -> Any:
        return sum(a * xi for a, xi in zip(h[0], x)) - h[1]

    facets: list[FacetData] = []
    new_index: list[list[int]] = []  # old facet -> its pieces
    at_ridge: dict[tuple[int, int], int] = {}  # (ridge, cut facet) -> the piece at the ridge
    for k, f in enumerate(data.facets):
        poly = polys[k]
        cross = []
        for h in planes:
            if h == (f.normal, f.beta):
                continue
            vals = [value(h, v) for v in poly.vertices]
            dirs = [sum(a * r for a, r in zip(h[0], ray)) for ray in poly.rays]
            lin = [sum(a * r for a, r in zip(h[0], ray)) for ray in poly.lineality]
            above = any(v > 0 for v in vals) or any(v > 0 for v in dirs) or any(lin)
            below = any(v < 0 for v in vals) or any(v < 0 for v in dirs) or any(lin)
            if above and below:
                cross.append(h)
        if cross and any(value(h, data.ridges[r][0]) == 0 for h in cross for r in ridges_of.get(k, ())):
            cross = []
        if not cross:
            new_index.append([len(facets)])
            facets.append(f)
            continue
        mine = []
        for signs in itertools.product((1, -1), repeat=len(cross)):
            rows = [[-s * a for a in h[0]] + [-s * h[1]] for s, h in zip(signs, cross)]
            piece = poly.intersection(Polyhedron.from_hrep(rows, ambient_dim=d))
            if piece.dim == d - 1:
                mine.append((signs, len(facets)))
                facets.append(replace(f, point=tuple(piece.interior_point)))
        new_index.append([i for _s, i in mine])
        for r in ridges_of.get(k, ()):
            x = data.ridges[r][0]
            at_ridge[(r, k)] = next(
                i for signs, i in mine if all(s * value(h, x) > 0 for s, h in zip(signs, cross))
            )
    if len(facets) == len(data.facets):
        return data
    ridges = tuple(
        (x, tuple(at_ridge.get((r, k), new_index[k][0]) for k in star)) for r, (x, star) in enumerate(data.ridges)
    )
    first = [ks[0] for ks in new_index]
    options = tuple(
        (r, tuple((first[a], first[b], first[c]) for a, b, c in alts)) for r, alts in data.options
    )
    return replace(data, facets=tuple(facets), ridges=ridges, options=options)


def _regroup(
    data: FunctionData,
    candidate_of_facet: list[int],
    merges: Sequence[tuple[int, int]],
    bends: Sequence[tuple[int, int]],
    first: Sequence[int],
) -> FunctionData:
    """``data`` with the candidates of the facet pairs ``merges`` joined, the bends
    ``(straight facet, bending facet)`` as edges and the candidates of ``first`` forced
    into the first layer; candidates renumbered by their first facet."""
    uf = _Parity(max(candidate_of_facet, default=-1) + 2)  # parities unused: a plain union-find
    for a, b in merges:
        uf.union(candidate_of_facet[a] + 1, candidate_of_facet[b] + 1, 1)
    root = [uf.find(c + 1)[0] for c in candidate_of_facet]
    index: dict[int, int] = {}
    for r in root:
        index.setdefault(r, len(index))
    cof = [index[r] for r in root]
    facets = tuple(replace(f, candidate=cof[k]) for k, f in enumerate(data.facets))
    hyper: dict[int, set[Any]] = {}
    for f in facets:
        hyper.setdefault(f.candidate, set()).add((f.normal, f.beta))
    # the edges and first-layer candidates already in ``data`` are in its own numbering
    renumber = {c: index[uf.find(c + 1)[0]] for c in set(candidate_of_facet)}
    edges = sorted({(cof[a], cof[b]) for a, b in bends} | {(renumber[u], renumber[v]) for u, v in data.edges})
    return replace(
        data,
        facets=facets,
        n_candidates=len(index),
        edges=tuple(edges),
        flat=tuple(len(hyper[c]) == 1 for c in range(len(index))),
        first_layer=tuple(sorted({cof[k] for k in first} | {renumber[c] for c in data.first_layer})),
    )


def _resolve_ridges(
    bc: Any, ambiguous: Sequence[int]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]], list[int], tuple[Any, ...], str]:
    """Decide the ambiguous ridges of the candidate rules by the local rules of ``docs/fibers.md`` 6.2.

    Returns facet pairs to join, bends ``(straight, bending)``, facets forced into the
    first layer, the remaining alternatives per ridge and, when a star has no
    realization in the scope, the reason (all facets are breakpoint facet indices).
    """
    cx = bc.complex
    table = bc.facet_table
    facets_of = bc.facets_of_cell
    merges: list[tuple[int, int]] = []
    bends: list[tuple[int, int]] = []
    first: list[int] = []
    options = []
    for r in ambiguous:
        x = cx.cells[r].interior_point
        star = bc.ridge_table[r].star

        def facet(i: int, x: Any = x) -> int:
            ks = facets_of[i]
            return ks[0] if len(ks) == 1 else next(k for k in ks if bc.facets[k].polyhedron.contains(x))

        by_row: dict[Any, list[int]] = {}
        for i in star:
            by_row.setdefault(table[i].hyperplane, []).append(i)
        groups = list(by_row.values())
        singles = [g[0] for g in groups if len(g) == 1]
        if not singles and len(groups) >= 3:
            # three or more lines through the ridge, each one neuron: all first-layer neurons
            for g in groups:
                merges.append((facet(g[0]), facet(g[1])))
                first.append(facet(g[0]))
            continue
        if len(star) != 3 or len(singles) != 3:
            return (
                merges,
                bends,
                first,
                (),
                (
                    f"the bent facets at ridge {r} ({len(groups)} hyperplanes, {len(singles)} ending there) "
                    "have no realization in which at most two neurons vanish there"
                ),
            )
        alts = []
        for k in range(3):
            a, b, c = singles[k], singles[(k + 1) % 3], singles[(k + 2) % 3]
            row = table[a].hyperplane
            sb = _side(row[:-1], Fraction(row[-1]), cx.cells[b].interior_point)
            sc = _side(row[:-1], Fraction(row[-1]), cx.cells[c].interior_point)
            if sb * sc < 0 and is_positive_multiple(table[b].weight_numerator, table[c].weight_numerator):
                alts.append((facet(a), facet(b), facet(c)))
        if not alts:
            return (
                merges,
                bends,
                first,
                (),
                (
                    f"no facet at ridge {r} can be the earlier neuron's: the later neuron's two facets "
                    "must lie on both sides of its hyperplane with positively proportional weights"
                ),
            )
        if len(alts) == 1:
            a, b, c = alts[0]
            merges.append((b, c))
            bends.append((a, b))
        else:
            options.append((r, tuple(alts)))
    return merges, bends, first, tuple(options), ""


@dataclass(frozen=True, slots=True)
class FiberConfiguration:
    """One discrete fiber configuration ``(phi, s)`` with the orientations ``delta``.

    Attributes
    ----------
    architecture : tuple of int
        The target architecture ``(d, n_1, ..., n_L, m)``.
    neuron_of_candidate : tuple of (layer, index)
        ``phi``: the hidden neuron of each candidate bent hyperplane.
    facet_signs : tuple of tuple of int
        ``s(sigma)`` per breakpoint facet: the sign of every hidden neuron of ``A``
        (layer order) on the facet; 0 at ``phi(sigma)`` and at the other neurons of
        its layer (their signs may change along the facet and enter neither
        ``g_sigma``, ``t_sigma`` nor ``v_sigma``).
    facet_deltas : tuple of int
        ``delta(sigma)``: +1 when ``phi(sigma)`` is active on the side ``n . x > beta``.
    side_patterns : tuple of (region, pattern)
        Complete activation patterns of regions beside facets (near each ridge, or
        at the facet's point when it has no ridge), with the linear region of ``f``.
    data : FunctionData
    """

    architecture: tuple[int, ...]
    neuron_of_candidate: tuple[Neuron, ...]
    facet_signs: tuple[tuple[int, ...], ...]
    facet_deltas: tuple[int, ...]
    side_patterns: tuple[tuple[int, tuple[int, ...]], ...]
    data: FunctionData = field(repr=False, compare=False)

    @property
    def neurons(self) -> tuple[Neuron, ...]:
        """The hidden neurons of the architecture, layer by layer."""
        return tuple((ell, i) for ell, w in enumerate(self.architecture[1:-1], start=1) for i in range(w))

    def neuron_of_facet(self, facet: int) -> Neuron:
        """``phi(pi(sigma))``."""
        return self.neuron_of_candidate[self.data.facets[facet].candidate]

    def facet_pattern(self, facet: int) -> tuple[int, ...]:
        """``s(sigma)``: the activation pattern on the facet (see :attr:`facet_signs`)."""
        return self.facet_signs[facet]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "architecture": list(self.architecture),
            "phi": [list(n) for n in self.neuron_of_candidate],
            "facet_signs": [list(s) for s in self.facet_signs],
            "facet_deltas": list(self.facet_deltas),
            "side_patterns": [[r, list(p)] for r, p in self.side_patterns],
        }


@dataclass(frozen=True, slots=True)
class ConfigurationEnumeration:
    """All configurations of ``f`` for an architecture, with the pruning record.

    Attributes
    ----------
    configurations : tuple of FiberConfiguration
        One per class under permutations of neurons inside a layer.
    n_assignments : int
        Neuron assignments ``phi`` examined (complete or partial branches).
    n_sign_choices : int
        Sign and orientation assignments examined (before the transmission rules).
    pruned : dict
        Rule -> number of branches it cut: a neuron assignment (partial ``phi``) for
        the graph rules, one ``phi`` for a ridge rule, and for the transmission and
        rank rules the sign vectors of ``n_sign_choices`` it rejects (a pruned partial
        sign vector counts all its completions, each under the first rule it breaks).
    status : str
        ``"complete"`` or ``"undecided"`` (the candidate graph is uncertain).
    reason : str
        Why the list is empty or undecided ('' otherwise).
    """

    architecture: tuple[int, ...]
    configurations: tuple[FiberConfiguration, ...]
    n_assignments: int
    n_sign_choices: int
    pruned: dict[str, int]
    status: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "architecture": list(self.architecture),
            "n_configurations": len(self.configurations),
            "n_assignments": self.n_assignments,
            "n_sign_choices": self.n_sign_choices,
            "pruned": dict(self.pruned),
            "status": self.status,
            "reason": self.reason,
        }


def _check_architecture(architecture: Sequence[int], data: FunctionData) -> tuple[int, ...]:
    if not isinstance(architecture, (list, tuple)) or any(
        isinstance(v, bool) or not isinstance(v, numbers.Integral) for v in architecture
    ):
        raise InvalidInputError(
            f"architecture: expected a sequence of positive ints, got {short_repr(architecture)}"
        )
    arch = tuple(int(v) for v in architecture)
    if len(arch) == 2:
        raise InvalidInputError("architecture: expected at least one hidden layer (an affine map is its own fiber)")
    if len(arch) < 2 or any(v < 1 for v in arch):
        raise InvalidInputError(
            f"architecture: expected (d, n_1, ..., n_L, m) of positive ints, got {short_repr(list(arch))}"
        )
    if arch[0] != data.input_dim or arch[-1] != data.output_dim:
        raise DimensionMismatchError(
            f"architecture: input/output {arch[0]}/{arch[-1]} do not match f's {data.input_dim}/{data.output_dim}"
        )
    return arch


class _Parity:
    """Union-find over +-1 unknowns with constraints ``x * y = c``; node 0 is the constant +1."""

    def __init__(self, n: int):
        self.parent = list(range(n))
        self.par = [1] * n  # value(x) = par[x] * value(parent[x])

    def find(self, x: int) -> tuple[int, int]:
        p = 1
        path = []
        while self.parent[x] != x:
            path.append(x)
            p *= self.par[x]
            x = self.parent[x]
        root, acc = x, p
        for y in path:  # path compression
            q = self.par[y]
            self.parent[y], self.par[y] = root, acc
            acc *= q
        return root, p

    def union(self, x: int, y: int, c: int) -> bool:
        rx, px = self.find(x)
        ry, py = self.find(y)
        if rx == ry:
            return px * py == c
        if ry == 0:
            rx, px, ry, py = ry, py, rx, px
        self.parent[ry] = rx
        self.par[ry] = px * py * c
        return True


def fiber_configurations(
    net_or_complex: Any,
    architecture: Sequence[int],
    *,
    max_configurations: int = 20000,
    max_choices: int = MAX_CHOICES,
) -> ConfigurationEnumeration:
    """Every discrete fiber configuration of ``f`` for ``architecture``, up to permutations.

    Parameters
    ----------
    net_or_complex
        A network, its compiled complex or breakpoint complex (over ``R^d``), or a
        :class:`FunctionData`.
    architecture
        ``(d, n_1, ..., n_L, m)``; it may differ from the network's own.
    max_configurations
        Stop with :class:`~relu_geom.LimitExceededError` when more configurations
        than this survive the pruning.
    max_choices
        Ridges where several groupings pass the local rules are enumerated choice
        by choice (each combination is one enumeration, and ``max_configurations``
        bounds them together); more combinations than this give ``"undecided"``.

    Returns
    -------
    ConfigurationEnumeration

    Notes
    -----
    The rules are in the module documentation.  Neurons of one layer are
    interchangeable, so ``phi`` is enumerated with the neurons of each layer used in
    order of first appearance.  Cost: the assignments ``phi`` surviving the graph
    rules, times the ``2^k`` sign choices for the ``k`` components of the ridge
    constraints that no ridge forces (about one per neuron, plus the signs of
    neurons that carry no facet) at most; the depth-first search visits a node per
    pruned subtree or surviving vector, usually far fewer (``n_sign_choices`` and
    ``pruned`` still count the vectors).

    Examples
    --------
    ``relu(x) + relu(y)`` for its own architecture: each line is one first-layer
    neuron; the flipped orientations are pruned (on ``x > 0 > y`` no neuron would be
    active, yet ``f = x`` there):

    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[1, 1]]], [[0, 0], [0]])
    >>> en = rg.fiber_configurations(net, (2, 2, 1))
    >>> len(en.configurations), en.status
    (1, 'complete')
    >>> rg.fiber_configurations(rg.zoo.bent_2d(), (2, 3, 1)).reason
    'the depth bound 2 exceeds the 1 hidden layers of the architecture'
    """
    data = net_or_complex if isinstance(net_or_complex, FunctionData) else function_data(net_or_complex)
    arch = _check_architecture(architecture, data)
    require_int(max_configurations, "max_configurations", minimum=0)
    require_int(max_choices, "max_choices", minimum=1)
    en, found = _enumerate(data, arch, max_configurations, max_choices)
    return replace(en, configurations=tuple(cfg for batch in found for cfg in batch.build(arch)))


@dataclass(frozen=True, slots=True)
class _Survivors:
    """The sign vectors of one assignment ``phi`` that pass every rule, with the compiled
    patterns that turn them into configurations (see :func:`_enumerate`)."""

    data: FunctionData
    phi: tuple[Neuron, ...]
    facet_specs: tuple[tuple[_Literal, ...], ...]
    delta_specs: tuple[_Literal, ...]
    side_specs: tuple[tuple[int, tuple[_Literal, ...], int, int, int], ...]
    combos: tuple[tuple[int, ...], ...]

    def build(self, arch: tuple[int, ...]) -> list[FiberConfiguration]:
        out = []
        for combo in self.combos:
            vals = (1, *combo)
            fs = tuple(tuple(0 if i < 0 else p * vals[i] for i, p in sp) for sp in self.facet_specs)
            ds = tuple(p * vals[i] for i, p in self.delta_specs)
            sides: dict[tuple[int, tuple[int, ...]], None] = {}
            for region, sp, b, sign, k in self.side_specs:
                signs_here = [0 if i < 0 else p * vals[i] for i, p in sp]
                signs_here[b] = sign * ds[k]
                sides[(region, tuple(signs_here))] = None
            out.append(FiberConfiguration(arch, self.phi, fs, ds, tuple(sides), self.data))
        return out


def _enumerate(
    data: FunctionData,
    arch: tuple[int, ...],
    max_configurations: int,
    max_choices: int,
    before: int = 0,
    visitor: Any = None,
) -> tuple[ConfigurationEnumeration, list[_Survivors]]:
    """The body of :func:`fiber_configurations`: the enumeration with its record (and no
    configurations) and the surviving sign vectors per assignment.  The configurations are
    built only once the number of survivors is known to stay within ``max_configurations``
    (``before`` of them found already).

    With a ``visitor`` (``visitor.cores``: a list of ``(labels, certificate)`` that may grow,
    ``visitor.visit(config)``) every surviving configuration is built and handed to
    ``visitor.visit`` at once, none is kept, and the sign subtrees whose configurations
    contain the labels of a core (:func:`_core_terms`) are cut under :data:`_CORE`,
    including the cores found while the enumeration runs; the visitor bounds the work."""
    import functools

    import networkx as nx

    widths = arch[1:-1]
    L = len(widths)
    C = data.n_candidates
    pruned: dict[str, int] = {}

    def cut(rule: str, n: int = 1) -> None:
        pruned[rule] = pruned.get(rule, 0) + n

    found: list[_Survivors] = []
    n_found = [0]

    def done(n_a: int, n_s: int, status: str, reason: str) -> tuple[ConfigurationEnumeration, list[_Survivors]]:
        return ConfigurationEnumeration(arch, (), n_a, n_s, pruned, status, reason), found

    if data.depth_bound > L:
        return done(
            0,
            0,
            "complete",
            f"the depth bound {data.depth_bound} exceeds the {L} hidden layers of the architecture",
        )
    lines = {(f.normal, f.beta) for f in data.facets}
    if L == 1 and len(lines) > widths[0]:
        # with one hidden layer the breakpoint locus lies on the first-layer hyperplanes
        return done(
            0, 0, "complete",
            f"the breakpoints lie on {len(lines)} hyperplanes, more than the {widths[0]} neurons of one hidden layer",
        )  # fmt: skip
    if data.impossible:
        return done(0, 0, "complete", data.impossible)
    if not data.unconditional:
        return done(0, 0, "undecided", "the candidate decomposition is not unconditional")
    if data.options:
        n_choices = 1
        for _r, alts in data.options:
            n_choices *= len(alts)
        if n_choices > max_choices:
            return done(
                0,
                0,
                "undecided",
                f"the bent-hyperplane graph is uncertain at ridges {list(data.ambiguous_ridges)} "
                f"({n_choices} resolutions exceed max_choices={max_choices})",
            )
        n_a = n_s = 0
        for choice in itertools.product(*(alts for _r, alts in data.options)):
            variant = _regroup(
                replace(data, options=(), ambiguous_ridges=()),
                [f.candidate for f in data.facets],
                [(b, c) for _a, b, c in choice],
                [(a, b) for a, b, _c in choice],
                (),
            )
            sub, sub_found = _enumerate(variant, arch, max_configurations, 1, before + n_found[0], visitor)
            if sub.status != "complete":
                return done(n_a, n_s, sub.status, sub.reason)
            for rule, n in sub.pruned.items():
                pruned[rule] = pruned.get(rule, 0) + n
            n_a += sub.n_assignments
            n_s += sub.n_sign_choices
            found.extend(sub_found)
            n_found[0] += sum(len(batch.combos) for batch in sub_found)
        return done(n_a, n_s, "complete", "" if n_found[0] else "every configuration was pruned")
    g = nx.DiGraph()
    g.add_nodes_from(range(C))
    g.add_edges_from(data.edges)
    if not nx.is_directed_acyclic_graph(g):
        return done(
            0, 0, "complete", "the bent-hyperplane graph has a cycle, which no layered network realizes"
        )
    order = list(nx.topological_sort(g))
    low = dict.fromkeys(g, 1)
    for v in order:
        for u in g.predecessors(v):
            low[v] = max(low[v], low[u] + 1)
    high = dict.fromkeys(g, L)
    for v in reversed(order):
        for w in g.successors(v):
            high[v] = min(high[v], high[w] - 1)
    depth = max(low.values(), default=0)
    if depth > L:
        return done(
            0,
            0,
            "complete",
            f"the bent-hyperplane graph has a path of {depth} candidates, more than the {L} hidden "
            "layers of the architecture (each edge goes to a later layer in the scope)",
        )
    hyper: dict[int, set[Any]] = {}
    for f in data.facets:
        hyper.setdefault(f.candidate, set()).add((f.normal, f.beta))
    for c in data.first_layer:
        if not data.flat[c] or low[c] > 1:
            return done(
                0,
                0,
                "complete",
                f"candidate {c} must be a first-layer neuron (a line through a ridge of three or more lines) but it is not flat or bends along another",
            )
        high[c] = 1
    forced_first = {next(iter(h)) for c, h in hyper.items() if data.flat[c] and high[c] == 1}
    if len(forced_first) > widths[0]:
        return done(
            0,
            0,
            "complete",
            f"{len(forced_first)} candidates must be first-layer hyperplanes but the first layer has {widths[0]} neurons",
        )
    neurons = [(ell, i) for ell, w in enumerate(widths, start=1) for i in range(w)]
    pos = {n: k for k, n in enumerate(neurons)}
    H = len(neurons)
    F = len(data.facets)
    ranks = [rank([list(row) for row in A]) if any(any(row) for row in A) else 0 for A, _c in data.regions]
    offs = [0]
    for w in widths:
        offs.append(offs[-1] + w)
    counts = [0, 0]  # assignments, sign choices

    R = len(data.ridges)
    layer_of = [n[0] for n in neurons]
    head: dict[int, int] = {}
    piece_head = [head.setdefault(f.group, k) if f.group >= 0 else k for k, f in enumerate(data.facets)]
    has_ridge = [False] * F
    for _x, star in data.ridges:
        for k in star:
            has_ridge[k] = True

    @functools.cache
    def facet_side(k2: int, k: int) -> int:  # side of facet k's point w.r.t. facet k2's hyperplane
        f2 = data.facets[k2]
        return _side(f2.normal, f2.beta, data.facets[k].point)

    def var_s(k: int, b: int) -> int:  # s(sigma_k)[b]
        return 1 + k * H + b

    def var_d(k: int) -> int:  # delta(sigma_k)
        return 1 + F * H + k

    def var_p(r: int, b: int) -> int:  # sign of b near ridge r
        return 1 + F * H + F + r * H + b

    def var_q(k: int, b: int) -> int:  # sign of b at the point of a facet without ridge
        return 1 + F * H + F + R * H + k * H + b

    n_vars = 1 + F * H + F + R * H + F * H

    def signs_for(phi: list[Neuron]) -> None:
        own = [pos[phi[f.candidate]] for f in data.facets]
        uf = _Parity(n_vars)
        ok = True

        def tie(x: int, y: int, c: int, rule: str) -> None:
            nonlocal ok
            if ok and not uf.union(x, y, c):
                cut(rule)
                ok = False

        # a first-layer neuron: one orientation, its sign anywhere read off its hyperplane
        first: dict[int, int] = {}
        for k in range(F):
            if layer_of[own[k]] == 1:
                if own[k] in first:
                    tie(var_d(first[own[k]]), var_d(k), 1, "a first-layer neuron with two orientations")
                else:
                    first[own[k]] = k

        def first_sign(c: int, x: Sequence[Fraction], var: int, rule: str) -> None:
            f = data.facets[first[c]]
            side = _side(f.normal, f.beta, x)
            if side == 0:
                cut(rule)
                nonlocal ok
                ok = False
                return
            tie(var, var_d(first[c]), side, rule)

        # pieces of one breakpoint facet (cut along flat candidates' hyperplanes): one
        # orientation (the neuron is affine on each side of the cut and continuous), and
        # one sign for every neuron of another layer but the first-layer ones carrying facets
        for k in range(F):
            k0 = piece_head[k]
            if k0 != k:
                tie(var_d(k0), var_d(k), 1, "pieces of one facet disagree")
                for b in range(H):
                    if b != own[k] and layer_of[b] != layer_of[own[k]] and b not in first:
                        tie(var_s(k0, b), var_s(k, b), 1, "pieces of one facet disagree")
        for k in range(F):
            a = own[k]
            for c in first:
                if c != a and layer_of[a] != 1:
                    first_sign(c, data.facets[k].point, var_s(k, c), "a facet meets a first-layer hyperplane")
                if c != a and layer_of[a] == 1 and not has_ridge[k]:
                    first_sign(c, data.facets[k].point, var_q(k, c), "a facet meets a first-layer hyperplane")
        for r, (x_t, star) in enumerate(data.ridges):
            nrn = sorted({own[k] for k in star})
            if len(nrn) > 2 and any(layer_of[b] != 1 for b in nrn):
                cut("three neurons, not all of the first layer, vanish at a ridge")
                return
            for c in first:
                if c not in nrn:
                    first_sign(c, x_t, var_p(r, c), "a ridge lies on a first-layer hyperplane")
            for k1 in star:
                a = own[k1]
                for b in range(H):
                    if b not in nrn and layer_of[b] != layer_of[a]:
                        tie(var_s(k1, b), var_p(r, b), 1, "patterns at a ridge disagree off its neurons")
                for k2 in star:
                    f1, f2 = data.facets[k1], data.facets[k2]
                    if k2 != k1 and own[k2] == a and f1.normal == f2.normal and f1.beta == f2.beta:
                        tie(var_d(k1), var_d(k2), 1, "opposite facets of one neuron with two orientations")
                    b = own[k2]
                    if b == a or layer_of[b] == layer_of[a]:
                        continue
                    side = facet_side(k2, k1)
                    if side == 0:
                        cut("a neuron's sign at a ridge contradicts its orientation")
                        return
                    tie(
                        var_s(k1, b),
                        var_d(k2),
                        side,
                        "a neuron's sign at a ridge contradicts its orientation",
                    )
            if not ok:
                return
        if not ok:
            return
        roots: list[int] = []
        seen: set[int] = set()
        used_vars = [
            var_s(k, b) for k in range(F) for b in range(H) if b != own[k] and layer_of[b] != layer_of[own[k]]
        ]
        used_vars += [var_d(k) for k in range(F)]
        used_vars += [
            var_p(r, b)
            for r, (_x, star) in enumerate(data.ridges)
            for b in range(H)
            if b not in {own[k] for k in star}
        ]
        used_vars += [
            var_q(k, b)
            for k in range(F)
            if not has_ridge[k]
            for b in range(H)
            if b != own[k] and layer_of[b] == layer_of[own[k]]
        ]
        for v in used_vars:
            root, _p = uf.find(v)
            if root != 0 and root not in seen:
                seen.add(root)
                roots.append(root)
        # the union-find is final: every sign is parity * value(root), with slot 0 the constant +1;
        # the patterns are compiled once into (slot, parity) pairs (slot -1: the sign 0)
        slot = {root: i + 1 for i, root in enumerate(roots)}
        slot[0] = 0

        def spec(v: int) -> tuple[int, int]:
            root, p = uf.find(v)
            return slot[root], p

        zero = (-1, 0)
        fs_spec = [
            tuple(
                zero if b == own[k] or layer_of[b] == layer_of[own[k]] else spec(var_s(k, b)) for b in range(H)
            )
            for k in range(F)
        ]
        ds_spec = [spec(var_d(k)) for k in range(F)]
        # per region beside a facet: region, pattern, the facet's neuron, side (+1 plus), the facet
        side_specs: list[tuple[int, tuple[tuple[int, int], ...], int, int, int]] = []
        for r, (_x, star) in enumerate(data.ridges):
            in_star = {own[k] for k in star}
            for k in star:
                f = data.facets[k]
                pat = [spec(var_p(r, b)) if b not in in_star else zero for b in range(H)]
                for k2 in star:
                    b = own[k2]
                    if b != own[k]:
                        s2, p2 = ds_spec[k2]
                        pat[b] = (s2, p2 * facet_side(k2, k))
                for region, sign in ((f.plus, 1), (f.minus, -1)):
                    side_specs.append((region, tuple(pat), own[k], sign, k))
        for k in range(F):
            if has_ridge[k]:
                continue
            f = data.facets[k]
            pat = [
                spec(var_q(k, b)) if layer_of[b] == layer_of[own[k]] and b != own[k] else fs_spec[k][b]
                for b in range(H)
            ]
            for region, sign in ((f.plus, 1), (f.minus, -1)):
                side_specs.append((region, tuple(pat), own[k], sign, k))
        n_roots = len(roots)
        counts[1] += 1 << n_roots
        checks = _sign_checks(fs_spec, ds_spec, side_specs, own, layer_of, offs, ranks)
        visit = None
        if visitor is not None:
            shape = (own, neurons, layer_of, offs, fs_spec, ds_spec, side_specs)
            n_cores = [0]

            def more_terms() -> None:
                for labels, _cert in visitor.cores[n_cores[0] :]:
                    checks.extend((term, -1, _CORE) for term in _core_terms(labels, *shape))
                n_cores[0] = len(visitor.cores)

            more_terms()
            batch = _Survivors(data, tuple(phi), tuple(fs_spec), tuple(ds_spec), tuple(side_specs), ())

            def visit(combo: tuple[int, ...]) -> None:
                visitor.visit(replace(batch, combos=(combo,)).build(arch)[0])
                more_terms()

        if visit is None:
            combos = _surviving_signs(n_roots, checks, cut, max_configurations, before + n_found[0])
        else:
            combos = _surviving_signs(n_roots, checks, cut, max_configurations, before + n_found[0], visit)
        if combos:
            n_found[0] += len(combos)
            found.append(
                _Survivors(data, tuple(phi), tuple(fs_spec), tuple(ds_spec), tuple(side_specs), tuple(combos))
            )

    phi: list[Neuron] = []
    first_hyper: dict[int, Any] = {}

    def assign(c: int) -> None:
        if c == C:
            signs_for(phi)
            return
        for ell in range(1, L + 1):
            if ell < low[c] or ell > high[c]:
                cut("layer order of the bent-hyperplane graph")
                continue
            if ell == 1 and (not data.flat[c] or len(hyper[c]) != 1):
                cut("a bent candidate cannot be a first-layer neuron")
                continue
            n_used = len({i for (la, i) in phi if la == ell})
            for i in range(min(n_used + 1, widths[ell - 1])):
                h = next(iter(hyper[c]))
                if ell == 1 and i in first_hyper and first_hyper[i] != h:
                    cut("two hyperplanes on one first-layer neuron")
                    continue
                counts[0] += 1
                phi.append((ell, i))
                new = ell == 1 and i not in first_hyper
                if new:
                    first_hyper[i] = h
                assign(c + 1)
                phi.pop()
                if new:
                    del first_hyper[i]

    assign(0)
    reason = "" if n_found[0] else "every configuration was pruned"
    return done(counts[0], counts[1], "complete", reason)


_CORE = "its equations contain a core certified empty (shared with an earlier configuration)"
_FED = "a facet's neuron is fed only by inactive neurons"
_BEND = "a bend is not transmitted: a later layer is inactive on the facet"
_RANK = "the rank of f's linear part exceeds the active neurons of a layer"

# a literal (slot, parity) is the sign parity * value(slot); slot 0 is the constant +1, slot -1 the sign 0
_Literal = tuple[int, int]
_Check = tuple[tuple[_Literal, ...], int, str]  # at least `need` literals are +1, else the rule is cut


def _sign_checks(
    fs_spec: Sequence[Sequence[_Literal]],
    ds_spec: Sequence[_Literal],
    side_specs: Sequence[tuple[int, Sequence[_Literal], int, int, int]],
    own: Sequence[int],
    layer_of: Sequence[int],
    offs: Sequence[int],
    ranks: Sequence[int],
) -> list[_Check]:
    """The transmission and rank rules (module notes) as threshold checks on literals, in the
    order they are applied: per facet the feeding layer, then every later layer; then, for a
    pattern that passes them all, every layer of every region beside a facet."""
    L = len(offs) - 1
    checks: list[_Check] = []
    for k, sp in enumerate(fs_spec):
        ell = layer_of[own[k]]
        if ell >= 2:
            checks.append((tuple(sp[offs[ell - 2] : offs[ell - 1]]), 1, _FED))
        for later in range(ell + 1, L + 1):
            checks.append((tuple(sp[offs[later - 1] : offs[later]]), 1, _BEND))
    seen = set()
    for region, sp, b, sign, k in side_specs:
        if not ranks[region]:
            continue
        slot, p = ds_spec[k]
        pat = list(sp)
        pat[b] = (slot, p * sign)
        for la in range(1, L + 1):
            lits = (tuple(pat[offs[la - 1] : offs[la]]), ranks[region], _RANK)
            if lits not in seen:
                seen.add(lits)
                checks.append(lits)
    return checks


def _core_terms(
    labels: frozenset[Any],
    own: Sequence[int],
    neurons: Sequence[Neuron],
    layer_of: Sequence[int],
    offs: Sequence[int],
    fs_spec: Sequence[Sequence[_Literal]],
    ds_spec: Sequence[_Literal],
    side_specs: Sequence[tuple[int, Sequence[_Literal], int, int, int]],
    limit: int = 256,
) -> list[tuple[tuple[int, int], ...]]:
    """The partial sign vectors (``(slot, value)`` pairs) under which a configuration of this
    assignment has every label of ``labels`` (:func:`~relu_geom.analyses.fibers.variety._configuration_labels`):
    each is a conjunction, their union is exact (an empty list: no configuration has them; more
    than ``limit`` alternatives: an empty list too, which only cuts less)."""

    def need(lit: _Literal, value: int, into: dict[int, int]) -> bool:
        slot, p = lit
        if slot < 0:
            return value == 0
        if slot == 0:
            return p == value
        if value == 0 or into.get(slot, value * p) != value * p:
            return False
        into[slot] = value * p
        return True

    L = len(offs) - 1
    options: list[list[dict[int, int]]] = []
    for lab in labels:
        kind = lab[0]
        if kind == "G":
            k = lab[1]
            if k >= len(own) or min(i for i in range(len(own)) if own[i] == own[k]) != k:
                return []
            continue
        if kind in ("A", "M"):
            k, neuron = lab[1], lab[2]
            if k >= len(own) or neurons[own[k]] != neuron:
                return []
            ell = neuron[0]
            got: dict[int, int] = {}
            layers = range(ell - 1) if kind == "A" else range(ell, L)
            shift = 0 if kind == "A" else ell
            if kind == "A" and not need(ds_spec[k], lab[3], got):
                return []
            for li in layers:
                for i, value in enumerate(lab[-1][li - shift]):
                    if not need(fs_spec[k][offs[li] + i], value, got):
                        return []
            options.append([got])
            continue
        _, region, pattern = lab
        alts = []
        for reg, sp, b, sign, k in side_specs:
            if reg != region:
                continue
            pat = list(sp)
            slot, p = ds_spec[k]
            pat[b] = (slot, p * sign)
            got = {}
            if all(need(lit, v, got) for lit, v in zip(pat, pattern)):
                alts.append(got)
        if not alts:
            return []
        options.append(alts)
    terms: list[dict[int, int]] = [{}]
    for alts in sorted(options, key=len):
        merged = []
        for t in terms:
            for a in alts:
                if all(t.get(slot, v) == v for slot, v in a.items()):
                    merged.append({**t, **a})
        terms = merged
        if not terms or len(terms) > limit:
            return []
    return [tuple(sorted(t.items())) for t in terms]


def _surviving_signs(
    n: int, checks: list[_Check], cut: Any, max_configurations: int, before: int, visit: Any = None
) -> list[tuple[int, ...]]:
    """The sign vectors in ``{1, -1}^n`` (in the order of ``itertools.product((1, -1), repeat=n)``)
    that pass every check; each failing vector is cut once under the rule of its first failing check.

    A depth-first search over partial vectors: when the checks before some check ``i`` hold
    for every completion and check ``i`` fails for every completion (too few literals can
    still be +1), all ``2^free`` completions are cut under check ``i``'s rule at once.  The
    counts are those of trying the vectors one by one.  More than ``max_configurations``
    survivors with the ``before`` ones already found raise :class:`~relu_geom.LimitExceededError`.

    A check with ``need == -1`` is a *term*: pairs ``(slot, value)``; it fails when every pair
    holds.  With ``visit``, each survivor is passed to ``visit`` at once (in search order) and
    not kept; ``checks`` may grow meanwhile (new checks apply to the vectors not yet visited).
    """
    vals = [1] + [0] * n  # 0: not yet chosen
    found: list[tuple[int, ...]] = []

    def status(check: _Check) -> tuple[int, int]:
        """(+1 holds for every completion | -1 fails for every completion | 0 open, an open slot)."""
        lits, need, _rule = check
        if need < 0:
            n_open = 0
            open_slot = -1
            for slot, v in lits:
                x = vals[slot]
                if not x:
                    n_open += 1
                    open_slot = slot
                elif x != v:
                    return 1, -1
            return (-1, -1) if not n_open else (0, open_slot)
        true = 0
        open_slot = -1
        n_open = 0
        for slot, p in lits:
            if slot < 0:
                continue
            v = vals[slot]
            if v == 0:
                n_open += 1
                open_slot = slot
            elif v * p > 0:
                true += 1
        if true >= need:
            return 1, -1
        if true + n_open < need:
            return -1, -1
        return 0, open_slot

    def walk(start: int, free: int) -> None:
        i = start
        while i < len(checks):
            st, slot = status(checks[i])
            if st == 1:
                i += 1
                continue
            if st == -1:
                rule = checks[i][2]
                cut(rule, 1 << free)
                return
            for v in (1, -1):
                vals[slot] = v
                walk(i, free - 1)
            vals[slot] = 0
            return
        # every check holds for every completion: all of them survive
        if visit is not None:
            open_slots = [s for s in range(1, n + 1) if vals[s] == 0]
            known = len(checks)
            for combo in itertools.product((1, -1), repeat=len(open_slots)):
                for s, v in zip(open_slots, combo):
                    vals[s] = v
                late = next((c for c in checks[known:] if status(c)[0] == -1), None)
                if late is not None:
                    cut(late[2])
                    continue
                visit(tuple(vals[1:]))
            for s in open_slots:
                vals[s] = 0
            return
        if before + len(found) + (1 << free) > max_configurations:
            raise LimitExceededError(
                f"max_configurations={max_configurations} reached: {max_configurations} configurations after pruning and more remain"
            )
        open_slots = [s for s in range(1, n + 1) if vals[s] == 0]
        for combo in itertools.product((1, -1), repeat=len(open_slots)):
            for s, v in zip(open_slots, combo):
                vals[s] = v
            found.append(tuple(vals[1:]))
        for s in open_slots:
            vals[s] = 0

    walk(0, n)
    found.sort(key=lambda c: [v < 0 for v in c])
    return found
