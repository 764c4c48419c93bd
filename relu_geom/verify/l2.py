"""The checker of the ``robustness_l2`` claim: the exact squared l2 robustness radius.

The claim: ``r2 = min { ||x - x0||^2 : f_j(x) >= f_c(x) for some j != c }``.  The checker
re-evaluates the nearest point exactly (its squared distance is ``r2`` and its class changes,
so ``r2`` is an upper bound) and walks the proof tree over the box ``x0 ± s`` with its own
bound rule (:mod:`relu_geom.verify.bounds`): every leaf is empty by the rule or has every
neuron in a phase, and then carries, for every class ``j != c``, multipliers ``lam >= 0`` of
the rows ``A x <= b`` of the leaf (the phase rows ``-sigma z(x) <= 0``, the atom
``f_c(x) - f_j(x) <= 0`` under the pattern, the leaf box) with
``lam.(A x0 - b) - ||A^T lam||^2 / 4 >= r2``.  That quantity is a lower bound of
``||x - x0||^2`` on the leaf's polyhedron (weak duality of the projection problem), so no
point of the box closer than ``r2`` changes class; points outside the box are at squared
distance at least ``s^2 >= r2``.  It imports only what :mod:`relu_geom.verify.checker` does
and receives the checker's decoding helpers as an argument (no import cycle).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from relu_geom.verify._json import Invalid, JsonPath, parse_rational
from relu_geom.verify.bounds import output_form, propagate

__all__ = ["check_robustness_l2"]


def _dot(u, v) -> Fraction:
    return sum((a * b for a, b in zip(u, v)), Fraction(0))


def check_robustness_l2(ch: Any, q: dict, verdict: str, evidence: Any, c: Any) -> None:
    """Check a ``robustness_l2`` certificate (``ch`` is the checker's state: network, limits,
    counts; ``c`` the checker module, whose JSON decoding helpers are used)."""
    net = ch.net
    d, m = net.input_dim, net.output_dim
    x0 = c._vector(q["x0"], "question.x0", d)
    label = c._int(q["label"], "question.label", 0, m)
    c._text(q["norm"], "question.norm", ("l2",))
    ev = c._obj(evidence, "evidence", ("radius_squared", "x", "class", "half_width", "proof"))
    r2 = parse_rational(ev["radius_squared"], "evidence.radius_squared")
    if r2 < 0:
        raise Invalid("evidence.radius_squared", f"negative squared radius {c._show(r2)}")
    x = c._vector(ev["x"], "evidence.x", d)
    j0 = c._other_class(ev["class"], m, label)
    dist = sum(((a - b) ** 2 for a, b in zip(x, x0)), Fraction(0))
    if dist != r2:
        raise Invalid("evidence.x", f"||x - x0||^2 = {c._show(dist)}, not the squared radius {c._show(r2)}")
    c._class_changes(net, x, j0, label)
    ch.checked.append(f"x at squared distance {c._show(r2)} has f_{j0} >= f_{label}")
    if r2 == 0:
        ch.checked.append("squared radius 0: nothing closer to prove")
        return
    s = parse_rational(ev["half_width"], "evidence.half_width")
    if s * s < r2:
        raise Invalid("evidence.half_width", f"s^2 = {c._show(s * s)} < r2: points outside the box could be closer")
    box = tuple((a - s, a + s) for a in x0)
    nodes = ch.walk(
        ev["proof"], "evidence.proof", box, lambda node, path, b, fixed: _leaf(ch, c, node, path, b, fixed, x0, label, r2)
    )
    ch.checked.append(
        f"every point of the box x0 ± {c._show(s)} of another class is at squared distance >= r2: "
        f"proof of {nodes} nodes"
    )


def _leaf(ch: Any, c: Any, node: dict, path: JsonPath, box, fixed, x0, label: int, r2: Fraction) -> None:
    c._obj(node, path, ("leaf", "lambda"))
    c._text(node["leaf"], (path, ".leaf"), ("qp",))
    prop = propagate(ch.inet, box, fixed, ch.k)
    ch.leaves.setdefault("qp", 0)
    if prop.empty:
        ch.leaves["empty"] += 1
        return
    ch.unfixed(prop, path, "qp")
    net = ch.net
    d, m = net.input_dim, net.output_dim
    lam_all = c._obj(node["lambda"], (path, ".lambda"), tuple(str(j) for j in range(m) if j != label))
    zero = [Fraction(0)] * d
    for j in range(m):
        if j == label:
            continue
        lpath = (path, f".lambda.{j}")
        lam = c._obj(lam_all[str(j)], lpath, (), ("phase", "atom", "lower", "upper"))
        w = [Fraction(0)] * d  # sum lam_i a_i
        beta = Fraction(0)  # sum lam_i (a_i.x0 - b_i)
        seen = set()
        for i, entry in enumerate(c._list(lam.get("phase", []), (lpath, ".phase"))):
            epath = (lpath, f".phase[{i}]")
            pair = c._list(entry, epath, 2)
            layer, k = ch.neuron(pair[0], (epath, "[0]"))
            if (layer, k) in seen:
                raise Invalid(epath, f"neuron {[layer, k]} given twice")
            seen.add((layer, k))
            mu = c._nonneg(pair[1], (epath, "[1]"))
            forms, den = prop.pre[layer - 1]
            z = forms[k]
            sigma = prop.phases[layer - 1][k]
            # row: -sigma z(x) <= 0, z(x) = (z[0] + sum z[i+1] x_i) / den
            a = [Fraction(-sigma * z[i + 1], den) for i in range(d)]
            const = Fraction(-sigma * z[0], den)  # a.x + const <= 0
            w = [u + mu * v for u, v in zip(w, a)]
            beta += mu * (_dot(a, x0) + const)
        mu = c._nonneg(lam.get("atom", "0"), (lpath, ".atom"))
        if mu:
            yq = [Fraction(0)] * m
            yq[label] += 1
            yq[j] -= 1
            a, const = output_form(ch.inet, prop, zero, yq, Fraction(0))  # f_c - f_j, exact here
            w = [u + mu * v for u, v in zip(w, a)]
            beta += mu * (_dot(a, x0) + const)
        for side in ("lower", "upper"):
            used = set()
            for i, entry in enumerate(c._list(lam.get(side, []), (lpath, f".{side}"))):
                epath = (lpath, f".{side}[{i}]")
                pair = c._list(entry, epath, 2)
                k = c._int(pair[0], (epath, "[0]"), 0, d)
                if k in used:
                    raise Invalid(epath, f"coordinate {k} given twice")
                used.add(k)
                mu = c._nonneg(pair[1], (epath, "[1]"))
                lo, hi = box[k]
                # lower: lo - x_k <= 0; upper: x_k - hi <= 0
                sign = -1 if side == "lower" else 1
                w[k] += mu * sign
                beta += mu * (sign * x0[k] - (sign * lo if side == "lower" else hi))
        bound = beta - _dot(w, w) / 4
        if bound < r2:
            raise Invalid(
                lpath, f"the dual bound is {c._show(bound)} < r2 = {c._show(r2)} for class {j} on this leaf"
            )
    ch.leaves["qp"] += 1
