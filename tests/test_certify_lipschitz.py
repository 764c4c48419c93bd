"""lipschitz_constant: constants by hand (linf, l1, l2), the witness box and the tree of pattern
leaves re-checked by the test checker."""

from __future__ import annotations

import json
from fractions import Fraction as F

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.testing import permuted_rescaled_copy, specimens
from tests.certcheck import bound_rule, check_tree, pattern_affine


def _norm(A, norm):
    if norm == "linf":
        return max(sum(abs(a) for a in row) for row in A)
    return max(sum(abs(row[j]) for row in A) for j in range(len(A[0])))


def check_lipschitz_certificate(net, res):
    cert = json.loads(json.dumps(res.certificate))
    q, ev = cert["question"], cert["evidence"]
    norm, k = q["norm"], q["precision_bits"]
    box = [(F(str(a)), F(str(b))) for a, b in q["box"]]
    d = net.input_dim
    if norm == "l2":
        poly = sympy.Poly(
            [sympy.Rational(str(c)) for c in reversed(ev["value"]["squared"]["poly"])], sympy.Symbol("t")
        )
        a, b = (sympy.Rational(str(v)) for v in ev["value"]["squared"]["interval"])
        assert len([r for r in sympy.real_roots(poly) if a <= r <= b]) == 1
        L2 = [r for r in sympy.real_roots(poly) if a <= r <= b][0]

        def accept(A):
            M = sympy.Matrix(A)
            return all(ev_ <= L2 for ev_ in (M.T * M).eigenvals())

        def accept_bound(b):
            return sympy.Rational(b.numerator, b.denominator) <= L2
    else:
        L = F(str(ev["value"]))

        def accept(A):
            return _norm(A, norm) <= L

        def accept_bound(b):
            return b <= L

    x = [F(str(v)) for v in ev["witness"]["x"]]
    W = [(F(str(a)), F(str(b))) for a, b in ev["witness"]["box"]]
    assert all(lo <= v <= hi for v, (lo, hi) in zip(x, box)) and all(lo < v < hi for v, (lo, hi) in zip(x, W))
    empty, phases, _, _ = bound_rule(net, W, {}, k)
    assert not empty and all(s != 0 for ph in phases for s in ph)
    A_W = [row[:d] for row in pattern_affine(net, phases)[1]]
    if norm == "l2":
        M = sympy.Matrix(A_W)
        assert max((M.T * M).eigenvals()) == L2
    else:
        assert _norm(A_W, norm) == L
    for r in q["input_rows"]:  # the witness lies in the polytope
        assert sum(F(str(a)) * v for a, v in zip(r["x"], x)) + F(str(r["c"])) <= 0
    rows = [([F(str(a)) for a in r["x"]], F(str(r["c"]))) for r in q["input_rows"]]
    zero_phi = ([F(0)] * d, [F(0)] * net.output_dim, F(0))
    goal = {"box": box, "rows": rows, "atoms": [], "phi": zero_phi, "strict": True}
    check_tree(net, goal, ev["proof"], k, lipschitz=accept, jacobian=(norm, accept_bound))


NET = specimens.relu_of_sum_2d()  # ReLU(x1 + x2)


def test_by_hand():
    assert rg.lipschitz_constant(NET, "linf", (-1, 1)).value == 2
    assert rg.lipschitz_constant(NET, "l1", (-1, 1)).value == 1
    res = rg.lipschitz_constant(NET, "l2", (-1, 1))
    assert res.value.lo <= 2 <= res.value.hi and abs(float(res.value) - 2**0.5) < 1e-12
    for norm in ("linf", "l1", "l2"):
        check_lipschitz_certificate(NET, rg.lipschitz_constant(NET, norm, (-1, 1)))


def test_dead_on_the_box():
    # ReLU(x1 + x2) on [-2, -1]^2 is zero: constant 0
    res = rg.lipschitz_constant(NET, "linf", (-2, -1))
    assert res.value == 0
    check_lipschitz_certificate(NET, res)


