"""The PCA page in AppTest: the numbers and pictures it shows against scikit-learn's PCA of the digits."""

import numpy as np
import pytest
from sklearn import datasets
from sklearn.decomposition import PCA

from tests.app.helpers import array, formulas, metric_values, open_page, plotly_figures

PAGE = "app_pages/pca.py"
DIGITS = datasets.load_digits().data
REF = PCA().fit(DIGITS)


def by_title(at) -> dict[str, dict]:
    return {f["layout"].get("title", {}).get("text", ""): f for f in plotly_figures(at)}


def percent(text: str) -> float:
    return float(text.rstrip("%")) / 100


def rebuilt(index: int, k: int) -> np.ndarray:
    ref = PCA(n_components=k).fit(DIGITS)
    return ref.inverse_transform(ref.transform(DIGITS[index : index + 1]))[0]


def test_default_view_shows_the_digits_pca():
    at = open_page(PAGE)
    assert not at.exception, at.exception
    assert not at.error
    shown = metric_values(at)
    cumulative = np.cumsum(REF.explained_variance_ratio_)
    assert shown["samples n"] == "1,797" and shown["features d"] == "64"
    assert float(shown["total variance (trace of C)"]) == pytest.approx(REF.explained_variance_.sum(), rel=1e-5)
    assert percent(shown["PC1's share"]) == pytest.approx(REF.explained_variance_ratio_[0], abs=1e-4)
    assert int(shown["k for 90 %"]) == np.argmax(cumulative >= 0.9) + 1
    assert int(shown["k for 99 %"]) == np.argmax(cumulative >= 0.99) + 1
    assert percent(shown["variance kept by 2 axes"]) == pytest.approx(cumulative[1], abs=1e-3)
    # The two routes agree on screen, and the PCA of the digits took well under 100 ms.
    assert float(shown["max |λ − s²/(n−1)|"]) < 1e-9 and float(shown["max |v_eigh ∓ v_svd|"]) < 1e-6
    assert float(shown["eigh route, best of 3"].removesuffix(" ms")) < 100

    figures = by_title(at)
    mean = figures["the mean image x̄"]["data"][0]
    np.testing.assert_allclose(array(mean["z"]), DIGITS.mean(axis=0).reshape(8, 8), rtol=1e-5)
    cov = figures["covariance C (64 × 64)"]["data"][0]
    np.testing.assert_allclose(array(cov["z"]), np.cov(DIGITS, rowvar=False), rtol=1e-4, atol=1e-3)
    bars, line = figures["explained variance (every component)"]["data"]
    np.testing.assert_allclose(array(bars["y"]), REF.explained_variance_ratio_, atol=1e-6)
    np.testing.assert_allclose(array(line["y"]), cumulative, atol=1e-6)
    eigh, svd = figures["variance of each component, two ways (61 that carry variance)"]["data"]
    np.testing.assert_allclose(array(eigh["y"]), REF.explained_variance_[:61], rtol=1e-5)
    np.testing.assert_allclose(array(svd["y"]), REF.explained_variance_[:61], rtol=1e-5)

    # Eight eigen-digits by default: each 8 x 8 block of the grid is a component, up to sign.
    grid = array(figures["the first 8 components as pictures (eigen-digits)"]["data"][0]["z"])
    assert grid.shape == (8, 8 * 9 - 1)
    for i in range(8):
        block = grid[:, 9 * i : 9 * i + 8].ravel()
        sign = np.sign(block @ REF.components_[i])
        np.testing.assert_allclose(block * sign, REF.components_[i], atol=1e-4)

    # Digit 0 rebuilt from 10 components.
    expected = rebuilt(0, 10)
    assert float(shown["mean squared error"]) == pytest.approx(np.mean((expected - DIGITS[0]) ** 2), rel=1e-3)
    np.testing.assert_allclose(array(figures["from 10 components"]["data"][0]["z"]).ravel(), expected, atol=1e-3)
    difference = array(figures["difference"]["data"][0]["z"]).ravel()
    np.testing.assert_allclose(difference, DIGITS[0] - expected, atol=1e-3)
    assert any(r"\lambda_1 = " in f for f in formulas(at))


