"""``relu-geom plot NET -o FIG.png [--box LO HI] [--color-by pattern|affine] [--surface] [--slice xK=V ...]``.

Draws the canonical complex of a network with input dimension 1 or 2 (or,
with ``--slice``, of a plane section of a higher-dimensional one), or with
``--surface`` the graph of f over a 2-D domain.  The picture is written
atomically: nothing is left at FIG when an error happens.
"""

from __future__ import annotations

import argparse
import re

from relu_geom.commands._common import (
    add_box_option,
    add_network_argument,
    add_output_option,
    check_output,
    is_stdout,
    parse_box,
    read_network,
    save_to_output,
    text_stream,
)
from relu_geom.errors import InvalidInputError, UnsupportedInputError

_SLICE_RE = re.compile(r"^\s*x(\d+)\s*=\s*(\S+)\s*$")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "plot",
        help="draw the complex of a network with input dimension 1 or 2",
        description="Draw the canonical polyhedral complex of NET (input dimension 1 or 2): regions filled, "
        "facets coloured by the neuron whose bent hyperplane they lie on, vertices; an unbounded complex is "
        "shown in a window that contains every vertex. With --slice, a plane section of a network of higher "
        "input dimension.",
    )
    add_network_argument(p)
    add_output_option(p, "the picture (.png, .pdf, .svg, ...; PNG for '-')", required=True)
    add_box_option(p)
    p.add_argument(
        "--window", nargs=2, default=None, metavar=("LO", "HI"),
        help="show the square [LO, HI]^d (exact numbers: -2, 1/2, 0.25); default: around the central "
        "90%% of the vertices when far-away ones would shrink the rest, else around every vertex",
    )  # fmt: skip
    p.add_argument(
        "--color-by",
        choices=("pattern", "affine"),
        default="pattern",
        help="fill regions by activation pattern (default) or by affine piece",
    )
    p.add_argument("--surface", action="store_true", help="draw the graph of f over the 2-D domain in 3-D")
    p.add_argument(
        "--slice",
        action="append",
        default=None,
        metavar="xK=V",
        help="fix input coordinate K (1-based) to the value V, e.g. --slice x3=0; "
        "repeat until two coordinates are free",
    )
    p.add_argument(
        "--output-index", type=int, default=0, metavar="K", help="output coordinate to draw (0-based)"
    )
    p.add_argument("--dpi", type=int, default=150, help="resolution of raster pictures (default 150)")
    p.add_argument(
        "--breakpoints",
        action="store_true",
        help="draw the breakpoint complex (input dimension 2) with facet weights and candidate bent "
        "hyperplanes coloured, and the bent-hyperplane graph beside it",
    )
    p.set_defaults(run=run)


def parse_slices(specs: list[str], dim: int) -> dict[int, str]:
    """``["x3=0", "x4=1/2"]`` -> ``{2: "0", 3: "1/2"}`` (0-based coordinates), checked against ``dim``."""
    fix: dict[int, str] = {}
    for spec in specs:
        m = _SLICE_RE.match(spec)
        if m is None:
            raise InvalidInputError(f"--slice: expected xK=VALUE (e.g. x3=0), got {spec!r}")
        k = int(m.group(1))
        if not 1 <= k <= dim:
            raise InvalidInputError(
                f"--slice: coordinate x{k} does not exist for input dimension {dim} (x1..x{dim})"
            )
        if k - 1 in fix:
            raise InvalidInputError(f"--slice: coordinate x{k} is fixed twice")
        fix[k - 1] = m.group(2)
    if len(fix) != dim - 2:
        raise InvalidInputError(
            f"--slice: input dimension {dim} needs {dim - 2} fixed coordinate(s) to leave a plane, got {len(fix)}"
        )
    return fix


def run(args: argparse.Namespace) -> int:
    from relu_geom import plotting
    from relu_geom.analyses.breakpoints.bent_hyperplanes import candidate_bent_hyperplanes
    from relu_geom.plotting.complex import figure_format

    check_output(args.output)  # a bad folder or extension fails before any work
    if not is_stdout(args.output):
        figure_format(args.output)
    out = text_stream(args.output)
    net = read_network(args.net, args)
    window = tuple(args.window) if args.window else None
    domain = parse_box(args)
    d = net.input_dim
    if args.breakpoints:
        if d != 2 or args.slice or args.surface:
            raise UnsupportedInputError(
                f"--breakpoints: draws input dimension 2 without --slice or --surface, got input dimension {d}"
            )
        bpic = plotting.plot_breakpoints(net, domain=domain, output=args.output_index, window=window)
        save_to_output(args.output, lambda path: bpic.savefig(path, dpi=args.dpi))
        bc = bpic.breakpoint_complex
        print(
            f"wrote {args.output}: {bc.n_facets} breakpoint facets, {len(candidate_bent_hyperplanes(bc).candidates)} candidates",
            file=out,
        )
        return 0
    if args.slice:
        if d < 3:
            raise InvalidInputError(f"--slice: only for input dimension 3 or more, got {d}")
        fix = parse_slices(args.slice, d)
        pic = plotting.plot_slice(
            net,
            fix=fix,
            domain=domain,
            surface=args.surface,
            color_by=args.color_by,
            output=args.output_index,
            window=window,
        )
    else:
        if d not in (1, 2):
            raise UnsupportedInputError(
                f"plot: NET has input dimension {d}; plot draws dimension 1 or 2; for a plane section pass "
                + " ".join(f"--slice x{k}=0" for k in range(3, d + 1))
            )
        if args.surface and d != 2:
            raise UnsupportedInputError(f"--surface: needs input dimension 2, got {d}")
        from relu_geom.compiler import compile_network

        cx = compile_network(net, domain=domain)
        if args.surface:
            pic = plotting.plot_function_surface(cx, color_by=args.color_by, output=args.output_index, window=window)
        else:
            pic = plotting.plot_complex(cx, color_by=args.color_by, output=args.output_index, window=window)
    save_to_output(args.output, lambda path: pic.savefig(path, dpi=args.dpi))
    cx = pic.complex
    print(f"wrote {args.output}: {cx.n_regions} regions, f-vector {list(cx.f_vector)}", file=out)
    return 0
