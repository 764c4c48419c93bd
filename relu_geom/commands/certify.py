"""``relu-geom certify NET [NET ...] SPEC.vnnlib``: decide a VNN-LIB property exactly, with a certificate.

Exit status: 0 unsat (the property holds: no unsafe input), 1 sat (an exact witness),
2 error, 3 unknown (a limit stopped the search).  ``--result-file`` writes the VNN-COMP
result: the first line ``sat`` / ``unsat`` / ``unknown`` / ``timeout``, then for sat the
assignment ``((X_0 v) ... (Y_0 w) ...)``.  Values are exact when they are finite decimals;
other rationals are written as decimals with 30 significant digits (a note goes to stderr).

A VNN-LIB 2.0 query over several networks takes one NET per declared network not marked
``equal-to``, in declaration order, or, as the standard's command line does, only SPEC and
``--network NAME=FILE`` for each of them (``relu-geom certify q.vnnlib --network
teacher=t.onnx --network student=s.onnx``).  Its assignment names every element by its
declared tensor and index, network by network, input then output: ``((TX[0,0] v) ...
(TY[0,0] w) (SX[0,0] v) ... (SY[0,0] w))`` (docs/vnnlib.md); ``--json`` lists the same pairs
under ``"assignment"``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from fractions import Fraction
from typing import Any

from relu_geom.commands._common import (
    add_bound_rule_option,
    add_network_argument,
    emit_json,
    read_network,
    write_text_atomic,
)
from relu_geom.errors import BackendUnavailableError, FileFormatError, InvalidInputError

EXIT = {"unsat": 0, "sat": 1, "unknown": 3}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "certify",
        help="decide a VNN-LIB property exactly (sat with a witness, unsat with a proof)",
        description="Exact verification of NET against the unsafe set of SPEC (VNN-LIB), with a certificate.",
    )
    add_network_argument(p)
    p.add_argument(
        "spec",
        metavar="[NET ...] SPEC",
        nargs="*",
        help="the property (.vnnlib); for a VNN-LIB 2.0 query over several networks, first the further "
        "networks, one per declare-network not marked equal-to, in declaration order",
    )
    p.add_argument(
        "--network",
        action="append",
        metavar="NAME=FILE",
        help="the network file of the declared network NAME of a VNN-LIB 2.0 query (once per network "
        "not marked equal-to); then give only SPEC",
    )
    p.add_argument("--spec-json", help=argparse.SUPPRESS)  # a Specification as plain JSON (tests, tools)
    p.add_argument("--timeout", type=float, metavar="S", help="stop after S seconds with 'unknown'")
    p.add_argument("--max-branches", type=int, metavar="N", help="stop after N branches with 'unknown'")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument("-o", "--output", metavar="CERT", help="write the certificate (JSON) here")
    p.add_argument("--result-file", metavar="OUT", help="write the VNN-COMP result file here")
    p.add_argument("--progress", action="store_true", help="show a progress bar on stderr")
    add_bound_rule_option(p)
    p.set_defaults(run=run)


def _read_spec(args: argparse.Namespace, nets: list):
    from relu_geom.network.spec import Specification

    if args.spec_json:
        if len(nets) != 1:
            raise FileFormatError("--spec-json: a property of one network (give one NET)")
        try:
            with open(args.spec_json, encoding="utf-8") as fh:
                data = json.load(fh)
            return Specification.from_lists(data["n_inputs"], data["n_outputs"], data["disjuncts"]), None
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise FileFormatError(f"--spec-json {args.spec_json!r}: not a property ({exc})") from None
    if not args.spec_path:
        raise FileFormatError("SPEC: give a .vnnlib property file")
    try:
        from relu_geom.io.vnnlib import read_vnnlib
    except ImportError:
        raise BackendUnavailableError(
            "SPEC: the VNN-LIB reader relu_geom.io.vnnlib is not available"
        ) from None
    import hashlib
    import os

    spec = read_vnnlib(args.spec_path) if len(nets) > 1 or _several(args.spec_path) else None
    if spec is None or not spec.networks:
        spec = read_vnnlib(args.spec_path, n_inputs=nets[0].input_dim, n_outputs=nets[0].output_dim)
    else:
        needed = [d for d in spec.networks if d.equal_to is None]
        if len(needed) != len(nets):
            raise InvalidInputError(
                f"NET: the query declares {len(spec.networks)} networks, {len(needed)} without equal-to "
                f"({', '.join(d.name for d in needed)}): give {len(needed)} network files before SPEC, "
                f"got {len(nets)}"
            )
        dims = {d.name: (n.input_dim, n.output_dim) for d, n in zip(needed, nets)}
        for d in spec.networks:
            if d.equal_to is not None:
                dims[d.name] = dims[d.equal_to]
        spec = read_vnnlib(args.spec_path, network_dims=dims)  # a shape mismatch names its token
    with open(args.spec_path, "rb") as fh:
        digest = hashlib.sha256(fh.read()).hexdigest()
    return spec, {"file": os.path.basename(args.spec_path), "sha256": digest}


def _tapped(path: str, decl: Any):
    """The network of ``path`` with the hidden tensors of ``decl`` as more outputs (ONNX only)."""
    from relu_geom.io import network_from_onnx

    hidden = {onnx: math.prod(shape) for _, shape, onnx in decl.hidden_tensors}
    names = ", ".join(name for name, *_ in decl.hidden_tensors)
    if not str(path).endswith(".onnx"):
        raise InvalidInputError(
            f"NET {path}: the query declares hidden tensors of {decl.name} ({names}), which name "
            "tensors of an ONNX graph: give the network as a .onnx file"
        )
    return network_from_onnx(path, hidden=hidden)



def _named_networks(args: argparse.Namespace) -> tuple[list[str], list, Any, dict]:
    """``--network NAME=FILE`` (the VNN-LIB 2.0 command line): the files and networks in
    declaration order (one per declaration not marked ``equal-to``), the query and its source."""
    if args.spec or args.spec_json:
        raise InvalidInputError("--network: give the networks by name only, then SPEC alone (no NET before it)")
    args.spec_path = args.net
    files: dict[str, str] = {}
    for item in args.network:
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            raise InvalidInputError(f"--network {item!r}: expected NAME=FILE")
        if name in files:
            raise InvalidInputError(f"--network: the network {name!r} is given twice")
        files[name] = path
    from relu_geom.io.vnnlib import read_vnnlib

    probe = read_vnnlib(args.spec_path) if _several(args.spec_path) else None
    if probe is None and len(files) > 1:
        raise InvalidInputError(f"--network: {len(files)} networks given, the query declares at most one")
    needed = [d.name for d in probe.networks if d.equal_to is None] if probe is not None else list(files)
    for name in files:
        if name not in needed:
            raise InvalidInputError(
                f"--network {name}=...: the query declares no network {name!r} without equal-to "
                f"(it needs {', '.join(needed)})"
            )
    missing = [name for name in needed if name not in files]
    if missing:
        raise InvalidInputError(f"--network: no file for the declared network {missing[0]!r}")
    paths = [files[name] for name in needed]
    nets = [read_network(path, args) for path in paths]
    if probe is None:  # one network: its declared name must be the given one
        try:
            read_vnnlib(args.spec_path, network_dims={needed[0]: (nets[0].input_dim, nets[0].output_dim)})
        except InvalidInputError as exc:
            raise InvalidInputError(f"--network {needed[0]}=...: does not fit the query ({exc})") from None
    spec, source = _read_spec(args, nets)
    return paths, nets, spec, source


def _several(path: str) -> bool:
    """Whether the file may declare several networks (then it is read once without sizes)."""
    try:
        with open(path, "rb") as fh:
            return fh.read().count(b"declare-network") > 1
    except OSError:
        return False  # read_vnnlib names the problem


def _assignment(res, spec, nets) -> list[tuple[str, Fraction]]:
    """The named values of a sat witness: ``X_i``, ``Y_j`` for one network, else
    ``NAME[i,j,...]`` for every declared tensor, network by network, in declaration order
    (inputs, hidden tensors, outputs)."""
    if not spec.networks:
        pairs = [(f"X_{i}", v) for i, v in enumerate(res.witness)]
        return pairs + [(f"Y_{j}", v) for j, v in enumerate(nets[0](res.witness))]
    from relu_geom.certify.properties import query_networks

    pairs = []
    for d, net in zip(spec.networks, query_networks(nets, spec)):
        x = [res.witness[j] for j in d.inputs]
        out = net(x)
        m = sum(math.prod(shape) for _, shape in d.output_tensors)
        hidden = tuple((name, shape) for name, shape, _ in d.hidden_tensors)
        for tensors, vector in ((d.input_tensors, x), (hidden, out[m:]), (d.output_tensors, out[:m])):
            start = 0
            for name, shape in tensors:
                size = math.prod(shape)
                pairs.extend(_named(name, shape, vector[start : start + size]))
                start += size
    return pairs


def _named(name: str, shape: tuple[int, ...], values) -> list[tuple[str, Fraction]]:
    """``NAME[i,j,...]`` (row-major) for each value of one tensor; a scalar tensor by its name."""
    out = []
    for flat, v in enumerate(values):
        index, rest = [], flat
        for n in reversed(shape):
            index.append(rest % n)
            rest //= n
        out.append((f"{name}[{','.join(map(str, reversed(index)))}]" if shape else name, v))
    return out


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

    if args.network:
        paths, nets, spec, source = _named_networks(args)
    else:
        args.spec_path = args.spec[-1] if args.spec and not args.spec_json else None
        extra = args.spec if args.spec_json else args.spec[:-1]
        paths = [args.net, *extra]
        nets = [read_network(path, args) for path in paths]
        spec, source = _read_spec(args, nets)
    if any(d.hidden_tensors for d in spec.networks):
        needed = [d for d in spec.networks if d.equal_to is None]
        nets = [_tapped(path, d) if d.hidden_tensors else n for d, path, n in zip(needed, paths, nets)]
    if len(nets) > 1 and not spec.networks:
        raise FileFormatError(f"NET: {len(nets)} networks given, the property is about one")
    res = check_property(
        nets[0] if not spec.networks else nets,
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
            pairs = _assignment(res, spec, nets)
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
        out = res.to_dict()
        if res.verdict == "sat":
            out["assignment"] = [[name, str(v)] for name, v in _assignment(res, spec, nets)]
        emit_json(out)
    else:
        print(res.verdict)
        if res.verdict == "sat":
            print("witness x =", [str(v) for v in res.witness or ()])
        elif res.verdict == "unknown":
            print(f"reason: {res.reason}; open bound gap {res.gap}")
        print(f"branches {res.stats.get('branches', 0)}, {res.stats.get('seconds')} s")
    return EXIT[res.verdict]
