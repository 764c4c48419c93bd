"""``relu-geom generic NET [--json] [--max-checks N]``: the genericity conditions of paper 001."""

from __future__ import annotations

import argparse
from typing import Any

from relu_geom.analyses.genericity import genericity_report
from relu_geom.arith.rational import format_rational
from relu_geom.commands._common import add_network_argument, emit_json, read_network


def _jsonable(obj: Any) -> Any:
    from fractions import Fraction

    if isinstance(obj, Fraction):
        return format_rational(obj)
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    return obj


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "generic",
        help="check supertransversality and maximal rank of masked products",
        description=(
            "Check exactly the two genericity conditions of paper 001 for NET and print a witness for a failure."
        ),
    )
    add_network_argument(p)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument(
        "--max-checks",
        type=int,
        default=100_000,
        metavar="N",
        help="bound on masked-product rank computations (beyond it: undecided)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    net = read_network(args.net, args)
    rep = genericity_report(net, max_checks=args.max_checks)
    st, mp = rep.supertransversality, rep.masked_products
    out = {
        "architecture": list(net.architecture),
        "is_generic": rep.is_generic,
        "failing": list(rep.failing),
        "supertransversality": {"holds": st.holds, "n_cells": st.n_cells, "witness": _jsonable(st.witness)},
        "masked_products": {
            "holds": mp.holds,
            "n_checked": mp.n_checked,
            "n_sequences": mp.n_sequences,
            "witness": _jsonable(mp.witness),
        },
    }
    if args.json:
        emit_json(out)
        return 0
    verdict = {True: "generic", False: "not generic", None: "undecided"}[rep.is_generic]
    print(f"architecture           {out['architecture']}")
    print(f"supertransversality    {'holds' if st.holds else 'fails'}  ({st.n_cells} cells)")
    if st.witness:
        w = st.witness
        print(
            f"  witness: cell {w['index']} of dimension {w['dim']} lies in {w['n_bent']} bent hyperplanes "
            f"(codimension {w['codim']}), sign vector {list(w['sign_vector'])}"
        )
    status = {True: "holds", False: "fails", None: "undecided (limit reached)"}[mp.holds]
    print(f"masked products        {status}  ({mp.n_checked} ranks of {mp.n_sequences} sequences)")
    if mp.witness:
        w = mp.witness
        print(
            f"  witness: layer {w['layer']}, index sets {[list(s) for s in w['index_sets']]}: "
            f"rank {w['rank']}, expected {w['expected']}"
        )
    print(f"verdict                {verdict}")
    return 0
