"""How long a rollout of a service takes at worst, and how long a failed one takes to detect and roll
back, computed from its settings (docs/operations.md#rollout-time gives the formula).

A rollout replaces the tasks in rounds: ECS may run `maximum_percent` of the desired count and must
keep `minimum_healthy_percent` healthy, so each round replaces the difference. A round is a task's
start (`deployment.expected_task_start_seconds`), its passing health checks (behind a load
balancer: `healthy_threshold` x `interval_seconds`), the old task's drain (`deregistration_delay`)
and its stop (`stop_timeout_seconds`). The worst case counts the most tasks autoscaling allows.

A failed rollout is rolled back by the circuit breaker once `threshold` = 0.5 x desired tasks
(at least 3, at most 200: AWS's rule) have failed; each failing task takes its start, the grace
period and `unhealthy_threshold` x `interval_seconds` (or, without a load balancer, the start and
its stop) to count. The rollback is then a rollout of the previous revision.
"""

from __future__ import annotations

import dataclasses
import math

from .options import ServiceOptions

CIRCUIT_BREAKER_MIN_THRESHOLD = 3
CIRCUIT_BREAKER_MAX_THRESHOLD = 200


@dataclasses.dataclass(frozen=True)
class RolloutEstimate:
    tasks: int
    tasks_per_round: int
    rounds: int
    round_seconds: int
    rollout_seconds: int
    failure_threshold: int
    detection_seconds: int
    rollback_seconds: int


def estimate_rollout(options: ServiceOptions, *, behind_load_balancer: bool) -> RolloutEstimate:
    deployment, health, container = options.deployment, options.health_check, options.container
    tasks = max(options.scaling.max_count if options.scaling.enabled else options.desired_count, 1)
    most = math.floor(tasks * deployment.maximum_percent / 100)
    fewest_healthy = math.ceil(tasks * deployment.minimum_healthy_percent / 100)
    per_round = max(most - fewest_healthy, 1)
    rounds = math.ceil(tasks / per_round)
    start = deployment.expected_task_start_seconds
    if behind_load_balancer:
        healthy = health.healthy_threshold * health.interval_seconds
        drain = options.routing.deregistration_delay_seconds
        failing = start + health.grace_period_seconds + health.unhealthy_threshold * health.interval_seconds
    else:
        healthy, drain, failing = 0, 0, start
    round_seconds = start + healthy + drain + container.stop_timeout_seconds
    rollout = rounds * round_seconds
    threshold = min(max(math.ceil(0.5 * tasks), CIRCUIT_BREAKER_MIN_THRESHOLD), CIRCUIT_BREAKER_MAX_THRESHOLD)
    detection = math.ceil(threshold / per_round) * (failing + container.stop_timeout_seconds)
    return RolloutEstimate(
        tasks=tasks,
        tasks_per_round=per_round,
        rounds=rounds,
        round_seconds=round_seconds,
        rollout_seconds=rollout,
        failure_threshold=threshold,
        detection_seconds=detection,
        rollback_seconds=detection + rollout,
    )
