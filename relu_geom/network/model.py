"""ReLUNetwork: a fully connected ReLU network with exact rational parameters.

Conventions (as in ``DESIGN.md``): the network has input dimension ``d = n_0``,
hidden widths ``n_1, ..., n_L`` and output dimension ``m = n_{L+1}``.  Hidden
layers are numbered ``1..L`` as in the papers; ``weights[l - 1]`` is ``W_l`` of
shape ``(n_l, n_{l-1})`` and ``biases[l - 1]`` is ``b_l``.  ReLU acts on every
hidden layer; the output layer is affine.  Hidden neurons are indexed globally
``0..H-1`` layer by layer (``neurons`` lists their ``(layer, index)`` labels,
with ``index`` counted from 0 inside the layer).

Files.  The versioned exact dict (``"format": "relu-geom/network@1"``) is part of
the model: :meth:`ReLUNetwork.to_dict` and :meth:`ReLUNetwork.from_dict` live here
and use nothing but this module and :mod:`relu_geom.arith`.  Every other file or
framework constructor (``from_json``, ``to_json``, ``load``, ``from_npz``,
``from_torch``, ``from_onnx``) is a thin method that looks its function up in a
small registry, which :mod:`relu_geom.io` fills when it is imported
(:func:`register_file_functions`; ``import relu_geom`` always imports it).  So
this module never imports ``relu_geom.io`` (layers point down), and without the
registry these methods raise :class:`~relu_geom.errors.BackendUnavailableError`.

Size bound.  A network has at most :data:`MAX_PARAMETERS` parameters; the random
constructors and every file reader refuse larger ones with
:class:`~relu_geom.errors.LimitExceededError` before allocating anything.
"""

from __future__ import annotations

import itertools
import math
import operator
import os
import random as _random
import re
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from fractions import Fraction
from typing import Any

from relu_geom._util import Frozen, lazy, short_repr
from relu_geom.arith.rational import as_point, format_rational, to_rational
from relu_geom.errors import (
    BackendUnavailableError,
    DimensionMismatchError,
    InvalidInputError,
    LimitExceededError,
    UnsupportedInputError,
)

__all__ = ["FORMAT", "MAX_PARAMETERS", "ReLUNetwork", "register_file_functions"]

FORMAT = "relu-geom/network@1"
"""The format tag of the versioned JSON network format written by this version."""

MAX_PARAMETERS = 10_000_000
"""The largest number of parameters (weights and biases) of a network built or read: 10**7."""

_FORMAT_RE = re.compile(r"relu-geom/network@(\d+)")
_DICT_KEYS = ("format", "architecture", "weights", "biases")

Matrix = tuple[tuple[Fraction, ...], ...]
Vector = tuple[Fraction, ...]


def _short(obj: object, limit: int = 80) -> str:
    """``repr(obj)`` cut to ``limit`` characters: error messages never echo big inputs."""
    return short_repr(obj, limit)


def _rng(seed: object) -> _random.Random:
    if seed is not None and not isinstance(seed, (int, float, str, bytes, bytearray)):
        raise InvalidInputError(f"seed: expected an integer, a string or None, got {type(seed).__name__}")
    return _random.Random(seed)


_WORDS_PER_BLOCK = 1 << 22  # 32-bit words drawn at a time by _uniform_entries (bounded memory)


