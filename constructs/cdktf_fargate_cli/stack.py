"""A deployed stack as the day-2 commands see it: its region, its cluster and its workloads, read from
the stack's Terraform outputs (`terraform output -json` in the synthesized stack's directory), so the
commands work for this app and for any app built from the constructs that exports the same outputs."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

Terraform = Callable[[Path, Sequence[str]], subprocess.CompletedProcess[str]]
# The one service of an environment without `services` answers to this name too.
ONE_SERVICE = "service"


class StackError(Exception):
    """What the user must do before a command can run, said in their terms."""


@dataclasses.dataclass(frozen=True)
class Workload:
    """A service (`service` set) or a scheduled job (`state_machine` set), by its name in the settings."""

    name: str
    service: str | None = None
    task_definition: str | None = None
    log_group: str | None = None
    state_machine: str | None = None
    image_tag: str | None = None


@dataclasses.dataclass(frozen=True)
class Stack:
    name: str
    directory: Path
    region: str | None
    cluster: str
    workloads: Mapping[str, Workload]
    # The tag each service runs, as the stack's `deployed_image_tags` output says (several services only).
    image_tags: Mapping[str, str]

    @property
    def services(self) -> list[Workload]:
        return [workload for workload in self.workloads.values() if workload.service]

    def workload(self, name: str | None, *, service: bool = False) -> Workload:
        """The workload called ``name``; the only one when ``name`` is None and there is one choice."""
        choices = [w for w in self.workloads.values() if w.service or not service]
        if name is None:
            if len(choices) == 1:
                return choices[0]
            raise StackError(f"name one of {', '.join(sorted(w.name for w in choices))}")
        found = self.workloads.get(name)
        if found is None or (service and not found.service):
            kind = "services" if service else "services and jobs"
            raise StackError(
                f"{name!r} is not one of the {kind} of {self.name}: {', '.join(sorted(w.name for w in choices))}"
            )
        return found


def terraform(directory: Path, args: Sequence[str]) -> subprocess.CompletedProcess[str]:
    binary = os.environ.get("CDKTF_FARGATE_TERRAFORM") or "terraform"
    try:
        return subprocess.run([binary, *args], cwd=directory, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise StackError(f"{binary} is not on PATH: the stack's outputs are read with Terraform") from None


def find_stack_dir(given: Path | None) -> Path:
    if given is not None:
        directory = given
    else:
        stacks = sorted(Path("cdktf.out/stacks").glob("*/cdk.tf.json"))
        if len(stacks) != 1:
            raise StackError("give --stack-dir cdktf.out/stacks/<stack>, or synthesize one stack first (`cdktf synth`)")
        directory = stacks[0].parent
    if not (directory / "cdk.tf.json").is_file():
        raise StackError(f"{directory} holds no synthesized stack (cdk.tf.json): run `cdktf synth` first")
    return directory


def load(directory: Path, run: Terraform = terraform) -> Stack:
    if not (directory / ".terraform").is_dir():
        init = run(directory, ["init", "-input=false", "-no-color"])
        if init.returncode != 0:
            raise StackError(f"terraform init in {directory} failed:\n{init.stderr[-2000:]}")
    shown = run(directory, ["output", "-json"])
    if shown.returncode != 0:
        raise StackError(f"terraform output in {directory} failed:\n{shown.stderr[-2000:]}")
    outputs = {name: output["value"] for name, output in json.loads(shown.stdout or "{}").items()}
    if "cluster_name" not in outputs:
        raise StackError(f"{directory.name} is not deployed yet (its state has no outputs): deploy it first")
    config = json.loads((directory / "cdk.tf.json").read_text())
    return Stack(
        name=directory.name,
        directory=directory,
        region=_region(config),
        cluster=outputs["cluster_name"],
        workloads=_workloads(outputs),
        image_tags=dict(outputs.get("deployed_image_tags") or {}),
    )


def _region(config: Mapping[str, Any]) -> str | None:
    providers = config.get("provider", {}).get("aws", [])
    default = [provider for provider in providers if "alias" not in provider]
    region = default[0].get("region") if default else None
    return region if isinstance(region, str) and "${" not in region else None


def _workloads(outputs: Mapping[str, Any]) -> dict[str, Workload]:
    if "service_names" not in outputs:
        return {
            ONE_SERVICE: Workload(
                name=ONE_SERVICE,
                service=outputs["service_name"],
                task_definition=outputs.get("task_definition_arn"),
                log_group=outputs.get("log_group_name"),
            )
        }
    logs = outputs.get("log_group_names") or {}
    tags = outputs.get("deployed_image_tags") or {}
    found = {
        key: Workload(
            name=key,
            service=name,
            task_definition=outputs.get("task_definition_arns", {}).get(key),
            log_group=logs.get(key),
            image_tag=tags.get(key),
        )
        for key, name in outputs["service_names"].items()
    }
    for key, arn in (outputs.get("job_state_machine_arns") or {}).items():
        found[key] = Workload(name=key, state_machine=arn, log_group=logs.get(key), image_tag=tags.get(key))
    return found
