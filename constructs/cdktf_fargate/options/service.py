"""The option types of a FargateService: one frozen type per concern, gathered in ``ServiceOptions``."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Literal, Protocol

from .._validation import IMAGE_REFERENCE, IMAGE_REFERENCE_DESCRIBED, is_token
from ._base import LOG_RETENTION, PORT, Above, Each, OptionType, Pattern, Range, option
from .schedule import SCHEDULE_FORMS, TIMEZONE, schedule_problem
from .storage import EbsVolume, check_volume_mount

Report = Callable[[str, Any, str], None]

# Fargate's valid task sizes: CPU units -> allowed memory in MiB.
FARGATE_TASK_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}
CpuUnits = Literal[256, 512, 1024, 2048, 4096, 8192, 16384]
CpuArchitecture = Literal["X86_64", "ARM64"]
SecretKind = Literal["ssm-parameter", "secrets-manager"]

# A container image reference, as Docker and ECS parse it (the rule of every image setting).
IMAGE = Pattern(IMAGE_REFERENCE, IMAGE_REFERENCE_DESCRIBED)
# AWS for Fluent Bit, pinned; the image's own tags are documented at github.com/aws/aws-for-fluent-bit.
FLUENT_BIT_IMAGE = "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.5"
# AWS Distro for OpenTelemetry's collector, pinned (github.com/aws-observability/aws-otel-collector).
OTEL_COLLECTOR_IMAGE = "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3"
# The names of the containers the stack adds to a task: the FireLens log router, the OpenTelemetry collector.
LOG_ROUTER = "log_router"
COLLECTOR = "otel-collector"
# What a container may wait for of another (ECS's dependsOn conditions).
DependencyCondition = Literal["START", "COMPLETE", "SUCCESS", "HEALTHY"]
CONTAINER_NAME = Pattern(re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,254}"), "must be 1-255 letters, digits, '-' or '_'")
ENV_NAME = Pattern(re.compile(r"[A-Za-z_][A-Za-z0-9_]*"), "must be letters, digits and '_', not starting with a digit")
CONTAINER_PATH = Pattern(re.compile(r"/[A-Za-z0-9._/-]*"), "must be an absolute path")
USER = Pattern(
    re.compile(r"([A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?)?"), "must be 'user', 'uid', 'uid:gid' or '' (the image's user)"
)
HEALTH_CHECK_PATH = Pattern(
    re.compile(r"/[\x21-\x7e]{0,1023}"), "must start with '/' and be at most 1024 printable characters"
)
HTTP_MATCHER = Pattern(
    re.compile(r"[2-4]\d\d(-[2-4]\d\d)?(,[2-4]\d\d(-[2-4]\d\d)?)*"),
    "must be HTTP codes 200-499 as '200', '200,302' or '200-299'",
)
PATH_PATTERN = Pattern(re.compile(r"/[\x21-\x7e]{0,127}"), "must start with '/' and be at most 128 characters")
SERVICE_CONNECT_NAME = Pattern(
    re.compile(r"([a-z][a-z0-9-]{0,62})?"),
    "must be '' or a DNS label: up to 63 lower-case letters, digits or '-', starting with a letter",
)
HOST_HEADER = Pattern(re.compile(r"[A-Za-z0-9*?.-]{1,128}"), "must be a host name (wildcards * and ? allowed)")
# ALB listener rules: at most three values a condition, five a rule (paths and hosts together).
MAX_VALUES_PER_CONDITION = 3
MAX_CONDITION_VALUES = 5
# ECS may read one JSON key, version stage or version id of a secret (`…:secret:<name>:<json-key>:<stage>:<id>`,
# any of the three empty); IAM and KMS name the secret by its own ARN, without them.
SECRET_ARN_PATTERNS: dict[str, re.Pattern[str]] = {
    "ssm-parameter": re.compile(r"(?P<resource>arn:aws[a-z-]*:ssm:(?P<region>[a-z0-9-]+):\d{12}:parameter/.+)"),
    "secrets-manager": re.compile(
        r"(?P<resource>arn:aws[a-z-]*:secretsmanager:(?P<region>[a-z0-9-]+):\d{12}:secret:[A-Za-z0-9/_+=.@-]+)"
        r"(:[^:]*){0,3}"
    ),
}
SECRET_ARN_DESCRIBED = {
    "ssm-parameter": "must be an SSM parameter ARN (arn:aws:ssm:<region>:<account>:parameter/...)",
    "secrets-manager": "must be a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>"
    ", optionally followed by :<json-key>:<version-stage>:<version-id>)",
}
# Secrets Manager ends a secret's name in its ARN with "-" and six random characters; an ARN without them
# (a partial ARN) is matched in IAM by a "-??????" wildcard.
SECRET_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}")
# What each service puts in the encryption context when it decrypts for the caller.
SECRET_DECRYPT_CONTEXT = {"ssm-parameter": ("ssm", "PARAMETER_ARN"), "secrets-manager": ("secretsmanager", "SecretARN")}
# Plain environment variables show in the console, the API and every task description.
SECRET_LOOKING_NAME = re.compile(
    r"(^|_)(PASSWORD|PASSWD|PASS|PWD|PASSPHRASE|TOKEN|SECRET|[A-Z]*KEY|CREDENTIALS?|AUTH|DSN)(_|$)"
    r"|^(PGPASSWORD|MYSQL_PWD|DATABASE_URL|REDIS_URL|MONGO(DB)?_URI|AMQP_URL|SENTRY_DSN)$",
    re.IGNORECASE,
)
SECRET_LOOKING_VALUE = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----"  # a PEM private key
    r"|\b(AKIA|ASIA)[A-Z0-9]{16}\b"  # an AWS access key id
    r"|[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@"  # a URL with user:password@
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Secret(OptionType):
    """An environment variable read at task start from SSM Parameter Store or Secrets Manager.
    The kind is declared, so an ARN known only at apply time (a Terraform reference) works too."""

    kind: SecretKind = option("secrets-manager", "where the value is kept")
    arn: str = option(
        "",
        "the parameter's or secret's ARN (a Terraform reference is accepted); a Secrets Manager ARN may name one "
        "JSON key, version stage or version id (`…:secret:db-AbCdEf:password::`) and may leave out the random suffix",
    )

    def _cross_check(self, report: Report) -> None:
        if is_token(self.arn):
            return
        if not SECRET_ARN_PATTERNS[self.kind].fullmatch(self.arn):
            other = next((kind for kind, pattern in SECRET_ARN_PATTERNS.items() if pattern.fullmatch(self.arn)), None)
            if other is not None:
                # `kind` left out (Secrets Manager by default) for a parameter, or the other way round.
                report("kind", self.kind, f"the ARN {self.arn!r} is of kind {other!r}: set kind = {other!r}")
            else:
                report("arn", self.arn, SECRET_ARN_DESCRIBED[self.kind])

    @property
    def resource_arn(self) -> str:
        """The ARN IAM and KMS name the secret by: a Secrets Manager ARN without its JSON key and version,
        and with `-??????` for the suffix a partial ARN leaves out. A Terraform reference is taken as is."""
        found = None if is_token(self.arn) else SECRET_ARN_PATTERNS[self.kind].fullmatch(self.arn)
        if found is None:
            return self.arn
        resource = found["resource"]
        if self.kind == "secrets-manager" and not SECRET_SUFFIX.fullmatch(resource.rsplit(":", 1)[1][-7:]):
            resource += "-??????"
        return resource

    @property
    def region(self) -> str | None:
        """The region in the ARN (None for a Terraform reference)."""
        found = None if is_token(self.arn) else SECRET_ARN_PATTERNS[self.kind].fullmatch(self.arn)
        return found["region"] if found else None


class _SecretOfKind(type):
    """A kind of secret as a type: calling it makes a `Secret` of that kind, and every `Secret` of that kind
    (made in code or read from the settings file) is an instance of it."""

    kind: SecretKind

    def __call__(cls, arn: str) -> Secret:
        return Secret(kind=cls.kind, arn=arn)

    def __instancecheck__(cls, instance: object) -> bool:
        return isinstance(instance, Secret) and instance.kind == cls.kind


class SsmParameter(metaclass=_SecretOfKind):
    """A secret kept as an SSM Parameter Store parameter (SecureString): ``SsmParameter(arn)``."""

    kind = "ssm-parameter"


class SecretsManagerSecret(metaclass=_SecretOfKind):
    """A secret kept in Secrets Manager: ``SecretsManagerSecret(arn)``."""

    kind = "secrets-manager"


@dataclasses.dataclass(frozen=True, kw_only=True)
class TaskSize(OptionType):
    """CPU, memory and processor of each task."""

    cpu_units: CpuUnits = option(512, "task CPU (1024 = 1 vCPU)")
    memory_mib: int = option(1024, "task memory; must fit `cpu_units` in Fargate's table", Range(512, 122880))
    cpu_architecture: CpuArchitecture = option("X86_64", "`X86_64`, or `ARM64` (Graviton, about 20 % cheaper)")
    ephemeral_storage_gib: int = option(
        20,
        "the task's own storage, shared by its containers' writable layers and scratch paths: Fargate's 20 GiB "
        "come with the task, more (up to 200) is charged by the GB-hour",
        Range(20, 200),
    )

    def _cross_check(self, report: Report) -> None:
        allowed = FARGATE_TASK_SIZES[self.cpu_units]
        if self.memory_mib not in allowed:
            report(
                "memory_mib",
                self.memory_mib,
                f"with cpu_units={self.cpu_units} Fargate allows {allowed[0]}-{allowed[-1]} MiB "
                f"({', '.join(str(memory) for memory in allowed)})",
            )


@dataclasses.dataclass(frozen=True, kw_only=True)
class Container(OptionType):
    """The application container: its port, variables, secrets and hardening."""

    name: str = option("app", "the container's name", CONTAINER_NAME)
    port: int = option(8080, "the port the app listens on", PORT)
    command: tuple[str, ...] = option(
        (), 'run this instead of the image\'s CMD, e.g. `["python", "-m", "worker"]` (two services sharing one image)'
    )
    entrypoint: tuple[str, ...] = option(
        (), "run this instead of the image's ENTRYPOINT (then `command`, or the image's CMD, are its arguments)"
    )
    environment: Mapping[str, str] = option(
        {"LOG_LEVEL": "info"},
        "plain environment variables; names and values that look secret are refused (use `secrets`)",
        Each(ENV_NAME, unique=False),
    )
    secrets: Mapping[str, Secret] = option(
        {}, "variables read at task start: name -> `Secret`; the execution role may read exactly these", Each(ENV_NAME)
    )
    readonly_root_filesystem: bool = option(True, "the container cannot write to its image's filesystem")
    scratch_paths: tuple[str, ...] = option(("/tmp",), "writable task-lifetime directories", Each(CONTAINER_PATH))
    user: str = option(
        "1000:1000",
        'run as this `uid:gid`, `uid` or user name; `""`: the image\'s user (root unless its Dockerfile says USER). '
        "A scratch path is root-owned unless the image declares it as a VOLUME owned by this user",
        USER,
    )
    drop_all_capabilities: bool = option(
        True, "drop every Linux capability; False keeps the runtime's defaults (for images that chown or setuid)"
    )
    health_check_command: tuple[str, ...] = option(
        (), 'the container\'s own health check, e.g. `["CMD-SHELL", "curl -f localhost:8080/health"]`; none: off'
    )
    health_check_interval_seconds: int = option(30, "with `health_check_command`: seconds between checks",
                                                Range(5, 300))  # fmt: skip
    health_check_timeout_seconds: int = option(
        5, "with `health_check_command`: a check that takes longer has failed", Range(2, 60)
    )
    health_check_retries: int = option(
        3, "with `health_check_command`: failed checks in a row before the container is unhealthy", Range(1, 10)
    )
    health_check_start_period_seconds: int | None = option(
        None,
        "with `health_check_command`: failed checks this long after the container starts do not count (ECS's "
        "`startPeriod`); None: a service's `health_check.grace_period_seconds` (at most 300, ECS's limit), a job's 0",
        Range(0, 300),
    )
    stop_timeout_seconds: int = option(30, "time after SIGTERM before SIGKILL", Range(2, 120))
    depends_on: Mapping[str, DependencyCondition] = option(
        {},
        "containers of the task it starts after: a sidecar's name (or the application container's, for a "
        "sidecar) -> START, COMPLETE or SUCCESS (it ran to its end, with exit 0) or HEALTHY (its health check passes)",
        Each(CONTAINER_NAME),
    )

    def _cross_check(self, report: Report) -> None:
        for key, value in self.environment.items():
            if SECRET_LOOKING_NAME.search(key):
                report(
                    f"environment.{key}",
                    value,
                    "the name looks like a secret: plain variables are visible in the console and API; "
                    "pass it in secrets={name: Secret(...)}",
                )
            elif not is_token(value) and SECRET_LOOKING_VALUE.search(value):
                report(
                    f"environment.{key}",
                    "<redacted>",
                    "the value looks like a credential (a private key, an AWS access key id or a user:password@ "
                    "URL): pass it in secrets",
                )
        for key in self.secrets:
            if key in self.environment:
                report(f"secrets.{key}", self.secrets[key].arn, "is also a plain environment variable; use one")
        command = self.health_check_command
        if command and command[0] not in ("CMD", "CMD-SHELL"):
            report("health_check_command", list(command), "must be a list starting with 'CMD' or 'CMD-SHELL'")
        if command and self.health_check_timeout_seconds >= self.health_check_interval_seconds:
            report(
                "health_check_timeout_seconds",
                self.health_check_timeout_seconds,
                f"must be less than health_check_interval_seconds ({self.health_check_interval_seconds}): a check "
                "still running when the next is due",
            )


@dataclasses.dataclass(frozen=True, kw_only=True)
class Sidecar(Container):
    """Another container of the task beside the application's: an agent (metrics, logs, tracing), a proxy,
    or an init container that runs to its end first. Hardened as the application's container by default;
    each setting of a `Container` applies to it, its name is its key in `sidecars`."""

    NOT_IN_TABLE: ClassVar[tuple[str, ...]] = ("name",)

    image: str = option("", "its image, pinned by you: `[registry/]repository[:tag][@sha256:digest]`", IMAGE)
    essential: bool = option(
        True, "the task stops when it stops; false for an init container or an agent the app can run without"
    )
    cpu_units: int = option(0, "CPU units reserved for it out of the task's; 0: none reserved", Range(0, 16384))
    memory_mib: int | None = option(
        None, "its hard memory limit, MiB, out of the task's; None: it shares the task's memory", Range(6, 122880)
    )
    port: int | None = option(None, "a port it listens on; None: none", PORT)  # type: ignore[assignment]
    environment: Mapping[str, str] = option(
        {}, "plain environment variables; names and values that look secret are refused (use `secrets`)",
        Each(ENV_NAME, unique=False),
    )  # fmt: skip


class TaskContainers(Protocol):
    """What a task and its containers are built and checked from: a service's options and a job's both have it."""

    @property
    def task(self) -> TaskSize: ...
    @property
    def container(self) -> Container: ...
    @property
    def sidecars(self) -> Mapping[str, Sidecar]: ...
    @property
    def logging(self) -> Logging: ...
    @property
    def telemetry(self) -> Telemetry: ...


def check_containers(report: Report, options: TaskContainers) -> None:
    """Rules across a task's containers (a service's or a job's): names, what each waits for, and what their
    reservations leave the application of the task's CPU and memory (ECS refuses a task that asks for more)."""
    task, container, sidecars = options.task, options.container, options.sidecars
    logging, telemetry = options.logging, options.telemetry
    names: dict[str, Container] = {container.name: container, **sidecars}
    for key in sidecars:
        if key == container.name:
            report(f"sidecars.{key}", "<set>", f"is the application container's name ({container.name!r})")
    # The containers the stack adds take these names.
    reserved = {}
    if telemetry.collector == "otel":
        reserved[COLLECTOR] = "the OpenTelemetry collector's name with telemetry.collector = 'otel'"
    if logging.router == "firelens":
        reserved[LOG_ROUTER] = "the FireLens log router's name with logging.router = 'firelens'"
    for where, name in [("container.name", container.name), *((f"sidecars.{key}", key) for key in sidecars)]:
        if name in reserved:
            report(where, name, f"is {reserved[name]}")
    members = [("container", container), *((f"sidecars.{key}", sidecar) for key, sidecar in sidecars.items())]
    for where, member in members:
        for other, condition in member.depends_on.items():
            target = names.get(other)
            if target is None or target is member:
                allowed = "names itself" if target is member else f"is not a container of the task: {sorted(names)}"
                report(f"{where}.depends_on.{other}", condition, allowed)
            elif condition in ("COMPLETE", "SUCCESS") and getattr(target, "essential", True):
                why = f"{other!r} is essential: a task stops when it exits, so nothing waits for its end"
                report(f"{where}.depends_on.{other}", condition, f"{why}; set its essential = false (init container)")
            elif condition == "HEALTHY" and not target.health_check_command:
                report(f"{where}.depends_on.{other}", condition, f"{other!r} has no health_check_command")
    reserved_cpu = sum(sidecar.cpu_units for sidecar in sidecars.values())
    if reserved_cpu >= task.cpu_units and sidecars:
        report("sidecars", f"{reserved_cpu} CPU units", f"must leave the application some of the task's "
               f"{task.cpu_units} (task.cpu_units)")  # fmt: skip
    reserved_memory = sum(sidecar.memory_mib or 0 for sidecar in sidecars.values())
    if reserved_memory >= task.memory_mib and sidecars:
        report("sidecars", f"{reserved_memory} MiB", f"must leave the application some of the task's "
               f"{task.memory_mib} MiB (task.memory_mib)")  # fmt: skip


