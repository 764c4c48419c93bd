"""Exact checks of the two genericity conditions of paper 001.

1. **Supertransversality**: every cell of codimension ``k`` of the canonical
   complex lies in exactly ``k`` bent hyperplanes.  A cell with sign vector ``s``
   lies in the bent hyperplane of neuron ``j`` iff ``s_j == 0`` (the bent
   hyperplane is the closure of the zero set, a union of cells), so the check
   counts zeros of sign vectors: ``O(#cells * H)``.  With a bounded domain only
   the cells inside the domain's interior are checked (cells on the domain's
   boundary owe their codimension partly to the domain).
2. **Maximal rank of masked products**: for every ``l`` in ``1..L+1`` and every
   sequence of index sets ``S_i`` of hidden layer ``i < l``, the product
   ``W_l D_{S_{l-1}} W_{l-1} ... D_{S_1} W_1`` has rank
   ``min(d, n_l, min_i |S_i|)``.

Enumerating the masked products
-------------------------------
The rank of ``W_l D_S Q`` depends on ``Q`` only through its column space, so
the check walks layer by layer over *distinct column spaces* (exact reduced
bases as keys), not over sequences: at layer ``l`` every reachable column space
``V`` of ``W_{l-1} D ... W_1`` is combined with every non-empty ``S``, the rank of
``W_l[:, S] B_V[S, :]`` is compared with ``min(dim V, n_l, |S|)`` (equivalent to
the condition when the earlier layers pass), and the new column space is kept.
Empty index sets give the zero matrix (rank 0 = target) and are skipped.  The
number of rank computations is ``sum_l #states_{l-1} (2^{n_{l-1}} - 1)``; it
collapses when column spaces repeat (for instance when ``d >= n_l`` and the
product has full row rank, there is a single state ``Q^{n_l}``) and is
exponential in the widths otherwise: ``2^16`` states after a 16-wide layer with
``d = 3``.  ``max_checks`` (default 20,000) bounds the work; beyond it the
condition is reported as undecided (``holds is None``), never guessed.

Bounds.  :func:`genericity_report` checks the masked products first (no compile
needed), then compiles a network with ``max_cells`` (default 10,000) and checks
the cells; ``max_seconds`` bounds the whole.  Both end with
:class:`~relu_geom.LimitExceededError`, naming the limit and the count reached.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import flint

from relu_geom._util import short_repr
from relu_geom.arith.rational import format_rational
from relu_geom.compiler.entry import as_complex, as_network
from relu_geom.compiler.refine import _check_limits, compile_network
from relu_geom.errors import InvalidInputError, LimitExceededError
from relu_geom.network import ReLUNetwork
from relu_geom.network.transforms import require_int

if TYPE_CHECKING:
    from relu_geom.compiler.complex import PolyhedralComplex

__all__ = [
    "DEFAULT_MAX_CELLS",
    "DEFAULT_MAX_CHECKS",
    "GenericityReport",
    "MaskedRankCheck",
    "MaskedRankWitness",
    "SupertransversalityCheck",
    "SupertransversalityWitness",
    "genericity_report",
    "masked_product_ranks",
    "supertransversality",
]


@dataclass(frozen=True, slots=True)
class MaskedRankWitness:
    """A masked product without maximal rank: ``W_l D_{S_{l-1}} ⋯ D_{S_1} W_1`` of rank ``rank < expected``.

    Attributes
    ----------
    layer : int
        ``l`` (1 for ``W_1`` itself).
    index_sets : tuple of tuple of int
        ``S_1, ..., S_{l-1}``, each the neuron indices kept in its hidden layer.
    rank : int
        The exact rank of the product.
    expected : int
        ``min(d, n_l, min_i |S_i|)``.
    """

    layer: int
    index_sets: tuple[tuple[int, ...], ...]
    rank: int
    expected: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (index sets as lists).

        Examples
        --------
        >>> import relu_geom as rg
        >>> rg.MaskedRankWitness(2, ((0, 1),), 0, 1).to_dict()
        {'layer': 2, 'index_sets': [[0, 1]], 'rank': 0, 'expected': 1}
        """
        return {
            "layer": self.layer,
            "index_sets": [list(S) for S in self.index_sets],
            "rank": self.rank,
            "expected": self.expected,
        }


