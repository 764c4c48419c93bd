"""Tests of relu_geom.io: exact JSON, npz, PyTorch and ONNX readers and writers."""

from __future__ import annotations

import json
import os
import stat
import sys
import zipfile
from fractions import Fraction as F
from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
from hypothesis import given, settings
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

DATA = Path(__file__).parent / "data"

# f(x) = relu(x1 - x2) + relu(x1 + x2 - 1/2)
HAND = rg.ReLUNetwork([[[1, -1], [1, 1]], [[1, 1]]], [[0, "-1/2"], [0]])

# the network stored in tests/data/network_v1.json (written by hand)
GOLDEN = rg.ReLUNetwork(
    [[[1, "-1/3"], [0, 2], ["5/2", -1]], [[1, -1, "1/7"]]],
    [[0, "-1/2", 3], ["2/3"]],
)

FAST = settings(max_examples=25, deadline=None)


def architectures(max_width: int = 4, max_depth: int = 3) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(1, max_width), min_size=2, max_size=max_depth + 2)


@st.composite
def dyadic_networks(draw: st.DrawFn, max_bits: int = 4) -> rg.ReLUNetwork:
    """Networks with entries p / 2**k, |p| <= 16, k <= max_bits: float64 arithmetic on them is exact."""
    arch = draw(architectures(max_width=3, max_depth=2))
    entry = st.builds(lambda p, k: F(p, 2**k), st.integers(-16, 16), st.integers(0, max_bits))
    ws = [[[draw(entry) for _ in range(arch[i])] for _ in range(arch[i + 1])] for i in range(len(arch) - 1)]
    bs = [[draw(entry) for _ in range(arch[i + 1])] for i in range(len(arch) - 1)]
    return rg.ReLUNetwork(ws, bs)


def listing(directory: Path) -> list[str]:
    return sorted(os.listdir(directory))


