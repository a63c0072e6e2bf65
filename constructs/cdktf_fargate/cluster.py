"""Cluster: the ECS cluster services run in, created here or brought in by ARN."""

from __future__ import annotations

import re

from constructs import Construct

from ._app_rules import claim_name
from ._bindings import (
    EcsCluster,
    EcsClusterCapacityProviders,
    EcsClusterCapacityProvidersDefaultCapacityProviderStrategy,
    EcsClusterSetting,
    Fn,
    ITerraformDependable,
)
from ._validation import Problems, deprecated, is_token
from .options import ClusterOptions, check_options

CLUSTER_NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,254}")
FARGATE = "FARGATE"
FARGATE_SPOT = "FARGATE_SPOT"


class Cluster(Construct):
    """An ECS cluster with the FARGATE and FARGATE_SPOT capacity providers (FARGATE by default).

    Services receive it as ``cluster=``; ``Cluster.from_existing`` brings an existing one.
    """

    def __init__(self, scope: Construct, id_: str, *, name: str, options: ClusterOptions | None = None) -> None:
        """
        :param name: the cluster's name, 1-255 letters, digits, '-' or '_'.
        :param options: ``ClusterOptions``; default: Container Insights on.
        """
        super().__init__(scope, id_)
        options = ClusterOptions() if options is None else options
        problems = Problems.of(self)
        problems.check_pattern("name", name, CLUSTER_NAME_PATTERN, "must be 1-255 letters, digits, '-' or '_'")
        if not isinstance(options, ClusterOptions):
            problems.add("options", options, "must be a ClusterOptions")
        else:
            check_options(problems, "options", options)
        earlier = claim_name(self, "ECS cluster", name, self.node.path)
        if earlier:
            problems.add("name", name, f"is already the name of the ECS cluster at {earlier!r}")
        problems.raise_if_any()
        self.options = options
        self.cluster = EcsCluster(
            self,
            "cluster",
            name=name,
            setting=[
                EcsClusterSetting(
                    name="containerInsights", value="enabled" if options.container_insights else "disabled"
                )
            ],
        )
        self.capacity_providers = EcsClusterCapacityProviders(
            self,
            "capacity-providers",
            cluster_name=self.cluster.name,
            capacity_providers=[FARGATE, FARGATE_SPOT],
            default_capacity_provider_strategy=[
                EcsClusterCapacityProvidersDefaultCapacityProviderStrategy(
                    capacity_provider=FARGATE, weight=100, base=0
                )
            ],
        )

    @property
    def cluster_arn(self) -> str:
        return self.cluster.arn

    @property
    def cluster_name(self) -> str:
        return self.cluster.name

    @property
    def dependables(self) -> list[ITerraformDependable]:
        """What a service must wait for: its capacity providers are associated with the cluster."""
        return [self.capacity_providers]

    @staticmethod
    def from_existing(scope: Construct, id_: str, *, arn: str) -> ExistingCluster:
        """A cluster that exists. Nothing is created.

        :param arn: the cluster's ARN; it must have the FARGATE (and, for a Spot share, FARGATE_SPOT)
            capacity providers.
        """
        return ExistingCluster(scope, id_, arn=arn)

    @staticmethod
    def from_arn(scope: Construct, id_: str, arn: str) -> ExistingCluster:
        """Deprecated in 0.4, removed in 0.5: ``Cluster.from_existing(scope, id_, arn=...)``, spelled as
        every other part's."""
        deprecated("Cluster.from_arn(scope, id_, arn)", "Cluster.from_existing(scope, id_, arn=...)")
        return Cluster.from_existing(scope, id_, arn=arn)


class ExistingCluster(Construct):
    """A reference to a cluster made elsewhere: its ARN and name."""

    def __init__(self, scope: Construct, id_: str, *, arn: str) -> None:
        super().__init__(scope, id_)
        problems = Problems.of(self)
        problems.check_arn("arn", arn, service="ecs")
        problems.raise_if_any()
        self.cluster_arn = arn
        # arn:aws:ecs:<region>:<account>:cluster/<name>
        self.cluster_name: str = Fn.element(Fn.split("/", arn), 1) if is_token(arn) else arn.split("/", 1)[-1]

    @property
    def dependables(self) -> list[ITerraformDependable]:
        return []
