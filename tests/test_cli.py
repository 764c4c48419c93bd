"""The relu-geom command line, driven through main(argv)."""

from __future__ import annotations

import json
import os

import pytest

import relu_geom as rg
from relu_geom.cli import main


@pytest.fixture
def net_file(tmp_path):
    path = tmp_path / "net.json"
    path.write_text(rg.zoo.bent_2d().to_json())
    return path


def test_compile_json_summary(net_file, capsys):
    assert main(["compile", str(net_file), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    # relu(x) + relu(y) = 1 bends at the axes: 3 vertices, 9 edges, 7 regions (see test_compiler)
    assert out["architecture"] == [2, 2, 1, 1]
    assert out["f_vector"] == [3, 9, 7]
    assert out["n_regions"] == 7 and out["n_bounded_regions"] == 1
    assert out["euler_characteristic"] == 1


def test_compile_text_and_box(net_file, capsys):
    assert main(["compile", str(net_file), "--box", "-2", "2"]) == 0
    text = capsys.readouterr().out
    assert "Euler characteristic  1" in text and "[-2, 2]^2" in text


def test_compile_writes_the_exact_complex(net_file, tmp_path, capsys):
    out = tmp_path / "cx.json"
    assert main(["compile", str(net_file), "-o", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["format"] == "relu-geom/complex@1"
    assert len(data["cells"]) == 3 + 9 + 7
    regions = [c for c in data["cells"] if c["dim"] == 2]
    assert all("affine_map" in c for c in regions)


def test_compile_zoo_specimen(capsys):
    assert main(["compile", "zoo:central_lines", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["f_vector"] == [1, 6, 6]


def test_errors_are_one_line_and_leave_no_file(tmp_path, capsys):
    out = tmp_path / "cx.json"
    assert main(["compile", str(tmp_path / "missing.json"), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "missing.json" in err
    assert not out.exists()
    assert main(["compile", "zoo:nothing"]) == 2
    assert "no specimen called 'nothing'" in capsys.readouterr().err
    assert main(["compile", "zoo:abs_1d", "--box", "1", "0"]) == 2
    assert "LO < HI" in capsys.readouterr().err
    big = rg.ReLUNetwork.random([2, 6, 6, 1], seed=1)
    path = tmp_path / "big.json"
    path.write_text(big.to_json())
    assert main(["compile", str(path), "--max-cells", "3", "-o", str(out)]) == 2
    assert "max_cells=3" in capsys.readouterr().err
    assert not out.exists() and not [f for f in os.listdir(tmp_path) if f.startswith(".tmp")]


def test_debug_shows_the_traceback(tmp_path):
    with pytest.raises(rg.ReluGeomError):
        main(["--debug", "compile", str(tmp_path / "missing.json")])


def test_demo_prints_summaries_and_writes_a_picture(tmp_path, capsys):
    fig = tmp_path / "demo.png"
    assert main(["demo", "-o", str(fig)]) == 0
    out = capsys.readouterr().out
    # the bundled network compiled over R^2 and over a box: Euler characteristic 1 both times
    assert out.count("Euler characteristic 1") == 2
    assert fig.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_demo_network_file_is_the_zoo_demo():
    from relu_geom.commands.demo import demo_network_path

    assert rg.load_network(demo_network_path()) == rg.zoo.demo()


def test_negative_rational_box_bounds(capsys):
    assert main(["compile", "zoo:abs_1d", "--box", "-1/2", "3", "--json"]) == 0
    # |x| on [-1/2, 3]: the breakpoint 0 and the two ends
    assert json.loads(capsys.readouterr().out)["f_vector"] == [3, 2]
