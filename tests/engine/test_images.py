"""The shared image path: bundled photos against scikit-learn, uploads decoded safely or refused in words."""

import io
import struct
import zlib

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from sklearn.datasets import load_sample_image

from engine import images


def encoded(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares width × height pixels but holds almost no data: the decompression-bomb shape."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("name", list(images.BUNDLED))
def test_bundled_images_are_scikit_learns_photos_scaled_to_512(name):
    ours = images.bundled_image(name)
    reference = load_sample_image(name).astype(np.float64) / 255  # 427 × 640 × 3
    assert ours.dtype == torch.float32 and ours.shape == (342, 512, 3)
    assert ours.min().item() >= 0 and ours.max().item() <= 1
    # the same picture: equal mean colour, and equal after shrinking both to a coarse grid
    np.testing.assert_allclose(ours.numpy().mean(axis=(0, 1)), reference.mean(axis=(0, 1)), atol=0.01)
    coarse = np.asarray(Image.fromarray(load_sample_image(name)).resize((32, 21), Image.Resampling.BOX)) / 255
    ours_coarse = (
        np.asarray(
            Image.fromarray((ours.numpy() * 255).round().astype(np.uint8)).resize((32, 21), Image.Resampling.BOX)
        )
        / 255
    )
    assert np.abs(ours_coarse - coarse).mean() < 0.02
    assert images.bundled_image(name) is ours, "loaded once"


def test_an_unknown_bundled_name_is_refused():
    with pytest.raises(ValueError, match="Unknown image"):
        images.bundled_image("../../etc/passwd")


def test_a_png_round_trips_exactly():
    pixels = np.random.default_rng(0).integers(0, 256, size=(48, 64, 3), dtype=np.uint8)
    ours = images.decode_upload(encoded(Image.fromarray(pixels)))
    np.testing.assert_array_equal(ours.numpy(), pixels.astype(np.float32) / 255)


def test_a_large_image_is_shrunk_to_512_on_its_longer_side():
    ours = images.decode_upload(encoded(Image.new("RGB", (2000, 1000), (255, 0, 0)), "JPEG"))
    assert ours.shape == (256, 512, 3)
    np.testing.assert_allclose(ours.numpy().mean(axis=(0, 1)), [1, 0, 0], atol=0.02)


def test_transparency_is_laid_on_white():
    rgba = np.zeros((10, 20, 4), dtype=np.uint8)
    rgba[:, :10] = (0, 0, 255, 255)  # opaque blue
    rgba[:, 10:] = (255, 0, 0, 0)  # fully transparent red
    ours = images.decode_upload(encoded(Image.fromarray(rgba, "RGBA"))).numpy()
    np.testing.assert_allclose(ours[:, :10], np.broadcast_to([0, 0, 1], (10, 10, 3)))
    np.testing.assert_allclose(ours[:, 10:], 1.0)


@pytest.mark.parametrize("mode", ["L", "P", "1", "LA"])
def test_grey_palette_and_bilevel_images_become_rgb(mode):
    source = Image.fromarray(np.tile(np.arange(0, 256, 16, dtype=np.uint8), (12, 1)), "L")
    expected = np.asarray(source.convert("RGB"), dtype=np.float32) / 255
    converted = source.convert(mode)
    ours = images.decode_upload(encoded(converted)).numpy()
    assert ours.shape == (12, 16, 3)
    if mode in ("L", "LA"):
        np.testing.assert_allclose(ours, expected, atol=1e-6)
    else:
        np.testing.assert_allclose(ours, np.asarray(converted.convert("RGB"), dtype=np.float32) / 255, atol=1e-6)


def test_a_palette_image_with_a_transparent_colour_is_laid_on_white():
    palette = Image.new("P", (16, 16), 0)
    palette.putpalette([0, 0, 0, 0, 255, 0] + [0] * 762)
    palette.paste(1, (8, 0, 16, 16))
    ours = images.decode_upload(encoded(palette, transparency=0)).numpy()
    np.testing.assert_allclose(ours[:, :8], 1.0)  # black, but transparent: white
    np.testing.assert_allclose(ours[:, 8:], np.broadcast_to([0, 1, 0], (16, 8, 3)))


def test_sixteen_bit_grey_keeps_its_scale():
    values = np.array([[0, 32768, 65535] * 4] * 9, dtype=np.uint16)
    ours = images.decode_upload(encoded(Image.fromarray(values))).numpy()
    np.testing.assert_allclose(ours[0, :3, 0], [0.0, 32768 / 65535, 1.0], atol=1e-6)
    assert np.all(ours[..., 0] == ours[..., 2])


def test_cmyk_jpeg_is_converted():
    cmyk = Image.new("CMYK", (16, 16), (0, 255, 255, 0))  # pure red ink
    ours = images.decode_upload(encoded(cmyk, "JPEG", quality=95)).numpy()
    np.testing.assert_allclose(ours.mean(axis=(0, 1)), [1, 0, 0], atol=0.05)


def test_an_animation_gives_its_first_frame():
    frames = [Image.new("RGB", (16, 16), colour) for colour in ((255, 0, 0), (0, 255, 0))]
    data = encoded(frames[0], "GIF", save_all=True, append_images=frames[1:])
    ours = images.decode_upload(data).numpy()
    np.testing.assert_allclose(ours.mean(axis=(0, 1)), [1, 0, 0], atol=0.02)


def test_exif_rotation_is_applied():
    image = Image.new("RGB", (40, 20), (0, 0, 255))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    ours = images.decode_upload(encoded(image, "JPEG", exif=exif))
    assert ours.shape == (40, 20, 3)


def test_to_grey_is_the_bt601_weighted_sum():
    pixels = torch.rand(5, 7, 3, generator=torch.Generator().manual_seed(0))
    expected = pixels.numpy() @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    np.testing.assert_allclose(images.to_grey(pixels).numpy(), expected, rtol=1e-6)


def truncated_jpeg() -> bytes:
    data = encoded(Image.fromarray(np.random.default_rng(1).integers(0, 256, (64, 64, 3), dtype=np.uint8)), "JPEG")
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"this is not an image at all", "not an image"),
        ("a string, not bytes", "bytes"),
        (truncated_jpeg(), "damaged or cut short"),
        (png_header(20000, 20000), "too many pixels"),
        (png_header(7000, 7000), "limit is 40,000,000"),
        (encoded(Image.new("RGB", (1, 1))), "at least 8×8"),
        (encoded(Image.new("RGB", (4000, 10))), "too narrow"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * (images.MAX_UPLOAD_BYTES + 1), "limit is 10 MB"),
    ],
)
def test_bad_uploads_are_refused_in_words(data, words):
    with pytest.raises(ValueError, match=words):
        images.decode_upload(data)


