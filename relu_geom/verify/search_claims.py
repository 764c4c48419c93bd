"""Independent checks of the search claims of ``relu-geom/certificate@1`` (docs/certificates.md).

This module imports only ``relu_geom.network``, ``relu_geom.arith``, ``relu_geom.errors``
and the standard library: it shares no code with :mod:`relu_geom.search`, which writes
the certificates.  ``CHECKERS[claim](cert)`` returns what it checked (lines of text) when
the certificate is valid and raises :class:`CheckFailure` naming the first failing step.
:func:`relu_geom.verify_certificate` dispatches every search claim here.

Examples
--------
>>> import relu_geom as rg
>>> from relu_geom.verify.search_claims import CHECKERS, CheckFailure
>>> cert = rg.build_certificate(rg.regions_at_least(3), rg.zoo.hat_1d())
>>> CHECKERS["regions_at_least"](cert)
['4 open boxes with pairwise distinct constant sign vectors: at least that many regions']
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

from relu_geom.errors import ReluGeomError
from relu_geom.network import ReLUNetwork
from relu_geom.verify._json import Invalid, parse_rational

__all__ = ["CHECKERS", "CheckFailure", "embedded_network"]

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
    try:
        return parse_rational(v, path)
    except Invalid as exc:
        raise CheckFailure(exc.path, exc.reason) from None


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


def _fixed_phases(ph: dict[tuple[int, int], int]) -> Callable[[int, int, Form], int | None]:
    """The ``phase`` argument of :func:`_affine_layers` reading fixed phases ``(layer, j) -> s``."""
    return lambda layer, j, form: ph.get((layer, j))


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


def check_regions_at_least(cert: dict[str, Any]) -> list[str]:
    """Each point has a box with a constant sign vector; the sign vectors are pairwise distinct."""
    _envelope(cert, "regions_at_least")
    net = _one_network(cert)
    seen: dict[tuple[int, ...], int] = {}
    for i, (signs, _) in enumerate(_pattern_points(cert, net)):
        if signs in seen:
            raise CheckFailure(f"evidence.points[{i}]", f"same sign vector as point {seen[signs]}")
        seen[signs] = i
    _k(cert, len(seen))
    return [f"{len(seen)} open boxes with pairwise distinct constant sign vectors: at least that many regions"]


def check_pieces_at_least(cert: dict[str, Any]) -> list[str]:
    """Each point has a box with a fixed pattern; the affine maps there are pairwise distinct."""
    _envelope(cert, "pieces_at_least")
    net = _one_network(cert)
    seen: dict[Any, int] = {}
    for i, (_, amap) in enumerate(_pattern_points(cert, net)):
        if amap in seen:
            raise CheckFailure(f"evidence.points[{i}]", f"same affine map as point {seen[amap]}")
        seen[amap] = i
    _k(cert, len(seen))
    return [f"{len(seen)} open boxes with pairwise distinct affine maps: at least that many linear pieces"]


# ------------------------------------------------------------------ pattern trees
PatternLeaf = Callable[[dict[tuple[str, int, int], int], dict[str, list[list[Form]]], str], None]


def _check_tree(nets: dict[str, ReLUNetwork], tree: Any, dom: list[tuple[Fraction, Fraction]] | None,
                on_pattern: PatternLeaf, path: str = "evidence.proof") -> int:
    """Walk a pattern tree over ``nets``; empty leaves need a Farkas proof, pattern leaves go to ``on_pattern``.

    ``on_pattern(phases, forms, path)`` gets the phases of every neuron on the path and,
    per network, the pre-activation forms of every layer (through the output) along them.
    Returns the number of pattern leaves.
    """
    d = next(iter(nets.values())).input_dim
    box_rows: list[Form] = []
    for i, (lo, hi) in enumerate(dom or []):
        e = tuple(Fraction(int(k == i)) for k in range(d))
        box_rows += [(e, -hi), (tuple(-v for v in e), lo)]
    stack: list[tuple[Any, dict[tuple[str, int, int], int], str]] = [(tree, {}, path)]
    nodes = patterns = 0
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
                raise CheckFailure(f"{path}.split", f"expected {{neuron: [name, l, j]}} with a name in {sorted(nets)}")
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
            forms[name] = _affine_layers(net, _fixed_phases(ph), f"{path}.leaf", upto)
        if leaf == "pattern":
            on_pattern(phases, forms, path)
            patterns += 1
        elif leaf == "empty":
            _check_empty(node.get("lambda"), phases, forms, box_rows, d, path)
        else:
            raise CheckFailure(f"{path}.leaf", "expected 'pattern' or 'empty'")
    return patterns


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


def _equal_maps(phases: Any, forms: dict[str, list[list[Form]]], path: str) -> None:
    if forms["f"][-1] != forms["g"][-1]:
        raise CheckFailure(f"{path}.leaf", "the affine maps of f and g differ on this leaf")


def _proof(cert: dict[str, Any], f: ReLUNetwork, g: ReLUNetwork, dom: Any) -> int:
    return _check_tree({"f": f, "g": g}, cert["evidence"].get("proof"), dom, _equal_maps)


def check_equivalent(cert: dict[str, Any]) -> list[str]:
    """``f == g`` on the question's domain (a box, or R^d when null), by the pattern tree."""
    _envelope(cert, "equivalent")
    f, g = _two_networks(cert)
    dom = cert["question"].get("domain")
    n = _proof(cert, f, g, None if dom is None else _box(dom, f.input_dim, "question.domain"))
    return [f"f = g on {'R^d' if dom is None else 'the box'}: pattern tree with {n} pattern leaves"]


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


