"""Visibility of first-layer hyperplanes in the realized function (Theorem 2 of paper 001).

A first-layer neuron ``i`` with ``w_i != 0`` has the hyperplane ``H_i = {w_i . x + b_i = 0}``.
It is *visible* where ``H_i`` carries bent facets of ``f`` (facets between two
regions with different affine maps).  Every facet of the canonical complex on
``H_i`` has sign 0 at neuron ``i``; the bent ones are the visible pieces.

For two hidden layers, Theorem 2 of paper 001 uses the certificate: a point
``x in H_i`` and a second-layer neuron ``j`` with ``z_j^(2)(x) > 0``.  Since the
sign of ``z_j^(2)`` is constant on each cell, such a point exists iff some cell of
``H_i`` (a facet, or a lower cell, which then lies in the closure of a facet of
``H_i`` where ``z_j^(2) > 0`` by continuity) has sign +1 at ``j``; the search over
the facets on ``H_i`` is therefore exact and complete.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from relu_geom.compiler import compile_network
from relu_geom.compiler.complex import PolyhedralComplex
from relu_geom.errors import InvalidInputError
from relu_geom.network import ReLUNetwork
from relu_geom.network.transforms import require_network

__all__ = ["HyperplaneVisibility", "first_layer_visibility"]

Point = tuple[Fraction, ...]


@dataclass(frozen=True, slots=True)
class HyperplaneVisibility:
    """Visibility of one first-layer hyperplane.

    Attributes
    ----------
    neuron : int
        Index of the neuron in the first hidden layer.
    status : str
        ``"visible"`` (every facet on the hyperplane is bent), ``"partial"`` (some
        are), ``"invisible"`` (none is), or ``"degenerate"`` (``w_i = 0``: no
        hyperplane) or ``"outside"`` (the hyperplane misses the domain's interior).
    visible_facets, hidden_facets : tuple of int
        Indices (in the complex) of the bent and non-bent facets on the hyperplane.
    visible_points : tuple of points
        An interior point of each visible facet.
    certificate : tuple or None
        For two hidden layers: ``(x, j)`` with ``x`` on the hyperplane and
        ``z_j^(2)(x) > 0`` (Theorem 2 of paper 001), or None when no such point exists.
    """

    neuron: int
    status: str
    visible_facets: tuple[int, ...]
    hidden_facets: tuple[int, ...]
    visible_points: tuple[Point, ...]
    certificate: tuple[Point, int] | None

    @property
    def is_visible(self) -> bool:
        return bool(self.visible_facets)

    @property
    def is_partial(self) -> bool:
        return self.status == "partial"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (rationals as strings)."""
        return {
            "neuron": self.neuron,
            "status": self.status,
            "visible_facets": list(self.visible_facets),
            "hidden_facets": list(self.hidden_facets),
            "visible_points": [[str(v) for v in p] for p in self.visible_points],
            "certificate": None
            if self.certificate is None
            else {"x": [str(v) for v in self.certificate[0]], "second_layer_neuron": self.certificate[1]},
        }


def first_layer_visibility(
    net: ReLUNetwork, *, domain: Any = None, complex: PolyhedralComplex | None = None
) -> tuple[HyperplaneVisibility, ...]:
    """Which first-layer hyperplanes carry bent facets of ``f``, where, and the Theorem-2 certificate.

    Parameters
    ----------
    net
        Any network (the certificate is computed when it has at least two hidden layers).
    domain
        As in :func:`relu_geom.compile_network`; ignored when ``complex`` is given.
    complex
        An already compiled complex of ``net`` (it is not compiled twice).

    Returns
    -------
    tuple of HyperplaneVisibility
        One entry per first-layer neuron.

    Notes
    -----
    A facet is bent when the affine maps of its two regions differ (exact
    comparison).  Over a bounded domain, facets on the domain's boundary are
    not counted.  Cost: one compilation plus a pass over the facets.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[1, 1]], [[1]]], [[0, 0], [-1], [0]])  # relu(relu(x)+relu(y)-1)
    >>> vis = rg.first_layer_visibility(net)
    >>> [v.status for v in vis]
    ['partial', 'partial']
    >>> x, j = vis[0].certificate
    >>> x[0] == 0 and net.preactivations(x)[1][j] > 0
    True
    """
    require_network(net)
    if complex is not None and not isinstance(complex, PolyhedralComplex):
        raise InvalidInputError(f"complex: expected a PolyhedralComplex, got {type(complex).__name__}")
    if not net.hidden_widths:
        return ()  # no first-layer hyperplanes
    cx = complex if complex is not None else compile_network(net, domain=domain)
    if cx.network != net:
        raise InvalidInputError("complex: expected the compiled complex of net, got that of another network")
    n1 = net.hidden_widths[0]
    off2 = net.layer_offsets[1] if net.depth >= 2 else None
    n2 = net.hidden_widths[1] if net.depth >= 2 else 0
    on: dict[int, list[Any]] = {i: [] for i in range(n1)}
    for f in cx.facets:
        if f.domain_face or len(f.coface_indices) != 2:
            continue
        for i in range(n1):
            if f.sign_vector[i] == 0:
                on[i].append(f)
    out = []
    for i in range(n1):
        if not any(net.weights[0][i]):
            out.append(HyperplaneVisibility(i, "degenerate", (), (), (), None))
            continue
        vis, hid, pts = [], [], []
        cert = None
        for f in on[i]:
            p, q = f.cofaces
            if p.affine_map != q.affine_map:
                vis.append(f.index)
                pts.append(f.interior_point)
            else:
                hid.append(f.index)
            if cert is None and off2 is not None:
                for j in range(n2):
                    if f.sign_vector[off2 + j] > 0:
                        cert = (f.interior_point, j)
                        break
        if not on[i]:
            status = "outside"
        elif vis and hid:
            status = "partial"
        elif vis:
            status = "visible"
        else:
            status = "invisible"
        out.append(HyperplaneVisibility(i, status, tuple(vis), tuple(hid), tuple(pts), cert))
    return tuple(out)
