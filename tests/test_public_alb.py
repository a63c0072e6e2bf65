"""PublicAlb: internet-facing, HTTPS with a TLS 1.2+ policy, port 80 only redirects."""

from __future__ import annotations

from typing import Any

from cdktf_fargate import AlbOptions, Cluster, FargateService, Network, PublicAlb

import pytest
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from conftest import CERTIFICATE_ARN, EXISTING_VPC, Synthesized, changed, make_network_and_alb, new_stack, ref

LB_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shared/50dc6c495c0c9188"
LISTENER_ARN = (
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shared/50dc6c495c0c9188/f2f7dc8efc522ab2"
)
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:3f2c1d0"


def build(stack, changes: dict[str, Any] | None = None, **wiring: Any) -> PublicAlb:
    """A load balancer named test in a new network; ``changes`` set option fields by dotted path."""
    network = Network(stack, "network", name="test")
    settings = {
        "name": "test",
        "network": network,
        "certificate_arn": CERTIFICATE_ARN,
        "options": changed(AlbOptions(), changes or {}),
        **wiring,
    }
    return PublicAlb(stack, "alb", **settings)


@pytest.fixture(scope="module")
def default_alb() -> tuple[PublicAlb, Synthesized]:
    stack = new_stack()
    alb = build(stack)
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
    assert lb["security_groups"] == [
        ref("aws_security_group", synth.by_path("aws_security_group", "alb/security-group"), "id")
    ]


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


def alb_rules(synth: Synthesized, rule_type: str) -> list[dict[str, Any]]:
    """The rules of the load balancer's security group (the network has a group of its own)."""
    group = synth.by_path("aws_security_group", "alb/security-group")
    return [
        r
        for r in synth.resources(rule_type).values()
        if r["security_group_id"] == ref("aws_security_group", group, "id")
    ]


def test_security_group_admits_443_and_80_from_anywhere_and_has_no_egress_until_targets_are_added(default_alb):
    _, synth = default_alb
    group = synth.by_path("aws_security_group", "alb/security-group")
    assert group["vpc_id"] == ref("aws_vpc", synth.only("aws_vpc"), "id")
    assert group["description"]
    assert "ingress" not in group and "egress" not in group
    rules = alb_rules(synth, "aws_vpc_security_group_ingress_rule")
    assert sorted((r["from_port"], r["to_port"], r["cidr_ipv4"]) for r in rules) == [
        (80, 80, "0.0.0.0/0"),
        (443, 443, "0.0.0.0/0"),
    ]
    assert all(r["description"] and r["ip_protocol"] == "tcp" for r in rules)
    assert synth.count("aws_vpc_security_group_egress_rule") == 0


def test_allow_to_opens_egress_to_one_security_group_on_one_port(stack):
    network, alb, _ = make_network_and_alb(stack)
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
    build(
        stack,
        {
            "ssl_policy": "ELBSecurityPolicy-TLS13-1-3-2021-06",
            "deletion_protection": False,
            "idle_timeout_seconds": 120,
            "ingress_cidr_blocks": ("203.0.113.0/24", "198.51.100.0/24"),
            "drop_invalid_header_fields": False,
            "http_mode": "closed",
        },
    )
    synth = Synthesized(stack)
    lb = synth.only("aws_lb")
    assert lb["enable_deletion_protection"] is False
    assert lb["idle_timeout"] == 120
    assert lb["drop_invalid_header_fields"] is False
    listener = synth.only("aws_lb_listener")
    assert listener["port"] == 443 and listener["ssl_policy"] == "ELBSecurityPolicy-TLS13-1-3-2021-06"
    rules = alb_rules(synth, "aws_vpc_security_group_ingress_rule")
    assert sorted((r["from_port"], r["cidr_ipv4"]) for r in rules) == [
        (443, "198.51.100.0/24"),
        (443, "203.0.113.0/24"),
    ]


