"""VNN-LIB reader: the ACAS Xu properties and hand-written specs of each construct and error."""

from __future__ import annotations

import glob
import pathlib
from fractions import Fraction as F

import pytest

import relu_geom as rg
from relu_geom.io.vnnlib import AffineForm, Disjunct, VnnlibProperty, read_vnnlib

ACAS = pathlib.Path("/work/shared/benchmarks/acasxu")
HEAD = (
    "".join(f"(declare-const X_{i} Real)\n" for i in range(2))
    + "(declare-const Y_0 Real)\n(declare-const Y_1 Real)\n"
)
BOX = "(assert (<= X_0 1))\n(assert (>= X_0 -1))\n(assert (<= X_1 2))\n(assert (>= X_1 0))\n"


def spec(body: str, **kw) -> VnnlibProperty:
    return read_vnnlib(HEAD + BOX + body, **kw)


def form(x, y, c) -> AffineForm:
    return AffineForm(tuple(F(v) for v in x), tuple(F(v) for v in y), F(c))


needs_acas = pytest.mark.skipif(not ACAS.is_dir(), reason="ACAS Xu benchmark files not present")


@needs_acas
def test_acas_xu_disjunct_counts():
    # prop 5, 9, 10: one 4-way 'or'; prop 6: (2-way or) and (4-way or); 7: 2; 8: 3
    expected = {1: 1, 2: 1, 3: 1, 4: 1, 5: 4, 6: 8, 7: 2, 8: 3, 9: 4, 10: 4}
    files = sorted(glob.glob(str(ACAS / "prop_*.vnnlib")))
    assert len(files) == 10
    for path in files:
        k = int(pathlib.Path(path).stem.split("_")[1])
        prop = read_vnnlib(path, n_inputs=5, n_outputs=5)
        assert (prop.n_inputs, prop.n_outputs) == (5, 5)
        assert len(prop.disjuncts) == expected[k], path
        assert all(not d.input_rows and d.atoms for d in prop.disjuncts)


@needs_acas
def test_acas_xu_exact_bounds():
    prop = read_vnnlib(ACAS / "prop_2.vnnlib")
    (dj,) = prop.disjuncts
    assert dj.box[0] == (F(6, 10), F(679857769, 10**9))
    assert dj.box[4] == (F(-1, 2), F(-45, 100))
    # Y_j <= Y_0 for j = 1..4: Y_j - Y_0 <= 0
    assert dj.atoms == tuple(
        form([0] * 5, [-1] + [1 if i == j else 0 for i in range(1, 5)], 0) for j in range(1, 5)
    )
    (dj,) = read_vnnlib(ACAS / "prop_1.vnnlib").disjuncts
    assert dj.atoms == (form([0] * 5, [-1, 0, 0, 0, 0], F(3991125645861615, 10**15)),)
    prop6 = read_vnnlib(ACAS / "prop_6.vnnlib")
    # the input 'or' is outermost: disjuncts 0-3 on X_1 in [0.11140846, 0.499999896], then 4-7
    assert prop6.disjuncts[0].box[1] == (F(11140846, 10**8), F(499999896, 10**9))
    assert prop6.disjuncts[4].box[1] == (F(-499999896, 10**9), F(-11140846, 10**8))
    assert prop6.disjuncts[5].atoms == (form([0] * 5, [-1, 0, 1, 0, 0], 0),)


def test_each_construct():
    prop = spec("(assert (<= (+ X_0 (* 2 X_1) (- 3)) (- Y_0 (* Y_1 0.5))))")
    assert prop == VnnlibProperty(
        2,
        2,
        (Disjunct(((F(-1), F(1)), (F(0), F(2))), (), (form([1, 2], [-1, F(1, 2)], -3),)),),
    )
    # a row on X alone (two inputs) is an input row; a single input with a coefficient is a bound
    prop = spec("(assert (>= (* -4 X_1) -6))\n(assert (<= (- X_0 X_1) 0))\n(assert (>= Y_0 Y_1))")
    (dj,) = prop.disjuncts
    assert dj.box == ((F(-1), F(1)), (F(0), F(3, 2)))
    assert dj.input_rows == (form([1, -1], [0, 0], 0),)
    assert dj.atoms == (form([0, 0], [-1, 1], 0),)
    # decimals are exact decimals, also with exponents
    (dj,) = spec(
        "(assert (<= Y_0 0.3333333333333333333))\n(assert (<= Y_1 -2.5E-3))\n(assert (<= Y_1 1e2))"
    ).disjuncts
    assert dj.atoms[0].c == -F(3333333333333333333, 10**19)
    assert dj.atoms[1].c == F(25, 10**4)
    assert dj.atoms[2].c == -100
    # unary minus, subtraction of several terms, constant products, chains and '='
    (dj,) = spec("(assert (<= (- Y_0 Y_1 1) (* 2 3 (- X_0))))").disjuncts
    assert dj.atoms == (form([6, 0], [1, -1], -1),)
    (dj,) = spec("(assert (<= Y_0 Y_1 5))").disjuncts
    assert dj.atoms == (form([0, 0], [1, -1], 0), form([0, 0], [0, 1], -5))
    (dj,) = spec("(assert (= Y_0 1))").disjuncts
    assert dj.atoms == (form([0, 0], [1, 0], -1), form([0, 0], [-1, 0], 1))


