"""Parallel compile (tasks of relu_geom.compiler.refine, clusters of relu_geom.compiler.parallel): the same complex, cell order included,
for every number of workers and on any executor."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

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


@pytest.mark.parametrize(("net", "domain"), NETS)
def test_identical_for_one_two_and_three_workers(always_parallel, net, domain):
    serial = fingerprint(rg.compile_network(net, domain=domain, workers=1))
    for workers in (2, 3):
        assert fingerprint(rg.compile_network(net, domain=domain, workers=workers)) == serial


def test_any_executor_gives_the_same_complex():
    net, domain = NETS[0]
    with ThreadPoolExecutor(2) as pool:
        cx = rg.compile_network(net, domain=domain, executor=pool)
    assert fingerprint(cx) == fingerprint(rg.compile_network(net, domain=domain, workers=1))


def test_default_is_parallel_above_the_threshold_only():
    # the first layer of [2, 3, 3, 1] has at most 7 pieces: far below the threshold
    assert 7 * 4 * 4 < refine.PARALLEL_THRESHOLD
    net = rg.ReLUNetwork.random_normal([2, 3, 3, 1], seed=0)
    assert fingerprint(rg.compile_network(net)) == fingerprint(rg.compile_network(net, workers=1))


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
