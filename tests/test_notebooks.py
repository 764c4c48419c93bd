"""Every notebook runs top to bottom and reproduces the numbers stored in it."""

from __future__ import annotations

import pathlib

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((pathlib.Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def _texts(nb) -> list[list[str]]:
    """The text a reader sees from each code cell: its printed text (however the kernel cut it
    into stream chunks) and its plain-text results."""
    out = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        printed, results = [], []
        for o in cell.get("outputs", []):
            if o.output_type == "stream" and o.name == "stdout":
                printed.append(o.text)
            elif o.output_type in ("execute_result", "display_data") and "text/plain" in o.data:
                results.append(o.data["text/plain"])
            elif o.output_type == "error":
                results.append(f"{o.ename}: {o.evalue}")
        out.append(["".join(printed), *results])
    return out


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_and_reproduces_its_numbers(path):
    stored = nbformat.read(str(path), as_version=4)
    assert all(o.output_type != "error" for c in stored.cells if c.cell_type == "code" for o in c.outputs)
    fresh = nbformat.read(str(path), as_version=4)
    for cell in fresh.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    nbclient.NotebookClient(
        fresh, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    assert _texts(fresh) == _texts(stored)
    # the notebooks use only the public API: no function or class is defined in them
    for cell in fresh.cells:
        if cell.cell_type == "code":
            src = "\n" + cell.source
            assert "\nclass " not in src and "\ndef " not in src
            imports = [line for line in cell.source.splitlines() if line.startswith(("import ", "from "))]
            assert set(imports) <= {"import relu_geom as rg"}
