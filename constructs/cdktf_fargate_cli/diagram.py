"""`cdktf-fargate diagram`: a synthesized stack drawn as a Mermaid flowchart, from its `cdk.tf.json` alone.

What is drawn is what the stack holds: the load balancer (its WAF, listeners and TLS policy) and each
listener rule's route and priority, each ECS service with its task count, size and port and the
hardening of its container, the services one calls over Service Connect (the security-group rules
that admit it), each scheduled job with its schedule, timeout and retries, how tasks reach AWS (VPC
endpoints or NAT gateways), the topics services publish to and the queues workers take their work from
(with their subscriptions' filters), the image repositories, log groups, access-log bucket and alarms. So any
app built from the constructs can draw its own; this app's `docs/diagrams.md` is drawn the same way.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from .synthesized import block, containers, job_run, referenced, scaling_targets, stack_name, task_definition

SERVICE = "aws_ecs_service"


def _quoted(text: str) -> str:
    """Mermaid label text in quotes, so parentheses, slashes and stars stay text."""
    return '"' + text.replace('"', "#quot;") + '"'


def _node(node: str, text: str, shape: str = "[]") -> str:
    return f"{node}{shape[: len(shape) // 2]}{_quoted(text)}{shape[len(shape) // 2 :]}"


def _edge(source: str, target: str, label: str = "", arrow: str = "-->") -> str:
    return f"  {source} {arrow}|{_quoted(label)}| {target}" if label else f"  {source} {arrow} {target}"


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


@dataclasses.dataclass
class Workload:
    """A service or job as drawn: its node, its short name, and the lines that describe it."""

    node: str
    key: str
    kind: str  # "service" (the one of a stack), "web", "backend", "worker" or "job"
    text: str
    order: tuple[int, int, str]


def _short(name: str, stack: str) -> str:
    return name.removeprefix(f"{stack}-") if name != stack else name


def _main_container(task: Mapping[str, Any]) -> dict[str, Any]:
    found = containers(task)
    return next((c for c in found if c.get("essential", True)), found[0] if found else {})


def _sidecars(task: Mapping[str, Any]) -> str:
    """The task's other containers, said after its own: `<br/>sidecars: agent, init`."""
    others = [str(container.get("name", "")) for container in containers(task)[1:]]
    return f"<br/>sidecars: {', '.join(others)}" if others else ""


def _volume(service: Mapping[str, Any], container: Mapping[str, Any]) -> str:
    """A service's EBS volume, one a task: `<br/>EBS 20 GB gp3 a task at /data`."""
    configuration = block(service.get("volume_configuration"))
    volume = block(configuration.get("managed_ebs_volume"))
    if not volume:
        return ""
    mounted = [
        m.get("containerPath")
        for m in container.get("mountPoints", [])
        if m.get("sourceVolume") == configuration.get("name")
    ]
    where = f" at {mounted[0]}" if mounted else ""
    return f"<br/>EBS {volume.get('size_in_gb')} GB {volume.get('volume_type', 'gp3')} a task{where}"


def _hardening(container: Mapping[str, Any]) -> str:
    parts = [f"user {container['user']}" if container.get("user") else "the image's user"]
    dropped = container.get("linuxParameters", {}).get("capabilities", {}).get("drop", [])
    if "ALL" in dropped:
        parts.append("no capabilities")
    if container.get("readonlyRootFilesystem"):
        parts.append("read-only root")
    return ", ".join(parts)


def _size(task: Mapping[str, Any]) -> str:
    architecture = block(task.get("runtime_platform")).get("cpu_architecture", "X86_64")
    return f"{int(task['cpu']) / 1024:g} vCPU, {int(task['memory']) / 1024:g} GB, {architecture}"


def _security_groups(resources: Mapping[str, Any]) -> dict[str, str]:
    """Each task security group's owner: the service (its resource name) whose tasks it holds."""
    owners: dict[str, str] = {}
    for key, service in resources.get(SERVICE, {}).items():
        network = block(service.get("network_configuration"))
        for group in referenced(network.get("security_groups", []), "aws_security_group"):
            owners[group] = key
    return owners


