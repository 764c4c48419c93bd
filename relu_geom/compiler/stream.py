"""Streaming compilation: the cells of a network one at a time, in bounded memory.

:func:`iter_cells` runs the region stage depth first (as :func:`~relu_geom.compile_network`
does) and, for every region as soon as it is finished, enumerates its face lattice and
yields the region and the faces it *owns*.  Nothing is kept between regions, so memory
is bounded by the depth-first stack (depth x width pieces), independent of the number
of regions.

Owner rule (each cell exactly once, decided locally)
-----------------------------------------------------
Let ``c`` be a fixed interior point of the domain (the origin over ``R^d``) and ``x`` a
point of a cell ``F``.  The point ``x + eps (c - x) + eps delta (e_1 + delta e_2 + ...)``
lies, for ``0 < delta << eps << 1``, in the interior of exactly one region of the star
of ``F`` (it is inside the domain and off every hyperplane through ``x``).  That region
owns ``F``.  A region ``R = {phi_i >= 0}`` containing ``F`` owns it exactly when every
facet form ``phi_i`` of ``R`` vanishing on ``F`` satisfies ``phi_i(c) > 0``, or
``phi_i(c) = 0`` and the first nonzero coefficient of its linear part is positive; the
test is independent of ``x``, uses only ``R``'s own facets, and is exact integer
arithmetic on the homogenized forms.
"""

from __future__ import annotations

import gzip
import os
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from fractions import Fraction
from typing import IO, Any, NamedTuple

from relu_geom.compiler.complex import Key, PolyhedralComplex, RegionData
from relu_geom.compiler.refine import (
    PARALLEL_THRESHOLD,
    _available_cores,
    _Budget,
    _check_limits,
    _close,
    _dfs,
    _expand,
    _face_lattice,
    _glue_all,
    _main_would_rerun,
    _merge,
    _NoBar,
    _Problem,
    _process_pool,
    _refused_facets,
    _wait,
    _work_estimate,
    parse_domain,
)
from relu_geom.compiler.store import STREAM_FORMAT, header_lines, read_stream, region_line
from relu_geom.errors import FileFormatError, InvalidInputError, LimitExceededError
from relu_geom.files import as_path, output_path, write_bytes_atomic
from relu_geom.geometry.lattice import iter_bits
from relu_geom.geometry.polyhedron import Polyhedron
from relu_geom.network import ReLUNetwork

__all__ = [
    "CellCounts",
    "StreamedCell",
    "count_regions",
    "iter_cells",
    "iter_regions",
    "load_stream",
    "region_samples",
    "stream_to_file",
]


@dataclass(frozen=True, slots=True)
class StreamedCell:
    """A cell of the canonical complex, as streamed by :func:`iter_cells`.

    Attributes
    ----------
    dim : int
        Dimension of the cell.
    sign_key : tuple[int, int, int]
        ``(positive, negative, tight domain constraints)`` bitsets, as
        :attr:`Cell.sign_key <relu_geom.Cell.sign_key>`.
    region : RegionData
        The exact data of the region that owns the cell (its closure contains it).
    raymask : int
        Bit ``i`` set when generator ``i`` of ``region`` lies on the cell's closure.
    n_hidden : int
        The number of hidden neurons.
    """

    dim: int
    sign_key: Key
    region: RegionData
    raymask: int
    n_hidden: int

    @property
    def sign_vector(self) -> tuple[int, ...]:
        """Signs (-1, 0, +1) of all hidden pre-activations on the cell."""
        pos, neg, _ = self.sign_key
        return tuple((pos >> g & 1) - (neg >> g & 1) for g in range(self.n_hidden))

    @property
    def is_bounded(self) -> bool:
        """True when the cell is bounded."""
        rays = self.region.rays
        return all(rays[i][-1] for i in iter_bits(self.raymask)) and not self.region.lin

    @property
    def interior_point(self) -> tuple[Fraction, ...]:
        """An exact point of the cell: the sum of its homogeneous generators, dehomogenized."""
        rays = self.region.rays
        acc = [sum(c) for c in zip(*(rays[i] for i in iter_bits(self.raymask)))]
        return tuple(Fraction(x, acc[-1]) for x in acc[:-1])

    @property
    def polyhedron(self) -> Polyhedron:
        """The closure of the cell as an exact :class:`~relu_geom.Polyhedron`."""
        rays = self.region.rays
        verts, dirs = [], []
        for i in iter_bits(self.raymask):
            g = rays[i]
            if g[-1]:
                verts.append([Fraction(x, g[-1]) for x in g[:-1]])
            else:
                dirs.append(g[:-1])
        return Polyhedron.from_vrep(verts, dirs, [v[:-1] for v in self.region.lin])


