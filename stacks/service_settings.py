"""An environment's several services (`[<env>.services.<name>]`): each one's settings, and the rules
that hold across them (calls, shared repositories, routes and their derived priorities)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Literal

from cdktf_fargate import rule_covers
from cdktf_fargate.ecr_repo import REPOSITORY_NAME_PATTERN
from cdktf_fargate.options import (
    Container,
    Each,
    HealthCheck,
    JobOptions,
    OptionType,
    Pattern,
    QueueOptions,
    Routing,
    ServiceOptions,
    TaskSize,
    option,
)
from cdktf_fargate.options.queue import TOPIC_NAME
from cdktf_fargate.worker_service import QUEUE_URL_VARIABLE

from .settings_rules import Report

SERVICE_KEY = Pattern(
    re.compile(r"[a-z][a-z0-9-]{0,14}"), "must be 1-15 lower-case letters, digits or hyphens, starting with a letter"
)
ADOPTED_REPOSITORY = Pattern(
    re.compile(f"(?:{REPOSITORY_NAME_PATTERN.pattern})?"),
    "must be '' or an ECR repository's name: lower-case letters and digits separated by '.', '_', '-' or '/'",
)
SERVICE_KEY_OR_EMPTY = Pattern(re.compile(r"([a-z][a-z0-9-]{0,14})?"), "must be '' or the name of a service")
RELATIVE_PATH = Pattern(
    re.compile(r"(?!/)(?!.*(^|/)\.\.(/|$))[A-Za-z0-9._/-]*"),
    "must be a path inside the repository, relative to its root, without '..'",
)
ServiceKind = Literal["web", "backend", "worker", "job"]
# Web services' listener rules, when none is given a priority: specific ones first, this far apart.
FIRST_DERIVED_PRIORITY = 100
DERIVED_PRIORITY_STEP = 10


@dataclasses.dataclass(frozen=True, kw_only=True)
class ImageBuild(OptionType):
    """How the deploy workflow builds a service's image; its platform follows the task's `cpu_architecture`."""

    context: str = option(
        "app", "the Docker build context, relative to the repository root (`app`: the shipped sample)", RELATIVE_PATH
    )
    dockerfile: str = option("", "the Dockerfile, relative to the repository root; default `<context>/Dockerfile`",
                             RELATIVE_PATH)  # fmt: skip


@dataclasses.dataclass(frozen=True, kw_only=True)
class AppService(OptionType):
    """One of several services of an environment: a table `[<env>.services.<name>]`. Its resources are
    named `<app>-<env>-<name>`."""

    kind: ServiceKind = option(
        "web",
        "`web`: behind the load balancer; `backend`: called by the environment's other services over "
        "Service Connect at `http://<name>:<port>`; `worker`: takes its work from its own queue, which receives "
        "the topics it subscribes to (`queue`); `job`: a task run on a schedule",
    )
    calls: tuple[str, ...] = option(
        (), "the backend services it calls; only these admit it, on their container port", Each(SERVICE_KEY)
    )
    repository: str = option(
        "", "use this other service's image repository; default its own, `<app>-<env>-<name>`", SERVICE_KEY_OR_EMPTY
    )
    adopt_repository: str = option(
        "",
        "take over this existing ECR repository instead of creating `<app>-<env>-<name>`: the first plan imports "
        "it (a Terraform import block), so its images and tags stay; it keeps ECR-managed (AES256) encryption, "
        "which cannot change in place (docs/from-copilot.md#adopting-what-exists)",
        ADOPTED_REPOSITORY,
    )
    publish: tuple[str, ...] = option(
        (),
        "topics of the environment it publishes to (SNS topics `<app>-<env>-<topic>`, made for their publishers); "
        "its application finds their ARNs in `SNS_TOPIC_ARNS`, a JSON object by topic name",
        Each(TOPIC_NAME),
    )
    build: ImageBuild = option(ImageBuild(), "how the deploy workflow builds its image")
    service: ServiceOptions = option(
        ServiceOptions(), "a `web`, `backend` or `worker` service's settings (`ServiceOptions`)"
    )
    queue: QueueOptions = option(
        QueueOptions(), "a `worker`'s queue: its subscriptions, dead-letter queue, backlog target and alarms"
    )
    job: JobOptions = option(JobOptions(), "a `job`'s settings (`JobOptions`)")

    @property
    def group(self) -> Literal["job", "service"]:
        """The table that holds its task's settings: a job's `job`, a web or backend service's `service`."""
        return "job" if self.kind == "job" else "service"

    @property
    def settings(self) -> ServiceOptions | JobOptions:
        """Its task's settings, a job's or a service's."""
        return self.job if self.kind == "job" else self.service

    @property
    def task(self) -> TaskSize:
        """Its task's size and architecture."""
        return self.settings.task

    @property
    def container(self) -> Container:
        """Its application container."""
        return self.settings.container

    def _cross_check(self, report: Report) -> None:
        if self.kind == "job" and self.service != ServiceOptions():
            report("service", "<set>", "a job takes `job` settings (its task, container and schedule), not `service`")
        if self.kind != "job" and self.job != JobOptions():
            report("job", "<set>", f"only a job takes `job` settings; a {self.kind} service takes `service`")
        if self.kind == "job" and self.calls:
            report(
                "calls",
                list(self.calls),
                "a job's tasks are started one by one, outside Service Connect: they cannot call services by name",
            )
        if self.kind != "web" and self.service.routing != Routing():
            report("service.routing", "<set>", f"a {self.kind} service has no load-balancer route")
        if self.kind != "worker" and self.queue != QueueOptions():
            report("queue", "<set>", f"only a worker has a queue; a {self.kind} service can `publish` to topics")
        if self.kind == "worker":
            self._check_worker(report)
        if self.publish and TOPIC_ARNS_VARIABLE in self.container.environment:
            report(f"{self.group}.container.environment.{TOPIC_ARNS_VARIABLE}", "<set>",
                   "is set to the ARNs of the topics it publishes to")  # fmt: skip
        if self.kind == "web" and self.service.service_connect.sets_alias:
            report("service.service_connect", "<set>", "an alias names how callers reach a backend over Service "
                   "Connect: a web service is reached through the load balancer")  # fmt: skip
        if self.kind == "web" and self.service.service_connect.sets_timeouts:
            report("service.service_connect", "<set>", "its timeouts apply to calls over Service Connect, which reach "
                   "a backend: a web service is reached through the load balancer")  # fmt: skip
        if self.kind in ("backend", "worker") and self.service.health_check != HealthCheck():
            report("service.health_check", "<set>", BACKEND_HEALTH_CHECK.replace("backend", self.kind))

    def _check_worker(self, report: Report) -> None:
        connect = self.service.service_connect
        if connect.name or connect.sets_timeouts or connect.sets_alias:
            report("service.service_connect", "<set>", "nothing calls a worker: it takes its work from its queue")
        scaling = self.service.scaling
        if scaling.enabled and scaling.min_count < 1:
            report("service.scaling.min_count", scaling.min_count, "must be at least 1: a worker scales on the "
                   "messages waiting per running task, which no task running leaves undefined")  # fmt: skip
        if QUEUE_URL_VARIABLE in self.service.container.environment:
            report(f"service.container.environment.{QUEUE_URL_VARIABLE}", "<set>", "is set to the worker's queue")


