"""``relu-geom generic NET [--json] [--max-checks N] [--max-cells N] [--max-seconds S]``: the genericity
conditions of paper 001.

*Paper-001 generic* means: the bent hyperplanes are supertransversal and the masked products
along realized activation patterns have maximal rank. Exit status 0 when both hold, 1 when one
fails (with a witness), 3 when undecided (``--max-checks`` reached), 2 with an error when the
compile passes ``--max-cells`` (default 10,000) or the time passes ``--max-seconds``. This is not the set of
*two-layer fiber hypotheses* that ``relu-geom fiber`` reports.
"""

from __future__ import annotations

import argparse

from relu_geom.analyses.genericity import DEFAULT_MAX_CELLS, DEFAULT_MAX_CHECKS, genericity_report
from relu_geom.commands._common import (
    add_json_option,
    add_network_argument,
    decision_status,
    emit_json,
    read_network,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "generic",
        help="paper-001 genericity: supertransversality and maximal rank of masked products (exit 0/1/3)",
        description=(
            "Check exactly the two genericity conditions of paper 001 for NET and print a witness for a failure. "
            "Exit status 0 generic, 1 not generic, 3 undecided."
        ),
    )
    add_network_argument(p)
    add_json_option(p)
    p.add_argument(
        "--max-checks",
        type=int,
        default=DEFAULT_MAX_CHECKS,
        metavar="N",
        help=f"bound on masked-product rank computations (beyond it: undecided); default {DEFAULT_MAX_CHECKS}",
    )
    p.add_argument(
        "--max-cells",
        type=int,
        default=DEFAULT_MAX_CELLS,
        metavar="N",
        help=f"stop with an error when the complex has more than N cells (0: no bound); default {DEFAULT_MAX_CELLS}",
    )
    p.add_argument(
        "--max-seconds", type=float, default=None, metavar="S", help="stop with an error after S seconds"
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    net = read_network(args.net, args)
    rep = genericity_report(
        net, max_checks=args.max_checks, max_cells=args.max_cells or None, max_seconds=args.max_seconds
    )
    st, mp = rep.supertransversality, rep.masked_products
    out = {
        "architecture": list(net.architecture),
        "notion": "paper-001 genericity (supertransversal, masked products of maximal rank)",
        "is_generic": rep.is_generic,
        "failing": list(rep.failing),
        "supertransversality": st.to_dict(),
        "masked_products": mp.to_dict(),
    }
    if args.json:
        emit_json(out)
        return decision_status(rep.is_generic)
    verdict = {True: "generic", False: "not generic", None: "undecided"}[rep.is_generic]
    verdict += " (paper 001: supertransversal and masked products of maximal rank)"
    print(f"architecture           {out['architecture']}")
    print(f"supertransversality    {'holds' if st.holds else 'fails'}  ({st.n_cells} cells)")
    if st.witness:
        sw = st.witness
        print(
            f"  witness: cell {sw.index} of dimension {sw.dim} lies in {sw.n_bent} bent hyperplanes "
            f"(codimension {sw.codim}), sign vector {list(sw.sign_vector)}"
        )
    status = {True: "holds", False: "fails", None: "undecided (limit reached)"}[mp.holds]
    print(f"masked products        {status}  ({mp.n_checked} ranks of {mp.n_sequences} sequences)")
    if mp.witness:
        mw = mp.witness
        print(
            f"  witness: layer {mw.layer}, index sets {[list(s) for s in mw.index_sets]}: "
            f"rank {mw.rank}, expected {mw.expected}"
        )
    print(f"verdict                {verdict}")
    return decision_status(rep.is_generic)
