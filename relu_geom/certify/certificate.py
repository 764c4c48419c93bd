"""The ``relu-geom/certificate@1`` envelope: canonical network, its SHA-256, atomic writing."""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any

from relu_geom.files import write_text_atomic
from relu_geom.network import ReLUNetwork

__all__ = ["FORMAT", "FORMAT_STRICT", "canonical_network", "envelope", "network_sha256", "write_certificate"]

FORMAT = "relu-geom/certificate@1"
FORMAT_STRICT = "relu-geom/certificate@2"
"""The format of a ``property`` certificate whose question has a strict atom (``@1`` plus strict atoms)."""


def canonical_network(net: ReLUNetwork) -> dict[str, Any]:
    """``net.to_dict()`` with every parameter written as a string ``"p/q"`` (``"p"`` for integers)."""
    obj = net.to_dict()
    obj["weights"] = [[[str(v) for v in row] for row in w] for w in obj["weights"]]
    obj["biases"] = [[str(v) for v in b] for b in obj["biases"]]
    return obj


def network_sha256(net: ReLUNetwork) -> str:
    """SHA-256 of ``json.dumps(canonical, sort_keys=True, separators=(",", ":"))``.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.certify.certificate import network_sha256
    >>> len(network_sha256(rg.ReLUNetwork([[[1]], [[1]]], [[0], [0]])))
    64
    """
    text = json.dumps(canonical_network(net), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def envelope(
    claim: str,
    net: ReLUNetwork,
    question: dict[str, Any],
    verdict: str,
    evidence: dict[str, Any],
    seconds: float,
    **producer: Any,
) -> dict[str, Any]:
    """The certificate object of ``docs/certificates.md``."""
    from relu_geom._version import __version__

    return {
        "format": FORMAT,
        "claim": claim,
        "network": canonical_network(net),
        "network_sha256": network_sha256(net),
        "question": question,
        "verdict": verdict,
        "evidence": evidence,
        "producer": {"relu_geom": __version__, "seconds": f"{seconds:.3f}", **producer},
    }


def write_certificate(cert: dict[str, Any], path: str | os.PathLike[str]) -> None:
    """Write a certificate as JSON, atomically (no partial file on failure)."""
    write_text_atomic(path, json.dumps(cert, indent=1) + "\n")
