"""What an environment's deploy role and drift role may do: exactly what deploying `WebServiceStack` calls,
and nothing that reaches another environment (docs/bootstrap.md#what-a-deploy-role-can-do).

How each grant is contained, the strictest way its AWS service allows:
- by name, `<app>-<env>` or `<app>-<env>-…` (never a bare prefix: `dev` must not reach `devtest`): IAM
  roles, ECR, ECS, log groups, the load balancer with its listeners and rules, alarms, the topic, the web
  ACL, the access-log bucket, the key's alias, state machines, schedules and the state object;
- by the `Environment` tag, where AWS names the resource by an id: EC2 network resources, target groups,
  KMS keys, scalable targets, certificates and the Cloud Map namespace. Creating one requires the tag in
  the request (`aws:RequestTag`); changing or tagging one requires it on the resource
  (`aws:ResourceTag`); tags on create are allowed only inside the creating call where AWS says which
  call it is (`ec2:CreateAction`, `elasticloadbalancing:CreateAction`, `ecs:CreateAction`);
- `NeverAnotherEnvironment` denies every change to a resource tagged with another environment, whatever
  any other statement allows.

Every action is named (no service wildcard): each is used by a recorded deploy, update, re-plan, destroy
or drift check (tests/test_end_to_end_deploy_role.py evaluates them), or is listed in UNRECORDED with
the setting that needs it. Reads are allowed on every resource: they change nothing, and Terraform's
refresh and data sources make them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Sequence
from typing import Any

from cdktf_fargate import Secret
from cdktf_fargate.network import flow_log_role_name_prefix
from cdktf_fargate.scheduled_job import LOG_DELIVERY_ACTIONS, SYNC_RULE_ACTIONS, TRACING_ACTIONS

from .environments import BootstrapConfig, EnvironmentConfig

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
    "sns:ListTagsForResource",
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
# Granted, though no recorded run uses them, and why (tests/test_end_to_end_deploy_role.py holds every
# other grant to the recordings). The recorded environments: `local` with its three services, and one
# service with internet egress through NAT, a certificate found by domain and an alarm e-mail.
UNRECORDED = {
    "ec2:DescribeAvailabilityZones": "zones not pinned (`network.availability_zones` empty) are looked up",
    "ec2:ModifySubnetAttribute": "changing a subnet's settings in place",
    "ec2:ReplaceRoute": "a NAT gateway replaced under an existing default route",
    "ec2:UpdateSecurityGroupRuleDescriptionsEgress": "a changed rule description is updated in place",
    "ec2:UpdateSecurityGroupRuleDescriptionsIngress": "a changed rule description is updated in place",
    "ec2:DeleteTags": "a tag removed from the settings (`tags`) is removed from the resources",
    "ecr:DescribeImages": "`verify_image_exists`: the plan checks the image tag is in the repository",
    "ecr:PutImageScanningConfiguration": "`repository.scan_on_push` changed",
    "ecr:PutImageTagMutability": "`repository.image_tag_mutability` changed",
    "ecr:UntagResource": "a tag removed from the settings",
    "ecr:BatchCheckLayerAvailability": "the deploy workflow pushes the image (docker push)",
    "ecr:InitiateLayerUpload": "the deploy workflow pushes the image (docker push)",
    "ecr:UploadLayerPart": "the deploy workflow pushes the image (docker push)",
    "ecr:CompleteLayerUpload": "the deploy workflow pushes the image (docker push)",
    "ecr:PutImage": "the deploy workflow pushes the image (docker push)",
    "ecr:BatchGetImage": "the deploy workflow's push checks the layers it already has",
    "ecr:GetAuthorizationToken": "the deploy workflow logs in to the registry (docker login)",
    "ecs:UpdateCluster": "`cluster.container_insights` changed",
    "ecs:UntagResource": "a tag removed from the settings",
    "elasticloadbalancing:ModifyListener": "a changed certificate, TLS policy or default action",
    "elasticloadbalancing:ModifyRule": "a changed route (`service.routing`)",
    "elasticloadbalancing:SetRulePriorities": "a changed route priority",
    "elasticloadbalancing:ModifyTargetGroup": "a changed health check",
    "elasticloadbalancing:SetSecurityGroups": "the load balancer's security group replaced",
    "elasticloadbalancing:SetSubnets": "subnets added or replaced",
    "elasticloadbalancing:RemoveTags": "a tag removed from the settings",
    "iam:UpdateAssumeRolePolicy": "a role's trust policy changed in a new release",
    "iam:UpdateRoleDescription": "a role's description changed in a new release",
    "iam:UntagRole": "a tag removed from the settings",
    "kms:PutKeyPolicy": "the key policy changed (`deploy.key_admin_arns`, a new release)",
    "kms:UpdateKeyDescription": "the key's description changed",
    "kms:UpdateAlias": "the alias moved to a replaced key",
    "kms:UntagResource": "a tag removed from the settings",
    "kms:RetireGrant": "ECR retires its grant on the key when a repository is deleted",
    "logs:AssociateKmsKey": "`kms_enabled` turned on for existing log groups",
    "logs:DisassociateKmsKey": "`kms_enabled` turned off",
    "logs:DeleteRetentionPolicy": "a retention set to 0 (never expire)",
    "logs:UntagResource": "a tag removed from the settings",
    "cloudwatch:UntagResource": "a tag removed from the settings",
    "sns:UntagResource": "a tag removed from the settings",
    "states:UntagResource": "a tag removed from the settings",
    "wafv2:UpdateWebACL": "changed rules or rate limit",
    "wafv2:UntagResource": "a tag removed from the settings",
    "application-autoscaling:UntagResource": "a tag removed from the settings",
    "servicediscovery:UntagResource": "a tag removed from the settings",
    "servicediscovery:UpdateHttpNamespace": "the namespace's description changed",
    "scheduler:UpdateSchedule": "a changed schedule, timeout or retries",
    "s3:ListBucketVersions": "`alb.access_logs.force_destroy`: destroy empties a bucket holding logs (the "
    "emulator's load balancer writes none)",
    "s3:DeleteObject": "`alb.access_logs.force_destroy`: destroy empties a bucket holding logs",
    "s3:DeleteObjectVersion": "`alb.access_logs.force_destroy`: destroy empties a bucket holding logs",
    "ec2:ModifyVpcEndpoint": "an endpoint's subnets or security group replaced",
    "application-autoscaling:RegisterScalableTarget": "`scaling.min_count` or `max_count` changed on a target "
    "(creating one is recorded)",
    "route53:ChangeResourceRecordSets": "`domain_name`: the alias record and the certificate's validation records",
    "acm:RequestCertificate": "`domain_name`: the certificate is requested and validated by DNS",
    "acm:AddTagsToCertificate": "`domain_name`: the requested certificate is tagged",
    "acm:DeleteCertificate": "`domain_name`: the replaced certificate is deleted",
    "acm:RemoveTagsFromCertificate": "a tag removed from the settings",
    "route53:GetChange": "`domain_name`: waits for the record changes",
    "route53:GetHostedZone": "`domain_name`",
    "route53:ListResourceRecordSets": "`domain_name`",
    "route53:ListTagsForResource": "`domain_name`",
}
# IAM's limit of a managed policy, in characters without white space, and what a document adds around
# its statements (`{"Version":"2012-10-17","Statement":[]}`).
MANAGED_POLICY_CHARACTERS = 6144
POLICY_ENVELOPE = 40
# Actions an environment's roles may pass to, and the roles' names (`<name>-task`, … from the constructs).
PASSED_ROLES = {
    "ecs-tasks.amazonaws.com": ("-task", "-execution"),
    "states.amazonaws.com": ("-run",),
    "scheduler.amazonaws.com": ("-schedule",),
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
# The account-wide resources every environment shares, which the bootstrap makes once (bootstrap_stack.py).
SERVICE_LINKED_ROLES = (
    "ecs.amazonaws.com",
    "ecs.application-autoscaling.amazonaws.com",
    "elasticloadbalancing.amazonaws.com",
)


class _Arns:
    """The ARNs of one environment's resources."""

    def __init__(self, config: EnvironmentConfig, *, partition: str, account: str) -> None:
        self.prefix = config.resource_name
        self.region = config.region
        self.partition = partition
        self.account = account

    def regional(self, service: str, resource: str) -> str:
        return f"arn:{self.partition}:{service}:{self.region}:{self.account}:{resource}"

    def named(self, service: str, separator: str, kind: str) -> list[str]:
        """`<kind><prefix>` and `<kind><prefix><separator>*`: the environment's names, and nobody else's."""
        return [
            self.regional(service, f"{kind}{self.prefix}"),
            self.regional(service, f"{kind}{self.prefix}{separator}*"),
        ]

    def role(self, name: str) -> str:
        return f"arn:{self.partition}:iam::{self.account}:role/{name}"


