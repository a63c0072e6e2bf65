"""WebAcl: managed rule groups, a per-IP rate limit, logging, and association."""

from __future__ import annotations

from cdktf_fargate import WebAcl

import pytest
from conftest import Synthesized, new_stack, ref

KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


@pytest.fixture(scope="module")
def synth() -> Synthesized:
    stack = new_stack()
    acl = WebAcl(stack, "waf", name="shop", log_kms_key_arn=KEY)
    acl.protect("arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/0123456789abcdef")
    return Synthesized(stack)


def test_rate_limit_blocks_first_then_managed_groups_in_order(synth):
    acl = synth.only("aws_wafv2_web_acl")
    assert acl["scope"] == "REGIONAL"
    assert acl["default_action"] == {"allow": {}}
    rate, *managed = acl["rule"]
    assert rate["priority"] == 0 and rate["action"] == {"block": {}}
    assert rate["statement"] == {"rate_based_statement": {"limit": 2000, "aggregate_key_type": "IP"}}
    assert [(rule["priority"], rule["name"]) for rule in managed] == [
        (1, "AWSManagedRulesCommonRuleSet"),
        (2, "AWSManagedRulesKnownBadInputsRuleSet"),
        (3, "AWSManagedRulesAmazonIpReputationList"),
        (4, "AWSManagedRulesAnonymousIpList"),
    ]
    assert all(rule["override_action"] == {"none": {}} for rule in managed)
    anonymous = managed[3]["statement"]["managed_rule_group_statement"]
    assert anonymous["rule_action_override"] == [{"name": "HostingProviderIPList", "action_to_use": {"count": {}}}]
    assert "rule_action_override" not in managed[0]["statement"]["managed_rule_group_statement"]
    assert all(rule["visibility_config"]["cloudwatch_metrics_enabled"] is True for rule in acl["rule"])


def test_logs_to_an_encrypted_aws_waf_logs_group(synth):
    group = synth.only("aws_cloudwatch_log_group")
    assert group["name"] == "aws-waf-logs-shop"
    assert group["kms_key_id"] == KEY
    assert group["retention_in_days"] == 365
    logging = synth.only("aws_wafv2_web_acl_logging_configuration")
    assert logging["log_destination_configs"] == [ref("aws_cloudwatch_log_group", group, "arn")]
    assert logging["resource_arn"] == ref("aws_wafv2_web_acl", synth.only("aws_wafv2_web_acl"), "arn")


def test_logs_leave_out_credentials_and_sessions(synth):
    logging = synth.only("aws_wafv2_web_acl_logging_configuration")
    assert logging["redacted_fields"] == [
        {"single_header": {"name": "authorization"}},
        {"single_header": {"name": "cookie"}},
    ]


def test_protect_associates_a_resource(synth):
    association = synth.only("aws_wafv2_web_acl_association")
    assert association["resource_arn"].endswith("loadbalancer/app/shop/0123456789abcdef")
    assert association["web_acl_arn"] == ref("aws_wafv2_web_acl", synth.only("aws_wafv2_web_acl"), "arn")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"name": "shop acl"}, r"name='shop acl' is invalid"),
        ({"rate_limit_per_5_minutes": 99}, r"rate_limit_per_5_minutes=99 is invalid: must be a whole number from 100"),
        (
            {"managed_rule_groups": "AWSManagedRulesCommonRuleSet"},
            r"managed_rule_groups='AWSManagedRulesCommonRuleSet' is invalid: must be a list",
        ),
        ({"managed_rule_groups": ["CommonRuleSet"]}, r"managed_rule_groups='CommonRuleSet' is invalid"),
        (
            {"managed_rule_groups": ["AWSManagedRulesCommonRuleSet"]},
            r"count_only_rules='AWSManagedRulesAnonymousIpList' is invalid: names a rule group",
        ),
        ({"log_retention_days": 2}, r"log_retention_days=2 is invalid"),
        ({"log_kms_key_arn": "key-1"}, r"log_kms_key_arn='key-1' is invalid: must be an ARN"),
    ],
)
def test_fails_when_a_setting_is_invalid(settings, message):
    with pytest.raises(ValueError, match=message):
        WebAcl(new_stack(), "waf", **{"name": "shop", **settings})
