"""The certify, range, lipschitz and robust commands through relu_geom.cli.main."""

from __future__ import annotations

import json
import sys
import types
from fractions import Fraction as F

import numpy as np
import pytest

import relu_geom as rg
from relu_geom.cli import main
from relu_geom.commands.certify import vnncomp_number
from relu_geom.testing import specimens


@pytest.fixture
def abs_net(tmp_path):
    path = tmp_path / "abs.json"
    specimens.abs_1d().to_json(path)
    return str(path)


def _spec(tmp_path, c):
    path = tmp_path / "spec.json"
    path.write_text(
        json.dumps(
            {
                "n_inputs": 1,
                "n_outputs": 1,
                "disjuncts": [{"box": [["-1", "2"]], "atoms": [{"y": [-1], "c": c}]}],
            }
        )
    )
    return str(path)


def test_certify_unsat_and_sat(abs_net, tmp_path, capsys):
    cert = tmp_path / "cert.json"
    out = tmp_path / "out.txt"
    argv = ["certify", abs_net, "--spec-json", _spec(tmp_path, 3), "-o", str(cert), "--result-file", str(out)]
    assert main(argv) == 0
    assert out.read_text() == "unsat\n"
    assert json.loads(cert.read_text())["verdict"] == "unsat"
    assert capsys.readouterr().out.startswith("unsat")
    argv = ["certify", abs_net, "--spec-json", _spec(tmp_path, "3/2"), "--result-file", str(out), "--json"]
    assert main(argv) == 1
    text = out.read_text().splitlines()
    assert text[0] == "sat"
    witness = json.loads(capsys.readouterr().out)["witness"]
    x = F(witness[0])
    assert abs(x) >= F(3, 2)
    assert text[1] == f"((X_0 {vnncomp_number(x)[0]})" and text[2] == f" (Y_0 {vnncomp_number(abs(x))[0]}))"


def test_certify_unknown_exit_3(tmp_path, capsys):
    net = tmp_path / "n.json"
    rg.ReLUNetwork.random_normal([3, 20, 20, 1], seed=2).to_json(net)
    spec = tmp_path / "s.json"
    spec.write_text(
        json.dumps(
            {
                "n_inputs": 3,
                "n_outputs": 1,
                "disjuncts": [{"box": [[-1, 1]] * 3, "atoms": [{"y": [-1], "c": 10**6}]}],
            }
        )
    )
    out = tmp_path / "out.txt"
    code = main(
        ["certify", str(net), "--spec-json", str(spec), "--max-branches", "0", "--result-file", str(out)]
    )
    assert code == 3 and out.read_text() == "unknown\n"


def test_certify_uses_the_vnnlib_reader(abs_net, tmp_path, monkeypatch):
    calls = {}

    def read_vnnlib(path, n_inputs, n_outputs):
        calls["args"] = (path, n_inputs, n_outputs)
        return rg.Specification.from_lists(1, 1, [{"box": [[-1, 2]], "atoms": [{"y": [-1], "c": 3}]}])

    module = types.ModuleType("relu_geom.io.vnnlib")
    module.read_vnnlib = read_vnnlib
    monkeypatch.setitem(sys.modules, "relu_geom.io.vnnlib", module)
    spec = tmp_path / "p.vnnlib"
    spec.write_text("; a property\n")
    cert = tmp_path / "c.json"
    assert main(["certify", abs_net, str(spec), "-o", str(cert)]) == 0
    assert calls["args"] == (str(spec), 1, 1)
    assert json.loads(cert.read_text())["question"]["source"]["file"] == "p.vnnlib"


