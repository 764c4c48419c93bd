"""Pictures: exact windows and clipping, the drawn artists, saved files and the ``plot`` command.

The geometric checks are exact: clipped regions must tile the window (their
exact areas add up to the window's), facet ends must be vertices of the
complex or exact points of the window boundary, and the window must contain
every vertex.  The picture checks read the artists back from matplotlib.
"""

from __future__ import annotations

import os
import subprocess
import sys
from fractions import Fraction

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

import relu_geom as rg  # noqa: E402
from relu_geom import io as rg_io  # noqa: E402
from relu_geom.cli import main  # noqa: E402
from relu_geom.plotting import Window, clip_complex, default_window  # noqa: E402
from relu_geom.testing import specimens  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

SPECIMENS_2D = ["demo", "central_lines", "parallel_lines", "duplicate_neurons", "dead_neuron", "bent_2d"]


def signed_area(points):
    n = len(points)
    return (
        sum(points[i][0] * points[(i + 1) % n][1] - points[(i + 1) % n][0] * points[i][1] for i in range(n))
        / 2
    )


def window_area(win):
    area = Fraction(1)
    for lo, hi in win.bounds:
        area *= hi - lo
    return area


@pytest.fixture(scope="module")
def demo_cx():
    return rg.compile_network(rg.zoo.demo())


# ----------------------------------------------------------------- windows
@pytest.mark.parametrize("name", SPECIMENS_2D + ["hat_1d", "abs_1d", "vanishing_deep_neuron"])
def test_default_window_strictly_contains_every_vertex_and_meets_every_cell(name):
    cx = rg.compile_network(rg.zoo.get(name))
    win = default_window(cx)
    for v in cx.vertices:
        (p,) = v.vertices
        assert all(lo < x < hi for x, (lo, hi) in zip(p, win.bounds))
    pieces = clip_complex(cx, win)
    assert set(pieces) == {c.index for c in cx.cells}


def test_default_window_over_a_box_is_the_box():
    cx = rg.compile_network(rg.zoo.demo(), domain=[(-1, 2), (0, "1/2")])
    assert default_window(cx).bounds == ((-1, 2), (0, Fraction(1, 2)))


def test_window_of_a_complex_without_vertices_is_not_a_sliver():
    cx = rg.compile_network(rg.zoo.parallel_lines())  # lines x = 0 and x = 1
    (xlo, xhi), (ylo, yhi) = default_window(cx).bounds
    assert xlo < 0 and xhi > 1
    assert 2 * (yhi - ylo) >= xhi - xlo


# ----------------------------------------------------------------- clipping
@pytest.mark.parametrize("name", SPECIMENS_2D)
def test_clipped_regions_tile_the_window_exactly(name):
    cx = rg.compile_network(rg.zoo.get(name))
    win = default_window(cx)
    pieces = clip_complex(cx, win)
    total = Fraction(0)
    for r in cx.regions:
        pts = pieces[r.index].points
        assert signed_area(pts) > 0  # counter-clockwise, not degenerate
        assert all(win.contains(p) and r.polyhedron.contains(p) for p in pts)
        total += signed_area(pts)
    assert total == window_area(win)


def test_clipped_regions_tile_a_user_window_that_cuts_bounded_regions(demo_cx):
    win = Window.from_bounds([(0, "3/4"), ("1/4", 1)])
    pieces = clip_complex(demo_cx, win)
    total = sum(
        (signed_area(pieces[r.index].points) for r in demo_cx.regions if r.index in pieces), Fraction(0)
    )
    assert total == window_area(win)


@pytest.mark.parametrize("name", SPECIMENS_2D)
def test_facet_ends_are_vertices_or_exact_exits_on_the_window(name):
    cx = rg.compile_network(rg.zoo.get(name))
    win = default_window(cx)
    pieces = clip_complex(cx, win)
    for f in cx.facets:
        piece = pieces[f.index]
        assert len(piece.points) == 2
        ends = {g.vertices[0] for g in f.faces}
        for p, is_exit in zip(piece.points, piece.exits):
            assert f.polyhedron.contains(p)
            if is_exit:
                assert win.on_boundary(p) and p not in ends
            else:
                assert p in ends
        # an exit exactly when the facet is unbounded (the window contains every vertex)
        assert any(piece.exits) == (not f.is_bounded)


