"""Local rules at ambiguous ridges (relu_geom.analyses.fibers.configurations)."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest

import relu_geom as rg
from relu_geom.analyses.fibers import configurations
from relu_geom.analyses.fibers.configurations import function_data
from relu_geom.testing import specimens


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


def _brute_force_signs(n, specs, cut, max_configurations, before):
    """Every sign vector tried one by one, the transmission and rank rules read off its
    evaluated patterns (the enumeration before the depth-first search)."""
    fs_spec, ds_spec, side_specs, own, layer_of, offs, ranks = specs
    L = len(offs) - 1

    def active(signs, ell):
        return sum(1 for k in range(offs[ell - 1], offs[ell]) if signs[k] > 0)

    out = []
    for combo in itertools.product((1, -1), repeat=n):
        vals = (1, *combo)

        def ev(sp, vals=vals):
            return [0 if i < 0 else p * vals[i] for i, p in sp]

        rule = None
        for k, sp in enumerate(fs_spec):
            signs, ell = ev(sp), layer_of[own[k]]
            if ell >= 2 and active(signs, ell - 1) == 0:
                rule = "a facet's neuron is fed only by inactive neurons"
                break
            if any(active(signs, later) == 0 for later in range(ell + 1, L + 1)):
                rule = "a bend is not transmitted: a later layer is inactive on the facet"
                break
        if rule is None:
            ds = [p * vals[i] for i, p in ds_spec]
            for region, sp, b, sign, k in side_specs:
                signs = ev(sp)
                signs[b] = sign * ds[k]
                if ranks[region] and min(active(signs, la) for la in range(1, L + 1)) < ranks[region]:
                    rule = "the rank of f's linear part exceeds the active neurons of a layer"
                    break
        if rule is not None:
            cut(rule)
            continue
        if before + len(out) >= max_configurations:
            raise rg.LimitExceededError(
                f"max_configurations={max_configurations} reached: {max_configurations} configurations after pruning and more remain"
            )
        out.append(combo)
    return out


def _enumeration(net, arch, max_configurations=20000):
    try:
        en = rg.fiber_configurations(net, arch, max_configurations=max_configurations)
    except rg.LimitExceededError as exc:
        return str(exc)
    return en.to_dict(), [c.to_dict() for c in en.configurations]


CASES = (
    [([2, 2, 2, 1], s, a) for s in range(8) for a in ((2, 2, 2, 1), (2, 3, 2, 1))]
    + [([2, 3, 2, 1], s, (2, 3, 2, 1)) for s in (0, 1, 3)]
    + [([2, 2, 2, 2, 1], s, (2, 2, 2, 2, 1)) for s in (0, 1, 6)]
    + [(None, None, (2, 2, 1, 1))]  # bent_2d: ambiguous ridges, every resolution enumerated
)


@pytest.mark.parametrize(("arch", "seed", "target"), CASES)
def test_depth_first_sign_search_matches_trying_every_sign_vector(monkeypatch, arch, seed, target):
    net = rg.zoo.bent_2d() if arch is None else rg.ReLUNetwork.random(arch, seed=seed)
    fast = _enumeration(net, target)
    small = _enumeration(net, target, max_configurations=3)
    monkeypatch.setattr(configurations, "_sign_checks", lambda *specs: specs)
    monkeypatch.setattr(configurations, "_surviving_signs", _brute_force_signs)
    assert _enumeration(net, target) == fast
    # the bound and the count reached are named alike
    assert _enumeration(net, target, max_configurations=3) == small


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


def test_the_bound_admits_exactly_max_configurations():
    # 101 configurations survive for ReLUNetwork.random([2, 2, 2, 2, 1], seed=1) (counted by
    # trying every sign vector, test above); the bound keeps 101 and refuses 100
    net = rg.ReLUNetwork.random([2, 2, 2, 2, 1], seed=1)
    assert len(rg.fiber_configurations(net, (2, 2, 2, 2, 1), max_configurations=101).configurations) == 101
    with pytest.raises(rg.LimitExceededError, match=r"max_configurations=100 reached: 100 configurations"):
        rg.fiber_configurations(net, (2, 2, 2, 2, 1), max_configurations=100)


# relu(relu(x) - 1) + relu(relu(y) - relu(x) + 1/2): W2[0][1] = 0, so the line x = 1 of the first
# second-layer neuron does not bend where it crosses y = 0; near (1, 0) the second one is
# inactive (-1 + 1/2 < 0), so y = 0 bends f only for x < 1/2 and the breakpoint facet on x = 1
# below (1, 1/2) is crossed by the first-layer neuron of y = 0 inside it
ZERO_WEIGHT = rg.ReLUNetwork(
    [[[1, 0], [0, 1]], [[1, 0], [-1, 1]], [[1, 1]]], [[0, 0], [-1, Fraction(1, 2)], [0]]
)


def test_a_facet_crossed_by_a_first_layer_hyperplane_is_cut_into_pieces():
    net = ZERO_WEIGHT
    bc = rg.breakpoint_complex(net)
    (crossed,) = [
        k
        for k, f in enumerate(bc.facets)
        if f.hyperplane == (1, 0, 1) and f.polyhedron.contains((1, 0)) and not f.polyhedron.contains((1, 1))
    ]
    data = function_data(net)
    pieces = [f for f in data.facets if f.group == crossed]
    assert len(pieces) == 2 and {_sign(f.point[1]) for f in pieces} == {1, -1}
    # on each piece one pattern: the first-layer neuron of y = 0 switches between them only
    patterns = [net.sign_vector(f.point) for f in pieces]
    assert [i for i in range(4) if patterns[0][i] != patterns[1][i]] == [1]
    assert all(p[2] == 0 for p in patterns)
    # each piece inherits the facet's hyperplane, weight, regions and candidate
    assert len({(f.normal, f.beta, f.c_hat, f.plus, f.minus, f.candidate) for f in pieces}) == 1
    # the ridges keep the piece on their side: (1, 1/2) ends the upper piece
    (top,) = [ks for x, ks in data.ridges if x == (1, Fraction(1, 2))]
    assert [k for k in top if data.facets[k].group == crossed] == [
        k for k, f in enumerate(data.facets) if f.group == crossed and f.point[1] > 0
    ]


def test_the_network_with_a_crossed_facet_is_in_the_scope(monkeypatch):
    net = ZERO_WEIGHT
    # its own parameters give a configuration of the cut facets (each piece one pattern) ...
    fib = rg.deep_fiber(net)
    assert fib.status == "complete" and [p.kind for p in fib.pieces if p.kind != "empty"] == ["orbit"]
    (orbit,) = [p for p in fib.pieces if p.kind == "orbit"]
    point = orbit.variety.point_of(orbit.samples[0])
    assert point is not None and orbit.variety.satisfies(point)
    assert rg.same_up_to_symmetry(net, orbit.samples[0]) is not None
    # ... and of no configuration of the whole facets: one pattern on the crossed facet
    # contradicts the ridges at its two ends
    monkeypatch.setattr(configurations, "_cut_facets", lambda data, polys: data)
    v = rg.is_identifiable(net)
    assert v.verdict == "undecided" and "outside the scope" in v.reason


def _sign(v):
    return (v > 0) - (v < 0)


def test_region_points_lie_in_their_regions():
    # relu(x) + relu(y): four linear regions, the quadrants, with maps 0, x, y, x + y
    data = function_data(specimens.relu_sum_2d())
    assert len(data.region_points) == len(data.regions) == 4
    for (A, c), x in zip(data.regions, data.region_points):
        assert all(v != 0 for v in x)  # interior: off both axes
        assert [list(r) for r in A] == [[int(x[0] > 0), int(x[1] > 0)]] and list(c) == [0]
