"""`cdktf-fargate diagram` (cdktf_fargate_cli/diagram.py): a stack drawn from its synthesized JSON alone, each
environment's through scripts/diagram.py, another app's through the command; the committed drawings current."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import CERTIFICATE_ARN, ROOT
from diagram import mermaid

from stacks.environments import config_from_mapping, load_environment


def test_the_committed_diagrams_match_the_configuration():
    result = subprocess.run(
        [sys.executable, "-m", "scripts.diagram", "--check"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_the_local_environment_shows_its_services_their_route_call_schedule_topic_and_queue():
    drawn = mermaid(load_environment("local"))
    assert 'svc_web["web: web service<br/>3-12 tasks, 2 capacity schedules<br/>' in drawn
    assert 'svc_api["api: backend at http://api:9000<br/>2-4 tasks' in drawn
    assert 'read-only root<br/>sidecars: agent<br/>EBS 20 GB gp3 a task at /var/lib/api"]' in drawn
    assert 'alb -->|"/* · priority 100"| svc_web' in drawn
    assert 'svc_web -->|"Service Connect, port 9000"| svc_api' in drawn
    assert 'schedule_svc_report["EventBridge Scheduler<br/>cron(0 3 * * ? *)"]' in drawn
    assert "timeout 900 s, 1 retry" in drawn
    assert "ECR: 4 repositories, immutable tags" in drawn
    assert 'egress["VPC endpoints<br/>ecr.api, ecr.dkr, logs, sns, sqs, xray, S3 gateway"]' in drawn
    assert 'svc_fulfil["fulfil: queue worker<br/>1-4 tasks' in drawn
    assert 'svc_web -->|"publishes"| topic_orders' in drawn
    assert (
        'queue_fulfil[("SQS queue<br/>fulfil<br/>dead-letter queue after 3 receives")] -->|"receives"| svc_fulfil'
        in drawn
    )
    assert 'topic_orders -->|"filter {#quot;event#quot;: [#quot;created#quot;]}, raw"| queue_fulfil' in drawn


def test_dev_shows_its_one_nat_gateway_and_one_task_range():
    drawn = mermaid(load_environment("dev"))
    assert 'egress["1 NAT gateway"]' in drawn
    assert "ECS service, 1-2 tasks" in drawn


def test_the_drawing_follows_the_settings():
    config = config_from_mapping(
        "shop",
        {
            "certificate_arn": CERTIFICATE_ARN,
            "alb": {"waf": {"enabled": False}, "http_mode": "closed"},
            "kms_enabled": False,
            "services": {
                "site": {},
                "api": {"service": {"routing": {"path_patterns": ["/api/*"]}}, "calls": ["search"]},
                "search": {"kind": "backend", "service": {"container": {"port": 7700, "user": ""}}},
            },
        },
    )
    drawn = mermaid(config)
    assert "waf" not in drawn and "HTTP 80" not in drawn
    assert 'client -->|"HTTPS 443"| alb' in drawn
    # The specific route comes first, whatever the declaration order.
    assert 'alb -->|"/api/* · priority 100"| svc_api' in drawn
    assert 'alb -->|"/* · priority 110"| svc_site' in drawn
    assert 'svc_api -->|"Service Connect, port 7700"| svc_search' in drawn
    assert "port 7700<br/>the image's user, no capabilities" in drawn
    assert 'logs[("CloudWatch Logs<br/>/ecs/webapp-shop*")]' in drawn and "KMS" not in drawn


def test_the_command_draws_another_apps_stack_from_its_synthesized_json(tmp_path):
    """An example app (an existing VPC and load balancer's subnets given as variables) as `cdktf synth` left it."""
    (document,) = json.loads(
        (ROOT / "tests" / "snapshots" / "example-single-service-existing-vpc.json").read_text()
    ).values()
    stack = tmp_path / "stacks" / "single-service"
    stack.mkdir(parents=True)
    (stack / "cdk.tf.json").write_text(json.dumps(document))
    output = tmp_path / "diagram.md"
    command = ["-m", "cdktf_fargate_cli", "--stack-dir", str(stack), "diagram", "--output", str(output)]
    result = subprocess.run([sys.executable, *command], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    drawn = (tmp_path / "diagram.md").read_text()
    assert drawn.startswith("```mermaid\nflowchart LR\n") and drawn.endswith("```\n")
    assert 'vpc["the given VPC"]' in drawn
    names = [body["name"] for body in document["resource"]["aws_ecs_service"].values()]
    assert any(f"{name}" in drawn for name in names)
    assert "ECS service" in drawn or "web service" in drawn


def test_fails_when_the_command_is_given_no_synthesized_stack(tmp_path):
    result = subprocess.run([sys.executable, "-m", "cdktf_fargate_cli", "--stack-dir", str(tmp_path), "diagram"],
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 2 and "holds no synthesized stack" in result.stderr
