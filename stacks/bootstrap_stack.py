"""BootstrapStack: once per account, what the environments' deploys stand on.

The Terraform state bucket, GitHub's OIDC provider, and per environment a deploy role that only
that GitHub environment's jobs can assume, with a permissions boundary capping every role the
environment creates. Its own state is a local file (the bucket does not exist before it): keep
`terraform.<app>-bootstrap.tfstate` safe, or move it into the bucket afterwards (docs/bootstrap.md).
"""

from __future__ import annotations

from cdktf_fargate import GithubDeployRole, GithubOidcProvider, PermissionsBoundary, StateBucket

from cdktf import TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.data_aws_partition import DataAwsPartition
from constructs import Construct

from .deploy_permissions import boundary_statements, deploy_policy
from .environments import BootstrapConfig, EnvironmentConfig
from .web_service_stack import aws_provider


class BootstrapStack(TerraformStack):
    def __init__(
        self, scope: Construct, id_: str, *, config: BootstrapConfig, environments: list[EnvironmentConfig]
    ) -> None:
        super().__init__(scope, id_)
        self.add_override("terraform.required_version", ">= 1.10")
        self.config = config
        self.provider = aws_provider(
            self,
            region=config.region,
            tags={"Application": config.app_name, "Environment": "bootstrap", **config.tags},
            aws_endpoint_url=config.aws_endpoint_url,
        )
        caller = DataAwsCallerIdentity(self, "caller-identity")
        partition = DataAwsPartition(self, "partition")
        self.state_bucket = StateBucket(
            self, "state", bucket_name=config.state_bucket, force_destroy=config.state_force_destroy
        )
        self.oidc_provider: GithubOidcProvider | None = None
        provider_arn = config.github_oidc_provider_arn
        if not provider_arn:
            self.oidc_provider = GithubOidcProvider(self, "github-oidc")
            provider_arn = self.oidc_provider.arn
        TerraformOutput(self, "state_bucket", value=self.state_bucket.bucket_name)

        self.deploy_roles: dict[str, GithubDeployRole] = {}
        self.boundaries: dict[str, PermissionsBoundary] = {}
        for environment in environments:
            name = environment.environment
            self.boundaries[name] = PermissionsBoundary(
                self,
                f"{name}-boundary",
                name=environment.permissions_boundary_name,
                path=environment.deploy_role_path,
                statements=boundary_statements(
                    environment, config, partition=partition.partition, account=caller.account_id
                ),
            )
            self.deploy_roles[name] = GithubDeployRole(
                self,
                f"{name}-deploy-role",
                name=environment.deploy_role_name,
                path=environment.deploy_role_path,
                oidc_provider_arn=provider_arn,
                repository=config.github_repository,
                github_environment=environment.github_environment,
                policy=deploy_policy(
                    environment,
                    state_bucket=config.state_bucket,
                    partition=partition.partition,
                    account=caller.account_id,
                ),
            )
            TerraformOutput(
                self,
                f"{name}_deploy_role_arn",
                value=self.deploy_roles[name].arn,
                description=f"GitHub environment {environment.github_environment!r}: variable AWS_DEPLOY_ROLE_ARN",
            )
