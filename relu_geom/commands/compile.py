"""``relu-geom compile NET [--box LO HI] [--json] [-o OUT] [--max-cells N] [--max-seconds S]
[--max-memory MB] [--workers N] [--cluster ADDRESS]``."""

from __future__ import annotations

import argparse
import contextlib
import time

from relu_geom.commands._common import (
    add_box_option,
    add_json_option,
    add_network_argument,
    add_output_option,
    add_progress_option,
    check_output,
    emit_json,
    parse_box,
    read_network,
    show_progress,
    text_stream,
    write_output,
)
from relu_geom.compiler import compile_network
from relu_geom.compiler.parallel import cluster_executor


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compile",
        help="compile a network into its exact polyhedral complex",
        description="Compile NET into its canonical polyhedral complex and print a summary.",
    )
    add_network_argument(p)
    add_box_option(p)
    add_json_option(p)
    add_output_option(p, "the whole exact complex: compact relu-geom/complex@1 for .rgc, else JSON")
    p.add_argument(
        "--max-cells", type=int, default=None, metavar="N", help="stop with an error beyond N cells"
    )
    p.add_argument(
        "--max-seconds", type=float, default=None, metavar="S", help="stop with an error after S seconds"
    )
    p.add_argument(
        "--max-memory",
        type=float,
        default=None,
        metavar="MB",
        help="stop with an error when memory grows by more than MB megabytes",
    )
    p.add_argument(
        "--workers", type=int, default=None, metavar="N", help="processes to use (default: all cores)"
    )
    p.add_argument(
        "--cluster",
        metavar="ADDRESS",
        default=None,
        help="run the tasks on the Dask distributed scheduler at ADDRESS (e.g. tcp://127.0.0.1:8786)",
    )
    add_progress_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    check_output(args.output)
    net = read_network(args.net, args)
    domain = parse_box(args)
    start = time.process_time()
    max_memory = None if args.max_memory is None else max(1, int(args.max_memory * 2**20))
    with contextlib.ExitStack() as stack:
        executor = stack.enter_context(cluster_executor(args.cluster)) if args.cluster else None
        cx = compile_network(
            net,
            domain=domain,
            max_cells=args.max_cells,
            max_seconds=args.max_seconds,
            max_memory=max_memory,
            progress=show_progress(args),
            workers=args.workers,
            executor=executor,
        )
    seconds = time.process_time() - start
    if args.output and args.output.endswith(".rgc"):
        cx.save(args.output)
    elif args.output:
        write_output(args.output, cx.to_json())
    summary = cx.summary()
    summary["seconds"] = round(seconds, 3)
    out = text_stream(args.output)
    if args.json:
        emit_json(summary, stream=out)
        return 0
    where = f"R^{cx.dim}" if domain is None else f"[{domain[0]}, {domain[1]}]^{cx.dim}"
    print(f"architecture          {list(net.architecture)}", file=out)
    print(f"domain                {where}", file=out)
    print(f"f-vector              {list(cx.f_vector)}  (vertices ... regions)", file=out)
    print(f"regions               {cx.n_regions}", file=out)
    print(f"bounded regions       {cx.n_bounded_regions}", file=out)
    print(f"Euler characteristic  {cx.euler_characteristic}", file=out)
    print(f"seconds (CPU)         {seconds:.3f}", file=out)
    if args.output and args.output != "-":
        print(f"complex written to    {args.output}", file=out)
    return 0
