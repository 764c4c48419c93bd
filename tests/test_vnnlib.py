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


# ---------------------------------------------------------------- VNN-LIB 2.0
# Hand-written 2.0 queries, each the same property as a 1.0 file (the shape [1, 2] flattens
# row-major: X[0,i] is X_i; a scalar output tensor Y of shape [] is Y_0).
V2_HEAD = """(vnnlib-version <2.0>)
; one network: input a 1 x 2 tensor, output a 2-vector
(declare-network f
    (declare-input  X float32 [1,2])
    (declare-output Y Real [2] "logits")
)
(assert (and (<= X[0,0] 1) (>= X[0,0] -1)))
(assert (and (<= X[0,1] 2.0) (>= X[0 , 1] 0)))
"""

PAIRS = [
    # (1.0 body after HEAD + BOX, 2.0 body after V2_HEAD)
    ("(assert (<= Y_0 Y_1))", "(assert (<= Y[0] Y[1]))"),
    (
        "(assert (or (and (>= Y_0 0.3333333333333333333) (<= X_0 X_1)) (<= (+ (* 2 Y_1) (- X_0)) -0.1)))",
        "(assert (or (and (>= Y[0] 0.3333333333333333333) (<= X[0,0] X[0,1])) "
        "(<= (+ (* 2 Y[1]) (- X[0,0])) -0.1)))",
    ),
    ("(assert (= Y_0 (- 1 Y_1 X_1)))", "(assert (== Y[0] (- 1 Y[1] X[0,1])))"),
]


@pytest.mark.parametrize(("v1", "v2"), PAIRS)
def test_v2_equals_v1(v1, v2):
    assert read_vnnlib(V2_HEAD + v2) == spec(v1)
    assert read_vnnlib(V2_HEAD + v2, n_inputs=2, n_outputs=2) == spec(v1)


def test_v2_shapes_and_flattening():
    text = """(vnnlib-version <2.0>)
(declare-network net (declare-input inp Real [2,3]) (declare-output out float64 []))
(assert (and (>= inp[0,0] 0) (<= inp[0,0] 1) (>= inp[0,1] 0) (<= inp[0,1] 1)
             (>= inp[0,2] 0) (<= inp[0,2] 1) (>= inp[1,0] 0) (<= inp[1,0] 1)
             (>= inp[1,1] 0) (<= inp[1,1] 1) (>= inp[1,2] 0) (<= inp[1,2] 1)))
(assert (<= (- out inp[1,2]) 0))
"""
    (dj,) = read_vnnlib(text).disjuncts
    # inp[1,2] is the last of 6 row-major elements; the scalar out is Y_0
    assert dj.atoms == (form([0, 0, 0, 0, 0, -1], [1], 0),)
    with pytest.raises(rg.FileFormatError, match=r"inp\[1,2\] has no upper bound"):
        read_vnnlib(text.replace("(<= inp[1,2] 1)", ""))


def _net_2_2():
    # y0 = ReLU(x0 + x1) - 1, y1 = ReLU(x0 - x1)
    return rg.ReLUNetwork([[[1, 1], [1, -1]], [[1, 0], [0, 1]]], [[0, 0], [-1, 0]])


@pytest.mark.parametrize(
    ("v1", "v2"),
    [
        # y0 >= 2 is reachable (x = (1, 2): y0 = 2): sat
        ("(assert (>= Y_0 2))", "(assert (>= Y[0] 2))"),
        # y0 >= 2.0000000001 is not: unsat
        ("(assert (>= Y_0 2.0000000001))", "(assert (>= Y[0] 2.0000000001))"),
        # y1 >= y0 + 2 or y1 >= 3: y1 <= 1 and y0 >= -1 give y1 - y0 <= 2, with equality at (1, 0)
        ("(assert (or (>= (- Y_1 Y_0) 2) (>= Y_1 3)))", "(assert (or (>= (- Y[1] Y[0]) 2) (>= Y[1] 3)))"),
    ],
)
def test_v2_and_v1_give_the_same_verdicts(v1, v2):
    net = _net_2_2()
    r1 = rg.check_property(net, spec(v1, n_inputs=2, n_outputs=2))
    r2 = rg.check_property(net, read_vnnlib(V2_HEAD + v2, n_inputs=2, n_outputs=2))
    assert r1.verdict == r2.verdict and r1.verdict in ("sat", "unsat")
    assert rg.verify_certificate(r2.certificate, net).valid


