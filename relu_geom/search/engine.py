"""The search loop: random sampling, hill climbing and exhaustive enumeration, on all cores.

Work is cut into numbered tasks (a chunk of random samples, one hill-climbing restart,
one block of the exhaustive enumeration), each fully determined by the seed and its
number.  Workers compute tasks; the main process merges their results *in task order*,
so for a given seed and count budget the result is identical for every worker count.
A time budget stops at a task boundary; every hit found by then is kept (its certificate
already written atomically when ``out_dir`` is given).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from relu_geom._util import short_repr
from relu_geom.errors import InvalidInputError
from relu_geom.files import output_folder
from relu_geom.network import ReLUNetwork
from relu_geom.network.transforms import require_int
from relu_geom.search.moves import neighbour
from relu_geom.search.properties import Property, Verdict, require_property
from relu_geom.search.space import Layers, SearchSpace

__all__ = ["Hit", "SearchResult", "search"]

METHODS = ("random", "hill", "exhaustive")


@dataclass(frozen=True, slots=True)
class Hit:
    """One counterexample: the shrunk network, its verdict, and where it came from.

    Attributes
    ----------
    network : ReLUNetwork
        The (shrunk) network on which the property holds exactly.
    verdict : Verdict
        The exact verdict on ``network``.
    found : ReLUNetwork
        The network as the search found it (before shrinking).
    task, index : int
        The task and the position inside the task where it was found.
    path : str or None
        The certificate file, when written.
    """

    network: ReLUNetwork
    verdict: Verdict
    found: ReLUNetwork
    task: int
    index: int
    path: str | None = None


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Summary of a search.

    Attributes
    ----------
    property_name, method : str
    n_screened : int
        Candidate networks looked at (the cheap screen ran on each).
    n_decided : int
        Candidates that passed the screen and were decided exactly.
    hits : tuple of Hit
    best_value : number or None
        Best objective seen (for properties with an objective).
    best_network : ReLUNetwork or None
        The first network reaching ``best_value`` (in task order).
    seconds : float
    stopped : str
        ``"complete"`` (every task done), ``"budget"`` (time), ``"count"`` (candidates) or
        ``"hits"`` (hit limit).
    n_tasks : int
        Tasks merged.
    """

    property_name: str
    method: str
    n_screened: int
    n_decided: int
    hits: tuple[Hit, ...]
    best_value: int | Fraction | None
    best_network: ReLUNetwork | None
    seconds: float
    stopped: str
    n_tasks: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (the CLI's ``--json``)."""
        return {
            "property": self.property_name,
            "method": self.method,
            "candidates_screened": self.n_screened,
            "candidates_decided": self.n_decided,
            "hits": [h.path or h.network.to_dict() for h in self.hits],
            "n_hits": len(self.hits),
            "best_objective": None if self.best_value is None else str(self.best_value),
            "best_network": None if self.best_network is None else self.best_network.to_dict(),
            "seconds": round(self.seconds, 3),
            "stopped": self.stopped,
            "tasks": self.n_tasks,
        }


# A task result: (screened, decided, [(index, layers)], best (value, index, layers) or None)
_TaskResult = tuple[int, int, list[tuple[int, Layers]], tuple[Any, int, Layers] | None]

_JOB: dict[str, Any] = {}


def _evaluate(prop: Property, space: SearchSpace, theta: Layers, stats: list[int]) -> tuple[bool, Any]:
    """Screen, then decide; the objective is the verdict's value when it has one."""
    stats[0] += 1
    if prop.fast is not None and space.is_integral and space.architecture[0] == 1:
        stats[1] += 1
        verdict = prop.fast(theta[: len(space.architecture) - 2])
        return verdict.holds, verdict.value if prop.objective is not None else None
    if prop.pre_screen is not None and not prop.pre_screen(space.full_layers(theta)):
        return False, None
    net = space.network(theta)
    if not prop.screen(net):
        return False, None
    stats[1] += 1
    verdict = prop.decide(net)
    if prop.objective is None:
        return verdict.holds, None
    return verdict.holds, verdict.value if verdict.value is not None else prop.objective(net)


def _run_task(task: int) -> _TaskResult:
    prop: Property = _JOB["prop"]
    space: SearchSpace = _JOB["space"]
    method: str = _JOB["method"]
    seed: int = _JOB["seed"]
    stats = [0, 0]
    hits: list[tuple[int, Layers]] = []
    best: tuple[Any, int, Layers] | None = None

    def record(i: int, theta: Layers, holds: bool, value: Any) -> None:
        nonlocal best
        if holds and len(hits) < _JOB["max_hits"]:
            hits.append((i, theta))
        if value is not None and (best is None or value > best[0]):
            best = (value, i, theta)

    if method == "exhaustive":
        for i, theta in enumerate(space.iter_block(_JOB["blocks"][task])):
            holds, value = _evaluate(prop, space, theta, stats)
            record(i, theta, holds, value)
    elif method == "random":
        rng = random.Random(f"{seed}:{task}")
        for i in range(_JOB["chunk"]):
            theta = space.random(rng)
            holds, value = _evaluate(prop, space, theta, stats)
            record(i, theta, holds, value)
    else:  # hill climbing from one random start, accepting moves that do not lower the objective
        rng = random.Random(f"{seed}:{task}")
        theta = space.random(rng)
        holds, value = _evaluate(prop, space, theta, stats)
        record(0, theta, holds, value)
        for i in range(1, _JOB["chunk"]):
            cand = neighbour(space, theta, rng)
            c_holds, c_value = _evaluate(prop, space, cand, stats)
            record(i, cand, c_holds, c_value)
            if c_value is not None and value is not None and c_value >= value:
                theta, value = cand, c_value
    return stats[0], stats[1], hits, best


def _check_budget(budget: float | None, max_candidates: int | None, workers: int) -> None:
    if budget is not None and not budget > 0:
        raise InvalidInputError(f"--budget: expected a positive number of seconds, got {budget}")
    if max_candidates is not None and max_candidates < 1:
        raise InvalidInputError(f"--max-candidates: expected a positive count, got {max_candidates}")
    if workers < 1:
        raise InvalidInputError(f"--workers: expected a positive count, got {workers}")


def search(
    prop: Property,
    space: SearchSpace,
    *,
    method: str = "random",
    seed: int = 0,
    budget: float | None = None,
    max_candidates: int | None = None,
    max_hits: int = 10,
    workers: int = 1,
    chunk: int = 200,
    shrink_hits: bool = True,
    out_dir: str | os.PathLike[str] | None = None,
    progress: Callable[[int, int, Any], None] | None = None,
) -> SearchResult:
    """Search ``space`` for networks on which ``prop`` holds.

    Parameters
    ----------
    prop
        The property (:func:`relu_geom.get_property` or a factory such as
        :func:`relu_geom.regions_at_least`).
    space
        The architecture and allowed values (:class:`relu_geom.search.space.SearchSpace`).
    method
        ``"random"`` (uniform samples), ``"hill"`` (hill climbing on ``prop.objective``
        with structured moves, one restart per task) or ``"exhaustive"`` (one network per
        orbit of permutations and positive rescalings; integer values only).
    seed
        Every task is determined by ``(seed, task number)``.
    budget
        Seconds; the search stops at the first task boundary after it, and makes no more
        hits (each is shrunk, decided and certified) once it has passed and one is made,
        so it overruns the budget by at most one task and one hit.
    max_candidates
        Stop after the task during which this many candidates were screened (random and
        hill climbing default to 10000 when no budget is given).
    max_hits
        Keep at most this many hits; random and hill-climbing searches then stop, the
        exhaustive enumeration goes on to the end (for the best objective).
    workers
        Processes; results do not depend on it.
    chunk
        Candidates per random task, or steps per hill-climbing restart.
    shrink_hits
        Shrink every hit (:func:`relu_geom.shrink`).
    out_dir
        Write every hit's certificate there, atomically, as soon as it is found.
    progress
        ``progress(n_screened, n_hits, best_value)`` after each merged task.

    Returns
    -------
    SearchResult

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.search.space import SearchSpace
    >>> res = rg.search(rg.regions_at_least(4), SearchSpace.parse("1,3,1", "-1..1"), max_candidates=400, seed=1)
    >>> res.n_screened, len(res.hits) > 0, res.hits[0].network.n_hidden
    (400, True, 3)
    """
    require_property(prop)
    if not isinstance(space, SearchSpace):
        raise InvalidInputError(f"space: expected a SearchSpace, got {type(space).__name__}")
    if method not in METHODS:
        raise InvalidInputError(f"method: expected one of {', '.join(METHODS)}, got {short_repr(method)}")
    for value, what in ((seed, "seed"), (max_hits, "max_hits"), (workers, "workers"), (chunk, "chunk")):
        require_int(value, what)
    if max_candidates is not None:
        require_int(max_candidates, "max_candidates")
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, (int, float, Fraction))):
        raise InvalidInputError(f"budget: expected a number of seconds, got {type(budget).__name__}")
    _check_budget(budget, max_candidates, workers)
    if chunk < 1:
        raise InvalidInputError(f"chunk: expected a positive count, got {chunk}")
    if method == "hill" and prop.objective is None:
        raise InvalidInputError(f"method: hill climbing needs a property with an objective; {prop.name} has none")
    if method != "exhaustive" and budget is None and max_candidates is None:
        max_candidates = 10_000
    start = time.monotonic()
    blocks = space.exhaustive_blocks() if method == "exhaustive" else None
    n_tasks = len(blocks) if blocks is not None else None
    _JOB.clear()
    _JOB.update(prop=prop, space=space, method=method, seed=seed, chunk=chunk, blocks=blocks, max_hits=max_hits)
    if out_dir is not None:
        output_folder(out_dir)

    def tasks() -> Any:
        k = 0
        while n_tasks is None or k < n_tasks:
            yield k
            k += 1

    def over_budget() -> bool:
        return budget is not None and time.monotonic() - start >= budget

    screened = decided = merged = 0
    hits: list[Hit] = []
    seen: set[ReLUNetwork] = set()
    best: tuple[Any, ReLUNetwork] | None = None
    stopped = "complete"
    pool = None
    results: Iterator[Any]
    try:
        if workers > 1:
            pool = multiprocessing.get_context("fork").Pool(workers)
            results = pool.imap(_run_task, tasks(), chunksize=1)
        else:
            results = map(_run_task, tasks())
        for task, (n_s, n_d, task_hits, task_best) in enumerate(results):
            screened += n_s
            decided += n_d
            merged += 1
            if task_best is not None and (best is None or task_best[0] > best[0]):
                best = (task_best[0], space.network(task_best[2]))
            for index, theta in task_hits:
                if len(hits) >= max_hits or hits and over_budget():
                    break
                hit = _make_hit(prop, space.network(theta), task, index, shrink_hits, out_dir, seen, len(hits))
                if hit is not None:
                    hits.append(hit)
            if progress is not None:
                progress(screened, len(hits), None if best is None else best[0])
            if len(hits) >= max_hits and method != "exhaustive":
                stopped = "hits"
                break
            if max_candidates is not None and screened >= max_candidates:
                stopped = "count"
                break
            if over_budget():
                stopped = "budget"
                break
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        _JOB.clear()
    return SearchResult(
        prop.name, method, screened, decided, tuple(hits),
        None if best is None else best[0], None if best is None else best[1],
        time.monotonic() - start, stopped, merged,
    )


def _make_hit(prop: Property, found: ReLUNetwork, task: int, index: int, shrink_hits: bool,
              out_dir: Any, seen: set[ReLUNetwork], number: int) -> Hit | None:
    """Shrink, skip a repeat, write the certificate; None for a network already reported."""
    from relu_geom.search.shrink import shrink

    net = shrink(prop, found) if shrink_hits else found
    if net in seen:
        return None
    seen.add(net)
    verdict = prop.decide(net)
    path = None
    if out_dir is not None:
        from relu_geom.search.certificates import write_certificate

        path = os.path.join(os.fspath(out_dir), f"hit-{number:04d}.json")
        write_certificate(prop, net, verdict, path)
    return Hit(net, verdict, found, task, index, path)
