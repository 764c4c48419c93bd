"""Two hidden layers with a bottleneck, ``[d, n1, n2, m]``: symmetries, fibers and a fast equivalence test.

Write ``z = W1 x + b1`` (first-layer pre-activations), ``y = relu(z)`` and
``h(y) = W3 relu(W2 y + b2) + b3``, so ``f = h o relu o z``.  The second and third
layers form a one-hidden-layer network ``h`` whose input ``y`` lies in the
nonnegative orthant.  Symmetries (all exact; derivations in ``docs/fibers.md``,
section 3):

* **standard**: permutations ``S_{n1} x S_{n2}`` and positive rescaling;
* **second-layer fiber** (the second layer *preserves* first-layer structure):
  any ``h'`` equal to ``h`` on the orthant, i.e. the shallow fiber of ``h`` on
  ``domain="orthant"`` (:func:`relu_geom.analyses.fibers.shallow_fiber`): second-layer
  neurons that are dead (``w <= 0, b <= 0``: free row in that cone, free output),
  linear (``w >= 0, b >= 0``: their linear parts can be redistributed), flipped
  hinge neurons compensated by linear ones, inert neurons (zero output);
* **hidden bias shift** ``T_j`` (the second layer *hides* ``H_j``): when every
  second-layer row ``i`` with ``W2[i][j] != 0`` is dead or has ``W2[i][j] > 0``,
  ``W2[i][k] <= 0`` (``k != j``) and ``b2[i] <= 0``, then ``b1[j] += t``,
  ``b2[i] -= t W2[i][j]`` (live rows) keeps ``f`` for ``t >= max_i b2[i] / W2[i][j]``;
* **flip-shear** ``M_k`` generating the discrete group ``G_j = <M_k : k != j>``:
  with ``T_j`` as above, when every row seeing ``k`` is dead or live for ``j`` and
  ``W2[i][k] = r W2[i][j]`` with one ratio ``r`` on all live rows, then
  ``(W1_k, b1_k) -> -(W1_k, b1_k)`` and ``(W1_j, b1_j) -> (W1_j, b1_j) + r (W1_k, b1_k)``
  keep ``f`` (an involution; the ``M_k`` commute);
* **free first-layer rows**: a first-layer neuron seen only by dead or inert
  second-layer neurons can have any incoming row.

:func:`bottleneck_key` maps a network to a canonical invariant under all of
these (computed on the orthant decomposition of ``h``, so it also sees the
symmetries after second-layer re-orientations); :func:`bottleneck_equivalent`
compares keys in polynomial time and otherwise separates by probes or falls
back to :func:`relu_geom.functionally_equivalent`.
"""

from __future__ import annotations

import itertools
import math
import random as _random
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from relu_geom._util import lazy
from relu_geom.analyses.equivalence import (
    EquivalenceEvidence,
    EquivalenceResult,
    _check_pair,
    _domain_points,
    _witness_result,
    difference_network,
    functionally_equivalent,
    reduce_network,
)
from relu_geom.arith.dense import primitive_row, rref
from relu_geom.compiler.entry import as_network
from relu_geom.errors import InvalidInputError, LimitExceededError
from relu_geom.network import ReLUNetwork
from relu_geom.network.transforms import require_network

__all__ = [
    "BiasShiftFamily",
    "FlipShearFamily",
    "FreeRowFamily",
    "SymmetryFamily",
    "ThreeLayerFiber",
    "bottleneck_degeneracies",
    "bottleneck_equivalent",
    "bottleneck_key",
    "flip_shears",
    "hidden_bias_shifts",
    "three_layer_fiber",
]

_ZERO = Fraction(0)


def _check_two_hidden(net: Any, what: str = "net") -> ReLUNetwork:
    return require_network(net, what, hidden_layers=2)


def _rank(rows: list[list[Fraction]]) -> int:
    rows = [r for r in rows if any(r)]
    return len(rref(rows)[0]) if rows else 0


