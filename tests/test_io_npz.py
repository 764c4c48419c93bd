"""Tests of relu_geom.io.npz: numpy archives, read safely and exactly."""

from __future__ import annotations

import io
import os
import zipfile
from fractions import Fraction as F
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom import io as rio
from relu_geom.errors import (
    FileFormatError,
    InvalidInputError,
    LimitExceededError,
)
from relu_geom.io import npz as npz_module
from tests import conftest
from tests.io_cases import FAST, GOLDEN, architectures, dyadic_networks, listing


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
        with pytest.raises(
            FileFormatError, match=f"{path}: W0: expected an array of integers or floats, got dtype object"
        ):
            rio.network_from_npz(path)

    def test_unreadable_files(self, tmp_path):
        with pytest.raises(FileFormatError, match=f"{tmp_path / 'none.npz'}: no such file"):
            rio.network_from_npz(tmp_path / "none.npz")
        garbage = tmp_path / "garbage.npz"
        garbage.write_bytes(b"this is not a zip archive")
        with pytest.raises(FileFormatError, match=f"{garbage}: not an npz archive"):
            rio.network_from_npz(garbage)
        single = tmp_path / "single.npy"
        np.save(single, np.ones((2, 2)))
        with pytest.raises(FileFormatError, match=f"{single}: not an npz archive"):
            rio.network_from_npz(single)


def npy_member(shape: tuple[int, ...], descr: str = "<f8", data: bytes = b"") -> bytes:
    """The bytes of a .npy file whose header declares ``shape`` (the data may be short or absent)."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue() + data


def zip_of(path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


SMALL = {"b0.npy": npy_member((1,), data=np.zeros(1).tobytes())}


class TestNpzBounds:
    @pytest.mark.parametrize(
        "shape",
        [(2**40,), (2**20, 2**20), (10**7 + 1,), (3, 4, 10**9)],  # 8 TiB, 8 TiB, just over the bound, ...
    )
    def test_huge_declared_shapes_are_refused_before_loading(self, tmp_path, shape):
        # before: np.load allocated the declared size (MemoryError or an 8 TiB read)
        path = zip_of(tmp_path / "net.npz", {"W0.npy": npy_member(shape), **SMALL})
        with pytest.raises(
            LimitExceededError, match=r"array W0: \d+ numbers, more than the limit of 10000000"
        ):
            rio.network_from_npz(path)

    def test_zip_bomb_is_refused_without_decompressing(self, tmp_path, monkeypatch):
        zeros = bytes(8 * (10**7 + 8))  # 80 MB of zeros, a few hundred kB compressed
        bomb = npy_member((10**7 + 8,), data=zeros)
        path = zip_of(tmp_path / "net.npz", {"W0.npy": bomb, **SMALL}, zipfile.ZIP_DEFLATED)
        assert path.stat().st_size < 10**6
        read = []
        original = np.lib.format.read_array
        monkeypatch.setattr(np.lib.format, "read_array", lambda *a, **k: read.append(1) or original(*a, **k))
        with pytest.raises(LimitExceededError, match="more than the limit"):
            rio.network_from_npz(path)
        assert read == []  # no array was loaded

    def test_uncompressed_size_is_bounded(self, tmp_path, monkeypatch):
        monkeypatch.setattr(npz_module, "MAX_FILE_BYTES", 100)
        path = zip_of(
            tmp_path / "net.npz", {"W0.npy": npy_member((1, 100), data=np.zeros(100).tobytes()), **SMALL}
        )
        with pytest.raises(FileFormatError, match="array W0: 928 bytes uncompressed, more than 100"):
            rio.network_from_npz(path)

    @pytest.mark.parametrize("dims", [(-1,), (2, -3)])
    def test_negative_dimensions_are_refused(self, tmp_path, dims):
        member = npy_member((1,)).replace(b"(1,)", repr(dims).encode())
        path = zip_of(tmp_path / "net.npz", {"W0.npy": member, **SMALL})
        with pytest.raises(FileFormatError, match="W0"):
            rio.network_from_npz(path)

    def test_number_of_members_and_key_indices_are_bounded(self, tmp_path):
        many = {f"W{i}.npy": npy_member((1, 1), data=bytes(8)) for i in range(20001)}
        with pytest.raises(FileFormatError, match="20001 members, more than the 20000"):
            rio.network_from_npz(zip_of(tmp_path / "many.npz", many))
        far = {
            "W0.npy": npy_member((1, 1), data=bytes(8)),
            "W9999.npy": npy_member((1, 1), data=bytes(8)),
            **SMALL,
        }
        with pytest.raises(FileFormatError, match="missing key"):
            rio.network_from_npz(zip_of(tmp_path / "far.npz", far))
        beyond = {"W10000.npy": npy_member((1, 1), data=bytes(8)), **SMALL}
        with pytest.raises(FileFormatError, match="key index 10000 is beyond the limit of 10000 layers"):
            rio.network_from_npz(zip_of(tmp_path / "beyond.npz", beyond))
        huge_index = {"W99999999999999.npy": npy_member((1, 1), data=bytes(8)), **SMALL}
        with pytest.raises(FileFormatError, match="unexpected key"):
            rio.network_from_npz(zip_of(tmp_path / "huge.npz", huge_index))

    def test_fifos_and_devices_are_refused_before_reading(self, tmp_path):
        # before: opening a FIFO blocked forever waiting for a writer
        fifo = tmp_path / "net.npz"
        os.mkfifo(fifo)
        with pytest.raises(FileFormatError, match="not a regular file"):
            rio.network_from_npz(fifo)
        with pytest.raises(FileFormatError, match="not a regular file"):
            rio.load_network("/dev/zero")

    def test_file_size_is_bounded(self, tmp_path):
        # a sparse file one byte over the limit: refused from its size, before any read
        path = tmp_path / "net.npz"
        with open(path, "wb") as fh:
            fh.truncate(rio.MAX_FILE_BYTES + 1)
        limit = rf"{rio.MAX_FILE_BYTES + 1} bytes, more than the limit of {rio.MAX_FILE_BYTES} bytes"
        with pytest.raises(LimitExceededError, match=limit):
            rio.network_from_npz(path)

    @FAST
    @given(conftest.networks(max_dim=3, max_width=3, max_depth=2))
    def test_float_networks_round_trip_exactly(self, tmp_path_factory, net):
        path = tmp_path_factory.mktemp("rt") / "net.npz"
        floats = rg.ReLUNetwork(
            [[[float(v) for v in row] for row in w] for w in net.weights],
            [[float(v) for v in b] for b in net.biases],
        )
        rio.network_to_npz(floats, path)
        assert rio.network_from_npz(path) == floats
