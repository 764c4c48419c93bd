"""Tests of relu_geom.__main__ and the start-up guard (relu_geom._startup): Ctrl-C while the command line starts up.

The child process runs with ``-X importtime``, which prints a line on stderr as each module
finishes importing; the interrupt is sent a chosen delay after the start-up guard
(``relu_geom._startup``) has been imported, so every delay lands at a known stage (inside
``import relu_geom``, in the parser's set-up, or in the command) whatever the machine's speed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import relu_geom as rg
from relu_geom.cli import is_command_line

ROOT = Path(__file__).resolve().parents[1]
CONSOLE_SCRIPT = "import sys; sys.argv[0] = 'relu-geom'; from relu_geom.cli import main; sys.exit(main())"
DELAYS = (0.0, 0.01, 0.05, 0.2, 0.5, 1.0)


def _interrupt_after_guard(cmd: list[str], delay: float) -> tuple[int, list[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-X", "importtime", *cmd], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    lines = []
    assert proc.stderr is not None
    for raw in proc.stderr:
        lines.append(raw.decode())
        if lines[-1].rstrip().endswith("relu_geom._startup"):
            break
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=120)
    lines.extend(rest.decode().splitlines(keepends=True))
    return proc.returncode, [ln for ln in lines if not ln.startswith("import time:")]


@pytest.mark.parametrize(
    "cmd",
    [["-m", "relu_geom", "--version"], ["-c", CONSOLE_SCRIPT, "--version"]],
    ids=["python -m relu_geom", "console script"],
)
def test_ctrl_c_while_starting_prints_one_line_and_exits_130(cmd):
    interrupted = 0
    for delay in DELAYS:
        code, stderr = _interrupt_after_guard(cmd, delay)
        assert not any("Traceback" in ln or "KeyboardInterrupt" in ln for ln in stderr), (delay, stderr)
        if code in (0, -signal.SIGINT):  # the command had already finished, or was exiting
            assert stderr == []  # (a signal during interpreter shutdown ends it silently)
            continue
        assert code == 130, (delay, code, stderr)
        assert stderr == ["relu-geom: interrupted\n"], (delay, stderr)
        interrupted += 1
    assert interrupted >= 3  # the short delays always land inside the start-up


def test_interrupt_during_a_command_still_exits_130(tmp_path):
    # past start-up, Ctrl-C is a KeyboardInterrupt again: cli.main prints the command's name
    script = (
        "import sys, time; sys.argv[0] = 'relu-geom'\n"
        "from relu_geom import cli\n"
        "import relu_geom.commands.compile as c\n"
        "def slow(args):\n"
        "    print('running', flush=True); time.sleep(60)\n"
        "c.run = slow\n"
        "sys.exit(cli.main(['compile', 'zoo:abs_1d']))\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline() == b"running\n"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and err.decode() == "relu-geom compile: interrupted\n"


def test_library_imports_keep_pythons_handler():
    out = subprocess.run(
        [sys.executable, "-c", "import signal, relu_geom; print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
    )
    assert out.stdout == "True\n"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # this pytest process too


@pytest.mark.parametrize(
    ("argv0", "orig", "expected"),
    [
        ("/usr/local/bin/relu-geom", ["python3", "/usr/local/bin/relu-geom"], True),
        ("-m", ["python3", "-m", "relu_geom", "compile"], True),
        ("-m", ["python3", "-X", "importtime", "-mrelu_geom"], True),
        ("-m", ["python3", "-m", "relu_geom_other"], False),
        ("-c", ["python3", "-c", "import relu_geom"], False),
        ("/x/pytest", ["python3", "-m", "pytest", "relu_geom"], False),
    ],
)
def test_command_line_detection(monkeypatch, argv0, orig, expected):
    monkeypatch.setattr(sys, "argv", [argv0])
    monkeypatch.setattr(sys, "orig_argv", orig)
    assert is_command_line() is expected


def test_python_dash_m_runs_the_cli():
    out = subprocess.run([sys.executable, "-m", "relu_geom", "--version"], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0 and out.stdout == f"relu-geom {rg.__version__}\n"
