"""`cdktf-fargate import-copilot`: an AWS Copilot workspace as the `[<env>]` and `[<env>.services.<name>]` tables of
environments.toml.

    cdktf-fargate import-copilot <workspace> [--environment prod ...] [--account 123456789012]
        [--region us-east-1] [--output services.toml]

Reads `copilot/<service>/manifest.yml` of the kinds this app has (Load Balanced Web Service,
Backend Service, Worker Service, Scheduled Job) with each manifest's `environments:` overrides, for the
environments found in `copilot/environments/` (or given), and each environment's own manifest there
(`copilot_environment`). It writes whole environment tables, each with its services (to stdout, or
`--output`) and reports on stderr every field it cannot map, with the manifest and the dotted
field, and every choice worth a look. docs/from-copilot.md maps each field. The tables are
checked like any other settings: load them with `make synth` before deploying.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shlex
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .copilot_environment import convert_environment
from .toml_text import toml_value

# The rule of the settings' `app_name` (stacks/settings_rules.py), which this package cannot import.
APP_NAME = re.compile(r"[a-z][a-z0-9-]{0,14}")

KINDS = {
    "Load Balanced Web Service": "web",
    "Backend Service": "backend",
    "Worker Service": "worker",
    "Scheduled Job": "job",
}
NOT_YET = ("Request-Driven Web Service", "Static Site")
# A topic's name here: the environment's topics share one namespace (`<app>-<env>-<topic>`).
TOPIC_NAME = re.compile(r"[a-z][a-z0-9-]{0,29}")
# AWS's limit on the values of one listener-rule condition (the host names of a route).
MAX_HOSTS_PER_RULE = 3
DURATION = re.compile(r"(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?")
CRON_ALIASES = {
    "@yearly": "cron(0 0 1 1 ? *)",
    "@annually": "cron(0 0 1 1 ? *)",
    "@monthly": "cron(0 0 1 * ? *)",
    "@weekly": "cron(0 0 ? * SUN *)",
    "@daily": "cron(0 0 * * ? *)",
    "@midnight": "cron(0 0 * * ? *)",
    "@hourly": "rate(1 hour)",
}
# Fields read below; any other top-level field is reported.
KNOWN = {"name", "type", "image", "cpu", "memory", "platform", "count", "exec", "http", "network", "variables",
         "secrets", "logging", "storage", "command", "entrypoint", "deployment", "on", "retries", "timeout",
         "sidecars", "observability", "environments", "publish", "subscribe"}  # fmt: skip


class Report:
    """What could not be mapped (``unmapped``) and what was mapped with a choice to check (``notes``)."""

    def __init__(self) -> None:
        self.unmapped: list[str] = []
        self.notes: list[str] = []

    def skip(self, where: str, field: str, value: Any, why: str) -> None:
        self.unmapped.append(f"{where}: {field} = {json.dumps(value, default=str)}: not mapped: {why}")

    def note(self, where: str, text: str) -> None:
        self.notes.append(f"{where}: {text}")


def seconds(value: Any) -> int | None:
    """Go durations as Copilot writes them (`90s`, `1h30m`), or a bare number of seconds."""
    if isinstance(value, int):
        return value
    match = DURATION.fullmatch(str(value).strip())
    if not match or not any(match.groups()):
        return None
    hours, minutes, secs = (int(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + secs


def schedule(value: str) -> str | None:
    """A Copilot schedule as an EventBridge Scheduler expression (UTC), or None."""
    value = value.strip()
    if value in CRON_ALIASES:
        return CRON_ALIASES[value]
    if value.startswith("@every "):
        total = seconds(value.removeprefix("@every ").strip())
        if not total or total % 60:
            return None
        for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
            if total % size == 0:
                count = total // size
                return f"rate({count} {unit}{'s' if count > 1 else ''})"
    fields = value.split()
    if len(fields) != 5:
        return None
    minute, hour, day, month, weekday = fields
    if weekday != "*":
        weekday = re.sub(r"\d+", lambda m: str(int(m.group()) % 7 + 1), weekday)  # Copilot 0-6 from Sunday; AWS 1-7
        day = "?" if day == "*" else day
        if day != "?":
            return None  # AWS cannot take both a day of the month and a day of the week
    else:
        weekday = "?"
    return f"cron({minute} {hour} {day} {month} {weekday} *)"


# `${NAME}` as Copilot substitutes it in a manifest at deploy time: its own variables, else the shell's.
# A leading backslash keeps one as written (Copilot's escape).
VARIABLE = re.compile(r"(\\?)\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def interpolated(value: Any, known: Mapping[str, str], where: str, path: str = "") -> Any:
    """``value`` with every `${NAME}` replaced as Copilot would: ``known`` (its own variables and the importing
    shell's environment). An unknown one is an error naming the manifest, the field and the variable: copied
    literally, it would be a Terraform interpolation the plan cannot resolve."""
    if isinstance(value, Mapping):
        return {
            key: interpolated(item, known, where, f"{path}.{key}" if path else str(key)) for key, item in value.items()
        }
    if isinstance(value, list):
        return [interpolated(item, known, where, f"{path}[{index}]") for index, item in enumerate(value)]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        escaped, name = match.groups()
        if escaped:
            return f"${{{name}}}"
        if name not in known:
            raise ValueError(
                f"{where}: {path} uses ${{{name}}}, which Copilot would take from the shell and is not set here: "
                f"export {name} before importing, or write its value in the manifest"
            )
        return known[name]

    return VARIABLE.sub(substitute, value)


def application_name(workspace: Path) -> str | None:
    """The Copilot application's name, from `copilot/.workspace` (`application: <name>`)."""
    marker = workspace / "copilot" / ".workspace"
    if not marker.is_file():
        return None
    found = re.search(r"^application:\s*['\"]?([^'\"\s]+)", marker.read_text(), flags=re.MULTILINE)
    return found.group(1) if found else None


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def convert_service(
    manifest: dict[str, Any], where: str, report: Report, *, account: str, region: str
) -> dict[str, Any]:
    """One manifest (environment overrides applied) as an `AppService` table."""
    kind = KINDS[manifest["type"]]
    table: dict[str, Any] = {"kind": kind}
    group: dict[str, Any] = {}
    for field, value in manifest.items():
        if field not in KNOWN:
            report.skip(where, field, value, "this app has no equivalent")
    image = manifest.get("image") or {}
    build = image.get("build")
    if isinstance(build, str):
        dockerfile = Path(build)
        table["build"] = {"context": str(dockerfile.parent) if str(dockerfile.parent) != "." else ".",
                          "dockerfile": str(dockerfile)}  # fmt: skip
    elif isinstance(build, Mapping):
        table["build"] = {key: str(build[key]) for key in ("context", "dockerfile") if key in build}
        for key in sorted(set(build) - {"context", "dockerfile"}):
            report.skip(where, f"image.build.{key}", build[key], "the workflow builds with the Dockerfile's defaults")
    elif "location" in image:
        report.skip(where, "image.location", image["location"], "every image is built from this repository")
    for key in sorted(set(image) - {"build", "location", "port", "healthcheck", "depends_on"}):
        report.skip(where, f"image.{key}", image[key], "this app has no equivalent")
    container: dict[str, Any] = {}
    task: dict[str, Any] = {}
    if "cpu" in manifest:
        task["cpu_units"] = manifest["cpu"]
    if "memory" in manifest:
        task["memory_mib"] = manifest["memory"]
    platform = str(manifest.get("platform", ""))
    if platform:
        if "arm" in platform:
            task["cpu_architecture"] = "ARM64"
        elif "x86" in platform or "amd64" in platform:
            task["cpu_architecture"] = "X86_64"
        else:
            report.skip(where, "platform", platform, "only Linux on x86_64 or arm64")
    if task:
        group["task"] = task
    if manifest.get("variables"):
        container["environment"] = {key: str(value) for key, value in manifest["variables"].items()}
    secrets = _secrets(manifest.get("secrets") or {}, where, report, account=account, region=region)
    if secrets:
        container["secrets"] = secrets
    command = manifest.get("command")
    if command:
        container["command"] = shlex.split(command) if isinstance(command, str) else [str(part) for part in command]
    entrypoint = manifest.get("entrypoint")
    if entrypoint:
        container["entrypoint"] = (shlex.split(entrypoint) if isinstance(entrypoint, str)
                                   else [str(part) for part in entrypoint])  # fmt: skip
    if image.get("depends_on"):
        # The main container waits for its sidecars as Copilot's did.
        container["depends_on"] = {str(key): str(cond).upper() for key, cond in image["depends_on"].items()}
    container.update(_health_check(image.get("healthcheck"), where, "image.healthcheck", report))
    storage = manifest.get("storage") or {}
    if "readonly_fs" in storage:
        container["readonly_root_filesystem"] = bool(storage["readonly_fs"])
    elif not manifest.get("exec"):
        report.note(where, "Copilot's root filesystem was writable; here it is read-only (storage.readonly_fs = false "
                           "in Copilot is service.container.readonly_root_filesystem = false here)")  # fmt: skip
    volumes = storage.get("volumes") or {}
    # A volume without EFS is an empty directory the task's containers share while it runs: a scratch path.
    scratch = [str(volume["path"]) for volume in volumes.values()
               if isinstance(volume, Mapping) and not volume.get("efs") and volume.get("path")]  # fmt: skip
    if scratch:
        container["scratch_paths"] = ["/tmp", *scratch]
    for name, volume in volumes.items():
        if not isinstance(volume, Mapping) or volume.get("efs") or not volume.get("path"):
            report.skip(where, f"storage.volumes.{name}", volume, "no EFS file systems here: task-lifetime scratch "
                        "paths (container.scratch_paths) and one EBS volume a task (ebs_volume)")  # fmt: skip
    if "ephemeral" in storage:
        group.setdefault("task", task)["ephemeral_storage_gib"] = storage["ephemeral"]
    for key in sorted(set(storage) - {"readonly_fs", "volumes", "ephemeral"}):
        report.skip(where, f"storage.{key}", storage[key], "this app has no equivalent")
    _logging(manifest.get("logging") or {}, group, where, report, account=account, region=region)
    sidecars = _sidecars(manifest.get("sidecars") or {}, where, report, service=str(manifest.get("name", "")),
                         account=account, region=region)  # fmt: skip
    if sidecars:
        group["sidecars"] = sidecars
    tracing = (manifest.get("observability") or {}).get("tracing")
    if tracing == "awsxray":
        group["telemetry"] = {"collector": "otel"}
        report.note(where, "observability.tracing: an OpenTelemetry collector sends traces to X-Ray (telemetry); "
                           "without internet egress, set telemetry.image to a copy in this region's ECR")  # fmt: skip
    elif tracing:
        report.skip(where, "observability.tracing", tracing, "traces go to X-Ray only")
    for key in sorted(set(manifest.get("observability") or {}) - {"tracing"}):
        report.skip(where, f"observability.{key}", manifest["observability"][key], "this app has no equivalent")

    _publish(manifest.get("publish") or {}, table, where, report)
    if kind == "job":
        job = _job(manifest, where, report)
        if container:
            job["container"] = container
        table["job"] = {**job, **group}
        return table
    if "port" in image:
        container["port"] = image["port"]
    if container:
        group["container"] = container
    if manifest.get("exec"):
        group["enable_execute_command"] = True
        group.setdefault("container", {})["readonly_root_filesystem"] = False
        report.note(where, "exec: ECS Exec needs a writable root filesystem, so it is set writable")
    count = manifest.get("count")
    if kind == "worker":
        table["queue"] = _subscribe(manifest.get("subscribe") or {}, where, report)
        delay = count.pop("queue_delay", None) if isinstance(count, dict) else None
        if delay is not None:
            _queue_delay(delay, table["queue"], where, report)
        report.note(where, "the worker finds its queue's URL in QUEUE_URL (Copilot's was COPILOT_QUEUE_URI)")
    elif manifest.get("subscribe"):
        report.skip(where, "subscribe", manifest["subscribe"], "only a worker service subscribes to topics")
    _count(count, group, where, report)
    if kind == "web":
        _http(manifest.get("http") or {}, group, where, report)
    elif manifest.get("http"):
        report.skip(where, "http", manifest["http"], f"a {kind} has no load balancer here")
    rolling = (manifest.get("deployment") or {}).get("rolling")
    if rolling == "recreate":
        group["deployment"] = {"minimum_healthy_percent": 0, "maximum_percent": 100}
    for key in sorted(set(manifest.get("deployment") or {}) - {"rolling"}):
        report.skip(
            where,
            f"deployment.{key}",
            manifest["deployment"][key],
            "rollouts roll back on alarms and the circuit breaker",
        )
    network = manifest.get("network") or {}
    for key in sorted(set(network) - {"connect"}):
        report.skip(where, f"network.{key}", network[key], "tasks run in the environment's private subnets")
    connect = network.get("connect")
    if isinstance(connect, Mapping):
        if connect.get("alias") and kind == "backend":
            # Callers keep the name they used: the backend answers to it over Service Connect.
            group["service_connect"] = {"alias": str(connect["alias"])}
        elif connect.get("alias"):
            report.skip(where, "network.connect.alias", connect["alias"], f"a {kind} is not called by name here")
        for key in sorted(set(connect) - {"alias"}):
            report.skip(where, f"network.connect.{key}", connect[key], "Service Connect's defaults apply")
    table["service"] = group
    return table


# Copilot's container health-check timings (durations) and the settings they become.
HEALTH_CHECK_TIMINGS = {
    "interval": "health_check_interval_seconds",
    "timeout": "health_check_timeout_seconds",
    "start_period": "health_check_start_period_seconds",
}


def _health_check(health: Any, where: str, path: str, report: Report) -> dict[str, Any]:
    """A container's `healthcheck` (command, interval, timeout, start period, retries) as its settings."""
    if not isinstance(health, Mapping) or not health.get("command"):
        return {}
    settings: dict[str, Any] = {"health_check_command": [str(part) for part in health["command"]]}
    for key in sorted(set(health) - {"command"}):
        if key in HEALTH_CHECK_TIMINGS and seconds(health[key]) is not None:
            settings[HEALTH_CHECK_TIMINGS[key]] = seconds(health[key])
        elif key == "retries" and isinstance(health[key], int):
            settings["health_check_retries"] = health[key]
        else:
            report.skip(where, f"{path}.{key}", health[key], "write durations as Copilot does (`10s`, `1m`)")
    return settings


def _publish(publish: Mapping[str, Any], table: dict[str, Any], where: str, report: Report) -> None:
    """`publish.topics`: the environment's topics here, by the same names (publishers read SNS_TOPIC_ARNS)."""
    names = []
    for index, topic in enumerate(publish.get("topics") or []):
        name = str((topic or {}).get("name", ""))
        if not TOPIC_NAME.fullmatch(name):
            report.skip(where, f"publish.topics[{index}].name", name, "a topic's name here is 1-30 lower-case "
                        "letters, digits or hyphens, starting with a letter")  # fmt: skip
            continue
        for key in sorted(set(topic) - {"name"}):
            report.skip(where, f"publish.topics[{index}].{key}", topic[key], "topics here are standard (not FIFO)")
        names.append(name)
    for key in sorted(set(publish) - {"topics"}):
        report.skip(where, f"publish.{key}", publish[key], "this app has no equivalent")
    if names:
        table["publish"] = names
        report.note(where, f"publish: topics {names} of the environment; their ARNs are in SNS_TOPIC_ARNS "
                    "(Copilot's were in COPILOT_SNS_TOPIC_ARNS)")  # fmt: skip


# Copilot's queue settings and this app's QueueOptions fields they map to (as seconds).
QUEUE_SECONDS = {"retention": "retention_seconds", "timeout": "visibility_timeout_seconds"}


def _subscribe(subscribe: Mapping[str, Any], where: str, report: Report) -> dict[str, Any]:
    """`subscribe`: the worker's queue and its subscriptions (each topic checked against its publisher later)."""
    queue: dict[str, Any] = {}
    subscriptions = []
    for index, given in enumerate(subscribe.get("topics") or []):
        topic = given or {}
        entry: dict[str, Any] = {"topic": str(topic.get("name", ""))}
        # Kept until the workspace's publishers are known (`_check_subscriptions`).
        entry["__service__"] = str(topic.get("service", ""))
        entry["__index__"] = index
        if topic.get("filter_policy"):
            entry["filter_policy"] = json.dumps(topic["filter_policy"], separators=(",", ":"))
        if topic.get("queue"):
            report.skip(where, f"subscribe.topics[{index}].queue", topic["queue"],
                        "a worker has one queue here; its topics all deliver to it")  # fmt: skip
        for key in sorted(set(topic) - {"name", "service", "filter_policy", "queue"}):
            report.skip(where, f"subscribe.topics[{index}].{key}", topic[key], "this app has no equivalent")
        subscriptions.append(entry)
    if subscriptions:
        queue["subscriptions"] = subscriptions
    settings = subscribe.get("queue") or {}
    for field, option in QUEUE_SECONDS.items():
        if field in settings and seconds(settings[field]) is not None:
            queue[option] = seconds(settings[field])
        elif field in settings:
            report.skip(where, f"subscribe.queue.{field}", settings[field], "must be a duration like 4d or 30s")
    tries = (settings.get("dead_letter") or {}).get("tries")
    if isinstance(tries, int):
        queue["max_receive_count"] = tries
    else:
        report.note(where, "Copilot's queue had no dead-letter queue; here a message received 5 times without being "
                    "deleted moves to one (queue.max_receive_count)")  # fmt: skip
    for key in sorted(set(settings) - {*QUEUE_SECONDS, "dead_letter"}):
        report.skip(where, f"subscribe.queue.{key}", settings[key], "queues here are standard and deliver at once")
    for key in sorted(set(subscribe) - {"topics", "queue"}):
        report.skip(where, f"subscribe.{key}", subscribe[key], "this app has no equivalent")
    return queue


def _queue_delay(delay: Any, queue: dict[str, Any], where: str, report: Report) -> None:
    """`count.queue_delay`: Copilot scales to keep the backlog per task at the latency over the processing time."""
    latency = seconds(str((delay or {}).get("acceptable_latency", "")))
    processing = str((delay or {}).get("msg_processing_time", ""))
    took = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s)", processing)
    if not latency or not took:
        report.skip(where, "count.queue_delay", delay, "give acceptable_latency and msg_processing_time as durations")
        return
    per_message = float(took[1]) / (1000 if took[2] == "ms" else 1)
    queue["backlog_per_task"] = max(1, round(latency / per_message))


