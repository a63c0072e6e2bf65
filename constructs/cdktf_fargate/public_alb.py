"""PublicAlb: an internet-facing Application Load Balancer that serves HTTPS only."""

from __future__ import annotations

import re
from collections.abc import Sequence

from constructs import Construct

from ._bindings import (
    CloudwatchMetricAlarm,
    ITerraformDependable,
    Lb,
    LbAccessLogs,
    LbListener,
    LbListenerDefaultAction,
    LbListenerDefaultActionFixedResponse,
    LbListenerDefaultActionRedirect,
    SecurityGroup,
    VpcSecurityGroupEgressRule,
    VpcSecurityGroupIngressRule,
)
from ._validation import Problems
from .access_log_bucket import AccessLogBucket
from .network import Network
from .web_acl import WebAcl

# AWS: at most 32 characters, letters, digits and hyphens, no hyphen at either end.
ALB_NAME_PATTERN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?")
# Policies that offer TLS 1.2 or newer only; older ones still allow TLS 1.0/1.1.
TLS_POLICIES = (
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
)
HTTPS_PORT = 443
HTTP_PORT = 80
HTTP_MODES = ("redirect", "closed", "forward")
S3_BUCKET_NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


class PublicAlb(Construct):
    """Security group, load balancer, an HTTPS listener and a port-80 listener that only redirects,
    access logs to a private bucket, and a WAF web ACL in front.

    The HTTPS listener answers 404 until a service adds a routing rule (``FargateService`` does).
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        network: Network,
        certificate_arn: str,
        ssl_policy: str = "ELBSecurityPolicy-TLS13-1-2-2021-06",
        deletion_protection: bool = True,
        idle_timeout_seconds: int = 60,
        ingress_cidr_blocks: Sequence[str] = ("0.0.0.0/0",),
        drop_invalid_header_fields: bool = True,
        http_mode: str = "redirect",
        allow_insecure_http: bool = False,
        access_logs_enabled: bool = True,
        access_logs_bucket_name: str | None = None,
        access_logs_retention_days: int = 365,
        access_logs_force_destroy: bool = False,
        waf_enabled: bool = True,
        waf_rate_limit_per_5_minutes: int = 2000,
        waf_log_retention_days: int = 365,
        log_kms_key_arn: str | None = None,
        alarms_enabled: bool = True,
        alarm_actions: Sequence[str] = (),
        alarm_elb_5xx_per_minute: int = 10,
    ) -> None:
        """
        :param name: the load balancer's name, 1-32 letters, digits or hyphens.
        :param network: where it lives: its public subnets and VPC.
        :param certificate_arn: the ACM certificate the HTTPS listener presents.
        :param ssl_policy: TLS negotiation policy. Default ``ELBSecurityPolicy-TLS13-1-2-2021-06``
            (TLS 1.3 and 1.2); only TLS 1.2+ policies are accepted.
        :param deletion_protection: refuse API deletion. Default True; ``destroy`` then needs it off first.
        :param idle_timeout_seconds: connection idle timeout, 1-4000. Default 60.
        :param ingress_cidr_blocks: who may connect on 443 (and 80). Default everyone, ``0.0.0.0/0``.
        :param drop_invalid_header_fields: drop HTTP headers with invalid names (request smuggling).
            Default True.
        :param http_mode: port 80: ``redirect`` (default: open, answers 301 to HTTPS), ``closed``,
            or ``forward`` (serves the services over plain HTTP too; needs ``allow_insecure_http``).
        :param allow_insecure_http: the explicit opt-in that ``http_mode="forward"`` requires. Default False.
        :param access_logs_enabled: write access logs to S3. Default True.
        :param access_logs_bucket_name: an existing bucket (with a policy letting ELB write to it) for the
            logs. Default None: a private bucket is created (``AccessLogBucket``).
        :param access_logs_retention_days: retention in the created bucket. Default 365.
        :param access_logs_force_destroy: let destroy delete the created bucket with its logs. Default False.
        :param waf_enabled: put a WAFv2 web ACL (``WebAcl``) in front. Default True.
        :param waf_rate_limit_per_5_minutes: per-client-address limit of the web ACL. Default 2000.
        :param waf_log_retention_days: retention of the web ACL's log group. Default 365.
        :param log_kms_key_arn: KMS key for the web ACL's log group. Default None (AWS-owned key).
        :param alarms_enabled: a CloudWatch alarm on 5xx answers from the load balancer itself (no
            healthy target, timeouts). Default True.
        :param alarm_actions: ARNs (an SNS topic) notified when the alarm changes state. Default none.
        :param alarm_elb_5xx_per_minute: load-balancer 5xx answers per minute that raise it. Default 10.
        """
        super().__init__(scope, id_)
        problems = Problems(f"PublicAlb {id_!r}")
        problems.check_pattern(
            "name",
            name,
            ALB_NAME_PATTERN,
            "must be 1-32 letters, digits or hyphens, not starting or ending with a hyphen",
        )
        if isinstance(name, str) and name.lower().startswith("internal-"):
            problems.add("name", name, "must not start with 'internal-' (reserved by AWS)")
        problems.check_arn("certificate_arn", certificate_arn, service="acm")
        problems.check_choice("ssl_policy", ssl_policy, TLS_POLICIES)
        problems.check_int_range("idle_timeout_seconds", idle_timeout_seconds, 1, 4000)
        if isinstance(ingress_cidr_blocks, str) or not ingress_cidr_blocks:
            problems.add("ingress_cidr_blocks", ingress_cidr_blocks, "must be a non-empty list of IPv4 CIDR blocks")
        else:
            for cidr in ingress_cidr_blocks:
                problems.check_cidr("ingress_cidr_blocks", cidr)
        problems.check_choice("http_mode", http_mode, HTTP_MODES)
        if http_mode == "forward" and allow_insecure_http is not True:
            problems.add(
                "http_mode",
                http_mode,
                "serves plain HTTP to the internet; pass allow_insecure_http=True to mean it, "
                "or use 'redirect' (default) or 'closed'",
            )
        if access_logs_bucket_name is not None:
            problems.check_pattern(
                "access_logs_bucket_name", access_logs_bucket_name, S3_BUCKET_NAME_PATTERN, "must be an S3 bucket name"
            )
        problems.check_int_range("access_logs_retention_days", access_logs_retention_days, 1, 3650)
        problems.check_int_range("waf_rate_limit_per_5_minutes", waf_rate_limit_per_5_minutes, 100, 2_000_000_000)
        problems.check_log_retention("waf_log_retention_days", waf_log_retention_days)
        if log_kms_key_arn is not None:
            problems.check_arn("log_kms_key_arn", log_kms_key_arn, service="kms")
        problems.check_arn_list("alarm_actions", alarm_actions)
        problems.check_int_range("alarm_elb_5xx_per_minute", alarm_elb_5xx_per_minute, 1, 1_000_000)
        problems.raise_if_any()

        self.name = name
        self.network = network
        self.http_mode = http_mode
        self.security_group = SecurityGroup(
            self,
            "security-group",
            name_prefix=f"{name}-alb-",
            description=f"Load balancer {name}: HTTPS from clients, to service tasks only",
            vpc_id=network.vpc_id,
            tags={"Name": f"{name}-alb"},
            lifecycle={"create_before_destroy": True},
        )
        ports = [HTTPS_PORT] + ([HTTP_PORT] if http_mode != "closed" else [])
        self.ingress_rules: list[VpcSecurityGroupIngressRule] = []
        for port in ports:
            for index, cidr in enumerate(ingress_cidr_blocks):
                purpose = {
                    HTTPS_PORT: "HTTPS from clients",
                    HTTP_PORT: "HTTP from clients, redirected to HTTPS"
                    if http_mode == "redirect"
                    else "HTTP from clients (insecure opt-in)",
                }[port]
                self.ingress_rules.append(
                    VpcSecurityGroupIngressRule(
                        self,
                        f"ingress-{port}-{index}",
                        security_group_id=self.security_group.id,
                        ip_protocol="tcp",
                        from_port=port,
                        to_port=port,
                        cidr_ipv4=cidr,
                        description=purpose,
                    )
                )
        self.egress_rules: list[VpcSecurityGroupEgressRule] = []

        self.access_log_bucket: AccessLogBucket | None = None
        access_logs = None
        load_balancer_dependencies: list[ITerraformDependable] = []
        if access_logs_enabled:
            bucket_name = access_logs_bucket_name
            if bucket_name is None:
                self.access_log_bucket = AccessLogBucket(
                    self,
                    "access-logs",
                    bucket_prefix=f"{name.lower()}-alb-logs-"[:37],
                    retention_days=access_logs_retention_days,
                    force_destroy=access_logs_force_destroy,
                )
                bucket_name = self.access_log_bucket.bucket_name
                # ELB checks that it may write to the bucket when logging is switched on.
                load_balancer_dependencies.append(self.access_log_bucket.policy)
            access_logs = LbAccessLogs(bucket=bucket_name, prefix="alb", enabled=True)

        self.load_balancer = Lb(
            self,
            "load-balancer",
            name=name,
            load_balancer_type="application",
            internal=False,
            security_groups=[self.security_group.id],
            subnets=network.public_subnet_ids,
            enable_deletion_protection=deletion_protection,
            idle_timeout=idle_timeout_seconds,
            drop_invalid_header_fields=drop_invalid_header_fields,
            access_logs=access_logs,
            tags={"Name": name},
            depends_on=load_balancer_dependencies or None,
        )
        self.https_listener = LbListener(
            self,
            "https-listener",
            load_balancer_arn=self.load_balancer.arn,
            port=HTTPS_PORT,
            protocol="HTTPS",
            ssl_policy=ssl_policy,
            certificate_arn=certificate_arn,
            default_action=[_not_found()],
        )
        self.http_listener: LbListener | None = None
        if http_mode != "closed":
            redirect_to_https = LbListenerDefaultAction(
                type="redirect",
                redirect=LbListenerDefaultActionRedirect(
                    protocol="HTTPS", port=str(HTTPS_PORT), status_code="HTTP_301"
                ),
            )
            self.http_listener = LbListener(
                self,
                "http-listener",
                load_balancer_arn=self.load_balancer.arn,
                port=HTTP_PORT,
                protocol="HTTP",
                default_action=[redirect_to_https if http_mode == "redirect" else _not_found()],
            )

        self.web_acl: WebAcl | None = None
        if waf_enabled:
            self.web_acl = WebAcl(
                self,
                "waf",
                name=name,
                rate_limit_per_5_minutes=waf_rate_limit_per_5_minutes,
                log_retention_days=waf_log_retention_days,
                log_kms_key_arn=log_kms_key_arn,
            )
            self.web_acl.protect(self.load_balancer.arn)

        self.elb_5xx_alarm: CloudwatchMetricAlarm | None = None
        if alarms_enabled:
            self.elb_5xx_alarm = CloudwatchMetricAlarm(
                self,
                "elb-5xx-alarm",
                alarm_name=f"{name}-elb-5xx",
                alarm_description=f"{name}: the load balancer itself answers 5xx (no healthy target, timeouts)",
                namespace="AWS/ApplicationELB",
                metric_name="HTTPCode_ELB_5XX_Count",
                dimensions={"LoadBalancer": self.load_balancer.arn_suffix},
                statistic="Sum",
                period=60,
                evaluation_periods=2,
                comparison_operator="GreaterThanOrEqualToThreshold",
                threshold=alarm_elb_5xx_per_minute,
                treat_missing_data="notBreaching",
                alarm_actions=list(alarm_actions),
                ok_actions=list(alarm_actions),
            )

    @property
    def routing_listeners(self) -> list[LbListener]:
        """The listeners services add their routing rules to: HTTPS, and HTTP when it forwards."""
        listeners = [self.https_listener]
        if self.http_mode == "forward" and self.http_listener is not None:
            listeners.append(self.http_listener)
        return listeners

    @property
    def dns_name(self) -> str:
        return self.load_balancer.dns_name

    @property
    def url(self) -> str:
        return f"https://{self.load_balancer.dns_name}"

    def allow_to(self, security_group: SecurityGroup, port: int, description: str) -> VpcSecurityGroupEgressRule:
        """Let the load balancer open connections to ``security_group`` on ``port``, and nothing else.

        Security groups made by Terraform start with no egress at all, so without this
        the load balancer cannot reach its targets.
        """
        problems = Problems(f"PublicAlb {self.node.id!r}")
        problems.check_port("port", port)
        problems.raise_if_any()
        rule_id = f"egress-{re.sub(r'[^A-Za-z0-9]+', '-', security_group.node.path).strip('-')}-{port}"
        rule = VpcSecurityGroupEgressRule(
            self,
            rule_id,
            security_group_id=self.security_group.id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            referenced_security_group_id=security_group.id,
            description=description,
        )
        self.egress_rules.append(rule)
        return rule


def _not_found() -> LbListenerDefaultAction:
    return LbListenerDefaultAction(
        type="fixed-response",
        fixed_response=LbListenerDefaultActionFixedResponse(
            content_type="text/plain", status_code="404", message_body="Not found"
        ),
    )
