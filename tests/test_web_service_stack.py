"""The composed stack, read whole from its synthesized JSON."""

from __future__ import annotations

import json

from cdktf_fargate import (
    AccessLogs,
    Alarms,
    AlbAlarms,
    AlbOptions,
    Container,
    FlowLogs,
    NetworkOptions,
    ServiceOptions,
    Waf,
)

import pytest
from cdktf import Testing as CdktfTesting
from conftest import Synthesized, ref

from stacks import EnvironmentConfig, WebServiceStack
from stacks.environments import load_environment

EXPECTED_PROD_RESOURCES = {
    "aws_appautoscaling_policy": 1,
    "aws_appautoscaling_target": 1,
    "aws_cloudwatch_log_group": 3,
    "aws_cloudwatch_metric_alarm": 6,
    "aws_default_security_group": 1,
    "aws_ecr_lifecycle_policy": 1,
    "aws_ecr_repository": 1,
    "aws_ecs_cluster": 1,
    "aws_ecs_cluster_capacity_providers": 1,
    "aws_ecs_service": 1,
    "aws_ecs_task_definition": 1,
    "aws_flow_log": 1,
    "aws_iam_role": 3,
    "aws_iam_role_policy": 3,
    "aws_internet_gateway": 1,
    "aws_kms_alias": 1,
    "aws_kms_key": 1,
    "aws_lb": 1,
    "aws_lb_listener": 2,
    "aws_lb_listener_rule": 1,
    "aws_lb_target_group": 1,
    "aws_route": 1,
    "aws_route_table": 3,
    "aws_route_table_association": 4,
    "aws_s3_bucket": 1,
    "aws_s3_bucket_lifecycle_configuration": 1,
    "aws_s3_bucket_ownership_controls": 1,
    "aws_s3_bucket_policy": 1,
    "aws_s3_bucket_public_access_block": 1,
    "aws_s3_bucket_server_side_encryption_configuration": 1,
    "aws_s3_bucket_versioning": 1,
    "aws_security_group": 3,
    "aws_sns_topic": 1,
    "aws_sns_topic_policy": 1,
    "aws_subnet": 4,
    "aws_vpc": 1,
    "aws_vpc_endpoint": 4,
    "aws_vpc_security_group_egress_rule": 3,
    "aws_vpc_security_group_ingress_rule": 4,
    "aws_wafv2_web_acl": 1,
    "aws_wafv2_web_acl_association": 1,
    "aws_wafv2_web_acl_logging_configuration": 1,
}


def synth_environment(name: str) -> Synthesized:
    config = load_environment(name)
    return Synthesized(WebServiceStack(CdktfTesting.app(), config.stack_name, config=config))


@pytest.fixture(scope="module")
def prod() -> Synthesized:
    return synth_environment("prod")


def test_prod_stack_has_exactly_the_expected_resources(prod):
    counts = {resource_type: len(bodies) for resource_type, bodies in prod.json["resource"].items()}
    assert counts == EXPECTED_PROD_RESOURCES


def test_provider_region_tags_and_terraform_version(prod):
    (provider,) = prod.json["provider"]["aws"]
    assert provider["region"] == "us-east-1"
    assert provider["default_tags"] == [
        {"tags": {"Application": "webapp", "Environment": "prod", "ManagedBy": "cdktf"}}
    ]
    assert prod.json["terraform"]["required_version"] == ">= 1.10"
    assert prod.json["terraform"]["required_providers"]["aws"]["version"] == "5.100.0"


def test_image_tag_is_a_required_validated_variable(prod):
    variable = prod.json["variable"]["image_tag"]
    assert "default" not in variable
    assert variable["type"] == "string"
    assert variable["nullable"] is False
    (validation,) = variable["validation"]
    assert 'var.image_tag != "latest"' in validation["condition"]
    assert "regex(" in validation["condition"]


