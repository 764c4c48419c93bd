"""A tiny test-only checker of proof trees, written from docs/certificates.md in plain Fractions
(independent of relu_geom/certify/: it shares only exact evaluation of the network)."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction as F


def _rd(q: F, k: int) -> F:
    return F(math.floor(q * 2**k), 2**k)


def _ru(q: F, k: int) -> F:
    return F(math.ceil(q * 2**k), 2**k)


def _min(form, box):
    return form[-1] + sum(a * (lo if a > 0 else hi) for a, (lo, hi) in zip(form, box))


def _max(form, box):
    return form[-1] + sum(a * (hi if a > 0 else lo) for a, (lo, hi) in zip(form, box))


def back_substitute(net, phases, bounds, k, row, const, layer):
    """``row . a_layer + const`` rewritten over ``x`` by the backward rule's substitution, to be
    maximised (each ``a`` by ``z``, 0, ``t (z - l)`` for a positive and ``alpha z`` for a
    negative coefficient of an unstable neuron, then ``z = W a + b``): (coefficients, constant)."""
    g, c = list(row), const
    for m in range(layer, 0, -1):
        coef_z = []
        for j, a in enumerate(g):
            s, (lj, uj) = phases[m - 1][j], bounds[m - 1][j]
            if s > 0:
                coef_z.append(a)
            elif s < 0 or a == 0:
                coef_z.append(F(0))
            elif a > 0:
                t = _ru(uj / (uj - lj), k)
                coef_z.append(a * t)
                c -= a * t * lj
            else:
                coef_z.append(a if uj + lj >= 0 else F(0))
        w, b = net.weights[m - 1], net.biases[m - 1]
        g = [sum((coef_z[j] * w[j][i] for j in range(len(w))), F(0)) for i in range(len(w[0]))]
        c += sum((cz * bj for cz, bj in zip(coef_z, b)), F(0))
    return g, c


def bound_rule(net, box, fixed, k, collect=None, rule="forward", claims=None):
    """(empty, phases, La, Ua) with forms as lists over v then the constant; ``collect``
    (a list) receives the bounds ``[(l_j, u_j), ...]`` of each hidden layer.  With
    ``rule="backward"`` the bounds of layers 3, 4, ... are intersected with the back-substituted ones.
    ``claims`` maps ``(l, j)`` to tightened ``(lower, upper)`` (rationals or None)."""
    bounds = []
    nv, d = len(box), net.input_dim
    W, B = net.weights, net.biases
    if net.depth == 0:
        return False, [], None, None
    Lz = [list(row) + [F(0)] * (nv - d) + [b] for row, b in zip(W[0], B[0])]
    Uz = [list(r) for r in Lz]
    phases = []
    for layer in range(1, net.depth + 1):
        La, Ua, ph = [], [], []
        if collect is not None:
            collect.append([])
        bounds.append([])
        for j in range(len(Lz)):
            lj, uj = _rd(_min(Lz[j], box), k), _ru(_max(Uz[j], box), k)
            if rule == "backward" and layer > 2 and lj < 0 < uj and (layer, j) not in fixed:
                w, b = net.weights[layer - 1], net.biases[layer - 1]
                g, c0 = back_substitute(net, phases, bounds, k, w[j], b[j], layer - 1)
                up_b = _max([*g, c0], box[:d])
                g, c0 = back_substitute(net, phases, bounds, k, [-a for a in w[j]], -b[j], layer - 1)
                lo_b = -_max([*g, c0], box[:d])
                lj, uj = max(lj, _rd(lo_b, k)), min(uj, _ru(up_b, k))
            lo_c, up_c = (claims or {}).get((layer, j), (None, None))
            lj = lj if lo_c is None else max(lj, lo_c)
            uj = uj if up_c is None else min(uj, up_c)
            if lj > uj:
                return True, phases, None, None
            bounds[-1].append((lj, uj))
            f = fixed.get((layer, j))
            if f is not None and ((f > 0 and uj < 0) or (f < 0 and lj > 0)):
                return True, phases, None, None
            s = f if f is not None else (1 if lj >= 0 else (-1 if uj <= 0 else 0))
            if collect is not None:
                collect[-1].append((lj, uj))
            ph.append(s)
            zero = [F(0)] * (nv + 1)
            if s > 0:
                La.append(Lz[j])
                Ua.append(Uz[j])
            elif s < 0:
                La.append(zero)
                Ua.append(zero)
            else:
                t = _ru(uj / (uj - lj), k)
                u = [t * v for v in Uz[j]]
                u[-1] -= t * lj
                Ua.append(u)
                La.append(Lz[j] if uj + lj >= 0 else zero)
        phases.append(ph)
        if layer == net.depth:
            return False, phases, La, Ua
        w, b = W[layer], B[layer]
        Lz = [
            [
                sum((max(a, 0) * La[i][c] + min(a, 0) * Ua[i][c] for i, a in enumerate(row)), F(0))
                for c in range(nv + 1)
            ]
            for row in w
        ]
        Uz = [
            [
                sum((max(a, 0) * Ua[i][c] + min(a, 0) * La[i][c] for i, a in enumerate(row)), F(0))
                for c in range(nv + 1)
            ]
            for row in w
        ]
        for r1, r2, bi in zip(Lz, Uz, b):
            r1[-1] += bi
            r2[-1] += bi


def upper(net, box, La, Ua, p, q, c):
    nv, d = len(box), net.input_dim
    if net.depth == 0:
        form = list(p) + [c]
        for qi, row, bi in zip(q, net.weights[0], net.biases[0]):
            for i in range(d):
                form[i] += qi * row[i]
            form[-1] += qi * bi
        return _max(form, box)
    wl, bl = net.weights[-1], net.biases[-1]
    w = [sum((qi * row[j] for qi, row in zip(q, wl)), F(0)) for j in range(len(wl[0]))]
    form = list(p) + [c + sum((qi * bi for qi, bi in zip(q, bl)), F(0))]
    for j, wj in enumerate(w):
        src = Ua[j] if wj > 0 else La[j]
        for i in range(nv + 1):
            form[i] += wj * src[i]
    return _max(form, box)


def pattern_affine(net, phases):
    """Per layer the pre-activation rows (over x then constant), then the output rows."""
    d = net.input_dim
    cur = [[F(int(i == j)) for j in range(d + 1)] for i in range(d)]  # a_0 = x
    pre = []
    for layer, (w, b) in enumerate(zip(net.weights, net.biases)):
        z = [
            [
                sum((a * cur[i][c] for i, a in enumerate(row)), F(0)) + (bi if c == d else 0)
                for c in range(d + 1)
            ]
            for row, bi in zip(w, b)
        ]
        if layer < net.depth:
            pre.append(z)
            cur = [r if phases[layer][i] > 0 else [F(0)] * (d + 1) for i, r in enumerate(z)]
        else:
            return pre, z


def _compose(p, q, c, out, d):
    form = list(p) + [c]
    for qi, row in zip(q, out):
        for i in range(d):
            form[i] += qi * row[i]
        form[-1] += qi * row[d]
    return form


def check_tree(
    net, goal, tree, k=32, path="tree", fixed=None, box=None, lipschitz=None, jacobian=None, rule="forward",
    claims=None,
):
    """goal = dict(box, rows=[(p, c)], atoms=[(p, q, c)], phi=(p, q, c), strict). Raises AssertionError.

    ``lipschitz(A)`` accepts the matrix of a pattern leaf; ``jacobian = (norm, accept)`` the
    norm bound of a jacobian leaf (for l2 the bound of the square), or ``(norm, accept, t)``
    for l2 with the spectral test at ``t`` (the lower end of L^2's interval)."""
    fixed = dict(fixed or {})
    box = list(goal["box"]) if box is None else box
    d, nv = net.input_dim, len(box)
    inherited = dict(claims or {})
    own = {}

    def merged(below):
        out = dict(inherited)
        for key, (lo_c, up_c) in own.items():
            if key[0] < below:
                lo0, up0 = out.get(key, (None, None))
                out[key] = (lo_c if lo0 is None else max(lo0, lo_c) if lo_c is not None else lo0,
                            up_c if up0 is None else min(up0, up_c) if up_c is not None else up0)
        return out

    for entry in tree.get("tighten", []):
        assert lipschitz is None and jacobian is None, path
        layer, j = entry["neuron"]
        side = "upper" if "upper" in entry else "lower"
        r = F(entry[side])
        found = []
        # the ancestors' claims and this node's of the layers below
        empty, phases, _, _ = bound_rule(net, box, fixed, k, found, rule, merged(layer))
        if not empty:
            cut = type(net)(net.weights[:layer], net.biases[:layer])
            q = [F(0)] * len(net.weights[layer - 1])
            q[j] = F(1 if side == "upper" else -1)
            sub = {"phi": ([F(0)] * nv, q, -q[j] * r), "atoms": [], "rows": goal.get("rows", [])}
            lam = entry["lambda"]
            assert "atom" not in lam, path + ".tighten"
            assert all(n[0] < layer for key in ("active", "inactive", "lower", "upper") for n, _ in lam.get(key, [])), path
            assert relax_max(cut, sub, box, phases, found, lam, k) <= 0, path + ".tighten"
        lo_c, up_c = own.get((layer, j), (None, None))
        if side == "upper":
            up_c = _ru(r, k)
        else:
            lo_c = _rd(r, k)
        own[(layer, j)] = (lo_c, up_c)
    claims = merged(net.depth + 1)
    if "split" in tree:
        sp = tree["split"]
        lo_child, hi_child = tree["children"]
        if "input" in sp:
            i, t = sp["input"], F(sp["at"])
            assert box[i][0] <= t <= box[i][1], path
            b1, b2 = list(box), list(box)
            b1[i] = (box[i][0], t)
            b2[i] = (t, box[i][1])
            check_tree(net, goal, lo_child, k, path + ".children[0]", fixed, b1, lipschitz, jacobian, rule, claims)
            check_tree(net, goal, hi_child, k, path + ".children[1]", fixed, b2, lipschitz, jacobian, rule, claims)
        else:
            key = tuple(sp["neuron"])
            assert key not in fixed, path
            for idx, s in ((0, -1), (1, 1)):
                check_tree(
                    net,
                    goal,
                    tree["children"][idx],
                    k,
                    f"{path}.children[{idx}]",
                    {**fixed, key: s},
                    box,
                    lipschitz,
                    jacobian,
                    rule,
                    claims,
                )
        return
    bounds = []
    empty, phases, La, Ua = bound_rule(net, box, fixed, k, bounds, rule, claims)
    if empty:
        return
    strict = goal.get("strict", False)

    def ok(v):
        return v < 0 if strict else v <= 0

    kind = tree["leaf"]
    if kind == "jacobian":
        assert jacobian is not None, path
        norm, accept, *spectral_at = jacobian
        cases = [tuple(n) for n in tree.get("cases", [])]
        assert len(set(cases)) == len(cases) and all(phases[la - 1][j] == 0 for la, j in cases), path
        for bits in itertools.product((0, 1), repeat=len(cases)):
            assign = dict(zip(cases, bits))
            # the l2 spectral test at the lower end of L^2's interval, or at L^2 itself: ||M||_2 <= L
            # by the caller's own matrix test (sympy eigenvalues in tests/test_certify_lipschitz.py)
            assert accept(jacobian_bound(net, phases, assign, norm)) or (
                spectral_at
                and (
                    spectral_passes(net, phases, assign, spectral_at[0])
                    or (lipschitz is not None and lipschitz(jacobian_mag(net, phases, assign)))
                )
            ), path + ".leaf (jacobian)"
        return
    if kind == "bound":
        p, q, c = (list(goal["phi"][0]), list(goal["phi"][1]), goal["phi"][2])
        for idx, m in tree["mu"]:
            m = F(m)
            assert m >= 0, path
            ap, aq, ac = goal["atoms"][idx]
            p = [u - m * v for u, v in zip(p, ap)]
            q = [u - m * v for u, v in zip(q, aq)]
            c -= m * ac
        value = upper(net, box, La, Ua, p, q, c)
        if rule == "backward" and net.depth > 1:
            wl, bl = net.weights[-1], net.biases[-1]
            w = [sum((qi * row[j] for qi, row in zip(q, wl)), F(0)) for j in range(len(wl[0]))]
            const = c + sum((qi * bi for qi, bi in zip(q, bl)), F(0))
            g, const = back_substitute(net, phases, bounds, k, w, const, net.depth)
            value = min(value, _max([a + (g[i] if i < d else 0) for i, a in enumerate(p)] + [const], box))
        assert ok(value), path + ".leaf"
        return
    if kind == "relax":
        assert ok(relax_max(net, goal, box, phases, bounds, tree["lambda"], k)), path + ".leaf (relax)"
        return
    assert all(s != 0 for ph in phases for s in ph), path + ".leaf (not every neuron has a phase)"
    pre, out = pattern_affine(net, phases)
    if kind == "pattern":
        assert lipschitz is not None
        A = [row[:d] for row in out]
        assert lipschitz(A), path + ".leaf (norm)"
        return
    assert kind == "lp", path
    lam = tree["lambda"]
    psi = _compose(goal["phi"][0], goal["phi"][1], goal["phi"][2], out, d)
    weighted = False  # a positive multiplier on a row that is not identically zero
    for lj, v in lam.get("phase", []):
        layer, j = lj
        v = F(v)
        assert v >= 0
        s = phases[layer - 1][j]
        g = [-s * a for a in pre[layer - 1][j][:d]] + [F(0)] * (nv - d) + [-s * pre[layer - 1][j][d]]
        weighted = weighted or (v > 0 and any(g))
        psi = [a - v * b for a, b in zip(psi, g)]
    for idx, v in lam.get("atom", []):
        v = F(v)
        assert v >= 0
        ap, aq, ac = goal["atoms"][idx]
        g = _compose(ap, aq, ac, out, d)
        psi = [a - v * b for a, b in zip(psi, g)]
    for idx, v in lam.get("input", []):
        v = F(v)
        assert v >= 0
        rp, rc = goal["rows"][idx]
        weighted = weighted or (v > 0 and (any(rp) or rc != 0))
        psi = [a - v * b for a, b in zip(psi, list(rp) + [rc])]
    top = _max(psi, box)
    # a thin Lipschitz leaf: max psi = 0 with weight on a row that is not identically zero
    assert ok(top) or (lipschitz is not None and top == 0 and weighted), path + ".leaf (lp)"


def relax_max(net, goal, box, phases, bounds, lam, k):
    """max psi of a relax leaf, with every variable of (v, a) kept as a dict entry."""
    # psi as {var: coef} with var ("v", i) or ("a", l, j), and the constant under None
    psi = {}

    def add(var, c):
        psi[var] = psi.get(var, F(0)) + c

    def a_var(layer, i):
        return ("v", i) if layer == 0 else ("a", layer, i)

    def add_form(p, q, c, mult):  # mult * (p.v + q.y + c), y = W a_L + b
        for i, a in enumerate(p):
            add(("v", i), mult * a)
        add(None, mult * c)
        for qi, row, bi in zip(q, net.weights[-1], net.biases[-1]):
            for i, w in enumerate(row):
                add(a_var(net.depth, i), mult * qi * w)
            add(None, mult * qi * bi)

    def add_z(layer, j, mult):  # mult * z_{layer, j}
        for i, w in enumerate(net.weights[layer - 1][j]):
            add(a_var(layer - 1, i), mult * w)
        add(None, mult * net.biases[layer - 1][j])

    add_form(*goal["phi"], F(1))
    for idx, v in lam.get("atom", []):
        v = F(v)
        assert v >= 0
        add_form(*goal["atoms"][idx], -v)
    for idx, v in lam.get("input", []):
        v = F(v)
        assert v >= 0
        rp, rc = goal["rows"][idx]
        add_form(rp, [], rc, -v)
    for key, want in (("active", 1), ("inactive", -1), ("lower", 0), ("upper", 0)):
        for (layer, j), v in lam.get(key, []):
            v = F(v)
            assert phases[layer - 1][j] == want
            assert key == "active" or v >= 0
            a = ("a", layer, j)
            if key == "active":  # g = a - z
                add(a, -v)
                add_z(layer, j, v)
            elif key == "inactive":  # g = z
                add_z(layer, j, -v)
            elif key == "lower":  # g = z - a
                add_z(layer, j, -v)
                add(a, v)
            else:  # g = a - t (z - l)
                lj, uj = bounds[layer - 1][j]
                t = _ru(uj / (uj - lj), k)
                add(a, -v)
                add_z(layer, j, v * t)
                add(None, -v * t * lj)
    total = psi.pop(None, F(0))
    for var, c in psi.items():
        if var[0] == "v":
            lo, hi = box[var[1]]
        else:
            _, layer, j = var
            lj, uj = bounds[layer - 1][j]
            lo, hi = (F(0), F(0)) if phases[layer - 1][j] < 0 else (max(F(0), lj), max(F(0), uj))
        total += c * (hi if c > 0 else lo)
    return total


def jacobian_bound(net, phases, assign, norm):
    """The jacobian leaf's bound (docs/certificates.md): intervals of W_{L+1} D_L ... D_1 W_1
    formed from the output backwards, slope 0 / 1 by phase or ``assign``, [0, 1] otherwise."""
    mag = jacobian_mag(net, phases, assign)
    b_inf = max(sum(r) for r in mag)
    b_1 = max(sum(r[j] for r in mag) for j in range(len(mag[0])))
    if norm == "linf":
        return b_inf
    if norm == "l1":
        return b_1
    return min(sum(v * v for r in mag for v in r), b_inf * b_1)


def psd_by_minors(S):
    """Sylvester's criterion for semidefiniteness: every principal minor (not only the leading
    ones) is >= 0 (determinants by sympy)."""
    import sympy

    n = len(S)
    M = sympy.Matrix([[sympy.Rational(v.numerator, v.denominator) for v in row] for row in S])
    return all(
        M.extract(list(idx), list(idx)).det() >= 0
        for k in range(1, n + 1)
        for idx in itertools.combinations(range(n), k)
    )


def spectral_passes(net, phases, assign, t):
    """The l2 spectral test of a jacobian leaf: t I - M M^T (or M^T M, the smaller) is PSD."""
    mag = jacobian_mag(net, phases, assign)
    if len(mag[0]) < len(mag):
        mag = [list(c) for c in zip(*mag)]
    n = len(mag)
    S = [[(t if i == j else F(0)) - sum(a * b for a, b in zip(mag[i], mag[j])) for j in range(n)] for i in range(n)]
    return psd_by_minors(S)


def jacobian_mag(net, phases, assign):
    """M_ij = max(|lo_ij|, |hi_ij|) of the jacobian leaf's interval."""
    lo = [list(map(F, row)) for row in net.weights[-1]]
    hi = [list(r) for r in lo]
    for layer in range(net.depth, 0, -1):
        for i in range(len(lo)):
            for k, s in enumerate(phases[layer - 1]):
                slope = assign.get((layer, k), 1 if s > 0 else (0 if s < 0 else None))
                if slope is None:
                    lo[i][k], hi[i][k] = min(lo[i][k], F(0)), max(hi[i][k], F(0))
                elif slope == 0:
                    lo[i][k] = hi[i][k] = F(0)
        W = net.weights[layer - 1]
        cols = len(W[0])
        lo, hi = (
            [[sum((W[k][j] * (lr[k] if W[k][j] > 0 else hr[k]) for k in range(len(W))), F(0)) for j in range(cols)]
             for lr, hr in zip(lo, hi)],
            [[sum((W[k][j] * (hr[k] if W[k][j] > 0 else lr[k]) for k in range(len(W))), F(0)) for j in range(cols)]
             for lr, hr in zip(lo, hi)],
        )
    return [[max(abs(a), abs(b)) for a, b in zip(lr, hr)] for lr, hr in zip(lo, hi)]
