"""``relu-geom identifiable NET [--max-configurations N] [--json]``: is NET identifiable?

Exit codes: 0 identifiable, 1 not identifiable (a certificate network is printed),
3 undecided (the reason is printed), 2 errors.
"""

from __future__ import annotations

import argparse

from relu_geom.commands._common import add_network_argument, emit_json, read_network

EXIT = {"identifiable": 0, "not identifiable": 1, "undecided": 3}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "identifiable",
        help="is the network determined by its function up to permutation and rescaling?",
        description=(
            "Exact verdict with a certificate: 'identifiable' (every configuration set of the fiber "
            "is proved empty or the orbit; exit 0), 'not identifiable' (an equivalent network outside "
            "the orbit, checked exactly; exit 1) or 'undecided' (exit 3)."
        ),
    )
    add_network_argument(p)
    p.add_argument(
        "--max-configurations", type=int, default=20000, help="bound on the configurations enumerated"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from relu_geom.analyses.fibers import is_identifiable

    net = read_network(args.net)
    v = is_identifiable(net, max_configurations=args.max_configurations)
    if args.json:
        emit_json({"architecture": list(net.architecture), **v.to_dict()})
        return EXIT[v.verdict]
    print(f"architecture   {list(net.architecture)}")
    print(f"verdict        {v.verdict}")
    print(f"method         {v.method}")
    if v.reason:
        print(f"reason         {v.reason}")
    if v.verdict == "identifiable":
        print(f"scope          {v.scope}")
    if v.certificate is not None:
        print(f"certificate    {v.certificate.to_json()}")
        if v.check is not None:
            print(f"check          equivalent={v.check.equivalent} ({v.check.method})")
    return EXIT[v.verdict]
