"""Branch and bound over the goals of ``docs/certificates.md``, producing proof trees.

A goal ``(B, R, E, phi, rel)`` says that every ``v = (x, s)`` in the box ``B`` with the
input rows ``R v <= 0`` and the atoms ``e(x, s, f(x)) <= 0`` satisfies
``phi(x, s, f(x)) rel 0``.  :func:`branch_and_bound` either proves it (a tree of splits
whose leaves pass the checker's rules, each leaf confirmed here with the exact rule), finds
an admissible point that violates it (confirmed by exact evaluation), or stops at a
limit.  In *maximize* mode it finds the exact maximum ``M`` of ``phi`` over the admissible
set and proves ``phi - M <= 0``.

Floating point (numpy, HiGHS) only chooses: which split, which multipliers, which point
to try.  Every leaf is re-proved with :func:`~relu_geom.certify.bounds.exact_bounds` or the
exact box maximum of an ``lp`` leaf; every point is checked with ``net(x)``.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import flint
import numpy as np

from relu_geom.arith.lp import new_highs, set_dense_matrix, solve_lp
from relu_geom.arith.rational import format_rational
from relu_geom.certify.bounds import (
    DEFAULT_PRECISION_BITS,
    ExactBounds,
    FloatBounds,
    Form,
    _cached,
    exact_bounds,
    float_bounds_batch,
    max_over_box,
)
from relu_geom.certify.relaxation import (
    RelaxationGuide,
    neuron_bound_guide,
    neuron_bounds,
    relaxation_guide,
    relaxation_leaf,
)
from relu_geom.network import ReLUNetwork

__all__ = ["Form", "Goal", "SearchOutcome", "attack_goal", "branch_and_bound", "exact_output", "form_to_json", "push_split"]

_ZERO = Fraction(0)
_GUIDE_MARGIN = 2.0**-23  # float guide only: try the exact rule when the float bound is within this
_BATCH = 32  # nodes whose float guide runs in one numpy call
_RELAX_BACKOFF = 0.5  # a relaxation LP far from passing only below this times the smallest failed gap
_INPUT_SPLITS_PER_DIM = 12  # input splits on a path, per input coordinate, before neuron splits
_ATTACK_POINTS = 1024  # float sample points scored for the attack's starts
_ATTACK_STARTS = 32  # the best of them, where the float attack starts
_ATTACK_STEPS = 100  # steps of each attack path
_RANDOM_ATTACK_DECAY = 0.95  # the step's factor per step in attack_goal
_ATTACK_SELECT = 32  # attack_goal: half its starts are the best of this many times more sample points
_BOX_ATTACK_EVERY = 8  # batches between float attacks inside the worst open boxes
_BOX_ATTACK_NODES = 16  # the open boxes of the largest guide bounds attacked then
_BOX_ATTACK_STARTS = 16  # starts per box
_STRICT_INPUT_SPLITS_PER_DIM = 2  # the same for goals with strict atoms (ties need neuron splits)
_TIE_STALLS = 1  # at a tie: input splits in a row, per input coordinate, that make no neuron stable
_TIGHT_NEURONS = 10  # the neurons of the last hidden layer whose bounds a tightened leaf improves by LP
_SLOW_SPLIT = 1 / 16  # an input split whose worse child keeps 1 - this of the gap makes no progress


def form_to_json(form: Form, d: int) -> dict[str, Any]:
    """The certificate encoding ``{"x", "s", "y", "c"}`` of a form."""
    out: dict[str, Any] = {"x": [format_rational(v) for v in form.p[:d]]}
    if len(form.p) > d:
        out["s"] = [format_rational(v) for v in form.p[d:]]
    if any(form.q):
        out["y"] = [format_rational(v) for v in form.q]
    out["c"] = format_rational(form.c)
    return out


@dataclass(frozen=True, slots=True)
class Goal:
    """``(B, R, E, phi, rel)``; ``strict`` means ``rel`` is ``"<"``.  The atoms whose
    indices are in ``strict_atoms`` are asserted ``e < 0`` (only with ``phi = 0``, ``rel "<"``)."""

    net: ReLUNetwork
    box: tuple[tuple[Fraction, Fraction], ...]
    rows: tuple[Form, ...]
    atoms: tuple[Form, ...]
    phi: Form
    strict: bool
    strict_atoms: frozenset[int] = frozenset()

    def admissible(self, v: Sequence[Fraction], y: Sequence[Fraction]) -> bool:
        return (
            all(lo <= t <= hi for t, (lo, hi) in zip(v, self.box))
            and all(r.value(v, y) <= 0 for r in self.rows)
            and all(
                (val < 0 if k in self.strict_atoms else val <= 0)
                for k, val in enumerate(a.value(v, y) for a in self.atoms)
            )
        )


@dataclass
class SearchOutcome:
    """What :func:`branch_and_bound` found.

    ``status`` is ``"proved"`` (``tree`` proves the goal; in maximize mode for
    ``phi - value``), ``"violated"`` (``point`` is admissible and violates it) or
    ``"unknown"`` (``reason`` names the limit, ``gap`` is the largest float-guided
    bound of ``phi`` left open, ``None`` when unknown).  In maximize mode ``value`` is the
    exact maximum and ``point`` attains it (``None`` if no admissible point exists; then
    the tree proves ``phi <= value`` with the given floor).
    """

    status: str
    tree: dict[str, Any] | None = None
    point: tuple[Fraction, ...] | None = None
    value: Fraction | None = None
    reason: str | None = None
    gap: float | None = None
    stats: dict[str, int] = field(default_factory=dict)


@dataclass
class _Node:
    box: tuple[tuple[Fraction, Fraction], ...]
    fixed: dict[tuple[int, int], int]
    tree: dict[str, Any]
    input_splits: int = 0
    tie: bool = False  # a point of the box tried by the search has phi = thr exactly
    # the parent's number of unstable neurons when this node comes from an input split (else
    # -1), the input splits in a row on the path that made no neuron stable, and this node's
    # number of unstable neurons
    parent_unstable: int = -1
    stalls: int = 0
    n_unstable: int = 0
    # the smallest guide bound of phi on this node and its ancestors (each is a bound on this
    # node too; the guide's own bound can grow when the box shrinks)
    cap: float = math.inf
    slow: int = 0  # the input splits in a row on the path that made no progress (_input_choices)


# ----------------------------------------------------------------- pattern maps
def _pattern_maps(net: ReLUNetwork, phases: Sequence[Sequence[int]]):
    """Exact affine maps under a full activation pattern: per hidden layer the
    pre-activation rows ``(coef over x, const)``, then the output rows."""
    d = net.input_dim

    def mat(rows: Sequence[Sequence[Fraction]]) -> flint.fmpq_mat:
        return flint.fmpq_mat(
            len(rows), len(rows[0]), [flint.fmpq(v.numerator, v.denominator) for r in rows for v in r]
        )

    # the post-activation a_l(x) as rows over (x, 1); a_0 = x
    cur = flint.fmpq_mat(d, d + 1, [flint.fmpq(int(i == j)) for i in range(d) for j in range(d + 1)])
    layers = []
    for li, (w, b) in enumerate(zip(net.weights, net.biases)):
        z = mat(w) * cur
        rows = []
        for i in range(z.nrows()):
            row = [Fraction(int(z[i, j].p), int(z[i, j].q)) for j in range(d + 1)]
            row[d] += b[i]
            rows.append(row)
        layers.append(rows)
        if li < len(phases):
            ph = phases[li]
            cur = mat([r if ph[i] > 0 else [_ZERO] * (d + 1) for i, r in enumerate(rows)])
    return layers[:-1], layers[-1]


def _pattern_rows(net: ReLUNetwork, phases: Sequence[Sequence[int]], d: int):
    """The rows ``A x <= b`` saying that every hidden neuron has its phase in ``phases``.

    Row ``(layer, j)`` is ``-sigma z_{layer,j}(x) <= 0`` with ``z`` affine on the pattern;
    returns ``(A, b, keys)`` with the keys ``("phase", [layer, j])`` of the certificate format.
    """
    hidden, _ = _pattern_maps(net, phases)
    A: list[list[Fraction]] = []
    b: list[Fraction] = []
    keys: list[tuple[str, Any]] = []
    for lay, layer in enumerate(hidden, start=1):
        for j, r in enumerate(layer):
            s = phases[lay - 1][j]
            A.append([-s * v for v in r[:d]])
            b.append(s * r[d])
            keys.append(("phase", [lay, j]))
    return A, b, keys


def _compose(form: Form, out_rows, d: int) -> tuple[list[Fraction], Fraction]:
    """``form(x, s, A x + c)`` as (coef over v, const)."""
    coef = list(form.p)
    const = form.c
    for qi, row in zip(form.q, out_rows):
        if qi:
            for i in range(d):
                coef[i] += qi * row[i]
            const += qi * row[d]
    return coef, const


def _compositions(total: int, parts: int):
    """Every tuple of ``parts`` non-negative integers with the given sum."""
    if parts == 1:
        yield (total,)
        return
    for first in range(total, -1, -1):
        for rest in _compositions(total - first, parts - 1):
            yield (first, *rest)


def _flint_layers(net: ReLUNetwork) -> tuple[tuple[flint.fmpq_mat, flint.fmpq_mat], ...]:
    def build(n: ReLUNetwork):
        out = []
        for w, b in zip(n.weights, n.biases):
            W = flint.fmpq_mat(len(w), len(w[0]), [flint.fmpq(v.numerator, v.denominator) for r in w for v in r])
            B = flint.fmpq_mat(len(b), 1, [flint.fmpq(v.numerator, v.denominator) for v in b])
            out.append((W, B))
        return tuple(out)

    return _cached("flint_eval", net, build)


def exact_output(net: ReLUNetwork, x: Sequence[Fraction]) -> tuple[Fraction, ...]:
    """``net(x)`` exactly, by python-flint rational matrix products (the same value as
    ``net(x)``, many times faster on wide layers).

    Examples
    --------
    >>> import relu_geom as rg
    >>> from fractions import Fraction as F
    >>> from relu_geom.certify.bab import exact_output
    >>> net = rg.ReLUNetwork([[[1], [-1]], [[1, 1]]], [[0, 0], [F(1, 3)]])  # |x| + 1/3
    >>> exact_output(net, (F(-1, 2),))
    (Fraction(5, 6),)
    """
    layers = _flint_layers(net)
    zero = flint.fmpq(0)
    a = flint.fmpq_mat(len(x), 1, [flint.fmpq(v.numerator, v.denominator) for v in x])
    for W, B in layers[:-1]:
        z = W * a + B
        a = flint.fmpq_mat(z.nrows(), 1, [v if v > zero else zero for v in z.entries()])
    W, B = layers[-1]
    y = W * a + B
    return tuple(Fraction(int(v.p), int(v.q)) for v in y.entries())


# --------------------------------------------------------------------- the search
class _Search:
    def __init__(
        self,
        goal: Goal,
        *,
        maximize: bool,
        floor: Fraction | None,
        bits: int,
        max_seconds: float | None,
        max_branches: int | None,
        progress: Callable[[dict[str, Any]], None] | None,
        input_split_dim: int,
        relax: bool = True,
        rule: str = "forward",
        tighten_after: int | None = 256,
    ):
        self.g = goal
        self.tighten_after = tighten_after
        self.rule = rule
        self.net = goal.net
        self.d = goal.net.input_dim
        self.nv = len(goal.box)
        self.maximize = maximize
        self.bits = bits
        # threshold: prove phi rel 0, or (maximize) phi <= thr with thr the best value so far
        if maximize and floor is None:
            raise ValueError("branch_and_bound: maximize mode needs a floor")
        zero_phi = not any(goal.phi.p) and not any(goal.phi.q) and goal.phi.c == 0
        if goal.strict_atoms and (maximize or not goal.strict or not zero_phi):
            raise ValueError("branch_and_bound: strict atoms need phi = 0, rel '<' and no maximize mode")
        self.thr: Fraction = floor if maximize and floor is not None else _ZERO
        self.best: tuple[Fraction, ...] | None = None
        self.best_value: Fraction | None = None
        self.attained = False  # whether a point tried since the last reset has phi = thr
        self.deadline = None if max_seconds is None else time.monotonic() + max_seconds
        self.max_branches = max_branches
        self.progress = progress
        self.input_split_dim = input_split_dim
        self.relax = relax
        self._relax_gap = -math.inf  # the largest guide gap fbest - thr at which a relax leaf closed
        self._relax_fail_gap = math.inf  # the smallest guide gap at which a relax LP failed
        self._tight_gap = -math.inf  # the largest relax LP gap at which a leaf with tightened bounds closed
        self._tight_fail_gap = math.inf  # the smallest relax LP gap at which tightening failed
        self.stats = {
            "branches": 0,
            "bound_leaves": 0,
            "lp_leaves": 0,
            "relax_leaves": 0,
            "empty_leaves": 0,
            "exact_lps": 0,
            "relax_lps": 0,
            "tightened": 0,
            "tighten_leaves": 0,
        }
        self.strict = goal.strict and not maximize
        self._float_forms: dict[int, tuple[Form, tuple[np.ndarray, np.ndarray, float]]] = {}
        self.mu_candidates = self._multiplier_candidates()
        # the candidate forms phi - sum mu_k e_k in floats, one row each (guide only)
        forms = [self._mu_form(mu) for mu in self.mu_candidates]
        self._cand = tuple(
            np.array([f[i] for f in forms]).reshape(len(forms), -1) if forms else np.zeros((0, n))
            for i, n in ((0, self.nv), (1, goal.net.output_dim))
        ) + (np.array([f[2] for f in forms]),)

    def _multiplier_candidates(self) -> list[list[tuple[int, Fraction]]]:
        """Multipliers tried on every leaf: none, each single atom, their sum, and, when phi is
        the constant 0 (so that only the direction of ``mu`` counts), a grid of the simplex
        (integer weights with sum 4 for up to 4 atoms, sum 2 for up to 6)."""
        g = self.g
        K = len(g.atoms)
        cands: list[list[tuple[int, Fraction]]] = [[]] + [[(k, Fraction(1))] for k in range(K)]
        if K > 1:
            cands.append([(k, Fraction(1)) for k in range(K)])
        constant = not any(g.phi.p) and not any(g.phi.q)
        if not self.maximize and constant and g.phi.c == 0 and 1 < K <= 6:
            seen = {tuple(int(k == i) for k in range(K)) for i in range(K)} | {(1,) * K}
            for w in _compositions(4 if K <= 4 else 2, K):
                gw = math.gcd(*w)
                w = tuple(v // gw for v in w)
                if w not in seen:
                    seen.add(w)
                    cands.append([(k, Fraction(v)) for k, v in enumerate(w) if v])
        if not self.maximize and constant and not self._passes(g.phi.c):
            cands = cands[1:]  # phi is a constant that fails: atoms are needed
        return cands

    # ---- float helpers
    def _farr(self, form: Form) -> tuple[np.ndarray, np.ndarray, float]:
        hit = self._float_forms.get(id(form))
        if hit is None or hit[0] is not form:
            arrs = (np.array([float(v) for v in form.p]), np.array([float(v) for v in form.q]), float(form.c))
            hit = self._float_forms[id(form)] = (form, arrs)
        return hit[1]

    def _passes(self, value: Fraction, mult: Sequence[tuple[Any, Fraction]] = ()) -> bool:
        """Whether an exact upper bound ``value`` of ``phi - sum mult_k e_k`` closes a leaf:
        ``value = thr`` passes a strict goal when some strict atom has a positive multiplier
        (on admissible points that atom is ``< 0``)."""
        if not self.strict or value < self.thr:
            return value <= self.thr
        return value == self.thr and any(m > 0 and k in self.g.strict_atoms for k, m in mult)

    def _violates(self, value: Fraction) -> bool:
        return not self._passes(value)

    # ---- candidate points
    def _try_point(self, v: tuple[Fraction, ...]) -> bool:
        """Exact check of a candidate; returns True when the search must stop (violation)."""
        g = self.g
        if not all(lo <= t <= hi for t, (lo, hi) in zip(v, g.box)):
            return False
        y = exact_output(self.net, v[: self.d])
        if not g.admissible(v, y):
            return False
        val = g.phi.value(v, y)
        if self.maximize:
            if self.best_value is None or val > self.best_value:
                self.best_value, self.best = val, v
                if val > self.thr:
                    self.thr = val
            self.attained |= val == self.thr
            return False
        if self._violates(val):
            self.best, self.best_value = v, val
            return True
        self.attained |= val == self.thr
        return False

    def _sample(self, n: int, keep: int = 3) -> list[tuple[Fraction, ...]]:
        """A few promising points of a reproducible float sample of the box (corners included)."""

        g = self.g
        lo = np.array([float(a) for a, _ in g.box])
        hi = np.array([float(b) for _, b in g.box])
        rng = np.random.default_rng(0)
        pts = lo + (hi - lo) * rng.random((n, self.nv))
        corners = rng.integers(0, 2, (n // 4, self.nv))
        pts = np.vstack([pts, lo + (hi - lo) * corners])
        score = self._score(pts)
        # a float attack from the best of _ATTACK_POINTS more sample points (projected Adam
        # steps on the score); its points are only candidates, each one is evaluated exactly
        more = lo + (hi - lo) * rng.random((_ATTACK_POINTS, self.nv))
        starts = more[np.argsort(self._score(more), kind="stable")[:_ATTACK_STARTS]]
        attacked = self._attack(starts, lo, hi)
        pts = np.vstack([pts, attacked])
        score = np.concatenate([score, self._score(attacked)])
        return self._candidates(pts, score, keep)

    def _random_attack(self, n: int, seed: int, keep: int = 3) -> list[tuple[Fraction, ...]]:
        """The best points of the float attack from ``n`` points of the box, half uniform and
        half the best-scoring of ``_ATTACK_SELECT n`` more (seeded by ``seed``; the steps
        shrink by 5% so that the paths travel further than in :meth:`_sample`)."""
        lo = np.array([float(a) for a, _ in self.g.box])
        hi = np.array([float(b) for _, b in self.g.box])
        rng = np.random.default_rng([seed, 1])
        starts = lo + (hi - lo) * rng.random((n, self.nv))
        if _ATTACK_SELECT > 1:
            more = lo + (hi - lo) * rng.random((_ATTACK_SELECT * n, self.nv))
            starts[n // 2 :] = more[np.argsort(self._score(more), kind="stable")[: n - n // 2]]
        pts = self._attack(starts, lo, hi, decay=_RANDOM_ATTACK_DECAY)
        return self._candidates(pts, self._score(pts), keep)

    def _box_attack(
        self, boxes: Sequence[Sequence[tuple[Fraction, Fraction]]], seed: int, starts: int = _BOX_ATTACK_STARTS, keep: int = 4
    ) -> list[tuple[Fraction, ...]]:
        """The best points of the float attack from ``starts`` uniform points of each of the
        ``boxes`` (each path stays in its own box; seeded by ``seed``)."""
        rng = np.random.default_rng([seed, 2])
        lo = np.repeat(np.array([[float(a) for a, _ in b] for b in boxes]), starts, axis=0)
        hi = np.repeat(np.array([[float(b) for _, b in box] for box in boxes]), starts, axis=0)
        pts = self._attack(lo + (hi - lo) * rng.random(lo.shape), lo, hi, decay=_RANDOM_ATTACK_DECAY)
        return self._candidates(pts, self._score(pts), keep)

    def _candidates(self, pts: np.ndarray, score: np.ndarray, keep: int) -> list[tuple[Fraction, ...]]:
        """Exact points near the ``keep`` float points of lowest score (three decimals first)."""
        g = self.g
        order = np.argsort(score, kind="stable")[:keep]
        out = []
        for i in order:
            # the sample rounded to three decimals first (a readable witness, written exactly in a
            # VNN-COMP result file), then the sample itself (a dyadic rational, a finite decimal too)
            for short in (True, False):
                v = tuple(
                    min(max(Fraction(round(float(t) * 1000), 1000) if short else Fraction(float(t)), a), b)
                    for t, (a, b) in zip(pts[i], g.box)
                )
                out.append(v)
        return out

    def _forms(self) -> list[tuple[np.ndarray, np.ndarray, float]]:
        """The score's forms: ``thr - phi`` (``<= 0`` where phi reaches the threshold), the input
        rows and the atoms, in floats (guide only)."""
        p, q, c = self._farr(self.g.phi)
        return [(-p, -q, float(self.thr) - c)] + [self._farr(f) for f in (*self.g.rows, *self.g.atoms)]

    def _score(self, pts: np.ndarray) -> np.ndarray:
        """The largest of the forms at each point (float): ``<= 0`` at a candidate."""
        from relu_geom.certify.bounds import _float_layers

        a = pts[:, : self.d]
        layers = _float_layers(self.net)
        for w, b, _, _ in layers[:-1]:
            a = np.maximum(a @ w.T + b, 0)
        w, b = layers[-1][:2]
        y = a @ w.T + b
        return np.max([pts @ fp + y @ fq + fc for fp, fq, fc in self._forms()], axis=0)

    def _attack(self, pts: np.ndarray, lo: np.ndarray, hi: np.ndarray, decay: float = 0.9) -> np.ndarray:
        """``_ATTACK_STEPS`` projected Adam steps on the score from each point (the gradient of
        the largest form, through the ReLU pattern at the point; moments with factors 0.9 and
        0.999, so that each coordinate moves by its own scale), with a rate of
        ``(hi - lo) / 20`` shrinking by the factor ``decay^(1/3)`` per step; the best point
        of each path."""
        from relu_geom.certify.bounds import _float_layers

        layers = _float_layers(self.net)
        forms = self._forms()
        P = np.array([fp for fp, _, _ in forms])
        Q = np.array([fq for _, fq, _ in forms])
        x = pts.copy()
        best, best_score = x.copy(), np.full(len(x), np.inf)
        rate, shrink = (hi - lo) / 20, decay ** (1 / 3)
        mean, square = np.zeros_like(x), np.zeros_like(x)
        for _ in range(_ATTACK_STEPS):
            a, masks = x[:, : self.d], []
            for w, b, _, _ in layers[:-1]:
                z = a @ w.T + b
                masks.append(z > 0)
                a = np.where(masks[-1], z, 0.0)
            w, b = layers[-1][:2]
            y = a @ w.T + b
            vals = np.array([x @ fp + y @ fq + fc for fp, fq, fc in forms])
            top = vals.argmax(axis=0)
            score = vals[top, np.arange(len(x))]
            better = score < best_score
            best[better], best_score[better] = x[better], score[better]
            grad = P[top].copy()
            g = Q[top] @ w
            for (w_l, _, _, _), m in zip(reversed(layers[:-1]), reversed(masks)):
                g = (g * m) @ w_l
            grad[:, : self.d] += g
            mean = 0.9 * mean + 0.1 * grad
            square = 0.999 * square + 0.001 * grad * grad
            move = np.divide(mean, np.sqrt(square), out=np.zeros_like(mean), where=square > 0)
            x = np.clip(x - rate * move, lo, hi)
            rate = rate * shrink
        return best

    def _float_point_promising(self, v: np.ndarray) -> bool:
        fl = self.net
        from relu_geom.certify.bounds import _float_layers

        a = v[: self.d]
        layers = _float_layers(fl)
        for w, b, _, _ in layers[:-1]:
            a = np.maximum(w @ a + b, 0)
        w, b = layers[-1][:2]
        y = w @ a + b
        slack = _GUIDE_MARGIN * (1 + float(np.abs(y).max(initial=0)))
        for f in (*self.g.rows, *self.g.atoms):
            p, q, c = self._farr(f)
            if p @ v + q @ y + c > slack:
                return False
        p, q, c = self._farr(self.g.phi)
        return p @ v + q @ y + c >= float(self.thr) - slack

    # ---- leaves
    def _bound_leaf(self, node: _Node, eb: ExactBounds, order: list[int]) -> dict[str, Any] | None:
        for idx in order:
            mu = self.mu_candidates[idx]
            form = self.g.phi
            for k, m in mu:
                form = form.minus(self.g.atoms[k], m)
            if self._passes(eb.upper_bound(form.p, form.q, form.c), mu):
                return {"leaf": "bound", "mu": [[k, format_rational(m)] for k, m in mu]}
        return None

    def _lp_leaf(self, node: _Node, eb: ExactBounds) -> dict[str, Any] | None | str:
        """An ``lp`` leaf; ``"stop"`` when a violation was found, None if not proved."""
        d, nv = self.d, self.nv
        hidden, out_rows = _pattern_maps(self.net, eb.phases)
        rows: list[tuple[str, Any, list[Fraction], Fraction]] = []
        for (lay, j), s in sorted(node.fixed.items()):
            r = hidden[lay - 1][j]
            rows.append(("phase", [lay, j], [-s * v for v in r[:d]] + [_ZERO] * (nv - d), -s * r[d]))
        for k, a in enumerate(self.g.atoms):
            coef, const = _compose(a, out_rows, d)
            rows.append(("atom", k, coef, const))
        for k, r in enumerate(self.g.rows):
            rows.append(("input", k, list(r.p), r.c))
        obj, obj_c = _compose(self.g.phi, out_rows, d)
        lam = self._float_multipliers(node, rows, obj, obj_c)
        if lam is not None and lam != "infeasible":
            leaf = self._check_lp_leaf(node, rows, obj, obj_c, lam)
            if leaf is not None:
                return leaf
        # exact LP on the leaf
        self.stats["exact_lps"] += 1
        A = [r[2] for r in rows]
        b = [-r[3] for r in rows]
        res = solve_lp(obj, A, b, bounds=list(node.box), maximize=True)
        if res.status == "infeasible":
            lam = self._farkas_multipliers(node, rows, obj, obj_c, res.y_ub)
        else:
            assert res.status == "optimal" and res.x is not None and res.value is not None
            assert res.y_ub is not None
            value = res.value + obj_c
            if self._violates(value):
                if self._try_point(tuple(res.x)):
                    return "stop"
                if value > self.thr:  # pragma: no cover - the exact point must reproduce the LP value
                    raise AssertionError("the exact LP point does not reproduce its value")
            lam = list(res.y_ub)
            if value == self.thr and self.g.strict_atoms:
                return self._strict_lp_leaf(node, rows)
        return self._check_lp_leaf(node, rows, obj, obj_c, lam)

    def _strict_lp_leaf(self, node: _Node, rows) -> dict[str, Any] | str | None:
        """The leaf's closure is feasible (phi = 0): maximize ``t`` with ``e_k + t <= 0`` for
        the strict atoms, every other row and ``t <= 1``, exactly.  ``t* > 0`` gives an
        admissible point; otherwise the optimal multipliers give ``sum lambda g >= 0`` on the
        leaf box with a positive weight on a strict atom, which closes the leaf."""
        strict = self.g.strict_atoms
        A = [list(r[2]) + [Fraction(int(r[0] == "atom" and r[1] in strict))] for r in rows]
        b = [-r[3] for r in rows]
        res = solve_lp([_ZERO] * self.nv + [Fraction(1)], A, b, bounds=[*node.box, (None, Fraction(1))], maximize=True)
        assert res.status == "optimal" and res.x is not None and res.value is not None and res.y_ub is not None
        if res.value > 0:
            if self._try_point(tuple(res.x[: self.nv])):
                return "stop"
            raise AssertionError("the strict LP point is not admissible")  # pragma: no cover
        return self._check_lp_leaf(node, rows, [_ZERO] * self.nv, _ZERO, list(res.y_ub))

    def _farkas_multipliers(self, node, rows, obj, obj_c, y) -> list[Fraction]:
        """Scale a Farkas combination so that ``phi - K y.g`` is below the threshold on the box."""
        neg = [_ZERO] * self.nv
        neg_c = _ZERO
        for yi, r in zip(y, rows):
            if yi:
                for i, v in enumerate(r[2]):
                    neg[i] -= yi * v
                neg_c -= yi * r[3]
        m0 = max_over_box(neg, neg_c, node.box)  # < 0 for a Farkas certificate
        mphi = max_over_box(obj, obj_c, node.box) - self.thr
        if m0 >= 0:
            return [_ZERO] * len(rows)
        K = Fraction(math.floor(max(mphi, _ZERO) / -m0) + 1)
        return [K * yi for yi in y]

    def _check_lp_leaf(self, node, rows, obj, obj_c, lam) -> dict[str, Any] | None:
        coef = list(obj)
        const = obj_c
        for li, r in zip(lam, rows):
            if li:
                for i, v in enumerate(r[2]):
                    if v:
                        coef[i] -= li * v
                const -= li * r[3]
        atom_mult = [(key, li) for li, (kind, key, _, _) in zip(lam, rows) if kind == "atom"]
        if not self._passes(max_over_box(coef, const, node.box), atom_mult):
            return None
        groups: dict[str, list[Any]] = {"phase": [], "atom": [], "input": []}
        for li, (kind, key, _, _) in zip(lam, rows):
            if li:
                groups[kind].append([key, format_rational(li)])
        return {"leaf": "lp", "lambda": groups}

    def _float_multipliers(self, node, rows, obj, obj_c):
        """Dual multipliers from HiGHS (rounded to the floats they are), None on failure."""
        h = new_highs()
        if h is None:
            return None
        import highspy

        nv = self.nv
        inf = highspy.kHighsInf
        lp = highspy.HighsLp()
        feas = True
        for attempt in (0, 1):
            # attempt 0: max phi s.t. rows; attempt 1 (infeasible): max t s.t. rows + t <= 0, t <= 1
            ncol = nv + attempt
            lp = highspy.HighsLp()
            lp.num_col_ = ncol
            lp.num_row_ = len(rows)
            cost = [float(v) for v in obj] if attempt == 0 else [0.0] * nv + [1.0]
            lp.col_cost_ = cost
            lp.col_lower_ = [float(lo) for lo, _ in node.box] + ([-inf] if attempt else [])
            lp.col_upper_ = [float(hi) for _, hi in node.box] + ([1.0] if attempt else [])
            lp.row_lower_ = [-inf] * len(rows)
            lp.row_upper_ = [-float(r[3]) for r in rows]
            set_dense_matrix(lp, [list(r[2][:nv]) + [1] * attempt for r in rows], ncol)
            lp.sense_ = highspy.ObjSense.kMaximize
            h.clearModel()
            h.passModel(lp)
            h.run()
            status = h.getModelStatus()
            if status == highspy.HighsModelStatus.kOptimal:
                sol = h.getSolution()
                duals = [Fraction(abs(v)) for v in sol.row_dual]
                if attempt == 0:
                    x = sol.col_value
                    val = sum(float(a) * v for a, v in zip(obj, x)) + float(obj_c)
                    slack = _GUIDE_MARGIN * (1 + abs(val))
                    if val > float(self.thr) + slack or (self.maximize and val > float(self.thr) - slack):
                        return None  # leave it to the exact LP (a point to try or a tight leaf)
                    return duals
                if not feas:
                    if sol.col_value[nv] >= 0:
                        return None
                    return self._farkas_multipliers(node, rows, obj, obj_c, duals)
            elif status == highspy.HighsModelStatus.kInfeasible and attempt == 0:
                feas = False
                continue
            return None
        return None

    def _try_relax(self, fbest: float) -> bool:
        """Whether to solve the relaxation LP on a node the bound rule left open (a guide only):
        when its bound-rule gap is at most twice the largest gap at which a relax leaf closed,
        or at most half the smallest gap at which one failed (so that failed LPs stay few:
        their gaps at least halve from one to the next)."""
        gap = fbest - float(self.thr)
        return gap <= 2 * self._relax_gap or gap <= _RELAX_BACKOFF * self._relax_fail_gap

    def _relax_leaf(
        self, node: _Node, fb: FloatBounds, eb: ExactBounds | None, fbest: float
    ) -> ExactBounds | None:
        """Close the node by a ``relax`` leaf when the float LP of the triangle relaxation
        passes and its rounded multipliers pass exactly; returns the exact bounds then."""
        g = self.g
        self.stats["relax_lps"] += 1
        guide = relaxation_guide(
            self.net, node.box, fb.phases, fb.lower, fb.upper, g.rows, g.atoms, g.phi, self.thr
        )
        if guide is None or not guide.passes:
            self._relax_fail_gap = min(self._relax_fail_gap, fbest - float(self.thr))
            after = self.tighten_after
            if guide is not None and after is not None and self.net.depth > 1 and self.stats["branches"] >= after:
                return self._tightened_leaf(node, fb, eb, guide)
            return None
        if eb is None:
            eb = exact_bounds(self.net, node.box, node.fixed, bits=self.bits, rule=self.rule)
            if eb.empty:
                node.tree.update({"leaf": "bound", "mu": []})
                self.stats["empty_leaves"] += 1
                return eb
        leaf = relaxation_leaf(eb, g.rows, g.atoms, g.phi, self._passes, self.thr, guide)
        if leaf is None:
            return None
        node.tree.update(leaf)
        self.stats["relax_leaves"] += 1
        self._relax_gap = max(self._relax_gap, fbest - float(self.thr))
        return eb

    def _tightened_leaf(
        self, node: _Node, fb: FloatBounds, eb: ExactBounds | None, guide: RelaxationGuide
    ) -> ExactBounds | None:
        """Close the node by a ``relax`` leaf after tightening the bounds of the last hidden
        layer by LP (``tighten`` entries), for the ``_TIGHT_NEURONS`` neurons whose upper
        relaxations cost the failed relax LP ``guide`` the most (its dual times the height
        ``u (-l) / (u - l)`` of the triangle).  Tried when that LP failed by a gap at most
        twice the largest at which this closed a node, or at most half the smallest at which
        it failed, once the search has made ``tighten_after`` branches (a try costs about as
        much as a few nodes: it pays where the tree is large).  Everything is first done in
        floats; the exact proofs (the entries, the rule with them, the leaf) only when the
        float relaxation with the tightened bounds passes.  ``eb`` is the node's exact bounds
        when already computed.  Returns the exact bounds with the claims when a leaf closes
        the node."""
        gap = guide.value - float(self.thr)
        if not (gap <= 2 * self._tight_gap or gap <= _RELAX_BACKOFF * self._tight_fail_gap):
            return None
        g = self.g
        L = self.net.depth
        cost = {key[1]: v for v, (kind, key) in zip(guide.duals, guide.meta) if kind == "upper" and key[0] == L and v > 0}
        lw, uw = fb.lower[L - 1], fb.upper[L - 1]
        targets = sorted(cost, key=lambda j: -cost[j] * uw[j] * -lw[j] / (uw[j] - lw[j]))[:_TIGHT_NEURONS]
        if not targets:
            return None
        self.stats["tightened"] += 1
        tight = neuron_bound_guide(self.net, node.box, fb.phases, fb.lower, fb.upper, L, targets, g.rows)
        if tight is None or not tight.found:
            self._tight_fail_gap = min(self._tight_fail_gap, gap)
            return None
        phases = list(fb.phases)
        fixed = [node.fixed.get((L, j)) for j in range(len(tight.lower))]
        phases[L - 1] = np.array([
            f if f is not None else (1 if lo >= 0 else (-1 if up <= 0 else 0)) for f, lo, up in zip(fixed, tight.lower, tight.upper)
        ])
        lowers, uppers = (*fb.lower[: L - 1], tight.lower), (*fb.upper[: L - 1], tight.upper)
        relax = relaxation_guide(self.net, node.box, phases, lowers, uppers, g.rows, g.atoms, g.phi, self.thr)
        if relax is None or not relax.passes:
            self._tight_fail_gap = min(self._tight_fail_gap, gap)
            return None
        claims: dict[tuple[int, int], tuple[int | None, int | None]] = {}
        entries: list[dict[str, Any]] = []
        if eb is None:
            eb = exact_bounds(self.net, node.box, node.fixed, bits=self.bits, rule=self.rule)
        for j, side, r, lam in neuron_bounds(eb, tight, g.rows):
            lo, up = claims.get((L, j), (None, None))
            claims[(L, j)] = (r, up) if side == "lower" else (lo, r)
            entries.append({"neuron": [L, j], side: format_rational(Fraction(r, 1 << self.bits)), "lambda": lam})
        if entries:
            eb = exact_bounds(self.net, node.box, node.fixed, bits=self.bits, rule=self.rule, claims=claims)
        leaf = {"leaf": "bound", "mu": []} if eb.empty else relaxation_leaf(
            eb, g.rows, g.atoms, g.phi, self._passes, self.thr, relax
        )
        if leaf is None:
            self._tight_fail_gap = min(self._tight_fail_gap, gap)
            return None
        node.tree.update({"tighten": entries, **leaf} if entries else leaf)
        self.stats["tighten_leaves"] += 1
        self._tight_gap = max(self._tight_gap, gap)
        return eb

    # ---- splits
    def _wants_input_split(self, node: _Node, eb: ExactBounds | None, fb: FloatBounds, fbest: float) -> bool:
        """Input splits for low-dimensional inputs while more than three neurons are unstable
        (at most ``12 d`` on a path), neuron splits otherwise, and neuron splits at a tie.

        A node is at a tie when a point of its box tried by the search (its centre or the
        guide's corner, evaluated exactly) has ``phi = thr``: no box around that point closes
        below it, and when the point lies on the kink of an unstable neuron no smaller box
        closes either (the rounded relaxation stays above ``relu`` at a kink), so input
        splits only multiply the boxes along the kink, while fixing the phases leads to exact
        ``lp`` leaves.  Such a node gets a neuron split once ``d`` input splits in a row on
        its path made no neuron stable.  A goal with strict atoms whose guide bound is at the
        threshold (its closure reaches ``phi = 0``) gets a neuron split at once, and has at
        most ``2 d`` input splits on a path."""
        if self.d > self.input_split_dim or not any(lo < hi for lo, hi in node.box[: self.d]):
            return False
        n_unstable = node.n_unstable = len(self._unstable(node, eb, fb))
        if node.parent_unstable >= 0 and n_unstable < node.parent_unstable:
            node.stalls = 0
        if n_unstable and node.tie and node.stalls >= _TIE_STALLS * self.d:
            return False
        if n_unstable and self.g.strict_atoms and fbest <= float(self.thr) + _GUIDE_MARGIN * (1 + abs(fbest)):
            return False
        per_dim = _STRICT_INPUT_SPLITS_PER_DIM if self.g.strict_atoms else _INPUT_SPLITS_PER_DIM
        return n_unstable > 3 and node.input_splits < per_dim * self.d or not n_unstable

    def _unstable(self, node: _Node, eb: ExactBounds | None, fb: FloatBounds) -> list[tuple[int, int]]:
        if eb is not None:
            return eb.unstable()
        return [
            (i + 1, int(j))
            for i, ph in enumerate(fb.phases)
            for j in np.flatnonzero(ph == 0)
            if (i + 1, int(j)) not in node.fixed
        ]

    def _input_choices(self, nodes: list[_Node], caps: list[float]) -> list[tuple[int, float, float, bool]]:
        """For each node, the input coordinate to halve and the two children's guide bounds
        (one batched guide call).

        A child's bound is its guide bound capped by ``caps`` (the smallest on the node's path,
        which bounds the child too; the guide's bound is not monotone in the box, its lower
        slopes change with the neuron bounds).  The coordinate leaving the smallest sum of the children's gaps above the
        threshold wins (then the smallest sum of bounds, then the widest).  A split *makes no
        progress* when even that choice leaves the worse child at least ``1 - 1/16`` of the
        node's gap; after ``d`` such splits in a row on the path (this one included) the
        widest coordinate is halved instead: the gap then comes from the relaxation across
        the other coordinates (as along a kink through an extreme), which only their
        halving reduces.  Returns ``(coordinate, bound, bound, no progress)`` per node.
        """
        lo_rows, hi_rows, fixed, owners = [], [], [], []
        for n, node in enumerate(nodes):
            lo = np.array([float(a) for a, _ in node.box])
            hi = np.array([float(b) for _, b in node.box])
            for i in range(self.d):
                if node.box[i][0] < node.box[i][1]:
                    mid = (lo[i] + hi[i]) / 2
                    h1, l2 = hi.copy(), lo.copy()
                    h1[i] = l2[i] = mid
                    lo_rows += [lo, l2]
                    hi_rows += [h1, hi]
                    fixed += [node.fixed, node.fixed]
                    owners.append((n, i))
        fbatch = float_bounds_batch(self.net, np.array(lo_rows), np.array(hi_rows), fixed, rule=self.rule)
        if self.mu_candidates:
            best = fbatch.upper_bounds(*self._cand).min(axis=1)
        else:  # nothing to bound: halve the widest coordinate
            best = np.array(
                [lo_rows[2 * k][i] - hi_rows[2 * k + 1][i] for k, (_, i) in enumerate(owners)]
            ).repeat(2)
        thr = float(self.thr)
        cands: list[list[tuple[float, float, float, int, float, float]]] = [[] for _ in nodes]
        for k, (n, i) in enumerate(owners):
            b1, b2 = min(float(best[2 * k]), caps[n]), min(float(best[2 * k + 1]), caps[n])
            left = max(b1 - thr, 0.0) + max(b2 - thr, 0.0)
            width = float(hi_rows[2 * k + 1][i] - lo_rows[2 * k][i])
            cands[n].append((left, b1 + b2, -width, i, b1, b2))
        out = []
        for n, cs in enumerate(cands):
            choice = min(cs)
            gap = caps[n] - thr
            slow = gap > 0 and max(choice[4], choice[5]) - thr >= (1 - _SLOW_SPLIT) * gap
            if slow and nodes[n].slow + 1 >= self.d:
                choice = min(cs, key=lambda c: (c[2], c[0], c[1]))
            out.append((choice[3], choice[4], choice[5], slow))
        return out

    def _input_split(self, node: _Node, i: int) -> tuple[dict[str, Any], _Node, _Node]:
        lo, hi = node.box[i]
        t = (lo + hi) / 2
        b1 = list(node.box)
        b2 = list(node.box)
        b1[i] = (lo, t)
        b2[i] = (t, hi)
        ref = (node.n_unstable, node.stalls + 1, 0, node.cap)
        n1 = _Node(tuple(b1), dict(node.fixed), {}, node.input_splits + 1, False, *ref)
        n2 = _Node(tuple(b2), dict(node.fixed), {}, node.input_splits + 1, False, *ref)
        return {"input": i, "at": format_rational(t)}, n1, n2

    def _neuron_split(
        self, node: _Node, eb: ExactBounds | None, fb: FloatBounds
    ) -> tuple[dict[str, Any], _Node, _Node]:
        """The unstable neuron of the earliest layer with the largest triangle area ``-l u / (u - l)``."""
        unstable = self._unstable(node, eb, fb)
        layer = min(lay for lay, _ in unstable)
        best, best_score = None, -1.0
        for lay, j in unstable:
            if lay != layer:
                continue
            lo_, up_ = float(fb.lower[lay - 1][j]), float(fb.upper[lay - 1][j])
            score = (-lo_ * up_ / (up_ - lo_)) if up_ > lo_ else 0.0
            if not np.isfinite(score):
                score = 0.0
            if score > best_score:
                best, best_score = (lay, j), score
        assert best is not None
        f1 = dict(node.fixed)
        f1[best] = -1
        f2 = dict(node.fixed)
        f2[best] = 1
        return (
            {"neuron": [best[0], best[1]]},
            _Node(node.box, f1, {}, node.input_splits, cap=node.cap),
            _Node(node.box, f2, {}, node.input_splits, cap=node.cap),
        )

    def _mu_form(self, mu: list[tuple[int, Fraction]]) -> tuple[np.ndarray, np.ndarray, float]:
        """``phi - sum mu_k e_k`` in floats (guide only)."""
        p, q, c = self._farr(self.g.phi)
        for k, m in mu:
            pa, qa, ca = self._farr(self.g.atoms[k])
            p, q, c = p - float(m) * pa, q - float(m) * qa, c - float(m) * ca
        return p, q, c

    def _best_form_coef(self, fb: FloatBounds, form_index: int) -> np.ndarray:
        """The guide's upper form (over v) of ``phi - mu e`` for the best multiplier candidate."""
        mu = self.mu_candidates[form_index] if self.mu_candidates else []
        return fb.upper_form(*self._mu_form(mu))[0]

    # ---- the loop
    def _process(
        self, node: _Node, fb: FloatBounds, fvals: np.ndarray
    ) -> tuple[str, ExactBounds | None, float]:
        """Close a node by a leaf (``"closed"``), find a violation (``"stop"``), or leave it
        ``"open"`` with what its split needs: the exact bounds (if computed) and the guide's
        best bound."""
        order = sorted(range(len(fvals)), key=lambda i: fvals[i]) if len(fvals) else [0]
        fbest = float(fvals[order[0]]) if len(fvals) else math.inf
        slack = _GUIDE_MARGIN * (1 + abs(fbest))
        float_empty = any(
            (s > 0 and fb.upper[lay - 1][j] < 0) or (s < 0 and fb.lower[lay - 1][j] > 0)
            for (lay, j), s in node.fixed.items()
        )
        float_phased = all(bool((ph != 0).all()) for ph in fb.phases)
        eb = None
        if fbest <= float(self.thr) + slack or float_empty or float_phased or self.net.depth == 0:
            eb = exact_bounds(self.net, node.box, node.fixed, bits=self.bits, rule=self.rule)
            if eb.empty:
                node.tree.update({"leaf": "bound", "mu": []})
                self.stats["empty_leaves"] += 1
                return "closed", eb, fbest
            leaf = self._bound_leaf(node, eb, order if self.mu_candidates else [])
            if leaf is not None:
                node.tree.update(leaf)
                self.stats["bound_leaves"] += 1
                return "closed", eb, fbest
            if eb.all_phased:
                out = self._lp_leaf(node, eb)
                if out == "stop":
                    return "stop", eb, fbest
                if isinstance(out, dict):
                    node.tree.update(out)
                    self.stats["lp_leaves"] += 1
                    return "closed", eb, fbest
                if self.maximize:
                    raise AssertionError("an lp leaf with exact multipliers must close")  # pragma: no cover
        if self.relax and not (eb is not None and eb.all_phased) and self.net.depth and self._try_relax(fbest):
            closed = self._relax_leaf(node, fb, eb, fbest)
            if closed is not None:
                return "closed", closed, fbest
        # candidate points: the centre of this box and the corner maximizing the guide's best form
        self.attained = False
        lo, hi = fb.lo, fb.hi
        centre = (lo + hi) / 2
        if self._float_point_promising(centre):
            if self._try_point(tuple((a + b) / 2 for a, b in node.box)):
                return "stop", eb, fbest
        coef = self._best_form_coef(fb, order[0])
        corner = np.where(coef > 0, hi, lo)
        if self._float_point_promising(corner):
            if self._try_point(tuple(b if a > 0 else a0 for a, (a0, b) in zip(coef, node.box))):
                return "stop", eb, fbest
        node.tie = self.attained
        return "open", eb, fbest

    def run(self) -> SearchOutcome:
        g = self.g
        root = _Node(g.box, {}, {})
        heap: list[tuple[float, int, _Node]] = []
        counter = 0
        # initial candidates: the centre of the box and the best of a float sample
        if self._try_point(tuple((lo + hi) / 2 for lo, hi in g.box)):
            return self._outcome("violated")
        for v in self._sample(64):
            if self._try_point(v):
                return self._outcome("violated")
        heapq.heappush(heap, (0.0, counter, root))
        rounds = 0
        while heap:
            if self.deadline is not None and time.monotonic() > self.deadline:
                return self._unknown("time limit reached", heap)
            rounds += 1
            if not self.maximize and rounds % _BOX_ATTACK_EVERY == 0:
                worst = [n.box for _, _, n in heapq.nsmallest(_BOX_ATTACK_NODES, heap)]
                if any(self._try_point(v) for v in self._box_attack(worst, rounds)):
                    return self._outcome("violated")
            if self.max_branches is not None and self.stats["branches"] >= self.max_branches:
                return self._unknown("branch limit reached", heap)
            room = _BATCH if self.max_branches is None else max(1, self.max_branches - self.stats["branches"])
            batch = [heapq.heappop(heap)[2] for _ in range(min(room, _BATCH, len(heap)))]
            lo = np.array([[float(a) for a, _ in n.box] for n in batch])
            hi = np.array([[float(b) for _, b in n.box] for n in batch])
            fbatch = float_bounds_batch(self.net, lo, hi, [n.fixed for n in batch], rule=self.rule)
            fvals_all = fbatch.upper_bounds(*self._cand) if self.mu_candidates else np.zeros((len(batch), 0))
            pending = []
            for i, node in enumerate(batch):
                fb = fbatch.node(i)
                status, eb, fbest = self._process(node, fb, fvals_all[i])
                if status == "stop":
                    return self._outcome("violated")
                if status == "open":
                    by_input = self._wants_input_split(node, eb, fb, fbest)
                    node.cap = min(fbest, node.cap)
                    pending.append((node, eb, fb, node.cap, by_input))
            inputs = [p[0] for p in pending if p[4]]
            choices = iter(self._input_choices(inputs, [p[3] for p in pending if p[4]]) if inputs else ())
            for node, eb, fb, fbest, by_input in pending:
                if by_input:
                    i, b1, b2, slow = next(choices)
                    split, n1, n2 = self._input_split(node, i)
                    n1.slow = n2.slow = node.slow + 1 if slow else 0
                    prios: tuple[float, float] = (b1, b2)
                else:
                    split, n1, n2 = self._neuron_split(node, eb, fb)
                    prios = (fbest, fbest)
                self.stats["branches"] += 1
                node.tree.update({"split": split, "children": [n1.tree, n2.tree]})
                for child, pr in zip((n1, n2), prios):
                    counter += 1
                    heapq.heappush(heap, (-pr, counter, child))
            if self.progress is not None and pending:
                self.progress(
                    {
                        "branches": self.stats["branches"],
                        "open": len(heap),
                        "gap": max(-k for k, _, _ in heap) - float(self.thr) if heap else 0.0,
                    }
                )
        return self._outcome("proved", root.tree)

    def _outcome(self, status: str, tree: dict[str, Any] | None = None) -> SearchOutcome:
        value = self.thr if self.maximize else self.best_value
        return SearchOutcome(status, tree, self.best, value, stats=dict(self.stats))

    def _unknown(self, reason: str, heap) -> SearchOutcome:
        gap = max(-k for k, _, _ in heap) - float(self.thr) if heap else None
        out = self._outcome("unknown")
        out.reason, out.gap = reason, gap
        return out


