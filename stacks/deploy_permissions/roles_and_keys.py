"""The deploy role's statements for the roles the environment makes and passes, its KMS key, its domain."""

from __future__ import annotations

from cdktf_fargate.network import flow_log_role_name_prefix
from cdktf_fargate.options.storage import ECS_VOLUMES_MANAGED_POLICY

from ..environments import EnvironmentConfig
from ._vocabulary import (
    BOUNDARY_GUARDED_ROLE_ACTIONS,
    ENVIRONMENT_TAG,
    PASSED_ROLES,
    ROLE_ACTIONS,
    Arns,
    Statement,
    allow,
    in_region,
    permissions_boundary_arn,
    tagged,
    tagging,
)


def role_statements(config: EnvironmentConfig, arns: Arns) -> list[Statement]:
    boundary = permissions_boundary_arn(config, partition=arns.partition, account=arns.account)
    roles = arns.role(f"{arns.prefix}-*")
    passes = []
    for service, suffixes in PASSED_ROLES.items():
        resources = [arns.role(f"{arns.prefix}{suffix}") for suffix in suffixes]
        resources += [arns.role(f"{arns.prefix}-*{suffix}") for suffix in suffixes]
        sid = "PassRoleTo" + service.split(".")[0].replace("-", " ").title().replace(" ", "")
        passes.append(allow(sid, ["iam:PassRole"], resources, {"StringEquals": {"iam:PassedToService": service}}))
    if not config.vpc_id and config.network.flow_logs.enabled:
        passes.append(
            allow(
                "PassRoleToFlowLogs",
                ["iam:PassRole"],
                arns.role(f"{flow_log_role_name_prefix(arns.prefix)}*"),
                {"StringEquals": {"iam:PassedToService": "vpc-flow-logs.amazonaws.com"}},
            )
        )
    return [
        allow(
            "RolesWithTheBoundary",
            list(BOUNDARY_GUARDED_ROLE_ACTIONS),
            roles,
            {"StringEquals": {"iam:PermissionsBoundary": boundary}},
        ),
        allow("RolesByName", list(ROLE_ACTIONS), roles),
        # AWS's managed policy for a service's EBS volumes, on its infrastructure role alone.
        allow(
            "VolumeRolesManagedPolicy",
            ["iam:AttachRolePolicy", "iam:DetachRolePolicy"],
            arns.role(f"{arns.prefix}-*-volumes"),
            {
                "StringEquals": {
                    "iam:PermissionsBoundary": boundary,
                    "iam:PolicyARN": f"arn:{arns.partition}:iam::aws:policy/service-role/{ECS_VOLUMES_MANAGED_POLICY}",
                }
            },
        ),
        *passes,
    ]


def key_statements(config: EnvironmentConfig, arns: Arns) -> list[Statement]:
    environment = config.environment
    keys = arns.regional("kms", "key/*")
    return [
        allow("KeyCreate", ["kms:CreateKey"], "*", {**tagging(environment), **in_region(arns)}),
        # KMS authorizes tags on create on all keys of the account and region, with no creating-call key:
        # only a key without an Environment tag may get one (docs/bootstrap.md).
        allow(
            "KeyTagOnCreate",
            ["kms:TagResource"],
            keys,
            {"Null": {f"aws:ResourceTag/{ENVIRONMENT_TAG}": "true"}, **tagging(environment)},
        ),
        allow(
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
            tagged(environment),
        ),
        allow(
            "KeyAliasByName",
            ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"],
            arns.regional("kms", f"alias/{arns.prefix}"),
        ),
    ]


def domain_statements(config: EnvironmentConfig, arns: Arns) -> list[Statement]:
    environment = config.environment
    certificates = arns.regional("acm", "certificate/*")
    return [
        allow("CertificateCreate", ["acm:RequestCertificate"], "*", {**tagging(environment), **in_region(arns)}),
        allow(
            "CertificateTagOnCreate",
            ["acm:AddTagsToCertificate"],
            certificates,
            {"Null": {f"aws:ResourceTag/{ENVIRONMENT_TAG}": "true"}, **tagging(environment)},
        ),
        allow(
            "CertificateOwn",
            ["acm:DeleteCertificate", "acm:AddTagsToCertificate", "acm:RemoveTagsFromCertificate"],
            certificates,
            tagged(environment),
        ),
        allow(
            "RecordsInTheZone",
            ["route53:ChangeResourceRecordSets"],
            f"arn:{arns.partition}:route53:::hostedzone/{config.hosted_zone_id}",
        ),
    ]
