"""Exact real points of zero-dimensional systems (relu_geom.analyses.fibers.algebraic)."""

from __future__ import annotations

from fractions import Fraction as F

import pytest
import sympy

import relu_geom as rg
from relu_geom.analyses.fibers.algebraic import (
    RealRoot,
    element_at_root,
    evaluate_at_root,
    finite_real_points,
    root_sign,
)
from relu_geom.analyses.fibers.configurations import function_data
from relu_geom.testing import specimens

SQRT2 = RealRoot((F(-2), F(0), F(1)), F(1), F(2))  # t^2 - 2 on (1, 2)


def _expr(el, t):
    return sum(sympy.Rational(c.numerator, c.denominator) * t**i for i, c in enumerate(el))


def _check_root(r):
    t = sympy.Symbol("t")
    h = _expr(r.poly, t)
    assert sympy.Poly(h, t).is_irreducible and r.degree >= 2
    # exactly one real root in the open interval, none at its ends (Sturm count, sympy)
    assert sympy.Poly(h, t).count_roots(r.low, r.high) == 1
    assert h.subs(t, r.low) != 0 and h.subs(t, r.high) != 0


def test_rational_and_irrational_points_of_a_system():
    # x^2 = 2 y, (y - 1)(y - 2) = 0: the real zeros are (+-2, 2) and (+-sqrt 2, 1)
    x, y = sympy.symbols("x y")
    eqs = [x**2 - 2 * y, y**2 - 3 * y + 2]
    rat, alg = finite_real_points(eqs, [x, y])
    assert sorted((p[x], p[y]) for p in rat) == [(-2, 2), (2, 2)]
    assert len(alg) == 2
    t = sympy.Symbol("t")
    signs = []
    for r, c in alg:
        _check_root(r)
        h = _expr(r.poly, t)
        # the equations vanish in Q(alpha) = Q[t] / h
        for e in eqs:
            val = e.xreplace({x: _expr(c[x], t), y: _expr(c[y], t)})
            assert sympy.rem(sympy.expand(val), h, t) == 0
        assert c[y] == (F(1),)
        signs.append(root_sign(r, c[x]))
    assert sorted(signs) == [-1, 1]
    # every real zero: sympy's own solution of the system has four real points
    assert len([s for s in sympy.solve(eqs, [x, y], dict=True) if all(v.is_real for v in s.values())]) == 4


def test_shape_form_with_the_last_unknown():
    # y^3 = 2 and x = y^2 - 1: one real zero, y the real cube root of 2
    x, y = sympy.symbols("x y")
    rat, alg = finite_real_points([x - y**2 + 1, y**3 - 2], [x, y])
    assert rat == []
    ((r, c),) = alg
    _check_root(r)
    assert r.poly == (F(-2), F(0), F(0), F(1))
    assert (r.low**3 - 2) * (r.high**3 - 2) < 0  # t^3 - 2 changes sign on the interval
    assert c[x] == (F(-1), F(0), F(1)) and c[y] == (F(0), F(1))


def test_no_zero_and_positive_dimension():
    x, y = sympy.symbols("x y")
    assert finite_real_points([x - 1, x - 2], [x]) == ([], [])
    assert finite_real_points([x * y - 1], [x, y]) is None  # a curve
    # complex zeros only: x^2 + 1 has no real root
    assert finite_real_points([x**2 + 1], [x]) == ([], [])


def test_root_sign_is_exact():
    # 1.41^2 = 1.9881 < 2 < 2.0164 = 1.42^2, so 1.41 < sqrt 2 < 1.42
    assert root_sign(SQRT2, (F(-141, 100), F(1))) == 1
    assert root_sign(SQRT2, (F(-142, 100), F(1))) == -1
    # 1.4142135^2 = 1.99999982358225 < 2: sqrt 2 - 1.4142135 > 0, close to 0
    assert root_sign(SQRT2, (F(-14142135, 10**7), F(1))) == 1
    # t^3 - 2 t = t (t^2 - 2) is 0 at sqrt 2, written above the degree
    assert root_sign(SQRT2, (F(0), F(-2), F(0), F(1))) == 0
    # 3 - 2 sqrt 2 = (sqrt 2 - 1)^2 > 0
    assert root_sign(SQRT2, (F(3), F(-2))) == 1


