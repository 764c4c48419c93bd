"""VNN-LIB style properties: exact ``sat`` / ``unsat`` / ``unknown`` with certificates, and
the exact unsafe set of small networks."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from relu_geom.arith.rational import format_rational
from relu_geom.certify.bab import Form, Goal, attack_goal, branch_and_bound
from relu_geom.certify.bounds import (
    DEFAULT_PRECISION_BITS,
    check_search_limits,
    resolve_bound_rule,
    rule_key,
)
from relu_geom.certify.certificate import (
    FORMAT_STRICT,
    canonical_network,
    envelope,
    network_sha256,
    write_certificate,
)
from relu_geom.compiler.entry import as_network
from relu_geom.errors import DimensionMismatchError, InvalidInputError, UnsupportedInputError
from relu_geom.geometry import Polyhedron
from relu_geom.network import ReLUNetwork
from relu_geom.network.spec import Disjunct, Specification
from relu_geom.network.transforms import stack_networks

_ATTACK_SHARE = 0.15  # of max_seconds: attack rounds over all disjuncts before the searches
_ATTACK_STARTS = 1024  # float starts per disjunct and round

__all__ = ["PropertyResult", "check_property", "disjunct_goal", "query_networks", "unsafe_set"]


@dataclass(frozen=True, slots=True)
class PropertyResult:
    """The answer of :func:`check_property`.

    Attributes
    ----------
    verdict
        ``"sat"`` (a violating input exists: ``witness``), ``"unsat"`` (proved: none exists)
        or ``"unknown"`` (a limit stopped the search: ``reason``, ``gap``).
    witness
        The exact violating input (sat), with ``disjunct`` its disjunct index.  For a query
        over several networks it is an input of the stacked network: network ``i`` reads
        ``[witness[j] for j in spec.networks[i].inputs]``.
    certificate
        The ``relu-geom/certificate@1`` object (``@2`` when the property has a strict atom).
    stats
        Branches, leaves by kind, seconds.
    """

    verdict: str
    witness: tuple[Fraction, ...] | None
    disjunct: int | None
    certificate: dict[str, Any]
    stats: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    gap: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (exact numbers as ``"p/q"`` strings)."""
        return {
            "verdict": self.verdict,
            "witness": None if self.witness is None else [format_rational(v) for v in self.witness],
            "disjunct": self.disjunct,
            "reason": self.reason,
            "gap": self.gap,
            "stats": self.stats,
        }

    def write_certificate(self, path: str | os.PathLike[str]) -> None:
        """Write the certificate atomically."""
        write_certificate(self.certificate, path)


def disjunct_goal(net: ReLUNetwork, dis: Disjunct) -> Goal:
    """The goal ``(box, input_rows, atoms, 0, "<")`` of one disjunct (its strict atoms ``< 0``)."""
    m = net.output_dim
    zero_y = (Fraction(0),) * m
    rows = tuple(Form(r.x, zero_y, r.c) for r in dis.input_rows)
    atoms = tuple(Form(a.x, a.y, a.c) for a in dis.atoms)
    phi = Form((Fraction(0),) * net.input_dim, zero_y, Fraction(0))
    strict = frozenset(k for k, a in enumerate(dis.atoms) if a.strict)
    return Goal(net, dis.box, rows, atoms, phi, True, strict)


def _check_dims(net: ReLUNetwork, spec: Specification) -> None:
    if not isinstance(spec, Specification):
        raise InvalidInputError(f"spec: expected a relu_geom.Specification, got {type(spec).__name__}")
    if spec.n_inputs != net.input_dim or spec.n_outputs != net.output_dim:
        raise DimensionMismatchError(
            f"spec: the property has {spec.n_inputs} inputs and {spec.n_outputs} outputs, the network "
            f"{net.input_dim} and {net.output_dim}"
        )


