#!/usr/bin/env python
"""Draw each environment of environments.toml as a Mermaid flowchart, from its configuration.

    python scripts/diagram.py            # rewrite docs/diagrams.md and the README's diagram
    python scripts/diagram.py --check    # exit 1 if either is out of date (make test runs this)
    python scripts/diagram.py --print local

What is drawn is what the stack builds from the settings: the load balancer and its routes (with
the priorities the stack derives), each service with its task count and port, the backends
services call over Service Connect, the jobs and their schedules, how tasks reach AWS (VPC
endpoints or NAT gateways) and the data stores. The README shows `prod`.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from cdktf_fargate.options import Container, ServiceOptions

from stacks.environments import EnvironmentConfig, load_environment
from stacks.settings_file import environment_names, read_tables
from stacks.web_service_stack import network_options

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")


DIAGRAMS = ROOT / "docs" / "diagrams.md"
README = ROOT / "README.md"
README_ENVIRONMENT = "prod"


def _quoted(text: str) -> str:
    """Mermaid label text in quotes, so parentheses, slashes and stars stay text."""
    return '"' + text.replace('"', "#quot;") + '"'


def _count(options: ServiceOptions) -> str:
    scaling = options.scaling
    if scaling.enabled:
        return f"{scaling.min_count}-{scaling.max_count} tasks"
    return f"{options.desired_count} task{'s' if options.desired_count != 1 else ''}"


def _task(options: ServiceOptions) -> str:
    task = options.task
    return f"{task.cpu_units / 1024:g} vCPU, {task.memory_mib / 1024:g} GB, {task.cpu_architecture}"


def _hardening(container: Container) -> str:
    parts = [f"user {container.user}" if container.user else "the image's user"]
    if container.drop_all_capabilities:
        parts.append("no capabilities")
    if container.readonly_root_filesystem:
        parts.append("read-only root")
    return ", ".join(parts)


def _route(options: ServiceOptions, priority: int) -> str:
    routing = options.routing
    parts = [*routing.host_headers, *routing.path_patterns]
    return f"{' '.join(parts)} · priority {priority}"


def _node(node: str, text: str, shape: str = "[]") -> str:
    return f"{node}{shape[: len(shape) // 2]}{_quoted(text)}{shape[len(shape) // 2 :]}"


def _edge(source: str, target: str, label: str = "", arrow: str = "-->") -> str:
    return f"  {source} {arrow}|{_quoted(label)}| {target}" if label else f"  {source} {arrow} {target}"


def mermaid(config: EnvironmentConfig) -> str:
    """The environment's flowchart, in Mermaid."""
    name = config.resource_name
    alb = config.alb
    network = network_options(config)
    lines = ["flowchart LR", "  " + _node("client", "Clients", "(())")]
    if alb.waf.enabled:
        lines.append(
            "  "
            + _node(
                "waf",
                f"WAF web ACL<br/>managed rules, {alb.waf.rate_limit_per_5_minutes} requests per client per 5 min",
            )
        )
        lines += [_edge("client", "waf", "HTTPS 443"), _edge("waf", "alb")]
    else:
        lines.append(_edge("client", "alb", "HTTPS 443"))
    if alb.http_mode == "redirect":
        lines.append(_edge("client", "alb", "HTTP 80: 301 to HTTPS", "-.->"))
    elif alb.http_mode == "forward":
        lines.append(_edge("client", "alb", "HTTP 80"))
    if config.domain_name:
        lines.append(_edge(_node("dns", f"Route53 alias<br/>{config.domain_name}"), "alb", arrow="-.->"))
    zones = network.zone_count
    vpc_label = f"VPC {network.cidr_block}, {zones} zones" if not config.vpc_id else f"VPC {config.vpc_id}"
    lines.append("  subgraph " + _node("vpc", vpc_label))
    lines.append("    subgraph " + _node("public", "Public subnets"))
    lines.append("      " + _node("alb", f"Application Load Balancer<br/>{name}, TLS 1.2+"))
    lines.append("    end")
    lines.append("    subgraph " + _node("private", "Private subnets, no public IP"))
    tasks: list[str] = []
    after: list[str] = []
    if not config.services:
        service = config.service
        text = (
            f"{name}<br/>ECS service, {_count(service)}<br/>{_task(service)}, port {service.container.port}"
            f"<br/>{_hardening(service.container)}"
        )
        lines.append("      " + _node("service", text))
        tasks.append("service")
        after.append(_edge("alb", "service", _route(service, service.routing.priority)))
    else:
        priorities = config.web_priorities()
        for key, declared in config.services.items():
            node = f"svc_{key.replace('-', '_')}"
            tasks.append(node)
            if declared.kind == "job":
                job = declared.job
                retries = f"{job.retries} retr{'ies' if job.retries != 1 else 'y'}"
                text = (
                    f"{key}: job<br/>{job.task.cpu_units / 1024:g} vCPU, {job.task.memory_mib / 1024:g} GB, "
                    f"{job.task.cpu_architecture}<br/>timeout {job.timeout_seconds} s, {retries}"
                    f"<br/>{_hardening(job.container)}"
                )
                lines.append("      " + _node(node, text))
                after.append(_edge(_node(f"schedule_{node}", f"EventBridge Scheduler<br/>{job.schedule}"),
                                   _node(f"run_{node}", "Step Functions run")))  # fmt: skip
                after.append(_edge(f"run_{node}", node, "ecs:RunTask, waits, stops at timeout"))
                continue
            options = config.service_options(key)
            port = options.container.port
            kind = "web service" if declared.kind == "web" else f"backend at http://{key}:{port}"
            text = f"{key}: {kind}<br/>{_count(options)}<br/>{_task(options)}, port {port}"
            lines.append("      " + _node(node, f"{text}<br/>{_hardening(options.container)}"))
            if declared.kind == "web":
                after.append(_edge("alb", node, _route(options, priorities[key])))
            for callee in declared.calls:
                callee_port = config.services[callee].service.container.port
                after.append(_edge(node, f"svc_{callee.replace('-', '_')}", f"Service Connect, port {callee_port}"))
    if config.vpc_id:
        lines.append("      " + _node("egress", "the VPC's own routes"))
    elif network.allow_internet_egress:
        gateways = 1 if network.single_nat_gateway else zones
        lines.append("      " + _node("egress", f"{gateways} NAT gateway{'s' if gateways > 1 else ''}"))
    else:
        lines.append(
            "      " + _node("egress", f"VPC endpoints<br/>{', '.join(network.interface_endpoints)}, S3 gateway")
        )
    lines += ["    end", "  end", *after]
    lines.append(_edge(" & ".join(tasks), "egress", "HTTPS 443 out"))
    repositories = len([declared for declared in config.services.values() if not declared.repository]) or 1
    plural = "ies" if repositories > 1 else "y"
    tags = config.repository.image_tag_mutability.lower()
    lines.append(_edge("egress", _node("ecr", f"ECR: {repositories} repositor{plural}, {tags} tags", "[()]")))
    encrypted = ", KMS" if config.kms_enabled else ""
    lines.append(_edge("egress", _node("logs", f"CloudWatch Logs<br/>/ecs/{name}*{encrypted}", "[()]")))
    if alb.access_logs.enabled:
        lines.append(_edge("alb", _node("logbucket", "S3 access-log bucket", "[()]"), "access logs"))
    if config.alarms_enabled:
        lines.append(_edge(_node("alarms", "CloudWatch alarms"), _node("topic", "SNS topic", "[()]")))
    return "\n".join(lines)


