"""The shared image picker: a bundled photo chosen in a URL-bound control, or the learner's own upload.

Every image goes through ``engine.images`` (bundled_image / decode_upload), so each page receives
the same thing: a float32 numpy array (height, width, 3) in [0, 1], longer side ≤ ``max_side`` px
(512 by default, ``engine.images.MAX_SIDE``; the SVD page asks for ``SVD_SIDE``, 1024).
An upload is decoded once per file (keyed by a hash of its bytes), so moving a slider afterwards
does not decode it again. An upload cannot travel in a link; the caption under the picker says so.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import streamlit as st

from engine import images
from ui import frame, widgets


@dataclass(frozen=True)
class PickedImage:
    label: str  # what to call it on the page (a bundled photo's name, or "your upload")
    key: str  # "bundled:china.jpg" or "upload:<sha256 of the bytes>": the same image, the same key
    pixels: np.ndarray  # (height, width, 3) float32 in [0, 1]

    def picture(self) -> images.Picture:
        """The pixels under their name, for a cached engine call keyed by the image, not its pixels."""
        return images.Picture(self.key, self.pixels)


@st.cache_resource(show_spinner=False)
def _bundled(name: str, max_side: int) -> np.ndarray:
    pixels = images.bundled_image(name, max_side).numpy()
    pixels.flags.writeable = False  # shared by every session
    return pixels


def _bundled_pick(name: str, max_side: int) -> PickedImage:
    return PickedImage(label=images.BUNDLED[name], key=f"bundled:{name}", pixels=_bundled(name, max_side))


def bundled_picture(name: str, max_side: int) -> images.Picture:
    """A bundled photo under the name and pixels the picker gives it, so both reach the same cached results."""
    return _bundled_pick(name, max_side).picture()


@st.cache_data(max_entries=8, show_spinner=False)
def _decoded(digest: str, max_side: int, _data: bytes) -> tuple[np.ndarray | None, str | None]:
    """(pixels, None), or (None, the reason) for a file that was refused; keyed by the digest only."""
    try:
        return images.decode_upload(_data, max_side).numpy(), None
    except ValueError as err:
        return None, str(err)


def picker(
    prefix: str, *, value: str = "china.jpg", upload: bool = True, max_side: int = images.MAX_SIDE
) -> PickedImage | None:
    """A bundled photo (key ``<prefix>image``, in the URL) and, optionally, an upload (``<prefix>upload``).

    ``max_side``: the longer side of the image the page receives, in pixels (larger ones are shrunk).

    An upload that is accepted replaces the photo; one that is refused is explained in words and
    the photo is used. None only if even the bundled photo cannot be read (said on the page).
    """
    name = widgets.dropdown(
        "image", key=f"{prefix}image", options=list(images.BUNDLED), value=value, labels=images.BUNDLED
    )
    if upload:
        file = st.file_uploader(
            "or your own image",
            type=["png", "jpg", "jpeg", "gif", "webp", "bmp", "tif", "tiff"],
            key=f"{prefix}upload",
            help=f"PNG, JPEG or WebP (also GIF, BMP, TIFF), at most {images.MAX_UPLOAD_BYTES // 2**20} MB; "
            f"at most {images.MAX_PIXELS / 1e6:.0f} million pixels and at least {images.MIN_SIDE} px on each "
            f"side; it is shrunk to {max_side} px on its longer side.",
        )
        st.caption("An uploaded image stays in this browser tab only: it is not kept in the link.")
        if file is not None:
            data = file.getvalue()
            digest = hashlib.sha256(data).hexdigest()
            pixels, problem = _decoded(digest, max_side, data)
            if pixels is not None:
                return PickedImage(label="your upload", key=f"upload:{digest}", pixels=pixels)
            st.error(frame.quoted(f"{problem} Showing {images.BUNDLED[name]} instead."), icon=":material/broken_image:")
    try:
        return _bundled_pick(name, max_side)
    except ValueError as err:
        st.error(frame.quoted(str(err)), icon=":material/broken_image:")
        return None