@needs_acas
def test_acas_xu_as_v2():
    # every ACAS Xu property rewritten in 2.0 syntax (X_i -> X[0,i], Y_j -> Y[0,j]) reads the same
    import re

    for path in sorted(glob.glob(str(ACAS / "prop_*.vnnlib"))):
        text = pathlib.Path(path).read_text()
        body = "\n".join(line for line in text.splitlines() if "declare-const" not in line)
        body = re.sub(r"\b([XY])_(\d+)\b", r"\1[0,\2]", body)
        v2 = "(vnnlib-version <2.0>)\n(declare-network acas (declare-input X float32 [1,5]) "
        v2 += "(declare-output Y float32 [1,5]))\n" + body
        assert read_vnnlib(v2, n_inputs=5, n_outputs=5) == read_vnnlib(path, n_inputs=5, n_outputs=5), path


NET_DECL = "(declare-network f (declare-input X Real [2]) (declare-output Y Real [2]))\n"
V2_BOX = "(assert (and (<= X[0] 1) (>= X[0] -1) (<= X[1] 2) (>= X[1] 0)))\n"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        # versions
        ("(vnnlib-version <3.0>)\n" + NET_DECL, r"line 1, token '<3.0>': unsupported VNN-LIB version"),
        ("(vnnlib-version 2.0)\n" + NET_DECL, r"token '2.0': expected a version such as <2.0>"),
        (NET_DECL + V2_BOX, r"declare-network is VNN-LIB 2.0, so the file must start with \(vnnlib-version"),
        ("(vnnlib-version <2.0>)\n(declare-const X_0 Real)", r"token 'declare-const': declare-const is VNN-LIB 1.0"),
        ("(vnnlib-version <2.0>)\n", r"no declare-network"),
        # several networks, tensors, hidden, equivalences
        (
            "(vnnlib-version <2.0>)\n(declare-network f (declare-input X Real [2]) "
            "(declare-input Z Real [1]) (declare-output Y Real [2]))",
            r"line 2, token 'X': declares 3 inputs in 2 tensors, the network has 2",
        ),
        (
            "(vnnlib-version <2.0>)\n(declare-network f (declare-input X Real [2]) "
            "(declare-hidden H Real [3]) (declare-output Y Real [2]))",
            r"token 'declare-hidden': expected \(declare-hidden NAME TYPE \[d1,...,dk\] \"onnx-name\"\)",
        ),
        (
            "(vnnlib-version <2.0>)\n(declare-network f (declare-input X Real [2]) "
            '(declare-output Y Real [2]) (declare-hidden H Real [3] "h"))',
            r"token 'declare-hidden': hidden tensors must be declared before outputs",
        ),
        (
            '(vnnlib-version <2.0>)\n(declare-network f (declare-hidden H Real [3] "h") '
            "(declare-input X Real [2]) (declare-output Y Real [2]))",
            r"token 'declare-hidden': hidden tensors must be declared after the inputs",
        ),
        (
            "(vnnlib-version <2.0>)\n(declare-network f (declare-input X Real [2]) "
            '(declare-hidden H Real [3] h) (declare-output Y Real [2]))',
            r"token 'h': expected an ONNX name in double quotes",
        ),
        (
            "(vnnlib-version <2.0>)\n" + NET_DECL + "(declare-network g (equal-to f) (declare-input A Real [2]) "
            '(declare-hidden H Real [3] "h") (declare-output B Real [2]))',
            r"token 'declare-hidden': hidden tensors of a network declared equal-to are not supported",
        ),
        (
            "(vnnlib-version <2.0>)\n(declare-network f (declare-input X Real [2]) "
            '(declare-hidden H Real [3] "h") (declare-output Y Real [2]))\n'
            "(declare-network g (isomorphic-to f) (declare-input A Real [2]) (declare-output B Real [2]))",
            r"line 3, token 'f': isomorphic-to f: f declares hidden tensors, which is not supported",
        ),
        (
            "(vnnlib-version <2.0>)\n(declare-network f (equal-to g) (declare-input X Real [2]) "
            "(declare-output Y Real [2]))",
            r"line 2, token 'g': equal-to names no earlier declared network",
        ),
        # types and shapes
        (
            "(vnnlib-version <2.0>)\n(declare-network f (declare-input X int8 [2]) (declare-output Y Real [2]))",
            r"line 2, token 'int8': unsupported element type",
        ),
        (
            "(vnnlib-version <2.0>)\n(declare-network f (declare-input X Real [2,0]) (declare-output Y Real [2]))",
            r"token 'Real\[2,0\]': a tensor of 0 elements",
        ),
        (
            "(vnnlib-version <2.0>)\n(declare-network f (declare-input X Real [2.5]) (declare-output Y Real [2]))",
            r"token '2.5': an index or a dimension must be a non-negative integer",
        ),
        (
            "(vnnlib-version <2.0>)\n(declare-network f (declare-input X Real [2) (declare-output Y Real [2]))",
            r"token '\)': unexpected inside \[ ... \]",
        ),
        (
            "(vnnlib-version <2.0>)\n(declare-network f (declare-input X Real [2]) (declare-output X Real [2]))",
            r"token 'X': this name is already used",
        ),
        # assertions
        ("(vnnlib-version <2.0>)\n" + NET_DECL + V2_BOX + "(assert (< Y[0]))", r"line 4, token '<': '<' needs at least two"),
        ("(vnnlib-version <2.0>)\n" + NET_DECL + V2_BOX + "(assert (!= Y[0] 0 1))", r"token '!=': '!=' needs two terms"),
        (
            "(vnnlib-version <2.0>)\n" + NET_DECL + V2_BOX + "(assert (<= (* X[0] Y[1]) 0))",
            r"line 4, token '\*': non-linear",
        ),
        ("(vnnlib-version <2.0>)\n" + NET_DECL + V2_BOX + "(assert (<= Y[2] 0))", r"token 'Y\[2\]': index out of range"),
        ("(vnnlib-version <2.0>)\n" + NET_DECL + V2_BOX + "(assert (<= Y[0,0] 0))", r"token 'Y\[0,0\]': expected 1 indices"),
        ("(vnnlib-version <2.0>)\n" + NET_DECL + V2_BOX + "(assert (<= Y 0))", r"token 'Y': expected 1 indices"),
        ("(vnnlib-version <2.0>)\n" + NET_DECL + V2_BOX + "(assert (<= f[0] 0))", r"token 'f\[0\]': used but not declared"),
        ("(vnnlib-version <2.0>)\n" + NET_DECL + V2_BOX + "(assert (<= Y[0] 0)", r"unbalanced '\('"),
        ("(vnnlib-version <2.0>)\n" + NET_DECL + V2_BOX + "(assert (<= Y[0 0))", r"token '\)': unexpected inside \[ ... \]"),
        ("(vnnlib-version <2.0>)\n" + V2_BOX + NET_DECL, r"line 3, token 'declare-network': network declarations must"),
        (
            "(vnnlib-version <2.0>)\n" + NET_DECL + V2_BOX + "(assert (<= Y[0] 0))\n" + NET_DECL,
            r"line 5, token 'declare-network': network declarations must come before the assertions",
        ),
    ],
)
def test_v2_errors_name_line_and_token(text, match):
    with pytest.raises(rg.FileFormatError, match=match) as info:
        read_vnnlib(text, n_inputs=2 if "[2]" in text else None)
    assert "VNN-LIB text, " in str(info.value)


