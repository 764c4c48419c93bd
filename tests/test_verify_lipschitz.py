"""The jacobian leaf of Lipschitz proofs (relu_geom/verify/lipschitz.py): hand-built certificates
with bounds computed by hand from docs/certificates.md, tampering, and the interval rule
against the exact matrices of the compiled regions."""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
from fractions import Fraction as F

from hypothesis import given, settings
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.testing import specimens
from relu_geom.verify.bounds import IntegerNetwork, propagate
from relu_geom.verify.lipschitz import (
    MAX_CASE_NEURONS,
    Limit,
    interval_jacobian,
    is_psd,
    norm_bound,
    spectral_at_root,
    spectral_test,
)
from tests.certcheck import psd_by_minors

# f = 2 relu(x1 + x2) + relu(x1 - x2): gradients (3, 1), (2, 2), (1, -1), 0 on the four regions
TWO = {"weights": [[["1", "1"], ["1", "-1"]], [["2", "1"]]], "biases": [["0", "0"], ["0"]]}
STEEP_X, STEEP_BOX = ["1/2", "0"], [["3/8", "5/8"], ["-1/8", "1/8"]]  # in the region of (3, 1)
FLAT_X, FLAT_BOX = ["0", "-1/2"], [["-1/8", "1/8"], ["-5/8", "-3/8"]]  # in the region of (1, -1)

# On [-1, 1]^2 both neurons are unstable.  Backwards from G = (2, 1), times D, times
# W_1 = [[1, 1], [1, -1]] (an entry meets the bound of its weight's sign):
#   no case:            G D = ([0, 2], [0, 1])  ->  ([0, 3], [-1, 2]): linf 5, l1 3, l2^2 min(13, 15) = 13
#   [1, 1] = 0 / = 1:   ([0, 2], 0) -> ([0, 2], [0, 2]): 4, 2, 8;   ([0, 2], 1) -> ([1, 3], [-1, 1]): 4, 3, 10
#   [1, 0] = 0 / = 1:   (0, [0, 1]) -> ([0, 1], [-1, 0]): 2, 1, 2;  (2, [0, 1]) -> ([2, 3], [1, 2]): 5, 3, 13


