"""The Train a network page in AppTest: it trains, shows what it recorded, and scrubs without retraining."""

import pytest

from engine import training
from tests.app.helpers import array, metric_values, open_page, plotly_figures
from ui import slices, style

PAGE = "app_pages/train_network.py"


def test_default_training_reaches_the_engines_accuracy():
    at = open_page(PAGE)
    assert not at.exception, at.exception
    shown = metric_values(at)
    expected = training.train(**training.DEFAULTS)
    assert shown["test accuracy"] == f"{expected.final_test_acc:.1%}"
    assert float(shown["test accuracy"].rstrip("%")) >= 95
    assert shown["parameters"] == f"{expected.parameters:,}"
    boundary = plotly_figures(at)[0]
    assert {t["type"] for t in boundary["data"]} >= {"heatmap", "contour", "scatter"}


def test_scrubbing_shows_an_earlier_snapshot_from_the_cache():
    at = open_page(PAGE)
    at.slider(key="at_train_step").set_value(0).run()
    assert not at.exception, at.exception
    first = training.train(**training.DEFAULTS)
    assert metric_values(at)["test accuracy"] == f"{float(first.test_acc[0]):.1%}"
    assert any("cached result" in c.value for c in at.caption), "the scrubber did not train again"


def test_clipping_is_reported():
    at = open_page(PAGE, {"clip": "true", "clip_norm": "0.1"})
    assert not at.exception, at.exception
    said = " ".join(c.value for c in at.caption)
    assert "Clipping scaled the gradient down at" in said


def test_the_clipping_norm_does_not_retrain_while_clipping_is_off():
    at = open_page(PAGE)
    at.select_slider(key="clip_norm").set_value(0.1).run()
    assert not at.exception, at.exception
    assert any("cached result" in c.value for c in at.caption), "a norm that clipping does not use retrained"
    at.checkbox(key="clip").set_value(True).run()
    said = " ".join(c.value for c in at.caption)
    clipped = training.train(**{**training.DEFAULTS, "clip": True, "clip_norm": 0.1})
    assert f"Clipping scaled the gradient down at {int(clipped.clipped.sum()):,} of" in said


@pytest.mark.parametrize("kind", training.DATASETS)
def test_every_data_set_trains(kind):
    at = open_page(PAGE, {"dataset": kind, "train_steps": "50"})
    assert not at.exception, at.exception
    assert plotly_figures(at)


def test_a_batch_larger_than_the_training_set_is_said():
    at = open_page(PAGE, {"points": "100", "batch_size": "512", "train_steps": "50"})
    assert any("each step used all of them" in c.value for c in at.caption)


def test_a_long_training_goes_on_over_several_runs_and_ends_where_one_go_does(monkeypatch, one_step_a_run):
    """Each run trains one slice and draws it (ui/slices.py); here a slice is one snapshot's 10 steps."""
    monkeypatch.setattr(slices, "DRAW_EVERY_S", 0.0)
    started = []
    monkeypatch.setattr(slices, "keep_going", lambda original=slices.keep_going: started.append(1) or original())
    at = open_page(PAGE, {"train_steps": "100", "width": "16"})
    assert not at.exception, at.exception
    assert len(started) == 9  # runs after the first: 10 slices of 10 steps
    expected = training.train(**{**training.DEFAULTS, "steps": 100, "width": 16})
    assert metric_values(at)["test accuracy"] == f"{expected.final_test_acc:.1%}"
    timing = [c.value for c in at.caption if "computed" in c.value]
    assert timing and all(line.startswith("computed in") for line in timing), timing


def test_runs_between_pictures_only_train_and_the_last_run_draws_it_all(monkeypatch, one_step_a_run):
    """Too soon after a picture, a run trains its slice and reruns before drawing anything (ui/slices.py)."""
    monkeypatch.setattr(slices, "DRAW_EVERY_S", 60.0)
    went_on, kept_going = [], []
    monkeypatch.setattr(slices, "go_on", lambda original=slices.go_on: went_on.append(1) or original())
    monkeypatch.setattr(slices, "keep_going", lambda original=slices.keep_going: kept_going.append(1) or original())
    at = open_page(PAGE, {"train_steps": "100", "width": "16"})
    assert not at.exception, at.exception
    assert (len(kept_going), len(went_on)) == (1, 8)  # drawn at step 10 and at 100; 20 to 90 only trained
    expected = training.train(**{**training.DEFAULTS, "steps": 100, "width": 16})
    assert metric_values(at)["test accuracy"] == f"{expected.final_test_acc:.1%}"
    assert len(plotly_figures(at)) == 4 and working_marks(at) == ["finished"]


def test_a_run_part_way_shows_the_network_so_far_on_axes_for_the_whole_run(monkeypatch, one_step_a_run):
    monkeypatch.setattr(slices, "keep_going", lambda: None)  # stop after the first slice
    at = open_page(PAGE, {"train_steps": "100"})
    assert not at.exception, at.exception
    timing = [c.value for c in at.caption if "computed" in c.value]
    assert timing[0].startswith("training: step 10 of 100 · computed so far in"), timing
    part = training.start_training(**{**training.DEFAULTS, "steps": 100})
    training.train_steps(part)
    assert metric_values(at)["test accuracy"] == f"{float(training.recorded(part).test_acc[-1]):.1%}"
    figures = plotly_figures(at)
    for curves in figures[1:]:
        assert curves["layout"]["xaxis"]["range"] == [0, 100]
    assert len(array(figures[1]["data"][0]["y"])) == 10  # the batch loss of the 10 steps so far
    # Each run redraws the panel: the page is not dimmed as outdated meanwhile (ui/style.py).
    assert working_marks(at) == ["working"]


def working_marks(at) -> list[str]:
    """What the marker a panel with work over several runs sends says (ui/frame.py run_in_slices):
    "working" while it carries the rule that keeps the page from being dimmed, else "finished"."""
    bodies = [element.proto.body for element in at.get("html")]
    marks = [body for body in bodies if body.startswith(f'<span class="{style.WORK_MARK}"></span>')]
    return ["working" if style.NOT_DIMMED_WHILE_WORKING in body else "finished" for body in marks]


def test_finished_work_leaves_the_page_as_streamlit_dims_it(nothing_trained_yet):
    at = open_page(PAGE)
    assert working_marks(at) == ["finished"]
