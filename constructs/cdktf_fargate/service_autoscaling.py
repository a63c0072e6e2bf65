"""ServiceAutoscaling: target tracking on CPU, memory, requests per target and queue backlog per task for one
ECS service."""

from __future__ import annotations

from constructs import Construct

from ._bindings import (
    AppautoscalingPolicy,
    AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration,
    AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification,
    AppautoscalingScheduledAction,
    AppautoscalingScheduledActionScalableTargetAction,
    AppautoscalingTarget,
    ScalingMetric,
    ScalingMetricDimension,
    ScalingMetricQuery,
    ScalingMetricStat,
    ScalingMetricStatMetric,
)
from ._validation import Problems
from .options import Scaling, check_options


class ServiceAutoscaling(Construct):
    """A scalable target between ``min_count`` and ``max_count``, one target-tracking policy per metric
    given, and a scheduled action per ``schedules`` entry (which then own the target's bounds: Terraform
    leaves them as the schedules set them). ``FargateService`` creates one when ``options.scaling.enabled``."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        cluster_name: str,
        service_name: str,
        options: Scaling | None = None,
        request_count_resource_label: str | None = None,
    ) -> None:
        """
        :param name: prefix of the policies' names, ``<name>-cpu`` and so on.
        :param cluster_name: the service's cluster.
        :param service_name: the ECS service to scale.
        :param options: ``Scaling``: bounds, targets and cooldowns.
        :param request_count_resource_label: ``<alb arn_suffix>/<target group arn_suffix>``; needed for
            ``requests_per_target``.
        """
        super().__init__(scope, id_)
        # What track_backlog needs of the service.
        self._names = (name, cluster_name, service_name)
        options = Scaling() if options is None else options
        self._options = options
        problems = Problems.of(self)
        for setting, value in (("name", name), ("cluster_name", cluster_name), ("service_name", service_name)):
            problems.check_non_empty(setting, value)
        if not isinstance(options, Scaling):
            problems.add("options", options, "must be a Scaling")
        else:
            check_options(problems, "options", options)
            if not options.enabled:
                problems.add("options.enabled", False, "must be true: leave ServiceAutoscaling out to not scale")
            if options.requests_per_target is not None and not request_count_resource_label:
                problems.add(
                    "request_count_resource_label",
                    request_count_resource_label,
                    "is needed for options.requests_per_target",
                )
        problems.raise_if_any()
        min_count, max_count = options.min_count, options.max_count
        cpu_target_percent = options.cpu_target_percent
        memory_target_percent = options.memory_target_percent
        requests_per_target = options.requests_per_target
        scale_in_cooldown_seconds = options.scale_in_cooldown_seconds
        scale_out_cooldown_seconds = options.scale_out_cooldown_seconds
        # service_name refers to the service resource, so the target is created after it.
        self.target = AppautoscalingTarget(
            self,
            "target",
            service_namespace="ecs",
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=f"service/{cluster_name}/{service_name}",
            min_capacity=min_count,
            max_capacity=max_count,
            # Scheduled actions move the bounds outside Terraform; a plan must not move them back mid-window.
            lifecycle={"ignore_changes": ["min_capacity", "max_capacity"]} if options.schedules else None,
        )
        self.scheduled_actions = [
            AppautoscalingScheduledAction(
                self,
                f"schedule-{index}",
                name=f"{name}-schedule-{index}",
                service_namespace=self.target.service_namespace,
                scalable_dimension=self.target.scalable_dimension,
                resource_id=self.target.resource_id,
                schedule=entry.schedule,
                timezone=entry.timezone,
                scalable_target_action=AppautoscalingScheduledActionScalableTargetAction(
                    min_capacity=None if entry.min_count is None else str(entry.min_count),
                    max_capacity=None if entry.max_count is None else str(entry.max_count),
                ),
            )
            for index, entry in enumerate(options.schedules)
        ]
        metrics = (
            ("cpu", "ECSServiceAverageCPUUtilization", cpu_target_percent, None),
            ("memory", "ECSServiceAverageMemoryUtilization", memory_target_percent, None),
            ("requests", "ALBRequestCountPerTarget", requests_per_target, request_count_resource_label),
        )
        self.policies: dict[str, AppautoscalingPolicy] = {}
        for key, metric, target_value, resource_label in metrics:
            if target_value is None:
                continue
            self.policies[key] = AppautoscalingPolicy(
                self,
                f"{key}-policy",
                name=f"{name}-{key}",
                policy_type="TargetTrackingScaling",
                service_namespace=self.target.service_namespace,
                scalable_dimension=self.target.scalable_dimension,
                resource_id=self.target.resource_id,
                target_tracking_scaling_policy_configuration=(
                    AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration(
                        target_value=target_value,
                        scale_in_cooldown=scale_in_cooldown_seconds,
                        scale_out_cooldown=scale_out_cooldown_seconds,
                        predefined_metric_specification=(
                            AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification(
                                predefined_metric_type=metric, resource_label=resource_label
                            )
                        ),
                    )
                ),
            )

    def track_backlog(self, *, queue_name: str, messages_per_task: int) -> AppautoscalingPolicy:
        """Keep the messages waiting in an SQS queue per running task near ``messages_per_task`` (a policy
        ``<name>-backlog``). The running tasks are Container Insights' ``RunningTaskCount``: the cluster must
        have Container Insights, and ``min_count`` must be at least 1 (no running task, no backlog per task)."""
        problems = Problems.of(self)
        problems.check_non_empty("queue_name", queue_name)
        problems.check_int_range("messages_per_task", messages_per_task, 1, 100_000)
        if self._options.min_count < 1:
            problems.add(
                "options.min_count",
                self._options.min_count,
                "must be at least 1 to scale on backlog per task: with no task running there is no such metric",
            )
        if "backlog" in self.policies:
            problems.add("queue_name", queue_name, "a backlog is tracked already: one queue a service")
        problems.raise_if_any()
        name, cluster_name, service_name = self._names

        def stat(
            id_: str, namespace: str, metric_name: str, dimensions: dict[str, str], statistic: str
        ) -> ScalingMetricQuery:
            return ScalingMetricQuery(
                id=id_,
                return_data=False,
                metric_stat=ScalingMetricStat(
                    stat=statistic,
                    metric=ScalingMetricStatMetric(
                        namespace=namespace,
                        metric_name=metric_name,
                        dimensions=[ScalingMetricDimension(name=key, value=value) for key, value in dimensions.items()],
                    ),
                ),
            )

        policy = AppautoscalingPolicy(
            self,
            "backlog-policy",
            name=f"{name}-backlog",
            policy_type="TargetTrackingScaling",
            service_namespace=self.target.service_namespace,
            scalable_dimension=self.target.scalable_dimension,
            resource_id=self.target.resource_id,
            target_tracking_scaling_policy_configuration=AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration(
                target_value=messages_per_task,
                scale_in_cooldown=self._options.scale_in_cooldown_seconds,
                scale_out_cooldown=self._options.scale_out_cooldown_seconds,
                customized_metric_specification=ScalingMetric(
                    metrics=[
                        stat(
                            "visible",
                            "AWS/SQS",
                            "ApproximateNumberOfMessagesVisible",
                            {"QueueName": queue_name},
                            "Sum",
                        ),
                        stat(
                            "tasks",
                            "ECS/ContainerInsights",
                            "RunningTaskCount",
                            {"ClusterName": cluster_name, "ServiceName": service_name},
                            "Average",
                        ),
                        ScalingMetricQuery(
                            id="backlog_per_task",
                            expression="visible / tasks",
                            label="Messages waiting per running task",
                            return_data=True,
                        ),
                    ]
                ),
            ),
        )
        self.policies["backlog"] = policy
        return policy
