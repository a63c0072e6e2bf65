"""PublicAlb: an internet-facing Application Load Balancer that serves HTTPS only."""

from __future__ import annotations

import re
from collections.abc import Sequence

from cdktf_cdktf_provider_aws.lb import Lb
from cdktf_cdktf_provider_aws.lb_listener import (
    LbListener,
    LbListenerDefaultAction,
    LbListenerDefaultActionFixedResponse,
    LbListenerDefaultActionRedirect,
)
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from ._validation import Problems
from .network import Network

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


class PublicAlb(Construct):
    """Security group, load balancer, an HTTPS listener and a port-80 listener that only redirects.

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
        redirect_http: bool = True,
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
        :param redirect_http: open port 80 and answer it with a 301 to HTTPS. Default True; when
            False, port 80 is closed.
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
        problems.raise_if_any()

        self.name = name
        self.network = network
        self.security_group = SecurityGroup(
            self,
            "security-group",
            name_prefix=f"{name}-alb-",
            description=f"Load balancer {name}: HTTPS from clients, to service tasks only",
            vpc_id=network.vpc_id,
            tags={"Name": f"{name}-alb"},
            lifecycle={"create_before_destroy": True},
        )
        ports = [HTTPS_PORT] + ([HTTP_PORT] if redirect_http else [])
        self.ingress_rules: list[VpcSecurityGroupIngressRule] = []
        for port in ports:
            for index, cidr in enumerate(ingress_cidr_blocks):
                purpose = "HTTPS from clients" if port == HTTPS_PORT else "HTTP from clients, redirected to HTTPS"
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
            tags={"Name": name},
        )
        self.https_listener = LbListener(
            self,
            "https-listener",
            load_balancer_arn=self.load_balancer.arn,
            port=HTTPS_PORT,
            protocol="HTTPS",
            ssl_policy=ssl_policy,
            certificate_arn=certificate_arn,
            default_action=[
                LbListenerDefaultAction(
                    type="fixed-response",
                    fixed_response=LbListenerDefaultActionFixedResponse(
                        content_type="text/plain", status_code="404", message_body="Not found"
                    ),
                )
            ],
        )
        self.http_listener: LbListener | None = None
        if redirect_http:
            self.http_listener = LbListener(
                self,
                "http-listener",
                load_balancer_arn=self.load_balancer.arn,
                port=HTTP_PORT,
                protocol="HTTP",
                default_action=[
                    LbListenerDefaultAction(
                        type="redirect",
                        redirect=LbListenerDefaultActionRedirect(
                            protocol="HTTPS", port=str(HTTPS_PORT), status_code="HTTP_301"
                        ),
                    )
                ],
            )

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
