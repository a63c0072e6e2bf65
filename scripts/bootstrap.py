#!/usr/bin/env python
"""`make bootstrap`, `make bootstrap-plan`, `make bootstrap-destroy`: the account's bootstrap stack, whose
state is kept in the state bucket it creates.

    python scripts/bootstrap.py deploy|plan|destroy [-- more cdktf arguments]

A first run has no bucket to keep its state in: it deploys with a local state file, then moves the
state into the bucket (`terraform init -migrate-state`) and deletes the local file. Later runs use the
bucket; a local state an earlier release left is moved there first. `plan` says what a run would
change (exit 0: nothing, 2: changes). `destroy` moves the state back to a local file first (the bucket
is among what it deletes), then destroys.

main.py synthesizes the stack with its state in the bucket unless CDKTF_FARGATE_BOOTSTRAP_STATE=local.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from cdktf_fargate_cli.commands import cdktf_command

from stacks.environments import BOOTSTRAP_TABLE, ENV_VAR, BootstrapConfig, load_bootstrap

ROOT = Path(__file__).resolve().parent.parent


STATE_VAR = "CDKTF_FARGATE_BOOTSTRAP_STATE"
Run = Callable[[Sequence[str], dict[str, str]], int]


def _run(command: Sequence[str], env: dict[str, str]) -> int:
    print("$ " + " ".join(command), flush=True)
    return subprocess.run(command, env=env, check=False).returncode


class Bootstrap:
    def __init__(self, config: BootstrapConfig, *, run: Run = _run, bucket_exists: Callable[[], bool] | None = None):
        self.config = config
        self.run = run
        self.stack_dir = Path("cdktf.out") / "stacks" / config.stack_name
        self.local_state = Path(f"terraform.{config.stack_name}.tfstate")
        self.bucket_exists = bucket_exists or self._bucket_exists
        self.cdktf = cdktf_command()

    def env(self, state: str) -> dict[str, str]:
        return {**os.environ, ENV_VAR: BOOTSTRAP_TABLE, STATE_VAR: state}

    def must(self, command: Sequence[str], state: str, what: str) -> None:
        if self.run(command, self.env(state)) != 0:
            raise RuntimeError(f"{what} failed (see above)")

    def terraform(self, *args: str) -> list[str]:
        return ["terraform", f"-chdir={self.stack_dir}", *args]

    def synth(self, state: str) -> None:
        self.must([*self.cdktf, "synth"], state, f"cdktf synth ({state} state)")

    def move_state(self, to: str) -> None:
        """The state from the other backend to ``to``: synthesized with the other first, then ``to``."""
        source = "local" if to == "bucket" else "bucket"
        self.synth(source)
        self.must(self.terraform("init", "-input=false", "-reconfigure"), source, "terraform init")
        self.synth(to)
        self.must(
            self.terraform("init", "-input=false", "-migrate-state", "-force-copy"), to, f"moving the state to {to}"
        )
        if to == "bucket":
            # One copy of the state: the bucket's (versioned). The local file would only mislead.
            for leftover in (self.local_state, Path(f"{self.local_state}.backup")):
                leftover.unlink(missing_ok=True)

    def in_bucket(self) -> None:
        """Synthesized and initialized with the state in the bucket, moving a local state there first."""
        if self.local_state.exists():
            print(f"moving {self.local_state} into s3://{self.config.state_bucket}", flush=True)
            self.move_state("bucket")
            return
        self.synth("bucket")
        self.must(self.terraform("init", "-input=false", "-reconfigure"), "bucket", "terraform init")

    def deploy(self, extra: Sequence[str]) -> int:
        if not self.bucket_exists():
            print(f"first run: s3://{self.config.state_bucket} does not exist yet; a local state until it does")
            self.must([*self.cdktf, "deploy", "--auto-approve", *extra], "local", "the first deploy")
            self.move_state("bucket")
            return 0
        self.in_bucket()
        return self.run([*self.cdktf, "deploy", "--auto-approve", *extra], self.env("bucket"))

    def plan(self) -> int:
        self.in_bucket()
        return self.run(self.terraform("plan", "-input=false", "-detailed-exitcode"), self.env("bucket"))

    def destroy(self, extra: Sequence[str]) -> int:
        if self.bucket_exists() and not self.local_state.exists():
            self.move_state("local")
        return self.run([*self.cdktf, "destroy", "--auto-approve", *extra], self.env("local"))

    def _bucket_exists(self) -> bool:
        import boto3
        import botocore.exceptions

        options = {"region_name": self.config.region}
        if self.config.aws_endpoint_url:
            options["endpoint_url"] = self.config.aws_endpoint_url
        try:
            boto3.client("s3", **options).head_bucket(Bucket=self.config.state_bucket)
        except botocore.exceptions.ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchBucket", "NotFound"):
                return False
            raise
        return True


def main(argv: list[str]) -> int:
    ours, extra = (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["deploy", "plan", "destroy"])
    args = parser.parse_args(ours)
    try:
        bootstrap = Bootstrap(load_bootstrap()[0])
        if args.action == "deploy":
            return bootstrap.deploy(extra)
        if args.action == "plan":
            return bootstrap.plan()
        return bootstrap.destroy(extra)
    except (RuntimeError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
