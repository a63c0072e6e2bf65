#!/usr/bin/env python3
"""Benchmark the test suite: the same checkout run one module after another, then side by side as
`make test` runs it, so that the gain is a ratio measured in one sitting.

    python scripts/bench_tests.py [--workers N] [--order serial-first|side-by-side-first] [PYTEST_ARGS...]

Each run is pytest with `--module-times` (tests/side_by_side.py): its wall time, and each module's
time on its worker. Neither run reads the other's times (no cache), so the side-by-side run orders
the modules as on a clean clone. Lint is not part of either. Prints a table, end-to-end suites first;
the results also go to .bench/tests.json. Extra arguments go to both runs (`-m "not e2e"`, say).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SERIAL = "serial"
SIDE_BY_SIDE = "side by side"


def side_by_side_arguments(workers: int | str) -> list[str]:
    """What `make test` gives pytest to run the modules side by side (the Makefile's SIDE_BY_SIDE)."""
    return ["-n", str(workers), "--dist", "loadfile", "--no-loadscope-reorder"]


def one_run(arguments: list[str], scratch: Path, name: str) -> dict[str, Any]:
    times = scratch / f"{name.replace(' ', '-')}.json"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--module-times", str(times)]
    started, cpu_before = time.monotonic(), _children_cpu_seconds()
    result = subprocess.run([*command, *arguments], cwd=ROOT, capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    cpu = _children_cpu_seconds() - cpu_before
    summary = next((line for line in reversed(result.stdout.splitlines()) if " in " in line), "")
    report = json.loads(times.read_text()) if times.exists() else {"modules": {}, "e2e": []}
    return {
        "wall_seconds": round(wall, 1),
        "cpu_seconds": round(cpu, 1),
        "exit_code": result.returncode,
        "summary": summary.strip("= "),
        **report,
    }


def _children_cpu_seconds() -> float:
    """User and system time of every finished descendant that its parent waited for (pytest waits
    for its commands, they for theirs): the run's CPU, which with the cores bounds its wall time."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def table(runs: dict[str, dict[str, Any]]) -> list[str]:
    serial, side = runs[SERIAL], runs[SIDE_BY_SIDE]
    e2e = sorted(set(serial["e2e"]) | set(side["e2e"]), key=lambda m: -serial["modules"].get(m, 0.0))
    others = sorted(set(serial["modules"]) - set(e2e))

    def row(name: str, a: float, b: float) -> str:
        return f"| {name} | {a:,.1f} s | {b:,.1f} s |"

    def seconds(run: dict[str, Any], modules: list[str]) -> float:
        return sum(run["modules"].get(module, 0.0) for module in modules)

    lines = [f"| | {SERIAL} | {SIDE_BY_SIDE} ({side['workers']} workers) |", "|---|---|---|"]
    for module in e2e:
        lines.append(row(f"`{Path(module).name}`", seconds(serial, [module]), seconds(side, [module])))
    lines.append(row(f"{len(others)} other modules (sum)", seconds(serial, others), seconds(side, others)))
    lines.append(row("**wall time**", serial["wall_seconds"], side["wall_seconds"]))
    ratio = side["wall_seconds"] / serial["wall_seconds"] if serial["wall_seconds"] else float("nan")
    lines.append(f"| side by side / serial | | **{ratio:.2f}** |")
    if "cpu_seconds" in serial and "cpu_seconds" in side:
        lines.append(row("CPU time (user + system)", serial["cpu_seconds"], side["cpu_seconds"]))
        cores = len(os.sched_getaffinity(0))
        lines.append(row(f"CPU time / {cores} cores", serial["cpu_seconds"] / cores, side["cpu_seconds"] / cores))
    return lines


def figures_table(runs: dict[str, dict[str, Any]]) -> list[str]:
    """The figures the end-to-end suites recorded, in both runs: the same deploys, alone and side by side."""
    serial, side = runs[SERIAL].get("figures", {}), runs[SIDE_BY_SIDE].get("figures", {})
    lines = [f"| figure | {SERIAL} | {SIDE_BY_SIDE} |", "|---|---|---|"]
    for key in list(serial) + [key for key in side if key not in serial]:
        lines.append(f"| {key} | {serial.get(key, '')} | {side.get(key, '')} |")
    return lines if len(lines) > 2 else []


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--order", choices=("serial-first", "side-by-side-first"), default="serial-first")
    options, pytest_arguments = parser.parse_known_args(argv)
    plans = {SERIAL: ["-p", "no:xdist"], SIDE_BY_SIDE: side_by_side_arguments(options.workers)}
    names = list(plans) if options.order == "serial-first" else list(reversed(plans))
    runs: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-tests-") as scratch:
        for name in names:
            print(f"{name}: pytest {' '.join(plans[name] + pytest_arguments)}", flush=True)
            runs[name] = one_run(plans[name] + pytest_arguments, Path(scratch), name)
            run = runs[name]
            print(f"  {run['wall_seconds']} s, exit {run['exit_code']}: {run['summary']}", flush=True)
    print("\n".join(table(runs)))
    print("\n".join(figures_table(runs)))
    output = ROOT / ".bench" / "tests.json"
    output.parent.mkdir(exist_ok=True)
    output.write_text(json.dumps(runs, indent=2) + "\n")
    print(f"written to {output.relative_to(ROOT)}")
    return max(run["exit_code"] for run in runs.values())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
