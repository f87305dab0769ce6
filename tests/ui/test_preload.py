"""ui.preload: what the server computes behind the first page reaches the pages' own caches."""

import gc

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


def test_what_the_load_leaves_is_left_out_of_full_collections():
    kept = [[i] for i in range(1000)]  # objects the collector tracks, alive at the freeze, like the models
    assert all(map(gc.is_tracked, kept))
    try:
        preload._set_aside_what_lasts()
        assert gc.get_freeze_count() >= len(kept)
        tracked = {id(obj) for obj in gc.get_objects()}
        assert not any(id(obj) in tracked for obj in kept), "a full collection would walk them again"
        later = ["made after"]
        assert id(later) in {id(obj) for obj in gc.get_objects()}, "what comes later is still collected"
    finally:
        gc.unfreeze()


def test_the_load_ends_by_setting_aside_what_it_loaded(monkeypatch):
    steps = []
    for name in ("warm_up_optimizers", "_bundled_svds", "_set_aside_what_lasts"):
        monkeypatch.setattr(preload, name, lambda name=name: steps.append(name))
    loaded_elsewhere = ((preload.transformer, "load_minilm"), (preload.words, "vocabulary"), (preload.search, "corpus"))
    for module, name in loaded_elsewhere:
        monkeypatch.setattr(module, name, lambda name=name: steps.append(name))
    monkeypatch.setattr(preload, "_first_page_drawn", preload.threading.Event())
    monkeypatch.setattr(preload, "_finished", preload.threading.Event())
    preload._first_page_drawn.set()
    preload._load()
    assert steps[-1] == "_set_aside_what_lasts" and len(steps) == 6
    assert preload.finished()
