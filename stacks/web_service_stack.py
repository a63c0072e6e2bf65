"""WebServiceStack: repository, network, load balancer and service, wired together."""

from __future__ import annotations

import dataclasses

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
    TerraformOutput,
    TerraformResourceLifecycle,
    TerraformStack,
    Token,
)
from cdktf_cdktf_provider_aws.data_aws_acm_certificate import DataAwsAcmCertificate
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.data_aws_iam_role import DataAwsIamRole
from cdktf_cdktf_provider_aws.data_aws_partition import DataAwsPartition
from cdktf_cdktf_provider_aws.sns_topic import SnsTopic
from constructs import Construct

from .alarm_topic import alarm_topic
from .app_services import AppServices
from .deploy_permissions import (
    SHAPE_TAG,
    deploy_role_arn,
    deploy_role_fingerprint,
    log_group_names,
    permissions_boundary_arn,
)
from .environments import BootstrapConfig, EnvironmentConfig
from .image_tags import image_tag_variable, image_tags_variable
from .terraform_settings import aws_provider, state_in_bucket

# Logical ids of the cluster in 0.1 (under the service); moved blocks carry its state to the Cluster.
CLUSTER_ID_BEFORE_0_2 = "service_cluster_B81F1F5D"
CLUSTER_CAPACITY_PROVIDERS_ID_BEFORE_0_2 = "service_cluster-capacity-providers_A0F7BC08"
TASK_DEFINITION_OUTPUT = "The revision a rollout must end on (scripts/await_rollout.py: otherwise it was rolled back)"
ROLLOUT_OUTPUT = "Worst-case seconds of a successful rollout, from the settings (docs/operations.md#rollout-time)"
ROLLBACK_OUTPUT = "Worst-case seconds to detect a failed rollout and roll it back (docs/operations.md#rollout-time)"
# Where ECS reads each kind of secret from, at task start.
SECRET_ENDPOINTS = {"secrets-manager": "secretsmanager", "ssm-parameter": "ssm"}


def network_options(config: EnvironmentConfig) -> NetworkOptions:
    """The environment's network, with the endpoints its service needs when tasks have no internet egress."""
    options = config.network
    if options.allow_internet_egress:
        return options
    needed = list(options.interface_endpoints)
    exec_enabled = config.service.enable_execute_command
    for declared in config.services.values():
        exec_enabled = exec_enabled or (declared.kind != "job" and declared.service.enable_execute_command)
    kinds = {secret.kind for secret in config.secrets()}
    needed += [service for kind, service in SECRET_ENDPOINTS.items() if kind in kinds]
    if exec_enabled:
        needed.append("ssmmessages")
    if any(task.telemetry.collector == "otel" for _, task in config.tasks()):
        needed.append("xray")
    if any(declared.kind == "worker" for declared in config.services.values()):
        needed.append("sqs")
    if config.topics():
        needed.append("sns")
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
        self.image_tag = image_tag_variable(self)

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
                log_group_patterns=log_group_names(name, config.adopted_log_groups()),
                allow_sns_deliveries=config.has_subscriptions,
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
            self.alarm_topic = alarm_topic(self, name, key_arn, config.alarm_email)
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
            volume_kms_key_arn=key_arn,
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
        self.image_tags = image_tags_variable(self, keys)

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
            "queue_urls": (
                {key: worker.queue.url for key, worker in self.services.workers.items()},
                "Each worker's queue: aws sqs send-message --queue-url <url> --message-body ...",
            ),
            "topic_arns": (
                {topic: created.arn for topic, created in self.services.topics.items()},
                "Each topic of the environment: aws sns publish --topic-arn <arn> --message ...",
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
        """The deploy role's policies follow the environment's shape (its domain, secrets, alarms, network, …,
        not its services or jobs): a change of shape needs `make bootstrap` first, or the deploy is refused
        half-way. The bootstrap tags
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
                            f"{config.environment!r}: its domain, secrets, alarms or network changed since `make "
                            "bootstrap` ran, and the role's policies would refuse part of this deploy. Run `make "
                            "bootstrap` with these settings, then deploy again."
                        ),
                    )
                ]
            ),
        )
