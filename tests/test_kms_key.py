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
    assert ":log-group:*" in condition
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


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"alias": "alias/shop"}, r"alias='alias/shop' is invalid: must be given without 'alias/'"),
        ({"alias": "aws-shop"}, r"alias='aws-shop' is invalid: must not start with 'aws'"),
        ({"alias": "my key"}, r"alias='my key' is invalid"),
        ({"deletion_window_days": 6}, r"deletion_window_days=6 is invalid: must be a whole number from 7 to 30"),
        ({"deletion_window_days": 31}, r"deletion_window_days=31 is invalid"),
    ],
)
def test_fails_when_a_setting_is_invalid(settings, message):
    with pytest.raises(ValueError, match=message):
        KmsKey(new_stack(), "key", **{"alias": "shop", **settings})
