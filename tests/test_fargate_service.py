"""FargateService: roles, logs, task definition, networking, target group and service, in a given cluster."""

from __future__ import annotations

import json
from typing import Any

from cdktf_fargate import (
    Alarms,
    CapacitySchedule,
    Cluster,
    Container,
    FargateService,
    Network,
    NetworkOptions,
    PublicAlb,
    Routing,
    Scaling,
    SecretsManagerSecret,
    ServiceAlarms,
    ServiceAutoscaling,
    ServiceNamespace,
    ServiceOptions,
    Sidecar,
    SsmParameter,
)

import pytest
from cdktf import TerraformVariable
from conftest import CERTIFICATE_ARN, Synthesized, changed, make_network_and_alb, new_stack, ref

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:3f2c1d0"


def build(stack, changes: dict[str, Any] | None = None, **wiring: Any) -> FargateService:
    """A service on a new network, load balancer and cluster; ``options`` change fields by dotted path."""
    network, alb, cluster = make_network_and_alb(stack)
    return FargateService(
        stack,
        "service",
        **{
            "name": "shop",
            "cluster": cluster,
            "network": network,
            "alb": alb,
            "image": IMAGE,
            "options": changed(ServiceOptions(), changes or {}),
            **wiring,
        },
    )


@pytest.fixture(scope="module")
def default_service() -> tuple[FargateService, Synthesized]:
    stack = new_stack()
    service = build(stack)
    return service, Synthesized(stack)


def service_log_group(synth: Synthesized) -> dict[str, Any]:
    return synth.by_path("aws_cloudwatch_log_group", "service/log-group")


def container_of(synth: Synthesized) -> dict[str, Any]:
    (container,) = json.loads(synth.only("aws_ecs_task_definition")["container_definitions"])
    return container


def test_runs_in_the_cluster_it_is_given(default_service):
    service, synth = default_service
    cluster = synth.only("aws_ecs_cluster")
    assert synth.only("aws_ecs_service")["cluster"] == ref("aws_ecs_cluster", cluster, "arn")
    assert cluster["__logical_id__"].startswith("cluster_")
    assert service.cluster_ref.node.path == "test/cluster"


def test_log_group_is_named_after_the_service_and_kept_a_year(default_service):
    _, synth = default_service
    log_group = service_log_group(synth)
    assert log_group["name"] == "/ecs/shop"
    assert log_group["retention_in_days"] == 365


def test_roles_trust_ecs_tasks_of_this_account_only(default_service):
    _, synth = default_service
    execution = synth.by_path("aws_iam_role", "service/execution-role")
    task = synth.by_path("aws_iam_role", "service/task-role")
    assert execution["name"] == "shop-execution" and task["name"] == "shop-task"
    trust = synth.by_path_data("aws_iam_policy_document", "service/assume-role-policy")
    assert execution["assume_role_policy"] == task["assume_role_policy"]
    assert execution["assume_role_policy"].startswith(f"${{data.aws_iam_policy_document.{trust['__logical_id__']}")
    (statement,) = trust["statement"]
    assert statement["actions"] == ["sts:AssumeRole"]
    assert statement["principals"] == [{"type": "Service", "identifiers": ["ecs-tasks.amazonaws.com"]}]
    conditions = {c["variable"]: c for c in statement["condition"]}
    assert conditions["aws:SourceAccount"]["test"] == "StringEquals"
    assert conditions["aws:SourceArn"]["test"] == "ArnLike"
    assert ":ecs:" in conditions["aws:SourceArn"]["values"][0]


def test_execution_role_may_write_to_its_own_log_group_only(default_service):
    _, synth = default_service
    document = synth.by_path_data("aws_iam_policy_document", "service/execution-logs-policy-document")
    (statement,) = document["statement"]
    assert sorted(statement["actions"]) == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert statement["resources"] == [ref("aws_cloudwatch_log_group", service_log_group(synth), "arn") + ":*"]
    policy = synth.by_path("aws_iam_role_policy", "service/execution-logs-policy")
    assert policy["role"] == ref("aws_iam_role", synth.by_path("aws_iam_role", "service/execution-role"), "id")
    assert synth.count("aws_iam_role_policy_attachment") == 0


def test_task_definition_runs_one_app_container_with_awslogs(default_service):
    _, synth = default_service
    task = synth.only("aws_ecs_task_definition")
    assert task["family"] == "shop"
    assert task["requires_compatibilities"] == ["FARGATE"]
    assert task["network_mode"] == "awsvpc"
    assert (task["cpu"], task["memory"]) == ("512", "1024")
    assert task["runtime_platform"] == {"operating_system_family": "LINUX", "cpu_architecture": "X86_64"}
    assert task["execution_role_arn"] == ref("aws_iam_role", synth.by_path("aws_iam_role", "execution-role"), "arn")
    assert task["task_role_arn"] == ref("aws_iam_role", synth.by_path("aws_iam_role", "task-role"), "arn")
    container = container_of(synth)
    assert container["name"] == "app"
    assert container["image"] == IMAGE
    assert container["essential"] is True
    assert container["portMappings"] == [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}]
    assert container["environment"] == [{"name": "LOG_LEVEL", "value": "info"}]
    log_group = service_log_group(synth)
    assert container["logConfiguration"] == {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": ref("aws_cloudwatch_log_group", log_group, "name"),
            "awslogs-region": ref("data.aws_region", synth.by_path_data("aws_region", "service/region"), "name"),
            "awslogs-stream-prefix": "app",
        },
    }


def test_tasks_accept_the_load_balancer_only_and_reach_out_on_443(default_service):
    _, synth = default_service
    tasks_group = synth.by_path("aws_security_group", "service/security-group")
    alb_group = synth.by_path("aws_security_group", "alb/security-group")
    (ingress,) = [
        r
        for r in synth.resources("aws_vpc_security_group_ingress_rule").values()
        if r["security_group_id"] == ref("aws_security_group", tasks_group, "id")
    ]
    assert (ingress["from_port"], ingress["to_port"]) == (8080, 8080)
    assert ingress["referenced_security_group_id"] == ref("aws_security_group", alb_group, "id")
    assert "cidr_ipv4" not in ingress
    egress_rules = synth.resources("aws_vpc_security_group_egress_rule").values()
    tasks_out = [r for r in egress_rules if r["security_group_id"] == ref("aws_security_group", tasks_group, "id")]
    # No internet egress: HTTPS to the VPC endpoints and to S3's gateway endpoint, nothing else.
    endpoints_group = synth.by_path("aws_security_group", "network/endpoints-security-group")
    (s3_endpoint,) = [e for e in synth.resources("aws_vpc_endpoint").values() if e["vpc_endpoint_type"] == "Gateway"]
    s3_endpoint_id = next(k for k, v in synth.resources("aws_vpc_endpoint").items() if v is s3_endpoint)
    assert sorted(
        (r["from_port"], r["to_port"], r.get("referenced_security_group_id") or r.get("prefix_list_id"))
        for r in tasks_out
    ) == sorted([
        (443, 443, ref("aws_security_group", endpoints_group, "id")),
        (443, 443, f"${{aws_vpc_endpoint.{s3_endpoint_id}.prefix_list_id}}"),
    ])  # fmt: skip
    assert not any("cidr_ipv4" in r for r in tasks_out)
    egress = {r["security_group_id"]: r for r in egress_rules}
    alb_out = egress[ref("aws_security_group", alb_group, "id")]
    assert (alb_out["from_port"], alb_out["to_port"]) == (8080, 8080)
    assert alb_out["referenced_security_group_id"] == ref("aws_security_group", tasks_group, "id")
    assert all(rule["description"] for rule in egress.values())


def test_with_internet_egress_tasks_reach_out_on_443_to_anywhere():
    stack = new_stack()
    network = Network(stack, "network", name="test", options=NetworkOptions(allow_internet_egress=True))
    alb = PublicAlb(stack, "alb", name="test", network=network, certificate_arn=CERTIFICATE_ARN)
    FargateService(
        stack, "service", name="shop", cluster=Cluster(stack, "cluster", name="test"), network=network, alb=alb,
        image="nginx:1",
    )  # fmt: skip
    synth = Synthesized(stack)
    tasks_group = synth.by_path("aws_security_group", "service/security-group")
    (tasks_out,) = [
        r
        for r in synth.resources("aws_vpc_security_group_egress_rule").values()
        if r["security_group_id"] == ref("aws_security_group", tasks_group, "id")
    ]
    assert (tasks_out["from_port"], tasks_out["to_port"], tasks_out["cidr_ipv4"]) == (443, 443, "0.0.0.0/0")


def test_target_group_checks_health_on_slash_health(default_service):
    _, synth = default_service
    group = synth.only("aws_lb_target_group")
    assert group["target_type"] == "ip"
    assert (group["protocol"], group["port"]) == ("HTTP", 8080)
    assert group["deregistration_delay"] == "30"
    assert group["health_check"] == {
        "enabled": True,
        "path": "/health",
        "port": "traffic-port",
        "protocol": "HTTP",
        "healthy_threshold": 2,
        "unhealthy_threshold": 3,
        "interval": 30,
        "timeout": 5,
        "matcher": "200",
    }
    assert len(group["name_prefix"]) <= 6 and "name" not in group
    assert group["lifecycle"] == {"create_before_destroy": True}


