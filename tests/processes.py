"""The processes the end-to-end suites start (the cdktf CLI, Terraform, its provider), found again and
ended whatever happens: a timeout, a failing fixture, Ctrl-C, the end of the run.

They are marked by a variable in their environment, which every descendant inherits. Neither the
process nor its group would do: the cdktf CLI runs Terraform in a terminal of its own, and
scripts/terraform_graceful.py puts an apply in its own process group so that a cancel does not cut it
short. Such a Terraform outlives the CLI and, with the suites running side by side, would go on
retrying against an emulator that has stopped, holding a core and its files.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

MARK = "CDKTF_FARGATE_TEST_OWNER"
# Time to stop cleanly after SIGINT (Terraform writes its state and releases its lock), then SIGKILL.
GRACE_SECONDS = 20


def marked(env: Mapping[str, str], name: str) -> dict[str, str]:
    """``env`` with a mark that names this pytest process and ``name`` (a suite's deployment)."""
    return {**env, MARK: f"{os.getpid()}/{name}"}


def run(
    command: Sequence[str], *, env: Mapping[str, str], timeout: float, **options: Any
) -> subprocess.CompletedProcess[str]:
    """subprocess.run with output captured as text and no check; on a timeout or any exception (Ctrl-C
    included), every process of ``env``'s mark is ended before it propagates."""
    try:
        return subprocess.run(
            list(command), env=dict(env), timeout=timeout, capture_output=True, text=True, check=False, **options
        )
    except BaseException:
        end(env[MARK])
        raise


def running(mark: str, *, prefix: bool = False) -> dict[int, str]:
    """pid -> command line of every process whose environment holds ``mark`` (or a mark starting with it)."""
    return {pid: command for pid, (value, command) in _marked_processes().items() if _matches(value, mark, prefix)}


def _matches(value: str, mark: str, prefix: bool) -> bool:
    return value.startswith(mark) if prefix else value == mark


def orphans() -> dict[int, str]:
    """Marked processes whose pytest is gone: killed (SIGKILL, or SIGTERM, which Python does not turn
    into cleanup), it could not end them, and they would hold the cores of the runs after it."""
    return {pid: f"{mark}: {command}" for pid, (mark, command) in _marked_processes().items() if not _alive(mark)}


def end_orphans(grace: float = 5) -> dict[int, str]:
    """End what killed runs left; what was found."""
    found = orphans()
    _signal(found, signal.SIGINT)
    deadline = time.monotonic() + grace
    while (left := {pid: found[pid] for pid in orphans() if pid in found}) and time.monotonic() < deadline:
        time.sleep(0.2)
    _signal(left, signal.SIGKILL)
    return found


def _alive(mark: str) -> bool:
    owner = mark.split("/", 1)[0]
    if not owner.isdigit():
        return True  # not a mark of ours: leave it alone
    try:
        os.kill(int(owner), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _marked_processes() -> dict[int, tuple[str, str]]:
    """pid -> (mark, command line) of every marked process but this one."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            variables = (entry / "environ").read_bytes().split(b"\0")
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        for variable in variables:
            name, _, value = variable.decode(errors="replace").partition("=")
            if name == MARK:
                found[int(entry.name)] = (value, command)
                break
    return found


def end(mark: str, *, prefix: bool = False, grace: float = GRACE_SECONDS) -> dict[int, str]:
    """SIGINT to every process of ``mark``, SIGKILL to those left after ``grace`` seconds; what was running."""
    found = running(mark, prefix=prefix)
    _signal(found, signal.SIGINT)
    deadline = time.monotonic() + grace
    while (left := running(mark, prefix=prefix)) and time.monotonic() < deadline:
        time.sleep(0.2)
    _signal(left, signal.SIGKILL)
    return found


def end_all_of_this_process(grace: float = 5) -> dict[int, str]:
    """End what any suite of this pytest process started and left running."""
    return end(f"{os.getpid()}/", prefix=True, grace=grace)


def _signal(pids: Mapping[int, str], signum: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signum)
