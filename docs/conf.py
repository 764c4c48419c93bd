"""Sphinx configuration of the relu_geom documentation site (``bash docs/build.sh``).

Pages are Markdown (MyST); the API reference comes from the numpydoc docstrings, the CLI
reference from the argparse parser, the notebooks are rendered with their stored outputs
(never re-executed here: the test suite executes them). Warnings are errors in CI.
"""

from __future__ import annotations

import pathlib
import shutil
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # document this checkout, not another installed copy

import relu_geom  # noqa: E402

project = "relu_geom"
author = "relu_geom developers"
copyright = "relu_geom developers, GPL-3.0-or-later"
release = relu_geom.__version__

extensions = [
    "myst_nb",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinxarg.ext",
]
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "gallery/*.md"]
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3
nb_execution_mode = "off"
autosummary_generate = True
autodoc_default_options = {"members": False}
numpydoc_show_class_members = False
numpydoc_validation_checks: set[str] = set()
html_theme = "alabaster"
html_static_path: list[str] = []
html_title = f"relu_geom {release}"
suppress_warnings = ["myst.xref_missing", "mystnb.unknown_mime_type"]


def _copy_notebooks() -> None:
    """The notebooks live in notebooks/ at the root; the site renders copies of them."""
    target = ROOT / "docs" / "notebooks"
    target.mkdir(exist_ok=True)
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        shutil.copyfile(nb, target / nb.name)


def _api_page() -> None:
    """docs/api.md: every public name of ``relu_geom``, grouped by the module that defines it."""
    groups: dict[str, list[str]] = {}
    for name in sorted(relu_geom.__all__):
        obj = getattr(relu_geom, name)
        module = getattr(obj, "__module__", None) or ""
        if not module.startswith("relu_geom") or isinstance(obj, type(relu_geom)):
            continue
        groups.setdefault(module, []).append(name)
    lines = [
        "# API reference",
        "",
        "Every public name of `relu_geom` (`import relu_geom as rg`), grouped by the module",
        "that defines it; generated from the docstrings.",
        "",
    ]
    for module in sorted(groups):
        lines += [f"## `{module}`", "", "```{eval-rst}", ".. autosummary::", "   :toctree: api/generated", "   :nosignatures:", ""]
        lines += [f"   relu_geom.{name}" for name in groups[module]]
        lines += ["```", ""]
    (ROOT / "docs" / "api.md").write_text("\n".join(lines))


# generated before Sphinx reads the sources (autosummary needs docs/api.md when it starts)
_copy_notebooks()
_api_page()

