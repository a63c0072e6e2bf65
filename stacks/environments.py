"""Per-environment settings: defaults in code, differences in ``environments.toml``.

``CDKTF_FARGATE_ENV`` picks the environment (default ``prod``); ``CDKTF_FARGATE_CONFIG``
points at another settings file (default ``environments.toml`` beside ``main.py``).
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
import types
import typing
from pathlib import Path
from typing import Any

ENV_VAR = "CDKTF_FARGATE_ENV"
CONFIG_VAR = "CDKTF_FARGATE_CONFIG"
DEFAULT_ENVIRONMENT = "prod"
DEFAULT_CONFIG_PATH = Path(__file__).resolve().parent.parent / "environments.toml"
ENVIRONMENT_NAME_PATTERN = re.compile(r"[a-z][a-z0-9-]{0,15}")
ENDPOINT_URL_PATTERN = re.compile(r"https?://[A-Za-z0-9.-]+:\d{1,5}/?")


def setting(default: Any, doc: str) -> Any:
    """A settings field with its README description."""
    if isinstance(default, (dict, list)):
        return dataclasses.field(default_factory=lambda: type(default)(default), metadata={"doc": doc})
    return dataclasses.field(default=default, metadata={"doc": doc})


@dataclasses.dataclass(frozen=True, kw_only=True)
class EnvironmentConfig:
    """One environment's settings. Defaults are production-like."""

    environment: str = setting(DEFAULT_ENVIRONMENT, "the environment's name (the table in the settings file)")
    app_name: str = setting("webapp", "prefix of every name: `<app_name>-<environment>`")
    region: str = setting("us-east-1", "AWS region")
    certificate_arn: str = setting("", "ACM certificate of the HTTPS listener (this or `certificate_domain`)")
    certificate_domain: str = setting("", "find the issued ACM certificate for this domain instead")
    domain_name: str = setting(
        "", "with `hosted_zone_id`: the service's host name, with a DNS-validated certificate and an alias record"
    )
    hosted_zone_id: str = setting("", "the Route53 hosted zone of `domain_name`")
    aws_endpoint_url: str = setting("", "send every AWS API call here (the local emulator), with dummy credentials")
    # Terraform state: a local file unless a bucket is named.
    state_bucket: str = setting("", "keep the Terraform state in this S3 bucket (encrypted, native S3 locking)")
    state_key: str = setting("", "object key of the state; default `<stack>/terraform.tfstate`")
    state_region: str = setting("", "region of the state bucket; default `region`")
    # Network: build one, or name an existing VPC and its subnets.
    vpc_cidr: str = setting("10.0.0.0/16", "VPC range, /16 to /24")
    az_count: int = setting(2, "availability zones, 2 to 6")
    availability_zones: tuple[str, ...] = setting((), "pin the zones by name (sets the count)")
    single_nat_gateway: bool = setting(False, "one shared NAT gateway instead of one per AZ")
    flow_logs_enabled: bool = setting(True, "VPC flow logs to CloudWatch Logs")
    vpc_id: str | None = setting(None, "use this existing VPC instead of creating one")
    public_subnet_ids: tuple[str, ...] = setting((), "with `vpc_id`: subnets for the load balancer")
    private_subnet_ids: tuple[str, ...] = setting((), "with `vpc_id`: subnets for the tasks")
    # Encryption: one customer-managed key for the repository and every log group.
    kms_enabled: bool = setting(True, "one customer-managed KMS key for the repository and every log group")
    # Load balancer.
    deletion_protection: bool = setting(True, "load balancer deletion protection")
    ssl_policy: str = setting("ELBSecurityPolicy-TLS13-1-2-2021-06", "HTTPS listener policy (TLS 1.2+ only)")
    waf_enabled: bool = setting(True, "WAFv2 web ACL in front of the load balancer")
    waf_rate_limit_per_5_minutes: int = setting(2000, "requests per client address per 5 minutes")
    access_logs_enabled: bool = setting(True, "load balancer access logs to a private S3 bucket")
    access_logs_force_destroy: bool = setting(False, "let destroy delete the log bucket with its logs")
    # Repository.
    ecr_keep_last_images: int = setting(30, "images the repository keeps")
    ecr_force_delete: bool = setting(False, "let destroy delete a repository holding images")
    ecr_untagged_expire_days: int = setting(7, "untagged images expire after this many days")
    verify_image_exists: bool = setting(
        False, "plans fail unless `image_tag` is in the repository (not for the first deploy)"
    )
    # Service.
    desired_count: int = setting(3, "tasks")
    cpu_units: int = setting(512, "task CPU units (Fargate's table applies)")
    memory_mib: int = setting(1024, "task memory in MiB")
    cpu_architecture: str = setting("X86_64", "or `ARM64`")
    container_port: int = setting(8080, "port the app listens on")
    health_check_path: str = setting("/health", "load balancer health check")
    log_retention_days: int = setting(365, "retention of every log group (and the access logs)")
    fargate_spot_weight: int = setting(0, "share of tasks on FARGATE_SPOT (FARGATE weight is 100)")
    autoscaling_min_count: int | None = setting(3, "autoscaling lower bound (unset both bounds for none)")
    autoscaling_max_count: int | None = setting(12, "autoscaling upper bound")
    autoscaling_cpu_target_percent: int | None = setting(70, "average CPU autoscaling keeps")
    autoscaling_requests_per_target: int | None = setting(None, "ALB requests per task autoscaling keeps")
    alarms_enabled: bool = setting(
        True,
        "CloudWatch alarms (5xx, unhealthy targets, p99 latency, CPU, memory) to an SNS topic; "
        "deployments roll back on 5xx and unhealthy targets",
    )
    alarm_email: str = setting("", "subscribe this address to the alarm topic")
    enable_execute_command: bool = setting(
        False, "allow ECS Exec into tasks (needs `readonly_root_filesystem = false`)"
    )
    readonly_root_filesystem: bool = setting(True, "container root filesystem read-only (`/tmp` stays writable)")
    container_user: str | None = setting(None, "run the container as this user or `uid:gid`")
    container_environment: dict[str, str] = setting({"LOG_LEVEL": "info"}, "plain environment variables")
    container_secrets: dict[str, str] = setting({}, "variables read from SSM / Secrets Manager: name -> ARN")
    tags: dict[str, str] = setting({}, "extra default tags on every resource")

    def __post_init__(self) -> None:
        problems = []
        if self.certificate_arn and self.certificate_domain:
            problems.append(
                f"certificate_domain={self.certificate_domain!r} is invalid: give certificate_arn or "
                "certificate_domain, not both"
            )
        if bool(self.domain_name) != bool(self.hosted_zone_id):
            problems.append(f"domain_name={self.domain_name!r} is invalid: domain_name and hosted_zone_id go together")
        if self.domain_name and (self.certificate_arn or self.certificate_domain):
            problems.append(
                f"domain_name={self.domain_name!r} is invalid: it brings its own certificate; "
                "leave certificate_arn and certificate_domain unset"
            )
        if (self.state_key or self.state_region) and not self.state_bucket:
            problems.append(f"state_key={self.state_key!r} is invalid: state_key and state_region need state_bucket")
        if self.aws_endpoint_url and not ENDPOINT_URL_PATTERN.fullmatch(self.aws_endpoint_url):
            problems.append(
                f"aws_endpoint_url={self.aws_endpoint_url!r} is invalid: must be http(s)://host:port, "
                "e.g. 'http://127.0.0.1:4566'"
            )
        if problems:
            raise ValueError(f"environment {self.environment!r}: invalid settings:\n  - " + "\n  - ".join(problems))

    @property
    def resource_name(self) -> str:
        """Prefix of the names of everything this environment creates, e.g. ``webapp-prod``."""
        return f"{self.app_name}-{self.environment}"

    @property
    def stack_name(self) -> str:
        return self.resource_name


