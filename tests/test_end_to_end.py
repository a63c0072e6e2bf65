"""End to end, without an AWS account: the real cdktf CLI drives the real Terraform and the real
hashicorp/aws provider against the AWS emulator on loopback (cdktf_fargate_emulator, moto).

deploy → check through boto3 → deploy a new image tag (only the task definition and the
service change) → plan is empty → drift: a rule added through the API is reported, a desired count
moved as autoscaling would is not → two deploys at once (one fails on the state lock) → destroy
(checked through boto3).

The tests run in file order and share one deployment; each step depends on the one before.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import processes
import pytest
from e2e_support import ANSI, APP, DEPLOYED, NOTHING, Deployment, active_counts, local_aws
from side_by_side import record_e2e_figures

pytestmark = pytest.mark.e2e

STACK = f"{APP}-local"
REPORT: dict[str, Any] = {}


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, terraform_env):
    with local_aws(tmp_path_factory, "e2e") as emulator:
        yield Deployment(tmp_path_factory.mktemp("e2e-project"), emulator, terraform_env)
    record_e2e_figures(**REPORT)


@pytest.fixture(scope="module")
def first_deploy(deployment):
    result, seconds = deployment.run("deploy", "v1")
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-3000:]
    assert "Apply complete!" in result.stdout
    REPORT["first_deploy_seconds"] = round(seconds, 1)
    REPORT["managed_resources"] = deployment.state_resource_count()
    return result


def outputs(deployment: Deployment) -> dict[str, str]:
    result = deployment.terraform("output", "-json")
    return {name: value["value"] for name, value in json.loads(result.stdout).items()}


def test_deploy_creates_every_resource_once(deployment, first_deploy):
    assert active_counts(deployment) == DEPLOYED
    assert REPORT["managed_resources"] >= 60


def test_repository_is_immutable_scanned_encrypted_with_a_lifecycle(deployment, first_deploy):
    ecr = deployment.client("ecr")
    (repository,) = ecr.describe_repositories()["repositories"]
    assert repository["repositoryName"] == STACK
    assert repository["imageTagMutability"] == "IMMUTABLE"
    assert repository["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repository["encryptionConfiguration"]["encryptionType"] == "KMS"
    untagged, rule = json.loads(ecr.get_lifecycle_policy(repositoryName=STACK)["lifecyclePolicyText"])["rules"]
    assert (untagged["selection"]["tagStatus"], untagged["selection"]["countNumber"]) == ("untagged", 7)
    assert rule["selection"]["countNumber"] == 30
    assert outputs(deployment)["ecr_repository_url"] == repository["repositoryUri"]


def test_cluster_task_definition_and_service(deployment, first_deploy):
    ecs = deployment.client("ecs")
    (cluster,) = ecs.describe_clusters(clusters=[STACK], include=["SETTINGS"])["clusters"]
    assert {"name": "containerInsights", "value": "enabled"} in cluster["settings"]
    (service,) = ecs.describe_services(cluster=STACK, services=[STACK])["services"]
    assert service["desiredCount"] == 3
    network = service["networkConfiguration"]["awsvpcConfiguration"]
    assert network["assignPublicIp"] == "DISABLED"
    subnets = deployment.client("ec2").describe_subnets(SubnetIds=network["subnets"])["Subnets"]
    assert sorted(tag["Value"] for subnet in subnets for tag in subnet["Tags"] if tag["Key"] == "Tier") == [
        "private",
        "private",
    ]
    assert service["deploymentConfiguration"]["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    alarms = service["deploymentConfiguration"]["alarms"]
    assert sorted(alarms["alarmNames"]) == [f"{STACK}-target-5xx", f"{STACK}-unhealthy-hosts"]
    assert (alarms["enable"], alarms["rollback"]) == (True, True)
    strategy = [(s["capacityProvider"], s["weight"], s.get("base", 0)) for s in service["capacityProviderStrategy"]]
    assert strategy == [("FARGATE", 100, 0)]
    (balancer,) = service["loadBalancers"]
    assert (balancer["containerName"], balancer["containerPort"]) == ("app", 8080)
    group = deployment.client("elbv2").describe_target_groups(TargetGroupArns=[balancer["targetGroupArn"]])[
        "TargetGroups"
    ][0]
    assert (group["HealthCheckPath"], group["HealthyThresholdCount"], group["UnhealthyThresholdCount"]) == (
        "/health",
        2,
        3,
    )
    assert (group["HealthCheckIntervalSeconds"], group["HealthCheckTimeoutSeconds"]) == (30, 5)
    assert group["Matcher"] == {"HttpCode": "200"} and group["TargetType"] == "ip"

    task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    assert (task["cpu"], task["memory"]) == ("512", "1024")
    (container,) = task["containerDefinitions"]
    repository_url = outputs(deployment)["ecr_repository_url"]
    assert container["image"] == f"{repository_url}:v1"
    assert container["portMappings"][0]["containerPort"] == 8080
    assert container["readonlyRootFilesystem"] is True
    log = container["logConfiguration"]
    assert log["logDriver"] == "awslogs" and log["options"]["awslogs-group"] == f"/ecs/{STACK}"


def test_load_balancer_listeners_waf_and_logs(deployment, first_deploy):
    elbv2 = deployment.client("elbv2")
    (balancer,) = elbv2.describe_load_balancers()["LoadBalancers"]
    listeners = {
        listener["Port"]: listener
        for listener in elbv2.describe_listeners(LoadBalancerArn=balancer["LoadBalancerArn"])["Listeners"]
    }
    assert sorted(listeners) == [80, 443]
    assert listeners[443]["Protocol"] == "HTTPS"
    assert listeners[443]["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    redirect = listeners[80]["DefaultActions"][0]
    assert redirect["Type"] == "redirect"
    assert redirect["RedirectConfig"]["Protocol"] == "HTTPS" and redirect["RedirectConfig"]["StatusCode"] == "HTTP_301"
    attributes = {
        a["Key"]: a["Value"]
        for a in elbv2.describe_load_balancer_attributes(LoadBalancerArn=balancer["LoadBalancerArn"])["Attributes"]
    }
    assert attributes["access_logs.s3.enabled"] == "true"
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
    acl = deployment.client("wafv2").get_web_acl_for_resource(ResourceArn=balancer["LoadBalancerArn"])["WebACL"]
    assert acl["Name"] == STACK
    assert outputs(deployment)["url"] == f"https://{balancer['DNSName']}"


def test_security_group_rules_connect_only_the_alb_and_the_tasks(deployment, first_deploy):
    ec2 = deployment.client("ec2")
    groups = {
        g["GroupName"].split("-")[2]: g["GroupId"]
        for g in ec2.describe_security_groups()["SecurityGroups"]
        if g["GroupName"] != "default"
    }
    rules = ec2.describe_security_group_rules()["SecurityGroupRules"]

    def rules_of(group_id: str, egress: bool) -> list[tuple[int, str]]:
        return sorted(
            (rule["FromPort"], rule.get("CidrIpv4") or rule["ReferencedGroupInfo"]["GroupId"])
            for rule in rules
            if rule["GroupId"] == group_id and rule["IsEgress"] is egress
        )

    alb, tasks, endpoints = groups["alb"], groups["tasks"], groups["endpoints"]
    assert rules_of(alb, egress=False) == [(80, "0.0.0.0/0"), (443, "0.0.0.0/0")]
    assert rules_of(alb, egress=True) == [(8080, tasks)]
    assert rules_of(tasks, egress=False) == [(8080, alb)]
    (s3_prefix_list,) = ec2.describe_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": ["com.amazonaws.us-east-1.s3"]}]
    )["PrefixLists"]
    tasks_out = sorted(
        (rule["FromPort"], rule.get("PrefixListId") or rule["ReferencedGroupInfo"]["GroupId"])
        for rule in rules
        if rule["GroupId"] == tasks and rule["IsEgress"]
    )
    assert tasks_out == sorted([(443, endpoints), (443, s3_prefix_list["PrefixListId"])])
    assert rules_of(endpoints, egress=False) == [(443, "10.0.0.0/16")]


def test_tasks_have_no_route_to_the_internet_only_endpoints(deployment, first_deploy):
    ec2 = deployment.client("ec2")
    private_tables = [
        table
        for table in ec2.describe_route_tables()["RouteTables"]
        if any(tag["Key"] == "Name" and "-private-" in tag["Value"] for tag in table.get("Tags", []))
    ]
    assert len(private_tables) == 2
    for table in private_tables:
        assert [r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"] == []
    endpoints = ec2.describe_vpc_endpoints()["VpcEndpoints"]
    services = sorted(endpoint["ServiceName"].split("us-east-1.", 1)[1] for endpoint in endpoints)
    assert services == ["ecr.api", "ecr.dkr", "logs", "s3"]
    private_table_ids = {table["RouteTableId"] for table in private_tables}
    for endpoint in endpoints:
        if endpoint["VpcEndpointType"].lower() == "gateway":
            assert set(endpoint["RouteTableIds"]) == private_table_ids
        else:
            assert endpoint["PrivateDnsEnabled"] is True
            assert len(endpoint["SubnetIds"]) == 2


def test_autoscaling_and_alarms_are_in_place(deployment, first_deploy):
    autoscaling = deployment.client("application-autoscaling")
    (target,) = autoscaling.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
    assert target["ResourceId"] == f"service/{STACK}/{STACK}"
    assert (target["MinCapacity"], target["MaxCapacity"]) == (3, 12)
    (policy,) = autoscaling.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]
    assert policy["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 70
    alarms = {
        alarm["AlarmName"]: alarm
        for alarm in deployment.client("cloudwatch").describe_alarms()["MetricAlarms"]
        if alarm["AlarmName"].startswith(f"{STACK}-")
    }
    assert sorted(alarms) == sorted(
        f"{STACK}-{key}"
        for key in ("cpu-high", "elb-5xx", "memory-high", "p99-latency", "target-5xx", "unhealthy-hosts")
    )
    (topic,) = deployment.client("sns").list_topics()["Topics"]
    assert all(alarm["AlarmActions"] == [topic["TopicArn"]] for alarm in alarms.values())


def test_new_image_tag_changes_only_the_task_definition_and_the_service(deployment, first_deploy):
    changes = deployment.planned_changes("v2")
    by_type = {address.split(".")[0]: actions for address, actions in changes.items()}
    assert sorted(by_type) == ["aws_ecs_service", "aws_ecs_task_definition"], changes
    assert by_type["aws_ecs_service"] == ["update"]
    result, seconds = deployment.run("deploy", "v2")
    assert result.returncode == 0, result.stdout[-5000:]
    REPORT["image_update_deploy_seconds"] = round(seconds, 1)
    ecs = deployment.client("ecs")
    (service,) = ecs.describe_services(cluster=STACK, services=[STACK])["services"]
    (container,) = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"][
        "containerDefinitions"
    ]
    assert container["image"].endswith(":v2")


def test_a_plan_right_after_an_apply_shows_no_changes(deployment, first_deploy):
    plan = deployment.terraform("plan", "-input=false", "-no-color", "-detailed-exitcode", "-var=image_tag=v2")
    assert plan.returncode == 0, plan.stdout[-4000:]
    assert "No changes." in plan.stdout


def run_drift(deployment: Deployment) -> subprocess.CompletedProcess[str]:
    return processes.run(
        [str(Path(sys.executable).parent / "cdktf-fargate"), "--stack-dir", str(deployment.stack_dir), "drift"],
        env=deployment.env,
        timeout=600,
    )


def test_drift_reports_a_rule_added_by_hand_but_not_an_autoscaled_desired_count(deployment, first_deploy):
    ecs, ec2 = deployment.client("ecs"), deployment.client("ec2")
    # What autoscaling does: the stack leaves the desired count to it.
    ecs.update_service(cluster=STACK, service=STACK, desiredCount=5)
    quiet = run_drift(deployment)
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    (tasks,) = [g["GroupId"] for g in ec2.describe_security_groups()["SecurityGroups"] if "-tasks-" in g["GroupName"]]
    opened = [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.9.0.0/16"}]}]
    ec2.authorize_security_group_ingress(GroupId=tasks, IpPermissions=opened)
    try:
        found = run_drift(deployment)
        assert found.returncode == 2, found.stdout + found.stderr
        (line,) = [line for line in found.stdout.splitlines() if line.startswith("  - ")]
        assert line.startswith("  - aws_security_group.service_security-group_"), line
        assert line.endswith(": ingress (ingress rules the stack does not manage: tcp 22-22 10.9.0.0/16)"), line
    finally:
        ec2.revoke_security_group_ingress(GroupId=tasks, IpPermissions=opened)
    assert run_drift(deployment).returncode == 0


def test_two_deploys_at_once_cannot_both_write_the_state(deployment, first_deploy, tmp_path):
    lock_info = deployment.directory / f".terraform.{STACK}.tfstate.lock.info"
    first = deployment.start("deploy", "v3", tmp_path / "first.log")
    paused: list[int] = []
    try:
        deadline = time.monotonic() + 180
        while not lock_info.exists():
            assert first.poll() is None, (tmp_path / "first.log").read_text()[-3000:]
            assert time.monotonic() < deadline, "the first deploy never took the state lock"
            time.sleep(0.1)
        # The first Terraform is held inside its apply, lock taken, until the second has tried: on a busy
        # machine the second's synth and init can take longer than the whole first apply.
        paused = [pid for pid, command in processes.running(deployment.env[processes.MARK]).items()
                  if Path(command.split(" ", 1)[0]).name == "terraform"]  # fmt: skip
        assert paused, "no terraform process of the first deploy"
        for pid in paused:
            os.kill(pid, signal.SIGSTOP)
        second, _ = deployment.run("deploy", "v4", "--output", "cdktf.out.second")
        assert second.returncode != 0
        assert "Error acquiring the state lock" in second.stdout + second.stderr
        for pid in paused:
            os.kill(pid, signal.SIGCONT)
        assert first.wait(timeout=600) == 0, ANSI.sub("", (tmp_path / "first.log").read_text())[-3000:]
    finally:
        for pid in paused:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        if first.poll() is None:
            first.kill()
    assert not lock_info.exists()
    assert deployment.planned_changes("v3") == {}
    assert active_counts(deployment) == DEPLOYED


def test_destroy_leaves_nothing_behind(deployment, first_deploy):
    result, seconds = deployment.run("destroy", "v3")
    assert result.returncode == 0, result.stdout[-5000:]
    REPORT["destroy_seconds"] = round(seconds, 1)
    assert active_counts(deployment) == NOTHING
