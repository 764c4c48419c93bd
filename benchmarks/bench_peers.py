"""Side by side with peers on the same weights ([3, 16, 16, 1], seed 0, ReLUNetwork.random_normal).

Run: ``python benchmarks/bench_peers.py``.  Peers run only where present:

- relucent 1.0.0 in its own virtual environment (``RELUCENT_PYTHON``, default
  ``/tmp/relucent-venv/bin/python``; see ``benchmarks/peer_relucent.py``), over R^3;
- Berzins' edge subdivision (floating point, PyTorch on the CPU, a box only) from a checkout
  of his public reference code at ``BERZINS_REPO`` (default ``/tmp/berzins``), over [-1, 1]^d,
  on [3, 16, 16, 1] and [2, 32, 32, 1].

Our side: one worker, CPU seconds of ``compile_network`` plus the H-representation of every
cell (so the work includes what the peers output and more).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

import relu_geom as rg

ARCH = [3, 16, 16, 1]
BOX_ARCHS = ([3, 16, 16, 1], [2, 32, 32, 1])  # over [-1, 1]^d, beside Berzins


def ours(net: rg.ReLUNetwork, domain):
    start = time.process_time()
    cx = rg.compile_network(net, domain=domain, workers=1)
    compiled = time.process_time() - start
    for c in cx.cells:
        c.polyhedron.inequalities  # noqa: B018 - the H-representation of every cell
    return cx, compiled, time.process_time() - start


def relucent(net: rg.ReLUNetwork) -> dict | None:
    python = os.environ.get("RELUCENT_PYTHON", "/tmp/relucent-venv/bin/python")
    if not os.path.exists(python):
        return None
    spec = {
        "weights": [[[float(v) for v in row] for row in w] for w in net.weights],
        "biases": [[float(v) for v in b] for b in net.biases],
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(spec, fh)
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peer_relucent.py")
    try:
        out = subprocess.run(
            [python, script, fh.name], capture_output=True, text=True, timeout=3600, check=True
        )
    finally:
        os.unlink(fh.name)
    return json.loads(out.stdout.strip().splitlines()[-1])


def berzins(net: rg.ReLUNetwork) -> dict | None:
    repo = os.environ.get("BERZINS_REPO", "/tmp/berzins")
    if not os.path.exists(os.path.join(repo, "edge_subdivision.py")):
        return None
    sys.path.insert(0, repo)
    cwd = os.getcwd()
    os.chdir(repo)
    try:
        import torch
        from edge_subdivision import skeletal_subdivision
        from NN import Net

        f = Net(ks=list(net.architecture))
        with torch.no_grad():
            for fc, w, b in zip(f.fcs, net.weights, net.biases):
                fc.weight.copy_(torch.tensor([[float(v) for v in row] for row in w]))
                fc.bias.copy_(torch.tensor([float(v) for v in b]))
            torch.set_num_threads(1)
            start = time.process_time()
            vs, edges, _ = skeletal_subdivision(f, bbox=(-1, 1), device="cpu", verbose=False)
            seconds = time.process_time() - start
        return {"vertices": len(vs), "edges": len(edges), "cpu": seconds}
    finally:
        os.chdir(cwd)
        sys.path.remove(repo)


def main(seed: int = 0) -> None:
    net = rg.ReLUNetwork.random_normal(ARCH, seed=seed)
    cx, compiled, with_hrep = ours(net, None)
    print(
        f"relu_geom  R^3       f-vector {list(cx.f_vector)}: compile {compiled:.2f} s, with H-reps {with_hrep:.2f} s CPU"
    )
    peer = relucent(net)
    if peer is None:
        print("relucent   not installed (see benchmarks/peer_relucent.py)")
    else:
        total = peer["cpu"] + peer.get("child_cpu", 0.0)
        print(
            f"relucent   R^3       {peer['regions']} regions: {peer['cpu']:.2f} s CPU in process, "
            f"{total:.2f} s with its worker processes, {peer['wall']:.2f} s wall; "
            f"ratio {peer['cpu'] / with_hrep:.1f}x in process, {total / with_hrep:.1f}x with workers"
        )
    for arch in BOX_ARCHS:
        net = rg.ReLUNetwork.random_normal(arch, seed=seed)
        box = f"[-1,1]^{arch[0]}"
        cx, compiled, with_hrep = ours(net, (-1, 1))
        print(
            f"relu_geom  {arch} {box}  f-vector {list(cx.f_vector)}: compile {compiled:.2f} s, "
            f"with H-reps {with_hrep:.2f} s CPU"
        )
        peer = berzins(net)
        if peer is None:
            print("berzins    reference code not found (set BERZINS_REPO)")
        else:
            print(
                f"berzins    {arch} {box}  {peer['vertices']} vertices, {peer['edges']} edges (floating point): "
                f"{peer['cpu']:.2f} s CPU; ratio {peer['cpu'] / with_hrep:.2f}x, "
                f"{peer['cpu'] / compiled:.2f}x to our compile"
            )


if __name__ == "__main__":
    main()
