"""StateBucket: the S3 bucket that keeps Terraform state, with S3's own lock files."""

from __future__ import annotations

import re

from constructs import Construct

from ._bindings import (
    S3BucketLifecycleConfiguration,
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
)
from ._private_bucket import private_bucket, tls_only_policy
from ._validation import Problems

BUCKET_NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


class StateBucket(Construct):
    """Versioned (every state can be restored), KMS-encrypted, private, TLS-only; old versions
    expire after ``noncurrent_version_days``. Terraform 1.10+ locks with a lock file beside each
    state (``use_lockfile``), so no DynamoDB table is needed."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        bucket_name: str,
        kms_key_arn: str | None = None,
        noncurrent_version_days: int = 90,
        force_destroy: bool = False,
    ) -> None:
        """
        :param bucket_name: the bucket's exact name (backends name it before it exists).
        :param kms_key_arn: encrypt with this key. Default None: the account's AWS-managed S3 key.
        :param noncurrent_version_days: replaced states are kept this many days, 1-3650. Default 90.
        :param force_destroy: let destroy delete a bucket that still holds states. Default False.
        """
        super().__init__(scope, id_)
        problems = Problems.of(self)
        problems.check_pattern(
            "bucket_name", bucket_name, BUCKET_NAME_PATTERN, "must be 3-63 lower-case letters, digits, '.' or '-'"
        )
        if kms_key_arn is not None:
            problems.check_arn("kms_key_arn", kms_key_arn, service="kms")
        problems.check_int_range("noncurrent_version_days", noncurrent_version_days, 1, 3650)
        problems.raise_if_any()

        made = private_bucket(
            self,
            sse_algorithm="aws:kms",
            kms_key_arn=kms_key_arn,
            bucket_key_enabled=True,
            bucket=bucket_name,
            force_destroy=force_destroy,
        )
        self.bucket = made.bucket
        self.public_access_block = made.public_access_block
        self.ownership_controls = made.ownership_controls
        self.versioning = made.versioning
        self.encryption = made.encryption
        self.lifecycle = S3BucketLifecycleConfiguration(
            self,
            "lifecycle",
            bucket=self.bucket.id,
            rule=[
                S3BucketLifecycleConfigurationRule(
                    id="expire-replaced-states",
                    status="Enabled",
                    filter=[S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                    noncurrent_version_expiration=[
                        S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(
                            noncurrent_days=noncurrent_version_days
                        )
                    ],
                    abort_incomplete_multipart_upload=[
                        S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(days_after_initiation=7)
                    ],
                )
            ],
            depends_on=[self.versioning],
        )
        self.policy_document, self.policy = tls_only_policy(self, made, [])

    @property
    def bucket_name(self) -> str:
        return self.bucket.bucket

    @property
    def arn(self) -> str:
        return self.bucket.arn
