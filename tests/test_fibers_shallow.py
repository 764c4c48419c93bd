"""Shallow networks: decomposition, canonical form, minimal width, fibers and Theorem 6 of paper 001."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.analyses.fibers import (
    canonical_form,
    minimal_width,
    shallow_decomposition,
    shallow_fiber,
)
from relu_geom.analyses.fibers.shallow.cores import pointed_direction
from relu_geom.testing import specimens
from tests.conftest import networks

F = Fraction
shallow = networks(max_dim=2, max_width=4, max_depth=1)


def _eq(a, b, domain=None):
    return rg.functionally_equivalent(a, b, domain=domain).equivalent


# ----------------------------------------------------------------- decomposition
def test_decomposition_of_abs_and_duplicates():
    dec = shallow_decomposition(rg.zoo.abs_1d())
    assert [(h.normal, h.offset, h.coefficient) for h in dec.hinges] == [((1,), 0, (2,))]
    assert dec.linear == ((-1,),) and dec.bias == (0,)
    dup = shallow_decomposition(rg.zoo.duplicate_neurons())
    assert [h.row for h in dup.hinges] == [(1, -1, 1), (1, 1, 0)]
    assert dup.hinges[1].coefficient == (3,)  # relu(x+y) + relu(2x+2y) = 3 relu(x+y)


def test_decomposition_evaluates_like_the_network():
    net = rg.ReLUNetwork.random([2, 5, 2], seed=9)
    dec = shallow_decomposition(net)
    for x in ([0, 0], [1, -3], ["1/2", 7], [-5, -5]):
        assert dec(x) == net(x)


def test_dead_and_invisible_neurons_vanish():
    net = rg.zoo.dead_neuron()  # relu(-1) dead, relu(2) constant, relu(x - y) live
    dec = shallow_decomposition(net)
    assert len(dec.hinges) == 1 and dec.bias == (2,)
    zero_out = rg.ReLUNetwork([[[1, 2], [3, 4]], [[0, 1]]], [[5, 6], [0]])
    assert len(shallow_decomposition(zero_out).hinges) == 1


# ----------------------------------------------------------------- canonical form
def test_canonical_form_is_minimal_and_normalized():
    net = rg.ReLUNetwork(
        [[[2], [-3], [1]], [[1, 1, 0]]], [[0, 0, 5], [1]]
    )  # |x|-like: relu(2x) + relu(-3x) + 1
    cf = canonical_form(net)
    assert cf.architecture == (1, 2, 1)
    assert [list(r) for r in cf.weights[0]] == [[1], [-1]]
    assert _eq(net, cf)


def test_affine_part_costs_neurons():
    # f(x, y) = x: no hinge, rank-1 linear part -> one cancelling pair
    ident = specimens.x1_by_a_pair_2d()
    assert minimal_width(ident) == 2
    # f = 0 has width 0; the canonical network keeps one zero neuron
    zero = specimens.zero_by_a_pair_2d()
    assert minimal_width(zero) == 0
    cz = canonical_form(zero)
    assert cz.architecture == (2, 1, 1) and _eq(cz, zero)
    # f(x) = (x1, x2) in R^2 -> R^2: rank 2 -> two pairs
    eye = rg.ReLUNetwork(
        [[[1, 0], [-1, 0], [0, 1], [0, -1]], [[1, -1, 0, 0], [0, 0, 1, -1]]], [[0, 0, 0, 0], [0, 0]]
    )
    assert minimal_width(eye) == 4
    # one hinge relu(x) plus linear part 3x: absorbed by doubling the hinge (2 neurons, not 3)
    hinge_plus = rg.ReLUNetwork([[[1], [1], [-1]], [[1, 3, -3]]], [[0, 0, 0], [0]])  # relu(x) + 3x
    assert minimal_width(hinge_plus) == 2
    assert canonical_form(hinge_plus).architecture == (1, 2, 1)
    # relu(x) - x = relu(-x): one flipped neuron
    flip = rg.ReLUNetwork([[[1], [1], [-1]], [[1, -1, 1]]], [[0, 0, 0], [0]])
    assert minimal_width(flip) == 1


def test_minimal_width_dereich_kassing_cases_in_the_plane():
    # scalar output: k, k + 1 or k + 2 neurons (one visible hyperplane each plus the affine part)
    base = [[1, 0], [0, 1]]
    hinges = rg.ReLUNetwork([base, [[1, 1]]], [[0, 0], [0]])
    assert minimal_width(hinges) == 2
    plus_e1 = rg.ReLUNetwork([base + [[1, 0]], [[1, 1, 5]]], [[0, 0, 0], [0]])  # + 5 relu(x1)
    assert minimal_width(plus_e1) == 2  # same hyperplane: merged
    lin_along = rg.ReLUNetwork([base + [[1, 0], [-1, 0]], [[1, 1, 2, -2]]], [[0, 0, 0, 0], [0]])  # + 2 x1
    assert minimal_width(lin_along) == 3  # double the hinge x1 = 0
    lin_other = rg.ReLUNetwork(
        [base + [[1, 1], [-1, -1]], [[1, 1, 2, -2]]], [[0, 0, 0, 0], [0]]
    )  # + 2(x1+x2)
    assert minimal_width(lin_other) == 4  # needs a cancelling pair
    lin_flip = rg.ReLUNetwork([base + [[1, 0], [-1, 0]], [[1, 1, -1, 1]]], [[0, 0, 0, 0], [0]])  # - x1
    assert minimal_width(lin_flip) == 2  # relu(x1) - x1 = relu(-x1)


def test_minimality_against_exhaustive_small_search():
    # every [1, n, 1] network with weights in {-1, 0, 1} and n <= 2: min width <= n, and
    # the canonical form never has more neurons than any equivalent network found
    vals = [-1, 0, 1]
    nets = []
    for w in vals:
        for b in vals:
            for v in vals:
                nets.append(((w, b, v),))
    seen = {}
    for n in (1, 2):
        for combo in __import__("itertools").product(nets, repeat=n):
            neurons = [c[0] for c in combo]
            net = rg.ReLUNetwork(
                [[[w] for w, _, _ in neurons], [[v for _, _, v in neurons]]],
                [[b for _, b, _ in neurons], [0]],
            )
            key = shallow_decomposition(net)
            seen[key] = min(seen.get(key, n), n)
    for dec, n in seen.items():
        assert minimal_width(dec) <= n


@given(shallow)
def test_canonical_form_properties(net):
    cf = canonical_form(net)
    assert canonical_form(cf) == cf  # idempotent
    assert _eq(net, cf)
    assert cf.hidden_widths[0] == max(1, minimal_width(net))
    assert minimal_width(net) <= net.hidden_widths[0]


@given(shallow, st.integers(0, 10**6))
def test_canonical_form_equal_for_equivalent_networks(net, seed):
    rng = random.Random(seed)
    perm = list(range(net.hidden_widths[0]))
    rng.shuffle(perm)
    other = net.permute_layer(1, perm)
    for i in range(len(perm)):
        other = other.rescale_neuron(1, i, F(rng.randint(1, 9), rng.randint(1, 9)))
    # add a duplicated neuron with split weights summing to zero and a dead neuron: same function
    d, m = net.input_dim, net.output_dim
    a = [F(rng.randint(-3, 3)) for _ in range(d)]
    u = [F(rng.randint(-3, 3)) for _ in range(m)]
    W1 = [list(r) for r in other.weights[0]] + [a, [2 * x for x in a], [F(0)] * d]
    b1 = list(other.biases[0]) + [F(1), F(2), F(-2)]
    W2 = [list(r) + [u[k], -u[k] / 2, F(rng.randint(-3, 3))] for k, r in enumerate(other.weights[1])]
    wide = rg.ReLUNetwork([W1, W2], [b1, list(other.biases[1])])
    assert canonical_form(other) == canonical_form(net)
    assert canonical_form(wide) == canonical_form(net)


@given(shallow, shallow)
def test_canonical_form_different_for_inequivalent(net1, net2):
    if (net1.input_dim, net1.output_dim) != (net2.input_dim, net2.output_dim):
        return
    same = _eq(net1, net2)
    assert (canonical_form(net1) == canonical_form(net2)) == same


# ----------------------------------------------------------------- fibers on R^d
def test_fiber_of_abs():
    fib = shallow_fiber(rg.zoo.abs_1d())
    assert len(fib.pieces) == 1
    (p,) = fib.pieces
    assert p.doubled == (0,) and p.roles == ("visible", "visible")
    assert p.dimension == 2 and p.dimension_mod_scaling == 0  # only the two rescalings
    assert p.contains(rg.zoo.abs_1d())
    s = p.sample(3)
    assert fib.contains(s) and p.contains(s) and _eq(s, rg.zoo.abs_1d())


@pytest.mark.parametrize(
    ("arch", "width", "seed"), [([1, 2, 1], 3, 0), ([2, 3, 1], 4, 2), ([2, 2, 2], 3, 5), ([2, 2, 1], 4, 8)]
)
def test_every_sample_is_in_the_fiber_and_dimensions_match_the_jacobian(arch, width, seed):
    net = rg.ReLUNetwork.random(arch, seed=seed)
    fib = shallow_fiber(net, width)
    assert fib.pieces
    for p in fib.pieces:
        s = p.sample(seed + 1)
        assert s.architecture == fib.architecture
        assert fib.contains(s) and p.contains(s)
        assert _eq(s, net)
        assert p.satisfies_equations(s)
        # the equations cut out the piece with a tangent space of the claimed dimension
        assert len(p.symbols) - p.jacobian_rank(s) == p.dimension


def test_fiber_membership_rejects_other_functions():
    net = rg.ReLUNetwork.random([2, 3, 1], seed=2)
    fib = shallow_fiber(net)
    theta = list(net.parameters())
    theta[0] += 1
    assert not fib.contains(rg.ReLUNetwork.from_parameters(net.architecture, theta))
    assert fib.contains(net)
    assert any(p.contains(net) for p in fib.pieces)


def test_fiber_too_narrow_is_empty():
    net = rg.ReLUNetwork([[[1, 0], [0, 1], [1, 1]], [[1, 1, 1]]], [[0, 0, 1], [0]])
    assert shallow_fiber(net, 2).pieces == ()


# ----------------------------------------------------------------- Theorem 6 (paper 001)
def _generic_theta(d, m, k, e, seed):
    """k hinges meeting the open orthant and e linear neurons (w > 0, b > 0): generic for small seeds."""
    rng = random.Random(seed)
    W, b = [], []
    for _ in range(k):
        row = [F(rng.randint(1, 9), rng.randint(1, 5)) * rng.choice((-1, 1)) for _ in range(d)]
        row[0], row[1] = abs(row[0]), -abs(row[1])
        W.append(row)
        b.append(F(rng.randint(-9, 9), rng.randint(1, 5)))
    for _ in range(e):
        W.append([F(rng.randint(1, 97), rng.randint(1, 13)) for _ in range(d)])
        b.append(F(rng.randint(1, 9), 2))
    V = [[F(rng.randint(-97, 97) or 1, rng.randint(1, 13)) for _ in range(k + e)] for _ in range(m)]
    return rg.ReLUNetwork([W, V], [b, [F(1)] * m])


def _theorem6_pieces(net, k, e):
    fib = shallow_fiber(net, domain="orthant")
    assert fib.decomposition.n_hinges == k
    return fib, {p.flips: p for p in fib.pieces if p.n_linear == e}


def _check_samples(fib, pieces, net, e):
    for p in pieces.values():
        s = p.sample(1)
        assert fib.contains(s) and p.contains(s)
        assert _eq(
            s,
            net,
            domain=rg.Polyhedron.from_hrep(
                [[-int(i == j) for j in range(net.input_dim)] + [0] for i in range(net.input_dim)]
            ),
        )
        assert len(p.symbols) - p.jacobian_rank(s) - net.hidden_widths[0] == p.dimension_mod_scaling


def test_theorem6_case1_fewer_linear_neurons_than_min_d_m():
    # n - k = 1 < min(d, m) = 3: only the orientation of theta, dimension (n - k)^2 = 1
    k, e = 2, 1
    net = _generic_theta(3, 3, k, e, seed=4)
    fib, pieces = _theorem6_pieces(net, k, e)
    assert list(pieces) == [()]  # theta's own orientation: all hinges oriented with (a_j, t_j)
    assert pieces[()].dimension_mod_scaling == (e) ** 2
    _check_samples(fib, pieces, net, e)


def test_theorem6_case2_n_minus_k_equals_d_at_most_m():
    # n - k = d = 2 <= m = 3: every orientation, dimension d^2 = 4
    k, e = 2, 2
    net = _generic_theta(2, 3, k, e, seed=3)
    fib, pieces = _theorem6_pieces(net, k, e)
    assert sorted(pieces) == [(), (0,), (0, 1), (1,)]
    assert all(p.dimension_mod_scaling == 4 for p in pieces.values())
    _check_samples(fib, pieces, net, e)


def test_theorem6_case3_pointed_cone():
    # n - k = m = 2 < d = 3: dimension m^2 = 4 iff the cone of the compensation's columns is pointed
    hinge = [[1, -1, 1]]
    lin_w = [[0, 1, 0], [0, 0, 1]]
    net = rg.ReLUNetwork([hinge + lin_w, [[1, 0, -1], [0, 1, -1]]], [[0, 1, 1], [0, 0]])
    fib, pieces = _theorem6_pieces(net, 1, 2)
    # flipping the hinge needs R = [[1, -1, 0], [0, 1, -1]]: columns (1,0), (-1,1), (0,-1) sum to 0
    assert list(pieces) == [()]
    assert pieces[()].dimension_mod_scaling == 4
    assert pointed_direction([(1, 0), (-1, 1), (0, -1)]) is None
    _check_samples(fib, pieces, net, 2)
    # a generic case where both orientations give pointed cones
    net2 = _generic_theta(3, 2, 1, 2, seed=11)
    fib2, pieces2 = _theorem6_pieces(net2, 1, 2)
    assert pieces2
    for p in pieces2.values():
        assert p.dimension_mod_scaling == 4
    _check_samples(fib2, pieces2, net2, 2)


def test_theorem6_case4_one_more_than_m():
    # n - k = m + 1 = 2 <= d = 3: every orientation, dimension m^2 + m + d = 5
    k, e = 2, 2
    net = _generic_theta(3, 1, k, e, seed=5)
    fib, pieces = _theorem6_pieces(net, k, e)
    assert sorted(pieces) == [(), (0,), (0, 1), (1,)]
    assert all(p.dimension_mod_scaling == 1 + 1 + 3 for p in pieces.values())
    _check_samples(fib, pieces, net, e)


def test_errors():
    with pytest.raises(rg.InvalidInputError, match="one hidden layer"):
        canonical_form(rg.ReLUNetwork.random([2, 2, 2, 1], seed=0))
    with pytest.raises(rg.InvalidInputError, match="domain"):
        shallow_fiber(rg.zoo.abs_1d(), domain="box")
    with pytest.raises(rg.InvalidInputError, match="width"):
        shallow_fiber(rg.zoo.abs_1d(), 0)


def test_to_dict_is_json_ready():
    import json

    fib = shallow_fiber(rg.zoo.abs_1d(), 3)
    text = json.dumps(fib.to_dict())
    assert '"minimal_width": 2' in text


def test_cli_canonical_and_fiber(tmp_path, capsys):
    import json

    from relu_geom.cli import main

    out = tmp_path / "cf.json"
    assert main(["canonical", "zoo:duplicate_neurons", "-o", str(out)]) == 0
    cf = rg.load_network(out)
    assert cf == canonical_form(rg.zoo.duplicate_neurons())
    assert "minimal width 2" in capsys.readouterr().out
    assert main(["canonical", "zoo:abs_1d"]) == 0
    assert rg.ReLUNetwork.from_json(capsys.readouterr().out) == canonical_form(rg.zoo.abs_1d())
    assert main(["fiber", "zoo:abs_1d", "--width", "3", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["pieces"]) == 7  # 5 with single neurons per hinge, 2 with a split hinge
    for piece in data["pieces"]:
        assert _eq(rg.ReLUNetwork.from_dict(piece["sample"]), rg.zoo.abs_1d())
    assert main(["fiber", "zoo:abs_1d"]) == 0
    assert "pieces" in capsys.readouterr().out
    assert main(["fiber", "zoo:bent_2d"]) == 0
    assert main(["canonical", "zoo:demo"]) == 2
    assert "one hidden layer" in capsys.readouterr().err


# ----------------------------------------------------------------- every stratum is a piece
BASE_W, BASE_B, BASE_V = [[1, -1], [2, 1]], [1, -1], [3, -2]  # canonical rows g0 = (1,-1,1), g1 = (2,1,-1)
ORTHANT = rg.Polyhedron.from_hrep([[-1, 0, 0], [0, -1, 0]])


def _net(neurons, d=2):
    """A network from neurons ``(row (w..., b), output v)``; the output bias makes f(0) equal the base's."""
    rows = [[F(x) for x in r] for r, _ in neurons]
    outs = [F(v) for _, v in neurons]
    base0 = sum(F(v) * max(F(b), 0) for v, b in zip(BASE_V, BASE_B))
    c = base0 - sum(v * max(r[d], 0) for r, v in zip(rows, outs))
    return rg.ReLUNetwork([[r[:d] for r in rows], [outs]], [[r[d] for r in rows], [c]])


