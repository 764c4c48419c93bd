"""The independent checker of search claims: every certificate verifies, every tampered one fails."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings

import relu_geom as rg
from relu_geom.verify.search_claims import CHECKERS, CheckFailure
from tests.conftest import networks


def _certs():
    return [
        rg.build_certificate(rg.regions_at_least(4), rg.zoo.hat_1d()),
        rg.build_certificate(rg.regions_at_least(6), rg.zoo.central_lines(3)),
        rg.build_certificate(rg.pieces_at_least(8, domain=(0, 1)), rg.zoo.sawtooth(3)),
        rg.build_certificate(rg.hidden_symmetry(), rg.zoo.clipped_relu()),
        rg.build_certificate(rg.fewer_neurons(), rg.zoo.duplicate_neurons()),
        rg.build_certificate(rg.equals_target(rg.zoo.max_zero_2d()), rg.ReLUNetwork(
            [[[0, 1], [1, 0], [-1, 0]], [[-1, 1, -1], [1, 0, 0]], [[1, 1]]], [[0, 0, 0], [0, 0], [0]])),
        rg.build_certificate(rg.equals_target(rg.zoo.abs_1d(), domain=(-1, 2)), rg.zoo.abs_1d().rescale_neuron(1, 0, 3)),
    ]


CERTS = _certs()


@pytest.mark.parametrize("cert", CERTS, ids=[c["claim"] for c in CERTS])
def test_certificates_verify(cert):
    CHECKERS[cert["claim"]](cert)


def _tamper(cert):
    """Every way of breaking a certificate that the checker must notice."""
    out = []
    c = copy.deepcopy(cert)
    c["verdict"] = "unknown"
    out.append(c)
    c = copy.deepcopy(cert)
    c["claim"] = "other"
    out.append(c)
    key = "network" if "network" in cert else "networks"
    c = copy.deepcopy(cert)
    net = c[key] if key == "network" else c[key]["f"]
    net["biases"][0][0] = str(rg.arith.to_rational(net["biases"][0][0]) + 1)
    out.append(c)  # the hash no longer matches
    ev = cert["evidence"]
    if "points" in ev:
        c = copy.deepcopy(cert)
        c["evidence"]["points"] = c["evidence"]["points"][:-1]
        out.append(c)
        c = copy.deepcopy(cert)
        c["evidence"]["points"].append(c["evidence"]["points"][0])
        out.append(c)
        c = copy.deepcopy(cert)
        c["evidence"]["points"][0]["box"] = [[-100, 100]] * len(c["evidence"]["points"][0]["box"])
        out.append(c)
    if "proof" in ev:
        c = copy.deepcopy(cert)
        c["evidence"]["proof"] = {"leaf": "pattern"}
        out.append(c)
        c = copy.deepcopy(cert)
        node = c["evidence"]["proof"]
        while "split" in node:
            empties = [ch for ch in node["children"] if ch.get("leaf") == "empty"]
            if empties:
                empties[0]["lambda"]["phase"] = [[p[0], 0] for p in empties[0]["lambda"]["phase"]]
                empties[0]["lambda"]["input"] = []
                break
            node = node["children"][0]
        if c != cert:
            out.append(c)
    return out


@pytest.mark.parametrize("cert", CERTS, ids=[c["claim"] for c in CERTS])
def test_tampered_certificates_fail(cert):
    for bad in _tamper(cert):
        checker = CHECKERS.get(bad["claim"], CHECKERS[cert["claim"]])
        with pytest.raises(CheckFailure):
            checker(bad)


def test_differing_networks_cannot_be_certified_equal():
    cert = copy.deepcopy(CERTS[3])  # hidden symmetry of clipped relu
    g = rg.ReLUNetwork([[[-1], [-1]], [[1, -1]]], [[0, 1], [2]])  # output bias off by one
    cert["networks"]["g"] = g.to_dict()
    from relu_geom.search.certificates import network_sha256

    cert["networks_sha256"]["g"] = network_sha256(g)
    with pytest.raises(CheckFailure, match="differ"):
        CHECKERS["hidden_symmetry"](cert)


def test_a_symmetric_partner_is_not_a_hidden_symmetry():
    from relu_geom.search.certificates import network_sha256, pattern_tree

    f = rg.zoo.clipped_relu()
    g = f.permute_layer(1, [1, 0]).rescale_neuron(1, 0, 5)
    cert = copy.deepcopy(CERTS[3])
    cert["networks"]["g"] = g.to_dict()
    cert["networks_sha256"]["g"] = network_sha256(g)
    cert["evidence"]["proof"] = pattern_tree(f, g)
    with pytest.raises(CheckFailure, match="permutation"):
        CHECKERS["hidden_symmetry"](cert)


@settings(max_examples=20)
@given(networks(max_dim=2, max_width=3, max_depth=2))
def test_region_certificates_of_random_networks(net):
    n = rg.compile_network(net).n_regions
    cert = rg.build_certificate(rg.regions_at_least(n), net)
    CHECKERS["regions_at_least"](cert)
    cert["question"]["k"] = n + 1
    with pytest.raises(CheckFailure):
        CHECKERS["regions_at_least"](cert)


@settings(max_examples=15)
@given(networks(max_dim=2, max_width=2, max_depth=2))
def test_equivalence_trees_of_rescaled_copies(net):
    from relu_geom.search.certificates import network_sha256, pattern_tree

    g = net.rescale_neuron(1, 0, 3)
    cert = rg.build_certificate(rg.equals_target(g), net)
    CHECKERS["equivalent"](cert)
    assert cert["networks_sha256"]["f"] == network_sha256(net)
    assert pattern_tree(net, g) == cert["evidence"]["proof"]
