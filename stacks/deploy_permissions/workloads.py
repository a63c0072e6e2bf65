"""The deploy role's statements for the cluster, services and jobs, their log groups, alarms and scaling."""

from __future__ import annotations

from ..environments import EnvironmentConfig
from ._vocabulary import ENVIRONMENT_TAG, Arns, Statement, allow, in_region, log_groups, tagged, tagging


def ecs_statements(arns: Arns) -> list[Statement]:
    return [
        allow(
            "EcsByName",
            [
                "ecs:CreateCluster",
                "ecs:UpdateCluster",
                "ecs:PutClusterCapacityProviders",
                "ecs:DeleteCluster",
                "ecs:CreateService",
                "ecs:UpdateService",
                "ecs:DeleteService",
                "ecs:RegisterTaskDefinition",
                "ecs:TagResource",
                "ecs:UntagResource",
            ],
            [
                arns.regional("ecs", f"cluster/{arns.prefix}"),
                arns.regional("ecs", f"service/{arns.prefix}/*"),
                arns.regional("ecs", f"task-definition/{arns.prefix}:*"),
                arns.regional("ecs", f"task-definition/{arns.prefix}-*:*"),
            ],
        ),
        # ECS names no resource for it: it cannot be kept to the environment's task definitions (a
        # deregistered revision keeps running its tasks; docs/bootstrap.md).
        allow("EcsDeregisterTaskDefinitions", ["ecs:DeregisterTaskDefinition"], "*", in_region(arns)),
    ]


def logs_statements(config: EnvironmentConfig, arns: Arns) -> list[Statement]:
    groups = [*log_groups(config, arns)]
    statements = [
        allow(
            "LogGroupsByName",
            [
                "logs:CreateLogGroup",
                "logs:DeleteLogGroup",
                "logs:PutRetentionPolicy",
                "logs:DeleteRetentionPolicy",
                "logs:AssociateKmsKey",
                "logs:DisassociateKmsKey",
                "logs:TagResource",
                "logs:UntagResource",
            ],
            groups,
        )
    ]
    if config.alb.waf.enabled:
        # WAF sets up its log delivery with the caller's permissions; AWS names no resource for these. The
        # log resource policy the delivery needs is the bootstrap's, made once for every environment.
        statements.append(
            allow(
                "WafLogDelivery",
                ["logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:DescribeResourcePolicies"],
                "*",
                in_region(arns),
            )
        )
    return statements


def alarms_and_scaling_statements(config: EnvironmentConfig, arns: Arns) -> list[Statement]:
    environment = config.environment
    scalable = arns.regional("application-autoscaling", "scalable-target/*")
    statements = [
        allow(
            "AlarmsByName",
            [
                "cloudwatch:PutMetricAlarm",
                "cloudwatch:DeleteAlarms",
                "cloudwatch:TagResource",
                "cloudwatch:UntagResource",
            ],
            arns.regional("cloudwatch", f"alarm:{arns.prefix}-*"),
        ),
        # Application Auto Scaling makes and removes a target-tracking policy's alarms as the caller.
        allow(
            "TargetTrackingAlarms",
            ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms"],
            arns.regional("cloudwatch", f"alarm:TargetTracking-service/{arns.prefix}/*"),
        ),
        allow(
            "ScalingCreate",
            ["application-autoscaling:RegisterScalableTarget", "application-autoscaling:TagResource"],
            scalable,
            {"Null": {f"aws:ResourceTag/{ENVIRONMENT_TAG}": "true"}, **tagging(environment)},
        ),
        allow(
            "ScalingOwn",
            [
                "application-autoscaling:RegisterScalableTarget",
                "application-autoscaling:DeregisterScalableTarget",
                "application-autoscaling:PutScalingPolicy",
                "application-autoscaling:DeleteScalingPolicy",
                "application-autoscaling:PutScheduledAction",
                "application-autoscaling:DeleteScheduledAction",
                "application-autoscaling:TagResource",
                "application-autoscaling:UntagResource",
            ],
            scalable,
            tagged(environment),
        ),
    ]
    if config.alarm_email:
        # The alarm topic's e-mail subscription, to that address alone.
        statements.append(
            allow(
                "AlarmEmailSubscription",
                ["sns:Subscribe"],
                arns.regional("sns", f"{arns.prefix}-alarms"),
                {"StringEquals": {"sns:Protocol": "email", "sns:Endpoint": config.alarm_email}},
            )
        )
    return statements