def _routes(resources: Mapping[str, Any]) -> dict[str, list[tuple[int, str]]]:
    """Each service's listener rules (by its resource name): (priority, what they match)."""
    by_group: dict[str, str] = {}
    for key, service in resources.get(SERVICE, {}).items():
        for balancer in service.get("load_balancer", []) or []:
            for group in referenced(balancer.get("target_group_arn", ""), "aws_lb_target_group"):
                by_group[group] = key
    routes: dict[str, list[tuple[int, str]]] = {}
    for rule in resources.get("aws_lb_listener_rule", {}).values():
        hosts: list[str] = []
        paths: list[str] = []
        for condition in rule.get("condition", []) or []:
            hosts += block(condition.get("host_header")).get("values", [])
            paths += block(condition.get("path_pattern")).get("values", [])
        for group in referenced(rule.get("action", []), "aws_lb_target_group"):
            if group in by_group:
                routes.setdefault(by_group[group], []).append((int(rule.get("priority", 0)), " ".join(hosts + paths)))
    return routes


def _workloads(
    resources: Mapping[str, Any], stack: str, routes: Mapping[str, list[tuple[int, str]]]
) -> dict[str, Workload]:
    """Every service and job, by its resource name, described from its task definition."""
    targets = scaling_targets(resources)
    # Scheduled actions name their target; the target names its service.
    services_by_target = {name: service for service, (name, _) in targets.items()}
    schedules: dict[str, int] = {}
    for action in resources.get("aws_appautoscaling_scheduled_action", {}).values():
        for target_name in referenced(action.get("resource_id", ""), "aws_appautoscaling_target"):
            if target_name in services_by_target:
                service_key = services_by_target[target_name]
                schedules[service_key] = schedules.get(service_key, 0) + 1
    found: dict[str, Workload] = {}
    services = resources.get(SERVICE, {})
    for key, service in services.items():
        task = task_definition(resources, service.get("task_definition", ""))
        if task is None:
            continue
        name = str(service.get("name", key))
        container = _main_container(task)
        port = next((m.get("containerPort") for m in container.get("portMappings", [])), None)
        if key in targets:
            target = targets[key][1]
            count = f"{target['min_capacity']}-{target['max_capacity']} tasks"
            if schedules.get(key):
                count += f", {_plural(schedules[key], 'capacity schedule', 'capacity schedules')}"
        else:
            count = _plural(int(service.get("desired_count", 0)), "task", "tasks")
        aliases = [
            block(entry.get("client_alias"))
            for entry in block(service.get("service_connect_configuration")).get("service", []) or []
        ]
        alias = next((a for a in aliases if a.get("dns_name")), None)
        short = _short(name, stack)
        facts = f"{_size(task)}{f', port {port}' if port else ''}<br/>{_hardening(container)}{_sidecars(task)}"
        facts += _volume(service, container)
        if len(services) == 1 and name == stack:
            found[key] = Workload(
                "service", name, "service", f"{name}<br/>ECS service, {count}<br/>{facts}", (0, 0, "")
            )
        elif key in routes:
            first = min(priority for priority, _ in routes[key])
            found[key] = Workload(f"svc_{short}".replace("-", "_"), short, "web",
                                  f"{short}: web service<br/>{count}<br/>{facts}", (0, first, short))  # fmt: skip
        elif referenced(task.get("container_definitions", ""), "aws_sqs_queue"):
            found[key] = Workload(f"svc_{short}".replace("-", "_"), short, "worker",
                                  f"{short}: queue worker<br/>{count}<br/>{facts}", (1, 1, short))  # fmt: skip
        else:
            kind = f"backend at http://{alias['dns_name']}:{alias['port']}" if alias else "ECS service"
            found[key] = Workload(f"svc_{short}".replace("-", "_"), short, "backend",
                                  f"{short}: {kind}<br/>{count}<br/>{facts}", (1, 0, short))  # fmt: skip
    return found


