"""The deploy role's and the drift role's policies, composed from the statements of each concern."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..environments import BootstrapConfig, EnvironmentConfig
from ._vocabulary import (
    MANAGED_POLICY_CHARACTERS,
    POLICY_ENVELOPE,
    READ_ACTIONS,
    Arns,
    Statement,
    allow,
    deny,
    never_another_environment,
    permissions_boundary_arn,
    policy_characters,
)
from .boundary import boundary_statements
from .images import promotion_statements, repository_statements
from .load_balancer import (
    load_balancer_statements,
    log_bucket_arn,
    log_bucket_statements,
    trust_store_statements,
    web_acl_statements,
)
from .network import network_statements
from .roles_and_keys import domain_statements, key_statements, role_statements
from .workloads import alarms_and_scaling_statements, ecs_statements, logs_statements, services_statements


def deploy_policy(config: EnvironmentConfig, *, state_bucket: str, partition: str, account: str) -> dict[str, Any]:
    """The deploy role's policy for ``config``'s environment."""
    arns = Arns(config, partition=partition, account=account)
    state = f"arn:{partition}:s3:::{state_bucket}/{config.state_object_key}"
    statements: list[Statement] = [
        allow("Read", READ_ACTIONS, "*"),
        allow("StateList", ["s3:ListBucket"], f"arn:{partition}:s3:::{state_bucket}"),
        allow("StateReadWrite", ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], [state, f"{state}.tflock"]),
        *network_statements(config, arns),
        *load_balancer_statements(config, arns),
        *ecs_statements(arns),
        *repository_statements(config, arns),
        *role_statements(config, arns),
        *logs_statements(config, arns),
        *alarms_and_scaling_statements(config, arns),
    ]
    if config.alb.waf.enabled:
        statements += web_acl_statements(arns)
    if config.alb.mutual_tls.mode == "verify":
        statements += trust_store_statements(config, arns)
    if config.alb.access_logs.enabled and not config.alb.access_logs.bucket_name:
        statements += log_bucket_statements(config, arns)
    if config.kms_enabled:
        statements += key_statements(config, arns)
    # Whether or not the environment has jobs or backends today: adding one reaches it through CI alone.
    statements += services_statements(config, arns)
    if config.domain_name:
        statements += domain_statements(config, arns)
    if config.promote_from:
        statements += promotion_statements(config, arns)
    statements += [
        deny(
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


def deploy_role_fingerprint(config: EnvironmentConfig, bootstrap: BootstrapConfig) -> str:
    """What the deploy role's policies and the environment's boundary are made of, in 16 characters: the
    bootstrap tags the role with it, and the environment's plans compare (any account, any partition)."""
    where = {"partition": "aws", "account": "000000000000"}
    made = {
        "deploy": deploy_policies(config, state_bucket=bootstrap.state_bucket, **where),
        "boundary": boundary_statements(config, bootstrap, **where),
    }
    return hashlib.sha256(json.dumps(made, sort_keys=True).encode()).hexdigest()[:16]


def drift_policy(config: EnvironmentConfig, *, state_bucket: str, partition: str, account: str) -> dict[str, Any]:
    """The drift role's: read the environment's state and everything a refresh-only plan reads."""
    state = f"arn:{partition}:s3:::{state_bucket}/{config.state_object_key}"
    statements = [
        allow("Read", READ_ACTIONS, "*"),
        allow("StateList", ["s3:ListBucket"], f"arn:{partition}:s3:::{state_bucket}"),
        allow("StateRead", ["s3:GetObject"], state),
    ]
    if config.alb.access_logs.enabled and not config.alb.access_logs.bucket_name:
        # The refresh asks whether the bucket is there (HeadBucket), which S3 authorizes as listing it.
        statements.append(allow("LogBucketExists", ["s3:ListBucket"], log_bucket_arn(config, partition)))
    return {"Version": "2012-10-17", "Statement": statements}
