"""robustness_radius: radii by hand, the nearest point re-evaluated exactly, the proof trees
of every class re-checked by the test checker on the goals built from the document."""

from __future__ import annotations

import json
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.testing import permuted_rescaled_copy, specimens
from tests.certcheck import check_tree


def check_robustness_certificate(net, res):
    cert = json.loads(json.dumps(res.certificate))
    q, ev = cert["question"], cert["evidence"]
    x0 = [F(str(v)) for v in q["x0"]]
    c, norm = q["label"], q["norm"]
    r = F(str(ev["radius"]))
    x = [F(str(v)) for v in ev["x"]]
    diff = [abs(a - b) for a, b in zip(x, x0)]
    assert (max(diff) if norm == "linf" else sum(diff)) == r
    y = net(x)
    assert y[ev["class"]] >= y[c] and ev["class"] != c
    d, m = net.input_dim, net.output_dim
    e = 1 if norm == "linf" else d
    box = [(a - r, a + r) for a in x0] + [(F(0), r)] * e
    rows = []
    for i in range(d):
        k = d if norm == "linf" else d + i
        for s in (1, -1):
            p = [F(0)] * (d + e)
            p[i] = F(s)
            p[k] = F(-1)
            rows.append((p, -s * x0[i]))
    for j in range(m):
        if j == c:
            continue
        qa = [F(0)] * m
        qa[c] += 1
        qa[j] -= 1
        goal = {
            "box": box,
            "rows": rows,
            "atoms": [([F(0)] * (d + e), qa, F(0))],
            "phi": ([F(0)] * d + [F(-1)] * e, [F(0)] * m, r),
        }
        check_tree(net, goal, ev["proofs"][str(j)], q["precision_bits"])


def test_one_dimensional_by_hand():
    net = specimens.plus_minus_1d()  # scores (x, -x)
    for norm in ("linf", "l1"):
        res = rg.robustness_radius(net, [F(1, 2)], norm)
        assert (res.radius, res.x, res.label, res.cls) == (F(1, 2), (0,), 0, 1)
        check_robustness_certificate(net, res)


def test_two_dimensional_by_hand():
    # scores (ReLU(x1), ReLU(x2)) at (1, 0): linf radius 1/2 at (1/2, 1/2); l1 radius 1
    net = specimens.relu_pair_2d()
    res = rg.robustness_radius(net, [1, 0], "linf")
    assert res.radius == F(1, 2) and res.x == (F(1, 2), F(1, 2))
    check_robustness_certificate(net, res)
    res = rg.robustness_radius(net, [1, 0], "l1")
    assert res.radius == 1
    check_robustness_certificate(net, res)


def test_tie_at_the_point_gives_zero():
    net = specimens.plus_minus_1d()
    res = rg.robustness_radius(net, [0], "linf")
    assert res.radius == 0 and res.x == (0,)
    check_robustness_certificate(net, res)


def test_given_label_that_is_not_the_argmax():
    net = specimens.plus_minus_1d()
    res = rg.robustness_radius(net, [1], "linf", label=1)
    assert res.radius == 0


def test_three_classes_decimal_point():
    # scores (x, 1 - x, 0.3) at x = 0.9: class 0; tie with class 2 at x = 0.3 (distance 0.6),
    # with class 1 at x = 0.5 (distance 0.4)
    net = rg.ReLUNetwork([[[1], [-1], [0]]], [[0, 1, "0.3"]])
    res = rg.robustness_radius(net, ["0.9"], "linf")
    assert res.radius == F(2, 5) and res.cls == 1
    check_robustness_certificate(net, res)


def test_no_change_within_the_limit():
    net = rg.ReLUNetwork([[[0], [0]]], [[1, 0]])  # constant scores (1, 0)
    with pytest.raises(rg.LimitExceededError):
        rg.robustness_radius(net, [0], "linf", max_radius=16)


def test_bad_input():
    net = specimens.identity_1d()
    with pytest.raises(rg.InvalidInputError):
        rg.robustness_radius(net, [0], "linf")
    with pytest.raises(rg.InvalidInputError):
        rg.robustness_radius(specimens.plus_minus_1d(), [0], "l3")


nets = st.builds(
    lambda arch, seed: rg.ReLUNetwork.random(arch, seed=seed, max_numerator=3, max_denominator=2),
    st.sampled_from([[1, 2, 2], [2, 2, 2], [2, 3, 2], [2, 2, 3]]),
    st.integers(0, 10**6),
)


@settings(max_examples=15, deadline=None)
@given(nets, st.sampled_from(["linf", "l1"]), st.integers(0, 50))
def test_random_certificates_check_and_symmetry(net, norm, seed):
    x0 = [F(1, 3)] * net.input_dim
    try:
        res = rg.robustness_radius(net, x0, norm, max_radius=64, max_seconds=60)
    except rg.LimitExceededError:
        return
    check_robustness_certificate(net, res)
    other = rg.robustness_radius(permuted_rescaled_copy(net, seed), x0, norm, max_radius=64)
    assert other.radius == res.radius


