"""The one entry point of every analysis: a network or an already compiled complex.

Every analysis that needs the complex calls :func:`as_complex`, so a complex is never
compiled twice and the rule for ``domain`` is the same everywhere.
"""

from __future__ import annotations

from typing import Any

from relu_geom.compiler.complex import PolyhedralComplex
from relu_geom.compiler.refine import compile_network, parse_domain
from relu_geom.errors import InvalidInputError
from relu_geom.network import ReLUNetwork

__all__ = ["as_complex", "as_network"]


def as_complex(obj: Any, *, domain: Any = None, what: str = "net_or_complex") -> PolyhedralComplex:
    """The canonical polyhedral complex of a network, or a compiled complex itself.

    Parameters
    ----------
    obj
        A :class:`~relu_geom.ReLUNetwork` (compiled over ``domain``) or a
        :class:`~relu_geom.PolyhedralComplex` (returned as it is).
    domain
        As for :func:`~relu_geom.compile_network`. With a complex, ``domain`` must be
        ``None`` or the complex's own domain (the same polyhedron); any other domain is an
        error, never silently ignored.
    what
        How to name ``obj`` in an error message.

    Raises
    ------
    InvalidInputError
        For another type, or a domain that differs from the given complex's.

    Examples
    --------
    >>> import relu_geom as rg
    >>> cx = rg.compile_network(rg.zoo.abs_1d(), domain=(-1, 1))
    >>> rg.as_complex(cx) is cx, rg.as_complex(cx, domain=(-1, 1)) is cx
    (True, True)
    >>> rg.as_complex(rg.zoo.abs_1d(), domain=(-1, 1)).f_vector
    (3, 2)
    """
    if isinstance(obj, PolyhedralComplex):
        if domain is not None and parse_domain(domain, obj.dim) != obj.domain:
            raise InvalidInputError(
                f"domain: the given complex was compiled over another domain; pass domain=None "
                f"or the complex's own domain, got {_short(domain)}"
            )
        return obj
    if isinstance(obj, ReLUNetwork):
        return compile_network(obj, domain=domain)
    raise InvalidInputError(
        f"{_name(what)}: expected a ReLUNetwork or a PolyhedralComplex, got {type(obj).__name__}"
    )


def as_network(obj: Any, *, what: str = "net_or_complex") -> ReLUNetwork:
    """The network of a network or of a compiled complex (for analyses that need only the network).

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.zoo.abs_1d()
    >>> rg.compiler.as_network(rg.compile_network(net)) == net
    True
    """
    if isinstance(obj, PolyhedralComplex):
        return obj.network
    if isinstance(obj, ReLUNetwork):
        return obj
    raise InvalidInputError(
        f"{_name(what)}: expected a ReLUNetwork or a PolyhedralComplex, got {type(obj).__name__}"
    )


def _name(what: Any) -> str:
    """The argument name for a message (``what`` is ours to pass; anything else is cut short)."""
    return what if isinstance(what, str) and len(what) <= 40 else _short(what, 40)


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
