"""Images for the lessons: two bundled photos, and a learner's upload decoded safely.

Every image comes out the same way: a float32 tensor (height, width, 3) on the CPU with values in
[0, 1], its longer side at most ``max_side`` pixels: ``MAX_SIDE`` (512, the diffusion page) unless a
page asks for more, up to ``LARGEST_SIDE`` (1024, the SVD page). Pages that need grey use ``to_grey``.

The bundled photos are scikit-learn's sample images (``china.jpg``, ``flower.jpg``, CC BY 2.0),
read with Pillow straight from scikit-learn's package folder, so nothing is downloaded and
scikit-learn itself is not imported. Uploads are read with Pillow only (no pickle, no code),
with a cap on the file's bytes and on its pixels checked before any pixel is decoded.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 512  # by default every image is downscaled so its longer side is at most this
SVD_SIDE = 1024  # the SVD page keeps more detail: compression is what it is about
LARGEST_SIDE = 1024  # the largest ``max_side`` a page may ask for
MIN_SIDE = 8  # and its shorter side at least this, after downscaling
MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # 10 MB
MAX_PIXELS = 40_000_000  # width × height of an upload, read from its header before decoding
BUNDLED = {"china.jpg": "Summer Palace (china.jpg)", "flower.jpg": "Flower (flower.jpg)"}
GREY_WEIGHTS = (0.299, 0.587, 0.114)  # ITU-R BT.601 luma
READABLE = "PNG, JPEG, GIF, WebP, BMP or TIFF"


def _sample_image_folder() -> Path:
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise ValueError("The bundled images come with scikit-learn, which is not installed.")
    return Path(next(iter(spec.submodule_search_locations))) / "datasets" / "images"


@functools.cache  # read and decoded once per process and size; callers only read the tensor
def bundled_image(name: str, max_side: int = MAX_SIDE) -> torch.Tensor:
    """One of the bundled photos as (height, width, 3) float32 in [0, 1], longer side ≤ ``max_side``."""
    if name not in BUNDLED:
        raise ValueError(f"Unknown image '{name}'; choose one of: {', '.join(BUNDLED)}.")
    path = _sample_image_folder() / name
    if not path.is_file():
        raise ValueError(f"The bundled image {name} is missing from scikit-learn's sample images.")
    return decode_upload(path.read_bytes(), max_side)


@dataclass(frozen=True, eq=False)
class Picture:
    """An image's pixels under a name that says which image they are: "bundled:china.jpg", or
    "upload:<sha256 of the file's bytes>" — the same file, the same name.

    Cached results are keyed on ``cache_key`` (ui/compute.py), so a megapixel image is never hashed
    on a rerun; the shape is part of it because the same file shrunk to another size is another picture.
    """

    key: str
    pixels: np.ndarray | torch.Tensor

    @property
    def cache_key(self) -> str:
        return f"Picture:{self.key}:{tuple(self.pixels.shape)}"


def _side_cap(max_side: int) -> int:
    if isinstance(max_side, bool) or not isinstance(max_side, int) or not MIN_SIDE <= max_side <= LARGEST_SIDE:
        raise ValueError(f"The longest side must be a whole number of pixels from {MIN_SIDE} to {LARGEST_SIDE}.")
    return max_side


def to_grey(image: torch.Tensor) -> torch.Tensor:
    """(height, width, 3) in [0, 1] -> (height, width) luminance in [0, 1]."""
    weights = torch.tensor(GREY_WEIGHTS, dtype=image.dtype, device=image.device)
    return image @ weights


def _open(data: bytes) -> Image.Image:
    """The image's header, opened but not decoded, after the size checks."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ValueError("The upload must be the bytes of an image file.")
    if len(data) == 0:
        raise ValueError("The file is empty: choose an image file.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValueError(f"The file is {len(data) / 2**20:.1f} MB; the limit is {MAX_UPLOAD_BYTES // 2**20} MB.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(bytes(data)))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
        raise ValueError(f"The image has too many pixels; the limit is {MAX_PIXELS:,} (e.g. 6000×6000).") from err
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as err:
        raise ValueError(f"This file is not an image that can be read; use a {READABLE} file.") from err
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise ValueError(
            f"The image is {width:,}×{height:,} pixels; the limit is {MAX_PIXELS:,} pixels (e.g. 6000×6000)."
        )
    if min(width, height) < MIN_SIDE:
        raise ValueError(f"The image is {width}×{height} pixels; it must be at least {MIN_SIDE}×{MIN_SIDE}.")
    return image


def _to_rgb(image: Image.Image, top: float) -> np.ndarray:
    """Any mode as (height, width, 3) float32 in [0, 1]: integer and float grey scaled by ``top``,
    transparency laid on white."""
    if image.mode in ("I", "F"):
        grey = np.nan_to_num(np.asarray(image, dtype=np.float32) / top)
        return np.repeat(np.clip(grey, 0.0, 1.0)[:, :, None], 3, axis=2)
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    return np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0


def _grey_top(image: Image.Image) -> float:
    """The value that means white: 65535 for 16-bit, 255 for 8-bit, the largest value for float images."""
    if image.mode.startswith("I;16"):
        return 65535.0
    if image.mode == "F":
        extrema = image.getextrema()
        return max(float(extrema[1]), 1e-12)
    if image.mode == "I":
        return 255.0 if image.getextrema()[1] <= 255 else 65535.0
    return 255.0


def decode_upload(data: bytes, max_side: int = MAX_SIDE) -> torch.Tensor:
    """The bytes of an image file as (height, width, 3) float32 in [0, 1], longer side ≤ ``max_side``.

    Refused with a sentence: an empty, oversized, broken or truncated file, too many pixels
    (checked from the header, before decoding), or a side shorter than MIN_SIDE. Accepted and
    made plain RGB: animations (the first frame), CMYK, palettes, grey, 16-bit, transparency
    (laid on white), and photos with an EXIF rotation (turned upright).
    """
    max_side = _side_cap(max_side)
    image = _open(data)
    try:
        image.seek(0)  # the first frame of an animation
        image.draft("RGB", (max_side, max_side))  # a JPEG decodes straight at a reduced scale: faster
        image.load()
        top = _grey_top(image)
        if image.mode.startswith("I;16"):
            image = image.convert("I")  # 32-bit integers keep all 16 bits (a convert to RGB would clip them)
        if max(image.size) > max_side:
            if image.mode not in ("RGB", "RGBA", "L", "LA", "I", "F"):
                image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
            image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        # Turned upright after shrinking (the box is square, so the order does not matter): turning
        # a 40-megapixel image first would copy it, a tenth of a second for nothing.
        image = ImageOps.exif_transpose(image)
        pixels = _to_rgb(image, top)
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError) as err:
        raise ValueError(
            f"The image file is damaged or cut short and cannot be decoded; use a {READABLE} file."
        ) from err
    finally:
        image.close()
    if min(pixels.shape[:2]) < MIN_SIDE:
        raise ValueError(
            f"The image is too narrow: {pixels.shape[1]}×{pixels.shape[0]} pixels after fitting it into "
            f"{max_side}×{max_side}; each side must be at least {MIN_SIDE}."
        )
    return torch.from_numpy(np.ascontiguousarray(pixels))
