"""Is a network identifiable (its fiber one orbit of permutations and positive rescalings)?

:func:`is_identifiable` answers with a certificate:

* ``"not identifiable"``: a network ``eta`` of the same architecture with
  ``functionally_equivalent(net, eta)`` and ``same_up_to_symmetry(net, eta) is None``,
  both exact; found first among the explicit hidden symmetries
  (:func:`~relu_geom.hidden_symmetries`), then among the samples of the deep fiber;
* ``"identifiable"``: every configuration set of :func:`deep_fiber` is proved empty
  (by the solver, or by an exact Farkas or Groebner certificate that is re-checked,
  possibly one of a core of equations shared with other configurations; the reason
  says how many of each) or equal to the orbit of ``net`` (one exact point in the
  rescaling gauge), and the orbit of ``net`` itself is one of them, with ``net``'s
  point on its configuration variety and every inequality strict (decision
  ``"nonempty"``).  This is proved for the parameters in the scope of the
  configuration fiber (``docs/fibers.md``, section 6), not for parameters outside it;
* ``"undecided"``: otherwise, with the reason (an unresolved configuration, an
  uncertain candidate graph, a bound reached, or ``net`` outside the scope).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from relu_geom._util import short_repr
from relu_geom.analyses.breakpoints import as_breakpoint_complex
from relu_geom.analyses.equivalence import EquivalenceResult, functionally_equivalent
from relu_geom.analyses.fibers.configurations import _CORE, MAX_CHOICES
from relu_geom.analyses.fibers.deep import SCOPE, DeepFiber, deep_fiber, refuse_domain, require_seconds
from relu_geom.analyses.fibers.hidden import hidden_symmetries
from relu_geom.errors import InvalidInputError, LimitExceededError
from relu_geom.network import ReLUNetwork
from relu_geom.network.symmetry import same_up_to_symmetry
from relu_geom.network.transforms import require_int, require_network

__all__ = ["IdentifiabilityVerdict", "identifiable_example", "is_identifiable"]


@dataclass(frozen=True, slots=True)
class IdentifiabilityVerdict:
    """The answer of :func:`is_identifiable`.

    Attributes
    ----------
    verdict : str
        ``"identifiable"``, ``"not identifiable"`` or ``"undecided"``.
    network : ReLUNetwork
    certificate : ReLUNetwork or None
        For ``"not identifiable"``: an equivalent network outside the orbit.
    check : EquivalenceResult or None
        The exact equivalence check of the certificate.
    method : str
        ``"hidden-symmetry:<kind>"`` or ``"configurations"``.
    fiber : DeepFiber or None
    scope : str
        What ``"identifiable"`` is proved for.
    reason : str
    """

    verdict: str
    network: ReLUNetwork
    certificate: ReLUNetwork | None
    check: EquivalenceResult | None
    method: str
    fiber: DeepFiber | None
    scope: str
    reason: str

    def __bool__(self) -> bool:
        return self.verdict == "identifiable"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "verdict": self.verdict,
            "method": self.method,
            "scope": self.scope,
            "reason": self.reason,
            "certificate": None if self.certificate is None else self.certificate.to_dict(),
            "check": None if self.check is None else self.check.to_dict(),
            "fiber": None if self.fiber is None else self.fiber.to_dict(),
        }


def is_identifiable(
    net: ReLUNetwork,
    *,
    max_configurations: int = 20000,
    domain: Any = None,
    max_seconds: float | None = None,
    max_choices: int = MAX_CHOICES,
) -> IdentifiabilityVerdict:
    """Decide whether ``net`` is determined by its function up to permutation and positive rescaling.

    Parameters
    ----------
    net
        The network (over ``R^d``).
    max_configurations
        Bound of :func:`fiber_configurations`; reaching it gives ``"undecided"``.
    domain
        Only ``None`` (``R^d``); see :func:`deep_fiber`.
    max_seconds
        Passed to :func:`deep_fiber`; reaching it gives ``"undecided"``.
    max_choices
        Passed to :func:`fiber_configurations`: more combinations of groupings at
        ambiguous ridges give ``"undecided"``.

    Returns
    -------
    IdentifiabilityVerdict

    Notes
    -----
    A ``"not identifiable"`` verdict is unconditional (an exact second network).  An
    ``"identifiable"`` verdict holds for the parameters in :data:`SCOPE` (module notes).

    Examples
    --------
    >>> import relu_geom as rg
    >>> rg.is_identifiable(rg.ReLUNetwork.random([2, 2, 2, 1], seed=1)).verdict
    'identifiable'
    >>> v = rg.is_identifiable(rg.zoo.dead_neuron())
    >>> v.verdict, rg.functionally_equivalent(v.network, v.certificate).equivalent
    ('not identifiable', True)
    >>> rg.same_up_to_symmetry(v.network, v.certificate) is None
    True
    """
    require_network(net)
    require_int(max_configurations, "max_configurations", minimum=0)
    refuse_domain(domain)
    require_seconds(max_seconds)
    require_int(max_choices, "max_choices", minimum=1)

    def verdict(v: str, cert: Any, check: Any, method: str, fib: Any, reason: str) -> IdentifiabilityVerdict:
        return IdentifiabilityVerdict(v, net, cert, check, method, fib, SCOPE, reason)

    if not net.hidden_widths:
        return verdict(
            "identifiable", None, None, "affine", None, "no hidden layer: f = W x + b determines W and b"
        )
    for hs in hidden_symmetries(net):
        if same_up_to_symmetry(net, hs.network) is None:
            check = functionally_equivalent(net, hs.network)
            if check.equivalent:
                return verdict(
                    "not identifiable", hs.network, check, f"hidden-symmetry:{hs.kind}", None, hs.description
                )
    try:
        fib = deep_fiber(
            net,
            max_configurations=max_configurations,
            stop_outside=True,
            max_seconds=max_seconds,
            max_choices=max_choices,
        )
    except LimitExceededError as exc:
        return verdict("undecided", None, None, "configurations", None, str(exc))
    for piece in fib.pieces:
        if piece.kind == "hidden":
            eta = piece.samples[0]
            check = functionally_equivalent(net, eta)
            return verdict(
                "not identifiable", eta, check, "configurations", fib, "a configuration set leaves the orbit"
            )
    if fib.status != "complete":
        return verdict("undecided", None, None, "configurations", fib, fib.reason)
    if any(p.kind not in ("orbit", "empty") for p in fib.pieces):  # pragma: no cover - complete means none
        return verdict("undecided", None, None, "configurations", fib, "a piece is neither the orbit nor empty")
    # the orbit must hold a witness: net's point on the variety with every inequality strict
    # (an orbit piece found by the equations alone may be net's closure, net outside the scope)
    if not any(p.kind == "orbit" and p.decision == "nonempty" for p in fib.pieces):
        why = _outside_scope(net)
        return verdict(
            "undecided",
            None,
            None,
            "configurations",
            fib,
            "the network itself is outside the scope of the configurations" + (f": {why}" if why else ""),
        )
    certified = sum(n for why, n in fib.empty_reasons.items() if why.startswith("certified empty") or why == _CORE)
    return verdict(
        "identifiable",
        None,
        None,
        "configurations",
        fib,
        f"{fib.n_empty} configurations proved empty ({certified} by checked certificates, "
        f"{fib.n_empty - certified} by the solver alone)",
    )


def _outside_scope(net: ReLUNetwork) -> str:
    """Which rule 1 of the scope (``docs/fibers.md`` 6.1) ``net`` itself breaks, read off the
    sign vectors of the canonical cells in each breakpoint facet ('' if none is found)."""
    bc = as_breakpoint_complex(net)
    cells = bc.complex.cells
    widths = net.hidden_widths
    names = [(ell, i) for ell, w in enumerate(widths, start=1) for i in range(w)]
    # a neuron with sign 0 at an interior point of a region of the canonical complex (which
    # every zero set refines) vanishes on that whole open region
    vanishing: dict[int, Any] = {}
    for region in bc.complex.regions:
        for i, v in enumerate(net.sign_vector(region.interior_point)):
            if v == 0:
                vanishing.setdefault(i, region.interior_point)
    for k, f in enumerate(bc.facets):
        svs = [net.sign_vector(cells[c].interior_point) for c in f.cells]
        zeros = sorted({i for sv in svs for i, v in enumerate(sv) if v == 0})
        for sv in svs:
            z = [i for i, v in enumerate(sv) if v == 0]
            if len(z) > 1:
                why = f"breakpoint facet {k} lies in the zero sets of neurons {names[z[0]]} and {names[z[1]]}"
                for i in z:
                    if i in vanishing:
                        point = "(" + ", ".join(str(c) for c in vanishing[i]) + ")"
                        why += f" (neuron {names[i]} vanishes on the open region around {point})"
                        break
                return why
        layers = {names[i][0] for i in zeros}
        for i, (ell, j) in enumerate(names):
            if ell not in layers and ell != 1 and len({sv[i] for sv in svs}) > 1:
                return f"neuron {(ell, j)} switches inside breakpoint facet {k} of neuron {names[zeros[0]]}"
    return ""


def identifiable_example(
    architecture: Sequence[int], *, max_tries: int = 30, max_seconds: float | None = None
) -> ReLUNetwork:
    """A network of ``architecture`` proved identifiable by :func:`is_identifiable`.

    Tries the reproducible random networks ``ReLUNetwork.random(architecture, seed=s)``
    for ``s = 0, 1, ...`` (paper 000: for input and hidden widths ``>= 2`` an open set
    of parameters is identifiable, so a random network is expected to be) and
    returns the first with the verdict ``"identifiable"``.

    Raises
    ------
    LimitExceededError
        When ``max_tries`` networks gave no such verdict, or after ``max_seconds`` seconds
        (checked before each try and passed on to :func:`is_identifiable`).
    InvalidInputError
        For ``max_tries`` outside ``1..1000``.

    Examples
    --------
    >>> import relu_geom as rg
    >>> net = rg.identifiable_example([2, 2, 1])
    >>> rg.is_identifiable(net).verdict
    'identifiable'
    """
    if not (
        isinstance(architecture, (list, tuple))
        and len(architecture) >= 3
        and all(isinstance(n, int) and not isinstance(n, bool) and 2 <= n <= 64 for n in architecture[:-1])
        and isinstance(architecture[-1], int)
        and not isinstance(architecture[-1], bool)
        and 1 <= architecture[-1] <= 64
    ):
        raise InvalidInputError(
            f"architecture: expected widths (d, n_1, ..., m) with input and hidden widths from 2 to 64 and an output width from 1 to 64, got {short_repr(architecture, 40)}"
        )
    max_tries = require_int(max_tries, "max_tries", minimum=1, maximum=1000)
    require_seconds(max_seconds)
    t0 = time.monotonic()
    arch = [int(v) for v in architecture]
    for seed in range(max_tries):
        left = None if max_seconds is None else max_seconds - (time.monotonic() - t0)
        if left is not None and left <= 0:
            raise LimitExceededError(
                f"identifiable_example: limit max_seconds={max_seconds} exceeded after {seed} networks of {arch}"
            )
        net = ReLUNetwork.random(arch, seed=seed)
        if is_identifiable(net, max_seconds=left).verdict == "identifiable":
            return net
    raise LimitExceededError(
        f"max_tries={max_tries} reached: no random network of {arch} was proved identifiable"
    )
