"""Pictures of canonical complexes in dimension 1 and 2 and of the graph of f over a 2-D domain.

Everything geometric is decided exactly first (the window, the clipped cells,
the function values at their corners, which facets are creases); floats
appear only in the last step, when exact coordinates are handed to
matplotlib.  matplotlib is imported only when a picture is drawn; without it
the functions raise :class:`~relu_geom.errors.BackendUnavailableError`.

Conventions of the pictures
---------------------------
* Regions are filled, by activation pattern (each region its own colour;
  neighbouring regions always differ) or by affine piece (regions with the same
  affine map ``(A, c)`` share a colour).
* A facet lies on the bent hyperplane of hidden neuron ``g`` when its sign
  vector is 0 at ``g``; it is drawn in that neuron's colour (several colours
  interleaved in dashes when it lies on several bent hyperplanes), thicker for
  earlier layers, with a legend "layer l, neuron i" (``l`` 1-based, ``i``
  0-based, as in :attr:`ReLUNetwork.neurons`).  Facets on the domain boundary
  are dark grey.
* An unbounded complex is drawn inside :func:`~relu_geom.plotting.window.default_window`,
  which contains every vertex; the window is framed by a dashed grey line, and
  where a facet (a ray or a line) leaves it, a dotted arrow shows that it goes on.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any, cast

from relu_geom._util import short_repr
from relu_geom.compiler import compile_network
from relu_geom.compiler.complex import Cell, PolyhedralComplex
from relu_geom.errors import BackendUnavailableError, InvalidInputError, UnsupportedInputError
from relu_geom.files import output_path, write_bytes_atomic
from relu_geom.network import ReLUNetwork
from relu_geom.plotting.window import ClippedCell, Window, as_window, auto_window, clip_cell

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from mpl_toolkits.mplot3d import Axes3D

__all__ = ["ComplexPlot", "neuron_colors", "plot_complex", "plot_function_surface", "png_bytes", "save_figure"]

Color = tuple[float, float, float, float]

_SIGN_CHARS = {1: "+", -1: "\u2212", 0: "0"}


# --------------------------------------------------------------- matplotlib
def _require_matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError as exc:  # pragma: no cover - matplotlib is installed in the test set-up
        raise BackendUnavailableError(
            "plotting needs matplotlib, which is not installed; install it with: pip install 'relu-geom[plot]'"
        ) from exc
    return matplotlib


def _new_axes(ax: Any, *, figsize: tuple[float, float], projection: str | None = None) -> Any:
    """``ax`` itself, or the axes of a new stand-alone :class:`~matplotlib.figure.Figure`.

    A stand-alone figure (not registered with pyplot) never opens a window and
    needs no backend; save it with :func:`save_figure` or ``fig.savefig``.
    """
    _require_matplotlib()
    if ax is not None:
        return ax
    from matplotlib.figure import Figure

    if projection == "3d":
        import mpl_toolkits.mplot3d  # noqa: F401  (registers the projection)
    fig = Figure(figsize=figsize, layout="constrained")
    return fig.add_subplot(projection=projection)


def png_bytes(figure: Figure, *, dpi: int = 100) -> bytes:
    """The figure as PNG bytes, cropped to its contents (what notebooks show for a picture).

    Examples
    --------
    >>> import relu_geom as rg
    >>> pic = rg.plotting.plot_complex(rg.zoo.abs_1d())
    >>> rg.plotting.complex.png_bytes(pic.figure)[:4]
    b'\\x89PNG'
    """
    buf = io.BytesIO()
    figure.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return buf.getvalue()


def save_figure(
    fig: Figure | ComplexPlot | Callable[[Axes], Any], path: str | os.PathLike[str], *, dpi: int = 150
) -> None:
    """Write a figure to ``path`` atomically, in the format its extension names.

    ``fig`` is a matplotlib figure, a :class:`ComplexPlot`, or a function of
    one argument that draws on the axes it is given (it then gets the axes of
    a new stand-alone figure).  The picture goes to a temporary file in the
    target's folder, which then replaces the target with :func:`os.replace`;
    on any error (also while drawing) nothing is written and the temporary file
    is removed, so no partial file is ever left behind.

    Raises
    ------
    InvalidInputError
        When the extension is not a format matplotlib can write.

    Examples
    --------
    >>> import relu_geom as rg, os, tempfile
    >>> cx = rg.compile_network(rg.zoo.abs_1d())
    >>> path = os.path.join(tempfile.mkdtemp(), "abs.png")
    >>> rg.plotting.save_figure(rg.plotting.plot_complex(cx), path)
    >>> os.path.getsize(path) > 0
    True
    >>> rg.plotting.save_figure(lambda ax: rg.plotting.plot_complex(cx, ax=ax), path)
    """
    fmt = figure_format(path)
    output_path(path)
    figure: Any = fig
    if isinstance(fig, ComplexPlot):
        figure = fig.figure
    elif callable(fig) and not hasattr(fig, "savefig"):
        ax = _new_axes(None, figsize=(7.5, 5.0))
        fig(ax)
        figure = ax.figure
    write_bytes_atomic(path, lambda fh: figure.savefig(fh, format=fmt, dpi=dpi, bbox_inches="tight"))


def figure_format(path: str | os.PathLike[str]) -> str:
    """The image format named by ``path``'s extension; an error names the supported ones."""
    _require_matplotlib()
    from matplotlib.backend_bases import FigureCanvasBase

    supported = FigureCanvasBase.get_supported_filetypes()
    ext = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
    if ext not in supported:
        raise InvalidInputError(
            f"output file {os.fspath(path)!r}: expected an image extension "
            f"({', '.join('.' + e for e in sorted(supported))}), got {('.' + ext) if ext else 'none'}"
        )
    return ext


# ------------------------------------------------------------------ colours
_REGION_COLORS = (
    "#aec7e8",  # light blue
    "#ffbb78",  # light orange
    "#98df8a",  # light green
    "#ff9896",  # light red
    "#c5b0d5",  # light purple
    "#dbdb8d",  # light olive
    "#9edae5",  # light cyan
    "#f7b6d2",  # light pink
    "#c49c94",  # light brown
    "#ffffb3",  # light yellow
    "#e5d8bd",  # beige
)
"""Light fill colours, pairwise clearly different (no grey: grey means "not coloured").

With more colour classes than colours, the classes are coloured so that
neighbours always differ (see ``_region_colors``).
"""


