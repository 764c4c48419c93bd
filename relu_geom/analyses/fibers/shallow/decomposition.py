"""The hinge decomposition of the function of a one-hidden-layer network (unique once every hinge is oriented canonically)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from relu_geom._util import short_repr
from relu_geom.arith.dense import primitive_row
from relu_geom.arith.rational import as_point
from relu_geom.compiler.entry import as_network
from relu_geom.errors import InvalidInputError
from relu_geom.network import ReLUNetwork
from relu_geom.network.transforms import require_network

__all__ = ["Hinge", "ShallowDecomposition", "shallow_decomposition"]

_ZERO = Fraction(0)


Vector = tuple[Fraction, ...]


Matrix = tuple[Vector, ...]


DOMAINS = (None, "orthant")


@dataclass(frozen=True, order=True, slots=True)
class Hinge:
    """One visible hyperplane of a shallow function: the term ``c relu(a . x + t)``.

    ``(a, t)`` is a primitive integer vector whose first nonzero entry of ``a``
    is positive; ``c`` (in ``Q^m``) is nonzero.  Across the hyperplane, from the
    side ``a . x + t < 0`` to the side ``> 0``, the gradient of ``f`` jumps by
    ``c a^T``.
    """

    normal: tuple[int, ...]
    offset: int
    coefficient: Vector

    @property
    def row(self) -> tuple[int, ...]:
        """``(a_1, ..., a_d, t)``."""
        return (*self.normal, self.offset)


@dataclass(frozen=True, slots=True)
class ShallowDecomposition:
    """``f(x) = sum_j c_j relu(a_j . x + t_j) + M x + b`` with canonical hinges (sorted).

    Two one-hidden-layer networks compute the same function on the domain
    exactly when their decompositions are equal (``==``).

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.analyses.fibers import shallow_decomposition
    >>> dec = shallow_decomposition(rg.zoo.abs_1d())  # |x| = relu(x) + relu(-x) = 2 relu(x) - x
    >>> [(h.normal, h.offset, h.coefficient) for h in dec.hinges]
    [((1,), 0, (Fraction(2, 1),))]
    >>> dec.linear, dec.bias
    (((Fraction(-1, 1),),), (Fraction(0, 1),))
    """

    input_dim: int
    output_dim: int
    hinges: tuple[Hinge, ...]
    linear: Matrix
    bias: Vector
    domain: str | None = None

    def __call__(self, x: object) -> Vector:
        p = as_point(x, self.input_dim)
        out = [sum((a * v for a, v in zip(row, p)), b) for row, b in zip(self.linear, self.bias)]
        for h in self.hinges:
            z = sum((a * v for a, v in zip(h.normal, p)), Fraction(h.offset))
            if z > 0:
                out = [o + c * z for o, c in zip(out, h.coefficient)]
        return tuple(out)

    @property
    def n_hinges(self) -> int:
        """The number ``k`` of visible hyperplanes."""
        return len(self.hinges)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (rationals as strings)."""
        return {
            "domain": self.domain or "R^d",
            "hinges": [
                {"normal": list(h.normal), "offset": h.offset, "coefficient": [str(c) for c in h.coefficient]}
                for h in self.hinges
            ],
            "linear": [[str(v) for v in r] for r in self.linear],
            "bias": [str(v) for v in self.bias],
        }


def check_shallow(net: Any, what: str = "net") -> ReLUNetwork:
    """``net`` when it is a network with one hidden layer, else InvalidInputError naming ``what``."""
    return require_network(net, what, hidden_layers=1)


def check_domain(domain: Any) -> str | None:
    """``domain`` when it is one of :data:`DOMAINS` (None for all of R^d, ``"orthant"``), else InvalidInputError."""
    if domain not in DOMAINS:
        raise InvalidInputError(f"domain: expected None (all of R^d) or 'orthant', got {short_repr(domain)}")
    return domain