def test_two_outputs_by_hand():
    # f = (2 ReLU(x1) - ReLU(x2), x1 + 3 ReLU(x2)); on [-1, 1]^2 the region x1, x2 > 0 has
    # A = [[2, -1], [1, 3]]: linf 4, l1 4; x1 > 0 > x2: [[2, 0], [1, 0]]; x2 > 0 > x1: [[0, -1], [1, 3]];
    # both negative: [[0, 0], [1, 0]]
    net = rg.ReLUNetwork(
        [[[1, 0], [0, 1], [1, 0], [-1, 0]], [[2, -1, 0, 0], [0, 3, 1, -1]]], [[0, 0, 0, 0], [0, 0]]
    )
    for norm, expect in (("linf", 4), ("l1", 4)):
        res = rg.lipschitz_constant(net, norm, (-1, 1))
        assert res.value == expect
        check_lipschitz_certificate(net, res)
    res = rg.lipschitz_constant(net, "l2", (-1, 1))
    # Gram matrices [[5, 1], [1, 10]], [[5, 0], [0, 0]], [[1, 3], [3, 10]], [[1, 0], [0, 0]]: largest
    # eigenvalues (15 + sqrt(29)) / 2, 5, (11 + sqrt(117)) / 2 (the maximum), 1
    lam = (11 + 117**0.5) / 2
    assert res.value.poly == (1, -11, 1)
    assert res.value.lo <= lam <= res.value.hi + 1e-9
    check_lipschitz_certificate(net, res)


nets = st.builds(
    lambda arch, seed: rg.ReLUNetwork.random(arch, seed=seed, max_numerator=3, max_denominator=2),
    st.sampled_from([[1, 2, 1], [2, 2, 1], [2, 3, 2], [2, 2, 2, 1]]),
    st.integers(0, 10**6),
)


@settings(max_examples=15, deadline=None)
@given(nets, st.sampled_from(["linf", "l1", "l2"]), st.integers(0, 40))
def test_random(net, norm, seed):
    try:
        res = rg.lipschitz_constant(net, norm, (-1, 1), max_branches=5000)
    except rg.LimitExceededError:
        return
    check_lipschitz_certificate(net, res)
    other = rg.lipschitz_constant(permuted_rescaled_copy(net, seed), norm, (-1, 1), max_branches=5000)
    if norm == "l2":
        assert other.value.poly == res.value.poly or abs(float(other.value) - float(res.value)) < 1e-9
    else:
        assert other.value == res.value


def test_needs_a_box():
    with pytest.raises(rg.UnsupportedInputError):
        rg.lipschitz_constant(NET, "linf")
    with pytest.raises(rg.InvalidInputError):
        rg.lipschitz_constant(NET, "l3", (-1, 1))


# f = 2 ReLU(x1 + x2) + ReLU(x1 - x2): gradients (3, 1) where both are active, (2, 2) where only
# the first is, (1, -1) where only the second is, 0 elsewhere.  Operator norms of a row vector
# a: linf -> linf is |a1| + |a2|, l1 -> l1 is max |a_i|, l2 is ||a||_2.
TWO = specimens.two_relu_sum_2d()


def _cut(a1, a2, b):
    """[-1, 1]^2 cut by a1 x1 + a2 x2 <= b, as a polytope."""
    return rg.Polyhedron.from_hrep([(a1, a2, b), (1, 0, 1), (-1, 0, 1), (0, 1, 1), (0, -1, 1)])


