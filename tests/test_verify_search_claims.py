"""The independent checker of search claims: every certificate verifies, every tampered one fails."""

from __future__ import annotations

import copy
import json
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.cli import main
from relu_geom.search.certificates import network_sha256, pattern_box, pattern_cover
from relu_geom.testing import specimens
from relu_geom.verify.search_claims import CHECKERS, CheckFailure
from tests.conftest import networks


def _invisible_net():
    # neuron [1, 0] feeds only the dead neuron [2, 0]: its line x1 = 0 carries no bend
    return rg.ReLUNetwork([[[1, 0], [0, 1]], [[-1, 0], [0, 1]], [[1, 1]]], [[0, 0], [-1, 0], [0]])


def _certs():
    return [
        rg.build_certificate(rg.fdim_deficit(), rg.zoo.dead_neuron()),
        rg.build_certificate(rg.fdim_deficit(3), _invisible_net()),
        rg.build_certificate(rg.full_fdim_not_identifiable(), rg.zoo.clipped_relu()),
        rg.build_certificate(rg.depth_at_least(1), rg.zoo.hat_1d()),
        rg.build_certificate(rg.depth_at_least(2), rg.zoo.bent_2d()),
        rg.build_certificate(rg.depth_at_least(2), rg.zoo.max_zero_2d()),
        rg.build_certificate(rg.invisible_hyperplane(), rg.zoo.bent_2d()),
        rg.build_certificate(rg.invisible_hyperplane(), _invisible_net()),
        rg.build_certificate(rg.invisible_hyperplane(), rg.ReLUNetwork([[[1]], [[-1]], [[1]]], [[0], [-1], [0]])),
        rg.build_certificate(rg.regions_at_least(4), rg.zoo.hat_1d()),
        rg.build_certificate(rg.regions_at_least(6), rg.zoo.central_lines(3)),
        rg.build_certificate(rg.pieces_at_least(8, domain=(0, 1)), rg.zoo.sawtooth(3)),
        rg.build_certificate(rg.hidden_symmetry(), rg.zoo.clipped_relu()),
        rg.build_certificate(rg.fewer_neurons(), rg.zoo.duplicate_neurons()),
        rg.build_certificate(rg.equals_target(rg.zoo.max_zero_2d()), specimens.max_zero_2d_other()),
        rg.build_certificate(rg.equals_target(rg.zoo.abs_1d(), domain=(-1, 2)), rg.zoo.abs_1d().rescale_neuron(1, 0, 3)),
    ]


CERTS = _certs()
IDS = [f"{c['claim']}-{i}" for i, c in enumerate(CERTS)]


def _first(claim):
    return next(c for c in CERTS if c["claim"] == claim)


@pytest.mark.parametrize("cert", CERTS, ids=IDS)
def test_certificates_verify(cert):
    assert CHECKERS[cert["claim"]](cert)
    report = rg.verify_certificate(json.loads(json.dumps(cert)))
    assert report.valid, report.first_failure
    assert report.claim == cert["claim"] and report.verdict == "holds"


def test_the_cli_verifies_search_certificates(tmp_path, capsys):
    for i, cert in enumerate(CERTS):
        path = tmp_path / f"c{i}.json"
        path.write_text(json.dumps(cert))
        assert main(["verify", str(path)]) == 0, cert["claim"]
        assert capsys.readouterr().out.startswith(f"valid: {cert['claim']} certificate")
    net = tmp_path / "net.json"
    rg.zoo.hat_1d().to_json(net)
    assert main(["verify", str(tmp_path / "c3.json"), str(net)]) == 0  # depth 1 of the hat
    assert main(["verify", str(tmp_path / "c0.json"), str(net)]) == 1  # about another network
    assert "differs from the network" in capsys.readouterr().out


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
        if cert["claim"] in ("regions_at_least", "pieces_at_least"):
            c = copy.deepcopy(cert)
            c["evidence"]["points"].append(c["evidence"]["points"][0])
            out.append(c)
        c = copy.deepcopy(cert)
        c["evidence"]["points"][0]["box"] = [[-100, 100]] * len(c["evidence"]["points"][0]["box"])
        out.append(c)
    if "points" in ev and len(ev["points"]) == 2:
        c = copy.deepcopy(cert)
        c["evidence"]["points"].reverse()  # bent and unbent pieces swapped (visibility)
        if cert["claim"] == "first_layer_visibility":
            out.append(c)
        c = copy.deepcopy(cert)
        c["evidence"]["points"][1] = c["evidence"]["points"][0]  # one value twice
        out.append(c)
    if "sample" in ev:
        c = copy.deepcopy(cert)
        c["evidence"]["sample"] = c["evidence"]["sample"][1:]
        out.append(c)
    if "k" in cert["question"] and cert["claim"] != "depth_at_least":
        c = copy.deepcopy(cert)
        c["question"]["k"] = 10**6
        out.append(c)
    if cert["claim"] == "depth_at_least":
        c = copy.deepcopy(cert)
        c["question"]["k"] = 3
        out.append(c)
    if "proof" in ev and cert["claim"] != "functional_dimension_at_most":
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


@pytest.mark.parametrize("cert", CERTS, ids=IDS)
def test_tampered_certificates_fail(cert):
    for bad in _tamper(cert):
        checker = CHECKERS.get(bad["claim"], CHECKERS[cert["claim"]])
        with pytest.raises(CheckFailure):
            checker(bad)
        assert not rg.verify_certificate(json.loads(json.dumps(bad))).valid


