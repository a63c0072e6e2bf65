"""scripts/local_aws.py stop: it signals the emulator it started, and never a process that took its pid."""

from __future__ import annotations

import subprocess
import sys
import time

from conftest import ROOT
from local_aws import stop
from test_end_to_end import free_port

SCRIPT = ROOT / "scripts" / "local_aws.py"


def test_stop_signals_nothing_when_the_pid_is_not_the_emulators(tmp_path):
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        pid_file = tmp_path / "moto.pid"
        pid_file.write_text(str(bystander.pid))
        assert stop(pid_file) == 0
        assert bystander.poll() is None
        assert not pid_file.exists()
    finally:
        bystander.kill()
        bystander.wait()


def test_stop_ends_the_emulator_it_started(tmp_path):
    pid_file = tmp_path / "moto.pid"
    emulator = subprocess.Popen(
        [sys.executable, str(SCRIPT), "serve", "--port", str(free_port()), "--pid-file", str(pid_file)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not pid_file.exists():
            assert emulator.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
        assert stop(pid_file) == 0
        assert emulator.wait(timeout=30) == 0
        assert not pid_file.exists()
    finally:
        emulator.kill()