@pytest.mark.parametrize(
    ("cut", "expect"),
    [
        # x1 + x2 <= -1/2: only (1, -1) and 0 remain (the bounding box still holds all four pieces)
        ((1, 1, F(-1, 2)), {"linf": 2, "l1": 1, "l2": 2}),
        # x1 - x2 <= -1/2: only (2, 2) and 0
        ((1, -1, F(-1, 2)), {"linf": 4, "l1": 2, "l2": 8}),
        # the box itself
        ((1, 1, 2), {"linf": 4, "l1": 3, "l2": 10}),
    ],
)
def test_polytope_by_hand(cut, expect):
    P = _cut(*cut)
    for norm, value in expect.items():
        res = rg.lipschitz_constant(TWO, norm, P)
        if norm == "l2":  # L^2 = value exactly
            assert res.value.lo <= value <= res.value.hi
            assert sympy.Poly([sympy.Rational(str(c)) for c in reversed(res.value.poly)], sympy.Symbol("t")).eval(
                value
            ) == 0
        else:
            assert res.value == value
        assert P.contains(res.witness)
        check_lipschitz_certificate(TWO, res)
        assert rg.verify_certificate(res.certificate, TWO).valid


def test_polytope_excludes_the_steepest_region():
    # the same polytope, given as a box of its bounding box, gives the box answer
    P = _cut(1, 1, F(-1, 2))
    assert rg.lipschitz_constant(TWO, "linf", P).value == 2
    assert rg.lipschitz_constant(TWO, "linf", [(-1, 1), (-1, 1)]).value == 4
    res = rg.lipschitz_constant(TWO, "linf", P)
    x1, x2 = res.witness
    assert x1 + x2 <= F(-1, 2) and x1 > x2  # inside the polytope, in the piece with gradient (1, -1)
    assert res.stats["lp_leaves"] > 0  # the steep pieces of the bounding box are excluded by LPs


def test_polytope_certificate_tampering():
    res = rg.lipschitz_constant(TWO, "linf", _cut(1, 1, F(-1, 2)))
    cert = json.loads(json.dumps(res.certificate))
    assert rg.verify_certificate(cert).valid
    # without the polytope's rows the lp leaves no longer exclude the steep pieces
    bad = json.loads(json.dumps(cert))
    bad["question"]["input_rows"] = []
    assert not rg.verify_certificate(bad).valid
    # a smaller value fails at the witness
    bad = json.loads(json.dumps(cert))
    bad["evidence"]["value"] = "3/2"
    assert not rg.verify_certificate(bad).valid
    # a witness outside the polytope (still in the box) is rejected
    bad = json.loads(json.dumps(cert))
    bad["evidence"]["witness"]["x"] = ["1/2", "-1/2"]
    report = rg.verify_certificate(bad)
    assert not report.valid and "input row" in report.first_failure.reason


def test_polytope_domain_errors():
    flat = rg.Polyhedron.from_hrep([(1, 0, 1), (-1, 0, 1)], [(0, 1, 0)])  # a segment in R^2
    with pytest.raises(rg.InvalidInputError, match="full-dimensional"):
        rg.lipschitz_constant(TWO, "linf", flat)
    with pytest.raises(rg.DimensionMismatchError):
        rg.lipschitz_constant(TWO, "linf", rg.Polyhedron.box([(0, 1)]))
    # ReLU(x1 + x2) on {x1 + x2 <= 0}: the slope-1 piece meets it in a segment only (constant 0),
    # which the certificate cannot exclude: a clear error, no wrong answer
    with pytest.raises(rg.UnsupportedInputError, match="lower-dimensional"):
        rg.lipschitz_constant(NET, "linf", _cut(1, 1, 0))


def _jacobian_leaves(tree):
    stack, out = [tree], []
    while stack:
        node = stack.pop()
        if "split" in node:
            stack.extend(node["children"])
        elif node["leaf"] == "jacobian":
            out.append(node)
    return out


def test_two_relus_on_the_box_by_jacobian_leaves():
    # on [-1, 1]^2 the four gradients (3, 1), (2, 2), (1, -1), 0: linf 4, l1 3, L^2 = 10;
    # one interval leaf covers the box (both neurons unstable there)
    for norm, expect in (("linf", 4), ("l1", 3), ("l2", 10)):
        res = rg.lipschitz_constant(TWO, norm, (-1, 1))
        if norm == "l2":
            assert res.value.lo <= expect <= res.value.hi
            assert sum(c * expect**i for i, c in enumerate(res.value.poly)) == 0
        else:
            assert res.value == expect
        assert res.stats["jacobian_leaves"] >= 1 and res.stats["pattern_leaves"] == 0
        check_lipschitz_certificate(TWO, res)
        assert rg.verify_certificate(res.certificate, TWO).valid
        # without jacobian leaves: the tree of full patterns, the same value
        old = rg.lipschitz_constant(TWO, norm, (-1, 1), max_cases=0)
        assert old.value == res.value and old.stats["jacobian_leaves"] == 0 and old.stats["pattern_leaves"] > 0
        assert rg.verify_certificate(old.certificate, TWO).valid


