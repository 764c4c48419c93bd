"""Exact Jacobians of ``theta -> f_theta(x)`` and the parameter bookkeeping shared by the identifiability analyses.

Conventions
-----------
The parameter vector is ``net.parameters()``: ``W_1`` row by row, ``b_1``,
``W_2``, ``b_2``, ...  A Jacobian has one row per output and one column per
parameter, in that order.  A point ``x`` is *smooth* for ``theta`` when no
hidden pre-activation vanishes at ``x``; then ``eta -> f_eta(x)`` is
differentiable at ``theta`` (the activation pattern is locally constant in
``(x, eta)``).  Points with a zero pre-activation lie on a bent hyperplane: they
are reported and never used silently.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any

from relu_geom._util import short_repr
from relu_geom.arith.linalg import integer_rank, integer_rows
from relu_geom.arith.rational import as_point
from relu_geom.compiler.entry import as_network
from relu_geom.errors import DimensionMismatchError, InvalidInputError
from relu_geom.network import ReLUNetwork
from relu_geom.network.transforms import require_int

__all__ = ["jacobian", "max_functional_dimension", "parameter_labels"]

Point = tuple[Fraction, ...]


Neuron = tuple[int, int]


def max_functional_dimension(architecture: Sequence[int]) -> int:
    """``D - H``: the number of parameters minus the number of hidden neurons.

    An upper bound of the functional dimension of every network of this
    architecture; by paper 000 it is attained (on an open set of parameters) when
    the input width and all hidden widths are at least 2.

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.max_functional_dimension([3, 16, 16, 1])
    321
    """
    if isinstance(architecture, (str, bytes)) or not isinstance(architecture, Iterable):
        raise InvalidInputError(f"architecture: expected a list of widths, got {type(architecture).__name__}")
    arch = [require_int(n, "architecture", minimum=1) for n in architecture]
    if len(arch) < 2:
        raise InvalidInputError(f"architecture: expected at least two widths, got {len(arch)}")
    D = sum(arch[i + 1] * (arch[i] + 1) for i in range(len(arch) - 1))
    return D - sum(arch[1:-1])


def parameter_labels(net: ReLUNetwork) -> tuple[tuple[str, int, int, int], ...]:
    """Labels of ``net.parameters()``: ``("W", layer, i, j)`` or ``("b", layer, i, -1)``, layers 1-based.

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.parameter_labels(rg.ReLUNetwork([[[1, 2]], [[3]]], [[4], [5]]))
    (('W', 1, 0, 0), ('W', 1, 0, 1), ('b', 1, 0, -1), ('W', 2, 0, 0), ('b', 2, 0, -1))
    """
    net = as_network(net, what="net")
    out: list[tuple[str, int, int, int]] = []
    a = net.architecture
    for layer in range(1, len(a)):
        out.extend(("W", layer, i, j) for i in range(a[layer]) for j in range(a[layer - 1]))
        out.extend(("b", layer, i, -1) for i in range(a[layer]))
    return tuple(out)


def parameter_offsets(net: ReLUNetwork) -> list[int]:
    """Index in ``parameters()`` of the first entry of ``W_l`` (list index l-1)."""
    a = net.architecture
    offs, pos = [], 0
    for layer in range(1, len(a)):
        offs.append(pos)
        pos += a[layer] * (a[layer - 1] + 1)
    return offs


def split_pattern(net: ReLUNetwork, pattern: Sequence[object], what: str = "pattern") -> list[list[bool]]:
    """An activation pattern (signs or bools, global neuron order) as one list of active flags per hidden layer."""
    if isinstance(pattern, (str, bytes)) or not isinstance(pattern, Iterable):
        raise InvalidInputError(f"{what}: expected a sequence of signs, got {type(pattern).__name__}")
    pat = list(pattern)
    if len(pat) != net.n_hidden:
        raise DimensionMismatchError(
            f"{what}: expected {net.n_hidden} entries (one per hidden neuron), got {len(pat)}"
        )
    flags = []
    for g, s in enumerate(pat):
        if isinstance(s, bool):
            flags.append(s)
        elif s in (1, 0, -1):
            flags.append(s == 1)
        else:
            raise InvalidInputError(f"{what}[{g}]: expected a sign (-1, 0, 1) or a bool, got {short_repr(s)}")
    offs = net.layer_offsets
    return [flags[offs[k] : offs[k + 1]] for k in range(net.depth)]


def jacobian_rows(
    Ws: Sequence[Sequence[Sequence[Any]]],
    bs: Sequence[Sequence[Any]],
    active: Sequence[Sequence[bool]],
    M0: Sequence[Sequence[Any]],
    const: Sequence[Any],
    p: int | None = None,
) -> list[list[Any]]:
    """Jacobian rows with a frozen activation pattern, linear in a vector of ``T`` "inputs".

    ``M0[j]`` are the ``T`` coefficients of input coordinate ``j`` and ``const``
    those of the constant 1: with ``M0 = [[x_j]]`` and ``const = [1]`` the result
    is the Jacobian at ``x``; with ``M0 = I_d`` padded and ``const = e_d`` it is
    the ``d + 1`` coefficient rows of the affine map ``x -> J(x)``.  Returns
    ``m * T`` rows, ordered output-major.  Works on ints, Fractions, or ints
    modulo ``p``.
    """
    T = len(const)
    L = len(Ws) - 1
    M: list[list[list[Any] | None]] = [[list(r) for r in M0]]
    for layer in range(L):
        W, b, act = Ws[layer], bs[layer], active[layer]
        prev = M[-1]
        new: list[list[Any] | None] = []
        for i, wrow in enumerate(W):
            if not act[i]:
                new.append(None)
                continue
            acc = [b[i] * c for c in const]
            for w, pj in zip(wrow, prev):
                if w and pj is not None:
                    acc = [a + w * v for a, v in zip(acc, pj)]
            if p is not None:
                acc = [a % p for a in acc]
            new.append(acc)
        M.append(new)
    m = len(Ws[-1])
    G: list[list[list[Any]]] = [[] for _ in range(L + 1)]
    G[L] = [[int(k == i) for i in range(m)] for k in range(m)]
    for layer in range(L - 1, -1, -1):
        W, act = Ws[layer + 1], active[layer]
        Gn = G[layer + 1]
        n = len(W[0])
        rows = []
        for k in range(m):
            g = Gn[k]
            vals = [0] * n
            for gi, wrow in zip(g, W):
                if gi:
                    vals = [v + gi * w for v, w in zip(vals, wrow)]
            vals = [v if a else 0 for v, a in zip(vals, act)]
            if p is not None:
                vals = [v % p for v in vals]
            rows.append(vals)
        G[layer] = rows
    out: list[list[Any]] = []
    for k in range(m):
        for t in range(T):
            row: list[Any] = []
            for layer in range(L + 1):
                g = G[layer][k]
                col = [(pm[t] if pm is not None else 0) for pm in M[layer]]
                for gi in g:
                    if gi:
                        row.extend(gi * c for c in col)
                    else:
                        row.extend([0] * len(col))
                row.extend(gi * const[t] for gi in g)
            if p is not None:
                row = [v % p for v in row]
            out.append(row)
    return out


def smooth_pattern(net: ReLUNetwork, x: Point, index: int | None = None) -> list[list[bool]]:
    """The activation pattern at a smooth point ``x``; InvalidInputError naming the neurons when ``x`` is not smooth."""
    z = net.preactivations(x)
    zero = [(layer + 1, i) for layer, zl in enumerate(z) for i, v in enumerate(zl) if v == 0]
    if zero:
        where = f"X[{index}] = {[str(v) for v in x]}" if index is not None else f"x = {[str(v) for v in x]}"
        raise InvalidInputError(
            f"{where} lies on the bent hyperplane of hidden neuron(s) {zero} (layer, index): "
            "a zero pre-activation, where f is not differentiable in the parameters"
        )
    return [[v > 0 for v in zl] for zl in z]


def integer_point(x: Point) -> tuple[list[list[int]], list[int]]:
    """``x`` scaled to integers, as the ``(M0, const)`` input of :func:`jacobian_rows` (``[[q x_j]]``, ``[q]``)."""
    q = math.lcm(*(v.denominator for v in x)) if x else 1
    return [[int(v * q)] for v in x], [q]


def integer_layers(net: ReLUNetwork, p: int | None = None) -> tuple[list[list[list[int]]], list[list[int]]]:
    """The integer rescaling ``net.integer_layers`` as nested lists ``(weights, biases)``, modulo ``p`` when given."""
    Ws = [[list(r) for r in w] for w, _ in net.integer_layers]
    bs = [list(b) for _, b in net.integer_layers]
    if p is not None:
        Ws = [[[v % p for v in r] for r in w] for w in Ws]
        bs = [[v % p for v in b] for b in bs]
    return Ws, bs


def read_sample(X: object, d: int, what: str = "X") -> list[Point]:
    """A sample (a sequence of points, or an array) as exact points of dimension ``d``."""
    if hasattr(X, "tolist"):
        X = X.tolist()
    if isinstance(X, (str, bytes)) or not isinstance(X, Iterable):
        raise InvalidInputError(f"{what}: expected a sequence of points, got {short_repr(X)}")
    return [as_point(x, d, what=f"{what}[{i}]") for i, x in enumerate(X)]


def scaling_vectors(net: ReLUNetwork) -> list[list[int]]:
    """Integer directions of the positive rescalings of the hidden neurons in parameter space (one per neuron)."""
    D, offs, a = net.n_parameters, parameter_offsets(net), net.architecture
    theta = net.parameters()
    rows = []
    for layer in range(1, net.depth + 1):
        n_prev, n, n_next = a[layer - 1], a[layer], a[layer + 1]
        for i in range(n):
            v = [Fraction(0)] * D
            base = offs[layer - 1]
            for j in range(n_prev):
                v[base + i * n_prev + j] = theta[base + i * n_prev + j]
            v[base + n * n_prev + i] = theta[base + n * n_prev + i]
            nb = offs[layer]
            for k in range(n_next):
                v[nb + k * n + i] = -theta[nb + k * n + i]
            rows.append(v)
    return integer_rows(rows)


def scaling_rank(net: ReLUNetwork, rows: list[list[int]] | None = None) -> int:
    """Rank of the rescaling directions of the hidden neurons (``H`` unless degenerate)."""
    rows = scaling_vectors(net) if rows is None else rows
    return integer_rank(rows, net.n_parameters) if rows else 0


def point_rows(net: ReLUNetwork, Ws: Any, bs: Any, pt: Point, active: list[list[bool]]) -> list[list[int]]:
    """The ``m`` integer Jacobian rows at the exact point ``pt`` (scaled by its denominators) with ``active`` frozen."""
    M0, const = integer_point(pt)
    return jacobian_rows(Ws, bs, active, M0, const)


def jacobian(net: ReLUNetwork, x: object, *, pattern: Sequence[object] | None = None) -> tuple[Point, ...]:
    """The exact Jacobian of ``theta -> f_theta(x)`` at the network's parameters.

    Parameters
    ----------
    net
        The network.
    x
        The input point (exact).
    pattern
        Optional activation pattern (one sign or bool per hidden neuron, global
        order; ``1``/``True`` = active) to freeze.  Then the result is the
        Jacobian of the network with that pattern imposed, defined for every
        ``x`` and affine in ``x``; it is the true Jacobian when ``x`` lies in the
        open region of that pattern.

    Returns
    -------
    tuple of rows
        One row per output, one column per entry of ``net.parameters()``.

    Raises
    ------
    InvalidInputError
        Without ``pattern``, when ``x`` has a zero hidden pre-activation (the
        message names the neurons).

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[1], [-1]], [[1, 1]]], [[0, 0], [0]])
    >>> [str(v) for v in rg.jacobian(net, [2])[0]]  # d/d(w1, w2, b1, b2, v1, v2, c)
    ['2', '0', '1', '0', '2', '0', '1']
    """
    net = as_network(net, what="net")
    pt = as_point(x, net.input_dim)
    active = smooth_pattern(net, pt) if pattern is None else split_pattern(net, pattern)
    rows = jacobian_rows(
        [[list(r) for r in w] for w in net.weights],
        [list(b) for b in net.biases],
        active,
        [[v] for v in pt],
        [1],
    )
    return tuple(tuple(Fraction(v) for v in row) for row in rows)
