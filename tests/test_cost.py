"""scripts/cost.py: each line of the estimate against a hand computation, the price table's date
warning, schedules as runs a month, and the report and comparison the Makefile prints."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys

import pytest
from conftest import CERTIFICATE_ARN, ROOT
from cost import (
    estimate,
    load_prices,
    region_prices,
    report,
    runs_per_month,
    stale_warning,
    synthesized,
)

from stacks.environments import config_from_mapping, load_environment

PRICES = load_prices()
US = region_prices(PRICES, "us-east-1")


def lines(config):
    return estimate(config, synthesized(config), region_prices(PRICES, config.region))


def usd(items, resource, what=""):
    return round(sum(item.monthly_usd for item in items if item.resource == resource and what in item.what), 2)


@pytest.fixture(scope="module")
def prod():
    return lines(load_environment("prod"))


def test_fargate_is_tasks_times_size_times_hours(prod):
    # 3 tasks of 0.5 vCPU and 1 GB, 730 hours, us-east-1.
    assert usd(prod, "aws_ecs_service", "vCPU") == round(3 * 0.5 * 730 * 0.04048, 2) == 44.33
    assert usd(prod, "aws_ecs_service", "GB hours") == round(3 * 1 * 730 * 0.004445, 2) == 9.73


def test_endpoints_load_balancer_and_public_addresses(prod):
    assert usd(prod, "aws_vpc_endpoint", "interface") == round(3 * 2 * 730 * 0.01, 2) == 43.80
    assert usd(prod, "aws_vpc_endpoint", "processed") == round(20 * 0.01, 2)
    assert usd(prod, "aws_lb", "hours") == round(730 * 0.0225, 2)
    # 10 requests a second: 0.4 LCU of connections, 0.72 of GB (10 x 20 KB x 3600 s = 0.72 GB an hour).
    assert usd(prod, "aws_lb", "LCU") == round(0.72 * 730 * 0.008, 2)
    assert usd(prod, "public_ipv4") == round(2 * 730 * 0.005, 2)
    assert usd(prod, "aws_nat_gateway") == 0


def test_logs_waf_keys_and_alarms(prod):
    assert usd(prod, "aws_cloudwatch_log_group", "/ecs/webapp-prod: ingested") == 5 * 0.50
    assert usd(prod, "aws_cloudwatch_log_group", "/ecs/webapp-prod: stored") == round(5 * 365 / 30 * 0.03, 2)
    assert usd(prod, "aws_kms_key") == 1.00
    assert usd(prod, "aws_wafv2_web_acl", "web ACL") == 5.00
    requests = 10 * 730 * 3600 / 1e6
    assert usd(prod, "aws_wafv2_web_acl", "requests") == round(requests * 0.60, 2)
    assert usd(prod, "aws_cloudwatch_metric_alarm") == round(6 * 0.10, 2)


def test_dev_pays_one_nat_gateway_and_its_address_and_no_endpoints():
    dev = lines(load_environment("dev"))
    assert usd(dev, "aws_nat_gateway", "hours") == round(730 * 0.045, 2)
    assert usd(dev, "aws_nat_gateway", "processed") == round(20 * 0.045, 2)
    assert usd(dev, "public_ipv4") == round(3 * 730 * 0.005, 2)
    assert usd(dev, "aws_vpc_endpoint") == 0
    assert usd(dev, "aws_ecs_service") == round(1 * 730 * (0.5 * 0.04048 + 1 * 0.004445), 2)


def test_arm_spot_and_region_change_the_fargate_price():
    config = config_from_mapping(
        "tokyo",
        {
            "certificate_arn": CERTIFICATE_ARN.replace("us-east-1", "ap-northeast-1"),
            "region": "ap-northeast-1",
            "network": {"availability_zones": ["ap-northeast-1a", "ap-northeast-1c"]},
            "service": {
                "desired_count": 4,
                "scaling": {"enabled": False},
                "task": {"cpu_units": 1024, "memory_mib": 2048, "cpu_architecture": "ARM64"},
                "capacity": {"fargate_weight": 1, "fargate_spot_weight": 1, "fargate_base": 2},
            },
        },
    )
    items = lines(config)
    # 4 tasks: 2 on the base, the other 2 split 1:1, so a quarter of the task hours on Spot at 70 % off.
    factor = 1 - 0.25 * 0.70
    assert usd(items, "aws_ecs_service", "vCPU") == round(4 * 1 * 730 * 0.04045 * factor, 2)
    assert usd(items, "aws_ecs_service", "GB hours") == round(4 * 2 * 730 * 0.00442 * factor, 2)


def test_a_job_costs_its_runs():
    items = lines(load_environment("local"))
    runs = 730 / 24  # every night
    assert usd(items, "fargate_job_runs", "vCPU") == round(runs * 10 / 60 * 0.5 * 0.04048, 2)
    assert usd(items, "aws_ecs_service", "api:") == round(2 * 730 * (0.5 * 0.04048 + 0.004445), 2)


@pytest.mark.parametrize(
    ("schedule", "runs"),
    [
        ("rate(1 hour)", 730),
        ("rate(15 minutes)", 730 * 4),
        ("rate(2 days)", 730 / 48),
        ("cron(0 3 * * ? *)", 730 / 24),
        ("cron(0/15 * * * ? *)", 4 * 24 * 730 / 24),
        ("cron(0 9 ? * 2-6 *)", 730 / 24 * 5 / 7),
        ("cron(0 0 1 * ? *)", 1),
        ("at(2027-01-01T00:00:00)", 0),
    ],
)
def test_runs_per_month(schedule, runs):
    assert runs_per_month(schedule) == pytest.approx(runs)


def test_the_report_totals_its_lines_and_says_what_it_assumed(prod):
    result = report(load_environment("prod"), prod, PRICES)
    assert result["monthly_usd_total"] == pytest.approx(sum(item["monthly_usd"] for item in result["items"]), abs=0.05)
    assert result["assumptions"]["requests_per_second"] == 10
    assert result["prices_as_of"] == PRICES["as_of"]
    assert result["rollout"] == {"service": {"rollout_worst_case_seconds": 180, "rollback_worst_case_seconds": 420}}


def test_a_price_table_over_a_year_old_is_warned_about():
    as_of = datetime.date.fromisoformat(PRICES["as_of"])
    assert stale_warning(PRICES, as_of + datetime.timedelta(days=365)) is None
    assert "update pricing/aws.toml" in stale_warning(PRICES, as_of + datetime.timedelta(days=366))


def test_fails_when_the_region_has_no_prices():
    with pytest.raises(ValueError, match=r"region='sa-east-1': pricing/aws.toml has prices for us-east-1"):
        region_prices(PRICES, "sa-east-1")


def test_the_command_writes_the_report_and_compares_two_environments(tmp_path):
    script = str(ROOT / "scripts" / "cost.py")
    single = subprocess.run(
        [sys.executable, script, "prod", "--outdir", str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert single.returncode == 0, single.stderr
    written = json.loads((tmp_path / "cost-prod.json").read_text())
    assert set(written) >= {"monthly_usd_total", "items", "assumptions", "prices_as_of"}
    assert f"{written['monthly_usd_total']:.2f}" in single.stdout
    compared = subprocess.run(
        [sys.executable, script, "--diff", "dev", "prod"], capture_output=True, text=True, check=False
    )
    assert compared.returncode == 0, compared.stderr
    assert "aws_nat_gateway" in compared.stdout and "aws_vpc_endpoint" in compared.stdout