def _check_subscriptions(services: dict[str, Any], manifests: list[tuple[str, dict[str, Any]]], report: Report) -> None:
    """Each worker's subscription names a topic its `service` publishes (the environment's topic of that name here)."""
    published = {name: set(table.get("publish", [])) for name, table in services.items()}
    owners: dict[str, str] = {}
    for name, topics in published.items():
        for topic in topics:
            owners.setdefault(topic, name)
    for where, manifest in manifests:
        table = services.get(manifest["name"], {})
        queue = table.get("queue") or {}
        kept = []
        for entry in queue.get("subscriptions", []):
            index, publisher = entry.pop("__index__"), entry.pop("__service__")
            if entry["topic"] not in published.get(publisher, set()):
                report.skip(where, f"subscribe.topics[{index}]", {"name": entry["topic"], "service": publisher},
                            "no service of the workspace publishes that topic")  # fmt: skip
                continue
            if owners[entry["topic"]] != publisher:
                report.skip(where, f"subscribe.topics[{index}]", {"name": entry["topic"], "service": publisher},
                            f"topics here are the environment's: {owners[entry['topic']]!r} publishes one of that "
                            "name too; rename one")  # fmt: skip
                continue
            kept.append(entry)
        if "subscriptions" in queue:
            queue["subscriptions"] = kept