def _jobs(resources: Mapping[str, Any], stack: str) -> dict[str, tuple[Workload, str]]:
    """Every scheduled job, by its schedule's resource name: its drawing and its schedule."""
    found: dict[str, tuple[Workload, str]] = {}
    for key, schedule in resources.get("aws_scheduler_schedule", {}).items():
        short = _short(str(schedule.get("name", key)), stack)
        task, state = job_run(resources, schedule)
        if task is None:
            continue
        lines = [f"{short}: job", _size(task)]
        if state:
            retries = sum(int(retry.get("MaxAttempts", 0)) for retry in state.get("Retry", []))
            timeout = state.get("TimeoutSeconds")
            lines.append(f"{f'timeout {timeout} s, ' if timeout else ''}{_plural(retries, 'retry', 'retries')}")
        lines.append(_hardening(_main_container(task)) + _sidecars(task))
        node = f"svc_{short}".replace("-", "_")
        found[key] = (Workload(node, short, "job", "<br/>".join(lines), (2, 0, short)),
                      str(schedule.get("schedule_expression", "")))  # fmt: skip
    return found


def _task_of(resources: Mapping[str, Any], workload_key: str) -> dict[str, Any]:
    """The task definition of a service or a job (by the service's or the schedule's resource name)."""
    service = resources.get(SERVICE, {}).get(workload_key)
    if service is not None:
        return task_definition(resources, service.get("task_definition", "")) or {}
    schedule = resources.get("aws_scheduler_schedule", {}).get(workload_key)
    return (job_run(resources, schedule)[0] or {}) if schedule is not None else {}


def _messaging(resources: Mapping[str, Any], stack: str, drawn: Mapping[str, Workload]) -> list[str]:
    """Topics and queues: who publishes to each topic, which queues it delivers to (with what filter), and
    which worker takes from each queue. ``drawn``: the workloads by their resource name."""
    queues = resources.get("aws_sqs_queue", {})
    topics = resources.get("aws_sns_topic", {})
    subscriptions = [s for s in resources.get("aws_sns_topic_subscription", {}).values() if s.get("protocol") == "sqs"]
    lines: list[str] = []
    drawn_topics: set[str] = set()

    def topic_node(key: str) -> str:
        short = _short(str(topics[key].get("name", key)), stack)
        node = f"topic_{short}".replace("-", "_")
        if key not in drawn_topics:
            drawn_topics.add(key)
            lines.append("  " + _node(node, f"SNS topic<br/>{short}", "[()]"))
        return node

    for key, workload in drawn.items():
        definitions = _task_of(resources, key).get("container_definitions", "")
        for topic in referenced(definitions, "aws_sns_topic"):
            if topic in topics:
                lines.append(_edge(workload.node, topic_node(topic), "publishes"))
        for queue in referenced(definitions, "aws_sqs_queue"):
            if queue not in queues:
                continue
            name = _short(str(queues[queue].get("name", queue)), stack)
            node = f"queue_{name}".replace("-", "_")
            received = re.search(r'"maxReceiveCount"\s*[:=]\s*(\d+)', str(queues[queue].get("redrive_policy", "")))
            dead = f"<br/>dead-letter queue after {received[1]} receives" if received else ""
            lines.append(_edge(_node(node, f"SQS queue<br/>{name}{dead}", "[()]"), workload.node, "receives"))
            for subscription in subscriptions:
                if queue not in referenced(subscription.get("endpoint", ""), "aws_sqs_queue"):
                    continue
                sources = [t for t in referenced(subscription.get("topic_arn", ""), "aws_sns_topic") if t in topics]
                source = sources[0] if sources else None
                filtered = subscription.get("filter_policy")
                label = f"filter {filtered}" if filtered else "every message"
                if subscription.get("raw_message_delivery"):
                    label += ", raw"
                lines.append(_edge(topic_node(source) if source else _node(f"{node}_source", str(subscription.get(
                    "topic_arn", ""))), node, label))  # fmt: skip
    return lines