# ---------------------------------------------------------------------------
# dict and JSON
# ---------------------------------------------------------------------------
class TestJSON:
    def test_golden_file_reads_to_the_hand_written_network(self):
        net = rio.network_from_json(DATA / "network_v1.json")
        assert net == GOLDEN
        # outputs computed by hand
        assert net([3, 3]) == (F(-37, 21),)
        assert net([0, 0]) == (F(23, 21),)

    def test_writer_reproduces_the_golden_file_byte_for_byte(self):
        assert rio.network_to_json(GOLDEN) == (DATA / "network_v1.json").read_text()

    def test_to_dict_is_the_versioned_format(self):
        d = rio.network_to_dict(GOLDEN)
        assert d == json.loads((DATA / "network_v1.json").read_text())
        assert d == GOLDEN.to_dict()

    @FAST
    @given(architectures(), st.integers(0, 10**6))
    def test_json_round_trip_of_random_networks(self, arch, seed):
        net = rg.ReLUNetwork.random(arch, seed=seed, max_denominator=9)
        text = rio.network_to_json(net)
        assert rio.network_from_json(text) == net
        assert rio.network_from_dict(json.loads(text)) == net
        assert rio.network_to_json(net) == text  # deterministic

    def test_round_trip_of_huge_rationals(self):
        big = F(2**200 + 1, 3**90)
        net = rg.ReLUNetwork([[[big, -big]]], [[F(1, 10**40)]])
        assert rio.network_from_json(rio.network_to_json(net)) == net

    def test_file_round_trip_and_returned_text(self, tmp_path):
        path = tmp_path / "net.json"
        text = rio.network_to_json(HAND, path)
        assert path.read_text() == text
        assert rio.network_from_json(path) == HAND
        assert rio.network_from_json(str(path)) == HAND
        assert listing(tmp_path) == ["net.json"]

    def test_methods_on_the_class_delegate(self, tmp_path):
        path = tmp_path / "net.json"
        text = HAND.to_json(path)
        assert rg.ReLUNetwork.from_json(path) == HAND
        assert rg.ReLUNetwork.from_json(text) == HAND
        assert rg.ReLUNetwork.from_dict(HAND.to_dict()) == HAND
        assert rg.ReLUNetwork.load(path) == HAND

    def test_plain_format_and_exact_outputs(self):
        net = rio.network_from_dict({"weights": [[[1, -1], [1, 1]], [[1, 1]]], "biases": [[0, "-1/2"], [0]]})
        assert net == HAND
        assert net([1, 0]) == (F(3, 2),)
        assert net([-1, 2]) == (F(1, 2),)
        assert net([2, 1]) == (F(7, 2),)
        assert net([0, 0]) == (F(0),)

    def test_floats_are_read_as_their_exact_binary_value(self):
        net = rio.network_from_json('{"weights": [[[0.1]]], "biases": [[0.5]]}')
        assert net.weights[0][0][0] == F(3602879701896397, 36028797018963968)
        assert net.weights[0][0][0] != F(1, 10)
        assert net.biases[0][0] == F(1, 2)

    def test_decimal_strings_are_exact_decimals(self):
        net = rio.network_from_dict({"weights": [[["0.1", "1e-3"]]], "biases": [["-2.5"]]})
        assert net.weights[0][0] == (F(1, 10), F(1, 1000))
        assert net.biases[0] == (F(-5, 2),)

    def test_architecture_is_checked(self):
        d = HAND.to_dict()
        d["architecture"] = [2, 3, 1]
        with pytest.raises(
            DimensionMismatchError, match=r"architecture: declared as \[2, 3, 1\].*\[2, 2, 1\]"
        ):
            rio.network_from_dict(d)
        d["architecture"] = "2-2-1"
        with pytest.raises(InvalidInputError, match="architecture: expected a list of integer widths"):
            rio.network_from_dict(d)
        d["architecture"] = [2, True, 1]
        with pytest.raises(InvalidInputError, match="architecture"):
            rio.network_from_dict(d)

    @pytest.mark.parametrize("fmt", ["relu-geom/network@2", "relu-geom/network@10"])
    def test_newer_format_is_unsupported_and_named(self, fmt):
        d = HAND.to_dict() | {"format": fmt}
        with pytest.raises(UnsupportedInputError, match=f"'{fmt}' is not supported.*newer"):
            rio.network_from_dict(d)

    def test_unknown_format_string_is_unsupported(self):
        with pytest.raises(UnsupportedInputError, match="'keras/model' is not supported"):
            rio.network_from_dict(HAND.to_dict() | {"format": "keras/model"})

    def test_format_must_be_a_string(self):
        with pytest.raises(InvalidInputError, match="format: expected a string"):
            rio.network_from_dict(HAND.to_dict() | {"format": 1})

    @pytest.mark.parametrize("key", ["weights", "biases"])
    def test_missing_field_is_named(self, key):
        d = HAND.to_dict()
        del d[key]
        with pytest.raises(InvalidInputError, match=f"missing field\\(s\\) '{key}'"):
            rio.network_from_dict(d)

    def test_unknown_field_is_named(self):
        with pytest.raises(InvalidInputError, match="unknown field\\(s\\) 'activation'"):
            rio.network_from_dict(HAND.to_dict() | {"activation": "tanh"})

    def test_not_a_dict(self):
        with pytest.raises(InvalidInputError, match="expected a dict.*got list"):
            rio.network_from_dict([[1]])

    @pytest.mark.parametrize(
        ("weights", "match"),
        [
            ("[[1]]", "weights: expected a list, got str"),
            ({"W1": [[1]]}, "weights: expected a list, got dict"),
            ([{"row": [1]}], r"weights\[0\]: expected a list, got dict"),
            ([[[1]], [["1/2"], "3"]], r"weights\[1\]\[1\]: expected a list, got str"),
        ],
    )
    def test_wrong_types_are_named(self, weights, match):
        with pytest.raises(InvalidInputError, match=match):
            rio.network_from_dict({"weights": weights, "biases": [[0]]})

    def test_ragged_matrix(self):
        with pytest.raises(
            DimensionMismatchError, match=r"weights\[0\].*ragged.*row 0 has 2 entries but row 1 has 1"
        ):
            rio.network_from_dict({"weights": [[[1, 2], [3]], [[1, 1]]], "biases": [[0, 0], [0]]})

    def test_misshaped_layers(self):
        with pytest.raises(
            DimensionMismatchError, match=r"weights\[1\].*expected shape \(1, 2\).*got shape \(1, 3\)"
        ):
            rio.network_from_dict({"weights": [[[1, 2], [3, 4]], [[1, 1, 1]]], "biases": [[0, 0], [0]]})
        with pytest.raises(DimensionMismatchError, match=r"biases\[0\].*expected length 2.*got length 3"):
            rio.network_from_dict({"weights": [[[1, 2], [3, 4]], [[1, 1]]], "biases": [[0, 0, 0], [0]]})
        with pytest.raises(DimensionMismatchError, match="2 weight matrices but 1 bias vectors"):
            rio.network_from_dict({"weights": [[[1]], [[1]]], "biases": [[0]]})

    @pytest.mark.parametrize("bad", ["abc", "1/0", "nan", "inf", "", True, None, [1]])
    def test_bad_entries_are_named(self, bad):
        with pytest.raises(InvalidInputError, match=r"weights\[0\](?: \(W_1\))?\[0\]\[1\]"):
            rio.network_from_dict({"weights": [[[1, bad]]], "biases": [[0]]})

    @pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
    def test_non_finite_python_floats_are_rejected(self, bad):
        with pytest.raises(InvalidInputError, match=r"biases\[0\]\[0\]: expected a finite number"):
            rio.network_from_dict({"weights": [[[1]]], "biases": [[bad]]})

    @pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
    def test_json_nan_and_infinity_are_rejected(self, token, tmp_path):
        text = f'{{"weights": [[[1, {token}]]], "biases": [[0]]}}'
        assert json.loads(text)  # Python's json module would accept it
        with pytest.raises(FileFormatError, match=f"JSON text: invalid JSON: {token} is not a finite number"):
            rio.network_from_json(text)
        path = tmp_path / "nan.json"
        path.write_text(text)
        with pytest.raises(FileFormatError, match=f"{path}: invalid JSON: {token}"):
            rio.network_from_json(path)

    def test_float_overflowing_to_infinity_is_rejected(self):
        with pytest.raises(
            InvalidInputError, match=r"weights\[0\](?: \(W_1\))?\[0\]\[0\]: expected a finite number"
        ):
            rio.network_from_json('{"weights": [[[1e400]]], "biases": [[0]]}')

    def test_invalid_json_names_line_and_column(self, tmp_path):
        text = '{\n  "weights": [[[1]]],\n  "biases": [[0]]\n  "format": "relu-geom/network@1"\n}'
        with pytest.raises(FileFormatError, match="JSON text: invalid JSON at line 4, column 3"):
            rio.network_from_json(text)
        path = tmp_path / "broken.json"
        path.write_text(text)
        with pytest.raises(FileFormatError, match=f"{path}: invalid JSON at line 4, column 3: Expecting ','"):
            rio.network_from_json(path)

    def test_duplicate_fields_are_rejected(self):
        with pytest.raises(FileFormatError, match="duplicate field 'weights'"):
            rio.network_from_json('{"weights": [[[1]]], "weights": [[[2]]], "biases": [[0]]}')

    def test_file_content_errors_name_the_file(self, tmp_path):
        path = tmp_path / "bad.json"
        path.write_text('{"weights": [[[1, "x"]]], "biases": [[0]]}')
        with pytest.raises(FileFormatError, match=rf"{path}: weights\[0\](?: \(W_1\))?\[0\]\[1\]: .*'x'"):
            rio.network_from_json(path)
        path.write_text('{"weights": [[[1]]]}')
        with pytest.raises(FileFormatError, match=f"{path}: network: missing field\\(s\\) 'biases'"):
            rio.network_from_json(path)
        path.write_text("[1, 2]")
        with pytest.raises(FileFormatError, match=f"{path}: expected a JSON object.*got list"):
            rio.network_from_json(path)

    def test_unsupported_format_in_a_file_stays_unsupported_and_names_the_file(self, tmp_path):
        path = tmp_path / "v2.json"
        path.write_text(json.dumps(HAND.to_dict() | {"format": "relu-geom/network@2"}))
        with pytest.raises(UnsupportedInputError, match=f"{path}: format: 'relu-geom/network@2'"):
            rio.network_from_json(path)

    def test_missing_file_and_directory(self, tmp_path):
        with pytest.raises(FileFormatError, match=f"{tmp_path / 'nope.json'}: no such file"):
            rio.network_from_json(tmp_path / "nope.json")
        with pytest.raises(FileFormatError, match="is a directory"):
            rio.network_from_json(tmp_path)

    def test_not_utf8(self, tmp_path):
        path = tmp_path / "latin1.json"
        path.write_bytes(b'{"weights": [[[1]]], "biases": [["\xe9"]]}')
        with pytest.raises(FileFormatError, match=f"{path}: not UTF-8 text"):
            rio.network_from_json(path)

    def test_utf8_bom_is_accepted(self, tmp_path):
        path = tmp_path / "bom.json"
        path.write_bytes(b"\xef\xbb\xbf" + HAND.to_json().encode())
        assert rio.network_from_json(path) == HAND

    def test_source_of_the_wrong_type(self):
        with pytest.raises(InvalidInputError, match="expected a file path.*got dict"):
            rio.network_from_json(HAND.to_dict())

    def test_to_json_rejects_non_networks(self):
        with pytest.raises(InvalidInputError, match="net: expected a ReLUNetwork, got dict"):
            rio.network_to_json({"weights": []})