def test_listener_rule_forwards_every_path_to_the_target_group(default_service):
    _, synth = default_service
    rule = synth.only("aws_lb_listener_rule")
    assert rule["listener_arn"] == ref("aws_lb_listener", synth.by_path("aws_lb_listener", "https-listener"), "arn")
    assert rule["priority"] == 100
    assert rule["action"] == [
        {"type": "forward", "target_group_arn": ref("aws_lb_target_group", synth.only("aws_lb_target_group"), "arn")}
    ]
    assert rule["condition"] == [{"path_pattern": {"values": ["/*"]}}]


def test_service_runs_3_private_tasks_with_circuit_breaker_and_ignores_desired_count_drift(default_service):
    _, synth = default_service
    service = synth.only("aws_ecs_service")
    assert service["name"] == "shop"
    assert service["cluster"] == ref("aws_ecs_cluster", synth.only("aws_ecs_cluster"), "arn")
    assert service["task_definition"] == ref("aws_ecs_task_definition", synth.only("aws_ecs_task_definition"), "arn")
    assert service["desired_count"] == 3
    assert "launch_type" not in service
    assert service["capacity_provider_strategy"] == [{"capacity_provider": "FARGATE", "weight": 100, "base": 0}]
    assert service["network_configuration"] == {
        "subnets": [ref("aws_subnet", synth.by_path("aws_subnet", f"private-subnet-{i}"), "id") for i in range(2)],
        "security_groups": [
            ref("aws_security_group", synth.by_path("aws_security_group", "service/security-group"), "id")
        ],
        "assign_public_ip": False,
    }
    assert service["load_balancer"] == [
        {
            "target_group_arn": ref("aws_lb_target_group", synth.only("aws_lb_target_group"), "arn"),
            "container_name": "app",
            "container_port": 8080,
        }
    ]
    assert service["deployment_minimum_healthy_percent"] == 100
    assert service["deployment_maximum_percent"] == 200
    assert service["deployment_circuit_breaker"] == {"enable": True, "rollback": True}
    assert service["health_check_grace_period_seconds"] == 60
    assert service["lifecycle"] == {"ignore_changes": ["desired_count"]}
    rule = synth.only("aws_lb_listener_rule")
    capacity = synth.only("aws_ecs_cluster_capacity_providers")
    alarms = [
        synth.by_path("aws_cloudwatch_metric_alarm", f"alarms/{key}") for key in ("target-5xx", "unhealthy-hosts")
    ]
    assert service["depends_on"] == [
        f"aws_lb_listener_rule.{rule['__logical_id__']}",
        f"aws_ecs_cluster_capacity_providers.{capacity['__logical_id__']}",
        *(f"aws_cloudwatch_metric_alarm.{alarm['__logical_id__']}" for alarm in alarms),
    ]
    assert service["alarms"] == {
        "alarm_names": ["shop-target-5xx", "shop-unhealthy-hosts"],
        "enable": True,
        "rollback": True,
    }
    assert service["availability_zone_rebalancing"] == "ENABLED"
    assert service["enable_execute_command"] is False


def test_options_reach_the_synthesized_resources(stack):
    build(
        stack,
        {
            "task.cpu_units": 1024,
            "task.memory_mib": 3072,
            "task.cpu_architecture": "ARM64",
            "container.name": "web",
            "container.port": 3000,
            "container.environment": {"LOG_LEVEL": "debug", "FEATURE_X": "on"},
            "desired_count": 2,
            "scaling.min_count": 2,
            "logging.retention_days": 30,
            "capacity.fargate_weight": 1,
            "capacity.fargate_spot_weight": 3,
            "capacity.fargate_base": 1,
            "deployment.minimum_healthy_percent": 50,
            "deployment.maximum_percent": 150,
            "deployment.circuit_breaker_rollback": False,
            "deployment.availability_zone_rebalancing": False,
            "health_check.grace_period_seconds": 120,
            "health_check.path": "/ready",
            "health_check.healthy_threshold": 3,
            "health_check.unhealthy_threshold": 5,
            "health_check.interval_seconds": 15,
            "health_check.timeout_seconds": 10,
            "health_check.matcher": "200-299",
            "routing.deregistration_delay_seconds": 5,
            "routing.priority": 7,
            "routing.path_patterns": ("/api/*",),
            "routing.host_headers": ("api.example.com",),
        },
    )
    synth = Synthesized(stack)
    task = synth.only("aws_ecs_task_definition")
    assert (task["cpu"], task["memory"]) == ("1024", "3072")
    assert task["runtime_platform"]["cpu_architecture"] == "ARM64"
    container = container_of(synth)
    assert container["name"] == "web"
    assert container["portMappings"][0]["containerPort"] == 3000
    assert container["environment"] == [{"name": "FEATURE_X", "value": "on"}, {"name": "LOG_LEVEL", "value": "debug"}]
    assert service_log_group(synth)["retention_in_days"] == 30
    service = synth.only("aws_ecs_service")
    assert service["desired_count"] == 2
    assert service["capacity_provider_strategy"] == [
        {"capacity_provider": "FARGATE", "weight": 1, "base": 1},
        {"capacity_provider": "FARGATE_SPOT", "weight": 3},
    ]
    assert service["load_balancer"][0]["container_name"] == "web"
    assert service["load_balancer"][0]["container_port"] == 3000
    assert (service["deployment_minimum_healthy_percent"], service["deployment_maximum_percent"]) == (50, 150)
    assert service["deployment_circuit_breaker"] == {"enable": True, "rollback": False}
    assert service["availability_zone_rebalancing"] == "DISABLED"
    assert service["health_check_grace_period_seconds"] == 120
    group = synth.only("aws_lb_target_group")
    assert group["port"] == 3000 and group["deregistration_delay"] == "5"
    assert group["health_check"]["path"] == "/ready"
    assert (group["health_check"]["healthy_threshold"], group["health_check"]["unhealthy_threshold"]) == (3, 5)
    assert (group["health_check"]["interval"], group["health_check"]["timeout"]) == (15, 10)
    assert group["health_check"]["matcher"] == "200-299"
    rule = synth.only("aws_lb_listener_rule")
    assert rule["priority"] == 7
    assert rule["condition"] == [
        {"path_pattern": {"values": ["/api/*"]}},
        {"host_header": {"values": ["api.example.com"]}},
    ]
    ingress = [
        r
        for r in synth.resources("aws_vpc_security_group_ingress_rule").values()
        if "referenced_security_group_id" in r
    ]
    assert [(r["from_port"], r["to_port"]) for r in ingress] == [(3000, 3000)]


def test_an_existing_cluster_is_used_by_arn(stack):
    network, alb, _ = make_network_and_alb(stack)
    arn = "arn:aws:ecs:us-east-1:123456789012:cluster/platform"
    existing = Cluster.from_existing(stack, "platform", arn=arn)
    service = FargateService(stack, "other", name="other", cluster=existing, network=network, alb=alb, image=IMAGE)
    synth = Synthesized(stack)
    assert synth.by_path("aws_ecs_service", "other/service")["cluster"] == arn
    assert service.cluster_name == "platform"
    # Only the cluster the helper made; the existing one creates nothing.
    assert synth.count("aws_ecs_cluster") == 1


# Fargate's CPU/memory table: each row one allowed and one refused combination at its edges.
@pytest.mark.parametrize(
    ("cpu", "memory"),
    [
        (256, 512),
        (256, 2048),
        (512, 1024),
        (512, 4096),
        (1024, 8192),
        (2048, 16384),
        (4096, 30720),
        (8192, 61440),
        (16384, 122880),
    ],
)
def test_accepts_every_edge_of_fargates_task_size_table(cpu, memory):
    build(new_stack(), {"task.cpu_units": cpu, "task.memory_mib": memory})