def test_v2_dimensions_against_the_network(tmp_path):
    text = "(vnnlib-version <2.0>)\n" + NET_DECL + V2_BOX + "(assert (<= Y[0] 0))"
    with pytest.raises(rg.FileFormatError, match=r"line 2, token 'X': declares 2 inputs, the network has 3"):
        read_vnnlib(text, n_inputs=3)
    with pytest.raises(rg.FileFormatError, match=r"token 'Y': declares 2 outputs, the network has 1"):
        read_vnnlib(text, n_outputs=1)
    path = tmp_path / "q.vnnlib"
    path.write_text(text.replace("(<= Y[0] 0)", "(< Y[0])"))
    with pytest.raises(rg.FileFormatError, match=rf"{path.name}, line 4, token '<'"):
        read_vnnlib(path)


# ---------------------------------------------------------------- strict comparisons (2.0)
def sform(x, y, c) -> AffineForm:
    """The strict atom ``x.X + y.Y + c < 0``."""
    return AffineForm(tuple(F(v) for v in x), tuple(F(v) for v in y), F(c), True)


def v2(body: str) -> VnnlibProperty:
    return read_vnnlib("(vnnlib-version <2.0>)\n" + NET_DECL + V2_BOX + body, n_inputs=2, n_outputs=2)


