"""Streaming (relu_geom.compiler.stream): each cell once, the same cells as the full compile,
counts without keeping the cells, memory independent of the number of regions."""

from __future__ import annotations

import tracemalloc
from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.testing import specimens
from tests.conftest import networks


def _same_cells(net, domain):
    cx = rg.compile_network(net, domain=domain, workers=1)
    streamed = list(rg.iter_cells(net, domain))
    keys = Counter(c.sign_key for c in streamed)
    assert max(keys.values(), default=1) == 1  # each cell exactly once
    assert set(keys) == {c.sign_key for c in cx.cells}
    by_key = {c.sign_key: c for c in streamed}
    for cell in cx.cells:
        assert by_key[cell.sign_key].dim == cell.dim
    counts = rg.count_regions(net, domain)
    assert counts.f_vector == cx.f_vector
    assert counts.n_regions == cx.n_regions
    assert counts.n_bounded_regions == cx.n_bounded_regions
    # regions stream in the compiler's region order
    assert [r.sign_key for r in rg.iter_regions(net, domain)] == [
        (r.pos & ~min_zero(r), r.neg & ~min_zero(r), min_zero(r) & dom_mask(cx)) for r in cx.region_data
    ]
    return cx, by_key


def min_zero(reg):
    acc = -1
    for z in reg.zm:
        acc &= z
    return acc


def dom_mask(cx):
    n_rows = 0 if cx.domain is None else len(cx.domain.inequalities)  # the bits after the neurons'
    return ((1 << n_rows) - 1) << cx.network.n_hidden


@given(networks())
def test_streamed_cells_are_the_compiled_cells(net):
    _same_cells(net, None)


@given(networks(max_dim=3, max_width=3, max_depth=2), st.integers(1, 3))
def test_streamed_cells_over_boxes(net, r):
    _same_cells(net, (-r, r))


def test_degenerate_networks_by_hand():
    # duplicate, parallel, zero and dead neurons; a network without hidden layers
    dup = rg.ReLUNetwork(
        [[[1, 0], [1, 0], [0, 0], [0, 1], [2, 0]], [[1, 1, 1, 1, 1]]], [[0, 0, 0, 1, 0], [0]]
    )
    for net in (dup, specimens.affine_1x2(), rg.zoo.central_lines(4), rg.zoo.demo()):
        for domain in (None, (-1, 1)):
            _same_cells(net, domain)
    # four lines through the origin: 8 regions, 8 rays, 1 vertex (Euler characteristic 1)
    assert rg.count_regions(rg.zoo.central_lines(4)).f_vector == (1, 8, 8)


def test_streamed_geometry_matches_the_compiled_cell():
    net = rg.ReLUNetwork.random_normal([2, 5, 4, 1], seed=3)
    for domain in (None, (-2, 2)):
        cx, by_key = _same_cells(net, domain)
        for cell in cx.cells:
            s = by_key[cell.sign_key]
            assert s.polyhedron == cell.polyhedron
            assert cx.locate(s.interior_point) is cell
            assert s.sign_vector == cell.sign_vector
            assert s.is_bounded == cell.is_bounded


def test_limits_and_bad_input():
    with pytest.raises(rg.LimitExceededError, match="max_seconds"):
        rg.count_regions(rg.ReLUNetwork.random_normal([40, 24, 1], seed=0), max_seconds=0.2)
    with pytest.raises(rg.InvalidInputError, match="ReLUNetwork"):
        list(rg.iter_cells("net.json"))
    with pytest.raises(rg.InvalidInputError, match="max_memory"):
        rg.count_regions(rg.zoo.abs_1d(), max_memory=0)


def _peak(net, domain):
    tracemalloc.start()
    counts = rg.count_regions(net, domain)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return counts.n_regions, peak