@pytest.mark.parametrize(
    ("cpu", "memory"),
    [(256, 4096), (512, 512), (512, 5120), (1024, 1024), (2048, 2048), (4096, 4096), (8192, 20000), (16384, 16384)],
)
def test_fails_when_memory_does_not_fit_the_cpu(cpu, memory):
    with pytest.raises(
        ValueError, match=rf"options.task.memory_mib={memory} is invalid: with cpu_units={cpu} Fargate allows"
    ):
        build(new_stack(), {"task.cpu_units": cpu, "task.memory_mib": memory})


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"task.cpu_units": 300}, r"options.task.cpu_units=300 is invalid: must be 256 or 512 or 1024 or 2048"),
        ({"container.name": "my app"}, r"options.container.name='my app' is invalid"),
        ({"container.port": 0}, r"options.container.port=0 is invalid: must be a whole number from 1 to 65535"),
        ({"container.port": 70000}, r"options.container.port=70000 is invalid"),
        ({"task.cpu_architecture": "arm64"}, r"cpu_architecture='arm64' is invalid: must be 'X86_64' or 'ARM64'"),
        ({"container.environment": {"1BAD": "x"}}, r"options.container.environment='1BAD' is invalid: must be letters"),
        (
            {"container.environment": {"PORT": 8080}},
            r"options.container.environment.PORT=8080 is invalid: must be a str",
        ),
        ({"container.environment": "LOG_LEVEL=info"}, r"environment='LOG_LEVEL=info' is invalid: must be a mapping"),
        ({"container.environment": [("A", "b")]}, r"environment=\[\('A', 'b'\)\] is invalid: must be a mapping"),
        ({"desired_count": -1}, r"options.desired_count=-1 is invalid: must be a whole number from 0 to 5000"),
        ({"desired_count": 2.5}, r"options.desired_count=2.5 is invalid: must be a whole number"),
        ({"desired_count": "3"}, r"options.desired_count='3' is invalid: must be a whole number"),
        ({"logging.retention_days": 10}, r"retention_days=10 is invalid: must be one of 0, 1, 3, 5, 7, 14, 30"),
        (
            {"capacity.fargate_weight": 0, "capacity.fargate_spot_weight": 0},
            r"fargate_weight and fargate_spot_weight cannot both be 0",
        ),
        ({"capacity.fargate_spot_weight": 1001}, r"options.capacity.fargate_spot_weight=1001 is invalid"),
        ({"deployment.minimum_healthy_percent": 101}, r"options.deployment.minimum_healthy_percent=101 is invalid"),
        ({"deployment.maximum_percent": 90}, r"maximum_percent=90 is invalid: must be a whole number from 100"),
        (
            {"deployment.maximum_percent": 100},
            r"maximum_percent=100 is invalid: must be above minimum_healthy_percent \(100\)",
        ),
        (
            {"deployment.circuit_breaker_rollback": "false"},
            r"circuit_breaker_rollback='false' is invalid: must be true or false",
        ),
        ({"health_check.grace_period_seconds": -5}, r"options.health_check.grace_period_seconds=-5 is invalid"),
        ({"health_check.path": "health"}, r"options.health_check.path='health' is invalid: must start with '/'"),
        ({"health_check.healthy_threshold": 1}, r"healthy_threshold=1 is invalid: must be a whole number from 2 to 10"),
        ({"health_check.unhealthy_threshold": 11}, r"options.health_check.unhealthy_threshold=11 is invalid"),
        ({"health_check.interval_seconds": 4}, r"interval_seconds=4 is invalid: must be a whole number from 5 to 300"),
        ({"health_check.timeout_seconds": 1}, r"timeout_seconds=1 is invalid: must be a whole number from 2 to 120"),
        (
            {"health_check.timeout_seconds": 30},
            r"options.health_check.timeout_seconds=30 is invalid: must be less than interval_seconds \(30\)",
        ),
        ({"health_check.matcher": "OK"}, r"options.health_check.matcher='OK' is invalid: must be HTTP codes"),
        ({"health_check.matcher": "600"}, r"options.health_check.matcher='600' is invalid"),
        (
            {"routing.deregistration_delay_seconds": 3601},
            r"deregistration_delay_seconds=3601 is invalid: must be a whole number from 0 to 3600",
        ),
        ({"routing.priority": 0}, r"options.routing.priority=0 is invalid: must be a whole number from 1 to 50000"),
        ({"routing.path_patterns": "/api/*"}, r"path_patterns='/api/\*' is invalid: must be a list of strings"),
        ({"routing.path_patterns": ("api",)}, r"path_patterns='api' is invalid: must start with '/'"),
        (
            {"routing.path_patterns": tuple(f"/{i}" for i in range(4))},
            r"options.routing.path_patterns=\['/0', '/1', '/2', '/3'\] is invalid: a listener rule's condition "
            r"takes at most 3 values; this has 4",
        ),
        (
            {"routing.host_headers": ("a.example", "b.example", "c.example", "d.example")},
            r"options.routing.host_headers=.* is invalid: a listener rule's condition takes at most 3 values",
        ),
        (
            {
                "routing.path_patterns": ("/a", "/b", "/c"),
                "routing.host_headers": ("a.example", "b.example", "c.example"),
            },
            r"at most 5 condition values, paths and hosts together; this has 6",
        ),
        ({"routing.host_headers": ("bad host",)}, r"host_headers='bad host' is invalid: must be a host name"),
        (
            {"routing.path_patterns": (), "routing.host_headers": ()},
            r"path_patterns and host_headers cannot both be empty",
        ),
    ],
)
def test_fails_when_an_option_is_invalid(options, message):
    with pytest.raises(ValueError, match=message):
        build(new_stack(), options)


@pytest.mark.parametrize(
    ("wiring", "message"),
    [
        ({"name": "a" * 49}, r"name='a{49}' is invalid: must be 1-48 letters"),
        ({"name": "1shop"}, r"name='1shop' is invalid"),
        ({"image": ""}, r"image='' is invalid: must be an image reference, \[registry/\]repository\[:tag\]"),
        ({"image": "MyApp:v1"}, r"image='MyApp:v1' is invalid: must be an image reference.* lower-case repository"),
        ({"image": "web:"}, r"image='web:' is invalid: must be an image reference"),
        ({"image": "https://ghcr.io/org/app"}, r"image='https://ghcr.io/org/app' is invalid: must be an image"),
        ({"image": "web@sha256:abc"}, r"image='web@sha256:abc' is invalid: must be an image reference"),
        ({"network": None}, r"network=None is invalid: must be a Network"),
        ({"network": "vpc-0123"}, r"network='vpc-0123' is invalid: must be a Network"),
        (
            {"alb": "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/x/1"},
            r"alb=.* is invalid: must be a load balancer",
        ),
        (
            {"service_connect_namespace": "ns-1"},
            r"service_connect_namespace=.ns-1. is invalid: must be a Cloud Map namespace",
        ),
        (
            {"cluster": "arn:aws:ecs:us-east-1:123456789012:cluster/x"},
            r"cluster='arn:.*' is invalid: must be a Cluster",
        ),
        ({"options": {"desired_count": 2}}, r"options=\{'desired_count': 2\} is invalid: must be a ServiceOptions"),
        ({"log_kms_key_arn": "alias/logs"}, r"log_kms_key_arn='alias/logs' is invalid: must be an ARN"),
        ({"alarm_actions": ["alerts"]}, r"alarm_actions='alerts' is invalid: must be an ARN"),
        ({"alarm_actions": "arn:aws:sns:us-east-1:123456789012:a"}, r"alarm_actions=.* is invalid: must be a list"),
    ],
)
def test_fails_when_a_wiring_argument_is_wrong(wiring, message):
    with pytest.raises(ValueError, match=message):
        build(new_stack(), **wiring)


@pytest.mark.parametrize(
    "image",
    [
        "nginx",
        "public.ecr.aws/nginx/nginx:1.27",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:3f2a9c1",
        "localhost:5000/team/app:v1.2.3",
        "ghcr.io/org/app@sha256:" + "a" * 64,
    ],
)
def test_every_form_of_image_reference_is_taken(image):
    stack = new_stack()
    build(stack, image=image)
    assert container_of(Synthesized(stack))["image"] == image


def test_fails_with_every_problem_listed_at_once_under_the_constructs_path():
    stack = new_stack()
    with pytest.raises(ValueError) as error:
        build(stack, {"container.port": 0, "desired_count": -1, "health_check.path": "x"}, network=None)
    text = str(error.value)
    assert text.startswith("FargateService 'test/service': invalid settings:")
    for setting in (
        "options.container.port=0",
        "options.desired_count=-1",
        "options.health_check.path='x'",
        "network=None",
    ):
        assert setting in text


def test_two_stacks_name_their_own_service_in_errors():
    messages = []
    for _ in range(2):
        with pytest.raises(ValueError) as error:
            build(new_stack(), {"desired_count": -1})
        messages.append(str(error.value).splitlines()[0])
    assert messages[0] == messages[1] == "FargateService 'test/service': invalid settings:"
    from cdktf import TerraformStack, Testing

    other = TerraformStack(Testing.app(), "other")
    with pytest.raises(ValueError, match=r"^FargateService 'other/service': invalid settings:"):
        build(other, {"desired_count": -1})


def test_root_filesystem_is_read_only_with_a_writable_scratch_tmp(default_service):
    _, synth = default_service
    container = container_of(synth)
    assert container["readonlyRootFilesystem"] is True
    assert container["mountPoints"] == [{"sourceVolume": "scratch-0", "containerPath": "/tmp", "readOnly": False}]
    assert synth.only("aws_ecs_task_definition")["volume"] == [{"name": "scratch-0"}]
    assert container["secrets"] == []


def test_the_container_runs_as_a_non_root_user_without_capabilities_under_an_init_process(default_service):
    _, synth = default_service
    container = container_of(synth)
    assert container["user"] == "1000:1000"
    assert container["linuxParameters"] == {"initProcessEnabled": True, "capabilities": {"drop": ["ALL"]}}


def test_images_that_need_their_own_user_or_capabilities_can_keep_them(stack):
    build(stack, {"container.user": "", "container.drop_all_capabilities": False})
    container = container_of(Synthesized(stack))
    assert "user" not in container
    assert container["linuxParameters"] == {"initProcessEnabled": True}