class CellCounts(NamedTuple):
    """What :func:`count_regions` counts (``f_vector`` is None for a count of the regions only)."""

    n_regions: int
    n_bounded_regions: int
    f_vector: tuple[int, ...] | None


def iter_cells(
    net: ReLUNetwork,
    domain: Any = None,
    *,
    regions_only: bool = False,
    max_seconds: float | None = None,
    max_memory: int | None = None,
) -> Iterator[StreamedCell]:
    """Every cell of the canonical complex of ``net`` over ``domain``, each exactly once,
    region by region (depth first), in memory independent of the number of cells.

    A region comes first, then the faces it owns (see the module's owner rule).  The
    cells are those of :func:`~relu_geom.compile_network` (same sign keys), in another
    order.  ``max_seconds`` and ``max_memory`` bound the work as for
    :func:`~relu_geom.compile_network`.

    Examples
    --------
    >>> import relu_geom as rg
    >>> sorted(c.dim for c in rg.iter_cells(rg.zoo.abs_1d()))  # a point and two half-lines
    [0, 1, 1]
    """
    if not isinstance(net, ReLUNetwork):
        raise InvalidInputError(f"net: expected a ReLUNetwork, got {type(net).__name__}")
    _check_limits(None, max_seconds, max_memory)
    pb = _Problem(net, parse_domain(domain, net.input_dim))
    return _stream(net, pb, _Budget(None, max_seconds, max_memory, False, len(pb.widths)), regions_only)


def iter_regions(
    net: ReLUNetwork, domain: Any = None, *, max_seconds: float | None = None, max_memory: int | None = None
) -> Iterator[StreamedCell]:
    """The regions (``d``-cells) of ``net`` over ``domain``, streamed depth first in bounded memory.

    Examples
    --------
    >>> import relu_geom as rg
    >>> [r.sign_vector for r in rg.iter_regions(rg.zoo.abs_1d())]
    [(1, -1), (-1, 1)]
    """
    return iter_cells(net, domain, regions_only=True, max_seconds=max_seconds, max_memory=max_memory)


