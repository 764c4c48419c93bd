"""``relu-geom fiber NET [--width N] [--orthant] [--json]``: the fiber of a shallow or two-hidden-layer network.

For two hidden layers the output states whether the *two-layer fiber hypotheses* hold (no
zero rows or columns, pairwise different first-layer hyperplanes, ``W2 D_S W1`` of maximal
rank for every subset ``S``, ``W3`` of maximal rank: ``bottleneck_degeneracies``), under
which the listed symmetries generate the fiber. This is a different notion from the paper-001
genericity that ``relu-geom generic`` checks (supertransversality and masked products along
realized activation patterns); a network can satisfy one and not the other.
"""

from __future__ import annotations

import argparse

from relu_geom.commands._common import add_json_option, add_network_argument, emit_json, read_network


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
    add_json_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from relu_geom.analyses.fibers import shallow_fiber, three_layer_fiber
    from relu_geom.errors import UnsupportedInputError

    net = read_network(args.net)
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
