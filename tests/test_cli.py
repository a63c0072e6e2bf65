"""constructs/cdktf_fargate_cli: the `cdktf-fargate` command's parts that the emulator cannot show (a task
that stops, the hand-over to ECS Exec) and its errors. tests/test_end_to_end_golden_path.py runs the
installed command against a deployed stack on the emulator."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from cdktf_fargate_cli import commands, main
from cdktf_fargate_cli.main import parser, split_at_dashes
from cdktf_fargate_cli.stack import Stack, StackError, Workload, find_stack_dir, load

SERVICE = Workload(
    name="api", service="shop-prod-api", task_definition="arn:td/shop-prod-api:7", log_group="/ecs/shop-prod-api"
)
STACK = Stack(
    name="shop-prod",
    directory=Path("."),
    region="eu-west-1",
    cluster="shop-prod",
    workloads={"api": SERVICE, "nightly": Workload(name="nightly", state_machine="arn:sm")},
    image_tags={"api": "b2", "nightly": "b2"},
)


class FakeEcs:
    def __init__(self, stops_after: int = 2, exit_code: int = 3, exec_enabled: bool = True) -> None:
        self.polls = 0
        self.stops_after = stops_after
        self.exit_code = exit_code
        self.exec_enabled = exec_enabled
        self.run_requests: list[dict] = []

    def describe_services(self, cluster, services):
        return {
            "services": [
                {
                    "serviceName": services[0],
                    "taskDefinition": "arn:td/shop-prod-api:7",
                    "networkConfiguration": {
                        "awsvpcConfiguration": {"subnets": ["subnet-1"], "securityGroups": ["sg-1"]}
                    },
                    "capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}],
                    "enableExecuteCommand": self.exec_enabled,
                }
            ]
        }

    def describe_task_definition(self, taskDefinition):
        return {
            "taskDefinition": {
                "family": "shop-prod-api",
                "containerDefinitions": [{"name": "app", "image": "r/shop-prod-api:b2"}],
            }
        }

    def run_task(self, **request):
        self.run_requests.append(request)
        return {"tasks": [{"taskArn": "arn:task/shop-prod/abc123"}], "failures": []}

    def describe_tasks(self, cluster, tasks):
        self.polls += 1
        if self.polls < self.stops_after:
            return {"tasks": [{"lastStatus": "RUNNING"}]}
        return {"tasks": [{"lastStatus": "STOPPED", "stoppedReason": "Essential container exited",
                           "containers": [{"name": "app", "exitCode": self.exit_code}]}]}  # fmt: skip

    def list_tasks(self, **_):
        return {"taskArns": ["arn:task/shop-prod/running1"]}


def test_run_task_waits_for_the_task_and_returns_its_exit_code():
    ecs, printed = FakeEcs(stops_after=3, exit_code=3), []
    code = commands.run_task(STACK, lambda _: ecs, printed.append, name="api", command=["./migrate", "up"], wait=True,
                             sleep=lambda _: None)  # fmt: skip
    assert code == 3
    assert ecs.polls == 3
    (request,) = ecs.run_requests
    assert request["networkConfiguration"]["awsvpcConfiguration"] == {
        "subnets": ["subnet-1"],
        "securityGroups": ["sg-1"],
    }
    assert request["capacityProviderStrategy"] == [{"capacityProvider": "FARGATE", "weight": 1}]
    assert "launchType" not in request
    assert request["overrides"] == {"containerOverrides": [{"name": "app", "command": ["./migrate", "up"]}]}
    assert printed[-1] == "stopped: Essential container exited; exit code 3"


def test_exec_hands_over_to_the_aws_cli_with_the_running_task():
    handed: list[tuple[str, list[str]]] = []
    commands.exec_into(
        STACK, lambda _: FakeEcs(), lambda _: None, name="api", task=None, command=[],
        which=lambda tool: f"/usr/bin/{tool}", replace_process=lambda binary, args: handed.append((binary, args)),
    )  # fmt: skip
    assert handed == [
        (
            "aws",
            ["aws", "ecs", "execute-command", "--cluster", "shop-prod", "--task", "arn:task/shop-prod/running1",
             "--container", "app", "--interactive", "--command", "/bin/sh", "--region", "eu-west-1"],
        )
    ]  # fmt: skip


def test_fails_when_exec_lacks_the_plugin_or_the_setting():
    with pytest.raises(StackError, match="Session Manager plugin"):
        commands.exec_into(STACK, lambda _: FakeEcs(), print, name="api", task=None, command=[],
                           which=lambda tool: None if tool == "session-manager-plugin" else "/bin/aws")  # fmt: skip
    with pytest.raises(StackError, match=r"set services.api.service.enable_execute_command = true and deploy"):
        commands.exec_into(STACK, lambda _: FakeEcs(exec_enabled=False), print, name="api", task=None, command=[],
                           which=lambda tool: "/bin/x", replace_process=lambda *_: None)  # fmt: skip
    with pytest.raises(StackError, match=r"'nightly' is not one of the services of shop-prod: api"):
        commands.exec_into(STACK, lambda _: FakeEcs(), print, name="nightly", task=None, command=[])


def test_fails_when_since_is_not_a_duration():
    with pytest.raises(StackError, match=r"--since='yesterday' is invalid: a number and s, m, h or d"):
        commands.logs(STACK, lambda _: None, print, name="api", since="yesterday", follow=False)


def test_the_stack_is_read_from_its_outputs(tmp_path):
    (tmp_path / ".terraform").mkdir()
    (tmp_path / "cdk.tf.json").write_text(json.dumps({"provider": {"aws": [{"region": "eu-west-1"}]}}))
    outputs = {
        "cluster_name": "shop-prod", "service_name": "shop-prod", "task_definition_arn": "arn:td/shop-prod:3",
        "log_group_name": "/ecs/shop-prod",
    }  # fmt: skip

    def terraform(directory, args):
        assert list(args) == ["output", "-json"]
        return subprocess.CompletedProcess(args, 0, json.dumps({k: {"value": v} for k, v in outputs.items()}), "")

    stack = load(tmp_path, terraform)
    assert (stack.region, stack.cluster) == ("eu-west-1", "shop-prod")
    # One service answers to `service`, or to no name at all.
    assert stack.workload(None) == stack.workload("service")
    assert stack.workload(None).log_group == "/ecs/shop-prod"


def test_fails_when_the_stack_is_not_synthesized_or_not_deployed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StackError, match=r"synthesize one stack first"):
        find_stack_dir(None)
    with pytest.raises(StackError, match=r"holds no synthesized stack \(cdk.tf.json\): run `cdktf synth` first"):
        find_stack_dir(tmp_path)
    (tmp_path / ".terraform").mkdir()
    (tmp_path / "cdk.tf.json").write_text("{}")
    empty = lambda directory, args: subprocess.CompletedProcess(args, 0, "{}", "")  # noqa: E731
    with pytest.raises(StackError, match=r"is not deployed yet \(its state has no outputs\): deploy it first"):
        load(tmp_path, empty)
    assert main(["--stack-dir", str(tmp_path / "missing"), "status"]) == 2


def test_rollback_names_the_tag_and_keeps_the_other_services_tags(monkeypatch):
    monkeypatch.setenv("CDKTF_FARGATE_CDKTF", "cdktf")
    printed: list[str] = []

    class Registry:
        def describe_images(self, **_):
            return {}

    ecs = FakeEcs()
    ecs.get_paginator = lambda _: type("P", (), {"paginate": lambda self, **__: [{"taskDefinitionArns": []}]})()
    code = commands.rollback(STACK, lambda name: ecs if name == "ecs" else Registry(), printed.append, name="api",
                             to="a1", deploy_args=["--skip-provider-lock"], dry_run=True)  # fmt: skip
    assert code == 0
    assert printed[0] == "api: b2 -> a1"
    assert printed[1] == (
        "$ cdktf deploy shop-prod --auto-approve --skip-provider-lock --var image_tag=a1 "
        '--var image_tags={"api": "a1", "nightly": "b2"}'
    )
    # Without --to and no earlier revision, it says what to do.
    with pytest.raises(StackError, match=r"api: no earlier tag in the task definition's revisions; give --to <tag>"):
        commands.rollback(STACK, lambda name: ecs, printed.append, name="api", to=None, deploy_args=[], dry_run=True)


def test_options_before_the_dashes_are_ours_and_everything_after_is_the_command():
    ours, after = split_at_dashes(["run-task", "api", "--no-wait", "--", "./migrate", "--force", "--", "x"])
    assert after == ["./migrate", "--force", "--", "x"]
    args = parser().parse_args(ours)
    assert (args.verb, args.name, args.no_wait) == ("run-task", "api", True)
    assert split_at_dashes(["status"]) == (["status"], [])


def test_drift_is_a_command_of_its_own_that_reads_no_outputs(tmp_path, monkeypatch, capsys):
    """`cdktf-fargate drift` needs only the synthesized stack (any CDKTF app's) and Terraform: it says where
    the stack is missing and exits 1, never 2 (which means drift)."""
    monkeypatch.chdir(tmp_path)
    assert main(["drift"]) == 1
    assert "cdktf-fargate drift: give --stack-dir" in capsys.readouterr().err
    args = parser().parse_args(["--stack-dir", "out/stacks/app", "drift", "--var", "a=1", "--var", "b=2"])
    assert (args.verb, args.var, args.stack_dir) == ("drift", ["a=1", "b=2"], Path("out/stacks/app"))
    assert "drift" in parser().format_help()
