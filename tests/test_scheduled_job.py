"""ScheduledJob: a task EventBridge Scheduler runs through a Step Functions state machine, with its
timeout, retries and an alarm on failed runs; and the schedule expressions checked at synth."""

from __future__ import annotations

import json
from typing import Any

from cdktf_fargate import Cluster, FargateService, JobOptions, Network, ScheduledJob, ServiceNamespace
from cdktf_fargate.options import schedule_problem

import pytest
from conftest import Synthesized, changed, new_stack, ref

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/report:3f2c1d0"
KEY = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
TOPIC = "arn:aws:sns:us-east-1:123456789012:alarms"


def build(stack, changes: dict[str, Any] | None = None, **wiring: Any) -> ScheduledJob:
    network = Network(stack, "network", name="test")
    cluster = Cluster(stack, "cluster", name="test")
    return ScheduledJob(
        stack,
        "job",
        **{
            "name": "report",
            "cluster": cluster,
            "network": network,
            "image": IMAGE,
            "options": changed(JobOptions(), changes or {}),
            **wiring,
        },
    )


@pytest.fixture(scope="module")
def job() -> Synthesized:
    stack = new_stack()
    build(
        stack,
        {"schedule": "cron(0 3 * * ? *)", "timezone": "Europe/Paris", "timeout_seconds": 900, "retries": 2},
        log_kms_key_arn=KEY,
        alarm_actions=[TOPIC],
    )
    return Synthesized(stack)


def definition(synth: Synthesized) -> dict[str, Any]:
    return json.loads(synth.only("aws_sfn_state_machine")["definition"])


def test_the_schedule_starts_the_state_machine_with_its_own_role(job):
    schedule = job.only("aws_scheduler_schedule")
    machine = job.only("aws_sfn_state_machine")
    role = job.by_path("aws_iam_role", "job/schedule-role")
    assert schedule["schedule_expression"] == "cron(0 3 * * ? *)"
    assert schedule["schedule_expression_timezone"] == "Europe/Paris"
    assert schedule["state"] == "ENABLED"
    assert schedule["flexible_time_window"] == {"mode": "OFF"}
    assert schedule["kms_key_arn"] == KEY
    assert schedule["target"]["arn"] == ref("aws_sfn_state_machine", machine, "arn")
    assert schedule["target"]["role_arn"] == ref("aws_iam_role", role, "arn")
    trust = job.by_path_data("aws_iam_policy_document", "job/schedule-assume-role-policy")
    assert trust["statement"][0]["principals"] == [{"identifiers": ["scheduler.amazonaws.com"], "type": "Service"}]
    statements = job.by_path_data("aws_iam_policy_document", "job/schedule-policy-document")["statement"]
    assert [(s["actions"], s["resources"]) for s in statements] == [
        (["states:StartExecution"], [ref("aws_sfn_state_machine", machine, "arn")]),
        (["kms:Decrypt"], [KEY]),
    ]


def test_one_run_is_one_task_with_the_timeout_and_retries(job):
    run = definition(job)["States"]["Run"]
    task_definition = job.only("aws_ecs_task_definition")
    security_group = job.by_path("aws_security_group", "job/security-group")
    assert run["Resource"].endswith(":states:::ecs:runTask.sync")
    assert run["TimeoutSeconds"] == 900
    assert run["Retry"] == [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 60, "MaxAttempts": 2, "BackoffRate": 2}]
    parameters = run["Parameters"]
    assert parameters["TaskDefinition"] == ref("aws_ecs_task_definition", task_definition, "arn")
    network = parameters["NetworkConfiguration"]["AwsvpcConfiguration"]
    assert network["AssignPublicIp"] == "DISABLED"
    assert network["SecurityGroups"] == [ref("aws_security_group", security_group, "id")]
    private = [
        f"${{aws_subnet.{key}.id}}"
        for key, body in job.resources("aws_subnet").items()
        if body["tags"]["Tier"] == "private"
    ]
    assert len(private) == 2
    assert sorted(network["Subnets"]) == sorted(private)
    assert parameters["CapacityProviderStrategy"] == [{"CapacityProvider": "FARGATE", "Weight": 100, "Base": 0}]


