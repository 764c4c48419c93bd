"""``relu-geom equiv NET1 NET2 [--box LO HI] [--json]``: exact functional equivalence with a certificate.

Exit status 0 when the networks are equivalent, 1 when they differ (with a witness point).
"""

from __future__ import annotations

import argparse

from relu_geom.commands._common import (
    add_box_option,
    add_json_option,
    add_network_argument,
    decision_status,
    emit_json,
    parse_box,
    read_network,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "equiv",
        help="decide whether two networks compute the same function (exit 0 yes, 1 no)",
        description="Decide exactly whether NET1 and NET2 compute the same function; print the certificate. "
        "Exit status 0 when they are equivalent, 1 when they differ.",
    )
    add_network_argument(p, "net1")
    add_network_argument(p, "net2")
    add_box_option(p)
    add_json_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from relu_geom.analyses.equivalence import functionally_equivalent

    net1, net2 = read_network(args.net1), read_network(args.net2)
    res = functionally_equivalent(net1, net2, parse_box(args))
    if args.json:
        emit_json(res.to_dict())
        return decision_status(res.equivalent)
    print("equivalent" if res.equivalent else "different")
    print(f"method      {res.method}")
    print(f"evidence    {res.evidence.description}")
    if res.witness is not None and res.evidence.values is not None:
        x = ", ".join(str(v) for v in res.witness)
        y1, y2 = (", ".join(str(v) for v in y) for y in res.evidence.values)
        print(f"witness     x = ({x}): f1(x) = ({y1}), f2(x) = ({y2})")
    return decision_status(res.equivalent)