def test_secrets_are_read_from_ssm_and_secrets_manager_by_exactly_those_arns(stack):
    parameter = "arn:aws:ssm:us-east-1:123456789012:parameter/shop/db-password"
    secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/api-token-AbCdEf"
    build(
        stack,
        {
            "container.secrets": {"DB_PASSWORD": SsmParameter(parameter), "API_TOKEN": SecretsManagerSecret(secret)},
            "container.user": "10001",
            "container.scratch_paths": ("/tmp", "/var/cache/app"),
        },
        log_kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    )
    synth = Synthesized(stack)
    container = container_of(synth)
    assert container["secrets"] == [
        {"name": "API_TOKEN", "valueFrom": secret},
        {"name": "DB_PASSWORD", "valueFrom": parameter},
    ]
    assert container["user"] == "10001"
    assert [m["containerPath"] for m in container["mountPoints"]] == ["/tmp", "/var/cache/app"]
    document = synth.by_path_data("aws_iam_policy_document", "service/execution-secrets-policy-document")
    assert {s["sid"]: (s["actions"], s["resources"]) for s in document["statement"]} == {
        "ReadParameters": (["ssm:GetParameters"], [parameter]),
        "ReadSecrets": (["secretsmanager:GetSecretValue"], [secret]),
        "DecryptParameters": (["kms:Decrypt"], ["*"]),
        "DecryptSecrets": (["kms:Decrypt"], ["*"]),
    }
    # Whatever key encrypts them, only through the secret's own service and for these secrets only.
    assert decrypt_conditions(document) == {
        "DecryptParameters": {
            ("StringEquals", "kms:ViaService"): ["ssm.us-east-1.amazonaws.com"],
            ("StringLike", "kms:EncryptionContext:PARAMETER_ARN"): [parameter],
        },
        "DecryptSecrets": {
            ("StringEquals", "kms:ViaService"): ["secretsmanager.us-east-1.amazonaws.com"],
            ("StringLike", "kms:EncryptionContext:SecretARN"): [secret],
        },
    }
    policy = synth.by_path("aws_iam_role_policy", "service/execution-secrets-policy")
    assert policy["role"] == ref("aws_iam_role", synth.by_path("aws_iam_role", "execution-role"), "id")
    assert service_log_group(synth)["kms_key_id"].startswith("arn:aws:kms:")


def test_secrets_given_as_terraform_references_get_exactly_their_read_permission(stack):
    secret_arn = TerraformVariable(stack, "db_secret_arn", type="string").string_value
    parameter_arn = TerraformVariable(stack, "api_parameter_arn", type="string").string_value
    build(
        stack,
        {"container.secrets": {"DB_URL": SecretsManagerSecret(secret_arn), "API": SsmParameter(parameter_arn)}},
    )
    synth = Synthesized(stack)
    document = synth.by_path_data("aws_iam_policy_document", "service/execution-secrets-policy-document")
    assert {s["sid"]: (s["actions"], s["resources"]) for s in document["statement"]} == {
        "ReadParameters": (["ssm:GetParameters"], ["${var.api_parameter_arn}"]),
        "ReadSecrets": (["secretsmanager:GetSecretValue"], ["${var.db_secret_arn}"]),
        "DecryptParameters": (["kms:Decrypt"], ["*"]),
        "DecryptSecrets": (["kms:Decrypt"], ["*"]),
    }
    # The region an ARN known only at apply time is in: the stack's.
    region = ref("data.aws_region", synth.by_path_data("aws_region", "service/region"), "name")
    assert decrypt_conditions(document)["DecryptSecrets"] == {
        ("StringEquals", "kms:ViaService"): [f"secretsmanager.{region}.amazonaws.com"],
        ("StringLike", "kms:EncryptionContext:SecretARN"): ["${var.db_secret_arn}"],
    }
    assert container_of(synth)["secrets"] == [
        {"name": "API", "valueFrom": "${var.api_parameter_arn}"},
        {"name": "DB_URL", "valueFrom": "${var.db_secret_arn}"},
    ]


@pytest.mark.parametrize(
    ("given", "granted"),
    [
        # One key of a JSON secret, a version stage, a version id: IAM names the secret itself.
        ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/db-AbCdEf:password::", "shop/db-AbCdEf"),
        ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/db-AbCdEf::AWSPREVIOUS:", "shop/db-AbCdEf"),
        ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/db-AbCdEf:::0a1b2c3d", "shop/db-AbCdEf"),
        # A partial ARN (no random suffix): the suffix is matched.
        ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/db", "shop/db-??????"),
        ("arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/db:password::", "shop/db-??????"),
    ],
)
def test_a_secrets_json_key_version_or_missing_suffix_is_granted_on_the_secrets_own_arn(stack, given, granted):
    build(stack, {"container.secrets": {"DB_PASSWORD": SecretsManagerSecret(given)}})
    synth = Synthesized(stack)
    assert container_of(synth)["secrets"] == [{"name": "DB_PASSWORD", "valueFrom": given}]
    document = synth.by_path_data("aws_iam_policy_document", "service/execution-secrets-policy-document")
    arn = f"arn:aws:secretsmanager:eu-west-1:123456789012:secret:{granted}"
    assert {s["sid"]: s["resources"] for s in document["statement"]} == {"ReadSecrets": [arn], "DecryptSecrets": ["*"]}
    assert decrypt_conditions(document)["DecryptSecrets"] == {
        ("StringEquals", "kms:ViaService"): ["secretsmanager.eu-west-1.amazonaws.com"],
        ("StringLike", "kms:EncryptionContext:SecretARN"): [arn],
    }


def test_the_execution_role_reads_and_decrypts_a_secret_given_by_partial_arn_and_no_other(stack):
    """Judged as IAM would (cdktf_fargate_emulator/iam_evidence): the real secret's ARN carries the random suffix."""
    from cdktf_fargate_emulator.iam_evidence.policy import Authorization, decide

    build(stack, {"container.secrets": {"DB": SecretsManagerSecret(f"{SECRETS}shop/db:password::")}})
    document = synth_policy(Synthesized(stack), "service/execution-secrets-policy-document")
    through = {"kms:viaservice": ("secretsmanager.us-east-1.amazonaws.com",)}
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    for secret, allowed in (
        ("shop/db-AbCdEf", True),
        ("shop/db2-AbCdEf", False),
        ("shop/db-AbCdEf-XyZ123", False),
        ("shop/other-AbCdEf", False),
    ):
        read = Authorization("secretsmanager:GetSecretValue", f"{SECRETS}{secret}", {}, ("aws:resourcetag/",))
        assert bool(decide(read, [document])) is allowed, secret
        context = {**through, "kms:encryptioncontext:secretarn": (f"{SECRETS}{secret}",)}
        decrypt = Authorization("kms:Decrypt", key, context, ("aws:resourcetag/",))
        assert bool(decide(decrypt, [document])) is allowed, secret
    # The key only through Secrets Manager: not directly, not through Parameter Store.
    context = {"kms:encryptioncontext:secretarn": (f"{SECRETS}shop/db-AbCdEf",)}
    assert not decide(Authorization("kms:Decrypt", key, context, ("aws:resourcetag/", "kms:viaservice")), [document])
    via_ssm = {**context, "kms:viaservice": ("ssm.us-east-1.amazonaws.com",)}
    assert not decide(Authorization("kms:Decrypt", key, via_ssm, ("aws:resourcetag/",)), [document])


SECRETS = "arn:aws:secretsmanager:us-east-1:123456789012:secret:"


def synth_policy(synth: Synthesized, path: str) -> dict:
    """A synthesized aws_iam_policy_document as the policy JSON it renders."""
    rendered = []
    for statement in synth.by_path_data("aws_iam_policy_document", path)["statement"]:
        conditions: dict[str, dict[str, list[str]]] = {}
        for condition in statement.get("condition", []):
            conditions.setdefault(condition["test"], {})[condition["variable"]] = condition["values"]
        rendered.append(
            {
                "Sid": statement["sid"],
                "Effect": statement.get("effect", "Allow"),
                "Action": statement["actions"],
                "Resource": statement["resources"],
                **({"Condition": conditions} if conditions else {}),
            }
        )
    return {"Version": "2012-10-17", "Statement": rendered}


def decrypt_conditions(document: dict) -> dict[str, dict[tuple[str, str], list[str]]]:
    return {
        statement["sid"]: {(c["test"], c["variable"]): c["values"] for c in statement["condition"]}
        for statement in document["statement"]
        if statement["actions"] == ["kms:Decrypt"]
    }


def test_task_role_starts_empty_and_gets_named_statements(stack):
    service = build(stack)
    before = Synthesized(stack)
    task_role = ref("aws_iam_role", before.by_path("aws_iam_role", "task-role"), "id")
    assert [p for p in before.resources("aws_iam_role_policy").values() if p["role"] == task_role] == []
    service.add_to_task_role_policy(
        sid="ReadUploads", actions=["s3:GetObject"], resources=["arn:aws:s3:::shop-uploads/*"]
    )
    synth = Synthesized(stack)
    policy = synth.by_path("aws_iam_role_policy", "service/task-policy-ReadUploads")
    assert policy["role"] == ref("aws_iam_role", synth.by_path("aws_iam_role", "task-role"), "id")
    document = synth.by_path_data("aws_iam_policy_document", "service/task-policy-ReadUploads-document")
    assert document["statement"] == [
        {"sid": "ReadUploads", "actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::shop-uploads/*"]}
    ]


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ({"actions": ["*"]}, r"actions='\*' is invalid: each must be 'service:Action'"),
        ({"actions": ["s3:*"]}, r"actions='s3:\*' is invalid: wildcard actions are refused"),
        ({"actions": ["s3:Get*"]}, r"actions='s3:Get\*' is invalid: wildcard actions are refused \('\*', '\?'\)"),
        ({"actions": ["s3:*Object"]}, r"actions='s3:\*Object' is invalid: wildcard actions are refused"),
        ({"actions": ["s3:GetObjec?"]}, r"actions='s3:GetObjec\?' is invalid: wildcard actions are refused"),
        ({"resources": ["*"]}, r"resources='\*' is invalid: the wildcard resource is refused"),
        ({"resources": ["shop-uploads"]}, r"resources='shop-uploads' is invalid: must be an ARN"),
        ({"actions": []}, r"actions=\[\] is invalid: must be a non-empty list"),
        ({"actions": "s3:GetObject"}, r"actions='s3:GetObject' is invalid: must be a non-empty list"),
        ({"sid": "read uploads"}, r"sid='read uploads' is invalid"),
    ],
)
def test_fails_when_a_task_role_statement_uses_wildcards_or_is_malformed(stack, statement, message):
    service = build(stack)
    arguments = {
        "sid": "ReadUploads",
        "actions": ["s3:GetObject"],
        "resources": ["arn:aws:s3:::shop-uploads/*"],
        **statement,
    }
    with pytest.raises(ValueError, match=message):
        service.add_to_task_role_policy(**arguments)


