"""A FargateService's place behind the load balancer: its security group, target group and
listener rules. Created in the service's own scope, under the ids it has always had."""

from __future__ import annotations

import dataclasses

from constructs import Construct

from ._bindings import (
    LbListenerRule,
    LbListenerRuleAction,
    LbListenerRuleCondition,
    LbListenerRuleConditionHostHeader,
    LbListenerRuleConditionPathPattern,
    LbTargetGroup,
    LbTargetGroupHealthCheck,
    SecurityGroup,
    VpcSecurityGroupEgressRule,
    VpcSecurityGroupIngressRule,
)
from .options import ServiceOptions
from .refs import AlbRef, NetworkRef

LISTENER_RULE_IDS = {"https": "listener-rule", "http": "http-listener-rule"}


@dataclasses.dataclass(frozen=True)
class Routing:
    ingress_from_alb: VpcSecurityGroupIngressRule
    alb_egress: VpcSecurityGroupEgressRule
    target_group: LbTargetGroup
    listener_rules: list[LbListenerRule]


def build_security_group(
    scope: Construct, *, name: str, network: NetworkRef, inbound: str
) -> tuple[SecurityGroup, list[VpcSecurityGroupEgressRule]]:
    """The tasks' security group, with egress to AWS only (or HTTPS anywhere where the network allows it)."""
    security_group = SecurityGroup(
        scope,
        "security-group",
        name_prefix=f"{name}-tasks-",
        description=f"Tasks of {name}: {inbound}",
        vpc_id=network.vpc_id,
        tags={"Name": f"{name}-tasks"},
        lifecycle={"create_before_destroy": True},
    )
    egress_rules: list[VpcSecurityGroupEgressRule] = []
    if network.allows_internet_egress:
        egress_rules.append(
            VpcSecurityGroupEgressRule(
                scope,
                "egress-https",
                security_group_id=security_group.id,
                ip_protocol="tcp",
                from_port=443,
                to_port=443,
                cidr_ipv4="0.0.0.0/0",
                description="HTTPS out: image pulls from ECR, logs, AWS APIs",
            )
        )
    else:
        # Only AWS, through the VPC's endpoints: no route leads anywhere else.
        egress_rules += [
            VpcSecurityGroupEgressRule(
                scope,
                "egress-endpoints",
                security_group_id=security_group.id,
                ip_protocol="tcp",
                from_port=443,
                to_port=443,
                referenced_security_group_id=network.endpoints_security_group_id,
                description="HTTPS to the VPC endpoints (ECR, logs, secrets)",
            ),
            VpcSecurityGroupEgressRule(
                scope,
                "egress-s3",
                security_group_id=security_group.id,
                ip_protocol="tcp",
                from_port=443,
                to_port=443,
                prefix_list_id=network.s3_prefix_list_id,
                description="HTTPS to S3 through its gateway endpoint (image layers)",
            ),
        ]
    return security_group, egress_rules


def build_routing(
    scope: Construct,
    *,
    name: str,
    options: ServiceOptions,
    network: NetworkRef,
    alb: AlbRef,
    security_group: SecurityGroup,
) -> Routing:
    port = options.container.port
    ingress_from_alb = VpcSecurityGroupIngressRule(
        scope,
        "ingress-from-alb",
        security_group_id=security_group.id,
        ip_protocol="tcp",
        from_port=port,
        to_port=port,
        referenced_security_group_id=alb.security_group_id,
        description="Container port, from the load balancer only",
    )
    alb_egress = alb.allow_to(security_group, port, description=f"To {name} tasks on the container port")

    health_check = options.health_check
    target_group = LbTargetGroup(
        scope,
        "target-group",
        # A prefix, not a name: a replaced target group (new port, say) is created
        # before the old one is deleted, and two cannot share a name.
        name_prefix=alb.target_group_name_prefix(name),
        port=port,
        protocol="HTTP",
        target_type="ip",
        vpc_id=network.vpc_id,
        deregistration_delay=str(options.routing.deregistration_delay_seconds),
        health_check=LbTargetGroupHealthCheck(
            enabled=True,
            path=health_check.path,
            port="traffic-port",
            protocol="HTTP",
            healthy_threshold=health_check.healthy_threshold,
            unhealthy_threshold=health_check.unhealthy_threshold,
            interval=health_check.interval_seconds,
            timeout=health_check.timeout_seconds,
            matcher=health_check.matcher,
        ),
        tags={"Name": name},
        lifecycle={"create_before_destroy": True},
    )
    routing = options.routing
    conditions = []
    if routing.path_patterns:
        conditions.append(
            LbListenerRuleCondition(path_pattern=LbListenerRuleConditionPathPattern(values=list(routing.path_patterns)))
        )
    if routing.host_headers:
        conditions.append(
            LbListenerRuleCondition(host_header=LbListenerRuleConditionHostHeader(values=list(routing.host_headers)))
        )
    listener_rules = [
        LbListenerRule(
            scope,
            LISTENER_RULE_IDS[kind],
            listener_arn=listener_arn,
            priority=routing.priority,
            action=[LbListenerRuleAction(type="forward", target_group_arn=target_group.arn)],
            condition=conditions,
            tags={"Name": name},
        )
        for kind, listener_arn in alb.routing_listener_arns.items()
    ]
    return Routing(
        ingress_from_alb=ingress_from_alb,
        alb_egress=alb_egress,
        target_group=target_group,
        listener_rules=listener_rules,
    )
