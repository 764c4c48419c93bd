"""Tests of relu_geom.io.torch_format: PyTorch modules and files."""

from __future__ import annotations

import sys
from fractions import Fraction as F

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom import io as rio
from relu_geom.errors import (
    BackendUnavailableError,
    DimensionMismatchError,
    FileFormatError,
    InvalidInputError,
    UnsupportedInputError,
)
from tests.io_cases import FAST, GOLDEN, HAND, architectures, dyadic_networks


# ---------------------------------------------------------------------------
# PyTorch
# ---------------------------------------------------------------------------
def linear(
    weight: list[list[float]], bias: list[float] | None, dtype: torch.dtype = torch.float32
) -> torch.nn.Linear:
    out, inp = len(weight), len(weight[0])
    lin = torch.nn.Linear(inp, out, bias=bias is not None, dtype=dtype)
    with torch.no_grad():
        lin.weight.copy_(torch.tensor(weight, dtype=torch.float64))
        if bias is not None:
            lin.bias.copy_(torch.tensor(bias, dtype=torch.float64))
    return lin


class TestTorch:
    def test_hand_written_sequential(self):
        model = torch.nn.Sequential(
            linear([[1, -1], [1, 1]], [0, -0.5]), torch.nn.ReLU(), linear([[1, 1]], [0])
        )
        net = rio.network_from_torch(model)
        assert net == HAND
        assert net([2, 1]) == (F(7, 2),)

    def test_float32_values_are_read_exactly(self):
        net = rio.network_from_torch(linear([[0.1]], [1 / 3]))
        assert net.weights == (((F(13421773, 2**27),),),)
        assert net.biases == ((F(11184811, 2**25),),)

    @pytest.mark.parametrize("dtype", [torch.float64, torch.float32, torch.float16, torch.bfloat16])
    def test_every_float_dtype_is_exact(self, dtype):
        lin = linear([[0.1, -3.0]], [2.0**-10], dtype=dtype)
        net = rio.network_from_torch(lin)
        # the exact value of the stored float, by torch's own widening (exact) to float64
        assert net.weights[0][0][0] == F(lin.weight.double()[0, 0].item())
        assert net.weights[0][0][1] == F(-3) and net.biases[0][0] == F(1, 1024)

    def test_nested_sequential_identity_and_missing_bias(self):
        model = torch.nn.Sequential(
            torch.nn.Sequential(linear([[1, -1], [1, 1]], None), torch.nn.Identity()),
            torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Sequential(linear([[2, 0.5]], [0.25]))),
        )
        net = rio.network_from_torch(model)
        assert net == rg.ReLUNetwork([[[1, -1], [1, 1]], [[2, "1/2"]]], [[0, 0], ["1/4"]])

    def test_single_linear(self):
        net = rg.ReLUNetwork.from_torch(linear([[1, 2, 3]], [4]))
        assert net.architecture == (3, 1) and net([1, 1, 1]) == (F(10),)

    @FAST
    @given(architectures(), st.integers(0, 10**6))
    def test_float64_round_trip_is_exact(self, arch, seed):
        net = rg.ReLUNetwork.random_normal(arch, seed=seed)
        model = rio.network_to_torch(net)
        assert all(p.dtype == torch.float64 for p in model.parameters())
        assert rio.network_from_torch(model) == net

    @FAST
    @given(architectures(), st.integers(0, 10**6))
    def test_float32_model_holds_the_rounded_parameters(self, arch, seed):
        net = rg.ReLUNetwork.random_normal(arch, seed=seed)  # float64 parameters, so one rounding to float32
        back = rio.network_from_torch(rio.network_to_torch(net, torch.float32))
        expected = rg.ReLUNetwork(
            [[[float(np.float32(float(v))) for v in row] for row in w] for w in net.weights],
            [[float(np.float32(float(v))) for v in b] for b in net.biases],
        )
        assert back == expected

    def test_rounding_to_float32_is_correct_not_double(self):
        value = F(1) + F(1, 2**24) + F(1, 2**80)
        model = rio.network_to_torch(rg.ReLUNetwork([[[value]]], [[0]]), "float32")
        assert model[0].weight.dtype == torch.float32
        assert F(model[0].weight.item()) == 1 + F(1, 2**23)

    @FAST
    @given(dyadic_networks(), st.lists(st.integers(-64, 64), min_size=3, max_size=3))
    def test_float64_forward_equals_exact_evaluation(self, net, coords):
        # entries p / 2**k with few bits: every float64 operation torch performs is exact
        x = [F(c, 8) for c in coords[: net.input_dim]]
        x += [F(0)] * (net.input_dim - len(x))
        model = rio.network_to_torch(net)
        out = model(torch.tensor([[float(v) for v in x]], dtype=torch.float64))[0].tolist()
        assert [F(v) for v in out] == list(net(x))

    def test_other_dtypes_and_bad_dtype(self):
        model = rio.network_to_torch(GOLDEN, torch.bfloat16)
        assert model[0].weight.dtype == torch.bfloat16
        assert F(model[0].weight[0, 1].item()) == F(-171, 2**9)  # -1/3 to 8 bits
        with pytest.raises(InvalidInputError, match="dtype: expected torch.float64"):
            rio.network_to_torch(GOLDEN, torch.int32)
        with pytest.raises(InvalidInputError, match=r"W0\[0\]\[0\] = 70000 is too large for float16"):
            rio.network_to_torch(rg.ReLUNetwork([[[70000]]], [[0]]), torch.float16)

    def test_to_torch_does_not_touch_the_global_rng(self):
        torch.manual_seed(1)
        expected = torch.rand(3)
        torch.manual_seed(1)
        rio.network_to_torch(GOLDEN)
        assert torch.equal(torch.rand(3), expected)

    @pytest.mark.parametrize(
        ("layers", "error", "match"),
        [
            (
                lambda: [
                    linear([[1]], [0]),
                    torch.nn.ReLU(),
                    torch.nn.Sequential(linear([[1]], [0]), torch.nn.Tanh()),
                ],
                UnsupportedInputError,
                "layer 3 '2.1' \\(Tanh\\) is not supported",
            ),
            (
                lambda: [torch.nn.Conv1d(1, 1, 1)],
                UnsupportedInputError,
                "layer 0 '0' \\(Conv1d\\) is not supported",
            ),
            (
                lambda: [linear([[1]], [0]), torch.nn.LeakyReLU(), linear([[1]], [0])],
                UnsupportedInputError,
                "LeakyReLU",
            ),
            (lambda: [], UnsupportedInputError, "contains no Linear layer"),
            (
                lambda: [linear([[1, 1], [1, 1], [1, 1]], [0, 0, 0]), torch.nn.ReLU(), linear([[1, 1]], [0])],
                DimensionMismatchError,
                r"layer 2 '2' \(Linear\): expected weight shape \(1, 3\) to follow a layer of width 3, got \(1, 2\)",
            ),
        ],
    )
    def test_unsupported_layers_and_orders_are_named(self, layers, error, match):
        with pytest.raises(error, match=match):
            rio.network_from_torch(torch.nn.Sequential(*layers()))

    def test_subclass_overriding_forward_is_refused(self):
        class Scaled(torch.nn.Linear):
            def forward(self, x):
                return 2 * super().forward(x)

        with pytest.raises(UnsupportedInputError, match="layer 0 '0' \\(Scaled\\) overrides forward"):
            rio.network_from_torch(torch.nn.Sequential(Scaled(2, 1)))

    def test_forward_hooks_are_refused(self):
        model = torch.nn.Sequential(linear([[1]], [0]))
        model[0].register_forward_hook(lambda mod, inp, out: out * 2)
        with pytest.raises(UnsupportedInputError, match="module '0' \\(Linear\\) has forward hooks"):
            rio.network_from_torch(model)

    def test_non_finite_weights_are_named(self):
        model = torch.nn.Sequential(linear([[1, 2]], [0]), torch.nn.ReLU(), linear([[float("nan")]], [0]))
        with pytest.raises(
            InvalidInputError,
            match=r"layer 2 '2' \(Linear\).weight\[0\]\[0\]: expected a finite number, got nan",
        ):
            rio.network_from_torch(model)
        with pytest.raises(
            InvalidInputError, match=r"\(Linear\).bias\[0\]: expected a finite number, got inf"
        ):
            rio.network_from_torch(linear([[1.0]], [float("inf")]))

    def test_uninitialized_lazy_linear(self):
        with pytest.raises(InvalidInputError, match="not initialized"):
            rio.network_from_torch(torch.nn.Sequential(torch.nn.LazyLinear(2)))

    def test_not_a_module(self):
        with pytest.raises(
            InvalidInputError, match="model: expected a torch.nn.Module or a file path, got list"
        ):
            rio.network_from_torch([torch.nn.Linear(1, 1)])

    def test_missing_torch_is_reported_with_an_install_hint(self, monkeypatch):
        monkeypatch.setitem(sys.modules, "torch", None)
        with pytest.raises(BackendUnavailableError, match=r"pip install 'relu-geom\[torch\]'") as info:
            rio.network_from_torch(object())
        assert isinstance(info.value, ImportError)
        with pytest.raises(BackendUnavailableError, match="PyTorch"):
            rio.network_to_torch(HAND)


