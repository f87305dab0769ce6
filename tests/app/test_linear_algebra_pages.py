"""Page-specific behaviour of the linear algebra pages."""

import numpy as np
import pytest

from engine import layers, linear_maps, matmul
from tests.app.helpers import array, errors, formulas, metric_values, open_page, plotly_figures

LOADED = {"_matmul_loaded": "loaded"}  # app_pages/matmul.py's key in ui/loading.py: the page has been drawn


def test_matmul_shape_mismatch_shows_pytorchs_error():
    at = open_page("app_pages/matmul.py", {"n": "3", "n2": "5"})
    assert not at.exception
    assert any("shapes do not fit" in e for e in errors(at))
    real = matmul.matmul_lesson(3, 3, 5, 2).matmul.error
    assert any(real in c.value for c in at.code)


def test_matmul_cell_pick_reproduced_from_the_url():
    at = open_page("app_pages/matmul.py", {"m": "4", "i": "3", "j": "1", "matrix_seed": "7"})
    expected = matmul.matmul_lesson(4, 4, 4, 2, 3, 1, 7)
    assert any("C_{31}" in f and f"= {expected.cell_value:.0f}" in f for f in formulas(at))


def test_matmul_states_the_cost_of_the_shown_product():
    at = open_page("app_pages/matmul.py", {"m": "5", "n": "6", "n2": "6", "p": "7"})
    assert any(f"= {2 * 5 * 6 * 7:,} FLOPs" in s.value for s in at.success)


def test_matmul_cost_panel_reports_the_flops():
    # The panel measures once the page has loaded (see app_pages/matmul.cost): start from there.
    at = open_page("app_pages/matmul.py", {"size": "512"}, state=LOADED)
    assert float(metric_values(at)["work 2N³ (GFLOP)"]) == pytest.approx(2 * 512**3 / 1e9, abs=1e-3)


@pytest.mark.parametrize("preset", list(linear_maps.PRESETS))
def test_preset_buttons_load_the_matrix(preset):
    at = open_page("app_pages/linear_maps.py")
    at.button(key=f"preset_{preset}").click().run()
    assert not at.exception
    # The sliders move in steps of 0.01, so a preset arrives rounded to 2 decimals (cos 30° -> 0.87).
    rounded = [round(v, 2) for v in linear_maps.PRESETS[preset]]
    assert [at.session_state[k] for k in "abcd"] == rounded  # exactly: -0.5, not -0.49999999999999994
    assert [at.slider(key=k).value for k in "abcd"] == rounded
    expected = linear_maps.linear_map(*rounded)
    assert float(metric_values(at)["det M (area scale)"]) == pytest.approx(expected.determinant, rel=1e-3)
    assert any(expected.description in i.value for i in at.info)


def test_rotation_preset_is_still_described_as_a_rotation():
    at = open_page("app_pages/linear_maps.py")
    at.button(key="preset_rotation 30°").click().run()
    assert at.session_state["b"] == -0.5 and at.session_state["a"] == 0.87
    assert any("rotates every vector by 29.9°" in i.value for i in at.info)
    figure = plotly_figures(at)[0]
    names = [t.get("name", "") for t in figure["data"]]
    assert not any("ellipse semi-axis" in n for n in names)  # σ₁ = σ₂: no axes drawn
    assert any(n.startswith("image of the circle: a circle of radius") for n in names)


def test_linear_map_url_reproduces_the_matrix():
    at = open_page("app_pages/linear_maps.py", {"a": "2", "b": "0", "c": "0", "d": "-1", "m1": "reflection"})
    assert float(metric_values(at)["det M (area scale)"]) == pytest.approx(-2.0)
    assert at.selectbox(key="m1").value == "reflection"


def test_small_numbers_show_significant_figures():
    at = open_page("app_pages/linear_maps.py", {"a": "0.01", "b": "0", "c": "0", "d": "0.01"})
    metrics = metric_values(at)
    assert metrics["det M (area scale)"] == "0.0001"
    assert metrics["eigenvalues λ"] == "0.01, 0.01"
    assert metrics["singular values σ"] == "0.01, 0.01"
    assert any("det = 0.0001" in i.value for i in at.info)


def test_shear_page_draws_one_eigenline_and_the_singular_axes():
    at = open_page("app_pages/linear_maps.py")  # opens on the shear
    names = [t.get("name", "") for t in plotly_figures(at)[0]["data"]]
    assert sum(n.startswith("eigenline") for n in names) == 1
    assert sum("ellipse semi-axis" in n for n in names) == 2
    assert any("only one eigen-direction" in i.value for i in at.info)


def test_neural_layer_proves_collapse_and_matches_nn_linear():
    at = open_page("app_pages/neural_layer.py", {"d_in": "20", "batch": "64", "depth_act": "tanh"})
    assert not at.exception
    shown = metric_values(at)
    expected = layers.two_layer_forward(64, 20, 16, 3, "relu")
    assert int(shown["parameters"].replace(",", "")) == expected.parameters
    assert float(shown["max |engine − torch.nn.Linear|"]) < 1e-6
    assert float(shown["linear: max |difference|"]) < 1e-5
    assert float(shown["with tanh: max |difference|"]) > 1e-2
    assert len(plotly_figures(at)) == 5  # one figure per row of panels on a wide screen