def _hidden_partner(cert: dict[str, Any]) -> tuple[ReLUNetwork, ReLUNetwork, list[str]]:
    f, g = _two_networks(cert)
    if f.architecture != g.architecture:
        raise CheckFailure("networks", "f and g have different architectures")
    if _related(f, g):
        raise CheckFailure("networks", "g is a permutation and positive rescaling of f")
    n = _proof(cert, f, g, None)
    return f, g, [
        "g is no within-layer permutation and positive rescaling of f (every permutation tried)",
        f"f = g on R^d: pattern tree with {n} pattern leaves",
    ]


def check_hidden_symmetry(cert: dict[str, Any]) -> list[str]:
    """``f == g`` on R^d (pattern tree), same architecture, and no permutation-and-rescaling maps f to g."""
    _envelope(cert, "hidden_symmetry")
    return _hidden_partner(cert)[2]


def check_fewer_neurons(cert: dict[str, Any]) -> list[str]:
    """``f == g`` on R^d (pattern tree); both have one hidden layer and g fewer neurons."""
    _envelope(cert, "fewer_neurons")
    f, g = _two_networks(cert)
    if f.depth != 1 or g.depth != 1:
        raise CheckFailure("networks", "f and g must have exactly one hidden layer")
    if g.n_hidden >= f.n_hidden:
        raise CheckFailure("networks.g", "g does not have fewer hidden neurons than f")
    n = _proof(cert, f, g, None)
    return [f"f = g on R^d with {g.n_hidden} < {f.n_hidden} hidden neurons: pattern tree with {n} pattern leaves"]