@dataclasses.dataclass(frozen=True, kw_only=True)
class HealthCheck(OptionType):
    """The load balancer's health check of each task."""

    path: str = option("/health", "the path it requests", HEALTH_CHECK_PATH)
    matcher: str = option("200", "healthy HTTP codes, e.g. `200` or `200-299`", HTTP_MATCHER)
    healthy_threshold: int = option(2, "passes in a row before a task takes traffic", Range(2, 10))
    unhealthy_threshold: int = option(3, "failures in a row before a task is replaced", Range(2, 10))
    interval_seconds: int = option(30, "time between checks", Range(5, 300))
    timeout_seconds: int = option(5, "time to answer; below `interval_seconds`", Range(2, 120))
    grace_period_seconds: int = option(
        60, "failed checks are ignored this long after a task starts", Range(0, 2147483647)
    )

    def _cross_check(self, report: Report) -> None:
        if self.timeout_seconds >= self.interval_seconds:
            report(
                "timeout_seconds",
                self.timeout_seconds,
                f"must be less than interval_seconds ({self.interval_seconds})",
            )


@dataclasses.dataclass(frozen=True, kw_only=True)
class Routing(OptionType):
    """Which requests the load balancer sends to the service."""

    priority: int = option(100, "the listener rule's priority (lower is matched first)", Range(1, 50000))
    path_patterns: tuple[str, ...] = option(("/*",), "request paths routed here", Each(PATH_PATTERN))
    host_headers: tuple[str, ...] = option((), "host names routed here; none: any host", Each(HOST_HEADER))
    deregistration_delay_seconds: int = option(
        30, "how long a stopping task drains (AWS's own 300 makes every rollout wait 5 minutes)", Range(0, 3600)
    )

    def _cross_check(self, report: Report) -> None:
        if not self.path_patterns and not self.host_headers:
            report("path_patterns", [], "path_patterns and host_headers cannot both be empty")
        # One path-pattern and one host-header condition per rule, each of at most three values (AWS).
        for setting, values_of in (("path_patterns", self.path_patterns), ("host_headers", self.host_headers)):
            if len(values_of) > MAX_VALUES_PER_CONDITION:
                report(
                    setting,
                    list(values_of),
                    f"a listener rule's condition takes at most {MAX_VALUES_PER_CONDITION} values; this has "
                    f"{len(values_of)}: give the others a service (and rule) of their own, or a common pattern",
                )
        values = len(self.path_patterns) + len(self.host_headers)
        if values > MAX_CONDITION_VALUES:
            report(
                "path_patterns",
                [*self.path_patterns, *self.host_headers],
                f"a listener rule takes at most {MAX_CONDITION_VALUES} condition values, paths and hosts "
                f"together; this has {values}",
            )