def permissions_boundary_arn(config: EnvironmentConfig, *, partition: str, account: str) -> str:
    return f"arn:{partition}:iam::{account}:policy{config.deploy_role_path}{config.permissions_boundary_name}"


def deploy_role_arn(config: EnvironmentConfig, *, partition: str, account: str) -> str:
    return f"arn:{partition}:iam::{account}:role{config.deploy_role_path}{config.deploy_role_name}"


def deploy_policy(config: EnvironmentConfig, *, state_bucket: str, partition: str, account: str) -> dict[str, Any]:
    """The deploy role's policy for ``config``'s environment."""
    arns = _Arns(config, partition=partition, account=account)
    state = f"arn:{partition}:s3:::{state_bucket}/{config.state_object_key}"
    statements: list[Statement] = [
        _allow("Read", READ_ACTIONS, "*"),
        _allow("StateList", ["s3:ListBucket"], f"arn:{partition}:s3:::{state_bucket}"),
        _allow("StateReadWrite", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], [state, f"{state}.tflock"]),
        *_network(config, arns),
        *_load_balancer(config, arns),
        *_ecs(arns),
        *_repositories(config, arns),
        *_roles(config, arns),
        *_logs(config, arns),
        *_alarms_and_scaling(config, arns),
    ]
    if config.alb.waf.enabled:
        statements += _web_acl(arns)
    if config.alb.access_logs.enabled and not config.alb.access_logs.bucket_name:
        statements += _log_bucket(config, arns)
    if config.kms_enabled:
        statements += _key(config, arns)
    # Whether or not the environment has jobs or backends today: adding one reaches it through CI alone.
    statements += _services(config, arns)
    if config.domain_name:
        statements += _domain(config, arns)
    if config.promote_from:
        statements += _promotion(config, arns)
    statements += [
        _deny(
            "NeverLoosenTheBoundary",
            [
                "iam:DeleteRolePermissionsBoundary",
                "iam:CreatePolicyVersion",
                "iam:DeletePolicy",
                "iam:DeletePolicyVersion",
                "iam:SetDefaultPolicyVersion",
            ],
            [arns.role(f"{arns.prefix}-*"), permissions_boundary_arn(config, partition=partition, account=account)],
        ),
        *never_another_environment(config.environment, promote_from=config.promote_from),
    ]
    return {"Version": "2012-10-17", "Statement": statements}


