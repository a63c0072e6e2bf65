"""BootstrapStack: once per account, what the environments' deploys stand on.

The Terraform state bucket, GitHub's OIDC provider, the account-wide resources every environment
shares (service-linked roles, the log resource policy that lets WAF and Step Functions deliver logs), and
per environment a deploy role that only that GitHub environment's jobs can assume, a read-only drift
role for the main branch's drift checks, and a permissions boundary capping every role the environment
creates. Its own state is kept in that bucket once it exists: scripts/bootstrap.py (`make bootstrap`)
starts with a local file and moves it there (docs/bootstrap.md).
"""

from __future__ import annotations

import json

from cdktf_fargate import GithubDeployRole, GithubOidcProvider, PermissionsBoundary, StateBucket
from cdktf_fargate.options import Problems

from cdktf import TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.cloudwatch_log_resource_policy import CloudwatchLogResourcePolicy
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.data_aws_partition import DataAwsPartition
from cdktf_cdktf_provider_aws.iam_service_linked_role import IamServiceLinkedRole
from constructs import Construct

from .deploy_permissions import (
    BOOTSTRAP_TAG,
    MANAGED_POLICY_CHARACTERS,
    POLICY_ENVELOPE,
    SHAPE_TAG,
    boundary_statements,
    deploy_policies,
    deploy_role_fingerprint,
    drift_policy,
    policy_characters,
)
from .environments import BootstrapConfig, EnvironmentConfig
from .terraform_settings import aws_provider
from .terraform_settings import state_in_bucket as keep_state_in_bucket

# The service that delivers WAF's and Step Functions' logs into CloudWatch Logs.
LOG_DELIVERY_SERVICE = "delivery.logs.amazonaws.com"


