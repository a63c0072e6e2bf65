"""ServiceAlarms: CloudWatch alarms for one service, behind a load balancer or not."""

from __future__ import annotations

from collections.abc import Sequence

from constructs import Construct

from ._bindings import CloudwatchMetricAlarm
from ._validation import Problems
from .options import Alarms, check_options


class ServiceAlarms(Construct):
    """Target 5xx, unhealthy targets, p99 latency, CPU and memory. The first two are the
    deployment alarms: ECS rolls a deployment back while either is in alarm. A service without a load
    balancer gets CPU and memory only. ``FargateService`` creates one; it can also be put on any service."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        service_name: str,
        cluster_name: str,
        load_balancer_arn_suffix: str | None = None,
        target_group_arn_suffix: str | None = None,
        options: Alarms | None = None,
        actions: Sequence[str] = (),
    ) -> None:
        """
        :param service_name: the ECS service's name; alarms are named ``<service_name>-<alarm>``.
        :param cluster_name: its cluster's name.
        :param load_balancer_arn_suffix: the load balancer's ``arn_suffix``; None for a service without one.
        :param target_group_arn_suffix: the service's target group's ``arn_suffix``; with the load balancer's.
        :param options: ``Alarms``: the thresholds.
        :param actions: ARNs (an SNS topic) notified when an alarm changes state. Default none.
        """
        super().__init__(scope, id_)
        options = Alarms() if options is None else options
        problems = Problems.of(self)
        for setting, value in (("service_name", service_name), ("cluster_name", cluster_name)):
            problems.check_non_empty(setting, value)
        behind_load_balancer = load_balancer_arn_suffix is not None or target_group_arn_suffix is not None
        if behind_load_balancer:
            problems.check_non_empty("load_balancer_arn_suffix", load_balancer_arn_suffix)
            problems.check_non_empty("target_group_arn_suffix", target_group_arn_suffix)
        if not isinstance(options, Alarms):
            problems.add("options", options, "must be an Alarms")
        else:
            check_options(problems, "options", options)
        problems.check_arn_list("actions", actions)
        problems.raise_if_any()
        target_5xx_per_minute = options.target_5xx_per_minute
        p99_latency_seconds = options.p99_latency_seconds
        cpu_percent = options.cpu_percent
        memory_percent = options.memory_percent
        target_dimensions = {"LoadBalancer": load_balancer_arn_suffix, "TargetGroup": target_group_arn_suffix}
        service_dimensions = {"ClusterName": cluster_name, "ServiceName": service_name}

        def alarm(key: str, description: str, **settings: object) -> CloudwatchMetricAlarm:
            return CloudwatchMetricAlarm(
                self,
                key,
                alarm_name=f"{service_name}-{key}",
                alarm_description=description,
                period=60,
                treat_missing_data="notBreaching",
                alarm_actions=list(actions),
                ok_actions=list(actions),
                **settings,  # type: ignore[arg-type]
            )

        self.target_5xx: CloudwatchMetricAlarm | None = None
        self.unhealthy_hosts: CloudwatchMetricAlarm | None = None
        self.p99_latency: CloudwatchMetricAlarm | None = None
        if behind_load_balancer:
            self.target_5xx = alarm(
                "target-5xx",
                f"{service_name}: tasks answer 5xx ({target_5xx_per_minute}+ a minute); rolls back a deployment",
                namespace="AWS/ApplicationELB",
                metric_name="HTTPCode_Target_5XX_Count",
                dimensions=target_dimensions,
                statistic="Sum",
                comparison_operator="GreaterThanOrEqualToThreshold",
                threshold=target_5xx_per_minute,
                evaluation_periods=2,
            )
            self.unhealthy_hosts = alarm(
                "unhealthy-hosts",
                f"{service_name}: a target fails its health check; rolls back a deployment",
                namespace="AWS/ApplicationELB",
                metric_name="UnHealthyHostCount",
                dimensions=target_dimensions,
                statistic="Maximum",
                comparison_operator="GreaterThanOrEqualToThreshold",
                threshold=1,
                evaluation_periods=3,
            )
            self.p99_latency = alarm(
                "p99-latency",
                f"{service_name}: p99 response time above {p99_latency_seconds} s",
                namespace="AWS/ApplicationELB",
                metric_name="TargetResponseTime",
                dimensions=target_dimensions,
                extended_statistic="p99",
                comparison_operator="GreaterThanThreshold",
                threshold=p99_latency_seconds,
                evaluation_periods=5,
            )
        self.cpu = alarm(
            "cpu-high",
            f"{service_name}: CPU above {cpu_percent} %",
            namespace="AWS/ECS",
            metric_name="CPUUtilization",
            dimensions=service_dimensions,
            statistic="Average",
            comparison_operator="GreaterThanThreshold",
            threshold=cpu_percent,
            evaluation_periods=5,
        )
        self.memory = alarm(
            "memory-high",
            f"{service_name}: memory above {memory_percent} %",
            namespace="AWS/ECS",
            metric_name="MemoryUtilization",
            dimensions=service_dimensions,
            statistic="Average",
            comparison_operator="GreaterThanThreshold",
            threshold=memory_percent,
            evaluation_periods=5,
        )

        # A rollout rolls back while one of these is in alarm: only a load balancer sees new tasks fail.
        self.deployment_alarms = [alarm for alarm in (self.target_5xx, self.unhealthy_hosts) if alarm is not None]
        self.deployment_alarm_names = [f"{service_name}-{alarm.node.id}" for alarm in self.deployment_alarms]