def deploy_policies(
    config: EnvironmentConfig, *, state_bucket: str, partition: str, account: str
) -> list[dict[str, Any]]:
    """The deploy policy as managed policies IAM accepts: each at most MANAGED_POLICY_CHARACTERS long
    whatever the partition and account (measured with the longest), statements kept in order."""
    statements = deploy_policy(config, state_bucket=state_bucket, partition=partition, account=account)["Statement"]
    longest = deploy_policy(config, state_bucket=state_bucket, partition="aws-us-gov", account="1" * 12)["Statement"]
    documents: list[list[Statement]] = [[]]
    used = POLICY_ENVELOPE
    for statement, measured in zip(statements, longest, strict=True):
        size = policy_characters(measured) + 1
        if documents[-1] and used + size > MANAGED_POLICY_CHARACTERS:
            documents.append([])
            used = POLICY_ENVELOPE
        documents[-1].append(statement)
        used += size
    return [{"Version": "2012-10-17", "Statement": document} for document in documents]


# The tag on each deploy role that says which shape of its environment the bootstrap made it for.
SHAPE_TAG = "DeployPolicyFor"


def deploy_role_fingerprint(config: EnvironmentConfig, bootstrap: BootstrapConfig) -> str:
    """What the deploy role's policies and the environment's boundary are made of, in 16 characters: the
    bootstrap tags the role with it, and the environment's plans compare (any account, any partition)."""
    where = {"partition": "aws", "account": "000000000000"}
    made = {
        "deploy": deploy_policies(config, state_bucket=bootstrap.state_bucket, **where),
        "boundary": boundary_statements(config, bootstrap, **where),
    }
    return hashlib.sha256(json.dumps(made, sort_keys=True).encode()).hexdigest()[:16]


def policy_characters(value: Any) -> int:
    """Characters IAM counts against a policy's size: its JSON without white space."""
    return len(json.dumps(value, separators=(",", ":")))


def drift_policy(config: EnvironmentConfig, *, state_bucket: str, partition: str, account: str) -> dict[str, Any]:
    """The drift role's: read the environment's state and everything a refresh-only plan reads."""
    state = f"arn:{partition}:s3:::{state_bucket}/{config.state_object_key}"
    statements = [
        _allow("Read", READ_ACTIONS, "*"),
        _allow("StateList", ["s3:ListBucket"], f"arn:{partition}:s3:::{state_bucket}"),
        _allow("StateRead", ["s3:GetObject"], state),
    ]
    if config.alb.access_logs.enabled and not config.alb.access_logs.bucket_name:
        # The refresh asks whether the bucket is there (HeadBucket), which S3 authorizes as listing it.
        statements.append(_allow("LogBucketExists", ["s3:ListBucket"], _log_bucket_arn(config, partition)))
    return {"Version": "2012-10-17", "Statement": statements}


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


def _promotion(config: EnvironmentConfig, arns: _Arns) -> list[Statement]:
    """Reading the source environment's images, by its names and its tag, to copy them (docs/deploying.md#promotion)."""
    source = dataclasses.replace(config, environment=config.promote_from)
    return [
        _allow(
            "PromoteFromItsSource",
            list(PULL_ACTIONS),
            _Arns(source, partition=arns.partition, account=arns.account).named("ecr", "-", "repository/"),
            {"StringEquals": {f"aws:ResourceTag/{ENVIRONMENT_TAG}": config.promote_from}},
        )
    ]


