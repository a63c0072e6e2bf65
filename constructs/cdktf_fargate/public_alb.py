"""PublicAlb: an internet-facing Application Load Balancer that serves HTTPS only."""

from __future__ import annotations

import re
from collections.abc import Sequence

from constructs import Construct

from ._app_rules import claim_name
from ._bindings import (
    CloudwatchMetricAlarm,
    DataAwsLb,
    ITerraformDependable,
    Lb,
    LbAccessLogs,
    LbListener,
    LbListenerDefaultAction,
    LbListenerDefaultActionFixedResponse,
    LbListenerDefaultActionRedirect,
    LbListenerMutualAuthentication,
    LbTrustStore,
    LbTrustStoreRevocation,
    SecurityGroup,
    VpcSecurityGroupEgressRule,
    VpcSecurityGroupIngressRule,
)
from ._load_balancer_members import ListenerRules, LoadBalancerMembers
from ._validation import Problems
from .access_log_bucket import AccessLogBucket
from .network import check_network
from .options import AlbOptions, check_options
from .refs import NetworkRef
from .web_acl import WebAcl

SECURITY_GROUP_ID_PATTERN = re.compile(r"sg-[0-9a-f]{8,17}")

# AWS: at most 32 characters, letters, digits and hyphens, no hyphen at either end.
ALB_NAME_PATTERN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?")
HTTPS_PORT = 443
HTTP_PORT = 80


