"""FargateService: an ECS service on Fargate in private subnets, behind a load balancer or called
by the other services of its namespace over ECS Service Connect."""

from __future__ import annotations

from collections.abc import Sequence

from constructs import Construct

from ._bindings import (
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    EcsService,
    EcsServiceAlarms,
    EcsServiceCapacityProviderStrategy,
    EcsServiceDeploymentCircuitBreaker,
    EcsServiceLoadBalancer,
    EcsServiceNetworkConfiguration,
    EcsServiceServiceConnectConfiguration,
    EcsServiceServiceConnectConfigurationLogConfiguration,
    EcsServiceServiceConnectConfigurationService,
    EcsServiceServiceConnectConfigurationServiceClientAlias,
    EcsServiceServiceConnectConfigurationServiceTimeout,
    EcsServiceVolumeConfiguration,
    EcsServiceVolumeConfigurationManagedEbsVolume,
    EcsServiceVolumeConfigurationManagedEbsVolumeTagSpecifications,
    IamRolePolicy,
    ITerraformDependable,
    LbListenerRule,
    LbTargetGroup,
    VpcSecurityGroupEgressRule,
    VpcSecurityGroupIngressRule,
)
from ._rollout import RolloutEstimate, estimate_rollout
from ._service_routing import build_routing, build_security_group
from ._service_task import EBS_VOLUME, TaskRoleGrants, TaskWiring, build_task, check_task_wiring
from ._validation import Problems, is_private_cidr, is_token
from .options import ServiceOptions
from .refs import AlbRef, ClusterRef, NetworkRef, ServiceNamespaceRef
from .service_alarms import ServiceAlarms
from .service_autoscaling import ServiceAutoscaling

FARGATE = "FARGATE"
FARGATE_SPOT = "FARGATE_SPOT"
ALB_MEMBERS = (
    "security_group_id",
    "routing_listener_arns",
    "allow_to",
    "claim_rule",
    "target_group_name_prefix",
    "load_balancer_arn_suffix",
)
# The container port's name in the task definition, which Service Connect refers to.
SERVICE_CONNECT_PORT_NAME = "http"