def count_regions(
    net: ReLUNetwork,
    domain: Any = None,
    *,
    regions_only: bool = False,
    workers: int | None = 1,
    executor: Executor | None = None,
    max_seconds: float | None = None,
    max_memory: int | None = None,
    progress: bool = False,
) -> CellCounts:
    """The number of regions, of bounded regions and the f-vector, without keeping the cells.

    With ``regions_only`` the face stage is not run: the regions and the bounded regions are
    counted and ``f_vector`` is None (about 40 % less work in ``d = 3``).

    The work is split into tasks as :func:`~relu_geom.compile_network` splits it, but each
    task returns only its counts, so the memory of this process stays flat however many
    regions there are.  The first hidden layer is split here by its first neurons only, until
    there are at least ``PIECES_PER_TASK x TASKS_PER_WORKER`` pieces per worker (or the layer
    is done); the pieces are dealt round robin to ``TASKS_PER_WORKER x workers`` tasks, and each task splits
    its pieces by the rest of the layer and searches the regions below them depth first
    (counting each face by the one region that owns it, the owner rule above).  The tasks run
    on ``workers`` processes (``1``, the default: here; ``None``: all cores) or on
    ``executor``, any :class:`concurrent.futures.Executor` (for example
    ``dask.distributed.Client(address).get_executor()``; ``workers``, or all local cores when
    None, then only sets the number of tasks).  A count whose work is too small to pay for
    worker processes stays here.  The counts are the same for every number of workers.
    ``max_seconds`` bounds the wall time of the whole count, ``max_memory`` the growth of this
    process and of each task.  At a limit the :class:`~relu_geom.LimitExceededError` keeps in
    ``partial`` the :class:`CellCounts` of the regions found by then (with a pool, of the
    tasks that finished): each number is a lower bound of the true one, since every region
    and every face is counted once, by its owner.  ``progress`` shows a progress bar on stderr: the tasks
    finished and the regions they counted.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[1, 1]]], [[0, 0], [0]])
    >>> rg.count_regions(net)
    CellCounts(n_regions=4, n_bounded_regions=0, f_vector=(1, 4, 4))
    >>> rg.count_regions(net, (-1, 1), regions_only=True, workers=2)
    CellCounts(n_regions=4, n_bounded_regions=4, f_vector=None)
    """
    if not isinstance(net, ReLUNetwork):
        raise InvalidInputError(f"net: expected a ReLUNetwork, got {type(net).__name__}")
    _check_limits(None, max_seconds, max_memory)
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise InvalidInputError(f"workers: expected a positive integer or None, got {workers!r:.40}")
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise InvalidInputError(
            f"executor: expected a concurrent.futures.Executor (with submit) or None, got {executor!r:.40}"
        )
    if not isinstance(regions_only, bool):
        raise InvalidInputError(f"regions_only: expected True or False, got {regions_only!r:.40}")
    pb = _Problem(net, parse_domain(domain, net.input_dim))
    budget = _Budget(None, max_seconds, max_memory, False, len(pb.widths), "count_regions", "max_regions", "regions")
    n_workers = _available_cores() if workers is None else workers
    n_tasks = TASKS_PER_WORKER * n_workers
    pieces, done = _split_first_neurons(pb, budget, PIECES_PER_TASK * n_tasks)
    left = None if budget.deadline is None else max(budget.deadline - time.monotonic(), 0.001)
    limits = (left, max_memory, max_seconds)
    try:
        if executor is None and (
            n_workers < 2
            or len(pieces) < 2
            or _work_estimate(pb, len(pieces)) < PARALLEL_THRESHOLD
            or _main_would_rerun()
        ):
            results = [_count_task(pb, pieces, done, limits, regions_only)]
        else:
            results = _run_count_tasks(
                pb, budget, pieces, done, limits, regions_only, n_workers, n_tasks, executor, progress
            )
    except LimitExceededError as err:
        if not isinstance(err.partial, list):
            raise
        part = _add_counts(pb.d, err.partial, regions_only)
        raise LimitExceededError(
            f"{err}; counted by then (each a lower bound): {part.n_regions} regions, "
            f"{part.n_bounded_regions} bounded",
            partial=part,
        ) from None
    return _add_counts(pb.d, results, regions_only)


def _add_counts(d: int, results: list[tuple[list[int], int, int]], regions_only: bool) -> CellCounts:
    """The counts of several tasks together (they own disjoint sets of cells)."""
    counts = [sum(col) for col in zip(*(r[0] for r in results), strict=True)] if results else [0] * (d + 1)
    return CellCounts(
        sum(r[1] for r in results), sum(r[2] for r in results), None if regions_only else tuple(counts)
    )


#: Tasks per worker of :func:`count_regions` (more tasks even out the load; each returns only
#: a few integers, so many cost little).
TASKS_PER_WORKER = 32

#: Pieces of the first layer's first neurons per task of :func:`count_regions`: the pieces
#: differ much in work (those near the centre of the arrangement hold most regions), so
#: each task gets many, dealt round robin.
PIECES_PER_TASK = 16


def _split_first_neurons(pb: _Problem, budget: _Budget, target: int) -> tuple[list[Any], int]:
    """The pieces of the domain split by the first neurons of the first hidden layer, one
    neuron at a time until there are at least ``target`` pieces, and the number of neurons
    used."""
    pieces = [pb.start]
    if not pb.widths:
        return pieces, 0
    done, width = 0, pb.widths[0]
    while done < width and len(pieces) < target:
        nxt = []
        for pc in pieces:
            nxt.extend(_expand(pb, pc, (), 0, budget, neurons=range(done, done + 1))[0])
        pieces, done = nxt, done + 1
    return pieces, done


