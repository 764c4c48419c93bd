"""The standard symmetries of a ReLU network and a canonical representative of each orbit.

The standard symmetries are positive rescaling of a hidden neuron (incoming
weights and bias times ``c > 0``, outgoing weights divided by ``c``) and
permutation of the neurons inside a hidden layer.  A :class:`Symmetry` is one
element of that group: for every hidden layer a permutation and positive scales,
read as "new neuron ``i`` is old neuron ``perm[i]`` rescaled by ``scale[i]``".

Normal form
-----------
:func:`normal_form` is canonical for every network: two networks get the same
normal form if and only if one is obtained from the other by positive rescalings
and within-layer permutations of hidden neurons (so it is idempotent).  Every
step below reads only data that the symmetries preserve, or tries every choice.

1. **Scales** (independent of the order of neurons).  Bottom-up, a hidden
   neuron is *anchored* when its bias or an incoming weight from the input or
   from an anchored neuron is nonzero; it is rescaled so that the largest
   absolute value among those entries is 1.  Top-down, a neuron not yet
   anchored with a nonzero outgoing weight to the output or to an anchored
   neuron is rescaled so that the largest of those is 1.  Both passes repeat
   until nothing changes.  What a normalization reads is final when it is read,
   and no neuron reads another of its own layer, so the order of neurons never
   matters.
2. **Floating neurons** are those left unanchored: zero bias and nonzero weights
   only to other floating neurons.  One whose entries are all zero needs no
   scale.  The others form connected components (joined by nonzero weights); in
   each, one *root* keeps its scale and step 1 run from it fixes the rest.  The
   result does not depend on the root's scale (rescaling a whole component
   changes none of its weights), only on which neuron is the root.  The
   candidates are the members of the component's smallest colour class (step
   3, where weights between floating neurons count by sign only): a single
   candidate is taken, otherwise every candidate is tried as in step 4.
3. **Order.**  Colour refinement: the colour of a neuron is refined by the rank,
   within its layer, of (colour, incoming row, bias, floating flag, outgoing
   column), the row and column read class by class of the neighbouring layers,
   until stable; each layer is sorted by colour.  When the previous layer is
   already discrete the row is read in its canonical order, so a network
   without ties is sorted bottom-up by (normalized incoming row, bias); twins
   (equal row and bias) are then told apart by their outgoing weights.
4. **Ties** left by refinement.  A class of pairwise identical neurons (equal
   row, bias and outgoing column) is ordered arbitrarily: every order gives the
   same network.  Otherwise each member of the first class with two or more
   members (lowest layer, smallest colour) is individualized in turn, skipping
   members identical to one already tried, followed by refinement (canonical
   labelling by individualization and refinement).  The normal form is the
   leaf of this search with the lexicographically smallest parameter vector.
   Two leaves with equal vectors give an automorphism of the network: at a node
   whose network and colouring it keeps, it maps a child to a child with the same
   leaves, so one child per orbit is explored, and a child found to be the image
   of an explored one is abandoned.

Complexity: step 1 is ``O(P)`` per pass (``P`` parameters), a refinement round
``O(P log P)`` and at most as many rounds as neurons.  Networks whose ties are
all resolved by refinement or consist of identical neurons (duplicates, dead zero
neurons) have a single leaf; ``n`` parallel copies of one path take ``n``.  In
general the number of leaves can grow exponentially: layer-1 twins joined to
layer 2 by a 0/1 matrix encode bipartite graph isomorphism.  ``max_leaves``
bounds it (:class:`~relu_geom.LimitExceededError` beyond).

Neurons of the degenerate set S of paper 003 (zero incoming weights and bias, or
zero outgoing weights) are reported by :func:`degenerate_neurons`; they are
handled like any other neuron.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from relu_geom.errors import DimensionMismatchError, InvalidInputError, LimitExceededError
from relu_geom.network import ReLUNetwork
from relu_geom.network.transforms import require_int, require_network

__all__ = [
    "NormalForm",
    "Symmetry",
    "degenerate_neurons",
    "normal_form",
    "normal_form_with_symmetry",
    "same_up_to_symmetry",
]

Neuron = tuple[int, int]
_Layers = list[list[list[Fraction]]]

_MAX_LEAVES = 20000


@dataclass(frozen=True, slots=True)
class Symmetry:
    """An element of the standard symmetry group of an architecture.

    Attributes
    ----------
    permutations : tuple of tuples
        For hidden layer ``l`` (entry ``l - 1``): new neuron ``i`` is old neuron
        ``permutations[l - 1][i]``.
    scales : tuple of tuples of Fraction
        ``scales[l - 1][i] > 0`` multiplies the incoming weights and bias of new
        neuron ``i`` (and divides its outgoing weights).

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[1], [2]], [[1, 1]]], [[0, 0], [0]])
    >>> s = rg.Symmetry(((1, 0),), ((rg.arith.QQ(1, 2), rg.arith.QQ(1)),))
    >>> s.apply(net).weights
    (((Fraction(1, 1),), (Fraction(1, 1),)), ((Fraction(2, 1), Fraction(1, 1)),))
    """

    permutations: tuple[tuple[int, ...], ...]
    scales: tuple[tuple[Fraction, ...], ...]

    def apply(self, net: ReLUNetwork) -> ReLUNetwork:
        """The network with this symmetry applied (it computes the same function)."""
        widths = net.hidden_widths
        if len(self.permutations) != len(widths) or len(self.scales) != len(widths):
            raise DimensionMismatchError(
                f"symmetry: has {len(self.permutations)} hidden layers, the network has {len(widths)}"
            )
        perms: list[Sequence[int]] = [range(net.input_dim)]
        scales: list[Sequence[Fraction]] = [[Fraction(1)] * net.input_dim]
        for layer, (p, c, n) in enumerate(zip(self.permutations, self.scales, widths), start=1):
            if sorted(p) != list(range(n)) or len(c) != n:
                raise InvalidInputError(
                    f"symmetry: layer {layer} needs a permutation of 0..{n - 1} and {n} scales"
                )
            if any(v <= 0 for v in c):
                raise InvalidInputError(f"symmetry: layer {layer} has a non-positive scale")
            perms.append(p)
            scales.append(c)
        perms.append(range(net.output_dim))
        scales.append([Fraction(1)] * net.output_dim)
        ws, bs = [], []
        for k, (W, b) in enumerate(zip(net.weights, net.biases)):
            po, co, pi, ci = perms[k + 1], scales[k + 1], perms[k], scales[k]
            ws.append([[co[i] * W[po[i]][pi[j]] / ci[j] for j in range(len(pi))] for i in range(len(po))])
            bs.append([co[i] * b[po[i]] for i in range(len(po))])
        return ReLUNetwork(ws, bs)

    def inverse(self) -> Symmetry:
        """The inverse element."""
        perms, scales = [], []
        for p, c in zip(self.permutations, self.scales):
            inv = [0] * len(p)
            for i, j in enumerate(p):
                inv[j] = i
            perms.append(tuple(inv))
            scales.append(tuple(1 / c[inv[j]] for j in range(len(p))))
        return Symmetry(tuple(perms), tuple(scales))

    def then(self, other: Symmetry) -> Symmetry:
        """The symmetry ``other o self`` (apply ``self`` first)."""
        perms, scales = [], []
        for p1, c1, p2, c2 in zip(self.permutations, self.scales, other.permutations, other.scales):
            perms.append(tuple(p1[p2[i]] for i in range(len(p2))))
            scales.append(tuple(c2[i] * c1[p2[i]] for i in range(len(p2))))
        return Symmetry(tuple(perms), tuple(scales))

    @classmethod
    def identity(cls, net: ReLUNetwork) -> Symmetry:
        """The identity of the network's architecture."""
        return cls(
            tuple(tuple(range(n)) for n in net.hidden_widths),
            tuple(tuple(Fraction(1) for _ in range(n)) for n in net.hidden_widths),
        )


