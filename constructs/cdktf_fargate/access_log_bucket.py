"""AccessLogBucket: a private S3 bucket that Elastic Load Balancing writes access logs to."""

from __future__ import annotations

import re

from constructs import Construct

from ._bindings import (
    DataAwsCallerIdentity,
    DataAwsElbServiceAccount,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementPrincipals,
    S3BucketLifecycleConfiguration,
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleExpiration,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
)
from ._private_bucket import private_bucket, tls_only_policy
from ._validation import Problems

# Terraform appends 26 characters to a prefix; S3 names are at most 63.
BUCKET_PREFIX_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,36}")
LOG_PREFIX = "alb"


class AccessLogBucket(Construct):
    """Private, versioned, SSE-S3 encrypted (ALB log delivery does not support KMS keys),
    TLS-only, with logs expired after ``retention_days``."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        bucket_prefix: str,
        retention_days: int = 365,
        force_destroy: bool = False,
    ) -> None:
        """
        :param bucket_prefix: start of the bucket's name (lower case, up to 37 characters);
            Terraform adds a unique suffix, since bucket names are global.
        :param retention_days: logs (and old versions) are deleted after this many days, 1-3650.
            Default 365.
        :param force_destroy: let destroy delete a bucket that still holds logs. Default False.
        """
        super().__init__(scope, id_)
        problems = Problems.of(self)
        problems.check_pattern(
            "bucket_prefix",
            bucket_prefix,
            BUCKET_PREFIX_PATTERN,
            "must be 1-37 lower-case letters, digits or hyphens, starting with a letter or digit",
        )
        problems.check_int_range("retention_days", retention_days, 1, 3650)
        problems.raise_if_any()

        made = private_bucket(self, sse_algorithm="AES256", bucket_prefix=bucket_prefix, force_destroy=force_destroy)
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
                    id="expire-access-logs",
                    status="Enabled",
                    filter=[S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                    expiration=[S3BucketLifecycleConfigurationRuleExpiration(days=retention_days)],
                    noncurrent_version_expiration=[
                        S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(noncurrent_days=retention_days)
                    ],
                    abort_incomplete_multipart_upload=[
                        S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(days_after_initiation=7)
                    ],
                )
            ],
            depends_on=[self.versioning],
        )

        caller = DataAwsCallerIdentity(self, "caller-identity")
        elb_account = DataAwsElbServiceAccount(self, "elb-service-account")
        log_objects = f"{self.bucket.arn}/{LOG_PREFIX}/AWSLogs/{caller.account_id}/*"
        self.policy_document, self.policy = tls_only_policy(
            self,
            made,
            [
                # Regions opened before August 2022 deliver as a regional ELB account; newer ones
                # as the log-delivery service. Both may write this account's log prefix only.
                DataAwsIamPolicyDocumentStatement(
                    sid="ElbDeliversAccessLogs",
                    actions=["s3:PutObject"],
                    resources=[log_objects],
                    principals=[DataAwsIamPolicyDocumentStatementPrincipals(type="AWS", identifiers=[elb_account.arn])],
                ),
                DataAwsIamPolicyDocumentStatement(
                    sid="LogDeliveryServiceDeliversAccessLogs",
                    actions=["s3:PutObject"],
                    resources=[log_objects],
                    principals=[
                        DataAwsIamPolicyDocumentStatementPrincipals(
                            type="Service", identifiers=["logdelivery.elasticloadbalancing.amazonaws.com"]
                        )
                    ],
                ),
            ],
        )

    @property
    def bucket_name(self) -> str:
        return self.bucket.bucket

    @property
    def log_prefix(self) -> str:
        return LOG_PREFIX