def bottleneck_degeneracies(net: ReLUNetwork, *, max_subsets: int = 4096) -> tuple[str, ...]:
    """The genericity hypotheses of paper 001 that ``net`` fails (empty when it passes all checked).

    Checked: no zero rows or columns in the weight matrices; pairwise different
    first-layer hyperplanes; the masked products ``W2 D_S W1`` have rank
    ``min(d, n2, |S|)`` for every subset ``S`` of the first layer (skipped with a
    note when there are more than ``max_subsets`` subsets); ``W3`` has rank
    ``min(n2, m)``.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.analyses.fibers.bottleneck import bottleneck_degeneracies
    >>> bottleneck_degeneracies(rg.ReLUNetwork.random_normal([3, 4, 2, 1], seed=1))
    ()
    >>> dup = rg.ReLUNetwork([[[1, 0], [2, 0], [0, 1]], [[1, 1, 1], [1, -1, 2]], [[1, 1]]], [[0, 0, 0], [0, 0], [0]])
    >>> bottleneck_degeneracies(dup)[0]
    'first-layer neurons 0 and 1 share a hyperplane'
    """
    _check_two_hidden(net)
    W1, W2, W3 = net.weights
    b1 = net.biases[0]
    d, n1, n2, m = net.architecture
    out: list[str] = []
    for name, W in (("W1", W1), ("W2", W2), ("W3", W3)):
        for i, row in enumerate(W):
            if not any(row):
                out.append(f"{name} has a zero row {i}")
        for j, col in enumerate(zip(*W)):
            if not any(col):
                out.append(f"{name} has a zero column {j}")
    keys: dict[tuple[int, ...], int] = {}
    for i, (row, b) in enumerate(zip(W1, b1)):
        if any(row):
            key = primitive_row(list(row) + [b])
            lead = next(v for v in key if v)
            key = tuple(-v for v in key) if lead < 0 else key
            if key in keys:
                out.append(f"first-layer neurons {keys[key]} and {i} share a hyperplane")
            keys.setdefault(key, i)
    if 2**n1 > max_subsets:
        out.append(f"masked products not checked ({2**n1} subsets > max_subsets={max_subsets})")
    else:
        for size in range(1, n1 + 1):
            for S in itertools.combinations(range(n1), size):
                prod = [[sum((W2[i][k] * W1[k][q] for k in S), _ZERO) for q in range(d)] for i in range(n2)]
                want = min(d, n2, size)
                got = _rank(prod)
                if got < want:
                    out.append(f"masked product W2 D_S W1 with S = {S} has rank {got} < {want}")
    r3 = _rank([list(r) for r in W3])
    if r3 < min(n2, m):
        out.append(f"W3 has rank {r3} < min(n2, m) = {min(n2, m)}")
    return tuple(out)


# ------------------------------------------------------------------ parameter positions
def _index(arch: tuple[int, ...], layer: int, row: int, col: int | None) -> int:
    """Position in :meth:`ReLUNetwork.parameters` of ``W_layer[row][col]`` (``col=None``: ``b_layer[row]``)."""
    pos = 0
    for k in range(1, layer):
        pos += arch[k] * (arch[k - 1] + 1)
    rows, cols = arch[layer], arch[layer - 1]
    return pos + (rows * cols + row if col is None else row * cols + col)


def _sympy_value(v: Fraction) -> Any:
    import sympy

    return sympy.Rational(v.numerator, v.denominator)


def _is_dead_row(w: Any, b: Fraction) -> bool:
    """Second-layer row that is <= 0 on the whole orthant (its inputs are relu outputs)."""
    return all(v <= 0 for v in w) and b <= 0


# ------------------------------------------------------------------ families
@dataclass(frozen=True, slots=True)
class SymmetryFamily:
    """A set of parameter points computing the same function as ``network``, affine in its values.

    Subclasses fix which parameters move and how: :meth:`apply` maps admissible
    values (a point of ``Q^dimension``) to a network; :attr:`dimension` is 0 for
    a discrete symmetry (then ``values = ()``).  :meth:`parametrization` gives
    the moved parameter vector as sympy expressions of :meth:`symbols`, with the
    constraints :meth:`inequalities`; :meth:`contains` decides exactly whether a
    network is a point of the family (no permutation or rescaling applied).
    """

    network: ReLUNetwork = field(repr=False, compare=False)

    kind = "family"

    @property
    def dimension(self) -> int:
        return 0

    # subclasses: _moves, admissible, values_of, describe
    def _moves(self) -> list[tuple[int, Fraction, tuple[Fraction, ...]]]:
        """``(parameter index, constant, coefficients of the values)`` for every moved parameter."""
        raise NotImplementedError

    def admissible(self, values: Sequence[Any]) -> bool:
        """Whether ``values`` satisfy :meth:`inequalities`."""
        return True

    def values_of(self, other: ReLUNetwork) -> tuple[Fraction, ...]:
        """The values at which ``other`` would be the family's point (read off its parameters)."""
        return ()

    def describe(self) -> str:
        raise NotImplementedError

    def _values(self, values: Sequence[Any]) -> tuple[Fraction, ...]:
        vals = tuple(Fraction(v) for v in values)
        if len(vals) != self.dimension:
            raise InvalidInputError(
                f"values: expected {self.dimension} values for {self.kind}, got {len(vals)}"
            )
        if not self.admissible(vals):
            raise InvalidInputError(
                f"values: expected a point of {self.describe()}, got {list(map(str, vals))}"
            )
        return vals

    def apply(self, values: Sequence[Any] = ()) -> ReLUNetwork:
        """The network at ``values`` (exact); raises InvalidInputError outside the family."""
        vals = self._values(values)
        theta = list(self.network.parameters())
        for idx, const, coef in self._moves():
            theta[idx] = const + sum((c * v for c, v in zip(coef, vals)), _ZERO)
        return ReLUNetwork.from_parameters(self.network.architecture, theta)

    def contains(self, other: ReLUNetwork) -> bool:
        """Exact: ``other`` is the point of this family at some admissible values."""
        if not isinstance(other, ReLUNetwork) or other.architecture != self.network.architecture:
            return False
        vals = self.values_of(other)
        return self.admissible(vals) and self.apply(vals) == other

    def symbols(self) -> tuple[Any, ...]:
        import sympy

        return tuple(sympy.symbols(f"{self.kind.replace('-', '_')}_0:{self.dimension}", real=True))

    def parametrization(self) -> tuple[Any, ...]:
        """The parameter vector of the family's points, affine in :meth:`symbols` (sympy)."""
        syms = self.symbols()
        theta: list[Any] = [_sympy_value(v) for v in self.network.parameters()]
        for idx, const, coef in self._moves():
            theta[idx] = _sympy_value(const) + sum(_sympy_value(c) * s for c, s in zip(coef, syms))
        return tuple(theta)

    def inequalities(self) -> tuple[Any, ...]:
        return ()

    def sample(self, seed: int = 0) -> ReLUNetwork:
        """An exact point of the family (reproducible)."""
        rng = _random.Random(seed)
        for _ in range(1000):
            vals = self._random_values(rng)
            if self.admissible(vals):
                return self.apply(vals)
        raise AssertionError("no admissible sample")  # pragma: no cover

    def _random_values(self, rng: _random.Random) -> tuple[Fraction, ...]:
        return tuple(Fraction(rng.randint(-9, 9), rng.randint(1, 4)) for _ in range(self.dimension))

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "dimension": self.dimension, "description": self.describe()}


