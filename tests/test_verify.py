"""The independent certificate checker: hand-built certificates, mutations, hostile input.

Every certificate here is written by hand from ``docs/certificates.md``; bounds quoted in
the assertions are computed by hand from the bound rule.  The SHA-256 is computed here
from its definition (``hashlib`` on the canonical JSON), not by the checker.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from fractions import Fraction as F

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.cli import main
from relu_geom.testing import specimens
from relu_geom.verify import algebraic
from tests.conftest import networks

FORMAT = "relu-geom/certificate@1"
K = 2**32
TINY = F(1, 10**30)


def q(v) -> str:
    """A rational as the canonical certificate string."""
    v = F(v)
    return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"


def net_dict(weights, biases):
    return {
        "format": "relu-geom/network@1",
        "weights": [[[q(v) for v in row] for row in w] for w in weights],
        "biases": [[q(v) for v in b] for b in biases],
    }


def sha(network: dict) -> str:
    return hashlib.sha256(json.dumps(network, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def envelope(network, claim, question, verdict, evidence):
    return {
        "format": FORMAT,
        "claim": claim,
        "network": copy.deepcopy(network),
        "network_sha256": sha(network),
        "question": question,
        "verdict": verdict,
        "evidence": evidence,
        "producer": {"relu_geom": "hand", "seconds": "0"},
    }


def failure(cert, network=None):
    report = rg.verify_certificate(cert, network)
    assert not report.valid
    assert report.first_failure is not None
    return report.first_failure.path, report.first_failure.reason


def assert_valid(cert, network=None):
    report = rg.verify_certificate(cert, network)
    assert report.valid, report.first_failure
    return report


def leaf(mu=()):
    return {"leaf": "bound", "mu": [[k, q(v)] for k, v in mu]}


def isplit(i, t, low, high):
    return {"split": {"input": i, "at": q(t)}, "children": [low, high]}


def nsplit(layer, j, inactive, active):
    return {"split": {"neuron": [layer, j]}, "children": [inactive, active]}


# f(x) = relu(x) + relu(-x) = |x| on R
ABS = net_dict([[[1], [-1]], [[1, 1]]], [[0, 0], [0]])


def abs_range(max_proof, min_proof, *, hi=2, lo=0, argmax=2, argmin=0, box=(-1, 2)):
    question = {"precision_bits": 32, "box": [[q(box[0]), q(box[1])]], "objectives": [{"y": [1]}]}
    rng = {
        "min": q(lo),
        "argmin": [q(argmin)],
        "min_proof": min_proof,
        "max": q(hi),
        "argmax": [q(argmax)],
        "max_proof": max_proof,
    }
    return envelope(ABS, "output_range", question, "range", {"ranges": [rng]})


def split_at_zero():
    return isplit(0, 0, leaf(), leaf())


# ---------------------------------------------------------------- output_range
def test_output_range_of_abs_with_an_input_split():
    report = assert_valid(abs_range(split_at_zero(), split_at_zero()))
    assert report.n_nodes == 6
    assert dict(report.leaves) == {"bound": 4, "lp": 0, "relax": 0, "pattern": 0, "empty": 0}
    assert report.claim == "output_range" and report.verdict == "range"
    assert report.to_dict()["leaves"]["bound"] == 4


def test_output_range_single_leaf_gives_the_hand_computed_relaxation():
    # one leaf on [-1, 2]: both neurons unstable; Ua_1 = t1 (x + 1), Ua_2 = t2 (2 - x) with
    # t1 = up(2/3), t2 = up(1/3); max over [-1, 2] of Ua_1 + Ua_2 - 2 is 3 t1 - 2 (at x = 2)
    t1 = F(math.ceil(F(2, 3) * K), K)
    path, reason = failure(abs_range(leaf(), split_at_zero()))
    assert path == "evidence.ranges[0].max_proof"
    assert reason == f"the bound rule gives {3 * t1 - 2}, not <= 0"
    # min: -f is bounded by -(La_1 + La_2) = -x (La_2 = 0 since u + l < 0): max 1 at x = -1
    path, reason = failure(abs_range(split_at_zero(), leaf()))
    assert (path, reason) == ("evidence.ranges[0].min_proof", "the bound rule gives 1, not <= 0")


def test_output_range_with_a_neuron_split():
    # inactive branch: f <= t2 (2 - x), max 3 t2 ~ 1 <= 2; active: x + t2 (2 - x) <= 2 exactly at x = 2
    assert_valid(abs_range(nsplit(1, 0, leaf(), leaf()), split_at_zero()))
    # the same neuron split twice on one path
    tree = nsplit(1, 0, leaf(), nsplit(1, 0, leaf(), leaf()))
    path, reason = failure(abs_range(tree, split_at_zero()))
    assert path == "evidence.ranges[0].max_proof.children[1].split.neuron"
    assert "split twice" in reason
    # a different neuron below is fine
    assert_valid(abs_range(nsplit(1, 0, leaf(), nsplit(1, 1, leaf(), leaf())), split_at_zero()))


@pytest.mark.parametrize(
    "change, path",
    [
        (lambda c: c["evidence"]["ranges"][0].__setitem__("max", q(2 - TINY)), "evidence.ranges[0].argmax"),
        (
            lambda c: c["evidence"]["ranges"][0].__setitem__("argmax", [q(2 - TINY)]),
            "evidence.ranges[0].argmax",
        ),
        (lambda c: c["evidence"]["ranges"][0].__setitem__("argmin", [q(TINY)]), "evidence.ranges[0].argmin"),
        (
            lambda c: c["evidence"]["ranges"][0].__setitem__("argmax", [q(2 + TINY)]),
            "evidence.ranges[0].argmax[0]",
        ),
        (
            lambda c: c["evidence"]["ranges"][0]["max_proof"]["split"].__setitem__("at", q(2 + TINY)),
            "evidence.ranges[0].max_proof.split.at",
        ),
        (  # on [-1, tiny]: -f <= -(La_1 + La_2) = x (La_1 = 0, La_2 = -x), max tiny > 0
            lambda c: c["evidence"]["ranges"][0]["min_proof"]["split"].__setitem__("at", q(TINY)),
            "evidence.ranges[0].min_proof.children[0]",
        ),
        (lambda c: c.__setitem__("network_sha256", "0" * 64), "network_sha256"),
        (lambda c: c["network"]["weights"][1][0].__setitem__(0, "2"), "network_sha256"),
        (
            lambda c: c["question"].__setitem__("box", [["-1", q(2 + TINY)]]),
            "evidence.ranges[0].max_proof.children[1]",
        ),
    ],
)
def test_output_range_single_changes_fail_at_their_path(change, path):
    cert = abs_range(split_at_zero(), split_at_zero())
    change(cert)
    assert failure(cert)[0] == path


def test_a_changed_weight_with_a_recomputed_hash_fails_at_the_first_wrong_claim():
    cert = abs_range(split_at_zero(), split_at_zero())
    cert["network"]["weights"][1][0][0] = "2"  # f = 2 relu(x) + relu(-x): f(2) = 4
    cert["network_sha256"] = sha(cert["network"])
    assert failure(cert) == ("evidence.ranges[0].argmax", "the objective there is 4, not 2")


def test_the_given_network_must_equal_the_embedded_one():
    cert = abs_range(split_at_zero(), split_at_zero())
    same = specimens.abs_1d()
    report = assert_valid(cert, same)
    assert "the embedded network equals the given one" in report.checked
    other = rg.ReLUNetwork([[[1], [-1]], [[1, 1]]], [[0, 0], ["1/1000000"]])
    assert failure(cert, other) == ("network", "differs from the network given to the checker")


def test_the_hash_is_over_canonical_rationals():
    cert = abs_range(split_at_zero(), split_at_zero())
    cert["network"]["weights"][0][0][0] = "2/2"  # read as 1, hashed as "1"
    cert["network"]["biases"][0][1] = 0  # a JSON integer is hashed as the string "0"
    assert_valid(cert)


# ---------------------------------------------------------------- property
def abs_property(verdict, evidence, *, box=(1, 2), level="1/2"):
    question = {
        "precision_bits": 32,
        "disjuncts": [{"box": [[q(box[0]), q(box[1])]], "atoms": [{"y": [1], "c": q(-F(level))}]}],
        "source": {"file": "hand.vnnlib", "sha256": "00"},
    }
    return envelope(ABS, "property", question, verdict, evidence)


def test_property_unsat_with_a_multiplier():
    # on [1, 2] f(x) = x exactly (both neurons stable); 0 - mu (x - 1/2) <= -mu/2 < 0 iff mu > 0
    assert_valid(abs_property("unsat", {"proofs": [leaf([(0, 1)])]}))
    path, reason = failure(abs_property("unsat", {"proofs": [leaf()]}))
    assert (path, reason) == ("evidence.proofs[0]", "the bound rule gives 0, not < 0")
    path, reason = failure(abs_property("unsat", {"proofs": [leaf([(0, -1)])]}))
    assert path == "evidence.proofs[0].mu[0][1]" and "non-negative" in reason
    assert failure(abs_property("unsat", {"proofs": [leaf([(1, 1)])]}))[0] == "evidence.proofs[0].mu[0][0]"


def test_property_empty_leaves_hold_whatever_their_type():
    # [1, 0] fixed inactive on [1, 2] has l = 1 > 0: empty, even as a "pattern" leaf
    tree = nsplit(1, 0, {"leaf": "pattern"}, leaf([(0, 1)]))
    report = assert_valid(abs_property("unsat", {"proofs": [tree]}))
    assert dict(report.leaves) == {"bound": 1, "lp": 0, "relax": 0, "pattern": 0, "empty": 1}
    # but a pattern leaf that is not empty is refused outside Lipschitz proofs
    tree = nsplit(1, 1, {"leaf": "pattern"}, leaf([(0, 1)]))
    assert failure(abs_property("unsat", {"proofs": [tree]})) == (
        "evidence.proofs[0].children[0].leaf",
        "pattern leaves occur only in Lipschitz proofs",
    )


def test_property_unsat_claim_of_a_satisfiable_property_is_rejected():
    # on [-1, 2] f reaches 0 <= 1/2: no proof can succeed; try a deep input-split tree
    tree = isplit(0, 0, isplit(0, "-1/2", leaf([(0, 1)]), leaf([(0, 1)])), leaf([(0, 1)]))
    path, _ = failure(abs_property("unsat", {"proofs": [tree]}, box=(-1, 2)))
    assert path.startswith("evidence.proofs[0].children[0]")


def test_property_sat_witness():
    assert_valid(abs_property("sat", {"disjunct": 0, "x": [q(F(1, 4))]}, box=(-1, 2)))
    assert_valid(abs_property("sat", {"disjunct": 0, "x": [q(F(1, 2))]}, box=(-1, 2)))
    path, reason = failure(abs_property("sat", {"disjunct": 0, "x": [q(F(1, 2) + TINY)]}, box=(-1, 2)))
    assert path == "evidence.x" and "atom 0" in reason
    assert (
        failure(abs_property("sat", {"disjunct": 0, "x": [q(2 + TINY)]}, box=(-1, 2)))[0] == "evidence.x[0]"
    )
    assert failure(abs_property("sat", {"disjunct": 1, "x": ["0"]}, box=(-1, 2)))[0] == "evidence.disjunct"


def test_property_unknown_is_not_valid():
    report = rg.verify_certificate(abs_property("unknown", {}))
    assert not report.valid and report.first_failure is None and report.verdict == "unknown"
    assert report.checked[-1] == "unknown: nothing to verify"


# f(x) = relu(x0 + x1) on [0, 1]^2 with the input row x0 + x1 <= 1 and the atom y >= 3/2
SUM = net_dict([[[1, 1]], [[1]]], [[0], [0]])


def sum_property(lam):
    question = {
        "disjuncts": [
            {
                "box": [["0", "1"], ["0", "1"]],
                "input_rows": [{"x": ["1", "1"], "c": "-1"}],
                "atoms": [{"y": ["-1"], "c": "3/2"}],
            }
        ]
    }
    return envelope(SUM, "property", question, "unsat", {"proofs": [{"leaf": "lp", "lambda": lam}]})


def test_lp_leaf():
    # psi = -(3/2 - y) - (x0 + x1 - 1) + mu_p z = -1/2 + mu_p (x0 + x1): max -1/2 + 2 mu_p
    base = {"atom": [[0, "1"]], "input": [[0, "1"]]}
    assert_valid(sum_property(base))
    assert_valid(sum_property({**base, "phase": [[[1, 0], "1/8"]]}))
    assert failure(sum_property({**base, "phase": [[[1, 0], "1/4"]]})) == (
        "evidence.proofs[0]",
        "max of psi over the leaf box is 0, not < 0",
    )
    # lambda_r = 1 - tiny: psi = -1/2 - tiny + tiny (x0 + x1) < 0 still; lambda_r = 1/2: -1 + (x0 + x1)/2
    assert_valid(sum_property({"atom": [[0, "1"]], "input": [[0, q(1 - TINY)]]}))
    assert failure(sum_property({"atom": [[0, "1"]], "input": [[0, "1/2"]]})) == (
        "evidence.proofs[0]",
        "max of psi over the leaf box is 0, not < 0",
    )
    assert failure(sum_property({"atom": [[0, "1"]]})) == (
        "evidence.proofs[0]",
        "max of psi over the leaf box is 1/2, not < 0",
    )
    # a bound leaf cannot use the input row: mu (y - 3/2) <= 2 mu - 3/2 mu > 0
    cert = sum_property(base)
    cert["evidence"]["proofs"][0] = leaf([(0, 1)])
    assert failure(cert) == ("evidence.proofs[0]", "the bound rule gives 1/2, not < 0")


def test_lp_leaf_needs_every_phase():
    cert = abs_property("unsat", {"proofs": [{"leaf": "lp", "lambda": {"atom": [[0, "1"]]}}]}, box=(-1, 2))
    assert failure(cert) == ("evidence.proofs[0]", "lp leaf: neuron [1, 0] has no phase (unstable)")


# ---------------------------------------------------------------- lipschitz
# h = relu(x0), relu(x1), relu(-x0); y = A h with A = [[1, 2, 0], [3, -4, 0]]: on [1/2, 1]^2 f = A' x
LIP = net_dict([[[1, 0], [0, 1], [-1, 0]], [[1, 2, 0], [3, -4, 0]]], [[0, 0, 0], [0, 0]])


def lip(norm, value, proof=None, witness_box=(("1/2", "1"), ("1/2", "1"))):
    question = {"box": [["1/2", "1"], ["1/2", "1"]], "norm": norm}
    evidence = {
        "value": value,
        "witness": {"x": ["3/4", "3/4"], "box": [list(p) for p in witness_box]},
        "proof": proof or {"leaf": "pattern"},
    }
    return envelope(LIP, "lipschitz", question, "value", evidence)


def test_lipschitz_linf_and_l1():
    # A = [[1, 2], [3, -4]]: max abs row sum 7, max abs column sum 6
    assert_valid(lip("linf", "7"))
    assert_valid(lip("l1", "6"))
    assert failure(lip("linf", q(7 - TINY)))[0] == "evidence.witness"
    assert failure(lip("linf", q(7 + TINY)))[0] == "evidence.witness"  # the witness must attain L
    assert failure(lip("l1", "7"))[0] == "evidence.witness"
    # the witness strictly inside its box
    path, reason = failure(lip("linf", "7", witness_box=(("3/4", "1"), ("1/2", "1"))))
    assert path == "evidence.witness.box[0]" and "strictly" in reason


def test_lipschitz_pattern_leaf_bounded_by_l():
    # the box [-1, 1] x [1/2, 1]: relu(x0) and relu(-x0) unstable; split x0 at 0
    cert = lip("linf", "7", proof=isplit(0, 0, {"leaf": "pattern"}, {"leaf": "pattern"}))
    cert["question"]["box"] = [["-1", "1"], ["1/2", "1"]]
    # on x0 <= 0: h = (0, x1, -x0): A = [[0, 2], [0, -4]] (row sums 2, 4) ; x0 >= 0: 7
    assert_valid(cert)
    cert["evidence"]["proof"] = {"leaf": "pattern"}
    assert failure(cert) == ("evidence.proof", "pattern leaf: neuron [1, 0] has no phase (unstable)")
    cert["evidence"]["proof"] = isplit(0, 0, leaf(), {"leaf": "pattern"})
    assert failure(cert)[0] == "evidence.proof.children[0].leaf"


def test_lipschitz_l2_by_exact_root_counting():
    # A^T A = [[10, -10], [-10, 20]]: t^2 - 30 t + 100, roots 15 -+ 5 sqrt 5 (3.82..., 26.18...)
    poly = ["100", "-30", "1"]
    assert_valid(lip("l2", {"squared": {"poly": poly, "interval": ["26", "27"]}}))
    # the other root (L too small)
    path, reason = failure(lip("l2", {"squared": {"poly": poly, "interval": ["3", "4"]}}))
    assert path == "evidence.witness" and "above" in reason
    # two roots in the interval
    path, reason = failure(lip("l2", {"squared": {"poly": poly, "interval": ["0", "30"]}}))
    assert path == "evidence.value.squared" and "exactly one" in reason
    # a number that is not an eigenvalue (26.5)
    path, reason = failure(lip("l2", {"squared": {"poly": ["-53/2", "1"], "interval": ["26", "27"]}}))
    assert (path, reason) == ("evidence.witness", "L^2 is not an eigenvalue of A^T A")
    # a multiple of the polynomial with an extra root inside the interval is refused
    extra = ["-2650", "400", "-113/2", "1"]  # (t^2 - 30 t + 100)(t - 26.5)
    assert (
        failure(lip("l2", {"squared": {"poly": extra, "interval": ["26", "27"]}}))[0]
        == "evidence.value.squared"
    )


def test_sturm_counts_by_hand():
    p = [F(-2), F(0), F(1)]  # t^2 - 2
    assert algebraic.count_roots(p, F(-2), F(2)) == 2
    assert algebraic.count_roots(p, F(0), None) == 1
    assert algebraic.count_roots([F(-1), F(0), F(1)], F(1), F(2)) == 1  # root at the closed end
    assert algebraic.count_roots([F(-1), F(0), F(1)], F(1), F(2), closed=False) == 0
    assert algebraic.count_roots([F(1), F(-2), F(1)], F(0), F(5)) == 1  # (t - 1)^2: distinct roots
    assert algebraic.charpoly([[F(2), F(1)], [F(1), F(2)]]) == [F(3), F(-4), F(1)]
    # (t-1)(t-3) vs alpha = sqrt 2 in [1, 2]: 3 lies above
    assert algebraic.no_root_above([F(3), F(-4), F(1)], p, F(1), F(2)) is False
    assert algebraic.no_root_above([F(1), F(-1)], p, F(1), F(2)) is True  # root 1 <= sqrt 2


# ---------------------------------------------------------------- robustness
# f0 = x0 + x1, f1 = 0 (no hidden layer); at x0 = (1, 1) label 0; radius 1 (linf), 2 (l1) at (0, 0)
LIN = net_dict([[[1, 1], [0, 0]]], [[0, 0]])


def robust(norm, r, lam, x=("0", "0")):
    question = {"precision_bits": 32, "x0": ["1", "1"], "label": 0, "norm": norm}
    evidence = {"radius": q(r), "x": list(x), "class": 1, "proofs": {"1": {"leaf": "lp", "lambda": lam}}}
    return envelope(LIN, "robustness", question, "radius", evidence)


def test_robustness_linf():
    # rows (x_i - 1 - t, 1 - x_i - t) interleaved; psi = 1 - t - (x0 + x1)/2 - rows 1, 3 / 2 = 0
    lam = {"atom": [[0, "1/2"]], "input": [[1, "1/2"], [3, "1/2"]]}
    assert_valid(robust("linf", 1, lam))
    assert failure(robust("linf", 1, {**lam, "atom": [[0, "1/3"]]}))[0] == "evidence.proofs.1"
    assert failure(robust("linf", 1 + TINY, lam))[0] == "evidence.x"  # distance 1, not 1 + tiny
    # a false radius 2 with a witness at distance 2: the same multipliers leave psi = 1 > 0
    path, reason = failure(robust("linf", 2, lam, x=("-1", "-1")))
    assert (path, reason) == ("evidence.proofs.1", "max of psi over the leaf box is 1, not <= 0")


def test_robustness_l1():
    lam = {"atom": [[0, "1"]], "input": [[1, "1"], [3, "1"]]}
    assert_valid(robust("l1", 2, lam))
    assert_valid(robust("l1", 2, lam, x=("-1", "1")))
    assert failure(robust("l1", 2, lam, x=("-1", "2")))[0] == "evidence.x"
    assert failure(robust("l1", 2, {**lam, "input": [[0, "1"], [2, "1"]]}))[0] == "evidence.proofs.1"


def test_robustness_evidence_shape():
    lam = {"atom": [[0, "1"]], "input": [[1, "1"], [3, "1"]]}
    cert = robust("l1", 2, lam)
    cert["evidence"]["class"] = 0
    assert failure(cert)[0] == "evidence.class"
    cert = robust("l1", 2, lam)
    cert["evidence"]["proofs"]["0"] = leaf()
    assert failure(cert) == ("evidence.proofs", "unexpected key '0'")
    cert = robust("l1", 2, lam)
    cert["question"]["norm"] = "l2"
    assert failure(cert)[0] == "question.norm"


# ---------------------------------------------------------------- hostile input
def test_wrong_types_name_their_path():
    cases = [
        (lambda c: c.__setitem__("format", "relu-geom/certificate@2"), "format"),
        (lambda c: c.__setitem__("claim", "frobnicate"), "claim"),
        (lambda c: c.pop("network"), "certificate"),
        (lambda c: c.__setitem__("extra", 1), "certificate"),
        (lambda c: c["question"].__setitem__("precision_bits", 10**6), "question.precision_bits"),
        (lambda c: c["question"].__setitem__("precision_bits", True), "question.precision_bits"),
        (lambda c: c["question"]["box"][0].__setitem__(0, 0.5), "question.box[0][0]"),
        (lambda c: c["question"]["box"][0].__setitem__(0, "3"), "question.box[0]"),
        (lambda c: c["question"]["box"].append(["0", "1"]), "question.box"),
        (lambda c: c["evidence"]["ranges"][0].__setitem__("max_proof", []), "evidence.ranges[0].max_proof"),
        (
            lambda c: c["evidence"]["ranges"][0]["max_proof"].__setitem__("children", [leaf()]),
            "evidence.ranges[0].max_proof.children",
        ),
        (
            lambda c: c["evidence"]["ranges"][0]["max_proof"]["children"][1].__setitem__("leaf", "magic"),
            "evidence.ranges[0].max_proof.children[1].leaf",
        ),
        (
            lambda c: c["evidence"]["ranges"][0]["max_proof"]["children"][1].__setitem__("mu", {"0": 1}),
            "evidence.ranges[0].max_proof.children[1].mu",
        ),
        (
            lambda c: c["evidence"]["ranges"][0]["max_proof"]["split"].__setitem__("input", 1),
            "evidence.ranges[0].max_proof.split.input",
        ),
        (
            lambda c: c["evidence"]["ranges"][0]["max_proof"].__setitem__("split", {"neuron": [2, 0]}),
            "evidence.ranges[0].max_proof.split.neuron[0]",
        ),
        (
            lambda c: c["evidence"]["ranges"][0]["max_proof"].__setitem__("split", {"neuron": [1, 2]}),
            "evidence.ranges[0].max_proof.split.neuron[1]",
        ),
        (
            lambda c: c["evidence"]["ranges"][0]["max_proof"].__setitem__("split", {"plane": 0}),
            "evidence.ranges[0].max_proof.split",
        ),
        (lambda c: c["network"]["weights"][0].__setitem__(0, ["1", "1"]), "network"),
        (lambda c: c["network"]["weights"][0][0].__setitem__(0, None), "network.weights[0][0][0]"),
        (lambda c: c["network"].__setitem__("format", "onnx"), "network.format"),
        (lambda c: c["network"].__setitem__("architecture", [1, 3, 1]), "network.architecture"),
    ]
    for change, path in cases:
        cert = abs_range(split_at_zero(), split_at_zero())
        change(cert)
        assert failure(cert)[0] == path, path


def test_json_floats_and_long_numbers_in_text():
    cert = abs_range(split_at_zero(), split_at_zero())
    text = json.dumps(cert).replace('"max": "2"', '"max": 2.0')
    path, reason = failure(text)
    assert path == "evidence.ranges[0].max" and "JSON float" in reason
    # 5000 digits (above Python's int-string limit) are fine: 10^5000 / 10^5000 = 1 ... as a multiplier
    big = "1" + "0" * 5000
    cert = abs_property("unsat", {"proofs": [leaf()]})
    cert["evidence"]["proofs"][0]["mu"] = [[0, f"{big}/{big}"]]
    assert_valid(json.dumps(cert))
    cert["evidence"]["proofs"][0]["mu"] = [[0, "1" * 100_001]]
    path, reason = failure(json.dumps(cert))
    assert path == "evidence.proofs[0].mu[0][1]" and "limit" in reason
    # a JSON integer with 5000 digits is read exactly too
    text = json.dumps(abs_property("unsat", {"proofs": [leaf([(0, 1)])]})).replace('[0, "1"]', f"[0, {big}]")
    assert_valid(text)


def test_deep_trees_are_walked_iteratively():
    # split at the lower end again and again: a chain 5000 deep, built as text
    depth = 5000
    cert = abs_property("unsat", {"proofs": ["HOLE"]})
    head = '{"split": {"input": 0, "at": "1"}, "children": [{"leaf": "bound", "mu": [[0, "1"]]}, '
    tree = head * depth + '{"leaf": "bound", "mu": [[0, "1"]]}' + "]}" * depth
    text = json.dumps(cert).replace('"HOLE"', tree)
    report = assert_valid(text)
    assert report.n_nodes == 2 * depth + 1
    bad = text[: text.rindex('"1"]]}')] + '"0"]]}' + text[text.rindex('"1"]]}') + 6 :]
    path, _ = failure(bad)
    assert path == "evidence.proofs[0]" + ".children[1]" * depth


def test_files(tmp_path):
    with pytest.raises(rg.FileFormatError, match="no such"):
        rg.verify_certificate(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(rg.FileFormatError, match="not JSON"):
        rg.verify_certificate(tmp_path / "bad.json")
    (tmp_path / "dup.json").write_text('{"format": 1, "format": 2}')
    with pytest.raises(rg.FileFormatError, match="duplicate"):
        rg.verify_certificate(tmp_path / "dup.json")
    (tmp_path / "list.json").write_text("[1, 2]")
    assert failure(tmp_path / "list.json")[0] == "certificate"
    path = tmp_path / "cert.json"
    path.write_text(json.dumps(abs_range(split_at_zero(), split_at_zero())))
    assert_valid(path)
    assert_valid(str(path))


# ---------------------------------------------------------------- CLI
def test_cli(tmp_path, capsys):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(abs_range(split_at_zero(), split_at_zero())))
    assert main(["verify", str(good)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("valid: output_range certificate, verdict range")
    assert "6 proof nodes (4 bound leaves)" in out
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(abs_range(leaf(), split_at_zero())))
    assert main(["verify", str(bad)]) == 1
    assert capsys.readouterr().out.startswith("invalid: evidence.ranges[0].max_proof: the bound rule gives")
    assert main(["verify", str(bad), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["first_failure"]["path"] == "evidence.ranges[0].max_proof"
    unknown = tmp_path / "unknown.json"
    unknown.write_text(json.dumps(abs_property("unknown", {})))
    assert main(["verify", str(unknown)]) == 1
    assert capsys.readouterr().out == "unknown: nothing to verify\n"
    netfile = tmp_path / "net.json"
    rg.ReLUNetwork([[[1], [-1]], [[1, 1]]], [[0, 0], [1]]).to_json(netfile)
    assert main(["verify", str(good), str(netfile)]) == 1
    assert "differs from the network" in capsys.readouterr().out
    assert main(["verify", str(tmp_path / "missing.json")]) == 2
    assert "no such" in capsys.readouterr().err


# ---------------------------------------------------------------- random networks
def _vertices_1d(net, lo, hi):
    cx = rg.compile_network(net, domain=[(lo, hi)])
    return sorted(c.interior_point[0] for c in cx.cells if c.dim == 0)


def _breakpoint_tree(points, mu):
    """Input splits at the interior points of a sorted list: leaves are the pieces."""
    if len(points) <= 2:
        return leaf(mu)
    mid = len(points) // 2
    return isplit(0, points[mid], _breakpoint_tree(points[: mid + 1], mu), _breakpoint_tree(points[mid:], mu))


@settings(max_examples=25)
@given(
    net=networks(max_dim=1, max_width=3, max_depth=2), box=st.tuples(st.integers(-4, 0), st.integers(1, 4))
)
def test_random_1d_maxima_are_accepted_and_nothing_below_them(net, box):
    lo, hi = F(box[0]), F(box[1])
    points = _vertices_1d(net, lo, hi)
    values = [net([p])[0] for p in points]
    top = max(values)  # f is affine between consecutive vertices: the max is at one of them
    netd = net_dict([[list(r) for r in w] for w in net.weights], [list(b) for b in net.biases])

    def unsat(level, tree):
        # "f(x) >= level" on the box: unsat iff level > max f
        y = ["-1"] + ["0"] * (net.output_dim - 1)
        question = {"disjuncts": [{"box": [[q(lo), q(hi)]], "atoms": [{"y": y, "c": q(level)}]}]}
        return envelope(netd, "property", question, "unsat", {"proofs": [tree]})

    tree = _breakpoint_tree(points, [(0, 1)])
    assert_valid(unsat(top + TINY, tree))
    path, _ = failure(unsat(top - TINY, tree))
    assert path.startswith("evidence.proofs[0]")
    assert failure(unsat(top, tree))[0].startswith("evidence.proofs[0]")  # "<" is strict
    # any coarser tree and any multiplier cannot prove a false bound either
    assert not rg.verify_certificate(unsat(top, leaf([(0, 3)]))).valid
    argmax = points[values.index(top)]
    question = {"box": [[q(lo), q(hi)]], "objectives": [{"y": ["1"] + ["0"] * (net.output_dim - 1)}]}
    fine = _breakpoint_tree(points, [])
    rng = {"min": q(min(values)), "argmin": [q(points[values.index(min(values))])], "min_proof": fine}
    cert = envelope(
        netd,
        "output_range",
        question,
        "range",
        {"ranges": [{**rng, "max": q(top), "argmax": [q(argmax)], "max_proof": fine}]},
    )
    assert_valid(cert)


@settings(max_examples=25)
@given(
    net=networks(max_dim=2, max_width=3, max_depth=2),
    splits=st.lists(st.tuples(st.integers(0, 1), st.integers(-3, 3)), max_size=4),
    mu=st.integers(0, 5),
)
def test_random_2d_false_bounds_are_rejected(net, splits, mu):
    box = [(F(-1), F(1))] * net.input_dim
    cx = rg.compile_network(net, domain=box)
    top = max(net(c.interior_point)[0] for c in cx.cells if c.dim == 0)
    netd = net_dict([[list(r) for r in w] for w in net.weights], [list(b) for b in net.biases])

    def build(box, rest, n_fixed):  # a random tree of input splits and (distinct) neuron splits
        if not rest:
            return leaf([(0, mu)])
        (i, t), rest = rest[0], rest[1:]
        if t == 0 and n_fixed < net.hidden_widths[0]:
            return nsplit(1, n_fixed, build(box, rest, n_fixed + 1), build(box, rest, n_fixed + 1))
        i, t = i % net.input_dim, F(t, 3)
        lo, hi = box[i]
        if not lo < t < hi:
            return build(box, rest, n_fixed)
        low, high = list(box), list(box)
        low[i], high[i] = (lo, t), (t, hi)
        return isplit(i, t, build(low, rest, n_fixed), build(high, rest, n_fixed))

    tree = build(box, splits, 0)
    question = {
        "disjuncts": [
            {
                "box": [[q(lo), q(hi)] for lo, hi in box],
                "atoms": [{"y": ["-1"] + ["0"] * (net.output_dim - 1), "c": q(top - TINY)}],
            }
        ]
    }
    cert = envelope(netd, "property", question, "unsat", {"proofs": [tree]})
    path, reason = failure(cert)  # max f >= top - tiny is satisfiable: some leaf must fail
    assert path.startswith("evidence.proofs[0]") and reason.startswith("the bound rule gives"), reason


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_speed_on_an_acas_sized_network():
    import random

    gen = random.Random(3)  # float32-like dyadic weights of ACAS Xu size
    arch = [5, 50, 50, 50, 50, 50, 50, 5]
    net = rg.ReLUNetwork(
        [
            [[F(gen.randint(-(2**23), 2**23), 2**25) for _ in range(a)] for _ in range(b)]
            for a, b in zip(arch, arch[1:])
        ],
        [[F(gen.randint(-(2**23), 2**23), 2**27) for _ in range(b)] for b in arch[1:]],
    )
    netd = net_dict([[list(r) for r in w] for w in net.weights], [list(b) for b in net.biases])
    question = {
        "disjuncts": [
            {"box": [["-1/2", "1/2"]] * 5, "atoms": [{"y": ["1", "-1", "0", "0", "0"], "c": "1000000000"}]}
        ]
    }
    tree = leaf([(0, 1)])  # y0 - y1 + 10^9 <= 0 is empty: every leaf passes, all are checked
    for i in range(5):
        tree = isplit(i, 0, tree, copy.deepcopy(tree))
    cert = envelope(netd, "property", question, "unsat", {"proofs": [tree]})
    report = rg.verify_certificate(cert)  # the pytest timeout above bounds the time (about 26 ms a leaf)
    assert report.valid and report.n_nodes == 63


def test_lipschitz_a_steeper_piece_is_found():
    # W2[0][2] = 6: on x0 <= 0, A = [[-6, 2], [0, -4]] (row sum 8 > 7); on x0 >= 0 A is unchanged
    steep = net_dict([[[1, 0], [0, 1], [-1, 0]], [[1, 2, 6], [3, -4, 0]]], [[0, 0, 0], [0, 0]])
    proof = isplit(0, 0, {"leaf": "pattern"}, {"leaf": "pattern"})
    for norm, value in (
        ("linf", "7"),
        ("l2", {"squared": {"poly": ["100", "-30", "1"], "interval": ["26", "27"]}}),
    ):
        cert = lip(norm, value, proof=proof)
        cert["network"] = steep
        cert["network_sha256"] = sha(steep)
        cert["question"]["box"] = [["-1", "1"], ["1/2", "1"]]
        path, reason = failure(cert)
        assert path == "evidence.proof.children[0]", norm
        assert "above" in reason or "exceeds" in reason
    # l2 of the steep piece: t^2 - 56 t + 576, largest root 28 + sqrt 208 in [42, 43]
    cert = lip("l2", {"squared": {"poly": ["576", "-56", "1"], "interval": ["42", "43"]}}, proof=proof)
    cert["network"] = steep
    cert["network_sha256"] = sha(steep)
    cert["question"]["box"] = [["-1", "1"], ["1/2", "1"]]
    cert["evidence"]["witness"] = {"x": ["-1/2", "3/4"], "box": [["-1", "-1/4"], ["1/2", "1"]]}
    assert_valid(cert)


def test_sat_witness_must_satisfy_the_input_rows():
    question = {
        "disjuncts": [
            {
                "box": [["0", "1"], ["0", "1"]],
                "input_rows": [{"x": ["1", "1"], "c": "-1"}],
                "atoms": [{"y": ["-1"]}],
            }
        ]
    }
    assert_valid(envelope(SUM, "property", question, "sat", {"disjunct": 0, "x": ["1/2", "1/2"]}))
    cert = envelope(SUM, "property", question, "sat", {"disjunct": 0, "x": ["1/2", q(F(1, 2) + TINY)]})
    path, reason = failure(cert)
    assert path == "evidence.x" and "input row 0" in reason


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4),
    max_leaves=30,
)


@given(json_values)
def test_the_iterative_parser_agrees_with_json(value):
    # nested deeper than the C parser goes (it raises RecursionError at depth 1000), the
    # certificate is read by the iterative parser: the innermost value is json's value
    from relu_geom.verify import load_certificate

    depth = 3000
    for inner in (json.dumps(value), json.dumps(value, indent=1)):
        text = '{"a": ' + "[" * depth + inner + "]" * depth + "}"
        with pytest.raises(RecursionError):
            json.loads(text)
        got = load_certificate(text)[0]["a"]
        for _ in range(depth):
            (got,) = got
        assert got == json.loads(inner)


def test_huge_numbers_in_valid_certificates_and_messages():
    # f(x) = x on [0, N] with N of 5000 digits: Python's int-to-string limit is 4300 digits
    n = "1" + "0" * 4999 + "7"  # 10^5000 + 7, written by hand
    ident = net_dict([[[1]]], [[0]])
    question = {"box": [["0", n]], "objectives": [{"y": ["1"]}]}
    rng = {
        "min": "0",
        "argmin": ["0"],
        "min_proof": leaf(),
        "max": str(n),
        "argmax": [str(n)],
        "max_proof": leaf(),
    }
    report = assert_valid(json.dumps(envelope(ident, "output_range", question, "range", {"ranges": [rng]})))
    assert "(5001 characters)" in report.checked[-1]
    rng["argmax"] = [n[:-1] + "6"]
    path, reason = failure(json.dumps(envelope(ident, "output_range", question, "range", {"ranges": [rng]})))
    assert path == "evidence.ranges[0].argmax" and "0006 (5001 characters), not 1000" in reason


def test_time_limit_gives_no_verdict(tmp_path, capsys):
    cert = abs_range(split_at_zero(), split_at_zero())
    with pytest.raises(rg.LimitExceededError, match="time limit reached after 1 proof nodes"):
        rg.verify_certificate(cert, max_seconds=0)
    assert rg.verify_certificate(cert, max_seconds=60).valid
    path = tmp_path / "cert.json"
    path.write_text(json.dumps(cert))
    assert main(["verify", str(path), "--max-seconds", "0"]) == 2
    assert "time limit" in capsys.readouterr().err


def test_the_checker_imports_only_network_arith_errors_and_the_standard_library():
    import ast
    import pathlib
    import sys

    allowed = ("relu_geom.network", "relu_geom.errors", "relu_geom.arith", "relu_geom.verify")
    folder = pathlib.Path(rg.__file__).parent / "verify"
    files = sorted(folder.glob("*.py"))
    assert len(files) >= 4
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):  # lazy imports too
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                if name.startswith("relu_geom"):
                    assert name.startswith(allowed), f"{path.name} imports {name}"
                else:
                    assert name.split(".")[0] in sys.stdlib_module_names or name == "__future__", (
                        path.name,
                        name,
                    )


# ---------------------------------------------------------------- relax leaves
# twins: y = relu(x) - relu(x) = 0 on [-1, 1]; the atom y >= 3/4.  The bound rule gives
# l = -1, u = 1, t = 1/2 for both neurons; upper(y) = (x + 1)/2 - x = (1 - x)/2, max 1, so
# 3/4 - y <= 0 is not refuted by it (1 - 3/4 = 1/4).  With the rows a0 <= (z0 + 1)/2
# (lambda 1) and z1 - a1 <= 0 (lambda 1/2): psi = y - 3/4 - (a0 - (x + 1)/2) - (x - a1)/2
# = -a1/2 - 1/4, max over a1 in [0, 1] is -1/4.
TWIN = net_dict([[[1], [1]], [[1, -1]]], [[0, 0], [0]])


def twin_property(lam):
    question = {"disjuncts": [{"box": [["-1", "1"]], "atoms": [{"y": ["-1"], "c": "3/4"}]}]}
    return envelope(TWIN, "property", question, "unsat", {"proofs": [{"leaf": "relax", "lambda": lam}]})


RELAX_GOOD = {"atom": [[0, "1"]], "upper": [[[1, 0], "1"]], "lower": [[[1, 1], "1/2"]]}


def test_relax_leaf_proves_what_the_bound_rule_does_not():
    assert dict(assert_valid(twin_property(RELAX_GOOD)).leaves)["relax"] == 1
    cert = twin_property(RELAX_GOOD)
    cert["evidence"]["proofs"][0] = leaf([(0, 1)])
    assert failure(cert) == ("evidence.proofs[0]", "the bound rule gives 1/4, not < 0")


def test_relax_leaf_tampered():
    # upper multiplier 1/2: psi = a0/2 - a1/2 - x/4 - 1/2, max at a0 = 1, a1 = 0, x = -1: 1/4
    assert failure(twin_property({**RELAX_GOOD, "upper": [[[1, 0], "1/2"]]})) == (
        "evidence.proofs[0]",
        "max of psi over the relaxation box is 1/4, not < 0",
    )
    assert failure(twin_property({**RELAX_GOOD, "upper": [[[1, 0], "-1"]]})) == (
        "evidence.proofs[0].lambda.upper[0][1]",
        "multiplier must be non-negative, got -1",
    )
    assert failure(twin_property({**RELAX_GOOD, "active": [[[1, 0], "1"]]})) == (
        "evidence.proofs[0].lambda.active[0][0]",
        "'active' needs phase 1; neuron [1, 0] has phase 0 on this leaf",
    )
    path, reason = failure(twin_property({**RELAX_GOOD, "upper": [[[1, 2], "1"]]}))
    assert path == "evidence.proofs[0].lambda.upper[0][0][1]" and "[0, 1]" in reason
    path, _ = failure(twin_property({**RELAX_GOOD, "lower": [[[1, 1], "1/2"], [[1, 1], "1/2"]]}))
    assert path == "evidence.proofs[0].lambda.lower[1]"



# ---------------------------------------------------------------- tightened bounds
# gate: a = relu(x) on [-1, 2]; layer 2: n0 = relu(-a - 1/2) (dead: -a - 1/2 <= -1/2) and
# n1 = relu(a + 1/2) (active: a + 1/2 >= 1/2); y = 6 n0 + n1 = relu(x) + 1/2 >= 1/2.  The forward
# rule has La = x, Ua = t (x + 1) with t = up(2/3), so z_{2,0} <= max(-x) - 1/2 = 1/2 and
# z_{2,1} >= min(x) + 1/2 = -1/2: both unstable.  The relaxation of layer 1 alone (a in [0, 2])
# gives z_{2,0} <= -1/2 and z_{2,1} >= 1/2 with no multiplier: psi = -a, max 0.
GATE = net_dict(specimens.gate_1d().weights, specimens.gate_1d().biases)
GATE_CLAIMS = [
    {"neuron": [2, 0], "upper": "-1/2", "lambda": {}},
    {"neuron": [2, 1], "lower": "1/2", "lambda": {}},
]
# the atom y <= 2/5; with n0 dead (a_{2,0} = 0) and n1 active:
# psi = 2/5 - y + (a_{2,1} - z_{2,1}) = -6 a_{2,0} - a - 1/10, max -1/10
GATE_LEAF = {"leaf": "relax", "lambda": {"atom": [[0, "1"]], "active": [[[2, 1], "-1"]]}}


def gate_property(proof):
    question = {"disjuncts": [{"box": [["-1", "2"]], "atoms": [{"y": ["1"], "c": "-2/5"}]}]}
    return envelope(GATE, "property", question, "unsat", {"proofs": [proof]})


def test_tightened_bounds_give_phases_the_rule_does_not():
    report = assert_valid(gate_property({"tighten": GATE_CLAIMS, **GATE_LEAF}))
    assert dict(report.leaves)["relax"] == 1
    assert failure(gate_property(GATE_LEAF)) == (
        "evidence.proofs[0].lambda.active[0][0]",
        "'active' needs phase 1; neuron [2, 1] has phase 0 on this leaf",
    )
    # a claim on a split node holds for both children; on [1, 2] the rule alone fixes the
    # phases (a = x >= 1), on [-1, 1] it does not
    assert_valid(gate_property({"tighten": GATE_CLAIMS, **isplit(0, 1, GATE_LEAF, GATE_LEAF)}))
    assert_valid(gate_property(isplit(0, 1, {"tighten": GATE_CLAIMS, **GATE_LEAF}, GATE_LEAF)))
    path, _ = failure(gate_property(isplit(0, 1, GATE_LEAF, {"tighten": GATE_CLAIMS, **GATE_LEAF})))
    assert path == "evidence.proofs[0].children[0].lambda.active[0][0]"
    # a claimed-dead neuron fixed active by a split: that child is empty
    report = assert_valid(gate_property({"tighten": GATE_CLAIMS, **nsplit(2, 0, GATE_LEAF, leaf())}))
    assert dict(report.leaves)["empty"] == 1


def test_tightened_bounds_with_an_input_row():
    # with the input row x <= 1: z_{2,1} = a + 1/2 <= 2 from a <= t (x + 1) (t = up(2/3), the
    # upper row of [1, 0]) and x - 1 <= 0 with multiplier t: psi = a - 3/2 - (a - t (x + 1))
    # - t (x - 1) = 2 t - 3/2 < 0; without the row psi = t (x + 1) - 3/2, 3 t - 3/2 > 0 at x = 2
    t = q(F(math.ceil(F(2, 3) * K), K))
    entry = {"neuron": [2, 1], "upper": "2", "lambda": {"upper": [[[1, 0], "1"]], "input": [[0, t]]}}

    def cert(claim):
        c = gate_property({"tighten": [*GATE_CLAIMS, claim], **GATE_LEAF})
        c["question"]["disjuncts"][0]["input_rows"] = [{"x": ["1"], "c": "-1"}]
        return c

    assert_valid(cert(entry))
    path, reason = failure(cert({**entry, "lambda": {"upper": [[[1, 0], "1"]]}}))
    assert path == "evidence.proofs[0].tighten[2]" and reason.startswith("max of psi over the relaxation box is 2147483649/")


def test_tightened_bounds_tampered():
    def claims(*entries):
        return gate_property({"tighten": list(entries), **GATE_LEAF})

    # z_{2,0} <= -3/4 is false (z = -1/2 at x <= 0): psi = -a + 1/4, max 1/4
    assert failure(claims({**GATE_CLAIMS[0], "upper": "-3/4"}, GATE_CLAIMS[1])) == (
        "evidence.proofs[0].tighten[0]",
        "max of psi over the relaxation box is 1/4, not <= 0",
    )
    assert failure(claims(GATE_CLAIMS[0], {**GATE_CLAIMS[1], "lower": "3/5"})) == (
        "evidence.proofs[0].tighten[1]",
        "max of psi over the relaxation box is 1/10, not <= 0",
    )
    assert failure(claims({"neuron": [1, 0], "upper": "2", "lambda": {}}, *GATE_CLAIMS)) == (
        "evidence.proofs[0].tighten[0].neuron",
        "layer 1: entries are in the order of their layers, from layer 2",
    )
    lam = {"lower": [[[2, 0], "1"]]}
    assert failure(claims({**GATE_CLAIMS[0], "lambda": lam}, GATE_CLAIMS[1])) == (
        "evidence.proofs[0].tighten[0].lambda.lower[0][0]",
        "neuron [2, 0]: a bound of layer 2 uses layers below it only",
    )
    assert failure(claims({**GATE_CLAIMS[0], "lambda": {"atom": [[0, "1"]]}}, GATE_CLAIMS[1])) == (
        "evidence.proofs[0].tighten[0].lambda",
        "unexpected key 'atom'",
    )
    assert failure(claims(GATE_CLAIMS[0], GATE_CLAIMS[0], GATE_CLAIMS[1]))[1] == "a second upper entry for neuron [2, 0]"
    path, reason = failure(claims({**GATE_CLAIMS[0], "lower": "-1"}, GATE_CLAIMS[1]))
    assert (path, reason) == ("evidence.proofs[0].tighten[0]", "unexpected key 'lower'")
    # not in Lipschitz proofs
    path, reason = failure(lip("linf", "7", {"tighten": [], "leaf": "pattern"}))
    assert path == "evidence.proof.tighten" and "only in property, range and robustness" in reason


# ---------------------------------------------------------------- property, strict atoms (@2)
FORMAT_STRICT = "relu-geom/certificate@2"


def strict_property(verdict, evidence, atoms, *, box=((1, 2),), network=ABS, rows=()):
    question = {
        "precision_bits": 32,
        "disjuncts": [{"box": [[q(lo), q(hi)] for lo, hi in box], "input_rows": list(rows), "atoms": atoms}],
    }
    cert = envelope(network, "property", question, verdict, evidence)
    cert["format"] = FORMAT_STRICT
    return cert


def y_above(level, strict=True):  # y > level: level - y < 0
    return {"y": [-1], "c": q(level), "strict": strict}


def test_strict_atom_closes_a_bound_leaf_at_zero():
    # on [1, 2] f(x) = x; f > 2 is empty: psi = 0 - mu (2 - x) has max 0 at x = 2, and the
    # atom's value 2 - x is < 0 on the set, so 0 < psi <= 0 there: nothing is admissible
    assert_valid(strict_property("unsat", {"proofs": [leaf([(0, 1)])]}, [y_above(2)]))
    assert_valid(strict_property("unsat", {"proofs": [leaf([(0, "1/1000")])]}, [y_above(2)]))
    nor = "not < 0 (nor 0 with a strict atom's multiplier > 0)"
    # the multiplier set to 0, or left out: the bound rule gives 0
    for mu in ([(0, 0)], []):
        assert failure(strict_property("unsat", {"proofs": [leaf(mu)]}, [y_above(2)])) == (
            "evidence.proofs[0]",
            f"the bound rule gives 0, {nor}",
        )
    # the positive multiplier must be on a strict atom: f >= 2 and f > 2 with mu on the first only
    atoms = [y_above(2, strict=False), y_above(2)]
    assert_valid(strict_property("unsat", {"proofs": [leaf([(1, 1)])]}, atoms))
    assert failure(strict_property("unsat", {"proofs": [leaf([(0, 1)])]}, atoms)) == (
        "evidence.proofs[0]",
        f"the bound rule gives 0, {nor}",
    )
    # the non-strict question f >= 2 is sat at x = 2: the same proof does not prove it
    assert failure(strict_property("unsat", {"proofs": [leaf([(0, 1)])]}, [y_above(2, strict=False)])) == (
        "evidence.proofs[0]",
        "the bound rule gives 0, not < 0",
    )
    # a bound above 0 fails whatever the strict multipliers (f > 3/2 on [1, 2] is sat)
    path, reason = failure(strict_property("unsat", {"proofs": [leaf([(0, 1)])]}, [y_above("3/2")]))
    assert path == "evidence.proofs[0]" and reason.startswith("the bound rule gives 1/2, ")


def test_strict_atoms_need_format_2():
    cert = strict_property("unsat", {"proofs": [leaf([(0, 1)])]}, [y_above(2)])
    cert["format"] = FORMAT  # relabelled @1: an @1 checker has no strict atoms
    assert failure(cert) == (
        "question.disjuncts[0].atoms[0]",
        "unexpected key 'strict' (strict atoms need the format 'relu-geom/certificate@2')",
    )
    # relabelled @1 with the key dropped, the question is f >= 2, which this proof does not prove
    del cert["question"]["disjuncts"][0]["atoms"][0]["strict"]
    assert failure(cert)[0] == "evidence.proofs[0]"
    # "strict" is a JSON boolean
    cert = strict_property("unsat", {"proofs": [leaf([(0, 1)])]}, [{**y_above(2), "strict": "yes"}])
    assert failure(cert) == ("question.disjuncts[0].atoms[0].strict", "expected true or false, got the string 'yes'")
    # an input row is never strict
    rows = [{"x": ["1"], "c": "-2", "strict": True}]
    path, reason = failure(strict_property("unsat", {"proofs": [leaf([(0, 1)])]}, [y_above(2)], rows=rows))
    assert path == "question.disjuncts[0].input_rows[0]" and "strict" in reason
    # @2 is a property format only
    cert = abs_range(split_at_zero(), split_at_zero())
    cert["format"] = FORMAT_STRICT
    assert failure(cert)[0] == "format"
    # @2 without strict atoms is the @1 question
    assert_valid(strict_property("unsat", {"proofs": [leaf([(0, 1)])]}, [y_above(3, strict=False)]))


def test_strict_atom_sat_witness_off_the_boundary():
    # |x| > 1 on [-1, 2]: x = 3/2 satisfies it; x = 1 and x = -1 lie on the boundary |x| = 1
    atoms = [y_above(1)]
    assert_valid(strict_property("sat", {"disjunct": 0, "x": [q(F(3, 2))]}, atoms, box=((-1, 2),)))
    assert_valid(strict_property("sat", {"disjunct": 0, "x": [q(1 + TINY)]}, atoms, box=((-1, 2),)))
    for x in (1, -1):
        assert failure(strict_property("sat", {"disjunct": 0, "x": [q(x)]}, atoms, box=((-1, 2),))) == (
            "evidence.x",
            "atom 0 of disjunct 0 is 0 = 0, not < 0 (a strict atom) at f(x)",
        )
    # the same points are witnesses of the non-strict |x| >= 1
    for x in (1, -1):
        assert_valid(strict_property("sat", {"disjunct": 0, "x": [q(x)]}, [y_above(1, strict=False)], box=((-1, 2),)))


# y = relu(x0) - relu(x1) = x0 - x1 on [0, 1]^2, the input row x0 - x1 <= 0 and the atom y > 0
DIFF = net_dict([[[1, 0], [0, 1]], [[1, -1]]], [[0, 0], [0]])


def diff_property(lam):
    evidence = {"proofs": [{"leaf": "lp", "lambda": lam}]}
    rows = [{"x": ["1", "-1"], "c": "0"}]
    return strict_property("unsat", evidence, [y_above(0)], box=((0, 1), (0, 1)), network=DIFF, rows=rows)


def test_strict_atom_closes_an_lp_leaf_at_zero():
    # psi = 0 - mu (0 - (x0 - x1)) - nu (x0 - x1) = (mu - nu)(x0 - x1): max 0 when mu = nu
    assert_valid(diff_property({"atom": [[0, "1"]], "input": [[0, "1"]]}))
    assert_valid(diff_property({"atom": [[0, "1/3"]], "input": [[0, "1/3"]]}))
    nor = "not < 0 (nor 0 with a strict atom's multiplier > 0)"
    assert failure(diff_property({"atom": [[0, "0"]], "input": [[0, "0"]]})) == (
        "evidence.proofs[0]",
        f"max of psi over the leaf box is 0, {nor}",
    )
    # mu = 0, nu = 1: psi = -(x0 - x1), max 1; mu = 1, nu = 1/2: psi = (x0 - x1) / 2, max 1/2
    assert failure(diff_property({"input": [[0, "1"]]}))[1] == f"max of psi over the leaf box is 1, {nor}"
    assert failure(diff_property({"atom": [[0, "1"]], "input": [[0, "1/2"]]}))[1] == (
        f"max of psi over the leaf box is 1/2, {nor}"
    )


# ---------------------------------------------------------------- the backward rule
# y = 2 relu(z_3) - 2 with z_3 = 2 relu(-a_1 - a_2) - relu(2 a_1 - a_2 + 1) - 1 <= -1 (a >= 0):
# y = -2 on [-1, 1].  The forward rule bounds z_3 by 2 and y by 2; back-substitution bounds z_3
# by 0 (tests/test_certify_bounds.py derives both by hand), so y <= -2 at the root.
DEAD3 = net_dict([[[2], [-2]], [[-1, -1], [2, -1]], [[2, -1]], [[2]]], [[-1, 0], [0, 1], [-1], [-2]])


def dead3_property(rule):
    question = {
        "precision_bits": 32,
        **({} if rule is None else {"bound_rule": rule}),
        "disjuncts": [{"box": [["-1", "1"]], "atoms": [{"y": [-1], "c": "-3/2"}]}],  # y >= -3/2
    }
    return envelope(DEAD3, "property", question, "unsat", {"proofs": [leaf([(0, 1)])]})


def test_backward_rule_closes_what_the_forward_rule_does_not():
    report = assert_valid(dead3_property("backward"))
    assert dict(report.leaves)["bound"] == 1
    for rule in (None, "forward"):  # the default is the forward rule: the same leaf fails
        path, reason = failure(dead3_property(rule))
        # 2 u_3 - 2 + 3/2 with u_3 = 2, up to the roundings up(u / (u - l)) of the slopes (2^-32 each)
        assert path == "evidence.proofs[0]" and reason.endswith(", not < 0")
        assert F(7, 2) <= F(reason.split()[4].rstrip(",")) <= F(7, 2) + F(1, 2**24)
    path, reason = failure(dead3_property("sideways"))
    assert path == "question.bound_rule" and "'forward', 'backward'" in reason


def test_the_bound_rule_of_a_lipschitz_question():
    # one hidden layer: the backward rule is the forward one, so the same proof holds
    cert = lip("linf", "7")
    cert["question"]["bound_rule"] = "backward"
    assert_valid(cert)
    cert["question"]["bound_rule"] = "sideways"
    path, reason = failure(cert)
    assert path == "question.bound_rule" and "sideways" in reason


def test_backward_certificates_of_the_searches_verify():
    net = rg.ReLUNetwork.random([2, 4, 4, 4, 1], seed=3)
    for rule in ("forward", "backward"):
        res = rg.output_range(net, (-1, 1), bound_rule=rule)
        assert res.certificate["question"].get("bound_rule") == (None if rule == "forward" else rule)
        assert_valid(res.certificate)
        if rule == "forward":
            ranges = res.ranges
        else:  # the exact range does not depend on the rule
            assert res.ranges == ranges


# f = relu(x) + relu(y) - relu(-x - y) on [-1, 1]^2: the pattern (+, +, +) holds only at 0 (x, y >= 0
# and x + y <= 0), with gradient (2, 2) (row sum 4); the full-dimensional regions have gradients
# (1, 1), (2, 1), (1, 2), (1, 0), (0, 1), (1, 1) and 0 at most, so L (linf) = 3, attained by (2, 1)
THREE = net_dict([[[1, 0], [0, 1], [-1, -1]], [[1, 1, -1]]], [[0, 0, 0], [0]])


def three_lines(thin_leaf):
    leaves = []
    for bits in range(8):
        signs = [1 if bits >> i & 1 else -1 for i in range(3)]
        leaves.append((signs, thin_leaf if signs == [1, 1, 1] else {"leaf": "pattern"}))

    def tree(i, fixed):
        if i == 3:
            return next(node for signs, node in leaves if signs == fixed)
        return nsplit(1, i, tree(i + 1, [*fixed, -1]), tree(i + 1, [*fixed, 1]))

    question = {"box": [["-1", "1"], ["-1", "1"]], "norm": "linf"}
    evidence = {"value": "3", "witness": {"x": ["1/4", "-3/4"], "box": [["1/8", "3/8"], ["-7/8", "-5/8"]]},
                "proof": tree(0, [])}
    return envelope(THREE, "lipschitz", question, "value", evidence)


def test_lipschitz_thin_leaf():
    # rows g = -z: -x, -y, x + y; with multipliers 1, 1, 1 psi = 0 everywhere: max psi = 0 with weight
    # on rows that are not identically zero, so the pattern has no interior point
    lam = {"phase": [[[1, 0], "1"], [[1, 1], "1"], [[1, 2], "1"]]}
    report = assert_valid(three_lines({"leaf": "lp", "lambda": lam}))
    assert dict(report.leaves)["lp"] == 1 and dict(report.leaves)["pattern"] == 7
    # without the third row psi = x + y, whose maximum 2 > 0 proves nothing
    path, reason = failure(three_lines({"leaf": "lp", "lambda": {"phase": lam["phase"][:2]}}))
    assert reason == "max of psi over the leaf box is 2, not < 0"
    # no multiplier at all: psi = 0 but no row carries weight
    path, reason = failure(three_lines({"leaf": "lp", "lambda": {}}))
    assert reason == "max of psi over the leaf box is 0, not < 0"
    # the pattern leaf itself exceeds L
    path, reason = failure(three_lines({"leaf": "pattern"}))
    assert reason == "||A||_inf = 4, above L = 3"


# x -> relu(x) with a neuron z = 0 x + 0 that vanishes everywhere: a multiplier on its row proves nothing
ZERO_ROW = net_dict([[[1], [0]], [[2, 5]]], [[0, 0], [0]])


def test_lipschitz_thin_leaf_refuses_rows_identically_zero():
    question = {"box": [["-1", "1"]], "norm": "linf"}

    def cert(lam):
        proof = nsplit(1, 0, {"leaf": "pattern"}, nsplit(1, 1, {"leaf": "pattern"}, {"leaf": "lp", "lambda": lam}))
        evidence = {"value": "2", "witness": {"x": ["1/2"], "box": [["1/4", "3/4"]]}, "proof": proof}
        return envelope(ZERO_ROW, "lipschitz", question, "value", evidence)

    # under (+, +) the matrix is [2 + 0] = 2 = L anyway; the point is the lp leaf: weight on z_2 = 0
    path, reason = failure(cert({"phase": [[[1, 1], "1"]]}))
    assert reason == "max of psi over the leaf box is 0, not < 0"


# ---------------------------------------------------------------- properties of several networks
IDENT = net_dict([[[1]]], [[0]])  # g(x) = x, no hidden layer
# the stack of f = |x| (reading v0) and g (reading v1), by hand: g padded to one hidden layer
# (v1, -v1) and recombined as relu(v1) - relu(-v1)
STACK = net_dict([[[1, 0], [-1, 0], [0, 1], [0, -1]], [[1, 1, 0, 0], [0, 0, 1, -1]]], [[0, 0, 0, 0], [0, 0]])


def two_net_property(x=("-1", "0"), *, entries=None, stack=STACK):
    """f(v0) - g(v1) >= 1 on [-1, 1]^2: sat at v = (-1, 0) (f = 1, g = 0)."""
    question = {
        "precision_bits": 32,
        "disjuncts": [{"box": [["-1", "1"], ["-1", "1"]], "atoms": [{"y": ["-1", "1"], "c": "1"}]}],
    }
    cert = envelope(stack, "property", question, "sat", {"disjunct": 0, "x": list(x)})
    cert["networks"] = entries if entries is not None else [
        {"name": "f", "input": [{"name": "A", "shape": [1]}], "output": [{"name": "B", "shape": [1]}],
         "inputs": [0], "network": copy.deepcopy(ABS), "network_sha256": sha(ABS)},
        {"name": "g", "input": [{"name": "C", "shape": [1]}], "output": [{"name": "D", "shape": [1]}],
         "inputs": [1], "network": copy.deepcopy(IDENT), "network_sha256": sha(IDENT)},
    ]
    return cert


def _net(d):
    return rg.ReLUNetwork(d["weights"], d["biases"])


def test_several_networks_valid_and_given_in_order():
    report = assert_valid(two_net_property())
    assert "'network' is the stack of the 2 listed networks (f, g), each with its SHA-256" in report.checked
    report = assert_valid(two_net_property(), [_net(ABS), _net(IDENT)])
    assert "the listed networks equal the 2 given, in order" in report.checked
    assert failure(two_net_property(x=("-1/2", "0"))) == (
        "evidence.x", "atom 0 of disjunct 0 is 1/2 > 0 at f(x)"
    )


def test_several_networks_swapped_or_missing_are_rejected():
    cert = two_net_property()
    assert failure(cert, [_net(IDENT), _net(ABS)]) == (
        "networks[0].network", "differs from the network given to the checker (given network 1)"
    )
    assert failure(cert, [_net(ABS)])[0] == "networks"  # one given for two
    assert failure(cert, _net(ABS)) == (
        "networks", "the certificate is about several networks: give them all, in order"
    )
    assert failure(cert, _net(STACK))[0] == "networks"
    # the entries listed in the other order: 'network' is no longer their stack
    swapped = two_net_property(entries=list(reversed(two_net_property()["networks"])))
    assert failure(swapped) == ("network", "is not the stack of the listed networks (rebuilt by the checker)")
    # each network reading the other's input
    crossed = two_net_property()
    crossed["networks"][0]["inputs"], crossed["networks"][1]["inputs"] = [1], [0]
    assert failure(crossed)[0] == "network"


@pytest.mark.parametrize("where", ["component", "component_rehashed", "stack_rehashed"])
def test_several_networks_one_number_changed(where):
    cert = two_net_property()
    if where.startswith("component"):
        entry = cert["networks"][1]
        entry["network"]["weights"][0][0][0] = "2"
        if where == "component_rehashed":
            entry["network_sha256"] = sha(entry["network"])
            assert failure(cert) == ("network", "is not the stack of the listed networks (rebuilt by the checker)")
        else:
            path, reason = failure(cert)
            assert path == "networks[1].network_sha256" and reason.startswith("does not match its network")
    else:
        cert["network"]["biases"][1][1] = "1/3"
        cert["network_sha256"] = sha(cert["network"])
        assert failure(cert)[0] == "network"


def test_several_networks_entries_are_checked():
    base = two_net_property()["networks"]

    def with_entry(i, **change):
        entries = copy.deepcopy(base)
        entries[i].update(change)
        return two_net_property(entries=[{k: v for k, v in e.items() if v is not None} for e in entries])

    assert failure(with_entry(1, inputs=[2]))[0] == "networks[1].inputs"
    assert failure(with_entry(1, inputs=[0]))[0] == "networks"  # v1 read by nobody
    assert failure(with_entry(1, inputs=[True]))[0] == "networks[1].inputs"
    assert failure(with_entry(1, name="f"))[0] == "networks[1].name"
    assert failure(with_entry(1, equal_to="f")) == ("networks[1].network", "is declared equal_to f but differs from it")
    assert failure(with_entry(1, isomorphic_to="f"))[0] == "networks[1].network"
    assert failure(with_entry(0, equal_to="g"))[0] == "networks[0].equal_to"  # not an earlier network
    assert failure(with_entry(0, extra=1)) == ("networks[0]", "unexpected key 'extra'")
    assert failure(with_entry(0, network_sha256=None)) == ("networks[0]", "missing key 'network_sha256'")
    bad = with_entry(0)
    bad["networks"][0]["network"]["weights"] = [[["1", "x"]]]
    assert failure(bad)[0].startswith("networks[0].network.weights[0][0]")
    empty = two_net_property(entries=[])
    assert failure(empty) == ("networks", "expected a non-empty list of networks, got an empty list")


def test_several_networks_equal_to_needs_no_file():
    # f and f2 = f (equal_to) on independent inputs: f(v0) - f(v1) >= 1 sat at (-1, 0)
    stack = net_dict([[[1, 0], [-1, 0], [0, 1], [0, -1]], [[1, 1, 0, 0], [0, 0, 1, 1]]], [[0, 0, 0, 0], [0, 0]])
    entries = [
        {"name": "f", "inputs": [0], "network": copy.deepcopy(ABS), "network_sha256": sha(ABS)},
        {"name": "f2", "inputs": [1], "network": copy.deepcopy(ABS), "network_sha256": sha(ABS), "equal_to": "f"},
    ]
    cert = two_net_property(entries=entries, stack=stack)
    assert_valid(cert, [_net(ABS)])
    assert failure(cert, [_net(ABS), _net(ABS)])[0] == "networks"


def test_other_claims_still_embed_one_network():
    cert = abs_range(leaf(), leaf())
    cert["networks"] = []
    assert failure(cert) == ("networks", "a output_range certificate embeds one network, under 'network'")
