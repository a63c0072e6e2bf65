"""The words every policy of an environment is written in: ARNs by name, the statements' builders, the
actions read and withheld, and the deny that keeps a role out of other environments."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from ..environments import EnvironmentConfig

Statement = dict[str, Any]
ENVIRONMENT_TAG = "Environment"
# The bootstrap's resources carry this Environment value (the state bucket: its state objects are the deploy's).
BOOTSTRAP_TAG = "bootstrap"

# Reads, named: every one a refresh, a data source or the drift check makes (or UNRECORDED says why).
READ_ACTIONS = (
    "acm:DescribeCertificate",
    "acm:GetCertificate",
    "acm:ListCertificates",
    "acm:ListTagsForCertificate",
    "application-autoscaling:DescribeScalableTargets",
    "application-autoscaling:DescribeScalingPolicies",
    "application-autoscaling:DescribeScheduledActions",
    "application-autoscaling:ListTagsForResource",
    "cloudwatch:DescribeAlarms",
    "cloudwatch:ListTagsForResource",
    "ec2:DescribeAddresses",
    "ec2:DescribeAddressesAttribute",
    "ec2:DescribeAvailabilityZones",
    "ec2:DescribeFlowLogs",
    "ec2:DescribeInternetGateways",
    "ec2:DescribeNatGateways",
    "ec2:DescribeNetworkAcls",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribePrefixLists",
    "ec2:DescribeRouteTables",
    "ec2:DescribeSecurityGroupRules",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcAttribute",
    "ec2:DescribeVpcEndpoints",
    "ec2:DescribeVpcs",
    "ecr:DescribeImages",
    "ecr:DescribeRepositories",
    "ecr:GetLifecyclePolicy",
    "ecr:ListTagsForResource",
    "ecs:DescribeClusters",
    "ecs:DescribeServices",
    "ecs:DescribeTaskDefinition",
    "ecs:ListTagsForResource",
    "elasticloadbalancing:DescribeCapacityReservation",
    "elasticloadbalancing:DescribeListenerAttributes",
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeLoadBalancerAttributes",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeTags",
    "elasticloadbalancing:DescribeTargetGroupAttributes",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTrustStoreAssociations",
    "elasticloadbalancing:DescribeTrustStoreRevocations",
    "elasticloadbalancing:DescribeTrustStores",
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
    "logs:DescribeLogGroups",
    "logs:ListTagsForResource",
    "route53:GetChange",
    "route53:GetHostedZone",
    "route53:ListResourceRecordSets",
    "route53:ListTagsForResource",
    "s3:GetAccelerateConfiguration",
    "s3:GetBucketAcl",
    "s3:GetBucketCORS",
    "s3:GetBucketLogging",
    "s3:GetBucketObjectLockConfiguration",
    "s3:GetBucketOwnershipControls",
    "s3:GetBucketPolicy",
    "s3:GetBucketPublicAccessBlock",
    "s3:GetBucketRequestPayment",
    "s3:GetBucketTagging",
    "s3:GetBucketVersioning",
    "s3:GetBucketWebsite",
    "s3:GetEncryptionConfiguration",
    "s3:GetLifecycleConfiguration",
    "s3:GetReplicationConfiguration",
    "scheduler:GetSchedule",
    "servicediscovery:GetNamespace",
    "servicediscovery:GetOperation",
    "servicediscovery:ListTagsForResource",
    "sns:GetSubscriptionAttributes",
    "sns:GetTopicAttributes",
    "sns:ListSubscriptionsByTopic",
    "sns:ListTagsForResource",
    "sqs:GetQueueAttributes",
    "sqs:ListQueueTags",
    "states:DescribeStateMachine",
    "states:ListStateMachineVersions",
    "states:ListTagsForResource",
    "wafv2:GetLoggingConfiguration",
    "wafv2:GetWebACL",
    "wafv2:GetWebACLForResource",
    "wafv2:ListTagsForResource",
)
# What the constructs grant their roles that the boundary takes away on purpose, and why
# (tests/test_end_to_end_deploy_role.py holds every other grant the stack makes to the boundary).
BOUNDARY_WITHHOLDS = {
    "logs:PutResourcePolicy": "the log resource policy is the account's: the bootstrap's `<app>-log-delivery` "
    "already admits a job's log delivery, and no environment's role may replace it",
}
# What the backstop lets through on another environment's resources: reads (of metadata and tags).
READ_PATTERNS = ("*:Describe*", "*:Get*", "*:List*")
# What copying an image out of a repository takes (the manifest, then each layer it lacks elsewhere).
PULL_ACTIONS = ("ecr:BatchGetImage", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer")
# IAM's limit of a managed policy, in characters without white space, and what a document adds around
# its statements (`{"Version":"2012-10-17","Statement":[]}`).
MANAGED_POLICY_CHARACTERS = 6144
POLICY_ENVELOPE = 40
# Actions an environment's roles may pass to, and the roles' names (`<name>-task`, … from the constructs).
PASSED_ROLES = {
    "ecs-tasks.amazonaws.com": ("-task", "-execution"),
    "states.amazonaws.com": ("-run",),
    "scheduler.amazonaws.com": ("-schedule",),
    # A service's infrastructure role for its tasks' EBS volumes.
    "ecs.amazonaws.com": ("-volumes",),
}
BOUNDARY_GUARDED_ROLE_ACTIONS = ("iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy")
ROLE_ACTIONS = (
    "iam:DeleteRole",
    "iam:TagRole",
    "iam:UntagRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:UpdateRoleDescription",
)
# Resource-less actions a task may be granted (the SAR names no resource for them): the boundary allows
# them on "*" when `task_role_actions` lists them; every other action only on the environment's resources.
ACTIONS_WITHOUT_RESOURCES = frozenset(
    {
        "cloudwatch:PutMetricData",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
    }
)
# What no role of an environment may do through its boundary: change who else may use a resource.
POLICY_CHANGING_ACTIONS = (
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutObjectAcl",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketOwnershipControls",
    "sqs:AddPermission",
    "sqs:RemovePermission",
    "sqs:SetQueueAttributes",
    "sns:AddPermission",
    "sns:RemovePermission",
    "sns:SetTopicAttributes",
    "dynamodb:PutResourcePolicy",
    "dynamodb:DeleteResourcePolicy",
    "events:PutPermission",
    "events:RemovePermission",
)


class Arns:
    """The ARNs of one environment's resources."""

    def __init__(self, config: EnvironmentConfig, *, partition: str, account: str) -> None:
        self.prefix = config.resource_name
        self.region = config.region
        self.partition = partition
        self.account = account
        self.adopted_repositories = config.adopted_repositories()

    def regional(self, service: str, resource: str) -> str:
        return f"arn:{self.partition}:{service}:{self.region}:{self.account}:{resource}"

    def named(self, service: str, separator: str, kind: str) -> list[str]:
        """`<kind><prefix>` and `<kind><prefix><separator>*`: the environment's names, and nobody else's."""
        return [
            self.regional(service, f"{kind}{self.prefix}"),
            self.regional(service, f"{kind}{self.prefix}{separator}*"),
        ]

    def repositories(self) -> list[str]:
        """The environment's image repositories: its own names, and each it adopted by its exact name."""
        adopted = [self.regional("ecr", f"repository/{name}") for name in self.adopted_repositories]
        return self.named("ecr", "-", "repository/") + adopted

    def role(self, name: str) -> str:
        return f"arn:{self.partition}:iam::{self.account}:role/{name}"