def _uniform_entries(rng: _random.Random, count: int, max_numerator: int, max_denominator: int) -> list[Fraction]:
    """``count`` entries ``Fraction(rng.randint(-M, M), rng.randint(1, Q))``, exactly those calls' values.

    ``randint(a, b)`` draws ``r = getrandbits(k)`` (``k`` the bit length of ``n = b - a + 1``)
    until ``r < n``; for ``k <= 32`` each draw is the top ``k`` bits of one 32-bit word of the
    generator, and ``getrandbits(32 * w)`` returns the next ``w`` words (the first one lowest).
    So the words are drawn in blocks, the accepted ones are found with numpy, and the
    alternation numerator, denominator is followed through them by pointer doubling (the
    starts of the entries are the orbit of word 0 under "start of the next entry"); the
    values are those of one ``randint`` call per draw.
    """
    M, Q = max_numerator, max_denominator
    n_num, n_den = 2 * M + 1, Q
    k_num, k_den = n_num.bit_length(), n_den.bit_length()
    if count < 256 or k_num > 32 or k_den > 32:
        return [Fraction(rng.randint(-M, M), rng.randint(1, Q)) for _ in range(count)]
    import numpy as np

    per_entry = (1 << k_num) / n_num + (1 << k_den) / n_den  # expected words per entry
    nums: list[Any] = []
    dens: list[Any] = []
    done = 0
    words = np.zeros(0, dtype=np.uint32)
    while done < count:
        block = min(_WORDS_PER_BLOCK, int((count - done) * per_entry * 1.05) + 64)
        new = np.frombuffer(rng.getrandbits(32 * block).to_bytes(4 * block, "little"), dtype="<u4")
        words = np.concatenate([words, new])
        n = len(words)
        top_num = words >> np.uint32(32 - k_num)
        top_den = words >> np.uint32(32 - k_den)
        # positions 0..n-1 are words, n is "no word left", stop = n + 1 is "no entry": next_num[i]
        # (next_den[i]) is the first word at or after i accepted as a numerator (denominator)
        stop = n + 1
        nxt = []
        for top, bound in ((top_num, n_num), (top_den, n_den)):
            at = np.where(top < bound, np.arange(n), stop)
            nxt.append(np.concatenate([np.minimum.accumulate(at[::-1])[::-1], [stop, stop]]))
        next_num, next_den = nxt
        # an entry starting at word i ends at step(i) - 1; step(i) = stop when the block ends first
        den_at = next_den[np.minimum(next_num + 1, stop)]
        step = np.where(den_at < stop, den_at + 1, stop)
        # the starts of the entries 0, 1, 2, ...: the orbit of 0 under step, by doubling
        starts = np.zeros(1, dtype=np.int64)
        jump = step
        need = count - done
        while starts[-1] != stop and len(starts) <= need:
            starts = np.concatenate([starts, jump[starts]])
            jump = jump[jump]
        starts = starts[: need + 1]
        starts = starts[step[starts] != stop]  # complete entries (a prefix of the orbit)
        pos = 0
        if len(starts):
            a_idx = next_num[starts]
            b_idx = next_den[a_idx + 1]
            nums.append(top_num[a_idx].astype(np.int64) - M)
            dens.append(top_den[b_idx].astype(np.int64) + 1)
            done += len(starts)
            pos = int(b_idx[-1]) + 1
        words = words[pos:]
    num = np.concatenate(nums)
    den = np.concatenate(dens)
    if n_num * n_den <= 1 << 16:  # few values: one shared Fraction per value
        table = [Fraction(p, q) for p in range(-M, M + 1) for q in range(1, Q + 1)]
        return list(map(table.__getitem__, ((num + M) * Q + (den - 1)).tolist()))
    return list(map(Fraction, num.tolist(), den.tolist()))


def _as_list(obj: object, what: str) -> list[Any]:
    if hasattr(obj, "tolist") and not isinstance(obj, (str, bytes)):
        obj = obj.tolist()
    if isinstance(obj, (str, bytes, Mapping, Set)) or not isinstance(obj, Iterable):
        raise InvalidInputError(f"{what}: expected a list, got {type(obj).__name__} {_short(obj)}")
    return list(obj)


