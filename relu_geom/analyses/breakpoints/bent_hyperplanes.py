"""Bent hyperplanes: per hidden neuron (parameter side) and candidate ones (function side).

Parameter side
--------------
The **bent hyperplane** of a hidden neuron is the closure of its zero set: the
cells of the canonical complex whose sign vector has 0 at that neuron.  This
includes whole regions where the neuron vanishes identically (a neuron of a
later layer fed only by inactive neurons, or a zero neuron).  The neuron is
**visible** when its bent hyperplane contains bent facets of ``f``.  In
:func:`neuron_graph` an edge ``u -> v`` (``u`` in an earlier layer) records that
``v``'s bent hyperplane bends where it meets ``u``'s: at some ridge in both,
the facets of ``v``'s bent hyperplane containing the ridge do not lie in one
hyperplane.

Function side
-------------
The **candidate bent hyperplanes** group the bent facets of ``f`` by local rules
at every ridge ``tau`` (a cell of dimension ``d - 2`` inside the domain), using
only the bent facets containing ``tau`` (the *bent star*, which depends only
on ``f``).  The rules are the ones proved for **generic** realizations
(supertransversal, masked products of maximal rank: paper 000), where every
ridge lies in exactly two bent hyperplanes of neurons, an earlier one
``u`` straight through ``tau`` and a later one ``v`` that may bend there
(proofs in ``docs/breakpoints.md``):

1. *Straight*: two bent facets of the star in one hyperplane (then on opposite
   sides of ``tau``) belong to one candidate.
2. *Bend, four facets*: one such pair and two facets in two other hyperplanes:
   the two belong to one candidate, which bends along the pair: an edge
   ``pair -> the two``.
3. *Bend, three facets, no pair*: the straight facet's hyperplane separates
   the other two.  If exactly one of the three hyperplanes does, that facet is
   straight and the other two are joined; otherwise, if after all joins two of
   the three lie in one candidate, the third is straight there.
4. Every other star (two facets in two hyperplanes, one pair and one facet,
   more than four facets, a symmetric three-facet star such as the one of
   ``max(0, x, y)``, whose three realizations make each ray straight) joins
   only its pairs (none for more than four facets) and is reported in
   :attr:`CandidateDecomposition.ambiguous_ridges`.

Every rule reads geometry that depends only on the function and the unions do
not depend on the order of the ridges, so the candidates depend only on ``f``.

The **bent-hyperplane graph** has the candidates as nodes and an edge
``u -> v`` when ``v`` bends along ``u``.  A path of ``k`` candidates forces ``k``
hidden layers in any *generic* network realizing ``f``; it is no theorem for
other networks (:attr:`DepthBound.generic_bound`).  The bound that holds for
every network is the one-hidden-layer criterion
(:func:`one_hidden_layer_witness`, :attr:`DepthBound.bound`).
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from relu_geom._util import short_repr
from relu_geom.analyses.breakpoints.complex import BreakpointComplex, UnionFind, as_breakpoint_complex
from relu_geom.arith.rational import format_rational
from relu_geom.errors import InvalidInputError
from relu_geom.geometry.lattice import iter_bits

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "CandidateBentHyperplane",
    "CandidateDecomposition",
    "DepthBound",
    "NeuronBentHyperplane",
    "ShallowWitness",
    "bent_hyperplane_graph",
    "candidate_bent_hyperplanes",
    "depth_lower_bound",
    "neuron_bent_hyperplanes",
    "neuron_graph",
    "one_hidden_layer_witness",
]


# ----------------------------------------------------------------- parameter side
class NeuronBentHyperplane(NamedTuple):
    """The bent hyperplane of one hidden neuron in the canonical complex.

    Attributes
    ----------
    neuron : int
        Global index of the hidden neuron.
    label : (int, int)
        ``(layer, index)``, layer 1-based.
    cells : tuple of int
        Every cell (any dimension) whose sign vector has 0 at the neuron.
    facets : tuple of int
        The cells of dimension ``d - 1`` among them.
    bent_facets : tuple of int
        The facets among them across which ``f`` bends.
    vanishing_regions : tuple of int
        Regions on which the neuron is identically zero.
    is_visible : bool
        True when it carries bent facets of ``f``.
    """

    neuron: int
    label: tuple[int, int]
    cells: tuple[int, ...]
    facets: tuple[int, ...]
    bent_facets: tuple[int, ...]
    vanishing_regions: tuple[int, ...]
    is_visible: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "neuron": self.neuron,
            "label": list(self.label),
            "cells": list(self.cells),
            "facets": list(self.facets),
            "bent_facets": list(self.bent_facets),
            "vanishing_regions": list(self.vanishing_regions),
            "is_visible": self.is_visible,
        }


def neuron_bent_hyperplanes(net_or_complex: Any, *, domain: Any = None) -> tuple[NeuronBentHyperplane, ...]:
    """The bent hyperplane of every hidden neuron, in global neuron order.

    Examples
    --------
    The second neuron of ``relu(x) + 0 relu(x - 1)`` is invisible:

    >>> import relu_geom as rg
    >>> hs = rg.neuron_bent_hyperplanes(rg.ReLUNetwork([[[1], [1]], [[1, 0]]], [[0, -1], [0]]))
    >>> [(h.label, len(h.facets), h.is_visible) for h in hs]
    [((1, 0), 1, True), ((1, 1), 1, False)]
    """
    bc = as_breakpoint_complex(net_or_complex, domain=domain)
    cx = bc.complex
    net = cx.network
    H = net.n_hidden
    full = (1 << H) - 1
    d = cx.dim
    cells: list[list[int]] = [[] for _ in range(H)]
    facets: list[list[int]] = [[] for _ in range(H)]
    regions: list[list[int]] = [[] for _ in range(H)]
    for c in cx.cells:
        pos, neg, _ = c.sign_key
        zero = full & ~(pos | neg)
        for g in iter_bits(zero):
            cells[g].append(c.index)
            if c.dim == d - 1:
                facets[g].append(c.index)
            elif c.dim == d:
                regions[g].append(c.index)
    bent = frozenset(bc.bent_facets)
    out = []
    for g in range(H):
        bf = tuple(i for i in facets[g] if i in bent)
        out.append(
            NeuronBentHyperplane(
                g, net.neurons[g], tuple(cells[g]), tuple(facets[g]), bf, tuple(regions[g]), bool(bf)
            )
        )
    return tuple(out)


def neuron_graph(net_or_complex: Any, *, domain: Any = None, visible_only: bool = False) -> nx.DiGraph:
    """The parameter-side graph: hidden neurons, with ``u -> v`` when ``v`` bends where it meets ``u``.

    Nodes are global neuron indices with attributes ``label`` ((layer, index)),
    ``layer``, ``is_visible`` and ``bent_facets``.  Edge ``u -> v`` (``u`` in an
    earlier layer than ``v``) carries ``ridges``: the interior ridges lying in
    both bent hyperplanes at which the facets of ``v``'s bent hyperplane do
    not lie in one hyperplane.  With ``visible_only`` the graph is restricted
    to visible neurons and an edge needs a ridge where both bent hyperplanes
    carry bent facets of ``f`` (where the function can see the bend).

    Examples
    --------
    >>> import relu_geom as rg
    >>> g = rg.neuron_graph(rg.zoo.bent_2d())
    >>> sorted(g.edges())
    [(0, 2), (1, 2)]
    """
    import networkx as nx

    if not isinstance(visible_only, bool):
        raise InvalidInputError(f"visible_only: expected True or False, got {short_repr(visible_only)}")
    bc = as_breakpoint_complex(net_or_complex, domain=domain)
    cx = bc.complex
    net = cx.network
    H = net.n_hidden
    full = (1 << H) - 1
    layer_of = [lay for lay, _ in net.neurons]
    hyps = neuron_bent_hyperplanes(bc)
    g = nx.DiGraph()
    for h in hyps:
        if visible_only and not h.is_visible:
            continue
        g.add_node(
            h.neuron, label=h.label, layer=h.label[0], is_visible=h.is_visible, bent_facets=h.bent_facets
        )
    key = {i: rec.hyperplane for i, rec in bc.facet_table.items()}
    bent = frozenset(bc.bent_facets)
    edges: dict[tuple[int, int], list[int]] = {}
    if cx.dim >= 2:
        cells = cx.cells
        for t in cx.cells_of_dim(cx.dim - 2):
            if t.domain_face:
                continue
            pos, neg, _ = t.sign_key
            zero = full & ~(pos | neg)
            if zero & (zero - 1) == 0:
                continue  # fewer than two neurons vanish here
            zs = list(iter_bits(zero))
            fkeys = [(cells[f].sign_key, key[f], f in bent) for f in t.coface_indices if f in key]
            if visible_only:
                seen = 0  # neurons with a bent facet at this ridge
                for (p, n, _), _k, b in fkeys:
                    if b:
                        seen |= zero & ~(p | n)
                zs = [v for v in zs if seen >> v & 1]
            for v in zs:
                ks = {k for (p, n, _), k, _b in fkeys if not (p | n) >> v & 1}
                if len(ks) < 2:
                    continue
                for u in zs:
                    if layer_of[u] < layer_of[v]:
                        edges.setdefault((u, v), []).append(t.index)
    for (u, v), ridges in sorted(edges.items()):
        if u in g and v in g:
            g.add_edge(u, v, ridges=tuple(ridges))
    return g


# ------------------------------------------------------------------ function side
class CandidateBentHyperplane(NamedTuple):
    """One candidate bent hyperplane of ``f``.

    Attributes
    ----------
    index : int
        Node of the bent-hyperplane graph.
    facets : tuple of int
        Indices of its facets in :attr:`BreakpointComplex.facets`.
    cells : tuple of int
        The bent facets of the canonical complex it is made of.
    hyperplanes : tuple of tuple of int
        The distinct supporting hyperplanes of its facets, sorted.
    bends_at : tuple of int
        Ridges (cell indices) at which it bends.
    """

    index: int  # type: ignore[assignment]  # a NamedTuple field named like tuple.index (public)
    facets: tuple[int, ...]
    cells: tuple[int, ...]
    hyperplanes: tuple[tuple[int, ...], ...]
    bends_at: tuple[int, ...]

    @property
    def is_flat(self) -> bool:
        """True when all its facets lie in one hyperplane."""
        return len(self.hyperplanes) == 1

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "index": self.index,
            "facets": list(self.facets),
            "cells": list(self.cells),
            "hyperplanes": [list(h) for h in self.hyperplanes],
            "bends_at": list(self.bends_at),
            "is_flat": self.is_flat,
        }


class CandidateDecomposition(NamedTuple):
    """The candidate bent hyperplanes of ``f`` with the bends between them.

    Attributes
    ----------
    candidates : tuple of CandidateBentHyperplane
    candidate_of_facet : tuple of int
        ``candidate_of_facet[i]`` is the candidate of breakpoint facet ``i``.
    edges : mapping (read-only)
        ``(u, v) -> ridges``: candidate ``v`` bends along ``u`` at these ridges.
    ambiguous_ridges : tuple of int
        Ridges whose star the local rules could not resolve (see the module notes).
    """

    candidates: tuple[CandidateBentHyperplane, ...]
    candidate_of_facet: tuple[int, ...]
    edges: Mapping[tuple[int, int], tuple[int, ...]]
    ambiguous_ridges: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; each edge as ``{"from": u, "to": v, "ridges": [...]}``."""
        return {
            "candidates": [c.to_dict() for c in self.candidates],
            "candidate_of_facet": list(self.candidate_of_facet),
            "edges": [{"from": u, "to": v, "ridges": list(r)} for (u, v), r in self.edges.items()],
            "ambiguous_ridges": list(self.ambiguous_ridges),
        }


