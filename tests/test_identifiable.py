"""Identifiability verdicts on networks whose candidate graph had ambiguous ridges (relu_geom.analyses.fibers.identifiable)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

import relu_geom as rg
from relu_geom.analyses.fibers.configurations import function_data
from relu_geom.testing import permuted_rescaled_copy


@pytest.mark.parametrize("seed", [17, 21, 41])
def test_symmetric_star_networks_are_identifiable(seed):
    net = rg.ReLUNetwork.random([2, 2, 2, 1], seed=seed)
    data = function_data(net)
    # a symmetric three-facet star: every resolution enumerated
    assert [len(alts) for _r, alts in data.options] == [3]
    v = rg.is_identifiable(net)
    assert v.verdict == "identifiable" and v.certificate is None
    # independent checks: every explicit hidden symmetry is a permutation and rescaling, the
    # network's own facets each lie in exactly one neuron's zero set (it is in the scope)
    assert all(rg.same_up_to_symmetry(net, h.network) is not None for h in rg.hidden_symmetries(net))
    for f in rg.breakpoint_complex(net).facets:
        assert net.sign_vector(f.interior_point).count(0) == 1
    (orbit,) = [p for p in v.fiber.pieces if p.kind == "orbit"]
    assert orbit.decision == "nonempty" and orbit.dimension == net.n_hidden
    copy = permuted_rescaled_copy(net, seed)
    assert rg.is_identifiable(copy).verdict == "identifiable"


def test_impossible_star_is_undecided_not_identifiable():
    # the network itself is outside the scope, so an empty scoped fiber proves nothing about it
    v = rg.is_identifiable(rg.zoo.demo())
    assert v.verdict == "undecided" and v.fiber is not None and v.fiber.is_empty


def test_is_identifiable_max_seconds_reached_is_undecided():
    # seed 1 is identifiable (module doctest) with 3 configurations; no time for any of them
    v = rg.is_identifiable(rg.ReLUNetwork.random([2, 2, 2, 1], seed=1), max_seconds=1e-6)
    assert v.verdict == "undecided" and "limit max_seconds=1e-06 exceeded" in v.reason
    assert rg.is_identifiable(rg.ReLUNetwork.random([2, 2, 2, 1], seed=1), max_seconds=60).verdict == "identifiable"


def test_identifiable_example_max_seconds_and_max_tries_are_checked():
    with pytest.raises(rg.LimitExceededError, match=r"identifiable_example: limit max_seconds=1e-06 exceeded"):
        rg.identifiable_example([2, 2, 1], max_seconds=1e-6)
    for kwargs in ({"max_seconds": 0}, {"max_seconds": "1"}, {"max_tries": 0}, {"max_tries": 10**40}):
        with pytest.raises(rg.InvalidInputError):
            rg.identifiable_example([2, 2, 1], **kwargs)
    with pytest.raises(rg.InvalidInputError, match="max_seconds"):
        rg.is_identifiable(rg.zoo.dead_neuron(), max_seconds=-1)
    assert rg.is_identifiable(rg.identifiable_example([2, 2, 1], max_seconds=60)).verdict == "identifiable"


def test_a_star_of_81_resolutions_is_decided_within_the_choice_bound():
    net = rg.ReLUNetwork.random([2, 3, 2, 1], seed=2)
    data = function_data(net)
    # four ambiguous ridges with three groupings each: 3^4 combinations, each enumerated
    assert [len(alts) for _r, alts in data.options] == [3, 3, 3, 3]
    low = rg.is_identifiable(net, max_choices=64)
    assert low.verdict == "undecided" and "81 resolutions exceed max_choices=64" in low.reason
    v = rg.is_identifiable(net)
    assert v.verdict == "identifiable"
    # independent checks: the network is in the scope (one neuron vanishes on each facet),
    # its own piece is the orbit, and every emptiness certificate re-checks
    for f in rg.breakpoint_complex(net).facets:
        assert net.sign_vector(f.interior_point).count(0) == 1
    (orbit,) = [p for p in v.fiber.pieces if p.kind == "orbit"]
    assert orbit.decision == "nonempty" and orbit.dimension == net.n_hidden
    assert v.fiber.cores and all(rg.check_emptiness_certificate(cfg, cert) for cfg, cert in v.fiber.cores)
    assert rg.is_identifiable(permuted_rescaled_copy(net, 2)).verdict == "identifiable"
    with pytest.raises(rg.InvalidInputError, match="max_choices"):
        rg.is_identifiable(net, max_choices=0)


@pytest.mark.parametrize(("seed", "zero"), [(0, (0, 1)), (3, (1, 0)), (7, (1, 2))])
def test_a_zero_second_layer_weight_is_in_the_scope(seed, zero):
    # W2[i][j] = 0: the first-layer hyperplane of neuron j crosses a facet of neuron (2, i)
    # without bending it where no other neuron shows it; the facet is cut along it
    net = rg.ReLUNetwork.random([3, 3, 3, 1], seed=seed)
    i, j = zero
    assert net.weights[1][i][j] == 0
    v = rg.is_identifiable(net)
    assert v.verdict == "identifiable" and "0 by the solver alone" in v.reason
    # independently, no other network near it computes f: the Jacobian of the function has
    # the largest rank an architecture allows (parameters minus one rescaling per neuron)
    assert rg.functional_dimension(net).rank == 28 - 6
    data = function_data(net)
    assert len(data.facets) > len({f.group for f in data.facets})  # some facet was cut


def test_a_neuron_vanishing_on_an_open_set_is_named_outside_the_scope():
    # b2[0] = 0 and every first-layer neuron is inactive near the origin, so neuron (2, 0)
    # vanishes on an open set and shares the facets of its boundary with first-layer neurons
    net = rg.ReLUNetwork.random([2, 3, 2, 1], seed=5)
    assert net.biases[1][0] == 0
    for x in [(0, 0), (F(1, 10), 0), (0, F(1, 10))]:
        z1 = [sum(w * xi for w, xi in zip(row, x)) + b for row, b in zip(net.weights[0], net.biases[0])]
        assert all(v < 0 for v in z1)  # so y = 0 and (2, 0)'s pre-activation is b2[0] = 0
    v = rg.is_identifiable(net)
    assert v.verdict == "undecided"
    assert v.reason.endswith(
        "breakpoint facet 0 lies in the zero sets of neurons (1, 0) and (2, 0) "
        "(neuron (2, 0) vanishes on the open region around (257/101, 126/101))"
    )
    # the point named is in the region where every first-layer neuron is inactive
    x = (F(257, 101), F(126, 101))
    z1 = [sum(w * xi for w, xi in zip(row, x)) + b for row, b in zip(net.weights[0], net.biases[0])]
    assert all(v < 0 for v in z1)
    facet = rg.breakpoint_complex(net).facets[0]
    assert [i for i, s in enumerate(net.sign_vector(facet.interior_point)) if s == 0] == [0, 3]


def test_a_neuron_active_everywhere_is_not_identifiable():
    # random([2, 2, 2, 1], seed=10): neuron (2, 1) = relu(7/4 y0 + y1 + 5/2) reads relu outputs
    # y >= 0 with weights >= 0 and bias > 0, so it is never inactive and relu is the identity
    # on it: bias 5/2 + 1 with the output bias raised by 2 (its output weight is -2) gives
    # the same function; a rescaling would multiply (7/4, 1, 5/2) as a whole
    net = rg.ReLUNetwork.random([2, 2, 2, 1], seed=10)
    assert list(net.weights[1][1]) == [F(7, 4), 1] and net.biases[1][1] == F(5, 2)
    assert list(net.weights[2][0]) == [F(-2, 3), -2] and net.biases[2][0] == 0
    v = rg.is_identifiable(net)
    assert v.verdict == "not identifiable" and v.method == "hidden-symmetry:linear-shift"
    eta = v.certificate
    assert eta.weights == net.weights
    assert eta.biases == (net.biases[0], (0, F(7, 2)), (2,))
    assert rg.functionally_equivalent(net, eta).equivalent
    assert rg.same_up_to_symmetry(net, eta) is None
    # independently: the two networks agree on a grid, since 7/4 y0 + y1 + 5/2 > 0 for y >= 0
    for x in [(F(a, 3), F(b, 2)) for a in range(-6, 7, 3) for b in range(-4, 5, 2)]:
        assert net(x) == eta(x)


def test_an_orbit_piece_without_witness_is_not_a_proof():
    # random([2, 3, 2, 1], seed=19): b2[1] = 0 and W2[1][0] = 0, so neuron (2, 1) reads
    # 9/2 y1 - 7/2 y2 and vanishes where (1, 1) and (1, 2) are inactive (an open region);
    # breakpoint facet 0 lies on H_1 there, in the zero sets of (1, 1) and (2, 1). A
    # configuration reading facet 0 as a second-layer facet has the network's orbit as its only
    # point, but only in the closure: the network's (1, 1) is 0 on facet 0, where the
    # configuration asks a nonzero sign. So the network is outside the scope: undecided.
    net = rg.ReLUNetwork.random([2, 3, 2, 1], seed=19)
    assert net.biases[1][1] == 0 and net.weights[1][1] == (0, F(9, 2), F(-7, 2))
    facet = rg.breakpoint_complex(net).facets[0]
    assert [i for i, s in enumerate(net.sign_vector(facet.interior_point)) if s == 0] == [1, 4]
    v = rg.is_identifiable(net)
    assert v.verdict == "undecided"
    assert "breakpoint facet 0 lies in the zero sets of neurons (1, 1) and (2, 1)" in v.reason
    (orbit,) = [p for p in v.fiber.pieces if p.kind == "orbit"]
    assert orbit.decision == "undecided"
    var = orbit.variety
    point = var.point_of(orbit.samples[0])
    assert point is not None and not var.satisfies(point)  # on the variety, an inequality fails