class PublicAlb(LoadBalancerMembers, Construct):
    """Security group, load balancer, an HTTPS listener and a port-80 listener that only redirects,
    access logs to a private bucket, and a WAF web ACL in front.

    The HTTPS listener answers 404 until a service adds a routing rule (``FargateService`` does).
    ``PublicAlb.from_existing`` brings a load balancer made elsewhere.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        network: NetworkRef,
        certificate_arn: str,
        options: AlbOptions | None = None,
        log_kms_key_arn: str | None = None,
        alarm_actions: Sequence[str] = (),
    ) -> None:
        """
        :param name: the load balancer's name, 1-32 letters, digits or hyphens.
        :param network: where it lives: its public subnets and VPC (a ``Network`` or ``Network.from_existing``).
        :param certificate_arn: the ACM certificate the HTTPS listener presents.
        :param options: ``AlbOptions``; default: TLS 1.2+, deletion protection, access logs, WAF and alarms on.
        :param log_kms_key_arn: KMS key for the web ACL's log group. Default None (AWS-owned key).
        :param alarm_actions: ARNs (an SNS topic) notified when the alarm changes state. Default none.
        """
        super().__init__(scope, id_)
        options = AlbOptions() if options is None else options
        problems = Problems.of(self)
        problems.check_pattern(
            "name",
            name,
            ALB_NAME_PATTERN,
            "must be 1-32 letters, digits or hyphens, not starting or ending with a hyphen",
        )
        if isinstance(name, str) and name.lower().startswith("internal-"):
            problems.add("name", name, "must not start with 'internal-' (reserved by AWS)")
        check_network(problems, "network", network)
        problems.check_arn("certificate_arn", certificate_arn, service="acm")
        if not isinstance(options, AlbOptions):
            problems.add("options", options, "must be an AlbOptions")
        else:
            check_options(problems, "options", options)
        if log_kms_key_arn is not None:
            problems.check_arn("log_kms_key_arn", log_kms_key_arn, service="kms")
        problems.check_arn_list("alarm_actions", alarm_actions)
        earlier = claim_name(self, "load balancer", name, self.node.path)
        if earlier:
            problems.add("name", name, f"is already the name of the load balancer at {earlier!r}")
        problems.raise_if_any()

        self.options = options
        self._rules = ListenerRules()
        http_mode = options.http_mode
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
        self._security_group_id = self.security_group.id
        ports = [HTTPS_PORT] + ([HTTP_PORT] if http_mode != "closed" else [])
        self.ingress_rules: list[VpcSecurityGroupIngressRule] = []
        for port in ports:
            for index, cidr in enumerate(options.ingress_cidr_blocks):
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
        if options.access_logs.enabled:
            bucket_name = options.access_logs.bucket_name
            if bucket_name is None:
                self.access_log_bucket = AccessLogBucket(
                    self,
                    "access-logs",
                    bucket_prefix=f"{name.lower()}-alb-logs-"[:37],
                    retention_days=options.access_logs.retention_days,
                    force_destroy=options.access_logs.force_destroy,
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
            enable_deletion_protection=options.deletion_protection,
            idle_timeout=options.idle_timeout_seconds,
            drop_invalid_header_fields=options.drop_invalid_header_fields,
            access_logs=access_logs,
            tags={"Name": name},
            depends_on=load_balancer_dependencies or None,
        )
        self.trust_store: LbTrustStore | None = None
        self.trust_store_revocation: LbTrustStoreRevocation | None = None
        self.https_listener = LbListener(
            self,
            "https-listener",
            load_balancer_arn=self.load_balancer.arn,
            port=HTTPS_PORT,
            protocol="HTTPS",
            ssl_policy=options.ssl_policy,
            certificate_arn=certificate_arn,
            default_action=[_not_found()],
            mutual_authentication=self._mutual_authentication(name, options),
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
        if options.waf.enabled:
            self.web_acl = WebAcl(
                self,
                "waf",
                name=name,
                rate_limit_per_5_minutes=options.waf.rate_limit_per_5_minutes,
                log_retention_days=options.waf.log_retention_days,
                log_kms_key_arn=log_kms_key_arn,
            )
            self.web_acl.protect(self.load_balancer.arn)

        self.elb_5xx_alarm: CloudwatchMetricAlarm | None = None
        if options.alarms.enabled:
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
                threshold=options.alarms.elb_5xx_per_minute,
                treat_missing_data="notBreaching",
                alarm_actions=list(alarm_actions),
                ok_actions=list(alarm_actions),
            )

    def _mutual_authentication(self, name: str, options: AlbOptions) -> LbListenerMutualAuthentication | None:
        """Client certificates: checked against a trust store made from the bundle (`verify`), or passed on."""
        mutual = options.mutual_tls
        if mutual.mode == "off":
            return None
        if mutual.mode == "passthrough":
            return LbListenerMutualAuthentication(mode="passthrough")
        (bucket, key), *revocations = mutual.s3_objects()
        self.trust_store = LbTrustStore(
            self, "trust-store", name=name, ca_certificates_bundle_s3_bucket=bucket, ca_certificates_bundle_s3_key=key
        )
        for revoked_bucket, revoked_key in revocations:
            self.trust_store_revocation = LbTrustStoreRevocation(
                self,
                "trust-store-revocation",
                trust_store_arn=self.trust_store.arn,
                revocations_s3_bucket=revoked_bucket,
                revocations_s3_key=revoked_key,
            )
        return LbListenerMutualAuthentication(
            mode="verify",
            trust_store_arn=self.trust_store.arn,
            ignore_client_certificate_expiry=mutual.ignore_client_certificate_expiry,
        )

    @property
    def routing_listener_arns(self) -> dict[str, str]:
        """The listeners services add their routing rules to: HTTPS, and HTTP when it forwards."""
        listeners = {"https": self.https_listener.arn}
        if self.http_mode == "forward" and self.http_listener is not None:
            listeners["http"] = self.http_listener.arn
        return listeners

    @staticmethod
    def from_existing(
        scope: Construct,
        id_: str,
        *,
        load_balancer_arn: str,
        https_listener_arn: str,
        security_group_id: str,
    ) -> ExistingAlb:
        """A load balancer made elsewhere: services add their listener rules to its HTTPS listener and
        an egress rule to its security group. Nothing else is created.

        :param load_balancer_arn: the load balancer's ARN (its name, address and zone are read from AWS).
        :param https_listener_arn: the HTTPS listener services add their rules to.
        :param security_group_id: the load balancer's security group; egress rules to the tasks are added.
        """
        return ExistingAlb(
            scope,
            id_,
            load_balancer_arn=load_balancer_arn,
            https_listener_arn=https_listener_arn,
            security_group_id=security_group_id,
        )


class ExistingAlb(LoadBalancerMembers, Construct):
    """A reference to a load balancer made elsewhere (``PublicAlb.from_existing``)."""

    def __init__(
        self, scope: Construct, id_: str, *, load_balancer_arn: str, https_listener_arn: str, security_group_id: str
    ) -> None:
        super().__init__(scope, id_)
        problems = Problems.of(self)
        problems.check_arn("load_balancer_arn", load_balancer_arn, service="elasticloadbalancing")
        problems.check_arn("https_listener_arn", https_listener_arn, service="elasticloadbalancing")
        problems.check_pattern(
            "security_group_id",
            security_group_id,
            SECURITY_GROUP_ID_PATTERN,
            "must be a security group id like 'sg-0123abcd'",
        )
        problems.raise_if_any()
        self._rules = ListenerRules()
        self._security_group_id = security_group_id
        self.https_listener_arn = https_listener_arn
        # The name, address and zone come from AWS: they are not in the ARN.
        self.load_balancer = DataAwsLb(self, "load-balancer", arn=load_balancer_arn)
        self.egress_rules: list[VpcSecurityGroupEgressRule] = []

    @property
    def routing_listener_arns(self) -> dict[str, str]:
        return {"https": self.https_listener_arn}


def _not_found() -> LbListenerDefaultAction:
    return LbListenerDefaultAction(
        type="fixed-response",
        fixed_response=LbListenerDefaultActionFixedResponse(
            content_type="text/plain", status_code="404", message_body="Not found"
        ),
    )
