"""scripts/bench_tests.py: the table it prints from two runs' module times, and that it runs what
`make test` runs. (`make bench-tests` runs it for real.)"""

from __future__ import annotations

import re

from bench_tests import SERIAL, SIDE_BY_SIDE, figures_table, side_by_side_arguments, table
from conftest import ROOT


def test_the_table_puts_each_suite_then_the_other_modules_then_the_wall_times_and_their_ratio():
    runs = {
        SERIAL: {
            "wall_seconds": 1200.0,
            "workers": 0,
            "modules": {"tests/test_e2e_a.py": 300.0, "tests/test_e2e_b.py": 500.0, "tests/test_x.py": 100.0,
                        "tests/test_y.py": 50.5},
            "e2e": ["tests/test_e2e_a.py", "tests/test_e2e_b.py"],
        },
        SIDE_BY_SIDE: {
            "wall_seconds": 480.0,
            "workers": 8,
            "modules": {"tests/test_e2e_a.py": 350.0, "tests/test_e2e_b.py": 460.0, "tests/test_x.py": 120.0,
                        "tests/test_y.py": 60.0},
            "e2e": ["tests/test_e2e_a.py", "tests/test_e2e_b.py"],
        },
    }  # fmt: skip
    assert table(runs) == [
        "| | serial | side by side (8 workers) |",
        "|---|---|---|",
        "| `test_e2e_b.py` | 500.0 s | 460.0 s |",
        "| `test_e2e_a.py` | 300.0 s | 350.0 s |",
        "| 2 other modules (sum) | 150.5 s | 180.0 s |",
        "| **wall time** | 1,200.0 s | 480.0 s |",
        "| side by side / serial | | **0.40** |",
    ]


def test_it_runs_the_suite_side_by_side_as_make_test_does():
    makefile = (ROOT / "Makefile").read_text()
    (declared,) = re.findall(r"^SIDE_BY_SIDE = (.+)$", makefile, flags=re.MULTILINE)
    assert declared.split() == side_by_side_arguments("$(TEST_WORKERS)")
    (test_recipe,) = re.findall(r"^test: .*\n\t(.+)$", makefile, flags=re.MULTILINE)
    assert "$(SIDE_BY_SIDE)" in test_recipe


def test_the_table_adds_the_cpu_time_and_its_share_of_each_core_when_both_runs_measured_it(monkeypatch):
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0, 1})
    run = {"wall_seconds": 100.0, "workers": 0, "modules": {"tests/test_x.py": 90.0}, "e2e": []}
    runs = {SERIAL: {**run, "cpu_seconds": 120.0}, SIDE_BY_SIDE: {**run, "workers": 8, "cpu_seconds": 150.0}}
    assert table(runs)[-2:] == [
        "| CPU time (user + system) | 120.0 s | 150.0 s |",
        "| CPU time / 2 cores | 60.0 s | 75.0 s |",
    ]
    del runs[SERIAL]["cpu_seconds"]
    assert "CPU" not in table(runs)[-1]


def test_the_figures_table_sets_each_figure_of_both_runs_side_by_side():
    runs = {
        SERIAL: {"figures": {"first_deploy_seconds": 94.5, "managed_resources": 72}},
        SIDE_BY_SIDE: {"figures": {"first_deploy_seconds": 141.4, "only_here": 1}},
    }
    assert figures_table(runs) == [
        "| figure | serial | side by side |",
        "|---|---|---|",
        "| first_deploy_seconds | 94.5 | 141.4 |",
        "| managed_resources | 72 |  |",
        "| only_here |  | 1 |",
    ]
    assert figures_table({SERIAL: {}, SIDE_BY_SIDE: {"figures": {}}}) == []