def query_networks(
    nets: ReLUNetwork | Mapping[str, ReLUNetwork] | Sequence[ReLUNetwork], spec: Specification
) -> tuple[ReLUNetwork, ...]:
    """The network of each declaration of a query over several networks, in declaration order.

    ``nets`` is a mapping from the declared names to networks (a network declared
    ``equal-to`` another may be left out: it is that network), or a sequence in
    declaration order, either with one network per declaration not marked ``equal-to``
    (the networks the VNN-LIB 2.0 command line asks for) or with one per declaration.

    Raises
    ------
    InvalidInputError
        A missing or unknown name, the wrong number of networks, an ``equal-to`` network
        that is not the same network, an ``isomorphic-to`` one of another architecture.
    DimensionMismatchError
        A network whose input or output size is not the declared tensor's.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.certify.properties import query_networks
    >>> spec = rg.read_vnnlib('''(vnnlib-version <2.0>)
    ... (declare-network f (declare-input A Real [1]) (declare-output B Real [1]))
    ... (declare-network g (equal-to f) (declare-input C Real [1]) (declare-output D Real [1]))
    ... (assert (<= -1 A[0] 1)) (assert (<= -1 C[0] 1)) (assert (>= (- B[0] D[0]) 1))''')
    >>> f = rg.ReLUNetwork([[[1]], [[1]]], [[0], [0]])
    >>> query_networks({"f": f}, spec) == (f, f) == query_networks([f], spec)
    True
    """
    decls = spec.networks
    names = [d.name for d in decls]
    listing = ", ".join(names)
    if isinstance(nets, ReLUNetwork) and len(decls) == 1:
        nets = [nets]  # one network with hidden tensors
    if isinstance(nets, ReLUNetwork):
        raise InvalidInputError(
            f"net: the query declares {len(decls)} networks ({listing}): give a mapping name -> network "
            "or a sequence in declaration order"
        )
    given: dict[str, ReLUNetwork] = {}
    if isinstance(nets, Mapping):
        for key, value in nets.items():
            if key not in names:
                raise InvalidInputError(f"net: the query declares no network {key!r} (it declares {listing})")
            given[key] = as_network(value, what=f"net[{key!r}]")
    elif isinstance(nets, Sequence) and not isinstance(nets, (str, bytes)):
        needed = [d.name for d in decls if d.equal_to is None]
        if len(nets) == len(needed):
            order = needed
        elif len(nets) == len(decls):
            order = names
        else:
            raise InvalidInputError(
                f"net: the query declares {len(decls)} networks ({listing}), {len(needed)} without equal-to "
                f"({', '.join(needed)}): expected {len(needed)} networks in that order, got {len(nets)}"
            )
        given = {key: as_network(v, what=f"net[{k}]") for k, (key, v) in enumerate(zip(order, nets))}
    else:
        raise InvalidInputError(
            f"net: expected a network, a mapping name -> network or a sequence, got {type(nets).__name__}"
        )
    out: dict[str, ReLUNetwork] = {}
    for d in decls:
        if d.equal_to is not None:
            same = out[d.equal_to]
            if d.name in given and given[d.name] != same:
                raise InvalidInputError(
                    f"net[{d.name!r}]: {d.name} is declared equal-to {d.equal_to}, but the network given "
                    f"for it is not {d.equal_to}'s"
                )
            out[d.name] = same
            continue
        if d.name not in given:
            raise InvalidInputError(f"net: no network given for {d.name!r} (the query declares {listing})")
        net = given[d.name]
        if d.isomorphic_to is not None and net.architecture != out[d.isomorphic_to].architecture:
            raise InvalidInputError(
                f"net[{d.name!r}]: {d.name} is declared isomorphic-to {d.isomorphic_to}, but its architecture "
                f"{list(net.architecture)} is not {list(out[d.isomorphic_to].architecture)}"
            )
        for what, have, want, tensor in (
            ("inputs", net.input_dim, d.n_inputs, d.input_tensors),
            ("outputs", net.output_dim, d.n_outputs, d.output_tensors),
        ):
            if have != want:
                tensors = ", ".join(n for n, *_ in tensor + (d.hidden_tensors if what == "outputs" else ()))
                tapped = (
                    " (its outputs, then the hidden tensors: read it with "
                    "network_from_onnx(path, hidden=[...]))"
                    if what == "outputs" and d.hidden_tensors
                    else ""
                )
                raise DimensionMismatchError(
                    f"net[{d.name!r}]: the query declares {tensors} with {want} {what}{tapped}, "
                    f"the network has {have}"
                )
        out[d.name] = net
    return tuple(out[n] for n in names)


