"""The day-2 commands: what each asks AWS, and what it prints. Each takes the stack (stack.py) and a way
to make AWS clients, so tests can run them against the emulator or a fake."""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .stack import Stack, StackError, Workload

Clients = Callable[[str], Any]
Print = Callable[[str], None]
SINCE = re.compile(r"(\d+)([smhd])")
SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
SESSION_MANAGER_PLUGIN_DOCS = (
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html"
)


def status(stack: Stack, clients: Clients, out: Print) -> int:
    """Each service's running and desired counts and the deployment in progress; each job's last run."""
    region = f", {stack.region}" if stack.region else ""
    out(f"{stack.name} (cluster {stack.cluster}{region})")
    services = stack.services
    described = {}
    if services:
        ecs = clients("ecs")
        answer = ecs.describe_services(cluster=stack.cluster, services=[w.service for w in services])
        described = {service["serviceName"]: service for service in answer["services"]}
    width = max(len(name) for name in stack.workloads)
    for workload in sorted(stack.workloads.values(), key=lambda w: w.name):
        if workload.service:
            out(f"  {workload.name:<{width}}  {_service_line(described.get(workload.service))}")
        else:
            out(f"  {workload.name:<{width}}  {_job_line(workload, clients)}")
    return 0


def _service_line(service: dict[str, Any] | None) -> str:
    if service is None or service.get("status") != "ACTIVE":
        return "service missing (not deployed, or deleted)"
    primary: dict[str, Any] = next((d for d in service.get("deployments", []) if d.get("status") == "PRIMARY"), {})
    revision = service["taskDefinition"].rsplit("/", 1)[-1]
    line = (
        f"service  {service['runningCount']}/{service['desiredCount']} running, {service['pendingCount']} pending  "
        f"{revision}"
    )
    if primary.get("rolloutState"):
        line += f"  rollout {primary['rolloutState']}"
    others = [d for d in service.get("deployments", []) if d.get("status") != "PRIMARY"]
    if others:
        line += f"  ({len(others)} older deployment{'s' if len(others) > 1 else ''} still draining)"
    return line


def _job_line(workload: Workload, clients: Clients) -> str:
    runs = clients("stepfunctions").list_executions(stateMachineArn=workload.state_machine, maxResults=1)
    if not runs.get("executions"):
        return "job      not run yet"
    last = runs["executions"][0]
    return f"job      last run {last['status']}, started {_when(last['startDate'])}"