def test_fails_when_a_task_role_statement_id_is_reused(stack):
    service = build(stack)
    service.add_to_task_role_policy(sid="Read", actions=["s3:GetObject"], resources=["arn:aws:s3:::a/*"])
    with pytest.raises(ValueError, match=r"sid='Read' is invalid: is already used"):
        service.add_to_task_role_policy(sid="Read", actions=["s3:GetObject"], resources=["arn:aws:s3:::b/*"])


def test_private_ranges_may_be_admitted_to_the_tasks(stack):
    service = build(stack)
    service.allow_ingress_from_cidr("10.20.0.0/16", port=8080, description="From the VPN")
    rules = Synthesized(stack).resources("aws_vpc_security_group_ingress_rule").values()
    assert [(r["cidr_ipv4"], r["from_port"]) for r in rules if r.get("cidr_ipv4", "").startswith("10.20")] == [
        ("10.20.0.0/16", 8080)
    ]


@pytest.mark.parametrize("cidr", ["0.0.0.0/0", "8.8.8.0/24", "172.32.0.0/16"])
def test_fails_when_tasks_would_be_reachable_from_the_internet(stack, cidr):
    service = build(stack)
    with pytest.raises(
        ValueError, match=rf"cidr='{cidr}' is invalid: must be a private range .* never reachable from the internet"
    ):
        service.allow_ingress_from_cidr(cidr, port=8080, description="x")


def test_http_forwarding_alb_gets_a_rule_on_both_listeners(stack):
    from cdktf_fargate import AlbOptions

    network, alb, cluster = make_network_and_alb(stack, AlbOptions(http_mode="forward", allow_insecure_http=True))
    service = FargateService(stack, "service", name="shop", cluster=cluster, network=network, alb=alb, image=IMAGE)
    synth = Synthesized(stack)
    assert synth.count("aws_lb_listener_rule") == 2
    assert len(synth.only("aws_ecs_service")["depends_on"]) == 5
    assert len(service.listener_rules) == 2


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"container.environment": {"DB_PASSWORD": "hunter2"}},
            r"environment.DB_PASSWORD='hunter2' is invalid: the name looks like a secret",
        ),
        ({"container.environment": {"API_TOKEN": "t"}}, r"environment.API_TOKEN='t' is invalid: the name looks like"),
        (
            {"container.environment": {"CLIENT_SECRET": "s"}},
            r"environment.CLIENT_SECRET='s' is invalid: the name looks",
        ),
        ({"container.environment": {"STRIPE_API_KEY": "k"}}, r"environment.STRIPE_API_KEY='k' is invalid: the name"),
        (
            {"container.environment": {"apikey": "k"}},
            r"environment.apikey='k' is invalid: the name looks like a secret",
        ),
        (
            {"container.environment": {"DB_PASS": "k"}},
            r"environment.DB_PASS='k' is invalid: the name looks like a secret",
        ),
        ({"container.environment": {"PGPASSWORD": "k"}}, r"environment.PGPASSWORD='k' is invalid: the name looks like"),
        ({"container.environment": {"GOOGLE_CREDENTIALS": "{}"}}, r"environment.GOOGLE_CREDENTIALS=.* the name looks"),
        ({"container.environment": {"DATABASE_URL": "postgres://db/x"}}, r"environment.DATABASE_URL=.* the name looks"),
        (
            {"container.environment": {"UPSTREAM": "https://bob:s3cret@api.example.com/"}},
            r"environment.UPSTREAM='<redacted>' is invalid: the value looks like a credential",
        ),
        (
            {"container.environment": {"CERT": "-----BEGIN RSA PRIVATE KEY-----\nMIIB..."}},
            r"environment.CERT='<redacted>' is invalid: the value looks like a credential",
        ),
        (
            {"container.environment": {"AWS_ID": "AKIAIOSFODNN7EXAMPLE"}},
            r"environment.AWS_ID='<redacted>' is invalid: the value looks like a credential",
        ),
        (
            {"container.secrets": {"DB": SsmParameter("hunter2")}},
            r"options.container.secrets.DB.arn='hunter2' is invalid: must be an SSM parameter ARN",
        ),
        (
            {"container.secrets": {"DB": SsmParameter("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbC")}},
            r"secrets.DB.kind='ssm-parameter' is invalid: the ARN .* is of kind 'secrets-manager': set kind = "
            r"'secrets-manager'",
        ),
        (
            {
                "container.secrets": {
                    "DB": SecretsManagerSecret("arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf:a:b:c:d")
                }
            },
            r"secrets.DB.arn=.* is invalid: must be a Secrets Manager secret ARN .*optionally followed by "
            r":<json-key>:<version-stage>:<version-id>",
        ),
        (
            {"container.secrets": {"DB": "arn:aws:ssm:us-east-1:123456789012:parameter/x"}},
            r"options.container.secrets.DB=.* is invalid: must be a Secret",
        ),
        (
            {"container.secrets": {"LOG_LEVEL": SsmParameter("arn:aws:ssm:us-east-1:123456789012:parameter/x")}},
            r"secrets.LOG_LEVEL=.* is also a plain environment variable",
        ),
        ({"container.scratch_paths": ("tmp",)}, r"scratch_paths='tmp' is invalid: must be an absolute path"),
        (
            {"container.scratch_paths": ("/tmp", "/tmp")},
            r"scratch_paths=\['/tmp', '/tmp'\] is invalid: must not repeat",
        ),
        ({"container.user": "root user"}, r"options.container.user='root user' is invalid"),
        (
            {"container.readonly_root_filesystem": "true"},
            r"readonly_root_filesystem='true' is invalid: must be true or false",
        ),
    ],
)
def test_fails_when_secrets_would_leak_or_hardening_is_misconfigured(options, message):
    with pytest.raises(ValueError, match=message):
        build(new_stack(), options)


def test_alarms_watch_5xx_unhealthy_targets_latency_cpu_and_memory(default_service):
    _, synth = default_service
    alarms = {
        body["alarm_name"]: body
        for body in synth.resources("aws_cloudwatch_metric_alarm").values()
        if body["alarm_name"].startswith("shop-")
    }
    assert sorted(alarms) == [
        "shop-cpu-high",
        "shop-memory-high",
        "shop-p99-latency",
        "shop-target-5xx",
        "shop-unhealthy-hosts",
    ]
    five = alarms["shop-target-5xx"]
    assert (five["namespace"], five["metric_name"], five["threshold"]) == (
        "AWS/ApplicationELB",
        "HTTPCode_Target_5XX_Count",
        10,
    )
    group = synth.only("aws_lb_target_group")
    assert five["dimensions"]["TargetGroup"] == ref("aws_lb_target_group", group, "arn_suffix")
    assert five["dimensions"]["LoadBalancer"] == ref("aws_lb", synth.only("aws_lb"), "arn_suffix")
    assert alarms["shop-p99-latency"]["extended_statistic"] == "p99"
    assert alarms["shop-p99-latency"]["threshold"] == 2.0
    assert alarms["shop-cpu-high"]["dimensions"] == {
        "ClusterName": ref("aws_ecs_cluster", synth.only("aws_ecs_cluster"), "name"),
        "ServiceName": "shop",
    }
    assert all(alarm["treat_missing_data"] == "notBreaching" for alarm in alarms.values())
    assert synth.only("aws_appautoscaling_target")["min_capacity"] == 3


def test_autoscaling_tracks_cpu_memory_and_requests(stack):
    build(
        stack,
        {
            "scaling.min_count": 2,
            "scaling.max_count": 10,
            "scaling.memory_target_percent": 75,
            "scaling.requests_per_target": 500,
            "container.stop_timeout_seconds": 60,
            "container.health_check_command": ("CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"),
        },
        alarm_actions=["arn:aws:sns:us-east-1:123456789012:alerts"],
    )
    synth = Synthesized(stack)
    target = synth.only("aws_appautoscaling_target")
    assert (target["min_capacity"], target["max_capacity"]) == (2, 10)
    assert target["scalable_dimension"] == "ecs:service:DesiredCount"
    assert target["resource_id"].startswith("service/") and target["resource_id"].endswith(
        "/${aws_ecs_service." + synth.only("aws_ecs_service")["__logical_id__"] + ".name}"
    )
    policies = {
        p["name"]: p["target_tracking_scaling_policy_configuration"]
        for p in synth.resources("aws_appautoscaling_policy").values()
    }
    assert sorted(policies) == ["shop-cpu", "shop-memory", "shop-requests"]
    assert policies["shop-cpu"]["target_value"] == 70
    assert (
        policies["shop-cpu"]["predefined_metric_specification"]["predefined_metric_type"]
        == "ECSServiceAverageCPUUtilization"
    )
    assert (policies["shop-cpu"]["scale_in_cooldown"], policies["shop-cpu"]["scale_out_cooldown"]) == (300, 60)
    requests = policies["shop-requests"]["predefined_metric_specification"]
    assert requests["predefined_metric_type"] == "ALBRequestCountPerTarget"
    assert "arn_suffix}/${aws_lb_target_group" in requests["resource_label"]
    service_alarms = [
        a for a in synth.resources("aws_cloudwatch_metric_alarm").values() if a["alarm_name"].startswith("shop-")
    ]
    assert len(service_alarms) == 5
    assert all(a["alarm_actions"] == ["arn:aws:sns:us-east-1:123456789012:alerts"] for a in service_alarms)
    container = container_of(synth)
    assert container["stopTimeout"] == 60
    assert container["healthCheck"]["command"][0] == "CMD-SHELL"
    # The check's timings keep their defaults unless set.
    timings = {key: container["healthCheck"][key] for key in ("interval", "timeout", "retries")}
    assert timings == {"interval": 30, "timeout": 5, "retries": 3}
    assert synth.only("aws_ecs_service")["lifecycle"] == {"ignore_changes": ["desired_count"]}


