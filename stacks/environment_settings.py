"""One environment's settings (a table of the settings file): how the stack is composed, and each
construct's options, checked together."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar

from cdktf_fargate import RolloutEstimate, estimate_rollout
from cdktf_fargate.options import (
    PRINCIPAL_ARN,
    AlbOptions,
    ClusterOptions,
    Container,
    CostAssumptions,
    Each,
    HealthCheck,
    JobOptions,
    NetworkOptions,
    OptionType,
    Problems,
    Range,
    RepositoryOptions,
    Routing,
    Secret,
    ServiceOptions,
    check_options,
    option,
    options_from_mapping,
)

from .service_settings import (
    BACKEND_HEALTH_CHECK,
    SERVICE_KEY,
    AppService,
    ImageBuild,
    check_services,
    deployed_service_options,
    topics,
    web_priorities,
)
from .settings_file import BOOTSTRAP_TABLE, DEFAULT_ENVIRONMENT
from .settings_rules import (
    ACCOUNT_HELP,
    ACCOUNT_ID,
    APP_NAME,
    BRANCH_NAME,
    EMULATOR_ACCOUNT_ID,
    ENVIRONMENT_NAME,
    GITHUB_ENVIRONMENT,
    OPTIONAL_ENDPOINT_URL,
    OPTIONAL_ENVIRONMENT_NAME,
    OPTIONAL_REGION,
    RESOURCE_ARN,
    Report,
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


@dataclasses.dataclass(frozen=True, kw_only=True)
class EnvironmentConfig(OptionType):
    """One environment: how the stack is composed, and each construct's options."""

    # Its name is its table's, never a key inside it.
    NOT_IN_TABLE: ClassVar[tuple[str, ...]] = ("environment",)

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

    def tasks(self) -> list[tuple[str, ServiceOptions | JobOptions]]:
        """Every task's settings (a service's or a job's) with their path in the settings file."""
        if not self.services:
            return [("service", self.service)]
        return [(f"services.{name}.{declared.group}", declared.settings) for name, declared in self.services.items()]

    def containers(self) -> list[tuple[str, Container]]:
        """Every container of every task of the environment, with its settings path."""
        found: list[tuple[str, Container]] = []
        for path, task in self.tasks():
            found.append((f"{path}.container", task.container))
            found += [(f"{path}.sidecars.{key}", sidecar) for key, sidecar in task.sidecars.items()]
        return found

    def secrets(self) -> list[Secret]:
        """Every secret a task reads at start: its containers' and its log router's."""
        found = [secret for _, container in self.containers() for secret in container.secrets.values()]
        return found + [secret for _, task in self.tasks() for secret in task.logging.destination_secrets.values()]

    def _images_from_elsewhere(self) -> list[tuple[str, str]]:
        """The images a task pulls besides its own repository's: sidecars' and FireLens log routers'."""
        found = [(f"{path}.image", str(getattr(container, "image", ""))) for path, container in self.containers()]
        found += [(f"{path}.logging.router_image", task.logging.router_image) for path, task in self.tasks()
                  if task.logging.router == "firelens"]  # fmt: skip
        found += [(f"{path}.telemetry.image", task.telemetry.image) for path, task in self.tasks()
                  if task.telemetry.collector == "otel"]  # fmt: skip
        return [(path, image) for path, image in found if image]

    def _check_image_registries(self, report: Report) -> None:
        """Tasks without internet egress reach this region's ECR through its endpoints, and no other registry:
        an image from elsewhere would fail every task start."""
        if self.vpc_id or self.network.allow_internet_egress:
            return
        own_registry = f".dkr.ecr.{self.region}.amazonaws.com"
        for path, image in self._images_from_elsewhere():
            if "/" not in image or not image.split("/", 1)[0].endswith(own_registry):
                cache = f"`<account>{own_registry}/ecr-public/...`"
                report(path, image, f"tasks without internet egress pull from {self.region}'s ECR only: "
                       f"copy the image there, or pull it through an ECR pull-through cache rule ({cache}), or "
                       "set network.allow_internet_egress = true")  # fmt: skip

    def _cross_check(self, report: Report) -> None:
        self._check_image_registries(report)
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
        adopted = [(path, task.logging.adopt_log_group) for path, task in self.tasks() if task.logging.adopt_log_group]
        for index, (path, name) in enumerate(adopted):
            earlier = next((other for other, taken in adopted[:index] if taken == name), None)
            if earlier:
                report(f"{path}.logging.adopt_log_group", name, f"is adopted by {earlier} too: one group, one owner")
        if not self.vpc_id and (self.public_subnet_ids or self.private_subnet_ids):
            report("public_subnet_ids", list(self.public_subnet_ids), "the subnet ids need vpc_id")
        if self.services:
            if self.service != ServiceOptions():
                report(
                    "service",
                    "<set>",
                    "with `services`, each service's settings go under `services.<name>.service` (or `.job`)",
                )
            check_services(self.services, report)
            scaled_workers = [
                key for key, s in self.services.items() if s.kind == "worker" and s.service.scaling.enabled
            ]
            if scaled_workers and not self.cluster.container_insights:
                report("cluster.container_insights", False, f"workers {scaled_workers} scale on messages waiting per "
                       "running task, counted by Container Insights: turn it on, or set their "
                       "`service.scaling.enabled = false`")  # fmt: skip
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

    def topics(self) -> dict[str, list[str]]:
        """The environment's topics, with the services and jobs that publish to each."""
        return topics(self.services)

    @property
    def has_subscriptions(self) -> bool:
        """Whether a worker's queue receives from topics (SNS then delivers with the environment's key)."""
        return any(declared.kind == "worker" and declared.queue.subscriptions for declared in self.services.values())

    def web_priorities(self) -> dict[str, int]:
        """Each web service's listener-rule priority (`service_settings.web_priorities`)."""
        return web_priorities(self.services)

    def service_options(self, key: str) -> ServiceOptions:
        """A web or backend service's options as deployed: its derived priority, its published name."""
        return deployed_service_options(self.services, key)

    def images(self) -> dict[str, tuple[str, str]]:
        """Each image the environment builds, by the service it is built for ('' for the one service of
        `service`): its repository's name (an adopted one's, else `<app>-<env>-<name>`) and its task's CPU
        architecture. A service that shares another's repository runs that one's image."""
        if not self.services:
            return {"": (self.resource_name, self.service.task.cpu_architecture)}
        return {
            key: (
                declared.adopt_repository or f"{self.resource_name}-{key}",
                declared.task.cpu_architecture,
            )
            for key, declared in self.services.items()
            if not declared.repository
        }

    def adopted_log_groups(self) -> list[str]:
        """The existing log groups its services and jobs take over (`logging.adopt_log_group`)."""
        return [task.logging.adopt_log_group for _, task in self.tasks() if task.logging.adopt_log_group]

    def adopted_repositories(self) -> list[str]:
        """The existing repositories its services take over (`adopt_repository`), named outside `<app>-<env>-*`."""
        return [declared.adopt_repository for declared in self.services.values() if declared.adopt_repository]

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
    if config is not None and check_options(problems, "", config):
        _report_settings_without_effect(config, settings, problems)
    problems.raise_if_any()
    assert config is not None
    return config