# What a publisher's application is told: {topic: ARN} as JSON (AppServices).
TOPIC_ARNS_VARIABLE = "SNS_TOPIC_ARNS"
# The load balancer's target-group check: a backend has neither, so these settings would do nothing.
BACKEND_HEALTH_CHECK = (
    "a backend service has no load balancer to check it: its container's own check is "
    "`service.container.health_check_command`, with its `health_check_*` timings"
)


def check_services(services: Mapping[str, AppService], report: Report) -> None:
    """What holds across the services of one environment; every problem is reported."""
    if not any(declared.kind == "web" for declared in services.values()):
        report("services", sorted(services), "needs at least one `web` service: the load balancer routes to it")
    for key, declared in services.items():
        for callee in declared.calls:
            where = f"services.{key}.calls"
            if callee == key:
                report(where, callee, "is this service itself")
            elif callee not in services:
                report(where, callee, f"is not a service of this environment: there are {', '.join(services)}")
            elif services[callee].kind != "backend":
                report(
                    where,
                    callee,
                    f"is a {services[callee].kind} service: only `backend` services are called by name "
                    "(a web service is reached through the load balancer)",
                )
        shared = declared.repository
        if shared and declared.adopt_repository:
            report(f"services.{key}.adopt_repository", declared.adopt_repository,
                   f"it runs the image of {shared!r} (`repository`): adopt a repository for that one")  # fmt: skip
        adopters = [other for other, d in services.items() if d.adopt_repository == declared.adopt_repository]
        if declared.adopt_repository and adopters[0] != key:
            why = f"is adopted by {adopters[0]!r} too: one repository, one owner (share it with `repository`)"
            report(f"services.{key}.adopt_repository", declared.adopt_repository, why)
        if shared and (shared == key or shared not in services or services[shared].repository):
            report(
                f"services.{key}.repository",
                shared,
                "must name another service of this environment that has its own repository",
            )
        elif shared:
            if declared.build != ImageBuild():
                report(f"services.{key}.build", "<set>", f"it runs the image of {shared!r}, built from that one's")
            mine, theirs = declared.task.cpu_architecture, services[shared].task.cpu_architecture
            if mine != theirs:
                report(
                    f"services.{key}.repository",
                    shared,
                    f"its tasks run on {mine}, the image of {shared!r} is built for {theirs}",
                )
        for index, subscription in enumerate(declared.queue.subscriptions):
            topic = subscription.topic
            if not topic.startswith("arn:") and not any(topic in other.publish for other in services.values()):
                report(
                    f"services.{key}.queue.subscriptions[{index}].topic",
                    topic,
                    "is published by no service or job of this environment: add it to one's `publish`, or give "
                    "the ARN of a topic from elsewhere",
                )
        alias = declared.service.service_connect.alias
        clashes = [
            other for other, d in services.items() if other != key and alias in (other, d.service.service_connect.alias)
        ]
        if alias and clashes:
            report(f"services.{key}.service.service_connect.alias", alias,
                   f"is also the name or alias of {clashes[0]!r}: callers could not tell them apart")  # fmt: skip
        published = declared.service.service_connect.name
        if published and published != key:
            report(
                f"services.{key}.service.service_connect.name",
                published,
                f"is the service's table name in an environment with `services`: leave it unset or {key!r}",
            )
    _check_routes(services, report)


