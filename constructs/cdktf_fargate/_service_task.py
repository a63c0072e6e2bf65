"""A FargateService's task: its log group, its two roles and the task definition.

The resources are created in the service's own scope, so their ids (deployed state) are the
ones the service has always had.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence

from constructs import Construct

from ._app_rules import claim_name
from ._bindings import (
    CloudwatchLogGroup,
    DataAwsCallerIdentity,
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementCondition,
    DataAwsPartition,
    DataAwsRegion,
    EcsTaskDefinition,
    EcsTaskDefinitionEphemeralStorage,
    EcsTaskDefinitionRuntimePlatform,
    EcsTaskDefinitionVolume,
    IamRole,
    IamRolePolicy,
    IamRolePolicyAttachment,
)
from ._iam import key_through_service, service_trust_policy
from ._validation import Problems, is_token
from .network import check_network
from .options import Container, EbsVolume, Logging, Secret, Sidecar, check_options
from .options.service import COLLECTOR, LOG_ROUTER, SECRET_DECRYPT_CONTEXT, TaskContainers
from .options.storage import EBS_KEY_ACTIONS, ECS_VOLUMES_MANAGED_POLICY

SECRET_READ_ACTIONS = {
    "ssm-parameter": ("ReadParameters", "ssm:GetParameters"),
    "secrets-manager": ("ReadSecrets", "secretsmanager:GetSecretValue"),
}


# The task definition's name of a task's EBS volume (configured when the service starts a task).
EBS_VOLUME = "ebs"
IAM_ACTION_PATTERN = re.compile(r"[a-z0-9-]+:[A-Za-z0-9*?]+")
SID_PATTERN = re.compile(r"[A-Za-z0-9]{1,64}")
# Service, family and role names are derived from this; "-execution" must still fit IAM's 64.
TASK_NAME_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,47}")
CLUSTER_MEMBERS = ("cluster_arn", "cluster_name", "dependables")
EGRESS_MEMBERS = ("allows_internet_egress", "endpoints_security_group_id", "s3_prefix_list_id")


@dataclasses.dataclass(frozen=True, kw_only=True)
class TaskWiring:
    """What a service or a job is wired to, as the caller gave it (each checked by `check_task_wiring`)."""

    name: object
    cluster: object
    network: object
    image: object
    options: object
    log_kms_key_arn: object
    permissions_boundary_arn: object
    alarm_actions: object


def check_task_wiring(scope: Construct, problems: Problems, options_type: type, wiring: TaskWiring) -> bool:
    """What a service and a job check alike: the name (unique in the app), the cluster, the network,
    the image, the options, the key, the boundary and the alarm actions. Returns whether the options
    are valid (rules across them can then be checked)."""
    name = wiring.name
    named = problems.check_pattern(
        "name", name, TASK_NAME_PATTERN, "must be 1-48 letters, digits or hyphens, starting with a letter"
    )
    problems.check_members(
        "cluster", wiring.cluster, CLUSTER_MEMBERS, "a Cluster (Cluster(...) or Cluster.from_existing(...))"
    )
    if check_network(problems, "network", wiring.network):
        problems.check_members(
            "network", wiring.network, EGRESS_MEMBERS, "a Network that says where its tasks may send traffic"
        )
    problems.check_image("image", wiring.image)
    options_ok = isinstance(wiring.options, options_type)
    if not options_ok:
        problems.add("options", wiring.options, f"must be a {options_type.__name__}")
    else:
        options_ok = check_options(problems, "options", wiring.options)
    if wiring.log_kms_key_arn is not None:
        problems.check_arn("log_kms_key_arn", wiring.log_kms_key_arn, service="kms")
    if wiring.permissions_boundary_arn is not None:
        problems.check_arn("permissions_boundary_arn", wiring.permissions_boundary_arn, service="iam")
    problems.check_arn_list("alarm_actions", wiring.alarm_actions)
    # One namespace for services and jobs: both name a task family, roles and a log group after it.
    earlier = claim_name(scope, "ECS service", name, scope.node.path) if named and isinstance(name, str) else None
    if earlier:
        problems.add(
            "name", name, f"is already the name of the service or job at {earlier!r} (and of its roles and log group)"
        )
    return options_ok


@dataclasses.dataclass(frozen=True)
class Task:
    caller: DataAwsCallerIdentity
    partition: DataAwsPartition
    region: DataAwsRegion
    log_group: CloudwatchLogGroup
    execution_role: IamRole
    task_role: IamRole
    execution_logs_policy: IamRolePolicy
    execution_secrets_policy: IamRolePolicy | None
    task_definition: EcsTaskDefinition
    # With telemetry.collector = "otel": the collector's metrics log group and what the task role may do for it.
    metrics_log_group: CloudwatchLogGroup | None = None
    telemetry_policy: IamRolePolicy | None = None


def build_task(
    scope: Construct,
    *,
    name: str,
    options: TaskContainers,
    image: str,
    log_kms_key_arn: str | None,
    permissions_boundary_arn: str | None,
    port_mappings: list[dict[str, object]],
    start_period_seconds: int,
    role_description: str = "application",
    ebs_volume: EbsVolume | None = None,
) -> Task:
    caller = DataAwsCallerIdentity(scope, "caller-identity")
    partition = DataAwsPartition(scope, "partition")
    region = DataAwsRegion(scope, "region")
    adopted_log_group = options.logging.adopt_log_group
    log_group = CloudwatchLogGroup(
        scope,
        "log-group",
        name=adopted_log_group or f"/ecs/{name}",
        retention_in_days=options.logging.retention_days,
        kms_key_id=log_kms_key_arn,
    )
    if adopted_log_group:
        # Its events stay: the first plan imports it; its retention and key are updated in place.
        log_group.import_from(adopted_log_group)

    # ECS assumes both roles on behalf of this account's tasks only (confused deputy).
    assume_role = service_trust_policy(
        scope,
        "assume-role-policy",
        service="ecs-tasks.amazonaws.com",
        account_id=caller.account_id,
        source_arn_pattern=f"arn:{partition.partition}:ecs:{region.name}:{caller.account_id}:*",
    )
    execution_role = IamRole(
        scope,
        "execution-role",
        name=f"{name}-execution",
        description=f"ECS pulls the image and writes logs for {name}",
        assume_role_policy=assume_role.json,
        permissions_boundary=permissions_boundary_arn,
    )
    task_role = IamRole(
        scope,
        "task-role",
        name=f"{name}-task",
        description=f"The {name} {role_description}'s own AWS permissions (none by default)",
        assume_role_policy=assume_role.json,
        permissions_boundary=permissions_boundary_arn,
    )
    logs_document = DataAwsIamPolicyDocument(
        scope,
        "execution-logs-policy-document",
        statement=[
            DataAwsIamPolicyDocumentStatement(
                sid="WriteOwnLogGroup",
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[f"{log_group.arn}:*"],
            )
        ],
    )
    execution_logs_policy = IamRolePolicy(
        scope, "execution-logs-policy", name="write-logs", role=execution_role.id, policy=logs_document.json
    )
    # The execution role reads every container's secrets at task start: the sidecars' and the log router's too.
    secrets = [secret for container in _containers(options).values() for secret in container.secrets.values()]
    secrets += list(options.logging.destination_secrets.values())
    execution_secrets_policy = _allow_reading_secrets(scope, execution_role, secrets, region.name) if secrets else None
    metrics_log_group = telemetry_policy = None
    if options.telemetry.collector == "otel":
        metrics_log_group, telemetry_policy = _telemetry_resources(scope, name, options, log_kms_key_arn, task_role)
    definitions = _container_definitions(
        options, image, log_group.name, region.name, port_mappings, start_period_seconds, name=name
    )
    volumes = [
        EcsTaskDefinitionVolume(name=volume)
        for key, container in _containers(options).items()
        for volume in _scratch_volumes(container, key)
    ]
    if ebs_volume is not None and ebs_volume.enabled:
        # The service says at launch what the volume is (its size, type, key): one a task, for the application.
        volumes.append(EcsTaskDefinitionVolume(name=EBS_VOLUME, configure_at_launch=True))
        mounts = definitions[0]["mountPoints"]
        assert isinstance(mounts, list)
        mounts.append({"sourceVolume": EBS_VOLUME, "containerPath": ebs_volume.mount_path,
                       "readOnly": ebs_volume.read_only})  # fmt: skip
    task_definition = EcsTaskDefinition(
        scope,
        "task-definition",
        family=name,
        requires_compatibilities=["FARGATE"],
        network_mode="awsvpc",
        cpu=str(options.task.cpu_units),
        memory=str(options.task.memory_mib),
        execution_role_arn=execution_role.arn,
        task_role_arn=task_role.arn,
        runtime_platform=EcsTaskDefinitionRuntimePlatform(
            operating_system_family="LINUX", cpu_architecture=options.task.cpu_architecture
        ),
        container_definitions=json.dumps(definitions),
        volume=volumes or None,
        # Fargate's default size is left implicit, so a task definition that never asked for more is unchanged.
        ephemeral_storage=EcsTaskDefinitionEphemeralStorage(size_in_gib=options.task.ephemeral_storage_gib)
        if options.task.ephemeral_storage_gib > FARGATE_EPHEMERAL_STORAGE_GIB
        else None,
    )
    return Task(
        caller=caller,
        partition=partition,
        region=region,
        log_group=log_group,
        execution_role=execution_role,
        task_role=task_role,
        execution_logs_policy=execution_logs_policy,
        execution_secrets_policy=execution_secrets_policy,
        task_definition=task_definition,
        metrics_log_group=metrics_log_group,
        telemetry_policy=telemetry_policy,
    )


def _container_definitions(  # noqa: PLR0917
    options: TaskContainers,
    image: str,
    log_group_name: str,
    region_name: str,
    port_mappings: list[dict[str, object]],
    start_period_seconds: int,
    *,
    name: str,
) -> list[dict[str, object]]:
    """The application container first, then its sidecars, then the log router when logs go through FireLens
    and the OpenTelemetry collector when the task has one."""
    container = options.container
    otel = options.telemetry.collector == "otel"
    if otel:
        # Where OpenTelemetry SDKs look by default; a variable the app sets itself wins.
        defaults = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4317", "OTEL_SERVICE_NAME": name}
        container = dataclasses.replace(container, environment={**defaults, **container.environment})
    app = _definition(
        container, container.name, image, log_group_name, region_name, port_mappings, start_period_seconds, ""
    )
    found = [routed(app, options.logging)]
    found += [
        sidecar_definition(key, sidecar, log_group_name, region_name, start_period_seconds)
        for key, sidecar in options.sidecars.items()
    ]
    if options.logging.router == "firelens":
        found.append(log_router_definition(options.logging, log_group_name, region_name))
    if otel:
        found.append(collector_definition(options, name, log_group_name, region_name))
    return found


# OTLP in on loopback only (the task's containers share it); traces out to X-Ray, metrics to CloudWatch as
# embedded metric format records in the task's own metrics log group.
COLLECTOR_CONFIG = """receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:4317
      http:
        endpoint: 127.0.0.1:4318
