"""The deploy role's statements for the environment's image repositories, and reading a promotion source's."""

from __future__ import annotations

import dataclasses

from ..environments import EnvironmentConfig
from ._vocabulary import ENVIRONMENT_TAG, PULL_ACTIONS, Arns, Statement, allow


def promotion_statements(config: EnvironmentConfig, arns: Arns) -> list[Statement]:
    """Reading the source environment's images, by its names and its tag, to copy them (docs/deploying.md#promotion)."""
    source = dataclasses.replace(config, environment=config.promote_from)
    return [
        allow(
            "PromoteFromItsSource",
            list(PULL_ACTIONS),
            Arns(source, partition=arns.partition, account=arns.account).named("ecr", "-", "repository/"),
            {"StringEquals": {f"aws:ResourceTag/{ENVIRONMENT_TAG}": config.promote_from}},
        )
    ]


def repository_statements(config: EnvironmentConfig, arns: Arns) -> list[Statement]:
    statements = [
        allow("EcrAuth", ["ecr:GetAuthorizationToken"], "*"),
        allow(
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
            arns.repositories(),
        ),
    ]
    if config.kms_enabled:
        # ECR uses the environment's key with the caller's credentials when it makes or removes a repository.
        statements.append(
            allow(
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