@given(st.binary(max_size=300))
def test_random_bytes_only_ever_raise_a_sentence(data):
    try:
        out = images.decode_upload(data)
    except ValueError as err:
        assert str(err).endswith(".")
    else:
        assert out.ndim == 3


@given(st.integers(0, 2000))
def test_cut_short_png_files_only_ever_raise_a_sentence(cut):
    data = encoded(Image.fromarray(np.random.default_rng(2).integers(0, 256, (30, 30, 3), dtype=np.uint8)))
    try:
        images.decode_upload(data[:cut])
    except ValueError as err:
        assert str(err).endswith(".")


# --- the long-side cap as a parameter (512 for diffusion, 1024 for SVD), and the rest of the hostile set ---


def test_the_long_side_cap_is_a_parameter():
    wide = encoded(Image.new("RGB", (2000, 1000), (0, 255, 0)), "PNG")
    assert images.decode_upload(wide).shape == (256, images.MAX_SIDE, 3)
    assert images.decode_upload(wide, images.SVD_SIDE).shape == (512, 1024, 3)
    small = encoded(Image.new("RGB", (700, 300), (0, 255, 0)))
    assert images.decode_upload(small, images.SVD_SIDE).shape == (300, 700, 3), "never enlarged"


def test_the_bundled_photo_at_1024_is_scikit_learns_photo_pixel_for_pixel():
    ours = images.bundled_image("china.jpg", images.SVD_SIDE).numpy()
    reference = load_sample_image("china.jpg").astype(np.float32) / 255  # 427 × 640: under the cap, not resized
    assert ours.shape == reference.shape
    np.testing.assert_allclose(ours, reference, atol=1e-6)