def permissions_boundary_arn(config: EnvironmentConfig, *, partition: str, account: str) -> str:
    return f"arn:{partition}:iam::{account}:policy{config.deploy_role_path}{config.permissions_boundary_name}"


def deploy_role_arn(config: EnvironmentConfig, *, partition: str, account: str) -> str:
    return f"arn:{partition}:iam::{account}:role{config.deploy_role_path}{config.deploy_role_name}"


# The tag on each deploy role that says which shape of its environment the bootstrap made it for.
SHAPE_TAG = "DeployPolicyFor"


def policy_characters(value: Any) -> int:
    """Characters IAM counts against a policy's size: its JSON without white space."""
    return len(json.dumps(value, separators=(",", ":")))


def never_another_environment(environment: str, *, promote_from: str = "") -> list[Statement]:
    """Deny any change to a resource that carries another environment's tag; with ``promote_from``, pulling
    images is denied from every other environment but that one."""
    reads = list(READ_PATTERNS)
    statements: list[Statement] = []
    if promote_from:
        reads += PULL_ACTIONS
        statements.append(
            _deny_elsewhere(
                "NeverAnotherEnvironmentsImages", {"Action": list(PULL_ACTIONS)}, [environment, promote_from]
            )
        )
    return [_deny_elsewhere("NeverAnotherEnvironment", {"NotAction": reads}, [environment]), *statements]


