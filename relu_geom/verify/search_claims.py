"""Independent checks of the search claims of ``relu-geom/certificate@1`` (docs/certificates.md).

This module imports only ``relu_geom.network``, ``relu_geom.arith``, ``relu_geom.errors``
and the standard library: it shares no code with :mod:`relu_geom.search`, which writes
the certificates.  ``CHECKERS[claim](cert)`` returns None when the certificate is valid
and raises :class:`CheckFailure` naming the first failing step.

Examples
--------
>>> import relu_geom as rg
>>> from relu_geom.verify.search_claims import CHECKERS, CheckFailure
>>> cert = rg.build_certificate(rg.regions_at_least(3), rg.zoo.hat_1d())
>>> CHECKERS["regions_at_least"](cert)
>>> cert["question"]["k"] = 5
>>> try:
...     CHECKERS["regions_at_least"](cert)
... except CheckFailure as exc:
...     print(exc.path)
question.k
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from relu_geom.arith.rational import to_rational
from relu_geom.errors import ReluGeomError
from relu_geom.network import ReLUNetwork

__all__ = ["CHECKERS", "CheckFailure"]

FORMAT = "relu-geom/certificate@1"
MAX_PERMUTATIONS = 100_000


class CheckFailure(ReluGeomError):
    """A certificate step that does not hold: ``path`` (JSON path) and ``reason``."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


# ------------------------------------------------------------------ reading
def _rat(v: Any, path: str) -> Fraction:
    if isinstance(v, bool) or isinstance(v, float) or not isinstance(v, (int, str)):
        raise CheckFailure(path, f"expected a rational (integer or string), got {v!r}")
    try:
        return to_rational(v, what=path)
    except ReluGeomError as exc:
        raise CheckFailure(path, str(exc)) from None


def _vector(v: Any, n: int, path: str) -> tuple[Fraction, ...]:
    if not isinstance(v, list) or len(v) != n:
        raise CheckFailure(path, f"expected a list of {n} rationals")
    return tuple(_rat(x, f"{path}[{i}]") for i, x in enumerate(v))


def _box(v: Any, n: int, path: str) -> list[tuple[Fraction, Fraction]]:
    if not isinstance(v, list) or len(v) != n:
        raise CheckFailure(path, f"expected a box of {n} [lo, hi] pairs")
    out = []
    for i, pair in enumerate(v):
        lo, hi = _vector(pair, 2, f"{path}[{i}]")
        if lo > hi:
            raise CheckFailure(f"{path}[{i}]", "lo > hi")
        out.append((lo, hi))
    return out


