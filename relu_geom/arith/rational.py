"""The one place that chooses the rational type and converts user numbers to it.

relu_geom's public values are :class:`fractions.Fraction`.  Hot paths work on
Python integers (homogeneous coordinates, integer-scaled weights); this module
is the only one that turns outside numbers into exact rationals.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from relu_geom._util import short_repr
from relu_geom.errors import DimensionMismatchError, InvalidInputError

__all__ = ["QQ", "as_bounds", "as_point", "clear_denominators", "format_rational", "primitive", "to_rational"]

QQ = Fraction
"""The exact rational type used in every public value."""

MAX_DIGITS = 4300
"""The most digits a number written as a string may have (Python's own int-to-str bound)."""

MAX_EXPONENT = 10_000
"""The largest ``|e|`` of a decimal exponent ``...e<e>`` in a number string (``1e10000`` has 33220 bits)."""

_EXPONENT_RE = re.compile(r"[eE]\s*([-+]?[\d_]+)")


def _check_number_text(text: str, what: str) -> None:
    """Refuse, before parsing, a number string whose exact value would be too costly to build."""
    digits = sum(c.isdigit() for c in text)
    if digits > MAX_DIGITS:
        raise InvalidInputError(
            f"{what}: a number string of {digits} digits, more than the limit of {MAX_DIGITS}"
        )
    match = _EXPONENT_RE.search(text)
    if match:
        exponent = match.group(1).replace("_", "")
        if len(exponent.lstrip("+-0")) > 6 or abs(int(exponent)) > MAX_EXPONENT:
            raise InvalidInputError(
                f"{what}: the exponent {exponent[:20]} is beyond the limit of +-{MAX_EXPONENT} "
                "for a number string"
            )


def to_rational(value: object, *, what: str = "value") -> Fraction:
    """Convert one number to an exact :class:`~fractions.Fraction`.

    Parameters
    ----------
    value
        An int, Fraction (or any :class:`numbers.Rational`), a string such as
        ``"3/4"``, ``"-2"``, ``"0.125"`` or ``"2.5e2"`` (decimal strings are read
        as exact decimals), a finite float or numpy number (read as the exact
        binary value it denotes: every float is a dyadic rational), or a
        finite :class:`decimal.Decimal`.  A string or Decimal has at most
        :data:`MAX_DIGITS` digits and a decimal exponent of at most
        :data:`MAX_EXPONENT` in absolute value (so reading it takes bounded
        time and memory).
    what
        How to name the value in an error message, e.g. ``"weights[0][1][2]"``.

    Returns
    -------
    Fraction

    Raises
    ------
    InvalidInputError
        For NaN, infinities, booleans, non-numeric strings, strings beyond the
        digit or exponent bound, and other types.

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.arith.to_rational("3/4"), rg.arith.to_rational(0.1) == rg.arith.QQ(1, 10)
    (Fraction(3, 4), False)
    >>> rg.arith.to_rational(0.125)
    Fraction(1, 8)
    """
    if isinstance(value, bool):
        raise InvalidInputError(f"{what}: expected a number, got the boolean {value!r}")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, numbers.Rational):
        return Fraction(int(value.numerator), int(value.denominator))
    if isinstance(value, str):
        text = value.strip()
        _check_number_text(text, what)
        try:
            return Fraction(text)
        except (ValueError, ZeroDivisionError):
            raise InvalidInputError(
                f"{what}: expected a rational number such as '3/4', '-2' or '0.125', got the string {value[:80]!r}"
            ) from None
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidInputError(f"{what}: expected a finite number, got {short_repr(value)}")
        _check_number_text(str(value), what)
        return Fraction(value)
    if hasattr(value, "dtype") and getattr(value, "shape", None) == ():
        # numpy scalar (or 0-d array); long doubles keep every bit through as_integer_ratio
        kind = getattr(value.dtype, "kind", "")
        if kind == "f":
            if not bool(value == value) or value in (float("inf"), float("-inf")):
                raise InvalidInputError(f"{what}: expected a finite number, got {short_repr(value)}")
            num, den = value.as_integer_ratio()  # type: ignore[attr-defined]
            return Fraction(int(num), int(den))
        item = value.item()  # type: ignore[attr-defined]
        if isinstance(item, (int, float, bool)):
            return to_rational(item, what=what)
    if isinstance(value, numbers.Real):
        as_float = float(value)
        if not math.isfinite(as_float):
            raise InvalidInputError(f"{what}: expected a finite number, got {short_repr(value)}")
        return Fraction(as_float)
    raise InvalidInputError(
        f"{what}: expected a number (int, Fraction, float or string like '3/4'), "
        f"got {type(value).__name__} {value!r:.80}"
    )