@dataclass(frozen=True, slots=True)
class BiasShiftFamily(SymmetryFamily):
    """The hidden bias shift ``T_j``: ``b1[j] += t``, ``b2[i] -= t W2[i][j]`` for ``i`` in ``rows``, ``t >= lower``.

    ``rows`` are the live second-layer rows seeing ``j`` (``W2[i][j] > 0``, all other
    entries ``<= 0``, ``b2[i] <= 0``); every other row with ``W2[i][j] != 0`` is dead.
    """

    neuron: int = 0
    rows: tuple[int, ...] = ()
    lower: Fraction = _ZERO

    kind = "bias-shift"

    @property
    def dimension(self) -> int:
        return 1

    def _moves(self) -> list[tuple[int, Fraction, tuple[Fraction, ...]]]:
        arch, net = self.network.architecture, self.network
        out: list[tuple[int, Fraction, tuple[Fraction, ...]]] = [
            (_index(arch, 1, self.neuron, None), net.biases[0][self.neuron], (Fraction(1),))
        ]
        for i in self.rows:
            out.append((_index(arch, 2, i, None), net.biases[1][i], (-net.weights[1][i][self.neuron],)))
        return out

    def admissible(self, values: Sequence[Any]) -> bool:
        return len(values) == 1 and values[0] >= self.lower

    def values_of(self, other: ReLUNetwork) -> tuple[Fraction, ...]:
        return (other.biases[0][self.neuron] - self.network.biases[0][self.neuron],)

    def inequalities(self) -> tuple[Any, ...]:
        (t,) = self.symbols()
        return (t >= _sympy_value(self.lower),)

    def shift(self, t: object) -> ReLUNetwork:
        """The network moved by ``t`` (``t >= lower``)."""
        value = Fraction(t)  # type: ignore[call-overload]
        if value < self.lower:
            raise InvalidInputError(
                f"t: expected t >= {self.lower} for the bias shift of neuron {self.neuron}, got {value}"
            )
        return self.apply((value,))

    def _random_values(self, rng: _random.Random) -> tuple[Fraction, ...]:
        return (self.lower + Fraction(rng.randint(0, 12), rng.randint(1, 4)),)

    def describe(self) -> str:
        return (
            f"b1[{self.neuron}] -> b1[{self.neuron}] + t, b2[i] -> b2[i] - t W2[i][{self.neuron}] "
            f"for i in {list(self.rows)}, t >= {self.lower}"
        )


@dataclass(frozen=True, slots=True)
class FlipShearFamily(SymmetryFamily):
    """The involution ``M_k`` of ``G_j``: ``row_k -> -row_k``, ``row_j -> row_j + ratio row_k`` (first layer)."""

    neuron: int = 0
    hidden: int = 0
    ratio: Fraction = _ZERO

    kind = "flip-shear"

    def _moves(self) -> list[tuple[int, Fraction, tuple[Fraction, ...]]]:
        arch, net = self.network.architecture, self.network
        W1, b1 = net.weights[0], net.biases[0]
        d = net.input_dim
        k, j, r = self.neuron, self.hidden, self.ratio
        out: list[tuple[int, Fraction, tuple[Fraction, ...]]] = []
        for q in range(d + 1):
            rk = W1[k][q] if q < d else b1[k]
            rj = W1[j][q] if q < d else b1[j]
            col = q if q < d else None
            out.append((_index(arch, 1, k, col), -rk, ()))
            out.append((_index(arch, 1, j, col), rj + r * rk, ()))
        return out

    def contains(self, other: ReLUNetwork) -> bool:
        return isinstance(other, ReLUNetwork) and other == self.apply(())

    def describe(self) -> str:
        return (
            f"M_{self.neuron} in G_{self.hidden}: first-layer row {self.neuron} -> -row {self.neuron}, "
            f"row {self.hidden} -> row {self.hidden} + ({self.ratio}) row {self.neuron}"
        )


