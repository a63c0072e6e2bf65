"""What the deploy role of one environment may do: exactly what `WebServiceStack` creates.

Every statement is scoped as tightly as the AWS service allows (docs/bootstrap.md lists why each
one is as wide as it is):
- by name, where the environment names what it creates (`<app>-<env>...`): IAM roles, ECR, ECS,
  log groups, the load balancer and its listeners, alarms, the topic, the web ACL, the log bucket,
  the key's alias and the state object;
- by the environment's `Environment` tag (which every resource carries through the provider's
  default tags), where names are AWS's: KMS keys, target groups, certificates, and the deletion
  of EC2 network resources;
- by region only, where neither works: creating EC2 network resources and scaling targets;
- with `services`: state machines and schedules by name, the Cloud Map namespace by tag.
Reads (Describe/List/Get) are allowed on everything: they change nothing and Terraform's refresh needs them.
"""

from __future__ import annotations

from typing import Any

from cdktf_fargate.scheduled_job import LOG_DELIVERY_ACTIONS, SYNC_RULE_ACTIONS, TRACING_ACTIONS

from .environments import BootstrapConfig, EnvironmentConfig

Statement = dict[str, Any]

READ_ACTIONS = [
    "acm:Describe*",
    "acm:List*",
    "application-autoscaling:Describe*",
    "cloudwatch:Describe*",
    "cloudwatch:ListTagsForResource",
    "ec2:Describe*",
    "ecr:DescribeRepositories",
    "ecs:Describe*",
    "ecs:List*",
    "elasticloadbalancing:Describe*",
    "iam:GetPolicy",
    "iam:GetPolicyVersion",
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:ListAttachedRolePolicies",
    "iam:ListInstanceProfilesForRole",
    "iam:ListRolePolicies",
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListResourceTags",
    "logs:Describe*",
    "logs:ListTagsForResource",
    "logs:ListTagsLogGroup",
    "route53:GetChange",
    "route53:GetHostedZone",
    "route53:ListResourceRecordSets",
    "route53:ListTagsForResource",
    "scheduler:GetSchedule",
    "scheduler:ListTagsForResource",
    "servicediscovery:Get*",
    "servicediscovery:List*",
    "sns:GetTopicAttributes",
    "sns:ListTagsForResource",
    "states:Describe*",
    "states:List*",
    "wafv2:Get*",
    "wafv2:List*",
]
EC2_CREATE_ACTIONS = [
    "ec2:AllocateAddress",
    "ec2:AssociateRouteTable",
    "ec2:AttachInternetGateway",
    "ec2:AuthorizeSecurityGroupEgress",
    "ec2:AuthorizeSecurityGroupIngress",
    "ec2:CreateFlowLogs",
    "ec2:CreateInternetGateway",
    "ec2:CreateNatGateway",
    "ec2:CreateRoute",
    "ec2:CreateRouteTable",
    "ec2:CreateSecurityGroup",
    "ec2:CreateSubnet",
    "ec2:CreateVpc",
    "ec2:CreateVpcEndpoint",
    "ec2:ModifyVpcEndpoint",
    "ec2:ModifySecurityGroupRules",
    "ec2:ModifySubnetAttribute",
    "ec2:ModifyVpcAttribute",
    # The default security group arrives untagged with its VPC; Terraform empties it.
    "ec2:RevokeSecurityGroupEgress",
    "ec2:RevokeSecurityGroupIngress",
    "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
    "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
]
EC2_DELETE_ACTIONS = [
    "ec2:DeleteFlowLogs",
    "ec2:DeleteInternetGateway",
    "ec2:DeleteNatGateway",
    "ec2:DeleteRoute",
    "ec2:DeleteRouteTable",
    "ec2:DeleteSecurityGroup",
    "ec2:DeleteSubnet",
    "ec2:DeleteTags",
    "ec2:DeleteVpc",
    "ec2:DeleteVpcEndpoints",
    "ec2:DetachInternetGateway",
    "ec2:DisassociateAddress",
    "ec2:DisassociateRouteTable",
    "ec2:ReleaseAddress",
    "ec2:ReplaceRoute",
    "ec2:ReplaceRouteTableAssociation",
]
# Roles whose boundary the statement checks (`iam:PermissionsBoundary`).
BOUNDED_ROLE_ACTIONS = [
    "iam:AttachRolePolicy",
    "iam:CreateRole",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:PutRolePolicy",
]
OTHER_ROLE_ACTIONS = [
    "iam:DeleteRole",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
]
# Services the environment's roles are passed to: tasks, and a job's state machine and schedule.
PASSED_TO_SERVICES = ["ecs-tasks.amazonaws.com", "states.amazonaws.com", "scheduler.amazonaws.com"]
SERVICE_LINKED_ROLES = [
    "ecs.amazonaws.com",
    "ecs.application-autoscaling.amazonaws.com",
    "elasticloadbalancing.amazonaws.com",
]


