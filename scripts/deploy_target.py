#!/usr/bin/env python
"""Print what a CI deploy of one environment needs, as `key=value` lines for $GITHUB_OUTPUT; or
build and push its images.

    python scripts/deploy_target.py prod --require-remote-state >> "$GITHUB_OUTPUT"
    python scripts/deploy_target.py prod --push-images --registry <registry> --tag <sha>
    python scripts/deploy_target.py prod --require-images --tag <sha>      # before a rollback
    python scripts/deploy_target.py --environments >> "$GITHUB_OUTPUT"   # what CI deploys, in order
    python scripts/deploy_target.py prod --require-remote-state --drift-role >> "$GITHUB_OUTPUT"

Exits non-zero, naming the setting, when the environment cannot be deployed from CI: a runner's
disk is gone after the job, so its state must live in S3 (`state_bucket`).

One image per repository: an environment with `services` builds each service's from its
`build.context` and `build.dockerfile` for its task's architecture; a service that shares
another's repository runs that image. Tags are immutable, so an image already pushed for this
tag (a re-run of the same commit) is not built again.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from stacks.environments import EnvironmentConfig, load_bootstrap, load_environment

# The platform `docker build` targets for each ECS runtime architecture.
IMAGE_PLATFORMS = {"X86_64": "linux/amd64", "ARM64": "linux/arm64"}
# GitHub's `ubuntu-latest` runners.
RUNNER_PLATFORM = "linux/amd64"


def drift_role_arn(config: EnvironmentConfig, account_id: str = "") -> str:
    """The read-only drift role's ARN, in `account_id` (or ``account_id``, the repository variable
    AWS_ACCOUNT_ID, for settings that do not name it)."""
    account = config.account_id or account_id
    if not account:
        raise ValueError(
            f"environment {config.environment!r}: account_id is not set; the drift check assumes the drift role "
            "of the environment's account (set account_id in environments.toml, or the repository variable "
            "AWS_ACCOUNT_ID)"
        )
    return f"arn:aws:iam::{account}:role{config.deploy_role_path}{config.drift_role_name}"


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
    # A promoted environment builds nothing: it copies what `promote_from` ran (scripts/promote_images.py).
    built = [] if config.promote_from else images(config)
    return {
        "stack_name": config.stack_name,
        "region": config.region,
        "images": json.dumps(built, separators=(",", ":")),
        "promote_from": config.promote_from,
        # What the x86_64 runner must emulate (QEMU) to build for the tasks' architecture; empty when nothing.
        "emulated_platforms": ",".join(
            sorted({image["platform"].split("/")[1] for image in built if image["platform"] != RUNNER_PLATFORM})
        ),
    }


def images(config: EnvironmentConfig) -> list[dict[str, str]]:
    """Each image to build: its repository, build context, Dockerfile and platform."""
    built = []
    for key, (repository, architecture) in config.images().items():
        build = config.services[key].build if key else config.build
        built.append(_image(repository, build.context, build.dockerfile, architecture))
    return built


def _image(repository: str, context: str, dockerfile: str, architecture: str) -> dict[str, str]:
    context = context or "."
    return {
        "repository": repository,
        "context": context,
        "dockerfile": dockerfile or f"{context.rstrip('/')}/Dockerfile",
        "platform": IMAGE_PLATFORMS[architecture],
    }


Runner = Callable[[Sequence[str]], int]


def deploy_order(config_path: str | Path | None = None) -> list[str]:
    """The environments CI deploys, in order (each after the previous succeeded): `[bootstrap]
    environments`, the ones with a deploy role. The workflows read their matrix from here."""
    return list(load_bootstrap(config_path)[0].environments)


def _has_image(repository: str, tag: str, run: Runner) -> bool:
    return (
        run(["aws", "ecr", "describe-images", "--repository-name", repository, "--image-ids", f"imageTag={tag}"]) == 0
    )


def missing_images(built: list[dict[str, str]], *, tag: str, run: Runner) -> list[str]:
    """The repositories that hold no image tagged ``tag`` (a rollback deploys only a tag every one has)."""
    return [image["repository"] for image in built if not _has_image(image["repository"], tag, run)]


def push_images(built: list[dict[str, str]], *, registry: str, tag: str, run: Runner) -> list[str]:
    """Build and push each image tagged ``tag`` unless the repository has it; returns the images pushed."""
    pushed = []
    for image in built:
        reference = f"{registry}/{image['repository']}:{tag}"
        if _has_image(image["repository"], tag, run):
            print(f"{reference} already pushed")
            continue
        command = ["docker", "buildx", "build", "--platform", image["platform"], "--file", image["dockerfile"]]
        if run([*command, "--tag", reference, "--push", image["context"]]) != 0:
            raise RuntimeError(f"building {reference} from {image['context']} failed")
        pushed.append(reference)
    return pushed


def _run(command: Sequence[str]) -> int:
    return subprocess.run(command, check=False, stdout=sys.stderr if command[0] == "aws" else None).returncode


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("environment", nargs="?", help="a table of environments.toml")
    parser.add_argument(
        "--environments", action="store_true", help="print `environments=<JSON list>`: what CI deploys, in order"
    )
    parser.add_argument("--require-remote-state", action="store_true", help="fail unless state_bucket is set")
    parser.add_argument(
        "--drift-role",
        action="store_true",
        help="also print drift_role_arn (account_id, else the AWS_ACCOUNT_ID variable; fail without either)",
    )
    parser.add_argument("--push-images", action="store_true", help="build and push every image of the environment")
    parser.add_argument(
        "--require-images", action="store_true", help="fail unless every repository of the environment has --tag"
    )
    parser.add_argument(
        "--registry", help="with --push-images: the ECR registry, <account>.dkr.ecr.<region>.amazonaws.com"
    )
    parser.add_argument("--tag", help="with --push-images or --require-images: the tag, a commit SHA")
    args = parser.parse_args(argv)
    if args.environments:
        try:
            print(f"environments={json.dumps(deploy_order(), separators=(',', ':'))}")
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        return 0
    if not args.environment:
        parser.error("name an environment, or give --environments")
    try:
        config = load_environment(args.environment)
        target = deploy_target(config, require_remote_state=args.require_remote_state)
        if args.drift_role:
            target["drift_role_arn"] = drift_role_arn(config, os.environ.get("AWS_ACCOUNT_ID", ""))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.require_images:
        if not args.tag:
            parser.error("--require-images needs --tag")
        missing = missing_images(images(config), tag=args.tag, run=_run)
        if missing:
            print(
                f"error: no image tagged {args.tag!r} in {', '.join(missing)}: a rollback deploys a tag every "
                "repository still holds (the lifecycle policy keeps the newest `repository.keep_last_images`)",
                file=sys.stderr,
            )
            return 1
        return 0
    if args.push_images:
        if not args.registry or not args.tag:
            parser.error("--push-images needs --registry and --tag")
        try:
            push_images(images(config), registry=args.registry, tag=args.tag, run=_run)
        except RuntimeError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        return 0
    for key, value in target.items():
        print(f"{key}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