# Copilot's sidecar fields this app maps.
SIDECAR_FIELDS = {"image", "port", "essential", "variables", "command", "secrets", "depends_on", "healthcheck"}


def _sidecars(
    sidecars: Mapping[str, Any], where: str, report: Report, *, service: str, account: str, region: str
) -> dict[str, Any]:
    """Copilot's `sidecars` as `sidecars.<name>` tables: image, port, essential, variables, secrets, command,
    depends_on (its conditions upper-cased) and the health check; the rest reported."""
    mapped: dict[str, Any] = {}
    for name, sidecar in sidecars.items():
        if not isinstance(sidecar, Mapping) or not isinstance(sidecar.get("image"), str):
            report.skip(where, f"sidecars.{name}", sidecar, "a sidecar here is an image reference (`image`)")
            continue
        table: dict[str, Any] = {"image": sidecar["image"]}
        port = sidecar.get("port")
        if port is not None:
            number = str(port).split("/", 1)[0]
            if number.isdigit():
                table["port"] = int(number)
        if "essential" in sidecar:
            table["essential"] = bool(sidecar["essential"])
        if sidecar.get("variables"):
            table["environment"] = {key: str(value) for key, value in sidecar["variables"].items()}
        secrets = _secrets(sidecar.get("secrets") or {}, f"{where}: sidecars.{name}", report, account=account,
                           region=region)  # fmt: skip
        if secrets:
            table["secrets"] = secrets
        command = sidecar.get("command")
        if command:
            table["command"] = shlex.split(command) if isinstance(command, str) else [str(part) for part in command]
        if sidecar.get("depends_on"):
            # Copilot names the main container after the service; here it is `app`.
            waits = sidecar["depends_on"].items()
            table["depends_on"] = {
                "app" if other == service else str(other): str(cond).upper() for other, cond in waits
            }
        table.update(_health_check(sidecar.get("healthcheck"), where, f"sidecars.{name}.healthcheck", report))
        # Copilot ran sidecars as their image's user, with a writable filesystem.
        table["user"] = ""
        table["readonly_root_filesystem"] = False
        report.note(where, f"sidecars.{name}: runs as its image's user with a writable filesystem, as in Copilot "
                           "(set its user and readonly_root_filesystem to harden it); without internet egress its "
                           "image must be in this region's ECR")  # fmt: skip
        for key in sorted(set(sidecar) - set(SIDECAR_FIELDS)):
            report.skip(where, f"sidecars.{name}.{key}", sidecar[key], "this app has no equivalent for sidecars")
        mapped[name] = table
    return mapped


