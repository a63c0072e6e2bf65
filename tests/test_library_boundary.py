"""The app, its tools and the day-2 command use the construct library as an outside app would: through
its public names, never a private module (`cdktf_fargate._…`), so the library may change its insides."""

from __future__ import annotations

import ast
from pathlib import Path

import cdktf_fargate

import pytest
from conftest import ROOT

# Everything outside the library that ships or runs: the app layer, the tools, the command, the examples.
OUTSIDE = [
    ROOT / "main.py",
    *(path for folder in ("stacks", "scripts", "constructs/cdktf_fargate_cli", "examples")
      for path in sorted((ROOT / folder).rglob("*.py"))),
]  # fmt: skip


def private_imports(source: str) -> list[str]:
    """Each `cdktf_fargate` import that reaches a private module or name, as written."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "cdktf_fargate":
            parts = node.module.split(".")[1:]
            names = [alias.name for alias in node.names]
            if any(part.startswith("_") for part in parts) or any(name.startswith("_") for name in names):
                found.append(f"from {node.module} import {', '.join(names)}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "cdktf_fargate" and any(part.startswith("_") for part in parts[1:]):
                    found.append(f"import {alias.name}")
    return found


@pytest.mark.parametrize("path", OUTSIDE, ids=lambda path: str(path.relative_to(ROOT)))
def test_nothing_outside_the_library_imports_its_private_modules(path: Path):
    assert private_imports(path.read_text()) == []


def test_the_check_finds_every_form_of_private_import():
    source = (
        "from cdktf_fargate._rollout import estimate_rollout\n"
        "from cdktf_fargate.options._base import Pattern\n"
        "from cdktf_fargate import _provider\n"
        "import cdktf_fargate._validation\n"
        "from cdktf_fargate import estimate_rollout\n"
        "from cdktf_fargate.options import Pattern\n"
    )
    assert private_imports(source) == [
        "from cdktf_fargate._rollout import estimate_rollout",
        "from cdktf_fargate.options._base import Pattern",
        "from cdktf_fargate import _provider",
        "import cdktf_fargate._validation",
    ]


def test_what_the_app_needs_of_the_library_is_public():
    for name in ("estimate_rollout", "RolloutEstimate", "rule_covers"):
        assert name in cdktf_fargate.__all__


def test_reading_the_settings_file_loads_neither_cdktf_nor_the_library():
    """The emulator's endpoint is read before every Terraform run: `stacks.settings_file` must stay light."""
    import subprocess
    import sys

    probe = (
        "import sys; import stacks.settings_file as f; f.read_tables(); "
        "print(sorted(m for m in ('cdktf', 'cdktf_fargate', 'jsii') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_stacks_package_still_gives_its_names():
    import stacks

    assert sorted(stacks.__all__) == sorted(stacks._WHERE)
    assert stacks.WebServiceStack.__name__ == "WebServiceStack"


def test_one_export_list_each_name_written_once():
    """The package lists its constructs; every option type and rule is exported by the options package's own
    list, which the package adds whole: no name is written in both, and every listed name exists."""
    import ast

    from cdktf_fargate import options

    source = ast.parse((Path(cdktf_fargate.__file__)).read_text())
    (literal,) = [
        node.value
        for node in source.body
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets)
    ]
    written = [element.value for element in literal.elts]  # type: ignore[attr-defined]
    assert not set(written) & set(options.__all__)
    assert sorted(cdktf_fargate.__all__) == sorted([*written, *options.__all__])
    assert all(hasattr(cdktf_fargate, name) for name in cdktf_fargate.__all__)
