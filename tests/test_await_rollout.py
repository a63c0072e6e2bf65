"""scripts/await_rollout.py: what the deploy job waits for after `cdktf deploy`, from recorded
DescribeServices answers (the emulator does not run tasks, so no rollout ever progresses there)."""

from __future__ import annotations

from await_rollout import targets, verdict, wait

NEW = "arn:aws:ecs:us-east-1:123456789012:task-definition/webapp-prod:8"
OLD = "arn:aws:ecs:us-east-1:123456789012:task-definition/webapp-prod:7"


def service(name: str, *deployments: tuple[str, str, str]) -> dict:
    return {
        "serviceName": name,
        "deployments": [
            {"status": status, "taskDefinition": revision, "rolloutState": state}
            for status, revision, state in deployments
        ],
    }


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def scripted(*answers: list[dict]):
    replies = list(answers)

    def describe(cluster, names):
        assert cluster == "webapp-prod"
        reply = replies.pop(0) if len(replies) > 1 else replies[0]
        return [answer for answer in reply if answer["serviceName"] in names]

    return describe


def test_the_targets_come_from_the_stack_outputs():
    single = {"cluster_name": {"value": "webapp-prod"}, "service_name": {"value": "webapp-prod"},
              "task_definition_arn": {"value": NEW}, "rollback_worst_case_seconds": {"value": 420}}  # fmt: skip
    assert targets(single) == ("webapp-prod", {"webapp-prod": NEW}, 480)
    several = {
        "cluster_name": {"value": "webapp-prod"},
        "service_names": {"value": {"web": "webapp-prod-web", "api": "webapp-prod-api"}},
        "task_definition_arns": {"value": {"web": NEW, "api": OLD}},
        "rollback_worst_case_seconds": {"value": {"web": 420, "api": 180}},
    }
    assert targets(several) == ("webapp-prod", {"webapp-prod-web": NEW, "webapp-prod-api": OLD}, 480)


def test_a_rollout_is_done_when_its_revision_completed_alone():
    assert verdict(service("s", ("PRIMARY", NEW, "IN_PROGRESS"), ("ACTIVE", OLD, "COMPLETED")), NEW) is None
    assert verdict(service("s", ("PRIMARY", NEW, "COMPLETED"), ("ACTIVE", OLD, "COMPLETED")), NEW) is None
    assert verdict(service("s", ("PRIMARY", NEW, "COMPLETED")), NEW) == "done"


def test_a_rolled_back_or_failed_rollout_fails():
    assert verdict(service("s", ("PRIMARY", OLD, "COMPLETED")), NEW).startswith("rolled back: it runs")
    assert verdict(service("s", ("PRIMARY", NEW, "FAILED")), NEW).startswith("the rollout failed")


def test_waiting_ends_when_every_service_is_done():
    clock = Clock()
    describe = scripted(
        [service("webapp-prod", ("PRIMARY", NEW, "IN_PROGRESS"), ("ACTIVE", OLD, "COMPLETED"))],
        [service("webapp-prod", ("PRIMARY", NEW, "COMPLETED"))],
    )
    assert wait("webapp-prod", {"webapp-prod": NEW}, 480, describe, sleep=clock.sleep, clock=clock) == []
    assert clock.now == 15


def test_waiting_reports_a_rollback_and_a_rollout_that_outlasts_the_worst_case():
    clock = Clock()
    describe = scripted(
        [service("a", ("PRIMARY", NEW, "IN_PROGRESS")), service("b", ("PRIMARY", OLD, "COMPLETED"))],
    )
    failures = wait("webapp-prod", {"a": NEW, "b": NEW}, 60, describe, sleep=clock.sleep, clock=clock)
    assert failures[0].startswith("b: rolled back")
    assert failures[1] == "a: still rolling out after 60 s (the worst case computed at synth)"
    assert clock.now == 75