@pytest.mark.parametrize(
    ("wiring", "message"),
    [
        ({"name": "a" * 33}, r"name='a{33}' is invalid: must be 1-32 letters"),
        ({"name": "my_alb"}, r"name='my_alb' is invalid"),
        ({"name": "alb-"}, r"name='alb-' is invalid"),
        ({"name": "internal-web"}, r"name='internal-web' is invalid: must not start with 'internal-'"),
        ({"certificate_arn": ""}, r"certificate_arn='' is invalid: must be an ARN"),
        ({"certificate_arn": "arn:aws:iam::123456789012:server-certificate/x"}, r"must be an ARN of the acm service"),
        ({"network": None}, r"network=None is invalid: must be a Network"),
        ({"options": {"http_mode": "closed"}}, r"options=.* is invalid: must be an AlbOptions"),
    ],
)
def test_fails_when_a_wiring_argument_is_invalid(wiring, message):
    with pytest.raises(ValueError, match=message):
        build(new_stack(), **wiring)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"ssl_policy": "ELBSecurityPolicy-2016-08"},
            r"options.ssl_policy='ELBSecurityPolicy-2016-08' is invalid: "
            r"must be 'ELBSecurityPolicy-TLS13-1-2-2021-06' or",
        ),
        (
            {"ssl_policy": "ELBSecurityPolicy-TLS-1-1-2017-01"},
            r"options.ssl_policy='ELBSecurityPolicy-TLS-1-1-2017-01' is invalid",
        ),
        ({"idle_timeout_seconds": 0}, r"idle_timeout_seconds=0 is invalid: must be a whole number from 1 to 4000"),
        ({"idle_timeout_seconds": 4001}, r"options.idle_timeout_seconds=4001 is invalid"),
        ({"ingress_cidr_blocks": ()}, r"options.ingress_cidr_blocks=\[\] is invalid: must have at least one item"),
        ({"ingress_cidr_blocks": "0.0.0.0/0"}, r"ingress_cidr_blocks='0.0.0.0/0' is invalid: must be a list"),
        (
            {"ingress_cidr_blocks": ("300.0.0.0/8",)},
            r"options.ingress_cidr_blocks='300.0.0.0/8' is invalid: must be an IPv4 CIDR",
        ),
        ({"deletion_protection": "false"}, r"options.deletion_protection='false' is invalid: must be true or false"),
    ],
)
def test_fails_when_an_option_is_invalid(changes, message):
    with pytest.raises(ValueError, match=message):
        build(new_stack(), changes)


@pytest.mark.parametrize("port", [0, 65536, -1])
def test_fails_when_allow_to_gets_an_invalid_port(stack, port):
    network, alb, _ = make_network_and_alb(stack)
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
    build(stack, {"access_logs.bucket_name": "central-alb-logs", "waf.enabled": False})
    synth = Synthesized(stack)
    assert synth.count("aws_s3_bucket") == 0 and synth.count("aws_wafv2_web_acl") == 0
    lb = synth.only("aws_lb")
    assert lb["access_logs"]["bucket"] == "central-alb-logs"
    assert "depends_on" not in lb


def test_access_logs_can_be_switched_off(stack):
    build(stack, {"access_logs.enabled": False})
    synth = Synthesized(stack)
    assert "access_logs" not in synth.only("aws_lb")
    assert synth.count("aws_s3_bucket") == 0


