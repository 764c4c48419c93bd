"""Named specimen networks: small, exact, each showing one phenomenon.

Every function returns a fresh :class:`~relu_geom.ReLUNetwork`; ``SPECIMENS``
maps names to them (the CLI accepts ``zoo:NAME`` wherever it reads a network).

Examples
--------
>>> import relu_geom as rg
>>> sorted(rg.zoo.SPECIMENS)[:3]
['abs_1d', 'bent_2d', 'central_lines']
>>> rg.zoo.abs_1d()(-3)
(Fraction(3, 1),)
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from math import gcd

from relu_geom._util import short_repr
from relu_geom.network import ReLUNetwork

__all__ = ["SPECIMENS", "get"]


def abs_1d() -> ReLUNetwork:
    """``|x| = relu(x) + relu(-x)``: one breakpoint at 0."""
    return ReLUNetwork([[[1], [-1]], [[1, 1]]], [[0, 0], [0]])


def hat_1d() -> ReLUNetwork:
    """The hat function ``relu(x) - 2 relu(x - 1) + relu(x - 2)`` on ``R``."""
    return ReLUNetwork([[[1], [1], [1]], [[1, -2, 1]]], [[0, -1, -2], [0]])


def central_lines(n: int = 3) -> ReLUNetwork:
    """``n`` distinct lines through the origin of ``R^2`` (a central arrangement)."""
    rows = [[1, k] for k in range(n)]
    return ReLUNetwork([rows, [[1] * n]], [[0] * n, [0]])


def parallel_lines() -> ReLUNetwork:
    """Two parallel lines ``x = 0`` and ``x = 1`` in ``R^2``: a complex without vertices."""
    return ReLUNetwork([[[1, 0], [1, 0]], [[1, -1]]], [[0, -1], [0]])


def duplicate_neurons() -> ReLUNetwork:
    """Two neurons on the same line (one a positive multiple of the other) and a third line."""
    return ReLUNetwork([[[1, 1], [2, 2], [1, -1]], [[1, 1, 1]]], [[0, 0, 1], [0]])


def dead_neuron() -> ReLUNetwork:
    """A neuron with zero weights and negative bias (never active), one always active, one live."""
    return ReLUNetwork([[[0, 0], [0, 0], [1, -1]], [[1, 1, 1]]], [[-1, 2, 0], [0]])


def vanishing_deep_neuron() -> ReLUNetwork:
    """A second-layer neuron equal to ``relu(x)``: zero on the whole half-line ``x < 0``."""
    return ReLUNetwork([[[1]], [[1]], [[1]]], [[0], [0], [0]])


def bent_2d() -> ReLUNetwork:
    """A [2, 2, 1, 1] network whose second-layer neuron bends where first-layer neurons switch."""
    return ReLUNetwork([[[1, 0], [0, 1]], [[1, 1]], [[1]]], [[0, 0], [-1], [0]])


def demo() -> ReLUNetwork:
    """The demo network of the README: [2, 4, 3, 1] with small rational weights."""
    return ReLUNetwork(
        [
            [[1, 0], [0, 1], [1, 1], [1, -1]],
            [[1, -1, "1/2", 0], [-1, 1, 0, "1/2"], ["1/2", "1/2", -1, 1]],
            [[1, -1, 1]],
        ],
        [[0, 0, -1, "1/2"], ["-1/4", "1/4", "-1/2"], [0]],
    )


def sawtooth(k: int = 3) -> ReLUNetwork:
    """Telgarsky's sawtooth: the tent map ``t(y) = 2 relu(y) - 4 relu(y - 1/2)`` composed ``k`` times.

    ``k`` hidden layers of width 2; ``2^k`` affine pieces on ``[0, 1]`` (the tent map sends
    each half of ``[0, 1]`` onto ``[0, 1]``, so the pieces double with every layer).
    """
    ws: list[list[list[object]]] = [[[1], [1]]]
    bs: list[list[object]] = [[0, "-1/2"]]
    for _ in range(k - 1):
        ws.append([[2, -4], [2, -4]])
        bs.append([0, "-1/2"])
    ws.append([[2, -4]])
    bs.append([0])
    return ReLUNetwork(ws, bs)


def zigzag(k: int = 2) -> ReLUNetwork:
    """Width 3, ``4^k`` regions: ``g(y) = 4 - 12 relu(y - 1/6) + 9 relu(y - 1/3) - 6 relu(2/3 - y)`` composed ``k`` times.

    ``g`` is a zigzag of four monotone pieces on ``[0, 1]``, each mapped onto ``[0, 1]``:
    slopes 6, -6, 3, -3 on ``[0, 1/6]``, ``[1/6, 1/3]``, ``[1/3, 2/3]``, ``[2/3, 1]``.  Three
    neurons suffice because the third is oriented the other way: on ``y < 2/3`` it is
    active, which gives the first piece its slope ``6 = 3 + 3`` without a fourth neuron.
    So ``g^k`` has ``4^k`` monotone pieces on ``[0, 1]`` with pairwise different slopes on
    neighbours, and the canonical complex has exactly ``4^k`` regions over ``[0, 1]`` and
    over ``R``: at least the ``4^k`` pieces, at most the product bound ``(3 + 1)^k`` of one
    input (``docs/search.md``).
    """
    rows: list[list[object]] = [[-12, 9, -6], [-12, 9, -6], [12, -9, 6]]
    ws: list[list[list[object]]] = [[[1], [1], [-1]]]
    bs: list[list[object]] = [["-1/6", "-1/3", "2/3"]]
    for _ in range(k - 1):
        ws.append(rows)  # the three neurons read y = g(previous) = 4 + (-12, 9, -6) . a
        bs.append(["23/6", "11/3", "-10/3"])  # y - 1/6, y - 1/3, 2/3 - y
    ws.append([rows[0]])
    bs.append([4])
    return ReLUNetwork(ws, bs)


def max_zero_2d() -> ReLUNetwork:
    """``max{0, x1, x2} = relu(x1) + relu(x2 - relu(x1))``: two hidden layers (one is not enough)."""
    return ReLUNetwork(
        [[[1, 0], [0, 1], [0, -1]], [[-1, 1, -1], [1, 0, 0]], [[1, 1]]],
        [[0, 0, 0], [0, 0], [0]],
    )


def max_tree(n: int = 5) -> ReLUNetwork:
    """``max(x_1, ..., x_n)`` by a balanced tree of ``max(a, b) = relu(a - b) + relu(b) - relu(-b)``.

    ``ceil(log2 n)`` hidden layers; every layer keeps the values of the current maxima
    as ``relu(v) - relu(-v)`` pairs.
    """
    # the current values are linear combinations of the previous layer's neurons
    values = [[1 if j == i else 0 for j in range(n)] for i in range(n)]  # rows over the inputs
    ws: list[list[list[int]]] = []
    bs: list[list[int]] = []
    while len(values) > 1:
        rows: list[list[int]] = []
        nxt: list[dict[int, int]] = []
        for p in range(0, len(values) - 1, 2):
            a, b = values[p], values[p + 1]
            base = len(rows)
            rows += [[x - y for x, y in zip(a, b)], list(b), [-y for y in b]]
            nxt.append({base: 1, base + 1: 1, base + 2: -1})
        if len(values) % 2:
            base = len(rows)
            rows += [list(values[-1]), [-y for y in values[-1]]]
            nxt.append({base: 1, base + 1: -1})
        ws.append(rows)
        bs.append([0] * len(rows))
        values = [[comb.get(j, 0) for j in range(len(rows))] for comb in nxt]
    ws.append([values[0]])
    bs.append([0])
    return ReLUNetwork(ws, bs)


# 2 max(x_1..x_5) = sum of c * max(P, Q) over these joins; P and Q are sums of two terms
# (a, b) = max(x_a, x_b), written relu(x_a - x_b) + x_b (so each side's linear part is
# the sum of the kept indices b).  See max5_two_hidden.
_MAX5_JOINS: tuple[tuple[str, tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]], ...] = (
    ("1", ((2, 1), (4, 1)), ((3, 1), (5, 1))),
    ("1/2", ((4, 1), (4, 5)), ((5, 1), (1, 5))),
    ("1/2", ((2, 1), (1, 2)), ((3, 1), (3, 2))),
    ("-1", ((1, 2), (4, 5)), ((1, 5), (3, 2))),
    ("-1", ((1, 3), (5, 4)), ((1, 4), (2, 3))),
    ("1", ((2, 5), (2, 5)), ((3, 4), (3, 4))),
)


_OneLayer = tuple[dict[tuple[int, ...], Fraction], tuple[Fraction, ...]]


def _one_layer(terms: tuple[tuple[int, int], ...], d: int) -> _OneLayer:
    """``sum max(x_a, x_b)`` as ``({direction g: coefficient of relu(g . x)}, linear part)``."""
    hinges: dict[tuple[int, ...], Fraction] = {}
    lin = [Fraction(0)] * d
    for a, b in terms:
        g = tuple(int(i == a - 1) - int(i == b - 1) for i in range(d))
        hinges[g] = hinges.get(g, Fraction(0)) + 1
        lin[b - 1] += 1
    return hinges, tuple(lin)


def _combine(*parts: tuple[Fraction, _OneLayer]) -> _OneLayer:
    hinges: dict[tuple[int, ...], Fraction] = {}
    lin = [Fraction(0)] * len(parts[0][1][1])
    for c, (h, v) in parts:
        for g, w in h.items():
            hinges[g] = hinges.get(g, Fraction(0)) + c * w
        lin = [a + c * b for a, b in zip(lin, v)]
    return {g: w for g, w in hinges.items() if w}, tuple(lin)


def _hinges_only(f: _OneLayer) -> dict[tuple[int, ...], Fraction]:
    """``f`` with its linear part ``l . x`` written ``s relu(g . x) - s relu(-g . x)``, ``l = s g``, ``g`` primitive."""
    hinges, lin = f
    out = dict(hinges)
    den = 1
    for q in lin:
        den = den * q.denominator // gcd(den, q.denominator)
    ints = [int(q * den) for q in lin]
    k = gcd(*ints)
    if k:
        g = tuple(v // k for v in ints)
        for sign in (1, -1):
            key = tuple(sign * v for v in g)
            out[key] = out.get(key, Fraction(0)) + sign * Fraction(k, den)
    return {g: w for g, w in out.items() if w}


def max5_two_hidden() -> ReLUNetwork:
    """``max(x_1, ..., x_5)`` with **two** hidden layers: the architecture (5, 16, 8, 1).

    Bakaev, Brunck, Hertrich, Stade and Yehudayoff (2025, arXiv:2505.14338) proved that two
    hidden layers compute the maximum of five numbers (it had been conjectured to need
    three, the depth of :func:`max_tree`).  These weights are not copied from their
    network (whose weights we did not have); they come from the identity, with
    ``m_ab = max(x_a, x_b)``,

    ``2 max(x) = max(m12 + m14, m13 + m15) + 1/2 max(m14 + m45, 2 m15)
    + 1/2 max(2 m12, m13 + m23) - max(m12 + m45, m15 + m23)
    - max(m13 + m45, m14 + m23) + 2 max(m25, m34)``,

    found by an exact search over the building blocks of their geometric picture: each
    term is the support function of the convex hull of two zonotopes (``m12 + m14`` is the
    parallelogram ``[e1, e2] + [e1, e4]``) with vertices in ``{2 e_i, e_i + e_j}``.  Each
    ``max(P, Q) = relu(P - Q) + Q`` is one second-layer neuron, ``P - Q`` a combination of
    the first-layer neurons ``relu(x_a - x_b)``; the one-hidden-layer rest ``sum c Q`` passes
    the second layer as two neurons (its positive and its negative part).  First layer:
    14 neurons ``relu(x_a - x_b)`` and ``relu(+-(6 x1 - x2 - 2 x3 + 2 x4 - x5))`` (the linear
    part of the rest); second layer: 6 + 2 neurons; no biases.  ``tests/test_zoo.py``
    proves it equal to :func:`max_tree` on ``R^5`` with ``rg.functionally_equivalent``.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.zoo.max5_two_hidden()
    >>> net.architecture
    (5, 16, 8, 1)
    >>> net([3, -1, "7/2", 0, 2])
    (Fraction(7, 2),)
    """
    d = 5
    sides = [(Fraction(c), _one_layer(p, d), _one_layer(q, d)) for c, p, q in _MAX5_JOINS]
    diffs = [_hinges_only(_combine((Fraction(1), p), (Fraction(-1), q))) for _, p, q in sides]
    rest = _hinges_only(_combine(*[(c, q) for c, _, q in sides]))
    pos = {g: v for g, v in rest.items() if v > 0}
    neg = {g: -v for g, v in rest.items() if v < 0}
    dirs = sorted({g for diff in diffs for g in diff} | set(rest), reverse=True)
    col = {g: i for i, g in enumerate(dirs)}

    def row(f: dict[tuple[int, ...], Fraction]) -> list[Fraction]:
        r = [Fraction(0)] * len(dirs)
        for g, v in f.items():
            r[col[g]] = v
        return r

    second = [row(diff) for diff in diffs] + [row(pos), row(neg)]
    out = [c / 2 for c, _, _ in sides] + [Fraction(1, 2), Fraction(-1, 2)]
    return ReLUNetwork(
        [[list(g) for g in dirs], second, [out]],
        [[0] * len(dirs), [0] * len(second), [0]],
    )


def seven_regions() -> ReLUNetwork:
    """One input, two hidden layers of width 2, 7 regions over R (the maximum; ``docs/search.md``)."""
    return ReLUNetwork([[[-1], [1]], [[1, 1], [1, 1]], [[1, 1]]], [[-1, 0], [-2, -1], [0]])


def clipped_relu() -> ReLUNetwork:
    """``relu(x) - relu(x - 1)``: full functional dimension 5, yet a flip partner (:func:`clipped_relu_flip`)."""
    return ReLUNetwork([[[1], [1]], [[1, -1]]], [[0, -1], [0]])


def clipped_relu_flip() -> ReLUNetwork:
    """``relu(-x) - relu(1 - x) + 1``: the same function as :func:`clipped_relu`, both neurons flipped."""
    return ReLUNetwork([[[-1], [-1]], [[1, -1]]], [[0, 1], [1]])


SPECIMENS: dict[str, Callable[[], ReLUNetwork]] = {
    f.__name__: f
    for f in (
        abs_1d,
        hat_1d,
        central_lines,
        parallel_lines,
        duplicate_neurons,
        dead_neuron,
        vanishing_deep_neuron,
        bent_2d,
        demo,
        sawtooth,
        zigzag,
        max_zero_2d,
        max_tree,
        max5_two_hidden,
        seven_regions,
        clipped_relu,
        clipped_relu_flip,
    )
}


def get(name: str) -> ReLUNetwork:
    """The specimen called ``name`` (see :data:`SPECIMENS`)."""
    from relu_geom.errors import InvalidInputError

    if not isinstance(name, str) or name not in SPECIMENS:
        raise InvalidInputError(
            f"zoo: no specimen called {short_repr(name, 40)} (relu_geom.zoo.SPECIMENS lists the {len(SPECIMENS)} names)"
        )
    return SPECIMENS[name]()


def minimal_redundant() -> ReLUNetwork:
    """``relu(x) + relu(y) - relu(x + y)``: minimal (three hinges need width 3), yet not identifiable.

    Flipping all three neurons (``relu(-z) = relu(z) - z``) changes ``f`` by
    ``-(x) - (y) + (x + y) = 0``: a hidden redundancy of a minimal functional
    representation (paper 000); ``rg.is_identifiable`` certifies it.
    """
    return ReLUNetwork([[[1, 0], [0, 1], [1, 1]], [[1, 1, -1]]], [[0, 0, 0], [0]])


SPECIMENS[minimal_redundant.__name__] = minimal_redundant