# ---------------------------------------------------------------------------
# atomic writing
# ---------------------------------------------------------------------------
class TestAtomicWrites:
    def test_failed_replace_leaves_old_file_and_no_temporary(self, tmp_path, monkeypatch):
        path = tmp_path / "net.json"
        path.write_text("old content")

        def failing_replace(src, dst):
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(rio.os, "replace", failing_replace)
        with pytest.raises(FileFormatError, match=f"{path}: cannot write: No space left on device"):
            rio.network_to_json(HAND, path)
        assert path.read_text() == "old content"
        assert listing(tmp_path) == ["net.json"]

    def test_failure_while_writing_leaves_no_partial_file(self, tmp_path, monkeypatch):
        def half_savez(fh, **arrays):
            fh.write(b"PK\x03\x04 partial")
            raise RuntimeError("interrupted")

        monkeypatch.setattr(np, "savez", half_savez)
        with pytest.raises(RuntimeError, match="interrupted"):
            rio.network_to_npz(HAND.rescale_neuron(1, 1, 2), tmp_path / "net.npz")
        assert listing(tmp_path) == []

    def test_failure_while_writing_keeps_the_previous_file(self, tmp_path, monkeypatch):
        path = tmp_path / "net.npz"
        rio.network_to_npz(HAND, path)
        before = path.read_bytes()

        def half_savez(fh, **arrays):
            fh.write(b"garbage")
            raise OSError(5, "Input/output error")

        monkeypatch.setattr(np, "savez", half_savez)
        with pytest.raises(FileFormatError, match="cannot write: Input/output error"):
            rio.network_to_npz(HAND.rescale_neuron(1, 0, 4), path)
        assert path.read_bytes() == before
        assert listing(tmp_path) == ["net.npz"]

    def test_missing_directory_and_directory_target(self, tmp_path):
        with pytest.raises(FileFormatError, match="the directory .*missing does not exist"):
            rio.network_to_json(HAND, tmp_path / "missing" / "net.json")
        with pytest.raises(FileFormatError, match="is a directory"):
            rio.network_to_json(HAND, tmp_path)
        assert listing(tmp_path) == []

    def test_new_file_mode_follows_umask_and_existing_mode_is_kept(self, tmp_path):
        umask = os.umask(0o022)
        try:
            fresh = tmp_path / "fresh.json"
            rio.network_to_json(HAND, fresh)
            assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
        finally:
            os.umask(umask)
        kept = tmp_path / "kept.json"
        kept.write_text("x")
        kept.chmod(0o600)
        rio.network_to_json(HAND, kept)
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600
        assert rio.network_from_json(kept) == HAND


