"""What the end-to-end suites share: the emulator per suite, a deployment of the app in a temporary
directory (the real cdktf CLI, Terraform and provider against it), what exists in the emulator by kind,
and the deploy workflow's own commands as a suite runs them. Not a test module: the suites import it."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import boto3
import processes
import pytest
import yaml
from cdktf_fargate_cli.toml_text import toml_value
from cdktf_fargate_emulator import LocalAws
from conftest import ROOT

CDKTF = ROOT / "node_modules" / ".bin" / "cdktf"
APP = "e2e"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# The emulator's dummy credentials (`make deploy-local` gives the same); a test may sign as a role instead.
EMULATOR_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
# Go's collector paced for throughput in Terraform and the provider: a plan costs about a fifth less CPU
# for a third more memory (docs/testing.md). The suites run side by side on two cores, where CPU is
# what they wait for; what the tools do is unchanged. `make bench-deploy` measures without it.
GO_THROUGHPUT = {"GOGC": "400"}


def local_aws(tmp_path_factory: pytest.TempPathFactory, name: str, **options: Any) -> LocalAws:
    """A suite's own emulator: on a port the system picks as it binds (suites run side by side), its
    request log in the suite's files (a failing test shows its end)."""
    return LocalAws(port=0, log=tmp_path_factory.mktemp(f"{name}-emulator") / "requests.log", **options)