def test_peak_memory_does_not_grow_with_the_number_of_regions():
    net = rg.ReLUNetwork.random_normal([2, 10, 10, 1], seed=0)
    small, peak_small = _peak(net, (Fraction(-1, 4), Fraction(1, 4)))
    large, peak_large = _peak(net, (-100, 100))
    assert large > 8 * small
    cx = rg.compile_network(net, domain=(-100, 100), workers=1)
    assert large == cx.n_regions
    assert peak_large < 2 * peak_small + 200_000


def _fingerprint(cx):
    cells = [(c.dim, c.sign_key, c.region_index, c.face_indices, c.coface_indices) for c in cx.cells]
    return cells, list(cx.region_data)


STREAM_NETS = [
    (rg.ReLUNetwork.random_normal([2, 7, 6, 1], seed=1), None),
    (rg.ReLUNetwork.random_normal([2, 7, 6, 1], seed=1), (-1, 1)),
    (rg.ReLUNetwork.random([3, 5, 4, 3, 1], seed=2), None),
    (rg.ReLUNetwork([[[1, 2]]], [[0]]), None),  # no hidden layer: one region
    (rg.ReLUNetwork([[[1, 0], [1, 0], [0, 0]], [[1, 1, 1]]], [[0, 0, -1], [0]]), (-2, 2)),  # duplicate, dead
]  # fmt: skip


@pytest.mark.parametrize(("net", "domain"), STREAM_NETS)
def test_a_streamed_file_reads_back_as_the_compiled_complex(tmp_path, net, domain):
    reference = _fingerprint(rg.compile_network(net, domain=domain, workers=1))
    data = []
    for workers in (1, 2, 3):
        path = tmp_path / f"w{workers}.rgc"
        counts = rg.compiler.stream_to_file(net, path, domain, workers=workers, chunk_pieces=3)
        assert counts == rg.count_regions(net, domain)
        assert _fingerprint(rg.compiler.load_stream(path)) == reference
        with pytest.raises(rg.FileFormatError, match="load_stream"):
            rg.PolyhedralComplex.load(path)
        data.append(path.read_bytes())
    assert data[0] == data[1] == data[2]  # the same file for every number of workers


def test_a_streamed_file_cut_short_or_edited_is_refused(tmp_path):
    import gzip

    net, domain = STREAM_NETS[0]
    path = tmp_path / "a.rgc"
    rg.compiler.stream_to_file(net, path, domain, workers=1)
    lines = gzip.decompress(path.read_bytes()).decode().splitlines(keepends=True)
    assert lines[3].startswith("c ")
    for edited in (
        lines[:-1],  # no trailer: an interrupted write
        lines[:3] + lines[4:],  # a cell missing
        [*lines[:-1], "x 1\n", lines[-1]],  # an unknown line
    ):
        bad = tmp_path / "bad.rgc"
        bad.write_bytes(gzip.compress("".join(edited).encode()))
        with pytest.raises(rg.FileFormatError):
            rg.compiler.load_stream(bad)


def test_an_interrupted_stream_leaves_no_file(tmp_path):
    from concurrent.futures import Executor, Future

    class InterruptedAtTheSecondTask(Executor):
        """Runs each task at once; the second one is interrupted (Ctrl-C in a worker)."""

        def __init__(self):
            self.calls = 0

        def submit(self, fn, /, *args, **kwargs):
            self.calls += 1
            fut = Future()
            if self.calls == 2:
                fut.set_exception(KeyboardInterrupt())
            else:
                fut.set_result(fn(*args, **kwargs))
            return fut

    net, domain = STREAM_NETS[0]
    run = InterruptedAtTheSecondTask()
    with pytest.raises(KeyboardInterrupt):
        rg.compiler.stream_to_file(net, tmp_path / "a.rgc", domain, executor=run, chunk_pieces=2)
    assert run.calls >= 2 and list(tmp_path.iterdir()) == []


