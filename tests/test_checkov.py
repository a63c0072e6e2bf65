"""Policy as code: checkov on the synthesized stack of every environment.

Production has no failed check. Each check `.checkov.yaml` skips fails, without the skips,
only on the resources its reason speaks of; other environments fail only the checks that
their cheaper settings knowingly give up.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from checkov_scan import scan
from conftest import ROOT

CHECKOV = os.environ.get("CHECKOV_BIN", str(ROOT / ".tools" / "checkov" / "bin" / "checkov"))
CONFIG = ROOT / ".checkov.yaml"

# What each skip in .checkov.yaml is accepted for: check -> the resources it may fail on (prod and bootstrap).
SKIPPED_WHERE = {
    "CKV_AWS_260": ("alb_ingress-80-0",),
    "CKV_AWS_378": ("service_target-group", "services_service-web_target-group"),
    "CKV_AWS_18": ("alb_access-logs_bucket", "state_bucket"),
    "CKV2_AWS_62": ("alb_access-logs_bucket", "state_bucket"),
    "CKV_AWS_144": ("alb_access-logs_bucket", "state_bucket"),
    "CKV_AWS_145": ("alb_access-logs_bucket",),
    "CKV2_AWS_5": ("services_job-report_security-group",),
}
# dev: 7-day logs, no deletion protection (its zones are pinned, as prod's).
DEV_GIVES_UP = {
    ("CKV_AWS_338", "alb_waf_log-group"),
    ("CKV_AWS_338", "network_flow-log-group"),
    ("CKV_AWS_338", "service_log-group"),
    ("CKV_AWS_150", "alb_load-balancer"),
}


def logical_name(resource: str) -> str:
    """`aws_s3_bucket.alb_access-logs_bucket_D864ED4B` or `resource.alb_ingress-80-0_954B3045` -> the
    construct path without its hash: `alb_access-logs_bucket`, `alb_ingress-80-0`."""
    return resource.rsplit(".", 1)[-1].rsplit("_", 1)[0]


@pytest.fixture(scope="module")
def checkov() -> str:
    assert Path(CHECKOV).is_file(), f"checkov is not installed at {CHECKOV}: run `make setup` (or set CHECKOV_BIN)"
    return CHECKOV


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> dict[str, Path]:
    stacks = {}
    for environment in ("prod", "dev", "local", "bootstrap"):
        outdir = tmp_path_factory.mktemp(f"synth-{environment}")
        env = {**os.environ, "CDKTF_OUTDIR": str(outdir), "CDKTF_FARGATE_ENV": environment}
        env.pop("CDKTF_FARGATE_CONFIG", None)
        result = subprocess.run(
            [sys.executable, "main.py"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr[-3000:]
        (stack_dir,) = (outdir / "stacks").iterdir()
        stacks[environment] = stack_dir
    return stacks


def test_production_stack_has_no_failed_checks(checkov, synthesized):
    result = scan(checkov, synthesized["prod"], CONFIG)
    assert result["parsing_errors"] == 0
    assert result["passed"] > 150
    assert result["failed"] == []


def test_the_bootstrap_stack_has_no_failed_checks(checkov, synthesized):
    result = scan(checkov, synthesized["bootstrap"], CONFIG)
    assert result["parsing_errors"] == 0
    assert result["passed"] > 40
    assert result["failed"] == []


def test_each_skip_covers_only_the_resources_its_reason_names(checkov, synthesized):
    # `local` has the three kinds of service (and gives up deletion protection, below).
    failed = {
        (failure["check_id"], logical_name(failure["resource"]))
        for stack in ("prod", "bootstrap", "local")
        for failure in scan(checkov, synthesized[stack])["failed"]
    }
    skipped = {(check, resource) for check, resources in SKIPPED_WHERE.items() for resource in resources}
    assert failed == skipped | {("CKV_AWS_150", "alb_load-balancer")}


def test_every_skip_in_the_config_has_a_reason_and_an_expectation():
    lines = CONFIG.read_text().splitlines()
    skips = [line.strip()[2:] for line in lines if line.strip().startswith("- CKV")]
    assert sorted(skips) == sorted(SKIPPED_WHERE)
    for index, line in enumerate(lines):
        if line.strip().startswith("- CKV"):
            reason = lines[index - 1].strip()
            assert reason.startswith("# ") and len(reason) > 30, f"{line.strip()} has no reason above it"


def test_dev_fails_only_what_its_cheaper_settings_give_up(checkov, synthesized):
    result = scan(checkov, synthesized["dev"], CONFIG)
    failed = {(failure["check_id"], logical_name(failure["resource"])) for failure in result["failed"]}
    assert failed == DEV_GIVES_UP


def test_local_gives_up_only_deletion_protection(checkov, synthesized):
    result = scan(checkov, synthesized["local"], CONFIG)
    failed = {(failure["check_id"], logical_name(failure["resource"])) for failure in result["failed"]}
    assert failed == {("CKV_AWS_150", "alb_load-balancer")}
