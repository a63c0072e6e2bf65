"""End to end on the local AWS emulator, for what production operations add to the plain deploy:
state in S3 with native locking, a DNS-validated certificate and alias record in a Route53 zone,
container secrets from SSM Parameter Store and Secrets Manager, and a second service behind the
same load balancer in the same cluster.

The zone, the secrets and the state bucket exist before the deploy, as they would in an account.
The tests run in file order and share one deployment.
"""

from __future__ import annotations

import json

import pytest
from e2e_support import ANSI, Deployment, local_aws
from side_by_side import record_e2e_figures

pytestmark = pytest.mark.e2e

APP = "ops"
STACK = f"{APP}-local"
ZONE = "ops.test"
DOMAIN = f"shop.{ZONE}"
STATE_BUCKET = "ops-terraform-state"
STATE_KEY = f"{STACK}/terraform.tfstate"
# Seconds before the emulator's ACM marks a requested certificate as validated (AWS: once the
# DNS record resolves); moto's default is 60.
ACM_VALIDATION_SECONDS = 3

# The stack as shipped, plus a second service that the library makes a few lines: `/api/*` goes to
# it, in the first service's cluster, from the same repository.
MAIN = """
import cdktf_fargate  # noqa: F401  (first: the fast provider import)
from cdktf_fargate import (
    CapacityMix,
    Container,
    FargateService,
    Routing,
    Scaling,
    SecretsManagerSecret,
    ServiceOptions,
    TaskSize,
)

from cdktf import App
from cdktf_cdktf_provider_aws.data_aws_secretsmanager_secret import DataAwsSecretsmanagerSecret

from stacks import WebServiceStack, load_environment

config = load_environment()
app = App()
stack = WebServiceStack(app, config.stack_name, config=config)
# A secret whose ARN is known only at apply time: its kind is declared, so the read permission follows.
api_key = DataAwsSecretsmanagerSecret(stack, "api-key", name="ops/api-key")
api = FargateService(
    stack,
    "api",
    name=f"{config.resource_name}-api",
    cluster=stack.cluster,
    network=stack.network,
    alb=stack.alb,
    image=stack.repository.image_uri(stack.image_tag.string_value),
    log_kms_key_arn=stack.key.arn if stack.key else None,
    # The runtime options the first service leaves at their defaults.
    options=ServiceOptions(
        desired_count=1,
        enable_execute_command=True,
        task=TaskSize(cpu_architecture="ARM64"),
        capacity=CapacityMix(fargate_base=1, fargate_spot_weight=3),
        routing=Routing(priority=50, path_patterns=("/api/*",)),
        container=Container(
            readonly_root_filesystem=False,
            health_check_command=("CMD-SHELL", "curl -fs http://localhost:8080/health || exit 1"),
            stop_timeout_seconds=60,
            secrets={"API_KEY": SecretsManagerSecret(api_key.arn)},
        ),
        scaling=Scaling(
            min_count=1, max_count=4, cpu_target_percent=None, memory_target_percent=75, requests_per_target=500
        ),
    ),
)
stack.repository.grant_pull(api.execution_role)
app.synth()
"""


@pytest.fixture(scope="module")
def emulator(tmp_path_factory):
    from moto import settings

    original = settings.ACM_VALIDATION_WAIT
    settings.ACM_VALIDATION_WAIT = ACM_VALIDATION_SECONDS
    try:
        with local_aws(tmp_path_factory, "ops") as running:
            yield running
    finally:
        settings.ACM_VALIDATION_WAIT = original