BOX2 = ((F(-1), F(1)), (F(0), F(2)))


def test_v2_strict_atoms():
    # (> Y[0] 1): 1 - Y0 < 0; (< Y[0] 1): Y0 - 1 < 0; both keep the box and are atoms
    assert v2("(assert (> Y[0] 1))").disjuncts == (Disjunct(BOX2, (), (sform([0, 0], [-1, 0], 1),)),)
    assert v2("(assert (< Y[0] 1))").disjuncts == (Disjunct(BOX2, (), (sform([0, 0], [1, 0], -1),)),)
    # chains: a < b < c is a < b and b < c; a > b > c is b < a and c < b
    (dj,) = v2("(assert (< X[0] Y[0] 2))").disjuncts
    assert dj.atoms == (sform([1, 0], [-1, 0], 0), sform([0, 0], [1, 0], -2))
    (dj,) = v2("(assert (> Y[1] Y[0] 0.5))").disjuncts
    assert dj.atoms == (sform([0, 0], [1, -1], 0), sform([0, 0], [-1, 0], F(1, 2)))
    # a strict and a non-strict atom on the same form are different atoms
    (dj,) = v2("(assert (and (<= Y[0] 1) (< Y[0] 1)))").disjuncts
    assert dj.atoms == (form([0, 0], [1, 0], -1), sform([0, 0], [1, 0], -1))
    assert dj.atoms[0] != dj.atoms[1] and dj.has_strict
    assert not v2("(assert (<= Y[0] 1))").has_strict and v2("(assert (< Y[0] 1))").has_strict


def test_v2_not_equal_is_a_disjunction():
    # the assertions describe the violation: Y0 != 1 is Y0 < 1 or Y0 > 1
    prop = v2("(assert (!= Y[0] 1))")
    assert prop.disjuncts == (
        Disjunct(BOX2, (), (sform([0, 0], [1, 0], -1),)),
        Disjunct(BOX2, (), (sform([0, 0], [-1, 0], 1),)),
    )
    # inside an 'and' it distributes: (Y0 < Y1 or Y0 > Y1) and Y1 <= 3
    prop = v2("(assert (and (!= Y[0] Y[1]) (<= Y[1] 3)))")
    assert [d.atoms for d in prop.disjuncts] == [
        (sform([0, 0], [1, -1], 0), form([0, 0], [0, 1], -3)),
        (sform([0, 0], [-1, 1], 0), form([0, 0], [0, 1], -3)),
    ]
    # over an input alone: X0 != 0 on [-1, 1] is [-1, 0] with X0 < 0, or [0, 1] with X0 > 0
    prop = v2("(assert (!= X[0] 0))")
    assert [(d.box, d.atoms) for d in prop.disjuncts] == [
        (((F(-1), F(0)), (F(0), F(2))), (sform([1, 0], [0, 0], 0),)),
        (((F(0), F(1)), (F(0), F(2))), (sform([-1, 0], [0, 0], 0),)),
    ]


