"""Every notebook runs top to bottom and reproduces the numbers stored in it."""

from __future__ import annotations

import json
import pathlib

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

PLOTLY = "application/vnd.plotly.v1+json"
# numpy: the float side of notebook 07; pyplot: figures with several panels
ALLOWED_IMPORTS = {"import relu_geom as rg", "import numpy as np", "import matplotlib.pyplot as plt"}

NOTEBOOKS = sorted((pathlib.Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def _texts(nb) -> list[list[str]]:
    """What a reader sees from each code cell: printed text, plain-text results, Plotly figures.

    Consecutive chunks of printed text are joined: the kernel may split one print in two.
    """
    out = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        texts: list[str] = []
        printing = False
        for o in cell.get("outputs", []):
            is_print = o.output_type == "stream" and o.name == "stdout"
            if is_print and printing:
                texts[-1] += o.text
            elif is_print:
                texts.append(o.text)
            elif o.output_type in ("execute_result", "display_data") and "text/plain" in o.data:
                texts.append(o.data["text/plain"])
            elif o.output_type == "display_data" and PLOTLY in o.data:
                texts.append(json.dumps(o.data[PLOTLY], sort_keys=True))
            elif o.output_type == "error":
                texts.append(f"{o.ename}: {o.evalue}")
            printing = is_print
        out.append(texts)
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
            assert set(imports) <= ALLOWED_IMPORTS


def test_the_three_dimensional_notebook_shows_an_interactive_view():
    nb = nbformat.read(str(NOTEBOOKS[0].parent / "06_polytopes_3d.ipynb"), as_version=4)
    figures = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if PLOTLY in o.get("data", {})]
    assert len(figures) == 1
    traces = figures[0].data[PLOTLY]["data"]
    regions = [t for t in traces if t.get("name", "").startswith("region")]
    assert len(regions) == 15 and all(t["type"] == "mesh3d" for t in regions)  # one polytope per region (f_3 = 15)
    assert figures[0].data["image/png"]  # a still for viewers that do not run Plotly (the site)


def test_the_float_notebook_checks_its_claims_and_uses_numpy_only_for_floats():
    nb = nbformat.read(str(NOTEBOOKS[0].parent / "07_exact_vs_float.ipynb"), as_version=4)
    cells = [c.source for c in nb.cells if c.cell_type == "code"]
    computing = [s for s in cells if "np." in s or "rg." in s]
    assert sum("assert " in s for s in computing) >= 5
    assert all("assert " in s for s in computing if "print(" in s)
