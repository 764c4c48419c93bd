"""Start a local cluster (Dask or Ray) and compile [3, 16, 16, 1] over R^3 on it.

Run: ``python benchmarks/bench_distributed.py dask`` (needs ``dask[distributed]``) or
``python benchmarks/bench_distributed.py ray`` (needs ``ray``; relu_geom itself runs its
tasks through any ``concurrent.futures.Executor``, Ray's futures are wrapped here).
"""

import sys
import time
from concurrent.futures import Executor

import relu_geom as rg
from relu_geom.compiler import refine


def main() -> None:
    net = rg.ReLUNetwork.random_normal([3, 16, 16, 1], seed=0)
    ref = [c.sign_key for c in rg.compile_network(net, workers=1).cells]
    which = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] in ("dask", "ray") else "dask"
    try:
        __import__("distributed" if which == "dask" else "ray")
    except ImportError:
        print(f"{which} is not installed: skipped")
        return
    t0 = time.perf_counter()
    if which == "dask":
        import distributed

        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        )
        client = distributed.Client(cluster)
        ex = client.get_executor(pure=False)
    elif which == "ray":
        import ray

        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        task = ray.remote(refine._task)

        class RayExecutor(Executor):
            def submit(self, fn, *args, **kw):
                return task.remote(*args).future()

        ex = RayExecutor()
    start = time.perf_counter() - t0
    for _ in range(2):
        t = time.perf_counter()
        cx = rg.compile_network(net, executor=ex)
        dt = time.perf_counter() - t
        print(
            which,
            f"start {start:.1f} s, compile {dt:.2f} s, identical {[c.sign_key for c in cx.cells] == ref}",
            flush=True,
        )


if __name__ == "__main__":
    main()
