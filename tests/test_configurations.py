"""Local rules at ambiguous ridges (relu_geom.analyses.fibers.configurations)."""

from __future__ import annotations

import pytest

import relu_geom as rg
from relu_geom.analyses.fibers.configurations import function_data


def test_symmetric_stars_keep_every_resolution():
    # relu(relu(x) + relu(y) - 1) is convex: every weight is positive, and at (1, 0) and (0, 1)
    # each of the three rays' lines separates the other two (all angles below 180 degrees)
    data = function_data(rg.zoo.bent_2d())
    assert [len(alts) for _r, alts in data.options] == [3, 3]
    assert data.impossible == "" and data.first_layer == ()
    en = rg.fiber_configurations(rg.zoo.bent_2d(), (2, 2, 1, 1))
    assert en.status == "complete" and en.configurations
    # of the 3 x 3 resolutions only the network's own grouping leaves configurations: the two
    # rays of relu(x) + relu(y) - 1 = 0 form the second-layer neuron, the axes two first-layer ones
    (grouping,) = {tuple(f.candidate for f in c.data.facets) for c in en.configurations}
    own = rg.breakpoint_complex(rg.zoo.bent_2d())
    second = [k for k, f in enumerate(own.facets) if rg.zoo.bent_2d().sign_vector(f.interior_point)[2] == 0]
    assert len(second) == 3 and len({grouping[k] for k in second}) == 1
    assert len(set(grouping)) == 3


def test_three_lines_through_a_point_are_first_layer_neurons():
    data = function_data(rg.zoo.central_lines(3))
    assert data.options == () and data.first_layer == (0, 1, 2) and all(data.flat)
    # with one hidden layer too small for three lines: the hyperplane count decides
    assert rg.fiber_configurations(data, (2, 2, 1)).configurations == ()


def test_star_with_an_ending_facet_and_lines_has_no_realization():
    # four lines of the demo network meet at the origin and two facets end there: at least
    # three neurons vanish there, so all would be first-layer neurons, whose facets never end
    data = function_data(rg.zoo.demo())
    assert "no realization in which at most two neurons vanish" in data.impossible
    en = rg.fiber_configurations(data, (2, 4, 3, 1))
    assert en.status == "complete" and en.configurations == () and en.reason == data.impossible


def test_enumerated_resolutions_are_certified():
    # 2 relu(y) + relu(x - 1 - 2 relu(y)), x passed as relu(x) - relu(-x): at (1, 0) the rays
    # (-1, 0), (0, -1), (2, 1) are a symmetric star with positive weights, so all three resolutions
    # are enumerated; the cancelling pair makes the network not identifiable, with a certificate
    net = rg.ReLUNetwork(
        [[[0, 1], [1, 0], [-1, 0]], [[2, 0, 0], [-2, 1, -1]], [[1, 1]]], [[0, 0, 0], [0, -1], [0]]
    )
    data = function_data(net)
    assert [len(alts) for _r, alts in data.options] == [3]
    v = rg.is_identifiable(net)
    assert v.verdict == "not identifiable"
    assert rg.functionally_equivalent(net, v.certificate).equivalent
    assert rg.same_up_to_symmetry(net, v.certificate) is None


@pytest.mark.parametrize("target", [(2, 2, 2, 1), (2, 3, 2, 1)])
def test_the_networks_own_layers_are_among_the_configurations_after_a_resolution(target):
    # an ambiguous ridge is resolved by regrouping candidates, which renumbers them; the
    # network's own parameters (one vanishing neuron at each facet point: in the scope) give a
    # configuration, so some enumerated one puts every facet in the layer of that neuron
    net = rg.ReLUNetwork.random([2, 2, 2, 1], seed=6)
    data = function_data(net)
    assert data.options
    layers = []
    for f in data.facets:
        zeros = [k for k, v in enumerate(net.sign_vector(f.point)) if v == 0]
        assert len(zeros) == 1
        layers.append(1 if zeros[0] < 2 else 2)
    en = rg.fiber_configurations(data, target)
    assert any(
        [cfg.neuron_of_facet(k)[0] for k in range(len(data.facets))] == layers for cfg in en.configurations
    )