def permissions_boundary_arn(config: EnvironmentConfig, *, partition: str, account: str) -> str:
    return f"arn:{partition}:iam::{account}:policy{config.deploy_role_path}{config.permissions_boundary_name}"


def deploy_role_arn(config: EnvironmentConfig, *, partition: str, account: str) -> str:
    return f"arn:{partition}:iam::{account}:role{config.deploy_role_path}{config.deploy_role_name}"


def deploy_policy(config: EnvironmentConfig, *, state_bucket: str, partition: str, account: str) -> dict[str, Any]:
    """The deploy role's policy for ``config``'s environment."""
    prefix = config.resource_name
    region = config.region
    arn = f"arn:{partition}"
    in_region = {"StringEquals": {"aws:RequestedRegion": region}}
    tagged = {"StringEquals": {"aws:ResourceTag/Environment": config.environment}}
    tagging = {"StringEquals": {"aws:RequestTag/Environment": config.environment}}
    state = f"{arn}:s3:::{state_bucket}/{config.state_object_key}"
    roles = f"{arn}:iam::{account}:role/{prefix}-*"
    boundary = permissions_boundary_arn(config, partition=partition, account=account)
    load_balancer = f"{arn}:elasticloadbalancing:{region}:{account}"
    log_group = f"{arn}:logs:{region}:{account}:log-group"
    statements: list[Statement] = [
        _allow("Read", READ_ACTIONS, "*"),
        _allow("StateList", ["s3:ListBucket"], f"{arn}:s3:::{state_bucket}"),
        _allow("StateReadWrite", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], [state, f"{state}.tflock"]),
        _allow("NetworkCreateInRegion", EC2_CREATE_ACTIONS, "*", in_region),
        _allow("NetworkDeleteOwn", EC2_DELETE_ACTIONS, "*", _both(in_region, tagged)),
        # Tags only on resources being created with the environment's tag, or on its own ones.
        _allow(
            "NetworkTagOnCreate",
            ["ec2:CreateTags"],
            "*",
            _both(in_region, tagging, {"Null": {"ec2:CreateAction": "false"}}),
        ),
        _allow("NetworkTagOwn", ["ec2:CreateTags"], "*", _both(in_region, tagged)),
        _allow(
            "LoadBalancerByName",
            ["elasticloadbalancing:*"],
            [
                f"{load_balancer}:loadbalancer/app/{prefix}/*",
                f"{load_balancer}:listener/app/{prefix}/*",
                f"{load_balancer}:listener-rule/app/{prefix}/*",
            ],
        ),
        _allow(
            "TargetGroupsCreateTagged",
            ["elasticloadbalancing:CreateTargetGroup", "elasticloadbalancing:AddTags"],
            f"{load_balancer}:targetgroup/*",
            tagging,
        ),
        _allow("TargetGroupsOwn", ["elasticloadbalancing:*"], f"{load_balancer}:targetgroup/*", tagged),
        _allow(
            "EcsByName",
            ["ecs:*"],
            [
                f"{arn}:ecs:{region}:{account}:cluster/{prefix}",
                f"{arn}:ecs:{region}:{account}:service/{prefix}/*",
                f"{arn}:ecs:{region}:{account}:task-definition/{prefix}*:*",
            ],
        ),
        _allow("EcsTaskDefinitions", ["ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition"], "*", in_region),
        _allow("EcrAuth", ["ecr:GetAuthorizationToken"], "*"),
        _allow(
            "EcrOwnRepositories",
            ["ecr:*"],
            [
                f"{arn}:ecr:{region}:{account}:repository/{prefix}",
                f"{arn}:ecr:{region}:{account}:repository/{prefix}-*",
            ],
        ),
        _allow(
            "RolesWithBoundary", BOUNDED_ROLE_ACTIONS, roles, {"StringEquals": {"iam:PermissionsBoundary": boundary}}
        ),
        _allow("RolesOwn", OTHER_ROLE_ACTIONS, roles),
        _allow(
            "PassRolesToTasks",
            ["iam:PassRole"],
            roles,
            {"StringEquals": {"iam:PassedToService": PASSED_TO_SERVICES if config.services else PASSED_TO_SERVICES[0]}},
        ),
        _allow(
            "PassFlowLogRole",
            ["iam:PassRole"],
            f"{arn}:iam::{account}:role/{prefix}-flow-logs-*",
            {"StringEquals": {"iam:PassedToService": "vpc-flow-logs.amazonaws.com"}},
        ),
        _allow(
            "ServiceLinkedRoles",
            ["iam:CreateServiceLinkedRole"],
            f"{arn}:iam::{account}:role/aws-service-role/*",
            {"StringEquals": {"iam:AWSServiceName": SERVICE_LINKED_ROLES}},
        ),
        _allow(
            "LogGroupsByName",
            ["logs:*"],
            [
                f"{log_group}:/ecs/{prefix}*",
                f"{log_group}:/vpc/{prefix}/*",
                f"{log_group}:aws-waf-logs-{prefix}*",
            ],
        ),
        # WAF logging registers a log delivery, an account-level action.
        _allow(
            "WafLogDelivery",
            ["logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:PutResourcePolicy"],
            "*",
            in_region,
        ),
        _allow(
            "AlarmsByName",
            [
                "cloudwatch:PutMetricAlarm",
                "cloudwatch:DeleteAlarms",
                "cloudwatch:TagResource",
                "cloudwatch:UntagResource",
            ],
            f"{arn}:cloudwatch:{region}:{account}:alarm:{prefix}-*",
        ),
        _allow("ScalingInRegion", ["application-autoscaling:*"], "*", in_region),
        _allow("TopicByName", ["sns:*"], f"{arn}:sns:{region}:{account}:{prefix}-*"),
        _allow(
            "WebAclByName",
            ["wafv2:*"],
            [
                f"{arn}:wafv2:{region}:{account}:regional/webacl/{prefix}/*",
                f"{arn}:wafv2:{region}:{account}:regional/managedruleset/*/*",
                f"{load_balancer}:loadbalancer/app/{prefix}/*",
            ],
        ),
        _allow("LogBucketByName", ["s3:*"], [f"{arn}:s3:::{prefix}-alb-logs-*", f"{arn}:s3:::{prefix}-alb-logs-*/*"]),
        _allow("KeyCreateTagged", ["kms:CreateKey", "kms:TagResource"], "*", _both(in_region, tagging)),
        _allow("KeyOwn", ["kms:*"], f"{arn}:kms:{region}:{account}:key/*", tagged),
        _allow(
            "KeyAliasByName",
            ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"],
            f"{arn}:kms:{region}:{account}:alias/{prefix}",
        ),
        _deny(
            "NeverLoosenTheBoundary",
            [
                "iam:DeleteRolePermissionsBoundary",
                "iam:CreatePolicyVersion",
                "iam:DeletePolicy",
                "iam:DeletePolicyVersion",
                "iam:SetDefaultPolicyVersion",
            ],
            [roles, boundary],
        ),
    ]
    if config.services:
        statements += _services_statements(config, arn=arn, account=account, in_region=in_region)
    if config.domain_name:
        statements += [
            _allow(
                "CertificateCreateTagged",
                ["acm:RequestCertificate", "acm:AddTagsToCertificate"],
                "*",
                _both(in_region, tagging),
            ),
            _allow("CertificateOwn", ["acm:*"], f"{arn}:acm:{region}:{account}:certificate/*", tagged),
            _allow(
                "RecordsInTheZone",
                ["route53:ChangeResourceRecordSets"],
                f"{arn}:route53:::hostedzone/{config.hosted_zone_id}",
            ),
        ]
    return {"Version": "2012-10-17", "Statement": statements}