def test_v2_strict_comparisons_of_inputs_and_constants():
    # a strict bound on one input bounds the box by its closure and stays an atom (x < 1/2)
    (dj,) = v2("(assert (< X[0] 0.5))").disjuncts
    assert dj.box == ((F(-1), F(1, 2)), (F(0), F(2))) and dj.input_rows == ()
    assert dj.atoms == (sform([1, 0], [0, 0], F(-1, 2)),)
    # on several inputs it is an atom, never an input row (input rows are '<= 0')
    (dj,) = v2("(assert (> X[0] X[1]))").disjuncts
    assert dj.box == BOX2 and dj.input_rows == () and dj.atoms == (sform([-1, 1], [0, 0], 0),)
    # X0 < -1 on [-1, 1]: the closure leaves the box [-1, -1], the atom -1 < -1 empties it later
    (dj,) = v2("(assert (< X[0] -1))").disjuncts
    assert dj.box[0] == (F(-1), F(-1)) and dj.atoms == (sform([1, 0], [0, 0], 1),)
    # constants: 0 < 1 is true (no atom), 1 < 1 and 2 > 3 are false (the disjunct is left out)
    assert v2("(assert (< 0 1))").disjuncts == (Disjunct(BOX2, (), ()),)
    assert v2("(assert (or (< 1 1) (> 2 3) (<= Y[0] 0)))").disjuncts == (
        Disjunct(BOX2, (), (form([0, 0], [1, 0], 0),)),
    )
    assert v2("(assert (!= X[1] X[1]))").disjuncts == ()  # x < x and x > x are both false


def test_v1_still_refuses_strict_comparisons():
    with pytest.raises(rg.FileFormatError, match=r"token '<': strict inequalities are not supported"):
        spec("(assert (< Y_0 0))")


def test_strict_atoms_in_the_model():
    a = sform([1], [-1], 2)
    assert repr(a) == "AffineForm(x=(Fraction(1, 1),), y=(Fraction(-1, 1),), c=Fraction(2, 1), strict=True)"
    assert a.to_dict() == {"x": [1], "y": [-1], "c": 2, "strict": True}
    assert form([1], [-1], 2).to_dict() == {"x": [1], "y": [-1], "c": 2}
    # holds: e < 0 for a strict atom, e <= 0 otherwise (x = 1, y = 3: e = 0)
    assert form([1], [-1], 2).holds([F(1)], [F(3)]) and not a.holds([F(1)], [F(3)])
    assert a.holds([F(1)], [F(301, 100)])
    s = rg.Specification.from_lists(1, 1, [{"box": [[0, 1]], "atoms": [{"x": [1], "y": [-1], "c": 2, "strict": True}]}])
    assert s.disjuncts[0].atoms == (a,) and s.has_strict
    assert not s.disjuncts[0].contains([F(1)], [F(3)]) and s.disjuncts[0].contains([F(1)], [F(4)])
    with pytest.raises(rg.InvalidInputError, match=r"strict: expected True or False, got int"):
        rg.Specification.from_lists(1, 1, [{"box": [[0, 1]], "atoms": [{"y": [-1], "strict": 1}]}])
    with pytest.raises(rg.InvalidInputError, match=r"disjunct 0: input rows are not strict"):
        rg.Specification.from_lists(1, 1, [{"box": [[0, 1]], "input_rows": [{"x": [1], "strict": True}]}])
    with pytest.raises(rg.InvalidInputError, match=r"input_rows: an input row is never strict"):
        Disjunct(((F(0), F(1)),), (sform([1], [0], 0),), ())


# ---------------------------------------------------------------- several networks (2.0)
TEACHER_STUDENT = """(vnnlib-version <2.0>)
(declare-network teacher
    (declare-input  TX float32 [1,2])
    (declare-output TY float32 [1,1])
)
(declare-network student
    (declare-input  SX float16 [2])
    (declare-output SY float16 [1])
)
"""


