"""``relu-geom fdim NET [--sample X.csv|X.json] [--json] [--max-regions N] [--max-seconds S]``: exact
functional dimension.

Without ``--sample`` the functional dimension at the network's parameters is
computed from the network's regions (with a sample attaining it); with a sample,
the exact rank of the Jacobian over that sample.  ``--max-regions`` (default
10,000; 0 for no bound) and ``--max-seconds`` stop the work with an error (exit 2).

Sample files: CSV (one point per line, entries separated by commas or spaces,
``#`` starts a comment; entries are read exactly from their text, so ``0.1`` is
1/10 and ``1/3`` is allowed) or JSON (a list of points, or ``{"points": [...]}``;
a JSON number with a fraction part is a float and is read as the exact binary
value it denotes; write ``"1/10"`` as a string for the decimal).
"""

from __future__ import annotations

import argparse
from fractions import Fraction
from typing import Any

from relu_geom.analyses.identifiability import (
    DEFAULT_MAX_REGIONS,
    batch_functional_dimension,
    functional_dimension,
    parameter_labels,
)
from relu_geom.arith.rational import format_rational
from relu_geom.commands._common import add_json_option, add_network_argument, emit_json, read_network
from relu_geom.io import read_sample


def _point_text(p: tuple[Fraction, ...]) -> list[int | str]:
    return [format_rational(v) for v in p]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "fdim",
        help="exact functional dimension (at the parameters, or over a sample)",
        description=(
            "Exact functional dimension of NET: the rank of the Jacobian of the parameters-to-outputs map, "
            "maximized over all finite samples (from the compiled complex), or over the given sample."
        ),
    )
    add_network_argument(p)
    p.add_argument("--sample", metavar="X", help="a sample file (.csv or .json): rank over these points only")
    add_json_option(p)
    p.add_argument(
        "--max-regions",
        type=int,
        default=DEFAULT_MAX_REGIONS,
        metavar="N",
        help=f"stop with an error when NET has more than N regions (0: no bound); default {DEFAULT_MAX_REGIONS}",
    )
    p.add_argument(
        "--max-seconds", type=float, default=None, metavar="S", help="stop with an error after S seconds"
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    net = read_network(args.net, args)
    if args.sample:
        res = batch_functional_dimension(net, read_sample(args.sample))
        out: dict[str, Any] = {
            "architecture": list(net.architecture),
            "n_parameters": net.n_parameters,
            "n_hidden": net.n_hidden,
            "rank": res.rank,
            "upper_bound": res.upper_bound,
            "n_points": res.n_points,
            "n_used": len(res.used),
            "on_bent_hyperplanes": [
                {"point": i, "neurons": [list(n) for n in neurons]} for i, neurons in res.on_bent_hyperplanes
            ],
        }
        if args.json:
            emit_json(out)
            return 0
        print(f"architecture           {out['architecture']}")
        print(f"Jacobian rank on X     {res.rank}  (D - H = {res.upper_bound})")
        print(f"points used            {len(res.used)} of {res.n_points}")
        for i, neurons in res.on_bent_hyperplanes:
            print(f"  point {i} skipped: zero pre-activation of neuron(s) {list(neurons)}")
        return 0
    res2 = functional_dimension(net, max_regions=args.max_regions or None, max_seconds=args.max_seconds)
    labels = parameter_labels(net)
    out = {
        "architecture": list(net.architecture),
        "n_parameters": net.n_parameters,
        "n_hidden": net.n_hidden,
        "functional_dimension": res2.rank,
        "upper_bound": res2.upper_bound,
        "reaches_upper_bound": res2.reaches_upper_bound,
        "n_regions": res2.n_regions,
        "sample": [_point_text(p) for p in res2.sample],
        "degenerate_regions": list(res2.degenerate_regions),
        "dead_neurons": [list(n) for n in res2.dead_neurons],
        "linear_neurons": [list(n) for n in res2.linear_neurons],
        "invisible_neurons": [list(n) for n in res2.invisible_neurons],
        "zero_parameters": [list(labels[j]) for j in res2.zero_parameters],
    }
    if args.json:
        emit_json(out)
        return 0
    print(f"architecture           {out['architecture']}")
    print(f"functional dimension   {res2.rank}")
    print(
        f"D - H                  {res2.upper_bound}  ({'reached' if res2.reaches_upper_bound else 'not reached'})"
    )
    print(f"sample attaining it    {len(res2.sample)} points (--json lists them)")
    if not res2.reaches_upper_bound:
        print(f"deficit                {res2.deficit}")
        for name in ("dead_neurons", "linear_neurons", "invisible_neurons", "degenerate_regions"):
            if out[name]:
                print(f"{name.replace('_', ' '):<23}{out[name]}")
        if res2.zero_parameters:
            shown = ", ".join(
                f"{k}_{layer}[{i}{'' if j < 0 else f',{j}'}]" for k, layer, i, j in out["zero_parameters"]
            )
            print(f"zero-derivative params {shown}")
    return 0