def trusted_load(path, **options):
    with pytest.warns(UserWarning, match="runs code stored in the file"):
        return rio.load_network(path, trust=True, **options)


class Payload:
    """A pickle that creates a file when it is unpickled (what a malicious model file does)."""

    def __init__(self, target):
        self.target = str(target)

    def __reduce__(self):
        return (open, (self.target, "w"))


class TestTorchFiles:
    def test_saved_sequential_needs_trust(self, tmp_path):
        net = rg.ReLUNetwork.random_normal([2, 3, 3, 1], seed=5)
        path = tmp_path / "model.pt"
        torch.save(rio.network_to_torch(net), path)
        # before: torch.load(weights_only=False) by default, running any code in the file
        with pytest.raises(
            FileFormatError, match=r"weights_only=True\) cannot read it.*pass trust=True.*--trust-pickle"
        ):
            rio.load_network(path)
        assert trusted_load(path) == net
        with pytest.warns(UserWarning, match="runs code"):
            assert rg.ReLUNetwork.from_torch(path, trust=True) == net

    @pytest.mark.parametrize("name", ["model.pt", "model.pth", "model.bin", "model.pth.tar", "model"])
    def test_malicious_pickle_is_never_executed(self, tmp_path, name):
        marker = tmp_path / "pwned"
        path = tmp_path / name
        torch.save({"0.weight": torch.ones(1, 1), "evil": Payload(marker)}, path)
        assert not marker.exists()  # torch.save pickled the payload without running it
        with pytest.raises(FileFormatError, match="weights_only=True"):
            rio.load_network(path, activation="relu")
        with pytest.raises(FileFormatError, match="weights_only=True"):
            rio.network_from_torch(path)
        assert not marker.exists()
        # the control: loading it with trust does run the payload (so the test above can fail)
        with pytest.raises(rg.ReluGeomError), pytest.warns(UserWarning, match="runs code"):
            rio.load_network(path, trust=True, activation="relu")
        assert marker.exists()

    def test_error_is_short_and_holds_no_torch_dump(self, tmp_path):
        path = tmp_path / "model.pt"
        torch.save(torch.nn.Sequential(torch.nn.Linear(2, 2)), path)
        with pytest.raises(FileFormatError) as info:
            rio.load_network(path)
        assert (
            len(str(info.value)) < 400 and "Traceback" not in str(info.value) and "\n" not in str(info.value)
        )

    def test_saved_sequential_holds_the_nearest_float64(self, tmp_path):
        path = tmp_path / "golden.pth"
        torch.save(rio.network_to_torch(GOLDEN), path)
        loaded = trusted_load(path)
        assert loaded.weights == tuple(
            tuple(tuple(F(float(v)) for v in row) for row in w) for w in GOLDEN.weights
        )
        assert loaded.biases == tuple(tuple(F(float(v)) for v in b) for b in GOLDEN.biases)
        assert loaded.weights[0][0][1] != GOLDEN.weights[0][0][1]  # -1/3 was rounded

    def test_state_dict_needs_the_architecture_stated(self, tmp_path):
        net = rg.ReLUNetwork.random_normal([3, 4, 2, 1], seed=7)
        path = tmp_path / "weights.pth"
        state = rio.network_to_torch(net).state_dict()
        assert list(state) == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
        torch.save(state, path)
        # before: a ReLU between the layers was assumed silently
        with pytest.raises(
            UnsupportedInputError, match="not the activations.*activation='relu'.*--assume-relu"
        ):
            rio.load_network(path)
        assert rio.load_network(path, activation="relu") == net
        with pytest.raises(InvalidInputError, match="activation: expected None or 'relu'"):
            rio.load_network(path, activation="tanh")

    def test_state_dict_without_biases(self, tmp_path):
        model = torch.nn.Sequential(linear([[1, 2]], None), torch.nn.ReLU(), linear([[0.5]], None))
        path = tmp_path / "weights.pt"
        torch.save(model.state_dict(), path)
        assert rio.load_network(path, activation="relu") == rg.ReLUNetwork([[[1, 2]], [["1/2"]]], [[0], [0]])

    def test_state_dict_with_other_layers_is_unsupported(self, tmp_path):
        model = torch.nn.Sequential(
            torch.nn.Linear(2, 2), torch.nn.BatchNorm1d(2), torch.nn.ReLU(), torch.nn.Linear(2, 1)
        )
        path = tmp_path / "bn.pt"
        torch.save(model.state_dict(), path)
        with pytest.raises(
            UnsupportedInputError, match=f"{path}: state_dict: key '1.running_mean' is neither"
        ):
            rio.load_network(path, activation="relu")

    def test_state_dict_shapes_are_checked(self, tmp_path):
        path = tmp_path / "bad.pt"
        torch.save(
            {"0.weight": torch.ones(3, 2), "0.bias": torch.ones(3), "2.weight": torch.ones(1, 2)}, path
        )
        with pytest.raises(
            FileFormatError, match=rf"{path}: '2.weight': expected shape \(1, 3\) to follow '0.weight'"
        ):
            rio.load_network(path, activation="relu")
        torch.save({"0.weight": torch.ones(3, 2), "0.bias": "zero"}, path)
        with pytest.raises(
            FileFormatError, match=f"{path}: state_dict: '0.bias' is a str, expected a tensor"
        ):
            rio.load_network(path, activation="relu")
        torch.save({"0.bias": torch.ones(3)}, path)
        with pytest.raises(FileFormatError, match="'0.bias' has no matching '0.weight'"):
            rio.load_network(path, activation="relu")

    def test_other_saved_objects_and_corrupt_files(self, tmp_path):
        path = tmp_path / "list.pt"
        torch.save([1, 2, 3], path)
        with pytest.raises(
            FileFormatError, match=f"{path}: expected a saved nn.Module or a state_dict.*got list"
        ):
            rio.load_network(path)
        path = tmp_path / "tanh.pt"
        torch.save(torch.nn.Sequential(torch.nn.Linear(1, 1), torch.nn.Tanh()), path)
        with pytest.raises(UnsupportedInputError, match=f"{path}: layer 1 '1' \\(Tanh\\) is not supported"):
            trusted_load(path)
        corrupt = tmp_path / "corrupt.pt"
        corrupt.write_bytes(b"\x80\x02 not really a pickle")
        with pytest.raises(
            FileFormatError, match=f"{corrupt}: torch.load\\(weights_only=True\\) cannot read it"
        ):
            rio.load_network(corrupt)

    def test_cli_flags_reach_the_reader(self, tmp_path, capsys):
        from relu_geom.cli import main

        net = rg.ReLUNetwork([[[1, -1], [1, 1]], [[1, 1]]], [[0, -1], [0]])
        state = tmp_path / "weights.pt"
        torch.save(rio.network_to_torch(net).state_dict(), state)
        assert main(["compile", str(state)]) == 2
        assert "--assume-relu" in capsys.readouterr().err
        assert main(["compile", str(state), "--assume-relu"]) == 0
        module = tmp_path / "model.pt"
        torch.save(rio.network_to_torch(net), module)
        assert main(["compile", str(module)]) == 2
        assert "--trust-pickle" in capsys.readouterr().err
        with pytest.warns(UserWarning, match="runs code"):
            assert main(["compile", str(module), "--trust-pickle"]) == 0


