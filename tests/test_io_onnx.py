"""Tests of relu_geom.io.onnx_format: exact folding of ONNX graphs."""

from __future__ import annotations

import sys
from fractions import Fraction as F
from pathlib import Path

import numpy as np
import onnx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

import relu_geom as rg
from relu_geom import io as rio
from relu_geom.errors import (
    BackendUnavailableError,
    DimensionMismatchError,
    FileFormatError,
    InvalidInputError,
    UnsupportedInputError,
)
from relu_geom.testing import specimens
from tests.io_cases import FAST, GOLDEN, HAND, architectures, dyadic_networks, listing


# ---------------------------------------------------------------------------
# ONNX
# ---------------------------------------------------------------------------
def init(name: str, values: object, dtype: type = np.float64) -> onnx.TensorProto:
    return numpy_helper.from_array(np.array(values, dtype=dtype), name)


def model_of(nodes, inits, in_shape=(None, 2), out_shape=(None, 1), inputs=None) -> onnx.ModelProto:
    graph = helper.make_graph(
        nodes,
        "g",
        inputs or [helper.make_tensor_value_info("x", TensorProto.DOUBLE, list(in_shape))],
        [helper.make_tensor_value_info("y", TensorProto.DOUBLE, list(out_shape))],
        inits,
    )
    return helper.make_model(graph)


def hand_chain(first, extra_inits=(), in_shape=(None, 2)) -> onnx.ModelProto:
    """``first`` (nodes from "x" to "z"), then Relu and Gemm(transB=1) with W = [[1, 1]], b = 0."""
    nodes = [
        *first,
        helper.make_node("Relu", ["z"], ["a"], name="act"),
        helper.make_node("Gemm", ["a", "W", "d"], ["y"], transB=1),
    ]
    return model_of(nodes, [*extra_inits, init("W", [[1, 1]]), init("d", [0])], in_shape=in_shape)