@dataclass(frozen=True, slots=True)
class NormalForm:
    """Result of :func:`normal_form_with_symmetry`.

    Attributes
    ----------
    network : ReLUNetwork
        The canonical representative.
    symmetry : Symmetry
        ``symmetry.apply(original) == network``.
    zero_incoming, zero_outgoing : tuple of (layer, index)
        Neurons of the degenerate set S (labels in the *normal form's* order).
    floating : tuple of (layer, index)
        Neurons whose scale is not fixed by the input, biases or output (zero
        bias, nonzero weights only to each other); their scales are fixed from a
        root of each connected component (see the module notes).
    """

    network: ReLUNetwork
    symmetry: Symmetry
    zero_incoming: tuple[Neuron, ...]
    zero_outgoing: tuple[Neuron, ...]
    floating: tuple[Neuron, ...]


def degenerate_neurons(net: ReLUNetwork) -> dict[str, tuple[Neuron, ...]]:
    """Hidden neurons in the degenerate set S of paper 003.

    Returns ``{"zero_incoming": ..., "zero_outgoing": ...}``: neurons ``(layer, index)``
    whose incoming weights and bias are all zero, and those whose outgoing
    weights are all zero.  ``theta`` is in ``S`` iff either tuple is non-empty.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[1], [0]], [[1, 1]]], [[0, 0], [0]])
    >>> rg.degenerate_neurons(net)
    {'zero_incoming': ((1, 1),), 'zero_outgoing': ()}
    """
    require_network(net)
    zin, zout = [], []
    for layer in range(1, net.depth + 1):
        W, b, Wn = net.weights[layer - 1], net.biases[layer - 1], net.weights[layer]
        for i in range(len(W)):
            if not any(W[i]) and not b[i]:
                zin.append((layer, i))
            if not any(row[i] for row in Wn):
                zout.append((layer, i))
    return {"zero_incoming": tuple(zin), "zero_outgoing": tuple(zout)}