def _check_routes(services: Mapping[str, AppService], report: Report) -> None:
    priorities = web_priorities(services)
    routes = {key: (priorities[key], services[key].service.routing) for key in priorities}
    for key, (priority, routing) in routes.items():
        for other, (other_priority, other_routing) in routes.items():
            if other == key:
                continue
            mine = (routing.path_patterns, routing.host_headers)
            theirs = (other_routing.path_patterns, other_routing.host_headers)
            where = f"services.{key}.service.routing"
            if priority == other_priority and other < key:
                report(f"{where}.priority", priority, f"is also the priority of {other!r}")
            elif other_priority < priority and rule_covers(theirs, mine):
                report(
                    where,
                    {"priority": priority, "path_patterns": list(mine[0]), "host_headers": list(mine[1])},
                    f"{other!r} (priority {other_priority}) matches every request this route does, first: "
                    f"it would get no traffic; give it a priority below {other_priority} (a '/*' route goes last)",
                )


def web_priorities(services: Mapping[str, AppService]) -> dict[str, int]:
    """Each web service's listener-rule priority. When none is given one (all keep the default),
    they are numbered in declaration order with host-specific and path-specific routes first, so a
    catch-all `/*` never hides a more specific route; otherwise each keeps its own."""
    web = {key: declared for key, declared in services.items() if declared.kind == "web"}
    default = Routing().priority
    if any(declared.service.routing.priority != default for declared in web.values()):
        return {key: declared.service.routing.priority for key, declared in web.items()}
    order = list(web)

    def breadth(key: str) -> tuple[int, int]:
        routing = web[key].service.routing
        covers_others = sum(
            rule_covers(
                (routing.path_patterns, routing.host_headers),
                (web[other].service.routing.path_patterns, web[other].service.routing.host_headers),
            )
            for other in web
            if other != key
        )
        return covers_others, order.index(key)

    ranked = sorted(web, key=breadth)
    return {key: FIRST_DERIVED_PRIORITY + DERIVED_PRIORITY_STEP * rank for rank, key in enumerate(ranked)}


def topics(services: Mapping[str, AppService]) -> dict[str, list[str]]:
    """The environment's topics, in the order first published, with the services and jobs that publish to each."""
    found: dict[str, list[str]] = {}
    for key, declared in services.items():
        for topic in declared.publish:
            found.setdefault(topic, []).append(key)
    return found


def deployed_service_options(services: Mapping[str, AppService], key: str) -> ServiceOptions:
    """A web or backend service's options as deployed: its derived priority, its published name."""
    declared = services[key]
    options = declared.service
    if declared.kind == "web":
        options = dataclasses.replace(
            options, routing=dataclasses.replace(options.routing, priority=web_priorities(services)[key])
        )
    elif declared.kind == "backend":
        options = dataclasses.replace(options, service_connect=dataclasses.replace(options.service_connect, name=key))
    return options