def test_moving_k_and_the_sample_follows_sklearn():
    at = open_page(PAGE)
    at.slider(key="pca_index").set_value(42)
    at.slider(key="pca_k").set_value(3).run()
    assert not at.exception, at.exception
    shown = metric_values(at)
    expected = rebuilt(42, 3)
    x = DIGITS[42]
    assert float(shown["mean squared error"]) == pytest.approx(np.mean((expected - x) ** 2), rel=1e-3)
    relative = np.linalg.norm(x - expected) / np.linalg.norm(x - DIGITS.mean(axis=0))
    assert percent(shown["‖x − x̂‖ / ‖x − x̄‖"]) == pytest.approx(relative, abs=1e-4)
    cosine = x @ expected / (np.linalg.norm(x) * np.linalg.norm(expected))
    assert float(shown["cos(x, x̂)"]) == pytest.approx(cosine, abs=1e-4)
    assert percent(shown["data set's variance kept"]) == pytest.approx(
        REF.explained_variance_ratio_[:3].sum(), abs=1e-3
    )
    curve = by_title(at)["error of sample 42 against k"]["data"][0]
    errors = array(curve["y"])
    assert errors.shape == (65,) and errors[3] == pytest.approx(np.mean((expected - x) ** 2), rel=1e-3)
    assert np.all(np.diff(errors) <= 1e-4)

    at.checkbox(key="pca_3d").check()
    at.slider(key="pca_show").set_value(16).run()
    titles = by_title(at)
    scatter = titles["1,797 samples on the first 3 components"]["data"]
    assert len(scatter) == 10 and {t["type"] for t in scatter} == {"scatter3d"}
    zeros = scatter[0]
    coords = np.column_stack([array(zeros[axis]) for axis in "xyz"])
    expected = REF.transform(DIGITS[datasets.load_digits().target == 0])[:, :3]
    np.testing.assert_allclose(np.abs(coords), np.abs(expected), atol=1e-3)
    grid = titles["the first 16 components as pictures (eigen-digits)"]["data"][0]["z"]
    grid = array(grid)
    assert grid.shape == (8 * 2 + 2, 8 * 9 - 1)  # two rows of eight, two blank rows between them
    for i in range(8, 16):
        block = grid[10:18, 9 * (i - 8) : 9 * (i - 8) + 8].ravel()
        np.testing.assert_allclose(block * np.sign(block @ REF.components_[i]), REF.components_[i], atol=1e-4)


def test_sentence_embeddings_from_a_link():
    at = open_page(PAGE, {"pca_data": "sentences", "pca_index": "5", "pca_k": "384"})
    assert not at.exception, at.exception
    shown = metric_values(at)
    assert shown["samples n"] == "240" and shown["features d"] == "384"
    assert float(shown["mean squared error"]) < 1e-8  # every component: the sentence comes back whole
    assert float(shown["cos(x, x̂)"]) == pytest.approx(1.0, abs=1e-5)
    assert any(m.value.startswith("**Sample 5**") for m in at.markdown)
    titles = by_title(at)
    assert "covariance C (first 64 of 384 coordinates)" in titles
    assert "the first 8 components, one per row" in titles


@pytest.mark.parametrize("query", [{"pca_index": "99999"}, {"pca_k": "-3", "pca_data": "faces", "pca_index": "1e309"}])
def test_bad_links_are_said_in_words(query):
    at = open_page(PAGE, query)
    assert not at.exception, at.exception
    assert not at.error
    said = " ".join(c.value for c in at.caption)
    assert "ignored" in said or "outside" in said
    assert len(plotly_figures(at)) >= 8
