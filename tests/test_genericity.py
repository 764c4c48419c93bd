"""The genericity conditions of paper 001: supertransversality and masked-product ranks."""

from __future__ import annotations

import itertools
import json

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.cli import main
from relu_geom.testing import specimens


def naive_masked_check(net: rg.ReLUNetwork) -> bool:
    """Every sequence of index sets, every product, ranked by SymPy (tiny networks only)."""
    arch = net.architecture
    W = [
        sympy.Matrix([[sympy.Rational(v.numerator, v.denominator) for v in row] for row in w])
        for w in net.weights
    ]
    for layer in range(1, len(arch)):
        subsets = [
            [set(s) for k in range(arch[i] + 1) for s in itertools.combinations(range(arch[i]), k)]
            for i in range(1, layer)
        ]
        for seq in itertools.product(*subsets):
            P = W[0]
            for i, S in enumerate(seq, start=1):
                D = sympy.diag(*[1 if j in S else 0 for j in range(arch[i])])
                P = W[i] * D * P
            target = min([arch[0], arch[layer]] + [len(S) for S in seq])
            if P.rank() != target:
                return False
    return True


@settings(max_examples=30, deadline=None)
@given(st.sampled_from([[2, 2, 2, 1], [1, 2, 2, 1], [2, 3, 1], [3, 2, 2, 2]]), st.integers(0, 10**6))
def test_masked_products_match_brute_force(arch: list[int], seed: int) -> None:
    net = rg.ReLUNetwork.random(arch, seed=seed, max_numerator=2, max_denominator=2)
    res = rg.masked_product_ranks(net)
    assert res.holds == naive_masked_check(net)
    if res.holds is False:
        w = res.witness
        # replay the witness with SymPy
        P = sympy.Matrix(net.weights[0])
        for i, S in enumerate(w.index_sets, start=1):
            D = sympy.diag(*[1 if j in S else 0 for j in range(arch[i])])
            P = sympy.Matrix(net.weights[i]) * D * P
        assert P.rank() == w.rank != w.expected


def test_masked_products_hand_examples() -> None:
    # W_2 D_{0,1} W_1 = (1, -1) (1, 1)^T = 0 although min(d, n_2, |S|) = 1
    bad = rg.masked_product_ranks(specimens.zero_by_a_pair_1d())
    assert bad.holds is False
    assert bad.witness == rg.MaskedRankWitness(layer=2, index_sets=((0, 1),), rank=0, expected=1)
    assert bad.witness.to_dict() == {"layer": 2, "index_sets": [[0, 1]], "rank": 0, "expected": 1}
    # W_1 itself of rank 1 < min(2, 2)
    flat = rg.masked_product_ranks(rg.ReLUNetwork([[[1, 2], [2, 4]], [[1, 1]]], [[0, 0], [0]]))
    assert flat.holds is False and flat.witness.layer == 1
    good = rg.masked_product_ranks(rg.ReLUNetwork([[[1, 0], [0, 1]], [[1, 2]]], [[0, 0], [0]]))
    # 2^0 sequences for l = 1 and 2^2 for l = 2
    assert good.holds is True and good.n_sequences == 5


def test_masked_products_limit_is_undecided_not_guessed() -> None:
    net = rg.ReLUNetwork.random_normal([2, 6, 6, 1], seed=0)
    res = rg.masked_product_ranks(net, max_checks=10)
    assert res.holds is None and res.n_checked == 10
    rep = rg.genericity_report(net, max_checks=10)
    assert rep.is_generic in (None, False)


def test_supertransversality_three_lines_through_a_point() -> None:
    # x = 0, y = 0 and x + y = 0 meet at the origin: a vertex (codimension 2) in 3 bent hyperplanes
    net = specimens.three_lines_2d()
    st_ = rg.supertransversality(rg.compile_network(net))
    assert st_.holds is False
    w = st_.witness
    assert (w.dim, w.n_bent, w.codim, w.sign_vector, w.point) == (0, 3, 2, (0, 0, 0), (0, 0))


def test_supertransversality_generic_lines() -> None:
    net = rg.ReLUNetwork([[[1, 0], [0, 1], [1, 1]], [[1, 1, 1]]], [[0, 0, -1], [0]])
    rep = rg.genericity_report(net)
    assert rep.supertransversality.holds
    # 3 lines in general position: 7 regions, 9 edges, 3 vertices
    assert rep.supertransversality.n_cells == 19
    # W_2 D_S W_1 = sum of the rows of W_1 in S: (1, 0), (0, 1), (1, 1), (1, 1), (2, 1), (1, 2),
    # (2, 2) for the seven non-empty S, all nonzero (rank 1 = min(2, 1, |S|))
    assert rep.masked_products.holds and rep.is_generic and rep.failing == ()


