"""The relax leaf (relu_geom.certify.relaxation): it never proves a false bound.

The true maximum ``M`` of the first output over ``[-1, 1]^d`` comes from the vertices of the
exactly compiled complex (an independent computation). ``y_0 <= M`` must be proved, with every
tree re-checked by the test checker, and ``y_0 <= M - 1/16`` must be violated at a point that
exact evaluation confirms: a relax leaf that covered the maximizer would turn it into a proof.
"""

from __future__ import annotations

from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings

import relu_geom as rg
from relu_geom.certify.bab import Form, Goal, branch_and_bound
from relu_geom.certify.bounds import exact_bounds
from relu_geom.certify.relaxation import neuron_bound_guide, neuron_bounds
from relu_geom.testing import specimens, strategies
from tests.certcheck import check_tree


def true_max(net: rg.ReLUNetwork) -> F:
    cx = rg.compile_network(net, domain=[(-1, 1)] * net.input_dim)
    return max(net(v.interior_point)[0] for v in cx.cells_of_dim(0))


def search(net: rg.ReLUNetwork, c: F):
    d, m = net.input_dim, net.output_dim
    box = tuple((F(-1), F(1)) for _ in range(d))
    q = tuple(F(int(i == 0)) for i in range(m))
    phi = Form((F(0),) * d, q, -c)  # phi = y_0 - c <= 0
    # tighten_after=0: tightened leaves wherever a relax LP fails, so they are checked here too
    out = branch_and_bound(Goal(net, box, (), (), phi, False), max_seconds=60, tighten_after=0)
    goal = {"box": list(box), "rows": [], "atoms": [], "phi": ((F(0),) * d, q, -c), "strict": False}
    return out, goal


def check(net: rg.ReLUNetwork) -> int:
    m = true_max(net)
    out, goal = search(net, m)
    assert out.status == "proved"
    check_tree(net, goal, out.tree)
    low, _ = search(net, m - F(1, 16))
    assert low.status == "violated"
    assert all(-1 <= t <= 1 for t in low.point) and net(low.point)[0] > m - F(1, 16)
    return out.stats.get("relax_leaves", 0) + out.stats.get("tighten_leaves", 0)


@settings(max_examples=30, deadline=None)
@given(strategies.networks(max_dim=2, max_width=3, max_depth=2))
def test_relax_leaves_never_prove_a_false_bound(net):
    # degenerate networks included: a maximum attained on a region crossed by kinks (a tie)
    # is proved through the tie rule of the search (neuron splits, exact lp leaves)
    check(net)


def test_relax_leaves_at_a_tie_on_a_region():
    # found by the test above: y <= -3/2 with y = -3/2 on a region around 0 crossed by kinks
    # (before the tie rule: unknown after 60 s)
    check(specimens.tie_region_2d())


@pytest.mark.timeout(300)
def test_relax_leaves_occur_and_stay_sound_on_random_networks():
    # wider networks, where the bound rule alone leaves nodes open: relax leaves must occur,
    # or the test above would not exercise them
    used = sum(check(rg.ReLUNetwork.random([2, 6, 6, 1], seed=s)) for s in range(6))
    assert used > 0


def test_neuron_bounds_of_the_gate_by_hand():
    # on [-1, 2] the rule leaves z_{2,0} = -a - 1/2 <= 1/2 and z_{2,1} = a + 1/2 >= -1/2 (it
    # bounds a below by x); the LP over a in [0, 2] gives -1/2 and 1/2 at a = 0, with no row
    # multiplier (the bound a >= 0 of the relaxation box is enough); the other sides gain nothing
    net = specimens.gate_1d()
    eb = exact_bounds(net, [(F(-1), F(2))])
    assert eb.phases[1] == (0, 0) and (eb.upper[1][0], eb.lower[1][1]) == (2**31, -(2**31))
    one = float(1 << eb.bits)
    lower = [np.array(v, dtype=float) / one for v in eb.lower]
    upper = [np.array(v, dtype=float) / one for v in eb.upper]
    guide = neuron_bound_guide(net, eb.box, eb.phases, lower, upper, 2, [0, 1], ())
    assert [(j, side, bound) for j, side, bound, _ in guide.found] == [(0, "upper", -0.5), (1, "lower", 0.5)]
    assert neuron_bounds(eb, guide, ()) == [(0, "upper", -(2**31), {}), (1, "lower", 2**31, {})]


def test_a_tightened_leaf_closes_the_gate_at_the_root():
    # y = 6 relu(-a - 1/2) + relu(a + 1/2) = relu(x) + 1/2 <= 5/2 on [-1, 2], so y <= 13/5.
    # The relaxation of both layers has a_{2,0} <= (z_{2,0} + 5/2) / 6 = (2 - a) / 6 and
    # a_{2,1} <= 5/6 (a + 1), so y <= 17/6 - a/6, 17/6 at a = 0 (> 13/5); with the tightened
    # bounds n0 is dead, n1 active and y = a + 1/2 <= 5/2 (a in [0, 2])
    net = specimens.gate_1d()
    box = ((F(-1), F(2)),)
    goal = Goal(net, box, (), (), Form((F(0),), (F(1),), F(-13, 5)), False)
    assert branch_and_bound(goal, max_branches=1, tighten_after=None).status == "unknown"
    out = branch_and_bound(goal, max_branches=1, tighten_after=0)
    assert out.status == "proved" and out.stats["tighten_leaves"] == 1 and out.stats["branches"] == 0
    assert {e["neuron"][1]: e.get("upper", e.get("lower")) for e in out.tree["tighten"]} == {0: "-1/2", 1: "1/2"}
    check_tree(net, {"box": list(box), "rows": [], "atoms": [], "phi": ((F(0),), (F(1),), F(-13, 5))}, out.tree)
    assert branch_and_bound(Goal(net, box, (), (), Form((F(0),), (F(1),), F(-5, 2)), False)).status == "proved"