def _calls(resources: Mapping[str, Any]) -> list[tuple[str, str, int]]:
    """(caller, callee, port) for each service admitted into another's tasks by a security-group rule."""
    owners = _security_groups(resources)
    found: list[tuple[str, str, int]] = []
    for rule in resources.get("aws_vpc_security_group_ingress_rule", {}).values():
        callers = [owners[g] for g in referenced(rule.get("referenced_security_group_id", ""), "aws_security_group")
                   if g in owners]  # fmt: skip
        callees = [
            owners[g] for g in referenced(rule.get("security_group_id", ""), "aws_security_group") if g in owners
        ]
        found += [(caller, callee, int(rule.get("from_port", 0))) for caller in callers for callee in callees]
    return found


def _tls(policy: str) -> str:
    if "TLS13-1-3" in policy:
        return "TLS 1.3"
    if "TLS13-1-2" in policy or "TLS-1-2" in policy:
        return "TLS 1.2+"
    return policy or "TLS"


def _front(resources: Mapping[str, Any], stack: str) -> tuple[list[str], str]:
    """The clients' side: WAF, listeners and DNS; and the load balancer's node."""
    lines = ["  " + _node("client", "Clients", "(())")]
    listeners = list(resources.get("aws_lb_listener", {}).values())
    https = next((listener for listener in listeners if listener.get("protocol") == "HTTPS"), None)
    balancers = list(resources.get("aws_lb", {}).values())
    if balancers:
        name = balancers[0].get("name", stack)
        mutual = block((https or {}).get("mutual_authentication")).get("mode")
        clients = f"<br/>client certificates: {mutual}" if mutual and mutual != "off" else ""
        alb = _node(
            "alb", f"Application Load Balancer<br/>{name}, {_tls((https or {}).get('ssl_policy', ''))}{clients}"
        )
    else:
        alb = _node("alb", "the given load balancer")
    entry = "alb"
    for acl in resources.get("aws_wafv2_web_acl", {}).values():
        limits = [
            block(rule.get("statement")).get("rate_based_statement", {}).get("limit") for rule in acl.get("rule", [])
        ]
        limit = next((value for value in limits if value), None)
        text = "WAF web ACL<br/>managed rules" + (f", {limit} requests per client per 5 min" if limit else "")
        lines += ["  " + _node("waf", text), _edge("client", "waf", "HTTPS 443"), _edge("waf", "alb")]
        entry = "waf"
        break
    if entry == "alb" and (https is not None or not balancers):
        lines.append(_edge("client", "alb", "HTTPS 443"))
    for listener in listeners:
        if listener.get("port") != 80:
            continue
        actions = [action.get("type") for action in listener.get("default_action", []) or []]
        if "redirect" in actions:
            lines.append(_edge("client", "alb", "HTTP 80: 301 to HTTPS", "-.->"))
        else:
            lines.append(_edge("client", "alb", "HTTP 80"))
    for record in resources.get("aws_route53_record", {}).values():
        if record.get("alias"):
            lines.append(_edge(_node("dns", f"Route53 alias<br/>{record.get('name', '')}"), "alb", arrow="-.->"))
    return lines, alb


def _egress(resources: Mapping[str, Any]) -> str:
    gateways = len(resources.get("aws_nat_gateway", {}))
    if gateways:
        return _node("egress", _plural(gateways, "NAT gateway", "NAT gateways"))
    endpoints = list(resources.get("aws_vpc_endpoint", {}).values())
    interface = [str(e.get("service_name", "")).rsplit("}.", 1)[-1] for e in endpoints
                 if e.get("vpc_endpoint_type") == "Interface"]  # fmt: skip
    if interface:
        gateway = ", S3 gateway" if any(e.get("vpc_endpoint_type") == "Gateway" for e in endpoints) else ""
        return _node("egress", f"VPC endpoints<br/>{', '.join(interface)}{gateway}")
    return _node("egress", "the VPC's own routes")