@dataclass(frozen=True, slots=True)
class FreeRowFamily(SymmetryFamily):
    """A neuron whose incoming row (and, for a dead second-layer neuron, outgoing column) is free.

    ``layer`` 1: a first-layer neuron seen only by dead or inert second-layer neurons
    (row free in ``Q^(d+1)``).  ``layer`` 2 with ``dead``: a second-layer neuron with
    ``w <= 0, b <= 0`` (row free in that cone, output column free).  ``layer`` 2
    without ``dead``: zero output column (row free).
    """

    layer: int = 1
    neuron: int = 0
    dead: bool = False

    @property
    def kind(self) -> str:  # type: ignore[override]
        return "dead-row" if self.dead else ("free-row" if self.layer == 1 else "inert-row")

    @property
    def dimension(self) -> int:
        d, n1, n2, m = self.network.architecture
        width = d if self.layer == 1 else n1
        return width + 1 + (m if self.dead else 0)

    def _slots(self) -> list[int]:
        arch = self.network.architecture
        width = arch[self.layer - 1]
        out = [_index(arch, self.layer, self.neuron, q) for q in range(width)]
        out.append(_index(arch, self.layer, self.neuron, None))
        if self.dead:
            out += [_index(arch, 3, r, self.neuron) for r in range(arch[3])]
        return out

    def _moves(self) -> list[tuple[int, Fraction, tuple[Fraction, ...]]]:
        n = self.dimension
        return [
            (idx, _ZERO, tuple(Fraction(int(a == b)) for b in range(n)))
            for a, idx in enumerate(self._slots())
        ]

    def values_of(self, other: ReLUNetwork) -> tuple[Fraction, ...]:
        theta = other.parameters()
        return tuple(theta[i] for i in self._slots())

    def admissible(self, values: Sequence[Any]) -> bool:
        if len(values) != self.dimension:
            return False
        if self.dead:
            n1 = self.network.architecture[1]
            return all(v <= 0 for v in values[: n1 + 1])
        return True

    def inequalities(self) -> tuple[Any, ...]:
        if not self.dead:
            return ()
        n1 = self.network.architecture[1]
        return tuple(s <= 0 for s in self.symbols()[: n1 + 1])

    def _random_values(self, rng: _random.Random) -> tuple[Fraction, ...]:
        vals = [Fraction(rng.randint(-9, 9), rng.randint(1, 4)) for _ in range(self.dimension)]
        if self.dead:
            n1 = self.network.architecture[1]
            vals[: n1 + 1] = [-abs(v) for v in vals[: n1 + 1]]
        return tuple(vals)

    def describe(self) -> str:
        if self.layer == 1:
            return f"first-layer neuron {self.neuron} is seen only by dead or inert neurons: its row is free"
        if self.dead:
            return (
                f"second-layer neuron {self.neuron} is dead on the orthant: row free in "
                "{w <= 0, b <= 0}, output column free"
            )
        return f"second-layer neuron {self.neuron} has zero outgoing weights: its row is free"


def hidden_bias_shifts(net: ReLUNetwork) -> tuple[BiasShiftFamily, ...]:
    """The families ``T_j`` available at ``net`` (first-layer neurons hidden by the second layer).

    ``T_j`` exists when some second-layer row is *live for* ``j`` (``W2[i][j] > 0``,
    ``W2[i][k] <= 0`` for ``k != j``, ``b2[i] <= 0``) and every other row with
    ``W2[i][j] != 0`` is dead (``W2[i] <= 0``, ``b2[i] <= 0``).

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.analyses.fibers.bottleneck import hidden_bias_shifts
    >>> net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[2, -1], [-1, 1]], [[1, 1]]], [[0, 0], [-1, 3], [0]])
    >>> [f.describe() for f in hidden_bias_shifts(net)]
    []
    >>> net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[2, -1]], [[1]]], [[0, 0], [-1], [0]])
    >>> fam = hidden_bias_shifts(net)[0]
    >>> fam.describe()
    'b1[0] -> b1[0] + t, b2[i] -> b2[i] - t W2[i][0] for i in [0], t >= -1/2'
    >>> rg.functionally_equivalent(net, fam.shift(5)).equivalent
    True
    """
    _check_two_hidden(net)
    W1 = net.weights[0]
    W2, b2 = net.weights[1], net.biases[1]
    out = []
    for j in range(net.hidden_widths[0]):
        if not any(W1[j]):
            continue
        live, ok = [], True
        for i, row in enumerate(W2):
            if row[j] == 0:
                continue
            if row[j] > 0 and b2[i] <= 0 and all(v <= 0 for k, v in enumerate(row) if k != j):
                live.append(i)
            elif not _is_dead_row(row, b2[i]):
                ok = False
                break
        if ok and live:
            out.append(BiasShiftFamily(net, j, tuple(live), max(b2[i] / W2[i][j] for i in live)))
    return tuple(out)


