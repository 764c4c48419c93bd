"""Local identifiability from a finite sample (paper 003, Theorems 9 and 10), by exact ranks.

Local identifiability (paper 003)
---------------------------------
For each hidden neuron ``v`` the outgoing weight of largest absolute value is
fixed (ties: the lowest output index); the remaining weights and all biases are
the restricted parameters ``tau`` (``|F_theta| + |B| = D - H`` of them).
``R_Gamma`` is the rank of the Jacobian of ``tau -> f_{rho(tau)}(X)`` (Prop. 11),
``R_A = m * rank alpha(X, theta)`` (Prop. 12).  Conditions: ``C_S`` iff
``R_Gamma = |F| + |B|`` (sufficient: locally identifiable, Thm. 10); ``C_N`` iff
``R_Gamma < R_A`` or ``C_S`` (necessary, Thm. 9).

``rank alpha`` without the path matrix: ``alpha(x)`` has one column per path
(``|P| = n_0 n_1 ... n_L + n_1 ... n_L + ... + n_L + 1``).  It is a
concatenation of Kronecker products ``x (x) a_1(x) (x) ... (x) a_L(x)``,
``a_l (x) ... (x) a_L`` and ``1``, so the Gram matrix has the closed form

    <alpha(x), alpha(y)> = <x, y> c_1 ... c_L + sum_l c_l ... c_L + 1,

with ``c_l`` the number of neurons of layer ``l`` active at both ``x`` and
``y``.  Over the rationals ``rank alpha = rank (alpha alpha^T)``, an ``n x n``
matrix built in ``O(n^2 H)`` integer operations, whatever ``|P|`` is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from relu_geom.analyses.identifiability.jacobian import (
    Point,
    integer_layers,
    max_functional_dimension,
    parameter_offsets,
    point_rows,
    read_sample,
    smooth_pattern,
)
from relu_geom.arith.linalg import integer_rank
from relu_geom.compiler.entry import as_network
from relu_geom.errors import InvalidInputError
from relu_geom.network import ReLUNetwork
from relu_geom.network.symmetry import degenerate_neurons

__all__ = ["LocalIdentifiability", "local_identifiability"]


@dataclass(frozen=True, slots=True)
class LocalIdentifiability:
    """Result of :func:`local_identifiability` (paper 003, Theorems 9 and 10).

    Attributes
    ----------
    n_points : int
        ``n``, the sample size.
    fixed_weights : tuple of (layer, row, col)
        For each hidden neuron ``(l, i)``, the fixed outgoing weight
        ``W_{l+1}[row][i]`` (largest absolute value, lowest row on ties), as
        ``(l + 1, row, i)``.
    n_free : int
        ``|F_theta| + |B| = D - H``.
    r_gamma : int
        Rank of the restricted Jacobian ``Gamma(X, theta)``.
    rank_alpha : int
        Rank of the activation operator ``alpha(X, theta)``.
    r_a : int
        ``m * rank_alpha``.
    n_paths : int
        ``|P|``, the number of columns of ``alpha`` (never materialized).
    """

    n_points: int
    fixed_weights: tuple[tuple[int, int, int], ...]
    n_free: int
    r_gamma: int
    rank_alpha: int
    r_a: int
    n_paths: int

    @property
    def c_s(self) -> bool:
        """Condition C_S: ``R_Gamma = |F| + |B|`` (sufficient for local identifiability)."""
        return self.r_gamma == self.n_free

    @property
    def c_n(self) -> bool:
        """Condition C_N: ``R_Gamma < R_A`` or C_S (necessary for local identifiability)."""
        return self.r_gamma < self.r_a or self.c_s

    @property
    def verdict(self) -> str:
        """``"locally identifiable"``, ``"not locally identifiable"`` or ``"undecided"``."""
        if self.c_s:
            return "locally identifiable"
        if not self.c_n:
            return "not locally identifiable"
        return "undecided"


def _fixed_weights(net: ReLUNetwork) -> list[tuple[int, int, int]]:
    out = []
    for layer in range(1, net.depth + 1):
        Wn = net.weights[layer]
        for i in range(net.hidden_widths[layer - 1]):
            col = [abs(row[i]) for row in Wn]
            best = max(col)
            out.append((layer + 1, col.index(best), i))
    return out


def _alpha_gram(pts: list[Point], patterns: list[list[list[bool]]]) -> list[list[int]]:
    """``q_x q_y <alpha(x), alpha(y)>`` (integers; rows scaled by the points' denominators)."""
    qs = [math.lcm(*(v.denominator for v in x)) if x else 1 for x in pts]
    xi = [[int(v * q) for v in x] for x, q in zip(pts, qs)]
    masks = [[sum(1 << i for i, a in enumerate(layer) if a) for layer in pat] for pat in patterns]
    n = len(pts)
    G = [[0] * n for _ in range(n)]
    for a in range(n):
        for b in range(a, n):
            counts = [(ma & mb).bit_count() for ma, mb in zip(masks[a], masks[b])]
            qq = qs[a] * qs[b]
            total = qq  # the empty path beta
            prod = 1
            for c in reversed(counts):
                prod *= c
                total += qq * prod
            total += sum(u * v for u, v in zip(xi[a], xi[b])) * prod
            G[a][b] = G[b][a] = total
    return G


def local_identifiability(net: ReLUNetwork, X: object) -> LocalIdentifiability:
    """Conditions C_N and C_S of paper 003 for the sample ``X``, by exact ranks.

    Parameters
    ----------
    net
        The network (at least one hidden layer is not required, but then the
        question reduces to linear regression).
    X
        The sample: a sequence of ``n`` points.

    Returns
    -------
    LocalIdentifiability
        ``r_gamma``, ``rank_alpha``, ``r_a``, ``n_free`` and the ``verdict``.

    Raises
    ------
    InvalidInputError
        If ``theta`` is in the degenerate set ``S`` (a hidden neuron with zero
        incoming weights and bias, or zero outgoing weights; the message names
        it) or a sample point has a zero hidden pre-activation (then ``theta``
        is in ``Delta_X``; the message names the point and the neurons): the
        theorems do not apply there.

    Notes
    -----
    ``R_Gamma``: the Jacobian at each point (integer-rescaled network, as in
    :func:`batch_functional_dimension`) without the fixed columns; its rank is
    bounded by ``min(D - H, R_A)`` (the paper shows ``R_Gamma <= R_A``), so a
    modular rank reaching that bound is exact.  ``rank alpha``: the ``n x n``
    Gram matrix (module notes), ``O(n^2 H)`` to build.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[1, 0], [0, 1], [1, 1]], [[1, 1, -1]]], [[0, 0, -1], [0]])
    >>> few = rg.local_identifiability(net, [[1, 2], [2, 1]])
    >>> few.n_free, few.r_gamma, few.verdict
    (10, 2, 'not locally identifiable')
    >>> sample = rg.functional_dimension(net).sample  # 10 points reaching D - H = 10
    >>> rg.local_identifiability(net, sample).verdict
    'locally identifiable'
    """
    net = as_network(net, what="net")
    deg = degenerate_neurons(net)
    if deg["zero_incoming"]:
        raise InvalidInputError(
            f"net: hidden neuron(s) {list(deg['zero_incoming'])} (layer, index) have zero incoming weights and bias: "
            "theta is in the degenerate set S of paper 003, where the identifiability conditions do not apply"
        )
    if deg["zero_outgoing"]:
        raise InvalidInputError(
            f"net: hidden neuron(s) {list(deg['zero_outgoing'])} (layer, index) have zero outgoing weights: "
            "theta is in the degenerate set S of paper 003, where the identifiability conditions do not apply"
        )
    pts = read_sample(X, net.input_dim)
    if not pts:
        raise InvalidInputError("X: expected at least one sample point, got none")
    patterns = [smooth_pattern(net, pt, i) for i, pt in enumerate(pts)]
    D, m = net.n_parameters, net.output_dim
    n_free = max_functional_dimension(net.architecture)
    arch = net.architecture
    n_paths = 1
    for start in range(0, net.depth + 1):
        n_paths += math.prod(arch[start : net.depth + 1])

    G = _alpha_gram(pts, patterns)
    rank_alpha = integer_rank(G, len(pts), upper=n_paths)
    r_a = m * rank_alpha

    fixed = _fixed_weights(net)
    offs = parameter_offsets(net)
    a = net.architecture
    fixed_cols = {offs[layer - 1] + row * a[layer - 1] + col for layer, row, col in fixed}
    keep = [j for j in range(D) if j not in fixed_cols]
    Ws, bs = integer_layers(net)
    rows = []
    for pt, pat in zip(pts, patterns):
        for row in point_rows(net, Ws, bs, pt, pat):
            rows.append([row[j] for j in keep])
    r_gamma = integer_rank(rows, len(keep), upper=min(n_free, r_a))
    return LocalIdentifiability(
        n_points=len(pts),
        fixed_weights=tuple(fixed),
        n_free=len(keep),
        r_gamma=r_gamma,
        rank_alpha=rank_alpha,
        r_a=r_a,
        n_paths=n_paths,
    )