# l2: scores (a.x, 0), class 0 at x0 = (1, 1) while a.x >= 0; the boundary a.x = 0 is at l2
# distance a.x0 / ||a||_2, l-inf distance a.x0 / ||a||_1 and l1 distance a.x0 / ||a||_inf
@pytest.mark.parametrize(
    ("a", "lower", "upper"),
    [
        # a = (1, 1): r_inf = 1, r_1 = 2, r_2^2 = 2 = r_1^2 / 2; the l-inf point (0, 0) is at squared distance 2
        ((1, 1), F(2), F(2)),
        # a = (1, 0): r_inf = r_1 = r_2 = 1; the point (0, 1)
        ((1, 0), F(1), F(1)),
        # a = (1, 2): r_2^2 = 9/5; r_inf = 1, r_1 = 3/2 (lower max(1, 9/8)); the l-inf point (0, 0) at
        # squared distance 2, the l1 point (1, -1/2) at 9/4
        ((1, 2), F(9, 8), F(2)),
    ],
)
def test_l2_bounds_by_hand(a, lower, upper):
    net = rg.ReLUNetwork([[list(a), [0, 0]]], [[0, 0]])
    res = rg.robustness_radius(net, [1, 1], "l2", method="bounds")
    assert (res.lower_squared, res.upper_squared) == (lower, upper)
    exact = F(sum(a) ** 2, a[0] ** 2 + a[1] ** 2)
    assert res.lower_squared <= exact <= res.upper_squared
    assert res.exact == (lower == upper)
    y = net(res.x)
    assert y[res.cls] >= y[res.label] and sum((v - 1) ** 2 for v in res.x) == res.upper_squared
    # the certificate of the lower bound is a plain linf / l1 robustness certificate
    check_robustness_certificate(net, res)
    r = F(str(res.certificate["evidence"]["radius"]))
    assert (r**2 if res.certificate["question"]["norm"] == "linf" else r**2 / 2) == res.lower_squared
    assert rg.verify_certificate(json.loads(json.dumps(res.certificate))).valid


@settings(max_examples=6, deadline=None)
@given(nets, st.integers(0, 50))
def test_l2_bounds_enclose_random(net, seed):
    x0 = [F(1, 3)] * net.input_dim
    try:
        res = rg.robustness_radius(net, x0, "l2", method="bounds", max_radius=64, max_seconds=60)
    except rg.LimitExceededError:
        return
    lo, hi = res.lower_squared, res.upper_squared
    assert 0 <= lo <= hi
    y = net(res.x)
    assert y[res.cls] >= y[res.label]
    assert sum((a - b) ** 2 for a, b in zip(res.x, x0)) == hi
    check_robustness_certificate(net, res)
    # the lower bound comes from exact radii (the nearest points, hence the upper bound, need not be unique)
    other = rg.robustness_radius(permuted_rescaled_copy(net, seed), x0, "l2", method="bounds", max_radius=64)
    assert other.lower_squared == lo


# ---------------------------------------------------------------- the exact l2 radius
def check_l2_certificate(net, res):
    """The nearest point by exact evaluation, and the certificate by the real checker."""
    cert = json.loads(json.dumps(res.certificate))
    assert cert["claim"] == "robustness_l2"
    x0 = [F(str(v)) for v in cert["question"]["x0"]]
    x = [F(str(v)) for v in cert["evidence"]["x"]]
    assert sum((a - b) ** 2 for a, b in zip(x, x0)) == res.upper_squared == res.lower_squared
    y = net(x)
    assert y[res.cls] >= y[res.label]
    report = rg.verify_certificate(cert, net)
    assert report.valid, report.first_failure
    return cert


@pytest.mark.parametrize(
    ("a", "b", "x0"),
    [((1, 2), 0, (1, 1)), ((3, -4), F(1, 2), (2, 0)), ((1, 1), 0, (1, 1)), ((F(1, 3), 1), -1, (0, 0))],
)
def test_exact_l2_distance_to_a_line(a, b, x0):
    # scores (a.x - b, 0): class 0 while a.x >= b; the radius is the distance to the line a.x = b,
    # squared (a.x0 - b)^2 / ||a||^2, attained at the orthogonal projection
    net = rg.ReLUNetwork([[list(a), [0, 0]]], [[-F(b), 0]])
    res = rg.robustness_radius(net, list(x0), "l2")
    ax = a[0] * x0[0] + a[1] * x0[1] - b
    nn = F(a[0]) ** 2 + F(a[1]) ** 2
    assert res.label == 0 and res.cls == 1 and res.exact
    assert res.upper_squared == F(ax) ** 2 / nn
    assert res.x == tuple(F(v) - F(ax) / nn * F(w) for v, w in zip(x0, a))
    check_l2_certificate(net, res)


