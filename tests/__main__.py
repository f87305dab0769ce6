"""The whole test suite, as README and CI run it: ``python -m tests [pytest options]``.

Two passes, so the suite takes the time of its slowest part rather than the sum of all:

1. every test that only computes (engine, figures, pages in AppTest) spread over the cores by
   pytest-xdist, one worker per core up to ``MAX_WORKERS``;
2. the tests marked ``alone`` (tests/conftest.py: a browser, a server, or a clock that a busy
   neighbour would skew), one at a time on a quiet machine.

Plain ``pytest`` still runs everything in one process; options given here go to both passes
(``python -m tests -x -k vectors``). Both passes run; the exit status is the first failing pass's.
"""

from __future__ import annotations

import os
import subprocess
import sys

# Each worker loads torch, MiniLM and GloVe (about 1.5 GB): more than four buys little on a
# developer's many-core machine and costs its memory.
MAX_WORKERS = 4
# pytest's status when a selection holds no test (say, `-k` naming only browser tests).
NO_TESTS_COLLECTED = 5


def workers() -> int:
    """One per core this process may use (a container's CPU set, not the host's), at most MAX_WORKERS."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, cores))


def passes(options: list[str]) -> list[list[str]]:
    pytest = [sys.executable, "-m", "pytest"]
    return [
        [*pytest, "-m", "not alone", "-n", str(workers()), *options],
        [*pytest, "-m", "alone", *options],
    ]


def main(options: list[str]) -> int:
    """Both passes, even after a failure (CI reports every failing test at once); the first failure's status."""
    failed = 0
    for command in passes(options):
        print("$", " ".join(command), flush=True)
        status = subprocess.run(command, check=False).returncode
        if status not in (0, NO_TESTS_COLLECTED):
            failed = failed or status
    return failed


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
