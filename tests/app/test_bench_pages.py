"""bench/bench_pages.py's clock: the interaction budget is per script run, and one change may take several."""

import time

from bench.bench_pages import RunClock
from tests.app.helpers import open_page


def test_the_run_clock_times_each_run_of_a_change_whose_work_goes_on(monkeypatch, one_step_a_run):
    at = open_page("app_pages/train_network.py", {"train_steps": "50"})
    with RunClock() as clock:
        at.select_slider(key="train_steps").set_value(100)
        start = time.perf_counter()
        at.run()
        total = (time.perf_counter() - start) * 1000
    runs = clock.runs_since(start)
    assert len(runs) == 10, runs
    assert all(run > 0 for run in runs) and sum(runs) <= total
    assert sum(runs) > 0.9 * total  # the runs are the change's time, less what follows the last one


def test_the_run_clock_leaves_script_runs_as_they_were():
    from streamlit.testing.v1.local_script_runner import LocalScriptRunner

    before = LocalScriptRunner._on_script_finished
    with RunClock():
        assert LocalScriptRunner._on_script_finished is not before
    assert LocalScriptRunner._on_script_finished is before
