"""``relu-geom verify CERT.json [NET ...] [--json] [--max-seconds S]``: check a certificate independently.

A property certificate of a VNN-LIB 2.0 query over several networks takes them all (one per
listed network not marked ``equal_to``, in order, as ``relu-geom certify`` was given them).
A network whose entry lists hidden tensors is read from its ONNX file with them as more
outputs (``network_from_onnx(path, hidden=...)``), as ``certify`` read it.

Prints ``valid`` and what was checked, or ``invalid: <path>: <reason>``.  Exit status
0 for a valid certificate, 1 for an invalid one or the verdict ``unknown``, 2 for errors
(missing file, not JSON, unreadable network, time limit reached).
"""

from __future__ import annotations

import argparse
import math

from relu_geom.commands._common import emit_json, read_network
from relu_geom.verify import verify_certificate


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "verify",
        help="check a relu-geom/certificate@1 (or @2) certificate with exact arithmetic",
        description=(
            "Re-check CERT from scratch (exact rational arithmetic, its own bound rule). "
            "With NET, the embedded network must equal NET exactly. Exit 0 valid, 1 invalid or unknown."
        ),
    )
    p.add_argument("cert", metavar="CERT", help="the certificate (JSON file)")
    p.add_argument(
        "net",
        metavar="NET",
        nargs="*",
        help="optional network file (or zoo:NAME) it must be about; for a property of several networks, "
        "each of them in order",
    )
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    p.add_argument(
        "--max-seconds",
        type=float,
        metavar="S",
        help="give up (exit 2, no verdict) after S seconds of proof checking",
    )
    p.set_defaults(run=run)


def _hidden(top: object) -> list[dict[str, int]]:
    """The hidden tensors (ONNX name -> entries) of each network of a parsed property
    certificate that needs a file (those without ``equal_to``); ``[]`` when it lists none."""
    try:
        entries = [e for e in top["networks"] if "equal_to" not in e]  # type: ignore[index]
        return [
            {h["onnx"]: math.prod(h["shape"]) for h in e.get("hidden", ()) if all(type(v) is int for v in h["shape"])}
            for e in entries
        ]
    except (KeyError, TypeError, AttributeError):
        return []  # the checker names what is wrong with the certificate


def run(args: argparse.Namespace) -> int:
    from relu_geom.errors import ReluGeomError
    from relu_geom.io import network_from_onnx
    from relu_geom.verify import load_certificate

    cert: object = args.cert
    hidden: list[dict[str, int]] = []
    if any(str(p).endswith(".onnx") for p in args.net):
        try:
            cert, _ = load_certificate(args.cert)  # read once: its hidden tensors, then the check
            hidden = _hidden(cert)
        except ReluGeomError:
            pass  # verify_certificate names what is wrong with the file
    nets = [
        network_from_onnx(path, hidden=hidden[i])
        if i < len(hidden) and hidden[i] and str(path).endswith(".onnx")
        else read_network(path)
        for i, path in enumerate(args.net)
    ]
    network = None if not nets else nets[0] if len(nets) == 1 else nets
    report = verify_certificate(cert, network, max_seconds=args.max_seconds)
    if args.json:
        emit_json(report.to_dict())
    elif report.valid:
        print(f"valid: {report.claim} certificate, verdict {report.verdict}")
        for line in report.checked:
            print(f"  {line}")
        leaves = ", ".join(f"{n} {kind}" for kind, n in report.leaves if n)
        print(f"  {report.n_nodes} proof nodes" + (f" ({leaves} leaves)" if leaves else ""))
    elif report.first_failure is None:
        print("unknown: nothing to verify")
    else:
        print(f"invalid: {report.first_failure}")
    return 0 if report.valid else 1