def _region_palette() -> list[Color]:
    from matplotlib.colors import to_rgba

    return [to_rgba(c) for c in _REGION_COLORS]


NEURON_COLORS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#0000ff", "#ff00ff", "#a6761d", "#911eb4", "#637939", "#93003a",
    "#1b9e77", "#e7298a", "#00429d", "#800000",
)  # fmt: skip
"""Line colours of the neurons: tab10, then ten more chosen greedily for the largest distance to
those before, all with CIELAB lightness between 22 (darker is black: vertices) and 75 (lighter
would not show on the light fills); any two differ by a CIE76 distance of at least 27."""


def neuron_colors(net: ReLUNetwork) -> dict[tuple[int, int], Color]:
    """A colour for every hidden neuron, keyed by ``(layer, index)``.

    The ``k``-th neuron (in the order of :attr:`ReLUNetwork.neurons`) gets colour
    ``k mod 20`` of :data:`NEURON_COLORS`: up to 20 neurons all differ.  Beyond,
    colours repeat, and :func:`plot_complex` labels the lines of every neuron whose
    colour is shared with ``l.i`` (layer ``l``, neuron ``i``).

    Examples
    --------
    >>> import relu_geom as rg
    >>> cols = rg.plotting.neuron_colors(rg.zoo.demo())
    >>> len(cols), len(set(cols.values()))
    (7, 7)
    """
    _require_matplotlib()
    from matplotlib.colors import to_rgba

    palette = [to_rgba(c) for c in NEURON_COLORS]
    return {label: palette[k % len(palette)] for k, label in enumerate(net.neurons)}


def _shared_color_neurons(n: int) -> list[int]:
    """Positions of the neurons (of ``n``) whose colour another neuron has too."""
    m = len(NEURON_COLORS)
    return [k for k in range(n) if k + m < n or k >= m]


def _neuron_tag(label: tuple[int, int]) -> str:
    return f"{label[0]}.{label[1]}"


def _hue_family(color: Color) -> int | None:
    """One of 12 hue families (30 degrees each); None for greys and near-whites."""
    import colorsys

    h, sat, v = colorsys.rgb_to_hsv(*color[:3])
    return None if sat < 0.12 else int(h * 12 + 0.5) % 12


def _region_colors(
    cx: PolyhedralComplex, color_by: str | None, lines: dict[tuple[int, int], Color] | None = None
) -> dict[int, Color]:
    """Region index -> fill colour.

    Neighbouring regions of different classes always get different fills, and a region's
    fill avoids the hue families of the bent-hyperplane lines on its boundary (``lines``:
    neuron -> line colour) whenever the palette leaves a choice.
    """
    regions = cx.regions
    if color_by is None or color_by == "none":
        return {r.index: (0.93, 0.93, 0.93, 1.0) for r in regions}
    if color_by == "pattern":
        cls = {r.index: k for k, r in enumerate(regions)}
    elif color_by == "affine":
        ids: dict[Any, int] = {}
        cls = {r.index: ids.setdefault(r.affine_map, len(ids)) for r in regions}
    else:
        raise InvalidInputError(f"color_by: expected 'pattern', 'affine' or None, got {short_repr(color_by)}")
    palette = _region_palette()
    families = [_hue_family(c) for c in palette]
    n = max(cls.values(), default=-1) + 1
    nbrs: list[set[int]] = [set() for _ in range(n)]
    clash: list[set[int]] = [set() for _ in range(n)]
    neurons = cx.network.neurons
    for f in cx.facets:
        cof = f.coface_indices
        if len(cof) == 2 and cls[cof[0]] != cls[cof[1]]:
            a, b = cls[cof[0]], cls[cof[1]]
            nbrs[a].add(b)
            nbrs[b].add(a)
        if lines:
            fam = {_hue_family(lines[neurons[g]]) for g, sv in enumerate(f.sign_vector) if sv == 0}
            for r in cof:
                clash[cls[r]] |= {h for h in fam if h is not None}
    colouring: dict[int, int] = {}
    used = [0] * len(palette)
    for k in range(n):
        taken = {colouring[j] for j in nbrs[k] if j in colouring}
        free = [c for c in range(len(palette)) if c not in taken] or list(range(len(palette)))
        calm = [c for c in free if families[c] not in clash[k]] or free
        colouring[k] = min(calm, key=lambda c: (used[c], c))
        used[colouring[k]] += 1
    return {i: palette[colouring[k]] for i, k in cls.items()}


def _layer_width(layer: int) -> float:
    return max(2.8 - 0.6 * (layer - 1), 1.2)


def _area(points: Sequence[Sequence[Fraction]]) -> Fraction:
    """Exact area of a polygon with corners in cyclic order (shoelace formula)."""
    n = len(points)
    twice = sum(
        points[i][0] * points[(i + 1) % n][1] - points[(i + 1) % n][0] * points[i][1] for i in range(n)
    )
    return abs(Fraction(twice)) / 2


def _sign_label(sv: Sequence[int]) -> str:
    return "".join(_SIGN_CHARS[s] for s in sv)


