"""The fiber of a one-hidden-layer network: its semi-algebraic pieces (strata), membership and samples."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from relu_geom._util import lazy
from relu_geom.analyses.fibers.shallow.canonical import minimal_width
from relu_geom.analyses.fibers.shallow.cores import Core, Counts, make_core, piece_dimension
from relu_geom.analyses.fibers.shallow.decomposition import (
    ShallowDecomposition,
    check_domain,
    check_shallow,
    neuron_kind,
    orient,
    shallow_decomposition,
)
from relu_geom.analyses.fibers.shallow.sampler import sample_piece
from relu_geom.compiler.entry import as_network
from relu_geom.errors import LimitExceededError
from relu_geom.network import ReLUNetwork
from relu_geom.network.transforms import require_int

__all__ = ["FiberPiece", "ShallowFiber", "shallow_fiber"]

_ZERO = Fraction(0)


ROLES = ("visible", "cancelling", "linear", "inactive", "inert")


MAX_PIECES = 5000


def _group_types(budget: int) -> list[Counts]:
    """Cancelling group types ``(p, q)``, ``p >= q >= 0``, ``2 <= p + q <= budget``."""
    return [(p, size - p) for size in range(2, budget + 1) for p in range(size, (size - 1) // 2, -1)]


def _multisets(types: Sequence[Counts], budget: int, start: int = 0) -> Iterator[tuple[Counts, ...]]:
    """Sorted multisets of group types of total size at most ``budget``, one at a time."""
    yield ()
    for i in range(start, len(types)):
        size = sum(types[i])
        if size <= budget:
            for rest in _multisets(types, budget - size, i):
                yield (types[i], *rest)


@dataclass(frozen=True, slots=True)
class FiberPiece:
    """One semi-algebraic piece (stratum) of a shallow fiber.

    The piece holds the networks whose neurons, after a permutation, play the
    roles :attr:`roles` in this order:

    * hinge by hinge (in hinge order), ``p_j`` ``visible`` neurons oriented with
      ``(a_j, t_j)`` and then ``q_j`` oriented against it
      (``hinge_counts[j] = (p_j, q_j)``, ``p_j + q_j >= 1``), whose hinge
      coefficients ``lambda_i v_i`` add up to ``c_j``.  Hinge ``j`` is *flipped*
      when ``p_j = 0`` and *doubled* (absorbs a free linear term ``u_j a_j^T``)
      when ``p_j, q_j >= 1``; ``p_j + q_j >= 2`` are *split* neurons;
    * for each ``(p, q)`` in ``groups`` (``p >= q``, ``p + q >= 2``), ``p + q``
      ``cancelling`` neurons on one hyperplane meeting the domain's interior
      (any hyperplane, hinges included), ``p`` with one orientation then ``q``
      with the other, whose hinge coefficients add up to zero: a *mixed* group
      (``q >= 1``) adds a free rank-one affine term, a *same-orientation* group
      (``q = 0``) adds nothing;
    * ``n_linear`` ``linear`` neurons (always active on the domain),
      ``n_inactive`` ``inactive`` neurons (never active) and ``n_inert``
      ``inert`` neurons (zero output weights).

    Pieces are closed under letting output weights vanish, so they overlap on
    lower-dimensional strata.

    Attributes
    ----------
    dimension : int
        Dimension of the piece in parameter space.
    dimension_mod_scaling : int
        Dimension modulo the positive rescalings (``dimension - n``); Theorem 6
        of paper 001 gives this number for its generic pieces.
    residual_rank : int
        Rank of ``R_S = M + sum_{j in flips} c_j a_j^T`` modulo the normals of the
        doubled hinges: the linear part the extra neurons must produce.
    """

    fiber: ShallowFiber = field(repr=False, compare=False)
    hinge_counts: tuple[Counts, ...]
    groups: tuple[Counts, ...]
    n_linear: int
    n_inactive: int
    n_inert: int
    dimension_mod_scaling: int
    residual_rank: int
    core_rank: int = field(default=0, repr=False)  # s: rank of the extra normals modulo K in the sample
    _lazy: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def dimension(self) -> int:
        return self.dimension_mod_scaling + self.fiber.width

    @property
    def flips(self) -> tuple[int, ...]:
        """Hinges carried only by neurons oriented against ``(a_j, t_j)``."""
        return tuple(j for j, (p, q) in enumerate(self.hinge_counts) if not p)

    @property
    def doubled(self) -> tuple[int, ...]:
        """Hinges carried by neurons of both orientations."""
        return tuple(j for j, (p, q) in enumerate(self.hinge_counts) if p and q)

    @property
    def split(self) -> tuple[int, ...]:
        """Hinges carried by two or more neurons."""
        return tuple(j for j, (p, q) in enumerate(self.hinge_counts) if p + q >= 2)

    @property
    def n_pairs(self) -> int:
        """Number of cancelling groups of type ``(1, 1)``."""
        return sum(1 for g in self.groups if g == (1, 1))

    @property
    def n_mixed_groups(self) -> int:
        """Number of cancelling groups with both orientations (each adds a rank-one affine term)."""
        return sum(1 for p, q in self.groups if q)

    @property
    def roles(self) -> tuple[str, ...]:
        return (
            ("visible",) * sum(p + q for p, q in self.hinge_counts)
            + ("cancelling",) * sum(p + q for p, q in self.groups)
            + ("linear",) * self.n_linear
            + ("inactive",) * self.n_inactive
            + ("inert",) * self.n_inert
        )

    @property
    def orientations(self) -> tuple[int, ...]:
        """Orientations (+1 with ``(a_j, t_j)``, -1 against) of the visible neurons, in role order."""
        return tuple(o for _, _, o in self._visible_slots())

    def describe(self) -> str:
        """One line: hinge counts, groups, role counts and dimensions."""
        parts = [f"flips {list(self.flips)}"]
        if self.doubled:
            parts.append(f"doubled {list(self.doubled)}")
        multi = [f"{j}:{p}+{q}-" for j, (p, q) in enumerate(self.hinge_counts) if max(p, q) >= 2]
        if multi:
            parts.append("split " + " ".join(multi))
        if self.groups:
            parts.append("groups " + " ".join(f"{p}+{q}" for p, q in self.groups))
        for name, n in (("linear", self.n_linear), ("inactive", self.n_inactive), ("inert", self.n_inert)):
            if n:
                parts.append(f"{n} {name}")
        return ", ".join(parts) + f"; dimension {self.dimension} ({self.dimension_mod_scaling} mod scaling)"

    # ------------------------------------------------------------ equations
    @lazy
    def symbols(self) -> tuple[Any, ...]:
        """sympy symbols of the parameters in :meth:`ReLUNetwork.parameters` order."""
        import sympy

        f = self.fiber
        d, n, m = f.decomposition.input_dim, f.width, f.decomposition.output_dim
        names = [f"w{i}_{q}" for i in range(n) for q in range(d)] + [f"b{i}" for i in range(n)]
        names += [f"v{r}_{i}" for r in range(m) for i in range(n)] + [f"c{r}" for r in range(m)]
        return tuple(sympy.symbols(names, real=True))

    def _sym(self) -> tuple[list[list[Any]], list[Any], list[list[Any]], list[Any]]:
        f = self.fiber
        d, n, m = f.decomposition.input_dim, f.width, f.decomposition.output_dim
        s = self.symbols
        W = [list(s[i * d : (i + 1) * d]) for i in range(n)]
        b = list(s[n * d : n * d + n])
        off = n * d + n
        V = [list(s[off + r * n : off + (r + 1) * n]) for r in range(m)]
        c = list(s[off + m * n :])
        return W, b, V, c

    def _visible_slots(self) -> list[tuple[int, int, int]]:
        """(neuron position, hinge, orientation) of the visible neurons."""
        out, i = [], 0
        for j, (p, q) in enumerate(self.hinge_counts):
            for o in [1] * p + [-1] * q:
                out.append((i, j, o))
                i += 1
        return out

    def _group_slots(self) -> list[tuple[int, list[int], list[int]]]:
        """(first position, positions of the p neurons, positions of the q neurons) per group."""
        i = len(self._visible_slots())
        out = []
        for p, q in self.groups:
            out.append((i, list(range(i, i + p)), list(range(i + p, i + p + q))))
            i += p + q
        return out

    @lazy
    def equations(self) -> tuple[Any, ...]:
        """Polynomials (sympy) that vanish on the piece, neurons in the role order of :attr:`roles`."""
        import sympy

        dec = self.fiber.decomposition
        d, m = dec.input_dim, dec.output_dim
        W, b, V, c = self._sym()
        eqs: list[Any] = []
        lin = [[sympy.Integer(0)] * d for _ in range(m)]
        aff = [sympy.Integer(0)] * m

        def contribute(i: int) -> None:
            for r in range(m):
                for q in range(d):
                    lin[r][q] += V[r][i] * W[i][q]
                aff[r] += V[r][i] * b[i]

        hinge_sum: dict[int, list[Any]] = {}
        for i, j, o in self._visible_slots():
            g = dec.hinges[j].row
            x = W[i] + [b[i]]
            p = next(q for q, v in enumerate(g) if v)
            eqs += [g[p] * x[q] - g[q] * x[p] for q in range(d + 1) if q != p]
            acc = hinge_sum.setdefault(j, [sympy.Integer(0)] * m)
            for r in range(m):
                acc[r] += o * V[r][i] * x[p]  # lambda v times g_p
            if o < 0:
                contribute(i)
        for j, acc in hinge_sum.items():
            g = dec.hinges[j].row
            p = next(q for q, v in enumerate(g) if v)
            eqs += [acc[r] - sympy.Rational(dec.hinges[j].coefficient[r]) * g[p] for r in range(m)]
        for first, plus, minus in self._group_slots():
            x1 = W[first] + [b[first]]
            total = [sympy.Integer(0)] * m
            for i in plus + minus:
                y = W[i] + [b[i]]
                if i != first:
                    eqs += [x1[p] * y[q] - x1[q] * y[p] for p in range(d + 1) for q in range(p + 1, d + 1)]
                dot = sum(s * t for s, t in zip(x1, y))
                sign = 1 if i in plus else -1
                for r in range(m):
                    total[r] += sign * dot * V[r][i]
            eqs += total
            for i in minus:
                contribute(i)
        i = len(self.roles) - self.n_linear - self.n_inactive - self.n_inert
        for _ in range(self.n_linear):
            if self.fiber.domain is None:
                eqs += list(W[i])
            contribute(i)
            i += 1
        for _ in range(self.n_inactive):
            if self.fiber.domain is None:
                eqs += list(W[i])
            i += 1
        for _ in range(self.n_inert):
            eqs += [V[r][i] for r in range(m)]
            i += 1
        for r in range(m):
            eqs += [lin[r][q] - sympy.Rational(dec.linear[r][q]) for q in range(d)]
            eqs.append(aff[r] + c[r] - sympy.Rational(dec.bias[r]))
        return tuple(e for e in (sympy.expand(e) for e in eqs) if e != 0)

    @lazy
    def inequalities(self) -> tuple[Any, ...]:
        """sympy relations that hold on the piece (together with :attr:`equations`)."""
        import sympy

        dec = self.fiber.decomposition
        W, b, V, c = self._sym()
        out: list[Any] = []
        for i, j, o in self._visible_slots():
            g = dec.hinges[j].row
            p = next(q for q, v in enumerate(g) if v)
            out.append((o * g[p] * (W[i] + [b[i]])[p]) > 0)
        for first, plus, minus in self._group_slots():
            x1 = W[first] + [b[first]]
            if self.fiber.domain is None:
                out.append(sympy.Or(*[sympy.Ne(w, 0) for w in W[first]]))
            else:  # the hyperplane meets the open orthant
                out.append(sympy.And(sympy.Or(*[v > 0 for v in x1]), sympy.Or(*[v < 0 for v in x1])))
            for i in plus + minus:
                if i != first:
                    dot = sum(s * t for s, t in zip(x1, W[i] + [b[i]]))
                    out.append(dot > 0 if i in plus else dot < 0)
        i = len(self.roles) - self.n_linear - self.n_inactive - self.n_inert
        for _ in range(self.n_linear):
            if self.fiber.domain == "orthant":
                out += [w >= 0 for w in W[i]]
            out.append(b[i] >= 0)
            i += 1
        for _ in range(self.n_inactive):
            if self.fiber.domain == "orthant":
                out += [w <= 0 for w in W[i]]
            out.append(b[i] <= 0)
            i += 1
        return tuple(q for q in out if q is not True)

    # ------------------------------------------------------------ membership
    def contains(self, net: ReLUNetwork) -> bool:
        """Exact membership: same function on the domain and a role assignment of the neurons.

        Complexity: the decomposition (``O(n (d + m))``) plus a backtracking
        search over subsets of the neurons on each hyperplane.
        """
        f = self.fiber
        check_shallow(net)
        if net.architecture != f.architecture:
            return False
        if shallow_decomposition(net, domain=f.domain) != f.decomposition:
            return False
        return _assign_roles(net, self) is not None

    def ordered(self, net: ReLUNetwork) -> ReLUNetwork | None:
        """``net`` with its neurons permuted into the role order (None when not in the piece)."""
        if not self.contains(net):
            return None
        perm = _assign_roles(net, self)
        assert perm is not None
        return net.permute_layer(1, perm)

    def satisfies_equations(self, net: ReLUNetwork) -> bool:
        """Whether ``net`` (in role order) satisfies :attr:`equations` and :attr:`inequalities`."""
        subs = dict(zip(self.symbols, [_sympy_rational(v) for v in net.parameters()]))
        return all(e.subs(subs) == 0 for e in self.equations) and all(
            bool(q.subs(subs)) for q in self.inequalities
        )

    def jacobian_rank(self, net: ReLUNetwork) -> int:
        """Exact rank of the Jacobian of :attr:`equations` at ``net`` (in role order)."""
        import sympy

        from relu_geom.arith.linalg import rank

        subs = dict(zip(self.symbols, [_sympy_rational(v) for v in net.parameters()]))
        rows = [[sympy.diff(e, s).subs(subs) for s in self.symbols] for e in self.equations]
        return rank([[Fraction(int(v.p), int(v.q)) for v in row] for row in rows]) if rows else 0

    # ------------------------------------------------------------ sampling
    def sample(self, seed: int = 0) -> ReLUNetwork:
        """An exact point of the piece (reproducible from ``seed``), neurons in role order.

        The point lies on the largest component of the piece (generic choices).
        """
        return sample_piece(self, seed)


def _sympy_rational(v: Fraction) -> Any:
    import sympy

    return sympy.Rational(v.numerator, v.denominator)


def _assign_roles(net: ReLUNetwork, piece: FiberPiece) -> list[int] | None:
    """A permutation putting ``net``'s neurons into the piece's role order, or None."""
    f = piece.fiber
    dec, domain = f.decomposition, f.domain
    m = dec.output_dim
    W1, b1 = net.weights[0], net.biases[0]
    V = list(zip(*net.weights[1]))
    n = len(W1)
    lines: dict[tuple[int, ...], list[tuple[int, int, Fraction]]] = {}
    for i in range(n):
        if neuron_kind(W1[i], b1[i], domain) == "hinge":
            key, lam, o = orient(list(W1[i]) + [b1[i]])
            lines.setdefault(key, []).append((i, o, lam))
    zero = tuple([_ZERO] * m)

    def weighted(members: Sequence[tuple[int, int, Fraction]]) -> tuple[Fraction, ...]:
        out = [_ZERO] * m
        for i, _, lam in members:
            for r in range(m):
                out[r] += lam * V[i][r]
        return tuple(out)

    def choices(
        key: tuple[int, ...], p: int, q: int, target: tuple[Fraction, ...], used: set[int]
    ) -> list[list[int]]:
        avail = [x for x in lines.get(key, []) if x[0] not in used]
        plus = [x for x in avail if x[1] == 1]
        minus = [x for x in avail if x[1] == -1]
        out = []
        for P in itertools.combinations(plus, p):
            for Q in itertools.combinations(minus, q):
                if weighted(P + Q) == target:
                    out.append([x[0] for x in P] + [x[0] for x in Q])
        return out

    hinge_jobs = [
        (dec.hinges[j].row, p, q, dec.hinges[j].coefficient) for j, (p, q) in enumerate(piece.hinge_counts)
    ]
    slots = ["linear"] * piece.n_linear + ["inactive"] * piece.n_inactive + ["inert"] * piece.n_inert

    def can(i: int, role: str) -> bool:
        kind = neuron_kind(W1[i], b1[i], domain)
        if role == "linear":
            return kind == "active"
        if role == "inactive":
            return kind == "inactive"
        return not any(V[i])

    def singles(used: set[int]) -> list[int] | None:
        rest = [i for i in range(n) if i not in used]
        if len(rest) != len(slots):
            return None
        order: list[int] = []
        taken: set[int] = set()

        def go(s: int) -> bool:
            if s == len(slots):
                return True
            for i in rest:
                if i not in taken and can(i, slots[s]):
                    taken.add(i)
                    order.append(i)
                    if go(s + 1):
                        return True
                    taken.discard(i)
                    order.pop()
            return False

        return order if go(0) else None

    def place_groups(g: int, used: set[int]) -> list[int] | None:
        if g == len(piece.groups):
            return singles(used)
        p, q = piece.groups[g]
        for key in lines:
            for pp, qq in {(p, q), (q, p)}:
                for ch in choices(key, pp, qq, zero, used):
                    if (pp, qq) != (p, q):  # the p-block first: the larger orientation class
                        ch = ch[pp:] + ch[:pp]
                    sub = place_groups(g + 1, used | set(ch))
                    if sub is not None:
                        return ch + sub
        return None

    def place_hinges(j: int, used: set[int]) -> list[int] | None:
        if j == len(hinge_jobs):
            return place_groups(0, used)
        key, p, q, c = hinge_jobs[j]
        for ch in choices(key, p, q, c, used):
            sub = place_hinges(j + 1, used | set(ch))
            if sub is not None:
                return ch + sub
        return None

    return place_hinges(0, set())


@dataclass(frozen=True, slots=True)
class ShallowFiber:
    """The fiber of a shallow function among networks of one width, as a union of pieces.

    ``pieces`` lists every nonempty stratum (see :class:`FiberPiece`): every
    network of this width computing the function lies in at least one piece
    (``docs/fibers.md``, section 2.3); :meth:`contains` decides membership in
    the whole fiber exactly.
    """

    decomposition: ShallowDecomposition
    width: int
    pieces: tuple[FiberPiece, ...]
    reference: ReLUNetwork = field(repr=False)

    @property
    def domain(self) -> str | None:
        return self.decomposition.domain

    @property
    def architecture(self) -> tuple[int, ...]:
        return (self.decomposition.input_dim, self.width, self.decomposition.output_dim)

    @property
    def dimension(self) -> int:
        """The largest dimension of a listed piece (-1 when there is none)."""
        return max((p.dimension for p in self.pieces), default=-1)

    def contains(self, net: ReLUNetwork) -> bool:
        """Exact: ``net`` has this width and computes the same function on the domain."""
        check_shallow(net)
        return net.architecture == self.architecture and (
            shallow_decomposition(net, domain=self.domain) == self.decomposition
        )

    def pieces_containing(self, net: ReLUNetwork) -> tuple[FiberPiece, ...]:
        """The pieces that contain ``net`` (at least one when :meth:`contains` holds)."""
        if not self.contains(net):
            return ()
        return tuple(p for p in self.pieces if _assign_roles(net, p) is not None)

    def piece(
        self,
        flips: Sequence[int] = (),
        doubled: Sequence[int] = (),
        *,
        hinge_counts: Sequence[Counts] | None = None,
        groups: Sequence[Counts] | None = None,
        **counts: int,
    ) -> FiberPiece | None:
        """The first piece with these flips, doubled hinges, hinge counts, groups and role counts, or None.

        Without ``hinge_counts`` and ``groups``, the piece has one neuron per
        non-doubled hinge, two per doubled hinge and only ``(1, 1)`` groups.
        """
        if hinge_counts is None:
            hinge_counts = [
                (1, 1) if j in doubled else (0, 1) if j in flips else (1, 0)
                for j in range(self.decomposition.n_hinges)
            ]
        if groups is None:
            groups = [(1, 1)] * counts.pop("n_pairs", 0)
        for p in self.pieces:
            if (
                p.hinge_counts == tuple(map(tuple, hinge_counts))
                and p.groups == tuple(sorted(map(tuple, groups), key=_group_key))
                and all(getattr(p, k) == v for k, v in counts.items())
            ):
                return p
        return None

    def samples(self, per_piece: int = 1, seed: int = 0) -> list[ReLUNetwork]:
        """Exact sample points, ``per_piece`` from every piece."""
        return [p.sample(seed + s) for p in self.pieces for s in range(per_piece)]

    def to_dict(self, *, samples: bool = True, equations: bool = True) -> dict[str, Any]:
        """JSON-ready summary: pieces with roles, dimensions and (optionally) one sample each."""
        out: dict[str, Any] = {
            "architecture": list(self.architecture),
            "domain": self.domain or "R^d",
            "decomposition": self.decomposition.to_dict(),
            "minimal_width": None if self.domain else minimal_width(self.decomposition),
            "dimension": self.dimension,
            "pieces": [],
        }
        for p in self.pieces:
            entry: dict[str, Any] = {
                "flips": list(p.flips),
                "doubled": list(p.doubled),
                "hinge_counts": [list(c) for c in p.hinge_counts],
                "groups": [list(g) for g in p.groups],
                "n_pairs": p.n_pairs,
                "n_linear": p.n_linear,
                "n_inactive": p.n_inactive,
                "n_inert": p.n_inert,
                "roles": list(p.roles),
                "dimension": p.dimension,
                "dimension_mod_scaling": p.dimension_mod_scaling,
            }
            if equations:
                entry["equations"] = [str(e) for e in p.equations]
                entry["inequalities"] = [str(q) for q in p.inequalities]
            if samples:
                entry["sample"] = p.sample(0).to_dict()
            out["pieces"].append(entry)
        return out


def _group_key(g: Sequence[int]) -> tuple[int, int]:
    return (g[0] + g[1], -g[1])


def shallow_fiber(
    net: ReLUNetwork,
    width: int | None = None,
    *,
    domain: str | None = None,
    max_pieces: int = MAX_PIECES,
) -> ShallowFiber:
    """The fiber of ``net``'s function among one-hidden-layer networks of ``width`` neurons.

    Parameters
    ----------
    net
        A network with one hidden layer.
    width
        Hidden width of the networks in the fiber (default: ``net``'s).
    domain
        ``None`` (all of ``R^d``) or ``"orthant"`` (the closed nonnegative
        orthant, where a neuron whose hyperplane misses the interior is
        *linear* -- always active -- or inactive; the setting in which Theorem 6
        of paper 001 counts linear neurons; see ``docs/fibers.md``).
    max_pieces
        Bound on the number of candidate strata examined; beyond it a
        :class:`~relu_geom.errors.LimitExceededError` is raised.

    Returns
    -------
    ShallowFiber
        Every stratum as a :class:`FiberPiece`, indexed by the numbers
        ``(p_j, q_j)`` of neurons oriented with and against each hinge, the
        cancelling groups ``(p, q)`` and the numbers of linear, inactive and
        inert neurons; each piece has sympy equations and inequalities, its
        dimension, an exact membership test and exact sample points.  Pieces
        come by decreasing dimension.

    Notes
    -----
    Flipped hinges ``S`` (``p_j = 0``) leave the linear part ``R_S = M + sum_{j in S}
    c_j a_j^T``; it must be produced by the doubled hinges ``T`` (``p_j, q_j >= 1``:
    ``u_j a_j^T``, ``u_j`` free) and ``r`` extra rank-one terms (mixed cancelling
    groups, and linear neurons with ``w >= 0`` on the orthant).  With ``rho`` the rank
    of ``R_S`` modulo the doubled normals the piece is empty when ``r < rho``; on the
    orthant with ``r = rho`` and linear neurons it is nonempty iff the lineality
    space of the cone spanned by the columns ``(R_S e_q, A_T e_q)`` meets ``R^m x 0``
    in dimension at most the number of mixed groups.  The dimension modulo
    scaling is the core dimension ``max_s [r tk + (s - rho)(d - tk - s) + s r +
    m (t + r - tk - s)]`` plus ``m (p_j + q_j - 1)`` per hinge (minus ``m`` when doubled),
    ``m (p + q - 2)`` per mixed group, ``d + m (p - 1)`` per same-orientation group,
    ``m`` per linear or inactive neuron on ``R^d``, ``d + m`` per inactive neuron on
    the orthant and ``d`` per inert neuron.  Derivations in ``docs/fibers.md``.
    The number of candidate strata grows quickly with ``width - k``.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.analyses.fibers import shallow_fiber
    >>> fib = shallow_fiber(rg.zoo.abs_1d())  # |x| = relu(x) + relu(-x) with two neurons
    >>> [(p.hinge_counts, p.roles, p.dimension) for p in fib.pieces]
    [(((1, 1),), ('visible', 'visible'), 2)]
    >>> all(fib.contains(s) for s in fib.samples())
    True
    >>> for p in shallow_fiber(rg.zoo.abs_1d(), 3).pieces[::2]:
    ...     print(p.describe())
    flips [], groups 1+1; dimension 4 (1 mod scaling)
    flips [], doubled [0], 1 linear; dimension 4 (1 mod scaling)
    flips [], doubled [0], 1 inert; dimension 4 (1 mod scaling)
    flips [], doubled [0], split 0:2+1-; dimension 4 (1 mod scaling)
    """
    net = as_network(net, what="net")
    check_shallow(net)
    domain = check_domain(domain)
    n = net.hidden_widths[0] if width is None else require_int(width, "width", minimum=1)
    require_int(max_pieces, "max_pieces", minimum=0)
    dec = shallow_decomposition(net, domain=domain)
    k = dec.n_hinges
    if k > 10:
        raise LimitExceededError(f"shallow_fiber: {k} hinges give up to 3^{k} orientation choices (limit 10)")
    if n >= k and (n - k + 1) * (n - k + 2) // 2 > max_pieces:
        # the hinge counts (1, 0) with no groups alone give (n-k+1)(n-k+2)/2 strata (L, N below)
        raise LimitExceededError(
            f"shallow_fiber: more than max_pieces={max_pieces} candidate strata "
            f"({k} hinges, width {n}); pass a larger max_pieces or a smaller width"
        )
    fiber = ShallowFiber(dec, n, (), net)
    cores: dict[tuple[tuple[int, ...], tuple[int, ...]], Core] = {}
    pieces: list[FiberPiece] = []
    examined = 0
    def options() -> Iterator[tuple[int, int]]:
        return ((p, size - p) for size in range(1, n + 1) for p in range(size, -1, -1))

    def hinge_combos(j: int, budget: int) -> Any:
        if j == k:
            yield ()
            return
        for p, q in options():
            if p + q <= budget - (k - j - 1):
                for rest in hinge_combos(j + 1, budget - p - q):
                    yield ((p, q), *rest)

    for hc in hinge_combos(0, n):
        rest = n - sum(p + q for p, q in hc)
        S = tuple(j for j, (p, q) in enumerate(hc) if not p)
        T = tuple(j for j, (p, q) in enumerate(hc) if p and q)
        for groups in _multisets(_group_types(rest), rest):
            left = rest - sum(p + q for p, q in groups)
            for L in range(left + 1):
                for N in range(left - L + 1):
                    examined += 1
                    if examined > max_pieces:
                        raise LimitExceededError(
                            f"shallow_fiber: more than max_pieces={max_pieces} candidate strata "
                            f"({k} hinges, width {n}); pass a larger max_pieces or a smaller width"
                        )
                    if (S, T) not in cores:
                        cores[(S, T)] = make_core(dec, S, T, domain == "orthant")
                    core = cores[(S, T)]
                    res = piece_dimension(dec, core, hc, groups, L, N, left - L - N)
                    if res is not None:
                        pieces.append(
                            FiberPiece(fiber, hc, groups, L, N, left - L - N, res[0], core.rho, res[1])
                        )
    pieces.sort(
        key=lambda p: (
            -p.dimension,
            sum(p + q - 1 for p, q in p.hinge_counts),
            len(p.doubled),
            p.doubled,
            len(p.flips),
            p.flips,
            p.hinge_counts,
            [_group_key(g) for g in p.groups],
            -p.n_linear,
            -p.n_inactive,
        )
    )
    object.__setattr__(fiber, "pieces", tuple(pieces))
    return fiber
