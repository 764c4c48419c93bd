"""Run in a separate virtual environment with relucent 1.0.0 (never in ours):

    python3 -m venv /tmp/relucent-venv && /tmp/relucent-venv/bin/pip install relucent==1.0.0
    /tmp/relucent-venv/bin/python benchmarks/peer_relucent.py WEIGHTS.json

WEIGHTS.json is written by ``benchmarks/bench_peers.py`` (float weights, exactly those of
our network).  Prints one JSON line: regions found, in-process CPU seconds, CPU seconds of child
processes (if it starts any), wall seconds.
"""

import json
import resource
import sys
import time

import numpy as np
from relucent import Complex
from relucent.model.model import LinearLayer, ReLULayer, ReLUNetwork


def main(path: str) -> None:
    with open(path) as fh:
        spec = json.load(fh)
    layers = []
    n = len(spec["weights"])
    for i, (w, b) in enumerate(zip(spec["weights"], spec["biases"])):
        layers.append(LinearLayer(np.array(w, dtype=np.float64), np.array(b, dtype=np.float64)))
        if i < n - 1:
            layers.append(ReLULayer())
    net = ReLUNetwork(layers)
    cpu, wall = time.process_time(), time.perf_counter()
    cx = Complex(net)
    cx.bfs(nworkers=1, verbose=0)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        json.dumps(
            {
                "regions": len(cx.index2poly),
                "cpu": cpu,
                "child_cpu": kids.ru_utime + kids.ru_stime,
                "wall": wall,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
