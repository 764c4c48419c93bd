"""Search spaces: parsing, and the exhaustive enumeration visits every orbit exactly once."""

from __future__ import annotations

import itertools
import random

import pytest

import relu_geom as rg
from relu_geom.search.space import SearchSpace, orbit_key, parse_architecture, parse_values


def _orbit_class(space, flat):
    """Independent: the library's normal form (complete under permutation and rescaling)."""
    net = space.network(space.from_flat(flat))
    if space.hidden_only:  # the output layer is not part of the space: make it inert
        net = rg.ReLUNetwork(
            [*net.weights[:-1], [[0] * net.architecture[-2]] * net.architecture[-1]],
            [*net.biases[:-1], [0] * net.architecture[-1]],
        )
    return rg.normal_form(net).parameters()


@pytest.mark.parametrize(
    "arch, weights, hidden_only",
    [("1,2,1", "-1..1", False), ("1,1,2,1", "-1..1", False), ("1,2,1", "0..2", False),
     # 3^9 and 3^10 parameter vectors, each put in normal form: 35 s and 100 s
     pytest.param("2,2,1", "-1..1", False, marks=pytest.mark.slow),
     pytest.param("1,2,2,1", "-1..1", True, marks=pytest.mark.slow)],
)
def test_every_orbit_exactly_once(arch, weights, hidden_only):
    space = SearchSpace.parse(arch, weights, hidden_only=hidden_only)
    reps = [space.flat(t) for t in space.iter_orbit_representatives()]
    rep_classes = [_orbit_class(space, r) for r in reps]
    assert len(set(rep_classes)) == len(reps)  # no orbit twice
    vals = [int(v) for v in space.values]
    all_classes = {_orbit_class(space, f) for f in itertools.product(vals, repeat=space.n_parameters)}
    assert set(rep_classes) == all_classes  # every orbit once
    assert all(space.contains(space.from_flat(r)) for r in reps)


def test_orbit_key_is_invariant_under_symmetries():
    space = SearchSpace.parse("2,3,2,1", "-6..6")
    rng = random.Random(3)
    for _ in range(30):
        theta = space.from_flat([rng.choice([-2, -1, 1, 2]) for _ in range(space.n_parameters)])
        net = space.network(theta)
        moved = net.permute_layer(1, [2, 0, 1]).rescale_neuron(1, 0, 2).rescale_neuron(2, 1, 3).permute_layer(2, [1, 0])
        if all(abs(v) <= 6 and v.denominator == 1 for v in moved.parameters()):
            assert orbit_key(space, space.layers_of(moved)) == orbit_key(space, theta)


def test_exhaustive_maximum_agrees_with_a_brute_force_loop():
    space = SearchSpace.parse("1,2,1,1", "-1..1", hidden_only=True)
    res = rg.search(rg.regions_at_least(1), space, method="exhaustive", max_hits=1, shrink_hits=False)
    best = 0
    vals = [-1, 0, 1]
    for flat in itertools.product(vals, repeat=space.n_parameters):  # written out independently
        w1, b1 = [[flat[0]], [flat[2]]], [flat[1], flat[3]]
        w2, b2 = [[flat[4], flat[5]]], [flat[6]]
        best = max(best, rg.compile_network(rg.ReLUNetwork([w1, w2, [[1]]], [b1, b2, [0]])).n_regions)
    assert res.best_value == best
    assert rg.compile_network(res.best_network).n_regions == best


def test_parsing_and_bad_input():
    assert parse_architecture("2,3,3,1") == (2, 3, 3, 1)
    assert [str(v) for v in parse_values("-1..1/2")] == ["-1", "-1/2", "0", "1/2", "1"]
    for bad in ("2", "2,0,1", "a,b", ""):
        with pytest.raises(rg.InvalidInputError, match="--arch"):
            parse_architecture(bad)
    for bad in ("2..1", "1-2", "a..b", "0..1/0"):
        with pytest.raises(rg.InvalidInputError, match="--weights"):
            parse_values(bad)
    with pytest.raises(rg.InvalidInputError, match="exhaustive"):
        SearchSpace.parse("1,2,1", "-1..1/2").exhaustive_blocks()