def _tagging(environment: str) -> Statement:
    return {"StringEquals": {f"aws:RequestTag/{ENVIRONMENT_TAG}": environment}}


def _tagged(environment: str) -> Statement:
    """On the environment's own resources, and never moving one to another environment."""
    return {
        "StringEquals": {f"aws:ResourceTag/{ENVIRONMENT_TAG}": environment},
        "StringEqualsIfExists": {f"aws:RequestTag/{ENVIRONMENT_TAG}": environment},
    }


def _created_by(key: str, actions: Sequence[str], environment: str) -> Statement:
    return {"StringEquals": {key: list(actions), f"aws:RequestTag/{ENVIRONMENT_TAG}": environment}}


def _network(config: EnvironmentConfig, arns: _Arns) -> list[Statement]:
    """EC2: new resources tagged with the environment, existing ones only when they carry its tag."""
    environment = config.environment

    def ec2(kind: str) -> str:
        return arns.regional("ec2", f"{kind}/*")

    uses_nat = not config.vpc_id and config.network.allow_internet_egress
    uses_endpoints = not config.vpc_id and not config.network.allow_internet_egress
    flow_logs = not config.vpc_id and config.network.flow_logs.enabled
    rules = ["ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress"]
    # Each statement names only resource types that its actions create, never one they act on.
    in_vpc = ["ec2:CreateSecurityGroup"]
    in_vpc_types = ["security-group"]
    attached: list[str] = rules[:]
    attached_types = ["security-group-rule"]
    existing = [
        *rules,
        "ec2:CreateSecurityGroup",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupEgress",
        "ec2:UpdateSecurityGroupRuleDescriptionsIngress",
        "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
        "ec2:DeleteSecurityGroup",
        "ec2:CreateTags",
        "ec2:DeleteTags",
    ]
    created: list[str] = []
    statements: list[Statement] = []
    if not config.vpc_id:
        statements.append(_allow("NetworkCreateVpc", ["ec2:CreateVpc"], ec2("vpc"), _tagging(environment)))
        in_vpc += ["ec2:CreateSubnet", "ec2:CreateRouteTable", "ec2:CreateInternetGateway"]
        in_vpc_types += ["subnet", "route-table", "internet-gateway"]
        existing += [
            "ec2:CreateSubnet",
            "ec2:CreateRouteTable",
            "ec2:ModifyVpcAttribute",
            "ec2:ModifySubnetAttribute",
            "ec2:AttachInternetGateway",
            "ec2:DetachInternetGateway",
            "ec2:CreateRoute",
            "ec2:ReplaceRoute",
            "ec2:DeleteRoute",
            "ec2:AssociateRouteTable",
            "ec2:DisassociateRouteTable",
            "ec2:DeleteRouteTable",
            "ec2:DeleteInternetGateway",
            "ec2:DeleteSubnet",
            "ec2:DeleteVpc",
        ]
        created += ["CreateVpc", "CreateSubnet", "CreateRouteTable", "CreateInternetGateway"]
    if uses_nat:
        in_vpc += ["ec2:AllocateAddress"]
        in_vpc_types += ["elastic-ip"]
        attached += ["ec2:CreateNatGateway"]
        attached_types += ["natgateway"]
        existing += ["ec2:CreateNatGateway", "ec2:DeleteNatGateway", "ec2:DisassociateAddress", "ec2:ReleaseAddress"]
        created += ["AllocateAddress", "CreateNatGateway"]
    if uses_endpoints:
        attached += ["ec2:CreateVpcEndpoint"]
        attached_types += ["vpc-endpoint"]
        existing += ["ec2:CreateVpcEndpoint", "ec2:ModifyVpcEndpoint", "ec2:DeleteVpcEndpoints"]
        created += ["CreateVpcEndpoint"]
    if flow_logs:
        in_vpc += ["ec2:CreateFlowLogs"]
        in_vpc_types += ["vpc-flow-log"]
        existing += ["ec2:CreateFlowLogs", "ec2:DeleteFlowLogs"]
        created += ["CreateFlowLogs"]
    created += ["CreateSecurityGroup", *(rule.split(":")[1] for rule in rules)]
    statements += [
        _allow("NetworkCreate", in_vpc, [ec2(kind) for kind in in_vpc_types], _tagging(environment)),
        _allow("NetworkCreateAttached", attached, [ec2(kind) for kind in attached_types], _tagging(environment)),
        _allow("NetworkOwn", sorted(set(existing)), "*", _tagged(environment)),
        _allow(
            "NetworkTagOnCreate",
            ["ec2:CreateTags"],
            "*",
            _created_by("ec2:CreateAction", sorted(created), environment),
        ),
    ]
    if config.vpc_id:
        # A VPC brought in is not the environment's: its groups go there, by its exact ARN.
        vpc = arns.regional("ec2", f"vpc/{config.vpc_id}")
        statements.append(_allow("NetworkInTheGivenVpc", ["ec2:CreateSecurityGroup"], vpc))
    elif config.network.restrict_default_security_group:
        # AWS makes a VPC's default group untagged, and IAM has no key that tells it from another untagged
        # group: any group without an Environment tag may be tagged with this one (docs/bootstrap.md).
        statements.append(
            _allow(
                "NetworkClaimDefaultGroup",
                ["ec2:CreateTags"],
                ec2("security-group"),
                {"Null": {f"aws:ResourceTag/{ENVIRONMENT_TAG}": "true"}, **_tagging(environment)},
            )
        )
    return statements


