"""The repository's own files: licence, pre-commit hooks, contributing guide, whitespace."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import yaml
from conftest import ROOT


def test_the_licence_file_is_the_licence_pyproject_declares():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"]
    assert declared == "Apache-2.0"
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text


def test_pre_commit_hooks_run_this_projects_checks_with_its_own_tools():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert set(hooks) == {"ruff", "ruff-format", "mypy", "docs", "whitespace"}
    for hook in hooks.values():
        program, *arguments = hook["entry"].split()
        assert program.startswith(".venv/bin/"), hook["id"]
        # The project's scripts run as modules of the checkout (`-m scripts.gen_docs`): no path set-up in them.
        modules = [argument for argument in arguments if argument.startswith("scripts.")]
        assert all((ROOT / (module.replace(".", "/") + ".py")).is_file() for module in modules)
        assert not [argument for argument in arguments if argument.startswith("scripts/")], hook["id"]


def test_contributing_says_a_new_setting_is_one_field():
    guide = (ROOT / "CONTRIBUTING.md").read_text()
    assert "## How to add a setting" in guide
    assert "Add one field" in guide and "make docs" in guide and "make snapshots" in guide


def test_tracked_text_files_have_no_trailing_whitespace():
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    checked = [
        name
        for name in files
        if not name.startswith("tests/snapshots/")
        and name not in ("LICENSE",)
        and not name.endswith(".lock")
        and not name.endswith("lock.json")
    ]
    result = subprocess.run(
        [sys.executable, "-m", "scripts.check_whitespace", *checked],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert len(checked) > 50
