"""``relu-geom demo [-o FIG.png] [--no-plot]``: the main job on a bundled example network."""

from __future__ import annotations

import argparse
import time
from importlib import resources

from relu_geom.commands._common import add_output_option, check_output, save_to_output, text_stream
from relu_geom.compiler import compile_network


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="compile the bundled example network and draw its complex",
        description="Compile the bundled [2, 4, 3, 1] example over R^2 and over [-2, 2]^2, "
        "print both summaries and draw the complex.",
    )
    add_output_option(p, "the picture", default="relu-geom-demo.png")
    p.add_argument("--no-plot", action="store_true", help="print the summaries only")
    p.set_defaults(run=run)


def demo_network_path() -> str:
    """Path of the bundled example network file."""
    return str(resources.files("relu_geom").joinpath("examples/demo.json"))


def run(args: argparse.Namespace) -> int:
    from relu_geom import io

    if not args.no_plot:
        check_output(args.output)
    out = text_stream(None if args.no_plot else args.output)
    path = demo_network_path()
    net = io.load_network(path)
    print(f"example network       {path}", file=out)
    print(f"architecture          {list(net.architecture)}", file=out)
    full = None
    for domain, label in ((None, "R^2"), (("-2", "2"), "[-2, 2]^2")):
        start = time.process_time()
        cx = compile_network(net, domain=domain)
        seconds = time.process_time() - start
        full = full or cx
        print(
            f"over {label:<17}f-vector {list(cx.f_vector)}, {cx.n_regions} regions "
            f"({cx.n_bounded_regions} bounded), Euler characteristic {cx.euler_characteristic}, "
            f"{seconds:.3f} s",
            file=out,
        )
    if not args.no_plot:
        from relu_geom.plotting import plot_complex, save_figure

        save_to_output(args.output, lambda fig: save_figure(lambda ax: plot_complex(full, ax=ax), fig))
        print(f"picture written to    {args.output}", file=out)
    return 0
