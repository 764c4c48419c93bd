"""Plane sections of complexes of any input dimension, computed exactly and drawn in 2-D.

A plane ``E = {p + s u + t v}`` through ``R^d`` is parametrized by an origin
``p`` and two linearly independent directions ``u, v``.  The network composed
with this embedding, ``g(s, t) = f(p + s u + t v)``, has the same hidden
neurons, and the same sign vector as ``f`` at every point of ``E``; so the
canonical complex of ``g`` is exactly the complex of ``f`` cut by ``E``
(every cell of ``g`` is the intersection of ``E`` with a cell of ``f``, in the
coordinates ``(s, t)``).  :func:`slice_network` builds ``g`` exactly (only the
first layer changes), and :func:`plot_slice` compiles and draws it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from relu_geom._util import short_repr
from relu_geom.arith.dense import rref
from relu_geom.arith.rational import as_point, to_rational
from relu_geom.compiler import compile_network, parse_domain
from relu_geom.compiler.complex import PolyhedralComplex
from relu_geom.errors import DimensionMismatchError, InvalidInputError, UnsupportedInputError
from relu_geom.geometry.polyhedron import Polyhedron
from relu_geom.network import ReLUNetwork

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from relu_geom.plotting.complex import ComplexPlot

__all__ = ["coordinate_plane", "plot_slice", "slice_domain", "slice_network"]

Point = tuple[Fraction, ...]


def coordinate_plane(dim: int, fix: Mapping[int, Any]) -> tuple[Point, tuple[Point, ...], tuple[int, ...]]:
    """The affine subspace of ``R^dim`` where the coordinates in ``fix`` take the given values.

    Parameters
    ----------
    dim
        The ambient dimension.
    fix
        0-based coordinate index -> exact value (``{2: 0}`` is the plane ``x_3 = 0``).

    Returns
    -------
    (origin, directions, free)
        The point with the fixed values and zeros elsewhere, the unit vectors of
        the free coordinates, and the free coordinates' indices.

    Examples
    --------
    >>> import relu_geom as rg
    >>> origin, dirs, free = rg.plotting.coordinate_plane(3, {2: "1/2"})
    >>> [str(v) for v in origin], dirs[1], free
    (['0', '0', '1/2'], (Fraction(0, 1), Fraction(1, 1), Fraction(0, 1)), (0, 1))
    """
    origin = [Fraction(0)] * dim
    for k, v in fix.items():
        if not isinstance(k, int) or isinstance(k, bool) or not 0 <= k < dim:
            raise InvalidInputError(f"fix: expected coordinate indices in 0..{dim - 1} (0-based), got {short_repr(k)}")
        origin[k] = to_rational(v, what=f"fix[{k}]")
    free = tuple(k for k in range(dim) if k not in fix)
    dirs = tuple(tuple(Fraction(int(i == k)) for i in range(dim)) for k in free)
    return tuple(origin), dirs, free


def _check_plane(dim: int, origin: Any, directions: Any) -> tuple[Point, tuple[Point, ...]]:
    p = as_point(origin, dim, what="origin")
    if isinstance(directions, (str, bytes)) or not isinstance(directions, Sequence):
        raise InvalidInputError(f"directions: expected a sequence of vectors, got {short_repr(directions)}")
    dirs = tuple(as_point(u, dim, what=f"directions[{i}]") for i, u in enumerate(directions))
    rank = len(rref(dirs)[0]) if dirs else 0
    if not dirs or rank != len(dirs):
        raise InvalidInputError(
            f"directions: expected linearly independent vectors, got {len(dirs)} vector(s) of rank {rank}"
        )
    return p, dirs


def slice_network(net: ReLUNetwork, origin: Any, directions: Any) -> ReLUNetwork:
    """The network ``g(s) = f(origin + sum_i s_i directions[i])``, exactly.

    Only the first layer changes: ``W_1' = W_1 U`` and ``b_1' = W_1 p + b_1``
    with ``U`` the matrix whose columns are the directions.  The hidden neurons
    (and so the sign vectors) are those of ``net``.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork.random([3, 4, 1], seed=1)
    >>> g = rg.plotting.slice_network(net, [0, 0, 1], [[1, 0, 0], [0, 1, 0]])
    >>> g.architecture
    (2, 4, 1)
    >>> g([2, 3]) == net([2, 3, 1]) and g.sign_vector([2, 3]) == net.sign_vector([2, 3, 1])
    True
    """
    if not isinstance(net, ReLUNetwork):
        raise InvalidInputError(f"net: expected a ReLUNetwork, got {type(net).__name__}")
    p, dirs = _check_plane(net.input_dim, origin, directions)
    w1, b1 = net.weights[0], net.biases[0]
    w1s = [[sum((a * u for a, u in zip(row, d)), Fraction(0)) for d in dirs] for row in w1]
    b1s = [sum((a * x for a, x in zip(row, p)), b) for row, b in zip(w1, b1)]
    return ReLUNetwork([w1s, *net.weights[1:]], [b1s, *net.biases[1:]])


def slice_domain(domain: Any, origin: Any, directions: Any) -> Polyhedron | None:
    """The domain (as accepted by :func:`~relu_geom.compile_network`) in the plane's coordinates.

    Each constraint ``a . x <= b`` becomes ``(a . u_1, ..., a . u_k) . s <= b - a . p``.
    Raises :class:`~relu_geom.errors.InvalidInputError` when the plane misses the
    domain's interior (the section would not be full-dimensional in the plane).

    Examples
    --------
    >>> import relu_geom as rg
    >>> box = rg.plotting.slice_domain((-1, 1), [0, 0, 0], [[1, 0, 0], [0, 1, 1]])
    >>> [[str(v) for v in p] for p in box.vertices]
    [['-1', '-1'], ['-1', '1'], ['1', '-1'], ['1', '1']]
    """
    if domain is None:
        return None
    if isinstance(origin, (str, bytes)) or not isinstance(origin, Sequence):
        raise InvalidInputError(f"origin: expected a point, got {short_repr(origin)}")
    dim = len(origin)
    poly = parse_domain(domain, dim)
    assert poly is not None
    p, dirs = _check_plane(dim, origin, directions)
    k = len(dirs)

    def project(row: Sequence[int]) -> list[Fraction]:
        a, b = row[:dim], row[dim]
        return [sum((ai * ui for ai, ui in zip(a, u)), Fraction(0)) for u in dirs] + [
            b - sum((ai * pi for ai, pi in zip(a, p)), Fraction(0))
        ]

    ineqs = [project(r) for r in poly.inequalities]
    eqs = [project(r) for r in poly.equalities]
    # constraints constant on the plane hold everywhere on it or nowhere
    if any(r[k] < 0 for r in ineqs if not any(r[:k])) or any(r[k] != 0 for r in eqs if not any(r[:k])):
        raise InvalidInputError("domain: the plane does not meet the domain")
    ineqs = [r for r in ineqs if any(r[:k])]
    eqs = [r for r in eqs if any(r[:k])]
    sliced = Polyhedron.from_hrep(ineqs, eqs, ambient_dim=k)
    if sliced.is_empty or sliced.dim < k:
        raise InvalidInputError(
            f"domain: the plane meets the domain in a set of dimension {sliced.dim}, not in a {k}-dimensional piece"
        )
    return sliced


def plot_slice(
    net: ReLUNetwork | PolyhedralComplex,
    ax: Axes | None = None,
    *,
    fix: Mapping[int, Any] | None = None,
    origin: Any = None,
    directions: Any = None,
    domain: Any = None,
    surface: bool = False,
    title: str | None = None,
    **kwargs: Any,
) -> ComplexPlot:
    """Draw the complex of a network cut by a plane, as a 2-D complex (exactly computed).

    The plane is given either by ``fix`` (0-based coordinate -> value; all but
    two coordinates fixed) or by ``origin`` and two ``directions``; by default,
    for input dimension 3, the plane ``x_3 = 0``.  The picture is
    :func:`~relu_geom.plotting.plot_complex` (or, with ``surface=True``,
    :func:`~relu_geom.plotting.plot_function_surface`) of the sliced network
    (:func:`slice_network`) over the sliced domain (:func:`slice_domain`).

    Parameters
    ----------
    net
        A network, or a compiled complex (its network and domain are used).
    ax
        Axes to draw on (3-D axes when ``surface``).
    fix, origin, directions
        The plane.
    domain
        The domain of ``net`` (as for :func:`~relu_geom.compile_network`); not
        with a complex, which has its own.
    surface
        Draw the graph of ``f`` over the plane instead of the complex.
    title
        Default: names the plane.
    **kwargs
        Passed on to the drawing function (``color_by``, ``window``, ...).

    Returns
    -------
    ComplexPlot
        Its ``complex`` is the complex of the section, in plane coordinates;
        its sign vectors are those of ``net``'s cells that the plane meets.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork.random([3, 4, 3, 1], seed=3)
    >>> pic = rg.plotting.plot_slice(net, fix={2: 0}, domain=(-1, 1))
    >>> pic.complex.dim, len(pic.region_artists) == pic.complex.n_regions
    (2, True)
    >>> x = pic.complex.regions[0].interior_point
    >>> pic.complex.regions[0].sign_vector == net.sign_vector([x[0], x[1], 0])
    True
    """
    from relu_geom.plotting.complex import plot_complex, plot_function_surface

    if isinstance(net, PolyhedralComplex):
        if domain is not None:
            raise InvalidInputError("domain: not used with a complex, which was compiled with its own domain")
        domain = net.domain
        net = net.network
    if not isinstance(net, ReLUNetwork):
        raise InvalidInputError(
            f"net: expected a ReLUNetwork or a PolyhedralComplex, got {type(net).__name__}"
        )
    d = net.input_dim
    if d < 2:
        raise UnsupportedInputError(f"plot_slice: needs input dimension at least 2 for a plane, got {d}")
    names = None
    if fix is not None:
        if origin is not None or directions is not None:
            raise InvalidInputError("plot_slice: give either fix or origin and directions, not both")
        origin, directions, free = coordinate_plane(d, fix)
        names = [f"$x_{k + 1}$" for k in free]
        desc = ", ".join(f"x{k + 1} = {v}" for k, v in sorted((k, to_rational(v)) for k, v in fix.items()))
    elif origin is None and directions is None:
        if d != 3 and d != 2:
            raise InvalidInputError(
                f"plot_slice: input dimension {d}: give the plane (fix {d - 2} coordinates, or origin and directions)"
            )
        origin, directions, free = coordinate_plane(d, {2: 0} if d == 3 else {})
        names = [f"$x_{k + 1}$" for k in free]
        desc = "x3 = 0" if d == 3 else "the whole plane"
    else:
        if origin is None or directions is None:
            raise InvalidInputError("plot_slice: give both origin and directions")
        p, dirs = _check_plane(d, origin, directions)
        origin, directions = p, dirs
        names = ["$s$", "$t$"]
        desc = f"origin {tuple(str(v) for v in p)}, directions {[tuple(str(v) for v in u) for u in dirs]}"
    if len(directions) != 2:
        raise DimensionMismatchError(
            f"plot_slice: the plane needs exactly 2 free directions, got {len(directions)}"
            + (f" (fix {d - 2} of the {d} coordinates)" if fix is not None else "")
        )
    sliced = slice_network(net, origin, directions)
    dom = slice_domain(domain, origin, directions)
    cx = compile_network(sliced, domain=dom)
    if title is None:
        title = f"{list(net.architecture)} on the plane {desc}"
    kwargs.setdefault("axis_labels", names)
    if surface:
        return plot_function_surface(cx, ax, title=title, **kwargs)
    return plot_complex(cx, ax, title=title, **kwargs)
