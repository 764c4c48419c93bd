"""``relu-geom fiber NET [--width N] [--orthant] [--deep [--arch A]] [--json]``: the fiber of a network.

Without ``--deep``: one or two hidden layers (shallow fiber, bottleneck families).
With ``--deep``: any depth, as configuration sets (``rg.deep_fiber``), in the
architecture ``--arch`` (comma-separated widths, default the network's own).

For two hidden layers the output states whether the *two-layer fiber hypotheses* hold (no
zero rows or columns, pairwise different first-layer hyperplanes, ``W2 D_S W1`` of maximal
rank for every subset ``S``, ``W3`` of maximal rank: ``bottleneck_degeneracies``), under
which the listed symmetries generate the fiber. This is a different notion from the paper-001
genericity that ``relu-geom generic`` checks (supertransversality and masked products along
realized activation patterns); a network can satisfy one and not the other.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from relu_geom.commands._common import add_json_option, add_network_argument, emit_json, read_network

if TYPE_CHECKING:
    from relu_geom.network import ReLUNetwork


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "fiber",
        help="the parameters realizing the same function (pieces, dimensions, samples)",
        description=(
            "For one hidden layer: the fiber as pieces with dimensions and sample points. "
            "For two hidden layers: the symmetries generating the fiber, and whether the two-layer fiber "
            "hypotheses hold (not the same as paper-001 genericity, see 'relu-geom generic')."
        ),
    )
    add_network_argument(p)
    p.add_argument("--width", type=int, default=None, help="hidden width of the fiber (one hidden layer)")
    p.add_argument("--orthant", action="store_true", help="restrict inputs to the nonnegative orthant")
    p.add_argument("--deep", action="store_true", help="any depth: the fiber as configuration sets")
    p.add_argument("--arch", default=None, help="with --deep: target architecture, e.g. 2,2,2,1")
    add_json_option(p)
    p.set_defaults(run=run)


def _run_deep(args: argparse.Namespace, net: ReLUNetwork) -> int:
    from relu_geom.analyses.fibers import deep_fiber
    from relu_geom.errors import InvalidInputError

    arch = None
    if args.arch is not None:
        try:
            arch = [int(v) for v in args.arch.split(",")]
        except ValueError:
            raise InvalidInputError(
                f"--arch: expected comma-separated widths like 2,2,2,1, got {args.arch!r}"
            ) from None
    fib = deep_fiber(net, arch)
    if args.json:
        emit_json(fib.to_dict())
        return 0
    en = fib.enumeration
    print(f"architecture   {list(fib.architecture)}  status {fib.status}")
    if fib.reason:
        print(f"reason         {fib.reason}")
    print(
        f"configurations {len(en.configurations)}  ({en.n_assignments} assignments, {en.n_sign_choices} sign choices)"
    )
    for rule, n in sorted(en.pruned.items()):
        print(f"  pruned {n:6d}  {rule}")
    print(f"empty          {fib.n_empty}")
    for why, n in sorted(fib.empty_reasons.items()):
        print(f"  {n:6d}  {why}")
    for p in fib.pieces:
        dim = "" if p.dimension is None else f"  dimension {p.dimension}"
        if p.dimension is None and p.dimension_bounds is not None:
            dim = f"  dimension {p.dimension_bounds[0]}..{p.dimension_bounds[1]}"
        print(
            f"  piece {p.kind} ({p.decision}){dim}  phi {list(p.configuration.neuron_of_candidate)}  {p.reason}".rstrip()
        )
    return 0


def run(args: argparse.Namespace) -> int:
    from relu_geom.analyses.fibers import shallow_fiber, three_layer_fiber
    from relu_geom.errors import UnsupportedInputError

    net = read_network(args.net)
    if args.deep:
        return _run_deep(args, net)
    if net.depth == 1:
        fib = shallow_fiber(net, args.width, domain="orthant" if args.orthant else None)
        if args.json:
            emit_json(fib.to_dict())
            return 0
        print(f"architecture   {list(fib.architecture)}  domain {fib.domain or 'R^d'}")
        print(f"hinges         {fib.decomposition.n_hinges}")
        print(f"pieces         {len(fib.pieces)}  (largest dimension {fib.dimension})")
        for p in fib.pieces:
            print(f"  {p.describe()}")
        return 0
    if net.depth == 2:
        tf = three_layer_fiber(net)
        if args.json:
            out = tf.to_dict()
            out["fiber_hypotheses_hold"] = out.pop("generic")
            emit_json(out)
            return 0
        holds = "hold" if tf.is_generic else "fail"
        print(f"architecture            {list(net.architecture)}")
        print(f"two-layer fiber hypotheses {holds} (not paper-001 genericity: see 'relu-geom generic')")
        for line in tf.describe():
            print(f"  {line}")
        for line in tf.degeneracies:
            print(f"  fails: {line}")
        return 0
    raise UnsupportedInputError(
        f"NET: fibers are described for one or two hidden layers, got architecture {list(net.architecture)}"
    )