def _sign(v: Fraction) -> int:
    return (v > 0) - (v < 0)


@dataclass
class _State:
    """A node of the search: the rescaled network (original labels), the accumulated
    scales, which neurons have their scale fixed, and a colouring of each hidden layer.
    ``codes`` caches the network as integers for refinement."""

    ws: _Layers
    bs: list[list[Fraction]]
    scale: list[list[Fraction]]
    anchored: list[list[bool]]
    colours: list[list[int]]
    codes: tuple[list[list[list[int]]], list[list[int]]] | None = None

    def copy(self, *, share: bool = False) -> _State:
        """A copy; with ``share`` only the colours are copied (the rest is not modified
        once every scale is fixed)."""
        colours = [list(c) for c in self.colours]
        if share:
            return _State(self.ws, self.bs, self.scale, self.anchored, colours, self.codes)
        return _State(
            [[list(r) for r in w] for w in self.ws],
            [list(b) for b in self.bs],
            [list(c) for c in self.scale],
            [list(a) for a in self.anchored],
            colours,
        )


def _rescale(st: _State, layer: int, i: int, c: Fraction) -> None:
    st.ws[layer][i] = [v * c for v in st.ws[layer][i]]
    st.bs[layer][i] *= c
    for r in st.ws[layer + 1]:
        r[i] /= c
    st.scale[layer][i] *= c
    st.anchored[layer][i] = True


def _propagate(st: _State) -> bool:
    """Anchor every neuron reachable from anchored ones; the rule reads no neuron order.

    Layers are 0-based here.  Bottom-up, a neuron gets anchored when its bias or an
    incoming weight from the input or an anchored neuron is nonzero: it is divided by
    the largest absolute value of those entries.  Top-down, a neuron with a nonzero
    outgoing weight to the output or an anchored neuron is multiplied by the largest
    absolute value of those.  Both passes repeat until nothing changes.  An entry read
    belongs to an anchored neuron, so it is final; and within one layer's pass no
    neuron reads another of the same layer, so the order of neurons never matters.
    """
    L = len(st.bs) - 1
    changed, any_change = True, False
    while changed:
        changed = False
        for layer in range(L):
            prev = st.anchored[layer - 1] if layer else None
            for i in range(len(st.bs[layer])):
                if st.anchored[layer][i]:
                    continue
                row = st.ws[layer][i]
                mx = abs(st.bs[layer][i])
                for q, v in enumerate(row):
                    if v and (prev is None or prev[q]) and abs(v) > mx:
                        mx = abs(v)
                if mx:
                    _rescale(st, layer, i, 1 / mx)
                    changed = True
        any_change |= changed
        for layer in reversed(range(L)):
            nxt = st.anchored[layer + 1] if layer + 1 < L else None
            for i in range(len(st.bs[layer])):
                if st.anchored[layer][i]:
                    continue
                mx = Fraction(0)
                for k, r in enumerate(st.ws[layer + 1]):
                    if r[i] and (nxt is None or nxt[k]) and abs(r[i]) > mx:
                        mx = abs(r[i])
                if mx:
                    _rescale(st, layer, i, mx)
                    changed = True
        any_change |= changed
    return any_change