# --------------------------------------------------------------- the result
@dataclass(eq=False)
class ComplexPlot:
    """What a plotting function drew, with the exact geometry behind it.

    Attributes
    ----------
    ax
        The matplotlib axes drawn on (``ax.figure`` is the figure).
    complex
        The complex that was drawn (for :func:`~relu_geom.plotting.plot_slice`,
        the complex of the plane section).
    window
        The exact window of the picture.
    pieces
        Cell index -> :class:`~relu_geom.plotting.window.ClippedCell`, the exact
        part of each drawn cell inside the window.
    region_artists
        Region index -> the filled patch (for a surface, the shared collection).
    facet_artists
        Facet index -> the lines drawn for it (one per neuron it lies on).
    neuron_colors
        ``(layer, index)`` -> colour of that neuron's bent hyperplane.
    label_artists
        Region index -> the text of its sign-vector label (regions whose label fitted).
    line_labels
        ``(layer, index)`` -> the text ``l.i`` written on that neuron's bent hyperplane
        (only for neurons whose colour another neuron shares: more than 20 neurons; in
        dimension 1 on its vertical line).
    """

    ax: Axes
    complex: PolyhedralComplex
    window: Window
    pieces: dict[int, ClippedCell] = field(default_factory=dict)
    region_artists: dict[int, Any] = field(default_factory=dict)
    facet_artists: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    neuron_colors: dict[tuple[int, int], Color] = field(default_factory=dict)
    label_artists: dict[int, Any] = field(default_factory=dict)
    line_labels: dict[tuple[int, int], Any] = field(default_factory=dict)

    @property
    def figure(self) -> Figure:
        """The matplotlib figure."""
        return cast("Figure", self.ax.figure)  # the axes' root figure: no subfigures are made here

    def savefig(self, path: str | os.PathLike[str], *, dpi: int = 150) -> None:
        """Write the figure to ``path`` atomically (see :func:`save_figure`)."""
        save_figure(self.figure, path, dpi=dpi)

    def _repr_png_(self) -> bytes:
        return png_bytes(self.figure)

    def __repr__(self) -> str:
        return (
            f"ComplexPlot(dim={self.complex.dim}, n_regions_drawn={len(self.region_artists)}, "
            f"window={tuple((str(lo), str(hi)) for lo, hi in self.window.bounds)})"
        )


# ------------------------------------------------------------------- inputs
def _as_complex(obj: Any, domain: Any) -> PolyhedralComplex:
    if isinstance(obj, PolyhedralComplex):
        if domain is not None:
            raise InvalidInputError(
                "domain: only used when a network is given; the complex was compiled with its own domain"
            )
        return obj
    if isinstance(obj, ReLUNetwork):
        return compile_network(obj, domain=domain)
    raise InvalidInputError(f"cx: expected a PolyhedralComplex or a ReLUNetwork, got {type(obj).__name__}")


def _check_output(cx: PolyhedralComplex, output: int) -> None:
    m = cx.network.output_dim
    if not isinstance(output, int) or isinstance(output, bool) or not 0 <= output < m:
        raise InvalidInputError(f"output: expected an output index in 0..{m - 1}, got {short_repr(output)}")


def _value(cell: Cell, x: Sequence[Fraction], output: int) -> Fraction:
    A, c = cell.affine_map
    return sum((a * v for a, v in zip(A[output], x)), c[output])


def _clip_all(cx: PolyhedralComplex, win: Window, dims: Sequence[int]) -> dict[int, ClippedCell]:
    out = {}
    for k in dims:
        for c in cx.cells_of_dim(k):
            piece = clip_cell(c, win)
            if piece is not None:
                out[c.index] = piece
    return out