processors:
  batch/traces:
    timeout: 1s
    send_batch_size: 50
  batch/metrics:
    timeout: 60s
exporters:
  awsxray:
    region: {region}
  awsemf:
    region: {region}
    namespace: {namespace}
    log_group_name: {log_group}
service:
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch/traces]
      exporters: [awsxray]
    metrics:
      receivers: [otlp]
      processors: [batch/metrics]
      exporters: [awsemf]
"""


def metrics_log_group_name(name: str) -> str:
    return f"/ecs/{name}/metrics"


def collector_definition(
    options: TaskContainers, name: str, log_group_name: str, region_name: str
) -> dict[str, object]:
    """The AWS Distro for OpenTelemetry collector: not essential (the app runs on without it), hardened as
    a sidecar is by default, its configuration in `AOT_CONFIG_CONTENT`, its own logs in the log group."""
    collector = Sidecar(image=options.telemetry.image, essential=False)
    definition = sidecar_definition(COLLECTOR, collector, log_group_name, region_name, 0)
    config = COLLECTOR_CONFIG.format(region=region_name, namespace=name, log_group=metrics_log_group_name(name))
    definition["environment"] = [{"name": "AOT_CONFIG_CONTENT", "value": config}]
    return definition


def _telemetry_resources(
    scope: Construct, name: str, options: TaskContainers, log_kms_key_arn: str | None, task_role: IamRole
) -> tuple[CloudwatchLogGroup, IamRolePolicy]:
    """The collector's metrics log group, kept as the task's logs are, and the task role's permission to send
    traces (X-Ray names no resource for these) and to write to that group alone."""
    metrics = CloudwatchLogGroup(
        scope,
        "metrics-log-group",
        name=metrics_log_group_name(name),
        retention_in_days=options.logging.retention_days,
        kms_key_id=log_kms_key_arn,
    )
    document = DataAwsIamPolicyDocument(
        scope,
        "telemetry-policy-document",
        statement=[
            DataAwsIamPolicyDocumentStatement(
                sid="SendTraces",
                actions=[
                    "xray:PutTraceSegments",
                    "xray:PutTelemetryRecords",
                    "xray:GetSamplingRules",
                    "xray:GetSamplingTargets",
                    "xray:GetSamplingStatisticSummaries",
                ],
                resources=["*"],
            ),
            DataAwsIamPolicyDocumentStatement(
                sid="WriteMetrics",
                actions=["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                resources=[metrics.arn, f"{metrics.arn}:*"],
            ),
        ],
    )
    policy = IamRolePolicy(scope, "telemetry-policy", name="telemetry", role=task_role.id, policy=document.json)
    return metrics, policy


def _containers(options: TaskContainers) -> dict[str, Container]:
    """The task's containers by name: the application's first (its scratch volumes keep their names)."""
    return {"": options.container, **options.sidecars}


def _scratch_volumes(container: Container, sidecar: str = "") -> list[str]:
    prefix = f"{sidecar}-scratch" if sidecar else "scratch"
    return [f"{prefix}-{index}" for index in range(len(container.scratch_paths))]


def sidecar_definition(
    key: str, sidecar: Sidecar, log_group_name: str, region_name: str, start_period_seconds: int
) -> dict[str, object]:
    """A sidecar: its own image, essential or not, with its reservations, logging beside the application's."""
    ports: list[dict[str, object]] = (
        [] if sidecar.port is None else [{"containerPort": sidecar.port, "hostPort": sidecar.port, "protocol": "tcp"}]
    )
    definition = _definition(sidecar, key, sidecar.image, log_group_name, region_name, ports, start_period_seconds, key)
    definition["essential"] = sidecar.essential
    if sidecar.cpu_units:
        definition["cpu"] = sidecar.cpu_units
    if sidecar.memory_mib is not None:
        definition["memory"] = sidecar.memory_mib
    return definition


