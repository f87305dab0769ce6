"""The SVD page in AppTest: the numbers and pictures it shows against numpy.linalg.svd on the same image."""

import base64
import io
import re

import numpy as np
import pytest
from PIL import Image
from sklearn.datasets import load_sample_image

from engine import images, svd
from tests.app.helpers import array, component_data, errors, formulas, metric_values, open_page, plotly_figures
from ui import chart
from ui.compute import call_engine
from viz.svd import DISPLAY_BYTES, DISPLAY_SIDE

PAGE = "app_pages/svd.py"
BT601 = np.array([0.299, 0.587, 0.114])
MESSAGE_LIMIT = 300_000  # bytes of one figure message


def titled(figures: list[dict], start: str) -> dict:
    return next(f for f in figures if f["layout"].get("title", {}).get("text", "").startswith(start))


def picture(figure: dict) -> np.ndarray:
    source = figure["data"][0]["source"]
    assert source.startswith("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1]))).convert("RGB"), dtype=int)


def as_sent(matrices: np.ndarray) -> np.ndarray:
    """(c, m, n) values -> the 8-bit RGB picture a page should send: clipped, rounded, shrunk to the limits."""
    pixels = np.round(np.clip(np.moveaxis(matrices, 0, 2), 0, 1) * 255).astype(np.uint8)
    channels, height, width = matrices.shape
    scale = min(1.0, DISPLAY_SIDE / max(height, width), (DISPLAY_BYTES / (channels * height * width)) ** 0.5)
    image = Image.fromarray(pixels[:, :, 0] if channels == 1 else pixels)
    if scale < 1:
        image = image.resize((int(width * scale), int(height * scale)), Image.Resampling.BOX)
    return np.asarray(image.convert("RGB"), dtype=int)


def reference(A: np.ndarray, k: int):
    """numpy's SVD of each channel: singular values, the rank-k matrices, the relative error."""
    U, S, Vh = np.linalg.svd(A, full_matrices=False)
    A_k = (U[:, :, :k] * S[:, None, :k]) @ Vh[:, :k]
    return S, A_k, np.linalg.norm(A - A_k) / np.linalg.norm(A)


def png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def test_default_view_against_numpy():
    at = open_page(PAGE)
    assert not at.exception, at.exception
    assert not at.error, errors(at)
    photo = load_sample_image("china.jpg").astype(np.float64) / 255  # 427 × 640, under the 1024 cap
    A = (photo @ BT601)[None]
    k, m, n = 20, 427, 640
    S, A_k, error = reference(A, k)
    shown = metric_values(at)
    assert float(shown["relative error, from the image"]) == pytest.approx(error, abs=2e-5)
    assert float(shown["relative error, from σ"]) == pytest.approx(
        np.sqrt((S[0, k:] ** 2).sum()) / np.linalg.norm(A), abs=2e-5
    )
    energy = np.cumsum(S[0] ** 2) / (S[0] ** 2).sum()
    assert float(shown["energy kept (σ₁² + … + σₖ²) / Σσᵢ²"].rstrip("%")) / 100 == pytest.approx(
        energy[k - 1], abs=1e-4
    )
    assert shown["numbers stored"] == f"{k * (m + n + 1):,}"
    assert float(shown["compression ratio m·n / (k(m + n + 1))"].rstrip("×")) == pytest.approx(
        m * n / (k * (m + n + 1)), rel=1e-2
    )
    # both ways of the error, one under the other in the live formulas
    live = [f for f in formulas(at) if r"\|A - A_{20}\|_F" in f or r"\sum_{i>20}" in f]
    numbers = [float(x) for f in live for x in re.findall(r"= (\d\.\d+)", f)]
    assert numbers == pytest.approx([error, error], abs=2e-5)
    shown_formulas = " ".join(formulas(at))
    assert f"{k * (m + n + 1):,}".replace(",", "{,}") in shown_formulas
    assert f"{m * n:,}".replace(",", "{,}") in shown_formulas
    # the k for 90 % and 99 % of the energy
    said = " ".join(x.value for x in at.markdown)
    k90, k99 = (int(np.searchsorted(energy, level) + 1) for level in (0.9, 0.99))
    assert f"k = {k90}** for 90%" in said and f"k = {k99}** for 99%" in said

    figures = plotly_figures(at)
    spectrum = titled(figures, "singular values")
    assert spectrum["layout"]["yaxis"]["type"] == "log"
    np.testing.assert_allclose(array(spectrum["data"][0]["y"]), S[0], rtol=1e-3, atol=1e-4)
    assert [s["x0"] for s in spectrum["layout"]["shapes"]] == [k]
    curve = titled(figures, "energy kept")
    np.testing.assert_allclose(array(curve["data"][0]["y"]), energy, atol=1e-5)
    # the pictures: the original and the rank-k image, as PNG
    original, rank_k = picture(titled(figures, "original")), picture(titled(figures, f"rank {k}:"))
    assert np.abs(original - as_sent(A)).max() <= 1
    assert np.abs(rank_k - as_sent(A_k)).max() <= 1
    assert not np.array_equal(original, rank_k)
    # the first layers' running sums are the rank-1, 2, ... pictures (every 4th pixel)
    sums = picture(titled(figures, "their running sum"))
    U, S, Vh = np.linalg.svd(A[0], full_matrices=False)
    tile = (U[::4, :6] * S[:6]) @ Vh[:6, ::4]
    assert np.abs(sums[:107, 160 * 5 + 4 * 5 :][:, :160, 0] - np.round(np.clip(tile, 0, 1) * 255)).max() <= 1
    for data in component_data(at, chart.COMPONENT):
        assert len(data["figure"]) <= MESSAGE_LIMIT


def test_moving_k_only_recombines():
    at = open_page(PAGE)
    decomposed = [c.value for c in at.caption if "cached result" in c.value]
    assert decomposed, "the layers panel reads the SVD from the cache"
    for k in (1, 300, 427):
        at.slider(key="svd_k").set_value(k).run()
        assert not at.exception, at.exception
        assert [c.value for c in at.caption if "cached result" in c.value] == decomposed, "the SVD is not rerun"
        shown = metric_values(at)
        assert shown["relative error, from the image"] == shown["relative error, from σ"]
    assert float(metric_values(at)["relative error, from the image"]) == 0
    assert any("more than the" in w.value for w in at.warning), "k = r stores more than the pixels: said in words"


def test_the_svd_is_cached_by_the_image_name_not_its_pixels():
    pixels = np.random.default_rng(0).random((20, 30, 3), dtype=np.float32)
    _, _, cached = call_engine(svd.decompose, (images.Picture("test:a", pixels), "grey"), {}, cache=True)
    _, _, again = call_engine(svd.decompose, (images.Picture("test:a", pixels.copy()), "grey"), {}, cache=True)
    _, _, other = call_engine(svd.decompose, (images.Picture("test:b", pixels), "grey"), {}, cache=True)
    assert (cached, again, other) == (False, True, False)


def test_a_colour_upload_each_channel_its_own_svd():
    rng = np.random.default_rng(1)
    y, x = np.mgrid[0:40, 0:60] / 60
    upload = np.stack([0.5 + 0.4 * np.sin(5 * x + c) * np.cos(4 * y - c) for c in (0, 1, 2)], axis=2)
    upload = np.round(np.clip(upload + 0.03 * rng.standard_normal(upload.shape), 0, 1) * 255).astype(np.uint8)
    at = open_page(PAGE, {"svd_mode": "colour", "svd_k": "2"})
    at.file_uploader(key="svd_upload").upload("mine.png", png(upload), "image/png").run()
    assert not at.exception, at.exception
    assert not at.error, errors(at)
    A = np.moveaxis(upload.astype(np.float64) / 255, 2, 0)
    S, A_k, error = reference(A, 2)
    shown = metric_values(at)
    assert float(shown["relative error, from the image"]) == pytest.approx(error, abs=2e-5)
    assert float(shown["relative error, from σ"]) == pytest.approx(error, abs=2e-5)
    assert shown["numbers stored"] == f"{3 * 2 * (40 + 60 + 1):,}"
    figures = plotly_figures(at)
    assert np.abs(picture(titled(figures, "rank 2:")) - as_sent(A_k)).max() <= 1  # 60 × 40: sent as it is
    assert np.abs(picture(titled(figures, "original")) - upload).max() == 0
    spectrum = titled(figures, "singular values")
    for channel, sigma in zip(("red", "green", "blue"), S, strict=True):
        line = next(t for t in spectrum["data"] if t.get("name") == f"σᵢ, {channel}")
        np.testing.assert_allclose(array(line["y"]), sigma, rtol=1e-3, atol=1e-4)
    assert any("each channel (red, green, blue) is its own matrix with its own SVD" in c.value for c in at.caption)
    assert at.slider(key="svd_k").max == 40


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("notes.png", b"# shopping\n- milk\n- bread\n", "not an image"),
        ("dot.png", png(np.zeros((1, 1, 3), dtype=np.uint8)), "at least 8"),
        ("line.png", png(np.zeros((1, 20000, 3), dtype=np.uint8)), "at least 8"),
    ],
)
def test_a_bad_upload_is_explained_and_the_photo_stays(name, data, words):
    at = open_page(PAGE)
    at.file_uploader(key="svd_upload").upload(name, data, "image/png").run()
    assert not at.exception, at.exception
    assert any(words in e for e in errors(at))
    assert titled(plotly_figures(at), "original A (640×427)"), "the bundled photo is used instead"


