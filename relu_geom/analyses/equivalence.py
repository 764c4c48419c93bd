"""Exact functional equivalence of two ReLU networks, with certificates.

:func:`functionally_equivalent` decides whether two networks with the same input
and output dimensions compute the same function on a domain (all of ``R^d``, a
box, or a full-dimensional polyhedron).  Every verdict carries a certificate:

* **different**: an exact point ``x`` of the domain with ``f1(x) != f2(x)``,
  re-checked by exact evaluation of both networks before it is returned;
* **equal**: the *difference network* ``D`` (both networks side by side, output
  weights ``[W1_out, -W2_out]`` and bias ``b1 - b2``, so ``f_D = f1 - f2``),
  reduced by function-preserving steps, together with either the fact that the
  reduction left a constant zero network (``method="reduction"``) or the count
  of regions of the reduced ``D`` over the domain, on every one of which its
  exact affine map is zero (``method="regions"``).

Algorithm (in this order, stopping at the first decisive step)

1. *Probe*: evaluate both networks at a fixed, reproducible list of rational
   points of the domain.  A difference is a witness.  (Probing only ever
   produces witnesses; it never concludes equality.)
2. *Reduce* ``D``: drop neurons with zero outgoing weights and dead constant
   neurons, fold constant neurons into the next bias, and merge neurons of one
   layer whose incoming rows (weights and bias) are positive multiples of each
   other (``relu(c z) = c relu(z)`` for ``c > 0``).  Each step keeps the
   function.  A permuted and rescaled copy collapses to the constant zero network
   in ``O(width)`` hash operations per layer.
3. *Regions*: enumerate the regions of the reduced ``D`` depth first, layer by
   layer (the compiler's exact cone splitting, without building the face
   lattice), and stop at the first region with a nonzero affine map, whose
   interior yields a witness.

Networks of different depths are padded: the shallower network's output
``y`` is passed through ReLU layers as ``(relu(y), relu(-y))`` and recombined as
``relu(y) - relu(-y) = y``.
"""

from __future__ import annotations

import random as _random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from relu_geom.arith.rational import as_point
from relu_geom.compiler import iter_region_data
from relu_geom.geometry.polyhedron import Polyhedron
from relu_geom.network import ReLUNetwork
from relu_geom.network.transforms import check_pair as _check_pair
from relu_geom.network.transforms import difference_network, reduce_network, require_int

__all__ = [
    "EquivalenceEvidence",
    "EquivalenceResult",
    "difference_network",
    "functionally_equivalent",
    "reduce_network",
]

Point = tuple[Fraction, ...]
_ZERO = Fraction(0)


@dataclass(frozen=True, slots=True)
class EquivalenceEvidence:
    """What supports a verdict of :func:`functionally_equivalent`.

    Attributes
    ----------
    description : str
        One sentence saying what was checked.
    values : tuple or None
        ``(f1(x), f2(x))`` at the witness when the networks differ.
    reduced_difference : ReLUNetwork or None
        The reduced difference network (``None`` when it reduced to a constant).
    constant : tuple of Fraction or None
        The constant value of ``f1 - f2`` when the reduction left a constant.
    n_regions : int or None
        Regions of the reduced difference network that were checked.
    """

    description: str
    values: tuple[Point, Point] | None = None
    reduced_difference: ReLUNetwork | None = None
    constant: Point | None = None
    n_regions: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (rationals as strings)."""
        out: dict[str, Any] = {"description": self.description}
        if self.values is not None:
            out["values"] = [[str(v) for v in y] for y in self.values]
        if self.reduced_difference is not None:
            out["reduced_difference_architecture"] = list(self.reduced_difference.architecture)
        if self.constant is not None:
            out["constant"] = [str(v) for v in self.constant]
        if self.n_regions is not None:
            out["n_regions"] = self.n_regions
        return out


@dataclass(frozen=True, slots=True)
class EquivalenceResult:
    """The verdict of :func:`functionally_equivalent` with its certificate.

    Attributes
    ----------
    equivalent : bool
        True when ``f1 == f2`` on the whole domain.
    witness : tuple of Fraction or None
        A domain point with ``f1(x) != f2(x)`` (only when not equivalent).
    evidence : EquivalenceEvidence
        What was checked.
    method : str
        ``"probe"``, ``"reduction"``, ``"regions"``, or a method of a
        specialised test (e.g. ``"bottleneck-..."``).

    ``bool(result)`` is ``result.equivalent``.
    """

    equivalent: bool
    witness: Point | None
    evidence: EquivalenceEvidence
    method: str
    domain: Polyhedron | None = field(default=None, compare=False, repr=False)

    def __bool__(self) -> bool:
        return self.equivalent

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (rationals as strings)."""
        return {
            "equivalent": self.equivalent,
            "witness": None if self.witness is None else [str(v) for v in self.witness],
            "method": self.method,
            "evidence": self.evidence.to_dict(),
        }


