"""Where a stack keeps its state and how it talks to AWS: the S3 backend and the provider, with the
emulator's settings when `aws_endpoint_url` is set. Every stack of the app uses these."""

from __future__ import annotations

from collections.abc import Mapping

from cdktf import S3Backend, S3BackendEndpointConfig, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags
from constructs import Construct

# moto's account: any credentials it does not know are this account's. An emulator environment's provider
# refuses every other account, so a run whose AWS_ENDPOINT_URL is missing stops before it changes anything.
EMULATOR_ACCOUNT = "123456789012"


def backend_settings(aws_endpoint_url: str) -> dict[str, object]:
    """Extra S3 backend settings; only a stack with `aws_endpoint_url` keeps its state in the emulator."""
    if not aws_endpoint_url:
        return {}
    url = aws_endpoint_url
    return {
        "endpoints": S3BackendEndpointConfig(s3=url, sts=url, iam=url),
        "use_path_style": True,
        "skip_metadata_api_check": True,
        "skip_region_validation": True,
    }


def state_in_bucket(stack: TerraformStack, *, bucket: str, key: str, region: str, aws_endpoint_url: str) -> None:
    """The stack's state in S3: encrypted, with S3's own lock file."""
    S3Backend(
        stack,
        bucket=bucket,
        key=key,
        region=region,
        encrypt=True,
        **backend_settings(aws_endpoint_url),  # type: ignore[arg-type]
    )
    # S3's own locking (Terraform 1.10+); cdktf 0.21's S3Backend has no field for it.
    stack.add_override("terraform.backend.s3.use_lockfile", True)


def provider_settings(aws_endpoint_url: str, account_id: str = "") -> dict[str, object]:
    """Extra provider settings. With ``account_id``, credentials of any other account stop every plan before
    it changes anything. With `aws_endpoint_url` (the local emulator), the emulator's settings.

    The address itself reaches the provider as AWS_ENDPOINT_URL (`make deploy-local` sets it): an
    `endpoints` block costs 3 to 4 s of the provider's configuration check on every Terraform run
    (docs/local-emulator.md#deploy-loop). Credentials come from the environment, as on AWS: the
    Makefile's dummy ones, or a role's session (tests/test_end_to_end_deploy_role.py deploys with the
    deploy role's). Only the emulator's account is accepted, so a run without the variable stops at
    the provider's account check, before it changes anything in a real account.
    """
    if not aws_endpoint_url:
        return {"allowed_account_ids": [account_id]} if account_id else {}
    return {
        "allowed_account_ids": [EMULATOR_ACCOUNT],
        "skip_metadata_api_check": "true",
        "s3_use_path_style": True,
    }


def aws_provider(
    scope: Construct,
    *,
    region: str,
    tags: Mapping[str, str],
    aws_endpoint_url: str,
    account_id: str = "",
    alias: str | None = None,
) -> AwsProvider:
    """The stack's provider: every resource tagged (deploy roles are scoped by the `Environment` tag); with
    ``alias``, another region's."""
    return AwsProvider(
        scope,
        f"aws-{alias}" if alias else "aws",
        alias=alias,
        region=region,
        default_tags=[AwsProviderDefaultTags(tags={"ManagedBy": "cdktf", **tags})],
        **provider_settings(aws_endpoint_url, account_id),  # type: ignore[arg-type]
    )
