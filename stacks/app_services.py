"""AppServices: the services of an environment with a `services` table, on its one cluster and load balancer.

Each service gets its own repository (or shares another's), roles, log group and security group.
Web services take a route on the load balancer; backends are published in the environment's
Service Connect namespace and admit exactly the services that declare they call them; jobs run
on their schedule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from cdktf_fargate import (
    ClusterRef,
    EcrRepo,
    FargateService,
    NetworkRef,
    PublicAlb,
    ScheduledJob,
    ServiceNamespace,
)

from constructs import Construct

from .environments import EnvironmentConfig


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
        for key, service in declared.items():
            if not service.repository:
                self.repositories[key] = EcrRepo(
                    self, f"repository-{key}", name=f"{name}-{key}", options=config.repository, kms_key_arn=key_arn
                )
                if config.verify_image_exists:
                    self.repositories[key].require_image(image_tag(key))

        self.services: dict[str, FargateService] = {}
        self.jobs: dict[str, ScheduledJob] = {}
        for key, service in declared.items():
            repository = self.repositories[service.repository or key]
            image = repository.image_uri(image_tag(key))
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
                job = ScheduledJob(self, f"job-{key}", options=service.job, **common)  # type: ignore[arg-type]
                repository.grant_pull(job.execution_role)
                self.jobs[key] = job
            else:
                created = FargateService(
                    self,
                    f"service-{key}",
                    alb=alb if service.kind == "web" else None,
                    options=config.service_options(key),
                    service_connect_namespace=self.namespace,
                    **common,  # type: ignore[arg-type]
                )
                repository.grant_pull(created.execution_role)
                self.services[key] = created
        for key, service in declared.items():
            for callee in service.calls:
                self.services[callee].allow_calls_from(self.services[key])
