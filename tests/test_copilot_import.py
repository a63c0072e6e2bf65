"""`cdktf-fargate import-copilot` (cdktf_fargate_cli/copilot_import.py): a Copilot workspace
(tests/fixtures/copilot-workspace) becomes `[<env>.services.<name>]` tables that load and synthesize,
with every field it cannot map reported."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib

import pytest
from cdktf import Testing
from cdktf_fargate_cli.copilot_import import Report, _http, convert, schedule, seconds, to_toml
from cdktf_fargate_cli.synthesized import without_interpolations
from conftest import CERTIFICATE_ARN, ROOT, Synthesized, ref

from stacks.environments import config_from_mapping
from stacks.web_service_stack import WebServiceStack

WORKSPACE = ROOT / "tests" / "fixtures" / "copilot-workspace"
ACCOUNT = "123456789012"


@pytest.fixture(autouse=True)
def importing_shell(monkeypatch):
    """What the worker's manifest takes from the shell that imports it (as Copilot would at deploy time)."""
    for name, value in SHELL.items():
        monkeypatch.setenv(name, value)


# What the manifests take from the importing shell, as Copilot would at deploy time: the worker's region of
# record, and the test environment's certificate's region and account.
SHELL = {"ORDERS_REGION": "eu-west-1", "AWS_REGION": "us-east-1", "AWS_ACCOUNT_ID": ACCOUNT}


@pytest.fixture(scope="module")
def converted():
    with pytest.MonkeyPatch.context() as patch:
        for name, value in SHELL.items():
            patch.setenv(name, value)
        return convert(WORKSPACE, environments=[], account=ACCOUNT)


def test_environments_come_from_the_workspace_and_each_gets_every_service_of_a_known_kind(converted):
    tables, _ = converted
    assert list(tables) == ["prod", "test"]
    assert {name: table["kind"] for name, table in tables["prod"]["services"].items()} == {
        "api": "backend",
        "frontend": "web",
        "report": "job",
        "worker": "worker",
    }


def test_a_load_balanced_web_service_maps_its_image_size_scaling_route_and_health_check(converted):
    frontend = converted[0]["prod"]["services"]["frontend"]
    assert frontend["build"] == {"context": "frontend", "dockerfile": "frontend/Dockerfile"}
    service = frontend["service"]
    assert service["task"] == {
        "cpu_units": 512,
        "memory_mib": 1024,
        "cpu_architecture": "ARM64",
        "ephemeral_storage_gib": 40,
    }
    assert service["container"]["port"] == 8080
    assert service["container"]["environment"] == {"LOG_LEVEL": "info", "API_URL": "http://api:9000"}
    assert service["container"]["secrets"] == {
        "SESSION_SECRET": {
            "kind": "ssm-parameter",
            "arn": f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/copilot/shop/prod/secrets/session",
        }
    }
    assert service["desired_count"] == 2
    assert service["scaling"] == {
        "min_count": 2,
        "max_count": 8,
        "cpu_target_percent": 60,
        "requests_per_target": 500,
        "scale_in_cooldown_seconds": 120,
        "scale_out_cooldown_seconds": 30,
    }
    assert service["routing"] == {
        "path_patterns": ["/*"],
        "host_headers": ["shop.example.com"],
        "deregistration_delay_seconds": 15,
    }
    assert service["health_check"] == {
        "path": "/_healthz",
        "matcher": "200,204",
        "healthy_threshold": 3,
        "unhealthy_threshold": 2,
        "interval_seconds": 15,
        "timeout_seconds": 10,
        "grace_period_seconds": 45,
    }
    assert frontend["calls"] == ["api"]


def test_a_backend_maps_its_fixed_count_exec_command_and_container_health_check(converted):
    api = converted[0]["prod"]["services"]["api"]
    assert api["service"]["service_connect"] == {"alias": "shop-api"}
    assert api["build"] == {"context": "api", "dockerfile": "api/Dockerfile"}
    service = api["service"]
    assert (service["desired_count"], service["scaling"]) == (3, {"enabled": False})  # prod's override of 2
    assert service["enable_execute_command"] is True
    assert service["container"]["readonly_root_filesystem"] is False
    assert service["container"]["command"] == ["gunicorn", "-b", "0.0.0.0:9000", "api.app:app"]
    assert service["container"]["health_check_command"][0] == "CMD-SHELL"
    # Its timings carried over; nothing of the check is reported lost.
    timings = ("interval_seconds", "timeout_seconds", "start_period_seconds", "retries")
    assert [service["container"][f"health_check_{timing}"] for timing in timings] == [10, 4, 20, 2]
    assert service["container"]["secrets"]["DB_PASSWORD"]["kind"] == "secrets-manager"
    assert service["logging"] == {"retention_days": 30}
    assert service["deployment"] == {"minimum_healthy_percent": 0, "maximum_percent": 100}
    assert converted[0]["test"]["services"]["api"]["service"]["desired_count"] == 2


