"""The GitHub Actions workflows: they parse, CI runs what `make test` runs, and deploy ships the commit it built."""

from __future__ import annotations

import dataclasses
import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import CERTIFICATE_ARN as CERTIFICATE
from deploy_target import (
    IMAGE_PLATFORMS,
    deploy_order,
    deploy_target,
    drift_role_arn,
    images,
    missing_images,
    push_images,
)
from deploy_target import main as deploy_target_main

from stacks.environments import config_from_mapping, load_environment

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"


def load(name: str) -> dict[str, Any]:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    # YAML 1.1 reads the bare key `on` as the boolean true.
    document["on"] = document.pop(True)
    return document


def steps(workflow: dict[str, Any], job: str) -> list[dict[str, Any]]:
    return workflow["jobs"][job]["steps"]


def step_named(workflow: dict[str, Any], job: str, name: str) -> dict[str, Any]:
    (step,) = [step for step in steps(workflow, job) if step.get("name") == name]
    return step


def uses(workflow: dict[str, Any], job: str, action: str) -> dict[str, Any]:
    (step,) = [step for step in steps(workflow, job) if step.get("uses", "").split("@")[0] == action]
    return step


@pytest.fixture(scope="module")
def ci() -> dict[str, Any]:
    return load("ci.yml")


@pytest.fixture(scope="module")
def deploy() -> dict[str, Any]:
    return load("deploy.yml")


WORKFLOW_FILES = ["ci.yml", "deploy.yml", "drift.yml", "environments.yml"]


def test_only_the_four_workflows_exist():
    assert sorted(path.name for path in WORKFLOWS.iterdir()) == WORKFLOW_FILES


def test_ci_runs_on_pull_requests_and_for_the_deploy_with_read_only_permissions(ci):
    assert set(ci["on"]) == {"pull_request", "workflow_call"}
    assert ci["permissions"] == {"contents": "read"}
    # A newer push cancels a pull request's older run, never a run the deploy started (a group of its own).
    assert ci["concurrency"] == {
        "group": "ci-${{ github.event_name == 'pull_request' && github.ref || github.run_id }}",
        "cancel-in-progress": "${{ github.event_name == 'pull_request' }}",
    }


def test_ci_lints_and_runs_the_whole_test_suite_with_the_versions_the_readme_names(ci):
    commands = [step.get("run") for step in steps(ci, "test")]
    assert "make lint" in commands
    assert "make test" in commands
    assert uses(ci, "test", "actions/setup-python")["with"]["python-version"] == "3.11"
    assert uses(ci, "test", "actions/setup-node")["with"]["node-version"] == "20"
    terraform = uses(ci, "test", "hashicorp/setup-terraform")["with"]
    assert terraform["terraform_wrapper"] is False
    assert terraform["terraform_version"].startswith("1.11.")


