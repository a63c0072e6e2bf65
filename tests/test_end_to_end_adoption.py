"""End to end, a Copilot workspace moves here on the emulator: `cdktf-fargate import-copilot --adopt test`
imports tests/fixtures/copilot-workspace (a web service, a backend with a sidecar, a worker on a topic, a
job; two environment manifests), and its `test` environment deploys as the importer wrote it (only the
emulator's endpoint and certificate differ), taking over the repositories Copilot made (`shop/<service>`,
each holding an image): the first plan imports them and replaces nothing, the deploy workflow's steps
(repositories first, then the deploy) run the images that were already there, and the next plan is empty.
Then `prod` deploys beside it into the VPC its manifest imports (made in the emulator first: only its ids
differ), and its next plan is empty too.

The tests run in file order and share one emulator.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import processes
import pytest
from conftest import ROOT
from e2e_support import REPOSITORIES_FIRST, Deployment, emulator_client, local_aws, synthesize, workflow_step
from registry import push_image

pytestmark = pytest.mark.e2e

WORKSPACE = ROOT / "tests" / "fixtures" / "copilot-workspace"
ACCOUNT = "123456789012"  # the emulator's
APP = "shop"  # the workspace's application
STACK = f"{APP}-test"
SERVICES = ("api", "frontend", "report", "worker")
# What the manifests take from the shell, as Copilot's deploys had it.
SHELL = {"ORDERS_REGION": "eu-west-1", "AWS_REGION": "us-east-1", "AWS_ACCOUNT_ID": ACCOUNT}


def imported(directory: Path) -> tuple[dict[str, Any], str]:
    """The installed command's settings file for the workspace, and what it reported."""
    output = directory / "imported.toml"
    command = [str(Path(sys.executable).parent / "cdktf-fargate"), "import-copilot", str(WORKSPACE),
               "--account", ACCOUNT, "--adopt", "test", "--adopt-logs", "--output", str(output)]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False, env={**os.environ, **SHELL})
    assert result.returncode == 0, result.stderr
    return tomllib.loads(output.read_text()), result.stderr


@pytest.fixture(scope="module")
def imported_file(tmp_path_factory) -> tuple[dict[str, Any], str]:
    return imported(tmp_path_factory.mktemp("copilot-import"))


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    with local_aws(tmp_path_factory, "adopt") as running:
        yield running


def as_imported(
    directory: Path, emulator, terraform_env, imported_file, environment: str, **swapped: Any
) -> Deployment:
    """An environment of the imported file, deployed to the emulator as written but for the emulator's endpoint
    and certificate (it holds no other) and what ``swapped`` gives."""
    table = imported_file[0][environment]
    settings = {"certificate_arn": None, **swapped}
    return Deployment(directory, emulator, terraform_env, app=APP, environment=environment, table=table,
                      services=True, settings=settings)  # fmt: skip


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, terraform_env, imported_file, emulator):
    return as_imported(tmp_path_factory.mktemp("adopt-project"), emulator, terraform_env, imported_file, "test")


@pytest.fixture(scope="module")
def network_teams_vpc(emulator) -> dict[str, Any]:
    """What prod's manifest imports, made in the emulator (which picks its own ids): the VPC, two public and
    two private subnets, and the access-log bucket."""
    ec2 = emulator_client(emulator, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = {
        placement: [
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{base + index}.0/24", AvailabilityZone=f"us-east-1{zone}")[
                "Subnet"
            ]["SubnetId"]
            for index, zone in enumerate("ab")
        ]
        for placement, base in (("public", 0), ("private", 10))
    }
    emulator_client(emulator, "s3").create_bucket(Bucket="shop-alb-logs")
    return {"vpc_id": vpc, "public_subnet_ids": subnets["public"], "private_subnet_ids": subnets["private"]}


@pytest.fixture(scope="module")
def prod(tmp_path_factory, terraform_env, imported_file, emulator, network_teams_vpc):
    directory = tmp_path_factory.mktemp("adopt-prod-project")
    return as_imported(directory, emulator, terraform_env, imported_file, "prod", **network_teams_vpc)


@pytest.fixture(scope="module")
def copilots_images(deployment) -> dict[str, str]:
    """The repositories as Copilot left them: mutable tags, its own tags, an image each; their digests. And
    each service's log group, with a line it logged."""
    ecr = deployment.client("ecr")
    logs = deployment.client("logs")
    digests = {}
    for service in SERVICES:
        group = f"/copilot/{STACK}-{service}"
        logs.create_log_group(logGroupName=group)
        logs.put_retention_policy(logGroupName=group, retentionInDays=7)
        logs.create_log_stream(logGroupName=group, logStreamName="copilot/app/1")
        # Now: CloudWatch Logs takes no event older than the group's retention.
        line = {"timestamp": int(time.time() * 1000), "message": f"{service} under Copilot"}
        logs.put_log_events(logGroupName=group, logStreamName="copilot/app/1", logEvents=[line])
        ecr.create_repository(
            repositoryName=f"{APP}/{service}",
            imageTagMutability="MUTABLE",
            tags=[{"Key": "copilot-application", "Value": APP}, {"Key": "copilot-service", "Value": service}],
        )
        digests[service] = push_image(ecr, f"{APP}/{service}", "v1")
    return digests


def plan(deployment: Deployment, tag: str) -> list[dict[str, Any]]:
    planned = deployment.terraform(
        "plan", "-input=false", "-no-color", "-lock=false", "-out=adopt.plan", f"-var=image_tag={tag}"
    )
    assert planned.returncode == 0, planned.stdout[-3000:] + planned.stderr[-3000:]
    return json.loads(deployment.terraform("show", "-json", "adopt.plan").stdout)["resource_changes"]