class TestOnnx:
    @FAST
    @given(architectures(), st.integers(0, 10**6))
    def test_round_trip_is_exact_for_float64_parameters(self, arch, seed):
        net = rg.ReLUNetwork.random_normal(arch, seed=seed)
        model = rio.network_to_onnx(net)
        onnx.checker.check_model(model, full_check=True)
        assert rio.network_from_onnx(model) == net

    @FAST
    @given(dyadic_networks(), st.lists(st.integers(-64, 64), min_size=3, max_size=3))
    def test_reference_evaluation_equals_exact_evaluation(self, net, coords):
        x = [F(c, 8) for c in coords[: net.input_dim]]
        x += [F(0)] * (net.input_dim - len(x))
        model = rio.network_to_onnx(net)
        out = ReferenceEvaluator(model).run(None, {"input": np.array([[float(v) for v in x]])})[0][0]
        assert [F(float(v)) for v in out] == list(net(x))

    def test_structure_of_the_written_model(self):
        model = rio.network_to_onnx(GOLDEN, dtype="float32")
        assert [(n.op_type, n.name) for n in model.graph.node] == [
            ("Gemm", "Gemm_0"),
            ("Relu", "Relu_0"),
            ("Gemm", "Gemm_1"),
        ]
        assert [i.name for i in model.graph.initializer] == ["W0", "b0", "W1", "b1"]
        w0 = numpy_helper.to_array(model.graph.initializer[0])
        assert w0.dtype == np.float32 and w0.shape == (3, 2)
        assert F(float(w0[0, 1])) == F(-11184811, 2**25)  # -1/3 rounded to float32
        assert model.graph.input[0].type.tensor_type.elem_type == TensorProto.FLOAT
        onnx.checker.check_model(model, full_check=True)

    def test_exact_mode_refuses_rounding(self):
        with pytest.raises(
            InvalidInputError, match=r"W0\[0\]\[1\] = -1/3 is not exactly representable as a float64"
        ):
            rio.network_to_onnx(GOLDEN, exact=True)
        assert rio.network_from_onnx(rio.network_to_onnx(HAND, exact=True)) == HAND
        with pytest.raises(InvalidInputError, match="dtype: expected 'float64' or 'float32'"):
            rio.network_to_onnx(HAND, dtype="float16")

    def test_gemm_alpha_beta_and_trans_b_zero(self):
        model = hand_chain(
            [helper.make_node("Gemm", ["x", "B", "c"], ["z"], name="g0", alpha=0.5, beta=3.0)],
            [init("B", [[1, 2], [4, -1]]), init("c", [1, -1])],
        )
        net = rio.network_from_onnx(model)
        # W_1 = alpha * B^T, b_1 = beta * c
        assert net == rg.ReLUNetwork([[["1/2", 2], [1, "-1/2"]], [[1, 1]]], [[3, -3], [0]])

    def test_alpha_is_the_exact_value_of_its_float32(self):
        model = hand_chain(
            [helper.make_node("Gemm", ["x", "B"], ["z"], alpha=0.1, transB=1)], [init("B", [[1, 0], [0, 2]])]
        )
        net = rio.network_from_onnx(model)
        alpha = F(13421773, 2**27)  # float32(0.1): ONNX stores attributes as float32
        assert net.weights[0] == ((alpha, 0), (0, 2 * alpha))
        assert net.biases[0] == (0, 0)

    def test_matmul_add_constant_flatten_identity(self):
        first = [
            helper.make_node("Flatten", ["x"], ["xf"], axis=1),
            helper.make_node("Identity", ["xf"], ["xi"]),
            helper.make_node("Constant", [], ["B"], value=init("Bv", [[1, 2], [0.5, -1]])),
            helper.make_node("MatMul", ["xi", "B"], ["h"]),
            helper.make_node("Add", ["c", "h"], ["z"]),  # bias first is fine
        ]
        net = rio.network_from_onnx(hand_chain(first, [init("c", [[0, 1]], dtype=np.float32)]))
        assert net == rg.ReLUNetwork([[[1, "1/2"], [2, -1]], [[1, 1]]], [[0, 1], [0]])
        assert net([1, 2]) == (F(3),)

    def test_matmul_without_add_has_zero_bias_and_integer_weights(self):
        net = rio.network_from_onnx(
            hand_chain(
                [helper.make_node("MatMul", ["x", "B"], ["z"])], [init("B", [[3, 1], [0, 2]], np.int64)]
            )
        )
        assert net == rg.ReLUNetwork([[[3, 0], [1, 2]], [[1, 1]]], [[0, 0], [0]])

    def test_file_round_trip_and_sniffing(self, tmp_path):
        path = tmp_path / "net.onnx"
        rio.network_to_onnx(HAND, path)
        assert listing(tmp_path) == ["net.onnx"]
        assert rio.network_from_onnx(path) == HAND
        assert rg.ReLUNetwork.from_onnx(str(path)) == HAND
        other = tmp_path / "net.model"
        other.write_bytes(path.read_bytes())
        assert rio.load_network(other) == HAND

    def gemm_relu(self, extra, inits=(), out="y") -> onnx.ModelProto:
        nodes = [helper.make_node("Gemm", ["x", "W0", "b0"], ["z"], name="first", transB=1), *extra]
        return model_of(nodes, [init("W0", [[1, 1]]), init("b0", [0]), *inits])

    @pytest.mark.parametrize(
        ("build", "match"),
        [
            (
                lambda s: s.gemm_relu([helper.make_node("Sigmoid", ["z"], ["y"], name="squash")]),
                "node 1 'squash' \\(Sigmoid\\) cannot be folded into a plain ReLU network",
            ),
            (
                lambda s: s.gemm_relu(
                    [
                        helper.make_node("Relu", ["z"], ["a"], name="r"),
                        helper.make_node("Relu", ["z"], ["b"], name="branch"),
                        helper.make_node("Add", ["a", "b"], ["y"], name="join"),
                    ]
                ),
                "the data 'z' feeds several nodes",
            ),
            (
                lambda s: s.gemm_relu([helper.make_node("Add", ["z", "z"], ["y"], name="twice")]),
                "node 1 'twice' \\(Add\\): combines the data with itself",
            ),
            (
                lambda s: s.gemm_relu(
                    [helper.make_node("Div", ["c", "z"], ["y"], name="inv")], [init("c", [1])]
                ),
                "node 1 'inv' \\(Div\\): a constant divided by the data is not affine",
            ),
            (
                lambda s: model_of(
                    [helper.make_node("Gemm", ["x", "w"], ["y"], name="dyn", transB=1)],
                    [],
                    inputs=[helper.make_tensor_value_info(n, TensorProto.DOUBLE, None) for n in ("x", "w")],
                ),
                "expected one graph input and one graph output, got inputs \\['x', 'w'\\]",
            ),
            (
                lambda s: model_of(
                    [helper.make_node("Custom", ["x"], ["y"], name="c", domain="com.example")], []
                ),
                "node 0 'c' \\(Custom\\): operator domain 'com.example' is not supported",
            ),
            (
                lambda s: model_of(
                    [helper.make_node("Gemm", ["x", "W0"], ["y"], name="g", transB=1)],
                    [init("W0", [[1, 1]])],
                    in_shape=(None, None),
                ),
                "graph input 'x': dimension 1 is not static",
            ),
            (
                lambda s: model_of([helper.make_node("Constant", [], ["y"], value=init("v", [1.0]))], []),
                "the graph output 'y' does not depend on the graph input",
            ),
            (
                lambda s: model_of(
                    [helper.make_node("MatMul", ["x", "B"], ["y"], name="m3")],
                    [init("B", np.ones((1, 2, 1)))],
                ),
                "node 0 'm3' \\(MatMul\\): expected a 2-D constant matrix",
            ),
        ],
    )
    def test_unsupported_graphs_are_named(self, build, match):
        with pytest.raises(UnsupportedInputError, match=match):
            rio.network_from_onnx(build(self))

    def test_non_finite_initializer_is_named(self):
        model = self.gemm_relu(
            [helper.make_node("Relu", ["z"], ["a"]), helper.make_node("Gemm", ["a", "W1"], ["y"], name="g1")],
            [init("W1", [[np.nan]])],
        )
        with pytest.raises(
            FileFormatError, match=r"node 2 'g1' \(Gemm\) matrix\[0\]\[0\]: expected a finite number, got nan"
        ):
            rio.network_from_onnx(model)

    def test_bias_and_dimension_mismatches(self):
        model = model_of(
            [helper.make_node("Gemm", ["x", "W0", "b0"], ["y"], name="g", transB=1)],
            [init("W0", [[1, 1]]), init("b0", [0, 0, 0])],
        )
        with pytest.raises(
            UnsupportedInputError,
            match=r"node 0 'g' \(Gemm\): a constant of shape \(3,\) would broadcast the data",
        ):
            rio.network_from_onnx(model)
        model = model_of(
            [helper.make_node("Gemm", ["x", "W0"], ["y"], name="g", transB=1)], [init("W0", [[1, 1, 1]])]
        )
        with pytest.raises(
            DimensionMismatchError, match=r"the data of shape \(1, 2\) cannot multiply a \(3, 1\) matrix"
        ):
            rio.network_from_onnx(model)
        model = model_of(
            [helper.make_node("Gemm", ["x", "W0"], ["y"], name="g", transB=1)],
            [init("W0", [[1, 1]])],
            out_shape=(None, 4),
        )
        with pytest.raises(
            DimensionMismatchError, match="graph output 'y' is declared with shape \\[1, 4\\]"
        ):
            rio.network_from_onnx(model)

    def test_scalar_bias_broadcasts(self):
        model = model_of(
            [helper.make_node("Gemm", ["x", "W0", "b0"], ["y"], transB=1)],
            [init("W0", [[1, 1], [2, 0]]), init("b0", 0.5)],
            out_shape=(None, 2),
        )
        assert rio.network_from_onnx(model).biases == ((F(1, 2), F(1, 2)),)

    def test_unreadable_files(self, tmp_path):
        with pytest.raises(FileFormatError, match=f"{tmp_path / 'none.onnx'}: no such file"):
            rio.network_from_onnx(tmp_path / "none.onnx")
        bad = tmp_path / "bad.onnx"
        bad.write_bytes(b"\xff\xff\xff garbage")
        with pytest.raises(FileFormatError, match=f"{bad}: not a readable ONNX model"):
            rio.network_from_onnx(bad)
        with pytest.raises(InvalidInputError, match="expected a file path"):
            rio.network_from_onnx(42)

    def test_errors_from_a_file_name_the_file(self, tmp_path):
        path = tmp_path / "sig.onnx"
        onnx.save(self.gemm_relu([helper.make_node("Sigmoid", ["z"], ["y"], name="squash")]), path)
        with pytest.raises(UnsupportedInputError, match=f"{path}: node 1 'squash' \\(Sigmoid\\)"):
            rio.load_network(path)

    def test_missing_onnx_is_reported_with_an_install_hint(self, monkeypatch):
        monkeypatch.setitem(sys.modules, "onnx", None)
        with pytest.raises(BackendUnavailableError, match=r"pip install 'relu-geom\[onnx\]'"):
            rio.network_from_onnx("model.onnx")
        with pytest.raises(BackendUnavailableError):
            rio.network_to_onnx(HAND)


