"""Parallel compile (tasks of relu_geom.compiler.refine, clusters of relu_geom.compiler.parallel): the same complex, cell order included,
for every number of workers and on any executor."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import pytest

import relu_geom as rg
from relu_geom.cli import main
from relu_geom.compiler import parallel, refine


def fingerprint(cx):
    return (
        [(c.dim, c.sign_key, c.region_index, c.face_indices, c.coface_indices) for c in cx.cells],
        list(cx.region_data),
    )


@pytest.fixture
def always_parallel(monkeypatch):
    monkeypatch.setattr(refine, "PARALLEL_THRESHOLD", 0)


NETS = [
    (rg.ReLUNetwork.random_normal([2, 7, 6, 1], seed=1), None),
    (rg.ReLUNetwork.random_normal([2, 7, 6, 1], seed=1), (-1, 1)),
    (rg.ReLUNetwork.random([3, 5, 4, 3, 1], seed=2), None),
    # duplicate, zero and dead neurons in the first layer, a zero row in the second
    (rg.ReLUNetwork([[[1, 0], [1, 0], [0, 0], [0, 1]], [[1, 1, 0, 1], [0, 0, 0, 0]], [[1, 1]]],
                    [[0, 0, -1, 1], [1, 0], [0]]), (-2, 2)),
]  # fmt: skip


def hrep_fingerprint(cx):
    return [(c.polyhedron.equalities, c.polyhedron.inequalities) for c in cx.cells]


@pytest.mark.parametrize(("net", "domain"), NETS)
def test_identical_for_every_worker_count(always_parallel, net, domain):
    serial = fingerprint(rg.compile_network(net, domain=domain, workers=1))
    for workers in (None, 2, 3):
        assert fingerprint(rg.compile_network(net, domain=domain, workers=workers)) == serial


@pytest.mark.parametrize(("net", "domain"), NETS)
def test_h_representations_built_by_the_tasks_are_those_built_on_access(always_parallel, net, domain, monkeypatch):
    from relu_geom.compiler import complex as complex_module

    def built_on_access(*args):
        raise AssertionError("an H-representation was built on access, not by a task")

    lazy = rg.compile_network(net, domain=domain, workers=1)
    expected = hrep_fingerprint(lazy)
    for workers in (1, 2, 3):
        cx = rg.compile_network(net, domain=domain, workers=workers, hreps=True)
        with monkeypatch.context() as m:  # every cell has one, built in a task: none built on access
            m.setattr(complex_module, "face_hrep", built_on_access)
            assert hrep_fingerprint(cx) == expected
        assert fingerprint(cx) == fingerprint(lazy)


def test_h_representations_agree_with_an_independent_conversion(always_parallel):
    # the closure of every cell from its vertices and rays by cddlib, against the compiler's rows
    net, domain = NETS[3]
    cx = rg.compile_network(net, domain=domain, workers=2, hreps=True)
    for c in cx.cells:
        p = c.polyhedron
        assert rg.Polyhedron.from_vrep(p.vertices, p.rays, p.lineality) == rg.Polyhedron.from_hrep(
            p.inequalities, p.equalities, ambient_dim=cx.dim
        )


def test_any_executor_gives_the_same_complex():
    net, domain = NETS[0]
    with ThreadPoolExecutor(2) as pool:
        cx = rg.compile_network(net, domain=domain, executor=pool)
    assert fingerprint(cx) == fingerprint(rg.compile_network(net, domain=domain, workers=1))


def pools_started(monkeypatch):
    started = []
    real = refine.ProcessPoolExecutor

    def spy(workers, **kwargs):
        started.append(workers)
        return real(workers, **kwargs)

    monkeypatch.setattr(refine, "ProcessPoolExecutor", spy)
    return started


def test_default_is_parallel_above_the_threshold_only(monkeypatch):
    started = pools_started(monkeypatch)
    # the first layer of [2, 3, 3, 1] has at most 7 pieces: far below the threshold
    assert 7 * 4 * 4**2 < refine.PARALLEL_THRESHOLD
    net = rg.ReLUNetwork.random_normal([2, 3, 3, 1], seed=0)
    assert fingerprint(rg.compile_network(net)) == fingerprint(rg.compile_network(net, workers=1))
    assert started == []
    monkeypatch.setattr(refine, "PARALLEL_THRESHOLD", 0)
    rg.compile_network(net)
    assert started == [len(os.sched_getaffinity(0))]  # None = all cores
    rg.compile_network(net, workers=1)
    assert len(started) == 1


def test_workers_that_stop_fall_back_to_this_process(always_parallel, monkeypatch):
    class Dead:
        def submit(self, *args, **kwargs):
            fut = Future()
            fut.set_exception(BrokenProcessPool("a worker was killed"))
            return fut

        def shutdown(self, wait=True, cancel_futures=False):
            pass

    monkeypatch.setattr(refine, "ProcessPoolExecutor", lambda workers, **kwargs: Dead())
    net, domain = NETS[0]
    with pytest.warns(RuntimeWarning, match="worker processes stopped"):
        cx = rg.compile_network(net, domain=domain, workers=2)
    assert fingerprint(cx) == fingerprint(rg.compile_network(net, domain=domain, workers=1))


@pytest.mark.timeout(60)  # minutes of work without the limit
def test_a_time_limit_stops_the_workers_promptly(always_parallel):
    net = rg.ReLUNetwork.random_normal([3, 30, 30, 1], seed=0)
    with pytest.raises(rg.LimitExceededError, match="max_seconds"):
        rg.compile_network(net, workers=2, max_seconds=1.0)


SCRIPT = """
import sys
import relu_geom as rg
from relu_geom.compiler import refine
refine.PARALLEL_THRESHOLD = 0
with open(sys.argv[1], "a") as fh:
    fh.write("ran\\n")