def test_plain_http_forwarding_needs_the_explicit_opt_in(stack):
    alb = build(stack, {"http_mode": "forward", "allow_insecure_http": True})
    synth = Synthesized(stack)
    http = synth.by_path("aws_lb_listener", "alb/http-listener")
    assert http["default_action"][0]["type"] == "fixed-response"
    assert sorted(alb.routing_listener_arns) == ["http", "https"]
    rules = synth.resources("aws_vpc_security_group_ingress_rule").values()
    assert any(rule["from_port"] == 80 and "insecure" in rule["description"] for rule in rules)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"http_mode": "forward"},
            r"options.http_mode='forward' is invalid: serves plain HTTP to the internet; set allow_insecure_http",
        ),
        ({"http_mode": "forward", "allow_insecure_http": "yes"}, r"allow_insecure_http='yes' is invalid"),
        ({"http_mode": "open"}, r"options.http_mode='open' is invalid: must be 'redirect' or 'closed' or 'forward'"),
        (
            {"access_logs.bucket_name": "Logs_Bucket"},
            r"options.access_logs.bucket_name='Logs_Bucket' is invalid: must be an S3 bucket name",
        ),
        ({"access_logs.retention_days": 0}, r"options.access_logs.retention_days=0 is invalid"),
        ({"waf.rate_limit_per_5_minutes": 10}, r"options.waf.rate_limit_per_5_minutes=10 is invalid"),
        ({"waf.log_retention_days": 4}, r"options.waf.log_retention_days=4 is invalid"),
    ],
)
def test_fails_when_insecure_or_invalid_options_are_given(changes, message):
    with pytest.raises(ValueError, match=message):
        build(new_stack(), changes)


def test_fails_when_the_log_key_is_not_a_kms_key():
    with pytest.raises(ValueError, match=r"log_kms_key_arn=.* is invalid: must be an ARN of the kms service"):
        build(new_stack(), log_kms_key_arn="arn:aws:iam::123456789012:role/x")


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
    ("changes", "wiring", "message"),
    [
        ({}, {"alarm_actions": ["topic"]}, r"alarm_actions='topic' is invalid: must be an ARN"),
        ({"alarms.elb_5xx_per_minute": 0}, {}, r"options.alarms.elb_5xx_per_minute=0 is invalid"),
    ],
)
def test_fails_when_alarm_settings_are_invalid(changes, wiring, message):
    with pytest.raises(ValueError, match=message):
        build(new_stack(), changes, **wiring)


def test_fails_when_two_load_balancers_in_one_app_share_a_name(stack):
    build(stack)
    with pytest.raises(
        ValueError, match=r"name='test' is invalid: is already the name of the load balancer at 'test/alb'"
    ):
        PublicAlb(
            stack, "second", name="test", network=Network(stack, "net2", name="n2"), certificate_arn=CERTIFICATE_ARN
        )


def existing_alb(stack):
    return PublicAlb.from_existing(
        stack,
        "shared-alb",
        load_balancer_arn=LB_ARN,
        https_listener_arn=LISTENER_ARN,
        security_group_id="sg-0123456789abcdef0",
    )


def test_a_service_attaches_to_an_existing_load_balancer(stack):
    network = Network.from_existing(
        stack,
        "network",
        **EXISTING_VPC,
    )
    alb = existing_alb(stack)
    cluster = Cluster.from_existing(stack, "cluster", arn="arn:aws:ecs:us-east-1:123456789012:cluster/shared")
    FargateService(stack, "service", name="reports", cluster=cluster, network=network, alb=alb, image=IMAGE)
    synth = Synthesized(stack)
    assert synth.count("aws_lb") == 0 and synth.count("aws_lb_listener") == 0 and synth.count("aws_ecs_cluster") == 0
    data = synth.only_data("aws_lb")
    assert data["arn"] == LB_ARN
    assert synth.only("aws_lb_listener_rule")["listener_arn"] == LISTENER_ARN
    (egress,) = [
        rule
        for rule in synth.resources("aws_vpc_security_group_egress_rule").values()
        if rule["security_group_id"] == "sg-0123456789abcdef0"
    ]
    assert egress["security_group_id"] == "sg-0123456789abcdef0"
    assert (egress["from_port"], egress["to_port"]) == (8080, 8080)
    ingress = synth.by_path("aws_vpc_security_group_ingress_rule", "service/ingress-from-alb")
    assert ingress["referenced_security_group_id"] == "sg-0123456789abcdef0"
    alarm = synth.by_path("aws_cloudwatch_metric_alarm", "service/alarms/target-5xx")
    assert alarm["dimensions"]["LoadBalancer"] == ref("data.aws_lb", data, "arn_suffix")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"load_balancer_arn": "shared"}, r"load_balancer_arn='shared' is invalid: must be an ARN"),
        (
            {"https_listener_arn": "arn:aws:ecs:us-east-1:123456789012:cluster/x"},
            r"https_listener_arn=.* must be an ARN of the elasticloadbalancing service",
        ),
        ({"security_group_id": "default"}, r"security_group_id='default' is invalid: must be a security group id"),
    ],
)
def test_fails_when_an_existing_load_balancer_is_described_wrongly(arguments, message):
    settings = {
        "load_balancer_arn": LB_ARN,
        "https_listener_arn": LISTENER_ARN,
        "security_group_id": "sg-0123456789abcdef0",
    }
    with pytest.raises(ValueError, match=message):
        PublicAlb.from_existing(new_stack(), "alb", **{**settings, **arguments})


