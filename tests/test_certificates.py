"""Certificates written by relu_geom.certify pass the independent checker relu_geom.verify,
and a certificate with one number changed does not.

The two packages share no code (tests/test_layers.py); docs/certificates.md is the only
contract between them, so these tests check that contract end to end.
"""

from __future__ import annotations

import copy
import json
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.verify import verify_certificate


def _nets():
    yield rg.ReLUNetwork.random([2, 4, 3, 2], seed=1)
    yield rg.ReLUNetwork.random([1, 3, 1], seed=5)
    yield rg.ReLUNetwork([[[1, 2], [3, -1]]], [[0, 1]])  # no hidden layer
    yield rg.ReLUNetwork(
        [[[1, 0], [1, 0], [0, 0]], [[1, -1, 2], [0, 1, 1]]], [[0, 0, 0], [0, 0]]
    )  # twins, zero row


def _certificates():
    for net in _nets():
        d = net.input_dim
        box = [(-1, 1)] * d
        yield "range", rg.output_range(net, box).certificate
        for norm in ("linf", "l1", "l2"):
            yield f"lipschitz {norm}", rg.lipschitz_constant(net, norm=norm, domain=box).certificate
        if net.output_dim >= 2:
            x0 = [Fraction(1, 3)] * d
            for norm in ("linf", "l1"):
                yield f"robust {norm}", rg.robustness_radius(net, x0, norm=norm).certificate
        top = rg.output_range(net, box).ranges[0].max
        for threshold, verdict in ((top, "sat"), (top + Fraction(1, 10**9), "unsat")):
            spec = rg.Specification.from_lists(
                d,
                net.output_dim,
                [{"box": box, "atoms": [{"y": [-1] + [0] * (net.output_dim - 1), "c": threshold}]}],
            )
            res = rg.check_property(net, spec)
            assert res.verdict == verdict
            yield f"property {verdict}", res.certificate


CERTS = list(_certificates())


@pytest.mark.parametrize("k", range(len(CERTS)), ids=[name for name, _ in CERTS])
def test_every_certificate_verifies(k):
    name, cert = CERTS[k]
    report = verify_certificate(json.loads(json.dumps(cert)))
    assert report.valid, (name, report.first_failure)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_a_claimed_value_moved_by_a_tiny_amount_is_rejected(data):
    claims = [(n, c) for n, c in CERTS if n.startswith(("range", "lipschitz linf", "lipschitz l1", "robust"))]
    name, cert = data.draw(st.sampled_from(claims))
    bad = copy.deepcopy(cert)
    ev = bad["evidence"]
    eps = Fraction(1, 10**30)
    if name == "range":
        r = ev["ranges"][0]
        key = data.draw(st.sampled_from(["max", "min"]))
        r[key] = str(Fraction(r[key]) + (-eps if key == "max" else eps))
    elif name.startswith("lipschitz"):
        ev["value"] = str(Fraction(ev["value"]) - eps)
    else:
        ev["radius"] = str(Fraction(ev["radius"]) + eps)
    assert not verify_certificate(bad).valid, name


def test_a_changed_weight_is_rejected():
    name, cert = CERTS[0]
    bad = copy.deepcopy(cert)
    w = bad["network"]["weights"][0][0]
    w[0] = str(Fraction(w[0]) + 1)
    assert not verify_certificate(bad).valid


def _relax_certificate():
    # random([2, 6, 6, 1], seed=0) over [-1, 1]^2: "y >= max + 1e-9" is unsat, and its proof
    # closes some leaves only through the triangle relaxation (relax leaves)
    net = rg.ReLUNetwork.random([2, 6, 6, 1], seed=0)
    box = [(-1, 1)] * 2
    top = rg.output_range(net, box).ranges[0].max
    spec = rg.Specification.from_lists(2, 1, [{"box": box, "atoms": [{"y": [-1], "c": top + Fraction(1, 10**9)}]}])
    res = rg.check_property(net, spec)
    assert res.verdict == "unsat"
    return top, json.loads(json.dumps(res.certificate))


def _relax_leaves(tree):
    stack = [tree]
    while stack:
        node = stack.pop()
        if node.get("leaf") == "relax":
            yield node
        stack.extend(node.get("children", []))


def test_relax_leaves_verify_and_do_not_prove_a_false_claim():
    top, cert = _relax_certificate()
    leaves = list(_relax_leaves(cert["evidence"]["proofs"][0]))
    assert leaves and verify_certificate(cert).valid
    # the same proof for "y >= max - 1/16", which the maximizer violates: rejected
    false = copy.deepcopy(cert)
    false["question"]["disjuncts"][0]["atoms"][0]["c"] = str(top - Fraction(1, 16))
    assert not verify_certificate(false).valid
    # a negative multiplier on a row that needs a non-negative one: rejected at that leaf
    bad = copy.deepcopy(cert)
    leaf = next(_relax_leaves(bad["evidence"]["proofs"][0]))
    kind = next(k for k in ("upper", "lower", "inactive", "atom", "input") if leaf["lambda"].get(k))
    entry = leaf["lambda"][kind][0]
    entry[-1] = str(-abs(Fraction(entry[-1])) - 1)
    report = verify_certificate(bad)
    assert not report.valid and "lambda" in str(report.first_failure)