# ---------------------------------------------------------------------------
# exact folding of the supported operators
# ---------------------------------------------------------------------------
def fold(nodes, inits, **shapes) -> rg.ReLUNetwork:
    model = model_of(nodes, inits, **shapes)
    onnx.checker.check_model(model)
    return rio.network_from_onnx(model)


class TestFolding:
    def test_gemm_with_transposed_data_and_alpha_beta(self):
        # x of shape (2, 1) transposed to (1, 2); y = 2 * x^T B^T + 3 * C with B = [[1, 2]], C = [1]
        net = fold(
            [helper.make_node("Gemm", ["x", "B", "C"], ["y"], transA=1, transB=1, alpha=2.0, beta=3.0)],
            [init("B", [[1, 2]]), init("C", [1])],
            in_shape=(2, 1),
        )
        assert net == rg.ReLUNetwork([[[2, 4]]], [[3]])

    def test_gemm_and_matmul_with_the_data_second(self):
        # y = A @ x for x of shape (2, 1): a column vector
        net = fold(
            [helper.make_node("MatMul", ["A", "x"], ["y"])],
            [init("A", [[1, -1]])],
            in_shape=(2, 1),
            out_shape=(1, 1),
        )
        assert net == rg.ReLUNetwork([[[1, -1]]], [[0]])
        net = fold(
            [helper.make_node("Gemm", ["A", "x"], ["y"], transB=1, alpha=0.5)],
            [init("A", [[2, 4], [1, 0]])],
            in_shape=(1, 2),
            out_shape=(2, 1),
        )
        assert net == rg.ReLUNetwork([[[1, 2], ["1/2", 0]]], [[0, 0]])

    def test_matmul_with_a_vector(self):
        net = fold(
            [helper.make_node("MatMul", ["x", "v"], ["y"])], [init("v", [3, -1])], in_shape=(2,), out_shape=()
        )
        assert net == rg.ReLUNetwork([[[3, -1]]], [[0]])

    def test_input_normalization_sub_and_div_fold_exactly(self):
        # y = relu((x - m) / s) summed: (x1 - 1)/4 and (x2 + 2)/(1/2) = 2 x2 + 4
        net = fold(
            [
                helper.make_node("Sub", ["x", "m"], ["c"]),
                helper.make_node("Div", ["c", "s"], ["n"]),
                helper.make_node("Relu", ["n"], ["r"]),
                helper.make_node("MatMul", ["r", "W"], ["y"]),
            ],
            [init("m", [[1, -2]]), init("s", [4, 0.5]), init("W", [[1], [1]])],
        )
        assert net == rg.ReLUNetwork([[["1/4", 0], [0, 2]], [[1, 1]]], [["-1/4", 4], [0]])

    def test_division_by_a_float_is_the_exact_rational(self):
        # 1/0.1 is 36028797018963968/3602879701896397 exactly, not 10
        net = fold(
            [helper.make_node("Div", ["x", "s"], ["y"])], [init("s", [0.1])], in_shape=(1,), out_shape=(1,)
        )
        assert net.weights[0][0][0] == 1 / F(0.1) != 10

    def test_constant_minus_data_and_mul(self):
        net = fold(
            [helper.make_node("Sub", ["c", "x"], ["d"]), helper.make_node("Mul", ["d", "k"], ["y"])],
            [init("c", [1, 2]), init("k", [3])],
            in_shape=(2,),
            out_shape=(2,),
        )
        assert net == rg.ReLUNetwork([[[-3, 0], [0, -3]]], [[3, 6]])

    def test_reshape_and_flatten_keep_the_order(self):
        net = fold(
            [
                helper.make_node("Reshape", ["x", "shape"], ["r"]),
                helper.make_node("Flatten", ["r"], ["f"], axis=0),
                helper.make_node("MatMul", ["f", "W"], ["y"]),
            ],
            [init("shape", [2, -1], np.int64), init("W", [[1], [2], [3], [4]])],
            in_shape=(1, 4),
        )
        assert net == rg.ReLUNetwork([[[1, 2, 3, 4]]], [[0]])

    def test_relu_anywhere_and_consecutive_linear_layers(self):
        # relu(x) -> Gemm -> Gemm -> relu: an identity output layer is appended
        net = fold(
            [
                helper.make_node("Relu", ["x"], ["a"]),
                helper.make_node("Gemm", ["a", "W0"], ["h"], transB=1),
                helper.make_node("Gemm", ["h", "W1", "b1"], ["z"], transB=1),
                helper.make_node("Relu", ["z"], ["y"]),
            ],
            [init("W0", [[1, -1]]), init("W1", [[2]]), init("b1", [-1])],
        )
        for x in ([3, 1], [-3, 1], [1, -2], [0, 0]):
            expected = max(2 * (max(x[0], 0) - max(x[1], 0)) - 1, 0)
            assert net(x) == (F(expected),)

    def test_only_identities_give_the_identity_network(self):
        net = fold([helper.make_node("Identity", ["x"], ["y"])], [], out_shape=(None, 2))
        assert net == specimens.identity_2d()

    def test_dead_nodes_are_ignored(self):
        net = fold(
            [
                helper.make_node("Gemm", ["x", "W0"], ["y"], transB=1),
                helper.make_node("Sigmoid", ["x"], ["unused"]),
            ],
            [init("W0", [[1, 1]])],
        )
        assert net == specimens.sum_2d()

    def test_division_by_zero_is_refused(self):
        with pytest.raises(FileFormatError, match="division by a constant with a zero entry"):
            fold(
                [helper.make_node("Div", ["x", "s"], ["y"])],
                [init("s", [1, 0])],
                in_shape=(2,),
                out_shape=(2,),
            )


