"""ScheduledJob: a Fargate task that EventBridge Scheduler runs on a schedule, through Step Functions.

Scheduler could start the task itself, but then nothing stops a run that hangs and nothing
notices a run that exits non-zero. A one-state Step Functions machine (``ecs:runTask.sync``)
waits for the task, stops it at the timeout, retries a failed run, and its ``ExecutionsFailed``
metric carries the alarm.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from constructs import Construct

from ._bindings import (
    CloudwatchMetricAlarm,
    DataAwsIamPolicyDocument,
    DataAwsIamPolicyDocumentStatement,
    DataAwsIamPolicyDocumentStatementCondition,
    IamRole,
    IamRolePolicy,
    SchedulerSchedule,
    SchedulerScheduleFlexibleTimeWindow,
    SchedulerScheduleTarget,
    SchedulerScheduleTargetRetryPolicy,
    SfnStateMachine,
    SfnStateMachineLoggingConfiguration,
    SfnStateMachineTracingConfiguration,
)
from ._iam import service_trust_policy
from ._service_routing import build_security_group
from ._service_task import EBS_VOLUME, TaskRoleGrants, TaskWiring, build_task, check_task_wiring
from ._validation import Problems
from .fargate_service import FARGATE, FARGATE_SPOT
from .options import JobOptions
from .refs import ClusterRef, NetworkRef

# Step Functions' .sync integration with ECS watches the task through this managed rule.
SYNC_RULE = "StepFunctionsGetEventsForECSTaskRule"
# What the state machine does besides running its task; the permissions boundary allows the same.
SYNC_RULE_ACTIONS = ("events:PutTargets", "events:PutRule", "events:DescribeRule")
TRACING_ACTIONS = (
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
)
LOG_DELIVERY_ACTIONS = (
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
)


class ScheduledJob(TaskRoleGrants):
    """Log group, roles and task definition of the job; a security group with no inbound rule; the
    Step Functions state machine that runs one task per execution; the schedule that starts it; and
    an alarm on failed runs."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        cluster: ClusterRef,
        network: NetworkRef,
        image: str,
        options: JobOptions | None = None,
        log_kms_key_arn: str | None = None,
        alarm_actions: Sequence[str] = (),
        permissions_boundary_arn: str | None = None,
        volume_kms_key_arn: str | None = None,
    ) -> None:
        """
        :param name: 1-48 letters, digits or hyphens; names the task family, the state machine, the
            schedule, the roles and the log group ``/ecs/<name>``.
        :param cluster: the cluster its tasks run in.
        :param network: its private subnets run the tasks (no public IP).
        :param image: the container image, e.g. ``repo.image_uri(image_tag)``.
        :param options: ``JobOptions``: schedule, timeout, retries, and the task's size and container.
        :param log_kms_key_arn: encrypt the log group and the schedule's target input with this KMS key.
        :param alarm_actions: ARNs (an SNS topic) notified when a run fails. Default none.
        :param permissions_boundary_arn: the IAM policy that caps every role it creates. Default None.
        :param volume_kms_key_arn: with ``options.ebs_volume``, encrypt each run's volume with this key.
            Default None: the account's default EBS key.
        """
        super().__init__(scope, id_)
        options = JobOptions() if options is None else options
        problems = Problems.of(self)
        if volume_kms_key_arn is not None:
            problems.check_arn("volume_kms_key_arn", volume_kms_key_arn)
        check_task_wiring(
            self,
            problems,
            JobOptions,
            TaskWiring(
                name=name,
                cluster=cluster,
                network=network,
                image=image,
                options=options,
                log_kms_key_arn=log_kms_key_arn,
                permissions_boundary_arn=permissions_boundary_arn,
                alarm_actions=alarm_actions,
            ),
        )
        problems.raise_if_any()
        self.name = name
        self.options = options

        task = build_task(
            self,
            name=name,
            options=options,
            image=image,
            log_kms_key_arn=log_kms_key_arn,
            permissions_boundary_arn=permissions_boundary_arn,
            port_mappings=[],
            start_period_seconds=0,
            role_description="job",
            ebs_volume=options.ebs_volume,
        )
        self.log_group = task.log_group
        self.execution_role = task.execution_role
        self.task_role = task.task_role
        self.execution_logs_policy = task.execution_logs_policy
        self.execution_secrets_policy = task.execution_secrets_policy
        self.task_definition = task.task_definition
        self.task_role_policies: list[IamRolePolicy] = []
        self.security_group, self.egress_rules = build_security_group(
            self, name=name, network=network, inbound="no inbound traffic"
        )

        self._volume_roles(
            enabled=options.ebs_volume.enabled,
            name=name,
            task=task,
            permissions_boundary_arn=permissions_boundary_arn,
            key_arn=volume_kms_key_arn,
        )
        arn_prefix = {
            "partition": task.partition.partition,
            "region": task.region.name,
            "account": task.caller.account_id,
        }
        self.state_machine_role, self.state_machine_policy = self._state_machine_role(
            name, cluster, arn_prefix, permissions_boundary_arn
        )
        self.state_machine = SfnStateMachine(
            self,
            "state-machine",
            name=name,
            role_arn=self.state_machine_role.arn,
            definition=json.dumps(self._definition(cluster, network, arn_prefix)),
            # Failed runs with their data (the schedule's input is `{}`; the output is ECS's description of
            # the task, with its exit codes and stop reason: what says why a run failed).
            logging_configuration=SfnStateMachineLoggingConfiguration(
                level="ERROR",
                include_execution_data=True,
                log_destination=f"{self.log_group.arn}:*",
            ),
            tracing_configuration=SfnStateMachineTracingConfiguration(enabled=True),
            depends_on=[self.state_machine_policy],
        )
        self.schedule_role, self.schedule_policy = self._schedule_role(
            name, arn_prefix, log_kms_key_arn, permissions_boundary_arn
        )
        self.schedule = SchedulerSchedule(
            self,
            "schedule",
            name=name,
            description=f"Runs {name}",
            schedule_expression=options.schedule,
            schedule_expression_timezone=options.timezone,
            state="ENABLED" if options.enabled else "DISABLED",
            flexible_time_window=SchedulerScheduleFlexibleTimeWindow(mode="OFF"),
            kms_key_arn=log_kms_key_arn,
            target=SchedulerScheduleTarget(
                arn=self.state_machine.arn,
                role_arn=self.schedule_role.arn,
                input="{}",
                # Retries of starting a run; a run's own failures are the state machine's to retry.
                retry_policy=SchedulerScheduleTargetRetryPolicy(
                    maximum_retry_attempts=3, maximum_event_age_in_seconds=3600
                ),
            ),
            depends_on=[self.schedule_policy],
        )
        self.failed_runs_alarm: CloudwatchMetricAlarm | None = None
        if options.alarm_on_failure:
            self.failed_runs_alarm = CloudwatchMetricAlarm(
                self,
                "failed-runs",
                alarm_name=f"{name}-failed-runs",
                alarm_description=f"{name}: a scheduled run failed or timed out (after its retries)",
                namespace="AWS/States",
                metric_name="ExecutionsFailed",
                dimensions={"StateMachineArn": self.state_machine.arn},
                statistic="Sum",
                period=300,
                evaluation_periods=1,
                comparison_operator="GreaterThanOrEqualToThreshold",
                threshold=1,
                treat_missing_data="notBreaching",
                alarm_actions=list(alarm_actions),
                ok_actions=list(alarm_actions),
            )

    def _definition(self, cluster: ClusterRef, network: NetworkRef, arn: dict[str, str]) -> dict[str, object]:
        options = self.options
        capacity = options.capacity
        strategy = [{"CapacityProvider": FARGATE, "Weight": capacity.fargate_weight, "Base": capacity.fargate_base}]
        if capacity.fargate_spot_weight:
            strategy.append({"CapacityProvider": FARGATE_SPOT, "Weight": capacity.fargate_spot_weight})
        run: dict[str, object] = {
            "Type": "Task",
            "Resource": f"arn:{arn['partition']}:states:::ecs:runTask.sync",
            "Parameters": {
                "Cluster": cluster.cluster_arn,
                "TaskDefinition": self.task_definition.arn,
                "CapacityProviderStrategy": strategy,
                "PlatformVersion": "LATEST",
                "NetworkConfiguration": {
                    "AwsvpcConfiguration": {
                        "Subnets": network.private_subnet_ids,
                        "SecurityGroups": [self.security_group.id],
                        "AssignPublicIp": "DISABLED",
                    }
                },
                "PropagateTags": "TASK_DEFINITION",
                "EnableECSManagedTags": True,
                **self._volume_configurations(),
            },
            # On timeout Step Functions stops the task it started.
            "TimeoutSeconds": options.timeout_seconds,
            "End": True,
        }
        if options.retries:
            run["Retry"] = [
                {
                    "ErrorEquals": ["States.ALL"],
                    "IntervalSeconds": options.retry_interval_seconds,
                    "MaxAttempts": options.retries,
                    "BackoffRate": 2,
                }
            ]
        return {"Comment": f"One run of {self.name}", "StartAt": "Run", "States": {"Run": run}}

    def _volume_configurations(self) -> dict[str, object]:
        """Each run's EBS volume, as RunTask takes it: made with the job's infrastructure role, tagged as the task."""
        volume = self.options.ebs_volume
        if not volume.enabled or self.volume_role is None:
            return {}
        managed: dict[str, object] = {
            "RoleArn": self.volume_role.arn,
            "SizeInGiB": volume.size_gib,
            "VolumeType": volume.volume_type,
            "FilesystemType": volume.file_system,
            "Encrypted": True,
            "TagSpecifications": [{"ResourceType": "volume", "PropagateTags": "TASK_DEFINITION"}],
        }
        optional = {"Iops": volume.iops, "Throughput": volume.throughput_mibps, "SnapshotId": volume.snapshot_id,
                    "KmsKeyId": self._volume_key_arn}  # fmt: skip
        managed.update({key: value for key, value in optional.items() if value})
        return {"VolumeConfigurations": [{"Name": EBS_VOLUME, "ManagedEBSVolume": managed}]}

    def _pass_volume_role(self) -> list[DataAwsIamPolicyDocumentStatement]:
        if self.volume_role is None:
            return []
        return [
            DataAwsIamPolicyDocumentStatement(
                sid="PassTheVolumeRole",
                actions=["iam:PassRole"],
                resources=[self.volume_role.arn],
                condition=[
                    DataAwsIamPolicyDocumentStatementCondition(
                        test="StringEquals", variable="iam:PassedToService", values=["ecs.amazonaws.com"]
                    )
                ],
            )
        ]

    def _state_machine_role(
        self, name: str, cluster: ClusterRef, arn: dict[str, str], boundary: str | None
    ) -> tuple[IamRole, IamRolePolicy]:
        trust = service_trust_policy(
            self,
            "state-machine-assume-role-policy",
            service="states.amazonaws.com",
            account_id=arn["account"],
            source_arn_pattern=f"arn:{arn['partition']}:states:{arn['region']}:{arn['account']}:stateMachine:{name}",
        )
        role = IamRole(
            self,
            "state-machine-role",
            name=f"{name}-run",
            description=f"Step Functions runs one task of {name} and waits for it",
            assume_role_policy=trust.json,
            permissions_boundary=boundary,
        )
        on_cluster = DataAwsIamPolicyDocumentStatementCondition(
            test="ArnEquals", variable="ecs:cluster", values=[cluster.cluster_arn]
        )

        def regional(service: str) -> str:
            return f"arn:{arn['partition']}:{service}:{arn['region']}:{arn['account']}"

        document = DataAwsIamPolicyDocument(
            self,
            "state-machine-policy-document",
            statement=[
                DataAwsIamPolicyDocumentStatement(
                    sid="RunTheJobsTask",
                    actions=["ecs:RunTask"],
                    resources=[f"{regional('ecs')}:task-definition/{name}:*"],
                    condition=[on_cluster],
                ),
                DataAwsIamPolicyDocumentStatement(
                    sid="WatchAndStopItsTasks",
                    actions=["ecs:DescribeTasks", "ecs:StopTask"],
                    # A task's ARN names its cluster: the same tasks as the condition, and a resource a
                    # permissions boundary scoped to the cluster also admits.
                    resources=[f"{regional('ecs')}:task/{cluster.cluster_name}/*"],
                    condition=[on_cluster],
                ),
                DataAwsIamPolicyDocumentStatement(
                    sid="PassTheTaskRoles",
                    actions=["iam:PassRole"],
                    resources=[self.execution_role.arn, self.task_role.arn],
                    condition=[
                        DataAwsIamPolicyDocumentStatementCondition(
                            test="StringEquals", variable="iam:PassedToService", values=["ecs-tasks.amazonaws.com"]
                        )
                    ],
                ),
                *self._pass_volume_role(),
                DataAwsIamPolicyDocumentStatement(
                    sid="SyncIntegrationRule",
                    actions=list(SYNC_RULE_ACTIONS),
                    resources=[f"{regional('events')}:rule/{SYNC_RULE}"],
                ),
                # Vended log delivery and X-Ray name no resource: AWS documents "*" for these.
                DataAwsIamPolicyDocumentStatement(
                    sid="Tracing",
                    actions=list(TRACING_ACTIONS),
                    resources=["*"],
                ),
                DataAwsIamPolicyDocumentStatement(
                    sid="ErrorLogDelivery",
                    actions=list(LOG_DELIVERY_ACTIONS),
                    resources=["*"],
                ),
            ],
        )
        policy = IamRolePolicy(self, "state-machine-policy", name="run-task", role=role.id, policy=document.json)
        return role, policy

    def _schedule_role(
        self, name: str, arn: dict[str, str], kms_key_arn: str | None, boundary: str | None
    ) -> tuple[IamRole, IamRolePolicy]:
        trust = service_trust_policy(
            self,
            "schedule-assume-role-policy",
            service="scheduler.amazonaws.com",
            account_id=arn["account"],
            source_arn_pattern=(
                f"arn:{arn['partition']}:scheduler:{arn['region']}:{arn['account']}:schedule/default/{name}"
            ),
        )
        role = IamRole(
            self,
            "schedule-role",
            name=f"{name}-schedule",
            description=f"EventBridge Scheduler starts runs of {name}",
            assume_role_policy=trust.json,
            permissions_boundary=boundary,
        )
        statements = [
            DataAwsIamPolicyDocumentStatement(
                sid="StartRuns", actions=["states:StartExecution"], resources=[self.state_machine.arn]
            )
        ]
        if kms_key_arn is not None:
            statements.append(
                DataAwsIamPolicyDocumentStatement(
                    sid="ReadEncryptedInput", actions=["kms:Decrypt"], resources=[kms_key_arn]
                )
            )
        document = DataAwsIamPolicyDocument(self, "schedule-policy-document", statement=statements)
        policy = IamRolePolicy(self, "schedule-policy", name="start-runs", role=role.id, policy=document.json)
        return role, policy

    @property
    def state_machine_arn(self) -> str:
        return self.state_machine.arn
