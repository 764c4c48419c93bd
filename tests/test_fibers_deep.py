"""Deep fibers: configurations, configuration varieties, configuration sets, identifiability."""

from __future__ import annotations

import json
from fractions import Fraction as F

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.cli import main
from relu_geom.testing import permuted_rescaled_copy, specimens

SUM = specimens.relu_sum_2d()  # relu(x) + relu(y)
# T_0 of the bottleneck section: row 0 is live for neuron 0, row 1 never sees it
BIAS_SHIFT = rg.ReLUNetwork([[[1, 0], [0, 1]], [[1, -1], [0, 1]], [[1, 1]]], [[0, 0], [0, 0], [0]])
# relu(x) + relu(y) + (x + y), the affine part written as a cancelling pair
CANCELLING = rg.ReLUNetwork([[[1, 0], [0, 1], [1, 1], [-1, -1]], [[1, 1, 1, -1]]], [[0, 0, 0, 0], [0]])
IDENTIFIABLE_3 = [rg.ReLUNetwork.random([2, 2, 2, 1], seed=s) for s in (1, 29)]


def _certified_outside(net, eta):
    assert eta.architecture == net.architecture
    assert rg.functionally_equivalent(net, eta).equivalent
    assert rg.same_up_to_symmetry(net, eta) is None


# ----------------------------------------------------------------- configurations
def test_configurations_of_two_lines():
    en = rg.fiber_configurations(SUM, (2, 2, 1))
    assert en.status == "complete" and len(en.configurations) == 1
    (cfg,) = en.configurations
    # the lines y = 0 and x = 0 go to two different first-layer neurons
    assert sorted(cfg.neuron_of_candidate) == [(1, 0), (1, 1)]
    # a flipped neuron is pruned: on x > 0 > y no neuron would be active, yet f = x there
    assert en.pruned["the rank of f's linear part exceeds the active neurons of a layer"] == 3
    assert en.pruned["two hyperplanes on one first-layer neuron"] == 1
    # both neurons in one layer: a facet's own pattern reads no sign, the patterns beside it do
    assert all(s == (0, 0) for s in cfg.facet_signs) and cfg.facet_deltas == (1, 1, 1, 1)
    # beside the facets near the origin: the four quadrants, neuron of y = 0 first
    regions = cfg.data.regions
    quadrant = {(r, p) for r, p in cfg.side_patterns}
    assert len(quadrant) == 4
    for r, p in quadrant:
        A, _c = regions[r]
        assert (A[0][1], A[0][0]) == tuple(F(int(v > 0)) for v in p)  # active neuron <=> slope 1


def test_architectures_that_cannot_realize_f_give_reasons():
    en = rg.fiber_configurations(rg.zoo.bent_2d(), (2, 5, 1))
    assert en.configurations == () and "depth bound 2 exceeds the 1 hidden layers" in en.reason
    en = rg.fiber_configurations(rg.zoo.central_lines(3), (2, 2, 1))
    assert en.configurations == () and "3 hyperplanes, more than the 2 neurons" in en.reason
    fib = rg.deep_fiber(rg.zoo.central_lines(3), (2, 2, 1))
    assert fib.is_empty and "more than the 2 neurons" in fib.reason
    with pytest.raises(rg.DimensionMismatchError, match="architecture"):
        rg.fiber_configurations(SUM, (3, 2, 1))
    with pytest.raises(rg.InvalidInputError, match="architecture"):
        rg.fiber_configurations(SUM, (2, 0, 1))


def test_limit_names_the_bound():
    with pytest.raises(rg.LimitExceededError, match=r"max_configurations=0 reached: 0 configurations"):
        rg.fiber_configurations(SUM, (2, 2, 1), max_configurations=0)


def test_star_without_realization_in_the_scope():
    # four lines through the origin, two of them ending there: more than two neurons vanish
    # there and not all are first-layer neurons, so no parameter of the scope realizes f
    en = rg.fiber_configurations(rg.zoo.demo(), (2, 4, 3, 1))
    assert en.status == "complete" and en.configurations == ()
    assert "no realization in which at most two neurons vanish" in en.reason
    assert rg.deep_fiber(rg.zoo.demo()).is_empty
    v = rg.is_identifiable(rg.zoo.demo())
    assert v.verdict == "undecided" and "outside the scope" in v.reason


