"""Screenshots of the interactive views for the documentation: ``python scripts/make_screenshots.py``.

Each view is written as a self-contained page (:func:`relu_geom.plotting.write_html`)
and photographed by headless Chromium into ``docs/gallery/view_*.png``.  The
networks are the zoo's specimens and fixed small networks, so the pictures are
reproducible.  Pass names (e.g. ``complex_3d``) to take only those; ``--list``
lists them.  Needs plotly and a ``chromium`` (or ``chromium-browser``) on the PATH.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import relu_geom as rg
from relu_geom import plotting

GALLERY = Path(__file__).resolve().parent.parent / "docs" / "gallery"
WINDOW_SIZE = (900, 700)

TETRA = rg.ReLUNetwork(
    weights=[[[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], [[1, 1, 1, -1]]],
    biases=[[0, 0, 0, -1], [0]],
)
"""The network of notebook 06: three coordinate planes and x + y + z = 1 (one tetrahedron)."""


def complex_2d() -> Any:
    """The demo network [2, 4, 3, 1] over R^2; hover shows sign vectors and affine maps."""
    return plotting.view_complex(rg.zoo.demo())


def complex_3d() -> Any:
    """Four planes in R^3: 15 regions as translucent polyhedra around one tetrahedron."""
    return plotting.view_complex(TETRA)


def deep_3d() -> Any:
    """A [3, 4, 3, 1] network over the cube [-1, 1]^3: bent planes of the second layer."""
    return plotting.view_complex(rg.ReLUNetwork.random([3, 4, 3, 1], seed=3), domain=(-1, 1))


def surface() -> Any:
    """The graph of the demo network over [-1, 1]^2, creases drawn."""
    return plotting.view_function_surface(rg.zoo.demo(), domain=(-1, 1))


def breakpoints() -> Any:
    """The breakpoint complex of relu(relu(x) + relu(y) - 1) with its exact weights."""
    return plotting.view_breakpoints(rg.zoo.bent_2d())


def graph() -> Any:
    """The bent-hyperplane graph of the demo network."""
    return plotting.view_bent_hyperplane_graph(rg.zoo.demo())


VIEWS: dict[str, Callable[[], Any]] = {
    "complex_2d": complex_2d,
    "complex_3d": complex_3d,
    "deep_3d": deep_3d,
    "surface": surface,
    "breakpoints": breakpoints,
    "graph": graph,
}


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise SystemExit("make_screenshots: no chromium on the PATH (apt-get install chromium)")


def screenshot(page: Path, out: Path) -> None:
    """Photograph ``page`` into ``out`` (written to a temporary file, then renamed over ``out``)."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".png", dir=out.parent)
    os.close(fd)
    try:
        subprocess.run(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader",
             "--use-angle=swiftshader", "--virtual-time-budget=8000", "--hide-scrollbars",
             f"--window-size={WINDOW_SIZE[0]},{WINDOW_SIZE[1]}", f"--screenshot={tmp}", page.as_uri()],
            check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        if os.path.getsize(tmp) < 10_000:  # a blank page compresses to a few kB
            raise SystemExit(f"make_screenshots: {out.name} looks blank; did the page render?")
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="views to take (default: all)")
    parser.add_argument("--list", action="store_true", help="list the views and exit")
    args = parser.parse_args(argv)
    if args.list:
        for name, make in VIEWS.items():
            print(f"{name:12} {make.__doc__}")
        return 0
    unknown = [n for n in args.names if n not in VIEWS]
    if unknown:
        parser.error(f"unknown views {unknown}; choose from {sorted(VIEWS)}")
    GALLERY.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        for name in args.names or list(VIEWS):
            page = Path(work) / f"{name}.html"
            plotting.write_html(VIEWS[name](), page, title=name)
            out = GALLERY / f"view_{name}.png"
            screenshot(page, out)
            print("wrote", out.relative_to(GALLERY.parent.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
