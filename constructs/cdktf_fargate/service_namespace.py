"""ServiceNamespace: the Cloud Map namespace in which services call each other over ECS Service Connect."""

from __future__ import annotations

import re

from constructs import Construct

from ._app_rules import claim_name
from ._bindings import ServiceDiscoveryHttpNamespace
from ._validation import Problems, deprecated

NAMESPACE_NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,1023}")


class ServiceNamespace(Construct):
    """An HTTP Cloud Map namespace (no Route53 zone: Service Connect resolves names in its proxy).

    Services take it as ``service_connect_namespace=``; ``ServiceNamespace.from_existing`` brings an existing one.
    """

    def __init__(self, scope: Construct, id_: str, *, name: str, description: str = "") -> None:
        """
        :param name: the namespace's name, e.g. ``<app>-<env>``; unique in the account and region.
        :param description: shown in the Cloud Map console. Default: says which services use it.
        """
        super().__init__(scope, id_)
        problems = Problems.of(self)
        problems.check_pattern("name", name, NAMESPACE_NAME_PATTERN, "must be 1-1024 letters, digits, '.', '_' or '-'")
        earlier = claim_name(self, "Cloud Map namespace", name, self.node.path)
        if earlier:
            problems.add("name", name, f"is already the name of the namespace at {earlier!r}")
        problems.raise_if_any()
        self.namespace = ServiceDiscoveryHttpNamespace(
            self,
            "namespace",
            name=name,
            description=description or f"Service Connect between the services of {name}",
        )

    @property
    def namespace_arn(self) -> str:
        return self.namespace.arn

    @staticmethod
    def from_existing(scope: Construct, id_: str, *, arn: str) -> ExistingNamespace:
        """A namespace that exists (HTTP or private DNS). Nothing is created.

        :param arn: the namespace's ARN.
        """
        return ExistingNamespace(scope, id_, arn=arn)

    @staticmethod
    def from_arn(scope: Construct, id_: str, arn: str) -> ExistingNamespace:
        """Deprecated in 0.4, removed in 0.5: ``ServiceNamespace.from_existing(scope, id_, arn=...)``."""
        deprecated("ServiceNamespace.from_arn(scope, id_, arn)", "ServiceNamespace.from_existing(scope, id_, arn=...)")
        return ServiceNamespace.from_existing(scope, id_, arn=arn)


class ExistingNamespace(Construct):
    """A reference to a Cloud Map namespace made elsewhere."""

    def __init__(self, scope: Construct, id_: str, *, arn: str) -> None:
        super().__init__(scope, id_)
        problems = Problems.of(self)
        problems.check_arn("arn", arn, service="servicediscovery")
        problems.raise_if_any()
        self.namespace_arn = arn
