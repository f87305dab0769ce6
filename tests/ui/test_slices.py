"""Work done in slices across reruns (ui/slices.py), with a counting stand-in for the engine."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
import streamlit as st
import torch

from ui import slices


@dataclass
class Counting:
    """A stand-in for training: ``steps`` steps, each taking ``step_s``; the record is the count so far."""

    steps: int
    step_s: float
    done: int = 0
    inside: list = field(default_factory=lambda: [0, 0])  # [advances running now, the most at once]

    @property
    def finished(self) -> bool:
        return self.done == self.steps


STARTS: list[tuple] = []


def start_counting(steps: int, step_s: float, *, device=None) -> Counting:
    if steps < 1:
        raise ValueError("The number of steps must be at least 1.")
    STARTS.append((steps, step_s))
    return Counting(steps, step_s)


def advance(state: Counting) -> None:
    state.inside[0] += 1
    state.inside[1] = max(state.inside)
    time.sleep(state.step_s)
    state.done += 1
    state.inside[0] -= 1


def record(state: Counting) -> dict:
    return {"done": torch.tensor(state.done), "most_at_once": state.inside[1]}


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    """An empty store, a new session, slices short enough for a test, and a picture every run."""
    slices._kept_runs.clear()
    st.session_state.clear()
    STARTS.clear()
    monkeypatch.setattr(slices, "DRAWING_SLICE_S", 0.02)
    monkeypatch.setattr(slices, "SLICE_S", 0.06)
    monkeypatch.setattr(slices, "DRAW_EVERY_S", 0.0)


def run(steps: int, step_s: float = 0.005) -> slices.Slice:
    return slices.run_in_slices(start_counting, (steps, step_s), advance=advance, record=record)


def test_a_run_that_draws_works_a_shorter_slice_and_the_record_is_on_the_host(monkeypatch):
    monkeypatch.setattr(slices, "DRAW_EVERY_S", 0.5)
    first = run(1000)
    assert first.show and not first.finished and not first.cached
    assert 1 <= int(first.result["done"]) < 10  # 20 ms of 5 ms steps
    assert hasattr(first.result["done"], "dtype") and not isinstance(first.result["done"], torch.Tensor)
    monkeypatch.setattr(slices, "DRAW_EVERY_S", 0.0)
    second = run(1000)
    assert second.show and 1 <= int(second.result["done"]) - int(first.result["done"]) < 10
    assert second.timing.milliseconds > first.timing.milliseconds >= 5


def test_between_pictures_a_run_only_works_and_the_next_picture_shows_all_of_it(monkeypatch):
    monkeypatch.setattr(slices, "DRAW_EVERY_S", 0.15)
    first = run(1000)
    between = run(1000)  # 60 ms later: too soon for another picture
    assert first.show and not between.show
    assert between.result is first.result  # nothing recorded for it
    while not (later := run(1000)).show:
        pass
    assert int(later.result["done"]) - int(first.result["done"]) >= 8 + 8  # two 60 ms slices at least
    assert later.timing.milliseconds >= first.timing.milliseconds + 2 * 60


@dataclass
class Measured(Counting):
    """Counting that says how far it has got, as the engine's states do."""

    @property
    def progress(self) -> float:
        return self.done / self.steps


def start_measured(steps: int, step_s: float, *, device=None) -> Measured:
    STARTS.append((steps, step_s))
    return Measured(steps, step_s)


def measured(steps: int) -> slices.Slice:
    return slices.run_in_slices(start_measured, (steps, 0.005), advance=advance, record=record)


def test_work_that_will_end_in_the_next_run_is_first_shown_finished(monkeypatch):
    monkeypatch.setattr(slices, "DRAW_EVERY_S", 0.25)
    first = measured(6)  # 20 ms gets 4 of 6 steps: the 2 left take 10 ms, within the next run's 60
    assert not first.show and not first.finished
    last = measured(6)
    assert last.show and last.finished and int(last.result["done"]) == 6


def test_work_that_goes_on_longer_is_shown_at_once():
    first = measured(100)  # 4 of 100 steps in 20 ms: the rest takes far longer than the next run
    assert first.show and not first.finished and int(first.result["done"]) >= 1


def test_the_last_slice_is_shown_however_soon_after_the_last_picture(monkeypatch):
    monkeypatch.setattr(slices, "DRAW_EVERY_S", 10.0)
    assert run(20).show  # this session's first run of it
    while not (last := run(20)).finished:
        assert not last.show
    assert last.show and int(last.result["done"]) == 20


