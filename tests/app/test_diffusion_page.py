"""The Gaussian noise & diffusion page in AppTest: its numbers and pictures against scipy/numpy references."""

import base64
import io
import math

import numpy as np
import pytest
from PIL import Image
from scipy import stats

from engine import images
from tests.app.helpers import array, errors, formulas, metric_values, open_page, plotly_figures

PAGE = "app_pages/diffusion.py"


def linear_alphas_bar(T: int) -> np.ndarray:
    scale = 1000 / T
    return np.concatenate([[1.0], np.cumprod(1 - np.linspace(scale * 1e-4, scale * 0.02, T))])


def cosine_alphas_bar(T: int, s: float = 0.008) -> np.ndarray:
    f = np.cos((np.arange(T + 1) / T + s) / (1 + s) * np.pi / 2) ** 2
    betas = np.minimum(1 - f[1:] / f[:-1], 0.999)
    return np.concatenate([[1.0], np.cumprod(1 - betas)])


def titled(figures: list[dict], start: str) -> dict:
    return next(f for f in figures if f["layout"].get("title", {}).get("text", "").startswith(start))


def trace(figure: dict, name: str) -> dict:
    return next(t for t in figure["data"] if t.get("name", "").startswith(name))


def strip_pixels(figures: list[dict]) -> np.ndarray:
    """The strip's PNG (the first figure that is one image with t labels), decoded."""
    strip = next(f for f in figures if f["data"][0]["type"] == "image" and f["layout"].get("annotations"))
    source = strip["data"][0]["source"]
    assert source.startswith("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1]))).convert("RGB"))


def frames(strip: np.ndarray, count: int = 6, gap: int = 6) -> list[np.ndarray]:
    width = (strip.shape[1] - gap * (count - 1)) // count
    return [strip[:, i * (width + gap) : i * (width + gap) + width] for i in range(count)]


def test_default_view_numbers_and_pictures():
    at = open_page(PAGE)
    assert not at.exception, at.exception
    shown = metric_values(at)
    assert float(shown["peak p(μ) = 1/(σ√(2π))"]) == pytest.approx(stats.norm.pdf(0), abs=1e-4)
    for k in (1, 2, 3):
        label = "within μ ± σ" if k == 1 else f"within μ ± {k}σ"
        assert float(shown[label].rstrip("%")) / 100 == pytest.approx(stats.norm.cdf(k) - stats.norm.cdf(-k), abs=1e-4)
    bars = linear_alphas_bar(1000)
    assert float(shown["ᾱ_t"]) == pytest.approx(bars[250], rel=1e-3)
    assert float(shown["image weight √ᾱ_t"]) == pytest.approx(math.sqrt(bars[250]), abs=1e-4)
    assert float(shown["noise weight √(1 − ᾱ_t)"]) == pytest.approx(math.sqrt(1 - bars[250]), abs=1e-4)
    assert float(shown["signal-to-noise ᾱ/(1 − ᾱ)"]) == pytest.approx(bars[250] / (1 - bars[250]), rel=1e-3)
    figures = plotly_figures(at)

    density = next(f for f in figures if any(t.get("name") == "N(0, 1²)" for t in f["data"]))
    curve = trace(density, "N(0, 1²)")
    np.testing.assert_allclose(array(curve["y"]), stats.norm.pdf(array(curve["x"])), rtol=1e-9)

    qq = titled(figures, "Q-Q plot")
    points = trace(qq, "sample quantiles")
    count = 10000  # the default draws
    i = np.round(np.linspace(0, count - 1, 400)).astype(int) + 1
    positions = (i - 0.3175) / (count + 0.365)
    positions[-1], positions[0] = 0.5 ** (1 / count), 1 - 0.5 ** (1 / count)
    np.testing.assert_allclose(array(points["x"]), stats.norm.ppf(positions), rtol=1e-9, atol=1e-12)
    histogram = titled(figures, "10,000 means")
    assert np.sum(array(histogram["data"][0]["y"]) * array(histogram["data"][0]["width"])) == pytest.approx(1.0)

    alpha = titled(figures, "ᾱ_t")
    np.testing.assert_allclose(array(trace(alpha, "linear")["y"]), bars, rtol=1e-9)
    np.testing.assert_allclose(array(trace(alpha, "cosine")["y"]), cosine_alphas_bar(1000), rtol=1e-9)
    snr = titled(figures, "signal-to-noise")
    assert snr["layout"]["yaxis"]["type"] == "log"
    assert np.all(np.isfinite(array(trace(snr, "linear")["y"])))  # t = 0 (infinite SNR) left out

    first, *_, last = frames(strip_pixels(figures))
    photo = images.bundled_image("china.jpg").numpy()
    k = math.ceil(512 / 112)
    expected = np.round(photo[::k, ::k] * 255).astype(int)
    assert first.shape == expected.shape
    assert np.abs(first.astype(int) - expected).max() <= 1  # t = 0 is the photo itself
    clipped = np.mean((last == 0) | (last == 255))
    assert clipped == pytest.approx(2 * stats.norm.sf(1), abs=0.02)  # t = T: N(0, 1), clipped outside ±1
    assert any("clipped" in c.value for c in at.caption)


def test_a_link_sets_the_schedule_and_the_bell_curve():
    at = open_page(PAGE, {"df_schedule": "cosine", "df_T": "500", "df_t": "100", "df_mu": "1.5", "df_sigma": "2"})
    assert not at.exception, at.exception
    shown = metric_values(at)
    assert float(shown["ᾱ_t"]) == pytest.approx(cosine_alphas_bar(500)[100], rel=1e-3)
    figures = plotly_figures(at)
    density = next(f for f in figures if any(t.get("name") == "N(1.5, 2²)" for t in f["data"]))
    curve = trace(density, "N(1.5, 2²)")
    np.testing.assert_allclose(array(curve["y"]), stats.norm.pdf(array(curve["x"]), 1.5, 2), rtol=1e-9)
    assert float(shown["peak p(μ) = 1/(σ√(2π))"]) == pytest.approx(stats.norm.pdf(0, 0, 2), abs=1e-4)
    assert any("(x - 1.5)^2" in f and f"p(\\mu) = {stats.norm.pdf(0, 0, 2):.4f}" in f for f in formulas(at))


def png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def test_an_upload_is_used_and_a_bad_one_is_explained():
    at = open_page(PAGE)
    grey = np.full((64, 96, 3), 51, dtype=np.uint8)  # 0.2 everywhere
    at.file_uploader(key="df_upload").upload("grey.png", png(grey), "image/png").run()
    assert not at.exception, at.exception
    assert not at.error
    first = frames(strip_pixels(plotly_figures(at)))[0]
    assert first.shape[:2] == (64, 96)
    assert np.all(np.abs(first.astype(int) - 51) <= 1)
    assert any("your upload" in m.value for m in at.markdown)

    at.file_uploader(key="df_upload").upload("bomb.png", b"\x89PNG\r\n\x1a\n not really", "image/png").run()
    assert not at.exception, at.exception
    assert any("not an image" in e for e in errors(at))
    assert plotly_figures(at), "the bundled photo is used instead"


def test_the_jump_check_shows_steps_and_jump_agreeing():
    at = open_page(PAGE, {"df_steps": "true", "df_t": "50"})
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    bars = linear_alphas_bar(1000)
    np.testing.assert_allclose(
        table["√ᾱ·x₀"].astype(float), np.sqrt(bars[50]) * np.array([-1, -0.5, 0, 0.5, 1]), atol=1e-4
    )
    for column in ("var, steps", "var, jump"):
        np.testing.assert_allclose(table[column].astype(float), 1 - bars[50], rtol=0.1)
    for column in ("mean, steps", "mean, jump"):
        np.testing.assert_allclose(table[column].astype(float), table["√ᾱ·x₀"].astype(float), atol=0.03)
    jump = titled(plotly_figures(at), "x₀ = 1")
    kinds = [t["type"] for t in jump["data"]]
    assert kinds.count("histogram") == 2 and "scatter" in kinds
