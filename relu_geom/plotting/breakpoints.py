"""Pictures of breakpoint complexes (d = 2) and of bent-hyperplane graphs.

Everything geometric is exact until the last step: facets are clipped to the
window with exact polyhedra and weights are printed as exact rationals; only
the coordinates handed to matplotlib are floats.  matplotlib is imported when
a picture is drawn.

Conventions of the pictures
---------------------------
* Maximal linear regions of ``f`` are filled in pale colours (one colour per
  linear region, regions glued across non-bent facets share it); non-bent
  facets of the canonical complex are thin dotted grey lines.
* Each facet of the breakpoint complex is a thick segment in the colour of its
  candidate bent hyperplane; a legend names the candidates.  Tropical weights
  (for several outputs, the chosen output's entry) are written on the longest
  facets, as many as fit without overlapping (measured from the rendered
  text): the exact weight when every label is short, otherwise (networks with
  float weights, whose primitive normals are huge) ``c / |e|``, the weight per
  unit normal, rounded; a weight keeps its sign (positive on convex bends,
  negative on concave ones).  Very short segments get no label.
* The default window is :func:`~relu_geom.plotting.window.auto_window`: around
  every vertex, or around the central 90% of the vertex coordinates when far-away
  vertices would shrink the rest to a dot.
* The graph is drawn by level (the longest path ending at a node), left to
  right, with the same colours; an edge ``u -> v`` means ``v`` bends along ``u``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, cast

from relu_geom._util import short_repr
from relu_geom.analyses.breakpoints.bent_hyperplanes import candidate_bent_hyperplanes
from relu_geom.analyses.breakpoints.complex import BreakpointComplex, as_breakpoint_complex
from relu_geom.errors import InvalidInputError, UnsupportedInputError
from relu_geom.geometry.polyhedron import Polyhedron
from relu_geom.plotting.complex import NEURON_COLORS, _fits, _measure, _new_axes, png_bytes, save_figure
from relu_geom.plotting.window import Window, as_window, auto_window, clip_cell

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "BreakpointPlot",
    "candidate_colors",
    "plot_bent_hyperplane_graph",
    "plot_breakpoint_complex",
    "plot_breakpoints",
]

Color = tuple[float, float, float, float]


def candidate_colors(n: int) -> list[Color]:
    """``n`` distinct colours for candidate bent hyperplanes: the 20 line colours of
    :data:`~relu_geom.plotting.complex.NEURON_COLORS`, then a hue wheel."""
    from matplotlib import colormaps
    from matplotlib.colors import to_rgba

    if n <= len(NEURON_COLORS):
        return [to_rgba(c) for c in NEURON_COLORS[:n]]
    cmap = colormaps["hsv"]
    return [cmap(i / n) for i in range(n)]


@dataclass(eq=False, repr=False)
class BreakpointPlot:
    """What was drawn: the axes, the breakpoint complex, the exact window, the artists.

    Attributes
    ----------
    ax
        The matplotlib axes (``ax.figure`` is the figure).
    breakpoint_complex
        The breakpoint complex drawn.
    window
        The exact window.
    facet_artists
        Breakpoint facet index -> its line.
    weight_labels
        Breakpoint facet index -> its weight label (facets outside the window,
        short ones, and those where no label fitted have none).
    candidate_colors
        Candidate index -> colour.
    """

    ax: Axes
    breakpoint_complex: BreakpointComplex
    window: Window
    facet_artists: dict[int, Any] = field(default_factory=dict)
    weight_labels: dict[int, Any] = field(default_factory=dict)
    candidate_colors: dict[int, Color] = field(default_factory=dict)

    @property
    def figure(self) -> Figure:
        """The matplotlib figure."""
        return cast("Figure", self.ax.figure)  # the axes' root figure: no subfigures are made here

    def __repr__(self) -> str:
        return (
            f"BreakpointPlot(n_facets_drawn={len(self.facet_artists)}, n_weight_labels={len(self.weight_labels)}, "
            f"window={tuple((str(lo), str(hi)) for lo, hi in self.window.bounds)})"
        )

    def savefig(self, path: str | os.PathLike[str], *, dpi: int = 150) -> None:
        """Write the figure to ``path`` atomically."""
        save_figure(self.figure, path, dpi=dpi)

    def _repr_png_(self) -> bytes:
        return png_bytes(self.figure)


def _clip_polyhedron(poly: Polyhedron, window: Window) -> list[tuple[Fraction, ...]] | None:
    q = Polyhedron.from_hrep(
        list(poly.inequalities) + list(window.rows), poly.equalities, ambient_dim=window.dim
    )
    if q.is_empty or q.dim < poly.dim:
        return None
    return sorted(q.vertices)


def _format_weight(w: Fraction) -> str:
    return str(w) if w.denominator == 1 else f"{w.numerator}/{w.denominator}"


def plot_breakpoint_complex(
    obj: Any,
    ax: Axes | None = None,
    *,
    domain: Any = None,
    window: Any = None,
    output: int = 0,
    max_labels: int = 30,
    fill_regions: bool = True,
) -> BreakpointPlot:
    """Draw the breakpoint complex of a function of two variables.

    Parameters
    ----------
    obj
        A network (compiled over ``domain``), a compiled complex or a
        :class:`~relu_geom.BreakpointComplex`, with input dimension 2.
    ax
        Axes to draw on; by default a new stand-alone figure.
    window
        ``(lo, hi)``, pairs, or a :class:`~relu_geom.plotting.window.Window`;
        default :func:`~relu_geom.plotting.window.auto_window` (the domain's box, a box
        around every vertex, or around the central 90% of them when far-away vertices
        dominate).
    output
        Which output's weight to print (0-based).
    max_labels
        Print at most this many weights, on the longest facets (where they fit).
    fill_regions
        Fill the maximal linear regions.

    Returns
    -------
    BreakpointPlot

    Examples
    --------
    >>> import relu_geom as rg
    >>> pic = rg.plotting.plot_breakpoint_complex(rg.zoo.bent_2d())
    >>> len(pic.facet_artists), sorted(t.get_text() for t in pic.weight_labels.values())
    (5, ['1', '1', '1', '1', '2'])
    >>> pic.ax.get_legend() is not None
    True
    """
    bc = as_breakpoint_complex(obj, domain=domain)
    cx = bc.complex
    if cx.dim != 2:
        raise UnsupportedInputError(
            f"plot_breakpoint_complex: draws input dimension 2, got a network with input dimension {cx.dim}"
        )
    m = cx.network.output_dim
    if not isinstance(output, int) or isinstance(output, bool) or not 0 <= output < m:
        raise InvalidInputError(f"output: expected an output index in 0..{m - 1}, got {short_repr(output)}")
    win = auto_window(cx) if window is None else as_window(window, 2)
    ax = _new_axes(ax, figsize=(7.0, 6.0))
    from matplotlib.colors import to_rgba

    dec = candidate_bent_hyperplanes(bc)
    colors = candidate_colors(len(dec.candidates))
    pic = BreakpointPlot(ax, bc, win, candidate_colors={c.index: colors[c.index] for c in dec.candidates})
    if fill_regions:
        pale = candidate_colors(max(len(bc.linear_regions), 1))
        where = bc.linear_region_of_cell
        for r in cx.regions:
            piece = clip_cell(r, win)
            if piece is None:
                continue
            base = to_rgba(pale[where[r.index] % len(pale)])
            fill = tuple(0.82 + 0.18 * c for c in base[:3]) + (1.0,)
            xs = [float(p[0]) for p in piece.points]
            ys = [float(p[1]) for p in piece.points]
            ax.fill(xs, ys, color=fill, linewidth=0, zorder=0)
    for i in bc.non_bent_facets:
        piece = clip_cell(cx.cells[i], win)
        if piece is not None and len(piece.points) == 2:
            (x0, y0), (x1, y1) = piece.points
            ax.plot([float(x0), float(x1)], [float(y0), float(y1)], color="0.55", lw=0.7, ls=":", zorder=1)
    segments = {}
    for f in bc.facets:
        pts = _clip_polyhedron(f.polyhedron, win)
        if pts is not None:
            segments[f.index] = (pts[0], pts[-1])
    exact = all(len(_format_weight(bc.facets[k].weight[output])) <= 7 for k in segments)
    (lo_x, hi_x), (lo_y, hi_y) = win.to_float()
    diag = ((hi_x - lo_x) ** 2 + (hi_y - lo_y) ** 2) ** 0.5
    lengths = {}
    for k, (a, b) in segments.items():
        cand = dec.candidate_of_facet[k]
        (line,) = ax.plot(
            [float(a[0]), float(b[0])],
            [float(a[1]), float(b[1])],
            color=colors[cand],
            lw=2.6,
            solid_capstyle="butt",
            zorder=3,
        )
        pic.facet_artists[k] = line
        lengths[k] = ((float(b[0]) - float(a[0])) ** 2 + (float(b[1]) - float(a[1])) ** 2) ** 0.5
    ax.plot([lo_x, hi_x, hi_x, lo_x, lo_x], [lo_y, lo_y, hi_y, hi_y, lo_y], color="0.5", lw=0.8, ls="--")
    pad_x, pad_y = (hi_x - lo_x) * 0.02, (hi_y - lo_y) * 0.02
    ax.set_xlim(lo_x - pad_x, hi_x + pad_x)
    ax.set_ylim(lo_y - pad_y, hi_y + pad_y)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    out = f", output {output}" if m > 1 else ""
    how = "exact weights c = (A_P - A_Q) e, e primitive" if exact else "weights per unit normal (rounded)"
    ax.set_title(
        f"breakpoint complex: {bc.n_facets} facets, {len(dec.candidates)} candidates{out}\n{how}", fontsize=10
    )
    if dec.candidates:
        from matplotlib.lines import Line2D

        n_facets = [0] * len(dec.candidates)
        for k in range(bc.n_facets):
            n_facets[dec.candidate_of_facet[k]] += 1
        handles = [Line2D([], [], color=colors[c.index], lw=2.6) for c in dec.candidates]
        names = [
            f"candidate {c.index} ({n_facets[c.index]} facet{'s' if n_facets[c.index] != 1 else ''})"
            for c in dec.candidates
        ]
        ax.legend(
            handles, names, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False,
            ncol=(len(names) + 19) // 20, title="candidate bent hyperplanes", title_fontsize=7.5,
        )  # fmt: skip
    # weights last, on the longest facets first: their boxes are measured in the final layout
    long_enough = sorted((k for k in lengths if lengths[k] >= 0.04 * diag), key=lambda k: (-lengths[k], k))
    if long_enough and max_labels > 0:
        _label_weights(pic, segments, long_enough, exact, output, max_labels)
    return pic


def _weight_text(facet: Any, output: int, exact: bool) -> str:
    """The weight of a facet for display: exact, or per unit normal rounded (the sign kept)."""
    w = facet.weight[output]
    if exact:
        return _format_weight(w)
    return f"{float(w) / sum(v * v for v in facet.normal) ** 0.5:.2g}"


def _label_weights(
    pic: BreakpointPlot,
    segments: dict[int, tuple[Any, Any]],
    order: list[int],
    exact: bool,
    output: int,
    max_labels: int,
) -> None:
    """Weight labels at the middle of the facets in ``order`` (else at 1/3 or 2/3 of it),
    kept where they overlap no other label; at most ``max_labels`` of them."""
    ax, bc = pic.ax, pic.breakpoint_complex
    renderer, frame = _measure(ax)
    placed: list[Any] = []
    for k in order:
        if len(pic.weight_labels) >= max_labels:
            break
        a, b = segments[k]
        color = pic.candidate_colors[candidate_bent_hyperplanes(bc).candidate_of_facet[k]]
        for t in (Fraction(1, 2), Fraction(1, 3), Fraction(2, 3)):
            text = ax.text(
                float(a[0] + t * (b[0] - a[0])), float(a[1] + t * (b[1] - a[1])),
                _weight_text(bc.facets[k], output, exact), fontsize=7.5, ha="center", va="center", zorder=5,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": color, "lw": 0.8, "alpha": 0.9},
            )  # fmt: skip
            if _fits(text, renderer, frame, placed):
                pic.weight_labels[k] = text
                break
            text.remove()


def _graph_of(obj: Any, domain: Any) -> nx.DiGraph:
    import networkx as nx

    if isinstance(obj, nx.DiGraph):
        if domain is not None:
            raise InvalidInputError("domain: only used when a network is given, not with a graph")
        return obj
    from relu_geom.analyses.breakpoints.bent_hyperplanes import bent_hyperplane_graph

    return bent_hyperplane_graph(obj, domain=domain)


def plot_bent_hyperplane_graph(obj: Any, ax: Axes | None = None, *, domain: Any = None) -> Axes:
    """Draw a bent-hyperplane graph by level, left to right.

    Parameters
    ----------
    obj
        A graph from :func:`~relu_geom.bent_hyperplane_graph` (or a network, a
        compiled complex, a breakpoint complex).
    ax
        Axes to draw on; by default a new stand-alone figure.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import relu_geom as rg
    >>> ax = rg.plotting.plot_bent_hyperplane_graph(rg.zoo.bent_2d())
    >>> sorted(t.get_text() for t in ax.texts if t.get_text())  # five candidates, no proved join
    ['0', '1', '2', '3', '4']
    """
    g = _graph_of(obj, domain)
    ax = _new_axes(ax, figsize=(5.0, 5.0))
    colors = candidate_colors(g.number_of_nodes())
    levels: dict[int, list[int]] = {}
    for node in sorted(g.nodes):
        levels.setdefault(g.nodes[node].get("level", 1), []).append(node)
    pos = {}
    for level, nodes in levels.items():
        k = len(nodes)
        for j, node in enumerate(nodes):
            pos[node] = (float(level), (k - 1) / 2 - j)
    for u, v in g.edges():
        ax.annotate(
            "",
            xy=pos[v],
            xytext=pos[u],
            arrowprops={"arrowstyle": "-|>", "color": "0.35", "lw": 1.0, "shrinkA": 11, "shrinkB": 11},
            zorder=1,
        )
    for node, (x, y) in pos.items():
        ax.scatter([x], [y], s=420, color=colors[node], edgecolors="0.2", zorder=2)
        ax.text(x, y, str(node), ha="center", va="center", fontsize=8, color="black", zorder=3)
    if pos:
        xs = [p[0] for p in pos.values()]
        ys = [p[1] for p in pos.values()]
        ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
        ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
        ax.set_xticks(sorted(levels))
    else:
        ax.text(0.5, 0.5, "no breakpoints: f is affine", ha="center", va="center", transform=ax.transAxes)
        ax.set_xticks([])
    ax.set_yticks([])
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel("level (longest path ending at the candidate)")
    amb = g.graph.get("ambiguous_ridges", ())
    extra = f", {len(amb)} ambiguous ridges" if amb else ""
    ax.set_title(
        f"bent-hyperplane graph: {g.number_of_nodes()} candidates, {g.number_of_edges()} edges{extra}",
        fontsize=10,
    )
    return ax


def plot_breakpoints(
    obj: Any, *, domain: Any = None, window: Any = None, output: int = 0, max_labels: int = 30
) -> BreakpointPlot:
    """The breakpoint complex (d = 2) with weights and candidates coloured, and its graph beside it.

    What ``relu-geom plot NET --breakpoints`` draws.  Returns the
    :class:`BreakpointPlot` of the left panel (``pic.figure`` holds both).

    Examples
    --------
    >>> import relu_geom as rg
    >>> pic = rg.plotting.plot_breakpoints(rg.zoo.bent_2d())
    >>> len(pic.figure.axes)
    2
    """
    bc = as_breakpoint_complex(obj, domain=domain)
    if bc.ambient_dim != 2:
        raise UnsupportedInputError(
            f"plot_breakpoints: draws input dimension 2, got a network with input dimension {bc.ambient_dim}"
        )
    _new_axes(None, figsize=(1, 1))  # checks that matplotlib is there
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13.0, 5.8), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=[1.45, 1.0])
    plot_bent_hyperplane_graph(bc, right)  # first: the weights are placed in the final layout
    return plot_breakpoint_complex(bc, left, window=window, output=output, max_labels=max_labels)
