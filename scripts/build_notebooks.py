"""Write and execute the teaching notebooks in notebooks/ (``python scripts/build_notebooks.py``).

Each notebook is a list of (kind, source) cells below; this script writes the
``.ipynb`` files, executes them top to bottom with nbclient and stores the
outputs, so they read well on a code host.  ``tests/test_notebooks.py``
re-executes every notebook and checks that the computed numbers are the same.
Pass notebook names (e.g. ``01_arrangements``) to build only those.
"""

from __future__ import annotations

import pathlib
import sys

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def md(text: str) -> tuple[str, str]:
    return ("markdown", text.strip("\n"))


def code(text: str) -> tuple[str, str]:
    return ("code", text.strip("\n"))


ARRANGEMENTS = [
    md("""
# 1. Hyperplane arrangements and one-hidden-layer networks

A ReLU network with one hidden layer computes `f(x) = W_2 relu(W_1 x + b_1) + b_2`. Its
hidden neuron `i` switches on the hyperplane `H_i = {x : (W_1 x + b_1)_i = 0}`. Points
with the same **sign vector** (the signs -, 0, + of all pre-activations) form one
relatively open convex cell, and these cells are exactly the faces of the
**hyperplane arrangement** `H_1, ..., H_n`: the canonical polyhedral complex.

`relu_geom` computes it exactly: every coordinate below is a rational number, and no
decision is taken in floating point.
"""),
    code("""
import relu_geom as rg

net = rg.ReLUNetwork(
    weights=[[[1, 0], [0, 1], [1, 1], [1, -2], [3, 1]], [[1, -1, 1, 1, -1]]],
    biases=[[0, -1, -3, 1, 2], [0]],
)
cx = rg.compile_network(net)
cx
"""),
    md("""
The **f-vector** `(f_0, f_1, f_2)` counts vertices, edges and regions. For `n` hyperplanes
in general position in `R^d` (no two parallel, no three through a point in the plane),
Buck's formula gives the number of `k`-dimensional faces:
`f_k = sum_{i=0}^{k} C(d-i, k-i) C(n, d-i)`; the bounded regions number `C(n-1, d)`.
"""),
    code("""
n, d = 5, 2
print("computed f-vector:", cx.f_vector)
print("Buck's formula:   ", rg.general_position_f_vector(n, d))
print("bounded regions:  ", cx.n_bounded_regions, "formula:", rg.general_position_bounded_regions(n, d))
print("Euler characteristic:", cx.euler_characteristic, "= (-1)^d")
"""),
    code("""
rg.plotting.plot_complex(cx, title="five lines in general position")
"""),
    md("""
Each cell knows its sign vector, its exact H-representation (`a . x <= b` rows of integers),
its V-representation (vertices, rays, lineality) and a point in its relative interior.
On a region the network is affine: `f(x) = A x + c`.
"""),
    code("""
region = cx.bounded_regions[0]
print("sign vector:      ", region.sign_vector)
print("inequalities:     ", region.polyhedron.inequalities)
print("vertices:         ", [tuple(str(v) for v in p) for p in region.vertices])
print("interior point:   ", [str(v) for v in region.interior_point])
A, c = region.affine_map
print("affine map:        f(x) =", [str(v) for v in A[0]], ". x +", str(c[0]))
"""),
    md("""
The **dual graph** joins two regions when they share a facet. Crossing a facet changes the
sign of exactly one neuron (in general position), so adjacent sign vectors differ in one place.
"""),
    code("""
g = cx.dual_graph()
flips = {sum(a != b for a, b in zip(cx.cells[u].sign_vector, cx.cells[v].sign_vector)) for u, v in g.edges}
print(g.number_of_nodes(), "regions,", g.number_of_edges(), "adjacencies; signs flipped per edge:", flips)
"""),
    md("""
A **central** arrangement has all hyperplanes through one point: `n` lines through the
origin cut the plane into `2n` regions around a single vertex; no region is bounded.
"""),
    code("""
central = rg.compile_network(rg.zoo.central_lines(4))
print(central.f_vector, "bounded regions:", central.n_bounded_regions)
rg.plotting.plot_complex(central, title="four lines through the origin")
"""),
]

