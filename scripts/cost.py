#!/usr/bin/env python
"""An offline monthly cost estimate of an environment, from its synthesized stack and a dated price table.

    python scripts/cost.py [ENV]                # CDKTF_FARGATE_ENV or prod; writes cdktf.out/cost-<env>.json
    python scripts/cost.py --diff dev prod      # what differs, line by line

One line per priced resource of the synthesized stack: Fargate vCPU and GB hours of each service's
task count (the minimum under autoscaling, the Spot share and ARM prices applied) and of each job's
runs, NAT gateways (hours and GB), the load balancer (hours and LCUs), public IPv4 addresses,
interface VPC endpoints (hours per zone and GB), CloudWatch Logs (ingestion and stored GB at the
retention), KMS keys, the WAF web ACL (rules and requests), Route53 zones, Secrets Manager
secrets and alarms. Usage the stack cannot know is the environment's `cost.*` settings
(docs/cost.md). Prices are `pricing/aws.toml`, dated; a table over a year old is warned about.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import re
import sys
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from stacks.environments import ENV_VAR, EnvironmentConfig, load_environment  # noqa: E402

PRICES = ROOT / "pricing" / "aws.toml"
HOURS = 730  # AWS's month
SECONDS = HOURS * 3600
STALE_AFTER_DAYS = 365
# A load balancer capacity unit: 25 new connections a second, or 1 GB processed an hour (the larger counts).
LCU_CONNECTIONS_PER_SECOND = 25
LCU_GB_PER_HOUR = 1.0


@dataclass(frozen=True)
class Item:
    resource: str
    what: str
    quantity: float
    unit: str
    unit_usd: float
    monthly_usd: float


def load_prices(path: Path = PRICES) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def region_prices(prices: dict[str, Any], region: str) -> dict[str, float]:
    if region not in prices["regions"]:
        raise ValueError(f"region={region!r}: pricing/aws.toml has prices for {', '.join(prices['regions'])} only")
    return {**prices["global"], **prices["regions"][region], "fargate_spot_discount": prices["fargate_spot_discount"]}


def stale_warning(prices: dict[str, Any], today: datetime.date) -> str | None:
    as_of = datetime.date.fromisoformat(prices["as_of"])
    if (today - as_of).days > STALE_AFTER_DAYS:
        return f"warning: prices are from {as_of} ({(today - as_of).days} days ago): update pricing/aws.toml"
    return None


def synthesized(config: EnvironmentConfig) -> dict[str, Any]:
    from cdktf import Testing

    from stacks.web_service_stack import WebServiceStack

    stack = WebServiceStack(Testing.app(), config.stack_name, config=config)
    return json.loads(Testing.synth(stack))


def runs_per_month(schedule: str) -> float:
    """Runs a month of a Scheduler expression: rate() exactly, cron() by its fields, at() once or never."""
    rate = re.fullmatch(r"rate\((\d+) (minute|hour|day)s?\)", schedule)
    if rate:
        hours = int(rate.group(1)) * {"minute": 1 / 60, "hour": 1, "day": 24}[rate.group(2)]
        return HOURS / hours
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


@dataclass(frozen=True)
class Size:
    """What Fargate charges for: vCPU and GB of a task, its hours, its processor, its Spot share."""

    vcpu: float
    gb: float
    hours: float
    arm: bool
    spot: float


def _fargate(resource: str, what: str, size: Size, price: dict[str, float]) -> list[Item]:
    vcpu, gb, hours = size.vcpu, size.gb, size.hours
    prefix = "fargate_arm_" if size.arm else "fargate_"
    vcpu_usd, gb_usd = price[f"{prefix}vcpu_hour"], price[f"{prefix}gb_hour"]
    # The Spot share pays the on-demand price less the discount.
    factor = 1 - size.spot * price["fargate_spot_discount"]
    return [
        Item(
            resource,
            f"{what}: vCPU hours",
            vcpu * hours,
            "vCPU-hour",
            vcpu_usd * factor,
            vcpu * hours * vcpu_usd * factor,
        ),
        Item(resource, f"{what}: GB hours", gb * hours, "GB-hour", gb_usd * factor, gb * hours * gb_usd * factor),
    ]


def _spot_share(capacity: Any, tasks: float) -> float:
    """The share of ``tasks`` on FARGATE_SPOT: the base runs on FARGATE, the rest by the weights."""
    total = capacity.fargate_weight + capacity.fargate_spot_weight
    if tasks <= 0 or not capacity.fargate_spot_weight or total == 0:
        return 0.0
    above_base = max(tasks - capacity.fargate_base, 0)
    return above_base * capacity.fargate_spot_weight / total / tasks


def estimate(config: EnvironmentConfig, document: dict[str, Any], price: dict[str, float]) -> list[Item]:
    """Every priced line, from the synthesized ``document`` and the environment's settings."""
    resources = document.get("resource", {})
    usage = config.cost
    items: list[Item] = []

    def count(kind: str) -> int:
        return len(resources.get(kind, {}))

    workloads: list[tuple[str, Any, bool]] = []  # (name, options with task/capacity, is a job)
    if config.services:
        for key, declared in config.services.items():
            workloads.append(
                (key, declared.job if declared.kind == "job" else declared.service, declared.kind == "job")
            )
    else:
        workloads.append(("service", config.service, False))
    for key, options, is_job in workloads:
        vcpu, gb = options.task.cpu_units / 1024, options.task.memory_mib / 1024
        arm = options.task.cpu_architecture == "ARM64"
        if is_job:
            runs = runs_per_month(options.schedule) if options.enabled else 0.0
            tasks, hours = 1.0, runs * usage.job_run_minutes / 60
            what = f"{key}: {runs:.1f} runs x {usage.job_run_minutes:g} min"
        else:
            tasks = float(options.scaling.min_count if options.scaling.enabled else options.desired_count)
            hours = tasks * HOURS
            what = f"{key}: {tasks:g} tasks x {options.task.cpu_units} CPU / {options.task.memory_mib} MiB"
        spot = _spot_share(options.capacity, tasks)
        resource = "fargate_job_runs" if is_job else "aws_ecs_service"
        items += _fargate(resource, what, Size(vcpu, gb, hours, arm, spot), price)

    def add(resource: str, what: str, quantity: float, unit: str, price_key: str) -> None:
        items.append(Item(resource, what, quantity, unit, price[price_key], quantity * price[price_key]))

    zones = config.network.zone_count
    if count("aws_nat_gateway"):
        add("aws_nat_gateway", "hours", count("aws_nat_gateway") * HOURS, "hour", "nat_gateway_hour")
        add("aws_nat_gateway", "processed GB", usage.egress_gb_per_month, "GB", "nat_gateway_gb")
    endpoints = resources.get("aws_vpc_endpoint", {}).values()
    interface = [endpoint for endpoint in endpoints if endpoint.get("vpc_endpoint_type") == "Interface"]
    if interface:
        what = f"{len(interface)} interface endpoints x {zones} zones"
        add("aws_vpc_endpoint", what, len(interface) * zones * HOURS, "hour", "interface_endpoint_hour")
        add("aws_vpc_endpoint", "processed GB", usage.egress_gb_per_month, "GB", "interface_endpoint_gb")
    if count("aws_lb"):
        gb_per_hour = usage.requests_per_second * usage.response_kb * 3600 / 1e6
        lcus = max(usage.requests_per_second / LCU_CONNECTIONS_PER_SECOND, gb_per_hour / LCU_GB_PER_HOUR)
        add("aws_lb", "hours", HOURS, "hour", "alb_hour")
        add("aws_lb", f"{lcus:.2f} LCUs (the larger of new connections and GB processed)", lcus * HOURS, "LCU-hour",
            "alb_lcu_hour")  # fmt: skip
        # Since February 2024 every public IPv4 address costs: the load balancer has one per zone.
        what = f"{zones} for the load balancer, {count('aws_eip')} for NAT gateways"
        add("public_ipv4", what, (zones + count("aws_eip")) * HOURS, "hour", "public_ipv4_hour")
    for body in resources.get("aws_cloudwatch_log_group", {}).values():
        name = body.get("name", "")
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
        add(
            "aws_wafv2_web_acl",
            "requests",
            usage.requests_per_second * SECONDS / 1e6,
            "million",
            "waf_million_requests",
        )
    if count("aws_route53_zone"):
        add("aws_route53_zone", "hosted zones", count("aws_route53_zone"), "zone-month", "route53_zone_month")
    secrets = {secret.arn for secret in _containers_secrets(config) if secret.kind == "secrets-manager"}
    if secrets:
        add("secretsmanager_secret", "secrets the tasks read", len(secrets), "secret-month", "secret_month")
    if count("aws_cloudwatch_metric_alarm"):
        add("aws_cloudwatch_metric_alarm", "alarms", count("aws_cloudwatch_metric_alarm"), "alarm-month", "alarm_month")
    return items