# ---------------------------------------------------------------------------
# npz
# ---------------------------------------------------------------------------
def save_npz(path: Path, **arrays: object) -> Path:
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)
    return path


class TestNpz:
    @FAST
    @given(arch=architectures(), seed=st.integers(0, 10**6))
    def test_round_trip_of_float_networks(self, tmp_path_factory, arch, seed):
        net = rg.ReLUNetwork.random_normal(arch, seed=seed)
        path = tmp_path_factory.mktemp("npz") / "net.npz"
        rio.network_to_npz(net, path)
        assert rio.network_from_npz(path) == net
        with np.load(path) as data:
            assert sorted(data.files) == sorted(f"{c}{k}" for k in range(len(arch) - 1) for c in "Wb")
            assert data["W0"].dtype == np.float64 and data["W0"].shape == (arch[1], arch[0])

    @FAST
    @given(dyadic_networks(max_bits=40))
    def test_round_trip_of_dyadic_networks(self, net):
        # tmp files through the class API, without a fixture (hypothesis reuses function fixtures)
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "net.npz"
            rio.network_to_npz(net, path)
            assert rg.ReLUNetwork.from_npz(path) == net

    def test_layout_and_dtypes_written(self, tmp_path):
        path = tmp_path / "net.bin"  # no .npz is appended
        big = 2**60 + 1  # an integer float64 cannot hold, int64 can
        net = rg.ReLUNetwork([[[1, "1/2"], [3, 0]], [[3, "-1/4"]]], [[0, -big], [F(1, 2**30)]])
        rio.network_to_npz(net, path)
        assert listing(tmp_path) == ["net.bin"]
        with np.load(path, allow_pickle=False) as data:
            assert data["W0"].dtype == np.float64 and data["W0"].tolist() == [[1.0, 0.5], [3.0, 0.0]]
            assert data["b0"].dtype == np.int64 and data["b0"].tolist() == [0, -big]
            assert data["W1"].dtype == np.float64 and data["W1"].tolist() == [[3.0, -0.25]]
            assert data["b1"].dtype == np.float64 and data["b1"].tolist() == [2.0**-30]
        assert rio.network_from_npz(path) == net

    def test_mixed_non_integer_and_huge_integer_is_refused(self, tmp_path):
        # W0 holds 1/2 (needs float) and 2**60 + 1 (needs int): neither dtype is exact
        net = rg.ReLUNetwork([[[1, "1/2"], [2**60 + 1, 0]]], [[0, 0]])
        with pytest.raises(InvalidInputError, match=r"W0\[1\]\[0\] = 1152921504606846977 is not exactly"):
            rio.network_to_npz(net, tmp_path / "net.npz")
        assert listing(tmp_path) == []

    def test_non_dyadic_parameter_is_refused_with_a_hint(self, tmp_path):
        with pytest.raises(
            InvalidInputError,
            match=r"W0\[0\]\[1\] = 1/3 is not exactly representable as a float64.*save the network as JSON",
        ):
            rio.network_to_npz(rg.ReLUNetwork([[[1, "1/3"], [0, 1]]], [[0, 0]]), tmp_path / "net.npz")
        with pytest.raises(
            InvalidInputError, match=r"b0\[0\] = 2/3 is not exactly representable as a float64"
        ):
            rio.network_to_npz(rg.ReLUNetwork([[[1]]], [["2/3"]]), tmp_path / "x.npz")
        with pytest.raises(InvalidInputError, match=r"W1\[0\]\[0\] = 1/3 is not exactly representable"):
            rio.network_to_npz(GOLDEN.rescale_neuron(1, 0, 3), tmp_path / "y.npz")
        assert listing(tmp_path) == []

    def test_float32_float16_and_integer_arrays_are_read_exactly(self, tmp_path):
        path = save_npz(
            tmp_path / "net.npz",
            W0=np.array([[0.1, -2.5]], dtype=np.float32),
            b0=np.array([0.1], dtype=np.float16),
            W1=np.array([[3]], dtype=np.uint8),
            b1=np.array([-7], dtype=np.int16),
        )
        net = rio.network_from_npz(path)
        # float32(0.1) = 13421773 / 2**27 and float16(0.1) = 1638 / 2**14, by their bit patterns
        assert net.weights[0] == ((F(13421773, 2**27), F(-5, 2)),)
        assert net.biases[0] == (F(1638, 2**14),)
        assert net.weights[1] == ((F(3),),) and net.biases[1] == (F(-7),)

    @pytest.mark.skipif(np.finfo(np.longdouble).nmant <= 52, reason="long double is float64 here")
    def test_long_double_is_read_beyond_float64(self, tmp_path):
        third = np.longdouble(1) / np.longdouble(3)
        path = save_npz(tmp_path / "ld.npz", W0=np.array([[third]]), b0=np.array([0], dtype=np.longdouble))
        value = rio.network_from_npz(path).weights[0][0][0]
        assert value == F(*third.as_integer_ratio())
        assert value != F(float(third))

    @pytest.mark.parametrize(
        ("arrays", "match"),
        [
            ({"W0": [[1.0]], "b0": [0.0], "W1": [[1.0]]}, "missing key\\(s\\) b1"),
            ({"W0": [[1.0]], "b0": [0.0], "W2": [[1.0]], "b2": [0.0]}, "missing key\\(s\\) W1, b1"),
            ({"W0": [[1.0]], "b0": [0.0], "extra": [1.0]}, "unexpected key\\(s\\) extra"),
            ({"W0": [[1.0]], "b0": [0.0], "W01": [[1.0]]}, "unexpected key\\(s\\) W01"),
            ({"weights": [[1.0]]}, "expected arrays W0, b0, W1, b1, ..., found keys \\['weights'\\]"),
        ],
    )
    def test_missing_and_extra_keys_are_named(self, tmp_path, arrays, match):
        path = save_npz(tmp_path / "net.npz", **{k: np.array(v) for k, v in arrays.items()})
        with pytest.raises(FileFormatError, match=f"{path}: .*{match}"):
            rio.network_from_npz(path)

    @pytest.mark.parametrize(
        ("arrays", "match"),
        [
            (
                {"W0": [1.0, 2.0], "b0": [0.0]},
                r"W0: expected a matrix of shape \(out, in\).*got shape \(2,\)",
            ),
            (
                {"W0": [[1.0, 2.0]], "b0": [0.0, 1.0]},
                r"b0: expected shape \(1,\) to match W0 of shape \(1, 2\), got shape \(2,\)",
            ),
            ({"W0": [[1.0, 2.0]], "b0": [[0.0]]}, r"b0: expected shape \(1,\).*got shape \(1, 1\)"),
            (
                {"W0": [[1.0, 2.0], [0.0, 1.0]], "b0": [0.0, 0.0], "W1": [[1.0, 1.0, 1.0]], "b1": [0.0]},
                r"W1: expected shape \(1, 2\) to follow W0 with 2 outputs, got shape \(1, 3\)",
            ),
            ({"W0": np.zeros((0, 2)), "b0": np.zeros(0)}, r"W0: .*got shape \(0, 2\)"),
        ],
    )
    def test_shapes_expected_and_received(self, tmp_path, arrays, match):
        path = save_npz(tmp_path / "net.npz", **{k: np.asarray(v) for k, v in arrays.items()})
        with pytest.raises(FileFormatError, match=f"{path}: {match}"):
            rio.network_from_npz(path)

    @pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
    def test_nan_and_inf_are_rejected_with_their_position(self, tmp_path, bad):
        path = save_npz(
            tmp_path / "net.npz",
            W0=np.array([[1.0, 2.0], [3.0, bad]]),
            b0=np.zeros(2),
            W1=np.ones((1, 2)),
            b1=np.zeros(1),
        )
        with pytest.raises(
            FileFormatError, match=rf"{path}: W0\[1\]\[1\]: expected a finite number, got {bad}"
        ):
            rio.network_from_npz(path)

    @pytest.mark.parametrize(
        ("array", "match"),
        [
            (np.array([[1 + 2j]]), "complex"),
            (np.array([[True]]), "bool"),
            (np.array([["1/2"]]), "<U3"),
        ],
    )
    def test_non_numeric_dtypes_are_rejected(self, tmp_path, array, match):
        path = save_npz(tmp_path / "net.npz", W0=array, b0=np.zeros(1))
        with pytest.raises(
            FileFormatError, match=f"{path}: W0: expected an array of integers or floats, got dtype .*{match}"
        ):
            rio.network_from_npz(path)

    def test_object_arrays_are_never_unpickled(self, tmp_path):
        path = save_npz(tmp_path / "net.npz", W0=np.array([[F(1, 3)]], dtype=object), b0=np.zeros(1))
        with pytest.raises(FileFormatError, match=f"{path}: array W0 cannot be read without pickle"):
            rio.network_from_npz(path)

    def test_unreadable_files(self, tmp_path):
        with pytest.raises(FileFormatError, match=f"{tmp_path / 'none.npz'}: no such file"):
            rio.network_from_npz(tmp_path / "none.npz")
        garbage = tmp_path / "garbage.npz"
        garbage.write_bytes(b"this is not a zip archive")
        with pytest.raises(FileFormatError, match=f"{garbage}: not a readable npz archive"):
            rio.network_from_npz(garbage)
        single = tmp_path / "single.npy"
        np.save(single, np.ones((2, 2)))
        with pytest.raises(FileFormatError, match=f"{single}: expected an npz archive.*single .npy array"):
            rio.network_from_npz(single)


