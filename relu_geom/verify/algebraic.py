"""Exact real-root counting (Sturm sequences) for the l2 Lipschitz constant.

Polynomials are lists of Fractions, constant term first.  ``L^2`` is given as the
unique root ``alpha`` of a polynomial ``p`` in an interval ``[a, b]``; the checker
decides exactly whether ``alpha`` is a root of the characteristic polynomial of
``A^T A`` and whether that polynomial has a root above ``alpha``.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

__all__ = ["charpoly", "count_roots", "is_root", "no_root_above"]

Poly = list[Fraction]

MAX_BISECTIONS = 4000
"""Bisections of ``[a, b]`` allowed to separate ``alpha`` from the other roots."""


def _trim(p: Sequence[Fraction]) -> Poly:
    out = [Fraction(c) for c in p]
    while out and out[-1] == 0:
        out.pop()
    return out


def _rem(a: Poly, b: Poly) -> Poly:
    a = list(a)
    while len(a) >= len(b):
        f = a[-1] / b[-1]
        shift = len(a) - len(b)
        for i, c in enumerate(b):
            a[shift + i] -= f * c
        a.pop()
        a = _trim(a)
    return a


def _quo(a: Poly, b: Poly) -> Poly:
    a = list(a)
    q = [Fraction(0)] * max(len(a) - len(b) + 1, 0)
    while len(a) >= len(b) and a:
        f = a[-1] / b[-1]
        shift = len(a) - len(b)
        q[shift] = f
        for i, c in enumerate(b):
            a[shift + i] -= f * c
        a.pop()
        a = _trim(a)
    return q


def gcd(a: Poly, b: Poly) -> Poly:
    """Monic greatest common divisor (``[1]`` for coprime, ``[]`` for two zeros)."""
    a, b = _trim(a), _trim(b)
    while b:
        a, b = b, _rem(a, b)
    return [c / a[-1] for c in a] if a else []


def _derivative(p: Poly) -> Poly:
    return _trim([i * c for i, c in enumerate(p)][1:])


def _value(p: Poly, x: Fraction) -> Fraction:
    total = Fraction(0)
    for c in reversed(p):
        total = total * x + c
    return total


def _variations(seq: list[Fraction]) -> int:
    signs = [s for s in seq if s != 0]
    return sum(1 for u, v in zip(signs, signs[1:]) if (u > 0) != (v > 0))


def count_roots(p: Sequence[Fraction], lo: Fraction, hi: Fraction | None, *, closed: bool = True) -> int:
    """Number of distinct real roots of ``p`` in ``[lo, hi]`` (``(lo, hi]`` if not closed);
    ``hi=None`` means ``+infinity``.  ``p`` must not be zero."""
    p = _trim(p)
    if not p:
        raise ValueError("count_roots: the zero polynomial")
    sq = _quo(p, gcd(p, _derivative(p))) if len(p) > 2 else p
    seq = [sq]
    nxt = _derivative(sq)
    while nxt:
        seq.append(nxt)
        nxt = [-c for c in _rem(seq[-2], seq[-1])]
    at_lo = _variations([_value(s, lo) for s in seq])
    at_hi = _variations([s[-1] for s in seq]) if hi is None else _variations([_value(s, hi) for s in seq])
    return at_lo - at_hi + (1 if closed and _value(sq, lo) == 0 else 0)


def is_root(q: Poly, p: Poly, a: Fraction, b: Fraction) -> bool:
    """Whether the unique root ``alpha`` of ``p`` in ``[a, b]`` is a root of ``q``."""
    g = gcd(q, p)
    return len(g) > 1 and count_roots(g, a, b) == 1


def no_root_above(q: Poly, p: Poly, a: Fraction, b: Fraction) -> bool | None:
    """Whether every real root of ``q`` is ``<= alpha`` (the unique root of ``p`` in ``[a, b]``).

    ``[a, b]`` is bisected around ``alpha`` until the roots of ``q`` other than ``alpha``
    leave it; ``None`` if :data:`MAX_BISECTIONS` do not suffice.
    """
    q = _trim(q)
    rest = q  # q without the factors it shares with p (whose only root in [a, b] is alpha)
    g = gcd(rest, p)
    while len(g) > 1:
        rest = _quo(rest, g)
        g = gcd(rest, p)
    for _ in range(MAX_BISECTIONS):
        if count_roots(q, b, None, closed=False) > 0:
            return False
        if len(rest) <= 1 or count_roots(rest, a, b) == 0:
            return True
        mid = (a + b) / 2
        if count_roots(p, a, mid) == 1:
            b = mid
        else:
            a = mid
    return None


def charpoly(m: Sequence[Sequence[Fraction]]) -> Poly:
    """Characteristic polynomial ``det(t I - M)`` of a square matrix (Faddeev-LeVerrier)."""
    n = len(m)
    coeffs = [Fraction(0)] * (n + 1)
    coeffs[n] = Fraction(1)
    mk = [[Fraction(0)] * n for _ in range(n)]  # M_0 = 0
    for k in range(1, n + 1):
        # M_k = M M_{k-1} + c_{n-k+1} I ; c_{n-k} = -tr(M M_k) / k
        prod = [
            [sum((m[i][t] * mk[t][j] for t in range(n)), Fraction(0)) for j in range(n)] for i in range(n)
        ]
        for i in range(n):
            prod[i][i] += coeffs[n - k + 1]
        mk = prod
        am = [[sum((m[i][t] * mk[t][j] for t in range(n)), Fraction(0)) for j in range(n)] for i in range(n)]
        coeffs[n - k] = -sum((am[i][i] for i in range(n)), Fraction(0)) / k
    return coeffs