_DECOMPOSITIONS: weakref.WeakKeyDictionary[BreakpointComplex, CandidateDecomposition] = (
    weakref.WeakKeyDictionary()
)


def _hpoints(bc: BreakpointComplex, facets: Sequence[int]) -> dict[int, tuple[int, ...]]:
    """Homogeneous integer interior points ``(X, t)``, ``t > 0``, of cells (sum of their generators)."""
    cells = bc.complex.cells
    return {i: cells[i].homogeneous_interior_point for i in facets}


def _side(row: tuple[int, ...], hp: tuple[int, ...]) -> int:
    """Sign of ``a . x - b`` at the homogeneous point ``hp = (X, t)``, ``t > 0``."""
    v = sum(a * x for a, x in zip(row[:-1], hp)) - row[-1] * hp[-1]
    return (v > 0) - (v < 0)


def _decompose(bc: BreakpointComplex) -> CandidateDecomposition:
    key = {i: rec.hyperplane for i, rec in bc.facet_table.items()}
    uf = UnionFind(bc.bent_facets)
    for f in bc.facets:
        for i in f.cells[1:]:
            uf.union(f.cells[0], i)
    bends: list[tuple[int, tuple[int, ...], int, int]] = []  # (ridge, straight facets, bending pair)
    triples: list[tuple[int, tuple[int, int, int]]] = []
    ambiguous: list[int] = []
    for ridge, rec in bc.ridge_table.items():
        star = rec.star
        by_key: dict[tuple[int, ...], list[int]] = {}
        for i in star:
            by_key.setdefault(key[i], []).append(i)
        pairs = [g for g in by_key.values() if len(g) == 2]
        single = [g[0] for g in by_key.values() if len(g) == 1]
        if len(star) > 4 or (len(star) == 2 and not pairs):
            ambiguous.append(ridge)  # no generic realization has this star: no rule applies
            continue
        for a, b in pairs:
            uf.union(a, b)
        if len(pairs) == 1 and len(single) == 2:
            uf.union(single[0], single[1])
            bends.append((ridge, tuple(pairs[0]), single[0], single[1]))
        elif len(single) == 3:
            triples.append((ridge, (single[0], single[1], single[2])))
        elif single:
            ambiguous.append(ridge)  # one pair and one facet: it may bend invisibly
    if triples:
        hp = _hpoints(bc, sorted({i for _, t in triples for i in t}))
        later = []
        for ridge, tri in triples:
            sep = []
            for k in range(3):
                i, j, o = tri[k], tri[(k + 1) % 3], tri[(k + 2) % 3]
                if _side(key[i], hp[j]) * _side(key[i], hp[o]) < 0:
                    sep.append(k)
            if len(sep) == 1:
                k = sep[0]
                j, o = tri[(k + 1) % 3], tri[(k + 2) % 3]
                uf.union(j, o)
                bends.append((ridge, (tri[k],), j, o))
            else:
                later.append((ridge, tri))
        for ridge, tri in later:
            roots = [uf.find(i) for i in tri]
            straight = [k for k in range(3) if roots[(k + 1) % 3] == roots[(k + 2) % 3] != roots[k]]
            if len(straight) == 1:
                k = straight[0]
                bends.append((ridge, (tri[k],), tri[(k + 1) % 3], tri[(k + 2) % 3]))
            else:
                ambiguous.append(ridge)
    # candidates, ordered by their first breakpoint facet
    facets_of = bc.facets_of_cell
    groups = uf.groups()
    groups.sort(key=lambda grp: min(facets_of[i][0] for i in grp))
    root_index = {uf.find(grp[0]): k for k, grp in enumerate(groups)}
    bends_at: dict[int, list[int]] = {}
    edges: dict[tuple[int, int], list[int]] = {}
    for ridge, straight_facets, j, _ in bends:
        v = root_index[uf.find(j)]
        bends_at.setdefault(v, []).append(ridge)
        for s in straight_facets:
            u = root_index[uf.find(s)]
            if u != v:
                edges.setdefault((u, v), []).append(ridge)
    cands = []
    for k, grp in enumerate(groups):
        fs = tuple(sorted({k for i in grp for k in facets_of[i]}))
        cands.append(
            CandidateBentHyperplane(
                k,
                fs,
                tuple(grp),
                tuple(sorted({key[i] for i in grp})),
                tuple(sorted(set(bends_at.get(k, ())))),
            )
        )
    cof = [0] * len(bc.facets)
    for c in cands:
        for g in c.facets:
            cof[g] = c.index
    return CandidateDecomposition(
        tuple(cands),
        tuple(cof),
        MappingProxyType({e: tuple(sorted(set(r))) for e, r in sorted(edges.items())}),
        tuple(sorted(set(ambiguous))),
    )