def test_own_configuration_is_enumerated():
    # phi and s read off the network itself by exact evaluation
    for net in IDENTIFIABLE_3:
        en = rg.fiber_configurations(net, net.architecture)
        bc = rg.breakpoint_complex(net)
        own = []
        for f in bc.facets:
            sv = net.sign_vector(f.interior_point)
            assert sv.count(0) == 1
            own.append(sv)
        # some configuration has the network's own patterns (where defined), up to permutations inside layers
        found = False
        for cfg in en.configurations:
            for p1 in ([0, 1], [1, 0]):
                for p2 in ([0, 1], [1, 0]):
                    perm = p1 + [2 + i for i in p2]
                    if all(
                        all(v in (0, o[perm[i]]) for i, v in enumerate(s))
                        for s, o in zip(cfg.facet_signs, own)
                    ):
                        found = True
        assert found


# ----------------------------------------------------------------- varieties
def test_variety_of_two_lines():
    cfg = rg.fiber_configurations(SUM, (2, 2, 1)).configurations[0]
    var = rg.configuration_variety(cfg)
    assert len(var.alignment) == 4 * 3 and len(var.weight_matching) == 4 and len(var.sign_equations) == 4
    assert var.point_of(SUM) is None  # phi sends y = 0 to neuron 0
    swapped = SUM.permute_layer(1, [1, 0])
    point = var.point_of(swapped)
    assert all(e.subs(point) == 0 for e in var.equations)
    assert var.dimension_at(point) == 2  # exactly the two positive rescalings
    assert all(bool(i.subs(point)) for i in var.inequalities)
    scaled = swapped.rescale_neuron(1, 0, 3).rescale_neuron(1, 1, F(1, 2))
    assert var.point_of(scaled) is not None
    flipped = rg.ReLUNetwork([[[0, -1], [-1, 0]], [[1, 1]]], [[0, 0], [0]])
    assert var.point_of(flipped) is None
    assert var.is_empty() is None


def test_emptiness_proofs_agree_with_groebner():
    net = IDENTIFIABLE_3[0]
    for cfg in rg.fiber_configurations(net, net.architecture).configurations:
        sol = rg.solve_configuration(cfg)
        if sol.status == "empty":
            assert rg.configuration_variety(cfg).is_empty() is not None


# ----------------------------------------------------------------- deep fibers
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_one_hidden_layer_agrees_with_shallow_fiber(seed):
    net = rg.ReLUNetwork.random([2, 3, 1], seed=seed)
    sf = rg.shallow_fiber(net)
    fib = rg.deep_fiber(net)
    assert fib.status == "complete"
    assert len(fib.pieces) == len(sf.pieces)  # each flip set of the shallow fiber is one configuration
    for s in fib.samples:
        assert sf.contains(s) and rg.functionally_equivalent(net, s).equivalent


def test_minimal_redundant_specimen():
    net = rg.zoo.minimal_redundant()
    assert rg.minimal_width(net) == 3  # minimal: three hinges
    assert len(rg.shallow_fiber(net).pieces) == 2  # the orbit and the flipped orbit
    # three lines through one point: all three are first-layer neurons; the deep fiber has the
    # orbit and the flipped orbit (docs/fibers.md 6.5), of the same dimension 3
    fib = rg.deep_fiber(net)
    assert fib.status == "complete" and sorted(p.kind for p in fib.pieces) == ["hidden", "orbit"]
    assert [p.dimension for p in fib.pieces] == [3, 3]
    assert rg.analyses.fibers.configurations.function_data(net).first_layer == (0, 1, 2)
    v = rg.is_identifiable(net)
    assert v.verdict == "not identifiable"
    _certified_outside(net, v.certificate)


@pytest.mark.parametrize("net", IDENTIFIABLE_3)
def test_two_hidden_layers_agree_with_bottleneck_fiber(net):
    tf = rg.three_layer_fiber(net)
    fib = rg.deep_fiber(net)
    assert fib.status == "complete"
    assert [p.kind for p in fib.pieces] == ["orbit"]
    for s in fib.samples:
        assert tf.contains(s)
    assert rg.hidden_symmetries(net) == ()


def test_hidden_piece_lies_in_bottleneck_fiber():
    net = rg.ReLUNetwork.random([2, 2, 2, 1], seed=0)  # both second-layer neurons without zero set
    # (is_identifiable finds a linear-shift first: the second-layer rows and biases are >= 0)
    fib = rg.deep_fiber(net, stop_outside=True)
    eta = next(p for p in fib.pieces if p.kind == "hidden").samples[0]
    _certified_outside(net, eta)
    assert rg.three_layer_fiber(net).contains(eta)
    v = rg.is_identifiable(net)
    assert v.verdict == "not identifiable"
    _certified_outside(net, v.certificate)


