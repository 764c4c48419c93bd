"""The search loop: planted hits, reproducibility, 1 vs 2 workers, budgets and bad input."""

from __future__ import annotations

import json
import os

import pytest

import relu_geom as rg
from relu_geom.search.space import SearchSpace
from relu_geom.verify.search_claims import CHECKERS


def _summary(res):
    return (res.n_screened, res.n_decided, [h.network for h in res.hits], res.best_value, res.best_network, res.stopped)


def test_known_region_count_found_and_certified(tmp_path):
    # one input, two hidden layers of width 2: 7 regions is reachable (and the maximum)
    space = SearchSpace.parse("1,2,2,1", "-2..2", hidden_only=True)
    res = rg.search(rg.regions_at_least(7), space, max_candidates=3000, seed=0, max_hits=2, out_dir=tmp_path)
    assert res.hits
    for h in res.hits:
        assert rg.compile_network(h.network).n_regions >= 7
        cert = json.loads(open(h.path).read())
        CHECKERS[cert["claim"]](cert)
    assert not rg.search(rg.regions_at_least(8), space, max_candidates=2000, seed=0).hits


@pytest.mark.no_check_complex  # 2,400 small complexes of the search; the compiler's own tests audit them
def test_same_seed_same_result_and_workers_do_not_matter():
    space = SearchSpace.parse("2,3,3,1", "-2..2")
    prop = rg.regions_at_least(16)
    one = rg.search(prop, space, max_candidates=600, seed=5, workers=1, chunk=100, max_hits=3)
    again = rg.search(prop, space, max_candidates=600, seed=5, workers=1, chunk=100, max_hits=3)
    two = rg.search(prop, space, max_candidates=600, seed=5, workers=2, chunk=100, max_hits=3)
    assert _summary(one) == _summary(again) == _summary(two)
    other = rg.search(prop, space, max_candidates=600, seed=6, workers=1, chunk=100, max_hits=3)
    assert _summary(other) != _summary(one)


def test_exhaustive_with_two_workers_matches_one():
    space = SearchSpace.parse("1,2,2,1", "-1..1", hidden_only=True)
    prop = rg.regions_at_least(6)
    a = rg.search(prop, space, method="exhaustive", workers=1, max_hits=2)
    b = rg.search(prop, space, method="exhaustive", workers=2, max_hits=2)
    assert _summary(a) == _summary(b)
    assert a.stopped == "complete" and a.n_screened == 15552  # one per orbit (tests/test_search_space.py)


def test_hill_climbing_reaches_the_maximum_of_a_tiny_space():
    space = SearchSpace.parse("1,3,1", "-2..2")
    res = rg.search(rg.regions_at_least(4), space, method="hill", max_candidates=400, chunk=100, seed=2)
    assert res.best_value == 4  # three distinct breakpoints: 4 regions, the maximum for width 3
    assert res.hits and all(rg.compile_network(h.network).n_regions >= 4 for h in res.hits)


def test_budget_stops_and_keeps_complete_certificates(tmp_path):
    space = SearchSpace.parse("1,2,2,1", "-2..2", hidden_only=True)
    res = rg.search(rg.regions_at_least(6), space, budget=0.5, seed=1, max_hits=1000, chunk=50, out_dir=tmp_path)
    assert res.stopped == "budget"
    files = sorted(os.listdir(tmp_path))
    assert len(files) == len(res.hits) > 0
    for name in files:
        cert = json.loads((tmp_path / name).read_text())
        CHECKERS[cert["claim"]](cert)


@pytest.mark.parametrize(
    "kwargs, match",
    [({"budget": 0}, "--budget"), ({"max_candidates": 0}, "--max-candidates"), ({"workers": 0}, "--workers"),
     ({"method": "magic"}, "method")],
)
def test_bad_arguments(kwargs, match):
    space = SearchSpace.parse("1,2,1", "-1..1")
    with pytest.raises(rg.InvalidInputError, match=match):
        rg.search(rg.regions_at_least(2), space, **kwargs)


def test_hill_needs_an_objective():
    with pytest.raises(rg.InvalidInputError, match="objective"):
        rg.search(rg.hidden_symmetry(), SearchSpace.parse("1,2,1", "-1..1"), method="hill")


def test_hidden_symmetries_found_by_search_are_certified(tmp_path):
    space = SearchSpace.parse("1,2,1", "-1..1")
    res = rg.search(rg.hidden_symmetry(), space, max_candidates=300, max_hits=2, seed=3, out_dir=tmp_path)
    assert res.hits
    for h in res.hits:
        partner = h.verdict.evidence["partner"]
        assert rg.functionally_equivalent(h.network, partner).equivalent
        assert rg.same_up_to_symmetry(h.network, partner) is None
        cert = json.loads(open(h.path).read())
        CHECKERS["hidden_symmetry"](cert)


def test_a_passed_budget_makes_one_hit_more_at_most():
    # nearly every candidate of 2,3,1 over -2..2 has a hidden symmetry (a dead or duplicate
    # neuron): the first task finds more than a hundred, but once the budget has passed only
    # one is made
    space = SearchSpace.parse("2,3,1", "-2..2")
    prop = rg.get_property("hidden-symmetry")
    res = rg.search(prop, space, budget=0.001, chunk=200, max_hits=1000, shrink_hits=False)
    assert res.stopped == "budget" and res.n_screened == 200 and len(res.hits) == 1
    assert len(rg.search(prop, space, max_candidates=200, chunk=200, max_hits=1000, shrink_hits=False).hits) > 100
