"""End to end, without an AWS account: the real cdktf CLI drives the real Terraform and the real
hashicorp/aws provider against the AWS emulator on loopback (scripts/local_aws.py, moto).

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
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import boto3
import processes
import pytest
from conftest import ROOT
from local_aws import LocalAws
from side_by_side import record_e2e_figures
from toml_text import toml_value

pytestmark = pytest.mark.e2e

CDKTF = ROOT / "node_modules" / ".bin" / "cdktf"
APP = "e2e"
STACK = f"{APP}-local"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
REPORT: dict[str, Any] = {}
# The emulator's dummy credentials (`make deploy-local` gives the same); a test may sign as a role instead.
EMULATOR_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
# Go's collector paced for throughput in Terraform and the provider: a plan costs about a fifth less CPU
# for a third more memory (docs/testing.md). The suites run side by side on two cores, where CPU is
# what they wait for; what the tools do is unchanged. `make bench-deploy` measures without it.
GO_THROUGHPUT = {"GOGC": "400"}


def local_aws(tmp_path_factory: pytest.TempPathFactory, name: str, **options: Any) -> LocalAws:
    """A suite's own emulator: on a port the system picks as it binds (suites run side by side), its
    request log in the suite's files (a failing test shows its end)."""
    return LocalAws(port=0, log=tmp_path_factory.mktemp(f"{name}-emulator") / "requests.log", **options)


