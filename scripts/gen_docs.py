#!/usr/bin/env python3
"""Regenerate the documentation that mirrors code: docs/reference.md (one table per option type,
from the fields' defaults, docs and rules), the constructs' wiring tables in docs/constructs.md
(from the constructor signatures and docstrings) and the environment table in
docs/environments.md. `make docs` runs it; a test fails when any of them is out of date.

    python scripts/gen_docs.py [--check]
"""

from __future__ import annotations

import dataclasses
import inspect
import os
import re
import sys
import typing
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
REFERENCE = DOCS / "reference.md"
CONSTRUCTS = DOCS / "constructs.md"
ENVIRONMENTS = DOCS / "environments.md"
BOOTSTRAP = DOCS / "bootstrap.md"
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

PARAM_LINE = re.compile(r"^\s*:param (\w+):\s*(.*)$")
# The option types a construct takes as `options=`, in the reference's order; every group inside one is
# listed after it, found from its fields (a new group needs nothing here).
ROOT_OPTION_TYPES = (
    "ServiceOptions",
    "JobOptions",
    "NetworkOptions",
    "AlbOptions",
    "RepositoryOptions",
    "ClusterOptions",
)
CONSTRUCTS_WITH_TABLES = (
    "Network",
    "Network.from_existing",
    "EcrRepo",
    "EcrRepo.from_existing",
    "Cluster",
    "Cluster.from_existing",
    "PublicAlb",
    "PublicAlb.from_existing",
    "FargateService",
    "ScheduledJob",
    "EventTopic",
    "WorkerQueue",
    "WorkerService",
    "ServiceNamespace",
    "ServiceAutoscaling",
    "ServiceAlarms",
    "KmsKey",
    "AccessLogBucket",
    "WebAcl",
    "ServiceDomain",
    "StateBucket",
    "GithubDeployRole",
    "PermissionsBoundary",
)


def parameter_docs(function: Callable[..., object]) -> dict[str, str]:
    docs: dict[str, str] = {}
    current = None
    for line in (inspect.getdoc(function) or "").splitlines():
        match = PARAM_LINE.match(line)
        if match:
            current = match.group(1)
            docs[current] = match.group(2).strip()
        elif current and line.strip() and not line.lstrip().startswith(":"):
            docs[current] += " " + line.strip()
        else:
            current = None
    return {name: " ".join(text.replace("``", "`").split()) for name, text in docs.items()}


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def toml_value(value: object) -> str:
    """A default as it would be written in environments.toml."""
    if value is None:
        return "not set"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f'`"{value}"`' if value else "none"
    if isinstance(value, tuple):
        return "`[" + ", ".join(f'"{item}"' for item in value) + "]`" if value else "`[]`"
    if isinstance(value, dict):
        return "`{ " + ", ".join(f'{key} = "{item}"' for key, item in value.items()) + " }`" if value else "`{}`"
    if dataclasses.is_dataclass(value):
        return f"[`{type(value).__name__}`](reference.md#{type(value).__name__.lower()})"
    return f"`{value}`"


def option_table(option_type: type, *, link_prefix: str = "", skip: tuple[str, ...] = ()) -> str:
    from cdktf_fargate.options import describe_type, hints

    defaults = option_type()
    rows = ["| setting | type | default | rule | meaning |", "|---|---|---|---|---|"]
    for field in dataclasses.fields(option_type):
        if field.name in skip:
            continue
        annotation = hints(option_type)[field.name]
        default = getattr(defaults, field.name)
        if dataclasses.is_dataclass(default):
            name = type(default).__name__
            type_text = f"[`{name}`]({link_prefix}#{name.lower()})"
            default_text = "its defaults"
        else:
            type_text = cell(describe_type(annotation))
            default_text = toml_value(default)
        rule = field.metadata.get("rule")
        rule_text = cell(rule.described.removeprefix("must be ")) if rule is not None else ""
        if typing.get_origin(annotation) is typing.Literal:
            rule_text = rule_text or "one of the choices"
        rows.append(f"| `{field.name}` | {type_text} | {default_text} | {rule_text} | {cell(field.metadata['doc'])} |")
    return "\n".join(rows)


