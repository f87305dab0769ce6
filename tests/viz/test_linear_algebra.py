"""The linear algebra figures draw the engine's numbers."""

import numpy as np
import pytest

from engine import layers, linear_maps, matmul
from ui.compute import to_host
from viz import layers as layer_charts
from viz import matrices, parts, planes


def test_product_panels_show_a_b_c_and_outline_the_cell():
    lesson = to_host(matmul.matmul_lesson(3, 4, 4, 2, row=2, col=1))
    fig = matrices.product_panels(lesson)
    np.testing.assert_array_equal(fig.data[0].z, lesson.a)
    np.testing.assert_array_equal(fig.data[2].z, lesson.matmul.value)
    cell = fig.layout.shapes[2]
    assert (cell.x0, cell.x1, cell.y0, cell.y1) == (0.5, 1.5, 1.5, 2.5)  # column 1, row 2
    assert fig.data[0].zmid == 0


def test_failed_product_panel_says_why():
    fig = matrices.product_panels(to_host(matmul.matmul_lesson(3, 4, 5, 2)))
    assert len(fig.data) == 2
    assert any("error" in a.text for a in fig.layout.annotations)


def test_cell_sum_adds_up_to_the_cell():
    lesson = to_host(matmul.matmul_lesson(2, 5, 5, 2, row=1, col=0, seed=4))
    bars = matrices.cell_sum(lesson).data[0]
    assert sum(bars.y[:-1]) == pytest.approx(lesson.cell_value)


def test_polylines_separate_lines_with_gaps():
    lines = np.arange(12, dtype=float).reshape(2, 3, 2)
    xs, ys = planes.polylines(lines)
    assert len(xs) == 8 and np.isnan(xs[3]) and np.isnan(ys[7])
    np.testing.assert_array_equal(xs[:3], [0, 2, 4])


def test_linear_map_figure_draws_basis_images_and_eigenlines():
    result = to_host(linear_maps.linear_map(*linear_maps.PRESETS["symmetric"]))
    fig = planes.linear_map_figure(result)
    i_hat = next(t for t in fig.data if t.name.startswith("î"))
    np.testing.assert_allclose([i_hat.x[1], i_hat.y[1]], result.i_hat)
    assert sum(t.name.startswith("eigenline") for t in fig.data) == 2
    assert sum(t.name.startswith("σ") for t in fig.data) == 2
    hidden = planes.linear_map_figure(result, show_eigen=False, show_svd=False)
    assert not any(t.name.startswith(("eigenline", "σ")) for t in hidden.data)


def eigenline_names(fig) -> list[str]:
    return [t.name for t in fig.data if t.name.startswith("eigenline")]


def singular_axis_names(fig) -> list[str]:
    return [t.name for t in fig.data if "ellipse semi-axis" in t.name]


def test_a_shear_has_exactly_one_eigenline():
    shear = to_host(linear_maps.linear_map(*linear_maps.PRESETS["shear"]))
    fig = planes.linear_map_figure(shear)
    assert len(eigenline_names(fig)) == 1
    line = next(t for t in fig.data if t.name.startswith("eigenline"))
    assert line.y[0] == pytest.approx(0) and line.y[1] == pytest.approx(0)  # the x-axis: (1, 0) is fixed


@pytest.mark.parametrize("entries", [(2, 0, 0, 2), (1, 0, 0, 1), (-0.5, 0, 0, -0.5)])
def test_every_direction_is_said_not_drawn_as_two_lines(entries):
    fig = planes.linear_map_figure(to_host(linear_maps.linear_map(*entries)))
    assert eigenline_names(fig) == []
    note = next(t for t in fig.data if t.name.startswith("every direction is an eigenvector"))
    assert all(x is None for x in note.x)  # a legend entry, nothing drawn


@pytest.mark.parametrize("preset", ["rotation 30°", "reflection", "identity"])
def test_no_singular_axes_when_the_circle_stays_a_circle(preset):
    result = to_host(linear_maps.linear_map(*linear_maps.PRESETS[preset]))
    assert result.circle_stays_circle
    fig = planes.linear_map_figure(result)
    assert singular_axis_names(fig) == []
    names = [t.name for t in fig.data]
    assert any(n.startswith("image of the circle: a circle of radius σ = 1") for n in names)
    assert any(n.startswith("no singular axes") for n in names)


def test_singular_axes_drawn_when_the_circle_becomes_an_ellipse():
    shear = to_host(linear_maps.linear_map(*linear_maps.PRESETS["shear"]))
    assert not shear.circle_stays_circle
    fig = planes.linear_map_figure(shear)
    assert len(singular_axis_names(fig)) == 2
    assert not any(t.name.startswith("no singular axes") for t in fig.data)
    assert any(t.name == "image of the circle: an ellipse" for t in fig.data)


