"""What every bucket the library creates starts from: private, owner-enforced, versioned, encrypted,
and a policy statement that refuses requests without TLS."""

from __future__ import annotations

import dataclasses

from constructs import Construct

from ._bindings import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementCondition,
    DataAwsIamPolicyDocumentStatementPrincipals,
    S3Bucket,
    S3BucketOwnershipControls,
    S3BucketOwnershipControlsRule,
    S3BucketPolicy,
    S3BucketPublicAccessBlock,
    S3BucketServerSideEncryptionConfigurationA,
    S3BucketServerSideEncryptionConfigurationRuleA,
    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA,
    S3BucketVersioningA,
    S3BucketVersioningVersioningConfiguration,
)


@dataclasses.dataclass(frozen=True)
class PrivateBucket:
    bucket: S3Bucket
    public_access_block: S3BucketPublicAccessBlock
    ownership_controls: S3BucketOwnershipControls
    versioning: S3BucketVersioningA
    encryption: S3BucketServerSideEncryptionConfigurationA


def private_bucket(
    scope: Construct,
    *,
    sse_algorithm: str,
    kms_key_arn: str | None = None,
    bucket_key_enabled: bool | None = None,
    bucket: str | None = None,
    bucket_prefix: str | None = None,
    force_destroy: bool = False,
) -> PrivateBucket:
    """The bucket and its settings, with ids ``bucket``, ``public-access-block``,
    ``ownership-controls``, ``versioning`` and ``encryption`` under ``scope``."""
    created = S3Bucket(scope, "bucket", bucket=bucket, bucket_prefix=bucket_prefix, force_destroy=force_destroy)
    return PrivateBucket(
        bucket=created,
        public_access_block=S3BucketPublicAccessBlock(
            scope,
            "public-access-block",
            bucket=created.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        ),
        ownership_controls=S3BucketOwnershipControls(
            scope,
            "ownership-controls",
            bucket=created.id,
            rule=S3BucketOwnershipControlsRule(object_ownership="BucketOwnerEnforced"),
        ),
        versioning=S3BucketVersioningA(
            scope,
            "versioning",
            bucket=created.id,
            versioning_configuration=S3BucketVersioningVersioningConfiguration(status="Enabled"),
        ),
        encryption=S3BucketServerSideEncryptionConfigurationA(
            scope,
            "encryption",
            bucket=created.id,
            rule=[
                S3BucketServerSideEncryptionConfigurationRuleA(
                    apply_server_side_encryption_by_default=(
                        S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                            sse_algorithm=sse_algorithm, kms_master_key_id=kms_key_arn
                        )
                    ),
                    bucket_key_enabled=bucket_key_enabled,
                )
            ],
        ),
    )


def deny_insecure_transport(bucket_arn: str) -> DataAwsIamPolicyDocumentStatement:
    return DataAwsIamPolicyDocumentStatement(
        sid="DenyInsecureTransport",
        effect="Deny",
        actions=["s3:*"],
        resources=[bucket_arn, f"{bucket_arn}/*"],
        principals=[DataAwsIamPolicyDocumentStatementPrincipals(type="*", identifiers=["*"])],
        condition=[
            DataAwsIamPolicyDocumentStatementCondition(test="Bool", variable="aws:SecureTransport", values=["false"])
        ],
    )


def tls_only_policy(
    scope: Construct, made: PrivateBucket, statements: list[DataAwsIamPolicyDocumentStatement]
) -> tuple[DataAwsIamPolicyDocument, S3BucketPolicy]:
    """The bucket's policy: ``statements`` and the TLS-only deny, ids ``policy-document`` and ``policy``."""
    document = DataAwsIamPolicyDocument(
        scope, "policy-document", statement=[*statements, deny_insecure_transport(made.bucket.arn)]
    )
    policy = S3BucketPolicy(
        scope, "policy", bucket=made.bucket.id, policy=document.json, depends_on=[made.public_access_block]
    )
    return document, policy