def routed(definition: dict[str, object], logging: Logging) -> dict[str, object]:
    """The application container's logs through FireLens to ``logging.destination``, when it says so."""
    if logging.router != "firelens":
        return definition
    # Fluent Bit reads `${VAR}` in its options from its environment: they reach it as written.
    options = {key: literal(value) for key, value in logging.destination.items()}
    configuration: dict[str, object] = {"logDriver": "awsfirelens", "options": options}
    if logging.destination_secrets:
        configuration["secretOptions"] = [
            {"name": key, "valueFrom": secret.arn} for key, secret in sorted(logging.destination_secrets.items())
        ]
    return {**definition, "logConfiguration": configuration}


def log_router_definition(logging: Logging, log_group_name: str, region_name: str) -> dict[str, object]:
    """The FireLens log router (Fluent Bit): essential, its own logs in the log group. It runs as root, as
    AWS's FireLens examples do (Fluent Bit's buffers and FireLens's generated configuration are root's),
    with no capabilities and a writable filesystem. ECS starts it before the containers that use it."""
    return {
        "name": LOG_ROUTER,
        "image": logging.router_image,
        "essential": True,
        "firelensConfiguration": {"type": "fluentbit", "options": {"enable-ecs-log-metadata": "true"}},
        "user": "0",
        "readonlyRootFilesystem": False,
        # AWS's guidance for Fluent Bit's buffers, out of the task's memory.
        "memoryReservation": 50,
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": log_group_name,
                "awslogs-region": region_name,
                "awslogs-stream-prefix": LOG_ROUTER,
            },
        },
        "linuxParameters": {"initProcessEnabled": True, "capabilities": {"drop": ["ALL"]}},
    }