def environments() -> list[str]:
    return environment_names(read_tables()[1])


def diagrams_document() -> str:
    sections = [
        "# Diagrams",
        "",
        "Generated from `environments.toml` by `make diagram`; `make test` fails when one is out of date.",
        "Each shows what the stack builds for that environment's settings.",
    ]
    for environment in environments():
        sections += ["", f"## `{environment}`", "", "```mermaid", mermaid(load_environment(environment)), "```"]
    return "\n".join(sections) + "\n"


def readme_with_diagram(text: str) -> str:
    block = f"<!-- diagram:{README_ENVIRONMENT} -->\n```mermaid\n{mermaid(load_environment(README_ENVIRONMENT))}\n```\n"
    pattern = re.compile(rf"<!-- diagram:{README_ENVIRONMENT} -->\n```mermaid\n.*?```\n", re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"README.md has no <!-- diagram:{README_ENVIRONMENT} --> followed by a mermaid block")
    return pattern.sub(lambda _: block, text, count=1)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a diagram is out of date")
    parser.add_argument("--print", metavar="ENV", help="print one environment's diagram")
    args = parser.parse_args(argv)
    if args.print:
        print(mermaid(load_environment(args.print)))
        return 0
    expected = {DIAGRAMS: diagrams_document(), README: readme_with_diagram(README.read_text())}
    stale = [path.name for path, text in expected.items() if not path.exists() or path.read_text() != text]
    if args.check:
        if stale:
            print(f"out of date: {', '.join(stale)}: run `make diagram`", file=sys.stderr)
            return 1
        return 0
    for path, text in expected.items():
        path.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