def bn_model(mean, var, gamma, beta, eps):
    lin = linear([[1, 0], [0, 1]], [0, 0])
    bn = torch.nn.BatchNorm1d(2, eps=eps).double()
    with torch.no_grad():
        bn.running_mean.copy_(torch.tensor(mean, dtype=torch.float64))
        bn.running_var.copy_(torch.tensor(var, dtype=torch.float64))
        bn.weight.copy_(torch.tensor(gamma, dtype=torch.float64))
        bn.bias.copy_(torch.tensor(beta, dtype=torch.float64))
    return torch.nn.Sequential(lin, bn, torch.nn.ReLU(), linear([[1, 1]], [0])).double().eval()


class TestFolding:
    def test_no_op_layers_are_skipped(self):
        model = torch.nn.Sequential(
            torch.nn.Flatten(),
            linear([[1, -1]], [0.5]),
            torch.nn.Dropout(0.3),
            torch.nn.ReLU(),
            torch.nn.Identity(),
            linear([[2]], [0]),
        )
        assert rio.network_from_torch(model) == rg.ReLUNetwork([[[1, -1]], [[2]]], [["1/2"], [0]])

    def test_consecutive_linear_layers_compose_exactly(self):
        # [[1, 2]] x + 1 then 3 y - 1: 3 x1 + 6 x2 + 2 (by hand)
        model = torch.nn.Sequential(linear([[1, 2]], [1]), linear([[3]], [-1]))
        assert rio.network_from_torch(model) == rg.ReLUNetwork([[[3, 6]]], [[2]])

    def test_relu_at_either_end_and_twice(self):
        model = torch.nn.Sequential(torch.nn.ReLU(), linear([[1, -1]], [0]), torch.nn.ReLU(), torch.nn.ReLU())
        net = rio.network_from_torch(model)
        assert net.architecture == (2, 2, 1, 1, 1)
        for x in ([3, 1], [-3, 1], [1, 3], [2, -5]):
            expected = max(max(x[0], 0) - max(x[1], 0), 0)  # relu(relu(x1) - relu(x2))
            assert net(x) == (F(expected),)

    def test_batchnorm_with_square_variance_folds_exactly(self):
        # var + eps = 4 and 1/4 (eps = 0 is exact): 1/sqrt = 1/2 and 2
        model = bn_model(mean=[1, -1], var=[4, 0.25], gamma=[3, 1], beta=[0.5, 0], eps=0.0)
        net = rio.network_from_torch(model)
        # neuron 1: 3 (x1 - 1) / 2 + 1/2 = 3/2 x1 - 1;  neuron 2: (x2 + 1) * 2 = 2 x2 + 2
        assert net.weights[0] == ((F(3, 2), F(0)), (F(0), F(2)))
        assert net.biases[0] == (F(-1), F(2))

    def test_batchnorm_with_irrational_scale_uses_the_float_torch_computes(self):
        model = bn_model(mean=[0, 0], var=[2, 1], gamma=[1, 1], beta=[0, 0], eps=1e-5)
        with pytest.warns(UserWarning, match="irrational for 2 of 2 features"):
            net = rio.network_from_torch(model)
        expected = (1 / torch.sqrt(torch.tensor([2.0, 1.0], dtype=torch.float64) + 1e-5)).tolist()
        assert net.weights[0] == ((F(expected[0]), F(0)), (F(0), F(expected[1])))

    def test_batchnorm_in_training_mode_is_refused(self):
        model = bn_model(mean=[0, 0], var=[1, 1], gamma=[1, 1], beta=[0, 0], eps=0.0).train()
        with pytest.raises(UnsupportedInputError, match=r"layer 1 '1' \(BatchNorm1d\) is in training mode"):
            rio.network_from_torch(model)

    def test_batchnorm_agrees_with_torch(self):
        model = bn_model(mean=[0.5, -2], var=[0.5, 3], gamma=[2, -1], beta=[1, 0.25], eps=1e-3)
        with pytest.warns(UserWarning):
            net = rio.network_from_torch(model)
        for x in ([1.0, 2.0], [-1.5, 0.25], [3.0, -4.0]):
            ours = float(net(x)[0])
            theirs = model(torch.tensor([x], dtype=torch.float64)).item()
            assert abs(ours - theirs) <= 1e-12 * max(1.0, abs(theirs))  # float sanity bound only

    @FAST
    @given(dyadic_networks())
    def test_round_trip_through_torch_is_exact(self, net):
        assert rio.network_from_torch(rio.network_to_torch(net)) == net
