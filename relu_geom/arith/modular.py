"""Linear algebra modulo primes: the word-size primes, exact modular products, modular row spaces.

A rank modulo a prime ``p`` is a lower bound of the rank over Q (a minor nonzero
modulo ``p`` is nonzero over Z), so everything here serves as a certified lower
bound or as a filter whose result is then proved exactly (see
:mod:`relu_geom.arith.linalg`).  Two engines:

* FLINT's ``nmod_mat`` for one matrix modulo a 62-bit prime (:func:`prime`,
  :func:`rref_mod`, :func:`independent_rows_mod_p`);
* numpy ``int64`` arrays for many rows at once modulo a prime below ``2**26``
  (:func:`word_primes`, :func:`matmul_mod`, :class:`ModularRowSpace`): products
  go through float64 BLAS in blocks small enough that every partial sum stays
  below ``2**53``, so they are exact.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import flint

__all__ = [
    "ModularRowSpace",
    "independent_rows_mod_p",
    "independent_rows_of_array",
    "matmul_mod",
    "pivots_of_rref",
    "prime",
    "rref_mod",
    "word_primes",
]


def _primes_below_2_62() -> list[int]:
    out: list[int] = []
    n = (1 << 62) - 1
    while len(out) < 64:
        if flint.fmpz(n).is_prime():
            out.append(n)
        n -= 2
    return out


_PRIMES: list[int] = _primes_below_2_62()


def prime(i: int) -> int:
    """The ``i``-th largest prime below ``2**62`` (``prime(0)`` is the largest).

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.arith.modular import prime
    >>> prime(0) == 2**62 - 57, prime(1) < prime(0)
    (True, True)
    """
    while i >= len(_PRIMES):
        n = _PRIMES[-1] - 2
        while not flint.fmpz(n).is_prime():
            n -= 2
        _PRIMES.append(n)
    return _PRIMES[i]


def pivots_of_rref(R: flint.nmod_mat, r: int, ncols: int) -> list[int]:
    """The pivot columns of the first ``r`` rows of a matrix in reduced row echelon form.

    Examples
    --------
    >>> import relu_geom as rg
    >>> import flint
    >>> from relu_geom.arith.modular import pivots_of_rref
    >>> R, r = flint.nmod_mat(2, 3, [0, 1, 2, 0, 2, 4], 7).rref()
    >>> pivots_of_rref(R, r, 3)
    [1]
    """
    piv = []
    c = 0
    for i in range(r):
        while int(R[i, c]) == 0:
            c += 1
        piv.append(c)
        c += 1
    return piv


def rref_mod(
    int_rows: Sequence[Sequence[int]] | flint.fmpz_mat, ncols: int, p: int
) -> tuple[flint.nmod_mat, int, list[int]]:
    """The reduced row echelon form of an integer matrix modulo ``p``: ``(R, rank, pivots)``.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.arith.modular import rref_mod
    >>> R, r, piv = rref_mod([[2, 4], [1, 2], [0, 3]], 2, 5)
    >>> r, piv
    (2, [0, 1])
    """
    nrows = int_rows.nrows() if isinstance(int_rows, flint.fmpz_mat) else len(int_rows)
    if nrows == 0 or ncols == 0:
        return flint.nmod_mat(max(nrows, 1), max(ncols, 1), p), 0, []
    if isinstance(int_rows, flint.fmpz_mat):
        M = flint.nmod_mat(int_rows, p)
    else:
        M = flint.nmod_mat(nrows, ncols, [v % p for row in int_rows for v in row], p)
    R, r = M.rref()
    return R, r, pivots_of_rref(R, r, ncols)


def independent_rows_mod_p(
    int_rows: Sequence[Sequence[int]], ncols: int, *, prime_index: int = 0
) -> list[int]:
    """Indices of a greedy maximal set of rows independent modulo ``prime(prime_index)``.

    Rows independent modulo ``p`` are independent over Q, so the result is a
    certified lower bound ``len(result) <= rank``.  The greedy order means a row
    is chosen when it is independent of the chosen rows before it.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.arith.modular import independent_rows_mod_p
    >>> independent_rows_mod_p([[1, 2], [2, 4], [0, 1]], 2)
    [0, 2]
    """
    if not int_rows or ncols == 0:
        return []
    p = prime(prime_index)
    T = flint.nmod_mat(ncols, len(int_rows), [row[j] % p for j in range(ncols) for row in int_rows], p)
    R, r = T.rref()
    return pivots_of_rref(R, r, len(int_rows))


# ------------------------------------------------------------ numpy engine
def word_primes(max_width: int, *, count: int = 256) -> list[int]:
    """Up to ``count`` primes ``p < 2**26``, largest first, with ``max_width * p**2 < 2**62``.

    Modulo such a prime, a product of an ``int64`` matrix with entries in ``[0, p)``
    by a vector of ``max_width`` such entries cannot overflow.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.arith.modular import word_primes
    >>> ps = word_primes(1 << 22, count=3)
    >>> len(ps), all(p < 2**20 and (1 << 22) * p * p < 2**62 for p in ps), ps == sorted(ps, reverse=True)
    (3, True, True)
    """
    top = min(math.isqrt((1 << 62) // max(max_width, 1)), 1 << 26)
    out: list[int] = []
    n = top - 1 if top % 2 == 0 else top
    while len(out) < count and n > 3:
        if flint.fmpz(n).is_prime():
            out.append(n)
        n -= 2
    return out


def matmul_mod(A: Any, B: Any, p: int) -> Any:
    """``A @ B mod p`` for numpy ``int64`` arrays with entries in ``[0, p)``, ``p < 2**26``, exactly.

    Float64 (BLAS) products are exact while every partial sum stays below
    ``2**53``: for ``p < 2**20`` one product over inner blocks of ``2**13``,
    otherwise ``B`` is split into 13-bit halves.

    Examples
    --------
    >>> import relu_geom as rg
    >>> import numpy as np
    >>> from relu_geom.arith.modular import matmul_mod
    >>> p = 2**25 - 39
    >>> A = np.array([[p - 1, p - 2]], dtype=np.int64)
    >>> B = np.array([[p - 1], [p - 1]], dtype=np.int64)
    >>> int(matmul_mod(A, B, p)[0, 0]) == ((p - 1) ** 2 + (p - 2) * (p - 1)) % p
    True
    """
    import numpy as np

    n = A.shape[1]
    out = np.zeros((A.shape[0], B.shape[1]), dtype=np.int64)
    step = 1 << 13  # inner length: 2**26 * 2**13 * 2**13 < 2**53
    if p < (1 << 20):  # one product: 2**20 * 2**20 * 2**13 = 2**53
        for j0 in range(0, n, step):
            Af = A[:, j0 : j0 + step].astype(np.float64)
            Bf = np.ascontiguousarray(B[j0 : j0 + step].astype(np.float64))
            out = (out + (Af @ Bf).astype(np.int64) % p) % p
        return out
    for j0 in range(0, n, step):
        Af = A[:, j0 : j0 + step].astype(np.float64)
        Bs = B[j0 : j0 + step]
        lo = np.ascontiguousarray((Bs & 0x1FFF).astype(np.float64))
        hi = np.ascontiguousarray((Bs >> 13).astype(np.float64))
        plo = (Af @ lo).astype(np.int64) % p
        phi = (Af @ hi).astype(np.int64) % p
        out = (out + plo + ((phi << 13) % p)) % p
    return out


def independent_rows_of_array(rows: Any, p: int) -> list[int]:
    """Indices of a greedy maximal set of rows independent modulo ``p`` (numpy ``int64``, reduced mod ``p``).

    Examples
    --------
    >>> import relu_geom as rg
    >>> import numpy as np
    >>> from relu_geom.arith.modular import independent_rows_of_array
    >>> independent_rows_of_array(np.array([[1, 2], [2, 4], [0, 1]], dtype=np.int64), 7)
    [0, 2]
    """
    n, D = rows.shape
    if n == 0:
        return []
    T = flint.nmod_mat(D, n, rows.T.ravel().tolist(), p)
    R, r = T.rref()
    return pivots_of_rref(R, r, n)


class ModularRowSpace:
    """A row space modulo a prime ``p < 2**26`` that grows, kept in reduced echelon form (numpy).

    An incremental engine (not a value): :meth:`add` extends it.  Its length is
    its dimension, a lower bound of the rank over Q of the rows added.

    Examples
    --------
    >>> import relu_geom as rg
    >>> import numpy as np
    >>> from relu_geom.arith.modular import ModularRowSpace
    >>> space = ModularRowSpace(3, 101)
    >>> space.add(np.array([[1, 2, 3], [2, 4, 6]], dtype=np.int64))
    [0]
    >>> space.add(np.array([[3, 6, 9], [0, 0, 1]], dtype=np.int64)), len(space)
    ([1], 2)
    """

    __slots__ = ("p", "echelon", "pivots")

    def __init__(self, ncols: int, p: int):
        import numpy as np

        self.p = p
        self.echelon = np.zeros((0, ncols), dtype=np.int64)
        self.pivots: list[int] = []

    def __len__(self) -> int:
        return len(self.pivots)

    def add(self, rows: Any) -> list[int]:
        """Add ``rows`` greedily; return the indices of those independent of the rows before them."""
        import numpy as np

        p = self.p
        res = rows % p
        if self.pivots:
            res = (res - matmul_mod(res[:, self.pivots], self.echelon, p)) % p
        nz = np.nonzero(res.any(axis=1))[0]
        if len(nz) == 0:
            return []
        sub = res[nz]
        sel = independent_rows_of_array(sub, p)
        chosen = sub[sel]
        Rn, rn = flint.nmod_mat(len(sel), chosen.shape[1], chosen.ravel().tolist(), p).rref()
        newpiv = pivots_of_rref(Rn, rn, chosen.shape[1])
        Rn_np = np.array([int(v) for v in Rn.entries()], dtype=np.int64).reshape(len(sel), -1)[:rn]
        if self.pivots:
            self.echelon = (self.echelon - matmul_mod(self.echelon[:, newpiv], Rn_np, p)) % p
        self.echelon = np.concatenate([self.echelon, Rn_np])
        self.pivots.extend(newpiv)
        return [int(nz[i]) for i in sel]