def _logging(
    logging: Mapping[str, Any], group: dict[str, Any], where: str, report: Report, *, account: str, region: str
) -> None:
    """Copilot's `logging`: `retention` is the log group's; a `destination` routes through FireLens."""
    mapped: dict[str, Any] = {}
    if "retention" in logging:
        mapped["retention_days"] = logging["retention"]
    if logging.get("destination"):
        mapped["router"] = "firelens"
        mapped["destination"] = {str(key): str(value) for key, value in logging["destination"].items()}
        if logging.get("image"):
            mapped["router_image"] = str(logging["image"])
        secrets = _secrets(logging.get("secretOptions") or {}, f"{where}: logging", report, account=account,
                           region=region)  # fmt: skip
        if secrets:
            mapped["destination_secrets"] = secrets
    if mapped:
        group["logging"] = mapped
    known = {"retention", "destination", "image", "secretOptions"}
    for key in sorted(set(logging) - known):
        report.skip(where, f"logging.{key}", logging[key], "FireLens runs with its generated configuration")


def _secrets(secrets: Mapping[str, Any], where: str, report: Report, *, account: str, region: str) -> dict[str, Any]:
    mapped = {}
    for name, value in secrets.items():
        if isinstance(value, str) and value.startswith("arn:"):
            kind = "secrets-manager" if ":secretsmanager:" in value else "ssm-parameter"
            mapped[name] = {"kind": kind, "arn": value}
        elif isinstance(value, str) and account:
            parameter = value if value.startswith("/") else f"/{value}"
            mapped[name] = {"kind": "ssm-parameter", "arn": f"arn:aws:ssm:{region}:{account}:parameter{parameter}"}
        elif isinstance(value, str):
            report.skip(where, f"secrets.{name}", value, "an SSM parameter name needs --account to become an ARN")
        elif isinstance(value, Mapping) and isinstance(value.get("secretsmanager"), str) and account:
            # `name[:json-key:version-stage:version-id]`: a partial ARN, which ECS accepts and IAM matches with
            # the suffix Secrets Manager adds (`-??????`).
            secret, *rest = value["secretsmanager"].split(":")
            suffix = ":" + ":".join(rest) if rest else ""
            mapped[name] = {"kind": "secrets-manager",
                            "arn": f"arn:aws:secretsmanager:{region}:{account}:secret:{secret}{suffix}"}  # fmt: skip
        elif isinstance(value, Mapping) and "secretsmanager" in value:
            report.skip(where, f"secrets.{name}", value, "a Secrets Manager name needs --account to become an ARN")
        else:
            report.skip(where, f"secrets.{name}", value, "CloudFormation outputs (from_cfn) are Copilot's own")
    return mapped


