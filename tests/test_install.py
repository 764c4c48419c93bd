"""install.sh and the packaging a new user meets first: base dependencies, the PEP 668 path,
the message without root. install.sh runs with INSTALL_DRY_RUN=1 (it prints its plan and
changes nothing); .ci/run performs the real installs."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import sysconfig
import tomllib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "install.sh"
SYSTEM_PYTHON = pathlib.Path("/usr/bin/python3")


def _dry_run(tmp_path, *args, python=sys.executable, path_dirs=(), env=None):
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    path = [*map(str, path_dirs), str(pathlib.Path(sys.executable).parent), "/usr/bin", "/bin"]
    full_env = {"PATH": os.pathsep.join(path), "HOME": str(home), "INSTALL_DRY_RUN": "1", "PYTHON": str(python)}
    full_env.update(env or {})
    res = subprocess.run(
        ["bash", str(SCRIPT), *args], env=full_env, capture_output=True, text=True, timeout=60
    )
    return res


def test_matplotlib_is_a_base_dependency():
    # `relu-geom demo` draws a picture: a plain `pip install relu-geom` must be able to
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {d.split(">")[0].split("=")[0].split("<")[0].strip() for d in deps}
    assert {"matplotlib", "pycddlib", "python-flint", "tqdm"} <= names


def test_script_syntax():
    assert subprocess.run(["bash", "-n", str(SCRIPT)], capture_output=True).returncode == 0


def test_active_python_when_pip_is_allowed(tmp_path):
    managed = sys.prefix == sys.base_prefix and os.path.exists(
        os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")
    )
    if managed:
        pytest.skip("the test interpreter itself is externally managed")
    res = _dry_run(tmp_path, "test")
    assert res.returncode == 0, res.stderr
    assert "target: active Python" in res.stderr
    assert f"would run: {sys.executable} -m pip install" in res.stderr and "-e .[test]" in res.stderr
    assert ".venv" not in res.stderr


@pytest.mark.skipif(
    not (SYSTEM_PYTHON.exists() and list(pathlib.Path("/usr/lib").glob("python3*/EXTERNALLY-MANAGED"))),
    reason="needs an externally managed system Python (Debian 12)",
)
def test_externally_managed_python_gets_a_project_venv(tmp_path):
    local_bin = tmp_path / "home" / ".local" / "bin"
    res = _dry_run(tmp_path, python=SYSTEM_PYTHON, path_dirs=[local_bin])
    assert res.returncode == 0, res.stderr
    assert "externally managed (PEP 668)" in res.stderr
    if not (ROOT / ".venv" / "bin" / "python").exists():
        assert f"would run: {SYSTEM_PYTHON} -m venv .venv" in res.stderr
    assert "would run: .venv/bin/python -m pip install" in res.stderr
    # relu-geom is linked into a folder on PATH, so `bash install.sh && relu-geom demo` works as written
    assert f"ln -sf {ROOT}/.venv/bin/relu-geom {local_bin}/relu-geom" in res.stderr
    assert ". .venv/bin/activate" in res.stderr
    assert not local_bin.exists()  # a dry run changes nothing


def test_without_root_or_sudo_the_two_packages_are_named(tmp_path):
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    for name, body in (("dpkg", "exit 1"), ("id", "echo 1000"), ("sudo", "exit 1")):
        stub = stubs / name
        stub.write_text(f"#!/bin/sh\n{body}\n")
        stub.chmod(0o755)
    res = _dry_run(tmp_path, path_dirs=[stubs])
    assert "missing: libcdd-dev libgmp-dev" in res.stderr
    assert "apt-get install libcdd-dev libgmp-dev" in res.stderr
    assert "would run: apt-get" not in res.stderr  # nothing it cannot do


def test_old_python_is_refused(tmp_path):
    fake = tmp_path / "python3"
    fake.write_text("#!/bin/sh\nexit 1\n")  # answers 'version < 3.11' to the version probe
    fake.chmod(0o755)
    res = _dry_run(tmp_path, python=fake)
    assert res.returncode == 2 and "needs Python >= 3.11" in res.stderr


def test_ci_runs_the_readme_commands_as_written():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    for command in ("bash install.sh && relu-geom demo", "bash install.sh test && python3 -m pytest"):
        assert command in readme and command in ci, command
    assert "-m venv" in ci and "relu-geom --version" in ci.replace('"$venv/bin/relu-geom"', "relu-geom")

