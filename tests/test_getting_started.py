"""docs/getting-started.md stays true: the manual steps it counts are its numbered steps, each says what
proves it, every test it names exists, every command it gives exists, the settings it asks for are in the
shipped file, and the destroy settings are the ones the emulator suite applies."""

from __future__ import annotations

import ast
import re
import shlex
import tomllib
from typing import Any

import pytest
from cdktf_fargate_cli.main import parser
from conftest import ROOT
from e2e_support import DESTROYABLE

from stacks.environments import BootstrapConfig, EnvironmentConfig

PAGE = (ROOT / "docs" / "getting-started.md").read_text()
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}


def sections() -> dict[str, str]:
    parts = re.split(r"^## (.+)$", PAGE, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_the_manual_steps_it_counts_are_its_numbered_steps():
    stated = re.search(r"\*\*(\w+) manual steps\*\*", PAGE)
    assert stated, "the page states how many manual steps there are"
    numbered = [title for title in sections() if re.match(r"\d+\. ", title)]
    assert [int(title.split(".")[0]) for title in numbered] == list(range(1, len(numbered) + 1))
    assert NUMBERS[stated.group(1).lower()] == len(numbered)


def test_every_step_says_what_proves_it():
    for title, body in sections().items():
        if re.match(r"\d+\. ", title) or title in ("Check it", "Destroying an environment"):
            assert "*Proven:*" in body or "*Not provable here*" in body, title
            assert re.search(r"tests/test_\w+\.py", body), title


def defined_tests(path: str) -> set[str]:
    tree = ast.parse((ROOT / path).read_text())
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


def test_every_test_it_names_exists():
    named = re.findall(r"(tests/test_\w+\.py)((?:::\w+)?)", PAGE)
    named += [(path, f"::{name}") for path, name in re.findall(r"(tests/test_\w+\.py)`?,?\s*`::(\w+)`", PAGE)]
    assert len(named) > 10
    for path, test in named:
        assert (ROOT / path).is_file(), path
        if test:
            assert test[2:] in defined_tests(path), f"{path}{test}"
    # The `::name` continuations name tests of the file mentioned just before them.
    for follower in re.findall(r"^`::(\w+)`", PAGE, flags=re.MULTILINE):
        assert follower in defined_tests("tests/test_end_to_end_golden_path.py"), follower


def commands() -> list[list[str]]:
    found = []
    for block in re.findall(r"```sh\n(.*?)```", PAGE, flags=re.DOTALL):
        for line in block.splitlines():
            for command in line.split("&&"):
                words = shlex.split(command, comments=True)
                while words and re.match(r"[A-Z_]+=", words[0]):
                    words = words[1:]
                if words:
                    found.append(words)
    return found


def test_every_command_it_gives_exists():
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z-]+):", makefile, flags=re.MULTILINE))
    verbs = parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    seen = set()
    for words in commands():
        seen.add(words[0])
        if words[0] == "make":
            assert words[1] in targets, words
        elif words[0] == ".venv/bin/cdktf-fargate":
            assert words[1] in verbs, words
        else:
            assert words[0] in ("git", "cd"), words
    assert {"make", ".venv/bin/cdktf-fargate", "git"} <= seen


def setting_exists(option_type: type, dotted: str) -> bool:
    import dataclasses
    import typing

    current: Any = option_type
    for part in dotted.split("."):
        fields = {field.name: field for field in dataclasses.fields(current)}
        if part not in fields:
            return False
        current = typing.get_type_hints(current)[part]
    return True


def test_every_setting_it_asks_for_exists_and_is_in_the_shipped_file():
    shipped = tomllib.loads((ROOT / "environments.toml").read_text())
    table = sections()["2. Your settings"]
    rows = [row for row in table.splitlines() if row.startswith("| `[")]
    assert len(rows) >= 5
    for row in rows:
        where, settings = row.split("|")[1:3]
        tables = re.findall(r"`\[(\w+)\]`", where)
        for setting in re.findall(r"`([a-z_.]+)`", settings):
            for name in tables:
                option_type = BootstrapConfig if name == "bootstrap" else EnvironmentConfig
                assert setting_exists(option_type, setting), (name, setting)
                assert setting in flatten(shipped[name]), f"[{name}] {setting} is not in the shipped environments.toml"


def flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def test_the_destroy_settings_are_the_ones_the_emulator_suite_applies():
    (block,) = re.findall(r"```toml\n(.*?)```", sections()["Destroying an environment"], flags=re.DOTALL)
    lines = [line.strip() for line in block.splitlines()]
    (table,) = tomllib.loads("\n".join(lines)).values()
    assert flatten(table) == flatten(DESTROYABLE)


@pytest.mark.parametrize("setting", ["account_id", "alb.access_logs.force_destroy", "deploy.key_admin_arns"])
def test_setting_exists_can_tell_a_setting_from_a_typo(setting):
    assert setting_exists(EnvironmentConfig, setting)
    assert not setting_exists(EnvironmentConfig, setting + "s")