def orient(row: Sequence[Fraction]) -> tuple[tuple[int, ...], Fraction, int]:
    """(canonical primitive key, lambda > 0, orientation o) with ``row = o * lambda * key``."""
    key = primitive_row(row)
    lead = next(i for i, v in enumerate(key) if v)
    o = 1 if key[lead] > 0 else -1
    key = tuple(o * v for v in key)
    return key, Fraction(row[lead]) / (o * key[lead]), o


def neuron_kind(w: Sequence[Fraction], b: Fraction, domain: str | None) -> str:
    """'hinge' when the hyperplane meets the domain's interior, else 'active' or 'inactive'."""
    if domain is None:
        if any(w):
            return "hinge"
        return "active" if b > 0 else "inactive"
    if all(v >= 0 for v in w) and b >= 0:
        return "active"
    if all(v <= 0 for v in w) and b <= 0:
        return "inactive"
    return "hinge"


def shallow_decomposition(net: ReLUNetwork, *, domain: str | None = None) -> ShallowDecomposition:
    """The unique decomposition of the function of a one-hidden-layer network.

    Parameters
    ----------
    net
        A network with one hidden layer.
    domain
        ``None`` for all of ``R^d``; ``"orthant"`` for the closed nonnegative orthant.

    Notes
    -----
    Neuron ``(w, b, v)`` with ``(w, b) = o lam (a, t)``, ``lam > 0`` and ``(a, t)``
    canonical adds ``lam v`` to the hinge of ``(a, t)``; when ``o = -1`` it also
    adds ``-lam v (a . x + t)`` to the affine part (``relu(-z) = relu(z) - z``).
    Hinges whose coefficients cancel disappear (their affine parts stay).
    Neurons with ``v = 0`` contribute nothing; constant or always-active
    neurons contribute affine parts.  ``O(n (d + m))`` rational operations.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.analyses.fibers import shallow_decomposition
    >>> net = rg.zoo.duplicate_neurons()  # relu(x+y) + relu(2x+2y) + relu(x-y+1)
    >>> [(h.row, h.coefficient) for h in shallow_decomposition(net).hinges]
    [((1, -1, 1), (Fraction(1, 1),)), ((1, 1, 0), (Fraction(3, 1),))]
    """
    net = as_network(net, what="net")
    check_shallow(net)
    domain = check_domain(domain)
    d, m = net.input_dim, net.output_dim
    W1, b1 = net.weights[0], net.biases[0]
    V = list(zip(*net.weights[1]))  # columns v_i
    M = [[_ZERO] * d for _ in range(m)]
    b = list(net.biases[1])
    coef: dict[tuple[int, ...], list[Fraction]] = {}
    for w, bias, v in zip(W1, b1, V):
        if not any(v):
            continue
        kind = neuron_kind(w, bias, domain)
        if kind == "inactive":
            continue
        if kind == "active":
            for r in range(m):
                for q in range(d):
                    M[r][q] += v[r] * w[q]
                b[r] += v[r] * bias
            continue
        key, lam, o = orient(list(w) + [bias])
        acc = coef.setdefault(key, [_ZERO] * m)
        for r in range(m):
            acc[r] += lam * v[r]
        if o < 0:
            for r in range(m):
                for q in range(d):
                    M[r][q] -= lam * v[r] * key[q]
                b[r] -= lam * v[r] * key[d]
    hinges = tuple(sorted(Hinge(k[:d], k[d], tuple(c)) for k, c in coef.items() if any(c)))
    return ShallowDecomposition(d, m, hinges, tuple(map(tuple, M)), tuple(b), domain)


def as_decomposition(f: Any) -> ShallowDecomposition:
    """``f`` itself when it is a :class:`ShallowDecomposition`, else the decomposition of the network ``f``."""
    if isinstance(f, ShallowDecomposition):
        return f
    return shallow_decomposition(check_shallow(f, "f"))