def _scaled(row, lam):
    return [F(lam) * x for x in row]


G0, G1 = [1, -1, 1], [2, 1, -1]
BASE = _net([(G0, 3), (G1, -2)])


def _only_piece(fib, net, **spec):
    expected = fib.piece(**spec)
    assert expected is not None, spec
    found = fib.pieces_containing(net)
    assert found == (expected,), [p.describe() for p in found]
    ordered = expected.ordered(net)
    assert ordered is not None and expected.satisfies_equations(ordered)
    assert _eq(net, BASE) and fib.contains(net)


@pytest.mark.parametrize(
    ("neurons", "spec"),
    [
        # permuted and rescaled
        ([(_scaled(G1, 5), F(-2, 5)), (_scaled(G0, F(1, 3)), 9)], {"hinge_counts": [(1, 0), (1, 0)]}),
        # a split neuron: two neurons on hinge 0 with hinge coefficients 2 + 1 = 3
        ([(_scaled(G0, 2), 1), (_scaled(G0, F(1, 2)), 2), (G1, -2)], {"hinge_counts": [(2, 0), (1, 0)]}),
        # hinge 0 flipped; its linear part -3 a0^T cancelled by a (2, 1) group on the parallel line a0.x + 2 = 0
        (
            [(_scaled(G0, -1), 3), (G1, -2), ([1, -1, 2], 1), ([2, -2, 4], 1), ([-1, 1, -2], -3)],
            {"hinge_counts": [(0, 1), (1, 0)], "groups": [(2, 1)]},
        ),
        # hinge 1 doubled (u = 4) and a (1, 1) pair on a parallel line giving -4 a1^T
        (
            [(G0, 3), (G1, 2), (_scaled(G1, -1), -4), ([2, 1, 3], -4), ([-2, -1, -3], 4)],
            {"hinge_counts": [(1, 0), (1, 1)], "groups": [(1, 1)]},
        ),
        # a same-orientation group of three on a free line (coefficients 1 + 2 - 3 = 0) and a dead neuron
        (
            [(G0, 3), (G1, -2), ([1, 3, 2], 1), ([2, 6, 4], 1), ([3, 9, 6], -1), ([0, 0, -1], 7)],
            {"hinge_counts": [(1, 0), (1, 0)], "groups": [(3, 0)], "n_inactive": 1},
        ),
        # hinge 0 flipped and a (2, 2) group on a parallel line with coefficients 1 + 2 + 4 - 7 = 0
        # (no smaller subset cancels) producing +3 a0^T
        (
            [
                (_scaled(G0, -1), 3),
                (G1, -2),
                ([1, -1, 2], 1),
                ([2, -2, 4], 1),
                ([-1, 1, -2], 4),
                ([-3, 3, -6], F(-7, 3)),
            ],
            {"hinge_counts": [(0, 1), (1, 0)], "groups": [(2, 2)]},
        ),
        # a constant neuron and an inert one
        ([(G0, 3), (G1, -2), ([0, 0, 2], 5), ([4, -7, 1], 0)], {"n_linear": 1, "n_inert": 1}),
    ],
)
def test_constructed_networks_lie_in_exactly_their_piece(neurons, spec):
    net = _net(neurons)
    fib = shallow_fiber(BASE, net.hidden_widths[0])
    spec = dict(spec)
    spec.setdefault("hinge_counts", [(1, 0), (1, 0)])
    spec.setdefault("groups", [])
    _only_piece(fib, net, **spec)


