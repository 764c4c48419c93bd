"""Writing files safely: the one atomic file writer and the checks of output paths.

Every file relu_geom writes (networks, complexes, certificates, pictures, CLI output) goes
through :func:`write_bytes_atomic` / :func:`write_text_atomic`: the data goes to a
temporary file in the target's directory, flushed to disk, which then replaces
the target with :func:`os.replace`.  A failed write leaves the previous file (if
any) untouched and no partial file behind.  :func:`output_path` and
:func:`output_folder` check an output before any work starts.

Examples
--------
>>> import relu_geom as rg
>>> import os, tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = os.path.join(tmp, "net.json")
...     rg.files.write_text_atomic(path, rg.zoo.abs_1d().to_json())
...     rg.ReLUNetwork.from_json(path) == rg.zoo.abs_1d()
True
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from relu_geom._util import short_repr
from relu_geom.errors import FileFormatError, InvalidInputError

__all__ = [
    "STALE_SECONDS",
    "TMP_MARK",
    "as_path",
    "output_folder",
    "output_path",
    "write_bytes_atomic",
    "write_text_atomic",
]

def as_path(path: object, what: str = "path") -> Path:
    """``path`` as a :class:`pathlib.Path`; a non-empty str or os.PathLike, else InvalidInputError.

    ``what`` names the argument in the message (which never echoes a long input).

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.files.as_path("out/net.json").name
    'net.json'
    >>> rg.files.as_path(b"net.json", "network file")
    Traceback (most recent call last):
    ...
    relu_geom.errors.InvalidInputError: network file: expected a file path (str or pathlib.Path), got bytes b'net.json'
    """
    if isinstance(path, (str, os.PathLike)) and not isinstance(path, bytes):
        text = os.fspath(path)
        if isinstance(text, str) and text:
            return Path(text)
    raise InvalidInputError(
        f"{what}: expected a file path (str or pathlib.Path), got {type(path).__name__} {short_repr(path)}"
    )


TMP_MARK = ".relu-geom-tmp-"
"""Part of the name of every temporary file the writer makes: ``.<name>.relu-geom-tmp-<hex>``."""

STALE_SECONDS = 3600
"""A temporary file of the same target untouched this long is a killed write's leftover."""


def output_path(path: object, what: str = "output file") -> Path:
    """The file that writing to ``path`` replaces, checked before any work starts.

    A symbolic link is followed (writing goes through to its target and keeps the
    link).  The target must not be a directory and its directory must exist;
    otherwise :class:`~relu_geom.FileFormatError` names ``path`` as given.

    Examples
    --------
    >>> import relu_geom as rg
    >>> import tempfile
    >>> from relu_geom.files import output_path
    >>> output_path(tempfile.gettempdir() + "/missing-folder/x.json")
    Traceback (most recent call last):
    ...
    relu_geom.errors.FileFormatError: .../missing-folder/x.json: cannot write, the folder .../missing-folder does not exist
    """
    p = as_path(path, what)
    target = Path(os.path.realpath(p)) if p.is_symlink() else p
    if target.is_symlink():
        raise FileFormatError(f"{p}: cannot write, the symbolic link does not resolve (a loop)")
    if target.is_dir():
        raise FileFormatError(f"{p}: is a directory, cannot write a file there")
    if not target.parent.is_dir():
        raise FileFormatError(f"{p}: cannot write, the folder {target.parent} does not exist")
    return target


def output_folder(path: object, what: str = "output folder") -> Path:
    """The folder ``path``, created (with its parents) if missing; FileFormatError naming it
    when it cannot be.

    Examples
    --------
    >>> import relu_geom as rg
    >>> import os, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     rg.files.output_folder(os.path.join(tmp, "a", "b")).is_dir()
    True
    """
    p = as_path(path, what)
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FileFormatError(f"{p}: cannot create the {what}: {exc.strerror or exc}") from None
    return p


def _remove_stale_temporaries(target: Path, prefix: str) -> None:
    """Remove leftovers of killed writes of ``target`` (see :data:`STALE_SECONDS`)."""
    now = time.time()
    with contextlib.suppress(OSError):
        for entry in os.scandir(target.parent):
            if entry.name.startswith(prefix) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    if now - entry.stat(follow_symlinks=False).st_mtime > STALE_SECONDS:
                        os.unlink(entry.path)


def write_bytes_atomic(path: object, data: bytes | Callable[[IO[bytes]], object]) -> None:
    """Write ``data`` (bytes, or a function writing to a binary file) to ``path`` atomically.

    The data goes to a temporary file ``.<name>.relu-geom-tmp-<hex>`` in the target's
    folder, flushed to disk, which then replaces the target with :func:`os.replace`.

    - A replaced file keeps its permission bits; a new file gets the user's usual ones
      (``0o666`` less the umask).
    - A symbolic link is written through: its target is replaced, the link is kept.
    - On any exception, KeyboardInterrupt included, the temporary file is removed and
      the target is unchanged.  A killed process (SIGKILL, power loss) can leave the
      temporary file behind; the next write of the same target removes such files
      older than :data:`STALE_SECONDS`.

    Raises
    ------
    FileFormatError
        When the target is a directory, its folder does not exist, or writing fails;
        the message names ``path`` as given, never the temporary file.

    Examples
    --------
    >>> import relu_geom as rg
    >>> import os, tempfile
    >>> from relu_geom.files import write_bytes_atomic
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "out.bin")
    ...     write_bytes_atomic(path, b"abc")
    ...     open(path, "rb").read(), os.listdir(tmp)
    (b'abc', ['out.bin'])
    """
    p = as_path(path)
    target = output_path(p)
    try:
        mode: int | None = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mode = None
    prefix = f".{target.name[:200]}{TMP_MARK}"
    _remove_stale_temporaries(target, prefix)
    tmp = target.parent / f"{prefix}{secrets.token_hex(4)}"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as exc:
        raise FileFormatError(f"{p}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, (bytes, bytearray, memoryview)):
                fh.write(data)
            else:
                data(fh)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise FileFormatError(f"{p}: cannot write: {exc.strerror or exc}") from None
        raise


def write_text_atomic(path: object, text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically (see :func:`write_bytes_atomic`).

    Examples
    --------
    >>> import relu_geom as rg
    >>> import os, tempfile
    >>> from relu_geom.files import write_text_atomic
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "out.txt")
    ...     write_text_atomic(path, "héllo\\n")
    ...     open(path, encoding="utf-8").read()
    'héllo\\n'
    """
    write_bytes_atomic(path, text.encode("utf-8"))