def test_output_cell_survives_shrinking_and_growing_the_matrix():
    # The row slider disappears at m = 1 but keeps its value; growing m again must not crash.
    at = open_page("app_pages/matmul.py")
    at.slider(key="m").set_value(8).run()
    at.slider(key="i").set_value(7).run()
    at.slider(key="m").set_value(1).run()
    assert not at.exception
    at.slider(key="m").set_value(3).run()
    assert not at.exception, at.exception
    assert at.slider(key="i").value <= 2
    assert not at.error


def test_hover_names_say_which_product():
    at = open_page("app_pages/matmul.py", {"m": "3", "n": "3", "n2": "3", "p": "3"})
    names = [trace["name"] for fig in plotly_figures(at) for trace in fig["data"] if trace.get("type") == "heatmap"]
    assert names == ["A", "B", "C", "A*B", "B@A"]  # A @ B is drawn once, as C


def heatmap_values(at) -> dict[str, np.ndarray]:
    """Each heatmap's numbers by trace name (Plotly sends them base64-encoded)."""
    values = {}
    for fig in plotly_figures(at):
        for trace in fig["data"]:
            if trace.get("type") == "heatmap":
                values[trace["name"]] = array(trace["z"]).astype(float).reshape(np.shape(trace["text"]))
    return values


TYPED_A = "0.5 -1.25 3\n2 0.1 -7"
TYPED_B = "1.5, 0; −2, 4; 0.25, 1"  # semicolons between rows, commas, a Unicode minus sign


def typed(a_text: str, b_text: str, **more: str) -> dict[str, str]:
    return {"entries": "type my own", "a_text": a_text, "b_text": b_text, **more}


def test_typed_matrices_give_numpys_product():
    at = open_page("app_pages/matmul.py", typed(TYPED_A, TYPED_B, i="1", j="1"))
    assert not at.exception, at.exception
    assert not at.error, errors(at)
    a = np.array([[0.5, -1.25, 3], [2, 0.1, -7]], dtype=np.float32)
    b = np.array([[1.5, 0], [-2, 4], [0.25, 1]], dtype=np.float32)
    values = heatmap_values(at)
    np.testing.assert_array_equal(values["A"], a)
    np.testing.assert_array_equal(values["B"], b)
    np.testing.assert_allclose(values["C"], a.astype(float) @ b.astype(float), rtol=1e-6)
    np.testing.assert_allclose(values["B@A"], b.astype(float) @ a.astype(float), rtol=1e-6)
    cell = (a.astype(float) @ b.astype(float))[1, 1]
    assert any(f"C_{{11}} = (2)(0) + (0.1)(4) + (-7)(1) = {cell:.4g}" in f for f in formulas(at))
    assert any("(2, 3) @ (3, 2) -> (2, 2)" in s.value for s in at.success)


def test_typed_mode_hides_the_shape_sliders_and_seed():
    at = open_page("app_pages/matmul.py", typed("1 2\n3 4\n5 6", "1 2 3\n4 5 6"))
    assert not at.exception
    assert {s.key for s in at.slider} == {"i", "j"}  # the output cell only
    assert not at.number_input
    assert [(t.key, t.proto.query_param_key) for t in at.text_area] == [("a_text", "a_text"), ("b_text", "b_text")]
    assert at.slider(key="i").max == 2 and at.slider(key="j").max == 2  # C is 3×3, from the typed shapes
    random = open_page("app_pages/matmul.py")
    assert not random.text_area and {"m", "n", "n2", "p"} <= {s.key for s in random.slider}


def test_typed_shapes_that_do_not_fit_show_pytorchs_error():
    at = open_page("app_pages/matmul.py", typed("1 2\n3 4", "1 2 3\n4 5 6\n7 8 9"))
    assert not at.exception
    assert any("shapes do not fit" in e for e in errors(at))


@pytest.mark.parametrize(
    ("a_text", "b_text", "sentence"),
    [
        ("", "1", "A is empty"),
        ("1 2 3 4\n5 6 7", "1", "Row 2 of A has 3 numbers but row 1 has 4: every row needs the same length."),
        ("1 2", "abc 1", "'abc' in row 1 of B is not a number."),
        ("nan 1", "1", "'nan' in row 1 of A is not a finite number"),
        ("1 2", "3e7", "'3e7' in row 1 of B is too large"),
        ("１ ２", "1", "'１' in row 1 of A is not a number."),
        ("1 😀", "1", "'😀' in row 1 of A is not a number."),
        ("1 " * 1_100, "1", "characters long; the limit is 2,000"),
    ],
)
def test_each_typing_mistake_is_said_on_the_page(a_text, b_text, sentence):
    at = open_page("app_pages/matmul.py", typed(a_text, b_text))
    assert not at.exception, at.exception
    assert any(sentence in e for e in errors(at)), errors(at)
    assert not heatmap_values(at)  # nothing is drawn from a refused matrix


