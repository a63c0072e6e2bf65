"""KmsKey: rotating customer-managed key usable by CloudWatch Logs of this account only."""

from __future__ import annotations

import json

from cdktf_fargate import KmsKey

import pytest
from conftest import Synthesized, new_stack, ref


def test_key_rotates_and_its_policy_admits_this_accounts_log_groups_only(stack):
    KmsKey(stack, "key", alias="shop")
    synth = Synthesized(stack)
    key = synth.only("aws_kms_key")
    assert key["enable_key_rotation"] is True
    assert key["deletion_window_in_days"] == 30
    policy = json.loads(key["policy"])
    statements = {statement["Sid"]: statement for statement in policy["Statement"]}
    assert statements["AccountAdministersKey"]["Principal"]["AWS"].endswith(":root")
    logs = statements["CloudWatchLogsEncryptsThisAccountsLogGroups"]
    assert logs["Principal"]["Service"].startswith("logs.")
    assert "kms:Decrypt*" in logs["Action"] and "kms:*" not in logs["Action"]
    (condition,) = logs["Condition"]["ArnLike"].values()
    assert len(condition) == 1 and condition[0].endswith(":log-group:*")
    assert "OnlyKeyAdminsChangePolicyDisableOrDelete" not in statements
    alarms = statements["CloudWatchAlarmsPublishToEncryptedTopics"]
    assert alarms["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert "aws:SourceAccount" in alarms["Condition"]["StringEquals"]
    alias = synth.only("aws_kms_alias")
    assert alias["name"] == "alias/shop"
    assert alias["target_key_id"] == ref("aws_kms_key", key, "key_id")


def test_logs_statement_can_be_left_out(stack):
    KmsKey(
        stack, "key", alias="shop", allow_cloudwatch_logs=False, allow_cloudwatch_alarms=False, deletion_window_days=7
    )
    key = Synthesized(stack).only("aws_kms_key")
    assert [s["Sid"] for s in json.loads(key["policy"])["Statement"]] == ["AccountAdministersKey"]
    assert key["deletion_window_in_days"] == 7


def test_logs_may_use_the_key_for_the_named_log_groups_only(stack):
    KmsKey(stack, "key", alias="shop", log_group_patterns=["/ecs/shop-prod*", "aws-waf-logs-shop-prod"])
    policy = json.loads(Synthesized(stack).only("aws_kms_key")["policy"])
    (logs,) = [s for s in policy["Statement"] if s["Sid"] == "CloudWatchLogsEncryptsThisAccountsLogGroups"]
    (condition,) = logs["Condition"]["ArnLike"].values()
    assert [arn.split(":log-group:")[1] for arn in condition] == ["/ecs/shop-prod*", "aws-waf-logs-shop-prod"]
    assert all(arn.startswith("arn:${data.aws_partition.") for arn in condition)


def test_only_the_key_admins_may_change_its_policy_disable_or_delete_it_and_the_account_keeps_access(stack):
    admin = "arn:aws:iam::123456789012:role/shop-prod-deploy"
    KmsKey(stack, "key", alias="shop", admin_arns=[admin])
    policy = json.loads(Synthesized(stack).only("aws_kms_key")["policy"])
    statements = {statement["Sid"]: statement for statement in policy["Statement"]}
    assert statements["AccountAdministersKey"]["Action"] == "kms:*"
    deny = statements["OnlyKeyAdminsChangePolicyDisableOrDelete"]
    assert deny["Effect"] == "Deny" and deny["Principal"] == {"AWS": "*"}
    assert {"kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey"} <= set(deny["Action"])
    assert deny["Condition"] == {"ArnNotLike": {"aws:PrincipalArn": [admin]}}


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"alias": "alias/shop"}, r"alias='alias/shop' is invalid: must be given without 'alias/'"),
        ({"alias": "aws-shop"}, r"alias='aws-shop' is invalid: must not start with 'aws'"),
        ({"alias": "my key"}, r"alias='my key' is invalid"),
        ({"deletion_window_days": 6}, r"deletion_window_days=6 is invalid: must be a whole number from 7 to 30"),
        ({"deletion_window_days": 31}, r"deletion_window_days=31 is invalid"),
        ({"admin_arns": "arn:aws:iam::123456789012:role/a"}, r"admin_arns='arn:aws:iam::123456789012:role/a' is inv"),
        ({"admin_arns": ["deploy-role"]}, r"admin_arns='deploy-role' is invalid: must be an ARN"),
        (
            # A session's ARN, as `aws sts get-caller-identity` prints it: aws:PrincipalArn is the role's.
            {"admin_arns": ["arn:aws:sts::123456789012:assumed-role/Admin/jane"]},
            r"admin_arns='arn:aws:sts::123456789012:assumed-role/Admin/jane' is invalid: must be an IAM role's or "
            r"user's ARN, .* not a session's",
        ),
        (
            {"admin_arns": ["arn:aws:s3:::shop-bucket"]},
            r"admin_arns='arn:aws:s3:::shop-bucket' is invalid: must be an IAM role's or user's ARN",
        ),
        ({"log_group_patterns": []}, r"log_group_patterns=\[\] is invalid: must be a non-empty list"),
        ({"log_group_patterns": "/ecs/*"}, r"log_group_patterns='/ecs/\*' is invalid"),
    ],
)
def test_fails_when_a_setting_is_invalid(settings, message):
    with pytest.raises(ValueError, match=message):
        KmsKey(new_stack(), "key", **{"alias": "shop", **settings})