@dataclasses.dataclass(frozen=True, kw_only=True)
class Deployment(OptionType):
    """How a new task definition rolls out."""

    minimum_healthy_percent: int = option(100, "never fewer healthy tasks than this share of desired", Range(0, 100))
    maximum_percent: int = option(200, "at most this share of desired running during a rollout", Range(100, 400))
    circuit_breaker_rollback: bool = option(True, "roll back a rollout whose tasks keep failing to start")
    availability_zone_rebalancing: bool = option(True, "ECS re-spreads tasks over the zones after an AZ recovers")
    expected_task_start_seconds: int = option(
        60, "how long a task takes from launch to serving (image pull, app start); only the rollout-time estimate "
        "uses it", Range(1, 3600),
    )  # fmt: skip

    def _cross_check(self, report: Report) -> None:
        if self.maximum_percent <= self.minimum_healthy_percent:
            report(
                "maximum_percent",
                self.maximum_percent,
                f"must be above minimum_healthy_percent ({self.minimum_healthy_percent}), "
                "or a rollout can never start a new task",
            )


@dataclasses.dataclass(frozen=True, kw_only=True)
class CapacityMix(OptionType):
    """How tasks are spread over FARGATE and FARGATE_SPOT."""

    fargate_weight: int = option(100, "relative share of tasks on FARGATE", Range(0, 1000))
    fargate_spot_weight: int = option(
        0, "relative share on FARGATE_SPOT (up to 70 % cheaper, can be stopped)", Range(0, 1000)
    )
    fargate_base: int = option(0, "tasks always on FARGATE before the weights apply", Range(0, 100000))

    def _cross_check(self, report: Report) -> None:
        if self.fargate_weight == 0 and self.fargate_spot_weight == 0:
            report("fargate_weight", 0, "fargate_weight and fargate_spot_weight cannot both be 0")