def test_a_1024_pixel_noise_upload_stays_under_300_kb_per_figure():
    noise = np.random.default_rng(2).integers(0, 256, (1024, 1024, 3), dtype=np.uint8)  # a PNG cannot shrink it
    at = open_page(PAGE, {"svd_mode": "colour"})
    at.file_uploader(key="svd_upload").upload("noise.png", png(noise), "image/png").run()
    assert not at.exception, at.exception
    assert not at.error, errors(at)
    assert titled(plotly_figures(at), "original A (1024×1024)")
    sizes = [len(data["figure"]) for data in component_data(at, chart.COMPONENT)]
    assert max(sizes) <= MESSAGE_LIMIT, sizes
    assert any("shrunk to" in c.value for c in at.caption)


def test_a_small_flat_upload_clamps_k_and_has_rank_one():
    at = open_page(PAGE, {"svd_k": "300"})
    at.file_uploader(key="svd_upload").upload("flat.png", png(np.full((24, 32, 3), 128, np.uint8)), "image/png").run()
    assert not at.exception, at.exception
    assert at.slider(key="svd_k").value == 24 == at.slider(key="svd_k").max
    said = " ".join(m.value for m in at.markdown)
    assert "**k = 1** for 90%" in said and "1 of them are above rounding noise" in said
