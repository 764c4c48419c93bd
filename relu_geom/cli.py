"""The ``relu-geom`` command line: ``relu-geom COMMAND ...``.

Each command lives in ``relu_geom/commands/<name>.py`` with two functions,
``register(subparsers)`` (adds its argparse sub-parser) and ``run(args) -> int``.
Errors print one line on stderr and exit non-zero; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from collections.abc import Sequence

from relu_geom.errors import ReluGeomError

__all__ = ["main"]

COMMAND_MODULES = (
    "compile",
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
    "search",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered command."""
    parser = argparse.ArgumentParser(
        prog="relu-geom", description="Exact polyhedral geometry of ReLU networks."
    )
    parser.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"relu_geom.commands.{name}")
        module.register(sub)
    # let negative rationals such as -1/2, -0.25 or -2e5 be values, not options
    negative = re.compile(r"^-(\d+(/\d+)?|\d*\.\d+|\d+(\.\d*)?[eE][-+]?\d+)$")
    for p in (parser, *sub.choices.values()):
        p._negative_number_matcher = negative
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 on success)."""
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        return int(args.run(args) or 0)
    except (ReluGeomError, OSError) as exc:
        if args.debug:
            raise
        print(f"relu-geom {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("relu-geom: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