def test_supertransversality_degenerate_neuron_hyperplane() -> None:
    # a deeper neuron that is identically zero on a whole region: a region (codimension 0)
    # inside a bent hyperplane
    net = specimens.relu_relu_x1_2d()
    st_ = rg.supertransversality(rg.compile_network(net))
    assert st_.holds is False and st_.witness.dim == 2 and st_.witness.n_bent == 1


def test_cli_generic(tmp_path, capsys) -> None:
    path = tmp_path / "net.json"
    path.write_text(
        json.dumps({"weights": [[[1, 0], [0, 1], [1, 1]], [[1, 1, 1]]], "biases": [[0, 0, 0], [0]]})
    )
    assert main(["generic", str(path), "--json"]) == 1  # not generic: exit status 1
    out = json.loads(capsys.readouterr().out)
    assert out["is_generic"] is False and out["failing"] == ["supertransversality"]
    assert out["supertransversality"]["witness"]["point"] == [0, 0]
    assert main(["generic", str(path)]) == 1
    text = capsys.readouterr().out
    assert "supertransversality    fails" in text and "verdict                not generic" in text


@pytest.mark.parametrize("max_checks", [1])
def test_cli_generic_limit(tmp_path, capsys, max_checks: int) -> None:
    path = tmp_path / "net.json"
    path.write_text(rg.ReLUNetwork.random_normal([2, 3, 3, 1], seed=1).to_json())
    assert main(["generic", str(path), "--max-checks", str(max_checks)]) == 3  # undecided
    assert "undecided" in capsys.readouterr().out


# ---------------------------------------------------------------- bounded work (issue 13, item 8)
@pytest.mark.timeout(90)
def test_genericity_report_on_200_lines_ends_at_its_cell_limit():
    # before: 104 s and 151 MB, unbounded; now the compile stops at the default max_cells
    net = rg.ReLUNetwork.random([2, 200, 1])
    with pytest.raises(rg.LimitExceededError, match=r"max_cells=10000 exceeded: 10001 cells"):
        rg.genericity_report(net)


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_genericity_report_on_8_40_40_ends_at_its_cell_limit():
    # before: more than 300 s and 685 MB
    with pytest.raises(rg.LimitExceededError, match=r"max_cells=10000 exceeded"):
        rg.genericity_report(rg.ReLUNetwork.random([8, 40, 40, 1]))


@pytest.mark.timeout(120)
def test_masked_products_of_8_40_40_end_undecided_at_the_default_check_limit():
    # before: more than 150 s (2^40 index sets after the first layer; no failure among the first ones)
    res = rg.masked_product_ranks(rg.ReLUNetwork.random([8, 40, 40, 1]))
    assert res.holds is None and res.n_checked == 20_000
    assert res.n_sequences == 1 + 2**40 + 2**80


@pytest.mark.timeout(60)
def test_max_seconds_ends_both_checks_with_a_limit_error():
    net = rg.ReLUNetwork.random([8, 40, 40, 1])
    with pytest.raises(rg.LimitExceededError, match=r"masked_product_ranks: limit max_seconds=0.5 exceeded"):
        rg.masked_product_ranks(net, max_checks=10**9, max_seconds=0.5)
    with pytest.raises(rg.LimitExceededError, match=r"max_seconds=1 exceeded"):
        rg.genericity_report(net, max_checks=10, max_cells=None, max_seconds=1)


def test_a_complex_with_more_cells_than_max_cells_is_refused():
    cx = rg.compile_network(specimens.relu_sum_2d())  # 9 cells
    with pytest.raises(rg.LimitExceededError, match=r"max_cells=8 exceeded: the complex has 9 cells"):
        rg.genericity_report(cx, max_cells=8)
    assert rg.genericity_report(cx, max_cells=9).is_generic
    for bad in (0, -1, 2.5, True, "10"):
        with pytest.raises(rg.InvalidInputError, match="max_cells"):
            rg.genericity_report(cx, max_cells=bad)


def test_cli_generic_max_cells_is_an_error_naming_the_limit(tmp_path, capsys):
    path = tmp_path / "net.json"
    path.write_text(rg.ReLUNetwork.random([2, 30, 1], seed=1).to_json())
    assert main(["generic", str(path), "--max-cells", "50"]) == 2
    assert "limit max_cells=50 exceeded" in capsys.readouterr().err
    assert main(["generic", str(path), "--max-cells", "0", "--max-checks", "5"]) in (0, 1, 3)  # 0: no bound