@pytest.mark.parametrize("seed", [3, 11, 12])
@pytest.mark.parametrize("net", IDENTIFIABLE_3)
def test_permuted_rescaled_copies_land_in_the_orbit(net, seed):
    copy = permuted_rescaled_copy(net, seed)
    fib = rg.deep_fiber(copy)
    (orbit,) = [p for p in fib.pieces if p.kind == "orbit"]
    for s in orbit.samples:
        assert rg.same_up_to_symmetry(copy, s) is not None
        assert rg.same_up_to_symmetry(net, s) is not None
    assert rg.is_identifiable(copy).verdict == "identifiable"


def test_other_architecture_samples_compute_f():
    fib = rg.deep_fiber(SUM, (2, 3, 1))
    kinds = {p.kind for p in fib.pieces}
    assert "realization" in kinds
    for s in fib.samples:
        assert s.architecture == (2, 3, 1) and rg.functionally_equivalent(SUM, s).equivalent


# ----------------------------------------------------------------- identifiability
@pytest.mark.parametrize(
    "net, kind",
    [
        (rg.zoo.dead_neuron(), "hidden-symmetry:"),
        (rg.zoo.minimal_redundant(), "hidden-symmetry:flip"),
        (rg.zoo.duplicate_neurons(), "hidden-symmetry:"),
        (CANCELLING, "hidden-symmetry:"),
        (BIAS_SHIFT, "hidden-symmetry:bias-shift"),
        (rg.zoo.hat_1d(), "hidden-symmetry:flip"),
    ],
)
def test_planted_hidden_symmetries_are_certified(net, kind):
    v = rg.is_identifiable(net)
    assert v.verdict == "not identifiable" and v.method.startswith(kind)
    _certified_outside(net, v.certificate)
    assert not v  # bool is the identifiable verdict


def test_identifiable_networks():
    for net in IDENTIFIABLE_3:
        v = rg.is_identifiable(net)
        assert v.verdict == "identifiable" and v.certificate is None and v
        assert "breakpoint facet" in v.scope
    # concurrent lines (all first-layer neurons) and the symmetric star of bent_2d (each
    # resolution enumerated): identifiable, as the one- and two-layer descriptions say
    assert len(rg.shallow_fiber(rg.zoo.central_lines(3)).pieces) == 1
    assert rg.three_layer_fiber(rg.zoo.bent_2d()).families == ()
    for net in (rg.zoo.bent_2d(), rg.zoo.central_lines(3)):
        assert rg.hidden_symmetries(net) == ()
        assert rg.is_identifiable(net).verdict == "identifiable"


def test_identifiable_shallow_matches_the_shallow_fiber():
    for seed in range(1, 6):
        net = rg.ReLUNetwork.random([2, 3, 1], seed=seed)
        v = rg.is_identifiable(net)
        assert (v.verdict == "identifiable") == (len(rg.shallow_fiber(net).pieces) == 1)


@pytest.mark.parametrize("arch", [[2, 2, 1], [2, 2, 2, 1]])
def test_identifiable_example(arch):
    net = rg.identifiable_example(arch)
    assert list(net.architecture) == arch
    assert rg.is_identifiable(net).verdict == "identifiable"


small = st.integers(-1, 1)


@st.composite
def degenerate_nets(draw):
    arch = draw(st.sampled_from([[1, 2, 1], [2, 2, 1], [2, 2, 2, 1]]))
    ws = [[[draw(small) for _ in range(arch[i])] for _ in range(arch[i + 1])] for i in range(len(arch) - 1)]
    bs = [[draw(small) for _ in range(arch[i + 1])] for i in range(len(arch) - 1)]
    return rg.ReLUNetwork(ws, bs)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(degenerate_nets())
def test_degenerate_networks_verdicts_are_certified(net):
    v = rg.is_identifiable(net)
    assert v.verdict in ("identifiable", "not identifiable", "undecided")
    if v.verdict == "not identifiable":
        _certified_outside(net, v.certificate)
    if v.verdict == "identifiable":
        assert all(rg.same_up_to_symmetry(net, h.network) is not None for h in rg.hidden_symmetries(net))
    if v.fiber is not None:
        for s in v.fiber.samples:
            assert rg.functionally_equivalent(net, s).equivalent


