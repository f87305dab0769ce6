"""viz.row.side_by_side: a row of one-panel figures as one figure that draws the same panels."""

import numpy as np
import plotly.graph_objects as go
import pytest

from engine import layers, matmul
from tests.app.helpers import array
from ui.compute import to_host
from viz import layers as layer_charts
from viz import matrices
from viz.row import side_by_side
from viz.theme import figure


def panels(row: go.Figure) -> list[str]:
    return sorted(key for key in row.to_dict()["layout"] if key.startswith("xaxis"))


def test_the_matmul_row_keeps_every_trace_and_outline_on_its_own_axes():
    lesson = to_host(matmul.matmul_lesson(3, 4, 4, 2, row=2, col=1))
    figures = matrices.product_panels(lesson).figures
    row = side_by_side(figures, matrices.product_panels(lesson).widths)
    assert row is not None
    go.Figure(row.to_dict())  # valid for plotly: no property it would drop in the browser
    spec = row.to_dict()
    assert [(t["name"], t["xaxis"], t["yaxis"]) for t in spec["data"]] == [
        ("A", "x", "y"),
        ("B", "x2", "y2"),
        ("C", "x3", "y3"),
    ]
    for original, trace in zip(figures, spec["data"], strict=True):
        np.testing.assert_array_equal(array(trace["z"]).reshape(original.data[0].z.shape), original.data[0].z)
    # The outlines (row of A, column of B, cell of C) stay in each panel's data coordinates.
    assert [(s["xref"], s["yref"], s["x0"], s["y0"]) for s in spec["layout"]["shapes"]] == [
        ("x", "y", -0.5, 1.5),
        ("x2", "y2", 0.5, -0.5),
        ("x3", "y3", 0.5, 1.5),
    ]
    assert [spec["layout"][f"yaxis{s}"]["anchor"] for s in ("", "2", "3")] == ["x", "x2", "x3"]
    titles = [a["text"] for a in spec["layout"]["annotations"]]
    assert titles == ["A (3×4)", "B (4×2)", "C = A @ B (3×2)"]


def test_domains_follow_the_widths_and_leave_room_for_a_colour_bar():
    lesson = to_host(matmul.matmul_lesson(3, 4, 4, 2))
    product = matrices.product_panels(lesson)
    spec = side_by_side(product.figures, product.widths).to_dict()
    domains = [spec["layout"][f"xaxis{s}"]["domain"] for s in ("", "2", "3")]
    assert domains[0][0] == 0 and domains[-1][1] <= 1
    sizes = [high - low for low, high in domains]
    assert [size / sizes[0] for size in sizes] == pytest.approx([w / product.widths[0] for w in product.widths])
    # B's colour bar sits right of B and ends before C starts.
    bar = next(t["colorbar"] for t in spec["data"] if t["name"] == "B")
    assert domains[1][1] < bar["x"] < domains[2][0]


def test_shorter_panels_keep_to_the_top_with_their_colour_bar_just_under_them():
    forward = to_host(layers.two_layer_forward(32, 8, 16, 3, "relu"))
    row = layer_charts.forward_panels(forward)[1]  # W2ᵀ (16 rows) beside Y (32 rows)
    spec = side_by_side(row.figures, row.widths).to_dict()
    short, tall = spec["layout"]["yaxis"]["domain"], spec["layout"]["yaxis2"]["domain"]
    # Square cells stay square: each y axis is tied to its own x axis.
    assert [spec["layout"][f"yaxis{s}"]["scaleanchor"] for s in ("", "2")] == ["x", "x2"]
    assert short[1] == tall[1] == 1 and tall[0] == 0
    assert short[0] == pytest.approx(0.5, abs=0.01)  # 16 rows of 32
    bars = [t["colorbar"] for t in spec["data"]]
    assert bars[0]["yref"] == "paper" and bars[0]["y"] < short[0]  # under W2ᵀ, not at the row's bottom
    assert bars[0]["y"] > bars[1]["y"]


def test_one_legend_stays_and_the_other_panels_traces_leave_it():
    stages = layer_charts.layer_stages(to_host(layers.layer_2d("clusters", (1.0, 0.5, -0.5, 1.0), (0.0, 0.0), "relu")))
    spec = side_by_side(stages).to_dict()
    assert spec["layout"]["showlegend"] is True
    in_legend = [t["name"] for t in spec["data"] if t.get("showlegend", True)]
    assert in_legend == [t.name for t in stages[0].data if t.showlegend is not False]  # the first panel's entries
    assert all(t.get("showlegend") is False for t in spec["data"] if t["xaxis"] != "x")


def test_what_one_figure_cannot_hold_is_left_to_separate_charts():
    one = figure([dict(type="scatter", x=[0, 1], y=[0, 1])])
    two_axes = figure([dict(type="scatter", x=[0], y=[0], yaxis="y2")], {"yaxis2": {"overlaying": "y"}})
    bars = figure([dict(type="bar", x=[0], y=[1])], {"barmode": "stack"})
    legend = figure([dict(type="scatter", x=[0], y=[0], name=n) for n in "ab"])
    assert side_by_side([one]) is None  # nothing to put side by side
    assert side_by_side([one, two_axes]) is None
    assert side_by_side([one, bars]) is None  # barmode belongs to the whole figure
    assert side_by_side([legend, legend]) is None  # two legends
    assert side_by_side([one, one]) is not None
