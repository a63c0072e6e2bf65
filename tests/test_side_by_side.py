"""tests/side_by_side.py, run as `make test` runs it: small suites under pytest-xdist in a pytest of their
own (pytester), one of them end-to-end, each module on its own worker."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import processes
import pytest

TESTS = Path(__file__).resolve().parent

PLUGIN_ONLY = """
pytest_plugins = ["side_by_side"]

def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: an end-to-end suite")
"""

# Stands in for the emulator package: the plugin asks whatever `cdktf_fargate_emulator` the process
# imported for its running emulators.
FAKE_LOCAL_AWS = """
class _Emulator:
    endpoint = "http://127.0.0.1:4321"

    def log_tail(self):
        return "12:00:01 400 3 ms ec2 AuthorizeSecurityGroupEgress InvalidPermission.Duplicate"


class LocalAws:
    running = [_Emulator()]
"""

SUITE = """
import pytest
from side_by_side import record_e2e_figures

pytestmark = pytest.mark.e2e


def test_deploy():
    record_e2e_figures(first_deploy_seconds=12.5, managed_resources=72)
"""

UNIT = """
def test_one():
    assert 1 + 1 == 2
"""


@pytest.fixture
def side_by_side_run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]))
    pytester.makeconftest(PLUGIN_ONLY)
    pytester.makepyfile(cdktf_fargate_emulator=FAKE_LOCAL_AWS)
    return pytester


def run(pytester: pytest.Pytester, *arguments: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(
        "-n", "2", "--dist", "loadfile", "--no-loadscope-reorder", "-p", "no:cacheprovider", *arguments
    )


def test_the_figures_a_worker_records_reach_the_summary_and_the_module_times(side_by_side_run):
    side_by_side_run.makepyfile(test_e2e_suite=SUITE, test_unit=UNIT)
    times = side_by_side_run.path / "times.json"
    result = run(side_by_side_run, "--module-times", str(times))
    result.assert_outcomes(passed=2)
    report = json.loads(times.read_text())
    assert report["workers"] == 2
    assert set(report["modules"]) == {"test_e2e_suite.py", "test_unit.py"}
    assert report["e2e"] == ["test_e2e_suite.py"]
    assert report["figures"] == {"first_deploy_seconds": 12.5, "managed_resources": 72}
    result.stdout.re_match_lines(
        [r".*end-to-end suites: wall time on their worker.*", r" +\d+\.\d s  test_e2e_suite.py"]
    )
    result.stdout.fnmatch_lines(["first_deploy_seconds: 12.5", "managed_resources: 72"])


def test_a_failing_test_shows_the_last_requests_of_its_processs_emulator(side_by_side_run):
    side_by_side_run.makepyfile(
        test_e2e_failing="""
import cdktf_fargate_emulator

def test_deploy():
    assert cdktf_fargate_emulator.LocalAws.running
    assert False, "the deploy failed"
"""
    )
    result = run(side_by_side_run)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*emulator at http://127.0.0.1:4321: its last requests*",
            "*AuthorizeSecurityGroupEgress InvalidPermission.Duplicate*",
        ]
    )


def test_fails_when_an_end_to_end_suite_leaves_a_process_running_and_ends_it(side_by_side_run):
    name = f"left-by-{os.getpid()}"
    side_by_side_run.makepyfile(
        test_e2e_leaky=f"""
import os, subprocess, sys
import processes
import pytest

pytestmark = pytest.mark.e2e


def test_starts_a_command_and_forgets_it():
    env = processes.marked(os.environ, {name!r})
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], env=env)
"""
    )
    result = run(side_by_side_run)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*the suite left these running (now ended)*time.sleep(120)*"])
    assert not [mark for mark in _marks_on_this_machine() if mark.endswith(f"/{name}")]


def _marks_on_this_machine() -> list[str]:
    """The marks of every marked process (the suite ran in a pytest of its own: its pid is in the mark)."""
    marks = []
    prefix = processes.MARK.encode() + b"="
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                environ = (entry / "environ").read_bytes().split(b"\0")
            except OSError:
                continue
            marks += [variable[len(prefix) :].decode() for variable in environ if variable.startswith(prefix)]
    return marks


if sys.platform != "linux":  # pragma: no cover - processes.running reads /proc
    pytestmark = pytest.mark.skip("reads /proc")
