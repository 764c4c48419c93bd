"""Small shared helpers below every other layer: the one atomic file writer.

Every file relu_geom writes (networks, complexes, certificates, CLI output) goes
through :func:`write_bytes_atomic` / :func:`write_text_atomic`: the data goes to a
temporary file in the target's directory, flushed to disk, which then replaces
the target with :func:`os.replace`.  A failed write leaves the previous file (if
any) untouched and no partial file behind.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path
from typing import IO

from relu_geom.errors import FileFormatError, InvalidInputError

__all__ = ["as_path", "short_repr", "write_bytes_atomic", "write_text_atomic"]

PathLike = str | os.PathLike[str]


def short_repr(obj: object, limit: int = 80) -> str:
    """``repr(obj)`` cut to at most ``limit`` characters (error messages never echo big inputs).

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom._util import short_repr
    >>> short_repr("x" * 1000, 12)
    "'xxxxxxxx..."
    """
    text = repr(obj)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def as_path(path: object, what: str = "path") -> Path:
    """``path`` as a :class:`pathlib.Path`; a non-empty str or os.PathLike, else InvalidInputError."""
    if isinstance(path, (str, os.PathLike)) and not isinstance(path, bytes):
        text = os.fspath(path)
        if isinstance(text, str) and text:
            return Path(text)
    raise InvalidInputError(
        f"{what}: expected a file path (str or pathlib.Path), got {type(path).__name__} {short_repr(path)}"
    )


def write_bytes_atomic(path: object, data: bytes | Callable[[IO[bytes]], object]) -> None:
    """Write ``data`` (bytes, or a function writing to a binary file) to ``path`` atomically.

    The file keeps the permission bits of the file it replaces.

    Raises
    ------
    FileFormatError
        When the target is a directory, its directory does not exist, or writing fails;
        the target is then unchanged and no temporary file remains.

    Examples
    --------
    >>> import relu_geom as rg
    >>> import os, tempfile
    >>> from relu_geom._util import write_bytes_atomic
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "out.bin")
    ...     write_bytes_atomic(path, b"abc")
    ...     open(path, "rb").read(), os.listdir(tmp)
    (b'abc', ['out.bin'])
    """
    p = as_path(path)
    if p.is_dir():
        raise FileFormatError(f"{p}: is a directory, cannot write a file there")
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
            if isinstance(data, (bytes, bytearray, memoryview)):
                fh.write(data)
            else:
                data(fh)
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


def write_text_atomic(path: object, text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically (see :func:`write_bytes_atomic`).

    Examples
    --------
    >>> import relu_geom as rg
    >>> import os, tempfile
    >>> from relu_geom._util import write_text_atomic
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = os.path.join(tmp, "out.txt")
    ...     write_text_atomic(path, "héllo\\n")
    ...     open(path, encoding="utf-8").read()
    'héllo\\n'
    """
    write_bytes_atomic(path, text.encode("utf-8"))
