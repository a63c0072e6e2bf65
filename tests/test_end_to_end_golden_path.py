"""End to end, a new environment reaches its first deploy through the deploy workflow's own steps, on the
emulator: synthesize → create the missing repositories (scripts/repositories_first.py) → push the
images (a test image put into the emulator's registry, where the workflow builds and pushes) → deploy,
with `verify_image_exists`, so the deploy proves the image was there before it ran. Then a job is added
to the environment and reaches it the same way, and a change of shape that would delete a repository
holding images is refused at plan time.

The tests run in file order and share one deployment.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import processes
import pytest
from cdktf_fargate_cli.toml_text import toml_value
from conftest import ROOT
from deploy_target import images
from e2e_support import (
    CDKTF,
    DESTROYABLE,
    NOTHING,
    REPOSITORIES_FIRST,
    Deployment,
    active_counts,
    local_aws,
    synthesize,
    workflow_step,
)
from registry import push_image
from side_by_side import record_e2e_figures

from stacks.environments import load_environment

pytestmark = pytest.mark.e2e

APP = "gold"
STACK = f"{APP}-local"
REPORT: dict[str, Any] = {}
# The settings a production environment ships with: plans check the image exists, and repositories
# keep their images. A web service and a backend to start with; the job is added on the way.
SETTINGS = {
    "verify_image_exists": True,
    "repository.force_delete": False,
    "services.report": None,
    "services.fulfil": None,
}


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, terraform_env):
    with local_aws(tmp_path_factory, APP) as emulator:
        yield Deployment(
            tmp_path_factory.mktemp(f"{APP}-project"),
            emulator,
            terraform_env,
            app=APP,
            services=True,
            settings=SETTINGS,
        )
    record_e2e_figures(**REPORT)


def repositories_first(deployment: Deployment, tag: str, *, succeeds: bool = True) -> str:
    """The workflow's step, as it runs it: its output (what it said on failure)."""
    command = workflow_step(REPOSITORIES_FIRST, STACK=STACK, IMAGE_TAG=tag)
    result = processes.run(command, cwd=deployment.directory, env=deployment.env, timeout=600)
    assert (result.returncode == 0) is succeeds, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout if succeeds else result.stderr


def push(deployment: Deployment, tag: str) -> list[str]:
    """What the workflow's build-and-push step leaves: every image of the environment, tagged."""
    config = load_environment("local", deployment.directory / "settings.toml")
    ecr = deployment.client("ecr")
    pushed = []
    for image in images(config):
        push_image(ecr, image["repository"], tag)
        pushed.append(image["repository"])
    return pushed


def repositories(deployment: Deployment) -> list[str]:
    return sorted(r["repositoryName"] for r in deployment.client("ecr").describe_repositories()["repositories"])


def plan_output(deployment: Deployment, tag: str) -> tuple[int, str]:
    plan = deployment.terraform("plan", "-input=false", "-no-color", "-lock=false", f"-var=image_tag={tag}")
    return plan.returncode, plan.stdout + plan.stderr


def test_a_new_environment_gets_its_repositories_and_nothing_that_runs_an_image(deployment):
    synthesize(deployment)
    output = repositories_first(deployment, "v1")
    assert "created aws_ecr_repository." in output, output
    assert repositories(deployment) == [f"{STACK}-api", f"{STACK}-web"]
    # Nothing runs yet: no cluster, no service, no task definition, no load balancer.
    ecs = deployment.client("ecs")
    assert ecs.list_clusters()["clusterArns"] == []
    assert ecs.list_task_definitions()["taskDefinitionArns"] == []
    assert deployment.client("elbv2").describe_load_balancers()["LoadBalancers"] == []


def test_before_the_push_the_deploy_refuses_an_image_that_is_not_there(deployment):
    code, output = plan_output(deployment, "v1")
    assert code != 0
    assert "ecr" in output.lower() and "v1" in output, output[-3000:]


def test_after_the_push_the_first_deploy_runs_the_pushed_images(deployment):
    assert push(deployment, "v1") == [f"{STACK}-web", f"{STACK}-api"]
    result, seconds = deployment.run("deploy", "v1")
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
    REPORT["golden_path_first_deploy_seconds"] = round(seconds, 1)
    ecs = deployment.client("ecs")
    for key in ("web", "api"):
        (service,) = ecs.describe_services(cluster=STACK, services=[f"{STACK}-{key}"])["services"]
        definition = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
        container = definition["containerDefinitions"][0]  # the application container, before any sidecar
        assert container["image"].endswith(f"/{STACK}-{key}:v1"), container["image"]
    assert deployment.planned_changes("v1") == {}
    # The next deploy's step finds every repository and applies nothing.
    assert repositories_first(deployment, "v2").strip() == "every repository exists"


