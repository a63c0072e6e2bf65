"""The `[bootstrap]` table: what `make bootstrap` makes once per account, and what the environments it
serves must agree with it on."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any, Literal

from cdktf_fargate.options import (
    Each,
    OptionType,
    Pattern,
    Problems,
    option,
)

from .environment_settings import EnvironmentConfig
from .settings_rules import (
    ACCOUNT_HELP,
    ACCOUNT_ID,
    APP_NAME,
    BUCKET_NAME,
    ENVIRONMENT_NAME,
    GITHUB_REPOSITORY,
    OPTIONAL_ARN,
    OPTIONAL_ENDPOINT_URL,
    OPTIONAL_REGION,
    Report,
)

ServiceLinkedRole = Literal[
    "ecs.amazonaws.com", "ecs.application-autoscaling.amazonaws.com", "elasticloadbalancing.amazonaws.com"
]


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
