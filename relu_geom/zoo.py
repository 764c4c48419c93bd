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