def test_several_networks_have_independent_inputs():
    """The standard's semantics: each network's inputs are variables of their own."""
    text = TEACHER_STUDENT + (
        "(assert (and (<= 0 TX[0,0] 1) (<= 0 TX[0,1] 1)))\n"
        "(assert (and (<= -1 SX[0] 1) (<= 2 SX[1] 3)))\n"
        "(assert (>= (- TY[0,0] SY[0]) (* 2 TX[0,1])))\n"
    )
    s = read_vnnlib(text)
    assert (s.n_inputs, s.n_outputs) == (4, 2)  # TX[0,0], TX[0,1], SX[0], SX[1]; TY, SY
    t, st_ = s.networks
    assert (t.name, t.input_tensors, t.output_tensors) == ("teacher", (("TX", (1, 2)),), (("TY", (1, 1)),))
    assert (t.inputs, t.output_offset, st_.inputs, st_.output_offset) == ((0, 1), 0, (2, 3), 1)
    assert (t.equal_to, t.isomorphic_to, st_.equal_to) == (None, None, None)
    (dj,) = s.disjuncts
    assert dj.box == ((F(0), F(1)), (F(0), F(1)), (F(-1), F(1)), (F(2), F(3)))
    # 2 TX[0,1] - (TY - SY) <= 0
    assert dj.atoms == (form([0, 2, 0, 0], [-1, 1], 0),)


def test_several_networks_identified_inputs():
    """Top-level == between input elements makes them one variable of F; elsewhere they stay atoms."""
    text = TEACHER_STUDENT + (
        "(assert (== TX[0,0] SX[0]))\n"
        "(assert (and (== SX[1] TX[0,1])))\n"
        "(assert (<= 0 TX[0,0] 1))\n(assert (<= -1 SX[1] 1))\n(assert (<= TX[0,1] 0.5))\n"
        "(assert (>= (- TY[0,0] SY[0]) 1))\n"
    )
    s = read_vnnlib(text)
    assert s.n_inputs == 2
    assert (s.networks[0].inputs, s.networks[1].inputs) == ((0, 1), (0, 1))
    (dj,) = s.disjuncts
    assert dj.box == ((F(0), F(1)), (F(-1), F(1, 2)))  # the bounds of both names meet
    assert dj.atoms == (form([0, 0], [-1, 1], 1),)
    # an equality inside an 'or' is not an identification: four inputs, rows in both disjuncts
    text2 = TEACHER_STUDENT + (
        "(assert (and (<= 0 TX[0,0] 1) (<= 0 TX[0,1] 1) (<= 0 SX[0] 1) (<= 0 SX[1] 1)))\n"
        "(assert (or (== TX[0,0] SX[0]) (>= TY[0,0] 5)))\n"
    )
    s2 = read_vnnlib(text2)
    assert s2.n_inputs == 4 and len(s2.disjuncts) == 2
    assert s2.disjuncts[0].input_rows == (form([1, 0, -1, 0], [0, 0], 0), form([-1, 0, 1, 0], [0, 0], 0))


def test_an_unbounded_identified_input_is_named_by_its_first_element():
    text = TEACHER_STUDENT + "(assert (== SX[0] TX[0,1]))\n(assert (and (<= 0 TX[0,0] 1) (<= 0 SX[1] 1)))"
    with pytest.raises(rg.FileFormatError, match=r"TX\[0,1\] has no lower bound"):
        read_vnnlib(text)


EQUIV = """(vnnlib-version <2.0>)
(declare-network f (declare-input A Real [2]) (declare-output B Real [1]))
(declare-network fcopy (equal-to f) (declare-input C Real [2]) (declare-output D Real [1]))
(declare-network g (isomorphic-to f) (declare-input E float32 [2]) (declare-output G float32 [1]))
(assert (and (<= 0 A[0] 1) (<= 0 A[1] 1) (<= 0 C[0] 1) (<= 0 C[1] 1) (<= 0 E[0] 1) (<= 0 E[1] 1)))
(assert (>= B[0] D[0] G[0]))
"""


