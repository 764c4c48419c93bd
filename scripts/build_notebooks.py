"""Write and execute the teaching notebooks in notebooks/ (``python scripts/build_notebooks.py``).

Each notebook is a list of (kind, source) cells below; this script writes the
``.ipynb`` files, executes them top to bottom with nbclient and stores the
outputs, so they read well on a code host.  ``tests/test_notebooks.py``
re-executes every notebook and checks that the computed numbers are the same.
Pass notebook names (e.g. ``01_arrangements``) to build only those.
"""

from __future__ import annotations

import base64
import pathlib
import sys

import nbformat
from nbclient import NotebookClient

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
GALLERY = ROOT / "docs" / "gallery"
PLOTLY = "application/vnd.plotly.v1+json"
STILLS = {"06_polytopes_3d": "view_complex_3d.png"}
"""A notebook's Plotly output also carries this screenshot of the same view (from
scripts/make_screenshots.py) as image/png: Jupyter shows the live figure, viewers that do
not run Plotly (the documentation site, code hosts) show the still."""


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

FUNCTION_SIDE = [
    md("""
# 3. The function side: breakpoints, tropical weights, bent hyperplanes

The canonical complex depends on the parameters. The objects in this notebook depend only
on the **function** `f`: the **breakpoint locus** (where `f` really bends), the tropical
**weight** of each bend, and the **candidate bent hyperplanes** with the order in which
they bend along each other.

Our running example is `f(x, y) = relu(relu(x) + relu(y) - 1)`: two first-layer neurons
(the axes) and one second-layer neuron whose zero set bends where the axes switch.
"""),
    code("""
import relu_geom as rg

net = rg.zoo.bent_2d()
cx = rg.compile_network(net)
bc = rg.breakpoint_complex(cx)
print("canonical complex:", cx.f_vector)
print(bc.summary())
for facet in bc.facets:
    print("hyperplane", facet.hyperplane, " weight", [str(w) for w in facet.weight],
          " vertices", [tuple(str(v) for v in p) for p in facet.vertices], " rays", facet.rays)
"""),
    md("""
A facet of the complex is **bent** when the affine maps on its two sides differ. Here the
axes bend only where the second-layer neuron is active (`x > 1` or `y > 1`); the four
other half-axes carry no bend. The left panel shows the breakpoint complex with its
weights and candidates, the right panel the bent-hyperplane graph.
"""),
    code("""
rg.plotting.plot_breakpoints(cx)
"""),
    md("""
**The breakpoint complex depends only on the function.** Permuting and rescaling neurons
changes nothing; a pair of neurons on one hyperplane whose output weights cancel adds
cells to the canonical complex but no breakpoint.
"""),
    code("""
same = net.permute_layer(1, [1, 0]).rescale_neuron(1, 0, "7/2").rescale_neuron(2, 0, 5)
cancel = rg.ReLUNetwork(
    [[[1, 0], [0, 1], [1, -1], [1, -1]], [[1, 1, 1, -1]], [[1]]],
    [[0, 0, 0, 0], [-1], [0]],
)
for name, other in [("permuted and rescaled", same), ("with a cancelling pair", cancel)]:
    ocx = rg.compile_network(other)
    print(f"{name:<24} complex {ocx.f_vector}  same breakpoints: "
          f"{rg.breakpoint_complex(ocx).signature() == bc.signature()}")
"""),
    md("""
## Tropical weights and balancing

For a facet `sigma` between regions `P` and `Q`, the tropical weight is
`c_f(sigma) = (A_P - A_Q) e_{P/sigma}` with `e_{P/sigma}` the primitive integer normal of
`sigma` pointing into `P`. It does not depend on which side is called `P`, vanishes on
non-bent facets and is positive on convex bends. Going once around a ridge (here: a
vertex), the jumps of the gradient sum to zero: the **balancing condition**, which every
continuous piecewise-linear function satisfies. `check_balancing` verifies it at every
ridge, exactly; it returns the ridges that fail.
"""),
    code("""
weights = rg.facet_weights(cx)
for cell_index, w in weights.items():
    cell = cx.cells[cell_index]
    print("facet through", [str(v) for v in cell.interior_point], " weight", [str(v) for v in w])
print("failing ridges:", rg.check_balancing(cx))
corner = cx.locate([1, 0])          # the vertex where the bent line turns
print("balancing sum at (1, 0):", rg.balancing_sum(cx, corner.index))
"""),
    md("""
## Maximal linear regions

Gluing regions across non-bent facets gives the maximal pieces on which `f` is affine; they
need not be convex. Here the big region where `f = 0` is an L-shaped union of four cells.
"""),
    code("""
for lr in bc.linear_regions:
    A, c = lr.affine_map
    print(len(lr.cells), "cells  f(x) =", [str(v) for v in A[0]], ". x +", str(c[0]))
"""),
    md("""
## Candidate bent hyperplanes and the depth bound

Local rules at every ridge group the bent facets into **candidate bent hyperplanes**:
facets that continue straight through a ridge belong to one candidate, and the candidate
that changes direction there bends along the straight one. The **bent-hyperplane graph**
has an edge `u -> v` when `v` bends along `u`; a longest path bounds from below the number
of hidden layers of any network computing `f`.
"""),
    code("""
graph = rg.bent_hyperplane_graph(cx)
for node, data in graph.nodes(data=True):
    print("candidate", node, "hyperplanes", data["hyperplanes"], " bends:", not data["is_flat"])
print("edges:", list(graph.edges))
bound = rg.depth_lower_bound(graph)
print("every network computing f has at least", bound.bound, "hidden layers; witness path", bound.path)
"""),
    md("""
A one-hidden-layer network in general position has no bends along anything: its candidates
are its hyperplanes (those with nonzero output weight) and the graph has no edges.
"""),
    code("""
shallow = rg.ReLUNetwork([[[1, 0], [0, 1], [1, 1]], [[1, -2, 0]]], [[0, 1, -1], [0]])
g1 = rg.bent_hyperplane_graph(rg.compile_network(shallow))
print(g1.number_of_nodes(), "candidates (the third neuron has output weight 0),", g1.number_of_edges(), "edges,",
      "depth bound", rg.depth_lower_bound(g1).bound)
"""),
]

