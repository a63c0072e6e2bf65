"""WebServiceStack: repository, network, load balancer and service, wired together."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping

from cdktf_fargate import (
    Cluster,
    EcrRepo,
    FargateService,
    KmsKey,
    Network,
    NetworkOptions,
    NetworkRef,
    PublicAlb,
    ServiceDomain,
)

from cdktf import (
    Fn,
    Postcondition,
    S3Backend,
    S3BackendEndpointConfig,
    TerraformOutput,
    TerraformResourceLifecycle,
    TerraformStack,
    TerraformVariable,
    TerraformVariableValidationConfig,
    Token,
)
from cdktf_cdktf_provider_aws.data_aws_acm_certificate import DataAwsAcmCertificate
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.data_aws_iam_policy_document import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementCondition,
    DataAwsIamPolicyDocumentStatementPrincipals,
)
from cdktf_cdktf_provider_aws.data_aws_iam_role import DataAwsIamRole
from cdktf_cdktf_provider_aws.data_aws_partition import DataAwsPartition
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags
from cdktf_cdktf_provider_aws.sns_topic import SnsTopic
from cdktf_cdktf_provider_aws.sns_topic_policy import SnsTopicPolicy
from cdktf_cdktf_provider_aws.sns_topic_subscription import SnsTopicSubscription
from constructs import Construct

from .app_services import AppServices
from .deploy_permissions import (
    SHAPE_TAG,
    deploy_role_arn,
    deploy_role_fingerprint,
    log_group_names,
    permissions_boundary_arn,
)
from .environments import BootstrapConfig, EnvironmentConfig

# ECR's tag syntax; "latest" is refused so every deploy names the exact image it runs.
IMAGE_TAG_REGEX = "^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$"
# Logical ids of the cluster in 0.1 (under the service); moved blocks carry its state to the Cluster.
CLUSTER_ID_BEFORE_0_2 = "service_cluster_B81F1F5D"
CLUSTER_CAPACITY_PROVIDERS_ID_BEFORE_0_2 = "service_cluster-capacity-providers_A0F7BC08"
TASK_DEFINITION_OUTPUT = "The revision a rollout must end on (scripts/await_rollout.py: otherwise it was rolled back)"
ROLLOUT_OUTPUT = "Worst-case seconds of a successful rollout, from the settings (docs/operations.md#rollout-time)"
ROLLBACK_OUTPUT = "Worst-case seconds to detect a failed rollout and roll it back (docs/operations.md#rollout-time)"
# Where ECS reads each kind of secret from, at task start.
SECRET_ENDPOINTS = {"secrets-manager": "secretsmanager", "ssm-parameter": "ssm"}
# moto's account: any credentials it does not know are this account's. An emulator environment's provider
# refuses every other account, so a run whose AWS_ENDPOINT_URL is missing stops before it changes anything.
EMULATOR_ACCOUNT = "123456789012"


def backend_settings(aws_endpoint_url: str) -> dict[str, object]:
    """Extra S3 backend settings; only a stack with `aws_endpoint_url` keeps its state in the emulator."""
    if not aws_endpoint_url:
        return {}
    url = aws_endpoint_url
    return {
        "endpoints": S3BackendEndpointConfig(s3=url, sts=url, iam=url),
        "use_path_style": True,
        "skip_metadata_api_check": True,
        "skip_region_validation": True,
    }


def state_in_bucket(stack: TerraformStack, *, bucket: str, key: str, region: str, aws_endpoint_url: str) -> None:
    """The stack's state in S3: encrypted, with S3's own lock file."""
    S3Backend(
        stack,
        bucket=bucket,
        key=key,
        region=region,
        encrypt=True,
        **backend_settings(aws_endpoint_url),  # type: ignore[arg-type]
    )
    # S3's own locking (Terraform 1.10+); cdktf 0.21's S3Backend has no field for it.
    stack.add_override("terraform.backend.s3.use_lockfile", True)


def provider_settings(aws_endpoint_url: str, account_id: str = "") -> dict[str, object]:
    """Extra provider settings. With ``account_id``, credentials of any other account stop every plan before
    it changes anything. With `aws_endpoint_url` (the local emulator), the emulator's settings.

    The address itself reaches the provider as AWS_ENDPOINT_URL (`make deploy-local` sets it): an
    `endpoints` block costs 3 to 4 s of the provider's configuration check on every Terraform run
    (docs/local-emulator.md#deploy-loop). Credentials come from the environment, as on AWS: the
    Makefile's dummy ones, or a role's session (tests/test_end_to_end_deploy_role.py deploys with the
    deploy role's). Only the emulator's account is accepted, so a run without the variable stops at
    the provider's account check, before it changes anything in a real account.
    """
    if not aws_endpoint_url:
        return {"allowed_account_ids": [account_id]} if account_id else {}
    return {
        "allowed_account_ids": [EMULATOR_ACCOUNT],
        "skip_metadata_api_check": "true",
        "s3_use_path_style": True,
    }


def aws_provider(
    scope: Construct,
    *,
    region: str,
    tags: Mapping[str, str],
    aws_endpoint_url: str,
    account_id: str = "",
    alias: str | None = None,
) -> AwsProvider:
    """The stack's provider: every resource tagged (deploy roles are scoped by the `Environment` tag); with
    ``alias``, another region's."""
    return AwsProvider(
        scope,
        f"aws-{alias}" if alias else "aws",
        alias=alias,
        region=region,
        default_tags=[AwsProviderDefaultTags(tags={"ManagedBy": "cdktf", **tags})],
        **provider_settings(aws_endpoint_url, account_id),  # type: ignore[arg-type]
    )


def network_options(config: EnvironmentConfig) -> NetworkOptions:
    """The environment's network, with the endpoints its service needs when tasks have no internet egress."""
    options = config.network
    if options.allow_internet_egress:
        return options
    needed = list(options.interface_endpoints)
    containers = [config.service.container]
    exec_enabled = config.service.enable_execute_command
    for declared in config.services.values():
        containers.append(declared.container)
        exec_enabled = exec_enabled or (declared.kind != "job" and declared.service.enable_execute_command)
    kinds = {secret.kind for container in containers for secret in container.secrets.values()}
    needed += [service for kind, service in SECRET_ENDPOINTS.items() if kind in kinds]
    if exec_enabled:
        needed.append("ssmmessages")
    return dataclasses.replace(options, interface_endpoints=tuple(dict.fromkeys(needed)))


class WebServiceStack(TerraformStack):
    def __init__(
        self, scope: Construct, id_: str, *, config: EnvironmentConfig, bootstrap: BootstrapConfig | None = None
    ) -> None:
        """``bootstrap``: the `[bootstrap]` table that made this environment's deploy role; every plan then
        stops, before any change, when the environment's shape has outgrown the role's policies."""
        super().__init__(scope, id_)
        config.validate()
        self.config = config
        name = config.resource_name
        self.add_override("terraform.required_version", ">= 1.10")
        if config.state_bucket:
            state_in_bucket(
                self,
                bucket=config.state_bucket,
                key=config.state_key or f"{id_}/terraform.tfstate",
                region=config.state_region or config.region,
                aws_endpoint_url=config.aws_endpoint_url,
            )

        self.provider = aws_provider(
            self,
            region=config.region,
            tags={"Application": config.app_name, "Environment": config.environment, **config.tags},
            aws_endpoint_url=config.aws_endpoint_url,
            account_id=config.account_id,
        )

        self.image_tag = TerraformVariable(
            self,
            "image_tag",
            type="string",
            nullable=False,
            description="The image tag to deploy, e.g. the git commit SHA. Required; 'latest' is refused.",
            validation=[
                TerraformVariableValidationConfig(
                    condition=(f'${{can(regex("{IMAGE_TAG_REGEX}", var.image_tag)) && var.image_tag != "latest"}}'),
                    error_message=(
                        "image_tag must be an ECR tag (1-128 letters, digits, '_', '.', '-', "
                        "not starting with '.' or '-') and not 'latest'."
                    ),
                )
            ],
        )
        # Terraform variable names are global in the synthesized JSON; keep the exact name users pass.
        self.image_tag.override_logical_id("image_tag")

        if bootstrap is not None:
            self.deploy_role_check = self._deploy_role_check(config, bootstrap)
        # `make bootstrap` names the deploy role and the boundary; their ARNs need only the account.
        caller = DataAwsCallerIdentity(self, "caller-identity")
        partition = DataAwsPartition(self, "partition")
        account = {"partition": partition.partition, "account": caller.account_id}
        boundary_arn = permissions_boundary_arn(config, **account) if config.deploy.permissions_boundary else None

        self.key: KmsKey | None = None
        if config.kms_enabled:
            self.key = KmsKey(
                self,
                "key",
                alias=name,
                description=f"{name}: repository and log encryption",
                log_group_patterns=log_group_names(name),
                admin_arns=[deploy_role_arn(config, **account), *config.deploy.key_admin_arns],
            )
        key_arn = self.key.arn if self.key else None

        self.repository: EcrRepo | None = None
        if not config.services:
            self.repository = EcrRepo(self, "repository", name=name, options=config.repository, kms_key_arn=key_arn)
            if config.verify_image_exists:
                self.repository.require_image(self.image_tag.string_value)
        self.network: NetworkRef
        if config.vpc_id:
            self.network = Network.from_existing(
                self,
                "network",
                vpc_id=config.vpc_id,
                public_subnet_ids=config.public_subnet_ids,
                private_subnet_ids=config.private_subnet_ids,
            )
        else:
            self.network = Network(
                self,
                "network",
                name=name,
                options=network_options(config),
                flow_logs_kms_key_arn=key_arn,
                permissions_boundary_arn=boundary_arn,
            )
        self.alarm_topic: SnsTopic | None = None
        alarm_actions: list[str] = []
        if config.alarms_enabled:
            self.alarm_topic = self._alarm_topic(name, key_arn, config.alarm_email)
            alarm_actions = [self.alarm_topic.arn]

        certificate_arn = config.certificate_arn
        self.domain: ServiceDomain | None = None
        if config.domain_name:
            self.domain = ServiceDomain(
                self, "domain", domain_name=config.domain_name, hosted_zone_id=config.hosted_zone_id
            )
            certificate_arn = self.domain.certificate_arn
        elif config.certificate_domain and not config.certificate_arn:
            self.certificate = DataAwsAcmCertificate(
                self, "certificate", domain=config.certificate_domain, statuses=["ISSUED"], most_recent=True
            )
            certificate_arn = self.certificate.arn
        self.alb = PublicAlb(
            self,
            "alb",
            name=name,
            network=self.network,
            certificate_arn=certificate_arn,
            options=config.alb,
            log_kms_key_arn=key_arn,
            alarm_actions=alarm_actions,
        )
        if self.domain is not None:
            self.domain.point_to(self.alb)
        self.cluster = Cluster(self, "cluster", name=name, options=config.cluster)
        # 0.1 created the cluster inside the service; the state keeps it under those addresses.
        self.cluster.cluster.move_from_id(f"aws_ecs_cluster.{CLUSTER_ID_BEFORE_0_2}")
        self.cluster.capacity_providers.move_from_id(
            f"aws_ecs_cluster_capacity_providers.{CLUSTER_CAPACITY_PROVIDERS_ID_BEFORE_0_2}"
        )
        url = f"https://{config.domain_name}" if config.domain_name else self.alb.url
        TerraformOutput(self, "url", value=url, description="The service's public HTTPS address")
        TerraformOutput(self, "alb_dns_name", value=self.alb.dns_name, description="Point your DNS name here")
        self.service: FargateService | None = None
        self.services: AppServices | None = None
        if config.services:
            self._several_services(config, key_arn, alarm_actions, boundary_arn)
        else:
            self._one_service(config, key_arn, alarm_actions, boundary_arn)

    def _one_service(
        self, config: EnvironmentConfig, key_arn: str | None, alarm_actions: list[str], boundary_arn: str | None
    ) -> None:
        assert self.repository is not None
        self.service = FargateService(
            self,
            "service",
            name=config.resource_name,
            cluster=self.cluster,
            network=self.network,
            alb=self.alb,
            image=self.repository.image_uri(self.image_tag.string_value),
            options=config.service,
            log_kms_key_arn=key_arn,
            alarm_actions=alarm_actions,
            permissions_boundary_arn=boundary_arn,
        )
        self.repository.grant_pull(self.service.execution_role)
        TerraformOutput(
            self, "ecr_repository_url", value=self.repository.repository_url, description="Push images here"
        )
        TerraformOutput(self, "cluster_name", value=self.service.cluster_name)
        TerraformOutput(self, "service_name", value=self.service.service_name)
        TerraformOutput(self, "log_group_name", value=self.service.log_group.name)
        TerraformOutput(
            self, "task_definition_arn", value=self.service.task_definition.arn, description=TASK_DEFINITION_OUTPUT
        )
        rollout = self.service.rollout
        TerraformOutput(self, "rollout_worst_case_seconds", value=rollout.rollout_seconds, description=ROLLOUT_OUTPUT)
        TerraformOutput(
            self, "rollback_worst_case_seconds", value=rollout.rollback_seconds, description=ROLLBACK_OUTPUT
        )

    def _several_services(
        self, config: EnvironmentConfig, key_arn: str | None, alarm_actions: list[str], boundary_arn: str | None
    ) -> None:
        keys = list(config.services)
        self.image_tags = TerraformVariable(
            self,
            "image_tags",
            type="map(string)",
            default={},
            nullable=False,
            description=('Per service, a tag that replaces image_tag for that service alone, e.g. {"api" = "<sha>"}.'),
            validation=[
                TerraformVariableValidationConfig(
                    condition=(
                        "${alltrue([for service, tag in var.image_tags : "
                        f'contains({json.dumps(keys)}, service) && can(regex("{IMAGE_TAG_REGEX}", tag)) '
                        '&& tag != "latest"])}'
                    ),
                    error_message=(
                        f"image_tags: each key must be a service of this environment ({', '.join(keys)}) and "
                        "each tag an ECR tag other than 'latest'."
                    ),
                )
            ],
        )
        self.image_tags.override_logical_id("image_tags")

        def image_tag(key: str) -> str:
            return Token.as_string(Fn.lookup(self.image_tags.value, key, self.image_tag.string_value))

        self.services = AppServices(
            self,
            "services",
            config=config,
            cluster=self.cluster,
            network=self.network,
            alb=self.alb,
            image_tag=image_tag,
            key_arn=key_arn,
            alarm_actions=alarm_actions,
            permissions_boundary_arn=boundary_arn,
        )
        TerraformOutput(self, "cluster_name", value=self.cluster.cluster_name)
        repositories, services, jobs = self.services.repositories, self.services.services, self.services.jobs
        # Per service, by its name in the `services` table.
        outputs: dict[str, tuple[dict[str, object], str]] = {
            "ecr_repository_urls": (
                {key: repository.repository_url for key, repository in repositories.items()},
                "Push each service's image here",
            ),
            "deployed_image_tags": (
                {key: image_tag(key) for key in keys},
                "The tag each service runs: pass them back to deploy one service alone",
            ),
            "service_names": ({key: created.service_name for key, created in services.items()}, "ECS services"),
            "task_definition_arns": (
                {key: created.task_definition.arn for key, created in services.items()},
                TASK_DEFINITION_OUTPUT,
            ),
            "rollout_worst_case_seconds": (
                {key: created.rollout.rollout_seconds for key, created in services.items()},
                ROLLOUT_OUTPUT,
            ),
            "rollback_worst_case_seconds": (
                {key: created.rollout.rollback_seconds for key, created in services.items()},
                ROLLBACK_OUTPUT,
            ),
            "job_state_machine_arns": (
                {key: job.state_machine_arn for key, job in jobs.items()},
                "Start a run by hand: aws stepfunctions start-execution --state-machine-arn <arn>",
            ),
            "log_group_names": (
                {
                    **{key: created.log_group.name for key, created in services.items()},
                    **{key: job.log_group.name for key, job in jobs.items()},
                },
                "Each service's and job's log group: cdktf-fargate logs <name>",
            ),
        }
        for output, (value, description) in outputs.items():
            TerraformOutput(self, output, value=value, description=description)

    def _deploy_role_check(self, config: EnvironmentConfig, bootstrap: BootstrapConfig) -> DataAwsIamRole:
        """The deploy role's policies follow the environment's shape (services, jobs, domains, secrets): a
        change of shape needs `make bootstrap` first, or the deploy is refused half-way. The bootstrap tags
        the role with what it made the policies for; a plan that finds another value stops here."""
        made_for = deploy_role_fingerprint(config, bootstrap)
        return DataAwsIamRole(
            self,
            "deploy-role",
            name=config.deploy_role_name,
            lifecycle=TerraformResourceLifecycle(
                postcondition=[
                    Postcondition(
                        condition=f'${{lookup(self.tags, "{SHAPE_TAG}", "") == "{made_for}"}}',
                        error_message=(
                            f"The deploy role {config.deploy_role_name} was made for another shape of environment "
                            f"{config.environment!r}: its services, jobs, domains or secrets changed since `make "
                            "bootstrap` ran, and the role's policies would refuse part of this deploy. Run `make "
                            "bootstrap` with these settings, then deploy again."
                        ),
                    )
                ]
            ),
        )

    def _alarm_topic(self, name: str, key_arn: str | None, email: str) -> SnsTopic:
        topic = SnsTopic(self, "alarm-topic", name=f"{name}-alarms", kms_master_key_id=key_arn)
        document = DataAwsIamPolicyDocument(
            self,
            "alarm-topic-policy-document",
            statement=[
                DataAwsIamPolicyDocumentStatement(
                    sid="CloudWatchAlarmsPublish",
                    actions=["sns:Publish"],
                    resources=[topic.arn],
                    principals=[
                        DataAwsIamPolicyDocumentStatementPrincipals(
                            type="Service", identifiers=["cloudwatch.amazonaws.com"]
                        )
                    ],
                    condition=[
                        DataAwsIamPolicyDocumentStatementCondition(
                            test="StringEquals", variable="aws:SourceAccount", values=[topic.owner]
                        )
                    ],
                ),
                # Whoever may publish does so over TLS only.
                DataAwsIamPolicyDocumentStatement(
                    sid="DenyInsecureTransport",
                    effect="Deny",
                    actions=["sns:Publish"],
                    resources=[topic.arn],
                    principals=[DataAwsIamPolicyDocumentStatementPrincipals(type="AWS", identifiers=["*"])],
                    condition=[
                        DataAwsIamPolicyDocumentStatementCondition(
                            test="Bool", variable="aws:SecureTransport", values=["false"]
                        )
                    ],
                ),
            ],
        )
        SnsTopicPolicy(self, "alarm-topic-policy", arn=topic.arn, policy=document.json)
        if email:
            SnsTopicSubscription(self, "alarm-email", topic_arn=topic.arn, protocol="email", endpoint=email)
        return topic