def push_split(
    stack: list[tuple[Any, ...]],
    tree: dict[str, Any],
    box: Sequence[tuple[Fraction, Fraction]],
    fixed: dict[tuple[int, int], int],
    depth: int,
    neuron: tuple[int, int] | None = None,
) -> None:
    """Make ``tree`` a split node of ``docs/certificates.md`` and push its two children.

    With ``neuron`` the node splits that neuron (children inactive, active; same depth);
    otherwise it halves the widest input coordinate of ``box`` (the first one on ties;
    children low, high; depth + 1).  Each child goes on ``stack`` as
    ``(box, fixed, child node, depth)``, the high or active one last.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from fractions import Fraction
    >>> from relu_geom.certify.bab import push_split
    >>> stack, tree = [], {}
    >>> push_split(stack, tree, [(Fraction(0), Fraction(1)), (Fraction(0), Fraction(2))], {}, 0)
    >>> tree["split"], [(child[0][1], child[3]) for child in stack]
    ({'input': 1, 'at': 1}, [((Fraction(0, 1), Fraction(1, 1)), 1), ((Fraction(1, 1), Fraction(2, 1)), 1)])
    """
    kids: list[dict[str, Any]] = [{}, {}]
    tree["children"] = kids
    if neuron is not None:
        tree["split"] = {"neuron": list(neuron)}
        stack.append((tuple(box), {**fixed, neuron: -1}, kids[0], depth))
        stack.append((tuple(box), {**fixed, neuron: 1}, kids[1], depth))
        return
    i = max(range(len(box)), key=lambda k: (box[k][1] - box[k][0], -k))
    lo, hi = box[i]
    t = (lo + hi) / 2
    b1, b2 = list(box), list(box)
    b1[i] = (lo, t)
    b2[i] = (t, hi)
    tree["split"] = {"input": i, "at": format_rational(t)}
    stack.append((tuple(b1), fixed, kids[0], depth + 1))
    stack.append((tuple(b2), fixed, kids[1], depth + 1))