def flip_shears(net: ReLUNetwork) -> tuple[FlipShearFamily, ...]:
    """The generators ``M_k`` of the groups ``G_j`` at ``net`` (one per eligible ``k``).

    With ``T_j`` available (live rows ``L``), ``k != j`` is eligible when every row
    with ``W2[i][k] != 0`` is in ``L`` or dead and ``W2[i][k] = r W2[i][j]`` on ``L``
    for one ``r != 0``.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.analyses.fibers.bottleneck import flip_shears
    >>> net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[2, -1]], [[1]]], [[0, 0], [-1], [0]])
    >>> fam = flip_shears(net)[0]
    >>> fam.describe()
    'M_1 in G_0: first-layer row 1 -> -row 1, row 0 -> row 0 + (-1/2) row 1'
    >>> rg.functionally_equivalent(net, fam.apply()).equivalent
    True
    """
    _check_two_hidden(net)
    W2, b2 = net.weights[1], net.biases[1]
    out = []
    for fam in hidden_bias_shifts(net):
        j, live = fam.neuron, fam.rows
        for k in range(net.hidden_widths[0]):
            if k == j or not any(net.weights[0][k]):
                continue
            seen = [i for i in range(len(W2)) if W2[i][k] != 0]
            if not seen or any(i not in live and not _is_dead_row(W2[i], b2[i]) for i in seen):
                continue
            ratios = {W2[i][k] / W2[i][j] for i in live}
            if len(ratios) == 1:
                (r,) = ratios
                if r != 0:
                    out.append(FlipShearFamily(net, k, j, r))
    return tuple(out)


def _free_rows(net: ReLUNetwork) -> tuple[FreeRowFamily, ...]:
    W2, b2, W3 = net.weights[1], net.biases[1], net.weights[2]
    dead = {i for i in range(len(W2)) if _is_dead_row(W2[i], b2[i])}
    inert = {i for i in range(len(W2)) if not any(r[i] for r in W3)}
    out: list[FreeRowFamily] = []
    for k in range(net.hidden_widths[0]):
        if all(W2[i][k] == 0 or i in dead or i in inert for i in range(len(W2))):
            out.append(FreeRowFamily(net, 1, k, False))
    for i in sorted(dead):
        out.append(FreeRowFamily(net, 2, i, True))
    for i in sorted(inert - dead):
        out.append(FreeRowFamily(net, 2, i, False))
    return tuple(out)


# ------------------------------------------------------------------ canonical key
def _second_layer_network(W2: Any, b2: Any, W3: Any, b3: Any) -> ReLUNetwork:
    return ReLUNetwork([[list(r) for r in W2], [list(r) for r in W3]], [list(b2), list(b3)])


