"""The option types of the shared parts: network, load balancer, repository and cluster."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any, Literal

from ._base import LOG_RETENTION, Cidr, Each, OptionType, Pattern, Range, option

Report = Callable[[str, Any, str], None]

MIN_AZ_COUNT = 2
MAX_AZ_COUNT = 6
AZ_NAME = Pattern(re.compile(r"[a-z]{2}(-[a-z]+)+-\d[a-z]"), "must be a zone name like 'us-east-1a'")
# The end of an endpoint service name `com.amazonaws.<region>.<service>`; S3 has its gateway endpoint.
ENDPOINT_SERVICE = Pattern(
    re.compile(r"(?!s3$)[a-z0-9-]+(\.[a-z0-9-]+)?"),
    "must be a service like 'ecr.api' or 'logs' (not 's3': it is built in)",
)
S3_BUCKET_NAME = Pattern(re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"), "must be an S3 bucket name")
# Policies that offer TLS 1.2 or newer only; older ones still allow TLS 1.0/1.1.
TlsPolicy = Literal[
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS-1-2-2017-01",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-FS-1-2-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
]
HttpMode = Literal["redirect", "closed", "forward"]
TagMutability = Literal["IMMUTABLE", "MUTABLE"]


@dataclasses.dataclass(frozen=True, kw_only=True)
class FlowLogs(OptionType):
    """VPC flow logs to a CloudWatch log group `/vpc/<name>/flow-logs`."""

    enabled: bool = option(True, "record the VPC's traffic, accepted and rejected")
    retention_days: int = option(365, "a CloudWatch retention value (0: never expire)", LOG_RETENTION)


@dataclasses.dataclass(frozen=True, kw_only=True)
class NetworkOptions(OptionType):
    """A VPC with public and private subnets across availability zones."""

    cidr_block: str = option("10.0.0.0/16", "the VPC's IPv4 range", Cidr(16, 24))
    az_count: int = option(2, "zones to spread subnets over (ignored when `availability_zones` names them)",
                           Range(MIN_AZ_COUNT, MAX_AZ_COUNT))  # fmt: skip
    availability_zones: tuple[str, ...] = option(
        (), "pin the zones by name; none: the region's first `az_count` zones", Each(AZ_NAME)
    )
    allow_internet_egress: bool = option(
        False,
        "tasks may reach the internet (HTTPS) through a NAT gateway per zone; off: no NAT gateway, and AWS "
        "services only through VPC endpoints (`interface_endpoints`, S3's gateway endpoint)",
    )
    interface_endpoints: tuple[str, ...] = option(
        ("ecr.api", "ecr.dkr", "logs"),
        "without internet egress: the AWS services tasks reach through interface endpoints (image pulls and "
        "logs need these; the stack adds `secretsmanager`, `ssm`, `kms`, `ssmmessages`, `xray` when it uses them)",
        Each(ENDPOINT_SERVICE),
    )
    single_nat_gateway: bool = option(False, "one NAT gateway for all zones (cheaper; an AZ outage cuts egress)")
    restrict_default_security_group: bool = option(True, "take every rule off the VPC's default security group")
    flow_logs: FlowLogs = option(FlowLogs(), "VPC flow logs")

    def _cross_check(self, report: Report) -> None:
        if self.single_nat_gateway and not self.allow_internet_egress:
            report(
                "single_nat_gateway", True, "needs allow_internet_egress = true (without it there is no NAT gateway)"
            )
        if self.availability_zones and not MIN_AZ_COUNT <= len(self.availability_zones) <= MAX_AZ_COUNT:
            report(
                "availability_zones",
                list(self.availability_zones),
                f"must name {MIN_AZ_COUNT} to {MAX_AZ_COUNT} zones",
            )

    @property
    def zone_count(self) -> int:
        return len(self.availability_zones) or self.az_count


@dataclasses.dataclass(frozen=True, kw_only=True)
class AccessLogs(OptionType):
    """Load balancer access logs in S3."""

    enabled: bool = option(True, "write access logs to S3")
    bucket_name: str | None = option(
        None, "an existing bucket (whose policy lets ELB write); None: a private bucket is created", S3_BUCKET_NAME
    )
    retention_days: int = option(365, "days the created bucket keeps logs", Range(1, 3650))
    force_destroy: bool = option(False, "let destroy delete the created bucket with its logs")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Waf(OptionType):
    """A WAFv2 web ACL in front of the load balancer."""

    enabled: bool = option(True, "AWS managed rules and a per-client rate limit")
    rate_limit_per_5_minutes: int = option(2000, "requests per client address per 5 minutes", Range(100, 2_000_000_000))
    log_retention_days: int = option(365, "retention of the web ACL's log group", LOG_RETENTION)


@dataclasses.dataclass(frozen=True, kw_only=True)
class AlbAlarms(OptionType):
    """CloudWatch alarms on the load balancer itself."""

    enabled: bool = option(True, "an alarm on 5xx answers from the load balancer (no healthy target, timeouts)")
    elb_5xx_per_minute: int = option(10, "load-balancer 5xx answers per minute that raise it", Range(1, 1_000_000))


S3_OBJECT = Pattern(
    re.compile(r"s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[^\s]+"), "must be an S3 object: 's3://<bucket>/<key>'"
)


@dataclasses.dataclass(frozen=True, kw_only=True)
class MutualTls(OptionType):
    """Clients show a certificate to the HTTPS listener (mutual TLS)."""

    mode: Literal["off", "verify", "passthrough"] = option(
        "off",
        "`verify`: the load balancer checks each client's certificate against the trust store and refuses the "
        "others; `passthrough`: it passes the client's chain to the services (`X-Amzn-Mtls-Clientcert`) to check",
    )
    trust_store_bundle: str = option(
        "", "with `verify`: the PEM bundle of the CAs clients' certificates chain to, `s3://<bucket>/<key>`"
    )
    revocation_list: str = option("", "with `verify`: a certificate revocation list, `s3://<bucket>/<key>`; '': none")
    ignore_client_certificate_expiry: bool = option(False, "with `verify`: accept expired client certificates")

    def _cross_check(self, report: Report) -> None:
        if self.mode == "verify":
            if not S3_OBJECT(self.trust_store_bundle):
                report("trust_store_bundle", self.trust_store_bundle, "is required with mode = 'verify': "
                       + S3_OBJECT.described)  # fmt: skip
            if self.revocation_list and not S3_OBJECT(self.revocation_list):
                report("revocation_list", self.revocation_list, S3_OBJECT.described)
            return
        for field in ("trust_store_bundle", "revocation_list", "ignore_client_certificate_expiry"):
            if getattr(self, field):
                report(field, getattr(self, field), f"applies with mode = 'verify' only (mode is {self.mode!r})")

    def s3_objects(self) -> list[tuple[str, str]]:
        """(bucket, key) of the bundle and the revocation list, as the load balancer reads them."""
        given = [self.trust_store_bundle, self.revocation_list] if self.mode == "verify" else []
        return [tuple(uri.removeprefix("s3://").split("/", 1)) for uri in given if uri]  # type: ignore[misc]


@dataclasses.dataclass(frozen=True, kw_only=True)
class AlbOptions(OptionType):
    """An internet-facing Application Load Balancer that serves HTTPS."""

    ssl_policy: TlsPolicy = option("ELBSecurityPolicy-TLS13-1-2-2021-06", "TLS policy; TLS 1.2+ policies only")
    deletion_protection: bool = option(True, "refuse API deletion (`destroy` needs it off first)")
    idle_timeout_seconds: int = option(60, "connection idle timeout", Range(1, 4000))
    ingress_cidr_blocks: tuple[str, ...] = option(
        ("0.0.0.0/0",), "who may connect on 443 (and 80)", Each(Cidr(), non_empty=True)
    )
    drop_invalid_header_fields: bool = option(True, "drop headers with invalid names (request smuggling)")
    http_mode: HttpMode = option(
        "redirect", "port 80: `redirect` to HTTPS, `closed`, or `forward` (needs `allow_insecure_http`)"
    )
    allow_insecure_http: bool = option(False, 'the explicit opt-in that `http_mode = "forward"` requires')
    access_logs: AccessLogs = option(AccessLogs(), "access logs")
    waf: Waf = option(Waf(), "the web ACL")
    alarms: AlbAlarms = option(AlbAlarms(), "load balancer alarms")
    mutual_tls: MutualTls = option(MutualTls(), "client certificates on the HTTPS listener")

    def _cross_check(self, report: Report) -> None:
        if self.http_mode == "forward" and not self.allow_insecure_http:
            report(
                "http_mode",
                self.http_mode,
                "serves plain HTTP to the internet; set allow_insecure_http to mean it, "
                "or use 'redirect' (default) or 'closed'",
            )


@dataclasses.dataclass(frozen=True, kw_only=True)
class RepositoryOptions(OptionType):
    """A private ECR repository."""

    image_tag_mutability: TagMutability = option("IMMUTABLE", "`IMMUTABLE`: a deployed tag always means one image")
    scan_on_push: bool = option(True, "scan each pushed image for vulnerabilities")
    keep_last_images: int = option(30, "the lifecycle policy expires all but this many newest images", Range(1, 10000))
    untagged_expire_days: int = option(7, "untagged images expire this many days after push", Range(1, 3650))
    force_delete: bool = option(
        False,
        "let destroy delete a repository that still holds images; off, Terraform also refuses at plan time any "
        "change that would delete the repository (`prevent_destroy`): set it first to destroy on purpose",
    )


@dataclasses.dataclass(frozen=True, kw_only=True)
class ClusterOptions(OptionType):
    """An ECS cluster with the FARGATE and FARGATE_SPOT capacity providers."""

    container_insights: bool = option(True, "CloudWatch Container Insights")