def _domain_points(domain: Polyhedron | None, d: int, count: int, seed: int) -> list[Point]:
    """A reproducible list of exact points of the domain (all of R^d when None)."""
    rng = _random.Random(seed)

    def r(lo: int = -7, hi: int = 7) -> Fraction:
        return Fraction(rng.randint(lo, hi), rng.randint(1, 5))

    pts: list[Point] = []
    if domain is None:
        pts.append(tuple([_ZERO] * d))
        for _ in range(count - 1):
            scale = rng.choice((1, 1, 4, 16))
            pts.append(tuple(r() * scale for _ in range(d)))
        return pts
    verts = list(domain.vertices)
    rays = [tuple(Fraction(v) for v in g) for g in domain.rays]
    lin = [tuple(Fraction(v) for v in g) for g in domain.lineality]
    pts.append(domain.interior_point)
    for _ in range(count - 1):
        lam = [Fraction(rng.randint(1, 9)) for _ in verts]
        tot = sum(lam)
        p = [sum((lam_i * v[k] for lam_i, v in zip(lam, verts)), _ZERO) / tot for k in range(d)]
        for g in rays:
            c = Fraction(rng.randint(0, 9), rng.randint(1, 3))
            p = [x + c * y for x, y in zip(p, g)]
        for g in lin:
            c = r()
            p = [x + c * y for x, y in zip(p, g)]
        pts.append(tuple(p))
    return pts


def _region_maps(
    net: ReLUNetwork, domain: Polyhedron | None
) -> Iterator[tuple[Sequence[tuple[int, ...]], Sequence[tuple[int, ...]], tuple[tuple[int, ...], ...]]]:
    """Depth-first regions of ``net`` over ``domain``: (generators, lineality, output forms).

    The generators are homogeneous integer vectors ``(X, t)`` of the region's
    cone; the output forms are the integer rows ``(A, c)`` of the output map
    scaled by ``net.integer_scales[-1]``.  Uses the compiler's exact cone
    splitting (stage 1 of :func:`relu_geom.compile_network`) without the face
    lattice, so a caller can stop early.
    """
    for reg in iter_region_data(net, domain):
        yield reg.rays, reg.lin, reg.out_rows


def _nonzero_point(
    rays: Sequence[tuple[int, ...]], lin: Sequence[tuple[int, ...]], rows: Sequence[tuple[int, ...]], d: int
) -> Point:
    """A point of the (open) region where the nonzero affine map ``rows`` does not vanish."""
    acc = [0] * (d + 1)
    for g in rays:
        acc = [a + b for a, b in zip(acc, g)]
    p = tuple(Fraction(x, acc[d]) for x in acc[:d])

    def val(x: Sequence[Fraction]) -> bool:
        return any(sum((Fraction(a) * v for a, v in zip(r[:d], x)), Fraction(r[d])) for r in rows)

    if val(p):
        return p
    for g in rays:
        if g[d]:
            q = tuple((a + Fraction(b, g[d])) / 2 for a, b in zip(p, g[:d]))
        else:
            q = tuple(a + b for a, b in zip(p, g[:d]))
        if val(q):
            return q
    for g in lin:
        q = tuple(a + b for a, b in zip(p, g[:d]))
        if val(q):
            return q
    raise AssertionError("a nonzero affine map vanishes on a full-dimensional region")  # pragma: no cover


def _witness_result(
    net1: ReLUNetwork, net2: ReLUNetwork, x: Point, method: str, what: str
) -> EquivalenceResult:
    y1, y2 = net1(x), net2(x)
    if y1 == y2:  # pragma: no cover - every caller found a difference already
        raise AssertionError(f"witness {x} does not separate the networks")
    return EquivalenceResult(False, x, EquivalenceEvidence(what, values=(y1, y2)), method)


