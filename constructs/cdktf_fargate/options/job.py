"""The option type of a ScheduledJob: when it runs, how long it may take, what a failed run does.

The task itself (size, container, logs, capacity) takes the same types as a service's.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

from ._base import OptionType, Pattern, Range, option
from .service import CapacityMix, Container, Logging, TaskSize

Report = Callable[[str, Any, str], None]

TIMEZONE = Pattern(
    re.compile(r"UTC|[A-Z][A-Za-z_]+(/[A-Za-z0-9_+-]+){1,2}"), "must be 'UTC' or an IANA zone like 'Europe/Paris'"
)
RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")
AT = re.compile(r"at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)")
CRON = re.compile(r"cron\(([^()]*)\)")
# EventBridge's six cron fields and the characters each may hold.
CRON_FIELDS = (
    ("minutes", re.compile(r"[0-9,*/-]+")),
    ("hours", re.compile(r"[0-9,*/-]+")),
    ("day-of-month", re.compile(r"[0-9,*/?LW-]+")),
    ("month", re.compile(r"[0-9A-Za-z,*/-]+")),
    ("day-of-week", re.compile(r"[0-9A-Za-z,*/?L#-]+")),
    ("year", re.compile(r"[0-9,*/-]+")),
)
SCHEDULE_FORMS = (
    "'rate(<n> minutes|hours|days)', 'cron(<min> <hour> <day> <month> <weekday> <year>)' or 'at(<yyyy-mm-ddThh:mm:ss>)'"
)


def schedule_problem(expression: str) -> str | None:
    """What is wrong with an EventBridge Scheduler expression, or None; checked at synth, not at apply."""
    if AT.fullmatch(expression):
        return None
    rate = RATE.fullmatch(expression)
    if rate:
        value, unit = int(rate.group(1)), rate.group(2)
        if value == 0:
            return "a rate must be at least 1"
        if (value == 1) != (not unit.endswith("s")):
            return f"write 'rate(1 {unit.rstrip('s')})' for one, 'rate({value} {unit.rstrip('s')}s)' for more"
        return None
    cron = CRON.fullmatch(expression)
    if not cron:
        return f"must be {SCHEDULE_FORMS}"
    fields = cron.group(1).split()
    if len(fields) != len(CRON_FIELDS):
        return (
            "a cron expression has 6 fields (minutes hours day-of-month month day-of-week year); "
            f"this has {len(fields)}"
        )
    for value, (field, allowed) in zip(fields, CRON_FIELDS, strict=True):
        if not allowed.fullmatch(value):
            return f"the {field} field {value!r} is not valid"
    day_of_month, day_of_week = fields[2], fields[4]
    if (day_of_month == "?") == (day_of_week == "?"):
        return "exactly one of day-of-month and day-of-week must be '?' (e.g. 'cron(0 3 * * ? *)')"
    return None


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

    def _cross_check(self, report: Report) -> None:
        problem = schedule_problem(self.schedule)
        if problem:
            report("schedule", self.schedule, problem)
        if self.timezone != "UTC" and not self.schedule.startswith(("cron(", "at(")):
            report("timezone", self.timezone, "applies to cron() and at() schedules only")


__all__ = ["JobOptions", "schedule_problem"]