def tags_of(deployment: Deployment, repository: str) -> dict[str, str]:
    images = deployment.client("ecr").describe_images(repositoryName=repository)["imageDetails"]
    return {tag: image["imageDigest"] for image in images for tag in image.get("imageTags", [])}


def test_the_import_reports_what_it_cannot_map_and_adopts_into_the_environment_named(imported_file):
    tables, reported = imported_file
    assert {name: table.get("adopt_repository") for name, table in tables["test"]["services"].items()} == {
        service: f"{APP}/{service}" for service in SERVICES
    }
    assert "unmapped: copilot/environments/prod/manifest.yml: http.private" in reported
    assert "unmapped: copilot/frontend/manifest.yml: http.stickiness = true" in reported


def test_the_first_plan_imports_copilots_repositories_and_replaces_nothing(deployment, copilots_images):
    synthesize(deployment)
    initialized = deployment.terraform("init", "-input=false", "-no-color")
    assert initialized.returncode == 0, initialized.stdout[-3000:] + initialized.stderr[-3000:]
    changes = plan(deployment, "v1")
    importing = {change["change"]["importing"]["id"]: change for change in changes if change["change"].get("importing")}
    groups = [f"/copilot/{STACK}-{service}" for service in SERVICES]
    assert sorted(importing) == sorted([f"{APP}/{service}" for service in SERVICES] + groups)
    for name, change in importing.items():
        # Taken over in place: its settings are updated, nothing of it is deleted.
        assert change["change"]["after"]["name"] == name
        assert change["change"]["actions"] in (["no-op"], ["update"]), (name, change["change"]["actions"])
    deleted = [change["address"] for change in changes if "delete" in change["change"]["actions"]]
    assert deleted == []


def test_the_workflows_steps_adopt_them_with_their_images_and_the_services_run_those(deployment, copilots_images):
    command = workflow_step(REPOSITORIES_FIRST, STACK=STACK, IMAGE_TAG="v1")
    result = processes.run(command, cwd=deployment.directory, env=deployment.env, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    ecr = deployment.client("ecr")
    names = sorted(repository["repositoryName"] for repository in ecr.describe_repositories()["repositories"])
    assert names == [f"{APP}/{service}" for service in SERVICES]
    deployed, _ = deployment.run("deploy", "v1")
    assert deployed.returncode == 0, deployed.stdout[-5000:] + deployed.stderr[-3000:]
    ecs = deployment.client("ecs")
    for service in ("api", "frontend", "worker"):
        (running,) = ecs.describe_services(cluster=STACK, services=[f"{STACK}-{service}"])["services"]
        definition = ecs.describe_task_definition(taskDefinition=running["taskDefinition"])["taskDefinition"]
        app = definition["containerDefinitions"][0]
        assert app["image"].endswith(f"/{APP}/{service}:v1"), service
        assert app["logConfiguration"]["options"]["awslogs-group"] == f"/copilot/{STACK}-{service}"
    # Still the images Copilot pushed; each repository now under this stack's settings and tags.
    for service, digest in copilots_images.items():
        repository = f"{APP}/{service}"
        assert tags_of(deployment, repository) == {"v1": digest}
        (described,) = ecr.describe_repositories(repositoryNames=[repository])["repositories"]
        assert described["imageTagMutability"] == "IMMUTABLE"
        tags = ecr.list_tags_for_resource(resourceArn=described["repositoryArn"])["tags"]
        assert {tag["Key"]: tag["Value"] for tag in tags}.get("Environment") == "test"
    # Copilot's log groups: the same events, this stack's retention; the tasks log there now.
    logs = deployment.client("logs")
    for service in SERVICES:
        group = f"/copilot/{STACK}-{service}"
        (described,) = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]
        assert described["retentionInDays"] == (30 if service == "api" else 365)
        events = logs.get_log_events(logGroupName=group, logStreamName="copilot/app/1")["events"]
        assert [event["message"] for event in events] == [f"{service} under Copilot"]
    assert deployment.planned_changes("v1") == {}


def test_prod_deploys_into_the_network_teams_vpc_as_imported(prod, network_teams_vpc):
    """The other environment: an imported VPC and subnets (ids swapped for the emulator's), source addresses,
    an existing access-log bucket, its own new repositories."""
    synthesize(prod)
    deployed, _ = prod.run("deploy", "v1")
    assert deployed.returncode == 0, deployed.stdout[-5000:] + deployed.stderr[-3000:]
    (balancer,) = [lb for lb in prod.client("elbv2").describe_load_balancers()["LoadBalancers"]
                   if lb["LoadBalancerName"].startswith("shop-prod")]  # fmt: skip
    assert balancer["VpcId"] == network_teams_vpc["vpc_id"]
    assert sorted(zone["SubnetId"] for zone in balancer["AvailabilityZones"]) == sorted(
        network_teams_vpc["public_subnet_ids"]
    )
    ecs = prod.client("ecs")
    (api,) = ecs.describe_services(cluster="shop-prod", services=["shop-prod-api"])["services"]
    assert api["desiredCount"] == 3
    placed = api["networkConfiguration"]["awsvpcConfiguration"]["subnets"]
    assert sorted(placed) == sorted(network_teams_vpc["private_subnet_ids"])
    assert prod.planned_changes("v1") == {}