def _when(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return str(value)


def logs(
    stack: Stack,
    clients: Clients,
    out: Print,
    *,
    name: str | None,
    since: str,
    follow: bool,
    sleep: Callable[[float], None] = time.sleep,
    polls: int | None = None,
) -> int:
    """The workload's log events since ``since`` (`10m`, `2h`, `1d`); with ``follow``, new ones as they come."""
    workload = stack.workload(name)
    if not workload.log_group:
        raise StackError(f"{workload.name}: the stack names no log group for it (a `log_group_names` output)")
    found = SINCE.fullmatch(since)
    if not found:
        raise StackError(f"--since={since!r} is invalid: a number and s, m, h or d, e.g. '10m'")
    start = int((time.time() - int(found.group(1)) * SECONDS[found.group(2)]) * 1000)
    client = clients("logs")
    seen: set[str] = set()
    rounds = 0
    while True:
        pages = client.get_paginator("filter_log_events").paginate(logGroupName=workload.log_group, startTime=start)
        for page in pages:
            for event in page.get("events", []):
                if event["eventId"] in seen:
                    continue
                seen.add(event["eventId"])
                start = max(start, event["timestamp"])
                stamp = datetime.datetime.fromtimestamp(event["timestamp"] / 1000, datetime.UTC)
                out(f"{stamp:%Y-%m-%dT%H:%M:%S}Z {event['logStreamName']}  {event['message'].rstrip()}")
        rounds += 1
        if not follow or (polls is not None and rounds >= polls):
            return 0
        sleep(2)


def redeploy(stack: Stack, clients: Clients, out: Print, *, names: Sequence[str]) -> int:
    """New tasks for each service named (all by default), from the same task definition: they read the
    secrets again (a rotated secret reaches only tasks started after it)."""
    targets = [stack.workload(name, service=True) for name in names] or stack.services
    ecs = clients("ecs")
    for workload in targets:
        answer = ecs.update_service(cluster=stack.cluster, service=workload.service, forceNewDeployment=True)
        deployment = next(d for d in answer["service"]["deployments"] if d.get("status") == "PRIMARY")
        out(f"{workload.name}: new tasks starting (deployment {deployment['id']}); `cdktf-fargate status` follows it")
    return 0


def run_task(
    stack: Stack,
    clients: Clients,
    out: Print,
    *,
    name: str | None,
    command: Sequence[str],
    wait: bool,
    timeout_seconds: int = 3600,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """A one-off task from the service's current task definition, in its subnets with its security groups
    and capacity, with ``command`` instead of the image's; with ``wait``, its exit code."""
    workload = stack.workload(name, service=True)
    ecs = clients("ecs")
    service = _service(stack, workload, ecs)
    container = _app_container(ecs.describe_task_definition(taskDefinition=service["taskDefinition"]))["name"]
    request: dict[str, Any] = {
        "cluster": stack.cluster,
        "taskDefinition": service["taskDefinition"],
        "count": 1,
        "networkConfiguration": service["networkConfiguration"],
        "startedBy": "cdktf-fargate run-task",
        "propagateTags": "TASK_DEFINITION",
    }
    if service.get("capacityProviderStrategy"):
        request["capacityProviderStrategy"] = service["capacityProviderStrategy"]
    else:
        request["launchType"] = "FARGATE"
    if command:
        request["overrides"] = {"containerOverrides": [{"name": container, "command": list(command)}]}
    answer = ecs.run_task(**request)
    if answer.get("failures") or not answer.get("tasks"):
        raise StackError(f"ECS did not start the task: {answer.get('failures')}")
    task = answer["tasks"][0]["taskArn"]
    out(f"{workload.name}: started {task.rsplit('/', 1)[-1]} ({' '.join(command) or 'the image command'})")
    if not wait:
        return 0
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        (described,) = ecs.describe_tasks(cluster=stack.cluster, tasks=[task])["tasks"]
        if described.get("lastStatus") == "STOPPED":
            ran: dict[str, Any] = next((c for c in described.get("containers", []) if c.get("name") == container), {})
            code = ran.get("exitCode")
            out(f"stopped: {described.get('stoppedReason', '')}; exit code {code}")
            return int(code) if isinstance(code, int) else 1
        sleep(6)
    out(f"still running after {timeout_seconds} s: {task}")
    return 1


def exec_into(
    stack: Stack,
    clients: Clients,
    out: Print,
    *,
    name: str | None,
    task: str | None,
    command: Sequence[str],
    which: Callable[[str], str | None] = shutil.which,
    replace_process: Callable[[str, list[str]], Any] = os.execvp,
) -> int:
    """A shell (or ``command``) in a running task of the service, through ECS Exec and the AWS CLI."""
    workload = stack.workload(name, service=True)
    if which("aws") is None:
        raise StackError("ECS Exec goes through the AWS CLI: install it (`aws --version` must work)")
    if which("session-manager-plugin") is None:
        raise StackError(f"ECS Exec needs the Session Manager plugin for the AWS CLI: {SESSION_MANAGER_PLUGIN_DOCS}")
    ecs = clients("ecs")
    service = _service(stack, workload, ecs)
    if not service.get("enableExecuteCommand"):
        setting = "service.enable_execute_command" if workload.name == "service" else (
            f"services.{workload.name}.service.enable_execute_command"
        )  # fmt: skip
        raise StackError(f"{workload.name}: ECS Exec is off; set {setting} = true and deploy")
    if task is None:
        running = ecs.list_tasks(cluster=stack.cluster, serviceName=workload.service, desiredStatus="RUNNING")
        if not running["taskArns"]:
            raise StackError(f"{workload.name}: no running task")
        task = running["taskArns"][0]
    container = _app_container(ecs.describe_task_definition(taskDefinition=service["taskDefinition"]))["name"]
    arguments = [
        "aws", "ecs", "execute-command", "--cluster", stack.cluster, "--task", task, "--container", container,
        "--interactive", "--command", " ".join(command) or "/bin/sh",
    ]  # fmt: skip
    if stack.region:
        arguments += ["--region", stack.region]
    out(f"{workload.name}: {task.rsplit('/', 1)[-1]}, container {container}")
    replace_process("aws", arguments)
    return 0


def rollback(
    stack: Stack,
    clients: Clients,
    out: Print,
    *,
    name: str | None,
    to: str | None,
    deploy_args: Sequence[str],
    dry_run: bool,
    run: Callable[[list[str]], int] = lambda command: subprocess.run(command, check=False).returncode,
) -> int:
    """Deploy an earlier image tag that the repository still holds: ``to``, or the one the task definition
    revisions ran before the current one. One service of several keeps every other's tag."""
    workload = stack.workload(name)
    ecs = clients("ecs")
    if workload.task_definition is None and not workload.service:
        raise StackError(f"{workload.name}: the stack names no task definition for it")
    definition_arn = workload.task_definition or _service(stack, workload, ecs)["taskDefinition"]
    current = ecs.describe_task_definition(taskDefinition=definition_arn)
    repository, current_tag = _repository_and_tag(_app_container(current)["image"])
    tag = to or _previous_tag(ecs, current["taskDefinition"]["family"], current_tag)
    if tag is None:
        raise StackError(f"{workload.name}: no earlier tag in the task definition's revisions; give --to <tag>")
    if tag == current_tag:
        raise StackError(f"{workload.name} already runs {tag}")
    try:
        clients("ecr").describe_images(repositoryName=repository, imageIds=[{"imageTag": tag}])
    except Exception as error:
        if "ImageNotFound" in type(error).__name__ or "ImageNotFound" in str(error):
            raise StackError(
                f"{repository} no longer holds {tag!r} (its lifecycle policy keeps the newest "
                "repository.keep_last_images): choose another with --to"
            ) from None
        raise
    variables = [f"image_tag={tag}"]
    if stack.image_tags:
        variables.append("image_tags=" + json.dumps({**stack.image_tags, workload.name: tag}, sort_keys=True))
    command = [*cdktf_command(), "deploy", stack.name, "--auto-approve", *deploy_args]
    for variable in variables:
        command += ["--var", variable]
    out(f"{workload.name}: {current_tag} -> {tag}")
    out("$ " + " ".join(command))
    if dry_run:
        return 0
    return run(command)


def _service(stack: Stack, workload: Workload, ecs: Any) -> dict[str, Any]:
    (service,) = ecs.describe_services(cluster=stack.cluster, services=[workload.service])["services"]
    return dict(service)


def _app_container(described: dict[str, Any]) -> dict[str, Any]:
    """The application container of a DescribeTaskDefinition answer: its essential one."""
    return dict(next(c for c in described["taskDefinition"]["containerDefinitions"] if c.get("essential", True)))


def _repository_and_tag(image: str) -> tuple[str, str]:
    path, _, tag = image.rpartition(":")
    if "/" not in path or "@" in image:
        raise StackError(f"the task runs {image}, not `<registry>/<repository>:<tag>`: give --to")
    return path.split("/", 1)[1], tag


def _previous_tag(ecs: Any, family: str, current: str) -> str | None:
    """The image tag of the newest revision that ran another tag. Terraform deregisters the revisions
    it replaces, so those are INACTIVE: still described, and listed by that status."""
    revisions: dict[int, str] = {}
    for status in ("ACTIVE", "INACTIVE"):
        pages = ecs.get_paginator("list_task_definitions").paginate(familyPrefix=family, status=status)
        for page in pages:
            for arn in page["taskDefinitionArns"]:
                name, _, revision = arn.rsplit("/", 1)[-1].rpartition(":")
                if name == family:
                    revisions[int(revision)] = arn
    for revision in sorted(revisions, reverse=True):
        image = str(_app_container(ecs.describe_task_definition(taskDefinition=revisions[revision]))["image"])
        tag = image.rpartition(":")[2]
        if tag != current:
            return tag
    return None


def cdktf_command() -> list[str]:
    """The cdktf CLI: CDKTF_FARGATE_CDKTF, else the app's own, else npx's."""
    given = os.environ.get("CDKTF_FARGATE_CDKTF")
    if given:
        return [given]
    local = Path("node_modules/.bin/cdktf")
    return [str(local)] if local.exists() else ["npx", "cdktf"]