class FargateService(TaskRoleGrants):
    """Roles, log group, task definition, security group, target group, a routing rule on the load
    balancer, and the ECS service itself, in a cluster it is given; with autoscaling and alarms.

    Without a load balancer it is a backend: no target group or rule, and only the services given to
    ``allow_calls_from`` reach it, over the Service Connect namespace it is wired to."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        cluster: ClusterRef,
        network: NetworkRef,
        alb: AlbRef | None,
        image: str,
        options: ServiceOptions | None = None,
        log_kms_key_arn: str | None = None,
        alarm_actions: Sequence[str] = (),
        permissions_boundary_arn: str | None = None,
        service_connect_namespace: ServiceNamespaceRef | None = None,
        volume_kms_key_arn: str | None = None,
    ) -> None:
        """
        :param name: the service's name, 1-48 letters, digits or hyphens; also names the task family,
            the roles and the log group ``/ecs/<name>``.
        :param cluster: the cluster it runs in (``Cluster(...)`` or ``Cluster.from_existing(...)``).
        :param network: its private subnets run the tasks (no public IP).
        :param alb: the load balancer that routes to it (``PublicAlb(...)`` or ``PublicAlb.from_existing(...)``);
            a listener rule is added there. None: a backend, reached only by the services it allows.
        :param image: the container image, e.g. ``repo.image_uri(image_tag)``.
        :param options: ``ServiceOptions``; every default is production-ready (3 tasks, autoscaling 3-12 on
            CPU, alarms with rollback, read-only root filesystem).
        :param log_kms_key_arn: encrypt the log group with this KMS key. Default None (AWS-owned key).
        :param alarm_actions: ARNs (an SNS topic) notified when an alarm changes state. Default none.
        :param permissions_boundary_arn: the IAM policy that caps both roles (an account whose deploy
            role may only create roles with it: ``make bootstrap``). Default None.
        :param service_connect_namespace: a ``ServiceNamespace``: the service calls the namespace's
            services by name, and is published there as ``options.service_connect.name`` when that is set.
            Default None.
        :param volume_kms_key_arn: with ``options.ebs_volume``, encrypt each task's volume with this key.
            Default None: the account's default EBS key.
        """
        super().__init__(scope, id_)
        options = ServiceOptions() if options is None else options
        self._validate(
            TaskWiring(
                name=name,
                cluster=cluster,
                network=network,
                image=image,
                options=options,
                log_kms_key_arn=log_kms_key_arn,
                alarm_actions=alarm_actions,
                permissions_boundary_arn=permissions_boundary_arn,
            ),
            alb=alb,
            namespace=service_connect_namespace,
            volume_kms_key_arn=volume_kms_key_arn,
        )
        self.name = name
        self.options = options
        self.cluster_ref = cluster
        self.container_name = options.container.name
        self.container_port = options.container.port
        self.cluster_arn = cluster.cluster_arn
        self.cluster_name = cluster.cluster_name
        # Worst cases of a rollout and of a failed one's rollback, from the settings (docs/operations.md).
        self.rollout: RolloutEstimate = estimate_rollout(options, behind_load_balancer=alb is not None)

        port = options.container.port
        port_mapping: dict[str, object] = {"containerPort": port, "hostPort": port, "protocol": "tcp"}
        if service_connect_namespace is not None:
            port_mapping.update(name=SERVICE_CONNECT_PORT_NAME, appProtocol="http")
        task = build_task(
            self,
            name=name,
            options=options,
            image=image,
            log_kms_key_arn=log_kms_key_arn,
            permissions_boundary_arn=permissions_boundary_arn,
            port_mappings=[port_mapping],
            start_period_seconds=options.health_check.grace_period_seconds,
            ebs_volume=options.ebs_volume,
        )
        self.region = task.region
        self.log_group = task.log_group
        self.execution_role = task.execution_role
        self.task_role = task.task_role
        self.execution_logs_policy = task.execution_logs_policy
        self.execution_secrets_policy = task.execution_secrets_policy
        self.task_definition = task.task_definition
        self.task_role_policies: list[IamRolePolicy] = []

        self.security_group, self.egress_rules = build_security_group(
            self,
            name=name,
            network=network,
            inbound="from the load balancer only" if alb is not None else "from the services it allows only",
        )
        self.ingress_from_alb: VpcSecurityGroupIngressRule | None = None
        self.alb_egress: VpcSecurityGroupEgressRule | None = None
        self.target_group: LbTargetGroup | None = None
        self.listener_rules: list[LbListenerRule] = []
        self.listener_rule: LbListenerRule | None = None
        if alb is not None:
            routing = build_routing(
                self, name=name, options=options, network=network, alb=alb, security_group=self.security_group
            )
            self.ingress_from_alb = routing.ingress_from_alb
            self.alb_egress = routing.alb_egress
            self.target_group = routing.target_group
            self.listener_rules = routing.listener_rules
            self.listener_rule = self.listener_rules[0]
        self.calls_from: list[VpcSecurityGroupIngressRule] = []
        self.calls_to: list[VpcSecurityGroupEgressRule] = []

        self._volume_roles(
            enabled=options.ebs_volume.enabled,
            name=name,
            task=task,
            permissions_boundary_arn=permissions_boundary_arn,
            key_arn=volume_kms_key_arn,
        )

        self.execute_command_policy: IamRolePolicy | None = None
        if options.enable_execute_command:
            self.execute_command_policy = self._allow_execute_command()

        self.alarms: ServiceAlarms | None = None
        service_dependencies: list[ITerraformDependable] = list(cluster.dependables)
        if options.alarms.enabled:
            self.alarms = ServiceAlarms(
                self,
                "alarms",
                service_name=name,
                cluster_name=self.cluster_name,
                load_balancer_arn_suffix=alb.load_balancer_arn_suffix if alb is not None else None,
                target_group_arn_suffix=self.target_group.arn_suffix if self.target_group is not None else None,
                options=options.alarms,
                actions=alarm_actions,
            )
        deployment_alarms = None
        if self.alarms is not None and options.alarms.rollback_deployments and self.alarms.deployment_alarms:
            deployment_alarms = EcsServiceAlarms(
                alarm_names=self.alarms.deployment_alarm_names, enable=True, rollback=True
            )
            service_dependencies.extend(self.alarms.deployment_alarms)

        self.service = self._service(
            name, options, network, service_dependencies, deployment_alarms, service_connect_namespace
        )
        self.service_name = self.service.name

        self.autoscaling: ServiceAutoscaling | None = None
        if options.scaling.enabled:
            self.autoscaling = ServiceAutoscaling(
                self,
                "autoscaling",
                name=name,
                cluster_name=self.cluster_name,
                service_name=self.service.name,
                options=options.scaling,
                request_count_resource_label=(
                    f"{alb.load_balancer_arn_suffix}/{self.target_group.arn_suffix}"
                    if alb is not None and self.target_group is not None
                    else None
                ),
            )

    def _service(  # noqa: PLR0917
        self,
        name: str,
        options: ServiceOptions,
        network: NetworkRef,
        dependencies: list[ITerraformDependable],
        deployment_alarms: EcsServiceAlarms | None,
        namespace: ServiceNamespaceRef | None,
    ) -> EcsService:
        capacity = options.capacity
        capacity_provider_strategy = [
            EcsServiceCapacityProviderStrategy(
                capacity_provider=FARGATE, weight=capacity.fargate_weight, base=capacity.fargate_base
            )
        ]
        if capacity.fargate_spot_weight:
            capacity_provider_strategy.append(
                EcsServiceCapacityProviderStrategy(capacity_provider=FARGATE_SPOT, weight=capacity.fargate_spot_weight)
            )
        deployment = options.deployment
        return EcsService(
            self,
            "service",
            name=name,
            cluster=self.cluster_arn,
            task_definition=self.task_definition.arn,
            desired_count=options.desired_count,
            capacity_provider_strategy=capacity_provider_strategy,
            platform_version="LATEST",
            network_configuration=EcsServiceNetworkConfiguration(
                subnets=network.private_subnet_ids,
                security_groups=[self.security_group.id],
                assign_public_ip=False,
            ),
            load_balancer=[
                EcsServiceLoadBalancer(
                    target_group_arn=self.target_group.arn,
                    container_name=options.container.name,
                    container_port=options.container.port,
                )
            ]
            if self.target_group is not None
            else None,
            # ECS takes a grace period only for a service behind a load balancer.
            health_check_grace_period_seconds=(
                options.health_check.grace_period_seconds if self.target_group is not None else None
            ),
            service_connect_configuration=self._service_connect(options, namespace) if namespace else None,
            volume_configuration=self._volume_configuration(options),
            deployment_minimum_healthy_percent=deployment.minimum_healthy_percent,
            deployment_maximum_percent=deployment.maximum_percent,
            deployment_circuit_breaker=EcsServiceDeploymentCircuitBreaker(
                enable=True, rollback=deployment.circuit_breaker_rollback
            ),
            alarms=deployment_alarms,
            availability_zone_rebalancing="ENABLED" if deployment.availability_zone_rebalancing else "DISABLED",
            enable_execute_command=options.enable_execute_command,
            propagate_tags="SERVICE",
            enable_ecs_managed_tags=True,
            # ECS refuses a target group that no listener uses yet.
            depends_on=[*self.listener_rules, *dependencies],
            lifecycle={"ignore_changes": ["desired_count"]},
        )

    def _service_connect(
        self, options: ServiceOptions, namespace: ServiceNamespaceRef
    ) -> EcsServiceServiceConnectConfiguration:
        published = options.service_connect.name
        return EcsServiceServiceConnectConfiguration(
            enabled=True,
            namespace=namespace.namespace_arn,
            service=[
                EcsServiceServiceConnectConfigurationService(
                    port_name=SERVICE_CONNECT_PORT_NAME,
                    discovery_name=published,
                    client_alias=EcsServiceServiceConnectConfigurationServiceClientAlias(
                        port=options.service_connect.alias_port or options.container.port,
                        dns_name=options.service_connect.alias or published,
                    ),
                    timeout=EcsServiceServiceConnectConfigurationServiceTimeout(
                        idle_timeout_seconds=options.service_connect.idle_timeout_seconds,
                        per_request_timeout_seconds=options.service_connect.per_request_timeout_seconds,
                    )
                    if options.service_connect.sets_timeouts
                    else None,
                )
            ]
            if published
            else None,
            # The proxy's own log lines go beside the app's, in its log group.
            log_configuration=EcsServiceServiceConnectConfigurationLogConfiguration(
                log_driver="awslogs",
                options={
                    "awslogs-group": self.log_group.name,
                    "awslogs-region": self.region.name,
                    "awslogs-stream-prefix": "service-connect",
                },
            ),
        )

    def _volume_configuration(self, options: ServiceOptions) -> EcsServiceVolumeConfiguration | None:
        volume = options.ebs_volume
        if not volume.enabled or self.volume_role is None:
            return None
        return EcsServiceVolumeConfiguration(
            name=EBS_VOLUME,
            managed_ebs_volume=EcsServiceVolumeConfigurationManagedEbsVolume(
                role_arn=self.volume_role.arn,
                size_in_gb=volume.size_gib,
                volume_type=volume.volume_type,
                iops=volume.iops,
                throughput=volume.throughput_mibps,
                snapshot_id=volume.snapshot_id or None,
                file_system_type=volume.file_system,
                encrypted=True,
                kms_key_id=self._volume_key_arn,
                # The service's tags (the environment's among them) reach its tasks' volumes.
                tag_specifications=[
                    EcsServiceVolumeConfigurationManagedEbsVolumeTagSpecifications(
                        resource_type="volume", propagate_tags="SERVICE"
                    )
                ],
            ),
        )

    def allow_calls_from(self, caller: FargateService) -> VpcSecurityGroupIngressRule:
        """Let ``caller``'s tasks open connections to this service's container port, and nothing else:
        an ingress rule here, and the matching egress rule on the caller's security group."""
        problems = Problems.of(self)
        if not isinstance(caller, FargateService):
            problems.add("caller", caller, "must be a FargateService (a scheduled task cannot use Service Connect)")
        elif caller is self:
            problems.add("caller", caller.name, "is this service: it needs no rule to call itself")
        problems.raise_if_any()
        port = self.container_port
        ingress = VpcSecurityGroupIngressRule(
            self,
            f"ingress-from-{caller.node.id}",
            security_group_id=self.security_group.id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            referenced_security_group_id=caller.security_group.id,
            description=f"Container port, from {caller.name}",
        )
        egress = VpcSecurityGroupEgressRule(
            caller,
            f"egress-to-{self.node.id}",
            security_group_id=caller.security_group.id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            referenced_security_group_id=self.security_group.id,
            description=f"To {self.name} on its container port",
        )
        self.calls_from.append(ingress)
        caller.calls_to.append(egress)
        return ingress

    def _validate(self, wiring: TaskWiring, *, alb: object, namespace: object, volume_kms_key_arn: str | None) -> None:
        problems = Problems.of(self)
        if volume_kms_key_arn is not None:
            problems.check_arn("volume_kms_key_arn", volume_kms_key_arn)
        if alb is not None:
            problems.check_members(
                "alb", alb, ALB_MEMBERS, "a load balancer (PublicAlb(...) or PublicAlb.from_existing(...)) or None"
            )
        if namespace is not None:
            problems.check_members(
                "service_connect_namespace",
                namespace,
                ("namespace_arn",),
                "a Cloud Map namespace (ServiceNamespace(...) or ServiceNamespace.from_existing(...)) or None",
            )
        options = wiring.options
        if not check_task_wiring(self, problems, ServiceOptions, wiring) or not isinstance(options, ServiceOptions):
            problems.raise_if_any()
            return
        if alb is None and options.scaling.enabled and options.scaling.requests_per_target is not None:
            problems.add(
                "options.scaling.requests_per_target",
                options.scaling.requests_per_target,
                "counts load-balancer requests: a service without a load balancer scales on CPU or memory",
            )
        if namespace is None and options.service_connect.name:
            problems.add(
                "options.service_connect.name",
                options.service_connect.name,
                "publishes the service in a namespace: wire service_connect_namespace too",
            )
        if options.service_connect.sets_alias and not (namespace is not None and options.service_connect.name):
            for field in ("alias", "alias_port"):
                if getattr(options.service_connect, field):
                    problems.add(
                        f"options.service_connect.{field}",
                        getattr(options.service_connect, field),
                        "names how callers reach this service over Service Connect: publish it (service_connect.name, "
                        "with service_connect_namespace)",
                    )
        if options.service_connect.sets_timeouts and not (namespace is not None and options.service_connect.name):
            timeouts = ("idle_timeout_seconds", "per_request_timeout_seconds")
            for field in [name for name in timeouts if getattr(options.service_connect, name) is not None]:
                problems.add(
                    f"options.service_connect.{field}",
                    getattr(options.service_connect, field),
                    "applies to calls to this service over Service Connect: publish it (service_connect.name, "
                    "with service_connect_namespace)",
                )
        if hasattr(alb, "claim_rule"):
            routing = options.routing
            for clash in alb.claim_rule(self.node.path, routing.priority, routing.path_patterns, routing.host_headers):
                problems.add("options.routing", f"priority {routing.priority}", clash)
        problems.raise_if_any()

    def _allow_execute_command(self) -> IamRolePolicy:
        # The SSM session channels name no resource: AWS documents "*" for them.
        document = DataAwsIamPolicyDocument(
            self,
            "execute-command-policy-document",
            statement=[
                DataAwsIamPolicyDocumentStatement(
                    sid="EcsExecChannels",
                    actions=[
                        "ssmmessages:CreateControlChannel",
                        "ssmmessages:CreateDataChannel",
                        "ssmmessages:OpenControlChannel",
                        "ssmmessages:OpenDataChannel",
                    ],
                    resources=["*"],
                )
            ],
        )
        return IamRolePolicy(
            self, "execute-command-policy", name="ecs-exec", role=self.task_role.id, policy=document.json
        )

    def allow_ingress_from_cidr(self, cidr: str, *, port: int, description: str) -> VpcSecurityGroupIngressRule:
        """Admit a private network range (a VPN, a peered VPC) to the tasks on ``port``.

        Public ranges, ``0.0.0.0/0`` among them, are refused: tasks are reached through the load balancer.
        """
        problems = Problems.of(self)
        if problems.check_cidr("cidr", cidr) and not is_token(cidr) and not is_private_cidr(cidr):
            problems.add(
                "cidr",
                cidr,
                "must be a private range (10/8, 172.16/12, 192.168/16, 100.64/10): "
                "tasks are never reachable from the internet",
            )
        problems.check_port("port", port)
        problems.check_non_empty("description", description)
        problems.raise_if_any()
        return VpcSecurityGroupIngressRule(
            self,
            f"ingress-{cidr.replace('/', '-').replace('.', '-')}-{port}",
            security_group_id=self.security_group.id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            cidr_ipv4=cidr,
            description=description,
        )
