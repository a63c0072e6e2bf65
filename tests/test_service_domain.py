"""ServiceDomain: DNS-validated certificate and alias record."""

from __future__ import annotations

from cdktf_fargate import Network, PublicAlb, ServiceDomain

import pytest
from conftest import Synthesized, new_stack, ref


def test_certificate_is_validated_through_a_record_in_the_zone(stack):
    domain = ServiceDomain(stack, "domain", domain_name="shop.example.com", hosted_zone_id="Z0123456789ABCDEFGHIJ")
    network = Network(stack, "network", name="test")
    alb = PublicAlb(stack, "alb", name="test", network=network, certificate_arn=domain.certificate_arn)
    domain.point_to(alb)
    synth = Synthesized(stack)
    certificate = synth.only("aws_acm_certificate")
    record = synth.by_path("aws_route53_record", "domain/validation-record")
    assert record["zone_id"] == "Z0123456789ABCDEFGHIJ"
    assert "domain_validation_options" in record["name"] and record["ttl"] == 60
    validation = synth.only("aws_acm_certificate_validation")
    assert validation["certificate_arn"] == ref("aws_acm_certificate", certificate, "arn")
    assert validation["validation_record_fqdns"] == [ref("aws_route53_record", record, "fqdn")]
    alias = synth.by_path("aws_route53_record", "domain/alias-record")
    assert alias["alias"] == {
        "name": ref("aws_lb", synth.only("aws_lb"), "dns_name"),
        "zone_id": ref("aws_lb", synth.only("aws_lb"), "zone_id"),
        "evaluate_target_health": True,
    }


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"domain_name": "Shop.Example.com"},
            r"domain_name='Shop.Example.com' is invalid: must be a lower-case DNS name",
        ),
        ({"domain_name": "localhost"}, r"domain_name='localhost' is invalid"),
        ({"hosted_zone_id": "example.com"}, r"hosted_zone_id='example.com' is invalid: must be a Route53 zone id"),
    ],
)
def test_fails_when_a_setting_is_invalid(settings, message):
    with pytest.raises(ValueError, match=message):
        ServiceDomain(
            new_stack(),
            "domain",
            **{"domain_name": "shop.example.com", "hosted_zone_id": "Z0123456789ABCDEFGHIJ", **settings},
        )