def test_a_stream_runs_on_any_executor(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    net, domain = STREAM_NETS[2]
    rg.compiler.stream_to_file(net, tmp_path / "a.rgc", domain, workers=1, chunk_pieces=2)
    with ThreadPoolExecutor(2) as pool:
        rg.compiler.stream_to_file(net, tmp_path / "b.rgc", domain, executor=pool, chunk_pieces=2)
    assert (tmp_path / "a.rgc").read_bytes() == (tmp_path / "b.rgc").read_bytes()


@given(networks(max_dim=3, max_width=3, max_depth=2), st.sampled_from([None, (-1, 1), [(0, 1), (-2, 3), (1, 2)]]))
def test_region_samples_are_the_complexes_regions_in_order(net, domain):
    from relu_geom.compiler.stream import region_samples

    if isinstance(domain, list):
        domain = domain[: net.input_dim]
    cx = rg.compile_network(net, domain=domain)
    assert region_samples(net, domain) == [(c.sign_vector, c.interior_point) for c in cx.regions]


def test_region_samples_stop_at_max_regions_naming_the_caller():
    from relu_geom.compiler.stream import region_samples

    net = rg.ReLUNetwork.random([2, 40, 1], seed=2)
    with pytest.raises(rg.LimitExceededError, match=r"^who: limit max_regions=30 exceeded: 31 regions exist"):
        region_samples(net, max_regions=30, caller="who")
    with pytest.raises(rg.InvalidInputError, match="max_regions"):
        region_samples(net, max_regions=0)


@pytest.fixture
def small_tasks(monkeypatch):
    """Tasks and pieces so few that the first layer is split between this process and the tasks
    (its first neurons here, the rest in the tasks) even for small networks, in parallel."""
    from relu_geom.compiler import stream

    monkeypatch.setattr(stream, "TASKS_PER_WORKER", 2)
    monkeypatch.setattr(stream, "PIECES_PER_TASK", 2)
    monkeypatch.setattr(stream, "PARALLEL_THRESHOLD", 0)


def _compiled_counts(net, domain):
    cx = rg.compile_network(net, domain=domain, workers=1)
    return rg.CellCounts(cx.n_regions, cx.n_bounded_regions, cx.f_vector)


@pytest.mark.parametrize(("net", "domain"), STREAM_NETS)
def test_counts_in_tasks_are_the_compiled_counts(small_tasks, net, domain):
    reference = _compiled_counts(net, domain)
    for workers in (1, 2, 3):
        assert rg.count_regions(net, domain, workers=workers) == reference
        regions = rg.count_regions(net, domain, workers=workers, regions_only=True)
        assert regions == (reference.n_regions, reference.n_bounded_regions, None)


def test_counts_by_hand_in_tasks(small_tasks):
    # k lines through the origin: 2k regions, 2k rays, one vertex
    for k in (3, 4, 6):
        net = rg.zoo.central_lines(k)
        assert rg.count_regions(net, workers=2) == (2 * k, 0, (1, 2 * k, 2 * k))
        assert rg.count_regions(net, workers=2, regions_only=True) == (2 * k, 0, None)
    # the planes x_i = -1, 0, 1 cut R^3 into 4^3 boxes, 2^3 bounded; 3^3 vertices, 27 lines
    # of 4 edges each, 9 planes of 16 faces each
    grid = rg.ReLUNetwork(
        [[[1 if j == i else 0 for j in range(3)] for i in range(3) for _ in range(3)], [[1] * 9]],
        [[b for _ in range(3) for b in (1, 0, -1)], [0]],
    )
    assert rg.count_regions(grid, workers=2, regions_only=True) == (64, 8, None)
    assert rg.count_regions(grid, workers=2).f_vector == (27, 4 * 27, 9 * 16, 64)


@given(networks(max_dim=3, max_width=4, max_depth=2), st.sampled_from([None, (-1, 2)]))
def test_counts_split_anywhere_in_the_first_layer_are_the_compiled_counts(net, domain):
    from concurrent.futures import ThreadPoolExecutor
    from unittest import mock

    from relu_geom.compiler import stream

    reference = _compiled_counts(net, domain)
    # the first layer is cut after 0, 1, 2, ... neurons (as many as give `pieces` pieces),
    # the rest split in 1 or 3 tasks
    with ThreadPoolExecutor(2) as pool:
        for pieces in (1, 2, 5, 1000):
            for tasks in (1, 3):
                with mock.patch.object(stream, "PIECES_PER_TASK", pieces), mock.patch.object(
                    stream, "TASKS_PER_WORKER", tasks
                ):
                    assert rg.count_regions(net, domain, executor=pool) == reference


def test_a_count_runs_on_any_executor_and_checks_its_arguments():
    from concurrent.futures import ThreadPoolExecutor

    net, domain = STREAM_NETS[2]
    with ThreadPoolExecutor(2) as pool:
        assert rg.count_regions(net, domain, executor=pool) == _compiled_counts(net, domain)
    for kwargs, name in (
        ({"workers": 0}, "workers"),
        ({"workers": True}, "workers"),
        ({"executor": "local"}, "executor"),
        ({"regions_only": 1}, "regions_only"),
    ):
        with pytest.raises(rg.InvalidInputError, match=name):
            rg.count_regions(net, domain, **kwargs)


@pytest.mark.slow
def test_a_count_on_a_local_dask_cluster_is_the_serial_count(small_tasks):
    distributed = pytest.importorskip("distributed")
    from relu_geom.compiler import parallel

    net, domain = rg.ReLUNetwork.random_normal([3, 8, 8, 1], seed=4), (-3, 3)
    serial = rg.count_regions(net, domain, workers=1)
    assert serial == _compiled_counts(net, domain)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        with parallel.cluster_executor(cluster.scheduler_address) as executor:
            assert rg.count_regions(net, domain, executor=executor) == serial
            regions = rg.count_regions(net, domain, executor=executor, regions_only=True)
            assert regions == (serial.n_regions, serial.n_bounded_regions, None)


def _grid_net(n):
    """relu(x), relu(y), then relu(. - i) for i = 1..n on each: the lines x = 0..n and
    y = 0..n, a grid of (n + 1)^2 vertices, 2 (n + 1)(n + 2) edges and (n + 2)^2 regions,
    n^2 of them bounded."""
    w2 = [[1, 0]] * n + [[0, 1]] * n
    return rg.ReLUNetwork([[[1, 0], [0, 1]], w2, [[1] * (2 * n)]], [[0, 0], [-i - 1 for i in range(n)] * 2, [0]])


def _assert_lower_bounds(part, n):
    assert isinstance(part, rg.CellCounts)
    true = ((n + 1) ** 2, 2 * (n + 1) * (n + 2), (n + 2) ** 2)
    assert part.n_regions <= (n + 2) ** 2 and part.n_bounded_regions <= min(n * n, part.n_regions)
    assert all(a <= b for a, b in zip(part.f_vector, true, strict=True))
    # every counted region is counted in the f-vector too, as its own top face
    assert part.f_vector[-1] == part.n_regions


def test_a_count_stopped_at_its_limit_keeps_lower_bounds(small_tasks):
    from concurrent.futures import ThreadPoolExecutor

    n = 40
    net = _grid_net(n)
    assert rg.count_regions(_grid_net(3)) == (25, 9, (16, 40, 25))
    with pytest.raises(rg.LimitExceededError, match=r"max_seconds=0\.05 exceeded.*lower bound") as err:
        rg.count_regions(net, workers=1, max_seconds=0.05)
    _assert_lower_bounds(err.value.partial, n)
    assert err.value.partial.n_regions > 0
    # with tasks: those finished when the limit is reached, and what the stopped one counted
    with ThreadPoolExecutor(2) as pool:
        with pytest.raises(rg.LimitExceededError, match=r"max_seconds=0\.05 exceeded") as err:
            rg.count_regions(net, workers=2, executor=pool, max_seconds=0.05)
    _assert_lower_bounds(err.value.partial, n)
    with pytest.raises(rg.LimitExceededError) as err:
        rg.count_regions(net, workers=1, max_seconds=0.05, regions_only=True)
    assert err.value.partial.f_vector is None and 0 < err.value.partial.n_regions <= (n + 2) ** 2