@pytest.fixture(scope="module")
def account(emulator, tmp_path_factory, terraform_env):
    """What exists before the deploy: a hosted zone, two secrets, a versioned state bucket."""
    probe = Deployment(tmp_path_factory.mktemp("ops-probe"), emulator, terraform_env, app=APP)
    zone_id = probe.client("route53").create_hosted_zone(Name=ZONE, CallerReference="ops-e2e")["HostedZone"]["Id"]
    parameter = probe.client("ssm").put_parameter(Name="/ops/db-password", Value="s3cret", Type="SecureString")
    parameter_arn = probe.client("ssm").get_parameter(Name="/ops/db-password")["Parameter"]["ARN"]
    assert parameter["Version"] == 1
    secret_arn = probe.client("secretsmanager").create_secret(Name="ops/api-key", SecretString="k3y")["ARN"]
    s3 = probe.client("s3")
    s3.create_bucket(Bucket=STATE_BUCKET)
    s3.put_bucket_versioning(Bucket=STATE_BUCKET, VersioningConfiguration={"Status": "Enabled"})
    return {
        "zone_id": zone_id.rsplit("/", 1)[-1],
        "secrets": {"DB_PASSWORD": parameter_arn, "API_KEY": secret_arn},
        "kinds": {"DB_PASSWORD": "ssm-parameter", "API_KEY": "secrets-manager"},
    }


@pytest.fixture(scope="module")
def deployment(emulator, account, tmp_path_factory, terraform_env):
    settings = {
        "certificate_domain": None,
        "domain_name": DOMAIN,
        "hosted_zone_id": account["zone_id"],
        "service.container.secrets": {
            name: {"kind": account["kinds"][name], "arn": arn} for name, arn in account["secrets"].items()
        },
        "state_bucket": STATE_BUCKET,
        # Not what this module is about, and each costs the provider a wait on the emulator.
        "alb.access_logs.enabled": False,
    }
    yield Deployment(
        tmp_path_factory.mktemp("ops-project"), emulator, terraform_env, app=APP, settings=settings, main=MAIN
    )


@pytest.fixture(scope="module")
def first_deploy(deployment):
    result, seconds = deployment.run("deploy", "v1")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    record_e2e_figures(operations_deploy_seconds=round(seconds, 1))
    return result


def as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def inline_statements(deployment: Deployment, role_arn: str) -> list[dict]:
    """Every statement of the role's inline policies."""
    iam = deployment.client("iam")
    role = role_arn.rsplit("/", 1)[-1]
    return [
        statement
        for name in iam.list_role_policies(RoleName=role)["PolicyNames"]
        for statement in iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]["Statement"]
    ]


def remote_state(deployment: Deployment) -> dict:
    body = deployment.client("s3").get_object(Bucket=STATE_BUCKET, Key=STATE_KEY)["Body"].read()
    return json.loads(body)


def test_state_lives_in_the_s3_bucket_and_its_lock_is_released(deployment, first_deploy):
    assert not deployment.state_file.exists()
    state = remote_state(deployment)
    managed = [resource for resource in state["resources"] if resource["mode"] == "managed"]
    assert len(managed) >= 60
    keys = [item["Key"] for item in deployment.client("s3").list_objects_v2(Bucket=STATE_BUCKET)["Contents"]]
    assert keys == [STATE_KEY]


def test_two_services_share_one_cluster_behind_one_load_balancer(deployment, first_deploy):
    ecs = deployment.client("ecs")
    services = ecs.describe_services(cluster=STACK, services=[STACK, f"{STACK}-api"])["services"]
    assert [(service["serviceName"], service["status"]) for service in services] == [
        (STACK, "ACTIVE"),
        (f"{STACK}-api", "ACTIVE"),
    ]
    assert len(ecs.list_clusters()["clusterArns"]) == 1
    groups = [service["loadBalancers"][0]["targetGroupArn"] for service in services]
    security_groups = [
        tuple(service["networkConfiguration"]["awsvpcConfiguration"]["securityGroups"]) for service in services
    ]
    assert len(set(groups)) == 2 and len(set(security_groups)) == 2
    log_groups = {group["logGroupName"] for group in deployment.client("logs").describe_log_groups()["logGroups"]}
    assert {f"/ecs/{STACK}", f"/ecs/{STACK}-api"} <= log_groups

    elbv2 = deployment.client("elbv2")
    (balancer,) = elbv2.describe_load_balancers()["LoadBalancers"]
    listeners = elbv2.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])["Listeners"]
    (https,) = [listener for listener in listeners if listener["Port"] == 443]
    rules = [rule for rule in elbv2.describe_rules(ListenerArn=https["ListenerArn"])["Rules"] if not rule["IsDefault"]]
    routes = sorted(
        (
            int(rule["Priority"]),
            rule["Conditions"][0]["PathPatternConfig"]["Values"],
            rule["Actions"][0]["TargetGroupArn"],
        )
        for rule in rules
    )
    assert routes == [(50, ["/api/*"], groups[1]), (100, ["/*"], groups[0])]