@dataclass(frozen=True, slots=True)
class SupertransversalityWitness:
    """A cell of codimension ``codim`` lying in ``n_bent != codim`` bent hyperplanes.

    Attributes
    ----------
    index : int
        The cell's index in the complex.
    dim : int
        Its dimension.
    sign_vector : tuple of int
        Its sign vector (a zero per bent hyperplane containing it).
    n_bent : int
        The number of bent hyperplanes containing it.
    codim : int
        Its codimension ``d - dim``.
    point : tuple of Fraction
        An exact point of the cell.
    """

    index: int
    dim: int
    sign_vector: tuple[int, ...]
    n_bent: int
    codim: int
    point: tuple[Fraction, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the point's rationals as ints or ``"p/q"`` strings).

        Examples
        --------
        >>> import relu_geom as rg
        >>> rg.SupertransversalityWitness(4, 0, (0, 0, 0), 3, 2, (rg.arith.QQ(1, 2), rg.arith.QQ(0))).to_dict()["point"]
        ['1/2', 0]
        """
        return {
            "index": self.index,
            "dim": self.dim,
            "sign_vector": list(self.sign_vector),
            "n_bent": self.n_bent,
            "codim": self.codim,
            "point": [format_rational(v) for v in self.point],
        }


@dataclass(frozen=True, slots=True)
class MaskedRankCheck:
    """Result of :func:`masked_product_ranks`.

    Attributes
    ----------
    holds : bool or None
        True if every masked product has maximal rank, False if one does not,
        None if ``max_checks`` was reached first.
    n_checked : int
        Rank computations done.
    n_sequences : int
        Number of (layer, index-set sequence) pairs the condition quantifies
        over, ``sum_l prod_{i<l} 2^{n_i}``.
    witness : MaskedRankWitness or None
        For a failure: the layer, the index sets, the rank and the expected rank.
    """

    holds: bool | None
    n_checked: int
    n_sequences: int
    witness: MaskedRankWitness | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "holds": self.holds,
            "n_checked": self.n_checked,
            "n_sequences": self.n_sequences,
            "witness": None if self.witness is None else self.witness.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class SupertransversalityCheck:
    """Result of :func:`supertransversality`.

    Attributes
    ----------
    holds : bool
    n_cells : int
        Cells checked.
    witness : SupertransversalityWitness or None
        For a failure: the cell, the number of bent hyperplanes containing it,
        its codimension and an exact point of it.
    """

    holds: bool
    n_cells: int
    witness: SupertransversalityWitness | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "holds": self.holds,
            "n_cells": self.n_cells,
            "witness": None if self.witness is None else self.witness.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class GenericityReport:
    """Result of :func:`genericity_report`."""

    supertransversality: SupertransversalityCheck
    masked_products: MaskedRankCheck

    @property
    def is_generic(self) -> bool | None:
        """True if both conditions hold, False if one fails, None if undecided."""
        if not self.supertransversality.holds or self.masked_products.holds is False:
            return False
        return self.masked_products.holds

    @property
    def failing(self) -> tuple[str, ...]:
        """Names of the failing conditions."""
        out = []
        if not self.supertransversality.holds:
            out.append("supertransversality")
        if self.masked_products.holds is False:
            out.append("masked products")
        return tuple(out)


_P = (1 << 61) - 1  # a prime: modular keys for column spaces, confirmed exactly on every hit


def _independent_columns(M: flint.fmpz_mat, r: int) -> flint.fmpz_mat:
    """``r`` columns of ``M`` spanning its column space (``r = rank M``), exactly."""
    if M.ncols() == r:
        return M
    R, rp = flint.nmod_mat(M, _P).rref()
    if rp == r:  # pivots modulo p: independent over Q too, and r of them span
        piv, c = [], 0
        for i in range(r):
            while int(R[i, c]) == 0:
                c += 1
            piv.append(c)
            c += 1
    else:  # pragma: no cover - p divides a minor
        Rq, _ = flint.fmpq_mat(M).rref()
        piv = [next(j for j in range(M.ncols()) if Rq[i, j] != 0) for i in range(r)]
    return flint.fmpz_mat(M.nrows(), r, [int(M[i, j]) for i in range(M.nrows()) for j in piv])


def _space_key(B: flint.fmpz_mat) -> tuple[int, ...]:
    """The RREF of the column space modulo p (equal spaces have equal keys)."""
    R, r = flint.nmod_mat(B.transpose(), _P).rref()
    return tuple(int(v) for v in R.entries()[: r * R.ncols()])


DEFAULT_MAX_CHECKS = 20_000
"""The default ``max_checks`` of :func:`masked_product_ranks` and :func:`genericity_report`."""

DEFAULT_MAX_CELLS = 10_000
"""The default ``max_cells`` of :func:`genericity_report` (the compile of a network)."""


def _deadline_check(t0: float, max_seconds: float | None, checked: int) -> None:
    now = time.monotonic()
    if max_seconds is not None and now - t0 > max_seconds:
        raise LimitExceededError(
            f"masked_product_ranks: limit max_seconds={max_seconds} exceeded: "
            f"{now - t0:.1f} s spent, {checked} ranks computed"
        )


def masked_product_ranks(
    net: ReLUNetwork, *, max_checks: int = DEFAULT_MAX_CHECKS, max_seconds: float | None = None
) -> MaskedRankCheck:
    """Check that every masked product ``W_l D_{S_{l-1}} W_{l-1} ⋯ D_{S_1} W_1`` has maximal rank.

    Parameters
    ----------
    net
        The network.
    max_checks
        Bound on the number of rank computations (see the module notes); beyond it
        the condition is undecided (``holds is None``).  About 0.4 ms per check for
        ``d = 8`` and layers of width 40 (20,000 checks of ``[8, 40, 40, 1]``: 8 s).
    max_seconds
        Stop with :class:`~relu_geom.LimitExceededError` after this many seconds.

    Notes
    -----
    Ranks do not change when a weight matrix is multiplied by a nonzero
    scalar, so the integer layers of the network are used; every rank is an
    exact FLINT ``fmpz_mat`` rank of a matrix with at most ``d`` columns.

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.masked_product_ranks(rg.ReLUNetwork([[[1], [1]], [[1, 1]]], [[0, 0], [0]])).holds
    True
    >>> bad = rg.masked_product_ranks(rg.ReLUNetwork([[[1], [1]], [[1, -1]]], [[0, 0], [0]]))
    >>> bad.holds, bad.witness
    (False, MaskedRankWitness(layer=2, index_sets=((0, 1),), rank=0, expected=1))
    """
    net = as_network(net, what="net")
    max_checks = require_int(max_checks, "max_checks", minimum=0)
    _check_limits(None, max_seconds, None)
    t0 = time.monotonic()
    d = net.input_dim
    arch = net.architecture
    n_seq = sum(2 ** sum(arch[1:layer]) for layer in range(1, len(arch)))
    Ws = [flint.fmpz_mat([list(r) for r in w]) for w, _ in net.integer_layers]
    checked = 1
    r1 = int(Ws[0].rank())
    if r1 != min(d, arch[1]):
        return MaskedRankCheck(
            False, 1, n_seq, MaskedRankWitness(layer=1, index_sets=(), rank=r1, expected=min(d, arch[1]))
        )
    first = _independent_columns(Ws[0], r1)
    # states: modular key -> list of (integer basis n x k, first index-set sequence reaching it);
    # a key hit is confirmed exactly (equal rank of the two bases side by side)
    states: dict[tuple[int, ...], list[tuple[flint.fmpz_mat, tuple[tuple[int, ...], ...]]]] = {
        _space_key(first): [(first, ())]
    }
    for layer in range(2, len(arch)):
        W = Ws[layer - 1]
        n_prev, n = arch[layer - 1], arch[layer]
        last = layer == len(arch) - 1
        new_states: dict[tuple[int, ...], list[tuple[flint.fmpz_mat, tuple[tuple[int, ...], ...]]]] = {}
        for Bv, seq in (entry for bucket in states.values() for entry in bucket):
            k = Bv.ncols()
            if k == 0:
                continue  # the zero space stays zero: every later product is 0 with target 0
            rows = [[int(Bv[i, c]) for c in range(k)] for i in range(n_prev)]
            zero = [0] * k
            for size in range(1, n_prev + 1):
                for S in itertools.combinations(range(n_prev), size):
                    checked += 1
                    if checked > max_checks:
                        return MaskedRankCheck(None, checked - 1, n_seq)
                    if not checked & 255:
                        _deadline_check(t0, max_seconds, checked)
                    sset = set(S)
                    masked = flint.fmpz_mat(
                        n_prev, k, [v for i in range(n_prev) for v in (rows[i] if i in sset else zero)]
                    )
                    prod = W * masked
                    r = int(prod.rank())
                    expected = min(k, n, size)
                    if r != expected:
                        return MaskedRankCheck(
                            False,
                            checked,
                            n_seq,
                            MaskedRankWitness(layer=layer, index_sets=seq + (S,), rank=r, expected=expected),
                        )
                    if last or r == 0:
                        continue
                    basis = _independent_columns(prod, r)
                    bucket = new_states.setdefault(_space_key(basis), [])
                    if not any(
                        old.ncols() == r
                        and int(
                            flint.fmpz_mat(
                                [
                                    [int(old[i, c]) for c in range(r)] + [int(basis[i, c]) for c in range(r)]
                                    for i in range(n)
                                ]
                            ).rank()
                        )
                        == r
                        for old, _ in bucket
                    ):
                        bucket.append((basis, seq + (S,)))
        states = new_states
    return MaskedRankCheck(True, checked, n_seq)


def supertransversality(cx: PolyhedralComplex) -> SupertransversalityCheck:
    """Check that every codimension-``k`` cell lies in exactly ``k`` bent hyperplanes.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[1, 0], [0, 1], [1, 1]], [[1, 1, 1]]], [[0, 0, 0], [0]])
    >>> st = rg.supertransversality(rg.compile_network(net))  # three lines through 0
    >>> st.holds, st.witness.dim, st.witness.n_bent, st.witness.codim
    (False, 0, 3, 2)
    """
    cx = as_complex(cx, what="cx")
    d = cx.dim
    n = 0
    for cell in cx.cells:
        if cell.domain_face:
            continue
        n += 1
        zeros = sum(1 for s in cell.sign_vector if s == 0)
        if zeros != d - cell.dim:
            return SupertransversalityCheck(
                False,
                n,
                SupertransversalityWitness(
                    index=cell.index,
                    dim=cell.dim,
                    sign_vector=cell.sign_vector,
                    n_bent=zeros,
                    codim=d - cell.dim,
                    point=cell.interior_point,
                ),
            )
    return SupertransversalityCheck(True, n)


def genericity_report(
    net_or_complex: ReLUNetwork | PolyhedralComplex,
    *,
    domain: object = None,
    max_checks: int = DEFAULT_MAX_CHECKS,
    max_cells: int | None = DEFAULT_MAX_CELLS,
    max_seconds: float | None = None,
) -> GenericityReport:
    """Both genericity conditions of paper 001, exactly, with a witness for a failure.

    Parameters
    ----------
    net_or_complex
        A network (compiled over ``domain``) or an already compiled complex.
    domain
        As for :func:`relu_geom.compiler.as_complex`: the domain a network is compiled over;
        with a complex, None or that complex's own domain.
    max_checks
        Bound on the masked-product rank computations (beyond it: undecided).
    max_cells
        For a network: passed to :func:`~relu_geom.compile_network`, which stops with
        :class:`~relu_geom.LimitExceededError` as soon as more cells are known to exist
        (None: no bound).  A complex is refused at once when it has more cells.
    max_seconds
        Stop with :class:`~relu_geom.LimitExceededError` after this many seconds (the
        masked products first, then the compile and the cells).

    Examples
    --------
    >>> import relu_geom as rg
    >>> rep = rg.genericity_report(rg.ReLUNetwork([[[1, 0], [0, 1]], [[1, 1]]], [[0, 0], [0]]))
    >>> rep.is_generic, rep.failing
    (True, ())
    """
    if max_cells is not None and (isinstance(max_cells, bool) or not isinstance(max_cells, int) or max_cells < 1):
        raise InvalidInputError(f"max_cells: expected a positive integer or None, got {short_repr(max_cells)}")
    _check_limits(None, max_seconds, None)
    t0 = time.monotonic()
    net = as_network(net_or_complex)
    masked = masked_product_ranks(net, max_checks=max_checks, max_seconds=max_seconds)
    left = None if max_seconds is None else max_seconds - (time.monotonic() - t0)
    if left is not None and left <= 0:
        raise LimitExceededError(
            f"genericity_report: limit max_seconds={max_seconds} exceeded: "
            f"{time.monotonic() - t0:.1f} s spent (checking the masked products)"
        )
    if isinstance(net_or_complex, ReLUNetwork):
        try:
            cx = compile_network(net, domain=domain, max_cells=max_cells, max_seconds=left)
        except LimitExceededError as exc:
            if left is None or "max_seconds" not in str(exc).split(" exceeded", 1)[0]:
                raise
            raise LimitExceededError(
                f"genericity_report: limit max_seconds={max_seconds} exceeded: "
                f"{time.monotonic() - t0:.1f} s spent (compiling the network)"
            ) from None
    else:
        cx = as_complex(net_or_complex, domain=domain)
        if max_cells is not None and len(cx.cells) > max_cells:
            raise LimitExceededError(
                f"genericity_report: limit max_cells={max_cells} exceeded: the complex has {len(cx.cells)} cells"
            )
    return GenericityReport(supertransversality(cx), masked)
