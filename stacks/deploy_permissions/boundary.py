"""The permissions boundary of every role an environment makes."""

from __future__ import annotations

from cdktf_fargate import Secret
from cdktf_fargate.options.storage import EBS_KEY_ACTIONS
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
            arns.repositories(),
        ),
        allow("WithoutResources", _without_resources(config, unbound), "*"),
        allow(
            "WriteOwnLogs",
            ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            log_groups(config, arns),
        ),
    ]
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
        # The schedule's input is encrypted with the environment's key (its ARN is known only once the
        # environment's stack makes it, hence its tag), which the schedule's role decrypts.
        allow(
            "ScheduleReadsItsInput",
            ["kms:Decrypt"],
            arns.regional("kms", "key/*"),
            {"StringEquals": {"aws:ResourceTag/Environment": config.environment}},
        ),
        # A worker takes from its own queue, a service or job publishes to the environment's topics.
        allow("ConsumeOwnQueues", list(CONSUME_ACTIONS), arns.regional("sqs", f"{prefix}-*")),
        allow("PublishToOwnTopics", ["sns:Publish"], arns.regional("sns", f"{prefix}-*")),
        # A service's infrastructure role makes, attaches and deletes its tasks' EBS volumes.
        *_volume_statements(config, arns),
        allow(
            "PassTaskRoles",
            ["iam:PassRole"],
            [arns.role(f"{prefix}-*-task"), arns.role(f"{prefix}-*-execution")],
            {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
        ),
        allow(
            "PassVolumeRoles",
            ["iam:PassRole"],
            arns.role(f"{prefix}-*-volumes"),
            {"StringEquals": {"iam:PassedToService": "ecs.amazonaws.com"}},
        ),
    ]
    statements += [
        # Every IAM action but passing the environment's task roles to ECS tasks and a job's volume role to ECS
        # (a job's state machine must).
        {
            "Sid": "NeverIdentity",
            "Effect": "Deny",
            "Action": ["iam:*"],
            "Resource": "*",
            "Condition": {"StringNotEquals": {"iam:PassedToService": ["ecs-tasks.amazonaws.com", "ecs.amazonaws.com"]}},
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


def _without_resources(config: EnvironmentConfig, unbound: list[str]) -> list[str]:
    """The actions AWS names no resource for, in one statement (a boundary is one managed policy, 6,144
    characters at most): signing in to ECR; the flow-log service finding its group; ECS Exec's channels;
    `task_role_actions` without resources; a job's log delivery and traces (whether or not it has a job);
    a collector's traces (with telemetry); a service's infrastructure role finding its tasks' volumes."""
    actions = [
        "ecr:GetAuthorizationToken",
        "logs:DescribeLogGroups",
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
        *unbound,
        *(action for action in (*LOG_DELIVERY_ACTIONS, *TRACING_ACTIONS) if action not in BOUNDARY_WITHHOLDS),
        "ec2:DescribeVolumes",
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeInstances",
    ]
    if any(task.telemetry.collector == "otel" for _, task in config.tasks()):
        actions += [
            "xray:GetSamplingRules",
            "xray:GetSamplingStatisticSummaries",
            "xray:GetSamplingTargets",
            "xray:PutTelemetryRecords",
            "xray:PutTraceSegments",
        ]
    return list(dict.fromkeys(actions))


def _volume_statements(config: EnvironmentConfig, arns: Arns) -> list[Statement]:
    """Only roles AWS's managed policy for volumes is attached to make volumes, and only as that policy says (the
    volumes ECS tags as its own): the boundary caps them by resource type, and it has a size limit."""
    ec2 = [arns.regional("ec2", f"{kind}/*") for kind in ("volume", "snapshot", "instance")]
    return [
        allow(
            "TaskVolumes",
            ["ec2:CreateVolume", "ec2:CreateTags", "ec2:AttachVolume", "ec2:DetachVolume", "ec2:DeleteVolume"],
            ec2,
        ),
        # Queues and topics (a worker's, a publisher's) and volumes encrypted with the environment's key, which
        # SQS, SNS and EC2 use on the caller's behalf.
        allow(
            "ServicesUseTheKey",
            sorted({"kms:Decrypt", "kms:GenerateDataKey", *EBS_KEY_ACTIONS}),
            arns.regional("kms", "key/*"),
            {
                "StringEquals": {
                    "aws:ResourceTag/Environment": config.environment,
                    "kms:ViaService": [f"{service}.{arns.region}.amazonaws.com" for service in ("sqs", "sns", "ec2")],
                }
            },
        ),
    ]


def _without_not_action(statement: Statement) -> Statement:
    """The same deny for every action: an environment's roles read nothing of another either."""
    return {**{key: value for key, value in statement.items() if key != "NotAction"}, "Action": "*"}


def _secrets(config: EnvironmentConfig) -> list[Secret]:
    """The secrets and parameters the environment's containers read."""
    return config.secrets()


def _secret_arns(config: EnvironmentConfig) -> list[str]:
    """As IAM names them (`Secret.resource_arn`: no JSON key or version, a partial ARN's suffix matched)."""
    return list(dict.fromkeys(secret.resource_arn for secret in _secrets(config)))