# ------------------------------------------------------------------ parameter Jacobians and ranks
def _coefficient_rows(net: ReLUNetwork, active: list[list[bool]], pre: list[list[Form]]) -> list[list[Fraction]]:
    """The ``m (d + 1)`` coefficient rows of ``x -> d f_theta(x) / d theta`` with the pattern frozen.

    Parameters in the order ``W_1`` row by row, ``b_1``, ``W_2``, ...  With ``G_l = dy / dz_l``
    (``G_{L+1} = I``, ``G_l = G_{l+1} W_{l+1} D_l``) the derivative by ``W_l[i][j]`` is
    ``G_l[:, i] a_{l-1, j}(x)`` and by ``b_l[i]`` it is ``G_l[:, i]``; every ``a_{l-1, j}`` is an
    affine form in ``x``.  Row ``(k, t)``: the coefficient of ``x_t`` (``t = d``: the constant)
    in the derivatives of output ``k``.
    """
    d, m, L = net.input_dim, net.output_dim, net.depth
    zero: Form = (tuple(Fraction(0) for _ in range(d)), Fraction(0))
    post = [[(tuple(Fraction(int(i == k)) for k in range(d)), Fraction(0)) for i in range(d)]]
    post += [[f if on else zero for f, on in zip(pre[layer], active[layer])] for layer in range(L)]
    G: list[list[list[Fraction]]] = [[] for _ in range(L + 2)]
    G[L + 1] = [[Fraction(int(i == k)) for i in range(m)] for k in range(m)]
    for layer in range(L, 0, -1):
        w, on = net.weights[layer], active[layer - 1]
        G[layer] = [[sum((g[r] * w[r][i] for r in range(len(w))), Fraction(0)) if on[i] else Fraction(0)
                     for i in range(len(on))] for g in G[layer + 1]]
    rows = []
    for k in range(m):
        for t in range(d + 1):
            row: list[Fraction] = []
            for layer in range(1, L + 2):
                g = G[layer][k]
                coef = [a[t] if t < d else c for a, c in post[layer - 1]]
                for gi in g:
                    row.extend(gi * v for v in coef)
                row.extend(gi if t == d else Fraction(0) for gi in g)
            rows.append(row)
    return rows


def _rank(rows: list[list[Fraction]]) -> int:
    """Exact rank by Gauss-Jordan elimination over Q (a reduced basis, one pivot per row kept)."""
    basis: dict[int, list[Fraction]] = {}
    for r in rows:
        r = list(r)
        for piv, b in basis.items():
            if r[piv]:
                f = r[piv]
                r = [x - f * y for x, y in zip(r, b)]
        nz = next((i for i, v in enumerate(r) if v), None)
        if nz is None:
            continue
        inv = 1 / r[nz]
        r = [v * inv for v in r]
        for piv, b in basis.items():
            if b[nz]:
                f = b[nz]
                basis[piv] = [x - f * y for x, y in zip(b, r)]
        basis[nz] = r
    return len(basis)


def _active(net: ReLUNetwork, ph: dict[tuple[int, int], int]) -> list[list[bool]]:
    return [[ph[(layer, j)] > 0 for j in range(n)] for layer, n in enumerate(net.hidden_widths, start=1)]


def _sample_rank(net: ReLUNetwork, sample: Any) -> tuple[int, int]:
    """Exact rank of the stacked parameter Jacobians at the sample points (each must be smooth)."""
    d = net.input_dim
    if not isinstance(sample, list):
        raise CheckFailure("evidence.sample", "expected a list of points")
    rows = []
    for i, x in enumerate(sample):
        path = f"evidence.sample[{i}]"
        pt = _vector(x, d, path)
        z = net.preactivations(pt)
        if any(v == 0 for zl in z for v in zl):
            raise CheckFailure(path, "a hidden pre-activation vanishes there (not a smooth point)")
        ph = {(layer, j): 1 if v > 0 else -1 for layer, zl in enumerate(z, start=1) for j, v in enumerate(zl)}
        pre = _affine_layers(net, _fixed_phases(ph), path)
        coef = _coefficient_rows(net, _active(net, ph), pre)
        for k in range(net.output_dim):
            block = coef[k * (d + 1):(k + 1) * (d + 1)]
            rows.append([sum((pt[t] * block[t][c] for t in range(d)), block[d][c]) for c in range(len(block[d]))])
    return _rank(rows), len(rows)


def _full_bound(net: ReLUNetwork) -> int:
    return net.n_parameters - net.n_hidden


