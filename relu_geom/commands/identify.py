"""``relu-geom identify NET --sample X [--json]``: local identifiability from a sample (paper 003).

Exit status 0 locally identifiable (C_S holds), 1 not locally identifiable (C_N fails), 3 undecided.
"""

from __future__ import annotations

import argparse
from typing import Any

from relu_geom.analyses.identifiability import local_identifiability
from relu_geom.commands._common import (
    NO,
    UNDECIDED,
    YES,
    add_json_option,
    add_network_argument,
    emit_json,
    read_network,
)
from relu_geom.commands.fdim import read_sample


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "identify",
        help="local identifiability from a finite sample (conditions C_N and C_S)",
        description=(
            "Exact ranks R_Gamma and R_A of paper 003 for NET and the sample X, and the verdict: "
            "'locally identifiable' (C_S holds, exit 0), 'not locally identifiable' (C_N fails, exit 1) or "
            "'undecided' (exit 3)."
        ),
    )
    add_network_argument(p)
    p.add_argument("--sample", metavar="X", required=True, help="the sample file (.csv or .json)")
    add_json_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    net = read_network(args.net, args)
    res = local_identifiability(net, read_sample(args.sample))
    out: dict[str, Any] = {
        "architecture": list(net.architecture),
        "n_points": res.n_points,
        "n_free": res.n_free,
        "r_gamma": res.r_gamma,
        "rank_alpha": res.rank_alpha,
        "r_a": res.r_a,
        "n_paths": res.n_paths,
        "c_n": res.c_n,
        "c_s": res.c_s,
        "verdict": res.verdict,
        "fixed_weights": [list(f) for f in res.fixed_weights],
    }
    if args.json:
        emit_json(out)
        return _status(res.verdict)
    print(f"architecture           {out['architecture']}")
    print(f"sample points          {res.n_points}")
    print(f"|F| + |B|              {res.n_free}")
    print(f"R_Gamma                {res.r_gamma}")
    print(f"rank alpha             {res.rank_alpha}  ({res.n_paths} paths)")
    print(f"R_A                    {res.r_a}")
    print(f"C_N                    {'holds' if res.c_n else 'fails'}")
    print(f"C_S                    {'holds' if res.c_s else 'fails'}")
    print(f"verdict                {res.verdict}")
    return _status(res.verdict)


def _status(verdict: str) -> int:
    return {"locally identifiable": YES, "not locally identifiable": NO}.get(verdict, UNDECIDED)
