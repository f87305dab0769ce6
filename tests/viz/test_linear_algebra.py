"""The linear algebra figures draw the engine's numbers."""

import numpy as np
import pytest

from engine import layers, linear_maps, matmul
from ui.compute import to_host
from viz import layers as layer_charts
from viz import matrices, planes


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
    fig = layer_charts.layer_stages(r)
    markers = [t for t in fig.data if t.mode == "markers"]
    assert len(markers) == 6  # two classes in each of three panels
    np.testing.assert_allclose(markers[-1].x, r.output[r.labels == 1][:, 0])


def test_depth_and_forward_panels():
    collapse = to_host(layers.depth_collapse("tanh"))
    fig = layer_charts.depth_panels(collapse)
    np.testing.assert_allclose(fig.data[2].z, (collapse.stacked_linear - collapse.single_matrix).T)
    forward = to_host(layers.two_layer_forward(8, 4, 6, 2))
    panels = layer_charts.forward_panels(forward)
    assert [a.text for a in panels.layout.annotations][-1] == "Y 8×2"
    np.testing.assert_allclose(panels.data[-1].z, forward.y)


def test_side_by_side_hover_names():
    lesson = to_host(matmul.matmul_lesson(3, 3, 3, 3))
    fig = matrices.side_by_side(lesson.matmul.value, lesson.reversed.value, ("A @ B", "B @ A"), ("A@B", "B@A"))
    assert [t.name for t in fig.data] == ["A@B", "B@A"]
    assert fig.data[1].hovertemplate.startswith("B@A[")