# --------------------------------------------------------------- the picture
def plot_complex(
    cx: PolyhedralComplex | ReLUNetwork,
    ax: Axes | None = None,
    *,
    color_by: str | None = "pattern",
    show_vertices: bool = True,
    show_bent_hyperplanes: bool = True,
    window: Any = None,
    domain: Any = None,
    output: int = 0,
    label_regions: bool | None = None,
    legend: bool | None = None,
    title: str | None = None,
    axis_labels: Sequence[str] | None = None,
) -> ComplexPlot:
    """Draw the canonical complex of a network with input dimension 1 or 2.

    In dimension 2: regions filled, facets drawn in the colours of the neurons
    whose bent hyperplanes they lie on, vertices as black dots.  In dimension 1:
    the real line cut into regions (coloured bands), the breakpoints (vertical
    lines in the neurons' colours) and the graph of ``f`` (output ``output``)
    over the window.

    Parameters
    ----------
    cx
        A compiled complex, or a network (compiled here over ``domain``).
    ax
        Axes to draw on; by default a new stand-alone figure (no window opens;
        save it with :meth:`ComplexPlot.savefig`).
    color_by
        ``"pattern"`` (each region its own colour), ``"affine"`` (one colour per
        affine map ``(A, c)``; facets where ``f`` does not bend, between two
        regions of one piece, are then drawn faint and thin) or None (all
        regions light grey).  With more classes than the 11 fill colours,
        colours repeat, but never on the two sides of a facet.
    show_vertices, show_bent_hyperplanes
        Draw the vertices; colour facets by neuron (otherwise all dark grey).
    window
        ``(lo, hi)``, per-coordinate pairs or a :class:`~relu_geom.plotting.Window`;
        default :func:`~relu_geom.plotting.window.auto_window`: the window around every
        vertex (:func:`~relu_geom.plotting.default_window`), or, when that is more than 8
        times wider, the one around the central 90% of the vertex coordinates
        (:func:`~relu_geom.plotting.window.data_window`).
    domain
        The domain to compile over when ``cx`` is a network.
    output
        The output coordinate whose graph is drawn in dimension 1.
    label_regions
        Write each region's sign vector (``+``, ``\u2212``, ``0`` per neuron) in it (in
        dimension 1: above the graph) where it fits without overlapping another label (every region is tried when
        there are at most 24; otherwise regions filling at least 1/40 of the window);
        default: when there are at most 40 regions and 12 hidden neurons.
    legend
        Show the neuron legend; default: when there are at most 40 hidden neurons, and
        otherwise a legend of only the lines whose label found no room (in dimension 1
        with their positions); False: no legend at all.
    title
        The axes title; default names the architecture and the f-vector, and how many
        vertices lie outside the window (when some do); ``""`` for none.
    axis_labels
        Names of the coordinates (default ``x_1``, ``x_2``).

    Returns
    -------
    ComplexPlot
        The axes, the exact window and clipped cells, and the artists.  With more than 20
        hidden neurons colours repeat, and the lines of every neuron whose colour is shared
        are labelled ``l.i`` (``line_labels``): in dimension 2 near their end in the window,
        in dimension 1 on the vertical line, wherever the label's rendered box overlaps no
        other label.  A line whose label finds no room is named in the legend instead.

    Raises
    ------
    UnsupportedInputError
        For input dimension other than 1 and 2 (use :func:`~relu_geom.plotting.plot_slice`).
    InvalidInputError
        For an unknown ``color_by``, a bad window or output index.
    BackendUnavailableError
        When matplotlib is not installed.

    Notes
    -----
    Cost: one exact H-to-V conversion per cell that leaves the window (bounded
    cells inside it are drawn from their own vertices), then one matplotlib
    artist per region and per facet.

    Examples
    --------
    >>> import relu_geom as rg
    >>> cx = rg.compile_network(rg.zoo.demo())
    >>> pic = rg.plotting.plot_complex(cx, color_by="affine")
    >>> len(pic.region_artists) == cx.n_regions
    True
    >>> all(pic.window.contains(v.interior_point) for v in cx.vertices)
    True
    >>> pic1 = rg.plotting.plot_complex(rg.zoo.hat_1d())
    >>> [str(v) for v in pic1.window.bounds[0]]
    ['-1/2', '5/2']
    """
    cx = _as_complex(cx, domain)
    if cx.dim not in (1, 2):
        raise UnsupportedInputError(
            f"plot_complex: draws networks with input dimension 1 or 2, got input dimension {cx.dim}; "
            "draw a plane section with relu_geom.plotting.plot_slice"
        )
    _check_output(cx, output)
    if color_by not in ("pattern", "affine", None, "none"):
        raise InvalidInputError(f"color_by: expected 'pattern', 'affine' or None, got {short_repr(color_by)}")
    win = auto_window(cx) if window is None else as_window(window, cx.dim)
    ax = _new_axes(ax, figsize=(7.5, 5.0) if cx.dim == 2 else (7.5, 4.2))
    net = cx.network
    ncol = neuron_colors(net)
    rcol = _region_colors(cx, color_by, ncol if show_bent_hyperplanes else None)
    if label_regions is None:
        label_regions = cx.n_regions <= 40 and net.n_hidden <= 12
    pic = ComplexPlot(ax=ax, complex=cx, window=win, neuron_colors=ncol)
    if cx.dim == 2:
        _draw_2d(pic, rcol, show_vertices, show_bent_hyperplanes, color_by == "affine")
    else:
        _draw_1d(pic, rcol, show_vertices, show_bent_hyperplanes, output)
    names = list(axis_labels) if axis_labels is not None else [f"$x_{i + 1}$" for i in range(cx.dim)]
    if len(names) != cx.dim:
        raise InvalidInputError(f"axis_labels: expected {cx.dim} names, got {len(names)}")
    ax.set_xlabel(names[0])
    if cx.dim == 2:
        ax.set_ylabel(names[1])
    if title is None:
        title = f"{list(net.architecture)}: f-vector {cx.f_vector}"
        outside = sum(not win.contains(v.interior_point) for v in cx.vertices)
        if outside:
            title += f"\n{outside} of {len(cx.vertices)} vertices outside the window"
    if title:
        ax.set_title(title, fontsize=10)
    full_legend = net.n_hidden <= 40 if legend is None else legend
    if full_legend:
        _add_legend(pic, show_bent_hyperplanes)
    # labels last: their boxes are measured in the final layout
    placed: list[Any] = []
    missing = _label_lines(pic, placed) if show_bent_hyperplanes else []
    if label_regions:
        _label_regions(pic, placed)
    if missing and legend is None and not full_legend:
        _name_unlabelled_lines(pic, missing)
    return pic


def _name_unlabelled_lines(pic: ComplexPlot, missing: list[int]) -> None:
    """A legend of the neurons whose line label found no room (``missing``).

    The legend takes room from the axes, so every label is measured again; one that no
    longer fits is removed (a line label's neuron then joins the legend), until all fit.
    """
    labels = pic.complex.network.neurons
    while True:
        _add_legend(pic, True, only=missing)
        renderer, frame = _measure(pic.ax)
        kept: list[Any] = []
        dropped = []
        for label, text in list(pic.line_labels.items()):
            if not _fits(text, renderer, frame, kept):
                text.remove()
                del pic.line_labels[label]
                dropped.append(labels.index(label))
        for i, text in list(pic.label_artists.items()):
            if not _fits(text, renderer, frame, kept):
                text.remove()
                del pic.label_artists[i]
        if not dropped:
            return
        missing = sorted(missing + dropped)


def _neurons_on(cell: Cell) -> list[int]:
    return [g for g, s in enumerate(cell.sign_vector) if s == 0]


def _draw_multicolor(
    ax: Any, xs: list[float], ys: list[float], colors: list[Color], lw: float, **kw: Any
) -> list[Any]:
    """One line, or several interleaved dashed lines when it belongs to several neurons."""
    k = len(colors)
    if k == 1:
        return ax.plot(xs, ys, color=colors[0], lw=lw, solid_capstyle="round", **kw)
    dash = 3.0
    out = []
    for j, col in enumerate(colors):
        style = (j * dash, (dash, (k - 1) * dash))
        out += ax.plot(xs, ys, color=col, lw=lw, linestyle=style, **kw)
    return out


def _exit_arrow(
    ax: Any, start: tuple[float, float], direction: tuple[float, float], length: float, color: Any, lw: float
) -> Any:
    """A dotted arrow from ``start`` along ``direction`` (unit length in axes-scaled units)."""
    end = (start[0] + length * direction[0], start[1] + length * direction[1])
    return ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops={
            "arrowstyle": "-|>",
            "color": color,
            "lw": max(lw * 0.6, 0.8),
            "linestyle": ":",
            "shrinkA": 0,
            "shrinkB": 0,
            "mutation_scale": 9,
        },
        annotation_clip=False,
        zorder=3,
    )