def _load_balancer(config: EnvironmentConfig, arns: _Arns) -> list[Statement]:
    environment = config.environment

    def lb(kind: str) -> str:
        return arns.regional("elasticloadbalancing", f"{kind}/app/{arns.prefix}/*")

    balancer, listeners, rules = lb("loadbalancer"), lb("listener"), lb("listener-rule")
    target_groups = arns.regional("elasticloadbalancing", "targetgroup/*")
    return [
        _allow(
            "LoadBalancerByName",
            [
                "elasticloadbalancing:CreateLoadBalancer",
                "elasticloadbalancing:DeleteLoadBalancer",
                "elasticloadbalancing:ModifyLoadBalancerAttributes",
                "elasticloadbalancing:SetSecurityGroups",
                "elasticloadbalancing:SetSubnets",
                "elasticloadbalancing:CreateListener",
                "elasticloadbalancing:AddTags",
                "elasticloadbalancing:RemoveTags",
            ],
            balancer,
        ),
        _allow(
            "ListenersByName",
            [
                "elasticloadbalancing:CreateRule",
                "elasticloadbalancing:ModifyListener",
                "elasticloadbalancing:DeleteListener",
                "elasticloadbalancing:AddTags",
                "elasticloadbalancing:RemoveTags",
            ],
            listeners,
        ),
        _allow(
            "RulesByName",
            [
                "elasticloadbalancing:ModifyRule",
                "elasticloadbalancing:DeleteRule",
                "elasticloadbalancing:SetRulePriorities",
                "elasticloadbalancing:AddTags",
                "elasticloadbalancing:RemoveTags",
            ],
            rules,
        ),
        _allow("TargetGroupsCreate", ["elasticloadbalancing:CreateTargetGroup"], target_groups, _tagging(environment)),
        _allow(
            "TargetGroupsTagOnCreate",
            ["elasticloadbalancing:AddTags"],
            target_groups,
            _created_by("elasticloadbalancing:CreateAction", ["CreateTargetGroup"], environment),
        ),
        _allow(
            "TargetGroupsOwn",
            [
                "elasticloadbalancing:ModifyTargetGroup",
                "elasticloadbalancing:ModifyTargetGroupAttributes",
                "elasticloadbalancing:DeleteTargetGroup",
                "elasticloadbalancing:AddTags",
                "elasticloadbalancing:RemoveTags",
            ],
            target_groups,
            _tagged(environment),
        ),
    ]


