"""tests/processes.py and tests/side_by_side.py: what the end-to-end suites start is ended whatever
happens, and the modules are ordered for running side by side."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from types import SimpleNamespace

import processes
import pytest
import side_by_side

# A process that starts a grandchild in its own process group, as scripts/terraform_graceful.py starts
# an apply: ending the first one's group would not reach it.
ESCAPING = (
    "import subprocess, sys, time; "
    "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'], process_group=0); "
    "time.sleep(120)"
)


def wait_until_none(mark: str) -> dict[int, str]:
    deadline = time.monotonic() + 10
    while (left := processes.running(mark)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def test_a_timeout_ends_every_marked_process_even_one_in_another_process_group():
    env = processes.marked(os.environ, "timeout-test")
    mark = env[processes.MARK]
    with pytest.raises(subprocess.TimeoutExpired):
        processes.run([sys.executable, "-c", ESCAPING], env=env, timeout=3)
    assert wait_until_none(mark) == {}


def test_a_finished_command_gives_its_output_and_leaves_nothing():
    env = processes.marked(os.environ, "plain-test")
    result = processes.run([sys.executable, "-c", "print('hello'); import sys; sys.exit(3)"], env=env, timeout=30)
    assert (result.returncode, result.stdout) == (3, "hello\n")
    assert processes.running(env[processes.MARK]) == {}


def test_end_all_of_this_process_ends_what_any_suite_left_and_says_what():
    left = subprocess.Popen([sys.executable, "-c", ESCAPING], env=processes.marked(os.environ, "left-behind"))
    try:
        deadline = time.monotonic() + 10
        while len(processes.running(f"{os.getpid()}/", prefix=True)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        ended = processes.end_all_of_this_process(grace=2)
        assert len(ended) == 2
        assert wait_until_none(f"{os.getpid()}/left-behind") == {}
    finally:
        left.kill()
        left.wait()


def test_another_processes_marks_are_not_ended():
    other = {**os.environ, processes.MARK: "1/not-this-run"}
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], env=other)
    try:
        processes.end_all_of_this_process(grace=1)
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()


class FakeItem:
    def __init__(self, nodeid: str, e2e: bool) -> None:
        self.nodeid = nodeid
        self.e2e = e2e

    def get_closest_marker(self, name: str) -> object | None:
        return object() if name == "e2e" and self.e2e else None


def order(items: list[FakeItem], seconds: dict[str, float]) -> list[str]:
    config = SimpleNamespace(cache=SimpleNamespace(get=lambda key, default: seconds))
    side_by_side.pytest_collection_modifyitems(config, items)  # type: ignore[arg-type]
    return [item.nodeid for item in items]


def collected() -> list[FakeItem]:
    return [
        FakeItem("tests/test_a.py::one", False),
        FakeItem("tests/test_a.py::two", False),
        FakeItem("tests/test_b.py::one", False),
        FakeItem("tests/test_e2e_short.py::deploy", True),
        FakeItem("tests/test_e2e_short.py::destroy", True),
        FakeItem("tests/test_e2e_long.py::deploy", True),
    ]


def test_end_to_end_suites_come_first_then_the_slowest_modules_each_in_its_own_order():
    seconds = {"tests/test_b.py": 30.0, "tests/test_a.py": 2.0, "tests/test_e2e_long.py": 400.0}
    assert order(collected(), seconds) == [
        "tests/test_e2e_long.py::deploy",
        "tests/test_e2e_short.py::deploy",
        "tests/test_e2e_short.py::destroy",
        "tests/test_b.py::one",
        "tests/test_a.py::one",
        "tests/test_a.py::two",
    ]
    # Without times from an earlier run (a clean clone): the suites first, each group as collected.
    assert order(collected(), {}) == [
        "tests/test_e2e_short.py::deploy",
        "tests/test_e2e_short.py::destroy",
        "tests/test_e2e_long.py::deploy",
        "tests/test_a.py::one",
        "tests/test_a.py::two",
        "tests/test_b.py::one",
    ]


def test_a_killed_runs_leftovers_are_ended_and_a_live_runs_are_not():
    # Marked by a pytest that is gone: a process of ours that has ended stands in for a killed run.
    gone = subprocess.Popen(["true"])
    gone.wait()
    orphan = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(120)"], env={**os.environ, processes.MARK: f"{gone.pid}/left"}
    )
    ours = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(120)"], env=processes.marked(os.environ, "alive")
    )
    try:
        deadline = time.monotonic() + 10
        while orphan.pid not in processes.orphans() and time.monotonic() < deadline:
            time.sleep(0.1)
        ended = processes.end_orphans(grace=2)
        # Another run's start (tests/test_side_by_side.py's, on another worker) may end it first.
        assert orphan.wait(timeout=10) is not None
        assert ours.pid not in ended and ours.poll() is None
    finally:
        for process in (orphan, ours):
            process.kill()
            process.wait()
