"""``relu-geom count NET [--box LO HI] [--regions-only] [--json] [--max-seconds S]
[--max-memory MB] [--workers N] [--cluster ADDRESS]``: count the cells without keeping them."""

from __future__ import annotations

import argparse
import contextlib
import time

from relu_geom.commands._common import (
    add_box_option,
    add_json_option,
    add_network_argument,
    add_progress_option,
    emit_json,
    parse_box,
    read_network,
    show_progress,
)
from relu_geom.compiler.parallel import cluster_executor
from relu_geom.compiler.stream import count_regions


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "count",
        help="count the regions (and cells) of a network without keeping them",
        description=(
            "Count the regions, bounded regions and (unless --regions-only) the cells of each "
            "dimension of the canonical complex of NET, in memory independent of their number; "
            "the work is split into tasks that return only their counts."
        ),
    )
    add_network_argument(p)
    add_box_option(p)
    add_json_option(p)
    p.add_argument(
        "--regions-only",
        action="store_true",
        help="count the regions and bounded regions only (no face stage: about 40%% less work in d = 3)",
    )
    p.add_argument(
        "--max-seconds", type=float, default=None, metavar="S", help="stop with an error after S seconds"
    )
    p.add_argument(
        "--max-memory",
        type=float,
        default=None,
        metavar="MB",
        help="stop with an error when memory grows by more than MB megabytes (here and in each task)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="processes to use (default: all cores); with --cluster, the cluster's workers (sets the number of tasks)",
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
    net = read_network(args.net, args)
    domain = parse_box(args)
    max_memory = None if args.max_memory is None else max(1, int(args.max_memory * 2**20))
    wall = time.perf_counter()
    with contextlib.ExitStack() as stack:
        executor = stack.enter_context(cluster_executor(args.cluster)) if args.cluster else None
        counts = count_regions(
            net,
            domain,
            regions_only=args.regions_only,
            workers=args.workers,
            executor=executor,
            max_seconds=args.max_seconds,
            max_memory=max_memory,
            progress=show_progress(args),
        )
    wall = time.perf_counter() - wall
    if args.json:
        emit_json(
            {
                "architecture": list(net.architecture),
                "domain": None if domain is None else list(domain),
                "n_regions": counts.n_regions,
                "n_bounded_regions": counts.n_bounded_regions,
                "f_vector": None if counts.f_vector is None else list(counts.f_vector),
                "seconds": round(wall, 3),
            }
        )
        return 0
    where = f"R^{net.input_dim}" if domain is None else f"[{domain[0]}, {domain[1]}]^{net.input_dim}"
    print(f"architecture          {list(net.architecture)}")
    print(f"domain                {where}")
    if counts.f_vector is not None:
        print(f"f-vector              {list(counts.f_vector)}  (vertices ... regions)")
    print(f"regions               {counts.n_regions}")
    print(f"bounded regions       {counts.n_bounded_regions}")
    print(f"seconds (wall)        {wall:.3f}")
    return 0
