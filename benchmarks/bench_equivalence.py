"""Functional equivalence: general test on [3,16,16,1], bottleneck test on [4,8,3,1], hard cases.

Run: ``python benchmarks/bench_equivalence.py [seed]``.  For each seeded standard-normal
network it times (CPU seconds) the equivalence test against (a) a permuted and rescaled
copy and (b) a copy with one parameter perturbed by 1e-6; targets: 10 s each for the
general test on [3,16,16,1], 1 s for the bottleneck test on [4,8,3,1].  The last rows
time a pair related by the composition symmetries of paper 001 (hidden bias shift,
flip-shears, a redrawn dead row and the second-layer orthant fiber) with both tests, and
the exhaustive region check (equal functions not related by symmetry, and the perturbed
pair with probing switched off).
"""

from __future__ import annotations

import random
import sys
import time
from fractions import Fraction

import relu_geom as rg
from relu_geom.analyses.fibers import bottleneck_equivalent
from relu_geom.testing import permuted_rescaled_copy


def _timed(fn):
    start = time.process_time()
    out = fn()
    return out, time.process_time() - start


def _perturbed(net, seed):
    theta = list(net.parameters())
    k = random.Random(seed).randrange(len(theta))
    theta[k] += Fraction(1, 10**6)
    return rg.ReLUNetwork.from_parameters(net.architecture, theta)


def _with_moved_pair(net):
    """The same function plus relu(z) - relu(-z) - relu(z + 1) + relu(-z - 1) + 1 = 0 in the last layer."""
    ws = [[list(r) for r in w] for w in net.weights]
    bs = [list(b) for b in net.biases]
    prev = len(ws[-2][0])
    z = [Fraction(1)] * prev
    ws[-2] += [z, [-v for v in z], z, [-v for v in z]]
    bs[-2] += [Fraction(0), Fraction(0), Fraction(1), Fraction(-1)]
    ws[-1] = [r + [Fraction(1), Fraction(-1), Fraction(-1), Fraction(1)] for r in ws[-1]]
    bs[-1] = [b + 1 for b in bs[-1]]
    return rg.ReLUNetwork(ws, bs)


def _hidden(seed):
    """A [4, 4, 3, 1] network whose second layer hides first-layer neuron 0 (rows live for 0 or dead)."""
    rng = random.Random(seed)
    W1 = [[Fraction(rng.randint(-9, 9), rng.randint(1, 5)) for _ in range(4)] for _ in range(4)]
    b1 = [Fraction(rng.randint(-9, 9), rng.randint(1, 5)) for _ in range(4)]
    base = [-Fraction(rng.randint(1, 9), rng.randint(1, 5)) for _ in range(4)]
    W2 = [[Fraction(1), *base[1:]], [Fraction(3), *(3 * v for v in base[1:])], [-Fraction(1)] * 4]
    b2 = [Fraction(-1), Fraction(-5), Fraction(-2)]
    return rg.ReLUNetwork([W1, W2, [[Fraction(2), Fraction(-1), Fraction(5)]]], [b1, b2, [Fraction(1)]])


def main(seed: int = 0) -> None:
    print(f"{'test':<26}{'architecture':<16}{'pair':<26}{'CPU s':>8}  verdict / method")
    rows = []
    net = rg.ReLUNetwork.random_normal([3, 16, 16, 1], seed=seed)
    for name, other in (
        ("permuted+rescaled", permuted_rescaled_copy(net, seed)),
        ("perturbed 1e-6", _perturbed(net, seed)),
    ):
        res, t = _timed(lambda other=other: rg.functionally_equivalent(net, other))
        rows.append(("functionally_equivalent", net.architecture, name, t, res))
    bn = rg.ReLUNetwork.random_normal([4, 8, 3, 1], seed=seed)
    for name, other in (
        ("permuted+rescaled", permuted_rescaled_copy(bn, seed)),
        ("perturbed 1e-6", _perturbed(bn, seed)),
    ):
        res, t = _timed(lambda other=other: bottleneck_equivalent(bn, other))
        rows.append(("bottleneck_equivalent", bn.architecture, name, t, res))
    hid = _hidden(seed)
    moved = rg.three_layer_fiber(hid).sample(seed)  # bias shift, flip-shears, dead row, orthant fiber
    for test, fn in (
        ("bottleneck_equivalent", bottleneck_equivalent),
        ("functionally_equivalent", rg.functionally_equivalent),
    ):
        res, t = _timed(lambda fn=fn: fn(hid, moved))
        rows.append((test, hid.architecture, "T_j + G_j + dead row", t, res))
    small = rg.ReLUNetwork.random_normal([3, 8, 8, 1], seed=seed)
    res, t = _timed(lambda: rg.functionally_equivalent(small, _with_moved_pair(small)))
    rows.append(("functionally_equivalent", small.architecture, "moved cancelling pair", t, res))
    res, t = _timed(lambda: rg.functionally_equivalent(net, _perturbed(net, seed), n_probes=1))
    rows.append(("functionally_equivalent", net.architecture, "perturbed, 1 probe", t, res))
    for test, arch, name, t, res in rows:
        verdict = "equal" if res.equivalent else "differ"
        print(f"{test:<26}{str(list(arch)):<16}{name:<26}{t:>8.3f}  {verdict} / {res.method}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