def _run_count_tasks(
    pb: _Problem,
    budget: _Budget,
    pieces: list[Any],
    done: int,
    limits: tuple[Any, ...],
    regions_only: bool,
    workers: int,
    n_tasks: int,
    executor: Executor | None,
    progress: bool,
) -> list[tuple[list[int], int, int]]:
    """The counts of the tasks (the pieces dealt round robin), on ``executor`` or a pool of
    our own (always closed); all tasks are submitted at once, as their results are small."""
    n_tasks = min(n_tasks, len(pieces))
    pool = _process_pool(workers) if executor is None else None
    run = executor or pool
    assert run is not None
    finished = False
    futures: list[Any] = []
    bar: Any = _NoBar()
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=n_tasks, unit=" tasks", desc="counting", leave=False, mininterval=1.0)
    try:
        futures = [
            run.submit(_count_task, pb, pieces[i::n_tasks], done, limits, regions_only) for i in range(n_tasks)
        ]
        del pieces
        results: list[tuple[list[int], int, int]] = []
        try:
            for fut in futures:
                results.append(_wait(fut, budget))
                bar.set_postfix_str(f"{sum(r[1] for r in results)} regions", refresh=False)
                bar.update(1)
        except LimitExceededError as err:
            # the tasks finished (and the one that hit its own limit) counted disjoint cells
            results.extend(err.partial if isinstance(err.partial, list) else [])
            raise LimitExceededError(*err.args, partial=results) from None
        finished = True
        return results
    finally:
        bar.close()
        if not finished:
            for fut in futures:
                fut.cancel()
        if pool is not None:
            _close(pool, finished)


def _count_task(
    pb: _Problem, pieces: list[Any], done: int, limits: tuple[Any, ...], regions_only: bool
) -> tuple[list[int], int, int]:
    """One task of :func:`count_regions`: the cells of each dimension owned by the regions
    below ``pieces`` (split by the first ``done`` neurons of the first layer), the number of
    regions and of bounded regions."""
    left, max_memory, max_seconds = limits
    budget = _Budget(None, left, max_memory, False, len(pb.widths), "count_regions", "max_regions", "regions")
    budget.max_seconds = max_seconds  # an error names the caller's bound, not what was left of it
    d = pb.d
    counts = [0] * (d + 1)
    n_regions = bounded = 0
    stack: list[Any] = []
    try:
        for piece in reversed(pieces):
            if pb.widths:
                rest = range(done, pb.widths[0])
                split, forms = _expand(pb, piece, (), 0, budget, neurons=rest)
                stack.extend((pc, forms, 1, 0.0) for pc in reversed(split))
            else:
                stack.append((piece, (), 0, 0.0))
            for reg in _dfs(pb, stack, budget):
                n_regions += 1
                if not reg.lin and all(r[-1] for r in reg.rays):
                    bounded += 1
                if regions_only:
                    continue
                faces, _, sets, facets = _face_lattice(reg, d, pb.dom_mask)
                refused = _refused_facets(pb, reg, sets, facets)
                for i, (_, dim, G, _) in enumerate(faces):
                    if not i or not any(G & f == G for f in refused):
                        counts[dim] += 1
    except LimitExceededError as err:
        # every region is counted once, with the faces it owns, when it is found
        raise LimitExceededError(*err.args, partial=[(counts, n_regions, bounded)]) from None
    return counts, n_regions, bounded


def region_samples(
    net: ReLUNetwork,
    domain: Any = None,
    *,
    max_regions: int | None = None,
    max_seconds: float | None = None,
    caller: str = "region_samples",
) -> list[tuple[tuple[int, ...], tuple[Fraction, ...]]]:
    """``(sign_vector, interior_point)`` of every region, in the order of
    :attr:`compile_network(net, domain).regions <relu_geom.PolyhedralComplex.regions>`, without
    the face stage.

    The regions come from the region stage alone (depth first, in this process), each with
    the point of its cell (the sum of its homogeneous generators, dehomogenized), and are
    sorted by sign vector, the complex's order of its regions.  ``max_regions`` and
    ``max_seconds`` stop the work with :class:`~relu_geom.LimitExceededError` (named after
    ``caller``) as soon as more regions are known to exist or the time is spent; pieces are
    counted as they are made, as for ``max_cells`` of :func:`~relu_geom.compile_network`.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.compiler.stream import region_samples
    >>> region_samples(rg.zoo.abs_1d())
    [((-1, 1), (Fraction(-1, 1),)), ((1, -1), (Fraction(1, 1),))]
    >>> [(c.sign_vector, c.interior_point) for c in rg.compile_network(rg.zoo.abs_1d()).regions]
    [((-1, 1), (Fraction(-1, 1),)), ((1, -1), (Fraction(1, 1),))]
    """
    if not isinstance(net, ReLUNetwork):
        raise InvalidInputError(f"net: expected a ReLUNetwork, got {type(net).__name__}")
    if max_regions is not None and (
        isinstance(max_regions, bool) or not isinstance(max_regions, int) or max_regions < 1
    ):
        raise InvalidInputError(f"max_regions: expected a positive integer or None, got {max_regions!r:.40}")
    _check_limits(None, max_seconds, None)
    pb = _Problem(net, parse_domain(domain, net.input_dim))
    budget = _Budget(max_regions, max_seconds, None, False, len(pb.widths), caller, "max_regions", "regions")
    H = pb.H
    out = []
    for reg in _dfs(pb, [(pb.start, (), 0, 1.0)], budget):
        zero = -1
        for z in reg.zm:
            zero &= z
        pos, neg = reg.pos & ~zero, reg.neg & ~zero
        sv = tuple((pos >> g & 1) - (neg >> g & 1) for g in range(H))
        acc = [sum(c) for c in zip(*reg.rays)]
        out.append((sv, tuple(Fraction(x, acc[-1]) for x in acc[:-1])))
    out.sort(key=lambda item: item[0])
    return out


