"""Visibility of first-layer hyperplanes and the Theorem-2 certificate (paper 001)."""

from __future__ import annotations

import pytest

import relu_geom as rg
from relu_geom.testing import specimens


def test_shallow_visibility():
    vis = rg.first_layer_visibility(rg.zoo.duplicate_neurons())
    assert [v.status for v in vis] == ["visible", "visible", "visible"]
    cancel = rg.ReLUNetwork([[[1, 0], [-1, 0], [0, 1]], [[1, -1, 1]]], [[0, 0, 0], [0]])  # x + relu(y)
    vis = rg.first_layer_visibility(cancel)
    assert [v.status for v in vis] == ["invisible", "invisible", "visible"]
    assert rg.first_layer_visibility(rg.zoo.dead_neuron())[0].status == "degenerate"


def test_partial_visibility_and_certificate():
    net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[1, 1]], [[1]]], [[0, 0], [-1], [0]])  # relu(relu(x)+relu(y)-1)
    for v in rg.first_layer_visibility(net):
        assert v.status == "partial" and v.is_partial
        x, j = v.certificate
        assert x[v.neuron] == 0
        assert net.preactivations(x)[1][j] > 0
        for p in v.visible_points:
            assert p[v.neuron] == 0 and p[1 - v.neuron] > 1


def test_hidden_hyperplane_has_no_certificate():
    # the second layer only sees relu(x) with a negative bias and neuron y negatively: H_x is hidden
    net = specimens.hidden_line_2d()
    vis = rg.first_layer_visibility(net)
    assert vis[0].status == "invisible" and vis[0].certificate is None


@pytest.mark.parametrize("seed", range(4))
def test_generic_two_layer_visible_iff_certificate(seed):
    net = rg.ReLUNetwork.random_normal([2, 4, 3, 1], seed=seed)
    cx = rg.compile_network(net)
    for v in rg.first_layer_visibility(net, complex=cx):
        assert v.is_visible == (v.certificate is not None)


def test_over_a_box_and_errors():
    net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[1, 1]]], [[-5, 0], [0]])
    vis = rg.first_layer_visibility(net, domain=(-1, 1))
    assert [v.status for v in vis] == ["outside", "visible"]
    with pytest.raises(rg.InvalidInputError, match="complex"):
        rg.first_layer_visibility(net, complex=rg.compile_network(rg.zoo.central_lines()))


def test_cli_visibility(capsys):
    import json

    from relu_geom.cli import main

    assert main(["visibility", "zoo:bent_2d", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [n["status"] for n in data["neurons"]] == ["partial", "partial"]
    assert main(["visibility", "zoo:abs_1d", "--box", "-1", "1"]) == 0
    assert "neuron 0: visible" in capsys.readouterr().out