def _cells(colours: list[int]) -> list[list[int]]:
    """The colour classes of one layer, in increasing colour, members in increasing index."""
    by: dict[int, list[int]] = {}
    for i, c in enumerate(colours):
        by.setdefault(c, []).append(i)
    return [by[c] for c in sorted(by)]


def _ranks(keys: Sequence[object]) -> list[int]:
    order = {k: r for r, k in enumerate(sorted(set(keys)))}  # type: ignore[type-var]
    return [order[k] for k in keys]


def _encode(st: _State) -> tuple[list[list[list[int]]], list[list[int]]]:
    """The weights and biases as order-preserving integer codes; a weight touching a
    neuron whose scale is not fixed yet is coded by its sign."""
    values = {Fraction(-1), Fraction(0), Fraction(1)}
    for W, b in zip(st.ws, st.bs):
        for row in W:
            values.update(row)
        values.update(b)
    code = {v: k for k, v in enumerate(sorted(values))}
    sign = {s: code[Fraction(s)] for s in (-1, 0, 1)}
    L = len(st.bs) - 1
    d, m = len(st.ws[0][0]), len(st.bs[L])
    cw = []
    for layer, W in enumerate(st.ws):
        a_in = st.anchored[layer - 1] if layer else [True] * d
        a_out = st.anchored[layer] if layer < L else [True] * m
        cw.append(
            [
                [code[v] if a_out[i] and a_in[j] else sign[_sign(v)] for j, v in enumerate(row)]
                for i, row in enumerate(W)
            ]
        )
    return cw, [[code[v] for v in b] for b in st.bs]


def _flat(cells: list[list[int]]) -> tuple[list[int], list[tuple[int, int]]]:
    """The members of ``cells`` in order, and the slices of the cells with two or more."""
    order: list[int] = []
    multi = []
    for c in cells:
        if len(c) > 1:
            multi.append((len(order), len(order) + len(c)))
        order.extend(c)
    return order, multi


def _refine(st: _State) -> None:
    """Colour refinement until stable.

    A neuron's new colour is the rank, within its layer, of (old colour, incoming
    row, bias, floating flag, outgoing column), the row and column read cell by cell
    of the neighbouring layers (values sorted inside a cell).  Weights touching a
    neuron whose scale is not fixed yet count by their sign only, so every colour is
    invariant under the symmetries that fix the anchored scales.  With discrete
    neighbouring layers the row is the row in canonical order, so a network without
    ties is sorted bottom-up by (incoming row, bias).
    """
    if st.codes is None:
        st.codes = _encode(st)
    cw, cb = st.codes
    L = len(st.bs) - 1
    d, m = len(st.ws[0][0]), len(st.bs[L])
    while True:
        changed = False
        for layer in range(L):
            prev = [[j] for j in range(d)] if layer == 0 else _cells(st.colours[layer - 1])
            nxt = [[k] for k in range(m)] if layer + 1 == L else _cells(st.colours[layer + 1])
            W, Wn, b, anch, col = cw[layer], cw[layer + 1], cb[layer], st.anchored[layer], st.colours[layer]
            order_in, multi_in = _flat(prev)
            order_out, multi_out = _flat(nxt)
            sigs = []
            for i in range(len(W)):
                row = W[i]
                inc = [row[j] for j in order_in]
                out = [Wn[k][i] for k in order_out]
                for lo, hi in multi_in:
                    inc[lo:hi] = sorted(inc[lo:hi])
                for lo, hi in multi_out:
                    out[lo:hi] = sorted(out[lo:hi])
                sigs.append((col[i], tuple(inc), b[i], not anch[i], tuple(out)))
            new = _ranks(sigs)
            if max(new) > max(col):
                changed = True
            st.colours[layer] = new
        if not changed:
            return


