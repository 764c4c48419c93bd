"""VNN-LIB property files, read exactly into a disjunctive normal form.

A VNN-LIB file declares the network's inputs ``X_i`` and outputs ``Y_j`` and asserts
the **unsafe** set.  :func:`read_vnnlib` reads the VNN-LIB 1.0 subset that VNN-COMP
writes (``declare-const``, ``assert`` with ``<=``, ``>=``, ``and``, ``or`` at any
nesting, linear terms built with ``+``, ``-`` and ``*`` by constants) and normalizes
it: the unsafe set is a union of disjuncts, each a box on ``X`` (every input bounded),
further linear rows in ``X`` alone, and atoms involving ``Y``.  Every decimal is the
exact decimal it denotes (``0.1`` is 1/10), scientific notation included.

What is not read (a :class:`~relu_geom.errors.FileFormatError` naming file, line and
token): strict ``<`` / ``>``, non-linear terms, other operators, commands and sorts,
and VNN-LIB 2.0's typed network declarations.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from fractions import Fraction
from itertools import product
from pathlib import Path

from relu_geom._util import short_repr
from relu_geom.errors import FileFormatError, InvalidInputError, LimitExceededError
from relu_geom.network.spec import AffineForm, Disjunct, Specification

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
    def parse(self) -> list[object]:
        top: list[object] = []
        stack: list[tuple[list[object], _Tok]] = []
        line = 1
        current = top
        for m in _TOKEN.finditer(self.text):
            t = m.group()
            if t == "\n":
                line += 1
                continue
            if t[0] in " \t\r\f\v;":
                continue
            tok = _Tok(t, line)
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
        consumed = sum(len(m.group()) for m in _TOKEN.finditer(self.text))
        if consumed != len(self.text):
            raise self.error(None, "unreadable characters")
        if stack:
            raise self.error(stack[-1][1], "unbalanced '(' (never closed)")
        return top

    # ---- commands
    def read(self) -> VnnlibProperty:
        asserts: list[list[object]] = []
        for item in self.parse():
            if isinstance(item, _Tok):
                raise self.error(item, "expected a command in parentheses")
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
        if isinstance(node, _Tok):
            raise self.error(node, "expected a formula in parentheses")
        assert isinstance(node, list)
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
                if a.c > 0:
                    return None  # 'c <= 0' is false: the disjunct is empty
                continue
            if len(nz) > 1:
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
                        f"{self.src}: X_{i} has no {side} bound in disjunct {k}; every input must be bounded"
                    )
        if any(lo_i > hi_i for lo_i, hi_i in zip(lo, hi)):  # type: ignore[operator]
            return None  # an empty box
        return Disjunct(tuple(zip(lo, hi)), tuple(rows), tuple(outs))  # type: ignore[arg-type]


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
    source: str | os.PathLike[str], *, n_inputs: int | None = None, n_outputs: int | None = None
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
        than the largest declared index.

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
    return _Reader(text, src, n_inputs, n_outputs).read()
