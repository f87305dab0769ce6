"""The SVD page's strips of small pictures are made once per image and mode, and show that image."""

from engine import images, svd
from ui.compute import to_host
from viz import svd as charts


def decomposition(name: str, mode: str):
    pixels = images.bundled_image(name, max_side=64)
    return to_host(svd.decompose(images.Picture(f"bundled:{name}", pixels), mode))


def test_a_strip_is_made_once_per_image_and_mode():
    grey, colour = decomposition("china.jpg", "grey"), decomposition("china.jpg", "colour")
    flower = decomposition("flower.jpg", "grey")
    for make in (charts.layers_figure, charts.sums_figure):
        assert make(grey) is make(grey)  # the same PNG, not encoded again on the next switch
        sources = {make(d).data[0].source for d in (grey, colour, flower)}
        assert len(sources) == 3  # another mode or another photo is another picture