def test_mistakes_in_both_matrices_are_said_at_once():
    at = open_page("app_pages/matmul.py", typed("1 x", "1 2\n3"))
    assert not at.exception
    said = errors(at)
    assert any("'x' in row 1 of A" in e for e in said) and any("Row 2 of B has 1 number" in e for e in said)


def test_a_thirteen_row_paste_is_refused_with_the_cap():
    rows = matmul.MAX_SIDE + 1
    at = open_page("app_pages/matmul.py", typed("\n".join(["1 2"] * rows), "1\n2"))
    assert not at.exception
    assert any(f"{rows} rows" in e and f"at most {matmul.MAX_SIDE} rows" in e for e in errors(at))
    assert not heatmap_values(at)


def test_typing_a_new_matrix_updates_the_product():
    at = open_page("app_pages/matmul.py", {"entries": "type my own"})
    at.text_area(key="a_text").input("2 0\n0 2").run()
    at.text_area(key="b_text").input("1 2\n3 4").run()
    assert not at.exception and not at.error
    np.testing.assert_array_equal(heatmap_values(at)["C"], [[2, 4], [6, 8]])


def test_matmul_times_nothing_while_the_page_loads():
    at = open_page("app_pages/matmul.py")
    assert not at.exception
    assert "work 2N³ (GFLOP)" not in metric_values(at)
    assert any("finished loading" in c.value for c in at.caption)


def test_matmul_timing_says_how_and_when_it_was_measured():
    at = open_page("app_pages/matmul.py", {"size": "256"}, state=LOADED)
    note = next(c.value for c in at.caption if c.value.startswith("Median of"))
    assert "after a warm-up" in note and "Measured 20" in note and "UTC on CPU" in note
    assert "Doubling N from 128" in note


def test_type_my_own_starts_from_the_matrices_on_screen(caplog):
    at = open_page("app_pages/matmul.py", {"m": "2", "p": "3", "matrix_seed": "41"})
    shown = heatmap_values(at)
    at.radio(key="entries").set_value("type my own").run()
    assert not at.exception, at.exception
    a, b = matmul.integer_pair(2, 4, 4, 3, 41)
    assert [t.value for t in at.text_area] == [matmul.matrix_text(a), matmul.matrix_text(b)]
    assert {key: heatmap_values(at)[key].tolist() for key in "ABC"} == {key: shown[key].tolist() for key in "ABC"}
    said = [w.value for w in at.warning] + [caplog.text]
    assert not any("default value" in text for text in said)  # Streamlit's session-state warning


def test_a_link_to_typed_matrices_opens_on_the_random_ones_they_started_from():
    """The link keeps the random setting "type my own" started from; a copied link shows the same boxes."""
    at = open_page("app_pages/matmul.py", {"m": "2", "p": "3", "matrix_seed": "41"})
    at.radio(key="entries").set_value("type my own").run()
    assert str(at.query_params["typed_from"]) == "2,4,4,3,41"
    # What the browser's address then holds (AppTest does not write bound controls into its query_params):
    # the radio's choice and typed_from; unedited boxes stay out of the link.
    opened = open_page("app_pages/matmul.py", {"entries": "type my own", "typed_from": "2,4,4,3,41"})
    a, b = matmul.integer_pair(2, 4, 4, 3, 41)
    assert [t.value for t in opened.text_area] == [matmul.matrix_text(a), matmul.matrix_text(b)]
    np.testing.assert_array_equal(heatmap_values(opened)["C"], (a @ b).numpy())
    at.radio(key="entries").set_value("random integers").run()
    assert "typed_from" not in at.query_params, "back on the sliders, their own parameters say it"


@pytest.mark.parametrize("raw", ["9,4,4,2,0", "3,4,4,2", "a,b,c,d,e", "3,4,4,2,-1", "3,4,4,2,10000"])
def test_an_unusable_typed_from_is_ignored_with_a_sentence(raw):
    at = open_page("app_pages/matmul.py", {"entries": "type my own", "typed_from": raw})
    assert not at.exception
    assert any("typed_from" in c.value and "was ignored" in c.value for c in at.caption)
    a, b = matmul.integer_pair(3, 4, 4, 2, 0)
    assert [t.value for t in at.text_area] == [matmul.matrix_text(a), matmul.matrix_text(b)]


def test_typed_boxes_open_on_the_default_random_matrices():
    """A link to "type my own" with no text in it shows what the switch fills in from the page as it opens."""
    at = open_page("app_pages/matmul.py", {"entries": "type my own"})
    a, b = matmul.integer_pair(3, 4, 4, 2, 0)
    assert [t.value for t in at.text_area] == [matmul.matrix_text(a), matmul.matrix_text(b)]
    np.testing.assert_array_equal(heatmap_values(at)["C"], (a @ b).numpy())
