"""VNN-LIB property files (1.0 and 2.0), read exactly into a disjunctive normal form.

A VNN-LIB file declares the network's inputs and outputs and asserts the **unsafe**
set.  :func:`read_vnnlib` reads the VNN-LIB 1.0 subset that VNN-COMP writes
(``declare-const X_i Real``, ``assert`` with ``<=``, ``>=``, ``and``, ``or`` at any
nesting, linear terms built with ``+``, ``-`` and ``*`` by constants) and VNN-LIB 2.0
queries (``(vnnlib-version <2.0>)``, then one or more ``(declare-network NAME
[(equal-to F) | (isomorphic-to F)] (declare-input X TYPE [shape]) ... [(declare-hidden H TYPE
[shape] "onnx-name") ...] (declare-output Y TYPE [shape]) ...)``, several tensors read as their
concatenation, hidden tensors as more outputs after the network's own, then assertions over
the tensor elements ``X[i,j,...]``, with ``==`` as two atoms), and normalizes it: the unsafe set is a union of disjuncts, each a box on the
inputs (every input bounded), further linear rows in the inputs alone, and atoms
involving the outputs.  A 2.0 tensor is flattened in row-major order (the order of ONNX).
A query over several networks is a property of the network stacking them, whose input
lists every network's input elements (those identified by a top-level ``==`` once) and
whose output the outputs, in declaration order (``Specification.networks``).  Every
decimal is the exact decimal it denotes (``0.1`` is 1/10), scientific notation included.

What is not read (a :class:`~relu_geom.errors.FileFormatError` naming file, line and
token): strict ``<`` / ``>`` and ``!=`` in 1.0, non-linear terms, other operators,
commands and sorts; in 2.0 also element types other than ``Real`` and the floating types,
and hidden tensors of networks in an ``equal-to`` / ``isomorphic-to`` pair (docs/vnnlib.md).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import product
from pathlib import Path

from relu_geom._util import short_repr
from relu_geom.errors import FileFormatError, InvalidInputError, LimitExceededError
from relu_geom.network.spec import AffineForm, Disjunct, NetworkDeclaration, Specification

__all__ = ["AffineForm", "Disjunct", "Specification", "VnnlibProperty", "read_vnnlib"]

MAX_BYTES = 64 << 20
"""Largest VNN-LIB file read (64 MiB)."""

MAX_DISJUNCTS = 100_000
"""Largest disjunctive normal form built."""

MAX_DEPTH = 200
"""Deepest nesting of parentheses."""

MAX_LITERAL = 1000
"""Longest numeric literal (characters); exponents are bounded by the same number."""


VnnlibProperty = Specification
"""What :func:`read_vnnlib` returns (the same class as :class:`~relu_geom.network.spec.Specification`)."""


@dataclass(frozen=True, slots=True)
class _Tok:
    text: str
    line: int


_TOKEN = re.compile(r"[ \t\r\f\v]+|\n|;[^\n]*|\(|\)|[^\s();]+")
_TOKEN_2 = re.compile(r'[ \t\r\f\v]+|\n|;[^\n]*|\(|\)|\[|\]|,|"[^"\n]*"|[^\s();\[\],"]+')
_NAME_2 = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_INDEX = re.compile(r"0|[1-9]\d{0,8}")
FLOAT_TYPES = ("Real", "float64", "float32", "float16", "bfloat16")
"""VNN-LIB 2.0 element types read (every one as the real numbers: see docs/vnnlib.md)."""
MAX_ELEMENTS = 100_000
"""Largest input or output tensor of a VNN-LIB 2.0 query (elements)."""


@dataclass(frozen=True, slots=True)
class _Ref:
    """``NAME[i, j, ...]`` of VNN-LIB 2.0 (also a type followed by its shape)."""

    name: str
    index: tuple[int, ...]
    line: int
    text: str
_NUMBER = re.compile(r"(-?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?")
_VAR = re.compile(r"([XY])_(0|[1-9]\d*)")


class _Reader:
    def __init__(self, text: str, src: str, n_inputs: int | None, n_outputs: int | None):
        self.text = text
        self.src = src
        self.n_in = n_inputs
        self.n_out = n_outputs
        self.declared: dict[tuple[str, int], _Tok] = {}

    def error(self, tok: _Tok | None, message: str) -> FileFormatError:
        where = f"line {tok.line}, token {tok.text!r}: " if tok is not None else ""
        return FileFormatError(f"{self.src}, {where}{message}")

    # ---- s-expressions, without recursion
    token_re = _TOKEN
    brackets = False  # [ ... ] groups (VNN-LIB 2.0)

    def parse(self) -> list[object]:
        top: list[object] = []
        stack: list[tuple[list[object], _Tok]] = []
        line = 1
        current = top
        bracket: list[_Tok] | None = None  # the tokens of an open [ ... ] (VNN-LIB 2.0)
        for m in self.token_re.finditer(self.text):
            t = m.group()
            if t == "\n":
                line += 1
                continue
            if t[0] in " \t\r\f\v;":
                continue
            tok = _Tok(t, line)
            if bracket is not None and self.brackets:
                if t == "]":
                    current.append(self.reference(current, bracket, tok))
                    bracket = None
                elif t in ("(", ")", "["):
                    raise self.error(tok, "unexpected inside [ ... ] (expected integers separated by ',')")
                else:
                    bracket.append(tok)
                continue
            if t == "[" and self.brackets:
                bracket = [tok]
                continue
            if t in ("]", ",") and self.brackets:
                raise self.error(tok, f"unexpected {t!r} outside [ ... ]")
            if t == "(":
                if len(stack) >= MAX_DEPTH:
                    raise self.error(tok, f"parentheses nested deeper than {MAX_DEPTH}")
                new: list[object] = []
                current.append(new)
                stack.append((current, tok))
                current = new
                current.append(tok)  # the opening token first (for line numbers)
            elif t == ")":
                if not stack:
                    raise self.error(tok, "unbalanced ')'")
                current, _ = stack.pop()
            else:
                current.append(tok)
        consumed = sum(len(m.group()) for m in self.token_re.finditer(self.text))
        if consumed != len(self.text):
            raise self.error(None, "unreadable characters")
        if bracket is not None:
            raise self.error(bracket[0], "unbalanced '[' (never closed)")
        if stack:
            raise self.error(stack[-1][1], "unbalanced '(' (never closed)")
        return top

    def reference(self, current: list[object], bracket: list[_Tok], close: _Tok) -> _Ref:
        """``NAME [i, j, ...]``: the name is the token before ``[``, which is replaced."""
        open_tok = bracket[0]
        prev = current[-1] if len(current) > 1 else None  # current[0] is the '(' token
        if not isinstance(prev, _Tok) or _NAME_2.fullmatch(prev.text) is None:
            raise self.error(open_tok, "'[' must follow a tensor name or an element type")
        current.pop()
        items = bracket[1:]
        index: list[int] = []
        for k, t in enumerate(items):
            if k % 2 == 1:
                if t.text != ",":
                    raise self.error(t, "expected ',' between indices")
                continue
            if _INDEX.fullmatch(t.text) is None:
                raise self.error(t, "an index or a dimension must be a non-negative integer")
            index.append(int(t.text))
        if items and len(items) % 2 == 0:
            raise self.error(items[-1], "expected an integer after ','")
        text = f"{prev.text}[{','.join(map(str, index))}]"
        return _Ref(prev.text, tuple(index), prev.line, text)

    def input_label(self, i: int) -> str:
        return f"X_{i}"

    # ---- commands
    def read(self) -> VnnlibProperty:
        asserts: list[list[object]] = []
        for item in self.parse():
            if not isinstance(item, list):
                raise self.error(_as_tok(item), "expected a command in parentheses")
            assert isinstance(item, list)  # parse() gives tokens and lists only
            head = self.head(item)
            if head.text == "declare-const":
                self.declare(item)
            elif head.text == "assert":
                if len(item) != 3:
                    raise self.error(head, "expected (assert FORMULA)")
                asserts.append(item)
            else:
                raise self.error(head, "unknown command (expected declare-const or assert)")
        d = self.count("X", self.n_in)
        m = self.count("Y", self.n_out)
        return self.dnf(asserts, d, m)

    def dnf(self, asserts: list[list[object]], d: int, m: int) -> VnnlibProperty:
        formulas = [self.formula(a[2], d, m) for a in asserts]
        size = 1
        for f in formulas:
            size *= len(f)
        if size > MAX_DISJUNCTS:
            raise LimitExceededError(
                f"{self.src}: the disjunctive normal form has {size} disjuncts, more than {MAX_DISJUNCTS}"
            )
        disjuncts = []
        for k, parts in enumerate(product(*formulas)):
            dj = self.normalize([atom for part in parts for atom in part], d, k)
            if dj is not None:
                disjuncts.append(dj)
        return Specification(d, m, tuple(disjuncts))

    def head(self, item: list[object]) -> _Tok:
        if len(item) < 2 or not isinstance(item[1], _Tok):
            raise self.error(item[0], "expected an operator after '('")  # type: ignore[arg-type]
        return item[1]

    def declare(self, item: list[object]) -> None:
        head = self.head(item)
        if len(item) != 4 or not all(isinstance(t, _Tok) for t in item[2:]):
            raise self.error(head, "expected (declare-const NAME Real)")
        name, sort = item[2], item[3]
        assert isinstance(name, _Tok) and isinstance(sort, _Tok)
        if sort.text != "Real":
            raise self.error(sort, "unsupported sort (expected Real)")
        var = self.variable(name)
        if var in self.declared:
            raise self.error(name, "declared twice")
        self.declared[var] = name

    def variable(self, tok: _Tok) -> tuple[str, int]:
        m = _VAR.fullmatch(tok.text)
        if m is None:
            raise self.error(tok, "unknown variable name (expected X_i or Y_j)")
        kind, index = m.group(1), int(m.group(2)) if len(m.group(2)) < 10 else 10**9
        limit = self.n_in if kind == "X" else self.n_out
        if limit is not None and index >= limit:
            what = "inputs" if kind == "X" else "outputs"
            raise self.error(tok, f"the network has {limit} {what} ({kind}_0..{kind}_{limit - 1})")
        return kind, index

    def count(self, kind: str, given: int | None) -> int:
        if given is not None:
            return given
        n = max((i for k, i in self.declared if k == kind), default=-1) + 1
        if n > 100_000:
            raise LimitExceededError(f"{self.src}: {kind}_{n - 1} declared: more than 100000 variables")
        return n

    # ---- formulas: lists (disjunction) of lists (conjunction) of atoms
    def formula(self, node: object, d: int, m: int) -> list[list[AffineForm]]:
        if not isinstance(node, list):
            raise self.error(_as_tok(node), "expected a formula in parentheses")
        head = self.head(node)
        args = node[2:]
        op = head.text
        if op in ("and", "or"):
            if not args:
                raise self.error(head, f"'{op}' needs at least one argument")
            parts = [self.formula(a, d, m) for a in args]
            if op == "or":
                out = [conj for p in parts for conj in p]
                if len(out) > MAX_DISJUNCTS:
                    raise LimitExceededError(
                        f"{self.src}, line {head.line}: more than {MAX_DISJUNCTS} disjuncts"
                    )
                return out
            size = 1
            for p in parts:
                size *= len(p)
            if size > MAX_DISJUNCTS:
                raise LimitExceededError(
                    f"{self.src}, line {head.line}: this 'and' expands to {size} disjuncts, more than {MAX_DISJUNCTS}"
                )
            return [[a for conj in combo for a in conj] for combo in product(*parts)]
        if op in ("<", ">"):
            raise self.error(head, "strict inequalities are not supported (VNN-LIB 1.0 has only <= and >=)")
        if op in ("<=", ">=", "="):
            if len(args) < 2:
                raise self.error(head, f"'{op}' needs at least two terms")
            terms = [self.term(a, d, m) for a in args]
            atoms = []
            for a, b in zip(terms, terms[1:]):
                if op in ("<=", "="):
                    atoms.append(_difference(a, b, d, m))
                if op in (">=", "="):
                    atoms.append(_difference(b, a, d, m))
            return [atoms]
        raise self.error(head, "unknown operator in a formula (expected and, or, <=, >=)")

    def term(self, node: object, d: int, m: int) -> tuple[dict[tuple[str, int], Fraction], Fraction]:
        if isinstance(node, _Tok):
            if _VAR.fullmatch(node.text):
                var = self.variable(node)
                if var not in self.declared:
                    raise self.error(node, "used but not declared")
                return {var: Fraction(1)}, Fraction(0)
            return {}, self.number(node)
        assert isinstance(node, list)
        head = self.head(node)
        args = [self.term(a, d, m) for a in node[2:]]
        if not args:
            raise self.error(head, "an operator without arguments")
        if head.text == "+":
            return _combine(args, [1] * len(args))
        if head.text == "-":
            if len(args) == 1:
                return _combine(args, [-1])
            return _combine(args, [1] + [-1] * (len(args) - 1))
        if head.text == "*":
            coef = Fraction(1)
            linear = None
            for coeffs, c in args:
                if coeffs:
                    if linear is not None:
                        raise self.error(head, "non-linear term (a product of two variables)")
                    linear = (coeffs, c)
                else:
                    coef *= c
            if linear is None:
                return {}, coef
            return {v: coef * a for v, a in linear[0].items()}, coef * linear[1]
        raise self.error(head, "unknown operator in a term (expected +, - or *)")

    def number(self, tok: _Tok) -> Fraction:
        text = tok.text
        if len(text) > MAX_LITERAL:
            short = _Tok(text[:20] + "...", tok.line)
            raise self.error(short, f"numeric literal longer than {MAX_LITERAL} characters")
        m = _NUMBER.fullmatch(text)
        if m is None or not (m.group(2) or m.group(3)):
            raise self.error(tok, "expected a number, X_i or Y_j")
        sign, whole, frac, exp = m.groups()
        frac = frac or ""
        value = Fraction(int((whole or "0") + frac), 10 ** len(frac))
        if exp is not None:
            e = int(exp)
            if abs(e) > MAX_LITERAL:
                raise self.error(tok, f"exponent {e} beyond the limit of {MAX_LITERAL}")
            value = value * 10**e if e >= 0 else value / 10 ** (-e)
        return -value if sign else value

    # ---- one conjunction -> Disjunct
    def normalize(self, atoms: list[AffineForm], d: int, k: int) -> Disjunct | None:
        lo: list[Fraction | None] = [None] * d
        hi: list[Fraction | None] = [None] * d
        rows, outs = [], []
        for a in atoms:
            if any(a.y):
                outs.append(a)
                continue
            nz = [i for i, v in enumerate(a.x) if v]
            if not nz:
                if a.c > 0 or (a.strict and a.c == 0):
                    return None  # 'c <= 0' (or 'c < 0') is false: the disjunct is empty
                continue
            if a.strict:
                outs.append(a)  # a strict row is an atom; on one input its closure bounds the box
                if len(nz) > 1:
                    continue
            elif len(nz) > 1:
                rows.append(a)
                continue
            i = nz[0]
            bound = -a.c / a.x[i]
            if a.x[i] > 0:
                old_hi = hi[i]
                hi[i] = bound if old_hi is None else min(old_hi, bound)
            else:
                old_lo = lo[i]
                lo[i] = bound if old_lo is None else max(old_lo, bound)
        for i in range(d):
            for side, value in (("lower", lo[i]), ("upper", hi[i])):
                if value is None:
                    raise FileFormatError(
                        f"{self.src}: {self.input_label(i)} has no {side} bound in disjunct {k}; "
                        "every input must be bounded"
                    )
        if any(lo_i > hi_i for lo_i, hi_i in zip(lo, hi)):  # type: ignore[operator]
            return None  # an empty box
        return Disjunct(tuple(zip(lo, hi)), tuple(rows), tuple(outs))  # type: ignore[arg-type]


def _as_tok(item: object) -> _Tok:
    if isinstance(item, _Ref):
        return _Tok(item.text, item.line)
    assert isinstance(item, _Tok)
    return item


@dataclass(slots=True)
class _Net:
    """One ``declare-network`` as read (tokens kept for error messages)."""

    name: _Tok
    equiv: tuple[str, _Tok] | None  # ("equal-to" / "isomorphic-to", the target's name token)
    # kind "X" / "H" / "Y" -> the tensors in declaration order, each (name, shape, type, token)
    tensors: dict[str, list[tuple[str, tuple[int, ...], str, _Tok]]]
    onnx: dict[str, str] = field(default_factory=dict)  # hidden tensor -> the ONNX name it taps


class _Reader2(_Reader):
    """VNN-LIB 2.0: one or more networks, each with input and output tensors (docs/vnnlib.md)."""

    token_re = _TOKEN_2
    brackets = True

    def __init__(
        self,
        text: str,
        src: str,
        n_inputs: int | None,
        n_outputs: int | None,
        dims: dict[str, tuple[int, int]] | None = None,
    ):
        super().__init__(text, src, n_inputs, n_outputs)
        # name -> (kind "X" / "Y", shape, declaring token, network index)
        self.tensors: dict[str, tuple[str, tuple[int, ...], _Tok, int]] = {}
        self.nets: list[_Net] = []
        self.dims = dims
        self.x_index: dict[tuple[str, int], int] = {}  # (input tensor, flat index) -> input of F
        self.x_label: list[str] = []  # the label of each input of F (its first element)
        self.y_offset: dict[str, int] = {}  # output tensor -> its first output in F
        self.parent: dict[tuple[str, int], tuple[str, int]] = {}  # identified input elements

    def input_label(self, i: int) -> str:
        return self.x_label[i]

    def label(self, name: str, flat: int) -> str:
        shape = self.tensors[name][1]
        index = []
        for n in reversed(shape):
            index.append(flat % n)
            flat //= n
        return f"{name}[{','.join(map(str, reversed(index)))}]" if shape else name

    def read(self) -> VnnlibProperty:
        items = self.parse()
        for item in items:
            if not isinstance(item, list):
                raise self.error(_as_tok(item), "expected a command in parentheses")
        version = self.head(items[0])  # type: ignore[arg-type]
        assert version.text == "vnnlib-version"  # _version() chose this reader
        asserts: list[list[object]] = []
        for item in items[1:]:
            assert isinstance(item, list)
            head = self.head(item)
            if head.text == "declare-network":
                if asserts:
                    raise self.error(head, "network declarations must come before the assertions")
                self.network(item)
            elif head.text == "assert":
                if len(item) != 3:
                    raise self.error(head, "expected (assert FORMULA)")
                asserts.append(item)
            elif head.text == "declare-const":
                raise self.error(head, "declare-const is VNN-LIB 1.0; a 2.0 query declares its tensors in declare-network")
            elif head.text == "vnnlib-version":
                raise self.error(head, "a second version declaration")
            else:
                raise self.error(head, "unknown command (expected declare-network or assert)")
        if not self.nets:
            raise self.error(version, "no declare-network in this query")
        if len(self.nets) > 1 and (self.n_in is not None or self.n_out is not None):
            raise InvalidInputError(
                f"{self.src}: n_inputs / n_outputs describe one network, the query declares "
                f"{len(self.nets)}: give network_dims={{name: (n_inputs, n_outputs)}}"
            )
        if self.dims is not None:
            self.check_dims()
        if len(self.nets) > 1:
            asserts = self.identified(asserts)
        self.layout()
        d, m = len(self.x_label), sum(self.out_size(net) for net in self.nets)
        spec = self.dnf(asserts, d, m)
        if len(self.nets) == 1 and not self.nets[0].tensors.get("H"):
            return spec
        return Specification(spec.n_inputs, spec.n_outputs, spec.disjuncts, tuple(self.declarations()))

    def out_size(self, net: _Net) -> int:
        """The outputs of the network in ``F``: its declared outputs, then its hidden tensors."""
        return sum(_size(t[1]) for t in net.tensors["Y"] + net.tensors.get("H", []))

    def check_dims(self) -> None:
        assert self.dims is not None
        names = [net.name.text for net in self.nets]
        for net in self.nets:
            if net.name.text not in self.dims:
                raise InvalidInputError(
                    f"{self.src}: network_dims has no entry for the network {net.name.text!r} "
                    f"(the query declares {', '.join(names)})"
                )
        for key in self.dims:
            if key not in names:
                raise InvalidInputError(
                    f"{self.src}: network_dims names {key!r}, which the query does not declare "
                    f"(it declares {', '.join(names)})"
                )
        for net in self.nets:
            for kind, k in (("X", 0), ("Y", 1)):
                self.check_size(net, kind, self.dims[net.name.text][k], f"the network {net.name.text}")

    def check_size(self, net: _Net, kind: str, given: int, what_net: str) -> None:
        """The declared tensors of ``kind`` have ``given`` elements in all (else an error at the first)."""
        tensors = net.tensors[kind]
        size = sum(_size(t[1]) for t in tensors)
        if size != given:
            what = "inputs" if kind == "X" else "outputs"
            many = f" in {len(tensors)} tensors" if len(tensors) > 1 else ""
            raise self.error(tensors[0][3], f"declares {size} {what}{many}, {what_net} has {given}")

    def find(self, e: tuple[str, int]) -> tuple[str, int]:
        """The representative of an input element (the first of its class to be declared)."""
        while self.parent.get(e, e) != e:
            e = self.parent[e]
        return e

    def identified(self, asserts: list[list[object]]) -> list[list[object]]:
        """Top-level ``(== a b ...)`` between input elements (alone or in a top-level ``and``):
        the elements are the same variables of ``F`` (recorded in ``self.parent``, a union-find
        forest whose roots are the earliest declared elements).  Returns the other assertions."""
        find = self.find

        def pairs(node: object) -> list[tuple[tuple[str, int], tuple[str, int]]] | None:
            if not (isinstance(node, list) and len(node) >= 3 and isinstance(node[1], _Tok)):
                return None
            op = node[1].text
            if op == "and":
                out: list[tuple[tuple[str, int], tuple[str, int]]] = []
                for a in node[2:]:
                    p = pairs(a)
                    if p is None:
                        return None
                    out.extend(p)
                return out
            if op != "==" or len(node) < 4:
                return None
            elems = [self.input_element(a) for a in node[2:]]
            if any(e is None for e in elems):
                return None
            return [(a, b) for a, b in zip(elems, elems[1:])]  # type: ignore[misc]

        rest = []
        for a in asserts:
            found = pairs(a[2])
            if found is None:
                rest.append(a)
                continue
            for u, v in found:
                ru, rv = sorted((find(u), find(v)), key=self.order)
                if ru != rv:
                    self.parent[rv] = ru
        return rest

    def order(self, e: tuple[str, int]) -> tuple[int, int]:
        """Declaration order of input elements (network, then row-major index)."""
        return self.tensors[e[0]][3], e[1]

    def input_element(self, node: object) -> tuple[str, int] | None:
        """``(tensor, flat index)`` when ``node`` is a valid element of an input tensor."""
        if isinstance(node, _Tok) and _NAME_2.fullmatch(node.text):
            node = _Ref(node.text, (), node.line, node.text)
        if not isinstance(node, _Ref) or node.name not in self.tensors:
            return None
        kind, shape, _, _ = self.tensors[node.name]
        if kind != "X" or len(node.index) != len(shape) or any(i >= n for i, n in zip(node.index, shape)):
            return None
        flat = 0
        for i, n in zip(node.index, shape):
            flat = flat * n + i
        return node.name, flat

    def layout(self) -> None:
        """The inputs of ``F``: every input element in declaration order, identified ones shared."""
        find = self.find
        root_index: dict[tuple[str, int], int] = {}
        offset = 0
        for net in self.nets:
            for var, shape, _, _ in net.tensors["X"]:
                for flat in range(_size(shape)):
                    root = find((var, flat))
                    if root not in root_index:
                        root_index[root] = len(self.x_label)
                        self.x_label.append(self.label(*root))
                    self.x_index[(var, flat)] = root_index[root]
            for var, shape, _, _ in net.tensors["Y"] + net.tensors.get("H", []):
                self.y_offset[var] = offset
                offset += _size(shape)

    def declarations(self) -> list[NetworkDeclaration]:
        out = []
        for net in self.nets:
            xs = tuple((t[0], t[1]) for t in net.tensors["X"])
            ys = tuple((t[0], t[1]) for t in net.tensors["Y"])
            hs = tuple((t[0], t[1], net.onnx[t[0]]) for t in net.tensors.get("H", []))
            kind, target = net.equiv if net.equiv is not None else ("", None)
            out.append(
                NetworkDeclaration(
                    net.name.text,
                    xs,
                    ys,
                    tuple(self.x_index[(v, i)] for v, shape in xs for i in range(_size(shape))),
                    self.y_offset[ys[0][0]],
                    equal_to=target.text if target is not None and kind == "equal-to" else None,
                    isomorphic_to=target.text if target is not None and kind == "isomorphic-to" else None,
                    hidden_tensors=hs,
                )
            )
        return out

    def network(self, item: list[object]) -> None:
        head = self.head(item)
        if len(item) < 3 or not isinstance(item[2], _Tok) or _NAME_2.fullmatch(item[2].text) is None:
            raise self.error(head, "expected (declare-network NAME (declare-input ...) (declare-output ...))")
        name = item[2]
        if name.text in self.tensors or any(n.name.text == name.text for n in self.nets):
            raise self.error(name, "this name is already used (names are unique in a query)")
        net = _Net(name, None, {})
        index = len(self.nets)
        for decl in item[3:]:
            if not isinstance(decl, list):
                raise self.error(_as_tok(decl), "expected (declare-input ...) or (declare-output ...)")
            h = self.head(decl)
            if h.text in ("isomorphic-to", "equal-to"):
                self.equivalence(net, h, decl)
                continue
            if h.text not in ("declare-input", "declare-hidden", "declare-output"):
                raise self.error(h, "expected declare-input, declare-hidden or declare-output")
            kind = {"declare-input": "X", "declare-hidden": "H", "declare-output": "Y"}[h.text]
            if kind == "X" and ("Y" in net.tensors or "H" in net.tensors):
                raise self.error(h, "inputs must be declared before hidden tensors and outputs")
            if kind == "H" and "Y" in net.tensors:
                raise self.error(h, "hidden tensors must be declared before outputs")
            if kind == "H" and "X" not in net.tensors:
                raise self.error(h, "hidden tensors must be declared after the inputs")
            if kind == "H" and len(decl) != 5:
                raise self.error(h, 'expected (declare-hidden NAME TYPE [d1,...,dk] "onnx-name")')
            if kind == "H" and net.equiv is not None:
                raise self.error(h, f"hidden tensors of a network declared {net.equiv[0]} are not supported")
            if len(decl) not in (4, 5) or not isinstance(decl[2], _Tok) or not isinstance(decl[3], _Ref):
                raise self.error(h, f"expected ({h.text} NAME TYPE [d1,...,dk] [\"onnx-name\"])")
            var, typ = decl[2], decl[3]
            if _NAME_2.fullmatch(var.text) is None:
                raise self.error(var, "a tensor name starts with a letter, then letters, digits, '_'")
            if var.text in self.tensors or var.text == name.text or any(n.name.text == var.text for n in self.nets):
                raise self.error(var, "this name is already used (names are unique in a query)")
            if typ.name not in FLOAT_TYPES:
                raise self.error(
                    _Tok(typ.name, typ.line),
                    f"unsupported element type (expected one of {', '.join(FLOAT_TYPES)})",
                )
            if len(decl) == 5 and not (isinstance(decl[4], _Tok) and decl[4].text.startswith('"')):
                raise self.error(_as_tok(decl[4]), 'expected an ONNX name in double quotes')
            size = _size(typ.index)
            if size < 1 or size > MAX_ELEMENTS:
                raise self.error(
                    _Tok(typ.text, typ.line), f"a tensor of {size} elements (expected 1 to {MAX_ELEMENTS})"
                )
            self.tensors[var.text] = (kind, typ.index, var, index)
            net.tensors.setdefault(kind, []).append((var.text, typ.index, typ.name, var))
            if kind == "H":
                assert isinstance(decl[4], _Tok)
                net.onnx[var.text] = decl[4].text[1:-1]
        for kind, what in (("X", "declare-input"), ("Y", "declare-output")):
            if kind not in net.tensors:
                raise self.error(head, f"the network has no {what}")
        for kind, given in (("X", self.n_in), ("Y", self.n_out)):
            if given is not None:
                self.check_size(net, kind, given, "the network")
        if sum(_size(t[1]) for t in net.tensors["X"]) > MAX_ELEMENTS:
            raise self.error(net.tensors["X"][0][3], f"the network's inputs have more than {MAX_ELEMENTS} elements")
        if net.equiv is not None:
            self.check_equivalence(net)
        self.nets.append(net)

    def equivalence(self, net: _Net, h: _Tok, decl: list[object]) -> None:
        """``(equal-to NAME)`` / ``(isomorphic-to NAME)``: NAME an earlier network without one."""
        if net.equiv is not None:
            raise self.error(h, "a network has at most one equal-to or isomorphic-to")
        if net.tensors:
            raise self.error(h, f"{h.text} comes before the network's tensors")
        if len(decl) != 3 or not isinstance(decl[2], _Tok):
            raise self.error(h, f"expected ({h.text} NETWORK)")
        target = decl[2]
        earlier = [n for n in self.nets if n.name.text == target.text]
        if not earlier:
            what = "the network itself" if target.text == net.name.text else "no earlier declared network"
            raise self.error(target, f"{h.text} names {what} (it must name an earlier declare-network)")
        if earlier[0].tensors.get("H"):
            raise self.error(target, f"{h.text} {target.text}: {target.text} declares hidden tensors, which is not supported")
        if earlier[0].equiv is not None:
            raise self.error(
                target, f"{target.text} is itself {earlier[0].equiv[0]} {earlier[0].equiv[1].text}: "
                f"{h.text} must name a network without an equivalence"
            )
        net.equiv = (h.text, target)

    def check_equivalence(self, net: _Net) -> None:
        """equal-to: the same shapes and element types; isomorphic-to: the same shapes."""
        assert net.equiv is not None
        kind, target = net.equiv
        other = next(n for n in self.nets if n.name.text == target.text)
        for k, what in (("X", "input"), ("Y", "output")):
            mine, theirs = net.tensors[k], other.tensors[k]
            if len(mine) != len(theirs):
                raise self.error(
                    mine[0][3], f"{kind} {target.text}: it has {len(theirs)} {what} tensors, this one {len(mine)}"
                )
            for (_, shape, typ, tok), (ovar, oshape, otyp, _) in zip(mine, theirs):
                self.check_tensor(kind, target.text, what, (shape, typ, tok), (ovar, oshape, otyp))

    def check_tensor(self, kind: str, target: str, what: str, mine: tuple, theirs: tuple) -> None:
        """One tensor of an equal-to / isomorphic-to network against the earlier network's."""
        (shape, typ, tok), (ovar, oshape, otyp) = mine, theirs
        if shape != oshape:
            raise self.error(tok, f"{kind} {target}: its {what} {ovar} has shape {list(oshape)}, this one {list(shape)}")
        if kind == "equal-to" and typ != otyp:
            raise self.error(tok, f"equal-to {target}: its {what} {ovar} has element type {otyp}, this one {typ}")

    def element(self, ref: _Ref) -> tuple[str, int]:
        tok = _Tok(ref.text, ref.line)
        if ref.name not in self.tensors:
            raise self.error(tok, "used but not declared (expected an input or output tensor)")
        kind, shape, _, _ = self.tensors[ref.name]
        if len(ref.index) != len(shape):
            raise self.error(tok, f"expected {len(shape)} indices for a tensor of shape {list(shape)}")
        flat = 0
        for i, n in zip(ref.index, shape):
            if i >= n:
                raise self.error(tok, f"index out of range for a tensor of shape {list(shape)}")
            flat = flat * n + i
        if kind == "X":
            return kind, self.x_index[(ref.name, flat)]
        return kind, self.y_offset[ref.name] + flat

    def term(self, node: object, d: int, m: int) -> tuple[dict[tuple[str, int], Fraction], Fraction]:
        if isinstance(node, _Ref):
            return {self.element(node): Fraction(1)}, Fraction(0)
        if isinstance(node, _Tok) and _NAME_2.fullmatch(node.text):
            return {self.element(_Ref(node.text, (), node.line, node.text)): Fraction(1)}, Fraction(0)
        return super().term(node, d, m)

    def formula(self, node: object, d: int, m: int) -> list[list[AffineForm]]:
        if isinstance(node, list) and len(node) >= 2 and isinstance(node[1], _Tok):
            op = node[1]
            if op.text == "==":
                node = [node[0], _Tok("=", op.line), *node[2:]]
            elif op.text in ("<", ">", "!="):
                return self.strict(op, node[2:], d, m)
        return super().formula(node, d, m)

    def strict(self, op: _Tok, args: list[object], d: int, m: int) -> list[list[AffineForm]]:
        """``(< a b)``, ``(> a b)`` (chains as for ``<=``): strict atoms; ``(!= a b)``: the
        disjunction of ``a < b`` and ``a > b``."""
        if len(args) < 2 or (op.text == "!=" and len(args) != 2):
            raise self.error(op, f"'{op.text}' needs {'two' if op.text == '!=' else 'at least two'} terms")
        terms = [self.term(a, d, m) for a in args]

        def lt(a, b) -> AffineForm:  # a - b < 0
            f = _difference(a, b, d, m)
            return AffineForm(f.x, f.y, f.c, True)

        if op.text == "!=":
            return [[lt(terms[0], terms[1])], [lt(terms[1], terms[0])]]
        pairs = list(zip(terms, terms[1:]))
        return [[lt(a, b) if op.text == "<" else lt(b, a) for a, b in pairs]]


def _size(shape: tuple[int, ...]) -> int:
    n = 1
    for v in shape:
        n *= v
    return n


def _version(text: str, src: str) -> str:
    """``"1.0"`` for a file without ``(vnnlib-version ...)``, else the declared version."""
    toks = []
    for m in _TOKEN.finditer(text):
        t = m.group()
        if t[0] in " \t\r\f\v\n;":
            continue
        toks.append(t)
        if len(toks) == 4:
            break
    if len(toks) >= 2 and toks[0] == "(" and toks[1] == "vnnlib-version":
        line = text[: text.find("vnnlib-version")].count("\n") + 1
        where = f"{src}, line {line}"
        if len(toks) < 4 or toks[3] != ")":
            raise FileFormatError(f"{where}, token 'vnnlib-version': expected (vnnlib-version <2.0>)")
        m2 = re.fullmatch(r"<(\d+)\.(\d+)>", toks[2])
        if m2 is None:
            raise FileFormatError(f"{where}, token {toks[2]!r}: expected a version such as <2.0>")
        if m2.group(1) != "2":
            raise FileFormatError(
                f"{where}, token {toks[2]!r}: unsupported VNN-LIB version (this reader knows 1.0 and 2.x)"
            )
        return "2"
    found = re.search(r"\(\s*(declare-network)\b", text)
    if found:
        line = text[: found.start(1)].count("\n") + 1
        raise FileFormatError(
            f"{src}, line {line}, token 'declare-network': declare-network is VNN-LIB 2.0, "
            "so the file must start with (vnnlib-version <2.0>)"
        )
    return "1.0"


def _combine(args, signs) -> tuple[dict[tuple[str, int], Fraction], Fraction]:
    coeffs: dict[tuple[str, int], Fraction] = {}
    const = Fraction(0)
    for (cs, c), s in zip(args, signs):
        const += s * c
        for v, a in cs.items():
            coeffs[v] = coeffs.get(v, Fraction(0)) + s * a
    return coeffs, const


def _difference(a, b, d: int, m: int) -> AffineForm:
    coeffs, const = _combine([a, b], [1, -1])
    x = [Fraction(0)] * d
    y = [Fraction(0)] * m
    for (kind, i), v in coeffs.items():
        (x if kind == "X" else y)[i] += v
    return AffineForm(tuple(x), tuple(y), const)


def read_vnnlib(
    source: str | os.PathLike[str],
    *,
    n_inputs: int | None = None,
    n_outputs: int | None = None,
    network_dims: Mapping[str, tuple[int, int]] | None = None,
) -> VnnlibProperty:
    """Read a VNN-LIB property (a path, or the text itself) into its exact DNF.

    Parameters
    ----------
    source
        A path (str or :class:`pathlib.Path`) or VNN-LIB text (a str containing a
        parenthesis or a newline).
    n_inputs, n_outputs
        The network's input and output dimensions: variables beyond them are errors,
        and every ``X_0 .. X_{n_inputs-1}`` must be bounded.  By default, one more
        than the largest declared index.  For a single network only.
    network_dims
        For a VNN-LIB 2.0 query: ``{network name: (n_inputs, n_outputs)}`` for every
        declared network; a declared tensor of another size is a ``FileFormatError`` at
        its declaration.

    Returns
    -------
    VnnlibProperty
        The unsafe set as a union of :class:`Disjunct` (disjuncts that are empty by
        their constant atoms or their box are left out).

    Raises
    ------
    FileFormatError
        A missing file, or a construct outside the supported subset (naming the file,
        the line and the token), or an unbounded input.
    LimitExceededError
        A disjunctive normal form of more than :data:`MAX_DISJUNCTS` disjuncts.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.io.vnnlib import read_vnnlib
    >>> prop = read_vnnlib('''
    ... (declare-const X_0 Real)
    ... (declare-const Y_0 Real)
    ... (declare-const Y_1 Real)
    ... (assert (<= X_0 0.5))
    ... (assert (>= X_0 -1e-1))
    ... (assert (or (<= Y_0 Y_1) (>= (* 2 Y_0) 3)))
    ... ''')
    >>> len(prop.disjuncts), prop.disjuncts[0].box
    (2, ((Fraction(-1, 10), Fraction(1, 2)),))
    >>> prop.disjuncts[1].atoms[0]
    AffineForm(x=(Fraction(0, 1),), y=(Fraction(-2, 1), Fraction(0, 1)), c=Fraction(3, 1))
    """
    if not isinstance(source, (str, os.PathLike)):
        raise FileFormatError(
            f"source: expected a path or the text of a VNN-LIB file, got {type(source).__name__}"
        )
    for name, value in (("n_inputs", n_inputs), ("n_outputs", n_outputs)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise InvalidInputError(f"{name}: expected a positive integer, got {short_repr(value)}")
    if isinstance(source, str) and ("(" in source or "\n" in source):
        if len(source) > MAX_BYTES:
            raise LimitExceededError(f"VNN-LIB text: {len(source)} characters, more than {MAX_BYTES}")
        text, src = source, "VNN-LIB text"
    else:
        path = Path(source)
        src = str(path)
        try:
            if path.stat().st_size > MAX_BYTES:
                raise LimitExceededError(f"{src}: larger than {MAX_BYTES} bytes")
            data = path.read_bytes()
        except FileNotFoundError:
            raise FileFormatError(f"{src}: no such VNN-LIB file") from None
        except OSError as exc:
            raise FileFormatError(f"{src}: cannot read ({exc.strerror or exc})") from None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FileFormatError(f"{src}: not UTF-8 text (byte {exc.start})") from None
    dims: dict[str, tuple[int, int]] | None = None
    if network_dims is not None:
        if not isinstance(network_dims, Mapping):
            raise InvalidInputError(
                f"network_dims: expected a mapping name -> (n_inputs, n_outputs), got {type(network_dims).__name__}"
            )
        dims = {}
        for key, pair in network_dims.items():
            ok = isinstance(pair, (tuple, list)) and len(pair) == 2
            if not (
                isinstance(key, str)
                and ok
                and all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in pair)
            ):
                raise InvalidInputError(
                    f"network_dims: expected name -> (n_inputs, n_outputs) of positive integers, "
                    f"got {short_repr(key)}: {short_repr(pair)}"
                )
            dims[key] = (pair[0], pair[1])
    if _version(text, src) == "2":
        return _Reader2(text, src, n_inputs, n_outputs, dims).read()
    if dims is not None:
        raise InvalidInputError(f"network_dims: {src} is VNN-LIB 1.0 (one network): give n_inputs, n_outputs")
    return _Reader(text, src, n_inputs, n_outputs).read()