@pytest.mark.no_check_complex  # the complex is the reference here, audited by the compiler's tests
def test_random_network_against_the_compiled_regions():
    net = rg.ReLUNetwork.random([3, 8, 8, 1], seed=3)
    cx = rg.compile_network(net, domain=[[-1, 1]] * 3)
    grads = [cell.affine_map[0][0] for cell in cx.regions]  # one output: the gradient row
    linf = max(sum(abs(a) for a in g) for g in grads)  # linf -> linf of a row: its l1 norm
    l1 = max(max(abs(a) for a in g) for g in grads)
    l2sq = max(sum(a * a for a in g) for g in grads)
    for norm in ("linf", "l1", "l2"):
        res = rg.lipschitz_constant(net, norm, (-1, 1))
        if norm == "l2":
            assert res.value.lo <= l2sq <= res.value.hi
            assert sum(c * l2sq**i for i, c in enumerate(res.value.poly)) == 0
        else:
            assert res.value == (linf if norm == "linf" else l1)
        assert res.stats["jacobian_leaves"] > 0
        report = rg.verify_certificate(res.certificate, net)
        assert report.valid and dict(report.leaves)["jacobian"] == res.stats["jacobian_leaves"]
        check_lipschitz_certificate(net, res)


@pytest.mark.no_check_complex
def test_tampered_jacobian_leaves_are_rejected():
    net = rg.ReLUNetwork.random([3, 8, 8, 1], seed=3)
    res = rg.lipschitz_constant(net, "linf", (-1, 1))
    cert = json.loads(json.dumps(res.certificate))
    leaves = _jacobian_leaves(cert["evidence"]["proof"])
    with_cases = [n for n in leaves if "cases" in n]
    assert with_cases  # some leaves need enumerated neurons
    # a value below the truth
    bad = json.loads(json.dumps(cert))
    bad["evidence"]["value"] = q_str(res.value - F(1, 10**6))
    assert not rg.verify_certificate(bad).valid
    # the cases dropped: the leaf's plain interval is too wide (the producer tried it first)
    for node in with_cases:
        del node["cases"]
    report = rg.verify_certificate(cert)
    assert not report.valid and "above L" in report.first_failure.reason
    # a case that is not an unstable neuron of its leaf
    cert = json.loads(json.dumps(res.certificate))
    node = _jacobian_leaves(cert["evidence"]["proof"])[0]
    node["cases"] = [[1, 0]] * 2
    assert not rg.verify_certificate(cert).valid


def q_str(v):
    return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"


def test_max_cases_one_gives_plain_interval_leaves():
    # linf on [-1, 1]^2: the plain interval bound is 5 > 4, so the box is split
    res = rg.lipschitz_constant(TWO, "linf", (-1, 1), max_cases=1)
    assert res.value == 4 and res.stats["branches"] > 0
    assert all("cases" not in n for n in _jacobian_leaves(res.certificate["evidence"]["proof"]))
    assert rg.verify_certificate(res.certificate, TWO).valid
    check_lipschitz_certificate(TWO, res)


def test_max_cases_is_checked():
    with pytest.raises(rg.InvalidInputError, match="max_cases"):
        rg.lipschitz_constant(NET, "linf", (-1, 1), max_cases=-1)
    with pytest.raises(rg.InvalidInputError, match="max_cases"):
        rg.lipschitz_constant(NET, "linf", (-1, 1), max_cases=True)