@pytest.mark.parametrize("kind", ["map", "composition"])
def test_plane_charts_have_axis_titles(kind):
    presets = linear_maps.PRESETS
    if kind == "map":
        fig = planes.linear_map_figure(to_host(linear_maps.linear_map(*presets["shear"])))
    else:
        fig = planes.composition_figure(to_host(linear_maps.compose(presets["rotation 30°"], presets["shear"])))
    assert fig.layout.xaxis.title.text.startswith("x₁")
    assert fig.layout.yaxis.title.text.startswith("x₂")


def test_composition_figure_draws_both_orders():
    presets = linear_maps.PRESETS
    comp = to_host(linear_maps.compose(presets["rotation 30°"], presets["shear"]))
    fig = planes.composition_figure(comp)
    composed = next(t for t in fig.data if t.name.startswith("after M₁ then M₂"))
    other = next(t for t in fig.data if t.name.startswith("other order"))
    np.testing.assert_allclose(np.c_[composed.x, composed.y], comp.square_composed)
    np.testing.assert_allclose(np.c_[other.x, other.y], comp.square_other_order)


def test_negative_determinant_turns_the_square_red():
    flip = to_host(linear_maps.linear_map(*linear_maps.PRESETS["reflection"]))
    square = next(t for t in planes.linear_map_figure(flip).data if t.name.startswith("image of the square"))
    keep = to_host(linear_maps.linear_map(*linear_maps.PRESETS["scaling"]))
    other = next(t for t in planes.linear_map_figure(keep).data if t.name.startswith("image of the square"))
    assert square.fillcolor != other.fillcolor


def test_layer_stages_plot_inputs_and_outputs():
    r = to_host(layers.layer_2d("clusters", (1, 0.5, -0.5, 1), (0.2, -0.3), "relu"))
    figures = layer_charts.layer_stages(r)
    assert len(figures) == 3  # one figure per panel: the page stacks them on a phone
    markers = [[t for t in fig.data if t.mode == "markers"] for fig in figures]
    assert [len(m) for m in markers] == [2, 2, 2]  # two classes in each panel
    np.testing.assert_allclose(markers[2][1].x, r.output[r.labels == 1][:, 0])
    np.testing.assert_allclose(markers[0][0].y, r.points[r.labels == 0][:, 1])
    assert [fig.layout.showlegend for fig in figures] == [True, False, False]
    for fig in figures:
        assert fig.layout.yaxis.scaleanchor == "x"  # square: a fold is drawn at its true angle


def test_grid_legend_names_the_inputs_not_the_output():
    r = to_host(layers.layer_2d("grid", (1, 0, 0, 1), (0, 0), "relu"))
    names = {t.name for t in layer_charts.layer_stages(r)[0].data if t.mode == "markers"}
    assert names == set(layers.CLASS_NAMES["grid"])
    assert not any("y" in name for name in names)


def heatmaps(fig):
    return [t for t in fig.data if t.type == "heatmap"]


def test_depth_differences_share_one_colour_scale():
    collapse = to_host(layers.depth_collapse("tanh"))
    rows = layer_charts.depth_panels(collapse)
    assert len(rows) == 2 and all(len(row.figures) == 3 for row in rows)
    linear_gap, nonlinear_gap = (heatmaps(row.figures[2])[0] for row in rows)
    np.testing.assert_allclose(linear_gap.z, collapse.stacked_linear - collapse.single_matrix)
    np.testing.assert_allclose(nonlinear_gap.z, collapse.stacked_nonlinear - collapse.single_matrix)
    # One scale for both: 1e-7 is white next to a difference of order 1.
    assert (linear_gap.zmin, linear_gap.zmax) == (nonlinear_gap.zmin, nonlinear_gap.zmax)
    assert linear_gap.zmax == pytest.approx(collapse.nonlinear_gap)
    assert np.abs(linear_gap.z).max() < 1e-5 * linear_gap.zmax
    # The four output panels share another scale.
    values = [heatmaps(fig)[0] for row in rows for fig in row.figures[:2]]
    assert len({(t.zmin, t.zmax) for t in values}) == 1


def test_depth_panels_are_readable():
    rows = layer_charts.depth_panels(to_host(layers.depth_collapse("relu")))
    for fig in (fig for row in rows for fig in row.figures):
        trace = heatmaps(fig)[0]
        assert trace.textfont.size >= 11 and trace.texttemplate
        assert fig.layout.yaxis.scaleanchor == "x"
        assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text  # each panel titles its own axes
    labels = heatmaps(rows[0].figures[2])[0].text
    assert all(len(label) <= 6 for label in np.ravel(labels))  # e.g. "-2e-7": fits a small cell


@pytest.mark.parametrize(("value", "label"), [(0.0, "0"), (2.384e-7, "2e-7"), (-1.2e-6, "-1e-6"), (0.531, "0.53")])
def test_short_number(value, label):
    assert layer_charts.short_number(value) == label


def forward_figures(*sizes):
    forward = to_host(layers.two_layer_forward(*sizes))
    rows = layer_charts.forward_panels(forward)
    return forward, rows, [fig for row in rows for fig in row.figures]