def test_certify_vnnlib_2_and_1_agree(abs_net, tmp_path, capsys):
    # |x| on [-1, 2]: |x| >= 2 is reached at x = 2 (sat), |x| >= 2.0000000001 is not (unsat)
    for c, verdict, code in (("2", "sat", 1), ("2.0000000001", "unsat", 0)):
        v1 = tmp_path / "p1.vnnlib"
        v1.write_text(
            f"(declare-const X_0 Real)\n(declare-const Y_0 Real)\n"
            f"(assert (<= X_0 2))\n(assert (>= X_0 -1))\n(assert (>= Y_0 {c}))\n"
        )
        v2 = tmp_path / "p2.vnnlib"
        v2.write_text(
            "(vnnlib-version <2.0>)\n(declare-network f (declare-input X float32 [1,1]) "
            "(declare-output Y float32 [1,1]))\n"
            f"(assert (and (<= X[0,0] 2) (>= X[0,0] -1)))\n(assert (>= Y[0,0] {c}))\n"
        )
        outs = []
        for spec in (v1, v2):
            cert, out = tmp_path / "c.json", tmp_path / "out.txt"
            assert main(["certify", abs_net, str(spec), "-o", str(cert), "--result-file", str(out)]) == code
            outs.append(out.read_text())
            assert json.loads(cert.read_text())["verdict"] == verdict
            assert main(["verify", str(cert), abs_net]) == 0
        assert outs[0] == outs[1] and outs[0].startswith(verdict)
    capsys.readouterr()
    bad = tmp_path / "bad.vnnlib"
    bad.write_text("(vnnlib-version <2.0>)\n(declare-network f (declare-input X int8 [1]) (declare-output Y Real [1]))\n")
    assert main(["certify", abs_net, str(bad)]) == 2
    assert "bad.vnnlib, line 2, token 'int8': unsupported element type" in capsys.readouterr().err


def test_certify_vnnlib_2_strict_comparisons(abs_net, tmp_path, capsys):
    # |x| on [-1, 2]: |x| > 2 is unsat (the maximum 2 is attained, at x = 2 only), |x| != 0 is
    # sat (x != 0), |x| < 0 is unsat; each certificate is @2 and verifies
    for formula, verdict, code in (("(> Y[0,0] 2)", "unsat", 0), ("(!= Y[0,0] 0)", "sat", 1), ("(< Y[0,0] 0)", "unsat", 0)):
        spec = tmp_path / "p.vnnlib"
        spec.write_text(
            "(vnnlib-version <2.0>)\n(declare-network f (declare-input X float32 [1,1]) "
            "(declare-output Y float32 [1,1]))\n"
            f"(assert (and (<= X[0,0] 2) (>= X[0,0] -1)))\n(assert {formula})\n"
        )
        cert, out = tmp_path / "c.json", tmp_path / "out.txt"
        assert main(["certify", abs_net, str(spec), "-o", str(cert), "--result-file", str(out)]) == code
        data = json.loads(cert.read_text())
        assert data["verdict"] == verdict and data["format"] == "relu-geom/certificate@2"
        assert out.read_text().startswith(verdict)
        if verdict == "sat":
            assert F(data["evidence"]["x"][0]) != 0
        assert main(["verify", str(cert), abs_net]) == 0
    capsys.readouterr()