def test_the_task_runs_the_tagged_image_from_the_stacks_repository(prod):
    (container,) = json.loads(prod.only("aws_ecs_task_definition")["container_definitions"])
    repository = prod.only("aws_ecr_repository")
    assert container["image"] == ref("aws_ecr_repository", repository, "repository_url") + ":${var.image_tag}"


def test_the_execution_role_may_pull_from_the_stacks_repository(prod):
    pull = prod.by_path("aws_iam_role_policy", "repository/pull-webapp-prod-service-execution-role")
    assert pull["role"] == ref("aws_iam_role", prod.by_path("aws_iam_role", "service/execution-role"), "id")


def test_every_production_default_is_in_the_json(prod):
    assert prod.only("aws_ecr_repository")["image_tag_mutability"] == "IMMUTABLE"
    assert prod.only("aws_lb")["enable_deletion_protection"] is True
    assert prod.only("aws_lb")["name"] == "webapp-prod"
    assert prod.by_path("aws_lb_listener", "https-listener")["ssl_policy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    service = prod.only("aws_ecs_service")
    assert service["desired_count"] == 3
    assert service["network_configuration"]["assign_public_ip"] is False
    assert service["deployment_circuit_breaker"] == {"enable": True, "rollback": True}
    task = prod.only("aws_ecs_task_definition")
    assert (task["cpu"], task["memory"]) == ("512", "1024")
    assert prod.by_path("aws_cloudwatch_log_group", "service/log-group")["name"] == "/ecs/webapp-prod"
    assert prod.by_path("aws_cloudwatch_log_group", "service/log-group")["retention_in_days"] == 365
    assert prod.only("aws_lb_target_group")["health_check"]["path"] == "/health"


def test_outputs_name_the_url_and_what_operators_look_up(prod):
    outputs = prod.json["output"]
    assert sorted(outputs) == [
        "alb_dns_name",
        "cluster_name",
        "ecr_repository_url",
        "log_group_name",
        "rollback_worst_case_seconds",
        "rollout_worst_case_seconds",
        "service_name",
        "task_definition_arn",
        "url",
    ]
    lb = prod.only("aws_lb")
    assert outputs["url"]["value"] == "https://" + ref("aws_lb", lb, "dns_name")
    assert outputs["alb_dns_name"]["value"] == ref("aws_lb", lb, "dns_name")
    assert outputs["ecr_repository_url"]["value"] == ref(
        "aws_ecr_repository", prod.only("aws_ecr_repository"), "repository_url"
    )
    assert outputs["cluster_name"]["value"] == ref("aws_ecs_cluster", prod.only("aws_ecs_cluster"), "name")
    assert outputs["service_name"]["value"] == ref("aws_ecs_service", prod.only("aws_ecs_service"), "name")
    assert outputs["task_definition_arn"]["value"] == ref(
        "aws_ecs_task_definition", prod.only("aws_ecs_task_definition"), "arn"
    )
    assert outputs["log_group_name"]["value"] == ref(
        "aws_cloudwatch_log_group", prod.by_path("aws_cloudwatch_log_group", "service/log-group"), "name"
    )


def test_dev_runs_one_task_behind_one_nat_without_deletion_protection():
    dev = synth_environment("dev")
    assert dev.only("aws_ecs_service")["desired_count"] == 1
    assert dev.count("aws_nat_gateway") == 1
    assert dev.only("aws_lb")["enable_deletion_protection"] is False
    assert dev.only("aws_ecr_repository")["force_delete"] is True
    assert dev.by_path("aws_cloudwatch_log_group", "service/log-group")["retention_in_days"] == 7
    assert dev.only("aws_lb")["name"] == "webapp-dev"


def test_an_existing_vpc_is_used_instead_of_a_new_one():
    config = EnvironmentConfig(
        certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/abc",
        vpc_id="vpc-0123456789abcdef0",
        public_subnet_ids=("subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"),
        private_subnet_ids=("subnet-0cccccccccccccccc", "subnet-0dddddddddddddddd"),
    )
    synth = Synthesized(WebServiceStack(CdktfTesting.app(), "existing", config=config))
    for resource_type in ("aws_vpc", "aws_subnet", "aws_nat_gateway", "aws_internet_gateway"):
        assert synth.count(resource_type) == 0
    assert synth.only("aws_lb")["subnets"] == ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"]
    assert synth.only("aws_ecs_service")["network_configuration"]["subnets"] == [
        "subnet-0cccccccccccccccc",
        "subnet-0dddddddddddddddd",
    ]


def test_fails_before_writing_anything_when_the_certificate_is_missing(tmp_path):
    app = CdktfTesting.app(outdir=str(tmp_path))
    with pytest.raises(
        ValueError, match=r"PublicAlb 'no-cert/alb': invalid settings:\n  - certificate_arn='' is invalid"
    ):
        WebServiceStack(app, "no-cert", config=EnvironmentConfig())
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []


def test_production_is_secure_by_default(prod):
    key = ref("aws_kms_key", prod.only("aws_kms_key"), "arn")
    assert prod.only("aws_kms_key")["enable_key_rotation"] is True
    assert prod.only("aws_ecr_repository")["encryption_configuration"] == [{"encryption_type": "KMS", "kms_key": key}]
    for log_group in prod.resources("aws_cloudwatch_log_group").values():
        assert log_group["kms_key_id"] == key
        assert log_group["retention_in_days"] == 365
    lb = prod.only("aws_lb")
    assert lb["drop_invalid_header_fields"] is True
    assert lb["access_logs"] == {
        "bucket": ref("aws_s3_bucket", prod.only("aws_s3_bucket"), "bucket"),
        "prefix": "alb",
        "enabled": True,
    }
    assert prod.only("aws_wafv2_web_acl_association")["resource_arn"] == ref("aws_lb", lb, "arn")
    assert prod.only("aws_flow_log")["vpc_id"] == ref("aws_vpc", prod.only("aws_vpc"), "id")
    default_group = prod.only("aws_default_security_group")
    assert "ingress" not in default_group and "egress" not in default_group
    (container,) = json.loads(prod.only("aws_ecs_task_definition")["container_definitions"])
    assert container["readonlyRootFilesystem"] is True
    assert container["mountPoints"] == [{"sourceVolume": "scratch-0", "containerPath": "/tmp", "readOnly": False}]
    subnets = [prod.by_path("aws_subnet", f"public-subnet-{i}")["availability_zone"] for i in range(2)]
    assert subnets == ["us-east-1a", "us-east-1b"]


def test_security_features_can_each_be_switched_off():
    config = EnvironmentConfig(
        certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/abc",
        kms_enabled=False,
        alb=AlbOptions(waf=Waf(enabled=False), access_logs=AccessLogs(enabled=False)),
        network=NetworkOptions(flow_logs=FlowLogs(enabled=False)),
        service=ServiceOptions(container=Container(readonly_root_filesystem=False)),
    )
    synth = Synthesized(WebServiceStack(CdktfTesting.app(), "plain", config=config))
    for resource_type in ("aws_kms_key", "aws_wafv2_web_acl", "aws_s3_bucket", "aws_flow_log"):
        assert synth.count(resource_type) == 0, resource_type
    assert synth.only("aws_ecr_repository")["encryption_configuration"] == [{"encryption_type": "AES256"}]
    assert "kms_key_id" not in synth.by_path("aws_cloudwatch_log_group", "service/log-group")
    assert "access_logs" not in synth.only("aws_lb")
    (container,) = json.loads(synth.only("aws_ecs_task_definition")["container_definitions"])
    assert container["readonlyRootFilesystem"] is False


def test_only_the_local_environment_talks_to_an_emulator(prod):
    (provider,) = prod.json["provider"]["aws"]
    assert "endpoints" not in provider and "access_key" not in provider
    local = synth_environment("local")
    (provider,) = local.json["provider"]["aws"]
    # The address and credentials come from the environment (tests/test_local_aws.py); only the emulator's
    # account is accepted, so a run without the address stops before it changes a real account.
    assert "endpoints" not in provider and "access_key" not in provider
    assert provider["allowed_account_ids"] == ["123456789012"]
    assert "skip_requesting_account_id" not in provider
    certificate = local.only_data("aws_acm_certificate")
    assert certificate["domain"] == "app.local.test" and certificate["statuses"] == ["ISSUED"]
    https = local.by_path("aws_lb_listener", "https-listener")
    assert https["certificate_arn"] == ref("data.aws_acm_certificate", certificate, "arn")


def test_production_scales_alarms_to_a_topic_and_rolls_back_on_alarm(prod):
    target = prod.only("aws_appautoscaling_target")
    assert (target["min_capacity"], target["max_capacity"]) == (3, 12)
    policy = prod.only("aws_appautoscaling_policy")["target_tracking_scaling_policy_configuration"]
    assert policy["target_value"] == 70
    topic = prod.only("aws_sns_topic")
    assert topic["name"] == "webapp-prod-alarms"
    assert topic["kms_master_key_id"] == ref("aws_kms_key", prod.only("aws_kms_key"), "arn")
    for alarm in prod.resources("aws_cloudwatch_metric_alarm").values():
        assert alarm["alarm_actions"] == [ref("aws_sns_topic", topic, "arn")]
    assert prod.only("aws_ecs_service")["alarms"]["rollback"] is True
    assert prod.count("aws_sns_topic_subscription") == 0
    statements = {
        s["sid"]: s for s in prod.by_path_data("aws_iam_policy_document", "alarm-topic-policy-document")["statement"]
    }
    deny = statements["DenyInsecureTransport"]
    assert (deny["effect"], deny["actions"], deny["principals"]) == (
        "Deny",
        ["sns:Publish"],
        [{"type": "AWS", "identifiers": ["*"]}],
    )
    assert deny["condition"] == [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}]


