"""scripts/terraform_graceful.py: what cdktf runs instead of terraform, so that a cancelled deploy
never leaves a resource outside the state. Checked here against a stand-in Terraform that reports
the signals it gets; tests/test_end_to_end_interrupted.py checks it with the real CLI, Terraform
and provider."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import ROOT

WRAPPER = ROOT / "scripts" / "terraform_graceful.py"

# Called as `<command> <lines> [flags]`. Reports each signal it handles to a file, prints a line
# every 50 ms, and exits 7 when told to stop (by SIGINT or SIGTERM), or 0 after <lines> lines.
STAND_IN = textwrap.dedent(
    """\
    import os, signal, sys, time
    report = open(os.environ["SIGNAL_REPORT"], "a", buffering=1)
    stop = []
    def handle(signum, frame):
        report.write(signal.Signals(signum).name + "\\n")
        stop.append(signum)
    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    report.write("hup-ignored\\n" if signal.getsignal(signal.SIGHUP) == signal.SIG_IGN else "hup-default\\n")
    report.write("args " + " ".join(sys.argv[1:]) + "\\n")
    for line in range(int(sys.argv[2])):
        if stop:
            report.write("stopped cleanly\\n")
            sys.exit(7)
        print(f"line {line}", flush=True)
        time.sleep(0.05)
    open(os.environ["SIGNAL_REPORT"] + ".tfstate", "w").close()
    report.write("finished\\n")
    """
)


@pytest.fixture
def stand_in(tmp_path) -> dict[str, str]:
    program = tmp_path / "terraform"
    program.write_text(f"#!{sys.executable}\n{STAND_IN}")
    program.chmod(0o755)
    return {**os.environ, "CDKTF_FARGATE_TERRAFORM": str(program), "SIGNAL_REPORT": str(tmp_path / "report")}


def report(env: dict[str, str]) -> list[str]:
    return Path(env["SIGNAL_REPORT"]).read_text().splitlines()


def started(env: dict[str, str]) -> bool:
    return Path(env["SIGNAL_REPORT"]).exists() and len(report(env)) >= 2


def wait_for(condition, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.02)


def test_files_terraform_writes_are_readable_by_their_owner_only(stand_in):
    subprocess.run([str(WRAPPER), "apply", "1", "-auto-approve"], env=stand_in, capture_output=True, check=True)
    state = Path(stand_in["SIGNAL_REPORT"] + ".tfstate")
    assert oct(state.stat().st_mode & 0o777) == oct(0o600)


def test_passes_arguments_output_and_exit_status_through(stand_in):
    result = subprocess.run(
        [str(WRAPPER), "plan", "3", "-input=false"], env=stand_in, capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout) == (0, "line 0\nline 1\nline 2\n")
    assert report(stand_in) == ["hup-ignored", "args plan 3 -input=false", "finished"]


def test_with_a_timings_file_each_run_records_its_command_and_duration(stand_in, tmp_path):
    timings = tmp_path / "timings.jsonl"
    env = {**stand_in, "CDKTF_FARGATE_TIMINGS": str(timings)}
    before = time.time()
    for command in (["init", "2", "-input=false"], ["apply", "6", "-auto-approve"]):
        subprocess.run([str(WRAPPER), *command], env=env, capture_output=True, check=True)
    init, apply = (json.loads(line) for line in timings.read_text().splitlines())
    assert (init["command"], apply["command"]) == ("init", "apply")
    # The stand-in prints a line every 50 ms.
    assert 0.1 <= init["seconds"] < apply["seconds"] and apply["seconds"] >= 0.3
    assert before <= init["started"] < apply["started"]
    subprocess.run([str(WRAPPER), "plan", "1"], env=stand_in, capture_output=True, check=True)
    assert len(timings.read_text().splitlines()) == 2


@pytest.mark.parametrize("command", [["plan", "40"], ["apply", "40", "-auto-approve"]])
def test_a_hangup_does_not_kill_terraform(stand_in, command):
    wrapper = subprocess.Popen(
        [str(WRAPPER), *command], env=stand_in, stdout=subprocess.DEVNULL, start_new_session=True
    )
    wait_for(lambda: started(stand_in))
    # What closing cdktf's terminal does: SIGHUP to the session's process group.
    os.killpg(wrapper.pid, signal.SIGHUP)
    assert wrapper.wait(timeout=30) == 0
    assert report(stand_in)[-1] == "finished"


def test_sigterm_reaches_a_plan_once_and_it_stops_cleanly(stand_in):
    wrapper = subprocess.Popen([str(WRAPPER), "plan", "400"], env=stand_in, stdout=subprocess.DEVNULL)
    wait_for(lambda: started(stand_in))
    wrapper.send_signal(signal.SIGTERM)
    assert wrapper.wait(timeout=30) == 7
    assert report(stand_in)[2:] == ["SIGTERM", "stopped cleanly"]


@pytest.mark.parametrize("command", ["plan", "apply"], ids=["plan", "apply-waiting-for-approval"])
def test_ctrl_c_to_the_process_group_reaches_terraform_once(stand_in, command):
    wrapper = subprocess.Popen(
        [str(WRAPPER), command, "400"], env=stand_in, stdout=subprocess.DEVNULL, start_new_session=True
    )
    wait_for(lambda: started(stand_in))
    # Ctrl-C typed into a terminal: SIGINT to the whole foreground process group.
    os.killpg(wrapper.pid, signal.SIGINT)
    assert wrapper.wait(timeout=30) == 7
    assert report(stand_in)[2:] == ["SIGINT", "stopped cleanly"]


def test_terraform_runs_on_after_its_output_goes_nowhere(stand_in):
    reader, writer = os.pipe()
    wrapper = subprocess.Popen([str(WRAPPER), "apply", "20", "-auto-approve"], env=stand_in, stdout=writer)
    os.close(writer)
    os.read(reader, 10)
    # The terminal is gone: writing to it fails from now on.
    os.close(reader)
    assert wrapper.wait(timeout=30) == 0
    assert report(stand_in)[-1] == "finished"


@pytest.mark.parametrize("command", ["apply", "destroy"])
def test_an_unattended_apply_or_destroy_runs_to_its_end_whatever_signal_the_cli_gets(stand_in, command):
    wrapper = subprocess.Popen(
        [str(WRAPPER), command, "40", "-auto-approve"],
        env=stand_in,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    wait_for(lambda: started(stand_in))
    # Ctrl-C typed into the terminal (the whole foreground group), then SIGTERM to the wrapper alone.
    os.killpg(wrapper.pid, signal.SIGINT)
    wrapper.send_signal(signal.SIGTERM)
    output, _ = wrapper.communicate(timeout=30)
    assert wrapper.returncode == 0
    assert report(stand_in) == ["hup-ignored", f"args {command} 40 -auto-approve", "finished"]
    text = output.decode()
    assert text.count("line ") == 40
    assert "SIGINT received: Terraform (pid " in text and f"finishes this {command}" in text
    assert "SIGTERM received" in text and "`kill -INT " in text


def test_fails_when_no_terraform_is_on_path(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "CDKTF_FARGATE_TERRAFORM"}
    env["PATH"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, str(WRAPPER), "version"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "no terraform on PATH; set CDKTF_FARGATE_TERRAFORM" in result.stderr
