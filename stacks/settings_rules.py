"""The rules several settings tables share: names, ARNs, regions and account ids, as patterns."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from cdktf_fargate.options import Pattern

ENVIRONMENT_NAME = Pattern(
    re.compile(r"[a-z][a-z0-9-]{0,15}"), "must be 1-16 lower-case letters, digits or hyphens, starting with a letter"
)
APP_NAME = Pattern(
    re.compile(r"[a-z][a-z0-9-]{0,14}"), "must be 1-15 lower-case letters, digits or hyphens, starting with a letter"
)
OPTIONAL_ENDPOINT_URL = Pattern(
    re.compile(r"(https?://[A-Za-z0-9.-]+:\d{1,5}/?)?"), "must be http(s)://host:port, e.g. 'http://127.0.0.1:4566'"
)
ACCOUNT_ID = Pattern(re.compile(r"(\d{12})?"), "must be a 12-digit AWS account id, e.g. '123456789012'")
# The account moto answers as (the provider accepts only it when aws_endpoint_url is set).
EMULATOR_ACCOUNT_ID = "123456789012"
ACCOUNT_HELP = (
    "the AWS account it deploys to: credentials of any other account stop every plan before it changes "
    "anything (the provider's `allowed_account_ids`), and ARNs in these settings that must be in it are checked"
)
OPTIONAL_ENVIRONMENT_NAME = Pattern(
    re.compile(r"([a-z][a-z0-9-]{0,15})?"), "must be the name of another environment of this file, or empty"
)
OPTIONAL_REGION = Pattern(re.compile(r"([a-z]{2}(-[a-z]+)+-\d)?"), "must be a region name like 'us-east-1'")

Report = Callable[[str, Any, str], None]
GITHUB_REPOSITORY = Pattern(
    re.compile(r"([A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100})?"), "must be '<owner>/<repository>' as on GitHub"
)
GITHUB_ENVIRONMENT = Pattern(
    re.compile(r"[^\s'\"`,;:\\*?]{0,255}"),
    "must be a GitHub environment name without spaces, quotes, wildcards, ',', ';' or ':'",
)
BRANCH_NAME = Pattern(re.compile(r"[A-Za-z0-9._/-]{1,255}"), "must be a branch name without spaces, wildcards or ':'")
OPTIONAL_ARN = Pattern(re.compile(r"(arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:.+)?"), "must be an ARN")
RESOURCE_ARN = Pattern(
    re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:[^\s]+"),
    "must be a resource ARN like 'arn:aws:s3:::shared-bucket' or 'arn:aws:ses:us-east-1:123456789012:identity/x'",
)
BUCKET_NAME = Pattern(
    re.compile(r"([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])?"),
    "must be an S3 bucket name (3-63 lower-case letters, digits, '.', '-')",
)