def attack_goal(
    goal: Goal, *, starts: int = 1024, seed: int = 0, boxes: Sequence[Sequence[tuple[Fraction, Fraction]]] | None = None
) -> tuple[Fraction, ...] | None:
    """An admissible point that violates the goal ``phi rel 0``, found by a float attack, or None.

    Projected Adam steps (100) from ``starts`` points of the box, half
    uniform and half the best-scoring of ``32 starts`` more uniform points (reproducible
    from ``seed``), on the largest of ``-phi``, the input rows and the atoms;
    the few best end points are checked exactly (``net(x)`` in rationals), so a returned
    point is a true violation.  None proves nothing.  With ``boxes`` (sub-boxes of the
    goal's box, as the search attacks its open nodes) the paths start at ``starts``
    uniform points of each box and stay in it.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from fractions import Fraction as F
    >>> from relu_geom.certify.bab import Form, Goal, attack_goal
    >>> net = rg.ReLUNetwork([[[1], [-1]], [[1, 1]]], [[0, 0], [0]])  # |x|
    >>> atom = Form((F(0),), (F(-1),), F(3, 2))  # |x| >= 3/2 on [-1, 2]
    >>> goal = Goal(net, ((F(-1), F(2)),), (), (atom,), Form((F(0),), (F(0),), F(0)), True)
    >>> x = attack_goal(goal, starts=16)
    >>> x is not None and abs(x[0]) >= F(3, 2)
    True
    """
    search = _Search(
        goal, maximize=False, floor=None, bits=DEFAULT_PRECISION_BITS, max_seconds=None, max_branches=None,
        progress=None, input_split_dim=8,
    )
    points = search._random_attack(starts, seed) if boxes is None else search._box_attack(boxes, seed, starts)
    for v in points:
        if search._try_point(v):
            return v
    return None


