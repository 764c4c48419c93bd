"""Closed formulas for face counts of hyperplane arrangements (the one-hidden-layer case)."""

from __future__ import annotations

from math import comb

from relu_geom._util import short_repr
from relu_geom.errors import InvalidInputError, LimitExceededError

__all__ = ["general_position_f_vector", "general_position_bounded_regions"]


MAX_DIM = 200
"""The largest dimension ``d`` of the closed formulas (their cost grows like ``d**2``)."""

MAX_BITS = 1 << 16
"""The largest ``d * bits(n)``, a bound on the bits of the counts."""


def _check(n: int, d: int) -> None:
    if isinstance(n, bool) or isinstance(d, bool) or not isinstance(n, int) or not isinstance(d, int) or n < 0 or d < 1:
        raise InvalidInputError(
            f"expected n >= 0 hyperplanes in dimension d >= 1, got n={short_repr(n, 40)}, d={short_repr(d, 40)}"
        )
    if d > MAX_DIM or d * n.bit_length() > MAX_BITS:
        raise LimitExceededError(
            f"counts of {short_repr(n, 30)} hyperplanes in dimension {short_repr(d, 30)}: beyond the bounds "
            f"d <= {MAX_DIM} and d * bits(n) <= {MAX_BITS}"
        )


def general_position_f_vector(n: int, d: int) -> tuple[int, ...]:
    """``(f_0, ..., f_d)`` of ``n`` affine hyperplanes in general position in ``R^d``.

    Buck's formula: ``f_k = sum_{i=0}^{k} C(d - i, k - i) C(n, d - i)``.  General position
    means every ``d`` normals are independent and no ``d + 1`` hyperplanes share a point.

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.general_position_f_vector(2, 2)  # two crossing lines: 1 vertex, 4 rays, 4 regions
    (1, 4, 4)
    >>> rg.general_position_f_vector(3, 1)
    (3, 4)
    """
    _check(n, d)
    choose_n = [comb(n, d - i) for i in range(d + 1)]
    return tuple(sum(comb(d - i, k - i) * choose_n[i] for i in range(k + 1)) for k in range(d + 1))


def general_position_bounded_regions(n: int, d: int) -> int:
    """The number ``C(n - 1, d)`` of bounded regions of ``n`` hyperplanes in general position.

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.general_position_bounded_regions(3, 2)  # three lines bound one triangle
    1
    """
    _check(n, d)
    return comb(n - 1, d) if n >= 1 else 0
