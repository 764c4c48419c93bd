"""Configuration sets: exact elimination, rational points, piece decisions (relu_geom.analyses.fibers.deep)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
import sympy

import relu_geom as rg
from relu_geom.analyses.fibers.deep import exact_elimination


def test_elimination_linear_and_monomial():
    u, v, w = sympy.symbols("u v w")
    eqs, subs, empty = exact_elimination([2 * u + v - 4, u * w - 3, w**2 - 9], [u, v, w])
    assert empty == "" and subs
    # the reduced system's solutions, pushed through the substitutions, solve the original
    # system: (u, v, w) = (1, 2, 3) and (-1, 6, -3)
    rest = sorted({s for e in eqs for s in e.free_symbols}, key=str)
    found = set()
    for sol in sympy.solve(eqs, rest, dict=True):
        full = {s: sympy.sympify(e).subs(sol) for s, e in subs.items()} | sol
        found.add((full[u], full[v], full[w]))
    assert found == {(1, 2, 3), (-1, 6, -3)}
    _eqs, _subs, empty = exact_elimination([u - 1, u - 2], [u])
    assert "nonzero constant" in empty
    _eqs, _subs, empty = exact_elimination([u * v - 1, v], [u, v])  # u v = 1 forces v != 0
    assert "forces to be nonzero vanishes" in empty


def test_pieces_are_decided_with_exact_dimension():
    net = rg.zoo.minimal_redundant()
    fib = rg.deep_fiber(net)
    for p in fib.pieces:
        # the witness lies on the variety with strict inequalities, and computes f
        var = p.variety
        point = var.point_of(p.samples[0])
        assert p.decision == "nonempty" and point is not None and var.satisfies(point)
        assert rg.functionally_equivalent(net, p.samples[0]).equivalent
        # three neurons: three rescalings, and nothing else (the bounds meet)
        assert p.dimension_bounds == (3, 3) and p.dimension == 3


def test_orbit_dimension_is_the_number_of_neurons():
    net = rg.ReLUNetwork.random([2, 2, 2, 1], seed=1)
    (p,) = rg.deep_fiber(net).pieces
    assert p.kind == "orbit" and p.dimension == net.n_hidden and p.dimension_bounds == (4, 4)


def test_always_active_neuron_shift_is_found():
    # second-layer neuron 1 is 7/3 relu(z_0) + 2 relu(z_1) + 4 > 0 everywhere: its bias can move,
    # compensated in the output bias; the configurations find such a point
    net = rg.ReLUNetwork.random([2, 2, 2, 1], seed=2)
    assert net.weights[1][1] == (F(7, 3), F(2)) and net.biases[1][1] == 4
    ws = [[list(r) for r in W] for W in net.weights]
    bs = [list(b) for b in net.biases]
    bs[1][1] += 1
    bs[2][0] -= net.weights[2][0][1]
    assert rg.functionally_equivalent(net, rg.ReLUNetwork(ws, bs)).equivalent  # the hand-made shift
    fib = rg.deep_fiber(net)
    hidden = [p for p in fib.pieces if p.kind == "hidden"]
    assert hidden and all(p.decision == "nonempty" for p in hidden)
    for p in hidden:
        lo, hi = p.dimension_bounds
        assert 4 <= lo <= hi  # at least the rescalings of the four neurons
        eta = p.samples[0]
        assert rg.functionally_equivalent(net, eta).equivalent and rg.same_up_to_symmetry(net, eta) is None
    v = rg.is_identifiable(net)
    assert v.verdict == "not identifiable" and rg.functionally_equivalent(net, v.certificate).equivalent


def test_a_neuron_without_facet_is_put_in_the_gauge():
    # random([2, 3, 2, 1], seed=19) has a configuration (its own grouping of the facets) in
    # which a first-layer neuron carries no facet, so the equations leave that neuron's own
    # rescaling free; fixing the first nonzero entry of its bias and row to +-1 (6 cases)
    # leaves finitely many points, here the network itself up to symmetry
    net = rg.ReLUNetwork.random([2, 3, 2, 1], seed=19)
    fib = rg.deep_fiber(net)
    (orbit,) = [p for p in fib.pieces if p.kind == "orbit"]
    assert fib.status == "complete"
    sol = rg.solve_configuration(orbit.configuration)
    assert sol.status == "points" and "6 cases" in sol.reason
    assert sol.networks and all(rg.same_up_to_symmetry(net, eta) is not None for eta in sol.networks)
    assert all(rg.functionally_equivalent(net, eta).equivalent for eta in sol.networks)
    # without that gauge the same system is positive-dimensional: the free scale shows in
    # the networks, which in the gauge have an entry +-1 in the first nonzero place of the
    # neuron carrying no facet
    used = {j for (layer, j) in orbit.configuration.neuron_of_candidate if layer == 1}
    (n_free,) = [i for i in range(3) if i not in used]
    for eta in sol.networks:
        first = next(v for v in (eta.biases[0][n_free], *eta.weights[0][n_free]) if v != 0)
        assert first in (1, -1)


def test_domains_other_than_rd_are_refused():
    with pytest.raises(rg.UnsupportedInputError, match="domain: deep fibers"):
        rg.deep_fiber(rg.zoo.bent_2d(), domain=(-1, 1))
    with pytest.raises(rg.UnsupportedInputError, match="over R\\^d only"):
        rg.is_identifiable(rg.zoo.bent_2d(), domain=(-1, 1))