class TestGraphSafety:
    def test_cycles_are_refused(self):
        # before: the chain walk followed a -> b -> a forever
        nodes = [
            helper.make_node("Relu", ["x"], ["a"], name="start"),
            helper.make_node("Identity", ["c"], ["b"], name="loop1"),
            helper.make_node("Identity", ["b"], ["c"], name="loop2"),
            helper.make_node("Add", ["a", "b"], ["y"], name="join"),
        ]
        with pytest.raises(FileFormatError, match=r"the graph has a cycle \(through node \d 'loop"):
            rio.network_from_onnx(model_of(nodes, []))

    def test_self_loop_is_refused(self):
        nodes = [helper.make_node("Add", ["x", "y"], ["y"], name="self")]
        with pytest.raises(FileFormatError, match="cycle"):
            rio.network_from_onnx(model_of(nodes, []))

    @pytest.mark.parametrize("dims", [[-1, 2], [2**40, 2**40], [10**7 + 1]])
    def test_bad_tensor_dimensions_are_refused_before_allocating(self, dims):
        tensor = TensorProto(name="W0", data_type=TensorProto.DOUBLE, dims=dims)
        model = model_of([helper.make_node("Gemm", ["x", "W0"], ["y"], transB=1)], [tensor])
        error = FileFormatError if min(dims) < 0 else rg.LimitExceededError
        with pytest.raises(error, match="initializer 'W0'"):
            rio.network_from_onnx(model)

    def test_negative_input_dimension_is_refused(self):
        model = model_of([helper.make_node("Identity", ["x"], ["y"])], [], in_shape=(1, -5))
        with pytest.raises(FileFormatError, match="graph input 'x': invalid dimension -5"):
            rio.network_from_onnx(model)

    def test_external_data_is_never_read(self, tmp_path):
        secret = tmp_path / "secret.bin"
        secret.write_bytes(np.ones(2).tobytes())
        tensor = init("W0", [[0.0, 0.0]])
        tensor.ClearField("raw_data")
        tensor.data_location = TensorProto.EXTERNAL
        tensor.external_data.add(key="location", value=str(secret))
        model = model_of([helper.make_node("Gemm", ["x", "W0"], ["y"], transB=1)], [tensor])
        path = tmp_path / "net.onnx"
        path.write_bytes(model.SerializeToString())
        with pytest.raises(
            UnsupportedInputError, match=f"{path}: initializer 'W0': tensor data stored outside"
        ):
            rio.network_from_onnx(path)

    def test_messages_truncate_long_names(self):
        name = "n" * 10**5
        model = model_of([helper.make_node("Sigmoid", ["x"], ["y"], name=name)], [], out_shape=(None, 2))
        with pytest.raises(UnsupportedInputError) as info:
            rio.network_from_onnx(model)
        assert len(str(info.value)) < 300


