"""ServiceAutoscaling: target tracking on CPU, memory and requests per target for one ECS service."""

from __future__ import annotations

from constructs import Construct

from ._bindings import (
    AppautoscalingPolicy,
    AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration,
    AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification,
    AppautoscalingTarget,
)


class ServiceAutoscaling(Construct):
    """A scalable target between ``min_count`` and ``max_count`` and one target-tracking policy per
    metric given. Settings are validated by ``FargateService``, which creates this."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        cluster_name: str,
        service_name: str,
        min_count: int,
        max_count: int,
        cpu_target_percent: int | None,
        memory_target_percent: int | None,
        requests_per_target: int | None,
        request_count_resource_label: str,
        scale_in_cooldown_seconds: int,
        scale_out_cooldown_seconds: int,
    ) -> None:
        super().__init__(scope, id_)
        # service_name refers to the service resource, so the target is created after it.
        self.target = AppautoscalingTarget(
            self,
            "target",
            service_namespace="ecs",
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=f"service/{cluster_name}/{service_name}",
            min_capacity=min_count,
            max_capacity=max_count,
        )
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
