"""``relu-geom canonical NET [-o OUT]``: the canonical minimal form of a one-hidden-layer network."""

from __future__ import annotations

import argparse

from relu_geom.commands._common import read_network, write_text_atomic


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "canonical",
        help="canonical minimal form of a one-hidden-layer network",
        description="Print (or write to OUT) the canonical minimal network computing the same function as NET.",
    )
    p.add_argument("net", metavar="NET", help="network file or zoo:NAME")
    p.add_argument("-o", "--output", metavar="OUT", help="write the canonical network as JSON to OUT")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from relu_geom.analyses.fibers import canonical_form, minimal_width

    net = read_network(args.net)
    cf = canonical_form(net)
    text = cf.to_json()
    if args.output:
        write_text_atomic(args.output, text if text.endswith("\n") else text + "\n")
        print(f"minimal width {minimal_width(net)}; canonical network written to {args.output}")
    else:
        print(text)
    return 0
