"""The ``relu-geom`` command line: ``relu-geom [--debug] [--version] COMMAND ...``.

Each command lives in ``relu_geom/commands/<name>.py`` with two functions,
``register(subparsers)`` (adds its argparse sub-parser) and ``run(args) -> int``; the
options every command shares are in :mod:`relu_geom.commands._common`.

Exit statuses: 0 yes / success, 1 no (a decision answered negatively, an invariant
violated), 2 error (bad input, unreadable file, bad usage, also a bare ``relu-geom``, which
prints the help), 3 undecided (a limit was reached), 130 interrupted (Ctrl-C or SIGTERM, no
traceback; temporary files are removed).
Errors print one line on stderr; ``--debug`` (anywhere on the command line) shows the
traceback instead. Everything, the commands included, is imported inside :func:`main`, so an
interrupt while starting up prints one line as well.
"""

from __future__ import annotations

import argparse
import importlib
import re
import signal
import sys
import threading
from collections.abc import Sequence

from relu_geom._startup import is_command_line

__all__ = ["is_command_line", "main"]

COMMAND_MODULES = (
    "compile",
    "count",
    "breakpoints",
    "plot",
    "demo",
    "equiv",
    "canonical",
    "fiber",
    "visibility",
    "fdim",
    "generic",
    "identify",
    "verify",
    "view",
    "certify",
    "range",
    "lipschitz",
    "robust",
    "identifiable",
    "search",
)

_NEGATIVE = re.compile(r"^-(\d+(/\d+)?|\d*\.\d+|\d+(\.\d*)?[eE][-+]?\d+)$")
"""Negative rationals such as -1/2, -0.25 or -2e5 are values, not options."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered command."""
    from relu_geom._version import __version__

    parser = argparse.ArgumentParser(
        prog="relu-geom",
        description="Exact polyhedral geometry of ReLU networks.",
        epilog="Exit status: 0 yes/success, 1 no, 2 error, 3 undecided. --debug (anywhere) shows tracebacks.",
    )
    parser.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    parser.add_argument("--version", action="version", version=f"relu-geom {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"relu_geom.commands.{name}")
        module.register(sub)
    for p in (parser, *sub.choices.values()):
        p._negative_number_matcher = _NEGATIVE
    return parser


def _split_debug(argv: list[str]) -> tuple[list[str], bool]:
    """Remove ``--debug`` from anywhere before a ``--`` separator."""
    end = argv.index("--") if "--" in argv else len(argv)
    rest = [a for a in argv[:end] if a != "--debug"] + argv[end:]
    return rest, len(rest) != len(argv)


def _terminated(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # so that cleanup (temporary output files) runs on SIGTERM too


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (see the module docstring)."""
    in_main_thread = threading.current_thread() is threading.main_thread()
    if in_main_thread:
        from relu_geom._startup import release

        release()  # from here on Ctrl-C is a KeyboardInterrupt, handled in _main
    previous = signal.signal(signal.SIGTERM, _terminated) if in_main_thread else None
    try:
        return _main(argv)
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)


def _main(argv: Sequence[str] | None) -> int:
    args_list, debug = _split_debug(list(sys.argv[1:] if argv is None else argv))
    command = "relu-geom"
    try:
        from relu_geom.errors import ReluGeomError

        parser = build_parser()
        try:
            args = parser.parse_args(args_list)
        except SystemExit as exc:  # --help, --version (0) and usage errors (2)
            return exc.code if isinstance(exc.code, int) else 2
        if args.command is None:
            parser.print_help(sys.stderr)
            return 2
        command = f"relu-geom {args.command}"
        try:
            return int(args.run(args) or 0)
        except (ReluGeomError, OSError, MemoryError) as exc:
            if debug:
                raise
            print(f"{command}: error: {_one_line(exc)}", file=sys.stderr)
            return 2
    except KeyboardInterrupt:
        if debug:
            raise
        print(f"{command}: interrupted", file=sys.stderr)
        return 130


def _one_line(exc: BaseException, limit: int = 300) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, MemoryError):
        text = "out of memory"
    return text if len(text) <= limit else text[: limit - 3] + "..."


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