def _identity_key(st: _State, layer: int, i: int) -> tuple[object, ...]:
    """Equal keys (in one colour class) mean swapping the two neurons changes nothing."""
    if st.anchored[layer][i] and st.codes is not None:
        # exact codes: an anchored neuron's weights to floating neurons are zero
        cw, cb = st.codes
        return (tuple(cw[layer][i]), cb[layer][i], tuple(r[i] for r in cw[layer + 1]))
    return (tuple(st.ws[layer][i]), st.bs[layer][i], tuple(r[i] for r in st.ws[layer + 1]))


def _representatives(st: _State, layer: int, members: Sequence[int]) -> list[int]:
    seen: set[tuple[object, ...]] = set()
    out = []
    for i in members:
        key = _identity_key(st, layer, i)
        if key not in seen:
            seen.add(key)
            out.append(i)
    return out


def _split_identical(st: _State) -> bool:
    """Order every colour class of pairwise identical neurons by index (any order gives the
    same network, so no choice is made).  Returns whether anything was split."""
    split = False
    for layer, col in enumerate(st.colours):
        flat = set()
        for cell in _cells(col):
            if len(cell) > 1 and len(_representatives(st, layer, cell)) == 1:
                flat.update(cell)
        if flat:
            st.colours[layer] = _ranks([(c, i if i in flat else -1) for i, c in enumerate(col)])
            split = True
    return split


def _floating_components(st: _State) -> list[list[Neuron]]:
    """Connected components of the neurons not anchored yet (0-based layers), joined by
    nonzero weights; only floating neurons can be joined to floating neurons."""
    L = len(st.bs) - 1
    todo = {(layer, i) for layer in range(L) for i, a in enumerate(st.anchored[layer]) if not a}
    comps = []
    while todo:
        start = min(todo)
        todo.discard(start)
        comp, stack = [start], [start]
        while stack:
            layer, i = stack.pop()
            nbrs: list[Neuron] = []
            if layer > 0:
                nbrs += [(layer - 1, j) for j, v in enumerate(st.ws[layer][i]) if v]
            if layer + 1 < L:
                nbrs += [(layer + 1, k) for k, r in enumerate(st.ws[layer + 1]) if r[i]]
            for nb in nbrs:
                if nb in todo:
                    todo.discard(nb)
                    comp.append(nb)
                    stack.append(nb)
        comps.append(comp)
    return comps


def _roots(st: _State) -> tuple[list[Neuron], list[Neuron]]:
    """Root candidates for fixing the scales of floating components.

    In each component, the candidates are the members of its smallest colour class
    (ties: lowest layer, then smallest colour).  Returns the roots forced (components
    with a single candidate) and, if there are none, the candidates of the components
    whose smallest class has the least key (one of them is chosen by the search).
    """
    forced: list[Neuron] = []
    best: tuple[int, int, int] | None = None
    choice: list[Neuron] = []
    for comp in _floating_components(st):
        classes: dict[tuple[int, int], list[Neuron]] = {}
        for layer, i in comp:
            classes.setdefault((layer, st.colours[layer][i]), []).append((layer, i))
        key, members = min(((len(v), *k), v) for k, v in classes.items())
        if key[0] == 1:
            forced.append(members[0])
        elif best is None or key < best:
            best, choice = key, list(members)
        elif key == best:
            choice += members
    return forced, ([] if forced else sorted(choice))


def _rep_neurons(st: _State, neurons: list[Neuron]) -> list[Neuron]:
    """One neuron of each class of identical neurons (``neurons`` lie in one colour class)."""
    layer = neurons[0][0]
    return [(layer, i) for i in _representatives(st, layer, [i for _, i in neurons])]


def _perms(st: _State) -> list[list[int]]:
    """New neuron ``i`` of each layer is old neuron ``perm[i]`` (layers sorted by colour)."""
    return [sorted(range(len(col)), key=col.__getitem__) for col in st.colours]