def reference() -> str:
    from cdktf_fargate import options

    sections = [
        "# Option reference\n",
        "Generated from `constructs/cdktf_fargate/options/` by `make docs`; a test fails when it is out of date.",
        "Each setting is declared once, as a field of a frozen option type, with its default, rule and",
        "meaning. Constructs take these types as `options=`, and `environments.toml` builds the same",
        "types from dotted keys (`service.health_check.timeout_seconds = 10`) or tables",
        "(`service.scaling = { min_count = 1, max_count = 2 }`). Python code writes them as",
        "`ServiceOptions(health_check=HealthCheck(timeout_seconds=10))`.\n",
        "Every value is checked when a construct is created, and every problem is reported at once with",
        "its dotted path, the value and what is allowed; Terraform references are not checked.\n",
    ]
    from stacks import environments

    # The environment's own groups (environments.toml only) follow the library's.
    library = groups_within([getattr(options, name) for name in ROOT_OPTION_TYPES])
    types = library + [found for found in groups_within([environments.EnvironmentConfig])[1:] if found not in library]
    for option_type in types:
        doc = " ".join((option_type.__doc__ or "").split())
        sections.append(f"## {option_type.__name__}\n\n{doc}\n\n{option_table(option_type)}\n")
    return "\n".join(sections)


def groups_within(roots: list[type]) -> list[type]:
    """``roots`` and every option type their fields hold (as a value, a list item or a mapping's value),
    each group right after the type that holds it, depth first, once."""
    from cdktf_fargate.options import OptionType, hints

    found: list[type] = []

    def visit(option_type: type) -> None:
        if option_type in found:
            return
        found.append(option_type)
        for annotation in hints(option_type).values():
            for candidate in (annotation, *typing.get_args(annotation)):
                if isinstance(candidate, type) and issubclass(candidate, OptionType):
                    visit(candidate)

    for root in roots:
        visit(root)
    return found


def construct_table(function: Callable[..., object]) -> str:
    docs = parameter_docs(function)
    rows = ["| argument | default | meaning |", "|---|---|---|"]
    for name, parameter in inspect.signature(function).parameters.items():
        if parameter.kind is not inspect.Parameter.KEYWORD_ONLY and not (
            parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and name not in ("self", "scope", "id_")
        ):
            continue
        meaning = docs.get(name)
        if meaning is None:
            raise SystemExit(f"{function.__qualname__}: parameter {name!r} has no :param: description")
        default = "required" if parameter.default is inspect.Parameter.empty else f"`{parameter.default!r}`"
        rows.append(f"| `{name}` | {default} | {cell(meaning)} |")
    return "\n".join(rows)


def construct_tables() -> dict[str, str]:
    import cdktf_fargate as library

    tables = {}
    for name in CONSTRUCTS_WITH_TABLES:
        owner, _, method = name.partition(".")
        function = getattr(getattr(library, owner), method or "__init__")
        tables[name] = construct_table(function)
    return tables


def environment_table() -> str:
    from stacks.environments import EnvironmentConfig

    # `environment` is the table's name, not a key inside it.
    return option_table(EnvironmentConfig, link_prefix="reference.md", skip=("environment",))


def bootstrap_table() -> str:
    from stacks.environments import BootstrapConfig

    return option_table(BootstrapConfig)


def render_markers(text: str, tables: dict[str, str], path: Path) -> str:
    for name, table in tables.items():
        pattern = re.compile(
            rf"(<!-- settings:{re.escape(name)} -->\n)(?:.*?\n)?(<!-- /settings:{re.escape(name)} -->)", re.DOTALL
        )
        if not pattern.search(text):
            raise SystemExit(f"{path.name} has no <!-- settings:{name} --> … <!-- /settings:{name} --> block")
        text = pattern.sub(lambda match, table=table: match.group(1) + table + "\n" + match.group(2), text)
    return text


def rendered() -> dict[Path, str]:
    """Every generated file's expected content."""
    return {
        REFERENCE: reference(),
        CONSTRUCTS: render_markers(CONSTRUCTS.read_text(), construct_tables(), CONSTRUCTS),
        ENVIRONMENTS: render_markers(ENVIRONMENTS.read_text(), {"environment": environment_table()}, ENVIRONMENTS),
        BOOTSTRAP: render_markers(BOOTSTRAP.read_text(), {"bootstrap": bootstrap_table()}, BOOTSTRAP),
    }


def main(argv: list[str]) -> int:
    stale = []
    for path, content in rendered().items():
        current = path.read_text() if path.exists() else ""
        if content != current:
            stale.append(path.relative_to(ROOT))
            if "--check" not in argv:
                path.write_text(content)
    if "--check" in argv and stale:
        print(f"out of date: {', '.join(map(str, stale))}: run `make docs`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