def test_a_group_that_splits_into_pairs_lies_in_both_pieces():
    # four neurons on one line: +x (1), +x (1), -x (1), -x (1): two cancelling pairs or one (2, 2) group
    net = _net([(G0, 3), (G1, -2), ([1, 2, 0], 1), ([1, 2, 0], -1), ([-1, -2, 0], 1), ([-1, -2, 0], -1)])
    fib = shallow_fiber(BASE, 6)
    found = {(p.hinge_counts, p.groups) for p in fib.pieces_containing(net)}
    one = ((1, 0), (1, 0))
    assert (one, ((1, 1), (1, 1))) in found and (one, ((2, 2),)) in found
    assert (one, ((2, 0), (2, 0))) in found  # also two same-orientation groups (+, +) and (-, -)


def test_every_fiber_network_lies_in_some_piece_random():
    rng = random.Random(3)
    fib = shallow_fiber(BASE, 4)
    for _ in range(12):
        sample = rng.choice(fib.pieces).sample(rng.randint(0, 99))
        perm = list(range(4))
        rng.shuffle(perm)
        moved = sample.permute_layer(1, perm).rescale_neuron(1, 0, F(rng.randint(1, 5), 3))
        assert fib.contains(moved) and fib.pieces_containing(moved)


@pytest.mark.parametrize(
    ("width", "domain"), [(4, None), (3, "orthant"), pytest.param(4, "orthant", marks=pytest.mark.slow)]
)
def test_all_pieces_sample_equivalent_and_dimension_matches_jacobian(width, domain):
    fib = shallow_fiber(BASE, width, domain=domain)
    assert fib.pieces
    dom = ORTHANT if domain else None
    for p in fib.pieces:
        s = p.sample(2)
        assert p.contains(s) and p.satisfies_equations(s)
        assert _eq(s, BASE, dom)
        assert len(p.symbols) - p.jacobian_rank(s) == p.dimension, p.describe()


