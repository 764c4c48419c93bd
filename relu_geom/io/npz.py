"""numpy ``.npz`` archives with arrays ``W0, b0, W1, b1, ...``, read safely and exactly.

Before any array is loaded, the archive's directory and every member's ``.npy``
header are checked: at most :data:`MAX_NPZ_LAYERS` layers (key indices below it),
only ``W<k>``/``b<k>`` members, each declared shape non-negative with at most
:data:`~relu_geom.network.MAX_PARAMETERS` entries in total, numeric dtypes only
(object arrays, hence pickles, are never loaded), and uncompressed sizes within
:data:`~relu_geom.io.MAX_FILE_BYTES`.  Reading a member then reads exactly the
bytes its checked header declares, so a zip bomb or a header declaring terabytes
is refused in bounded time and memory.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from fractions import Fraction
from typing import IO, Any

import numpy as np

from relu_geom._util import short_repr
from relu_geom.errors import FileFormatError, InvalidInputError
from relu_geom.files import write_bytes_atomic
from relu_geom.io._common import (
    MAX_FILE_BYTES,
    PathLike,
    check_count,
    check_dims,
    check_layer_shapes,
    check_network,
    exact_flat,
    exact_matrix,
    existing_file,
    index_text,
    is_representable,
    reading,
)
from relu_geom.network import ReLUNetwork

__all__ = ["MAX_NPZ_LAYERS", "network_from_npz", "network_to_npz"]

MAX_NPZ_LAYERS = 10_000
"""The most layers (pairs ``Wk``, ``bk``) an npz network file may hold."""

_KEY_RE = re.compile(r"([Wb])(0|[1-9]\d{0,5})")
_HEADER_BYTES = 10_000


def _member_header(zf: zipfile.ZipFile, info: zipfile.ZipInfo, key: str) -> tuple[tuple[int, ...], np.dtype]:
    """The declared (shape, dtype) of one ``.npy`` member, checked, without reading its data."""
    if info.file_size > MAX_FILE_BYTES:
        raise FileFormatError(f"array {key}: {info.file_size} bytes uncompressed, more than {MAX_FILE_BYTES}")
    try:
        with zf.open(info) as fh:
            version = np.lib.format.read_magic(fh)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(fh, max_header_size=_HEADER_BYTES)
            elif version in ((2, 0), (3, 0)):
                shape, _, dtype = np.lib.format.read_array_header_2_0(fh, max_header_size=_HEADER_BYTES)
            else:  # pragma: no cover - read_magic accepts only the versions above
                raise ValueError(f"unsupported .npy version {version}")
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, RuntimeError) as exc:
        raise FileFormatError(f"array {key}: not a readable .npy header: {exc!s:.80}") from None
    check_dims(list(shape), f"array {key}")
    if dtype.hasobject or dtype.kind not in "iuf":
        raise FileFormatError(f"{key}: expected an array of integers or floats, got dtype {dtype}")
    return tuple(shape), dtype


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, key: str) -> np.ndarray:
    try:
        with zf.open(info) as fh:
            return np.lib.format.read_array(fh, allow_pickle=False, max_header_size=_HEADER_BYTES)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, RuntimeError) as exc:
        raise FileFormatError(f"array {key}: cannot be read: {exc!s:.80}") from None


def network_from_npz(path: PathLike) -> ReLUNetwork:
    """A network from a numpy ``.npz`` archive with arrays ``W0, b0, W1, b1, ...``.

    ``Wk`` (0-based) is the weight matrix of layer ``k + 1`` with shape
    ``(out, in)`` and ``bk`` its bias vector of shape ``(out,)``.  Integer arrays
    are read exactly, float arrays (float16/32/64, long double) as the exact
    binary values they hold.  Pickled (object) arrays are never loaded; the
    archive is checked before loading (see the module docstring).

    Raises
    ------
    FileFormatError
        For a missing, unreadable or non-regular file, missing or extra keys
        (named), a shape that does not fit (expected and received), a
        non-numeric dtype, NaN or infinities.
    LimitExceededError
        For a file, an array or a network beyond the documented bounds.

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
    p = existing_file(path)
    src = str(p)
    if not zipfile.is_zipfile(p):
        raise FileFormatError(f"{src}: not an npz archive (a zip of .npy arrays W0, b0, W1, b1, ...)")
    try:
        zf = zipfile.ZipFile(p)
    except (OSError, zipfile.BadZipFile) as exc:
        raise FileFormatError(f"{src}: not a readable npz archive: {exc}") from None
    with zf, reading(src):
        infos = zf.infolist()
        if len(infos) > 2 * MAX_NPZ_LAYERS:
            raise FileFormatError(
                f"{len(infos)} members, more than the {2 * MAX_NPZ_LAYERS} of a network file"
            )
        members = {}
        for info in infos:
            key = info.filename.removesuffix(".npy")
            if key in members or not info.filename.endswith(".npy"):
                raise FileFormatError(
                    f"unexpected member {short_repr(info.filename)} (expected W0.npy, b0.npy, ...)"
                )
            members[key] = info
        indices = {int(m.group(2)) for k in members if (m := _KEY_RE.fullmatch(k))}
        if not indices:
            raise FileFormatError(
                f"expected arrays W0, b0, W1, b1, ..., found keys {short_repr(sorted(members))}"
            )
        n_layers = max(indices) + 1
        if n_layers > MAX_NPZ_LAYERS:
            raise FileFormatError(f"key index {n_layers - 1} is beyond the limit of {MAX_NPZ_LAYERS} layers")
        expected = [f"{c}{i}" for i in range(n_layers) for c in "Wb"]
        missing = [k for k in expected if k not in members]
        extra = sorted(k for k in members if k not in set(expected))
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing key(s) {', '.join(missing):.80}")
            if extra:
                parts.append(f"unexpected key(s) {', '.join(extra):.80}")
            last = f"W{n_layers - 1}, b{n_layers - 1}"
            raise FileFormatError(
                f"{'; '.join(parts)} (expected {'W0, b0, ..., ' if n_layers > 1 else ''}{last})"
            )
        shapes = {k: _member_header(zf, members[k], k)[0] for k in expected}
        names = [(f"W{i}", f"b{i}") for i in range(n_layers)]
        check_layer_shapes([(shapes[w], shapes[b]) for w, b in names], names)
        check_count(sum(int(np.prod(s)) for s in shapes.values()), "the network")
        arrays = {k: _read_member(zf, members[k], k) for k in expected}
        for k in expected:
            if arrays[k].shape != shapes[k]:  # pragma: no cover - read_array follows the checked header
                raise FileFormatError(f"array {k}: shape changed while reading")
        ws = [exact_matrix(arrays[w], w) for w, _ in names]
        bs = [exact_flat(arrays[b], b) for _, b in names]
        return ReLUNetwork(ws, bs)


