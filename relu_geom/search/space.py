"""Search spaces: architectures with small integer or small-denominator rational weights.

A :class:`SearchSpace` is an architecture and a finite set of allowed weight values.
Networks are handled as *layered integer-or-rational tuples* ``((W_1, b_1), ...)``;
``space.network(theta)`` builds the :class:`~relu_geom.ReLUNetwork`.  With
``hidden_only=True`` the output layer is fixed (all weights 1, bias 0) and not searched:
right for properties of the canonical complex (regions), which does not depend on it.

Symmetry reduction for the exhaustive enumeration (proof in ``docs/search.md``):
:func:`orbit_key` is a complete invariant of the orbit under within-layer permutations
and positive rescalings of hidden neurons; :func:`exhaustive_blocks` cuts the space into
blocks that no orbit crosses (the multiset of primitive directions of the first-layer
rows is invariant), and inside a block the first member of every orbit is visited.

Examples
--------
>>> import relu_geom as rg
>>> from relu_geom.search.space import SearchSpace
>>> space = SearchSpace.parse("1,2,1", "-1..1")
>>> space.n_parameters, len(space.values)
(7, 3)
>>> sum(1 for _ in space.iter_orbit_representatives())  # 3^7 = 2187 vectors
1134
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from relu_geom._util import short_repr
from relu_geom.arith.rational import clear_denominators
from relu_geom.errors import InvalidInputError
from relu_geom.network import ReLUNetwork

__all__ = ["SearchSpace", "orbit_key", "parse_architecture", "parse_values"]

Layers = tuple[tuple[tuple[tuple[Any, ...], ...], tuple[Any, ...]], ...]


def parse_architecture(text: str | Sequence[int]) -> tuple[int, ...]:
    """``"2,3,3,1"`` (or a sequence) as a tuple of at least two positive widths.

    Raises
    ------
    InvalidInputError
        Naming ``--arch`` and what was received.
    """
    try:
        arch = tuple(int(v) for v in (text.split(",") if isinstance(text, str) else text))
    except ValueError:
        raise InvalidInputError(f"--arch: expected comma-separated positive widths like 2,3,3,1, got {short_repr(text)}") from None
    if len(arch) < 2 or any(n < 1 for n in arch):
        raise InvalidInputError(f"--arch: expected at least two positive widths like 2,3,3,1, got {short_repr(text)}")
    return arch


def parse_values(text: str) -> tuple[Fraction, ...]:
    """``"-2..2"`` (integers), ``"-2..2/2"`` (all p/q in the range with q <= 2) as sorted values.

    Raises
    ------
    InvalidInputError
        Naming ``--weights`` and what was received.
    """
    rng, _, den = text.partition("/")
    lo_s, sep, hi_s = rng.partition("..")
    try:
        lo, hi = int(lo_s), int(hi_s)
        q = int(den) if den else 1
    except ValueError:
        raise InvalidInputError(f"--weights: expected LO..HI or LO..HI/Q with integers, got {short_repr(text)}") from None
    if not sep or lo > hi or q < 1 or hi - lo > 1000 or q > 100:
        raise InvalidInputError(f"--weights: expected LO..HI with LO <= HI (and Q >= 1), got {short_repr(text)}")
    vals = {Fraction(p, d) for d in range(1, q + 1) for p in range(lo * d, hi * d + 1)}
    return tuple(sorted(vals))


@dataclass(frozen=True, slots=True)
class SearchSpace:
    """An architecture and the finite set of allowed parameter values.

    Attributes
    ----------
    architecture : tuple of int
        ``(n_0, n_1, ..., n_{L+1})``.
    values : tuple of Fraction
        The allowed values of every searched weight and bias.
    hidden_only : bool
        Fix the output layer to weights 1 and bias 0 (not searched).
    """

    architecture: tuple[int, ...]
    values: tuple[Fraction, ...]
    hidden_only: bool = False

    def __post_init__(self) -> None:
        if len(self.architecture) < 2 or any(n < 1 for n in self.architecture):
            raise InvalidInputError(f"architecture: expected at least two positive widths, got {self.architecture}")
        if not self.values:
            raise InvalidInputError("values: the set of allowed weights is empty")
        if self.hidden_only and len(self.architecture) < 3:
            raise InvalidInputError("hidden_only: the architecture has no hidden layer")

    @classmethod
    def parse(cls, arch: str | Sequence[int], weights: str = "-2..2", *, hidden_only: bool = False) -> SearchSpace:
        """From ``--arch`` and ``--weights`` strings."""
        return cls(parse_architecture(arch), parse_values(weights), hidden_only)

    # ------------------------------------------------------------------ shapes
    @property
    def searched_layers(self) -> int:
        """Number of layers whose parameters are searched."""
        return len(self.architecture) - 1 - int(self.hidden_only)

    @property
    def n_parameters(self) -> int:
        """Number of searched parameters."""
        a = self.architecture
        return sum(a[i + 1] * (a[i] + 1) for i in range(self.searched_layers))

    @property
    def is_integral(self) -> bool:
        """All allowed values are integers."""
        return all(v.denominator == 1 for v in self.values)

    def size(self) -> int:
        """``|values| ** n_parameters``."""
        return len(self.values) ** self.n_parameters

    def from_flat(self, flat: Sequence[Any]) -> Layers:
        """Layered form of a flat vector (per layer, per neuron: its weights then its bias)."""
        a = self.architecture
        out, pos = [], 0
        for i in range(self.searched_layers):
            rows, bs = [], []
            for _ in range(a[i + 1]):
                rows.append(tuple(flat[pos : pos + a[i]]))
                bs.append(flat[pos + a[i]])
                pos += a[i] + 1
            out.append((tuple(rows), tuple(bs)))
        return tuple(out)

    @staticmethod
    def flat(theta: Layers) -> tuple[Any, ...]:
        """Inverse of :meth:`from_flat`."""
        return tuple(v for w, b in theta for row, bi in zip(w, b) for v in (*row, bi))

    def full_layers(self, theta: Layers) -> Layers:
        """Every layer of the network, the fixed output layer appended if ``hidden_only``."""
        if not self.hidden_only:
            return theta
        n, m = self.architecture[-2], self.architecture[-1]
        return (*theta, (((1,) * n,) * m, (0,) * m))

    def network(self, theta: Layers) -> ReLUNetwork:
        """The network of a layered parameter tuple (with the fixed output layer if ``hidden_only``)."""
        layers = self.full_layers(theta)
        return ReLUNetwork([[list(r) for r in w] for w, _ in layers], [list(b) for _, b in layers])

    def layers_of(self, net: ReLUNetwork) -> Layers:
        """The layered tuple of a network of this architecture (searched layers only)."""
        if net.architecture != self.architecture:
            raise InvalidInputError(f"net: expected architecture {self.architecture}, got {net.architecture}")
        return tuple((w, b) for w, b in list(zip(net.weights, net.biases))[: self.searched_layers])

    def contains(self, theta: Layers) -> bool:
        """Every searched value is allowed."""
        allowed = set(self.values)
        return all(v in allowed for v in self.flat(theta))

    # ------------------------------------------------------------------ sampling
    def random(self, rng: random.Random) -> Layers:
        """A uniformly random point of the space (Python ints when every value is an integer)."""
        vals = [int(v) for v in self.values] if self.is_integral else self.values
        return self.from_flat([rng.choice(vals) for _ in range(self.n_parameters)])

    # ------------------------------------------------------------------ exhaustive
    def exhaustive_blocks(self) -> list[tuple[Layers, ...]]:
        """The first-layer blocks of the exhaustive enumeration, in a fixed order.

        Each block is the tuple of the first layers ``(W_1, b_1)`` with rows in
        non-decreasing order sharing one multiset of primitive row directions; no orbit
        meets two blocks.
        """
        if not self.is_integral:
            raise InvalidInputError("--exhaustive: symmetry reduction needs integer weights (LO..HI)")
        blocks: dict[tuple[Any, ...], list[Layers]] = {}
        for first in self._layer_rows(0):
            inv = tuple(sorted(_primitive(r) for r in first))
            blocks.setdefault(inv, []).append(((tuple(r[:-1] for r in first), tuple(r[-1] for r in first)),))
        return [tuple(blocks[k]) for k in sorted(blocks)]

    def _layer_rows(self, layer: int) -> list[tuple[tuple[int, ...], ...]]:
        """All row tuples of a searched layer (0-based) that the enumeration visits.

        Hidden layers: rows in non-decreasing order (a permutation of the layer reaches
        that order); with ``hidden_only`` the last hidden layer's rows are also primitive
        or zero (dividing a row by its gcd is a rescaling that stays in the space).
        """
        a = self.architecture
        vals = [int(v) for v in self.values]
        rows = list(itertools.product(vals, repeat=a[layer] + 1))
        if layer == len(a) - 2:  # the output layer: not permutable
            return list(itertools.product(rows, repeat=a[layer + 1]))
        if self.hidden_only and layer == self.searched_layers - 1:
            rows = [r for r in rows if math.gcd(*r) <= 1]
        return list(itertools.combinations_with_replacement(rows, a[layer + 1]))

    def iter_block(self, block: Sequence[Layers]) -> Iterator[Layers]:
        """One point per orbit inside a block (the first in enumeration order)."""
        tails = [self._layer_rows(layer) for layer in range(1, self.searched_layers)]
        seen: set[Any] = set()
        for first in block:
            for tail in itertools.product(*tails):
                theta = (*first, *((tuple(r[:-1] for r in rows), tuple(r[-1] for r in rows)) for rows in tail))
                key = orbit_key(self, theta)
                if key not in seen:
                    seen.add(key)
                    yield theta

    def iter_orbit_representatives(self) -> Iterator[Layers]:
        """Every orbit of the (integer) space exactly once."""
        for block in self.exhaustive_blocks():
            yield from self.iter_block(block)


def _primitive(row: Sequence[int]) -> tuple[int, ...]:
    g = math.gcd(*row)
    return tuple(v // g for v in row) if g > 1 else tuple(row)


def _normalize(theta: Layers, hidden: int) -> Layers | None:
    """The canonical positive rescaling of integer parameters (``docs/search.md``), or None.

    Layer by layer: a hidden row with a nonzero *regular part* (its bias and its weights
    from neurons whose own row is not zero) is divided by the gcd of that part, and the
    factor moves to the next layer's column; the outgoing column of a neuron whose row is
    zero is scaled to a primitive integer vector.  None when some hidden row has a zero
    regular part but a nonzero weight from such a neuron (the caller falls back to
    :func:`relu_geom.normal_form`).
    """
    out = []
    scale: list[int] | None = None
    degen: set[int] = set()
    for li, (w, b) in enumerate(theta):
        rows = [[v * s for v, s in zip(r, scale)] if scale else list(r) for r in w]
        bias = list(b)
        new_scale: list[int] = []
        new_degen: set[int] = set()
        if li < hidden:
            for k, r in enumerate(rows):
                g = math.gcd(*(v for j, v in enumerate(r) if j not in degen), bias[k])
                if g == 0:
                    if any(r):
                        return None
                    new_degen.add(k)
                    new_scale.append(1)
                    continue
                if g > 1:
                    rows[k] = [Fraction(v, g) if j in degen else v // g for j, v in enumerate(r)]
                    bias[k] //= g
                new_scale.append(g)
        for j in degen:
            col = clear_denominators(r[j] for r in rows)
            for r, v in zip(rows, col):
                r[j] = v
        out.append((tuple(tuple(r) for r in rows), tuple(bias)))
        scale = [1 if k in new_degen else g for k, g in enumerate(new_scale)] if new_scale else None
        degen = new_degen
    return tuple(out)


def _permutations(widths: Sequence[int]) -> list[tuple[tuple[int, ...], ...]]:
    return list(itertools.product(*(itertools.permutations(range(n)) for n in widths)))


_PERMS: dict[tuple[int, ...], list[tuple[tuple[int, ...], ...]]] = {}


def _apply_permutation(theta: Layers, perms: Sequence[Sequence[int]]) -> tuple[Any, ...]:
    flat: list[Any] = []
    prev: Sequence[int] | None = None
    for li, (w, b) in enumerate(theta):
        order = perms[li] if li < len(perms) else range(len(w))
        for i in order:
            row = w[i]
            flat.extend(row[k] for k in prev) if prev is not None else flat.extend(row)
            flat.append(b[i])
        prev = perms[li] if li < len(perms) else None
    return tuple(flat)


def orbit_key(space: SearchSpace, theta: Layers) -> tuple[Any, ...]:
    """A complete invariant of the orbit of integer parameters ``theta``.

    Two points of ``space`` get the same key exactly when one is obtained from the other
    by within-layer permutations and positive rescalings of hidden neurons (with
    ``hidden_only``, the last hidden layer's rows rescale freely).  Networks without a
    zero hidden row: the lexicographically least permutation of the primitive
    normalization; otherwise the key is :func:`relu_geom.normal_form` of the network
    (with a zero output layer when ``hidden_only``).  Proof in ``docs/search.md``.
    """
    hidden = len(space.architecture) - 2
    norm = _normalize(theta, hidden)
    if norm is None:
        from relu_geom.network.symmetry import normal_form

        net = space.network(theta)
        if space.hidden_only:
            net = ReLUNetwork(
                [*net.weights[:-1], [[0] * space.architecture[-2]] * space.architecture[-1]],
                [*net.biases[:-1], [0] * space.architecture[-1]],
            )
        return ("degenerate", normal_form(net).parameters())
    widths = space.architecture[1:-1]
    perms = _PERMS.get(widths)
    if perms is None:
        perms = _PERMS[widths] = _permutations(widths)
    return ("regular", min(_apply_permutation(norm, p) for p in perms))
