"""Invariant checks every compiled complex must pass (used by the test suite, useful to users).

:func:`check_complex` recomputes facts about a complex independently of the
compiler: signs by exact evaluation of the network, containment from the
H-representations, affine maps against exact evaluation, incidences against
dimensions, the Euler characteristic against topology.
"""

from __future__ import annotations

from fractions import Fraction

from relu_geom.compiler.complex import PolyhedralComplex

__all__ = ["check_complex", "expected_euler_characteristic"]


def expected_euler_characteristic(cx: PolyhedralComplex) -> int:
    """The Euler characteristic (sum over relatively open cells) the domain forces.

    ``(-1)^d`` over ``R^d``; over a polyhedron ``P = L + Q`` with lineality
    ``L`` and pointed part ``Q``: ``(-1)^{dim L}`` if ``Q`` is bounded, else 0.
    """
    if cx.domain is None:
        return (-1) ** cx.dim
    if cx.domain.rays:
        return 0
    return (-1) ** len(cx.domain.lineality)


def check_complex(cx: PolyhedralComplex, *, volumes: bool = False) -> None:
    """Raise AssertionError naming the first invariant of ``cx`` that fails.

    Checks: f-vector and Euler characteristic; every cell's sign vector equals
    the network's exact signs at its interior point, which lies in the
    relative interior of its polyhedron, whose dimension is the cell's;
    faces have one dimension less and lie in the closure (their interior
    points satisfy the cell's inequalities, not all strictly); cofaces mirror
    faces; every facet has one or two regions around it (two inside the
    domain); every region's affine map equals exact evaluation at its interior
    point and its vertices.  With ``volumes=True`` over a bounded domain, the
    exact region volumes add up to the domain's volume.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.testing import check_complex
    >>> check_complex(rg.compile_network(rg.ReLUNetwork.random([2, 3, 2, 1], seed=3), domain=(-2, 2)), volumes=True)
    """
    net = cx.network
    d = cx.dim
    assert sum(cx.f_vector) == len(cx.cells), "f-vector does not count the cells"
    chi = expected_euler_characteristic(cx)
    assert cx.euler_characteristic == chi, f"Euler characteristic {cx.euler_characteristic}, expected {chi}"
    for c in cx.cells:
        p = c.interior_point
        poly = c.polyhedron
        assert net.sign_vector(p) == c.sign_vector, f"{c}: interior point {p} has signs {net.sign_vector(p)}"
        assert poly.dim == c.dim, f"{c}: polyhedron has dimension {poly.dim}"
        assert poly.relative_interior_contains(p), f"{c}: interior point not in the relative interior"
        if cx.domain is not None:
            assert cx.domain.contains(p), f"{c}: interior point outside the domain"
        for f in c.faces:
            assert f.dim == c.dim - 1, f"{c}: face {f} has the wrong dimension"
            assert poly.contains(f.interior_point), f"{c}: face {f} not in the closure"
            assert not poly.relative_interior_contains(f.interior_point), (
                f"{c}: face {f} in the relative interior"
            )
            assert c.index in f.coface_indices, f"{c}: face {f} does not list it as coface"
        for g in c.cofaces:
            assert c.index in g.face_indices, f"{c}: coface {g} does not list it as face"
        if c.dim == d - 1:
            n = len(c.coface_indices)
            inside = not c.domain_face
            assert n == 2 if inside else n == 1, f"{c}: facet with {n} regions around it"
        if c.dim == d:
            A, b = c.affine_map
            for x in (p, *poly.vertices):
                fx = tuple(sum((a * v for a, v in zip(row, x)), Fraction(0)) + bb for row, bb in zip(A, b))
                assert fx == net(x), f"{c}: affine map disagrees with evaluation at {x}"
    if volumes and cx.domain is not None and cx.domain.is_bounded:
        total = sum((r.polyhedron.volume() for r in cx.regions), Fraction(0))
        assert total == cx.domain.volume(), (
            f"region volumes add to {total}, domain volume {cx.domain.volume()}"
        )
