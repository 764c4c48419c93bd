"""Exact Jacobians, functional dimension and local identifiability (papers 000 and 003)."""

from __future__ import annotations

import itertools
import json
import random
from fractions import Fraction as F

import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.cli import main
from relu_geom.testing import permuted_rescaled_copy, specimens
from tests.conftest import networks


def perturbed(net: rg.ReLUNetwork, j: int, h: F) -> rg.ReLUNetwork:
    theta = list(net.parameters())
    theta[j] += h
    return rg.ReLUNetwork.from_parameters(net.architecture, theta)


def finite_difference_column(net: rg.ReLUNetwork, x: list[F], j: int) -> list[F]:
    """(f_{theta + h e_j}(x) - f_theta(x)) / h with the activation pattern unchanged.

    With the pattern fixed, f is affine in each single parameter (every parameter
    sits in one layer and the output is a product of one matrix per layer), so
    this quotient is the exact partial derivative.
    """
    h = F(1)
    while perturbed(net, j, h).sign_vector(x) != net.sign_vector(x):
        h /= 2
    up = perturbed(net, j, h)(x)
    return [(a - b) / h for a, b in zip(up, net(x))]


def smooth_points(net: rg.ReLUNetwork, n: int, seed: int) -> list[list[F]]:
    rng = random.Random(seed)
    out = []
    for _ in range(200 * n):  # bounded: a neuron that vanishes identically has no smooth point
        x = [F(rng.randint(-30, 30), rng.randint(1, 4)) for _ in range(net.input_dim)]
        if 0 not in net.sign_vector(x):
            out.append(x)
            if len(out) == n:
                return out
    assume(False)  # no point off every bent hyperplane: not the case these tests are about
    return out


# --------------------------------------------------------------------- Jacobian
@settings(max_examples=15, deadline=None)
@given(st.sampled_from([[2, 3, 1], [2, 2, 2, 2], [3, 2, 1]]), st.integers(0, 10**6))
def test_jacobian_equals_exact_finite_differences(arch: list[int], seed: int) -> None:
    net = rg.ReLUNetwork.random(arch, seed=seed)
    (x,) = smooth_points(net, 1, seed)
    J = rg.jacobian(net, x)
    assert len(J) == net.output_dim and len(J[0]) == net.n_parameters
    for j in range(net.n_parameters):
        assert [row[j] for row in J] == finite_difference_column(net, x, j)


def test_jacobian_with_a_frozen_pattern_is_affine_in_x() -> None:
    net = rg.ReLUNetwork.random([2, 3, 1], seed=11)
    pattern = (1, 0, 1)
    J = [rg.jacobian(net, x, pattern=pattern)[0] for x in ([0, 0], [1, 0], [0, 1], [1, 1])]
    # J(1,1) - J(1,0) - J(0,1) + J(0,0) = 0 for an affine map
    assert all(a - b - c + d == 0 for a, b, c, d in zip(J[3], J[1], J[2], J[0]))


def test_jacobian_on_a_bent_hyperplane_names_the_neuron() -> None:
    net = specimens.relu_sum_2d()
    with pytest.raises(rg.InvalidInputError, match=r"\(1, 1\)"):
        rg.jacobian(net, [3, 0])


# ------------------------------------------------------- batch functional dim
@settings(max_examples=15, deadline=None)
@given(st.sampled_from([[2, 3, 1], [2, 2, 2, 1], [1, 3, 2]]), st.integers(0, 10**6), st.integers(1, 8))
def test_batch_rank_matches_sympy(arch: list[int], seed: int, n: int) -> None:
    net = rg.ReLUNetwork.random(arch, seed=seed)
    X = smooth_points(net, n, seed)
    rows = [row for x in X for row in rg.jacobian(net, x)]
    res = rg.batch_functional_dimension(net, X)
    assert res.rank == sympy.Matrix(rows).rank()
    assert res.used == tuple(range(n)) and res.on_bent_hyperplanes == ()


def test_batch_reports_points_on_bent_hyperplanes() -> None:
    net = specimens.relu_sum_2d()
    res = rg.batch_functional_dimension(net, [[1, 1], [0, 2], [0, 0]])
    assert res.used == (0,)
    assert res.on_bent_hyperplanes == ((1, ((1, 0),)), (2, ((1, 0), (1, 1))))