def test_a_scheduled_job_maps_its_schedule_retries_and_timeout(converted):
    report = converted[0]["prod"]["services"]["report"]
    assert report["job"]["schedule"] == "cron(0 3 ? * 2-6 *)"  # Copilot's Mon-Fri (1-5) is AWS's 2-6
    assert (report["job"]["retries"], report["job"]["timeout_seconds"]) == (2, 1800)
    assert report["job"]["container"]["command"] == ["python", "-m", "report", "--since", "yesterday"]
    assert "service" not in report


def test_environment_overrides_apply_to_their_environment_only(converted):
    tables, _ = converted
    assert tables["test"]["services"]["frontend"]["service"]["desired_count"] == 1
    assert tables["test"]["services"]["frontend"]["service"]["container"]["environment"]["LOG_LEVEL"] == "debug"
    assert tables["prod"]["services"]["frontend"]["service"]["container"]["environment"]["LOG_LEVEL"] == "info"


def test_every_field_it_cannot_map_is_reported_once_with_its_manifest(converted):
    _, report = converted
    reported = [line.split(": not mapped")[0] for line in report.unmapped]
    assert reported == [
        'copilot/site/manifest.yml: type = "Static Site"',
        'copilot/frontend/manifest.yml: image.build.args = {"NODE_ENV": "production"}',
        "copilot/frontend/manifest.yml: http.stickiness = true",
        "copilot/report/manifest.yml: taskdef_overrides = "
        '[{"path": "ContainerDefinitions[0].Ulimits[-]", "value": {"Name": "nofile", "SoftLimit": 4096, '
        '"HardLimit": 8192}}]',
        'copilot/report/manifest.yml: storage.volumes.reports = {"path": "/var/reports", "efs": true}',
        'copilot/worker/manifest.yml: subscribe.topics[1] = {"name": "refunds", "service": "frontend"}',
        'copilot/environments/prod/manifest.yml: http.private = {"security_groups": {"ingress": {"from_vpc": true}}}',
        'copilot/environments/prod/manifest.yml: http.public.access_logs.prefix = "prod"',
        "copilot/environments/test/manifest.yml: network.vpc.subnets[].cidr = "
        '["10.1.0.0/24", "10.1.1.0/24", "10.1.2.0/24", "10.1.3.0/24"]',
    ]
    assert any("network.connect: calls = ['api']" in note for note in report.notes)


def test_a_worker_service_maps_its_queue_subscriptions_and_queue_delay_and_its_publisher_its_topic(converted):
    worker = converted[0]["prod"]["services"]["worker"]
    assert worker["queue"] == {
        "subscriptions": [{"topic": "orders", "filter_policy": '{"event":["order_created"]}'}],
        "retention_seconds": 96 * 3600,
        "visibility_timeout_seconds": 120,
        "max_receive_count": 4,
        # Copilot's target: the acceptable latency over one message's processing time (1 min / 250 ms).
        "backlog_per_task": 240,
    }
    assert worker["service"]["scaling"] == {"min_count": 1, "max_count": 6, "cpu_target_percent": None}
    assert converted[0]["prod"]["services"]["api"]["publish"] == ["orders"]
    notes = converted[1].notes
    assert any("QUEUE_URL (Copilot's was COPILOT_QUEUE_URI)" in note for note in notes)
    assert any("SNS_TOPIC_ARNS (Copilot's were in COPILOT_SNS_TOPIC_ARNS)" in note for note in notes)


def test_a_secrets_manager_secret_by_name_becomes_a_partial_arn_with_its_json_key(converted):
    secrets = converted[0]["prod"]["services"]["worker"]["service"]["container"]["secrets"]
    prefix = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:"
    assert secrets == {
        "DB_USER": {"kind": "secrets-manager", "arn": f"{prefix}shop/db:username::"},
        "API_TOKEN": {"kind": "secrets-manager", "arn": f"{prefix}shop/partner-token"},
    }
    tables, report = convert(WORKSPACE, environments=["prod"])
    assert "secrets" not in tables["prod"]["services"]["worker"]["service"].get("container", {})
    assert any("secrets.DB_USER" in line and "--account" in line for line in report.unmapped)