def test_no_retry_block_without_retries():
    stack = new_stack()
    build(stack)
    assert "Retry" not in definition(Synthesized(stack))["States"]["Run"]


def test_the_job_has_no_inbound_rule_and_no_port():
    stack = new_stack()
    build(stack)
    synth = Synthesized(stack)
    assert synth.count("aws_vpc_security_group_ingress_rule") == 1  # the network's endpoints, not the job's
    container = json.loads(synth.only("aws_ecs_task_definition")["container_definitions"])[0]
    assert container["portMappings"] == []


def test_the_state_machine_may_run_only_this_family_on_this_cluster_and_pass_only_its_roles(job):
    statements = {
        s["sid"]: s
        for s in job.by_path_data("aws_iam_policy_document", "job/state-machine-policy-document")["statement"]
    }
    cluster = job.only("aws_ecs_cluster")
    assert statements["RunTheJobsTask"]["actions"] == ["ecs:RunTask"]
    assert statements["RunTheJobsTask"]["resources"][0].endswith(":task-definition/report:*")
    assert statements["RunTheJobsTask"]["condition"] == [
        {"test": "ArnEquals", "values": [ref("aws_ecs_cluster", cluster, "arn")], "variable": "ecs:cluster"}
    ]
    roles = [job.by_path("aws_iam_role", f"job/{name}") for name in ("execution-role", "task-role")]
    assert statements["PassTheTaskRoles"]["resources"] == [ref("aws_iam_role", role, "arn") for role in roles]
    assert statements["PassTheTaskRoles"]["condition"][0]["values"] == ["ecs-tasks.amazonaws.com"]
    wildcard = [sid for sid, s in statements.items() if "*" in s["resources"]]
    assert wildcard == ["Tracing", "ErrorLogDelivery"]
    assert all(action.startswith("xray:") for action in statements["Tracing"]["actions"])
    assert all(action.startswith("logs:") for action in statements["ErrorLogDelivery"]["actions"])


def test_failed_runs_are_logged_with_their_data_and_traced(job):
    machine = job.only("aws_sfn_state_machine")
    log_group = job.by_path("aws_cloudwatch_log_group", "job/log-group")
    assert machine["logging_configuration"] == {
        "level": "ERROR",
        "include_execution_data": True,
        "log_destination": ref("aws_cloudwatch_log_group", log_group, "arn") + ":*",
    }
    assert machine["tracing_configuration"] == {"enabled": True}


def test_failed_runs_raise_an_alarm(job):
    alarm = job.only("aws_cloudwatch_metric_alarm")
    machine = job.only("aws_sfn_state_machine")
    assert (alarm["namespace"], alarm["metric_name"]) == ("AWS/States", "ExecutionsFailed")
    assert alarm["dimensions"] == {"StateMachineArn": ref("aws_sfn_state_machine", machine, "arn")}
    assert alarm["alarm_actions"] == [TOPIC]


def test_a_paused_job_without_alarm():
    stack = new_stack()
    build(stack, {"enabled": False, "alarm_on_failure": False})
    synth = Synthesized(stack)
    assert synth.only("aws_scheduler_schedule")["state"] == "DISABLED"
    assert synth.count("aws_cloudwatch_metric_alarm") == 0


@pytest.mark.parametrize(
    "expression",
    ["rate(1 minute)", "rate(5 minutes)", "rate(1 hour)", "rate(12 hours)", "rate(7 days)", "cron(0 3 * * ? *)",
     "cron(0/15 8-18 ? * MON-FRI *)", "cron(0 12 L * ? 2027)", "at(2027-01-31T23:00:00)"],
)  # fmt: skip
def test_valid_schedule_expressions_pass(expression):
    assert schedule_problem(expression) is None


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("every day", "must be 'rate("),
        ("rate(0 minutes)", "at least 1"),
        ("rate(1 hours)", "write 'rate(1 hour)'"),
        ("rate(2 day)", "'rate(2 days)'"),
        ("cron(0 3 * * *)", "has 6 fields"),
        ("cron(0 3 * * * *)", "exactly one of day-of-month and day-of-week must be '?'"),
        ("cron(0 3 ? * ? *)", "exactly one of"),
        ("cron(x 3 * * ? *)", "minutes field 'x'"),
        ("at(2027-01-31)", "must be 'rate("),
    ],
)
def test_fails_when_a_schedule_expression_is_invalid(expression, message):
    problem = schedule_problem(expression)
    assert problem is not None and message in problem
    with pytest.raises(ValueError, match=r"options\.schedule="):
        build(new_stack(), {"schedule": expression})


