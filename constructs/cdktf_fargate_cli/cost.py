"""`cdktf-fargate cost`: an offline monthly estimate of a synthesized stack, priced from a dated table.

Everything priced is read from the stack (`cdk.tf.json`), so any app built from the constructs can
price its own: each ECS service's tasks (the autoscaling minimum, else its desired count) and each
scheduled job's runs, at their task definition's size, processor and Spot share; NAT gateways, the
load balancers, public IPv4 addresses, interface VPC endpoints, CloudWatch log groups at their
retention, KMS keys, WAF web ACLs, Route53 zones, the Secrets Manager secrets the containers read, the
alarms, the services' SNS topics and workers' SQS queues (with the empty receives of long polling),
each task's EBS volume and the trust stores of listeners that check client certificates.
What the stack cannot know (traffic, log volume, how long a job runs, messages) is `CostAssumptions`.
Prices are `prices.toml` beside this module, dated; a table over a year old is warned about.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .synthesized import (
    block,
    containers,
    default_tags,
    job_run,
    referenced,
    scaling_targets,
    stack_document,
    stack_name,
    task_definition,
    walk,
)

PRICES = Path(__file__).with_name("prices.toml")
HOURS = 730  # AWS's month
SECONDS = HOURS * 3600
STALE_AFTER_DAYS = 365
# A load balancer capacity unit: 25 new connections a second, or 1 GB processed an hour (the larger counts).
LCU_CONNECTIONS_PER_SECOND = 25
LCU_GB_PER_HOUR = 1.0
# The storage a Fargate task has without charge; more is priced by the GB-hour.
FARGATE_STORAGE_GIB = 20
# A load balancer spans at least two zones; the count when its subnets are not known at synth.
ZONES_WHEN_UNKNOWN = 2


@dataclasses.dataclass(frozen=True)
class Item:
    resource: str
    what: str
    quantity: float
    unit: str
    unit_usd: float
    monthly_usd: float


@dataclasses.dataclass(frozen=True)
class Workload:
    """What Fargate charges for, as the stack declares it: a service's tasks or a job's runs."""

    name: str
    is_job: bool
    cpu_units: int
    memory_mib: int
    arm: bool
    strategy: tuple[tuple[str, int, int], ...]  # (capacity provider, weight, base)
    tasks: float = 1.0  # a service's tasks when idle
    schedule: str = ""  # a job's
    enabled: bool = True
    definitions: str = ""  # its containers as synthesized, with the references to what they are told of
    storage_gib: int = FARGATE_STORAGE_GIB  # its task's own storage


def load_prices(path: Path = PRICES) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def region_prices(prices: dict[str, Any], region: str) -> dict[str, float]:
    if region not in prices["regions"]:
        raise ValueError(f"region={region!r}: the price table has prices for {', '.join(prices['regions'])} only "
                         "(add the region's to a copy of it and pass --prices)")  # fmt: skip
    return {**prices["global"], **prices["regions"][region], "fargate_spot_discount": prices["fargate_spot_discount"]}


def stale_warning(prices: dict[str, Any], today: datetime.date) -> str | None:
    as_of = datetime.date.fromisoformat(prices["as_of"])
    if (today - as_of).days > STALE_AFTER_DAYS:
        return (f"warning: prices are from {as_of} ({(today - as_of).days} days ago): "
                "pass --prices with a table updated from its sources")  # fmt: skip
    return None


def runs_per_month(schedule: str) -> float:
    """Runs a month of a Scheduler expression: rate() exactly, cron() by its fields, at() once or never."""
    rate = re.fullmatch(r"rate\((\d+) (minute|hour|day)s?\)", schedule)
    if rate:
        every = int(rate.group(1)) * {"minute": 1 / 60, "hour": 1, "day": 24}[rate.group(2)]
        return HOURS / every
    cron = re.fullmatch(r"cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)", schedule)
    if not cron:
        return 0.0
    minutes, hours, day, _month, weekday, _year = cron.groups()
    days = HOURS / 24
    if day not in ("*", "?"):
        days = float(_count_values(day, 1, 31))
    elif weekday not in ("*", "?"):
        days *= _count_values(weekday, 1, 7) / 7
    return _count_values(minutes, 0, 59) * _count_values(hours, 0, 23) * days


def _count_values(field: str, low: int, high: int) -> int:
    total = 0
    for part in field.split(","):
        base, _, step = part.partition("/")
        if base in ("*", "?"):
            start, end = low, high
        elif "-" in base and all(side.isdigit() for side in base.split("-")):
            start, end = (int(side) for side in base.split("-"))
        elif base.isdigit():
            start = int(base)
            end = high if step else start
        else:
            total += 1  # a name (MON, L, 3#2): one value
            continue
        total += len(range(start, end + 1, int(step) if step.isdigit() else 1))
    return max(total, 1)


# --- reading the stack --------------------------------------------------------------------------------


def _strategy(entries: Any, provider: str, weight: str, base: str) -> tuple[tuple[str, int, int], ...]:
    return tuple((entry[provider], int(entry.get(weight, 0)), int(entry.get(base, 0))) for entry in entries or [])


def _task_size(task: Mapping[str, Any]) -> tuple[int, int, bool]:
    platform = block(task.get("runtime_platform"))
    return int(task["cpu"]), int(task["memory"]), platform.get("cpu_architecture") == "ARM64"


def _storage(task: Mapping[str, Any]) -> int:
    return int(block(task.get("ephemeral_storage")).get("size_in_gib", FARGATE_STORAGE_GIB))


def workloads(resources: Mapping[str, Any]) -> list[Workload]:
    """Each ECS service and each scheduled job of the stack, with its task definition's size."""
    default_strategy: tuple[tuple[str, int, int], ...] = ()
    for cluster in resources.get("aws_ecs_cluster_capacity_providers", {}).values():
        default_strategy = _strategy(cluster.get("default_capacity_provider_strategy"), "capacity_provider",
                                     "weight", "base")  # fmt: skip
    targets = scaling_targets(resources)
    found: list[Workload] = []
    for key, service in resources.get("aws_ecs_service", {}).items():
        task = task_definition(resources, service.get("task_definition", ""))
        if task is None:
            continue
        count = float(targets[key][1]["min_capacity"] if key in targets else service.get("desired_count", 0))
        strategy = _strategy(service.get("capacity_provider_strategy"), "capacity_provider", "weight", "base")
        if not strategy and not service.get("launch_type"):
            strategy = default_strategy
        definitions = str(task.get("container_definitions", ""))
        found.append(Workload(str(service.get("name", key)), False, *_task_size(task), strategy, tasks=count,
                              definitions=definitions, storage_gib=_storage(task)))  # fmt: skip
    for key, schedule in resources.get("aws_scheduler_schedule", {}).items():
        task, state = job_run(resources, schedule)
        if task is None:
            continue
        if state is None:
            parameters = block(block(schedule.get("target")).get("ecs_parameters"))
            strategy = _strategy(parameters.get("capacity_provider_strategy"), "capacity_provider", "weight", "base")
        else:
            entries: Any = next((inner for name, inner in walk(state) if name == "CapacityProviderStrategy"), [])
            strategy = _strategy(entries, "CapacityProvider", "Weight", "Base")
        found.append(
            Workload(
                str(schedule.get("name", key)),
                True,
                *_task_size(task),
                strategy or default_strategy,
                schedule=str(schedule.get("schedule_expression", "")),
                enabled=schedule.get("state") != "DISABLED",
                definitions=str(task.get("container_definitions", "")),
                storage_gib=_storage(task),
            )
        )
    return found