def bottleneck_key(net: ReLUNetwork) -> tuple[Any, ...] | None:
    """An invariant of ``net``'s function under every symmetry of this module (None when not computed).

    Steps (each keeps the function; ``docs/fibers.md`` section 3): constant and
    duplicated first-layer neurons are folded into the second layer; the
    second-and-third-layer network ``h`` is replaced by its decomposition on the
    orthant (``h(y) = sum_l c_l relu(a_l . y + t_l) + M y + b``); a first-layer
    neuron ``j`` is *hidden* when, with every hinge seeing ``j`` oriented so that
    its ``j``-entry is positive, those hinges have all other entries and their
    offsets ``<= 0`` and the linear part has no ``y_j`` column; then the
    flip-shears ``M_k`` bring each eligible ``k`` to the orientation whose first
    nonzero entry is positive, ``T_j`` moves to ``t = max_l t_l / a_lj``, unseen
    first-layer neurons are dropped, first-layer rows are normalized (first
    nonzero entry ``+-1``) and sorted, and ``h`` is re-decomposed in these
    coordinates.  Equal keys imply equal functions.  None when two first-layer
    rows coincide after the moves (the key would depend on an arbitrary merge).

    Complexity: ``O(n1 n2 (d + m))`` rational operations plus sorting.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.analyses.fibers.bottleneck import bottleneck_key, flip_shears
    >>> net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[2, -1]], [[1]]], [[0, 0], [-1], [0]])
    >>> bottleneck_key(net) == bottleneck_key(flip_shears(net)[0].apply())
    True
    """
    from relu_geom.analyses.fibers.shallow import shallow_decomposition

    _check_two_hidden(net)
    W1 = [list(r) for r in net.weights[0]]
    b1 = list(net.biases[0])
    W2 = [list(r) for r in net.weights[1]]
    b2 = list(net.biases[1])
    W3, b3 = net.weights[2], net.biases[2]
    d, n1, n2, m = net.architecture
    # constant and duplicated first-layer neurons
    first: dict[tuple[int, ...], tuple[int, Fraction]] = {}
    for k in range(n1):
        row = W1[k] + [b1[k]]
        if not any(W1[k]):
            const = b1[k] if b1[k] > 0 else _ZERO
            for i in range(n2):
                b2[i] += W2[i][k] * const
                W2[i][k] = _ZERO
            continue
        key = primitive_row(row)
        lead = next(q for q, v in enumerate(key) if v)
        if key in first:
            k0, ref = first[key]
            s = row[lead] / ref
            for i in range(n2):
                W2[i][k0] += s * W2[i][k]
                W2[i][k] = _ZERO
            continue
        first[key] = (k, row[lead])
    dec = shallow_decomposition(_second_layer_network(W2, b2, W3, b3), domain="orthant")
    hinges = [(list(map(Fraction, h.normal)), Fraction(h.offset), list(h.coefficient)) for h in dec.hinges]
    M = [list(r) for r in dec.linear]
    bias = list(dec.bias)

    def column(j: int, orient: dict[int, int]) -> list[Fraction]:
        col = [M[r][j] for r in range(m)]
        for l_, (a, _t, c) in enumerate(hinges):
            if orient.get(l_, 1) < 0:
                col = [x + cr * a[j] for x, cr in zip(col, c)]
        return col

    seen_by = {j: [l_ for l_, h in enumerate(hinges) if h[0][j] != 0] for j in range(n1)}
    hidden: dict[int, dict[int, int]] = {}
    for j in range(n1):
        L = seen_by[j]
        if not L:
            continue
        orient = {l_: 1 if hinges[l_][0][j] > 0 else -1 for l_ in L}
        if all(
            all(o * v <= 0 for q, v in enumerate(hinges[l_][0]) if q != j) and o * hinges[l_][1] <= 0
            for l_, o in orient.items()
        ) and not any(column(j, orient)):
            hidden[j] = orient
    claimed: dict[int, list[int]] = {}
    for j, orient in hidden.items():
        for l_ in orient:
            claimed.setdefault(l_, []).append(j)
    for js in claimed.values():
        if len(js) > 1:
            for j in js:
                hidden.pop(j, None)
    orientation = {l_: o for orient in hidden.values() for l_, o in orient.items()}
    relevant = [k for k in range(n1) if seen_by[k] or any(M[r][k] for r in range(m))]
    # flip-shears
    for j, orient in hidden.items():
        L = seen_by[j]
        for k in relevant:
            if k == j or k in hidden or not seen_by[k] or not set(seen_by[k]) <= set(L):
                continue
            ratios = {hinges[l_][0][k] / hinges[l_][0][j] for l_ in L}
            if len(ratios) != 1 or any(column(k, orient)):
                continue
            (ratio,) = ratios
            row_k = W1[k] + [b1[k]]
            if next(v for v in row_k if v) < 0:
                row_j = [u + ratio * v for u, v in zip(W1[j] + [b1[j]], row_k)]
                W1[j], b1[j] = row_j[:d], row_j[d]
                W1[k], b1[k] = [-v for v in W1[k]], -b1[k]
    # bias shifts, then the oriented second layer
    for j in hidden:
        L = seen_by[j]
        lower = max(hinges[l_][1] / hinges[l_][0][j] for l_ in L)
        b1[j] += lower
        for l_ in L:
            a, t, c = hinges[l_]
            hinges[l_] = (a, t - lower * a[j], c)
    rows2: list[list[Fraction]] = []
    bias2: list[Fraction] = []
    outs: list[list[Fraction]] = []
    for l_, (a, t, c) in enumerate(hinges):
        o = orientation.get(l_, 1)
        rows2.append([o * v for v in a])
        bias2.append(o * t)
        outs.append(c)
    for l_, h in enumerate(dec.hinges):
        if orientation.get(l_, 1) < 0:  # c relu(u) = c relu(-u) + c u with the original u
            for r in range(m):
                for q in range(n1):
                    M[r][q] += h.coefficient[r] * h.normal[q]
                bias[r] += h.coefficient[r] * h.offset
    for q in range(n1):  # y_q = relu(y_q) on the orthant
        rows2.append([Fraction(int(q == p)) for p in range(n1)])
        bias2.append(_ZERO)
        outs.append([M[r][q] for r in range(m)])
    # normalized, sorted first layer
    norm: list[tuple[tuple[Fraction, ...], int, Fraction]] = []
    for k in relevant:
        row = W1[k] + [b1[k]]
        if not any(W1[k]):
            return None
        lam = abs(next(v for v in row if v))
        norm.append((tuple(v / lam for v in row), k, lam))
    norm.sort()
    if len({n[0] for n in norm}) != len(norm):
        return None
    if not norm or not rows2:
        return ((), tuple(bias))
    Wc = [[row[k] * lam for _, k, lam in norm] for row in rows2]
    W3c = [list(x) for x in zip(*outs)]
    dec_c = shallow_decomposition(_second_layer_network(Wc, bias2, W3c, bias), domain="orthant")
    return (tuple(n[0] for n in norm), dec_c)