def _services_statements(config: EnvironmentConfig, *, arn: str, account: str, in_region: Statement) -> list[Statement]:
    """Jobs' state machines and schedules, by name; the Service Connect namespace, by tag (its ARN is an id)."""
    prefix, region = config.resource_name, config.region
    tagged = {"StringEquals": {"aws:ResourceTag/Environment": config.environment}}
    tagging = {"StringEquals": {"aws:RequestTag/Environment": config.environment}}
    return [
        _allow("StateMachinesByName", ["states:*"], f"{arn}:states:{region}:{account}:stateMachine:{prefix}-*"),
        _allow("StateMachineValidation", ["states:ValidateStateMachineDefinition"], "*", in_region),
        _allow("SchedulesByName", ["scheduler:*"], f"{arn}:scheduler:{region}:{account}:schedule/default/{prefix}-*"),
        _allow(
            "NamespaceCreateTagged",
            ["servicediscovery:CreateHttpNamespace", "servicediscovery:TagResource"],
            "*",
            _both(in_region, tagging),
        ),
        _allow("NamespaceOwn", ["servicediscovery:*"], f"{arn}:servicediscovery:{region}:{account}:*", tagged),
    ]


def boundary_statements(
    config: EnvironmentConfig, bootstrap: BootstrapConfig, *, partition: str, account: str
) -> list[Statement]:
    """The most a role of the environment may do, whatever policy the deploy role gives it."""
    arn = f"arn:{partition}"
    statements = [
        _allow(
            "RunTasks",
            [
                "ecr:BatchCheckLayerAvailability",
                "ecr:BatchGetImage",
                "ecr:GetAuthorizationToken",
                "ecr:GetDownloadUrlForLayer",
                "logs:CreateLogStream",
                "logs:DescribeLogStreams",
                "logs:PutLogEvents",
                "ssm:GetParameters",
                "secretsmanager:GetSecretValue",
                "kms:Decrypt",
                "ssmmessages:CreateControlChannel",
                "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel",
                "ssmmessages:OpenDataChannel",
            ],
            "*",
        ),
        _allow("Application", list(bootstrap.task_role_actions), "*"),
        # Every IAM action but passing the environment's roles to ECS tasks (a job's state machine must).
        {
            "Sid": "NeverIdentity",
            "Effect": "Deny",
            "Action": ["iam:*"],
            "Resource": "*",
            "Condition": {"StringNotEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
        },
        _deny("NeverStsOrAccount", ["sts:*", "organizations:*", "account:*"], "*"),
        _deny(
            "NeverTheStateBucket",
            ["s3:*"],
            [f"{arn}:s3:::{bootstrap.state_bucket}", f"{arn}:s3:::{bootstrap.state_bucket}/*"],
        ),
    ]
    if any(declared.kind == "job" for declared in config.services.values()):
        statements[1:1] = [
            # A job's state machine runs and watches its task; its schedule starts the state machine.
            _allow(
                "RunJobs",
                [
                    "ecs:RunTask",
                    "ecs:StopTask",
                    "ecs:DescribeTasks",
                    *SYNC_RULE_ACTIONS,
                    "states:StartExecution",
                    *LOG_DELIVERY_ACTIONS,
                    *TRACING_ACTIONS,
                ],
                "*",
            ),
            _allow(
                "PassTaskRoles",
                ["iam:PassRole"],
                f"{arn}:iam::{account}:role/{config.resource_name}-*",
                {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
            ),
        ]
    return statements


def _allow(sid: str, actions: list[str], resources: str | list[str], condition: Statement | None = None) -> Statement:
    statement: Statement = {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources}
    if condition:
        statement["Condition"] = condition
    return statement


def _deny(sid: str, actions: list[str], resources: str | list[str]) -> Statement:
    return {"Sid": sid, "Effect": "Deny", "Action": actions, "Resource": resources}


def _both(*conditions: Statement) -> Statement:
    """All of the conditions (the keys of one operator merged)."""
    merged: Statement = {}
    for condition in conditions:
        for operator, keys in condition.items():
            merged.setdefault(operator, {}).update(keys)
    return merged