def _draw_2d(
    pic: ComplexPlot,
    rcol: dict[int, Color],
    show_vertices: bool,
    show_bent: bool,
    faint_flat: bool,
) -> None:
    from matplotlib.patches import Polygon as MplPolygon
    from matplotlib.patches import Rectangle

    ax, cx, win = pic.ax, pic.complex, pic.window
    net = cx.network
    labels = net.neurons
    (x0, x1), (y0, y1) = win.to_float()
    span = max(x1 - x0, y1 - y0)
    pieces = _clip_all(cx, win, (2, 1, 0))
    pic.pieces.update(pieces)
    any_clipped = any(p.is_clipped for p in pieces.values())
    for r in cx.regions:
        p = pieces.get(r.index)
        if p is None:
            continue
        patch = MplPolygon(
            [(float(x), float(y)) for x, y in p.points],
            closed=True,
            facecolor=rcol[r.index],
            edgecolor="none",
            zorder=1,
            **_vanishing_hatch(pic, r),
        )
        ax.add_patch(patch)
        pic.region_artists[r.index] = patch
    for f in cx.facets:
        p = pieces.get(f.index)
        if p is None:
            continue
        xs = [float(q[0]) for q in p.points]
        ys = [float(q[1]) for q in p.points]
        zeros = _neurons_on(f)
        if show_bent and zeros:
            cols = [pic.neuron_colors[labels[g]] for g in zeros]
            lw = _layer_width(min(labels[g][0] for g in zeros))
        else:
            cols, lw = [(0.2, 0.2, 0.2, 1.0)], 1.0
        cof = f.cofaces
        if faint_flat and len(cof) == 2 and cof[0].affine_map == cof[1].affine_map:
            # f does not bend here: the two regions belong to one affine piece
            cols, lw = [(c[0], c[1], c[2], 0.45) for c in cols], lw * 0.5
        arts = _draw_multicolor(ax, xs, ys, cols, lw, zorder=3)
        for i, is_exit in enumerate(p.exits):
            if is_exit:
                j = 1 - i
                dx, dy = xs[i] - xs[j], ys[i] - ys[j]
                norm = (dx * dx + dy * dy) ** 0.5
                arts.append(
                    _exit_arrow(ax, (xs[i], ys[i]), (dx / norm, dy / norm), 0.055 * span, cols[0], lw)
                )
        pic.facet_artists[f.index] = tuple(arts)
    if show_vertices and cx.vertices:
        pts = [pieces[v.index].points[0] for v in cx.vertices if v.index in pieces]
        if pts:
            ax.scatter(
                [float(q[0]) for q in pts],
                [float(q[1]) for q in pts],
                s=16,
                c="black",
                zorder=5,
                linewidths=0,
            )
    pad = (0.09 if any_clipped else 0.03) * span
    if any_clipped:
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, ec="0.55", lw=0.8, ls="--", zorder=2))
    ax.set_xlim(x0 - pad, x1 + pad)
    ax.set_ylim(y0 - pad, y1 + pad)
    ax.set_aspect("equal")


def _vanishing_hatch(pic: ComplexPlot, region: Cell) -> dict[str, Any]:
    """Hatching in a neuron's colour for a region on which that neuron vanishes identically."""
    zeros = _neurons_on(region)
    if not zeros:
        return {}
    col = pic.neuron_colors[pic.complex.network.neurons[zeros[0]]]
    return {"hatch": "///", "hatchcolor": (col[0], col[1], col[2], 0.55), "linewidth": 0.0}


def _measure(ax: Any) -> tuple[Any, Any]:
    """A renderer to measure text with, and the axes' frame in display units."""
    if not hasattr(ax.figure.canvas, "get_renderer"):  # a stand-alone figure: measure text with Agg
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(ax.figure)
    renderer = ax.figure.canvas.get_renderer()
    ax.figure.draw_without_rendering()
    return renderer, ax.get_window_extent(renderer)


def _fits(text: Any, renderer: Any, frame: Any, placed: list[Any]) -> bool:
    """Whether a text's box lies inside the frame and meets none of ``placed`` (then it is added)."""
    box = text.get_window_extent(renderer).expanded(1.05, 1.1)
    inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
    if inside and not any(box.overlaps(b) for b in placed):
        placed.append(box)
        return True
    return False


def _label_lines(pic: ComplexPlot, placed: list[Any]) -> list[int]:
    """Write ``l.i`` on the bent hyperplane of every neuron whose colour another neuron shares.

    In dimension 2 the label goes near an end of one of the neuron's facets, a little inside
    the window: first where the facet leaves the window, then at the other ends, longest
    facets first.  In dimension 1 it goes on one of the neuron's vertical lines, at heights
    from the top down.  Each label is kept at the first spot where its rendered box lies
    inside the axes and overlaps no label already placed (``placed``); the neurons whose
    label found no such spot are returned (in order), for the legend to name.
    """
    labels = pic.complex.network.neurons
    shared = set(_shared_color_neurons(len(labels)))
    where = _line_spots_1d(pic, shared) if pic.complex.dim == 1 else _line_spots_2d(pic, shared)
    if not where:
        return []
    ax = pic.ax
    renderer, frame = _measure(ax)
    missing = []
    for g in sorted(where):
        col = pic.neuron_colors[labels[g]]
        for spot in where[g]:
            text = _tag_text(ax, spot, _neuron_tag(labels[g]), col)
            if _fits(text, renderer, frame, placed):
                pic.line_labels[labels[g]] = text
                break
            text.remove()
        else:
            missing.append(g)
    return missing


