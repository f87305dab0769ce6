"""ui.preload: what the server computes behind the first page reaches the pages' own caches."""

import numpy as np

from engine import images, svd
from ui import preload
from ui.compute import _cached_compute, call_engine
from ui.images import bundled_picture


def test_the_bundled_photos_svds_are_cached_under_the_key_the_svd_page_uses():
    picture = bundled_picture("flower.jpg", images.SVD_SIDE)
    _cached_compute.clear()  # nothing left from another test: every hit below is the preload's
    preload._bundled_svds()
    for mode in svd.MODES:
        result, _, cached = call_engine(svd.decompose, (picture, mode), {}, cache=True)
        assert cached, f"{mode}: the page would decompose again"
        # ...and it is the decomposition of that photo, as the engine computes it now.
        fresh = svd.decompose(images.Picture(picture.key, picture.pixels), mode)
        np.testing.assert_allclose(result.S, fresh.S.numpy(), rtol=1e-5)