# ----------------------------------------------------------------- orthant: the lineality condition
def _linear_map_network(R):
    """``f(x) = R x`` on the orthant, one linear neuron per input coordinate."""
    m, d = len(R), len(R[0])
    W = [[int(i == q) for i in range(d)] for q in range(d)]
    return rg.ReLUNetwork([W, [list(r) for r in R]], [[0] * d, [0] * m])


def test_tight_orthant_piece_with_a_half_plane_cone():
    # columns (1,0), (-1,0), (0,1) span a half-plane: lineality e1, not pointed.  The naive rule
    # ("r = rho linear-type terms need a pointed cone") rejects the piece with one cancelling pair and one
    # linear neuron, but the pair can produce the e1 direction: nonempty, dimension 4 - dim(l) * L = 3.
    R = [[1, -1, 0], [0, 0, 1]]
    net = _linear_map_network(R)
    fib = shallow_fiber(net, 3, domain="orthant")
    assert pointed_direction([(1, 0), (-1, 0), (0, 1)]) is None
    p = fib.piece(groups=[(1, 1)], n_linear=1)
    assert p is not None and p.dimension_mod_scaling == 3
    s = p.sample(0)
    assert (
        p.contains(s)
        and p.satisfies_equations(s)
        and _eq(s, net, rg.Polyhedron.from_hrep([[-int(i == j) for j in range(3)] + [0] for i in range(3)]))
    )
    # forced by the cone, not by the equations: the pair's output lies on e1 and the linear row on e3
    assert s.weights[1][1][0] == 0 and s.weights[0][2][:2] == (0, 0)
    # the equations alone cut out one more dimension (the pair's output direction)
    assert len(p.symbols) - p.jacobian_rank(s) == p.dimension + 1
    # three linear neurons and nothing else: r = rho + 1, always nonempty
    assert fib.piece(n_linear=3) is not None
    assert fib.piece(n_linear=2, n_inert=1) is None  # r = rho = 2 and the cone is not pointed