SYMMETRIES = [
    md("""
# 4. Symmetries and fibers

Different parameters can compute the same function. The **fiber** of `theta` is the set of
all parameters `eta` with `f_eta = f_theta`. Two symmetries act on every network:
**positive rescaling** of a hidden neuron (multiply its incoming weights and bias by
`c > 0`, divide its outgoing weights by `c`) and **permutation** of the neurons of a layer.
Everything else in a fiber is a **hidden symmetry**.
"""),
    code("""
import relu_geom as rg

net = rg.ReLUNetwork([[[1, 0], [0, 1], [1, 1], [1, -1]], [[1, -1, 2, 1]]], [[0, 1, -1, 0], [0]])
moved = net.permute_layer(1, [3, 2, 1, 0]).rescale_neuron(1, 2, 5).rescale_neuron(1, 0, "1/3")
result = rg.functionally_equivalent(net, moved)
print(result.equivalent, "by", result.method, "-", result.evidence.description)
"""),
    md("""
**Functional equivalence** is decided exactly for any two networks. When they differ the
answer carries a **witness**: an exact point where the outputs differ.
"""),
    code("""
perturbed = rg.ReLUNetwork([[[1, 0], [0, 1], [1, 1], [1, -1]], [[1, -1, 2, "1001/1000"]]], [[0, 1, -1, 0], [0]])
result = rg.functionally_equivalent(net, perturbed)
x = result.witness
print(result.equivalent, "witness", [str(v) for v in x], ":", str(net(x)[0]), "!=", str(perturbed(x)[0]))
"""),
    md("""
## The canonical form of a shallow network

For one hidden layer the function determines a **canonical minimal form** (paper 002):
neurons on one hyperplane are merged, cancelling pairs become the affine part, dead and
invisible neurons disappear, orientations and order are normalized. Below, the same
function is written with eight neurons: a neuron split in two halves, a cancelling pair
`relu(x - y) - relu(x - y)` added to the neuron on `x = y`, and a dead neuron. The canonical forms agree.
"""),
    code("""
redundant = rg.ReLUNetwork(
    [[[1, 0], [2, 0], [0, 1], [1, 1], [1, -1], [1, -1], [1, -1], [0, 0]], [["1/2", "1/4", -1, 2, 1, 1, -1, 3]]],
    [[0, 0, 1, -1, 0, 0, 0, -1], [0]],
)
print("equivalent:", rg.functionally_equivalent(net, redundant).equivalent)
print("canonical forms equal:", rg.canonical_form(redundant) == rg.canonical_form(net))
print("minimal width:", rg.minimal_width(redundant), " canonical form idempotent:",
      rg.canonical_form(rg.canonical_form(net)) == rg.canonical_form(net))
"""),
    md("""
## A hidden symmetry: an orientation flip

Since `relu(z) - relu(-z) = z`, flipping a neuron (`z -> -z`) changes the function by an
affine term. In `relu(x) + relu(y) - relu(x + y)` the weighted normals of the three
neurons sum to zero, `(1, 0) + (0, 1) - (1, 1) = 0`, so flipping all three at once keeps
the function, although no permutation or rescaling relates the two parameter vectors.
"""),
    code("""
flip = rg.ReLUNetwork([[[1, 0], [0, 1], [1, 1]], [[1, 1, -1]]], [[0, 0, 0], [0]])
for sym in rg.hidden_symmetries(flip):
    print(sym.kind, "-", sym.description)
    print("  new first layer:", [[str(v) for v in row] for row in sym.network.weights[0]])
    print("  checked equivalent:", sym.check.equivalent)
"""),
    md("""
The two parameter points draw the same picture: the same three lines, the same regions, the
same colours (regions are coloured by affine piece, and the function is the same), but
every sign vector is negated, since each neuron now points the other way. The complex, and
so the function, does not see which side of a line a neuron calls positive; the parameters do.
"""),
    code("""
import matplotlib.pyplot as plt

partner = rg.hidden_symmetries(flip)[0].network
regions = rg.compile_network(flip).regions
print("every sign vector negated:",
      all(partner.sign_vector(r.interior_point) == tuple(-s for s in r.sign_vector) for r in regions))
fig, axes = plt.subplots(1, 2, figsize=(12, 4.8), layout="constrained")
for ax, (name, member) in zip(axes, [("relu(x) + relu(y) - relu(x + y)", flip),
                                     ("relu(-x) + relu(-y) - relu(-x - y)", partner)]):
    rg.plotting.plot_complex(member, ax, window=(-2, 2), color_by="affine", legend=False, title=name)
plt.show()
"""),
    md("""
## The fiber of a shallow network

`shallow_fiber` describes the whole fiber among networks of a given width as a union of
semi-algebraic pieces, indexed by orientation choices and the roles of the neurons, each
with its equations, inequalities, dimension, an exact membership test and exact sample
points. Every sample computes the same function.
"""),
    code("""
fiber = rg.shallow_fiber(flip)
for piece in fiber.pieces:
    sample = piece.sample()
    print("flipped", piece.flips, "roles", piece.roles, "dimension", piece.dimension,
          "| sample in piece:", piece.contains(sample),
          "| same function:", rg.functionally_equivalent(flip, sample).equivalent)
"""),
    md("""
## Two hidden layers

For bottleneck networks `[d, n1, n2, m]` a polynomial-time test decides equivalence from
the layer structure, falling back to the general test when its genericity hypotheses fail;
both always agree.
"""),
    code("""
deep = rg.ReLUNetwork.random([3, 4, 2, 1], seed=5)
copy = deep.permute_layer(1, [1, 3, 0, 2]).permute_layer(2, [1, 0]).rescale_neuron(2, 0, "2/3")
fast = rg.bottleneck_equivalent(deep, copy)
print(fast.equivalent, "by", fast.method, "; general test agrees:", rg.functionally_equivalent(deep, copy).equivalent)
"""),
    md("""
## References

- **[002]** Pranavkrishnan Ramakrishnan, *A Complete Symmetry Classification of Shallow ReLU Networks*, 2026, arXiv:2604.14037.

(The bibliography of the documentation site lists every paper the engine implements.)
"""),
]