def check_property(
    net: ReLUNetwork | Mapping[str, ReLUNetwork] | Sequence[ReLUNetwork],
    spec: Specification,
    *,
    max_seconds: float | None = None,
    max_branches: int | None = None,
    progress: bool | Callable[[dict[str, Any]], None] = False,
    precision_bits: int = DEFAULT_PRECISION_BITS,
    bound_rule: str | None = None,
    source: dict[str, str] | None = None,
) -> PropertyResult:
    """Decide a property exactly: is some input of the unsafe set (the union of the disjuncts) reachable?

    Parameters
    ----------
    net
        The network; for a query over several networks (``spec.networks``, VNN-LIB 2.0), a
        mapping from the declared names to networks or a sequence in declaration order
        (see :func:`query_networks`).  They are decided as the one network
        :func:`~relu_geom.network.transforms.stack_networks` builds (``docs/vnnlib.md``).
    spec
        A :class:`~relu_geom.Specification` (for example from ``relu_geom.io.vnnlib.read_vnnlib``).
    max_seconds, max_branches
        Limits for the whole search (branches counted over all disjuncts); reaching one
        gives ``"unknown"`` with the reason and the open float-guided bound gap.
    progress
        True for a tqdm bar on stderr, or a callback receiving ``{"branches", "open", "gap"}``.
    precision_bits
        The ``k`` of the bound rule (written to the certificate).
    bound_rule
        ``"forward"``, ``"backward"`` (back-substitution as well: tighter bounds on deep
        networks, more work per node) or None (``"backward"`` from three hidden layers
        on); recorded in the certificate's question.
    source
        Informational ``{"file": name, "sha256": hex}`` of the property file.

    Returns
    -------
    PropertyResult

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[1], [-1]], [[1, 1]]], [[0, 0], [0]])  # |x|
    >>> unsafe = rg.Specification.from_lists(1, 1, [{"box": [[-1, 2]], "atoms": [{"y": [-1], "c": 3}]}])
    >>> check_property(net, unsafe).verdict  # |x| >= 3 never happens on [-1, 2]
    'unsat'
    >>> unsafe = rg.Specification.from_lists(1, 1, [{"box": [[-1, 2]], "atoms": [{"y": [-1], "c": "7/4"}]}])
    >>> res = check_property(net, unsafe)
    >>> res.verdict, abs(net(res.witness)[0]) >= rg.arith.QQ(7, 4)
    ('sat', True)

    A strict atom: ``|x| > 2`` is unsat on ``[-1, 2]`` although ``|2| = 2`` (the maximum is
    attained, so the closure ``|x| >= 2`` is sat):

    >>> strict = rg.Specification.from_lists(
    ...     1, 1, [{"box": [[-1, 2]], "atoms": [{"y": [-1], "c": 2, "strict": True}]}])
    >>> res = check_property(net, strict)
    >>> res.verdict, res.certificate["format"]
    ('unsat', 'relu-geom/certificate@2')

    Two networks (VNN-LIB 2.0) on one shared input: ``|x|`` and ``x`` differ by at most 4
    on ``[-2, 1]`` (at ``x = -2``):

    >>> query = rg.read_vnnlib('''(vnnlib-version <2.0>)
    ... (declare-network f (declare-input A Real [1]) (declare-output B Real [1]))
    ... (declare-network g (declare-input C Real [1]) (declare-output D Real [1]))
    ... (assert (== A[0] C[0])) (assert (<= -2 A[0] 1)) (assert (>= (- B[0] D[0]) 4))''')
    >>> ident = rg.ReLUNetwork([[[1]]], [[0]])
    >>> res = check_property({"f": net, "g": ident}, query)
    >>> res.verdict, res.witness, [e["name"] for e in res.certificate["networks"]]
    ('sat', (Fraction(-2, 1),), ['f', 'g'])
    """
    check_search_limits(max_seconds=max_seconds, max_branches=max_branches, precision_bits=precision_bits)
    if not isinstance(spec, Specification):
        raise InvalidInputError(
            f"spec: expected a Specification (rg.read_vnnlib reads one), got {type(spec).__name__}"
        )
    components: tuple[ReLUNetwork, ...] = ()
    if spec.networks:
        components = query_networks(net, spec)
        net = stack_networks(components, [d.inputs for d in spec.networks])
    net = as_network(net, what="net")
    _check_dims(net, spec)
    rule = resolve_bound_rule(net, bound_rule)
    start = time.monotonic()
    bar, callback = _progress(progress)
    proofs: list[dict[str, Any]] = []
    stats: dict[str, Any] = {"branches": 0}
    unknown: tuple[str, float | None] | None = None
    verdict, witness, which = "unsat", None, None
    try:
        found = _attack_disjuncts(net, spec, max_seconds)
        if found is not None:
            witness, which = found
            verdict = "sat"
        for k, dis in enumerate(spec.disjuncts if verdict == "unsat" else ()):
            left_s = None if max_seconds is None else max(0.0, max_seconds - (time.monotonic() - start))
            left_b = None if max_branches is None else max(0, max_branches - stats["branches"])
            out = branch_and_bound(
                disjunct_goal(net, dis),
                bits=precision_bits,
                rule=rule,
                max_seconds=left_s,
                max_branches=left_b,
                progress=callback,
            )
            for key, v in out.stats.items():
                stats[key] = stats.get(key, 0) + v
            if out.status == "violated":
                assert out.point is not None
                x = out.point[: net.input_dim]
                if not dis.contains(x, net(x)):  # pragma: no cover - the search confirmed it exactly
                    raise AssertionError("witness does not reproduce")
                verdict, witness, which = "sat", x, k
                break
            if out.status == "unknown":
                unknown = unknown or (out.reason or "limit reached", out.gap)
                proofs.append({})
            else:
                assert out.tree is not None
                proofs.append(out.tree)
    finally:
        if bar is not None:
            bar.close()
    if verdict != "sat" and unknown is not None:
        verdict = "unknown"
    seconds = time.monotonic() - start
    stats["seconds"] = round(seconds, 3)
    question: dict[str, Any] = {"precision_bits": precision_bits, **rule_key(rule), **spec.to_dict()}
    if source is not None:
        question["source"] = dict(source)
    if verdict == "sat":
        assert witness is not None
        evidence: dict[str, Any] = {"disjunct": which, "x": [format_rational(v) for v in witness]}
    elif verdict == "unsat":
        evidence = {"proofs": proofs}
    else:
        evidence = {}
    extra = {} if unknown is None or verdict != "unknown" else {"reason": unknown[0]}
    cert = envelope("property", net, question, verdict, evidence, seconds, **extra)
    if components:
        cert["networks"] = [
            {**d.to_dict(), "network": canonical_network(c), "network_sha256": network_sha256(c)}
            for d, c in zip(spec.networks, components)
        ]
    if spec.has_strict:
        cert["format"] = FORMAT_STRICT  # @1 has no strict atoms: an @1 checker refuses this one
    return PropertyResult(
        verdict,
        witness,
        which,
        cert,
        stats,
        reason=None if verdict != "unknown" or unknown is None else unknown[0],
        gap=None if verdict != "unknown" or unknown is None else unknown[1],
    )