def test_tight_orthant_piece_with_a_full_cone_is_empty():
    # columns (1,0), (0,1), (-1,-1) positively span the plane: lineality of dimension 2 > one mixed group,
    # so the pair + linear neuron piece is empty (a rule "a mixed group makes it nonempty" would be wrong)
    net = _linear_map_network([[1, 0, -1], [0, 1, -1]])
    fib = shallow_fiber(net, 3, domain="orthant")
    assert fib.piece(groups=[(1, 1)], n_linear=1) is None
    assert fib.piece(n_linear=3) is not None
    with pytest.raises(rg.LimitExceededError, match="max_pieces"):
        shallow_fiber(net, 5, domain="orthant", max_pieces=10)


def test_orthant_constructed_networks():
    o_base = rg.ReLUNetwork([[[1, -1], [2, -1]], [[3, -2]]], [[1, -1], [1]])
    fib = shallow_fiber(o_base, 4, domain="orthant")
    # hinge 0 flipped: 3 relu(-z0) = 3 relu(z0) - 3 z0; the missing 3 (x1 - x2) comes from two linear
    # neurons 3 relu(x1 + 1) - 3 relu(x2 + 1), the constant 3 from the output bias
    flipped = rg.ReLUNetwork([[[-1, 1], [2, -1], [1, 0], [0, 1]], [[3, -2, 3, -3]]], [[-1, -1, 1, 1], [4]])
    assert _eq(flipped, o_base, ORTHANT)
    found = fib.pieces_containing(flipped)
    assert [(p.hinge_counts, p.n_linear) for p in found] == [(((0, 1), (1, 0)), 2)]
    # a cancelling pair on x1 + x2 = 1 (affine part 2 (x1 + x2 - 1)) cancelled by a linear neuron
    pair = rg.ReLUNetwork(
        [[[1, -1], [2, -1], [1, 1], [-1, -1], [1, 1]], [[3, -2, 2, -2, -2]]], [[1, -1, -1, 1, 0], [3]]
    )
    assert _eq(pair, o_base, ORTHANT)
    fib5 = shallow_fiber(o_base, 5, domain="orthant")
    found = fib5.pieces_containing(pair)
    assert [(p.hinge_counts, p.groups, p.n_linear) for p in found] == [(((1, 0), (1, 0)), ((1, 1),), 1)]