def test_clip_one_dimensional_regions_tile_the_window():
    cx = rg.compile_network(rg.zoo.hat_1d())
    win = default_window(cx)
    pieces = clip_complex(cx, win)
    ends = sorted(pieces[r.index].points for r in cx.regions)
    assert ends[0][0] == (win.bounds[0][0],) and ends[-1][1] == (win.bounds[0][1],)
    assert all(a[1] == b[0] for a, b in zip(ends, ends[1:]))


# ----------------------------------------------------------------- pictures
def test_plot_complex_draws_every_region_facet_and_vertex(demo_cx):
    pic = rg.plotting.plot_complex(demo_cx)
    assert len(pic.region_artists) == demo_cx.n_regions
    assert len([p for p in pic.ax.patches if p in pic.region_artists.values()]) == demo_cx.n_regions
    assert set(pic.facet_artists) == {f.index for f in demo_cx.facets}
    # drawn corners are the exact clipped corners converted to floats
    for i, patch in pic.region_artists.items():
        xy = [tuple(v) for v in patch.get_xy()[: len(pic.pieces[i].points)]]
        assert xy == [(float(x), float(y)) for x, y in pic.pieces[i].points]
    # the vertex dots are the complex's vertices
    (dots,) = pic.ax.collections
    assert sorted(map(tuple, dots.get_offsets())) == sorted(
        (float(v.vertices[0][0]), float(v.vertices[0][1])) for v in demo_cx.vertices
    )
    assert all(pic.window.contains(v.vertices[0]) for v in demo_cx.vertices)


def test_facets_have_the_colour_of_their_neuron(demo_cx):
    pic = rg.plotting.plot_complex(demo_cx)
    labels = demo_cx.network.neurons
    for f in demo_cx.facets:
        zeros = [g for g, s in enumerate(f.sign_vector) if s == 0]
        lines = [a for a in pic.facet_artists[f.index] if hasattr(a, "get_xydata")]
        assert [to_rgba(ln.get_color()) for ln in lines] == [pic.neuron_colors[labels[g]] for g in zeros]
        for ln in lines:
            assert [tuple(p) for p in ln.get_xydata()] == [
                tuple(map(float, p)) for p in pic.pieces[f.index].points
            ]
    texts = [t.get_text() for t in pic.ax.get_legend().get_texts()]
    assert "layer 2, neuron 1" in texts and "layer 1, neuron 0" in texts


def test_a_facet_on_two_bent_hyperplanes_gets_both_colours():
    cx = rg.compile_network(rg.zoo.duplicate_neurons())  # neurons 0 and 1 share a line
    pic = rg.plotting.plot_complex(cx)
    shared = [f for f in cx.facets if f.sign_vector[:2] == (0, 0)]
    assert len(shared) == 2
    for f in shared:
        cols = [to_rgba(a.get_color()) for a in pic.facet_artists[f.index] if hasattr(a, "get_color")]
        assert pic.neuron_colors[(1, 0)] in cols and pic.neuron_colors[(1, 1)] in cols


def test_regions_where_a_neuron_vanishes_are_hatched():
    # the second-layer neuron relu(relu(x1)) is zero on the whole half-plane x1 <= 0
    net = specimens.relu_relu_x1_2d()
    pic = rg.plotting.plot_complex(net)
    hatches = {r.sign_vector: pic.region_artists[r.index].get_hatch() for r in pic.complex.regions}
    assert hatches == {(-1, 0): "///", (1, 1): None}
    assert "a neuron vanishes on the region" in [t.get_text() for t in pic.ax.get_legend().get_texts()]