class Deployment:
    """A copy of the app in a temporary directory, deployed to its own emulator."""

    def __init__(
        self,
        directory: Path,
        emulator: LocalAws,
        terraform_env: dict[str, str],
        *,
        app: str = APP,
        settings: dict[str, Any] | None = None,
        main: str | None = None,
        services: bool = False,
        environment: str = "local",
        go_runtime: dict[str, str] = GO_THROUGHPUT,
    ) -> None:
        """``settings`` change the shipped `local` environment by dotted key (None removes a key); ``main``
        replaces main.py. Without ``services`` the environment's `services` table is left out: the one
        service of 0.1 and 0.2, which the suites written for it deploy. ``environment`` names the table
        (and so the stack, `<app>-<environment>`); ``go_runtime``, Terraform's runtime settings."""
        self.directory = directory
        self.emulator = emulator
        self.environment = environment
        self.stack = f"{app}-{environment}"
        for name in ("cdktf.json", "main.py"):
            shutil.copy(ROOT / name, directory / name)
        if main is not None:
            (directory / "main.py").write_text(main)
        shutil.copytree(ROOT / "stacks", directory / "stacks", ignore=shutil.ignore_patterns("__pycache__"))
        # The shipped `local` environment, pointed at this test's emulator under its own name.
        local = tomllib.loads((ROOT / "environments.toml").read_text())["local"]
        local.update(app_name=app, aws_endpoint_url=emulator.endpoint, certificate_domain=emulator.certificate_domain)
        if not services:
            local.pop("services", None)
        for key, value in (settings or {}).items():
            # A dotted key reaches into an option group: "alb.access_logs.enabled".
            *groups, name = key.split(".")
            table = local
            for group in groups:
                table = table.setdefault(group, {})
            if value is None:
                table.pop(name, None)
            else:
                table[name] = value
        self.table = f"[{environment}]\n" + "".join(f"{key} = {toml_value(value)}\n" for key, value in local.items())
        (directory / "settings.toml").write_text(self.table)
        self.env = {
            key: value for key, value in terraform_env.items() if not key.startswith(("AWS_", "CDKTF_FARGATE_"))
        }
        self.env.update(
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{terraform_env['PATH']}",
            CDKTF_FARGATE_ENV=environment,
            CDKTF_FARGATE_CONFIG=str(directory / "settings.toml"),
            JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20",
            CHECKPOINT_DISABLE="1",
            # As `make deploy-local` runs it: a cancelled deploy stops Terraform cleanly, and the provider
            # finds the emulator and its credentials through the environment.
            TERRAFORM_BINARY_NAME=str(ROOT / "scripts" / "terraform_graceful.py"),
            AWS_ENDPOINT_URL=emulator.endpoint,
            **EMULATOR_CREDENTIALS,
            # Its own provider cache (links to the mirror, nothing copied): two inits writing one cache at
            # once fail (the cdktf CLI would point every deployment at ~/.terraform.d/plugin-cache).
            TF_PLUGIN_CACHE_DIR=str(directory / ".terraform-plugin-cache"),
            **go_runtime,
        )
        # Every process a command starts can be found and ended (tests/processes.py).
        self.env = processes.marked(self.env, directory.name)
        (directory / ".terraform-plugin-cache").mkdir(exist_ok=True)
        self.stack_dir = directory / "cdktf.out" / "stacks" / self.stack
        self.state_file = directory / f"terraform.{self.stack}.tfstate"

    def command(self, action: str, tag: str, *extra: str) -> list[str]:
        """``extra`` may add more ``--var`` after the stack's own, e.g. ``image_tags={...}``."""
        return [str(CDKTF), action, "--auto-approve", "--skip-provider-lock", *extra, "--var", f"image_tag={tag}"]

    def run(self, action: str, tag: str, *extra: str) -> tuple[subprocess.CompletedProcess[str], float]:
        started = time.monotonic()
        result = processes.run(self.command(action, tag, *extra), cwd=self.directory, env=self.env, timeout=900)
        result.stdout = ANSI.sub("", result.stdout)
        return result, time.monotonic() - started

    def start(self, action: str, tag: str, log: Path, *extra: str) -> subprocess.Popen[bytes]:
        with log.open("wb") as output:
            return subprocess.Popen(
                self.command(action, tag, *extra),
                cwd=self.directory,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def terraform(self, *args: str) -> subprocess.CompletedProcess[str]:
        return processes.run(["terraform", *args], cwd=self.stack_dir, env=self.env, timeout=600)

    def planned_changes(self, tag: str, *variables: str) -> dict[str, list[str]]:
        """Resource address -> planned actions, for every resource that would change; ``variables`` are
        more ``name=value`` pairs."""
        plan = self.terraform(
            "plan",
            "-input=false",
            "-no-color",
            "-lock=false",
            "-out=e2e.plan",
            f"-var=image_tag={tag}",
            *(f"-var={variable}" for variable in variables),
        )
        assert plan.returncode == 0, plan.stdout[-3000:] + plan.stderr[-3000:]
        shown = self.terraform("show", "-json", "e2e.plan")
        changes = json.loads(shown.stdout)["resource_changes"]
        return {
            change["address"]: change["change"]["actions"]
            for change in changes
            if change["change"]["actions"] not in (["no-op"], ["read"])
        }

    def state_resource_count(self) -> int:
        state = json.loads(self.state_file.read_text())
        return sum(len(resource["instances"]) for resource in state["resources"] if resource["mode"] == "managed")

    def client(self, service: str) -> Any:
        return emulator_client(self.emulator, service)


def emulator_client(emulator: LocalAws, service: str) -> Any:
    """A boto3 client for the emulator, with the dummy credentials it takes."""
    return boto3.client(
        service,
        endpoint_url=emulator.endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def active_counts(deployment: Deployment) -> dict[str, int]:
    """What exists and is live in the emulator, by kind (deleted-but-listed things left out)."""
    ec2 = deployment.client("ec2")
    kms = deployment.client("kms")
    ecs = deployment.client("ecs")
    clusters = (
        ecs.describe_clusters(clusters=ecs.list_clusters()["clusterArns"])["clusters"]
        if ecs.list_clusters()["clusterArns"]
        else []
    )
    active_clusters = [cluster for cluster in clusters if cluster["status"] == "ACTIVE"]
    services = [
        service
        for cluster in active_clusters
        for arn in ecs.list_services(cluster=cluster["clusterArn"])["serviceArns"]
        for service in ecs.describe_services(cluster=cluster["clusterArn"], services=[arn])["services"]
        if service["status"] == "ACTIVE"
    ]
    return {
        "vpcs": len([vpc for vpc in ec2.describe_vpcs()["Vpcs"] if not vpc.get("IsDefault")]),
        "subnets": len([subnet for subnet in ec2.describe_subnets()["Subnets"] if not subnet.get("DefaultForAz")]),
        "nat_gateways": len([nat for nat in ec2.describe_nat_gateways()["NatGateways"] if nat["State"] != "deleted"]),
        "vpc_endpoints": len(
            [e for e in ec2.describe_vpc_endpoints()["VpcEndpoints"] if e["State"].lower() not in ("deleted",)]
        ),
        "elastic_ips": len(ec2.describe_addresses()["Addresses"]),
        "security_groups": len(
            [g for g in ec2.describe_security_groups()["SecurityGroups"] if g["GroupName"] != "default"]
        ),
        "flow_logs": len(ec2.describe_flow_logs()["FlowLogs"]),
        "kms_keys": len(
            [
                k
                for k in kms.list_keys()["Keys"]
                if kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"
            ]
        ),
        "repositories": len(deployment.client("ecr").describe_repositories()["repositories"]),
        "buckets": len(deployment.client("s3").list_buckets()["Buckets"]),
        "load_balancers": len(deployment.client("elbv2").describe_load_balancers()["LoadBalancers"]),
        "target_groups": len(deployment.client("elbv2").describe_target_groups()["TargetGroups"]),
        "clusters": len(active_clusters),
        "services": len(services),
        "roles": len(deployment.client("iam").list_roles()["Roles"]),
        "log_groups": len(deployment.client("logs").describe_log_groups()["logGroups"]),
        "web_acls": len(deployment.client("wafv2").list_web_acls(Scope="REGIONAL")["WebACLs"]),
        "scalable_targets": len(
            deployment.client("application-autoscaling").describe_scalable_targets(ServiceNamespace="ecs")[
                "ScalableTargets"
            ]
        ),
        # Target tracking adds alarms of its own (as on AWS); count the stack's.
        "alarms": len(
            [
                a
                for a in deployment.client("cloudwatch").describe_alarms()["MetricAlarms"]
                if a["AlarmName"].startswith(f"{deployment.stack}-")
            ]
        ),
        "topics": len(deployment.client("sns").list_topics()["Topics"]),
    }


DEPLOYED = {
    "vpcs": 1,
    "subnets": 4,
    # No internet egress: endpoints for ECR (API and Docker), CloudWatch Logs and S3 instead of NAT.
    "nat_gateways": 0,
    "vpc_endpoints": 4,
    "elastic_ips": 0,
    "security_groups": 3,
    "flow_logs": 1,
    "kms_keys": 1,
    "repositories": 1,
    "buckets": 1,
    "load_balancers": 1,
    "target_groups": 1,
    "clusters": 1,
    "services": 1,
    "roles": 3,
    "log_groups": 3,
    "web_acls": 1,
    "scalable_targets": 1,
    "alarms": 6,
    "topics": 1,
}
NOTHING = dict.fromkeys(DEPLOYED, 0)
# `network.allow_internet_egress = true`: a NAT gateway and its address per zone, no endpoints.
DEPLOYED_WITH_INTERNET_EGRESS = {
    **DEPLOYED,
    "nat_gateways": 2,
    "elastic_ips": 2,
    "vpc_endpoints": 0,
    "security_groups": 2,
}


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
        [sys.executable, str(ROOT / "scripts" / "drift.py"), "--stack-dir", str(deployment.stack_dir)],
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