# ----------------------------------------------------------------- CLI
def test_cli_identifiable(capsys, tmp_path):
    path = tmp_path / "net.json"
    IDENTIFIABLE_3[0].to_json(path)
    assert main(["identifiable", str(path)]) == 0
    assert "identifiable" in capsys.readouterr().out
    assert main(["identifiable", "zoo:minimal_redundant", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "not identifiable"
    eta = rg.ReLUNetwork.from_dict(out["certificate"])
    _certified_outside(rg.zoo.minimal_redundant(), eta)
    assert main(["identifiable", "zoo:demo"]) == 3
    assert "undecided" in capsys.readouterr().out


def test_cli_fiber_deep(capsys, tmp_path):
    path = tmp_path / "net.json"
    IDENTIFIABLE_3[0].to_json(path)
    assert main(["fiber", str(path), "--deep"]) == 0
    assert "piece orbit" in capsys.readouterr().out
    assert main(["fiber", "zoo:bent_2d", "--deep", "--arch", "2,3,1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["pieces"] == [] and "depth bound" in out["reason"]
    assert main(["fiber", "zoo:bent_2d", "--deep", "--arch", "2,x"]) == 2
    assert main(["fiber", "zoo:abs_1d"]) == 0  # the shallow path is unchanged


@pytest.mark.timeout(20)
def test_deep_fiber_of_the_fuzz_network_is_fast():
    fib = rg.deep_fiber(rg.ReLUNetwork.random([2, 2, 2, 1], seed=3))
    assert fib.status == "complete" and len(fib.pieces) == 5 and fib.n_empty == 14
    for piece in fib.pieces:  # every sample computes the network's function
        for eta in piece.samples:
            assert rg.functionally_equivalent(fib.network, eta).equivalent


@pytest.mark.timeout(60)
def test_deep_fiber_max_seconds_ends_with_a_limit_error():
    # [2, 3, 2, 1] for this network has 119 configurations, about 60 s of exact elimination
    net = rg.ReLUNetwork.random([2, 2, 2, 1], seed=3)
    with pytest.raises(rg.LimitExceededError, match=r"deep_fiber: limit max_seconds=2 exceeded: .* of 119 configurations"):
        rg.deep_fiber(net, [2, 3, 2, 1], max_seconds=2, cores=False)
    with pytest.raises(rg.LimitExceededError, match=r"deep_fiber: limit max_seconds=0.01 exceeded: .* configurations solved"):
        rg.deep_fiber(net, [2, 3, 2, 1], max_seconds=0.01)
    for bad in (0, -1, True, "1"):
        with pytest.raises(rg.InvalidInputError, match="max_seconds"):
            rg.deep_fiber(net, max_seconds=bad)


# ----------------------------------------------------------------- emptiness certificates
def test_flipped_orientation_is_certified_empty():
    # relu(x) + relu(y): the line y = 0 is one first-layer neuron, whose row is delta lambda (0, 1)
    # on both of its facets; flipping delta on one facet asks for lambda > 0 on both with
    # lambda_a (0, 1) = -lambda_b (0, 1): no point (hand reasoning), and the certificate says so
    import dataclasses

    cfg = rg.fiber_configurations(SUM, (2, 2, 1)).configurations[0]
    assert rg.emptiness_certificate(cfg) is None  # it holds the swapped network
    k = 0
    same_line = [
        j
        for j, f in enumerate(cfg.data.facets)
        if j != k and (f.normal, f.beta) == (cfg.data.facets[k].normal, cfg.data.facets[k].beta)
    ]
    assert len(same_line) == 1
    bad = dataclasses.replace(
        cfg, facet_deltas=tuple(-d if j == k else d for j, d in enumerate(cfg.facet_deltas))
    )
    cert = rg.emptiness_certificate(bad)
    assert cert is not None and cert.kind == "farkas"
    assert rg.check_emptiness_certificate(bad, cert)
    assert json.loads(json.dumps(cert.to_dict()))["kind"] == "farkas"
    # tampered certificates are rejected
    assert not rg.check_emptiness_certificate(bad, dataclasses.replace(cert, constant=-cert.constant + 1))
    flipped = tuple((j, -y) for j, y in cert.inequality_multipliers)
    assert not rg.check_emptiness_certificate(bad, dataclasses.replace(cert, inequality_multipliers=flipped))
    assert not rg.check_emptiness_certificate(
        bad,
        dataclasses.replace(cert, substitutions=()),  # lambda > 0 alone is no contradiction
    )
    assert not rg.check_emptiness_certificate(cfg, cert)  # the same multipliers prove nothing for cfg


def test_inconsistent_output_weights_are_certified_empty():
    # relu(x) + relu(y) with both orientations of the line x = 0 flipped: the neuron of x = 0 is
    # then active on x < 0, so its jump across x = 0 (c_hat = 1 from the side x > 0) needs
    # lambda v = 1 with lambda > 0 while the region x > 0, y < 0 (f = x) is computed with every
    # neuron inactive (f = b): the linear part is inconsistent
    import dataclasses

    cfg = rg.fiber_configurations(SUM, (2, 2, 1)).configurations[0]
    line = [j for j, f in enumerate(cfg.data.facets) if f.normal == (1, 0)]
    assert len(line) == 2
    bad = dataclasses.replace(
        cfg, facet_deltas=tuple(-d if j in line else d for j, d in enumerate(cfg.facet_deltas))
    )
    cert = rg.emptiness_certificate(bad)
    assert cert is not None and rg.check_emptiness_certificate(bad, cert)


@st.composite
def tiny_nets(draw):
    arch = draw(st.sampled_from([[1, 2, 1], [2, 2, 1], [2, 2, 2, 1]]))
    ws = [
        [[draw(st.integers(-2, 2)) for _ in range(arch[i])] for _ in range(arch[i + 1])]
        for i in range(len(arch) - 1)
    ]
    bs = [[draw(st.integers(-2, 2)) for _ in range(arch[i + 1])] for i in range(len(arch) - 1)]
    return rg.ReLUNetwork(ws, bs)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_nets())
def test_never_empty_where_the_network_itself_lies(net):
    # the network's own parameters are a point of their configuration's set: no certificate
    try:
        en = rg.fiber_configurations(net, net.architecture, max_configurations=200)
    except rg.LimitExceededError:
        return
    for cfg in en.configurations:
        var = rg.configuration_variety(cfg)
        point = var.point_of(net)
        if point is None or not var.satisfies(point):
            continue
        if tuple(int(point[d]) for d in var.deltas) != cfg.facet_deltas:
            continue
        assert rg.emptiness_certificate(cfg) is None


# W2's columns 0 and 1 are equal and neuron (2, 0) has one facet, where only neuron (1, 2) is
# active: its alignment fixes one weight of its row, the kernel left is fixed by the region
# equations, so after exact elimination no equation and no unknown remain
KERNEL_FIXED = rg.ReLUNetwork(
    [
        [[F(-2, 3), F(3, 2)], [-3, F(-7, 2)], [-1, 3]],
        [[F(5, 4), F(5, 4), 3], [3, 3, -3]],
        [[F(7, 4), F(3, 2)]],
    ],
    [[-2, -6, F(3, 4)], [-6, F(1, 2)], [F(-7, 4)]],
)


def test_a_kernel_fixed_by_elimination_is_one_point():
    import sympy

    from relu_geom.analyses.fibers.variety import certificate_system

    net = KERNEL_FIXED
    assert net == rg.ReLUNetwork.random([2, 3, 2, 1], seed=8)
    fib = rg.deep_fiber(net)
    assert fib.status == "complete"
    (orbit,) = [p for p in fib.pieces if p.kind == "orbit"]
    sol = rg.solve_configuration(orbit.configuration)
    assert sol.status == "point" and sol.free == 0 and len(sol.networks) == 1
    assert rg.same_up_to_symmetry(net, sol.networks[0]) is not None
    # independently: the configuration variety with delta fixed and lambda = 1 on each neuron's
    # first facet has a reduced Groebner basis of one linear form per unknown, i.e. exactly one
    # complex point, and that point is the solution's
    eqs, _ineqs, gens = certificate_system(orbit.configuration)
    G = sympy.groebner(eqs, *gens, order="grevlex")
    assert len(G.exprs) == len(gens)
    assert all(sympy.Poly(g, *gens).total_degree() == 1 for g in G.exprs)
    point = orbit.variety.point_of(sol.networks[0])
    assert point is not None and all(g.subs(point) == 0 for g in G.exprs)
    v = rg.is_identifiable(net)
    assert v.verdict == "identifiable" and "0 by the solver alone" in v.reason
