"""ServiceDomain: a DNS-validated certificate and an alias record in a Route53 hosted zone."""

from __future__ import annotations

import re

from constructs import Construct

from ._bindings import (
    AcmCertificate,
    AcmCertificateValidation,
    Fn,
    Route53Record,
    Route53RecordAlias,
)
from ._validation import Problems
from .refs import AlbRef

DOMAIN_PATTERN = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
ZONE_ID_PATTERN = re.compile(r"Z[A-Z0-9]{1,31}")


class ServiceDomain(Construct):
    """The certificate for ``domain_name`` (validated through a record in the zone) and, once a load
    balancer is given with ``point_to``, an alias record for it. ``certificate_arn`` is the
    validated certificate: a listener using it waits for validation."""

    def __init__(self, scope: Construct, id_: str, *, domain_name: str, hosted_zone_id: str) -> None:
        """
        :param domain_name: the service's host name, e.g. ``shop.example.com``.
        :param hosted_zone_id: the Route53 hosted zone that holds it (``Z…``).
        """
        super().__init__(scope, id_)
        problems = Problems.of(self)
        problems.check_pattern(
            "domain_name", domain_name, DOMAIN_PATTERN, "must be a lower-case DNS name like 'shop.example.com'"
        )
        problems.check_pattern(
            "hosted_zone_id", hosted_zone_id, ZONE_ID_PATTERN, "must be a Route53 zone id like 'Z0123456789ABCDEFGHIJ'"
        )
        problems.raise_if_any()
        self.domain_name = domain_name
        self.hosted_zone_id = hosted_zone_id
        self.certificate = AcmCertificate(
            self,
            "certificate",
            domain_name=domain_name,
            validation_method="DNS",
            # A replacement certificate must exist before the listener lets go of the old one.
            lifecycle={"create_before_destroy": True},
        )
        option = Fn.element(Fn.tolist(self.certificate.domain_validation_options), 0)
        self.validation_record = Route53Record(
            self,
            "validation-record",
            zone_id=hosted_zone_id,
            name=Fn.lookup(option, "resource_record_name", None),
            type=Fn.lookup(option, "resource_record_type", None),
            records=[Fn.lookup(option, "resource_record_value", None)],
            ttl=60,
            allow_overwrite=True,
        )
        self.validation = AcmCertificateValidation(
            self,
            "validation",
            certificate_arn=self.certificate.arn,
            validation_record_fqdns=[self.validation_record.fqdn],
        )
        self.alias_record: Route53Record | None = None

    @property
    def certificate_arn(self) -> str:
        return self.validation.certificate_arn

    def point_to(self, alb: AlbRef) -> Route53Record:
        """An alias A record for the domain that resolves to the load balancer."""
        self.alias_record = Route53Record(
            self,
            "alias-record",
            zone_id=self.hosted_zone_id,
            name=self.domain_name,
            type="A",
            alias=Route53RecordAlias(name=alb.dns_name, zone_id=alb.zone_id, evaluate_target_health=True),
        )
        return self.alias_record
