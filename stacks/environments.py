"""Per-environment settings: the library's option types, with the differences in ``environments.toml``.

``CDKTF_FARGATE_ENV`` picks the environment (default ``prod``); ``CDKTF_FARGATE_CONFIG``
points at another settings file (default ``environments.toml`` beside ``main.py``). Each
construct's settings are its own option type (``service.health_check.timeout_seconds = 10``);
only what composes the stack is declared here.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from cdktf_fargate.options import (
    AlbOptions,
    ClusterOptions,
    Each,
    NetworkOptions,
    OptionType,
    Pattern,
    Problems,
    RepositoryOptions,
    ServiceOptions,
    check_options,
    option,
    options_from_mapping,
)

ENV_VAR = "CDKTF_FARGATE_ENV"
CONFIG_VAR = "CDKTF_FARGATE_CONFIG"
DEFAULT_ENVIRONMENT = "prod"
DEFAULT_CONFIG_PATH = Path(__file__).resolve().parent.parent / "environments.toml"
ENVIRONMENT_NAME = Pattern(
    re.compile(r"[a-z][a-z0-9-]{0,15}"), "must be 1-16 lower-case letters, digits or hyphens, starting with a letter"
)
APP_NAME = Pattern(
    re.compile(r"[a-z][a-z0-9-]{0,14}"), "must be 1-15 lower-case letters, digits or hyphens, starting with a letter"
)
OPTIONAL_ENDPOINT_URL = Pattern(
    re.compile(r"(https?://[A-Za-z0-9.-]+:\d{1,5}/?)?"), "must be http(s)://host:port, e.g. 'http://127.0.0.1:4566'"
)
OPTIONAL_REGION = Pattern(re.compile(r"([a-z]{2}(-[a-z]+)+-\d)?"), "must be a region name like 'us-east-1'")

Report = Callable[[str, Any, str], None]


@dataclasses.dataclass(frozen=True, kw_only=True)
class EnvironmentConfig(OptionType):
    """One environment: how the stack is composed, and each construct's options."""

    environment: str = option(DEFAULT_ENVIRONMENT, "the environment's name (its table in the settings file)",
                              ENVIRONMENT_NAME)  # fmt: skip
    app_name: str = option("webapp", "prefix of every name: `<app_name>-<environment>`", APP_NAME)
    region: str = option("us-east-1", "AWS region", OPTIONAL_REGION)
    certificate_arn: str = option("", "ACM certificate of the HTTPS listener (this or `certificate_domain`)")
    certificate_domain: str = option("", "find the issued ACM certificate for this domain instead")
    domain_name: str = option(
        "", "with `hosted_zone_id`: the service's host name, with a DNS-validated certificate and an alias record"
    )
    hosted_zone_id: str = option("", "the Route53 hosted zone of `domain_name`")
    aws_endpoint_url: str = option(
        "", "send every AWS API call here (the local emulator), with dummy credentials", OPTIONAL_ENDPOINT_URL
    )
    # Terraform state: a local file unless a bucket is named.
    state_bucket: str = option("", "keep the Terraform state in this S3 bucket (encrypted, native S3 locking)")
    state_key: str = option("", "object key of the state; default `<stack>/terraform.tfstate`")
    state_region: str = option("", "region of the state bucket; default `region`", OPTIONAL_REGION)
    # An existing VPC instead of `network`.
    vpc_id: str = option("", "use this existing VPC instead of creating one (`network` is then unused)")
    public_subnet_ids: tuple[str, ...] = option((), "with `vpc_id`: subnets for the load balancer", Each())
    private_subnet_ids: tuple[str, ...] = option((), "with `vpc_id`: subnets for the tasks", Each())
    kms_enabled: bool = option(True, "one customer-managed KMS key for the repository, every log group and the topic")
    verify_image_exists: bool = option(
        False, "plans fail unless `image_tag` is in the repository (not for the first deploy)"
    )
    alarm_email: str = option("", "subscribe this address to the alarm topic")
    tags: Mapping[str, str] = option({}, "extra default tags on every resource")
    network: NetworkOptions = option(NetworkOptions(), "the VPC (`NetworkOptions`)")
    alb: AlbOptions = option(AlbOptions(), "the load balancer (`AlbOptions`)")
    repository: RepositoryOptions = option(RepositoryOptions(), "the image repository (`RepositoryOptions`)")
    cluster: ClusterOptions = option(ClusterOptions(), "the ECS cluster (`ClusterOptions`)")
    service: ServiceOptions = option(ServiceOptions(), "the service (`ServiceOptions`)")

    def validate(self) -> None:
        """Every problem of every setting at once, each with its dotted path (``service.task.memory_mib``)."""
        problems = Problems(f"environment {self.environment!r}")
        check_options(problems, "", self)
        problems.raise_if_any()

    def _cross_check(self, report: Report) -> None:
        if self.certificate_arn and self.certificate_domain:
            report(
                "certificate_domain", self.certificate_domain, "give certificate_arn or certificate_domain, not both"
            )
        if bool(self.domain_name) != bool(self.hosted_zone_id):
            report("domain_name", self.domain_name, "domain_name and hosted_zone_id go together")
        if self.domain_name and (self.certificate_arn or self.certificate_domain):
            report(
                "domain_name",
                self.domain_name,
                "it brings its own certificate; leave certificate_arn and certificate_domain unset",
            )
        if (self.state_key or self.state_region) and not self.state_bucket:
            report("state_key", self.state_key, "state_key and state_region need state_bucket")
        if not self.vpc_id and (self.public_subnet_ids or self.private_subnet_ids):
            report("public_subnet_ids", list(self.public_subnet_ids), "the subnet ids need vpc_id")

    @property
    def resource_name(self) -> str:
        """Prefix of the names of everything this environment creates, e.g. ``webapp-prod``."""
        return f"{self.app_name}-{self.environment}"

    @property
    def stack_name(self) -> str:
        return self.resource_name

    @property
    def alarms_enabled(self) -> bool:
        """Whether any alarm exists, and so the topic they notify."""
        return self.service.alarms.enabled or self.alb.alarms.enabled


def config_from_mapping(environment: str, settings: Mapping[str, Any]) -> EnvironmentConfig:
    """Build an EnvironmentConfig from a settings table, refusing unknown keys and values of the wrong type."""
    problems = Problems(f"environment {environment!r}")
    if "environment" in settings:
        problems.add("environment", settings["environment"], "is the table's name; it cannot be set inside it")
        problems.raise_if_any()
    config = options_from_mapping(EnvironmentConfig, {"environment": environment, **settings}, "", problems)
    if config is not None:
        check_options(problems, "", config)
    problems.raise_if_any()
    assert config is not None
    return config


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