def spot_share(strategy: Sequence[tuple[str, int, int]], tasks: float) -> float:
    """The share of ``tasks`` on FARGATE_SPOT: each provider's base first, the rest by the weights."""
    if tasks <= 0 or not strategy:
        return 0.0
    spot = sum(min(base, tasks) for provider, _, base in strategy if provider == "FARGATE_SPOT")
    above_base = max(tasks - sum(base for _, _, base in strategy), 0)
    total = sum(weight for _, weight, _ in strategy)
    if total:
        spot += above_base * sum(weight for provider, weight, _ in strategy if provider == "FARGATE_SPOT") / total
    return min(spot / tasks, 1.0)


def _zones(subnets: Any, fallback: int) -> int:
    return len(subnets) if isinstance(subnets, list) else fallback


def secrets_manager_secrets(resources: Mapping[str, Any]) -> set[str]:
    """The Secrets Manager secrets the containers read, each once (a JSON key of one is the same secret)."""
    found: set[str] = set()
    for task in resources.get("aws_ecs_task_definition", {}).values():
        for container in containers(task):
            for secret in container.get("secrets", []):
                value = str(secret.get("valueFrom", ""))
                if ":secretsmanager:" in value:
                    found.add(":".join(value.split(":")[:7]))
    return found


# --- pricing ------------------------------------------------------------------------------------------


