"""The load test's protocol client (bench/st_client.py) against the real server: a short load, and
the check that each rerun drew what the moved value draws, shown to catch a wrong value.

No browser: the client speaks Streamlit's websocket protocol itself.
"""

from __future__ import annotations

import subprocess

import pytest

from bench import bench_load
from bench.st_client import Outputs, Session, comparable, region, unmeasured
from tests.e2e.browser import streamlit_server
from tests.event_loops import run_apart

PAGE, KEY = "vectors", "a_len"  # a slider inside an st.fragment


@pytest.fixture(scope="module")
def server() -> tuple[str, subprocess.Popen]:
    started: list[subprocess.Popen] = []
    with streamlit_server(started=started) as base:
        yield base, started[0]


def test_short_load_has_no_errors(server):
    base, process = server
    _, outputs, tally, samples, _ = run_apart(bench_load.drive(base, process, sessions=2, seconds=15, seed=1))
    assert dict(tally.errors) == {}
    assert len(tally.page_opens) == 2
    assert len(tally.latencies) >= 8  # a move every 1–2 s in each of 2 sessions
    assert tally.fragment_runs > 0
    assert outputs.verified > 0
    assert len(samples) >= 3 and all(s.rss_mb > 100 for s in samples)


async def _moves(base: str, values: list, outputs: Outputs, expected: list | None = None) -> list[bool]:
    """Open PAGE in a new session and set KEY to each of ``values`` in turn; check each rerun against
    ``outputs`` as if the value had been ``expected[i]`` (by default, the value sent)."""
    results = []
    async with Session(base) as session:
        await session.open_page(PAGE)
        for index, value in enumerate(values):
            control = next(c for c in session.controls.values() if c.key == KEY)
            run = await session.move(control, value)
            assert not run.exceptions and control.id in run.controls_drawn
            assert run.status == 3  # FINISHED_FRAGMENT_RUN_SUCCESSFULLY: only the fragment reran
            believed = session.controls[control.id]
            if expected is not None:
                believed.value = expected[index]
            state = Outputs.state(PAGE, region(believed, session.controls), session.controls)
            believed.value = value
            results.append(outputs.check(state, run))
    return results


def test_every_rerun_matches_an_independent_session(server):
    base, _ = server
    outputs = Outputs()
    low, high = [0.5], [4.0]
    sequence = [low, high, low, high]
    # The first session records what each state draws; a second, separate session must draw the same.
    assert run_apart(_moves(base, sequence, outputs)) == [True, True, True, True]
    recorded = outputs.recorded
    assert run_apart(_moves(base, sequence, outputs)) == [True, True, True, True]
    assert outputs.verified == len(sequence) + len(sequence) - recorded  # every rerun of session 2, checked
    # The two values draw different output, so a rerun with the wrong one cannot pass.
    assert len(set(outputs.references.values())) == recorded == 2


def test_a_wrong_value_is_detected(server):
    base, _ = server
    outputs = Outputs()
    run_apart(_moves(base, [[0.5], [4.0]], outputs))
    # Send 0.5 while believing 4.0 was sent (and the reverse): the output is that of the other state.
    assert run_apart(_moves(base, [[0.5], [4.0]], outputs, expected=[[4.0], [0.5]])) == [False, False]


@pytest.mark.parametrize(
    ("kind", "text", "seen"),
    [
        ("markdown", "A caption · computed in 3.25 ms on CPU", "A caption · "),
        ("metric", "12.3 ms", ""),
        ("metric", "1,204.5 µs", ""),
        ("metric", "0.731", "0.731"),  # a result, not a measurement
        ("metric", "12.3 ms per step at lr 0.1", "12.3 ms per step at lr 0.1"),
        ("markdown", "trained for 12.3 ms", "trained for 12.3 ms"),
    ],
)
def test_only_measured_durations_are_left_out_of_the_check(kind, text, seen):
    assert unmeasured(kind, text) == seen


def test_a_box_the_client_never_types_in_compares_by_what_it_is_not_by_the_value_a_run_pushed():
    from streamlit.proto.Element_pb2 import Element

    def text_area(label: str, pushed: str | None = None) -> Element:
        element = Element()
        element.text_area.label = label
        if pushed is not None:  # the run where a preset writes into the box
            element.text_area.value, element.text_area.set_value, element.has_one_shot_effect = pushed, True, True
        return element

    assert comparable(text_area("analogy", "king - man + woman")) == comparable(text_area("analogy"))
    assert comparable(text_area("analogy")) != comparable(text_area("another box"))


def test_work_drawn_over_several_runs_is_checked_by_what_its_last_run_drew(server):
    """Training goes on over several runs (ui/slices.py); served again from the kept result it takes one.
    Both must count as the same output, or the load test reports a difference that is not there."""
    base, _ = server

    async def train_twice() -> tuple:
        async with Session(base) as session:
            await session.open_page("train", "train_steps=2000&width=32&hidden=3&train_seed=7")
            steps = next(c for c in session.controls.values() if c.key == "train_steps")
            trained = await session.move(steps, ["1000"])  # a new setting: trained over several runs
            await session.move(steps, ["2000"])
            again = await session.move(steps, ["1000"])  # the same setting: the kept result, one run
            return trained, again

    trained, again = run_apart(train_twice())
    assert trained.runs > 1 and again.runs == 1
    assert trained.texts == again.texts and trained.fingerprint == again.fingerprint
