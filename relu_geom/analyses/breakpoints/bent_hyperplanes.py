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
on ``f``):

1. *Straight*: two bent facets of the star in one hyperplane lie on opposite
   sides of ``tau``; they continue each other straight and belong to one
   candidate.
2. *Bend*: if, after pairing, exactly two facets are left unpaired, they belong
   to one candidate, which bends at ``tau`` along every paired (straight) one:
   an edge ``straight -> bending``.  (Two bent facets alone are always
   straight: two jumps along different normals cannot balance.)
3. *Three facets, no pair* (one hyperplane visible on one side only, generic in
   depth >= 2): the straight one is the facet whose hyperplane separates the
   other two.  If exactly one facet does (one angle of the star exceeds pi),
   it is straight and the other two are joined.  If all three do, the star is
   locally symmetric (``max(0, x, y)`` has three realizations) and global
   evidence decides, in this order: (a) the rule of paper 001 (appendix B):
   exactly one of the three facets is not adjacent to a region on which ``f``
   is constant, while some facet is; (b) exactly one of the three facets has a
   bent facet of ``f`` in its own hyperplane on the far side of ``tau`` (a
   hyperplane that continues invisibly through ``tau`` and reappears); (c)
   after all joins, two of the three facets already lie in one candidate, so
   the third is straight there.  Otherwise the ridge is reported in
   :attr:`CandidateDecomposition.ambiguous_ridges` and nothing is joined there.
4. Any other star (three or more unpaired facets next to straight pairs, four
   or more unpaired facets, which generic networks never produce) joins only
   its straight pairs and is reported as ambiguous.

Every rule reads geometry that depends only on the function and the unions do
not depend on the order of the ridges, so the candidates depend only on ``f``.