# ------------------------------------------------------- functional dimension
def test_max_functional_dimension() -> None:
    # D = 16*4 + 16*17 + 1*17 = 353, H = 32
    assert rg.max_functional_dimension([3, 16, 16, 1]) == 321
    assert rg.max_functional_dimension([2, 1]) == 3
    with pytest.raises(rg.InvalidInputError):
        rg.max_functional_dimension([2])


@pytest.mark.parametrize("arch", [[2, 2, 1], [2, 3, 1], [2, 2, 2, 1], [3, 2, 2], [2, 3, 2, 2], [2, 4, 3, 1]])
def test_upper_bound_reached_for_widths_at_least_two(arch: list[int]) -> None:
    # paper 000: for input and hidden widths >= 2 the maximum is D - H, attained on an
    # open set; some standard-normal draws reach it, the others fall short and the report
    # says why (dead, linear or invisible neurons, parameters with zero derivative).
    reached = False
    for seed in range(6):
        net = rg.ReLUNetwork.random_normal(arch, seed=seed)
        res = rg.functional_dimension(net)
        assert res.upper_bound == rg.max_functional_dimension(arch)
        assert rg.batch_functional_dimension(net, res.sample).rank == res.rank  # the certificate
        if res.rank == res.upper_bound:
            reached = True
        else:
            assert res.rank < res.upper_bound
            assert res.dead_neurons or res.linear_neurons or res.invisible_neurons or res.zero_parameters
    assert reached


@settings(max_examples=10, deadline=None)
@given(st.sampled_from([[2, 3, 1], [2, 2, 2, 1]]), st.integers(0, 10**6))
def test_functional_dimension_is_a_certified_supremum(arch: list[int], seed: int) -> None:
    net = rg.ReLUNetwork.random(arch, seed=seed)
    res = rg.functional_dimension(net)
    # the sample attains it ...
    assert rg.batch_functional_dimension(net, res.sample).rank == res.rank
    # ... and no sample does better: points of every region (an independent sympy rank)
    cx = rg.compile_network(net)
    rows = []
    for c in cx.regions:
        if 0 in c.sign_vector:
            continue
        x0 = c.interior_point
        steps = []
        for t in range(net.input_dim):
            h = F(1)
            while True:
                x = list(x0)
                x[t] += h
                if net.sign_vector(x) == c.sign_vector:
                    break
                h /= 2
            steps.append(x)
        for x in [list(x0)] + steps:
            rows.extend(rg.jacobian(net, x))
    assert res.rank == (sympy.Matrix(rows).rank() if rows else 0)
    assert res.rank <= res.upper_bound


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10**6), st.integers(0, 10**6))
def test_functional_dimension_is_invariant_under_symmetries(seed: int, seed2: int) -> None:
    net = rg.ReLUNetwork.random([2, 3, 2, 1], seed=seed)
    moved = permuted_rescaled_copy(net, seed=seed2)
    assert rg.functional_dimension(moved).rank == rg.functional_dimension(net).rank


BASE = ([[[1, 0], [0, 1]], [[1, 1]]], [[0, 0], [0]])  # relu(x) + relu(y): D = 9, H = 2


def test_base_network_reaches_the_bound() -> None:
    assert rg.functional_dimension(rg.ReLUNetwork(*BASE)).rank == 7


def test_dead_neuron_lowers_the_functional_dimension_by_its_parameters() -> None:
    # add a third first-layer neuron with w = (0, 0), b = -1: dead everywhere.
    # [2, 3, 1]: D - H = 13 - 3 = 10.  Its 3 incoming parameters and 1 outgoing weight
    # have zero derivative everywhere, so the Jacobian is the base one (rank 7) padded
    # with 4 zero columns: rank 7 = 10 - 3 (4 lost columns, 1 of them already counted
    # by the neuron's rescaling symmetry).
    net = rg.ReLUNetwork([[[1, 0], [0, 1], [0, 0]], [[1, 1, 5]]], [[0, 0, -1], [0]])
    res = rg.functional_dimension(net)
    assert (res.rank, res.upper_bound, res.deficit) == (7, 10, 3)
    assert res.dead_neurons == ((1, 2),)
    labels = rg.parameter_labels(net)
    assert {labels[j] for j in res.zero_parameters} == {
        ("W", 1, 2, 0),
        ("W", 1, 2, 1),
        ("b", 1, 2, -1),
        ("W", 2, 0, 2),
    }
    assert rg.batch_functional_dimension(net, res.sample).rank == 7


