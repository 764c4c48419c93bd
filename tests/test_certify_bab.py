"""Branch and bound (relu_geom.certify.bab): exact evaluation (exact_output), goals with
strict atoms, and ties (a maximum attained on a region crossed by kinks).

The expected values of exact_output come from a plain Fraction evaluation written here,
layer by layer, independently of the flint matrices the module uses; those of strict goals
from hand-solved LPs; the range of the tie network from a hand argument (below), its proof
trees re-checked by the test checker (tests/certcheck.py) and its certificates by
relu_geom.verify.
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.certify.bab import Form, Goal, attack_goal, branch_and_bound, exact_output
from relu_geom.testing import specimens, strategies
from tests.certcheck import check_tree


def plain(net: rg.ReLUNetwork, x) -> tuple[F, ...]:
    a = list(x)
    n = len(net.weights)
    for k, (w, b) in enumerate(zip(net.weights, net.biases)):
        z = [sum((wi * ai for wi, ai in zip(row, a)), F(0)) + bi for row, bi in zip(w, b)]
        a = z if k == n - 1 else [max(v, F(0)) for v in z]
    return tuple(a)


@settings(max_examples=60, deadline=None)
@given(strategies.networks(max_dim=3, max_width=4, max_depth=3), st.data())
def test_exact_output_is_the_network_value(net, data):
    x = tuple(data.draw(strategies.small_rationals) for _ in range(net.input_dim))
    assert exact_output(net, x) == plain(net, x)


def test_exact_output_without_hidden_layers():
    net = rg.ReLUNetwork([[[1, 2], [0, -3]]], [[3, F(1, 7)]])  # affine: (x + 2y + 3, -3y + 1/7)
    assert exact_output(net, (F(1), F(1))) == (F(6), F(-20, 7))


def test_exact_output_keeps_huge_and_tiny_entries():
    # a 1e13-size gadget: relu(M x) - relu(M x - 1) is 1 for x >= 1/M and M x below
    M = 10**13
    net = rg.ReLUNetwork([[[M], [M]], [[1, -1]]], [[0, -1], [0]])
    assert exact_output(net, (F(1, 2 * M),)) == (F(1, 2),)
    assert exact_output(net, (F(1, M) + F(1, 10**30),)) == (F(1),)
    assert exact_output(net, (F(-1, 3),)) == (F(0),)


# ---------------------------------------------------------------- strict atoms
# y = relu(x0) - relu(x1) = x0 - x1 on [0, 1]^2 (both neurons stable active)
DIFF = specimens.relu_diff_2d()
SQUARE = ((F(0), F(1)), (F(0), F(1)))
SQUARE2 = ((F(-1), F(1)), (F(-1), F(1)))
ZERO2 = Form((F(0), F(0)), (F(0),), F(0))


def y_form(sign, c) -> Form:  # sign * y + c
    return Form((F(0), F(0)), (F(sign),), F(c))


def test_strict_goal_needs_phi_zero_rel_strict_and_no_maximize():
    atom = (y_form(-1, 0),)
    for goal, kw in (
        (Goal(DIFF, SQUARE, (), atom, y_form(1, 0), True, frozenset({0})), {}),
        (Goal(DIFF, SQUARE, (), atom, ZERO2, False, frozenset({0})), {}),
        (Goal(DIFF, SQUARE, (), atom, ZERO2, True, frozenset({0})), {"maximize": True, "floor": F(0)}),
    ):
        with pytest.raises(ValueError, match=r"strict atoms need phi = 0, rel '<' and no maximize mode"):
            branch_and_bound(goal, **kw)


def test_admissible_points_satisfy_strict_atoms_strictly():
    goal = Goal(DIFF, SQUARE, (), (y_form(-1, 0),), ZERO2, True, frozenset({0}))  # y > 0
    assert not goal.admissible((F(1, 2), F(1, 2)), (F(0),))
    assert goal.admissible((F(1, 2), F(1, 3)), (F(1, 6),))
    closure = Goal(DIFF, SQUARE, (), (y_form(-1, 0),), ZERO2, True)
    assert closure.admissible((F(1, 2), F(1, 2)), (F(0),))


def test_strict_lp_leaf_closes_with_the_hand_multipliers():
    # y > 0 with the input row x0 - x1 <= 0: the closure x0 = x1 is feasible, the set empty.
    # psi = mu y - nu (x0 - x1) + p0 x0 + p1 x1 (phase rows -x_i <= 0) is linear, so its max
    # over the square is >= 0; max <= 0 forces p0 = p1 = 0, mu = nu, and the max-t LP's
    # multipliers have mu = 1 (the sum over the strict atoms is 1 when t* = 0)
    row = Form((F(1), F(-1)), (F(0),), F(0))
    goal = Goal(DIFF, SQUARE, (row,), (y_form(-1, 0),), ZERO2, True, frozenset({0}))
    out = branch_and_bound(goal)
    assert out.status == "proved"
    assert out.tree == {"leaf": "lp", "lambda": {"phase": [], "atom": [[0, 1]], "input": [[0, 1]]}}
    # the non-strict atom y >= 0 is satisfiable on the diagonal
    out = branch_and_bound(Goal(DIFF, SQUARE, (row,), (y_form(-1, 0),), ZERO2, True))
    assert out.status == "violated" and out.point[0] == out.point[1]


def test_strict_lp_leaf_finds_the_point_of_largest_common_slack():
    # 0 < y < 10^-6: no corner, centre or lp vertex (y = 0 or 10^-6) is admissible; the max-t LP
    # (t <= y, t <= 10^-6 - y) has its optimum t = 10^-6 / 2 exactly at y = 10^-6 / 2
    tiny = F(1, 10**6)
    goal = Goal(DIFF, SQUARE, (), (y_form(-1, 0), y_form(1, -tiny)), ZERO2, True, frozenset({0, 1}))
    out = branch_and_bound(goal)
    assert out.status == "violated" and out.point[0] - out.point[1] == tiny / 2
    # with only the first atom strict, y = 10^-6 is admissible too
    out = branch_and_bound(Goal(DIFF, SQUARE, (), goal.atoms, ZERO2, True, frozenset({0})))
    assert out.status == "violated" and 0 < out.point[0] - out.point[1] <= tiny


def test_strict_tie_on_a_region_is_decided_by_neuron_splits():
    # a1 = relu(-3 x0 - 2 x1), a2 = relu(-x0 - x1), b = relu(1 - 4 a1 - 2 a2) (the other second-
    # layer neuron, relu(1 - 2 a1 - a2), has weight 0):
    # y = 2 relu(1 - 4 a1 - 2 a2) <= 2, with y = 2 exactly where a1 = a2 = 0 (a 2-dimensional
    # part of [-1, 1]^2, crossed by the kinks of a1 and a2). y > 2 is empty, y >= 2 is not.
    # Input splits cannot close the boxes across those kinks (the rounded relaxation stays
    # above 2 there); neuron splits reach exact lp leaves, in a few dozen branches
    net = rg.ReLUNetwork([[[-3, -2], [-1, -1]], [[-2, -1], [-4, -2]], [[0, 2]]], [[0, 0], [1, 1], [0]])
    atom = (Form((F(0), F(0)), (F(-1),), F(2)),)
    out = branch_and_bound(Goal(net, SQUARE2, (), atom, ZERO2, True, frozenset({0})), max_branches=2000)
    assert out.status == "proved"
    out = branch_and_bound(Goal(net, SQUARE2, (), atom, ZERO2, True), max_branches=2000)
    assert out.status == "violated" and net(out.point[:2]) == (F(2),)


def test_strict_tie_with_a_loose_bound_rule_is_decided():
    # a1 = relu(1 - x0 - 3 x1), a2 = relu(-2 - 2 x0 - 6 x1), y = -3 relu(a1 + 2 a2) = -3 (a1 + 2 a2)
    # <= 0, with y = 0 where x0 + 3 x1 >= 1 (a 2-dimensional part of [-1, 1]^2); y > 0 is
    # empty, y >= 0 is not. The bound rule is loose here (its bound of y is 7 on boxes across
    # the kink), so the guide sees no tie; a cap of 2 d input splits per path still ends in
    # neuron splits and exact lp leaves (with 12 d input splits: unknown after 1,500 branches)
    net = rg.ReLUNetwork([[[-1, -3], [-2, -6]], [[1, 0], [1, 2]], [[0, -3]]], [[1, -2], [0, 0], [0]])
    atom = (Form((F(0), F(0)), (F(-1),), F(0)),)
    out = branch_and_bound(Goal(net, SQUARE2, (), atom, ZERO2, True, frozenset({0})), max_branches=2000)
    assert out.status == "proved"
    out = branch_and_bound(Goal(net, SQUARE2, (), atom, ZERO2, True), max_branches=2000)
    assert out.status == "violated" and net(out.point[:2]) == (F(0),)


# ------------------------------------------------------------ ties of non-strict goals
# specimens.tie_region_2d(): a3 = 2 a1, so b1 = relu(2/3 a2 - 7/3 a1 - 1/3), b2 = relu(a1 + 2 a2 - 1)
# and b3 = relu(a2 - a1 - 2) = 0 on [-1, 1]^2 (a2 <= 5/3). Where b1 > 0, 2 a2 > 1 + 7 a1 >= 1, so
# b1 <= (2 a2 - 1) / 3 <= 2 a2 - 1 <= b2: y = 2 b1 - 2 b2 - 3/2 <= -3/2, with equality where
# b1 = b2 = 0 (around 0, crossed by the kinks of a1 = a3 / 2 and a2). The minimum: b2 <= 3 + 10/3 - 1
# and b1 >= 0, both attained at (-1, -1): y = -2 * 16/3 - 3/2 = -73/6.
TIE = specimens.tie_region_2d()


def y_bound(c) -> Form:  # y - c <= 0
    return Form((F(0), F(0)), (F(1),), F(-c))


def test_tie_on_a_region_crossed_by_kinks_is_decided():
    # boxes across a kink of the region y = -3/2 never close by input splits (the rounded
    # relaxation stays above relu at a kink); a node whose centre or guide corner has y = -3/2
    # exactly turns to neuron splits after d input splits that stabilize no neuron (with only
    # 12 d input splits per path: unknown after 27,000 branches in 60 s)
    out = branch_and_bound(Goal(TIE, SQUARE2, (), (), y_bound(F(-3, 2)), False), max_branches=500)
    assert out.status == "proved"
    goal = {"box": list(SQUARE2), "rows": [], "atoms": [], "phi": ((F(0), F(0)), (F(1),), F(3, 2)), "strict": False}
    check_tree(TIE, goal, out.tree)
    # below the maximum: violated, with a witness checked by plain evaluation
    c = F(-3, 2) - F(1, 1000)
    out = branch_and_bound(Goal(TIE, SQUARE2, (), (), y_bound(c), False), max_branches=500)
    assert out.status == "violated"
    assert all(-1 <= t <= 1 for t in out.point) and plain(TIE, out.point)[0] > c


def test_tie_range_and_property_certificates_check():
    # the exact range [-73/6, -3/2] (maximize mode: the maximizer's boxes are ties) with a
    # certificate that relu_geom.verify re-checks; before the tie rule: unknown at 30 s
    r = rg.output_range(TIE, SQUARE2, max_branches=2000)
    (rng,) = r.ranges
    assert (rng.min, rng.max) == (F(-73, 6), F(-3, 2))
    assert plain(TIE, rng.argmax) == (F(-3, 2),) and plain(TIE, rng.argmin) == (F(-73, 6),)
    assert rg.verify_certificate(r.certificate).valid
    # y0 > -3/2 is unsat (certificate checked), y0 > -3/2 - 1/1000 sat with an exact witness
    box = [list(p) for p in SQUARE2]
    spec = rg.Specification.from_lists(2, 1, [{"box": box, "atoms": [{"y": [-1], "c": F(-3, 2), "strict": True}]}])
    res = rg.check_property(TIE, spec, max_branches=2000)
    assert res.verdict == "unsat" and rg.verify_certificate(res.certificate).valid
    c = F(-3, 2) - F(1, 1000)
    spec = rg.Specification.from_lists(2, 1, [{"box": box, "atoms": [{"y": [-1], "c": c, "strict": True}]}])
    res = rg.check_property(TIE, spec, max_branches=2000)
    assert res.verdict == "sat" and plain(TIE, res.witness)[0] > c
    assert rg.verify_certificate(res.certificate).valid


def _abs_goal(c):
    """``|x| >= c`` on ``[-1, 2]`` as the goal ``(box, (), (c - |x| <= 0,), 0, "<")``."""
    net = specimens.abs_1d()  # |x|
    atom = Form((F(0),), (F(-1),), F(c))
    return Goal(net, ((F(-1), F(2)),), (), (atom,), Form((F(0),), (F(0),), F(0)), True)


def test_attack_goal_finds_a_point_of_a_small_violating_set():
    # |x| >= 19/10 on [-1, 2] holds only on [19/10, 2], a twentieth of the box
    for seed in (0, 1):
        x = attack_goal(_abs_goal(F(19, 10)), starts=64, seed=seed)
        assert x is not None and F(19, 10) <= x[0] <= 2
    # |x| reaches at most 2 on [-1, 2]: no point can be returned
    assert attack_goal(_abs_goal(F(201, 100)), starts=64) is None
    # reproducible from the seed
    assert attack_goal(_abs_goal(F(3, 2)), starts=32, seed=5) == attack_goal(_abs_goal(F(3, 2)), starts=32, seed=5)


def test_attack_goal_in_boxes_stays_in_them():
    # the search attacks its open boxes: [3/2, 2] holds the violations of |x| >= 19/10;
    # in [-1, -1/2] and [0, 3/2] |x| <= 3/2, and paths never leave their box
    boxes = [((F(-1), F(-1, 2)),), ((F(0), F(3, 2)),), ((F(3, 2), F(2)),)]
    x = attack_goal(_abs_goal(F(19, 10)), starts=8, boxes=boxes)
    assert x is not None and F(19, 10) <= x[0] <= 2
    assert attack_goal(_abs_goal(F(19, 10)), starts=8, boxes=boxes[:2]) is None
    assert attack_goal(_abs_goal(F(3, 2)), starts=8, boxes=boxes[:1]) is None  # |x| <= 1 there
