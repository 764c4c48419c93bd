"""The independent checker of ``relu-geom/certificate@1`` and ``@2`` (see ``docs/certificates.md``).

It rebuilds every goal from the question, walks every proof tree iteratively and
re-derives every bound with its own implementation of the bound rule
(:mod:`relu_geom.verify.bounds`).  It imports only the network (exact evaluation),
the exception classes and the standard library; nothing the producer wrote is trusted.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from relu_geom.errors import LimitExceededError, ReluGeomError
from relu_geom.network import ReLUNetwork
from relu_geom.verify import algebraic, search_claims
from relu_geom.verify._json import (
    Invalid,
    JsonBigInt,
    JsonPath,
    _kind,
    _obj,
    canonical_rational,
    load_certificate,
    parse_rational,
)
from relu_geom.verify.bounds import (
    IntegerNetwork,
    affine_max,
    backward_max,
    jacobian,
    output_form,
    propagate,
    relaxation_max,
)
from relu_geom.verify.l2 import check_robustness_l2
from relu_geom.verify.lipschitz import Limit, jacobian_leaves
from relu_geom.verify.networks import check_networks

__all__ = ["Failure", "VerificationReport", "verify_certificate"]

FORMAT = "relu-geom/certificate@1"
FORMAT_STRICT = "relu-geom/certificate@2"  # @1 plus strict atoms, for the property claim only
NETWORK_FORMAT = "relu-geom/network@1"
CLAIMS = ("property", "output_range", "lipschitz", "robustness", "robustness_l2")
MAX_PRECISION_BITS = 1024
MAX_DEGREE = 1000  # of the polynomial defining L^2
LEAF_KINDS = ("bound", "lp", "relax", "pattern", "empty")
# lp leaves of a Lipschitz proof prove (goal phi = 0, rel "<") that the leaf misses the input rows;
# its jacobian leaves are checked in relu_geom/verify/lipschitz.py
LIPSCHITZ_LEAF_KINDS = ("pattern", "lp")
RELAX_ROWS = (("active", 1), ("inactive", -1), ("lower", 0), ("upper", 0))  # and the phase each needs


@dataclass(frozen=True, slots=True)
class Failure:
    """The first step that fails: a JSON path into the certificate and a short reason."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True, slots=True)
class VerificationReport:
    """The outcome of :func:`verify_certificate`.

    Attributes
    ----------
    valid
        True when every check passed (never for the verdict ``"unknown"``).
    verdict, claim
        As written in the certificate (None if unreadable).
    first_failure
        The first failing step (:class:`Failure`), or None.
    n_nodes
        Proof-tree nodes visited.
    leaves
        ``(kind, count)`` for the leaf kinds ``bound``, ``lp``, ``relax``, ``pattern``, ``empty``, and
        ``jacobian`` (Lipschitz proofs) or ``qp`` (l2 robustness) when such leaves occur.
    checked
        One line per thing checked, in order.
    """

    valid: bool
    verdict: str | None
    claim: str | None
    first_failure: Failure | None
    n_nodes: int = 0
    leaves: tuple[tuple[str, int], ...] = tuple((k, 0) for k in LEAF_KINDS)
    checked: tuple[str, ...] = field(default=())

    @property
    def n_leaves(self) -> int:
        """Leaves checked, of every kind."""
        return sum(n for _, n in self.leaves)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "valid": self.valid,
            "verdict": self.verdict,
            "claim": self.claim,
            "first_failure": None
            if self.first_failure is None
            else {"path": self.first_failure.path, "reason": self.first_failure.reason},
            "n_nodes": self.n_nodes,
            "leaves": dict(self.leaves),
            "checked": list(self.checked),
        }


# ----------------------------------------------------------------- decoding helpers
def _list(value: object, path: JsonPath, length: int | None = None) -> list[Any]:
    if not isinstance(value, list):
        raise Invalid(path, f"expected a list, got {_kind(value)}")
    if length is not None and len(value) != length:
        raise Invalid(path, f"expected {length} entries, got {len(value)}")
    return value


def _int(value: object, path: JsonPath, lo: int, hi: int) -> int:
    """An integer in ``[lo, hi)``."""
    if isinstance(value, bool) or not isinstance(value, (int, JsonBigInt)):
        raise Invalid(path, f"expected an integer, got {_kind(value)}")
    if isinstance(value, JsonBigInt) or not lo <= value < hi:
        raise Invalid(path, f"expected an integer in [{lo}, {hi - 1}], got {value}")
    return value


def _vector(value: object, path: JsonPath, length: int | None) -> list[Fraction]:
    items = _list(value, path, length)
    return [parse_rational(v, (path, f"[{i}]")) for i, v in enumerate(items)]


def _box(value: object, path: JsonPath, length: int) -> list[tuple[Fraction, Fraction]]:
    out = []
    for i, pair in enumerate(_list(value, path, length)):
        lo, hi = _vector(pair, (path, f"[{i}]"), 2)
        if lo > hi:
            raise Invalid((path, f"[{i}]"), f"empty interval: lo {_show(lo)} > hi {_show(hi)}")
        out.append((lo, hi))
    return out


def _nonneg(value: object, path: JsonPath) -> Fraction:
    r = parse_rational(value, path)
    if r < 0:
        raise Invalid(path, f"multiplier must be non-negative, got {_show(r)}")
    return r