def test_color_by_affine_groups_regions_with_one_affine_map():
    cx = rg.compile_network(rg.zoo.demo(), domain=(-1, 1))
    pic = rg.plotting.plot_complex(cx, color_by="affine")
    col = {i: p.get_facecolor() for i, p in pic.region_artists.items()}
    maps = {r.index: r.affine_map for r in cx.regions}
    assert len(set(maps.values())) < cx.n_regions  # the demo has merged pieces
    for a in cx.regions:
        for b in cx.regions:
            if maps[a.index] == maps[b.index]:
                assert col[a.index] == col[b.index]
    for f in cx.facets:
        if len(f.coface_indices) == 2:
            a, b = f.coface_indices
            assert (col[a] == col[b]) == (maps[a] == maps[b])
            # facets where f does not bend are drawn faint
            alphas = {
                to_rgba(ln.get_color())[3] for ln in pic.facet_artists[f.index] if hasattr(ln, "get_xydata")
            }
            assert alphas == ({0.45} if maps[a] == maps[b] else {1.0})


def test_many_regions_neighbours_still_differ_in_colour():
    cx = rg.compile_network(rg.ReLUNetwork.random([2, 6, 5, 1], seed=2))
    assert cx.n_regions > 11  # more regions than distinct fill colours
    pic = rg.plotting.plot_complex(cx, legend=False)
    col = {i: p.get_facecolor() for i, p in pic.region_artists.items()}
    for f in cx.facets:
        if len(f.coface_indices) == 2:
            a, b = f.coface_indices
            assert col[a] != col[b]


def test_one_dimensional_picture_draws_the_graph_exactly():
    net = rg.zoo.hat_1d()
    cx = rg.compile_network(net)
    pic = rg.plotting.plot_complex(cx)
    assert len(pic.region_artists) == cx.n_regions == 4
    graph = [ln for ln in pic.ax.get_lines() if to_rgba(ln.get_color()) == to_rgba("black")]
    pts = {tuple(p) for ln in graph for p in ln.get_xydata()}
    lo, hi = pic.window.bounds[0]
    exact = [lo, Fraction(0), Fraction(1), Fraction(2), hi]
    assert pts == {(float(x), float(net(x)[0])) for x in exact}
    # one vertical line per breakpoint, in its neuron's colour
    assert [to_rgba(pic.facet_artists[v.index][0].get_color()) for v in cx.vertices] == [
        pic.neuron_colors[(1, k)] for k in range(3)
    ]


def test_function_surface_draws_one_polygon_per_region():
    net = rg.zoo.demo()
    cx = rg.compile_network(net, domain=(-1, 1))
    pic = rg.plotting.plot_function_surface(cx)
    (surface,) = set(pic.region_artists.values())
    assert len(pic.region_artists) == cx.n_regions
    pic._repr_png_()  # renders the figure: the collection now holds the projected polygons
    assert len(surface.get_paths()) == cx.n_regions
    # the z range is the exact range of f over the corners of the regions
    values = [net(p)[0] for r in cx.regions for p in pic.pieces[r.index].points]
    assert pic.ax.get_zlim()[1] == float(max(values))
    assert pic.ax.get_zlim()[0] < float(min(values))  # room for the floor


def test_slice_of_a_three_dimensional_arrangement_matches_the_formula():
    # three planes in general position cut by x3 = 1/2: three lines in general position, 7 regions
    net = rg.ReLUNetwork([[[1, 0, 1], [0, 1, 2], [1, 1, -1]], [[1, 1, 1]]], [[0, 0, 0], [0]])
    pic = rg.plotting.plot_slice(net, fix={2: "1/2"})
    assert pic.complex.f_vector == (3, 9, 7)
    assert len(pic.region_artists) == 7
    for c in pic.complex.cells:
        s, t = c.interior_point
        assert c.sign_vector == net.sign_vector([s, t, Fraction(1, 2)])


def test_slice_with_a_box_domain_and_a_tilted_plane():
    net = rg.ReLUNetwork.random([3, 4, 2, 1], seed=5)
    pic = rg.plotting.plot_slice(net, origin=[0, 0, "1/3"], directions=[[1, 0, 1], [0, 1, 0]], domain=(-1, 1))
    for c in pic.complex.cells:
        s, t = c.interior_point
        x = (s, t, Fraction(1, 3) + s)
        assert all(-1 <= v <= 1 for v in x)
        assert c.sign_vector == net.sign_vector(x)