def test_the_containers_health_check_timings_are_settings(stack):
    build(
        stack,
        {
            "container.health_check_command": ("CMD", "/app/healthcheck"),
            "container.health_check_interval_seconds": 10,
            "container.health_check_timeout_seconds": 3,
            "container.health_check_retries": 5,
        },
    )
    check = container_of(Synthesized(stack))["healthCheck"]
    assert {key: check[key] for key in ("interval", "timeout", "retries")} == {
        "interval": 10,
        "timeout": 3,
        "retries": 5,
    }


@pytest.mark.parametrize(
    ("changes", "start_period"),
    [
        ({}, 60),  # the service's grace period
        ({"container.health_check_start_period_seconds": 15}, 15),
        ({"container.health_check_start_period_seconds": 0}, 0),
        # A grace period longer than ECS takes for a start period counts the container's checks from 300 s.
        ({"health_check.grace_period_seconds": 900}, 300),
    ],
)
def test_a_containers_start_period_is_its_own_else_the_grace_period_within_ecss_limit(changes, start_period):
    stack = new_stack()
    build(stack, {"container.health_check_command": ("CMD", "/app/healthcheck"), **changes})
    assert container_of(Synthesized(stack))["healthCheck"]["startPeriod"] == start_period


def test_a_task_asks_for_storage_past_fargates_own_20_gib_only_when_set():
    asked, default = new_stack(), new_stack()
    build(asked, {"task.ephemeral_storage_gib": 120})
    build(default)
    assert Synthesized(asked).only("aws_ecs_task_definition")["ephemeral_storage"] == {"size_in_gib": 120}
    assert "ephemeral_storage" not in Synthesized(default).only("aws_ecs_task_definition")


def test_ecs_exec_opt_in_gives_the_task_role_the_ssm_channels(stack):
    build(
        stack,
        {
            "enable_execute_command": True,
            "container.readonly_root_filesystem": False,
            "alarms.enabled": False,
            "scaling.enabled": False,
        },
    )
    synth = Synthesized(stack)
    assert synth.only("aws_ecs_service")["enable_execute_command"] is True
    assert "alarms" not in synth.only("aws_ecs_service")
    assert synth.count("aws_appautoscaling_target") == 0
    policy = synth.by_path("aws_iam_role_policy", "service/execute-command-policy")
    assert policy["role"] == ref("aws_iam_role", synth.by_path("aws_iam_role", "task-role"), "id")
    document = synth.by_path_data("aws_iam_policy_document", "service/execute-command-policy-document")
    assert all(action.startswith("ssmmessages:") for action in document["statement"][0]["actions"])
    assert container_of(synth)["linuxParameters"]["initProcessEnabled"] is True


def test_alarms_without_rollback_leave_the_deployment_alarms_off(stack):
    build(stack, {"alarms.rollback_deployments": False})
    synth = Synthesized(stack)
    assert "alarms" not in synth.only("aws_ecs_service")
    assert synth.count("aws_cloudwatch_metric_alarm") == 6


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"enable_execute_command": True},
            r"options.enable_execute_command=True is invalid: ECS Exec needs a writable root filesystem",
        ),
        (
            {"scaling.min_count": 5, "scaling.max_count": 2},
            r"options.scaling.max_count=2 is invalid: must be at least min_count \(5\)",
        ),
        (
            {"scaling.cpu_target_percent": None},
            r"options.scaling.cpu_target_percent=None is invalid: scaling needs at least one target",
        ),
        ({"scaling.cpu_target_percent": 120}, r"options.scaling.cpu_target_percent=120 is invalid"),
        (
            {"desired_count": 1},
            r"options.desired_count=1 is invalid: must be within scaling.min_count and scaling.max_count \(3-12\)",
        ),
        ({"scaling.scale_in_cooldown_seconds": -1}, r"options.scaling.scale_in_cooldown_seconds=-1 is invalid"),
        (
            {"alarms.p99_latency_seconds": 0},
            r"options.alarms.p99_latency_seconds=0 is invalid: must be a number above 0",
        ),
        ({"alarms.cpu_percent": 0}, r"options.alarms.cpu_percent=0 is invalid"),
        ({"alarms.enabled": "no"}, r"options.alarms.enabled='no' is invalid: must be true or false"),
        (
            {"container.stop_timeout_seconds": 121},
            r"stop_timeout_seconds=121 is invalid: must be a whole number from 2 to 120",
        ),
        (
            {"container.health_check_command": ("curl", "-f", "x")},
            r"health_check_command=.* is invalid: must be a list starting with 'CMD'",
        ),
        (
            {"container.health_check_interval_seconds": 4},
            r"health_check_interval_seconds=4 is invalid: must be a whole number from 5 to 300",
        ),
        (
            {"logging.adopt_log_group": "copilot logs"},
            r"adopt_log_group='copilot logs' is invalid: must be '' or a log group's name",
        ),
        (
            {"task.ephemeral_storage_gib": 201},
            r"ephemeral_storage_gib=201 is invalid: must be a whole number from 20 to 200",
        ),
        (
            {"container.health_check_start_period_seconds": 301},
            r"health_check_start_period_seconds=301 is invalid: must be a whole number from 0 to 300",
        ),
        (
            {"container.health_check_retries": 11},
            r"health_check_retries=11 is invalid: must be a whole number from 1 to 10",
        ),
        (
            {"container.health_check_command": ("CMD", "true"), "container.health_check_timeout_seconds": 30},
            r"health_check_timeout_seconds=30 is invalid: must be less than health_check_interval_seconds \(30\)",
        ),
    ],
)
def test_fails_when_scaling_alarms_or_runtime_options_are_invalid(options, message):
    with pytest.raises(ValueError, match=message):
        build(new_stack(), options)


def test_scaling_with_an_off_switch_ignores_its_bounds(stack):
    build(stack, {"scaling.enabled": False, "scaling.min_count": 9, "scaling.max_count": 1})
    assert Synthesized(stack).count("aws_appautoscaling_target") == 0


def test_fails_when_a_container_option_type_is_wrong():
    with pytest.raises(ValueError, match=r"options.container=.* is invalid: must be a Container"):
        build(new_stack(), {"container": {"port": 80}})
    assert Container().port == 8080


def second_service(stack, network, alb, cluster, **routing: Any) -> FargateService:
    return FargateService(
        stack,
        "second",
        name=routing.pop("name", "admin"),
        cluster=cluster,
        network=network,
        alb=alb,
        image=IMAGE,
        options=ServiceOptions(routing=Routing(**routing)),
    )


def test_fails_when_two_services_on_one_load_balancer_share_a_rule_priority(stack):
    network, alb, cluster = make_network_and_alb(stack)
    FargateService(stack, "first", name="shop", cluster=cluster, network=network, alb=alb, image=IMAGE)
    with pytest.raises(
        ValueError, match=r"priority 100 is already the priority of 'test/first' on this load balancer"
    ) as error:
        second_service(stack, network, alb, cluster, host_headers=("admin.example.com",))
    assert str(error.value).startswith("FargateService 'test/second': invalid settings:")


def test_fails_when_two_services_on_one_load_balancer_have_identical_conditions(stack):
    network, alb, cluster = make_network_and_alb(stack)
    FargateService(stack, "first", name="shop", cluster=cluster, network=network, alb=alb, image=IMAGE)
    with pytest.raises(ValueError, match=r"the same conditions as 'test/first' .* the later rule would never match"):
        second_service(stack, network, alb, cluster, priority=10)


def test_services_on_different_load_balancers_may_reuse_a_priority(stack):
    network, alb, cluster = make_network_and_alb(stack)
    other = PublicAlb(stack, "other-alb", name="other", network=network, certificate_arn=CERTIFICATE_ARN)
    FargateService(stack, "first", name="shop", cluster=cluster, network=network, alb=alb, image=IMAGE)
    second_service(stack, network, other, cluster)
    assert sorted(r["priority"] for r in Synthesized(stack).resources("aws_lb_listener_rule").values()) == [100, 100]