def functionally_equivalent(
    net1: ReLUNetwork, net2: ReLUNetwork, domain: Any = None, *, n_probes: int = 24, seed: int = 0
) -> EquivalenceResult:
    """Decide exactly whether two networks compute the same function on ``domain``.

    Parameters
    ----------
    net1, net2
        Networks with the same input and output dimensions (any architectures), or compiled
        complexes (standing for their networks).
    domain
        ``None`` for all of ``R^d`` (or the domain of the first compiled complex given); ``(lo, hi)`` for the box ``[lo, hi]^d``; a
        sequence of ``d`` pairs; or a full-dimensional :class:`~relu_geom.Polyhedron`.
    n_probes
        How many reproducible rational points to try before the exact checks.
    seed
        Seed of the probe points (the verdict does not depend on it).

    Returns
    -------
    EquivalenceResult
        ``.equivalent``, ``.witness`` (an exact domain point with ``f1(x) !=
        f2(x)`` when they differ), ``.evidence`` and ``.method``.

    Raises
    ------
    DimensionMismatchError
        When the input or output dimensions differ.

    Notes
    -----
    The decision never uses floats: a witness is re-evaluated exactly; equality
    is either a chain of function-preserving reductions ending at the zero
    network, or an exhaustive check of the affine maps of every region of the
    reduced difference network.  The region check costs about what compiling
    a network of the summed widths costs (without the face lattice), and stops
    at the first nonzero region.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.ReLUNetwork.random([2, 4, 1], seed=3)
    >>> other = net.permute_layer(1, [3, 2, 1, 0]).rescale_neuron(1, 2, "7/2")
    >>> rg.functionally_equivalent(net, other).method
    'reduction'

    Two ways of writing ``x`` with ReLUs: ``relu(x) - relu(-x) = relu(x + 1) - relu(-x - 1) - 1``.

    >>> ident_a = rg.ReLUNetwork([[[1], [-1]], [[1, -1]]], [[0, 0], [0]])
    >>> ident_b = rg.ReLUNetwork([[[1], [-1]], [[1, -1]]], [[1, -1], [-1]])
    >>> res = rg.functionally_equivalent(ident_a, ident_b)
    >>> res.equivalent, res.method, res.evidence.n_regions
    (True, 'regions', 3)
    >>> relu = rg.ReLUNetwork([[[1]], [[1]]], [[0], [0]])
    >>> res = rg.functionally_equivalent(ident_a, relu)
    >>> res.equivalent, ident_a(res.witness) != relu(res.witness)
    (False, True)
    """
    from relu_geom.compiler import PolyhedralComplex, as_network, parse_domain

    for cx in (net1, net2):
        if domain is None and isinstance(cx, PolyhedralComplex):
            domain = cx.domain
    net1, net2 = as_network(net1, what="net1"), as_network(net2, what="net2")
    _check_pair(net1, net2)
    require_int(n_probes, "n_probes", minimum=0, maximum=10**6)
    require_int(seed, "seed")
    d = net1.input_dim
    dom = parse_domain(domain, d)
    for x in _domain_points(dom, d, n_probes, seed):
        if net1(x) != net2(x):
            return _finish(
                _witness_result(net1, net2, x, "probe", "exact evaluation differs at a probe point"), dom
            )
    diff = difference_network(net1, net2)
    reduced = reduce_network(diff)
    if not isinstance(reduced, ReLUNetwork):
        if any(reduced):
            x = _domain_points(dom, d, 1, seed)[0]
            return _finish(
                _witness_result(net1, net2, x, "reduction", "f1 - f2 reduces to a nonzero constant"), dom
            )
        ev = EquivalenceEvidence(
            "function-preserving reductions turn the difference network f1 - f2 into the constant 0",
            constant=reduced,
        )
        return _finish(EquivalenceResult(True, None, ev, "reduction"), dom)
    return _finish(_regions_verdict(net1, net2, reduced, dom), dom)


def _regions_verdict(
    net1: ReLUNetwork, net2: ReLUNetwork, reduced: ReLUNetwork, dom: Polyhedron | None
) -> EquivalenceResult:
    d = reduced.input_dim
    count = 0
    for rays, lin, rows in _region_maps(reduced, dom):
        count += 1
        if any(any(r) for r in rows):
            x = _nonzero_point(rays, lin, rows, d)
            return _witness_result(
                net1, net2, x, "regions", f"the reduced difference network is nonzero on region {count}"
            )
    ev = EquivalenceEvidence(
        f"all {count} regions of the reduced difference network f1 - f2 have the affine map 0",
        reduced_difference=reduced,
        n_regions=count,
    )
    return EquivalenceResult(True, None, ev, "regions")


def _finish(res: EquivalenceResult, dom: Polyhedron | None) -> EquivalenceResult:
    if res.witness is not None and dom is not None and not dom.contains(res.witness):  # pragma: no cover
        raise AssertionError(f"witness {res.witness} lies outside the domain")
    return EquivalenceResult(res.equivalent, res.witness, res.evidence, res.method, dom)


def check_witness(net1: ReLUNetwork, net2: ReLUNetwork, x: object) -> bool:
    """True when ``f1(x) != f2(x)`` by exact evaluation (the check of a witness)."""
    p = as_point(x, net1.input_dim)
    return net1(p) != net2(p)
