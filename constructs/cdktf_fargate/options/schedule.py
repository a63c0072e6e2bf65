"""The schedule grammar EventBridge Scheduler and Application Auto Scaling share: `rate()`, `cron()` with six
fields, `at()`, and the time zone a cron or at expression is read in. Written once, for jobs and for
scheduled capacity."""

from __future__ import annotations

import re

from ._base import Pattern

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
    """What is wrong with a Scheduler or Application Auto Scaling expression, or None; checked at synth."""
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