def test_twin_neurons_lower_the_functional_dimension() -> None:
    # two first-layer neurons with the same incoming weights (1, 1) and bias 0:
    # f = (v1 + v2) relu(x + y) + c depends on the pair only through v1 + v2 and the
    # shared hyperplane, i.e. like a [2, 1, 1] network: D - H = (3 + 2) - 1 = 4.
    # Columns: both neurons' weight columns are multiples of x_t 1[x + y > 0], the
    # biases of 1[x + y > 0], both outgoing weights of relu(x + y), c of 1; the span is
    # {x 1[.], y 1[.], 1[.], 1}: rank 4 instead of 7.
    net = rg.ReLUNetwork([[[1, 1], [1, 1]], [[2, 3]]], [[0, 0], [0]])
    res = rg.functional_dimension(net)
    assert (res.rank, res.upper_bound) == (4, 7)
    assert rg.batch_functional_dimension(net, res.sample).rank == 4


def test_functional_dimension_from_explicit_regions() -> None:
    net = rg.ReLUNetwork(*BASE)
    # one region only, the positive quadrant: the Jacobian rows there are
    # (x, y, x, y, 1, 1, x, y, 1) up to the output weights 1: span of dimension 3
    res = rg.functional_dimension_of_regions(net, [((1, 1), (F(1), F(1)))])
    assert res.rank == 3 and res.n_regions == 1
    with pytest.raises(rg.DimensionMismatchError):
        rg.functional_dimension_of_regions(net, [((1,), (1, 1))])


def test_certificate_samples_of_many_networks() -> None:
    # random small-rational networks: the sample always attains the claimed rank
    for seed in range(20):
        net = rg.ReLUNetwork.random([2, 3, 2, 1], seed=seed)
        res = rg.functional_dimension(net)
        assert rg.batch_functional_dimension(net, res.sample).rank == res.rank
        if res.dead_neurons:
            assert res.rank < res.upper_bound


# ------------------------------------------------------ local identifiability
def alpha_rows(net: rg.ReLUNetwork, X: list[list[F]]) -> list[list[F]]:
    """The activation operator of paper 003, path by path (only for tiny networks)."""
    arch = net.architecture
    L = net.depth
    rows = []
    for x in X:
        acts = [[int(v > 0) for v in z] for z in net.preactivations(x)]
        row = []
        for start in range(L + 1):
            ranges = [range(arch[k]) for k in range(start, L + 1)]
            for path in itertools.product(*ranges):
                val = F(1)
                for pos, v in enumerate(path):
                    layer = start + pos
                    val *= x[v] if layer == 0 else acts[layer - 1][v]
                row.append(val)
        row.append(F(1))
        rows.append(row)
    return rows


@settings(max_examples=15, deadline=None)
@given(st.sampled_from([[2, 2, 1], [2, 2, 2, 1], [1, 2, 2, 2]]), st.integers(0, 10**6), st.integers(1, 12))
def test_local_identifiability_ranks_against_explicit_matrices(arch: list[int], seed: int, n: int) -> None:
    net = rg.ReLUNetwork.random(arch, seed=seed)
    if any(rg.degenerate_neurons(net).values()):
        return
    X = smooth_points(net, n, seed)
    res = rg.local_identifiability(net, X)
    A = alpha_rows(net, X)
    assert res.n_paths == len(A[0])
    assert res.rank_alpha == sympy.Matrix(A).rank()
    assert res.r_a == net.output_dim * res.rank_alpha
    # Gamma: the Jacobian without the fixed columns; its rank equals the full one (Thm. 7)
    labels = rg.parameter_labels(net)
    fixed = {("W", layer, row, col) for layer, row, col in res.fixed_weights}
    keep = [j for j, lab in enumerate(labels) if lab not in fixed]
    rows = [[row[j] for j in keep] for x in X for row in rg.jacobian(net, x)]
    assert res.r_gamma == sympy.Matrix(rows).rank() == rg.batch_functional_dimension(net, X).rank
    assert res.n_free == len(keep) == rg.max_functional_dimension(arch)
    assert res.r_gamma <= res.r_a
    expected = (
        "locally identifiable"
        if res.r_gamma == res.n_free
        else ("not locally identifiable" if res.r_gamma == res.r_a else "undecided")
    )
    assert res.verdict == expected


