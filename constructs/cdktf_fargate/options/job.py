"""The option type of a ScheduledJob: when it runs, how long it may take, what a failed run does.

The task itself (size, container, logs, capacity) takes the same types as a service's.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from ._base import Each, OptionType, Range, option
from .schedule import SCHEDULE_FORMS, TIMEZONE, schedule_problem
from .service import CONTAINER_NAME, CapacityMix, Container, Logging, Sidecar, TaskSize, Telemetry, check_containers
from .storage import EbsVolume, check_volume_mount

Report = Callable[[str, Any, str], None]


@dataclasses.dataclass(frozen=True, kw_only=True)
class JobOptions(OptionType):
    """A task run on a schedule. EventBridge Scheduler starts a Step Functions run, which starts the task,
    waits for it, stops it at the timeout and retries a failed run."""

    schedule: str = option("rate(1 day)", f"when it runs: {SCHEDULE_FORMS}")
    timezone: str = option("UTC", "the time zone of a cron schedule", TIMEZONE)
    enabled: bool = option(True, "the schedule starts runs; false pauses it")
    timeout_seconds: int = option(
        3600, "a run still going after this long is stopped and counts as failed", Range(60, 604800)
    )
    retries: int = option(0, "runs again after a failed run (non-zero exit or timeout), this many times", Range(0, 10))
    retry_interval_seconds: int = option(60, "wait before the first retry; doubles each time", Range(1, 3600))
    alarm_on_failure: bool = option(True, "an alarm fires when a run fails or times out")
    task: TaskSize = option(TaskSize(), "CPU, memory and processor")
    container: Container = option(Container(), "the container (its `port` is unused: nothing calls a job)")
    capacity: CapacityMix = option(
        CapacityMix(), "FARGATE and FARGATE_SPOT shares (a stopped Spot task is a failed run)"
    )
    logging: Logging = option(Logging(), "the log group")
    sidecars: Mapping[str, Sidecar] = option(
        {}, "more containers in each run's task, by name: agents, init containers", Each(CONTAINER_NAME)
    )
    telemetry: Telemetry = option(Telemetry(), "traces and metrics through an OpenTelemetry collector")
    ebs_volume: EbsVolume = option(EbsVolume(), "an EBS volume for each run's task, mounted into its container")

    def _cross_check(self, report: Report) -> None:
        check_containers(report, self)
        check_volume_mount(report, self.ebs_volume, self.container.scratch_paths)
        problem = schedule_problem(self.schedule)
        if problem:
            report("schedule", self.schedule, problem)
        if self.timezone != "UTC" and not self.schedule.startswith(("cron(", "at(")):
            report("timezone", self.timezone, "applies to cron() and at() schedules only")


__all__ = ["JobOptions", "schedule_problem"]