def _exact_float64_array(values: Sequence[Sequence[Fraction]] | Sequence[Fraction], name: str) -> np.ndarray:
    matrix = bool(values) and isinstance(values[0], tuple)
    flat: list[Fraction] = [v for row in values for v in row] if matrix else list(values)  # type: ignore[arg-type, union-attr]
    shape = (len(values), len(values[0])) if matrix else (len(values),)  # type: ignore[arg-type]
    if all(is_representable(v, "float64") for v in flat):
        return np.array([float(v) for v in flat], dtype=np.float64).reshape(shape)
    if all(v.denominator == 1 and -(2**63) <= v < 2**63 for v in flat):
        return np.array([int(v) for v in flat], dtype=np.int64).reshape(shape)
    bad_pos = next(i for i, v in enumerate(flat) if not is_representable(v, "float64"))
    index = divmod(bad_pos, shape[1]) if len(shape) == 2 else (bad_pos,)
    raise InvalidInputError(
        f"{name}{index_text(index)} = {flat[bad_pos]!s:.80} is not exactly representable as a "
        "float64, so npz cannot store it without rounding; save the network as JSON (network_to_json, "
        "a .json file) to keep exact rationals"
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
    net = check_network(net)
    arrays: dict[str, np.ndarray] = {}
    for k, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        arrays[f"W{k}"] = _exact_float64_array(w, f"W{k}")
        arrays[f"b{k}"] = _exact_float64_array(b, f"b{k}")

    def write(fh: IO[bytes]) -> Any:
        np.savez(fh, allow_pickle=False, **arrays)

    write_bytes_atomic(path, write)