def _fargate(
    resource: str, what: str, workload: Workload, *, hours: float, spot: float, price: dict[str, float]
) -> list[Item]:
    vcpu, gb = workload.cpu_units / 1024, workload.memory_mib / 1024
    prefix = "fargate_arm_" if workload.arm else "fargate_"
    vcpu_usd, gb_usd = price[f"{prefix}vcpu_hour"], price[f"{prefix}gb_hour"]
    # The Spot share pays the on-demand price less the discount.
    factor = 1 - spot * price["fargate_spot_discount"]
    items = [
        Item(resource, f"{what}: vCPU hours", vcpu * hours, "vCPU-hour", vcpu_usd * factor,
             vcpu * hours * vcpu_usd * factor),
        Item(resource, f"{what}: GB hours", gb * hours, "GB-hour", gb_usd * factor, gb * hours * gb_usd * factor),
    ]  # fmt: skip
    extra = workload.storage_gib - FARGATE_STORAGE_GIB
    if extra > 0:
        # Storage is charged at the on-demand price whichever capacity runs the task.
        storage_usd = price["fargate_storage_gb_hour"]
        items.append(Item(resource, f"{what}: storage GB hours past {FARGATE_STORAGE_GIB}", extra * hours,
                          "GB-hour", storage_usd, extra * hours * storage_usd))  # fmt: skip
    return items


