"""Helpers shared by the network readers and writers: file checks, limits, exact arrays, affine chains.

Limits (documented in ``docs/io.md``): a network file may be at most
:data:`MAX_FILE_BYTES` bytes, and a network (or any tensor or intermediate
affine map built while folding a model) at most
:data:`~relu_geom.network.MAX_PARAMETERS` numbers; beyond them the readers raise
:class:`~relu_geom.errors.LimitExceededError` before allocating.
"""

from __future__ import annotations

import contextlib
import math
import os
import stat
from collections.abc import Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from relu_geom._util import short_repr
from relu_geom.errors import (
    FileFormatError,
    InvalidInputError,
    LimitExceededError,
    ReluGeomError,
    UnsupportedInputError,
)
from relu_geom.files import as_path
from relu_geom.network import MAX_PARAMETERS, ReLUNetwork

MAX_FILE_BYTES = 2 * 1024**3
"""The largest network file (in bytes) the readers open: 2 GiB."""

PathLike = str | os.PathLike[str]

# (precision in bits including the implicit one, minimal normal exponent, maximal exponent)
FLOAT_FORMATS: dict[str, tuple[int, int, int]] = {
    "float64": (53, -1022, 1023),
    "float32": (24, -126, 127),
    "float16": (11, -14, 15),
    "bfloat16": (8, -126, 127),
}

# ml_dtypes types (bfloat16 and the float8/6/4 formats from ONNX) are all exact subsets of float64.
_NARROW_FLOAT_PREFIXES = ("bfloat16", "float8", "float6", "float4")
_NARROW_INT_NAMES = ("int2", "uint2", "int4", "uint4")


def check_network(net: object) -> ReLUNetwork:
    if not isinstance(net, ReLUNetwork):
        raise InvalidInputError(f"net: expected a ReLUNetwork, got {type(net).__name__}")
    return net