def _attack_disjuncts(
    net: ReLUNetwork, spec: Specification, max_seconds: float | None
) -> tuple[tuple[Fraction, ...], int] | None:
    """With several disjuncts: a violating input found by float attacks on every disjunct
    (checked exactly), and its disjunct, or None.

    The searches take the disjuncts one after the other, so a violation of a late disjunct
    is reached only when the earlier ones are proved.  Before them, rounds of
    :func:`~relu_geom.certify.bab.attack_goal` (a new seed per round) run over all
    disjuncts while they take less than ``_ATTACK_SHARE`` of ``max_seconds`` (one round
    without a time limit).  A single disjunct gets only its search's own attack."""
    if len(spec.disjuncts) < 2:
        return None
    start = time.monotonic()
    budget = None if max_seconds is None else _ATTACK_SHARE * max_seconds
    goals = [disjunct_goal(net, dis) for dis in spec.disjuncts]
    for seed in range(1 if budget is None else 1_000):
        for k, goal in enumerate(goals):
            if budget is not None and time.monotonic() - start >= budget:
                return None
            x = attack_goal(goal, starts=_ATTACK_STARTS, seed=seed)
            if x is not None:
                x = x[: net.input_dim]
                if not spec.disjuncts[k].contains(x, net(x)):  # pragma: no cover - checked exactly
                    raise AssertionError("attack point does not reproduce")
                return x, k
    return None