def test_equal_to_and_isomorphic_to():
    s = read_vnnlib(EQUIV)
    names = [(d.name, d.equal_to, d.isomorphic_to) for d in s.networks]
    assert names == [("f", None, None), ("fcopy", "f", None), ("g", None, "f")]
    assert (s.n_inputs, s.n_outputs) == (6, 3)
    assert [d.inputs for d in s.networks] == [(0, 1), (2, 3), (4, 5)]
    # B >= D >= G: D - B <= 0 and G - D <= 0
    assert s.disjuncts[0].atoms == (form([0] * 6, [-1, 1, 0], 0), form([0] * 6, [0, -1, 1], 0))


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        # equal-to: the same shapes and element types
        (("(declare-input C Real [2])", "(declare-input C Real [1,2])"),
         r"line 3, token 'C': equal-to f: its input A has shape \[2\], this one \[1, 2\]"),
        (("(declare-output D Real [1])", "(declare-output D Real [2])"),
         r"token 'D': equal-to f: its output B has shape \[1\], this one \[2\]"),
        (("(declare-input C Real [2])", "(declare-input C float32 [2])"),
         r"token 'C': equal-to f: its input A has element type Real, this one float32"),
        # isomorphic-to: the same shapes (element types may differ)
        (("(declare-output G float32 [1])", "(declare-output G float32 [3])"),
         r"line 4, token 'G': isomorphic-to f: its output B has shape \[1\], this one \[3\]"),
        # an earlier network, without an equivalence of its own, at most one each, first
        (("(isomorphic-to f)", "(isomorphic-to fcopy)"),
         r"line 4, token 'fcopy': fcopy is itself equal-to f"),
        (("(equal-to f)", "(equal-to g)"), r"line 3, token 'g': equal-to names no earlier declared network"),
        (("(equal-to f)", "(equal-to fcopy)"), r"token 'fcopy': equal-to names the network itself"),
        (("(isomorphic-to f)", "(isomorphic-to f) (equal-to f)"), r"token 'equal-to': a network has at most one"),
        (("(equal-to f) (declare-input C Real [2])", "(declare-input C Real [2]) (equal-to f)"),
         r"token 'equal-to': equal-to comes before the network's tensors"),
        (("(equal-to f)", "(equal-to f f)"), r"token 'equal-to': expected \(equal-to NETWORK\)"),
        # names are unique over networks and tensors
        (("declare-network g", "declare-network A"), r"line 4, token 'A': this name is already used"),
        (("(declare-input E", "(declare-input f"), r"line 4, token 'f': this name is already used"),
        (("declare-network fcopy", "declare-network f"), r"line 3, token 'f': this name is already used"),
    ],
)
def test_several_networks_errors(edit, match):
    with pytest.raises(rg.FileFormatError, match=match) as info:
        read_vnnlib(EQUIV.replace(*edit))
    assert "VNN-LIB text, " in str(info.value)


def test_several_networks_sizes_against_the_networks():
    dims = {"f": (2, 1), "fcopy": (2, 1), "g": (2, 1)}
    assert read_vnnlib(EQUIV, network_dims=dims) == read_vnnlib(EQUIV)
    with pytest.raises(rg.FileFormatError, match=r"line 4, token 'E': declares 2 inputs, the network g has 3"):
        read_vnnlib(EQUIV, network_dims={**dims, "g": (3, 1)})
    with pytest.raises(rg.FileFormatError, match=r"line 2, token 'B': declares 1 outputs, the network f has 2"):
        read_vnnlib(EQUIV, network_dims={**dims, "f": (2, 2)})
    with pytest.raises(rg.InvalidInputError, match=r"no entry for the network 'g'"):
        read_vnnlib(EQUIV, network_dims={"f": (2, 1), "fcopy": (2, 1)})
    with pytest.raises(rg.InvalidInputError, match=r"names 'h', which the query does not declare"):
        read_vnnlib(EQUIV, network_dims={**dims, "h": (2, 1)})
    with pytest.raises(rg.InvalidInputError, match=r"n_inputs / n_outputs describe one network, the query declares 3"):
        read_vnnlib(EQUIV, n_inputs=2)
    with pytest.raises(rg.InvalidInputError, match=r"network_dims: expected name"):
        read_vnnlib(EQUIV, network_dims={"f": (0, 1)})
    with pytest.raises(rg.InvalidInputError, match=r"VNN-LIB 1.0"):
        read_vnnlib(HEAD + BOX + "(assert (<= Y_0 0))", network_dims=dims)


