"""WorkerService: an ECS service that takes its work from its own SQS queue, scaled on the queue's backlog."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from constructs import Construct

from ._validation import Problems
from .fargate_service import FargateService
from .options import HealthCheck, QueueOptions, Routing, ServiceOptions
from .refs import ClusterRef, NetworkRef, ServiceNamespaceRef
from .worker_queue import WorkerQueue

# The environment variable that gives the application its queue.
QUEUE_URL_VARIABLE = "QUEUE_URL"


class WorkerService(Construct):
    """A ``WorkerQueue`` and a ``FargateService`` without a load balancer whose application alone may receive
    from it, told where it is by ``QUEUE_URL``. With ``options.scaling.enabled`` it also scales on the messages
    waiting per running task (``queue.backlog_per_task``), besides the CPU and memory targets it is given."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        cluster: ClusterRef,
        network: NetworkRef,
        image: str,
        options: ServiceOptions | None = None,
        queue: QueueOptions | None = None,
        topic_arns: Mapping[str, str] | None = None,
        kms_key_arn: str | None = None,
        alarm_actions: Sequence[str] = (),
        permissions_boundary_arn: str | None = None,
        service_connect_namespace: ServiceNamespaceRef | None = None,
    ) -> None:
        """
        :param name: names the queue, the service, its roles and its log group as ``FargateService`` does.
        :param cluster: its cluster; backlog scaling reads Container Insights' ``RunningTaskCount`` there, so the
            cluster must have Container Insights (``ClusterOptions.container_insights``, on by default).
        :param network: its private subnets run the tasks; without internet egress it needs an ``sqs`` endpoint.
        :param image: the container image.
        :param options: ``ServiceOptions`` of the service (task, container, scaling, alarms, …); it has no route
            or load-balancer health check, and is published in no namespace.
        :param queue: ``QueueOptions``: the queue, its dead-letter queue, subscriptions, backlog target, alarms.
        :param topic_arns: the topics ``queue.subscriptions`` may name, by name (``EventTopic.arn``).
        :param kms_key_arn: encrypts the queues, the log group and any EBS volume of its tasks. Default None
            (AWS-managed keys).
        :param alarm_actions: ARNs (an SNS topic) the service's and the queue's alarms notify.
        :param permissions_boundary_arn: the IAM policy that caps its roles.
        :param service_connect_namespace: lets it call the namespace's services by name (it is published there
            under no name: nothing calls a worker).
        """
        super().__init__(scope, id_)
        options = ServiceOptions() if options is None else options
        queue = QueueOptions() if queue is None else queue
        problems = Problems.of(self)
        if isinstance(options, ServiceOptions):
            if options.routing != Routing():
                problems.add("options.routing", "<set>", "a worker has no load-balancer route: leave it unset")
            if options.health_check != HealthCheck():
                problems.add(
                    "options.health_check",
                    "<set>",
                    "a worker has no load balancer to check it: its container's own check is "
                    "`container.health_check_command`",
                )
            if options.service_connect.name:
                problems.add(
                    "options.service_connect.name", options.service_connect.name, "nothing calls a worker: leave it ''"
                )
            if QUEUE_URL_VARIABLE in options.container.environment:
                problems.add(
                    f"options.container.environment.{QUEUE_URL_VARIABLE}",
                    options.container.environment[QUEUE_URL_VARIABLE],
                    "is set by the worker to its queue's URL",
                )
            if options.scaling.enabled and options.scaling.min_count < 1:
                problems.add(
                    "options.scaling.min_count",
                    options.scaling.min_count,
                    "must be at least 1: a worker scales on messages waiting per running task, which no task "
                    "running leaves undefined",
                )
        problems.raise_if_any()
        self.queue = WorkerQueue(
            self,
            "queue",
            name=name,
            options=queue,
            topic_arns=topic_arns,
            kms_key_arn=kms_key_arn,
            alarm_actions=alarm_actions,
        )
        if isinstance(options, ServiceOptions):
            container = options.container
            environment = {**container.environment, QUEUE_URL_VARIABLE: self.queue.url}
            options = dataclasses.replace(options, container=dataclasses.replace(container, environment=environment))
        self.service = FargateService(
            self,
            "service",
            name=name,
            cluster=cluster,
            network=network,
            alb=None,
            image=image,
            options=options,
            log_kms_key_arn=kms_key_arn,
            alarm_actions=alarm_actions,
            permissions_boundary_arn=permissions_boundary_arn,
            service_connect_namespace=service_connect_namespace,
            volume_kms_key_arn=kms_key_arn,
        )
        self.consume_policy = self.queue.grant_consume(self.service)
        if self.service.autoscaling is not None:
            self.service.autoscaling.track_backlog(
                queue_name=self.queue.queue_name, messages_per_task=queue.backlog_per_task
            )
