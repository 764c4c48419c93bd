"""Shared pieces of the CLI commands: reading networks, boxes, JSON output, atomic writes."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from relu_geom._util import write_text_atomic
from relu_geom.errors import InvalidInputError
from relu_geom.network import ReLUNetwork

__all__ = [
    "add_box_option",
    "add_network_argument",
    "emit_json",
    "parse_box",
    "read_network",
    "write_text_atomic",
]


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
    """The positional NET argument, with the options for PyTorch files."""
    parser.add_argument(name, metavar=name.upper(), help="network file (.json, .npz, .onnx, .pt) or zoo:NAME")
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


def parse_box(args: argparse.Namespace) -> tuple[str, str] | None:
    """The domain given by ``--box`` (None for all of R^d)."""
    box = getattr(args, "box", None)
    if box is None:
        return None
    from relu_geom.arith.rational import to_rational

    lo, hi = (to_rational(v, what="--box") for v in box)
    if not lo < hi:
        raise InvalidInputError(f"--box: expected LO < HI, got LO={lo}, HI={hi}")
    return box[0], box[1]


def emit_json(obj: Any, out: str | None = None) -> None:
    """Print ``obj`` as JSON, or write it atomically to ``out``."""
    text = json.dumps(obj, indent=2)
    if out is None:
        sys.stdout.write(text + "\n")
    else:
        write_text_atomic(os.fspath(out), text + "\n")
