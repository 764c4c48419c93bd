"""Structured moves between points of a search space (every move stays in the space).

Examples
--------
>>> import random
>>> from relu_geom.search.space import SearchSpace
>>> from relu_geom.search.moves import neighbour
>>> space = SearchSpace.parse("2,3,1", "-2..2")
>>> theta = space.random(random.Random(0))
>>> space.contains(neighbour(space, theta, random.Random(1)))
True
"""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any

from relu_geom.search.space import Layers, SearchSpace

__all__ = ["MOVES", "neighbour"]


def _mutable(theta: Layers) -> list[tuple[list[list[Any]], list[Any]]]:
    return [([list(r) for r in w], list(b)) for w, b in theta]


def _freeze(layers: list[tuple[list[list[Any]], list[Any]]]) -> Layers:
    return tuple((tuple(tuple(r) for r in w), tuple(b)) for w, b in layers)


def _hidden_neuron(space: SearchSpace, rng: random.Random) -> tuple[int, int]:
    li = rng.randrange(len(space.architecture) - 2)
    return li, rng.randrange(space.architecture[li + 1])


def flip_orientation(space: SearchSpace, theta: Layers, rng: random.Random) -> Layers:
    """Negate one hidden neuron's weights and bias (its hyperplane, oriented the other way)."""
    t = _mutable(theta)
    li, j = _hidden_neuron(space, rng)
    w, b = t[li]
    w[j] = [-v for v in w[j]]
    b[j] = -b[j]
    return _freeze(t)


def duplicate_neuron(space: SearchSpace, theta: Layers, rng: random.Random) -> Layers:
    """Copy one hidden neuron's row onto another of the same layer."""
    t = _mutable(theta)
    li, j = _hidden_neuron(space, rng)
    k = rng.randrange(space.architecture[li + 1])
    w, b = t[li]
    w[k], b[k] = list(w[j]), b[j]
    return _freeze(t)


def cancel_neuron(space: SearchSpace, theta: Layers, rng: random.Random) -> Layers:
    """Make one hidden neuron the negation of another (a cancelling pair when weights allow)."""
    t = _mutable(theta)
    li, j = _hidden_neuron(space, rng)
    k = rng.randrange(space.architecture[li + 1])
    w, b = t[li]
    w[k], b[k] = [-v for v in w[j]], -b[j]
    if li + 1 < len(t):
        for row in t[li + 1][0]:
            row[k] = -row[j] if -row[j] in space.values else row[k]
    return _freeze(t)


def zero_weight(space: SearchSpace, theta: Layers, rng: random.Random) -> Layers:
    """Set one searched weight or bias to zero (when zero is allowed)."""
    flat = list(space.flat(theta))
    if Fraction(0) in space.values:
        flat[rng.randrange(len(flat))] = 0
    return space.from_flat(flat)


def step_weight(space: SearchSpace, theta: Layers, rng: random.Random) -> Layers:
    """Move one parameter to a neighbouring allowed value."""
    flat = list(space.flat(theta))
    i = rng.randrange(len(flat))
    vals = space.values
    pos = min(range(len(vals)), key=lambda p: abs(vals[p] - flat[i]))
    flat[i] = vals[max(0, min(len(vals) - 1, pos + rng.choice((-1, 1))))]
    return space.from_flat(flat)


def swap_signs(space: SearchSpace, theta: Layers, rng: random.Random) -> Layers:
    """Negate one outgoing weight (or, with a fixed output layer, one bias)."""
    flat = list(space.flat(theta))
    a = space.architecture
    start = sum(a[i + 1] * (a[i] + 1) for i in range(1, space.searched_layers)) if space.searched_layers > 1 else 0
    i = rng.randrange(start, len(flat))
    flat[i] = -flat[i]
    return space.from_flat(flat)


def through_vertex(space: SearchSpace, theta: Layers, rng: random.Random) -> Layers:
    """Shift a first-layer bias so that its hyperplane passes through a vertex of the others.

    The vertex is the intersection of ``d`` other first-layer hyperplanes (solved exactly);
    the move is kept only if the new bias is an allowed value.
    """
    from relu_geom.arith.linalg import solve

    d = space.architecture[0]
    w, b = theta[0]
    n = len(w)
    if n < d + 1:
        return theta
    j = rng.randrange(n)
    others = rng.sample([k for k in range(n) if k != j], d)
    x = solve([w[k] for k in others], [-b[k] for k in others])
    if x is None:
        return theta
    nb = -sum((wi * xi for wi, xi in zip(w[j], x)), Fraction(0))
    if nb not in space.values:
        return theta
    t = _mutable(theta)
    t[0][1][j] = nb
    return _freeze(t)


MOVES = (flip_orientation, duplicate_neuron, cancel_neuron, zero_weight, step_weight, swap_signs, through_vertex)
"""The structured moves; :func:`neighbour` picks one uniformly."""


def neighbour(space: SearchSpace, theta: Layers, rng: random.Random) -> Layers:
    """A random structured move of ``theta`` (deterministic given ``rng``)."""
    move = MOVES[rng.randrange(len(MOVES))]
    out = move(space, theta, rng)
    return out if space.contains(out) else theta