# ------------------------------------------------------------------ equivalence test
def bottleneck_equivalent(net1: ReLUNetwork, net2: ReLUNetwork, domain: Any = None) -> EquivalenceResult:
    """Functional equivalence of two networks with two hidden layers, fast for generic parameters.

    Steps: on ``R^d``, equal :func:`bottleneck_key` values (``"bottleneck-symmetry"``:
    the networks are related by the symmetries of this module, permutations and
    rescalings); then the difference of the two networks reduced by permutation
    and rescaling merges (also ``"bottleneck-symmetry"``); probe points
    (``"bottleneck-witness"``); otherwise the general test decides
    (``"fallback:<method>"``, with the reason: a failed genericity hypothesis of
    :func:`bottleneck_degeneracies` or no listed symmetry relating the pair).
    Every verdict is certified, so the result always agrees with
    :func:`relu_geom.functionally_equivalent`.

    Complexity: polynomial (``O(n1 n2 (d + m))`` for the keys, ``O(P)`` per probe)
    except the fallback.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.analyses.fibers import bottleneck_equivalent, three_layer_fiber
    >>> a = rg.ReLUNetwork.random_normal([4, 8, 3, 1], seed=2)
    >>> b = a.permute_layer(1, [7, 6, 5, 4, 3, 2, 1, 0]).rescale_neuron(2, 1, 5)
    >>> bottleneck_equivalent(a, b).method
    'bottleneck-symmetry'
    >>> net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[2, -1]], [[1]]], [[0, 0], [-1], [0]])
    >>> bottleneck_equivalent(net, three_layer_fiber(net).sample(1)).method
    'bottleneck-symmetry'
    """
    _check_two_hidden(net1, "net1")
    _check_two_hidden(net2, "net2")
    _check_pair(net1, net2)
    from relu_geom.compiler import parse_domain

    dom = parse_domain(domain, net1.input_dim)
    if domain is None:
        k1, k2 = bottleneck_key(net1), bottleneck_key(net2)
        if k1 is not None and k1 == k2:
            ev = EquivalenceEvidence(
                "equal bottleneck keys: after the hidden bias shifts, flip-shears and dropping unseen "
                "neurons, both networks have the same normalized first layer and the same decomposition "
                "of their last two layers on the orthant",
            )
            return EquivalenceResult(True, None, ev, "bottleneck-symmetry")
        red = reduce_network(difference_network(net1, net2))
        if not isinstance(red, ReLUNetwork) and not any(red):
            ev = EquivalenceEvidence(
                "the difference network reduces to 0 by permutation and rescaling merges", constant=red
            )
            return EquivalenceResult(True, None, ev, "bottleneck-symmetry")
    for x in _domain_points(dom, net1.input_dim, 24, 0):
        if net1(x) != net2(x):
            return _witness_result(
                net1, net2, x, "bottleneck-witness", "exact evaluation differs at a probe point"
            )
    degenerate = bottleneck_degeneracies(net1) + bottleneck_degeneracies(net2)
    if degenerate:
        return _fallback(net1, net2, domain, "degenerate: " + "; ".join(degenerate[:3]))
    return _fallback(net1, net2, domain, "not related by the listed symmetries")


def _fallback(net1: ReLUNetwork, net2: ReLUNetwork, domain: Any, why: str) -> EquivalenceResult:
    res = functionally_equivalent(net1, net2, domain)
    ev = EquivalenceEvidence(
        f"{why}; general test: {res.evidence.description}",
        values=res.evidence.values,
        reduced_difference=res.evidence.reduced_difference,
        constant=res.evidence.constant,
        n_regions=res.evidence.n_regions,
    )
    return EquivalenceResult(res.equivalent, res.witness, ev, f"fallback:{res.method}", res.domain)