def test_one_network_query_is_unchanged_by_the_layout():
    """A 2.0 query over one network keeps networks == () and reads == as atoms, not identification."""
    text = "(vnnlib-version <2.0>)\n" + NET_DECL + V2_BOX + "(assert (== X[0] X[1]))\n(assert (<= Y[0] 0))"
    s = read_vnnlib(text)
    assert s.networks == () and s.n_inputs == 2
    assert s.disjuncts[0].input_rows == (form([1, -1], [0, 0], 0), form([-1, 1], [0, 0], 0))


def test_several_tensors_are_concatenated():
    """A network with several input (output) tensors reads (writes) their concatenation, in
    declaration order, each row-major."""
    text = """(vnnlib-version <2.0>)
(declare-network f
    (declare-input image Real [1,2])
    (declare-input meta Real [])
    (declare-output bbox Real [2])
    (declare-output logit Real [1]))
(assert (and (<= 0 image[0,0] 1) (<= 2 image[0,1] 3) (<= 4 meta 5)))
(assert (>= (+ logit[0] bbox[1]) meta))
"""
    s = read_vnnlib(text, n_inputs=3, n_outputs=3)
    assert s.networks == () and (s.n_inputs, s.n_outputs) == (3, 3)
    (dj,) = s.disjuncts
    assert dj.box == ((F(0), F(1)), (F(2), F(3)), (F(4), F(5)))
    assert dj.atoms == (form([0, 0, 1], [0, -1, -1], 0),)  # meta - bbox[1] - logit <= 0
    with pytest.raises(rg.FileFormatError, match=r"line 5, token 'bbox': declares 3 outputs in 2 tensors, the network has 2"):
        read_vnnlib(text, n_outputs=2)
    two = text.replace("(assert", "(declare-network g (equal-to f) (declare-input G Real [1,2]) (declare-input H Real [])"
                       " (declare-output J Real [2]) (declare-output K Real [1]))\n(assert", 1)
    two += "(assert (and (<= 0 G[0,0] 1) (<= 0 G[0,1] 1) (<= 0 H 1)))\n"
    s2 = read_vnnlib(two)
    f, g = s2.networks
    assert g.input_tensors == (("G", (1, 2)), ("H", ())) and g.inputs == (3, 4, 5) and g.output_offset == 3
    assert (f.n_inputs, f.n_outputs, s2.n_outputs) == (3, 3, 6)
    with pytest.raises(rg.FileFormatError, match=r"token 'G': equal-to f: it has 2 input tensors, this one 1"):
        read_vnnlib(two.replace(" (declare-input H Real [])", ""))
    with pytest.raises(rg.FileFormatError, match=r"token 'H': equal-to f: its input meta has shape \[\], this one \[1\]"):
        read_vnnlib(two.replace("(declare-input H Real [])", "(declare-input H Real [1])"))


def test_v2_hidden_tensors_follow_the_outputs():
    # F's outputs of the network: Y[0], Y[1] (declared outputs), then H[0,0], H[0,1], H[0,2]
    spec = read_vnnlib(
        "(vnnlib-version <2.0>)\n(declare-network f (declare-input X Real [2]) "
        '(declare-hidden H Real [1,3] "/layer1/Relu_output_0") (declare-output Y Real [2]))\n'
        "(assert (<= -1 X[0] 1)) (assert (<= -1 X[1] 1)) (assert (>= (- H[0,2] Y[1]) 3))",
        n_inputs=2,
        n_outputs=2,
    )
    (decl,) = spec.networks
    assert decl.hidden_tensors == (("H", (1, 3), "/layer1/Relu_output_0"),)
    assert spec.n_outputs == decl.n_outputs == 5 and decl.output_offset == 0
    # unsafe when H[0,2] - Y[1] >= 3, i.e. 3 - H[0,2] + Y[1] <= 0
    (atom,) = spec.disjuncts[0].atoms
    assert atom.y == (0, 1, 0, 0, -1) and atom.c == 3
    assert decl.to_dict()["hidden"] == [{"name": "H", "shape": [1, 3], "onnx": "/layer1/Relu_output_0"}]