def check_functional_dimension_at_most(cert: dict[str, Any]) -> list[str]:
    """The functional dimension is at most ``D - H - k``: the rank of every pattern leaf's coefficient rows.

    The pattern tree covers R^d; every smooth point ``x`` (no pre-activation zero) lies in the
    interior of the pattern leaf of its signs (an empty leaf has no interior), on which no
    pre-activation vanishes identically, and there the Jacobian is the frozen-pattern one,
    affine in ``x``: every Jacobian row is in the span of those leaves' coefficient rows.
    """
    _envelope(cert, "functional_dimension_at_most")
    net = _one_network(cert)
    k = cert["question"].get("k")
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise CheckFailure("question.k", "expected a positive integer")
    rows: list[list[Fraction]] = []
    smooth = 0

    def leaf(phases: Any, forms: dict[str, list[list[Form]]], path: str) -> None:
        nonlocal smooth
        if any(not any(a) and c == 0 for layer in forms["f"][:-1] for a, c in layer):
            return  # a pre-activation vanishes on the whole leaf: no smooth point in it
        smooth += 1
        ph = {(lay, j): s for (_, lay, j), s in phases.items()}
        rows.extend(_coefficient_rows(net, _active(net, ph), forms["f"]))

    n = _check_tree({"f": net}, cert["evidence"].get("proof"), None, leaf)
    r = _rank(rows)
    bound = _full_bound(net)
    if bound - r < k:
        raise CheckFailure("question.k", f"the functional dimension is at most {r}: a deficit of {bound - r} < {k}")
    return [f"functional dimension <= {r} (exact rank of {len(rows)} coefficient rows of the {smooth} of {n} "
            f"pattern leaves covering R^d with no identically vanishing neuron), D - H = {bound}: "
            f"deficit >= {bound - r} >= {k}"]


def check_full_fdim_not_identifiable(cert: dict[str, Any]) -> list[str]:
    """Rank ``D - H`` of the Jacobian over the sample, and a partner computing f not related by symmetry."""
    _envelope(cert, "full_fdim_not_identifiable")
    f, _, lines = _hidden_partner(cert)
    r, n = _sample_rank(f, cert["evidence"].get("sample"))
    if r < _full_bound(f):
        raise CheckFailure("evidence.sample", f"the Jacobian over the sample has rank {r} < D - H = {_full_bound(f)}")
    return [f"functional dimension D - H = {r}: exact rank of {n} Jacobian rows at the smooth sample points", *lines]


# ------------------------------------------------------------------ bends across a hyperplane
def _hyperplane(w: tuple[Fraction, ...], c: Fraction, path: str) -> tuple[int, Form, list[Form]]:
    """``H = {w.x + c = 0}`` as ``x = x0 + U t``: ``t`` is ``x`` without coordinate ``k`` (first ``w_k != 0``)."""
    if not any(w):
        raise CheckFailure(path, "the hyperplane has a zero normal")
    d = len(w)
    k = next(i for i, v in enumerate(w) if v)
    others = [i for i in range(d) if i != k]
    # x_k = -(c + sum_{i != k} w_i t_i) / w_k; every other x_i = t_i
    param = [((tuple(-w[i] / w[k] for i in others), -c / w[k]) if r == k else
              (tuple(Fraction(int(i == r)) for i in others), Fraction(0))) for r in range(d)]
    return k, (w, c), param


def _restricted(net: ReLUNetwork, param: list[Form]) -> ReLUNetwork:
    """The network ``t -> f(x0 + U t)`` (first layer composed with the parametrization)."""
    w1 = [[sum((row[r] * param[r][0][i] for r in range(len(row))), Fraction(0)) for i in range(len(param[0][0]))]
          for row in net.weights[0]]
    b1 = [sum((row[r] * param[r][1] for r in range(len(row))), b) for row, b in zip(net.weights[0], net.biases[0])]
    return ReLUNetwork([w1, *net.weights[1:]], [b1, *net.biases[1:]])


def _normal_jump(net: ReLUNetwork, states: tuple[int, ...], n: tuple[Fraction, ...]) -> tuple[Fraction, ...]:
    """``D_n f(p) + D_{-n} f(p)``, one-sided directional derivatives, with the sign ``states`` at ``p``.

    Forward mode: ``z' = W a'``; ``a' = z'`` for a positive neuron, 0 for a negative one and
    ``max(z', 0)`` for one that vanishes (on the hyperplane near ``p``).  The sum is 0 exactly
    when ``f`` does not bend across the hyperplane at ``p`` (``A_+ - A_- = lambda w^T`` there).
    """
    total = [Fraction(0)] * net.output_dim
    for sign in (1, -1):
        a = [sign * v for v in n]
        pos = 0
        for w in net.weights[:-1]:
            z = [sum((wi * ai for wi, ai in zip(row, a)), Fraction(0)) for row in w]
            a = []
            for zi in z:
                s = states[pos]
                pos += 1
                a.append(zi if s > 0 else Fraction(0) if s < 0 else max(zi, Fraction(0)))
        y = [sum((wi * ai for wi, ai in zip(row, a)), Fraction(0)) for row in net.weights[-1]]
        total = [t + v for t, v in zip(total, y)]
    return tuple(total)