def _count(count: Any, group: dict[str, Any], where: str, report: Report) -> None:
    if count is None:
        return
    if isinstance(count, int):
        group["desired_count"] = count
        group["scaling"] = {"enabled": False}
        return
    scaling: dict[str, Any] = {}
    bounds = str(count.get("range", ""))
    if re.fullmatch(r"\d+-\d+", bounds):
        low, high = (int(part) for part in bounds.split("-"))
        scaling.update(min_count=low, max_count=high)
        group["desired_count"] = low
    elif "range" in count:
        report.skip(where, "count.range", count["range"], "write the range as '<min>-<max>'")
    targets = {"cpu_percentage": "cpu_target_percent", "memory_percentage": "memory_target_percent",
               "requests": "requests_per_target"}  # fmt: skip
    for field, setting in targets.items():
        if field in count:
            scaling[setting] = count[field]
    if scaling and "cpu_percentage" not in count:
        scaling["cpu_target_percent"] = None
    cooldown = count.get("cooldown") or {}
    for field, setting in (("in", "scale_in_cooldown_seconds"), ("out", "scale_out_cooldown_seconds")):
        if field in cooldown:
            scaling[setting] = seconds(cooldown[field])
    for field in sorted(set(count) - {"range", "cooldown", *targets}):
        report.skip(where, f"count.{field}", count[field], "set service.capacity for a FARGATE_SPOT share")
    if scaling:
        group["scaling"] = scaling