def existing_file(path: object) -> Path:
    """A path to a regular file of at most MAX_FILE_BYTES, checked with os.stat before any read.

    FIFOs, devices, sockets and directories are refused (reading them may block or never end).
    """
    p = as_path(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise FileFormatError(f"{p}: no such file") from None
    except OSError as exc:
        raise FileFormatError(f"{p}: cannot read: {exc.strerror or exc}") from exc
    if stat.S_ISDIR(st.st_mode):
        raise FileFormatError(f"{p}: is a directory, expected a network file")
    if not stat.S_ISREG(st.st_mode):
        raise FileFormatError(f"{p}: not a regular file (a FIFO, device or socket), expected a network file")
    if st.st_size > MAX_FILE_BYTES:
        raise LimitExceededError(
            f"{p}: {st.st_size} bytes, more than the limit of {MAX_FILE_BYTES} bytes for a network file"
        )
    return p


def check_count(n: int, what: str) -> None:
    """Refuse (LimitExceededError) a tensor or map of more than MAX_PARAMETERS numbers."""
    if n > MAX_PARAMETERS:
        raise LimitExceededError(f"{what}: {n} numbers, more than the limit of {MAX_PARAMETERS}")


def index_text(index: Sequence[int]) -> str:
    return "".join(f"[{i}]" for i in index)


@contextlib.contextmanager
def reading(src: str) -> Iterator[None]:
    """Name the file in every error raised while reading it; input errors become FileFormatError."""
    prefix = f"{src}: "
    try:
        yield
    except (FileFormatError, UnsupportedInputError, LimitExceededError) as exc:
        if str(exc).startswith(prefix):
            raise
        raise type(exc)(prefix + str(exc)) from None
    except InvalidInputError as exc:
        raise FileFormatError(prefix + str(exc)) from None


def round_to_format(value: Fraction, fmt: str, what: str = "value") -> float:
    """The float of format ``fmt`` nearest to ``value`` (ties to even), as a Python float.

    ``fmt`` is ``"float64"``, ``"float32"``, ``"float16"`` or ``"bfloat16"``.  Rounds
    once, directly from the exact rational (rounding to float64 first and then to a
    narrower format could round twice and miss the nearest value); subnormal results
    included.  Raises InvalidInputError naming ``what`` when the value is beyond the
    format's range.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from fractions import Fraction
    >>> rg.io.round_to_format(Fraction(1, 3), "float16") == 1365 / 2**12
    True
    >>> rg.io.round_to_format(Fraction(65520), "float16", "W0[0][0]")
    Traceback (most recent call last):
    ...
    relu_geom.errors.InvalidInputError: W0[0][0] = 65520 is too large for float16
    """
    if fmt == "float64":
        try:
            return float(value)
        except OverflowError:
            raise InvalidInputError(f"{what} = {value} is too large for float64") from None
    precision, emin, emax = FLOAT_FORMATS[fmt]
    if value == 0:
        return 0.0
    a = abs(value)
    n, d = a.numerator, a.denominator
    e = n.bit_length() - d.bit_length()  # floor(log2 a) is e or e - 1
    if (n << max(-e, 0)) < (d << max(e, 0)):
        e -= 1
    e = max(e, emin)  # subnormal numbers share the quantum of the smallest binade
    k = e - precision + 1  # the quantum is 2**k
    scaled = Fraction(n, d << k) if k >= 0 else Fraction(n << -k, d)
    m = round(scaled)  # Fraction rounds half to even
    result = Fraction(m) * Fraction(2) ** k
    largest = Fraction(2**precision - 1) * Fraction(2) ** (emax - precision + 1)
    if result > largest:
        raise InvalidInputError(f"{what} = {value} is too large for {fmt}")
    return float(result) if value > 0 else -float(result)


def is_representable(value: Fraction, fmt: str) -> bool:
    if value.denominator & (value.denominator - 1):  # not a power of two
        return False
    try:
        return Fraction(round_to_format(value, fmt, "value")) == value
    except InvalidInputError:
        return False


def exact_flat(arr: np.ndarray, what: str, error: type[ReluGeomError] = FileFormatError) -> list[Fraction]:
    """The entries of a numeric array (any shape, C order) as exact Fractions.

    Integers are read exactly, floats (of any width, including long double and the
    narrow ml_dtypes formats) as the exact binary values they hold.  NaN, infinities,
    booleans, complex and non-numeric arrays raise ``error`` naming ``what`` and the entry.
    """
    dt = arr.dtype
    if dt.kind == "V" and dt.name.startswith(_NARROW_INT_NAMES):
        arr = arr.astype(np.int64)
        dt = arr.dtype
    if dt.kind == "V" and dt.name.startswith(_NARROW_FLOAT_PREFIXES):
        arr = arr.astype(np.float64)  # exact: these formats are subsets of float64
        dt = arr.dtype
    if dt.kind in "iu":
        return [Fraction(v) for v in arr.reshape(-1).tolist()]
    if dt.kind != "f":
        raise error(f"{what}: expected an array of integers or floats, got dtype {dt}")
    bad = ~np.isfinite(arr)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise error(f"{what}{index_text(index)}: expected a finite number, got {arr[index]}")
    if dt.itemsize <= 8:
        return [Fraction(v) for v in arr.reshape(-1).tolist()]  # Python floats: exact
    return [Fraction(*v.as_integer_ratio()) for v in arr.reshape(-1)]  # long double, every bit


def exact_matrix(
    arr: np.ndarray, what: str, error: type[ReluGeomError] = FileFormatError
) -> list[list[Fraction]]:
    """A 2-D numeric array as a list of rows of exact Fractions (see :func:`exact_flat`)."""
    flat = exact_flat(arr, what, error)
    cols = arr.shape[1]
    return [flat[i * cols : (i + 1) * cols] for i in range(arr.shape[0])]


def check_layer_shapes(
    shapes: Sequence[tuple[tuple[int, ...], tuple[int, ...] | None]],
    names: Sequence[tuple[str, str]],
    error: type[ReluGeomError] = FileFormatError,
) -> None:
    """Check (W shape, b shape) pairs: W is (out, in) with in = previous out, b is (out,)."""
    prev: tuple[str, int] | None = None
    for (wshape, bshape), (wname, bname) in zip(shapes, names, strict=True):
        if len(wshape) != 2 or min(wshape) < 1:
            raise error(
                f"{wname}: expected a matrix of shape (out, in) with out, in >= 1, got shape {wshape}"
            )
        out, inp = wshape
        if prev is not None and inp != prev[1]:
            raise error(
                f"{wname}: expected shape ({out}, {prev[1]}) to follow {prev[0]} with {prev[1]} outputs, "
                f"got shape {wshape}"
            )
        if bshape is not None and bshape != (out,):
            raise error(
                f"{bname}: expected shape ({out},) to match {wname} of shape {wshape}, got shape {bshape}"
            )
        prev = (wname, out)


_ZERO = Fraction(0)
_ONE = Fraction(1)


class AffineChain:
    """Exact affine maps separated by ReLUs, composed while a model is read.

    The readers of framework models (PyTorch, ONNX) feed the operations of a model
    in order: affine maps of the current tensor (a flat vector of ``width``
    entries) are composed exactly into one pending map, and each ReLU closes the
    pending map into a layer.  :meth:`network` returns the plain network computing
    the same function in exact arithmetic.  Every map is bounded by
    :data:`~relu_geom.network.MAX_PARAMETERS` numbers.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from fractions import Fraction as F
    >>> chain = rg.io.AffineChain(1)
    >>> chain.linear([[F(1)], [F(-1)]])  # (x, -x)
    >>> chain.relu()
    >>> chain.linear([[F(1), F(1)]])  # relu(x) + relu(-x) = |x|
    >>> net = chain.network()
    >>> net.architecture, net([-3])
    ((1, 2, 1), (Fraction(3, 1),))
    """

    __slots__ = ("_c", "_in", "_layers", "_m", "_taps", "width")

    def __init__(self, width: int):
        check_count(width, "input width")
        self.width = width  # width of the current tensor
        self._in = width  # input width of the pending map
        self._m: list[list[Fraction]] | None = None  # pending linear part; None is the identity
        self._c: list[Fraction] = [_ZERO] * width
        self._layers: list[tuple[list[list[Fraction]], list[Fraction]]] = []
        # (hidden layer l, M, c): a tapped tensor M a_l + c (a_0 the input)
        self._taps: list[tuple[int, list[list[Fraction]], list[Fraction]]] = []

    def _identity(self) -> list[list[Fraction]]:
        return [[Fraction(int(i == j)) for j in range(self._in)] for i in range(self._in)]

    def linear(self, w: Sequence[Sequence[Fraction]], b: Sequence[Fraction] | None = None) -> None:
        """Apply ``x -> w x + b`` (``w`` of shape (out, width))."""
        out = len(w)
        check_count(out * self._in, "an affine map")
        if self._m is None:
            m = [list(row) for row in w]
        else:
            cols = list(zip(*self._m, strict=True))
            m = [
                [sum((a * v for a, v in zip(row, col, strict=True) if a), _ZERO) for col in cols] for row in w
            ]
        c = [sum((a * v for a, v in zip(row, self._c, strict=True) if a), _ZERO) for row in w]
        if b is not None:
            c = [ci + bi for ci, bi in zip(c, b, strict=True)]
        self._m, self._c, self.width = m, c, out

    def scale_shift(self, scale: Sequence[Fraction], shift: Sequence[Fraction]) -> None:
        """Apply ``x -> scale * x + shift`` entrywise."""
        if self._m is None:
            self._m = [[s if j == i else _ZERO for j in range(self._in)] for i, s in enumerate(scale)]
        else:
            self._m = [[s * v for v in row] for s, row in zip(scale, self._m, strict=True)]
        self._c = [s * c + t for s, c, t in zip(scale, self._c, shift, strict=True)]

    def shift(self, shift: Sequence[Fraction]) -> None:
        """Apply ``x -> x + shift``."""
        self._c = [c + t for c, t in zip(self._c, shift, strict=True)]

    def permute(self, perm: Sequence[int]) -> None:
        """Reorder the entries: new entry ``i`` is old entry ``perm[i]``."""
        m = self._identity() if self._m is None else self._m
        self._m = [m[p] for p in perm]
        self._c = [self._c[p] for p in perm]

    def relu(self) -> None:
        """Apply ReLU entrywise: the pending map becomes a hidden layer."""
        self._layers.append((self._identity() if self._m is None else self._m, self._c))
        check_count(sum(len(w) * (len(w[0]) + 1) for w, _ in self._layers), "the network")
        self._in = self.width
        self._m = None
        self._c = [_ZERO] * self.width

    def tap(self) -> None:
        """Keep the current tensor: :meth:`network` appends its entries to the outputs."""
        m = self._identity() if self._m is None else self._m
        self._taps.append((len(self._layers), [list(r) for r in m], list(self._c)))

    def network(self) -> ReLUNetwork:
        """The network: the hidden layers so far and the pending map as the output layer, then
        one output per entry of each tapped tensor (in :meth:`tap` order).

        A tensor tapped after hidden layer ``l`` is ``M a_l + c``; it is computed at layer
        ``l + 1`` as the pair ``(relu(h), relu(-h))`` and carried through the later hidden
        layers as ``(relu(p - q), relu(q - p))``, so that ``h = p - q`` at the output: the
        original outputs are unchanged and the function stays exact.
        """
        layers = [*self._layers, (self._identity() if self._m is None else self._m, self._c)]
        if self._taps:
            layers = _with_taps(layers, self._taps)
        check_count(sum(len(w) * (len(w[0]) + 1) for w, _ in layers), "the network")
        return ReLUNetwork([w for w, _ in layers], [b for _, b in layers])


def _with_taps(
    layers: list[tuple[list[list[Fraction]], list[Fraction]]],
    taps: list[tuple[int, list[list[Fraction]], list[Fraction]]],
) -> list[tuple[list[list[Fraction]], list[Fraction]]]:
    """``layers`` (hidden layers, then the output layer) with the taps' values as more outputs."""
    depth = len(layers) - 1
    out = []
    carried: list[tuple[int, int]] = []  # (column of p in the previous layer, size) per carried tap
    for j, (w, b) in enumerate(layers, start=1):
        base = len(w[0])  # the original columns of this layer's input
        cols = base + sum(2 * k for _, k in carried)
        rows = [list(r) + [_ZERO] * (cols - base) for r in w]
        bias = list(b)
        last = j == depth + 1
        new_carried: list[tuple[int, int]] = []
        start = len(rows)
        pending = iter(carried)
        for level, m, c in taps:
            if level > j - 1:
                continue
            k = len(m)
            if level == j - 1:  # the tap reads this layer's input a_{j-1}
                block = [list(r) + [_ZERO] * (cols - base) for r in m]
                if last:
                    rows += block
                    bias += c
                else:
                    rows += block + [[-v for v in r] for r in block]
                    bias += c + [-v for v in c]
            else:  # carried as (p, q) from the previous layer
                col, _ = next(pending)
                diff = [[_ONE if x == col + i else -_ONE if x == col + k + i else _ZERO for x in range(cols)]
                        for i in range(k)]
                if last:
                    rows += diff
                    bias += [_ZERO] * k
                else:
                    rows += diff + [[-v for v in r] for r in diff]
                    bias += [_ZERO] * (2 * k)
            if not last:
                new_carried.append((start, k))
                start += 2 * k
        carried = new_carried
        out.append((rows, bias))
    return out


def require_finite_float(value: Any, what: str) -> Fraction:
    """The exact value of a finite float attribute (ONNX Gemm alpha and beta)."""
    v = float(value)
    if not math.isfinite(v):
        raise FileFormatError(f"{what}: expected a finite number, got {short_repr(value)}")
    return Fraction(v)


def check_dims(dims: Sequence[int], what: str) -> int:
    """The number of entries of a tensor with these dims; negative or huge dims refused."""
    n = 1
    for d in dims:
        if isinstance(d, bool) or not isinstance(d, int) or d < 0:
            raise FileFormatError(
                f"{what}: invalid dimension {short_repr(d)} in shape {short_repr(list(dims))}"
            )
        n *= d
        check_count(n, what)
    return n
