"""AppServices: the services of an environment with a `services` table, on its one cluster and load balancer.

Each service gets its own repository (or shares another's), roles, log group and security group.
Web services take a route on the load balancer; backends are published in the environment's
Service Connect namespace and admit exactly the services that declare they call them; workers take
their work from their own queue; jobs run on their schedule. Each topic a service or job publishes
to is the environment's, shared by its publishers and the workers subscribed to it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from typing import TypeVar

from cdktf_fargate import (
    ClusterRef,
    EcrRepo,
    EventTopic,
    FargateService,
    NetworkRef,
    PublicAlb,
    ScheduledJob,
    ServiceNamespace,
    WorkerService,
)
from cdktf_fargate.options import JobOptions, ServiceOptions

from constructs import Construct

from .environments import EnvironmentConfig
from .service_settings import TOPIC_ARNS_VARIABLE

Task = TypeVar("Task", ServiceOptions, JobOptions)


class AppServices(Construct):
    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: EnvironmentConfig,
        cluster: ClusterRef,
        network: NetworkRef,
        alb: PublicAlb,
        image_tag: Callable[[str], str],
        key_arn: str | None,
        alarm_actions: Sequence[str],
        permissions_boundary_arn: str | None,
    ) -> None:
        """
        :param image_tag: the tag each service deploys, by its name (a Terraform expression).
        """
        super().__init__(scope, id_)
        name = config.resource_name
        declared = config.services
        self.namespace: ServiceNamespace | None = None
        if any(service.kind == "backend" for service in declared.values()):
            self.namespace = ServiceNamespace(self, "namespace", name=name)

        self.repositories: dict[str, EcrRepo] = {}
        for key, (repository_name, _) in config.images().items():
            adopted = bool(declared[key].adopt_repository)
            # An adopted repository keeps the encryption it was made with: changing it would replace it.
            self.repositories[key] = EcrRepo(
                self,
                f"repository-{key}",
                name=repository_name,
                options=config.repository,
                kms_key_arn=None if adopted else key_arn,
            )
            if adopted:
                self.repositories[key].adopt()
            if config.verify_image_exists:
                self.repositories[key].require_image(image_tag(key))

        self.topics: dict[str, EventTopic] = {
            topic: EventTopic(self, f"topic-{topic}", name=f"{name}-{topic}", kms_key_arn=key_arn)
            for topic in config.topics()
        }
        topic_arns = {topic: created.arn for topic, created in self.topics.items()}

        # Services (workers' included: theirs is `WorkerService.service`), by their name in the table.
        self.services: dict[str, FargateService] = {}
        self.workers: dict[str, WorkerService] = {}
        self.jobs: dict[str, ScheduledJob] = {}
        for key, service in declared.items():
            repository = self.repositories[service.repository or key]
            image = repository.image_uri(image_tag(key))
            arns = {topic: topic_arns[topic] for topic in service.publish}
            told = {TOPIC_ARNS_VARIABLE: json.dumps(arns)} if arns else {}
            common = {
                "name": f"{name}-{key}",
                "cluster": cluster,
                "network": network,
                "image": image,
                "log_kms_key_arn": key_arn,
                "alarm_actions": alarm_actions,
                "permissions_boundary_arn": permissions_boundary_arn,
            }
            if service.kind == "job":
                job = ScheduledJob(
                    self,
                    f"job-{key}",
                    options=_telling(service.job, told),
                    **common,  # type: ignore[arg-type]
                )
                repository.grant_pull(job.execution_role)
                self.jobs[key] = job
            elif service.kind == "worker":
                del common["log_kms_key_arn"]
                worker = WorkerService(
                    self,
                    f"worker-{key}",
                    options=_telling(service.service, told),
                    queue=service.queue,
                    topic_arns=topic_arns,
                    kms_key_arn=key_arn,
                    service_connect_namespace=self.namespace,
                    **common,  # type: ignore[arg-type]
                )
                repository.grant_pull(worker.service.execution_role)
                self.workers[key] = worker
                self.services[key] = worker.service
            else:
                created = FargateService(
                    self,
                    f"service-{key}",
                    alb=alb if service.kind == "web" else None,
                    options=_telling(config.service_options(key), told),
                    service_connect_namespace=self.namespace,
                    volume_kms_key_arn=key_arn,
                    **common,  # type: ignore[arg-type]
                )
                repository.grant_pull(created.execution_role)
                self.services[key] = created
        for key, service in declared.items():
            for callee in service.calls:
                self.services[callee].allow_calls_from(self.services[key])
            for topic in service.publish:
                self.topics[topic].grant_publish(self.services.get(key) or self.jobs[key])


def _telling(options: Task, environment: dict[str, str]) -> Task:
    """The options with more variables in the application container's environment (none: the same options)."""
    if not environment:
        return options
    container = options.container
    told = dataclasses.replace(container, environment={**container.environment, **environment})
    return dataclasses.replace(options, container=told)