# ---------------------------------------------------------------------------
# float rounding of the float writers
# ---------------------------------------------------------------------------
class TestRounding:
    @pytest.mark.parametrize(
        ("value", "fmt", "expected"),
        [
            # just above the float32 midpoint between 1 and 1 + 2**-23: the nearest is 1 + 2**-23,
            # although rounding to float64 first (1 + 2**-24, a tie) and then to float32 gives 1
            (F(1) + F(1, 2**24) + F(1, 2**80), "float32", 1 + 2.0**-23),
            (F(1) + F(1, 2**24), "float32", 1.0),  # exact tie: to even
            (F(1) + F(3, 2**24), "float32", 1 + 2.0**-22),  # exact tie: to even (upwards)
            (F(1, 3), "float32", 11184811 / 2**25),
            (F(-1, 3), "float16", -1365 / 2**12),
            (F(1, 2**25), "float16", 0.0),  # half the smallest subnormal 2**-24: tie to even zero
            (F(3, 2**26), "float16", 2.0**-24),
            (F(65519), "float16", 65504.0),
            (F(1, 3), "bfloat16", 171 / 2**9),
            (F(1, 3), "float64", 1 / 3),
            (F(0), "float32", 0.0),
        ],
    )
    def test_correct_rounding(self, value, fmt, expected):
        assert rio._round_to_format(value, fmt, "v") == expected

    @given(st.floats(allow_nan=False, allow_infinity=False, min_value=-3e38, max_value=3e38))
    def test_single_rounding_from_a_double_agrees_with_numpy(self, x):
        assert rio._round_to_format(F(x), "float32", "v") == float(np.float32(x))

    @pytest.mark.parametrize(
        ("value", "fmt"), [(F(65520), "float16"), (F(2**128), "float32"), (F(2**1024), "float64")]
    )
    def test_overflow_is_an_error(self, value, fmt):
        with pytest.raises(InvalidInputError, match=f"v = {value} is too large for {fmt}"):
            rio._round_to_format(value, fmt, "v")


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
                lambda: [torch.nn.ReLU(), linear([[1]], [0])],
                UnsupportedInputError,
                "layer 0 '0' \\(ReLU\\) starts the network",
            ),
            (
                lambda: [linear([[1]], [0]), linear([[1]], [0])],
                UnsupportedInputError,
                "layer 1 '1' \\(Linear\\) follows layer 0 '0' \\(Linear\\) without a ReLU",
            ),
            (
                lambda: [linear([[1]], [0]), torch.nn.ReLU(), torch.nn.ReLU(), linear([[1]], [0])],
                UnsupportedInputError,
                "layer 2 '2' \\(ReLU\\) follows another ReLU",
            ),
            (
                lambda: [linear([[1]], [0]), torch.nn.ReLU()],
                UnsupportedInputError,
                "layer 1 '1' \\(ReLU\\) comes after the last Linear",
            ),
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
                r"layer 2 '2' \(Linear\): expected weight shape \(1, 3\) to follow layer 0 '0' \(Linear\) with 3 outputs, got \(1, 2\)",
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
            InvalidInputError, match="module: expected a torch.nn.Sequential or nn.Linear, got list"
        ):
            rio.network_from_torch([torch.nn.Linear(1, 1)])

    def test_missing_torch_is_reported_with_an_install_hint(self, monkeypatch):
        monkeypatch.setitem(sys.modules, "torch", None)
        with pytest.raises(BackendUnavailableError, match=r"pip install 'relu-geom\[torch\]'") as info:
            rio.network_from_torch(object())
        assert isinstance(info.value, ImportError)
        with pytest.raises(BackendUnavailableError, match="PyTorch"):
            rio.network_to_torch(HAND)


