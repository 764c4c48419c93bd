"""Ctrl-C while the command line starts up: one line and exit status 130, never a traceback.

Importing the package takes seconds, and :func:`relu_geom.cli.main`, which turns Ctrl-C into
``relu-geom: interrupted`` and status 130, only runs once that is done.  So when this process
is the command line (the ``relu-geom`` script or ``python -m relu_geom``), importing this
module, the package's first import, installs a SIGINT handler that does the same at once;
:func:`relu_geom.cli.main` puts Python's usual handler back when it starts.  Imported as a
library (any other program), this module changes nothing.
"""

from __future__ import annotations

import os
import signal
import sys

__all__ = ["is_command_line", "release"]


def is_command_line() -> bool:
    """Whether this process runs the ``relu-geom`` script or ``python -m relu_geom``.

    Read from ``sys.argv[0]`` (the script's name) and ``sys.orig_argv`` (``-m relu_geom``).
    Public as :func:`relu_geom.cli.is_command_line`.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.cli import is_command_line
    >>> is_command_line()  # a doctest run is not the command line
    False
    """
    if os.path.basename(sys.argv[0] if sys.argv else "") in ("relu-geom", "relu-geom.exe", "relu-geom-script.py"):
        return True
    argv = list(getattr(sys, "orig_argv", ()))
    return "-mrelu_geom" in argv or any(a == "-m" and b == "relu_geom" for a, b in zip(argv, argv[1:]))


def _interrupted(signum: int, frame: object) -> None:
    os.write(2, b"relu-geom: interrupted\n")
    os._exit(130)  # nothing has been written yet; no Python code may print a traceback


def release() -> None:
    """Put Python's usual SIGINT handler back if the start-up one is in place (main thread)."""
    if signal.getsignal(signal.SIGINT) is _interrupted:
        signal.signal(signal.SIGINT, signal.default_int_handler)


if is_command_line():
    try:
        signal.signal(signal.SIGINT, _interrupted)
    except ValueError:  # imported outside the main thread: nothing to guard
        pass