def _line_spots_2d(pic: ComplexPlot, shared: set[int]) -> dict[int, list[tuple[float, float]]]:
    """Neuron -> spots for its label: near the ends of its facets (see :func:`_label_lines`)."""
    spots: dict[int, list[tuple[bool, float, tuple[float, float], tuple[float, float]]]] = {}
    for f in pic.complex.facets:
        p = pic.pieces.get(f.index)
        if p is None or len(p.points) != 2:
            continue
        a, b = ((float(q[0]), float(q[1])) for q in p.points)
        length = ((b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2) ** 0.5
        for g in _neurons_on(f):
            if g in shared:
                spots.setdefault(g, []).extend(
                    [(not p.exits[0], -length, a, b), (not p.exits[1], -length, b, a)]
                )
    (x0, x1), (y0, y1) = pic.window.to_float()
    step = 0.05 * max(x1 - x0, y1 - y0)
    where: dict[int, list[tuple[float, float]]] = {}
    for g, ends in spots.items():
        where[g] = []
        for _, neg_length, end, other in sorted(ends, key=lambda t: (t[0], t[1]))[:16]:
            t = min(step / -neg_length, 0.5)  # a little inside, at most half-way along the facet
            where[g].append((end[0] + t * (other[0] - end[0]), end[1] + t * (other[1] - end[1])))
    return where


_LINE_HEIGHTS_1D = tuple(Fraction(k, 16) for k in range(13, 0, -1))
"""Heights (as fractions of the axes, from the top down) tried for a label on a 1-D picture's line."""


def _line_spots_1d(pic: ComplexPlot, shared: set[int]) -> dict[int, list[tuple[float, float]]]:
    """Neuron -> spots for its label: on each of its drawn vertical lines, from the top down."""
    ylo, yhi = pic.ax.get_ylim()
    where: dict[int, list[tuple[float, float]]] = {}
    for v in pic.complex.vertices:
        if v.index not in pic.facet_artists:
            continue
        x = float(pic.pieces[v.index].points[0][0])
        for g in _neurons_on(v):
            if g in shared:
                where.setdefault(g, []).extend((x, ylo + float(h) * (yhi - ylo)) for h in _LINE_HEIGHTS_1D)
    # a neuron with several lines tries the top of each first, then one row lower, ...
    rows = len(_LINE_HEIGHTS_1D)
    return {g: [s for k in range(rows) for s in spots[k::rows]] for g, spots in where.items()}


def _tag_text(ax: Any, spot: tuple[float, float], tag: str, col: Color) -> Any:
    return ax.text(
        spot[0], spot[1], tag, ha="center", va="center", fontsize=7.5, color=col, zorder=7,
        bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": col, "lw": 0.7, "alpha": 0.9},
    )  # fmt: skip


def _label_regions(pic: ComplexPlot, placed: list[Any]) -> None:
    """Write sign vectors in the regions, largest first, where they fit without overlapping.

    In dimension 2 each label is tried at the region's centroid and then at points between
    the centroid and the corners; in dimension 1 above the graph, over the middle of the
    region, in two rows.  It is kept only if its box (measured from the rendered text) lies
    inside the axes and meets no label already placed (``placed``: boxes of labels drawn
    before). With few regions (at most 24) every region is tried; otherwise only regions
    that fill at least 1/40 of the window.
    """
    ax, pieces, win = pic.ax, pic.pieces, pic.window
    one_d = pic.complex.dim == 1
    win_size = Fraction(1)
    for lo, hi in win.bounds:
        win_size *= hi - lo
    renderer, frame = _measure(ax)
    drawn = [r for r in pic.complex.regions if r.index in pieces]
    few = len(drawn) <= 24
    by_size = sorted(((_size(pieces[r.index].points), r) for r in drawn), key=lambda t: (-t[0], t[1].index))
    ylo, yhi = ax.get_ylim()
    for size, r in by_size:
        if not few and size * 40 < win_size:
            break
        corners = pieces[r.index].points
        spots: list[tuple[Fraction | float, ...]]
        if one_d:
            middle = float((corners[0][0] + corners[-1][0]) / 2)
            spots = [(middle, ylo + h * (yhi - ylo)) for h in (37 / 40, 34 / 40)]
        else:
            centre = _centroid(corners)
            spots = [centre] + [
                tuple(c0 + (c1 - c0) * t for c0, c1 in zip(centre, q))
                for t in (Fraction(1, 3), Fraction(1, 2))
                for q in corners
            ]
        for spot in spots:
            text = ax.text(
                float(spot[0]), float(spot[1]), _sign_label(r.sign_vector), ha="center", va="center",
                fontsize=9, zorder=6, family="monospace",
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
            )  # fmt: skip
            if _fits(text, renderer, frame, placed):
                pic.label_artists[r.index] = text
                break
            text.remove()


def _size(points: Sequence[Sequence[Fraction]]) -> Fraction:
    """Exact length (of a segment) or area (of a polygon) of a clipped region."""
    return abs(points[-1][0] - points[0][0]) if len(points[0]) == 1 else _area(points)


def _centroid(points: Sequence[Sequence[Fraction]]) -> tuple[Fraction, Fraction]:
    """Exact centroid of a polygon with corners in counter-clockwise order."""
    n = len(points)
    a = cx_ = cy_ = Fraction(0)
    for i in range(n):
        (xa, ya), (xb, yb) = points[i], points[(i + 1) % n]
        cross = xa * yb - xb * ya
        a += cross
        cx_ += (xa + xb) * cross
        cy_ += (ya + yb) * cross
    return cx_ / (3 * a), cy_ / (3 * a)


def _draw_1d(
    pic: ComplexPlot,
    rcol: dict[int, Color],
    show_vertices: bool,
    show_bent: bool,
    output: int,
) -> None:
    ax, cx, win = pic.ax, pic.complex, pic.window
    labels = cx.network.neurons
    pieces = _clip_all(cx, win, (1, 0))
    pic.pieces.update(pieces)
    # exact values of f at the ends of every clipped region
    graph = []
    for r in cx.regions:
        p = pieces.get(r.index)
        if p is not None:
            graph.append((r, p, [_value(r, q, output) for q in p.points]))
    values = [v for _, _, vals in graph for v in vals]
    lo_v, hi_v = (min(values), max(values)) if values else (Fraction(0), Fraction(0))
    ((x0, x1),) = win.to_float()
    y0, y1 = float(lo_v), float(hi_v)
    if y1 - y0 < 1e-12 * max(1.0, abs(y0)):
        y0, y1 = y0 - 1.0, y1 + 1.0
    xpad = (0.09 if any(p.exits[0] or p.exits[-1] for _, p, _ in graph) else 0.03) * (x1 - x0)
    ypad = 0.15 * (y1 - y0)
    ylo, yhi = y0 - ypad, y1 + 1.6 * ypad
    for r, p, vals in graph:
        a, b = (float(q[0]) for q in p.points)
        pic.region_artists[r.index] = ax.axvspan(
            a, b, facecolor=rcol[r.index], edgecolor="none", zorder=0, **_vanishing_hatch(pic, r)
        )
        ax.plot(
            [a, b], [float(vals[0]), float(vals[1])], color="black", lw=2.0, zorder=4, solid_capstyle="round"
        )
        for i, is_exit in enumerate(p.exits):
            if is_exit:
                dx = (x1 - x0) * (1 if i == 1 else -1)
                dy = float(vals[1] - vals[0]) / (b - a) * dx if b > a else 0.0
                # unit direction in axes-scaled units, mapped back to data units
                ux, uy = dx / (x1 - x0 + 2 * xpad), dy / (yhi - ylo)
                norm = (ux * ux + uy * uy) ** 0.5
                length = 0.06
                start = (a if i == 0 else b, float(vals[i]))
                end = (
                    start[0] + length * ux / norm * (x1 - x0 + 2 * xpad),
                    start[1] + length * uy / norm * (yhi - ylo),
                )
                ax.annotate(
                    "",
                    xy=end,
                    xytext=start,
                    annotation_clip=False,
                    zorder=4,
                    arrowprops={
                        "arrowstyle": "-|>",
                        "color": "black",
                        "lw": 1.2,
                        "linestyle": ":",
                        "shrinkA": 0,
                        "shrinkB": 0,
                        "mutation_scale": 9,
                    },
                )
    pts = []
    for v in cx.vertices:
        p = pieces.get(v.index)
        if p is None:
            continue
        x = float(p.points[0][0])
        zeros = _neurons_on(v)
        if show_bent and zeros:
            cols = [pic.neuron_colors[labels[g]] for g in zeros]
            lw = _layer_width(min(labels[g][0] for g in zeros)) * 0.7
        else:
            cols, lw = [(0.2, 0.2, 0.2, 1.0)], 1.0
        pic.facet_artists[v.index] = tuple(_draw_multicolor(ax, [x, x], [ylo, yhi], cols, lw, zorder=2))
        reg = v.cofaces[0] if v.cofaces else None
        if reg is not None:
            pts.append((x, float(_value(reg, p.points[0], output))))
    if show_vertices and pts:
        ax.scatter([q[0] for q in pts], [q[1] for q in pts], s=22, c="black", zorder=5, linewidths=0)
    ax.axhline(0.0, color="0.6", lw=0.6, zorder=1)
    ax.set_xlim(x0 - xpad, x1 + xpad)
    ax.set_ylim(ylo, yhi)
    m = cx.network.output_dim
    ax.set_ylabel("$f(x)$" if m == 1 else f"$f_{{{output + 1}}}(x)$")


def _add_legend(pic: ComplexPlot, show_bent: bool, only: Sequence[int] | None = None) -> None:
    """The legend: every neuron drawn and what the marks mean; or, with ``only``, just
    those neurons (whose lines carry no label; in dimension 1 with their positions)."""
    from matplotlib.lines import Line2D

    cx = pic.complex
    labels = cx.network.neurons
    shared = set(_shared_color_neurons(len(labels)))

    def neuron_handle(g: int, where: str = "") -> Any:
        layer, idx = labels[g]
        tag = f" ({_neuron_tag(labels[g])})" if g in shared else ""
        return Line2D(
            [], [], color=pic.neuron_colors[labels[g]], lw=_layer_width(layer),
            label=f"layer {layer}, neuron {idx}{tag}{where}",
        )  # fmt: skip

    if only is not None:
        handles = [neuron_handle(g, _line_positions(pic, g)) for g in only]
        pic.ax.legend(
            handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, fontsize=8,
            ncol=1 if len(handles) <= 18 else 2, frameon=False, title="lines without a label", title_fontsize=8,
        )  # fmt: skip
        return
    handles = []
    if show_bent:
        seen = sorted({g for i in pic.facet_artists for g in _neurons_on(cx.cells[i])})
        handles += [neuron_handle(g) for g in seen]
    if cx.dim == 1:
        handles.append(Line2D([], [], color="black", lw=2.0, label="graph of f"))
    if any(p.is_clipped for p in pic.pieces.values()):
        handles.append(
            Line2D(
                [],
                [],
                color="0.3",
                lw=1.0,
                ls=":",
                marker=">",
                markersize=4,
                label="goes on beyond the window",
            )
        )
    if any(_neurons_on(r) for r in cx.regions if r.index in pic.region_artists):
        from matplotlib.patches import Patch

        handles.append(
            Patch(
                facecolor="white",
                edgecolor="0.3",
                hatch="///",
                lw=0.0,
                label="a neuron vanishes on the region",
            )
        )
    if handles:
        ncol = 1 if len(handles) <= 18 else 2
        pic.ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            borderaxespad=0.0,
            fontsize=8,
            ncol=ncol,
            frameon=False,
            title="bent hyperplanes" if show_bent and cx.dim == 2 else None,
            title_fontsize=8,
        )