class TestTorchFiles:
    def test_saved_sequential(self, tmp_path):
        net = rg.ReLUNetwork.random_normal([2, 3, 3, 1], seed=5)
        path = tmp_path / "model.pt"
        torch.save(rio.network_to_torch(net), path)
        assert rio.load_network(path) == net

    def test_saved_sequential_holds_the_nearest_float64(self, tmp_path):
        path = tmp_path / "golden.pth"
        torch.save(rio.network_to_torch(GOLDEN), path)
        loaded = rio.load_network(path)
        assert loaded.weights == tuple(
            tuple(tuple(F(float(v)) for v in row) for row in w) for w in GOLDEN.weights
        )
        assert loaded.biases == tuple(tuple(F(float(v)) for v in b) for b in GOLDEN.biases)
        assert loaded.weights[0][0][1] != GOLDEN.weights[0][0][1]  # -1/3 was rounded

    def test_saved_state_dict(self, tmp_path):
        net = rg.ReLUNetwork.random_normal([3, 4, 2, 1], seed=7)
        path = tmp_path / "weights.pth"
        state = rio.network_to_torch(net).state_dict()
        assert list(state) == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
        torch.save(state, path)
        assert rio.load_network(path) == net

    def test_state_dict_without_biases(self, tmp_path):
        model = torch.nn.Sequential(linear([[1, 2]], None), torch.nn.ReLU(), linear([[0.5]], None))
        path = tmp_path / "weights.pt"
        torch.save(model.state_dict(), path)
        assert rio.load_network(path) == rg.ReLUNetwork([[[1, 2]], [["1/2"]]], [[0], [0]])

    def test_state_dict_with_other_layers_is_unsupported(self, tmp_path):
        model = torch.nn.Sequential(
            torch.nn.Linear(2, 2), torch.nn.BatchNorm1d(2), torch.nn.ReLU(), torch.nn.Linear(2, 1)
        )
        path = tmp_path / "bn.pt"
        torch.save(model.state_dict(), path)
        with pytest.raises(
            UnsupportedInputError, match=f"{path}: state_dict: key '1.running_mean' is neither"
        ):
            rio.load_network(path)

    def test_state_dict_shapes_are_checked(self, tmp_path):
        path = tmp_path / "bad.pt"
        torch.save(
            {"0.weight": torch.ones(3, 2), "0.bias": torch.ones(3), "2.weight": torch.ones(1, 2)}, path
        )
        with pytest.raises(
            FileFormatError, match=rf"{path}: '2.weight': expected shape \(1, 3\) to follow '0.weight'"
        ):
            rio.load_network(path)
        torch.save({"0.weight": torch.ones(3, 2), "0.bias": "zero"}, path)
        with pytest.raises(
            FileFormatError, match=f"{path}: state_dict: '0.bias' is a str, expected a tensor"
        ):
            rio.load_network(path)
        torch.save({"0.bias": torch.ones(3)}, path)
        with pytest.raises(FileFormatError, match="'0.bias' has no matching '0.weight'"):
            rio.load_network(path)

    def test_other_saved_objects_and_corrupt_files(self, tmp_path):
        path = tmp_path / "list.pt"
        torch.save([1, 2, 3], path)
        with pytest.raises(
            FileFormatError, match=f"{path}: expected a saved nn.Sequential or a state_dict.*got list"
        ):
            rio.load_network(path)
        path = tmp_path / "tanh.pt"
        torch.save(torch.nn.Sequential(torch.nn.Linear(1, 1), torch.nn.Tanh()), path)
        with pytest.raises(UnsupportedInputError, match=f"{path}: layer 1 '1' \\(Tanh\\) is not supported"):
            rio.load_network(path)
        corrupt = tmp_path / "corrupt.pt"
        corrupt.write_bytes(b"\x80\x02 not really a pickle")
        with pytest.raises(FileFormatError, match=f"{corrupt}: torch.load cannot read it"):
            rio.load_network(corrupt)


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
                "node 1 'squash' \\(Sigmoid\\) is not supported",
            ),
            (
                lambda s: s.gemm_relu([helper.make_node("Relu", ["z"], ["y"], name="r")]),
                "the graph ends with a Relu after node 0 'first' \\(Gemm\\)",
            ),
            (
                lambda s: s.gemm_relu(
                    [helper.make_node("Gemm", ["z", "W1"], ["y"], name="second", transB=1)],
                    [init("W1", [[1]])],
                ),
                "node 1 'second' \\(Gemm\\) follows the linear layer node 0 'first' \\(Gemm\\) without a Relu",
            ),
            (
                lambda s: s.gemm_relu(
                    [
                        helper.make_node("Relu", ["z"], ["a"], name="r"),
                        helper.make_node("Add", ["a", "c"], ["y"], name="plus"),
                    ],
                    [init("c", [1])],
                ),
                "node 2 'plus' \\(Add\\): an Add is supported only directly after a MatMul",
            ),
            (
                lambda s: s.gemm_relu(
                    [
                        helper.make_node("Relu", ["z"], ["y"], name="r"),
                        helper.make_node("Relu", ["z"], ["w"], name="branch"),
                    ]
                ),
                "tensor 'z' feeds several nodes",
            ),
            (
                lambda s: s.gemm_relu(
                    [
                        helper.make_node("Identity", ["z"], ["y"]),
                        helper.make_node("Relu", ["y"], ["dangling"], name="tail"),
                    ]
                ),
                "node 2 'tail' \\(Relu\\) not on the chain",
            ),
            (
                lambda s: s.gemm_relu(
                    [
                        helper.make_node("Identity", ["z"], ["y"]),
                        helper.make_node("Relu", ["q"], ["w"], name="stray"),
                    ]
                ),
                "node 2 'stray' \\(Relu\\) not on the chain",
            ),
            (
                lambda s: model_of(
                    [helper.make_node("Gemm", ["x", "W0"], ["y"], name="ta", transA=1)],
                    [init("W0", [[1], [1]])],
                ),
                "node 0 'ta' \\(Gemm\\): only transA=0",
            ),
            (
                lambda s: model_of(
                    [
                        helper.make_node("Relu", ["x"], ["z"], name="r0"),
                        helper.make_node("Gemm", ["z", "W0"], ["y"], transB=1),
                    ],
                    [init("W0", [[1, 1]])],
                ),
                "node 0 'r0' \\(Relu\\) starts the network",
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
                    [
                        helper.make_node("Flatten", ["x"], ["f"], axis=2),
                        helper.make_node("Gemm", ["f", "W0"], ["y"], transB=1),
                    ],
                    [init("W0", [[1, 1]])],
                ),
                "\\(Flatten\\) is not supported",
            ),
            (
                lambda s: model_of(
                    [
                        helper.make_node("Flatten", ["x"], ["f"], name="fl"),
                        helper.make_node("Gemm", ["f", "W0"], ["y"], transB=1),
                    ],
                    [init("W0", [[1, 1]])],
                    in_shape=(None, 1, 2),
                ),
                "node 0 'fl' \\(Flatten\\) is not supported",
            ),
            (
                lambda s: model_of([helper.make_node("Identity", ["x"], ["y"])], []),
                "contains no Gemm or MatMul",
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
            FileFormatError,
            match=r"node 2 'g1' \(Gemm\) weight 'W1'\[0\]\[0\]: expected a finite number, got nan",
        ):
            rio.network_from_onnx(model)

    def test_bias_and_dimension_mismatches(self):
        model = model_of(
            [helper.make_node("Gemm", ["x", "W0", "b0"], ["y"], name="g", transB=1)],
            [init("W0", [[1, 1]]), init("b0", [0, 0, 0])],
        )
        with pytest.raises(
            FileFormatError,
            match=r"node 0 'g' \(Gemm\) bias 'b0': expected a bias of shape \(1,\) or \(1, 1\), got shape \(3,\)",
        ):
            rio.network_from_onnx(model)
        model = model_of(
            [helper.make_node("Gemm", ["x", "W0"], ["y"], name="g", transB=1)], [init("W0", [[1, 1, 1]])]
        )
        with pytest.raises(
            DimensionMismatchError, match="maps 3 inputs to 1 outputs, but the graph input 'x' has width 2"
        ):
            rio.network_from_onnx(model)
        model = model_of(
            [helper.make_node("Gemm", ["x", "W0"], ["y"], name="g", transB=1)],
            [init("W0", [[1, 1]])],
            out_shape=(None, 4),
        )
        with pytest.raises(DimensionMismatchError, match="graph output 'y' is declared with width 4"):
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
# load_network / save_network
# ---------------------------------------------------------------------------
class TestLoadSave:
    @pytest.mark.parametrize("name", ["net.json", "net.npz", "net.onnx", "NET.JSON", "net.NPZ"])
    def test_save_and_load_by_extension(self, tmp_path, name):
        net = HAND.rescale_neuron(1, 0, 4)
        rio.save_network(net, tmp_path / name)
        assert listing(tmp_path) == [name]
        assert rio.load_network(tmp_path / name) == net
        assert rio.load_network(str(tmp_path / name)) == net

    def test_content_sniffing_for_unknown_extensions(self, tmp_path):
        net = rg.ReLUNetwork.random_normal([2, 3, 1], seed=3)
        sources = {
            "json": lambda p: rio.network_to_json(net, p),
            "npz": lambda p: rio.network_to_npz(net, p),
            "onnx": lambda p: rio.network_to_onnx(net, p),
            "torch": lambda p: torch.save(rio.network_to_torch(net).state_dict(), p),
            "legacy-torch": lambda p: torch.save(
                rio.network_to_torch(net), p, _use_new_zipfile_serialization=False
            ),
        }
        for kind, write in sources.items():
            path = tmp_path / f"{kind}.dat"
            write(path)
            assert rio.load_network(path) == net, kind

    def test_leading_whitespace_json_is_sniffed(self, tmp_path):
        path = tmp_path / "net"
        path.write_text("\n\n  " + HAND.to_json())
        assert rio.load_network(path) == HAND

    def test_unrecognized_content(self, tmp_path):
        path = tmp_path / "notes.txt"
        path.write_text("hello, this is not a network")
        with pytest.raises(FileFormatError, match=f"{path}: not a recognized network file"):
            rio.load_network(path)
        empty = tmp_path / "empty.bin"
        empty.write_bytes(b"")
        with pytest.raises(FileFormatError, match=f"{empty}: not a recognized network file"):
            rio.load_network(empty)
        archive = tmp_path / "other.zip"
        with zipfile.ZipFile(archive, "w") as zf:
            zf.writestr("readme.txt", "hi")
        with pytest.raises(
            FileFormatError, match=f"{archive}: a zip archive that is neither an npz file nor a PyTorch file"
        ):
            rio.load_network(archive)

    def test_missing_file_and_directory(self, tmp_path):
        with pytest.raises(FileFormatError, match=f"{tmp_path / 'gone.npz'}: no such file"):
            rio.load_network(tmp_path / "gone.npz")
        with pytest.raises(FileFormatError, match=f"{tmp_path}: is a directory"):
            rio.load_network(tmp_path)
        with pytest.raises(InvalidInputError, match="path: expected a file path"):
            rio.load_network(None)

    def test_save_refuses_unknown_extensions_and_rounding(self, tmp_path):
        for name in ("net.pt", "net.txt", "net"):
            with pytest.raises(UnsupportedInputError, match="cannot choose a format for the extension"):
                rio.save_network(HAND, tmp_path / name)
        with pytest.raises(InvalidInputError, match=r"W0\[0\]\[1\] = -1/3 is not exactly representable"):
            rio.save_network(GOLDEN, tmp_path / "golden.onnx")
        with pytest.raises(InvalidInputError, match=r"is not exactly representable as a float64.*JSON"):
            rio.save_network(GOLDEN, tmp_path / "golden.npz")
        assert listing(tmp_path) == []
        rio.save_network(GOLDEN, tmp_path / "golden.json")
        assert rio.load_network(tmp_path / "golden.json") == GOLDEN
