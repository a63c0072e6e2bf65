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


@dataclasses.dataclass(frozen=True, kw_only=True)
class EnvironmentConfig:
    """One environment's settings. Defaults are production-like."""

    environment: str = DEFAULT_ENVIRONMENT
    app_name: str = "webapp"
    region: str = "us-east-1"
    certificate_arn: str = ""
    # Network: build one, or name an existing VPC and its subnets.
    vpc_cidr: str = "10.0.0.0/16"
    az_count: int = 2
    availability_zones: tuple[str, ...] = ()
    single_nat_gateway: bool = False
    flow_logs_enabled: bool = True
    vpc_id: str | None = None
    public_subnet_ids: tuple[str, ...] = ()
    private_subnet_ids: tuple[str, ...] = ()
    # Encryption: one customer-managed key for the repository and every log group.
    kms_enabled: bool = True
    # Load balancer.
    deletion_protection: bool = True
    ssl_policy: str = "ELBSecurityPolicy-TLS13-1-2-2021-06"
    waf_enabled: bool = True
    waf_rate_limit_per_5_minutes: int = 2000
    access_logs_enabled: bool = True
    access_logs_force_destroy: bool = False
    # Repository.
    ecr_keep_last_images: int = 30
    ecr_force_delete: bool = False
    # Service.
    desired_count: int = 3
    cpu_units: int = 512
    memory_mib: int = 1024
    cpu_architecture: str = "X86_64"
    container_port: int = 8080
    health_check_path: str = "/health"
    log_retention_days: int = 365
    fargate_spot_weight: int = 0
    readonly_root_filesystem: bool = True
    container_user: str | None = None
    container_environment: dict[str, str] = dataclasses.field(default_factory=lambda: {"LOG_LEVEL": "info"})
    container_secrets: dict[str, str] = dataclasses.field(default_factory=dict)
    tags: dict[str, str] = dataclasses.field(default_factory=dict)

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
            f"{ENV_VAR}={environment!r} is not an environment in {path.name}: "
            f"allowed are {', '.join(sorted(tables))}"
        )
    return config_from_mapping(environment, tables[environment])