The **bent-hyperplane graph** has the candidates as nodes and an edge
``u -> v`` when ``v`` bends along ``u``.  A path of ``k`` candidates forces ``k``
hidden layers in any network realizing ``f`` generically, so the longest path
(counted in nodes) is a lower bound on the depth (:func:`depth_lower_bound`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from relu_geom.analyses.breakpoints.complex import BreakpointComplex, _UnionFind, as_breakpoint_complex
from relu_geom.errors import InvalidInputError
from relu_geom.geometry.lattice import iter_bits

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "CandidateBentHyperplane",
    "CandidateDecomposition",
    "DepthBound",
    "NeuronBentHyperplane",
    "bent_hyperplane_graph",
    "candidate_bent_hyperplanes",
    "depth_lower_bound",
    "neuron_bent_hyperplanes",
    "neuron_graph",
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
    bent = bc._bent
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
        raise InvalidInputError(f"visible_only: expected True or False, got {visible_only!r}")
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
    key = bc._key
    bent = bc._bent
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

    index: int
    facets: tuple[int, ...]
    cells: tuple[int, ...]
    hyperplanes: tuple[tuple[int, ...], ...]
    bends_at: tuple[int, ...]

    @property
    def is_flat(self) -> bool:
        """True when all its facets lie in one hyperplane."""
        return len(self.hyperplanes) == 1


class CandidateDecomposition(NamedTuple):
    """The candidate bent hyperplanes of ``f`` with the bends between them.

    Attributes
    ----------
    candidates : tuple of CandidateBentHyperplane
    candidate_of_facet : tuple of int
        ``candidate_of_facet[i]`` is the candidate of breakpoint facet ``i``.
    edges : dict
        ``(u, v) -> ridges``: candidate ``v`` bends along ``u`` at these ridges.
    ambiguous_ridges : tuple of int
        Ridges whose star the local rules could not resolve (see the module notes).
    """

    candidates: tuple[CandidateBentHyperplane, ...]
    candidate_of_facet: tuple[int, ...]
    edges: dict[tuple[int, int], tuple[int, ...]]
    ambiguous_ridges: tuple[int, ...]


def _hpoints(bc: BreakpointComplex, facets: Sequence[int]) -> dict[int, tuple[int, ...]]:
    """Homogeneous integer interior points ``(X, t)``, ``t > 0``, of cells (sum of their generators)."""
    cells = bc.complex.cells
    return {i: cells[i].homogeneous_interior_point for i in facets}


def _side(row: tuple[int, ...], hp: tuple[int, ...]) -> int:
    """Sign of ``a . x - b`` at the homogeneous point ``hp = (X, t)``, ``t > 0``."""
    v = sum(a * x for a, x in zip(row[:-1], hp)) - row[-1] * hp[-1]
    return (v > 0) - (v < 0)


def _decompose(bc: BreakpointComplex) -> CandidateDecomposition:
    key = bc._key
    uf = _UnionFind(bc._bent)
    for f in bc.facets:
        for i in f.cells[1:]:
            uf.union(f.cells[0], i)
    bends: list[tuple[int, tuple[int, ...], int, int]] = []  # (ridge, straight facets, bending pair)
    triples: list[tuple[int, tuple[int, int, int]]] = []
    ambiguous: list[int] = []
    for ridge, star in bc._stars.items():
        if len(star) < 3:
            if len(star) == 2 and key[star[0]] == key[star[1]]:
                uf.union(star[0], star[1])
            else:
                ambiguous.append(ridge)
            continue
        by_key: dict[tuple[int, ...], list[int]] = {}
        for i in star:
            by_key.setdefault(key[i], []).append(i)
        pairs = [g for g in by_key.values() if len(g) == 2]
        single = [g[0] for g in by_key.values() if len(g) == 1]
        if any(len(g) > 2 for g in by_key.values()):
            ambiguous.append(ridge)
            continue
        for a, b in pairs:
            uf.union(a, b)
        if len(single) == 2:
            uf.union(single[0], single[1])
            bends.append((ridge, tuple(p[0] for p in pairs), single[0], single[1]))
        elif len(single) == 3 and not pairs:
            triples.append((ridge, (single[0], single[1], single[2])))
        elif single:
            ambiguous.append(ridge)
    if triples:
        hp = _hpoints(bc, sorted({i for _, t in triples for i in t}))
        separating = []
        for _ridge, tri in triples:
            sep = []
            for k in range(3):
                i, j, o = tri[k], tri[(k + 1) % 3], tri[(k + 2) % 3]
                if _side(key[i], hp[j]) * _side(key[i], hp[o]) < 0:
                    sep.append(k)
            separating.append(sep)
        same_key: dict[tuple[int, ...], list[int]] = {}
        undecided = []
        for (ridge, tri), sep in zip(triples, separating):
            if len(sep) == 1:
                undecided.append((ridge, tri, sep[0]))
            else:
                undecided.append((ridge, tri, -1))
        need = {key[i] for (_, tri, k) in undecided if k < 0 for i in tri}
        if need:
            for i in bc._bent:
                if key[i] in need:
                    same_key.setdefault(key[i], []).append(i)
            extra = sorted({i for k in need for i in same_key[k]} - set(hp))
            hp.update(_hpoints(bc, extra))
        decided = []
        later = []
        cx = bc.complex
        d = cx.dim
        flat_region = {
            r.index
            for r in cx.regions
            if not any(v for row in cx.region_data[r.region_index].out_rows for v in row[:d])
        }
        pq = bc._facet_pq
        for ridge, tri, k in undecided:
            if k < 0 and flat_region:
                # the paper's rule: the straight facet is the one not adjacent to a region where f is constant
                away = [kk for kk in range(3) if not (set(pq[tri[kk]]) & flat_region)]
                if len(away) == 1 and any(set(pq[i]) & flat_region for i in tri):
                    k = away[0]
            if k < 0:
                evidence = []
                for kk in range(3):
                    i, j = tri[kk], tri[(kk + 1) % 3]
                    side_i = _side(key[j], hp[i])
                    if any(o != i and _side(key[j], hp[o]) == -side_i for o in same_key[key[i]]):
                        evidence.append(kk)
                k = evidence[0] if len(evidence) == 1 else -1
            if k < 0:
                later.append((ridge, tri))
            else:
                decided.append((ridge, tri, k))
        for ridge, tri, k in decided:
            j, o = tri[(k + 1) % 3], tri[(k + 2) % 3]
            uf.union(j, o)
            bends.append((ridge, (tri[k],), j, o))
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
    for ridge, straight, j, _ in bends:
        v = root_index[uf.find(j)]
        bends_at.setdefault(v, []).append(ridge)
        for s in straight:
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
        for f in c.facets:
            cof[f] = c.index
    return CandidateDecomposition(
        tuple(cands),
        tuple(cof),
        {e: tuple(sorted(set(r))) for e, r in sorted(edges.items())},
        tuple(sorted(set(ambiguous))),
    )


def candidate_bent_hyperplanes(net_or_complex: Any, *, domain: Any = None) -> CandidateDecomposition:
    """The candidate bent hyperplanes of ``f`` (the rules are in the module documentation).

    Examples
    --------
    ``relu(x) + relu(y)``: two straight lines, each one candidate, no bend:

    >>> import relu_geom as rg
    >>> dec = rg.candidate_bent_hyperplanes(rg.ReLUNetwork([[[1, 0], [0, 1]], [[1, 1]]], [[0, 0], [0]]))
    >>> [c.hyperplanes for c in dec.candidates], dec.edges
    ([((0, 1, 0),), ((1, 0, 0),)], {})
    """
    return as_breakpoint_complex(net_or_complex, domain=domain).candidates


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
    ``relu(relu(x) + relu(y) - 1)``: the second-layer neuron bends along both
    first-layer lines, each of which is visible only where it is positive:

    >>> import relu_geom as rg
    >>> g = rg.bent_hyperplane_graph(rg.zoo.bent_2d())
    >>> sorted((g.nodes[u]["hyperplanes"][0], g.nodes[v]["is_flat"]) for u, v in g.edges())
    [((0, 1, 0), False), ((1, 0, 0), False)]
    >>> rg.depth_lower_bound(g).bound
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


class DepthBound(NamedTuple):
    """A lower bound on the number of hidden layers, with a witness path.

    Attributes
    ----------
    bound : int
        The number of candidates on a longest path of the bent-hyperplane graph
        (0 when ``f`` is affine).
    path : tuple of int
        The candidates of that path, each bending along the previous one
        (edges of the graph); if the graph has cycles (non-generic functions)
        one candidate per strongly connected component.
    """

    bound: int
    path: tuple[int, ...]


def depth_lower_bound(obj: Any, *, domain: Any = None) -> DepthBound:
    """The longest path of the bent-hyperplane graph: a lower bound on the depth realizing ``f``.

    Parameters
    ----------
    obj
        A bent-hyperplane graph (``networkx.DiGraph`` from
        :func:`bent_hyperplane_graph`), a network, a compiled complex or a
        :class:`~relu_geom.BreakpointComplex`.

    Notes
    -----
    A bend of candidate ``v`` along ``u`` means a neuron realizing ``v`` lies in
    a later layer than one realizing ``u`` (for generic parameters), so ``k``
    candidates on a path need ``k`` hidden layers.  Linear in the size of the
    graph (longest path in the condensation, a DAG).

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.depth_lower_bound(rg.zoo.hat_1d())
    DepthBound(bound=1, path=(0,))
    >>> rg.depth_lower_bound(rg.ReLUNetwork([[[1]], [[0]]], [[0], [3]]))
    DepthBound(bound=0, path=())
    """
    import networkx as nx

    g = obj if isinstance(obj, nx.DiGraph) else bent_hyperplane_graph(obj, domain=domain)
    if not g.number_of_nodes():
        return DepthBound(0, ())
    if nx.is_directed_acyclic_graph(g):
        path = nx.dag_longest_path(g)
        return DepthBound(len(path), tuple(path))
    cond = nx.condensation(g)
    cpath = nx.dag_longest_path(cond)
    members = cond.graph["mapping"]
    rep: dict[int, int] = {}
    for node, comp in members.items():
        rep[comp] = min(rep.get(comp, node), node)
    return DepthBound(len(cpath), tuple(rep[c] for c in cpath))
