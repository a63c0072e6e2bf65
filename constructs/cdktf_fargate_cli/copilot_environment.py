"""A Copilot environment manifest (`copilot/environments/<env>/manifest.yml`) as the settings of an
environment's table: its VPC (imported or configured), the public load balancer's certificate, source
addresses and access logs, flow logs and Container Insights. What has no equivalent is reported with
its dotted path, like a service manifest's fields (`copilot_import`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .copilot_import import Report

# What the environment manifest reference lists at the top level; anything else is reported too.
TOP_LEVEL = ("name", "type", "network", "http", "observability", "cdn")


def convert_environment(manifest: Mapping[str, Any], where: str, report: Report) -> dict[str, Any]:
    """The environment table's settings for one manifest (its variables already substituted)."""
    table: dict[str, Any] = {}
    for field in sorted(set(manifest) - set(TOP_LEVEL)):
        report.skip(where, field, manifest[field], "this app has no equivalent")
    _network(manifest.get("network") or {}, table, where, report)
    _http(manifest.get("http") or {}, table, where, report)
    observability = manifest.get("observability") or {}
    if "container_insights" in observability:
        table.setdefault("cluster", {})["container_insights"] = bool(observability["container_insights"])
    for field in sorted(set(observability) - {"container_insights"}):
        report.skip(where, f"observability.{field}", observability[field], "this app has no equivalent")
    if manifest.get("cdn"):
        why = "no CloudFront distribution here: put one in front of the load balancer yourself"
        report.skip(where, "cdn", manifest["cdn"], f"{why}, and mind the WAF's rate limit (all requests come from it)")
    return table


def _network(network: Mapping[str, Any], table: dict[str, Any], where: str, report: Report) -> None:
    vpc = network.get("vpc") or {}
    for field in sorted(set(network) - {"vpc"}):
        report.skip(where, f"network.{field}", network[field], "this app has no equivalent")
    subnets = vpc.get("subnets") or {}
    if vpc.get("id"):
        # An imported VPC: its subnets are used as they are.
        table["vpc_id"] = str(vpc["id"])
        for placement, setting in (("public", "public_subnet_ids"), ("private", "private_subnet_ids")):
            ids = [str(subnet["id"]) for subnet in _subnets(subnets, placement) if subnet.get("id")]
            if ids:
                table[setting] = ids
            others = [subnet for subnet in _subnets(subnets, placement) if not subnet.get("id")]
            if others:
                report.skip(where, f"network.vpc.subnets.{placement}", others, "an imported VPC's subnets by id only")
        if not _subnets(subnets, "public"):
            report.note(where, "network.vpc: no public subnets: the load balancer here is internet-facing and needs "
                        "public_subnet_ids")  # fmt: skip
    else:
        options: dict[str, Any] = {}
        if vpc.get("cidr"):
            options["cidr_block"] = str(vpc["cidr"])
        # Subnets are carved from the VPC's range here, one public and one private per zone: the zones are kept.
        zones = [str(subnet["az"]) for placement in ("private", "public") for subnet in _subnets(subnets, placement)
                 if subnet.get("az")]  # fmt: skip
        if zones:
            options["availability_zones"] = list(dict.fromkeys(zones))
        ranges = [subnet["cidr"] for placement in ("public", "private") for subnet in _subnets(subnets, placement)
                  if subnet.get("cidr")]  # fmt: skip
        if ranges:
            report.skip(where, "network.vpc.subnets[].cidr", ranges,
                        "each zone's subnets are carved from network.cidr_block in order")  # fmt: skip
        if options:
            table["network"] = options
    flow_logs = vpc.get("flow_logs")
    if isinstance(flow_logs, Mapping) and "retention" in flow_logs:
        table.setdefault("network", {})["flow_logs"] = {"enabled": True, "retention_days": flow_logs["retention"]}
    elif flow_logs in (True, "on"):
        table.setdefault("network", {})["flow_logs"] = {"enabled": True}
    for field in sorted(set(vpc) - {"id", "cidr", "subnets", "flow_logs"}):
        why = "the security groups here admit only what each service needs"
        report.skip(where, f"network.vpc.{field}", vpc[field], why if field == "security_group" else "no equivalent")


def _subnets(subnets: Mapping[str, Any], placement: str) -> Sequence[Mapping[str, Any]]:
    found = subnets.get(placement) or []
    return [subnet for subnet in found if isinstance(subnet, Mapping)]


def _http(http: Mapping[str, Any], table: dict[str, Any], where: str, report: Report) -> None:
    public = http.get("public") or {}
    if http.get("private"):
        report.skip(where, "http.private", http["private"], "no internal load balancer: backends are called over "
                    "Service Connect")  # fmt: skip
    for field in sorted(set(http) - {"public", "private"}):
        report.skip(where, f"http.{field}", http[field], "this app has no equivalent")
    alb: dict[str, Any] = {}
    certificates = [str(arn) for arn in public.get("certificates") or []]
    if certificates:
        table["certificate_arn"] = certificates[0]
    if certificates[1:]:
        why = "the HTTPS listener presents one certificate: the first is kept (one with every name covers them)"
        report.skip(where, "http.public.certificates", certificates[1:], why)
    ingress = public.get("ingress") or {}
    if ingress.get("source_ips"):
        alb["ingress_cidr_blocks"] = [str(cidr) for cidr in ingress["source_ips"]]
    for field in sorted(set(ingress) - {"source_ips"}):
        report.skip(where, f"http.public.ingress.{field}", ingress[field], "only source addresses are restricted here")
    access_logs = public.get("access_logs")
    if isinstance(access_logs, Mapping):
        logs: dict[str, Any] = {"enabled": True}
        if access_logs.get("bucket_name"):
            logs["bucket_name"] = str(access_logs["bucket_name"])
        alb["access_logs"] = logs
        for field in sorted(set(access_logs) - {"bucket_name"}):
            report.skip(where, f"http.public.access_logs.{field}", access_logs[field],
                        "logs go under the load balancer's own prefix")  # fmt: skip
    if public.get("security_groups"):
        report.skip(where, "http.public.security_groups", public["security_groups"],
                    "the load balancer admits alb.ingress_cidr_blocks on 443 (and 80 to redirect)")  # fmt: skip
    for field in sorted(set(public) - {"certificates", "ingress", "access_logs", "security_groups"}):
        report.skip(where, f"http.public.{field}", public[field], "the load balancer keeps this app's defaults")
    if alb:
        table["alb"] = alb
