"""scripts/bootstrap.py: where the bootstrap's state is at each step. tests/test_end_to_end_deploy_role.py
runs it on the emulator (first run, a second run that changes nothing, destroy)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bootstrap import STATE_VAR, Bootstrap

from stacks.environments import BootstrapConfig

CONFIG = BootstrapConfig(github_repository="acme/shop", state_bucket="shop-state", environments=("prod",))


class Recorder:
    def __init__(self) -> None:
        self.steps: list[tuple[str, str]] = []

    def __call__(self, command, env) -> int:
        self.steps.append((" ".join(word for word in command if not word.startswith("-chdir=")), env[STATE_VAR]))
        return 0


def steps_of(recorder: Recorder) -> list[str]:
    return [
        f"{state}: {command.replace('cdktf ', '').replace('terraform ', 'tf ')}" for command, state in recorder.steps
    ]


@pytest.fixture
def in_app(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CDKTF_FARGATE_CDKTF", "cdktf")
    return tmp_path


def test_a_first_run_deploys_with_a_local_state_then_moves_it_into_the_bucket(in_app):
    recorder = Recorder()
    local = in_app / "terraform.webapp-bootstrap.tfstate"

    def deploy_writes_local_state(command, env):
        if "deploy" in command:
            local.write_text("{}")
        return recorder(command, env)

    Bootstrap(CONFIG, run=deploy_writes_local_state, bucket_exists=lambda: False).deploy(["--skip-provider-lock"])
    assert steps_of(recorder) == [
        "local: deploy --auto-approve --skip-provider-lock",
        "local: synth",
        "local: tf init -input=false -reconfigure",
        "bucket: synth",
        "bucket: tf init -input=false -migrate-state -force-copy",
    ]
    assert not local.exists()


def test_later_runs_use_the_bucket_and_a_local_state_left_behind_is_moved_there_first(in_app):
    recorder = Recorder()
    Bootstrap(CONFIG, run=recorder, bucket_exists=lambda: True).deploy([])
    assert steps_of(recorder) == [
        "bucket: synth",
        "bucket: tf init -input=false -reconfigure",
        "bucket: deploy --auto-approve",
    ]
    (in_app / "terraform.webapp-bootstrap.tfstate").write_text("{}")
    recorder = Recorder()
    Bootstrap(CONFIG, run=recorder, bucket_exists=lambda: True).deploy([])
    assert steps_of(recorder) == [
        "local: synth",
        "local: tf init -input=false -reconfigure",
        "bucket: synth",
        "bucket: tf init -input=false -migrate-state -force-copy",
        "bucket: deploy --auto-approve",
    ]


def test_destroy_moves_the_state_out_of_the_bucket_it_deletes_first(in_app):
    recorder = Recorder()
    Bootstrap(CONFIG, run=recorder, bucket_exists=lambda: True).destroy([])
    assert steps_of(recorder) == [
        "bucket: synth",
        "bucket: tf init -input=false -reconfigure",
        "local: synth",
        "local: tf init -input=false -migrate-state -force-copy",
        "local: destroy --auto-approve",
    ]


def test_fails_naming_the_step_that_failed(in_app):
    with pytest.raises(RuntimeError, match=r"the first deploy failed"):
        Bootstrap(CONFIG, run=lambda command, env: 1, bucket_exists=lambda: False).deploy([])
    assert Path("terraform.webapp-bootstrap.tfstate").exists() is False
