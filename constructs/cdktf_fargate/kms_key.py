"""KmsKey: a customer-managed key for the stack's repository and logs."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from constructs import Construct

from ._bindings import (
    DataAwsCallerIdentity,
    DataAwsPartition,
    DataAwsRegion,
    KmsAlias,
)
from ._bindings import KmsKey as KmsKeyResource
from ._validation import Problems
from .options import PRINCIPAL_ARN

ALIAS_PATTERN = re.compile(r"[A-Za-z0-9/_-]{1,250}")


class KmsKey(Construct):
    """A symmetric key with yearly rotation whose policy lets this account's IAM decide access
    and lets CloudWatch Logs use it for this account's log groups in this region."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        alias: str,
        description: str = "cdktf-fargate: repository and log encryption",
        deletion_window_days: int = 30,
        allow_cloudwatch_logs: bool = True,
        allow_cloudwatch_alarms: bool = True,
        allow_sns_deliveries: bool = False,
        log_group_patterns: Sequence[str] = ("*",),
        admin_arns: Sequence[str] = (),
    ) -> None:
        """
        :param alias: the key's alias without ``alias/``, e.g. ``webapp-prod``.
        :param description: shown in the KMS console.
        :param deletion_window_days: 7-30 days between scheduling deletion and deletion. Default 30.
        :param allow_cloudwatch_logs: let CloudWatch Logs encrypt this account's log groups in this
            region with the key (log groups cannot use a key otherwise). Default True.
        :param allow_cloudwatch_alarms: let CloudWatch alarms of this account publish to SNS topics
            encrypted with the key. Default True.
        :param allow_sns_deliveries: let SNS topics of this account deliver to SQS queues encrypted with the
            key (a worker's queue subscribed to topics). Default False.
        :param log_group_patterns: names (``*`` and ``?`` match) of the log groups CloudWatch Logs may
            encrypt with the key, e.g. ``["/ecs/webapp-prod*"]``. Default every log group of the account
            in the region.
        :param admin_arns: the IAM roles or users (``aws:PrincipalArn``; ``*`` matches) that alone may
            change the key's policy, disable it or schedule its deletion. Include whoever deploys: KMS
            refuses a policy that would lock its author out. Default none: any IAM administrator may.
        """
        super().__init__(scope, id_)
        problems = Problems.of(self)
        if problems.check_pattern(
            "alias", alias, ALIAS_PATTERN, "must be 1-250 letters, digits, '/', '_' or '-', without 'alias/'"
        ):
            if alias.startswith("alias/"):
                problems.add("alias", alias, "must be given without 'alias/' (it is added)")
            elif alias.lower().startswith("aws"):
                problems.add("alias", alias, "must not start with 'aws' (reserved for AWS-managed keys)")
        problems.check_int_range("deletion_window_days", deletion_window_days, 7, 30)
        if problems.check_arn_list("admin_arns", admin_arns):
            for arn in admin_arns:
                problems.check_pattern("admin_arns", arn, PRINCIPAL_ARN.pattern, PRINCIPAL_ARN.described)
        if (
            isinstance(log_group_patterns, str)
            or not isinstance(log_group_patterns, (list, tuple))
            or not log_group_patterns
            or not all(isinstance(pattern, str) and pattern for pattern in log_group_patterns)
        ):
            problems.add("log_group_patterns", log_group_patterns, "must be a non-empty list of log group names")
        problems.raise_if_any()

        caller = DataAwsCallerIdentity(self, "caller-identity")
        partition = DataAwsPartition(self, "partition")
        region = DataAwsRegion(self, "region")
        account_root = f"arn:{partition.partition}:iam::{caller.account_id}:root"
        # A key policy's "Resource": "*" means this key. The policy is written on the key itself
        # rather than through an IAM policy document, which policy scanners read as an identity policy.
        statements: list[dict[str, object]] = [
            # Delegates access to IAM policies in this account, as AWS's default key policy does.
            {
                "Sid": "AccountAdministersKey",
                "Effect": "Allow",
                "Principal": {"AWS": account_root},
                "Action": "kms:*",
                "Resource": "*",
            }
        ]
        if allow_cloudwatch_logs:
            statements.append(
                {
                    "Sid": "CloudWatchLogsEncryptsThisAccountsLogGroups",
                    "Effect": "Allow",
                    "Principal": {"Service": f"logs.{region.name}.amazonaws.com"},
                    "Action": [
                        "kms:Encrypt*",
                        "kms:Decrypt*",
                        "kms:ReEncrypt*",
                        "kms:GenerateDataKey*",
                        "kms:Describe*",
                    ],
                    "Resource": "*",
                    "Condition": {
                        "ArnLike": {
                            "kms:EncryptionContext:aws:logs:arn": [
                                f"arn:{partition.partition}:logs:{region.name}:{caller.account_id}:log-group:{pattern}"
                                for pattern in log_group_patterns
                            ]
                        }
                    },
                }
            )
        if allow_cloudwatch_alarms:
            statements.append(
                {
                    "Sid": "CloudWatchAlarmsPublishToEncryptedTopics",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": caller.account_id}},
                }
            )
        if allow_sns_deliveries:
            statements.append(
                {
                    "Sid": "SnsDeliversToEncryptedQueues",
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": caller.account_id}},
                }
            )
        if admin_arns:
            # The account statement stays, so IAM still governs use and nobody is locked out; only
            # the changes that could make the key or what it encrypts unusable are kept to the admins.
            statements.append(
                {
                    "Sid": "OnlyKeyAdminsChangePolicyDisableOrDelete",
                    "Effect": "Deny",
                    "Principal": {"AWS": "*"},
                    "Action": [
                        "kms:PutKeyPolicy",
                        "kms:ScheduleKeyDeletion",
                        "kms:DisableKey",
                        "kms:DisableKeyRotation",
                    ],
                    "Resource": "*",
                    "Condition": {"ArnNotLike": {"aws:PrincipalArn": list(admin_arns)}},
                }
            )
        self.policy = json.dumps({"Version": "2012-10-17", "Statement": statements})
        self.key = KmsKeyResource(
            self,
            "key",
            description=description,
            enable_key_rotation=True,
            deletion_window_in_days=deletion_window_days,
            policy=self.policy,
        )
        self.alias = KmsAlias(self, "alias", name=f"alias/{alias}", target_key_id=self.key.key_id)

    @property
    def arn(self) -> str:
        return self.key.arn
