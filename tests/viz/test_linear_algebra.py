"""The linear algebra figures draw the engine's numbers."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine import layers, linear_maps, matmul, vectors
from ui.compute import to_host
from viz import layers as layer_charts
from viz import matrices, parts, planes
from viz import vectors as vector_charts
from viz.theme import STEADY_RUNGS, steady_extent


def test_product_panels_show_a_b_c_and_outline_the_cell():
    lesson = to_host(matmul.matmul_lesson(3, 4, 4, 2, row=2, col=1))
    fig_a, fig_b, fig_c = matrices.product_panels(lesson).figures
    np.testing.assert_array_equal(fig_a.data[0].z, lesson.a)
    np.testing.assert_array_equal(fig_b.data[0].z, lesson.b)
    np.testing.assert_array_equal(fig_c.data[0].z, lesson.matmul.value)
    row, column, cell = (fig.layout.shapes[0] for fig in (fig_a, fig_b, fig_c))
    assert (row.y0, row.y1, row.x0, row.x1) == (1.5, 2.5, -0.5, 3.5)  # all of row 2 of A
    assert (column.x0, column.x1, column.y0, column.y1) == (0.5, 1.5, -0.5, 3.5)  # all of column 1 of B
    assert (cell.x0, cell.x1, cell.y0, cell.y1) == (0.5, 1.5, 1.5, 2.5)  # column 1, row 2
    assert fig_a.data[0].zmid == 0
    assert [fig.layout.title.text for fig in (fig_a, fig_b, fig_c)] == ["A (3×4)", "B (4×2)", "C = A @ B (3×2)"]


def test_a_and_b_share_one_colour_scale_and_one_bar():
    lesson = to_host(matmul.matmul_lesson(3, 3, 3, 3, seed=5))
    traces = [fig.data[0] for fig in matrices.product_panels(lesson).figures]
    peak = np.abs(np.concatenate([lesson.a.ravel(), lesson.b.ravel()])).max()
    assert traces[0].zmax == traces[1].zmax == peak
    assert traces[2].zmax == np.abs(lesson.matmul.value).max()
    assert [t.showscale for t in traces] == [False, True, True]  # one bar for A and B, beside B; C its own


@pytest.mark.parametrize(("n", "p"), [(4, 2), (8, 1), (1, 8), (12, 12), (1, 1)])
def test_columns_of_the_row_follow_the_matrix_widths(n, p):
    lesson = to_host(matmul.matmul_lesson(3, n, n, p))
    widths = matrices.product_panels(lesson).widths
    assert sum(widths) == pytest.approx(1)
    assert min(widths) >= matrices.MIN_SHARE - 1e-9
    assert widths[1] == pytest.approx(widths[2])  # B and C have the same columns, and each a colour bar
    if n > p + matrices.BAR_COLUMNS:
        assert widths[0] > widths[1]
    elif n < p:
        assert widths[0] < widths[1]


def test_failed_product_panel_says_why():
    row = matrices.product_panels(to_host(matmul.matmul_lesson(3, 4, 5, 2)))
    assert len(row.figures) == 3
    fig_c = row.figures[2]
    assert not fig_c.data
    assert any("error" in a.text for a in fig_c.layout.annotations)
    assert not row.figures[0].layout.shapes  # no row outlined when there is no cell to explain


def test_cell_sum_adds_up_to_the_cell():
    lesson = to_host(matmul.matmul_lesson(2, 5, 5, 2, row=1, col=0, seed=4))
    bars = matrices.cell_sum(lesson).data[0]
    assert sum(bars.y[:-1]) == pytest.approx(lesson.cell_value)


@pytest.mark.parametrize(
    ("value", "text"),
    [(3.0, "3"), (-4.0, "-4"), (-0.0, "0"), (128.0, "128"), (0.5, "0.5"), (-1.25, "-1.25"), (1 / 3, "0.3333")],
)
def test_number_text_keeps_integers_whole(value, text):
    assert matrices.number_text(value) == text


def test_typed_decimals_are_printed_not_rounded_to_integers():
    a = matmul.parse_matrix("0.5 -1.25\n2 0.1", "A")
    b = matmul.parse_matrix("1.5 0\n-2 3", "B")
    lesson = to_host(matmul.matmul_lesson_from(a, b, row=0, col=0))
    fig_a, _, fig_c = matrices.product_panels(lesson).figures
    assert fig_a.data[0].text.tolist() == [["0.5", "-1.25"], ["2", "0.1"]]
    assert fig_a.data[0].customdata[0][1] == "-1.25"  # the hover
    c = np.asarray(lesson.matmul.value)
    assert fig_c.data[0].text[0][0] == f"{c[0, 0]:.4g}" == "3.25"  # 0.5·1.5 + (-1.25)(-2)
    hovers = matrices.cell_sum(lesson).data[0].hovertext
    assert hovers[1] == "A[0,1]·B[1,0] = -1.25 × -2 = 2.5" and hovers[-1] == "sum = 3.25"


def test_integer_matrices_print_integers():
    lesson = to_host(matmul.matmul_lesson(3, 3, 3, 3, seed=2))
    for fig in matrices.product_panels(lesson).figures:
        assert all(cell.lstrip("-").isdigit() for row in fig.data[0].text for cell in row)


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


@given(st.floats(min_value=1e-12, max_value=1e12))
def test_a_steady_extent_holds_the_value_and_wastes_at_most_a_quarter(value):
    frame = steady_extent(value)
    assert value * (1 - 1e-9) <= frame <= value * 4 / 3 * (1 + 1e-9)
    # On the ladder: a rung times a power of ten, and a frame is its own steady extent.
    mantissa = frame / 10.0 ** math.floor(math.log10(frame) + 1e-12)
    assert any(math.isclose(mantissa, rung, rel_tol=1e-9) for rung in STEADY_RUNGS)
    assert steady_extent(frame) == frame


@pytest.mark.parametrize("value", [0.0, -2.0, math.nan, math.inf])
def test_a_steady_extent_leaves_what_is_not_a_positive_number_alone(value):
    assert steady_extent(value) == value or (math.isnan(value) and math.isnan(steady_extent(value)))


def frames(figures):
    return [(tuple(fig.layout.xaxis.range), tuple(fig.layout.yaxis.range)) for fig in figures]


def test_the_layers_frames_hold_still_while_a_weight_moves_one_step_and_hold_every_point():
    # w11 from 1.0 to 0.9 moves the points of the last two panels; followed exactly, their
    # frames (1.1 × the largest coordinate) would change too.
    before, after = (to_host(layers.layer_2d("grid", (w11, 0.6, -0.6, 1.0), (0.3, -0.2), "tanh")) for w11 in (1.0, 0.9))
    assert not np.allclose(before.output, after.output)
    assert frames(layer_charts.layer_stages(before)) == frames(layer_charts.layer_stages(after))
    for result in (before, after):
        stages = (result.points, result.pre_activation, result.output)
        for fig, points in zip(layer_charts.layer_stages(result), stages, strict=True):
            assert np.abs(points).max() <= fig.layout.xaxis.range[1]


def test_the_vectors_frames_hold_still_while_a_length_moves_one_step():
    results = [to_host(vectors.dot_product_2d(a_length, 20.0, 1.5, 140.0)) for a_length in (2.1, 2.2)]
    for chart in (vector_charts.dot_product_plane, vector_charts.dot_versus_angle):
        assert frames(map(chart, results))[0] == frames(map(chart, results))[1]
    for result in results:  # and the arrows and the curve stay inside
        assert 1.15 * max(result.norm_a, result.norm_b) <= vector_charts.dot_product_plane(result).layout.xaxis.range[1]
        assert result.norm_a * result.norm_b <= vector_charts.dot_versus_angle(result).layout.yaxis.range[1]


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
    for fig in forward_figures(8, 4, 6, 2)[2]:
        (trace,) = heatmaps(fig)
        assert trace.showscale, trace.name
    # Depth: the stacked panel shares its scale with the one-matrix panel beside it, whose bar serves both.
    for row in layer_charts.depth_panels(to_host(layers.depth_collapse("relu"))):
        stacked, single, gap = (heatmaps(fig)[0] for fig in row.figures)
        assert not stacked.showscale and single.showscale and gap.showscale
        assert (stacked.zmin, stacked.zmax) == (single.zmin, single.zmax)
    assert parts.heatmap(np.eye(2), zmax=1, name="I")["showscale"]  # the default, for every page
    assert not parts.heatmap(np.eye(2), zmax=1, name="I", showscale=False)["showscale"]


def test_result_figures_name_their_product_in_the_hover():
    lesson = to_host(matmul.matmul_lesson(3, 3, 3, 3))
    fig = matrices.result_figure(lesson.reversed.value, title="B @ A", name="B@A")
    assert fig.data[0].name == "B@A" and fig.data[0].hovertemplate.startswith("B@A[")
    assert fig.layout.title.text == "B @ A (3×3)"
    np.testing.assert_array_equal(fig.data[0].z, lesson.reversed.value)


def test_a_result_drawn_alone_is_as_wide_as_its_columns_need():
    shares = [matrices.result_share(np.zeros((3, cols))) for cols in range(1, 13)]
    assert shares == sorted(shares) and shares[0] == matrices.MIN_RESULT_SHARE and shares[-1] == 1.0