def _deny_elsewhere(sid: str, actions: Statement, environments: list[str]) -> Statement:
    return {
        "Sid": sid,
        "Effect": "Deny",
        **actions,
        "Resource": "*",
        "Condition": {
            "Null": {f"aws:ResourceTag/{ENVIRONMENT_TAG}": "false"},
            "StringNotEquals": {f"aws:ResourceTag/{ENVIRONMENT_TAG}": [*environments, BOOTSTRAP_TAG]},
        },
    }


def tagging(environment: str) -> Statement:
    return {"StringEquals": {f"aws:RequestTag/{ENVIRONMENT_TAG}": environment}}


def tagged(environment: str) -> Statement:
    """On the environment's own resources, and never moving one to another environment."""
    return {
        "StringEquals": {f"aws:ResourceTag/{ENVIRONMENT_TAG}": environment},
        "StringEqualsIfExists": {f"aws:RequestTag/{ENVIRONMENT_TAG}": environment},
    }


def created_by(key: str, actions: Sequence[str], environment: str) -> Statement:
    return {"StringEquals": {key: list(actions), f"aws:RequestTag/{ENVIRONMENT_TAG}": environment}}


def log_groups(
    config: EnvironmentConfig, arns: Arns | None = None, *, partition: str = "aws", account: str = "*"
) -> list[str]:
    """The environment's log group ARNs, in both forms AWS authorizes (with and without `:*`)."""
    arns = arns or Arns(config, partition=partition, account=account)
    found = []
    for name in log_group_names(arns.prefix, config.adopted_log_groups()):
        found.append(arns.regional("logs", f"log-group:{name}"))
        if not name.endswith("*"):
            found.append(arns.regional("logs", f"log-group:{name}:*"))
    return found


def log_group_names(prefix: str, adopted: Sequence[str] = ()) -> list[str]:
    """The names of an environment's log groups (`*` matches): its services' (and their collectors' metrics
    groups, `/ecs/<service>/metrics`), its VPC's, its web ACL's, and each it adopted by its exact name."""
    own = [f"/ecs/{prefix}", f"/ecs/{prefix}/*", f"/ecs/{prefix}-*", f"/vpc/{prefix}/*", f"aws-waf-logs-{prefix}"]
    return own + list(adopted)


def in_region(arns: Arns) -> Statement:
    return {"StringEquals": {"aws:RequestedRegion": arns.region}}


def allow(
    sid: str, actions: Iterable[str], resources: str | list[str], condition: Statement | None = None
) -> Statement:
    statement: Statement = {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": resources}
    if condition:
        statement["Condition"] = condition
    return statement


def deny(sid: str, actions: list[str], resources: str | list[str]) -> Statement:
    return {"Sid": sid, "Effect": "Deny", "Action": actions, "Resource": resources}
