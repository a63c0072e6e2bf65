#!/usr/bin/env python
"""Print what a CI deploy of one environment needs, as `key=value` lines for $GITHUB_OUTPUT.

    python scripts/deploy_target.py prod --require-remote-state >> "$GITHUB_OUTPUT"

Exits non-zero, naming the setting, when the environment cannot be deployed from CI: a runner's
disk is gone after the job, so its state must live in S3 (`state_bucket`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from stacks.environments import EnvironmentConfig, load_environment

# The platform `docker build` targets for each ECS runtime architecture.
IMAGE_PLATFORMS = {"X86_64": "linux/amd64", "ARM64": "linux/arm64"}


def deploy_target(config: EnvironmentConfig, *, require_remote_state: bool) -> dict[str, str]:
    if require_remote_state and not config.state_bucket:
        raise ValueError(
            f"environment {config.environment!r}: state_bucket is not set; a CI deploy needs remote state "
            "(set state_bucket in environments.toml, an existing versioned S3 bucket)"
        )
    if config.aws_endpoint_url:
        raise ValueError(
            f"environment {config.environment!r}: aws_endpoint_url={config.aws_endpoint_url!r} points at an "
            "emulator; CI deploys only to AWS"
        )
    return {
        "stack_name": config.stack_name,
        "repository_name": config.resource_name,
        "region": config.region,
        "image_platform": IMAGE_PLATFORMS[config.service.task.cpu_architecture],
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("environment", help="a table of environments.toml")
    parser.add_argument("--require-remote-state", action="store_true", help="fail unless state_bucket is set")
    args = parser.parse_args(argv)
    try:
        target = deploy_target(load_environment(args.environment), require_remote_state=args.require_remote_state)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for key, value in target.items():
        print(f"{key}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
