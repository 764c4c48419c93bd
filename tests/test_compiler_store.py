"""The compact complex file relu-geom/complex@1: exact round trips, size, hostile files."""

from __future__ import annotations

import gzip
import json
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

import relu_geom as rg
from relu_geom.cli import main
from relu_geom.compiler import store
from relu_geom.testing import check_complex
from tests.conftest import networks


def assert_same(a, b):
    assert a.f_vector == b.f_vector and a.domain == b.domain and a.network == b.network
    assert tuple(a.region_data) == tuple(b.region_data)
    for x, y in zip(a.cells, b.cells, strict=True):
        assert (x.index, x.dim, x.sign_key, x.region_index) == (y.index, y.dim, y.sign_key, y.region_index)
        assert (x.face_indices, x.coface_indices) == (y.face_indices, y.coface_indices)
        assert x.polyhedron.inequalities == y.polyhedron.inequalities
        assert x.polyhedron.equalities == y.polyhedron.equalities
        assert x.vertices == y.vertices and x.interior_point == y.interior_point
        assert x.affine_map == y.affine_map


@given(networks(max_dim=3), st.sampled_from([None, (-1, 1), (-3, 2)]))
def test_round_trip_is_exact(tmp_path_factory, net, domain):
    cx = rg.compile_network(net, domain=domain, workers=1)
    path = tmp_path_factory.mktemp("rgc") / "cx.rgc"
    cx.save(path)
    back = rg.PolyhedralComplex.load(path)
    assert isinstance(back, rg.PolyhedralComplex)
    assert_same(cx, back)


def test_analyses_accept_a_loaded_complex(tmp_path):
    net = rg.ReLUNetwork.random_normal([2, 6, 5, 1], seed=4)
    cx = rg.compile_network(net, domain=(-2, 2))
    cx.save(tmp_path / "a.rgc")
    back = rg.PolyhedralComplex.load(tmp_path / "a.rgc")
    assert rg.as_complex(back, domain=(-2, 2)) is back
    check_complex(back, volumes=True)
    x = back.regions[3].interior_point
    assert back.locate(x).index == cx.locate(x).index == 3


def test_ten_times_smaller_than_json(tmp_path):
    cx = rg.compile_network(rg.ReLUNetwork.random_normal([2, 12, 12, 1], seed=0), domain=(-1, 1))
    cx.save(tmp_path / "a.rgc")
    cx.to_json(tmp_path / "a.json")
    assert os.path.getsize(tmp_path / "a.json") >= 10 * os.path.getsize(tmp_path / "a.rgc")


def test_a_failed_write_leaves_no_file(tmp_path, monkeypatch):
    cx = rg.compile_network(rg.zoo.demo())

    def boom(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(store, "region_line", boom)  # in the middle of the file
    with pytest.raises(KeyboardInterrupt):
        cx.save(tmp_path / "x.rgc")
    assert os.listdir(tmp_path) == []


def _write_lines(path, lines):
    with gzip.open(path, "wb") as fh:
        fh.write("".join(line + "\n" for line in lines).encode())


def _good_lines(tmp_path):
    cx = rg.compile_network(rg.zoo.demo(), domain=(-1, 1))
    cx.save(tmp_path / "good.rgc")
    with gzip.open(tmp_path / "good.rgc", "rb") as fh:
        return fh.read().decode().splitlines(), cx


def test_hostile_files_raise_file_format_error(tmp_path):
    lines, cx = _good_lines(tmp_path)
    header = json.loads(lines[1])
    n_regions = header["n_regions"]
    first_cell = 2 + n_regions
    bad = tmp_path / "bad.rgc"
    cases = {
        "not a relu-geom/complex@1 file": [["relu-geom/complex@9", *lines[1:]]],
        "header line is not JSON": [[lines[0], "{oops", *lines[2:]]],
        "network": [[lines[0], json.dumps({**header, "network": {"weights": 3}}), *lines[2:]]],
        "n_cells must be a positive integer": [
            [lines[0], json.dumps({**header, "n_cells": 10**12}), *lines[2:]]
        ],
        "ends before the last cell": [lines[:-1]],
        "data after the last cell": [[*lines, lines[-1]]],
        "hexadecimal": [[*lines[:first_cell], "1 2 zz", *lines[first_cell + 1 :]]],
        "bad dimension, region": [[*lines[:first_cell], "2 0 0 0 ffff 1 0", *lines[first_cell + 1 :]]],
        "wrong number of entries": [[*lines[:2], lines[2] + " 1", *lines[3:]]],
    }
    for message, variants in cases.items():
        for variant in variants:
            _write_lines(bad, variant)
            with pytest.raises(rg.FileFormatError, match=message):
                rg.PolyhedralComplex.load(bad)
    bad.write_bytes(b"\x1f\x8b garbage")
    with pytest.raises(rg.FileFormatError, match="not a readable"):
        rg.PolyhedralComplex.load(bad)
    bad.write_text("plain text")
    with pytest.raises(rg.FileFormatError):
        rg.PolyhedralComplex.load(bad)
    with pytest.raises(rg.FileFormatError):
        rg.PolyhedralComplex.load(tmp_path / "missing.rgc")


def test_long_lines_are_refused(tmp_path, monkeypatch):
    lines, _ = _good_lines(tmp_path)
    monkeypatch.setattr(store, "MAX_LINE", 64)
    _write_lines(tmp_path / "long.rgc", lines)
    with pytest.raises(rg.FileFormatError, match="longer than 64 bytes"):
        rg.PolyhedralComplex.load(tmp_path / "long.rgc")


def test_cli_writes_rgc_and_json(tmp_path, capsys):
    net_file = tmp_path / "net.json"
    rg.zoo.demo().to_json(net_file)
    assert main(["compile", str(net_file), "-o", str(tmp_path / "cx.rgc"), "--workers", "1"]) == 0
    assert main(["compile", str(net_file), "-o", str(tmp_path / "cx.json")]) == 0
    back = rg.PolyhedralComplex.load(tmp_path / "cx.rgc")
    assert_same(back, rg.compile_network(rg.zoo.demo()))
    assert json.loads((tmp_path / "cx.json").read_text())["format"] == "relu-geom/complex@1"