def test_fixed_weights_are_the_largest_outgoing() -> None:
    net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[1, -3], [2, 1]], [[1, 1]]], [[0, 0], [0, 0], [0]])
    res = rg.local_identifiability(net, [[1, 2], [2, 1], [-1, 3]])
    # neuron (1, 0): outgoing (1, 2) -> row 1; neuron (1, 1): (-3, 1) -> row 0; layer 2: the only output
    assert res.fixed_weights == ((2, 1, 0), (2, 0, 1), (3, 0, 0), (3, 0, 1))


def test_small_samples_fail_the_sufficient_condition() -> None:
    net = rg.ReLUNetwork.random_normal([2, 3, 1], seed=0)
    res_full = rg.functional_dimension(net)
    assert res_full.rank == 10
    # n m = 9 < |F| + |B| = 10 measurements: C_S cannot hold
    small = rg.local_identifiability(net, smooth_points(net, 9, 1))
    assert not small.c_s and small.verdict != "locally identifiable"
    # points on one side of every hyperplane (one region): R_Gamma <= d + 1 = 3
    (x0,) = smooth_points(net, 1, 2)
    sv = net.sign_vector(x0)
    same = [x for x in smooth_points(net, 400, 3) if net.sign_vector(x) == sv][:20]
    one_region = rg.local_identifiability(net, same)
    assert one_region.r_gamma <= 3 and not one_region.c_s
    # the certificate sample of the functional dimension identifies locally
    assert rg.local_identifiability(net, res_full.sample).verdict == "locally identifiable"


def test_hypotheses_of_the_theorems_are_enforced() -> None:
    net = specimens.relu_sum_2d()
    with pytest.raises(rg.InvalidInputError, match=r"X\[1\].*\(1, 0\)"):
        rg.local_identifiability(net, [[1, 1], [0, 1]])
    dead_in = rg.ReLUNetwork([[[1, 0], [0, 0]], [[1, 1]]], [[0, 0], [0]])
    with pytest.raises(rg.InvalidInputError, match=r"\(1, 1\).*degenerate set S"):
        rg.local_identifiability(dead_in, [[1, 1]])
    dead_out = specimens.relu_x1_2d()
    with pytest.raises(rg.InvalidInputError, match=r"\(1, 1\).*zero outgoing"):
        rg.local_identifiability(dead_out, [[1, 1]])
    with pytest.raises(rg.InvalidInputError, match="at least one"):
        rg.local_identifiability(net, [])


def test_local_identifiability_speed_case() -> None:
    # the speed target: [4, 10, 10, 1] with 200 points (a few tenths of a second here)
    net = rg.ReLUNetwork.random_normal([4, 10, 10, 1], seed=0)
    rng = random.Random(0)
    X = [[F(rng.randint(-40, 40), 8) for _ in range(4)] for _ in range(200)]
    res = rg.local_identifiability(net, X)
    assert res.n_free == 151 and res.n_paths == 4 * 10 * 10 + 10 * 10 + 10 + 1
    assert res.r_gamma <= min(res.n_free, res.r_a) and res.r_a <= 200


# ------------------------------------------------------------------------ CLI
@pytest.fixture
def net_file(tmp_path):
    path = tmp_path / "net.json"
    net = rg.ReLUNetwork([[[1, 0], [0, 1], [1, 1]], [[1, 1, -1]]], [[0, 0, -1], [0]])
    path.write_text(
        json.dumps({"weights": [[[1, 0], [0, 1], [1, 1]], [[1, 1, -1]]], "biases": [[0, 0, -1], [0]]})
    )
    assert rg.load_network(path) == net
    return path


