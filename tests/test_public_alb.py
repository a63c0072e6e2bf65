"""PublicAlb: internet-facing, HTTPS with a TLS 1.2+ policy, port 80 only redirects."""

from __future__ import annotations

from cdktf_fargate import Network, PublicAlb

import pytest
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from conftest import CERTIFICATE_ARN, Synthesized, make_network_and_alb, new_stack, ref


@pytest.fixture(scope="module")
def default_alb() -> tuple[PublicAlb, Synthesized]:
    stack = new_stack()
    _, alb = make_network_and_alb(stack)
    return alb, Synthesized(stack)


def test_load_balancer_is_internet_facing_in_public_subnets_with_deletion_protection(default_alb):
    _, synth = default_alb
    lb = synth.only("aws_lb")
    assert lb["name"] == "test"
    assert lb["internal"] is False
    assert lb["load_balancer_type"] == "application"
    assert lb["enable_deletion_protection"] is True
    assert lb["drop_invalid_header_fields"] is True
    assert lb["idle_timeout"] == 60
    assert lb["subnets"] == [
        ref("aws_subnet", synth.by_path("aws_subnet", f"network/public-subnet-{i}"), "id") for i in range(2)
    ]
    assert lb["security_groups"] == [ref("aws_security_group", synth.only("aws_security_group"), "id")]


