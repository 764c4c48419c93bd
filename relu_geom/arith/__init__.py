"""Exact arithmetic: the rational type, conversions and exact linear algebra."""

from relu_geom.arith.rational import QQ, as_point, to_rational

__all__ = ["QQ", "as_point", "to_rational"]