IDENTIFIABILITY = [
    md("""
# 5. Functional dimension and identifiability

How many of a network's parameters does its function really determine? The **functional
dimension** at `theta` is the rank of the Jacobian of `eta -> (f_eta(x))_{x in X}`,
maximised over finite samples `X`. Positive rescaling of each hidden neuron never changes
`f`, so it is at most `D - H` (parameters minus hidden neurons); for widths at least 2,
paper 000 proves `D - H` is attained. On each region the Jacobian rows are affine in `x`,
so `relu_geom` computes the functional dimension exactly from the compiled complex, with a
finite sample that attains it.
"""),
    code("""
import relu_geom as rg

net = rg.ReLUNetwork.random([2, 3, 3, 1], seed=0)
fd = rg.functional_dimension(net)
print("D =", net.n_parameters, " H =", net.n_hidden, " D - H =", rg.max_functional_dimension(net.architecture))
print("functional dimension:", fd.rank, " reaches D - H:", fd.reaches_upper_bound)
print("attained by", len(fd.sample), "exact sample points; rechecked:",
      rg.batch_functional_dimension(net, fd.sample).rank)
"""),
    md("""
## Networks that fall short, and why

A **dead neuron** (never active) contributes nothing: its two incoming weights, its bias and
its output weight all have zero derivative. It also stops counting against the bound (its
rescaling no longer removes a dimension), so the deficit is `4 - 1 = 3`: from `D - H = 10`
down to 7 for the architecture [2, 3, 1] below. The report names the neuron.
"""),
    code("""
dead = rg.ReLUNetwork([[[1, 0], [0, 1], [0, 0]], [[1, 1, 1]]], [[0, 0, -1], [0]])
report = rg.functional_dimension(dead)
print("rank", report.rank, "of", report.upper_bound, "| dead neurons:", report.dead_neurons,
      "| parameters with zero derivative:", report.zero_parameters)
"""),
    md("""
A subtler shortfall: in the next network a second-layer neuron is **active everywhere**, so
`relu` acts on it as the identity. Raising its bias by `t` and lowering the output bias by
`t` times its output weight then leaves `f` unchanged: one more direction of parameter space
is invisible to the function, and the functional dimension drops by one.
"""),
    code("""
short = rg.ReLUNetwork.random([2, 3, 3, 1], seed=8)
report = rg.functional_dimension(short)
print("rank", report.rank, "of", report.upper_bound, "| linear neurons:", report.linear_neurons)
"""),
    md("""
## Local identifiability from a finite sample (paper 003)

Given a finite sample `X`, is `theta` determined near itself, up to rescaling, by the
values `f_theta(X)`? Paper 003 gives two exact rank conditions: a necessary one, `C_N`, and
a sufficient one, `C_S`, built from the Jacobian of a restricted parameterization (one
outgoing weight fixed per neuron, rank `R_Gamma`) and the activation operator
(`R_A`). The sample that attains the functional dimension identifies the network; four of
its points, or the points on one side of a first-layer hyperplane, do not.
"""),
    code("""
full = rg.local_identifiability(net, fd.sample)
print(len(fd.sample), "points:", full.verdict, "| R_Gamma =", full.r_gamma, " R_A =", full.r_a)
few = rg.local_identifiability(net, fd.sample[:4])
print(" 4 points:", few.verdict, "| R_Gamma =", few.r_gamma)
one_side = [x for x in fd.sample if net.sign_vector(x)[0] > 0]
print(len(one_side), "points on one side of the first hyperplane:", rg.local_identifiability(net, one_side).verdict)
"""),
    md("""
Where do the points lie? Left: the whole sample, which meets 11 of the 17 regions (crosses);
the regions it meets keep their colour, the others are grey. Right: the points on one side of
the first hyperplane see too few regions to pin the parameters down.
"""),
    code("""
import matplotlib.pyplot as plt

fig, axes = plt.subplots(1, 2, figsize=(13, 5), layout="constrained")
for ax, points in zip(axes, [fd.sample, one_side]):
    verdict = rg.local_identifiability(net, points).verdict
    pic = rg.plotting.plot_complex(net, ax, window=[(0, "5/2"), ("-3/2", 1)], label_regions=False,
                                   legend=ax is axes[1], title=f"{len(points)} points: {verdict}")
    met = {pic.complex.locate(x).index for x in points}
    for index, patch in pic.region_artists.items():
        if index not in met:
            patch.set_facecolor("0.93")
    ax.scatter([float(x[0]) for x in points], [float(x[1]) for x in points], marker="x", s=30, c="black", zorder=7)
    print(len(points), "points in", len(met), "of", pic.complex.n_regions, "regions:", verdict)
plt.show()
"""),
    md("""
## Genericity and visibility

The papers' results hold for **generic** parameters: supertransversality (every
codimension-`k` cell lies in exactly `k` bent hyperplanes) and maximal rank of all masked
products `W_l D_{S_{l-1}} ... D_{S_1} W_1`. `genericity_report` checks both exactly and
returns a witness when one fails. **Visibility** asks which first-layer hyperplanes leave a
trace in `f`; for two hidden layers, Theorem 2 of paper 001 certifies visibility by a point
on the hyperplane where some second-layer neuron is positive.
"""),
    code("""
report = rg.genericity_report(net)
print("supertransversal:", report.supertransversality.holds)
print("masked products of maximal rank:", report.masked_products.holds, "| witness:", report.masked_products.witness)
for v in rg.first_layer_visibility(net):
    point, neuron = v.certificate
    print("first-layer neuron", v.neuron, v.status, "| certificate: x =", [str(c) for c in point],
          "with second-layer neuron", neuron, "positive")
"""),
    md("""
## References

- **[000]** Moritz Grillo, Guido Montúfar, *Most ReLU Networks Admit Identifiable Parameters*, 2026, arXiv:2605.03601.
- **[001]** Johanna Marie Gegenfurtner, Moritz Grillo, Guido Montúfar, *The Symmetries of Three-Layer ReLU Networks*, 2026, arXiv:2605.18319.
- **[003]** Joachim Bona-Pellissier, François Malgouyres, François Bachoc, *Local Identifiability of Deep ReLU Neural Networks: the Theory*, NeurIPS 2022, arXiv:2206.07424.

(The bibliography of the documentation site lists every paper the engine implements.)
"""),
]