def services_statements(config: EnvironmentConfig, arns: Arns) -> list[Statement]:
    """Jobs' state machines and schedules, workers' queues and the topics (the alarms' and the services') by
    name; the Service Connect namespace by tag (its ARN is an id). Granted to every environment, with jobs,
    backends, workers and topics or not yet: each stays within the environment, and one added later needs no
    new bootstrap."""
    environment = config.environment
    topics = arns.regional("sns", f"{arns.prefix}-*")
    # Topics from elsewhere that workers subscribe to, by ARN (each topic's owner must let the account subscribe).
    external = sorted(
        {s.topic for d in config.services.values() for s in d.queue.subscriptions if s.topic.startswith("arn:")}
    )
    statements = [
        allow(
            "QueuesByName",
            ["sqs:CreateQueue", "sqs:DeleteQueue", "sqs:SetQueueAttributes", "sqs:TagQueue", "sqs:UntagQueue"],
            arns.regional("sqs", f"{arns.prefix}-*"),
        ),
        allow(
            "TopicsByName",
            [
                "sns:CreateTopic",
                "sns:DeleteTopic",
                "sns:SetTopicAttributes",
                "sns:TagResource",
                "sns:UntagResource",
                "sns:Unsubscribe",
                "sns:SetSubscriptionAttributes",
            ],
            topics,
        ),
        # A subscription is authorized on its topic, with what it delivers to: the environment's queues only.
        allow(
            "SubscribeOwnQueues",
            ["sns:Subscribe"],
            [topics, *external],
            {
                "StringEquals": {"sns:Protocol": "sqs"},
                "ArnLike": {"sns:Endpoint": arns.regional("sqs", f"{arns.prefix}-*")},
            },
        ),
        allow(
            "StateMachinesByName",
            [
                "states:CreateStateMachine",
                "states:UpdateStateMachine",
                "states:DeleteStateMachine",
                "states:TagResource",
                "states:UntagResource",
            ],
            arns.regional("states", f"stateMachine:{arns.prefix}-*"),
        ),
        allow("StateMachineValidation", ["states:ValidateStateMachineDefinition"], "*", in_region(arns)),
        allow(
            "SchedulesByName",
            ["scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule"],
            arns.regional("scheduler", f"schedule/default/{arns.prefix}-*"),
        ),
    ]
    # Cloud Map names no resource for creating or tagging: both hold only with the environment's tag in
    # the request. Its TagResource cannot be kept to the environment's namespace (docs/bootstrap.md).
    statements += [
        allow(
            "NamespaceCreate",
            ["servicediscovery:CreateHttpNamespace"],
            "*",
            {**tagging(environment), **in_region(arns)},
        ),
        allow(
            "NamespaceTags",
            ["servicediscovery:TagResource"],
            "*",
            {"StringEqualsIfExists": {f"aws:RequestTag/{ENVIRONMENT_TAG}": environment}, **in_region(arns)},
        ),
        allow(
            "NamespaceOwn",
            [
                "servicediscovery:DeleteNamespace",
                "servicediscovery:UpdateHttpNamespace",
                "servicediscovery:UntagResource",
            ],
            arns.regional("servicediscovery", "namespace/*"),
            {"StringEquals": {f"aws:ResourceTag/{ENVIRONMENT_TAG}": environment}},
        ),
    ]
    return statements