def _ecs(arns: _Arns) -> list[Statement]:
    return [
        _allow(
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
        _allow("EcsDeregisterTaskDefinitions", ["ecs:DeregisterTaskDefinition"], "*", _in_region(arns)),
    ]


def _repositories(config: EnvironmentConfig, arns: _Arns) -> list[Statement]:
    statements = [
        _allow("EcrAuth", ["ecr:GetAuthorizationToken"], "*"),
        _allow(
            "EcrByName",
            [
                "ecr:CreateRepository",
                "ecr:DeleteRepository",
                "ecr:PutLifecyclePolicy",
                "ecr:DeleteLifecyclePolicy",
                "ecr:PutImageScanningConfiguration",
                "ecr:PutImageTagMutability",
                "ecr:TagResource",
                "ecr:UntagResource",
                "ecr:BatchCheckLayerAvailability",
                "ecr:InitiateLayerUpload",
                "ecr:UploadLayerPart",
                "ecr:CompleteLayerUpload",
                "ecr:PutImage",
                "ecr:BatchGetImage",
            ],
            arns.named("ecr", "-", "repository/"),
        ),
    ]
    if config.kms_enabled:
        # ECR uses the environment's key with the caller's credentials when it makes or removes a repository.
        statements.append(
            _allow(
                "EcrUsesTheKey",
                ["kms:DescribeKey", "kms:CreateGrant", "kms:RetireGrant"],
                arns.regional("kms", "key/*"),
                {
                    "StringEquals": {
                        f"aws:ResourceTag/{ENVIRONMENT_TAG}": config.environment,
                        "kms:ViaService": f"ecr.{arns.region}.amazonaws.com",
                    }
                },
            )
        )
    return statements


def _roles(config: EnvironmentConfig, arns: _Arns) -> list[Statement]:
    boundary = permissions_boundary_arn(config, partition=arns.partition, account=arns.account)
    roles = arns.role(f"{arns.prefix}-*")
    passes = []
    for service, suffixes in PASSED_ROLES.items():
        resources = [arns.role(f"{arns.prefix}{suffix}") for suffix in suffixes]
        resources += [arns.role(f"{arns.prefix}-*{suffix}") for suffix in suffixes]
        sid = "PassRoleTo" + service.split(".")[0].replace("-", " ").title().replace(" ", "")
        passes.append(_allow(sid, ["iam:PassRole"], resources, {"StringEquals": {"iam:PassedToService": service}}))
    if not config.vpc_id and config.network.flow_logs.enabled:
        passes.append(
            _allow(
                "PassRoleToFlowLogs",
                ["iam:PassRole"],
                arns.role(f"{flow_log_role_name_prefix(arns.prefix)}*"),
                {"StringEquals": {"iam:PassedToService": "vpc-flow-logs.amazonaws.com"}},
            )
        )
    return [
        _allow(
            "RolesWithTheBoundary",
            list(BOUNDARY_GUARDED_ROLE_ACTIONS),
            roles,
            {"StringEquals": {"iam:PermissionsBoundary": boundary}},
        ),
        _allow("RolesByName", list(ROLE_ACTIONS), roles),
        *passes,
    ]


def _logs(config: EnvironmentConfig, arns: _Arns) -> list[Statement]:
    groups = [*log_groups(config, arns)]
    statements = [
        _allow(
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
            _allow(
                "WafLogDelivery",
                ["logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:DescribeResourcePolicies"],
                "*",
                _in_region(arns),
            )
        )
    return statements


def log_groups(
    config: EnvironmentConfig, arns: _Arns | None = None, *, partition: str = "aws", account: str = "*"
) -> list[str]:
    """The environment's log group ARNs, in both forms AWS authorizes (with and without `:*`)."""
    arns = arns or _Arns(config, partition=partition, account=account)
    found = []
    for name in log_group_names(arns.prefix):
        found.append(arns.regional("logs", f"log-group:{name}"))
        if not name.endswith("*"):
            found.append(arns.regional("logs", f"log-group:{name}:*"))
    return found


def log_group_names(prefix: str) -> list[str]:
    """The names of an environment's log groups (`*` matches): its services', its VPC's, its web ACL's."""
    return [f"/ecs/{prefix}", f"/ecs/{prefix}-*", f"/vpc/{prefix}/*", f"aws-waf-logs-{prefix}"]


def _alarms_and_scaling(config: EnvironmentConfig, arns: _Arns) -> list[Statement]:
    environment = config.environment
    scalable = arns.regional("application-autoscaling", "scalable-target/*")
    statements = [
        _allow(
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
        _allow(
            "TargetTrackingAlarms",
            ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms"],
            arns.regional("cloudwatch", f"alarm:TargetTracking-service/{arns.prefix}/*"),
        ),
        _allow(
            "ScalingCreate",
            ["application-autoscaling:RegisterScalableTarget", "application-autoscaling:TagResource"],
            scalable,
            {"Null": {f"aws:ResourceTag/{ENVIRONMENT_TAG}": "true"}, **_tagging(environment)},
        ),
        _allow(
            "ScalingOwn",
            [
                "application-autoscaling:RegisterScalableTarget",
                "application-autoscaling:DeregisterScalableTarget",
                "application-autoscaling:PutScalingPolicy",
                "application-autoscaling:DeleteScalingPolicy",
                "application-autoscaling:TagResource",
                "application-autoscaling:UntagResource",
            ],
            scalable,
            _tagged(environment),
        ),
    ]
    if config.alarms_enabled:
        subscriptions = ["sns:Subscribe", "sns:Unsubscribe"] if config.alarm_email else []
        statements.append(
            _allow(
                "TopicByName",
                [
                    "sns:CreateTopic",
                    "sns:DeleteTopic",
                    "sns:SetTopicAttributes",
                    "sns:TagResource",
                    "sns:UntagResource",
                    *subscriptions,
                ],
                arns.regional("sns", f"{arns.prefix}-*"),
            )
        )
    return statements


def _web_acl(arns: _Arns) -> list[Statement]:
    web_acl = arns.regional("wafv2", f"regional/webacl/{arns.prefix}/*")
    return [
        _allow(
            "WebAclByName",
            [
                "wafv2:CreateWebACL",
                "wafv2:UpdateWebACL",
                "wafv2:DeleteWebACL",
                "wafv2:TagResource",
                "wafv2:UntagResource",
                "wafv2:PutLoggingConfiguration",
                "wafv2:DeleteLoggingConfiguration",
                "wafv2:AssociateWebACL",
                "wafv2:DisassociateWebACL",
            ],
            [web_acl, arns.regional("elasticloadbalancing", f"loadbalancer/app/{arns.prefix}/*")],
        ),
        # A web ACL that uses AWS's managed rule groups is authorized on them too.
        _allow(
            "WebAclManagedRules",
            ["wafv2:CreateWebACL", "wafv2:UpdateWebACL"],
            arns.regional("wafv2", "regional/managedruleset/*/*"),
        ),
        # WAF's own check that the caller may set a web ACL on a load balancer; ELB names no resource for it.
        _allow("WebAclOnTheLoadBalancer", ["elasticloadbalancing:SetWebAcl"], "*", _in_region(arns)),
    ]


def _log_bucket_arn(config: EnvironmentConfig, partition: str) -> str:
    return f"arn:{partition}:s3:::{config.resource_name}-alb-logs-*"


def _log_bucket(config: EnvironmentConfig, arns: _Arns) -> list[Statement]:
    bucket = _log_bucket_arn(config, arns.partition)
    return [
        _allow(
            "LogBucketByName",
            [
                "s3:CreateBucket",
                "s3:DeleteBucket",
                "s3:ListBucket",
                "s3:ListBucketVersions",
                "s3:PutBucketAcl",
                "s3:PutBucketPolicy",
                "s3:DeleteBucketPolicy",
                "s3:PutBucketTagging",
                "s3:PutBucketVersioning",
                "s3:PutEncryptionConfiguration",
                "s3:PutLifecycleConfiguration",
                "s3:PutBucketOwnershipControls",
                "s3:PutBucketPublicAccessBlock",
            ],
            bucket,
        ),
        # `alb.access_logs.force_destroy`: destroy empties the bucket first.
        _allow("LogBucketObjects", ["s3:DeleteObject", "s3:DeleteObjectVersion"], f"{bucket}/*"),
    ]


def _key(config: EnvironmentConfig, arns: _Arns) -> list[Statement]:
    environment = config.environment
    keys = arns.regional("kms", "key/*")
    return [
        _allow("KeyCreate", ["kms:CreateKey"], "*", {**_tagging(environment), **_in_region(arns)}),
        # KMS authorizes tags on create on all keys of the account and region, with no creating-call key:
        # only a key without an Environment tag may get one (docs/bootstrap.md).
        _allow(
            "KeyTagOnCreate",
            ["kms:TagResource"],
            keys,
            {"Null": {f"aws:ResourceTag/{ENVIRONMENT_TAG}": "true"}, **_tagging(environment)},
        ),
        _allow(
            "KeyOwn",
            [
                "kms:EnableKeyRotation",
                "kms:ScheduleKeyDeletion",
                "kms:PutKeyPolicy",
                "kms:UpdateKeyDescription",
                "kms:TagResource",
                "kms:UntagResource",
                "kms:CreateAlias",
                "kms:DeleteAlias",
                "kms:UpdateAlias",
            ],
            keys,
            _tagged(environment),
        ),
        _allow(
            "KeyAliasByName",
            ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"],
            arns.regional("kms", f"alias/{arns.prefix}"),
        ),
    ]


def _services(config: EnvironmentConfig, arns: _Arns) -> list[Statement]:
    """Jobs' state machines and schedules by name; the Service Connect namespace by tag (its ARN is an id).
    Granted to every environment, with jobs and backends or not yet: each stays within the environment, and a
    job or backend added later needs no new bootstrap."""
    environment = config.environment
    statements = [
        _allow(
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
        _allow("StateMachineValidation", ["states:ValidateStateMachineDefinition"], "*", _in_region(arns)),
        _allow(
            "SchedulesByName",
            ["scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule"],
            arns.regional("scheduler", f"schedule/default/{arns.prefix}-*"),
        ),
    ]
    # Cloud Map names no resource for creating or tagging: both hold only with the environment's tag in
    # the request. Its TagResource cannot be kept to the environment's namespace (docs/bootstrap.md).
    statements += [
        _allow(
            "NamespaceCreate",
            ["servicediscovery:CreateHttpNamespace"],
            "*",
            {**_tagging(environment), **_in_region(arns)},
        ),
        _allow(
            "NamespaceTags",
            ["servicediscovery:TagResource"],
            "*",
            {"StringEqualsIfExists": {f"aws:RequestTag/{ENVIRONMENT_TAG}": environment}, **_in_region(arns)},
        ),
        _allow(
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


def _domain(config: EnvironmentConfig, arns: _Arns) -> list[Statement]:
    environment = config.environment
    certificates = arns.regional("acm", "certificate/*")
    return [
        _allow("CertificateCreate", ["acm:RequestCertificate"], "*", {**_tagging(environment), **_in_region(arns)}),
        _allow(
            "CertificateTagOnCreate",
            ["acm:AddTagsToCertificate"],
            certificates,
            {"Null": {f"aws:ResourceTag/{ENVIRONMENT_TAG}": "true"}, **_tagging(environment)},
        ),
        _allow(
            "CertificateOwn",
            ["acm:DeleteCertificate", "acm:AddTagsToCertificate", "acm:RemoveTagsFromCertificate"],
            certificates,
            _tagged(environment),
        ),
        _allow(
            "RecordsInTheZone",
            ["route53:ChangeResourceRecordSets"],
            f"arn:{arns.partition}:route53:::hostedzone/{config.hosted_zone_id}",
        ),
    ]


def boundary_statements(
    config: EnvironmentConfig, bootstrap: BootstrapConfig, *, partition: str, account: str
) -> list[Statement]:
    """The most a role of the environment may do, whatever policy the deploy role gives it: its own images,
    log groups, the secrets its settings name, and `task_role_actions` on its own named resources."""
    arns = _Arns(config, partition=partition, account=account)
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
        _allow(
            "PullOwnImages",
            ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            arns.named("ecr", "-", "repository/"),
        ),
        _allow("RegistryLogin", ["ecr:GetAuthorizationToken"], "*"),
        _allow(
            "WriteOwnLogs",
            ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            log_groups(config, arns),
        ),
        # The flow-log service finds its group first; AWS names no resource for it.
        _allow("FindLogGroups", ["logs:DescribeLogGroups"], "*"),
        _allow(
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
    if secrets:
        statements += [
            _allow("ReadTheNamedSecrets", ["secretsmanager:GetSecretValue", "ssm:GetParameters"], secrets),
            _allow(
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
        statements.append(_allow("Application", application, own))
    if unbound:
        statements.append(_allow("ApplicationWithoutResources", unbound, "*"))
    # Whether or not the environment has jobs today (a job added later needs no new bootstrap).
    statements += [
        # A job's state machine runs and watches its task; its schedule starts the state machine.
        _allow(
            "RunOwnTasks",
            ["ecs:RunTask"],
            [
                arns.regional("ecs", f"task-definition/{prefix}:*"),
                arns.regional("ecs", f"task-definition/{prefix}-*:*"),
            ],
        ),
        _allow("WatchOwnTasks", ["ecs:StopTask", "ecs:DescribeTasks"], arns.regional("ecs", f"task/{prefix}/*")),
        _allow(
            "TaskEvents",
            list(SYNC_RULE_ACTIONS),
            arns.regional("events", "rule/StepFunctionsGetEventsForECSTaskRule"),
        ),
        _allow("StartOwnStateMachines", ["states:StartExecution"], arns.regional("states", f"stateMachine:{prefix}-*")),
        _allow(
            "JobLogsAndTraces",
            [action for action in (*LOG_DELIVERY_ACTIONS, *TRACING_ACTIONS) if action not in BOUNDARY_WITHHOLDS],
            "*",
        ),
        # The schedule's input is encrypted with the environment's key (its ARN is known only once the
        # environment's stack makes it, hence its tag), which the schedule's role decrypts.
        _allow(
            "ScheduleReadsItsInput",
            ["kms:Decrypt"],
            arns.regional("kms", "key/*"),
            {"StringEquals": {"aws:ResourceTag/Environment": config.environment}},
        ),
        _allow(
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
        _deny("NeverStsOrAccount", ["sts:*", "organizations:*", "account:*"], "*"),
        _deny(
            "NeverTheStateBucket",
            ["s3:*"],
            [f"arn:{partition}:s3:::{bootstrap.state_bucket}", f"arn:{partition}:s3:::{bootstrap.state_bucket}/*"],
        ),
        _deny("NeverWhoElseMayUseIt", list(POLICY_CHANGING_ACTIONS), "*"),
        _without_not_action(never_another_environment(config.environment)[0]),
    ]
    return statements


def _without_not_action(statement: Statement) -> Statement:
    """The same deny for every action: an environment's roles read nothing of another either."""
    return {**{key: value for key, value in statement.items() if key != "NotAction"}, "Action": "*"}


def _secrets(config: EnvironmentConfig) -> list[Secret]:
    """The secrets and parameters the environment's containers read."""
    containers = [config.service.container] if not config.services else []
    for declared in config.services.values():
        containers.append(declared.job.container if declared.kind == "job" else declared.service.container)
    return [secret for container in containers for secret in container.secrets.values()]


def _secret_arns(config: EnvironmentConfig) -> list[str]:
    """As IAM names them (`Secret.resource_arn`: no JSON key or version, a partial ARN's suffix matched)."""
    return list(dict.fromkeys(secret.resource_arn for secret in _secrets(config)))


def _in_region(arns: _Arns) -> Statement:
    return {"StringEquals": {"aws:RequestedRegion": arns.region}}


def _allow(
    sid: str, actions: Iterable[str], resources: str | list[str], condition: Statement | None = None
) -> Statement:
    statement: Statement = {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": resources}
    if condition:
        statement["Condition"] = condition
    return statement


def _deny(sid: str, actions: list[str], resources: str | list[str]) -> Statement:
    return {"Sid": sid, "Effect": "Deny", "Action": actions, "Resource": resources}