def test_copilots_variables_and_the_shells_are_substituted_per_environment(converted):
    for environment in ("prod", "test"):
        told = converted[0][environment]["services"]["worker"]["service"]["container"]["environment"]
        assert told == {"TABLE": f"shop-{environment}-orders", "REGION_OF_RECORD": "eu-west-1"}


def test_fails_when_a_manifest_uses_a_variable_the_shell_does_not_set(monkeypatch):
    monkeypatch.delenv("ORDERS_REGION", raising=False)
    with pytest.raises(ValueError, match=r"copilot/worker/manifest.yml: variables.REGION_OF_RECORD uses "
                                         r"\$\{ORDERS_REGION\}, which Copilot would take from the shell"):  # fmt: skip
        convert(WORKSPACE, environments=["prod"], account=ACCOUNT)


def test_a_secret_given_by_name_is_reported_without_an_account():
    tables, report = convert(WORKSPACE, environments=["prod"])
    assert "SESSION_SECRET" not in tables["prod"]["services"]["frontend"]["service"]["container"].get("secrets", {})
    assert any("secrets.SESSION_SECRET" in line and "--account" in line for line in report.unmapped)


@pytest.fixture(scope="module")
def synthesized(converted):
    """Each environment of the imported file, loaded from it alone and synthesized: nothing added by hand."""
    loaded = tomllib.loads(to_toml(converted[0]))
    found = {}
    for environment in ("prod", "test"):
        config = config_from_mapping(environment, loaded[environment])
        assert sorted(config.services) == ["api", "frontend", "report", "worker"]
        found[environment] = (config, Synthesized(WebServiceStack(Testing.app(), config.stack_name, config=config)))
    return found


def test_the_imported_file_alone_synthesizes_every_environment_with_what_its_environment_manifest_held(synthesized):
    config, synth = synthesized["prod"]
    assert (config.app_name, config.account_id, synth.count("aws_vpc")) == ("shop", ACCOUNT, 0)
    # prod: the network team's VPC and subnets, its certificate, source addresses, log bucket, Container Insights.
    balancer = synth.only("aws_lb")
    assert balancer["subnets"] == ["subnet-0aaa1111bbbb2222a", "subnet-0aaa1111bbbb2222b"]
    assert balancer["access_logs"]["bucket"] == "shop-alb-logs"
    https = [listener for listener in synth.resources("aws_lb_listener").values() if listener["port"] == 443]
    assert https[0]["certificate_arn"].endswith(":certificate/5a1b2c3d-1111-2222-3333-444455556666")
    clients = {rule["cidr_ipv4"] for rule in synth.resources("aws_vpc_security_group_ingress_rule").values()
               if rule["description"].startswith("HTTPS from clients")}  # fmt: skip
    assert clients == {"192.0.2.0/24", "198.51.100.10/32"}
    assert {group["vpc_id"] for group in synth.resources("aws_security_group").values()} == {"vpc-0a1b2c3d4e5f60718"}
    api = synth.by_path("aws_ecs_service", "services/service-api/service")
    assert api["network_configuration"]["subnets"] == ["subnet-0ccc3333dddd4444a", "subnet-0ccc3333dddd4444b"]
    assert synth.only("aws_ecs_cluster")["setting"] == [{"name": "containerInsights", "value": "enabled"}]
    # test: Copilot's VPC range and zones, flow logs kept 14 days, the certificate its variables named.
    _, synth = synthesized["test"]
    assert synth.only("aws_vpc")["cidr_block"] == "10.1.0.0/16"
    assert {subnet["availability_zone"] for subnet in synth.resources("aws_subnet").values()} == {
        "us-east-1a",
        "us-east-1b",
    }
    assert synth.by_path("aws_cloudwatch_log_group", "network/flow-log-group")["retention_in_days"] == 14
    https = [listener for listener in synth.resources("aws_lb_listener").values() if listener["port"] == 443]
    assert (
        https[0]["certificate_arn"]
        == f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/7e8f9a0b-5555-6666-7777-888899990000"
    )
    # Copilot's tasks reached the internet: so do these; its worker scales on Container Insights, kept on.
    assert synth.count("aws_nat_gateway") == 2
    assert synth.only("aws_ecs_cluster")["setting"] == [{"name": "containerInsights", "value": "enabled"}]


