#!/usr/bin/env python3
"""Terraform for `cdktf deploy`/`destroy`, such that cancelling the CLI stops Terraform cleanly.

cdktf 0.21 runs Terraform in a pseudo-terminal. On Ctrl-C or SIGTERM it types Ctrl-C into that
terminal and exits about 0.2 s later. That closes the terminal, and the kernel sends SIGHUP to
Terraform, which has no handler for it and dies at once. It does not wait for the AWS calls it
has in flight, and it does not write them to the state. A resource created in that window then
exists outside the state, and the next deploy creates it a second time (or fails on it).

cdktf runs this script instead of Terraform when `TERRAFORM_BINARY_NAME` names it (the Makefile's
deploy targets do this). The script:

- starts Terraform with SIGHUP ignored, so the closed terminal does not kill it;
- passes Terraform's output on to the terminal while the terminal is there, and drops it once
  the terminal is gone, so a write error cannot stop Terraform;
- sends SIGTERM on to Terraform when the script gets it (Ctrl-C typed into the terminal reaches
  Terraform directly: it is in the same foreground process group).

Terraform then stops as it does on a single Ctrl-C: it finishes the calls in flight, writes the
state and releases the lock. A deploy run after that carries on from a state that is true.
`CDKTF_FARGATE_TERRAFORM` names the real binary (default: `terraform` on PATH).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

REAL_BINARY_VAR = "CDKTF_FARGATE_TERRAFORM"


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


def main(argv: list[str]) -> int:
    # An ignored signal stays ignored across exec: Terraform inherits this (it installs no SIGHUP handler).
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    terraform = subprocess.Popen([real_terraform(), *argv], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    # Only after the start, so that Terraform keeps Ctrl-C: typed into the terminal, it reaches
    # Terraform directly (same process group); one forwarded from here as well would be a second
    # interrupt, on which Terraform abandons its graceful stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: terraform.send_signal(signal.SIGTERM))
    assert terraform.stdout is not None
    output = terraform.stdout.fileno()
    terminal_gone = False
    while chunk := os.read(output, 65536):
        if terminal_gone:
            continue
        try:
            os.write(sys.stdout.fileno(), chunk)
        except OSError:
            terminal_gone = True
    return terraform.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
