"""What a service needs of the parts it is wired to. A part built here and one brought in
(``Network.from_existing``, ``Cluster.from_existing``, ``PublicAlb.from_existing``,
``EcrRepo.from_existing``) satisfy the same protocol, so a service cannot tell them apart."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ._bindings import IamRole, IamRolePolicy, ITerraformDependable, SecurityGroup, VpcSecurityGroupEgressRule


class NetworkRef(Protocol):
    """A VPC: public subnets for the load balancer, private subnets for the tasks."""

    @property
    def vpc_id(self) -> str: ...
    @property
    def public_subnet_ids(self) -> list[str]: ...
    @property
    def private_subnet_ids(self) -> list[str]: ...
    # Whether tasks may reach the internet; without it, where they reach AWS: the endpoints'
    # security group and the S3 gateway endpoint's prefix list.
    @property
    def allows_internet_egress(self) -> bool: ...
    @property
    def endpoints_security_group_id(self) -> str | None: ...
    @property
    def s3_prefix_list_id(self) -> str | None: ...


class ClusterRef(Protocol):
    """An ECS cluster with the FARGATE capacity providers."""

    @property
    def cluster_arn(self) -> str: ...
    @property
    def cluster_name(self) -> str: ...
    @property
    def dependables(self) -> list[ITerraformDependable]: ...


class AlbRef(Protocol):
    """A load balancer services attach listener rules to."""

    @property
    def security_group_id(self) -> str: ...
    @property
    def load_balancer_arn_suffix(self) -> str: ...
    @property
    def dns_name(self) -> str: ...
    @property
    def zone_id(self) -> str: ...
    @property
    def routing_listener_arns(self) -> dict[str, str]:
        """``{"https": arn}``, plus ``"http"`` when port 80 forwards to the services."""
        ...

    def allow_to(self, security_group: SecurityGroup, port: int, description: str) -> VpcSecurityGroupEgressRule:
        """Let the load balancer reach ``security_group`` on ``port``."""
        ...

    def claim_rule(
        self, owner: str, priority: int, path_patterns: Sequence[str], host_headers: Sequence[str]
    ) -> list[str]:
        """Record a listener rule; return what is wrong with it next to the rules already there."""
        ...

    def target_group_name_prefix(self, service_name: str) -> str:
        """A target group name prefix that tells the service apart from the others on this load balancer."""
        ...


class ServiceNamespaceRef(Protocol):
    """A Cloud Map namespace in which services call each other over ECS Service Connect."""

    @property
    def namespace_arn(self) -> str: ...


class RepositoryRef(Protocol):
    """An ECR repository tasks pull from."""

    @property
    def repository_url(self) -> str: ...
    @property
    def repository_arn(self) -> str: ...
    def image_uri(self, tag: str) -> str: ...
    def grant_pull(self, role: IamRole) -> IamRolePolicy: ...
