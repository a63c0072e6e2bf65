"""End to end on the local AWS emulator: a deploy cancelled half-way (SIGTERM to the running
`cdktf deploy`, as a CI runner or Ctrl-C sends it) leaves a state that is true, and deploying
again converges to the same result as an uninterrupted deploy, with nothing created twice.

It relies on scripts/terraform_graceful.py (the Makefile's deploy targets use it; so does
`Deployment`), which lets the apply the CLI started finish. Without it, cdktf 0.21's exit takes
Terraform down before it records what it has created. Terraform's own stop on Ctrl-C would also
cancel API calls in flight: in this test's first runs, an Elastic IP was allocated but never
recorded.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest
from e2e_support import ANSI, DEPLOYED_WITH_INTERNET_EGRESS, NOTHING, Deployment, active_counts, local_aws
from side_by_side import record_e2e_figures

pytestmark = pytest.mark.e2e

APP = "cut"
# Resources created before the deploy is cancelled: well into the network, before the service.
CREATED_BEFORE_CANCEL = 20


def terraform_processes(directory: Path) -> list[int]:
    """Terraform processes working in ``directory`` (it runs in its own terminal session, so not
    among the CLI's process group)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if Path(os.readlink(entry / "cwd")) != directory:
                continue
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(Path(part.decode(errors="replace")).name in ("terraform", "terraform_graceful.py") for part in command):
            found.append(int(entry.name))
    return found


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, terraform_env):
    with local_aws(tmp_path_factory, "cut") as emulator:
        # NAT gateways and their addresses: the slowest resources, and the ones a cut apply orphaned.
        yield Deployment(
            tmp_path_factory.mktemp("cut-project"),
            emulator,
            terraform_env,
            app=APP,
            settings={"network.allow_internet_egress": True},
        )


@pytest.fixture(scope="module")
def cancelled(deployment, tmp_path_factory):
    """The CLI's log up to its exit, and how long Terraform went on after the cancel."""
    log = tmp_path_factory.mktemp("cut-logs") / "cancelled.log"
    cli = deployment.start("deploy", "v1", log)
    try:
        deadline = time.monotonic() + 300
        while log.read_text(errors="replace").count("Creation complete") < CREATED_BEFORE_CANCEL:
            assert cli.poll() is None, ANSI.sub("", log.read_text(errors="replace"))[-3000:]
            assert time.monotonic() < deadline, "the deploy never got half-way"
            time.sleep(0.2)
        cli.send_signal(signal.SIGTERM)
        cancelled_at = time.monotonic()
        cli.wait(timeout=60)
        # The CLI is gone; Terraform finishes the apply, records it and unlocks.
        while terraform_processes(deployment.stack_dir):
            assert time.monotonic() - cancelled_at < 600, "terraform did not stop after the cancel"
            time.sleep(0.2)
        finished_after = time.monotonic() - cancelled_at
    finally:
        if cli.poll() is None:
            cli.kill()
    return {"log": ANSI.sub("", log.read_text(errors="replace")), "finished_after": finished_after}


def test_the_cli_was_cancelled_half_way(cancelled):
    assert cancelled["log"].count("Creation complete") >= CREATED_BEFORE_CANCEL
    assert "Apply complete!" not in cancelled["log"]


def test_after_the_cancel_the_state_records_everything_that_exists_and_is_unlocked(deployment, cancelled):
    assert not (deployment.directory / f".terraform.{deployment.stack}.tfstate.lock.info").exists()
    state = json.loads(deployment.state_file.read_text())
    recorded_ids = {
        instance["attributes"].get("id")
        for resource in state["resources"]
        if resource["mode"] == "managed"
        for instance in resource["instances"]
    }
    ec2 = deployment.client("ec2")
    existing = {
        "subnets": {s["SubnetId"] for s in ec2.describe_subnets()["Subnets"] if not s.get("DefaultForAz")},
        "security groups": {
            g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"] if g["GroupName"] != "default"
        },
        "elastic ips": {address["AllocationId"] for address in ec2.describe_addresses()["Addresses"]},
        "nat gateways": {
            nat["NatGatewayId"] for nat in ec2.describe_nat_gateways()["NatGateways"] if nat["State"] != "deleted"
        },
        "route tables": {
            table["RouteTableId"]
            for table in ec2.describe_route_tables()["RouteTables"]
            if not any(association.get("Main") for association in table.get("Associations", []))
        },
    }
    outside_state = {kind: sorted(ids - recorded_ids) for kind, ids in existing.items() if ids - recorded_ids}
    assert outside_state == {}
    assert active_counts(deployment) == DEPLOYED_WITH_INTERNET_EGRESS


def test_deploying_again_converges_with_nothing_created_twice(deployment, cancelled):
    assert deployment.planned_changes("v1") == {}
    result, seconds = deployment.run("deploy", "v1")
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    assert active_counts(deployment) == DEPLOYED_WITH_INTERNET_EGRESS
    assert deployment.planned_changes("v1") == {}
    record_e2e_figures(
        cancelled_deploy_terraform_finished_after_seconds=round(cancelled["finished_after"], 1),
        deploy_after_cancel_seconds=round(seconds, 1),
    )


def test_destroy_after_the_cancelled_deploy_leaves_nothing_behind(deployment, cancelled):
    result, _ = deployment.run("destroy", "v1")
    assert result.returncode == 0, result.stdout[-5000:]
    assert active_counts(deployment) == NOTHING