def candidate_bent_hyperplanes(net_or_complex: Any, *, domain: Any = None) -> CandidateDecomposition:
    """The candidate bent hyperplanes of ``f`` (the rules are in the module documentation).

    Examples
    --------
    ``relu(x) + relu(y)``: two straight lines, each one candidate, no bend:

    >>> import relu_geom as rg
    >>> dec = rg.candidate_bent_hyperplanes(rg.ReLUNetwork([[[1, 0], [0, 1]], [[1, 1]]], [[0, 0], [0]]))
    >>> [c.hyperplanes for c in dec.candidates], dict(dec.edges)
    ([((0, 1, 0),), ((1, 0, 0),)], {})
    """
    bc = as_breakpoint_complex(net_or_complex, domain=domain)
    got = _DECOMPOSITIONS.get(bc)
    if got is None:
        got = _DECOMPOSITIONS[bc] = _decompose(bc)
    return got


def bent_hyperplane_graph(net_or_complex: Any, *, domain: Any = None) -> nx.DiGraph:
    """The bent-hyperplane graph of ``f``: candidates as nodes, ``u -> v`` when ``v`` bends along ``u``.

    Node attributes: ``facets`` (breakpoint facet indices), ``cells`` (bent
    facets of the canonical complex), ``hyperplanes``, ``is_flat``, ``bends_at``
    and ``level`` (the number of nodes of a longest path ending there, a lower
    bound on the layer of any neuron realizing it).  Edge attribute ``ridges``
    gives the ridges where the bend happens.  Graph attribute
    ``ambiguous_ridges`` lists the ridges left unresolved.

    Examples
    --------
    ``|x| + relu(y - relu(x))``: the line ``x = 0`` is straight through the
    origin, the second-layer hinge ``y = relu(x)`` bends along it:

    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork(
    ...     [[[1, 0], [-1, 0], [0, 1], [0, -1]], [[1, 1, 0, 0], [-1, 0, 1, -1]], [[1, 1]]],
    ...     [[0, 0, 0, 0], [0, 0], [0]],
    ... )
    >>> g = rg.bent_hyperplane_graph(net)
    >>> [(g.nodes[u]["hyperplanes"], g.nodes[v]["hyperplanes"]) for u, v in g.edges()]
    [(((1, 0, 0),), ((0, 1, 0), (1, -1, 0)))]
    >>> rg.depth_lower_bound(net).generic_bound
    2
    """
    import networkx as nx

    dec = candidate_bent_hyperplanes(net_or_complex, domain=domain)
    g = nx.DiGraph(ambiguous_ridges=dec.ambiguous_ridges)
    for c in dec.candidates:
        g.add_node(
            c.index,
            facets=c.facets,
            cells=c.cells,
            hyperplanes=c.hyperplanes,
            is_flat=c.is_flat,
            bends_at=c.bends_at,
        )
    for (u, v), ridges in dec.edges.items():
        g.add_edge(u, v, ridges=ridges)
    for node, level in _levels(g).items():
        g.nodes[node]["level"] = level
    bc = as_breakpoint_complex(net_or_complex, domain=domain)
    g.graph["one_hidden_layer_witness"] = one_hidden_layer_witness(bc)
    g.graph["ambient_dim"] = bc.ambient_dim
    return g