# ------------------------------------------------------------------- errors
def test_plot_complex_refuses_three_dimensional_input():
    net = rg.ReLUNetwork.random([3, 2, 1], seed=0)
    with pytest.raises(rg.UnsupportedInputError, match="input dimension 3.*plot_slice"):
        rg.plotting.plot_complex(net)
    with pytest.raises(rg.UnsupportedInputError, match="input dimension 1"):
        rg.plotting.plot_function_surface(rg.zoo.hat_1d())


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"color_by": "rainbow"}, rg.InvalidInputError, "color_by"),
        ({"window": [(0, 1)]}, rg.DimensionMismatchError, "window"),
        ({"window": (1, 0)}, rg.InvalidInputError, "lo < hi"),
        ({"output": 1}, rg.InvalidInputError, "output"),
    ],
)
def test_bad_arguments_name_the_parameter(demo_cx, kwargs, error, match):
    with pytest.raises(error, match=match):
        rg.plotting.plot_complex(demo_cx, **kwargs)


def test_other_bad_inputs():
    with pytest.raises(rg.InvalidInputError, match="cx: expected"):
        rg.plotting.plot_complex([[1, 2]])
    cx = rg.compile_network(rg.zoo.bent_2d())
    with pytest.raises(rg.InvalidInputError, match="domain"):
        rg.plotting.plot_complex(cx, domain=(0, 1))
    with pytest.raises(rg.InvalidInputError, match="3-D axes"):
        rg.plotting.plot_function_surface(cx, ax=rg.plotting.plot_complex(cx).ax)
    net = rg.ReLUNetwork.random([3, 2, 1], seed=0)
    with pytest.raises(rg.InvalidInputError, match="linearly independent"):
        rg.plotting.plot_slice(net, origin=[0, 0, 0], directions=[[1, 0, 0], [2, 0, 0]])
    with pytest.raises(rg.InvalidInputError, match="does not meet"):
        rg.plotting.plot_slice(net, fix={2: 5}, domain=(-1, 1))
    with pytest.raises(rg.DimensionMismatchError, match="2 free directions"):
        rg.plotting.plot_slice(rg.ReLUNetwork.random([4, 2, 1], seed=0), fix={3: 0})


def test_missing_matplotlib_is_a_backend_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(rg.BackendUnavailableError, match="pip install"):
        rg.plotting.plot_complex(rg.zoo.abs_1d())