def _text(value: object, path: JsonPath, choices: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise Invalid(path, f"expected one of {', '.join(map(repr, choices))}, got {_kind(value)}")
    return value


@dataclass(frozen=True, slots=True)
class _Form:
    """``p.v + q.y + c`` with ``v = (x, s)``."""

    p: tuple[Fraction, ...]
    q: tuple[Fraction, ...]
    c: Fraction

    def value(self, v: Sequence[Fraction], y: Sequence[Fraction]) -> Fraction:
        return sum((a * b for a, b in zip(self.p, v)), self.c) + sum(
            (a * b for a, b in zip(self.q, y)), Fraction(0)
        )

    def minus(self, other: _Form, mult: Fraction) -> _Form:
        return _Form(
            tuple(a - mult * b for a, b in zip(self.p, other.p)),
            tuple(a - mult * b for a, b in zip(self.q, other.q)),
            self.c - mult * other.c,
        )


def _form(value: object, path: JsonPath, d: int, e: int, m: int, *, with_y: bool) -> _Form:
    obj = _obj(value, path, (), ("x", "s", "y", "c"))
    zero = Fraction(0)
    x = _vector(obj["x"], (path, ".x"), d) if "x" in obj else [zero] * d
    s = _vector(obj["s"], (path, ".s"), e) if "s" in obj else [zero] * e
    y = _vector(obj["y"], (path, ".y"), m) if "y" in obj else [zero] * m
    if not with_y and any(y):
        raise Invalid((path, ".y"), "an input row may not involve the output y")
    c = parse_rational(obj["c"], (path, ".c")) if "c" in obj else zero
    return _Form(tuple(x + s), tuple(y), c)


@dataclass(frozen=True, slots=True)
class _Goal:
    box: tuple[tuple[Fraction, Fraction], ...]
    rows: tuple[_Form, ...]
    atoms: tuple[_Form, ...]
    phi: _Form
    rel: str  # "<" or "<="
    strict_atoms: frozenset[int] = frozenset()  # atoms asserted e < 0 (property claims of @2)


def _show(value: Fraction | int) -> str:
    """A rational for a message (exact, abridged in the middle when very long)."""
    text = canonical_rational(Fraction(value))
    return text if len(text) <= 80 else f"{text[:30]}...{text[-30:]} ({len(text)} characters)"


def _holds(value: Fraction, rel: str) -> bool:
    return value < 0 if rel == "<" else value <= 0


def _closes(value: Fraction, goal: _Goal, atom_mult: Sequence[tuple[int, Fraction]]) -> bool:
    """``max psi rel 0``, where ``max psi = 0`` also closes a ``"<"`` goal when a strict atom has
    a positive multiplier: on admissible points that atom is ``< 0``, so ``phi < max psi``."""
    if _holds(value, goal.rel):
        return True
    return value == 0 and any(mu > 0 and k in goal.strict_atoms for k, mu in atom_mult)


def _relation(goal: _Goal) -> str:
    return f"{goal.rel} 0" if not goal.strict_atoms else f"{goal.rel} 0 (nor 0 with a strict atom's multiplier > 0)"


# ----------------------------------------------------------------- the checker
class _Checker:
    def __init__(self, net: ReLUNetwork, k: int, deadline: float | None, rule: str = "forward"):
        self.net = net
        self.deadline = deadline
        self.inet = IntegerNetwork(net)
        self.k = k
        self.rule = rule
        self.n_nodes = 0
        self.leaves = dict.fromkeys(LEAF_KINDS, 0)
        self.checked: list[str] = []
        self.claims: dict[tuple[int, int], tuple[int | None, int | None]] = {}  # of the node being checked
        self.cuts: dict[int, IntegerNetwork] = {}

    # ---- membership and evaluation
    def in_set(
        self,
        x: Sequence[Fraction],
        box: Sequence[tuple[Fraction, Fraction]],
        rows: Sequence[_Form],
        path: JsonPath,
    ) -> None:
        for i, (xi, (lo, hi)) in enumerate(zip(x, box)):
            if not lo <= xi <= hi:
                raise Invalid((path, f"[{i}]"), f"{_show(xi)} lies outside [{_show(lo)}, {_show(hi)}]")
        for r, row in enumerate(rows):
            val = row.value(x, ())
            if val > 0:
                raise Invalid(path, f"input row {r} is {_show(val)} > 0 at this point")

    # ---- proof trees
    def prove(self, tree: object, path: JsonPath, goal: _Goal, *, lipschitz: Any = None) -> int:
        """Check that ``tree`` proves ``goal`` (or, with ``lipschitz``, bounds every pattern)."""

        def leaf(node, npath, box, fixed) -> None:
            self.leaf(node, npath, goal, box, fixed, lipschitz)

        return self.walk(tree, path, goal.box, leaf, rows=goal.rows if lipschitz is None else None)

    def walk(
        self,
        tree: object,
        path: JsonPath,
        box0: tuple[tuple[Fraction, Fraction], ...],
        leaf: Callable[[dict, JsonPath, tuple[tuple[Fraction, Fraction], ...], dict[tuple[int, int], int]], None],
        rows: Sequence[_Form] | None = None,
    ) -> int:
        """Check the splits of a proof tree over ``box0`` and hand each leaf, with its box and
        fixed phases, to ``leaf``; returns the number of nodes.  With ``rows`` (the goal's
        input rows) nodes may carry ``"tighten"`` entries, checked here and kept in
        ``self.claims`` for the leaves below them."""
        n = len(box0)
        start = self.n_nodes
        stack: list[tuple[object, Any, tuple[tuple[Fraction, Fraction], ...], dict[tuple[int, int], int], Any]] = [
            (tree, path, box0, {}, {})
        ]
        while stack:
            node, npath, box, fixed, claims = stack.pop()
            self.n_nodes += 1
            self.check_deadline()
            if not isinstance(node, dict):
                raise Invalid(npath, f"expected a proof node (object), got {_kind(node)}")
            extra: tuple[str, ...] = ()
            if "tighten" in node:
                if rows is None:
                    raise Invalid((npath, ".tighten"), "tightened bounds occur only in property, range and robustness proofs")
                claims = self.tighten(node["tighten"], (npath, ".tighten"), box, fixed, claims, rows)
                extra = ("tighten",)
            self.claims = claims
            if "split" in node:
                _obj(node, npath, ("split", "children"), extra)
                split = node["split"]
                spath = (npath, ".split")
                children = _list(node["children"], (npath, ".children"), 2)
                if isinstance(split, dict) and "input" in split:
                    _obj(split, spath, ("input", "at"))
                    i = _int(split["input"], (spath, ".input"), 0, n)
                    t = parse_rational(split["at"], (spath, ".at"))
                    lo, hi = box[i]
                    if not lo <= t <= hi:
                        raise Invalid(
                            (spath, ".at"),
                            f"split point {_show(t)} outside [{_show(lo)}, {_show(hi)}] of variable {i}",
                        )
                    low = box[:i] + ((lo, t),) + box[i + 1 :]
                    high = box[:i] + ((t, hi),) + box[i + 1 :]
                    kids = [(children[0], low, fixed), (children[1], high, fixed)]
                elif isinstance(split, dict) and "neuron" in split:
                    _obj(split, spath, ("neuron",))
                    neuron = self.neuron(split["neuron"], (spath, ".neuron"))
                    if neuron in fixed:
                        raise Invalid((spath, ".neuron"), f"neuron {list(neuron)} split twice on one path")
                    kids = [
                        (children[0], box, {**fixed, neuron: -1}),
                        (children[1], box, {**fixed, neuron: 1}),
                    ]
                else:
                    raise Invalid(spath, "expected {'input': i, 'at': t} or {'neuron': [l, j]}")
                for c in (1, 0):
                    child, cbox, cfixed = kids[c]
                    stack.append((child, (npath, f".children[{c}]"), cbox, cfixed, claims))
                continue
            if "leaf" not in node:
                raise Invalid(npath, "expected a split or a leaf")
            leaf({key: v for key, v in node.items() if key != "tighten"} if extra else node, npath, box, fixed)
        self.claims = {}
        return self.n_nodes - start

    def check_deadline(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise LimitExceededError(
                f"certificate check: time limit reached after {self.n_nodes} proof nodes (neither valid nor invalid)"
            )

    def tighten(self, value: object, path: JsonPath, box, fixed, inherited, rows) -> dict:
        """Check the ``tighten`` entries of a node; the claims of the node and its ancestors,
        ``{(l, j): (2^k l or None, 2^k u or None)}``."""
        claims = dict(inherited)
        one = 1 << self.k
        layer_of_prev = 2
        checked_layer, prop = 0, None
        seen = set()
        for i, entry in enumerate(_list(value, path)):
            self.check_deadline()
            epath = (path, f"[{i}]")
            side = "upper" if isinstance(entry, dict) and "upper" in entry else "lower"
            obj = _obj(entry, epath, ("neuron", side, "lambda"))
            layer, j = self.neuron(obj["neuron"], (epath, ".neuron"))
            if layer < layer_of_prev:
                raise Invalid((epath, ".neuron"), f"layer {layer}: entries are in the order of their layers, from layer 2")
            layer_of_prev = layer
            if (layer, j, side) in seen:
                raise Invalid(epath, f"a second {side} entry for neuron {[layer, j]}")
            seen.add((layer, j, side))
            r = parse_rational(obj[side], (epath, f".{side}"))
            if layer != checked_layer:  # the rule with the ancestors' claims and this node's below this layer
                prop = propagate(self.inet, box, fixed, self.k, self.rule, claims)
                checked_layer = layer
            assert prop is not None
            if not prop.empty:
                sign = 1 if side == "upper" else -1
                q = tuple(Fraction(sign if i2 == j else 0) for i2 in range(self.net.hidden_widths[layer - 1]))
                phi = _Form((Fraction(0),) * len(box), q, -sign * r)
                bound, _ = self.relax_bound(obj["lambda"], (epath, ".lambda"), phi, rows, (), box, prop, layer)
                if bound > 0:
                    raise Invalid(epath, f"max of psi over the relaxation box is {_show(bound)}, not <= 0")
            lo, up = claims.get((layer, j), (None, None))
            if side == "upper":
                n_up = -((-r.numerator * one) // r.denominator)  # 2^k up(r)
                up = n_up if up is None else min(up, n_up)
            else:
                n_lo = (r.numerator * one) // r.denominator  # 2^k down(r)
                lo = n_lo if lo is None else max(lo, n_lo)
            claims[(layer, j)] = (lo, up)
        return claims

    def neuron(self, value: object, path: JsonPath) -> tuple[int, int]:
        widths = self.net.hidden_widths
        pair = _list(value, path, 2)
        layer = _int(pair[0], (path, "[0]"), 1, len(widths) + 1)
        return layer, _int(pair[1], (path, "[1]"), 0, widths[layer - 1])

    def neuron_entries(self, value: object, path: JsonPath, name: str):
        """The entries ``[[l, j], value]`` of the list ``value`` at ``path + name``: yields
        ``(entry path, (l, j), value)``; a neuron given twice is invalid."""
        seen = set()
        for i, entry in enumerate(_list(value, (path, name))):
            epath = (path, f"{name}[{i}]")
            pair = _list(entry, epath, 2)
            neuron = self.neuron(pair[0], (epath, "[0]"))
            if neuron in seen:
                raise Invalid(epath, f"neuron {list(neuron)} given twice")
            seen.add(neuron)
            yield epath, neuron, pair[1]

    def leaf(self, node: dict, path: JsonPath, goal: _Goal, box, fixed, lipschitz) -> None:
        kind = _text(node["leaf"], (path, ".leaf"), ("bound", "lp", "relax", "pattern"))
        prop = propagate(self.inet, box, fixed, self.k, self.rule, self.claims)
        if prop.empty:
            self.leaves["empty"] += 1
            return
        if lipschitz is not None and kind not in LIPSCHITZ_LEAF_KINDS:
            raise Invalid(
                (path, ".leaf"),
                f"a Lipschitz proof has only pattern and lp leaves, got {kind!r} on a non-empty leaf",
            )
        if lipschitz is None and kind == "pattern":
            raise Invalid((path, ".leaf"), "pattern leaves occur only in Lipschitz proofs")
        if kind == "bound":
            _obj(node, path, ("leaf", "mu"))
            form = goal.phi
            mult = self.sparse(node["mu"], (path, ".mu"), len(goal.atoms))
            for k, mu in mult:
                form = form.minus(goal.atoms[k], mu)
            coeffs, const = output_form(self.inet, prop, form.p, form.q, form.c)
            bound = affine_max(coeffs, const, box)
            if self.rule == "backward" and self.net.depth > 1:
                bound = min(bound, backward_max(self.inet, prop, self.k, box, form.p, form.q, form.c))
            if not _closes(bound, goal, mult):
                raise Invalid(path, f"the bound rule gives {_show(bound)}, not {_relation(goal)}")
        elif kind == "lp":
            _obj(node, path, ("leaf", "lambda"))
            self.unfixed(prop, path, "lp")
            lam = _obj(node["lambda"], (path, ".lambda"), (), ("phase", "atom", "input"))
            form = goal.phi
            mult = self.sparse(lam.get("atom", []), (path, ".lambda.atom"), len(goal.atoms))
            for k, mu in mult:
                form = form.minus(goal.atoms[k], mu)
            inputs = self.sparse(lam.get("input", []), (path, ".lambda.input"), len(goal.rows))
            for r, mu in inputs:
                form = form.minus(goal.rows[r], mu)
            coeffs, const = output_form(self.inet, prop, form.p, form.q, form.c)
            # a positive multiplier on a row that is not identically zero (for thin Lipschitz leaves)
            weighted = any(mu > 0 and (any(goal.rows[r].p) or goal.rows[r].c) for r, mu in inputs)
            for epath, (layer, j), value in self.neuron_entries(lam.get("phase", []), path, ".lambda.phase"):
                mu = _nonneg(value, (epath, "[1]"))
                forms, den = prop.pre[layer - 1]
                z = forms[j]
                sigma = prop.phases[layer - 1][j]
                # psi -= mu * g with g = -sigma z: add mu sigma z
                f = mu * sigma / den
                coeffs = [a + f * z[c + 1] for c, a in enumerate(coeffs)]
                const += f * z[0]
                weighted = weighted or (mu > 0 and any(z[: self.net.input_dim + 1]))
            bound = affine_max(coeffs, const, box)
            thin = lipschitz is not None and bound == 0 and weighted
            if not thin and not _closes(bound, goal, mult):
                raise Invalid(path, f"max of psi over the leaf box is {_show(bound)}, not {_relation(goal)}")
        elif kind == "relax":
            self.relax(node, path, goal, box, prop)
        else:
            _obj(node, path, ("leaf",))
            self.unfixed(prop, path, "pattern")
            lipschitz(jacobian(self.inet, prop), path)
        self.leaves[kind] += 1

    def relax(self, node: dict, path: JsonPath, goal: _Goal, box, prop) -> None:
        """The ``relax`` leaf: the triangle relaxation with the rule's own bounds ``l, u``."""
        _obj(node, path, ("leaf", "lambda"))
        bound, mult = self.relax_bound(node["lambda"], (path, ".lambda"), goal.phi, goal.rows, goal.atoms, box, prop)
        if not _closes(bound, goal, mult):
            raise Invalid(path, f"max of psi over the relaxation box is {_show(bound)}, not {_relation(goal)}")

    def relax_bound(self, value, path: JsonPath, form: _Form, rows, atoms, box, prop, layer: int | None = None):
        """``max psi`` of the relaxation with the multipliers ``value`` for ``phi = form``, and the
        atoms' multipliers.  With ``layer`` it is the network cut after hidden layer ``layer - 1``
        whose output is ``z_layer`` (a ``tighten`` entry: no atoms, rows of earlier layers only)."""
        keys = tuple(key for key, _ in RELAX_ROWS)
        lam = _obj(value, path, (), (*keys, "input") if layer else (*keys, "atom", "input"))
        where = "leaf" if layer is None else "node"
        mult = self.sparse(lam.get("atom", []), (path, ".atom"), len(atoms))
        for k, mu in mult:
            form = form.minus(atoms[k], mu)
        for r, mu in self.sparse(lam.get("input", []), (path, ".input"), len(rows)):
            row = rows[r]  # over v only (its q is zero, of the network's output length)
            form = _Form(tuple(a - mu * b for a, b in zip(form.p, row.p)), form.q, form.c - mu * row.c)
        widths = self.net.hidden_widths
        zero = Fraction(0)
        zmult: list[dict[int, Fraction]] = [{} for _ in widths]  # the coefficient of z_{l,j} in psi
        amult: list[dict[int, Fraction]] = [{} for _ in widths]  # the coefficient of a_{l,j} in psi
        extra = zero
        one = 1 << self.k
        for key, want in RELAX_ROWS:
            for epath, (lay, j), v in self.neuron_entries(lam.get(key, []), path, f".{key}"):
                if layer is not None and lay >= layer:
                    raise Invalid((epath, "[0]"), f"neuron {[lay, j]}: a bound of layer {layer} uses layers below it only")
                phase = prop.phases[lay - 1][j]
                if phase != want:
                    raise Invalid(
                        (epath, "[0]"),
                        f"{key!r} needs phase {want}; neuron {[lay, j]} has phase {phase} on this {where}",
                    )
                if key == "active":  # a = z: any sign
                    lam_i = parse_rational(v, (epath, "[1]"))
                else:
                    lam_i = _nonneg(v, (epath, "[1]"))
                zm, am = zmult[lay - 1], amult[lay - 1]
                # psi -= lam_i g with g = a - z, z, z - a, or a - t (z - l)
                if key == "active":
                    zm[j], am[j] = zm.get(j, zero) + lam_i, am.get(j, zero) - lam_i
                elif key == "inactive":
                    zm[j] = zm.get(j, zero) - lam_i
                elif key == "lower":
                    zm[j], am[j] = zm.get(j, zero) - lam_i, am.get(j, zero) + lam_i
                else:
                    lo, up = prop.bounds[lay - 1][j]
                    t = Fraction(-((-up * one) // (up - lo)), one)  # up(u / (u - l))
                    zm[j], am[j] = zm.get(j, zero) + lam_i * t, am.get(j, zero) - lam_i
                    extra -= lam_i * t * Fraction(lo, one)
        inet = self.inet if layer is None else self.cut(layer)
        depth = inet.net.depth
        bound = relaxation_max(inet, prop, self.k, box, (form.p, form.q, form.c), zmult[:depth], amult[:depth], extra)
        return bound, mult

    def cut(self, layer: int) -> IntegerNetwork:
        """The network cut after hidden layer ``layer - 1``, with output ``z_layer``."""
        if layer not in self.cuts:
            net = self.net
            self.cuts[layer] = IntegerNetwork(ReLUNetwork(net.weights[:layer], net.biases[:layer]))
        return self.cuts[layer]

    @staticmethod
    def unfixed(prop, path: JsonPath, kind: str) -> None:
        for layer, row in enumerate(prop.phases, start=1):
            for j, p in enumerate(row):
                if p == 0:
                    raise Invalid(path, f"{kind} leaf: neuron {[layer, j]} has no phase (unstable)")

    @staticmethod
    def sparse(value: object, path: JsonPath, n: int) -> list[tuple[int, Fraction]]:
        out = []
        seen = set()
        for i, entry in enumerate(_list(value, path)):
            pair = _list(entry, (path, f"[{i}]"), 2)
            k = _int(pair[0], (path, f"[{i}][0]"), 0, n)
            if k in seen:
                raise Invalid((path, f"[{i}]"), f"index {k} given twice")
            seen.add(k)
            out.append((k, _nonneg(pair[1], (path, f"[{i}][1]"))))
        return out


# ----------------------------------------------------------------- the network
def _network(cert: dict) -> tuple[ReLUNetwork, dict[str, Any]]:
    obj = _obj(cert["network"], "network", ("weights", "biases"), ("format", "architecture"))
    if "format" in obj and obj["format"] != NETWORK_FORMAT:
        raise Invalid("network.format", f"expected {NETWORK_FORMAT!r}, got {_kind(obj['format'])}")
    canon: dict[str, Any] = {k: obj[k] for k in obj if k in ("format", "architecture")}
    for key in ("weights", "biases"):
        layers = _list(obj[key], f"network.{key}")
        canon[key] = []
        for li, layer in enumerate(layers):
            if key == "weights":
                rows = _list(layer, f"network.{key}[{li}]")
                canon[key].append(
                    [
                        [
                            parse_rational(v, f"network.{key}[{li}][{i}][{j}]")
                            for j, v in enumerate(_list(r, f"network.{key}[{li}][{i}]"))
                        ]
                        for i, r in enumerate(rows)
                    ]
                )
            else:
                canon[key].append(
                    [
                        parse_rational(v, f"network.{key}[{li}][{i}]")
                        for i, v in enumerate(_list(layer, f"network.{key}[{li}]"))
                    ]
                )
    try:
        net = ReLUNetwork(canon["weights"], canon["biases"])
    except ReluGeomError as exc:
        raise Invalid("network", f"does not decode: {exc}") from None
    if "architecture" in obj and obj["architecture"] != list(net.architecture):
        raise Invalid(
            "network.architecture", f"says {obj['architecture']!r}, the weights give {list(net.architecture)}"
        )
    canon["weights"] = [[[canonical_rational(v) for v in row] for row in w] for w in canon["weights"]]
    canon["biases"] = [[canonical_rational(v) for v in b] for b in canon["biases"]]
    return net, canon


def network_sha256(canonical: Mapping[str, Any]) -> str:
    """SHA-256 of ``json.dumps(network, sort_keys=True, separators=(",", ":"))`` (canonical rationals)."""
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ----------------------------------------------------------------- claims
def _atom(value: object, path: str, d: int, m: int, strict_ok: bool) -> tuple[_Form, bool]:
    """An atom of a property question; ``"strict": true`` (``e < 0``) only in format @2."""
    if isinstance(value, dict) and "strict" in value:
        if not strict_ok:
            raise Invalid(path, f"unexpected key 'strict' (strict atoms need the format {FORMAT_STRICT!r})")
        if not isinstance(value["strict"], bool):
            raise Invalid((path, ".strict"), f"expected true or false, got {_kind(value['strict'])}")
        form = _form({k: v for k, v in value.items() if k != "strict"}, path, d, 0, m, with_y=True)
        return form, value["strict"]
    return _form(value, path, d, 0, m, with_y=True), False


def _check_property(ch: _Checker, q: dict, verdict: str, evidence: Any, strict_ok: bool = False) -> None:
    net = ch.net
    d, m = net.input_dim, net.output_dim
    disjuncts = []
    for i, dj in enumerate(_list(q["disjuncts"], "question.disjuncts")):
        p = f"question.disjuncts[{i}]"
        obj = _obj(dj, p, ("box",), ("input_rows", "atoms"))
        box = tuple(_box(obj["box"], f"{p}.box", d))
        rows = tuple(
            _form(r, f"{p}.input_rows[{k}]", d, 0, m, with_y=False)
            for k, r in enumerate(_list(obj.get("input_rows", []), f"{p}.input_rows"))
        )
        parsed = [
            _atom(a, f"{p}.atoms[{k}]", d, m, strict_ok)
            for k, a in enumerate(_list(obj.get("atoms", []), f"{p}.atoms"))
        ]
        atoms = tuple(a for a, _ in parsed)
        strict = frozenset(k for k, (_, st) in enumerate(parsed) if st)
        disjuncts.append((box, rows, atoms, strict))
    if verdict == "sat":
        ev = _obj(evidence, "evidence", ("disjunct", "x"))
        k = _int(ev["disjunct"], "evidence.disjunct", 0, len(disjuncts))
        x = _vector(ev["x"], "evidence.x", d)
        box, rows, atoms, strict = disjuncts[k]
        ch.in_set(x, box, rows, "evidence.x")
        y = net(x)
        for a, atom in enumerate(atoms):
            val = atom.value(x, y)
            if val > 0 or (val == 0 and a in strict):
                rel = "> 0" if val > 0 else "= 0, not < 0 (a strict atom)"
                raise Invalid("evidence.x", f"atom {a} of disjunct {k} is {_show(val)} {rel} at f(x)")
        ch.checked.append(f"witness x in disjunct {k}: exact f(x) satisfies its {len(atoms)} atoms ({len(strict)} strict)")
    elif verdict == "unsat":
        ev = _obj(evidence, "evidence", ("proofs",))
        proofs = _list(ev["proofs"], "evidence.proofs", len(disjuncts))
        zero = _Form((Fraction(0),) * d, (Fraction(0),) * m, Fraction(0))
        for k, ((box, rows, atoms, strict), tree) in enumerate(zip(disjuncts, proofs)):
            nodes = ch.prove(tree, f"evidence.proofs[{k}]", _Goal(box, rows, atoms, zero, "<", strict))
            ch.checked.append(f"disjunct {k} is empty: proof of {nodes} nodes")


def _check_output_range(ch: _Checker, q: dict, verdict: str, evidence: Any) -> None:
    net = ch.net
    d, m = net.input_dim, net.output_dim
    box = tuple(_box(q["box"], "question.box", d))
    rows = tuple(
        _form(r, f"question.input_rows[{k}]", d, 0, m, with_y=False)
        for k, r in enumerate(_list(q.get("input_rows", []), "question.input_rows"))
    )
    objectives = []
    for i, o in enumerate(_list(q["objectives"], "question.objectives")):
        obj = _obj(o, f"question.objectives[{i}]", ("y",), ("c",))
        yq = tuple(_vector(obj["y"], f"question.objectives[{i}].y", m))
        c0 = parse_rational(obj["c"], f"question.objectives[{i}].c") if "c" in obj else Fraction(0)
        objectives.append((yq, c0))
    ev = _obj(evidence, "evidence", ("ranges",))
    ranges = _list(ev["ranges"], "evidence.ranges", len(objectives))
    zero_x = (Fraction(0),) * d
    for i, ((yq, c0), rng) in enumerate(zip(objectives, ranges)):
        p = f"evidence.ranges[{i}]"
        r = _obj(rng, p, ("min", "argmin", "min_proof", "max", "argmax", "max_proof"))
        lo = parse_rational(r["min"], f"{p}.min")
        hi = parse_rational(r["max"], f"{p}.max")
        for key, target in (("argmin", lo), ("argmax", hi)):
            x = _vector(r[key], f"{p}.{key}", d)
            ch.in_set(x, box, rows, f"{p}.{key}")
            g = sum((a * b for a, b in zip(yq, net(x))), c0)
            if g != target:
                raise Invalid(f"{p}.{key}", f"the objective there is {_show(g)}, not {_show(target)}")
        ch.prove(r["max_proof"], f"{p}.max_proof", _Goal(box, rows, (), _Form(zero_x, yq, c0 - hi), "<="))
        ch.prove(
            r["min_proof"],
            f"{p}.min_proof",
            _Goal(box, rows, (), _Form(zero_x, tuple(-a for a in yq), lo - c0), "<="),
        )
        ch.checked.append(f"objective {i}: range [{_show(lo)}, {_show(hi)}] attained and proved")


def _norm(a: list[list[Fraction]], norm: str) -> Fraction:
    if norm == "linf":
        return max((sum((abs(v) for v in row), Fraction(0)) for row in a), default=Fraction(0))
    cols = len(a[0]) if a else 0
    return max((sum((abs(row[j]) for row in a), Fraction(0)) for j in range(cols)), default=Fraction(0))


def _gram(a: list[list[Fraction]]) -> list[list[Fraction]]:
    d = len(a[0]) if a else 0
    return [[sum((row[i] * row[j] for row in a), Fraction(0)) for j in range(d)] for i in range(d)]


def _check_lipschitz(ch: _Checker, q: dict, verdict: str, evidence: Any) -> None:
    net = ch.net
    d, m = net.input_dim, net.output_dim
    box = tuple(_box(q["box"], "question.box", d))
    rows = tuple(
        _form(r, f"question.input_rows[{k}]", d, 0, m, with_y=False)
        for k, r in enumerate(_list(q.get("input_rows", []), "question.input_rows"))
    )
    norm = _text(q["norm"], "question.norm", ("linf", "l1", "l2"))
    ev = _obj(evidence, "evidence", ("value", "witness", "proof"))
    if norm == "l2":
        sq = _obj(
            _obj(ev["value"], "evidence.value", ("squared",))["squared"],
            "evidence.value.squared",
            ("poly", "interval"),
        )
        if isinstance(sq["poly"], list) and len(sq["poly"]) > MAX_DEGREE + 1:
            raise Invalid("evidence.value.squared.poly", f"degree above the limit {MAX_DEGREE}")
        poly = _vector(sq["poly"], "evidence.value.squared.poly", None)
        a, b = _vector(sq["interval"], "evidence.value.squared.interval", 2)
        if not any(poly):
            raise Invalid("evidence.value.squared.poly", "the zero polynomial")
        if a > b:
            raise Invalid("evidence.value.squared.interval", f"empty interval [{_show(a)}, {_show(b)}]")
        if algebraic.count_roots(poly, a, b) != 1:
            raise Invalid(
                "evidence.value.squared", "the polynomial does not have exactly one real root in the interval"
            )
        value_text = f"sqrt of the root of a degree-{len(poly) - 1} polynomial in [{_show(a)}, {_show(b)}]"
        limit = Limit(norm, poly=tuple(poly), a=a, b=b)

        def at_most(mat, path, equal=False):
            chi = algebraic.charpoly(_gram(mat))
            if equal and not algebraic.is_root(chi, poly, a, b):
                raise Invalid(path, "L^2 is not an eigenvalue of A^T A")
            above = algebraic.no_root_above(chi, poly, a, b)
            if above is None:
                raise Invalid(path, "could not separate the eigenvalues of A^T A from L^2")
            if not above:
                raise Invalid(path, "||A||_2 exceeds L (A^T A has an eigenvalue above L^2)")
    else:
        value = parse_rational(ev["value"], "evidence.value")
        value_text = _show(value)
        limit = Limit(norm, value=value)

        def at_most(mat, path, equal=False):
            got = _norm(mat, norm)
            if got > value or (equal and got != value):
                raise Invalid(
                    path,
                    f"||A||_{norm[1:]} = {_show(got)}, {'not equal to' if equal else 'above'} L = {_show(value)}",
                )

    w = _obj(ev["witness"], "evidence.witness", ("x", "box"))
    x = _vector(w["x"], "evidence.witness.x", d)
    ch.in_set(x, box, rows, "evidence.witness.x")
    wbox = tuple(_box(w["box"], "evidence.witness.box", d))
    for i, (xi, (lo, hi)) in enumerate(zip(x, wbox)):
        if not lo < xi < hi:
            raise Invalid(
                f"evidence.witness.box[{i}]",
                f"x_{i} = {_show(xi)} is not strictly inside ({_show(lo)}, {_show(hi)})",
            )
    prop = propagate(ch.inet, wbox, {}, ch.k, ch.rule)
    ch.unfixed(prop, "evidence.witness.box", "witness")
    at_most(jacobian(ch.inet, prop), "evidence.witness", equal=True)
    ch.checked.append(f"witness region: ||A|| = L = {value_text}")
    zero = _Form((Fraction(0),) * d, (Fraction(0),) * m, Fraction(0))
    # rel "<" with phi = 0: an lp leaf proves that its pattern has no point in the domain
    goal = _Goal(box, rows, (), zero, "<")
    leaf = jacobian_leaves(ch, sys.modules[__name__], goal, at_most, limit)
    nodes = ch.walk(ev["proof"], "evidence.proof", box, leaf)
    where = "box" if not rows else f"box and its {len(rows)} input rows"
    ch.checked.append(f"every pattern meeting the {where} has ||A|| <= L: proof of {nodes} nodes")


def _other_class(value: object, m: int, label: int) -> int:
    """The witness's class ``evidence.class``: an output index other than the label."""
    j0 = _int(value, "evidence.class", 0, m)
    if j0 == label:
        raise Invalid("evidence.class", f"the class {j0} is the label itself")
    return j0


def _class_changes(net: ReLUNetwork, x: Sequence[Fraction], j0: int, label: int) -> None:
    """Check ``f_j0(x) >= f_label(x)`` exactly (ties count as a change of class)."""
    y = net(x)
    if y[j0] < y[label]:
        raise Invalid(
            "evidence.x",
            f"f_{j0}(x) = {_show(y[j0])} < f_{label}(x) = {_show(y[label])}: the class does not change",
        )


def _check_robustness(ch: _Checker, q: dict, verdict: str, evidence: Any) -> None:
    net = ch.net
    d, m = net.input_dim, net.output_dim
    x0 = _vector(q["x0"], "question.x0", d)
    label = _int(q["label"], "question.label", 0, m)
    norm = _text(q["norm"], "question.norm", ("linf", "l1"))
    ev = _obj(evidence, "evidence", ("radius", "x", "class", "proofs"))
    r = parse_rational(ev["radius"], "evidence.radius")
    if r < 0:
        raise Invalid("evidence.radius", f"negative radius {_show(r)}")
    x = _vector(ev["x"], "evidence.x", d)
    j0 = _other_class(ev["class"], m, label)
    dist = (
        max(abs(a - b) for a, b in zip(x, x0)) if norm == "linf" else sum(abs(a - b) for a, b in zip(x, x0))
    )
    if dist != r:
        raise Invalid("evidence.x", f"||x - x0|| = {_show(dist)}, not the radius {_show(r)}")
    _class_changes(net, x, j0, label)
    ch.checked.append(f"x at distance {_show(r)} has f_{j0} >= f_{label}")
    proofs = _obj(ev["proofs"], "evidence.proofs", tuple(str(j) for j in range(m) if j != label))
    e = 1 if norm == "linf" else d
    zero = Fraction(0)
    box = tuple([(a - r, a + r) for a in x0] + [(zero, r)] * e)
    rows = []
    for i in range(d):
        t = [zero] * e
        t[0 if norm == "linf" else i] = Fraction(-1)
        for sign in (1, -1):
            px = [zero] * d
            px[i] = Fraction(sign)
            rows.append(_Form(tuple(px + t), (zero,) * m, -sign * x0[i]))
    phi = _Form(tuple([zero] * d + [Fraction(-1)] * e), (zero,) * m, r)
    for j in range(m):
        if j == label:
            continue
        yq = [zero] * m
        yq[label] += 1
        yq[j] -= 1
        atom = _Form((zero,) * (d + e), tuple(yq), zero)
        nodes = ch.prove(proofs[str(j)], f"evidence.proofs.{j}", _Goal(box, tuple(rows), (atom,), phi, "<="))
        ch.checked.append(
            f"class {j}: no change of class within distance < {_show(r)}: proof of {nodes} nodes"
        )


def _check_robustness_l2(ch: _Checker, q: dict, verdict: str, evidence: Any) -> None:
    check_robustness_l2(ch, q, verdict, evidence, sys.modules[__name__])


_CLAIM_CHECKS = {
    "property": (
        ("disjuncts",),
        ("precision_bits", "bound_rule", "source"),
        ("sat", "unsat", "unknown"),
        _check_property,
    ),
    "output_range": (
        ("box", "objectives"),
        ("precision_bits", "bound_rule", "input_rows"),
        ("range",),
        _check_output_range,
    ),
    "lipschitz": (("box", "norm"), ("precision_bits", "bound_rule", "input_rows"), ("value",), _check_lipschitz),
    "robustness": (("x0", "label", "norm"), ("precision_bits", "bound_rule"), ("radius",), _check_robustness),
    # the exact squared l2 radius: relu_geom/verify/l2.py
    "robustness_l2": (("x0", "label", "norm"), ("precision_bits",), ("radius",), _check_robustness_l2),
}


def _check_search_claim(cert: dict, network: ReLUNetwork | None, state: dict[str, Any],
                        deadline: float | None) -> None:
    """A search claim (``docs/certificates.md``, "Search claims"): its rule in :mod:`.search_claims`."""
    claim = cert["claim"]
    state["verdict"] = cert.get("verdict") if isinstance(cert.get("verdict"), str) else None
    try:
        net = search_claims.embedded_network(cert)
        if network is not None and network != net:
            raise Invalid("network", "differs from the network given to the checker")
        lines = search_claims.CHECKERS[claim](cert)
    except search_claims.CheckFailure as exc:
        raise Invalid(exc.path, exc.reason) from None
    ch = _Checker(net, 32, deadline)
    ch.checked.append(f"format {FORMAT}, claim {claim}, network {list(net.architecture)} with its SHA-256")
    if network is not None:
        ch.checked.append("the embedded network equals the given one")
    ch.checked.extend(lines)
    state["checker"] = ch


def _check(cert: Any, network: ReLUNetwork | Sequence[ReLUNetwork] | None, state: dict[str, Any], deadline: float | None) -> None:
    """Run every check; ``state`` receives the claim, the verdict and the checker as they are known."""
    if isinstance(cert, dict) and cert.get("claim") in search_claims.CHECKERS:
        state["claim"] = cert["claim"]
        if cert.get("format") != FORMAT:
            raise Invalid("format", f"expected {FORMAT!r}, got {_kind(cert.get('format'))}")
        one = network[0] if isinstance(network, Sequence) and len(network) == 1 else network
        _check_search_claim(cert, one if isinstance(one, ReLUNetwork) or one is None else None, state, deadline)
        return
    top = _obj(
        cert,
        "certificate",
        ("format", "claim", "question", "verdict", "evidence", "network_sha256"),
        ("network", "networks", "producer"),
    )
    claim = top["claim"]
    if top["format"] != FORMAT and not (top["format"] == FORMAT_STRICT and claim == "property"):
        also = f" (or {FORMAT_STRICT!r} for a property)" if claim == "property" else ""
        raise Invalid("format", f"expected {FORMAT!r}{also}, got {_kind(top['format'])}")
    state["claim"] = claim if isinstance(claim, str) else None
    if not isinstance(claim, str) or claim not in CLAIMS:
        known = ", ".join((*CLAIMS, *search_claims.CHECKERS))
        raise Invalid("claim", f"this checker verifies the claims {known}; got {_kind(claim)}")
    state["verdict"] = top["verdict"] if isinstance(top["verdict"], str) else None
    if "network" not in top:
        raise Invalid("certificate", f"missing key 'network' (a {claim} certificate embeds one network)")
    if "networks" in top and claim != "property":
        raise Invalid("networks", f"a {claim} certificate embeds one network, under 'network'")
    net, canon = _network(top)
    digest = network_sha256(canon)
    if top["network_sha256"] != digest:
        raise Invalid("network_sha256", f"does not match the embedded network (its SHA-256 is {digest})")
    if isinstance(network, ReLUNetwork) and isinstance(top.get("networks"), list) and len(top["networks"]) == 1:
        network = [network]  # a query over one network with hidden tensors
    given = list(network) if network is not None and not isinstance(network, ReLUNetwork) else None
    if given is not None and "networks" not in top:
        if len(given) != 1:
            raise Invalid("network", f"the certificate is about one network, {len(given)} were given")
        network = given[0]
    stack = [] if "networks" not in top else check_networks(top["networks"], net, given, _network, network_sha256)
    if "networks" in top and isinstance(network, ReLUNetwork):
        raise Invalid("networks", "the certificate is about several networks: give them all, in order")
    if isinstance(network, ReLUNetwork) and network != net:
        raise Invalid("network", "differs from the network given to the checker")
    required, optional, verdicts, check = _CLAIM_CHECKS[claim]
    question = _obj(top["question"], "question", required, optional)
    verdict = _text(top["verdict"], "verdict", verdicts)
    k = (
        _int(question["precision_bits"], "question.precision_bits", 0, MAX_PRECISION_BITS + 1)
        if "precision_bits" in question
        else 32
    )
    rule = (
        _text(question["bound_rule"], "question.bound_rule", ("forward", "backward"))
        if "bound_rule" in question
        else "forward"
    )
    ch = _Checker(net, k, deadline, rule)
    ch.checked.append(f"format {top['format']}, claim {claim}, network {list(net.architecture)} with its SHA-256")
    ch.checked.extend(stack)
    if isinstance(network, ReLUNetwork):
        ch.checked.append("the embedded network equals the given one")
    state["checker"] = ch
    if claim == "property":
        _check_property(ch, question, verdict, top["evidence"], strict_ok=top["format"] == FORMAT_STRICT)
    else:
        check(ch, question, verdict, top["evidence"])


def verify_certificate(
    cert: object,
    network: ReLUNetwork | Sequence[ReLUNetwork] | None = None,
    *,
    max_seconds: float | None = None,
) -> VerificationReport:
    """Check a ``relu-geom/certificate@1`` certificate from scratch, exactly.

    Parameters
    ----------
    cert
        The certificate: a dict (parsed JSON), a JSON text, or a path to a JSON file.
    network
        Optional: the network the certificate must be about (it must equal the
        embedded network exactly); for a property of several networks, the sequence of
        them (one per listed network not marked ``equal_to``, in order).
    max_seconds
        Optional time limit for walking the proof trees.

    Returns
    -------
    VerificationReport
        ``valid`` and, if not, the first failing step (a JSON path and a reason).
        A certificate with verdict ``"unknown"`` is never valid (nothing to verify).

    Raises
    ------
    FileFormatError
        A missing or unreadable file, or text that is not JSON.
    LimitExceededError
        A certificate larger than 1 GiB, or ``max_seconds`` reached (no verdict).

    Notes
    -----
    Every other defect (wrong types, JSON floats, over-long numbers, wrong numbers)
    makes the report invalid, naming its JSON path.  Proof trees are walked
    iteratively, so any depth is fine.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.verify.checker import network_sha256
    >>> net = {"weights": [[["1"]]], "biases": [["0"]]}          # f(x) = x
    >>> cert = {"format": "relu-geom/certificate@1", "claim": "output_range",
    ...         "network": net, "network_sha256": network_sha256(net),
    ...         "question": {"box": [[0, 1]], "objectives": [{"y": [1]}]},
    ...         "verdict": "range",
    ...         "evidence": {"ranges": [{"min": 0, "argmin": [0], "min_proof": {"leaf": "bound", "mu": []},
    ...                                  "max": 1, "argmax": [1], "max_proof": {"leaf": "bound", "mu": []}}]}}
    >>> rg.verify_certificate(cert).valid
    True
    >>> cert["evidence"]["ranges"][0]["max"] = "1/2"
    >>> print(rg.verify_certificate(cert).first_failure)
    evidence.ranges[0].argmax: the objective there is 1, not 1/2
    """
    data, _ = load_certificate(cert)
    state: dict[str, Any] = {"claim": None, "verdict": None, "checker": None}
    failure = None
    try:
        deadline = None if max_seconds is None else time.monotonic() + max_seconds
        _check(data, network, state, deadline)
    except Invalid as exc:
        failure = Failure(exc.path, exc.reason)
    except LimitExceededError:
        raise
    except (ReluGeomError, ArithmeticError, ValueError, TypeError, RecursionError) as exc:
        # never accept what could not be checked; a defect of the checker shows in the reason
        failure = Failure("certificate", f"could not be checked ({type(exc).__name__}: {exc})")
    ch: _Checker | None = state["checker"]
    unknown = failure is None and state["verdict"] == "unknown"
    if unknown:
        assert ch is not None  # a verdict was read, so the checker was made
        ch.checked.append("unknown: nothing to verify")
    return VerificationReport(
        valid=failure is None and not unknown,
        verdict=state["verdict"],
        claim=state["claim"],
        first_failure=failure,
        n_nodes=ch.n_nodes if ch else 0,
        leaves=tuple(ch.leaves.items()) if ch else tuple((k, 0) for k in LEAF_KINDS),
        checked=tuple(ch.checked) if ch else (),
    )