@dataclasses.dataclass(frozen=True, kw_only=True)
class CapacitySchedule(OptionType):
    """New autoscaling bounds from a time on (an Application Auto Scaling scheduled action): they hold until
    another schedule sets others, so a window is two entries, one to open it and one to close it."""

    schedule: str = option("", f"when: {SCHEDULE_FORMS}")
    timezone: str = option("UTC", "the time zone a cron() or at() schedule is read in", TIMEZONE)
    min_count: int | None = option(None, "fewest tasks from then on; None: unchanged", Range(0, 5000))
    max_count: int | None = option(None, "most tasks from then on; None: unchanged", Range(0, 5000))

    def _cross_check(self, report: Report) -> None:
        problem = schedule_problem(self.schedule)
        if problem:
            report("schedule", self.schedule, problem)
        if self.timezone != "UTC" and not self.schedule.startswith(("cron(", "at(")):
            report("timezone", self.timezone, "applies to cron() and at() schedules only")
        if self.min_count is None and self.max_count is None:
            report("min_count", None, "a schedule sets min_count, max_count or both")
        elif self.min_count is not None and self.max_count is not None and self.max_count < self.min_count:
            report("max_count", self.max_count, f"must be at least min_count ({self.min_count})")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Scaling(OptionType):
    """Target-tracking autoscaling of the task count."""

    enabled: bool = option(True, "scale between `min_count` and `max_count`")
    min_count: int = option(3, "fewest tasks", Range(0, 5000))
    max_count: int = option(12, "most tasks", Range(1, 5000))
    cpu_target_percent: int | None = option(70, "keep average CPU near this; None: not a target", Range(1, 100))
    memory_target_percent: int | None = option(None, "keep average memory near this; None: not a target", Range(1, 100))
    requests_per_target: int | None = option(
        None, "keep load-balancer requests per task near this; None: not a target", Range(1, 1_000_000)
    )
    scale_in_cooldown_seconds: int = option(300, "wait after scaling in", Range(0, 3600))
    scale_out_cooldown_seconds: int = option(60, "wait after scaling out", Range(0, 3600))
    schedules: tuple[CapacitySchedule, ...] = option(
        (),
        "bounds by time of day or date (business hours, batch windows); with any, `min_count` and "
        "`max_count` are the bounds the service starts with, and the schedules own them from then on",
    )

    def _cross_check(self, report: Report) -> None:
        if not self.enabled:
            if self.schedules:
                report("schedules", f"{len(self.schedules)} schedules", "change autoscaling's bounds: set enabled")
            return
        for index, entry in enumerate(self.schedules):
            # One bound alone meets the service's other: a minimum above its maximum is refused when it fires.
            if entry.max_count is None and entry.min_count is not None and entry.min_count > self.max_count:
                allowed = f"must be at most max_count ({self.max_count}), or set the schedule's max_count too"
                report(f"schedules[{index}].min_count", entry.min_count, allowed)
            if entry.min_count is None and entry.max_count is not None and entry.max_count < self.min_count:
                allowed = f"must be at least min_count ({self.min_count}), or set the schedule's min_count too"
                report(f"schedules[{index}].max_count", entry.max_count, allowed)
        if self.max_count < self.min_count:
            report("max_count", self.max_count, f"must be at least min_count ({self.min_count})")
        if self.cpu_target_percent is None and self.memory_target_percent is None and self.requests_per_target is None:
            report("cpu_target_percent", None, "scaling needs at least one target metric")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Alarms(OptionType):
    """CloudWatch alarms on the service, to the wired alarm actions."""

    enabled: bool = option(True, "alarms on target 5xx, unhealthy targets, p99 latency, CPU and memory")
    rollback_deployments: bool = option(
        True, "with `enabled`: a rollout rolls back while the 5xx or unhealthy-target alarm fires"
    )
    target_5xx_per_minute: int = option(
        10, "5xx answers from tasks per minute that raise the alarm", Range(1, 1_000_000)
    )
    p99_latency_seconds: float = option(2.0, "p99 target response time that raises the alarm", Above(0, 60))
    cpu_percent: int = option(85, "average CPU that raises the alarm", Range(1, 100))
    memory_percent: int = option(85, "average memory that raises the alarm", Range(1, 100))


