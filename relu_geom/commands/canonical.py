"""``relu-geom canonical NET [-o OUT]``: the canonical minimal form of a one-hidden-layer network."""

from __future__ import annotations

import argparse
import sys

from relu_geom.commands._common import (
    add_network_argument,
    add_output_option,
    check_output,
    is_stdout,
    read_network,
    write_output,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "canonical",
        help="canonical minimal form of a one-hidden-layer network",
        description="Print (or write to OUT) the canonical minimal network computing the same function as NET.",
    )
    add_network_argument(p)
    add_output_option(p, "the canonical network as JSON")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from relu_geom.analyses.fibers import canonical_form, minimal_width

    check_output(args.output)
    net = read_network(args.net)
    cf = canonical_form(net)
    text = cf.to_json()
    if args.output is None or is_stdout(args.output):
        write_output("-", text)
        return 0
    write_output(args.output, text)
    print(f"minimal width {minimal_width(net)}; canonical network written to {args.output}", file=sys.stdout)
    return 0