def _levels(g: nx.DiGraph) -> dict[int, int]:
    """Longest path (in nodes) ending at each node, counting a strongly connected component once."""
    import networkx as nx

    cond = nx.condensation(g)
    level: dict[int, int] = {}
    for c in nx.topological_sort(cond):
        level[c] = 1 + max((level[p] for p in cond.predecessors(c)), default=0)
    mapping = cond.graph["mapping"]
    return {node: level[mapping[node]] for node in g.nodes}


@dataclass(frozen=True, slots=True)
class ShallowWitness:
    """Why ``f`` is not computable with one hidden layer: a hyperplane of ``B(f)`` that is not whole.

    Attributes
    ----------
    kind : str
        ``"stops"``: a bent facet in ``hyperplane`` ends at the ridge (its
        hyperplane is not in ``B(f)`` on the other side); ``"weight_changes"``:
        the bent facets of ``hyperplane`` on the two sides of the ridge have
        different weights.
    ridge : int
        The ridge (cell index of the canonical complex, in the interior of the domain).
    point : tuple of Fraction
        A point in the relative interior of the ridge.
    hyperplane : tuple of int
        The row ``(a, b)`` of the hyperplane ``a . x == b``.
    facets : tuple of int
        The breakpoint facets (indices in :attr:`BreakpointComplex.facets`) in
        ``hyperplane`` containing the ridge: one for ``"stops"``, two otherwise.
    weights : tuple of tuple of Fraction
        Their tropical weights, in the order of ``facets``.
    """

    kind: str
    ridge: int
    point: tuple[Fraction, ...]
    hyperplane: tuple[int, ...]
    facets: tuple[int, ...]
    weights: tuple[tuple[Fraction, ...], ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, rationals as ``"p/q"`` strings (integers as ints)."""
        return {
            "kind": self.kind,
            "ridge": self.ridge,
            "point": [format_rational(v) for v in self.point],
            "hyperplane": list(self.hyperplane),
            "facets": list(self.facets),
            "weights": [[format_rational(v) for v in w] for w in self.weights],
        }


def one_hidden_layer_witness(net_or_complex: Any, *, domain: Any = None) -> ShallowWitness | None:
    """None when ``f`` is computable with one hidden layer on the domain, else a witness why not.

    The exact criterion (proved in ``docs/breakpoints.md``): a continuous
    piecewise linear ``f`` is ``affine + sum_H w_H relu(h_H)`` on the domain
    ``D`` iff at every ridge in the interior of ``D`` each hyperplane carrying
    a bent facet of the ridge's star carries exactly two of them (one on each
    side) with equal tropical weights.  Equivalently ``B(f)`` is the union of
    the pieces ``H ∩ int(D)`` of whole hyperplanes, with a constant weight
    along each.  One pass over the ridges.

    Examples
    --------
    ``max(0, x, y)`` needs two hidden layers: its breakpoint rays stop at the origin.

    >>> import relu_geom as rg
    >>> w = rg.one_hidden_layer_witness(rg.zoo.bent_2d())
    >>> w.kind, len(w.facets)
    ('stops', 1)
    >>> rg.one_hidden_layer_witness(rg.ReLUNetwork([[[1, 0], [0, 1]], [[1, 1]]], [[0, 0], [0]])) is None
    True
    """
    bc = as_breakpoint_complex(net_or_complex, domain=domain)
    table, cells = bc.facet_table, bc.complex.cells
    facets_of = bc.facets_of_cell
    scale = bc.output_scale
    for ridge, rec in sorted(bc.ridge_table.items()):
        by_key: dict[tuple[int, ...], list[int]] = {}
        for i in rec.star:
            by_key.setdefault(table[i].hyperplane, []).append(i)
        for row, grp in sorted(by_key.items()):
            if len(grp) == 2 and table[grp[0]].weight_numerator == table[grp[1]].weight_numerator:
                continue
            # the breakpoint facet of each canonical facet that contains the ridge
            fs = tuple(
                next(k for k in facets_of[i] if bc.facets[k].polyhedron.contains(cells[ridge].interior_point))
                if len(facets_of[i]) > 1
                else facets_of[i][0]
                for i in grp
            )
            return ShallowWitness(
                "stops" if len(grp) == 1 else "weight_changes",
                ridge,
                cells[ridge].interior_point,
                row,
                fs,
                tuple(tuple(Fraction(v, scale) for v in table[i].weight_numerator or ()) for i in grp),
            )
    return None


@dataclass(frozen=True, slots=True)
class DepthBound:
    """Lower bounds on the number of hidden layers of a network computing ``f``.

    Attributes
    ----------
    bound : int
        A theorem for every network (any parameters) computing ``f`` on the
        domain: 0 when ``f`` is affine, 1 when it is not, 2 when it is not
        computable with one hidden layer (then ``witness`` says why).
    exact : bool
        True when ``bound`` is the minimal number of hidden layers: always when
        ``bound <= 1`` (the one-hidden-layer criterion is exact), and for
        ``bound == 2`` when ``d <= 3`` (every continuous piecewise linear
        function on ``R^d`` is computable with ``ceil(log2(d + 1))`` hidden layers).
    witness : ShallowWitness or None
        For ``bound == 2``: the ridge and hyperplane where ``B(f)`` stops being
        a union of whole hyperplanes with constant weights.
    generic_bound : int
        The longest path (in nodes) of the bent-hyperplane graph: a lower bound
        for **generic** networks computing ``f`` only (supertransversal
        parameters with masked products of maximal rank, paper 000); never less
        than ``bound``.
    path : tuple of int
        The candidates of that path, each bending along the previous one
        (edges of the graph); if the graph has cycles one candidate per
        strongly connected component.
    unconditional : bool
        True when ``generic_bound == bound``, i.e. the path claims nothing
        beyond the theorem.
    ambiguous_ridges : tuple of int
        Ridges at which no proved local rule applied (no edge was added there).
    """

    bound: int
    exact: bool
    witness: ShallowWitness | None
    generic_bound: int
    path: tuple[int, ...]
    unconditional: bool
    ambiguous_ridges: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the witness as :meth:`ShallowWitness.to_dict`)."""
        return {
            "bound": self.bound,
            "exact": self.exact,
            "witness": None if self.witness is None else self.witness.to_dict(),
            "generic_bound": self.generic_bound,
            "path": list(self.path),
            "unconditional": self.unconditional,
            "ambiguous_ridges": list(self.ambiguous_ridges),
        }