# CloudWatch Logs' rule for a log group's name, or empty.
LOG_GROUP_NAME_OR_EMPTY = Pattern(
    re.compile(r"([.\-_/#A-Za-z0-9]{1,512})?"),
    "must be '' or a log group's name: up to 512 letters, digits and '.', '-', '_', '/', '#'",
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Logging(OptionType):
    """Where the application's logs go: the CloudWatch log group `/ecs/<name>`, or through a FireLens log
    router (Fluent Bit) to another destination (Datadog, Firehose, OpenSearch, …)."""

    retention_days: int = option(365, "a CloudWatch retention value (0: never expire)", LOG_RETENTION)
    adopt_log_group: str = option(
        "",
        "take over this existing log group (Copilot's `/copilot/<app>-<env>-<service>`) instead of creating "
        "`/ecs/<name>`: the first plan imports it, so its events stay; it takes `retention_days` and the log key",
        LOG_GROUP_NAME_OR_EMPTY,
    )
    router: Literal["awslogs", "firelens"] = option(
        "awslogs",
        "`awslogs`: the log group; `firelens`: a Fluent Bit sidecar sends the application's logs to `destination` "
        "(the other containers' and its own stay in the log group)",
    )
    router_image: str = option(
        FLUENT_BIT_IMAGE,
        "the log router's image, pinned (AWS for Fluent Bit); without internet egress, this region's ECR "
        "(a pull-through cache of ECR Public)",
        IMAGE,
    )
    destination: Mapping[str, str] = option(
        {},
        'with `firelens`: the Fluent Bit output\'s options, `Name` first (e.g. `{ Name = "datadog", Host = '
        '"http-intake.logs.datadoghq.eu", TLS = "on" }`)',
    )
    destination_secrets: Mapping[str, Secret] = option(
        {}, "with `firelens`: output options read from a secret at task start (an API key): name -> `Secret`"
    )

    def _cross_check(self, report: Report) -> None:
        if self.router == "awslogs":
            for field in ("destination", "destination_secrets"):
                if getattr(self, field):
                    report(field, "<set>", "is FireLens's: set router = 'firelens' too")
            return
        if "Name" not in self.destination:
            report("destination", dict(self.destination), "names its Fluent Bit output plugin: `Name` (e.g. 'datadog', "
                   "'kinesis_firehose', 'opensearch', 'cloudwatch_logs')")  # fmt: skip
        for key in set(self.destination) & set(self.destination_secrets):
            report(f"destination_secrets.{key}", self.destination_secrets[key].arn, "is also a plain option; use one")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Telemetry(OptionType):
    """Traces and metrics: an OpenTelemetry collector (AWS Distro) beside the application sends its OTLP
    traces to X-Ray and its metrics to CloudWatch (embedded metric format, log group `/ecs/<name>/metrics`)."""

    collector: Literal["none", "otel"] = option(
        "none",
        "`otel`: the collector sidecar; the app finds it at `OTEL_EXPORTER_OTLP_ENDPOINT` (http://localhost:4317, "
        "gRPC; 4318 for HTTP) and is named by `OTEL_SERVICE_NAME`",
    )
    image: str = option(
        OTEL_COLLECTOR_IMAGE,
        "the collector's image, pinned; without internet egress, this region's ECR (a pull-through cache of "
        "ECR Public)",
        IMAGE,
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class ServiceConnect(OptionType):
    """How the other services of the environment call this one over ECS Service Connect (used only when
    the service is wired to a namespace)."""

    name: str = option(
        "",
        "publish the service under this name: the namespace's other services call "
        '`http://<name>:<container.port>`; `""`: it only calls others',
        SERVICE_CONNECT_NAME,
    )
    alias: str = option(
        "",
        "callers reach it at `http://<alias>:<alias_port>` instead of its published name (a name callers used "
        'elsewhere, such as Copilot\'s `network.connect.alias`); `""`: its name',
        SERVICE_CONNECT_NAME,
    )
    alias_port: int | None = option(None, "the port callers use with the alias; None: the container's port", PORT)
    # ECS's own defaults stand when these are None: 5 minutes idle, 15 s per request (HTTP).
    idle_timeout_seconds: int | None = option(
        None,
        "how long the Service Connect proxy keeps an idle connection to this service; 0: never closes it; None: "
        "ECS's default (300 for HTTP)",
        Range(0, 2147483647),
    )
    per_request_timeout_seconds: int | None = option(
        None,
        "how long a caller's proxy waits for this service's whole response; 0: no limit; None: ECS's default (15)",
        Range(0, 2147483647),
    )

    @property
    def sets_timeouts(self) -> bool:
        return self.idle_timeout_seconds is not None or self.per_request_timeout_seconds is not None

    @property
    def sets_alias(self) -> bool:
        return bool(self.alias) or self.alias_port is not None


@dataclasses.dataclass(frozen=True, kw_only=True)
class ServiceOptions(OptionType):
    """Every setting of a FargateService, by concern."""

    desired_count: int = option(3, "tasks to run; changes made by autoscaling or operators are kept", Range(0, 5000))
    enable_execute_command: bool = option(
        False, "allow `aws ecs execute-command` into tasks (needs a writable root filesystem)"
    )
    task: TaskSize = option(TaskSize(), "CPU, memory and processor")
    container: Container = option(Container(), "the application container")
    health_check: HealthCheck = option(HealthCheck(), "the load balancer's health check")
    routing: Routing = option(Routing(), "which requests reach the service")
    deployment: Deployment = option(Deployment(), "how rollouts run")
    capacity: CapacityMix = option(CapacityMix(), "FARGATE and FARGATE_SPOT shares")
    scaling: Scaling = option(Scaling(), "autoscaling")
    alarms: Alarms = option(Alarms(), "CloudWatch alarms")
    logging: Logging = option(Logging(), "the log group")
    service_connect: ServiceConnect = option(ServiceConnect(), "calls between the services of a namespace")
    sidecars: Mapping[str, Sidecar] = option(
        {}, "more containers in each task, by name: agents, proxies, init containers", Each(CONTAINER_NAME)
    )
    telemetry: Telemetry = option(Telemetry(), "traces and metrics through an OpenTelemetry collector")
    ebs_volume: EbsVolume = option(EbsVolume(), "an EBS volume for each task, mounted into the application container")

    def _cross_check(self, report: Report) -> None:
        scaling = self.scaling
        within = is_token(self.desired_count) or scaling.min_count <= self.desired_count <= scaling.max_count
        if scaling.enabled and not within:
            report(
                "desired_count",
                self.desired_count,
                f"must be within scaling.min_count and scaling.max_count ({scaling.min_count}-{scaling.max_count}): "
                "autoscaling would move it there at once; change the bounds, or set scaling.enabled=False",
            )
        check_containers(report, self)
        check_volume_mount(report, self.ebs_volume, self.container.scratch_paths)
        if self.enable_execute_command and self.container.readonly_root_filesystem:
            report(
                "enable_execute_command",
                True,
                "ECS Exec needs a writable root filesystem (its agent writes there): "
                "set container.readonly_root_filesystem=False too, or leave ECS Exec off",
            )


__all__ = [
    "FARGATE_TASK_SIZES",
    "Alarms",
    "CapacityMix",
    "Container",
    "Deployment",
    "HealthCheck",
    "Logging",
    "Routing",
    "Scaling",
    "Secret",
    "SecretsManagerSecret",
    "ServiceConnect",
    "ServiceOptions",
    "Sidecar",
    "SsmParameter",
    "TaskSize",
    "Telemetry",
    "check_containers",
]