def test_evaluate_a_network_with_irrational_weights():
    one, s = (F(1),), (F(0), F(1))  # 1 and sqrt 2 in Q(sqrt 2)
    # relu(sqrt2 x - 1): at x = 1 it is sqrt 2 - 1; at x = 7/10 it is 0 (0.98 < 1)
    W, b = [[[s]], [[one]]], [[(F(-1),)], [()]]
    assert evaluate_at_root(W, b, SQRT2, [F(1)]) == ((F(-1), F(1)),)
    assert evaluate_at_root(W, b, SQRT2, [F(7, 10)]) == ((),)
    # sqrt2 relu(sqrt2 x) = 2 relu(x): irrational weights, a rational function
    W2, b2 = [[[s]], [[s]]], [[()], [()]]
    net = rg.ReLUNetwork([[[2]], [[1]]], [[0], [0]])
    for x in [F(-3), F(0), F(5, 7), F(3)]:
        (q,) = net([x])
        assert evaluate_at_root(W2, b2, SQRT2, [x]) == (((q,) if q else ()),)


def test_root_sign_limit():
    with pytest.raises(rg.LimitExceededError, match="max_halvings=1"):
        root_sign(SQRT2, (F(-14142135, 10**7), F(1)), max_halvings=1)


def test_element_at_root():
    a, b = sympy.symbols("a b")
    c = {a: (F(0), F(1)), b: (F(3),)}  # a = sqrt 2, b = 3
    # (a + b)^2 = 11 + 6 sqrt 2; 1 / (a - 1) = sqrt 2 + 1; a / b = sqrt 2 / 3
    assert element_at_root(sympy.expand((a + b) ** 2), SQRT2, c) == (F(11), F(6))
    assert element_at_root(1 / (a - 1), SQRT2, c) == (F(1), F(1))
    assert element_at_root(a / b, SQRT2, c) == (F(0), F(1, 3))
    assert element_at_root(F(5, 7), SQRT2, c) == (F(5, 7),)
    assert element_at_root(a**2 - 2, SQRT2, c) == ()
    assert element_at_root(b / (a**2 - 2), SQRT2, c) is None  # undefined at sqrt 2


@pytest.mark.parametrize(
    ("second", "realizes"),
    [
        # a relu(a x), a^2 = 2: 2 relu(x) or -2 relu(-x), never relu(x)
        (lambda a: a, [False, False]),
        # relu(a x) / a, a^2 = 2: relu(x) for a = sqrt 2 (a rescaling), -relu(-x) for a = -sqrt 2
        (lambda a: 1 / a, [False, True]),
    ],
)
def test_irrational_points_against_a_function(second, realizes):
    # f = relu(x); candidate networks x -> W2 relu(W1 x) with W1 = a, W2 = second(a), a^2 = 2
    net = specimens.relu_1d()
    data = function_data(net)
    a = sympy.Symbol("a")
    rat, alg = finite_real_points([a**2 - 2], [a])
    assert rat == [] and len(alg) == 2
    probes = [(x, net(x)[0]) for x in data.region_points] + [(f.point, net(f.point)[0]) for f in data.facets]
    assert sorted(x[0] > 0 for x, _ in probes[:2]) == [False, True]  # a point on each side of 0
    got = []
    for r, coords in sorted(alg, key=lambda p: p[0].low):
        W = [[[element_at_root(a, r, coords)]], [[element_at_root(second(a), r, coords)]]]
        B = [[()], [()]]
        got.append(all(evaluate_at_root(W, B, r, x) == (((v,) if v else ()),) for x, v in probes))
    assert got == realizes