class Deployment:
    """A copy of the app in a temporary directory, deployed to its own emulator."""

    def __init__(
        self,
        directory: Path,
        emulator: LocalAws,
        terraform_env: dict[str, str],
        *,
        app: str = APP,
        settings: dict[str, Any] | None = None,
        main: str | None = None,
        services: bool = False,
        environment: str = "local",
        go_runtime: dict[str, str] = GO_THROUGHPUT,
        table: dict[str, Any] | None = None,
    ) -> None:
        """``settings`` change the shipped `local` environment by dotted key (None removes a key); ``main``
        replaces main.py. Without ``services`` the environment's `services` table is left out: the one
        service of 0.1 and 0.2, which the suites written for it deploy. ``environment`` names the table
        (and so the stack, `<app>-<environment>`); ``go_runtime``, Terraform's runtime settings; ``table``, an
        environment's settings to deploy instead of the shipped `local` one (pointed at the emulator alike)."""
        self.directory = directory
        self.emulator = emulator
        self.environment = environment
        self.stack = f"{app}-{environment}"
        for name in ("cdktf.json", "main.py"):
            shutil.copy(ROOT / name, directory / name)
        if main is not None:
            (directory / "main.py").write_text(main)
        for tree in ("stacks", "scripts"):
            shutil.copytree(ROOT / tree, directory / tree, ignore=shutil.ignore_patterns("__pycache__"))
        # The shipped `local` environment, pointed at this test's emulator under its own name.
        local = table or tomllib.loads((ROOT / "environments.toml").read_text())["local"]
        local.update(app_name=app, aws_endpoint_url=emulator.endpoint, certificate_domain=emulator.certificate_domain)
        if not services:
            local.pop("services", None)
        for key, value in (settings or {}).items():
            # A dotted key reaches into an option group: "alb.access_logs.enabled".
            *groups, name = key.split(".")
            table = local
            for group in groups:
                table = table.setdefault(group, {})
            if value is None:
                table.pop(name, None)
            else:
                table[name] = value
        self.table = f"[{environment}]\n" + "".join(f"{key} = {toml_value(value)}\n" for key, value in local.items())
        (directory / "settings.toml").write_text(self.table)
        self.env = {
            key: value for key, value in terraform_env.items() if not key.startswith(("AWS_", "CDKTF_FARGATE_"))
        }
        self.env.update(
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{terraform_env['PATH']}",
            CDKTF_FARGATE_ENV=environment,
            CDKTF_FARGATE_CONFIG=str(directory / "settings.toml"),
            JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20",
            CHECKPOINT_DISABLE="1",
            # As `make deploy-local` runs it: a cancelled deploy stops Terraform cleanly, and the provider
            # finds the emulator and its credentials through the environment.
            TERRAFORM_BINARY_NAME=str(ROOT / "scripts" / "terraform_graceful.py"),
            AWS_ENDPOINT_URL=emulator.endpoint,
            **EMULATOR_CREDENTIALS,
            # Its own provider cache (links to the mirror, nothing copied): two inits writing one cache at
            # once fail (the cdktf CLI would point every deployment at ~/.terraform.d/plugin-cache).
            TF_PLUGIN_CACHE_DIR=str(directory / ".terraform-plugin-cache"),
            **go_runtime,
        )
        # Every process a command starts can be found and ended (tests/processes.py).
        self.env = processes.marked(self.env, directory.name)
        (directory / ".terraform-plugin-cache").mkdir(exist_ok=True)
        self.stack_dir = directory / "cdktf.out" / "stacks" / self.stack
        self.state_file = directory / f"terraform.{self.stack}.tfstate"

    def command(self, action: str, tag: str, *extra: str) -> list[str]:
        """``extra`` may add more ``--var`` after the stack's own, e.g. ``image_tags={...}``."""
        return [str(CDKTF), action, "--auto-approve", "--skip-provider-lock", *extra, "--var", f"image_tag={tag}"]

    def run(self, action: str, tag: str, *extra: str) -> tuple[subprocess.CompletedProcess[str], float]:
        started = time.monotonic()
        result = processes.run(self.command(action, tag, *extra), cwd=self.directory, env=self.env, timeout=900)
        result.stdout = ANSI.sub("", result.stdout)
        return result, time.monotonic() - started

    def start(self, action: str, tag: str, log: Path, *extra: str) -> subprocess.Popen[bytes]:
        with log.open("wb") as output:
            return subprocess.Popen(
                self.command(action, tag, *extra),
                cwd=self.directory,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def terraform(self, *args: str) -> subprocess.CompletedProcess[str]:
        return processes.run(["terraform", *args], cwd=self.stack_dir, env=self.env, timeout=600)

    def planned_changes(self, tag: str, *variables: str) -> dict[str, list[str]]:
        """Resource address -> planned actions, for every resource that would change; ``variables`` are
        more ``name=value`` pairs."""
        plan = self.terraform(
            "plan",
            "-input=false",
            "-no-color",
            "-lock=false",
            "-out=e2e.plan",
            f"-var=image_tag={tag}",
            *(f"-var={variable}" for variable in variables),
        )
        assert plan.returncode == 0, plan.stdout[-3000:] + plan.stderr[-3000:]
        shown = self.terraform("show", "-json", "e2e.plan")
        changes = json.loads(shown.stdout)["resource_changes"]
        return {
            change["address"]: change["change"]["actions"]
            for change in changes
            if change["change"]["actions"] not in (["no-op"], ["read"])
        }

    def state_resource_count(self) -> int:
        state = json.loads(self.state_file.read_text())
        return sum(len(resource["instances"]) for resource in state["resources"] if resource["mode"] == "managed")

    def client(self, service: str) -> Any:
        return emulator_client(self.emulator, service)


def emulator_client(emulator: LocalAws, service: str) -> Any:
    """A boto3 client for the emulator, with the dummy credentials it takes."""
    return boto3.client(
        service,
        endpoint_url=emulator.endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def active_counts(deployment: Deployment) -> dict[str, int]:
    """What exists and is live in the emulator, by kind (deleted-but-listed things left out)."""
    ec2 = deployment.client("ec2")
    kms = deployment.client("kms")
    ecs = deployment.client("ecs")
    clusters = (
        ecs.describe_clusters(clusters=ecs.list_clusters()["clusterArns"])["clusters"]
        if ecs.list_clusters()["clusterArns"]
        else []
    )
    active_clusters = [cluster for cluster in clusters if cluster["status"] == "ACTIVE"]
    services = [
        service
        for cluster in active_clusters
        for arn in ecs.list_services(cluster=cluster["clusterArn"])["serviceArns"]
        for service in ecs.describe_services(cluster=cluster["clusterArn"], services=[arn])["services"]
        if service["status"] == "ACTIVE"
    ]
    return {
        "vpcs": len([vpc for vpc in ec2.describe_vpcs()["Vpcs"] if not vpc.get("IsDefault")]),
        "subnets": len([subnet for subnet in ec2.describe_subnets()["Subnets"] if not subnet.get("DefaultForAz")]),
        "nat_gateways": len([nat for nat in ec2.describe_nat_gateways()["NatGateways"] if nat["State"] != "deleted"]),
        "vpc_endpoints": len(
            [e for e in ec2.describe_vpc_endpoints()["VpcEndpoints"] if e["State"].lower() not in ("deleted",)]
        ),
        "elastic_ips": len(ec2.describe_addresses()["Addresses"]),
        "security_groups": len(
            [g for g in ec2.describe_security_groups()["SecurityGroups"] if g["GroupName"] != "default"]
        ),
        "flow_logs": len(ec2.describe_flow_logs()["FlowLogs"]),
        "kms_keys": len(
            [
                k
                for k in kms.list_keys()["Keys"]
                if kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"
            ]
        ),
        "repositories": len(deployment.client("ecr").describe_repositories()["repositories"]),
        "buckets": len(deployment.client("s3").list_buckets()["Buckets"]),
        "load_balancers": len(deployment.client("elbv2").describe_load_balancers()["LoadBalancers"]),
        "target_groups": len(deployment.client("elbv2").describe_target_groups()["TargetGroups"]),
        "clusters": len(active_clusters),
        "services": len(services),
        "roles": len(deployment.client("iam").list_roles()["Roles"]),
        "log_groups": len(deployment.client("logs").describe_log_groups()["logGroups"]),
        "web_acls": len(deployment.client("wafv2").list_web_acls(Scope="REGIONAL")["WebACLs"]),
        "scalable_targets": len(
            deployment.client("application-autoscaling").describe_scalable_targets(ServiceNamespace="ecs")[
                "ScalableTargets"
            ]
        ),
        # Target tracking adds alarms of its own (as on AWS); count the stack's.
        "alarms": len(
            [
                a
                for a in deployment.client("cloudwatch").describe_alarms()["MetricAlarms"]
                if a["AlarmName"].startswith(f"{deployment.stack}-")
            ]
        ),
        "topics": len(deployment.client("sns").list_topics()["Topics"]),
    }


DEPLOYED = {
    "vpcs": 1,
    "subnets": 4,
    # No internet egress: endpoints for ECR (API and Docker), CloudWatch Logs and S3 instead of NAT.
    "nat_gateways": 0,
    "vpc_endpoints": 4,
    "elastic_ips": 0,
    "security_groups": 3,
    "flow_logs": 1,
    "kms_keys": 1,
    "repositories": 1,
    "buckets": 1,
    "load_balancers": 1,
    "target_groups": 1,
    "clusters": 1,
    "services": 1,
    "roles": 3,
    "log_groups": 3,
    "web_acls": 1,
    "scalable_targets": 1,
    "alarms": 6,
    "topics": 1,
}
NOTHING = dict.fromkeys(DEPLOYED, 0)
# `network.allow_internet_egress = true`: a NAT gateway and its address per zone, no endpoints.
DEPLOYED_WITH_INTERNET_EGRESS = {
    **DEPLOYED,
    "nat_gateways": 2,
    "elastic_ips": 2,
    "vpc_endpoints": 0,
    "security_groups": 2,
}


REPOSITORIES_FIRST = "Create the repositories a first deploy or a new service needs"


# docs/getting-started.md#destroying-an-environment, step by step: what the walkthrough says to set.
DESTROYABLE = {
    "alb": {"deletion_protection": False, "access_logs": {"force_destroy": True}},
    "repository": {"force_delete": True},
    "verify_image_exists": False,
}


def synthesize(deployment: Deployment) -> None:
    result = processes.run([str(CDKTF), "synth"], cwd=deployment.directory, env=deployment.env, timeout=600)
    assert result.returncode == 0, ANSI.sub("", result.stdout[-3000:]) + result.stderr[-3000:]


def workflow_step(name: str, **variables: str) -> list[str]:
    """A step of the deploy workflow, as its shell would run it here: its command with the job's variables."""
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "deploy.yml").read_text())
    (step,) = [step for step in workflow["jobs"]["deploy"]["steps"] if step.get("name") == name]
    command = shlex.split(step["run"])
    # Run from the working copy, which holds the scripts as the workflow's checkout does.
    assert command[:3] == [".venv/bin/python", "-m", command[2]] and command[2].startswith("scripts."), command
    for variable, value in variables.items():
        command = [argument.replace(f"${variable}", value) for argument in command]
    assert "$" not in "".join(command), command
    return [sys.executable, *command[1:]]