def _canonical_sha(obj: dict[str, Any], path: str) -> str:
    try:
        canon = dict(obj)
        canon["weights"] = [[[_q(_rat(v, path)) for v in row] for row in w] for w in obj["weights"]]
        canon["biases"] = [[_q(_rat(v, path)) for v in b] for b in obj["biases"]]
    except (KeyError, TypeError):
        raise CheckFailure(path, "not a network object") from None
    return hashlib.sha256(json.dumps(canon, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _q(v: Fraction) -> str:
    return f"{v.numerator}/{v.denominator}" if v.denominator != 1 else str(v.numerator)


def _network(obj: Any, sha: Any, path: str, sha_path: str) -> ReLUNetwork:
    if not isinstance(obj, dict) or obj.get("format") != "relu-geom/network@1":
        raise CheckFailure(path, "expected a relu-geom/network@1 object")
    if sha != _canonical_sha(obj, path):
        raise CheckFailure(sha_path, "does not match the SHA-256 of the network")
    try:
        weights = [[[_rat(v, path) for v in row] for row in w] for w in obj["weights"]]
        biases = [[_rat(v, path) for v in b] for b in obj["biases"]]
        net = ReLUNetwork(weights, biases)
    except (ReluGeomError, TypeError) as exc:
        raise CheckFailure(path, f"not a valid network: {exc}") from None
    if list(net.architecture) != obj.get("architecture"):
        raise CheckFailure(f"{path}.architecture", "does not match the weights")
    return net


def _envelope(cert: Any, claim: str) -> None:
    if not isinstance(cert, dict):
        raise CheckFailure("$", "a certificate is a JSON object")
    if cert.get("format") != FORMAT:
        raise CheckFailure("format", f"expected {FORMAT!r}")
    if cert.get("claim") != claim:
        raise CheckFailure("claim", f"expected {claim!r}")
    if cert.get("verdict") != "holds":
        raise CheckFailure("verdict", "expected 'holds'")
    for key in ("question", "evidence"):
        if not isinstance(cert.get(key), dict):
            raise CheckFailure(key, "expected an object")


def _one_network(cert: dict[str, Any]) -> ReLUNetwork:
    return _network(cert.get("network"), cert.get("network_sha256"), "network", "network_sha256")


def _two_networks(cert: dict[str, Any]) -> tuple[ReLUNetwork, ReLUNetwork]:
    nets, shas = cert.get("networks"), cert.get("networks_sha256")
    if not isinstance(nets, dict) or set(nets) != {"f", "g"} or not isinstance(shas, dict):
        raise CheckFailure("networks", "expected networks 'f' and 'g' and their networks_sha256")
    f = _network(nets["f"], shas.get("f"), "networks.f", "networks_sha256.f")
    g = _network(nets["g"], shas.get("g"), "networks.g", "networks_sha256.g")
    if (f.input_dim, f.output_dim) != (g.input_dim, g.output_dim):
        raise CheckFailure("networks", "f and g have different input or output dimensions")
    return f, g


# ------------------------------------------------------------------ exact forms
Form = tuple[tuple[Fraction, ...], Fraction]


def _affine_layers(net: ReLUNetwork, phase: Callable[[int, int, Form], int | None], path: str,
                   upto: int | None = None) -> list[list[Form]]:
    """Pre-activation forms of layers ``1..upto`` (default: through the output) along fixed phases.

    ``phase(l, j, form)`` returns +1 (the neuron passes its form), -1 or 0 (it outputs 0),
    or None (not fixed: a failure); it is asked only for layers below ``upto``.
    """
    d = net.input_dim
    upto = net.depth + 1 if upto is None else upto
    post: list[Form] = [(tuple(Fraction(int(i == k)) for k in range(d)), Fraction(0)) for i in range(d)]
    out = []
    for layer, (w, b) in enumerate(zip(net.weights[:upto], net.biases[:upto]), start=1):
        pre = []
        for row, bi in zip(w, b):
            a = tuple(sum((wk * p[0][k] for wk, p in zip(row, post)), Fraction(0)) for k in range(d))
            pre.append((a, sum((wk * p[1] for wk, p in zip(row, post)), bi)))
        out.append(pre)
        if layer < upto:
            new = []
            for j, form in enumerate(pre):
                s = phase(layer, j, form)
                if s is None:
                    raise CheckFailure(path, f"neuron [{layer}, {j}] has no fixed phase")
                new.append(form if s > 0 else (tuple(Fraction(0) for _ in range(d)), Fraction(0)))
            post = new
    return out


def _range(form: Form, box: list[tuple[Fraction, Fraction]]) -> tuple[Fraction, Fraction]:
    a, c = form
    lo = c + sum(ak * (box[k][0] if ak > 0 else box[k][1]) for k, ak in enumerate(a))
    hi = c + sum(ak * (box[k][1] if ak > 0 else box[k][0]) for k, ak in enumerate(a))
    return lo, hi


def _box_signs(
    net: ReLUNetwork, box: list[tuple[Fraction, Fraction]], path: str
) -> tuple[tuple[int, ...], tuple[Form, ...]]:
    """The sign vector, constant on the box, and the (first-output) ... affine map on it."""
    signs: list[int] = []

    def phase(layer: int, j: int, form: Form) -> int | None:
        lo, hi = _range(form, box)
        s = 1 if lo > 0 else -1 if hi < 0 else 0 if (not any(form[0]) and form[1] == 0) else None
        if s is not None:
            signs.append(s)
        return s

    layers = _affine_layers(net, phase, path)
    return tuple(signs), tuple(layers[-1])


def _pattern_points(cert: dict[str, Any], net: ReLUNetwork) -> list[tuple[tuple[int, ...], Any]]:
    q, ev = cert["question"], cert["evidence"]
    d = net.input_dim
    dom = None if q.get("domain") is None else _box(q["domain"], d, "question.domain")
    pts = ev.get("points")
    if not isinstance(pts, list):
        raise CheckFailure("evidence.points", "expected a list")
    out = []
    for i, p in enumerate(pts):
        path = f"evidence.points[{i}]"
        if not isinstance(p, dict):
            raise CheckFailure(path, "expected {x, box}")
        x = _vector(p.get("x"), d, f"{path}.x")
        box = _box(p.get("box"), d, f"{path}.box")
        if not all(lo < xi < hi for xi, (lo, hi) in zip(x, box)):
            raise CheckFailure(f"{path}.x", "not strictly inside its box")
        if dom is not None and not all(dlo <= xi <= dhi for xi, (dlo, dhi) in zip(x, dom)):
            raise CheckFailure(f"{path}.x", "outside the domain")
        out.append(_box_signs(net, box, f"{path}.box"))
    return out


def _k(cert: dict[str, Any], n: int) -> None:
    k = cert["question"].get("k")
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise CheckFailure("question.k", "expected a positive integer")
    if n < k:
        raise CheckFailure("question.k", f"only {n} distinct witnesses for k = {k}")


def check_regions_at_least(cert: dict[str, Any]) -> None:
    """Each point has a box with a constant sign vector; the sign vectors are pairwise distinct."""
    _envelope(cert, "regions_at_least")
    net = _one_network(cert)
    seen: dict[tuple[int, ...], int] = {}
    for i, (signs, _) in enumerate(_pattern_points(cert, net)):
        if signs in seen:
            raise CheckFailure(f"evidence.points[{i}]", f"same sign vector as point {seen[signs]}")
        seen[signs] = i
    _k(cert, len(seen))


def check_pieces_at_least(cert: dict[str, Any]) -> None:
    """Each point has a box with a fixed pattern; the affine maps there are pairwise distinct."""
    _envelope(cert, "pieces_at_least")
    net = _one_network(cert)
    seen: dict[Any, int] = {}
    for i, (_, amap) in enumerate(_pattern_points(cert, net)):
        if amap in seen:
            raise CheckFailure(f"evidence.points[{i}]", f"same affine map as point {seen[amap]}")
        seen[amap] = i
    _k(cert, len(seen))


# ------------------------------------------------------------------ pattern trees
def _check_tree(f: ReLUNetwork, g: ReLUNetwork, tree: Any, dom: list[tuple[Fraction, Fraction]] | None) -> None:
    """Every leaf: all neurons fixed and equal affine maps, or a Farkas proof of empty interior."""
    nets = {"f": f, "g": g}
    d = f.input_dim
    box_rows: list[Form] = []
    for i, (lo, hi) in enumerate(dom or []):
        e = tuple(Fraction(int(k == i)) for k in range(d))
        box_rows += [(e, -hi), (tuple(-v for v in e), lo)]
    stack: list[tuple[Any, dict[tuple[str, int, int], int], str]] = [(tree, {}, "evidence.proof")]
    nodes = 0
    while stack:
        node, phases, path = stack.pop()
        nodes += 1
        if nodes > 1_000_000:
            raise CheckFailure(path, "proof tree too large")
        if not isinstance(node, dict):
            raise CheckFailure(path, "expected a node object")
        if "split" in node:
            sp, ch = node.get("split"), node.get("children")
            neuron = sp.get("neuron") if isinstance(sp, dict) else None
            if not (isinstance(neuron, list) and len(neuron) == 3 and neuron[0] in nets
                    and all(isinstance(v, int) and not isinstance(v, bool) for v in neuron[1:])):
                raise CheckFailure(f"{path}.split", "expected {neuron: [\"f\"|\"g\", l, j]}")
            name, layer, j = neuron
            net = nets[name]
            if not (1 <= layer <= net.depth and 0 <= j < net.hidden_widths[layer - 1]):
                raise CheckFailure(f"{path}.split", f"no hidden neuron {neuron}")
            if (name, layer, j) in phases:
                raise CheckFailure(f"{path}.split", f"neuron {neuron} split twice on a path")
            if not all((name, lo, k) in phases for lo in range(1, layer) for k in range(net.hidden_widths[lo - 1])):
                raise CheckFailure(f"{path}.split", f"neuron {neuron} split before its earlier layers are fixed")
            if not (isinstance(ch, list) and len(ch) == 2):
                raise CheckFailure(f"{path}.children", "expected two children")
            for s, child, tag in ((-1, ch[0], 0), (1, ch[1], 1)):
                stack.append((child, {**phases, (name, layer, j): s}, f"{path}.children[{tag}]"))
            continue
        leaf = node.get("leaf")
        forms = {}
        for name, net in nets.items():
            ph = {(lay, k): s for (nm, lay, k), s in phases.items() if nm == name}
            upto = max((lay for lay, _ in ph), default=0) if leaf == "empty" else None
            forms[name] = _affine_layers(net, lambda lay, k, form, ph=ph: ph.get((lay, k)), f"{path}.leaf", upto)
        if leaf == "pattern":
            if forms["f"][-1] != forms["g"][-1]:
                raise CheckFailure(f"{path}.leaf", "the affine maps of f and g differ on this leaf")
        elif leaf == "empty":
            _check_empty(node.get("lambda"), phases, forms, box_rows, d, path)
        else:
            raise CheckFailure(f"{path}.leaf", "expected 'pattern' or 'empty'")


def _check_empty(lam: Any, phases: dict[tuple[str, int, int], int], forms: dict[str, Any], box_rows: list[Form],
                 d: int, path: str) -> None:
    if not isinstance(lam, dict):
        raise CheckFailure(f"{path}.lambda", "expected {phase: [...], input: [...]}")
    total_a = [Fraction(0)] * d
    total_c = Fraction(0)
    positive = False
    terms: list[tuple[Form, Fraction, str]] = []
    for i, item in enumerate(lam.get("phase", [])):
        p = f"{path}.lambda.phase[{i}]"
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], list) and len(item[0]) == 3):
            raise CheckFailure(p, "expected [[name, l, j], value]")
        key = tuple(item[0])
        if key not in phases:
            raise CheckFailure(p, f"neuron {item[0]} has no phase on this leaf")
        a, c = forms[key[0]][key[1] - 1][key[2]]
        s = phases[key]
        terms.append(((tuple(-s * v for v in a), -s * c), _rat(item[1], p), p))
    for i, item in enumerate(lam.get("input", [])):
        p = f"{path}.lambda.input[{i}]"
        if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], int) and 0 <= item[0] < len(box_rows)):
            raise CheckFailure(p, "expected [row, value] with a row of the domain box")
        terms.append((box_rows[item[0]], _rat(item[1], p), p))
    for (a, c), v, p in terms:
        if v < 0:
            raise CheckFailure(p, "negative multiplier")
        if v > 0 and (any(a) or c):
            positive = True
        total_a = [t + v * ak for t, ak in zip(total_a, a)]
        total_c += v * c
    if any(total_a):
        raise CheckFailure(f"{path}.lambda", "the combination is not constant in x")
    if total_c < 0 or not positive:
        raise CheckFailure(f"{path}.lambda", "the combination does not prove an empty interior")


