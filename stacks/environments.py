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
# The table of `make bootstrap`'s settings; no environment may take its name.
BOOTSTRAP_TABLE = "bootstrap"
GITHUB_REPOSITORY = Pattern(
    re.compile(r"([A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100})?"), "must be '<owner>/<repository>' as on GitHub"
)
GITHUB_ENVIRONMENT = Pattern(
    re.compile(r"[^\s'\"`,;:\\*?]{0,255}"),
    "must be a GitHub environment name without spaces, quotes, wildcards, ',', ';' or ':'",
)
OPTIONAL_ARN = Pattern(re.compile(r"(arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:.+)?"), "must be an ARN")
BUCKET_NAME = Pattern(
    re.compile(r"([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])?"),
    "must be an S3 bucket name (3-63 lower-case letters, digits, '.', '-')",
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class DeployOptions(OptionType):
    """How an environment is deployed from GitHub Actions, with the identity `make bootstrap` creates."""

    github_environment: str = option(
        "", "the GitHub environment whose workflow runs may assume the deploy role; default the environment's name",
        GITHUB_ENVIRONMENT,
    )  # fmt: skip
    permissions_boundary: bool = option(
        True,
        "every role the environment creates carries the boundary `make bootstrap` made "
        "(`policy/deploy/<app>-<env>-boundary`), the only kind of role its deploy role may create; "
        "False for an account without that bootstrap",
    )
    key_admin_arns: tuple[str, ...] = option(
        (),
        "besides the deploy role, who may change the KMS key's policy, disable or delete it (add yourself to "
        "deploy by hand: KMS refuses a key policy that locks out its author)",
        Each(OPTIONAL_ARN),
    )


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
    deploy: DeployOptions = option(DeployOptions(), "deploys from GitHub Actions (`DeployOptions`)")

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
    def state_object_key(self) -> str:
        return self.state_key or f"{self.stack_name}/terraform.tfstate"

    @property
    def github_environment(self) -> str:
        return self.deploy.github_environment or self.environment

    @property
    def deploy_role_path(self) -> str:
        """`role/<path>` of the deploy role and of the boundary: outside `<app>-<env>-*`, so the role
        cannot change itself or its boundary through the rights it has on the environment's roles."""
        return "/deploy/"

    @property
    def deploy_role_name(self) -> str:
        return f"{self.resource_name}-deploy"

    @property
    def permissions_boundary_name(self) -> str:
        return f"{self.resource_name}-boundary"

    @property
    def alarms_enabled(self) -> bool:
        """Whether any alarm exists, and so the topic they notify."""
        return self.service.alarms.enabled or self.alb.alarms.enabled


def config_from_mapping(environment: str, settings: Mapping[str, Any]) -> EnvironmentConfig:
    """Build an EnvironmentConfig from a settings table, refusing unknown keys and values of the wrong type."""
    problems = Problems(f"environment {environment!r}")
    if environment == BOOTSTRAP_TABLE:
        problems.add(
            "environment", environment, f"'{BOOTSTRAP_TABLE}' names the account's bootstrap table, not an environment"
        )
        problems.raise_if_any()
    if "environment" in settings:
        problems.add("environment", settings["environment"], "is the table's name; it cannot be set inside it")
        problems.raise_if_any()
    config = options_from_mapping(EnvironmentConfig, {"environment": environment, **settings}, "", problems)
    if config is not None:
        check_options(problems, "", config)
    problems.raise_if_any()
    assert config is not None
    return config


def _read_tables(config_path: str | Path | None) -> tuple[Path, dict[str, Any]]:
    path = Path(config_path or os.environ.get(CONFIG_VAR) or DEFAULT_CONFIG_PATH)
    try:
        with path.open("rb") as handle:
            return path, tomllib.load(handle)
    except FileNotFoundError:
        raise ValueError(f"{CONFIG_VAR}={str(path)!r}: the settings file does not exist") from None
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{CONFIG_VAR}={str(path)!r}: not valid TOML: {error}") from None


def load_environment(environment: str | None = None, config_path: str | Path | None = None) -> EnvironmentConfig:
    """The chosen environment's settings from the settings file (or the environment variables)."""
    environment = environment or os.environ.get(ENV_VAR) or DEFAULT_ENVIRONMENT
    path, tables = _read_tables(config_path)
    environments = sorted(name for name in tables if name != BOOTSTRAP_TABLE)
    if environment not in environments:
        raise ValueError(
            f"{ENV_VAR}={environment!r} is not an environment in {path.name}: allowed are {', '.join(environments)}"
            + (f" (or '{BOOTSTRAP_TABLE}', the account's bootstrap)" if BOOTSTRAP_TABLE in tables else "")
        )
    return config_from_mapping(environment, tables[environment])


def load_bootstrap(config_path: str | Path | None = None) -> tuple[BootstrapConfig, list[EnvironmentConfig]]:
    """The ``[bootstrap]`` table and the environments it serves, checked together."""
    path, tables = _read_tables(config_path)
    if BOOTSTRAP_TABLE not in tables:
        raise ValueError(f"{path.name} has no [{BOOTSTRAP_TABLE}] table: docs/bootstrap.md says what goes in it")
    problems = Problems(BOOTSTRAP_TABLE)
    bootstrap = options_from_mapping(BootstrapConfig, tables[BOOTSTRAP_TABLE], "", problems)
    if bootstrap is not None:
        check_options(problems, "", bootstrap)
    problems.raise_if_any()
    assert bootstrap is not None
    environments = []
    for name in bootstrap.environments:
        if name not in tables or name == BOOTSTRAP_TABLE:
            problems.add("environments", name, f"is not an environment in {path.name}")
        else:
            environments.append(config_from_mapping(name, tables[name]))
    problems.raise_if_any()
    bootstrap.check_environments(environments, problems)
    problems.raise_if_any()
    return bootstrap, environments


@dataclasses.dataclass(frozen=True, kw_only=True)
class BootstrapConfig(OptionType):
    """Once per account (`make bootstrap`): the remote-state bucket, GitHub's OIDC provider and,
    per environment, the deploy role GitHub Actions assumes and the boundary of the roles it creates."""

    app_name: str = option("webapp", "names the stack `<app_name>-bootstrap`", APP_NAME)
    region: str = option("us-east-1", "region of the state bucket", OPTIONAL_REGION)
    github_repository: str = option(
        "", "`<owner>/<repository>`: only its workflow runs may assume the deploy roles (required)", GITHUB_REPOSITORY
    )
    github_oidc_provider_arn: str = option(
        "", "the account's GitHub OIDC provider if it has one (an account holds one per URL); default: create it",
        OPTIONAL_ARN,
    )  # fmt: skip
    state_bucket: str = option(
        "", "the Terraform state bucket to create; each environment served sets `state_bucket` to it (required)",
        BUCKET_NAME,
    )  # fmt: skip
    environments: tuple[str, ...] = option(
        (), "the environments (tables of this file) that get a deploy role (at least one)", Each(ENVIRONMENT_NAME)
    )
    task_role_actions: tuple[str, ...] = option(
        (
            "s3:*",
            "dynamodb:*",
            "sqs:*",
            "sns:Publish",
            "ses:SendEmail",
            "ses:SendRawEmail",
            "events:PutEvents",
            "cloudwatch:PutMetricData",
            "xray:PutTraceSegments",
            "xray:PutTelemetryRecords",
        ),
        "what roles an environment creates may ever be granted, besides pulling images, writing logs, reading "
        "secrets and ECS Exec (the boundary; never IAM, STS or the state bucket)",
        Each(Pattern(re.compile(r"[a-z0-9-]+:[A-Za-z0-9*]+"), "must be an IAM action like 's3:GetObject'")),
    )
    state_force_destroy: bool = option(False, "let destroy delete the state bucket and every state in it")
    aws_endpoint_url: str = option(
        "", "send every AWS API call here (the local emulator), with dummy credentials", OPTIONAL_ENDPOINT_URL
    )
    tags: Mapping[str, str] = option({}, "extra default tags on every resource")

    @property
    def stack_name(self) -> str:
        return f"{self.app_name}-bootstrap"

    def _cross_check(self, report: Report) -> None:
        if not self.github_repository:
            report("github_repository", self.github_repository, "is required: '<owner>/<repository>'")
        if not self.state_bucket:
            report("state_bucket", self.state_bucket, "is required: the name of the bucket to create")
        if not self.environments:
            report("environments", [], "must name at least one environment")
        elif len(set(self.environments)) != len(self.environments):
            report("environments", list(self.environments), "must not repeat a name")

    def check_environments(self, environments: list[EnvironmentConfig], problems: Problems) -> None:
        """What holds between the bootstrap and the environments it serves."""
        for config in environments:
            where = f"[{config.environment}] "
            if config.state_bucket != self.state_bucket:
                problems.add(
                    "environments",
                    config.environment,
                    f"{where}state_bucket={config.state_bucket!r}: set it to {self.state_bucket!r}, the bucket "
                    "its deploy role may use",
                )
            if config.state_region and config.state_region != self.region:
                problems.add(
                    "environments", config.environment, f"{where}state_region must be {self.region!r} or unset"
                )
            if config.aws_endpoint_url != self.aws_endpoint_url:
                problems.add(
                    "environments",
                    config.environment,
                    f"{where}aws_endpoint_url={config.aws_endpoint_url!r} differs from the bootstrap's",
                )
        # Deploy roles are scoped by name (`<app>-<env>-*`): no environment's names may start with another's.
        for first in environments:
            for second in environments:
                if first is not second and second.resource_name.startswith(f"{first.resource_name}-"):
                    problems.add(
                        "environments",
                        [first.environment, second.environment],
                        f"{second.resource_name!r} starts with {first.resource_name!r}-: the deploy role of "
                        f"{first.environment!r} could reach the resources of {second.environment!r}; rename one",
                    )
