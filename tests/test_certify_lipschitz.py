"""lipschitz_constant: constants by hand (linf, l1, l2), the witness box and the tree of pattern
leaves re-checked by the test checker."""

from __future__ import annotations

import json
import math
from fractions import Fraction as F

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.certify.lipschitz import is_psd_integer
from relu_geom.testing import permuted_rescaled_copy, specimens
from tests.certcheck import bound_rule, check_tree, pattern_affine, psd_by_minors


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
    rule = q.get("bound_rule", "forward")
    empty, phases, _, _ = bound_rule(net, W, {}, k, rule=rule)
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
    jac = (norm, accept_bound, F(str(ev["value"]["squared"]["interval"][0]))) if norm == "l2" else (norm, accept_bound)
    check_tree(net, goal, ev["proof"], k, lipschitz=accept, jacobian=jac, rule=rule)


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
    # a pattern realized only at a point where several neurons vanish (e.g. relu(3 x - 1) and
    # relu(1 - 3 x), both active only at x = 1/3, with the larger slope) is a thin lp leaf
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
    # ReLU(x1 + x2) on {x1 + x2 <= 0}: f is 0 there; the slope-1 piece meets the domain in a
    # segment only, excluded by a thin lp leaf (max psi = 0 on the row x1 + x2 <= 0)
    res = rg.lipschitz_constant(NET, "linf", _cut(1, 1, 0))
    assert res.value == 0 and res.stats["lp_leaves"] >= 1
    assert rg.verify_certificate(res.certificate, NET).valid


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


@pytest.mark.no_check_complex  # the complex is the reference here, audited by the compiler's tests
def test_both_bound_rules_on_a_deep_network():
    # three hidden layers: the default tree is built with the backward rule (recorded in the
    # question); both trees prove the constant of the compiled regions, and the test checker
    # re-derives each with its own transcription of the rule
    net = rg.ReLUNetwork.random([2, 5, 5, 5, 1], seed=2)
    cx = rg.compile_network(net, domain=[[-1, 1]] * 2)
    linf = max(sum(abs(a) for a in cell.affine_map[0][0]) for cell in cx.regions)
    back, fwd = (rg.lipschitz_constant(net, "linf", (-1, 1), bound_rule=r) for r in (None, "forward"))
    assert back.value == fwd.value == linf
    assert back.certificate["question"]["bound_rule"] == "backward" and "bound_rule" not in fwd.certificate["question"]
    for res in (back, fwd):
        assert rg.verify_certificate(res.certificate, net).valid
        check_lipschitz_certificate(net, res)
    with pytest.raises(rg.InvalidInputError, match="bound_rule"):
        rg.lipschitz_constant(net, "linf", (-1, 1), bound_rule="sideways")


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


# f = M relu(x), M = [[3, 0], [4, 5]] on [-1, 1]^2: the regions have A = M D (D a 0 / 1
# diagonal); M^T M = [[25, 20], [20, 25]] has eigenvalues 45 and 5, so L^2 = 45, rational.
# Over the whole box the interval Jacobian is [0, M]: Frobenius 9 + 16 + 25 = 50 > 45,
# B_inf B_1 = 9 * 7 = 63 > 45, but 45 I - M^T M = [[20, -20], [-20, 20]] is PSD.
SPEC = specimens.spectral_pair_2d()


def test_two_outputs_one_spectral_leaf():
    res = rg.lipschitz_constant(SPEC, "l2", (-1, 1))
    assert (res.value.lo, res.value.hi) == (45, 45)  # rational L^2: an exact interval
    assert res.certificate["evidence"]["proof"] == {"leaf": "jacobian"} and res.stats["branches"] == 0
    assert rg.verify_certificate(res.certificate, SPEC).valid
    check_lipschitz_certificate(SPEC, res)


@st.composite
def integer_symmetric(draw):
    n = draw(st.integers(1, 4))
    k = draw(st.integers(0, n + 1))
    entry = st.integers(-3, 3)
    if k > n:  # any symmetric matrix
        S = [[0] * n for _ in range(n)]
        for i in range(n):
            for j in range(i, n):
                S[i][j] = S[j][i] = draw(entry)
        return S
    B = [[draw(entry) for _ in range(n)] for _ in range(k)]  # B^T B: PSD, singular for k < n
    S = [[sum(B[r][i] * B[r][j] for r in range(k)) for j in range(n)] for i in range(n)]
    i = draw(st.integers(0, n - 1))
    S[i][i] += draw(st.sampled_from([0, 0, -1, 1]))  # on the boundary of the cone, or off it
    if draw(st.booleans()):  # a zero row and column, perhaps with one nonzero entry
        for j in range(n):
            S[i][j] = S[j][i] = 0
        if n > 1 and draw(st.booleans()):
            S[i][(i + 1) % n] = S[(i + 1) % n][i] = draw(entry)
    return S


