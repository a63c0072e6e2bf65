#!/usr/bin/env python3
"""Terraform for `cdktf deploy`/`destroy`, such that cancelling the CLI never leaves a resource
that exists but is not in the state.

cdktf 0.21 runs Terraform in a pseudo-terminal. On Ctrl-C or SIGTERM it types Ctrl-C into that
terminal and exits about 0.2 s later. Two things then go wrong:

- The closed terminal sends Terraform a SIGHUP. Terraform has no handler for it and dies at once,
  before it writes what it has created to the state.
- Even when Terraform survives, its stop on Ctrl-C cancels the provider's API calls in flight.
  A call that AWS has already carried out, such as an Elastic IP allocation, is then never
  recorded. The next deploy creates the resource a second time (or fails on its name).

cdktf runs this script instead of Terraform when `TERRAFORM_BINARY_NAME` names it (the Makefile's
deploy targets and deploy.yml do). For `apply` and `destroy` with `-auto-approve`, Terraform runs
in its own process group, with no terminal input and SIGHUP ignored. A cancel therefore does not
reach it: it finishes the run it began, writes the state and releases the lock, even after the
CLI has returned. The script says so, with the pid to interrupt by hand (`kill -INT <pid>`) when
that is really wanted. Every other command gets Ctrl-C as usual, with SIGHUP ignored, and SIGTERM
sent on. In both cases Terraform's output reaches the terminal while there is one and is dropped
afterwards, so a write error cannot stop Terraform.

Files Terraform writes (the local state, its backup, plans) are readable by their owner only.

`CDKTF_FARGATE_TERRAFORM` names the real binary (default: `terraform` on PATH). With
`CDKTF_FARGATE_TIMINGS` naming a file, each run appends a JSON line with its command, start and
duration there (`make bench-deploy` reads them: which part of a deploy is Terraform's).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

REAL_BINARY_VAR = "CDKTF_FARGATE_TERRAFORM"
TIMINGS_VAR = "CDKTF_FARGATE_TIMINGS"
# Commands that change infrastructure, which a cancel must not cut short.
CHANGING_COMMANDS = ("apply", "destroy")


def real_terraform() -> str:
    configured = os.environ.get(REAL_BINARY_VAR)
    if configured:
        return configured
    this = Path(__file__).resolve()
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        candidate = shutil.which("terraform", path=directory)
        if candidate and Path(candidate).resolve() != this:
            return candidate
    raise SystemExit(f"terraform_graceful: no terraform on PATH; set {REAL_BINARY_VAR} to its path")


def subcommand(argv: list[str]) -> str:
    return next((arg for arg in argv if not arg.startswith("-")), "")


def finishes_when_cancelled(argv: list[str]) -> bool:
    """Unattended runs of a changing command: nothing needs the terminal, and a cancel is not passed on."""
    return subcommand(argv) in CHANGING_COMMANDS and "-auto-approve" in argv


def record_timing(argv: list[str], started: float, seconds: float) -> None:
    path = os.environ.get(TIMINGS_VAR)
    if path:
        with open(path, "a", encoding="utf-8") as timings:
            line = {"command": subcommand(argv) or " ".join(argv), "started": started, "seconds": round(seconds, 3)}
            timings.write(json.dumps(line) + "\n")


class Terminal:
    """The CLI's terminal, written to until it is gone."""

    def __init__(self) -> None:
        self.gone = False

    def write(self, data: bytes) -> None:
        if self.gone:
            return
        try:
            os.write(sys.stdout.fileno(), data)
        except OSError:
            self.gone = True


def main(argv: list[str]) -> int:
    terminal = Terminal()
    # State files hold every resource's attributes, secrets' ARNs and sometimes their values: Terraform
    # writes them (and plans, backups, .terraform/) for this user only.
    os.umask(0o077)
    # An ignored signal stays ignored across exec: Terraform inherits this (it installs no SIGHUP handler).
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    command = [real_terraform(), *argv]
    started, clock = time.time(), time.monotonic()
    if finishes_when_cancelled(argv):
        terraform = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, process_group=0
        )

        def hold(signum: int, _frame: object) -> None:
            terminal.write(
                f"\n{signal.Signals(signum).name} received: Terraform (pid {terraform.pid}) finishes this {argv[0]} "
                f"so that the state records everything it changes. `kill -INT {terraform.pid}` interrupts it "
                "anyway, at the risk of resources that exist but are not in the state.\n".encode()
            )

        signal.signal(signal.SIGINT, hold)
        signal.signal(signal.SIGTERM, hold)
    else:
        terraform = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        # Only after the start, so that Terraform keeps Ctrl-C: typed into the terminal, it reaches
        # Terraform directly (same process group); one forwarded from here as well would be a second
        # interrupt, on which Terraform abandons its graceful stop.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, lambda *_: terraform.send_signal(signal.SIGTERM))
    assert terraform.stdout is not None
    # Reads and waits resume by themselves after a signal handler has run (PEP 475).
    while chunk := os.read(terraform.stdout.fileno(), 65536):
        terminal.write(chunk)
    returncode = terraform.wait()
    record_timing(argv, started, time.monotonic() - clock)
    return returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