def test_fails_when_two_services_in_one_app_share_a_name(stack):
    network, alb, cluster = make_network_and_alb(stack)
    FargateService(stack, "first", name="shop", cluster=cluster, network=network, alb=alb, image=IMAGE)
    with pytest.raises(
        ValueError, match=r"name='shop' is invalid: is already the name of the service or job at 'test/first'"
    ):
        second_service(stack, network, alb, cluster, name="shop", priority=10, path_patterns=("/admin/*",))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"options": Scaling(max_count=0)}, r"options.max_count=0 is invalid: must be a whole number from 1"),
        ({"options": Scaling(enabled=False)}, r"options.enabled=False is invalid: must be true"),
        ({"options": Scaling(requests_per_target=100)}, r"request_count_resource_label=None is invalid: is needed"),
        ({"options": {"min_count": 1}}, r"options=.* is invalid: must be a Scaling"),
        ({"service_name": ""}, r"service_name='' is invalid: must be a non-empty string"),
    ],
)
def test_fails_when_autoscaling_on_its_own_is_given_bad_input(stack, arguments, message):
    with pytest.raises(ValueError, match=message):
        ServiceAutoscaling(stack, "scaling", **{"name": "shop", "cluster_name": "c", "service_name": "s", **arguments})


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"options": Alarms(cpu_percent=101)},
            r"options.cpu_percent=101 is invalid: must be a whole number from 1 to 100",
        ),
        ({"options": {"cpu_percent": 90}}, r"options=.* is invalid: must be an Alarms"),
        ({"actions": ["topic"]}, r"actions='topic' is invalid: must be an ARN"),
        ({"cluster_name": None}, r"cluster_name=None is invalid: must be a non-empty string"),
    ],
)
def test_fails_when_alarms_on_their_own_are_given_bad_input(stack, arguments, message):
    settings = {
        "service_name": "s",
        "cluster_name": "c",
        "load_balancer_arn_suffix": "app/x/1",
        "target_group_arn_suffix": "targetgroup/y/2",
        **arguments,
    }
    with pytest.raises(ValueError, match=message):
        ServiceAlarms(stack, "alarms", **settings)


def test_services_on_one_load_balancer_get_target_group_prefixes_that_tell_them_apart(stack):
    network, alb, cluster = make_network_and_alb(stack)
    for number, name in enumerate(("webapp-prod", "webapp-prod-api", "webapp-prod-admin-api")):
        FargateService(
            stack,
            name,
            name=name,
            cluster=cluster,
            network=network,
            alb=alb,
            image=IMAGE,
            options=ServiceOptions(routing=Routing(priority=number + 1, path_patterns=(f"/{number}/*",))),
        )
    synth = Synthesized(stack)
    prefixes = {body["tags"]["Name"]: body["name_prefix"] for body in synth.resources("aws_lb_target_group").values()}
    # The first keeps the prefix 0.1 gave it; the others end with their own last letters.
    assert prefixes == {"webapp-prod": "webap-", "webapp-prod-api": "weapi-", "webapp-prod-admin-api": "inapi-"}
    assert all(len(prefix) <= 6 for prefix in prefixes.values())


def test_service_connect_timeouts_reach_the_published_service(stack):
    namespace = ServiceNamespace(stack, "namespace", name="shop")
    build(stack, {"service_connect.name": "api", "service_connect.idle_timeout_seconds": 0,
                  "service_connect.per_request_timeout_seconds": 45}, service_connect_namespace=namespace)  # fmt: skip
    (service,) = Synthesized(stack).resources("aws_ecs_service").values()
    (published,) = service["service_connect_configuration"]["service"]
    # 0 is kept: it turns the idle timeout off, unlike None (ECS's default, not written).
    assert published["timeout"] == {"idle_timeout_seconds": 0, "per_request_timeout_seconds": 45}


def test_without_timeouts_ecs_keeps_its_defaults(stack):
    build(stack, {"service_connect.name": "api"}, service_connect_namespace=ServiceNamespace(stack, "ns", name="shop"))
    (service,) = Synthesized(stack).resources("aws_ecs_service").values()
    assert "timeout" not in service["service_connect_configuration"]["service"][0]


@pytest.mark.parametrize("published", ["", "api"])
def test_fails_when_service_connect_timeouts_are_set_on_a_service_nobody_calls_over_it(stack, published):
    """Without a namespace, or without a published name, no proxy would apply them."""
    wiring = {"service_connect_namespace": ServiceNamespace(stack, "ns", name="shop")} if not published else {}
    with pytest.raises(ValueError, match=r"options.service_connect.per_request_timeout_seconds=30 is invalid: "
                       r"applies to calls to this service over Service Connect"):  # fmt: skip
        build(stack, {"service_connect.name": published, "service_connect.per_request_timeout_seconds": 30}, **wiring)


def test_capacity_schedules_become_scheduled_actions_that_own_the_targets_bounds(stack):
    opening = CapacitySchedule(schedule="cron(0 8 ? * MON-FRI *)", timezone="Europe/Berlin", min_count=6)
    closing = CapacitySchedule(schedule="cron(0 19 ? * MON-FRI *)", timezone="Europe/Berlin", min_count=3)
    freeze = CapacitySchedule(schedule="at(2027-12-24T00:00:00)", min_count=2, max_count=4)
    build(stack, {"scaling.schedules": (opening, closing, freeze)})
    synth = Synthesized(stack)
    target = synth.only("aws_appautoscaling_target")
    # The schedules move the bounds outside Terraform: a plan leaves them as they are.
    assert target["lifecycle"] == {"ignore_changes": ["min_capacity", "max_capacity"]}
    actions = sorted(synth.resources("aws_appautoscaling_scheduled_action").values(), key=lambda a: a["name"])
    assert [action["name"] for action in actions] == ["shop-schedule-0", "shop-schedule-1", "shop-schedule-2"]
    assert [(a["schedule"], a["timezone"], a["scalable_target_action"]) for a in actions] == [
        ("cron(0 8 ? * MON-FRI *)", "Europe/Berlin", {"min_capacity": "6"}),
        ("cron(0 19 ? * MON-FRI *)", "Europe/Berlin", {"min_capacity": "3"}),
        ("at(2027-12-24T00:00:00)", "UTC", {"min_capacity": "2", "max_capacity": "4"}),
    ]
    # Named through the target, so each action is put after the target is registered.
    assert all(a["resource_id"] == ref("aws_appautoscaling_target", target, "resource_id") for a in actions)


def test_without_schedules_terraform_keeps_the_targets_bounds(stack):
    build(stack)
    assert "lifecycle" not in Synthesized(stack).only("aws_appautoscaling_target")


@pytest.mark.parametrize(
    ("schedules", "message"),
    [
        ([{"schedule": "cron(0 8 * * MON-FRI *)", "min_count": 4}],
         r"scaling.schedules\[0\].schedule=.* exactly one of day-of-month and day-of-week must be '\?'"),
        ([{"schedule": "rate(1 day)", "min_count": 4, "timezone": "Europe/Berlin"}],
         r"scaling.schedules\[0\].timezone='Europe/Berlin' is invalid: applies to cron\(\) and at\(\)"),
        ([{"schedule": "rate(1 day)", "min_count": 1}, {"schedule": "rate(2 days)"}],
         r"scaling.schedules\[1\].min_count=None is invalid: a schedule sets min_count, max_count or both"),
        ([{"schedule": "rate(1 day)", "min_count": 5, "max_count": 4}],
         r"scaling.schedules\[0\].max_count=4 is invalid: must be at least min_count \(5\)"),
        ([{"schedule": "rate(1 day)", "min_count": 20}],
         r"scaling.schedules\[0\].min_count=20 is invalid: must be at most max_count \(12\), or set the"),
        ([{"schedule": "rate(1 day)", "max_count": 1}],
         r"scaling.schedules\[0\].max_count=1 is invalid: must be at least min_count \(3\), or set the"),
        ([{"schedule": "rate(1 day)", "min_count": -1}],
         r"scaling.schedules\[0\].min_count=-1 is invalid: must be a whole number from 0 to 5000"),
    ],
)  # fmt: skip
def test_fails_when_a_capacity_schedule_is_invalid(stack, schedules, message):
    entries = tuple(CapacitySchedule(**entry) for entry in schedules)
    with pytest.raises(ValueError, match=message):
        build(stack, {"scaling.schedules": entries})


def test_fails_when_schedules_are_given_without_autoscaling(stack):
    entry = CapacitySchedule(schedule="rate(1 day)", min_count=2)
    with pytest.raises(ValueError, match=r"scaling.schedules='1 schedules' is invalid: change autoscaling's bounds"):
        build(stack, {"scaling.enabled": False, "scaling.schedules": (entry,)})


AGENT = "123456789012.dkr.ecr.us-east-1.amazonaws.com/ecr-public/aws-observability/aws-otel-collector:v0.40.0"


