"""``relu-geom/certificate@1`` certificates for search hits (claims in ``docs/certificates.md``).

Evidence is built so that :mod:`relu_geom.verify.search_claims` can replay it with exact
evaluation alone:

- *pattern boxes* (regions, pieces): a point ``x`` strictly inside a box on which the
  activation pattern is fixed (every pre-activation, an exact affine form once the earlier
  layers are fixed, is > 0, < 0 or identically 0 on the box);
- *pattern trees* (equivalence, hidden symmetry, fewer neurons): a tree of neuron splits
  over both networks whose leaves either fix every neuron (then the two affine maps must
  be equal) or carry a Farkas certificate that the leaf has empty interior.  The
  multipliers come from an exact LP (pycddlib, GMP rationals).

Examples
--------
>>> import relu_geom as rg
>>> cert = rg.build_certificate(rg.regions_at_least(3), rg.zoo.hat_1d())
>>> cert["claim"], len(cert["evidence"]["points"])
('regions_at_least', 4)
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from relu_geom.arith.rational import format_rational
from relu_geom.errors import InvalidInputError, LimitExceededError
from relu_geom.network import ReLUNetwork
from relu_geom.network.transforms import require_network
from relu_geom.search.properties import Property, Verdict, _region_points, require_property

__all__ = ["build_certificate", "network_sha256", "pattern_box", "pattern_cover", "pattern_tree", "write_certificate"]

FORMAT = "relu-geom/certificate@1"
Form = tuple[tuple[Fraction, ...], Fraction]  # coefficients on x, constant


def _q(v: Fraction) -> str:
    return f"{v.numerator}/{v.denominator}" if v.denominator != 1 else str(v.numerator)


def _vec(v: Sequence[Fraction]) -> list[int | str]:
    return [format_rational(Fraction(x)) for x in v]


def network_sha256(net: ReLUNetwork) -> str:
    """SHA-256 of the network JSON with sorted keys, compact separators, rationals as ``"p/q"``/``"p"``."""
    obj = net.to_dict()
    obj["weights"] = [[[_q(v) for v in row] for row in w] for w in net.weights]
    obj["biases"] = [[_q(v) for v in b] for b in net.biases]
    return hashlib.sha256(json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


# ---------------------------------------------------------------- pattern boxes
def _box_pattern(net: ReLUNetwork, box: Sequence[tuple[Fraction, Fraction]]) -> tuple[int, ...] | None:
    """Signs fixed on the whole box (exact affine forms layer by layer), or None."""
    d = net.input_dim
    forms: list[Form] = [(tuple(Fraction(int(i == j)) for j in range(d)), Fraction(0)) for i in range(d)]
    signs = []
    for w, b in zip(net.weights[:-1], net.biases[:-1]):
        new = []
        for row, bi in zip(w, b):
            a = tuple(sum((wk * f[0][j] for wk, f in zip(row, forms)), Fraction(0)) for j in range(d))
            c = sum((wk * f[1] for wk, f in zip(row, forms)), bi)
            lo = c + sum(aj * (box[j][0] if aj > 0 else box[j][1]) for j, aj in enumerate(a))
            hi = c + sum(aj * (box[j][1] if aj > 0 else box[j][0]) for j, aj in enumerate(a))
            if lo > 0:
                signs.append(1)
                new.append((a, c))
            elif hi < 0 or (not any(a) and c == 0):
                signs.append(-1 if hi < 0 else 0)
                new.append((tuple(Fraction(0) for _ in range(d)), Fraction(0)))
            else:
                return None
        forms = new
    return tuple(signs)


def pattern_box(net: ReLUNetwork, x: Sequence[Fraction], *, max_halvings: int = 64) -> list[tuple[Fraction, Fraction]] | None:
    """A box ``x ± 2^-k`` on which the activation pattern is fixed (smallest ``k``), or None."""
    r = Fraction(1)
    for _ in range(max_halvings):
        box = [(xi - r, xi + r) for xi in x]
        if _box_pattern(net, box) is not None:
            return box
        r /= 2
    return None


def _box_points(net: ReLUNetwork, points: Sequence[Sequence[Fraction]]) -> list[dict[str, Any]]:
    out = []
    for x in points:
        box = pattern_box(net, x)
        if box is not None:
            out.append({"x": _vec(x), "box": [_vec(p) for p in box]})
    return out


def _piece_boxes(net: ReLUNetwork, domain: Any) -> list[dict[str, Any]]:
    """One pattern box per distinct affine map of the regions (in region order)."""
    from relu_geom.search.properties import _affine_map

    seen: dict[Any, dict[str, Any]] = {}
    for x in _region_points(net, domain):
        got = _box_points(net, [x])
        if got:
            seen.setdefault(_affine_map(net, x), got[0])
    return list(seen.values())


# ---------------------------------------------------------------- pattern trees
def _forms(net: ReLUNetwork, phases: dict[tuple[int, int], int], upto: int) -> list[list[Form]]:
    """Affine forms of the pre-activations of layers 1..upto (layers < upto fully fixed)."""
    d = net.input_dim
    post: list[Form] = [(tuple(Fraction(int(i == j)) for j in range(d)), Fraction(0)) for i in range(d)]
    out = []
    for layer in range(1, upto + 1):
        w, b = net.weights[layer - 1], net.biases[layer - 1]
        pre = []
        for row, bi in zip(w, b):
            a = tuple(sum((wk * f[0][j] for wk, f in zip(row, post)), Fraction(0)) for j in range(d))
            c = sum((wk * f[1] for wk, f in zip(row, post)), bi)
            pre.append((a, c))
        out.append(pre)
        if layer <= net.depth:
            zero: Form = (tuple(Fraction(0) for _ in range(d)), Fraction(0))
            post = [f if phases.get((layer, j), 1) > 0 else zero for j, f in enumerate(pre)]
    return out


def _lp_interior(rows: list[Form], d: int) -> tuple[bool, list[Fraction]]:
    """Is ``{x : g(x) < 0 for every row}`` non-empty?  Else Farkas multipliers (exact LP)."""
    import cdd
    import cdd.gmp

    # maximize t subject to g_i(x) + t <= 0, t <= 1; cdd rows [b, -A] mean b - A v >= 0
    mat = [[-c, *(-aj for aj in a), Fraction(-1)] for a, c in rows]
    mat.append([Fraction(1), *([Fraction(0)] * d), Fraction(-1)])
    obj = [Fraction(0), *([Fraction(0)] * d), Fraction(1)]
    lp = cdd.gmp.linprog_from_array([*mat, obj], obj_type=cdd.LPObjType.MAX)
    cdd.gmp.linprog_solve(lp)
    if lp.status != cdd.LPStatusType.OPTIMAL:  # pragma: no cover - bounded by t <= 1, feasible for t << 0
        raise LimitExceededError(f"pattern tree: the exact LP ended with status {lp.status}")
    if lp.obj_value > 0:
        return True, []
    lam = [Fraction(0)] * len(rows)
    for i, v in lp.dual_solution:
        if i < len(rows):
            lam[i] = Fraction(v)
    return False, lam


def pattern_tree(f: ReLUNetwork, g: ReLUNetwork, *, domain: Sequence[tuple[Fraction, Fraction]] | None = None,
                 max_nodes: int = 200_000) -> dict[str, Any]:
    """A pattern tree proving ``f == g`` on ``domain`` (R^d when None); raises if they differ.

    Neurons are named ``["f", l, j]`` / ``["g", l, j]`` and split in the order: layer 1 of
    both, layer 2 of both, ...  A child whose constraint set has empty interior becomes
    ``{"leaf": "empty", "lambda": ...}``; a node with every neuron fixed becomes
    ``{"leaf": "pattern"}`` after checking that the two affine maps agree.
    """
    return _tree({"f": f, "g": g}, domain, max_nodes, lambda phases: _check_leaf(f, g, phases))


def pattern_cover(net: ReLUNetwork, *, max_nodes: int = 200_000) -> dict[str, Any]:
    """A pattern tree over the neurons ``["f", l, j]`` of one network covering R^d.

    Its pattern leaves are the activation patterns with non-empty interior (exact LP);
    the others are empty leaves with their Farkas multipliers.
    """
    return _tree({"f": net}, None, max_nodes, None)


def _tree(nets: dict[str, ReLUNetwork], domain: Sequence[tuple[Fraction, Fraction]] | None, max_nodes: int,
          leaf: Any) -> dict[str, Any]:
    d = next(iter(nets.values())).input_dim
    depth = max(net.depth for net in nets.values())
    order = [(name, layer, j) for layer in range(1, depth + 1)
             for name, net in nets.items() if layer <= net.depth
             for j in range(net.hidden_widths[layer - 1])]
    box_rows: list[Form] = []
    for i, (lo, hi) in enumerate(domain or []):
        e = tuple(Fraction(int(k == i)) for k in range(d))
        box_rows.append((e, -hi))
        box_rows.append((tuple(-v for v in e), lo))
    count = 0

    def rows_of(phases: dict[tuple[str, int, int], int]) -> tuple[list[Form], list[Any]]:
        rows, names = [], []
        for name, net in nets.items():
            ph = {(layer, j): s for (nm, layer, j), s in phases.items() if nm == name}
            top = max((layer for (layer, _) in ph), default=0)
            if not top:
                continue
            forms = _forms(net, ph, top)
            for (layer, j), s in ph.items():
                a, c = forms[layer - 1][j]
                if any(a) or c:
                    rows.append((tuple(-s * v for v in a), -s * c))
                    names.append([name, layer, j])
        return rows, names

    def build(phases: dict[tuple[str, int, int], int], k: int) -> dict[str, Any]:
        nonlocal count
        count += 1
        if count > max_nodes:
            raise LimitExceededError(f"pattern tree: more than {max_nodes} nodes")
        if k == len(order):
            if leaf is not None:
                leaf(phases)
            return {"leaf": "pattern"}
        name, layer, j = order[k]
        children = []
        for s in (-1, 1):
            ph = {**phases, (name, layer, j): s}
            rows, names = rows_of(ph)
            inside, lam = _lp_interior(rows + box_rows, d)
            if inside:
                children.append(build(ph, k + 1))
            else:
                children.append(_empty_leaf(names, lam, len(rows)))
        return {"split": {"neuron": [name, layer, j]}, "children": children}

    return build({}, 0)


def _empty_leaf(names: list[Any], lam: list[Fraction], n_phase: int) -> dict[str, Any]:
    return {
        "leaf": "empty",
        "lambda": {
            "phase": [[names[i], format_rational(v)] for i, v in enumerate(lam[:n_phase]) if v],
            "input": [[i, format_rational(v)] for i, v in enumerate(lam[n_phase:]) if v],
        },
    }


def _check_leaf(f: ReLUNetwork, g: ReLUNetwork, phases: dict[tuple[str, int, int], int]) -> None:
    maps = []
    for name, net in (("f", f), ("g", g)):
        ph = {(layer, j): s for (nm, layer, j), s in phases.items() if nm == name}
        maps.append(_forms(net, ph, net.depth + 1)[-1])
    if maps[0] != maps[1]:
        raise InvalidInputError("pattern tree: the two networks differ on a full-dimensional leaf")


# ---------------------------------------------------------------- bends across a hyperplane
def _coordinates(w: Sequence[Fraction], c: Fraction) -> tuple[int, list[Form]]:
    """``H = {w.x + c = 0}`` as ``x = x0 + U t``, ``t`` = ``x`` without its first coordinate ``k`` with ``w_k != 0``."""
    k = next(i for i, v in enumerate(w) if v)
    others = [i for i in range(len(w)) if i != k]
    return k, [(tuple(-w[i] / w[k] for i in others), -c / w[k]) if r == k
               else (tuple(Fraction(int(i == r)) for i in others), Fraction(0)) for r in range(len(w))]


def _on_hyperplane(net: ReLUNetwork, w: Sequence[Fraction], c: Fraction) -> ReLUNetwork:
    """``t -> f(x0 + U t)``: the network restricted to the hyperplane (one input fewer)."""
    _, param = _coordinates(w, c)
    n = len(param[0][0])
    w1 = [[sum((row[r] * param[r][0][i] for r in range(len(row))), Fraction(0)) for i in range(n)]
          for row in net.weights[0]]
    b1 = [sum((row[r] * param[r][1] for r in range(len(row))), b) for row, b in zip(net.weights[0], net.biases[0])]
    return ReLUNetwork([w1, *net.weights[1:]], [b1, *net.biases[1:]])


def _jump(net: ReLUNetwork, signs: Sequence[int], n: Sequence[Fraction]) -> tuple[Fraction, ...]:
    """One-sided derivatives ``D_n f + D_{-n} f`` at a point with these hidden signs (0: vanishing there)."""
    out = [Fraction(0)] * net.output_dim
    for direction in (list(n), [-v for v in n]):
        a, pos = direction, 0
        for w in net.weights[:-1]:
            nxt = []
            for row in w:
                z = sum((wi * ai for wi, ai in zip(row, a)), Fraction(0))
                s = signs[pos]
                pos += 1
                nxt.append(z if s > 0 else max(z, Fraction(0)) if s == 0 else Fraction(0))
            a = nxt
        out = [o + sum((wi * ai for wi, ai in zip(row, a)), Fraction(0)) for o, row in zip(out, net.weights[-1])]
    return tuple(out)


def _hyperplane_point(net: ReLUNetwork, w: Sequence[Fraction], c: Fraction,
                      x: Sequence[Fraction]) -> tuple[dict[str, Any], tuple[Fraction, ...]] | None:
    """Evidence ``{x, box}`` for a point of the hyperplane (box in its coordinates ``t``) and the jump there."""
    k, _ = _coordinates(w, c)
    restricted = _on_hyperplane(net, w, c)
    t = [v for i, v in enumerate(x) if i != k]
    box = pattern_box(restricted, t)
    if box is None:
        return None
    signs = _box_pattern(restricted, box)
    assert signs is not None
    return {"x": _vec(x), "box": [_vec(b) for b in box]}, _jump(net, signs, w)


def _depth_two_points(net: ReLUNetwork, witness: Any) -> dict[str, Any]:
    """Two points of the witness hyperplane near its ridge with different jumps across it."""
    a, b = witness.hyperplane[:-1], witness.hyperplane[-1]
    w, c = [Fraction(v) for v in a], Fraction(-b)
    _, param = _coordinates(w, c)
    d = len(w)
    basis = [tuple(param[r][0][i] for r in range(d)) for i in range(d - 1)]
    dirs = [*basis, *(tuple(u + v for u, v in zip(p, q)) for p in basis for q in basis if p < q)]
    r = witness.point
    for e in range(1, 40):
        step = Fraction(1, 2**e)  # exact: every point found is checked exactly
        found: dict[tuple[Fraction, ...], dict[str, Any]] = {}
        for u in dirs:
            for sign in (1, -1):
                got = _hyperplane_point(net, w, c, [ri + sign * step * ui for ri, ui in zip(r, u)])
                if got is not None:
                    found.setdefault(got[1], got[0])
            if len(found) >= 2:
                return {"hyperplane": {"w": _vec(w), "c": format_rational(c)}, "points": list(found.values())[:2]}
    raise LimitExceededError("depth certificate: no two points with different jumps found near the witness ridge")


# ---------------------------------------------------------------- envelopes
def _envelope(claim: str, question: dict[str, Any], verdict: str, evidence: dict[str, Any],
              nets: dict[str, ReLUNetwork]) -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    try:
        producer = version("relu-geom")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        producer = "unknown"
    cert: dict[str, Any] = {"format": FORMAT, "claim": claim}
    if list(nets) == ["network"]:
        cert["network"] = nets["network"].to_dict()
        cert["network_sha256"] = network_sha256(nets["network"])
    else:
        cert["networks"] = {k: v.to_dict() for k, v in nets.items()}
        cert["networks_sha256"] = {k: network_sha256(v) for k, v in nets.items()}
    cert.update(question=question, verdict=verdict, evidence=evidence, producer={"relu_geom": producer})
    return cert


def _box_domain(domain: Any, d: int) -> list[tuple[Fraction, Fraction]] | None:
    if domain is None:
        return None
    from relu_geom.arith.rational import to_rational

    items = list(domain)
    if len(items) == 2 and not isinstance(items[0], (list, tuple)):
        items = [items] * d
    return [(to_rational(lo), to_rational(hi)) for lo, hi in items]


def build_certificate(prop: Property, net: ReLUNetwork, verdict: Verdict | None = None) -> dict[str, Any]:
    """The certificate of a hit ``net`` of ``prop`` (``docs/certificates.md``, "Search claims").

    Raises
    ------
    InvalidInputError
        When the property does not hold on ``net``.
    """
    require_property(prop)
    require_network(net)
    if verdict is not None and not isinstance(verdict, Verdict):
        raise InvalidInputError(f"verdict: expected a Verdict or None, got {type(verdict).__name__}")
    verdict = prop.decide(net) if verdict is None else verdict
    if not verdict.holds:
        raise InvalidInputError(f"net: property {prop.name} does not hold, nothing to certify")
    params = dict(prop.params)
    box = _box_domain(params.get("domain"), net.input_dim)
    dom = None if box is None else [_vec(p) for p in box]
    claim = prop.claim
    if claim in ("regions_at_least", "pieces_at_least"):
        domain = params.get("domain")
        ev = _box_points(net, _region_points(net, domain)) if claim == "regions_at_least" else _piece_boxes(net, domain)
        question = {"k": params["k"], "domain": dom}
        return _envelope(claim, question, "holds", {"points": ev}, {"network": net})
    if claim in ("equivalent", "hidden_symmetry", "fewer_neurons", "full_fdim_not_identifiable"):
        partner = verdict.evidence["partner"]
        tree = pattern_tree(net, partner, domain=box)
        question = {"domain": dom} if claim == "equivalent" else {}
        evidence: dict[str, Any] = {"proof": tree}
        if claim == "full_fdim_not_identifiable":
            evidence["sample"] = [_vec(x) for x in verdict.evidence["sample"]]
        return _envelope(claim, question, "holds", evidence, {"f": net, "g": partner})
    if claim == "functional_dimension_at_most":
        return _envelope(claim, {"k": params["k"]}, "holds", {"proof": pattern_cover(net)}, {"network": net})
    if claim == "depth_at_least":
        k = params["k"]
        if k == 1:
            evidence = {"points": _piece_boxes(net, None)[:2]}
        else:
            evidence = _depth_two_points(net, verdict.evidence["witness"])
        return _envelope(claim, {"k": k}, "holds", evidence, {"network": net})
    if claim == "first_layer_visibility":
        j, status = verdict.evidence["neuron"], verdict.evidence["status"]
        w, c = net.weights[0][j], net.biases[0][j]
        if status == "partial":
            found = [_hyperplane_point(net, w, c, x) for x in verdict.evidence["points"]]
            if any(p is None for p in found):  # pragma: no cover - interior points of facets have pattern boxes
                raise LimitExceededError("visibility certificate: no pattern box around a facet point")
            evidence = {"points": [p[0] for p in found if p is not None]}
        else:
            evidence = {"proof": pattern_cover(_on_hyperplane(net, w, c))} if net.input_dim > 1 else {}
        return _envelope(claim, {"neuron": j, "status": status}, "holds", evidence, {"network": net})
    # a user property: its verdict is the producer's word; the checker refuses the claim "user"
    evidence = {k: _jsonable(v) for k, v in verdict.evidence.items()}
    return _envelope(claim, {"property": prop.name}, "holds", {"value": _jsonable(verdict.value), **evidence},
                     {"network": net})


def _jsonable(v: Any) -> Any:
    if isinstance(v, ReLUNetwork):
        return v.to_dict()
    if isinstance(v, Fraction):
        return format_rational(v)
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return v


def write_certificate(prop: Property, net: ReLUNetwork, verdict: Verdict | None, path: str | os.PathLike[str]) -> dict[str, Any]:
    """Build the certificate and write it atomically to ``path``."""
    from relu_geom.compiler.complex import write_text_atomic

    cert = build_certificate(prop, net, verdict)
    write_text_atomic(path, json.dumps(cert, indent=1) + "\n")
    return cert
