"""``relu-geom lipschitz NET --norm linf|l1|l2 [--box LO HI] [--polytope FILE] [--timeout S] [--max-cases N]``:
exact Lipschitz constant with a certificate."""

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
        "lipschitz",
        help="exact Lipschitz constant over a box or a polytope (linf, l1 or l2)",
        description="Exact Lipschitz constant of NET over [LO, HI]^d and/or an H-polytope: the largest operator norm over the regions meeting it.",
    )
    add_network_argument(p)
    add_box_option(p)
    add_polytope_option(p)
    p.add_argument("--norm", choices=("linf", "l1", "l2"), default="linf", help="the norm (default linf)")
    p.add_argument("--timeout", type=float, metavar="S", help="give up on the certificate tree after S seconds")
    p.add_argument(
        "--max-cases",
        type=int,
        default=256,
        metavar="N",
        help="jacobian leaves enumerate at most N activation cases (0: every leaf fixes its pattern; default 256)",
    )
    add_bound_rule_option(p)
    add_json_option(p)
    add_output_option(p, "the certificate (JSON)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from relu_geom.certify.lipschitz import SquaredRoot, lipschitz_constant

    net = read_network(args.net)
    box = parse_domain(args, net.input_dim)
    if box is None:
        raise InvalidInputError("--box/--polytope: a Lipschitz constant needs a bounded domain (--box or --polytope)")
    res = lipschitz_constant(
        net, args.norm, box, max_seconds=args.timeout, max_cases=args.max_cases, bound_rule=args.bound_rule
    )
    if args.output:
        res.write_certificate(args.output)
    if args.json:
        emit_json(res.to_dict())
        return 0
    v = res.value
    if isinstance(v, SquaredRoot):
        print(
            f"L ({args.norm}) = sqrt of the root of {[str(c) for c in v.poly]} in [{v.lo}, {v.hi}] ~ {float(v)!r}"
        )
    else:
        print(f"L ({args.norm}) = {v}")
    print(f"attained at x = {[str(t) for t in res.witness]}")
    return 0