def test_what_the_service_manifests_said_lands_in_the_synthesized_stack(synthesized):
    _, synth = synthesized["prod"]
    assert synth.count("aws_ecs_service") == 3 and synth.count("aws_scheduler_schedule") == 1
    queue = synth.by_path("aws_sqs_queue", "services/worker-worker/queue")
    assert (queue["name"], queue["message_retention_seconds"], queue["visibility_timeout_seconds"]) == (
        "shop-prod-worker",
        345_600,
        120,
    )
    assert '"maxReceiveCount" = 4' in queue["redrive_policy"]
    (subscription,) = synth.resources("aws_sns_topic_subscription").values()
    assert subscription["filter_policy"] == '{"event":["order_created"]}'
    topic = synth.by_path("aws_sns_topic", "services/topic-orders/topic")
    assert topic["name"] == "shop-prod-orders"
    assert subscription["topic_arn"] == ref("aws_sns_topic", topic, "arn")
    # The api's Copilot alias is what its callers reach it by here too; prod's override of its count holds.
    api = synth.by_path("aws_ecs_service", "services/service-api/service")
    (published,) = api["service_connect_configuration"]["service"]
    assert (published["discovery_name"], published["client_alias"]) == ("api", {"dns_name": "shop-api", "port": 9000})
    assert api["desired_count"] == 3
    frontend = synth.by_path("aws_ecs_task_definition", "services/service-frontend/task-definition")
    assert frontend["ephemeral_storage"] == {"size_in_gib": 40}
    definition = synth.by_path("aws_ecs_task_definition", "services/service-api/task-definition")
    check = json.loads(without_interpolations(definition["container_definitions"], "X"))[0]["healthCheck"]
    assert {key: check[key] for key in ("interval", "timeout", "startPeriod", "retries")} == {
        "interval": 10,
        "timeout": 4,
        "startPeriod": 20,
        "retries": 2,
    }
    backlog = synth.by_path("aws_appautoscaling_policy", "services/worker-worker/service/autoscaling/backlog-policy")
    assert backlog["target_tracking_scaling_policy_configuration"]["target_value"] == 240
    # The worker's variables, substituted per environment; the test environment's override of the frontend.
    worker = synth.by_path("aws_ecs_task_definition", "services/worker-worker/service/task-definition")
    assert '"value":"shop-prod-orders"' in worker["container_definitions"].replace(" ", "")
    # The report job's empty Copilot volume is a scratch path of its task.
    report = synth.by_path("aws_ecs_task_definition", "services/job-report/task-definition")
    mounts = json.loads(without_interpolations(report["container_definitions"], "X"))[0]["mountPoints"]
    assert [mount["containerPath"] for mount in mounts] == ["/tmp", "/var/cache/report"]
    _, test = synthesized["test"]
    assert test.by_path("aws_ecs_service", "services/service-frontend/service")["desired_count"] == 1