def test_mutual_tls_verify_checks_clients_against_a_trust_store_made_from_the_bundle_and_revocations(stack):
    build(
        stack,
        {
            "mutual_tls.mode": "verify",
            "mutual_tls.trust_store_bundle": "s3://shop-ca/clients/bundle.pem",
            "mutual_tls.revocation_list": "s3://shop-ca/clients/revoked.crl",
        },
    )
    synth = Synthesized(stack)
    store = synth.only("aws_lb_trust_store")
    assert (store["name"], store["ca_certificates_bundle_s3_bucket"], store["ca_certificates_bundle_s3_key"]) == (
        "test",
        "shop-ca",
        "clients/bundle.pem",
    )
    revocation = synth.only("aws_lb_trust_store_revocation")
    assert revocation["trust_store_arn"] == ref("aws_lb_trust_store", store, "arn")
    assert (revocation["revocations_s3_bucket"], revocation["revocations_s3_key"]) == ("shop-ca", "clients/revoked.crl")
    https = synth.by_path("aws_lb_listener", "alb/https-listener")
    assert https["mutual_authentication"] == {
        "mode": "verify",
        "trust_store_arn": ref("aws_lb_trust_store", store, "arn"),
        "ignore_client_certificate_expiry": False,
    }


def test_mutual_tls_passthrough_passes_the_chain_on_without_a_trust_store(stack):
    build(stack, {"mutual_tls.mode": "passthrough"})
    synth = Synthesized(stack)
    assert synth.by_path("aws_lb_listener", "alb/https-listener")["mutual_authentication"] == {"mode": "passthrough"}
    assert synth.resources("aws_lb_trust_store") == {}


def test_without_mutual_tls_the_listener_asks_for_no_certificate(default_alb):
    _, synth = default_alb
    assert "mutual_authentication" not in synth.by_path("aws_lb_listener", "alb/https-listener")
    assert synth.resources("aws_lb_trust_store") == {}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"mutual_tls.mode": "verify"}, "options.mutual_tls.trust_store_bundle='' is invalid: is required with mode"),
        (
            {"mutual_tls.mode": "verify", "mutual_tls.trust_store_bundle": "https://shop-ca/bundle.pem"},
            "must be an S3 object: 's3://<bucket>/<key>'",
        ),
        (
            {"mutual_tls.mode": "passthrough", "mutual_tls.trust_store_bundle": "s3://shop-ca/bundle.pem"},
            "options.mutual_tls.trust_store_bundle='s3://shop-ca/bundle.pem' is invalid: applies with mode = 'verify'",
        ),
        ({"mutual_tls.ignore_client_certificate_expiry": True}, "applies with mode = 'verify' only (mode is 'off')"),
        ({"mutual_tls.mode": "required"}, "options.mutual_tls.mode='required' is invalid"),
    ],
)
def test_fails_when_mutual_tls_is_set_as_aws_would_refuse(changes, message):
    with pytest.raises(ValueError) as error:
        build(new_stack(), changes)
    assert message in str(error.value)
