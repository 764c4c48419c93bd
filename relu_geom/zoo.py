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
    )
}


def get(name: str) -> ReLUNetwork:
    """The specimen called ``name`` (see :data:`SPECIMENS`)."""
    from relu_geom.errors import InvalidInputError

    if name not in SPECIMENS:
        raise InvalidInputError(f"zoo: no specimen called {name!r}; known: {', '.join(sorted(SPECIMENS))}")
    return SPECIMENS[name]()


def minimal_redundant() -> ReLUNetwork:
    """``relu(x) + relu(y) - relu(x + y)``: minimal (three hinges need width 3), yet not identifiable.

    Flipping all three neurons (``relu(-z) = relu(z) - z``) changes ``f`` by
    ``-(x) - (y) + (x + y) = 0``: a hidden redundancy of a minimal functional
    representation (paper 000); ``rg.is_identifiable`` certifies it.
    """
    return ReLUNetwork([[[1, 0], [0, 1], [1, 1]], [[1, 1, -1]]], [[0, 0, 0], [0]])


SPECIMENS[minimal_redundant.__name__] = minimal_redundant
