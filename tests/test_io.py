"""Tests of relu_geom.io: load_network / save_network dispatch, the named constructors, sample files."""

from __future__ import annotations

import zipfile

import numpy as np
import pytest
import torch
from hypothesis import given

import relu_geom as rg
from relu_geom import io as rio
from relu_geom.errors import (
    FileFormatError,
    InvalidInputError,
    UnsupportedInputError,
)
from relu_geom.network import model as network_module
from tests import conftest
from tests.io_cases import FAST, GOLDEN, HAND, listing


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
            if kind == "legacy-torch":  # a pickled module: only with trust
                with pytest.warns(UserWarning, match="runs code"):
                    assert rio.load_network(path, trust=True) == net
            else:
                assert rio.load_network(path, activation="relu") == net, kind

    def test_leading_whitespace_json_is_sniffed(self, tmp_path):
        path = tmp_path / "net"
        path.write_text("\n\n  " + HAND.to_json())
        assert rio.load_network(path) == HAND

    def test_unrecognized_content(self, tmp_path):
        path = tmp_path / "notes.txt"
        path.write_text("hello, this is not a network")
        with pytest.raises(FileFormatError, match=f"{path}: not a recognized network file"):
            rio.load_network(path)
        empty = tmp_path / "empty.dat"
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


# ---------------------------------------------------------------------------
# network.py and io: no import cycle, a registry of readers
# ---------------------------------------------------------------------------
def test_named_constructors_without_the_registry_say_so(monkeypatch):
    monkeypatch.setattr(network_module, "_FILE_FUNCTIONS", {})
    with pytest.raises(rg.BackendUnavailableError, match="file support .*not loaded"):
        rg.ReLUNetwork.load("net.json")
    with pytest.raises(rg.BackendUnavailableError, match="network_to_json"):
        HAND.to_json()
    assert rg.ReLUNetwork.from_dict(HAND.to_dict()) == HAND  # the dict format needs no io


def test_every_named_constructor_is_registered(tmp_path):
    path = tmp_path / "net.npz"
    rio.network_to_npz(HAND, path)
    assert rg.ReLUNetwork.from_npz(path) == HAND == rg.ReLUNetwork.load(path)
    assert rg.ReLUNetwork.from_onnx(rio.network_to_onnx(HAND)) == HAND
    assert rg.ReLUNetwork.from_torch(rio.network_to_torch(HAND)) == HAND
    assert rg.ReLUNetwork.from_json(HAND.to_json()) == HAND


# ---------------------------------------------------------------------------
# ReLUNetwork.random / random_normal arguments
# ---------------------------------------------------------------------------
class TestRandomArguments:
    @pytest.mark.parametrize(
        "arch", [[2.7, 3.2, 1], [2, 3.0, 1], [True, 2], [2, "3"], [2], [], [2, 0], [2, -1], "23", {2: 1}]
    )
    def test_non_integer_or_non_positive_widths_are_refused(self, arch):
        # before: int(2.7) silently made the widths [2, 3, 1]
        for build in (rg.ReLUNetwork.random, rg.ReLUNetwork.random_normal):
            with pytest.raises(rg.InvalidInputError, match="architecture"):
                build(arch, seed=0)

    def test_numpy_integer_widths_are_fine(self):
        arch = np.array([2, 3, 1])
        assert rg.ReLUNetwork.random(arch, seed=1).architecture == (2, 3, 1)

    @pytest.mark.parametrize("arch", [[10**9, 1], [1, 10**4, 10**4], [3000, 3000, 3000]])
    def test_huge_sizes_are_refused_before_allocating(self, arch):
        # before: random([10**9, 1]) tried to build a billion Fractions
        for build in (rg.ReLUNetwork.random, rg.ReLUNetwork.random_normal):
            with pytest.raises(
                rg.LimitExceededError, match=f"more than the limit of {network_module.MAX_PARAMETERS}"
            ):
                build(arch, seed=0)

    def test_the_bound_is_exact(self):
        bound = network_module.MAX_PARAMETERS  # [n, 1] has n + 1 parameters
        with pytest.raises(rg.LimitExceededError):
            rg.ReLUNetwork.from_parameters([bound, 1], [])
        with pytest.raises(rg.DimensionMismatchError, match=f"has {bound} parameters, got 0"):
            rg.ReLUNetwork.from_parameters([bound - 1, 1], [])  # within the bound: the count is checked

    @pytest.mark.parametrize(
        ("key", "value"),
        [("max_numerator", -1), ("max_denominator", 0), ("max_denominator", 2.5), ("max_numerator", True)],
    )
    def test_entry_bounds_are_checked(self, key, value):
        with pytest.raises(rg.InvalidInputError, match=key):
            rg.ReLUNetwork.random([2, 1], seed=0, **{key: value})


# ---------------------------------------------------------------------------
# every format round-trips exactly
# ---------------------------------------------------------------------------
def float_network(net: rg.ReLUNetwork) -> rg.ReLUNetwork:
    """The same shape with every entry replaced by the nearest float (so every float format holds it)."""
    return rg.ReLUNetwork(
        [[[float(v) for v in row] for row in w] for w in net.weights],
        [[float(v) for v in b] for b in net.biases],
    )


@FAST
@given(conftest.networks(max_dim=3, max_width=3, max_depth=2))
def test_random_networks_round_trip_through_every_format(tmp_path_factory, net):
    folder = tmp_path_factory.mktemp("formats")
    exact = folder / "net.json"
    rio.save_network(net, exact)
    assert rio.load_network(exact) == net  # JSON keeps every rational
    floats = float_network(net)
    for name in ("net.npz", "net.onnx"):
        rio.save_network(floats, folder / name)
        assert rio.load_network(folder / name) == floats, name
    assert rio.network_from_torch(rio.network_to_torch(floats)) == floats
    torch.save(rio.network_to_torch(floats).state_dict(), folder / "net.pt")
    assert rio.load_network(folder / "net.pt", activation="relu") == floats