def test_forward_panels_draw_every_tensor_to_scale():
    forward, rows, figures = forward_figures(8, 4, 6, 2)
    assert [len(row.figures) for row in rows] == [3, 2]  # one row per layer: X, W₁ᵀ, H, then W₂ᵀ, Y
    assert [f.layout.title.text for f in figures] == ["X<br>8×4", "W₁ᵀ<br>4×6", "H<br>8×6", "W₂ᵀ<br>6×2", "Y<br>8×2"]
    for fig, tensor in zip(figures, (forward.x, forward.w1.T, forward.hidden, forward.w2.T, forward.y), strict=True):
        np.testing.assert_allclose(heatmaps(fig)[0].z, tensor)
        assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.yaxis.scaleratio == 1  # square cells
    # Figure heights grow with the rows by one cell size, the same in every panel.
    cell = rows[0].cell
    margins = figures[0].layout.margin.t + figures[0].layout.margin.b
    for fig in figures:
        assert fig.layout.height - margins == pytest.approx(np.shape(heatmaps(fig)[0].z)[0] * cell, abs=1)
    x_width, w1t_width, h_width = rows[0].widths
    assert w1t_width == pytest.approx(h_width) and w1t_width > x_width  # 6 columns against 4


@pytest.mark.parametrize("columns", [[8, 16, 16], [1, 64, 64], [64, 1, 1], [5, 5, 5], [3, 3]])
def test_column_shares_are_proportional_above_a_floor(columns):
    shares = np.array(layer_charts.column_shares(columns, 0.25))
    assert shares.sum() == pytest.approx(1) and shares.min() >= 0.25 - 1e-12
    free = shares > 0.25 + 1e-12
    if free.sum() > 1:  # the columns above the floor share the rest in proportion
        ratio = shares[free] / np.array(columns)[free]
        assert np.allclose(ratio, ratio[0])


@pytest.mark.parametrize("sizes", [(32, 8, 16, 3), (1, 64, 16, 3), (256, 8, 64, 1), (4, 64, 64, 64)])
def test_forward_cells_fit_every_column(sizes):
    _, rows, _ = forward_figures(*sizes)
    for row in rows:
        for fig, share in zip(row.figures, row.widths, strict=True):
            _, cols = np.shape(heatmaps(fig)[0].z)
            assert cols * row.cell <= share * layer_charts.ROW_WIDTH + 1e-9  # the same cell fits every panel
            assert fig.layout.height <= layer_charts.MAX_PANEL_HEIGHT + 200


def test_a_large_batch_is_drawn_without_gaps():
    *_, figures = forward_figures(256, 8, 16, 3)
    assert np.shape(heatmaps(figures[0])[0].z) == (256, 8)
    for fig in figures:
        trace = heatmaps(fig)[0]
        assert trace.xgap == 0 and trace.ygap == 0  # 1 px gaps would be white stripes in ~2 px cells
    assert figures[0].layout.height > 3 * figures[1].layout.height  # X is a tall strip, W₁ᵀ is not
    *_, small = forward_figures(4, 3, 4, 2)
    assert heatmaps(small[0])[0].xgap == 1  # big cells keep their outlines


def test_every_heatmap_has_a_colour_bar():
    figures = [
        *forward_figures(8, 4, 6, 2)[2],
        *(f for row in layer_charts.depth_panels(to_host(layers.depth_collapse("relu"))) for f in row.figures),
    ]
    for fig in figures:
        (trace,) = heatmaps(fig)
        assert trace.showscale, trace.name
    assert parts.heatmap(np.eye(2), zmax=1, name="I")["showscale"]  # the default, for every page
    assert not parts.heatmap(np.eye(2), zmax=1, name="I", showscale=False)["showscale"]


def test_colour_bars_sit_beside_their_own_panel():
    layout, (panels,) = parts.panel_grid(1, 3, ["A", "B", "C"], h_space=0.06)
    for panel in panels:
        bar = parts.heatmap(np.eye(3), zmax=1, name="M", panel=panel)["colorbar"]
        assert bar["x"] == pytest.approx(layout[panel.x_key]["domain"][1])  # its panel's right edge
        assert bar["len"] == pytest.approx(np.diff(layout[panel.y_key]["domain"])[0])  # as tall as the panel
    # The signature other pages use still works and still places the bar.
    trace = parts.heatmap(np.eye(3), zmax=1, name="A", value_format=".0f", panel=panels[1])
    assert trace["xaxis"] == panels[1].x and trace["colorbar"]["x"] < 1


def test_side_by_side_hover_names():
    lesson = to_host(matmul.matmul_lesson(3, 3, 3, 3))
    fig = matrices.side_by_side(lesson.matmul.value, lesson.reversed.value, ("A @ B", "B @ A"), ("A@B", "B@A"))
    assert [t.name for t in fig.data] == ["A@B", "B@A"]
    assert fig.data[1].hovertemplate.startswith("B@A[")