# ---------------------------------------------------------------------------
# ACAS Xu (VNN-COMP): exact folding checked against an independent float evaluation
# ---------------------------------------------------------------------------
ACAS = Path("/work/shared/benchmarks/acasxu")
ACAS_FILES = sorted(ACAS.glob("*.onnx"))


def numpy_run(model: onnx.ModelProto, x: np.ndarray) -> np.ndarray:
    """A float64 evaluation of the ACAS Xu graph by numpy (Sub, Flatten, MatMul, Add, Relu), for a sanity bound."""
    values = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in model.graph.initializer}
    values[next(i.name for i in model.graph.input if i.name not in values)] = x
    for node in model.graph.node:
        a = [values[n] for n in node.input]
        if node.op_type == "Sub":
            out = a[0] - a[1]
        elif node.op_type == "Add":
            out = a[0] + a[1]
        elif node.op_type == "MatMul":
            out = a[0] @ a[1]
        elif node.op_type == "Relu":
            out = np.maximum(a[0], 0)
        else:
            assert node.op_type == "Flatten"
            out = a[0].reshape(a[0].shape[0], -1)
        values[node.output[0]] = out
    return values[model.graph.output[0].name].reshape(-1)


@pytest.mark.skipif(not ACAS_FILES, reason="ACAS Xu benchmark files not present")
@pytest.mark.parametrize("name", ["1_1", "3_3", "5_9"])
def test_acasxu_networks_fold_exactly(name):
    path = ACAS / f"ACASXU_run2a_{name}_batch_2000.onnx"
    net = rio.load_network(path)
    assert net.architecture == (5, 50, 50, 50, 50, 50, 50, 5)
    model = onnx.load(path)
    weights = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    first = next(k for k in weights if k.endswith("MatMul_W"))
    assert net.weights[0][0][0] == F(float(weights[first][0, 0]))  # the float32 weight, exactly
    rng = np.random.default_rng(0)
    for x in rng.uniform(-1, 1, size=(5, 5)):
        exact = [float(v) for v in net([F(float(v)) for v in x])]
        approx = numpy_run(model, x.reshape(1, 1, 1, 5))
        scale = max(1.0, float(np.max(np.abs(approx))))
        assert np.max(np.abs(np.array(exact) - approx)) <= 1e-5 * scale  # float sanity bound only


