"""Shared pieces of the CLI commands: the NET argument, ``--box``, ``--json``, ``-o``, progress,
exit statuses and output files.

Every command takes these options the same way:

* ``NET``: a network file (any supported format) or ``zoo:NAME``;
* ``--box LO HI``: the domain ``[LO, HI]^d`` (rationals such as ``-1/2``);
* ``--polytope FILE`` (``range``, ``lipschitz``): an H-polytope domain, a JSON object
  ``{"inequalities": [[a_1, ..., a_d, b], ...], "equalities": [...]}`` of rows
  ``a.x <= b`` (``a.x == b``) with exact entries (integers or strings such as ``"-1/3"``),
  the rows of :meth:`~relu_geom.Polyhedron.from_hrep`; with ``--box`` the domain is the
  intersection;
* ``--json``: one JSON object on stdout instead of text;
* ``-o OUT``: an output file, checked *before* any work starts (its folder exists and is
  writable, it is not a folder); ``-o -`` writes to stdout (text then goes to stderr).

Exit statuses (:data:`YES`, :data:`NO`, :data:`ERROR`, :data:`UNDECIDED`): 0 yes / success,
1 no (a decision answered negatively, an invariant violated), 2 error, 3 undecided (a limit
was reached before the answer).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from relu_geom.errors import FileFormatError, InvalidInputError
from relu_geom.files import write_text_atomic
from relu_geom.network import ReLUNetwork

__all__ = [
    "ERROR",
    "NO",
    "UNDECIDED",
    "YES",
    "add_box_option",
    "add_json_option",
    "add_network_argument",
    "add_output_option",
    "add_polytope_option",
    "add_progress_option",
    "check_output",
    "decision_status",
    "emit_json",
    "is_stdout",
    "parse_box",
    "parse_domain",
    "read_network",
    "save_to_output",
    "show_progress",
    "text_stream",
    "write_output",
]

YES, NO, ERROR, UNDECIDED = 0, 1, 2, 3


def read_network(spec: str, args: argparse.Namespace | None = None) -> ReLUNetwork:
    """A network from a file path (any supported format) or ``zoo:NAME`` for a bundled specimen.

    ``args`` carries the options of :func:`add_network_argument` (``--trust-pickle``,
    ``--assume-relu``); without them PyTorch files are read safely and state_dicts refused.
    """
    if spec.startswith("zoo:"):
        from relu_geom import zoo

        return zoo.get(spec[4:])
    from relu_geom import io

    activation = "relu" if getattr(args, "assume_relu", False) else None
    return io.load_network(spec, trust=getattr(args, "trust_pickle", False), activation=activation)


def add_network_argument(parser: argparse.ArgumentParser, name: str = "net") -> None:
    """The positional NET argument (``name`` is the attribute, e.g. ``net1``), with the options for
    PyTorch files."""
    parser.add_argument(name, metavar=name.upper(), help="network file (.json, .npz, .onnx, .pt) or zoo:NAME")
    if "--trust-pickle" in parser._option_string_actions:  # a second NET of the same command
        return
    parser.add_argument(
        "--trust-pickle",
        action="store_true",
        help="read a PyTorch file with torch.load(weights_only=False): runs code stored in the file, "
        "use only for files you trust (needed for a pickled nn.Module)",
    )
    parser.add_argument(
        "--assume-relu",
        action="store_true",
        help="a PyTorch state_dict: its Linear layers have a ReLU between consecutive ones",
    )


def add_box_option(parser: argparse.ArgumentParser) -> None:
    """The ``--box LO HI`` option."""
    parser.add_argument(
        "--box", nargs=2, metavar=("LO", "HI"), help="restrict to the box [LO, HI]^d (rationals like -1/2)"
    )


def add_polytope_option(parser: argparse.ArgumentParser) -> None:
    """The ``--polytope FILE`` option (an H-polytope domain in JSON)."""
    parser.add_argument(
        "--polytope",
        metavar="FILE",
        help='H-polytope domain: JSON {"inequalities": [[a_1, ..., a_d, b], ...]} of rows a.x <= b '
        "(with --box: their intersection)",
    )


def parse_domain(args: argparse.Namespace, d: int) -> Any:
    """The domain of ``--box`` and ``--polytope``: None, a pair ``(LO, HI)``, or a
    :class:`~relu_geom.Polyhedron` (the polytope, intersected with the box when both are given)."""
    box = parse_box(args)
    path = getattr(args, "polytope", None)
    if path is None:
        return box
    from relu_geom.geometry import Polyhedron

    try:
        with open(path, encoding="utf-8") as fh:
            obj = json.load(fh)
    except OSError as exc:
        raise FileFormatError(f"--polytope: cannot read {_short(path)}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FileFormatError(f"--polytope: {_short(path)} is not JSON ({exc})") from None
    if not isinstance(obj, dict) or "inequalities" not in obj or set(obj) - {"inequalities", "equalities"}:
        raise FileFormatError(
            f'--polytope: {_short(path)}: expected {{"inequalities": [...], "equalities": [...]}}'
        )
    ineqs, eqs = obj["inequalities"], obj.get("equalities", [])
    if not isinstance(ineqs, list) or not isinstance(eqs, list) or not all(
        isinstance(r, list) for r in ineqs + eqs
    ):
        raise FileFormatError(f"--polytope: {_short(path)}: the rows must be lists [a_1, ..., a_d, b]")
    if any(isinstance(v, float) for r in ineqs + eqs for v in r):
        raise FileFormatError(
            f"--polytope: {_short(path)}: write entries as integers or strings (\"1/3\", \"0.1\"), not JSON floats"
        )
    ineqs = list(ineqs)
    if box is not None:
        for i in range(d):
            e = [0] * d
            e[i] = 1
            ineqs.append([*e, box[1]])
            e[i] = -1
            ineqs.append([*e, _negate(box[0])])
    return Polyhedron.from_hrep(ineqs, eqs, ambient_dim=d)


def _negate(text: str) -> str:
    from relu_geom.arith.rational import format_rational, to_rational

    return str(format_rational(-to_rational(text, what="--box")))


def add_json_option(parser: argparse.ArgumentParser) -> None:
    """The ``--json`` flag."""
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")


def add_output_option(
    parser: argparse.ArgumentParser, what: str, *, required: bool = False, default: str | None = None
) -> None:
    """The ``-o OUT`` option; ``what`` says what is written there."""
    parser.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        required=required,
        default=default,
        help=f"write {what} to OUT ('-' for stdout)" + (f"; default {default}" if default else ""),
    )


def add_bound_rule_option(parser: argparse.ArgumentParser) -> None:
    """``--bound-rule forward|backward`` (default: backward from three hidden layers on)."""
    parser.add_argument(
        "--bound-rule",
        choices=("forward", "backward"),
        help="the exact bound rule of the search (default: backward for three or more hidden layers)",
    )


def add_progress_option(parser: argparse.ArgumentParser) -> None:
    """The ``--no-progress`` flag (progress bars are drawn on stderr when it is a terminal)."""
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def show_progress(args: argparse.Namespace) -> bool:
    """Whether to draw progress bars: stderr is a terminal and ``--no-progress`` is absent."""
    return not getattr(args, "no_progress", False) and sys.stderr.isatty()


def add_work_options(parser: argparse.ArgumentParser, *, memory_help: str = "", workers_help: str = "") -> None:
    """The bounds and the processes of a long run: ``--max-seconds S``, ``--max-memory MB``,
    ``--workers N`` and ``--cluster ADDRESS`` (read back by :func:`max_memory_bytes` and
    :func:`work_executor`); the helps may add what the command does with them."""
    parser.add_argument(
        "--max-seconds", type=float, default=None, metavar="S", help="stop with an error after S seconds"
    )
    parser.add_argument(
        "--max-memory",
        type=float,
        default=None,
        metavar="MB",
        help="stop with an error when memory grows by more than MB megabytes" + memory_help,
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="processes to use (default: all cores)" + workers_help,
    )
    parser.add_argument(
        "--cluster",
        metavar="ADDRESS",
        default=None,
        help="run the tasks on the Dask distributed scheduler at ADDRESS (e.g. tcp://127.0.0.1:8786)",
    )


def max_memory_bytes(args: argparse.Namespace) -> int | None:
    """``--max-memory`` (megabytes) in bytes, at least 1; None without it."""
    return None if args.max_memory is None else max(1, int(args.max_memory * 2**20))


@contextlib.contextmanager
def work_executor(args: argparse.Namespace) -> Iterator[Any]:
    """The executor of ``--cluster`` (closed on exit), or None without it."""
    if not args.cluster:
        yield None
        return
    from relu_geom.compiler.parallel import cluster_executor

    with cluster_executor(args.cluster) as executor:
        yield executor


def parse_box(args: argparse.Namespace) -> tuple[str, str] | None:
    """The domain given by ``--box`` (None for all of R^d)."""
    box = getattr(args, "box", None)
    if box is None:
        return None
    from relu_geom.arith.rational import to_rational

    lo, hi = (to_rational(v, what="--box") for v in box)
    if not lo < hi:
        raise InvalidInputError(f"--box: expected LO < HI, got LO={_short(box[0])}, HI={_short(box[1])}")
    return box[0], box[1]


def is_stdout(out: str | None) -> bool:
    """True for ``-o -``."""
    return out == "-"


def check_output(out: str | None) -> None:
    """Fail early (before any work) when ``-o OUT`` cannot be written.

    Accepted: None (no output file), ``-`` (stdout), or a path that is not a folder and whose
    folder exists and is writable.
    """
    if out is None or is_stdout(out):
        return
    if not out:
        raise InvalidInputError("-o: expected a file name or '-', got an empty string")
    if os.path.isdir(out):
        raise FileFormatError(f"-o {_short(out)}: is a folder, expected a file name")
    folder = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(folder):
        raise FileFormatError(f"-o {_short(out)}: the folder {_short(folder)} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise FileFormatError(f"-o {_short(out)}: the folder {_short(folder)} is not writable")
    if os.path.exists(out) and not os.access(out, os.W_OK):
        raise FileFormatError(f"-o {_short(out)}: the file exists and is not writable")


def write_output(out: str, text: str) -> None:
    """Write ``text`` to ``out`` atomically (never a partial file), or to stdout for ``-``."""
    if not text.endswith("\n"):
        text += "\n"
    if is_stdout(out):
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    check_output(out)
    write_text_atomic(out, text)


def save_to_output(out: str, save: Callable[[str], None], *, stdout_suffix: str = ".png") -> None:
    """Run ``save(path)`` for ``out``; for ``-`` save to a temporary file (named with
    ``stdout_suffix``, which picks the format) and copy its bytes to stdout."""
    if not is_stdout(out):
        check_output(out)
        save(out)
        return
    with tempfile.TemporaryDirectory(prefix="relu-geom-") as folder:
        path = os.path.join(folder, "output" + stdout_suffix)
        save(path)
        with open(path, "rb") as fh:
            data = fh.read()
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def text_stream(out: str | None) -> TextIO:
    """Where a command prints its human-readable text: stderr when ``-o -`` owns stdout."""
    return sys.stderr if is_stdout(out) else sys.stdout


def emit_json(obj: Any, out: str | None = None, *, stream: TextIO | None = None) -> None:
    """Write ``obj`` as JSON atomically to the file ``out`` (``-`` is stdout), or print it on
    ``stream`` (stdout by default)."""
    text = json.dumps(obj, indent=2) + "\n"
    if out is None:
        (stream or sys.stdout).write(text)
    else:
        write_output(out, text)


def decision_status(answer: bool | None) -> int:
    """The exit status of a decision: 0 for yes, 1 for no, 3 for undecided (None)."""
    return UNDECIDED if answer is None else (YES if answer else NO)


def _short(text: str, limit: int = 60) -> str:
    return repr(text) if len(text) <= limit else repr(text[: limit - 3] + "...")
