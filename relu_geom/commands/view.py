"""``relu-geom view NET -o VIEW.html [--box LO HI] [--window LO HI] [--surface|--breakpoints|--graph]``.

Writes one self-contained interactive HTML page (Plotly, no network access needed to open
it): the canonical complex for input dimension 1, 2 or 3, or the graph of f, the breakpoint
complex or the bent-hyperplane graph. Hovering on a cell shows its exact data.
"""

from __future__ import annotations

import argparse

from relu_geom.commands._common import (
    add_box_option,
    add_json_option,
    add_network_argument,
    emit_json,
    parse_box,
    read_network,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "view",
        help="write an interactive HTML view of the complex (d = 1, 2, 3)",
        description="Write a self-contained interactive HTML page of the canonical complex of NET (input "
        "dimension 1, 2 or 3): hover on a cell for its sign vector, dimension, affine map and an exact "
        "interior point.",
    )
    add_network_argument(p)
    p.add_argument("-o", "--output", required=True, metavar="VIEW.html", help="page to write")
    add_box_option(p)
    p.add_argument(
        "--window", nargs=2, metavar=("LO", "HI"), help="show [LO, HI]^d (default: around every vertex)"
    )
    p.add_argument("--color-by", choices=("pattern", "affine"), default="pattern", help="region fills")
    kind = p.add_mutually_exclusive_group()
    kind.add_argument("--surface", action="store_true", help="the graph of f over a 2-D input")
    kind.add_argument("--breakpoints", action="store_true", help="the breakpoint complex (2-D input)")
    kind.add_argument("--graph", action="store_true", help="the bent-hyperplane graph")
    add_json_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from relu_geom.plotting import interactive as iv

    net = read_network(args.net, args)
    domain = parse_box(args)
    window = tuple(args.window) if args.window else None
    if args.surface:
        fig = iv.view_function_surface(net, domain=domain, window=window)
    elif args.breakpoints:
        fig = iv.view_breakpoints(net, domain=domain, window=window)
    elif args.graph:
        fig = iv.view_bent_hyperplane_graph(net, domain=domain)
    else:
        fig = iv.view_complex(net, domain=domain, window=window, color_by=args.color_by)
    iv.write_html(fig, args.output)
    if args.json:
        emit_json({"output": args.output, "traces": len(fig.data)})
    else:
        print(f"wrote {args.output} ({len(fig.data)} traces)")
    return 0
