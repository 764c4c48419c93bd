"""Interactive views (Plotly): complexes in d = 1, 2, 3, the graph of f, breakpoints, graphs.

Every geometric fact is decided exactly first (the window, the clipped cells, their
corners, the values of f); floats appear only when exact coordinates are handed to
Plotly. Hovering on a cell shows its index, dimension, sign vector, affine map and an
exact interior point (as fractions and as decimals). :func:`write_html` writes one
self-contained page (Plotly's JavaScript inlined: it opens without network access).

Plotly is an optional dependency (``pip install 'relu-geom[interactive]'``); without it
these functions raise :class:`~relu_geom.errors.BackendUnavailableError`.

Conventions: regions are translucent fills (d = 2) or translucent polytopes (d = 3),
coloured by activation pattern or by affine piece; facets are drawn in the colour of the
neuron whose bent hyperplane they lie on (grey on the domain boundary); vertices are black
markers. Trace names say what a trace is (``region 3``, ``facet 7``, ``vertices``), and
each trace carries the index of its cell in ``meta``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from relu_geom._util import short_repr
from relu_geom.compiler import as_complex
from relu_geom.compiler.complex import Cell, PolyhedralComplex
from relu_geom.errors import BackendUnavailableError, InvalidInputError, UnsupportedInputError
from relu_geom.files import write_text_atomic
from relu_geom.geometry.polyhedron import Polyhedron
from relu_geom.plotting.window import Window, as_window, auto_window, clip_cell, cyclic_order

__all__ = [
    "cell_hover",
    "view_bent_hyperplane_graph",
    "view_breakpoints",
    "view_complex",
    "view_function_surface",
    "write_html",
]

Point = tuple[Fraction, ...]

REGION_FILLS = (
    "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#dbdb8d",
    "#9edae5", "#f7b6d2", "#c49c94", "#ffffb3", "#e5d8bd", "#ccebc5",
)  # fmt: skip
"""Light fills, disjoint from the line colours of :data:`NEURON_LINES`."""

NEURON_LINES = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd", "#e6550d",
    "#31a354", "#756bb1", "#636363", "#a50f15", "#08519c", "#006d2c", "#54278f", "#b15928",
)  # fmt: skip
"""Saturated line colours, one per neuron (pairwise distinct for up to 24 neurons)."""

BOUNDARY_LINE = "#555555"


def _plotly() -> Any:
    try:
        import plotly.graph_objects as go
    except ImportError as exc:
        raise BackendUnavailableError(
            "interactive views need plotly, which is not installed; "
            "install it with: pip install 'relu-geom[interactive]'"
        ) from exc
    return go


# ------------------------------------------------------------------ hover text
def _frac(v: Fraction) -> str:
    return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"


def _decimal(v: Fraction, digits: int = 6) -> str:
    return f"{float(v):.{digits}g}"


def _point_text(x: Sequence[Fraction]) -> str:
    exact = ", ".join(_frac(v) for v in x)
    approx = ", ".join(_decimal(v) for v in x)
    return f"({exact})" + ("" if exact == approx else f" ≈ ({approx})")


def _affine_text(A: Sequence[Sequence[Fraction]], c: Sequence[Fraction]) -> str:
    rows = []
    for k, (row, ck) in enumerate(zip(A, c)):
        terms = [f"{_frac(a)}·x{i + 1}" for i, a in enumerate(row) if a != 0]
        if ck != 0 or not terms:
            terms.append(_frac(ck))
        rows.append(f"f{k + 1}(x) = " + " + ".join(terms).replace("+ -", "− "))
    return "<br>".join(rows)


def cell_hover(cell: Cell) -> str:
    """The hover text of a cell: index, dimension, sign vector, affine map, exact interior point.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.plotting.interactive import cell_hover
    >>> cx = rg.compile_network(rg.zoo.abs_1d())
    >>> print(cell_hover(cx.regions[1]).replace("<br>", "; "))
    region 1 (dim 1); signs (+, −); f1(x) = 1·x1; interior point (1)
    """
    signs = ", ".join({1: "+", -1: "−", 0: "0"}[s] for s in cell.sign_vector)
    kind = "region" if cell.dim == len(cell.interior_point) else "cell"
    A, c = cell.affine_map
    return (
        f"{kind} {cell.index} (dim {cell.dim})<br>signs ({signs})<br>{_affine_text(A, c)}"
        f"<br>interior point {_point_text(cell.interior_point)}"
    )


# ---------------------------------------------------------------- colours
def _region_fills(cx: PolyhedralComplex, color_by: str) -> dict[int, str]:
    """Region index -> fill; regions of different classes sharing a facet never share a fill."""
    if color_by == "pattern":
        cls = {r.index: k for k, r in enumerate(cx.regions)}
    elif color_by == "affine":
        ids: dict[Any, int] = {}
        cls = {r.index: ids.setdefault(r.affine_map, len(ids)) for r in cx.regions}
    else:
        raise InvalidInputError(f"color_by: expected 'pattern' or 'affine', got {short_repr(color_by)}")
    nbrs: dict[int, set[int]] = {k: set() for k in cls.values()}
    for f in cx.cells_of_dim(cx.dim - 1) if cx.dim > 0 else ():
        cof = [c.index for c in f.cofaces]
        if len(cof) == 2 and cls[cof[0]] != cls[cof[1]]:
            nbrs[cls[cof[0]]].add(cls[cof[1]])
            nbrs[cls[cof[1]]].add(cls[cof[0]])
    colour: dict[int, int] = {}
    used = [0] * len(REGION_FILLS)
    for k in sorted(nbrs):
        taken = {colour[j] for j in nbrs[k] if j in colour}
        free = [c for c in range(len(REGION_FILLS)) if c not in taken] or list(range(len(REGION_FILLS)))
        colour[k] = min(free, key=lambda c: (used[c], c))
        used[colour[k]] += 1
    return {i: REGION_FILLS[colour[k]] for i, k in cls.items()}


def _neuron_line(cx: PolyhedralComplex, cell: Cell) -> tuple[str, str]:
    """(colour, label) of a lower-dimensional cell: the first neuron vanishing on it."""
    for g, s in enumerate(cell.sign_vector):
        if s == 0:
            layer, i = cx.network.neurons[g]
            return NEURON_LINES[g % len(NEURON_LINES)], f"layer {layer}, neuron {i}"
    return BOUNDARY_LINE, "domain boundary"


# ---------------------------------------------------------------- geometry
def _window(cx: PolyhedralComplex, window: Any) -> Window:
    """``window`` as a :class:`Window`; by default the one of the static pictures
    (:func:`~relu_geom.plotting.window.auto_window`: where the data-scale structure is)."""
    return auto_window(cx) if window is None else as_window(window, cx.dim)


def _clip(poly: Polyhedron, win: Window) -> Polyhedron | None:
    q = Polyhedron.from_hrep(list(poly.inequalities) + list(win.rows), poly.equalities, ambient_dim=win.dim)
    return None if q.is_empty else q


def _planar_order(points: Sequence[Point], normal: Sequence[Fraction | int]) -> tuple[Point, ...]:
    """Corners of a convex polygon in R^3 in cyclic order (projected along its normal)."""
    drop = max(range(3), key=lambda i: abs(Fraction(normal[i])))
    keep = [i for i in range(3) if i != drop]
    by_proj = {tuple(p[i] for i in keep): p for p in points}
    return tuple(by_proj[q] for q in cyclic_order(list(by_proj)))


def _polygon_normal(points: Sequence[Point]) -> tuple[Fraction, ...]:
    p0 = points[0]
    for a in points[1:]:
        for b in points[2:]:
            u = [a[i] - p0[i] for i in range(3)]
            v = [b[i] - p0[i] for i in range(3)]
            n = (u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0])
            if any(n):
                return n
    raise UnsupportedInputError("a polygon with fewer than three affinely independent corners")


def _faces_3d(q: Polyhedron) -> list[tuple[Point, ...]]:
    """The 2-dimensional faces of a 3-polytope, each as its corners in cyclic order."""
    verts = q.vertices
    faces = []
    for *a, b in q.inequalities:
        on = [v for v in verts if sum(ai * vi for ai, vi in zip(a, v)) == b]
        if len(on) >= 3:
            faces.append(_planar_order(on, a))
    return faces


def _fan(polygons: Sequence[Sequence[Point]]) -> tuple[list[Point], list[tuple[int, int, int]]]:
    """Vertices and fan triangles of convex polygons, for a Mesh3d."""
    index: dict[Point, int] = {}
    tris = []
    for poly in polygons:
        ids = [index.setdefault(p, len(index)) for p in poly]
        tris += [(ids[0], ids[k], ids[k + 1]) for k in range(1, len(ids) - 1)]
    return list(index), tris


def _xyz(points: Sequence[Sequence[Fraction]]) -> dict[str, list[float]]:
    cols = list(zip(*points))
    return {name: [float(v) for v in col] for name, col in zip("xyz", cols)}


# ---------------------------------------------------------------- the views
def view_complex(
    obj: Any, *, domain: Any = None, window: Any = None, color_by: str = "pattern", output: int = 0
) -> Any:
    """An interactive view of the canonical complex (d = 1, 2 or 3) as a Plotly figure.

    Parameters
    ----------
    obj
        A network (compiled over ``domain``) or a compiled complex.
    window
        What is shown: a :class:`~relu_geom.plotting.window.Window`, ``(lo, hi)`` or
        per-coordinate pairs; default :func:`~relu_geom.plotting.window.auto_window`, the
        window of the static pictures (around every vertex, or around the central 90% of
        the vertex coordinates when a few vertices lie far away). Independent of the domain.
    color_by
        ``"pattern"`` (every region its own class) or ``"affine"`` (regions with one
        affine map share a fill).
    output
        For d = 1, the output drawn as the graph of f.

    Returns
    -------
    plotly.graph_objects.Figure
        One trace per region drawn (name ``region i``), one per lower-dimensional cell
        drawn (``facet i``, ``edge i``) and one for the vertices; ``fig.show()`` in a
        notebook, :func:`write_html` for a page.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.plotting.interactive import view_complex
    >>> fig = view_complex(rg.zoo.central_lines(3))
    >>> sum(t.name.startswith("region") for t in fig.data)
    6
    """
    go = _plotly()
    cx = as_complex(obj, domain=domain, what="obj")
    win = _window(cx, window)
    fills = _region_fills(cx, color_by)
    fig = go.Figure()
    if cx.dim == 1:
        _view_1d(go, fig, cx, win, fills, output)
    elif cx.dim == 2:
        _view_2d(go, fig, cx, win, fills)
    elif cx.dim == 3:
        _view_3d(go, fig, cx, win, fills)
    else:
        raise UnsupportedInputError(
            f"view_complex draws complexes of input dimension 1, 2 or 3, got {cx.dim}; "
            "use relu_geom.plotting.slice_network for a plane section"
        )
    fig.update_layout(
        title=f"canonical complex of {list(cx.network.architecture)}, f-vector {list(cx.f_vector)}",
        showlegend=False,
        hoverlabel={"align": "left"},
        template="plotly_white",
    )
    return fig


def _view_1d(
    go: Any, fig: Any, cx: PolyhedralComplex, win: Window, fills: dict[int, str], output: int
) -> None:
    if not (isinstance(output, int) and 0 <= output < cx.network.output_dim):
        raise InvalidInputError(
            f"output: expected an output index in 0..{cx.network.output_dim - 1}, got {short_repr(output)}"
        )
    for r in cx.regions:
        piece = clip_cell(r, win)
        if piece is None:
            continue
        A, c = r.affine_map
        xs = [p[0] for p in piece.points]
        ys = [A[output][0] * x + c[output] for x in xs]
        fig.add_trace(go.Scatter(
            x=[float(v) for v in xs], y=[float(v) for v in ys], mode="lines", name=f"region {r.index}",
            line={"color": NEURON_LINES[r.index % len(NEURON_LINES)], "width": 4}, meta=r.index,
            hovertext=cell_hover(r), hoverinfo="text",
        ))  # fmt: skip
    _vertex_trace(go, fig, cx, win, lift=output)
    fig.update_xaxes(title="x1", range=[float(win.bounds[0][0]), float(win.bounds[0][1])])
    fig.update_yaxes(title=f"f{output + 1}(x)")


def _view_2d(go: Any, fig: Any, cx: PolyhedralComplex, win: Window, fills: dict[int, str]) -> None:
    for r in cx.regions:
        piece = clip_cell(r, win)
        if piece is None:
            continue
        pts = list(piece.points) + [piece.points[0]]
        fig.add_trace(go.Scatter(
            **_xyz(pts), mode="lines", fill="toself", fillcolor=fills[r.index], name=f"region {r.index}",
            line={"width": 0}, opacity=0.75, meta=r.index, hovertext=cell_hover(r), hoveron="fills",
            hoverinfo="text",
        ))  # fmt: skip
    for f in cx.cells_of_dim(1):
        piece = clip_cell(f, win)
        if piece is None:
            continue
        colour, label = _neuron_line(cx, f)
        fig.add_trace(go.Scatter(
            **_xyz(piece.points), mode="lines", name=f"facet {f.index}", meta=f.index,
            line={"color": colour, "width": 3}, hovertext=f"{label}<br>{cell_hover(f)}", hoverinfo="text",
        ))  # fmt: skip
    _vertex_trace(go, fig, cx, win)
    (x0, x1), (y0, y1) = win.to_float()
    fig.update_xaxes(title="x1", range=[x0, x1])
    fig.update_yaxes(title="x2", range=[y0, y1], scaleanchor="x", scaleratio=1)


def _view_3d(go: Any, fig: Any, cx: PolyhedralComplex, win: Window, fills: dict[int, str]) -> None:
    for r in cx.regions:
        q = _clip(r.polyhedron, win)
        if q is None or q.dim < 3:
            continue
        verts, tris = _fan(_faces_3d(q))
        i, j, k = (list(t) for t in zip(*tris))
        fig.add_trace(go.Mesh3d(
            **_xyz(verts), i=i, j=j, k=k, color=fills[r.index], opacity=0.25, name=f"region {r.index}",
            meta=r.index, hovertext=cell_hover(r), hoverinfo="text", flatshading=True,
        ))  # fmt: skip
    for f in cx.cells_of_dim(2):
        q = _clip(f.polyhedron, win)
        if q is None or q.dim < 2:
            continue
        corners = _planar_order(q.vertices, _polygon_normal(q.vertices))
        verts, tris = _fan([corners])
        i, j, k = (list(t) for t in zip(*tris))
        colour, label = _neuron_line(cx, f)
        fig.add_trace(go.Mesh3d(
            **_xyz(verts), i=i, j=j, k=k, color=colour, opacity=0.45, name=f"facet {f.index}", meta=f.index,
            hovertext=f"{label}<br>{cell_hover(f)}", hoverinfo="text", flatshading=True,
        ))  # fmt: skip
    _vertex_trace(go, fig, cx, win)
    ranges = [list(b) for b in win.to_float()]
    fig.update_layout(scene={
        "aspectmode": "cube",
        **{f"{a}axis": {"title": f"x{i + 1}", "range": r} for i, (a, r) in enumerate(zip("xyz", ranges))},
    })  # fmt: skip


def _vertex_trace(go: Any, fig: Any, cx: PolyhedralComplex, win: Window, lift: int | None = None) -> None:
    verts = [v for v in cx.cells_of_dim(0) if win.contains(v.interior_point)]
    if not verts:
        return
    pts = [v.interior_point for v in verts]
    if lift is not None:
        pts = [(p[0], _value(v, p, lift)) for v, p in zip(verts, pts)]
    scatter = go.Scatter3d if cx.dim == 3 else go.Scatter
    fig.add_trace(scatter(
        **_xyz(pts), mode="markers", name="vertices", marker={"color": "black", "size": 5 if cx.dim == 3 else 8},
        hovertext=[cell_hover(v) for v in verts], hoverinfo="text", meta=[v.index for v in verts],
    ))  # fmt: skip


def _value(cell: Cell, x: Sequence[Fraction], output: int) -> Fraction:
    A, c = cell.affine_map
    return sum((a * v for a, v in zip(A[output], x)), c[output])


def view_function_surface(obj: Any, *, domain: Any = None, window: Any = None, output: int = 0) -> Any:
    """The graph of one output of f over a 2-D window, one piece per region, creases drawn.

    Each region's exact clipped polygon is lifted to ``z = f(x)`` by its affine map; bent
    facets (where the affine map changes) are drawn as black creases. ``window`` as in
    :func:`view_complex`.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.plotting.interactive import view_function_surface
    >>> fig = view_function_surface(rg.zoo.central_lines(3), window=(-1, 1))
    >>> sum(t.name.startswith("region") for t in fig.data), sum(t.name.startswith("crease") for t in fig.data)
    (6, 6)
    """
    go = _plotly()
    cx = as_complex(obj, domain=domain, what="obj")
    if cx.dim != 2:
        raise UnsupportedInputError(f"view_function_surface needs input dimension 2, got {cx.dim}")
    if not (isinstance(output, int) and 0 <= output < cx.network.output_dim):
        raise InvalidInputError(
            f"output: expected an output index in 0..{cx.network.output_dim - 1}, got {short_repr(output)}"
        )
    win = _window(cx, window)
    fills = _region_fills(cx, "affine")
    fig = go.Figure()
    for r in cx.regions:
        piece = clip_cell(r, win)
        if piece is None:
            continue
        lifted = [(*p, _value(r, p, output)) for p in piece.points]
        verts, tris = _fan([lifted])
        i, j, k = (list(t) for t in zip(*tris))
        fig.add_trace(go.Mesh3d(
            **_xyz(verts), i=i, j=j, k=k, color=fills[r.index], opacity=0.9, name=f"region {r.index}",
            meta=r.index, hovertext=cell_hover(r), hoverinfo="text", flatshading=True,
        ))  # fmt: skip
    for f in cx.cells_of_dim(1):
        cof = f.cofaces
        if len(cof) != 2 or cof[0].affine_map == cof[1].affine_map:
            continue
        piece = clip_cell(f, win)
        if piece is None:
            continue
        pts = [(*p, _value(cof[0], p, output)) for p in piece.points]
        fig.add_trace(go.Scatter3d(
            **_xyz(pts), mode="lines", line={"color": "black", "width": 5}, name=f"crease {f.index}",
            meta=f.index, hovertext=cell_hover(f), hoverinfo="text",
        ))  # fmt: skip
    fig.update_layout(
        title=f"graph of f{output + 1} of {list(cx.network.architecture)}",
        showlegend=False,
        scene={"xaxis_title": "x1", "yaxis_title": "x2", "zaxis_title": f"f{output + 1}(x)"},
    )
    return fig


def view_breakpoints(obj: Any, *, domain: Any = None, window: Any = None) -> Any:
    """The breakpoint complex of f over a 2-D input (facets with their exact tropical weights).

    Each facet of the breakpoint complex is drawn in the colour of its candidate bent
    hyperplane; hovering shows the exact weight with its primitive normal, the supporting
    line and the candidate. ``window`` as in :func:`view_complex`.

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.plotting.interactive import view_breakpoints
    >>> fig = view_breakpoints(rg.zoo.central_lines(3), window=(-1, 1))
    >>> len(fig.data)
    6
    """
    go = _plotly()
    from relu_geom.analyses.breakpoints import breakpoint_complex, candidate_bent_hyperplanes

    cx = as_complex(obj, domain=domain, what="obj")
    if cx.dim != 2:
        raise UnsupportedInputError(f"view_breakpoints needs input dimension 2, got {cx.dim}")
    win = _window(cx, window)
    bc = breakpoint_complex(cx)
    cand = candidate_bent_hyperplanes(cx)
    colour_of = {}
    for k, c in enumerate(cand.candidates):
        for g in c.facets:
            colour_of[g] = (NEURON_LINES[k % len(NEURON_LINES)], f"candidate {k}")
    fig = go.Figure()
    for f in bc.facets:
        q = _clip(f.polyhedron, win)
        if q is None or q.dim < 1:
            continue
        colour, label = colour_of.get(f.index, (BOUNDARY_LINE, "no candidate"))
        weight = ", ".join(_frac(Fraction(w)) for w in f.weight)
        *a, b = f.hyperplane
        line = " + ".join(f"{ai}·x{i + 1}" for i, ai in enumerate(a) if ai) + f" = {b}"
        text = (
            f"breakpoint facet {f.index}<br>{label}<br>on {line}<br>"
            f"weight ({weight}) for the primitive normal e = {tuple(f.normal)}"
        )
        fig.add_trace(go.Scatter(
            **_xyz(sorted(q.vertices)), mode="lines", name=f"facet {f.index}", meta=f.index,
            line={"color": colour, "width": 4}, hovertext=text, hoverinfo="text",
        ))  # fmt: skip
    (x0, x1), (y0, y1) = win.to_float()
    fig.update_xaxes(title="x1", range=[x0, x1])
    fig.update_yaxes(title="x2", range=[y0, y1], scaleanchor="x", scaleratio=1)
    fig.update_layout(title="breakpoint complex", showlegend=False, template="plotly_white")
    return fig


def view_bent_hyperplane_graph(obj: Any, *, domain: Any = None) -> Any:
    """The bent-hyperplane graph, nodes placed by level (longest path from a source).

    Examples
    --------
    >>> import relu_geom as rg
    >>> from relu_geom.plotting.interactive import view_bent_hyperplane_graph
    >>> fig = view_bent_hyperplane_graph(rg.zoo.demo())
    >>> fig.data[-1].name
    'candidates'
    """
    go = _plotly()
    import networkx as nx

    from relu_geom.analyses.breakpoints import bent_hyperplane_graph

    g = bent_hyperplane_graph(as_complex(obj, domain=domain, what="obj"))
    level: dict[Any, int] = {}
    for v in nx.topological_sort(g):
        level[v] = max((level[u] + 1 for u in g.predecessors(v)), default=1)
    rows: dict[int, list[Any]] = {}
    for v in sorted(g.nodes, key=str):
        rows.setdefault(level[v], []).append(v)
    pos = {v: (i - (len(vs) - 1) / 2, -lv) for lv, vs in rows.items() for i, v in enumerate(vs)}
    fig = go.Figure()
    for u, v in g.edges:
        (xu, yu), (xv, yv) = pos[u], pos[v]
        fig.add_trace(go.Scatter(x=[xu, xv], y=[yu, yv], mode="lines", line={"color": "#999999"},
                                 name=f"edge {u}->{v}", hoverinfo="skip"))  # fmt: skip
    nodes = list(pos)
    fig.add_trace(go.Scatter(
        x=[pos[v][0] for v in nodes], y=[pos[v][1] for v in nodes], mode="markers+text", name="candidates",
        text=[str(v) for v in nodes], textposition="top center",
        marker={"size": 14, "color": [NEURON_LINES[k % len(NEURON_LINES)] for k in range(len(nodes))]},
        hovertext=[f"candidate {v}, level {level[v]}" for v in nodes], hoverinfo="text",
    ))  # fmt: skip
    fig.update_layout(title="bent-hyperplane graph (level = longest path from a source)", showlegend=False,
                      template="plotly_white", xaxis={"visible": False}, yaxis={"visible": False})  # fmt: skip
    return fig


# ---------------------------------------------------------------- pages
_STATUS_SCRIPT = """
<script>
(function () {
  var errors = [];
  window.addEventListener("error", function (e) { errors.push(String(e.message)); });
  window.addEventListener("load", function () {
    var gd = document.getElementsByClassName("plotly-graph-div")[0];
    var status = document.createElement("div");
    status.id = "relu-geom-status";
    status.style.display = "none";
    var report = function () {
      var traces = gd ? gd.querySelectorAll("g.trace, g.trace3d").length : 0;
      var gl = gd ? gd.querySelectorAll("canvas").length : 0;
      status.textContent = JSON.stringify({errors: errors, traces: gd ? gd.data.length : 0,
                                           drawn: traces, canvases: gl});
      document.body.appendChild(status);
    };
    if (gd && gd._fullLayout) { report(); } else { setTimeout(report, 500); }
  });
})();
</script>
"""


def write_html(fig: Any, path: str | os.PathLike[str], *, title: str = "relu_geom") -> None:
    """Write ``fig`` as one self-contained HTML page (Plotly's JavaScript inlined), atomically.

    The page needs no network access. It also records, in a hidden element
    ``#relu-geom-status``, the JavaScript errors raised while loading and how many
    traces were drawn (the browser test reads it).
    """
    _plotly()
    html = fig.to_html(full_html=True, include_plotlyjs=True, config={"displaylogo": False})
    html = html.replace("<head>", f'<head><meta charset="utf-8"><title>{title}</title>', 1)
    html = html.replace("</body>", _STATUS_SCRIPT + "</body>", 1)
    write_text_atomic(os.fspath(path), html)