def test_importing_relu_geom_does_not_import_matplotlib():
    code = (
        "import sys, relu_geom as rg; rg.plotting.default_window; rg.plotting.Window; "
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ------------------------------------------------------------------- saving
def test_save_figure_writes_a_png(tmp_path):
    path = tmp_path / "pic.png"
    rg.plotting.plot_complex(rg.zoo.bent_2d()).savefig(path)
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 1000
    assert os.listdir(tmp_path) == ["pic.png"]


def test_no_partial_file_after_an_error(tmp_path):
    path = tmp_path / "pic.png"

    def broken(ax):
        ax.plot([0, 1], [0, 1])
        raise rg.InvalidInputError("drawing failed")

    with pytest.raises(rg.InvalidInputError):
        rg.plotting.save_figure(broken, path)
    assert os.listdir(tmp_path) == []
    path.write_bytes(b"old")
    fig = rg.plotting.plot_complex(rg.zoo.abs_1d()).figure
    fig.text(0, 0, "$\\frac{$")  # mathtext that fails while rendering
    with pytest.raises(ValueError):
        rg.plotting.save_figure(fig, path)
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["pic.png"]
    with pytest.raises(rg.InvalidInputError, match="image extension"):
        rg.plotting.save_figure(fig, tmp_path / "pic.txt")


# ---------------------------------------------------------------------- CLI
@pytest.fixture
def net3d_file(tmp_path):
    path = tmp_path / "net3d.json"
    rg_io.save_network(
        rg.ReLUNetwork([[[1, 0, 1], [0, 1, 2], [1, 1, -1]], [[1, 1, 1]]], [[0, 0, 0], [0]]), path
    )
    return path


def test_cli_plot_writes_the_picture(tmp_path, capsys):
    out = tmp_path / "demo.png"
    assert main(["plot", "zoo:demo", "-o", str(out), "--color-by", "affine"]) == 0
    assert out.read_bytes().startswith(PNG_MAGIC)
    assert "23 regions" in capsys.readouterr().out
    out1 = tmp_path / "hat.svg"
    assert main(["plot", "zoo:hat_1d", "-o", str(out1), "--box", "-1", "3"]) == 0
    assert out1.read_text().lstrip().startswith("<?xml")


def test_cli_plot_surface_and_slice(tmp_path, net3d_file, capsys):
    out = tmp_path / "surface.png"
    assert main(["plot", "zoo:bent_2d", "-o", str(out), "--surface", "--box", "-1", "2"]) == 0
    assert out.stat().st_size > 0
    out2 = tmp_path / "slice.png"
    assert main(["plot", str(net3d_file), "-o", str(out2), "--slice", "x3=1/2"]) == 0
    assert out2.stat().st_size > 0
    assert "7 regions" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["--slice", "x3=0", "--slice", "x1=0"], "needs 1 fixed"),
        (["--slice", "x7=0"], "x7 does not exist"),
        (["--slice", "z=0"], "xK=VALUE"),
        ([], "--slice x3=0"),
    ],
)
def test_cli_plot_errors_on_three_dimensional_input(tmp_path, net3d_file, capsys, argv, match):
    out = tmp_path / "fig.png"
    assert main(["plot", str(net3d_file), "-o", str(out), *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and match in err
    assert os.listdir(tmp_path) == ["net3d.json"]


def test_cli_plot_bad_output_and_network(tmp_path, capsys):
    assert main(["plot", "zoo:demo", "-o", str(tmp_path / "fig.txt")]) == 2
    assert "image extension" in capsys.readouterr().err
    assert main(["plot", str(tmp_path / "missing.json"), "-o", str(tmp_path / "fig.png")]) == 2
    assert capsys.readouterr().err.startswith("relu-geom plot: error:")
    assert main(["plot", "zoo:hat_1d", "-o", str(tmp_path / "fig.png"), "--surface"]) == 2
    assert "--surface" in capsys.readouterr().err
    assert os.listdir(tmp_path) == []


def _label_boxes(pic):
    renderer = pic.figure.canvas.get_renderer()
    return {i: t.get_window_extent(renderer) for i, t in pic.label_artists.items()}


@pytest.mark.parametrize("seed", [0, 1, 4])
def test_region_labels_never_overlap_and_stay_inside(seed):
    pic = rg.plotting.plot_complex(rg.ReLUNetwork.random([2, 5, 3, 1], seed=seed), label_regions=True)
    boxes = list(_label_boxes(pic).values())
    frame = pic.ax.get_window_extent(pic.figure.canvas.get_renderer())
    for i, a in enumerate(boxes):
        assert frame.contains(a.x0, a.y0) and frame.contains(a.x1, a.y1)
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)
    assert all(t.get_fontsize() >= 9 for t in pic.label_artists.values())


def test_few_regions_are_all_labelled_with_their_sign_vectors():
    cx = rg.compile_network(rg.zoo.central_lines(3))
    pic = rg.plotting.plot_complex(cx)
    assert set(pic.label_artists) == {r.index for r in cx.regions}
    for i, t in pic.label_artists.items():
        signs = "".join({1: "+", -1: "\u2212", 0: "0"}[s] for s in cx.cells[i].sign_vector)
        assert t.get_text() == signs


def _hue_family(color):
    """One of 12 hue families (30 degrees each) of an RGB(A) colour; None for greys and near-whites."""
    import colorsys

    h, sat, _v = colorsys.rgb_to_hsv(*color[:3])
    return None if sat < 0.12 else int(h * 12 + 0.5) % 12


def test_fills_avoid_the_hues_of_their_own_boundary_lines():
    cx = rg.compile_network(rg.zoo.central_lines(3))
    pic = rg.plotting.plot_complex(cx)
    for r in cx.regions:
        fill = _hue_family(pic.region_artists[r.index].get_facecolor())
        for f in r.faces:
            for g, s in enumerate(f.sign_vector):
                if s == 0:
                    assert _hue_family(pic.neuron_colors[cx.network.neurons[g]]) != fill


# ------------------------------------------------- many neurons: colours and line labels
def _lab(color):
    """CIELAB coordinates of an sRGB colour (D65), computed here from the standard formulas."""
    rgb = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgba(color)[:3]]
    m = [(0.4124, 0.3576, 0.1805), (0.2126, 0.7152, 0.0722), (0.0193, 0.1192, 0.9505)]
    xyz = [sum(a * c for a, c in zip(row, rgb)) / w for row, w in zip(m, (0.95047, 1.0, 1.08883))]
    f = [t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116 for t in xyz]
    return (116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2]))