def test_second_service_runs_arm64_on_a_spot_mix_with_exec_health_check_and_its_own_scaling(deployment, first_deploy):
    ecs = deployment.client("ecs")
    (service,) = ecs.describe_services(cluster=STACK, services=[f"{STACK}-api"])["services"]
    strategy = sorted(
        (s["capacityProvider"], s["weight"], s.get("base", 0)) for s in service["capacityProviderStrategy"]
    )
    assert strategy == [("FARGATE", 100, 1), ("FARGATE_SPOT", 3, 0)]
    assert service["enableExecuteCommand"] is True
    task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    assert task["runtimePlatform"]["cpuArchitecture"] == "ARM64"
    (container,) = task["containerDefinitions"]
    assert container["healthCheck"]["command"] == [
        "CMD-SHELL",
        "curl -fs http://localhost:8080/health || exit 1",
    ]
    assert container["stopTimeout"] == 60
    assert container["readonlyRootFilesystem"] is False

    actions = {
        action
        for statement in inline_statements(deployment, task["taskRoleArn"])
        for action in as_list(statement["Action"])
    }
    assert {"ssmmessages:CreateControlChannel", "ssmmessages:OpenDataChannel"} <= actions

    autoscaling = deployment.client("application-autoscaling")
    targets = {
        target["ResourceId"]: target
        for target in autoscaling.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
    }
    api = targets[f"service/{STACK}/{STACK}-api"]
    assert (api["MinCapacity"], api["MaxCapacity"]) == (1, 4)
    policies = {
        policy["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"][
            "PredefinedMetricType"
        ]: policy["TargetTrackingScalingPolicyConfiguration"]
        # Filtered here: moto's ResourceId filter also matches ids that contain the one asked for.
        for policy in autoscaling.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]
        if policy["ResourceId"] == f"service/{STACK}/{STACK}-api"
    }
    assert sorted(policies) == ["ALBRequestCountPerTarget", "ECSServiceAverageMemoryUtilization"]
    assert policies["ECSServiceAverageMemoryUtilization"]["TargetValue"] == 75
    assert policies["ALBRequestCountPerTarget"]["TargetValue"] == 500
    label = policies["ALBRequestCountPerTarget"]["PredefinedMetricSpecification"]["ResourceLabel"]
    assert label.startswith("app/") and "/targetgroup/" in label


def test_certificate_is_dns_validated_in_the_zone_and_the_name_points_at_the_load_balancer(
    deployment, account, first_deploy
):
    acm = deployment.client("acm")
    (summary,) = [c for c in acm.list_certificates()["CertificateSummaryList"] if c["DomainName"] == DOMAIN]
    certificate = acm.describe_certificate(CertificateArn=summary["CertificateArn"])["Certificate"]
    assert certificate["Status"] == "ISSUED"
    (validation,) = certificate["DomainValidationOptions"]
    assert validation["ValidationMethod"] == "DNS"
    records = {
        (record["Name"], record["Type"]): record
        for record in deployment.client("route53").list_resource_record_sets(HostedZoneId=account["zone_id"])[
            "ResourceRecordSets"
        ]
    }
    cname = records[(validation["ResourceRecord"]["Name"], "CNAME")]
    assert cname["ResourceRecords"] == [{"Value": validation["ResourceRecord"]["Value"]}]
    elbv2 = deployment.client("elbv2")
    (balancer,) = elbv2.describe_load_balancers()["LoadBalancers"]
    alias = records[(f"{DOMAIN}.", "A")]["AliasTarget"]
    assert alias["DNSName"].rstrip(".").lower() == balancer["DNSName"].lower()
    (https,) = [
        listener
        for listener in elbv2.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])["Listeners"]
        if listener["Port"] == 443
    ]
    assert https["Certificates"][0]["CertificateArn"] == summary["CertificateArn"]
    outputs = deployment.terraform("output", "-json")
    assert json.loads(outputs.stdout)["url"]["value"] == f"https://{DOMAIN}"