def test_exact_l2_one_dimensional():
    # plus_minus_1d: scores (x, -x), ties at 0: from x0 = 1/2 the radius is 1/2, squared 1/4
    net = specimens.plus_minus_1d()
    res = rg.robustness_radius(net, ["1/2"], "l2")
    assert res.upper_squared == F(1, 4) and res.x == (0,)
    check_l2_certificate(net, res)
    # |x| - 1 against 0: class 0 while |x| >= 1; from x0 = 3 the nearest tie is x = 1
    net = rg.ReLUNetwork([[[1], [-1]], [[1, 1], [0, 0]]], [[0, 0], [-1, 0]])
    res = rg.robustness_radius(net, [3], "l2")
    assert res.upper_squared == 4 and res.x == (1,)
    check_l2_certificate(net, res)


def test_exact_l2_corner_of_a_wedge():
    # f_0 = 0, f_1 = ReLU(x1) + ReLU(x2) - ReLU(x1 - x2) - ReLU(x2 - x1) - 2, which is
    # 2 min(x1, x2) - 2 on the quadrant x >= 0 and negative elsewhere: class 1 (ties count)
    # exactly on [1, inf)^2; from x0 = (0, 0) the nearest point is the corner (1, 1), squared 2
    net = rg.ReLUNetwork(
        [[[1, -1], [-1, 1], [1, 0], [0, 1]], [[0, 0, 0, 0], [-1, -1, 1, 1]]], [[0, 0, 0, 0], [0, -2]]
    )
    res = rg.robustness_radius(net, [0, 0], "l2")
    assert res.upper_squared == 2 and res.x == (1, 1)
    check_l2_certificate(net, res)


def test_exact_l2_tie_at_the_point():
    net = specimens.plus_minus_1d()
    res = rg.robustness_radius(net, [0], "l2")
    assert res.upper_squared == 0 and res.x == (0,)
    check_l2_certificate(net, res)


@settings(max_examples=6, deadline=None)
@given(nets, st.integers(0, 50))
def test_exact_l2_within_the_bounds(net, seed):
    x0 = [F(1, 3)] * net.input_dim
    try:
        b = rg.robustness_radius(net, x0, "l2", method="bounds", max_radius=64, max_seconds=60)
        res = rg.robustness_radius(net, x0, "l2", max_radius=64, max_seconds=60)
    except rg.LimitExceededError:
        return
    assert b.lower_squared <= res.upper_squared <= b.upper_squared
    check_l2_certificate(net, res)
    other = rg.robustness_radius(permuted_rescaled_copy(net, seed), x0, "l2", max_radius=64)
    assert other.upper_squared == res.upper_squared


def test_exact_l2_certificate_tampering():
    net = specimens.line_classifier_2d()
    res = rg.robustness_radius(net, [1, 1], "l2")
    cert = check_l2_certificate(net, res)

    def fails(edit):
        bad = json.loads(json.dumps(cert))
        edit(bad)
        return not rg.verify_certificate(bad, net).valid

    assert fails(lambda c: c["evidence"].__setitem__("radius_squared", "2"))
    assert fails(lambda c: c["evidence"].__setitem__("x", ["1", "1"]))
    assert fails(lambda c: c["evidence"].__setitem__("half_width", "1"))
    assert fails(lambda c: c["evidence"]["proof"]["lambda"]["1"].__setitem__("atom", "1"))
    # a larger radius with a point farther away still fails: the multipliers bound 9/5 only
    far = json.loads(json.dumps(cert))
    far["evidence"]["radius_squared"] = "2"
    far["evidence"]["x"] = ["0", "0"]  # f_1 = 0 >= f_0 = 0 there, at squared distance 2
    report = rg.verify_certificate(far, net)
    assert not report.valid and "dual bound" in report.first_failure.reason


def test_exact_l2_bad_method():
    with pytest.raises(rg.InvalidInputError, match="method"):
        rg.robustness_radius(specimens.plus_minus_1d(), [1], "l2", method="fast")


@pytest.mark.parametrize("norm", ["linf", "l1", "l2"])
@pytest.mark.parametrize("bad", ["x", None, -1, 0, [1]])
def test_max_radius_must_be_a_positive_rational(norm, bad):
    net = specimens.plus_minus_1d()
    with pytest.raises(rg.InvalidInputError, match="max_radius"):
        rg.robustness_radius(net, ["1/2"], norm, max_radius=bad)


def test_l1_nearest_point_outside_the_first_box():
    # scores (5 x1 + 5 x2 + 10 x3 - 8, 0) at x0 = (1, 1, 1): 12 > 0.  The l1 distance to the
    # boundary is 12 / ||a||_inf = 6/5, reached by moving x3 alone to -1/5, outside the radius-1
    # box; inside that box the nearest change is at 7/5 (x3 by 1, then x1 by 2/5), which must not
    # be taken for the radius.  The l-inf radius is 12 / ||a||_1 = 3/5.
    net = rg.ReLUNetwork([[[5, 5, 10], [0, 0, 0]]], [[-8, 0]])
    res = rg.robustness_radius(net, [1, 1, 1], "l1")
    assert res.radius == F(6, 5) and res.x == (1, 1, F(-1, 5))
    assert rg.verify_certificate(res.certificate, net).valid
    assert rg.robustness_radius(net, [1, 1, 1], "linf").radius == F(3, 5)