def _theta(st: _State, perms: list[list[int]]) -> tuple[Fraction, ...]:
    """The parameter vector of the state's network with every layer reordered by ``perms``."""
    full: list[Sequence[int]] = [range(len(st.ws[0][0])), *perms, range(len(st.bs[-1]))]
    theta: list[Fraction] = []
    for k, (W, b) in enumerate(zip(st.ws, st.bs)):
        po, pi = full[k + 1], full[k]
        for i in po:
            row = W[i]
            theta.extend(row[j] for j in pi)
        theta.extend(b[i] for i in po)
    return tuple(theta)


def _is_automorphism(st: _State, gamma: list[list[int]]) -> bool:
    """Whether relabelling neuron ``i`` of hidden layer ``l`` as ``gamma[l][i]`` keeps the
    state's network and colours (no rescaling; every scale of the state is fixed)."""
    assert st.codes is not None
    cw, cb = st.codes
    L = len(gamma)
    for layer in range(L + 1):
        W, b = cw[layer], cb[layer]
        go = gamma[layer] if layer < L else range(len(b))
        gi = gamma[layer - 1] if layer else range(len(W[0]))
        if layer < L:
            col = st.colours[layer]
            if any(col[go[i]] != col[i] or b[go[i]] != b[i] for i in range(len(b))):
                return False
        for i, row in enumerate(W):
            image = W[go[i]]
            if any(image[gi[j]] != v for j, v in enumerate(row)):
                return False
    return True


@dataclass
class _Frame:
    """A node of the search being branched on: its state, the layer of the target cell,
    the children explored so far and the one being explored."""

    state: _State
    layer: int
    done: list[int] = field(default_factory=list)
    current: int = -1


class _Abort(Exception):  # noqa: N818 (control flow, never leaves the search)
    """Unwinds the search to ``frame``: the child being explored there needs no more work."""

    def __init__(self, frame: _Frame) -> None:
        super().__init__()
        self.frame = frame


class _Search:
    """Individualization and refinement over the hidden neurons (see the module notes).

    Leaves with equal parameter vectors give automorphisms of the (rescaled)
    network; at a node where one keeps the network and the colouring, it maps a
    child to a child with the same leaves, so only one child per orbit is explored.
    """

    def __init__(self, max_leaves: int) -> None:
        self.max_leaves = max_leaves
        self.n_leaves = 0
        self.best: tuple[tuple[Fraction, ...], list[list[int]], _State] | None = None
        self.automorphisms: list[list[list[int]]] = []
        self.stack: list[_Frame] = []

    def run(self, st: _State) -> None:
        while True:
            if _propagate(st):
                st.codes = None
            _refine(st)
            forced, choice = _roots(st)
            if forced:
                for layer, i in forced:
                    st.anchored[layer][i] = True
                st.codes = None
                continue
            if choice:
                for layer, i in _rep_neurons(st, choice):
                    child = st.copy()
                    child.anchored[layer][i] = True
                    child.codes = None
                    self.run(child)
                return
            if not _split_identical(st):
                break
        for layer, col in enumerate(st.colours):
            cells = [c for c in _cells(col) if len(c) > 1]
            if cells:
                self._branch(st, layer, cells[0])
                return
        self._leaf(st)

    def _branch(self, st: _State, layer: int, cell: list[int]) -> None:
        valid: dict[int, bool] = {}
        frame = _Frame(st, layer)
        self.stack.append(frame)
        for i in _representatives(st, layer, cell):
            if frame.done and i in self._orbit(st, layer, frame.done, valid):
                continue
            frame.current = i
            child = st.copy(share=True)
            child.colours[layer] = _ranks([(c, j != i) for j, c in enumerate(st.colours[layer])])
            try:
                self.run(child)
            except _Abort as abort:
                if abort.frame is not frame:
                    raise
            frame.done.append(i)
        self.stack.pop()

    def _orbit(self, st: _State, layer: int, start: list[int], valid: dict[int, bool]) -> set[int]:
        gens = []
        for k, gamma in enumerate(self.automorphisms):
            if k not in valid:
                valid[k] = _is_automorphism(st, gamma)
            if valid[k]:
                gens.append(gamma[layer])
        seen, todo = set(start), list(start)
        while todo:
            i = todo.pop()
            for g in gens:
                if g[i] not in seen:
                    seen.add(g[i])
                    todo.append(g[i])
        return seen

    def _leaf(self, st: _State) -> None:
        self.n_leaves += 1
        if self.n_leaves > self.max_leaves:
            raise LimitExceededError(
                f"max_leaves: telling apart tied (twin or symmetric) neurons needs more than "
                f"{self.max_leaves} leaves of the search"
            )
        perms = _perms(st)
        theta = _theta(st, perms)
        if self.best is None or theta < self.best[0]:
            self.best = (theta, perms, st)
        elif theta == self.best[0]:
            gamma = []
            for p, q in zip(self.best[1], perms):
                g = [0] * len(p)
                for a, b in zip(p, q):
                    g[a] = b
                gamma.append(g)
            self.automorphisms.append(gamma)
            for frame in self.stack:
                # gamma keeps this node and maps an explored child to the current one:
                # the current child's subtree is the image of an explored one
                g = gamma[frame.layer]
                if any(g[u] == frame.current for u in frame.done) and _is_automorphism(frame.state, gamma):
                    raise _Abort(frame)