class BootstrapStack(TerraformStack):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: BootstrapConfig,
        environments: list[EnvironmentConfig],
        state_in_bucket: bool = True,
    ) -> None:
        """``state_in_bucket``: the stack's state in the state bucket it creates, as it is once that exists;
        False for the first run and for destroy (scripts/bootstrap.py moves the state between the two)."""
        super().__init__(scope, id_)
        self.add_override("terraform.required_version", ">= 1.10")
        self.config = config
        _check_boundaries_fit(config, environments)
        if state_in_bucket:
            keep_state_in_bucket(
                self,
                bucket=config.state_bucket,
                key=f"{id_}/terraform.tfstate",
                region=config.region,
                aws_endpoint_url=config.aws_endpoint_url,
            )
        tags = {"Application": config.app_name, "Environment": BOOTSTRAP_TAG, **config.tags}
        self.provider = aws_provider(
            self,
            region=config.region,
            tags=tags,
            aws_endpoint_url=config.aws_endpoint_url,
            account_id=config.account_id,
        )
        caller = DataAwsCallerIdentity(self, "caller-identity")
        partition = DataAwsPartition(self, "partition")
        account = caller.account_id
        self.state_bucket = StateBucket(
            self, "state", bucket_name=config.state_bucket, force_destroy=config.state_force_destroy
        )
        self.oidc_provider: GithubOidcProvider | None = None
        provider_arn = config.github_oidc_provider_arn
        if not provider_arn:
            self.oidc_provider = GithubOidcProvider(self, "github-oidc")
            provider_arn = self.oidc_provider.arn
        TerraformOutput(self, "state_bucket", value=self.state_bucket.bucket_name)

        self.service_linked_roles = {
            service: IamServiceLinkedRole(self, f"service-linked-role-{service}", aws_service_name=service)
            for service in config.service_linked_roles
        }
        self.log_delivery_policies = self._log_delivery_policies(config, environments, tags, partition, account)

        self.deploy_roles: dict[str, GithubDeployRole] = {}
        self.drift_roles: dict[str, GithubDeployRole] = {}
        self.boundaries: dict[str, PermissionsBoundary] = {}
        for environment in environments:
            name = environment.environment
            self.boundaries[name] = PermissionsBoundary(
                self,
                f"{name}-boundary",
                name=environment.permissions_boundary_name,
                path=environment.deploy_role_path,
                statements=boundary_statements(environment, config, partition=partition.partition, account=account),
            )
            where = {"state_bucket": config.state_bucket, "partition": partition.partition, "account": account}
            self.deploy_roles[name] = GithubDeployRole(
                self,
                f"{name}-deploy-role",
                name=environment.deploy_role_name,
                path=environment.deploy_role_path,
                oidc_provider_arn=provider_arn,
                repository=config.github_repository,
                github_environment=environment.github_environment,
                policies=deploy_policies(environment, **where),
            )
            # The environment's plans stop when its shape has outgrown this role (web_service_stack.py).
            self.deploy_roles[name].role.tags = {SHAPE_TAG: deploy_role_fingerprint(environment, config)}
            self.drift_roles[name] = GithubDeployRole(
                self,
                f"{name}-drift-role",
                name=environment.drift_role_name,
                path=environment.deploy_role_path,
                oidc_provider_arn=provider_arn,
                repository=config.github_repository,
                branch=environment.deploy.drift_branch,
                policies=[drift_policy(environment, **where)],
            )
            TerraformOutput(
                self,
                f"{name}_deploy_role_arn",
                value=self.deploy_roles[name].arn,
                description=f"GitHub environment {environment.github_environment!r}: variable AWS_DEPLOY_ROLE_ARN",
            )
            TerraformOutput(
                self,
                f"{name}_drift_role_arn",
                value=self.drift_roles[name].arn,
                description=f"the drift check of {name!r} (.github/workflows/drift.yml) assumes it",
            )

    def _log_delivery_policies(
        self,
        config: BootstrapConfig,
        environments: list[EnvironmentConfig],
        tags: dict[str, str],
        partition: DataAwsPartition,
        account: str,
    ) -> dict[str, CloudwatchLogResourcePolicy]:
        """Per region an environment logs through log delivery (WAF, a job's state machine) in: one log
        resource policy for the app's log groups there, so no deploy or job role needs to write one (a
        region holds at most ten, shared by the whole account)."""
        regions = sorted(
            {
                environment.region
                for environment in environments
                if environment.alb.waf.enabled or any(s.kind == "job" for s in environment.services.values())
            }
        )
        policies = {}
        for region in regions:
            provider = self.provider
            if region != config.region:
                provider = aws_provider(
                    self,
                    region=region,
                    tags=tags,
                    aws_endpoint_url=config.aws_endpoint_url,
                    account_id=config.account_id,
                    alias=region,
                )
            groups = f"arn:{partition.partition}:logs:{region}:{account}:log-group"
            document = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "LogDeliveryWritesTheAppsGroups",
                        "Effect": "Allow",
                        "Principal": {"Service": LOG_DELIVERY_SERVICE},
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": [
                            f"{groups}:aws-waf-logs-{config.app_name}-*:log-stream:*",
                            f"{groups}:/ecs/{config.app_name}-*:log-stream:*",
                        ],
                        "Condition": {
                            "StringEquals": {"aws:SourceAccount": account},
                            "ArnLike": {"aws:SourceArn": f"arn:{partition.partition}:logs:{region}:{account}:*"},
                        },
                    }
                ],
            }
            policies[region] = CloudwatchLogResourcePolicy(
                self,
                f"log-delivery-{region}",
                provider=provider,
                policy_name=f"{config.app_name}-log-delivery",
                policy_document=json.dumps(document),
            )
        return policies


def _check_boundaries_fit(config: BootstrapConfig, environments: list[EnvironmentConfig]) -> None:
    """A role has one permissions boundary, one managed policy: IAM refuses one over its size limit, half-way
    through the bootstrap. Measured for the longest partition and account, before anything is written."""
    problems = Problems("[bootstrap]")
    for environment in environments:
        statements = boundary_statements(environment, config, partition="aws-us-gov", account="1" * 12)
        size = POLICY_ENVELOPE + sum(policy_characters(statement) + 1 for statement in statements)
        if size > MANAGED_POLICY_CHARACTERS:
            problems.add(
                "environments",
                environment.environment,
                f"its permissions boundary would be {size} characters, more than the {MANAGED_POLICY_CHARACTERS} IAM "
                "takes for a managed policy: it names each secret of the environment's settings, "
                "deploy.boundary_resource_arns and [bootstrap] task_role_actions; name fewer (a secret's prefix "
                "with a wildcard, an ARN pattern)",
            )
    problems.raise_if_any()
