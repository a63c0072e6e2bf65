"""scripts/repositories_first.py: which repositories a deploy creates first, and the deletions it stops.
tests/test_end_to_end_golden_path.py runs it, as the deploy workflow does, on the emulator."""

from __future__ import annotations

import json
import subprocess

import pytest
from repositories_first import create, main, plan_repositories

WEB, API = "aws_ecr_repository.services_repository-web_A1", "aws_ecr_repository.services_repository-api_B2"


class FakeTerraform:
    def __init__(self, state: dict | None) -> None:
        self.state = state
        self.calls: list[list[str]] = []

    def __call__(self, stack_dir, args) -> subprocess.CompletedProcess[str]:
        self.calls.append(list(args))
        if list(args[:2]) == ["state", "pull"]:
            return subprocess.CompletedProcess(args, 0, json.dumps(self.state) if self.state else "", "")
        return subprocess.CompletedProcess(args, 0, "", "")


def stack(tmp_path, *addresses: str):
    (tmp_path / ".terraform").mkdir(exist_ok=True)
    names = [address.split(".", 1)[1] for address in addresses]
    (tmp_path / "cdk.tf.json").write_text(json.dumps({"resource": {"aws_ecr_repository": {n: {} for n in names}}}))
    return tmp_path


def state(**repositories: bool) -> dict:
    """name of the resource -> its force_delete."""
    return {
        "resources": [
            {
                "mode": "managed",
                "type": "aws_ecr_repository",
                "name": address.split(".", 1)[1],
                "instances": [{"attributes": {"name": f"shop-prod-{address.split('-')[1][:3]}", "force_delete": keep}}],
            }
            for address, keep in repositories.items()
        ]
    }


def test_a_new_environment_creates_every_repository_and_a_deployed_one_none(tmp_path):
    directory = stack(tmp_path, WEB, API)
    assert plan_repositories(directory, FakeTerraform(None)) == [API, WEB]
    assert plan_repositories(directory, FakeTerraform(state(**{WEB: False, API: False}))) == []


def test_a_new_service_creates_its_repository_alone(tmp_path):
    directory = stack(tmp_path, WEB, API)
    assert plan_repositories(directory, FakeTerraform(state(**{WEB: False}))) == [API]
    fake = FakeTerraform(None)
    create(directory, [API], ["image_tag=3f2a9c1"], fake)
    assert fake.calls == [
        ["apply", "-input=false", "-no-color", "-auto-approve", f"-target={API}", "-var=image_tag=3f2a9c1"]
    ]


def test_fails_when_a_repository_holding_images_would_be_deleted(tmp_path):
    directory = stack(tmp_path, WEB)
    with pytest.raises(
        RuntimeError, match=r"would delete shop-prod-api \(aws_ecr_repository.services_repository-api_B2\)"
    ):
        plan_repositories(directory, FakeTerraform(state(**{WEB: False, API: False})))
    # One that lets destroy delete its images goes, as the settings said.
    assert plan_repositories(directory, FakeTerraform(state(**{WEB: False, API: True}))) == []


def test_the_command_says_what_it_did_and_fails_naming_the_problem(tmp_path, capsys, monkeypatch):
    import repositories_first

    directory = stack(tmp_path, WEB)
    monkeypatch.setattr(repositories_first, "terraform", FakeTerraform(state(**{WEB: False})))
    assert main(["--stack-dir", str(directory)]) == 0
    assert capsys.readouterr().out == "every repository exists\n"
    monkeypatch.setattr(repositories_first, "terraform", FakeTerraform(state(**{API: False})))
    assert main(["--stack-dir", str(directory)]) == 1
    assert "error: this deploy would delete shop-prod-api" in capsys.readouterr().err