def _type_matches(value: Any, expected: Any) -> bool:
    origin = typing.get_origin(expected)
    if origin in (typing.Union, types.UnionType):
        return any(_type_matches(value, option) for option in typing.get_args(expected))
    if expected is type(None):
        return value is None
    if origin is tuple:
        return isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value)
    if origin is dict:
        return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


def _describe(expected: Any) -> str:
    return str(expected).replace("typing.", "").replace("<class '", "").replace("'>", "")


def config_from_mapping(environment: str, settings: dict[str, Any]) -> EnvironmentConfig:
    """Build an EnvironmentConfig, refusing unknown keys and values of the wrong type."""
    hints = typing.get_type_hints(EnvironmentConfig)
    known = {field.name for field in dataclasses.fields(EnvironmentConfig)} - {"environment"}
    problems = []
    if not ENVIRONMENT_NAME_PATTERN.fullmatch(environment):
        problems.append(
            f"environment={environment!r} is invalid: must be 1-16 lower-case letters, digits or hyphens, "
            "starting with a letter"
        )
    values: dict[str, Any] = {}
    for key, value in settings.items():
        if key not in known:
            problems.append(f"{key}={value!r} is not a setting: allowed are {', '.join(sorted(known))}")
        elif not _type_matches(value, hints[key]):
            problems.append(f"{key}={value!r} is invalid: must be {_describe(hints[key])}")
        else:
            values[key] = tuple(value) if typing.get_origin(hints[key]) is tuple else value
    if problems:
        raise ValueError(f"environment {environment!r}: invalid settings:\n  - " + "\n  - ".join(problems))
    return EnvironmentConfig(environment=environment, **values)


def load_environment(environment: str | None = None, config_path: str | Path | None = None) -> EnvironmentConfig:
    """The chosen environment's settings from the settings file (or the environment variables)."""
    environment = environment or os.environ.get(ENV_VAR) or DEFAULT_ENVIRONMENT
    path = Path(config_path or os.environ.get(CONFIG_VAR) or DEFAULT_CONFIG_PATH)
    try:
        with path.open("rb") as handle:
            tables = tomllib.load(handle)
    except FileNotFoundError:
        raise ValueError(f"{CONFIG_VAR}={str(path)!r}: the settings file does not exist") from None
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{CONFIG_VAR}={str(path)!r}: not valid TOML: {error}") from None
    if environment not in tables:
        raise ValueError(
            f"{ENV_VAR}={environment!r} is not an environment in {path.name}: allowed are {', '.join(sorted(tables))}"
        )
    return config_from_mapping(environment, tables[environment])