def test_secrets_reach_the_container_by_reference_and_only_those_can_be_read(deployment, account, first_deploy):
    ecs = deployment.client("ecs")
    (service,) = ecs.describe_services(cluster=STACK, services=[STACK])["services"]
    task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    (container,) = task["containerDefinitions"]
    assert sorted((s["name"], s["valueFrom"]) for s in container["secrets"]) == sorted(account["secrets"].items())
    assert "s3cret" not in json.dumps(task) and "k3y" not in json.dumps(task)

    readable = sorted(
        resource
        for statement in inline_statements(deployment, task["executionRoleArn"])
        if {"ssm:GetParameters", "secretsmanager:GetSecretValue"} & set(as_list(statement["Action"]))
        for resource in as_list(statement["Resource"])
    )
    assert readable == sorted(account["secrets"].values())


def test_a_secret_given_as_a_terraform_reference_can_be_read_and_nothing_else(deployment, account, first_deploy):
    ecs = deployment.client("ecs")
    (service,) = ecs.describe_services(cluster=STACK, services=[f"{STACK}-api"])["services"]
    task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    (container,) = task["containerDefinitions"]
    assert [(s["name"], s["valueFrom"]) for s in container["secrets"]] == [("API_KEY", account["secrets"]["API_KEY"])]
    readable = [
        (action, resource)
        for statement in inline_statements(deployment, task["executionRoleArn"])
        for action in as_list(statement["Action"])
        if action in ("ssm:GetParameters", "secretsmanager:GetSecretValue")
        for resource in as_list(statement["Resource"])
    ]
    assert readable == [("secretsmanager:GetSecretValue", account["secrets"]["API_KEY"])]


def test_a_plan_right_after_an_apply_shows_no_changes(deployment, first_deploy):
    plan = deployment.terraform("plan", "-input=false", "-no-color", "-detailed-exitcode", "-var=image_tag=v1")
    assert plan.returncode == 0, ANSI.sub("", plan.stdout)[-4000:] + plan.stderr[-2000:]


def test_destroy_leaves_only_what_existed_before(deployment, account, first_deploy):
    result, _ = deployment.run("destroy", "v1")
    assert result.returncode == 0, result.stdout[-5000:]
    ecs = deployment.client("ecs")
    assert [c for c in ecs.describe_clusters(clusters=[STACK])["clusters"] if c["status"] == "ACTIVE"] == []
    assert [
        c for c in deployment.client("acm").list_certificates()["CertificateSummaryList"] if c["DomainName"] == DOMAIN
    ] == []
    records = deployment.client("route53").list_resource_record_sets(HostedZoneId=account["zone_id"])[
        "ResourceRecordSets"
    ]
    assert sorted(record["Type"] for record in records) == ["NS", "SOA"]
    assert deployment.client("elbv2").describe_load_balancers()["LoadBalancers"] == []
    assert [r for r in remote_state(deployment)["resources"] if r["mode"] == "managed"] == []
    # The secrets belong to the account, not the stack.
    assert deployment.client("secretsmanager").describe_secret(SecretId=account["secrets"]["API_KEY"])["ARN"]
