"""``relu-geom range NET [--box LO HI] [--polytope FILE] [--objective Q] [--offset C]``: exact output range with a certificate."""

from __future__ import annotations

import argparse

from relu_geom.commands._common import (
    add_bound_rule_option,
    add_box_option,
    add_json_option,
    add_network_argument,
    add_output_option,
    add_polytope_option,
    emit_json,
    parse_domain,
    read_network,
)
from relu_geom.errors import InvalidInputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "range",
        help="exact minimum and maximum of the outputs (or of q.f + c) over a box or a polytope",
        description="Exact output range of NET over the box [LO, HI]^d and/or an H-polytope, with attaining points and proofs.",
    )
    add_network_argument(p)
    add_box_option(p)
    add_polytope_option(p)
    p.add_argument(
        "--objective", metavar="Q", help="comma-separated output weights q (default: every output)"
    )
    p.add_argument("--offset", default="0", metavar="C", help="constant c0 added to q.f (default 0)")
    p.add_argument("--timeout", type=float, metavar="S", help="give up after S seconds per search")
    add_bound_rule_option(p)
    add_json_option(p)
    add_output_option(p, "the certificate (JSON)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from relu_geom.certify.ranges import output_range

    net = read_network(args.net)
    box = parse_domain(args, net.input_dim)
    if box is None:
        raise InvalidInputError("--box/--polytope: an output range needs a bounded domain (--box or --polytope)")
    objective = None
    if args.objective:
        objective = ([v.strip() for v in args.objective.split(",")], args.offset)
    res = output_range(net, box, objective, max_seconds=args.timeout, bound_rule=args.bound_rule)
    if args.output:
        res.write_certificate(args.output)
    if args.json:
        emit_json(res.to_dict())
        return 0
    for i, r in enumerate(res.ranges):
        print(
            f"objective {i}: min {r.min} at {[str(v) for v in r.argmin]}, max {r.max} at {[str(v) for v in r.argmax]}"
        )
    return 0