def test_nesting_into_dnf():
    prop = spec(
        "(assert (or (and (<= Y_0 0) (<= Y_1 0)) (or (<= Y_0 1) (and (<= Y_1 2)))))\n(assert (or (<= Y_0 3) (<= Y_0 4)))"
    )
    assert [tuple(-a.c for a in d.atoms) for d in prop.disjuncts] == [
        (0, 0, 3),
        (0, 0, 4),
        (1, 3),
        (1, 4),
        (2, 3),
        (2, 4),
    ]
    # box bounds inside an 'or' belong to their disjunct only; tightest bound wins
    text = HEAD + "(assert (or (and (<= X_0 1) (>= X_0 0) (<= X_0 1/2)) (and (<= X_0 3) (>= X_0 2))))\n"
    with pytest.raises(rg.FileFormatError, match="line 5, token '1/2'"):
        read_vnnlib(text + "(assert (<= X_1 1))(assert (>= X_1 0))")
    text = HEAD + "(assert (or (and (<= X_0 1) (>= X_0 0) (<= X_0 0.5)) (and (<= X_0 3) (>= X_0 2))))\n"
    prop = read_vnnlib(text + "(assert (<= X_1 1))(assert (>= X_1 0))")
    assert [d.box[0] for d in prop.disjuncts] == [(0, F(1, 2)), (2, 3)]


def test_empty_disjuncts_are_left_out():
    prop = spec("(assert (or (and (<= X_0 -2)) (<= Y_0 0) (<= 1 0)))")
    assert len(prop.disjuncts) == 1 and prop.disjuncts[0].atoms == (form([0, 0], [1, 0], 0),)


def test_dimensions_from_the_network():
    prop = spec("(assert (<= Y_0 0))", n_inputs=2, n_outputs=3)
    assert prop.n_outputs == 3 and prop.disjuncts[0].atoms[0].y == (1, 0, 0)
    with pytest.raises(rg.FileFormatError, match=r"line 2, token 'X_1': the network has 1 inputs"):
        spec("(assert (<= Y_0 0))", n_inputs=1)
    with pytest.raises(rg.FileFormatError, match="X_2 has no lower bound"):
        spec("(assert (<= Y_0 0))", n_inputs=3)


@pytest.mark.parametrize(
    "body, match",
    [
        ("(assert (< Y_0 0))", r"line 9, token '<': strict inequalities are not supported"),
        ("(assert (> Y_0 0))", r"token '>': strict"),
        ("(assert (<= (* X_0 Y_0) 0))", r"token '\*': non-linear"),
        ("(assert (<= (* X_0 X_0) 0))", r"token '\*': non-linear"),
        ("(assert (<= (/ Y_0 2) 0))", r"token '/': unknown operator in a term"),
        ("(assert (not (<= Y_0 0)))", r"token 'not': unknown operator in a formula"),
        ("(assert (<= Y_0 0)", r"token '\(': unbalanced '\(' \(never closed\)"),
        ("(assert (<= Y_0 0)))", r"line 9, token '\)': unbalanced '\)'"),
        ("(assert (<= Y_2 0))", r"token 'Y_2': used but not declared"),
        ("(assert (<= Z_0 0))", r"token 'Z_0': expected a number"),
        ("(assert (<= Y_0 0.5.5))", r"token '0.5.5'"),
        ("(declare-fun f () Real)", r"token 'declare-fun': unknown command"),
        ("(declare-const X_0 Real)", r"token 'X_0': declared twice"),
        ("(declare-const Y_5 Int)", r"token 'Int': unsupported sort"),
        ("(assert (<= Y_0 1" + "0" * 2000 + "))", r"longer than 1000 characters"),
        ("(assert (<= Y_0 1e5000))", r"token '1e5000': exponent 5000 beyond the limit"),
        ("(assert)", r"token 'assert': expected \(assert FORMULA\)"),
        ("(assert (<= Y_0))", r"needs at least two terms"),
        ("(assert (and))", r"needs at least one argument"),
        ("(assert Y_0)", r"token 'Y_0': expected a formula in parentheses"),
        ("X_0", r"token 'X_0': expected a command"),
        ("(assert " + "(and " * 300 + "(<= Y_0 0)" + ")" * 301, r"nested deeper than 200"),
    ],
)
def test_errors_name_line_and_token(body, match):
    with pytest.raises(rg.FileFormatError, match=match) as info:
        spec(body)
    assert "VNN-LIB text, " in str(info.value)


def test_unbounded_inputs_and_files(tmp_path):
    with pytest.raises(rg.FileFormatError, match="X_1 has no upper bound in disjunct 0"):
        read_vnnlib(HEAD + "(assert (<= X_0 1))(assert (>= X_0 -1))(assert (>= X_1 0))")
    with pytest.raises(rg.FileFormatError, match="no such VNN-LIB file"):
        read_vnnlib(tmp_path / "missing.vnnlib")
    path = tmp_path / "p.vnnlib"
    path.write_text("; comment\n" + HEAD + BOX + "(assert (<  Y_0 0))\n")
    with pytest.raises(rg.FileFormatError, match=rf"{path.name}, line 10, token '<'"):
        read_vnnlib(path)
    with pytest.raises(rg.InvalidInputError, match="n_inputs"):
        read_vnnlib(path, n_inputs=0)


def test_dnf_size_is_bounded():
    # an 'and' of 17 two-way 'or's has 2^17 = 131072 disjuncts
    body = "(assert (and " + "(or (<= Y_0 0) (<= Y_1 0)) " * 17 + "))"
    with pytest.raises(rg.LimitExceededError, match="131072 disjuncts"):
        spec(body)
    # across asserts too
    body = "(assert (or (<= Y_0 0) (<= Y_1 0)))\n" * 17
    with pytest.raises(rg.LimitExceededError, match="131072 disjuncts"):
        spec(body)


def test_values_are_immutable():
    prop = spec("(assert (<= Y_0 0))")
    with pytest.raises(AttributeError):
        prop.n_inputs = 3  # type: ignore[misc]
    with pytest.raises(AttributeError):
        prop.disjuncts[0].atoms[0].c = 1  # type: ignore[misc]