def _jump_at(net: ReLUNetwork, hyper: tuple[int, Form, list[Form]], item: Any, path: str) -> tuple[Fraction, ...]:
    """The jump ``D_w f + D_{-w} f`` on a relatively open box of the hyperplane around a point of it."""
    k, (w, c), param = hyper
    d = net.input_dim
    if not isinstance(item, dict):
        raise CheckFailure(path, "expected {x, box}")
    x = _vector(item.get("x"), d, f"{path}.x")
    if sum((a * b for a, b in zip(w, x)), c) != 0:
        raise CheckFailure(f"{path}.x", "not on the hyperplane")
    t = [x[i] for i in range(d) if i != k]
    box = _box(item.get("box"), d - 1, f"{path}.box")
    if not all(lo < ti < hi for ti, (lo, hi) in zip(t, box)):
        raise CheckFailure(f"{path}.x", "not strictly inside its box (coordinates of the hyperplane)")
    states, _ = _box_signs(_restricted(net, param), box, f"{path}.box")
    return _normal_jump(net, states, w)


def _tree_states(phases: dict[tuple[str, int, int], int], forms: list[list[Form]]) -> tuple[int, ...]:
    """Signs on a pattern leaf: its phase, or 0 where the form vanishes identically."""
    return tuple(0 if not any(f[0]) and f[1] == 0 else phases[("f", layer, j)]
                 for layer, fl in enumerate(forms[:-1], start=1) for j, f in enumerate(fl))


def _two_jumps(net: ReLUNetwork, ev: dict[str, Any], hyper: Any) -> tuple[tuple[Fraction, ...], tuple[Fraction, ...]]:
    pts = ev.get("points")
    if not (isinstance(pts, list) and len(pts) == 2):
        raise CheckFailure("evidence.points", "expected two points of the hyperplane")
    if net.input_dim < 2:
        raise CheckFailure("evidence.points", "a hyperplane of R^1 is a point: no two open pieces")
    return _jump_at(net, hyper, pts[0], "evidence.points[0]"), _jump_at(net, hyper, pts[1], "evidence.points[1]")


def check_depth_at_least(cert: dict[str, Any]) -> list[str]:
    """Every network computing f has at least k hidden layers (k = 1 or 2).

    k = 1: two pattern boxes with different affine maps (f is not affine).  k = 2: a
    hyperplane ``H`` and two relatively open boxes of ``H`` on which the jump
    ``D_w f + D_{-w} f`` is constant with two different values.  For
    ``g = sum_i a_i relu(w_i . x + b_i) + affine`` the jump at a point of ``H`` is
    ``sum a_i |w_i . w|`` over the neurons vanishing there, the same constant at every
    point of ``H`` on no other hyperplane ``H_i != H``; such points are dense in ``H``,
    so one hidden layer cannot compute f.
    """
    _envelope(cert, "depth_at_least")
    net = _one_network(cert)
    k = cert["question"].get("k")
    ev = cert["evidence"]
    if k == 1:
        maps = [amap for _, amap in _pattern_points(cert, net)]
        if len(set(maps)) < 2:
            raise CheckFailure("evidence.points", "fewer than two distinct affine maps: f may be affine")
        return ["two open boxes with different affine maps: f is not affine, at least 1 hidden layer"]
    if k != 2:
        raise CheckFailure("question.k", "this checker knows depth rules for k = 1 and k = 2 only")
    h = ev.get("hyperplane")
    if not isinstance(h, dict):
        raise CheckFailure("evidence.hyperplane", "expected {w, c}")
    hyper = _hyperplane(_vector(h.get("w"), net.input_dim, "evidence.hyperplane.w"),
                        _rat(h.get("c"), "evidence.hyperplane.c"), "evidence.hyperplane")
    j0, j1 = _two_jumps(net, ev, hyper)
    if j0 == j1:
        raise CheckFailure("evidence.points", "the jumps across the hyperplane are equal at both points")
    return ["the jump across a hyperplane takes two values on two open pieces of it: "
            "no network with one hidden layer computes f, at least 2 hidden layers"]