def test_the_command_writes_the_tables_and_reports_on_stderr(tmp_path):
    output = tmp_path / "services.toml"
    result = subprocess.run(
        [sys.executable, "-m", "cdktf_fargate_cli", "import-copilot", str(WORKSPACE), "--environment", "prod",
         "--account", ACCOUNT, "--output", str(output)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert sorted(tomllib.loads(output.read_text())["prod"]["services"]) == ["api", "frontend", "report", "worker"]
    assert "check: copilot/api/manifest.yml: sidecars.nginx: runs as its image's user" in result.stderr
    assert result.stderr.rstrip().endswith("4 service tables for prod; 8 fields not mapped (listed above)")


def test_fails_when_the_directory_holds_no_copilot_workspace(tmp_path):
    result = subprocess.run([sys.executable, "-m", "cdktf_fargate_cli", "import-copilot", str(tmp_path)],
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 2 and "copilot does not exist" in result.stderr


@pytest.mark.parametrize(
    ("copilot", "expected"),
    [
        ("@daily", "cron(0 0 * * ? *)"),
        ("@hourly", "rate(1 hour)"),
        ("@weekly", "cron(0 0 ? * SUN *)"),
        ("@every 30m", "rate(30 minutes)"),
        ("@every 2h", "rate(2 hours)"),
        ("@every 1h30m", "rate(90 minutes)"),
        ("0 3 * * *", "cron(0 3 * * ? *)"),
        ("*/15 * * * *", "cron(*/15 * * * ? *)"),
        ("0 9 * * 0", "cron(0 9 ? * 1 *)"),
        ("0 0 1 * *", "cron(0 0 1 * ? *)"),
        ("@every 90s", None),
        ("0 0 1 * 1", None),
        ("every day", None),
    ],
)
def test_copilot_schedules_become_scheduler_expressions(copilot, expected):
    assert schedule(copilot) == expected


@pytest.mark.parametrize(("duration", "expected"), [("90s", 90), ("1h30m", 5400), ("15m", 900), (45, 45), ("x", None)])
def test_durations(duration, expected):
    assert seconds(duration) == expected


def test_aliases_in_every_form_copilot_takes_become_host_names_and_a_fourth_is_reported(tmp_path):
    """`http.alias` is a name, a list of names, or a list of {name, hosted_zone} maps; a listener rule's
    host condition takes three names (AWS), so any more are reported, never dropped silently."""
    for alias, hosts in (
        ("shop.example.com", ["shop.example.com"]),
        (["a.example.com", "b.example.com"], ["a.example.com", "b.example.com"]),
        ([{"name": "a.example.com", "hosted_zone": "Z123"}], ["a.example.com"]),
    ):
        group: dict = {}
        report = Report()
        _http({"alias": alias}, group, "copilot/web/manifest.yml", report)
        assert group["routing"]["host_headers"] == hosts
        assert report.unmapped == []
    group, report = {}, Report()
    _http({"alias": [f"{name}.example.com" for name in "abcde"]}, group, "copilot/web/manifest.yml", report)
    assert group["routing"]["host_headers"] == ["a.example.com", "b.example.com", "c.example.com"]
    (line,) = report.unmapped
    assert line.startswith('copilot/web/manifest.yml: http.alias = ["d.example.com", "e.example.com"]: not mapped')
    # What is kept passes the settings' own rules.
    config_from_mapping("prod", {"certificate_arn": CERTIFICATE_ARN, "services": {"web": {"service": group}}})


def test_sidecars_logging_and_tracing_are_carried_over():
    """A sidecar with its port, variables, dependency and health check; FireLens logging with its secret;
    X-Ray tracing as the OpenTelemetry collector."""
    from cdktf_fargate_cli.copilot_import import convert_service

    manifest = {
        "name": "api", "type": "Backend Service",
        "image": {"build": "api/Dockerfile", "port": 8080, "depends_on": {"envoy": "healthy"}},
        "entrypoint": "/bin/tini --", "command": ["serve"],
        "sidecars": {"envoy": {"image": "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.27.0.0-prod", "port": "9901/tcp",
                               "essential": False, "variables": {"LEVEL": "info"}, "depends_on": {"api": "start"},
                               "healthcheck": {"command": ["CMD", "true"], "start_period": "5s"},
                               "mount_points": []}},
        "logging": {"destination": {"Name": "datadog", "Host": "http-intake.logs.datadoghq.eu"},
                    "secretOptions": {"apikey": "arn:aws:secretsmanager:us-east-1:123456789012:secret:dd-AbCdEf"},
                    "image": "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.5", "configFilePath": "/x"},
        "observability": {"tracing": "awsxray"},
    }  # fmt: skip
    report = Report()
    table = convert_service(manifest, "copilot/api/manifest.yml", report, account=ACCOUNT, region="us-east-1")
    service = table["service"]
    assert service["sidecars"]["envoy"] == {
        "image": "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.27.0.0-prod", "port": 9901, "essential": False,
        "environment": {"LEVEL": "info"}, "depends_on": {"app": "START"}, "health_check_command": ["CMD", "true"],
        "health_check_start_period_seconds": 5,
        "user": "", "readonly_root_filesystem": False,
    }  # fmt: skip
    assert service["logging"]["router"] == "firelens"
    assert service["logging"]["destination"]["Name"] == "datadog"
    assert service["logging"]["destination_secrets"]["apikey"]["kind"] == "secrets-manager"
    assert service["telemetry"] == {"collector": "otel"}
    container = service["container"]
    assert (container["entrypoint"], container["command"]) == (["/bin/tini", "--"], ["serve"])
    assert container["depends_on"] == {"envoy": "HEALTHY"}
    skipped = [line.split(" = ")[0] for line in report.unmapped]
    assert skipped == [
        "copilot/api/manifest.yml: logging.configFilePath",
        "copilot/api/manifest.yml: sidecars.envoy.mount_points",
    ]
    # What is kept passes the settings' own rules (with internet egress, as Copilot's tasks had).
    config_from_mapping("prod", {"certificate_arn": CERTIFICATE_ARN, "network": {"allow_internet_egress": True},
                                 "services": {"web": {}, "api": table}})  # fmt: skip


def test_an_environment_manifest_reports_what_has_no_equivalent_with_its_path():
    from cdktf_fargate_cli.copilot_environment import convert_environment

    manifest = {
        "name": "edge", "type": "Environment", "cdn": {"terminate_tls": True},
        "network": {"vpc": {"id": "vpc-1", "subnets": {"private": [{"id": "subnet-1"}, {"cidr": "10.0.9.0/24"}]},
                            "security_group": {"ingress": [{"ip_protocol": "tcp", "ports": 22, "cidr": "0.0.0.0/0"}]},
                            "flow_logs": "on"}},
        "http": {"public": {"certificates": [f"arn:aws:acm:us-east-1:1:certificate/{c}" for c in "ab"],
                            "ingress": {"source_ips": ["203.0.113.0/24"], "cdn": True}, "ssl_policy": "x"}},
        "observability": {"container_insights": False},
    }  # fmt: skip
    report = Report()
    table = convert_environment(manifest, "copilot/environments/edge/manifest.yml", report)
    assert table == {
        "vpc_id": "vpc-1",
        "private_subnet_ids": ["subnet-1"],
        "network": {"flow_logs": {"enabled": True}},
        "certificate_arn": "arn:aws:acm:us-east-1:1:certificate/a",
        "alb": {"ingress_cidr_blocks": ["203.0.113.0/24"]},
        "cluster": {"container_insights": False},
    }
    assert [line.split(" = ")[0].split(": ", 1)[1] for line in report.unmapped] == [
        "network.vpc.subnets.private",
        "network.vpc.security_group",
        "http.public.certificates",
        "http.public.ingress.cdn",
        "http.public.ssl_policy",
        "cdn",
    ]
    assert any("no public subnets" in note for note in report.notes)


def test_an_escaped_variable_is_kept_as_written():
    from cdktf_fargate_cli.copilot_import import interpolated

    value = interpolated({"command": r"echo hello \${name} ${WHO}"}, {"WHO": "you"}, "copilot/x/manifest.yml")
    assert value == {"command": "echo hello ${name} you"}


def test_the_environment_named_with_adopt_takes_over_copilots_repositories_and_the_others_make_their_own():
    tables, report = convert(WORKSPACE, environments=[], account=ACCOUNT, adopt="prod")
    assert {name: table.get("adopt_repository") for name, table in tables["prod"]["services"].items()} == {
        "api": "shop/api",
        "frontend": "shop/frontend",
        "report": "shop/report",
        "worker": "shop/worker",
    }
    assert not any("adopt_repository" in table for table in tables["test"]["services"].values())
    assert any("environment prod: adopts the repositories shop/<service>" in note for note in report.notes)
    loaded = tomllib.loads(to_toml(tables))
    config = config_from_mapping("prod", loaded["prod"])
    synth = Synthesized(WebServiceStack(Testing.app(), config.stack_name, config=config))
    imports = {block["id"]: block["to"] for block in synth.json["import"]}
    repositories = synth.resources("aws_ecr_repository")
    assert (
        {repositories[to.split(".")[1]]["name"] for to in imports.values()}
        == set(imports)
        == {
            "shop/api",
            "shop/frontend",
            "shop/report",
            "shop/worker",
        }
    )


def test_fails_when_adopt_names_no_environment_of_the_import():
    with pytest.raises(ValueError, match=r"--adopt staging: not an environment of this import \(prod, test\)"):
        convert(WORKSPACE, environments=[], account=ACCOUNT, adopt="staging")


def test_adopt_logs_keeps_copilots_log_groups_in_the_adopting_environment():
    tables, _ = convert(WORKSPACE, environments=[], account=ACCOUNT, adopt="test", adopt_logs=True)
    services = tables["test"]["services"]
    assert services["report"]["job"]["logging"]["adopt_log_group"] == "/copilot/shop-test-report"
    assert services["api"]["service"]["logging"] == {"retention_days": 30, "adopt_log_group": "/copilot/shop-test-api"}
    assert "adopt_log_group" not in json.dumps(tables["prod"])
    with pytest.raises(ValueError, match=r"--adopt-logs: give --adopt <env> too"):
        convert(WORKSPACE, environments=[], account=ACCOUNT, adopt_logs=True)