# Terraform reads `${…}` and `%{…}` in any string as its own interpolation and directive; cdktf's tokens
# (`${TfToken[…]}`) are the stack's own references and stay as they are.
TERRAFORM_SEQUENCE = re.compile(r"\$\{(?!TfToken\[)|%\{")


def literal(value: str) -> str:
    """``value`` as a container sees it: a shell's `${VAR}` (or a template's `%{…}`) reaches it as written, not as
    a Terraform expression the plan cannot resolve."""
    return TERRAFORM_SEQUENCE.sub(lambda match: match.group(0)[0] + match.group(0), value)


# The storage every Fargate task has without asking (platform 1.4.0 and later).
FARGATE_EPHEMERAL_STORAGE_GIB = 20
# The longest start period ECS takes for a container's health check.
MAX_START_PERIOD_SECONDS = 300


def _start_period(container: Container, default_seconds: int) -> int:
    """The container's own start period, else the task's (a service's grace period, within ECS's limit)."""
    own = container.health_check_start_period_seconds
    return own if own is not None else min(default_seconds, MAX_START_PERIOD_SECONDS)


def _definition(  # noqa: PLR0917
    container: Container,
    name: str,
    image: str,
    log_group_name: str,
    region_name: str,
    port_mappings: list[dict[str, object]],
    start_period_seconds: int,
    sidecar: str,
) -> dict[str, object]:
    definition: dict[str, object] = {
        "name": name,
        "image": image,
        "essential": True,
        "readonlyRootFilesystem": container.readonly_root_filesystem,
        "portMappings": port_mappings,
        "environment": [{"name": key, "value": literal(value)} for key, value in sorted(container.environment.items())],
        "secrets": [{"name": key, "valueFrom": secret.arn} for key, secret in sorted(container.secrets.items())],
        "mountPoints": [
            {"sourceVolume": volume, "containerPath": path, "readOnly": False}
            for volume, path in zip(_scratch_volumes(container, sidecar), container.scratch_paths, strict=True)
        ],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": log_group_name,
                "awslogs-region": region_name,
                "awslogs-stream-prefix": name,
            },
        },
    }
    if container.entrypoint:
        definition["entryPoint"] = [literal(part) for part in container.entrypoint]
    if container.command:
        definition["command"] = [literal(part) for part in container.command]
    if container.user:
        definition["user"] = container.user
    definition["stopTimeout"] = container.stop_timeout_seconds
    if container.health_check_command:
        definition["healthCheck"] = {
            "command": [literal(part) for part in container.health_check_command],
            "interval": container.health_check_interval_seconds,
            "timeout": container.health_check_timeout_seconds,
            "retries": container.health_check_retries,
            "startPeriod": _start_period(container, start_period_seconds),
        }
    # An init process reaps zombies and forwards SIGTERM, so a shell entrypoint still stops cleanly.
    linux_parameters: dict[str, object] = {"initProcessEnabled": True}
    if container.drop_all_capabilities:
        linux_parameters["capabilities"] = {"drop": ["ALL"]}
    definition["linuxParameters"] = linux_parameters
    if container.depends_on:
        definition["dependsOn"] = [
            {"containerName": other, "condition": condition}
            for other, condition in sorted(container.depends_on.items())
        ]
    return definition