# ----------------------------------------------------------------- sampler regressions (orthant)
def _check_every_piece_samples(net, width, seeds):
    fib = shallow_fiber(net, width, domain="orthant")
    orthant = rg.Polyhedron.from_hrep(
        [[-int(i == j) for j in range(net.input_dim)] + [0] for i in range(net.input_dim)]
    )
    assert fib.pieces
    for p in fib.pieces:
        for seed in seeds:
            s = p.sample(seed)
            assert p.contains(s) and fib.contains(s), (p.describe(), seed)
            assert _eq(s, net, orthant), (p.describe(), seed)
    return fib


def test_constant_input_second_layer_samples_every_piece():
    # the last two layers of a [3, 3, 2, 1] network whose first layer is zero, seen on the orthant:
    # h(y) = relu(y1 + y2 + y3 + 1), no hinge, linear part (1, 1, 1).  The piece "2 linear" samples
    # the component s = 2: the lifted linear rows used to leave the span of (1, 1, 1) and a positive
    # completion vector (one random shift per coordinate), so some seeds found no core point.
    h = rg.ReLUNetwork([[[1, 0, 0], [1, 1, 1]], [[0, 1]]], [[0, 1], [0]])
    fib = _check_every_piece_samples(h, 2, range(40))
    p = fib.piece(n_linear=2)
    assert p is not None and p.core_rank == 2 and p.dimension_mod_scaling == 5


