"""Exact real points of zero-dimensional polynomial systems, and networks evaluated at them.

A configuration set whose remaining equations have finitely many complex solutions
(``docs/fibers.md``, section 6.4) is decided point by point.  The points are read off a
lex Groebner basis in *shape form*

    x_1 - q_1(t), ..., x_n - q_n(t), p(t)

with ``t`` the last unknown or a new one, ``t = c . x`` (a few small integer forms ``c``
are tried): every zero of the system is ``(q_1(tau), ..., q_n(tau))`` for a root ``tau``
of ``p``, and a real zero has a real ``tau`` (``tau = c . x``).  ``p`` is factored over
``Q``: a factor of degree 1 gives a rational point, a factor ``h`` of higher degree
gives one point per real root ``alpha`` of ``h``, each held as :class:`RealRoot` (``h``
and an isolating interval with rational ends), with coordinates in the field
``Q(alpha) = Q[t] / h``.

In that field everything a network needs is exact: sums and products are polynomials
reduced modulo ``h``; an element ``r`` is zero iff ``h`` divides it (``h`` is
irreducible); otherwise the sign of ``r(alpha)`` is found by halving the interval of
``alpha`` until an exact interval evaluation of ``r`` excludes 0 (it terminates because
``r(alpha) != 0``).  So :func:`evaluate_at_root` computes ``eta(x)`` exactly at a rational
input ``x`` for a network ``eta`` with entries in ``Q(alpha)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

__all__ = ["RealRoot", "element_at_root", "evaluate_at_root", "finite_real_points", "root_sign"]

Element = tuple[Fraction, ...]
"""An element of ``Q(alpha)``: coefficients of a polynomial in ``t``, constant term first,
of degree below ``deg h``."""


@dataclass(frozen=True, slots=True)
class RealRoot:
    """The real root ``alpha`` of the irreducible polynomial ``poly`` in ``(low, high)``.

    Attributes
    ----------
    poly : tuple of Fraction
        Monic, irreducible over ``Q``, degree ``>= 2``; coefficients, constant term first.
    low, high : Fraction
        ``poly`` has exactly one root in the open interval ``(low, high)``, and none at
        its ends (which are rational).
    """

    poly: Element
    low: Fraction
    high: Fraction

    @property
    def degree(self) -> int:
        return len(self.poly) - 1

    def approximation(self) -> float:
        """A float near ``alpha`` (display only)."""
        return float((self.low + self.high) / 2)


def _value(poly: Sequence[Fraction], x: Fraction) -> Fraction:
    v = Fraction(0)
    for c in reversed(poly):
        v = v * x + c
    return v


def _interval(poly: Sequence[Fraction], lo: Fraction, hi: Fraction) -> tuple[Fraction, Fraction]:
    """Exact bounds of ``poly`` on ``[lo, hi]`` by interval Horner evaluation."""
    a = b = Fraction(0)
    for c in reversed(poly):
        prods = (a * lo, a * hi, b * lo, b * hi)
        a, b = min(prods) + c, max(prods) + c
    return a, b


def _sign(v: Fraction) -> int:
    return (v > 0) - (v < 0)


def _reduce(r: Sequence[Fraction], h: Sequence[Fraction]) -> Element:
    """``r mod h`` (``h`` monic), trailing zeros removed."""
    out = list(r)
    n = len(h) - 1
    while len(out) > n:
        lead = out.pop()
        if lead:
            for i in range(n):
                out[len(out) - n + i] -= lead * h[i]
    while out and out[-1] == 0:
        out.pop()
    return tuple(out)


def _mul(a: Element, b: Element, h: Element) -> Element:
    if not a or not b:
        return ()
    prod = [Fraction(0)] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        if x:
            for j, y in enumerate(b):
                prod[i + j] += x * y
    return _reduce(prod, h)


def _add(a: Element, b: Element, scale: Fraction = Fraction(1)) -> Element:
    n = max(len(a), len(b))
    out = [(a[i] if i < len(a) else 0) + scale * (b[i] if i < len(b) else 0) for i in range(n)]
    while out and out[-1] == 0:
        out.pop()
    return tuple(Fraction(v) for v in out)


def root_sign(root: RealRoot, r: Sequence[Fraction], *, max_halvings: int = 2000) -> int:
    """The sign of ``r(alpha)`` for a polynomial ``r`` (coefficients, constant first).

    Exact: 0 iff ``root.poly`` divides ``r``; otherwise the isolating interval is halved
    (keeping the half where ``poly`` changes sign) until the interval evaluation of ``r``
    has one sign.

    Raises
    ------
    LimitExceededError
        After ``max_halvings`` halvings (not expected: ``r(alpha) != 0`` is then
        separated from 0 once the interval is short enough).

    Examples
    --------
    >>> import relu_geom as rg
    >>> from fractions import Fraction as F
    >>> from relu_geom.analyses.fibers.algebraic import RealRoot, root_sign
    >>> sqrt2 = RealRoot((F(-2), F(0), F(1)), F(1), F(2))  # t^2 - 2 on (1, 2)
    >>> root_sign(sqrt2, (F(-7, 5), F(1))), root_sign(sqrt2, (F(-3, 2), F(1)))  # sqrt 2 - 1.4, sqrt 2 - 1.5
    (1, -1)
    >>> root_sign(sqrt2, (F(-2), F(0), F(1)))
    0
    """
    from relu_geom.errors import LimitExceededError

    red = _reduce(r, root.poly)
    if not red:
        return 0
    lo, hi = root.low, root.high
    s_lo = _sign(_value(root.poly, lo))
    for _ in range(max_halvings):
        a, b = _interval(red, lo, hi)
        if a > 0 or b < 0:
            return _sign(a) if a > 0 else -1
        mid = (lo + hi) / 2
        s_mid = _sign(_value(root.poly, mid))
        if s_mid == s_lo:
            lo = mid
        else:
            hi = mid
    raise LimitExceededError(f"root_sign: limit max_halvings={max_halvings} reached")


def evaluate_at_root(
    weights: Sequence[Sequence[Sequence[Element]]],
    biases: Sequence[Sequence[Element]],
    root: RealRoot,
    x: Sequence[Fraction],
) -> tuple[Element, ...]:
    """The output of the ReLU network with entries in ``Q(alpha)`` at the rational input ``x``.

    ``weights[l][i][j]`` and ``biases[l][i]`` are elements (polynomials in ``alpha``,
    constant first); ``relu`` reads the exact sign (:func:`root_sign`).  The outputs are
    elements reduced modulo ``root.poly``: an output equals a rational ``q`` iff it is
    ``(q,)`` (``()`` for 0).

    Examples
    --------
    >>> import relu_geom as rg
    >>> from fractions import Fraction as F
    >>> from relu_geom.analyses.fibers.algebraic import RealRoot, evaluate_at_root
    >>> sqrt2 = RealRoot((F(-2), F(0), F(1)), F(1), F(2))
    >>> # relu(sqrt2 x - 1) * sqrt2: at x = 1 it is 2 - sqrt2
    >>> evaluate_at_root([[[(F(0), F(1))]], [[(F(0), F(1))]]], [[(F(-1),)], [()]], sqrt2, [F(1)])
    ((Fraction(2, 1), Fraction(-1, 1)),)
    """
    h = root.poly
    y: list[Element] = [_reduce((Fraction(v),), h) for v in x]
    n_layers = len(weights)
    for ell, (W, b) in enumerate(zip(weights, biases)):
        z = []
        for row, bi in zip(W, b):
            acc = _reduce(tuple(bi), h)
            for w, yj in zip(row, y):
                acc = _add(acc, _mul(_reduce(tuple(w), h), yj, h))
            z.append(acc)
        y = z if ell == n_layers - 1 else [v if root_sign(root, v) > 0 else () for v in z]
    return tuple(y)


def element_at_root(expr: Any, root: RealRoot, coords: dict[Any, Element]) -> Element | None:
    """The value in ``Q(alpha)`` of a rational function ``expr`` of the unknowns at ``coords``.

    ``coords`` maps each unknown of ``expr`` to an element of ``Q(alpha)``; a Fraction is
    its own value.  None when the denominator of ``expr`` vanishes at ``alpha`` (``h``
    divides it): ``expr`` is not defined there.

    Examples
    --------
    >>> import relu_geom as rg
    >>> import sympy
    >>> from fractions import Fraction as F
    >>> from relu_geom.analyses.fibers.algebraic import RealRoot, element_at_root
    >>> sqrt2 = RealRoot((F(-2), F(0), F(1)), F(1), F(2))
    >>> a = sympy.Symbol("a")
    >>> element_at_root(1 / (a - 1), sqrt2, {a: (F(0), F(1))})  # 1 / (sqrt 2 - 1) = sqrt 2 + 1
    (Fraction(1, 1), Fraction(1, 1))
    >>> element_at_root(1 / (a**2 - 2), sqrt2, {a: (F(0), F(1))}) is None
    True
    """
    import sympy

    if isinstance(expr, Fraction):
        return (expr,) if expr else ()
    t = sympy.Dummy("t")
    h = sum(sympy.Rational(c.numerator, c.denominator) * t**i for i, c in enumerate(root.poly))
    rep = {
        x: sum(sympy.Rational(c.numerator, c.denominator) * t**i for i, c in enumerate(el))
        for x, el in coords.items()
    }
    num, den = sympy.fraction(sympy.together(sympy.sympify(expr).xreplace(rep)))
    den = sympy.rem(sympy.expand(den), h, t)
    if den == 0:
        return None
    value = sympy.rem(sympy.expand(num * sympy.invert(den, h, t)), h, t)
    coeffs = sympy.Poly(value, t, domain="QQ").all_coeffs()
    out = [Fraction(int(c.p), int(c.q)) for c in reversed(coeffs)]
    while out and out[-1] == 0:
        out.pop()
    return tuple(out)


def _shape(basis: Sequence[Any], gens: Sequence[Any], t: Any) -> tuple[list[Any], Any] | None:
    """``([q_1, ..., q_n], p)`` when the lex basis is ``x_i - q_i(t)``, ``p(t)``; else None."""
    import sympy

    qs: dict[Any, Any] = {}
    p = None
    for g in basis:
        syms = g.free_symbols
        if syms <= {t}:
            if p is not None:
                return None
            p = g
            continue
        others = [x for x in gens if x in syms and x != t]
        if len(others) != 1 or not (syms - {t}) <= set(others):
            return None
        x = others[0]
        poly = sympy.Poly(g, x)
        if poly.degree() != 1 or not poly.LC().is_number:
            return None
        qs[x] = sympy.expand(-poly.nth(0) / poly.LC())
    if p is None or set(qs) != {x for x in gens if x != t}:
        return None
    return [qs.get(x, t) for x in gens], p


def finite_real_points(
    equations: Sequence[Any], gens: Sequence[Any], *, tries: int = 4
) -> tuple[list[dict[Any, Fraction]], list[tuple[RealRoot, dict[Any, Element]]]] | None:
    """All real zeros of a zero-dimensional system, exactly: rational ones and algebraic ones.

    Parameters
    ----------
    equations
        SymPy polynomials with rational coefficients in ``gens``.
    gens
        The unknowns.
    tries
        Linear forms ``t = c . x`` tried when the lex basis itself is not in shape form.

    Returns
    -------
    (rational, algebraic) or None
        ``rational``: one dict ``{x: Fraction}`` per rational zero; ``algebraic``: per
        irrational real zero, its :class:`RealRoot` ``alpha`` and the coordinates as
        elements of ``Q(alpha)``.  Together they are every real zero.  None when the
        system is not zero-dimensional, or no shape form was found (then nothing is
        claimed).

    Examples
    --------
    >>> import relu_geom as rg
    >>> import sympy
    >>> from relu_geom.analyses.fibers.algebraic import finite_real_points
    >>> x, y = sympy.symbols("x y")
    >>> rat, alg = finite_real_points([x**2 - 2 * y, y**2 - 3 * y + 2], [x, y])
    >>> sorted(tuple(p[v] for v in (x, y)) for p in rat)  # y = 2, x = +-2
    [(Fraction(-2, 1), Fraction(2, 1)), (Fraction(2, 1), Fraction(2, 1))]
    >>> from relu_geom.analyses.fibers.algebraic import root_sign
    >>> # y = 1, x = +-sqrt 2: two irrational points, y rational, x of either sign
    >>> [c[y] for r, c in alg], sorted(root_sign(r, c[x]) for r, c in alg)
    ([(Fraction(1, 1),), (Fraction(1, 1),)], [-1, 1])
    """
    import sympy

    gens = list(gens)
    if not gens:
        return None
    G = sympy.groebner(list(equations), *gens, order="lex")
    if list(G.exprs) == [1]:
        return [], []
    if not G.is_zero_dimensional:
        return None
    found = _shape(list(G.exprs), gens, gens[-1])
    forms = [
        [k + 1 for k in range(len(gens))],
        [1] * len(gens),
        [(-1) ** k * (k + 2) for k in range(len(gens))],
    ]
    k = 0
    while found is None and k < min(tries, len(forms)):
        t = sympy.Dummy("t")
        c = forms[k]
        k += 1
        Gt = sympy.groebner(
            list(equations) + [t - sum(ci * x for ci, x in zip(c, gens))], *gens, t, order="lex"
        )
        shape = _shape(list(Gt.exprs), gens + [t], t)
        if shape is not None:
            found = (shape[0][:-1], shape[1])
    if found is None:
        return None
    qs, p = found
    t = next(iter(sympy.sympify(p).free_symbols))
    rational: list[dict[Any, Fraction]] = []
    algebraic: list[tuple[RealRoot, dict[Any, Element]]] = []
    _c, factors = sympy.factor_list(sympy.Poly(p, t, domain="QQ"))
    for fac, _mult in factors:
        fac = fac.monic()
        if fac.degree() == 1:
            tau = -fac.nth(0)
            rational.append({x: Fraction(str(sympy.Rational(q.subs(t, tau)))) for x, q in zip(gens, qs)})
            continue
        coeffs = tuple(Fraction(str(c)) for c in reversed(fac.all_coeffs()))
        for (lo, hi), _k in fac.intervals():
            root = RealRoot(coeffs, Fraction(str(lo)), Fraction(str(hi)))
            coords = {}
            for x, q in zip(gens, qs):
                qc = tuple(Fraction(str(c)) for c in reversed(sympy.Poly(q, t, domain="QQ").all_coeffs()))
                coords[x] = _reduce(qc, coeffs)
            algebraic.append((root, coords))
    return rational, algebraic
