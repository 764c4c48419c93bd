"""Write the README's gallery: ``python scripts/make_gallery.py`` regenerates ``docs/gallery/*.png``.

Every picture is computed exactly by relu_geom (complexes, windows, clipping)
and converted to floats only to be drawn.  The networks are the zoo's
specimens and seeded random networks, so the pictures are reproducible.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import relu_geom as rg  # noqa: E402
from relu_geom import plotting  # noqa: E402

GALLERY = Path(__file__).resolve().parent.parent / "docs" / "gallery"


def demo_plane() -> plotting.ComplexPlot:
    """The demo network over all of R^2: an unbounded complex in a window that holds every vertex."""
    return plotting.plot_complex(
        rg.compile_network(rg.zoo.demo()),
        title="[2, 4, 3, 1] over $\\mathbb{R}^2$: bent hyperplanes coloured by neuron",
    )


def demo_box_affine() -> plotting.ComplexPlot:
    """The demo network over [-1, 1]^2, regions coloured by affine piece and labelled by sign vector."""
    return plotting.plot_complex(
        rg.compile_network(rg.zoo.demo(), domain=(-1, 1)),
        color_by="affine",
        title="over $[-1, 1]^2$: one colour per affine piece, sign vectors written in",
    )


def demo_surface() -> plotting.ComplexPlot:
    """The graph of the demo network over [-1, 1]^2 with its creases, the complex on the floor."""
    return plotting.plot_function_surface(
        rg.compile_network(rg.zoo.demo(), domain=(-1, 1)),
        title="graph of f over $[-1, 1]^2$: creases in black, the complex below",
        azim=-125,
        elev=24,
    )


def hat_1d() -> plotting.ComplexPlot:
    """The hat function in dimension 1: regions of the line, breakpoints, the graph of f."""
    return plotting.plot_complex(
        rg.compile_network(rg.zoo.hat_1d()),
        title="relu(x) - 2 relu(x - 1) + relu(x - 2): breakpoints and the graph of f",
    )


def deep_random() -> plotting.ComplexPlot:
    """A seeded random [2, 6, 5, 1] network over [-3, 3]^2: second-layer hyperplanes bend at first-layer ones."""
    net = rg.ReLUNetwork.random([2, 6, 5, 1], seed=2)
    return plotting.plot_complex(
        rg.compile_network(net, domain=(-3, 3)),
        title="random [2, 6, 5, 1] over $[-3, 3]^2$: layer-2 hyperplanes (thinner) bend",
    )


def slice_3d() -> plotting.ComplexPlot:
    """A seeded random [3, 5, 4, 1] network over [-2, 2]^3, cut by the plane x3 = 1/2 (exactly)."""
    net = rg.ReLUNetwork.random([3, 5, 4, 1], seed=7)
    return plotting.plot_slice(
        net,
        fix={2: "1/2"},
        domain=(-2, 2),
        title="random [3, 5, 4, 1] over $[-2, 2]^3$, section $x_3 = 1/2$",
    )


PICTURES: dict[str, Callable[[], plotting.ComplexPlot]] = {
    "complex_plane.png": demo_plane,
    "complex_box_affine.png": demo_box_affine,
    "surface.png": demo_surface,
    "line_1d.png": hat_1d,
    "deep_random.png": deep_random,
    "slice_3d.png": slice_3d,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(GALLERY), help=f"folder to write into (default {GALLERY})")
    parser.add_argument("names", nargs="*", help="only these pictures (default: all)")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    names = args.names or list(PICTURES)
    unknown = [n for n in names if n not in PICTURES]
    if unknown:
        print(f"make_gallery: unknown picture(s) {unknown}; known: {list(PICTURES)}", file=sys.stderr)
        return 2
    for name in names:
        start = time.perf_counter()
        pic = PICTURES[name]()
        path = os.path.join(args.out, name)
        pic.savefig(path, dpi=130)
        print(f"{path}  ({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