def test_tight_orthant_piece_with_a_doubled_hinge_samples():
    # flips [1, 2], doubled [0], one linear neuron: R_S = (-1/3, 2/3, 0) and the doubled normal
    # (1, 1, 1) give the pointed cone of (-1/3, 1), (2/3, 1), (0, 1); the direction y = (0, 1)
    # is positive on it but vanishes on R^m x 0, so its kernel missed the doubled hinge's coordinate.
    net = rg.ReLUNetwork(
        [[[F(-3, 2), F(-2, 3), F(1, 3)], [1, 1, 1], [1, 3, -3], [F(1, 3), F(-2, 3), 0]], [[3, -3, 0, -1]]],
        [[1, -1, F(3, 2), F(1, 2)], [F(1, 3)]],
    )
    fib = shallow_fiber(net, 5, domain="orthant")
    p = fib.piece(flips=[1, 2], doubled=[0], n_linear=1)
    assert p is not None
    orthant = rg.Polyhedron.from_hrep([[-int(i == j) for j in range(3)] + [0] for i in range(3)])
    for seed in range(5):
        s = p.sample(seed)
        assert p.contains(s) and _eq(s, net, orthant)
    small = rg.ReLUNetwork([[[0, 1], [-2, 2], [2, 2]], [[0, 1, F(2, 3)]]], [[1, 2, F(-1, 3)], [0]])
    _check_every_piece_samples(small, 4, range(3))