def test_fails_when_a_timezone_is_given_to_a_rate_or_every_setting_is_wrong_at_once():
    with pytest.raises(ValueError) as error:
        build(
            new_stack(),
            {"schedule": "rate(1 hours)", "timezone": "Europe/Paris", "timeout_seconds": 10, "retries": 11},
            name="1bad",
        )
    message = str(error.value)
    for fragment in ("name='1bad'", "options.schedule=", "options.timeout_seconds=10", "options.retries=11"):
        assert fragment in message


def test_fails_when_a_rate_schedule_has_a_timezone():
    with pytest.raises(
        ValueError, match=r"options\.timezone='Europe/Paris' is invalid: applies to cron\(\) and at\(\)"
    ):
        build(new_stack(), {"schedule": "rate(1 hour)", "timezone": "Europe/Paris"})


def test_fails_when_a_job_would_be_admitted_as_a_caller_of_a_service():
    stack = new_stack()
    job = build(stack)
    api = FargateService(
        stack,
        "api",
        name="api",
        cluster=Cluster.from_existing(stack, "other-cluster", arn="arn:aws:ecs:us-east-1:123456789012:cluster/x"),
        network=stack.node.find_child("network"),
        alb=None,
        image=IMAGE,
        service_connect_namespace=ServiceNamespace(stack, "namespace", name="test"),
    )
    with pytest.raises(ValueError, match=r"caller=.* is invalid: must be a FargateService \(a scheduled task cannot"):
        api.allow_calls_from(job)  # type: ignore[arg-type]


def test_fails_when_a_job_takes_the_name_of_a_service():
    stack = new_stack()
    job = build(stack)
    with pytest.raises(
        ValueError, match=r"name='report' is invalid: is already the name of the service or job at 'test/job'"
    ):
        FargateService(
            stack,
            "service",
            name="report",
            cluster=Cluster.from_existing(stack, "other", arn="arn:aws:ecs:us-east-1:123456789012:cluster/x"),
            network=job.node.scope.node.find_child("network"),  # type: ignore[union-attr]
            alb=None,
            image=IMAGE,
        )


def test_fails_when_the_image_is_not_an_image_reference():
    with pytest.raises(ValueError, match=r"image='Report Image' is invalid: must be an image reference"):
        build(new_stack(), {"schedule": "rate(1 hour)"}, image="Report Image")


def test_a_job_grants_its_application_a_statement_as_a_service_does():
    stack = new_stack()
    job = build(stack, {"schedule": "rate(1 hour)"})
    job.add_to_task_role_policy(sid="WriteReports", actions=["s3:PutObject"], resources=["arn:aws:s3:::reports/*"])
    synth = Synthesized(stack)
    policy = synth.by_path("aws_iam_role_policy", "job/task-policy-WriteReports")
    assert policy["name"] == "WriteReports"
    assert policy["role"] == ref("aws_iam_role", synth.by_path("aws_iam_role", "job/task-role"), "id")
    (statement,) = synth.by_path_data("aws_iam_policy_document", "job/task-policy-WriteReports-document")["statement"]
    assert (statement["actions"], statement["resources"]) == (["s3:PutObject"], ["arn:aws:s3:::reports/*"])
    with pytest.raises(ValueError, match=r"sid='WriteReports' is invalid: is already used"):
        job.add_to_task_role_policy(sid="WriteReports", actions=["s3:GetObject"], resources=["arn:aws:s3:::r/*"])
    with pytest.raises(ValueError, match=r"actions='s3:Put\*' is invalid: wildcard actions are refused"):
        job.add_to_task_role_policy(sid="Wild", actions=["s3:Put*"], resources=["arn:aws:s3:::r/*"])