@pytest.mark.skipif(not ACAS_FILES, reason="ACAS Xu benchmark files not present")
def test_acasxu_hidden_tensors_equal_the_layers():
    # relu_3 is a_3; Operation_5_Add is z_5 = W_5 a_4 + b_5: recomputed layer by layer
    path = ACAS / "ACASXU_run2a_1_1_batch_2000.onnx"
    net = rio.load_network(path)
    tapped = rio.network_from_onnx(path, hidden={"relu_3": 50, "Operation_5_Add": 50})
    x = [F(1, 3), F(-1, 2), F(1, 7), F(2, 5), F(-3, 10)]
    a, layers = x, []
    for w, b in zip(net.weights[:-1], net.biases[:-1]):
        z = [sum((wi * ai for wi, ai in zip(row, a)), bi) for row, bi in zip(w, b)]
        layers.append(z)
        a = [max(v, F(0)) for v in z]
    out = tapped(x)
    assert out[:5] == net(x)
    assert list(out[5:55]) == [max(v, F(0)) for v in layers[2]] and list(out[55:]) == layers[4]


@pytest.mark.slow
@pytest.mark.skipif(not ACAS_FILES, reason="ACAS Xu benchmark files not present")
def test_every_acasxu_network_loads():
    assert len(ACAS_FILES) == 45
    for path in ACAS_FILES:
        assert rio.load_network(path).architecture == (5, 50, 50, 50, 50, 50, 50, 5)