@pytest.fixture(scope="module")
def thirty():
    net = rg.ReLUNetwork.random([2, 30, 1], seed=1)
    pic = rg.plotting.plot_complex(net)
    pic.figure.canvas.draw()  # the final layout, as saved
    return net, pic


def test_the_first_twenty_neurons_have_clearly_different_colours(thirty):
    net, pic = thirty
    cols = [pic.neuron_colors[label] for label in net.neurons]
    first = cols[:20]
    assert len(set(first)) == 20
    for i, a in enumerate(first):
        for b in first[i + 1 :]:
            la, lb = _lab(a), _lab(b)
            assert sum((x - y) ** 2 for x, y in zip(la, lb)) ** 0.5 > 20  # CIE76: clearly different
    assert all(22 <= _lab(c)[0] <= 75 for c in first)  # neither black (vertices) nor lost on light fills
    assert cols[20:] == cols[:10]  # beyond 20 the colours repeat ...


def test_lines_of_neurons_sharing_a_colour_are_labelled_at_their_ends(thirty):
    net, pic = thirty
    shared = {net.neurons[k] for k in list(range(10)) + list(range(20, 30))}
    assert set(pic.line_labels) == shared  # ... and exactly those lines carry labels
    (x0, x1), (y0, y1) = pic.window.to_float()
    span = max(x1 - x0, y1 - y0)
    renderer = pic.figure.canvas.get_renderer()
    boxes = []
    for (layer, i), text in pic.line_labels.items():
        assert text.get_text() == f"{layer}.{i}"
        px, py = text.get_position()
        assert x0 <= px <= x1 and y0 <= py <= y1
        (w1, w2), b = net.weights[0][i], net.biases[0][i]
        # on the neuron's line, within 1/20 of the window from an end of one of its drawn facets
        assert abs(float(w1) * px + float(w2) * py + float(b)) / float(w1 * w1 + w2 * w2) ** 0.5 < 1e-9 * span
        ends = [
            q for f in pic.complex.facets if f.sign_vector[i] == 0 and f.index in pic.pieces
            for q in pic.pieces[f.index].points
        ]  # fmt: skip
        assert min(((px - float(q[0])) ** 2 + (py - float(q[1])) ** 2) ** 0.5 for q in ends) <= 0.0501 * span
        boxes.append(text.get_window_extent(renderer))
    for k, a in enumerate(boxes):
        assert not any(a.overlaps(b) for b in boxes[k + 1 :])
    legend = [t.get_text() for t in pic.ax.get_legend().get_texts()]
    assert "layer 1, neuron 25 (1.25)" in legend and "layer 1, neuron 15" in legend


def test_twenty_neurons_get_no_line_labels():
    pic = rg.plotting.plot_complex(rg.ReLUNetwork.random([2, 20, 1], seed=2), label_regions=False)
    assert pic.line_labels == {} and len(set(pic.neuron_colors.values())) == 20


def _all_label_boxes(pic):
    renderer = pic.figure.canvas.get_renderer()
    texts = list(pic.line_labels.values()) + list(pic.label_artists.values())
    return [t.get_window_extent(renderer) for t in texts], pic.ax.get_window_extent(renderer)


