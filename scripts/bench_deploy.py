#!/usr/bin/env python3
"""Benchmark the local deploy loop: what `make deploy-local` runs, on a fresh emulator each run.

    python scripts/bench_deploy.py [--runs N] [--services]

Each run copies the app to a temporary directory pointed at an emulator of its own (the way the
end-to-end tests do; their `Deployment` is reused) and runs, as the Makefile runs them, `cdktf
deploy` of tag v1 (the first deploy), `cdktf deploy` of tag v2 (an image update) and `cdktf
destroy`. Each is split into phases from the Terraform wrapper's timings
(scripts/terraform_graceful.py, CDKTF_FARGATE_TIMINGS): the CLI's start, synth and `terraform
version` checks before `terraform init`; init; apply (or destroy); the outputs read after it; the
CLI's exit. The slowest resources of each step are named with their time: the provider's own waits.

Then, in the stack of the last run, `terraform validate` without and with an `endpoints` block in
the provider, rotating, N runs each: what giving the emulator's address through AWS_ENDPOINT_URL
instead saves on every Terraform run.

The `local` environment without its `services` table by default (one service, as an environment
without `services` deploys); `--services` deploys its three services. Prints medians; the results
also go to .bench/deploy.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from cdktf_fargate_emulator import LocalAws
from e2e_support import Deployment

ROOT = Path(__file__).resolve().parent.parent


STEPS = (("first deploy", "deploy", "v1"), ("image update", "deploy", "v2"), ("destroy", "destroy", "v2"))
PHASES = ("CLI, synth, version checks", "terraform init", "terraform apply/destroy", "outputs", "CLI exit")
# How the CLI reports a resource's end: `<address>: Creation complete after 1m0s [id=…]`.
RESOURCE_DONE = re.compile(
    r"(?P<address>[\w.-]+): (?:Creation|Modifications|Destruction) complete after (?:(?P<m>\d+)m)?(?P<s>\d+)s"
)
SLOWEST = 4


def phases(timings: list[dict[str, Any]], started: float, ended: float) -> dict[str, float]:
    """A CLI run's phases, from the wall clock and the Terraform runs it made (in order)."""
    by_command = {timing["command"]: timing for timing in timings}
    init = by_command["init"]
    change = by_command.get("apply") or by_command["destroy"]
    last = timings[-1]
    return {
        PHASES[0]: init["started"] - started,
        PHASES[1]: init["seconds"],
        PHASES[2]: change["seconds"],
        PHASES[3]: by_command["output"]["seconds"] if "output" in by_command else 0.0,
        PHASES[4]: ended - (last["started"] + last["seconds"]),
    }


def slowest_resources(output: str) -> dict[str, float]:
    durations = {
        match["address"]: 60 * int(match["m"] or 0) + int(match["s"]) for match in RESOURCE_DONE.finditer(output)
    }
    return dict(sorted(durations.items(), key=lambda item: -item[1])[:SLOWEST])