POLYTOPES = [
    md("""
# 6. Polytopes in R^3

A network on `R^3` cuts space into convex **polytopes** (bounded regions) and unbounded
polyhedra. `relu_geom` computes every cell exactly: its vertices are rational points, and
its faces of every dimension (vertices, edges, polygons, the region itself) are cells of
the complex. Our example has four first-layer neurons: the three coordinate planes and the
plane `x + y + z = 1`. Four planes in general position in `R^3` bound one tetrahedron.
"""),
    code("""
import relu_geom as rg

net = rg.ReLUNetwork(
    weights=[[[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1]], [[1, 1, 1, -1]]],
    biases=[[0, 0, 0, -1], [0]],
)
cx = rg.compile_network(net)
print("f-vector (f_0, f_1, f_2, f_3):", cx.f_vector)
print("Buck's formula:               ", rg.general_position_f_vector(4, 3))
print("bounded regions:", cx.n_bounded_regions, " formula C(n-1, d):", rg.general_position_bounded_regions(4, 3))
print("Euler characteristic f_0 - f_1 + f_2 - f_3 =", cx.euler_characteristic, "= (-1)^3")
"""),
    md("""
## The tetrahedron, exactly

The bounded region is the simplex `{x, y, z >= 0, x + y + z <= 1}`. Its closure is made of
cells of the complex: 4 vertices, 6 edges, 4 triangles and the solid itself, and the Euler
characteristic of a closed convex polytope is 1. In general position a cell of dimension
`k` lies on exactly `3 - k` of the planes: the zeros of its sign vector.
"""),
    code("""
tetra = cx.bounded_regions[0]
print("sign vector:", tetra.sign_vector, " volume:", tetra.polyhedron.volume())
print("vertices:", [tuple(str(v) for v in p) for p in tetra.vertices])
faces = [cx.cells[i] for i in tetra.closure_indices()]
counts = [sum(c.dim == k for c in faces) for k in range(4)]
print("faces of the closure by dimension:", counts, " Euler characteristic:", counts[0] - counts[1] + counts[2] - counts[3])
for tri in (c for c in faces if c.dim == 2):
    print("  triangle on plane", [g for g, s in enumerate(tri.sign_vector) if s == 0],
          "with vertices", [tuple(str(v) for v in p) for p in tri.vertices])
print("every cell of dimension k lies on 3 - k planes:",
      all(sum(s == 0 for s in c.sign_vector) == 3 - c.dim for c in cx.cells))
"""),
    md("""
## Over a box

Restricted to the cube `[-1, 2]^3` every cell is bounded, the faces of the cube bound cells
too, and the Euler characteristic of the (closed, contractible) cube is 1. The volumes of
the regions add up to the volume of the cube, 27.
"""),
    code("""
cube = rg.compile_network(net, domain=(-1, 2))
print("over [-1, 2]^3: f-vector", cube.f_vector, " Euler characteristic", cube.euler_characteristic)
print("volumes add up to", sum(r.polyhedron.volume() for r in cube.regions))
"""),
    md("""
## A deeper network: bent planes

With a second hidden layer, the zero sets of the layer-2 neurons are **bent planes**:
piecewise-linear surfaces that fold where first-layer neurons switch. The complex is still
a polyhedral complex of `R^3` with Euler characteristic `-1`.
"""),
    code("""
deep = rg.ReLUNetwork.random([3, 4, 3, 1], seed=3)
deep_cx = rg.compile_network(deep)
print(deep.architecture, "f-vector", deep_cx.f_vector, " Euler characteristic", deep_cx.euler_characteristic)
print("bounded regions:", deep_cx.n_bounded_regions, " largest number of vertices of one:",
      max(len(r.vertices) for r in deep_cx.bounded_regions))
"""),
    md("""
## A plane section

`plot_slice` cuts the complex by a plane, here `z = 1/4`, exactly: the network composed with
the plane's parameterization is a network on `R^2` whose complex is the section, with the
same sign vectors. The tetrahedron is cut in a triangle.
"""),
    code("""
pic = rg.plotting.plot_slice(net, fix={2: "1/4"})
section = pic.complex
print("section f-vector:", section.f_vector, " bounded:", [r.sign_vector for r in section.bounded_regions])
print("every sign vector of the section is one of the 3-D complex:",
      {c.sign_vector for c in section.cells} <= {c.sign_vector for c in cx.cells})
pic
"""),
    md("""
## The interactive view

`view_complex` draws the regions as translucent polytopes that you can rotate; hovering on a
region shows its sign vector, its affine map and an exact interior point. (Run the notebook
to rotate the view; where Plotly does not run, the stored output shows a still of it, a
screenshot taken in headless Chromium. `rg.plotting.write_html(fig, "tetra.html")` writes a
page that opens without network access.)
"""),
    code("""
fig = rg.plotting.view_complex(cx)
print(sum(t.name.startswith("region") for t in fig.data), "region traces")
fig
"""),
]