def test_a_job_added_to_the_environment_reaches_it_through_the_same_steps(deployment):
    # As a commit that adds the shipped `report` job to environments.toml would.
    shipped = tomllib.loads((ROOT / "environments.toml").read_text())["local"]["services"]["report"]
    change_settings(deployment, lambda local: local["services"].update(report=shipped))
    synthesize(deployment)
    output = repositories_first(deployment, "v2")
    assert output.strip().splitlines()[-1] == f"created aws_ecr_repository.{report_repository(deployment)}", output
    assert repositories(deployment) == [f"{STACK}-api", f"{STACK}-report", f"{STACK}-web"]
    push(deployment, "v2")
    result, seconds = deployment.run("deploy", "v2")
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
    REPORT["golden_path_add_job_seconds"] = round(seconds, 1)
    assert len(deployment.client("scheduler").list_schedules()["Schedules"]) == 1
    assert deployment.planned_changes("v2") == {}


def day2(deployment: Deployment, *args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    """The installed `cdktf-fargate` command, run in the app's directory as a user would."""
    command = [str(Path(sys.executable).parent / "cdktf-fargate"), "--stack-dir", str(deployment.stack_dir), *args]
    env = {**deployment.env, "CDKTF_FARGATE_CDKTF": str(CDKTF), **({"PATH": path} if path else {})}
    return processes.run(command, cwd=deployment.directory, env=env, timeout=900)


def test_status_shows_each_service_and_the_job(deployment):
    shown = day2(deployment, "status")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0] == f"{STACK} (cluster {STACK}, us-east-1)"
    rows = {line.split()[0]: line for line in lines[1:]}
    assert sorted(rows) == ["api", "report", "web"]
    assert re.search(r"^\s+api\s+service\s+\d+/2 running, \d+ pending\s+gold-local-api:\d+", rows["api"]), rows["api"]
    assert re.search(r"^\s+report\s+job\s+not run yet$", rows["report"]), rows["report"]


def test_logs_prints_a_services_events(deployment):
    logs = deployment.client("logs")
    group = f"/ecs/{STACK}-api"
    logs.create_log_stream(logGroupName=group, logStreamName="app/app/0123")
    now = int(time.time() * 1000)
    logs.put_log_events(
        logGroupName=group, logStreamName="app/app/0123", logEvents=[{"timestamp": now, "message": "migrated 3 rows"}]
    )
    shown = day2(deployment, "logs", "api", "--since", "1h")
    assert shown.returncode == 0, shown.stderr
    assert re.search(r"^\S+Z app/app/0123  migrated 3 rows$", shown.stdout, re.M), shown.stdout
    unknown = day2(deployment, "logs", "nope")
    assert unknown.returncode == 2
    assert "'nope' is not one of the services and jobs of gold-local: api, report, web" in unknown.stderr


def test_redeploy_and_run_task_start_tasks_from_the_services_own_definition(deployment):
    ecs = deployment.client("ecs")
    redeployed = day2(deployment, "redeploy", "web")
    assert redeployed.returncode == 0, redeployed.stderr
    assert redeployed.stdout.startswith("web: new tasks starting (deployment ecs-svc/"), redeployed.stdout
    started = day2(deployment, "run-task", "api", "--no-wait", "--", "./migrate", "up")
    assert started.returncode == 0, started.stderr
    (service,) = ecs.describe_services(cluster=STACK, services=[f"{STACK}-api"])["services"]
    tasks = ecs.describe_tasks(
        cluster=STACK, tasks=ecs.list_tasks(cluster=STACK, startedBy="cdktf-fargate run-task")["taskArns"]
    )
    (task,) = tasks["tasks"]
    assert task["taskDefinitionArn"] == service["taskDefinition"]
    assert task["overrides"]["containerOverrides"] == [{"name": "app", "command": ["./migrate", "up"]}]


def test_exec_says_what_is_missing(deployment, tmp_path):
    # A PATH with Terraform (the outputs are read with it) and no AWS CLI.
    alone = tmp_path / "terraform-only"
    alone.mkdir()
    (alone / "terraform").symlink_to(shutil.which("terraform", path=deployment.env["PATH"]))
    refused = day2(deployment, "exec", "web", path=str(alone))
    assert refused.returncode == 2
    assert "ECS Exec goes through the AWS CLI" in refused.stderr
    # With the AWS CLI and the plugin on PATH, the service's setting is what is missing.
    tools = tmp_path / "tools"
    tools.mkdir()
    for tool in ("aws", "session-manager-plugin"):
        (tools / tool).write_text("#!/bin/sh\nexit 0\n")
        (tools / tool).chmod(0o755)
    refused = day2(deployment, "exec", "web", path=f"{tools}:{deployment.env['PATH']}")
    assert refused.returncode == 2
    assert "ECS Exec is off; set services.web.service.enable_execute_command = true and deploy" in refused.stderr