def _allow_reading_secrets(
    scope: Construct, execution_role: IamRole, secrets: list[Secret], stack_region: str
) -> IamRolePolicy:
    """Exactly the secrets given, by their declared kind: an ARN known only at apply time works too.
    A secret under a customer-managed key also needs `kms:Decrypt`: granted through that secret service
    only and for these secrets only (the encryption context names each one), whatever key it uses, so
    nobody has to name the key (the key's policy must still let IAM policies grant it, as AWS's default
    key policy does)."""
    statements = []
    for kind, (sid, action) in SECRET_READ_ACTIONS.items():
        chosen = [secret for secret in secrets if secret.kind == kind]
        if not chosen:
            continue
        arns = sorted({secret.resource_arn for secret in chosen})
        statements.append(DataAwsIamPolicyDocumentStatement(sid=sid, actions=[action], resources=arns))
        service, context_key = SECRET_DECRYPT_CONTEXT[kind]
        regions = sorted({secret.region or stack_region for secret in chosen})
        statements.append(
            DataAwsIamPolicyDocumentStatement(
                sid=f"Decrypt{sid.removeprefix('Read')}",
                actions=["kms:Decrypt"],
                resources=["*"],
                condition=[
                    DataAwsIamPolicyDocumentStatementCondition(
                        test="StringEquals",
                        variable="kms:ViaService",
                        values=[f"{service}.{region}.amazonaws.com" for region in regions],
                    ),
                    DataAwsIamPolicyDocumentStatementCondition(
                        test="StringLike", variable=f"kms:EncryptionContext:{context_key}", values=arns
                    ),
                ],
            )
        )
    document = DataAwsIamPolicyDocument(scope, "execution-secrets-policy-document", statement=statements)
    return IamRolePolicy(
        scope, "execution-secrets-policy", name="read-secrets", role=execution_role.id, policy=document.json
    )