def test_https_listener_uses_tls13_policy_and_the_certificate(default_alb):
    _, synth = default_alb
    https = synth.by_path("aws_lb_listener", "alb/https-listener")
    assert https["port"] == 443 and https["protocol"] == "HTTPS"
    assert https["ssl_policy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert https["certificate_arn"] == CERTIFICATE_ARN
    assert https["load_balancer_arn"] == ref("aws_lb", synth.only("aws_lb"), "arn")
    (action,) = https["default_action"]
    assert action["type"] == "fixed-response"
    assert action["fixed_response"]["status_code"] == "404"


def test_port_80_only_redirects_to_https(default_alb):
    _, synth = default_alb
    http = synth.by_path("aws_lb_listener", "alb/http-listener")
    assert http["port"] == 80 and http["protocol"] == "HTTP"
    assert http["default_action"] == [
        {"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}}
    ]


def test_security_group_admits_443_and_80_from_anywhere_and_has_no_egress_until_targets_are_added(default_alb):
    _, synth = default_alb
    group = synth.only("aws_security_group")
    assert group["vpc_id"] == ref("aws_vpc", synth.only("aws_vpc"), "id")
    assert group["description"]
    assert "ingress" not in group and "egress" not in group
    rules = synth.resources("aws_vpc_security_group_ingress_rule").values()
    assert sorted((r["from_port"], r["to_port"], r["cidr_ipv4"]) for r in rules) == [
        (80, 80, "0.0.0.0/0"),
        (443, 443, "0.0.0.0/0"),
    ]
    assert all(r["description"] and r["ip_protocol"] == "tcp" for r in rules)
    assert synth.count("aws_vpc_security_group_egress_rule") == 0


def test_allow_to_opens_egress_to_one_security_group_on_one_port(stack):
    network, alb = make_network_and_alb(stack)
    targets = SecurityGroup(stack, "targets", vpc_id=network.vpc_id, description="targets")
    alb.allow_to(targets, 8080, description="to targets")
    synth = Synthesized(stack)
    rule = synth.only("aws_vpc_security_group_egress_rule")
    assert rule["from_port"] == rule["to_port"] == 8080
    assert rule["referenced_security_group_id"] == ref(
        "aws_security_group", synth.by_path("aws_security_group", "targets"), "id"
    )
    assert rule["security_group_id"] == ref(
        "aws_security_group", synth.by_path("aws_security_group", "alb/security-group"), "id"
    )
    assert "cidr_ipv4" not in rule


def test_options_change_policy_timeout_protection_and_close_port_80(stack):
    make_network_and_alb(
        stack,
        ssl_policy="ELBSecurityPolicy-TLS13-1-3-2021-06",
        deletion_protection=False,
        idle_timeout_seconds=120,
        ingress_cidr_blocks=["203.0.113.0/24", "198.51.100.0/24"],
        drop_invalid_header_fields=False,
        http_mode="closed",
    )
    synth = Synthesized(stack)
    lb = synth.only("aws_lb")
    assert lb["enable_deletion_protection"] is False
    assert lb["idle_timeout"] == 120
    assert lb["drop_invalid_header_fields"] is False
    listener = synth.only("aws_lb_listener")
    assert listener["port"] == 443 and listener["ssl_policy"] == "ELBSecurityPolicy-TLS13-1-3-2021-06"
    rules = synth.resources("aws_vpc_security_group_ingress_rule").values()
    assert sorted((r["from_port"], r["cidr_ipv4"]) for r in rules) == [
        (443, "198.51.100.0/24"),
        (443, "203.0.113.0/24"),
    ]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"name": "a" * 33}, r"name='a{33}' is invalid: must be 1-32 letters"),
        ({"name": "my_alb"}, r"name='my_alb' is invalid"),
        ({"name": "alb-"}, r"name='alb-' is invalid"),
        ({"name": "internal-web"}, r"name='internal-web' is invalid: must not start with 'internal-'"),
        ({"certificate_arn": ""}, r"certificate_arn='' is invalid: must be an ARN"),
        ({"certificate_arn": "arn:aws:iam::123456789012:server-certificate/x"}, r"must be an ARN of the acm service"),
        (
            {"ssl_policy": "ELBSecurityPolicy-2016-08"},
            r"ssl_policy='ELBSecurityPolicy-2016-08' is invalid: must be one of",
        ),
        (
            {"ssl_policy": "ELBSecurityPolicy-TLS-1-1-2017-01"},
            r"ssl_policy='ELBSecurityPolicy-TLS-1-1-2017-01' is invalid",
        ),
        ({"idle_timeout_seconds": 0}, r"idle_timeout_seconds=0 is invalid: must be a whole number from 1 to 4000"),
        ({"idle_timeout_seconds": 4001}, r"idle_timeout_seconds=4001 is invalid"),
        ({"ingress_cidr_blocks": []}, r"ingress_cidr_blocks=\[\] is invalid: must be a non-empty list"),
        ({"ingress_cidr_blocks": "0.0.0.0/0"}, r"ingress_cidr_blocks='0.0.0.0/0' is invalid"),
        (
            {"ingress_cidr_blocks": ["300.0.0.0/8"]},
            r"ingress_cidr_blocks='300.0.0.0/8' is invalid: must be an IPv4 CIDR",
        ),
    ],
)
def test_fails_when_a_setting_is_invalid(settings, message):
    stack = new_stack()
    network = Network(stack, "network", name="test")
    with pytest.raises(ValueError, match=message):
        PublicAlb(stack, "alb", **{"name": "test", "network": network, "certificate_arn": CERTIFICATE_ARN, **settings})


@pytest.mark.parametrize("port", [0, 65536, -1])
def test_fails_when_allow_to_gets_an_invalid_port(stack, port):
    network, alb = make_network_and_alb(stack)
    targets = SecurityGroup(stack, "targets", vpc_id=network.vpc_id)
    with pytest.raises(ValueError, match=rf"port={port} is invalid: must be a whole number from 1 to 65535"):
        alb.allow_to(targets, port, description="x")


def test_access_logs_go_to_a_created_private_bucket_and_the_alb_waits_for_its_policy(default_alb):
    alb, synth = default_alb
    lb = synth.only("aws_lb")
    bucket = synth.only("aws_s3_bucket")
    assert bucket["bucket_prefix"] == "test-alb-logs-"
    assert lb["access_logs"] == {"bucket": ref("aws_s3_bucket", bucket, "bucket"), "prefix": "alb", "enabled": True}
    assert lb["depends_on"] == [f"aws_s3_bucket_policy.{synth.only('aws_s3_bucket_policy')['__logical_id__']}"]
    assert alb.access_log_bucket is not None


