"""``relu-geom robust NET --point x1,x2,... [--label C] --norm linf|l1|l2 [--l2-method exact|bounds]``:
exact robustness radius (for l2: the exact squared radius, or exact bounds of it)."""

from __future__ import annotations

import argparse

from relu_geom.commands._common import (
    add_bound_rule_option,
    add_json_option,
    add_network_argument,
    add_output_option,
    emit_json,
    read_network,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "robust",
        help="exact robustness radius of a classifier at a point (linf, l1, squared l2; ties count as a change)",
        description="Exact distance from POINT to the nearest input whose class differs from LABEL (or ties).",
    )
    add_network_argument(p)
    p.add_argument(
        "--point", required=True, metavar="X", help="comma-separated coordinates, e.g. 1/2,-1,0.25"
    )
    p.add_argument("--label", type=int, metavar="C", help="the class at the point (default: its arg-max)")
    p.add_argument(
        "--norm",
        choices=("linf", "l1", "l2"),
        default="linf",
        help="the norm (default linf; l2 gives the exact squared radius)",
    )
    p.add_argument(
        "--l2-method",
        choices=("exact", "bounds"),
        default="exact",
        help="l2: 'exact' (one exact quadratic program per pattern leaf; small networks) or "
        "'bounds' (from the linf and l1 radii)",
    )
    p.add_argument("--timeout", type=float, metavar="S", help="give up after S seconds per search")
    add_bound_rule_option(p)
    add_json_option(p)
    add_output_option(p, "the certificate (JSON)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from relu_geom.certify.robustness import L2RobustnessResult, robustness_radius

    net = read_network(args.net)
    point = [v.strip() for v in args.point.split(",")]
    res = robustness_radius(
        net,
        point,
        args.norm,
        args.label,
        method=args.l2_method,
        max_seconds=args.timeout,
        bound_rule=args.bound_rule,
    )
    if args.output:
        res.write_certificate(args.output)
    if args.json:
        emit_json(res.to_dict())
        return 0
    at = f"class {res.label} -> {res.cls} at {[str(v) for v in res.x]}"
    if isinstance(res, L2RobustnessResult) and res.certificate["claim"] == "robustness_l2":
        print(f"squared radius (l2) = {res.upper_squared} (exact): {at}")
    elif isinstance(res, L2RobustnessResult):
        print(f"squared radius (l2) in [{res.lower_squared}, {res.upper_squared}]: {at}")
    else:
        print(f"radius ({args.norm}) = {res.radius}: {at}")
    return 0
