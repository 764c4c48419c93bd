"""Network files and frameworks: exact JSON, numpy ``.npz``, PyTorch and ONNX.

Every reader returns a :class:`~relu_geom.network.ReLUNetwork` with exact
rational parameters.  A floating-point number read from a file or a framework
is converted to the exact binary value it denotes (every finite float is a
dyadic rational ``p / 2**k``), so ``0.1`` stored as a float64 becomes
``3602879701896397/36028797018963968``, not ``1/10``.  Nothing is rounded on
the way in.

Writers keep exactness wherever the target format allows it:

- JSON (``"format": "relu-geom/network@1"``) stores any rational exactly, as an
  integer or a string ``"p/q"``.  It is the format of record.
- ``.npz`` stores binary arrays; :func:`network_to_npz` refuses a network whose
  parameters are not all exactly representable (it never rounds).
- :func:`network_to_torch` and :func:`network_to_onnx` build float models and
  therefore *round* each parameter to the nearest float of the chosen dtype
  (correctly rounded, ties to even).  Use them to run a network, not to store it.

Files are written atomically: the data goes to a temporary file in the target's
directory, which then replaces the target with :func:`os.replace`.  A failed
write leaves the previous file (if any) untouched and no partial file behind.

Layer numbering: the files use 0-based keys (``W0, b0, W1, b1, ...``), so key
``Wk`` holds ``W_{k+1}`` of the papers, of shape ``(n_{k+1}, n_k)`` = (out, in).

PyTorch and ONNX are optional dependencies, imported only when a function that
needs them is called; without them a :class:`~relu_geom.errors.BackendUnavailableError`
says how to install them.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import secrets
import stat
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import IO, Any

import numpy as np

from relu_geom.errors import (
    BackendUnavailableError,
    DimensionMismatchError,
    FileFormatError,
    InvalidInputError,
    ReluGeomError,
    UnsupportedInputError,
)
from relu_geom.network import ReLUNetwork

__all__ = [
    "FORMAT",
    "load_network",
    "network_from_dict",
    "network_from_json",
    "network_from_npz",
    "network_from_onnx",
    "network_from_torch",
    "network_to_dict",
    "network_to_json",
    "network_to_npz",
    "network_to_onnx",
    "network_to_torch",
    "save_network",
]

FORMAT = "relu-geom/network@1"
"""The format tag of the versioned JSON network format written by this version."""

PathLike = str | os.PathLike[str]

_FORMAT_RE = re.compile(r"relu-geom/network@(\d+)")
_NPZ_KEY_RE = re.compile(r"([Wb])(0|[1-9]\d*)")

# (precision in bits including the implicit one, minimal normal exponent, maximal exponent)
_FLOAT_FORMATS: dict[str, tuple[int, int, int]] = {
    "float64": (53, -1022, 1023),
    "float32": (24, -126, 127),
    "float16": (11, -14, 15),
    "bfloat16": (8, -126, 127),
}

# ml_dtypes types (bfloat16 and the float8/6/4 formats from ONNX) are all exact subsets of float64.
_NARROW_FLOAT_PREFIXES = ("bfloat16", "float8", "float6", "float4")
_NARROW_INT_NAMES = ("int2", "uint2", "int4", "uint4")


# ---------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------
def _check_network(net: object) -> ReLUNetwork:
    if not isinstance(net, ReLUNetwork):
        raise InvalidInputError(f"net: expected a ReLUNetwork, got {type(net).__name__}")
    return net


def _as_path(path: object, what: str = "path") -> Path:
    if isinstance(path, (str, os.PathLike)) and not isinstance(path, bytes):
        text = os.fspath(path)
        if isinstance(text, str) and text:
            return Path(text)
    raise InvalidInputError(
        f"{what}: expected a file path (str or pathlib.Path), got {type(path).__name__} {path!r:.80}"
    )


def _existing_file(path: object) -> Path:
    p = _as_path(path)
    if not p.exists():
        raise FileFormatError(f"{p}: no such file")
    if p.is_dir():
        raise FileFormatError(f"{p}: is a directory, expected a network file")
    return p


def _index_text(index: Sequence[int]) -> str:
    return "".join(f"[{i}]" for i in index)


@contextlib.contextmanager
def _reading(src: str) -> Iterator[None]:
    """Name the file in every error raised while reading it; input errors become FileFormatError."""
    prefix = f"{src}: "
    try:
        yield
    except FileFormatError as exc:
        if str(exc).startswith(prefix):
            raise
        raise FileFormatError(prefix + str(exc)) from None
    except UnsupportedInputError as exc:
        if str(exc).startswith(prefix):
            raise
        raise UnsupportedInputError(prefix + str(exc)) from None
    except InvalidInputError as exc:
        raise FileFormatError(prefix + str(exc)) from None


def _atomic_write(path: object, write: Callable[[IO[bytes]], None]) -> None:
    """Write a file atomically: a temporary file in the same directory, then ``os.replace``.

    On any error the temporary file is removed and an existing target is left unchanged.
    """
    p = _as_path(path)
    if p.is_dir():
        raise FileFormatError(f"{p}: is a directory, cannot write a network file there")
    directory = p.parent
    if not directory.is_dir():
        raise FileFormatError(f"{p}: cannot write, the directory {directory} does not exist")
    mode = stat.S_IMODE(os.stat(p).st_mode) if p.exists() else None
    tmp = directory / f".{p.name}.{secrets.token_hex(6)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as exc:
        raise FileFormatError(f"{p}: cannot write: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, p)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise FileFormatError(f"{p}: cannot write: {exc.strerror or exc}") from exc
        raise


def _round_to_format(value: Fraction, fmt: str, what: str) -> float:
    """The float of format ``fmt`` nearest to ``value`` (ties to even), as a Python float.

    Rounds once, directly from the exact rational (rounding to float64 first and
    then to a narrower format could round twice and miss the nearest value).
    Raises InvalidInputError when the value is beyond the format's range.
    """
    if fmt == "float64":
        try:
            return float(value)
        except OverflowError:
            raise InvalidInputError(f"{what} = {value} is too large for float64") from None
    precision, emin, emax = _FLOAT_FORMATS[fmt]
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


def _is_representable(value: Fraction, fmt: str) -> bool:
    if value.denominator & (value.denominator - 1):  # not a power of two
        return False
    try:
        return Fraction(_round_to_format(value, fmt, "value")) == value
    except InvalidInputError:
        return False


def _exact_nested(arr: np.ndarray, what: str, error: type[ReluGeomError] = FileFormatError) -> list[Any]:
    """A 1-D or 2-D numeric array as nested lists of exact Python numbers.

    Integers stay ints; floats of at most 64 bits become Python floats (exact);
    wider floats (long double) become Fractions.  NaN, infinities, booleans,
    complex and non-numeric arrays raise ``error`` naming ``what`` and the entry.
    """
    dt = arr.dtype
    if dt.kind == "V" and dt.name.startswith(_NARROW_INT_NAMES):
        arr = arr.astype(np.int64)
        dt = arr.dtype
    if dt.kind == "V" and dt.name.startswith(_NARROW_FLOAT_PREFIXES):
        arr = arr.astype(np.float64)  # exact: these formats are subsets of float64
        dt = arr.dtype
    if dt.kind in "iu":
        return arr.tolist()
    if dt.kind != "f":
        raise error(f"{what}: expected an array of integers or floats, got dtype {dt}")
    bad = ~np.isfinite(arr)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise error(f"{what}{_index_text(index)}: expected a finite number, got {arr[index]}")
    if dt.itemsize <= 8:
        return arr.tolist()
    # long double: Python floats would round, read every entry's exact ratio instead
    exact = [Fraction(*v.as_integer_ratio()) for v in arr.reshape(-1)]
    if arr.ndim == 1:
        return exact
    cols = arr.shape[1]
    return [exact[i * cols : (i + 1) * cols] for i in range(arr.shape[0])]


def _check_layer_shapes(
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


# ---------------------------------------------------------------------------
# dict and JSON
# ---------------------------------------------------------------------------
_DICT_KEYS = ("format", "architecture", "weights", "biases")


def _check_nested_lists(obj: object, depth: int, what: str) -> None:
    """Reject mappings and strings where a (nested) list is expected; leave the rest to ReLUNetwork."""
    if isinstance(obj, (str, bytes, Mapping)) or not isinstance(obj, (list, tuple, np.ndarray)):
        raise InvalidInputError(f"{what}: expected a list, got {type(obj).__name__} {obj!r:.80}")
    if depth > 1 and not isinstance(obj, np.ndarray):
        for i, item in enumerate(obj):
            _check_nested_lists(item, depth - 1, f"{what}[{i}]")


def network_from_dict(obj: Mapping[str, Any]) -> ReLUNetwork:
    """A network from its JSON object (already parsed into Python data).

    Parameters
    ----------
    obj
        Either the versioned form written by :func:`network_to_dict`::

            {"format": "relu-geom/network@1", "architecture": [n_0, ..., n_{L+1}],
             "weights": [W_1, ..., W_{L+1}], "biases": [b_1, ..., b_{L+1}]}

        or the plain form ``{"weights": [...], "biases": [...]}`` (an
        ``"architecture"`` is optional in both).  Each ``W_l`` is a list of rows,
        shape ``(n_l, n_{l-1})`` = (out, in).  Entries are integers, strings
        ``"p/q"`` (also ``"-2"``, ``"0.125"``: decimal strings are exact
        decimals) or floats, which are read as the exact binary value they
        denote.

    Returns
    -------
    ReLUNetwork

    Raises
    ------
    UnsupportedInputError
        For a ``"format"`` other than ``"relu-geom/network@1"`` (for example one
        written by a newer version).
    InvalidInputError
        For a missing or unknown field, a wrong type, a non-finite number or a
        bad string, naming the field and the entry.
    DimensionMismatchError
        For ragged or mis-shaped layers, or an ``"architecture"`` that does not
        match the weights.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.io import network_from_dict
    >>> net = network_from_dict({"weights": [[[1, -1]], [["1/2"]]], "biases": [[0], [0.25]]})
    >>> net.architecture, net([3, 1])
    ((2, 1, 1), (Fraction(5, 4),))
    >>> network_from_dict(net.to_dict()) == net
    True
    """
    if not isinstance(obj, Mapping):
        raise InvalidInputError(
            f"network: expected a dict (JSON object) with fields 'weights' and 'biases', got {type(obj).__name__}"
        )
    if "format" in obj:
        fmt = obj["format"]
        if not isinstance(fmt, str):
            raise InvalidInputError(f"format: expected a string such as {FORMAT!r}, got {fmt!r:.80}")
        if fmt != FORMAT:
            match = _FORMAT_RE.fullmatch(fmt)
            newer = " (written by a newer version of relu_geom?)" if match and int(match.group(1)) > 1 else ""
            raise UnsupportedInputError(
                f"format: {fmt!r} is not supported{newer}; this version reads {FORMAT!r} "
                "and the plain form {'weights': ..., 'biases': ...}"
            )
    unknown = [k for k in obj if k not in _DICT_KEYS]
    if unknown:
        raise InvalidInputError(
            f"network: unknown field(s) {', '.join(repr(k) for k in unknown)}; "
            f"expected only {', '.join(repr(k) for k in _DICT_KEYS)}"
        )
    missing = [k for k in ("weights", "biases") if k not in obj]
    if missing:
        raise InvalidInputError(f"network: missing field(s) {', '.join(repr(k) for k in missing)}")
    _check_nested_lists(obj["weights"], 3, "weights")
    _check_nested_lists(obj["biases"], 2, "biases")
    net = ReLUNetwork(obj["weights"], obj["biases"])
    if "architecture" in obj:
        arch = obj["architecture"]
        if (
            not isinstance(arch, (list, tuple))
            or not arch
            or any(isinstance(n, bool) or not isinstance(n, int) for n in arch)
        ):
            raise InvalidInputError(f"architecture: expected a list of integer widths, got {arch!r:.80}")
        if tuple(arch) != net.architecture:
            raise DimensionMismatchError(
                f"architecture: declared as {list(arch)} but the weights have architecture "
                f"{list(net.architecture)}"
            )
    return net


def network_to_dict(net: ReLUNetwork) -> dict[str, Any]:
    """The versioned exact JSON object of a network (same as ``net.to_dict()``).

    Integers are stored as JSON integers, other rationals as strings ``"p/q"``.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.io import network_to_dict
    >>> network_to_dict(rg.ReLUNetwork([[[1, "1/3"]], [[2]]], [[0], ["-1/2"]]))
    {'format': 'relu-geom/network@1', 'architecture': [2, 1, 1], 'weights': [[[1, '1/3']], [[2]]], 'biases': [[0], ['-1/2']]}
    """
    return _check_network(net).to_dict()


def _json_dumps(obj: Mapping[str, Any]) -> str:
    """Deterministic, readable JSON: one matrix row or one bias vector per line."""

    def row(values: Sequence[Any]) -> str:
        return "[" + ", ".join(json.dumps(v) for v in values) + "]"

    lines = ["{"]
    lines.append(f'  "format": {json.dumps(obj["format"])},')
    lines.append(f'  "architecture": {row(obj["architecture"])},')
    lines.append('  "weights": [')
    for k, w in enumerate(obj["weights"]):
        lines.append("    [")
        lines.extend(f"      {row(r)}" + ("," if i < len(w) - 1 else "") for i, r in enumerate(w))
        lines.append("    ]" + ("," if k < len(obj["weights"]) - 1 else ""))
    lines.append("  ],")
    lines.append('  "biases": [')
    lines.extend(
        f"    {row(b)}" + ("," if k < len(obj["biases"]) - 1 else "") for k, b in enumerate(obj["biases"])
    )
    lines.append("  ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def network_to_json(net: ReLUNetwork, path: PathLike | None = None) -> str:
    """The versioned exact JSON text of a network; also written to ``path`` if given.

    The text is deterministic (fixed field order, one matrix row per line) and
    ends with a newline.  Writing is atomic: a temporary file in the same
    directory replaces ``path`` only once it is complete.

    Parameters
    ----------
    net
        The network.
    path
        Optional file to write (str or :class:`pathlib.Path`).

    Returns
    -------
    str
        The JSON text (also when it is written to a file).

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.io import network_to_json
    >>> print(network_to_json(rg.ReLUNetwork([[[1, -1], [0, "1/2"]], [[1, 1]]], [[0, 1], ["-3/4"]])))
    {
      "format": "relu-geom/network@1",
      "architecture": [2, 2, 1],
      "weights": [
        [
          [1, -1],
          [0, "1/2"]
        ],
        [
          [1, 1]
        ]
      ],
      "biases": [
        [0, 1],
        ["-3/4"]
      ]
    }
    <BLANKLINE>
    """
    text = _json_dumps(network_to_dict(net))
    if path is not None:
        data = text.encode("utf-8")
        _atomic_write(path, lambda fh: fh.write(data))
    return text


class _JSONConstantError(Exception):
    pass


def _reject_constant(name: str) -> Any:
    raise _JSONConstantError(f"{name} is not a finite number (NaN and infinities are rejected)")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _JSONConstantError(f"duplicate field {key!r} in a JSON object")
        out[key] = value
    return out


def _parse_json(text: str, src: str) -> Any:
    try:
        return json.loads(text, parse_constant=_reject_constant, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise FileFormatError(
            f"{src}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    except _JSONConstantError as exc:
        raise FileFormatError(f"{src}: invalid JSON: {exc}") from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer with too many digits
        raise FileFormatError(f"{src}: invalid JSON: {exc}") from exc


def _network_from_json_file(p: Path) -> ReLUNetwork:
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise FileFormatError(f"{p}: cannot read: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileFormatError(
            f"{p}: not UTF-8 text (byte {exc.start}), expected a JSON network file"
        ) from exc
    src = str(p)
    obj = _parse_json(text, src)
    with _reading(src):
        if not isinstance(obj, dict):
            raise FileFormatError(
                f"expected a JSON object with fields 'weights' and 'biases', got {type(obj).__name__}"
            )
        return network_from_dict(obj)


def network_from_json(source: PathLike) -> ReLUNetwork:
    """A network from a JSON file or a JSON text.

    Parameters
    ----------
    source
        A path (str or :class:`pathlib.Path`) or the JSON text itself (a str
        whose first non-blank character is ``{``).  The JSON object is read by
        :func:`network_from_dict`; floats are read as the exact binary value
        they denote, NaN and infinities are rejected.

    Returns
    -------
    ReLUNetwork

    Raises
    ------
    FileFormatError
        For a missing or unreadable file, invalid JSON (with line and column)
        or invalid content of a file (naming the file and the field).
    InvalidInputError, UnsupportedInputError
        For invalid content of a JSON text, as in :func:`network_from_dict`.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.io import network_from_json, network_to_json
    >>> net = network_from_json('{"weights": [[[2, 1]], [[1]]], "biases": [["1/2"], [0]]}')
    >>> net([1, 1])
    (Fraction(7, 2),)
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "net.json"
    ...     _ = network_to_json(net, path)
    ...     network_from_json(path) == net
    True
    """
    if isinstance(source, str) and source.lstrip().startswith("{"):
        return network_from_dict(_parse_json(source, "JSON text"))
    return _network_from_json_file(_existing_file(source))


# ---------------------------------------------------------------------------
# numpy .npz
# ---------------------------------------------------------------------------
def network_from_npz(path: PathLike) -> ReLUNetwork:
    """A network from a numpy ``.npz`` archive with arrays ``W0, b0, W1, b1, ...``.

    ``Wk`` (0-based) is the weight matrix of layer ``k + 1`` with shape
    ``(out, in)`` and ``bk`` its bias vector of shape ``(out,)``.  Integer arrays
    are read exactly, float arrays (float16/32/64, long double) as the exact
    binary values they hold.  Pickled (object) arrays are never loaded.

    Raises
    ------
    FileFormatError
        For a missing or unreadable file, missing or extra keys (named), a
        shape that does not fit (expected and received), a non-numeric dtype,
        NaN or infinities.

    Examples
    --------
    >>> import relu_geom as rg
    >>> import os, tempfile, numpy as np
    >>> from relu_geom.io import network_from_npz
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "net.npz")
    ...     np.savez(path, W0=np.array([[1.5, -2.0]]), b0=np.array([0.25]), W1=np.array([[3]]), b1=np.array([-1]))
    ...     net = network_from_npz(path)
    >>> net.architecture, net([1, 0])
    ((2, 1, 1), (Fraction(17, 4),))
    """
    p = _existing_file(path)
    src = str(p)
    try:
        loaded = np.load(p, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise FileFormatError(f"{src}: not a readable npz archive: {exc}") from exc
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        raise FileFormatError(
            f"{src}: expected an npz archive with arrays W0, b0, W1, b1, ..., got a single .npy array"
        )
    with loaded as data, _reading(src):
        keys = list(data.files)
        indices = {int(m.group(2)) for k in keys if (m := _NPZ_KEY_RE.fullmatch(k))}
        if not indices:
            raise FileFormatError(f"expected arrays W0, b0, W1, b1, ..., found keys {sorted(keys)}")
        n_layers = max(indices) + 1
        expected = [f"{c}{i}" for i in range(n_layers) for c in "Wb"]
        missing = [k for k in expected if k not in keys]
        extra = sorted(k for k in keys if k not in expected)
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing key(s) {', '.join(missing)}")
            if extra:
                parts.append(f"unexpected key(s) {', '.join(extra)}")
            raise FileFormatError(f"{'; '.join(parts)} (expected exactly {', '.join(expected)})")
        arrays = {}
        for k in expected:
            try:
                arrays[k] = np.asarray(data[k])
            except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
                raise FileFormatError(f"array {k} cannot be read without pickle: {exc}") from exc
        names = [(f"W{i}", f"b{i}") for i in range(n_layers)]
        _check_layer_shapes([(arrays[w].shape, arrays[b].shape) for w, b in names], names)
        ws = [_exact_nested(arrays[w], w) for w, _ in names]
        bs = [_exact_nested(arrays[b], b) for _, b in names]
        return ReLUNetwork(ws, bs)


def _exact_float64_array(values: Sequence[Sequence[Fraction]] | Sequence[Fraction], name: str) -> np.ndarray:
    flat = [v for row in values for v in row] if values and isinstance(values[0], tuple) else list(values)
    shape = (len(values), len(values[0])) if values and isinstance(values[0], tuple) else (len(values),)
    if all(_is_representable(v, "float64") for v in flat):
        return np.array([float(v) for v in flat], dtype=np.float64).reshape(shape)
    if all(v.denominator == 1 and -(2**63) <= v < 2**63 for v in flat):
        return np.array([int(v) for v in flat], dtype=np.int64).reshape(shape)
    bad_pos = next(i for i, v in enumerate(flat) if not _is_representable(v, "float64"))
    index = divmod(bad_pos, shape[1]) if len(shape) == 2 else (bad_pos,)
    raise InvalidInputError(
        f"{name}{_index_text(index)} = {flat[bad_pos]} is not exactly representable as a float64, "
        "so npz cannot store it without rounding; save the network as JSON (network_to_json, a .json file) "
        "to keep exact rationals"
    )


def network_to_npz(net: ReLUNetwork, path: PathLike) -> None:
    """Write a network to a numpy ``.npz`` archive with arrays ``W0, b0, W1, b1, ...`` (atomically).

    Each array is float64 when all its entries are exactly representable as
    float64 (dyadic rationals of at most 53 significant bits), otherwise int64
    when they are all integers that fit; anything else raises instead of
    rounding.  The file is written exactly at ``path`` (no ``.npz`` is appended).

    Raises
    ------
    InvalidInputError
        When a parameter (named) is not exactly representable; use JSON then.

    Examples
    --------
    >>> import relu_geom as rg
    >>> import os, tempfile
    >>> from relu_geom.io import network_from_npz, network_to_npz
    >>> net = rg.ReLUNetwork([[[1, "1/2"], ["-3/8", 0]], [[2, 1]]], [[0, 1], ["1/4"]])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "net.npz")
    ...     network_to_npz(net, path)
    ...     network_from_npz(path) == net
    True
    >>> network_to_npz(rg.ReLUNetwork([[["1/3"]]], [[0]]), "never_written.npz")
    Traceback (most recent call last):
    ...
    relu_geom.errors.InvalidInputError: W0[0][0] = 1/3 is not exactly representable as a float64, so npz cannot store it without rounding; save the network as JSON (network_to_json, a .json file) to keep exact rationals
    """
    net = _check_network(net)
    arrays: dict[str, np.ndarray] = {}
    for k, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        arrays[f"W{k}"] = _exact_float64_array(w, f"W{k}")
        arrays[f"b{k}"] = _exact_float64_array(b, f"b{k}")
    _atomic_write(path, lambda fh: np.savez(fh, allow_pickle=False, **arrays))


# ---------------------------------------------------------------------------
# PyTorch
# ---------------------------------------------------------------------------
def _import_torch() -> Any:
    try:
        import torch
    except ImportError as exc:
        raise BackendUnavailableError(
            "PyTorch is needed for this function but is not installed; install it with "
            "pip install 'relu-geom[torch]'"
        ) from exc
    return torch


def _tensor_nested(tensor: Any, what: str, torch: Any) -> list[Any]:
    """The exact entries of a real tensor as nested lists (floats of <= 64 bits convert exactly)."""
    t = tensor.detach()
    if t.is_complex() or t.dtype == torch.bool:
        raise InvalidInputError(f"{what}: expected real numbers, got a tensor of dtype {t.dtype}")
    try:
        t = t.cpu()
        if t.is_floating_point():
            finite = torch.isfinite(t)
            if not bool(finite.all()):
                index = tuple(int(i) for i in (~finite).nonzero()[0].tolist())
                raise InvalidInputError(
                    f"{what}{_index_text(index)}: expected a finite number, got {float(t[index])}"
                )
            if t.element_size() > 8:
                raise InvalidInputError(f"{what}: unsupported dtype {t.dtype}")
        return t.tolist()  # Python floats: exact for float64/32/16, bfloat16, float8
    except (RuntimeError, NotImplementedError) as exc:
        raise InvalidInputError(f"{what}: cannot read the tensor's values ({exc})") from exc


def _is_plain(module: Any, cls: Any) -> bool:
    return isinstance(module, cls) and type(module).forward is cls.forward


def _flatten_modules(module: Any, nn: Any, label: str, out: list[tuple[str, Any]]) -> None:
    uninitialized = getattr(nn.parameter, "UninitializedParameter", ())
    if any(isinstance(p, uninitialized) for p in module.parameters(recurse=False)):
        name = f"'{label}' " if label else ""
        raise InvalidInputError(
            f"module {name}({type(module).__name__}): the parameters are not initialized (lazy module never run)"
        )
    if getattr(module, "_forward_hooks", None) or getattr(module, "_forward_pre_hooks", None):
        name = f"'{label}' " if label else ""
        raise UnsupportedInputError(
            f"module {name}({type(module).__name__}) has forward hooks, which may change its output"
        )
    if _is_plain(module, nn.Sequential):
        for name, child in module.named_children():
            _flatten_modules(child, nn, f"{label}.{name}" if label else name, out)
    else:
        out.append((label, module))


def network_from_torch(module: Any) -> ReLUNetwork:
    """A network from a PyTorch ``nn.Sequential`` of ``Linear`` and ``ReLU`` layers.

    The layers must be ``Linear, ReLU, Linear, ReLU, ..., Linear``: a ReLU after
    every Linear except the last and none after the last.  Nested Sequentials
    are flattened, ``nn.Identity`` layers are skipped, and a single ``Linear``
    is a network without hidden layers.  Every weight is read exactly from its
    float value (float64, float32, float16, bfloat16 all embed exactly in the
    rationals); a Linear without bias gets a zero bias.

    Raises
    ------
    UnsupportedInputError
        For any other layer type, a wrong order, a ReLU at the end, a subclass
        that overrides ``forward``, or forward hooks; the message names the
        layer and its position (0-based, after flattening).
    InvalidInputError
        For a non-module, NaN or infinite weights, or layer widths that do not fit.
    BackendUnavailableError
        If PyTorch is not installed.

    Examples
    --------
    >>> import relu_geom as rg
    >>> import torch
    >>> from relu_geom.io import network_from_torch
    >>> model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1))
    >>> with torch.no_grad():
    ...     _ = model[0].weight.copy_(torch.tensor([[1.0, 0.5], [-1.0, 0.0], [0.25, 2.0]]))
    ...     _ = model[0].bias.zero_()
    ...     _ = model[2].weight.fill_(1.0)
    ...     _ = model[2].bias.fill_(-0.125)
    >>> net = network_from_torch(model)
    >>> net.architecture, net([1, 1])
    ((2, 3, 1), (Fraction(29, 8),))
    >>> network_from_torch(torch.nn.Linear(2, 3)).architecture
    (2, 3)
    """
    torch = _import_torch()
    nn = torch.nn
    if not isinstance(module, nn.Module):
        raise InvalidInputError(
            f"module: expected a torch.nn.Sequential or nn.Linear, got {type(module).__name__}"
        )
    layers: list[tuple[str, Any]] = []
    _flatten_modules(module, nn, "", layers)

    def describe(pos: int) -> str:
        label, mod = layers[pos]
        name = f" '{label}'" if label else ""
        return f"layer {pos}{name} ({type(mod).__name__})"

    linears: list[int] = []
    last_kind = None  # None, "linear" or "relu"
    last_relu = -1
    for pos, (_, mod) in enumerate(layers):
        if _is_plain(mod, nn.Identity):
            continue
        if _is_plain(mod, nn.Linear):
            if last_kind == "linear":
                raise UnsupportedInputError(
                    f"{describe(pos)} follows {describe(linears[-1])} without a ReLU between them; "
                    "expected Linear, ReLU, Linear, ReLU, ..., Linear"
                )
            linears.append(pos)
            last_kind = "linear"
        elif _is_plain(mod, nn.ReLU):
            if last_kind != "linear":
                where = "starts the network" if last_kind is None else "follows another ReLU"
                raise UnsupportedInputError(
                    f"{describe(pos)} {where}; expected Linear, ReLU, Linear, ReLU, ..., Linear"
                )
            last_kind = "relu"
            last_relu = pos
        else:
            reason = (
                "overrides forward"
                if isinstance(mod, (nn.Linear, nn.ReLU, nn.Identity))
                else "is not supported"
            )
            raise UnsupportedInputError(
                f"{describe(pos)} {reason}; expected only Linear and ReLU layers "
                "(Linear, ReLU, Linear, ReLU, ..., Linear)"
            )
    if not linears:
        raise UnsupportedInputError("module: contains no Linear layer")
    if last_kind == "relu":
        raise UnsupportedInputError(
            f"{describe(last_relu)} comes after the last Linear; the output layer must be affine "
            "(remove the final ReLU)"
        )

    ws, bs = [], []
    prev: tuple[int, int] | None = None
    for pos in linears:
        mod = layers[pos][1]
        shape = tuple(mod.weight.shape)
        if prev is not None and (len(shape) != 2 or shape[1] != prev[1]):
            raise DimensionMismatchError(
                f"{describe(pos)}: expected weight shape ({shape[0]}, {prev[1]}) to follow "
                f"{describe(prev[0])} with {prev[1]} outputs, got {shape}"
            )
        w = _tensor_nested(mod.weight, f"{describe(pos)}.weight", torch)
        if mod.bias is None:
            b: list[Any] = [0] * shape[0]
        else:
            b = _tensor_nested(mod.bias, f"{describe(pos)}.bias", torch)
        ws.append(w)
        bs.append(b)
        prev = (pos, shape[0])
    return ReLUNetwork(ws, bs)


def _torch_dtype(dtype: Any, torch: Any) -> tuple[Any, str]:
    if dtype is None:
        return torch.float64, "float64"
    name = dtype if isinstance(dtype, str) else str(dtype).removeprefix("torch.")
    name = {"double": "float64", "float": "float32", "half": "float16"}.get(name, name)
    if name not in _FLOAT_FORMATS:
        raise InvalidInputError(
            f"dtype: expected torch.float64, torch.float32, torch.float16 or torch.bfloat16, got {dtype!r}"
        )
    return getattr(torch, name), name


def network_to_torch(net: ReLUNetwork, dtype: Any = None) -> Any:
    """A PyTorch ``nn.Sequential`` that computes the network in floating point.

    The result is ``Linear, ReLU, ..., Linear`` (so its ``state_dict`` keys are
    ``0.weight, 0.bias, 2.weight, ...``).  **It rounds**: each exact parameter
    becomes the nearest float of ``dtype`` (rounded once, ties to even), and
    torch then computes with rounding, so outputs approximate the exact ones.
    When every parameter is representable in ``dtype`` (for example a network
    read from a float model), :func:`network_from_torch` gives back exactly the
    same network.

    Parameters
    ----------
    net
        The network.
    dtype
        ``torch.float64`` (default), ``torch.float32``, ``torch.float16`` or
        ``torch.bfloat16`` (or their names as strings).

    Raises
    ------
    InvalidInputError
        For another dtype, or a parameter beyond the range of ``dtype``.
    BackendUnavailableError
        If PyTorch is not installed.

    Examples
    --------
    >>> import relu_geom as rg
    >>> import torch
    >>> from relu_geom.io import network_from_torch, network_to_torch
    >>> net = rg.ReLUNetwork([[[1, -1], [1, 1]], [[1, 1]]], [[0, "-1/2"], [0]])
    >>> model = network_to_torch(net)
    >>> model
    Sequential(
      (0): Linear(in_features=2, out_features=2, bias=True)
      (1): ReLU()
      (2): Linear(in_features=2, out_features=1, bias=True)
    )
    >>> model(torch.tensor([[1.0, 0.0]], dtype=torch.float64)).item(), net([1, 0])
    (1.5, (Fraction(3, 2),))
    >>> network_from_torch(model) == net
    True
    """
    net = _check_network(net)
    torch = _import_torch()
    nn = torch.nn
    tdtype, fmt = _torch_dtype(dtype, torch)
    layers: list[Any] = []
    for k, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        out, inp = len(w), len(w[0])
        lin = nn.utils.skip_init(nn.Linear, inp, out, dtype=tdtype)
        wf = [
            [_round_to_format(v, fmt, f"W{k}[{i}][{j}]") for j, v in enumerate(row)]
            for i, row in enumerate(w)
        ]
        bf = [_round_to_format(v, fmt, f"b{k}[{i}]") for i, v in enumerate(b)]
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(wf, dtype=torch.float64))  # exact: the values are already in fmt
            lin.bias.copy_(torch.tensor(bf, dtype=torch.float64))
        layers.append(lin)
        if k < len(net.weights) - 1:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def _network_from_state_dict(state: Mapping[Any, Any], torch: Any) -> ReLUNetwork:
    groups: dict[str, dict[str, Any]] = {}
    for key, value in state.items():
        if not isinstance(key, str):
            raise FileFormatError(f"state_dict: expected string keys such as '0.weight', got {key!r}")
        prefix, _, suffix = key.rpartition(".")
        if suffix not in ("weight", "bias"):
            raise UnsupportedInputError(
                f"state_dict: key {key!r} is neither a weight nor a bias; only Linear layers are supported"
            )
        if not isinstance(value, torch.Tensor):
            raise FileFormatError(f"state_dict: {key!r} is a {type(value).__name__}, expected a tensor")
        groups.setdefault(prefix, {})[suffix] = (key, value)
    if not groups:
        raise FileFormatError("state_dict: empty, expected keys '0.weight', '0.bias', '2.weight', ...")
    layers = []
    for prefix, parts in groups.items():
        if "weight" not in parts:
            raise FileFormatError(f"state_dict: {parts['bias'][0]!r} has no matching {prefix + '.weight'!r}")
        layers.append((parts["weight"], parts.get("bias")))
    shapes = [(tuple(w[1].shape), tuple(b[1].shape) if b else None) for w, b in layers]
    names = [(repr(w[0]), repr(b[0]) if b else "bias") for w, b in layers]
    _check_layer_shapes(shapes, names)
    ws, bs = [], []
    for (wkey, wt), bpair in layers:
        ws.append(_tensor_nested(wt, repr(wkey), torch))
        bs.append(_tensor_nested(bpair[1], repr(bpair[0]), torch) if bpair else [0] * wt.shape[0])
    return ReLUNetwork(ws, bs)


def _network_from_torch_file(p: Path) -> ReLUNetwork:
    torch = _import_torch()
    src = str(p)
    try:
        obj = torch.load(p, weights_only=False, map_location="cpu")
    except Exception as exc:  # torch.load raises many types (pickle, zip, runtime)
        raise FileFormatError(f"{src}: torch.load cannot read it: {type(exc).__name__}: {exc}") from exc
    with _reading(src):
        if isinstance(obj, torch.nn.Module):
            return network_from_torch(obj)
        if isinstance(obj, Mapping):
            return _network_from_state_dict(obj, torch)
        raise FileFormatError(
            f"expected a saved nn.Sequential or a state_dict of Linear layers, got {type(obj).__name__}"
        )


# ---------------------------------------------------------------------------
# ONNX
# ---------------------------------------------------------------------------
def _import_onnx() -> Any:
    try:
        import onnx
        import onnx.numpy_helper  # noqa: F401
    except ImportError as exc:
        raise BackendUnavailableError(
            "ONNX is needed for this function but is not installed; install it with pip install 'relu-geom[onnx]'"
        ) from exc
    return onnx


def _node_label(index: int, node: Any) -> str:
    name = f" '{node.name}'" if node.name else ""
    return f"node {index}{name} ({node.op_type})"


def network_from_onnx(model: Any) -> ReLUNetwork:
    """A network from an ONNX model (a path or an ``onnx.ModelProto``).

    The graph must be one chain from its single input to its single output of
    linear layers separated by ``Relu`` nodes, the last layer without ``Relu``.
    A linear layer is either

    - ``Gemm(x, B, C)`` with ``transA = 0``: ``alpha * x B' + beta * C`` where
      ``B' = B`` (``transB = 0``, ``B`` of shape (in, out)) or ``B' = B^T``
      (``transB = 1``, shape (out, in)); ``alpha`` and ``beta`` are applied
      exactly as the rationals their float values denote; ``C`` is optional; or
    - ``MatMul(x, B)`` with ``B`` of shape (in, out), optionally followed by
      ``Add`` of a bias of shape (out,) or (1, out).

    ``Identity`` nodes and ``Flatten(axis=1)`` of a 2-D tensor are skipped.
    Weights come from initializers (or ``Constant`` nodes) and are read exactly.

    Raises
    ------
    UnsupportedInputError
        For any other node (named by position, name and op_type), a branch, a
        node off the chain, a ``Relu`` in the wrong place, a non-constant weight.
    FileFormatError
        For a missing or unreadable file, or malformed weights (NaN, shapes).
    BackendUnavailableError
        If onnx is not installed.

    Examples
    --------
    >>> import relu_geom as rg
    >>> import numpy as np
    >>> from onnx import TensorProto, helper, numpy_helper
    >>> from relu_geom.io import network_from_onnx
    >>> graph = helper.make_graph(
    ...     [helper.make_node("MatMul", ["x", "B"], ["h"]), helper.make_node("Add", ["h", "c"], ["z"]),
    ...      helper.make_node("Relu", ["z"], ["a"]), helper.make_node("Gemm", ["a", "W", "d"], ["y"], transB=1)],
    ...     "g",
    ...     [helper.make_tensor_value_info("x", TensorProto.DOUBLE, [None, 2])],
    ...     [helper.make_tensor_value_info("y", TensorProto.DOUBLE, [None, 1])],
    ...     [numpy_helper.from_array(np.array([[1.0, 2.0], [0.5, -1.0]]), "B"),
    ...      numpy_helper.from_array(np.array([0.0, 1.0]), "c"),
    ...      numpy_helper.from_array(np.array([[1.0, 1.0]]), "W"),
    ...      numpy_helper.from_array(np.array([0.0]), "d")])
    >>> net = network_from_onnx(helper.make_model(graph))
    >>> net.weights[0], net([1, 2])
    (((Fraction(1, 1), Fraction(1, 2)), (Fraction(2, 1), Fraction(-1, 1))), (Fraction(3, 1),))
    """
    onnx = _import_onnx()
    if isinstance(model, onnx.ModelProto):
        return _network_from_onnx_model(model, "ONNX model", onnx)
    p = _existing_file(model)
    src = str(p)
    try:
        proto = onnx.load(src)
    except Exception as exc:  # protobuf DecodeError, external-data errors, ...
        raise FileFormatError(f"{src}: not a readable ONNX model: {type(exc).__name__}: {exc}") from exc
    with _reading(src):
        return _network_from_onnx_model(proto, src, onnx)


def _onnx_array(value: Any, what: str, onnx: Any) -> np.ndarray:
    try:
        return np.asarray(onnx.numpy_helper.to_array(value))
    except Exception as exc:  # malformed TensorProto, missing external data
        raise FileFormatError(f"{what}: cannot read the tensor: {exc}") from exc


def _onnx_bias(arr: np.ndarray, out: int, what: str) -> list[Any]:
    if arr.shape in ((out,), (1, out)):
        return list(_exact_nested(arr.reshape(out), what))
    if arr.size == 1 and arr.ndim <= 2:  # broadcast scalar
        return _exact_nested(arr.reshape(1), what) * out
    raise FileFormatError(f"{what}: expected a bias of shape ({out},) or (1, {out}), got shape {arr.shape}")


def _network_from_onnx_model(model: Any, src: str, onnx: Any) -> ReLUNetwork:  # noqa: C901
    helper = onnx.helper
    graph = model.graph
    consts: dict[str, np.ndarray] = {}
    for init in graph.initializer:
        consts[init.name] = _onnx_array(init, f"initializer {init.name!r}", onnx)
    chain_nodes = []
    for index, node in enumerate(graph.node):
        if node.op_type == "Constant" and node.domain in ("", "ai.onnx"):
            values = [a for a in node.attribute if a.name == "value"]
            if len(node.output) != 1 or not values:
                raise UnsupportedInputError(
                    f"{_node_label(index, node)}: only Constant nodes with a tensor 'value'"
                )
            consts[node.output[0]] = _onnx_array(values[0].t, _node_label(index, node), onnx)
        else:
            chain_nodes.append((index, node))
    inputs = [v for v in graph.input if v.name not in consts]
    if len(inputs) != 1 or len(graph.output) != 1:
        raise UnsupportedInputError(
            f"expected one graph input and one graph output, got inputs {[v.name for v in inputs]} "
            f"and outputs {[v.name for v in graph.output]}"
        )

    def static_dims(value_info: Any) -> list[int | None] | None:
        tensor_type = value_info.type.tensor_type
        if not tensor_type.HasField("shape"):
            return None
        return [d.dim_value if d.HasField("dim_value") else None for d in tensor_type.shape.dim]

    in_dims = static_dims(inputs[0])
    out_dims = static_dims(graph.output[0])
    consumers: dict[str, list[tuple[int, Any]]] = {}
    for index, node in chain_nodes:
        for name in set(node.input):
            if name and name not in consts:
                consumers.setdefault(name, []).append((index, node))

    def const(index: int, node: Any, position: int, role: str) -> np.ndarray:
        if len(node.input) <= position or node.input[position] not in consts:
            got = node.input[position] if len(node.input) > position else "nothing"
            raise UnsupportedInputError(
                f"{_node_label(index, node)}: the {role} (input {position}) must be an initializer or "
                f"Constant, got {got!r}"
            )
        return consts[node.input[position]]

    current = inputs[0].name
    rank = len(in_dims) if in_dims is not None else None
    used: set[int] = set()
    ws: list[list[list[Fraction]]] = []
    bs: list[list[Any]] = []
    layer_nodes: list[str] = []
    state = "start"  # start | matmul | linear | relu
    target = graph.output[0].name
    while current != target:
        found = consumers.get(current, [])
        if len(found) != 1:
            if not found:
                raise UnsupportedInputError(
                    f"tensor {current!r} is not used by any node and is not the graph output {target!r}"
                )
            raise UnsupportedInputError(
                f"tensor {current!r} feeds several nodes ({', '.join(_node_label(i, n) for i, n in found)}); "
                "expected a single chain"
            )
        index, node = found[0]
        label = _node_label(index, node)
        used.add(index)
        if node.domain not in ("", "ai.onnx"):
            raise UnsupportedInputError(f"{label}: operator domain {node.domain!r} is not supported")
        if len(node.output) != 1:
            raise UnsupportedInputError(f"{label}: expected one output, got {len(node.output)}")
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        op = node.op_type
        if op in ("Gemm", "MatMul"):
            if state in ("matmul", "linear"):
                raise UnsupportedInputError(
                    f"{label} follows the linear layer {layer_nodes[-1]} without a Relu between them"
                )
            if node.input[0] != current or current in node.input[1:]:
                raise UnsupportedInputError(f"{label}: the data {current!r} must be the first input (A) only")
            bmat = const(index, node, 1, "weight matrix B")
            if bmat.ndim != 2 or min(bmat.shape) < 1:
                raise FileFormatError(f"{label}: expected a 2-D weight matrix, got shape {bmat.shape}")
            if op == "Gemm":
                unknown = set(attrs) - {"alpha", "beta", "transA", "transB"}
                if unknown or attrs.get("transA", 0) != 0 or attrs.get("transB", 0) not in (0, 1):
                    raise UnsupportedInputError(
                        f"{label}: only transA=0 and transB in (0, 1) with alpha, beta are supported, "
                        f"got attributes {attrs}"
                    )
                raw = {name: float(attrs.get(name, 1.0)) for name in ("alpha", "beta")}
                for name, value in raw.items():
                    if not math.isfinite(value):
                        raise FileFormatError(
                            f"{label}: attribute {name} must be a finite number, got {value}"
                        )
                alpha, beta = Fraction(raw["alpha"]), Fraction(raw["beta"])
                transposed = attrs.get("transB", 0) == 0
            else:
                if attrs:
                    raise UnsupportedInputError(f"{label}: unexpected attributes {attrs}")
                alpha, beta, transposed = Fraction(1), Fraction(1), True
            entries = _exact_nested(bmat, f"{label} weight {node.input[1]!r}")
            w = [[alpha * Fraction(v) for v in row] for row in entries]
            if transposed:
                w = [list(col) for col in zip(*w, strict=True)]
            out, inp = len(w), len(w[0])
            prev_out = len(ws[-1]) if ws else (in_dims[-1] if in_dims else None)
            if prev_out is not None and inp != prev_out:
                what = f"the layer {layer_nodes[-1]}" if ws else f"the graph input {current!r}"
                raise DimensionMismatchError(
                    f"{label}: the weight maps {inp} inputs to {out} outputs, but {what} has width {prev_out}"
                )
            if op == "Gemm" and len(node.input) > 2 and node.input[2]:
                carr = const(index, node, 2, "bias C")
                b = [beta * Fraction(v) for v in _onnx_bias(carr, out, f"{label} bias {node.input[2]!r}")]
            else:
                b = [0] * out
            ws.append(w)
            bs.append(b)
            layer_nodes.append(label)
            state = "matmul" if op == "MatMul" else "linear"
            rank = 2
        elif op == "Add":
            if state != "matmul":
                raise UnsupportedInputError(f"{label}: an Add is supported only directly after a MatMul")
            if len(node.input) != 2 or list(node.input).count(current) != 1:
                raise UnsupportedInputError(f"{label}: expected Add(data, bias)")
            pos = 1 if node.input[0] == current else 0
            barr = const(index, node, pos, "bias")
            bs[-1] = _onnx_bias(barr, len(ws[-1]), f"{label} bias {node.input[pos]!r}")
            state = "linear"
        elif op == "Relu":
            if state not in ("matmul", "linear"):
                where = "starts the network" if state == "start" else "follows another Relu"
                raise UnsupportedInputError(f"{label} {where}; a Relu must follow a linear layer")
            state = "relu"
        elif op == "Identity":
            pass
        elif op == "Flatten" and attrs.get("axis", 1) == 1 and (rank is None or rank <= 2):
            pass
        else:
            raise UnsupportedInputError(
                f"{label} is not supported; expected a chain of Gemm (or MatMul + Add) and Relu nodes"
            )
        current = node.output[0]
    off_chain = [(i, n) for i, n in chain_nodes if i not in used]
    if off_chain:
        raise UnsupportedInputError(
            f"{', '.join(_node_label(i, n) for i, n in off_chain)} not on the chain from the graph input "
            f"to the graph output {target!r}"
        )
    if not ws:
        raise UnsupportedInputError("the graph contains no Gemm or MatMul layer")
    if state == "relu":
        raise UnsupportedInputError(
            f"the graph ends with a Relu after {layer_nodes[-1]}; the output layer must be affine"
        )
    if out_dims and out_dims[-1] is not None and out_dims[-1] != len(ws[-1]):
        raise DimensionMismatchError(
            f"the graph output {target!r} is declared with width {out_dims[-1]}, "
            f"but the last layer {layer_nodes[-1]} has {len(ws[-1])} outputs"
        )
    return ReLUNetwork(ws, bs)


def network_to_onnx(
    net: ReLUNetwork, path: PathLike | None = None, *, dtype: str = "float64", exact: bool = False
) -> Any:
    """An ONNX model of ``Gemm`` (``transB = 1``) and ``Relu`` nodes computing the network.

    The graph has input ``"input"`` of shape (batch, n_0), output ``"output"``
    of shape (batch, n_{L+1}), initializers ``W0, b0, W1, b1, ...`` (weights of
    shape (out, in)) and nodes ``Gemm_0, Relu_0, Gemm_1, ...``; opset 17.
    **It rounds** each parameter to the nearest float of ``dtype`` (ties to
    even) unless ``exact=True``, which raises instead.

    Parameters
    ----------
    net
        The network.
    path
        Optional file to write the model to (atomically).
    dtype
        ``"float64"`` (default) or ``"float32"``.
    exact
        If true, raise :class:`~relu_geom.errors.InvalidInputError` unless every
        parameter is exactly representable in ``dtype``.

    Returns
    -------
    onnx.ModelProto

    Examples
    --------
    >>> import relu_geom as rg
    >>> import numpy as np
    >>> from onnx.reference import ReferenceEvaluator
    >>> from relu_geom.io import network_from_onnx, network_to_onnx
    >>> net = rg.ReLUNetwork([[[1, -1], [1, 1]], [[1, 1]]], [[0, "-1/2"], [0]])
    >>> model = network_to_onnx(net)
    >>> [node.op_type for node in model.graph.node]
    ['Gemm', 'Relu', 'Gemm']
    >>> ReferenceEvaluator(model).run(None, {"input": np.array([[1.0, 0.0]])})[0].tolist()
    [[1.5]]
    >>> network_from_onnx(model) == net
    True
    """
    net = _check_network(net)
    onnx = _import_onnx()
    helper, tp = onnx.helper, onnx.TensorProto
    if dtype not in ("float64", "float32"):
        raise InvalidInputError(f"dtype: expected 'float64' or 'float32', got {dtype!r}")
    np_dtype = np.float64 if dtype == "float64" else np.float32
    elem = tp.DOUBLE if dtype == "float64" else tp.FLOAT

    def rounded(value: Fraction, what: str) -> float:
        x = _round_to_format(value, dtype, what)
        if exact and Fraction(x) != value:
            raise InvalidInputError(
                f"{what} = {value} is not exactly representable as a {dtype}; "
                "save the network as JSON to keep exact rationals, or pass exact=False to round"
            )
        return x

    nodes, inits = [], []
    current = "input"
    n_layers = len(net.weights)
    for k, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        warr = np.array([[rounded(v, f"W{k}[{i}][{j}]") for j, v in enumerate(r)] for i, r in enumerate(w)])
        barr = np.array([rounded(v, f"b{k}[{i}]") for i, v in enumerate(b)])
        inits.append(onnx.numpy_helper.from_array(warr.astype(np_dtype), f"W{k}"))
        inits.append(onnx.numpy_helper.from_array(barr.astype(np_dtype), f"b{k}"))
        out = "output" if k == n_layers - 1 else f"z{k}"
        nodes.append(helper.make_node("Gemm", [current, f"W{k}", f"b{k}"], [out], name=f"Gemm_{k}", transB=1))
        if k < n_layers - 1:
            nodes.append(helper.make_node("Relu", [out], [f"a{k}"], name=f"Relu_{k}"))
            current = f"a{k}"
    graph = helper.make_graph(
        nodes,
        "relu_network",
        [helper.make_tensor_value_info("input", elem, ["batch", net.input_dim])],
        [helper.make_tensor_value_info("output", elem, ["batch", net.output_dim])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="relu_geom")
    model.ir_version = 8  # readable by older runtimes; IR 8 covers opset 17
    if path is not None:
        data = model.SerializeToString()
        _atomic_write(path, lambda fh: fh.write(data))
    return model


# ---------------------------------------------------------------------------
# any file
# ---------------------------------------------------------------------------
def _sniff(p: Path) -> str:
    try:
        with open(p, "rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise FileFormatError(f"{p}: cannot read: {exc.strerror or exc}") from exc
    if head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{"):
        return "json"
    if head.startswith(b"PK"):
        try:
            with zipfile.ZipFile(p) as zf:
                names = zf.namelist()
        except (OSError, zipfile.BadZipFile) as exc:
            raise FileFormatError(f"{p}: looks like a zip archive but cannot be opened: {exc}") from exc
        if names and all(n.endswith(".npy") for n in names):
            return "npz"
        if any(n.endswith("data.pkl") for n in names):
            return "torch"
        raise FileFormatError(f"{p}: a zip archive that is neither an npz file nor a PyTorch file")
    if head.startswith(b"\x80"):  # pickle protocol >= 2: legacy torch.save format
        return "torch"
    return "onnx"


def load_network(path: PathLike) -> ReLUNetwork:
    """Read a network from any supported file.

    The format is chosen by extension: ``.json`` (:func:`network_from_json`),
    ``.npz`` (:func:`network_from_npz`), ``.pt``/``.pth`` (PyTorch) and
    ``.onnx`` (:func:`network_from_onnx`).  For another extension the content
    decides: JSON starts with ``{``, npz and PyTorch files are zip archives
    (told apart by their members), anything else is tried as ONNX.

    A PyTorch file may hold a saved ``nn.Sequential`` (read by
    :func:`network_from_torch`) or a ``state_dict`` such as
    ``{"0.weight", "0.bias", "2.weight", ...}``, whose weight/bias pairs are taken
    in order with a ReLU between consecutive layers.  PyTorch files are read
    with ``torch.load(path, weights_only=False)``, which runs the pickled code
    in the file: only load PyTorch files you trust.

    Raises
    ------
    FileFormatError
        For a missing or unreadable file or invalid content, naming the file.
    UnsupportedInputError
        For well-formed content relu_geom does not handle (named).

    Examples
    --------
    >>> import relu_geom as rg
    >>> import os, tempfile
    >>> from relu_geom.io import load_network, save_network
    >>> net = rg.ReLUNetwork([[[1, 2]], [[-1]]], [["1/2"], [0]])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "net.json")
    ...     save_network(net, path)
    ...     load_network(path) == net
    True
    """
    p = _existing_file(path)
    kind = {".json": "json", ".npz": "npz", ".pt": "torch", ".pth": "torch", ".onnx": "onnx"}.get(
        p.suffix.lower()
    ) or _sniff(p)
    if kind == "json":
        return _network_from_json_file(p)
    if kind == "npz":
        return network_from_npz(p)
    if kind == "torch":
        return _network_from_torch_file(p)
    if p.suffix.lower() == ".onnx":
        return network_from_onnx(p)
    try:
        onnx = _import_onnx()
    except BackendUnavailableError:
        raise FileFormatError(
            f"{p}: not JSON, npz or PyTorch; if it is an ONNX model, install onnx "
            "(pip install 'relu-geom[onnx]')"
        ) from None
    try:
        proto = onnx.load(str(p))
    except Exception as exc:  # protobuf DecodeError and friends
        raise FileFormatError(f"{p}: not a recognized network file (JSON, npz, PyTorch or ONNX)") from exc
    if not proto.graph.node:
        raise FileFormatError(f"{p}: not a recognized network file (JSON, npz, PyTorch or ONNX)")
    with _reading(str(p)):
        return _network_from_onnx_model(proto, str(p), onnx)


def save_network(net: ReLUNetwork, path: PathLike) -> None:
    """Write a network to a file chosen by extension, atomically and without rounding.

    ``.json`` writes the exact versioned JSON; ``.npz`` and ``.onnx`` (float64)
    work only when every parameter is exactly representable as a float64 and
    raise :class:`~relu_geom.errors.InvalidInputError` otherwise (use JSON, or
    :func:`network_to_onnx` to accept rounding).

    Raises
    ------
    UnsupportedInputError
        For another extension.

    Examples
    --------
    >>> import relu_geom as rg
    >>> import os, tempfile
    >>> from relu_geom.io import load_network, save_network
    >>> net = rg.ReLUNetwork([[[1, "1/4"]], [[-1]]], [[0], [2]])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     for name in ("net.json", "net.npz", "net.onnx"):
    ...         save_network(net, os.path.join(tmp, name))
    ...     [load_network(os.path.join(tmp, name)) == net for name in sorted(os.listdir(tmp))]
    [True, True, True]
    """
    net = _check_network(net)
    p = _as_path(path)
    suffix = p.suffix.lower()
    if suffix == ".json":
        network_to_json(net, p)
    elif suffix == ".npz":
        network_to_npz(net, p)
    elif suffix == ".onnx":
        network_to_onnx(net, p, exact=True)
    else:
        raise UnsupportedInputError(
            f"{p}: cannot choose a format for the extension {suffix or '(none)'!r}; "
            "use .json (exact), .npz or .onnx"
        )