def test_a_hosted_zone_brings_a_validated_certificate_and_an_alias_record():
    config = EnvironmentConfig(
        domain_name="shop.example.com", hosted_zone_id="Z0123456789ABCDEFGHIJ", alarm_email="ops@example.com"
    )
    synth = Synthesized(WebServiceStack(CdktfTesting.app(), "dns", config=config))
    certificate = synth.only("aws_acm_certificate")
    assert (certificate["domain_name"], certificate["validation_method"]) == ("shop.example.com", "DNS")
    assert certificate["lifecycle"] == {"create_before_destroy": True}
    validation = synth.only("aws_acm_certificate_validation")
    https = synth.by_path("aws_lb_listener", "https-listener")
    assert https["certificate_arn"] == ref("aws_acm_certificate_validation", validation, "certificate_arn")
    alias = synth.by_path("aws_route53_record", "domain/alias-record")
    assert (alias["name"], alias["type"], alias["zone_id"]) == ("shop.example.com", "A", "Z0123456789ABCDEFGHIJ")
    assert alias["alias"]["name"] == ref("aws_lb", synth.only("aws_lb"), "dns_name")
    assert synth.json["output"]["url"]["value"] == "https://shop.example.com"
    subscription = synth.only("aws_sns_topic_subscription")
    assert (subscription["protocol"], subscription["endpoint"]) == ("email", "ops@example.com")