def _check_architecture(architecture: object) -> list[int]:
    """Widths as ints: at least two, each a positive integer (not a bool, not a float), bounded in total."""
    if isinstance(architecture, (str, bytes, Mapping, Set)) or not isinstance(architecture, Iterable):
        raise InvalidInputError(f"architecture: expected a list of widths, got {_short(architecture)}")
    raw = list(architecture)
    try:
        if isinstance(raw, bool) or any(isinstance(n, bool) for n in raw):
            raise TypeError
        arch = [operator.index(n) for n in raw]  # ints and numpy integers; floats and bools refused
    except TypeError:
        arch = []
    if len(arch) < 2 or any(n < 1 for n in arch):
        raise InvalidInputError(
            f"architecture: expected at least two positive integer widths, got {_short(raw)}"
        )
    total = sum(arch[i + 1] * (arch[i] + 1) for i in range(len(arch) - 1))
    if total > MAX_PARAMETERS:
        raise LimitExceededError(
            f"architecture {_short(arch)}: {total if total.bit_length() < 64 else f'over 2**{total.bit_length() - 1}'}"
            f" parameters, more than the limit of {MAX_PARAMETERS}"
        )
    return arch


def _read_matrix(obj: object, what: str) -> Matrix:
    rows = _as_list(obj, what)
    if not rows:
        raise InvalidInputError(f"{what}: a weight matrix needs at least one row (a layer of width 0)")
    out = []
    width = None
    for i, row in enumerate(rows):
        entries = _as_list(row, f"{what}[{i}]")
        if width is None:
            width = len(entries)
        elif len(entries) != width:
            raise DimensionMismatchError(
                f"{what}: ragged matrix, row 0 has {width} entries but row {i} has {len(entries)}"
            )
        out.append(tuple(to_rational(v, what=f"{what}[{i}][{j}]") for j, v in enumerate(entries)))
    if width == 0:
        raise InvalidInputError(f"{what}: a weight matrix needs at least one column (input width 0)")
    return tuple(out)


