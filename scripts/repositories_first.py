#!/usr/bin/env python
"""Create the environment's image repositories that do not exist yet, and nothing else, so the
images can be pushed before the deploy that runs them.

    python scripts/repositories_first.py --stack-dir cdktf.out/stacks/<stack> --var image_tag=<sha>

Only the stack creates the repositories, and the deploy workflow builds and pushes before it deploys:
without this step, the first deploy of an environment (or of a newly added service) would find no
repository to push to. A repository already in the state is left alone (nothing is applied when all
are); otherwise Terraform applies the missing repositories alone (`-target`), with what they need
(the environment's KMS key) and nothing that runs an image. The deploy that follows creates the rest.

It also stops, before anything is applied, a deploy that would delete a repository holding images: one
in the state that the stack no longer declares (a service removed or renamed, one service moved to a
`services` table), unless that repository lets destroy delete its images (`repository.force_delete`).
Terraform's `prevent_destroy` cannot: it lives in the configuration the change removed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

Terraform = Callable[[Path, Sequence[str]], subprocess.CompletedProcess[str]]
REPOSITORY = "aws_ecr_repository"


def terraform(stack_dir: Path, args: Sequence[str]) -> subprocess.CompletedProcess[str]:
    # The deploy's own Terraform (the workflow's graceful wrapper: a cancel never cuts an apply short).
    binary = os.environ.get("TERRAFORM_BINARY_NAME") or "terraform"
    return subprocess.run([binary, *args], cwd=stack_dir, capture_output=True, text=True, check=False)


def repository_addresses(config: dict[str, object]) -> list[str]:
    resources = config.get("resource", {})
    assert isinstance(resources, dict)
    return sorted(f"{REPOSITORY}.{name}" for name in resources.get(REPOSITORY, {}))


def held_repositories(stack_dir: Path, run: Terraform = terraform) -> dict[str, dict[str, Any]]:
    """The repositories in the state: address -> attributes (`name`, `force_delete`, …)."""
    if not (stack_dir / ".terraform").is_dir():
        _must(run(stack_dir, ["init", "-input=false", "-no-color"]), "terraform init")
    pulled = run(stack_dir, ["state", "pull"])
    _must(pulled, "terraform state pull")
    # An environment never deployed has no state yet: nothing is pulled.
    state = json.loads(pulled.stdout) if pulled.stdout.strip() else {}
    return {
        f"{REPOSITORY}.{resource['name']}": instance["attributes"]
        for resource in state.get("resources", [])
        if resource.get("type") == REPOSITORY and resource.get("mode") == "managed"
        for instance in resource.get("instances", [])
    }


def plan_repositories(stack_dir: Path, run: Terraform = terraform) -> list[str]:
    """The repositories the stack declares that the state does not hold yet; raises, naming them, when the
    state holds repositories with their images that the stack no longer declares."""
    declared = repository_addresses(json.loads((stack_dir / "cdk.tf.json").read_text()))
    held = held_repositories(stack_dir, run)
    doomed = {address: attributes for address, attributes in held.items() if address not in declared}
    kept = [
        f"{attributes.get('name')} ({address})"
        for address, attributes in doomed.items()
        if not attributes.get("force_delete")
    ]
    if kept:
        raise RuntimeError(
            "this deploy would delete " + ", ".join(kept) + " with the images it holds: the stack no longer "
            "declares it. To keep it, declare it again (the same service, or a `moved` block to its new construct "
            "id). To delete it with its images, first deploy with it still declared and repository.force_delete = "
            "true, then remove it."
        )
    return [address for address in declared if address not in held]


def create(stack_dir: Path, addresses: Sequence[str], variables: Sequence[str], run: Terraform = terraform) -> None:
    _must(
        run(
            stack_dir,
            [
                "apply", "-input=false", "-no-color", "-auto-approve",
                *(f"-target={address}" for address in addresses),
                *(f"-var={variable}" for variable in variables),
            ],
        ),
        "terraform apply of the repositories",
    )  # fmt: skip


def _must(result: subprocess.CompletedProcess[str], what: str) -> None:
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack-dir", type=Path, required=True, help="the synthesized stack (`cdktf synth` first)")
    parser.add_argument("--var", action="append", default=[], help="name=value, as the deploy passes them")
    args = parser.parse_args(argv)
    try:
        missing = plan_repositories(args.stack_dir, terraform)
        if not missing:
            print("every repository exists")
            return 0
        print("creating " + ", ".join(missing), flush=True)
        create(args.stack_dir, missing, args.var, terraform)
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print("created " + ", ".join(missing))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