def _initial_state(net: ReLUNetwork) -> tuple[_State, list[Neuron]]:
    """The state after step 1 of the module notes, and the floating neurons (0-based layers)."""
    widths = net.hidden_widths
    st = _State(
        [[list(r) for r in w] for w in net.weights],
        [list(b) for b in net.biases],
        [[Fraction(1)] * n for n in widths],
        [[False] * n for n in widths],
        [[0] * n for n in widths],
    )
    _propagate(st)
    floating = [(layer, i) for layer, a in enumerate(st.anchored) for i, x in enumerate(a) if not x]
    for layer, i in floating:  # a neuron without nonzero entries: its scale changes nothing
        if not any(st.ws[layer][i]) and not st.bs[layer][i] and not any(r[i] for r in st.ws[layer + 1]):
            st.anchored[layer][i] = True
    return st, floating


def _scale_normalized(net: ReLUNetwork) -> tuple[ReLUNetwork, tuple[Neuron, ...]]:
    """``net`` after step 1 of the module notes (neurons in their original order), and its
    floating neurons ``(layer, index)`` whose scale step 1 leaves as it was."""
    st, floating = _initial_state(net)
    return ReLUNetwork(st.ws, st.bs), tuple((layer + 1, i) for layer, i in floating)


def _canonical_search(net: ReLUNetwork, max_leaves: int) -> tuple[ReLUNetwork, Symmetry, list[Neuron]]:
    st, floating = _initial_state(net)
    search = _Search(max_leaves)
    search.run(st)
    assert search.best is not None
    theta, perms, leaf = search.best
    sym = Symmetry(
        tuple(tuple(p) for p in perms),
        tuple(tuple(c[i] for i in p) for c, p in zip(leaf.scale, perms)),
    )
    pos = {(layer, old): (layer + 1, new) for layer, p in enumerate(perms) for new, old in enumerate(p)}
    return ReLUNetwork.from_parameters(net.architecture, theta), sym, sorted(pos[f] for f in floating)