class ReLUNetwork(Frozen):
    """A fully connected ReLU network with exact rational weights.

    Parameters
    ----------
    weights
        ``[W_1, ..., W_{L+1}]``, each a matrix (nested sequence or array) of
        shape ``(n_l, n_{l-1})``.
    biases
        ``[b_1, ..., b_{L+1}]``, each a vector of length ``n_l``.

    Entries may be int, Fraction, strings (``"3/4"``, ``"-2"``, ``"0.125"``),
    numpy numbers or floats; a float is read as the exact binary value it
    denotes.  Nothing is rounded.  The network is immutable; ``==`` compares
    parameters exactly.

    Raises
    ------
    InvalidInputError, DimensionMismatchError
        Naming the layer, the shape expected and the shape received.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[1, -1], [1, 1]], [[1, 1]]], [[0, "-1/2"], [0]])
    >>> net.architecture
    (2, 2, 1)
    >>> net([1, 0])
    (Fraction(3, 2),)
    >>> net.sign_vector([1, 0])
    (1, 1)
    """

    __slots__ = ("_weights", "_biases", "_lazy")
    _weights: tuple[Matrix, ...]
    _biases: tuple[Vector, ...]
    _lazy: dict[str, Any]

    def __init__(self, weights: Sequence[Any], biases: Sequence[Any]):
        wlist = _as_list(weights, "weights")
        blist = _as_list(biases, "biases")
        if not wlist:
            raise InvalidInputError("weights: a network needs at least one layer, got an empty list")
        if len(wlist) != len(blist):
            raise DimensionMismatchError(
                f"weights and biases: got {len(wlist)} weight matrices but {len(blist)} bias vectors"
            )
        ws: list[Matrix] = []
        bs: list[Vector] = []
        for k, (w, b) in enumerate(zip(wlist, blist)):
            layer = k + 1
            mat = _read_matrix(w, f"weights[{k}]")
            vec_raw = _as_list(b, f"biases[{k}] (b_{layer})")
            if ws and len(mat[0]) != len(ws[-1]):
                raise DimensionMismatchError(
                    f"weights[{k}] (W_{layer}): expected shape ({len(mat)}, {len(ws[-1])}) "
                    f"to follow a layer of width {len(ws[-1])}, got shape ({len(mat)}, {len(mat[0])})"
                )
            if len(vec_raw) != len(mat):
                raise DimensionMismatchError(
                    f"biases[{k}] (b_{layer}): expected length {len(mat)} to match W_{layer} of shape "
                    f"({len(mat)}, {len(mat[0])}), got length {len(vec_raw)}"
                )
            vec = tuple(to_rational(v, what=f"biases[{k}][{i}]") for i, v in enumerate(vec_raw))
            ws.append(mat)
            bs.append(vec)
        self._set(_weights=tuple(ws), _biases=tuple(bs), _lazy={})

    # ------------------------------------------------------------------ basics
    @property
    def weights(self) -> tuple[Matrix, ...]:
        """``(W_1, ..., W_{L+1})`` as tuples of rows of Fractions."""
        return self._weights

    @property
    def biases(self) -> tuple[Vector, ...]:
        """``(b_1, ..., b_{L+1})`` as tuples of Fractions."""
        return self._biases

    @lazy
    def architecture(self) -> tuple[int, ...]:
        """``(n_0, n_1, ..., n_{L+1})``."""
        return (len(self._weights[0][0]),) + tuple(len(w) for w in self._weights)

    @property
    def input_dim(self) -> int:
        """``d = n_0``."""
        return self.architecture[0]

    @property
    def output_dim(self) -> int:
        """``m = n_{L+1}``."""
        return self.architecture[-1]

    @property
    def hidden_widths(self) -> tuple[int, ...]:
        """``(n_1, ..., n_L)``."""
        return self.architecture[1:-1]

    @property
    def depth(self) -> int:
        """The number ``L`` of hidden layers."""
        return len(self._weights) - 1

    @property
    def n_hidden(self) -> int:
        """``H = n_1 + ... + n_L``."""
        return sum(self.hidden_widths)

    @property
    def n_parameters(self) -> int:
        """``D = sum_l n_l (n_{l-1} + 1)``."""
        a = self.architecture
        return sum(a[i + 1] * (a[i] + 1) for i in range(len(a) - 1))

    @lazy
    def neurons(self) -> tuple[tuple[int, int], ...]:
        """``(layer, index)`` labels of the hidden neurons in global order."""
        return tuple((layer, i) for layer, n in enumerate(self.hidden_widths, start=1) for i in range(n))

    @lazy
    def layer_offsets(self) -> tuple[int, ...]:
        """Global index of the first neuron of each hidden layer (and ``H`` at the end)."""
        offs = [0]
        for n in self.hidden_widths:
            offs.append(offs[-1] + n)
        return tuple(offs)

    def neuron_index(self, layer: int, index: int) -> int:
        """Global index of hidden neuron ``index`` of hidden layer ``layer`` (1-based layer)."""
        self._check_hidden(layer, index)
        return self.layer_offsets[layer - 1] + index

    def _check_hidden(self, layer: int, index: int | None = None) -> None:
        if not isinstance(layer, int) or not 1 <= layer <= self.depth:
            raise InvalidInputError(f"layer: expected a hidden layer in 1..{self.depth}, got {short_repr(layer)}")
        if index is not None:
            width = self.hidden_widths[layer - 1]
            if not isinstance(index, int) or not 0 <= index < width:
                raise InvalidInputError(
                    f"index: expected a neuron of hidden layer {layer} in 0..{width - 1}, got {short_repr(index)}"
                )

    def __repr__(self) -> str:
        return f"ReLUNetwork(architecture={list(self.architecture)})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ReLUNetwork):
            return NotImplemented
        return self._weights == other._weights and self._biases == other._biases

    def __hash__(self) -> int:
        return hash((self._weights, self._biases))

    # -------------------------------------------------------------- evaluation
    def preactivations(self, x: object) -> tuple[Vector, ...]:
        """The exact pre-activations ``z_1(x), ..., z_L(x)`` of the hidden layers.

        Examples
        --------
        >>> import relu_geom as rg
        >>> net = rg.ReLUNetwork([[[1], [-1]], [[1, 1]]], [[0, 1], [0]])
        >>> net.preactivations(2)
        ((Fraction(2, 1), Fraction(-1, 1)),)
        """
        a = as_point(x, self.input_dim)
        out = []
        for w, b in zip(self._weights[:-1], self._biases[:-1]):
            z = tuple(sum((wi * ai for wi, ai in zip(row, a)), bi) for row, bi in zip(w, b))
            out.append(z)
            a = tuple(v if v > 0 else Fraction(0) for v in z)
        return tuple(out)

    def __call__(self, x: object) -> Vector:
        """Exact output ``f(x)`` as a tuple of Fractions."""
        a = as_point(x, self.input_dim)
        for w, b in zip(self._weights[:-1], self._biases[:-1]):
            a = tuple(max(sum((wi * ai for wi, ai in zip(row, a)), bi), Fraction(0)) for row, bi in zip(w, b))
        w, b = self._weights[-1], self._biases[-1]
        return tuple(sum((wi * ai for wi, ai in zip(row, a)), bi) for row, bi in zip(w, b))

    evaluate = __call__

    def sign_vector(self, x: object) -> tuple[int, ...]:
        """Signs (-1, 0, +1) of all ``H`` hidden pre-activations at the exact point ``x``."""
        return tuple((v > 0) - (v < 0) for z in self.preactivations(x) for v in z)

    # ------------------------------------------------------- integer scaling
    @lazy
    def integer_layers(self) -> tuple[tuple[tuple[tuple[int, ...], ...], tuple[int, ...]], ...]:
        """An all-integer network whose pre-activations are positive multiples of ours.

        Layer ``l`` becomes ``(D_l W_l, (D_1 ... D_l) b_l)`` with ``D_l`` the least
        common denominator of ``W_l`` and ``b_l``; then ``z'_l = (D_1...D_l) z_l``,
        so every sign is unchanged.  The compiler works on these integers.
        """
        out = []
        scale = 1
        for w, b in zip(self._weights, self._biases):
            den = math.lcm(*(v.denominator for row in w for v in row), *(v.denominator for v in b))
            scale *= den
            wi = tuple(tuple(int(v * den) for v in row) for row in w)
            bi = tuple(int(v * scale) for v in b)
            out.append((wi, bi))
        return tuple(out)

    @lazy
    def integer_scales(self) -> tuple[int, ...]:
        """``(D_1, D_1 D_2, ...)``: layer ``l`` of :attr:`integer_layers` is scaled by entry ``l-1``."""
        out = []
        scale = 1
        for w, b in zip(self._weights, self._biases):
            scale *= math.lcm(*(v.denominator for row in w for v in row), *(v.denominator for v in b))
            out.append(scale)
        return tuple(out)

    # -------------------------------------------------------------- parameters
    def parameters(self) -> tuple[Fraction, ...]:
        """The parameter vector ``theta``: ``W_1`` row by row, ``b_1``, ``W_2``, ``b_2``, ...

        Examples
        --------
        >>> import relu_geom as rg
        >>> net = rg.ReLUNetwork([[[1, 2]], [[3]]], [[4], [5]])
        >>> [int(v) for v in net.parameters()]
        [1, 2, 4, 3, 5]
        """
        out: list[Fraction] = []
        for w, b in zip(self._weights, self._biases):
            for row in w:
                out.extend(row)
            out.extend(b)
        return tuple(out)

    @classmethod
    def from_parameters(cls, architecture: Sequence[int], theta: Sequence[object]) -> ReLUNetwork:
        """Inverse of :meth:`parameters` for the given architecture."""
        arch = _check_architecture(architecture)
        values = list(theta)
        need = sum(arch[i + 1] * (arch[i] + 1) for i in range(len(arch) - 1))
        if len(values) != need:
            raise DimensionMismatchError(
                f"theta: architecture {arch} has {need} parameters, got {len(values)}"
            )
        ws, bs, pos = [], [], 0
        for i in range(len(arch) - 1):
            rows, cols = arch[i + 1], arch[i]
            ws.append([values[pos + r * cols : pos + (r + 1) * cols] for r in range(rows)])
            pos += rows * cols
            bs.append(values[pos : pos + rows])
            pos += rows
        return cls(ws, bs)

    @classmethod
    def random(
        cls,
        architecture: Sequence[int],
        *,
        seed: int | None = None,
        max_numerator: int = 9,
        max_denominator: int = 4,
    ) -> ReLUNetwork:
        """A reproducible random network with small-denominator rational entries.

        Each entry is ``p / q`` with ``p`` uniform in ``[-max_numerator, max_numerator]``
        and ``q`` uniform in ``[1, max_denominator]``.  Zero entries can occur.  The entries
        are those of ``Fraction(rng.randint(-max_numerator, max_numerator),
        rng.randint(1, max_denominator))`` with ``rng = random.Random(seed)``, drawn for
        every weight (layer by layer, row by row) and then every bias, but the random
        words are drawn in blocks and sorted out with numpy, so a network of
        :data:`MAX_PARAMETERS` parameters takes seconds.

        Examples
        --------
        >>> import relu_geom as rg
        >>> rg.ReLUNetwork.random([2, 3, 1], seed=0) == rg.ReLUNetwork.random([2, 3, 1], seed=0)
        True
        """
        arch = _check_architecture(architecture)
        for name, value, low in (
            ("max_numerator", max_numerator, 0),
            ("max_denominator", max_denominator, 1),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise InvalidInputError(f"{name}: expected an integer >= {low}, got {_short(value)}")
        rng = _rng(seed)
        pairs = list(zip(arch[:-1], arch[1:]))
        flat = _uniform_entries(
            rng, sum(n_in * n_out + n_out for n_in, n_out in pairs), max_numerator, max_denominator
        )
        it = iter(flat)  # all weights first (layer by layer, row by row), then all biases
        ws = tuple(tuple(itertools.islice(zip(*[it] * n_in), n_out)) for n_in, n_out in pairs)
        bs = tuple(tuple(itertools.islice(it, n_out)) for _, n_out in pairs)
        return cls._exact(ws, bs)

    @classmethod
    def _exact(cls, weights: tuple[Matrix, ...], biases: tuple[Vector, ...]) -> ReLUNetwork:
        """A network from tuples of Fractions of matching shapes, without reading them again
        (for the library's own constructors only)."""
        net = cls.__new__(cls)
        net._set(_weights=weights, _biases=biases, _lazy={})
        return net

    @classmethod
    def random_normal(cls, architecture: Sequence[int], *, seed: int | None = None) -> ReLUNetwork:
        """A reproducible network with standard-normal float weights, read exactly.

        Every float is a dyadic rational, so the network is exact; this is the
        benchmark distribution.
        """
        arch = _check_architecture(architecture)
        rng = _rng(seed)
        ws = [
            [[rng.gauss(0.0, 1.0) for _ in range(arch[i])] for _ in range(arch[i + 1])]
            for i in range(len(arch) - 1)
        ]
        bs = [[rng.gauss(0.0, 1.0) for _ in range(arch[i + 1])] for i in range(len(arch) - 1)]
        return cls(ws, bs)

    # ------------------------------------------------------ symmetry actions
    def rescale_neuron(self, layer: int, index: int, factor: object) -> ReLUNetwork:
        """Multiply the incoming weights and bias of a hidden neuron by ``factor > 0``
        and divide its outgoing weights by it.  The function is unchanged.

        Examples
        --------
        >>> import relu_geom as rg
        >>> net = rg.ReLUNetwork.random([2, 3, 1], seed=1)
        >>> other = net.rescale_neuron(1, 0, "5/2")
        >>> other([1, -2]) == net([1, -2]) and other != net
        True
        """
        self._check_hidden(layer, index)
        c = to_rational(factor, what="factor")
        if c <= 0:
            raise InvalidInputError(f"factor: expected a positive rational, got {c}")
        ws = [list(map(list, w)) for w in self._weights]
        bs = [list(b) for b in self._biases]
        ws[layer - 1][index] = [v * c for v in ws[layer - 1][index]]
        bs[layer - 1][index] *= c
        for row in ws[layer]:
            row[index] /= c
        return ReLUNetwork(ws, bs)

    def permute_layer(self, layer: int, permutation: Sequence[int]) -> ReLUNetwork:
        """Reorder the neurons of a hidden layer: new neuron ``i`` is old neuron ``permutation[i]``.

        Examples
        --------
        >>> import relu_geom as rg
        >>> net = rg.ReLUNetwork.random([2, 3, 1], seed=1)
        >>> net.permute_layer(1, [2, 0, 1])([3, 1]) == net([3, 1])
        True
        """
        self._check_hidden(layer)
        perm = list(permutation)
        width = self.hidden_widths[layer - 1]
        if sorted(perm) != list(range(width)):
            raise InvalidInputError(
                f"permutation: expected a permutation of 0..{width - 1} for hidden layer {layer}, got {perm}"
            )
        ws = [list(map(list, w)) for w in self._weights]
        bs = [list(b) for b in self._biases]
        ws[layer - 1] = [ws[layer - 1][p] for p in perm]
        bs[layer - 1] = [bs[layer - 1][p] for p in perm]
        ws[layer] = [[row[p] for p in perm] for row in ws[layer]]
        return ReLUNetwork(ws, bs)

    # ------------------------------------------------------------ files, io
    def to_dict(self) -> dict[str, Any]:
        """The versioned exact JSON object (``"format": "relu-geom/network@1"``).

        Integers are stored as JSON integers, other rationals as strings ``"p/q"``.

        Examples
        --------
        >>> import relu_geom as rg
        >>> rg.ReLUNetwork([[[1, "1/3"]], [[2]]], [[0], ["-1/2"]]).to_dict()
        {'format': 'relu-geom/network@1', 'architecture': [2, 1, 1], 'weights': [[[1, '1/3']], [[2]]], 'biases': [[0], ['-1/2']]}
        """
        return {
            "format": FORMAT,
            "architecture": list(self.architecture),
            "weights": [[[format_rational(v) for v in row] for row in w] for w in self._weights],
            "biases": [[format_rational(v) for v in b] for b in self._biases],
        }

    @classmethod
    def from_dict(cls, obj: Mapping[str, Any]) -> ReLUNetwork:
        """A network from its versioned JSON object (already parsed into Python data).

        Parameters
        ----------
        obj
            Either the versioned form written by :meth:`to_dict`::

                {"format": "relu-geom/network@1", "architecture": [n_0, ..., n_{L+1}],
                 "weights": [W_1, ..., W_{L+1}], "biases": [b_1, ..., b_{L+1}]}

            or the plain form ``{"weights": [...], "biases": [...]}`` (an
            ``"architecture"`` is optional in both).  Each ``W_l`` is a list of
            rows, shape ``(n_l, n_{l-1})`` = (out, in).  Entries are integers,
            strings ``"p/q"`` (also ``"-2"``, ``"0.125"``: decimal strings are
            exact decimals) or floats, read as the exact binary value they denote.

        Raises
        ------
        UnsupportedInputError
            For a ``"format"`` other than ``"relu-geom/network@1"`` (for example
            one written by a newer version).
        InvalidInputError
            For a missing or unknown field, a wrong type (a dict or a string
            where a list is expected, a boolean width), a non-finite number or
            a bad string, naming the field and the entry.
        DimensionMismatchError
            For ragged or mis-shaped layers, or an ``"architecture"`` that does
            not match the weights.

        Examples
        --------
        >>> import relu_geom as rg
        >>> net = rg.ReLUNetwork.from_dict({"weights": [[[1, -1]], [["1/2"]]], "biases": [[0], [0.25]]})
        >>> net.architecture, net([3, 1])
        ((2, 1, 1), (Fraction(5, 4),))
        >>> rg.ReLUNetwork.from_dict(net.to_dict()) == net
        True
        """
        if not isinstance(obj, Mapping):
            raise InvalidInputError(
                "network: expected a dict (JSON object) with fields 'weights' and 'biases', "
                f"got {type(obj).__name__}"
            )
        if "format" in obj:
            fmt = obj["format"]
            if not isinstance(fmt, str):
                raise InvalidInputError(f"format: expected a string such as {FORMAT!r}, got {_short(fmt)}")
            if fmt != FORMAT:
                match = _FORMAT_RE.fullmatch(fmt)
                newer = (
                    " (written by a newer version of relu_geom?)" if match and int(match.group(1)) > 1 else ""
                )
                raise UnsupportedInputError(
                    f"format: {_short(fmt)} is not supported{newer}; this version reads {FORMAT!r} "
                    "and the plain form {'weights': ..., 'biases': ...}"
                )
        unknown = [k for k in obj if k not in _DICT_KEYS]
        if unknown:
            raise InvalidInputError(
                f"network: unknown field(s) {', '.join(map(repr, unknown)):.80}; "
                f"expected only {', '.join(repr(k) for k in _DICT_KEYS)}"
            )
        missing = [k for k in ("weights", "biases") if k not in obj]
        if missing:
            raise InvalidInputError(f"network: missing field(s) {', '.join(repr(k) for k in missing)}")
        net = cls(obj["weights"], obj["biases"])
        if "architecture" in obj:
            arch = obj["architecture"]
            if (
                not isinstance(arch, (list, tuple))
                or not arch
                or any(isinstance(n, bool) or not isinstance(n, int) for n in arch)
            ):
                raise InvalidInputError(
                    f"architecture: expected a list of integer widths, got {_short(arch)}"
                )
            if tuple(arch) != net.architecture:
                raise DimensionMismatchError(
                    f"architecture: declared as {_short(list(arch))} but the weights have architecture "
                    f"{list(net.architecture)}"
                )
        return net

    # File and framework constructors: thin methods over the readers that relu_geom.io
    # registers at import (see the module docstring).
    @classmethod
    def from_json(cls, source: str | os.PathLike[str]) -> ReLUNetwork:
        """From a JSON file path (str or Path) or a JSON text starting with ``{``.

        See :func:`relu_geom.io.network_from_json`.
        """
        return _file_function("network_from_json")(source)

    def to_json(self, path: str | os.PathLike[str] | None = None) -> str:
        """The versioned exact JSON text; also written atomically to ``path`` if given.

        See :func:`relu_geom.io.network_to_json`.
        """
        return _file_function("network_to_json")(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str], **options: Any) -> ReLUNetwork:
        """Read any supported network file (.json, .npz, .pt/.pth, .onnx), by extension or content.

        Keyword options (``trust``, ``activation``) are those of :func:`relu_geom.io.load_network`.
        """
        return _file_function("load_network")(path, **options)

    @classmethod
    def from_npz(cls, path: str | os.PathLike[str]) -> ReLUNetwork:
        """From a numpy ``.npz`` with keys ``W0, b0, W1, b1, ...``; see :func:`relu_geom.io.network_from_npz`."""
        return _file_function("network_from_npz")(path)

    @classmethod
    def from_torch(cls, model: Any, **options: Any) -> ReLUNetwork:
        """From a PyTorch module or file (weights read exactly); see :func:`relu_geom.io.network_from_torch`."""
        return _file_function("network_from_torch")(model, **options)

    @classmethod
    def from_onnx(cls, model: Any) -> ReLUNetwork:
        """From an ONNX model (path or ``ModelProto``), folded exactly; see :func:`relu_geom.io.network_from_onnx`."""
        return _file_function("network_from_onnx")(model)


_FILE_FUNCTIONS: dict[str, Callable[..., Any]] = {}


def register_file_functions(**functions: Callable[..., Any]) -> None:
    """Record the file readers and writers behind the named constructors (called by relu_geom.io)."""
    _FILE_FUNCTIONS.update(functions)


def _file_function(name: str) -> Callable[..., Any]:
    try:
        return _FILE_FUNCTIONS[name]
    except KeyError:
        raise BackendUnavailableError(
            f"ReLUNetwork file support ({name}) is not loaded; import relu_geom (or relu_geom.io) first"
        ) from None