def _vpc(resources: Mapping[str, Any]) -> str:
    vpcs = list(resources.get("aws_vpc", {}).values())
    if not vpcs:
        return "the given VPC"
    zones = {subnet.get("availability_zone") for subnet in resources.get("aws_subnet", {}).values()}
    return f"VPC {vpcs[0].get('cidr_block', '')}, {_plural(len(zones), 'zone', 'zones')}"


def mermaid(document: Mapping[str, Any], name: str = "stack") -> str:
    """The stack's flowchart, in Mermaid; ``name`` is the stack's when its metadata does not say."""
    resources = document.get("resource", {})
    stack = stack_name(document, name)
    lines, alb = _front(resources, stack)
    lines.append("  subgraph " + _node("vpc", _vpc(resources)))
    lines += ["    subgraph " + _node("public", "Public subnets"), "      " + alb, "    end"]
    lines.append("    subgraph " + _node("private", "Private subnets, no public IP"))
    routes = _routes(resources)
    services = _workloads(resources, stack, routes)
    jobs = _jobs(resources, stack)
    drawn = sorted([*services.values(), *(job for job, _ in jobs.values())], key=lambda w: w.order)
    lines += ["      " + _node(workload.node, workload.text) for workload in drawn]
    lines += ["      " + _egress(resources), "    end", "  end"]
    calls = _calls(resources)
    for workload in drawn:
        key = next((k for k, w in services.items() if w is workload), None)
        for priority, match in sorted(routes.get(key or "", [])):
            lines.append(_edge("alb", workload.node, f"{match} · priority {priority}"))
        for caller, callee, port in calls:
            if caller == key and callee in services:
                lines.append(_edge(workload.node, services[callee].node, f"Service Connect, port {port}"))
        for job, schedule in jobs.values():
            if job is workload:
                lines.append(_edge(_node(f"schedule_{job.node}", f"EventBridge Scheduler<br/>{schedule}"),
                                   _node(f"run_{job.node}", "Step Functions run")))  # fmt: skip
                lines.append(_edge(f"run_{job.node}", job.node, "ecs:RunTask, waits, stops at timeout"))
    if drawn:
        lines.append(_edge(" & ".join(workload.node for workload in drawn), "egress", "HTTPS 443 out"))
    lines += _messaging(resources, stack, {**services, **{key: job for key, (job, _) in jobs.items()}})
    repositories = list(resources.get("aws_ecr_repository", {}).values())
    if repositories:
        tags = str(repositories[0].get("image_tag_mutability", "MUTABLE")).lower()
        text = f"ECR: {_plural(len(repositories), 'repository', 'repositories')}, {tags} tags"
        lines.append(_edge("egress", _node("ecr", text, "[()]")))
    groups = [
        g for g in resources.get("aws_cloudwatch_log_group", {}).values() if str(g.get("name", "")).startswith("/ecs/")
    ]
    if groups:
        encrypted = ", KMS" if any(g.get("kms_key_id") for g in groups) else ""
        lines.append(_edge("egress", _node("logs", f"CloudWatch Logs<br/>/ecs/{stack}*{encrypted}", "[()]")))
    if any(block(lb.get("access_logs")).get("enabled") for lb in resources.get("aws_lb", {}).values()):
        lines.append(_edge("alb", _node("logbucket", "S3 access-log bucket", "[()]"), "access logs"))
    if resources.get("aws_cloudwatch_metric_alarm") and resources.get("aws_sns_topic"):
        lines.append(_edge(_node("alarms", "CloudWatch alarms"), _node("topic", "SNS topic", "[()]")))
    return "\n".join(["flowchart LR", *lines])