def test_sidecars_join_the_task_hardened_like_the_app_with_their_own_reservations_and_logs(stack):
    secret = SecretsManagerSecret(arn="arn:aws:secretsmanager:us-east-1:123456789012:secret:agent-key-AbCdEf")
    sidecars = {
        "agent": Sidecar(image=AGENT, cpu_units=128, memory_mib=256, port=4317, secrets={"API_KEY": secret},
                         health_check_command=("CMD", "/healthcheck")),
        "init": Sidecar(image=AGENT, essential=False, command=("migrate",), user="", scratch_paths=()),
    }  # fmt: skip
    build(stack, {"sidecars": sidecars, "container.depends_on": {"init": "SUCCESS", "agent": "HEALTHY"},
                  "container.entrypoint": ("/bin/tini", "--")})  # fmt: skip
    synth = Synthesized(stack)
    task = synth.only("aws_ecs_task_definition")
    app, agent, init = json.loads(task["container_definitions"])
    assert app["entryPoint"] == ["/bin/tini", "--"] and "entryPoint" not in agent
    assert app["dependsOn"] == [
        {"containerName": "agent", "condition": "HEALTHY"},
        {"containerName": "init", "condition": "SUCCESS"},
    ]
    assert (agent["name"], agent["image"], agent["essential"], agent["cpu"], agent["memory"]) == (
        "agent",
        AGENT,
        True,
        128,
        256,
    )
    assert agent["portMappings"] == [{"containerPort": 4317, "hostPort": 4317, "protocol": "tcp"}]
    # The application's hardening by default, overridable per sidecar.
    assert agent["user"] == "1000:1000" and agent["readonlyRootFilesystem"] is True
    assert agent["linuxParameters"]["capabilities"] == {"drop": ["ALL"]}
    assert "user" not in init and init["essential"] is False and init["command"] == ["migrate"]
    assert agent["logConfiguration"]["options"]["awslogs-stream-prefix"] == "agent"
    assert agent["mountPoints"] == [{"sourceVolume": "agent-scratch-0", "containerPath": "/tmp", "readOnly": False}]
    assert {volume["name"] for volume in task["volume"]} == {"scratch-0", "agent-scratch-0"}
    # The execution role reads the sidecar's secret at task start, as the app's.
    policy = synth_policy(synth, "execution-secrets-policy-document")
    assert secret.arn in json.dumps(policy)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sidecars": {"app": Sidecar(image=AGENT)}}, r"sidecars.app='<set>' is invalid: is the application"),
        ({"sidecars": {"agent": Sidecar(image="Not An Image")}}, r"sidecars.agent.image='Not An Image' is invalid"),
        ({"sidecars": {"agent": Sidecar(image=AGENT)}, "container.depends_on": {"agent": "SUCCESS"}},
         r"container.depends_on.agent='SUCCESS' is invalid: 'agent' is essential"),
        ({"sidecars": {"agent": Sidecar(image=AGENT)}, "container.depends_on": {"agent": "HEALTHY"}},
         r"container.depends_on.agent='HEALTHY' is invalid: 'agent' has no health_check_command"),
        ({"container.depends_on": {"nope": "START"}}, r"container.depends_on.nope='START' is invalid: is not a "),
        ({"sidecars": {"agent": Sidecar(image=AGENT, depends_on={"agent": "START"})}},
         r"sidecars.agent.depends_on.agent='START' is invalid: names itself"),
        ({"sidecars": {"agent": Sidecar(image=AGENT, cpu_units=512)}},
         r"sidecars='512 CPU units' is invalid: must leave the application some of the task's 512"),
        ({"sidecars": {"agent": Sidecar(image=AGENT, memory_mib=1024)}},
         r"sidecars='1024 MiB' is invalid: must leave the application some of the task's 1024 MiB"),
    ],
)  # fmt: skip
def test_fails_when_a_sidecar_or_what_a_container_waits_for_is_invalid(stack, changes, message):
    with pytest.raises(ValueError, match=message):
        build(stack, changes)


def test_firelens_sends_the_apps_logs_through_a_fluent_bit_router_with_its_key_from_a_secret(stack):
    key = SecretsManagerSecret(arn="arn:aws:secretsmanager:us-east-1:123456789012:secret:datadog-key-AbCdEf")
    destination = {"Name": "datadog", "Host": "http-intake.logs.datadoghq.eu", "TLS": "on"}
    build(stack, {"logging.router": "firelens", "logging.destination": destination,
                  "logging.destination_secrets": {"apikey": key}})  # fmt: skip
    synth = Synthesized(stack)
    app, router = json.loads(synth.only("aws_ecs_task_definition")["container_definitions"])
    assert app["logConfiguration"] == {
        "logDriver": "awsfirelens",
        "options": destination,
        "secretOptions": [{"name": "apikey", "valueFrom": key.arn}],
    }
    assert router["name"] == "log_router" and router["essential"] is True
    assert router["firelensConfiguration"] == {"type": "fluentbit", "options": {"enable-ecs-log-metadata": "true"}}
    assert router["image"] == "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.5"
    # The router's own logs stay in the service's log group.
    assert router["logConfiguration"]["logDriver"] == "awslogs"
    assert router["logConfiguration"]["options"]["awslogs-stream-prefix"] == "log_router"
    assert router["linuxParameters"]["capabilities"] == {"drop": ["ALL"]}
    # The execution role reads the destination's secret at task start, as a container's.
    assert key.arn in json.dumps(synth_policy(synth, "execution-secrets-policy-document"))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"logging.router": "firelens"}, r"logging.destination=\{\} is invalid: names its Fluent Bit output plugin"),
        ({"logging.destination": {"Name": "datadog"}}, r"logging.destination='<set>' is invalid: is FireLens's"),
        ({"logging.router": "firelens", "logging.destination": {"Name": "datadog"},
          "sidecars": {"log_router": Sidecar(image=AGENT)}},
         r"sidecars.log_router='log_router' is invalid: is the FireLens log router's name"),
        ({"logging.router": "firelens", "logging.destination": {"Name": "datadog"}, "logging.router_image": "x y"},
         r"logging.router_image='x y' is invalid: must be an image reference"),
    ],
)  # fmt: skip
def test_fails_when_log_routing_is_set_wrongly(stack, changes, message):
    with pytest.raises(ValueError, match=message):
        build(stack, changes)


def test_telemetry_adds_a_collector_its_metrics_log_group_and_the_task_roles_permission_for_them(stack):
    build(stack, {"telemetry.collector": "otel", "container.environment": {"OTEL_SERVICE_NAME": "storefront"}})
    synth = Synthesized(stack)
    app, collector = json.loads(synth.only("aws_ecs_task_definition")["container_definitions"])
    environment = {entry["name"]: entry["value"] for entry in app["environment"]}
    # The SDKs' default endpoint; a name the app sets itself wins.
    assert environment["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://localhost:4317"
    assert environment["OTEL_SERVICE_NAME"] == "storefront"
    assert collector["name"] == "otel-collector" and collector["essential"] is False
    assert collector["image"] == "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3"
    assert collector["user"] == "1000:1000" and collector["readonlyRootFilesystem"] is True
    (config,) = [entry["value"] for entry in collector["environment"] if entry["name"] == "AOT_CONFIG_CONTENT"]
    assert "endpoint: 127.0.0.1:4317" in config and "awsxray:" in config
    assert "log_group_name: /ecs/shop/metrics" in config and "namespace: shop" in config
    groups = {group["name"]: group for group in synth.resources("aws_cloudwatch_log_group").values()}
    assert groups["/ecs/shop/metrics"]["retention_in_days"] == groups["/ecs/shop"]["retention_in_days"]
    policy = synth_policy(synth, "telemetry-policy-document")
    statements = {statement["Sid"]: statement for statement in policy["Statement"]}
    assert statements["SendTraces"]["Resource"] == ["*"]
    metrics = ref("aws_cloudwatch_log_group", synth.by_path("aws_cloudwatch_log_group", "metrics-log-group"), "arn")
    assert statements["WriteMetrics"]["Resource"] == [metrics, f"{metrics}:*"]
    assert set(statements["WriteMetrics"]["Action"]) == {
        "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"
    }  # fmt: skip


def test_without_telemetry_there_is_no_collector_and_no_metrics_group(default_service):
    _, synth = default_service
    assert len(json.loads(synth.only("aws_ecs_task_definition")["container_definitions"])) == 1
    names = {group["name"] for group in synth.resources("aws_cloudwatch_log_group").values()}
    assert "/ecs/shop" in names and "/ecs/shop/metrics" not in names


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"telemetry.collector": "otel", "sidecars": {"otel-collector": Sidecar(image=AGENT)}},
         r"sidecars.otel-collector='otel-collector' is invalid: is the OpenTelemetry collector's name"),
        ({"telemetry.collector": "otel", "telemetry.image": "x y"}, r"telemetry.image='x y' is invalid"),
        ({"telemetry.collector": "jaeger"}, r"telemetry.collector='jaeger' is invalid: must be 'none' or 'otel'"),
    ],
)  # fmt: skip
def test_fails_when_telemetry_is_set_wrongly(stack, changes, message):
    with pytest.raises(ValueError, match=message):
        build(stack, changes)


def test_a_shell_variable_in_a_containers_settings_reaches_it_as_written_not_as_terraform():
    stack = new_stack()
    build(
        stack,
        {
            "container.environment": {"GREETING": "hello ${USER}", "TEMPLATE": "%{if x}y%{endif}", "PLAIN": "a$b"},
            "container.command": ["sh", "-c", "echo ${HOME}"],
            "logging.router": "firelens",
            "logging.destination": {"Name": "http", "Host": "${LOG_HOST}"},
        },
    )
    task = Synthesized(stack).only("aws_ecs_task_definition")
    # Terraform reads `$${` and `%%{` as the literal `${` and `%{`.
    assert (
        '"hello $${USER}"' in task["container_definitions"] and '"%%{if x}y%%{endif}"' in task["container_definitions"]
    )
    assert '"echo $${HOME}"' in task["container_definitions"] and '"a$b"' in task["container_definitions"]
    assert '"Host":"$${LOG_HOST}"' in task["container_definitions"].replace(" ", "")
    # The stack's own references stay references.
    assert "${aws_cloudwatch_log_group." in task["container_definitions"]


def test_fails_when_an_alias_is_given_to_a_service_that_is_not_published():
    with pytest.raises(ValueError, match=r"options.service_connect.alias='orders' is invalid: names how callers reach"):
        build(new_stack(), {"service_connect.alias": "orders"})