DEEP = [
    md("""
# 2. Deep networks: bent hyperplanes

With two or more hidden layers, a neuron of layer 2 is an affine function only on each
region of layer 1. Its zero set is a **bent hyperplane**: a piecewise-linear hypersurface
that bends where earlier neurons switch. The canonical complex is still a polyhedral
complex, and `relu_geom` computes it exactly, cell by cell.
"""),
    code("""
import relu_geom as rg

net = rg.zoo.demo()   # architecture [2, 4, 3, 1], small rational weights
print(net.architecture)
cx = rg.compile_network(net)
print("f-vector over R^2:", cx.f_vector, " Euler characteristic:", cx.euler_characteristic)
rg.plotting.plot_complex(cx, title="[2, 4, 3, 1]: straight lines of layer 1, bent lines of layer 2")
"""),
    md("""
Many cells are **unbounded**: their V-representation has rays. The picture shows them
in a window that provably contains every vertex, with arrows where they go on.
Over a box the faces of the box bound cells too, and the Euler characteristic becomes 1.
"""),
    code("""
unbounded = [r for r in cx.regions if not r.is_bounded]
print(len(unbounded), "of", cx.n_regions, "regions are unbounded; e.g. rays", unbounded[0].rays)
box = rg.compile_network(net, domain=(-1, 1))
print("over [-1, 1]^2: f-vector", box.f_vector, " Euler characteristic", box.euler_characteristic)
print("region areas add up to", sum(r.polyhedron.volume() for r in box.regions), "= area of the box")
rg.plotting.plot_complex(box, color_by="affine", title="over [-1, 1]^2, coloured by affine piece")
"""),
    md("""
A deeper neuron can **vanish on a whole region**: `relu(x)` feeding a second layer is zero
on the half-line `x < 0`, so the sign vector of that region has a 0 in it.
"""),
    code("""
deep0 = rg.compile_network(rg.zoo.vanishing_deep_neuron())
for cell in deep0.cells:
    print(cell.dim, cell.sign_vector, [str(v) for v in cell.interior_point])
"""),
    md("""
## A degenerate network, exactly

Three neurons `x - 1/10`, `y - 2/10` and `x + y - 3/10` meet in one point. Written as the
strings `"1/10"`, ... they are exact and the three lines are concurrent: 6 regions around one
vertex. Written as the floats `0.1, 0.2, 0.3`, relu_geom reads the binary values those floats
really denote; since `0.1 + 0.2 != 0.3` in binary, the lines then bound a tiny triangle, whose
area relu_geom computes exactly. A floating-point tool with a tolerance cannot tell these two
situations apart; here both answers are exact and each is right for its input.
"""),
    code("""
lines = [[1, 0], [0, 1], [1, 1]]
exact = rg.compile_network(rg.ReLUNetwork([lines, [[1, 1, 1]]], [["-1/10", "-2/10", "-3/10"], [0]]))
floats = rg.compile_network(rg.ReLUNetwork([lines, [[1, 1, 1]]], [[-0.1, -0.2, -0.3], [0]]))
print("exact strings:", exact.f_vector)
print("binary floats:", floats.f_vector)
tiny = floats.bounded_regions[0].polyhedron
print("area of the tiny triangle:", tiny.volume(), "~", float(tiny.volume()))
"""),
]


def build(name: str, cells: list[tuple[str, str]]) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell(src) if kind == "markdown" else nbformat.v4.new_code_cell(src)
        for kind, src in cells
    ]
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    ).execute()
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{name[:2]}-{i:02d}"
    path = NOTEBOOKS / f"{name}.ipynb"
    nbformat.write(nb, str(path))
    print("wrote", path.relative_to(ROOT))


ALL = {
    "01_arrangements": ARRANGEMENTS,
    "02_deep_networks": DEEP,
}


def main(names: list[str]) -> None:
    NOTEBOOKS.mkdir(exist_ok=True)
    for name, cells in ALL.items():
        if not names or name in names:
            build(name, cells)


if __name__ == "__main__":
    main(sys.argv[1:])