@pytest.mark.parametrize("side", [0, 7, 1025, 512.0, True, "1024"])
def test_a_cap_outside_8_to_1024_is_refused(side):
    with pytest.raises(ValueError, match="longest side"):
        images.decode_upload(encoded(Image.new("RGB", (16, 16))), side)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (encoded(Image.new("RGB", (20000, 1))), "at least 8×8"),
        (encoded(Image.new("RGB", (1, 20000))), "at least 8×8"),
        (b"# My notes\n\nThis is a text file that was renamed to photo.png.\n" * 20, "not an image"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "not an image"),
        (encoded(Image.new("RGB", (64, 64)), "WEBP")[:40], "damaged or cut short|not an image"),
        (png_header(30000, 2000), "limit is 40,000,000 pixels"),
    ],
)
def test_more_hostile_files_are_refused_in_words(data, words):
    with pytest.raises(ValueError, match=words):
        images.decode_upload(data, images.SVD_SIDE)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_the_three_named_formats_decode(fmt):
    pixels = np.zeros((40, 60, 3), dtype=np.uint8)
    pixels[:, 30:] = (0, 0, 255)
    options = {"lossless": True} if fmt == "WEBP" else {"quality": 95} if fmt == "JPEG" else {}
    ours = images.decode_upload(encoded(Image.fromarray(pixels), fmt, **options), images.SVD_SIDE).numpy()
    assert ours.shape == (40, 60, 3)
    np.testing.assert_allclose(ours[:, 5:25].mean(axis=(0, 1)), [0, 0, 0], atol=0.03)
    np.testing.assert_allclose(ours[:, 35:].mean(axis=(0, 1)), [0, 0, 1], atol=0.03)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_animated_png_and_webp_give_their_first_frame(fmt):
    frames = [Image.new("RGB", (32, 24), colour) for colour in ((0, 0, 255), (255, 255, 0), (255, 0, 0))]
    options = {"lossless": True} if fmt == "WEBP" else {}
    data = encoded(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, **options)
    assert Image.open(io.BytesIO(data)).n_frames == 3
    ours = images.decode_upload(data, images.SVD_SIDE).numpy()
    np.testing.assert_allclose(ours.mean(axis=(0, 1)), [0, 0, 1], atol=0.02)


def test_large_sixteen_bit_grey_is_shrunk_and_keeps_its_scale():
    values = np.tile(np.linspace(0, 65535, 2400).astype(np.uint16), (1200, 1))
    ours = images.decode_upload(encoded(Image.fromarray(values)), images.SVD_SIDE).numpy()
    assert ours.shape == (512, 1024, 3)
    np.testing.assert_allclose(ours[:, 0, 0], 0, atol=0.01)
    np.testing.assert_allclose(ours[:, -1, 0], 1, atol=0.01)
    np.testing.assert_allclose(ours[0, :, 0], np.linspace(0, 1, 1024), atol=0.01)  # not clipped at 255/65535


def test_large_cmyk_palette_and_transparent_images_are_converted_while_shrunk():
    cmyk = encoded(Image.new("CMYK", (2048, 64), (255, 0, 255, 0)), "JPEG", quality=95)  # cyan + yellow = green
    np.testing.assert_allclose(images.decode_upload(cmyk, 1024).numpy().mean(axis=(0, 1)), [0, 1, 0], atol=0.06)
    palette = Image.new("P", (2048, 64), 0)
    palette.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    palette.paste(1, (1024, 0, 2048, 64))
    ours = images.decode_upload(encoded(palette, transparency=0), 1024).numpy()
    assert ours.shape == (32, 1024, 3)
    np.testing.assert_allclose(ours[:, :500], 1.0, atol=1e-6)  # transparent red: white
    np.testing.assert_allclose(ours[:, 530:].mean(axis=(0, 1)), [0, 0, 1], atol=0.01)
    rgba = np.zeros((64, 2048, 4), dtype=np.uint8)
    rgba[..., 0], rgba[..., 3] = 255, 0  # red, fully transparent
    np.testing.assert_allclose(images.decode_upload(encoded(Image.fromarray(rgba, "RGBA")), 1024).numpy(), 1.0)


def test_exif_rotation_is_applied_to_a_large_photo_too():
    image = Image.new("RGB", (2000, 1000), (0, 0, 255))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to view: the upright photo is 1000 wide, 2000 tall
    assert images.decode_upload(encoded(image, "JPEG", exif=exif), images.SVD_SIDE).shape == (1024, 512, 3)


@pytest.mark.parametrize(("mode", "fmt"), [("RGBA", "PNG"), ("RGB", "WEBP")])
def test_the_worst_case_under_the_pixel_cap_decodes(mode, fmt, capsys):
    """The slowest file we accept: as many pixels as the cap allows, in a format with no reduced-size decoding
    (PNG, WebP: a JPEG decodes straight at 1/8 scale) and with transparency to lay on white. It must finish and
    come out at 1024 px; the time is printed (``-s``), never asserted (measured ~1 s here, the issue asks ≤ 2 s)."""
    import time

    side = int(images.MAX_PIXELS**0.5)
    colour = (10, 200, 30, 100)[: len(mode)]
    data = encoded(Image.new(mode, (side, side), colour), fmt, **({"quality": 80} if fmt == "WEBP" else {}))
    assert len(data) <= images.MAX_UPLOAD_BYTES
    start = time.perf_counter()
    ours = images.decode_upload(data, images.SVD_SIDE)
    elapsed = time.perf_counter() - start
    assert ours.shape == (1024, 1024, 3)
    with capsys.disabled():
        print(f"\n{fmt} {mode} {side}×{side} ({side * side / 1e6:.1f} Mpx, {len(data) / 1e6:.2f} MB): {elapsed:.2f} s")