def test_differing_networks_cannot_be_certified_equal():
    cert = copy.deepcopy(_first("hidden_symmetry"))  # of clipped relu
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
    cert = copy.deepcopy(_first("hidden_symmetry"))
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


def test_json_floats_and_user_claims_are_refused():
    cert = copy.deepcopy(CERTS[3])  # depth 1 of the hat
    text = json.dumps(cert).replace('"x": ["1/2"]', '"x": [0.5]', 1)
    assert text != json.dumps(cert)
    report = rg.verify_certificate(text)
    assert not report.valid and "JSON float" in report.first_failure.reason
    user = rg.build_certificate(rg.user_property("f(0)=0", lambda net: net([0]) == (0,)), rg.zoo.abs_1d())
    report = rg.verify_certificate(user)
    assert not report.valid and "no independent check" in report.first_failure.reason


def on_hyperplane(net, w, c):
    """``t -> f(x)`` on ``{w.x + c = 0}``: ``t`` is ``x`` without its first coordinate ``k`` with
    ``w_k != 0``, and ``x_k = -(c + sum_{i != k} w_i t_i) / w_k`` (docs/certificates.md)."""
    k = next(i for i, v in enumerate(w) if v)
    others = [i for i in range(len(w)) if i != k]
    w1 = [[row[i] - row[k] * w[i] / w[k] for i in others] for row in net.weights[0]]
    b1 = [b - row[k] * c / w[k] for row, b in zip(net.weights[0], net.biases[0])]
    return rg.ReLUNetwork([w1, *net.weights[1:]], [b1, *net.biases[1:]])


def _q(v):
    return [str(Fraction(x)) for x in v]


def test_a_visible_hyperplane_has_no_invisibility_certificate():
    net = rg.zoo.bent_2d()  # relu(relu(x) + relu(y) - 1): x = 0 is bent for y > 1
    cert = rg.build_certificate(rg.invisible_hyperplane(), net)
    cert["question"]["status"] = "invisible"
    cert["evidence"] = {"proof": pattern_cover(on_hyperplane(net, net.weights[0][0], net.biases[0][0]))}
    with pytest.raises(CheckFailure, match="bends"):
        CHECKERS["first_layer_visibility"](cert)


@settings(max_examples=25, deadline=None)
@given(networks(max_dim=2, max_width=3, max_depth=1), st.integers(0, 2), st.data())
def test_no_depth_two_certificate_for_a_one_hidden_layer_network(net, j, data):
    # soundness of the depth-2 rule: on any hyperplane of a one-hidden-layer network, f jumps
    # by the same amount at every point whose box fixes the pattern of the restriction, so two
    # such points never make a depth-2 certificate
    if net.input_dim < 2 or j >= net.n_hidden or not any(net.weights[0][j]):
        return
    w, c = net.weights[0][j], net.biases[0][j]
    k = next(i for i, v in enumerate(w) if v)
    restricted = on_hyperplane(net, w, c)
    points = []
    for _ in range(6):
        t = Fraction(data.draw(st.integers(-40, 40)), 8)
        x = [t, t]
        x[k] = -(c + sum(w[i] * x[i] for i in range(2) if i != k)) / w[k]
        box = pattern_box(restricted, [v for i, v in enumerate(x) if i != k])
        if box is not None:
            points.append({"x": _q(x), "box": [_q(b) for b in box]})
    if len(points) >= 2:
        cert = rg.build_certificate(rg.depth_at_least(1), rg.zoo.hat_1d())  # an envelope to fill in
        cert["network"], cert["network_sha256"] = net.to_dict(), network_sha256(net)
        cert["question"]["k"] = 2
        cert["evidence"] = {"hyperplane": {"w": [str(v) for v in w], "c": str(c)}, "points": points[:2]}
        with pytest.raises(CheckFailure, match="equal"):
            CHECKERS["depth_at_least"](cert)


@settings(max_examples=20, deadline=None)
@given(networks(max_dim=2, max_width=2, max_depth=2))
def test_functional_dimension_certificates_are_tight(net):
    # the checker's own rank over the pattern leaves equals functional_dimension's rank
    fd = rg.functional_dimension(net)
    deficit = fd.upper_bound - fd.rank
    if deficit < 1:
        assert not rg.fdim_deficit().check(net).holds
        return
    cert = rg.build_certificate(rg.fdim_deficit(deficit), net)
    CHECKERS["functional_dimension_at_most"](cert)
    cert["question"]["k"] = deficit + 1
    with pytest.raises(CheckFailure, match=f"at most {fd.rank}:"):
        CHECKERS["functional_dimension_at_most"](cert)


@settings(max_examples=20, deadline=None)
@given(networks(max_dim=2, max_width=2, max_depth=2))
def test_every_property_hit_of_a_random_network_verifies(net):
    for prop in (rg.depth_at_least(1), rg.depth_at_least(2), rg.invisible_hyperplane(), rg.fdim_deficit(),
                 rg.hidden_symmetry(), rg.full_fdim_not_identifiable(), rg.pieces_at_least(2)):
        v = prop.check(net)
        if v.holds:
            report = rg.verify_certificate(json.loads(json.dumps(rg.build_certificate(prop, net, v))))
            assert report.valid, (prop.name, report.first_failure)