def normal_form_with_symmetry(net: ReLUNetwork, *, max_leaves: int = _MAX_LEAVES) -> NormalForm:
    """The canonical representative of the orbit of ``net``, with the symmetry reaching it.

    Parameters
    ----------
    net
        The network.
    max_leaves
        Bound on the number of leaves of the search that orders tied neurons
        (see the module notes; 1 unless refinement leaves ties that are not
        identical neurons).

    Raises
    ------
    InvalidInputError
        When ``net`` is not a :class:`~relu_geom.ReLUNetwork`.
    LimitExceededError
        When the search needs more than ``max_leaves`` leaves.

    Notes
    -----
    See the module notes for the convention and its complexity.  The symmetry
    maps ``net`` to the normal form exactly: ``symmetry.apply(net) == network``.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork.random([2, 3, 2, 1], seed=4)
    >>> moved = net.rescale_neuron(1, 2, 7).permute_layer(2, [1, 0])
    >>> nf = rg.normal_form_with_symmetry(moved)
    >>> nf.network == rg.normal_form(net) and nf.symmetry.apply(moved) == nf.network
    True

    Floating neurons (here the second neuron of each hidden layer, joined only to
    each other by the weight 3) are scaled from a root, so that weight becomes 1:

    >>> net = rg.ReLUNetwork([[[1], [0]], [[1, 0], [0, 3]], [[1, 0]]], [[0, 0], [0, 0], [0]])
    >>> nf = rg.normal_form_with_symmetry(net)
    >>> nf.floating, nf.network.weights[1]
    (((1, 0), (2, 1)), ((Fraction(0, 1), Fraction(1, 1)), (Fraction(1, 1), Fraction(0, 1))))
    """
    require_network(net)
    require_int(max_leaves, "max_leaves", minimum=1)
    if not isinstance(net, ReLUNetwork):
        raise InvalidInputError(f"net: expected a ReLUNetwork, got {type(net).__name__}")
    network, sym, floating = _canonical_search(net, max_leaves)
    deg = degenerate_neurons(network)
    return NormalForm(network, sym, deg["zero_incoming"], deg["zero_outgoing"], tuple(floating))


def normal_form(net: ReLUNetwork, *, max_leaves: int = _MAX_LEAVES) -> ReLUNetwork:
    """The canonical representative of ``net`` under rescaling and permutation of hidden neurons.

    Two networks have the same normal form if and only if one is obtained from
    the other by positive rescalings and within-layer permutations of hidden
    neurons, for every network (twins, dead, zero and floating neurons
    included); ``normal_form(normal_form(net)) == normal_form(net)``.

    Parameters
    ----------
    net
        The network.
    max_leaves
        See :func:`normal_form_with_symmetry`.

    Notes
    -----
    Convention and complexity in the module notes: scales fixed by the largest
    absolute entry read from already normalized neighbours, layers sorted by
    colour refinement (bottom-up by incoming row and bias when there are no
    ties), remaining ties broken by an exhaustive search that keeps the
    lexicographically smallest parameter vector.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[2, 0], [0, -3]], [[1, 5]]], [[4, 0], [1]])
    >>> nf = rg.normal_form(net)
    >>> nf.weights[0], nf.biases[0]
    (((Fraction(0, 1), Fraction(-1, 1)), (Fraction(1, 2), Fraction(0, 1))), (Fraction(0, 1), Fraction(1, 1)))
    >>> rg.normal_form(nf) == nf and nf([1, 1]) == net([1, 1])
    True
    """
    require_network(net)
    require_int(max_leaves, "max_leaves", minimum=1)
    return normal_form_with_symmetry(net, max_leaves=max_leaves).network


def same_up_to_symmetry(
    net1: ReLUNetwork, net2: ReLUNetwork, *, max_leaves: int = _MAX_LEAVES
) -> Symmetry | None:
    """A symmetry ``s`` with ``s.apply(net1) == net2``, or None if there is none.

    The certificate is the symmetry itself: apply it to check.  None is exact
    too, since the normal forms of the two networks differ.

    Parameters
    ----------
    net1, net2
        The networks.
    max_leaves
        See :func:`normal_form_with_symmetry`.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork.random([2, 3, 1], seed=2)
    >>> other = net.permute_layer(1, [2, 0, 1]).rescale_neuron(1, 0, "3/2")
    >>> s = rg.same_up_to_symmetry(net, other)
    >>> s.apply(net) == other
    True
    >>> rg.same_up_to_symmetry(net, rg.ReLUNetwork.random([2, 3, 1], seed=5)) is None
    True
    """
    require_network(net1, "net1")
    require_network(net2, "net2")
    require_int(max_leaves, "max_leaves", minimum=1)
    for name, net in (("net1", net1), ("net2", net2)):
        if not isinstance(net, ReLUNetwork):
            raise InvalidInputError(f"{name}: expected a ReLUNetwork, got {type(net).__name__}")
    if net1.architecture != net2.architecture:
        return None
    a = normal_form_with_symmetry(net1, max_leaves=max_leaves)
    b = normal_form_with_symmetry(net2, max_leaves=max_leaves)
    if a.network != b.network:
        return None
    return a.symmetry.then(b.symmetry.inverse())
