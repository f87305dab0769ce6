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
    """An empty store, a new session, and slices short enough for a test."""
    slices._kept_runs.clear()
    st.session_state.clear()
    STARTS.clear()
    monkeypatch.setattr(slices, "FIRST_SLICE_S", 0.02)
    monkeypatch.setattr(slices, "SLICE_S", 0.06)


def run(steps: int, step_s: float = 0.005) -> slices.Slice:
    return slices.run_in_slices(start_counting, (steps, step_s), advance=advance, record=record)


def test_a_first_slice_is_short_later_ones_longer_and_the_record_is_on_the_host():
    first = run(1000)
    assert not first.finished and not first.cached
    assert 1 <= int(first.result["done"]) < 10  # 20 ms of 5 ms steps
    second = run(1000)
    assert int(second.result["done"]) - int(first.result["done"]) >= 8  # 60 ms of them
    assert second.timing.milliseconds > first.timing.milliseconds >= 5
    assert hasattr(first.result["done"], "dtype") and not isinstance(first.result["done"], torch.Tensor)


def test_every_run_advances_at_least_once_however_short_the_slice(monkeypatch):
    monkeypatch.setattr(slices, "FIRST_SLICE_S", 0.0)
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


@pytest.mark.parametrize("fragment_run", [True, False])
def test_keep_going_reruns_the_fragment_at_once_or_the_app_once_it_has_drawn(monkeypatch, fragment_run):
    reruns = []
    monkeypatch.setattr(slices.st, "rerun", lambda scope="app": reruns.append(scope))
    ids = ["train_panel"] if fragment_run else []
    monkeypatch.setattr(slices, "get_script_run_ctx", lambda: SimpleNamespace(fragment_ids_this_run=ids))
    slices.keep_going()
    if fragment_run:
        assert reruns[0] == "fragment"
    else:  # the rest of the page is drawn first: app.py asks at its end, once
        assert reruns == []
        slices.rerun_if_asked()
        slices.rerun_if_asked()
        assert reruns == ["app"]