def test_certify_bad_spec(abs_net, tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    assert main(["certify", abs_net, "--spec-json", str(bad)]) == 2
    assert "not a property" in capsys.readouterr().err


def test_vnncomp_numbers():
    assert vnncomp_number(F(1, 8)) == ("0.125", True)
    assert vnncomp_number(F(-3, 20)) == ("-0.15", True)
    assert vnncomp_number(F(7)) == ("7", True)
    text, exact = vnncomp_number(F(1, 3))
    assert not exact and text.startswith("0.333333")


def test_range(abs_net, tmp_path, capsys):
    cert = tmp_path / "r.json"
    assert main(["range", abs_net, "--box", "-1", "2", "--json", "-o", str(cert)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ranges"][0]["min"] == 0 and out["ranges"][0]["max"] == 2
    assert json.loads(cert.read_text())["claim"] == "output_range"
    assert main(["range", abs_net, "--box", "-1", "2", "--objective", "-2", "--offset", "1/2"]) == 0
    assert "min -7/2" in capsys.readouterr().out


def test_lipschitz(tmp_path, capsys):
    net = tmp_path / "n.json"
    specimens.relu_of_sum_2d().to_json(net)
    assert main(["lipschitz", str(net), "--norm", "linf", "--box", "-1", "1"]) == 0
    assert "L (linf) = 2" in capsys.readouterr().out
    assert main(["lipschitz", str(net), "--norm", "l2", "--box", "-1", "1", "--json"]) == 0
    assert abs(json.loads(capsys.readouterr().out)["approx"] - 2**0.5) < 1e-12
    # every leaf fixing its pattern (no jacobian leaf) proves the same constant
    cert = tmp_path / "c.json"
    assert main(["lipschitz", str(net), "--box", "-1", "1", "--max-cases", "0", "-o", str(cert)]) == 0
    assert "L (linf) = 2" in capsys.readouterr().out
    assert "jacobian" not in cert.read_text()
    assert main(["verify", str(cert), str(net)]) == 0
    capsys.readouterr()
    assert main(["lipschitz", str(net), "--box", "-1", "1", "--max-cases", "-1"]) == 2
    assert "max_cases" in capsys.readouterr().err


def test_polytope_domain(tmp_path, capsys):
    # f = 2 ReLU(x1 + x2) + ReLU(x1 - x2) on [-1, 1]^2 cut by x1 + x2 <= -1/2: only the piece with
    # gradient (1, -1) and the zero piece remain (linf constant 2, against 4 on the box); there
    # f = ReLU(x1 - x2), largest at the vertex (1/2, -1) of the cut box: f = 3/2
    net = tmp_path / "n.json"
    specimens.two_relu_sum_2d().to_json(net)
    poly = tmp_path / "p.json"
    poly.write_text(json.dumps({"inequalities": [[1, 1, "-1/2"]]}))
    cert = tmp_path / "c.json"
    args = ["--box", "-1", "1", "--polytope", str(poly)]
    assert main(["lipschitz", str(net), "--norm", "linf", *args, "-o", str(cert)]) == 0
    assert "L (linf) = 2" in capsys.readouterr().out
    assert main(["verify", str(cert), str(net)]) == 0
    capsys.readouterr()
    assert main(["lipschitz", str(net), "--norm", "linf", "--box", "-1", "1"]) == 0
    assert "L (linf) = 4" in capsys.readouterr().out
    assert main(["range", str(net), *args, "--json", "-o", str(cert)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ranges"][0]["min"] == 0 and out["ranges"][0]["max"] == "3/2"
    assert main(["verify", str(cert), str(net)]) == 0
    capsys.readouterr()
    # a polytope file alone (bounded), and bad files
    full = tmp_path / "full.json"
    full.write_text(json.dumps({"inequalities": [[1, 1, "-1/2"], [-1, 0, 1], [0, -1, 1]]}))
    assert main(["lipschitz", str(net), "--norm", "l1", "--polytope", str(full)]) == 0
    assert "L (l1) = 1" in capsys.readouterr().out
    for text in ("[1, 2]", '{"inequalities": [[1, 0.5, 1]]}', '{"rows": []}', "{"):
        poly.write_text(text)
        assert main(["lipschitz", str(net), *args]) == 2
        assert "--polytope" in capsys.readouterr().err
    assert main(["lipschitz", str(net), "--polytope", str(tmp_path / "missing.json")]) == 2
    assert "--polytope" in capsys.readouterr().err


def test_robust(tmp_path, capsys):
    net = tmp_path / "n.json"
    specimens.plus_minus_1d().to_json(net)
    cert = tmp_path / "c.json"
    assert main(["robust", str(net), "--point", "1/2", "--norm", "linf", "-o", str(cert)]) == 0
    assert "radius (linf) = 1/2" in capsys.readouterr().out
    assert json.loads(cert.read_text())["evidence"]["radius"] == "1/2"


def test_robust_l2(tmp_path, capsys):
    net = tmp_path / "n.json"
    rg.ReLUNetwork([[[1, 1], [0, 0]]], [[0, 0]]).to_json(net)  # the line x1 + x2 = 0, sqrt(2) from (1, 1)
    cert = tmp_path / "c.json"
    assert main(["robust", str(net), "--point", "1,1", "--norm", "l2", "-o", str(cert)]) == 0
    assert "squared radius (l2) = 2 (exact)" in capsys.readouterr().out
    assert json.loads(cert.read_text())["claim"] == "robustness_l2"
    assert main(["robust", str(net), "--point", "1,1", "--norm", "l2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["radius_squared"] == {"lower": 2, "upper": 2}
    assert main(["verify", str(cert)]) == 0
    capsys.readouterr()
    # the line x1 + 2 x2 = 0: exactly 9/5 (squared) from (1, 1); the bounds from linf / l1 are [9/8, 2]
    specimens.line_classifier_2d().to_json(net)
    assert main(["robust", str(net), "--point", "1,1", "--norm", "l2"]) == 0
    assert "squared radius (l2) = 9/5 (exact)" in capsys.readouterr().out
    assert main(["robust", str(net), "--point", "1,1", "--norm", "l2", "--l2-method", "bounds", "-o", str(cert)]) == 0
    assert "squared radius (l2) in [9/8, 2]" in capsys.readouterr().out
    assert main(["verify", str(cert)]) == 0


def test_bound_rule_option(tmp_path, capsys):
    # relu(x) - relu(-x) through two more layers: the deep specimen of the backward rule
    net = tmp_path / "deep.json"
    specimens.dead_third_layer().to_json(net)
    for rule, key in (("backward", "backward"), ("forward", None)):
        cert = tmp_path / f"{rule}.json"
        argv = ["range", str(net), "--box", "-1", "1", "--bound-rule", rule, "--json", "-o", str(cert)]
        assert main(argv) == 0
        out = json.loads(capsys.readouterr().out)
        assert out["ranges"][0]["min"] == out["ranges"][0]["max"] == -2  # y = -2 everywhere (by hand)
        assert json.loads(cert.read_text())["question"].get("bound_rule") == key
        assert main(["verify", str(cert), str(net)]) == 0
        capsys.readouterr()
    spec = tmp_path / "s.json"
    spec.write_text(json.dumps({"n_inputs": 1, "n_outputs": 1,
                                "disjuncts": [{"box": [["-1", "1"]], "atoms": [{"y": [-1], "c": "-3/2"}]}]}))
    cert = tmp_path / "p.json"
    assert main(["certify", str(net), "--spec-json", str(spec), "--bound-rule", "backward", "-o", str(cert)]) == 0
    assert json.loads(cert.read_text())["question"]["bound_rule"] == "backward"
    assert main(["verify", str(cert), str(net)]) == 0
    assert main(["range", str(net), "--box", "-1", "1", "--bound-rule", "sideways"]) == 2
    assert "--bound-rule" in capsys.readouterr().err


# f = |x| (abs_net) on A in [-2, 1], g = 2 x on C in [-1, 1]; each test adds its output atom
TWO_NETWORKS = (
    "(vnnlib-version <2.0>)\n(declare-network f (declare-input A Real [1]) (declare-output B Real [1]))\n"
    "(declare-network g (declare-input C Real [1,1]) (declare-output D Real [1]))\n"
    "(assert (<= -2 A[0] 1))\n(assert (<= -1 C[0,0] 1))\n"
)


def test_certify_and_verify_several_networks(abs_net, tmp_path, capsys):
    # |A| - 2 C >= 3 with A in [-2, 1], C in [-1, 1] (independent inputs): max is 2 + 2 = 4 at
    # A = -2, C = -1, so >= 3 is sat and >= 4.5 unsat; the second network is 2 x (no hidden layer)
    double = tmp_path / "double.json"
    rg.ReLUNetwork([[[2]]], [[0]]).to_json(double)
    head = TWO_NETWORKS
    spec = tmp_path / "q.vnnlib"
    cert, out = tmp_path / "c.json", tmp_path / "out.txt"
    for c, verdict, code in (("3", "sat", 1), ("4.5", "unsat", 0)):
        spec.write_text(head + f"(assert (>= (- B[0] D[0]) {c}))\n")
        argv = ["certify", abs_net, str(double), str(spec), "-o", str(cert), "--result-file", str(out)]
        assert main(argv) == code
        lines = out.read_text().splitlines()
        assert lines[0] == verdict
        if verdict == "sat":
            names = [line.strip(" ()").split()[0] for line in lines[1:]]
            assert names == ["A[0]", "B[0]", "C[0,0]", "D[0]"]
            a, b, cc, d = (F(line.strip(" ()").split()[1]) for line in lines[1:])
            assert b == abs(a) and d == 2 * cc and b - d >= 3 and -2 <= a <= 1 and -1 <= cc <= 1
        assert main(["verify", str(cert), abs_net, str(double)]) == 0
        assert main(["verify", str(cert), str(double), abs_net]) == 1
        assert main(["verify", str(cert), abs_net]) == 1
    capsys.readouterr()
    assert main(["certify", abs_net, str(spec)]) == 2
    assert "give 2 network files before SPEC, got 1" in capsys.readouterr().err
    assert main(["certify", abs_net, abs_net, abs_net, str(spec)]) == 2
    assert "got 3" in capsys.readouterr().err
    wide = tmp_path / "wide.json"
    specimens.sum_2d().to_json(wide)
    assert main(["certify", abs_net, str(wide), str(spec)]) == 2
    assert "q.vnnlib, line 3, token 'C': declares 1 inputs, the network g has 2" in capsys.readouterr().err
    one = tmp_path / "one.vnnlib"
    one.write_text("(declare-const X_0 Real)\n(declare-const Y_0 Real)\n(assert (<= X_0 1))\n(assert (>= X_0 0))\n")
    assert main(["certify", abs_net, str(double), str(one)]) == 2
    assert "2 networks given, the property is about one" in capsys.readouterr().err


def test_result_file_names_every_tensor_of_several_networks(abs_net, tmp_path):
    # g(P, Q) = P - Q (two scalar input tensors, two output tensors R = P - Q and T = Q - P)
    sub = tmp_path / "sub.json"
    rg.ReLUNetwork([[[1, -1], [-1, 1]]], [[0, 0]]).to_json(sub)
    spec = tmp_path / "q.vnnlib"
    spec.write_text(
        "(vnnlib-version <2.0>)\n(declare-network f (declare-input A Real [1]) (declare-output B Real [1]))\n"
        "(declare-network g (declare-input P Real []) (declare-input Q Real []) (declare-output R Real [])"
        " (declare-output T Real [1]))\n"
        "(assert (== A[0] P))\n(assert (<= -1 A[0] 1))\n(assert (<= 0 Q 0))\n(assert (>= (+ B[0] R) 2))\n"
    )
    out = tmp_path / "out.txt"
    assert main(["certify", abs_net, str(sub), str(spec), "--result-file", str(out)]) == 1
    # |a| + a >= 2 on [-1, 1] only at a = 1
    assert out.read_text() == "sat\n((A[0] 1)\n (B[0] 1)\n (P 1)\n (Q 0)\n (R 1)\n (T[0] -1))\n"


def test_networks_by_name(abs_net, tmp_path, capsys):
    # the query of test_certify_and_verify_several_networks, the networks given by name in the
    # other order: |A| - 2 C >= 3 is sat (max 4 at A = -2, C = -1), >= 4.5 unsat
    double = tmp_path / "double.json"
    rg.ReLUNetwork([[[2]]], [[0]]).to_json(double)
    head = TWO_NETWORKS
    spec, cert = tmp_path / "q.vnnlib", tmp_path / "c.json"
    by_name = ["--network", f"g={double}", "--network", f"f={abs_net}"]
    spec.write_text(head + "(assert (>= (- B[0] D[0]) 4.5))\n")
    assert main(["certify", str(spec), *by_name, "-o", str(cert)]) == 0
    assert main(["verify", str(cert), abs_net, str(double)]) == 0
    spec.write_text(head + "(assert (>= (- B[0] D[0]) 3))\n")
    capsys.readouterr()
    assert main(["certify", str(spec), *by_name, "--json"]) == 1
    pairs = json.loads(capsys.readouterr().out)["assignment"]
    assert [name for name, _ in pairs] == ["A[0]", "B[0]", "C[0,0]", "D[0]"]
    a, b, c, d = (F(v) for _, v in pairs)
    assert b == abs(a) and d == 2 * c and b - d >= 3 and -2 <= a <= 1 and -1 <= c <= 1
    for argv, message in (
        (["--network", f"f={abs_net}"], "no file for the declared network 'g'"),
        ([*by_name, "--network", f"h={abs_net}"], "declares no network 'h' without equal-to (it needs f, g)"),
        ([*by_name, "--network", f"f={abs_net}"], "the network 'f' is given twice"),
        (["--network", str(abs_net)], "expected NAME=FILE"),
    ):
        assert main(["certify", str(spec), *argv]) == 2
        assert message in capsys.readouterr().err
    assert main(["certify", abs_net, str(spec), *by_name]) == 2
    assert "then SPEC alone" in capsys.readouterr().err
    # g equal-to f, so only f is given: |A| - |C| on A, C in [-2, 1] has maximum 2 (A = -2, C = 0),
    # so >= 2.5 is unsat
    spec.write_text(
        "(vnnlib-version <2.0>)\n(declare-network f (declare-input A Real [1]) (declare-output B Real [1]))\n"
        "(declare-network g (equal-to f) (declare-input C Real [1]) (declare-output D Real [1]))\n"
        "(assert (<= -2 A[0] 1))\n(assert (<= -2 C[0] 1))\n(assert (>= (- B[0] D[0]) 2.5))\n"
    )
    assert main(["certify", str(spec), "--network", f"f={abs_net}"]) == 0
    one = tmp_path / "one.vnnlib"
    one.write_text(
        "(vnnlib-version <2.0>)\n(declare-network f (declare-input A Real [1]) (declare-output B Real [1]))\n"
        "(assert (<= -2 A[0] 1))\n(assert (>= B[0] 2.5))\n"
    )
    capsys.readouterr()
    assert main(["certify", str(one), "--network", f"f={abs_net}"]) == 0  # |A| <= 2 on [-2, 1]
    assert main(["certify", str(one), "--network", f"g={abs_net}"]) == 2
    assert "--network g=...: does not fit the query" in capsys.readouterr().err
    assert main(["certify", str(one), "--network", f"f={abs_net}", "--network", f"g={abs_net}"]) == 2
    assert "2 networks given, the query declares at most one" in capsys.readouterr().err


def test_hidden_tensors_of_an_onnx_network(tmp_path, capsys):
    # z = (x0 + x1/2, 2 x0 - x1 + 1) (MatMul x B + c), y = relu(z0) + relu(z1), x in [-1, 1]^2.
    # Z[0,1] >= 3.5 and Y <= c: with z1 >= 3.5, x1 <= 2 x0 - 2.5 so x0 >= 3/4 and z0 >= 2 x0 - 5/4 >= 1/4;
    # at x = (3/4, -1): z = (1/4, 7/2), y = 15/4. So c = 3.8 is sat, c = 3.5 unsat (y >= 1/4 + 7/2).
    from onnx import TensorProto, helper, numpy_helper, save

    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "B"], ["h"]), helper.make_node("Add", ["h", "c"], ["z"]),
         helper.make_node("Relu", ["z"], ["a"]), helper.make_node("Gemm", ["a", "W", "d"], ["y"], transB=1)],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.DOUBLE, [None, 2])],
        [helper.make_tensor_value_info("y", TensorProto.DOUBLE, [None, 1])],
        [numpy_helper.from_array(np.array([[1.0, 2.0], [0.5, -1.0]]), "B"),
         numpy_helper.from_array(np.array([0.0, 1.0]), "c"),
         numpy_helper.from_array(np.array([[1.0, 1.0]]), "W"), numpy_helper.from_array(np.array([0.0]), "d")],
    )
    net = tmp_path / "n.onnx"
    save(helper.make_model(graph), str(net))
    spec, cert, out = tmp_path / "q.vnnlib", tmp_path / "c.json", tmp_path / "out.txt"
    head = (
        "(vnnlib-version <2.0>)\n(declare-network f (declare-input X Real [1,2]) "
        '(declare-hidden Z Real [1,2] "z") (declare-output Y Real [1,1]))\n'
        "(assert (<= -1 X[0,0] 1)) (assert (<= -1 X[0,1] 1)) (assert (>= Z[0,1] 3.5))\n"
    )
    spec.write_text(head + "(assert (<= Y[0,0] 3.8))\n")
    assert main(["certify", str(net), str(spec), "-o", str(cert), "--result-file", str(out)]) == 1
    lines = out.read_text().splitlines()
    assert [line.strip(" ()").split()[0] for line in lines[1:]] == ["X[0,0]", "X[0,1]", "Z[0,0]", "Z[0,1]", "Y[0,0]"]
    x0, x1, z0, z1, y = (F(line.strip(" ()").split()[1]) for line in lines[1:])
    assert (z0, z1) == (x0 + x1 / 2, 2 * x0 - x1 + 1) and y == max(z0, 0) + max(z1, 0)
    assert z1 >= F(7, 2) and y <= F(19, 5) and -1 <= x0 <= 1 and -1 <= x1 <= 1
    assert main(["verify", str(cert), str(net)]) == 0
    spec.write_text(head + "(assert (<= Y[0,0] 3.5))\n")
    assert main(["certify", "--network", f"f={net}", str(spec), "-o", str(cert)]) == 0
    assert main(["verify", str(cert), str(net)]) == 0
    plain = tmp_path / "plain.json"
    rg.ReLUNetwork.load(net).to_json(plain)
    assert main(["verify", str(cert), str(plain)]) == 1  # the network without its hidden outputs
    capsys.readouterr()
    assert main(["certify", str(plain), str(spec)]) == 2
    assert "hidden tensors of f (Z), which name tensors of an ONNX graph" in capsys.readouterr().err