def test_rollback_deploys_the_previous_tag_to_one_service_and_keeps_the_others(deployment):
    planned = day2(deployment, "rollback", "web", "--dry-run")
    assert planned.returncode == 0, planned.stderr
    assert planned.stdout.splitlines()[0] == "web: v2 -> v1"
    rolled = day2(deployment, "rollback", "web", "--", "--skip-provider-lock")
    assert rolled.returncode == 0, rolled.stdout[-3000:] + rolled.stderr[-3000:]
    ecs = deployment.client("ecs")
    for key, tag in (("web", "v1"), ("api", "v2")):
        (service,) = ecs.describe_services(cluster=STACK, services=[f"{STACK}-{key}"])["services"]
        # The application container comes first, before any sidecar.
        container = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"][
            "containerDefinitions"
        ][0]
        assert container["image"].endswith(f":{tag}"), (key, container["image"])
    # A tag the repository never held is refused before anything runs.
    missing = day2(deployment, "rollback", "web", "--to", "v0")
    assert missing.returncode == 2
    assert f"{STACK}-web no longer holds 'v0'" in missing.stderr


def change_settings(deployment: Deployment, change: Callable[[dict[str, Any]], object]) -> None:
    settings = deployment.directory / "settings.toml"
    local = tomllib.loads(settings.read_text())["local"]
    change(local)
    settings.write_text("[local]\n" + "".join(f"{key} = {toml_value(value)}\n" for key, value in local.items()))


def report_repository(deployment: Deployment) -> str:
    config = json.loads((deployment.stack_dir / "cdk.tf.json").read_text())
    (name,) = [name for name in config["resource"]["aws_ecr_repository"] if "report" in name]
    return name


def test_a_change_of_shape_that_would_delete_repositories_with_images_stops_before_anything_is_applied(deployment):
    # Back to one service: the services' repositories would be deleted, the environment's own created.
    change_settings(deployment, lambda local: local.pop("services"))
    synthesize(deployment)
    refused = repositories_first(deployment, "v3", succeeds=False)
    for key in ("api", "report", "web"):
        assert f"{STACK}-{key} (aws_ecr_repository.services_repository-{key}_" in refused, refused
    assert "first deploy with it still declared and repository.force_delete = true" in refused
    # Nothing was applied: the three repositories and their images are there, the new one is not.
    assert repositories(deployment) == [f"{STACK}-api", f"{STACK}-report", f"{STACK}-web"]
    details = deployment.client("ecr").describe_images(repositoryName=f"{STACK}-web")["imageDetails"]
    assert sorted(tag for image in details for tag in image.get("imageTags", [])) == ["v1", "v2"]


def test_destroying_an_environment_as_the_walkthrough_says_leaves_nothing(deployment):
    shipped = tomllib.loads((ROOT / "environments.toml").read_text())["local"]["services"]
    deployed = {key: table for key, table in shipped.items() if key != "fulfil"}
    # As deployed: the refused change of shape above was never applied.
    change_settings(deployment, lambda local: local.update(services=deployed))
    # Before: a repository that keeps its images refuses to be destroyed (`prevent_destroy`), at plan time.
    synthesize(deployment)
    refused = deployment.terraform("plan", "-destroy", "-input=false", "-no-color", "-lock=false", "-var=image_tag=v2")
    said = " ".join((refused.stdout + refused.stderr).split())
    assert refused.returncode == 1 and "lifecycle.prevent_destroy set" in said, said[-3000:]

    def destroyable(local: dict[str, Any]) -> None:
        for key, value in DESTROYABLE.items():
            local[key] = {**local.get(key, {}), **value} if isinstance(value, dict) else value

    change_settings(deployment, destroyable)
    deployed, _ = deployment.run("deploy", "v2")
    assert deployed.returncode == 0, deployed.stdout[-5000:] + deployed.stderr[-3000:]
    # Any tag will do now: nothing checks that it is in a repository.
    destroyed, seconds = deployment.run("destroy", "not-pushed")
    assert destroyed.returncode == 0, destroyed.stdout[-5000:] + destroyed.stderr[-3000:]
    REPORT["golden_path_destroy_seconds"] = round(seconds, 1)
    assert active_counts(deployment) == NOTHING
