"""Property certificates over several networks: the checker's own stacking (``docs/certificates.md``).

A ``property`` certificate of a VNN-LIB 2.0 query over several networks lists them under
``"networks"``; its ``"network"`` must be exactly the stack ``F`` of those networks, which
this module rebuilds itself (the producer's stacking is not imported): each network is
padded to the common depth by identity layers ``y = relu(y) - relu(-y)``, the hidden
layers are put side by side block-diagonally, the first layer reads each network's inputs
from the columns ``inputs`` names, and the outputs are concatenated in order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from relu_geom.errors import ReluGeomError
from relu_geom.network import ReLUNetwork
from relu_geom.verify._json import Invalid, _kind, _obj

__all__ = ["check_networks"]

_KEYS = ("name", "network", "network_sha256", "inputs")
_OPTIONAL = ("input", "output", "equal_to", "isomorphic_to", "hidden")  # input, output, hidden: informational
Matrix = list[list[Fraction]]


def _layers(net: ReLUNetwork, depth: int) -> list[tuple[Matrix, list[Fraction]]]:
    """``net``'s affine layers, deepened to ``depth`` hidden layers without changing its function."""
    layers = [([list(r) for r in w], list(b)) for w, b in zip(net.weights, net.biases)]
    if net.depth == depth:
        return layers
    m = net.output_dim
    w, b = layers.pop()
    layers.append((w + [[-v for v in r] for r in w], b + [-v for v in b]))  # (relu(y), relu(-y))
    one, zero = Fraction(1), Fraction(0)
    for _ in range(depth - net.depth - 1):
        keep = [[one if j == i else -one if j == i + m else zero for j in range(2 * m)] for i in range(m)]
        layers.append((keep + [[-v for v in r] for r in keep], [zero] * (2 * m)))
    layers.append(([[one if j == i else -one if j == i + m else zero for j in range(2 * m)] for i in range(m)],
                   [zero] * m))
    return layers


def stacked(nets: Sequence[ReLUNetwork], inputs: Sequence[Sequence[int]], dim: int) -> ReLUNetwork:
    """The network ``v -> (f_1(v[inputs[0]]), ..., f_k(v[inputs[k-1]]))`` on ``dim`` inputs."""
    depth = max(n.depth for n in nets)
    parts = [_layers(n, depth) for n in nets]
    weights, biases = [], []
    for k in range(depth + 1):
        rows: Matrix = []
        if k == 0:
            for part, cols in zip(parts, inputs):
                for r in part[0][0]:
                    row = [Fraction(0)] * dim
                    for c, v in zip(cols, r):
                        row[c] += v
                    rows.append(row)
        else:
            widths = [len(part[k - 1][1]) for part in parts]
            total = sum(widths)
            start = 0
            for part, width in zip(parts, widths):
                for r in part[k][0]:
                    rows.append([Fraction(0)] * start + r + [Fraction(0)] * (total - start - width))
                start += width
        weights.append(rows)
        biases.append([v for part in parts for v in part[k][1]])
    return ReLUNetwork(weights, biases)


def check_networks(
    value: object,
    embedded: ReLUNetwork,
    given: Sequence[ReLUNetwork] | None,
    parse: Callable[[dict], tuple[ReLUNetwork, Mapping[str, Any]]],
    sha256: Callable[[Mapping[str, Any]], str],
) -> list[str]:
    """Check the ``"networks"`` list of a property certificate; the lines of the report.

    ``parse`` and ``sha256`` are the checker's own network decoding and hashing; ``given``
    are the networks the checker was given (one per entry without ``equal_to``, in order).
    """
    if not isinstance(value, list) or not value:
        got = "an empty list" if isinstance(value, list) else _kind(value)
        raise Invalid("networks", f"expected a non-empty list of networks, got {got}")
    names: dict[str, int] = {}
    nets: list[ReLUNetwork] = []
    maps: list[list[int]] = []
    dim = embedded.input_dim
    for i, entry in enumerate(value):
        p = f"networks[{i}]"
        _obj(entry, p, _KEYS, _OPTIONAL)
        name = entry["name"]
        if not isinstance(name, str) or name in names:
            raise Invalid(f"{p}.name", f"expected a new network name, got {_kind(name)} {name!r}")
        try:
            net, canon = parse({"network": entry["network"]})
        except Invalid as exc:
            raise Invalid(f"{p}.{exc.path}", exc.reason) from None
        digest = sha256(canon)
        if entry["network_sha256"] != digest:
            raise Invalid(f"{p}.network_sha256", f"does not match its network (whose SHA-256 is {digest})")
        cols = entry["inputs"]
        if (
            not isinstance(cols, list)
            or len(cols) != net.input_dim
            or not all(type(c) is int and 0 <= c < dim for c in cols)
        ):
            raise Invalid(
                f"{p}.inputs", f"expected {net.input_dim} input indices in 0..{dim - 1} (one per input of the network)"
            )
        for key in ("equal_to", "isomorphic_to"):
            if key not in entry:
                continue
            target = entry[key]
            if not isinstance(target, str) or target not in names:
                raise Invalid(f"{p}.{key}", f"expected the name of an earlier network, got {_kind(target)}")
            other = nets[names[target]]
            if key == "equal_to" and net != other:
                raise Invalid(f"{p}.network", f"is declared equal_to {target} but differs from it")
            if key == "isomorphic_to" and net.architecture != other.architecture:
                raise Invalid(f"{p}.network", f"is declared isomorphic_to {target} but its architecture differs")
        names[name] = i
        nets.append(net)
        maps.append(cols)
    if {c for cols in maps for c in cols} != set(range(dim)):
        raise Invalid("networks", f"the inputs of the networks do not cover the {dim} inputs of 'network'")
    try:
        rebuilt = stacked(nets, maps, dim)
    except ReluGeomError as exc:  # pragma: no cover - the parts decoded, so their stack does
        raise Invalid("networks", f"do not stack: {exc}") from None
    if rebuilt != embedded:
        raise Invalid("network", "is not the stack of the listed networks (rebuilt by the checker)")
    lines = [f"'network' is the stack of the {len(nets)} listed networks ({', '.join(names)}), each with its SHA-256"]
    if given is not None:
        needed = [i for i, e in enumerate(value) if "equal_to" not in e]
        if len(given) != len(needed):
            raise Invalid(
                "networks", f"{len(needed)} networks need a file (those without equal_to), {len(given)} were given"
            )
        for j, (i, net) in enumerate(zip(needed, given)):
            if net != nets[i]:
                raise Invalid(f"networks[{i}].network", f"differs from the network given to the checker (given network {j + 1})")
        lines.append(f"the listed networks equal the {len(given)} given, in order")
    return lines