EXACT_VS_FLOAT = [
    md("""
# 7. Exact versus floating point

Floating-point numbers are rounded after every operation. For geometry this means that
a sign, an incidence or a count can come out wrong, and that no tolerance fixes it for
every input. Below, each computation is done twice, side by side: with numpy `float64` (the
float side) and with `relu_geom` (exact rationals). Every claim is checked by an `assert`.
"""),
    code("""
import numpy as np

import relu_geom as rg
"""),
    md("""
## A decimal, read exactly

The float `0.1` is not one tenth: it is the nearest binary number, `3602879701896397 / 2^55`.
`relu_geom` reads a float as exactly that number, and the string `"0.1"` as exactly `1/10`.
In floats `0.1 + 0.2 != 0.3`; exactly, the sum of the binary values is neither the binary
`0.3` nor what numpy returns for the sum, because the float sum was rounded once more.
"""),
    code("""
binary = rg.arith.to_rational(0.1)
tenth = rg.arith.to_rational("0.1")
print("float 0.1 is exactly", binary, "; the string '0.1' is", tenth, "; difference", binary - tenth)
assert binary == 3602879701896397 / rg.arith.to_rational(2**55) and binary != tenth
assert tenth.numerator == 1 and tenth.denominator == 10

float_sum = np.float64(0.1) + np.float64(0.2)
exact_sum = rg.arith.to_rational(0.1) + rg.arith.to_rational(0.2)
print("numpy: 0.1 + 0.2 =", repr(float_sum), "  == 0.3:", float_sum == np.float64(0.3))
print("exact sum of the binary values:", exact_sum)
assert float_sum != np.float64(0.3)
assert exact_sum != rg.arith.to_rational(0.3) and exact_sum != rg.arith.to_rational(float_sum)
assert rg.arith.to_rational("0.1") + rg.arith.to_rational("0.2") == rg.arith.to_rational("0.3")
"""),
    md("""
## Three lines through a point, and three that miss it by 10^-15

The lines `3x + 9y = -6`, `-7x + 5y = 6` and their sum `-4x + 14y = 0` meet in one point,
`(-14/13, -4/13)`. Move the third line by `2^-50` (about `8.9 * 10^-16`) and they bound a
tiny triangle. The float test "solve the first two, put the point into the third" gets
**both** cases wrong: a nonzero residual for the concurrent lines, exactly zero for the
ones that miss. The residuals are swapped, so no tolerance can tell the two cases apart.
"""),
    code("""
lines = np.array([[3.0, 9.0], [-7.0, 5.0], [-4.0, 14.0]])   # the third row is the sum of the first two
rhs = np.array([-6.0, 6.0, 0.0])
shift = 2.0**-50
point = np.linalg.solve(lines[:2], rhs[:2])
residual_concurrent = lines[2] @ point - rhs[2]
residual_moved = lines[2] @ point - (rhs[2] - shift)
print("numpy point:", point)
print("residual, concurrent lines:", residual_concurrent, "  residual, moved line:", residual_moved)
assert residual_concurrent != 0   # floats: the concurrent lines miss each other (wrong)
assert residual_moved == 0        # floats: the moved line goes through the point (wrong)
"""),
    md("""
The exact side compiles both arrangements as one-hidden-layer networks (neuron `a . x - c`).
Concurrent: one vertex and 6 regions. Moved: 3 vertices and 7 regions, one of them a
triangle whose area is `delta^2 / 156` for a shift `delta` (the closed formula
`D^2 / (2 |C_1 C_2 C_3|)` with `D = 78 delta` and the three `2 x 2` minors `C_i = +-78`).
"""),
    code("""
concurrent = rg.compile_network(rg.ReLUNetwork([lines.tolist(), [[1, 1, 1]]], [(-rhs).tolist(), [0]]))
moved = rg.compile_network(rg.ReLUNetwork([lines.tolist(), [[1, 1, 1]]], [(-rhs + [0, 0, shift]).tolist(), [0]]))
print("exact, concurrent:", concurrent.f_vector, " vertex", [str(v) for v in concurrent.vertices[0].interior_point])
print("exact, moved:     ", moved.f_vector)
area = moved.bounded_regions[0].polyhedron.volume()
print("area of the triangle:", area, "~", float(area))
assert concurrent.f_vector == (1, 6, 6) and moved.f_vector == (3, 9, 7)
assert [str(v) for v in concurrent.vertices[0].interior_point] == ["-14/13", "-4/13"]
assert area == rg.arith.to_rational(shift) ** 2 / 156
"""),
    md("""
## A ReLU switched the wrong way

A gadget with a huge weight `w = 10^13`: two first-layer neurons `relu(w x + 0.1)` and
`relu(w x)`, and a second-layer neuron `relu(h_1 - h_2 - 0.0999)`. For `x = 1` the
difference `h_1 - h_2` is exactly `0.1`, so the second-layer neuron is active (`0.1 > 0.0999`).
In floats, `10^13 + 0.1` is rounded to a multiple of `2^-9`: the difference comes out as
`0.099609375`, the pre-activation is negative, and the ReLU switches off. The output is
`0` in floats and `10^-4` (in the binary values of the weights: `1.0000000000000286 * 10^-4`)
exactly.
"""),
    code("""
w = 1e13
W1, b1 = np.array([[w], [w]]), np.array([0.1, 0.0])
W2, b2 = np.array([[1.0, -1.0]]), np.array([-0.0999])
W3, b3 = np.array([[1.0]]), np.array([0.0])
x = np.array([1.0])
h1 = np.maximum(W1 @ x + b1, 0.0)
z2 = W2 @ h1 + b2
y_float = W3 @ np.maximum(z2, 0.0) + b3
print("numpy: h1 - h2 =", h1[0] - h1[1], " pre-activation", z2[0], " output", y_float[0])

gadget = rg.ReLUNetwork([W1.tolist(), W2.tolist(), W3.tolist()], [b1.tolist(), b2.tolist(), b3.tolist()])
(y_exact,) = gadget([1])
print("exact: signs", gadget.sign_vector([1]), " output", y_exact, "~", float(y_exact))
assert h1[0] - h1[1] == 0.099609375 and z2[0] < 0 and y_float[0] == 0.0
assert gadget.sign_vector([1]) == (1, 1, 1)
assert y_exact == rg.arith.to_rational(0.1) - rg.arith.to_rational(0.0999) > 0
"""),
    md("""
The exact complex of the gadget shows where its second-layer neuron really switches on: at
`x = -(0.1 - 0.0999) / w`, a little to the left of 0; `x = 1` lies deep inside the region where
it is on. Written as decimal strings the weights are exactly the decimals, and the output at
`x = 1` is exactly `1/10000`.
"""),
    code("""
gcx = rg.compile_network(gadget)
breaks = [v.interior_point[0] for v in gcx.vertices]
print("breakpoints:", [str(b) for b in breaks])
assert -(rg.arith.to_rational(0.1) - rg.arith.to_rational(0.0999)) / rg.arith.to_rational(w) in breaks
assert gcx.locate([1]).sign_vector == (1, 1, 1)
decimal = rg.ReLUNetwork([[["1e13"], ["1e13"]], [[1, -1]], [[1]]], [["0.1", 0], ["-0.0999"], [0]])
print("with decimal strings:", decimal([1])[0])
assert decimal([1])[0] == rg.arith.to_rational("1/10000")
"""),
    md("""
## In short

| | float64 (numpy) | exact (relu_geom) |
| --- | --- | --- |
| `0.1 + 0.2 == 0.3` | False (two roundings) | False for the binary values, True for the decimals `"0.1"`, ... |
| concurrent lines | not concurrent | one vertex, 6 regions |
| lines missing by `2^-50` | concurrent | a triangle of area `2^-100 / 156` |
| the ReLU gadget at `x = 1` | neuron off, output 0 | neuron on, output `~10^-4` |

`relu_geom` uses floats only at the edges (reading a float weight as its binary value, and
drawing pictures); every sign it decides is proved in rational arithmetic.
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
        cell.metadata.pop("execution", None)  # timestamps: a rebuild changes only what a reader sees
        for out in cell.get("outputs", []):
            if name in STILLS and PLOTLY in out.get("data", {}):
                out["data"]["image/png"] = base64.b64encode((GALLERY / STILLS[name]).read_bytes()).decode()
    path = NOTEBOOKS / f"{name}.ipynb"
    nbformat.write(nb, str(path))
    print("wrote", path.relative_to(ROOT))


ALL = {
    "01_arrangements": ARRANGEMENTS,
    "02_deep_networks": DEEP,
    "03_function_side": FUNCTION_SIDE,
    "04_symmetries_and_fibers": SYMMETRIES,
    "05_identifiability": IDENTIFIABILITY,
    "06_polytopes_3d": POLYTOPES,
    "07_exact_vs_float": EXACT_VS_FLOAT,
}


def main(names: list[str]) -> None:
    NOTEBOOKS.mkdir(exist_ok=True)
    for name, cells in ALL.items():
        if not names or name in names:
            build(name, cells)


if __name__ == "__main__":
    main(sys.argv[1:])