def as_point(x: object, dim: int, *, what: str = "x") -> tuple[Fraction, ...]:
    """Convert a point to a tuple of ``dim`` exact rationals.

    A scalar is accepted for ``dim == 1``.

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.arith.as_point([1, "1/2"], 2)
    (Fraction(1, 1), Fraction(1, 2))
    """
    if dim == 1 and (isinstance(x, (numbers.Number, str, Decimal)) or getattr(x, "shape", None) == ()):
        return (to_rational(x, what=what),)
    if hasattr(x, "tolist") and not isinstance(x, (str, bytes)):
        x = x.tolist()
    if not isinstance(x, Iterable) or isinstance(x, (str, bytes)):
        raise InvalidInputError(f"{what}: expected a sequence of {dim} numbers, got {short_repr(x)}")
    items = list(x)
    if len(items) != dim:
        raise DimensionMismatchError(f"{what}: expected a point with {dim} coordinates, got {len(items)}")
    return tuple(to_rational(v, what=f"{what}[{i}]") for i, v in enumerate(items))


def as_bounds(pairs: Iterable[object], *, what: str = "bounds") -> tuple[tuple[Fraction, Fraction], ...]:
    """Per-coordinate pairs ``(lo, hi)`` of exact numbers with ``lo < hi``, as rationals.

    The one reading of a box's bounds (polyhedra, compile domains, drawing windows); the
    messages name ``what[i]``.  An empty sequence gives ``()`` (the caller decides whether
    that is allowed).

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.arith.rational.as_bounds([(0, "1/2"), (-1, 1)])
    ((Fraction(0, 1), Fraction(1, 2)), (Fraction(-1, 1), Fraction(1, 1)))
    >>> rg.arith.rational.as_bounds([(1, 0)], what="window")
    Traceback (most recent call last):
    ...
    relu_geom.errors.InvalidInputError: window[0]: expected lo < hi, got lo=1, hi=0
    """
    out = []
    for i, pair in enumerate(pairs):
        try:
            items = None if isinstance(pair, (str, bytes)) else list(pair)  # type: ignore[call-overload]
        except TypeError:
            items = None
        if items is None or len(items) != 2:
            raise InvalidInputError(f"{what}[{i}]: expected a pair (lo, hi), got {short_repr(pair)}")
        lo, hi = (to_rational(v, what=f"{what}[{i}]") for v in items)
        if not lo < hi:
            raise InvalidInputError(f"{what}[{i}]: expected lo < hi, got lo={_number_text(lo)}, hi={_number_text(hi)}")
        out.append((lo, hi))
    return tuple(out)


def _number_text(value: Fraction, limit: int = 40) -> str:
    text = str(value)
    return text if len(text) <= limit else f"a number of {len(text)} characters"


def primitive(row: Iterable[int]) -> tuple[int, ...]:
    """Divide an integer vector by the gcd of its entries (zero stays zero).

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.arith.rational.primitive([4, -6, 0])
    (2, -3, 0)
    """
    row = tuple(row)
    g = math.gcd(*row)
    if g > 1:
        return tuple(v // g for v in row)
    return row


def clear_denominators(row: Iterable[Fraction | int]) -> tuple[int, ...]:
    """The primitive integer vector that is a positive multiple of a rational vector.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from fractions import Fraction as F
    >>> rg.arith.rational.clear_denominators([F(1, 2), F(-1, 3), 0])
    (3, -2, 0)
    """
    values = [Fraction(v) for v in row]
    den = math.lcm(*(v.denominator for v in values)) if values else 1
    return primitive(int(v * den) for v in values)


def format_rational(value: Fraction) -> int | str:
    """JSON form of a rational: a plain int when integral, else the string ``"p/q"``.

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.arith.rational.format_rational(rg.arith.QQ(3, 4)), rg.arith.rational.format_rational(rg.arith.QQ(2))
    ('3/4', 2)
    """
    if value.denominator == 1:
        return int(value.numerator)
    return f"{value.numerator}/{value.denominator}"