def test_remote_state_goes_to_s3_with_native_locking():
    config = EnvironmentConfig(
        certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/abc", state_bucket="acme-terraform-state"
    )
    synth = Synthesized(WebServiceStack(CdktfTesting.app(), "remote", config=config))
    backend = synth.json["terraform"]["backend"]["s3"]
    assert backend == {
        "bucket": "acme-terraform-state",
        "key": "remote/terraform.tfstate",
        "region": "us-east-1",
        "encrypt": True,
        "use_lockfile": True,
    }


def test_remote_state_of_the_emulator_environment_goes_to_the_emulators_s3():
    config = EnvironmentConfig(
        certificate_domain="app.local.test",
        aws_endpoint_url="http://127.0.0.1:4566",
        state_bucket="local-state",
    )
    synth = Synthesized(WebServiceStack(CdktfTesting.app(), "local", config=config))
    backend = synth.json["terraform"]["backend"]["s3"]
    assert backend["endpoints"] == {
        "s3": "http://127.0.0.1:4566",
        "sts": "http://127.0.0.1:4566",
        "iam": "http://127.0.0.1:4566",
    }
    assert "access_key" not in backend and backend["use_path_style"] is True
    assert (backend["encrypt"], backend["use_lockfile"]) == (True, True)


def test_the_cluster_keeps_its_0_1_state_through_moved_blocks(prod):
    cluster = prod.only("aws_ecs_cluster")
    capacity = prod.only("aws_ecs_cluster_capacity_providers")
    assert cluster["__logical_id__"].startswith("cluster_")
    assert prod.json["moved"] == [
        {"from": "aws_ecs_cluster.service_cluster_B81F1F5D", "to": f"aws_ecs_cluster.{cluster['__logical_id__']}"},
        {
            "from": "aws_ecs_cluster_capacity_providers.service_cluster-capacity-providers_A0F7BC08",
            "to": f"aws_ecs_cluster_capacity_providers.{capacity['__logical_id__']}",
        },
    ]