def _proof(cert: dict[str, Any], f: ReLUNetwork, g: ReLUNetwork, dom: Any) -> None:
    _check_tree(f, g, cert["evidence"].get("proof"), dom)


def check_equivalent(cert: dict[str, Any]) -> None:
    """``f == g`` on the question's domain (a box, or R^d when null), by the pattern tree."""
    _envelope(cert, "equivalent")
    f, g = _two_networks(cert)
    dom = cert["question"].get("domain")
    _proof(cert, f, g, None if dom is None else _box(dom, f.input_dim, "question.domain"))


def _scalings_exist(f: ReLUNetwork, g: ReLUNetwork, perms: tuple[tuple[int, ...], ...]) -> bool:
    """Are there factors ``c > 0`` per hidden neuron with ``g = rescale_c(permute(f))``?

    Entry ``W_l[i][k]`` becomes ``W_l[i][k] c_{l,i} / c_{l-1,k}`` and ``b_l[i]`` becomes
    ``b_l[i] c_{l,i}`` (inputs and outputs have factor 1).  Each nonzero entry fixes a ratio
    between two factors: propagate from the fixed factor 1 and from one free neuron per
    remaining component, and require every ratio to agree.  Zero patterns must coincide.
    """
    L = f.depth
    order = [tuple(range(f.input_dim)), *perms, tuple(range(f.output_dim))]
    edges: dict[Any, list[tuple[Any, Fraction]]] = {}
    for li in range(1, L + 2):
        rows, cols = order[li], order[li - 1]
        for r, i in enumerate(rows):
            node = ("n", li, r) if li <= L else "one"
            terms = [(f.weights[li - 1][i][k], g.weights[li - 1][r][c], ("n", li - 1, c) if li > 1 else "one")
                     for c, k in enumerate(cols)]
            terms.append((f.biases[li - 1][i], g.biases[li - 1][r], "one"))
            for fv, gv, other in terms:
                if (fv == 0) != (gv == 0):
                    return False
                if fv == 0:
                    continue
                ratio = gv / fv
                if ratio <= 0:
                    return False
                edges.setdefault(node, []).append((other, ratio))  # c_node = ratio * c_other
                edges.setdefault(other, []).append((node, 1 / ratio))
    value: dict[Any, Fraction] = {}
    for start in ["one", *edges]:
        if start in value:
            continue
        value[start] = Fraction(1)
        stack = [start]
        while stack:
            u = stack.pop()
            for v, ratio in edges.get(u, []):
                want = value[u] / ratio
                if v not in value:
                    value[v] = want
                    stack.append(v)
                elif value[v] != want:
                    return False
    return True


