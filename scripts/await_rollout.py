#!/usr/bin/env python
"""Wait for the rollout `cdktf deploy` started; fail when it fails or is rolled back.

    python scripts/await_rollout.py --stack-dir cdktf.out/stacks/<stack>

`cdktf deploy` returns once ECS has the new task definition; the rollout goes on. This polls each
service (`aws ecs describe-services`) until its primary deployment runs the deployed revision and is
COMPLETED, alone. It fails as soon as a deployment is FAILED or the primary deployment runs another
revision (the circuit breaker or an alarm rolled it back), and when the stack's worst case
(`rollback_worst_case_seconds`, docs/operations.md#rollout-time) has passed. The deploy workflow
runs it after the deploy, so a rolled-back deploy is a red job.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

POLL_SECONDS = 15
SLACK_SECONDS = 60

Describe = Callable[[str, Sequence[str]], list[dict[str, Any]]]


def targets(outputs: Mapping[str, Any]) -> tuple[str, dict[str, str], int]:
    """The cluster, each service's name and expected task definition, and how long to wait at most."""
    value = {name: output["value"] for name, output in outputs.items()}
    if "service_names" in value:
        services = {value["service_names"][key]: value["task_definition_arns"][key] for key in value["service_names"]}
        worst = max(value["rollback_worst_case_seconds"].values(), default=0)
    else:
        services = {value["service_name"]: value["task_definition_arn"]}
        worst = value["rollback_worst_case_seconds"]
    return value["cluster_name"], services, int(worst) + SLACK_SECONDS


def verdict(service: Mapping[str, Any], expected: str) -> str | None:
    """None while rolling out; "done"; or why it failed."""
    deployments = service.get("deployments", [])
    primary = next((deployment for deployment in deployments if deployment.get("status") == "PRIMARY"), None)
    if primary is None:
        return None
    if primary.get("taskDefinition") != expected:
        return f"rolled back: it runs {primary.get('taskDefinition')}, not {expected}"
    if primary.get("rolloutState") == "FAILED":
        return f"the rollout failed: {primary.get('rolloutStateReason', 'no reason given')}"
    if primary.get("rolloutState") == "COMPLETED" and len(deployments) == 1:
        return "done"
    return None


def wait(
    cluster: str,
    services: Mapping[str, str],
    timeout: int,
    describe: Describe,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> list[str]:
    """Each service's failure; empty when every rollout completed on its revision."""
    started = clock()
    pending = dict(services)
    failures: list[str] = []
    while pending:
        for service in describe(cluster, sorted(pending)):
            name = service["serviceName"]
            result = verdict(service, pending[name])
            if result == "done":
                print(f"{name}: rolled out in {clock() - started:.0f} s", flush=True)
                del pending[name]
            elif result is not None:
                failures.append(f"{name}: {result}")
                del pending[name]
        if pending and clock() - started > timeout:
            failures += [
                f"{name}: still rolling out after {timeout} s (the worst case computed at synth)" for name in pending
            ]
            break
        if pending:
            sleep(POLL_SECONDS)
    return failures


def aws_describe(cluster: str, names: Sequence[str]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for start in range(0, len(names), 10):  # DescribeServices takes ten at a time
        result = subprocess.run(
            ["aws", "ecs", "describe-services", "--cluster", cluster, "--services", *names[start : start + 10],
             "--output", "json"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        found += json.loads(result.stdout)["services"]
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack-dir", type=Path, required=True, help="the deployed stack's directory")
    args = parser.parse_args(argv)
    output = subprocess.run(
        ["terraform", "output", "-json"], cwd=args.stack_dir, capture_output=True, text=True, check=False
    )
    if output.returncode != 0:
        print(f"error: terraform output failed: {output.stderr[-2000:]}", file=sys.stderr)
        return 1
    cluster, services, timeout = targets(json.loads(output.stdout))
    failures = wait(cluster, services, timeout, aws_describe)
    for failure in failures:
        print(f"error: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