# ------------------------------------------------------------------ the fiber
@dataclass(frozen=True, slots=True)
class ThreeLayerFiber:
    """The fiber of a two-hidden-layer network: its symmetry families, membership and sampling.

    ``families`` lists the families available at :attr:`network` (bias shifts
    ``T_j``, flip-shears ``M_k``, free rows); :attr:`second_layer_fiber` is the
    shallow fiber of the last two layers on the orthant.  The fiber contains
    every composition of these with permutations and rescalings; for generic
    parameters with ``n1 <= d`` (so that ``z = W1 x + b1`` is onto ``R^{n1}`` and
    ``f`` determines ``h`` on the orthant) this is the whole fiber
    (``docs/fibers.md``, section 3).  :meth:`contains` is exact for every
    network: the key comparison, else :func:`relu_geom.functionally_equivalent`.
    """

    network: ReLUNetwork
    degeneracies: tuple[str, ...]
    families: tuple[SymmetryFamily, ...]
    _lazy: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def is_generic(self) -> bool:
        return not self.degeneracies

    @property
    def bias_shifts(self) -> tuple[BiasShiftFamily, ...]:
        return tuple(f for f in self.families if isinstance(f, BiasShiftFamily))

    @property
    def flip_shears(self) -> tuple[FlipShearFamily, ...]:
        return tuple(f for f in self.families if isinstance(f, FlipShearFamily))

    @property
    def free_first_layer(self) -> tuple[int, ...]:
        return tuple(f.neuron for f in self.families if isinstance(f, FreeRowFamily) and f.layer == 1)

    @property
    def free_second_layer(self) -> tuple[int, ...]:
        return tuple(f.neuron for f in self.families if isinstance(f, FreeRowFamily) and f.layer == 2)

    @property
    def second_layer_network(self) -> ReLUNetwork:
        """``h``: the last two layers as a one-hidden-layer network on ``R^{n1}``."""
        net = self.network
        return _second_layer_network(net.weights[1], net.biases[1], net.weights[2], net.biases[2])

    @lazy
    def second_layer_fiber(self) -> Any:
        """The shallow fiber of ``h`` on the orthant (None when it exceeds the shallow limits)."""
        from relu_geom.analyses.fibers.shallow import shallow_fiber

        try:
            return shallow_fiber(self.second_layer_network, domain="orthant")
        except LimitExceededError:
            return None

    @property
    def second_layer_piece(self) -> Any:
        """The piece of :attr:`second_layer_fiber` that contains ``h`` (None when not computed)."""
        fib = self.second_layer_fiber
        if fib is None:
            return None
        h = self.second_layer_network
        return next((p for p in fib.pieces if p.contains(h)), None)

    @property
    def dimension_mod_scaling(self) -> int:
        """Local dimension modulo rescaling of the listed continuous families at :attr:`network`.

        ``#T_j + d #(free first-layer rows) + dim(second-layer piece mod scaling)``; without the
        second-layer fiber, dead and inert rows count ``n1 + m`` and ``n1``.
        """
        d, n1, n2, m = self.network.architecture
        out = len(self.bias_shifts) + d * len(self.free_first_layer)
        piece = self.second_layer_piece
        if piece is not None:
            return out + piece.dimension_mod_scaling
        for f in self.families:
            if isinstance(f, FreeRowFamily) and f.layer == 2:
                out += f.dimension - 1
        return out

    @property
    def discrete_group_order(self) -> int:
        """``n1! n2! 2^(#flip-shears)``: permutations and the groups ``G_j`` (each ``M_k`` an involution)."""
        _, n1, n2, _ = self.network.architecture
        return math.factorial(n1) * math.factorial(n2) * 2 ** len(self.flip_shears)

    def describe(self) -> list[str]:
        """Human-readable list of the symmetries."""
        _, n1, n2, _ = self.network.architecture
        out = [
            f"permutations S_{n1} x S_{n2} of the hidden layers",
            f"positive rescaling of all {n1 + n2} hidden neurons",
            "any second and third layer equal to these on the orthant (the shallow fiber on the orthant)",
        ]
        return out + [f.describe() for f in self.families]

    def contains(self, net: ReLUNetwork, domain: Any = None) -> bool:
        """Exact membership (same architecture and same function on ``domain``)."""
        if not isinstance(net, ReLUNetwork) or net.architecture != self.network.architecture:
            return False
        if domain is None:
            k = bottleneck_key(self.network)
            if k is not None and k == bottleneck_key(net):
                return True
        return functionally_equivalent(self.network, net, domain).equivalent

    def sample(self, seed: int = 0) -> ReLUNetwork:
        """A point of the fiber: a random composition of the families (exact, reproducible).

        Random flip-shears, bias shifts ``t >= lower``, free first-layer rows, then
        the last two layers replaced by a random point of their orthant piece (or
        dead and inert rows redrawn), then random permutations and rescalings.
        """
        rng = _random.Random(seed)
        net = self.network
        for fam in self.flip_shears:
            if rng.random() < 0.5:
                net = FlipShearFamily(net, fam.neuron, fam.hidden, fam.ratio).apply()
        for bias_fam in self.bias_shifts:
            shift = BiasShiftFamily(net, bias_fam.neuron, bias_fam.rows, bias_fam.lower)
            net = shift.apply(shift._random_values(rng))
        for f in self.families:
            if isinstance(f, FreeRowFamily) and f.layer == 1:
                g = FreeRowFamily(net, 1, f.neuron, False)
                net = g.apply(g._random_values(rng))
        piece = (
            ThreeLayerFiber(net, (), ()).second_layer_piece if self.second_layer_fiber is not None else None
        )
        if piece is not None:
            h = piece.sample(rng.randint(0, 10**6))
            net = ReLUNetwork(
                [net.weights[0], h.weights[0], h.weights[1]], [net.biases[0], h.biases[0], h.biases[1]]
            )
        else:
            for f in self.families:
                if isinstance(f, FreeRowFamily) and f.layer == 2:
                    g = FreeRowFamily(net, 2, f.neuron, f.dead)
                    net = g.apply(g._random_values(rng))
        for layer, width in ((1, net.hidden_widths[0]), (2, net.hidden_widths[1])):
            for i in range(width):
                net = net.rescale_neuron(layer, i, Fraction(rng.randint(1, 9), rng.randint(1, 9)))
            perm = list(range(width))
            rng.shuffle(perm)
            net = net.permute_layer(layer, perm)
        return net

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "architecture": list(self.network.architecture),
            "generic": self.is_generic,
            "degeneracies": list(self.degeneracies),
            "symmetries": self.describe(),
            "families": [f.to_dict() for f in self.families],
            "dimension_mod_scaling": self.dimension_mod_scaling,
            "discrete_group_order": self.discrete_group_order,
            "sample": self.sample(0).to_dict(),
        }


def three_layer_fiber(net: ReLUNetwork) -> ThreeLayerFiber:
    """The symmetry families of a two-hidden-layer network, with exact membership and sampling.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[1, 0], [0, 1]], [[2, -1]], [[1]]], [[0, 0], [-1], [0]])
    >>> fib = rg.three_layer_fiber(net)
    >>> [f.kind for f in fib.families]
    ['bias-shift', 'flip-shear']
    >>> fib.dimension_mod_scaling, fib.discrete_group_order, fib.contains(fib.sample(3))
    (1, 4, True)
    """
    net = as_network(net, what="net")
    _check_two_hidden(net)
    fams: tuple[SymmetryFamily, ...] = hidden_bias_shifts(net) + flip_shears(net) + _free_rows(net)
    return ThreeLayerFiber(net, bottleneck_degeneracies(net), fams)