def _progress(progress: bool | Callable[[dict[str, Any]], None]):
    """A tqdm bar (True), a user callback, or nothing."""
    if callable(progress):
        return None, progress
    if not progress:
        return None, None
    from tqdm import tqdm

    bar = tqdm(desc="branches", unit="br", leave=False)

    def update(info: dict[str, Any]) -> None:
        bar.update(1)
        bar.set_postfix(open=info["open"], gap=f"{info['gap']:.3g}")

    return bar, update


def unsafe_set(
    net: ReLUNetwork | Mapping[str, ReLUNetwork] | Sequence[ReLUNetwork],
    spec: Specification,
    *,
    max_cells: int | None = 100_000,
) -> list[Polyhedron]:
    """The exact set of violating inputs of a small network, as a union of polyhedra.

    For a query over several networks (given as to :func:`check_property`) the set lies in
    the input space of the stacked network.

    On each region of the canonical complex over a disjunct's box ``f`` is affine, so the
    violating part of the region's closure is the polyhedron cut out by the input rows and
    the atoms with ``y = A x + c``.  The pieces may overlap on shared faces.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork([[[1], [-1]], [[1, 1]]], [[0, 0], [0]])  # |x|
    >>> spec = rg.Specification.from_lists(1, 1, [{"box": [[-2, 2]], "atoms": [{"y": [-1], "c": 1}]}])
    >>> sorted(p.vertices for p in rg.unsafe_set(net, spec))
    [((Fraction(-2, 1),), (Fraction(-1, 1),)), ((Fraction(1, 1),), (Fraction(2, 1),))]
    """
    if not isinstance(spec, Specification):
        raise InvalidInputError(
            f"spec: expected a Specification (rg.read_vnnlib reads one), got {type(spec).__name__}"
        )
    if spec.networks:
        net = stack_networks(query_networks(net, spec), [d.inputs for d in spec.networks])
    net = as_network(net, what="net")
    from relu_geom.compiler import compile_network

    _check_dims(net, spec)
    if spec.has_strict:
        raise UnsupportedInputError("unsafe_set: the property has a strict atom (its unsafe set is not closed)")
    out: list[Polyhedron] = []
    d = net.input_dim
    for k, dis in enumerate(spec.disjuncts):
        if any(lo == hi for lo, hi in dis.box):
            raise UnsupportedInputError(f"unsafe_set: disjunct {k} has a flat box (lo == hi)")
        cx = compile_network(net, domain=[list(p) for p in dis.box], max_cells=max_cells)
        extra = [list(r.x) + [-r.c] for r in dis.input_rows]
        for cell in cx.regions:
            A, c = cell.affine_map
            rows = list(extra)
            for a in dis.atoms:
                coef = list(a.x)
                const = a.c
                for qi, arow, ci in zip(a.y, A, c):
                    if qi:
                        coef = [u + qi * w for u, w in zip(coef, arow)]
                        const += qi * ci
                rows.append(coef + [-const])
            base = cell.polyhedron
            ineq = [list(r) for r in base.inequalities] + rows
            eq = [list(r) for r in base.equalities]
            piece = Polyhedron.from_hrep(ineq, eq, ambient_dim=d)
            if not piece.is_empty:
                out.append(piece)
    return out