def _check_one_dimensional_line_labels(net, pic):
    """Labels inside the axes, pairwise apart, each on a breakpoint of its neuron (-b/w, one
    hidden layer); every drawn line labelled or in the legend (tagged when its colour is shared)."""
    boxes, frame = _all_label_boxes(pic)
    for k, a in enumerate(boxes):
        assert frame.contains(a.x0, a.y0) and frame.contains(a.x1, a.y1)
        assert not any(a.overlaps(b) for b in boxes[k + 1 :])
    breakpoint = {
        (1, i): -Fraction(b) / Fraction(w[0])
        for i, (w, b) in enumerate(zip(net.weights[0], net.biases[0]))
        if w[0] != 0  # a neuron with zero weight has no breakpoint
    }
    for (layer, i), text in pic.line_labels.items():
        assert text.get_text() == f"{layer}.{i}"
        assert text.get_position()[0] == float(breakpoint[layer, i])
    lo, hi = pic.window.bounds[0]
    drawn = {label for label, x in breakpoint.items() if lo <= x <= hi}
    assert drawn  # the check below is not empty
    legend = pic.ax.get_legend()
    named = " | ".join(t.get_text() for t in legend.get_texts()) if legend else ""
    colours = list(pic.neuron_colors.values())
    for layer, i in drawn - set(pic.line_labels):
        shared = colours.count(pic.neuron_colors[layer, i]) > 1
        assert f"layer {layer}, neuron {i}" + (f" ({layer}.{i})" if shared else "") in named
    return drawn


def test_one_dimensional_pictures_label_the_lines_of_neurons_sharing_a_colour():
    net = rg.ReLUNetwork.random([1, 30, 1], seed=1)
    pic = rg.plotting.plot_complex(net)
    pic.figure.canvas.draw()
    drawn = _check_one_dimensional_line_labels(net, pic)
    shared = {net.neurons[k] for k in list(range(10)) + list(range(20, 30))}
    assert set(pic.line_labels) <= shared and len(pic.line_labels) >= len(shared & drawn) // 2
    assert rg.plotting.plot_complex(rg.ReLUNetwork.random([1, 20, 1], seed=1)).line_labels == {}


def test_one_dimensional_lines_without_room_are_named_in_a_legend():
    # 60 breakpoints k / 10^6 in the window [-1, 1]: one spot on the x-axis, room for a few labels
    net = rg.ReLUNetwork([[[1]] * 60, [[1] * 60]], [[Fraction(-k, 10**6) for k in range(60)], [0]])
    pic = rg.plotting.plot_complex(net, window=(-1, 1))  # 60 neurons: no full legend by default
    pic.figure.canvas.draw()
    drawn = _check_one_dimensional_line_labels(net, pic)
    assert len(drawn) == 60 and 0 < len(pic.line_labels) < 30
    legend = pic.ax.get_legend()
    assert legend.get_title().get_text() == "lines without a label"
    assert len(legend.get_texts()) == 60 - len(pic.line_labels)
    assert "layer 1, neuron 59 (1.59) at x = 5.9e-05" in [t.get_text() for t in legend.get_texts()]
    assert rg.plotting.plot_complex(net, window=(-1, 1), legend=False).ax.get_legend() is None


def test_one_dimensional_region_labels_are_placed_apart():
    cx = rg.compile_network(rg.zoo.hat_1d())
    pic = rg.plotting.plot_complex(cx)
    assert {t.get_text() for t in pic.label_artists.values()} == {
        "".join({1: "+", -1: "\u2212", 0: "0"}[s] for s in r.sign_vector) for r in cx.regions
    }
    pic = rg.plotting.plot_complex(rg.ReLUNetwork.random([1, 12, 1], seed=3), label_regions=True)
    pic.figure.canvas.draw()
    boxes, _ = _all_label_boxes(pic)
    for k, a in enumerate(boxes):
        assert not any(a.overlaps(b) for b in boxes[k + 1 :])


# ----------------------------------------------- data windows for trained networks
def test_data_window_of_a_hand_checked_line():
    # breakpoints -(k-1)/k for k = 1..20 and one far away at 1000; 21 vertices, one dropped at each end
    far = rg.ReLUNetwork([[[k] for k in range(1, 21)] + [[1]], [[1] * 21]], [list(range(20)) + [-1000], [0]])
    cx = rg.compile_network(far)
    lo, hi = Fraction(-18, 19), Fraction(0)
    pad = (hi - lo) / 4
    assert rg.plotting.data_window(cx).bounds == ((lo - pad, hi + pad),)
    pic = rg.plotting.plot_complex(cx)
    assert pic.window == rg.plotting.data_window(cx)
    assert "1 of 21 vertices outside the window" in pic.ax.get_title()  # 1000; -19/20 is in the margin


