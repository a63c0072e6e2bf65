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
from typing import Any, Literal

from cdktf_fargate import RolloutEstimate, estimate_rollout, rule_covers
from cdktf_fargate.options import (
    PRINCIPAL_ARN,
    AlbOptions,
    ClusterOptions,
    Each,
    JobOptions,
    NetworkOptions,
    OptionType,
    Pattern,
    Problems,
    Range,
    RepositoryOptions,
    Routing,
    ServiceConnect,
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
ACCOUNT_ID = Pattern(re.compile(r"(\d{12})?"), "must be a 12-digit AWS account id, e.g. '123456789012'")
# The account moto answers as (the provider accepts only it when aws_endpoint_url is set).
EMULATOR_ACCOUNT_ID = "123456789012"
ACCOUNT_HELP = (
    "the AWS account it deploys to: credentials of any other account stop every plan before it changes "
    "anything (the provider's `allowed_account_ids`), and ARNs in these settings that must be in it are checked"
)
OPTIONAL_ENVIRONMENT_NAME = Pattern(
    re.compile(r"([a-z][a-z0-9-]{0,15})?"), "must be the name of another environment of this file, or empty"
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
BRANCH_NAME = Pattern(re.compile(r"[A-Za-z0-9._/-]{1,255}"), "must be a branch name without spaces, wildcards or ':'")
OPTIONAL_ARN = Pattern(re.compile(r"(arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:.+)?"), "must be an ARN")
RESOURCE_ARN = Pattern(
    re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:[^\s]+"),
    "must be a resource ARN like 'arn:aws:s3:::shared-bucket' or 'arn:aws:ses:us-east-1:123456789012:identity/x'",
)
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
    workflow_timeout_minutes: int = option(
        60, "the deploy workflow's `timeout-minutes` (.github/workflows/deploy.yml): the slowest service's worst "
        "rollout and rollback must fit in it after `before_rollout_minutes`", Range(1, 360),
    )  # fmt: skip
    before_rollout_minutes: int = option(
        15, "what the deploy job spends before a rollout starts: set-up, image builds, synth and apply", Range(0, 360)
    )
    boundary_resource_arns: tuple[str, ...] = option(
        (),
        "resources besides the environment's own (`<app>-<env>-…` buckets, tables, queues, topics, event buses) "
        "that its roles may ever be granted `task_role_actions` on (the permissions boundary), e.g. an SES "
        "identity or a bucket shared with another system",
        Each(RESOURCE_ARN),
    )
    drift_branch: str = option(
        "main",
        "the branch whose workflow runs outside any GitHub environment may assume the read-only drift role "
        "(`role/deploy/<app>-<env>-drift`): the daily drift check needs neither the deploy role nor its reviewers",
        BRANCH_NAME,
    )
    key_admin_arns: tuple[str, ...] = option(
        (),
        "besides the deploy role, who may change the KMS key's policy, disable or delete it (add yourself to "
        "deploy by hand: KMS refuses a key policy that locks out its author); a role's ARN, not a session's",
        Each(PRINCIPAL_ARN),
    )


SERVICE_KEY = Pattern(
    re.compile(r"[a-z][a-z0-9-]{0,14}"), "must be 1-15 lower-case letters, digits or hyphens, starting with a letter"
)
SERVICE_KEY_OR_EMPTY = Pattern(re.compile(r"([a-z][a-z0-9-]{0,14})?"), "must be '' or the name of a service")
RELATIVE_PATH = Pattern(
    re.compile(r"(?!/)(?!.*(^|/)\.\.(/|$))[A-Za-z0-9._/-]*"),
    "must be a path inside the repository, relative to its root, without '..'",
)
ServiceKind = Literal["web", "backend", "job"]
ServiceLinkedRole = Literal[
    "ecs.amazonaws.com", "ecs.application-autoscaling.amazonaws.com", "elasticloadbalancing.amazonaws.com"
]
# Web services' listener rules, when none is given a priority: specific ones first, this far apart.
FIRST_DERIVED_PRIORITY = 100
DERIVED_PRIORITY_STEP = 10


@dataclasses.dataclass(frozen=True, kw_only=True)
class ImageBuild(OptionType):
    """How the deploy workflow builds a service's image; its platform follows the task's `cpu_architecture`."""

    context: str = option(
        "app", "the Docker build context, relative to the repository root (`app`: the shipped sample)", RELATIVE_PATH
    )
    dockerfile: str = option("", "the Dockerfile, relative to the repository root; default `<context>/Dockerfile`",
                             RELATIVE_PATH)  # fmt: skip


@dataclasses.dataclass(frozen=True, kw_only=True)
class AppService(OptionType):
    """One of several services of an environment: a table `[<env>.services.<name>]`. Its resources are
    named `<app>-<env>-<name>`."""

    kind: ServiceKind = option(
        "web",
        "`web`: behind the load balancer; `backend`: called by the environment's other services over "
        "Service Connect at `http://<name>:<port>`; `job`: a task run on a schedule",
    )
    calls: tuple[str, ...] = option(
        (), "the backend services it calls; only these admit it, on their container port", Each(SERVICE_KEY)
    )
    repository: str = option(
        "", "use this other service's image repository; default its own, `<app>-<env>-<name>`", SERVICE_KEY_OR_EMPTY
    )
    build: ImageBuild = option(ImageBuild(), "how the deploy workflow builds its image")
    service: ServiceOptions = option(ServiceOptions(), "a `web` or `backend` service's settings (`ServiceOptions`)")
    job: JobOptions = option(JobOptions(), "a `job`'s settings (`JobOptions`)")

    def _cross_check(self, report: Report) -> None:
        if self.kind == "job" and self.service != ServiceOptions():
            report("service", "<set>", "a job takes `job` settings (its task, container and schedule), not `service`")
        if self.kind != "job" and self.job != JobOptions():
            report("job", "<set>", f"only a job takes `job` settings; a {self.kind} service takes `service`")
        if self.kind == "job" and self.calls:
            report(
                "calls",
                list(self.calls),
                "a job's tasks are started one by one, outside Service Connect: they cannot call services by name",
            )
        if self.kind != "web" and self.service.routing != Routing():
            report("service.routing", "<set>", f"a {self.kind} service has no load-balancer route")


@dataclasses.dataclass(frozen=True, kw_only=True)
class CostAssumptions(OptionType):
    """The usage `make cost` assumes for a month: what the stack cannot know about its traffic."""

    requests_per_second: float = option(
        10.0, "average requests per second through the load balancer", Range(0, 1e6, whole=False)
    )
    response_kb: float = option(20.0, "average response size, KB", Range(0, 1e6, whole=False))
    egress_gb_per_month: float = option(
        20.0,
        "GB the tasks send out through NAT gateways or VPC endpoints (image pulls, AWS APIs)",
        Range(0, 1e7, whole=False),
    )
    log_gb_per_month_per_service: float = option(
        5.0, "GB each service or job writes to CloudWatch Logs", Range(0, 1e6, whole=False)
    )
    flow_log_gb_per_month: float = option(5.0, "GB of VPC flow logs", Range(0, 1e6, whole=False))
    job_run_minutes: float = option(10.0, "how long a job's run lasts", Range(0, 10080, whole=False))


@dataclasses.dataclass(frozen=True, kw_only=True)
class EnvironmentConfig(OptionType):
    """One environment: how the stack is composed, and each construct's options."""

    environment: str = option(DEFAULT_ENVIRONMENT, "the environment's name (its table in the settings file)",
                              ENVIRONMENT_NAME)  # fmt: skip
    app_name: str = option("webapp", "prefix of every name: `<app_name>-<environment>`", APP_NAME)
    region: str = option("us-east-1", "AWS region", OPTIONAL_REGION)
    account_id: str = option("", ACCOUNT_HELP, ACCOUNT_ID)
    certificate_arn: str = option("", "ACM certificate of the HTTPS listener (this or `certificate_domain`)")
    certificate_domain: str = option("", "find the issued ACM certificate for this domain instead")
    domain_name: str = option(
        "", "with `hosted_zone_id`: the service's host name, with a DNS-validated certificate and an alias record"
    )
    hosted_zone_id: str = option("", "the Route53 hosted zone of `domain_name`")
    aws_endpoint_url: str = option(
        "",
        "send every AWS API call here (the local emulator), whose account alone the provider then accepts; "
        "Terraform gets it as AWS_ENDPOINT_URL, with the emulator's dummy credentials (the Makefile sets both)",
        OPTIONAL_ENDPOINT_URL,
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
        False,
        "plans fail unless `image_tag` is in the repository; the deploy workflow creates a new repository and "
        "pushes before it deploys (`scripts/repositories_first.py`), so this holds from the first deploy",
    )
    promote_from: str = option(
        "",
        "build nothing: deploy the images this environment (listed before this one in `[bootstrap] environments`) "
        "ran at the same tag, copied by digest into this environment's repositories (docs/deploying.md#promotion)",
        OPTIONAL_ENVIRONMENT_NAME,
    )
    alarm_email: str = option("", "subscribe this address to the alarm topic")
    tags: Mapping[str, str] = option({}, "extra default tags on every resource")
    network: NetworkOptions = option(NetworkOptions(), "the VPC (`NetworkOptions`)")
    alb: AlbOptions = option(AlbOptions(), "the load balancer (`AlbOptions`)")
    repository: RepositoryOptions = option(RepositoryOptions(), "the image repository (`RepositoryOptions`)")
    cluster: ClusterOptions = option(ClusterOptions(), "the ECS cluster (`ClusterOptions`)")
    service: ServiceOptions = option(ServiceOptions(), "the service (`ServiceOptions`)")
    deploy: DeployOptions = option(DeployOptions(), "deploys from GitHub Actions (`DeployOptions`)")
    cost: CostAssumptions = option(CostAssumptions(), "the usage `make cost` assumes (`CostAssumptions`)")
    build: ImageBuild = option(
        ImageBuild(), "how the deploy workflow builds the one service's image (with `services`: each one's own)"
    )
    services: Mapping[str, AppService] = option(
        {},
        "several services in one cluster behind one load balancer: name -> `AppService`; "
        "none: the one service of `service`",
        Each(SERVICE_KEY),
    )

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
        if self.certificate_arn:
            self._check_certificate_arn(report)
        if self.aws_endpoint_url and self.account_id not in ("", EMULATOR_ACCOUNT_ID):
            report("account_id", self.account_id, f"aws_endpoint_url points at the emulator, whose account is "
                   f"{EMULATOR_ACCOUNT_ID!r}: leave account_id unset")  # fmt: skip
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
        strays = [zone for zone in self.network.availability_zones if zone[:-1] != self.region]
        if strays:
            report(
                "network.availability_zones",
                list(self.network.availability_zones),
                f"{', '.join(map(repr, strays))} not in region {self.region!r}: name zones like '{self.region}a'",
            )
        if self.promote_from == self.environment:
            report("promote_from", self.promote_from, "names this environment itself: name the one it deploys after")
        if not self.vpc_id and (self.public_subnet_ids or self.private_subnet_ids):
            report("public_subnet_ids", list(self.public_subnet_ids), "the subnet ids need vpc_id")
        if self.services:
            self._check_services(report)
            if self.build != ImageBuild():
                report("build", "<set>", "with services, each service's build is its own: `services.<name>.build`")
        self._check_rollout_time(report)

    def _check_certificate_arn(self, report: Report) -> None:
        """A load balancer takes a certificate of its own account and region only."""
        parts = self.certificate_arn.split(":")
        if len(parts) < 6 or parts[2] != "acm" or not parts[5].startswith("certificate/"):
            report("certificate_arn", self.certificate_arn,
                   "must be an ACM certificate ARN: arn:aws:acm:<region>:<account>:certificate/<id>")  # fmt: skip
            return
        if parts[3] != self.region:
            report("certificate_arn", self.certificate_arn, f"is in {parts[3]!r}, not in region {self.region!r}: a "
                   "load balancer takes a certificate of its own region (request or import one there)")  # fmt: skip
        if self.account_id and parts[4] != self.account_id:
            report("certificate_arn", self.certificate_arn, f"is in account {parts[4]!r}, not in account_id "
                   f"{self.account_id!r}: a load balancer takes a certificate of its own account")  # fmt: skip

    def rollout_estimates(self) -> dict[str, RolloutEstimate]:
        """Each service's worst rollout and rollback, by its name (`service` for the one service)."""
        if not self.services:
            return {"service": estimate_rollout(self.service, behind_load_balancer=True)}
        return {
            key: estimate_rollout(self.service_options(key), behind_load_balancer=declared.kind == "web")
            for key, declared in self.services.items()
            if declared.kind != "job"
        }

    def _check_rollout_time(self, report: Report) -> None:
        budget = (self.deploy.workflow_timeout_minutes - self.deploy.before_rollout_minutes) * 60
        for key, estimate in self.rollout_estimates().items():
            # A failed rollout is the longer wait: its failing tasks, then the old revision rolled out again.
            if estimate.rollback_seconds > budget:
                report(
                    "deploy.workflow_timeout_minutes",
                    self.deploy.workflow_timeout_minutes,
                    f"{key!r}: a failed rollout takes up to {estimate.rollback_seconds} s to detect and roll back "
                    f"({estimate.detection_seconds} s of failing tasks, then a {estimate.rollout_seconds} s rollout), "
                    f"more than the {budget} s the deploy job has left after {self.deploy.before_rollout_minutes} "
                    "min: raise "
                    "timeout-minutes in .github/workflows/deploy.yml and this setting together, or shorten the "
                    "rollout (fewer health-check intervals, a shorter deregistration delay, a higher maximum_percent)",
                )

    def _check_services(self, report: Report) -> None:
        """What holds across the services of one environment; every problem is reported."""
        services = self.services
        if self.service != ServiceOptions():
            report(
                "service",
                "<set>",
                "with `services`, each service's settings go under `services.<name>.service` (or `.job`)",
            )
        if not any(declared.kind == "web" for declared in services.values()):
            report("services", sorted(services), "needs at least one `web` service: the load balancer routes to it")
        for key, declared in services.items():
            for callee in declared.calls:
                where = f"services.{key}.calls"
                if callee == key:
                    report(where, callee, "is this service itself")
                elif callee not in services:
                    report(where, callee, f"is not a service of this environment: there are {', '.join(services)}")
                elif services[callee].kind != "backend":
                    report(
                        where,
                        callee,
                        f"is a {services[callee].kind} service: only `backend` services are called by name "
                        "(a web service is reached through the load balancer)",
                    )
            shared = declared.repository
            if shared and (shared == key or shared not in services or services[shared].repository):
                report(
                    f"services.{key}.repository",
                    shared,
                    "must name another service of this environment that has its own repository",
                )
            elif shared:
                if declared.build != ImageBuild():
                    report(f"services.{key}.build", "<set>", f"it runs the image of {shared!r}, built from that one's")
                if self._architecture(key) != self._architecture(shared):
                    report(
                        f"services.{key}.repository",
                        shared,
                        f"its tasks run on {self._architecture(key)}, the image of {shared!r} is built for "
                        f"{self._architecture(shared)}",
                    )
            published = declared.service.service_connect.name
            if published and published != key:
                report(
                    f"services.{key}.service.service_connect.name",
                    published,
                    f"is the service's table name in an environment with `services`: leave it unset or {key!r}",
                )
        self._check_routes(report)

    def _architecture(self, key: str) -> str:
        declared = self.services[key]
        return (declared.job.task if declared.kind == "job" else declared.service.task).cpu_architecture

    def _check_routes(self, report: Report) -> None:
        priorities = self.web_priorities()
        routes = {key: (priorities[key], self.services[key].service.routing) for key in priorities}
        for key, (priority, routing) in routes.items():
            for other, (other_priority, other_routing) in routes.items():
                if other == key:
                    continue
                mine = (routing.path_patterns, routing.host_headers)
                theirs = (other_routing.path_patterns, other_routing.host_headers)
                where = f"services.{key}.service.routing"
                if priority == other_priority and other < key:
                    report(f"{where}.priority", priority, f"is also the priority of {other!r}")
                elif other_priority < priority and rule_covers(theirs, mine):
                    report(
                        where,
                        {"priority": priority, "path_patterns": list(mine[0]), "host_headers": list(mine[1])},
                        f"{other!r} (priority {other_priority}) matches every request this route does, first: "
                        f"it would get no traffic; give it a priority below {other_priority} (a '/*' route goes last)",
                    )

    def web_priorities(self) -> dict[str, int]:
        """Each web service's listener-rule priority. When none is given one (all keep the default),
        they are numbered in declaration order with host-specific and path-specific routes first, so a
        catch-all `/*` never hides a more specific route; otherwise each keeps its own."""
        web = {key: declared for key, declared in self.services.items() if declared.kind == "web"}
        default = Routing().priority
        if any(declared.service.routing.priority != default for declared in web.values()):
            return {key: declared.service.routing.priority for key, declared in web.items()}
        order = list(web)

        def breadth(key: str) -> tuple[int, int]:
            routing = web[key].service.routing
            covers_others = sum(
                rule_covers(
                    (routing.path_patterns, routing.host_headers),
                    (web[other].service.routing.path_patterns, web[other].service.routing.host_headers),
                )
                for other in web
                if other != key
            )
            return covers_others, order.index(key)

        ranked = sorted(web, key=breadth)
        return {key: FIRST_DERIVED_PRIORITY + DERIVED_PRIORITY_STEP * rank for rank, key in enumerate(ranked)}

    def service_options(self, key: str) -> ServiceOptions:
        """A web or backend service's options as deployed: its derived priority, its published name."""
        declared = self.services[key]
        options = declared.service
        if declared.kind == "web":
            options = dataclasses.replace(
                options, routing=dataclasses.replace(options.routing, priority=self.web_priorities()[key])
            )
        elif declared.kind == "backend":
            options = dataclasses.replace(options, service_connect=ServiceConnect(name=key))
        return options

    def images(self) -> dict[str, tuple[str, str]]:
        """Each image the environment builds, by the service it is built for ('' for the one service of
        `service`): its repository's name and its task's CPU architecture. A service that shares another's
        repository runs that one's image."""
        if not self.services:
            return {"": (self.resource_name, self.service.task.cpu_architecture)}
        return {
            key: (
                f"{self.resource_name}-{key}",
                (declared.job.task if declared.kind == "job" else declared.service.task).cpu_architecture,
            )
            for key, declared in self.services.items()
            if not declared.repository
        }

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
    def drift_role_name(self) -> str:
        return f"{self.resource_name}-drift"

    @property
    def permissions_boundary_name(self) -> str:
        return f"{self.resource_name}-boundary"

    @property
    def alarms_enabled(self) -> bool:
        """Whether any alarm exists, and so the topic they notify."""
        if not self.services:
            return self.service.alarms.enabled or self.alb.alarms.enabled
        return self.alb.alarms.enabled or any(
            declared.job.alarm_on_failure if declared.kind == "job" else declared.service.alarms.enabled
            for declared in self.services.values()
        )


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
    config = config_from_mapping(environment, tables[environment])
    _check_against_bootstrap(config, tables)
    _check_promotion(config, tables, path.name)
    return config


def promotion_source(config: EnvironmentConfig, config_path: str | Path | None = None) -> EnvironmentConfig | None:
    """The environment whose images ``config``'s deploys copy (`promote_from`), checked; None when it builds."""
    if not config.promote_from:
        return None
    path, tables = _read_tables(config_path)
    _check_promotion(config, tables, path.name)
    return config_from_mapping(config.promote_from, tables[config.promote_from])


def _check_promotion(config: EnvironmentConfig, tables: Mapping[str, Any], file_name: str) -> None:
    """A promoted environment deploys only what its source ran: the source is deployed before it, from the same
    registry, with an image of the same architecture for every service it runs."""
    source_name = config.promote_from
    if not source_name or source_name == config.environment:
        return
    problems = Problems(f"environment {config.environment!r}")
    names = sorted(name for name in tables if name not in (BOOTSTRAP_TABLE, config.environment))
    if source_name not in names:
        problems.add(
            "promote_from", source_name, f"is not an environment in {file_name}: allowed are {', '.join(names)}"
        )
        problems.raise_if_any()
    source = config_from_mapping(source_name, tables[source_name])
    bootstrap = _serving(config, tables)
    if bootstrap is not None:
        order = list(bootstrap.environments)
        if source_name not in order or order.index(source_name) > order.index(config.environment):
            problems.add(
                "promote_from",
                source_name,
                f"CI deploys {config.environment!r} before {source_name!r} ([bootstrap] environments = {order}): "
                "list the source first, so its images ran before they are promoted",
            )
    for setting in ("app_name", "region", "aws_endpoint_url"):
        if getattr(source, setting) != getattr(config, setting):
            problems.add(
                "promote_from",
                source_name,
                f"{setting} is {getattr(source, setting)!r} there and {getattr(config, setting)!r} here: images are "
                "copied within one registry and named `<app_name>-<environment>`; give both the same",
            )
    theirs = source.images()
    for key, (_, architecture) in config.images().items():
        service = f"service {key!r}" if key else "the one service (no `services`)"
        if key not in theirs:
            problems.add(
                "promote_from",
                source_name,
                f"{source_name!r} builds no image for {service}, which {config.environment!r} runs: a promoted "
                "environment deploys only images its source ran; give both the same services",
            )
        elif theirs[key][1] != architecture:
            problems.add(
                "promote_from",
                source_name,
                f"{service} runs on {architecture} here and on {theirs[key][1]} in {source_name!r}: the copied "
                "image would not start; give both the same cpu_architecture",
            )
    problems.raise_if_any()


def serving_bootstrap(config: EnvironmentConfig, config_path: str | Path | None = None) -> BootstrapConfig | None:
    """The `[bootstrap]` table when it serves ``config``'s environment (made its deploy role), else None."""
    return _serving(config, _read_tables(config_path)[1])


def _serving(config: EnvironmentConfig, tables: Mapping[str, Any]) -> BootstrapConfig | None:
    # A [bootstrap] table with problems of its own is left to `make bootstrap`, which reports them.
    if BOOTSTRAP_TABLE not in tables:
        return None
    bootstrap = options_from_mapping(BootstrapConfig, tables[BOOTSTRAP_TABLE], "", Problems(BOOTSTRAP_TABLE))
    if bootstrap is None or config.environment not in bootstrap.environments:
        return None
    return bootstrap


def _check_against_bootstrap(config: EnvironmentConfig, tables: Mapping[str, Any]) -> None:
    """At synth, not only at `make bootstrap`: an environment the bootstrap serves keeps its state where the
    bootstrap put the bucket."""
    bootstrap = _serving(config, tables)
    if bootstrap is None:
        return
    problems = Problems(f"environment {config.environment!r}")
    for setting, value, instead in bootstrap.disagreements(config):
        problems.add(setting, value, instead)
    problems.raise_if_any()


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
    for config in environments:
        _check_promotion(config, tables, path.name)
    return bootstrap, environments


@dataclasses.dataclass(frozen=True, kw_only=True)
class BootstrapConfig(OptionType):
    """Once per account (`make bootstrap`): the remote-state bucket, GitHub's OIDC provider and,
    per environment, the deploy role GitHub Actions assumes and the boundary of the roles it creates."""

    app_name: str = option("webapp", "names the stack `<app_name>-bootstrap`", APP_NAME)
    region: str = option("us-east-1", "region of the state bucket", OPTIONAL_REGION)
    account_id: str = option("", ACCOUNT_HELP + "; every environment served sets the same", ACCOUNT_ID)
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
        (),
        "the environments (tables of this file) that get a deploy role (at least one), in the order the deploy "
        "workflow deploys them, each after the one before succeeded (the drift workflow checks them all)",
        Each(ENVIRONMENT_NAME),
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
        "what roles an environment creates may ever be granted on its own `<app>-<env>-…` buckets, tables, "
        "queues, topics and event buses (and `deploy.boundary_resource_arns`), besides pulling its images, "
        "writing its logs, reading the secrets its settings name and ECS Exec (the boundary; never IAM, STS, "
        "the state bucket or a resource policy)",
        Each(Pattern(re.compile(r"[a-z0-9-]+:[A-Za-z0-9*]+"), "must be an IAM action like 's3:GetObject'")),
    )
    state_force_destroy: bool = option(False, "let destroy delete the state bucket and every state in it")
    service_linked_roles: tuple[ServiceLinkedRole, ...] = option(
        ("ecs.amazonaws.com", "ecs.application-autoscaling.amazonaws.com", "elasticloadbalancing.amazonaws.com"),
        "the service-linked roles the environments need, made here once so no deploy role may make them; leave out "
        "those the account has already (`aws iam get-role --role-name AWSServiceRoleForECS` and so on), or the "
        "bootstrap stops with 'has been taken in this account'",
        Each(),
    )
    aws_endpoint_url: str = option(
        "",
        "send every AWS API call here (the local emulator), whose account alone the provider then accepts; "
        "Terraform gets it as AWS_ENDPOINT_URL, with the emulator's dummy credentials (the Makefile sets both)",
        OPTIONAL_ENDPOINT_URL,
    )
    tags: Mapping[str, str] = option({}, "extra default tags on every resource")

    @property
    def stack_name(self) -> str:
        return f"{self.app_name}-bootstrap"

    def _cross_check(self, report: Report) -> None:
        oidc_account = self.github_oidc_provider_arn.split(":")[4] if self.github_oidc_provider_arn else ""
        if self.account_id and oidc_account and oidc_account != self.account_id:
            report("github_oidc_provider_arn", self.github_oidc_provider_arn, f"is in account {oidc_account!r}, not "
                   f"in account_id {self.account_id!r}: a role trusts an OIDC provider of its own account")  # fmt: skip
        if not self.github_repository:
            report("github_repository", self.github_repository, "is required: '<owner>/<repository>'")
        if not self.state_bucket:
            report("state_bucket", self.state_bucket, "is required: the name of the bucket to create")
        if not self.environments:
            report("environments", [], "must name at least one environment")
        elif len(set(self.environments)) != len(self.environments):
            report("environments", list(self.environments), "must not repeat a name")

    def disagreements(self, config: EnvironmentConfig) -> list[tuple[str, Any, str]]:
        """What an environment it serves must agree with it on, as the environment's own settings:
        (setting, value, what to set instead)."""
        found: list[tuple[str, Any, str]] = []
        if config.state_bucket != self.state_bucket:
            found.append(("state_bucket", config.state_bucket, f"set it to {self.state_bucket!r}, the bucket "
                          "[bootstrap] creates and the environment's deploy role may use"))  # fmt: skip
        elif (config.state_region or config.region) != self.region:
            unset = "" if config.state_region else " (unset: the environment's region)"
            found.append(
                (
                    "state_region",
                    config.state_region,
                    f"the state bucket is in {self.region!r} ([bootstrap] region), not in "
                    f"{config.state_region or config.region!r}{unset}: set state_region = {self.region!r}",
                )
            )
        if self.account_id and config.account_id != self.account_id:
            found.append(("account_id", config.account_id, f"set it to {self.account_id!r}: the bootstrap's account, "
                          "where the environment's deploy role and state bucket are"))  # fmt: skip
        if config.aws_endpoint_url != self.aws_endpoint_url:
            found.append(("aws_endpoint_url", config.aws_endpoint_url, f"set it to {self.aws_endpoint_url!r}, "
                          "the bootstrap's"))  # fmt: skip
        return found

    def check_environments(self, environments: list[EnvironmentConfig], problems: Problems) -> None:
        """What holds between the bootstrap and the environments it serves."""
        for config in environments:
            for setting, value, instead in self.disagreements(config):
                problems.add(
                    "environments", config.environment, f"[{config.environment}] {setting}={value!r}: {instead}"
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