def check_first_layer_visibility(cert: dict[str, Any]) -> list[str]:
    """A first-layer hyperplane carries no bent facet ("invisible") or carries bent and unbent ones ("partial").

    ``H = {w.x + b = 0}`` of first-layer neuron ``j``.  Invisible: a pattern tree over the
    network restricted to ``H`` (input ``t``, ``x = x0 + U t``) whose every pattern leaf has
    jump 0 (for d = 1, the jump at the point ``H``).  Partial: two relatively open boxes of
    ``H``, jump nonzero on the first and zero on the second.
    """
    _envelope(cert, "first_layer_visibility")
    net = _one_network(cert)
    q, ev = cert["question"], cert["evidence"]
    j = q.get("neuron")
    n1 = net.hidden_widths[0] if net.depth else 0
    if not (isinstance(j, int) and not isinstance(j, bool) and 0 <= j < n1):
        raise CheckFailure("question.neuron", f"expected a first-layer neuron index below {n1}")
    hyper = _hyperplane(tuple(net.weights[0][j]), net.biases[0][j], "question.neuron")
    w = hyper[1][0]
    status = q.get("status")
    if status == "partial":
        bent, flat = _two_jumps(net, ev, hyper)
        if not any(bent):
            raise CheckFailure("evidence.points[0]", "f does not bend across the hyperplane there")
        if any(flat):
            raise CheckFailure("evidence.points[1]", "f bends across the hyperplane there")
        return [f"hyperplane of neuron [1, {j}]: bent on an open piece, not bent on another (partly visible)"]
    if status != "invisible":
        raise CheckFailure("question.status", "expected 'invisible' or 'partial'")
    if net.input_dim == 1:
        x0 = (-net.biases[0][j] / w[0],)
        states = tuple(0 if v == 0 else 1 if v > 0 else -1 for zl in net.preactivations(x0) for v in zl)
        if any(_normal_jump(net, states, w)):
            raise CheckFailure("question.neuron", "f bends at the point of the hyperplane")
        return [f"hyperplane of neuron [1, {j}] (a point): f does not bend there (invisible)"]
    restricted = _restricted(net, hyper[2])

    def leaf(phases: Any, forms: dict[str, list[list[Form]]], path: str) -> None:
        if any(_normal_jump(net, _tree_states(phases, forms["f"]), w)):
            raise CheckFailure(f"{path}.leaf", "f bends across the hyperplane on this leaf")

    n = _check_tree({"f": restricted}, ev.get("proof"), None, leaf)
    return [f"hyperplane of neuron [1, {j}]: no bend across it on any of {n} pattern leaves covering it (invisible)"]


def check_user(cert: dict[str, Any]) -> list[str]:
    """A user property's verdict is the producer's word: there is nothing to re-check."""
    raise CheckFailure("claim", "a user property has no independent check (its evidence is the producer's word)")


CHECKERS: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "regions_at_least": check_regions_at_least,
    "pieces_at_least": check_pieces_at_least,
    "equivalent": check_equivalent,
    "hidden_symmetry": check_hidden_symmetry,
    "fewer_neurons": check_fewer_neurons,
    "functional_dimension_at_most": check_functional_dimension_at_most,
    "full_fdim_not_identifiable": check_full_fdim_not_identifiable,
    "depth_at_least": check_depth_at_least,
    "first_layer_visibility": check_first_layer_visibility,
    "user": check_user,
}
"""Claim name -> checker (returns what it checked, raises :class:`CheckFailure` at the first failing step)."""


def embedded_network(cert: dict[str, Any]) -> ReLUNetwork:
    """The network a search certificate is about (``network``, or ``networks.f``), hash checked."""
    if "networks" in cert:
        return _two_networks(cert)[0]
    return _one_network(cert)