def test_waf_protects_the_load_balancer(default_alb):
    alb, synth = default_alb
    association = synth.only("aws_wafv2_web_acl_association")
    assert association["resource_arn"] == ref("aws_lb", synth.only("aws_lb"), "arn")
    assert synth.only("aws_wafv2_web_acl")["name"] == "test"
    assert alb.web_acl is not None


def test_an_existing_log_bucket_and_no_waf(stack):
    make_network_and_alb(stack, access_logs_bucket_name="central-alb-logs", waf_enabled=False)
    synth = Synthesized(stack)
    assert synth.count("aws_s3_bucket") == 0 and synth.count("aws_wafv2_web_acl") == 0
    lb = synth.only("aws_lb")
    assert lb["access_logs"]["bucket"] == "central-alb-logs"
    assert "depends_on" not in lb


def test_access_logs_can_be_switched_off(stack):
    make_network_and_alb(stack, access_logs_enabled=False)
    synth = Synthesized(stack)
    assert "access_logs" not in synth.only("aws_lb")
    assert synth.count("aws_s3_bucket") == 0


def test_plain_http_forwarding_needs_the_explicit_opt_in(stack):
    _, alb = make_network_and_alb(stack, http_mode="forward", allow_insecure_http=True)
    synth = Synthesized(stack)
    http = synth.by_path("aws_lb_listener", "alb/http-listener")
    assert http["default_action"][0]["type"] == "fixed-response"
    assert [listener.port_input for listener in alb.routing_listeners] == [443, 80]
    rules = synth.resources("aws_vpc_security_group_ingress_rule").values()
    assert any(rule["from_port"] == 80 and "insecure" in rule["description"] for rule in rules)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"http_mode": "forward"},
            r"http_mode='forward' is invalid: serves plain HTTP to the internet; pass allow_insecure_http=True",
        ),
        ({"http_mode": "forward", "allow_insecure_http": "yes"}, r"http_mode='forward' is invalid"),
        ({"http_mode": "open"}, r"http_mode='open' is invalid: must be one of 'redirect', 'closed', 'forward'"),
        (
            {"access_logs_bucket_name": "Logs_Bucket"},
            r"access_logs_bucket_name='Logs_Bucket' is invalid: must be an S3 bucket name",
        ),
        ({"access_logs_retention_days": 0}, r"access_logs_retention_days=0 is invalid"),
        ({"waf_rate_limit_per_5_minutes": 10}, r"waf_rate_limit_per_5_minutes=10 is invalid"),
        ({"waf_log_retention_days": 4}, r"waf_log_retention_days=4 is invalid"),
        (
            {"log_kms_key_arn": "arn:aws:iam::123456789012:role/x"},
            r"log_kms_key_arn=.* is invalid: must be an ARN of the kms service",
        ),
    ],
)
def test_fails_when_insecure_or_invalid_options_are_given(settings, message):
    stack = new_stack()
    network = Network(stack, "network", name="test")
    with pytest.raises(ValueError, match=message):
        PublicAlb(stack, "alb", **{"name": "test", "network": network, "certificate_arn": CERTIFICATE_ARN, **settings})


def test_the_load_balancers_own_5xx_raise_an_alarm(default_alb):
    _, synth = default_alb
    alarm = synth.only("aws_cloudwatch_metric_alarm")
    assert (alarm["alarm_name"], alarm["metric_name"], alarm["threshold"]) == (
        "test-elb-5xx",
        "HTTPCode_ELB_5XX_Count",
        10,
    )
    assert alarm["dimensions"] == {"LoadBalancer": ref("aws_lb", synth.only("aws_lb"), "arn_suffix")}


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"alarm_actions": ["topic"]}, r"alarm_actions='topic' is invalid: must be an ARN"),
        ({"alarm_elb_5xx_per_minute": 0}, r"alarm_elb_5xx_per_minute=0 is invalid"),
    ],
)
def test_fails_when_alarm_settings_are_invalid(settings, message):
    stack = new_stack()
    network = Network(stack, "network", name="test")
    with pytest.raises(ValueError, match=message):
        PublicAlb(stack, "alb", **{"name": "test", "network": network, "certificate_arn": CERTIFICATE_ARN, **settings})
