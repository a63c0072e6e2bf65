"""The permissions boundary of every role an environment makes."""

from __future__ import annotations

from cdktf_fargate import Secret
from cdktf_fargate.scheduled_job import LOG_DELIVERY_ACTIONS, SYNC_RULE_ACTIONS, TRACING_ACTIONS
from cdktf_fargate.worker_queue import CONSUME_ACTIONS

from ..environments import BootstrapConfig, EnvironmentConfig
from ._vocabulary import (
    ACTIONS_WITHOUT_RESOURCES,
    BOUNDARY_WITHHOLDS,
    POLICY_CHANGING_ACTIONS,
    Arns,
    Statement,
    allow,
    deny,
    log_groups,
    never_another_environment,
)


def boundary_statements(
    config: EnvironmentConfig, bootstrap: BootstrapConfig, *, partition: str, account: str
) -> list[Statement]:
    """The most a role of the environment may do, whatever policy the deploy role gives it: its own images,
    log groups, the secrets its settings name, and `task_role_actions` on its own named resources."""
    arns = Arns(config, partition=partition, account=account)
    prefix, region = arns.prefix, arns.region
    application = [action for action in bootstrap.task_role_actions if action not in ACTIONS_WITHOUT_RESOURCES]
    unbound = [action for action in bootstrap.task_role_actions if action in ACTIONS_WITHOUT_RESOURCES]
    own = [
        f"arn:{partition}:s3:::{prefix}-*",
        f"arn:{partition}:s3:::{prefix}-*/*",
        arns.regional("dynamodb", f"table/{prefix}-*"),
        arns.regional("sqs", f"{prefix}-*"),
        arns.regional("sns", f"{prefix}-*"),
        arns.regional("events", f"event-bus/{prefix}-*"),
        *config.deploy.boundary_resource_arns,
    ]
    secrets = _secret_arns(config)
    statements: list[Statement] = [
        allow(
            "PullOwnImages",
            ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            arns.named("ecr", "-", "repository/"),
        ),
        allow("RegistryLogin", ["ecr:GetAuthorizationToken"], "*"),
        allow(
            "WriteOwnLogs",
            ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            log_groups(config, arns),
        ),
        # The flow-log service finds its group first; AWS names no resource for it.
        allow("FindLogGroups", ["logs:DescribeLogGroups"], "*"),
        allow(
            "ExecSessions",
            [
                "ssmmessages:CreateControlChannel",
                "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel",
                "ssmmessages:OpenDataChannel",
            ],
            "*",
        ),
    ]
    if any(task.telemetry.collector == "otel" for _, task in config.tasks()):
        # The OpenTelemetry collector sends traces with its task's role; X-Ray names no resource for these.
        statements.append(
            allow(
                "SendTraces",
                [
                    "xray:GetSamplingRules",
                    "xray:GetSamplingStatisticSummaries",
                    "xray:GetSamplingTargets",
                    "xray:PutTelemetryRecords",
                    "xray:PutTraceSegments",
                ],
                "*",
            )
        )
    if secrets:
        statements += [
            allow("ReadTheNamedSecrets", ["secretsmanager:GetSecretValue", "ssm:GetParameters"], secrets),
            allow(
                "DecryptThroughSecretServices",
                ["kms:Decrypt"],
                "*",
                {
                    "StringEquals": {
                        "kms:ViaService": [
                            f"{service}.{secret_region}.amazonaws.com"
                            for secret_region in sorted({region} | {s.region or region for s in _secrets(config)})
                            for service in ("secretsmanager", "ssm")
                        ]
                    }
                },
            ),
        ]
    if application:
        statements.append(allow("Application", application, own))
    if unbound:
        statements.append(allow("ApplicationWithoutResources", unbound, "*"))
    # Whether or not the environment has jobs today (a job added later needs no new bootstrap).
    statements += [
        # A job's state machine runs and watches its task; its schedule starts the state machine.
        allow(
            "RunOwnTasks",
            ["ecs:RunTask"],
            [
                arns.regional("ecs", f"task-definition/{prefix}:*"),
                arns.regional("ecs", f"task-definition/{prefix}-*:*"),
            ],
        ),
        allow("WatchOwnTasks", ["ecs:StopTask", "ecs:DescribeTasks"], arns.regional("ecs", f"task/{prefix}/*")),
        allow(
            "TaskEvents",
            list(SYNC_RULE_ACTIONS),
            arns.regional("events", "rule/StepFunctionsGetEventsForECSTaskRule"),
        ),
        allow("StartOwnStateMachines", ["states:StartExecution"], arns.regional("states", f"stateMachine:{prefix}-*")),
        allow(
            "JobLogsAndTraces",
            [action for action in (*LOG_DELIVERY_ACTIONS, *TRACING_ACTIONS) if action not in BOUNDARY_WITHHOLDS],
            "*",
        ),
        # The schedule's input is encrypted with the environment's key (its ARN is known only once the
        # environment's stack makes it, hence its tag), which the schedule's role decrypts.
        allow(
            "ScheduleReadsItsInput",
            ["kms:Decrypt"],
            arns.regional("kms", "key/*"),
            {"StringEquals": {"aws:ResourceTag/Environment": config.environment}},
        ),
        # A worker takes from its own queue, a service or job publishes to the environment's topics; both are
        # encrypted with the environment's key, which SQS and SNS use on the caller's behalf.
        allow("ConsumeOwnQueues", list(CONSUME_ACTIONS), arns.regional("sqs", f"{prefix}-*")),
        allow("PublishToOwnTopics", ["sns:Publish"], arns.regional("sns", f"{prefix}-*")),
        allow(
            "QueuesAndTopicsUseTheKey",
            ["kms:Decrypt", "kms:GenerateDataKey"],
            arns.regional("kms", "key/*"),
            {
                "StringEquals": {
                    "aws:ResourceTag/Environment": config.environment,
                    "kms:ViaService": [f"sqs.{region}.amazonaws.com", f"sns.{region}.amazonaws.com"],
                }
            },
        ),
        allow(
            "PassTaskRoles",
            ["iam:PassRole"],
            [arns.role(f"{prefix}-*-task"), arns.role(f"{prefix}-*-execution")],
            {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
        ),
    ]
    statements += [
        # Every IAM action but passing the environment's task roles to ECS tasks (a job's state machine must).
        {
            "Sid": "NeverIdentity",
            "Effect": "Deny",
            "Action": ["iam:*"],
            "Resource": "*",
            "Condition": {"StringNotEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
        },
        deny("NeverStsOrAccount", ["sts:*", "organizations:*", "account:*"], "*"),
        deny(
            "NeverTheStateBucket",
            ["s3:*"],
            [f"arn:{partition}:s3:::{bootstrap.state_bucket}", f"arn:{partition}:s3:::{bootstrap.state_bucket}/*"],
        ),
        deny("NeverWhoElseMayUseIt", list(POLICY_CHANGING_ACTIONS), "*"),
        _without_not_action(never_another_environment(config.environment)[0]),
    ]
    return statements


def _without_not_action(statement: Statement) -> Statement:
    """The same deny for every action: an environment's roles read nothing of another either."""
    return {**{key: value for key, value in statement.items() if key != "NotAction"}, "Action": "*"}


def _secrets(config: EnvironmentConfig) -> list[Secret]:
    """The secrets and parameters the environment's containers read."""
    return config.secrets()


def _secret_arns(config: EnvironmentConfig) -> list[str]:
    """As IAM names them (`Secret.resource_arn`: no JSON key or version, a partial ARN's suffix matched)."""
    return list(dict.fromkeys(secret.resource_arn for secret in _secrets(config)))
