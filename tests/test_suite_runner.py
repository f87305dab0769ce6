"""``python -m tests``: the parallel pass, then the tests that run alone; both always run."""

from types import SimpleNamespace

import pytest

from tests import __main__ as runner


def test_the_first_pass_spreads_the_rest_and_the_second_takes_the_alone_tests():
    parallel, alone = runner.passes(["-x", "-k", "vectors"])
    assert parallel[1:] == ["-m", "pytest", "-m", "not alone", "-n", str(runner.workers()), "-x", "-k", "vectors"]
    assert alone[1:] == ["-m", "pytest", "-m", "alone", "-x", "-k", "vectors"]
    assert 1 <= runner.workers() <= runner.MAX_WORKERS


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ((0, 0), 0),
        ((1, 0), 1),  # a failure in the first pass: the second still runs
        ((0, 1), 1),
        ((2, 1), 2),  # the first failure's status
        ((runner.NO_TESTS_COLLECTED, 0), 0),  # a selection with no test in one pass is not a failure
        ((0, runner.NO_TESTS_COLLECTED), 0),
    ],
)
def test_both_passes_run_and_the_first_failure_decides(monkeypatch, statuses, expected):
    ran = []

    def fake_run(command, check):
        ran.append(command)
        return SimpleNamespace(returncode=statuses[len(ran) - 1])

    monkeypatch.setattr(runner.subprocess, "run", fake_run)
    assert runner.main([]) == expected
    assert len(ran) == 2