def _http(http: Mapping[str, Any], group: dict[str, Any], where: str, report: Report) -> None:
    routing: dict[str, Any] = {}
    path = str(http.get("path", "/")).strip("/")
    routing["path_patterns"] = ["/*"] if not path else [f"/{path}", f"/{path}/*"]
    alias = http.get("alias")
    if alias:
        # A name, a list of names, or a list of {name, hosted_zone} maps (the zone is Copilot's own DNS).
        names = [alias] if isinstance(alias, str) else [
            str(entry.get("name", "")) if isinstance(entry, Mapping) else str(entry) for entry in alias
        ]  # fmt: skip
        kept = names[:MAX_HOSTS_PER_RULE]
        routing["host_headers"] = kept
        if names[len(kept) :]:
            why = f"a listener rule's host condition takes at most {MAX_HOSTS_PER_RULE} names; the first are kept"
            report.skip(where, "http.alias", names[len(kept) :], f"{why}: give the others a web service of their own")
    if "deregistration_delay" in http:
        routing["deregistration_delay_seconds"] = seconds(http["deregistration_delay"])
    if routing["path_patterns"] != ["/*"] or "host_headers" in routing or "deregistration_delay_seconds" in routing:
        group["routing"] = routing
    health = http.get("healthcheck")
    check: dict[str, Any] = {}
    if isinstance(health, str):
        check["path"] = health
    elif isinstance(health, Mapping):
        settings = {"path": "path", "success_codes": "matcher", "healthy_threshold": "healthy_threshold",
                    "unhealthy_threshold": "unhealthy_threshold"}  # fmt: skip
        for field, setting in settings.items():
            if field in health:
                check[setting] = str(health[field]) if setting == "matcher" else health[field]
        for field, setting in (("interval", "interval_seconds"), ("timeout", "timeout_seconds"),
                               ("grace_period", "grace_period_seconds")):  # fmt: skip
            if field in health:
                check[setting] = seconds(health[field])
        for field in sorted(set(health) - set(settings) - {"interval", "timeout", "grace_period"}):
            report.skip(where, f"http.healthcheck.{field}", health[field], "checks go to the container port")
    if check:
        group["health_check"] = check
    for field in sorted(set(http) - {"path", "alias", "deregistration_delay", "healthcheck"}):
        report.skip(where, f"http.{field}", http[field], "the load balancer is the environment's, with its defaults")


