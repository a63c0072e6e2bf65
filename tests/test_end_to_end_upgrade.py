"""Upgrading replaces nothing but a task definition revision, and the app runs from a plain shell.

0.1.0 (the last release, taken from git history) deploys the `local` environment to the emulator.
Then a fresh clone of this commit, set up with the Makefile, plans against that state from a plain
shell: no virtual environment activated, nothing on PATH but the system's (only the provider
mirror's CLI config, a fact of this machine, is passed). The plan must destroy and replace
nothing but the task definition (a new revision, as every image deploy makes), and must move
the cluster (0.2 gives it its own construct). Its deploy converges, a
second plan is empty, and destroy leaves nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import processes
import pytest
from cdktf_fargate_cli.toml_text import toml_value
from cdktf_fargate_emulator import LocalAws
from conftest import ROOT
from e2e_support import (
    ANSI,
    EMULATOR_CREDENTIALS,
    GO_THROUGHPUT,
    NOTHING,
    active_counts,
    emulator_client,
    local_aws,
)
from side_by_side import record_e2e_figures

pytestmark = pytest.mark.e2e

RELEASE_0_1 = "33204e7"  # the last commit of 0.1.0 (CHANGELOG.md)
APP = "upgrade"
STACK = f"{APP}-local"
# Nothing but the system's: no .venv/bin, no node_modules/.bin, no pyenv shims.
PLAIN_PATH = "/usr/local/bin:/usr/bin:/bin"


def run(command: list[str], cwd: Path, env: dict[str, str], timeout: int = 900) -> subprocess.CompletedProcess[str]:
    result = processes.run(command, cwd=cwd, env=env, timeout=timeout)
    result.stdout = ANSI.sub("", result.stdout)
    return result


def git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout


class Checkout:
    """One version of the app in its own directory, with its `local` table pointed at the test's emulator."""

    def __init__(self, directory: Path, emulator: LocalAws, network: dict[str, Any] | None = None) -> None:
        self.directory = directory
        self.emulator = emulator
        local = tomllib.loads((directory / "environments.toml").read_text())["local"]
        local.update(app_name=APP, aws_endpoint_url=emulator.endpoint, certificate_domain=emulator.certificate_domain)
        # The upgrade of an environment without a `services` table (as 0.1 shipped `local`): it must keep
        # its one service, resources and addresses.
        local.pop("services", None)
        if network:
            local.setdefault("network", {}).update(network)
        self.settings = directory / "upgrade.toml"
        self.settings.write_text(
            "[local]\n" + "".join(f"{key} = {toml_value(value)}\n" for key, value in local.items())
        )
        self.state_file = directory / f"terraform.{STACK}.tfstate"
        self.stack_dir = directory / "cdktf.out" / "stacks" / STACK
        self.stack = STACK

    def client(self, service: str) -> Any:
        return emulator_client(self.emulator, service)

    def environment(self, **extra: str) -> dict[str, str]:
        (self.directory / ".terraform-plugin-cache").mkdir(exist_ok=True)
        env = {
            "HOME": os.environ["HOME"],
            "CDKTF_FARGATE_ENV": "local",
            "CDKTF_FARGATE_CONFIG": str(self.settings),
            "CHECKPOINT_DISABLE": "1",
            "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
            # 0.1 and 0.2 named the emulator and credentials in the provider; now both come from here.
            "AWS_ENDPOINT_URL": self.emulator.endpoint,
            **EMULATOR_CREDENTIALS,
            # Not the CLI's default, ~/.terraform.d/plugin-cache: another run's init may be writing it.
            "TF_PLUGIN_CACHE_DIR": str(self.directory / ".terraform-plugin-cache"),
            **GO_THROUGHPUT,
            **extra,
        }
        return processes.marked(env, self.directory.name)

    def cdktf(self, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
        return run([str(self.directory / "node_modules" / ".bin" / "cdktf"), *args], self.directory, env)

    def terraform(self, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
        return run(["terraform", *args], self.stack_dir, env)


def terraform_cli_config(terraform_env: dict[str, str]) -> dict[str, str]:
    """The provider mirror's CLI config, where this machine needs one (registry.terraform.io is unreachable)."""
    config = terraform_env.get("TF_CLI_CONFIG_FILE")
    return {"TF_CLI_CONFIG_FILE": config} if config else {}


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    with local_aws(tmp_path_factory, "upgrade") as running:
        yield running


@pytest.fixture(scope="module")
def release(emulator, tmp_path_factory, terraform_env) -> Checkout:
    """0.1.0 deployed, run the way 0.1 ran: its own library first on PYTHONPATH, this project's tools."""
    directory = tmp_path_factory.mktemp("release-0.1")
    if git("rev-parse", "--is-shallow-repository").strip() == "true":
        pytest.skip(f"a shallow clone has no {RELEASE_0_1} (0.1.0) to deploy; run in a full clone")
    archive = subprocess.run(["git", "archive", RELEASE_0_1], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(directory)], input=archive, check=True)
    (directory / "node_modules").symlink_to(ROOT / "node_modules")
    checkout = Checkout(directory, emulator)
    env = checkout.environment(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{terraform_env['PATH']}",
        PYTHONPATH=f"{directory / 'constructs'}{os.pathsep}{directory}",
        **terraform_cli_config(terraform_env),
    )
    result = checkout.cdktf(env, "deploy", "--auto-approve", "--skip-provider-lock", "--var", "image_tag=v1")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert checkout.state_file.exists()
    return checkout


@pytest.fixture(scope="module")
def upgrade(release, emulator, tmp_path_factory, terraform_env) -> tuple[Checkout, dict[str, str]]:
    """A fresh clone of this commit, set up by the Makefile as a deploy is, holding the 0.1 state; and its
    plain-shell env."""
    directory = tmp_path_factory.mktemp("upgrade") / "clone"
    git("clone", "--quiet", str(ROOT), str(directory))
    # What the deploy workflow sets up (the app's packages and the cdktf CLI, no development tools).
    setup = run(["make", "setup-deploy"], directory, dict(os.environ), timeout=1200)
    assert setup.returncode == 0, setup.stdout[-4000:] + setup.stderr[-4000:]
    # 0.1 gave tasks internet egress through NAT gateways; an upgrade that keeps it replaces nothing
    # (one that takes the new default removes the NAT gateways: docs/UPGRADE-0.3.md).
    checkout = Checkout(directory, emulator, network={"allow_internet_egress": True})
    shutil.copy(release.state_file, checkout.state_file)
    cli_config = directory / ".terraform-cli" / "config.tfrc"
    env = checkout.environment(
        PATH=PLAIN_PATH, **({"TF_CLI_CONFIG_FILE": str(cli_config)} if cli_config.exists() else {})
    )
    return checkout, env


def planned(checkout: Checkout, env: dict[str, str]) -> list[dict[str, Any]]:
    init = checkout.terraform(env, "init", "-input=false", "-no-color")
    assert init.returncode == 0, init.stdout[-3000:] + init.stderr[-3000:]
    plan = checkout.terraform(
        env, "plan", "-input=false", "-no-color", "-lock=false", "-out=up.plan", "-var=image_tag=v1"
    )
    assert plan.returncode == 0, plan.stdout[-4000:] + plan.stderr[-3000:]
    shown = checkout.terraform(env, "show", "-json", "up.plan")
    return json.loads(shown.stdout)["resource_changes"]


def test_cdktf_synth_runs_from_a_plain_shell(upgrade):
    checkout, env = upgrade
    assert "VIRTUAL_ENV" not in env and ".venv" not in env["PATH"]
    result = checkout.cdktf(env, "synth")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-3000:]
    document = json.loads((checkout.stack_dir / "cdk.tf.json").read_text())
    assert document["moved"] and document["resource"]["aws_ecs_service"]