@settings(max_examples=300, deadline=None)
@given(integer_symmetric())
def test_fraction_free_psd_agrees_with_sylvester(S):
    assert is_psd_integer(S) == psd_by_minors([[F(v) for v in row] for row in S])


def _sign_sum(u, q1, q2):
    """The sign of u + sqrt(q1) - sqrt(q2) (q1, q2 >= 0), exactly, by squaring."""
    v = (q1 > q2) - (q1 < q2)
    su = (u > 0) - (u < 0)
    if su == 0 or v == 0 or su == v:
        return su or v
    w, r = u * u - q1 - q2, q1 * q2  # sign(u^2 - (sqrt q1 - sqrt q2)^2) = sign(w + 2 sqrt r)
    c = (1 if w > 0 or r > 0 else 0) if w >= 0 else (4 * r > w * w) - (4 * r < w * w)
    return su if c > 0 else (v if c < 0 else 0)


def _lambda_max(A):
    """(p, q) with the largest eigenvalue of the 2 x 2 Gram matrix (A A^T for two rows, A^T A
    for two columns) p + sqrt(q): t / 2 + sqrt(t^2 / 4 - det)."""
    rows = A if len(A) == 2 else [list(c) for c in zip(*A)]
    g00, g11 = (sum((a * a for a in r), F(0)) for r in rows)
    g01 = sum((a * b for a, b in zip(*rows)), F(0))
    t, det = g00 + g11, g00 * g11 - g01 * g01
    return t / 2, t * t / 4 - det


def _equals_the_compiled_maximum(net, res):
    """The l2 constant is the largest eigenvalue p + sqrt(q) over the compiled regions, compared
    in Q(sqrt q) by hand."""
    cx = rg.compile_network(net, domain=[[-1, 1]] * net.input_dim)
    best = None
    for cell in cx.regions:
        lam = _lambda_max(cell.affine_map[0])
        if best is None or _sign_sum(lam[0] - best[0], lam[1], best[1]) > 0:
            best = lam
    p, q = best
    n, d = q.numerator, q.denominator
    if math.isqrt(n) ** 2 == n and math.isqrt(d) ** 2 == d:
        p, q = p + F(math.isqrt(n), math.isqrt(d)), F(0)
    v = res.value
    a, b = F(0), F(0)  # v.poly at p + sqrt(q), as a + b sqrt(q)
    for c in reversed(v.poly):
        a, b = a * p + b * q + c, a + b * p
    assert a == 0 and b == 0
    assert _sign_sum(p - v.lo, q, F(0)) >= 0 and _sign_sum(p - v.hi, q, F(0)) <= 0


@pytest.mark.no_check_complex  # the complex is the reference here, audited by the compiler's tests
@pytest.mark.parametrize(("arch", "seed", "before"), [([3, 8, 8, 2], 0, 655), ([2, 6, 6, 3], 3, 107)])
def test_several_outputs_against_the_compiled_regions(arch, seed, before):
    # the exact l2 constant: the largest eigenvalue p + sqrt(q) over the regions, compared in
    # Q(sqrt q) by hand; ``before`` bounds the branches: 655 without the spectral test for the
    # first (421 with it); 106 with and without it for the second
    net = rg.ReLUNetwork.random(arch, seed=seed)
    res = rg.lipschitz_constant(net, "l2", (-1, 1))
    _equals_the_compiled_maximum(net, res)
    assert res.stats["branches"] < before
    assert rg.verify_certificate(res.certificate, net).valid
    check_lipschitz_certificate(net, res)


@pytest.mark.no_check_complex  # the complex is the reference here
def test_a_degenerate_point_is_a_thin_leaf():
    # ReLUNetwork.random([2, 6, 6, 3], seed=0) has three bent hyperplanes through x = (2/3, 5/6):
    # z_{1,1} = 7/4 x1 + x2 - 2, z_{1,3} = 7/2 x1 - 7/3 and z_{2,4} all vanish there.  Patterns
    # realized only on such a lower-dimensional set can exceed L; thin lp leaves exclude them
    net = rg.ReLUNetwork.random([2, 6, 6, 3], seed=0)
    x = (F(2, 3), F(5, 6))
    z1 = [sum((w * v for w, v in zip(row, x)), b) for row, b in zip(net.weights[0], net.biases[0])]
    a1 = [max(v, F(0)) for v in z1]
    z2 = [sum((w * v for w, v in zip(row, a1)), b) for row, b in zip(net.weights[1], net.biases[1])]
    assert z1[1] == z1[3] == z2[4] == 0
    res = rg.lipschitz_constant(net, "l2", (-1, 1), max_seconds=60)
    assert res.stats["lp_leaves"] > 0
    _equals_the_compiled_maximum(net, res)
    check_lipschitz_certificate(net, res)
