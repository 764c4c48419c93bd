"""``relu-geom certify NET SPEC.vnnlib``: decide a VNN-LIB property exactly, with a certificate.

Exit status: 0 unsat (the property holds: no unsafe input), 1 sat (an exact witness),
2 error, 3 unknown (a limit stopped the search).  ``--result-file`` writes the VNN-COMP
result: the first line ``sat`` / ``unsat`` / ``unknown`` / ``timeout``, then for sat the
assignment ``((X_0 v) ... (Y_0 w) ...)``.  Values are exact when they are finite decimals;
other rationals are written as decimals with 30 significant digits (a note goes to stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from fractions import Fraction

from relu_geom.commands._common import (
    add_bound_rule_option,
    add_network_argument,
    emit_json,
    read_network,
    write_text_atomic,
)
from relu_geom.errors import BackendUnavailableError, FileFormatError

EXIT = {"unsat": 0, "sat": 1, "unknown": 3}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "certify",
        help="decide a VNN-LIB property exactly (sat with a witness, unsat with a proof)",
        description="Exact verification of NET against the unsafe set of SPEC (VNN-LIB), with a certificate.",
    )
    add_network_argument(p)
    p.add_argument("spec", metavar="SPEC", nargs="?", help="the property (.vnnlib)")
    p.add_argument("--spec-json", help=argparse.SUPPRESS)  # a Specification as plain JSON (tests, tools)
    p.add_argument("--timeout", type=float, metavar="S", help="stop after S seconds with 'unknown'")
    p.add_argument("--max-branches", type=int, metavar="N", help="stop after N branches with 'unknown'")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument("-o", "--output", metavar="CERT", help="write the certificate (JSON) here")
    p.add_argument("--result-file", metavar="OUT", help="write the VNN-COMP result file here")
    p.add_argument("--progress", action="store_true", help="show a progress bar on stderr")
    add_bound_rule_option(p)
    p.set_defaults(run=run)


def _read_spec(args: argparse.Namespace, net):
    from relu_geom.network.spec import Specification

    if args.spec_json:
        try:
            with open(args.spec_json, encoding="utf-8") as fh:
                data = json.load(fh)
            return Specification.from_lists(data["n_inputs"], data["n_outputs"], data["disjuncts"]), None
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise FileFormatError(f"--spec-json {args.spec_json!r}: not a property ({exc})") from None
    if not args.spec:
        raise FileFormatError("SPEC: give a .vnnlib property file")
    try:
        from relu_geom.io.vnnlib import read_vnnlib
    except ImportError:
        raise BackendUnavailableError(
            "SPEC: the VNN-LIB reader relu_geom.io.vnnlib is not available"
        ) from None
    import hashlib
    import os

    spec = read_vnnlib(args.spec, n_inputs=net.input_dim, n_outputs=net.output_dim)
    with open(args.spec, "rb") as fh:
        digest = hashlib.sha256(fh.read()).hexdigest()
    return spec, {"file": os.path.basename(args.spec), "sha256": digest}


def vnncomp_number(v: Fraction) -> tuple[str, bool]:
    """A decimal for ``v``: exact when ``v`` is a finite decimal (then True), else 30 significant digits."""
    q = v.denominator
    a = b = 0
    while q % 2 == 0:
        q //= 2
        a += 1
    while q % 5 == 0:
        q //= 5
        b += 1
    if q == 1:
        n = max(a, b)
        digits = str(abs(v.numerator) * 10**n // v.denominator).rjust(n + 1, "0")
        sign = "-" if v < 0 else ""
        return (sign + (digits[:-n] + "." + digits[-n:] if n else digits)), True
    from decimal import Context

    ctx = Context(prec=30)
    return str(ctx.divide(ctx.create_decimal(v.numerator), ctx.create_decimal(v.denominator))), False


def run(args: argparse.Namespace) -> int:
    from relu_geom.certify.properties import check_property

    net = read_network(args.net)
    spec, source = _read_spec(args, net)
    res = check_property(
        net,
        spec,
        max_seconds=args.timeout,
        max_branches=args.max_branches,
        progress=args.progress,
        source=source,
        bound_rule=args.bound_rule,
    )
    if args.output:
        res.write_certificate(args.output)
    if args.result_file:
        first = res.verdict
        if res.verdict == "unknown" and res.reason and "time" in res.reason:
            first = "timeout"
        lines = [first]
        if res.verdict == "sat":
            assert res.witness is not None
            pairs = [(f"X_{i}", v) for i, v in enumerate(res.witness)]
            pairs += [(f"Y_{j}", v) for j, v in enumerate(net(res.witness))]
            exact = True
            body = []
            for name, v in pairs:
                text, ok = vnncomp_number(v)
                exact = exact and ok
                body.append(f"({name} {text})")
            lines.append("(" + "\n ".join(body) + ")")
            if not exact:
                print(
                    "relu-geom certify: note: some witness values are not finite decimals and were rounded "
                    "to 30 digits in the result file (the certificate keeps them exactly)",
                    file=sys.stderr,
                )
        write_text_atomic(args.result_file, "\n".join(lines) + "\n")
    if args.json:
        emit_json(res.to_dict())
    else:
        print(res.verdict)
        if res.verdict == "sat":
            print("witness x =", [str(v) for v in res.witness or ()])
        elif res.verdict == "unknown":
            print(f"reason: {res.reason}; open bound gap {res.gap}")
        print(f"branches {res.stats.get('branches', 0)}, {res.stats.get('seconds')} s")
    return EXIT[res.verdict]