def estimate(document: dict[str, Any], price: dict[str, float], usage: Any) -> list[Item]:
    """Every priced line of the synthesized ``document``; ``usage`` is a `CostAssumptions`."""
    resources = document.get("resource", {})
    items: list[Item] = []

    def count(kind: str) -> int:
        return len(resources.get(kind, {}))

    found = workloads(resources)
    for workload in found:
        if workload.is_job:
            runs = runs_per_month(workload.schedule) if workload.enabled else 0.0
            tasks, hours = 1.0, runs * usage.job_run_minutes / 60
            what = f"{workload.name}: {runs:.1f} runs x {usage.job_run_minutes:g} min"
        else:
            tasks = workload.tasks
            hours = tasks * HOURS
            what = f"{workload.name}: {tasks:g} tasks x {workload.cpu_units} CPU / {workload.memory_mib} MiB"
        resource = "fargate_job_runs" if workload.is_job else "aws_ecs_service"
        items += _fargate(resource, what, workload, hours=hours, spot=spot_share(workload.strategy, tasks), price=price)

    def add(resource: str, what: str, quantity: float, unit: str, price_key: str) -> None:
        items.append(Item(resource, what, quantity, unit, price[price_key], quantity * price[price_key]))

    if count("aws_nat_gateway"):
        add("aws_nat_gateway", "hours", count("aws_nat_gateway") * HOURS, "hour", "nat_gateway_hour")
        add("aws_nat_gateway", "processed GB", usage.egress_gb_per_month, "GB", "nat_gateway_gb")
    endpoints = resources.get("aws_vpc_endpoint", {}).values()
    interface = [endpoint for endpoint in endpoints if endpoint.get("vpc_endpoint_type") == "Interface"]
    if interface:
        zone_hours = sum(_zones(endpoint.get("subnet_ids"), ZONES_WHEN_UNKNOWN) for endpoint in interface) * HOURS
        zones = round(zone_hours / HOURS / len(interface), 2)
        what = f"{len(interface)} interface endpoints x {zones:g} zones"
        add("aws_vpc_endpoint", what, zone_hours, "hour", "interface_endpoint_hour")
        add("aws_vpc_endpoint", "processed GB", usage.egress_gb_per_month, "GB", "interface_endpoint_gb")
    balancers = [lb for lb in resources.get("aws_lb", {}).values() if lb.get("load_balancer_type", "application")
                 == "application"]  # fmt: skip
    if balancers:
        gb_per_hour = usage.requests_per_second * usage.response_kb * 3600 / 1e6
        lcus = max(usage.requests_per_second / LCU_CONNECTIONS_PER_SECOND, gb_per_hour / LCU_GB_PER_HOUR)
        add("aws_lb", "hours", len(balancers) * HOURS, "hour", "alb_hour")
        add("aws_lb", f"{lcus:.2f} LCUs (the larger of new connections and GB processed)", lcus * HOURS, "LCU-hour",
            "alb_lcu_hour")  # fmt: skip
    # Mutual TLS in verify mode is charged by the hour for each trust store a listener uses; passthrough is not.
    verifying = [listener for listener in resources.get("aws_lb_listener", {}).values()
                 if block(listener.get("mutual_authentication")).get("mode") == "verify"]  # fmt: skip
    if verifying:
        add("aws_lb_trust_store", f"{len(verifying)} listeners checking client certificates", len(verifying) * HOURS,
            "association-hour", "alb_trust_store_association_hour")  # fmt: skip
    # Since February 2024 every public IPv4 address costs: an internet-facing load balancer has one per zone.
    public = [lb for lb in balancers if not lb.get("internal")]
    lb_addresses = sum(_zones(lb.get("subnets"), ZONES_WHEN_UNKNOWN) for lb in public)
    if lb_addresses or count("aws_eip"):
        what = f"{lb_addresses} for the load balancer, {count('aws_eip')} for NAT gateways"
        add("public_ipv4", what, (lb_addresses + count("aws_eip")) * HOURS, "hour", "public_ipv4_hour")
    for body in resources.get("aws_cloudwatch_log_group", {}).values():
        name = str(body.get("name", ""))
        ingested = usage.flow_log_gb_per_month if name.startswith("/vpc/") else usage.log_gb_per_month_per_service
        if name.startswith("aws-waf-logs"):
            ingested = usage.requests_per_second * SECONDS * 1.5e-6  # about 1.5 KB a logged request
        retention = body.get("retention_in_days") or 3650
        add("aws_cloudwatch_log_group", f"{name}: ingested", ingested, "GB", "logs_ingestion_gb")
        stored = ingested * min(retention, 3650) / 30
        add("aws_cloudwatch_log_group", f"{name}: stored over {retention} days", stored, "GB-month",
            "logs_storage_gb_month")  # fmt: skip
    if count("aws_kms_key"):
        add("aws_kms_key", "keys", count("aws_kms_key"), "key-month", "kms_key_month")
    for body in resources.get("aws_wafv2_web_acl", {}).values():
        rules = len(body.get("rule", []))
        add("aws_wafv2_web_acl", "web ACL", 1, "month", "waf_web_acl_month")
        add("aws_wafv2_web_acl", f"{rules} rules", rules, "rule-month", "waf_rule_month")
        add("aws_wafv2_web_acl", "requests", usage.requests_per_second * SECONDS / 1e6, "million",
            "waf_million_requests")  # fmt: skip
    if count("aws_route53_zone"):
        add("aws_route53_zone", "hosted zones", count("aws_route53_zone"), "zone-month", "route53_zone_month")
    secrets = secrets_manager_secrets(resources)
    if secrets:
        add("secretsmanager_secret", "secrets the tasks read", len(secrets), "secret-month", "secret_month")
    if count("aws_cloudwatch_metric_alarm"):
        add("aws_cloudwatch_metric_alarm", "alarms", count("aws_cloudwatch_metric_alarm"), "alarm-month", "alarm_month")
    items += _messaging(resources, found, price, usage)
    items += _volumes(resources, found, price)
    return items