@pytest.fixture(scope="module")
def trained():
    return rg.compile_network(rg.ReLUNetwork.random_normal([2, 16, 16, 1], seed=0))


def test_trained_network_is_drawn_where_its_vertices_are(trained):
    cx = trained
    full, data = default_window(cx), rg.plotting.data_window(cx)
    width = [max(hi - lo for lo, hi in w.bounds) for w in (full, data)]
    assert width[0] > 8 * width[1]
    points = [v.interior_point for v in cx.vertices]
    assert all(full.contains(p) for p in points)  # default_window keeps its promise
    for i, (lo, hi) in enumerate(data.bounds):  # per coordinate, the central 90% at least
        assert 10 * sum(lo <= p[i] <= hi for p in points) >= 9 * len(points)
    inside = sum(data.contains(p) for p in points)
    assert 5 * inside >= 4 * len(points)
    pic = rg.plotting.plot_complex(cx, label_regions=False)
    assert pic.window == data
    assert f"{len(points) - inside} of {len(points)} vertices outside the window" in pic.ax.get_title()
    assert rg.plotting.plot_complex(cx, window=full, label_regions=False, legend=False).window == full


@pytest.mark.parametrize("name", SPECIMENS_2D + ["hat_1d"])
def test_small_specimens_keep_the_window_around_every_vertex(name):
    cx = rg.compile_network(rg.zoo.get(name))
    pic = rg.plotting.plot_complex(cx)
    assert pic.window == default_window(cx) and "outside" not in pic.ax.get_title()


def test_data_window_over_a_box_is_the_box_and_checks_its_arguments():
    cx = rg.compile_network(rg.zoo.demo(), domain=(-1, 2))
    assert rg.plotting.data_window(cx) == default_window(cx)
    with pytest.raises(rg.InvalidInputError, match="fraction"):
        rg.plotting.data_window(cx, fraction=0)
    with pytest.raises(rg.InvalidInputError, match="margin"):
        rg.plotting.data_window(cx, margin=-1)


# ------------------------------------------------ breakpoint pictures of trained networks
@pytest.fixture(scope="module")
def trained_breakpoints():
    pic = rg.plotting.plot_breakpoints(rg.ReLUNetwork.random_normal([2, 8, 8, 1], seed=0))
    pic.figure.canvas.draw()
    return pic


def test_breakpoint_picture_has_a_legend_of_its_candidates(trained_breakpoints):
    pic = trained_breakpoints
    dec = rg.candidate_bent_hyperplanes(pic.breakpoint_complex)
    legend = pic.ax.get_legend()
    assert legend is not None
    names = [t.get_text() for t in legend.get_texts()]
    assert len(names) == len(dec.candidates) > 12
    assert all(name.startswith(f"candidate {c.index} (") for name, c in zip(names, dec.candidates))
    assert [to_rgba(h.get_color()) for h in legend.legend_handles] == [
        pic.candidate_colors[c.index] for c in dec.candidates
    ]


def test_breakpoint_weights_sit_on_the_longest_facets_without_overlapping(trained_breakpoints):
    pic = trained_breakpoints
    bc = pic.breakpoint_complex
    assert 10 <= len(pic.weight_labels) <= 30
    renderer = pic.figure.canvas.get_renderer()
    frame = pic.ax.get_window_extent(renderer)
    boxes = [t.get_window_extent(renderer) for t in pic.weight_labels.values()]
    for i, a in enumerate(boxes):
        assert frame.contains(a.x0, a.y0) and frame.contains(a.x1, a.y1)
        assert not any(a.overlaps(b) for b in boxes[i + 1 :])
    for k, text in pic.weight_labels.items():
        facet = bc.facets[k]
        per_unit = float(facet.weight[0]) / sum(float(v) ** 2 for v in facet.normal) ** 0.5
        shown = float(text.get_text())
        assert shown * per_unit > 0  # the sign is kept
        assert abs(shown - per_unit) <= 0.05 * abs(per_unit)  # rounded to 2 significant digits

    # the longest drawn facet carries a weight
    def length(k):
        (x0, y0), (x1, y1) = pic.facet_artists[k].get_xydata()
        return ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5

    assert max(pic.facet_artists, key=length) in pic.weight_labels
