"""The region and face stages of :func:`~relu_geom.compile_network` on several processes.

Decomposition: the first hidden layer is split in the calling process; its pieces
(in depth-first order) are cut into contiguous chunks, and each chunk is one task:
the depth-first search below its pieces (the region stage) and the face lattice of
every region found (the face stage).  A task needs only the exact integer problem
and its pieces, so it runs on any process or machine.  The results are read back
in chunk order, which is the order of the serial search, so the complex is the same
for every number of workers, cell order included; gluing faces by sign vector stays
in the calling process (a dictionary pass, linear in the number of faces).
"""

from __future__ import annotations

import gc
import multiprocessing
import time
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

from relu_geom.compiler.complex import RegionData
from relu_geom.compiler.refine import _Budget, _dfs, _expand, _face_lattice, _Glue, _Piece, _Problem
from relu_geom.errors import BackendUnavailableError

__all__ = ["PARALLEL_THRESHOLD", "cluster_executor", "parallel_stages"]

#: Below this estimate of the work (first-layer pieces x later neurons x d^2) a compile
#: stays serial: starting processes (about 0.1 s) would cost more than they save.
PARALLEL_THRESHOLD = 30_000

#: Chunks per worker: more chunks even out the load, fewer send less data.
CHUNKS_PER_WORKER = 4


def _task(
    pb: _Problem, pieces: list[_Piece], forms: Any, limits: tuple[Any, ...], count: int
) -> tuple[list[RegionData], _Glue]:
    """One chunk: the regions below ``pieces`` (depth first), their faces glued."""
    max_cells, max_seconds, max_memory = limits
    budget = _Budget(max_cells, max_seconds, max_memory, False, len(pb.widths))
    budget.count = count
    regions = []
    glue = _Glue(pb.H)
    gc.disable()
    for reg in _dfs(pb, [(pc, forms, 1, 0.0) for pc in reversed(pieces)], budget):
        regions.append(reg)
        glue.add_region(*_face_lattice(reg, pb.d, pb.dom_mask)[:2])
    return regions, glue


def parallel_stages(
    pb: _Problem, budget: _Budget, workers: int, executor: Executor | None
) -> tuple[list[RegionData], _Glue]:
    """The regions in serial order and the cells of those whose faces were glued by tasks."""
    if not pb.widths:
        return list(_dfs(pb, [(pb.start, (), 0, 1.0)], budget)), _Glue(pb.H)
    first, forms = _expand(pb, pb.start, (), 0, budget)
    later = pb.H - pb.widths[0]
    if executor is None and (workers < 2 or len(first) * (later + 1) * pb.d**2 < PARALLEL_THRESHOLD):
        return list(_dfs(pb, [(pc, forms, 1, 1.0 / len(first)) for pc in reversed(first)], budget)), _Glue(
            pb.H
        )
    n_chunks = min(len(first), CHUNKS_PER_WORKER * workers)
    bounds = [len(first) * i // n_chunks for i in range(n_chunks + 1)]
    left = None if budget.deadline is None else max(budget.deadline - time.monotonic(), 1e-3)
    limits = (budget.max_cells, left, budget.max_memory)
    own = executor is None
    if own:
        try:
            context = multiprocessing.get_context("fork")
        except ValueError:  # pragma: no cover - platforms without fork
            context = None
        executor = ProcessPoolExecutor(workers, mp_context=context)
    try:
        futures = [
            executor.submit(_task, pb, first[a:b], forms, limits, len(first))
            for a, b in zip(bounds, bounds[1:])
        ]
        regions: list[RegionData] = []
        glue = _Glue(pb.H)
        for b, fut in zip(bounds[1:], futures):
            part, part_glue = fut.result()
            regions.extend(part)
            glue.add_glue(part_glue)
            budget.bar.update(len(part))
            budget.done = b / len(first)
            budget.check_cells(len(glue.keys))
    finally:
        if own:
            executor.shutdown(wait=True, cancel_futures=True)
    return regions, glue


@contextmanager
def cluster_executor(address: str) -> Iterator[Executor]:
    """A :class:`concurrent.futures.Executor` on the Dask distributed cluster at ``address``
    (for example ``tcp://127.0.0.1:8786``), closed on exit; needs ``dask[distributed]``.

    Every worker of the cluster needs relu_geom installed (tasks are plain functions of
    this module and picklable integer data).
    """
    try:
        from distributed import Client
    except ImportError:
        raise BackendUnavailableError(
            "--cluster needs Dask distributed: pip install 'relu-geom[distributed]'"
        ) from None
    try:
        client = Client(address, timeout=30)
    except (OSError, TimeoutError, ValueError) as exc:
        raise BackendUnavailableError(f"cluster: cannot connect to {address!r} ({exc})") from None
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()
