"""The neural layer page: a figure per row of panels (one per panel on a phone), shared scales, least squares."""

import itertools

import pytest

from engine import layers
from tests.app.helpers import array, metric_values, open_page, plotly_figures
from ui import chart
from ui.viewport import KEY, MEDIUM, NARROW, said

PAGE = "app_pages/neural_layer.py"
FIT_METRIC = "best single matrix: RMS error"


def z_rows(trace) -> int:
    """Rows of a heatmap's z, sent either as nested lists or as plotly's typed array {"bdata", "shape"}."""
    z = trace["z"]
    return int(z["shape"].split(",")[0]) if isinstance(z, dict) else len(z)


def heatmap_traces(figures):
    return [t for fig in figures for t in fig["data"] if t.get("type") == "heatmap"]


@pytest.fixture(scope="module")
def page():
    at = open_page(PAGE, {"depth_act": "relu", "depth_seed": "3"})
    assert not at.exception, at.exception
    return at


def test_a_wide_screen_draws_each_row_as_one_figure_and_a_phone_or_medium_one_one_panel_per_figure(page):
    # 3 stages of the plane, 2 rows x 3 for depth, 2 rows (3 + 2 tensors) of the forward pass.
    panels = [3, 3, 3, 3, 2]
    wide = plotly_figures(page)
    assert [len([k for k in fig["layout"] if k.startswith("xaxis")]) for fig in wide] == panels
    for fig in wide:  # each panel has its own pair of axes, side by side without overlapping
        domains = sorted(fig["layout"][k]["domain"] for k in fig["layout"] if k.startswith("xaxis"))
        assert all(left[1] < right[0] for left, right in itertools.pairwise(domains))
    phone = plotly_figures(open_page(PAGE, {"depth_act": "relu", "depth_seed": "3"}, state={KEY: said(NARROW)}))
    assert len(phone) == sum(panels)  # Streamlit stacks the columns: one panel per row
    # Under viz.row's assumed width, one figure's gaps would be too small for the labels.
    medium = plotly_figures(open_page(PAGE, {"depth_act": "relu", "depth_seed": "3"}, state={KEY: said(MEDIUM)}))
    assert medium == phone
    for fig in phone:
        axes = [key for key in fig["layout"] if key.startswith(("xaxis", "yaxis"))]
        assert sorted(axes) == ["xaxis", "yaxis"], "one panel per figure"
    wide_traces = [t for fig in wide for t in fig["data"]]
    phone_traces = [t for fig in phone for t in fig["data"]]
    assert [t["name"] for t in wide_traces] == [t["name"] for t in phone_traces]  # the same panels, the same data


def test_the_two_difference_panels_share_one_scale(page):
    gaps = [t for t in heatmap_traces(plotly_figures(page)) if t["name"] == "difference"]
    assert len(gaps) == 2
    assert gaps[0]["zmin"] == gaps[1]["zmin"] and gaps[0]["zmax"] == gaps[1]["zmax"]
    expected = layers.depth_collapse("relu", 3)
    assert gaps[0]["zmax"] == pytest.approx(expected.nonlinear_gap, rel=1e-5)


def test_best_single_matrix_error_is_shown(page):
    shown = metric_values(page)
    expected = layers.depth_collapse("relu", 3).best_fit
    assert float(shown[FIT_METRIC]) == pytest.approx(expected.rms_error, abs=1e-3)
    assert float(shown[FIT_METRIC]) > 0.01  # no matrix matches a ReLU network
    assert any("fitted by least squares" in c.value for c in page.caption)


def test_every_heatmap_shows_its_colour_bar(page):
    traces = heatmap_traces(plotly_figures(page))
    assert len(traces) == 6 + 5
    # Every scale is shown once per row: the stacked panel's bar is its neighbour's (same range).
    assert sum(bool(t.get("showscale")) for t in traces) == 4 + 5


def test_grid_classes_are_named_by_the_inputs(page):
    names = {t.get("name") for fig in plotly_figures(page) for t in fig["data"] if t.get("mode") == "markers"}
    assert set(layers.CLASS_NAMES["grid"]) <= names
    assert not any("y = x" in name for name in names)


def test_mlp_sentence_is_accurate(page):
    text = " ".join(m.value for m in page.markdown)
    assert "every transformer" not in text
    assert "SwiGLU" in text and "ReLU" in text


def test_a_batch_of_256_is_a_tall_strip_without_gaps():
    at = open_page(PAGE, {"batch": "256"})
    assert not at.exception
    forward = [t for t in heatmap_traces(plotly_figures(at)) if t["name"].split()[0] in ("X", "W₁ᵀ", "H", "W₂ᵀ", "Y")]
    assert [z_rows(t) for t in forward] == [256, 8, 256, 16, 256]
    assert all(t["xgap"] == 0 and t["ygap"] == 0 for t in forward)


def test_the_largest_batch_forward_pass_stays_within_the_figure_message_budget():
    at = open_page(PAGE, {"batch": "256", "d_in": "64", "d_hidden": "64", "d_out": "64"})
    assert not at.exception, at.exception
    sizes = [e.proto.ByteSize() for e in at.get("bidi_component") if e.proto.component_name == chart.COMPONENT]
    assert max(sizes) < 300 * 1024, sizes  # DESIGN.md's budget for one figure message
    shapes = [array(t["z"]).shape for f in plotly_figures(at) for t in f["data"] if t["type"] == "heatmap"]
    assert (256, 64) in shapes  # X and H at their largest were drawn