def _job(manifest: dict[str, Any], where: str, report: Report) -> dict[str, Any]:
    job: dict[str, Any] = {}
    raw = str((manifest.get("on") or {}).get("schedule", ""))
    if raw == "none":
        job["enabled"] = False
        report.note(where, "on.schedule = none: the schedule is paused (enabled = false); start runs by hand")
    elif raw:
        expression = schedule(raw)
        if expression is None:
            report.skip(where, "on.schedule", raw, "write it as a 5-field cron or @every with whole minutes")
        else:
            job["schedule"] = expression
    if "retries" in manifest:
        job["retries"] = manifest["retries"]
    if "timeout" in manifest:
        job["timeout_seconds"] = seconds(manifest["timeout"])
    return job


def environments_of(workspace: Path, manifests: list[dict[str, Any]], given: list[str]) -> list[str]:
    if given:
        return given
    found = sorted(path.parent.name for path in (workspace / "copilot" / "environments").glob("*/manifest.yml"))
    found += sorted({env for manifest in manifests for env in (manifest.get("environments") or {})} - set(found))
    return found or ["prod"]


def convert(
    workspace: Path,
    *,
    environments: list[str],
    account: str = "",
    region: str = "us-east-1",
    adopt: str = "",
    adopt_logs: bool = False,
) -> tuple[dict[str, dict[str, Any]], Report]:
    """Every environment's table (its own settings and its `services`), and the report. ``adopt`` names the
    environment that takes over Copilot's image repositories (and with ``adopt_logs``, its log groups)."""
    if adopt_logs and not adopt:
        raise ValueError("--adopt-logs: give --adopt <env> too, the environment whose log groups are taken over")
    try:
        # Only this command reads YAML: the `copilot` extra installs it.
        import yaml  # type: ignore[import-untyped]  # noqa: PLC0415
    except ImportError:
        raise ValueError("reading Copilot manifests needs PyYAML: pip install 'cdktf-fargate[copilot]'") from None
    report = Report()
    manifests = []
    for path in sorted((workspace / "copilot").glob("*/manifest.yml")):
        if path.parent.name == "environments":
            continue
        manifest = yaml.safe_load(path.read_text()) or {}
        # YAML 1.1 reads the key `on` (a job's trigger) as the boolean true.
        if True in manifest:
            manifest["on"] = manifest.pop(True)
        where = str(path.relative_to(workspace))
        if manifest.get("type") in NOT_YET or manifest.get("type") not in KINDS:
            report.skip(where, "type", manifest.get("type"), "the kinds here are web, backend, worker and job")
            continue
        manifests.append((where, manifest))
    tables: dict[str, dict[str, Any]] = {}
    application = application_name(workspace)
    for environment in environments_of(workspace, [manifest for _, manifest in manifests], environments):
        services: dict[str, Any] = {}
        # Copilot's own variables win over the shell's, as in Copilot.
        known = {**os.environ, "COPILOT_ENVIRONMENT_NAME": environment}
        if application:
            known["COPILOT_APPLICATION_NAME"] = application
        for where, manifest in manifests:
            # An environment's overrides apply to it alone; each field is reported once, whichever environment has it.
            overrides = (manifest.get("environments") or {}).get(environment) or {}
            applied = merge({k: v for k, v in manifest.items() if k != "environments"}, overrides)
            applied = interpolated(applied, known, where)
            services[manifest["name"]] = convert_service(applied, where, report, account=account, region=region)
        connected = [
            m["name"] for _, m in manifests if (m.get("network") or {}).get("connect") and KINDS[m["type"]] == "backend"
        ]
        for where, manifest in manifests:
            if (manifest.get("network") or {}).get("connect") and KINDS[manifest["type"]] != "job":
                callees = [name for name in connected if name != manifest["name"]]
                if callees:
                    services[manifest["name"]]["calls"] = callees
                    report.note(
                        where, f"network.connect: calls = {callees}: every connected backend; keep only those it calls"
                    )
        _check_subscriptions(services, manifests, report)
        settings = _environment_settings(workspace, environment, known, report, application=application,
                                         account=account, region=region, services=services)  # fmt: skip
        tables[environment] = {**settings, "services": services}
    if adopt:
        _adopt_repositories(adopt, tables, application, report)
    if adopt_logs:
        for name, table in tables[adopt]["services"].items():
            group = table.setdefault("job" if table["kind"] == "job" else "service", {})
            group.setdefault("logging", {})["adopt_log_group"] = f"/copilot/{application}-{adopt}-{name}"
    report.unmapped = list(dict.fromkeys(report.unmapped))
    report.notes = list(dict.fromkeys(report.notes))
    return tables, report


def _adopt_repositories(
    environment: str, tables: dict[str, dict[str, Any]], application: str | None, report: Report
) -> None:
    """Copilot kept one ECR repository a service, `<app>/<service>`, for all of an application's environments:
    the environment named takes each over (`adopt_repository`), so its images and tags stay."""
    if environment not in tables:
        raise ValueError(f"--adopt {environment}: not an environment of this import ({', '.join(tables)})")
    if not application:
        raise ValueError("--adopt: copilot/.workspace names no application, so the repositories' names are unknown")
    for name, table in tables[environment]["services"].items():
        if not table.get("repository"):
            table["adopt_repository"] = f"{application}/{name}"
    report.note(f"environment {environment}", f"adopts the repositories {application}/<service>: the first plan "
                "imports them (from-copilot.md#adopting-what-exists); other environments make their own")  # fmt: skip


