"""Reading a synthesized stack (`cdk.tf.json`) as the offline commands do: its resources, the references
between them (`${type.name.attribute}`) and the blocks cdktf writes as a map or a list of one."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any


def stack_document(directory: Path) -> dict[str, Any]:
    """The synthesized stack of ``directory`` (its `cdk.tf.json`)."""
    return json.loads((directory / "cdk.tf.json").read_text())  # type: ignore[no-any-return]


def stack_name(document: Mapping[str, Any], fallback: str = "stack") -> str:
    return str(document.get("//", {}).get("metadata", {}).get("stackName", fallback))


def default_tags(document: Mapping[str, Any]) -> dict[str, str]:
    """The provider's default tags, which every resource carries in `tags_all`."""
    providers = document.get("provider", {}).get("aws", [])
    tags: dict[str, str] = {}
    for provider in providers if isinstance(providers, list) else [providers]:
        for block in provider.get("default_tags", []):
            tags.update(block.get("tags", {}))
    return tags


def referenced(value: Any, kind: str) -> list[str]:
    """The names of ``kind`` resources that ``value`` refers to (`${kind.NAME.attribute}`), in order."""
    text = value if isinstance(value, str) else json.dumps(value)
    return list(dict.fromkeys(re.findall(rf"\b{kind}\.([A-Za-z0-9_-]+)\.", text)))


def block(value: Any) -> dict[str, Any]:
    """A nested block as cdktf writes it: a map, or a list of one."""
    if isinstance(value, list):
        return value[0] if value else {}
    return value or {}


def walk(value: Any) -> Iterator[tuple[str, Any]]:
    """Every key and value inside ``value``, depth first."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key, inner
            yield from walk(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from walk(inner)


def task_definition(resources: Mapping[str, Any], value: Any) -> dict[str, Any] | None:
    """The stack's task definition that ``value`` (a service's `task_definition`, a state) refers to."""
    names = referenced(value, "aws_ecs_task_definition")
    tasks = resources.get("aws_ecs_task_definition", {})
    return tasks.get(names[0]) if names and names[0] in tasks else None


def scaling_targets(resources: Mapping[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Each ECS service's scalable target, by the service's resource name: (the target's name, the target)."""
    return {
        service: (name, target)
        for name, target in resources.get("aws_appautoscaling_target", {}).items()
        for service in referenced(target.get("resource_id", ""), "aws_ecs_service")
    }


def job_run(
    resources: Mapping[str, Any], schedule: Mapping[str, Any]
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """What a schedule runs: its task definition, and the Step Functions state that runs it (None when the
    schedule starts the task itself, with its target's `ecs_parameters`)."""
    target = block(schedule.get("target"))
    machines = resources.get("aws_sfn_state_machine", {})
    machine = next(iter(referenced(target.get("arn", ""), "aws_sfn_state_machine")), None)
    if machine not in machines:
        return task_definition(resources, block(target.get("ecs_parameters"))), None
    definition = json.loads(machines[machine].get("definition", "{}"))
    states: dict[str, dict[str, Any]] = definition.get("States", {})
    state = next((state for state in states.values() if state.get("Type") == "Task"), {})
    return task_definition(resources, state), state


def without_interpolations(text: str, placeholder: str = "(known after apply)") -> str:
    """``text`` with each Terraform interpolation (`${...}`, which may hold quotes and nested braces) replaced
    by ``placeholder``: a JSON document Terraform interpolates before it parses is then JSON to Python too."""
    out: list[str] = []
    index = 0
    while (start := text.find("${", index)) >= 0:
        out.append(text[index:start])
        depth, cursor = 0, start + 1
        while cursor < len(text):
            depth += {"{": 1, "}": -1}.get(text[cursor], 0)
            cursor += 1
            if depth == 0:
                break
        out.append(placeholder)
        index = cursor
    out.append(text[index:])
    return "".join(out)


def containers(task: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A task definition's container definitions (a JSON string with Terraform interpolations inside)."""
    try:
        return list(json.loads(without_interpolations(task.get("container_definitions", "[]"))))
    except json.JSONDecodeError:
        return []
