"""Pictures of complexes and functions (matplotlib, imported only when a picture is drawn).

Importing this package does not import matplotlib; each public name is loaded
from its submodule on first access:

- :mod:`relu_geom.plotting.window`: exact windows and exact clipping (no floats);
- :mod:`relu_geom.plotting.complex`: :func:`plot_complex` (d = 1, 2) and
  :func:`plot_function_surface` (the graph of f over a 2-D domain);
- :mod:`relu_geom.plotting.slices`: :func:`plot_slice` and :func:`slice_network`
  (a plane through a complex of any input dimension, compiled exactly);
- :mod:`relu_geom.plotting.interactive`: Plotly views (d = 1, 2, 3, surfaces, breakpoints,
  graphs) and self-contained HTML pages;
- :mod:`relu_geom.plotting.breakpoints` (when present): breakpoint complexes and
  bent-hyperplane graphs.

Examples
--------
>>> import relu_geom as rg
>>> pic = rg.plotting.plot_complex(rg.compile_network(rg.zoo.central_lines(3)))
>>> len(pic.region_artists)
6
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

_EXPORTS = {
    "ClippedCell": "window",
    "Window": "window",
    "as_window": "window",
    "clip_cell": "window",
    "clip_complex": "window",
    "default_window": "window",
    "data_window": "window",
    "auto_window": "window",
    "ComplexPlot": "complex",
    "neuron_colors": "complex",
    "plot_complex": "complex",
    "plot_function_surface": "complex",
    "save_figure": "complex",
    "figure_format": "complex",
    "plot_slice": "slices",
    "slice_network": "slices",
    "slice_domain": "slices",
    "coordinate_plane": "slices",
    "view_complex": "interactive",
    "view_function_surface": "interactive",
    "view_breakpoints": "interactive",
    "view_bent_hyperplane_graph": "interactive",
    "write_html": "interactive",
}

_SUBMODULES = ("window", "complex", "slices", "breakpoints", "interactive")

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module = importlib.import_module(f"relu_geom.plotting.{_EXPORTS[name]}")
        return getattr(module, name)
    if name in _SUBMODULES:
        return importlib.import_module(f"relu_geom.plotting.{name}")
    # names of optional submodules (e.g. breakpoints) are looked up there
    if not name.startswith("_") and importlib.util.find_spec("relu_geom.plotting.breakpoints") is not None:
        module = importlib.import_module("relu_geom.plotting.breakpoints")
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError(f"module 'relu_geom.plotting' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(__all__) | set(_SUBMODULES))
