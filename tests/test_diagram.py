"""scripts/diagram.py: each environment drawn from its configuration, and the committed drawings current."""

from __future__ import annotations

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


def test_the_local_environment_shows_its_three_services_their_route_call_and_schedule():
    drawn = mermaid(load_environment("local"))
    assert 'svc_web["web: web service<br/>3-12 tasks' in drawn
    assert 'svc_api["api: backend at http://api:9000<br/>2-4 tasks' in drawn
    assert 'alb -->|"/* · priority 100"| svc_web' in drawn
    assert 'svc_web -->|"Service Connect, port 9000"| svc_api' in drawn
    assert 'schedule_svc_report["EventBridge Scheduler<br/>cron(0 3 * * ? *)"]' in drawn
    assert "timeout 900 s, 1 retry" in drawn
    assert "ECR: 3 repositories, immutable tags" in drawn
    assert 'egress["VPC endpoints<br/>ecr.api, ecr.dkr, logs, S3 gateway"]' in drawn


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