def test_deploy_runs_on_main_and_gets_aws_credentials_only_through_oidc(deploy):
    assert deploy["on"]["push"] == {"branches": ["main"]}
    # A manual run may be started from any branch: the job itself refuses all but main.
    assert "workflow_dispatch" in deploy["on"]
    assert deploy["jobs"]["environments"]["if"] == "github.ref == 'refs/heads/main'"
    assert deploy["jobs"]["test"]["if"].startswith("github.ref == 'refs/heads/main' && ")
    # The deploy job runs only when the environments job (main only) succeeded.
    assert "needs.environments.result == 'success'" in deploy["jobs"]["deploy"]["if"]
    assert deploy["permissions"] == {}
    assert deploy["jobs"]["deploy"]["permissions"] == {"contents": "read", "id-token": "write"}
    credentials = uses(deploy, "deploy", "aws-actions/configure-aws-credentials")["with"]
    assert credentials["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
    text = (WORKFLOWS / "deploy.yml").read_text()
    assert not re.search(r"aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY", text)


@pytest.mark.parametrize("name", WORKFLOW_FILES)
def test_every_action_is_pinned_to_a_full_commit_sha_with_its_tag_beside_it(name):
    lines = [line.strip() for line in (WORKFLOWS / name).read_text().splitlines() if "uses:" in line]
    assert lines
    for line in lines:
        if line.startswith("uses: ./"):
            # A workflow of this repository, at the commit that calls it.
            called = re.fullmatch(
                r"uses: \./\.github/workflows/([\w-]+\.yml) # zizmor: ignore\[self-repository\]", line
            )
            assert called and called.group(1) in WORKFLOW_FILES, line
            assert "workflow_call" in load(called.group(1))["on"], line
            continue
        assert re.fullmatch(r"- uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+", line), line


@pytest.mark.parametrize("name", WORKFLOW_FILES)
def test_checkouts_leave_no_credentials_and_scripts_get_values_only_through_the_environment(name):
    workflow = load(name)
    for job, body in workflow["jobs"].items():
        if "uses" in body:
            continue
        checkout = uses(workflow, job, "actions/checkout")
        assert checkout["with"]["persist-credentials"] is False
        for step in steps(workflow, job):
            # An expression pasted into a script is a script injection; the shell reads variables instead.
            assert "${{" not in step.get("run", ""), step.get("name")


def test_the_deploy_job_installs_no_development_or_test_tools(deploy):
    setup = step_named(deploy, "deploy", "Set up (what a deploy runs, no development tools)")["run"]
    assert "make setup-deploy" in setup
    assert not re.search(r"make setup\b(?!-)|checkov|pytest|--dev", setup)
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^setup-deploy:.*\n((?:\t.*\n)+)", makefile, flags=re.MULTILINE)
    assert recipe and "--dev" not in recipe.group(1) and "checkov" not in recipe.group(0).lower()


def test_deploy_goes_through_the_bootstraps_environments_in_order_one_at_a_time(deploy):
    job = deploy["jobs"]["deploy"]
    # The list is the settings file's, read by the environments workflow.
    assert job["strategy"]["matrix"]["environment"] == "${{ fromJSON(needs.environments.outputs.list) }}"
    assert deploy["jobs"]["environments"]["uses"] == "./.github/workflows/environments.yml"
    assert job["strategy"]["max-parallel"] == 1
    assert job["strategy"]["fail-fast"] is True
    assert job["environment"] == "${{ matrix.environment }}"
    assert job["concurrency"] == {"group": "deploy-${{ matrix.environment }}", "cancel-in-progress": False}
    assert deploy_order() == ["dev", "prod"]


def test_the_environments_workflow_lists_what_the_bootstrap_serves_as_json(capsys, tmp_path, monkeypatch):
    listing = load("environments.yml")
    assert set(listing["on"]) == {"workflow_call"}
    assert listing["on"]["workflow_call"]["outputs"]["list"]["value"] == "${{ jobs.list.outputs.environments }}"
    job = listing["jobs"]["list"]
    assert job["permissions"] == {"contents": "read"}
    assert job["outputs"] == {"environments": "${{ steps.read.outputs.environments }}"}
    read = step_named(listing, "list", "List the environments, checked as `make bootstrap` checks them")
    assert read["id"] == "read"
    assert shlex.split(read["run"]) == [
        ".venv/bin/python", "-m", "scripts.deploy_target", "--environments", ">>", "$GITHUB_OUTPUT"
    ]  # fmt: skip
    assert deploy_target_main(["--environments"]) == 0
    assert capsys.readouterr().out == 'environments=["dev","prod"]\n'
    # A settings file that lists another order, or an environment it lacks, as `make bootstrap` reads it.
    settings = (ROOT / "environments.toml").read_text()
    path = tmp_path / "environments.toml"
    path.write_text(settings.replace('environments = ["dev", "prod"]', 'environments = ["prod", "dev"]'))
    monkeypatch.setenv("CDKTF_FARGATE_CONFIG", str(path))
    assert deploy_target_main(["--environments"]) == 0
    assert capsys.readouterr().out == 'environments=["prod","dev"]\n'
    path.write_text(settings.replace('environments = ["dev", "prod"]', 'environments = ["dev", "qa"]'))
    assert deploy_target_main(["--environments"]) == 2
    assert "environments='qa' is invalid: is not an environment" in capsys.readouterr().err


def test_deploy_waits_for_the_tests_unless_it_rolls_back(deploy, ci):
    test = deploy["jobs"]["test"]
    assert test["uses"] == "./.github/workflows/ci.yml"
    assert test["permissions"] == {"contents": "read"}
    # Skipped only for a manual run that names a tag.
    assert test["if"] == ("github.ref == 'refs/heads/main' && (github.event_name == 'push' || inputs.image_tag == '')")
    job = deploy["jobs"]["deploy"]
    assert job["needs"] == ["test", "environments"]
    condition = " ".join(job["if"].split())
    assert condition == (
        "!cancelled() && needs.environments.result == 'success' && (needs.test.result == 'success' || "
        "(needs.test.result == 'skipped' && github.event_name == 'workflow_dispatch' && inputs.image_tag != ''))"
    )
    # What it waits for is the whole suite.
    assert "make test" in [step.get("run") for step in steps(ci, "test")]


def test_a_manual_run_with_a_tag_rolls_back_to_it_without_building(deploy):
    tag_input = deploy["on"]["workflow_dispatch"]["inputs"]["image_tag"]
    assert (tag_input["type"], tag_input["required"], tag_input["default"]) == ("string", False, "")
    job = deploy["jobs"]["deploy"]
    # Every step names the tag through the job's environment: the commit's own, or the rollback's.
    assert job["env"]["IMAGE_TAG"] == "${{ inputs.image_tag || github.sha }}"
    push = step_named(deploy, "deploy", "Build and push each image tagged with the commit SHA")
    assert push["if"] == BUILDS
    check = step_named(deploy, "deploy", "Check every repository still holds the rollback's tag")
    assert check["if"] == "github.event_name == 'workflow_dispatch' && inputs.image_tag != ''"
    assert check["env"] == {"DEPLOY_ENVIRONMENT": "${{ matrix.environment }}"}
    assert shlex.split(check["run"]) == [
        ".venv/bin/python", "-m", "scripts.deploy_target", "$DEPLOY_ENVIRONMENT", "--require-images",
        "--tag", "$IMAGE_TAG",
    ]  # fmt: skip
    names = [step.get("name") for step in steps(deploy, "deploy")]
    assert names.index("Check every repository still holds the rollback's tag") < names.index("Deploy")


# A step that builds: on a push or a manual run without a tag, unless the environment promotes.
BUILDS = "steps.target.outputs.promote_from == '' && (github.event_name == 'push' || inputs.image_tag == '')"


def test_a_promoted_environment_copies_what_its_source_ran_instead_of_building(deploy):
    names = [step.get("name") for step in steps(deploy, "deploy")]
    promote = "Copy the images the earlier environment ran (build once, promote)"
    first = "Create the repositories a first deploy or a new service needs"
    assert names.index(first) < names.index(promote) < names.index("Deploy")
    step = step_named(deploy, "deploy", promote)
    assert step["if"] == (
        "steps.target.outputs.promote_from != '' && (github.event_name == 'push' || inputs.image_tag == '')"
    )
    assert step["env"] == {"DEPLOY_ENVIRONMENT": "${{ matrix.environment }}"}
    # tests/test_end_to_end_deploy_role.py runs this very command with the promoted environment's role.
    assert shlex.split(step["run"]) == [
        ".venv/bin/python", "-m", "scripts.promote_images", "$DEPLOY_ENVIRONMENT", "--tag", "$IMAGE_TAG"
    ]  # fmt: skip
    # Nothing is built for it: no QEMU, no buildx.
    for built in ("Build and push each image tagged with the commit SHA",):
        assert step_named(deploy, "deploy", built)["if"] == BUILDS
    buildx = [s for s in steps(deploy, "deploy") if s.get("uses", "").startswith("docker/setup-buildx-action@")]
    assert [s["if"] for s in buildx] == [BUILDS]
    config = config_from_mapping("prod", {"promote_from": "dev", "service": {"task": {"cpu_architecture": "ARM64"}}})
    target = deploy_target(config, require_remote_state=False)
    assert (target["promote_from"], target["emulated_platforms"], target["images"]) == ("dev", "", "[]")


def test_require_images_names_every_repository_without_the_tag():
    config = load_environment("local")
    calls = []

    def run(command):
        calls.append(command)
        return 0 if command[4] == "webapp-local-web" else 254

    assert missing_images(images(config), tag="3f2a9c1", run=run) == [
        "webapp-local-api",
        "webapp-local-fulfil",
        "webapp-local-report",
    ]
    assert calls[0] == [
        "aws", "ecr", "describe-images", "--repository-name", "webapp-local-web", "--image-ids", "imageTag=3f2a9c1"
    ]  # fmt: skip


def test_deploy_pushes_every_image_tagged_with_the_commit_sha(deploy):
    push = step_named(deploy, "deploy", "Build and push each image tagged with the commit SHA")
    assert push["env"] == {
        "DEPLOY_ENVIRONMENT": "${{ matrix.environment }}",
        "REGISTRY": "${{ steps.ecr.outputs.registry }}",
    }
    command = shlex.split(push["run"])
    assert command[:4] == [".venv/bin/python", "-m", "scripts.deploy_target", "$DEPLOY_ENVIRONMENT"]
    assert command[4:] == ["--push-images", "--registry", "$REGISTRY", "--tag", "$IMAGE_TAG"]
    # On a push, the tag is the commit SHA.
    assert deploy["jobs"]["deploy"]["env"]["IMAGE_TAG"] == "${{ inputs.image_tag || github.sha }}"


def test_deploy_creates_the_missing_repositories_before_it_pushes(deploy):
    names = [step.get("name") for step in steps(deploy, "deploy")]
    first = "Create the repositories a first deploy or a new service needs"
    push = "Build and push each image tagged with the commit SHA"
    assert names.index("Synthesize") < names.index(first) < names.index(push) < names.index("Deploy")
    step = step_named(deploy, "deploy", first)
    # With the build or the promotion; a rollback's tag is already in every repository.
    assert step["if"] == "github.event_name == 'push' || inputs.image_tag == ''"
    assert step["env"] == {"STACK": "${{ steps.target.outputs.stack_name }}"}
    # tests/test_end_to_end_golden_path.py runs this very command on the emulator.
    assert shlex.split(step["run"]) == [
        ".venv/bin/python", "-m", "scripts.repositories_first", "--stack-dir", "cdktf.out/stacks/$STACK",
        "--var", "image_tag=$IMAGE_TAG",
    ]  # fmt: skip
    assert step_named(deploy, "deploy", "Synthesize")["run"] == "npx cdktf synth"


def test_deploy_sets_up_emulation_before_it_builds_for_another_architecture(deploy):
    qemu = uses(deploy, "deploy", "docker/setup-qemu-action")
    # Only when a task runs on another architecture than the runner's, and only when it builds.
    assert qemu["if"] == (
        "steps.target.outputs.emulated_platforms != '' && (github.event_name == 'push' || inputs.image_tag == '')"
    )
    assert qemu["with"] == {"platforms": "${{ steps.target.outputs.emulated_platforms }}", "cache-image": False}
    position = {
        step.get("uses", step.get("name", "")).split("@")[0]: i for i, step in enumerate(steps(deploy, "deploy"))
    }
    assert position["docker/setup-qemu-action"] < position["Build and push each image tagged with the commit SHA"]


def test_deploy_runs_cdktf_deploy_for_the_stack_with_the_same_sha_as_image_tag(deploy):
    step = step_named(deploy, "deploy", "Deploy")
    assert step["env"] == {"STACK": "${{ steps.target.outputs.stack_name }}"}
    # The job's IMAGE_TAG, the one the images were pushed with (or a rollback's, checked to exist).
    assert deploy["jobs"]["deploy"]["env"]["IMAGE_TAG"] == "${{ inputs.image_tag || github.sha }}"
    command = shlex.split(step["run"])
    assert command[:3] == ["npx", "cdktf", "deploy"]
    stack, *flags = command[3:]
    assert stack == "$STACK"
    assert "--auto-approve" in flags
    # `--var`, never `-var` (the cdktf CLI reads that as -v -a -r and drops the variable).
    assert [flag for flag in flags if flag.startswith("-var")] == []
    assert flags[flags.index("--var") + 1] == "image_tag=$IMAGE_TAG"


def test_deploy_runs_terraform_through_the_graceful_wrapper(deploy):
    wrapper = deploy["env"]["TERRAFORM_BINARY_NAME"]
    assert wrapper == "${{ github.workspace }}/scripts/terraform_graceful.py"
    assert (ROOT / "scripts" / "terraform_graceful.py").stat().st_mode & 0o111


def test_deploy_reads_its_target_from_environments_toml_and_puts_the_app_environment_on_path(deploy):
    setup = step_named(deploy, "deploy", "Set up (what a deploy runs, no development tools)")["run"]
    assert '"$PWD/.venv/bin" >> "$GITHUB_PATH"' in setup
    target = step_named(deploy, "deploy", "Read the deploy target from environments.toml")
    assert target["id"] == "target"
    assert "-m scripts.deploy_target" in target["run"]
    assert "--require-remote-state" in target["run"]
    assert target["run"].rstrip().endswith('>> "$GITHUB_OUTPUT"')


def test_deploy_target_names_the_stack_and_its_one_image():
    config = config_from_mapping(
        "staging",
        {
            "certificate_arn": load_environment("prod").certificate_arn,
            "state_bucket": "tf-state-bucket",
            "service": {"task": {"cpu_architecture": "ARM64"}},
        },
    )
    target = deploy_target(config, require_remote_state=True)
    assert target == {
        "stack_name": "webapp-staging",
        "region": "us-east-1",
        "images": target["images"],
        # An ARM64 task's image is built on the x86_64 runner under QEMU.
        "emulated_platforms": "arm64",
        "promote_from": "",
    }
    assert json.loads(target["images"]) == [
        {
            "repository": "webapp-staging",
            # The shipped sample app, unless `build` names another.
            "context": "app",
            "dockerfile": "app/Dockerfile",
            "platform": IMAGE_PLATFORMS["ARM64"],
        }
    ]


def test_deploy_target_builds_one_image_per_repository_of_an_environment_with_services():
    config = dataclasses.replace(load_environment("local"), aws_endpoint_url="")
    assert images(config) == [
        {"repository": "webapp-local-web", "context": "app", "dockerfile": "app/Dockerfile", "platform": "linux/amd64"},
        {"repository": "webapp-local-api", "context": "api", "dockerfile": "api/Dockerfile", "platform": "linux/amd64"},
        {"repository": "webapp-local-fulfil", "context": "fulfil", "dockerfile": "fulfil/Dockerfile",
         "platform": "linux/amd64"},
        {"repository": "webapp-local-report", "context": "report", "dockerfile": "report/Dockerfile",
         "platform": "linux/amd64"},
    ]  # fmt: skip
    assert deploy_target(config, require_remote_state=False)["emulated_platforms"] == ""
    shared = config_from_mapping(
        "staging",
        {
            "certificate_arn": CERTIFICATE,
            "services": {
                "web": {"build": {"dockerfile": "docker/web.Dockerfile"},
                        "service": {"task": {"cpu_architecture": "ARM64"}}},
                "worker": {"kind": "backend", "repository": "web", "service": {"task": {"cpu_architecture": "ARM64"}}},
            },
        },
    )  # fmt: skip
    assert images(shared) == [
        {
            "repository": "webapp-staging-web",
            "context": "app",
            "dockerfile": "docker/web.Dockerfile",
            "platform": "linux/arm64",
        }
    ]


def test_push_images_builds_what_is_missing_and_skips_what_was_pushed():
    built = images(dataclasses.replace(load_environment("local"), aws_endpoint_url=""))
    commands: list[list[str]] = []

    def run(command):
        commands.append(list(command))
        # The api image of this commit is already in its repository.
        return (
            0
            if command[:2] == ["aws", "ecr"] and "webapp-local-api" in command
            else (254 if command[0] == "aws" else 0)
        )

    pushed = push_images(built, registry="123456789012.dkr.ecr.us-east-1.amazonaws.com", tag="3f2c1d0", run=run)
    registry = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
    assert pushed == [
        f"{registry}/webapp-local-web:3f2c1d0",
        f"{registry}/webapp-local-fulfil:3f2c1d0",
        f"{registry}/webapp-local-report:3f2c1d0",
    ]
    builds = [command for command in commands if command[0] == "docker"]
    assert builds[2] == [
        "docker", "buildx", "build", "--platform", "linux/amd64", "--file", "report/Dockerfile",
        "--tag", f"{registry}/webapp-local-report:3f2c1d0", "--push", "report",
    ]  # fmt: skip


def test_fails_when_an_image_does_not_build():
    built = images(dataclasses.replace(load_environment("local"), aws_endpoint_url=""))
    with pytest.raises(RuntimeError, match=r"building .*/webapp-local-web:abc from app failed"):
        push_images(built, registry="r", tag="abc", run=lambda command: 1)


def test_fails_when_a_ci_deploy_has_no_remote_state():
    with pytest.raises(ValueError, match=r"environment 'prod': state_bucket is not set"):
        deploy_target(dataclasses.replace(load_environment("prod"), state_bucket=""), require_remote_state=True)


def test_fails_when_a_ci_deploy_targets_the_emulator():
    with pytest.raises(ValueError, match=r"environment 'local': aws_endpoint_url='http://127.0.0.1:4566'"):
        deploy_target(load_environment("local"), require_remote_state=False)


def test_drift_runs_every_day_per_environment_and_fails_on_drift():
    drift = load("drift.yml")
    assert set(drift["on"]) == {"schedule", "workflow_dispatch"}
    assert drift["permissions"] == {}
    job = drift["jobs"]["drift"]
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    assert job["strategy"]["matrix"]["environment"] == "${{ fromJSON(needs.environments.outputs.list) }}"
    assert drift["jobs"]["environments"]["uses"] == "./.github/workflows/environments.yml"
    assert job["needs"] == "environments"
    assert job["strategy"]["fail-fast"] is False
    # A group of its own: GitHub keeps one pending run per group, and a check must never replace a
    # pending deploy (`cdktf-fargate drift` checks again when a deploy moves the state meanwhile).
    assert job["concurrency"] == {"group": "drift-${{ matrix.environment }}", "cancel-in-progress": False}
    deploys = load("deploy.yml")["jobs"]["deploy"]["concurrency"]["group"]
    assert job["concurrency"]["group"] != deploys
    # On main outside any GitHub environment, with the read-only drift role (which trusts exactly that).
    assert "environment" not in job
    credentials = uses(drift, "drift", "aws-actions/configure-aws-credentials")
    assert credentials["with"]["role-to-assume"] == "${{ steps.target.outputs.drift_role_arn }}"
    target = step_named(drift, "drift", "Read the deploy target from environments.toml")
    assert "--drift-role" in shlex.split(target["run"])
    # The shipped environments name their account; older settings fall back on the repository variable.
    assert drift_role_arn(load_environment("prod")) == "arn:aws:iam::123456789012:role/deploy/webapp-prod-drift"
    unnamed = dataclasses.replace(load_environment("prod"), account_id="")
    assert drift_role_arn(unnamed, "444455556666") == "arn:aws:iam::444455556666:role/deploy/webapp-prod-drift"
    with pytest.raises(ValueError, match="account_id is not set; the drift check assumes the drift role"):
        drift_role_arn(unnamed)
    check = step_named(drift, "drift", "Refresh-only plan; fail on drift")
    assert shlex.split(check["run"].split("|")[0]) == [
        ".venv/bin/cdktf-fargate", "--stack-dir", "cdktf.out/stacks/$STACK", "drift"
    ]  # fmt: skip
    assert 'exit "${PIPESTATUS[0]}"' in check["run"]


def test_the_deploy_jobs_timeout_is_the_one_the_rollout_check_uses(deploy):
    from stacks.environments import DeployOptions

    assert deploy["jobs"]["deploy"]["timeout-minutes"] == DeployOptions().workflow_timeout_minutes
    for environment in deploy_order():
        assert load_environment(environment).deploy.workflow_timeout_minutes == DeployOptions().workflow_timeout_minutes


def test_deploy_waits_for_the_rollout_after_the_deploy(deploy):
    names = [step.get("name") for step in steps(deploy, "deploy")]
    wait = "Wait for the rollout; fail if it fails or is rolled back"
    assert names.index(wait) == names.index("Deploy") + 1
    step = step_named(deploy, "deploy", wait)
    assert step["env"] == {"STACK": "${{ steps.target.outputs.stack_name }}"}
    assert shlex.split(step["run"]) == [
        ".venv/bin/python",
        "-m",
        "scripts.await_rollout",
        "--stack-dir",
        "cdktf.out/stacks/$STACK",
    ]
