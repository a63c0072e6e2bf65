#!/usr/bin/env python3
"""Golden snapshots of the synthesized Terraform JSON: every environment in environments.toml
and every example under examples/. A change to one is a change of deployed infrastructure,
so `tests/test_snapshots.py` fails on any difference and shows it; refresh them on purpose:

    make snapshots            # or: python scripts/snapshots.py [--check]

Each is synthesized the way `cdktf synth` runs the app (main.py, or the example's main.py)
into a temporary directory; the checkout's absolute path is replaced by `<repo>`.
"""

from __future__ import annotations

import difflib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from stacks.settings_file import DEFAULT_CONFIG_PATH, read_tables

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = ROOT / "tests" / "snapshots"
EXAMPLES = ROOT / "examples"


def environments() -> list[str]:
    """Every table of the shipped settings file, the bootstrap's too (whatever CDKTF_FARGATE_CONFIG says)."""
    return list(read_tables(DEFAULT_CONFIG_PATH)[1])


def examples() -> list[str]:
    return sorted(path.parent.name for path in EXAMPLES.glob("*/main.py"))


def names() -> list[str]:
    return [f"env-{name}" for name in environments()] + [f"example-{name}" for name in examples()]


def synthesize(name: str) -> str:
    """The named snapshot's stacks as pretty JSON: {stack name: synthesized document}."""
    kind, _, target = name.partition("-")
    with tempfile.TemporaryDirectory(prefix="snapshot-") as outdir:
        env = {
            **os.environ,
            "CDKTF_OUTDIR": outdir,
            "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
            "PYTHONPATH": str(ROOT),
        }
        if kind == "env":
            env["CDKTF_FARGATE_ENV"] = target
            cwd = ROOT
        else:
            cwd = EXAMPLES / target
        result = subprocess.run(
            [sys.executable, "main.py"], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"synth of {name} failed:\n{result.stdout}{result.stderr}")
        stacks = {
            path.name: json.loads((path / "cdk.tf.json").read_text())
            for path in sorted(Path(outdir, "stacks").iterdir())
        }
    return json.dumps(stacks, indent=2, sort_keys=True).replace(str(ROOT), "<repo>") + "\n"


def snapshot_path(name: str) -> Path:
    return SNAPSHOTS / f"{name}.json"


def difference(name: str) -> str:
    """A unified diff from the committed snapshot to the current synth; empty when they agree."""
    path = snapshot_path(name)
    committed = path.read_text() if path.exists() else ""
    current = synthesize(name)
    return "".join(
        difflib.unified_diff(
            committed.splitlines(keepends=True),
            current.splitlines(keepends=True),
            fromfile=f"committed {path.relative_to(ROOT)}",
            tofile="current synth",
        )
    )


def main(argv: list[str]) -> int:
    check = "--check" in argv
    SNAPSHOTS.mkdir(parents=True, exist_ok=True)
    failed = False
    for name in names():
        if check:
            diff = difference(name)
            if diff:
                failed = True
                print(diff)
            continue
        snapshot_path(name).write_text(synthesize(name))
        print(f"wrote {snapshot_path(name).relative_to(ROOT)}")
    known = {snapshot_path(name) for name in names()}
    for stale in sorted(set(SNAPSHOTS.glob("*.json")) - known):
        if check:
            failed = True
            print(f"{stale.relative_to(ROOT)}: no environment or example makes this snapshot any more")
        else:
            stale.unlink()
            print(f"removed {stale.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