def test_every_run_advances_at_least_once_however_short_the_slice(monkeypatch):
    monkeypatch.setattr(slices, "DRAWING_SLICE_S", 0.0)
    monkeypatch.setattr(slices, "SLICE_S", 0.0)
    done = [int(run(5).result["done"]) for _ in range(5)]
    assert done == [1, 2, 3, 4, 5]


def test_finished_work_is_kept_and_not_started_again():
    while not (work := run(12)).finished:
        pass
    again = run(12)
    assert again.finished and again.cached and int(again.result["done"]) == 12
    assert again.timing.milliseconds == work.timing.milliseconds
    assert STARTS == [(12, 0.005)]


def test_a_second_session_finds_the_work_where_the_first_left_it():
    first = run(1000)
    st.session_state.clear()  # another visitor, the same settings (a shared link)
    second = run(1000)
    assert int(second.result["done"]) > int(first.result["done"])
    assert len(STARTS) == 1


def test_two_sessions_never_advance_the_same_work_at_once():
    barrier = threading.Barrier(4)
    results = []

    def visitor():
        barrier.wait()
        results.append(run(200, 0.001))

    threads = [threading.Thread(target=visitor) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert max(r.result["most_at_once"] for r in results) == 1
    assert len(STARTS) == 1


def test_bad_input_is_refused_and_nothing_is_kept():
    with pytest.raises(ValueError, match="at least 1"):
        run(0)
    with pytest.raises(ValueError, match="at least 1"):
        run(0)


def test_only_the_most_recently_used_runs_are_kept(monkeypatch):
    monkeypatch.setattr(slices, "KEPT_RUNS", 3)
    for steps in (1, 2, 3, 4):
        while not run(steps).finished:
            pass
    run(4)  # kept: no new start
    assert len(STARTS) == 4
    while not run(1).finished:  # dropped, started again
        pass
    assert len(STARTS) == 5


def start_other(steps: int, step_s: float, *, device=None) -> Counting:
    return start_counting(steps, step_s)


def test_another_kind_of_work_does_not_push_this_one_out(monkeypatch):
    monkeypatch.setattr(slices, "KEPT_RUNS", 2)
    while not run(3).finished:
        pass
    for steps in (1, 2, 4):  # more of another kind than are kept
        while not slices.run_in_slices(start_other, (steps, 0.001), advance=advance, record=record).finished:
            pass
    assert run(3).cached and len(STARTS) == 4


def recorded_reruns(monkeypatch, fragment_run: bool) -> list[str]:
    """The scope of each st.rerun asked for, in a fragment's own run or in a full run (no server: nothing to send)."""
    reruns: list[str] = []
    monkeypatch.setattr(slices.st, "rerun", lambda scope="app": reruns.append(scope))
    ids = ["train_panel"] if fragment_run else []
    monkeypatch.setattr(slices, "get_script_run_ctx", lambda: SimpleNamespace(fragment_ids_this_run=ids))
    return reruns


@pytest.mark.parametrize("fragment_run", [True, False])
def test_keep_going_reruns_the_fragment_at_once_or_the_app_once_it_has_drawn(monkeypatch, fragment_run):
    reruns = recorded_reruns(monkeypatch, fragment_run)
    slices.keep_going()
    if fragment_run:
        assert reruns[0] == "fragment"
    else:  # the rest of the page is drawn first: app.py asks at its end, once
        assert reruns == []
        slices.rerun_if_asked()
        slices.rerun_if_asked()
        assert reruns == ["app"]


@pytest.mark.parametrize("fragment_run", [True, False])
def test_a_run_that_only_worked_goes_on_at_once_in_its_own_scope(monkeypatch, fragment_run):
    reruns = recorded_reruns(monkeypatch, fragment_run)
    slices.go_on()
    assert reruns == ["fragment" if fragment_run else "app"]


def test_a_request_that_ends_the_run_ends_the_slice_after_the_step_in_progress(monkeypatch):
    """Streamlit's yield check raises to end the run (another page opened); the work stays consistent."""

    class Moved(Exception):
        pass

    checks = []

    def moved_after_three_steps():
        checks.append(1)
        if len(checks) == 3:
            raise Moved

    monkeypatch.setattr(slices, "SLICE_S", 10.0)
    monkeypatch.setattr(slices, "DRAWING_SLICE_S", 10.0)
    monkeypatch.setattr(slices, "get_run_yield_check", lambda: moved_after_three_steps)
    with pytest.raises(Moved):
        run(1000)
    monkeypatch.setattr(slices, "get_run_yield_check", lambda: None)  # no script run: nothing to check
    monkeypatch.setattr(slices, "DRAWING_SLICE_S", 0.0)
    after = run(1000)  # the same work, on from where the interrupted slice left it, its lock free
    assert int(after.result["done"]) == 4 and len(STARTS) == 1
