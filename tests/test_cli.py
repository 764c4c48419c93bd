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


def test_count_json_and_regions_only(net_file, capsys):
    # relu(x) + relu(y) = 1 bends at the axes: 3 vertices, 9 edges, 7 regions, one bounded
    assert main(["count", str(net_file), "--json", "--workers", "2"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["f_vector"], out["n_regions"], out["n_bounded_regions"]) == ([3, 9, 7], 7, 1)
    assert out["complete"] is True
    assert main(["count", str(net_file), "--json", "--regions-only", "--box", "-2", "2"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["f_vector"], out["n_regions"], out["n_bounded_regions"]) == (None, 7, 7)
    assert main(["count", str(net_file), "--box", "-2", "2"]) == 0
    text = capsys.readouterr().out
    assert "regions               7" in text and "[-2, 2]^2" in text


def test_count_at_its_limit_prints_lower_bounds(tmp_path, capsys):
    # the lines x = 0..40 and y = 0..40: 42^2 regions (see test_compiler_stream)
    n = 40
    w2 = [[1, 0]] * n + [[0, 1]] * n
    net = rg.ReLUNetwork([[[1, 0], [0, 1]], w2, [[1] * (2 * n)]], [[0, 0], [-i - 1 for i in range(n)] * 2, [0]])
    path = tmp_path / "grid.json"
    path.write_text(net.to_json())
    assert main(["count", str(path), "--json", "--workers", "1", "--max-seconds", "0.05"]) == 2
    captured = capsys.readouterr()
    out = json.loads(captured.out)
    assert out["complete"] is False and out["n_regions"] <= 42**2 and out["f_vector"][-1] == out["n_regions"]
    assert "max_seconds=0.05" in captured.err and "lower bound" in captured.err
    assert main(["count", str(path), "--max-seconds", "0.05"]) == 2
    assert "regions" in capsys.readouterr().err


def test_count_refuses_bad_workers_and_an_unreachable_cluster(net_file, capsys):
    assert main(["count", str(net_file), "--workers", "0"]) == 2
    assert "workers" in capsys.readouterr().err
    pytest.importorskip("distributed")
    assert main(["count", str(net_file), "--cluster", "tcp://127.0.0.1:1"]) == 2
    assert "cluster" in capsys.readouterr().err


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


def test_version_and_bare_command(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"relu-geom {rg.__version__}"
    assert main([]) == 2  # bare relu-geom: the help on stderr, usage error status
    err = capsys.readouterr().err
    assert err.startswith("usage: relu-geom") and "compile" in err and "Exit status" in err
    assert main(["no-such-command"]) == 2


def test_debug_anywhere(tmp_path):
    with pytest.raises(rg.ReluGeomError):
        main(["compile", str(tmp_path / "missing.json"), "--debug"])
    with pytest.raises(rg.ReluGeomError):
        main(["compile", "--debug", str(tmp_path / "missing.json")])


def test_decision_exit_statuses(capsys):
    # equiv: 0 for the same function, 1 for different functions (|x| against the hat)
    assert main(["equiv", "zoo:abs_1d", "zoo:abs_1d"]) == 0
    assert main(["equiv", "zoo:abs_1d", "zoo:hat_1d"]) == 1
    assert capsys.readouterr().out.splitlines()[-4] == "different"


def test_generic_and_fiber_name_their_notions(capsys):
    # the demo network satisfies the two-layer fiber hypotheses but is not paper-001 generic
    assert main(["generic", "zoo:demo"]) == 1
    assert "not generic (paper 001" in capsys.readouterr().out
    assert main(["fiber", "zoo:demo"]) == 0
    text = capsys.readouterr().out
    assert "two-layer fiber hypotheses hold" in text and "not paper-001 genericity" in text
    assert " generic True" not in text
    assert main(["fiber", "zoo:demo", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["fiber_hypotheses_hold"] is True and "generic" not in out


def test_output_to_stdout(capsys):
    assert main(["compile", "zoo:abs_1d", "-o", "-"]) == 0
    cap = capsys.readouterr()
    data = json.loads(cap.out)  # stdout holds the complex only; the summary went to stderr
    assert data["format"] == "relu-geom/complex@1" and "Euler characteristic  -1" in cap.err
    assert main(["canonical", "zoo:duplicate_neurons", "-o", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["format"] == "relu-geom/network@1"


def test_output_to_stdout_binary(capfdbinary):
    assert main(["plot", "zoo:abs_1d", "-o", "-"]) == 0
    assert capfdbinary.readouterr().out[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "argv",
    [
        ["compile", "zoo:abs_1d", "-o"],
        ["canonical", "zoo:abs_1d", "-o"],
        ["plot", "zoo:abs_1d", "-o"],
        ["demo", "-o"],
    ],
)
def test_output_folder_checked_before_the_work(argv, tmp_path, capsys, monkeypatch):
    def no_work(*args, **kwargs):
        raise AssertionError("the network was read before the output was checked")

    for module in ("compile", "canonical", "plot"):
        monkeypatch.setattr(f"relu_geom.commands.{module}.read_network", no_work)
    monkeypatch.setattr("relu_geom.io.load_network", no_work)  # demo reads its bundled file
    target = tmp_path / "missing-folder" / "out.png"
    assert main([*argv, str(target)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not exist" in err and "-o" in err
    assert main([*argv, str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert not (tmp_path / "missing-folder").exists()


def test_interrupt_prints_one_line(monkeypatch, capsys):
    import relu_geom.cli as cli

    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build_parser", interrupted)  # Ctrl-C while importing the commands
    assert main(["compile", "zoo:abs_1d"]) == 130
    assert capsys.readouterr().err == "relu-geom: interrupted\n"


def test_every_command_shares_the_common_options():
    from relu_geom.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for name, p in sub.choices.items():
        flags = {s for a in p._actions for s in a.option_strings}
        if name not in ("demo", "canonical", "plot"):
            assert "--json" in flags, name
        if "-o" in flags:
            assert "--output" in flags, name


def test_sigterm_is_an_interrupt_and_the_handler_is_restored(monkeypatch, capsys):
    import signal

    import relu_geom.commands.compile as compile_command

    def killed(args):
        signal.raise_signal(signal.SIGTERM)
        raise AssertionError("SIGTERM did not stop the command")

    before = signal.getsignal(signal.SIGTERM)
    monkeypatch.setattr(compile_command, "run", killed)
    assert main(["compile", "zoo:abs_1d"]) == 130
    assert capsys.readouterr().err == "relu-geom compile: interrupted\n"
    assert signal.getsignal(signal.SIGTERM) is before
