"""The test run as `make test` makes it: pytest-xdist workers with `--dist loadfile`, so each module stays
on one worker, in its own process: an end-to-end suite with its own emulator, port, working copy and
Terraform directories. Their waits on the provider's clock overlap, and the unit modules fill the
workers around them.

This plugin (tests/conftest.py loads it) orders the modules, reports each suite's wall time and the
figures the suites record, shows a failing test its emulator's last requests, and ends whatever a
suite left running. Every part also works without xdist (`pytest tests/test_x.py`).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import processes
import pytest

SECONDS_CACHE_KEY = "cdktf-fargate/module-seconds"
STARTED = time.time()

_figures: dict[str, object] = {}


def record_e2e_figures(**figures: object) -> None:
    """Add figures to this run's end-to-end report, printed at the end of the run."""
    _figures.update(figures)


def module_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--module-times",
        metavar="PATH",
        help="write each module's seconds, which are end-to-end suites and the run's wall time there (JSON)",
    )


def pytest_configure(config: pytest.Config) -> None:
    if not is_worker(config):
        config.pluginmanager.register(RunTimes(config), "cdktf-fargate-run-times")


def pytest_sessionstart(session: pytest.Session) -> None:
    """A run killed before it could clean up (SIGKILL, SIGTERM) left its commands running: end them
    before they take this run's cores, and say so."""
    if is_worker(session.config):
        return
    ended = processes.end_orphans()
    if ended:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = [f"ended {len(ended)} processes that a killed earlier run left running:"]
        lines += [f"  {pid} {command[:160]}" for pid, command in sorted(ended.items())]
        if reporter is not None:
            reporter.write_line("\n".join(lines))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """End-to-end suites first, then the other modules, each group slowest first by the last run's times
    (in collection order where there are none): with `--dist loadfile --no-loadscope-reorder` every
    suite starts at once on a worker of its own. All workers read the same times, so all collect the
    same order (xdist requires it)."""
    cache = getattr(config, "cache", None)  # None with -p no:cacheprovider
    seconds: dict[str, float] = cache.get(SECONDS_CACHE_KEY, {}) if cache is not None else {}
    first_index: dict[str, int] = {}
    for index, item in enumerate(items):
        first_index.setdefault(module_of(item.nodeid), index)

    def order(item: pytest.Item) -> tuple[bool, float, int]:
        module = module_of(item.nodeid)
        return (item.get_closest_marker("e2e") is None, -seconds.get(module, 0.0), first_index[module])

    items.sort(key=order)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A failing test shows the last requests of the emulators its process runs: its own suite's."""
    report = yield
    emulators = sys.modules.get("cdktf_fargate_emulator")
    if report.failed and emulators is not None:
        for emulator in emulators.LocalAws.running:
            tail = emulator.log_tail()
            if tail:
                report.sections.append((f"emulator at {emulator.endpoint}: its last requests", tail))
    return report


@pytest.fixture(scope="module", autouse=True)
def _nothing_left_running(request: pytest.FixtureRequest) -> Any:
    """After an end-to-end suite, none of the processes it started runs on (tests/processes.py)."""
    yield
    if request.node.get_closest_marker("e2e") is not None:
        left = processes.end_all_of_this_process()
        assert not left, f"the suite left these running (now ended): {sorted(left.values())}"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Whatever ends the run, Ctrl-C included, ends what the suites started; a worker hands its
    figures to the main process."""
    processes.end_all_of_this_process()
    if is_worker(session.config):
        session.config.workeroutput["e2e_figures"] = dict(_figures)  # type: ignore[attr-defined]


class RunTimes:
    """In the main process (xdist's controller, or pytest alone), which sees every test's report."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        # Seconds of each module on its worker: its tests' setup, call and teardown.
        self.seconds: dict[str, float] = {}
        self.e2e: set[str] = set()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        module = module_of(report.nodeid)
        self.seconds[module] = self.seconds.get(module, 0.0) + report.duration
        if "e2e" in report.keywords:
            self.e2e.add(module)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        _figures.update(node.workeroutput.get("e2e_figures", {}))

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Keep each module's time for the next run's order; write them where --module-times says."""
        seconds = {module: round(value, 1) for module, value in sorted(self.seconds.items())}
        cache = getattr(self.config, "cache", None)
        if cache is not None and seconds:
            cache.set(SECONDS_CACHE_KEY, {**cache.get(SECONDS_CACHE_KEY, {}), **seconds})
        path = self.config.getoption("--module-times")
        if path:
            report = {
                "wall_seconds": round(time.time() - STARTED, 1),
                "workers": int(getattr(self.config.option, "numprocesses", 0) or 0),
                "modules": seconds,
                "e2e": sorted(self.e2e),
                "figures": dict(_figures),
            }
            Path(path).write_text(json.dumps(report, indent=2) + "\n")

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """Each end-to-end suite's wall time on its worker, and the figures the suites recorded."""
        if self.e2e:
            terminalreporter.write_sep("-", "end-to-end suites: wall time on their worker")
            for module in sorted(self.e2e, key=lambda m: -self.seconds[m]):
                terminalreporter.write_line(f"{self.seconds[module]:7.1f} s  {module}")
        if _figures:
            terminalreporter.write_sep("-", "end-to-end deploys on the local AWS emulator")
            for key, value in _figures.items():
                terminalreporter.write_line(f"{key}: {value}")
