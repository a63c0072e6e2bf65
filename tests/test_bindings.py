"""The library imports cdktf and the provider bindings in one module, so a move to CDK Terrain edits one place."""

import ast
from pathlib import Path

import cdktf_fargate
from cdktf_fargate import _bindings

PACKAGE_DIR = Path(cdktf_fargate.__file__).parent
SWAPPABLE_PACKAGES = ("cdktf", "cdktf_cdktf_provider_aws")
ALLOWED = {"_bindings.py", "_provider.py"}


def imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_only_the_bindings_module_imports_cdktf_or_the_provider():
    offenders = {
        path.name: sorted(imported_packages(path) & set(SWAPPABLE_PACKAGES))
        for path in sorted(PACKAGE_DIR.glob("*.py"))
        if path.name not in ALLOWED
    }
    assert {name: packages for name, packages in offenders.items() if packages} == {}


def test_the_check_sees_a_direct_provider_import(tmp_path):
    module = tmp_path / "stray.py"
    module.write_text("from cdktf_cdktf_provider_aws.vpc import Vpc\nimport cdktf\n")
    assert imported_packages(module) >= set(SWAPPABLE_PACKAGES)


def test_every_bound_name_is_exported_and_resolves():
    assert sorted(_bindings.__all__) == sorted(set(_bindings.__all__))
    missing = [name for name in _bindings.__all__ if not hasattr(_bindings, name)]
    assert missing == []
    imported = {
        alias.asname or alias.name
        for node in ast.parse(Path(_bindings.__file__).read_text()).body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert imported == set(_bindings.__all__)