def _stream(net: ReLUNetwork, pb: _Problem, budget: _Budget, regions_only: bool) -> Iterator[StreamedCell]:
    d, H = pb.d, pb.H
    for reg in _dfs(pb, [(pb.start, (), 0, 1.0)], budget):
        faces, _, sets, facets = _face_lattice(reg, d, pb.dom_mask)
        key, dim, G, _ = faces[0]
        yield StreamedCell(dim, key, reg, G, H)
        if regions_only:
            continue
        refused = _refused_facets(pb, reg, sets, facets)
        for key, dim, G, _ in faces[1:]:
            if not any(G & f == G for f in refused):
                yield StreamedCell(dim, key, reg, G, H)


def stream_to_file(
    net: ReLUNetwork,
    path: str | os.PathLike[str],
    domain: Any = None,
    *,
    workers: int | None = None,
    executor: Executor | None = None,
    max_seconds: float | None = None,
    max_memory: int | None = None,
    chunk_pieces: int = 16,
) -> CellCounts:
    """Compile ``net`` and write every region, each followed by the cells it owns (the owner
    rule above), to ``path`` as they are found: a gzip file ``relu-geom/complex-stream@1``
    (see :mod:`relu_geom.compiler.store`), written atomically.  Memory is that of the chunks
    in flight, independent of the number of cells; :func:`load_stream` reads it back as the
    complex that :func:`~relu_geom.compile_network` returns.

    The first layer is split here; its pieces, in depth-first order, are cut into chunks of
    ``chunk_pieces`` pieces, each one task (on ``workers`` processes, ``None`` for all cores,
    or on ``executor``) that returns its lines compressed (one gzip member); the members are
    written in order, so the file is the same for every number of workers.

    Examples
    --------
    >>> import relu_geom as rg, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "abs.rgc")
    >>> rg.compiler.stream_to_file(rg.zoo.abs_1d(), path)
    CellCounts(n_regions=2, n_bounded_regions=0, f_vector=(1, 2))
    >>> rg.compiler.load_stream(path).f_vector
    (1, 2)
    """
    if not isinstance(net, ReLUNetwork):
        raise InvalidInputError(f"net: expected a ReLUNetwork, got {type(net).__name__}")
    output_path(path, "path")  # checked before any work
    _check_limits(None, max_seconds, max_memory)
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise InvalidInputError(f"workers: expected a positive integer or None, got {workers!r}")
    if isinstance(chunk_pieces, bool) or not isinstance(chunk_pieces, int) or chunk_pieces < 1:
        raise InvalidInputError(f"chunk_pieces: expected a positive integer, got {chunk_pieces!r}")
    pb = _Problem(net, parse_domain(domain, net.input_dim))
    budget = _Budget(None, max_seconds, max_memory, False, len(pb.widths))
    if pb.widths:
        first, forms = _expand(pb, pb.start, (), 0, budget)
        level = 1
    else:
        first, forms, level = [pb.start], (), 0
    chunks = [first[i : i + chunk_pieces] for i in range(0, len(first), chunk_pieces)]
    n_workers = _available_cores() if workers is None else workers
    counts = [0] * (pb.d + 1)
    bounded = 0

    def write(out: IO[bytes]) -> None:
        nonlocal counts, bounded
        out.write(gzip.compress(header_lines(STREAM_FORMAT, net, pb.dom_rows, {}), mtime=0))
        for data, part_counts, part_bounded in _stream_chunks(pb, budget, chunks, forms, level, n_workers, executor):
            out.write(data)
            counts = [a + b for a, b in zip(counts, part_counts)]
            bounded += part_bounded
        trailer = " ".join(format(v, "x") for v in (counts[-1], sum(counts), *counts))
        out.write(gzip.compress(f"end {trailer}\n".encode(), mtime=0))

    write_bytes_atomic(path, write)  # an interrupted stream leaves no file
    return CellCounts(counts[-1], bounded, tuple(counts))


