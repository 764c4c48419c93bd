"""Exact certification: seconds per instance on constructed properties and on ACAS Xu.

Run: ``python benchmarks/bench_certify.py [timeout_seconds] [--acas] [--instances N]
[--stride] [--only NET:PROP,...] [--marabou] [--acas-only]``.  Prints, for each instance, the verdict, the
seconds, the branches and the leaves by kind, and the time of one exact bound-rule call
against its float64 guide.  With ``--acas`` it also runs ACAS Xu instances of
``../shared/benchmarks/acasxu/instances.csv`` (``--instances N`` of them, in the file's
order, or with ``--stride`` in the order ``37 i mod 186`` so that a prefix mixes networks
and properties, or ``--only 4_2:prop_2,1_9:prop_7`` for named ones; networks read with ``ReLUNetwork.load``, which folds the input
normalization exactly, and properties with ``read_vnnlib``); every ``sat`` / ``unsat``
certificate is written and re-checked by ``rg.verify_certificate``.  ``--marabou`` runs
the floating-point verifier Marabou (``pip install maraboupy onnx onnxruntime``) on the
same instance with the same time limit, one query per disjunct, and replays each of its
counterexamples exactly (inside the box? violating?).

``python benchmarks/bench_certify.py [timeout_seconds] --whole-complex`` runs only the
comparison rows: output range and Lipschitz constant (linf and l2) of
``ReLUNetwork.random([3, 16, 16, 1], seed=0)`` and ``ReLUNetwork.random([4, 10, 10, 1],
seed=0)`` over ``[-1, 1]^d``, by the certify functions (``output_range``: branch and bound;
``lipschitz_constant``: compile, then the certificate tree) and by a whole-complex
computation (``compile_network`` over the box, then the extreme values of ``f`` over every
vertex of the complex and the largest gradient norm over every region), side by side:
seconds, their ratio, and whether the values agree exactly; each Lipschitz certificate is
re-checked by ``rg.verify_certificate`` (its time printed).  The row
``ReLUNetwork.random([3, 8, 8, 2], seed=0)`` has two outputs: its ``l2`` constant is compared
with the largest ``lambda_max(A A^T) = t / 2 + sqrt(t^2 / 4 - det)`` over the regions,
exactly in ``Q(sqrt q)``.

``python benchmarks/bench_certify.py [timeout_seconds] --l2-branches`` runs
``lipschitz_constant(net, "l2", (-1, 1))`` on ten random networks with several outputs
(``ReLUNetwork.random(arch, seed)`` for ``[2, 6, 6, 3]`` and ``[3, 8, 8, 2]``, seeds 0 to 4)
and prints branches, leaves by kind and seconds.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import warnings
from fractions import Fraction

import numpy as np

import relu_geom as rg
from relu_geom.certify.bounds import exact_bounds, float_bounds

ACAS = os.environ.get(  # the shared benchmark folder beside the repository, or named by the variable
    "RELU_GEOM_ACASXU",
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "benchmarks", "acasxu"),
)


def run(name: str, net: rg.ReLUNetwork, spec: rg.Specification, timeout: float) -> None:
    start = time.perf_counter()
    res = rg.check_property(net, spec, max_seconds=timeout)
    sec = time.perf_counter() - start
    s = res.stats
    leaves = f"bound {s.get('bound_leaves', 0)}, lp {s.get('lp_leaves', 0)}, empty {s.get('empty_leaves', 0)}"
    extra = f"  ({res.reason})" if res.verdict == "unknown" else ""
    print(
        f"{name:<38}{res.verdict:<9}{sec:>8.2f} s  {s.get('branches', 0):>6} branches  {leaves}{extra}",
        flush=True,
    )


def run_verified(
    net: rg.ReLUNetwork, spec: rg.Specification, timeout: float, bound_rule: str | None = None
) -> tuple[str, float, str, dict]:
    """check_property, then the certificate re-checked by the independent checker."""
    start = time.perf_counter()
    res = rg.check_property(net, spec, max_seconds=timeout, bound_rule=bound_rule)
    sec = time.perf_counter() - start
    checked = "-"
    if res.verdict in ("sat", "unsat"):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "cert.json")
            res.write_certificate(path)
            checked = "valid" if rg.verify_certificate(path).valid else "INVALID"
    return res.verdict, sec, checked, res.stats


def marabou(onnx_path: str, spec: rg.Specification, timeout: float) -> tuple[str, float, str]:
    """Marabou on every disjunct (float bounds); a counterexample is replayed exactly."""
    warnings.filterwarnings("ignore")
    from maraboupy import Marabou

    start = time.perf_counter()
    exact_net = rg.ReLUNetwork.load(onnx_path)
    for dj in spec.disjuncts:
        net = Marabou.read_onnx(onnx_path)
        xs, ys = net.inputVars[0].flatten(), net.outputVars[0].flatten()
        for v, (lo, hi) in zip(xs, dj.box):
            net.setLowerBound(v, float(lo))
            net.setUpperBound(v, float(hi))
        for a in (*dj.input_rows, *dj.atoms):
            vs = [v for v, c in zip(xs, a.x) if c] + [v for v, c in zip(ys, a.y) if c]
            cs = [float(c) for c in a.x if c] + [float(c) for c in a.y if c]
            net.addInequality(vs, cs, -float(a.c))
        left = max(1, int(timeout - (time.perf_counter() - start)))
        code, vals, _ = net.solve(
            options=Marabou.createOptions(timeoutInSeconds=left, verbosity=0), verbose=False
        )
        if code == "sat":
            x = [Fraction(vals[v]) for v in xs]
            y = exact_net(x)
            inside = all(lo <= t <= hi for t, (lo, hi) in zip(x, dj.box))
            viol = all(
                sum((c * t for c, t in zip(a.x, x)), a.c) + sum((c * t for c, t in zip(a.y, y)), Fraction(0))
                <= 0
                for a in (*dj.input_rows, *dj.atoms)
            )
            replay = "replays" if inside and viol else f"fails exactly (in box: {inside}, violates: {viol})"
            return "sat", time.perf_counter() - start, replay
        if code != "unsat":
            return ("timeout" if "TIME" in code.upper() else code), time.perf_counter() - start, ""
    return "unsat", time.perf_counter() - start, ""


def acas(argv: list[str], timeout: float) -> None:
    n = int(argv[argv.index("--instances") + 1]) if "--instances" in argv else 186
    rule = argv[argv.index("--bound-rule") + 1] if "--bound-rule" in argv else None
    with open(os.path.join(ACAS, "instances.csv"), encoding="utf-8") as fh:
        rows = [line.strip().split(",") for line in fh.read().splitlines()[1:] if line.strip()]
    if "--stride" in argv:
        rows = [rows[37 * i % len(rows)] for i in range(len(rows))]
    if "--only" in argv:  # named instances, "4_2:prop_2,1_9:prop_7", in that order
        named = [item.split(":") for item in argv[argv.index("--only") + 1].split(",")]
        rows = [(f"ACASXU_run2a_{net}_batch_2000.onnx", f"{prop}.vnnlib") for net, prop in named]
    counts: dict[str, int] = {}
    ours_t, theirs_t = 0.0, 0.0
    for onnx_name, vnnlib_name in rows[:n]:
        path = os.path.join(ACAS, onnx_name)
        net = rg.ReLUNetwork.load(path)
        spec = rg.read_vnnlib(os.path.join(ACAS, vnnlib_name), n_inputs=5, n_outputs=5)
        verdict, sec, checked, stats = run_verified(net, spec, timeout, rule)
        counts[verdict] = counts.get(verdict, 0) + 1
        ours_t += sec
        line = (
            f"ACAS {onnx_name[13:16]} {vnnlib_name[:-7]:<8} {verdict:<8}{sec:>7.2f} s  "
            f"{stats.get('branches', 0):>6} br  cert {checked:<8}"
        )
        if "--marabou" in argv:
            mv, msec, replay = marabou(path, spec, timeout)
            theirs_t += msec
            counts["marabou " + mv] = counts.get("marabou " + mv, 0) + 1
            line += f"| marabou {mv:<8}{msec:>7.2f} s {replay}"
        print(line, flush=True)
    print("counts:", dict(sorted(counts.items())))
    print(
        f"total seconds: relu_geom {ours_t:.1f}"
        + (f", marabou {theirs_t:.1f}" if "--marabou" in argv else "")
    )


def bound_rule_timing(net: rg.ReLUNetwork, box) -> None:
    reps = 20
    lo = np.array([float(a) for a, _ in box])
    hi = np.array([float(b) for _, b in box])
    for rule in ("forward", "backward"):
        t = time.perf_counter()
        for _ in range(reps):
            exact_bounds(net, box, rule=rule)
        te = (time.perf_counter() - t) / reps
        t = time.perf_counter()
        for _ in range(reps):
            float_bounds(net, lo, hi, rule=rule)
        tf = (time.perf_counter() - t) / reps
        print(
            f"{rule} bound rule on {list(net.architecture)}: exact {te * 1e3:.1f} ms, float guide {tf * 1e3:.2f} ms"
        )


def _sign_sum(u: Fraction, q1: Fraction, q2: Fraction) -> int:
    """The sign of ``u + sqrt(q1) - sqrt(q2)`` for ``q1, q2 >= 0``, exactly."""
    v = (q1 > q2) - (q1 < q2)
    su = (u > 0) - (u < 0)
    if su == 0 or v == 0 or su == v:
        return su or v
    w, r = u * u - q1 - q2, q1 * q2  # sign(u^2 - (sqrt q1 - sqrt q2)^2) = sign(w + 2 sqrt r)
    c = (1 if w > 0 or r > 0 else 0) if w >= 0 else (4 * r > w * w) - (4 * r < w * w)
    return su if c > 0 else (v if c < 0 else 0)


def _lambda_max_2(A) -> tuple[Fraction, Fraction]:
    """``(p, q)``: the largest eigenvalue ``p + sqrt(q)`` of ``A A^T`` for a matrix with two rows."""
    g00 = sum((a * a for a in A[0]), Fraction(0))
    g11 = sum((a * a for a in A[1]), Fraction(0))
    g01 = sum((a * b for a, b in zip(A[0], A[1])), Fraction(0))
    t, det = g00 + g11, g00 * g11 - g01 * g01
    return t / 2, t * t / 4 - det


def _is_root_in(value, p: Fraction, q: Fraction) -> bool:
    """Whether ``p + sqrt(q)`` is a root of ``value.poly`` inside ``[value.lo, value.hi]``."""
    import math

    n, d = q.numerator, q.denominator
    if math.isqrt(n) ** 2 == n and math.isqrt(d) ** 2 == d:
        p, q = p + Fraction(math.isqrt(n), math.isqrt(d)), Fraction(0)
    a, b = Fraction(0), Fraction(0)  # a + b sqrt(q), Horner
    for c in reversed(value.poly):
        a, b = a * p + b * q + c, a + b * p
    inside = _sign_sum(p - value.lo, q, Fraction(0)) >= 0 and _sign_sum(p - value.hi, q, Fraction(0)) <= 0
    return a == 0 and b == 0 and inside


def l2_branches(timeout: float) -> None:
    """lipschitz_constant(net, "l2") on ten random networks with several outputs: branches, leaves."""
    print(f"{'network':<22}{'branches':>9}{'pattern':>9}{'jacobian':>9}{'seconds':>9}  value^2")
    total = 0
    for arch in ([2, 6, 6, 3], [3, 8, 8, 2]):
        for seed in range(5):
            net = rg.ReLUNetwork.random(arch, seed=seed)
            name = f"{arch} seed {seed}"
            t0 = time.perf_counter()
            try:
                res = rg.lipschitz_constant(net, "l2", (-1, 1), max_seconds=timeout)
            except (rg.LimitExceededError, rg.UnsupportedInputError) as exc:
                print(f"{name:<22}  unknown ({exc}) after {time.perf_counter() - t0:.1f} s", flush=True)
                continue
            s = res.stats
            total += s["branches"]
            print(
                f"{name:<22}{s['branches']:>9}{s['pattern_leaves']:>9}{s['jacobian_leaves']:>9}"
                f"{time.perf_counter() - t0:>9.2f}  {float(res.value) ** 2:.6g}",
                flush=True,
            )
    print(f"total branches: {total}")


def whole_complex(timeout: float) -> None:
    """Output range and Lipschitz constants: certify functions against the whole complex."""
    print(f"{'network':<16}{'quantity':<14}{'certify s':>10}{'complex s':>10}{'ratio':>8}  agree  value")
    for arch in ([3, 16, 16, 1], [4, 10, 10, 1], [3, 8, 8, 2]):
        net = rg.ReLUNetwork.random(arch, seed=0)
        if arch[-1] == 2:
            two_outputs(net, timeout)
            continue
        d = arch[0]
        box = [(Fraction(-1), Fraction(1))] * d
        t0 = time.perf_counter()
        cx = rg.compile_network(net, domain=[[-1, 1]] * d)
        t_compile = time.perf_counter() - t0
        t0 = time.perf_counter()
        values = [net(v.interior_point)[0] for v in cx.vertices]
        lo, hi = min(values), max(values)
        t_vertices = time.perf_counter() - t0
        t0 = time.perf_counter()
        grads = [cell.affine_map[0][0] for cell in cx.regions]
        linf = max(sum((abs(a) for a in g), Fraction(0)) for g in grads)  # one output: ||a||_1
        l2sq = max(sum((a * a for a in g), Fraction(0)) for g in grads)
        t_grad = time.perf_counter() - t0
        name = f"{arch}"
        print(f"{name:<16}complex: {cx.n_regions} regions, {len(cx.vertices)} vertices, compiled in {t_compile:.2f} s")
        t0 = time.perf_counter()
        tw = t_compile + t_vertices
        try:
            r = rg.output_range(net, box, max_seconds=timeout).ranges[0]
        except rg.LimitExceededError as exc:
            t_range = time.perf_counter() - t0
            print(f"{name:<16}{'range':<14}{t_range:>10.2f}{tw:>10.2f}{'':>8}  -      unknown ({exc}); "
                  f"complex [{float(lo):.6g}, {float(hi):.6g}]")
        else:
            t_range = time.perf_counter() - t0
            ok = r.min == lo and r.max == hi
            print(
                f"{name:<16}{'range':<14}{t_range:>10.2f}{tw:>10.2f}{t_range / tw:>8.2f}  {str(ok):<5}  "
                f"[{float(lo):.6g}, {float(hi):.6g}]"
            )
        for norm in ("linf", "l2"):
            t0 = time.perf_counter()
            tw = t_compile + t_grad
            try:
                res = rg.lipschitz_constant(net, norm, box, max_seconds=timeout)
            except rg.LimitExceededError as exc:
                print(f"{name:<16}{'lipschitz ' + norm:<14}{time.perf_counter() - t0:>10.2f}{tw:>10.2f}"
                      f"{'':>8}  -      unknown ({exc})")
                continue
            t_lip = time.perf_counter() - t0
            if norm == "l2":
                v = res.value
                poly = sum((c * l2sq**i for i, c in enumerate(v.poly)), Fraction(0))  # type: ignore[union-attr]
                ok = poly == 0 and v.lo <= l2sq <= v.hi  # type: ignore[union-attr]
                text = f"sqrt({float(l2sq):.6g})"
            else:
                ok = res.value == linf
                text = f"{float(linf):.6g}"
            t0 = time.perf_counter()
            checked = "valid" if rg.verify_certificate(res.certificate, net).valid else "INVALID"
            t_check = time.perf_counter() - t0
            print(
                f"{name:<16}{'lipschitz ' + norm:<14}{t_lip:>10.2f}{tw:>10.2f}{t_lip / tw:>8.2f}  {str(ok):<5}  {text}"
                f"  (compile {res.stats['compile_seconds']:.2f} s; {res.stats.get('pattern_leaves', 0)} pattern,"
                f" {res.stats.get('jacobian_leaves', 0)} jacobian"
                f" leaves; certificate {checked}, checked in {t_check:.2f} s)"
            )


def two_outputs(net: rg.ReLUNetwork, timeout: float) -> None:
    """The l2 row of a network with two outputs against the compiled regions."""
    d = net.input_dim
    name = f"{list(net.architecture)}"
    t0 = time.perf_counter()
    cx = rg.compile_network(net, domain=[[-1, 1]] * d)
    best = None
    for cell in cx.regions:
        lam = _lambda_max_2(cell.affine_map[0])
        if best is None or _sign_sum(lam[0] - best[0], lam[1], best[1]) > 0:
            best = lam
    assert best is not None
    tw = time.perf_counter() - t0
    print(f"{name:<16}complex: {cx.n_regions} regions, compiled in {tw:.2f} s")
    t0 = time.perf_counter()
    try:
        res = rg.lipschitz_constant(net, "l2", [(-1, 1)] * d, max_seconds=timeout)
    except rg.LimitExceededError as exc:
        print(f"{name:<16}{'lipschitz l2':<14}{time.perf_counter() - t0:>10.2f}{tw:>10.2f}{'':>8}  -      unknown ({exc})")
        return
    t_lip = time.perf_counter() - t0
    ok = _is_root_in(res.value, *best)
    t0 = time.perf_counter()
    checked = "valid" if rg.verify_certificate(res.certificate, net).valid else "INVALID"
    t_check = time.perf_counter() - t0
    s = res.stats
    print(
        f"{name:<16}{'lipschitz l2':<14}{t_lip:>10.2f}{tw:>10.2f}{t_lip / tw:>8.2f}  {str(ok):<5}  "
        f"sqrt({float(best[0]) + float(best[1]) ** 0.5:.6g})  (compile {s['compile_seconds']:.2f} s; {s['branches']} branches,"
        f" {s['pattern_leaves']} pattern, {s['jacobian_leaves']} jacobian leaves; certificate {checked}, checked in"
        f" {t_check:.2f} s)"
    )


def main(argv: list[str]) -> None:
    timeout = float(argv[0]) if argv and not argv[0].startswith("--") else 60.0
    if "--whole-complex" in argv:
        whole_complex(timeout)
        return
    if "--l2-branches" in argv:
        l2_branches(timeout)
        return
    if "--acas-only" in argv:
        acas(argv, timeout)
        return
    # constructed properties on small and mid-size networks
    for arch, seed in (([2, 16, 16, 2], 0), ([3, 20, 20, 2], 1), ([4, 20, 20, 20, 2], 2)):
        net = rg.ReLUNetwork.random_normal(arch, seed=seed)
        d = arch[0]
        box = [(Fraction(-1, 10), Fraction(1, 10))] * d
        start = time.perf_counter()
        try:
            r = rg.output_range(net, box, ([1, -1], 0), max_seconds=timeout).ranges[0]
        except rg.LimitExceededError as exc:
            print(
                f"{str(arch) + ' range of y0-y1':<34}unknown  {time.perf_counter() - start:>8.2f} s  ({exc})"
            )
            continue
        print(
            f"{str(arch) + ' range of y0-y1':<34}exact    {time.perf_counter() - start:>8.2f} s  max {float(r.max):.6g}"
        )
        # >= max + 1e-9 (unsat), >= max (sat), and the strict > max (unsat at the attained maximum)
        for label, c, strict in (
            (">= max+1e-9", r.max + Fraction(1, 10**9), False),
            (">= max", r.max, False),
            ("> max", r.max, True),
        ):
            atom = {"y": [-1, 1], "c": c, "strict": strict}
            spec = rg.Specification.from_lists(d, 2, [{"box": box, "atoms": [atom]}])
            run(f"{arch} y0-y1 {label}", net, spec, timeout)
    acas_sized = rg.ReLUNetwork.random_normal([5, 50, 50, 50, 50, 50, 50, 5], seed=0)
    box = [(Fraction(-1, 100), Fraction(1, 100))] * 5
    bound_rule_timing(acas_sized, box)
    if "--acas" in argv and os.path.isdir(ACAS):
        acas(argv, timeout)


if __name__ == "__main__":
    main(sys.argv[1:])
