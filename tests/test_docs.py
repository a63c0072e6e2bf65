"""README.md and docs/ stay true: generated tables are current; every make target and construct attribute is
documented; the README stays short."""

from __future__ import annotations

import dataclasses
import re

import cdktf_fargate

import pytest
from cdktf import Testing as CdktfTesting
from conftest import ROOT
from constructs import Construct
from gen_docs import CONSTRUCTS, rendered

from stacks import BootstrapStack, WebServiceStack, load_bootstrap, load_environment

README = ROOT / "README.md"


@pytest.mark.parametrize("path", sorted(rendered(), key=str), ids=lambda path: path.name)
def test_generated_docs_match_the_code(path):
    assert rendered()[path] == path.read_text(), f"{path.name} is out of date: run `make docs`"


def test_readme_is_short_and_links_every_doc():
    readme = README.read_text()
    assert len(readme.encode()) <= 15_000
    linked = set(re.findall(r"\]\((docs/[^)#]+)\)", readme))
    assert linked == {f"docs/{path.name}" for path in (ROOT / "docs").glob("*.md")}


def test_every_make_target_is_in_the_readme():
    makefile = (ROOT / "Makefile").read_text()
    targets = re.findall(r"^([a-z-]+):.*## ", makefile, flags=re.MULTILINE)
    readme = README.read_text()
    assert len(targets) >= 8
    missing = [target for target in targets if f"| `make {target}` |" not in readme]
    assert missing == []


def test_readme_gives_the_two_setup_commands_and_the_var_warning():
    readme = README.read_text()
    assert "make synth" in readme and "make test" in readme
    assert "--var image_tag=" in readme
    assert "`-var`" in readme


def public_attributes(construct: object) -> set[str]:
    names = {name for name in vars(construct) if not name.startswith("_")}
    for klass in type(construct).__mro__:
        if klass.__module__.startswith("cdktf_fargate"):
            names |= {name for name, value in vars(klass).items() if isinstance(value, property)}
    return {name for name in names if not name.startswith("_")}


def documented_attributes(document: str, construct_name: str) -> set[str]:
    section = re.search(rf"^## `{construct_name}`\n(.*?)(?=^## |\Z)", document, flags=re.DOTALL | re.MULTILINE)
    assert section, f"docs/constructs.md has no section for {construct_name}"
    paragraphs = re.findall(r"Attributes:(.*?)(?:\n\n|Methods:|$)", section.group(1), flags=re.DOTALL)
    assert paragraphs, f"docs/constructs.md's {construct_name} section lists no attributes"
    return {name for paragraph in paragraphs for name in re.findall(r"`([a-z_0-9]+)`", paragraph)}


@pytest.fixture(scope="module")
def every_construct() -> dict[str, object]:
    """One instance of every construct the library exports, from three full stacks and the bootstrap."""
    prod = load_environment("prod")
    with_domain = dataclasses.replace(
        prod, certificate_arn="", domain_name="shop.example.com", hosted_zone_id="Z0123456789ABCDEFGHIJ"
    )
    found: dict[str, object] = {}
    # `local` has several services: a backend, a job and their namespace.
    for number, config in enumerate((prod, with_domain, load_environment("local"))):
        stack = WebServiceStack(CdktfTesting.app(), f"stack-{number}", config=config)
        for construct in stack.node.find_all():
            found.setdefault(type(construct).__name__, construct)
    bootstrap, environments = load_bootstrap()
    stack = BootstrapStack(CdktfTesting.app(), "bootstrap", config=bootstrap, environments=environments)
    for construct in stack.node.find_all():
        found.setdefault(type(construct).__name__, construct)
    return found


# The references made by from_existing are documented in their part's section.
DOCUMENTED_CONSTRUCTS = sorted(
    name
    for name in cdktf_fargate.__all__
    if isinstance(getattr(cdktf_fargate, name), type)
    and issubclass(getattr(cdktf_fargate, name), Construct)
    and not name.startswith("Existing")
)


def test_every_exported_construct_is_built_for_the_attribute_check(every_construct):
    assert set(DOCUMENTED_CONSTRUCTS) <= set(every_construct)


@pytest.mark.parametrize("name", DOCUMENTED_CONSTRUCTS)
def test_docs_list_exactly_each_constructs_public_attributes(every_construct, name):
    actual = public_attributes(every_construct[name])
    documented = documented_attributes(CONSTRUCTS.read_text(), name)
    assert {"undocumented": sorted(actual - documented), "documented but absent": sorted(documented - actual)} == {
        "undocumented": [],
        "documented but absent": [],
    }


DOCUMENTS = [README, *sorted((ROOT / "docs").glob("*.md"))]
TOML_EXAMPLES = [
    (path.name, block)
    for path in DOCUMENTS
    for block in re.findall(r"```toml\n(.*?)```", path.read_text(), flags=re.DOTALL)
]


def test_the_docs_show_configuration_examples():
    assert {name for name, _ in TOML_EXAMPLES} >= {"README.md", "environments.md"}


@pytest.mark.parametrize(("document", "example"), TOML_EXAMPLES)
def test_every_configuration_example_in_the_docs_is_valid(document, example):
    import tomllib

    from stacks.environments import config_from_mapping

    for name, table in tomllib.loads(example).items():
        config_from_mapping(name, table)