def _volumes(resources: Mapping[str, Any], found: Sequence[Workload], price: Mapping[str, Any]) -> list[Item]:
    """Each service's tasks' EBS volumes (one a task, as many as its idle tasks), by size, type and performance."""
    items: list[Item] = []
    tasks = {workload.name: workload.tasks for workload in found}
    for key, service in resources.get("aws_ecs_service", {}).items():
        name = str(service.get("name", key))
        volume = block(block(service.get("volume_configuration")).get("managed_ebs_volume"))
        if not volume or name not in tasks:
            continue
        count, kind, size = tasks[name], str(volume.get("volume_type", "gp3")), float(volume.get("size_in_gb", 0))
        by_type = price["ebs_gb_month"]
        items.append(Item("ebs_volume", f"{name}: {count:g} x {size:g} GB {kind}", count * size, "GB-month",
                          by_type[kind], count * size * by_type[kind]))  # fmt: skip
        iops, throughput = volume.get("iops"), volume.get("throughput")
        extra: list[tuple[str, float, str, str]] = []
        if kind == "gp3":
            extra = [
                ("IOPS past 3000", max(float(iops or 3000) - 3000, 0), "IOPS-month", "ebs_gp3_iops_month"),
                ("MiB/s past 125", max(float(throughput or 125) - 125, 0), "MiB/s-month", "ebs_gp3_mibps_month"),
            ]
        elif kind in ("io1", "io2"):
            extra = [("provisioned IOPS", float(iops or 0), "IOPS-month", "ebs_provisioned_iops_month")]
        for what, quantity, unit, key_ in extra:
            if quantity:
                items.append(Item("ebs_volume", f"{name}: {what}", count * quantity, unit, price[key_],
                                  count * quantity * price[key_]))  # fmt: skip
    return items


def _messaging(
    resources: Mapping[str, Any], found: Sequence[Workload], price: dict[str, float], usage: Any
) -> list[Item]:
    """SNS publishes to the topics tasks publish to, and SQS requests of the queues workers take from: a send, a
    receive and a delete a message, and the receives that wait `receive_wait_time_seconds` and find nothing."""
    items: list[Item] = []
    messages = usage.messages_per_month / 1e6
    published: set[str] = set()
    consumers: dict[str, float] = {}
    for workload in found:
        published.update(referenced(workload.definitions, "aws_sns_topic"))
        for queue in referenced(workload.definitions, "aws_sqs_queue"):
            consumers[queue] = consumers.get(queue, 0.0) + workload.tasks
    topics = resources.get("aws_sns_topic", {})
    for key in sorted(published & set(topics)):
        name = str(topics[key].get("name", key))
        items.append(Item("aws_sns_topic", f"{name}: publishes", messages, "million", price["sns_million_publishes"],
                          messages * price["sns_million_publishes"]))  # fmt: skip
    queues = resources.get("aws_sqs_queue", {})
    for key, tasks in consumers.items():
        if key not in queues:
            continue
        queue = queues[key]
        wait = int(queue.get("receive_wait_time_seconds") or 0)
        # Each task polls without pause: one empty receive per wait (long polling), or per second when short.
        empty = tasks * SECONDS / max(wait, 1) / 1e6
        requests = 3 * messages + empty
        what = f"{queue.get('name', key)}: {3 * messages:g}M for messages, {empty:.2f}M empty receives"
        items.append(Item("aws_sqs_queue", what, requests, "million", price["sqs_million_requests"],
                          requests * price["sqs_million_requests"]))  # fmt: skip
    return items


def region(document: dict[str, Any]) -> str:
    """The region of the stack's default AWS provider (the one without an alias)."""
    providers = document.get("provider", {}).get("aws", [])
    default = next((p for p in providers if "alias" not in p), providers[0] if providers else {})
    found = default.get("region", "")
    if not found or "${" in str(found):
        raise ValueError("the stack's AWS provider has no region written in it: pass --region")
    return str(found)