def sha(network: dict) -> str:
    return hashlib.sha256(json.dumps(network, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def cert(norm, value, proof, x=STEEP_X, wbox=STEEP_BOX, box=(["-1", "1"], ["-1", "1"]), net=TWO):
    return {
        "format": "relu-geom/certificate@1",
        "claim": "lipschitz",
        "network": copy.deepcopy(net),
        "network_sha256": sha(net),
        "question": {"box": [list(p) for p in box], "norm": norm},
        "verdict": "value",
        "evidence": {"value": value, "witness": {"x": list(x), "box": [list(p) for p in wbox]}, "proof": proof},
    }


def jac(*cases):
    node = {"leaf": "jacobian"}
    if cases:
        node["cases"] = [list(c) for c in cases]
    return node


def failure(c):
    report = rg.verify_certificate(c)
    assert not report.valid and report.first_failure is not None
    return report.first_failure.path, report.first_failure.reason


def valid(c):
    report = rg.verify_certificate(c)
    assert report.valid, report.first_failure
    return report


L2_10 = {"squared": {"poly": ["0", "-10", "1"], "interval": ["9", "11"]}}  # L^2 = 10 (t^2 - 10 t)
L2_2 = {"squared": {"poly": ["0", "-2", "1"], "interval": ["1", "3"]}}  # L^2 = 2


def test_linf_by_hand():
    report = valid(cert("linf", "4", jac([1, 1])))
    assert dict(report.leaves)["jacobian"] == 1
    valid(cert("linf", "4", jac([1, 0], [1, 1])))
    path, reason = failure(cert("linf", "4", jac()))
    assert path == "evidence.proof" and "is 5, above L" in reason
    path, reason = failure(cert("linf", "4", jac([1, 0])))
    assert path == "evidence.proof" and "is 5, above L" in reason and "[1, 0]: 1" in reason


def test_l1_and_l2_by_hand():
    valid(cert("l1", "3", jac()))  # the bound 3 needs no case
    valid(cert("l2", L2_10, jac([1, 1])))  # cases 8 and 10
    valid(cert("l2", L2_10, jac([1, 1], [1, 0])))
    path, reason = failure(cert("l2", L2_10, jac()))
    assert path == "evidence.proof" and "||A||_2^2 is 13, above L^2" in reason
    assert "is 13" in failure(cert("l2", L2_10, jac([1, 0])))[1]


def test_a_value_below_the_truth_fails_on_the_leaf():
    # the witness in the region of (1, -1) attains 2 (linf) and L^2 = 2 (l2), but the steep
    # region (3, 1) lies in the leaf: every choice of cases fails
    for norm, value in (("linf", "2"), ("l2", L2_2)):
        for cases in ((), ([1, 0],), ([1, 1],), ([1, 0], [1, 1])):
            path, reason = failure(cert(norm, value, jac(*cases), x=FLAT_X, wbox=FLAT_BOX))
            assert path == "evidence.proof" and "above L" in reason, (norm, cases)
    # nor after a split at x1 = 0: both halves meet the region of (3, 1)
    tree = {"split": {"input": 0, "at": "0"}, "children": [jac([1, 0], [1, 1]), jac([1, 0], [1, 1])]}
    assert failure(cert("linf", "2", tree, x=FLAT_X, wbox=FLAT_BOX))[0].startswith("evidence.proof.children")


def test_altered_cases_are_refused():
    stable = (["1/2", "1"], ["-1/4", "1/4"])  # both neurons active there: x1 + x2, x1 - x2 in [1/4, 5/4]
    path, reason = failure(cert("linf", "4", jac([1, 0]), box=stable))
    assert path == "evidence.proof.cases[0]" and "phase 1 on this leaf, not 0" in reason
    path, reason = failure(cert("linf", "4", jac([1, 1], [1, 1])))
    assert path == "evidence.proof.cases[1]" and "given twice" in reason
    assert failure(cert("linf", "4", jac([2, 0])))[0] == "evidence.proof.cases[0][0]"  # no layer 2
    assert failure(cert("linf", "4", jac([1, 2])))[0] == "evidence.proof.cases[0][1]"
    path, reason = failure(cert("linf", "4", {"leaf": "jacobian", "cases": [[1, 0]] * (MAX_CASE_NEURONS + 1)}))
    assert path == "evidence.proof.cases" and "more than" in reason
    assert failure(cert("linf", "4", {"leaf": "jacobian", "cases": {"1": 0}}))[0] == "evidence.proof.cases"
    path, reason = failure(cert("linf", "4", {"leaf": "jacobian", "bound": "4"}))
    assert "unexpected key 'bound'" in reason


def test_empty_jacobian_leaves_and_other_claims():
    stable = (["1/2", "1"], ["-1/4", "1/4"])
    # neuron [1, 0] fixed inactive on a box where it is active: empty, whatever the leaf
    tree = {"split": {"neuron": [1, 0]}, "children": [jac([1, 1]), {"leaf": "pattern"}]}
    report = valid(cert("linf", "4", tree, box=stable))
    assert dict(report.leaves)["empty"] == 1 and dict(report.leaves)["pattern"] == 1
    # a jacobian leaf is not a leaf of a property proof
    prop = {
        "format": "relu-geom/certificate@1",
        "claim": "property",
        "network": copy.deepcopy(TWO),
        "network_sha256": sha(TWO),
        "question": {"disjuncts": [{"box": [["-1", "1"], ["-1", "1"]], "atoms": [{"y": ["1"], "c": "-100"}]}]},
        "verdict": "unsat",
        "evidence": {"proofs": [jac()]},
    }
    path, reason = failure(prop)
    assert path == "evidence.proofs[0].leaf"


def test_limit_compares_with_the_algebraic_square():
    root2 = Limit("l2", poly=(F(-2), F(0), F(1)), a=F(1), b=F(2))  # L^2 = sqrt 2 = 1.41421...
    assert root2.admits(F(1)) and root2.admits(F(141, 100)) and root2.admits(F(1, 2))
    assert not root2.admits(F(142, 100)) and not root2.admits(F(3))
    two = Limit("l2", poly=(F(-2), F(1)), a=F(1), b=F(3))  # L^2 = 2
    assert two.admits(F(2)) and not two.admits(F(201, 100))
    assert Limit("linf", value=F(4)).admits(F(4)) and not Limit("l1", value=F(4)).admits(F(401, 100))


def _region_norms(net, box, norm):
    cx = rg.compile_network(net, domain=[list(p) for p in box])
    out = []
    for cell in cx.regions:
        A = cell.affine_map[0]
        if norm == "linf":
            out.append(max(sum((abs(a) for a in row), F(0)) for row in A))
        elif norm == "l1":
            out.append(max(sum((abs(row[j]) for row in A), F(0)) for j in range(len(A[0]))))
        else:
            out.append(sum((a * a for row in A for a in row), F(0)) if len(A) == 1 else None)
    return out


@settings(max_examples=25, deadline=None)
@given(
    st.sampled_from([[2, 3, 1], [2, 3, 3, 1], [3, 4, 2], [2, 2, 2, 2]]),
    st.integers(0, 10**6),
    st.sampled_from(["linf", "l1", "l2"]),
    st.integers(0, 3),
)
def test_every_region_on_the_leaf_is_bounded(arch, seed, norm, n_cases):
    # independent recomputation: the compiled complex over the leaf box, each region's matrix
    net = rg.ReLUNetwork.random(arch, seed=seed, max_numerator=3, max_denominator=2)
    corner = [F((seed >> (3 * i)) % 5 - 2, 2) for i in range(arch[0])]
    box = tuple((c, c + F(3, 4)) for c in corner)
    prop = propagate(IntegerNetwork(net), box, {}, 32)
    unstable = [(la + 1, j) for la, ph in enumerate(prop.phases) for j, s in enumerate(ph) if s == 0]
    cases = unstable[:n_cases]
    results = interval_jacobian(IntegerNetwork(net), prop.phases, cases)
    assert len(results) == 2 ** len(cases)
    assert sorted(tuple(sorted(a.items())) for a, *_ in results) == sorted(
        tuple(sorted(zip(cases, bits))) for bits in itertools.product((0, 1), repeat=len(cases))
    )
    bound = max(norm_bound(lo, hi, den, norm) for _, lo, hi, den in results)
    # each region's matrix lies entrywise in the interval of some case
    for cell in rg.compile_network(net, domain=[list(p) for p in box]).regions:
        A = cell.affine_map[0]
        assert any(
            all(F(l_, den) <= a <= F(h_, den) for ra, rl, rh in zip(A, lo, hi) for a, l_, h_ in zip(ra, rl, rh))
            for _, lo, hi, den in results
        )
    for value in _region_norms(net, box, norm):
        if value is not None:  # l2 for one output: ||a||_2^2 exactly
            assert value <= bound
    if not unstable:  # every neuron has a phase: the interval is the region's matrix
        (_, lo, hi, den), = results
        assert lo == hi
        norms = [v for v in _region_norms(net, box, norm) if v is not None]
        if norm != "l2" and norms:
            assert bound == max(norms)


# f = M relu(x) with M = [[3, 0], [4, 5]]: on [-1, 1]^2 both neurons are unstable and the
# regions have A = M D for the four 0 / 1 diagonals D.  M^T M = [[25, 20], [20, 25]] has the
# eigenvalues 45 and 5, so L^2 = 45 (D = I); the other regions have M D = [[3, 0], [4, 0]]
# (25), [[0, 0], [0, 5]] (25) and 0.  The leaf's interval is [M D : D in [0, 1]^2] = [0, M]
# entrywise, so M_ij = M: Frobenius sum 9 + 16 + 25 = 50 > 45 and B_inf B_1 = 9 * 7 = 63 > 45,
# but 45 I - M^T M = [[20, -20], [-20, 20]] is PSD (pivots 20 and 20 - 400 / 20 = 0).
SPEC = {"weights": [[["1", "0"], ["0", "1"]], [["3", "0"], ["4", "5"]]], "biases": [["0", "0"], ["0", "0"]]}
SPEC_X, SPEC_BOX = ["1/2", "1/2"], [["1/4", "3/4"], ["1/4", "3/4"]]  # both neurons active


def spec_cert(interval, poly=("-45", "1")):
    value = {"squared": {"poly": list(poly), "interval": list(interval)}}
    return cert("l2", value, jac(), x=SPEC_X, wbox=SPEC_BOX, net=SPEC)


def test_spectral_test_by_hand():
    inet_box = ((F(-1), F(1)), (F(-1), F(1)))
    inet = IntegerNetwork(specimens.spectral_pair_2d())
    prop = propagate(inet, inet_box, {}, 32)
    assert [list(ph) for ph in prop.phases] == [[0, 0]]
    ((_, lo, hi, den),) = interval_jacobian(inet, prop.phases, [])
    assert [[F(v, den) for v in r] for r in lo] == [[0, 0], [0, 0]]
    assert [[F(v, den) for v in r] for r in hi] == [[3, 0], [4, 5]]
    assert norm_bound(lo, hi, den, "l2") == 50  # the cheap bounds fail ...
    assert spectral_test(lo, hi, den, F(45)) and not spectral_test(lo, hi, den, F(45) - F(1, 10**6))  # ... this passes
    report = valid(spec_cert(["45", "45"]))
    assert dict(report.leaves)["jacobian"] == 1
    valid(spec_cert(["45", "45"], poly=("225", "-50", "1")))  # (t - 45)(t - 5)
    # L^2 = 45 still, but the lower end of its interval is just below ||M||_2^2 = 45: the
    # positive semidefinite test at that end fails, the test at L^2 itself (no eigenvalue of
    # M^T M = [[25, 20], [20, 25]], that is 45 and 5, above 45) passes
    assert not spectral_test(lo, hi, den, F(44999999, 1000000))
    report = valid(spec_cert(["44999999/1000000", "46"]))
    assert dict(report.leaves)["jacobian"] == 1
    # a value just below the truth fails at the witness
    path, reason = failure(spec_cert(["44999999/1000000", "44999999/1000000"], poly=("-44999999/1000000", "1")))
    assert path == "evidence.witness"


def test_spectral_test_on_the_smaller_gram_matrix():
    # one output row (1 x 2): M M^T is 1 x 1, ||M||_2^2 = 3^2 + 4^2 = 25
    assert spectral_test([[0, 0]], [[3, 4]], 1, F(25)) and not spectral_test([[0, 0]], [[3, 4]], 1, F(24))
    assert spectral_test([[-6], [0]], [[0], [8]], 2, F(25))  # a column: M = (3, 4)^T
    assert spectral_test([[0]], [[0]], 1, F(0)) and not spectral_test([[0]], [[1]], 1, F(-1))


def test_is_psd_by_hand():
    assert is_psd([]) and is_psd([[F(0)]]) and not is_psd([[F(-1, 10**9)]])
    assert is_psd([[F(0), F(0)], [F(0), F(1)]])  # a zero pivot with a zero row
    assert not is_psd([[F(0), F(1)], [F(1), F(5)]])  # a zero pivot with a nonzero row
    assert is_psd([[F(1), F(2)], [F(2), F(4)]]) and not is_psd([[F(1), F(2)], [F(2), F(3)]])
    # PSD only on the boundary: [[1, 1, 0], [1, 1, 0], [0, 0, t]] for t = 0, and a zero
    # pivot after a Schur step (2 - 1 * 1 / 1 = 1, then 1 - 1 = 0 with a nonzero entry left)
    assert is_psd([[F(1), F(1), F(0)], [F(1), F(1), F(0)], [F(0), F(0), F(0)]])
    assert not is_psd([[F(1), F(1), F(0)], [F(1), F(1), F(1, 3)], [F(0), F(1, 3), F(1)]])


small = st.fractions(min_value=-3, max_value=3, max_denominator=3)


@st.composite
def symmetric_matrices(draw):
    n = draw(st.integers(1, 4))
    kind = draw(st.sampled_from(["gram", "gram-shift", "zero-lines", "any"]))
    if kind == "any":
        S = [[F(0)] * n for _ in range(n)]
        for i in range(n):
            for j in range(i, n):
                S[i][j] = S[j][i] = draw(small)
        return S
    k = draw(st.integers(0, n))  # B is k x n: B^T B is PSD of rank <= k (singular for k < n)
    B = [[draw(small) for _ in range(n)] for _ in range(k)]
    S = [[sum((B[r][i] * B[r][j] for r in range(k)), F(0)) for j in range(n)] for i in range(n)]
    if kind == "gram-shift":  # on the boundary of the cone, or just off it
        i = draw(st.integers(0, n - 1))
        S[i][i] += draw(st.sampled_from([F(0), F(-1, 9), F(1, 9)]))
    if kind == "zero-lines":  # zero rows and columns, and a nonzero entry in one of them
        z = draw(st.integers(0, n - 1))
        for j in range(n):
            S[z][j] = S[j][z] = F(0)
        if n > 1 and draw(st.booleans()):
            j = (z + 1) % n
            S[z][j] = S[j][z] = draw(small)
    return S


@settings(max_examples=300, deadline=None)
@given(symmetric_matrices())
def test_is_psd_agrees_with_sylvester(S):
    assert is_psd(S) == psd_by_minors(S)


def test_spectral_test_at_an_irrational_root():
    # M = [[1, 2], [3, 4]] >= 0: M^T M = [[10, 14], [14, 20]] has the eigenvalues 15 -+ sqrt 221,
    # the roots of t^2 - 30 t + 4; L^2 = 15 + sqrt 221 (29.866...) is irrational, so the PSD test
    # at a rational a < L^2 fails (M itself attains L), and the test at L^2 passes
    lo, hi, den = [[0, 0], [0, 0]], [[1, 2], [3, 4]], 1
    poly = (F(4), F(-30), F(1))
    at_root = Limit("l2", poly=poly, a=F(29), b=F(30))
    assert not spectral_test(lo, hi, den, F(29866, 1000))
    assert spectral_at_root(lo, hi, den, at_root)
    # a root just below: L^2 = 29.8 < 15 + sqrt 221
    assert not spectral_at_root(lo, hi, den, Limit("l2", poly=(F(-298, 10), F(1)), a=F(29), b=F(30)))
    # the other orientation and a scaled interval: [0, 2 M] / 2 is the same matrix
    assert spectral_at_root([[0, 0], [0, 0]], [[2, 6], [4, 8]], 2, at_root)
    net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[1, 2], [3, 4]]], [[0, 0], [0, 0]])
    res = rg.lipschitz_constant(net, "l2", (-1, 1))
    assert res.value.poly == poly and res.certificate["evidence"]["proof"] == {"leaf": "jacobian"}
    assert rg.verify_certificate(res.certificate, net).valid