def _line_positions(pic: ComplexPlot, g: int) -> str:
    """`` at x = ...``: where neuron ``g``'s lines are drawn in a 1-D picture (at most 3 named)."""
    if pic.complex.dim != 1:
        return ""
    xs = sorted(
        pic.pieces[v.index].points[0][0]
        for v in pic.complex.vertices
        if v.index in pic.facet_artists and g in _neurons_on(v)
    )
    shown = ", ".join(f"{float(x):.3g}" for x in xs[:3]) + (", ..." if len(xs) > 3 else "")
    return f" at x = {shown}"


# ------------------------------------------------------------------ surface
def plot_function_surface(
    cx: PolyhedralComplex | ReLUNetwork,
    ax: Axes3D | None = None,
    *,
    output: int = 0,
    window: Any = None,
    domain: Any = None,
    color_by: str | None = "affine",
    show_creases: bool = True,
    show_floor: bool = True,
    title: str | None = None,
    axis_labels: Sequence[str] | None = None,
    elev: float = 28.0,
    azim: float = -60.0,
) -> ComplexPlot:
    """Draw the graph of ``f`` (output ``output``) over a 2-D domain as a 3-D surface with creases.

    Each region is a planar polygon ``{(x, A x + c)}`` over its (clipped)
    closure; the creases are the lifted bent facets, where the affine maps of
    the two neighbouring regions differ in this output (black), while facets
    where the output does not bend are drawn thin and grey.  With
    ``show_floor`` the complex itself is drawn on a floor below the surface,
    facets coloured by neuron.

    Parameters
    ----------
    cx
        A compiled complex with input dimension 2, or such a network.
    ax
        3-D axes (``projection="3d"``); by default a new stand-alone figure.
    output
        The output coordinate to draw.
    window, domain, color_by, axis_labels, title
        As in :func:`plot_complex`.
    show_creases, show_floor
        Draw the creases; draw the complex on a floor below the surface.
    elev, azim
        The viewing angles (degrees).

    Returns
    -------
    ComplexPlot
        ``region_artists`` maps every drawn region to the one polygon collection.

    Raises
    ------
    UnsupportedInputError
        When the input dimension is not 2.

    Examples
    --------
    >>> import relu_geom as rg
    >>> cx = rg.compile_network(rg.zoo.demo(), domain=(-1, 1))
    >>> pic = rg.plotting.plot_function_surface(cx)
    >>> len(pic.region_artists) == cx.n_regions
    True
    """
    cx = _as_complex(cx, domain)
    if cx.dim != 2:
        raise UnsupportedInputError(
            f"plot_function_surface: draws the graph over a 2-D domain, got input dimension {cx.dim}"
        )
    _check_output(cx, output)
    if color_by not in ("pattern", "affine", None, "none"):
        raise InvalidInputError(f"color_by: expected 'pattern', 'affine' or None, got {short_repr(color_by)}")
    win = auto_window(cx) if window is None else as_window(window, 2)
    ax = _new_axes(ax, figsize=(7.5, 6.0), projection="3d")
    if not hasattr(ax, "zaxis"):
        raise InvalidInputError("ax: expected 3-D axes (created with projection='3d')")
    from mpl_toolkits.mplot3d.art3d import Line3DCollection, Poly3DCollection

    net = cx.network
    labels = net.neurons
    pic = ComplexPlot(ax=ax, complex=cx, window=win, neuron_colors=neuron_colors(net))
    pieces = _clip_all(cx, win, (2, 1, 0))
    pic.pieces.update(pieces)
    rcol = _region_colors(cx, color_by)
    polys, cols, drawn = [], [], []
    zs: list[Fraction] = []
    for r in cx.regions:
        p = pieces.get(r.index)
        if p is None:
            continue
        vals = [_value(r, q, output) for q in p.points]
        zs += vals
        polys.append([(float(q[0]), float(q[1]), float(z)) for q, z in zip(p.points, vals)])
        cols.append(rcol[r.index])
        drawn.append(r.index)
    zlo, zhi = (float(min(zs)), float(max(zs))) if zs else (0.0, 1.0)
    if zhi - zlo < 1e-12 * max(1.0, abs(zlo)):
        zlo, zhi = zlo - 1.0, zhi + 1.0
    floor = zlo - 0.35 * (zhi - zlo)
    # drawing order: floor, surface, creases (matplotlib's depth sort would hide whole line collections)
    ax.computed_zorder = False
    surface = Poly3DCollection(
        polys, facecolors=cols, edgecolors=(0.3, 0.3, 0.3, 0.25), linewidths=0.3, alpha=0.95, zorder=1
    )
    ax.add_collection3d(surface)
    pic.region_artists.update(dict.fromkeys(drawn, surface))
    creases: list[list[tuple[float, float, float]]] = []
    flat: list[list[tuple[float, float, float]]] = []
    floor_segs: list[list[tuple[float, float, float]]] = []
    floor_cols: list[Color] = []
    for f in cx.facets:
        p = pieces.get(f.index)
        if p is None:
            continue
        cof = f.cofaces
        vals = [_value(cof[0], q, output) for q in p.points]
        seg = [(float(q[0]), float(q[1]), float(z)) for q, z in zip(p.points, vals)]
        bent = len(cof) == 2 and cof[0].affine_map[0][output] != cof[1].affine_map[0][output]
        bent = bent or (len(cof) == 2 and cof[0].affine_map[1][output] != cof[1].affine_map[1][output])
        (creases if bent else flat).append(seg)
        zeros = _neurons_on(f)
        floor_segs.append([(float(q[0]), float(q[1]), floor) for q in p.points])
        floor_cols.append(pic.neuron_colors[labels[zeros[0]]] if zeros else (0.2, 0.2, 0.2, 1.0))
    if show_creases:
        arts = []
        if creases:
            lc = Line3DCollection(creases, colors="black", linewidths=1.6, zorder=3)
            ax.add_collection3d(lc)
            arts.append(lc)
        if flat:
            lf = Line3DCollection(flat, colors=[(0.45, 0.45, 0.45, 0.8)], linewidths=0.6, zorder=2)
            ax.add_collection3d(lf)
            arts.append(lf)
        for i in (i for i in pieces if cx.cells[i].dim == 1):
            pic.facet_artists[i] = tuple(arts)
    if show_floor and floor_segs:
        ax.add_collection3d(Line3DCollection(floor_segs, colors=floor_cols, linewidths=1.1, zorder=0))
    (x0, x1), (y0, y1) = win.to_float()
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_zlim(floor if show_floor else zlo, zhi)
    names = list(axis_labels) if axis_labels is not None else ["$x_1$", "$x_2$"]
    if len(names) != 2:
        raise InvalidInputError(f"axis_labels: expected 2 names, got {len(names)}")
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    m = net.output_dim
    ax.set_zlabel("$f(x)$" if m == 1 else f"$f_{{{output + 1}}}(x)$")
    ax.view_init(elev=elev, azim=azim)
    ax.set_box_aspect((1.0, (y1 - y0) / (x1 - x0), 0.75))
    if title is None:
        title = f"graph of f: {list(net.architecture)}, {cx.n_regions} regions"
    if title:
        ax.set_title(title, fontsize=10)
    return pic
