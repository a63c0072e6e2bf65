#!/usr/bin/env python3
"""Regenerate README.md's settings tables from the code (constructor signatures and docstrings,
EnvironmentConfig's fields). `make docs` runs it; a test fails when README.md is out of date.

    python scripts/gen_docs.py [--check]
"""

from __future__ import annotations

import dataclasses
import inspect
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

PARAM_LINE = re.compile(r"^\s*:param (\w+):\s*(.*)$")


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


def python_default(value: object) -> str:
    if value is inspect.Parameter.empty:
        return "required"
    return f"`{value!r}`"


def toml_default(value: object) -> str:
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
    return f"`{value}`"


def construct_table(function: Callable[..., object]) -> str:
    docs = parameter_docs(function)
    rows = ["| setting | default | meaning |", "|---|---|---|"]
    for name, parameter in inspect.signature(function).parameters.items():
        if parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
            continue
        meaning = docs.get(name)
        if meaning is None:
            raise SystemExit(f"{function.__qualname__}: parameter {name!r} has no :param: description")
        escaped = meaning.replace("|", "\\|")
        rows.append(f"| `{name}` | {python_default(parameter.default)} | {escaped} |")
    return "\n".join(rows)


def environment_table() -> str:
    from stacks.environments import EnvironmentConfig

    rows = ["| setting | default | meaning |", "|---|---|---|"]
    defaults = EnvironmentConfig()
    for field in dataclasses.fields(EnvironmentConfig):
        if field.name == "environment":
            continue
        rows.append(f"| `{field.name}` | {toml_default(getattr(defaults, field.name))} | {field.metadata['doc']} |")
    return "\n".join(rows)


def tables() -> dict[str, str]:
    import cdktf_fargate as library

    return {
        "environment": environment_table(),
        "Network": construct_table(library.Network.__init__),
        "Network.from_existing": construct_table(library.Network.from_existing),
        "EcrRepo": construct_table(library.EcrRepo.__init__),
        "PublicAlb": construct_table(library.PublicAlb.__init__),
        "FargateService": construct_table(library.FargateService.__init__),
        "KmsKey": construct_table(library.KmsKey.__init__),
        "AccessLogBucket": construct_table(library.AccessLogBucket.__init__),
        "WebAcl": construct_table(library.WebAcl.__init__),
        "ServiceDomain": construct_table(library.ServiceDomain.__init__),
    }


def render(readme: str) -> str:
    for name, table in tables().items():
        pattern = re.compile(
            rf"(<!-- settings:{re.escape(name)} -->\n)(?:.*?\n)?(<!-- /settings:{re.escape(name)} -->)", re.DOTALL
        )
        if not pattern.search(readme):
            raise SystemExit(f"README.md has no <!-- settings:{name} --> … <!-- /settings:{name} --> block")
        readme = pattern.sub(lambda match, table=table: match.group(1) + table + "\n" + match.group(2), readme)
    return readme


def main(argv: list[str]) -> int:
    current = README.read_text()
    rendered = render(current)
    if "--check" in argv:
        if rendered != current:
            print("README.md's settings tables are out of date: run `make docs`", file=sys.stderr)
            return 1
        return 0
    README.write_text(rendered)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
