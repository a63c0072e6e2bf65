"""The app as users run it: `cdktf synth` writes one stack, and Terraform with the real
hashicorp/aws 5.100.0 provider accepts it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

CDKTF = ROOT / "node_modules" / ".bin" / "cdktf"


def run(command: list[str], cwd: Path, env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def synth_with_main(environment: str, outdir: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run(
        [sys.executable, "main.py"],
        cwd=ROOT,
        env={**env, "CDKTF_OUTDIR": str(outdir), "CDKTF_FARGATE_ENV": environment},
    )


def terraform_validate(stack_dir: Path, env: dict[str, str]) -> None:
    init = run(["terraform", "init", "-backend=false", "-input=false", "-no-color"], stack_dir, env)
    assert init.returncode == 0, init.stdout + init.stderr
    validate = run(["terraform", "validate", "-json", "-no-color"], stack_dir, env)
    report = json.loads(validate.stdout)
    assert report["valid"] is True, report["diagnostics"]
    assert report["warning_count"] == 0, report["diagnostics"]


@pytest.fixture(scope="module")
def cli_synth(tmp_path_factory, terraform_env) -> Path:
    """`cdktf synth` through the pinned CLI, as `make synth` runs it."""
    outdir = tmp_path_factory.mktemp("cdktf-out")
    env = {
        **terraform_env,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{terraform_env['PATH']}",
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
    env.pop("CDKTF_FARGATE_ENV", None)
    result = run([str(CDKTF), "synth", "--output", str(outdir)], ROOT, env)
    assert result.returncode == 0, result.stdout + result.stderr
    return outdir


def test_cdktf_synth_writes_exactly_one_stack(cli_synth):
    stacks = sorted(path.name for path in (cli_synth / "stacks").iterdir())
    assert stacks == ["webapp-prod"]
    document = json.loads((cli_synth / "stacks" / "webapp-prod" / "cdk.tf.json").read_text())
    assert "image_tag" in document["variable"]
    assert document["resource"]["aws_ecs_service"]


def test_production_stack_passes_terraform_validate(cli_synth, tmp_path, terraform_env):
    stack_dir = tmp_path / "prod"
    shutil.copytree(cli_synth / "stacks" / "webapp-prod", stack_dir)
    terraform_validate(stack_dir, terraform_env)


def test_dev_stack_passes_terraform_validate(tmp_path, terraform_env):
    result = synth_with_main("dev", tmp_path / "out", terraform_env)
    assert result.returncode == 0, result.stderr
    stack_dir = tmp_path / "out" / "stacks" / "webapp-dev"
    assert sorted(path.name for path in (tmp_path / "out" / "stacks").iterdir()) == ["webapp-dev"]
    terraform_validate(stack_dir, terraform_env)


@pytest.fixture(scope="module")
def variables_only(cli_synth, tmp_path_factory) -> Path:
    """The stack's variable block alone: Terraform evaluates its validation without any provider."""
    document = json.loads((cli_synth / "stacks" / "webapp-prod" / "cdk.tf.json").read_text())
    directory = tmp_path_factory.mktemp("variables")
    (directory / "main.tf.json").write_text(json.dumps({"variable": document["variable"]}))
    return directory


def plan(directory: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run(["terraform", "plan", "-input=false", "-no-color", "-lock=false", *args], directory, env, timeout=120)


@pytest.mark.parametrize("tag", ["3f2c1d0e9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d", "v1.2.3", "release_42"])
def test_image_tag_accepts_commit_shas_and_release_tags(variables_only, terraform_env, tag):
    result = plan(variables_only, terraform_env, f"-var=image_tag={tag}")
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.parametrize("tag", ["latest", "", ".hidden", "-dash", "has space", "a" * 129, "tag:1"])
def test_fails_when_image_tag_is_latest_or_not_an_ecr_tag(variables_only, terraform_env, tag):
    result = plan(variables_only, terraform_env, f"-var=image_tag={tag}")
    assert result.returncode != 0
    assert "Invalid value for variable" in result.stderr
    assert "image_tag must be an ECR tag" in result.stderr


def test_fails_when_image_tag_is_not_given(variables_only, terraform_env):
    result = plan(variables_only, terraform_env)
    assert result.returncode != 0
    assert 'input variable "image_tag" is not set' in result.stderr


def test_fails_with_a_named_setting_and_writes_nothing_when_configuration_is_bad(tmp_path, terraform_env):
    settings = tmp_path / "settings.toml"
    settings.write_text(
        '[prod]\ncertificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/x"\nservice.desired_count = -2\n'
    )
    outdir = tmp_path / "out"
    result = synth_with_main("prod", outdir, {**terraform_env, "CDKTF_FARGATE_CONFIG": str(settings)})
    assert result.returncode != 0
    assert "service.desired_count=-2 is invalid: must be a whole number from 0 to 5000" in result.stderr
    assert not list(outdir.rglob("cdk.tf.json"))
