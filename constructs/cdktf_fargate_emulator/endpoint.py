"""Whether an environment deploys to the emulator, and how Terraform then reaches it: read from the
settings file alone, without moto or cdktf, since the Makefile asks before every Terraform run."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

DEFAULT_PORT = 4566
DEFAULT_DOMAIN = "app.local.test"
# How the provider learns the emulator's address: the AWS SDKs' own variable, not an `endpoints`
# block, which costs seconds on every Terraform run (docs/local-emulator.md#deploy-loop).
ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL"
DUMMY_CREDENTIALS = "AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test"


def endpoint_assignment(environment: str | None = None, config_path: str | Path | None = None) -> str:
    """`AWS_ENDPOINT_URL=<url>` and the emulator's dummy credentials for an environment that deploys to an
    emulator (`aws_endpoint_url`), else "". The stack takes credentials from the environment as on AWS
    (and accepts only the emulator's account), so these replace whatever a shell holds.

    The file is found as the app finds it (stacks/settings_file.py: ``CDKTF_FARGATE_CONFIG``, else
    `environments.toml` where the command runs), without building the settings (that loads cdktf:
    seconds before every Terraform run). tests/test_local_aws.py checks it against the loaded
    settings of every environment.
    """
    path = Path(config_path or os.environ.get("CDKTF_FARGATE_CONFIG") or "environments.toml")
    name = environment or os.environ.get("CDKTF_FARGATE_ENV") or "prod"
    url = tomllib.loads(path.read_text()).get(name, {}).get("aws_endpoint_url", "")
    return f"{ENDPOINT_VARIABLE}={url} {DUMMY_CREDENTIALS}" if url else ""
