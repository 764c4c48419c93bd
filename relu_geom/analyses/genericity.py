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
``d = 3``.  ``max_checks`` bounds the work; beyond it the condition is reported
as undecided (``holds is None``), never guessed.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import flint

from relu_geom.compiler.entry import as_complex, as_network
from relu_geom.errors import InvalidInputError
from relu_geom.network import ReLUNetwork
from relu_geom.network.transforms import require_int

if TYPE_CHECKING:
    from relu_geom.compiler.complex import PolyhedralComplex

__all__ = [
    "GenericityReport",
    "MaskedRankCheck",
    "SupertransversalityCheck",
    "genericity_report",
    "masked_product_ranks",
    "supertransversality",
]


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
    witness : dict or None
        For a failure: ``layer`` (``l``), ``index_sets`` (``S_1, ..., S_{l-1}``
        as tuples of neuron indices), ``rank`` and ``expected``.
    """

    holds: bool | None
    n_checked: int
    n_sequences: int
    witness: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class SupertransversalityCheck:
    """Result of :func:`supertransversality`.

    Attributes
    ----------
    holds : bool
    n_cells : int
        Cells checked.
    witness : dict or None
        For a failure: the cell ``index``, ``dim``, ``sign_vector``, the number
        ``n_bent`` of bent hyperplanes containing it, the ``codim`` and an exact
        ``point`` of the cell.
    """

    holds: bool
    n_cells: int
    witness: dict[str, Any] | None = None


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


def masked_product_ranks(net: ReLUNetwork, *, max_checks: int = 100_000) -> MaskedRankCheck:
    """Check that every masked product ``W_l D_{S_{l-1}} W_{l-1} ⋯ D_{S_1} W_1`` has maximal rank.

    Parameters
    ----------
    net
        The network.
    max_checks
        Bound on the number of rank computations (see the module notes).

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
    (False, {'layer': 2, 'index_sets': ((0, 1),), 'rank': 0, 'expected': 1})
    """
    net = as_network(net, what="net")
    max_checks = require_int(max_checks, "max_checks", minimum=0)
    d = net.input_dim
    arch = net.architecture
    n_seq = sum(2 ** sum(arch[1:layer]) for layer in range(1, len(arch)))
    Ws = [flint.fmpz_mat([list(r) for r in w]) for w, _ in net.integer_layers]
    checked = 1
    r1 = int(Ws[0].rank())
    if r1 != min(d, arch[1]):
        return MaskedRankCheck(
            False, 1, n_seq, {"layer": 1, "index_sets": (), "rank": r1, "expected": min(d, arch[1])}
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
                            {"layer": layer, "index_sets": seq + (S,), "rank": r, "expected": expected},
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
    >>> st.holds, st.witness["dim"], st.witness["n_bent"], st.witness["codim"]
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
                {
                    "index": cell.index,
                    "dim": cell.dim,
                    "sign_vector": cell.sign_vector,
                    "n_bent": zeros,
                    "codim": d - cell.dim,
                    "point": cell.interior_point,
                },
            )
    return SupertransversalityCheck(True, n)


def genericity_report(
    net_or_complex: ReLUNetwork | PolyhedralComplex, *, domain: object = None, max_checks: int = 100_000
) -> GenericityReport:
    """Both genericity conditions of paper 001, exactly, with a witness for a failure.

    Parameters
    ----------
    net_or_complex
        A network (compiled over ``domain``) or an already compiled complex.
    domain
        Passed to :func:`relu_geom.compile_network` for a network.
    max_checks
        Bound on the masked-product rank computations.

    Examples
    --------
    >>> import relu_geom as rg
    >>> rep = rg.genericity_report(rg.ReLUNetwork([[[1, 0], [0, 1]], [[1, 1]]], [[0, 0], [0]]))
    >>> rep.is_generic, rep.failing
    (True, ())
    """
    if isinstance(net_or_complex, ReLUNetwork):
        from relu_geom.compiler import compile_network

        net = net_or_complex
        cx = compile_network(net, domain=domain)
    else:
        cx = net_or_complex
        found = getattr(cx, "network", None)
        if not isinstance(found, ReLUNetwork):
            raise InvalidInputError(
                f"net_or_complex: expected a ReLUNetwork or a PolyhedralComplex, got {type(net_or_complex).__name__}"
            )
        net = found
    return GenericityReport(supertransversality(cx), masked_product_ranks(net, max_checks=max_checks))