@pytest.mark.slow  # the dynamo exporter takes most of a minute
def test_a_model_exported_by_torch_reads_as_the_torch_model():
    pytest.importorskip("onnxscript")  # the dynamo exporter needs it (the onnx extra installs it)
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2)).eval()
    exported = torch.onnx.export(model, (torch.zeros(1, 3),), dynamo=True, verbose=False).model_proto
    assert rio.network_from_onnx(exported) == rio.network_from_torch(model)


@FAST
@given(
    dyadic_networks(),
    st.lists(st.integers(-8, 8), min_size=3, max_size=3),
    st.lists(st.sampled_from([1, 2, 4, -8, 3, 5]), min_size=3, max_size=3),
)
def test_normalized_vnncomp_style_graph_folds_to_the_closed_form(net, means, stds):
    """(x - m) / s, then MatMul by W^T + b and Relu per layer: W_1 becomes W_1 diag(1/s), b_1 - W_1 (m/s)."""
    d = net.input_dim
    m, s = [F(v, 2) for v in means[:d]], [F(v) for v in stds[:d]]
    nodes = [helper.make_node("Sub", ["x", "m"], ["c"]), helper.make_node("Div", ["c", "s"], ["h0"])]
    inits = [init("m", [float(v) for v in m]), init("s", [float(v) for v in s])]
    for k, (w, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        out = "y" if k == len(net.weights) - 1 else f"z{k}"
        nodes += [
            helper.make_node("MatMul", [f"h{k}", f"W{k}"], [f"p{k}"]),
            helper.make_node("Add", [f"p{k}", f"b{k}"], [out]),
        ]
        inits += [
            init(f"W{k}", [[float(w[i][j]) for i in range(len(w))] for j in range(len(w[0]))]),
            init(f"b{k}", [float(v) for v in b]),
        ]
        if out != "y":
            nodes.append(helper.make_node("Relu", [out], [f"h{k + 1}"]))
    model = model_of(nodes, inits, in_shape=(1, d), out_shape=(1, net.output_dim))
    w1, b1 = net.weights[0], net.biases[0]
    first_w = [[w1[i][j] / s[j] for j in range(d)] for i in range(len(w1))]
    first_b = [b1[i] - sum(w1[i][j] * m[j] / s[j] for j in range(d)) for i in range(len(w1))]
    expected = rg.ReLUNetwork([first_w, *net.weights[1:]], [first_b, *net.biases[1:]])
    assert rio.network_from_onnx(model) == expected


def test_shape_operators_fold_as_permutations_of_the_entries():
    # x of shape (1, 2, 3) (entries x0..x5 row-major); Transpose to (1, 3, 2) reads x0 x3 x1 x4 x2 x5
    nodes = [
        helper.make_node("Transpose", ["x"], ["t"], perm=[0, 2, 1]),
        helper.make_node("Unsqueeze", ["t", "ax"], ["u"]),  # (1, 1, 3, 2)
        helper.make_node("Squeeze", ["u", "ax"], ["q"]),  # (1, 3, 2)
        helper.make_node("Flatten", ["q"], ["f"]),  # (1, 6)
        helper.make_node("MatMul", ["f", "W"], ["y"]),
    ]
    weights = [[1], [10], [100], [1000], [10000], [100000]]
    net = fold(nodes, [init("ax", [1], np.int64), init("W", weights)], in_shape=(1, 2, 3), out_shape=(1, 1))
    # output = x0 + 10 x3 + 100 x1 + 1000 x4 + 10000 x2 + 100000 x5
    assert net.weights == ((tuple(F(v) for v in (1, 100, 10000, 10, 1000, 100000)),),)


def _tapped_model():
    """x - mu, then z = xn B + c, a = relu(z) (node "relu1"), y = a W^T + d."""
    graph = helper.make_graph(
        [
            helper.make_node("Sub", ["x", "mu"], ["xn"]),
            helper.make_node("MatMul", ["xn", "B"], ["h"]),
            helper.make_node("Add", ["h", "c"], ["z"]),
            helper.make_node("Relu", ["z"], ["a"], name="relu1"),
            helper.make_node("Gemm", ["a", "W", "d"], ["y"], transB=1),
        ],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.DOUBLE, [None, 2])],
        [helper.make_tensor_value_info("y", TensorProto.DOUBLE, [None, 1])],
        [
            numpy_helper.from_array(np.array([[1.0, 2.0], [0.5, -1.0]]), "B"),
            numpy_helper.from_array(np.array([0.0, 1.0]), "c"),
            numpy_helper.from_array(np.array([0.25, -0.5]), "mu"),
            numpy_helper.from_array(np.array([[1.0, -3.0]]), "W"),
            numpy_helper.from_array(np.array([0.5]), "d"),
        ],
    )
    return helper.make_model(graph)


