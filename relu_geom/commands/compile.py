"""``relu-geom compile NET [--box LO HI] [--json] [-o OUT] [--max-cells N] [--max-seconds S]
[--max-memory MB] [--workers N] [--cluster ADDRESS]``."""

from __future__ import annotations

import argparse
import time

from relu_geom.commands._common import (
    add_box_option,
    add_json_option,
    add_network_argument,
    add_output_option,
    add_progress_option,
    add_work_options,
    check_output,
    emit_json,
    max_memory_bytes,
    parse_box,
    read_network,
    show_progress,
    text_stream,
    work_executor,
    write_output,
)
from relu_geom.compiler import compile_network


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
    add_work_options(p)
    add_progress_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    check_output(args.output)
    net = read_network(args.net, args)
    domain = parse_box(args)
    start = time.process_time()
    with work_executor(args) as executor:
        cx = compile_network(
            net,
            domain=domain,
            max_cells=args.max_cells,
            max_seconds=args.max_seconds,
            max_memory=max_memory_bytes(args),
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