def _report_settings_without_effect(config: EnvironmentConfig, settings: Mapping[str, Any], problems: Problems) -> None:
    """What the file sets that the built settings cannot show, because the value equals its default: a `job`
    table on a web or backend service, a `service` table on a job, a route on a backend. The option types
    report these when the value differs from the default; a default written out would pass silently."""
    tables = settings.get("services")
    if not isinstance(tables, Mapping):
        return
    for key, declared in config.services.items():
        table = tables.get(key)
        if not isinstance(table, Mapping):
            continue
        where = f"services.{key}"
        if declared.kind != "job" and "job" in table and declared.job == JobOptions():
            problems.add(f"{where}.job", "<set>", f"has no effect: only a job takes `job` settings; a {declared.kind} "
                         "service takes `service`")  # fmt: skip
        if declared.kind == "job" and "service" in table and declared.service == ServiceOptions():
            problems.add(f"{where}.service", "<set>", "has no effect: a job takes `job` settings (its task, container "
                         "and schedule), not `service`")  # fmt: skip
        service_table = table.get("service")
        routing = declared.service.routing
        if (
            declared.kind == "backend"
            and isinstance(service_table, Mapping)
            and "routing" in service_table
            and routing == Routing()
        ):
            problems.add(f"{where}.service.routing", "<set>", "has no effect: a backend service has no "
                         "load-balancer route")  # fmt: skip
        if (
            declared.kind == "backend"
            and isinstance(service_table, Mapping)
            and "health_check" in service_table
            and declared.service.health_check == HealthCheck()
        ):
            problems.add(f"{where}.service.health_check", "<set>", f"has no effect: {BACKEND_HEALTH_CHECK}")