class TaskRoleGrants(Construct):
    """What a service and a job alike give their application: one more statement on the task role."""

    task_role: IamRole
    task_role_policies: list[IamRolePolicy]

    def _volume_roles(
        self, *, enabled: bool, name: str, task: Task, permissions_boundary_arn: str | None, key_arn: str | None
    ) -> None:
        """A service's or job's tasks' EBS volume: its infrastructure role and policies, or None of them."""
        self.volume_role: IamRole | None = None
        self.volume_role_policy: IamRolePolicyAttachment | None = None
        self.volume_key_policy: IamRolePolicy | None = None
        self._volume_key_arn = key_arn
        if enabled:
            self.volume_role, self.volume_role_policy, self.volume_key_policy = build_volume_role(
                self, name=name, task=task, permissions_boundary_arn=permissions_boundary_arn, key_arn=key_arn
            )

    def add_to_task_role_policy(self, *, sid: str, actions: Sequence[str], resources: Sequence[str]) -> IamRolePolicy:
        """Give the application (the task role) one more permission statement.

        Wildcards are refused: any ``*`` or ``?`` in an action (``service:*``, ``s3:Get*``), and a resource
        of ``*``.
        """
        problems = Problems.of(self)
        sids = {policy.node.id.removeprefix("task-policy-") for policy in self.task_role_policies}
        problems.check_pattern("sid", sid, SID_PATTERN, "must be 1-64 letters or digits")
        if sid in sids:
            problems.add("sid", sid, "is already used by another statement on this task role")
        for setting, values in (("actions", actions), ("resources", resources)):
            if isinstance(values, str) or not values:
                problems.add(setting, values, "must be a non-empty list")
        if not problems.found:
            for action in actions:
                valid = problems.check_pattern("actions", action, IAM_ACTION_PATTERN, "each must be 'service:Action'")
                if valid and not is_token(action) and ("*" in action or "?" in action):
                    problems.add("actions", action, "wildcard actions are refused ('*', '?'): name each action")
            for resource in resources:
                if resource == "*":
                    problems.add("resources", resource, "the wildcard resource is refused: name the ARNs")
                elif not is_token(resource):
                    problems.check_arn("resources", resource)
        problems.raise_if_any()
        return self._attach_task_policy(
            sid, [DataAwsIamPolicyDocumentStatement(sid=sid, actions=list(actions), resources=list(resources))]
        )

    def _attach_task_policy(self, sid: str, statements: list[DataAwsIamPolicyDocumentStatement]) -> IamRolePolicy:
        """One more inline policy ``sid`` on the task role (a topic's or a queue's grant, with conditions)."""
        document = DataAwsIamPolicyDocument(self, f"task-policy-{sid}-document", statement=statements)
        policy = IamRolePolicy(self, f"task-policy-{sid}", name=sid, role=self.task_role.id, policy=document.json)
        self.task_role_policies.append(policy)
        return policy


def build_volume_role(
    scope: Construct, *, name: str, task: Task, permissions_boundary_arn: str | None, key_arn: str | None
) -> tuple[IamRole, IamRolePolicyAttachment, IamRolePolicy | None]:
    """The ECS infrastructure role that makes, attaches and deletes each task's EBS volume (a service's or a job's):
    AWS's managed policy for it, and the key's use through EC2 when the volume is encrypted with a customer key."""
    trust = service_trust_policy(
        scope,
        "volume-role-trust",
        service="ecs.amazonaws.com",
        account_id=task.caller.account_id,
        source_arn_pattern=f"arn:{task.partition.partition}:ecs:{task.region.name}:{task.caller.account_id}:*",
    )
    role = IamRole(
        scope,
        "volume-role",
        name=f"{name}-volumes",
        description=f"ECS makes and deletes the EBS volume of each task of {name}",
        assume_role_policy=trust.json,
        permissions_boundary=permissions_boundary_arn,
    )
    attachment = IamRolePolicyAttachment(
        scope,
        "volume-role-managed-policy",
        role=role.name,
        policy_arn=f"arn:{task.partition.partition}:iam::aws:policy/service-role/{ECS_VOLUMES_MANAGED_POLICY}",
    )
    if key_arn is None:
        return role, attachment, None
    # What EBS asks of whoever creates a volume encrypted with a customer key (EBS User Guide).
    document = DataAwsIamPolicyDocument(
        scope,
        "volume-key-policy-document",
        statement=[
            key_through_service("EncryptVolumesThroughEc2", list(EBS_KEY_ACTIONS), key_arn, "ec2", task.region.name)
        ],
    )
    key_policy = IamRolePolicy(scope, "volume-key-policy", name="volume-key", role=role.id, policy=document.json)
    return role, attachment, key_policy