def test_without_alarms_there_is_no_topic_and_no_rollback_on_alarm():
    config = EnvironmentConfig(
        certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/abc",
        service=ServiceOptions(alarms=Alarms(enabled=False)),
        alb=AlbOptions(alarms=AlbAlarms(enabled=False)),
    )
    synth = Synthesized(WebServiceStack(CdktfTesting.app(), "quiet", config=config))
    assert synth.count("aws_sns_topic") == 0 and synth.count("aws_cloudwatch_metric_alarm") == 0
    assert "alarms" not in synth.only("aws_ecs_service")


def test_fails_before_writing_anything_when_an_environment_option_is_wrong(tmp_path):
    config = EnvironmentConfig(
        certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/abc",
        service=ServiceOptions(desired_count=-1),
    )
    app = CdktfTesting.app(outdir=str(tmp_path))
    with pytest.raises(
        ValueError, match=r"environment 'prod': invalid settings:\n  - service.desired_count=-1 is invalid"
    ):
        WebServiceStack(app, "broken", config=config)
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []


def test_the_image_existence_check_is_a_setting_the_shipped_environments_turn_on(prod):
    # On in prod (the deploy workflow creates the repository before it pushes); off by default.
    assert prod.only_data("aws_ecr_image")["image_tag"] == "${var.image_tag}"
    config = EnvironmentConfig(certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/abc")
    synth = Synthesized(WebServiceStack(CdktfTesting.app(), "default", config=config))
    assert synth.data("aws_ecr_image") == {}


def test_without_internet_egress_the_stack_adds_the_endpoints_its_service_uses():
    import dataclasses

    from cdktf_fargate import SecretsManagerSecret, SsmParameter

    config = load_environment("prod")
    secrets = {
        "DB_PASSWORD": SsmParameter("arn:aws:ssm:us-east-1:123456789012:parameter/shop/db"),
        "API_TOKEN": SecretsManagerSecret("arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/api-AbCdEf"),
    }
    service = dataclasses.replace(
        config.service,
        enable_execute_command=True,
        container=dataclasses.replace(config.service.container, secrets=secrets, readonly_root_filesystem=False),
    )
    stack = WebServiceStack(CdktfTesting.app(), "endpoints", config=dataclasses.replace(config, service=service))
    names = sorted(
        body["service_name"].split("}.", 1)[1] for body in Synthesized(stack).resources("aws_vpc_endpoint").values()
    )
    assert names == ["ecr.api", "ecr.dkr", "logs", "s3", "secretsmanager", "ssm", "ssmmessages"]


def test_dev_keeps_internet_egress_through_one_nat_gateway():
    synth = synth_environment("dev")
    assert synth.count("aws_nat_gateway") == 1
    assert synth.count("aws_vpc_endpoint") == 0
