"""Interactive views: traces match the exact complex, hover texts carry exact data, pages render."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from fractions import Fraction

import pytest

import relu_geom as rg
from relu_geom.testing import specimens

pytest.importorskip("plotly")

from relu_geom.plotting import interactive as iv  # noqa: E402


def _traces(fig, prefix):
    return [t for t in fig.data if t.name.startswith(prefix)]


def test_central_lines_every_cell_is_one_trace():
    cx = rg.compile_network(rg.zoo.central_lines(3))  # 1 vertex, 6 rays, 6 sectors
    fig = iv.view_complex(cx)
    assert len(_traces(fig, "region")) == 6
    assert len(_traces(fig, "facet")) == 6
    (verts,) = _traces(fig, "vertices")
    assert list(verts.x) == [0.0] and list(verts.y) == [0.0]


def test_hover_text_is_the_cells_exact_data():
    cx = rg.compile_network(rg.zoo.demo())
    fig = iv.view_complex(cx)
    for t in _traces(fig, "region") + _traces(fig, "facet"):
        cell = cx.cells[t.meta]
        x = cell.interior_point
        exact = (
            "("
            + ", ".join(
                str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}" for v in x
            )
            + ")"
        )
        assert f"interior point {exact}" in t.hovertext
        signs = "".join({1: "+", -1: "−", 0: "0"}[s] for s in cell.sign_vector)
        (line,) = [part for part in t.hovertext.split("<br>") if part.startswith("signs (")]
        assert re.sub(r"[^+−0]", "", line) == signs
        # the printed affine map evaluates to f at the interior point (recomputed from the text)
        m = re.search(r"f1\(x\) = ([^<]*)", t.hovertext)
        value = Fraction(0)
        for term in m.group(1).replace("− ", "+ -").split(" + "):
            coef, _, var = term.partition("·x")
            value += Fraction(coef) * (x[int(var) - 1] if var else 1)
        assert value == rg.zoo.demo()(x)[0]


def test_neighbouring_regions_never_share_a_fill_and_lines_differ_from_fills():
    for net in (
        rg.zoo.demo(),
        rg.ReLUNetwork.random([2, 6, 1], seed=4),
        rg.ReLUNetwork.random([2, 5, 4, 1], seed=1),
    ):
        cx = rg.compile_network(net)
        fig = iv.view_complex(cx)
        fill = {t.meta: t.fillcolor for t in _traces(fig, "region")}
        for f in cx.cells_of_dim(1):
            a, b = (c.index for c in f.cofaces)
            if a in fill and b in fill:
                assert fill[a] != fill[b]
        lines = {t.line.color for t in _traces(fig, "facet")}
        assert not lines & set(fill.values())
    assert not set(iv.REGION_FILLS) & set(iv.NEURON_LINES)


def test_window_is_independent_of_the_domain():
    cx = rg.compile_network(rg.zoo.central_lines(3))
    fig = iv.view_complex(cx, window=(-1, 2))
    assert tuple(fig.layout.xaxis.range) == (-1.0, 2.0)
    for t in _traces(fig, "region"):
        assert all(-1 <= v <= 2 for v in t.x) and all(-1 <= v <= 2 for v in t.y)


def _far_vertex_network():
    # lines x1 = 0..9, x2 = 0 and the nearly parallel 1000 x2 = x1 - 1000: 20 vertices with
    # |x| < 10 and one far away, at (1000, 0)
    rows = [[1, 0]] * 10 + [[0, 1], [-1, 1000]]
    return rg.ReLUNetwork([rows, [[1] * 12]], [[-k for k in range(10)] + [0, 1000], [0]])


def test_views_default_to_the_window_of_the_static_pictures():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from relu_geom.plotting.window import default_window

    cx = rg.compile_network(_far_vertex_network())
    static = rg.plotting.plot_complex(cx, label_regions=False, legend=False).window
    assert static.contains((9, -1 + Fraction(9, 1000))) and not static.contains((1000, 0))
    (x0, x1), (y0, y1) = static.to_float()
    for fig in (iv.view_complex(cx), iv.view_breakpoints(cx)):
        assert tuple(fig.layout.xaxis.range) == (x0, x1) and tuple(fig.layout.yaxis.range) == (y0, y1)
        assert all(v <= x1 for t in fig.data for v in t.x)  # the far vertex is not drawn
    surface = iv.view_function_surface(cx)
    assert max(v for t in surface.data for v in t.x) == x1
    # window= chooses: the window around every vertex shows the far one
    full = default_window(cx)
    fig = iv.view_complex(cx, window=full)
    assert tuple(fig.layout.xaxis.range) == full.to_float()[0]
    (verts,) = _traces(fig, "vertices")
    assert 1000.0 in list(verts.x) and len(verts.x) == 21


def test_three_d_view_frames_its_window():
    fig = iv.view_complex(rg.ReLUNetwork.random([3, 3, 1], seed=0), window=(-1, 2))
    scene = fig.layout.scene
    assert [tuple(a.range) for a in (scene.xaxis, scene.yaxis, scene.zaxis)] == [(-1.0, 2.0)] * 3


def test_three_octants_cubes():
    net = specimens.relu_sum_3d()
    fig = iv.view_complex(net, domain=(-1, 1))
    regions = _traces(fig, "region")
    assert len(regions) == 8  # the eight unit cubes of [-1, 1]^3
    for t in regions:
        assert len(t.x) == 8 and len(t.i) == 12  # 8 corners, 6 square faces in 2 triangles each
        assert sorted(set(t.x)) in ([-1.0, 0.0], [0.0, 1.0])
    assert len(_traces(fig, "facet")) == 12 + 24  # 12 inner squares, 24 squares on the boundary


def test_one_dimensional_graph_of_f():
    fig = iv.view_complex(rg.zoo.abs_1d(), window=(-2, 3))
    pieces = _traces(fig, "region")
    assert len(pieces) == 2
    for t in pieces:
        assert [abs(x) for x in t.x] == list(t.y)  # |x| at the ends of each piece


def test_surface_lifts_exact_values():
    from relu_geom.plotting.window import Window, clip_cell

    net = rg.zoo.demo()
    cx = rg.compile_network(net)
    window = Window.from_bounds([(-1, 1), (-1, 1)])
    fig = iv.view_function_surface(cx, window=window)
    for t in _traces(fig, "region"):
        corners = clip_cell(cx.cells[t.meta], window).points  # exact corners, recomputed
        assert list(t.x) == [float(p[0]) for p in corners] and list(t.y) == [float(p[1]) for p in corners]
        assert list(t.z) == [float(net(p)[0]) for p in corners]  # f evaluated exactly, then drawn
    creases = _traces(fig, "crease")
    bent = rg.bent_facets(rg.compile_network(net))
    assert len(creases) <= sum(bent.values())


def test_breakpoints_and_graph_views():
    fig = iv.view_breakpoints(rg.zoo.demo())
    bc = rg.breakpoint_complex(rg.zoo.demo())
    assert len(fig.data) <= bc.n_facets and all("weight (" in t.hovertext for t in fig.data)
    g = rg.bent_hyperplane_graph(rg.zoo.demo())
    fig = iv.view_bent_hyperplane_graph(rg.zoo.demo())
    assert len(fig.data[-1].x) == g.number_of_nodes()
    assert len(fig.data) - 1 == g.number_of_edges()


def test_bad_input_is_our_error():
    with pytest.raises(rg.UnsupportedInputError):
        iv.view_complex(rg.ReLUNetwork.random([4, 2, 1], seed=0))
    with pytest.raises(rg.InvalidInputError):
        iv.view_complex(rg.zoo.demo(), color_by="rainbow")
    with pytest.raises(rg.InvalidInputError):
        iv.view_complex("not a network")


def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("no chromium on this machine (apt-get install chromium)")


def _render(path):
    out = subprocess.run(
        [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--enable-unsafe-swiftshader",
         "--use-angle=swiftshader", "--virtual-time-budget=8000", "--dump-dom", path.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    m = re.search(r'<div id="relu-geom-status"[^>]*>([^<]*)</div>', out.stdout)
    assert m, f"the page did not report its status: {out.stderr[-500:]}"
    return json.loads(m.group(1))


def test_page_renders_in_a_real_browser(tmp_path):
    net = rg.zoo.demo()
    fig = iv.view_complex(net)
    page = tmp_path / "complex.html"
    iv.write_html(fig, page)
    assert "cdn.plot.ly" not in page.read_text()[:2000]  # self-contained
    status = _render(page)
    assert status["errors"] == []
    assert status["traces"] == len(fig.data) == status["drawn"]
    cx = rg.compile_network(net)
    assert len(_traces(fig, "region")) == cx.n_regions


def test_three_d_page_renders_in_a_real_browser(tmp_path):
    fig = iv.view_complex(rg.ReLUNetwork.random([3, 4, 1], seed=2), domain=(-1, 1))
    page = tmp_path / "complex3d.html"
    iv.write_html(fig, page)
    status = _render(page)
    assert status["errors"] == [] and status["traces"] == len(fig.data) and status["canvases"] >= 1


def test_view_command(tmp_path):
    from relu_geom.cli import main

    out = tmp_path / "v.html"
    assert main(["view", "zoo:demo", "-o", str(out)]) == 0
    assert out.read_text().startswith("<html") or "<html" in out.read_text()[:200]
    assert main(["view", "zoo:demo", "--surface", "-o", str(tmp_path / "s.html")]) == 0
    assert main(["view", "zoo:abs_1d", "--surface", "-o", str(tmp_path / "x.html")]) == 2
    assert not (tmp_path / "x.html").exists()