def rollout(document: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Each service's worst rollout and rollback, when the stack outputs them (docs/operations.md#rollout-time)."""
    outputs = document.get("output", {})
    if "rollout_worst_case_seconds" not in outputs or "rollback_worst_case_seconds" not in outputs:
        return {}
    rollouts, rollbacks = (outputs[name]["value"] for name in ("rollout_worst_case_seconds",
                                                                "rollback_worst_case_seconds"))  # fmt: skip
    if not isinstance(rollouts, dict):
        rollouts, rollbacks = {"service": rollouts}, {"service": rollbacks}
    return {
        key: {"rollout_worst_case_seconds": rollouts[key], "rollback_worst_case_seconds": rollbacks[key]}
        for key in rollouts
    }


def report(
    document: dict[str, Any], items: list[Item], prices: dict[str, Any], usage: Any, *, where: str, name: str = "stack"
) -> dict[str, Any]:
    """The estimate as `--json` writes it; ``name`` is the stack's when its metadata does not say."""
    environment = default_tags(document).get("Environment") or stack_name(document, name)
    return {
        "stack": stack_name(document, name),
        "environment": environment,
        "region": where,
        "monthly_usd_total": round(sum(item.monthly_usd for item in items), 2),
        "items": [{**dataclasses.asdict(item), "monthly_usd": round(item.monthly_usd, 2)} for item in items],
        "assumptions": {**dataclasses.asdict(usage), "hours_per_month": HOURS},
        "prices_as_of": prices["as_of"],
        # Not a cost, but what else a deploy of this configuration costs: time (docs/operations.md#rollout-time).
        "rollout": rollout(document),
    }


def cost_of(directory: Path, prices: dict[str, Any], usage: Any, given_region: str | None = None) -> dict[str, Any]:
    document = stack_document(directory)
    where = given_region or region(document)
    items = estimate(document, region_prices(prices, where), usage)
    return report(document, items, prices, usage, where=where, name=directory.name)


def table(result: dict[str, Any]) -> str:
    rows = [f"{'resource':<28} {'what':<64} {'USD/month':>10}"]
    rows += [f"{item['resource']:<28} {item['what'][:64]:<64} {item['monthly_usd']:>10.2f}" for item in result["items"]]
    rows.append(f"{'total':<93} {result['monthly_usd_total']:>10.2f}")
    for key, times in result["rollout"].items():
        rows.append(f"rollout of {key}: up to {times['rollout_worst_case_seconds']} s; a failed one rolled back "
                    f"within {times['rollback_worst_case_seconds']} s")  # fmt: skip
    rows.append(f"{result['stack']} in {result['region']}, prices of {result['prices_as_of']}; assumptions: "
                + ", ".join(f"{key}={value:g}" for key, value in result["assumptions"].items()))  # fmt: skip
    return "\n".join(rows)


def diff(first: dict[str, Any], second: dict[str, Any]) -> str:
    def by_resource(result: dict[str, Any]) -> dict[str, float]:
        totals: dict[str, float] = {}
        for item in result["items"]:
            totals[item["resource"]] = totals.get(item["resource"], 0.0) + item["monthly_usd"]
        return totals

    a, b = by_resource(first), by_resource(second)
    rows = [f"{'resource':<28} {first['environment']:>12} {second['environment']:>12} {'difference':>12}"]
    for resource in sorted(set(a) | set(b)):
        left, right = a.get(resource, 0.0), b.get(resource, 0.0)
        if not math.isclose(left, right):
            rows.append(f"{resource:<28} {left:>12.2f} {right:>12.2f} {right - left:>+12.2f}")
    total_a, total_b = first["monthly_usd_total"], second["monthly_usd_total"]
    rows.append(f"{'total':<28} {total_a:>12.2f} {total_b:>12.2f} {total_b - total_a:>+12.2f}")
    return "\n".join(rows)


# --- the assumptions ----------------------------------------------------------------------------------


def usage_from(pairs: Sequence[str], file: Path | None = None, table_path: str = "") -> Any:
    """The `CostAssumptions` of ``file`` (its ``table_path`` table, dotted), overridden by ``pairs``
    (NAME=VALUE): a bad one is a ValueError naming it as the user wrote it."""
    # The option types need the construct library; only this command loads it.
    from cdktf_fargate.options import CostAssumptions, Problems, check_options, options_from_mapping  # noqa: PLC0415

    usage = CostAssumptions()
    if file is not None:
        try:
            with file.open("rb") as handle:
                tables: Any = tomllib.load(handle)
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise ValueError(f"--usage-file {str(file)!r}: {error}") from None
        for part in [part for part in table_path.split(".") if part]:
            # A table the file lacks is the defaults: an environment that sets no `cost` assumes them.
            tables = tables.get(part, {}) if isinstance(tables, dict) else {}
        problems = Problems(f"--usage-file {str(file)!r}")
        usage = options_from_mapping(CostAssumptions, tables, table_path, problems) or usage
        check_options(problems, table_path, usage)
        problems.raise_if_any()
    given: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise ValueError(f"--usage {pair!r}: give NAME=VALUE, e.g. requests_per_second=50")
        try:
            given[name.strip()] = float(value)
        except ValueError:
            raise ValueError(f"--usage {pair!r}: {value!r} is not a number") from None
    problems = Problems("--usage")
    overrides = options_from_mapping(CostAssumptions, given, "", problems)
    if overrides is not None:
        check_options(problems, "", overrides)
    problems.raise_if_any()
    return dataclasses.replace(usage, **{name: getattr(overrides, name) for name in given})