def _environment_settings(
    workspace: Path,
    environment: str,
    known: Mapping[str, str],
    report: Report,
    *,
    application: str | None,
    account: str,
    region: str,
    services: Mapping[str, Any],
) -> dict[str, Any]:
    """The environment's own settings: where it runs, and what its Copilot environment manifest held."""
    settings: dict[str, Any] = {"region": region}
    if account:
        settings["account_id"] = account
    if application and APP_NAME.fullmatch(application):
        # Resources are named `<app>-<env>-<service>`, as Copilot named its stacks.
        settings["app_name"] = application
    elif application:
        why = "app_name here is 1-15 lower-case letters, digits or hyphens: the default `webapp` is written"
        report.skip("copilot/.workspace", "application", application, why)
    path = workspace / "copilot" / "environments" / environment / "manifest.yml"
    where = str(path.relative_to(workspace))
    if path.is_file():
        import yaml  # noqa: PLC0415

        manifest = interpolated(yaml.safe_load(path.read_text()) or {}, known, where)
        settings.update(convert_environment(manifest, where, report))
    else:
        where = f"environment {environment}"
        report.note(where, "no environment manifest: the VPC, load balancer and cluster keep this app's defaults")
    if "vpc_id" not in settings:
        network = settings.setdefault("network", {})
        # Copilot's tasks reached the internet (public subnets, or NAT gateways); here they reach AWS's
        # endpoints only unless this is on.
        network["allow_internet_egress"] = True
        report.note(where, "network.allow_internet_egress = true: Copilot's tasks reached the internet; turn it "
                    "off once every image is in this region's ECR and nothing calls out (security.md)")  # fmt: skip
    if not settings.get("certificate_arn"):
        report.note(where, "no http.public.certificates: set certificate_arn (or certificate_domain, or domain_name "
                    "with hosted_zone_id) before synth: the load balancer serves HTTPS only")  # fmt: skip
    insights = settings.get("cluster", {}).get("container_insights")
    scaled = [name for name, table in services.items() if table.get("kind") == "worker"
              and (table.get("service", {}).get("scaling") or {}).get("enabled", True)]  # fmt: skip
    if insights is False and scaled:
        settings["cluster"]["container_insights"] = True
        report.note(where, f"observability.container_insights = false is turned on: workers {scaled} scale on the "
                    "running tasks Container Insights counts")  # fmt: skip
    return settings


def to_toml(tables: Mapping[str, Mapping[str, Any]]) -> str:
    lines = ["# Written by cdktf-fargate import-copilot: each environment with its services (docs/from-copilot.md)."]
    for environment, environment_table in tables.items():
        own = {key: value for key, value in environment_table.items() if key != "services"}
        if own:
            lines += ["", f"[{environment}]"]
            lines += [f"{key} = {toml_value(value)}" for key, value in _flatten(own)]
        for name, table in environment_table.get("services", {}).items():
            lines += ["", f"[{environment}.services.{name}]"]
            lines += [f"{key} = {toml_value(value)}" for key, value in _flatten(table)]
    return "\n".join(lines) + "\n"


def _flatten(table: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    items: list[tuple[str, Any]] = []
    for key, value in table.items():
        path = f"{prefix}{key}"
        # Maps of names (variables, secrets) stay inline tables: their keys are not settings.
        if isinstance(value, Mapping) and key not in ("environment", "secrets") and value:
            items += _flatten(value, f"{path}.")
        elif value is not None:
            items.append((path, value))
    return items


def run(
    workspace: Path,
    *,
    environments: list[str],
    account: str,
    region: str,
    output: Path | None,
    out: Callable[[str], None],
    adopt: str = "",
    adopt_logs: bool = False,
) -> int:
    """Write the tables (to ``output``, else ``out``) and report on stderr what could not be mapped; a
    directory without a workspace is a ValueError."""
    if not (workspace / "copilot").is_dir():
        raise ValueError(f"{workspace}/copilot does not exist: give the directory that holds it")
    tables, report = convert(
        workspace, environments=environments, account=account, region=region, adopt=adopt, adopt_logs=adopt_logs
    )
    text = to_toml(tables)
    if output:
        output.write_text(text)
    else:
        out(text.rstrip("\n"))
    for line in report.unmapped:
        print(f"unmapped: {line}", file=sys.stderr)
    for line in report.notes:
        print(f"check: {line}", file=sys.stderr)
    services = sum(len(table["services"]) for table in tables.values())
    print(f"{services} service tables for {', '.join(tables)}; {len(report.unmapped)} fields "
          "not mapped (listed above)", file=sys.stderr)  # fmt: skip
    return 0
