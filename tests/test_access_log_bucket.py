"""AccessLogBucket: private, versioned, TLS-only bucket that ELB may write its logs to."""

from __future__ import annotations

from cdktf_fargate import AccessLogBucket

import pytest
from conftest import Synthesized, new_stack, ref


@pytest.fixture(scope="module")
def synth() -> Synthesized:
    stack = new_stack()
    AccessLogBucket(stack, "logs", bucket_prefix="shop-alb-logs-")
    return Synthesized(stack)


def test_bucket_is_private_owner_enforced_versioned_and_sse_s3(synth):
    bucket = synth.only("aws_s3_bucket")
    assert bucket["bucket_prefix"] == "shop-alb-logs-"
    assert bucket["force_destroy"] is False
    bucket_id = ref("aws_s3_bucket", bucket, "id")
    block = synth.only("aws_s3_bucket_public_access_block")
    assert block["bucket"] == bucket_id
    assert all(
        block[flag] is True
        for flag in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    )
    assert synth.only("aws_s3_bucket_ownership_controls")["rule"] == {"object_ownership": "BucketOwnerEnforced"}
    assert synth.only("aws_s3_bucket_versioning")["versioning_configuration"] == {"status": "Enabled"}
    (rule,) = synth.only("aws_s3_bucket_server_side_encryption_configuration")["rule"]
    assert rule["apply_server_side_encryption_by_default"] == {"sse_algorithm": "AES256"}


def test_logs_expire_after_a_year(synth):
    (rule,) = synth.only("aws_s3_bucket_lifecycle_configuration")["rule"]
    assert rule["status"] == "Enabled"
    assert rule["expiration"] == [{"days": 365}]
    assert rule["noncurrent_version_expiration"] == [{"noncurrent_days": 365}]
    assert rule["abort_incomplete_multipart_upload"] == [{"days_after_initiation": 7}]


def test_policy_lets_elb_write_this_accounts_prefix_and_refuses_plain_http(synth):
    document = synth.only_data("aws_iam_policy_document")
    statements = {statement["sid"]: statement for statement in document["statement"]}
    bucket_arn = ref("aws_s3_bucket", synth.only("aws_s3_bucket"), "arn")
    for sid in ("ElbDeliversAccessLogs", "LogDeliveryServiceDeliversAccessLogs"):
        assert statements[sid]["actions"] == ["s3:PutObject"]
        (resource,) = statements[sid]["resources"]
        assert resource.startswith(f"{bucket_arn}/alb/AWSLogs/") and resource.endswith("/*")
    assert statements["ElbDeliversAccessLogs"]["principals"][0]["identifiers"] == [
        ref("data.aws_elb_service_account", synth.only_data("aws_elb_service_account"), "arn")
    ]
    deny = statements["DenyInsecureTransport"]
    assert deny["effect"] == "Deny"
    assert deny["condition"] == [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}]
    assert synth.only("aws_s3_bucket_policy")["policy"] == ref("data.aws_iam_policy_document", document, "json")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"bucket_prefix": "Shop-Logs"}, r"bucket_prefix='Shop-Logs' is invalid: must be 1-37 lower-case"),
        ({"bucket_prefix": "a" * 38}, r"bucket_prefix='a{38}' is invalid"),
        ({"retention_days": 0}, r"retention_days=0 is invalid: must be a whole number from 1 to 3650"),
    ],
)
def test_fails_when_a_setting_is_invalid(settings, message):
    with pytest.raises(ValueError, match=message):
        AccessLogBucket(new_stack(), "logs", **{"bucket_prefix": "shop-", **settings})
