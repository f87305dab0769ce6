"""An engine ValueError reaches the learner as a sentence in an error box, and nothing crashes."""

import pytest
import torch

from app_pages.catalog import lesson_pages
from tests.app.helpers import errors, open_page


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without a GPU to provoke the error")
@pytest.mark.parametrize("path", [page.path for _, page in lesson_pages()])
def test_a_refused_device_is_explained_on_every_page(monkeypatch, path):
    monkeypatch.setenv("AIML_DEVICE", "cuda")  # asked for, but this machine has none
    at = open_page(path)
    assert not at.exception
    messages = errors(at)
    assert messages, "the refusal is shown"
    assert all("no CUDA GPU" in m for m in messages)
