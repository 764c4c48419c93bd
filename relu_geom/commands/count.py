"""``relu-geom count NET [--box LO HI] [--regions-only] [--json] [--max-seconds S]
[--max-memory MB] [--workers N] [--cluster ADDRESS]``: count the cells without keeping them."""

from __future__ import annotations

import argparse
import time
from typing import Any

from relu_geom.commands._common import (
    add_box_option,
    add_json_option,
    add_network_argument,
    add_progress_option,
    add_work_options,
    emit_json,
    max_memory_bytes,
    parse_box,
    read_network,
    show_progress,
    work_executor,
)
from relu_geom.compiler.stream import CellCounts, count_regions
from relu_geom.errors import LimitExceededError


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
    add_work_options(
        p,
        memory_help=" (here and in each task)",
        workers_help="; with --cluster, the cluster's workers (sets the number of tasks)",
    )
    add_progress_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    net = read_network(args.net, args)
    domain = parse_box(args)
    wall = time.perf_counter()
    try:
        with work_executor(args) as executor:
            counts = count_regions(
                net,
                domain,
                regions_only=args.regions_only,
                workers=args.workers,
                executor=executor,
                max_seconds=args.max_seconds,
                max_memory=max_memory_bytes(args),
                progress=show_progress(args),
            )
    except LimitExceededError as err:
        # the counts found by then are lower bounds: with --json they are printed, marked
        # incomplete, before the error (exit status 2)
        if args.json and isinstance(err.partial, CellCounts):
            emit_json(_report(net, domain, err.partial, time.perf_counter() - wall, complete=False))
        raise
    wall = time.perf_counter() - wall
    if args.json:
        emit_json(_report(net, domain, counts, wall, complete=True))
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


def _report(net: Any, domain: Any, counts: CellCounts, wall: float, *, complete: bool) -> dict[str, Any]:
    """The JSON object of ``--json``; with ``complete`` false every count is a lower bound."""
    return {
        "architecture": list(net.architecture),
        "domain": None if domain is None else list(domain),
        "complete": complete,
        "n_regions": counts.n_regions,
        "n_bounded_regions": counts.n_bounded_regions,
        "f_vector": None if counts.f_vector is None else list(counts.f_vector),
        "seconds": round(wall, 3),
    }