def test_cli_fdim(net_file, tmp_path, capsys) -> None:
    assert main(["fdim", str(net_file), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["functional_dimension"] == out["upper_bound"] == 10 and out["reaches_upper_bound"]
    sample = tmp_path / "x.json"
    sample.write_text(json.dumps({"points": out["sample"]}))
    assert main(["fdim", str(net_file), "--sample", str(sample), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["rank"] == 10
    csv = tmp_path / "x.csv"
    csv.write_text("# x, y\n1, 2\n0 5\n1/2,3\n")
    assert main(["fdim", str(net_file), "--sample", str(csv)]) == 0
    text = capsys.readouterr().out
    assert "points used            2 of 3" in text and "point 1 skipped" in text
    assert main(["fdim", str(net_file)]) == 0
    assert "functional dimension   10" in capsys.readouterr().out


def test_cli_identify(net_file, tmp_path, capsys) -> None:
    csv = tmp_path / "x.csv"
    csv.write_text("1,2\n2,1\n")
    assert main(["identify", str(net_file), "--sample", str(csv), "--json"]) == 1  # no: exit status 1
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "not locally identifiable" and out["n_free"] == 10
    assert main(["identify", str(net_file), "--sample", str(csv)]) == 1
    assert "verdict                not locally identifiable" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text("0,0\n")
    assert main(["identify", str(net_file), "--sample", str(bad)]) == 2
    assert "bent hyperplane" in capsys.readouterr().err
    assert main(["identify", str(net_file), "--sample", str(tmp_path / "missing.csv")]) == 2


def test_functional_dimension_takes_a_complex_with_its_own_domain_only():
    net = specimens.relu_sum_2d()
    cx = rg.compile_network(net, domain=(-1, 1))
    # relu(x) + relu(y) on [-1, 1]^2: all four regions meet the box, so D - H = 7 is reached
    assert rg.functional_dimension(cx).rank == rg.functional_dimension(cx, domain=(-1, 1)).rank == 7
    with pytest.raises(rg.InvalidInputError, match="domain"):
        rg.functional_dimension(cx, domain=(0, 1))
    # over a box inside one region (both neurons active) the rows of one region only: rank 3
    assert rg.functional_dimension(net, domain=(1, 2)).rank == 3


# ---------------------------------------------------------------- bounded work (issue 13, item 8)
@pytest.mark.timeout(90)
def test_functional_dimension_on_200_lines_ends_at_its_region_limit():
    # before: 280 s and 241 MB, unbounded; now the region stage stops at the default max_regions
    with pytest.raises(rg.LimitExceededError, match=r"functional_dimension: limit max_regions=10000 exceeded"):
        rg.functional_dimension(rg.ReLUNetwork.random([2, 200, 1]))


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_functional_dimension_on_8_40_40_ends_at_its_region_limit():
    with pytest.raises(rg.LimitExceededError, match=r"max_regions=10000 exceeded"):
        rg.functional_dimension(rg.ReLUNetwork.random([8, 40, 40, 1]))


@pytest.mark.timeout(60)
def test_functional_dimension_max_seconds_and_bad_limits():
    net = rg.ReLUNetwork.random([2, 200, 1])
    with pytest.raises(rg.LimitExceededError, match=r"functional_dimension: limit max_seconds=0.5 exceeded"):
        rg.functional_dimension(net, max_regions=None, max_seconds=0.5)
    for bad in (0, -3, 1.5, True, "5"):
        with pytest.raises(rg.InvalidInputError, match="max_regions"):
            rg.functional_dimension(net, max_regions=bad)
    with pytest.raises(rg.InvalidInputError, match="max_seconds"):
        rg.functional_dimension(net, max_seconds=-1)
    cx = rg.compile_network(rg.ReLUNetwork(*BASE))
    with pytest.raises(rg.LimitExceededError, match=f"the complex has {cx.n_regions} regions"):
        rg.functional_dimension(cx, max_regions=cx.n_regions - 1)


@settings(max_examples=40, deadline=None)
@given(networks(max_dim=2, max_width=3, max_depth=2), st.sampled_from([None, (-1, 1)]))
def test_a_network_and_its_complex_give_the_same_functional_dimension(net, domain):
    # a network's regions come from the region stage alone; the result must be the complex's
    a = rg.functional_dimension(net, domain=domain)
    b = rg.functional_dimension(rg.compile_network(net, domain=domain))
    assert a == b


def test_cli_fdim_max_regions_is_an_error_naming_the_limit(tmp_path, capsys):
    path = tmp_path / "net.json"
    path.write_text(rg.ReLUNetwork.random([2, 30, 1], seed=1).to_json())
    assert main(["fdim", str(path), "--max-regions", "20"]) == 2
    assert "limit max_regions=20 exceeded" in capsys.readouterr().err
    assert main(["fdim", str(path), "--max-regions", "0", "--json"]) == 0