def test_the_upgrade_plan_replaces_only_the_task_definition_and_moves_the_cluster(upgrade):
    checkout, env = upgrade
    changes = planned(checkout, env)
    destructive = [
        (change["address"].split(".")[0], change["change"]["actions"])
        for change in changes
        if "delete" in change["change"]["actions"]
    ]
    # 0.3 hardens the container (non-root user, no capabilities, init process): a new task
    # definition revision, as every image deploy makes. Nothing else may be replaced.
    assert destructive == [("aws_ecs_task_definition", ["delete", "create"])]
    moved = sorted(
        (change["previous_address"], change["address"]) for change in changes if change.get("previous_address")
    )
    assert [(before.split(".")[0], after.split(".")[0]) for before, after in moved] == [
        ("aws_ecs_cluster", "aws_ecs_cluster"),
        ("aws_ecs_cluster_capacity_providers", "aws_ecs_cluster_capacity_providers"),
    ]
    assert all(before.split(".")[1].startswith("service_cluster") for before, _ in moved)
    record_e2e_figures(upgrade_planned_changes=len([c for c in changes if c["change"]["actions"] != ["no-op"]]))


def test_the_upgrade_deploys_from_a_plain_shell_and_then_plans_nothing(upgrade):
    checkout, env = upgrade
    result = checkout.cdktf(env, "deploy", "--auto-approve", "--skip-provider-lock", "--var", "image_tag=v1")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    changes = planned(checkout, env)
    assert [c["address"] for c in changes if c["change"]["actions"] not in (["no-op"], ["read"])] == []
    state = json.loads(checkout.state_file.read_text())
    addresses = {f"{r['type']}.{r['name']}" for r in state["resources"] if r["mode"] == "managed"}
    assert not any(address.startswith("aws_ecs_cluster.service_cluster") for address in addresses)


def test_destroy_after_the_upgrade_leaves_nothing(upgrade):
    checkout, env = upgrade
    result = checkout.cdktf(env, "destroy", "--auto-approve", "--skip-provider-lock", "--var", "image_tag=v1")
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
    assert active_counts(checkout) == NOTHING  # type: ignore[arg-type]
