"""Cluster: created with the Fargate capacity providers, or brought in by ARN; services share it."""

from __future__ import annotations

from cdktf_fargate import Cluster, ClusterOptions, FargateService, Routing, ServiceOptions

import pytest
from conftest import Synthesized, make_network_and_alb, new_stack, ref

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:3f2c1d0"


def test_has_container_insights_and_the_fargate_capacity_providers(stack):
    Cluster(stack, "cluster", name="shop")
    synth = Synthesized(stack)
    cluster = synth.only("aws_ecs_cluster")
    assert cluster["name"] == "shop"
    assert cluster["setting"] == [{"name": "containerInsights", "value": "enabled"}]
    providers = synth.only("aws_ecs_cluster_capacity_providers")
    assert providers["cluster_name"] == ref("aws_ecs_cluster", cluster, "name")
    assert providers["capacity_providers"] == ["FARGATE", "FARGATE_SPOT"]
    assert providers["default_capacity_provider_strategy"] == [
        {"capacity_provider": "FARGATE", "weight": 100, "base": 0}
    ]


def test_container_insights_can_be_switched_off(stack):
    Cluster(stack, "cluster", name="shop", options=ClusterOptions(container_insights=False))
    assert Synthesized(stack).only("aws_ecs_cluster")["setting"] == [{"name": "containerInsights", "value": "disabled"}]


def test_two_services_share_one_cluster_and_wait_for_its_capacity_providers(stack):
    network, alb, cluster = make_network_and_alb(stack)
    for name, priority, path in (("web", 200, "/*"), ("api", 100, "/api/*")):
        FargateService(
            stack,
            name,
            name=name,
            cluster=cluster,
            network=network,
            alb=alb,
            image=IMAGE,
            options=ServiceOptions(routing=Routing(priority=priority, path_patterns=(path,))),
        )
    synth = Synthesized(stack)
    cluster_body = synth.only("aws_ecs_cluster")
    capacity = synth.only("aws_ecs_cluster_capacity_providers")
    for service in synth.resources("aws_ecs_service").values():
        assert service["cluster"] == ref("aws_ecs_cluster", cluster_body, "arn")
        assert f"aws_ecs_cluster_capacity_providers.{capacity['__logical_id__']}" in service["depends_on"]


def test_an_existing_cluster_creates_nothing_and_names_itself_from_its_arn(stack):
    existing = Cluster.from_existing(stack, "cluster", arn="arn:aws:ecs:us-east-1:123456789012:cluster/platform")
    assert existing.cluster_name == "platform" and existing.dependables == []
    assert "resource" not in Synthesized(stack).json


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"name": "my cluster"}, r"name='my cluster' is invalid: must be 1-255 letters"),
        (
            {"options": ClusterOptions(container_insights="no")},
            r"options.container_insights='no' is invalid: must be true or false",
        ),  # type: ignore[arg-type]
        ({"options": {"container_insights": False}}, r"options=.* is invalid: must be a ClusterOptions"),
    ],
)
def test_fails_when_a_setting_is_invalid(arguments, message):
    with pytest.raises(ValueError, match=message):
        Cluster(new_stack(), "cluster", **{"name": "shop", **arguments})


def test_fails_when_an_existing_cluster_is_not_an_ecs_arn():
    with pytest.raises(ValueError, match=r"arn='platform' is invalid: must be an ARN"):
        Cluster.from_existing(new_stack(), "cluster", arn="platform")


def test_from_arn_still_works_for_one_release_and_says_what_to_write_instead():
    arn = "arn:aws:ecs:us-east-1:123456789012:cluster/platform"
    with pytest.warns(DeprecationWarning, match=r"Cluster.from_arn\(scope, id_, arn\) is deprecated and goes in "
                      r"0.5: use Cluster.from_existing\(scope, id_, arn=...\)"):  # fmt: skip
        existing = Cluster.from_arn(new_stack(), "cluster", arn)
    assert existing.cluster_arn == arn


def test_fails_when_two_clusters_in_one_app_share_a_name(stack):
    Cluster(stack, "cluster", name="shop")
    with pytest.raises(
        ValueError, match=r"name='shop' is invalid: is already the name of the ECS cluster at 'test/cluster'"
    ):
        Cluster(stack, "again", name="shop")


def test_an_existing_namespace_is_brought_the_same_way_and_from_arn_still_works():
    from cdktf_fargate import ServiceNamespace

    arn = "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-abcdef1234567890"
    assert ServiceNamespace.from_existing(new_stack(), "namespace", arn=arn).namespace_arn == arn
    with pytest.raises(ValueError, match=r"arn='ns-1' is invalid"):
        ServiceNamespace.from_existing(new_stack(), "namespace", arn="ns-1")
    with pytest.warns(DeprecationWarning, match=r"use ServiceNamespace.from_existing\(scope, id_, arn=...\)"):
        assert ServiceNamespace.from_arn(new_stack(), "namespace", arn).namespace_arn == arn