def depth_lower_bound(obj: Any, *, domain: Any = None) -> DepthBound:
    """Lower bounds on the depth of any network realizing ``f``: a theorem and a generic one.

    Parameters
    ----------
    obj
        A network, a compiled complex, a :class:`~relu_geom.BreakpointComplex`
        or a graph from :func:`bent_hyperplane_graph`.

    Notes
    -----
    :attr:`DepthBound.bound` holds for every network computing ``f``: it is 2
    exactly when :func:`one_hidden_layer_witness` finds a witness.  The longest
    path of the bent-hyperplane graph (:attr:`DepthBound.generic_bound`) holds
    for generic realizations only: a bend of candidate ``v`` along ``u`` means
    that in a generic network the neuron realizing ``v`` lies in a later layer
    than the one realizing ``u``.  Linear in the size of the complex.

    Examples
    --------
    >>> import relu_geom as rg
    >>> b = rg.depth_lower_bound(rg.zoo.hat_1d())
    >>> b.bound, b.exact, b.generic_bound, b.unconditional
    (1, True, 1, True)
    >>> rg.depth_lower_bound(rg.ReLUNetwork([[[1]], [[0]]], [[0], [3]])).bound
    0
    >>> b = rg.depth_lower_bound(rg.zoo.bent_2d())
    >>> b.bound, b.witness.kind, b.witness.point
    (2, 'stops', (Fraction(0, 1), Fraction(1, 1)))
    """
    import networkx as nx

    g = obj if isinstance(obj, nx.DiGraph) else bent_hyperplane_graph(obj, domain=domain)
    if "one_hidden_layer_witness" not in g.graph:
        raise InvalidInputError(
            "obj: expected a graph from bent_hyperplane_graph, got a DiGraph without its attributes"
        )
    ambiguous = tuple(g.graph["ambiguous_ridges"])
    if not g.number_of_nodes():
        return DepthBound(0, True, None, 0, (), True, ambiguous)
    witness = g.graph["one_hidden_layer_witness"]
    bound = 1 if witness is None else 2
    exact = bound == 1 or g.graph["ambient_dim"] <= 3
    if nx.is_directed_acyclic_graph(g):
        path = tuple(nx.dag_longest_path(g))
    else:
        cond = nx.condensation(g)
        members = cond.graph["mapping"]
        rep: dict[int, int] = {}
        for node, comp in members.items():
            rep[comp] = min(rep.get(comp, node), node)
        path = tuple(rep[c] for c in nx.dag_longest_path(cond))
    generic = max(bound, len(path))
    return DepthBound(bound, exact, witness, generic, path, generic == bound, ambiguous)
