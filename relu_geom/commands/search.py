"""``relu-geom search PROPERTY --arch 2,3,3,1 [...]``: hunt counterexamples, certify every hit."""

from __future__ import annotations

import argparse
import re
import sys

from relu_geom.commands._common import emit_json
from relu_geom.errors import InvalidInputError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "search",
        help="search small networks for counterexamples; write a certificate per hit",
        description=(
            "Search networks of one architecture with small weights for PROPERTY "
            "(regions:K, pieces:K, fdim-deficit[:K], full-fdim-not-identifiable, hidden-symmetry, "
            "fewer-neurons, depth:K, invisible-hyperplane, equals:zoo:NAME)."
        ),
    )
    p.add_argument("property", metavar="PROPERTY", help="property name, e.g. regions:7 or hidden-symmetry")
    p.add_argument("--arch", required=True, help="architecture, e.g. 2,3,3,1")
    p.add_argument("--weights", default="-2..2", help="allowed values: LO..HI or LO..HI/Q (default -2..2)")
    p.add_argument("--budget", default=None, help="time budget, e.g. 60s, 5m or 30 (seconds)")
    p.add_argument("--max-candidates", type=int, default=None, help="stop after this many candidates")
    p.add_argument("--max-hits", type=int, default=10, help="stop after this many hits (default 10)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--exhaustive", action="store_true", help="every network once per orbit (integer weights)")
    p.add_argument("--hill", action="store_true", help="hill climbing on the property's objective")
    p.add_argument("--hidden-only", action="store_true", help="fix the output layer to weights 1, bias 0")
    p.add_argument("--workers", type=int, default=1, help="processes (results do not depend on it)")
    p.add_argument("--no-shrink", action="store_true", help="keep hits as found")
    p.add_argument("-o", "--output", "--out", dest="out", metavar="HITS", default=None, help="folder for the hit certificates")
    p.add_argument("--json", action="store_true", help="print one JSON summary")
    p.set_defaults(run=run)


def parse_budget(text: str | None) -> float | None:
    """``"60s"``, ``"5m"``, ``"1h"`` or ``"30"`` as seconds (positive)."""
    if text is None:
        return None
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text)
    if not m:
        raise InvalidInputError(f"--budget: expected a duration like 60s, 5m or 30, got {text!r}")
    seconds = float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[m.group(2)]
    if seconds <= 0:
        raise InvalidInputError(f"--budget: expected a positive duration, got {text!r}")
    return seconds


def run(args: argparse.Namespace) -> int:
    from relu_geom.search import get_property, search
    from relu_geom.search.space import SearchSpace

    prop = get_property(args.property)
    space = SearchSpace.parse(args.arch, args.weights, hidden_only=args.hidden_only)
    budget = parse_budget(args.budget)
    if args.exhaustive and args.hill:
        raise InvalidInputError("--exhaustive and --hill: choose one method")
    method = "exhaustive" if args.exhaustive else "hill" if args.hill else "random"
    bar = None
    if sys.stderr.isatty() and not args.json:
        from tqdm import tqdm

        bar = tqdm(desc=f"search {prop.name}", unit=" nets", file=sys.stderr)

    def progress(screened: int, hits: int, best: object) -> None:
        if bar is not None:
            bar.n = screened
            bar.set_postfix(hits=hits, best=str(best))
            bar.refresh()

    try:
        res = search(prop, space, method=method, seed=args.seed, budget=budget,
                     max_candidates=args.max_candidates, max_hits=args.max_hits, workers=args.workers,
                     shrink_hits=not args.no_shrink, out_dir=args.out, progress=progress)
    finally:
        if bar is not None:
            bar.close()
    if args.json:
        emit_json(res.to_dict())
    else:
        print(f"property    {res.property_name} ({res.method})")
        print(f"screened    {res.n_screened} candidates ({res.n_decided} decided exactly)")
        print(f"hits        {len(res.hits)}")
        if res.best_value is not None:
            print(f"best        {res.best_value}")
        print(f"time        {res.seconds:.2f} s")
        stop = {"budget": "the time budget ran out", "count": "the candidate limit was reached",
                "hits": "the hit limit was reached", "complete": "the search space was exhausted"}
        print(f"stopped     {stop[res.stopped]}")
        for h in res.hits:
            print(f"hit         {h.path or h.network.to_dict()}")
    return 0 if res.hits else 1