@given(st.lists(st.fractions(min_value=-8, max_value=8, max_denominator=16), min_size=2, max_size=2))
def test_hidden_tensors_are_more_outputs(x):
    # by hand: xn = x - mu, z = (xn_0 + xn_1 / 2, 2 xn_0 - xn_1 + 1), a = relu(z), y = a_0 - 3 a_1 + 1/2
    xn = [x[0] - F(1, 4), x[1] + F(1, 2)]
    z = [xn[0] + xn[1] / 2, 2 * xn[0] - xn[1] + 1]
    a = [max(v, F(0)) for v in z]
    y = [a[0] - 3 * a[1] + F(1, 2)]
    model = _tapped_model()
    # in the order asked, not the graph's; "relu1" is the node of the tensor "a"
    net = rio.network_from_onnx(model, hidden=["z", "relu1", "xn", "y"])
    assert list(net(x)) == y + z + a + xn + y
    assert list(rio.network_from_onnx(model, hidden={"a": 2})(x)) == y + a
    assert rio.network_from_onnx(model)(x) == (y[0],)


@pytest.mark.parametrize(
    "hidden, error, match",
    [
        (["nope"], UnsupportedInputError, r"hidden tensor 'nope': no node output"),
        (["B"], UnsupportedInputError, r"hidden tensor 'B': no node output"),  # an initializer
        (["z", "z"], InvalidInputError, r"a tensor is named twice"),
        (["a", "relu1"], InvalidInputError, r"a tensor is named twice"),
        ("z", InvalidInputError, r"expected a sequence of tensor names"),
        (None, InvalidInputError, r"expected a sequence of tensor names"),
        ([1], InvalidInputError, r"expected a sequence of tensor names"),
        ({"z": 0}, InvalidInputError, r"or a mapping name -> entries, got \{'z': 0\}"),
        ({"z": 3}, DimensionMismatchError, r"hidden tensor 'z' has 2 entries, 3 were declared"),
    ],
)
def test_hidden_tensor_errors(hidden, error, match):
    with pytest.raises(error, match=match):
        rio.network_from_onnx(_tapped_model(), hidden=hidden)