def _related(f: ReLUNetwork, g: ReLUNetwork) -> bool:
    """Is g a permutation and positive rescaling of f?  (Exhaustive over within-layer permutations.)"""
    widths = f.hidden_widths
    if math.prod(math.factorial(n) for n in widths) > MAX_PERMUTATIONS:
        raise CheckFailure("networks", "too many permutations to compare")
    perms = itertools.product(*(itertools.permutations(range(n)) for n in widths))
    return any(_scalings_exist(f, g, p) for p in perms)


def check_hidden_symmetry(cert: dict[str, Any]) -> None:
    """``f == g`` on R^d (pattern tree), same architecture, and no permutation-and-rescaling maps f to g."""
    _envelope(cert, "hidden_symmetry")
    f, g = _two_networks(cert)
    if f.architecture != g.architecture:
        raise CheckFailure("networks", "f and g have different architectures")
    if _related(f, g):
        raise CheckFailure("networks", "g is a permutation and positive rescaling of f")
    _proof(cert, f, g, None)


def check_fewer_neurons(cert: dict[str, Any]) -> None:
    """``f == g`` on R^d (pattern tree); both have one hidden layer and g fewer neurons."""
    _envelope(cert, "fewer_neurons")
    f, g = _two_networks(cert)
    if f.depth != 1 or g.depth != 1:
        raise CheckFailure("networks", "f and g must have exactly one hidden layer")
    if g.n_hidden >= f.n_hidden:
        raise CheckFailure("networks.g", "g does not have fewer hidden neurons than f")
    _proof(cert, f, g, None)


CHECKERS: dict[str, Callable[[dict[str, Any]], None]] = {
    "regions_at_least": check_regions_at_least,
    "pieces_at_least": check_pieces_at_least,
    "equivalent": check_equivalent,
    "hidden_symmetry": check_hidden_symmetry,
    "fewer_neurons": check_fewer_neurons,
}
"""Claim name -> checker (raises :class:`CheckFailure` at the first failing step)."""
