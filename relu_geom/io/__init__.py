"""Network files and frameworks: exact JSON, numpy ``.npz``, PyTorch, ONNX; sample files.

Every reader returns a :class:`~relu_geom.network.ReLUNetwork` with exact
rational parameters.  A floating-point number read from a file or a framework
is converted to the exact binary value it denotes (every finite float is a
dyadic rational ``p / 2**k``), so ``0.1`` stored as a float64 becomes
``3602879701896397/36028797018963968``, not ``1/10``.  Nothing is rounded on
the way in.

Modules: :mod:`~relu_geom.io.json_format` (the format of record,
``"relu-geom/network@1"``), :mod:`~relu_geom.io.npz`,
:mod:`~relu_geom.io.torch_format`, :mod:`~relu_geom.io.onnx_format` (exact
folding of VNN-COMP style graphs) and :mod:`~relu_geom.io.samples`; this module
chooses among them by file name or content (:func:`load_network`,
:func:`save_network`) and registers the readers behind the named constructors
of :class:`~relu_geom.network.ReLUNetwork` (``from_json``, ``load``, ...).

Writers keep exactness wherever the target format allows it: JSON stores any
rational exactly; :func:`network_to_npz` refuses a parameter that is not exactly
a float64; :func:`network_to_torch` and :func:`network_to_onnx` build float
models and therefore *round* (correctly, ties to even: :func:`round_to_format`).
:class:`AffineChain` is the exact folding engine of the PyTorch and ONNX readers.  Files are written
atomically (:func:`relu_geom.files.write_bytes_atomic`).

Trust at the edges: files are checked with ``os.stat`` before they are read
(regular files of at most :data:`MAX_FILE_BYTES` bytes; FIFOs and devices are
refused), sizes and shapes are checked before allocating (networks of at most
:data:`~relu_geom.network.MAX_PARAMETERS` parameters), PyTorch files are read
with ``torch.load(weights_only=True)`` unless ``trust=True``, and error messages
never echo more than about 80 characters of the input.

Layer numbering: the files use 0-based keys (``W0, b0, W1, b1, ...``), so key
``Wk`` holds ``W_{k+1}`` of the papers, of shape ``(n_{k+1}, n_k)`` = (out, in).

PyTorch and ONNX are optional dependencies, imported only when a function that
needs them is called; without them a :class:`~relu_geom.errors.BackendUnavailableError`
says how to install them.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from relu_geom.errors import BackendUnavailableError, FileFormatError, UnsupportedInputError
from relu_geom.files import as_path
from relu_geom.io._common import (
    MAX_FILE_BYTES,
    AffineChain,
    PathLike,
    check_network,
    existing_file,
    reading,
    round_to_format,
)
from relu_geom.io.json_format import (
    network_from_dict,
    network_from_json,
    network_from_json_file,
    network_to_dict,
    network_to_json,
)
from relu_geom.io.npz import MAX_NPZ_LAYERS, network_from_npz, network_to_npz
from relu_geom.io.onnx_format import import_onnx, network_from_onnx, network_to_onnx
from relu_geom.io.samples import read_sample
from relu_geom.io.torch_format import network_from_torch, network_from_torch_file, network_to_torch
from relu_geom.network import FORMAT, MAX_PARAMETERS, ReLUNetwork, register_file_functions

__all__ = [
    "AffineChain",
    "FORMAT",
    "MAX_FILE_BYTES",
    "MAX_NPZ_LAYERS",
    "MAX_PARAMETERS",
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
    "read_sample",
    "round_to_format",
    "save_network",
]

_TORCH_SUFFIXES = (".pt", ".pth", ".bin", ".pth.tar")
_NOT_A_NETWORK = "not a recognized network file (JSON, npz, PyTorch or ONNX)"


def _kind_by_name(p: Path) -> str | None:
    if p.name.lower().endswith(_TORCH_SUFFIXES):
        return "torch"
    return {".json": "json", ".npz": "npz", ".onnx": "onnx"}.get(p.suffix.lower())


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
            raise FileFormatError(
                f"{p}: looks like a zip archive but cannot be opened: {exc!s:.80}"
            ) from None
        if names and all(n.endswith(".npy") for n in names):
            return "npz"
        if any(n.endswith("data.pkl") for n in names):
            return "torch"
        raise FileFormatError(f"{p}: a zip archive that is neither an npz file nor a PyTorch file")
    if head.startswith(b"\x80"):  # pickle protocol >= 2: legacy torch.save format
        return "torch"
    return "onnx"


def load_network(path: PathLike, *, trust: bool = False, activation: str | None = None) -> ReLUNetwork:
    """Read a network from any supported file.

    The format is chosen by name: ``.json`` (:func:`network_from_json`),
    ``.npz`` (:func:`network_from_npz`), ``.pt``/``.pth``/``.bin``/``.pth.tar``
    (PyTorch, :func:`network_from_torch`) and ``.onnx``
    (:func:`network_from_onnx`).  For another name or none the content decides:
    JSON starts with ``{``, npz and PyTorch files are zip archives (told apart
    by their members), a pickle is a PyTorch file, anything else is tried as ONNX.

    Parameters
    ----------
    path
        The file.
    trust
        PyTorch files only: read with ``torch.load(weights_only=False)``, which
        runs code stored in the file (needed for a pickled ``nn.Module``); warns.
        Without it (the default), files are read with ``weights_only=True``.
    activation
        PyTorch ``state_dict`` files only: ``"relu"`` states that the layers are
        Linear with a ReLU between consecutive ones (a state_dict does not say).

    Raises
    ------
    FileFormatError
        For a missing, unreadable or non-regular file or invalid content, naming the file.
    UnsupportedInputError
        For well-formed content relu_geom does not handle (named).
    LimitExceededError
        For a file or a network beyond the documented bounds.

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
    p = existing_file(path)
    kind = _kind_by_name(p) or _sniff(p)
    if kind == "json":
        return network_from_json_file(p)
    if kind == "npz":
        return network_from_npz(p)
    if kind == "torch":
        return network_from_torch_file(p, trust=trust, activation=activation)
    if p.suffix.lower() == ".onnx":
        return network_from_onnx(p)
    try:
        onnx = import_onnx()
    except BackendUnavailableError:
        raise FileFormatError(
            f"{p}: not JSON, npz or PyTorch; if it is an ONNX model, install onnx (pip install 'relu-geom[onnx]')"
        ) from None
    try:
        proto = onnx.load(str(p), load_external_data=False)
    except Exception:  # protobuf DecodeError and friends
        raise FileFormatError(f"{p}: {_NOT_A_NETWORK}") from None
    if not proto.graph.node:
        raise FileFormatError(f"{p}: {_NOT_A_NETWORK}")
    with reading(str(p)):
        return network_from_onnx(proto)


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
    net = check_network(net)
    p = as_path(path)
    suffix = p.suffix.lower()
    if suffix == ".json":
        network_to_json(net, p)
    elif suffix == ".npz":
        network_to_npz(net, p)
    elif suffix == ".onnx":
        network_to_onnx(net, p, exact=True)
    else:
        raise UnsupportedInputError(
            f"{p}: cannot choose a format for the extension {suffix or '(none)'!r:.20}; use .json (exact), .npz or .onnx"
        )


register_file_functions(
    network_from_json=network_from_json,
    network_to_json=network_to_json,
    load_network=load_network,
    network_from_npz=network_from_npz,
    network_from_torch=network_from_torch,
    network_from_onnx=network_from_onnx,
)