def _containers_secrets(config: EnvironmentConfig) -> list[Any]:
    containers = [config.service.container] if not config.services else [
        declared.container for declared in config.services.values()
    ]  # fmt: skip
    return [secret for container in containers for secret in container.secrets.values()]


def report(config: EnvironmentConfig, items: list[Item], prices: dict[str, Any]) -> dict[str, Any]:
    return {
        "environment": config.environment,
        "region": config.region,
        "monthly_usd_total": round(sum(item.monthly_usd for item in items), 2),
        "items": [{**asdict(item), "monthly_usd": round(item.monthly_usd, 2)} for item in items],
        "assumptions": {**asdict(config.cost), "hours_per_month": HOURS},
        "prices_as_of": prices["as_of"],
        # Not a cost, but what else a deploy of this configuration costs: time (docs/operations.md#rollout-time).
        "rollout": {
            key: {"rollout_worst_case_seconds": e.rollout_seconds, "rollback_worst_case_seconds": e.rollback_seconds}
            for key, e in config.rollout_estimates().items()
        },
    }


def table(result: dict[str, Any]) -> str:
    rows = [f"{'resource':<28} {'what':<64} {'USD/month':>10}"]
    rows += [f"{item['resource']:<28} {item['what'][:64]:<64} {item['monthly_usd']:>10.2f}" for item in result["items"]]
    rows.append(f"{'total':<93} {result['monthly_usd_total']:>10.2f}")
    for key, times in result["rollout"].items():
        rows.append(f"rollout of {key}: up to {times['rollout_worst_case_seconds']} s; a failed one rolled back "
                    f"within {times['rollback_worst_case_seconds']} s")  # fmt: skip
    rows.append(f"{result['region']}, prices of {result['prices_as_of']}; assumptions: "
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


def cost_of(environment: str, prices: dict[str, Any]) -> dict[str, Any]:
    config = load_environment(environment)
    return report(config, estimate(config, synthesized(config), region_prices(prices, config.region)), prices)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("environment", nargs="?", default=os.environ.get(ENV_VAR, "prod"))
    parser.add_argument("--diff", nargs=2, metavar=("A", "B"), help="compare two environments")
    parser.add_argument("--outdir", type=Path, default=ROOT / "cdktf.out")
    args = parser.parse_args(argv)
    prices = load_prices()
    warning = stale_warning(prices, datetime.date.today())
    if warning:
        print(warning, file=sys.stderr)
    try:
        if args.diff:
            print(diff(cost_of(args.diff[0], prices), cost_of(args.diff[1], prices)))
            return 0
        result = cost_of(args.environment, prices)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    args.outdir.mkdir(parents=True, exist_ok=True)
    (args.outdir / f"cost-{args.environment}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