net = rg.ReLUNetwork.random_normal([2, 6, 5, 1], seed=3)
{call}
"""


@pytest.mark.parametrize("guarded", [False, True])
def test_a_script_compiling_at_its_top_level_runs_once(tmp_path, guarded):
    # workers started from a fork server import the main script; outside a main guard they
    # would run its top level again, so the compile stays in the script's process there
    call = "print(rg.compile_network(net).f_vector)"
    if guarded:
        call = "if __name__ == '__main__':\n    " + call
    script = tmp_path / "script.py"
    script.write_text(SCRIPT.format(call=call))
    log = tmp_path / "log.txt"
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    out = subprocess.run(
        [sys.executable, str(script), str(log)], capture_output=True, text=True, timeout=300, env=env
    )
    assert out.returncode == 0, out.stderr
    expected = rg.compile_network(rg.ReLUNetwork.random_normal([2, 6, 5, 1], seed=3), workers=1).f_vector
    assert out.stdout.strip() == str(expected)
    # a guarded script is imported by each worker (Python's rule for workers that are not
    # forked): its top-level write runs there too, its guarded call does not; an unguarded
    # script starts no workers at all
    lines = log.read_text().splitlines()
    assert set(lines) == {"ran"}
    assert len(lines) >= 2 if guarded else len(lines) == 1


def test_limits_hold_in_workers(always_parallel):
    net = rg.ReLUNetwork.random_normal([2, 12, 12, 1], seed=0)
    with pytest.raises(rg.LimitExceededError, match="max_cells=100"):
        rg.compile_network(net, max_cells=100, workers=2)


@pytest.mark.slow
def test_a_local_dask_cluster_gives_the_same_complex(always_parallel, tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    net, domain = NETS[2]
    serial = fingerprint(rg.compile_network(net, domain=domain, workers=1))
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        with parallel.cluster_executor(cluster.scheduler_address) as executor:
            assert fingerprint(rg.compile_network(net, domain=domain, executor=executor)) == serial
        net_file = tmp_path / "net.json"
        net.to_json(net_file)
        out = tmp_path / "cx.rgc"
        assert main(["compile", str(net_file), "--cluster", cluster.scheduler_address, "-o", str(out)]) == 0
    assert fingerprint(rg.PolyhedralComplex.load(out)) == serial


def test_an_unreachable_cluster_is_reported():
    pytest.importorskip("distributed")
    with pytest.raises(rg.BackendUnavailableError, match="cluster"):
        with parallel.cluster_executor("tcp://127.0.0.1:1"):
            pass