def _stream_chunks(
    pb: _Problem,
    budget: _Budget,
    chunks: list[Any],
    forms: Any,
    level: int,
    workers: int,
    executor: Executor | None,
) -> Iterator[tuple[bytes, list[int], int]]:
    """The compressed lines of each chunk, in order: here, or on at most ``2 x workers``
    tasks in flight at a time (so memory stays bounded)."""
    left = None if budget.deadline is None else max(budget.deadline - time.monotonic(), 0.001)
    limits = (left, budget.max_memory)
    if executor is None and (workers < 2 or len(chunks) < 2 or _main_would_rerun()):
        for chunk in chunks:
            yield _stream_task(pb, chunk, forms, level, limits)
        return
    pool = _process_pool(workers) if executor is None else None
    run = executor or pool
    assert run is not None
    finished = False
    try:
        pending: deque[Any] = deque()
        todo = iter(chunks)
        for chunk in todo:
            pending.append(run.submit(_stream_task, pb, chunk, forms, level, limits))
            if len(pending) >= 2 * workers:
                break
        while pending:
            result = _wait(pending.popleft(), budget)
            chunk = next(todo, None)
            if chunk is not None:
                pending.append(run.submit(_stream_task, pb, chunk, forms, level, limits))
            yield result
        finished = True
    finally:
        if pool is not None:
            _close(pool, finished)


def _stream_task(
    pb: _Problem, pieces: list[Any], forms: Any, level: int, limits: tuple[Any, ...]
) -> tuple[bytes, list[int], int]:
    """One chunk: the lines of its regions and of the cells they own, gzip-compressed, with
    the number of cells of each dimension and of bounded regions."""
    max_seconds, max_memory = limits
    budget = _Budget(None, max_seconds, max_memory, False, len(pb.widths))
    d = pb.d
    counts = [0] * (d + 1)
    bounded = 0
    lines = []
    for reg in _dfs(pb, [(pc, forms, level, 0.0) for pc in reversed(pieces)], budget):
        faces, _, sets, facets = _face_lattice(reg, d, pb.dom_mask)
        lines.append("r " + region_line(reg))
        refused = _refused_facets(pb, reg, sets, facets)
        for i, ((pos, neg, dom), dim, G, zg) in enumerate(faces):
            if i and any(G & f == G for f in refused):
                continue
            counts[dim] += 1
            lines.append(f"c {dim:x} {pos:x} {neg:x} {dom:x} {G:x} {zg:x}\n")
        if not reg.lin and all(r[-1] for r in reg.rays):
            bounded += 1
    return gzip.compress("".join(lines).encode(), compresslevel=6, mtime=0), counts, bounded


def load_stream(path: str | os.PathLike[str]) -> PolyhedralComplex:
    """The complex in a file written by :func:`stream_to_file`, exactly as
    :func:`~relu_geom.compile_network` returns it: the regions' faces are glued again, and a
    file whose listed cells or counts do not match its regions raises
    :class:`~relu_geom.FileFormatError` (as does a file cut short).

    Examples
    --------
    >>> import relu_geom as rg, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "demo.rgc")
    >>> counts = rg.compiler.stream_to_file(rg.zoo.demo(), path, (-1, 1))
    >>> rg.compiler.load_stream(path).f_vector == counts.f_vector
    True
    """
    _check_path(path)
    net, domain, dom_rows, regions, keys, trailer = read_stream(path)
    pb = _Problem(net, domain)
    regions = [RegionData(*r) for r in regions]
    part = _glue_all(pb, regions, _Budget(None, None, None, False, len(pb.widths)), False)
    records, _, edges = _merge([part])
    f_vector = [0] * (net.input_dim + 1)
    for r in records:
        f_vector[r[0]] += 1
    if trailer != [len(regions), len(records), *f_vector] or sorted(keys) != sorted(
        (r[0], r[1]) for r in records
    ):
        raise FileFormatError(f"{os.fspath(path)}: the cells and counts listed are not those of its regions")
    return PolyhedralComplex._from_compiler(
        net, domain, dom_rows, regions, records, edges, net.integer_scales[-1], None
    )


def _check_path(path: Any) -> None:
    as_path(path, "path")
