"""FargateService: an ECS service on Fargate in private subnets, behind a PublicAlb."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

from constructs import Construct

from ._bindings import (
    CloudwatchLogGroup,
    DataAwsCallerIdentity,
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsPartition,
    DataAwsRegion,
    EcsCluster,
    EcsClusterCapacityProviders,
    EcsClusterCapacityProvidersDefaultCapacityProviderStrategy,
    EcsClusterSetting,
    EcsService,
    EcsServiceAlarms,
    EcsServiceCapacityProviderStrategy,
    EcsServiceDeploymentCircuitBreaker,
    EcsServiceLoadBalancer,
    EcsServiceNetworkConfiguration,
    EcsTaskDefinition,
    EcsTaskDefinitionRuntimePlatform,
    EcsTaskDefinitionVolume,
    Fn,
    IamRole,
    IamRolePolicy,
    ITerraformDependable,
    LbListenerRule,
    LbListenerRuleAction,
    LbListenerRuleCondition,
    LbListenerRuleConditionHostHeader,
    LbListenerRuleConditionPathPattern,
    LbTargetGroup,
    LbTargetGroupHealthCheck,
    SecurityGroup,
    VpcSecurityGroupEgressRule,
    VpcSecurityGroupIngressRule,
)
from ._iam import service_trust_policy
from ._validation import Problems, is_private_cidr, is_token
from .network import Network
from .public_alb import PublicAlb
from .service_alarms import ServiceAlarms
from .service_autoscaling import ServiceAutoscaling

# Fargate's valid task sizes: CPU units -> allowed memory in MiB.
FARGATE_TASK_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}
CPU_ARCHITECTURES = ("X86_64", "ARM64")
# Service, family and role names are derived from this; "-execution" must still fit IAM's 64.
SERVICE_NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,47}")
CONTAINER_NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,254}")
ENV_NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
HEALTH_CHECK_PATH_PATTERN = re.compile(r"/[\x21-\x7e]{0,1023}")
HTTP_MATCHER_PATTERN = re.compile(r"[2-4]\d\d(-[2-4]\d\d)?(,[2-4]\d\d(-[2-4]\d\d)?)*")
HOST_HEADER_PATTERN = re.compile(r"[A-Za-z0-9*?.-]{1,128}")
PATH_PATTERN = re.compile(r"/[\x21-\x7e]{0,127}")
MAX_CONDITION_VALUES = 5
# Plain environment variables show in the console, the API and every task description.
SECRET_LOOKING_NAME = re.compile(r"(^|_)(PASSWORD|PASSWD|TOKEN|SECRET|[A-Z]*KEY)(_|$)", re.IGNORECASE)
SSM_PARAMETER_ARN = re.compile(r"arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter/.+")
SECRETS_MANAGER_ARN = re.compile(r"arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+")
IAM_ACTION_PATTERN = re.compile(r"[a-z0-9-]+:[A-Za-z0-9*]+")
CONTAINER_PATH_PATTERN = re.compile(r"/[A-Za-z0-9._/-]*")
USER_PATTERN = re.compile(r"[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]+)?")
FARGATE = "FARGATE"
FARGATE_SPOT = "FARGATE_SPOT"


class FargateService(Construct):
    """Cluster (or an existing one), roles, log group, task definition, security group,
    target group, routing rule on the load balancer, and the ECS service itself.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        network: Network,
        alb: PublicAlb,
        image: str,
        cluster_arn: str | None = None,
        share_cluster_with: FargateService | None = None,
        container_insights: bool = True,
        container_name: str = "app",
        container_port: int = 8080,
        cpu_units: int = 512,
        memory_mib: int = 1024,
        cpu_architecture: str = "X86_64",
        environment: Mapping[str, str] | None = None,
        secrets: Mapping[str, str] | None = None,
        readonly_root_filesystem: bool = True,
        scratch_paths: Sequence[str] = ("/tmp",),
        user: str | None = None,
        desired_count: int = 3,
        log_retention_days: int = 30,
        log_kms_key_arn: str | None = None,
        fargate_weight: int = 100,
        fargate_spot_weight: int = 0,
        fargate_base: int = 0,
        deployment_minimum_healthy_percent: int = 100,
        deployment_maximum_percent: int = 200,
        circuit_breaker_rollback: bool = True,
        health_check_grace_period_seconds: int = 60,
        health_check_path: str = "/health",
        health_check_healthy_threshold: int = 2,
        health_check_unhealthy_threshold: int = 3,
        health_check_interval_seconds: int = 30,
        health_check_timeout_seconds: int = 5,
        health_check_matcher: str = "200",
        deregistration_delay_seconds: int = 30,
        listener_rule_priority: int = 100,
        path_patterns: Sequence[str] = ("/*",),
        host_headers: Sequence[str] = (),
        availability_zone_rebalancing: bool = True,
        enable_execute_command: bool = False,
        container_health_check_command: Sequence[str] | None = None,
        stop_timeout_seconds: int = 30,
        autoscaling_min_count: int | None = None,
        autoscaling_max_count: int | None = None,
        autoscaling_cpu_target_percent: int | None = 70,
        autoscaling_memory_target_percent: int | None = None,
        autoscaling_requests_per_target: int | None = None,
        autoscaling_scale_in_cooldown_seconds: int = 300,
        autoscaling_scale_out_cooldown_seconds: int = 60,
        alarms_enabled: bool = True,
        alarm_actions: Sequence[str] = (),
        alarm_target_5xx_per_minute: int = 10,
        alarm_p99_latency_seconds: float = 2.0,
        alarm_cpu_percent: int = 85,
        alarm_memory_percent: int = 85,
        rollback_on_alarm: bool = True,
    ) -> None:
        """
        :param name: the service's name, 1-48 letters, digits or hyphens; also names the cluster
            (when created), the task family, the roles and the log group ``/ecs/<name>``.
        :param network: its private subnets run the tasks (no public IP).
        :param alb: the load balancer that routes to it; a listener rule is added there.
        :param image: the container image, e.g. ``repo.image_uri(image_tag)``.
        :param cluster_arn: run in this existing cluster (it must have the FARGATE capacity
            providers). Default None: a cluster named ``name`` is created.
        :param share_cluster_with: run in the cluster another ``FargateService`` of this app created
            (services behind one load balancer usually share one). Default None.
        :param container_insights: CloudWatch Container Insights on the created cluster. Default True.
        :param container_name: default ``app``.
        :param container_port: the port the app listens on. Default 8080.
        :param cpu_units: task CPU (256 = 1/4 vCPU). Default 512.
        :param memory_mib: task memory; must fit ``cpu_units`` in Fargate's table. Default 1024.
        :param cpu_architecture: ``X86_64`` (default) or ``ARM64`` (Graviton).
        :param environment: plain environment variables. Default ``{"LOG_LEVEL": "info"}``. Names that
            look secret (containing PASSWORD, TOKEN, SECRET or KEY) are refused: use ``secrets``.
        :param secrets: environment variables read at task start from SSM Parameter Store or Secrets
            Manager: name -> parameter or secret ARN. The execution role may read exactly these.
            Default none.
        :param readonly_root_filesystem: the container cannot write to its image's filesystem. Default True.
        :param scratch_paths: writable, task-lifetime (ephemeral) directories mounted into the container.
            Default ``("/tmp",)``.
        :param user: run the container as this ``user`` or ``uid:gid`` (e.g. ``1000:1000``). Default None:
            the image's own user.
        :param desired_count: tasks to run, 0-5000. Default 3. Later changes made outside
            Terraform (autoscaling, operators) are kept: drift is ignored.
        :param log_retention_days: a CloudWatch retention value. Default 30.
        :param log_kms_key_arn: encrypt the log group with this KMS key. Default None (AWS-owned key).
        :param fargate_weight: share of tasks on FARGATE. Default 100.
        :param fargate_spot_weight: share of tasks on FARGATE_SPOT. Default 0.
        :param fargate_base: tasks always placed on FARGATE before weights apply. Default 0.
        :param deployment_minimum_healthy_percent: default 100: never below desired during a rollout.
        :param deployment_maximum_percent: default 200.
        :param circuit_breaker_rollback: roll back a failing deployment. Default True
            (the circuit breaker itself is always on).
        :param health_check_grace_period_seconds: ignore failing load-balancer health checks
            this long after a task starts. Default 60.
        :param health_check_path: default ``/health``.
        :param health_check_healthy_threshold: 2-10. Default 2.
        :param health_check_unhealthy_threshold: 2-10. Default 3.
        :param health_check_interval_seconds: 5-300. Default 30.
        :param health_check_timeout_seconds: 2-120 and below the interval. Default 5.
        :param health_check_matcher: healthy HTTP codes, e.g. ``200`` or ``200-299``. Default ``200``.
        :param deregistration_delay_seconds: how long a stopping task drains, 0-3600. Default 30
            (AWS's own default of 300 makes every rollout wait five minutes).
        :param listener_rule_priority: this service's rule on the HTTPS listener, 1-50000. Default 100.
        :param path_patterns: request paths routed here. Default ``("/*",)``: everything.
        :param host_headers: host names routed here. Default none (any host).
        :param availability_zone_rebalancing: ECS moves tasks to keep them spread over the zones
            after an AZ recovers. Default True.
        :param enable_execute_command: allow ``aws ecs execute-command`` into the tasks (adds the SSM
            channel permissions to the task role). Default False. Needs a writable root filesystem.
        :param container_health_check_command: the container's own health check, e.g.
            ``["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"]``. Default None.
        :param stop_timeout_seconds: time the app gets after SIGTERM before SIGKILL, 2-120. Default 30.
        :param autoscaling_min_count: lower bound of autoscaling. Default None: no autoscaling.
            Give it with ``autoscaling_max_count``.
        :param autoscaling_max_count: upper bound of autoscaling. Default None.
        :param autoscaling_cpu_target_percent: keep average CPU near this, 1-100. Default 70; None: off.
        :param autoscaling_memory_target_percent: keep average memory near this. Default None (off).
        :param autoscaling_requests_per_target: keep ALB requests per task near this. Default None (off).
        :param autoscaling_scale_in_cooldown_seconds: wait after scaling in. Default 300.
        :param autoscaling_scale_out_cooldown_seconds: wait after scaling out. Default 60.
        :param alarms_enabled: CloudWatch alarms on target 5xx, unhealthy targets, p99 latency, CPU and
            memory. Default True.
        :param alarm_actions: ARNs (an SNS topic) notified when an alarm changes state. Default none.
        :param alarm_target_5xx_per_minute: 5xx answers from tasks per minute that raise the alarm. Default 10.
        :param alarm_p99_latency_seconds: p99 target response time that raises the alarm. Default 2.0.
        :param alarm_cpu_percent: average CPU that raises the alarm. Default 85.
        :param alarm_memory_percent: average memory that raises the alarm. Default 85.
        :param rollback_on_alarm: roll a deployment back when the 5xx or unhealthy-target alarm fires
            (in addition to the circuit breaker). Default True; needs ``alarms_enabled``.
        """
        super().__init__(scope, id_)
        environment = {"LOG_LEVEL": "info"} if environment is None else dict(environment)
        secrets = {} if secrets is None else dict(secrets)
        self._validate(
            id_,
            name=name,
            image=image,
            cluster_arn=cluster_arn,
            container_name=container_name,
            container_port=container_port,
            cpu_units=cpu_units,
            memory_mib=memory_mib,
            cpu_architecture=cpu_architecture,
            environment=environment,
            secrets=secrets,
            readonly_root_filesystem=readonly_root_filesystem,
            scratch_paths=scratch_paths,
            user=user,
            desired_count=desired_count,
            log_retention_days=log_retention_days,
            log_kms_key_arn=log_kms_key_arn,
            fargate_weight=fargate_weight,
            fargate_spot_weight=fargate_spot_weight,
            fargate_base=fargate_base,
            deployment_minimum_healthy_percent=deployment_minimum_healthy_percent,
            deployment_maximum_percent=deployment_maximum_percent,
            health_check_grace_period_seconds=health_check_grace_period_seconds,
            health_check_path=health_check_path,
            health_check_healthy_threshold=health_check_healthy_threshold,
            health_check_unhealthy_threshold=health_check_unhealthy_threshold,
            health_check_interval_seconds=health_check_interval_seconds,
            health_check_timeout_seconds=health_check_timeout_seconds,
            health_check_matcher=health_check_matcher,
            deregistration_delay_seconds=deregistration_delay_seconds,
            listener_rule_priority=listener_rule_priority,
            path_patterns=path_patterns,
            host_headers=host_headers,
            enable_execute_command=enable_execute_command,
            container_health_check_command=container_health_check_command,
            stop_timeout_seconds=stop_timeout_seconds,
            autoscaling_min_count=autoscaling_min_count,
            autoscaling_max_count=autoscaling_max_count,
            autoscaling_cpu_target_percent=autoscaling_cpu_target_percent,
            autoscaling_memory_target_percent=autoscaling_memory_target_percent,
            autoscaling_requests_per_target=autoscaling_requests_per_target,
            autoscaling_scale_in_cooldown_seconds=autoscaling_scale_in_cooldown_seconds,
            autoscaling_scale_out_cooldown_seconds=autoscaling_scale_out_cooldown_seconds,
            alarms_enabled=alarms_enabled,
            alarm_actions=alarm_actions,
            alarm_target_5xx_per_minute=alarm_target_5xx_per_minute,
            alarm_p99_latency_seconds=alarm_p99_latency_seconds,
            alarm_cpu_percent=alarm_cpu_percent,
            alarm_memory_percent=alarm_memory_percent,
            rollback_on_alarm=rollback_on_alarm,
        )
        self.name = name
        self.container_name = container_name
        self.container_port = container_port

        caller = DataAwsCallerIdentity(self, "caller-identity")
        partition = DataAwsPartition(self, "partition")
        self.region = DataAwsRegion(self, "region")

        self._cluster: EcsCluster | None = None
        self._cluster_capacity_providers: EcsClusterCapacityProviders | None = None
        service_dependencies: list[ITerraformDependable] = []
        self.cluster_arn: str
        self.cluster_name: str
        if share_cluster_with is not None:
            problems = Problems(f"FargateService {id_!r}")
            if cluster_arn is not None:
                problems.add(
                    "share_cluster_with", share_cluster_with.node.id, "give cluster_arn or share_cluster_with, not both"
                )
            shared_capacity_providers = share_cluster_with._cluster_capacity_providers
            if shared_capacity_providers is None:
                problems.add(
                    "share_cluster_with", share_cluster_with.node.id, "that service created no cluster to share"
                )
            problems.raise_if_any()
            self.cluster_arn = share_cluster_with.cluster_arn
            self.cluster_name = share_cluster_with.cluster_name
            # Its capacity providers must be associated before this service asks for them.
            if shared_capacity_providers is not None:
                service_dependencies.append(shared_capacity_providers)
        elif cluster_arn is None:
            self._cluster = EcsCluster(
                self,
                "cluster",
                name=name,
                setting=[
                    EcsClusterSetting(name="containerInsights", value="enabled" if container_insights else "disabled")
                ],
            )
            self._cluster_capacity_providers = EcsClusterCapacityProviders(
                self,
                "cluster-capacity-providers",
                cluster_name=self._cluster.name,
                capacity_providers=[FARGATE, FARGATE_SPOT],
                default_capacity_provider_strategy=[
                    EcsClusterCapacityProvidersDefaultCapacityProviderStrategy(
                        capacity_provider=FARGATE, weight=100, base=0
                    )
                ],
            )
            self.cluster_arn = self._cluster.arn
            self.cluster_name = self._cluster.name
            service_dependencies.append(self._cluster_capacity_providers)
        else:
            self.cluster_arn = cluster_arn
            self.cluster_name = Fn.element(Fn.split("/", cluster_arn), 1)

        self.log_group = CloudwatchLogGroup(
            self, "log-group", name=f"/ecs/{name}", retention_in_days=log_retention_days, kms_key_id=log_kms_key_arn
        )

        # ECS assumes both roles on behalf of this account's tasks only (confused deputy).
        assume_role = service_trust_policy(
            self,
            "assume-role-policy",
            service="ecs-tasks.amazonaws.com",
            account_id=caller.account_id,
            source_arn_pattern=f"arn:{partition.partition}:ecs:{self.region.name}:{caller.account_id}:*",
        )
        self.execution_role = IamRole(
            self,
            "execution-role",
            name=f"{name}-execution",
            description=f"ECS pulls the image and writes logs for {name}",
            assume_role_policy=assume_role.json,
        )
        self.task_role = IamRole(
            self,
            "task-role",
            name=f"{name}-task",
            description=f"The {name} application's own AWS permissions (none by default)",
            assume_role_policy=assume_role.json,
        )
        logs_document = DataAwsIamPolicyDocument(
            self,
            "execution-logs-policy-document",
            statement=[
                DataAwsIamPolicyDocumentStatement(
                    sid="WriteOwnLogGroup",
                    actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                    resources=[f"{self.log_group.arn}:*"],
                )
            ],
        )
        self.execution_logs_policy = IamRolePolicy(
            self, "execution-logs-policy", name="write-logs", role=self.execution_role.id, policy=logs_document.json
        )
        self.execution_secrets_policy: IamRolePolicy | None = None
        if secrets:
            self.execution_secrets_policy = self._allow_reading_secrets(sorted(set(secrets.values())))
        self.task_role_policies: list[IamRolePolicy] = []
        self._task_policy_sids: set[str] = set()

        scratch_volumes = [f"scratch-{index}" for index in range(len(scratch_paths))]
        container: dict[str, object] = {
            "name": container_name,
            "image": image,
            "essential": True,
            "readonlyRootFilesystem": readonly_root_filesystem,
            "portMappings": [{"containerPort": container_port, "hostPort": container_port, "protocol": "tcp"}],
            "environment": [{"name": key, "value": value} for key, value in sorted(environment.items())],
            "secrets": [{"name": key, "valueFrom": value} for key, value in sorted(secrets.items())],
            "mountPoints": [
                {"sourceVolume": volume, "containerPath": path, "readOnly": False}
                for volume, path in zip(scratch_volumes, scratch_paths, strict=True)
            ],
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": self.log_group.name,
                    "awslogs-region": self.region.name,
                    "awslogs-stream-prefix": container_name,
                },
            },
        }
        if user is not None:
            container["user"] = user
        container["stopTimeout"] = stop_timeout_seconds
        if container_health_check_command:
            container["healthCheck"] = {
                "command": list(container_health_check_command),
                "interval": 30,
                "timeout": 5,
                "retries": 3,
                "startPeriod": health_check_grace_period_seconds,
            }
        if enable_execute_command:
            container["linuxParameters"] = {"initProcessEnabled": True}
        self.task_definition = EcsTaskDefinition(
            self,
            "task-definition",
            family=name,
            requires_compatibilities=["FARGATE"],
            network_mode="awsvpc",
            cpu=str(cpu_units),
            memory=str(memory_mib),
            execution_role_arn=self.execution_role.arn,
            task_role_arn=self.task_role.arn,
            runtime_platform=EcsTaskDefinitionRuntimePlatform(
                operating_system_family="LINUX", cpu_architecture=cpu_architecture
            ),
            container_definitions=json.dumps([container]),
            volume=[EcsTaskDefinitionVolume(name=volume) for volume in scratch_volumes] or None,
        )

        self.security_group = SecurityGroup(
            self,
            "security-group",
            name_prefix=f"{name}-tasks-",
            description=f"Tasks of {name}: from the load balancer only",
            vpc_id=network.vpc_id,
            tags={"Name": f"{name}-tasks"},
            lifecycle={"create_before_destroy": True},
        )
        self.ingress_from_alb = VpcSecurityGroupIngressRule(
            self,
            "ingress-from-alb",
            security_group_id=self.security_group.id,
            ip_protocol="tcp",
            from_port=container_port,
            to_port=container_port,
            referenced_security_group_id=alb.security_group.id,
            description="Container port, from the load balancer only",
        )
        self.egress_https = VpcSecurityGroupEgressRule(
            self,
            "egress-https",
            security_group_id=self.security_group.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4="0.0.0.0/0",
            description="HTTPS out: image pulls from ECR, logs, AWS APIs",
        )
        self.alb_egress = alb.allow_to(
            self.security_group, container_port, description=f"To {name} tasks on the container port"
        )

        self.target_group = LbTargetGroup(
            self,
            "target-group",
            # A prefix, not a name: a replaced target group (new port, say) is created
            # before the old one is deleted, and two cannot share a name.
            name_prefix=_target_group_name_prefix(name),
            port=container_port,
            protocol="HTTP",
            target_type="ip",
            vpc_id=network.vpc_id,
            deregistration_delay=str(deregistration_delay_seconds),
            health_check=LbTargetGroupHealthCheck(
                enabled=True,
                path=health_check_path,
                port="traffic-port",
                protocol="HTTP",
                healthy_threshold=health_check_healthy_threshold,
                unhealthy_threshold=health_check_unhealthy_threshold,
                interval=health_check_interval_seconds,
                timeout=health_check_timeout_seconds,
                matcher=health_check_matcher,
            ),
            tags={"Name": name},
            lifecycle={"create_before_destroy": True},
        )
        conditions = []
        if path_patterns:
            conditions.append(
                LbListenerRuleCondition(path_pattern=LbListenerRuleConditionPathPattern(values=list(path_patterns)))
            )
        if host_headers:
            conditions.append(
                LbListenerRuleCondition(host_header=LbListenerRuleConditionHostHeader(values=list(host_headers)))
            )
        self.listener_rules = [
            LbListenerRule(
                self,
                "listener-rule" if listener is alb.https_listener else "http-listener-rule",
                listener_arn=listener.arn,
                priority=listener_rule_priority,
                action=[LbListenerRuleAction(type="forward", target_group_arn=self.target_group.arn)],
                condition=conditions,
                tags={"Name": name},
            )
            for listener in alb.routing_listeners
        ]
        self.listener_rule = self.listener_rules[0]

        if enable_execute_command:
            self._allow_execute_command()

        self.alarms: ServiceAlarms | None = None
        if alarms_enabled:
            self.alarms = ServiceAlarms(
                self,
                "alarms",
                service_name=name,
                cluster_name=self.cluster_name,
                load_balancer_arn_suffix=alb.load_balancer.arn_suffix,
                target_group_arn_suffix=self.target_group.arn_suffix,
                target_5xx_per_minute=alarm_target_5xx_per_minute,
                p99_latency_seconds=alarm_p99_latency_seconds,
                cpu_percent=alarm_cpu_percent,
                memory_percent=alarm_memory_percent,
                actions=alarm_actions,
            )
        deployment_alarms = None
        if self.alarms is not None and rollback_on_alarm:
            deployment_alarms = EcsServiceAlarms(
                alarm_names=self.alarms.deployment_alarm_names, enable=True, rollback=True
            )
            service_dependencies.extend([self.alarms.target_5xx, self.alarms.unhealthy_hosts])

        capacity_provider_strategy = [
            EcsServiceCapacityProviderStrategy(capacity_provider=FARGATE, weight=fargate_weight, base=fargate_base)
        ]
        if fargate_spot_weight:
            capacity_provider_strategy.append(
                EcsServiceCapacityProviderStrategy(capacity_provider=FARGATE_SPOT, weight=fargate_spot_weight)
            )
        self.service = EcsService(
            self,
            "service",
            name=name,
            cluster=self.cluster_arn,
            task_definition=self.task_definition.arn,
            desired_count=desired_count,
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
                    container_name=container_name,
                    container_port=container_port,
                )
            ],
            health_check_grace_period_seconds=health_check_grace_period_seconds,
            deployment_minimum_healthy_percent=deployment_minimum_healthy_percent,
            deployment_maximum_percent=deployment_maximum_percent,
            deployment_circuit_breaker=EcsServiceDeploymentCircuitBreaker(
                enable=True, rollback=circuit_breaker_rollback
            ),
            alarms=deployment_alarms,
            availability_zone_rebalancing="ENABLED" if availability_zone_rebalancing else "DISABLED",
            enable_execute_command=enable_execute_command,
            propagate_tags="SERVICE",
            enable_ecs_managed_tags=True,
            # ECS refuses a target group that no listener uses yet.
            depends_on=[*self.listener_rules, *service_dependencies],
            lifecycle={"ignore_changes": ["desired_count"]},
        )
        self.service_name = self.service.name

        self.autoscaling: ServiceAutoscaling | None = None
        if autoscaling_min_count is not None and autoscaling_max_count is not None:
            self.autoscaling = ServiceAutoscaling(
                self,
                "autoscaling",
                name=name,
                cluster_name=self.cluster_name,
                service_name=self.service.name,
                min_count=autoscaling_min_count,
                max_count=autoscaling_max_count,
                cpu_target_percent=autoscaling_cpu_target_percent,
                memory_target_percent=autoscaling_memory_target_percent,
                requests_per_target=autoscaling_requests_per_target,
                request_count_resource_label=f"{alb.load_balancer.arn_suffix}/{self.target_group.arn_suffix}",
                scale_in_cooldown_seconds=autoscaling_scale_in_cooldown_seconds,
                scale_out_cooldown_seconds=autoscaling_scale_out_cooldown_seconds,
            )

    def _allow_execute_command(self) -> None:
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
        self.execute_command_policy = IamRolePolicy(
            self, "execute-command-policy", name="ecs-exec", role=self.task_role.id, policy=document.json
        )

    def _allow_reading_secrets(self, arns: list[str]) -> IamRolePolicy:
        statements = []
        parameters = [arn for arn in arns if ":ssm:" in arn]
        secrets = [arn for arn in arns if ":secretsmanager:" in arn]
        if parameters:
            statements.append(
                DataAwsIamPolicyDocumentStatement(
                    sid="ReadParameters", actions=["ssm:GetParameters"], resources=parameters
                )
            )
        if secrets:
            statements.append(
                DataAwsIamPolicyDocumentStatement(
                    sid="ReadSecrets", actions=["secretsmanager:GetSecretValue"], resources=secrets
                )
            )
        document = DataAwsIamPolicyDocument(self, "execution-secrets-policy-document", statement=statements)
        return IamRolePolicy(
            self, "execution-secrets-policy", name="read-secrets", role=self.execution_role.id, policy=document.json
        )

    def add_to_task_role_policy(self, *, sid: str, actions: Sequence[str], resources: Sequence[str]) -> IamRolePolicy:
        """Give the application (the task role) one more permission statement.

        Wildcards are refused: an action of ``*`` or ``service:*``, or a resource of ``*``.
        """
        problems = Problems(f"FargateService {self.node.id!r}")
        problems.check_pattern("sid", sid, re.compile(r"[A-Za-z0-9]{1,64}"), "must be 1-64 letters or digits")
        if sid in self._task_policy_sids:
            problems.add("sid", sid, "is already used by another statement on this task role")
        for setting, values in (("actions", actions), ("resources", resources)):
            if isinstance(values, str) or not values:
                problems.add(setting, values, "must be a non-empty list")
        if not problems.found:
            for action in actions:
                if problems.check_pattern("actions", action, IAM_ACTION_PATTERN, "each must be 'service:Action'") and (
                    action.endswith(":*")
                ):
                    problems.add("actions", action, "wildcard actions are refused: name each action")
            for resource in resources:
                if resource == "*":
                    problems.add("resources", resource, "the wildcard resource is refused: name the ARNs")
                elif not is_token(resource):
                    problems.check_arn("resources", resource)
        problems.raise_if_any()
        document = DataAwsIamPolicyDocument(
            self,
            f"task-policy-{sid}-document",
            statement=[DataAwsIamPolicyDocumentStatement(sid=sid, actions=list(actions), resources=list(resources))],
        )
        policy = IamRolePolicy(self, f"task-policy-{sid}", name=sid, role=self.task_role.id, policy=document.json)
        self._task_policy_sids.add(sid)
        self.task_role_policies.append(policy)
        return policy

    def allow_ingress_from_cidr(self, cidr: str, *, port: int, description: str) -> VpcSecurityGroupIngressRule:
        """Admit a private network range (a VPN, a peered VPC) to the tasks on ``port``.

        Public ranges, ``0.0.0.0/0`` among them, are refused: tasks are reached through the load balancer.
        """
        problems = Problems(f"FargateService {self.node.id!r}")
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

    @property
    def cluster(self) -> EcsCluster:
        if self._cluster is None:
            raise AttributeError(
                f"FargateService {self.node.id!r} runs in the existing cluster {self.cluster_arn!r}; "
                "it created no cluster. Use cluster_arn or cluster_name."
            )
        return self._cluster

    @property
    def cluster_capacity_providers(self) -> EcsClusterCapacityProviders:
        if self._cluster_capacity_providers is None:
            raise AttributeError(
                f"FargateService {self.node.id!r} runs in the existing cluster {self.cluster_arn!r}; "
                "it manages no capacity providers there."
            )
        return self._cluster_capacity_providers

    @staticmethod
    def _validate(owner: str, **settings: object) -> None:
        s = settings
        problems = Problems(f"FargateService {owner!r}")
        problems.check_pattern(
            "name", s["name"], SERVICE_NAME_PATTERN, "must be 1-48 letters, digits or hyphens, starting with a letter"
        )
        problems.check_non_empty("image", s["image"])
        if s["cluster_arn"] is not None:
            problems.check_arn("cluster_arn", s["cluster_arn"], service="ecs")
        problems.check_pattern(
            "container_name",
            s["container_name"],
            CONTAINER_NAME_PATTERN,
            "must be 1-255 letters, digits, hyphens or underscores",
        )
        problems.check_port("container_port", s["container_port"])
        cpu, memory = s["cpu_units"], s["memory_mib"]
        if problems.check_choice("cpu_units", cpu, FARGATE_TASK_SIZES) and not is_token(cpu):
            allowed_memory = FARGATE_TASK_SIZES[cpu]  # type: ignore[index]
            if not is_token(memory) and memory not in allowed_memory:
                problems.add(
                    "memory_mib",
                    memory,
                    f"with cpu_units={cpu} Fargate allows {allowed_memory[0]}-{allowed_memory[-1]} MiB "
                    f"({', '.join(str(m) for m in allowed_memory)})",
                )
        problems.check_choice("cpu_architecture", s["cpu_architecture"], CPU_ARCHITECTURES)
        environment = s["environment"]
        assert isinstance(environment, dict)
        for key, value in environment.items():
            problems.check_pattern(
                "environment",
                key,
                ENV_NAME_PATTERN,
                "variable names must be letters, digits and '_', not starting with a digit",
            )
            if not isinstance(value, str):
                problems.add(f"environment[{key!r}]", value, "must be a string")
            if isinstance(key, str) and SECRET_LOOKING_NAME.search(key):
                problems.add(
                    "environment",
                    key,
                    "looks like a secret (PASSWORD, TOKEN, SECRET or KEY): plain variables are visible in the "
                    "console and API; pass it in secrets={name: parameter or secret ARN}",
                )
        secrets = s["secrets"]
        assert isinstance(secrets, dict)
        for key, value in secrets.items():
            problems.check_pattern("secrets", key, ENV_NAME_PATTERN, "variable names must be letters, digits and '_'")
            if not is_token(value) and not (
                isinstance(value, str) and (SSM_PARAMETER_ARN.fullmatch(value) or SECRETS_MANAGER_ARN.fullmatch(value))
            ):
                problems.add(f"secrets[{key!r}]", value, "must be an SSM parameter ARN or a Secrets Manager secret ARN")
            if key in environment:
                problems.add(f"secrets[{key!r}]", value, "is also a plain environment variable; use one")
        if not isinstance(s["readonly_root_filesystem"], bool):
            problems.add("readonly_root_filesystem", s["readonly_root_filesystem"], "must be True or False")
        paths = s["scratch_paths"]
        if isinstance(paths, str) or not isinstance(paths, Sequence):
            problems.add("scratch_paths", paths, "must be a list of absolute paths")
        else:
            for path in paths:
                problems.check_pattern("scratch_paths", path, CONTAINER_PATH_PATTERN, "each must be an absolute path")
            if len(set(paths)) != len(paths):
                problems.add("scratch_paths", list(paths), "must not repeat a path")
        if s["user"] is not None:
            problems.check_pattern("user", s["user"], USER_PATTERN, "must be 'user', 'uid' or 'uid:gid'")
        problems.check_int_range("desired_count", s["desired_count"], 0, 5000)
        problems.check_log_retention("log_retention_days", s["log_retention_days"])
        if s["log_kms_key_arn"] is not None:
            problems.check_arn("log_kms_key_arn", s["log_kms_key_arn"], service="kms")
        problems.check_int_range("fargate_weight", s["fargate_weight"], 0, 1000)
        problems.check_int_range("fargate_spot_weight", s["fargate_spot_weight"], 0, 1000)
        problems.check_int_range("fargate_base", s["fargate_base"], 0, 100000)
        if s["fargate_weight"] == 0 and s["fargate_spot_weight"] == 0:
            problems.add("fargate_weight", 0, "fargate_weight and fargate_spot_weight cannot both be 0")
        low_ok = problems.check_int_range(
            "deployment_minimum_healthy_percent", s["deployment_minimum_healthy_percent"], 0, 100
        )
        high_ok = problems.check_int_range("deployment_maximum_percent", s["deployment_maximum_percent"], 100, 400)
        if low_ok and high_ok and s["deployment_maximum_percent"] <= s["deployment_minimum_healthy_percent"]:  # type: ignore[operator]
            problems.add(
                "deployment_maximum_percent",
                s["deployment_maximum_percent"],
                f"must be above deployment_minimum_healthy_percent ({s['deployment_minimum_healthy_percent']}), "
                "or a rollout can never start a new task",
            )
        problems.check_int_range(
            "health_check_grace_period_seconds", s["health_check_grace_period_seconds"], 0, 2147483647
        )
        problems.check_pattern(
            "health_check_path",
            s["health_check_path"],
            HEALTH_CHECK_PATH_PATTERN,
            "must start with '/' and be at most 1024 printable characters",
        )
        problems.check_int_range("health_check_healthy_threshold", s["health_check_healthy_threshold"], 2, 10)
        problems.check_int_range("health_check_unhealthy_threshold", s["health_check_unhealthy_threshold"], 2, 10)
        interval_ok = problems.check_int_range(
            "health_check_interval_seconds", s["health_check_interval_seconds"], 5, 300
        )
        timeout_ok = problems.check_int_range("health_check_timeout_seconds", s["health_check_timeout_seconds"], 2, 120)
        if interval_ok and timeout_ok and s["health_check_timeout_seconds"] >= s["health_check_interval_seconds"]:  # type: ignore[operator]
            problems.add(
                "health_check_timeout_seconds",
                s["health_check_timeout_seconds"],
                f"must be less than health_check_interval_seconds ({s['health_check_interval_seconds']})",
            )
        problems.check_pattern(
            "health_check_matcher",
            s["health_check_matcher"],
            HTTP_MATCHER_PATTERN,
            "must be HTTP codes 200-499 as '200', '200,302' or '200-299'",
        )
        problems.check_int_range("deregistration_delay_seconds", s["deregistration_delay_seconds"], 0, 3600)
        problems.check_int_range("listener_rule_priority", s["listener_rule_priority"], 1, 50000)
        paths, hosts = s["path_patterns"], s["host_headers"]
        for setting, values, pattern, described in (
            ("path_patterns", paths, PATH_PATTERN, "each must start with '/' and be at most 128 characters"),
            ("host_headers", hosts, HOST_HEADER_PATTERN, "each must be a host name (wildcards * and ? allowed)"),
        ):
            if isinstance(values, str) or not isinstance(values, Sequence):
                problems.add(setting, values, "must be a list of strings")
                continue
            if len(values) > MAX_CONDITION_VALUES:
                problems.add(setting, list(values), f"at most {MAX_CONDITION_VALUES} values per listener rule")
            for value in values:
                problems.check_pattern(setting, value, pattern, described)
        if s["enable_execute_command"] is True and s["readonly_root_filesystem"] is True:
            problems.add(
                "enable_execute_command",
                True,
                "ECS Exec needs a writable root filesystem (its agent writes there): "
                "set readonly_root_filesystem=False too, or leave ECS Exec off",
            )
        command = s["container_health_check_command"]
        if command is not None and (
            isinstance(command, str)
            or not isinstance(command, Sequence)
            or not command
            or command[0] not in ("CMD", "CMD-SHELL")
        ):
            problems.add("container_health_check_command", command, "must be a list starting with 'CMD' or 'CMD-SHELL'")
        problems.check_int_range("stop_timeout_seconds", s["stop_timeout_seconds"], 2, 120)
        low, high = s["autoscaling_min_count"], s["autoscaling_max_count"]
        if (low is None) != (high is None):
            problems.add(
                "autoscaling_min_count" if low is None else "autoscaling_max_count",
                None,
                "autoscaling needs both autoscaling_min_count and autoscaling_max_count",
            )
        elif low is not None:
            low_ok = problems.check_int_range("autoscaling_min_count", low, 0, 5000)
            high_ok = problems.check_int_range("autoscaling_max_count", high, 1, 5000)
            if low_ok and high_ok and not is_token(low) and not is_token(high) and high < low:  # type: ignore[operator]
                problems.add("autoscaling_max_count", high, f"must be at least autoscaling_min_count ({low})")
            targets = (
                "autoscaling_cpu_target_percent",
                "autoscaling_memory_target_percent",
                "autoscaling_requests_per_target",
            )
            if all(s[target] is None for target in targets):
                problems.add("autoscaling_cpu_target_percent", None, "autoscaling needs at least one target metric")
        for target, high_limit in (
            ("autoscaling_cpu_target_percent", 100),
            ("autoscaling_memory_target_percent", 100),
            ("autoscaling_requests_per_target", 1_000_000),
        ):
            if s[target] is not None:
                problems.check_int_range(target, s[target], 1, high_limit)
        problems.check_int_range(
            "autoscaling_scale_in_cooldown_seconds", s["autoscaling_scale_in_cooldown_seconds"], 0, 3600
        )
        problems.check_int_range(
            "autoscaling_scale_out_cooldown_seconds", s["autoscaling_scale_out_cooldown_seconds"], 0, 3600
        )
        problems.check_arn_list("alarm_actions", s["alarm_actions"])
        problems.check_int_range("alarm_target_5xx_per_minute", s["alarm_target_5xx_per_minute"], 1, 1_000_000)
        latency = s["alarm_p99_latency_seconds"]
        if isinstance(latency, bool) or not isinstance(latency, (int, float)) or not 0 < latency <= 60:
            problems.add("alarm_p99_latency_seconds", latency, "must be a number of seconds above 0 and at most 60")
        problems.check_int_range("alarm_cpu_percent", s["alarm_cpu_percent"], 1, 100)
        problems.check_int_range("alarm_memory_percent", s["alarm_memory_percent"], 1, 100)
        if s["rollback_on_alarm"] is True and s["alarms_enabled"] is not True:
            problems.add("rollback_on_alarm", True, "needs alarms_enabled=True (the alarms it rolls back on)")
        if not paths and not hosts:
            problems.add("path_patterns", list(paths), "path_patterns and host_headers cannot both be empty")  # type: ignore[call-overload]
        problems.raise_if_any()


def _target_group_name_prefix(name: str) -> str:
    # AWS caps name_prefix at 6 characters; Terraform appends a unique suffix.
    return re.sub(r"[^A-Za-z0-9]", "", name)[:5] + "-"