def one_run(services: bool, scratch: Path) -> tuple[dict[str, dict[str, Any]], Path]:
    env = dict(os.environ, CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1")
    results: dict[str, dict[str, Any]] = {}
    with LocalAws(port=0) as emulator:
        # As a user's deploy runs: Go's default collector.
        deployment = Deployment(scratch, emulator, env, app="bench", services=services, go_runtime={})
        for name, action, tag in STEPS:
            timings_file = scratch / f"timings-{action}-{tag}.jsonl"
            deployment.env["CDKTF_FARGATE_TIMINGS"] = str(timings_file)
            started = time.time()
            result, _ = deployment.run(action, tag)
            ended = time.time()
            if result.returncode != 0:
                raise SystemExit(f"{name} failed:\n{result.stdout[-4000:]}{result.stderr[-2000:]}")
            timings = [json.loads(line) for line in timings_file.read_text().splitlines()]
            results[name] = {
                "total": ended - started,
                "phases": phases(timings, started, ended),
                "slowest": slowest_resources(result.stdout),
            }
    return results, deployment.stack_dir


def validate_seconds(stack_dir: Path, endpoints: bool, env: dict[str, str]) -> float:
    """`terraform validate` of a copy of the stack, its provider with or without an `endpoints` block."""
    with tempfile.TemporaryDirectory() as directory:
        copy = Path(directory)
        config = json.loads((stack_dir / "cdk.tf.json").read_text())
        config["terraform"].pop("backend", None)
        if endpoints:
            config["provider"]["aws"][0]["endpoints"] = [dict.fromkeys(("ec2", "ecs", "elbv2", "s3"), "http://x:1")]
        (copy / "cdk.tf.json").write_text(json.dumps(config))
        shutil.copytree(stack_dir / ".terraform", copy / ".terraform", symlinks=True)
        if (stack_dir / ".terraform.lock.hcl").exists():
            shutil.copy(stack_dir / ".terraform.lock.hcl", copy / ".terraform.lock.hcl")
        started = time.monotonic()
        subprocess.run(["terraform", "validate", "-no-color"], cwd=copy, env=env, capture_output=True, check=True)
        return time.monotonic() - started


def short(address: str) -> str:
    """`aws_vpc_endpoint.network_endpoint-s3`, without the hash cdktf appends to a logical id."""
    return re.sub(r"_[0-9A-F]{8}$", "", address)


def median(values: list[float]) -> float:
    return round(statistics.median(values), 1)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--services", action="store_true", help="the `local` environment's three services")
    args = parser.parse_args(argv)
    runs = []
    stack_dir = None
    with tempfile.TemporaryDirectory() as scratch:
        for run in range(args.runs):
            directory = Path(scratch) / f"run-{run}"
            directory.mkdir()
            results, stack_dir = one_run(args.services, directory)
            runs.append(results)
            print(f"run {run + 1}: " + ", ".join(f"{name} {results[name]['total']:.1f} s" for name, *_ in STEPS))
        assert stack_dir is not None
        env = dict(os.environ, CHECKPOINT_DISABLE="1")
        validate: dict[str, list[float]] = {"without": [], "with": []}
        for _ in range(args.runs):
            for variant, seconds in validate.items():
                seconds.append(validate_seconds(stack_dir, variant == "with", env))

    summary: dict[str, Any] = {"runs": args.runs, "services": 3 if args.services else 1, "steps": {}}
    print(f"\nmedians of {args.runs} runs, {summary['services']} service(s):")
    print(f"{'':30}" + "".join(f"{name:>15}" for name, *_ in STEPS))
    for row in ("total", *PHASES):
        cells = []
        for name, *_ in STEPS:
            values = [run[name]["total"] if row == "total" else run[name]["phases"][row] for run in runs]
            summary["steps"].setdefault(name, {})[row] = median(values)
            cells.append(f"{median(values):>13.1f} s")
        print(f"{row:30}" + "".join(cells))
    for name, *_ in STEPS:
        # A resource missing from a run's list took less there than that run's slowest few.
        seen = {address for run in runs for address in run[name]["slowest"]}
        medians = {address: median([run[name]["slowest"].get(address, 0) for run in runs]) for address in seen}
        slowest = dict(sorted(medians.items(), key=lambda item: -item[1])[:SLOWEST])
        summary["steps"][name]["slowest"] = slowest
        listed = ", ".join(f"{short(address)} {seconds:.0f} s" for address, seconds in slowest.items())
        print(f"slowest in {name}: {listed}")
    without, with_block = median(validate["without"]), median(validate["with"])
    summary["validate_seconds"] = {"AWS_ENDPOINT_URL": without, "endpoints block": with_block}
    print(
        f"terraform validate: {without:.1f} s with AWS_ENDPOINT_URL, {with_block:.1f} s with an endpoints block "
        f"({with_block - without:+.1f} s on every Terraform run)"
    )
    out = ROOT / ".bench"
    out.mkdir(exist_ok=True)
    (out / "deploy.json").write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