def branch_and_bound(
    goal: Goal,
    *,
    maximize: bool = False,
    floor: Fraction | None = None,
    bits: int = DEFAULT_PRECISION_BITS,
    max_seconds: float | None = None,
    max_branches: int | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
    input_split_dim: int = 8,
    relax: bool = True,
    rule: str = "forward",
    tighten_after: int | None = 256,
) -> SearchOutcome:
    """Prove a goal, find a violation, or (``maximize=True``) find and prove the maximum of phi.

    Parameters
    ----------
    goal
        The goal; its ``phi`` is the objective in maximize mode (``strict`` is then ignored).
    maximize
        Find the exact maximum ``M`` of ``phi`` over the admissible set; the tree proves
        ``phi - M <= 0``.
    floor
        Maximize mode (required): a value at most the maximum (the value at a known
        admissible point), or a bound to prove when there may be no admissible point (then
        ``point`` is None and the tree proves ``phi - floor <= 0``).
    bits
        The precision ``k`` of the bound rule.
    max_seconds, max_branches
        Limits; reaching one gives status ``"unknown"`` with the reason.
    progress
        Called after every branch with ``{"branches", "open", "gap"}``.
    input_split_dim
        Split input coordinates (rather than neurons) when the input dimension is at most this.
    relax
        Try a ``relax`` leaf (the triangle LP relaxation, multipliers from HiGHS, proved
        exactly) on every node that the bound rule does not close.
    rule
        The bound rule, ``"forward"`` or ``"backward"`` (the certificate's
        ``question.bound_rule``).
    tighten_after
        Once this many branches are made, a node whose relax LP fails may get a leaf with
        LP-tightened bounds of the last hidden layer (``tighten`` entries;
        docs/certification.md, "Tightened leaves"); None: never.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from fractions import Fraction as F
    >>> from relu_geom.certify.bab import Form, Goal, branch_and_bound
    >>> net = rg.ReLUNetwork([[[1], [-1]], [[1, 1]]], [[0, 0], [0]])  # |x|
    >>> phi = Form((F(0),), (F(1),), F(0))  # maximize y = |x| on [-1, 2]
    >>> goal = Goal(net, ((F(-1), F(2)),), (), (), phi, False)
    >>> out = branch_and_bound(goal, maximize=True, floor=F(0))
    >>> out.status, out.value, out.point
    ('proved', Fraction(2, 1), (Fraction(2, 1),))
    """
    return _Search(
        goal,
        maximize=maximize,
        floor=floor,
        bits=bits,
        max_seconds=max_seconds,
        max_branches=max_branches,
        progress=progress,
        input_split_dim=input_split_dim,
        relax=relax,
        rule=rule,
        tighten_after=tighten_after,
    ).run()
