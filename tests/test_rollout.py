"""The worst-case rollout and rollback times computed from a service's settings, the stack outputs
that carry them, and the synth-time check against the deploy workflow's timeout."""

from __future__ import annotations

from cdktf_fargate._rollout import estimate_rollout
from cdktf_fargate.options import ServiceOptions

import pytest
from cdktf import Testing
from conftest import CERTIFICATE_ARN, Synthesized, changed

from stacks.environments import config_from_mapping, load_environment
from stacks.web_service_stack import WebServiceStack


def test_the_production_defaults_roll_out_in_one_round():
    # Up to 12 tasks (autoscaling's max), 200 % / 100 %: all 12 at once. A round: 60 s start,
    # 2 x 30 s health checks, 30 s drain, 30 s stop = 180 s.
    estimate = estimate_rollout(ServiceOptions(), behind_load_balancer=True)
    assert (estimate.tasks, estimate.tasks_per_round, estimate.rounds, estimate.rollout_seconds) == (12, 12, 1, 180)
    # 6 failed tasks (half of 12) trip the breaker; they fail in one round of 60 s start + 60 s grace
    # + 3 x 30 s checks + 30 s stop = 240 s; then the old revision rolls out again.
    assert (estimate.failure_threshold, estimate.detection_seconds, estimate.rollback_seconds) == (6, 240, 420)


def test_a_tighter_rollout_takes_more_rounds_and_the_breaker_needs_at_least_three_failures():
    options = changed(
        ServiceOptions(),
        {"desired_count": 4, "scaling.enabled": False, "deployment.minimum_healthy_percent": 50,
         "deployment.maximum_percent": 100},
    )  # fmt: skip
    estimate = estimate_rollout(options, behind_load_balancer=True)
    # 4 tasks, at most 4 running and 2 healthy: 2 a round, 2 rounds.
    assert (estimate.tasks_per_round, estimate.rounds, estimate.rollout_seconds) == (2, 2, 360)
    # max(0.5 x 4, 3) = 3 failures, 2 a round: 2 rounds of 240 s.
    assert (estimate.failure_threshold, estimate.detection_seconds) == (3, 480)
    assert estimate.rollback_seconds == 480 + 360


def test_without_a_load_balancer_there_are_no_health_checks_or_drain():
    options = changed(ServiceOptions(), {"desired_count": 2, "scaling.enabled": False})
    estimate = estimate_rollout(options, behind_load_balancer=False)
    assert estimate.round_seconds == 60 + 30
    assert estimate.detection_seconds == 2 * (60 + 30)  # 3 failures, 2 a round


def test_the_stack_outputs_them():
    prod = load_environment("prod")
    outputs = Synthesized(WebServiceStack(Testing.app(), prod.stack_name, config=prod)).json["output"]
    assert outputs["rollout_worst_case_seconds"]["value"] == 180
    assert outputs["rollback_worst_case_seconds"]["value"] == 420
    local = load_environment("local")
    outputs = Synthesized(WebServiceStack(Testing.app(), local.stack_name, config=local)).json["output"]
    assert outputs["rollout_worst_case_seconds"]["value"] == {"web": 180, "api": 90, "fulfil": 90}
    assert outputs["rollback_worst_case_seconds"]["value"] == {"web": 420, "api": 180, "fulfil": 180}


def test_fails_when_a_failed_rollout_would_outlast_the_deploy_workflow():
    slow = {
        "certificate_arn": CERTIFICATE_ARN,
        "service": {
            "health_check": {"interval_seconds": 300, "timeout_seconds": 60, "healthy_threshold": 10},
            "routing": {"deregistration_delay_seconds": 3600},
        },
    }
    with pytest.raises(
        ValueError,
        match=r"deploy\.workflow_timeout_minutes=60 is invalid: 'service': a failed rollout takes up to \d+ s",
    ):
        config_from_mapping("slow", slow)
    config_from_mapping("slow", {**slow, "deploy": {"workflow_timeout_minutes": 360, "before_rollout_minutes": 15}})
