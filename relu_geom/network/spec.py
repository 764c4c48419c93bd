"""Specifications of a network's behaviour (the unsafe sets of VNN-LIB): exact frozen value types.

A :class:`Specification` is a union of :class:`Disjunct` s; a disjunct is a bounded input box,
input rows (affine forms in ``x`` only) and atoms (affine forms in ``x`` and the output
``y``), each form ``e`` asserted as ``e <= 0``, or ``e < 0`` for a *strict* atom (input rows
are never strict; a strict comparison of the inputs alone is an atom).  ``sat`` means some
input of some disjunct satisfies every row and atom (a violation of the safety property).

A VNN-LIB 2.0 query over several networks ``f_1, ..., f_k`` is a specification of the one
network ``F`` that computes them side by side: its ``networks`` (one
:class:`NetworkDeclaration` each) say which of ``F``'s inputs each ``f_i`` reads and where
its outputs are in ``F``'s output (see ``docs/vnnlib.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from relu_geom.arith.rational import format_rational, to_rational
from relu_geom.errors import DimensionMismatchError, InvalidInputError

__all__ = ["AffineForm", "Disjunct", "NetworkDeclaration", "Specification"]


def _vec(values: Sequence[object] | None, n: int, what: str) -> tuple[Fraction, ...]:
    if values is None:
        return (Fraction(0),) * n
    out = tuple(to_rational(v, what=what) for v in values)
    if len(out) != n:
        raise DimensionMismatchError(f"{what}: expected {n} coefficients, got {len(out)}")
    return out


@dataclass(frozen=True, slots=True, repr=False)
class AffineForm:
    """The affine form ``x.X + y.Y + c``, asserted ``<= 0`` as an atom or input row, or
    ``< 0`` when ``strict`` (atoms only)."""

    x: tuple[Fraction, ...]
    y: tuple[Fraction, ...]
    c: Fraction
    strict: bool = False

    @classmethod
    def make(
        cls,
        x: Sequence[object] | None,
        y: Sequence[object] | None,
        c: object,
        n_inputs: int,
        n_outputs: int,
        strict: bool = False,
    ) -> AffineForm:
        """From plain numbers; ``None`` means a zero vector."""
        if not isinstance(strict, bool):
            raise InvalidInputError(f"strict: expected True or False, got {type(strict).__name__}")
        return cls(_vec(x, n_inputs, "x"), _vec(y, n_outputs, "y"), to_rational(c, what="c"), strict)

    def __repr__(self) -> str:
        tail = ", strict=True" if self.strict else ""
        return f"AffineForm(x={self.x!r}, y={self.y!r}, c={self.c!r}{tail})"

    @property
    def has_output(self) -> bool:
        return any(self.y)

    def holds(self, x: Sequence[Fraction], y: Sequence[Fraction]) -> bool:
        """Whether ``e(x, y) <= 0`` (``< 0`` when strict), exactly."""
        v = self.value(x, y)
        return v < 0 if self.strict else v <= 0

    def to_dict(self) -> dict[str, Any]:
        """The certificate encoding ``{"x", "y", "c"}`` (``y`` left out when it is zero),
        with ``"strict": true`` for a strict atom."""
        out: dict[str, Any] = {"x": [format_rational(v) for v in self.x]}
        if self.has_output:
            out["y"] = [format_rational(v) for v in self.y]
        out["c"] = format_rational(self.c)
        if self.strict:
            out["strict"] = True
        return out

    def value(self, x: Sequence[Fraction], y: Sequence[Fraction]) -> Fraction:
        """The exact value at ``(x, y)``."""
        return sum((a * b for a, b in zip(self.x, x)), self.c) + sum(
            (a * b for a, b in zip(self.y, y)), Fraction(0)
        )


@dataclass(frozen=True, slots=True)
class Disjunct:
    """One part of the unsafe set: ``x`` in ``box``, every input row ``<= 0`` and every atom
    ``<= 0`` (``< 0`` if strict)."""

    box: tuple[tuple[Fraction, Fraction], ...]
    input_rows: tuple[AffineForm, ...]
    atoms: tuple[AffineForm, ...]

    def __post_init__(self) -> None:
        # a strict input row would be read as '<= 0' by every consumer of input rows
        if any(r.strict for r in self.input_rows):
            raise InvalidInputError("input_rows: an input row is never strict (a strict row is an atom)")

    def contains(self, x: Sequence[Fraction], y: Sequence[Fraction]) -> bool:
        """Whether the exact point ``x`` with output ``y`` lies in this disjunct."""
        return (
            all(lo <= v <= hi for v, (lo, hi) in zip(x, self.box))
            and all(r.value(x, y) <= 0 for r in self.input_rows)
            and all(a.holds(x, y) for a in self.atoms)
        )

    @property
    def has_strict(self) -> bool:
        """Whether some atom is strict."""
        return any(a.strict for a in self.atoms)

    def to_dict(self) -> dict[str, Any]:
        return {
            "box": [[format_rational(lo), format_rational(hi)] for lo, hi in self.box],
            "input_rows": [r.to_dict() for r in self.input_rows],
            "atoms": [a.to_dict() for a in self.atoms],
        }


@dataclass(frozen=True, slots=True)
class NetworkDeclaration:
    """One ``declare-network`` of a query over several networks, placed in the stacked network ``F``.

    Attributes
    ----------
    name
        The network's name in the query.
    input_tensors, output_tensors
        Its declared input and output tensors, ``(name, shape)`` in declaration order: the
        network's input vector is their concatenation, each flattened in row-major order
        (likewise its output vector).
    inputs
        For each element of its input vector, the index of the input of ``F`` it is:
        distinct networks have distinct inputs unless the query identifies them (a
        top-level ``(== A[i] B[j])`` between input elements; ``docs/vnnlib.md``).
    output_offset
        Its outputs are ``F``'s outputs ``output_offset .. output_offset + n_outputs - 1``.
    equal_to, isomorphic_to
        The earlier network it is declared ``equal-to`` (the same model, so no model is
        given for it) or ``isomorphic-to`` (the same architecture), or ``None``.
    hidden_tensors
        Its ``declare-hidden`` tensors, ``(name, shape, onnx_name)``: their entries follow
        its declared outputs among its outputs in ``F`` (so ``n_outputs`` counts them), and
        its network is the one :func:`~relu_geom.io.network_from_onnx` reads with
        ``hidden=[onnx_name, ...]``.
    """

    name: str
    input_tensors: tuple[tuple[str, tuple[int, ...]], ...]
    output_tensors: tuple[tuple[str, tuple[int, ...]], ...]
    inputs: tuple[int, ...]
    output_offset: int
    equal_to: str | None = None
    isomorphic_to: str | None = None
    hidden_tensors: tuple[tuple[str, tuple[int, ...], str], ...] = ()

    @property
    def n_inputs(self) -> int:
        return len(self.inputs)

    @property
    def n_outputs(self) -> int:
        total = 0
        for _, shape, *_ in self.output_tensors + self.hidden_tensors:
            n = 1
            for v in shape:
                n *= v
            total += n
        return total

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "input": [{"name": n, "shape": list(sh)} for n, sh in self.input_tensors],
            "output": [{"name": n, "shape": list(sh)} for n, sh in self.output_tensors],
            "inputs": list(self.inputs),
        }
        if self.equal_to is not None:
            out["equal_to"] = self.equal_to
        if self.isomorphic_to is not None:
            out["isomorphic_to"] = self.isomorphic_to
        if self.hidden_tensors:
            out["hidden"] = [{"name": n, "shape": list(sh), "onnx": o} for n, sh, o in self.hidden_tensors]
        return out


@dataclass(frozen=True, slots=True)
class Specification:
    """An unsafe set over ``n_inputs`` inputs and ``n_outputs`` outputs: a union of disjuncts.

    Examples
    --------
    >>> import relu_geom as rg
    >>> spec = rg.Specification.from_lists(1, 1, [{"box": [[0, 1]], "atoms": [{"y": [-1], "c": 2}]}])
    >>> spec.disjuncts[0].atoms[0]
    AffineForm(x=(Fraction(0, 1),), y=(Fraction(-1, 1),), c=Fraction(2, 1))
    """

    n_inputs: int
    n_outputs: int
    disjuncts: tuple[Disjunct, ...]
    networks: tuple[NetworkDeclaration, ...] = ()
    """Empty for a property of one network; else the declared networks, in order, stacked as ``F``."""

    @classmethod
    def from_lists(cls, n_inputs: int, n_outputs: int, disjuncts: Sequence[dict[str, Any]]) -> Specification:
        """From plain data: each disjunct a dict with ``box`` (pairs), optional ``input_rows``
        and ``atoms`` (dicts with optional ``x``, ``y``, ``c`` and, for atoms, ``strict``)."""
        out = []
        for k, d in enumerate(disjuncts):
            box = tuple((to_rational(lo, what="box"), to_rational(hi, what="box")) for lo, hi in d["box"])
            if len(box) != n_inputs:
                raise DimensionMismatchError(
                    f"disjunct {k}: expected a box with {n_inputs} pairs, got {len(box)}"
                )
            if any(lo > hi for lo, hi in box):
                raise InvalidInputError(f"disjunct {k}: box with lo > hi")
            rows = tuple(
                AffineForm.make(r.get("x"), r.get("y"), r.get("c", 0), n_inputs, n_outputs)
                for r in d.get("input_rows", ())
            )
            if any(r.has_output for r in rows):
                raise InvalidInputError(f"disjunct {k}: an input row may not involve the outputs")
            if any(r.get("strict", False) for r in d.get("input_rows", ())):
                raise InvalidInputError(f"disjunct {k}: input rows are not strict (a strict row is an atom)")
            atoms = tuple(
                AffineForm.make(a.get("x"), a.get("y"), a.get("c", 0), n_inputs, n_outputs, a.get("strict", False))
                for a in d.get("atoms", ())
            )
            out.append(Disjunct(box, rows, atoms))
        return cls(int(n_inputs), int(n_outputs), tuple(out))

    @property
    def has_strict(self) -> bool:
        """Whether some atom of some disjunct is strict (``< 0``)."""
        return any(d.has_strict for d in self.disjuncts)

    def to_dict(self) -> dict[str, Any]:
        return {"disjuncts": [d.to_dict() for d in self.disjuncts]}
